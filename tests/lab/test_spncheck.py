"""test_spncheck.py - spncheck against the seeded Samba AD lab.

Run inside the lab (docker/lab.sh run python3 test_spncheck.py SPNCHECK)
with an Administrator ticket. Every seeded duplicate must be reported with
its holders, and nothing else."""
import json
import os
import subprocess
import sys
import tempfile

from labtest import ok, run, run_json, done

spncheck = sys.argv[1]

SEEDED_DUPS = {
    "http/app.corp.test": {"svc_app1", "svc_app2"},
    "cifs/fs2.corp.test": {"FS2$", "svc_backup"},
    "mssqlsvc/sqlclu.corp.test:1433": {"svc_sqla", "svc_sqlb", "svc_sqlc"},
}


def dups_of(doc):
    return {f["spn"].lower(): {a["sam"] for a in f["accounts"]}
            for f in doc["findings"] if f["check"] == "dup"}


# dup over the domain, discovered by SRV (a dead DC is listed there first)
rc, doc, err = run_json([spncheck, "dup", "--json"])
ok(rc == 1, "dup exits 1 when duplicates exist", f"rc={rc} {err}")
if doc:
    ok(doc["schema_version"] == 1 and doc["tool"] == "spncheck",
       "JSON header", doc)
    ok(doc["domain"] == "corp.test" and doc["scope"] == "domain",
       "domain and scope", doc)
    ok(doc["server"].lower().startswith("dc1"), "bound to dc1, not the dead dc0",
       doc["server"])
    ok(dups_of(doc) == SEEDED_DUPS, "exactly the seeded duplicates, with holders",
       dups_of(doc))
    ok(doc["stats"]["spns"] >= 1600 + 20 and doc["stats"]["accounts"] >= 30,
       "stats count every SPN (the 1600-SPN account included)", doc["stats"])
    for f in doc["findings"]:
        ok(f["severity"] == "error" and f["host"] == f["host"].lower()
           and not f["host"].endswith("."), f"{f['spn']}: severity and host", f)
        ok(all(a["dn"].startswith("CN=") for a in f["accounts"]),
           f"{f['spn']}: every holder has a DN", f)
        ok("setspn -D" in f["fix"] and "changetype: modify" in f["fix"],
           f"{f['spn']}: a setspn and LDIF fix", f["fix"])
    fs2 = [f for f in doc["findings"] if f["spn"].lower() == "cifs/fs2.corp.test"]
    ok(fs2 and 'setspn -D "cifs/fs2.corp.test" svc_backup' in fs2[0]["fix"]
       and "suggested: FS2$" in fs2[0]["fix"],
       "fs2: the fix keeps the SPN on the computer FS2$", fs2)

# the text report
rc, out, err = run([spncheck, "dup"])
ok(rc == 1 and "3 findings (3 errors" in out and "svc_sqlc" in out,
   "text report lists the findings and a summary", out + err)
rc, out, err = run([spncheck, "dup", "--fix"])
ok(rc == 1 and out.count("setspn -D") == 4 and out.count("changetype: modify") == 4
   and "# 3 findings with a fix" in out and "findings (" not in out,
   "--fix prints one remediation script (4 removals) instead of the report",
   out)

