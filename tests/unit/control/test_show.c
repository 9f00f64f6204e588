/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_show.c - the operator's `show` commands (control/daemon/show.c):
 * a ctl_state built by hand from an inline config and hand-filled counter
 * blocks; every command's human output (key lines, width) and JSON (parsed
 * by a small RFC 8259 validator, then checked by substrings); the
 * longest-prefix match of `show routes ADDR`; did-you-mean; usage errors;
 * no dataplane; the cost of a lookup over a full-size table; the view
 * renderer (view.c) alone, and the table of commands (usage width, the
 * watchable list). Byte-for-byte outputs of every command are in
 * test_show_golden.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "show_impl.h"
#include "view.h"

/* ------------------------------------------------------------- fixture */

static char cdata_path[64];

static const char conf_fmt[] =
	"node { name test-ix; country SG; }\n"
	"port p0 {\n"
	"	device \"net_null0\";\n"
	"	mac 02:00:00:00:00:01;\n"
	"	vlan 101 { address 198.18.1.1/24; address 2001:db8:1::1/64; }\n"
	"	vlan 102 { address 198.18.2.1/24; }\n"
	"}\n"
	"port p1 { device \"net_null1\"; vlan 104 { address 198.18.4.1/24; } "
	"}\n"
	"class transit { committed-rate 10gbit; committed-burst 16m;\n"
	"	peak-rate 20gbit; peak-burst 32m; yellow pass; red drop; }\n"
	"class memcache { committed-rate 64kbit; committed-burst 4k;\n"
	"	yellow remark 8; red drop; }\n"
	"peer china-telecom {\n"
	"	asn 4134; country CN; port p0; vlan 101;\n"
	"	mac 02:00:00:00:01:01; next-hop 198.18.1.2; next-hop "
	"2001:db8:1::2;\n"
	"	max-prefix 100; rate 10gbit burst 16m;\n"
	"	announce { 27.0.0.0/8; 2400:da00::/32; }\n"
	"}\n"
	"peer viettel {\n"
	"	asn 7552; country VN; port p1; vlan 104;\n"
	"	mac 02:00:00:00:04:01; mac 02:00:00:00:04:02;\n"
	"	next-hop 198.18.4.2;\n"
	"	announce { 27.64.0.0/12; 2402:800::/32; }\n"
	"	allow-source { 27.64.0.0/12; 113.160.0.0/11; }\n"
	"}\n"
	"peer mpt {\n"
	"	asn 9988; country MM; port p0; vlan 2000.102;\n"
	"	mac 02:00:00:00:07:01; source-validation off;\n"
	"	announce { 27.64.5.0/24; 203.81.64.0/19; }\n"
	"}\n"
	"acl {\n"
	"	rule 20 deny-telnet { protocol tcp; destination-port 23;"
	" action deny; }\n"
	"	rule 10 police-memcache { from china-telecom; protocol udp;\n"
	"		source-port 11211; action class memcache; }\n"
	"	rule 1000 { action permit; }\n"
	"}\n"
	"blackhole 27.64.66.0/24 expires \"2099-12-31T00:00:00Z\";\n"
	"blackhole 2402:800:1::/48;\n"
	"blackhole 10.0.0.0/8 expires \"2000-01-01T00:00:00Z\";\n"
	"country-data \"%s\" format ip-location-db;\n";

struct fixture {
	struct ctl_state st;
	struct ixg_lcore_counters *blocks; /* 2 blocks */
	struct ixg_lcore_counters *now, *prev;
};

static uint16_t
country_idx(const struct ixg_spec *s, char a, char b)
{
	for (uint32_t i = 0; i < s->n_countries; i++)
		if (s->countries[i] == IXG_CC(a, b))
			return (uint16_t)i;
	fail_msg("country %c%c not in spec", a, b);
	return 0;
}

static const struct ixg_spec_peer *
peer_named(const struct ixg_spec *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return &s->peers[i];
	fail_msg("peer %s not in spec", name);
	return NULL;
}

static struct ixg_lcore_counters *
new_blocks(unsigned n)
{
	struct ixg_lcore_counters *c = aligned_alloc(64, n * sizeof(*c));

	assert_non_null(c);
	memset(c, 0, n * sizeof(*c));
	/* The peers these tests write are what readers show (their pairs'
	 * counts in them), the form of a sum: IXG_CTR_PEER. */
	for (unsigned i = 0; i < n; i++)
		c[i].peers_folded = 1;
	return c;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ixg_diags *d = ixg_diags_new();
	char text[sizeof(conf_fmt) + 64];
	const struct ixg_spec *s;
	uint16_t ct, vt, mpt, cn, vn;
	FILE *cf;
	int fd;

	assert_non_null(f);
	snprintf(cdata_path, sizeof(cdata_path), "/tmp/test_show_XXXXXX");
	fd = mkstemp(cdata_path);
	assert_true(fd >= 0);
	cf = fdopen(fd, "w");
	fputs("27.0.0.0,27.63.255.255,CN\n27.64.0.0,27.79.255.255,VN\n"
	      "2402:800::,2402:800:ffff:ffff:ffff:ffff:ffff:ffff,VN\n",
	      cf);
	fclose(cf);
	snprintf(text, sizeof(text), conf_fmt, cdata_path);

	f->st.running.conf = ixg_conf_parse_string("test.conf", text,
						   strlen(text), d);
	if (f->st.running.conf == NULL)
		ixg_diags_print(d, stderr);
	assert_non_null(f->st.running.conf);
	if (ixg_conf_compile(f->st.running.conf, &f->st.running.spec, d) != 0)
		ixg_diags_print(d, stderr);
	assert_int_equal(ixg_diags_errors(d), 0);
	ixg_diags_free(d);
	f->st.running.valid = true;
	memset(f->st.running.sha256, 0xab, 32);
	f->st.config_path = "/etc/ixgate/test.conf";
	f->st.start_unix = time(NULL) - 100;

	s = &f->st.running.spec;
	ct = peer_named(s, "china-telecom")->id;
	vt = peer_named(s, "viettel")->id;
	mpt = peer_named(s, "mpt")->id;
	cn = country_idx(s, 'C', 'N');
	vn = country_idx(s, 'V', 'N');

	/* Two worker blocks; the show command sums them. */
	f->blocks = new_blocks(2);
	f->blocks[0].rx_packets = 1000;
	f->blocks[1].rx_packets = 600;
	f->blocks[0].peer[ct].rx.packets = 1000;
	f->blocks[0].peer[ct].rx.bytes = 1000000;
	f->blocks[1].peer[ct].rx.packets = 500;
	f->blocks[1].peer[ct].rx.bytes = 500000;
	f->blocks[0].peer[vt].tx.packets = 1200;
	f->blocks[0].peer[ct].drops = 10;
	f->blocks[0].peer_pair[7].key = (uint32_t)ct << 16 | vt;
	f->blocks[0].peer_pair[7].pb = (struct ixg_ctr_pb){900, 900000};
	f->blocks[1].peer_pair[123].key = (uint32_t)ct << 16 | vt;
	f->blocks[1].peer_pair[123].pb = (struct ixg_ctr_pb){300, 300000};
	f->blocks[1].peer_pair[5].key = (uint32_t)ct << 16 | mpt;
	f->blocks[1].peer_pair[5].pb = (struct ixg_ctr_pb){100, 100000};
	f->blocks[0].acl_hits[3] = 40;
	f->blocks[1].acl_hits[3] = 2;
	f->blocks[0].class_colour[2][0] = 10;
	f->blocks[0].class_colour[2][1] = 2;
	f->blocks[0].class_colour[2][2] = 1;
	f->blocks[0].drops[IXG_DROP_BLACKHOLE] = 7;
	f->blocks[1].drops[IXG_DROP_NO_ROUTE] = 3;
	f->blocks[0].country_pair[cn][vn] = (struct ixg_ctr_pb){1200, 1200000};
	f->blocks[1].country_pair[vn][cn] = (struct ixg_ctr_pb){50, 50000};
	f->blocks[0].port[0].rx = (struct ixg_ctr_pb){1500, 1500000};
	f->blocks[0].port[0].fwd = 1300;
	f->blocks[0].port[0].local = 190;
	f->blocks[0].port[0].drops[IXG_DROP_NO_ROUTE] = 10;
	f->blocks[0].port[1].tx = (struct ixg_ctr_pb){1200, 1200000};

	/* The loop's samples, 2 s apart: 500 pps from china-telecom. */
	f->now = new_blocks(1);
	f->prev = new_blocks(1);
	f->now->peer[ct].rx.packets = 1500;
	f->now->peer[ct].rx.bytes = 1500000;
	f->prev->peer[ct].rx.packets = 500;
	f->prev->peer[ct].rx.bytes = 500000;
	f->now->drops[IXG_DROP_BLACKHOLE] = 7;
	f->prev->drops[IXG_DROP_BLACKHOLE] = 1;
	f->now->peer_pair[9].key = (uint32_t)ct << 16 | vt;
	f->now->peer_pair[9].pb = (struct ixg_ctr_pb){1200, 1200000};
	f->prev->peer_pair[44].key = (uint32_t)ct << 16 | vt;
	f->prev->peer_pair[44].pb = (struct ixg_ctr_pb){200, 200000};

	f->st.dp_connected = true;
	f->st.dp_generation = 42;
	f->st.dp_hello.n_workers = 2;
	f->st.dp_hello.start_unix = (uint64_t)time(NULL) - 3600;
	memset(f->st.dp_hello.config_sha256, 0xab, 32);
	f->st.counters = f->blocks;
	f->st.n_counter_blocks = 2;
	f->st.counters_size = 2 * sizeof(*f->blocks);
	f->st.sum_now = f->now;
	f->st.sum_prev = f->prev;
	f->st.sample_interval_s = 2.0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ixg_spec_free(&f->st.running.spec);
	ixg_conf_free(f->st.running.conf);
	free(f->blocks);
	free(f->now);
	free(f->prev);
	free(f);
	unlink(cdata_path);
	return 0;
}

