#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# sFlow v5 to real collectors on loopback: pmacct's sfacctd and tshark.
#
# The dataplane replays the demo's traffic (a 4096-frame capture of known
# composition, from memory) into p0; ixgate-control exports sFlow to
# sfacctd on 127.0.0.1 (aggregating by src_mac, dst_mac, vlan, src_as,
# dst_as; print plugin, CSV) and to ::1, where tshark captures.
#
# Sampling is off at start, switched to 1-in-N by a reload once the agent
# consumes the sample channel, and off again by a second reload; then the
# agent drains what is left. So every sampled packet was taken while the
# agent consumed, and p0's sample_pool (an exact counter: the frames the
# sampler saw) is the population F the samples estimate.
#
# Asserted:
#  1. exactly: the flow samples tshark decodes == the dataplane's `sampled`
#     counter, and no sample was lost (sample_dropped 0); sfacctd's packets
#     per (src_mac, dst_mac, vlan, src_as, dst_as) == the IPv4/IPv6 flow
#     samples in the datagrams (decoded here from tshark's capture) with
#     that key. sfacctd accounts IP samples only: the samples of ARP, LLDP,
#     QinQ frames and runts in the demo traffic (about 2%) it skips;
#  2. within the sampling error: sfacctd's renormalised packets per source
#     MAC (member) against F x the member's share of the capture's IP
#     frames. Each frame is sampled independently with p = 1/N, so a
#     member's count of samples is binomial(F_m, p): the estimate N x S has
#     standard deviation sqrt(F_m (N - 1)) <= sqrt(F_m N). The bound is 5
#     standard deviations (a false failure about once in 1.7 million
#     assertions) plus 4096: the window of F frames holds whole loops of
#     the capture and one partial loop, whose composition is not the
#     capture's;
#  3. the AS numbers sfacctd reports for a member's forwarded traffic are
#     the member's ASN (extended_gateway), the VLAN its VLAN;
#  4. tshark decodes every datagram with no malformed field and no expert
#     info in the sFlow layer (the sampled frames' own dissection is off:
#     the generator sends deliberately broken frames), sees flow samples
#     (forwarded and discarded), counter samples of both ports.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"
command -v sfacctd >/dev/null || skip "sfacctd (pmacct) not installed"
command -v tshark >/dev/null || skip "tshark not installed"

RATE=500
# Samples the agent must have sent before sampling goes off again: F, the
# frames the sampler saw, is then about SAMPLES x RATE, over the 200 x RATE
# the accuracy check below needs.
SAMPLES=400
# Ports from the test's pid, unique among parallel runs.
P4=$((20000 + $$ % 20000))
P6=$((P4 + 1))

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 11 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
set_sampling() {
	sed -i "s|^\tsampling .*;|\tsampling $1;|" "$CONF"
	grep -q "^	sampling $1;" "$CONF" || fail "could not set sampling $1"
}
set_sampling off
sed -i "s|^\tsampling off;|\tsampling off;\n\tsflow-collector 127.0.0.1 port $P4;\n\tsflow-collector ::1 port $P6;\n\tsflow-counter-interval 1;|" "$CONF"
grep -q "sflow-collector ::1 port $P6" "$CONF" || fail "could not add the collectors"

# --- the collectors ----------------------------------------------------
# A socket buffer that holds a few seconds of datagrams: sfacctd's default
# (the kernel's 208 KiB) overflows when the machine is busy and sfacctd is
# late to read, which would be the collector's loss, not the agent's.
if [ "$(cat /proc/sys/net/core/rmem_max)" -lt 16777216 ]; then
	sysctl -q -w net.core.rmem_max=16777216 || true
fi
cat >"$TMP/sfacctd.conf" <<EOF
daemonize: false
sfacctd_ip: 127.0.0.1
sfacctd_port: $P4
sfacctd_pipe_size: 16777216
sfacctd_renormalize: false
logfile: $TMP/sfacctd.log
pidfile: $TMP/sfacctd.pid
plugins: print[m]
aggregate[m]: src_mac, dst_mac, vlan, src_as, dst_as
print_output[m]: csv
print_output_file[m]: $TMP/sfacctd.csv
print_output_file_append[m]: true
print_refresh_time[m]: 1
print_markers[m]: false
EOF
bg sfacctd -f "$TMP/sfacctd.conf" >"$TMP/sfacctd.out" 2>&1
SFACCTD_PID=$BG_PID
bg timeout 600 tshark -i lo -f "udp port $P6" -w "$TMP/sflow.pcapng" \
	>"$TMP/tshark-capture.out" 2>&1
