"""test_faults.py - spncheck when the directory, the KDC, the clock or the
network fails. Every fault must end with exit 3, one line on stderr that
names what failed, and nothing on stdout: never a partial report that looks
complete, never "no findings".

Run inside the lab (docker/lab.sh run python3 test_faults.py SPNCHECK
LAB_SH) with an Administrator ticket, alone: it stops and starts the DC
(meson suite lab-faults, --num-processes 1). The DC is started again at the
end even when a check fails."""
import os
import socket
import subprocess
import sys
import tempfile
import threading

from garbage_ldap import GarbageServer, SealedProxy
from labtest import ok, run, wrapped, done

spncheck = sys.argv[1]
lab_sh = sys.argv[2]
tmp = tempfile.mkdtemp(prefix="spnkit-faults-")
admin_pass = os.environ["SPNLAB_ADMIN_PASSWORD_FILE"]


def lab(cmd):
    p = subprocess.run(["bash", lab_sh, cmd], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"# lab.sh {cmd} failed: {p.stderr.strip()}")
    return p.returncode == 0


def kinit(name, lifetime=None):
    """A private ccache with only a TGT (no cached service ticket can hide
    the fault)."""
    cc = "FILE:" + os.path.join(tmp, name)
    argv = ["kinit", "-c", cc]
    if lifetime:
        argv += ["-l", lifetime]
    with open(admin_pass, "rb") as f:
        p = subprocess.run(argv + ["Administrator@CORP.TEST"], stdin=f,
                           capture_output=True)
    ok(p.returncode == 0, f"kinit into {name}", p.stderr)
    return cc


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fault(what, argv, must=(), env=None, json=False, rc_want=3, res=None):
    """Run spncheck ARGV (+ --json), expect exit 3, nothing on stdout and
    one line on stderr holding every string in must."""
    argv = list(argv) + (["--json"] if json else [])
    rc, out, err = res if res is not None else run(argv, env=env, timeout=200)
    lines = err.strip().splitlines()
    tag = f"{what}{' (--json)' if json else ''}"
    ok(rc == rc_want, f"{tag}: exit {rc_want}", f"rc={rc}\n{err}\n{out[:500]}")
    ok(out == "", f"{tag}: nothing on stdout (no partial report)", out[:2000])
    ok(len(lines) == 1 and lines[0].startswith("spncheck: "),
       f"{tag}: one line on stderr", err)
    ok("no findings" not in (out + err).lower(), f"{tag}: never 'no findings'",
       out + err)
    missing = [m for m in must if m not in err]
    ok(not missing, f"{tag}: the line says {must}", f"missing {missing}: {err}")
    print(f"# {tag}: {err.strip()}")
    return err


def start(argv, env=None):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.Popen(wrapped(argv), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=full)


