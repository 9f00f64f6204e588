/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_show_golden.c - every `show` command rendered from one fixed state
 * (tests/unit/control/golden/show.conf, synthetic counters from
 * ctr_fixture.c, a fixed clock), in text and in JSON, compared byte for
 * byte with tests/unit/control/golden/show/ *.txt and *.json. Also the
 * variants: no rates yet, no dataplane, no configuration, a --watch frame,
 * a pending commit-confirmed, and every usage error.
 *
 * IXG_GOLDEN_UPDATE=1 rewrites the files instead (review the diff).
 * test_big_views measures the biggest views at a large exchange.
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

#include <cmocka.h>

#include "ctr_fixture.h"
#include "daemon.h"
#include "show_impl.h"
#include "stats.h"
#include "../test_slurp.h"

#define GOLDEN_DIR CTR_FIXTURE_DIR "/show"

enum variant { V_STD, V_NORATES, V_NODP, V_NOCONF, V_CONFIRM, V_WATCH };

static const char *const variant_name[] = {
	[V_STD] = "",		[V_NORATES] = "norates_", [V_NODP] = "nodp_",
	[V_NOCONF] = "noconf_", [V_CONFIRM] = "confirm_", [V_WATCH] = "watch_",
};

struct gcase {
	enum variant v;
	const char *args[6];
};

/* Every command with the arguments worth a file, then the variants. */
static const struct gcase cases[] = {
	{V_STD, {"peers"}},
	{V_STD, {"peer", "china-telecom"}},
	{V_STD, {"peer", "viettel", "--all"}},
	{V_STD, {"peer", "mpt", "--top", "1"}},
	{V_STD, {"peer", "vnpt.hn"}},
	{V_STD, {"peer", "vietel"}},
	{V_STD, {"peer", "zzz"}},
	{V_STD, {"routes"}},
	{V_STD, {"routes", "27.64.9.9"}},
	{V_STD, {"routes", "27.64.66.1"}},
	{V_STD, {"routes", "198.18.1.1"}},
	{V_STD, {"routes", "10.1.2.3"}},
	{V_STD, {"routes", "2402:800::1"}},
	{V_STD, {"routes", "2402:800:1::5"}},
	{V_STD, {"routes", "27.64.0.0/12"}},
	{V_STD, {"routes", "bad"}},
	{V_STD, {"acl"}},
	{V_STD, {"classes"}},
	{V_STD, {"blackholes"}},
	{V_STD, {"neighbours"}},
	{V_STD, {"countries"}},
	{V_STD, {"matrix", "peers"}},
	{V_STD, {"matrix", "peers", "--top", "2"}},
	{V_STD, {"matrix", "peers", "--all"}},
	{V_STD, {"matrix", "countries"}},
	{V_STD, {"matrix", "countries", "--all"}},
	{V_STD, {"matrix", "countries", "--top", "2"}},
	{V_STD, {"drops"}},
	{V_STD, {"ports"}},
	{V_STD, {"generation"}},
	{V_STD, {"config"}},
	{V_STD, {"counters"}},
	{V_STD, {"counters", "peer_received"}},
	{V_STD, {"counters", "ixgate_class_packets_total", "--all"}},
	{V_STD, {"counters", "peer_recieved"}},
	{V_STD, {"help"}},
	/* Usage errors. */
	{V_STD, {NULL}},
	{V_STD, {"bogus"}},
	{V_STD, {"matrix"}},
	{V_STD, {"matrix", "bogus"}},
	{V_STD, {"peer"}},
	{V_STD, {"drops", "--bogus"}},
	{V_STD, {"acl", "extra"}},
	{V_STD, {"matrix", "peers", "--top", "x"}},
	{V_STD, {"matrix", "peers", "--top"}},
	{V_STD, {"drops", "--all"}},
	{V_STD, {"peers", "--top", "3"}},
	/* Connected, one read only: counters without rates. */
	{V_NORATES, {"peers"}},
	{V_NORATES, {"drops"}},
	{V_NORATES, {"matrix", "peers"}},
	{V_NORATES, {"countries"}},
	/* No dataplane: configuration shown, counters '-' / null. */
	{V_NODP, {"peers"}},
	{V_NODP, {"peer", "viettel"}},
	{V_NODP, {"acl"}},
	{V_NODP, {"classes"}},
	{V_NODP, {"blackholes"}},
	{V_NODP, {"neighbours"}},
	{V_NODP, {"countries"}},
	{V_NODP, {"matrix", "peers"}},
	{V_NODP, {"matrix", "countries"}},
	{V_NODP, {"drops"}},
	{V_NODP, {"ports"}},
	{V_NODP, {"generation"}},
	{V_NODP, {"counters"}},
	/* No configuration. */
	{V_NOCONF, {"peers"}},
	{V_NOCONF, {"routes"}},
	{V_NOCONF, {"generation"}},
	{V_NOCONF, {"drops"}},
	{V_NOCONF, {"config"}},
	{V_NOCONF, {"countries"}},
	{V_NOCONF, {"counters", "received"}},
	/* A pending commit-confirmed, the dataplane on another config. */
	{V_CONFIRM, {"generation"}},
	/* A --watch frame. */
	{V_WATCH, {"peers"}},
	{V_WATCH, {"drops"}},
	{V_WATCH, {"matrix", "peers"}},
	{V_WATCH, {"counters", "peer_"}},
};

