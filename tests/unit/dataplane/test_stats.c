/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_stats.c - summing per-lcore counter blocks and printing them
 * (dataplane/stats.c). Plain C: no EAL needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixg_api.h"
#include "stats.h"

static struct ixg_lcore_counters *
ctr_new(void)
{
	struct ixg_lcore_counters *c = aligned_alloc(64, sizeof(*c));

	assert_non_null(c);
	memset(c, 0, sizeof(*c));
	return c;
}

/* Packets of peer pair `key` in c, scanning every slot; also checks the key
 * appears at most once. */
static uint64_t
pair_packets(const struct ixg_lcore_counters *c, uint32_t key, uint64_t *bytes)
{
	uint64_t pk = 0;
	unsigned seen = 0;

	for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
		if (c->peer_pair[i].key != key)
			continue;
		seen++;
		pk = c->peer_pair[i].pb.packets;
		if (bytes != NULL)
			*bytes = c->peer_pair[i].pb.bytes;
	}
	assert_true(seen <= 1);
	return pk;
}

static void
test_sum_scalars_and_tables(void **state)
{
	struct ixg_lcore_counters *a = ctr_new(), *b = ctr_new();
	struct ixg_lcore_counters *t = ctr_new();
	struct ixg_lcore_counters *blocks[2] = {a, b};

	(void)state;
	a->rx_packets = 10;
	b->rx_packets = 32;
	a->tx_packets = 7;
	b->tx_packets = 30;
	a->local_packets = 1;
	a->drops[IXG_DROP_NO_ROUTE] = 2;
	b->drops[IXG_DROP_NO_ROUTE] = 1;
	b->drops[IXG_DROP_TX_FULL] = 1;
	a->port[3].rx.bytes = 1000;
	b->port[3].rx.bytes = 24;
	b->port[3].drops[IXG_DROP_RUNT] = 5;
	a->peer[4095].tx.packets = 9;
	b->peer[4095].tx.packets = 1;
	/* Pair slots are their peers' rx and tx too (IXG_CTR_PEER); a
	 * flagged side no more (IXG_PEER_PAIR_NO_IN, _NO_OUT). */
	a->peer_pair[5].key = 4095u << 16 | 7;
	a->peer_pair[5].pb = (struct ixg_ctr_pb){3, 300};
	b->peer_pair[6].key = (7u << 16 | 4095) | IXG_PEER_PAIR_NO_IN;
	b->peer_pair[6].pb = (struct ixg_ctr_pb){20, 2000};
	a->acl_hits[65535] = 3;
	b->acl_hits[65535] = 4;
	a->class_colour[63][2] = 6;
	b->class_colour[63][2] = 7;
	a->country_pair[255][255].bytes = 100;
	b->country_pair[255][255].bytes = 11;
	a->sampled = 5;
	b->icmp_generated = 2;

	stats_sum(blocks, 2, t);
	assert_int_equal(t->rx_packets, 42);
	assert_int_equal(t->tx_packets, 37);
	assert_int_equal(t->local_packets, 1);
	assert_int_equal(t->drops[IXG_DROP_NO_ROUTE], 3);
	assert_int_equal(t->drops[IXG_DROP_TX_FULL], 1);
	assert_int_equal(stats_drops_total(t), 4);
	assert_int_equal(t->port[3].rx.bytes, 1024);
	assert_int_equal(t->port[3].drops[IXG_DROP_RUNT], 5);
	assert_int_equal(t->peer[4095].tx.packets, 10 + 20);
	assert_int_equal(t->peer[4095].tx.bytes, 2000);
	assert_int_equal(t->peer[4095].rx.packets, 3);
	assert_int_equal(t->peer[4095].rx.bytes, 300);
	assert_int_equal(t->peer[7].tx.packets, 3);
	assert_int_equal(t->peer[7].rx.packets, 0);
	assert_int_equal(t->peers_folded, 1);
	assert_int_equal(t->acl_hits[65535], 7);
	assert_int_equal(t->class_colour[63][2], 13);
	assert_int_equal(t->country_pair[255][255].bytes, 111);
	assert_int_equal(t->sampled, 5);
	assert_int_equal(t->icmp_generated, 2);
	/* The blocks are read, never written. */
	assert_int_equal(a->rx_packets, 10);
	assert_int_equal(b->acl_hits[65535], 4);

	/* Summing again adds on top: the caller owns zeroing. */
	stats_sum(blocks, 2, t);
	assert_int_equal(t->rx_packets, 84);
	free(a);
	free(b);
	free(t);
}

