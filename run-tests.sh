#!/usr/bin/env bash
# run-tests.sh - the whole test suite: installs what is missing, builds,
# starts the lab, runs the unit and lab suites, then the fault and hostile
# data suite (lab-faults, alone: it stops the DC), the same suites again
# under ASan+UBSan (build-asan/) and valgrind, and every fuzz target for a
# short while over its seed corpus (build-fuzz/), and a smoke run of each
# benchmark (answers compared with the peer tools'). Ends with one line
# "N passed, N failed" that counts every test of every run. A skipped test
# counts as failed: a lab test that skips proves nothing. Run as root from
# the source tree.
#   SPNKIT_FUZZ_SECONDS  seconds per fuzz target (default 20)
set -uo pipefail
cd "$(dirname "$0")"

./install-deps.sh || exit 1
[[ -d build ]] || meson setup build || exit 1
ninja -C build || exit 1
bash docker/lab.sh up || exit 1

results=build/test-results
rm -rf "$results"
mkdir -p "$results"
t_start=$SECONDS

# A step that could not even run its tests counts as one failed test.
setup_failed() {
	printf '{"name": "%s", "result": "FAIL"}\n' "$1" >"$results/$1.json"
	echo "not ok: $1"
}

# meson test in BUILDDIR with ARGS; its testlog is kept as results/NAME.json.
run_suite() {
	local name=$1 dir=$2 log
	shift 2
	echo "== $name: meson test $*"
	local t0=$SECONDS
	log=$dir/meson-logs/testlog.json
	for arg in "$@"; do
		[[ $arg == --setup=* ]] && log=$dir/meson-logs/testlog-${arg#--setup=}.json
	done
	rm -f "$log"   # a run that fails before testing must not count an old log
	meson test -C "$dir" --print-errorlogs "$@"
	if [[ -s $log ]]; then
		cp "$log" "$results/$name.json"
	else
		setup_failed "$name"
	fi
	echo "== $name: $((SECONDS - t0)) s"
}

# 1. unit and lab tests, then faults and hostile data (they stop the DC and
#    add accounts: alone, after the lab suite)
run_suite plain build --suite unit --suite lab --num-processes 2
run_suite faults build --suite lab-faults --num-processes 1

# The lab tests of BUILDDIR for the checker runs: all but krbprobe_wine,
# which tests the Windows krbprobe.exe under Wine (no ASan or valgrind
# there; the plain run has it).
checker_lab_tests() {
	meson test -C "$1" --list --suite lab 2>/dev/null |
		sed -n 's|^[^ ]*:lab / ||p' | grep -vx 'krbprobe_wine'
}

# run_suite NAME BUILDDIR ARGS... over those tests (none found: a failure,
# never a run of everything).
run_checker_lab() {
	local name=$1 dir=$2 tests
	shift 2
	tests=$(checker_lab_tests "$dir")
	if [[ -z $tests ]]; then
		setup_failed "$name"
		return
	fi
	# shellcheck disable=SC2086  # one test name a word
	run_suite "$name" "$dir" "$@" $tests
}

# 2. the same under ASan+UBSan (UBSan aborts: -fno-sanitize-recover)
if [[ -d build-asan ]] ||
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer' >/dev/null; then
	if ninja -C build-asan >build/ninja-asan.log 2>&1; then
		run_suite asan build-asan --setup=asan --suite unit --num-processes 2
		run_checker_lab asan-lab build-asan --setup=asan --num-processes 2
		run_suite asan-faults build-asan --setup=asan --suite lab-faults --num-processes 1
	else
		tail -n 20 build/ninja-asan.log
		setup_failed asan-build
	fi
else
	setup_failed asan-setup
fi

# 3. valgrind: the unit tests wrapped, the lab's tools through labtest.py
run_suite valgrind build --setup=valgrind --suite unit --num-processes 2
run_checker_lab valgrind-lab build --setup=valgrindlab --num-processes 2
run_suite valgrind-faults build --setup=valgrindlab --suite lab-faults --num-processes 1

# 4. every fuzz target over its committed corpus (clang, its own build)
echo "== fuzz: tests/fuzz/run-fuzz.sh ${SPNKIT_FUZZ_SECONDS:-20}"
t0=$SECONDS
SPNKIT_FUZZ_BUILD=$PWD/build-fuzz tests/fuzz/run-fuzz.sh -j 2 \
	-o "$PWD/build-fuzz/fuzz-runs" "${SPNKIT_FUZZ_SECONDS:-20}"
if [[ -s build-fuzz/fuzz-runs/testlog.json ]]; then
	cp build-fuzz/fuzz-runs/testlog.json "$results/fuzz.json"
else
	setup_failed fuzz
fi
echo "== fuzz: $((SECONDS - t0)) s"

# 5. a small run of each benchmark (offline, live, probe): fails only when
#    spnkit's answer differs from the peer tool's
echo "== bench: bench/run.sh smoke"
t0=$SECONDS
if BENCH_BUILD=$PWD/build bash bench/run.sh smoke; then
	printf '{"name": "bench-smoke", "result": "OK"}\n' >"$results/bench.json"
else
	setup_failed bench-smoke
fi
echo "== bench: $((SECONDS - t0)) s"

# the lab is left as it was found
bash docker/lab.sh status >/dev/null || bash docker/lab.sh start-dc

echo "== all runs: $((SECONDS - t_start)) s"
python3 - "$results"/*.json <<'PY'
import json, os, sys
passed = failed = 0
for path in sys.argv[1:]:
    run = os.path.basename(path)[:-len(".json")]
    for line in open(path):
        r = json.loads(line)
        if r.get("result") in ("OK", "EXPECTEDFAIL"):
            passed += 1
        else:
            failed += 1
            print(f"not ok: [{run}] {r.get('name')} {r.get('result')}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
PY
