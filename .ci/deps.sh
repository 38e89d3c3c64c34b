#!/usr/bin/env bash
# Install what building and testing correu needs on Debian 12, and only what
# is missing (a machine that has it all is left alone). Run as root.
#   bash .ci/deps.sh build   compiler, meson, mbedTLS
#   bash .ci/deps.sh test    + Criterion, clang/libFuzzer, Doxygen, Cortex-M4
#                            cross compiler, and the third-party mail peers the
#                            interop tests start on loopback
set -euo pipefail

build_pkgs=(gcc g++ pkg-config meson ninja-build libmbedtls-dev zlib1g-dev ca-certificates openssl
            python3)
test_pkgs=(libcriterion-dev clang libclang-rt-14-dev doxygen gcc-arm-none-eabi
           libnewlib-arm-none-eabi binutils-arm-none-eabi
           # interop peers and the libraries the benchmarks compare against
           dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix python3-aiosmtpd
           swaks libnet-ssleay-perl curl fetchmail mutt procps
           libgmime-3.0-dev libesmtp-dev libetpan-dev libcurl4-gnutls-dev)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
# Dovecot and Postfix must not start as system daemons on ports 25/110/143:
# the tests start their own private instances. Deny service starts while
# installing, unless the machine already has a policy.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# Postfix would otherwise configure itself as this machine's MTA.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
