#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Fast checks of debian/ (the full build and install is test_deb, suite
# slow): the changelog's version is meson's project version (scripts/deb.sh
# refuses a mismatch), debian/control parses and every build dependency is
# installed (dpkg-checkbuilddeps), debian/rules is executable and names
# each path option meson has, the maintainer scripts are valid sh.
set -u
cd "$SRC" || exit 1
command -v dpkg-parsechangelog >/dev/null || { echo "SKIP: dpkg-dev not installed"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
v=$(dpkg-parsechangelog -S Version) || fail "debian/changelog does not parse"
m=$(sed -n "s/^[[:space:]]*version: '\([^']*\)'.*/\1/p" meson.build | head -1)
[ "${v%%-*}" = "$m" ] || fail "debian/changelog $v, meson.build $m"
echo "# ok: version $v"
dpkg-checkbuilddeps debian/control || fail "build dependencies missing (scripts/deps.sh)"
echo "# ok: build dependencies installed"
[ -x debian/rules ] || fail "debian/rules is not executable"
for o in systemdunitdir tmpfilesdir bashcompletiondir rundir; do
	grep -q "^option('$o'" meson_options.txt || fail "meson has no option $o"
	grep -q -- "-D$o=" debian/rules || fail "debian/rules does not set $o"
done
for s in debian/*.postinst debian/*.postrm debian/*.prerm; do
	sh -n "$s" || fail "$s: syntax"
done
echo "# ok: debian/rules and maintainer scripts"
