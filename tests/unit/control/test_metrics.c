/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exporter's names snapshot and renderer (control/exporter/names.c,
 * metrics.c): a compiled config and a counters region made here, rendered
 * in both formats, and checked for what Prometheus and OpenMetrics
 * require: the values of the counters, the names and suffixes per format,
 * families contiguous and declared before their samples, label escaping
 * and UTF-8, "# EOF", readiness, and a snapshot that outlives the
 * daemon's own mapping of the counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "daemon.h"
#include "metrics.h"
#include "stats.h"

static const char *config_text =
	"node { name t; country SG; }\n"
	"port p0 { device \"net_null0\"; vlan 11 { address 10.0.0.1/24; } }\n"
	"port p1 { device \"net_null1\"; }\n"
	"class gold { committed-rate 1mbit; committed-burst 4k; }\n"
	"peer a { asn 64500; country VN; port p0; vlan 11; "
	"mac 02:00:00:00:00:0a; next-hop 10.0.0.2; neighbour learn; "
	"announce { 10.1.0.0/16; } }\n"
	"peer b { asn 64501; country TH; port p0; vlan 12; "
	"mac 02:00:00:00:00:0b; announce { 10.2.0.0/16; } }\n"
	"acl { rule 10 r1 { from b; action class gold; }\n"
	"      rule 20 { protocol udp; destination-port 123; action deny; } "
	"}\n"
	"blackhole 10.2.3.0/24;\n"
	"route 10.9.0.0/16 { via a; via b weight 2; }\n";

struct fixture {
	struct ctl_state st;
	struct ixg_lcore_counters *blocks; /* 2 blocks, MAP_SHARED */
	size_t size;
};

static uint16_t
peer_id(const struct ixg_spec *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return s->peers[i].id;
	fail_msg("no peer %s", name);
	return 0;
}

static uint16_t
country_index(const struct ixg_spec *s, const char *cc)
{
	for (uint32_t i = 0; i < s->n_countries; i++)
		if (s->countries[i] == IXG_CC(cc[0], cc[1]))
			return (uint16_t)i;
	fail_msg("no country %s", cc);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_spec *s;
	uint16_t a, b, vn, th;

	f->st.running.conf = ixg_conf_parse_string("t.conf", config_text,
						   strlen(config_text), d);
	if (f->st.running.conf == NULL ||
	    ixg_conf_compile(f->st.running.conf, &f->st.running.spec, d) != 0) {
		ixg_diags_print(d, stderr);
		return -1;
	}
	ixg_diags_free(d);
	s = &f->st.running.spec;
	f->st.running.valid = true;
	memset(f->st.running.sha256, 0xab, 32);
	f->st.config_path = "/etc/ixgate/ixgate.conf";
	f->st.start_unix = 1700000000;
	f->st.dp_connected = true;
	f->st.dp_generation = 7;
	f->st.dp_hello.start_unix = 1700000100;
	f->st.dp_hello.n_workers = 2;
	memset(f->st.dp_hello.config_sha256, 0xab, 32);

	/* Two worker blocks in a shared mapping, as the dataplane's memfd. */
	f->size = 2 * sizeof(struct ixg_lcore_counters);
	f->blocks = mmap(NULL, f->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->blocks == MAP_FAILED)
		return -1;
	a = peer_id(s, "a");
	b = peer_id(s, "b");
	vn = country_index(s, "VN");
	th = country_index(s, "TH");
	for (int k = 0; k < 2; k++) {
		struct ixg_lcore_counters *c = &f->blocks[k];

		/* Peers as readers show them, their pairs in them: the
		 * form of a sum (IXG_CTR_PEER). */
		c->peers_folded = 1;
		c->rx_packets = 100 + k;
		c->tx_packets = 90;
		c->drops[IXG_DROP_NO_ROUTE] = 10 + k;
		c->port[0].rx.packets = 100 + k;
		c->port[0].rx.bytes = 6400;
		c->peer[a].rx.packets = 60 + k;
		c->peer[a].rx.bytes = 1ull << 40;
		c->peer[b].tx.packets = 30;
		c->country_pair[vn][th].packets = 5;
		c->country_pair[vn][th].bytes = 500;
		c->acl_hits[s->acl_rules[0].id] = 3;
		c->class_colour[s->classes[0].id][2] = 4;
		/* Neighbour a/10.0.0.2: the control threads' block only. */
		c->neigh[a * 2].state = k == 1 ? 2 : 0;
		c->neigh[a * 2].probes = k == 1 ? 3 : 0;
		/* peer pair a>b in another slot of each block */
		c->peer_pair[17 + k].key = ((uint32_t)a << 16) | b;
		c->peer_pair[17 + k].pb.packets = 11;
		c->peer_pair[17 + k].pb.bytes = 1100;
		/* the blackhole dropped what a sent to it */
		c->blackhole[s->blackholes[0].id].packets = 2;
		c->blackhole[s->blackholes[0].id].bytes = 128;
		c->blackhole_peer[5 + k].key = IXG_BH_PEER_KEY(
			s->blackholes[0].id, a);
		c->blackhole_peer[5 + k].pb.packets = 2;
		c->blackhole_peer[5 + k].pb.bytes = 128;
		/* the route block's next-hop group */
		c->nhgroup[s->nhgroups[0].id].packets = 7;
		c->nhgroup[s->nhgroups[0].id].bytes = 700;
	}
	f->st.counters = f->blocks;
	f->st.counters_size = f->size;
	f->st.n_counter_blocks = 2;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->st.counters != NULL)
		munmap(f->blocks, f->size);
	ixg_spec_free(&f->st.running.spec);
	ixg_conf_free(f->st.running.conf);
	free(f);
	return 0;
}