TSHARK_PID=$BG_PID
wait_for 20 grep -q "Capturing on" "$TMP/tshark-capture.out" ||
	{ cat "$TMP/tshark-capture.out" >&2; fail "tshark never started capturing"; }

# --- the node ------------------------------------------------------------
# Every wait below is a condition with a bound, not a fixed time: on a
# loaded machine each step takes what it takes. The dataplane's own limit
# is only a ceiling; it is stopped (SIGTERM: its final counters) once the
# agent has taken every sample.
start_dp 600 "$TMP/live.json"
MPORT=$((P6 + 1))
start_ctld --metrics-listen "127.0.0.1:$MPORT"
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ cat "$TMP/ctld.err" >&2; fail "no first commit"; }
wait_for 60 grep -q "sflow: consuming the samples" "$TMP/ctld.err" ||
	{ cat "$TMP/ctld.err" >&2; fail "the agent never took the sample channel"; }

# sflow_field KEY: a field of the agent's counters (ixgatectl status).
sflow_field() {
	ctl --json status | python3 -c '
import json, sys
print(json.load(sys.stdin)["sflow"][sys.argv[1]])' "$1"
}
# stable SECONDS CMD...: wait (at most SECONDS) until CMD's output is the
# same three times in a row, a second apart.
stable() {
	local n=$1 last="" same=0 now
	shift
	while [ "$n" -gt 0 ]; do
		now=$("$@" 2>/dev/null) || now="?"
		if [ "$now" = "$last" ] && [ "$now" != "?" ]; then
			same=$((same + 1))
			[ "$same" -ge 2 ] && return 0
		else
			same=0
		fi
		last=$now
		sleep 1
		n=$((n - 1))
	done
	return 1
}
enough_samples() { [ "$(sflow_field flow_samples)" -ge "$SAMPLES" ]; }

log "sampling 1-in-$RATE until the agent has sent $SAMPLES flow samples"
set_sampling "1-in-$RATE"
ctl reload >"$TMP/reload1.out" 2>&1 || { cat "$TMP/reload1.out" >&2; fail "reload (sampling on)"; }
wait_for 180 enough_samples ||
	fail "the agent sent $(sflow_field flow_samples) flow samples in 180 s, expected $SAMPLES"
set_sampling off
ctl reload >"$TMP/reload2.out" 2>&1 || { cat "$TMP/reload2.out" >&2; fail "reload (sampling off)"; }
log "sampling off again; waiting for the agent to drain the samples"
stable 60 sflow_field flow_samples || fail "the agent's flow samples never settled"
kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exit status $?"
SAMPLED=$(json_get "$TMP/live.json" sampled)
drained() { [ "$(sflow_field flow_samples)" = "$SAMPLED" ]; }
wait_for 60 drained ||
	fail "the agent sent $(sflow_field flow_samples) flow samples, the dataplane sampled $SAMPLED"
