#!/usr/bin/env bash
# test_krbprobe_wine.sh - krbprobe.exe, the mingw-w64 build that asks SSPI,
# run under Wine against the lab's KDC (Wine's Kerberos package calls the
# machine's libkrb5 with KRB5CCNAME and KRB5_CONFIG). Cross-compiles it
# first (a clean build, which must be warning-free), makes a Wine prefix
# when there is none, and compares its answers with the Linux krbprobe's.
# Runs inside the lab (docker/lab.sh run); prints TAP.
#   bash docker/lab.sh run bash tests/lab/test_krbprobe_wine.sh \
#        SOURCE_DIR WIN_BUILD_DIR BUILD/tools/krbprobe
set -uo pipefail

SRC=${1:?usage: test_krbprobe_wine.sh SOURCE_DIR WIN_BUILD_DIR LINUX_KRBPROBE}
WIN=${2:?usage: test_krbprobe_wine.sh SOURCE_DIR WIN_BUILD_DIR LINUX_KRBPROBE}
LINUX_K=${3:?usage: test_krbprobe_wine.sh SOURCE_DIR WIN_BUILD_DIR LINUX_KRBPROBE}
PY=${PYTHON:-python3}
WINE=${WINE64:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-$(dirname "$WINE")/wineserver}
EXE=$WIN/tools/krbprobe.exe
export WINEPREFIX=$WIN/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
PARAMS='HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters'
TMP=$(mktemp -d /tmp/test_krbprobe_wine.XXXXXX)
cleanup() {
    "$WINE" reg delete "$PARAMS" /v TryIPSPN /f >/dev/null 2>&1
    "$WINESERVER" -k >/dev/null 2>&1   # this prefix's wineserver only
    rm -rf "$TMP"
}
trap cleanup EXIT
# ok, expect_rc, expect and the counters
source "$(dirname "$0")/probe_tap.sh"

# Without the build or Wine nothing else can be checked: fail, never skip.
bail() {
    ok 1 "$1" "${@:2}"
    echo "1..$count"
    exit 1
}

ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# ---------------------------------------------------------------- setup

t0=$(ms)
if [[ ! -f $WIN/build.ninja ]]; then
    meson setup "$WIN" "$SRC" --cross-file "$SRC/cross/x86_64-w64-mingw32.ini" \
        >"$TMP/setup.log" 2>&1 || bail "meson setup of the mingw-w64 build" "$(tail -20 "$TMP/setup.log")"
fi
ninja -C "$WIN" -t clean >/dev/null 2>&1
ninja -C "$WIN" >"$TMP/ninja.log" 2>&1 || bail "cross-compile krbprobe.exe" "$(tail -30 "$TMP/ninja.log")"
ok 0 "cross-compiled krbprobe.exe from clean in $(( $(ms) - t0 )) ms"
! grep -q 'warning:' "$TMP/ninja.log"
ok $? "the mingw-w64 build is warning-free" "$(grep -A3 'warning:' "$TMP/ninja.log")"
x86_64-w64-mingw32-objdump -p "$EXE" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' | sort >"$TMP/dlls"
[[ $(tr '\n' ' ' <"$TMP/dlls") == "advapi32.dll kernel32.dll msvcrt.dll secur32.dll shell32.dll ws2_32.dll " ]]
ok $? "krbprobe.exe needs only Windows' own DLLs" "$(cat "$TMP/dlls")"

[[ -x $WINE ]] || bail "wine64 at $WINE" "install wine64 (install-deps.sh)"
if [[ ! -f $WINEPREFIX/system.reg ]]; then
    t0=$(ms)
    "$WINE" wineboot -i >"$TMP/wineboot.log" 2>&1 ||
        bail "wineboot -i for $WINEPREFIX" "$(tail -20 "$TMP/wineboot.log")"
    ok 0 "a new Wine prefix in $(( $(ms) - t0 )) ms (wineboot -i, no display)"
fi
"$WINE" reg delete "$PARAMS" /v TryIPSPN /f >/dev/null 2>&1

# A TGT-only ccache of our own: Wine's Kerberos package stores the service
# tickets it gets in the ccache, so the lab's shared one is left alone, and
# every target here is asked of the KDC the first time.
[[ -r ${SPNLAB_ADMIN_PASSWORD_FILE:-} ]] || bail "the lab's Administrator password file"
CC=FILE:$TMP/krb5cc
KRB5CCNAME=$CC kinit Administrator@"${SPNLAB_REALM:-CORP.TEST}" \
    <"$SPNLAB_ADMIN_PASSWORD_FILE" >"$TMP/kinit.log" 2>&1 ||
    bail "kinit Administrator into a private ccache" "$(cat "$TMP/kinit.log")"

