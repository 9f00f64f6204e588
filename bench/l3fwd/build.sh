#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# build.sh - build DPDK's l3fwd example, the benchmarks' reference router,
# from Debian's dpdk-doc package, with two documented patches:
#   offload-mask.patch  mask requested RX offloads with the device's
#                       capabilities (needed on virtual devices)
#   table-size.patch    LPM table sizes settable at build time (needed for
#                       a full internet table); the sizes are below
#
# usage: bench/l3fwd/build.sh [BUILD_DIR]   (default: build-l3fwd)
# Result: BUILD_DIR/l3fwd (printed on the last line).
#
# Environment: L3FWD_SRC (default /usr/share/dpdk/examples/l3fwd),
# LPM4_RULES, LPM4_TBL8S, LPM6_RULES, LPM6_TBL8S.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build-l3fwd}
src=${L3FWD_SRC:-/usr/share/dpdk/examples/l3fwd}
# Rules: ixgate's capacities (2M IPv4, 512k IPv6 routes). tbl8 groups: one
# per distinct /24 (/32, /40, ...) holding a longer route. The real data
# needs 1,314 IPv4 and ~39k IPv6 groups, its 1.2M + 300k deaggregated form
# 1,314 and ~141k: 16k and 256k leave room and fit `--no-huge -m 1024`
# (256k IPv6 groups are 256 MiB).
LPM4_RULES=${LPM4_RULES:-2097152}
LPM4_TBL8S=${LPM4_TBL8S:-16384}
LPM6_RULES=${LPM6_RULES:-524288}
LPM6_TBL8S=${LPM6_TBL8S:-262144}

die() {
	echo "l3fwd/build.sh: $*" >&2
	exit 1
}

[ -f "$src/main.c" ] || die "$src/main.c not found: apt-get install dpdk-doc"
pkg-config --exists libdpdk || die "libdpdk not found: apt-get install libdpdk-dev"
command -v patch >/dev/null || die "patch not found: apt-get install patch"

# A fresh copy each time, so the patches always apply to pristine sources.
rm -rf "$out/src" "$out/common"
mkdir -p "$out"
cp -r "$src" "$out/src"
# The example's Makefile includes ../common (lookup helpers per arch).
cp -r "$src/../common" "$out/common"
for p in offload-mask.patch table-size.patch; do
	patch -s -p1 -d "$out/src" <"$here/$p" || die "$p does not apply to $src"
done

CFLAGS="-DIPV4_L3FWD_LPM_MAX_RULES=$LPM4_RULES \
-DIPV4_L3FWD_LPM_NUMBER_TBL8S=$LPM4_TBL8S \
-DIPV6_L3FWD_LPM_MAX_RULES=$LPM6_RULES \
-DIPV6_L3FWD_LPM_NUMBER_TBL8S=$LPM6_TBL8S" \
	make -s -C "$out/src" >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; die "make failed (log: $out/build.log)"; }
cp "$out/src/build/l3fwd-shared" "$out/l3fwd"
echo "$out/l3fwd"