/* ------------------------------------------------------------- helpers */

struct run {
	int rc;
	char *text;
	size_t len;
};

/* Run `show ARGS...` (NULL-terminated) and capture what it writes. */
static struct run
show(const struct ctl_state *st, int json, ...)
{
	char *argv[16];
	int argc = 0;
	struct run r = {0};
	FILE *m = open_memstream(&r.text, &r.len);
	va_list ap;

	assert_non_null(m);
	argv[argc++] = (char *)"show";
	va_start(ap, json);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 15;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	r.rc = ctl_show(st, argc, argv, json != 0, m);
	fclose(m);
	if (getenv("SHOW_DUMP") != NULL)
		fprintf(stderr, "--- show %s%s%s (rc %d)\n%s", argv[1],
			argc > 2 ? " " : "", argc > 2 ? argv[2] : "", r.rc,
			r.text);
	return r;
}

static void
has(const struct run *r, const char *needle)
{
	if (strstr(r->text, needle) == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, r->text);
}

static void
hasnt(const struct run *r, const char *needle)
{
	if (strstr(r->text, needle) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", needle, r->text);
}

/* The line of r's text that contains `needle`, into buf. */
static const char *
line_with(const struct run *r, const char *needle, char *buf, size_t len)
{
	const char *p = strstr(r->text, needle), *b, *e;

	if (p == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, r->text);
	if (*needle == '\n')
		p++;
	for (b = p; b > r->text && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	if (e == NULL)
		e = p + strlen(p);
	snprintf(buf, len, "%.*s", (int)(e - b), b);
	return buf;
}

/* Every line at most SHOW_WIDTH columns. */
static void
fits(const struct run *r)
{
	const char *p = r->text;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n > SHOW_WIDTH)
			fail_msg("line of %zu columns: %.*s", n, (int)n, p);
		p += n + (e ? 1 : 0);
	}
}

/* A small RFC 8259 validator: one value, then only white space. */
static const char *jv_value(const char *p, int depth);

static const char *
jv_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *
jv_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    p[i]) ||
					    !p[i])
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *
jv_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *
jv_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = jv_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = jv_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = jv_string(jv_ws(p));
				if (p == NULL)
					return NULL;
				p = jv_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = jv_value(p, depth + 1);
			if (p == NULL)
				return NULL;
			p = jv_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return jv_string(p);
	if (strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	return jv_number(p);
}

static bool
json_valid(const char *text)
{
	const char *p = jv_value(text, 0);

	return p != NULL && *jv_ws(p) == '\0';
}

static void
valid_json(const struct run *r)
{
	if (!json_valid(r->text))
		fail_msg("invalid JSON:\n%s", r->text);
	/* One object per command, one line. */
	assert_int_equal(r->text[0], '{');
	assert_int_equal(strchr(r->text, '\n') - r->text + 1,
			 (long)strlen(r->text));
}

/* --------------------------------------------------------------- tests */

static void
test_json_validator(void **state)
{
	(void)state;
	/* The validator itself must refuse what is not JSON, or the JSON
	 * checks below prove nothing. */
	assert_true(json_valid("{\"a\":[1,2.5,-3e2,true,null,\"x\\\"y\"]}"));
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("{\"a\":\"x\ny\"}"));
	assert_false(json_valid("{\"a\":01}"));
	assert_false(json_valid("{\"a\":nan}"));
	assert_false(json_valid("{} {}"));
}

static void
test_units(void **state)
{
	char b[SHOW_NUM_LEN];

	(void)state;
	assert_string_equal(show_si(b, 999), "999");
	assert_string_equal(show_si(b, 1000), "1.00k");
	assert_string_equal(show_si(b, 1234567), "1.23M");
	assert_string_equal(show_si(b, 45600000000.0), "45.6G");
	assert_string_equal(show_si(b, 999999), "1.00M");
	assert_string_equal(show_bitrate(b, 98.7e6), "98.7 Mbit/s");
	assert_string_equal(show_bitrate(b, 10e9), "10 Gbit/s");
	assert_string_equal(show_bitrate(b, 1.5e9), "1.50 Gbit/s");
	assert_string_equal(show_bitrate(b, 512), "512 bit/s");
	assert_string_equal(show_size(b, 16 << 20), "16 MiB");
	assert_string_equal(show_size(b, 4096), "4 KiB");
	assert_string_equal(show_size(b, 1500), "1500 B");
	assert_string_equal(show_duration(b, 45), "45s");
	assert_string_equal(show_duration(b, 3 * 3600 + 7 * 60), "3h07m");
	assert_string_equal(show_duration(b, 2 * 86400 + 4 * 3600), "2d04h");
	assert_string_equal(show_duration(b, -1), "expired");
	assert_int_equal(show_edit_distance("vietel", "viettel"), 1);
	assert_int_equal(show_edit_distance("abc", "xyz"), 3);
	assert_int_equal(show_edit_distance("", "mpt"), 3);
}