def finish(proc, timeout=200):
    out, err = proc.communicate(timeout=timeout)
    return (proc.returncode, out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"))


def mid_scan_dc_stop(json):
    """The DC stops between page 2 and page 3 of the account scan: the
    proxy holds the request for page 3 (sealed request 4; 1 is the RootDSE)
    until the DC is down, then passes it on to the dead connection."""
    proxy = SealedProxy("hold", 4)
    try:
        proc = start([spncheck, "dup", "--page-size", "1", "-H",
                      f"ldap://dc1.corp.test:{proxy.port}"] +
                     (["--json"] if json else []))
        held = proxy.held.wait(60)
        ok(held, "the scan reached page 3 and was held there",
           f"requests {proxy.requests} {proxy.errors}")
        stopped = lab("stop-dc")
        ok(stopped, "lab.sh stop-dc while the scan waits")
        proxy.release()
        res = finish(proc)
    finally:
        proxy.close()
    fault("DC stopped between pages", [], json=json, res=res,
          must=("dc1.corp.test", "failed on page 3", "scan is incomplete"))


try:
    # ---- the DC stops in the middle of a paged scan; then it stays down
    mid_scan_dc_stop(json=False)
    # with the DC down (LDAP, KDC and the DNS it serves), from the start
    fault("DC down", [spncheck, "dup"], must=("corp.test",))
    ok(lab("start-dc"), "lab.sh start-dc")
    mid_scan_dc_stop(json=True)
    ok(lab("start-dc"), "lab.sh start-dc")

    # ---- the connection breaks inside the answer to page 4
    proxy = SealedProxy("cut", 5)
    try:
        fault("connection cut inside a page",
              [spncheck, "dup", "--page-size", "1", "-H",
               f"ldap://dc1.corp.test:{proxy.port}"],
              must=("failed on page 4", "scan is incomplete"))
    finally:
        proxy.close()
    # ... and in the DNS part of 'all' (request 50: DNS scan page 9)
    proxy = SealedProxy("cut", 50)
    try:
        fault("connection cut in the DNS scan of 'all'",
              [spncheck, "all", "--page-size", "1", "-H",
               f"ldap://dc1.corp.test:{proxy.port}"], json=True,
              must=("DNS scan", "failed on page", "scan is incomplete"))
    finally:
        proxy.close()

    # ---- the KDC cannot be reached (the DC's LDAP can)
    krb5_conf = os.path.join(tmp, "krb5-kdc-down.conf")
    with open(krb5_conf, "w") as f:
        f.write("[libdefaults]\n\tdefault_realm = CORP.TEST\n"
                "\tdns_lookup_kdc = false\n\trdns = false\n"
                "\tdns_canonicalize_hostname = false\n"
                "[realms]\n\tCORP.TEST = {\n\t\tkdc = 127.0.0.1:1\n\t}\n")
    tgt = kinit("tgt-kdc-down")
    for js in (False, True):
        fault("KDC unreachable", [spncheck, "dup", "-H", "ldap://dc1.corp.test"],
              env={"KRB5CCNAME": tgt, "KRB5_CONFIG": krb5_conf}, json=js,
              must=("ldap://dc1.corp.test",
                    "Cannot contact any KDC for realm 'CORP.TEST'"))

    # ---- LDAP cannot be reached (nothing listens on the port)
    port = closed_port()
    fault("LDAP unreachable", [spncheck, "dup", "-H",
                               f"ldap://dc1.corp.test:{port}"],
          must=(f"ldap://dc1.corp.test:{port}", "Can't contact LDAP server"))

    # ---- an expired ticket: a 1-minute TGT, the tool run 5 minutes later
    short = kinit("tgt-1min", lifetime="1m")
    for js in (False, True):
        fault("expired ticket", ["faketime", "-f", "+5m", spncheck, "dup"],
              env={"KRB5CCNAME": short}, json=js,
              must=("expired at", short, "kinit"))

    # ---- no credentials at all
    for js in (False, True):
        fault("no credentials", [spncheck, "dup"],
              env={"KRB5CCNAME": "FILE:" + os.path.join(tmp, "none", "cc")},
              json=js, must=("no Kerberos credentials", "kinit"))
    with open(os.path.join(tmp, "empty.cc"), "wb"):
        pass
    fault("an empty credentials cache", [spncheck, "dup"],
          env={"KRB5CCNAME": "FILE:" + os.path.join(tmp, "empty.cc")},
          must=("empty.cc", "kinit"))

    # ---- a domain nobody serves
    fault("unknown domain", [spncheck, "dup", "-d", "nosuch.test"],
          must=("nosuch.test",))

    # ---- the client's clock an hour ahead of the KDC's (faketime on the
    # tool only): with a fresh TGT the KDC refuses the TGS request
    tgt = kinit("tgt-skew")
    for js in (False, True):
        fault("clock skew", ["faketime", "-f", "+1h", spncheck, "dup"],
              env={"KRB5CCNAME": tgt}, json=js,
              must=("dc1.corp.test", "Clock skew too great"))

    # ---- servers that answer garbage instead of LDAP
    not_ldap = "the answer to the SASL GSSAPI bind was not LDAP"
    for mode, must in (("http", not_ldap), ("truncated", not_ldap),
                       ("garbled", not_ldap), ("noise", not_ldap),
                       ("badsasl", "GSSAPI Error")):
        srv = GarbageServer(mode)
        try:
            for js in (False, True):
                fault(f"LDAP server answering {mode}",
                      [spncheck, "dup", "-H", f"ldap://dc1.corp.test:{srv.port}"],
                      json=js, must=(f"dc1.corp.test:{srv.port}", must))
        finally:
            srv.close()
    # two that never finish answering (a 2 GiB length, silence): the bind
    # gives up after the operation timeout; both at once to save a minute
    slow = {}
    servers = [GarbageServer("huge"), GarbageServer("silent")]
    try:
        procs = [start([spncheck, "dup", "-H", f"ldap://dc1.corp.test:{s.port}"])
                 for s in servers]
        for s, p in zip(servers, procs):
            slow[s.mode] = finish(p, timeout=300)
    finally:
        for s in servers:
            s.close()
    for mode in ("huge", "silent"):
        fault(f"LDAP server answering {mode}", [], res=slow[mode],
              must=("no answer to the SASL GSSAPI bind within",))

    # ---- a paging-cookie error: Samba 4.17 keeps paged-search cookies per
    # connection (10 at most, "MaxResultSetsPerConn") and drops replayed
    # sealed requests, so no outside action makes it refuse our cookie
    # (see the report). What the replay does show: the DC ignores it, and
    # the scan stays complete and correct.
    proxy = SealedProxy("replay", 3, count=12)
    try:
        rc, out, err = run([spncheck, "dup", "--page-size", "1", "-H",
                            f"ldap://dc1.corp.test:{proxy.port}"])
        ok(proxy.fired and rc == 1 and "3 findings (3 errors" in out,
           "replayed sealed page requests change nothing: full report",
           (rc, proxy.requests, proxy.answers, err, out[-300:]))
    finally:
        proxy.close()
finally:
    # whatever happened above, the lab is left running
    if subprocess.run(["bash", lab_sh, "status"],
                      capture_output=True).returncode != 0:
        ok(lab("start-dc"), "the DC is running again at the end")
    subprocess.run(["rm", "-rf", tmp])

done()
