/* SPDX-License-Identifier: BSD-3-Clause */
/* Every keyword's effect on the compiled spec, and the error messages. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixg_conf.h"

#define HEAD                                                                   \
	"node { name n1; country SG; }\nport p0 { device \"net_ring0\"; }\n"

static struct ixg_conf *
parse(const char *text, struct ixg_diags *d)
{
	return ixg_conf_parse_string("t.conf", text, strlen(text), d);
}

/* Parse + compile that must succeed. */
static void
compile_ok(const char *text, struct ixg_spec *s)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = parse(text, d);

	if (c == NULL)
		ixg_diags_print(d, stderr);
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, s, d), 0);
	assert_int_equal(ixg_diags_errors(d), 0);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

static char *
diags_text(const struct ixg_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ixg_diags_print(d, f);
	fclose(f);
	return buf;
}

static void
test_node(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile_ok("node { name sin-ix-1; country SG; icmp-time-exceeded off;"
		   " icmp-rate 50; sampling 1-in-4096; }\n",
		   &s);
	assert_string_equal(s.node.name, "sin-ix-1");
	assert_int_equal(s.node.home_country, IXG_CC('S', 'G'));
	assert_int_equal(s.node.icmp_time_exceeded, 0);
	assert_int_equal(s.node.icmp_rate, 50);
	assert_int_equal(s.node.sample_rate, 4096);
	assert_int_equal(s.n_countries, 2);
	assert_int_equal(s.countries[0], IXG_CC('-', '-'));
	assert_int_equal(s.countries[1], IXG_CC('S', 'G'));
	ixg_spec_free(&s);
	compile_ok("node { name n; country SG; }", &s);
	assert_int_equal(s.node.icmp_time_exceeded, 1); /* defaults */
	assert_int_equal(s.node.icmp_rate, 100);
	assert_int_equal(s.node.sample_rate, 0);
	ixg_spec_free(&s);
}

static void
test_ports(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile_ok(
		"node { name n; country SG; }\n"
		"port a { device \"0000:03:00.0\"; mtu 9000; rx-queue-size "
		"2048;"
		" tx-queue-size 512; mac 02:00:00:00:00:01;"
		" address 192.0.2.1/24; vlan 10 { address 2001:db8::1/64; } }\n"
		"port b { device \"net_null0\"; }\n",
		&s);
	assert_int_equal(s.n_ports, 2);
	assert_int_equal(s.ports[0].id, 0);
	assert_int_equal(s.ports[1].id, 1);
	assert_string_equal(s.ports[0].devargs, "0000:03:00.0");
	assert_int_equal(s.ports[0].mtu, 9000);
	assert_int_equal(s.ports[0].rx_desc, 2048);
	assert_int_equal(s.ports[0].tx_desc, 512);
	assert_int_equal(s.ports[0].mac[5], 1);
	assert_int_equal(s.ports[1].mtu, 1500);
	assert_int_equal(s.ports[1].rx_desc, 1024);
	assert_int_equal(s.n_local_addrs, 2);
	assert_int_equal(s.local_addrs[0].family, 4);
	assert_int_equal(s.local_addrs[0].vlan, 0);
	assert_int_equal(s.local_addrs[0].len, 24);
	assert_int_equal(s.local_addrs[0].addr[3], 1);
	assert_int_equal(s.local_addrs[1].family, 6);
	assert_int_equal(s.local_addrs[1].vlan, 10);
	assert_int_equal(s.local_addrs[1].addr[15], 1);
	ixg_spec_free(&s);
}

