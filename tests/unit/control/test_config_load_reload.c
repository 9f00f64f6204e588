/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A reload against a load from scratch (issue 12): random one-member
 * edits (a prefix list, a member's rate or max-prefix, a class's rate, a
 * bad line now and then) loaded the way ixgate-control's reload does
 * (ctl_config_load_cache: the compile cache, the digest cache and the
 * running spec's ids) and loaded from scratch (ctl_config_load with the
 * same ids, no cache) give byte-identical tables, the same digests and
 * the same diagnostics; a refused edit leaves the next load as if it had
 * never been seen. Then what the compare step sends for the prefix tables
 * (ixg_routes_sort_from_edits against the sorted table the dataplane
 * holds, or ixg_routes_sort + ixg_delta_diff when the change is not one
 * middle) turns the dataplane's sorted table, by ixg_delta_apply, into
 * exactly the sorted table of the load from scratch.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_test_util.h"

#include "ctld.h"
#include "ixg_conf.h"
#include "ixg_wire.h"

#define NPEERS 8
#define NLINES 160 /* lines a prefix list may hold */
#define ROUNDS 60

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
}

/* Each member's state, written out by write_member / write_list. */
static struct {
	char lines[NLINES][64];
	unsigned n;
	unsigned rate_mbit; /* 0: none */
	unsigned max_prefix; /* 0: none */
	int allow; /* 1: an allow-source-file beside its list */
} m[NPEERS];
static unsigned class_kbit[2] = {64, 10000};

/* A random prefix of member i: its own space mostly, sometimes another
 * member's (a duplicate across members: refused, named), sometimes a
 * repeat of one of its own lines (dropped, as the compile does). */
static void
rand_line(unsigned i, char *out, size_t len)
{
	unsigned r = rnd() % 100, o = i;

	if (r < 3)
		o = rnd() % NPEERS;
	if (r >= 3 && r < 8 && m[i].n > 0) {
		snprintf(out, len, "%s", m[i].lines[rnd() % m[i].n]);
		return;
	}
	if (rnd() % 4 == 0) {
		snprintf(out, len, "2001:db8:%x:%x::/64", o + 1, rnd() % 64);
	} else {
		unsigned b = (rnd() % 2) * 128;

		snprintf(out, len, "10.%u.%u.%u/%u", o + 1, rnd() % 32, b,
			 b != 0 ? 25 : 24 + rnd() % 2);
	}
}

static void
write_list(unsigned i, int in_place)
{
	static char text[NLINES * 64 + 64];
	char name[32];
	size_t o = 0;

	for (unsigned k = 0; k < m[i].n; k++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\n",
				      m[i].lines[k]);
	text[o] = '\0';
	snprintf(name, sizeof(name), "p%u.txt", i);
	ctu_write_as(name, text, in_place);
}

static void
write_member(unsigned i)
{
	char text[1024], name[64], rate[64] = "", maxp[64] = "",
				   allow[128] = "";

	if (m[i].rate_mbit)
		snprintf(rate, sizeof(rate), "rate %umbit; ", m[i].rate_mbit);
	if (m[i].max_prefix)
		snprintf(maxp, sizeof(maxp), "max-prefix %u; ",
			 m[i].max_prefix);
	if (m[i].allow)
		snprintf(allow, sizeof(allow),
			 "allow-source-file \"../a%u.txt\"; ", i);
	snprintf(text, sizeof(text),
		 "peer p%u { asn %u; country VN; port p0; vlan %u; "
		 "mac 02:00:00:00:00:%02x; %s%s%sannounce-file "
		 "\"../p%u.txt\"; }\n",
		 i, 64500 + i, 10 + i, 10 + i, rate, maxp, allow, i);
	snprintf(name, sizeof(name), "peers.d/p%u.conf", i);
	ctu_write_as(name, text, 0);
}

