# SPDX-License-Identifier: BSD-3-Clause
# bgp_lib.sh - real routing daemons in network namespaces, for the tests
# that check what BIRD 2 and FRR write into the kernel (test_bgp_*.sh).
# Source it after lib.sh.
#
# Topology: one "node" namespace with a bridge `ixlan` (the peering LAN:
# 198.51.100.0/24, 2001:db8:ff::/64, the node at .1 and ::1) and member
# namespaces, each with a veth on the bridge (member N at .(10+N) and
# ::(10+N)). No ixgate in between yet: the daemons peer over the bridge.
#
# Daemons run in the foreground under `bg` (lib.sh kills them at exit),
# with their config, control sockets, pid and log files in $TMP; no
# systemd, no /etc, no /run. Every wait is bounded.
#
#   bgp_node_ns                    create the node namespace and the LAN
#   bgp_member_ns N                create member N's namespace and veth
#   bird_start NAME NS CONF_TEXT   BIRD 2 in NS with that config
#   birdc NAME ARGS...             birdc on NAME's control socket
#   bird_configure NAME CONF_TEXT  new config, `birdc configure`
#   bird_wait_established NAME PROTO [SECONDS]
#   frr_start NAME NS ZEBRA BGPD STATICD   zebra, staticd, bgpd (texts)
#   vtysh_ NAME ARGS...            vtysh on NAME's vty sockets
#   frr_wait_established NAME PEER [SECONDS]
#   bgp_member_bird N ASN NODE_ASN STATIC4 STATIC6   a member's BIRD
#                                  config text, announcing its static
#                                  routes (BIRD static syntax) to the node
#                                  over IPv4 and IPv6 sessions

BGP_NODE_NS=ixg-bgp-node-$$
BGP_NS=()
BGP_LAN4=198.51.100
BGP_LAN6=2001:db8:ff:
BGP_NODE4=$BGP_LAN4.1
BGP_NODE6=${BGP_LAN6}:1

command -v bird >/dev/null && command -v birdc >/dev/null ||
	skip "BIRD 2 not installed (bird2)"
[ "$(id -u)" = 0 ] || skip "not root"

