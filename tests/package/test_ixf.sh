#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# IX-F Member Export, both directions, with the real schema (1.0, from
# /work/shared/data/ixf or $IXF_SCHEMA) and python3-jsonschema:
# - `ixgate-conf export ixf` of the demo and example configs validates
#   (formats too: date-time, email, ipv4, ipv6), holds every peer's ASN,
#   MACs and next-hops, the options' exchange data, and is byte-identical
#   for the same SOURCE_DATE_EPOCH;
# - the sample export (tests/package/data/ixf-sample.json: valid 1.0, the
#   shape of the schema's "more complex example", IX-F 0.4's mac_address,
#   a member without MACs, a second exchange, bad values) becomes, with
#   `ixgate-mkconfig --from-ixf`, a config that `ixgate-conf check` accepts,
#   per connection and with --trunk;
# - round trips: sample -> config -> export keeps every member connection
#   that has a MAC (ASN, name, MACs, addresses; VLANs with --trunk), and
#   demo -> export -> config -> export gives the same members and VLANs;
# - bad input: errors name the JSON path, exit 1, write nothing.
. "$SRC/tests/integration/lib.sh"
CONF_TOOL=$BUILD/conf/ixgate-conf
MKCONFIG=$BUILD/tools/ixgate-mkconfig
SAMPLE=$SRC/tests/package/data/ixf-sample.json
CHECK="python3 $SRC/tests/package/ixf_check.py"
need_file "$CONF_TOOL"
need_file "$MKCONFIG"
SCHEMA=${IXF_SCHEMA:-/work/shared/data/ixf/ixp-member-list-1.0.schema.json}
[ -f "$SCHEMA" ] || SCHEMA=$SRC/tests/package/data/ixp-member-list-1.0.schema.json
[ -f "$SCHEMA" ] || skip "no IX-F schema"
python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema not installed"
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01T00:00:00Z

# ---- export ------------------------------------------------------------
"$CONF_TOOL" export ixf --ixp-id 7 --ixf-id 1234 --ixp-name SIN-IX \
	--ixp-full-name "Singapore demo exchange" --url https://ix.example/ \
	--peeringdb-id 42 "$SRC/config/demo.conf" >"$TMP/demo.json" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "export of demo.conf"; }
[ -s "$TMP/err" ] && fail "export wrote to stderr: $(cat "$TMP/err")"
$CHECK validate "$SCHEMA" "$TMP/demo.json" || fail "demo export does not validate"
python3 - "$TMP/demo.json" "$SRC/config" <<'PY' || fail "demo export content"
import glob, json, re, sys
j = json.load(open(sys.argv[1]))
ixp = j["ixp_list"][0]
want = {"ixp_id": 7, "ixf_id": 1234, "shortname": "SIN-IX", "country": "SG",
        "name": "Singapore demo exchange", "url": "https://ix.example/",
        "peeringdb_id": 42}
for k, v in want.items():
    assert ixp[k] == v, (k, ixp[k])
assert j["timestamp"] == "2026-01-01T00:00:00Z", j["timestamp"]
# Every peer of the config files: ASN, MAC, next-hops, VLAN.
text = "".join(open(f).read() for f in sorted(glob.glob(sys.argv[2] + "/peers.d/*.conf")))
peers = re.findall(r"peer (\S+) \{(.*?)\n\}", text, re.S)
assert len(peers) == 10, len(peers)
entries = {}
for m in j["member_list"]:
    for c in m["connection_list"]:
        assert c["ixp_id"] == 7
        for v in c["vlan_list"]:
            for fam in ("ipv4", "ipv6"):
                for mac in v.get(fam, {}).get("mac_addresses", []):
                    entries.setdefault((m["asnum"], mac), set()).update(
                        [v.get("ipv4", {}).get("address"), v.get("ipv6", {}).get("address"),
                         "vlan%d" % v["vlan_id"]])
