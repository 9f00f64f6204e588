#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/quiet.sh: every cycle figure of issue 12, for a quiet machine (no
# other job: cycles are the neighbours' noise otherwise). One command:
#
#   1. `ixgate-bench compare --scenarios issue12 --huge`: on 2 MiB
#      hugepages, one interleaved run of two phases. Phase 1: testpmd,
#      l3fwd LPM, l3fwd ACL and ixgate on the real table (the `make bench`
#      comparison), l3fwd LPM and ixgate on the 16-route table, on IPv4
#      only and on IPv6 only, and ixgate with every feature off. Phase 2:
#      ixgate full beside no ACL rules, 65,535 rules, SAV off, no policer,
#      no countries. Every ratio of a target is taken inside a round.
#   2. the same on 4 KiB pages (--no-huge);
#   3. two workers against one (2 MiB pages): --workers 1, 2, 1, 2;
#   4. a summary of the ratios against the targets (both memories side by
#      side), each feature's cost and the scaling: printed, and written to
#      bench/results/quiet-DATE.{txt,json} beside the runs' own JSON.
#
# usage: bench/quiet.sh [--build DIR] [--no-build] [--rounds N]
#            [--duration S] [--warmup S] [--only huge|4k] [--no-scale]
#            [--hugepages N] [--dry-run] [-- IXGATE-BENCH-OPTION...]
# Defaults: build, 3 rounds x 3 s (+1 s warm-up) per DUT and scenario,
# both memories, the scaling step, 5,000 hugepages (10 GiB: an estimate
# for phase 1's eleven DUTs) reserved for the run (the old count restored
# after). The budget is printed first (about 12
# minutes with the defaults on 2 vCPUs); the instruction counts are not
# part of it (`make bench BENCH_ARGS=--callgrind`, bench/README.md).
set -u
cd "$(dirname "$0")/.." || exit 1

BUILD=build
NO_BUILD=
ROUNDS=3
DURATION=3
WARMUP=1
ONLY=
SCALE=1
PAGES=5000
DRY=0
usage() { sed -n '2,29s/^# \{0,1\}//p' "$0"; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--no-build) NO_BUILD=--no-build ;;
	--rounds) ROUNDS=$2; shift ;;
	--duration | -d) DURATION=$2; shift ;;
	--warmup) WARMUP=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--no-scale) SCALE=0 ;;
	--hugepages) PAGES=$2; shift ;;
	--dry-run) DRY=1 ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	*) echo "quiet.sh: unknown option '$1'" >&2; usage ;;
	esac
	shift
done
# After --: options for every ixgate-bench compare run (a smaller table
# to try the script: -- --mkconfig-arg=--table-routes --mkconfig-arg=1000).
EXTRA=("$@")
case $ONLY in "" | huge | 4k) ;; *) echo "quiet.sh: --only huge or 4k" >&2; exit 2 ;; esac
for v in "$ROUNDS" "$PAGES"; do
	case $v in '' | *[!0-9]*) echo "quiet.sh: --rounds and --hugepages take integers" >&2; exit 2 ;; esac
done
for v in "$DURATION" "$WARMUP"; do
	case $v in '' | *[!0-9.]* | *.*.*) echo "quiet.sh: --duration and --warmup take seconds" >&2; exit 2 ;; esac
done

MEMS="huge 4k"
[ -n "$ONLY" ] && MEMS=$ONLY
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results
mkdir -p "$OUT"
LOG=$OUT/quiet-$STAMP.log
SUMMARY=$OUT/quiet-$STAMP.txt

# The budget: phase 1 runs 11 DUT instances, phase 2 six, each
# rounds x (warm-up + window); loading: ~100 s (phase 1: four l3fwd
# loading full tables on two cores), ~20 s (phase 2), per memory; the
# scaling: four runs of 2 rounds, ~5 s to load each.
BUDGET=$(awk -v r="$ROUNDS" -v d="$DURATION" -v w="$WARMUP" -v m="$(echo $MEMS | wc -w)" \
	-v s="$SCALE" 'BEGIN { printf "%d", m * (17 * r * (d + w) + 120) + s * 4 * (2 * (d + w) + 5) + 30 }')