# baselines for nightly jobs: a finding that disappears is listed as fixed,
# one that is not in the baseline is new; only new ones count for exit 1
with tempfile.TemporaryDirectory() as tmp:
    rc, doc, err = run_json([spncheck, "dup", "--json"])
    base = doc
    fs2 = [f for f in base["findings"] if f["spn"].lower() == "cifs/fs2.corp.test"][0]
    base["findings"] = [f for f in base["findings"] if f is not fs2]
    base["findings"].append({"check": "dup", "severity": "error",
                             "spn": "http/gone.corp.test",
                             "host": "gone.corp.test",
                             "accounts": [{"dn": "CN=old,DC=corp,DC=test"}],
                             "message": "an old duplicate"})
    path = os.path.join(tmp, "base.json")
    with open(path, "w") as f:
        json.dump(base, f)
    rc, doc, err = run_json([spncheck, "dup", "--json", "--baseline", path])
    new = [f["spn"].lower() for f in doc["findings"] if f["new"]]
    ok(rc == 1 and new == ["cifs/fs2.corp.test"],
       "--baseline marks only the finding missing from the baseline as new",
       (rc, new, err))
    ok([f["spn"] for f in doc["fixed"]] == ["http/gone.corp.test"],
       "--baseline lists the baseline finding not seen again as fixed",
       doc.get("fixed"))
    rc, out, err = run([spncheck, "dup", "--baseline", path])
    ok("NEW cifs/fs2.corp.test" in out and "fixed   dup http/gone.corp.test" in out
       and "1 new since the baseline" in out, "text report marks new and fixed",
       out)
    base["findings"].append(fs2)
    with open(path, "w") as f:
        json.dump(base, f)
    rc, out, err = run([spncheck, "dup", "--baseline", path])
    ok(rc == 0, "nothing new since the baseline: exit 0", (rc, out, err))
    with open(path, "w") as f:
        f.write('{"tool":"spncheck","findings":[{"check":')
    rc, out, err = run([spncheck, "dup", "--baseline", path])
    ok(rc == 2 and path in err and out == "" and len(err.splitlines()) == 1,
       "a truncated baseline: exit 2, one line naming it", (rc, err))
    rc, out, err = run([spncheck, "dup", "--baseline", os.path.join(tmp, "no")])
    ok(rc == 2 and "No such file" in err, "a missing baseline: exit 2", (rc, err))
    missing = os.path.join(tmp, "no.ldif")
    rc, out, err = run([spncheck, "dup", "--ldif", missing])
    ok(rc == 2 and out == "" and err.count(missing) == 1 and
       "No such file" in err and len(err.splitlines()) == 1,
       "a missing --ldif file: exit 2, one line naming it once", (rc, err))

# --fail-on: the least severity that gives exit 1
rc, out, err = run([spncheck, "dup", "--fail-on", "error"])
ok(rc == 1, "--fail-on error with errors: exit 1", rc)
rc, out, err = run([spncheck, "dup", "--fail-on", "fatal"])
ok(rc == 2 and "fatal" in err, "--fail-on with a bad level: exit 2", (rc, err))

# all: every check from one scan
rc, doc, err = run_json([spncheck, "all", "--json"])
ok(rc == 1 and doc and dups_of(doc) == SEEDED_DUPS,
   "all includes the dup findings", (rc, err))
ok(doc and {f["check"] for f in doc["findings"]} <= set(
   ["dup", "missing", "alias", "ip", "orphan", "etype", "shadow",
    "lookalike", "disabled"]), "all reports only known checks", doc)

# forest scope through the global catalog
rc, doc, err = run_json([spncheck, "dup", "--forest", "--json"])
ok(rc == 1 and doc and doc["scope"] == "forest" and
   dups_of(doc) == SEEDED_DUPS, "--forest (GC) finds the same duplicates",
   (rc, err, doc and dups_of(doc)))

# an explicit server, and the verbose decisions
rc, out, err = run([spncheck, "dup", "-H", "ldap://dc1.corp.test", "-v"])
ok(rc == 1 and "SSF" in err.upper() or "ssf" in err,
   "-H with -v says what security layer was negotiated", err)
rc, out, err = run([spncheck, "dup", "-v"])
ok("dc0" in err, "-v tells that the dead DC in SRV was tried", err)

# list and query, as setspn -L and -Q
rc, doc, err = run_json([spncheck, "list", "svc_bulk", "--json"])
ok(rc == 0 and doc and len(doc["accounts"]) == 1 and
   len(doc["accounts"][0]["spns"]) == 1600,
   "list svc_bulk returns all 1600 SPNs (past the 1500-value range)",
   (rc, err, doc and [len(a["spns"]) for a in doc["accounts"]]))
rc, out, err = run([spncheck, "list", "FS2"])
ok(rc == 0 and "cifs/fs2.corp.test" in out and "HOST/FS2" in out,
   "list FS2 (computer, without $)", out + err)