asns = set()
for name, body in peers:
    asn = int(re.search(r"asn (\d+);", body).group(1))
    asns.add(asn)
    vlan = re.search(r"vlan (\d+\.)?(\d+);", body)
    for mac in re.findall(r"mac (\S+);", body):
        got = entries.get((asn, mac))
        assert got is not None, (name, mac)
        for nh in re.findall(r"next-hop (\S+);", body):
            assert nh in got, (name, nh, got)
        if vlan:
            assert "vlan" + vlan.group(2) in got, (name, got)
assert len(j["member_list"]) == len(asns), (len(j["member_list"]), len(asns))
vids = sorted(v["id"] for v in ixp["vlan"])
assert vids == list(range(101, 111)), vids
print("# ok: demo export: %d members, %d peers, %d VLANs with their subnets" %
      (len(j["member_list"]), len(peers), len(vids)))
PY
"$CONF_TOOL" export ixf --ixp-id 7 --ixf-id 1234 --ixp-name SIN-IX \
	--ixp-full-name "Singapore demo exchange" --url https://ix.example/ \
	--peeringdb-id 42 "$SRC/config/demo.conf" >"$TMP/demo2.json"
cmp -s "$TMP/demo.json" "$TMP/demo2.json" || fail "two exports differ"
log "ok: export is deterministic for one SOURCE_DATE_EPOCH"
"$CONF_TOOL" export ixf --timestamp 2026-02-03T04:05:06Z "$SRC/config/example.conf" \
	>"$TMP/example.json" || fail "export of example.conf"
$CHECK validate "$SCHEMA" "$TMP/example.json" || fail "example export does not validate"
grep -q '"timestamp": "2026-02-03T04:05:06Z"' "$TMP/example.json" || fail "--timestamp"

# ---- import: the sample export -----------------------------------------
$CHECK validate "$SCHEMA" "$SAMPLE" || fail "the sample is not a valid export"
"$MKCONFIG" --from-ixf "$SAMPLE" >"$TMP/sample.conf" 2>"$TMP/mk.err" ||
	{ cat "$TMP/mk.err"; fail "mkconfig --from-ixf"; }
cat "$TMP/mk.err"
assert_contains "bad MAC skipped with its JSON path" "$TMP/mk.err" \
	"^ixf: warning: member_list\[4\]\.connection_list\[0\]\.vlan_list\[0\]\.ipv4\.mac_addresses\[1\]: 'not-a-mac' is not a unicast MAC address; skipped$"
"$CONF_TOOL" check "$TMP/sample.conf" >"$TMP/check" 2>&1 ||
	{ cat "$TMP/check"; cat "$TMP/sample.conf"; fail "generated config does not check"; }
assert_contains "per-connection config checks" "$TMP/check" "^configuration OK$"
assert_contains "member without MAC commented out" "$TMP/sample.conf" \
	"^# not configured: no MAC address in the export"
assert_contains "AS-SET as a bgpq4 command" "$TMP/sample.conf" "^#   bgpq4 -4 -F '%n/%l\\\\n' AS-EXVIDEO$"
assert_contains "an unsafe AS-SET is not copied" "$TMP/sample.conf" "AS-SET\?$"
grep -q "rm -rf" "$TMP/sample.conf" && fail "the unsafe AS-SET text reached the config"
assert_contains "second exchange skipped" "$TMP/sample.conf" "1 connections at other exchanges skipped"
assert_eq "ports, one per connection with a MAC" 6 "$(grep -c '^port ' "$TMP/sample.conf")"
assert_eq "two peering LANs on one connection: tagged" "vlan 10;vlan 20;" \
	"$(sed -n '/^peer mekong-carrier/,/^}/p' "$TMP/sample.conf" | grep -o 'vlan [0-9]*;' | tr -d '\n')"

"$MKCONFIG" --from-ixf "$SAMPLE" --trunk ix0 --device-prefix net_tap --out "$TMP/trunk" \
	2>/dev/null || fail "mkconfig --trunk"
"$CONF_TOOL" check "$TMP/trunk/ixgate.conf" >"$TMP/check" 2>&1 ||
	{ cat "$TMP/check"; fail "trunk config does not check"; }
