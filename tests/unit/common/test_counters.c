/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_counters.c - the counter outputs of common/: the dataplane's stats
 * JSON (--json-out, replay) and its live view, rendered from the fixed
 * state of ctr_fixture.c and compared byte for byte with golden/.
 * IXG_GOLDEN_UPDATE=1 rewrites the files.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <time.h>

#include "ctr_fixture.h"
#include "counters.h"
#include "ixg_conf.h"
#include "stats.h"
#include "../test_slurp.h"

#define GOLDEN IXG_SRC_DIR "/tests/unit/common/golden"

struct state {
	struct ixg_conf *conf;
	struct ixg_spec spec;
	struct ixg_lcore_counters *blocks, *total, *prev;
};

static int
setup(void **st)
{
	struct state *s = calloc(1, sizeof(*s));
	struct ixg_lcore_counters *blk[2];

	assert_non_null(s);
	s->conf = ctr_fixture_spec(&s->spec);
	s->blocks = ctr_fixture_blocks(2);
	ctr_fixture_fill(&s->spec, s->blocks, 2);
	s->total = ctr_fixture_blocks(1);
	s->prev = ctr_fixture_blocks(1);
	blk[0] = &s->blocks[0];
	blk[1] = &s->blocks[1];
	stats_sum(blk, 2, s->total);
	ctr_fixture_prev(s->total, s->prev);
	*st = s;
	return 0;
}

static int
teardown(void **st)
{
	struct state *s = *st;

	ixg_spec_free(&s->spec);
	ixg_conf_free(s->conf);
	free(s->blocks);
	free(s->total);
	free(s->prev);
	free(s);
	return 0;
}

/* Compare `text` with golden file `name` (or write it). */
static void
golden(const char *name, const char *text)
{
	char path[512];
	char *want;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN, name);
	if (getenv("IXG_GOLDEN_UPDATE") != NULL) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = slurp(path);
	if (want == NULL || strcmp(want, text) != 0) {
		FILE *f = fopen("/tmp/test_counters.out", "w");

		if (f != NULL) {
			fputs(text, f);
			fclose(f);
		}
		fail_msg("%s differs (got /tmp/test_counters.out)", path);
	}
	free(want);
}

/* The stats JSON: the same bytes as before the counters were declared
 * once (golden/stats.json was written by the old stats.c). */
static void
test_stats_json(void **st)
{
	struct state *s = *st;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	stats_print_json(s->total, &s->spec, m);
	fclose(m);
	golden("stats.json", text);
	free(text);

	/* Without a spec: ids as "#id". */
	m = open_memstream(&text, &len);
	stats_print_json(s->total, NULL, m);
	fclose(m);
	golden("stats_nospec.json", text);
	free(text);
}

/* The live view (--stats-interval, make demo). */
static void
test_stats_view(void **st)
{
	struct state *s = *st;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	stats_print_view(s->total, s->prev, 2.0, &s->spec, 7, m);
	stats_print_view(s->total, NULL, 0, &s->spec, 7, m);
	fclose(m);
	golden("stats_view.txt", text);
	free(text);
}

/* Every series of a walk over the fixture, one per line as Prometheus would
 * show it (without escaping): the labels and values every exporter gets. */
static void
test_walk_golden(void **st)
{
	struct state *s = *st;
	struct ixg_ctr_names *nm = malloc(sizeof(*nm));
	struct ixg_ctr_state state = {.generation = 42,
				      .workers = 2,
				      .headless = 0,
				      .start_unix = CTR_FIXTURE_NOW - 60};
	const struct ixg_lcore_counters *blk[2] = {&s->blocks[0],
						   &s->blocks[1]};
	struct ixg_ctr_src src = {
		.blocks = blk, .n_blocks = 2, .state = &state};
	struct ixg_ctr_walk *w;
	struct ixg_ctr_series se;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	unsigned per_family[IXG_CF_MAX] = {0};

	assert_non_null(nm);
	ixg_ctr_names_from_spec(nm, &s->spec);
	w = ixg_ctr_walk_new(&src, nm, 0, 0);
	assert_non_null(w);
	while (ixg_ctr_walk_next(w, &se)) {
		fprintf(m, "%s%s", se.fam->name, se.n_labels ? "{" : "");
		for (unsigned k = 0; k < se.n_labels; k++)
			fprintf(m, "%s%s=\"%s\"", k ? "," : "",
				se.label_names[k], se.label_values[k]);
		fprintf(m, "%s %" PRIu64 "\n", se.n_labels ? "}" : "",
			se.value);
		per_family[se.fam_id]++;
		/* The value a walk gives is the value read directly. */
		if (se.fam->dim != IXG_CTR_DIM_PEER_PAIR &&
		    se.fam->dim != IXG_CTR_DIM_BLACKHOLE_PEER)
			assert_true(se.value == ixg_ctr_value(&src, se.fam_id,
							      se.entity,
							      se.sub));
	}
	fclose(m);
	golden("walk.txt", text);
	free(text);
	/* The fixture touches every family. */
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		if (per_family[f] == 0)
			fail_msg("family %s has no series",
				 ixg_ctr_families[f].name);

	/* Metrics only, non-zero only: no SUM family, no zero. */
	ixg_ctr_walk_free(w);
	w = ixg_ctr_walk_new(&src, nm,
			     IXG_CTR_WALK_METRICS | IXG_CTR_WALK_NONZERO, 0);
	assert_non_null(w);
	while (ixg_ctr_walk_next(w, &se)) {
		assert_true(se.fam->metric);
		assert_true(se.value != 0);
	}
	ixg_ctr_walk_free(w);
	free(nm);
}