static void
test_class(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile_ok(HEAD
		   "class a { committed-rate 100mbit; committed-burst 64k;"
		   " peak-rate 200mbit; peak-burst 1m; yellow remark 10;"
		   " red drop; }\n"
		   "class b { committed-rate 8kbit; committed-burst 1500; }\n",
		   &s);
	assert_int_equal(s.n_classes, 2);
	assert_int_equal(s.classes[0].id, 1);
	assert_int_equal(s.classes[1].id, 2);
	assert_int_equal(s.classes[0].cir, 12500000); /* bytes/s */
	assert_int_equal(s.classes[0].cbs, 65536);
	assert_int_equal(s.classes[0].pir, 25000000);
	assert_int_equal(s.classes[0].pbs, 1048576);
	assert_int_equal(s.classes[0].yellow_action, IXG_METER_REMARK);
	assert_int_equal(s.classes[0].yellow_dscp, 10);
	assert_int_equal(s.classes[0].red_action, IXG_METER_DROP);
	assert_int_equal(s.classes[1].cir, 1000);
	assert_int_equal(s.classes[1].pir, 1000); /* defaults to CIR/CBS */
	assert_int_equal(s.classes[1].pbs, 1500);
	assert_int_equal(s.classes[1].yellow_action, IXG_METER_PASS);
	assert_string_equal(ixg_spec_class_by_id(&s, 2)->name, "b");
	assert_null(ixg_spec_class_by_id(&s, 3));
	ixg_spec_free(&s);
}

static void
test_peer(void **state)
{
	struct ixg_spec s;
	const struct ixg_spec_peer *p;

	(void)state;
	compile_ok(
		HEAD
		"port p1 { device \"net_ring1\"; }\n"
		"peer x { asn 64500; country CN; port p1; vlan 100.200;"
		" mac 02:00:00:00:01:01; mac 02:00:00:00:01:02;"
		" next-hop 192.0.2.2; next-hop 2001:db8::2;"
		" source-validation loose; max-prefix 10; rate 1gbit burst 1m;"
		" announce { 192.0.2.0/24; 2001:db8::/32; } }\n"
		"peer y { asn AS4200000000; port p0; mac 02:00:00:00:02:01;"
		" rate 8mbit; allow-source { 198.51.100.0/24; }"
		" announce { 203.0.113.0/24; } }\n",
		&s);
	assert_int_equal(s.n_peers, 2);
	p = ixg_spec_peer_by_id(&s, 1);
	assert_string_equal(p->name, "x");
	assert_int_equal(p->asn, 64500);
	assert_int_equal(s.countries[p->country], IXG_CC('C', 'N'));
	assert_int_equal(p->port_id, 1);
	assert_int_equal(p->outer_vlan, 100);
	assert_int_equal(p->vlan, 200);
	assert_int_equal(p->n_macs, 2);
	assert_int_equal(p->macs[1][5], 2);
	assert_true(p->has_nh4 && p->has_nh6);
	assert_int_equal(p->nh4[3], 2);
	assert_int_equal(p->nh6[15], 2);
	assert_int_equal(p->sav_mode, IXG_SAV_LOOSE);
	assert_int_equal(p->max_prefix, 10);
	assert_int_equal(p->rate, 125000000);
	assert_int_equal(p->burst, 1048576);
	p = ixg_spec_peer_by_id(&s, 2);
	assert_int_equal(p->asn, 4200000000u);
	assert_int_equal(p->country, 0);
	assert_int_equal(p->sav_mode, IXG_SAV_STRICT);
	assert_int_equal(p->rate, 1000000);
	assert_int_equal(p->burst, 65536); /* default: >= 64k */
	/* Routes: host order IPv4, egress peer ids. */
	assert_int_equal(s.n_routes4, 2);
	assert_int_equal(s.routes4[0].addr, 0xc0000200u);
	assert_int_equal(s.routes4[0].len, 24);
	assert_int_equal(s.routes4[0].peer_id, 1);
	assert_int_equal(s.routes4[1].peer_id, 2);
	assert_int_equal(s.n_routes6, 1);
	assert_int_equal(s.routes6[0].addr[1], 0x01);
	/* Sources: x defaults to its announcements, y has its own list. */
	assert_int_equal(s.n_sources4, 2);
	assert_int_equal(s.n_sources6, 1);
	assert_int_equal(s.sources4[0].addr, 0xc0000200u);
	assert_int_equal(s.sources4[1].addr, 0xc6336400u);
	assert_int_equal(s.sources4[1].peer_id, 2);
	ixg_spec_free(&s);
}

