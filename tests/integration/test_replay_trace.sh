#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# --trace and --out on a tiny handcrafted scenario (configs/trace.conf, one
# frame per verdict built by trace_frames.py): the trace must equal
# golden/replay_trace.txt byte for byte, and the output pcap must hold
# exactly the forwarded and answered frames, rewritten (MACs, VLAN, TTL,
# checksum; ARP/ND/echo replies).
. "$(dirname "$0")/lib.sh"
need_tools
HERE=$SRC/tests/integration

python3 "$HERE/trace_frames.py" "$TMP/in.pcap" || fail "building frames"
timeout 60 "$DP" --replay "$TMP/in.pcap" --config "$CONFIGS/trace.conf" \
	--port p0 --trace --out "$TMP/out.pcap" \
	>"$TMP/stdout" 2>"$TMP/stderr" ||
	{ cat "$TMP/stderr" >&2; fail "replay exited non-zero"; }

# Trace lines go to stdout or stderr (main decides); EAL logs do not match.
cat "$TMP/stdout" "$TMP/stderr" | grep -E '^[0-9]+ [^ ]+ peer=' >"$TMP/trace"
if ! diff -u "$HERE/golden/replay_trace.txt" "$TMP/trace"; then
	fail "trace differs from golden/replay_trace.txt (diff above: - expected, + got)"
fi
log "ok: trace matches the golden file ($(wc -l <"$TMP/trace") lines)"

extract_json "$TMP/stdout"
J=$TMP/stdout.json
check_invariant "$J"
assert_eq "rx_packets" 18 "$(json_get "$J" rx_packets)"
assert_eq "tx_packets" 4 "$(json_get "$J" tx_packets)"
assert_eq "local_packets" 3 "$(json_get "$J" local_packets)"
assert_eq "peer viettel rx" 12 "$(json_get "$J" peers.viettel.rx_packets)"
assert_eq "peer china-telecom tx" 4 \
	"$(json_get "$J" peers.china-telecom.tx_packets)"
assert_eq "country pair VN>CN" 3 "$(json_get "$J" 'country_pairs.VN>CN.packets')"
assert_eq "class gold green" 1 "$(json_get "$J" classes.gold.green)"

# The output pcap, in capture order: forwarded and answered frames
# 1, 2, 3 (fwd), 10 (ARP reply), 11 (echo reply), 15 (fwd), 18 (NA), then
# the ICMP time exceeded about frame 9 (made by the node: written after the
# frames of its burst).
assert_eq "frames in --out" 8 "$(pcap_count "$TMP/out.pcap")"
PYTHONPATH=$HERE python3 - "$TMP/out.pcap" <<'PY' || fail "rewritten frames"
import socket, struct, sys
from frames import csum

f = open(sys.argv[1], "rb")
hdr = f.read(24)
e = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
frames = []
while True:
    h = f.read(16)
    if len(h) < 16:
        break
    caplen = struct.unpack(e + "IIII", h)[2]
    frames.append(f.read(caplen))

def expect(what, want, got):
    if want != got:
        print("FAIL: %s: expected %r, got %r" % (what, want, got))
        sys.exit(1)
    print("# ok: %s" % what)

CT = bytes.fromhex("020000002001")
P0 = bytes.fromhex("020000000001")
P1 = bytes.fromhex("020000000002")
VT = bytes.fromhex("020000001001")
# Forwarded: to China Telecom's MAC, from p1's MAC, VLAN 20, TTL 63.
for n, i in (("frame 1", 0), ("frame 2", 1), ("frame 15", 5)):
    fr = frames[i]
    expect(n + " dst MAC", CT, fr[0:6])
    expect(n + " src MAC", P1, fr[6:12])
    expect(n + " VLAN", (0x8100, 20, 0x0800), struct.unpack("!HHH", fr[12:18]))
    ip = fr[18:38]
    expect(n + " TTL", 63, ip[8])
    expect(n + " IPv4 checksum valid", 0, csum(ip))
