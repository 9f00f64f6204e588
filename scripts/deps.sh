#!/bin/sh
# Install the Debian packages ixgate needs to build, test and demo.
# Idempotent: installs only what is missing. Needs root (or sudo) when it
# has something to install. Nothing is downloaded from anywhere but Debian.
set -eu

# Build: compilers, meson, DPDK and the libraries the programs link.
PKGS="gcc clang clang-format meson ninja-build pkg-config make python3
python3-pyelftools libdpdk-dev dpdk dpdk-dev dpdk-doc liburing-dev libssl-dev
libcmocka-dev libpcap-dev libmnl-dev libjansson-dev libsystemd-dev scdoc
zlib1g-dev libxxhash-dev
iproute2 procps iputils-ping"
# Tests talk to the real programs operators run beside ixgate: routing
# daemons, Prometheus, sFlow collectors, a packet decoder, the IX-F schema
# validator, and the Debian packaging tools for the .deb test.
PKGS="$PKGS bird2 frr prometheus pmacct tshark python3-jsonschema bgpq4 jq
debhelper dpkg-dev bash-completion libclang-rt-14-dev man-db logrotate curl openssl"


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
# Packages such as bird2, frr and prometheus start their services on
# install; the tests start their own instances, so keep the packaged ones
# down (invoke-rc.d honours policy-rc.d). Only if the machine has none.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e $POLICY ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee $POLICY >/dev/null
	$SUDO chmod 755 $POLICY
	trap '$SUDO rm -f $POLICY' EXIT
fi
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps: done"
