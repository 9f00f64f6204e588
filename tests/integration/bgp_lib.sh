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

# frr_start NAME NS ZEBRA_CONF BGPD_CONF STATICD_CONF: FRR's daemons
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
	chown -R frr:frr "$dir" || fail "chown $dir to frr"
	chmod 755 "$TMP"
	for d in zebra staticd bgpd; do
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
