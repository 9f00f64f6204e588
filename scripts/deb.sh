#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make deb: build the Debian package from this tree, out of tree.
#   sh scripts/deb.sh [OUTDIR]      (default build-deb)
# Copies the tracked and untracked-but-not-ignored files (what `git
# ls-files` sees, as they are now) with their `git describe` into
# OUTDIR/ixgate-VERSION/, runs `dpkg-buildpackage -b -us -uc` there, and
# leaves ixgate_VERSION_ARCH.deb (and .buildinfo, .changes) in OUTDIR.
set -eu
OUT=${1:-build-deb}
cd "$(dirname "$0")/.."
command -v dpkg-buildpackage >/dev/null || { echo "deb: dpkg-dev is not installed (scripts/deps.sh)" >&2; exit 1; }
command -v dh >/dev/null || { echo "deb: debhelper is not installed (scripts/deps.sh)" >&2; exit 1; }

version=$(dpkg-parsechangelog -S Version)
meson_version=$(sed -n "s/^[[:space:]]*version: '\([^']*\)'.*/\1/p" meson.build | head -1)
if [ "${version%%-*}" != "$meson_version" ]; then
	echo "deb: debian/changelog says $version, meson.build $meson_version: add a changelog entry" >&2
	exit 1
fi
describe=$(git describe --always --dirty --tags 2>/dev/null || echo unknown)

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
src=$OUT/ixgate-$version
rm -rf "$src"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
	xargs -0 -I{} sh -c 'test -e "$1" && printf "%s\0" "$1"' _ {} |
	tar --null -T - -cf - | tar -xf - -C "$src"
echo "$describe" >"$src/.git-describe"
echo "deb: building ixgate $version (git $describe) in $src"

cd "$src"
DEB_BUILD_OPTIONS="nocheck parallel=${DEB_JOBS:-2} ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -b -us -uc >"$OUT/build.log" 2>&1 || {
	tail -40 "$OUT/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log is $OUT/build.log" >&2
	exit 1
}
cd "$OUT"
rm -rf "$src"
ls -1 "$OUT"/ixgate_"$version"_*.deb
