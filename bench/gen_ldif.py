#!/usr/bin/env python3
"""gen_ldif.py - the benchmark's data: synthetic AD exports and bulk-load LDIF.

  gen_ldif.py export --spns N OUT      an LDIF export as `lab.sh ldif` writes
                                       it: accounts (60% computers, 40%
                                       service users, about 5 SPNs each),
                                       a dnsNode (A record) for each host
                                       an SPN names (but for 0.2% of the
                                       service accounts: ghosts), and 1%
                                       of SPN values that duplicate
                                       another account's SPN, half of them
                                       in another letter case.
  gen_ldif.py users --users N OUT      ldapadd input for the live lab: an OU
                                       and N users with 5 unique SPNs each.
  gen_ldif.py dups --users N OUT       ldbmodify input: 1% of those SPNs added
                                       again to another bench user (half in
                                       another case): duplicates the DC would
                                       refuse over LDAP.

The output is deterministic (fixed seed), so runs compare like with like.
Every value is ASCII and every servicePrincipalName line is shorter than 76
characters, so the shell pipeline (grep | cut | sort -f | uniq -di) sees every
SPN on one line, exactly as spncheck does.
"""
import argparse
import base64
import random
import struct
import sys

BASEDN = "DC=corp,DC=test"
DOMAIN = "corp.test"
DUP_RATE = 0.01
GHOST_RATE = 0.002   # service accounts whose hosts have no DNS record
WRAP = 76


def ldif_line(out, name, value):
    """name: value, folded at 76 columns as ldapsearch does (RFC 2849)."""
    line = f"{name}: {value}"
    if len(line) <= WRAP:
        out.append(line)
        return
    out.append(line[:WRAP])
    rest = line[WRAP:]
    while rest:
        out.append(" " + rest[:WRAP - 1])
        rest = rest[WRAP - 1:]


def a_record(ip):
    """A dnsRecord value (MS-DNSP DNS_RPC_RECORD) for an A record, base64."""
    data = bytes(int(x) for x in ip.split("."))
    rec = struct.pack("<HHBBHI", len(data), 1, 5, 0xF0, 0, 1)
    rec += struct.pack(">I", 900) + struct.pack("<II", 0, 0) + data
    return base64.b64encode(rec).decode()


def case_variant(rng, spn):
    """The same SPN in another letter case (AD compares case-insensitively)."""
    choice = rng.randrange(3)
    if choice == 0:
        return spn.upper()
    if choice == 1:
        cls, _, rest = spn.partition("/")
        return cls.upper() + "/" + rest
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(spn))


SITES = ["emea", "amer", "apac", "hq", "lab", "dmz", "eu2", "us3"]
USER_CLASSES = [
    ("http", "web{n}.{d}"), ("http", "web{n}"), ("MSSQLSvc", "sql{n}.{d}:1433"),
    ("MSSQLSvc", "sql{n}.{d}"), ("MSSQLSvc", "sql{n}.{d}:INST{n}"),
    ("exchangeMDB", "mail{n}.{d}"), ("ldap", "app{n}.{d}"),
    ("HTTP", "portal{n}.{d}"), ("FIMService", "fim{n}.{d}"),
]


