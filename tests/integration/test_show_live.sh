#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_show_live.sh: ixgatectl's show commands against a running dataplane
# and ixgate-control. `show ports` names each port's DPDK device (what
# dpdk-dumpcap -i takes), `show counters` gives every family the
# declaration has (as exporters see them), `show help` and `ixgatectl
# --help` list the daemon's own show commands, and --help falls back to
# its built-in list when no daemon answers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"

need_tools
need_file "$CTLD"
need_file "$CTL"

copy_config net_null0 net_null1
# --duration is a ceiling only: the test stops the dataplane (at 30 s a
# run under load could outlive it and find no dataplane).
start_dp 900 "$TMP/final.json"
start_ctld
wait_for 60 dp_is_connected || { cat "$TMP/ctld.err" >&2; fail "daemon never connected"; }

ctl show ports >"$TMP/ports.txt" || fail "show ports failed"
cat "$TMP/ports.txt"
assert_contains "p0's DPDK device" "$TMP/ports.txt" "^p0 +net_null0 "
assert_contains "p1's DPDK device" "$TMP/ports.txt" "^p1 +net_null1 "
ctl --json show ports >"$TMP/ports.json" || fail "show ports --json failed"
python3 - "$TMP/ports.json" <<'PY' || fail "show ports JSON"
import json, sys
ports = {p["name"]: p for p in json.load(open(sys.argv[1]))["ports"]}
assert ports["p0"]["dpdk_device"] == "net_null0", ports["p0"]
assert ports["p1"]["dpdk_device"] == "net_null1", ports["p1"]
PY
log "ok: show ports --json names the DPDK devices"

# Every family the header declares appears in show counters --all: a
# counter added to the declaration shows here with no other edit.
ctl --json show counters --all >"$TMP/counters.json" || fail "show counters failed"
python3 - "$TMP/counters.json" "$SRC/common/ixg_api.h" "$SRC/common/counters.h" <<'PY' || fail "show counters lacks families"
import json, re, sys
series = json.load(open(sys.argv[1]))["series"]
names = {s["name"] for s in series}
decl = set()
for path in sys.argv[2:]:
    text = open(path).read()
    # X(kind, field, member, key, name, ...) lines of the counter lists.
    for kind, name in re.findall(
            r"X\((U64|PB|IN|REASONS|COLOURS|STATE), *\w+, *[.\w]*, *\"\w+\",\s*(\w+)",
            text):
        decl.add("ixgate_" + name)
# Pairs have series only once traffic flowed between them (none here);
# neighbours only for members with a next-hop (the demo's have none:
# test_neigh.sh shows them); next-hop groups only for route blocks and
# multipath routes (none in the demo: test_ecmp_config.sh shows them).
missing = sorted(n for n in decl - names
                 if "_pair_" not in n and "_neighbour_" not in n
                 and "_nhgroup_" not in n)
assert len(decl) > 25, decl
assert not missing, missing
peers = [s for s in series if s["name"] == "ixgate_peer_received_packets_total"]
assert any(s["labels"]["peer"] == "china-telecom" for s in peers), peers
print("# ok: show counters --all has the %d declared families" % len(decl))
PY

ctl show help >"$TMP/help.txt" || fail "show help failed"
assert_contains "show help lists counters" "$TMP/help.txt" "^  counters \[NAME\] \[--all\]"
ctl --help >"$TMP/ctlhelp.txt" || fail "ixgatectl --help failed"
assert_contains "--help has the daemon's list" "$TMP/ctlhelp.txt" "^  show counters \[NAME\] \[--all\] +every counter series"
assert_contains "--help has the daemon's list (matrix)" "$TMP/ctlhelp.txt" "^  show matrix countries \[--top N\|--all\]"
"$CTL" --socket "$TMP/nobody.sock" --help >"$TMP/fallback.txt" || fail "--help without a daemon failed"
assert_contains "--help without a daemon: built-in list" "$TMP/fallback.txt" "^  show help  "

# --watch of a command without counters names the ones that have some.
rc=0
ctl show routes --watch 1 >"$TMP/watch.txt" 2>&1 || rc=$?
assert_eq "--watch routes exit status" 2 "$rc"
assert_contains "--watch lists the watchable commands" "$TMP/watch.txt" "counters do\)"
echo "PASS"
