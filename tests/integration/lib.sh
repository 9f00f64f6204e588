# SPDX-License-Identifier: BSD-3-Clause
# lib.sh - shared helpers for the integration scripts (source it).
#
# Environment (meson sets both): SRC = source tree, BUILD = build tree.
# Provides: $DP (ixgate-dataplane), $GEN (ixgate-pcapgen), $DEMO_CONF,
# $TMP (a fresh directory removed at exit unless KEEP_TMP=1), bg/cleanup of
# started processes, skip/fail, assertions that print expected vs got, JSON
# field extraction with python3 (Debian's, see IXG_PYTHON), and the counter
# checks every test shares.

set -u
set -o pipefail

: "${SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$SRC/build}"
DP=$BUILD/dataplane/ixgate-dataplane
GEN=$BUILD/tools/ixgate-pcapgen
DEMO_CONF=$SRC/config/demo.conf
CONFIGS=$SRC/tests/integration/configs
TEST_NAME=$(basename "$0" .sh)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ixg-$TEST_NAME.XXXXXX")
IXG_PIDS=()

# python3 is Debian's (IXG_PYTHON overrides), the one scripts/deps.sh
# installs the modules for, even when a version manager's shim comes first
# in PATH: pyenv's shim resolves the version in some 30 bash, readlink and
# pyenv runs at every start (0.5 s of CPU, 1.8 s at load 10, against
# 0.03 s), and the scripts start a python3 for each JSON poll. In PATH, so
# that `timeout`, `bg` and scripts' `env python3` get it too.
IXG_PYTHON=${IXG_PYTHON:-/usr/bin/python3}
if [ -x "$IXG_PYTHON" ] && [ "$(command -v python3)" != "$IXG_PYTHON" ]; then
	mkdir -p "$TMP/bin"
	ln -s "$IXG_PYTHON" "$TMP/bin/python3"
	PATH=$TMP/bin:$PATH
fi

# ixg_alive PID: the process runs (not gone, not a zombie waiting for us).
ixg_alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in Z*) return 1 ;; esac
	[ -n "$st" ]
}

# SIGTERM to every started process, SIGKILL to one still running 10 s
# later: a process wedged in its shutdown (a DPDK primary whose secondary
# crashed while attaching) must not hang the test until meson's timeout.
ixg_cleanup() {
	local pid
	for pid in "${IXG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || continue
		for _ in $(seq 1 100); do
			ixg_alive "$pid" || break
			sleep 0.1
		done
		if ixg_alive "$pid"; then
			echo "# cleanup: pid $pid ignored SIGTERM for 10 s: SIGKILL" >&2
			# its children first (timeout(1) would leave its own)
			pkill -KILL -P "$pid" 2>/dev/null
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap ixg_cleanup EXIT

log() { echo "# $*"; }
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Run "$@" in the background, remembered for cleanup; sets BG_PID.
bg() {
	"$@" &
	BG_PID=$!
	IXG_PIDS+=("$BG_PID")
}

need_file() {
	[ -e "$1" ] || fail "missing $1 (not built?)"
}

need_tools() {
	need_file "$DP"
	command -v python3 >/dev/null || skip "python3 not installed"
}

# assert_eq WHAT EXPECTED GOT
assert_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected '$2', got '$3'"
	fi
	log "ok: $1 = $3"
}

# assert_contains WHAT FILE PATTERN (grep -E)
assert_contains() {
	if ! grep -Eq -- "$3" "$2"; then
		echo "--- $2:" >&2
		head -20 "$2" >&2
		fail "$1: expected a line matching '$3' in $2"
	fi
	log "ok: $1"
}

# The JSON object a dataplane run printed: the last line of FILE starting
# with '{' (stdout may also hold trace lines). Writes it to FILE.json.
extract_json() {
	grep '^{' "$1" | tail -1 >"$1.json"
	[ -s "$1.json" ] || fail "no JSON object in $1"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1.json" ||
		fail "$1: output is not valid JSON"
}

# json_get FILE PATH: print the value at a dotted path (a.b.c), or fail.
json_get() {
	python3 - "$1" "$2" <<'EOF' || fail "json_get $1 $2"
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
EOF
}

