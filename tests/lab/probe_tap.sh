# probe_tap.sh - TAP helpers shared by the krbprobe lab tests (Linux and
# Wine); sourced. The caller sets PY (python3) and, before expect_rc and
# expect, RC (exit status), OUT and ERR (files).

count=0
failed=0
PROBE_EXPECT=$(dirname "${BASH_SOURCE[0]}")/probe_expect.py

# ok STATUS DESCRIPTION [DETAIL...]: one TAP line; detail as comments on failure
ok() {
    local status=$1 what=$2
    shift 2
    count=$((count + 1))
    if [[ $status == 0 ]]; then
        echo "ok $count - $what"
    else
        failed=$((failed + 1))
        echo "not ok $count - $what"
        local line
        for line in "$@"; do printf '%s\n' "$line" | head -20 | sed 's/^/# /'; done
    fi
}

# expect_rc N DESCRIPTION: on failure, what the run wrote to both streams
expect_rc() {
    [[ $RC == "$1" ]]
    ok $? "$2: exit $1" "exit $RC" "stderr: $(head -c 2000 "$ERR")" \
        "stdout: $(head -c 2000 "$OUT")"
}

# expect INDEX DESCRIPTION KEY=VALUE|KEY~SUBSTRING|KEY=null ...: check
# results[INDEX] of the JSON in $OUT (probe_expect.py)
expect() {
    local index=$1 what=$2 msg
    shift 2
    msg=$("$PY" "$PROBE_EXPECT" "$OUT" "$index" "$@")
    ok $? "$what" "$msg"
}
