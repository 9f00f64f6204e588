/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compile cache (ixg_conf.h): an unchanged data file is not read
 * again, a changed one is (edited in place, rewritten within one
 * timestamp tick, replaced by a rename), a deleted one is an error as
 * before; and a compile through the cache gives the same spec and the
 * same diagnostics, byte for byte, as one without.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_impl.h"
#include "ixg_conf.h"
#include "ixg_wire.h"

struct fx {
	char dir[PATH_MAX];
	char conf[PATH_MAX + 32];
	struct ixg_conf_cache *cache;
};

static void
write_file(const struct fx *f, const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	FILE *o;

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	o = fopen(p, "w");
	assert_non_null(o);
	fputs(text, o);
	assert_int_equal(fclose(o), 0);
}

static const char *const CONF =
	"node {\n\tname t1;\n\tcountry SG;\n}\n"
	"port p0 {\n\tdevice \"net_ring0\";\n}\n"
	"peer a {\n\tasn 64500;\n\tport p0;\n\tmac 02:00:00:00:01:01;\n"
	"\tannounce-file \"a.txt\";\n}\n"
	"peer b {\n\tasn 64501;\n\tport p0;\n\tmac 02:00:00:00:01:02;\n"
	"\tannounce-file \"b.txt\";\n}\n"
	"country-data \"cc.csv\" format ip-location-db;\n";

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ixg-conf-cache-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/ixgate.conf", f->dir);
	write_file(f, "ixgate.conf", CONF);
	write_file(f, "a.txt", "10.0.0.0/8\n2001:db8::/32\n");
	write_file(f, "b.txt", "192.0.2.0/24\n198.51.100.0/24\n");
	write_file(f, "cc.csv",
		   "10.0.0.0,10.255.255.255,VN\n"
		   "192.0.2.0,192.0.2.255,TH\n");
	f->cache = ixg_conf_cache_new();
	assert_non_null(f->cache);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[PATH_MAX + 16];

	ixg_conf_cache_free(f->cache);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A compile's spec and diagnostics (text). rc: the compile's (-1 also
 * when the parse failed). */
struct result {
	int rc;
	struct ixg_spec spec;
	char *diags;
	size_t len;
};

static void
compile(const struct fx *f, struct ixg_conf_cache *cache, struct result *r)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	FILE *o;

	memset(r, 0, sizeof(*r));
	r->rc = -1;
	c = ixg_conf_parse_file(f->conf, d);
	if (c != NULL)
		r->rc = ixg_conf_compile_cache(c, NULL, cache, &r->spec, d);
	o = open_memstream(&r->diags, &r->len);
	assert_non_null(o);
	ixg_diags_print(d, o);
	fclose(o);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

static void
result_free(struct result *r)
{
	if (r->rc == 0)
		ixg_spec_free(&r->spec);
	free(r->diags);
}

/* Compile through the cache and without; both must agree byte for byte
 * (spec tables, diagnostics). Returns the cache's stats. */
static struct ixg_conf_cache_stats
compile_both(const struct fx *f, struct result *out)
{
	struct ixg_conf_cache_stats st;
	struct result plain;

	compile(f, f->cache, out);
	ixg_conf_cache_stats(f->cache, &st);
	compile(f, NULL, &plain);
	assert_int_equal(out->rc, plain.rc);
	assert_string_equal(out->diags, plain.diags);
	if (out->rc == 0) {
		for (unsigned k = 1; k < IXG_TBL_MAX; k++) {
			uint64_t n = ixg_spec_table_count(&out->spec, k);

			assert_int_equal(n,
					 ixg_spec_table_count(&plain.spec, k));
			if (n > 0)
				assert_memory_equal(
					ixg_spec_table_data(&out->spec, k),
					ixg_spec_table_data(&plain.spec, k),
					n * ixg_table_elem_size(k));
		}
	}
	result_free(&plain);
	return st;
}

static bool
has_route4(const struct ixg_spec *s, uint32_t addr, uint8_t len)
{
	for (uint32_t i = 0; i < s->n_routes4; i++)
		if (s->routes4[i].addr == addr && s->routes4[i].len == len)
			return true;
	return false;
}

/* First compile reads all three data files; the next, with nothing
 * changed and the files' times trusted, reads none. */
