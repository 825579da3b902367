#!/usr/bin/env bash
# test_krbprobe.sh - krbprobe against the lab's Samba AD DC: one target (at
# least) for every reason the lab can produce, exit codes, input order with
# workers, hostile input. Runs inside the lab (docker/lab.sh run) with an
# Administrator ticket in KRB5CCNAME; prints TAP.
#   bash docker/lab.sh run bash tests/lab/test_krbprobe.sh BUILD/tools/krbprobe
set -uo pipefail

K=${1:?usage: test_krbprobe.sh PATH-TO-KRBPROBE}
PY=${PYTHON:-python3}
TMP=$(mktemp -d /tmp/test_krbprobe.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# ok, expect_rc, expect and the counters
source "$(dirname "$0")/probe_tap.sh"

# run [ENV=VALUE...] -- ARGS...: krbprobe with ARGS; sets RC, OUT (file), ERR (file)
run() {
    local envs=()
    while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    OUT=$TMP/out.$count
    ERR=$TMP/err.$count
    env "${envs[@]}" "$K" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# ---------------------------------------------------------------- healthy

run -- --json cifs/fs1.corp.test fs1 '\\fs1.corp.test\share' https://web01.corp.test/
expect_rc 0 "healthy targets"
expect 0 "SPN cifs/fs1.corp.test gets a ticket" target=cifs/fs1.corp.test \
    spn=cifs/fs1.corp.test realm=CORP.TEST verdict=kerberos reason=ok "etype~-"
expect 1 "short name fs1 is requested as typed (cifs/fs1), FQDN noted" \
    spn=cifs/fs1 verdict=kerberos reason=ok "detail~fs1.corp.test" "detail~short name"
expect 2 "UNC path \\\\fs1.corp.test\\share -> cifs/fs1.corp.test" \
    'target=\\fs1.corp.test\share' spn=cifs/fs1.corp.test verdict=kerberos reason=ok
expect 3 "URL https://web01.corp.test/ -> HTTP/web01.corp.test" \
    spn=HTTP/web01.corp.test verdict=kerberos reason=ok

run -- --json -s MSSQLSvc sql1.corp.test:1433
expect_rc 0 "host:port"
expect 0 "host:port with --service MSSQLSvc" \
    spn=MSSQLSvc/sql1.corp.test:1433 verdict=kerberos reason=ok

run -- fs1 cifs/fs1.corp.test
expect_rc 0 "text output, all Kerberos"
grep -qx 'fs1 -> cifs/fs1: kerberos (ok, [a-z0-9-]*)' "$OUT"
ok $? "text: one line a target (target, SPN, verdict, reason)" "$(cat "$OUT")"
[[ $(tail -n 1 "$OUT") == "2 targets: 2 kerberos, 0 ntlm, 0 error" ]]
ok $? "text: summary line" "$(cat "$OUT")"

# ---------------------------------------------------------------- fallbacks

run -- --json cifs/nosuch.corp.test http/app.corp.test MSSQLSvc/sqlclu.corp.test:1433 \
    cifs/fs2.corp.test http/desapp.corp.test
expect_rc 1 "targets that fall back to NTLM"
expect 0 "missing SPN -> spn-not-found" spn=cifs/nosuch.corp.test verdict=ntlm \
    reason=spn-not-found etype=null "detail~Server not found in Kerberos database"
expect 1 "duplicate http/app.corp.test -> duplicate-spn naming svc_app1 and svc_app2" \
    verdict=ntlm reason=duplicate-spn "detail~svc_app1, svc_app2"
expect 2 "three holders of MSSQLSvc/sqlclu.corp.test:1433" reason=duplicate-spn \
    "detail~3 accounts hold this SPN: svc_sqla, svc_sqlb, svc_sqlc"
expect 3 "cifs/fs2.corp.test on FS2\$ and svc_backup" reason=duplicate-spn \
    'detail~FS2$, svc_backup'
expect 4 "DES-only account -> etype-unsupported" verdict=ntlm reason=etype-unsupported \
    "detail~KDC has no support for encryption type"

run -- --json 127.0.0.61 '\\127.0.0.61\share'
expect_rc 1 "IP targets"
expect 0 "IP address -> ntlm ip-target, nothing requested" verdict=ntlm reason=ip-target \
    spn=null realm=null "detail~cifs/127.0.0.61"
expect 1 "UNC path to an IP address -> ip-target" reason=ip-target

run -- --json --try-ip-spn 127.0.0.61
expect_rc 0 "--try-ip-spn"
expect 0 "--try-ip-spn requests cifs/127.0.0.61 (FS3 holds it)" spn=cifs/127.0.0.61 \
    verdict=kerberos reason=ok "detail~TryIPSPN"

run -- --json --etypes aes http/rc4app.corp.test http/aesapp.corp.test
expect_rc 1 "--etypes aes"
expect 0 "AES only against the RC4-only account -> etype-unsupported" \
    spn=http/rc4app.corp.test verdict=ntlm reason=etype-unsupported etype=null \
    "detail~only AES offered"
expect 1 "AES only against the AES account -> ok, aes256" verdict=kerberos reason=ok \
    etype=aes256-cts-hmac-sha1-96

run -- --json http/rc4app.corp.test
expect 0 "RC4-only account with the default enctypes: an RC4 ticket, reported" \
    verdict=kerberos reason=ok etype=arcfour-hmac

run -- --json files.corp.test https://portal/
expect 0 "CNAME files.corp.test requested as typed (SMB) -> spn-not-found" \
    spn=cifs/files.corp.test reason=spn-not-found "detail~alias of fs1.corp.test"
expect 1 "short URL host requested as typed" spn=HTTP/portal

run -- --json --canonicalize files.corp.test https://portal/
expect_rc 0 "--canonicalize"
expect 0 "--canonicalize follows the CNAME -> cifs/fs1.corp.test" spn=cifs/fs1.corp.test \
    verdict=kerberos reason=ok "detail~canonicalized"
expect 1 "--canonicalize: https://portal/ -> HTTP/web01.corp.test" spn=HTTP/web01.corp.test \
    reason=ok

run -- --json --no-ldap cifs/nosuch.corp.test
expect_rc 1 "--no-ldap"
expect 0 "--no-ldap: spn-unknown-to-kdc, directory not asked" verdict=ntlm \
    reason=spn-unknown-to-kdc "detail~--no-ldap"

run -- --json -H ldap://127.0.0.1:1 cifs/nosuch.corp.test
expect 0 "directory unreachable: spn-unknown-to-kdc, with why" reason=spn-unknown-to-kdc \
    "detail~could not be asked"

run -- --json --realm NOPE.TEST cifs/fs1.corp.test
expect_rc 1 "--realm NOPE.TEST"
expect 0 "a realm without a path -> wrong-realm" realm=NOPE.TEST verdict=ntlm \
    reason=wrong-realm "detail~Server not found"

# ---------------------------------------------------------------- errors

cat >"$TMP/krb5-kdc-down.conf" <<EOF
[libdefaults]
	default_realm = CORP.TEST
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
[realms]
	CORP.TEST = {
		kdc = 127.0.0.1:1
	}
EOF
run KRB5_CONFIG="$TMP/krb5-kdc-down.conf" -- --json cifs/fs1.corp.test cifs/nosuch.corp.test
expect_rc 3 "KDC down (realm pointed at a closed port)"
expect 0 "KDC down -> error kdc-unreachable, libkrb5's words" verdict=error \
    reason=kdc-unreachable "detail~Cannot contact any KDC"
expect 1 "KDC down: second target too" reason=kdc-unreachable

run KRB5CCNAME=FILE:"$TMP/no-such-ccache" -- --json cifs/fs1.corp.test
expect_rc 3 "no credentials cache"
expect 0 "no ccache -> error no-credentials" verdict=error reason=no-credentials \
    "detail~No credentials cache found"

run KRB5CCNAME=FILE:"$TMP/no-such-ccache" -- --json cifs/fs1.corp.test 127.0.0.61
expect_rc 1 "no credentials, but an IP target decided by the rules"

printf '[libdefaults\nbroken\n' >"$TMP/krb5-broken.conf"
run KRB5_CONFIG="$TMP/krb5-broken.conf" -- --json cifs/fs1.corp.test
expect_rc 3 "unreadable Kerberos configuration"
expect 0 "broken krb5.conf -> error (error)" verdict=error reason=error \
    "detail~configuration"

if command -v faketime >/dev/null; then
    OUT=$TMP/out.skew ERR=$TMP/err.skew
    faketime '+1 hour' "$K" --json cifs/fs1.corp.test >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 3 "clock an hour ahead"
    expect 0 "clock an hour ahead -> error clock-skew" verdict=error reason=clock-skew \
        "detail~Clock skew too great"
    OUT=$TMP/out.expired ERR=$TMP/err.expired
    faketime '+3 days' "$K" --json cifs/fs1.corp.test >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 3 "clock past the TGT's end"
    expect 0 "TGT expired -> error ticket-expired" verdict=error reason=ticket-expired \
        "detail~expired"
else
    ok 1 "clock-skew and ticket-expired" "faketime is not installed"
fi

# credentials from a keytab (-k -p), the default ccache unusable: every
# seeded account's password is "<service.pass>.<sAMAccountName>"
if [[ -r ${SPNLAB_SERVICE_PASSWORD_FILE:-} ]]; then
    printf 'addent -password -p svc_web@CORP.TEST -k 1 -e aes256-cts-hmac-sha1-96\n%s\nwkt %s\n' \
        "$(cat "$SPNLAB_SERVICE_PASSWORD_FILE").svc_web" "$TMP/svc_web.keytab" | ktutil >/dev/null
    printf 'addent -password -p svc_web@CORP.TEST -k 1 -e aes256-cts-hmac-sha1-96\n%s\nwkt %s\n' \
        "not-the-password" "$TMP/wrong.keytab" | ktutil >/dev/null
    chmod 600 "$TMP"/*.keytab
    run KRB5CCNAME=FILE:"$TMP/no-such-ccache" -- --json -j 2 -k "$TMP/svc_web.keytab" \
        -p svc_web@CORP.TEST cifs/fs1.corp.test http/app.corp.test
    expect_rc 1 "-k KEYTAB -p PRINCIPAL"
    expect 0 "-k: a ticket with the keytab's credentials" reason=ok
    expect 1 "-k: the directory is asked with them too" reason=duplicate-spn
    run KRB5CCNAME=FILE:"$TMP/no-such-ccache" -- --json -k "$TMP/wrong.keytab" \
        -p svc_web@CORP.TEST cifs/fs1.corp.test
    expect_rc 3 "-k with a wrong key"
    expect 0 "-k with a wrong key -> no-credentials" verdict=error reason=no-credentials \
        "detail~Preauthentication failed"
else
    ok 1 "-k KEYTAB" "no lab service password file"
fi

# ---------------------------------------------------------------- bad input

run -- $'bad\x1b[31m'
expect_rc 2 "target with an escape sequence"
! grep -q $'\x1b' "$ERR" && grep -q 'bad\\x1b\[31m' "$ERR"
ok $? "the escape sequence is shown as \\x1b, never raw" "$(cat -v "$ERR")"

run -- sql1.corp.test:1433
expect_rc 2 "host:port without --service"
grep -q -- '--service' "$ERR"
ok $? "host:port: the error says --service is needed" "$(cat "$ERR")"

run -- cifs/fs1.corp.test 'a..b' 'ftp://x/'
expect_rc 2 "one bad target among good ones: nothing is probed"
[[ ! -s $OUT && $(wc -l <"$ERR") == 2 ]]
ok $? "each bad target reported, one line each, no results" "$(cat "$ERR")"

printf 'cifs/fs1.corp.test\nfs1\0x\n' >"$TMP/nul.txt"
run -- -f "$TMP/nul.txt"
expect_rc 2 "-f FILE with a NUL byte"

run -- --jobs 0 fs1
expect_rc 2 "--jobs 0"
run -- --etypes rc4 fs1
expect_rc 2 "--etypes rc4"
run -- --rate 0 fs1
expect_rc 2 "--rate 0"
run -- --no-such-option fs1
expect_rc 2 "unknown option"
run -- -f "$TMP/nul.txt" fs1
expect_rc 2 "-f FILE and TARGET arguments together"

printf '# a comment\r\n\r\n  cifs/fs1.corp.test  \r\n\tfs1\n127.0.0.61' >"$TMP/list.txt"
run -- --json -f "$TMP/list.txt"
expect_rc 1 "-f FILE with comments, blank lines, CRLF, spaces, no final newline"
expect 0 "-f: first target trimmed" target=cifs/fs1.corp.test reason=ok
expect 1 "-f: second target trimmed" target=fs1 spn=cifs/fs1 reason=ok
expect 2 "-f: last line without a newline" target=127.0.0.61 reason=ip-target

# ---------------------------------------------------------------- many targets

seq -f 'http/bulk%04g.corp.test' 1 1600 >"$TMP/bulk.txt"
before=$(klist 2>/dev/null | grep -c '@')
run -- --json -j 4 -f "$TMP/bulk.txt"
expect_rc 0 "-j 4 over the 1600 http/bulkNNNN SPNs"
"$PY" - "$OUT" "$TMP/bulk.txt" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().split()
got = [r["target"] for r in doc["results"]]
assert got == want, "not in input order"
bad = [r for r in doc["results"] if (r["verdict"], r["reason"]) != ("kerberos", "ok")]
assert not bad, bad[:3]
EOF
ok $? "-j 4: 1600 results, all kerberos, in input order"
after=$(klist 2>/dev/null | grep -c '@')
[[ $before == "$after" ]]
ok $? "the credentials cache did not grow ($before lines before, $after after)"

head -n 11 "$TMP/bulk.txt" >"$TMP/eleven.txt"
start=${EPOCHREALTIME/./}
run -- -j 4 --rate 20 -f "$TMP/eleven.txt"
elapsed_ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
expect_rc 0 "--rate 20 over 11 targets"
(( elapsed_ms >= 450 ))
ok $? "--rate 20: 11 requests take at least 0.5 s (took ${elapsed_ms} ms)"

echo "1..$count"
(( failed == 0 ))
