"""test_hostile.py - spncheck over hostile directory data and hostile input.

Adds accounts whose SPNs and names carry terminal escape sequences, control
characters, a 64 KiB value and a NUL byte (ldapmodify over the sealed GSSAPI
bind; the duplicate below Samba's module stack with ldbmodify, as the seed
does), then checks that the text output never carries a raw control byte
(only the tool's own '\\n' and '\\t'), that --json always parses and gives
the values back exactly, and that filter metacharacters in names and
patterns match nothing but themselves. Also hostile LDIF files. The
accounts are deleted at the end, even when a check fails.

Run inside the lab (docker/lab.sh run python3 test_hostile.py SPNCHECK)
after the 'lab' suite: meson suite lab-faults."""
import base64
import json
import os
import subprocess
import sys
import tempfile

from labtest import ok, wrapped, done

spncheck = sys.argv[1]
BASE = "DC=corp,DC=test"
OU = "OU=Service Accounts," + BASE
PARTITION = os.path.join(os.environ["SPNKIT_LAB_DIR"], "private", "sam.ldb.d",
                         "DC=CORP,DC=TEST.ldb")
LDAP = ["-Q", "-N", "-Y", "GSSAPI", "-H", "ldap://dc1.corp.test"]

ESC_SPN = b"http/esc\x1b[31mred\x1b[0m.hostile.test"
HOSTILE_SPNS = [
    ESC_SPN,
    b"http/bell\x07.hostile.test",
    b"http/crlf\r\nfake: line.hostile.test",
    b"http/osc\x1b]0;pwned\x07.hostile.test",
    b"http/c1\xc2\x9b" b"31m.hostile.test",       # U+009B: 8-bit CSI
    b"http/del\x7f.hostile.test",
    b"http/back\\slash(paren)*star.hostile.test",
]
BIG_SPN = b"http/" + b"a" * 65536 + b".hostile.test"
NUL_SPN = b"http/nul\x00evil.hostile.test"
ESC_CN = b"svc_hostile_\x1b[31mcn"
ACCOUNTS = {
    # sAMAccountName: (cn, SPNs)
    "svc_hostile_esc": (b"svc_hostile_esc", HOSTILE_SPNS),
    "svc_hostile_dup": (b"svc_hostile_dup", [b"http/dupok.hostile.test"]),
    "svc_hostile_big": (b"svc_hostile_big", [BIG_SPN]),
    "svc_hostile_nul": (b"svc_hostile_nul", [NUL_SPN, b"http/nulok.hostile.test"]),
    "svc_hostile_cn": (ESC_CN, [b"http/cn.hostile.test"]),
}


def b64(v):
    return base64.b64encode(v).decode()


def dn_of(cn):
    return b"CN=" + cn + b"," + OU.encode()


def ldap_tool(tool, ldif=None, args=()):
    p = subprocess.run([tool] + LDAP + list(args), input=ldif,
                       capture_output=True)
    return p.returncode, p.stderr.decode("utf-8", "replace").strip()


def delete_all():
    """Delete every svc_hostile_* account (left over or added here)."""
    p = subprocess.run(["ldapsearch", "-LLL", "-o", "ldif-wrap=no"] + LDAP + [
        "-b", OU, "(sAMAccountName=svc_hostile_*)", "1.1"], capture_output=True)
    dns = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("dn:: "):
            dns.append(base64.b64decode(line[5:]))
        elif line.startswith("dn: "):
            dns.append(line[4:].encode())
    for dn in dns:
        ldif = f"dn:: {b64(dn)}\nchangetype: delete\n".encode()
        rc, err = ldap_tool("ldapmodify", ldif)
        if rc != 0:
            print(f"# could not delete {dn!r}: {err}")
    return p.returncode == 0