static void
test_unchanged_not_read(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	struct result r;

	/* Times are trusted from now on (as for files older than 2 s). */
	cache_set_racy_ns(f->cache, -1000000000ll);
	st = compile_both(f, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(st.compiled, 3);
	assert_int_equal(st.reused, 0);
	assert_int_equal(st.entries, 3);
	result_free(&r);

	st = compile_both(f, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(st.compiled, 0);
	assert_int_equal(st.reused, 3);
	assert_int_equal(st.verified, 0);
	assert_int_equal(st.bytes_compiled, 0);
	assert_int_equal(r.spec.n_routes4, 3);
	assert_int_equal(r.spec.n_country4, 2);
	result_free(&r);
}

/* Files written just now: their times are too recent to trust, so an
 * unchanged one is read again and hashed, but not parsed. */
static void
test_recent_verified(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	struct result r;

	st = compile_both(f, &r);
	assert_int_equal(st.compiled, 3);
	result_free(&r);
	st = compile_both(f, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(st.compiled, 0);
	assert_int_equal(st.reused, 3);
	assert_int_equal(st.verified, 3);
	result_free(&r);
}

/* An edit in place: that file only is read again. */
static void
test_edit_in_place(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	struct result r;

	cache_set_racy_ns(f->cache, -1000000000ll);
	st = compile_both(f, &r);
	result_free(&r);
	write_file(f, "b.txt",
		   "192.0.2.0/24\n198.51.100.0/24\n203.0.113.0/24\n");
	st = compile_both(f, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(st.compiled, 1);
	assert_int_equal(st.reused, 2);
	assert_true(has_route4(&r.spec, 0xcb007100, 24));
	result_free(&r);
}

/* Same size, and the identity the cache holds made the file's current
 * one, as when a second write lands in the same timestamp tick: the
 * times are recent, so the content hash catches it. */
static void
test_same_tick_rewrite(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	char p[PATH_MAX + 16];
	struct result r;

	st = compile_both(f, &r);
	assert_int_equal(st.compiled, 3);
	result_free(&r);
	/* 198.51.100.0/24 -> 198.51.101.0/24: same length. */
	write_file(f, "b.txt", "192.0.2.0/24\n198.51.101.0/24\n");
	snprintf(p, sizeof(p), "%s/b.txt", f->dir);
	assert_int_equal(cache_forge_identity(f->cache, p), 1);
	st = compile_both(f, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(st.compiled, 1);
	assert_int_equal(st.reused, 2);
	assert_true(has_route4(&r.spec, 0xc6336500, 24));
	assert_false(has_route4(&r.spec, 0xc6336400, 24));
	result_free(&r);
}

/* Atomic replace (write elsewhere, rename over): a new inode. */
static void
test_rename_over(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	char a[PATH_MAX + 16], b[PATH_MAX + 16];
	struct result r;

	cache_set_racy_ns(f->cache, -1000000000ll);
	st = compile_both(f, &r);
	result_free(&r);
	write_file(f, "b.new", "192.0.2.0/24\n198.51.101.0/24\n");
	snprintf(a, sizeof(a), "%s/b.new", f->dir);
	snprintf(b, sizeof(b), "%s/b.txt", f->dir);
	assert_int_equal(rename(a, b), 0);
	st = compile_both(f, &r);
	assert_int_equal(st.compiled, 1);
	assert_int_equal(st.reused, 2);
	assert_true(has_route4(&r.spec, 0xc6336500, 24));
	result_free(&r);
}

/* A deleted file is an error, with the diagnostics a compile without the
 * cache gives; its entry is dropped; put back, it is read again. */
static void
test_deleted(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	char p[PATH_MAX + 16];
	struct result r;

	cache_set_racy_ns(f->cache, -1000000000ll);
	st = compile_both(f, &r);
	result_free(&r);
	snprintf(p, sizeof(p), "%s/b.txt", f->dir);
	assert_int_equal(unlink(p), 0);
	st = compile_both(f, &r);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.diags, "b.txt"));
	assert_int_equal(st.reused, 2);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.entries, 2);
	result_free(&r);
	write_file(f, "b.txt", "192.0.2.0/24\n198.51.100.0/24\n");
	st = compile_both(f, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(st.compiled, 1);
	result_free(&r);
}

/* A file with an error is never kept: every compile reports it the same
 * way. */
static void
test_errors_not_cached(void **state)
{
	struct fx *f = *state;
	struct ixg_conf_cache_stats st;
	struct result r, r2;

	cache_set_racy_ns(f->cache, -1000000000ll);
	write_file(f, "b.txt", "192.0.2.0/24\n198.51.100.1/24\n");
	st = compile_both(f, &r);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.diags, "b.txt:2:1: error: "));
	assert_int_equal(st.entries, 2);
	st = compile_both(f, &r2);
	assert_int_equal(st.compiled, 1);
	assert_int_equal(st.reused, 2);
	assert_string_equal(r.diags, r2.diags);
	result_free(&r);
	result_free(&r2);
}

/*
 * The duplicate check's index merged from the last compile (compile.c,
 * dedup_memo) against a plain sort: random edits of four members' prefix
 * files (a prefix added at the end or in the middle, a line removed, a
 * prefix repeated within a file, another member's prefix copied: an
 * error naming both), each compiled through the cache and without, the
 * specs and every diagnostic byte-identical; most compiles merge.
 */
static uint64_t rs = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)((rs >> 11) % n);
}

