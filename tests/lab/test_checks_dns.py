"""test_checks_dns.py - missing, alias, ip and orphan against the seeded
Samba AD lab, live and from an LDIF export of it.

Run inside the lab (docker/lab.sh run python3 test_checks_dns.py SPNCHECK
LAB_SH) with an Administrator ticket. Every seeded finding must be reported
with its accounts and severity, every healthy twin must not, the live scan
and the LDIF export must agree, and the KDC must behave as the messages
say (kvno with a throw-away copy of the ccache)."""
import os
import shutil
import subprocess
import sys
import tempfile

from labtest import ok, run, run_json, done

spncheck = sys.argv[1]
lab_sh = sys.argv[2]


def of(doc, check):
    return [f for f in doc["findings"] if f["check"] == check]


def sams(f):
    return {a["sam"] for a in f.get("accounts", [])}


def by_host(fs):
    out = {}
    for f in fs:
        out.setdefault(f["host"], []).append(f)
    return out


def findings(label, args, check):
    rc, doc, err = run_json([spncheck, check, "--json"] + args)
    ok(rc == 1 and doc is not None, f"{label} {check}: exit 1", (rc, err))
    return of(doc, check) if doc else None


def check_missing(label, args):
    fs = findings(label, args, "missing")
    if fs is None:
        return None
    got = {(f["host"], f["severity"], f["spn"], frozenset(sams(f)))
           for f in fs}
    want = {
        ("app07.corp.test", "error", "HOST/app07.corp.test",
         frozenset({"APP07$"})),
        ("app07", "error", "HOST/APP07", frozenset({"APP07$"})),
        ("app07-alt.corp.test", "warning", "HOST/app07-alt.corp.test",
         frozenset({"WEB01$"})),
    }
    ok(got == want, f"{label} missing: exactly the renamed APP07 (errors) and "
       "WEB01's additional name (warning)", got)
    renamed = [f for f in fs if f["host"] == "app07.corp.test"]
    ok(renamed and "HOST/APP07OLD" in renamed[0]["message"]
       and "HOST/app07old.corp.test" in renamed[0]["message"]
       and "renamed" in renamed[0]["message"]
       and "NTLM" in renamed[0]["message"],
       f"{label} missing: the message names the old HOST/ SPNs", renamed)
    ok(renamed and 'setspn -S "HOST/app07.corp.test"' in renamed[0]["fix"]
       and "add: servicePrincipalName\nservicePrincipalName: "
       "HOST/app07.corp.test\n" in renamed[0]["fix"],
       f"{label} missing: the fix adds the SPN (setspn -S and LDIF)",
       renamed and renamed[0]["fix"])
    hosts = {f["host"] for f in fs}
    ok(not hosts & {"files-new.corp.test", "fs1.corp.test", "fs1",
                    "web01.corp.test", "web01", "dc1.corp.test", "dc1"},
       f"{label} missing: FS1's additional name with HOST/, WEB01 and the DC "
       "are healthy", hosts)
    return fs


def check_alias(label, args):
    fs = findings(label, args, "alias")
    if fs is None:
        return None
    h = by_host(fs)
    files = h.get("files.corp.test", [])
    ok(len(files) == 1 and files[0]["severity"] == "error"
       and not files[0].get("accounts")
       and "CNAME for fs1.corp.test" in files[0]["message"]
       and "cifs/files.corp.test" in files[0]["message"]
       and 'setspn -S "HOST/files.corp.test"' in files[0]["fix"],
       f"{label} alias: CNAME files -> fs1 without an SPN is an error", files)
    lb = h.get("lb.corp.test", [])
    ok(len(lb) == 1 and lb[0]["severity"] == "error"
       and lb[0]["spn"] == "http/lb.corp.test"
       and sams(lb[0]) == {"NODE1$"}
       and "NODE2$" in lb[0]["message"]
       and "cannot decrypt" in lb[0]["message"]
       and 'setspn -D "http/lb.corp.test"' in lb[0]["fix"],
       f"{label} alias: VIP lb with its SPN on NODE1$ is an error", lb)
    lb2 = h.get("lb2.corp.test", [])
    ok(len(lb2) == 1 and lb2[0]["severity"] == "info"
       and lb2[0]["spn"] == "http/lb2.corp.test"
       and sams(lb2[0]) == {"svc_lb2"}
       and "NODE3$" in lb2[0]["message"] and "NODE4$" in lb2[0]["message"],
       f"{label} alias: VIP lb2 on the service account svc_lb2 is info", lb2)
    ok("portal.corp.test" not in h,
       f"{label} alias: CNAME portal -> web01 served by svc_web is healthy",
       h.get("portal.corp.test"))
    legacy = h.get("legacy-alias.corp.test", [])
    ok(len(legacy) == 1 and legacy[0]["severity"] == "error",
       f"{label} alias: the legacy-container CNAME legacy-alias -> fs1 "
       "without an SPN is an error", legacy)
    ok(set(h) == {"files.corp.test", "lb.corp.test", "lb2.corp.test",
                  "legacy-alias.corp.test"},
       f"{label} alias: nothing else (node names, the apex, _msdcs, dc0, "
       "dc1 are not aliases)", sorted(h))
    return fs