def add_accounts():
    for sam, (cn, spns) in ACCOUNTS.items():
        lines = [f"dn:: {b64(dn_of(cn))}", "changetype: add",
                 "objectClass: user", f"sAMAccountName: {sam}"]
        lines += [f"servicePrincipalName:: {b64(s)}" for s in spns]
        rc, err = ldap_tool("ldapmodify", ("\n".join(lines) + "\n").encode())
        ok(rc == 0, f"added {sam} over LDAP", err)
    # the escape-sequence SPN a second time, on svc_hostile_dup: the DC
    # refuses a duplicate over LDAP, so below its module stack
    ldif = (f"dn: CN=svc_hostile_dup,{OU}\nchangetype: modify\n"
            f"add: servicePrincipalName\nservicePrincipalName:: {b64(ESC_SPN)}\n-\n")
    p = subprocess.run(["ldbmodify", "-H", PARTITION], input=ldif.encode(),
                       capture_output=True)
    ok(p.returncode == 0, "made the escape-sequence SPN a duplicate (ldbmodify)",
       p.stderr)
    # what Samba does with an SPN that is not UTF-8: it refuses it
    lines = [f"dn: CN=svc_hostile_utf8,{OU}", "changetype: add",
             "objectClass: user", "sAMAccountName: svc_hostile_utf8",
             f"servicePrincipalName:: {b64(b'http/bad' + bytes([0xff, 0xfe]) + b'.hostile.test')}"]
    rc, err = ldap_tool("ldapmodify", ("\n".join(lines) + "\n").encode())
    ok(rc != 0 and "Invalid syntax" in err,
       "Samba refuses an SPN that is not UTF-8 (Invalid syntax), so only "
       "LDIF files can bring one", err)
    # ... and a sAMAccountName with an escape or a wildcard
    for bad in (b"svc_hostile\x1b[1m", b"svc_hostile*"):
        lines = [f"dn: CN=svc_hostile_badsam,{OU}", "changetype: add",
                 "objectClass: user", f"sAMAccountName:: {b64(bad)}"]
        rc, err = ldap_tool("ldapmodify", ("\n".join(lines) + "\n").encode())
        ok(rc != 0 and "sAMAccountName contains invalid" in err,
           f"Samba refuses the sAMAccountName {bad!r}", err)