bgp_cleanup() {
	local ns
	ixg_cleanup
	for ns in "${BGP_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap bgp_cleanup EXIT

bgp_node_ns() {
	ip netns add "$BGP_NODE_NS" 2>/dev/null ||
		skip "cannot create a network namespace"
	BGP_NS+=("$BGP_NODE_NS")
	ip -n "$BGP_NODE_NS" link set lo up
	ip -n "$BGP_NODE_NS" link add ixlan type bridge ||
		skip "no bridge support in this kernel"
	ip -n "$BGP_NODE_NS" link set ixlan up
	ip -n "$BGP_NODE_NS" addr add "$BGP_NODE4/24" dev ixlan
	ip -n "$BGP_NODE_NS" addr add "$BGP_NODE6/64" dev ixlan nodad
}

# bgp_member_ns N: namespace ixg-bgp-mN-$$, address .(10+N) / ::(10+N).
bgp_member_ns() {
	local n=$1 ns=ixg-bgp-m$1-$$
	ip netns add "$ns" || fail "cannot create $ns"
	BGP_NS+=("$ns")
	ip -n "$ns" link set lo up
	ip link add "m$n-lan" netns "$BGP_NODE_NS" type veth peer name eth0 \
		netns "$ns" || fail "veth for member $n"
	ip -n "$BGP_NODE_NS" link set "m$n-lan" master ixlan up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" addr add "$BGP_LAN4.$((10 + n))/24" dev eth0
	ip -n "$ns" addr add "${BGP_LAN6}:$((10 + n))/64" dev eth0 nodad
}

member_ns() { echo "ixg-bgp-m$1-$$"; }
member4() { echo "$BGP_LAN4.$((10 + $1))"; }
member6() { echo "${BGP_LAN6}:$((10 + $1))"; }

# bird_start NAME NS CONF_TEXT
bird_start() {
	local name=$1 ns=$2 i
	printf '%s\n' "$3" >"$TMP/$name.conf"
	bird -p -c "$TMP/$name.conf" ||
		fail "$name: BIRD refuses its config ($TMP/$name.conf)"
	bg ip netns exec "$ns" bird -f -c "$TMP/$name.conf" \
		-s "$TMP/$name.ctl" -P "$TMP/$name.pid" \
		>"$TMP/$name.out" 2>&1
	for i in $(seq 1 100); do
		birdc -s "$TMP/$name.ctl" show status >/dev/null 2>&1 && return 0
		kill -0 "$BG_PID" 2>/dev/null ||
			{ cat "$TMP/$name.out" >&2; fail "$name: BIRD exited"; }
		sleep 0.1
	done
	fail "$name: BIRD control socket not up in 10 s"
}

birdc_() {
	local name=$1
	shift
	birdc -s "$TMP/$name.ctl" "$@"
}

bird_configure() {
	local name=$1
	printf '%s\n' "$2" >"$TMP/$name.conf"
	birdc_ "$name" configure >"$TMP/$name.cfg.out" 2>&1
	grep -q "Reconfigured" "$TMP/$name.cfg.out" ||
		{ cat "$TMP/$name.cfg.out" >&2; fail "$name: birdc configure"; }
}

# bird_wait_established NAME PROTO [SECONDS]: the BGP session is up.
bird_wait_established() {
	local name=$1 proto=$2 secs=${3:-60} i
	for i in $(seq 1 $((secs * 4))); do
		birdc_ "$name" show protocols "$proto" 2>/dev/null |
			grep -q "Established" && return 0
		sleep 0.25
	done
	birdc_ "$name" show protocols all "$proto" >&2
	fail "$name: BGP session $proto not Established in ${secs} s"
}

# frr_start NAME NS ZEBRA_CONF BGPD_CONF STATICD_CONF [BFDD_CONF]: FRR's
# daemons (bfdd too when BFDD_CONF is given)
# started directly (no frrinit.sh, no watchfrr), as user frr (FRR refuses
# root outside its frrvty group), files in $TMP/NAME.frr/.
frr_start() {
	local name=$1 ns=$2 dir=$TMP/$1.frr d i
	[ -x /usr/lib/frr/zebra ] && [ -x /usr/lib/frr/bgpd ] &&
		command -v vtysh >/dev/null || skip "FRR not installed (frr)"
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/zebra.conf"
	printf '%s\n' "$4" >"$dir/bgpd.conf"
	printf '%s\n' "$5" >"$dir/staticd.conf"
	local daemons="zebra staticd bgpd"
	if [ -n "${6:-}" ]; then
		[ -x /usr/lib/frr/bfdd ] || skip "FRR's bfdd not installed"
		printf '%s\n' "$6" >"$dir/bfdd.conf"
		daemons="zebra staticd bfdd bgpd"
	fi
	chown -R frr:frr "$dir" || fail "chown $dir to frr"
	chmod 755 "$TMP"
	for d in $daemons; do
		bg ip netns exec "$ns" "/usr/lib/frr/$d" -f "$dir/$d.conf" \
			-i "$dir/$d.pid" -z "$dir/zserv.api" \
			--vty_socket "$dir" -u frr -g frr \
			--log "file:$dir/$d.log" >"$dir/$d.out" 2>&1
		for i in $(seq 1 100); do
			[ -S "$dir/$d.vty" ] && break
			kill -0 "$BG_PID" 2>/dev/null ||
				{ cat "$dir/$d.out" >&2; fail "$name: $d exited"; }
			sleep 0.1
		done
		[ -S "$dir/$d.vty" ] || fail "$name: $d vty socket not up in 10 s"
	done
}

vtysh_() {
	local name=$1
	shift
	vtysh --vty_socket "$TMP/$name.frr" "$@"
}

# frr_wait_established NAME PEER [SECONDS]
frr_wait_established() {
	local name=$1 peer=$2 secs=${3:-60} i
	for i in $(seq 1 $((secs * 4))); do
		vtysh_ "$name" -c "show bgp neighbors $peer json" 2>/dev/null |
			grep -q '"bgpState":"Established"' && return 0
		sleep 0.25
	done
	vtysh_ "$name" -c "show bgp summary" >&2
	fail "$name: BGP session with $peer not Established in ${secs} s"
}

# bgp_member_bird N ASN NODE_ASN STATIC4 STATIC6: a member announcing its
# static routes to the node (sessions over IPv4 and IPv6).
bgp_member_bird() {
	cat <<EOF
router id $(member4 "$1");
protocol device {}
protocol static s4 { ipv4; $4 }
protocol static s6 { ipv6; $5 }
template bgp to_node {
	local as $2;
	connect delay time 1; connect retry time 2; error wait time 1, 5;
}
protocol bgp node4 from to_node {
	source address $(member4 "$1");
	neighbor $BGP_NODE4 as $3;
	ipv4 { import none; export where source = RTS_STATIC; next hop self; };
}
protocol bgp node6 from to_node {
	source address $(member6 "$1");
	neighbor $BGP_NODE6 as $3;
	ipv6 { import none; export where source = RTS_STATIC; next hop self; };
}
EOF
}

# ---------------------------------------------------------------------------
# ixgate between the node and the members (test_bgp_e2e_*.sh). Source
# control_lib.sh before this file.
#
# The node namespace runs ixgate-dataplane with one port per member
# (net_af_packet on a veth: port p(N-1) <-> member N), ixgate-control (its
# kernel-routes reader follows the node's table) and the node's routing
# daemon, whose BGP sessions run over the exception-path TAPs ixg-p0..: a
# member's SYN is punted to Linux, the node's answer injected back out of
# the port. Nothing else connects the namespaces.
#
# Member N (1..3): namespace ixg-bgp-mN-$$, eth0 with MAC e2e_mac N (the
# config's `mac`), 198.51.100.(64(N-1)+2)/26 and 2001:db8:ff:N::2/64 on
# port p(N-1), whose node addresses are .(64(N-1)+1) and ::1; its loopback
# with 198.18.N.{1,66,77}/24 and 2001:db8:N::{1,66}/48 (the member's
# network, announced by its BIRD with `protocol direct`); default
# routes via the node: ixgate routes by what BGP taught the node.
#
#   e2e_node_ns                    the node namespace
#   e2e_member N                   member N's namespace, veth, network, routes
#   e2e_members N...               all of them, checksum offload off
#   e2e_conf TABLE PROTO N...      ixgate's config for members N... ($CONF)
#   e2e_start_dp SECONDS N...      the dataplane (ports of members N...)
#   e2e_stop_dp                    SIGTERM, exit 0, final invariant
#   e2e_start_ctld                 ixgate-control in the node namespace
#   e2e_member_bird N ASN EXPORT4 EXPORT6 [STATIC4 [STATIC6]]
#   e2e_ping N ADDR [COUNT]        ping from member N's network address
#   e2e_udp_recv N ADDR PORT       count datagrams in member N
#   e2e_udp_send N ADDR PORT COUNT [RATE]   datagrams from member N
#   e2e_udp_count N ADDR           datagrams received so far
#   e2e_counters FILE              `ixgatectl --json show counters --all`
#                                  once quiescent (two equal reads)
#   e2e_invariant FILE             rx = fwd + local + punted + drops in it
#   e2e_drops REASON               dropped_packets_total{reason} now
# ---------------------------------------------------------------------------

E2E_LAN4=198.51.100

# Progress lines with the time of day: the phases' durations show.
log() { echo "# $(date +%T.%N | cut -c1-12) $*"; }

e2e_node4() { echo "$E2E_LAN4.$((64 * ($1 - 1) + 1))"; }
e2e_member4() { echo "$E2E_LAN4.$((64 * ($1 - 1) + 2))"; }
e2e_node6() { echo "2001:db8:ff:$1::1"; }
e2e_member6() { echo "2001:db8:ff:$1::2"; }
e2e_mac() { echo "02:00:00:e2:0$1:01"; }
e2e_port_mac() { echo "02:00:00:e2:00:0$1"; }
e2e_veth() { echo "ixv$$p$1"; }
# A member's network: e2e_net4 N -> 198.18.N.0/24, e2e_net6 N -> /48.
e2e_net4() { echo "198.18.$1.0/24"; }
e2e_net6() { echo "2001:db8:$1::/48"; }

e2e_node_ns() {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	ip netns add "$BGP_NODE_NS" 2>/dev/null ||
		skip "cannot create a network namespace"
	BGP_NS+=("$BGP_NODE_NS")
	ip -n "$BGP_NODE_NS" link set lo up
}

# e2e_member N: the member's namespace, its veth to port p(N-1), its
# network on its loopback and its default routes via the node.
e2e_member() {
	local n=$1 ns v
	ns=$(member_ns "$n")
	v=$(e2e_veth "$n")
	ip netns add "$ns" || fail "cannot create $ns"
	BGP_NS+=("$ns")
	ip -n "$ns" link set lo up
	ip link add "$v" netns "$BGP_NODE_NS" type veth peer name eth0 \
		netns "$ns" || fail "veth for member $n"
	ip netns exec "$BGP_NODE_NS" sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	ip -n "$BGP_NODE_NS" link set "$v" up
	ip -n "$ns" link set eth0 address "$(e2e_mac "$n")"
	ip -n "$ns" addr add "$(e2e_member4 "$n")/26" dev eth0
	ip -n "$ns" addr add "$(e2e_member6 "$n")/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
	# The member's network on its loopback (this kernel may have no dummy
	# interfaces): `protocol direct` announces it.
	ip -n "$ns" addr add "198.18.$n.1/24" dev lo
	ip -n "$ns" addr add "198.18.$n.66/24" dev lo
	ip -n "$ns" addr add "198.18.$n.77/24" dev lo
	ip -n "$ns" addr add "2001:db8:$n::1/48" dev lo nodad
	ip -n "$ns" addr add "2001:db8:$n::66/48" dev lo nodad
	ip -n "$ns" route add default via "$(e2e_node4 "$n")"
	ip -n "$ns" -6 route add default via "$(e2e_node6 "$n")"
}

# e2e_members N...: e2e_member for each, then (one python for all: it
# starts in seconds on a loaded machine) transport checksums computed by
# the members' kernels: a veth leaves them to "the NIC", which
# net_af_packet on the other end never fills in, so they must be computed
# as a real member's NIC would (ETHTOOL_STXCSUM off on eth0).
e2e_members() {
	local n nss=()
	for n in "$@"; do
		e2e_member "$n"
		nss+=("$(member_ns "$n")")
	done
	python3 - "${nss[@]}" <<'PY' || fail "tx checksum offload off"
import array, ctypes, fcntl, os, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
for ns in sys.argv[1:]:
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        sys.exit("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(fd)
    data = array.array("B", struct.pack("II", 0x17, 0))  # ETHTOOL_STXCSUM, off
    ifr = struct.pack("16sP", b"eth0", data.buffer_info()[0])
    s = socket.socket()
    fcntl.ioctl(s.fileno(), 0x8946, ifr)  # SIOCETHTOOL
    s.close()
PY
}

# e2e_conf TABLE PROTO N...: the node (exception path on), kernel-routes
# from TABLE (protocol PROTO), a port and a peer per member N. A member's
# allowed prefixes (allow-source) are its network: what it may source,
# and (filter sources) what its kernel routes may cover.
e2e_conf() {
	local table=$1 proto=$2 n
	shift 2
	mkdir -p "$CONF_DIR"
	CONF=$CONF_DIR/e2e.conf
	{
		printf 'node {\n\tname bgp-e2e;\n\tcountry SG;\n\texception-path on;\n}\n'
		printf '\nkernel-routes {\n\ttable %s;\n\tprotocol %s;\n' "$table" "$proto"
		printf '\tbatch-ms 20;\n\tfilter sources;\n}\n'
		for n in "$@"; do
			printf '\nport p%d {\n' $((n - 1))
			printf '\tdevice "net_af_packet%d,iface=%s";\n' $((n - 1)) "$(e2e_veth "$n")"
			printf '\tmac %s;\n' "$(e2e_port_mac "$n")"
			printf '\taddress %s/26;\n' "$(e2e_node4 "$n")"
			printf '\taddress %s/64;\n}\n' "$(e2e_node6 "$n")"
			printf '\npeer m%d {\n\tasn %d;\n\tcountry SG;\n' "$n" $((65000 + n))
			printf '\tport p%d;\n\tmac %s;\n' $((n - 1)) "$(e2e_mac "$n")"
			printf '\tnext-hop %s;\n\tnext-hop %s;\n' "$(e2e_member4 "$n")" "$(e2e_member6 "$n")"
			printf '\tallow-source {\n\t\t%s;\n\t\t%s;\n\t}\n}\n' "$(e2e_net4 "$n")" "$(e2e_net6 "$n")"
		done
	} >"$CONF"
	chmod -R go-w "$CONF_DIR"
}

# e2e_start_dp SECONDS N...: the dataplane in the node namespace (more
# of its options in E2E_DP_ARGS, split on spaces); waits
# for the TAPs of members N..., then hides the veths from the node's
# kernel (as a NIC bound to DPDK would be). SECONDS (--duration) is a
# ceiling: the scripts stop it with e2e_stop_dp (900, as start_dp's).
e2e_start_dp() {
	local secs=$1 n v
	shift
	# shellcheck disable=SC2046 # word splitting of the EAL arguments
	bg timeout $((secs + 30)) ip netns exec "$BGP_NODE_NS" "$DP" -l 0,1 \
		$(eal_mem_args) --no-pci --file-prefix "$(eal_prefix)" \
		--log-level='*:warning' -- --config "$CONF" \
		--api-socket "$API_SOCK" --duration "$secs" \
		--json-out "$TMP/final.json" ${E2E_DP_ARGS:-} \
		>"$TMP/dp.out" 2>"$TMP/dp.err"
	DP_PID=$BG_PID
	# Bounds for a loaded machine (control_lib.sh's start_dp: an ASan
	# dataplane at load 30 took more than 20 s); met at once when idle.
	wait_for 120 grep -q "worker(s)" "$TMP/dp.err" ||
		{ cat "$TMP/dp.err" >&2; fail "dataplane did not start"; }
	for n in "$@"; do
		wait_for 10 ip -n "$BGP_NODE_NS" link show "ixg-p$((n - 1))" ||
			{ cat "$TMP/dp.err" >&2; fail "ixg-p$((n - 1)) never appeared"; }
		# net_af_packet gave the veth the port's MAC: another MAC (the
		# port is promiscuous) and no address make the node's kernel
		# ignore what the member sends there.
		v=$(e2e_veth "$n")
		ip -n "$BGP_NODE_NS" link set "$v" address "02:00:00:e2:99:0$n"
		ip netns exec "$BGP_NODE_NS" sysctl -qw \
			"net.ipv4.conf.$v.arp_ignore=1" "net.ipv4.conf.$v.rp_filter=1"
	done
}

# e2e_stop_dp: SIGTERM, exit status 0, and the final counters' invariant.
e2e_stop_dp() {
	local rc=0
	kill -TERM "$(pgrep -P "$DP_PID" | head -1)" 2>/dev/null
	wait "$DP_PID" || rc=$?
	assert_eq "dataplane exit status after SIGTERM" 0 "$rc"
	check_invariant "$TMP/final.json"
}

e2e_start_ctld() {
	bg ip netns exec "$BGP_NODE_NS" "$CTLD" --config "$CONF" \
		--api-socket "$API_SOCK" --ctl-socket "$CTL_SOCK" \
		--audit-log "$AUDIT" --state-dir "$STATE" \
		>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
	CTLD_PID=$BG_PID
	wait_for 60 test -S "$CTL_SOCK" ||
		{ cat "$TMP/ctld.err" >&2; fail "ixgate-control socket never appeared"; }
	wait_for 20 dp_is_connected ||
		{ cat "$TMP/ctld.err" >&2; fail "ixgate-control never connected"; }
	wait_for 20 e2e_kr_synced ||
		{ cat "$TMP/ctld.err" >&2; fail "kernel route reader never synced"; }
}

e2e_kr() { ctl --json show kernel-routes; }
e2e_kr_synced() { e2e_kr | jq -e .synced >/dev/null; }
# e2e_kr_field JQ_FILTER: a value of `show kernel-routes --json`.
# (jq, not python: python starts in seconds on a loaded 2-core machine.)
e2e_kr_field() { e2e_kr | jq -r "$1"; }

# e2e_route_is ADDR REGEX: `ixgatectl show routes ADDR` matches within 10 s.
e2e_route_is() {
	local i
	for i in $(seq 1 100); do
		ctl show routes "$1" >"$TMP/routes.out" 2>&1
		grep -qE "$2" "$TMP/routes.out" && return 0
		sleep 0.1
	done
	cat "$TMP/routes.out" >&2
	fail "show routes $1: expected '$2' within 10 s"
}

# e2e_member_bird N ASN EXPORT4 EXPORT6 [STATIC4 [STATIC6]]: member N's
# BIRD: its network from the loopback (`protocol direct`) and the
# STATIC routes (BIRD syntax, e.g. a BLACKHOLE request), exported to the
# node over IPv4 and IPv6 sessions with the export filters given (BIRD
# syntax: `all`, `none`, `where ...`).
e2e_member_bird() {
	local n=$1
	cat <<EOF
router id $(e2e_member4 "$n");
protocol device {}
protocol direct {
	ipv4; ipv6;
	interface "lo";
}
protocol static s4 { ipv4; ${5:-} }
protocol static s6 { ipv6; ${6:-} }
template bgp to_node {
	local as $2;
	connect delay time 1; connect retry time 2; error wait time 1, 5;
}
protocol bgp node4 from to_node {
	source address $(e2e_member4 "$n");
	neighbor $(e2e_node4 "$n") as 65000;
	ipv4 { import none; export $3; next hop self; };
}
protocol bgp node6 from to_node {
	source address $(e2e_member6 "$n");
	neighbor $(e2e_node6 "$n") as 65000;
	ipv6 { import none; export $4; next hop self; };
}
EOF
}

# e2e_ping N ADDR [COUNT]: COUNT (3) echo requests from member N's network
# address (198.18.N.1 or 2001:db8:N::1) to ADDR, 0.2 s apart, 1 s to
# answer each: status 0 when every one was answered.
e2e_ping() {
	local n=$1 a=$2 c=${3:-3} src=198.18.$1.1
	case $a in *:*) src=2001:db8:$n::1 ;; esac
	timeout 20 ip netns exec "$(member_ns "$n")" ping -n -q -c "$c" \
		-i 0.2 -W 1 -I "$src" "$a" >"$TMP/ping.out" 2>&1 &&
		grep -q " $c received" "$TMP/ping.out"
}

E2E_UDP_PY=$TMP/e2e_udp.py
cat >"$E2E_UDP_PY" <<'PY'
# recv ADDR PORT SECONDS READY: one line per datagram (stdout, unbuffered),
# READY written once the socket is bound;
# send SRC DST PORT COUNT RATE: COUNT datagrams at RATE per second.
import socket, sys, time
if sys.argv[1] == "recv":
    addr, port, secs = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    open(sys.argv[5], "w").write("bound\n")
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            d = s.recv(2048)
        except socket.timeout:
            break
        print("%s %.6f" % (d.decode(errors="replace"), time.time()), flush=True)
else:
    src, dst, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
    n, rate = int(sys.argv[5]), float(sys.argv[6])
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    t0 = time.monotonic()
    for i in range(n):
        s.sendto(b"%d %.6f" % (i, time.time()), (dst, port))
        delay = t0 + (i + 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
PY

# e2e_udp_recv N ADDR PORT: a receiver in member N on ADDR:PORT (at most 80
# s; it replaces the previous receiver on ADDR), a line per datagram
# ("SEQ SENT_TIME RECEIVED_TIME") in $TMP/udp-N-ADDR.
declare -A E2E_RECV
e2e_udp_recv() {
	e2e_udp_recv_start "$@"
	e2e_udp_recv_wait "$@"
}
# e2e_udp_recv_wait N ADDR: the receiver is bound (python starts in seconds
# here: start several, then wait for them).
e2e_udp_recv_wait() {
	wait_for 10 test -s "$TMP/udp-$1-$2.ready" ||
		fail "UDP receiver in member $1 not listening on $2"
}
e2e_udp_recv_start() {
	local f=$TMP/udp-$1-$2 old=${E2E_RECV[$1-$2]:-}
	if [ -n "$old" ]; then
		kill "$old" 2>/dev/null
		wait "$old" 2>/dev/null
	fi
	: >"$f"
	rm -f "$f.ready"
	bg timeout 90 ip netns exec "$(member_ns "$1")" python3 "$E2E_UDP_PY" \
		recv "$2" "$3" 80 "$f.ready" >"$f"
	E2E_RECV[$1-$2]=$BG_PID
}

# e2e_udp_send N DST PORT COUNT [RATE]: from member N's network address,
# RATE (200) datagrams per second.
e2e_udp_send() {
	local src=198.18.$1.1
	case $2 in *:*) src=2001:db8:$1::1 ;; esac
	timeout 60 ip netns exec "$(member_ns "$1")" python3 "$E2E_UDP_PY" \
		send "$src" "$2" "$3" "$4" "${5:-200}" || fail "UDP sender in member $1"
}

e2e_udp_count() { grep -c . "$TMP/udp-$1-$2"; }

# e2e_counters FILE: `ixgatectl --json show counters --all`, read again
# until two reads 0.3 s apart agree on every packet counter of the
# invariant (no frame in flight), at most 30 reads.
e2e_counters() {
	local i
	rm -f "$1.prev"
	for i in $(seq 1 30); do
		ctl --json show counters --all >"$1" || fail "show counters"
		jq -r '.series[] | select(.name | test(
			"^ixgate_(port_)?(received|forwarded|local|punted|dropped)_packets_total$"))
			| "\(.name) \(.labels | tojson) \(.value)"' \
			"$1" >"$1.cur" || fail "show counters: no series"
		[ -e "$1.prev" ] && cmp -s "$1.prev" "$1.cur" && return 0
		mv "$1.cur" "$1.prev"
		sleep 0.3
	done
	diff "$1.prev" "$1.cur" >&2
	fail "counters never quiescent in 30 reads"
}