# The agent's last datagrams and counter samples, sfacctd's last refresh,
# the exporter's copy of the agent's counters (a 1 s tick).
stable 60 sflow_field datagrams || fail "the agent's datagrams never settled"
stable 60 stat -c %s "$TMP/sfacctd.csv" || fail "sfacctd's output never settled"
# What sfacctd wrote while running, every flow sample accounted (the
# datagrams stopped; counter samples add no row): read before it is
# stopped, whose purge at exit has been seen under load to write one
# sample of the last interval a second time (a row more than the
# datagrams hold, while tshark's copy of them matched the dataplane's
# count exactly).
cp "$TMP/sfacctd.csv" "$TMP/sfacctd.final.csv"
ctl --json status >"$TMP/status.json" || fail "ixgatectl status"
metrics_caught_up() {
	curl -sS --max-time 10 -o "$TMP/metrics.txt" "http://127.0.0.1:$MPORT/metrics" &&
		python3 - "$TMP/status.json" "$TMP/metrics.txt" <<'EOF'
import json, sys
sf = json.load(open(sys.argv[1]))["sflow"]
m = dict(l.rsplit(" ", 1) for l in open(sys.argv[2]).read().splitlines()
         if l and not l.startswith("#"))
sys.exit(0 if m.get("ixgate_sflow_datagrams_total") == str(sf["datagrams"]) and
         m.get("ixgate_sflow_flow_samples_total") == str(sf["flow_samples"]) else 1)
EOF
}
wait_for 30 metrics_caught_up || log "/metrics never caught up with ixgatectl status (checked below)"
kill -INT "$CTLD_PID" "$SFACCTD_PID" 2>/dev/null
# tshark has the last datagram once its file stops growing.
stable 30 stat -c %s "$TMP/sflow.pcapng" || fail "tshark's capture never settled"
kill -INT "$TSHARK_PID" 2>/dev/null
wait "$TSHARK_PID" 2>/dev/null
[ -s "$TMP/sfacctd.final.csv" ] || { cat "$TMP/sfacctd.log" "$TMP/sfacctd.out" >&2; fail "sfacctd wrote nothing"; }

# --- 1-3: sfacctd against the datagrams and the exact counters -----------
# Not decoded as sFlow: the sampled frames inside would add their own
# UDP payloads; the outer datagram's is the first field.
tshark -r "$TMP/sflow.pcapng" -T fields -e udp.payload >"$TMP/payloads.hex" 2>"$TMP/tshark-payload.err" ||
	{ cat "$TMP/tshark-payload.err" >&2; fail "tshark -e udp.payload"; }
python3 - "$TMP/live.json" "$TMP/sfacctd.final.csv" "$TMP/in.pcap" "$CONF_DIR" "$RATE" \
	"$TMP/payloads.hex" <<'EOF' || fail "sfacctd totals"
import collections, glob, json, math, re, struct, sys
live, csv, pcap, conf_dir, N = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
payloads = sys.argv[6]
IP = ("0800", "86dd")


def ethertype(frame):
    """The frame's ethertype after at most one 802.1Q tag; None: a runt."""
    if len(frame) < 14:
        return None
    et = frame[12:14].hex()
    if et == "8100" and len(frame) >= 18:
        et = frame[16:18].hex()
    return et


def u32(b, o):
    return struct.unpack_from(">I", b, o)[0]


# The flow samples the agent sent, by sfacctd's key (sFlow v5: datagram
# header, samples; a flow sample's records: raw header 1, extended switch
# 1001, extended gateway 1003). tshark checks the encoding below.
sent, sent_ip, non_ip = collections.Counter(), collections.Counter(), collections.Counter()
for line in open(payloads):
    b = bytes.fromhex(line.strip().split(",")[0].replace(":", ""))
    if not b:
        continue
    o = 8 + (4 if u32(b, 4) == 1 else 16) + 12
    n, o = u32(b, o), o + 4
    for _ in range(n):
        fmt, ln, s = u32(b, o), u32(b, o + 4), o + 8
        o = s + ln
        if fmt != 1:
            continue
        r, hdr, vlan, sas, das = s + 32, b"", 0, 0, 0
        for _ in range(u32(b, s + 28)):
            rf, rl, d = u32(b, r), u32(b, r + 4), r + 8
            r = d + rl
            if rf == 1:
                hdr = b[d + 16:d + 16 + u32(b, d + 12)]
            elif rf == 1001:
                vlan = u32(b, d)
            elif rf == 1003:
                sas, das = u32(b, d + 16), u32(b, d + 32)
        key = (hdr[6:12].hex(":"), hdr[0:6].hex(":"), vlan, sas, das)
        sent[key] += 1
        et = ethertype(hdr)
        if et in IP:
            sent_ip[key] += 1
        else:
            non_ip[et or "runt"] += 1
j = json.load(open(live))
F = j["ports"]["p0"]["sample_pool"]
sampled = j["sampled"]
lost = j["sample_dropped"]
bad = []
if lost != 0:
    bad.append("the dataplane lost %d samples (ring full)" % lost)

