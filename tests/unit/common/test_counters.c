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

#include "ctr_fixture.h"
#include "counters.h"
#include "ixg_conf.h"
#include "stats.h"

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

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
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
		if (se.fam->dim != IXG_CTR_DIM_PEER_PAIR)
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