assert_eq "trunk: one port" 1 "$(grep -c '^port ' "$TMP/trunk/ixgate.conf")"
assert_contains "trunk port device" "$TMP/trunk/ixgate.conf" 'device "net_tap0";'

# ---- round trips ---------------------------------------------------------
# The sample's members (exchange 42, connections with a MAC) survive
# export -> config -> export. Names come back as config identifiers; two
# members whose names make the same one get -2, -3.
$CHECK members "$SAMPLE" --ixp-id 42 >"$TMP/want"
"$CONF_TOOL" export ixf --ixp-id 42 "$TMP/sample.conf" >"$TMP/rt.json" || fail "export of the generated config"
$CHECK validate "$SCHEMA" "$TMP/rt.json" || fail "round trip export does not validate"
$CHECK members "$TMP/rt.json" | sed -E 's/^([0-9]+ [a-z0-9-]+)-[0-9]+ /\1 /' >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" || fail "sample -> config -> export changed the members"
log "ok: sample round trip: $(wc -l <"$TMP/want") member connections (ASN, name, MACs, addresses)"
"$CONF_TOOL" export ixf --ixp-id 42 "$TMP/trunk/ixgate.conf" >"$TMP/rt2.json" || fail "export of trunk config"
$CHECK members "$SAMPLE" --ixp-id 42 --vlans >"$TMP/want"
$CHECK members "$TMP/rt2.json" --vlans | sed -E 's/^([0-9]+ [a-z0-9-]+)-[0-9]+ /\1 /' >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" || fail "sample -> --trunk config -> export changed the members"
log "ok: sample round trip with --trunk: VLANs kept too"

# Our own export read back: demo -> export -> config (--trunk, VLAN by
# vlan_id) -> export: the same members, names and VLANs.
"$MKCONFIG" --from-ixf "$TMP/demo.json" --trunk p0 >"$TMP/demo-rt.conf" 2>/dev/null ||
	fail "mkconfig of our own export"
"$CONF_TOOL" check "$TMP/demo-rt.conf" >/dev/null 2>&1 || fail "config from our own export does not check"
"$CONF_TOOL" export ixf --ixp-id 7 "$TMP/demo-rt.conf" >"$TMP/demo-rt.json" || fail "re-export"
$CHECK members "$TMP/demo.json" --vlans >"$TMP/want"
$CHECK members "$TMP/demo-rt.json" --vlans >"$TMP/got"
diff -u "$TMP/want" "$TMP/got" || fail "demo -> export -> config -> export changed the members"
log "ok: demo round trip: $(wc -l <"$TMP/want") peers identical (ASN, name, MACs, addresses, VLAN)"

# ---- bad input -----------------------------------------------------------
bad_import() { # NAME JSON EXPECTED-ERROR-REGEX [OPTIONS...]
	local name=$1 json=$2 re=$3
	shift 3
	printf '%s' "$json" >"$TMP/bad.json"
	rm -rf "$TMP/out"
	"$MKCONFIG" --from-ixf "$TMP/bad.json" --out "$TMP/out" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	assert_eq "$name: exit" 1 "$?"
	assert_contains "$name: error" "$TMP/bad.err" "$re"
	[ -e "$TMP/out/ixgate.conf" ] && fail "$name: a config was written"
	[ -s "$TMP/bad.out" ] && fail "$name: output on stdout"
	return 0
}
bad_import "not JSON" '{"version": "1.0",' 'bad\.json: line 1, column [0-9]+: '
bad_import "not an object" '[1, 2]' 'bad\.json: the top level is not an object$'
bad_import "no member_list" '{"version":"1.0","ixp_list":[]}' '\$: no "member_list" \(required\)$'
bad_import "asnum missing" '{"member_list":[{"connection_list":[]}]}' \
	'member_list\[0\]: no "asnum" \(required\)$'
bad_import "asnum a string" '{"member_list":[{"asnum":"AS1","connection_list":[]}]}' \
	'member_list\[0\]\.asnum: expected an integer$'