# The capture's composition by source MAC (the ingress member).
data = open(pcap, "rb").read()
le = data[0] in (0xd4, 0x4d)  # usec or nsec magic, little-endian
off, share, total = 24, collections.Counter(), 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I" if le else ">I", data, off + 8)[0]
    frame = data[off + 16:off + 16 + incl]
    if ethertype(frame) in IP:
        share[frame[6:12].hex(":")] += 1
    total += 1
    off += 16 + incl

# The members: MAC -> (name, ASN, VLAN), from the config.
members = {}
for f in [conf_dir + "/demo.conf"] + glob.glob(conf_dir + "/peers.d/*.conf"):
    for name, body in re.findall(r"peer (\S+) \{(.*?)\n\}", open(f).read(), re.S):
        asn = int(re.search(r"\basn (\d+);", body).group(1))
        vlan = re.search(r"\bvlan (\d+);", body)
        for mac in re.findall(r"\bmac ([0-9a-f:]{17});", body):
            members[mac] = (name, asn, int(vlan.group(1)) if vlan else 0)

pk, rows, acc = collections.Counter(), 0, collections.Counter()
for line in open(csv):
    f = line.strip().split(",")
    if not line.strip() or f[0] == "SRC_MAC":
        continue
    smac, dmac, vlan, sas, das, packets = f[0], f[1], int(f[2]), int(f[3]), int(f[4]), int(f[5])
    rows += 1
    acc[(smac, dmac, vlan, sas, das)] += packets
    pk[smac] += packets * N  # renormalised here: one sample, N frames
    if smac in members and sas != 0:
        name, asn, mvlan = members[smac]
        if sas != asn:
            bad.append("%s: src_as %d, its ASN is %d" % (name, sas, asn))
        if vlan != mvlan:
            bad.append("%s: vlan %d, its VLAN is %d" % (name, vlan, mvlan))
        if das not in [m[1] for m in members.values()]:
            bad.append("%s: dst_as %d is no member's" % (name, das))
got = sum(pk.values()) // N
if sum(sent.values()) != sampled:
    bad.append("datagrams: %d flow samples; the dataplane sampled %d"
               % (sum(sent.values()), sampled))
for key in sorted(set(sent_ip) | set(acc), key=str):
    if sent_ip[key] != acc[key]:
        bad.append("sfacctd %s: %d packets; the datagrams hold %d IP samples"
                   % (",".join(map(str, key)), acc[key], sent_ip[key]))
print("# sfacctd accounted %d samples = the %d IP samples sent; it skips the "
      "%d others (%s)" % (got, sum(sent_ip.values()), sum(non_ip.values()),
                          ", ".join("%s %d" % kv for kv in sorted(non_ip.items()))))
print("# F = %d frames seen by p0's sampler, %d samples (1-in-%d), sfacctd %d rows"
      % (F, sampled, N, rows))
if F < 200 * N:
    bad.append("too little traffic sampled: F = %d" % F)
checked = 0
for mac, n in sorted(share.items()):
    if len(mac) != 17:
        continue  # a runt without a whole Ethernet header: no source MAC
    expect = F * n / total
    tol = 5 * math.sqrt(expect * N) + 4096
    name = members.get(mac, ("?",))[0]
    ok = abs(pk[mac] - expect) <= tol
    print("# %-16s %-17s sfacctd %9d  exact share %11.0f  bound +-%.0f  %s"
          % (name, mac, pk[mac], expect, tol, "ok" if ok else "OUT"))
    checked += 1
    if not ok:
        bad.append("%s (%s): sfacctd %d, expected %.0f +- %.0f" % (name, mac, pk[mac], expect, tol))
extra = set(pk) - set(share)
if extra:
    bad.append("sfacctd saw source MACs not in the capture: %s" % sorted(extra))
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
print("# ok: sfacctd's totals match the exact counters (%d members, 5 sd + one partial loop)" % checked)
EOF

# --- 4: tshark decodes every datagram -------------------------------------
# The sFlow layer only: the sampled frames themselves include the
# generator's deliberately malformed ones (junk LLDP, runts), which
# Wireshark's Ethernet dissectors rightly flag.
TS="-o sflow.enable_dissection:FALSE"
# shellcheck disable=SC2086
tshark -r "$TMP/sflow.pcapng" -d "udp.port==$P6,sflow" $TS -T fields \
	-e sflow_245.numsamples -e sflow_245.sampletype -e _ws.malformed \
	>"$TMP/tshark.fields" 2>"$TMP/tshark.err" || { cat "$TMP/tshark.err" >&2; fail "tshark -r"; }