def export(args):
    rng = random.Random(1234567 + args.spns)
    out_f = open(args.out, "w", encoding="ascii", newline="\n")
    out = []
    out.append(f"# spnkit bench export of CORP.TEST (gen_ldif.py export --spns {args.spns})")
    out.append(f"# bases: {BASEDN}, DC=DomainDnsZones,{BASEDN}")
    out.append("")
    pool = []          # (account, spn) sample of earlier accounts' SPNs
    pending = []       # this account's SPNs, added to pool after it
    n_spns = n_dup = n_acc = 0
    dns_nodes = []
    target = args.spns
    while n_spns < target:
        n_acc += 1
        site = SITES[n_acc % len(SITES)]
        dom = f"{site}.{DOMAIN}"
        computer = rng.random() < 0.6
        if computer:
            name = f"WS{n_acc:07d}"
            host = f"{name.lower()}.{dom}"
            spns = [f"HOST/{name}", f"HOST/{host}", f"RestrictedKrbHost/{name}",
                    f"RestrictedKrbHost/{host}", f"TERMSRV/{host}"]
            dn = f"CN={name},OU=Workstations,OU={site.upper()},{BASEDN}"
        else:
            name = f"svc_{site}_{n_acc:07d}"
            k = rng.randint(1, 9)
            classes = rng.sample(USER_CLASSES, k)
            spns = [f"{c}/" + h.format(n=n_acc, d=dom) for c, h in classes]
            dn = f"CN={name},OU=Service Accounts,OU={site.upper()},{BASEDN}"
            if rng.random() >= GHOST_RATE:   # else a ghost: no DNS record
                hosts = {h.format(n=n_acc, d=dom).split(":")[0].split(".")[0]
                         for _, h in classes}
                dns_nodes.extend((label, dom, n_acc) for label in sorted(hosts))
        spns = spns[:max(0, target - n_spns)] or spns[:1]
        # duplicates: an extra value that copies an earlier account's SPN
        seen = {s.lower() for s in spns}
        for _ in range(len(spns)):
            if pool and n_spns + len(spns) < target and rng.random() < DUP_RATE:
                _, spn = pool[rng.randrange(len(pool))]
                if spn.lower() in seen:
                    continue
                seen.add(spn.lower())
                spns.append(case_variant(rng, spn) if rng.random() < 0.5 else spn)
                n_dup += 1
        ldif_line(out, "dn", dn)
        out.append("objectClass: top")
        out.append("objectClass: person")
        out.append("objectClass: organizationalPerson")
        out.append("objectClass: user")
        if computer:
            out.append("objectClass: computer")
        out.append(f"name: {name}")
        out.append(f"userAccountControl: {4096 if computer else 512}")
        out.append(f"sAMAccountName: {name}$" if computer else f"sAMAccountName: {name}")
        if computer:
            out.append(f"dNSHostName: {host}")
            dns_nodes.append((host.split(".")[0], dom, n_acc))
        # encryption types as joined machines and managed accounts have them:
        # mostly AES, some unset, a few RC4 only
        r = rng.random()
        if computer and r < 0.9:
            out.append("msDS-SupportedEncryptionTypes: 28")
        elif not computer and r < 0.8:
            out.append(f"msDS-SupportedEncryptionTypes: {24 if r < 0.7 else 28}")
        elif not computer and r < 0.81:
            out.append("msDS-SupportedEncryptionTypes: 4")
        for s in spns:
            line = f"servicePrincipalName: {s}"
            assert len(line) < WRAP, line
            out.append(line)
        out.append("")
        n_spns += len(spns)
        for s in pending:
            if len(pool) < 200000:
                pool.append(s)
            else:
                pool[rng.randrange(len(pool))] = s
        pending = [(n_acc, s) for s in spns]
        if len(out) > 50000:
            out_f.write("\n".join(out))
            out_f.write("\n")
            out = []
    for i, (label, dom, _) in enumerate(dns_nodes, 1):
        ip = f"127.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        ldif_line(out, "dn", f"DC={label},DC={dom},CN=MicrosoftDNS,DC=DomainDnsZones,{BASEDN}")
        out.append("objectClass: top")
        out.append("objectClass: dnsNode")
        out.append(f"name: {label}")
        out.append(f"dnsRecord:: {a_record(ip)}")
        out.append("")
        if len(out) > 50000:
            out_f.write("\n".join(out))
            out_f.write("\n")
            out = []
    out_f.write("\n".join(out))
    out_f.write("\n")
    out_f.close()
    print(f"wrote {args.out}: {n_acc} accounts, {n_spns} SPNs ({n_dup} duplicate "
          f"values), {len(dns_nodes)} dnsNodes", file=sys.stderr)


def bench_user(i):
    return f"bench{i:06d}"


def bench_spns(i):
    d = f"bench.{DOMAIN}"
    return [f"http/b{i:06d}.{d}", f"http/b{i:06d}", f"MSSQLSvc/db{i:06d}.{d}:1433",
            f"MSSQLSvc/db{i:06d}.{d}", f"exchangeMDB/mx{i:06d}.{d}"]


OU = f"OU=Bench Accounts,{BASEDN}"


def users(args):
    with open(args.out, "w", encoding="ascii") as f:
        f.write(f"dn: {OU}\nobjectClass: organizationalUnit\n\n")
        for i in range(1, args.users + 1):
            u = bench_user(i)
            f.write(f"dn: CN={u},{OU}\nobjectClass: user\nsAMAccountName: {u}\n")
            for s in bench_spns(i):
                f.write(f"servicePrincipalName: {s}\n")
            f.write("\n")


def dups(args):
    rng = random.Random(7654321 + args.users)
    n = args.users * 5 // 100
    done = set()
    with open(args.out, "w", encoding="ascii") as f:
        while len(done) < n:
            src = rng.randint(1, args.users)
            dst = rng.randint(1, args.users)
            spn = rng.choice(bench_spns(src))
            if dst == src or (dst, spn.lower()) in done:
                continue
            done.add((dst, spn.lower()))
            if rng.random() < 0.5:
                spn = case_variant(rng, spn)
            f.write(f"dn: CN={bench_user(dst)},{OU}\nchangetype: modify\n"
                    f"add: servicePrincipalName\nservicePrincipalName: {spn}\n-\n\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("--spns", type=int, required=True)
    e.add_argument("out")
    for name in ("users", "dups"):
        s = sub.add_parser(name)
        s.add_argument("--users", type=int, required=True)
        s.add_argument("out")
    args = p.parse_args()
    {"export": export, "users": users, "dups": dups}[args.cmd](args)


if __name__ == "__main__":
    main()