# check_invariant FILE: rx == tx + local + punted + sum(drops), overall and
# per port (ports: rx == fwd + local + punted + drops at the ingress port).
check_invariant() {
	python3 - "$1" <<'EOF' || fail "counter invariant broken in $1"
import json, sys
j = json.load(open(sys.argv[1]))
d = sum(j["drops"].values())
pu = j.get("punted_packets", 0)
ok = True
if j["rx_packets"] != j["tx_packets"] + j["local_packets"] + pu + d:
    print("FAIL: rx %d != tx %d + local %d + punted %d + drops %d" %
          (j["rx_packets"], j["tx_packets"], j["local_packets"], pu, d))
    ok = False
for name, p in j.get("ports", {}).items():
    pd = sum(p["drops"].values()) if isinstance(p["drops"], dict) else p["drops"]
    pp = p.get("punted_packets", 0)
    if p["rx_packets"] != p["fwd_packets"] + p["local_packets"] + pp + pd:
        print("FAIL: port %s: rx %d != fwd %d + local %d + punted %d + drops %d" %
              (name, p["rx_packets"], p["fwd_packets"], p["local_packets"], pp, pd))
        ok = False
if ok:
    print("# ok: invariant rx %d == tx %d + local %d + punted %d + drops %d" %
          (j["rx_packets"], j["tx_packets"], j["local_packets"], pu, d))
sys.exit(0 if ok else 1)
EOF
}

# compare_counters EXPECTED GOT [LABEL]: rx, tx, local, every drop reason
# and per-peer rx/tx must be equal. Reasons listed in EXPECTED's
# "approximate" array (policed traffic) are compared as totals only.
compare_counters() {
	python3 - "$1" "$2" "${3:-counters}" <<'EOF' || fail "$3: $2 differs from $1"
import json, sys
exp = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
label = sys.argv[3]
approx = set(exp.get("approximate", []))
bad = []
def cmp(what, e, g):
    if e != g:
        bad.append("%s: expected %s, got %s" % (what, e, g))
for k in ("rx_packets", "tx_packets", "local_packets"):
    if k in exp or k in got:
        cmp(k, exp.get(k), got.get(k))
reasons = set(exp.get("drops", {})) | set(got.get("drops", {}))
for r in sorted(reasons):
    if r in approx:
        continue
    cmp("drops." + r, exp.get("drops", {}).get(r, 0), got.get("drops", {}).get(r, 0))
for name in sorted(set(exp.get("peers", {})) | set(got.get("peers", {}))):
    e = exp.get("peers", {}).get(name, {})
    g = got.get("peers", {}).get(name, {})
    for k in ("rx_packets", "tx_packets"):
        if k in e or g.get(k, 0):
            cmp("peers.%s.%s" % (name, k), e.get(k, 0), g.get(k, 0))
if bad:
    print("FAIL: %s: %d differences" % (label, len(bad)))
    for b in bad:
        print("  " + b)
    sys.exit(1)
print("# ok: %s: rx %s tx %s local %s, %d drop reasons and %d peers match" %
      (label, got["rx_packets"], got["tx_packets"], got["local_packets"],
       len(reasons), len(exp.get("peers", {}))))
EOF
}

# pcap_count FILE: number of records in a classic pcap file.
pcap_count() {
	python3 - "$1" <<'EOF' || fail "pcap_count $1"
import struct, sys
f = open(sys.argv[1], "rb")
magic = f.read(24)[:4]
e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
n = 0
while True:
    h = f.read(16)
    if len(h) < 16:
        break
    _, _, caplen, _ = struct.unpack(e + "IIII", h)
    f.seek(caplen, 1)
    n += 1
print(n)
EOF
}

# A unique EAL file prefix for this test run.
eal_prefix() {
	echo "ixgt-$TEST_NAME-$$"
}

# EAL memory arguments: --no-huge by default (tests must not depend on the
# hugepages other jobs may hold); IXG_HUGE=1 uses hugepages when enough are
# free. DPDK 22.11 refuses --in-memory with --no-huge (which implies legacy
# memory): --no-shconf gives the same "no files, nothing shared" there.
eal_mem_args() {
	local free
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null)
	if [ "${IXG_HUGE:-0}" = 1 ] && [ "${free:-0}" -ge 512 ]; then
		echo "-m 1024 --in-memory"
	else
		echo "--no-huge -m 1024 --no-shconf"
	fi
}
