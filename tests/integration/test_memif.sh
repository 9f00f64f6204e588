#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Two DPDK processes over net_memif: dpdk-testpmd (the traffic source) and
# ixgate-dataplane, each a primary with its own --file-prefix, joined by a
# memif socket in $TMP. The dataplane's p0 is the memif server (it is up
# before anyone connects), p1 is net_null; testpmd has the memif client and
# a net_pcap port reading a finite generated capture, in io forwarding:
# pcap RX -> memif TX (into the dataplane's p0) and memif RX -> pcap TX (what
# the dataplane sends back through p0, written to back.pcap).
#
# Checks, after the capture has gone through:
#   - the dataplane received exactly what testpmd's memif port transmitted
#     (nothing lost between the processes);
#   - testpmd transmitted the whole capture, and then the final counters
#     equal ixgate-pcapgen's expectation (rx, tx, local, every drop reason,
#     per-peer rx/tx) and the invariant rx == tx + local + drops holds;
#   - what came back over memif is exactly what the counters say left
#     through p0 (forwarded to p0's peers, local answers, ICMP errors).
#
# Why testpmd needs care here (DPDK 22.11, drivers/net/memif):
#   - the memif PMD registers a multi-process action at probe time
#     (rte_mp_action_register), which EAL refuses with --no-shconf or
#     --in-memory (IPC disabled): the probe fails. So both processes run
#     --no-huge (memfd-backed memory) WITHOUT --no-shconf, each with its own
#     --file-prefix; the runtime directories are removed at exit. Copy mode
#     (zero-copy=no, the default) keeps the shared packet memory in memif's
#     own memfd regions, so no EAL memory is shared and no
#     --single-file-segments is needed;
#   - testpmd drains ("flushes") its RX queues on "start": that would
#     swallow the finite capture, hence --no-flush-rx;
#   - with stdout to a file testpmd's output is block-buffered, hence
#     stdbuf -oL, so the script can read port states and stats as they come;
#   - the client makes the rings: rsize=12 (4096 slots) holds the whole
#     capture, and "set fwd io retry" makes testpmd retry a full ring
#     rather than drop; forwarding starts only once the memif link is up.
#
# MEMIF_MPPS_SECONDS=N (optional, not an assertion): afterwards, a second run
# with infinite_rx=1 on testpmd's pcap port measures for N seconds the rate
# at which the dataplane receives over memif, and prints it.
. "$(dirname "$0")/lib.sh"
need_tools
need_file "$GEN"
need_file "$DEMO_CONF"
TESTPMD=$(command -v dpdk-testpmd) ||
	skip "dpdk-testpmd not installed (Debian package 'dpdk')"
command -v stdbuf >/dev/null || skip "stdbuf (coreutils) not installed"

COUNT=4096
SOCK=$TMP/memif.sock
DP_PREFIX="$(eal_prefix)-dp"
SRC_PREFIX="$(eal_prefix)-src"

# EAL memory: --no-huge -m MB by default; with IXG_HUGE=1 and at least 256
# free 2 MiB pages, hugepages taken as needed (no -m), their files unlinked
# at once (--huge-unlink). Never --no-shconf/--in-memory (see above).
memif_mem_args() {
	local free
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null)
	if [ "${IXG_HUGE:-0}" = 1 ] && [ "${free:-0}" -ge 256 ]; then
		echo "--huge-unlink"
	else
		echo "--no-huge -m $1"
	fi
}

# EAL's runtime directory for a file prefix (eal_get_runtime_dir()).
runtime_dir() {
	if [ "$(id -u)" = 0 ]; then
		echo "/var/run/dpdk/$1"
	else
		echo "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$1"
	fi
}

memif_cleanup() {
	exec 7>&- 2>/dev/null
	ixg_cleanup
	rm -rf "$(runtime_dir "$DP_PREFIX")" "$(runtime_dir "$SRC_PREFIX")"
}
trap memif_cleanup EXIT