static void
test_parse_prefix(void **state)
{
	uint8_t a[16];
	unsigned len;
	int fam;

	(void)state;
	assert_int_equal(show_parse_prefix("27.64.1.2", &fam, a, &len), 0);
	assert_int_equal(fam, 4);
	assert_int_equal(len, 32);
	assert_int_equal(show_parse_prefix("27.64.1.2/12", &fam, a, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(a[1], 64); /* host bits cleared */
	assert_int_equal(a[2], 0);
	assert_int_equal(show_parse_prefix("2402:800::1/32", &fam, a, &len), 0);
	assert_int_equal(fam, 6);
	assert_int_equal(a[15], 0);
	assert_int_equal(show_parse_prefix("1.2.3.4/33", &fam, a, &len),
			 -EINVAL);
	assert_int_equal(show_parse_prefix("1.2.3.4/", &fam, a, &len), -EINVAL);
	assert_int_equal(show_parse_prefix("viettel", &fam, a, &len), -EINVAL);
	assert_int_equal(show_parse_prefix("::/129", &fam, a, &len), -EINVAL);
}

static void
test_peers(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "peers", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	hasnt(&r, "not connected");
	/* Config columns: id, ASN, country, port, QinQ VLAN, SAV, prefixes */
	line_with(&r, "mpt ", l, sizeof(l));
	assert_non_null(strstr(l, "9988"));
	assert_non_null(strstr(l, "MM"));
	assert_non_null(strstr(l, "2000.102"));
	assert_non_null(strstr(l, "off"));
	/* Traffic: blocks summed (1000 + 500 packets), 500 pps and
	 * 500 kB/s = 4.00 Mbit/s from the two samples 2 s apart. */
	has(&r, "RX-PPS");
	free(r.text);

	r = show(&f->st, true, "peers", NULL);
	assert_int_equal(r.rc, 0);
	valid_json(&r);
	has(&r,
	    "\"name\":\"china-telecom\",\"asn\":4134,\"country\":\"CN\","
	    "\"port\":\"p0\",\"vlan\":101,\"outer_vlan\":0,\"sav\":\"strict\","
	    "\"prefixes_v4\":1,\"prefixes_v6\":1,\"rx_packets\":1500,"
	    "\"rx_bytes\":1500000,\"tx_packets\":0,\"tx_bytes\":0,"
	    "\"drops\":10,\"rx_pps\":500.000,\"rx_bps\":4000000.000");
	has(&r, "\"name\":\"viettel\"");
	has(&r, "\"tx_packets\":1200");
	has(&r, "\"generation\":42");
	has(&r, "\"rate_interval_s\":2.000");
	free(r.text);
}

static void
test_peers_human_values(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "peers", NULL);
	char l[256], *tok[16];
	int n = 0;

	/* The second table's china-telecom row, split on blanks. */
	line_with(&r, "china-telecom ", l, sizeof(l));
	{
		const char *second = strstr(r.text, "RX-PKTS");

		assert_non_null(second);
		line_with(&(struct run){.text = (char *)second},
			  "china-telecom", l, sizeof(l));
	}
	for (char *s = strtok(l, " "); s && n < 16; s = strtok(NULL, " "))
		tok[n++] = s;
	assert_int_equal(n, 10);
	assert_string_equal(tok[1], "1.50k"); /* rx packets */
	assert_string_equal(tok[2], "1.50M"); /* rx bytes */
	assert_string_equal(tok[3], "500"); /* rx pps */
	assert_string_equal(tok[4], "4.00M"); /* rx bit/s */
	assert_string_equal(tok[9], "10"); /* drops */
	free(r.text);
}

static void
test_peer_detail(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "peer", "viettel", NULL);

	assert_int_equal(r.rc, 0);
	fits(&r);
	has(&r, "peer viettel (id 2)");
	has(&r, "AS7552");
	has(&r, "02:00:00:00:04:01, 02:00:00:00:04:02");
	has(&r, "198.18.4.2");
	has(&r, "27.64.0.0/12");
	has(&r, "2402:800::/32");
	has(&r, "113.160.0.0/11"); /* allowed sources replace announced */
	has(&r, "defined at        test.conf:");
	has(&r, "top sources");
	/* china-telecom sent 900 + 300 packets to viettel. */
	has(&r, "china-telecom");
	free(r.text);

	r = show(&f->st, false, "peer", "china-telecom", NULL);
	has(&r, "policer           10 Gbit/s, burst 16 MiB");
	has(&r, "max-prefix        100");
	has(&r, "500 pps, 4 Mbit/s");
	has(&r, "top destinations");
	{
		char l[256];

		line_with(&r, "  viettel", l, sizeof(l));
		assert_non_null(strstr(l, "1.20k"));
		assert_non_null(strstr(l, "92.3%")); /* 1200 of 1300 */
		assert_non_null(strstr(l, "500")); /* (1200-200)/2 pps */
	}
	free(r.text);

	r = show(&f->st, true, "peer", "china-telecom", NULL);
	assert_int_equal(r.rc, 0);
	valid_json(&r);
	has(&r, "\"macs\":[\"02:00:00:00:01:01\"]");
	has(&r, "\"next_hops\":[\"198.18.1.2\",\"2001:db8:1::2\"]");
	has(&r, "\"policer\":{\"rate_bps\":10000000000,\"burst_bytes\":"
		"16777216}");
	has(&r, "\"announced\":{\"ipv4\":1,\"ipv6\":1,\"first\":"
		"[\"27.0.0.0/8\",\"2400:da00::/32\"]}");
	has(&r, "\"top_destinations\":[{\"peer\":\"viettel\",\"packets\":1200,"
		"\"bytes\":1200000,\"pps\":500.000,\"bps\":4000000.000},"
		"{\"peer\":\"mpt\",\"packets\":100");
	has(&r, "\"top_sources\":[]");
	free(r.text);
}

static void
test_peer_did_you_mean(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "peer", "vietel", NULL);

	assert_int_equal(r.rc, 1);
	assert_string_equal(
		r.text, "no peer named 'vietel'; did you mean 'viettel'?\n");
	free(r.text);

	r = show(&f->st, false, "peer", "china-telekom", NULL);
	assert_int_equal(r.rc, 1);
	has(&r, "did you mean 'china-telecom'?");
	free(r.text);

	/* Nothing close: no suggestion. */
	r = show(&f->st, false, "peer", "level3", NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.text, "no peer named 'level3'\n");
	free(r.text);

	r = show(&f->st, true, "peer", "vietel", NULL);
	assert_int_equal(r.rc, 1);
	valid_json(&r);
	assert_string_equal(r.text, "{\"error\":\"no peer named 'vietel'\","
				    "\"did_you_mean\":\"viettel\"}\n");
	free(r.text);
}

