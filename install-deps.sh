#!/usr/bin/env bash
# install-deps.sh - the Debian 12 packages spnkit needs to build, test and
# run its lab. Installs only what is missing; run as root.
set -euo pipefail

packages=(
	# build
	gcc libc6-dev clang meson ninja-build pkg-config
	libldap-dev libsasl2-dev libsasl2-modules-gssapi-mit libkrb5-dev
	libcjson-dev
	# tests: unit, sanitizers, valgrind, fuzzing, faults
	libcmocka-dev valgrind libclang-rt-14-dev faketime python3
	# krbprobe.exe: the mingw-w64 cross build, run under Wine in the lab
	gcc-mingw-w64-x86-64 wine64
	# the lab: a Samba AD DC in a network namespace
	samba samba-ad-dc samba-ad-provision winbind krb5-user ldap-utils ldb-tools
	python3-samba dnsutils
	iproute2
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
		grep -qx installed; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#packages[@]} packages are installed"
	exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: run as root to install: ${missing[*]}" >&2
	exit 2
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