# run [ENV=VALUE...] -- ARGS...: krbprobe.exe under Wine; sets RC, OUT, ERR
run() {
    local envs=(KRB5CCNAME="$CC")
    while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    OUT=$TMP/out.$count
    ERR=$TMP/err.$count
    env "${envs[@]}" "$WINE" "$EXE" "$@" >"$OUT" 2>"$TMP/err.raw"
    RC=$?
    tr -d '\r' <"$TMP/err.raw" >"$ERR"   # stderr stays in text mode (CRLF)
}

# json_get INDEX KEY: one member of results[INDEX] in $OUT
json_get() {
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])][sys.argv[3]])' \
        "$OUT" "$1" "$2"
}

run -- --version
[[ $RC == 0 && $(cat "$OUT") == "krbprobe "* ]]
ok $? "krbprobe.exe --version runs under Wine" "exit $RC" "$(cat "$OUT" "$ERR")"

# ---------------------------------------------------------------- the three

# the Linux build's answer for the same SPN, with the same ccache
KRB5CCNAME=$CC "$LINUX_K" --json cifs/fs1.corp.test >"$TMP/linux.json" 2>"$TMP/linux.err"
linux_etype=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["etype"])' "$TMP/linux.json")
linux_detail=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["detail"])' "$TMP/linux.json")

run -- --json cifs/fs1.corp.test
expect_rc 0 "healthy SPN"
expect 0 "healthy cifs/fs1.corp.test -> kerberos ok, realm from the ticket" \
    target=cifs/fs1.corp.test spn=cifs/fs1.corp.test realm=CORP.TEST verdict=kerberos \
    reason=ok "detail~ticket issued: " "detail~Negotiate picks Kerberos"
expect 0 "the ticket's enctype (read from the AP-REQ) is the one the Linux build reports" \
    "etype=$linux_etype"
[[ -n $linux_detail && $(json_get 0 detail) == "$linux_detail; "* ]]
ok $? "enctype, kvno and session key as the Linux build words them" \
    "linux: $linux_detail" "windows: $(json_get 0 detail)"

run -- --json cifs/nosuch.corp.test
expect_rc 3 "missing SPN alone (every result an error)"
expect 0 "missing cifs/nosuch.corp.test -> error: Wine answers SEC_E_INTERNAL_ERROR for any refusal" \
    spn=cifs/nosuch.corp.test realm=CORP.TEST verdict=error reason=error etype=null \
    "detail~SSPI Kerberos: SEC_E_INTERNAL_ERROR (0x80090304)" "detail~under Wine"
expect 0 "missing SPN: Negotiate asked too (no NTLM credentials under Wine)" \
    "detail~Negotiate fails too: SEC_E_NO_CREDENTIALS (0x8009030e)"

run -- --json 127.0.0.61
expect_rc 1 "IP target"
expect 0 "IP target 127.0.0.61 -> ntlm ip-target, nothing requested" \
    target=127.0.0.61 spn=null realm=null verdict=ntlm reason=ip-target etype=null \
    "detail~with TryIPSPN it would request cifs/127.0.0.61"
expect 0 "IP target: TryIPSPN read from the registry, not set there" \
    "detail~TryIPSPN not set in the registry (HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters)"

run -- --json cifs/fs1.corp.test cifs/nosuch.corp.test 127.0.0.61
expect_rc 1 "healthy, missing and IP together"
expect 0 "together: first the healthy SPN" target=cifs/fs1.corp.test verdict=kerberos
expect 1 "together: then the missing SPN" target=cifs/nosuch.corp.test verdict=error
expect 2 "together: then the IP target" target=127.0.0.61 verdict=ntlm reason=ip-target

run -- cifs/fs1.corp.test 127.0.0.61
expect_rc 1 "text output"
grep -qx "cifs/fs1.corp.test -> cifs/fs1.corp.test: kerberos (ok, $linux_etype)" "$OUT" &&
    grep -qx '127.0.0.61 -> (no SPN): ntlm (ip-target)' "$OUT" &&
    [[ $(tail -n 1 "$OUT") == "2 targets: 1 kerberos, 1 ntlm (1 ip-target), 0 error" ]] &&
    ! grep -q $'\r' "$OUT"
ok $? "text: the Linux build's lines, LF only" "$(cat -A "$OUT")"

# ---------------------------------------------------------------- TryIPSPN

run -- --json --try-ip-spn 127.0.0.61
expect_rc 0 "--try-ip-spn"
expect 0 "--try-ip-spn requests cifs/127.0.0.61 (FS3 holds it)" spn=cifs/127.0.0.61 \
    verdict=kerberos reason=ok "detail~TryIPSPN on: --try-ip-spn given"