/* ----------------------------------------------------------- the doc */

#define DOC IXG_SRC_DIR "/doc/counters.md"
#define DOC_BEGIN                                                              \
	"<!-- families: generated from ixg_api.h by test_counters "            \
	"(IXG_GOLDEN_UPDATE=1 rewrites it) -->\n"
#define DOC_END "<!-- end of families -->\n"

/* Where a family's values are in the stats JSON. */
static void
json_path(const struct ixg_ctr_family *fam, char *buf, size_t len)
{
	static const char *const entity[IXG_CTR_DIM_MAX] = {
		[IXG_CTR_DIM_PORT] = "NAME",
		[IXG_CTR_DIM_PEER] = "NAME",
		[IXG_CTR_DIM_COUNTRY_PAIR] = "\"CN>VN\"",
		[IXG_CTR_DIM_PEER_PAIR] = "\"A>B\"",
		[IXG_CTR_DIM_ACL_RULE] = "ID",
		[IXG_CTR_DIM_CLASS] = "NAME",
		[IXG_CTR_DIM_BLACKHOLE] = "PREFIX",
		[IXG_CTR_DIM_BLACKHOLE_PEER] = "\"PREFIX>PEER\"",
		[IXG_CTR_DIM_NEIGH] = "\"PEER/ADDRESS\"",
		[IXG_CTR_DIM_NHGROUP] = "ID",
	};

	if (fam->from == IXG_CTR_FROM_STATE)
		snprintf(buf, len, "(telemetry `/ixgate/info`: `%s`)",
			 fam->key);
	else if (fam->dim == IXG_CTR_DIM_NODE)
		snprintf(buf, len, "`%s%s`", fam->key,
			 fam->sub == IXG_CTR_SUB_REASON ? ".REASON" : "");
	else if (fam->dim == IXG_CTR_DIM_ACL_RULE)
		snprintf(buf, len, "`%s.%s`", ixg_ctr_dim_json[fam->dim],
			 entity[fam->dim]);
	else if (fam->sub == IXG_CTR_SUB_COLOUR)
		snprintf(buf, len, "`%s.%s.green/yellow/red`",
			 ixg_ctr_dim_json[fam->dim], entity[fam->dim]);
	else
		snprintf(buf, len, "`%s.%s.%s%s`", ixg_ctr_dim_json[fam->dim],
			 entity[fam->dim], fam->key,
			 fam->sub == IXG_CTR_SUB_REASON ? ".REASON" : "");
}

/* The table of every family, as doc/counters.md has it. */
static char *
doc_table(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_non_null(m);
	fputs(DOC_BEGIN, m);
	fputs("| metric | type | unit | labels | JSON | what it counts |\n"
	      "|---|---|---|---|---|---|\n",
	      m);
	for (unsigned f = 0; f < IXG_CF_MAX; f++) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[f];
		const char *const *ln = ixg_ctr_dim_labels[fam->dim];
		char path[128];

		json_path(fam, path, sizeof(path));
		if (fam->metric)
			fprintf(m, "| `ixgate_%s` | %s | %s |", fam->name,
				fam->type == IXG_CTR_COUNTER ? "counter"
							     : "gauge",
				fam->unit);
		else if (fam->from == IXG_CTR_FROM_SUM)
			fprintf(m, "| (a sum: not a metric) | | %s |",
				fam->unit);
		else
			fprintf(m, "| (a value: not a metric) | | %s |",
				fam->unit);
		for (unsigned k = 0; ln[k] != NULL; k++)
			fprintf(m, "%s`%s`", k ? ", " : " ", ln[k]);
		if (fam->sub != IXG_CTR_SUB_NONE)
			fprintf(m, "%s`%s`", ln[0] != NULL ? ", " : " ",
				ixg_ctr_sub_label(fam->sub));
		fprintf(m, " | %s | %s |\n", path, fam->help);
	}
	fputs(DOC_END, m);
	fclose(m);
	return text;
}