/* `show routes ADDR`: the verdict line, checked word for word. */
static void
route_is(const struct ctl_state *st, const char *q, const char *verdict)
{
	struct run r = show(st, false, "routes", q, NULL);
	char first[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	/* The verdict: everything before the first blank line. */
	snprintf(first, sizeof(first), "%.*s",
		 strstr(r.text, "\n\n") ? (int)(strstr(r.text, "\n\n") - r.text)
					: (int)strlen(r.text),
		 r.text);
	if (strstr(first, verdict) == NULL)
		fail_msg("routes %s: expected \"%s\", got \"%s\"", q, verdict,
			 first);
	free(r.text);
}

static void
test_routes_lpm(void **state)
{
	struct fixture *f = *state;

	/* More specific wins: /12 (viettel) over /8 (china-telecom), /24
	 * (mpt) over both. */
	route_is(&f->st, "27.1.2.3", "forward to china-telecom (AS4134, CN)");
	route_is(&f->st, "27.64.1.2",
		 "forward to viettel (AS7552, VN)\n"
		 "  egress p1 vlan 104, route 27.64.0.0/12");
	route_is(&f->st, "27.64.5.9",
		 "forward to mpt (AS9988, MM)\n  egress p0 "
		 "vlan 2000.102, route 27.64.5.0/24");
	route_is(&f->st, "27.64.1.2", "27.64.1.2/32 (country VN)");
	route_is(&f->st, "27.1.2.3", "(country CN)");
	/* A blackhole inside viettel's /12 drops. */
	route_is(&f->st, "27.64.66.77",
		 "drop: blackhole 27.64.66.0/24 (reason "
		 "blackhole)");
	route_is(&f->st, "2402:800:1::1", "blackhole 2402:800:1::/48");
	route_is(&f->st, "2402:800:2::1", "forward to viettel");
	route_is(&f->st, "2400:da00::1", "forward to china-telecom");
	/* No route; an expired blackhole is not in the FIB. */
	route_is(&f->st, "8.8.8.8", "drop: no route (reason no_route)");
	route_is(&f->st, "10.1.2.3", "no route");
	/* The node's own address. */
	route_is(&f->st, "198.18.1.1",
		 "local: address of the node on p0 "
		 "vlan 101, answered by the node");
	route_is(&f->st, "2001:db8:1::1", "local: address of the node on p0");
	/* A prefix: its best cover, and what is more specific inside. */
	route_is(&f->st, "27.64.0.0/12", "forward to viettel");
}

static void
test_routes_detail(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "routes", "27.64.66.77", NULL);
	struct run tab;
	char l[256];

	/* Every covering entry, most specific first, '*' on the chosen. */
	tab.text = strstr(r.text, "covering entries");
	assert_non_null(tab.text);
	line_with(&tab, "27.64.66.0/24", l, sizeof(l));
	assert_non_null(strstr(l, "*"));
	assert_non_null(strstr(l, "blackhole"));
	assert_non_null(strstr(l, "drop until 2099-12-31T00:00:00Z"));
	line_with(&tab, "27.64.0.0/12", l, sizeof(l));
	assert_null(strstr(l, "*"));
	assert_non_null(strstr(l, "viettel"));
	assert_true(strstr(r.text, "27.64.66.0/24") <
		    strstr(r.text, "27.64.0.0/12"));
	assert_true(strstr(r.text, "27.64.0.0/12") <
		    strstr(r.text, "27.0.0.0/8"));
	free(r.text);

	r = show(&f->st, false, "routes", "10.1.2.3", NULL);
	has(&r, "expired 2000-01-01T00:00:00Z (inactive)");
	free(r.text);

	r = show(&f->st, false, "routes", "27.64.0.0/12", NULL);
	has(&r, "1 more specific route inside 27.64.0.0/12:");
	has(&r, "27.64.5.0/24");
	free(r.text);

	r = show(&f->st, true, "routes", "27.64.66.77", NULL);
	valid_json(&r);
	has(&r, "\"query\":\"27.64.66.77/32\",\"family\":4,"
		"\"verdict\":\"blackhole\",\"country\":\"VN\","
		"\"best\":\"27.64.66.0/24\",\"egress\":null");
	has(&r, "{\"prefix\":\"27.64.0.0/12\",\"kind\":\"route\","
		"\"peer\":\"viettel\",\"selected\":false");
	free(r.text);

	r = show(&f->st, true, "routes", "27.64.9.1", NULL);
	valid_json(&r);
	has(&r, "\"verdict\":\"forward\"");
	has(&r, "\"egress\":{\"peer\":\"viettel\",\"asn\":7552,"
		"\"country\":\"VN\",\"port\":\"p1\",\"vlan\":104}");
	free(r.text);

	r = show(&f->st, true, "routes", "8.8.8.8", NULL);
	valid_json(&r);
	has(&r, "\"verdict\":\"no_route\"");
	has(&r, "\"matches\":[]");
	free(r.text);
}

static void
test_routes_summary(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "routes", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	has(&r, "4 IPv4 and 2 IPv6 routes, 3 blackholes (2 active), "
		"4 local addresses");
	line_with(&r, "viettel", l, sizeof(l));
	/* 1 v4 + 1 v6 announced; 2 v4 sources, 0 v6 */
	assert_non_null(strstr(l, "7552"));
	free(r.text);

	r = show(&f->st, true, "routes", NULL);
	valid_json(&r);
	has(&r, "{\"peer\":\"viettel\",\"asn\":7552,\"routes_v4\":1,"
		"\"routes_v6\":1,\"sources_v4\":2,\"sources_v6\":0}");
	has(&r, "\"blackholes_active\":2");
	free(r.text);
}

static void
test_acl(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "acl", NULL);
	const char *a, *b, *c;
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	/* Priority order, not declaration order. */
	a = strstr(r.text, "police-memcache");
	b = strstr(r.text, "deny-telnet");
	c = strstr(r.text, "permit");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < b && b < c);
	line_with(&r, "police-memcache", l, sizeof(l));
	assert_non_null(strstr(l, "class memcache"));
	/* MATCH is the last column: it wraps to stay within 100 columns. */
	assert_non_null(strstr(l, "ipv4 from china-telecom proto udp sport"));
	assert_non_null(strstr(strstr(r.text, "police-memcache"),
			       "\n                                "
			       "                         11211\n"));
	assert_non_null(strstr(l, " 42 ")); /* hits summed over 2 blocks */
	line_with(&r, "deny-telnet", l, sizeof(l));
	assert_non_null(strstr(l, "proto tcp dport 23"));
	free(r.text);

	r = show(&f->st, true, "acl", NULL);
	valid_json(&r);
	has(&r, "{\"id\":3,\"priority\":10,\"name\":\"police-memcache\","
		"\"family\":4,\"from\":\"china-telecom\",\"protocol\":17,"
		"\"source\":null,\"destination\":null,\"source_ports\":"
		"[11211,11211],\"destination_ports\":[0,65535],\"dscp\":null,"
		"\"action\":\"class memcache\",\"where\":\"test.conf:");
	has(&r, "\"hits\":42,\"hits_per_s\":0.000");
	free(r.text);
}