echo "quiet.sh: $(echo $MEMS | wc -w) memory mode(s) ($MEMS), $ROUNDS rounds x ${DURATION} s (+${WARMUP} s warm-up) per DUT and scenario, scaling step $([ $SCALE = 1 ] && echo on || echo off)"
echo "quiet.sh: time budget about $((BUDGET / 60)) min $((BUDGET % 60)) s (started $(date -u +%T) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)); log $LOG"
[ "$DRY" = 1 ] && exit 0

# Hugepages for the --huge runs: phase 1 holds eleven DUTs at once.
OLD_PAGES=$(cat /proc/sys/vm/nr_hugepages)
restore_pages() {
	if [ "$(cat /proc/sys/vm/nr_hugepages)" != "$OLD_PAGES" ]; then
		echo "$OLD_PAGES" >/proc/sys/vm/nr_hugepages 2>/dev/null &&
			echo "quiet.sh: hugepages back to $OLD_PAGES"
	fi
}
trap 'restore_pages' EXIT
trap 'exit 130' INT TERM
case " $MEMS " in *" huge "*)
	if [ "$OLD_PAGES" -lt "$PAGES" ]; then
		if echo "$PAGES" >/proc/sys/vm/nr_hugepages 2>/dev/null; then
			echo "quiet.sh: hugepages $OLD_PAGES -> $(cat /proc/sys/vm/nr_hugepages) (of $PAGES asked)"
		else
			echo "quiet.sh: cannot reserve $PAGES hugepages (not root?): the --huge runs may fail" >&2
		fi
	fi ;;
esac

stamp() { echo "== $* $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$LOG"; }
# run NAME ARGS...: one ixgate-bench compare; its result path in RESULT.
run() {
	local name=$1
	shift
	stamp "start $name"
	bench/ixgate-bench compare --build "$BUILD" $NO_BUILD --no-plot \
		--rounds "$ROUNDS" -d "$DURATION" --warmup "$WARMUP" "$@" ${EXTRA[@]+"${EXTRA[@]}"} \
		>"$OUT/quiet-$STAMP-$name.out" 2>>"$LOG"
	local rc=$?
	RESULT=$(sed -n 's/^result: *//p' "$OUT/quiet-$STAMP-$name.out" | tail -1)
	stamp "end $name (exit $rc) ${RESULT:-no result}"
	rm -f /dev/hugepages/ixgb-* 2>/dev/null
	[ "$rc" = 0 ] && [ -n "$RESULT" ]
}

ARGS=()
for m in $MEMS; do
	if [ "$m" = huge ]; then
		run scenarios-huge --scenarios issue12 --huge && ARGS+=(--scenarios "hugepages=$RESULT")
	else
		run scenarios-4k --scenarios issue12 && ARGS+=(--scenarios "4 KiB=$RESULT")
	fi
	# The first run built what was needed.
	NO_BUILD=--no-build
done
if [ "$SCALE" = 1 ]; then
	SAVED=$ROUNDS
	ROUNDS=2
	for w in 1 2 1 2; do
		run "scale-$w" --huge --duts ixgate --workers "$w" && ARGS+=(--scale "$RESULT")
	done
	ROUNDS=$SAVED
fi
[ ${#ARGS[@]} -gt 0 ] || { echo "quiet.sh: no run gave a result (log: $LOG)" >&2; exit 1; }
python3 bench/compare/summary.py --out "$OUT/quiet-$STAMP.json" "${ARGS[@]}" | tee "$SUMMARY"
echo
echo "summary: $SUMMARY ($OUT/quiet-$STAMP.json); runs: $LOG"
