#!/usr/bin/env bash
# run-fuzz.sh - build the libFuzzer targets with clang (-Dfuzz=true, ASan and
# UBSan) in their own build dir and run each one for SECONDS over a copy of
# its committed seed corpus (tests/fuzz/corpus/NAME). Fails on any crash,
# sanitizer report, leak, timeout or out-of-memory, and when a target in
# tests/fuzz/fuzz_*.c was not built or has no seeds.
#
#   tests/fuzz/run-fuzz.sh [-j JOBS] [-o OUTDIR] SECONDS [TARGET...]
#
# New inputs go to OUTDIR/NAME/corpus (never into the committed corpus),
# crashes to OUTDIR/NAME/crash-*; replay one with OUTDIR/../fuzz_NAME FILE.
# OUTDIR/testlog.json gets one JSON line per target in the shape of meson's
# testlog ({"name","result",...}) so run-tests.sh can count them.
# Environment: SPNKIT_FUZZ_BUILD (default build-fuzz in the source tree).
set -uo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${SPNKIT_FUZZ_BUILD:-$src/build-fuzz}
jobs=2
out=

usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}

while getopts "j:o:h" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
(($# >= 1)) || usage
seconds=$1
shift
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "run-fuzz: SECONDS '$seconds' is not a number" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run-fuzz: -j '$jobs' is not a number" >&2; exit 2; }
out=${out:-$build/fuzz-runs}

if [[ ! -f $build/build.ninja ]]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true >/dev/null ||
		{ echo "run-fuzz: meson setup of $build failed" >&2; exit 1; }
fi
# Only the fuzz targets (not the unit tests), and each one that can be:
# a target that does not build is reported below, the others still run.
mapfile -t known < <(ninja -C "$build" -t targets all 2>/dev/null |
	sed -n 's|^\(tests/fuzz/fuzz_[A-Za-z0-9_]*\): .*|\1|p' | sort -u)
((${#known[@]} > 0)) || { echo "run-fuzz: $build has no fuzz targets" >&2; exit 1; }
ninja -C "$build" -k 0 "${known[@]}" >"$build/ninja-fuzz.log" 2>&1 ||
	{ grep -E '^FAILED|error:' "$build/ninja-fuzz.log" | head -n 20 >&2
	  echo "run-fuzz: some targets did not build (log: $build/ninja-fuzz.log)" >&2; }
# The targets that built: an executable, and no failed step for it or for
# the instrumented library (an old executable may be left from before).
declare -A built=()
for t in "${known[@]}"; do
	name=${t##*/fuzz_}
	[[ -x $build/$t ]] || continue
	grep -E '^FAILED: ' "$build/ninja-fuzz.log" |
		grep -qE "fuzz_$name(\.p/|\b)|spn_fuzz" && continue
	built[$name]=1
done

if (($# > 0)); then
	targets=("$@")
else
	targets=()
	for f in "$src"/tests/fuzz/fuzz_*.c; do
		f=${f##*/fuzz_}
		targets+=("${f%.c}")
	done
fi

rm -rf "$out"
mkdir -p "$out"

# Run one target; writes $out/NAME/result (one JSON line) and log.
run_one() {
	local name=$1 exe=$build/tests/fuzz/fuzz_$1 seeds=$src/tests/fuzz/corpus/$1
	local dir=$out/$1 rc=0 result=OK why="" execs=0 units=0 t0 t1
	mkdir -p "$dir/corpus"
	if [[ ! -x $exe ]] || [[ -z ${built[$name]:-} ]]; then
		result=FAIL why="fuzz_$name did not build (or is not in tests/fuzz/meson.build)"
	elif [[ ! -d $seeds ]] || [[ -z $(ls -A "$seeds") ]]; then
		result=FAIL why="no seed corpus in tests/fuzz/corpus/$name"
	else
		t0=$(date +%s)
		# -timeout: one input that takes 10 s is a hang; -rss_limit_mb: an
		# input that makes a parser allocate without bound is a finding.
		"$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$dir/" \
			"$dir/corpus" "$seeds" >"$dir/log" 2>&1 || rc=$?
		t1=$(date +%s)
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
		units=$(sed -n 's/^stat::new_units_added: *//p' "$dir/log" | tail -n 1)
		if ((rc != 0)) || compgen -G "$dir/crash-*" >/dev/null ||
			compgen -G "$dir/leak-*" >/dev/null ||
			compgen -G "$dir/timeout-*" >/dev/null ||
			compgen -G "$dir/oom-*" >/dev/null; then
			result=FAIL
			why="exit $rc; $(grep -m1 -E '^(==[0-9]+==)?(ERROR|SUMMARY)' "$dir/log" || echo 'see log')"
		fi
	fi
	# plain printable text in the JSON string: no quote, backslash or control
	why=$(printf '%s' "$why" | tr -d '"\\' | tr -c '[:print:]' ' ')
	printf '{"name": "fuzz-run %s", "result": "%s", "seconds": %s, "execs": %s, "new_units": %s, "why": "%s", "log": "%s"}\n' \
		"$name" "$result" "$((${t1:-0} - ${t0:-0}))" "${execs:-0}" "${units:-0}" \
		"$why" "$dir/log" >"$dir/result"
	if [[ $result == OK ]]; then
		echo "ok     fuzz_$name: ${execs:-0} runs in $((t1 - t0)) s, ${units:-0} new inputs, no crash"
	else
		echo "FAILED fuzz_$name: $why (log: $dir/log)"
	fi
}

running=0
for name in "${targets[@]}"; do
	run_one "$name" &
	running=$((running + 1))
	if ((running >= jobs)); then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
: >"$out/testlog.json"
for name in "${targets[@]}"; do
	cat "$out/$name/result" >>"$out/testlog.json"
	grep -q '"result": "OK"' "$out/$name/result" || failed=$((failed + 1))
done
echo "run-fuzz: ${#targets[@]} targets, $failed failed, ${seconds} s each (results: $out/testlog.json)"
((failed == 0))