#define DM_PEERS 4
#define DM_LINES 400

static char lines[DM_PEERS][DM_LINES * 2][48];
static unsigned n_lines[DM_PEERS];

static void
rnd_line(unsigned p, char *out)
{
	if (rnd(4) == 0)
		snprintf(out, 48, "2001:db8:%x:%x::/64", p, rnd(4096));
	else
		snprintf(out, 48, "10.%u.%u.0/24", 16 * p + rnd(16), rnd(256));
}

static void
write_peer(const struct fx *f, unsigned p)
{
	char name[16], *text = malloc(DM_LINES * 2 * 48 + 1);
	size_t off = 0;

	assert_non_null(text);
	text[0] = '\0';
	for (unsigned i = 0; i < n_lines[p]; i++)
		off += (size_t)snprintf(text + off, 49, "%s\n", lines[p][i]);
	snprintf(name, sizeof(name), "p%u.txt", p);
	write_file(f, name, text);
	free(text);
}

static void
test_dedup_index_random(void **state)
{
	struct fx *f = *state;
	char conf[2048];
	size_t off = 0;
	unsigned merged = 0, errors = 0;

	off += (size_t)snprintf(conf + off, sizeof(conf) - off,
				"node {\n\tname t1;\n\tcountry SG;\n}\n"
				"port p0 {\n\tdevice \"net_ring0\";\n}\n");
	for (unsigned p = 0; p < DM_PEERS; p++) {
		off += (size_t)snprintf(
			conf + off, sizeof(conf) - off,
			"peer m%u {\n\tasn %u;\n\tport p0;\n\tmac "
			"02:00:00:00:01:%02x;\n\tannounce-file "
			"\"p%u.txt\";\n}\n",
			p, 64500 + p, p + 1, p);
		n_lines[p] = DM_LINES;
		for (unsigned i = 0; i < DM_LINES; i++)
			rnd_line(p, lines[p][i]);
		write_peer(f, p);
	}
	write_file(f, "ixgate.conf", conf);
	for (unsigned round = 0; round < 60; round++) {
		unsigned p = rnd(DM_PEERS), k = rnd(5), i;
		struct ixg_conf_cache_stats st;
		struct result r;

		i = n_lines[p] ? rnd(n_lines[p]) : 0;
		if (k == 0 && n_lines[p] < DM_LINES * 2) { /* add at the end */
			rnd_line(p, lines[p][n_lines[p]++]);
		} else if (k == 1 && n_lines[p] < DM_LINES * 2) { /* middle */
			memmove(lines[p][i + 1], lines[p][i],
				(n_lines[p] - i) * sizeof(lines[p][0]));
			n_lines[p]++;
			rnd_line(p, lines[p][i]);
		} else if (k == 2 && n_lines[p] > 1) { /* removed */
			memmove(lines[p][i], lines[p][i + 1],
				(n_lines[p] - i - 1) * sizeof(lines[p][0]));
			n_lines[p]--;
		} else if (k == 3 && n_lines[p] < DM_LINES * 2) {
			/* repeated within the file: dropped quietly */
			memcpy(lines[p][n_lines[p]++], lines[p][i], 48);
		} else if (n_lines[p] < DM_LINES * 2) {
			/* another member's prefix: a duplicate error (put
			 * back in the next round) */
			unsigned q = (p + 1) % DM_PEERS;

			memcpy(lines[p][n_lines[p]++],
			       lines[q][rnd(n_lines[q])], 48);
		}
		write_peer(f, p);
		st = compile_both(f, &r);
		merged += st.dedup_merged;
		if (r.rc != 0) {
			assert_non_null(strstr(r.diags, "already announced"));
			errors++;
			/* drop the copied line again */
			n_lines[p]--;
			write_peer(f, p);
		}
		result_free(&r);
	}
	assert_true(errors > 0);
	assert_true(merged > 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unchanged_not_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recent_verified, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_edit_in_place, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_same_tick_rewrite, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_not_cached, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dedup_index_random, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