"$WINE" reg add "$PARAMS" /v TryIPSPN /t REG_DWORD /d 1 /f >/dev/null 2>&1
ok $? "reg add TryIPSPN=1"
run -- --json 127.0.0.61
expect_rc 0 "TryIPSPN=1 in the registry"
expect 0 "TryIPSPN=1 in the registry, no option -> cifs/127.0.0.61 requested" \
    spn=cifs/127.0.0.61 verdict=kerberos reason=ok "detail~TryIPSPN 1 read from the registry"
"$WINE" reg add "$PARAMS" /v TryIPSPN /t REG_DWORD /d 0 /f >/dev/null 2>&1
run -- --json 127.0.0.61
expect 0 "TryIPSPN=0 in the registry -> ip-target" reason=ip-target \
    "detail~TryIPSPN 0 read from the registry"
"$WINE" reg delete "$PARAMS" /v TryIPSPN /f >/dev/null 2>&1

# ---------------------------------------------------------------- errors

run KRB5CCNAME=FILE:"$TMP/no-such-ccache" -- --json cifs/fs1.corp.test
expect_rc 3 "no credentials cache"
expect 0 "no ccache -> no-credentials (AcquireCredentialsHandle)" verdict=error \
    reason=no-credentials "detail~SEC_E_NO_CREDENTIALS (0x8009030e)"

if command -v faketime >/dev/null; then
    OUT=$TMP/out.expired ERR=$TMP/err.expired
    KRB5CCNAME=$CC faketime '+3 days' "$WINE" "$EXE" --json http/web01.corp.test \
        >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 3 "clock past the TGT's end"
    expect 0 "expired TGT (ticket cache via LsaCallAuthenticationPackage) -> ticket-expired" \
        verdict=error reason=ticket-expired "detail~expired at"
else
    ok 1 "faketime is installed (install-deps.sh)"
fi

run -- -k "$TMP/x.keytab" cifs/fs1.corp.test
expect_rc 2 "-k KEYTAB in the Windows build"
grep -q 'cannot be used in the Windows build' "$ERR"
ok $? "-k: says why (SSPI uses the logged-on user's credentials)" "$(cat "$ERR")"

run -- --etypes aes cifs/fs1.corp.test
expect_rc 2 "--etypes aes in the Windows build"
grep -q "Kerberos policy" "$ERR"
ok $? "--etypes aes: says why" "$(cat "$ERR")"

run -- $'bad\x1b[31m'
expect_rc 2 "target with an escape sequence"
! grep -q $'\x1b' "$ERR" && grep -q 'bad\\x1b\[31m' "$ERR"
ok $? "the escape sequence is shown as \\x1b, never raw" "$(cat -v "$ERR")"

# ---------------------------------------------------------------- shared code

run -- --json 'cifs/wéb.corp.test' '\\fs1.corp.test\share'
expect 0 "a UTF-8 target reaches the program intact (argv from the wide command line)" \
    'target=cifs/wéb.corp.test' 'spn=cifs/wéb.corp.test'
expect 1 "UNC path -> cifs/fs1.corp.test" 'target=\\fs1.corp.test\share' \
    spn=cifs/fs1.corp.test verdict=kerberos

printf '# a comment\r\n\r\n  cifs/fs1.corp.test  \r\n\tfs1\n127.0.0.61' >"$TMP/list.txt"
run -- --json -f "$TMP/list.txt"
expect_rc 1 "-f FILE with comments, CRLF, spaces, no final newline"
expect 1 "-f: short name fs1 requested as typed, FQDN noted" target=fs1 spn=cifs/fs1 \
    reason=ok "detail~fs1.corp.test"
expect 2 "-f: last line" target=127.0.0.61 reason=ip-target

printf 'cifs/fs1.corp.test\nfs1\0x\n' >"$TMP/zero.txt"
run -- -f "$TMP/zero.txt"
expect_rc 2 "-f FILE with a NUL byte"
grep -q 'line 2: contains a NUL byte' "$ERR"
ok $? "-f: the NUL byte reported with its line" "$(cat "$ERR")"

seq -f 'http/bulk%04g.corp.test' 1 40 >"$TMP/bulk.txt"
run -- --json -j 4 -f - <"$TMP/bulk.txt"
expect_rc 0 "-j 4 over 40 SPNs from standard input"
"$PY" - "$OUT" "$TMP/bulk.txt" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().split()
got = [r["target"] for r in doc["results"]]
assert got == want, "not in input order"
bad = [r for r in doc["results"] if (r["verdict"], r["reason"]) != ("kerberos", "ok")]
assert not bad, bad[:3]
EOF
ok $? "-j 4 (winpthreads): 40 results, all kerberos, in input order"

echo "1..$count"
(( failed == 0 ))