static void
test_acl(void **state)
{
	struct ixg_spec s;
	const struct ixg_spec_acl_rule *r;

	(void)state;
	compile_ok(HEAD
		   "class k { committed-rate 1mbit; committed-burst 8k; }\n"
		   "peer a { asn 1; port p0; mac 02:00:00:00:01:01; }\n"
		   "acl {\n"
		   " rule 10 both { protocol udp; source-port 123;"
		   " destination-port 1000-2000; action deny; }\n"
		   " rule 20 v4 { from a; destination 192.0.2.0/24; dscp 46;"
		   " action class k; }\n"
		   " rule 30 { protocol icmpv6; action remark 8; }\n"
		   "}\n",
		   &s);
	/* "both" has no family-specific match: compiled twice. */
	assert_int_equal(s.n_acl_rules, 4);
	r = ixg_spec_rule_by_id(&s, 1);
	assert_int_equal(r->family, 4);
	assert_int_equal(r->priority, 10);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->proto_mask, 0xff);
	assert_int_equal(r->sport_lo, 123);
	assert_int_equal(r->sport_hi, 123);
	assert_int_equal(r->dport_lo, 1000);
	assert_int_equal(r->dport_hi, 2000);
	assert_int_equal(r->action, IXG_ACL_DENY);
	assert_int_equal(r->dscp_any, 1);
	assert_string_equal(r->name, "both");
	r = ixg_spec_rule_by_id(&s, 2);
	assert_int_equal(r->family, 6);
	assert_int_equal(r->priority, 10);
	assert_int_equal(r->origin, ixg_spec_rule_by_id(&s, 1)->origin);
	r = ixg_spec_rule_by_id(&s, 3);
	assert_int_equal(r->family, 4);
	assert_int_equal(r->in_peer, 1);
	assert_int_equal(r->dst_len, 24);
	assert_int_equal(r->dst[0], 192);
	assert_int_equal(r->src_len, 0);
	assert_int_equal(r->proto_mask, 0);
	assert_int_equal(r->sport_lo, 0);
	assert_int_equal(r->sport_hi, 65535);
	assert_int_equal(r->dscp_any, 0);
	assert_int_equal(r->dscp, 46);
	assert_int_equal(r->action, IXG_ACL_CLASS);
	assert_int_equal(r->class_id, 1);
	r = ixg_spec_rule_by_id(&s, 4);
	assert_int_equal(r->family, 6);
	assert_int_equal(r->proto, 58);
	assert_int_equal(r->action, IXG_ACL_REMARK);
	assert_int_equal(r->remark_dscp, 8);
	assert_null(ixg_spec_rule_by_id(&s, 5));
	ixg_spec_free(&s);
}

static void
test_blackholes(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile_ok(
		HEAD
		"blackhole 192.0.2.0/24;\n"
		"blackhole 2001:db8::/48 expires \"2099-01-01T00:00:00Z\";\n",
		&s);
	assert_int_equal(s.n_blackholes, 2);
	assert_int_equal(s.blackholes[0].family, 4);
	assert_int_equal(s.blackholes[0].len, 24);
	assert_int_equal(s.blackholes[0].addr[0], 192);
	assert_int_equal(s.blackholes[0].expires, 0);
	assert_int_equal(s.blackholes[1].family, 6);
	assert_int_equal(s.blackholes[1].expires, 4070908800);
	ixg_spec_free(&s);
}