rc, out, err = run([spncheck, "list", "nosuch_account"])
ok(rc == 2 and "nosuch_account" in err and len(err.strip().splitlines()) == 1,
   "list of an unknown account: exit 2, one line naming it", (rc, err))
rc, out, err = run([spncheck, "list", "*)(sAMAccountName=*"])
ok(rc == 2, "filter metacharacters in an account name match nothing", (rc, out))
rc, doc, err = run_json([spncheck, "query", "HTTP/BULK000*", "--json"])
ok(rc == 0 and doc and [a["sam"] for a in doc["accounts"]] == ["svc_bulk"],
   "query with a trailing wildcard, case-insensitive", (rc, err, doc))
rc, out, err = run([spncheck, "query", "http/nosuch*"])
ok(rc == 1 and "No such SPN found" in out, "query without a match exits 1",
   (rc, out))
rc, out, err = run([spncheck, "query", "*/fs1*"])
ok(rc == 2 and "*/fs1*" in err, "a leading wildcard is refused", (rc, err))

# bad input and failures: exit 2 or 3, one clear line
rc, out, err = run([spncheck, "nosuchcheck"])
ok(rc == 2 and "nosuchcheck" in err, "unknown check: exit 2", (rc, err))
rc, out, err = run([spncheck])
ok(rc == 2, "no command: exit 2", (rc, err))
rc, out, err = run([spncheck, "dup", "--page-size", "0"])
ok(rc == 2 and "page-size" in err, "bad page size: exit 2", (rc, err))
rc, out, err = run([spncheck, "dup", "-H", "http://dc1"])
ok(rc == 2 and "http://dc1" in err, "bad URI: exit 2 naming it", (rc, err))
rc, out, err = run([spncheck, "dup", "-d", "nosuch.test"])
ok(rc == 3 and "nosuch.test" in err and out == "",
   "unknown domain: exit 3, no report", (rc, out, err))
rc, out, err = run([spncheck, "dup", "-H", "ldap://127.0.0.1:1"])
ok(rc == 3 and out == "" and "127.0.0.1:1" in err,
   "unreachable server: exit 3, no report", (rc, out, err))
rc, out, err = run([spncheck, "dup"], env={"KRB5CCNAME": "FILE:/nonexistent/cc"})
ok(rc == 3 and out == "" and "kinit" in err, "no credentials: exit 3, says kinit",
   (rc, out, err))

# a keytab for unattended jobs: no ccache at all is needed
with tempfile.TemporaryDirectory() as tmp:
    kt = os.path.join(tmp, "job.keytab")
    p = subprocess.run(["samba-tool", "domain", "exportkeytab", kt,
                        "--principal=svc_web@CORP.TEST", "-s",
                        os.environ["SPNKIT_LAB_DIR"] + "/etc/smb.conf"],
                       capture_output=True, text=True)
    ok(p.returncode == 0, "exported a keytab for svc_web", p.stderr)
    os.chmod(kt, 0o600)
    unused_cc = os.path.join(tmp, "unused.cc")
    rc, doc, err = run_json([spncheck, "dup", "--json", "-k", kt,
                             "-p", "svc_web@CORP.TEST"],
                            env={"KRB5CCNAME": "FILE:" + unused_cc})
    ok(rc == 1 and doc and dups_of(doc) == SEEDED_DUPS,
       "-k KEYTAB binds without any ccache", (rc, err))
    ok(not os.path.exists(unused_cc),
       "the keytab run neither read nor wrote the default ccache")
    os.chmod(kt, 0o644)
    rc, out, err = run([spncheck, "dup", "-k", kt, "-p", "svc_web@CORP.TEST"],
                       env={"KRB5CCNAME": "FILE:/nonexistent/cc"})
    ok("can be read" in err and rc == 1, "a keytab readable by others is warned about",
       (rc, err))
    rc, out, err = run([spncheck, "dup", "-k", os.path.join(tmp, "missing.kt")])
    ok(rc == 3 and "missing.kt" in err, "a missing keytab: exit 3 naming it",
       (rc, err))

done()
