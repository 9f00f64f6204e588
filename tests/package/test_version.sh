#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Every program answers --version with "NAME VERSION (git DESCRIBE)" on
# stdout, exit 0, nothing on stderr, and starts nothing (ixgate-dataplane
# and ixgate-gen answer before EAL). DESCRIBE is the tree's git describe
# (or .git-describe of an exported tree).
# Usage: test_version.sh VERSION PROGRAM...   (meson passes the built ones)
set -u
VERSION=$1
shift
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
fails=0
if [ -f "$SRC/.git-describe" ]; then
	want_git=$(cat "$SRC/.git-describe")
else
	want_git=$(git -C "$SRC" describe --always --dirty --tags 2>/dev/null || echo unknown)
fi
# The build happened before this run: a dirty flag may differ, the commit
# may not. Compare without "-dirty".
want_git=${want_git%-dirty}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for prog in "$@"; do
	name=$(basename "$prog")
	# Also after other words: "--version" is seen wherever it stands.
	for args in "--version" "check --version"; do
		# shellcheck disable=SC2086
		timeout 10 "$prog" $args >"$tmp/out" 2>"$tmp/err"
		rc=$?
		out=$(cat "$tmp/out")
		if [ $rc -ne 0 ]; then
			echo "FAIL: $name $args: exit $rc"; fails=$((fails + 1))
		elif [ -s "$tmp/err" ]; then
			echo "FAIL: $name $args: stderr: $(cat "$tmp/err")"; fails=$((fails + 1))
		elif ! [[ $out =~ ^$name\ $VERSION\ \(git\ ([^\)]+)\)$ ]]; then
			echo "FAIL: $name $args: '$out'"; fails=$((fails + 1))
		elif [ "${BASH_REMATCH[1]%-dirty}" != "$want_git" ]; then
			echo "FAIL: $name: git '${BASH_REMATCH[1]}', tree says '$want_git'"
			fails=$((fails + 1))
		else
			echo "ok: $out"
		fi
	done
done
[ $fails -eq 0 ] || exit 1