static void
write_classes(void)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "class c0 { committed-rate %ukbit; committed-burst 8k; "
		 "peak-rate %ukbit; peak-burst 16k; yellow pass; red drop; }\n"
		 "class c1 { committed-rate %ukbit; committed-burst 64k; "
		 "peak-rate %ukbit; peak-burst 128k; yellow pass; red drop; }\n"
		 "acl { rule 10 { from p1; protocol udp; destination-port "
		 "11211; action class c0; } rule 20 { action class c1; } }\n",
		 class_kbit[0], 2 * class_kbit[0], class_kbit[1],
		 2 * class_kbit[1]);
	ctu_write_as("classes.conf", text, 0);
}

static int
setup(void **state)
{
	char name[PATH_MAX + 32];

	(void)state;
	if (ctu_mkdir("reload") < 0)
		return -1;
	ctu_write_as("root.conf",
		     "node { name t; country SG; }\n"
		     "port p0 { device \"net_null0\"; }\n"
		     "include \"classes.conf\";\n"
		     "include \"peers.d/*.conf\";\n",
		     0);
	ctu_path(name, sizeof(name), "peers.d");
	if (mkdir(name, 0755) < 0)
		return -1;
	write_classes();
	for (unsigned i = 0; i < NPEERS; i++) {
		char a[32];

		m[i].n = 40 + rnd() % 40;
		for (unsigned k = 0; k < m[i].n; k++) {
			snprintf(m[i].lines[k], sizeof(m[i].lines[k]),
				 "10.%u.%u.%u/25", i + 1, k / 2, (k % 2) * 128);
			if (k % 5 == 4)
				snprintf(m[i].lines[k], sizeof(m[i].lines[k]),
					 "2001:db8:%x:%x::/64", i + 1, k);
		}
		m[i].allow = i % 3 == 2;
		write_list(i, 0);
		snprintf(a, sizeof(a), "a%u.txt", i);
		ctu_write_as(a, "192.0.2.0/24\n2001:db8:ffff::/48\n", 0);
		write_member(i);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return ctu_rmdir();
}

/* One random one-member edit. */
static void
edit(void)
{
	unsigned i = rnd() % NPEERS, r = rnd() % 100;

	if (r < 60) {
		/* the member's prefix list: lines added, removed, replaced */
		unsigned k = rnd() % 4 + 1;

		while (k-- > 0) {
			unsigned what = rnd() % 3;

			if (what == 0 && m[i].n < NLINES) {
				rand_line(i, m[i].lines[m[i].n],
					  sizeof(m[i].lines[0]));
				m[i].n++;
			} else if (what == 1 && m[i].n > 1) {
				unsigned at = rnd() % m[i].n;

				memmove(m[i].lines[at], m[i].lines[at + 1],
					(m[i].n - at - 1) *
						sizeof(m[i].lines[0]));
				m[i].n--;
			} else if (m[i].n > 0) {
				rand_line(i, m[i].lines[rnd() % m[i].n],
					  sizeof(m[i].lines[0]));
			}
		}
		/* a bad line now and then: the reload is refused */
		if (rnd() % 12 == 0 && m[i].n > 0)
			snprintf(m[i].lines[rnd() % m[i].n],
				 sizeof(m[i].lines[0]), "10.300.%u.0/24",
				 rnd() % 8);
		write_list(i, rnd() % 2);
	} else if (r < 75) {
		m[i].rate_mbit = rnd() % 3 == 0 ? 0 : 100 + rnd() % 900;
		write_member(i);
	} else if (r < 88) {
		/* under the member's count now and then: refused */
		m[i].max_prefix = rnd() % 3 == 0 ? 0 : 20 + rnd() % 200;
		write_member(i);
	} else {
		class_kbit[rnd() % 2] = 64 + rnd() % 100000;
		write_classes();
	}
}

/* Fix what edit() may have broken, so the loads go on from a good one:
 * bad lines and other members' prefixes out, max-prefix off. */
static void
repair(void)
{
	for (unsigned i = 0; i < NPEERS; i++) {
		char own4[16], own6[24];
		int bad = 0;

		snprintf(own4, sizeof(own4), "10.%u.", i + 1);
		snprintf(own6, sizeof(own6), "2001:db8:%x:", i + 1);
		for (unsigned k = 0; k < m[i].n; k++)
			if (strstr(m[i].lines[k], ".300.") != NULL ||
			    (strncmp(m[i].lines[k], own4, strlen(own4)) != 0 &&
			     strncmp(m[i].lines[k], own6, strlen(own6)) != 0)) {
				snprintf(m[i].lines[k], sizeof(m[i].lines[k]),
					 "10.%u.%u.0/24", i + 1, 64 + k);
				bad = 1;
			}
		if (bad)
			write_list(i, 0);
		if (m[i].max_prefix != 0) {
			m[i].max_prefix = 0;
			write_member(i);
		}
	}
}

/* Load root.conf keeping prev's ids, through the caches or not; the
 * diagnostics into *text (malloc'd). */
static int
load(const struct ixg_spec *prev, struct ixg_conf_cache *cache,
     struct ctl_digests *dg, struct ctl_config *out, char **text)
{
	char path[PATH_MAX + 32];
	size_t len = 0;
	FILE *errs = open_memstream(text, &len);
	int rc;

	assert_non_null(errs);
	ctu_path(path, sizeof(path), "root.conf");
	memset(out, 0, sizeof(*out));
	if (cache != NULL || dg != NULL)
		rc = ctl_config_load_cache(path, prev, cache, dg, out, errs);
	else
		rc = ctl_config_load(path, prev, out, errs);
	fclose(errs);
	return rc;
}

/* Every table of a and b byte for byte. */
static void
same_spec(const struct ixg_spec *a, const struct ixg_spec *b)
{
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		uint64_t na = ixg_spec_table_count(a, t),
			 nb = ixg_spec_table_count(b, t);
		const void *da = ixg_spec_table_data(a, t),
			   *db = ixg_spec_table_data(b, t);

		if (na != nb)
			fail_msg("%s: %llu elements reloaded, %llu from "
				 "scratch",
				 ixg_table_name(t), (unsigned long long)na,
				 (unsigned long long)nb);
		if (na > 0 && memcmp(da, db, na * ixg_table_elem_size(t)) != 0)
			fail_msg("%s: reloaded differs from scratch",
				 ixg_table_name(t));
	}
}