# e2e_node_bird TABLE N...: the node's BIRD: kernel protocols into TABLE,
# dist/bird/ixgate-rfc7999.conf's member import policy, and IPv4 and IPv6
# sessions mNv4 / mNv6 to members N... (their networks allowed, /24 and /48
# the longest routes).
e2e_node_bird() {
	local table=$1 n
	shift
	cat <<EOF
router id $(e2e_node4 1);
log stderr all;
timeformat log "%F %T.%6f";
protocol device {}
protocol kernel k4 {
	kernel table $table; merge paths on;
	ipv4 { export all; import none; };
}
protocol kernel k6 {
	kernel table $table; merge paths on;
	ipv6 { export all; import none; };
}
include "$SRC/dist/bird/ixgate-rfc7999.conf";
template bgp ixmember {
	local as 65000;
	connect delay time 1; connect retry time 2; error wait time 1, 5;
	debug { states, routes, filters };
}
EOF
	for n in "$@"; do
		cat <<EOF
filter from_m${n}_v4 {
	if ixgate_member_import([ $(e2e_net4 "$n")+ ], 24) then accept;
	reject;
}
filter from_m${n}_v6 {
	if ixgate_member_import([ $(e2e_net6 "$n")+ ], 48) then accept;
	reject;
}
protocol bgp m${n}v4 from ixmember {
	source address $(e2e_node4 "$n");
	neighbor $(e2e_member4 "$n") as $((65000 + n));
	ipv4 { import filter from_m${n}_v4; export none; };
}
protocol bgp m${n}v6 from ixmember {
	source address $(e2e_node6 "$n");
	neighbor $(e2e_member6 "$n") as $((65000 + n));
	ipv6 { import filter from_m${n}_v6; export none; };
}
EOF
	done
}

