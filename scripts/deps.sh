#!/bin/sh
# Install the Debian packages ixgate needs to build, test and demo.
# Idempotent: installs only what is missing. Needs root (or sudo) when it
# has something to install. Nothing is downloaded from anywhere but Debian.
set -eu

PKGS="gcc clang meson ninja-build pkg-config make python3 python3-pyelftools
libdpdk-dev dpdk dpdk-dev dpdk-doc liburing-dev libssl-dev libcmocka-dev
libpcap-dev iproute2 procps iputils-ping"

if [ "${IXG_FUZZ:-0}" = 1 ]; then
	PKGS="$PKGS libclang-rt-14-dev"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps: done"
