#!/usr/bin/env bash
# setup.sh - everything from a fresh Debian 12 machine to spnkit running
# against the lab: install packages, build, start the Samba AD lab, then run
# spncheck and krbprobe against it. Run as root from the source tree.
set -euo pipefail
cd "$(dirname "$0")"

./install-deps.sh
[[ -d build ]] || meson setup build
ninja -C build
bash docker/lab.sh up

echo
echo "+ spncheck dup   (inside the lab, as Administrator)"
bash docker/lab.sh run build/tools/spncheck dup || true
if [[ -x build/tools/krbprobe ]]; then
	echo
	echo "+ krbprobe cifs/fs1.corp.test fs1 http/app.corp.test 127.0.0.61"
	bash docker/lab.sh run build/tools/krbprobe cifs/fs1.corp.test fs1 \
		http/app.corp.test 127.0.0.61 || true
fi