# e2e_series NAME [LABEL=VALUE,...]: the value of the series ixgate_NAME
# with those labels (others ignored) in `ixgatectl --json show counters`,
# summed over the series that match (0 when none).
e2e_series() {
	ctl --json show counters "$1" --all | jq --arg n "ixgate_$1" \
		--arg w "${2:-}" '
		($w | split(",") | map(select(. != "") | split("=") |
			{(.[0]): .[1]}) | add // {}) as $want
		| [.series[] | select(.name == $n) | select(.labels as $l |
			$want | to_entries | all(.value == $l[.key])) | .value]
		| add // 0'
}

# e2e_invariant FILE: in FILE (e2e_counters), received = forwarded + local
# + punted + drops for the node and for every port.
e2e_invariant() {
	python3 - "$1" <<'PY' || fail "counter invariant broken in $1"
import json, sys
j = json.load(open(sys.argv[1]))
def val(name, **lab):
    return sum(s["value"] for s in j["series"] if s["name"] == "ixgate_" + name
               and all(s["labels"].get(k) == v for k, v in lab.items()))
ok = True
rx, tx, lo, pu, dr = (val("received_packets_total"), val("forwarded_packets_total"),
                      val("local_packets_total"), val("punted_packets_total"),
                      val("dropped_packets_total"))
print("# node: received %d, forwarded %d, local %d, punted %d, dropped %d" % (rx, tx, lo, pu, dr))
if rx != tx + lo + pu + dr:
    print("FAIL: node: %d != %d" % (rx, tx + lo + pu + dr))
    ok = False
ports = sorted({s["labels"]["port"] for s in j["series"] if s["name"] == "ixgate_port_received_packets_total"})
for p in ports:
    prx, pf, pl, pp, pd = (val("port_received_packets_total", port=p),
                           val("port_forwarded_packets_total", port=p),
                           val("port_local_packets_total", port=p),
                           val("port_punted_packets_total", port=p),
                           val("port_dropped_packets_total", port=p))
    print("# port %s: received %d, forwarded %d, local %d, punted %d, dropped %d" % (p, prx, pf, pl, pp, pd))
    if prx != pf + pl + pp + pd:
        print("FAIL: port %s: %d != %d" % (p, prx, pf + pl + pp + pd))
        ok = False
if not ports or rx == 0:
    print("FAIL: no traffic counted")
    ok = False
sys.exit(0 if ok else 1)
PY
	log "ok: received = forwarded + local + punted + drops (node and every port)"
}

# e2e_until SECONDS EXPECTED CMD...: poll CMD (every 100 ms) until it
# prints EXPECTED; 1 when it never does.
e2e_until() {
	local n=$(($1 * 10)) want=$2
	shift 2
	while [ $n -gt 0 ]; do
		[ "$("$@" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# e2e_delta NAME LABELS BASE: the series now minus BASE.
e2e_delta() { echo $(($(e2e_series "$1" "$2") - $3)); }

# e2e_frr_staticd / e2e_frr_bgpd N...: the node's FRR (frr_start's texts):
# the RTBH discard next hops routed to blackhole (staticd), and bgpd with
# IPv4 and IPv6 sessions to members N..., each with its own prefix lists
# and route-maps: own network only (/24, /48 the longest), RFC 7999
# BLACKHOLE inside it (down to a host) sent to the discard next hop, which
# zebra installs as a kernel blackhole route (doc/routing.md, "FRR").
# Updates are logged with microseconds (the test measures from them).
# IPv6 routes keep FRR's default next hop, the member's link-local
# address (RFC 2545), which ixgate-control resolves to the member whose
# MAC it derives from (doc/routing.md); blackholes take the global discard
# next hop (prefer-global).
# e2e_frr_zebra N...: nothing per interface: bgpd 8.4 resets an IPv6
# session whose interface has no link-local address ("nexthop_set
# failed"), and the dataplane gives each exception-path interface its own
# (doc/exception-path.md, "The node's link-local addresses").
e2e_frr_zebra() {
	printf 'hostname node\n'
}
e2e_frr_staticd() {
	printf 'hostname node\nip route 192.0.2.1/32 blackhole\nipv6 route 100::1/128 blackhole\n'
}
e2e_frr_bgpd() {
	local n a peer src
	printf 'hostname node\nlog timestamp precision 6\n'
	printf 'log file %s debugging\ndebug bgp updates in\n' "$TMP/node.frr/updates.log"
	printf 'bgp community-list standard RFC7999 permit 65535:666\n'
	printf 'route-map NOTHING deny 10\n'
	for n in "$@"; do
		cat <<EOF
ip prefix-list M$n-V4 seq 5 permit $(e2e_net4 "$n") le 24
ip prefix-list M$n-V4-BH seq 5 permit $(e2e_net4 "$n") le 32
ipv6 prefix-list M$n-V6 seq 5 permit $(e2e_net6 "$n") le 48
ipv6 prefix-list M$n-V6-BH seq 5 permit $(e2e_net6 "$n") le 128
route-map FROM-M$n-V4 permit 10
 match ip address prefix-list M$n-V4-BH
 match community RFC7999
 set ip next-hop 192.0.2.1
route-map FROM-M$n-V4 permit 20
 match ip address prefix-list M$n-V4
route-map FROM-M$n-V4 deny 30
route-map FROM-M$n-V6 permit 10
 match ipv6 address prefix-list M$n-V6-BH
 match community RFC7999
 set ipv6 next-hop global 100::1
 set ipv6 next-hop prefer-global
route-map FROM-M$n-V6 permit 20
 match ipv6 address prefix-list M$n-V6
route-map FROM-M$n-V6 deny 30
EOF
	done
	printf 'router bgp 65000\n bgp router-id %s\n' "$(e2e_node4 1)"
	printf ' no bgp ebgp-requires-policy\n no bgp default ipv4-unicast\n'
	for n in "$@"; do
		for a in "$(e2e_member4 "$n") $(e2e_node4 "$n")" \
			"$(e2e_member6 "$n") $(e2e_node6 "$n")"; do
			read -r peer src <<<"$a"
			printf ' neighbor %s remote-as %d\n' "$peer" $((65000 + n))
			printf ' neighbor %s update-source %s\n' "$peer" "$src"
			printf ' neighbor %s disable-connected-check\n' "$peer"
			printf ' neighbor %s timers connect 1\n' "$peer"
		done
	done
	printf ' address-family ipv4 unicast\n'
	for n in "$@"; do
		printf '  neighbor %s activate\n' "$(e2e_member4 "$n")"
		printf '  neighbor %s soft-reconfiguration inbound\n' "$(e2e_member4 "$n")"
		printf '  neighbor %s route-map FROM-M%d-V4 in\n' "$(e2e_member4 "$n")" "$n"
		printf '  neighbor %s route-map NOTHING out\n' "$(e2e_member4 "$n")"
	done
	printf ' exit-address-family\n address-family ipv6 unicast\n'
	for n in "$@"; do
		printf '  neighbor %s activate\n' "$(e2e_member6 "$n")"
		printf '  neighbor %s soft-reconfiguration inbound\n' "$(e2e_member6 "$n")"
		printf '  neighbor %s route-map FROM-M%d-V6 in\n' "$(e2e_member6 "$n")" "$n"
		printf '  neighbor %s route-map NOTHING out\n' "$(e2e_member6 "$n")"
	done
	printf ' exit-address-family\n'
}

# e2e_scenario: what test_bgp_e2e_bird.sh and test_bgp_e2e_frr.sh both
# check once the node's daemon has its sessions with members 1..3 up
# (their headers list it). The test defines, for its daemon:
#   E2E_DAEMON       its name, for messages
#   E2E_KTABLE, E2E_KTABLE_NAME, E2E_KPROTO   the kernel table it writes
#                    (number; as `show routes` names it) and its protocol
#   e2e_hook_import_time N PREFIX   when it got PREFIX from member N (its
#                    log, epoch seconds with microseconds)
#   e2e_hook_refused N              how many routes of member N's IPv4
#                                   session its import policy refused
#   e2e_hook_refusal_logged N PREFIX    status 0 when it logged refusing it
#   e2e_hook_stop_daemons           stop its sessions (before the dataplane)
#   E2E_ZERO_DROPS   (optional) the drop reasons that must stay 0
e2e_scenario() {
	local n pair s1 s2 nr0 bh0 pd0 pd rx bh imported
	for n in 1 2 3; do
		e2e_route_is "198.18.$n.1" "forward to m$n"
		e2e_route_is "2001:db8:$n::1" "forward to m$n"
	done
	e2e_route_is 198.18.2.1 "kernel table $E2E_KTABLE_NAME proto $E2E_KPROTO"
	log "ok: every member's network is routed to it, learned from $E2E_DAEMON"

	for pair in "1 198.18.2.1" "1 198.18.3.1" "2 198.18.3.1" "3 2001:db8:1::1" \
		"2 2001:db8:3::1"; do
		# shellcheck disable=SC2086 # two words: member, address
		set -- $pair
		e2e_ping "$1" "$2" || { cat "$TMP/ping.out" >&2; fail "ping from m$1 to $2"; }
		log "ok: ping m$1 -> $2"
	done

	log "UDP: 200 datagrams m1 -> m3 (IPv4), 200 m3 -> m1 (IPv6)"
	e2e_udp_recv_start 3 198.18.3.1 5000
	e2e_udp_recv_start 1 2001:db8:1::1 5000
	e2e_udp_recv_wait 3 198.18.3.1
	e2e_udp_recv_wait 1 2001:db8:1::1
	e2e_udp_send 1 198.18.3.1 5000 200 &
	s1=$!
	e2e_udp_send 3 2001:db8:1::1 5000 200 &
	s2=$!
	wait "$s1" || fail "the UDP sender in m1"
	wait "$s2" || fail "the UDP sender in m3"
	e2e_until 5 200 e2e_udp_count 3 198.18.3.1
	assert_eq "datagrams m1 -> m3 received" 200 "$(e2e_udp_count 3 198.18.3.1)"
	e2e_until 5 200 e2e_udp_count 1 2001:db8:1::1
	assert_eq "datagrams m3 -> m1 received" 200 "$(e2e_udp_count 1 2001:db8:1::1)"
	assert_eq "forwarded m1 -> m3 (peer pair counter)" 200 \
		"$(($(e2e_series peer_pair_packets_total src_peer=m1,dst_peer=m3) - 6))"

	log "m2 withdraws 198.18.2.0/24 (IPv4 exports nothing)"
	bird_configure m2 "$(e2e_member_bird 2 65002 none all)"
	e2e_route_is 198.18.2.1 "no route"
	e2e_udp_recv 2 198.18.2.1 5000
	nr0=$(e2e_series dropped_packets_total reason=no_route)
	e2e_udp_send 1 198.18.2.1 5000 100
	e2e_until 5 100 e2e_delta dropped_packets_total reason=no_route "$nr0"
	assert_eq "datagrams to the withdrawn network dropped no_route" 100 \
		"$(($(e2e_series dropped_packets_total reason=no_route) - nr0))"
	assert_eq "datagrams to the withdrawn network received" 0 "$(e2e_udp_count 2 198.18.2.1)"
	e2e_route_is 2001:db8:2::1 "forward to m2"
	log "m2 announces it again"
	bird_configure m2 "$(e2e_member_bird 2 65002 all all)"
	e2e_route_is 198.18.2.1 "forward to m2"
	e2e_ping 1 198.18.2.1 || { cat "$TMP/ping.out" >&2; fail "ping after re-announcing"; }
	log "ok: forwarding restored"

	BH4="route 198.18.2.66/32 blackhole { bgp_community.add((65535, 666)); };"
	BH6="route 2001:db8:2::66/128 blackhole { bgp_community.add((65535, 666)); };"
	log "m2 announces BLACKHOLE 198.18.2.66/32 while m1 sends it 200 datagrams/s"
	e2e_udp_recv 2 198.18.2.66 5001
	bh0=$(e2e_series dropped_packets_total reason=blackhole)
	pd0=$(e2e_series peer_dropped_packets_total peer=m1)
	bg timeout 60 ip netns exec "$(member_ns 1)" python3 "$E2E_UDP_PY" \
		send 198.18.1.1 198.18.2.66 5001 1600 200
	SENDER=$BG_PID
	e2e_until 5 yes sh -c "[ \$(grep -c . $TMP/udp-2-198.18.2.66) -ge 200 ] && echo yes" ||
		fail "the stream to 198.18.2.66 is not forwarded"
	bird_configure m2 "$(e2e_member_bird 2 65002 all all "$BH4" "$BH6")"
	e2e_route_is 198.18.2.66 "drop: blackhole 198.18.2.66/32"
	ip -n "$BGP_NODE_NS" route show table "$E2E_KTABLE" >"$TMP/ktable.out"
	assert_contains "kernel table $E2E_KTABLE_NAME has the blackhole" "$TMP/ktable.out" \
		"^blackhole 198\.18\.2\.66 proto $E2E_KPROTO"
	wait "$SENDER" || fail "the UDP sender in m1"
	rx=$(e2e_udp_count 2 198.18.2.66)
	bh=$(e2e_delta dropped_packets_total reason=blackhole "$bh0")
	log "m2 received $rx datagrams, $bh dropped as blackhole"
	[ "$bh" -gt 0 ] || fail "no datagram dropped as blackhole"
	assert_eq "every datagram of the stream received or dropped blackhole" 1600 $((rx + bh))
	# Per member that sent it: m1's drops grew by the blackholed datagrams
	# (and whatever else m1's kernel sent meanwhile that the node drops, e.g.
	# IPv6 multicast listener reports: local_unhandled).
	pd=$(e2e_delta peer_dropped_packets_total peer=m1 "$pd0")
	[ "$pd" -ge "$bh" ] || fail "m1's drops grew by $pd, less than the $bh blackholed"
	log "ok: m1's drops grew by $pd (>= $bh blackholed)"
	# The cut is clean: datagrams 0..rx-1 went through, none after. And how
	# long after the announcement reached the node's BIRD (the route's import
	# time, `timeformat route iso long ms`) the dataplane dropped the first
	# datagram (sent 5 ms after the last one that went through: one clock,
	# every namespace shares it).
	imported=$(e2e_hook_import_time 2 198.18.2.66/32) ||
		fail "$E2E_DAEMON on the node did not log the BLACKHOLE's import"
	python3 - "$TMP/udp-2-198.18.2.66" "$rx" "$imported" <<'PY' || fail "the blackhole's cut"
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
seqs = [int(l[0]) for l in lines]
n, imported = int(sys.argv[2]), float(sys.argv[3])
if seqs != list(range(n)):
    sys.exit("FAIL: received datagrams are not 0..%d in order: a gap" % (n - 1))
first_drop = float(lines[-1][1]) + 1 / 200
print("# measured: first datagram dropped %.0f ms after the node's daemon logged the "
      "BLACKHOLE's import (sent at 200/s: +-5 ms)" % ((first_drop - imported) * 1e3))
PY
	e2e_route_is 2001:db8:2::66 "drop: blackhole 2001:db8:2::66/128"
	e2e_udp_recv 2 2001:db8:2::66 5001
	bh0=$(e2e_series dropped_packets_total reason=blackhole)
	e2e_udp_send 1 2001:db8:2::66 5001 50
	e2e_until 5 50 e2e_delta dropped_packets_total reason=blackhole "$bh0"
	assert_eq "IPv6 datagrams to the blackholed host dropped" 50 \
		"$(($(e2e_series dropped_packets_total reason=blackhole) - bh0))"
	assert_eq "IPv6 datagrams to the blackholed host received" 0 "$(e2e_udp_count 2 2001:db8:2::66)"
	e2e_ping 1 198.18.2.1 || fail "the rest of m2's network must still be forwarded"

	log "m2 withdraws the BLACKHOLEs"
	bird_configure m2 "$(e2e_member_bird 2 65002 all all)"
	e2e_route_is 198.18.2.66 "forward to m2"
	e2e_route_is 2001:db8:2::66 "forward to m2"
	e2e_udp_recv 2 198.18.2.66 5001
	e2e_udp_send 1 198.18.2.66 5001 50
	e2e_until 5 50 e2e_udp_count 2 198.18.2.66
	assert_eq "datagrams after the BLACKHOLE's withdrawal received" 50 "$(e2e_udp_count 2 198.18.2.66)"

	log "m3 announces BLACKHOLE 198.18.2.77/32 and 198.18.2.0/25: m2's, refused"
	bird_configure m3 "$(e2e_member_bird 3 65003 all all \
		"route 198.18.2.77/32 blackhole { bgp_community.add((65535, 666)); };
		route 198.18.2.0/25 unreachable;")"
	e2e_until 10 2 e2e_hook_refused 3 ||
		fail "$E2E_DAEMON on the node did not refuse m3's two routes"
	log "ok: $E2E_DAEMON on the node counts m3's two routes as refused"
	e2e_hook_refusal_logged 3 198.18.2.77/32 || fail "the refusal is not logged"
	log "ok: the refusal is logged"
	ip -n "$BGP_NODE_NS" route show table "$E2E_KTABLE" >"$TMP/ktable.out"
	if grep -q "198\.18\.2\.77\|198\.18\.2\.0/25" "$TMP/ktable.out"; then
		cat "$TMP/ktable.out" >&2
		fail "m3's refused routes reached the kernel table"
	fi
	e2e_route_is 198.18.2.77 "forward to m2"
	e2e_udp_recv 2 198.18.2.77 5002
	e2e_udp_send 1 198.18.2.77 5002 50
	e2e_until 5 50 e2e_udp_count 2 198.18.2.77
	assert_eq "datagrams to 198.18.2.77 still forwarded to m2" 50 "$(e2e_udp_count 2 198.18.2.77)"

	log "counters"
	ctl show kernel-routes | tee "$TMP/kr.txt"
	assert_eq "failed route commits" 0 "$(e2e_kr_field .commits_failed)"
	assert_eq "kernel routes refused by ixgate (the daemon refused them first)" 0 \
		"$(e2e_kr_field '.prefixes.filtered + .prefixes.blackhole_refused')"
	e2e_counters "$TMP/counters.json"
	e2e_invariant "$TMP/counters.json"
	for r in ${E2E_ZERO_DROPS:-tx_full punt_queue_full punt_rate unknown_peer source_invalid}; do
		assert_eq "drops $r" 0 "$(e2e_series dropped_packets_total reason=$r)"
	done

	log "stopping"
	e2e_hook_stop_daemons
	kill "$CTLD_PID" 2>/dev/null
	wait "$CTLD_PID" 2>/dev/null
	e2e_stop_dp
}

# ---------------------------------------------------------------------------
# The node's daemon and its members on a bridge, without ixgate, feeding
# the route reader (test_bgp_bird.sh, test_bgp_frr.sh): what both check.
# ---------------------------------------------------------------------------

# Member 1: its own prefixes, and a prefix member 2 announces too (ECMP).
BGP_M1_4="route 203.0.113.0/25 unreachable; route 203.0.113.128/25 unreachable;"
BGP_M1_6="route 2001:db8:1100::/40 unreachable;
	route 2001:db8:f00::/48 unreachable;"
BGP_M2_4="route 198.18.0.0/15 unreachable; route 203.0.113.128/25 unreachable;"
BGP_M2_6="route 2001:db8:1200::/40 unreachable;
	route 2001:db8:f00::/48 unreachable;"
# Member 2 asks for a blackhole inside its own prefix (RFC 7999).
BGP_BH_4="route 198.18.0.66/32 unreachable { bgp_community.add((65535, 666)); };"
BGP_BH_6="route 2001:db8:1200::66/128 unreachable { bgp_community.add((65535, 666)); };"

# bgp_lan_setup: the node's namespace with the LAN bridge, members 1 and 2.
bgp_lan_setup() {
	bgp_node_ns
	bgp_member_ns 1
	bgp_member_ns 2
}

# bgp_lan_members_start: members 1 (AS 65001) and 2 (AS 65002) run BIRD.
bgp_lan_members_start() {
	log "members: BIRD in AS 65001 and AS 65002"
	bird_start m1 "$(member_ns 1)" \
		"$(bgp_member_bird 1 65001 65000 "$BGP_M1_4" "$BGP_M1_6")"
	bird_start m2 "$(member_ns 2)" \
		"$(bgp_member_bird 2 65002 65000 "$BGP_M2_4" "$BGP_M2_6")"
}

# bgp_rtnl_scenario: with the node's daemon's sessions up and the reader
# `rd` following its table, every step of test_bgp_bird / test_bgp_frr.
# The test sets BGP_TABLE (the kernel table), BGP_PROTO (the routes'
# protocol), optionally BGP_OTHER_PROTOCOLS=1 (the table holds routes of
# other protocols, which the reader must skip) and BGP_SESSION_DOWN_CHANGE
# (a change the session drop must deliver), and defines bgp_hook_sessions
# down|up N (the node drops, then restores, its sessions with member N,
# waiting for them to be up again).
bgp_rtnl_scenario() {
	local p=$BGP_PROTO node=$BGP_NODE_NS
	rtnl_expect rd 203.0.113.0/25 "via $(member4 1)"
	rtnl_expect rd 198.18.0.0/15 "via $(member4 2)"
	rtnl_expect rd 2001:db8:1100::/40 "via $(member6 1)"
	rtnl_expect rd 2001:db8:1200::/40 "via $(member6 2)"
	rtnl_expect rd 203.0.113.128/25 "via $(member4 1),$(member4 2)"
	rtnl_expect rd 2001:db8:f00::/48 "via $(member6 1),$(member6 2)"
	rtnl_converge rd "$node" "$BGP_TABLE" "routes learned"
	if [ -n "${BGP_OTHER_PROTOCOLS:-}" ]; then
		rtnl_state rd
		[ "$(rtnl_stat rd other_protocol)" -ge 1 ] ||
			fail "rd: expected the table's routes of other protocols to be skipped"
	fi

	log "member 1 withdraws 203.0.113.0/25"
	bird_configure m1 "$(bgp_member_bird 1 65001 65000 \
		"route 203.0.113.128/25 unreachable;" "$BGP_M1_6")"
	rtnl_expect rd 203.0.113.0/25 absent
	rtnl_change_seen rd '^- 203\.0\.113\.0/25 '
	rtnl_converge rd "$node" "$BGP_TABLE" "withdrawal"

	log "member 2 announces BLACKHOLE 198.18.0.66/32 and 2001:db8:1200::66/128"
	bird_configure m2 "$(bgp_member_bird 2 65002 65000 \
		"$BGP_M2_4 $BGP_BH_4" "$BGP_M2_6 $BGP_BH_6")"
	rtnl_expect rd 198.18.0.66/32 blackhole
	rtnl_expect rd 2001:db8:1200::66/128 blackhole
	rtnl_change_seen rd "^\\+ 198\\.18\\.0\\.66/32 .*\\| blackhole 198\\.18\\.0\\.66/32 proto $p"
	rtnl_change_seen rd "^\\+ 2001:db8:1200::66/128 .*\\| blackhole 2001:db8:1200::66/128 proto $p"
	rtnl_converge rd "$node" "$BGP_TABLE" "blackhole"

	log "member 2 withdraws the blackholes"
	bird_configure m2 "$(bgp_member_bird 2 65002 65000 "$BGP_M2_4" "$BGP_M2_6")"
	rtnl_expect rd 198.18.0.66/32 absent
	rtnl_expect rd 2001:db8:1200::66/128 absent
	rtnl_change_seen rd '^- 198\.18\.0\.66/32 '

	log "the node drops member 2's sessions"
	bgp_hook_sessions down 2
	rtnl_expect rd 198.18.0.0/15 absent
	rtnl_expect rd 2001:db8:1200::/40 absent
	rtnl_expect rd 203.0.113.128/25 "via $(member4 1)"
	rtnl_expect rd 2001:db8:f00::/48 "via $(member6 1)"
	[ -z "${BGP_SESSION_DOWN_CHANGE:-}" ] ||
		rtnl_change_seen rd "$BGP_SESSION_DOWN_CHANGE"
	rtnl_converge rd "$node" "$BGP_TABLE" "session down"

	log "and brings them back"
	bgp_hook_sessions up 2
	rtnl_expect rd 203.0.113.128/25 "via $(member4 1),$(member4 2)"
	rtnl_expect rd 198.18.0.0/15 "via $(member4 2)"
	rtnl_converge rd "$node" "$BGP_TABLE" "session up"

	rtnl_state rd
	assert_eq "rd: malformed messages" 0 "$(rtnl_stat rd malformed)"
	assert_eq "rd: overruns" 0 "$(rtnl_stat rd overruns)"
	assert_eq "rd: deletes of a route it did not have" 0 "$(rtnl_stat rd del_missing)"
	assert_eq "rd: routes through unexpanded nexthop objects" 0 "$(rtnl_stat rd nhid_only)"
}