static void
test_expired_blackhole_warns(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = parse(HEAD "blackhole 192.0.2.0/24 expires "
					"\"2001-01-01T00:00:00Z\";\n",
				   d);
	char *t;

	(void)state;
	assert_non_null(c); /* a warning does not fail */
	assert_int_equal(ixg_diags_errors(d), 0);
	assert_int_equal(ixg_diags_warnings(d), 1);
	t = diags_text(d);
	assert_non_null(strstr(t, "t.conf:3:1: warning: blackhole expired at "
				  "2001-01-01T00:00:00Z"));
	free(t);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

/* The metrics block: what the daemon reads (ixg_conf_metrics), paths
 * resolved against the file's directory; nothing of it reaches the spec. */
static void
test_metrics(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_file(
		IXG_SRC_DIR "/tests/config/good/metrics.conf", d);
	struct ixg_conf_metrics m;
	struct ixg_spec s;

	(void)state;
	assert_non_null(c);
	ixg_conf_metrics(c, &m);
	assert_true(m.given);
	assert_false(m.listen_none);
	assert_int_equal(m.n_listen, 2);
	assert_string_equal(m.listen[0], "[::]:9477");
	assert_string_equal(m.listen[1], "0.0.0.0:9477");
	assert_string_equal(m.tls_cert,
			    IXG_SRC_DIR "/tests/config/good/tls/metrics.pem");
	assert_string_equal(m.tls_key, "/etc/ixgate/tls/metrics.key");
	assert_string_equal(m.tls_client_ca,
			    IXG_SRC_DIR "/tests/config/good/tls/ca.pem");
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	ixg_spec_free(&s);
	ixg_conf_free(c);

	/* none, and no block at all */
	c = parse(HEAD "metrics { listen none; }\n", d);
	assert_non_null(c);
	ixg_conf_metrics(c, &m);
	assert_true(m.given && m.listen_none);
	assert_int_equal(m.n_listen, 0);
	assert_null(m.tls_cert);
	ixg_conf_free(c);
	c = parse(HEAD, d);
	ixg_conf_metrics(c, &m);
	assert_false(m.given);
	ixg_conf_free(c);
	ixg_conf_metrics(NULL, &m);
	assert_false(m.given);
	assert_int_equal(ixg_diags_errors(d), 0);
	ixg_diags_free(d);
}

/* One snippet per error message; the first diagnostic must be exact. */
static const struct {
	const char *text;
	const char *first; /* first line of the diagnostics */
} errors[] = {
	{HEAD "peer a {\n    max-prefx 5000;\n}\n",
	 "t.conf:4:5: error: unknown keyword 'max-prefx'; did you mean "
	 "'max-prefix'?"},
	{HEAD "nod { }\n",
	 "t.conf:3:1: error: unknown keyword 'nod'; did you mean 'node'?"},
	{HEAD "port p1 { devize \"x\"; }\n",
	 "t.conf:3:11: error: unknown keyword 'devize'; did you mean "
	 "'device'?"},
	{HEAD "peer a { vlan 4095; }\n",
	 "t.conf:3:15: error: vlan 4095 out of range (1..4094)"},
	{HEAD "peer a { announce { 10.1.2.3/16; } }\n",
	 "t.conf:3:21: error: prefix 10.1.2.3/16 has host bits set; did you "
	 "mean 10.1.0.0/16?"},
	{HEAD "peer a { asn 4294967295; }\n",
	 "t.conf:3:14: error: AS number 4294967295 out of range "
	 "(1..4294967294)"},
	{HEAD "peer a { country China; }\n",
	 "t.conf:3:18: error: invalid country code 'China' (two upper-case "
	 "letters, ISO 3166-1 alpha-2)"},
	{HEAD "port p0 { device \"y\"; }\n",
	 "t.conf:3:6: error: duplicate port name 'p0' (first at t.conf:2:6)"},
	{HEAD "peer a { asn 1; port p9; mac 02:00:00:00:00:01; }\n",
	 "t.conf:3:22: error: unknown port 'p9'; did you mean 'p0'?"},
	{HEAD "acl { rule 1 { from zz; action deny; } }\n",
	 "t.conf:3:21: error: unknown peer 'zz'"},
	{HEAD "acl { rule 1 { action class zz; } }\n",
	 "t.conf:3:29: error: unknown class 'zz'"},
	{HEAD
	 "acl { rule 1 { protocol tcp; source-port 9-8; action deny; } }\n",
	 "t.conf:3:42: error: port range 9-8 is empty (9 > 8)"},
	{HEAD "acl { rule 1 { dscp 64; action deny; } }\n",
	 "t.conf:3:21: error: DSCP 64 out of range (0..63)"},
	{HEAD "peer a { country CN; }\n",
	 "t.conf:3:6: error: peer 'a' has no 'asn'"},
	{HEAD "peer a { asn 1 }\n",
	 "t.conf:3:15: error: expected ';' before '}'"},
	{HEAD "peer a { asn 1;\n",
	 "t.conf:3:8: error: missing '}' to close peer block"},
	{HEAD "port p1 { device \"x; }\n",
	 "t.conf:3:18: error: unterminated string"},
	{HEAD "peer a { mac 01:00:00:00:00:01; }\n",
	 "t.conf:3:14: error: MAC address 01:00:00:00:00:01 is a multicast "
	 "address"},
	{HEAD "peer a { mac 02:00:00:00:00; }\n",
	 "t.conf:3:14: error: expected a MAC address (xx:xx:xx:xx:xx:xx), got "
	 "'02:00:00:00:00'"},
	{HEAD "class k { committed-rate 100; committed-burst 1k; }\n",
	 "t.conf:3:26: error: expected a rate above 0 in bits/s with a unit "
	 "(bit, kbit, mbit, gbit, tbit), got '100'"},
	{HEAD "class k { committed-rate 1mbit; committed-burst 1q; }\n",
	 "t.conf:3:49: error: expected a size in bytes above 0 (suffix k, m or "
	 "g; at most 4g), got '1q'"},
	{HEAD "class k { committed-rate 1mbit; committed-burst 1k; peak-rate "
	      "1kbit; }\n",
	 "t.conf:3:53: error: peak-rate is below committed-rate (RFC 2698: PIR "
	 ">= CIR)"},
	{HEAD
	 "class k { committed-rate 1mbit; committed-burst 1k; red paint; }\n",
	 "t.conf:3:57: error: expected 'pass', 'drop' or 'remark DSCP', got "
	 "'paint'"},
	{HEAD "port p1 { device \"x\"; mtu 100; }\n",
	 "t.conf:3:27: error: MTU 100 out of range (1280..9600)"},
	{HEAD "port p1 { device \"x\"; tx-queue-size 1000; }\n",
	 "t.conf:3:37: error: TX queue size 1000 is not a power of two"},
	{HEAD "node { name x; country SG; }\n",
	 "t.conf:3:1: error: second 'node' block (first at t.conf:1:1)"},
	{"port p0 { device \"x\"; }\n",
	 "t.conf:1:1: error: no 'node' block (it gives the node's name and "
	 "home country)"},
	{HEAD "acl { rule 1 { protocol tcp; } }\n",
	 "t.conf:3:7: error: rule 1 has no 'action'"},
	{HEAD "acl { rule 1 { action drop; } }\n",
	 "t.conf:3:23: error: expected 'permit', 'deny', 'class NAME' or "
	 "'remark DSCP', got 'drop'"},
	{HEAD "acl { rule 1 { action permt; } }\n",
	 "t.conf:3:23: error: unknown action 'permt'; did you mean 'permit'?"},
	{HEAD "acl { rule 1 { source 10.0.0.0/8; destination ::/0; action "
	      "deny; } }\n",
	 "t.conf:3:35: error: rule 1 mixes an IPv4 and an IPv6 prefix"},
	{HEAD "acl { rule 1 { protocol icmp; source ::/0; action deny; } }\n",
	 "t.conf:3:16: error: protocol icmp does not match the rule's IPv6 "
	 "prefix"},
	{HEAD "acl { rule 1 { destination-port 53; action deny; } }\n",
	 "t.conf:3:16: error: port match needs 'protocol tcp', 'udp' or "
	 "'sctp'"},
	{HEAD "acl { rule 1 { protocol foo; action deny; } }\n",
	 "t.conf:3:25: error: expected a protocol (tcp, udp, icmp, icmpv6, "
	 "sctp, gre, esp or 0..255), got 'foo'"},
	{HEAD "acl { rule 1 a { action deny; } rule 1 b { action deny; } }\n",
	 "t.conf:3:33: error: rule priority 1 is already used (at t.conf:3:7)"},
	{HEAD "blackhole 192.0.2.0/24 expires \"soon\";\n",
	 "t.conf:3:32: error: expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", "
	 "got \"soon\""},
	{HEAD "blackhole 192.0.2.0/24;\nblackhole 192.0.2.0/24;\n",
	 "t.conf:4:1: error: blackhole given twice (first at t.conf:3:1)"},
	{HEAD "peer a { asn 1; asn 2; }\n",
	 "t.conf:3:17: error: 'asn' given twice (first at t.conf:3:10)"},
	{HEAD "peer abcdefghijabcdefghijabcdefghijab { }\n",
	 "t.conf:3:6: error: name 'abcdefghijabcdefghijabcdefghijab' is too "
	 "long (at most 31 characters)"},
	{HEAD "peer -a { }\n",
	 "t.conf:3:6: error: invalid name '-a' (letters, digits, '-', '_' and "
	 "'.', starting with a letter or digit)"},
	{"node { name n; country SG; sampling 1-in-0; }\n",
	 "t.conf:1:37: error: expected 'off' or '1-in-N' (N in 1..1000000000), "
	 "got '1-in-0'"},
	{"node { name n; icmp-time-exceeded maybe; }\n",
	 "t.conf:1:35: error: expected 'on' or 'off', got 'maybe'"},
	{HEAD "peer a { next-hop 192.0.2.0/24; }\n",
	 "t.conf:3:19: error: next-hop is an address, not a prefix"},
	{HEAD "peer a { source-validation lax; }\n",
	 "t.conf:3:28: error: expected 'strict', 'loose', 'feasible' or 'off', "
	 "got 'lax'"},
	{HEAD "country-data \"x\" format csv;\n",
	 "t.conf:3:25: error: unknown country data format 'csv' "
	 "(ip-location-db or rir-delegated)"},
	{HEAD "}\n", "t.conf:3:1: error: expected a statement, got '}'"},
	{HEAD "port p1 { device \"x\"; vlan 5 { } vlan 5 { } }\n",
	 "t.conf:3:39: error: vlan 5 given twice in port 'p1' (first at "
	 "t.conf:3:28)"},
	{HEAD "include \"/nonexistent/x.conf\";\n",
	 "t.conf:3:9: error: cannot open \"/nonexistent/x.conf\": No such file "
	 "or directory"},
	{HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01; mac "
	      "02:00:00:00:00:01; }\n",
	 "t.conf:3:53: error: MAC 02:00:00:00:00:01 is already used on this "
	 "port and VLAN by peer 'a' (at t.conf:3:30)"},
	{HEAD "metrics {\n  listen 127.0.0.1;\n}\n",
	 "t.conf:4:10: error: expected ADDRESS:PORT (127.0.0.1:9477, "
	 "[::1]:9477, 0.0.0.0:9477, [::]:9477) or none, got '127.0.0.1'"},
	{HEAD "metrics { tls-key \"k\"; }\n",
	 "t.conf:3:11: error: tls-key without tls-cert (both are needed to "
	 "serve HTTPS)"},
	{HEAD "metrics { }\nmetrics { }\n",
	 "t.conf:4:1: error: second 'metrics' block (first at t.conf:3:1)"},
};

static void
test_error_messages(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct ixg_diags *d = ixg_diags_new();
		struct ixg_conf *c = parse(errors[i].text, d);
		char *t = diags_text(d);
		size_t n = strlen(errors[i].first);

		if (c != NULL || strncmp(t, errors[i].first, n) != 0 ||
		    t[n] != '\n') {
			fprintf(stderr, "case %u: want\n%s\ngot\n%s\n", i,
				errors[i].first, t);
			fail();
		}
		assert_true(ixg_diags_errors(d) >= 1);
		free(t);
		ixg_diags_free(d);
	}
}