/* Render snapshot n with its counters summed, as the exporter does. */
static char *
render(struct exp_names *n, enum http_format fmt)
{
	struct ixg_lcore_counters *sum = calloc(1, sizeof(*sum));
	struct ixg_lcore_counters *blocks[2];
	struct exp_self self = {.scrapes = {1, 0}};
	struct mout o = {0};
	char *text;

	assert_non_null(sum);
	for (unsigned k = 0; k < n->n_blocks; k++)
		blocks[k] = (struct ixg_lcore_counters *)&n->counters[k];
	stats_sum(blocks, n->n_blocks, sum);
	metrics_render(n, sum, NULL, &self, NULL, fmt, &o);
	free(sum);
	assert_false(o.oom);
	text = malloc(o.len + 1);
	memcpy(text, o.p, o.len);
	text[o.len] = '\0';
	mout_free(&o);
	return text;
}

static void
expect_line(const char *text, const char *line)
{
	char *want = malloc(strlen(line) + 3);

	sprintf(want, "\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("no line '%s' in:\n%.3000s", line, text);
	free(want);
}

/*
 * Structure: every family has HELP and TYPE before its samples, once;
 * every sample belongs to the family declared last (with the format's
 * suffix); no sample name is repeated with the same labels.
 */
static void
check_structure(const char *text, enum http_format fmt)
{
	char family[128] = "", type[16] = "";
	char seen[256][128];
	unsigned n_seen = 0;
	const char *p = text;
	bool om = fmt == HTTP_FMT_OPENMETRICS;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		char line[4096];
		size_t len;

		assert_non_null(eol);
		len = (size_t)(eol - p);
		assert_true(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p = eol + 1;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(
				sscanf(line + 7, "%127s %15s", family, type),
				2);
			for (unsigned i = 0; i < n_seen; i++)
				if (strcmp(seen[i], family) == 0)
					fail_msg("family %s twice", family);
			assert_true(n_seen < 256);
			strcpy(seen[n_seen++], family);
			if (om && strcmp(type, "counter") == 0)
				assert_null(strstr(family, "_total"));
			if (!om)
				assert_string_not_equal(type, "info");
		} else if (strncmp(line, "# HELP ", 7) == 0 ||
			   strncmp(line, "# UNIT ", 7) == 0) {
			continue;
		} else if (strcmp(line, "# EOF") == 0) {
			assert_true(om);
			assert_int_equal(*p, '\0');
		} else {
			char name[160], want[160];

			assert_true(line[0] != '#');
			sscanf(line, "%159[^{ ]", name);
			if (om && strcmp(type, "counter") == 0)
				snprintf(want, sizeof(want), "%s_total",
					 family);
			else if (om && strcmp(type, "info") == 0)
				snprintf(want, sizeof(want), "%s_info", family);
			else
				snprintf(want, sizeof(want), "%s", family);
			if (strcmp(type, "histogram") == 0) {
				size_t fl = strlen(family);

				/* family_bucket, family_count, family_sum */
				if (strncmp(name, family, fl) == 0 &&
				    (strcmp(name + fl, "_bucket") == 0 ||
				     strcmp(name + fl, "_count") == 0 ||
				     strcmp(name + fl, "_sum") == 0))
					snprintf(want, sizeof(want), "%s",
						 name);
			}
			if (strcmp(name, want) != 0)
				fail_msg("sample %s under family %s (%s)", line,
					 family, type);
		}
	}
	if (om)
		assert_non_null(strstr(text, "\n# EOF\n"));
	else
		assert_null(strstr(text, "# EOF"));
}