static void
test_classes(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "classes", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	line_with(&r, "transit", l, sizeof(l));
	assert_non_null(strstr(l, "10 Gbit/s"));
	assert_non_null(strstr(l, "16 MiB"));
	assert_non_null(strstr(l, "20 Gbit/s"));
	line_with(&r, "memcache", l, sizeof(l));
	assert_non_null(strstr(l, "64 kbit/s"));
	assert_non_null(strstr(l, "remark 8"));
	assert_non_null(strstr(l, " 10 "));
	has(&r, "default");
	free(r.text);

	r = show(&f->st, true, "classes", NULL);
	valid_json(&r);
	has(&r, "\"name\":\"memcache\",\"cir_bps\":64000,\"cbs_bytes\":4096,"
		"\"pir_bps\":64000,\"pbs_bytes\":4096,\"yellow\":{\"action\":"
		"\"remark\",\"dscp\":8},\"red\":{\"action\":\"drop\"}");
	has(&r,
	    "\"green_packets\":10,\"green_pps\":0.000,\"yellow_packets\":2");
	free(r.text);
}

static void
test_blackholes(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "blackholes", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	line_with(&r, "27.64.66.0/24", l, sizeof(l));
	assert_non_null(strstr(l, "2099-12-31T00:00:00Z"));
	assert_non_null(strstr(l, "active"));
	assert_non_null(strstr(l, "d")); /* days remaining */
	line_with(&r, "2402:800:1::/48", l, sizeof(l));
	assert_non_null(strstr(l, "never"));
	line_with(&r, "10.0.0.0/8", l, sizeof(l));
	assert_non_null(strstr(l, "expired"));
	/* 7 drops, (7 - 1) / 2 s = 3 pps */
	has(&r, "dropped to blackholes (all prefixes): 7 packets, 3 pps");
	free(r.text);

	r = show(&f->st, true, "blackholes", NULL);
	valid_json(&r);
	has(&r, "{\"prefix\":\"2402:800:1::/48\",\"family\":6,"
		"\"expires\":null,\"remaining_s\":null,\"active\":true");
	has(&r, "\"expires\":\"2000-01-01T00:00:00Z\",\"remaining_s\":0,"
		"\"active\":false");
	has(&r, "\"dropped_packets\":7,\"dropped_pps\":3.000");
	free(r.text);
}

static void
test_countries(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "countries", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	line_with(&r, "\nVN ", l, sizeof(l));
	free(r.text);

	r = show(&f->st, true, "countries", NULL);
	valid_json(&r);
	has(&r, "\"home\":\"SG\"");
	/* CN: 27.0.0.0-27.63.255.255 is one /10; one peer; sent 1200 to
	 * VN, received 50 from it. */
	has(&r,
	    "{\"country\":\"CN\",\"peers\":1,\"prefixes_v4\":1,"
	    "\"prefixes_v6\":0,\"sent_packets\":1200,\"sent_bytes\":1200000,"
	    "\"received_packets\":50,\"received_bytes\":50000");
	has(&r, "{\"country\":\"VN\",\"peers\":1,\"prefixes_v4\":1,"
		"\"prefixes_v6\":1,\"sent_packets\":50");
	has(&r, "{\"country\":\"MM\",\"peers\":1,\"prefixes_v4\":0");
	free(r.text);
}

static void
test_matrix(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "matrix", "peers", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	/* Pairs merged across blocks (900 + 300) and sorted by packets. */
	line_with(&r, "viettel", l, sizeof(l));
	assert_non_null(strstr(l, "china-telecom"));
	assert_non_null(strstr(l, "1.20k"));
	assert_non_null(strstr(l, "92.3%"));
	assert_true(strstr(r.text, "viettel") < strstr(r.text, "mpt"));
	has(&r, "2 of 2 peer pairs shown");
	free(r.text);

	r = show(&f->st, false, "matrix", "peers", "--top", "1", NULL);
	assert_int_equal(r.rc, 0);
	hasnt(&r, "mpt");
	has(&r, "1 of 2 peer pairs shown (--top N, --all)");
	free(r.text);

	r = show(&f->st, true, "matrix", "peers", "--all", NULL);
	valid_json(&r);
	has(&r,
	    "\"pairs\":[{\"from\":\"china-telecom\",\"to\":\"viettel\","
	    "\"packets\":1200,\"bytes\":1200000,\"pps\":500.000,"
	    "\"bps\":4000000.000},{\"from\":\"china-telecom\",\"to\":\"mpt\","
	    "\"packets\":100,\"bytes\":100000,\"pps\":0.000");
	has(&r, "\"total_pairs\":2,\"overflow\":0");
	free(r.text);

	r = show(&f->st, false, "matrix", "countries", NULL);
	assert_int_equal(r.rc, 0);
	fits(&r);
	has(&r, "packets from (row) to (column), top 2 countries");
	line_with(&r, "\nCN ", l, sizeof(l));
	/* CN row: CN->CN 0, CN->VN 1.20k (columns in traffic order). */
	assert_non_null(strstr(l, "1.20k"));
	free(r.text);

	r = show(&f->st, true, "matrix", "countries", NULL);
	valid_json(&r);
	has(&r, "\"countries\":[\"CN\",\"VN\"],\"packets\":[[0,1200],[50,0]]");
	has(&r, "\"pairs\":[{\"from\":\"CN\",\"to\":\"VN\",\"packets\":1200");
	free(r.text);
}

static void
test_drops_ports(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "drops", NULL);
	char l[256];

	assert_int_equal(r.rc, 0);
	fits(&r);
	/* Every reason, with its description. */
	for (unsigned i = 0; i < IXG_DROP_MAX; i++)
		has(&r, ixg_drop_name(i));
	line_with(&r, "blackhole ", l, sizeof(l));
	assert_non_null(strstr(l, " 7 "));
	assert_non_null(strstr(l, " 3 ")); /* pps */
	assert_non_null(strstr(l, "destination in a blackholed prefix"));
	has(&r, "total 10 dropped of 1600 received (0.625%)");
	free(r.text);

	r = show(&f->st, true, "drops", NULL);
	valid_json(&r);
	has(&r, "{\"reason\":\"no_route\",\"description\":\"no route to the "
		"destination\",\"packets\":3,\"pps\":0.000}");
	has(&r, "\"total\":10,\"rx_packets\":1600");
	free(r.text);

	r = show(&f->st, false, "ports", NULL);
	assert_int_equal(r.rc, 0);
	fits(&r);
	line_with(&r, "p0 ", l, sizeof(l));
	assert_non_null(strstr(l, "1.50k"));
	assert_non_null(strstr(l, "1.30k"));
	assert_non_null(strstr(l, "190"));
	free(r.text);

	r = show(&f->st, true, "ports", NULL);
	valid_json(&r);
	has(&r, "{\"id\":0,\"name\":\"p0\",\"device\":\"net_null0\","
		"\"dpdk_device\":null,\"mtu\":1500,\"mac\":\"02:00:00:00:00:"
		"01\",\"rx_packets\":1500,"
		"\"rx_bytes\":1500000,\"tx_packets\":0,\"tx_bytes\":0,"
		"\"fwd_packets\":1300,\"local_packets\":190,\"drops\":10");
	has(&r, "\"drops_by_reason\":{\"no_route\":10}");
	has(&r, "\"name\":\"p1\",\"device\":\"net_null1\","
		"\"dpdk_device\":null,\"mtu\":1500,"
		"\"mac\":null");
	free(r.text);
}