static void
test_caret_line(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	char *t;

	(void)state;
	assert_null(parse(HEAD "peer vn {\n\tmax-prefx 5000;\n}\n", d));
	t = diags_text(d);
	/* Tabs are copied so the caret sits under the token. */
	assert_string_equal(t, "t.conf:4:2: error: unknown keyword "
			       "'max-prefx'; did you mean 'max-prefix'?\n"
			       "\tmax-prefx 5000;\n"
			       "\t^~~~~~~~~\n");
	free(t);
	ixg_diags_free(d);
}

static void
test_all_errors_one_pass(void **state)
{
	struct ixg_diags *d = ixg_diags_new();

	(void)state;
	assert_null(parse(HEAD
			  "peer a {\n vlan 0;\n mtu 5;\n asn x;\n}\n"
			  "port b { mtu 1; }\nfoo;\nblackhole 10.0.0.1/8;\n",
			  d));
	assert_int_equal(ixg_diags_errors(d), 6);
	ixg_diags_free(d);
}

static void
test_compile_errors(void **state)
{
	struct ixg_spec s;
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	char *t;

	(void)state;
	c = parse(
		HEAD
		"peer a { asn 1; port p0; mac 02:00:00:00:00:01; max-prefix 1;"
		" announce { 10.0.0.0/8; 10.0.0.0/8; } }\n"
		"peer b { asn 2; port p0; mac 02:00:00:00:00:02;"
		" announce { 11.0.0.0/8; 10.0.0.0/8; } }\n",
		d);
	assert_non_null(c);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ixg_conf_compile(c, &s, d), -1);
	assert_null(s.peers); /* untouched on failure */
	t = diags_text(d);
	assert_non_null(strstr(t, "t.conf:3:49: error: peer 'a' announces 2 "
				  "prefixes, more than its max-prefix 1\n"));
	assert_non_null(strstr(
		t, "t.conf:4:72: error: prefix 10.0.0.0/8 announced by peer "
		   "'b' is already announced by peer 'a' (at t.conf:3:74)\n"));
	assert_int_equal(ixg_diags_errors(d), 2);
	free(t);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

