#!/usr/bin/env python3
"""bench.py - run spnkit and its peers side by side; called by bench/run.sh.

Each benchmark runs every tool once untimed (warm caches, and the answers
are compared), then REPS rounds in which the tools alternate (the order is
reversed every other round). A run's wall time comes from a monotonic clock
around fork/exec/wait4, its CPU time from wait4's rusage (a shell
pipeline's CPU is the sum of its processes), its peak RSS from /usr/bin/time
(a pipeline's: its largest process's). Medians are printed with min-max, then the ratios and the goals.
In the offline benchmark every run, of every tool, starts with the LDIF
file read once untimed, so that each reads it from the page cache.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
BUILD = os.environ.get("BENCH_BUILD", "/tmp/build-bench")
DATA = os.environ.get("BENCH_DATA", "/var/tmp/spnkit-bench")
REPS = int(os.environ.get("BENCH_REPS", "5"))
SPNCHECK = os.path.join(BUILD, "tools", "spncheck")
KRBPROBE = os.path.join(BUILD, "tools", "krbprobe")
FLOOR = os.path.join(BUILD, "bench", "floor")
GETUSERSPNS = "/usr/share/doc/python3-impacket/examples/GetUserSPNs.py"

BENCH_LAB = {"netns": os.environ.get("BENCH_NETNS", "spnbench"),
             "dir": os.environ.get("BENCH_LAB_DIR", "/var/lib/spnkit-bench")}
# the lab the tests use: docker/lab.sh's own settings
SHARED_LAB = {"netns": os.environ.get("SPNLAB_NETNS", "spnlab"),
              "dir": os.environ.get("SPNKIT_LAB_DIR", "/var/lib/spnkit-lab")}
DC = "dc1.corp.test"
BASEDN = "DC=corp,DC=test"
# What spncheck's account scan asks for (libspn/dir_accounts.c).
SCAN_FILTER = "(|(servicePrincipalName=*)(objectCategory=computer))"
SCAN_ATTRS = ["sAMAccountName", "objectClass",
              "userAccountControl", "dNSHostName", "msDS-AdditionalDnsHostName",
              "servicePrincipalName", "msDS-SupportedEncryptionTypes"]

failures = []    # answers that differ: smoke exits 1 on any
report_lines = []


def out(line=""):
    print(line, flush=True)
    report_lines.append(line)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def read_through(path):
    """Read a file once, so that its pages are in the page cache."""
    buf = bytearray(1 << 20)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass


class Tool:
    def __init__(self, name, argv, env=None, stdout=None, shell_text=None,
                 warm=None):
        self.name = name
        self.argv = argv
        self.env = env
        self.warm = warm or []
        self.stdout = stdout or os.path.join(DATA, "out", re.sub(r"\W+", "_", name) + ".out")
        self.shell_text = shell_text or " ".join(quote(a) for a in argv)
        self.runs = []

    def run(self):
        """One run: (wall s, user s, sys s, max RSS KiB, exit code).

        The peak RSS comes from /usr/bin/time (%M), which runs the tool: a
        process keeps the peak RSS of what it was before exec, and for a
        child of this script that would be Python's."""
        env = dict(os.environ)
        env.update(self.env or {})
        rss_file = self.stdout + ".rss"
        argv = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + self.argv
        # untimed: the input starts in the page cache on every run (this
        # VM's proactive reclaim drops cached file pages within seconds)
        for path in self.warm:
            read_through(path)
        with open(self.stdout, "wb") as f, open(self.stdout + ".err", "wb") as e:
            t0 = time.monotonic()
            p = subprocess.Popen(argv, stdout=f, stderr=e, env=env,
                                 stdin=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.monotonic() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
        with open(rss_file) as r:
            rss = int(r.read().split()[-1])
        return wall, ru.ru_utime, ru.ru_stime, rss, p.returncode

    def timed(self):
        r = self.run()
        self.runs.append(r)
        return r

    def med(self, i):
        return statistics.median(r[i] for r in self.runs)

    @property
    def wall(self):
        return self.med(0)

    @property
    def cpu(self):
        return statistics.median(r[1] + r[2] for r in self.runs)

    @property
    def rss(self):
        return self.med(3)


def quote(s):
    if re.fullmatch(r"[\w@%+=:,./-]+", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def alternate(tools, reps):
    """Warm-up run of each tool, then reps alternating rounds."""
    for t in tools:
        t.run()
    for rep in range(reps):
        order = tools if rep % 2 == 0 else list(reversed(tools))
        for t in order:
            t.timed()


def table(tools, per=None):
    out("| tool | wall median (min-max) | CPU user+sys | max RSS |" +
        (f" CPU per {per[0]} |" if per else ""))
    out("|---|---|---|---|" + ("---|" if per else ""))
    for t in tools:
        walls = [r[0] for r in t.runs]
        line = (f"| {t.name} | {t.wall:.3f} s ({min(walls):.3f}-{max(walls):.3f}) | "
                f"{t.cpu:.3f} s | {t.rss / 1024:.1f} MiB |")
        if per:
            line += f" {t.cpu / per[1] * 1e3:.3f} ms |"
        out(line)
    out()
    out("Commands:")
    out()
    for t in tools:
        out(f"    {t.name}: {t.shell_text}")
    out()


def goal(text, value, ok):
    out(f"- {text}: {value} -> {'met' if ok else 'NOT met'}")


def check_answer(what, ours, theirs):
    if ours == theirs:
        out(f"- answer: {what}: identical ({len(ours)})")
        return
    only_ours = sorted(ours - theirs)[:5]
    only_theirs = sorted(theirs - ours)[:5]
    msg = (f"{what}: spnkit {len(ours)}, peer {len(theirs)}; only spnkit: "
           f"{only_ours}; only peer: {only_theirs}")
    out(f"- answer: DIFFERENT: {msg}")
    failures.append(msg)


def run_json(tool):
    """Run a `spncheck --json` tool once and return its document; when it
    wrote none, stop with one line: the command, its exit code and the last
    line it wrote on stderr."""
    code = tool.run()[4]
    try:
        with open(tool.stdout) as f:
            return json.load(f)
    except ValueError:
        with open(tool.stdout + ".err", errors="replace") as e:
            said = e.read().strip().splitlines()
        sys.exit(f"bench: {tool.shell_text}: exit {code} and no JSON: "
                 f"{said[-1] if said else 'nothing on stderr'}")


def dup_keys(doc):
    return {f["spn"].lower() for f in doc["findings"] if f["check"] == "dup"}


# ------------------------------------------------------------------ offline

def ldif_file(n_spns):
    path = os.path.join(DATA, f"offline-{n_spns}.ldif")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(BENCH_DIR, "gen_ldif.py"),
                        "export", "--spns", str(n_spns), path + ".tmp"], check=True)
        os.rename(path + ".tmp", path)
    return path