struct gstate {
	struct ctl_state st, noconf;
	struct ixg_lcore_counters *blocks, *now, *prev;
	unsigned failed, written;
};

static void
fixed_clock(struct timespec *ts)
{
	ts->tv_sec = CTR_FIXTURE_NOW;
	ts->tv_nsec = 250000000;
}

static int
setup(void **state)
{
	struct gstate *g = calloc(1, sizeof(*g));
	struct ixg_lcore_counters *blk[2];

	assert_non_null(g);
	show_set_clock(fixed_clock);
	g->st.running.conf = ctr_fixture_spec(&g->st.running.spec);
	g->st.running.valid = true;
	memset(g->st.running.sha256, 0xab, 32);
	g->st.config_path = "/etc/ixgate/show.conf";
	g->st.start_unix = CTR_FIXTURE_NOW - 5000;

	/* Two blocks and what the dataplane writes after them. */
	g->blocks = ctr_fixture_blocks(3);
	ctr_fixture_fill(&g->st.running.spec, g->blocks, 2);
	ctr_fixture_ports((struct ixg_ctr_ports *)(void *)&g->blocks[2]);
	g->now = ctr_fixture_blocks(1);
	g->prev = ctr_fixture_blocks(1);
	blk[0] = &g->blocks[0];
	blk[1] = &g->blocks[1];
	stats_sum(blk, 2, g->now);
	ctr_fixture_prev(g->now, g->prev);

	g->st.dp_connected = true;
	g->st.dp_generation = 42;
	g->st.dp_hello.n_workers = 2;
	g->st.dp_hello.start_unix = CTR_FIXTURE_NOW - 90061;
	memset(g->st.dp_hello.config_sha256, 0xab, 32);
	g->st.counters = g->blocks;
	g->st.n_counter_blocks = 2;
	g->st.counters_size = 2 * sizeof(*g->blocks) +
			      sizeof(struct ixg_ctr_ports);
	g->st.sum_now = g->now;
	g->st.sum_prev = g->prev;
	g->st.sample_interval_s = 2.0;
	*state = g;
	return 0;
}

static int
teardown(void **state)
{
	struct gstate *g = *state;

	show_set_clock(NULL);
	ixg_spec_free(&g->st.running.spec);
	ixg_conf_free(g->st.running.conf);
	free(g->blocks);
	free(g->now);
	free(g->prev);
	free(g);
	return 0;
}

/* "peer_viettel_--all" and friends: the file name of a case. */
static void
case_stem(const struct gcase *c, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%s", variant_name[c->v]);

	if (c->args[0] == NULL)
		o += (size_t)snprintf(buf + o, len - o, "usage");
	for (unsigned i = 0; i < 6 && c->args[i] != NULL; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "_" : "",
				      c->args[i]);
	for (char *p = buf; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
}

/* Render case c in one mode into a string (caller frees). */
static char *
render(struct gstate *g, const struct gcase *c, bool json, int *rc)
{
	char *argv[8], *text = NULL;
	int argc = 0;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	const struct ctl_state *st = &g->st;
	struct ctl_rates r = {0}, *rp = NULL;
	struct ixg_lcore_counters *saved_prev = g->st.sum_prev;

	assert_non_null(m);
	argv[argc++] = (char *)"show";
	for (unsigned i = 0; i < 6 && c->args[i] != NULL; i++)
		argv[argc++] = (char *)c->args[i];
	argv[argc] = NULL;
	switch (c->v) {
	case V_NORATES: g->st.sum_prev = NULL; break;
	case V_NODP: g->st.dp_connected = false; break;
	case V_NOCONF: st = &g->noconf; break;
	case V_CONFIRM:
		g->st.confirm_deadline = CTR_FIXTURE_NOW + 90;
		g->st.dp_hello.config_sha256[0] = 0x01;
		g->st.previous.valid = true;
		break;
	case V_WATCH:
		r = (struct ctl_rates){.c = g->now,
				       .prev = g->prev,
				       .now = g->now,
				       .dt = 0.5,
				       .frame = 3,
				       .watch_s = 1};
		rp = &r;
		break;
	default: break;
	}
	*rc = ctl_show_rates(st, argc, argv, json, rp, m);
	fclose(m);
	g->st.sum_prev = saved_prev;
	g->st.dp_connected = true;
	g->st.confirm_deadline = 0;
	g->st.dp_hello.config_sha256[0] = 0xab;
	g->st.previous.valid = false;
	return text;
}

/* Compare (or write) one golden file: "<rc>\n" then the output. */
static void
check(struct gstate *g, const char *stem, const char *ext, int rc,
      const char *text)
{
	char path[512], *want, *got;
	bool update = getenv("IXG_GOLDEN_UPDATE") != NULL;

	snprintf(path, sizeof(path), "%s/%s.%s", GOLDEN_DIR, stem, ext);
	assert_true(asprintf(&got, "exit %d\n%s", rc, text) > 0);
	if (update) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(got, f);
		assert_int_equal(fclose(f), 0);
		g->written++;
		free(got);
		return;
	}
	want = slurp(path);
	if (want == NULL || strcmp(want, got) != 0) {
		char out[600];
		FILE *f;

		snprintf(out, sizeof(out), "/tmp/show-golden-%s.%s", stem, ext);
		f = fopen(out, "w");
		if (f != NULL) {
			fputs(got, f);
			fclose(f);
		}
		print_error("%s differs from the golden file (got: %s; "
			    "diff -u %s %s)\n",
			    path, out, path, out);
		g->failed++;
	}
	free(want);
	free(got);
}

