"""test_checks_accounts.py - etype, shadow, lookalike and disabled against
the seeded Samba AD lab, live and from an LDIF export of it.

Run inside the lab (docker/lab.sh run python3 test_checks_accounts.py
SPNCHECK LAB_SH) with an Administrator ticket. Every seeded finding must be
reported with its accounts, every healthy twin must not, and the KDC must
behave as the messages say (kvno with a throw-away copy of the ccache)."""
import os
import shutil
import subprocess
import sys
import tempfile

from labtest import ok, run, run_json, done

spncheck = sys.argv[1]
lab_sh = sys.argv[2]

CYRILLIC_INTRANET = "http/\u0456ntranet.corp.test"
ZW_PAYROLL = "http/pay\u200broll.corp.test"


def of(doc, check):
    return [f for f in doc["findings"] if f["check"] == check]


def sams(f):
    return {a["sam"] for a in f["accounts"]}


def holding(findings, sam):
    return [f for f in findings if sam in sams(f)]


def check_etype(label, args):
    rc, doc, err = run_json([spncheck, "etype", "--json"] + args)
    ok(rc == 1 and doc is not None, f"{label} etype: exit 1", (rc, err))
    if not doc:
        return
    fs = of(doc, "etype")
    rc4 = holding(fs, "svc_rc4")
    ok(len(rc4) == 1 and rc4[0]["severity"] == "error"
       and rc4[0]["spn"] == "http/rc4app.corp.test"
       and rc4[0]["host"] == "rc4app.corp.test"
       and "only RC4" in rc4[0]["message"]
       and "KDC_ERR_ETYPE_NOSUPP" in rc4[0]["message"],
       f"{label} etype: svc_rc4 (4) is an RC4-only error", rc4)
    ok(rc4 and "replace: msDS-SupportedEncryptionTypes\n"
       "msDS-SupportedEncryptionTypes: 24\n" in rc4[0]["fix"]
       and 'Set-ADAccount -Identity "svc_rc4" -KerberosEncryptionType '
       'AES128,AES256' in rc4[0]["fix"]
       and "password" in rc4[0]["fix"],
       f"{label} etype: the fix sets 24 and says to reset the password",
       rc4 and rc4[0]["fix"])
    des = holding(fs, "svc_des")
    ok(len(des) == 1 and des[0]["severity"] == "error"
       and des[0]["spn"] == "http/desapp.corp.test"
       and "only DES" in des[0]["message"],
       f"{label} etype: svc_des (3) is a DES-only error", des)
    unset = holding(fs, "svc_unset")
    ok(len(unset) == 1 and unset[0]["severity"] == "info"
       and "DefaultDomainSupportedEncTypes" in unset[0]["message"],
       f"{label} etype: svc_unset (absent) is info about the domain default",
       unset)
    ok(not holding(fs, "svc_aes"), f"{label} etype: svc_aes (24) is healthy",
       holding(fs, "svc_aes"))
    ok(not holding(fs, "DC1$") and not holding(fs, "krbtgt"),
       f"{label} etype: the DC (28) and krbtgt are not reported", fs)
    errors = {a for f in fs if f["severity"] == "error" for a in sams(f)}
    ok(errors == {"svc_rc4", "svc_des"},
       f"{label} etype: errors only for the seeded RC4 and DES accounts",
       errors)


def check_shadow(label, args):
    rc, doc, err = run_json([spncheck, "shadow", "--json"] + args)
    ok(rc == 1 and doc is not None, f"{label} shadow: exit 1", (rc, err))
    if not doc:
        return
    fs = of(doc, "shadow")
    app03 = [f for f in fs if f["spn"] == "cifs/app03.corp.test"]
    ok(len(app03) == 1 and app03[0]["severity"] == "warning"
       and app03[0]["host"] == "app03.corp.test"
       and [a["sam"] for a in app03[0]["accounts"]] == ["svc_app03", "APP03$"]
       and "HOST/app03.corp.test" in app03[0]["message"]
       and 'setspn -D "cifs/app03.corp.test" svc_app03' in app03[0]["fix"],
       f"{label} shadow: cifs/app03 on svc_app03 shadows APP03$'s HOST/",
       app03)
    # svc_web holds http/web01 and http/web01.corp.test while WEB01$ holds
    # HOST/WEB01 and HOST/web01.corp.test: the same situation, seeded for
    # another check. cifs/fs2 is also on FS2$ itself (dup's finding); the
    # :8080 SPN maps to a HOST/ name nobody has; FS3 holds both its own.
    spns = {f["spn"] for f in fs}
    ok(spns == {"cifs/app03.corp.test", "http/web01", "http/web01.corp.test"},
       f"{label} shadow: exactly the shadowing SPNs, no healthy twin", spns)
    # the live scan and lab.sh ldif both carry the directory's sPNMappings
    defaults = any("Windows default list" in f["fix"] for f in fs)
    ok(fs and not defaults, f"{label} shadow: sPNMappings read from the "
       "directory, not the default list", fs[0]["fix"] if fs else fs)


