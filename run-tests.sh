#!/usr/bin/env bash
# run-tests.sh - the whole test suite: installs what is missing, builds,
# starts the lab, runs the unit and lab suites, and ends with one line
# "N passed, N failed". A skipped test counts as failed: a lab test that
# skips proves nothing. Run as root from the source tree.
set -uo pipefail
cd "$(dirname "$0")"

./install-deps.sh || exit 1
[[ -d build ]] || meson setup build || exit 1
ninja -C build || exit 1
bash docker/lab.sh up || exit 1

meson test -C build --print-errorlogs --num-processes 2
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("result") in ("OK", "EXPECTEDFAIL"):
        passed += 1
    else:
        failed += 1
        print("not ok:", r.get("name"), r.get("result"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
PY