memif_fail() {
	echo "--- dataplane stderr:" >&2
	tail -15 "$TMP/dp.err" >&2
	echo "--- testpmd output:" >&2
	tail -25 "$TMP/src.out" >&2
	tail -5 "$TMP/src.err" >&2
	fail "$1"
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

alive() {
	kill -0 "$1" 2>/dev/null
}

# lines_at_least FILE REGEX N: FILE has at least N lines matching REGEX (-E).
lines_at_least() {
	[ "$(grep -cE -- "$2" "$1")" -ge "$3" ]
}

# start_dataplane TIMEOUT: ixgate-dataplane with p0 = memif server on $SOCK,
# p1 = net_null; returns once its workers run. Sets DP_PID.
start_dataplane() {
	: >"$TMP/dp.err"
	# shellcheck disable=SC2046 # word splitting of the EAL memory arguments
	bg timeout "$1" "$DP" -l 0,1 $(memif_mem_args 1024) --no-pci \
		--file-prefix "$DP_PREFIX" --log-level='*:warning' -- \
		--config "$DEMO_CONF" \
		--device "p0=net_memif0,role=server,id=0,socket=$SOCK,socket-abstract=no" \
		--device "p1=net_null1,no-rx=1" \
		--json-out "$TMP/live.json" \
		>"$TMP/dp.out" 2>"$TMP/dp.err"
	DP_PID=$BG_PID
	if ! wait_for 30 grep -q '^ixgate-dataplane: node' "$TMP/dp.err"; then
		if grep -qiE 'cannot (init|allocate) memory|no free hugepages' \
			"$TMP/dp.err"; then
			tail -10 "$TMP/dp.err" >&2
			skip "EAL could not get memory for the dataplane"
		fi
		# memif cannot run without EAL's multi-process channel, and that
		# lives in the runtime directory.
		if grep -qi 'cannot create runtime directory' "$TMP/dp.err"; then
			skip "no writable EAL runtime directory ($(runtime_dir x)):" \
				"memif needs EAL's multi-process IPC"
		fi
		memif_fail "dataplane did not start"
	fi
	[ -S "$SOCK" ] || memif_fail "dataplane is up but $SOCK is no socket"
}

# start_source TIMEOUT PCAP_DEVARGS: testpmd, interactive on the fifo
# $TMP/src.fifo (fd 7), ports: the memif client and net_pcap0 with
# PCAP_DEVARGS. Forwarding runs on lcore 0 (main lcore 1 only reads
# commands), away from the dataplane's worker on lcore 1. Sets SRC_PID.
start_source() {
	rm -f "$TMP/src.fifo"
	mkfifo "$TMP/src.fifo" || fail "mkfifo"
	exec 7<>"$TMP/src.fifo"
	: >"$TMP/src.out"
	# Not through bg(): bash gives a command started with & inside a
	# function /dev/null as stdin, whatever the function's redirections.
	# shellcheck disable=SC2046 # word splitting of the EAL memory arguments
	timeout "$1" stdbuf -oL "$TESTPMD" -l 0,1 --main-lcore 1 \
		$(memif_mem_args 512) --no-pci --file-prefix "$SRC_PREFIX" \
		--log-level='*:warning' \
		--vdev "net_memif0,role=client,id=0,socket=$SOCK,socket-abstract=no,rsize=12" \
		--vdev "net_pcap0,$2" \
		-- -i --forward-mode=io --no-flush-rx --total-num-mbufs=16384 \
		<&7 >"$TMP/src.out" 2>"$TMP/src.err" &
	SRC_PID=$!
	IXG_PIDS+=("$SRC_PID")
	# Commands written before the first prompt can be lost: wait for it.
	wait_for 30 grep -q '^testpmd> ' "$TMP/src.out" ||
		memif_fail "testpmd did not reach its prompt"
}

src_cmd() {
	alive "$SRC_PID" || memif_fail "testpmd exited"
	echo "$1" >&7
}

# src_summary: testpmd's "show port summary all" output; sets MEMIF_PORT
# (the memif port's id) and MEMIF_LINK (up/down) from the last one printed.
src_summary() {
	local before line
	before=$(grep -c '^Port  *MAC Address' "$TMP/src.out")
	src_cmd "show port summary all"
	# A summary is complete with its second port's line.
	wait_for 5 lines_at_least "$TMP/src.out" '^[0-9]+ +[0-9A-F:]{17} ' \
		$(((before + 1) * 2)) || memif_fail "no port summary"
	line=$(grep -E '^[0-9]+ +[0-9A-F:]{17} +net_memif0 ' "$TMP/src.out" |
		tail -1)
	MEMIF_PORT=$(echo "$line" | awk '{print $1}')
	MEMIF_LINK=$(echo "$line" | awk '{print $5}')
}

link_up() {
	src_summary
	[ "$MEMIF_LINK" = up ]
}

# src_stats: "show port stats all"; sets MEMIF_RX, MEMIF_TX (the memif
# port's RX/TX-packets) and PCAP_RX (the pcap port's RX-packets) from the
# newest complete blocks.
src_stats() {
	local before out
	before=$(grep -c '^  Tx-pps:' "$TMP/src.out")
	src_cmd "show port stats all"
	wait_for 10 lines_at_least "$TMP/src.out" '^  Tx-pps:' $((before + 2)) ||
		memif_fail "no port stats"
	out=$(python3 - "$TMP/src.out" "$MEMIF_PORT" <<'EOF2'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"NIC statistics for port (\d+) +#+\n(.*?)Tx-pps:", text, re.S)
def last(match):
    b = [b[1] for b in blocks if match(b[0])][-1]
    return [re.search(f + r"-packets: +(\d+)", b).group(1) for f in ("RX", "TX")]
memif = last(lambda p: p == sys.argv[2])
pcap = last(lambda p: p != sys.argv[2])
print(memif[0], memif[1], pcap[0])
EOF2
) || memif_fail "cannot parse testpmd's port stats"
	read -r MEMIF_RX MEMIF_TX PCAP_RX <<<"$out"
}

