#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Golden config tests, byte for byte:
#   good/X.conf  `ixgate-conf print X.conf` == good/X.out, and `check` passes
#   bad/Y.conf   `ixgate-conf check Y.conf` fails with exit 1 and its stderr
#                == bad/Y.err
# Each runs from its own directory so file names in diagnostics are stable.
# Usage: run_golden.sh IXGATE_CONF DIR [--update]
set -u
bin=$1
dir=$(cd "$2" && pwd)
update=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

report() {
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $2"
	fi
}

cd "$dir/good" || exit 1
for f in *.conf; do
	n=${f%.conf}
	"$bin" print "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ -n "$update" ] && cp "$tmp/out" "$n.out"
	if [ $rc -ne 0 ]; then
		report fail "good/$f: print exited $rc"; cat "$tmp/err"
	elif ! cmp -s "$tmp/out" "$n.out"; then
		report fail "good/$f: print differs from $n.out"
		diff -u "$n.out" "$tmp/out" | head -40
	else
		report ok
	fi
	if ! "$bin" check "$f" >"$tmp/out" 2>"$tmp/err"; then
		report fail "good/$f: check failed"; cat "$tmp/err"
	else
		report ok
	fi
done

cd "$dir/bad" || exit 1
for f in *.conf; do
	n=${f%.conf}
	"$bin" check "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ -n "$update" ] && cp "$tmp/err" "$n.err"
	if [ $rc -ne 1 ]; then
		report fail "bad/$f: check exited $rc, expected 1"
	elif [ -s "$tmp/out" ]; then
		report fail "bad/$f: check printed to stdout"
	elif ! cmp -s "$tmp/err" "$n.err"; then
		report fail "bad/$f: diagnostics differ from $n.err"
		diff -u "$n.err" "$tmp/err" | head -40
	else
		report ok
	fi
done

echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
