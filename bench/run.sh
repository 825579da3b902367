#!/usr/bin/env bash
# bench/run.sh - spnkit's benchmarks against the tools a user would otherwise
# run, side by side in the same run; see bench/README.md.
#
#   run.sh offline [SPNS...]   spncheck dup/all --ldif vs the grep|sort|uniq pipeline
#                              (default 1000000 4000000 SPNs)
#   run.sh live                spncheck dup vs ldapsearch and GetUserSPNs on the bench lab
#   run.sh live-setup          build the bench lab once: 20,000 users, 100,000 SPNs
#   run.sh probe               krbprobe -j vs kvno --no-store, 1,600 SPNs
#   run.sh smoke               each benchmark at small scale, once: fails only
#                              when spnkit's answer differs from the peer's
#   run.sh all                 live-setup, offline, live, probe
#
# Environment: BENCH_REPS (default 5), BENCH_BUILD (default /tmp/build-bench,
# a release build made here when missing), BENCH_DATA (default
# /var/tmp/spnkit-bench). The bench lab is a second Samba DC in its own
# network namespace (spnbench, /var/lib/spnkit-bench), never the shared lab.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
LAB_SH=$REPO/docker/lab.sh
export BENCH_REPS=${BENCH_REPS:-5}
export BENCH_BUILD=${BENCH_BUILD:-/tmp/build-bench}
export BENCH_DATA=${BENCH_DATA:-/var/tmp/spnkit-bench}
export BENCH_NETNS=spnbench
export BENCH_LAB_DIR=/var/lib/spnkit-bench
BENCH_USERS=${BENCH_USERS:-20000}
LOADED_MARKER=$BENCH_LAB_DIR/.bench-loaded

say() { printf '[bench] %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: error: %s\n' "$*" >&2; exit 1; }

# The shared lab (the tests' lab: spnlab unless SPNLAB_NETNS and
# SPNKIT_LAB_DIR name another) or the bench lab (spnbench).
shared_lab() {
    SPNLAB_NETNS=${SPNLAB_NETNS:-spnlab} SPNKIT_LAB_DIR=${SPNKIT_LAB_DIR:-/var/lib/spnkit-lab} \
        bash "$LAB_SH" "$@"
}
bench_lab() { SPNLAB_NETNS=$BENCH_NETNS SPNKIT_LAB_DIR=$BENCH_LAB_DIR bash "$LAB_SH" "$@"; }

build() {
    if [[ ! -f $BENCH_BUILD/build.ninja ]]; then
        say "meson setup $BENCH_BUILD --buildtype=release"
        meson setup "$BENCH_BUILD" "$REPO" --buildtype=release >/dev/null
    fi
    ninja -C "$BENCH_BUILD" tools/spncheck tools/krbprobe bench/floor >/dev/null \
        || die "build failed: ninja -C $BENCH_BUILD"
}

# Peers that are not part of the lab's packages.
ensure_peers() {
    if ! dpkg-query -W -f='${Status}' python3-impacket 2>/dev/null | grep -q 'install ok installed'; then
        say "installing python3-impacket (GetUserSPNs)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3-impacket >/dev/null || say "python3-impacket could not be installed"
    fi
}

# 20,000 users with 5 SPNs each, added with one ldapadd over the sealed
# GSSAPI bind (-c: a rerun after an interruption skips what exists), then 1%
# duplicates written below the module stack with ldbmodify as the lab's seed
# does (the DC refuses them over LDAP). Done once; the marker keeps it.
cmd_live_setup() {
    bench_lab up >&2
    if [[ -f $LOADED_MARKER ]]; then
        say "live-setup: already loaded ($(cat "$LOADED_MARKER"))"
        return
    fi
    mkdir -p "$BENCH_DATA"
    local users=$BENCH_DATA/live-users.ldif dups=$BENCH_DATA/live-dups.ldif
    local log=$BENCH_DATA/live-setup.log t0 t1 added
    python3 "$BENCH_DIR/gen_ldif.py" users --users "$BENCH_USERS" "$users"
    python3 "$BENCH_DIR/gen_ldif.py" dups --users "$BENCH_USERS" "$dups"
    say "live-setup: ldapadd of $BENCH_USERS users ($(grep -c '^servicePrincipalName' "$users") SPNs) over GSSAPI; log $log"
    t0=${EPOCHREALTIME/./}
    # shellcheck disable=SC2016  # expanded inside the lab
    bench_lab run sh -c 'exec ldapadd -c -Q -N -Y GSSAPI -H "ldap://$SPNLAB_DC" -f "$1"' _ "$users" \
        > "$log" 2>&1 || true
    t1=${EPOCHREALTIME/./}
    local sent failed secs=$(( (t1 - t0) / 1000 ))
    sent=$(grep -c '^adding new entry' "$log" || true)
    failed=$(grep -c '^ldap_add: ' "$log" || true)
    added=$(( sent - failed - 1 ))   # the OU is the first entry
    say "live-setup: ldapadd: $sent entries sent, $failed refused, in $(( secs / 1000 )).$(( secs % 1000 / 100 )) s"
    grep '^ldap_add: ' "$log" | grep -v 'Already exists' | sort | uniq -c | head -n 5 >&2 || true
    local partition=$BENCH_LAB_DIR/private/sam.ldb.d/DC=CORP,DC=TEST.ldb
    ldbmodify -H "$partition" "$dups" > "$BENCH_DATA/live-dups.log" 2>&1 \
        || { tail -n 5 "$BENCH_DATA/live-dups.log" >&2; die "ldbmodify of the duplicates failed"; }
    say "live-setup: $(grep -c '^dn: ' "$dups") duplicate SPN values written with ldbmodify"
    # shellcheck disable=SC2016
    local count
    count=$(bench_lab run sh -c 'ldapsearch -LLL -Q -N -Y GSSAPI -H "ldap://$SPNLAB_DC" -E pr=1000/noprompt -b "$SPNLAB_BASEDN" "(servicePrincipalName=*)" servicePrincipalName' \
            | grep -ci '^servicePrincipalName:')
    printf '%s: %s users loaded in %s.%s s (%s users/s); %s SPNs in the directory\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$added" "$(( secs / 1000 ))" "$(( secs % 1000 / 100 ))" \
        "$(( added * 1000 / (secs > 0 ? secs : 1) ))" "$count" > "$LOADED_MARKER"
    say "live-setup: $(cat "$LOADED_MARKER")"
}

main() {
    local cmd=${1-}
    (( $# > 0 )) && shift
    case $cmd in
        live-setup) cmd_live_setup ;;
        offline|live|probe|smoke)
            build
            [[ $cmd == live ]] && { ensure_peers; cmd_live_setup; }
            [[ $cmd == probe || $cmd == offline ]] && bench_lab up >&2
            # smoke uses the shared lab read-only: only make sure of the ticket
            [[ $cmd == smoke ]] && { shared_lab run true || die "the shared lab is not up (docker/lab.sh up)"; }
            exec python3 "$BENCH_DIR/bench.py" "$cmd" "$@" ;;
        all)
            build; ensure_peers; cmd_live_setup
            python3 "$BENCH_DIR/bench.py" offline
            python3 "$BENCH_DIR/bench.py" live
            python3 "$BENCH_DIR/bench.py" probe ;;
        *) sed -n '/^#   run.sh/s/^#   //p' "$0"; exit 2 ;;
    esac
}

main "$@"
