#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A restarted ixgate-control names the dataplane's counters right.
#
# Peer ids are kept across reloads, so after a history of reloads they are
# not the ids a compile from scratch gives: remove lao-telecom (the first
# peer) and reload, add lao-new (in the last file) and reload -> lao-new
# takes lao-telecom's freed id and every other peer keeps its own, while
# from scratch every peer would move down by one, the senders included. Then kill -9 the daemon under
# traffic (the china-* peers on p0 send) and restart it: it takes the ids
# from the dataplane (GET_IDS), so `show peers` gives every peer the id it
# had and the traffic to the peers that send it; the ids differ from a
# from-scratch compile (so the test would catch the old naming); a reload
# without change commits nothing (the adopted spec is exact); the
# dataplane's own final counters, by its names, agree.
# Next-hop groups of config route blocks likewise: groups A, B, C; A's
# route removed with lao-telecom, D's added with lao-new -> D takes id 0
# and B, C keep 1, 2, while from scratch B, C, D would be 0, 1, 2; the
# restarted daemon gives every route its running group id (GET_IDS carries
# the groups), so a reload without change still commits nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
ASEAN=$CONF_DIR/peers.d/asean.conf
cp "$ASEAN" "$TMP/asean.orig"
ROUTES=$CONF_DIR/peers.d/routes.conf
printf '%s\n' 'route 10.200.1.0/24 { via viettel; via vnpt; }' \
	'route 10.200.2.0/24 { via vnpt; via mpt; }' \
	'route 10.200.3.0/24 { via viettel; via mpt weight 2; }' >"$ROUTES" ||
	fail "routes.conf"
# The dataplane's own limit (600 s) is a ceiling only: the test stops it
# (SIGTERM) at the end; every wait is a condition with a bound, so a
# loaded machine only makes the test slower.
start_dp 600 "$TMP/live.json"
start_ctld
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }

peer_ids() { # name=id lines, sorted
	ctl --json show peers | python3 -c '
import json, sys
for p in sorted(json.load(sys.stdin)["peers"], key=lambda p: p["name"]):
    print("%s=%d" % (p["name"], p["id"]))'
}

# ---- a history of reloads ----------------------------------------------
python3 - "$ASEAN" <<'EOF' || fail "edit"
import re, sys
t = open(sys.argv[1]).read()
t2 = re.sub(r"peer lao-telecom \{.*?\n\}\n", "", t, count=1, flags=re.S)
assert t2 != t
open(sys.argv[1], "w").write(t2)
EOF
sed -i '/10.200.1.0/d' "$ROUTES"
ctl reload >"$TMP/r1.out" || { cat "$TMP/r1.out" >&2; fail "reload without lao-telecom"; }
python3 - "$CONF_DIR/peers.d/vn.conf" "$TMP/asean.orig" <<'EOF' || fail "edit"
import re, sys
orig = open(sys.argv[2]).read()
block = re.search(r"peer lao-telecom \{.*?\n\}\n", orig, flags=re.S).group(0)
with open(sys.argv[1], "a") as f:
    f.write("\n" + block.replace("peer lao-telecom", "peer lao-new"))
EOF
echo 'route 10.200.4.0/24 { via tm; via singtel; }' >>"$ROUTES"
ctl reload >"$TMP/r2.out" || { cat "$TMP/r2.out" >&2; fail "reload with lao-new"; }
g=$(generation)
ids_before=$(peer_ids)
log "generation $g, ids: $(echo $ids_before)"
group_ids() { # prefix=group id lines of the route blocks B, C, D
	local p
	for p in 10.200.2.5 10.200.3.5 10.200.4.5; do
		printf '%s=' "$p"
		ctl --json show routes "$p" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["ecmp"]["group"])'
	done
}
groups_before=$(group_ids)
# shellcheck disable=SC2086 # one line
assert_eq "group ids after a history of reloads" \
	"10.200.2.5=1 10.200.3.5=2 10.200.4.5=0" "$(echo $groups_before)"