static void
test_text_format(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n = exp_names_build(&f->st, NULL);
	char *t;

	assert_non_null(n);
	t = render(n, HTTP_FMT_TEXT);
	check_structure(t, HTTP_FMT_TEXT);
	expect_line(t, "# TYPE ixgate_peer_received_packets_total counter");
	expect_line(t, "ixgate_peer_received_packets_total{peer=\"a\",asn="
		       "\"64500\",country=\"VN\"} 121");
	expect_line(t, "ixgate_peer_received_bytes_total{peer=\"a\",asn="
		       "\"64500\",country=\"VN\"} 2199023255552");
	expect_line(t, "ixgate_peer_transmitted_packets_total{peer=\"b\",asn="
		       "\"64501\",country=\"TH\"} 60");
	expect_line(t, "ixgate_received_packets_total 201");
	expect_line(
		t, "ixgate_neighbour_state{peer=\"a\",address=\"10.0.0.2\"} 2");
	expect_line(t, "ixgate_neighbour_probes_sent_total{peer=\"a\","
		       "address=\"10.0.0.2\"} 3");
	assert_null(strstr(t, "ixgate_neighbour_lladdr"));
	expect_line(t, "ixgate_dropped_packets_total{reason=\"no_route\"} 21");
	expect_line(t, "ixgate_dropped_packets_total{reason=\"runt\"} 0");
	expect_line(t, "ixgate_port_received_bytes_total{port=\"p0\"} 12800");
	expect_line(t, "ixgate_port_dropped_packets_total{port=\"p1\",reason="
		       "\"tx_full\"} 0");
	expect_line(t, "ixgate_peer_pair_packets_total{src_peer=\"a\","
		       "dst_peer=\"b\"} 22");
	expect_line(t, "ixgate_country_pair_bytes_total{src_country=\"VN\","
		       "dst_country=\"TH\"} 1000");
	/* the next-hop group of the route block, both blocks summed */
	expect_line(t, "ixgate_nhgroup_packets_total{group=\"0\",members="
		       "\"a:1,b:2\"} 14");
	expect_line(t, "ixgate_nhgroup_bytes_total{group=\"0\",members="
		       "\"a:1,b:2\"} 1400");
	{
		char line[128];

		snprintf(line, sizeof(line),
			 "ixgate_acl_rule_matched_packets_total{rule=\"%u\","
			 "rule_name=\"r1\"} 6",
			 f->st.running.spec.acl_rules[0].id);
		expect_line(t, line);
	}
	expect_line(t, "ixgate_class_packets_total{class=\"gold\",colour="
		       "\"red\"} 8");
	expect_line(t, "# TYPE ixgate_build_info gauge");
	{
		char line[160] = "ixgate_config_info{sha256=\"";

		for (int i = 0; i < 32; i++)
			strcat(line, "ab");
		strcat(line, "\",generation=\"7\"} 1");
		expect_line(t, line);
	}
	expect_line(t, "ixgate_config_generation 7");
	expect_line(t, "process_start_time_seconds{process=\"ixgate-control\"}"
		       " 1700000000");
	expect_line(t, "ixgate_dataplane_start_time_seconds 1700000100");
	assert_null(strstr(t, "process=\"ixgate-dataplane\""));
	expect_line(t, "ixgate_ready 1");
	expect_line(t, "ixgate_dataplane_connected 1");
	expect_line(t, "ixgate_dataplane_workers 2");
	expect_line(t, "ixgate_dataplane_headless 0");
	/* the default class is always there; a rule for both families
	 * (one id) is one series */
	expect_line(t, "ixgate_class_packets_total{class=\"default\",colour="
		       "\"green\"} 0");
	/* an unnamed rule has an empty rule_name; no unit lines here */
	assert_non_null(strstr(t, "rule_name=\"\"}"));
	assert_null(strstr(t, "# UNIT"));
	/* country pairs without traffic are not listed */
	assert_null(strstr(t, "src_country=\"TH\""));
	free(t);
	exp_names_put(n);
}

