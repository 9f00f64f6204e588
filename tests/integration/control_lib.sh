# SPDX-License-Identifier: BSD-3-Clause
# control_lib.sh - helpers for the ixgate-control integration tests (source
# after lib.sh): a private copy of config/ with real devices, and starting
# the dataplane, the daemon and ixgatectl on sockets in $TMP.
CTLD=$BUILD/control/ixgate-control
CTL=$BUILD/control/ixgatectl
CONF_DIR=$TMP/conf
CONF=$CONF_DIR/demo.conf
API_SOCK=$TMP/dp.sock
CTL_SOCK=$TMP/ctl.sock
AUDIT=$TMP/audit.log
STATE=$TMP/state

# copy_config P0_DEVICE P1_DEVICE: config/ to $CONF_DIR with the ports'
# devices replaced (a commit may not change a port's device).
copy_config() {
	mkdir -p "$CONF_DIR"
	cp -r "$SRC"/config/* "$CONF_DIR/"
	chmod -R go-w "$CONF_DIR"
	sed -i "s|device \"net_ring0\";|device \"$1\";|; s|device \"net_ring1\";|device \"$2\";|" "$CONF"
	grep -q "$1" "$CONF" || fail "could not set p0's device"
}

# start_dp DURATION JSON_OUT [OPTION...]: the dataplane on $CONF, API on
# $API_SOCK, with the extra dataplane options given.
start_dp() {
	local duration=$1 out=$2
	shift 2
	# shellcheck disable=SC2046 # word splitting of the EAL arguments
	bg timeout $((duration + 30)) "$DP" -l 0,1 $(eal_mem_args) --no-pci \
		--file-prefix "$(eal_prefix)-$RANDOM" --log-level='*:warning' -- \
		--config "$CONF" --api-socket "$API_SOCK" --duration "$duration" \
		--json-out "$out" "$@" >>"$TMP/dp.out" 2>>"$TMP/dp.err"
	DP_PID=$BG_PID
	# Bounds for a loaded machine (an ASan dataplane at load 30 took
	# more than 20 s); met at once when idle.
	wait_for 120 test -S "$API_SOCK" ||
		{ tail -20 "$TMP/dp.err" >&2; fail "dataplane API socket never appeared"; }
	# The dataplane itself (DP_PID is the `timeout` around it): for
	# signals that must reach it (SIGSTOP, SIGKILL).
	DP_REAL_PID=$(pgrep -P "$DP_PID" | head -1)
	[ -n "$DP_REAL_PID" ] || fail "no dataplane process under $DP_PID"
}

# start_ctld [OPTION...]: ixgate-control on $CONF, its sockets, audit log
# and state directory in $TMP, with the extra options given.
start_ctld() {
	bg "$CTLD" --config "$CONF" --api-socket "$API_SOCK" \
		--ctl-socket "$CTL_SOCK" --audit-log "$AUDIT" \
		--state-dir "$STATE" "$@" \
		>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
	CTLD_PID=$BG_PID
	wait_for 60 test -S "$CTL_SOCK" ||
		{ cat "$TMP/ctld.err" >&2; fail "ixgate-control socket never appeared"; }
}

ctl() {
	"$CTL" --socket "$CTL_SOCK" "$@"
}

# wait_for SECONDS CMD...: poll CMD every 100 ms.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# ge_now MIN CMD...: the number CMD prints now is at least MIN (for
# wait_for, which runs it again at every try; `wait_for N test "$(CMD)"`
# would compare the value read once).
ge_now() {
	local min=$1 v
	shift
	v=$("$@") && [ "$v" -ge "$min" ] 2>/dev/null
}

# The running generation as ixgatectl shows it.
generation() {
	ctl --json show generation | python3 -c '
import json, sys
j = json.load(sys.stdin)
g = j.get("generation")
print(g["running"] if isinstance(g, dict) else g)'
}

# gen_field KEY: a field of `ixgatectl --json show generation`.
gen_field() {
	ctl --json show generation | python3 -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print(json.dumps(v) if isinstance(v, (bool, type(None))) else v)' "$1"
}

dp_is_connected() {
	ctl show generation | grep -q "^dataplane *connected"
}

# reload_connected OUT: `ixgatectl reload` (its output in OUT) once the
# daemon has its dataplane. Under load a stall of the daemon's loop past a
# request's 5 s deadline (a GET_STATE poll) makes it drop the connection
# and reconnect 0.5 s later; a reload in between fails "dataplane not
# connected" (test_prometheus did, once, at load ~30), which is not what a
# test of the reload itself tests. On failure, the daemon's connection log.
reload_connected() {
	wait_for 60 dp_is_connected ||
		{ tail -20 "$TMP/ctld.err" >&2; fail "dataplane not connected for 60 s"; }
	ctl reload >"$1" 2>&1 && return 0
	cat "$1" >&2
	grep -E "dataplane (disconnected|connected)" "$TMP/ctld.err" | tail -5 >&2
	return 1
}

# big_table [N4 [N6]]: a synthetic full-size table in $CONF_DIR/data:
# big4.txt, N4 (default 1,048,576) IPv4 /30s in 100.64.0.0/10, and
# big6.txt, N6 (default 300,000) IPv6 /48s in 3fff::/20. The demo's ACL
# denies both ranges before any route lookup: announcing them moves no
# verdict of the demo's traffic.
big_table() {
	python3 - "$CONF_DIR/data" "${1:-1048576}" "${2:-300000}" <<'PY' || fail "big_table"
import sys
d, n4, n6 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(d + "/big4.txt", "w") as f:
    f.write("".join("100.%d.%d.%d/30\n" % (64 + (i >> 14), (i >> 6) & 255, (i & 63) << 2)
                    for i in range(n4)))
with open(d + "/big6.txt", "w") as f:
    f.write("".join("3fff:%x:%x::/48\n" % (i >> 16, i & 0xffff) for i in range(n6)))
PY
}

# big_to NEXT_HOP: the member of peers.d/asean.conf with that IPv4 next hop
# (198.18.6.2 lao-telecom, 198.18.7.2 mpt) announces the big table, and
# no other member does.
big_to() {
	python3 - "$CONF_DIR/peers.d/asean.conf" "$1" <<'PY' || fail "big_to"
import sys
p, nh = sys.argv[1], sys.argv[2]
files = '\tannounce-file "../data/big4.txt";\n\tannounce-file "../data/big6.txt";\n'
t = open(p).read().replace(files, "")
line = "\tnext-hop %s;\n" % nh
assert line in t, nh
open(p, "w").write(t.replace(line, line + files, 1))
PY
}

# compare_loops LIVE_JSON COUNT EXPECT_JSON LABEL GENERATOR_OPTION...: a
# capture of COUNT frames ($TMP/in.pcap, made by the generator with these
# options) replayed from memory (infinite_rx) into p0 was received as N
# whole copies plus its first R frames; every counter of LIVE_JSON must
# equal N x EXPECT_JSON (the generator's expectation for the capture) +
# the generator's expectation for R frames (made again with the same
# options: the generator is a stream, checked).
compare_loops() {
	local live=$1 count=$2 expect=$3 label=$4 rx loops rest
	shift 4
	rx=$(json_get "$live" ports.p0.rx_packets)
	assert_eq "everything received came in on p0" "$rx" "$(json_get "$live" rx_packets)"
	loops=$((rx / count))
	rest=$((rx % count))
	log "p0 received $rx = $loops x $count + $rest"
	[ "$loops" -ge 10 ] || fail "only $loops loops of the capture: no sustained load"
	if [ "$rest" -gt 0 ]; then
		timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/rest.pcap" \
			--count "$rest" "$@" --expect "$TMP/expect_rest.json" \
			>/dev/null || fail "ixgate-pcapgen (rest)"
		python3 - "$TMP/in.pcap" "$TMP/rest.pcap" <<'PY' || fail "generator is not a stream"
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
# Same global header, then the rest's records are a prefix of the capture's.
if a[:len(b)] != b:
    sys.exit("FAIL: %s is not a prefix of %s" % (sys.argv[2], sys.argv[1]))
PY
	else
		echo '{"rx_packets": 0, "tx_packets": 0, "local_packets": 0}' >"$TMP/expect_rest.json"
	fi
	python3 - "$expect" "$TMP/expect_rest.json" "$loops" \
		>"$TMP/expect_total.json" <<'PY' || fail "scaling the expectation"
import json, sys
full, rest, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
if full.get("approximate"):
    sys.exit("the capture has policed traffic: %r" % full["approximate"])
out = {k: n * full[k] + rest.get(k, 0) for k in ("rx_packets", "tx_packets", "local_packets")}
out["drops"] = {r: n * v + rest.get("drops", {}).get(r, 0) for r, v in full["drops"].items()}
out["peers"] = {}
for name in set(full.get("peers", {})) | set(rest.get("peers", {})):
    f, r = full.get("peers", {}).get(name, {}), rest.get("peers", {}).get(name, {})
    out["peers"][name] = {k: n * f.get(k, 0) + r.get(k, 0) for k in ("rx_packets", "tx_packets")}
json.dump(out, sys.stdout)
PY
	compare_counters "$TMP/expect_total.json" "$live" \
		"$label vs $loops x generator + $rest"
}

# drops REASON: the node's drops of that reason (show drops), packets.
drops() {
	ctl --json show drops | python3 -c '
import json, sys
v = [d["packets"] for d in json.load(sys.stdin)["drops"] if d["reason"] == sys.argv[1]]
if None in v:
    sys.exit("drops %s: null: ixgate-control has no dataplane connected" % sys.argv[1])
print(sum(v))' "$1"
}

# peer_tx NAME: packets forwarded to the peer so far.
peer_tx() {
	ctl --json show peer "$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["peer"]["counters"]["tx_packets"])'
}

# grows CMD...: the number CMD prints grows within 10 s (50 x 0.2 s).
grows() {
	local a b
	a=$("$@")
	for _ in $(seq 1 50); do
		sleep 0.2
		b=$("$@")
		[ "$b" -gt "$a" ] 2>/dev/null && return 0
	done
	return 1
}

# still CMD...: the number CMD prints does not move over 1 s.
still() {
	local a b
	a=$("$@")
	sleep 1
	b=$("$@")
	[ "$a" = "$b" ]
}

# member_pcap FILE SRC_IP: 64 UDP frames from member ma (MAC
# 02:00:00:00:0a:01, source SRC_IP, a dotted quad) to 203.0.113.5, port
# 4000 to 5000 (rib_lib.sh, test_control_reload_sav.sh).
member_pcap() {
	PYTHONPATH=$SRC/tests/integration python3 - "$1" "$2" <<'PY' || fail "pcap"
import struct, sys
from frames import eth, ipv4, write_pcap
udp = struct.pack("!HHHH", 4000, 5000, 8 + 18, 0) + b"x" * 18
frame = (eth("02:00:00:00:00:01", "02:00:00:00:0a:01", 0, 0x0800) +
         ipv4(sys.argv[2], "203.0.113.5", 17, udp))
write_pcap(sys.argv[1], [frame] * 64)
PY
}

# flows_pcap FILE: 512 UDP frames (02:00:00:00:0a:01 to 02:00:00:00:00:01),
# 256 flows (two frames each) from 198.51.100.1-254 to 203.0.113.1-7, ports
# varied: enough flows for an ECMP spread (test_ecmp.sh, test_ecmp_config.sh).
flows_pcap() {
	PYTHONPATH=$SRC/tests/integration python3 - "$1" <<'PY' || fail "pcap"
import struct, sys
from frames import eth, ipv4, write_pcap
frames = []
for rep in range(2):
    for fl in range(256):
        udp = struct.pack("!HHHH", 1024 + fl * 7, 5000 + fl % 3, 8 + 18, 0) + b"x" * 18
        frames.append(eth("02:00:00:00:00:01", "02:00:00:00:0a:01", 0, 0x0800) +
                      ipv4("198.51.100.%d" % (1 + fl % 254), "203.0.113.%d" % (1 + fl % 7), 17, udp))
write_pcap(sys.argv[1], frames)
PY
}