/*
 * doc/counters.md names every counter family (the generated table between
 * its markers must be what the declaration gives) and every drop reason
 * (a table row of its own). IXG_GOLDEN_UPDATE=1 rewrites the table.
 */
static void
test_doc(void **st)
{
	char *doc = slurp(DOC), *table = doc_table(), *b, *e;

	(void)st;
	assert_non_null(doc);
	b = strstr(doc, DOC_BEGIN);
	e = b != NULL ? strstr(b, DOC_END) : NULL;
	if (b == NULL || e == NULL)
		fail_msg("%s: no generated families table (markers)", DOC);
	e += strlen(DOC_END);
	if (getenv("IXG_GOLDEN_UPDATE") != NULL) {
		FILE *f = fopen(DOC, "w");

		assert_non_null(f);
		fwrite(doc, 1, (size_t)(b - doc), f);
		fputs(table, f);
		fputs(e, f);
		assert_int_equal(fclose(f), 0);
	} else if ((size_t)(e - b) != strlen(table) ||
		   memcmp(b, table, strlen(table)) != 0) {
		fail_msg("%s: the families table differs from the declaration "
			 "(IXG_GOLDEN_UPDATE=1 build/tests/unit/common/"
			 "test_counters rewrites it); it should be:\n%s",
			 DOC, table);
	}
	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		char row[64];

		snprintf(row, sizeof(row), "\n| `%s` |", ixg_drop_name(r));
		if (strstr(doc, row) == NULL)
			fail_msg("%s: drop reason %s has no row", DOC,
				 ixg_drop_name(r));
	}
	/* Help texts fit what DPDK telemetry stores (/ixgate/families). */
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		assert_true(strlen(ixg_ctr_families[f].help) < 128);
	free(doc);
	free(table);
}

/* ------------------------------------------------------------- costs */

/* A stream that only counts what is written to it. */
static ssize_t
count_write(void *cookie, const char *buf, size_t n)
{
	(void)buf;
	*(size_t *)cookie += n;
	return (ssize_t)n;
}