n=$(wc -l <"$TMP/tshark.fields")
[ "$n" -ge 10 ] || fail "tshark saw $n datagrams"
bad=$(awk -F'\t' '$3 != ""' "$TMP/tshark.fields" | head -3)
[ -z "$bad" ] || fail "tshark: malformed datagrams: $bad"
flows=$(cut -f2 "$TMP/tshark.fields" | tr ',' '\n' | grep -c '^1$')
assert_eq "flow samples tshark decoded = the dataplane's sampled" "$SAMPLED" "$flows"
# shellcheck disable=SC2086
tshark -r "$TMP/sflow.pcapng" -d "udp.port==$P6,sflow" $TS -q -z expert \
	>"$TMP/tshark.expert" 2>&1 || fail "tshark -z expert"
if grep -qE "Error|Malformed|Warning" "$TMP/tshark.expert"; then
	cat "$TMP/tshark.expert" >&2
	fail "tshark reports expert errors or warnings"
fi
tshark -r "$TMP/sflow.pcapng" -d "udp.port==$P6,sflow" -V >"$TMP/tshark.txt" 2>&1
for what in "Flow sample" "Counters sample" "Raw packet header" \
	"Extended switch data" "Extended gateway data" "Generic interface counters" \
	"Output interface format: packet discarded" "Interface index: 1" "Interface index: 2"; do
	grep -q "$what" "$TMP/tshark.txt" || fail "tshark decoded no '$what'"
done
log "ok: tshark decoded $n datagrams ($flows flow samples): no malformed field, no expert error"

# --- 5: the agent's own counters (ixgatectl status) ------------------------
python3 - "$TMP/status.json" "$SAMPLED" "$n" <<'EOF' || fail "sFlow agent counters in ixgatectl status"
import json, sys
sf = json.load(open(sys.argv[1]))["sflow"]
sampled, seen = int(sys.argv[2]), int(sys.argv[3])
bad = []
if sf["collectors"] != 2:
    bad.append("collectors %d, configured 2" % sf["collectors"])
if sf["flow_samples"] != sampled:
    bad.append("flow_samples %d, the dataplane sampled %d" % (sf["flow_samples"], sampled))
if sf["send_errors"] != 0 or sf["bad_records"] != 0:
    bad.append("send_errors %d, bad_records %d" % (sf["send_errors"], sf["bad_records"]))
# Counted per collector; tshark (::1, stopped after the daemon) saw at
# least the half sent to ::1 by the time status answered.
if not 0 < sf["datagrams"] <= 2 * seen:
    bad.append("datagrams %d; tshark saw %d sent to one of 2 collectors" % (sf["datagrams"], seen))
if bad:
    sys.exit("\n".join(bad))
print("# ok: the agent counted %d flow samples, %d counter samples, %d datagrams, no error"
      % (sf["flow_samples"], sf["counter_samples"], sf["datagrams"]))
EOF
# The same in /metrics: read once the agent's counters had settled and the
# exporter's copy (a 1 s tick) had caught up with them.
python3 - "$TMP/status.json" "$TMP/metrics.txt" <<'EOF' || fail "sFlow agent counters in /metrics"
import json, sys
sf = json.load(open(sys.argv[1]))["sflow"]
m = dict(l.rsplit(" ", 1) for l in open(sys.argv[2]).read().splitlines()
         if l and not l.startswith("#"))
pairs = [("collectors", "ixgate_sflow_collectors"),
         ("flow_samples", "ixgate_sflow_flow_samples_total"),
         ("counter_samples", "ixgate_sflow_port_samples_total"),
         ("datagrams", "ixgate_sflow_datagrams_total"),
         ("send_errors", "ixgate_sflow_send_errors_total"),
         ("bad_records", "ixgate_sflow_bad_records_total"),
         ("discarded", "ixgate_sflow_discarded_samples_total")]
bad = ["%s: status %s, /metrics %s" % (k, sf[k], m.get(name))
       for k, name in pairs if str(sf[k]) != m.get(name)]
if bad:
    sys.exit("\n".join(bad))
print("# ok: /metrics has the agent's counters of ixgatectl status")
EOF