static void
test_sum_merges_peer_pairs_by_key(void **state)
{
	struct ixg_lcore_counters *a = ctr_new(), *b = ctr_new();
	struct ixg_lcore_counters *t = ctr_new();
	struct ixg_lcore_counters *blocks[2] = {a, b};
	uint32_t k12 = (1u << 16) | 2, k21 = (2u << 16) | 1;
	uint64_t bytes = 0;

	(void)state;
	/* The same pair in different slots of two workers. */
	a->peer_pair[5].key = k12;
	a->peer_pair[5].pb.packets = 3;
	a->peer_pair[5].pb.bytes = 300;
	b->peer_pair[900].key = k12;
	b->peer_pair[900].pb.packets = 4;
	b->peer_pair[900].pb.bytes = 400;
	b->peer_pair[5].key = k21;
	b->peer_pair[5].pb.packets = 1;
	b->peer_pair[5].pb.bytes = 64;

	stats_sum(blocks, 2, t);
	assert_int_equal(pair_packets(t, k12, &bytes), 7);
	assert_int_equal(bytes, 700);
	assert_int_equal(pair_packets(t, k21, &bytes), 1);
	assert_int_equal(bytes, 64);
	assert_int_equal(t->peer_pair_overflow, 0);
	free(a);
	free(b);
	free(t);
}

static void
test_sum_counts_pair_overflow(void **state)
{
	struct ixg_lcore_counters *a = ctr_new(), *b = ctr_new();
	struct ixg_lcore_counters *t = ctr_new();
	struct ixg_lcore_counters *blocks[2] = {a, b};

	(void)state;
	/* a fills every slot with a distinct pair; b brings one more pair
	 * that cannot fit, and one that merges. */
	for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
		a->peer_pair[i].key = ((i / 4000 + 1) << 16) | (i % 4000 + 1);
		a->peer_pair[i].pb.packets = 1;
	}
	a->peer_pair_overflow = 2;
	b->peer_pair[0].key = (4000u << 16) | 4000;
	b->peer_pair[0].pb.packets = 1;
	b->peer_pair[1].key = a->peer_pair[77].key;
	b->peer_pair[1].pb.packets = 5;

	stats_sum(blocks, 2, t);
	assert_int_equal(t->peer_pair_overflow, 3);
	assert_int_equal(pair_packets(t, a->peer_pair[77].key, NULL), 6);
	assert_int_equal(pair_packets(t, (4000u << 16) | 4000, NULL), 0);
	free(a);
	free(b);
	free(t);
}

/* A small spec: two ports, three peers, two classes, countries, a rule. */
struct fixture {
	struct ixg_spec spec;
	struct ixg_spec_port ports[2];
	struct ixg_spec_peer peers[3];
	struct ixg_spec_class classes[1];
	struct ixg_spec_acl_rule rules[2];
	ixg_cc_t countries[3];
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->spec.node.name, "sin-ix-1");
	f->ports[0].id = 0;
	strcpy(f->ports[0].name, "p0");
	f->ports[1].id = 1;
	strcpy(f->ports[1].name, "p1");
	f->peers[0].id = 1;
	strcpy(f->peers[0].name, "viettel");
	f->peers[1].id = 2;
	strcpy(f->peers[1].name, "china-telecom");
	f->peers[2].id = 7;
	strcpy(f->peers[2].name, "we\"ird\\name");
	f->classes[0].id = 3;
	strcpy(f->classes[0].name, "bulk");
	f->rules[0].id = 1;
	f->rules[1].id = 2;
	f->countries[0] = IXG_CC('-', '-');
	f->countries[1] = IXG_CC('V', 'N');
	f->countries[2] = IXG_CC('C', 'N');
	f->spec.n_ports = 2;
	f->spec.ports = f->ports;
	f->spec.n_peers = 3;
	f->spec.peers = f->peers;
	f->spec.n_classes = 1;
	f->spec.classes = f->classes;
	f->spec.n_acl_rules = 2;
	f->spec.acl_rules = f->rules;
	f->spec.n_countries = 3;
	f->spec.countries = f->countries;
}