fr = frames[2]
expect("frame 3 (IPv6) dst MAC", CT, fr[0:6])
expect("frame 3 VLAN", (0x8100, 20, 0x86DD), struct.unpack("!HHH", fr[12:18]))
expect("frame 3 hop limit", 63, fr[18 + 7])
# Time exceeded about frame 9 (RFC 792): back to Viettel on VLAN 10, from
# our address on it, type 11 code 0, quoting the IP header + 8 bytes.
fr = frames[7]
expect("time exceeded dst MAC", VT, fr[0:6])
expect("time exceeded src MAC", P0, fr[6:12])
expect("time exceeded VLAN", (0x8100, 10, 0x0800), struct.unpack("!HHH", fr[12:18]))
ip = fr[18:38]
expect("time exceeded addresses", (socket.inet_aton("192.0.2.1"), socket.inet_aton("14.160.1.1")), (ip[12:16], ip[16:20]))
tot = struct.unpack("!H", ip[2:4])[0]
icmp = fr[38:18 + tot]
expect("time exceeded type/code", (11, 0), (icmp[0], icmp[1]))
expect("time exceeded quotes 28 bytes", 8 + 28, len(icmp))
expect("time exceeded IPv4 checksum valid", 0, csum(ip))
expect("time exceeded ICMP checksum valid", 0, csum(icmp))
# ARP reply (RFC 826): back to Viettel on VLAN 10, op 2, our MAC and IP.
fr = frames[3]
expect("ARP reply dst MAC", VT, fr[0:6])
expect("ARP reply src MAC", P0, fr[6:12])
expect("ARP reply VLAN", (0x8100, 10, 0x0806), struct.unpack("!HHH", fr[12:18]))
arp = fr[18:46]
expect("ARP op", 2, struct.unpack("!H", arp[6:8])[0])
expect("ARP sender", (P0, socket.inet_aton("192.0.2.1")), (arp[8:14], arp[14:18]))
expect("ARP target", (VT, socket.inet_aton("192.0.2.10")), (arp[18:24], arp[24:28]))
# Echo reply: addresses swapped, ICMP type 0, checksums valid.
fr = frames[4]
expect("echo reply dst MAC", VT, fr[0:6])
ip = fr[18:38]
expect("echo reply addresses", (socket.inet_aton("192.0.2.1"), socket.inet_aton("14.160.1.1")), (ip[12:16], ip[16:20]))
tot = struct.unpack("!H", ip[2:4])[0]
icmp = fr[38:18 + tot]
expect("echo reply type", 0, icmp[0])
expect("echo reply IPv4 checksum valid", 0, csum(ip))
expect("echo reply ICMP checksum valid", 0, csum(icmp))
# Neighbor Advertisement (RFC 4861 4.4): type 136, target ours, S and O set.
fr = frames[6]
expect("NA dst MAC", VT, fr[0:6])
expect("NA VLAN", (0x8100, 10, 0x86DD), struct.unpack("!HHH", fr[12:18]))
ip6 = fr[18:58]
expect("NA hop limit 255", 255, ip6[7])
icmp6 = fr[58:58 + struct.unpack("!H", ip6[4:6])[0]]
expect("NA type", 136, icmp6[0])
expect("NA flags S|O", 0x60, icmp6[4] & 0x60)
expect("NA target", socket.inet_pton(socket.AF_INET6, "2001:db8:10::1"), icmp6[8:24])
pseudo = ip6[8:40] + struct.pack("!IxxxB", len(icmp6), 58)
expect("NA ICMPv6 checksum valid", 0, csum(pseudo + icmp6))
PY

# --trace-stages: the same lines, each ending with the stage that decided.
timeout 60 "$DP" --replay "$TMP/in.pcap" --config "$CONFIGS/trace.conf" \
	--port p0 --trace-stages >"$TMP/stdout2" 2>"$TMP/stderr2" ||
	{ cat "$TMP/stderr2" >&2; fail "replay --trace-stages exited non-zero"; }
cat "$TMP/stdout2" "$TMP/stderr2" | grep -E '^[0-9]+ [^ ]+ peer=' >"$TMP/trace2"
sed 's/ stage=[a-z]*$//' "$TMP/trace2" >"$TMP/trace2.plain"
diff -u "$HERE/golden/replay_trace.txt" "$TMP/trace2.plain" ||
	fail "--trace-stages lines differ from --trace's beyond stage="
for want in "1 stage=rewrite" "4 stage=acl" "7 stage=sav" "8 stage=peer" \
	"10 stage=local" "12 stage=parse" "16 stage=route"; do
	n=${want%% *}
	grep -q "^$n .* ${want#* }\$" "$TMP/trace2" ||
		fail "--trace-stages: frame $n does not end with ${want#* }"
done
log "ok: --trace-stages names the deciding stage"
echo "PASS"