static void
test_duplicate_from_same_peer_is_merged(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile_ok(HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01;"
			" announce { 10.0.0.0/8; 10.0.0.0/8; 2001:db8::/32; "
			"2001:db8::/32; } }\n",
		   &s);
	assert_int_equal(s.n_routes4, 1);
	assert_int_equal(s.n_routes6, 1);
	assert_int_equal(s.n_sources4, 1);
	ixg_spec_free(&s);
}

static void
test_origin(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = parse(
		HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01;\n"
		     "  announce { 10.0.0.0/8; } }\n",
		d);
	struct ixg_spec s;
	char buf[128];

	(void)state;
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	assert_int_equal(
		ixg_conf_origin(c, s.peers[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "t.conf:3:6");
	assert_int_equal(
		ixg_conf_origin(c, s.routes4[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "t.conf:4:14");
	assert_int_equal(
		ixg_conf_origin(c, s.ports[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "t.conf:2:6");
	assert_true(ixg_conf_origin(c, 999999, buf, sizeof(buf)) < 0);
	ixg_spec_free(&s);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_peer),
		cmocka_unit_test(test_acl),
		cmocka_unit_test(test_blackholes),
		cmocka_unit_test(test_expired_blackhole_warns),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_caret_line),
		cmocka_unit_test(test_all_errors_one_pass),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_duplicate_from_same_peer_is_merged),
		cmocka_unit_test(test_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