def check_lookalike(label, args):
    rc, doc, err = run_json([spncheck, "lookalike", "--json"] + args)
    ok(rc == 1 and doc is not None, f"{label} lookalike: exit 1", (rc, err))
    if not doc:
        return
    fs = of(doc, "lookalike")
    pairs = {(f["spn"], frozenset(sams(f))) for f in fs}
    ok(pairs == {(CYRILLIC_INTRANET, frozenset({"svc_look2", "svc_look1"})),
                 (ZW_PAYROLL, frozenset({"svc_look3", "svc_look4"}))},
       f"{label} lookalike: the Cyrillic and zero-width lookalikes, "
       "paired with the accounts they imitate", pairs)
    ok(all(f["severity"] == "error" and "CVE-2026-25177" in f["message"]
           for f in fs), f"{label} lookalike: errors citing CVE-2026-25177", fs)
    cyr = [f for f in fs if f["spn"] == CYRILLIC_INTRANET]
    ok(cyr and "http/<U+0456>ntranet.corp.test" in cyr[0]["message"]
       and cyr[0]["accounts"][0]["sam"] == "svc_look2",
       f"{label} lookalike: the message spells the hidden code point", cyr)
    zw = [f for f in fs if f["spn"] == ZW_PAYROLL]
    ok(zw and "<U+200B>" in zw[0]["message"]
       and "invisible" in zw[0]["message"]
       and "servicePrincipalName:: " in zw[0]["fix"],
       f"{label} lookalike: invisible character named, LDIF fix in base64",
       zw)
    ok(not holding(fs, "svc_look5") and not holding(fs, "svc_app2"),
       f"{label} lookalike: intranet2 and the case-variant duplicate are "
       "not lookalikes", fs)


def check_disabled(label, args):
    rc, doc, err = run_json([spncheck, "disabled", "--json"] + args)
    ok(rc == 1 and doc is not None, f"{label} disabled: exit 1", (rc, err))
    if not doc:
        return
    fs = of(doc, "disabled")
    ok(len(fs) == 1 and fs[0]["spn"] == "http/old.corp.test"
       and fs[0]["host"] == "old.corp.test"
       and fs[0]["severity"] == "warning"
       and [a["sam"] for a in fs[0]["accounts"]] == ["svc_disabled"]
       and "still issues tickets" in fs[0]["message"]
       and 'setspn -D "http/old.corp.test" svc_disabled' in fs[0]["fix"],
       f"{label} disabled: http/old.corp.test on svc_disabled, and not "
       "krbtgt's kadmin/changepw", fs)


def kdc_behaviour(tmp):
    """What the messages claim about the KDC, checked against it."""
    src = os.environ.get("KRB5CCNAME", "")
    if not src.startswith("FILE:"):
        ok(False, "the lab gives a FILE: ccache to copy", src)
        return
    cc = os.path.join(tmp, "cc")
    shutil.copy(src[5:], cc)
    aes_conf = os.path.join(tmp, "krb5.conf")
    with open(os.environ.get("KRB5_CONFIG", "/etc/krb5.conf")) as f:
        conf = f.read()
    conf = conf.replace("[libdefaults]", "[libdefaults]\n"
                        "\tdefault_tgs_enctypes = aes256-cts-hmac-sha1-96 "
                        "aes128-cts-hmac-sha1-96\n"
                        "\tpermitted_enctypes = aes256-cts-hmac-sha1-96 "
                        "aes128-cts-hmac-sha1-96", 1)
    with open(aes_conf, "w") as f:
        f.write(conf)
    env = {"KRB5CCNAME": "FILE:" + cc}
    aes = dict(env, KRB5_CONFIG=aes_conf)
    rc, out, err = run(["kvno", "http/rc4app.corp.test"], env=aes)
    ok(rc != 0 and "encryption type" in err,
       "KDC: an AES-only client gets no ticket for the RC4-only account",
       (rc, out, err))
    rc, out, err = run(["kvno", "http/aesapp.corp.test"], env=aes)
    ok(rc == 0, "KDC: an AES-only client gets a ticket for svc_aes",
       (rc, out, err))
    rc, out, err = run(["kvno", "http/desapp.corp.test"], env=env)
    ok(rc != 0 and "encryption type" in err,
       "KDC: no ticket at all for the DES-only account", (rc, out, err))
    rc, out, err = run(["kvno", "http/old.corp.test"], env=env)
    ok(rc == 0, "KDC: a ticket is issued for the disabled account's SPN "
       "(as the disabled message says)", (rc, out, err))


with tempfile.TemporaryDirectory() as tmp:
    sources = [("live", [])]
    ldif = os.path.join(tmp, "lab.ldif")
    p = subprocess.run(["bash", lab_sh, "ldif", ldif], capture_output=True,
                       text=True)
    if ok(p.returncode == 0, "exported the lab to LDIF", p.stderr):
        sources.append(("ldif", ["--ldif", ldif]))
    for label, args in sources:
        check_etype(label, args)
        check_shadow(label, args)
        check_lookalike(label, args)
        check_disabled(label, args)
    kdc_behaviour(tmp)

# the text report shows a lookalike with its escaped spelling
rc, out, err = run([spncheck, "lookalike"])
ok(rc == 1 and "<U+0456>" in out and "2 findings (2 errors" in out,
   "text report of lookalike", out + err)

done()