static void
test_openmetrics(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n = exp_names_build(&f->st, NULL);
	char *t;

	assert_non_null(n);
	t = render(n, HTTP_FMT_OPENMETRICS);
	check_structure(t, HTTP_FMT_OPENMETRICS);
	expect_line(t, "# TYPE ixgate_peer_received_bytes counter");
	expect_line(t, "# UNIT ixgate_peer_received_bytes bytes");
	expect_line(t, "ixgate_peer_received_packets_total{peer=\"a\",asn="
		       "\"64500\",country=\"VN\"} 121");
	expect_line(t, "# TYPE ixgate_build info");
	expect_line(t, "# TYPE ixgate_config info");
	expect_line(t, "# UNIT process_start_time_seconds seconds");
	expect_line(t, "# UNIT ixgate_peer_received_packets packets");
	expect_line(t, "# UNIT ixgate_dataplane_start_time_seconds seconds");
	/* a unit that is not the name's suffix is not declared (the
	 * format requires the suffix) */
	assert_null(strstr(t, "# UNIT ixgate_samples_dropped "));
	assert_null(strstr(t, "# UNIT ixgate_dataplane_workers "));
	assert_int_equal(strcmp(t + strlen(t) - 6, "# EOF\n"), 0);
	assert_string_equal(metrics_content_type(HTTP_FMT_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; "
			    "charset=utf-8");
	free(t);
	exp_names_put(n);
}

/* Label values: \ " and newline escaped, invalid UTF-8 replaced. */
static void
test_escaping(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n;
	char *t;

	f->st.config_path = "/etc/a\"b\\c\nd\xff\xc3\xa9";
	n = exp_names_build(&f->st, NULL);
	assert_non_null(n);
	t = render(n, HTTP_FMT_OPENMETRICS);
	assert_non_null(strstr(t, "path=\"/etc/a\\\"b\\\\c\\nd\xef\xbf\xbd"
				  "\xc3\xa9\""));
	free(t);
	exp_names_put(n);
	f->st.config_path = "/etc/ixgate/ixgate.conf";
}

/* The snapshot maps the counters itself: the daemon may unmap its own
 * (dataplane gone) while a scrape still reads them. */
static void
test_own_mapping(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n = exp_names_build(&f->st, NULL);
	char *t;

	assert_non_null(n);
	assert_ptr_not_equal(n->counters, f->blocks);
	munmap(f->blocks, f->size);
	f->st.counters = NULL;
	t = render(n, HTTP_FMT_TEXT);
	expect_line(t, "ixgate_received_packets_total 201");
	expect_line(
		t, "ixgate_neighbour_state{peer=\"a\",address=\"10.0.0.2\"} 2");
	expect_line(t, "ixgate_neighbour_probes_sent_total{peer=\"a\","
		       "address=\"10.0.0.2\"} 3");
	assert_null(strstr(t, "ixgate_neighbour_lladdr"));
	free(t);
	exp_names_put(n);
}

static void
test_ready(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n;
	char why[256];

	assert_false(exp_names_ready(NULL, why, sizeof(why)));
	n = exp_names_build(&f->st, NULL);
	assert_true(exp_names_ready(n, why, sizeof(why)));
	exp_names_put(n);

	f->st.dp_connected = false;
	n = exp_names_build(&f->st, NULL);
	assert_false(exp_names_ready(n, why, sizeof(why)));
	assert_string_equal(why, "dataplane not connected");
	assert_null(n->counters); /* no dataplane: nothing mapped */
	exp_names_put(n);
	f->st.dp_connected = true;

	f->st.dp_hello.config_sha256[0] = 0x12;
	n = exp_names_build(&f->st, NULL);
	assert_false(exp_names_ready(n, why, sizeof(why)));
	assert_non_null(strstr(why, "runs generation 7 (sha256 12abababab"));
	exp_names_put(n);
	f->st.dp_hello.config_sha256[0] = 0xab;

	f->st.dp_generation = 0;
	n = exp_names_build(&f->st, NULL);
	assert_false(exp_names_ready(n, why, sizeof(why)));
	assert_string_equal(why, "no configuration committed to the dataplane");
	exp_names_put(n);
	f->st.dp_generation = 7;
}

/* The config's load time follows the config, not the snapshot. */
static void
test_load_time(void **state)
{
	struct fixture *f = *state;
	struct exp_names *a = exp_names_build(&f->st, NULL), *b;

	assert_non_null(a);
	a->config_load_unix = 1234; /* as if loaded long ago */
	b = exp_names_build(&f->st, a);
	assert_int_equal(b->config_load_unix, 1234);
	exp_names_put(b);
	f->st.running.sha256[3] ^= 1;
	b = exp_names_build(&f->st, a);
	assert_true(b->config_load_unix > 1234);
	exp_names_put(b);
	f->st.running.sha256[3] ^= 1;
	exp_names_put(a);
}

/* Running numbers of ixgate-control with every part present: the sFlow
 * agent and followed kernel routes, with a latency histogram. */
static const struct exp_live f_live = {
	.valid = true,
	.sf = {.collectors = 2,
	       .samples = 15748,
	       .counter_samples = 40,
	       .datagrams = 5454,
	       .send_errors = 1,
	       .discarded = 3},
	.kr = {.enabled = true,
	       .synced = true,
	       .kind = {{[RIB_K_ROUTE] = 5, [RIB_K_BLACKHOLE] = 1},
			{[RIB_K_ROUTE] = 2}},
	       .installed = {5, 2},
	       .installed_blackholes = 1,
	       .changes = 9,
	       .commits = 4,
	       .commits_failed = 1,
	       .sends_delta = 6,
	       .sends_whole = 2,
	       /* bounds 1, 2, 5, 10, 20, 50, 100, 200, 500 ms, 1, 2, 5, 10 s */
	       .lat_le = {1, 1, 2, 4, 6, 8, 8, 8, 9, 9, 9, 9, 9},
	       .lat_count = 10,
	       .lat_sum_ns = 12500000000},
};

/* The daemon's running numbers: sFlow always, kernel routes only when
 * followed, the latency as a histogram in both formats. */
static void
test_live(void **state)
{
	struct exp_live off = f_live;
	struct mout o = {0};
	char *t;

	(void)state;
	for (int om = 0; om < 2; om++) {
		enum http_format fmt = om ? HTTP_FMT_OPENMETRICS
					  : HTTP_FMT_TEXT;

		metrics_render(NULL, NULL, NULL, NULL, &f_live, fmt, &o);
		assert_false(o.oom);
		t = strndup(o.p, o.len);
		mout_free(&o);
		memset(&o, 0, sizeof(o));
		check_structure(t, fmt);
		expect_line(t, "ixgate_sflow_collectors 2");
		expect_line(t, "ixgate_sflow_flow_samples_total 15748");
		expect_line(t, "ixgate_sflow_datagrams_total 5454");
		expect_line(t, "ixgate_sflow_discarded_samples_total 3");
		expect_line(t, "ixgate_kernel_routes_synced 1");
		expect_line(t, "ixgate_kernel_routes{family=\"ipv4\","
			       "state=\"blackhole\"} 1");
		expect_line(t, "ixgate_kernel_routes{family=\"ipv6\","
			       "state=\"route\"} 2");
		expect_line(t, "ixgate_kernel_routes_installed{family="
			       "\"ipv6\"} 2");
		expect_line(t, "ixgate_kernel_route_tables_sent_total{as="
			       "\"delta\"} 6");
		expect_line(t, "ixgate_kernel_route_commits_failed_total 1");
		expect_line(t, om ? "# TYPE ixgate_kernel_route_latency_seconds"
				    " histogram"
				  : "# TYPE ixgate_kernel_route_latency_seconds"
				    " histogram");
		if (om)
			expect_line(t, "# UNIT ixgate_kernel_route_latency_"
				       "seconds seconds");
		expect_line(t, "ixgate_kernel_route_latency_seconds_bucket{le="
			       "\"0.001\"} 1");
		expect_line(t, "ixgate_kernel_route_latency_seconds_bucket{le="
			       "\"0.01\"} 4");
		expect_line(t, "ixgate_kernel_route_latency_seconds_bucket{le="
			       "\"1.0\"} 9");
		expect_line(t, "ixgate_kernel_route_latency_seconds_bucket{le="
			       "\"10.0\"} 9");
		expect_line(t, "ixgate_kernel_route_latency_seconds_bucket{le="
			       "\"+Inf\"} 10");
		expect_line(t, "ixgate_kernel_route_latency_seconds_count 10");
		expect_line(
			t, "ixgate_kernel_route_latency_seconds_sum 12.500000");
		free(t);
	}
	/* Without a kernel-routes block: the agent only. */
	off.kr.enabled = false;
	metrics_render(NULL, NULL, NULL, NULL, &off, HTTP_FMT_TEXT, &o);
	assert_false(o.oom);
	assert_non_null(memmem(o.p, o.len, "ixgate_sflow_collectors 2\n", 26));
	assert_null(memmem(o.p, o.len, "ixgate_kernel_route", 19));
	mout_free(&o);
	/* Never handed over: nothing of it. */
	off.valid = false;
	metrics_render(NULL, NULL, NULL, NULL, &off, HTTP_FMT_TEXT, &o);
	assert_null(memmem(o.p, o.len, "ixgate_sflow", 12));
	mout_free(&o);
}

/* Every family rendered (with every optional part present) is listed in
 * doc/monitoring.md under its text-format name. */
static void
test_documented(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n = exp_names_build(&f->st, NULL);
	uint8_t sha[4][32] = {{0}};
	struct exp_file_digests files = {
		.known = true, .match = true, .sha256 = sha};
	struct exp_self self = {.tls_ctx_loaded_unix = 1};
	struct ixg_lcore_counters *sum = calloc(1, sizeof(*sum));
	struct mout o = {0};
	char *doc = NULL, *line, *save = NULL;
	size_t cap = 0;
	FILE *df = fopen(IXG_SRC_DIR "/doc/monitoring.md", "r");
	unsigned families = 0;

	assert_non_null(df);
	assert_true(getdelim(&doc, &cap, '\0', df) > 0);
	fclose(df);
	files.n = n->n_files;
	assert_true(files.n <= 4);
	metrics_render(n, sum, &files, &self, &f_live, HTTP_FMT_TEXT, &o);
	assert_false(o.oom);
	o.p = realloc(o.p, o.len + 1);
	o.p[o.len] = '\0';
	for (line = strtok_r(o.p, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[160], quoted[170];

		if (sscanf(line, "# TYPE %159s", name) != 1)
			continue;
		snprintf(quoted, sizeof(quoted), "| `%s` |", name);
		if (strstr(doc, quoted) == NULL)
			fail_msg("%s is not in doc/monitoring.md", name);
		families++;
	}
	assert_true(families >= 40);
	free(doc);
	free(sum);
	mout_free(&o);
	exp_names_put(n);
}

/* The line of text that starts with `start` (after a newline), copied
 * into out, or false. */
static bool
find_line(const char *text, const char *start, char *out, size_t len)
{
	size_t sl = strlen(start);
	const char *p = text;

	while ((p = strstr(p, start)) != NULL) {
		if (p == text || p[-1] == '\n') {
			const char *eol = strchr(p, '\n');
			size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);

			if (n >= len)
				n = len - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		p += sl;
	}
	return false;
}

/*
 * The rule of issue 11: every counter family declared in ixg_api.h /
 * counters.h is in a scrape, under its declared name, HELP, TYPE, UNIT
 * and labels, and in doc/monitoring.md, with no edit in the exporter: this
 * walks the declarations, not a list of names.
 */
static void
test_declared(void **state)
{
	struct fixture *f = *state;
	struct exp_names *n = exp_names_build(&f->st, NULL);
	char *t, *om, *doc = NULL;
	size_t cap = 0;
	FILE *df = fopen(IXG_SRC_DIR "/doc/monitoring.md", "r");
	unsigned checked = 0;

	assert_non_null(n);
	assert_non_null(df);
	assert_true(getdelim(&doc, &cap, '\0', df) > 0);
	fclose(df);
	t = render(n, HTTP_FMT_TEXT);
	om = render(n, HTTP_FMT_OPENMETRICS);
	for (unsigned i = 0; i < IXG_CF_MAX; i++) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[i];
		const char *const *ln = ixg_ctr_dim_labels[fam->dim];
		char want[512], line[4096], base[160], *lab;
		size_t bl;
		unsigned k = 0;

		if (!fam->metric) {
			/* a sum: its parts are the metric */
			snprintf(want, sizeof(want), "ixgate_%s", fam->name);
			assert_null(strstr(t, want));
			continue;
		}
		checked++;
		snprintf(want, sizeof(want), "# HELP ixgate_%s %s", fam->name,
			 fam->help);
		expect_line(t, want);
		assert_null(strpbrk(fam->help, "\\\n"));
		snprintf(want, sizeof(want), "# TYPE ixgate_%s %s", fam->name,
			 fam->type == IXG_CTR_COUNTER ? "counter" : "gauge");
		expect_line(t, want);
		/* Counters end in _total (Prometheus' rule) */
		bl = strlen(fam->name);
		if (fam->type == IXG_CTR_COUNTER) {
			assert_true(bl > 6);
			assert_string_equal(fam->name + bl - 6, "_total");
			bl -= 6;
		}
		snprintf(base, sizeof(base), "ixgate_%.*s", (int)bl, fam->name);
		/* OpenMetrics: the family without _total, its UNIT when the
		 * name ends in it */
		snprintf(want, sizeof(want), "# UNIT %s %s", base, fam->unit);
		bl = strlen(base);
		if (fam->unit[0] != '\0' && bl > strlen(fam->unit) &&
		    strcmp(base + bl - strlen(fam->unit), fam->unit) == 0)
			expect_line(om, want);
		else
			assert_null(strstr(om, want));
		/* a sample, with the declared labels in order */
		snprintf(want, sizeof(want), "ixgate_%s{", fam->name);
		if (ln[0] == NULL && fam->sub == IXG_CTR_SUB_NONE)
			snprintf(want, sizeof(want), "ixgate_%s ", fam->name);
		if (!find_line(t, want, line, sizeof(line)))
			fail_msg("no sample of ixgate_%s in the scrape",
				 fam->name);
		lab = line + strlen(want);
		for (; ln[k] != NULL; k++) {
			size_t l = strlen(ln[k]);

			if (strncmp(lab, ln[k], l) != 0 || lab[l] != '=')
				fail_msg("%s: label %u is not %s", line, k,
					 ln[k]);
			lab = strstr(lab, "\",");
			lab = lab != NULL ? lab + 2 : line + strlen(line);
		}
		if (fam->sub != IXG_CTR_SUB_NONE &&
		    strncmp(lab, ixg_ctr_sub_label(fam->sub),
			    strlen(ixg_ctr_sub_label(fam->sub))) != 0)
			fail_msg("%s: no label %s", line,
				 ixg_ctr_sub_label(fam->sub));
		/* and documented */
		snprintf(want, sizeof(want), "| `ixgate_%s` |", fam->name);
		if (strstr(doc, want) == NULL)
			fail_msg("ixgate_%s is not in doc/monitoring.md",
				 fam->name);
	}
	assert_true(checked >= 30);
	free(doc);
	free(t);
	free(om);
	exp_names_put(n);
}

/* The value of the unlabelled sample `name` in text, or -1 if absent. */
static long long
gauge(const char *text, const char *name)
{
	char want[128];
	const char *p;

	snprintf(want, sizeof(want), "\n%s ", name);
	p = strstr(text, want);
	return p != NULL ? strtoll(p + strlen(want), NULL, 10) : -1;
}

/*
 * The state set is one: for every state of the daemon, ixgate_ready is
 * what /healthz says (exp_names_ready), ready implies connected with a
 * generation whose config_info names the loaded config's SHA-256, and
 * what the dataplane runs (generation, config_info, workers, start time)
 * is shown exactly while it is connected.
 */
static void
test_state_consistent(void **state)
{
	struct fixture *f = *state;
	enum { OK, DOWN, OTHER_SHA, NOTHING_COMMITTED, NO_CONFIG, N_CASES };

	for (int k = 0; k < N_CASES; k++) {
		struct exp_names *n;
		char why[256], sha[65], info[160];
		bool ready;
		char *t;

		f->st.dp_connected = k != DOWN;
		f->st.dp_hello.config_sha256[0] = k == OTHER_SHA ? 0x12 : 0xab;
		f->st.dp_generation = k == NOTHING_COMMITTED ? 0 : 7;
		f->st.running.valid = k != NO_CONFIG;
		n = exp_names_build(&f->st, NULL);
		assert_non_null(n);
		ready = exp_names_ready(n, why, sizeof(why));
		t = render(n, HTTP_FMT_TEXT);
		assert_int_equal(gauge(t, "ixgate_ready"), ready);
		assert_int_equal(ready, k == OK);
		assert_int_equal(gauge(t, "ixgate_dataplane_connected"),
				 k != DOWN);
		if (k == DOWN) {
			assert_int_equal(gauge(t, "ixgate_config_generation"),
					 -1);
			assert_int_equal(gauge(t, "ixgate_dataplane_workers"),
					 -1);
			assert_null(strstr(t, "\nixgate_config_info{"));
		} else {
			assert_int_equal(gauge(t, "ixgate_config_generation"),
					 (long long)f->st.dp_generation);
			assert_int_equal(gauge(t, "ixgate_dataplane_workers"),
					 2);
		}
		if (ready) {
			for (int i = 0; i < 32; i++)
				sprintf(sha + 2 * i, "%02x",
					f->st.running.sha256[i]);
			snprintf(info, sizeof(info),
				 "ixgate_config_info{sha256=\"%s\","
				 "generation=\"7\"} 1",
				 sha);
			expect_line(t, info);
		}
		free(t);
		exp_names_put(n);
	}
	f->st.dp_connected = true;
	f->st.dp_hello.config_sha256[0] = 0xab;
	f->st.dp_generation = 7;
	f->st.running.valid = true;
}

/* Without a snapshot (starting) or without counters, what is known. */
static void
test_no_dataplane(void **state)
{
	struct mout o = {0};

	(void)state;
	metrics_render(NULL, NULL, NULL, NULL, NULL, HTTP_FMT_OPENMETRICS, &o);
	assert_false(o.oom);
	assert_non_null(memmem(o.p, o.len, "ixgate_ready 0\n", 15));
	assert_null(memmem(o.p, o.len, "ixgate_receive", 14));
	assert_int_equal(memcmp(o.p + o.len - 6, "# EOF\n", 6), 0);
	mout_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_format, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_openmetrics, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_mapping, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_documented, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_declared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_consistent, setup,
						teardown),
		cmocka_unit_test(test_no_dataplane),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