PIPELINE = "grep '^servicePrincipalName: ' \"$1\" | cut -d' ' -f2- | sort -f | uniq -di"


def offline(sizes, reps, lab):
    # Inside a lab's namespace: `all` resolves ghost SPN hosts (check_orphan),
    # and there the resolver is the lab DC, on 127.0.0.1.
    pre = ["ip", "netns", "exec", lab["netns"]]
    for n in sizes:
        path = ldif_file(n)
        size_mb = os.path.getsize(path) / 1e6
        out(f"### Offline: {n:,} SPNs ({size_mb:.0f} MB LDIF), {reps} rounds, "
            f"in namespace {lab['netns']}, load {loadavg()}")
        out()
        dup = Tool("spncheck dup --ldif", pre + [SPNCHECK, "dup", "--ldif", path],
                   shell_text=f"spncheck dup --ldif {path}", warm=[path])
        allc = Tool("spncheck all --ldif", pre + [SPNCHECK, "all", "--ldif", path],
                    shell_text=f"spncheck all --ldif {path}", warm=[path])
        pipe = Tool("grep|cut|sort -f|uniq -di",
                    pre + ["sh", "-c", PIPELINE, "sh", path], env={"LC_ALL": "C"},
                    shell_text="LC_ALL=C sh -c \"grep '^servicePrincipalName: ' FILE"
                               " | cut -d' ' -f2- | sort -f | uniq -di\"",
                    warm=[path])
        # not a peer: the least `all` must do (bench/floor.c), for scale
        floor = Tool("floor (read + hash, no checks)", pre + [FLOOR, path],
                     shell_text=f"bench/floor {path}", warm=[path])
        tools = [dup, pipe, allc, floor]
        alternate(tools, reps)
        table(tools)
        # the answer: the pipeline's duplicate set against spncheck's
        js = Tool("json", pre + [SPNCHECK, "dup", "--json", "--ldif", path])
        doc = run_json(js)
        with open(pipe.stdout) as f:
            theirs = {line.rstrip("\n").lower() for line in f if line.strip()}
        check_answer("duplicate SPNs", dup_keys(doc), theirs)
        limit = 64 * 2**20 + 80 * n
        rss = dup.rss * 1024
        goal("spncheck dup >= 5x faster than the pipeline (wall)",
             f"{pipe.wall / dup.wall:.2f}x (CPU {pipe.cpu / dup.cpu:.2f}x)",
             pipe.wall / dup.wall >= 5)
        goal("peak RSS <= 64 MiB + 80 B/SPN",
             f"{rss / 2**20:.1f} MiB of {limit / 2**20:.1f} MiB allowed; "
             f"{rss / n:.1f} B per SPN", rss <= limit)
        goal("spncheck all within 2x of dup (wall)",
             f"{allc.wall / dup.wall:.2f}x", allc.wall / dup.wall <= 2)
        # the floor ran every time and read every SPN
        codes = {r[4] for r in floor.runs}
        with open(floor.stdout) as f:
            said = f.read().split()
        if codes != {0} or not said or said[0] != str(n):
            msg = (f"{floor.shell_text}: exit codes {sorted(codes)}, read "
                   f"{said[0] if said else 'no'} SPNs of {n}")
            out(f"- floor: FAILED: {msg}")
            failures.append(msg)
        out(f"- floor (no checks, no findings, no report) / dup: "
            f"{floor.wall / dup.wall:.2f}x; all / floor: "
            f"{allc.wall / floor.wall:.2f}x")
        out()


