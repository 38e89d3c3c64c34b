#!/usr/bin/env bash
# Install what building and testing correu needs on Debian 12, and only what
# is missing (a machine that has it all is left alone). Run as root.
#   bash .ci/deps.sh build   compiler, meson, mbedTLS
#   bash .ci/deps.sh test    + Criterion, clang/libFuzzer, Doxygen, Cortex-M4 cross compiler
set -euo pipefail

build_pkgs=(gcc g++ pkg-config meson ninja-build libmbedtls-dev ca-certificates openssl python3)
test_pkgs=(libcriterion-dev clang libclang-rt-14-dev doxygen gcc-arm-none-eabi
           libnewlib-arm-none-eabi binutils-arm-none-eabi)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