/* A prefix table of s, sorted as the dataplane holds it (malloc'd). */
static void *
sorted_copy(const struct ixg_spec *s, unsigned t, uint32_t *n)
{
	size_t es = ixg_table_elem_size(t);
	void *c;

	*n = (uint32_t)ixg_spec_table_count(s, t);
	c = malloc((size_t)*n * es + 1);
	assert_non_null(c);
	if (*n > 0)
		memcpy(c, ixg_spec_table_data(s, t), (size_t)*n * es);
	assert_int_equal(ixg_routes_sort(t, c, n), 0);
	return c;
}

static unsigned merged, whole;

/*
 * What the compare step sends for prefix table t, from the running
 * spec ps and the sorted table the dataplane holds (*held, *n_held),
 * applied to that table as the dataplane does; the result must be the
 * sorted table of the scratch load fs. *held becomes the result.
 */
static void
send_apply(unsigned t, const struct ixg_spec *ps, const struct ixg_spec *ns,
	   const struct ixg_spec *fs, void **held, uint32_t *n_held)
{
	size_t es = ixg_table_elem_size(t);
	uint32_t n_new = (uint32_t)ixg_spec_table_count(ns, t), n_out = 0,
		 n_ref, n_app, idx;
	void *out = malloc((size_t)n_new * es + 1), *edits = NULL, *app;
	void *ref = sorted_copy(fs, t, &n_ref);
	uint64_t n_ed = 0;
	char err[IXG_WIRE_ERR_LEN];
	int rc;

	assert_non_null(out);
	rc = ixg_routes_sort_from_edits(
		t, ixg_spec_table_data(ps, t),
		(uint32_t)ixg_spec_table_count(ps, t), *held, *n_held,
		ixg_spec_table_data(ns, t), n_new, out, &n_out, &edits, &n_ed);
	assert_true(rc == 0 || rc == 1);
	if (rc == 1) {
		/* not one middle: sorted whole, diffed whole */
		free(out);
		out = sorted_copy(ns, t, &n_out);
		assert_int_equal(ixg_delta_diff(t, *held, *n_held, out, n_out,
						&edits, &n_ed),
				 0);
		whole++;
	} else {
		merged++;
	}
	assert_int_equal(n_out, n_ref);
	if (n_ref > 0 && memcmp(out, ref, (size_t)n_ref * es) != 0)
		fail_msg("%s: sent table differs from scratch's",
			 ixg_table_name(t));
	assert_int_equal(ixg_delta_apply(t, *held, *n_held, edits, n_ed, &app,
					 &n_app, &idx, err),
			 IXG_ST_OK);
	assert_int_equal(n_app, n_ref);
	if (n_ref > 0 && memcmp(app, ref, (size_t)n_ref * es) != 0)
		fail_msg("%s: the dataplane's table after the edits differs "
			 "from scratch's",
			 ixg_table_name(t));
	free(*held);
	*held = app;
	*n_held = n_app;
	free(out);
	free(edits);
	free(ref);
}