def raw(argv):
    """Run argv; (rc, stdout bytes, stderr bytes) unchanged."""
    p = subprocess.run(wrapped(argv), capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def terminal_safe(what, data):
    """No byte below 0x20 except '\\n' and '\\t', no DEL, valid UTF-8 with
    no C1 control: nothing in it can drive a terminal."""
    bad = sorted({hex(c) for c in data if (c < 0x20 and c not in (9, 10))
                  or c == 0x7f})
    try:
        text = data.decode("utf-8")
        c1 = sorted({hex(ord(ch)) for ch in text if 0x80 <= ord(ch) <= 0x9f})
    except UnicodeDecodeError as e:
        c1 = [f"not UTF-8: {e}"]
    ok(not bad and not c1, f"{what}: no control byte reaches the terminal",
       f"raw bytes {bad} C1 {c1}")


def check_json(what, data):
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError as e:
        ok(False, f"{what}: valid JSON", f"{e}: {data[:300]!r}")
        return None
    ok(True, f"{what}: valid JSON")
    return doc


def spns_of_finding(doc, check="dup"):
    return {f.get("spn") for f in doc["findings"] if f["check"] == check}


tmp = tempfile.mkdtemp(prefix="spnkit-hostile-")
try:
    delete_all()
    add_accounts()

    # ---- the reports, text and JSON
    esc = ESC_SPN.decode()
    for cmd in ("dup", "all"):
        rc, out, err = raw([spncheck, cmd])
        ok(rc == 1, f"{cmd}: exit 1 (findings)", (rc, err[-500:]))
        terminal_safe(f"{cmd} text report", out)
        terminal_safe(f"{cmd} stderr", err)
        ok(b"http/esc\\x1b[31mred\\x1b[0m.hostile.test" in out,
           f"{cmd}: the escape sequence is shown as \\x1b text", out[-2000:])
        rc, out, err = raw([spncheck, cmd, "--json"])
        doc = check_json(f"{cmd} --json", out)
        if doc:
            dup = [f for f in doc["findings"] if f["check"] == "dup"
                   and f.get("spn") == esc]
            ok(len(dup) == 1 and {a["sam"] for a in dup[0]["accounts"]} ==
               {"svc_hostile_esc", "svc_hostile_dup"},
               f"{cmd} --json: the hostile duplicate, its value exact", dup)
            ok(esc.encode() not in out and b"\\u001b" in out,
               f"{cmd} --json: ESC written as \\u001b, never raw")
        terminal_safe(f"{cmd} --json stderr", err)
    rc, out, err = raw([spncheck, "dup", "--fix"])
    terminal_safe("dup --fix script", out)
    ok(b"http/esc\\x1b[31mred\\x1b[0m.hostile.test" in out,
       "--fix: the hostile SPN is shown escaped in the script", out[-1500:])

    # ---- the NUL byte: left out with a warning, never cut short
    rc, out, err = raw([spncheck, "list", "svc_hostile_nul"])
    ok(rc == 0 and b"http/nulok.hostile.test" in out and
       b"\thttp/nul\n" not in out and b"evil" not in out,
       "an SPN with a NUL byte is left out (not cut to 'http/nul')", out + err)
    ok(b"NUL byte after 'http/nul'" in err, "... with a warning that says so",
       err)
    terminal_safe("list with a NUL value: stderr", err)

    # ---- list and query: hostile values come back exactly in JSON
    rc, out, err = raw([spncheck, "list", "svc_hostile_esc"])
    ok(rc == 0, "list svc_hostile_esc", err)
    terminal_safe("list svc_hostile_esc", out)
    rc, out, err = raw([spncheck, "list", "svc_hostile_esc", "--json"])
    doc = check_json("list svc_hostile_esc --json", out)
    if doc:
        got = sorted(doc["accounts"][0]["spns"])
        ok(got == sorted(s.decode() for s in HOSTILE_SPNS),
           "list --json gives every hostile SPN back exactly", got)
    rc, out, err = raw([spncheck, "list", "svc_hostile_big", "--json"])
    doc = check_json("list svc_hostile_big --json (64 KiB value)", out)
    ok(doc and doc["accounts"][0]["spns"] == [BIG_SPN.decode()],
       "the 64 KiB SPN comes back whole")
    rc, out, err = raw([spncheck, "list", dn_of(ESC_CN).decode()])
    ok(rc == 0 and b"http/cn.hostile.test" in out,
       "list by a DN that holds an escape sequence", (rc, out, err))
    terminal_safe("list by a hostile DN", out + err)
    rc, out, err = raw([spncheck, "query", "http/esc\x1b[31m*"])
    ok(rc == 0 and out.count(b"Registered ServicePrincipalNames") == 2,
       "query with an escape sequence in the pattern finds both holders",
       (rc, out, err))
    terminal_safe("query with an escape sequence", out + err)
    rc, out, err = raw([spncheck, "query",
                        "http/back\\slash(paren)*star.hostile.test"])
    ok(rc == 0 and b"svc_hostile_esc" in out,
       "query: '\\', '(' and ')' are matched as themselves", (rc, out, err))

    # ---- filter metacharacters in user input match nothing but themselves
    # (an embedded NUL cannot be passed in argv at all: execve's strings end
    # at the first NUL; the library side is in tests/unit/test_filter.c)
    for name in ("svc_hostile_*", "*", "svc_hostile_esc)(sAMAccountName=*",
                 "(", ")", "\\", "svc_hostile\\2a", "*)(|(objectClass=*"):
        rc, out, err = raw([spncheck, "list", name])
        lines = err.decode("utf-8", "replace").strip().splitlines()
        ok(rc == 2 and out == b"" and len(lines) == 1 and "no account named" in lines[0],
           f"list {name!r}: no account matches, exit 2, one line", (rc, out, err))
    rc, out, err = raw([spncheck, "list", "svc_hostile_\x1b[2J"])
    terminal_safe("the error line for a hostile account name", err)
    rc, out, err = raw([spncheck, "query", "http/*)(servicePrincipalName=*"])
    ok(rc == 1 and b"No such SPN found" in out,
       "query: ')(' in a pattern is data, not filter syntax", (rc, out, err))

    # ---- hostile LDIF files
    head = ("dn: CN=svc_x,OU=Service Accounts,DC=corp,DC=test\n"
            "objectClass: user\nsAMAccountName: svc_x\n")
    second = head.replace("svc_x", "svc_y")
    cases = {
        "badb64.ldif": (head + "servicePrincipalName:: aHR0cC9!!!notbase64\n", 2, ":4: "),
        "badpad.ldif": (head + "servicePrincipalName:: aHR0cC9\n", 2, ":4: "),
        "nul.ldif": (head + f"servicePrincipalName:: {b64(NUL_SPN)}\n", 2, ":4: "),
        "utf8.ldif": (head + "servicePrincipalName:: " +
                      b64(b"http/bad\xff\xfe.hostile.test") + "\n\n" + second +
                      "servicePrincipalName:: " +
                      b64(b"http/bad\xff\xfe.hostile.test") + "\n", 1, None),
        "esc.ldif": (head + f"servicePrincipalName:: {b64(ESC_SPN)}\n\n" + second +
                     f"servicePrincipalName:: {b64(ESC_SPN)}\n", 1, None),
    }
    for name, (text, want, where) in cases.items():
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = raw([spncheck, "dup", "--ldif", path])
        terminal_safe(f"--ldif {name}", out + err)
        if want == 2:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            ok(rc == 2 and out == b"" and len(lines) == 1 and
               (path + where) in lines[0],
               f"--ldif {name}: exit 2, one line naming file:line", (rc, err))
        else:
            ok(rc == 1, f"--ldif {name}: the duplicate is found", (rc, err))
            rc, out, err = raw([spncheck, "dup", "--ldif", path, "--json"])
            doc = check_json(f"--ldif {name} --json", out)
            ok(doc and len(doc["findings"]) == 1,
               f"--ldif {name} --json: one finding", doc)
    # ---- a hostile baseline: its strings reach the "fixed" list
    base = os.path.join(tmp, "base.json")
    with open(base, "w") as f:
        json.dump({"tool": "spncheck", "findings": [
            {"check": "dup\x1b[31m", "severity": "error\x07",
             "spn": "http/gone\x1b]0;pwned\x07.hostile.test",
             "host": "gone\u009b2J", "message": "line\r\nfake\x1b[2J",
             "accounts": [{"dn": "CN=\x1b[5mold"}]}]}, f)
    esc_ldif = os.path.join(tmp, "esc.ldif")
    rc, out, err = raw([spncheck, "dup", "--ldif", esc_ldif, "--baseline", base])
    ok(rc == 1 and b"fixed   dup\\x1b[31m" in out,
       "--baseline: a hostile baseline's finding is listed as fixed, escaped",
       (rc, out, err))
    terminal_safe("text report with a hostile baseline", out + err)
    rc, out, err = raw([spncheck, "dup", "--ldif", esc_ldif, "--baseline", base,
                        "--json"])
    doc = check_json("--json with a hostile baseline", out)
    ok(doc and doc["fixed"][0]["check"] == "dup\x1b[31m",
       "--json: the baseline's strings come back exactly", doc and doc["fixed"])
finally:
    ok(delete_all(), "deleted the hostile accounts")
    rc, out, err = raw([spncheck, "query", "http/esc*"])
    ok(rc == 1, "none of them is left", (rc, out))
    subprocess.run(["rm", "-rf", tmp])

done()