# From scratch, the same files give other ids (what the old daemon used).
python3 - "$TMP" "$ids_before" <<'EOF' || fail "from-scratch ids"
import os, re, sys
tmp, before = sys.argv[1], dict(l.split("=") for l in sys.argv[2].split())
# Compile order is file order: asean (without lao-telecom), cn, vn (with
# lao-new last); ids from 1 in that order.
names = []
for f in ("asean.conf", "cn.conf", "vn.conf"):
    names += re.findall(r"^peer ([\w-]+) \{", open(os.path.join(tmp, "conf/peers.d", f)).read(), flags=re.M)
scratch = {n: i + 1 for i, n in enumerate(names)}
moved = [n for n in names if int(before[n]) != scratch[n]]
assert len(moved) == len(names), (before, scratch)
assert all(int(before[n]) != scratch[n] for n in ("china-telecom", "china-unicom", "china-mobile"))
print("# %d of %d peers have other ids than from scratch (e.g. %s: %s, scratch %d)"
      % (len(moved), len(names), moved[0], before[moved[0]], scratch[moved[0]]))
EOF

# ---- kill -9 the daemon, restart it --------------------------------------
kill -9 "$CTLD_PID"
wait "$CTLD_PID" 2>/dev/null
start_ctld
wait_for 60 dp_is_connected || fail "restarted daemon did not connect"
wait_for 30 grep -q "took the ids of generation $g from the dataplane" "$TMP/ctld.err" ||
	{ cat "$TMP/ctld.err" >&2; fail "restarted daemon did not take the dataplane's ids"; }
grep -q "the config differs" "$TMP/ctld.err" && fail "ids disagree with the dataplane's"
assert_eq "generation after adoption" "$g" "$(generation)"
assert_eq "peer ids after the restart" "$ids_before" "$(peer_ids)"
assert_eq "group ids after the restart" "$groups_before" "$(group_ids)"
grep -q "3 next-hop groups" "$TMP/ctld.err" || fail "the dataplane's groups not taken"

# Traffic under the right names: the senders' rates, nobody else's.
ctl --json --watch 1 --count 2 show peers >"$TMP/watch.json" || fail "--watch"
python3 - "$TMP/watch.json" <<'EOF' >"$TMP/senders" || fail "rates by name"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
senders = sorted(p["name"] for p in last["peers"] if p["rx_pps"])
assert senders, "no peer receives traffic"
print(" ".join(senders))
EOF
log "peers sending now, by the restarted daemon: $(cat "$TMP/senders")"
ctl reload >"$TMP/r3.out" || fail "reload after the restart"
assert_contains "nothing to commit after adoption" "$TMP/r3.out" "no change: generation $g kept"
ctl --json show peers >"$TMP/peers.json"

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
# The dataplane names its counters from its own spec: the same peers send,
# and each total is at least what the daemon showed a moment before.
python3 - "$TMP/live.json" "$TMP/peers.json" "$(cat "$TMP/senders")" <<'EOF' || fail "daemon and dataplane disagree"
import json, sys
dp = json.load(open(sys.argv[1]))["peers"]
shown = {p["name"]: p for p in json.load(open(sys.argv[2]))["peers"]}
senders = sys.argv[3].split()
dp_senders = sorted(n for n, c in dp.items() if c["rx_packets"] > 0)
assert dp_senders == senders, (dp_senders, senders)
for n, p in shown.items():
    assert p["rx_packets"] <= dp[n]["rx_packets"], (n, p["rx_packets"], dp[n]["rx_packets"])
    assert (p["rx_packets"] > 0) == (n in senders), n
print("# dataplane's own names agree: %s" % " ".join(
    "%s %d<=%d" % (n, shown[n]["rx_packets"], dp[n]["rx_packets"]) for n in senders))
EOF
echo "PASS"