def check_ip(label, args):
    fs = findings(label, args, "ip")
    if fs is None:
        return None
    got = {(f["spn"], f["severity"], frozenset(sams(f))) for f in fs}
    want = {
        ("HOST/127.0.0.61", "info", frozenset({"FS3$"})),
        ("cifs/127.0.0.61", "info", frozenset({"FS3$"})),
        ("http/2001:db8::15", "warning", frozenset({"svc_web"})),
    }
    ok(got == want, f"{label} ip: FS3's own address is info, svc_web's IPv6 "
       "literal a warning, nothing else", got)
    fs3 = [f for f in fs if f["spn"] == "cifs/127.0.0.61"]
    ok(fs3 and fs3[0]["host"] == "127.0.0.61"
       and "fs3.corp.test (FS3$)" in fs3[0]["message"]
       and "TryIPSPN" in fs3[0]["message"],
       f"{label} ip: the message names the owner fs3.corp.test", fs3)
    v6 = [f for f in fs if f["spn"] == "http/2001:db8::15"]
    ok(v6 and "no name in the AD DNS zones" in v6[0]["message"]
       and 'setspn -D "http/2001:db8::15" svc_web' in v6[0]["fix"],
       f"{label} ip: the IPv6 literal has no owner; the fix removes it", v6)
    return fs


# SPNs of the seed whose names have no DNS record in the lab: orphans too.
NO_DNS_RECORD = {
    "aesapp.corp.test", "app.corp.test", "desapp.corp.test",
    "intranet.corp.test", "intranet2.corp.test", "old.corp.test",
    "payroll.corp.test", "pay\u200broll.corp.test", "rc4app.corp.test",
    "sql1.corp.test", "sqlclu.corp.test", "unsetapp.corp.test",
    "\u0456ntranet.corp.test", "app07old", "app07old.corp.test",
}


def check_orphan(label, args):
    fs = findings(label, args, "orphan")
    if fs is None:
        return None
    h = by_host(fs)
    for host in ("ghost.corp.test", "gone.example.org"):
        g = h.get(host, [])
        ok(len(g) == 1 and g[0]["severity"] == "warning"
           and sams(g[0]) == {"svc_ghost"}
           and "ghost SPN-jacking" in g[0]["message"]
           and 'setspn -D "http/' + host + '" svc_ghost' in g[0]["fix"]
           and "delete: servicePrincipalName\n" in g[0]["fix"],
           f"{label} orphan: http/{host} on svc_ghost is a warning", g)
    bulk = [x for x in h if x.startswith("bulk")]
    ok(len(bulk) == 1600, f"{label} orphan: svc_bulk's 1600 names have no "
       "DNS record either", len(bulk))
    rest = set(h) - set(bulk) - {"ghost.corp.test", "gone.example.org"}
    ok(rest == NO_DNS_RECORD, f"{label} orphan: the other seeded SPNs "
       "without a DNS name, and nothing else", sorted(rest ^ NO_DNS_RECORD))
    healthy = {"web01.corp.test", "web01", "portal.corp.test",
               "lb.corp.test", "lb2.corp.test", "files-new.corp.test",
               "fs2.corp.test", "dc1.corp.test", "dc1", "changepw",
               "app07-alt.corp.test", "127.0.0.61", "2001:db8::15"}
    ok(not healthy & set(h), f"{label} orphan: computer names, DNS names, "
       "DC and krbtgt SPNs and IP literals are not orphans",
       sorted(healthy & set(h)))
    return fs