static void
test_golden(void **state)
{
	struct gstate *g = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char stem[128];
		int rc;
		char *t;

		case_stem(&cases[i], stem, sizeof(stem));
		t = render(g, &cases[i], false, &rc);
		check(g, stem, "txt", rc, t);
		free(t);
		t = render(g, &cases[i], true, &rc);
		check(g, stem, "json", rc, t);
		free(t);
	}
	if (g->written)
		print_message("wrote %u golden files in %s\n", g->written,
			      GOLDEN_DIR);
	assert_int_equal(g->failed, 0);
}

/* ------------------------------------------------------------- costs */

static ssize_t
count_write(void *cookie, const char *buf, size_t n)
{
	(void)buf;
	*(size_t *)cookie += n;
	return (ssize_t)n;
}

/*
 * What the biggest views cost at a large exchange (ctr_fixture_big: 4,095
 * peers, 32,760 peer pairs, a full 250x250 country matrix, 10,000 ACL
 * rules, 2 blocks): CPU time of one command (sum of the blocks, view,
 * render) and the bytes it writes, text and JSON. Printed for
 * doc/ixgatectl.md; never asserted.
 */
static void
test_big_views(void **state)
{
	static const char *const cmds[][4] = {
		{"peers"},
		{"acl"},
		{"countries"},
		{"matrix", "peers", "--all"},
		{"matrix", "countries", "--all"},
		{"counters"},
		{"counters", "--all"},
	};
	struct ctl_state st;
	struct ixg_lcore_counters *blocks = ctr_fixture_blocks(2);
	struct ixg_lcore_counters *now = ctr_fixture_blocks(1);
	struct ixg_lcore_counters *prev = ctr_fixture_blocks(1);
	struct ixg_lcore_counters *blk[2] = {&blocks[0], &blocks[1]};

	(void)state;
	memset(&st, 0, sizeof(st));
	ctr_fixture_big(&st.running.spec, blocks, 2);
	st.running.valid = true;
	stats_sum(blk, 2, now);
	ctr_fixture_prev(now, prev);
	st.dp_connected = true;
	st.dp_generation = 1;
	st.counters = blocks;
	st.n_counter_blocks = 2;
	st.counters_size = 2 * sizeof(*blocks);
	st.sum_now = now;
	st.sum_prev = prev;
	st.sample_interval_s = 1.0;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *argv[6] = {(char *)"show"};
		int argc = 1;
		double ms[2];
		size_t bytes[2];

		for (unsigned k = 0; k < 4 && cmds[i][k] != NULL; k++)
			argv[argc++] = (char *)cmds[i][k];
		for (int json = 0; json < 2; json++) {
			cookie_io_functions_t io = {.write = count_write};
			struct timespec t0, t1;
			FILE *out;

			bytes[json] = 0;
			out = fopencookie(&bytes[json], "w", io);
			assert_non_null(out);
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
			assert_int_equal(
				ctl_show(&st, argc, argv, json != 0, out), 0);
			fflush(out);
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
			fclose(out);
			ms[json] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				   (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		}
		print_message("show %s%s%s%s%s: text %.1f ms %zu bytes, JSON "
			      "%.1f ms %zu bytes\n",
			      argv[1], argc > 2 ? " " : "",
			      argc > 2 ? argv[2] : "", argc > 3 ? " " : "",
			      argc > 3 ? argv[3] : "", ms[0], bytes[0], ms[1],
			      bytes[1]);
	}
	ixg_spec_free(&st.running.spec);
	free(blocks);
	free(now);
	free(prev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
		cmocka_unit_test(test_big_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