static void
test_reload_equals_scratch(void **state)
{
	static const unsigned prefix_tables[4] = {
		IXG_TBL_ROUTES4, IXG_TBL_ROUTES6, IXG_TBL_SOURCES4,
		IXG_TBL_SOURCES6};
	struct ixg_conf_cache *cache = ixg_conf_cache_new();
	struct ctl_digests *dg = ctl_digests_new();
	struct ctl_config run, r, f;
	void *held[4];
	uint32_t n_held[4];
	unsigned ok = 0, refused = 0;
	int refused_last = 0;
	char *t1, *t2;

	(void)state;
	assert_non_null(cache);
	assert_non_null(dg);
	if (load(NULL, cache, dg, &run, &t1) != 0)
		fail_msg("first load: %s", t1);
	free(t1);
	for (unsigned k = 0; k < 4; k++)
		held[k] = sorted_copy(&run.spec, prefix_tables[k], &n_held[k]);
	for (unsigned round = 0; round < ROUNDS; round++) {
		int a, b;

		if (refused_last)
			repair();
		else
			edit();
		a = load(&run.spec, cache, dg, &r, &t1);
		b = load(&run.spec, NULL, NULL, &f, &t2);
		assert_int_equal(a, b);
		assert_string_equal(t1, t2);
		refused_last = a < 0;
		if (a < 0 && getenv("SHOW") != NULL)
			print_message("%s", t1);
		free(t1);
		free(t2);
		if (a < 0) {
			refused++;
			continue;
		}
		ok++;
		same_spec(&r.spec, &f.spec);
		assert_memory_equal(r.sha256, f.sha256, 32);
		assert_int_equal(r.n_files, f.n_files);
		/* Identity and digest; not when each was read. */
		for (unsigned k = 0; k < r.n_files; k++)
			assert_memory_equal(
				&r.files[k], &f.files[k],
				offsetof(struct ctl_file_sig, hashed_ns));
		for (unsigned k = 0; k < 4; k++)
			send_apply(prefix_tables[k], &run.spec, &r.spec,
				   &f.spec, &held[k], &n_held[k]);
		ctl_config_free(&f);
		ctl_config_free(&run);
		run = r;
	}
	print_message("%u reloads equal to scratch, %u refused alike; "
		      "tables sent merged %u, whole %u\n",
		      ok, refused, merged, whole);
	assert_true(ok >= ROUNDS / 2);
	assert_true(refused >= 1);
	assert_true(merged >= ok);
	for (unsigned k = 0; k < 4; k++)
		free(held[k]);
	ctl_config_free(&run);
	ctl_digests_free(dg);
	ixg_conf_cache_free(cache);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_equals_scratch,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