# ------------------------------------------------------------------ live

def lab_prefix(lab):
    return ["ip", "netns", "exec", lab["netns"], "env",
            f"KRB5CCNAME=FILE:{lab['dir']}/admin.ccache"]


def ldap_dump_dups(path):
    """Duplicate keys in an ldapsearch dump: one dn, several holders."""
    holders = {}
    dn = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("dn: "):
                dn = line[4:].rstrip("\n")
            elif line.lower().startswith("serviceprincipalname: "):
                key = line.split(": ", 1)[1].rstrip("\n").lower()
                holders.setdefault(key, set()).add(dn)
    return {k for k, v in holders.items() if len(v) > 1}


def live(lab, reps, with_impacket=True):
    pre = lab_prefix(lab)
    out(f"### Live: {lab['netns']} lab ({lab['dir']}), {reps} rounds, load {loadavg()}")
    out()
    spn = Tool("spncheck dup", pre + [SPNCHECK, "dup"],
               shell_text="spncheck dup")
    lsargs = ["ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-Q", "-N", "-Y", "GSSAPI",
              "-H", f"ldap://{DC}", "-E", "pr=1000/noprompt", "-b", BASEDN,
              SCAN_FILTER] + SCAN_ATTRS
    lds = Tool("ldapsearch -E pr=1000", pre + lsargs,
               shell_text=" ".join(quote(a) for a in lsargs))
    tools = [spn, lds]
    alternate(tools, reps)
    table(tools)
    js = Tool("json-live", pre + [SPNCHECK, "dup", "--json"])
    doc = run_json(js)
    out(f"- scanned: {doc['stats']['accounts']:,} accounts, {doc['stats']['spns']:,} SPNs")
    check_answer("duplicate SPNs (spncheck vs the ldapsearch dump)",
                 dup_keys(doc), ldap_dump_dups(lds.stdout))
    goal("wall <= 1.1x the ldapsearch dump", f"{spn.wall / lds.wall:.2f}x",
         spn.wall <= 1.1 * lds.wall)
    goal("client CPU <= ldapsearch's", f"{spn.cpu:.3f} s vs {lds.cpu:.3f} s "
         f"({spn.cpu / lds.cpu:.2f}x)", spn.cpu <= lds.cpu)
    if with_impacket:
        imp = Tool("GetUserSPNs -k", ["ip", "netns", "exec", lab["netns"], "env",
                                      f"KRB5CCNAME={lab['dir']}/admin.ccache",
                                      "/usr/bin/python3", GETUSERSPNS, "-k", "-no-pass",
                                      "-dc-ip", "127.0.0.1", "corp.test/Administrator"],
                   shell_text="/usr/bin/python3 GetUserSPNs.py -k -no-pass -dc-ip "
                              "127.0.0.1 corp.test/Administrator")
        r = imp.run()
        with open(imp.stdout + ".err", errors="replace") as f:
            err = [l.strip() for l in f if l.strip()]
        with open(imp.stdout, errors="replace") as f:
            err += [l.strip() for l in f if l.strip().startswith("[-]")]
        if r[4] != 0 or err:
            out(f"- GetUserSPNs (python3-impacket): cannot run against this DC "
                f"(exit {r[4]}): {err[-1] if err else '?'}")
        else:
            imp.runs.append(r)
            for _ in range(reps - 1):
                imp.timed()
            out(f"- GetUserSPNs: wall {imp.wall:.3f} s, CPU {imp.cpu:.3f} s; "
                f"spncheck is {imp.wall / spn.wall:.2f}x faster")
    out()