# dp_stats: the dataplane's p0 from telemetry (/ixgate/ports): sets DP_RX
# (packets through p0's pipeline), DP_OPACKETS (the memif device's TX) and
# DP_TIME (when it answered, Unix seconds).
dp_stats() {
	local out
	out=$(python3 - "$(runtime_dir "$DP_PREFIX")/dpdk_telemetry.v2" <<'EOF2'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
s.recv(65536)  # greeting
s.send(b"/ixgate/ports")
ports = json.loads(s.recv(1 << 20).decode())["/ixgate/ports"]["ports"]
p0 = next(p for p in ports.values() if p["name"] == "p0")
print(p0["rx_packets"], p0["opackets"], time.time())
EOF2
) || memif_fail "dataplane telemetry did not answer"
	read -r DP_RX DP_OPACKETS DP_TIME <<<"$out"
}

# Stop the dataplane with SIGINT (final counters to live.json).
stop_dataplane() {
	kill -INT "$DP_PID" 2>/dev/null
	wait "$DP_PID"
	local rc=$?
	[ $rc -eq 0 ] || memif_fail "dataplane exited $rc"
	[ -s "$TMP/live.json" ] || memif_fail "no --json-out written"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
		"$TMP/live.json" || memif_fail "live JSON is not valid"
}

# Stop testpmd's forwarding and wait until its lcores have finished. This
# must come before the dataplane goes: when the memif server closes, the
# client unmaps the shared regions from EAL's interrupt thread while its
# forwarding lcore may still be polling them (drivers/net/memif has no
# synchronisation there): testpmd crashed so under MALLOC_PERTURB_.
stop_forwarding() {
	local before
	before=$(grep -c '^Done\.$' "$TMP/src.out")
	src_cmd "stop"
	wait_for 10 lines_at_least "$TMP/src.out" '^Done\.$' $((before + 1)) ||
		memif_fail "testpmd did not stop"
}

