#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A reload compiles only the files that changed (doc/operations.md, "What
# a reload costs"). The demo config with every member's prefixes also in
# prefix-list files (20 files beside the demo's own data files): one
# member's file edited in place -> the reply says 1 data file compiled
# and every other reused, only that file hashed again (its digest and the
# config's right), only routes4 and sources4 sent, and the
# dataplane's build adds exactly that prefix; the file put back by an
# atomic rename -> 1 compiled again, and the dataplane runs the start's
# configuration (same sha256) again; a deleted file -> refused with where,
# nothing changed. A finite capture replayed meanwhile: every counter
# equals the generator's expectation, rx == tx + local + drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

COUNT=4096
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 7 --port p0 --expect "$TMP/expect.json" >/dev/null || fail "ixgate-pcapgen"

rm -f "$API_SOCK" "$CTL_SOCK" "$AUDIT"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap" "net_null1,no-rx=1"
# Two prefix files per member, each one /24 of 100.64.0.0/10: the demo's
# ACL denies that range before any route lookup, so no verdict of the
# generated traffic moves (and the demo's max-prefix limits leave room).
mkdir -p "$CONF_DIR/prefixes"
python3 - "$CONF_DIR" <<'PY' || fail "prefix files"
import glob, os, re, sys
d = sys.argv[1]
i = 0
for f in sorted(glob.glob(os.path.join(d, "peers.d", "*.conf"))):
    t = open(f).read()
    def add(m):
        global i
        out = m.group(0)
        for k in range(2):
            name = "%s-%d.txt" % (m.group(1), k)
            open(os.path.join(d, "prefixes", name), "w").write(
                "100.%d.%d.0/24\n" % (64 + i // 256, i % 256))
            i += 1
            out += '\n\tannounce-file "../prefixes/%s";' % name
        return out
    open(f, "w").write(re.sub(r"^peer (\S+) \{$", add, t, flags=re.M))
print("# %d prefix files" % i)
PY
chmod -R go-w "$CONF_DIR"
n_files=$(ls "$CONF_DIR/prefixes" | wc -l)
assert_eq "prefix files written" 20 "$n_files"

# Long enough for a sanitized build on a busy machine; stopped below.
start_dp 300 "$TMP/live.json"
# Files hashed within 2 s of their times are hashed again (the digest
# cache's racy rule): let the times age so the reloads below keep the
# digests of the files they did not change.
sleep 2.1
start_ctld
wait_for 20 dp_is_connected || { cat "$TMP/ctld.err" >&2; fail "daemon never connected"; }
wait_for 20 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }
g0=$(generation)
sha0=$(gen_field dataplane_config_sha256)
log "generation $g0, sha256 ${sha0:0:16}"

# One member's file edited in place.
f=$(ls "$CONF_DIR/prefixes" | head -1)
cp "$CONF_DIR/prefixes/$f" "$TMP/orig.txt"
echo "100.127.254.0/24" >>"$CONF_DIR/prefixes/$f"
ctl reload >"$TMP/r1.out" 2>&1 || { cat "$TMP/r1.out" >&2; fail "reload (edit)"; }
log "$(cat "$TMP/r1.out")"
assert_contains "one data file compiled, the rest reused" "$TMP/r1.out" \
	"reload: [0-9]+ config files parsed, 1 data file compiled, [0-9]+ reused unread"
reused=$(grep -oE '[0-9]+ reused unread' "$TMP/r1.out" | cut -d' ' -f1)
parsed=$(grep -oE '[0-9]+ config files parsed' "$TMP/r1.out" | cut -d' ' -f1)
n_all=$((parsed + 1 + reused))
[ "$reused" -ge 22 ] || fail "only $reused data files reused (20 prefix files + 3 country data files, one changed)"
# Every file but the edited one keeps its digest; the config's digest
# resumes after the files before it (checked below: the same sha256 as
# at the start once the file is put back).
assert_contains "only the edited file hashed again" "$TMP/r1.out" \
	"digests: $((n_all - 1)) of $n_all files unchanged, [1-9][0-9]* skipped"
assert_contains "only routes4 and sources4 sent" "$TMP/r1.out" \
	"; sent routes4 [^,]*, sources4 [^,]*$"
g1=$(generation)
assert_eq "generation after the edit" $((g0 + 1)) "$g1"
# route4's prefixes in the dataplane's build line of a generation.
fib4() {
	grep "generation $1 built in" "$TMP/dp.err" |
		grep -oE 'route4 (built|patched|shared) [0-9]+' | grep -oE '[0-9]+$'
}
n0=$(fib4 "$g0")
[ -n "$n0" ] || fail "no build line for generation $g0"
assert_eq "the dataplane's IPv4 FIB got that one prefix" $((n0 + 1)) "$(fib4 "$g1")"

# Put back by an atomic rename (what editors and git checkout do).
cp "$TMP/orig.txt" "$CONF_DIR/prefixes/.$f.new"
mv "$CONF_DIR/prefixes/.$f.new" "$CONF_DIR/prefixes/$f"
ctl reload >"$TMP/r2.out" 2>&1 || { cat "$TMP/r2.out" >&2; fail "reload (rename)"; }
log "$(cat "$TMP/r2.out")"
assert_contains "the renamed file compiled" "$TMP/r2.out" \
	"1 data file compiled, $reused reused unread"
assert_contains "the renamed file hashed again, no other" "$TMP/r2.out" \
	"digests: $((n_all - 1)) of $n_all files unchanged"
assert_eq "generation after the rename" $((g0 + 2)) "$(generation)"
assert_eq "the dataplane runs the start's configuration again" "$sha0" \
	"$(gen_field dataplane_config_sha256)"

# A deleted file: refused where it is named, as without the cache.
mv "$CONF_DIR/prefixes/$f" "$TMP/gone.txt"
ctl reload >"$TMP/r3.out" 2>&1 && fail "reload with a deleted prefix file succeeded"
assert_contains "deleted file named at file:line:col" "$TMP/r3.out" \
	"peers.d/[a-z]+\.conf:[0-9]+:[0-9]+: error: cannot read \"[^\"]*$f\""
assert_eq "generation after the refused reload" $((g0 + 2)) "$(generation)"
mv "$TMP/gone.txt" "$CONF_DIR/prefixes/$f"
ctl reload >"$TMP/r4.out" 2>&1 || { cat "$TMP/r4.out" >&2; fail "reload (file back)"; }
assert_contains "same files: no change" "$TMP/r4.out" "no change"

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"
assert_eq "p0 received every packet" $COUNT "$(json_get "$TMP/live.json" ports.p0.rx_packets)"
compare_counters "$TMP/expect.json" "$TMP/live.json" "live vs generator"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
echo "PASS"