static void
test_generation_config(void **state)
{
	struct fixture *f = *state;
	struct run r = show(&f->st, false, "generation", NULL);

	assert_int_equal(r.rc, 0);
	fits(&r);
	has(&r, "dataplane         connected, 2 workers, up 1h00m");
	has(&r, "generation        42\n");
	has(&r, "config sha256     abababab");
	has(&r, "dataplane sha256  same");
	has(&r, "commit-confirmed  none pending");
	free(r.text);

	f->st.confirm_deadline = time(NULL) + 90;
	f->st.dp_hello.config_sha256[0] = 0x01;
	r = show(&f->st, true, "generation", NULL);
	valid_json(&r);
	has(&r, "\"dataplane_connected\":true,\"generation\":42,"
		"\"config_sha256\":\"abababab");
	has(&r, "\"dataplane_config_sha256\":\"01abab");
	has(&r, "\"in_sync\":false");
	has(&r, "\"headless\":false");
	has(&r, "\"confirm_deadline_unix\":");
	free(r.text);
	r = show(&f->st, false, "generation", NULL);
	has(&r, "commit-confirmed  pending: rolls back at");
	free(r.text);
	f->st.confirm_deadline = 0;
	f->st.dp_hello.config_sha256[0] = 0xab;

	r = show(&f->st, false, "config", NULL);
	assert_int_equal(r.rc, 0);
	has(&r, "peer viettel {");
	has(&r, "blackhole 27.64.66.0/24");
	{
		/* The same bytes as the library's canonical print. */
		char *t = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&t, &n);

		ixg_conf_print(f->st.running.conf, m);
		fclose(m);
		assert_string_equal(r.text, t);
		free(t);
	}
	free(r.text);

	/* JSON escapes the text's newlines, tabs and quotes. */
	r = show(&f->st, true, "config", NULL);
	valid_json(&r);
	has(&r, "\"config\":\"node {\\n\\tname test-ix;");
	has(&r, "device \\\"net_null0\\\";");
	free(r.text);
}

static void
test_no_dataplane(void **state)
{
	struct fixture *f = *state;
	static const char *const cmds[][3] = {
		{"peers"},	     {"peer", "viettel"},     {"acl"},
		{"classes"},	     {"blackholes"},	      {"countries"},
		{"matrix", "peers"}, {"matrix", "countries"}, {"drops"},
		{"ports"},
	};

	f->st.dp_connected = false;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct run r = show(&f->st, false, cmds[i][0], cmds[i][1],
				    NULL);

		assert_int_equal(r.rc, 0);
		fits(&r);
		has(&r, "dataplane not connected: counters shown as '-'");
		free(r.text);
		r = show(&f->st, true, cmds[i][0], cmds[i][1], NULL);
		assert_int_equal(r.rc, 0);
		valid_json(&r);
		has(&r, "\"dataplane_connected\":false");
		/* No packet count anywhere: each is null. */
		for (const char *p = r.text; (p = strstr(p, "packets\":")); p++)
			assert_false(p[9] >= '0' && p[9] <= '9');
		free(r.text);
	}
	{
		/* Config data is still there; counters are "-". */
		struct run r = show(&f->st, false, "peers", NULL);
		char l[256];

		line_with(&r, "mpt ", l, sizeof(l));
		assert_non_null(strstr(l, "9988"));
		has(&r, "  -  ");
		free(r.text);
		r = show(&f->st, true, "peers", NULL);
		has(&r, "\"rx_packets\":null");
		free(r.text);
		r = show(&f->st, false, "generation", NULL);
		has(&r, "not connected");
		free(r.text);
	}
	f->st.dp_connected = true;

	/* Connected, counters mapped, but no second sample yet: no rates. */
	f->st.sum_prev = NULL;
	{
		struct run r = show(&f->st, true, "peers", NULL);

		valid_json(&r);
		has(&r, "\"rx_packets\":1500");
		has(&r, "\"rx_pps\":null");
		has(&r, "\"rate_interval_s\":null");
		free(r.text);
	}
	f->st.sum_prev = f->prev;
}

static void
test_usage(void **state)
{
	struct fixture *f = *state;
	struct run r;

	r = show(&f->st, false, "bogus", NULL);
	assert_int_equal(r.rc, 2);
	has(&r, "show: unknown command 'bogus'");
	has(&r, "usage: ixgatectl [--json] show COMMAND");
	has(&r, "matrix countries");
	free(r.text);

	r = show(&f->st, false, NULL);
	assert_int_equal(r.rc, 2);
	has(&r, "usage:");
	free(r.text);

	r = show(&f->st, false, "peer", NULL);
	assert_int_equal(r.rc, 2);
	has(&r, "missing peer NAME");
	free(r.text);

	r = show(&f->st, false, "routes", "1.2.3.4", "5.6.7.8", NULL);
	assert_int_equal(r.rc, 2);
	has(&r, "unexpected argument '5.6.7.8'");
	free(r.text);

	r = show(&f->st, false, "routes", "1.2.3.4/40", NULL);
	assert_int_equal(r.rc, 2);
	has(&r, "'1.2.3.4/40' is not an IPv4 or IPv6 address or prefix");
	free(r.text);

	r = show(&f->st, false, "matrix", NULL);
	assert_int_equal(r.rc, 2);
	free(r.text);

	r = show(&f->st, false, "matrix", "peers", "--top", "x", NULL);
	assert_int_equal(r.rc, 2);
	free(r.text);

	r = show(&f->st, false, "drops", "--bogus", NULL);
	assert_int_equal(r.rc, 2);
	has(&r, "unknown option '--bogus'");
	free(r.text);

	r = show(&f->st, false, "acl", "extra", NULL);
	assert_int_equal(r.rc, 2);
	free(r.text);

	/* JSON mode: the error is an object too. */
	r = show(&f->st, true, "bogus", NULL);
	assert_int_equal(r.rc, 2);
	valid_json(&r);
	has(&r, "{\"error\":\"show: unknown command 'bogus'\",\"usage\":"
		"\"usage: ixgatectl [--json] show COMMAND\\n");
	free(r.text);

	/* "--json" passed through argv counts as the flag. */
	r = show(&f->st, false, "drops", "--json", NULL);
	assert_int_equal(r.rc, 0);
	valid_json(&r);
	free(r.text);
}

static void
test_no_config(void **state)
{
	struct ctl_state st;
	struct run r;

	(void)state;
	memset(&st, 0, sizeof(st));
	r = show(&st, false, "peers", NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.text, "no running configuration\n");
	free(r.text);
	r = show(&st, true, "config", NULL);
	assert_int_equal(r.rc, 1);
	valid_json(&r);
	free(r.text);
	/* What needs no config still answers. */
	r = show(&st, false, "generation", NULL);
	assert_int_equal(r.rc, 0);
	has(&r, "none (no running configuration)");
	free(r.text);
	r = show(&st, true, "drops", NULL);
	assert_int_equal(r.rc, 0);
	valid_json(&r);
	free(r.text);
}