static char *
print_json(const struct ixg_lcore_counters *c, const struct ixg_spec *spec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	stats_print_json(c, spec, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/*
 * A strict-enough JSON syntax check (RFC 8259) for what stats prints:
 * objects, strings with escapes, unsigned integers. Returns the end of the
 * value or NULL on a syntax error.
 */
static const char *json_value(const char *p);

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
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
	return *p == '"' ? p + 1 : NULL;
}

static const char *
json_value(const char *p)
{
	if (*p == '"')
		return json_string(p);
	if (*p >= '0' && *p <= '9') {
		if (*p == '0' && p[1] >= '0' && p[1] <= '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
		return p;
	}
	if (*p != '{')
		return NULL;
	p++;
	if (*p == '}')
		return p + 1;
	for (;;) {
		p = json_string(p);
		if (p == NULL || *p++ != ':')
			return NULL;
		p = json_value(p);
		if (p == NULL)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static void
assert_valid_json_line(const char *s)
{
	const char *end = json_value(s);

	assert_non_null(end);
	assert_string_equal(end, "\n");
}

static void
test_json_every_reason_and_names(void **state)
{
	struct ixg_lcore_counters *c = ctr_new();
	struct fixture f;
	char *js, key[64];

	(void)state;
	fixture_init(&f);
	c->rx_packets = 12;
	c->tx_packets = 8;
	c->local_packets = 1;
	c->drops[IXG_DROP_BLACKHOLE] = 2;
	c->drops[IXG_DROP_TX_FULL] = 1;
	/* A worker's block: the 8 forwarded from peer 1 to peer 2 are in
	 * their pair's slot alone (IXG_CTR_PEER), the 4 others on peer 1. */
	c->peer[1].rx.packets = 4;
	c->port[0].rx.packets = 12;
	c->port[0].drops[IXG_DROP_BLACKHOLE] = 2;
	c->country_pair[1][2].packets = 8;
	c->country_pair[1][2].bytes = 512;
	c->country_pair[0][1].packets = 1;
	c->peer_pair[9].key = (1u << 16) | 2;
	c->peer_pair[9].pb.packets = 8;
	c->peer_pair[9].pb.bytes = 512;
	c->acl_hits[2] = 4;
	c->class_colour[3][1] = 5;
	c->class_colour[0][0] = 8;

	js = print_json(c, &f.spec);
	assert_valid_json_line(js);
	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		snprintf(key, sizeof(key), "\"%s\":%s", ixg_drop_name(r),
			 r == IXG_DROP_BLACKHOLE ? "2"
			 : r == IXG_DROP_TX_FULL ? "1"
						 : "0");
		assert_non_null(strstr(js, key));
	}
	assert_non_null(strstr(js, "\"node\":\"sin-ix-1\""));
	assert_non_null(strstr(js, "\"rx_packets\":12,\"tx_packets\":8,"
				   "\"local_packets\":1,\"punted_packets\":0,"
				   "\"drops_total\":3"));
	assert_non_null(strstr(js, "\"viettel\":{\"id\":1,\"rx_packets\":12,"
				   "\"rx_bytes\":512,\"tx_packets\":0"));
	assert_non_null(strstr(js, "\"china-telecom\":{\"id\":2,"
				   "\"rx_packets\":0,\"rx_bytes\":0,"
				   "\"tx_packets\":8,\"tx_bytes\":512"));
	/* Names are escaped per RFC 8259 section 7. */
	assert_non_null(strstr(js, "\"we\\\"ird\\\\name\":{\"id\":7"));
	assert_non_null(strstr(js, "\"VN>CN\":{\"packets\":8,\"bytes\":512}"));
	assert_non_null(strstr(js, "\"-->VN\":{\"packets\":1"));
	assert_non_null(strstr(js, "\"viettel>china-telecom\":{\"packets\":8"));
	assert_non_null(strstr(js, "\"acl_rules\":{\"1\":0,\"2\":4}"));
	assert_non_null(strstr(js, "\"bulk\":{\"id\":3,\"green\":0,"
				   "\"yellow\":5,\"red\":0}"));
	assert_non_null(strstr(js, "\"default\":{\"id\":0,\"green\":8"));
	assert_non_null(strstr(js, "\"p0\":{\"id\":0,\"rx_packets\":12"));
	assert_non_null(strstr(js, "\"drops_total\":2,\"drops\":"
				   "{\"blackhole\":2}"));
	free(js);
	free(c);
}

static void
test_json_unknown_ids_without_spec(void **state)
{
	struct ixg_lcore_counters *c = ctr_new();
	char *js;

	(void)state;
	c->peer[42].rx.packets = 1;
	c->peer_pair[0].key = (42u << 16) | 43;
	c->peer_pair[0].pb.packets = 1;
	c->country_pair[3][4].packets = 1;
	c->acl_hits[9] = 1;
	js = print_json(c, NULL);
	assert_valid_json_line(js);
	assert_non_null(strstr(js, "\"#42\":{\"id\":42"));
	assert_non_null(strstr(js, "\"#42>#43\""));
	assert_non_null(strstr(js, "\"?\?>?\?\""));
	assert_non_null(strstr(js, "\"acl_rules\":{\"9\":1}"));
	assert_non_null(strstr(js, "\"no_route\":0"));
	free(js);
	free(c);
}

static void
test_view_fits_80x40_and_shows_rates(void **state)
{
	struct ixg_lcore_counters *c = ctr_new(), *prev = ctr_new();
	struct fixture f;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned lines = 0;
	FILE *out;

	(void)state;
	fixture_init(&f);
	/* More of everything than the view has room for. */
	for (unsigned id = 1; id <= 40; id++) {
		c->peer[id].rx.packets = 1000 * id;
		c->peer[id].rx.bytes = 64000 * id;
		c->peer[id].tx.packets = 10 * id;
	}
	for (unsigned s = 0; s < 30; s++)
		for (unsigned d = 0; d < 30; d++)
			c->country_pair[s][d].packets = s * 30 + d + 1;
	for (unsigned r = 0; r < IXG_DROP_MAX; r++)
		c->drops[r] = 1000000000000ull + r;
	c->rx_packets = 3000000;
	prev->rx_packets = 1000000;
	c->port[0].rx.bytes = 250000000;
	prev->port[0].rx.bytes = 0;

	out = open_memstream(&buf, &len);
	assert_non_null(out);
	stats_print_view(c, prev, 2.0, &f.spec, 7, out);
	assert_int_equal(fclose(out), 0);

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		lines++;
		assert_true(strlen(line) <= 80);
		/* (3000000 - 1000000) / 2 s, and 250 MB * 8 / 2 s. */
		if (strncmp(line, "rx ", 3) == 0) {
			assert_non_null(strstr(line, " 1000000 "));
			assert_non_null(strstr(line, " 1000.0"));
		}
	}
	assert_true(lines <= 40);
	assert_true(lines >= 20);
	free(buf);

	/* The busiest peer and country pair come first; the rest is noted. */
	buf = NULL;
	out = open_memstream(&buf, &len);
	stats_print_view(c, NULL, 0, &f.spec, 7, out);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(buf, "sin-ix-1"));
	assert_non_null(strstr(buf, "generation 7"));
	assert_non_null(strstr(buf, "#40 "));
	assert_null(strstr(buf, "#30 "));
	assert_non_null(strstr(buf, "30 more peers"));
	assert_non_null(strstr(buf, "more reasons"));
	/* The busiest reason (the last: drops[r] grows with r), its
	 * description cut to the 80 columns. */
	{
		char d[24];

		snprintf(d, sizeof(d), "%s", ixg_drop_descr(IXG_DROP_MAX - 1));
		assert_non_null(strstr(buf, ixg_drop_name(IXG_DROP_MAX - 1)));
		assert_non_null(strstr(buf, d));
	}
	free(buf);
	free(c);
	free(prev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_scalars_and_tables),
		cmocka_unit_test(test_sum_merges_peer_pairs_by_key),
		cmocka_unit_test(test_sum_counts_pair_overflow),
		cmocka_unit_test(test_json_every_reason_and_names),
		cmocka_unit_test(test_json_unknown_ids_without_spec),
		cmocka_unit_test(test_view_fits_80x40_and_shows_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
