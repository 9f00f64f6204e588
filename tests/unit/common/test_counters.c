/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_counters.c - the counter outputs of common/: the dataplane's stats
 * JSON (--json-out, replay) and its live view, rendered from the fixed
 * state of ctr_fixture.c and compared byte for byte with golden/.
 * IXG_GOLDEN_UPDATE=1 rewrites the files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctr_fixture.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_view, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
