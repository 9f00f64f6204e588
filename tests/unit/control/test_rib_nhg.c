/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The next-hop group registry (rib_nhg.c) with a running dataplane's
 * groups preferred (rib_nhg_prefer, ixgate-control adopting a dataplane):
 * a set the dataplane runs gets its id back in any member order, a new
 * set takes the lowest id the dataplane does not use, groups made before
 * are made again with the preferred ids after rib_nhg_unref_all, a
 * preferred id goes to another set only when every other id is taken,
 * and the invalid elements of the dataplane's list are skipped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rib_nhg.h"

static int
find2(struct rib_nhg *g, uint16_t a, uint16_t wa, uint16_t b, uint16_t wb)
{
	struct rib_nhg_member m[2] = {{a, wa}, {b, wb}};

	return rib_nhg_find(g, m, 2);
}

static struct ixg_spec_nhgroup
grp2(uint16_t id, uint16_t a, uint16_t wa, uint16_t b, uint16_t wb)
{
	struct ixg_spec_nhgroup x;

	memset(&x, 0, sizeof(x));
	x.id = id;
	x.n_members = 2;
	x.peer_id[0] = a;
	x.weight[0] = wa;
	x.peer_id[1] = b;
	x.weight[1] = wb;
	return x;
}

/* The ids of emit's groups, in order, into ids; how many. */
static uint32_t
emitted(struct rib_nhg *g, uint16_t *ids)
{
	struct ixg_spec_nhgroup *v;
	uint32_t n;

	assert_int_equal(rib_nhg_emit(g, NULL, NULL, &v, &n), 0);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(v);
	return n;
}

static void
test_preferred_ids(void **state)
{
	struct rib_nhg *g = rib_nhg_new();
	struct ixg_spec_nhgroup run[3];
	uint16_t ids[8];

	(void)state;
	assert_non_null(g);
	/* without preferences: the lowest free ids */
	assert_int_equal(find2(g, 1, 1, 2, 1), 0);
	assert_int_equal(find2(g, 2, 1, 3, 2), 1);

	/* the dataplane runs {1,2} as 7 and {2,3:2} as 3 (weights as it
	 * holds them: 2:4 is 1:2), and {4,5} as 0 */
	run[0] = grp2(7, 2, 1, 1, 1);
	run[1] = grp2(3, 3, 4, 2, 2);
	run[2] = grp2(0, 4, 1, 5, 1);
	assert_int_equal(rib_nhg_prefer(g, run, 3), 0);
	/* groups made before keep their ids until the next unref_all */
	assert_int_equal(find2(g, 1, 1, 2, 1), 0);
	rib_nhg_unref_all(g);
	assert_int_equal(rib_nhg_count(g), 0);
	/* made again: with the dataplane's ids, in any member order */
	assert_int_equal(find2(g, 3, 2, 2, 1), 3);
	assert_int_equal(find2(g, 1, 1, 2, 1), 7);
	assert_int_equal(find2(g, 2, 3, 1, 3), 7); /* 3:3 is 1:1 */
	/* a set the dataplane lacks: the lowest id it does not use */
	assert_int_equal(find2(g, 1, 1, 3, 1), 1);
	assert_int_equal(find2(g, 1, 1, 4, 1), 2);
	assert_int_equal(find2(g, 1, 1, 5, 1), 4);
	/* the dataplane's set after them still gets its id */
	assert_int_equal(find2(g, 5, 1, 4, 1), 0);
	/* the next unref_all is an ordinary one: ids stay */
	rib_nhg_unref_all(g);
	for (unsigned i = 0; i < 3; i++)
		rib_nhg_ref(g, (uint16_t)(i == 0 ? 3 : i == 1 ? 7 : 0), +1);
	assert_int_equal(find2(g, 1, 1, 2, 1), 7);
	assert_int_equal(emitted(g, ids), 3);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 3);
	assert_int_equal(ids[2], 7);
	rib_nhg_free(g);
}

/* Invalid elements of the dataplane's list are skipped, the rest kept. */
static void
test_prefer_invalid(void **state)
{
	struct rib_nhg *g = rib_nhg_new();
	struct ixg_spec_nhgroup run[5];

	(void)state;
	assert_non_null(g);
	run[0] = grp2(IXG_MAX_NHGROUPS, 1, 1, 2, 1); /* id out of range */
	run[1] = grp2(9, 1, 1, 1, 1); /* a peer twice */
	run[2] = grp2(5, 1, 1, 3, 1);
	run[3] = grp2(5, 1, 1, 4, 1); /* id 5 twice: the first wins */
	run[4] = grp2(6, 1, 1, 5, 1);
	run[4].n_members = 1; /* one member: no set */
	assert_int_equal(rib_nhg_prefer(g, run, 5), 0);
	rib_nhg_unref_all(g);
	assert_int_equal(find2(g, 1, 1, 2, 1), 0);
	assert_int_equal(find2(g, 1, 1, 3, 1), 5);
	assert_int_equal(find2(g, 1, 1, 4, 1), 1);
	assert_int_equal(find2(g, 1, 1, 5, 1), 2);
	/* 9 and 6 were not taken as preferences: free like any id */
	for (int want = 3; want <= 9; want++) {
		if (want == 5)
			continue;
		assert_int_equal(find2(g, 2, 1, (uint16_t)(want + 10), 1),
				 want);
	}
	/* an empty list: no preference, and the groups are made again */
	assert_int_equal(rib_nhg_prefer(g, NULL, 0), 0);
	rib_nhg_unref_all(g);
	assert_int_equal(find2(g, 1, 1, 3, 1), 0);
	rib_nhg_free(g);
}

/* A preferred id goes to another set only when no other id is free. */
static void
test_preferred_last(void **state)
{
	struct rib_nhg *g = rib_nhg_new();
	struct ixg_spec_nhgroup run[2];
	unsigned made = 0;

	(void)state;
	assert_non_null(g);
	run[0] = grp2(0, 1, 1, 2, 1);
	run[1] = grp2(IXG_MAX_NHGROUPS - 1, 1, 1, 3, 1);
	assert_int_equal(rib_nhg_prefer(g, run, 2), 0);
	/* 4094 sets the dataplane lacks: ids 1..4094 */
	for (uint16_t a = 10; made < IXG_MAX_NHGROUPS - 2; a++)
		for (uint16_t w = 1; w <= 256 && made < IXG_MAX_NHGROUPS - 2;
		     w++) {
			int id = find2(g, a, w, 1000, 1);

			assert_int_equal(id, (int)made + 1);
			made++;
		}
	/* the next one takes a preferred id, the lowest */
	assert_int_equal(find2(g, 2000, 1, 2001, 1), 0);
	/* the set preferred at 0 gets the other free one */
	assert_int_equal(find2(g, 1, 1, 2, 1), IXG_MAX_NHGROUPS - 1);
	assert_int_equal(find2(g, 1, 1, 3, 1), -ENOSPC);
	rib_nhg_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preferred_ids),
		cmocka_unit_test(test_prefer_invalid),
		cmocka_unit_test(test_preferred_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