stop_source() {
	src_cmd "quit"
	wait "$SRC_PID" || memif_fail "testpmd exited $?"
	exec 7>&-
}

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 13 --port p0 --expect "$TMP/expect.json" || fail "ixgate-pcapgen"

start_dataplane 120
start_source 100 "rx_pcap=$TMP/in.pcap,tx_pcap=$TMP/back.pcap"
wait_for 20 link_up || memif_fail "memif link not up after 20 s"
log "memif link up (testpmd port $MEMIF_PORT)"
src_cmd "set fwd io retry"
src_cmd "start"

# Quiescent when testpmd has read the whole capture, the dataplane has
# received all testpmd put on memif and testpmd all the dataplane sent
# back, twice in a row (a burst may sit between testpmd's RX and TX).
settled=0
deadline=$((SECONDS + 60))
while [ $SECONDS -lt $deadline ]; do
	sleep 0.2
	alive "$DP_PID" || memif_fail "dataplane exited early"
	src_stats
	dp_stats
	if [ "$PCAP_RX" -eq $COUNT ] && [ "$DP_RX" -eq "$MEMIF_TX" ] &&
		[ "$MEMIF_RX" -eq "$DP_OPACKETS" ]; then
		settled=$((settled + 1))
		[ $settled -ge 2 ] && break
	else
		settled=0
	fi
done
log "testpmd read $PCAP_RX, sent $MEMIF_TX and got back $MEMIF_RX over memif;" \
	"the dataplane received $DP_RX and sent $DP_OPACKETS"
[ $settled -ge 2 ] || memif_fail "traffic did not settle in time"
SENT=$MEMIF_TX
BACK=$MEMIF_RX
stop_forwarding
stop_dataplane
stop_source

J=$TMP/live.json
check_invariant "$J"
assert_eq "dataplane p0 received what testpmd sent over memif" "$SENT" \
	"$(json_get "$J" ports.p0.rx_packets)"
assert_eq "testpmd sent the whole capture over memif" $COUNT "$SENT"
compare_counters "$TMP/expect.json" "$J" "memif vs generator"
want_back=$(python3 - "$J" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
p = j["ports"]["p0"]
# ICMP errors the node generates leave through the ingress port, p0.
print(p["tx_packets"] + p["local_packets"] + j.get("icmp_generated", 0))
PY
)
assert_eq "frames testpmd received back over memif" "$want_back" "$BACK"
assert_eq "frames in back.pcap" "$want_back" "$(pcap_count "$TMP/back.pcap")"

if [ -n "${MEMIF_MPPS_SECONDS:-}" ]; then
	secs=$MEMIF_MPPS_SECONDS
	rm -f "$TMP/live.json"
	start_dataplane $((secs + 60))
	# No tx_pcap: the pcap PMD drops what it is given to send.
	start_source $((secs + 50)) "rx_pcap=$TMP/in.pcap,infinite_rx=1"
	wait_for 20 link_up || memif_fail "memif link not up after 20 s"
	src_cmd "start"
	sleep 2
	dp_stats
	rx0=$DP_RX
	t0=$DP_TIME
	sleep "$secs"
	dp_stats
	rx1=$DP_RX
	t1=$DP_TIME
	stop_forwarding
	stop_dataplane
	stop_source
	python3 - "$rx0" "$rx1" "$t0" "$t1" "$J" <<'PY'
import json, sys
rx0, rx1 = int(sys.argv[1]), int(sys.argv[2])
dt = float(sys.argv[4]) - float(sys.argv[3])
j = json.load(open(sys.argv[5]))
print("# memif throughput: the dataplane received %.3f Mpps over memif "
      "(%d packets in %.2f s, imix); run total: rx %d, tx %d, tx_full %d" %
      ((rx1 - rx0) / dt / 1e6, rx1 - rx0, dt, j["rx_packets"],
       j["tx_packets"], j["drops"].get("tx_full", 0)))
PY
	check_invariant "$J"
fi
echo "PASS"