# ------------------------------------------------------------------ probe

def probe_spns(lab, limit=None):
    """The seeded lab's SPNs (not the bench users': they have no keys)."""
    spns = []
    for base in (f"OU=Service Accounts,{BASEDN}", f"OU=Servers,{BASEDN}",
                 f"CN=Computers,{BASEDN}"):
        r = subprocess.run(lab_prefix(lab) + [
            "ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-Q", "-N", "-Y", "GSSAPI",
            "-H", f"ldap://{DC}", "-b", base, "(servicePrincipalName=*)",
            "servicePrincipalName"], capture_output=True, text=True, check=True)
        spns += [l.split(": ", 1)[1] for l in r.stdout.splitlines()
                 if l.startswith("servicePrincipalName: ")]
    spns = sorted(set(spns))
    if limit:
        spns = spns[:limit]
    return spns


def kvno_verdicts(path, spns):
    """SPNs that got a ticket, from kvno's output (one line per SPN)."""
    ok = set()
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"(.*)@[A-Z.]+: kvno = \d+", line)
            if m:
                ok.add(m.group(1).lower())
    return ok


def probe(lab, reps, limit=None, jobs=(2, 4)):
    spns = probe_spns(lab, limit)
    n = len(spns)
    os.makedirs(os.path.join(DATA, "out"), exist_ok=True)
    spn_file = os.path.join(DATA, "out", "probe-spns.txt")
    with open(spn_file, "w") as f:
        f.write("\n".join(spns) + "\n")
    # a private copy of the lab's ccache: nothing is stored in the lab's own
    ccache = os.path.join(DATA, "out", f"probe-{lab['netns']}.ccache")
    subprocess.run(["cp", f"{lab['dir']}/admin.ccache", ccache], check=True)
    pre = ["ip", "netns", "exec", lab["netns"], "env", f"KRB5CCNAME=FILE:{ccache}"]
    out(f"### Probe: {n:,} SPNs of the {lab['netns']} lab, {reps} rounds, load {loadavg()}")
    out()
    kvno = Tool("kvno --no-store", pre + ["kvno", "--no-store"] + spns,
                shell_text="kvno --no-store SPN... (all SPNs, one process)")
    half = n // 2
    kvno2 = Tool("2 x kvno --no-store", pre + [
        "sh", "-c", f'kvno --no-store $(sed -n 1,{half}p "$1") & '
                    f'kvno --no-store $(sed -n {half + 1},\\$p "$1"); wait', "sh", spn_file],
        shell_text="two kvno --no-store processes in parallel, half the SPNs each")
    probes = [Tool(f"krbprobe -j {j}", pre + [KRBPROBE, "--no-ldap", "--try-ip-spn", "--json",
                                              "-j", str(j), "-f", spn_file],
                   shell_text=f"krbprobe --no-ldap --try-ip-spn --json -j {j} -f SPNFILE") for j in jobs]
    seq = Tool("krbprobe -j 1", pre + [KRBPROBE, "--no-ldap", "--try-ip-spn", "--json",
                                       "-f", spn_file],
               shell_text="krbprobe --no-ldap --try-ip-spn --json -f SPNFILE")
    tools = [kvno, seq] + probes + [kvno2]
    alternate(tools, reps)
    table(tools, per=("probe", n))
    theirs = kvno_verdicts(kvno.stdout, spns)
    for t in [seq] + probes:
        with open(t.stdout) as f:
            doc = json.load(f)
        ours = {r["spn"].lower() for r in doc["results"] if r["verdict"] == "kerberos"}
        check_answer(f"SPNs with a ticket ({t.name} vs kvno)", ours, theirs)
    best = min(probes, key=lambda t: t.wall)
    goal(f"{best.name} >= 1.8x sequential kvno --no-store (wall)",
         f"{kvno.wall / best.wall:.2f}x (the KDC's ceiling measured in the same "
         f"run, 2 x kvno: {kvno.wall / kvno2.wall:.2f}x; {best.name} reaches "
         f"{kvno2.wall / best.wall:.2f}x of that ceiling)", kvno.wall / best.wall >= 1.8)
    goal("client CPU per probe <= kvno's",
         f"{best.cpu / n * 1e3:.3f} ms vs {kvno.cpu / n * 1e3:.3f} ms",
         best.cpu <= kvno.cpu)
    out()


# ------------------------------------------------------------------ main

def save(name):
    path = os.path.join(DATA, f"results-{name}-{time.strftime('%Y%m%dT%H%M%S')}.md")
    with open(path, "w") as f:
        f.write("\n".join(report_lines) + "\n")
    print(f"[bench] results written to {path}", file=sys.stderr)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    os.makedirs(os.path.join(DATA, "out"), exist_ok=True)
    out(f"## bench {cmd} ({time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs, "
        f"build {BUILD})")
    out()
    if cmd == "offline":
        sizes = [int(a) for a in sys.argv[2:]] or [1000000, 4000000]
        offline(sizes, REPS, BENCH_LAB)
    elif cmd == "live":
        live(BENCH_LAB, REPS)
    elif cmd == "probe":
        probe(BENCH_LAB, REPS)
    elif cmd == "smoke":
        offline([20000], 1, SHARED_LAB)
        live(SHARED_LAB, 1, with_impacket=False)
        probe(SHARED_LAB, 1, limit=200, jobs=(2,))
    else:
        sys.exit("usage: bench.py offline [SPNS...] | live | probe | smoke")
    save(cmd)
    if failures:
        print(f"[bench] {len(failures)} answer(s) differ from the peer's:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
