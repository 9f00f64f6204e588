#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_rtnl_kernel.sh: ixgate's kernel route reader against the real kernel.
# In a fresh network namespace, ixgate-rtnl follows table 100 while `ip`
# changes it: unicast, multipath with weights, blackhole, unreachable,
# prohibit, several metrics for one prefix, append/prepend/replace, IPv6
# ECMP siblings joining and leaving, an IPv4 route via an IPv6 gateway, a
# TOS route, a source-specific IPv6 route, routes of another table (to be
# ignored), then a seeded random sequence of 600 changes. After each phase
# the reader's mirror must equal `ip -j route show table 100` (IPv4 and
# IPv6), entry for entry in the kernel's order. Then:
#  - a burst of 30,000 routes while a second reader with a 32 KiB socket
#    buffer is stopped (SIGSTOP): it overruns (ENOBUFS), resyncs by a new
#    dump, and converges; the first reader (32 MiB) follows the burst
#    without an overrun;
#  - an address removed and a link set down: the kernel drops the IPv4
#    routes through them without a notification; the reader notices the
#    link/address change, resyncs, and converges;
#  - a fresh `ixgate-rtnl dump` equals the kernel too.
# Needs root and network namespaces: skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/rtnl_lib.sh"

[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null || skip "iproute2 not installed"
command -v python3 >/dev/null || skip "python3 not installed"
need_file "$RTNL"

NS=ixg-rtnl-$$
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
trap 'ixg_cleanup; ip netns del "$NS" 2>/dev/null' EXIT
nsip() { ip -n "$NS" "$@"; }

nsip link set lo up
nsip link add d0 type veth peer name e0 || fail "veth"
nsip link add d1 type veth peer name e1 || fail "veth"
for i in d0 e0 d1 e1; do nsip link set "$i" up; done
nsip addr add 192.0.2.1/24 dev d0
nsip addr add 198.51.100.1/24 dev d1
nsip -6 addr add 2001:db8:1::1/64 dev d0 nodad
nsip -6 addr add 2001:db8:2::1/64 dev d1 nodad
# A route present before the reader starts: the first dump must show it.
nsip route add 10.250.0.0/16 via 192.0.2.2 proto bird table 100

rtnl_start main "$NS" 100
rtnl_wait_ready main
rtnl_converge main "$NS" 100 "first dump"

log "phase 1: every kind of route and change"
b() { nsip "$@" || fail "ip $*"; }
b route add 10.1.0.0/16 via 192.0.2.2 proto bird table 100
b route append 10.1.0.0/16 via 198.51.100.2 proto bird table 100
b route prepend blackhole 10.1.0.0/16 table 100
b route add 10.1.0.0/16 via 192.0.2.3 metric 10 table 100
b route add 10.2.0.0/16 proto bgp metric 20 table 100 \
	nexthop via 192.0.2.2 weight 3 nexthop via 198.51.100.2 weight 1
b route add unreachable 10.3.0.0/16 table 100
b route add prohibit 10.4.0.0/16 table 100
b route add blackhole 10.5.0.0/24 proto static table 100
b route add 10.6.0.0/16 via inet6 2001:db8:1::2 dev d0 table 100
b route add 10.7.0.0/16 tos 0x10 via 192.0.2.2 table 100
b route add default via 192.0.2.9 src 192.0.2.1 table 100
b route add 10.8.0.0/16 dev d1 table 100
b route add 10.9.0.1/32 via 192.0.2.4 onlink dev d0 table 100
b route add 10.250.1.0/24 via 192.0.2.2 table 200 # not followed
b route replace 10.5.0.0/24 via 198.51.100.3 proto static table 100
b route replace 10.2.0.0/16 proto bgp metric 20 table 100 \
	nexthop via 192.0.2.5 nexthop via 198.51.100.5
b route del 10.1.0.0/16 table 100 # the first entry: the blackhole
b route del 10.250.0.0/16 table 100
nsip route del 10.99.0.0/16 table 100 2>/dev/null # missing: refused
b -6 route add 2001:db8:100::/48 via 2001:db8:1::2 proto bird table 100
b -6 route append 2001:db8:100::/48 via 2001:db8:2::2 proto bird table 100
b -6 route append 2001:db8:100::/48 via 2001:db8:1::3 proto bird table 100
b -6 route del 2001:db8:100::/48 via 2001:db8:1::2 proto bird table 100
b -6 route add blackhole 2001:db8:100::/48 metric 2000 table 100
b -6 route prepend unreachable 2001:db8:100::/48 proto bird table 100
b -6 route add 2001:db8:200::/48 table 100 \
	nexthop via 2001:db8:1::2 weight 2 nexthop via 2001:db8:2::2
b -6 route add prohibit 2001:db8:300::/48 table 100
b -6 route add 2001:db8:400::/48 from 2001:db8:77::/48 via 2001:db8:1::2 table 100
b -6 route add default via 2001:db8:2::9 table 100
b -6 route replace 2001:db8:200::/48 via 2001:db8:2::7 table 100
b -6 route add 2001:db8:999::/48 via 2001:db8:1::2 table 200 # not followed
rtnl_converge main "$NS" 100 "phase 1"

SEED=${RTNL_SEED:-10}
log "phase 2: 600 random changes (seed $SEED)"
python3 - "$TMP/random.batch" "$SEED" <<'EOF'
import random, sys
rng = random.Random(int(sys.argv[2]))
gw4 = ["192.0.2.2", "192.0.2.3", "198.51.100.2", "198.51.100.3"]
gw6 = ["2001:db8:1::2", "2001:db8:1::3", "2001:db8:2::2"]
pfx4 = ["10.20.%d.0/24" % i for i in range(12)] + ["10.21.0.0/16"]
pfx6 = ["2001:db8:20:%x::/64" % i for i in range(8)]
out = []
for _ in range(600):
    v6 = rng.random() < 0.4
    p = rng.choice(pfx6 if v6 else pfx4)
    gws = gw6 if v6 else gw4
    verb = rng.choice(["add", "add", "append", "prepend", "replace",
                       "replace", "del", "del", "del"])
    kind = rng.choice(["uni", "uni", "uni", "multi", "blackhole",
                       "unreachable", "prohibit"])
    metric = rng.choice(["", "", " metric 10", " metric 20"])
    proto = rng.choice(["", " proto bird", " proto bgp"])
    if v6:
        # IPv6 ECMP siblings keep their own protocol, and a dump shows
        # only the first one's: one protocol per IPv6 prefix, as with one
        # routing daemon (doc/routing.md).
        proto = ["", " proto bird", " proto bgp"][pfx6.index(p) % 3]
    if v6:
        # The kernel hides an IPv6 route from dumps when it sits between
        # two ECMP siblings of the same metric (fib6_dump_node() jumps
        # from the first sibling to the last): keep ECMP-able routes and
        # the others on different metrics, as one routing daemon does.
        if kind in ("uni", "multi"):
            metric = rng.choice(["", " metric 20"])
        else:
            metric = " metric 10"
    if verb == "del" and rng.random() < 0.5:
        out.append("route del %s table 100%s" % (p, metric))
        continue
    if kind == "uni":
        spec = "%s via %s" % (p, rng.choice(gws))
    elif kind == "multi":
        a, c = rng.sample(gws, 2)
        spec = "%s%s%s table 100 nexthop via %s weight %d nexthop via %s" % (
            p, metric, proto, a, rng.randint(1, 3), c)
        out.append("route %s %s" % (verb, spec))
        continue
    else:
        spec = "%s %s" % (kind, p)
    out.append("route %s %s table 100%s%s" % (verb, spec, metric, proto))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
nsip -force -batch "$TMP/random.batch" >/dev/null 2>&1
rtnl_converge main "$NS" 100 "phase 2"
rtnl_state main
assert_eq "main: malformed messages" 0 "$(rtnl_stat main malformed)"
assert_eq "main: overruns" 0 "$(rtnl_stat main overruns)"
assert_eq "main: drift found by resyncs" 0 "$(rtnl_stat main drift)"

log "phase 3: a burst of 30,000 routes; reader 'small' stopped, 32 KiB buffer"
rtnl_start small "$NS" 100 --rcvbuf 32768
rtnl_wait_ready small
rtnl_converge small "$NS" 100 "before the burst"
kill -STOP "${RTNL_PID[small]}"
python3 - "$TMP/burst.batch" <<'EOF'
import sys
out = []
for i in range(20000):
    out.append("route add 10.%d.%d.0/24 via 192.0.2.%d proto bird table 100"
               % (64 + i // 256, i % 256, 2 + i % 3))
for i in range(10000):
    out.append("route add 2001:db8:%x:%x::/64 via 2001:db8:1::2 proto bird table 100"
               % (0x1000 + i // 256, i % 256))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
nsip -batch "$TMP/burst.batch" || fail "burst"
kill -CONT "${RTNL_PID[small]}"
rtnl_converge main "$NS" 100 "burst" 60
rtnl_converge small "$NS" 100 "burst, after an overrun" 60
rtnl_state main
rtnl_state small
assert_eq "main: overruns (32 MiB buffer)" 0 "$(rtnl_stat main overruns)"
[ "$(rtnl_stat small overruns)" -ge 1 ] ||
	fail "small: expected an overrun (ENOBUFS), got none"
[ "$(rtnl_stat small resyncs)" -ge 1 ] || fail "small: no resync after the overrun"
log "ok: small overran $(rtnl_stat small overruns) time(s), resynced $(rtnl_stat small resyncs) time(s)"
rtnl_stop small

log "phase 4: silent IPv4 flushes (address removed, link down)"
nsip addr del 198.51.100.1/24 dev d1
rtnl_converge main "$NS" 100 "address removed"
nsip link set d0 down
rtnl_converge main "$NS" 100 "link down"
rtnl_state main
[ "$(rtnl_stat main link_resyncs)" -ge 2 ] ||
	fail "main: expected resyncs for the address and the link, got $(rtnl_stat main link_resyncs)"
assert_eq "main: malformed messages" 0 "$(rtnl_stat main malformed)"

log "phase 5: a fresh dump"
ip netns exec "$NS" "$RTNL" dump -t 100 --json >"$TMP/dump.json" 2>"$TMP/dump.err" ||
	{ cat "$TMP/dump.err" >&2; fail "ixgate-rtnl dump"; }
rtnl_kernel_json "$NS" 100
python3 "$RTNL_COMPARE" "$TMP/dump.json" "$TMP/k4.json" "$TMP/k6.json" ||
	fail "ixgate-rtnl dump differs from the kernel"
log "ok: $(tail -1 "$TMP/dump.err")"

log "phase 6: flush table 100"
nsip route flush table 100 2>/dev/null
nsip -6 route flush table 100 2>/dev/null
rtnl_converge main "$NS" 100 "table flushed"
rtnl_stop main
echo "PASS: $TEST_NAME"