def kdc_behaviour(tmp):
    """What the messages claim about the KDC, checked against it."""
    src = os.environ.get("KRB5CCNAME", "")
    if not src.startswith("FILE:"):
        ok(False, "the lab gives a FILE: ccache to copy", src)
        return
    cc = os.path.join(tmp, "cc")
    shutil.copy(src[5:], cc)
    env = {"KRB5CCNAME": "FILE:" + cc}
    for spn, why in (("cifs/app07-alt.corp.test", "missing additional name"),
                     ("cifs/files.corp.test", "CNAME without an SPN")):
        rc, out, err = run(["kvno", spn], env=env)
        ok(rc != 0 and "not found" in err,
           f"KDC: no ticket for {spn} ({why})", (rc, out, err))
    for spn, why in (("cifs/fs1.corp.test", "HOST/ stands in for cifs/"),
                     ("http/lb.corp.test", "issued for NODE1$'s key only"),
                     ("http/ghost.corp.test", "a ghost SPN still gets tickets")):
        rc, out, err = run(["kvno", spn], env=env)
        ok(rc == 0, f"KDC: a ticket for {spn} ({why})", (rc, out, err))
    # Samba's KDC also matches cifs/app07.corp.test to the account APP07$ by
    # its sAMAccountName (LAB-NOTES); a Windows KDC refuses it, as the
    # missing check says. Not asserted: it is Samba's lenience.


with tempfile.TemporaryDirectory() as tmp:
    sources = [("live", [])]
    ldif = os.path.join(tmp, "lab.ldif")
    p = subprocess.run(["bash", lab_sh, "ldif", ldif], capture_output=True,
                       text=True)
    if ok(p.returncode == 0, "exported the lab to LDIF", p.stderr):
        sources.append(("ldif", ["--ldif", ldif]))
    results = {}
    for label, args in sources:
        results[label] = {
            "missing": check_missing(label, args),
            "alias": check_alias(label, args),
            "ip": check_ip(label, args),
            "orphan": check_orphan(label, args),
        }
    if "ldif" in results:
        for check in ("missing", "alias", "ip", "orphan"):
            ok(results["live"][check] == results["ldif"][check],
               f"{check}: the live scan and the LDIF export agree",
               check)
    kdc_behaviour(tmp)

    # --targets and --resolve, once spncheck offers them
    rc, usage, err = run([spncheck, "--help"])
    if "--targets" in usage:
        targets = os.path.join(tmp, "targets.txt")
        with open(targets, "w") as f:
            f.write("# file servers\n\\\\fs1\\share\n\\\\files.corp.test\\x\n"
                    "http://portal.corp.test/\napp07-alt.corp.test\n\n"
                    "\\\\127.0.0.61\\share\n")
        rc, doc, err = run_json([spncheck, "missing", "--json", "--targets",
                                 targets])
        t = {f["spn"]: f for f in of(doc, "missing")} if doc else {}
        ok(rc == 1 and "cifs/files.corp.test" in t
           and t["cifs/files.corp.test"]["severity"] == "error"
           and "line 3" in t["cifs/files.corp.test"]["message"],
           "--targets: the CNAME files has no SPN (line 3)", (rc, err, t))
        ok("cifs/fs1" not in t and "HTTP/portal.corp.test" not in t,
           "--targets: \\\\fs1 (HOST/ stand-in) and portal (svc_web) are "
           "fine", sorted(t))
        ok("HOST/app07-alt.corp.test" in t
           and "cifs/127.0.0.61" in t
           and t["cifs/127.0.0.61"]["severity"] == "warning",
           "--targets: app07-alt is missing, the IP target is a warning",
           sorted(t))
        with open(targets, "a") as f:
            f.write("ftp://fs1/x\n")
        rc, out, err = run([spncheck, "missing", "--targets", targets])
        ok(rc == 2 and "line 8" in err, "--targets: a bad line is exit 2 "
           "naming the line", (rc, err))
    else:
        ok(True, "--targets # SKIP spncheck has no --targets option yet")
    if "--resolve" in usage:
        rc, doc, err = run_json([spncheck, "orphan", "--json", "--resolve"])
        hosts = {f["host"] for f in of(doc, "orphan")} if doc else set()
        # the DC answers NXDOMAIN for names outside its zones, forwards none
        ok(rc == 1 and {"ghost.corp.test", "gone.example.org"} <= hosts,
           "--resolve: the ghost names do not resolve either", (rc, err))
    else:
        ok(True, "--resolve # SKIP spncheck has no --resolve option yet")

# the text report
rc, out, err = run([spncheck, "alias"])
ok(rc == 1 and "4 findings (3 errors, 0 warnings, 1 info)" in out
   and "lb.corp.test" in out, "text report of alias", out + err)

done()