/* Names and strings with characters JSON must escape. */
static void
test_json_escapes(void **state)
{
	struct fixture *f = *state;
	char saved[IXG_DEVARGS_LEN];
	struct ixg_spec_port *p = &f->st.running.spec.ports[0];
	struct run r;

	memcpy(saved, p->devargs, sizeof(saved));
	snprintf(p->devargs, sizeof(p->devargs), "net_pcap0,rx=\"a\\b\"\t\x01");
	r = show(&f->st, true, "ports", NULL);
	valid_json(&r);
	has(&r, "\"device\":\"net_pcap0,rx=\\\"a\\\\b\\\"\\t\\u0001\"");
	free(r.text);
	memcpy(p->devargs, saved, sizeof(saved));
}

/*
 * `show routes ADDR` on a full-size table (1.2M IPv4 + 300k IPv6 routes) is
 * one linear pass: measured here, with a bound loose enough for a loaded
 * CI machine. The answer must still be the longest match.
 */
static void
test_routes_full_table(void **state)
{
	struct fixture *f = *state;
	struct ixg_spec *s = &f->st.running.spec;
	struct ixg_spec_route4 *save4 = s->routes4, *big4;
	struct ixg_spec_route6 *save6 = s->routes6, *big6;
	uint32_t n4 = 1200000, n6 = 300000, save_n4 = s->n_routes4,
		 save_n6 = s->n_routes6;
	uint16_t vt = peer_named(s, "viettel")->id;
	struct timespec t0, t1;
	double ms4, ms6;
	struct run r;

	big4 = calloc(n4, sizeof(*big4));
	big6 = calloc(n6, sizeof(*big6));
	assert_non_null(big4);
	assert_non_null(big6);
	/* /24s over 1.0.0.0 upwards, skipping 27/8; then our own routes. */
	for (uint32_t i = 0; i < n4 - 2; i++) {
		big4[i].addr = (0x01000000u + (i << 8)) & 0xffffff00u;
		if ((big4[i].addr >> 24) == 27)
			big4[i].addr = 0xc0000000u + (i << 8);
		big4[i].len = 24;
		big4[i].peer_id = 1;
	}
	big4[n4 - 2] = (struct ixg_spec_route4){
		.addr = 0x1b400000u, .len = 12, .peer_id = vt};
	big4[n4 - 1] = (struct ixg_spec_route4){
		.addr = 0x1b400900u, .len = 24, .peer_id = 1};
	for (uint32_t i = 0; i < n6; i++) {
		big6[i].addr[0] = 0x2a;
		big6[i].addr[1] = 0x01;
		big6[i].addr[2] = (uint8_t)(i >> 16);
		big6[i].addr[3] = (uint8_t)(i >> 8);
		big6[i].addr[4] = (uint8_t)i;
		big6[i].len = 40;
		big6[i].peer_id = vt;
	}
	s->routes4 = big4;
	s->n_routes4 = n4;
	s->routes6 = big6;
	s->n_routes6 = n6;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = show(&f->st, false, "routes", "27.64.9.9", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms4 = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	has(&r, "forward to china-telecom");
	has(&r, "route 27.64.9.0/24");
	free(r.text);
	r = show(&f->st, false, "routes", "27.64.10.1", NULL);
	has(&r, "forward to viettel");
	free(r.text);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = show(&f->st, false, "routes", "2a01:0:4200::1", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms6 = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	has(&r, "forward to viettel");
	has(&r, "route 2a01:0:4200::/40");
	free(r.text);

	print_message("show routes on 1.2M IPv4 + 300k IPv6 routes: "
		      "IPv4 query %.1f ms, IPv6 query %.1f ms\n",
		      ms4, ms6);
	assert_true(ms4 < 2000);
	assert_true(ms6 < 2000);

	s->routes4 = save4;
	s->n_routes4 = save_n4;
	s->routes6 = save6;
	s->n_routes6 = save_n6;
	free(big4);
	free(big6);
}

/* ------------------------------------------------------------ rates */

/* Run `show ARGS...` with the counters and rates of r (ctl_show_rates). */
static struct run
show_rates(const struct ctl_state *st, const struct ctl_rates *rates, int json,
	   ...)
{
	char *argv[16];
	int argc = 0;
	struct run r = {0};
	FILE *m = open_memstream(&r.text, &r.len);
	va_list ap;

	assert_non_null(m);
	argv[argc++] = (char *)"show";
	va_start(ap, json);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 15;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	r.rc = ctl_show_rates(st, argc, argv, json != 0, rates, m);
	fclose(m);
	if (getenv("SHOW_DUMP") != NULL)
		fprintf(stderr, "--- show_rates %s (rc %d)\n%s", argv[1], r.rc,
			r.text);
	return r;
}

/* The rate between two reads: the difference over the interval; nothing
 * (not a 2^64-sized number) when the counter went backwards, as it does
 * when the dataplane restarts; nothing without an interval. */
static void
test_rate_arithmetic(void **state)
{
	double r = -1;

	(void)state;
	assert_true(ctl_rate(1000, 3000, 2.0, &r));
	assert_true(r == 1000.0);
	assert_true(ctl_rate(5, 5, 0.5, &r));
	assert_true(r == 0.0);
	/* Large counters: no precision lost in the difference. */
	assert_true(ctl_rate(UINT64_MAX - 10, UINT64_MAX, 1.0, &r));
	assert_true(r == 10.0);
	r = -1;
	assert_false(ctl_rate(3000, 1000, 2.0, &r)); /* reset */
	assert_false(ctl_rate(UINT64_MAX, 0, 1.0, &r)); /* "wrap" */
	assert_false(ctl_rate(0, 10, 0.0, &r));
	assert_false(ctl_rate(0, 10, -1.0, &r));
	assert_true(r == -1); /* untouched when unknown */
}

/* A watch frame: rates over the interval between two reads, the frame
 * number and interval in the header; a counter that went backwards (the
 * dataplane restarted between the reads) shows no rate, never a huge one;
 * peer pairs likewise. */
static void
test_watch_frame_rates(void **state)
{
	struct fixture *f = *state;
	const struct ixg_spec *s = &f->st.running.spec;
	uint16_t ct = peer_named(s, "china-telecom")->id;
	uint16_t vt = peer_named(s, "viettel")->id;
	struct ixg_lcore_counters *a = new_blocks(1), *b = new_blocks(1);
	struct ctl_rates rates = {.c = b,
				  .prev = a,
				  .now = b,
				  .dt = 0.5,
				  .frame = 3,
				  .watch_s = 1};
	struct run r;

	a->peer[ct].rx.packets = 100;
	a->peer[ct].rx.bytes = 10000;
	b->peer[ct].rx.packets = 600; /* +500 in 0.5 s: 1000 pps */
	b->peer[ct].rx.bytes = 60000; /* +50000 B: 800 kbit/s */
	a->peer[vt].tx.packets = 7000; /* then reset: the dataplane */
	b->peer[vt].tx.packets = 20; /* restarted */
	a->peer_pair[1].key = (uint32_t)ct << 16 | vt;
	a->peer_pair[1].pb = (struct ixg_ctr_pb){900, 90000};
	b->peer_pair[2].key = (uint32_t)ct << 16 | vt;
	b->peer_pair[2].pb = (struct ixg_ctr_pb){30, 3000};

	r = show_rates(&f->st, &rates, 1, "peers", NULL);
	assert_int_equal(r.rc, 0);
	has(&r, "\"rate_interval_s\":0.500");
	has(&r, "\"watch_frame\":3");
	has(&r, "\"watch_interval_s\":1.000");
	has(&r, "\"time\":");
	has(&r, "\"rx_packets\":600,");
	has(&r, "\"rx_pps\":1000.000");
	has(&r, "\"rx_bps\":800000.000");
	/* viettel's tx went 7000 -> 20: unknown, not 3.7e19 pps. */
	has(&r, "\"tx_packets\":20,");
	has(&r, "\"tx_pps\":null");
	assert_null(strstr(r.text, "e+19"));
	assert_null(strstr(r.text, "36893488147419"));
	free(r.text);

	r = show_rates(&f->st, &rates, 1, "matrix", "peers", NULL);
	assert_int_equal(r.rc, 0);
	has(&r, "\"packets\":30,\"bytes\":3000,\"pps\":null,\"bps\":null");
	free(r.text);

	r = show_rates(&f->st, &rates, 0, "peers", NULL);
	assert_int_equal(r.rc, 0);
	has(&r, "every 1 s, frame 3, rates over the last 0.50 s");
	free(r.text);

	/* A first frame after a dataplane restart: counters, no rates. */
	rates.prev = rates.now = NULL;
	r = show_rates(&f->st, &rates, 1, "drops", NULL);
	assert_int_equal(r.rc, 0);
	has(&r, "\"rate_interval_s\":null");
	has(&r, "\"watch_frame\":3");
	free(r.text);
	r = show_rates(&f->st, &rates, 0, "drops", NULL);
	has(&r, "no rates yet");
	free(r.text);
	free(a);
	free(b);
}

/* The loop's samples from an earlier dataplane (different epoch) are not
 * subtracted from this one's counters. */
static void
test_rates_across_dataplane_restart(void **state)
{
	struct fixture *f = *state;
	struct run r;

	r = show(&f->st, 1, "peers", NULL);
	has(&r, "\"rate_interval_s\":2.000");
	has(&r, "\"rx_pps\":500.000");
	free(r.text);
	f->st.dp_epoch = 2;
	f->st.sum_now_epoch = 2;
	f->st.sum_prev_epoch = 1;
	r = show(&f->st, 1, "peers", NULL);
	has(&r, "\"rate_interval_s\":null");
	has(&r, "\"rx_pps\":null");
	has(&r, "\"rx_packets\":1500,"); /* the live sum still shown */
	free(r.text);
}

/* Which commands --watch accepts. */
static void
test_watchable(void **state)
{
	char *peers[] = {"show", "peers", NULL};
	char *matrix[] = {"show", "matrix", "countries", NULL};
	char *routes[] = {"show", "routes", NULL};
	char *config[] = {"show", "config", NULL};
	char *reload[] = {"reload", NULL};

	(void)state;
	assert_true(ctl_show_watchable(2, peers));
	assert_true(ctl_show_watchable(3, matrix));
	assert_false(ctl_show_watchable(2, routes));
	assert_false(ctl_show_watchable(2, config));
	assert_false(ctl_show_watchable(1, reload));
}

/* ------------------------------------------------------------- views */

static char *
render_view(const struct view *v, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_non_null(m);
	assert_int_equal(view_render(v, json, m), 0);
	fclose(m);
	return text;
}

/* The one renderer: the same view as aligned text and as JSON. */
static void
test_view_render(void **state)
{
	static const struct vcol cols[] = {
		{"NAME", "name", VF_PLAIN, 0, 6},
		{">N", "n", VF_SI, 0, 0},
		{NULL, "raw", VF_PLAIN, 0, 0},
		{">SHARE", NULL, VF_PCT, 0, 0},
		{"B", "b", VF_PLAIN, 1, 0},
	};
	struct view_hdr h = {
		.counters = true, .generation = 7, .rate_interval_s = 0.5};
	struct view *v = view_new(&h);
	struct vtable *t;
	char *text;

	(void)state;
	assert_non_null(v);
	view_json(v, "first", V_U64(1));
	view_text(v, "title %d\n", 1);
	t = view_table(v, "rows", cols, 5, 2);
	vt_row(t);
	vt_set(t, 0, V_STR("a-long-name"));
	vt_set(t, 1, V_U64(1500));
	vt_set(t, 2, V_RAW("{\"x\":[1]}"));
	vt_set(t, 3, V_DBL(12.345));
	vt_set(t, 4, V_BOOL(true));
	vt_row(t);
	vt_set(t, 0, V_STR("b"));
	vt_set(t, 1, V_NULL());
	/* cells 2-4 left out: nothing in JSON, empty in text */
	t = view_table(v, "empty", cols, 2, 0);
	vt_hide_empty(t);
	t = view_table(v, "unknown", cols, 2, 0);
	vt_json_null(t);
	vt_hide_empty(t);
	view_obj(v, "o");
	view_arr(v, "a");
	view_json(v, NULL, V_STR("q\"s"));
	view_end(v);
	view_end(v);

	text = render_view(v, false);
	assert_string_equal(text, "title 1\n"
				  "  NAME        N  SHARE\n"
				  "  a-lon~  1.50k  12.3%\n"
				  "  b           -       \n"
				  "\n"
				  "  B\n"
				  "  true\n"
				  "  \n");
	free(text);
	text = render_view(v, true);
	assert_string_equal(
		text,
		"{\"dataplane_connected\":true,\"generation\":7,"
		"\"rate_interval_s\":0.500,\"first\":1,\"rows\":[{\"name\":"
		"\"a-long-name\",\"n\":1500,\"raw\":{\"x\":[1]},\"b\":true},"
		"{\"name\":\"b\",\"n\":null}],\"empty\":[],\"unknown\":"
		"null,\"o\":{\"a\":[\"q\\\"s\"]}}\n");
	free(text);
	view_free(v);
}

/* Every usage line of the table fits SHOW_WIDTH, and the watchable list
 * comes from the table. */
static void
test_show_table(void **state)
{
	char *text = NULL, buf[256];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	const char *p;

	(void)state;
	assert_non_null(m);
	assert_int_equal(ctl_show_help(m, false), 0);
	fclose(m);
	for (p = text; *p;) {
		const char *e = strchr(p, '\n');

		assert_non_null(e);
		assert_true((size_t)(e - p) <= SHOW_WIDTH);
		assert_memory_equal(p, "  show ", 7);
		p = e + 1;
	}
	free(text);
	assert_string_equal(ctl_show_watchable_list(buf, sizeof(buf)),
			    "peers, peer, acl, classes, blackholes, countries, "
			    "neighbours, matrix, drops, ports, counters");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_validator),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_no_config),
		cmocka_unit_test_setup_teardown(test_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers_human_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_detail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_did_you_mean, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_routes_lpm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_routes_detail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_routes_summary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blackholes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_countries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops_ports, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_generation_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_dataplane, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_escapes, setup,
						teardown),
		cmocka_unit_test(test_rate_arithmetic),
		cmocka_unit_test(test_watchable),
		cmocka_unit_test(test_view_render),
		cmocka_unit_test(test_show_table),
		cmocka_unit_test_setup_teardown(test_watch_frame_rates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_rates_across_dataplane_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes_full_table, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