static FILE *
counting(size_t *bytes)
{
	cookie_io_functions_t io = {.write = count_write};

	*bytes = 0;
	return fopencookie(bytes, "w", io);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* jansson's allocations, counted. */
static size_t jn_live, jn_peak;

static void *
jn_malloc(size_t n)
{
	size_t *p = malloc(n + sizeof(size_t));

	if (p == NULL)
		return NULL;
	*p = n;
	jn_live += n;
	if (jn_live > jn_peak)
		jn_peak = jn_live;
	return p + 1;
}

static void
jn_free(void *v)
{
	size_t *p = v;

	if (p == NULL)
		return;
	jn_live -= p[-1];
	free(p - 1);
}

/* The stats JSON's shape built as a jansson tree (what using jansson for
 * it would cost): the node's families, then every dimension's objects. */
static json_t *
stats_tree(struct ixg_ctr_walk *w)
{
	json_t *root = json_object();

	for (unsigned d = 0; d < IXG_CTR_DIM_MAX; d++) {
		uint32_t pos = 0, e;
		json_t *group = d == IXG_CTR_DIM_NODE ? root : json_object();

		while (ixg_ctr_walk_entity(w, d, &pos, &e)) {
			char buf[2 * IXG_NAME_LEN + 8];
			json_t *obj = d == IXG_CTR_DIM_NODE ? root
							    : json_object();

			for (unsigned f = 0; f < IXG_CF_MAX; f++) {
				const struct ixg_ctr_family *fam =
					&ixg_ctr_families[f];

				if (fam->dim != d ||
				    fam->from == IXG_CTR_FROM_STATE)
					continue;
				if (fam->sub == IXG_CTR_SUB_NONE) {
					json_object_set_new(
						obj, fam->key,
						json_integer(
							(json_int_t)
								ixg_ctr_walk_value(
									w, f, e,
									0)));
					continue;
				}
				for (unsigned k = 0;
				     k < ixg_ctr_sub_count(fam->sub); k++)
					json_object_set_new(
						obj,
						ixg_ctr_sub_name(fam->sub, k),
						json_integer(
							(json_int_t)
								ixg_ctr_walk_value(
									w, f, e,
									k)));
			}
			if (d != IXG_CTR_DIM_NODE)
				json_object_set_new(
					group,
					ixg_ctr_entity_name(w, d, e, buf,
							    sizeof(buf)),
					obj);
		}
		if (d != IXG_CTR_DIM_NODE)
			json_object_set_new(root, ixg_ctr_dim_json[d], group);
	}
	return root;
}

/*
 * What reading costs at a large exchange (ctr_fixture_big: 4,095 peers,
 * 32,760 peer pairs, a full 250x250 country matrix, 10,000 ACL rules, 2
 * blocks): a full walk of every series as an exporter does it (time and
 * the bytes of Prometheus-style lines), the stats JSON, and the same JSON
 * through a jansson tree. CPU time of this thread (the machine is shared:
 * wall time says more about the neighbours). Printed for doc/counters.md;
 * never asserted.
 */
static void
test_big_cost(void **st)
{
	struct ixg_spec spec;
	struct ixg_lcore_counters *blocks = ctr_fixture_blocks(2);
	struct ixg_lcore_counters *total = ctr_fixture_blocks(1);
	struct ixg_lcore_counters *blk[2] = {&blocks[0], &blocks[1]};
	const struct ixg_lcore_counters *cblk[2] = {&blocks[0], &blocks[1]};
	struct ixg_ctr_names *nm = malloc(sizeof(*nm));
	struct ixg_ctr_state state = {.generation = 1, .workers = 2};
	struct ixg_ctr_src src = {
		.blocks = cblk, .n_blocks = 2, .state = &state};
	struct ixg_ctr_walk *w;
	struct ixg_ctr_series se;
	struct timespec t0;
	size_t wbytes, jbytes, dbytes;
	unsigned long series = 0;
	double walk_ms, bare_ms, sum_ms, json_ms, jt_ms, jd_ms;
	json_t *tree;
	FILE *out;

	(void)st;
	assert_non_null(nm);
	ctr_fixture_big(&spec, blocks, 2);
	ixg_ctr_names_from_spec(nm, &spec);

	/* The exporter's walk: every metric series, straight from the
	 * blocks, one line each. */
	out = counting(&wbytes);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	w = ixg_ctr_walk_new(&src, nm, IXG_CTR_WALK_METRICS, 0);
	assert_non_null(w);
	while (ixg_ctr_walk_next(w, &se)) {
		fprintf(out, "ixgate_%s", se.fam->name);
		for (unsigned k = 0; k < se.n_labels; k++)
			fprintf(out, "%c%s=\"%s\"", k ? ',' : '{',
				se.label_names[k], se.label_values[k]);
		fprintf(out, "%s %" PRIu64 "\n", se.n_labels ? "}" : "",
			se.value);
		series++;
	}
	ixg_ctr_walk_free(w);
	fflush(out);
	walk_ms = ms_since(&t0);
	fclose(out);
	assert_true(series > 62500 + 2 * 32760);

	/* The walk alone, nothing printed. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	w = ixg_ctr_walk_new(&src, nm, IXG_CTR_WALK_METRICS, 0);
	assert_non_null(w);
	for (series = 0; ixg_ctr_walk_next(w, &se);)
		series++;
	ixg_ctr_walk_free(w);
	bare_ms = ms_since(&t0);

	/* The stats JSON: a sum of the blocks, then the writer. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	stats_sum(blk, 2, total);
	sum_ms = ms_since(&t0);
	out = counting(&jbytes);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	stats_print_json(total, &spec, out);
	fflush(out);
	json_ms = ms_since(&t0);
	fclose(out);

	/* The same through a jansson tree. */
	json_set_alloc_funcs(jn_malloc, jn_free);
	ixg_ctr_src_one(&src, total);
	w = ixg_ctr_walk_new(&src, nm, 0, 0);
	assert_non_null(w);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	tree = stats_tree(w);
	jt_ms = ms_since(&t0);
	out = counting(&dbytes);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	json_dumpf(tree, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fflush(out);
	jd_ms = ms_since(&t0);
	fclose(out);
	json_decref(tree);
	ixg_ctr_walk_free(w);

	print_message("full walk of %lu series over 2 blocks: %.1f ms (%.1f "
		      "ms with one fprintf line each: %zu bytes)\n",
		      series, bare_ms, walk_ms, wbytes);
	print_message("stats JSON: sum of 2 blocks %.1f ms, writer %.1f ms, "
		      "%zu bytes, no allocation but the walk's\n",
		      sum_ms, json_ms, jbytes);
	print_message("stats JSON through jansson: tree %.1f ms + dump %.1f "
		      "ms, %zu bytes, %zu bytes allocated at the peak\n",
		      jt_ms, jd_ms, dbytes, jn_peak);
	ixg_spec_free(&spec);
	free(nm);
	free(blocks);
	free(total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_view, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_golden, setup,
						teardown),
		cmocka_unit_test(test_doc),
		cmocka_unit_test(test_big_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
