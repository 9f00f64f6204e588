#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Golden config tests, byte for byte:
#   good/X.conf  `ixgate-conf print X.conf` == good/X.out, and `check` passes
#                (and `ixgate-conf dump X.conf` == good/X.dump where there is one)
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
	[ -f "$n.dump" ] || continue
	"$bin" dump "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ -n "$update" ] && cp "$tmp/out" "$n.dump"
	if [ $rc -ne 0 ]; then
		report fail "good/$f: dump exited $rc"; cat "$tmp/err"
	elif ! cmp -s "$tmp/out" "$n.dump"; then
		report fail "good/$f: dump differs from $n.dump"
		diff -u "$n.dump" "$tmp/out" | head -40
	else
		report ok
	fi
	# The dump's groups re-parse: each one's { via ...; } pasted into a
	# new route block of the same file gives the same groups.
	grep '^  group ' "$tmp/out" | sed 's/ routes ipv4 .*//' >"$tmp/groups"
	awk '{ sub(/^  group [0-9]+ /, ""); n = NR - 1
		printf "route 10.%d.%d.0/24 %s\n", n / 256, n % 256, $0 }' \
		"$tmp/groups" | cat "$f" - >"$tmp/re.conf"
	"$bin" dump "$tmp/re.conf" 2>"$tmp/err" | grep '^  group ' |
		sed 's/ routes ipv4 .*//' >"$tmp/regroups"
	if [ ! -s "$tmp/groups" ] || ! cmp -s "$tmp/groups" "$tmp/regroups"; then
		report fail "good/$f: the dump's groups do not re-parse to the same groups"
		cat "$tmp/err"
		diff -u "$tmp/groups" "$tmp/regroups" | head -20
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