bad_import "asnum 0" '{"member_list":[{"asnum":0,"connection_list":[]}]}' \
	'member_list\[0\]\.asnum: 0 is not an AS number'
bad_import "vlan_list not an array" \
	'{"ixp_list":[{"ixp_id":1,"shortname":"x","ixf_id":1}],"member_list":[{"asnum":1,"connection_list":[{"ixp_id":1,"vlan_list":{}}]}]}' \
	'member_list\[0\]\.connection_list\[0\]\.vlan_list: expected an array$'
bad_import "mac not a string" \
	'{"member_list":[{"asnum":1,"connection_list":[{"ixp_id":1,"vlan_list":[{"ipv4":{"mac_addresses":[7]}}]}]}]}' \
	'member_list\[0\]\.connection_list\[0\]\.vlan_list\[0\]\.ipv4\.mac_addresses\[0\]: expected a string$'
bad_import "unknown --ixp-id" "$(cat "$SAMPLE")" 'ixp_list: no exchange with ixp_id 7$' --ixp-id 7
many=$(python3 -c '
import json
print(json.dumps({"member_list": [{"asnum": 64496 + i, "connection_list": [{"ixp_id": 1,
  "vlan_list": [{"ipv4": {"mac_addresses": ["02:00:00:00:%02x:01" % i]}}]}]} for i in range(40)]}))')
bad_import "more connections than ports" "$many" '40 member connections .* at most 32: put them on one port with --trunk PORT$'
printf '%s' "$many" >"$TMP/many.json"
"$MKCONFIG" --from-ixf "$TMP/many.json" --trunk t0 >"$TMP/many.conf" 2>/dev/null || fail "40 members on a trunk"
"$CONF_TOOL" check "$TMP/many.conf" >/dev/null 2>&1 || fail "40 members on a trunk: check"
"$MKCONFIG" --from-ixf "$TMP/nonexistent.json" >/dev/null 2>"$TMP/bad.err"
assert_eq "missing file: exit" 1 "$?"
assert_contains "missing file named" "$TMP/bad.err" "nonexistent.json: No such file or directory"

# Export: a broken config writes nothing; bad options are usage errors.
printf 'node { name x; country SG; }\npeer a { asn 1; }\n' >"$TMP/broken.conf"
"$CONF_TOOL" export ixf "$TMP/broken.conf" >"$TMP/out.json" 2>"$TMP/err"
assert_eq "export of a broken config: exit" 1 "$?"
[ -s "$TMP/out.json" ] && fail "export of a broken config wrote JSON"
assert_contains "export names the config error" "$TMP/err" "broken\.conf:2:6: error: "
bad_export() { # WHAT ARGS...: a usage error (exit 2) that says why
	local what=$1
	shift
	"$CONF_TOOL" export "$@" >"$TMP/out.json" 2>"$TMP/err"
	assert_eq "export $what: exit" 2 "$?"
	assert_contains "export $what: says why" "$TMP/err" '^ixgate-conf export: '
	[ -s "$TMP/out.json" ] && fail "export $what: wrote output"
	return 0
}
D=$SRC/config/demo.conf
bad_export "--ixp-id x" ixf --ixp-id x "$D"
bad_export "--ixp-id -1" ixf --ixp-id -1 "$D"
bad_export "--peeringdb-id 0" ixf --peeringdb-id 0 "$D"
bad_export "--country sg" ixf --country sg "$D"
bad_export "--timestamp 2026-01-01" ixf --timestamp 2026-01-01 "$D"
bad_export "--bogus" ixf --bogus "$D"
bad_export "--ixf-id without a value" ixf "$D" --ixf-id
bad_export "without CONFIG" ixf
bad_export "with two CONFIGs" ixf "$D" "$D"
bad_export "json" json "$D"
bad_export "nothing" 
SOURCE_DATE_EPOCH=yesterday "$CONF_TOOL" export ixf "$SRC/config/demo.conf" >/dev/null 2>"$TMP/err"
assert_eq "bad SOURCE_DATE_EPOCH: exit" 2 "$?"
log "ok: IX-F export and import"
