/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The source-validation part built against the running snapshot
 * (sav_table.c): a family (sav4, sav6) whose sources did not change keeps
 * its FIB while the other one is built, and every answer is the one a
 * whole build of the same spec gives. Differential: random edits of the
 * sources (added, removed, moved to another peer; one family, the other,
 * both, none), each spec built from the previous snapshot and from
 * nothing, the allowed peers of every prefix's first and last address and
 * of random addresses compared; the chain freed in a random order, nothing
 * left behind.
 */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "dp_test_util.h"
#include "fibrec.h"
#include "ixg_wire.h"
#include "lpm.h"

#define N_PEERS 24
#define ROUNDS 24

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

static struct ixg_spec *
base_spec(void)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	for (uint16_t id = 1; id <= N_PEERS; id++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:03:%02x", id);
		dp_spec_peer(s, id, 0, 100, mac, IXG_SAV_STRICT);
	}
	return s;
}

/* A random prefix inside 10.0.0.0/8 (IPv4) or 2001:db8::/40 (IPv6),
 * lengths chosen so that many nest. */
static void
rnd_source4(struct ixg_spec_route4 *r)
{
	static const uint8_t lens[] = {14, 16, 16, 20, 20, 24, 24, 24};
	uint8_t len = lens[rnd(sizeof(lens))];
	uint32_t a = (10u << 24) | rnd(1u << 24);

	r->len = len;
	r->addr = a & (len == 0 ? 0 : ~0u << (32 - len));
	r->peer_id = (uint16_t)(1 + rnd(N_PEERS));
	r->origin = 0;
	r->_pad = 0;
}

static void
rnd_source6(struct ixg_spec_route6 *r)
{
	static const uint8_t lens[] = {44, 48, 48, 52, 52, 56, 56, 64, 64, 64};
	uint8_t len = lens[rnd(sizeof(lens))];

	memset(r, 0, sizeof(*r));
	r->addr[0] = 0x20;
	r->addr[1] = 0x01;
	r->addr[2] = 0x0d;
	r->addr[3] = 0xb8;
	r->addr[4] = 0;
	r->addr[5] = (uint8_t)rnd(256);
	r->addr[6] = (uint8_t)rnd(256);
	r->addr[7] = (uint8_t)rnd(256);
	for (unsigned b = len; b < 128; b++)
		r->addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	r->len = len;
	r->peer_id = (uint16_t)(1 + rnd(N_PEERS));
}

/* Edit `count` sources of one family: add, remove or move to another
 * peer (new arrays: the previous spec keeps its own). */
static void
edit4(struct ixg_spec *s, unsigned count, bool add_only)
{
	struct ixg_spec_route4 *v = malloc(((size_t)s->n_sources4 + count + 1) *
					   sizeof(*v));

	assert_non_null(v);
	if (s->n_sources4 > 0)
		memcpy(v, s->sources4, (size_t)s->n_sources4 * sizeof(*v));
	s->sources4 = v;
	for (unsigned i = 0; i < count; i++) {
		uint32_t k = rnd(3), j = s->n_sources4 ? rnd(s->n_sources4) : 0;

		if (add_only || k == 0 || s->n_sources4 < 8)
			rnd_source4(&v[s->n_sources4++]);
		else if (k == 1)
			v[j] = v[--s->n_sources4];
		else
			v[j].peer_id = (uint16_t)(1 + rnd(N_PEERS));
	}
}

static void
edit6(struct ixg_spec *s, unsigned count, bool add_only)
{
	struct ixg_spec_route6 *v = malloc(((size_t)s->n_sources6 + count + 1) *
					   sizeof(*v));

	assert_non_null(v);
	if (s->n_sources6 > 0)
		memcpy(v, s->sources6, (size_t)s->n_sources6 * sizeof(*v));
	s->sources6 = v;
	for (unsigned i = 0; i < count; i++) {
		uint32_t k = rnd(3), j = s->n_sources6 ? rnd(s->n_sources6) : 0;

		if (add_only || k == 0 || s->n_sources6 < 8)
			rnd_source6(&v[s->n_sources6++]);
		else if (k == 1)
			v[j] = v[--s->n_sources6];
		else
			v[j].peer_id = (uint16_t)(1 + rnd(N_PEERS));
	}
}

/* The peers a next hop allows, as a bitmap. */
static uint32_t
allowed(const struct tables *t, uint64_t nh)
{
	uint32_t m = 0;

	if (nh < SAV_SET) /* one peer; 0: no source prefix */
		return nh <= N_PEERS ? 1u << nh : 0x80000000u;
	nh -= SAV_SET;
	assert_true(nh < t->n_sav_sets);
	for (uint32_t i = 0; i < t->sav_sets[nh].n; i++)
		m |= 1u << t->sav_set_peers[t->sav_sets[nh].first + i];
	return m;
}

static void
same4(const struct tables *a, const struct tables *b, uint32_t addr)
{
	struct in_addr ia = {.s_addr = htonl(addr)};
	char s[INET_ADDRSTRLEN];
	uint32_t x, y;

	inet_ntop(AF_INET, &ia, s, sizeof(s));
	x = allowed(a, dp_lookup4(a->sav4, s));
	y = allowed(b, dp_lookup4(b->sav4, s));
	if (x != y)
		fail_msg("%s: peers %#x built against the running snapshot, "
			 "%#x built whole",
			 s, x, y);
}

static void
same6(const struct tables *a, const struct tables *b, const uint8_t addr[16])
{
	char s[INET6_ADDRSTRLEN];
	uint32_t x, y;

	inet_ntop(AF_INET6, addr, s, sizeof(s));
	x = allowed(a, dp_lookup6(a->sav6, s));
	y = allowed(b, dp_lookup6(b->sav6, s));
	if (x != y)
		fail_msg("%s: peers %#x built against the running snapshot, "
			 "%#x built whole",
			 s, x, y);
}

/* Every prefix's first and last address and random ones: the same
 * allowed peers in both snapshots. */
static void
compare(const struct ixg_spec *s, const struct tables *inc,
	const struct tables *whole)
{
	for (uint32_t i = 0; i < s->n_sources4; i++) {
		const struct ixg_spec_route4 *r = &s->sources4[i];

		same4(inc, whole, r->addr);
		same4(inc, whole,
		      r->addr | (r->len ? ~(~0u << (32 - r->len)) : ~0u));
	}
	for (unsigned i = 0; i < 2000; i++)
		same4(inc, whole, (10u << 24) | rnd(1u << 24));
	for (uint32_t i = 0; i < s->n_sources6; i++) {
		uint8_t a[16];

		memcpy(a, s->sources6[i].addr, 16);
		same6(inc, whole, a);
		for (unsigned b = s->sources6[i].len; b < 128; b++)
			a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		same6(inc, whole, a);
	}
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0};

		a[5] = (uint8_t)rnd(256);
		a[6] = (uint8_t)rnd(256);
		a[7] = (uint8_t)rnd(256);
		a[8] = (uint8_t)rnd(256);
		same6(inc, whole, a);
	}
}

static struct tables *
build(const struct ixg_spec *s, const struct ixg_spec *ps,
      const struct tables *prev, uint64_t gen)
{
	char err[256];
	struct tables *t = tables_build_from(s, ps, prev, 1, gen, err,
					     sizeof(err));

	if (t == NULL)
		fail_msg("tables_build_from: %s (errno %d)", err, errno);
	return t;
}

static void
spec_release(struct ixg_spec *s)
{
	free(s->sources4);
	free(s->sources6);
	s->sources4 = NULL;
	s->sources6 = NULL;
	s->n_sources4 = s->n_sources6 = 0;
	dp_spec_free(s);
}

static void
test_random_edits(void **state)
{
	unsigned long parts0 = tables_parts_live(), fibs0 = fibrec_live();
	struct ixg_spec *spec[ROUNDS + 1];
	struct tables *t[ROUNDS + 1];
	unsigned kept4 = 0, kept6 = 0, order[ROUNDS + 1];
	unsigned long p4 = tables_sav_patched(4), p6 = tables_sav_patched(6);

	(void)state;
	spec[0] = base_spec();
	spec[0]->sources4 = NULL;
	spec[0]->sources6 = NULL;
	edit4(spec[0], 3000, true);
	edit6(spec[0], 800, true);
	t[0] = build(spec[0], NULL, NULL, 1);
	/* Nested: many peer sets. */
	print_message("%u sets, %u used\n", t[0]->n_sav_sets,
		      t[0]->n_sav_sets_used);
	assert_true(t[0]->n_sav_sets > 100);
	for (unsigned r = 1; r <= ROUNDS; r++) {
		unsigned what = r % 4; /* 1: v4, 2: v6, 3: both, 0: peers */
		struct tables *whole;

		spec[r] = base_spec();
		spec[r]->sources4 = spec[r - 1]->sources4;
		spec[r]->n_sources4 = spec[r - 1]->n_sources4;
		spec[r]->sources6 = spec[r - 1]->sources6;
		spec[r]->n_sources6 = spec[r - 1]->n_sources6;
		/* own copies, edited or not */
		edit4(spec[r], what & 1 ? 1 + rnd(40) : 0, false);
		edit6(spec[r], what & 2 ? 1 + rnd(40) : 0, false);
		if (what == 0 && r % 8 == 0) /* a new peer: ids change */
			dp_spec_peer(spec[r], N_PEERS + 1, 0, 200,
				     "02:00:00:00:03:ff", IXG_SAV_STRICT);
		else if (what == 0) /* a peer renamed: nothing to build */
			snprintf(spec[r]->peers[0].name,
				 sizeof(spec[r]->peers[0].name), "renamed%u",
				 r);
		t[r] = build(spec[r], spec[r - 1], t[r - 1], r + 1);
		whole = build(spec[r], NULL, NULL, 1000 + r);
		compare(spec[r], t[r], whole);
		if ((r - 1) % 8 == 0 && r > 1) {
			/* After the round that added a peer: the ids
			 * changed back, everything is built. */
			assert_true(t[r]->sav4 != t[r - 1]->sav4);
			assert_true(t[r]->sav6 != t[r - 1]->sav6);
		} else if (what == 1) {
			/* Only the IPv4 sources changed: sav6 kept. */
			assert_ptr_equal(t[r]->sav6, t[r - 1]->sav6);
			assert_int_equal(t[r]->fib_stat[FIB_SAV6].how,
					 FIBREC_NONE);
			kept6++;
		} else if (what == 2) {
			assert_ptr_equal(t[r]->sav4, t[r - 1]->sav4);
			kept4++;
		} else if (what == 0 && r % 8 == 4) {
			/* Renamed after a build with the same ids: the
			 * part is shared whole. */
			assert_ptr_equal(t[r]->sav4, t[r - 1]->sav4);
			assert_ptr_equal(t[r]->sav6, t[r - 1]->sav6);
		} else {
			assert_true(t[r]->sav4 != t[r - 1]->sav4);
			assert_true(t[r]->sav6 != t[r - 1]->sav6);
		}
		assert_int_equal(t[r]->n_sav_sets_used, whole->n_sav_sets_used);
		tables_free(whole);
	}
	assert_true(kept4 > 0 && kept6 > 0);
	/* the rounds whose edits were few patched the families */
	assert_true(tables_sav_patched(4) > p4 && tables_sav_patched(6) > p6);
	/* Freed in a random order: each FIB once, with its last holder. */
	for (unsigned i = 0; i <= ROUNDS; i++)
		order[i] = i;
	for (unsigned i = ROUNDS; i > 0; i--) {
		unsigned j = rnd(i + 1), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (unsigned i = 0; i <= ROUNDS; i++) {
		/* The ones still alive answer as before. */
		if (i == ROUNDS / 2)
			for (unsigned k = i; k <= ROUNDS; k++) {
				struct tables *w = build(spec[order[k]], NULL,
							 NULL, 5000 + k);

				compare(spec[order[k]], t[order[k]], w);
				tables_free(w);
			}
		tables_free(t[order[i]]);
	}
	for (unsigned i = 0; i <= ROUNDS; i++)
		spec_release(spec[i]);
	assert_int_equal(tables_parts_live(), parts0);
	assert_int_equal(fibrec_live(), fibs0);
}

/*
 * Member edits as the compiler emits them: each peer's sources together,
 * peer after peer; a round changes one peer's list (a few prefixes
 * added, removed, or both; IPv4, IPv6 or both; or only the origins, as
 * when a line is inserted above), so the spec arrays differ in one
 * middle and the part is patched from the running snapshot
 * (tables_sav_patched), chained over many rounds, each answer checked
 * against a whole build. Peers strict, loose and feasible alike: the sets
 * do not depend on the mode. Run with spares off (each patched FIB
 * painted from its content) and on (the spare repainted over the
 * changed prefixes).
 */
#define M_ROUNDS 40
#define M_MAX 400

struct member_lists {
	struct ixg_spec_route4 v4[N_PEERS + 1][M_MAX];
	struct ixg_spec_route6 v6[N_PEERS + 1][M_MAX];
	unsigned n4[N_PEERS + 1], n6[N_PEERS + 1];
};

static struct ixg_spec *
member_spec(const struct member_lists *L)
{
	struct ixg_spec *s = dp_spec_new();
	size_t n4 = 0, n6 = 0;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	for (uint16_t id = 1; id <= N_PEERS; id++) {
		static const uint8_t modes[] = {IXG_SAV_STRICT, IXG_SAV_LOOSE,
						IXG_SAV_FEASIBLE};
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:03:%02x", id);
		dp_spec_peer(s, id, 0, 100, mac, modes[id % 3]);
		n4 += L->n4[id];
		n6 += L->n6[id];
	}
	s->sources4 = malloc((n4 + 1) * sizeof(*s->sources4));
	s->sources6 = malloc((n6 + 1) * sizeof(*s->sources6));
	assert_non_null(s->sources4);
	assert_non_null(s->sources6);
	for (uint16_t id = 1; id <= N_PEERS; id++) {
		memcpy(&s->sources4[s->n_sources4], L->v4[id],
		       L->n4[id] * sizeof(*s->sources4));
		s->n_sources4 += L->n4[id];
		memcpy(&s->sources6[s->n_sources6], L->v6[id],
		       L->n6[id] * sizeof(*s->sources6));
		s->n_sources6 += L->n6[id];
	}
	return s;
}

/* Add `add` random prefixes to peer p's lists and remove `del` (family
 * bits fam: 1 IPv4, 2 IPv6), at random places in the list. */
static void
member_edit(struct member_lists *L, uint16_t p, unsigned fam, unsigned add,
	    unsigned del)
{
	for (unsigned k = 0; k < del; k++) {
		if ((fam & 1) && L->n4[p] > 1) {
			unsigned j = rnd(L->n4[p]);

			memmove(&L->v4[p][j], &L->v4[p][j + 1],
				(L->n4[p] - j - 1) * sizeof(L->v4[p][0]));
			L->n4[p]--;
		}
		if ((fam & 2) && L->n6[p] > 1) {
			unsigned j = rnd(L->n6[p]);

			memmove(&L->v6[p][j], &L->v6[p][j + 1],
				(L->n6[p] - j - 1) * sizeof(L->v6[p][0]));
			L->n6[p]--;
		}
	}
	for (unsigned k = 0; k < add; k++) {
		if ((fam & 1) && L->n4[p] < M_MAX) {
			unsigned j = rnd(L->n4[p] + 1);

			memmove(&L->v4[p][j + 1], &L->v4[p][j],
				(L->n4[p] - j) * sizeof(L->v4[p][0]));
			rnd_source4(&L->v4[p][j]);
			/* sometimes a prefix another peer has too */
			if (rnd(3) == 0) {
				uint16_t q = (uint16_t)(1 + rnd(N_PEERS));

				if (L->n4[q] > 0)
					L->v4[p][j] = L->v4[q][rnd(L->n4[q])];
			}
			L->v4[p][j].peer_id = p;
			L->n4[p]++;
		}
		if ((fam & 2) && L->n6[p] < M_MAX) {
			unsigned j = rnd(L->n6[p] + 1);

			memmove(&L->v6[p][j + 1], &L->v6[p][j],
				(L->n6[p] - j) * sizeof(L->v6[p][0]));
			rnd_source6(&L->v6[p][j]);
			if (rnd(3) == 0) {
				uint16_t q = (uint16_t)(1 + rnd(N_PEERS));

				if (L->n6[q] > 0)
					L->v6[p][j] = L->v6[q][rnd(L->n6[q])];
			}
			L->v6[p][j].peer_id = p;
			L->n6[p]++;
		}
	}
}

static void
member_spec_free(struct ixg_spec *s)
{
	spec_release(s);
}

static void
member_rounds(bool spares)
{
	unsigned long parts0 = tables_parts_live(), fibs0 = fibrec_live();
	unsigned long p4 = tables_sav_patched(4), p6 = tables_sav_patched(6);
	struct member_lists *L = calloc(1, sizeof(*L));
	struct ixg_spec *spec, *prev_spec;
	struct tables *t, *prev;
	unsigned want4 = 0, want6 = 0, lpm_patched = 0;

	assert_non_null(L);
	fibrec_set_spares(spares);
	if (spares) {
		fibrec_set_spare_min(1);
		fibrec_set_patch_ratio(2);
	}
	for (uint16_t id = 1; id <= N_PEERS; id++)
		member_edit(L, id, 3, 60 + rnd(80), 0);
	prev_spec = member_spec(L);
	prev = build(prev_spec, NULL, NULL, 1);
	if (spares) {
		assert_true(fibrec_warm(prev->fibs[FIB_SAV4]) >= 0);
		assert_true(fibrec_warm(prev->fibs[FIB_SAV6]) >= 0);
	}
	for (unsigned r = 1; r <= M_ROUNDS; r++) {
		uint16_t p = (uint16_t)(1 + rnd(N_PEERS));
		unsigned fam = 1 + rnd(3), kind = rnd(4);
		struct tables *whole;

		if (kind == 3) {
			/* a line inserted above: origins shift, nothing else */
			for (unsigned k = 0; k < L->n4[p]; k++)
				L->v4[p][k].origin += 7;
			for (unsigned k = 0; k < L->n6[p]; k++)
				L->v6[p][k].origin += 7;
		} else {
			member_edit(L, p, fam, kind != 1 ? 1 + rnd(5) : 0,
				    kind != 0 ? 1 + rnd(3) : 0);
		}
		spec = member_spec(L);
		t = build(spec, prev_spec, prev, r + 1);
		whole = build(spec, NULL, NULL, 1000 + r);
		compare(spec, t, whole);
		assert_int_equal(t->n_sav_sets_used, whole->n_sav_sets_used);
		lpm_patched += t->fib_stat[FIB_SAV4].how == FIBREC_PATCHED;
		lpm_patched += t->fib_stat[FIB_SAV6].how == FIBREC_PATCHED;
		if (kind == 3) {
			/* the same FIBs */
			assert_ptr_equal(t->sav4, prev->sav4);
			assert_ptr_equal(t->sav6, prev->sav6);
		} else {
			want4 += (fam & 1) != 0;
			want6 += (fam & 2) != 0;
			if (!(fam & 1))
				assert_ptr_equal(t->sav4, prev->sav4);
			if (!(fam & 2))
				assert_ptr_equal(t->sav6, prev->sav6);
		}
		/* as the dataplane does: the old snapshot goes after the
		 * publish (its FIBs become the spares) */
		tables_free(whole);
		tables_free(prev);
		member_spec_free(prev_spec);
		if (spares) {
			assert_true(fibrec_warm(t->fibs[FIB_SAV4]) >= 0);
			assert_true(fibrec_warm(t->fibs[FIB_SAV6]) >= 0);
		}
		prev = t;
		prev_spec = spec;
	}
	/* every round that changed a family's sources patched it (a
	 * removal of a prefix another entry of the peer still has changes
	 * nothing, and is patched all the same) */
	assert_int_equal(tables_sav_patched(4) - p4, want4);
	assert_int_equal(tables_sav_patched(6) - p6, want6);
	/* with spares, the FIBs were repainted over the changed prefixes
	 * (FIBREC_PATCHED), not painted whole */
	if (spares)
		assert_true(lpm_patched > 0);
	tables_free(prev);
	member_spec_free(prev_spec);
	fibrec_drop_spares();
	fibrec_set_spares(false);
	fibrec_set_spare_min(4096);
	fibrec_set_patch_ratio(0);
	free(L);
	assert_int_equal(tables_parts_live(), parts0);
	assert_int_equal(fibrec_live(), fibs0);
}

static void
test_member_edits(void **state)
{
	(void)state;
	member_rounds(false);
}

static void
test_member_edits_spares(void **state)
{
	(void)state;
	member_rounds(true);
}

/*
 * The sources as ixgate-control sends them: sorted by prefix and peer,
 * one entry per (prefix, peer) (ixg_routes_sort), and after the first
 * commit as TXN_DELTA edits against the running table (ixg_delta_diff,
 * applied with ixg_delta_apply as the API server does). Member edits
 * chained over rounds: each applied table equals the sorted new one byte
 * for byte, its build against the running snapshot patches the family
 * whose (prefix, peer) set changed, and answers as a whole build of the
 * compiler's (unsorted) spec.
 */
static void
wire_sort(unsigned table, void *arr, uint32_t *n)
{
	assert_int_equal(ixg_routes_sort(table, arr, n), 0);
}

/* The table `table` of `prev` changed into sorted `want` by a delta: the
 * result (malloc'd) into *out. Whether the (prefix, peer) set changed
 * (origins aside) into *keys_changed. */
static void
wire_delta(unsigned table, const void *prev, uint32_t n_prev, const void *want,
	   uint32_t n_want, void **out, bool *keys_changed)
{
	size_t es = ixg_table_elem_size(table);
	char err[IXG_WIRE_ERR_LEN];
	void *edits;
	uint64_t n_edits;
	uint32_t n_out, idx;

	assert_int_equal(ixg_delta_diff(table, prev, n_prev, want, n_want,
					&edits, &n_edits),
			 0);
	if (ixg_delta_apply(table, prev, n_prev, edits, n_edits, out, &n_out,
			    &idx, err) != IXG_ST_OK)
		fail_msg("%s", err);
	assert_int_equal(n_out, n_want);
	if (n_want > 0)
		assert_memory_equal(*out, want, (size_t)n_want * es);
	*keys_changed = n_prev != n_want;
	for (uint32_t i = 0; i < n_want && !*keys_changed; i++) {
		const char *a = (const char *)prev + i * es;
		const char *b = (const char *)want + i * es;

		/* addr, len, _pad, peer_id: all but the origin */
		*keys_changed = memcmp(a, b, es - 4) != 0;
	}
	free(edits);
}

/* Elements in the changed middle of two tables (positions from both
 * ends equal; origins aside). */
static size_t
middle(const void *a, size_t na, const void *b, size_t nb, size_t es)
{
	const char *x = a, *y = b;
	size_t lo = 0, hi = 0;

	while (lo < na && lo < nb &&
	       memcmp(x + lo * es, y + lo * es, es - 4) == 0)
		lo++;
	while (hi < na - lo && hi < nb - lo &&
	       memcmp(x + (na - 1 - hi) * es, y + (nb - 1 - hi) * es, es - 4) ==
		       0)
		hi++;
	return na - lo - hi + nb - lo - hi;
}

static void
test_wire_edits(void **state)
{
	unsigned long parts0 = tables_parts_live(), fibs0 = fibrec_live();
	unsigned long p4 = tables_sav_patched(4), p6 = tables_sav_patched(6);
	struct member_lists *L = calloc(1, sizeof(*L));
	struct ixg_spec *spec, *prev_spec, *raw;
	struct tables *t, *prev;
	unsigned want4 = 0, want6 = 0, spread = 0;

	(void)state;
	assert_non_null(L);
	for (uint16_t id = 1; id <= N_PEERS; id++)
		member_edit(L, id, 3, 60 + rnd(80), 0);
	prev_spec = member_spec(L);
	wire_sort(IXG_TBL_SOURCES4, prev_spec->sources4,
		  &prev_spec->n_sources4);
	wire_sort(IXG_TBL_SOURCES6, prev_spec->sources6,
		  &prev_spec->n_sources6);
	prev = build(prev_spec, NULL, NULL, 1);
	for (unsigned r = 1; r <= M_ROUNDS; r++) {
		uint16_t p = (uint16_t)(1 + rnd(N_PEERS));
		unsigned fam = 1 + rnd(3), kind = rnd(4);
		struct tables *whole;
		void *s4, *s6;
		bool ch4, ch6;

		if (kind == 3) {
			for (unsigned k = 0; k < L->n4[p]; k++)
				L->v4[p][k].origin += 7;
			for (unsigned k = 0; k < L->n6[p]; k++)
				L->v6[p][k].origin += 7;
		} else {
			member_edit(L, p, fam, kind != 1 ? 1 + rnd(5) : 0,
				    kind != 0 ? 1 + rnd(3) : 0);
		}
		raw = member_spec(L); /* the compiler's order */
		spec = member_spec(L);
		wire_sort(IXG_TBL_SOURCES4, spec->sources4, &spec->n_sources4);
		wire_sort(IXG_TBL_SOURCES6, spec->sources6, &spec->n_sources6);
		wire_delta(IXG_TBL_SOURCES4, prev_spec->sources4,
			   prev_spec->n_sources4, spec->sources4,
			   spec->n_sources4, &s4, &ch4);
		wire_delta(IXG_TBL_SOURCES6, prev_spec->sources6,
			   prev_spec->n_sources6, spec->sources6,
			   spec->n_sources6, &s6, &ch6);
		free(spec->sources4);
		free(spec->sources6);
		spec->sources4 = s4;
		spec->sources6 = s6;
		t = build(spec, prev_spec, prev, r + 1);
		whole = build(raw, NULL, NULL, 1000 + r);
		compare(raw, t, whole);
		compare(spec, t, whole);
		assert_int_equal(t->n_sav_sets_used, whole->n_sav_sets_used);
		want4 += ch4;
		want6 += ch6;
		/* changes spread over the sorted table: the sorted compare
		 * (sav_sorted4/6) rather than one middle */
		spread += middle(prev_spec->sources4, prev_spec->n_sources4,
				 spec->sources4, spec->n_sources4,
				 sizeof(*spec->sources4)) > 64;
		if (!ch4)
			assert_ptr_equal(t->sav4, prev->sav4);
		if (!ch6)
			assert_ptr_equal(t->sav6, prev->sav6);
		tables_free(whole);
		tables_free(prev);
		member_spec_free(prev_spec);
		member_spec_free(raw);
		prev = t;
		prev_spec = spec;
	}
	/* every round whose (prefix, peer) set changed patched its family */
	assert_true(want4 > 0 && want6 > 0);
	assert_true(spread > 0);
	assert_int_equal(tables_sav_patched(4) - p4, want4);
	assert_int_equal(tables_sav_patched(6) - p6, want6);
	tables_free(prev);
	member_spec_free(prev_spec);
	free(L);
	assert_int_equal(tables_parts_live(), parts0);
	assert_int_equal(fibrec_live(), fibs0);
}

/*
 * The sources' countries folded into the SAV FIBs' leaves (tables.h,
 * SAV_COUNTRY_SHIFT), against brute force: random sources of both
 * families (strict peers) with a random nested country map of both
 * families over them, chained over generations of source edits, country
 * reloads (entries moved to another country, deleted, added; the IPv6
 * map emptied once and restored) and both at once; each generation built
 * from the previous snapshot and whole. At every source and country
 * prefix's first and last address (old and new specs) and at random
 * addresses, the leaf's peers are the union of the peers of every source
 * prefix around the address and its country the longest country
 * prefix's (0 without one, or without a map of the family), in both
 * builds; the country FIB gives the same country. Spares off and on (the
 * patched FIBs painted from the content, or the spare repainted over the
 * ranges).
 */
#define F_ROUNDS 20
#define F_NCC 12

struct fold_ccmap {
	struct ixg_spec_country4 c4[4096];
	struct ixg_spec_country6 c6[4096];
	uint32_t n4, n6;
};

static struct ixg_spec_country4
rnd_country4(void)
{
	static const uint8_t lens[] = {8, 12, 14, 16, 18, 20, 22, 24, 26, 32};
	struct ixg_spec_country4 c;
	uint8_t len = lens[rnd(sizeof(lens))];

	memset(&c, 0, sizeof(c));
	c.addr = ((9u + rnd(3)) << 24 | rnd(1u << 24)) &
		 (len == 0 ? 0 : ~0u << (32 - len));
	c.len = len;
	c.country = (uint16_t)(1 + rnd(F_NCC - 1));
	return c;
}

static struct ixg_spec_country6
rnd_country6(void)
{
	static const uint8_t lens[] = {32, 40, 44, 48, 52, 56, 64, 128};
	struct ixg_spec_country6 c;
	uint8_t len = lens[rnd(sizeof(lens))];

	memset(&c, 0, sizeof(c));
	c.addr[0] = 0x20;
	c.addr[1] = 0x01;
	c.addr[2] = 0x0d;
	c.addr[3] = 0xb8;
	c.addr[4] = 0;
	for (unsigned i = 5; i < 16; i++)
		c.addr[i] = (uint8_t)rnd(256);
	for (unsigned b = len; b < 128; b++)
		c.addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	c.len = len;
	c.country = (uint16_t)(1 + rnd(F_NCC - 1));
	return c;
}

/* A reload of the map: some entries moved or deleted, some added (the
 * file's order: unsorted, repeats possible); the IPv6 map emptied or
 * restored when asked. */
static void
fold_reload(struct fold_ccmap *m, int empty6)
{
	uint32_t n4 = 0, n6 = 0;

	for (uint32_t i = 0; i < m->n4; i++) {
		unsigned r = rnd(100);

		if (r < 6)
			continue;
		m->c4[n4] = m->c4[i];
		if (r < 14)
			m->c4[n4].country = (uint16_t)(1 + rnd(F_NCC - 1));
		n4++;
	}
	for (unsigned i = rnd(24); i > 0 && n4 < 4000; i--)
		m->c4[n4++] = rnd_country4();
	for (uint32_t i = 0; i < m->n6 && !empty6; i++) {
		unsigned r = rnd(100);

		if (r < 6)
			continue;
		m->c6[n6] = m->c6[i];
		if (r < 14)
			m->c6[n6].country = (uint16_t)(1 + rnd(F_NCC - 1));
		n6++;
	}
	for (unsigned i = empty6 ? 0 : rnd(24); i > 0 && n6 < 4000; i--)
		m->c6[n6++] = rnd_country6();
	if (m->n6 == 0 && !empty6) /* restored */
		while (n6 < 150)
			m->c6[n6++] = rnd_country6();
	m->n4 = n4;
	m->n6 = n6;
}

/* A spec of the sources of `from` (own copies) and the map m. */
static struct ixg_spec *
fold_spec(const struct ixg_spec *from, const struct fold_ccmap *m)
{
	struct ixg_spec *s = base_spec();
	char cc[3] = {'A', 'A', 0};

	for (unsigned i = 1; i < F_NCC; i++) {
		cc[1] = (char)('A' + i);
		assert_int_equal(dp_spec_country(s, cc), i);
	}
	s->sources4 = malloc(((size_t)from->n_sources4 + 1) *
			     sizeof(*s->sources4));
	s->sources6 = malloc(((size_t)from->n_sources6 + 1) *
			     sizeof(*s->sources6));
	s->country4 = malloc(((size_t)m->n4 + 1) * sizeof(*s->country4));
	s->country6 = malloc(((size_t)m->n6 + 1) * sizeof(*s->country6));
	assert_non_null(s->sources4);
	assert_non_null(s->sources6);
	assert_non_null(s->country4);
	assert_non_null(s->country6);
	memcpy(s->sources4, from->sources4,
	       from->n_sources4 * sizeof(*s->sources4));
	memcpy(s->sources6, from->sources6,
	       from->n_sources6 * sizeof(*s->sources6));
	memcpy(s->country4, m->c4, m->n4 * sizeof(*s->country4));
	memcpy(s->country6, m->c6, m->n6 * sizeof(*s->country6));
	s->n_sources4 = from->n_sources4;
	s->n_sources6 = from->n_sources6;
	s->n_country4 = m->n4;
	s->n_country6 = m->n6;
	return s;
}

static uint32_t
fmask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static int
fcovers6(const uint8_t *pfx, unsigned len, const uint8_t *a)
{
	for (unsigned b = 0; b < len; b++)
		if ((pfx[b / 8] ^ a[b / 8]) & (0x80u >> (b % 8)))
			return 0;
	return 1;
}

/* The peers a leaf's value allows (0: none), as a bitmap. */
static uint32_t
leaf_peers(const struct tables *t, uint32_t leaf)
{
	uint32_t nh = tbl_sav_leaf_peers(leaf), m = 0;

	if (nh == 0)
		return 0;
	if (nh < SAV_SET)
		return nh <= N_PEERS ? 1u << nh : 0x80000000u;
	nh -= SAV_SET;
	assert_true(nh < t->n_sav_sets);
	for (uint32_t i = 0; i < t->sav_sets[nh].n; i++)
		m |= 1u << t->sav_set_peers[t->sav_sets[nh].first + i];
	return m;
}

static void
fold_check4(const struct ixg_spec *s, const struct tables *t, uint32_t a,
	    const char *which)
{
	uint32_t peers = 0, cc = 0, leaf;
	int best = -1;

	for (uint32_t i = 0; i < s->n_sources4; i++)
		if ((a & fmask4(s->sources4[i].len)) == s->sources4[i].addr)
			peers |= 1u << s->sources4[i].peer_id;
	for (uint32_t i = 0; i < s->n_country4; i++) {
		const struct ixg_spec_country4 *c = &s->country4[i];

		if ((a & fmask4(c->len)) == c->addr && c->len >= best) {
			best = c->len;
			cc = c->country;
		}
	}
	leaf = t->sav4 != NULL ? lpm4_lookup(t->sav4, a) : 0;
	if (leaf_peers(t, leaf) != peers || tbl_sav_leaf_country(leaf) != cc ||
	    (t->country4 != NULL ? lpm4_lookup(t->country4, a) : 0) != cc)
		fail_msg("%s: IPv4 %08x: leaf %#x (peers %#x, country %u), "
			 "model peers %#x, country %u",
			 which, a, leaf, leaf_peers(t, leaf),
			 tbl_sav_leaf_country(leaf), peers, cc);
}

static void
fold_check6(const struct ixg_spec *s, const struct tables *t, const uint8_t *a,
	    const char *which)
{
	uint32_t peers = 0, cc = 0, leaf;
	int best = -1;

	for (uint32_t i = 0; i < s->n_sources6; i++)
		if (fcovers6(s->sources6[i].addr, s->sources6[i].len, a))
			peers |= 1u << s->sources6[i].peer_id;
	for (uint32_t i = 0; i < s->n_country6; i++) {
		const struct ixg_spec_country6 *c = &s->country6[i];

		if (fcovers6(c->addr, c->len, a) && c->len >= best) {
			best = c->len;
			cc = c->country;
		}
	}
	leaf = t->sav6 != NULL ? lpm6_lookup(t->sav6, a) : 0;
	if (leaf_peers(t, leaf) != peers || tbl_sav_leaf_country(leaf) != cc ||
	    (t->country6 != NULL ? lpm6_lookup(t->country6, a) : 0) != cc)
		fail_msg("%s: IPv6 %02x%02x:%02x%02x:%02x%02x:%02x%02x::: "
			 "leaf %#x (peers %#x, country %u), model peers %#x, "
			 "country %u",
			 which, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
			 leaf, leaf_peers(t, leaf), tbl_sav_leaf_country(leaf),
			 peers, cc);
}

/* First and last address of every prefix of x (sources, countries), and
 * random ones, checked in t against spec s. */
static void
fold_bounds(const struct ixg_spec *s, const struct ixg_spec *x,
	    const struct tables *t, const char *which)
{
	for (uint32_t i = 0; i < x->n_sources4; i++) {
		fold_check4(s, t, x->sources4[i].addr, which);
		fold_check4(s, t,
			    x->sources4[i].addr | ~fmask4(x->sources4[i].len),
			    which);
	}
	for (uint32_t i = 0; i < x->n_country4; i++) {
		fold_check4(s, t, x->country4[i].addr, which);
		fold_check4(s, t,
			    x->country4[i].addr | ~fmask4(x->country4[i].len),
			    which);
	}
	for (uint32_t i = 0; i < x->n_sources6 + x->n_country6; i++) {
		uint8_t a[16];
		unsigned len;

		if (i < x->n_sources6) {
			memcpy(a, x->sources6[i].addr, 16);
			len = x->sources6[i].len;
		} else {
			memcpy(a, x->country6[i - x->n_sources6].addr, 16);
			len = x->country6[i - x->n_sources6].len;
		}
		fold_check6(s, t, a, which);
		for (unsigned b = len; b < 128; b++)
			a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		fold_check6(s, t, a, which);
	}
	for (unsigned i = 0; i < 300; i++) {
		uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0};

		fold_check4(s, t, (9u + rnd(3)) << 24 | rnd(1u << 24), which);
		for (unsigned k = 5; k < 16; k++)
			a[k] = (uint8_t)rnd(256);
		fold_check6(s, t, a, which);
	}
}

static void
fold_rounds(bool spares)
{
	unsigned long parts0 = tables_parts_live(), fibs0 = fibrec_live();
	unsigned long p4 = tables_sav_patched(4), p6 = tables_sav_patched(6);
	struct fold_ccmap *m = calloc(1, sizeof(*m));
	struct ixg_spec *spec, *prev_spec, *src = base_spec();
	struct tables *t, *prev;

	assert_non_null(m);
	fibrec_set_spares(spares);
	if (spares) {
		fibrec_set_spare_min(1);
		fibrec_set_patch_ratio(2);
	}
	src->sources4 = NULL;
	src->sources6 = NULL;
	edit4(src, 700, true);
	edit6(src, 300, true);
	while (m->n4 < 250)
		m->c4[m->n4++] = rnd_country4();
	while (m->n6 < 150)
		m->c6[m->n6++] = rnd_country6();
	prev_spec = fold_spec(src, m);
	prev = build(prev_spec, NULL, NULL, 1);
	fold_bounds(prev_spec, prev_spec, prev, "first");
	for (unsigned r = 1; r <= F_ROUNDS; r++) {
		/* 1: IPv4 sources, 2: IPv6, 3: both; + 4: the map too;
		 * 4: the map alone */
		unsigned what = r % 5 == 4 ? 4
					   : (1 + rnd(3)) | (r % 7 == 6) << 2;
		struct tables *whole;

		if (what & 1) {
			struct ixg_spec_route4 *old = src->sources4;

			edit4(src, 1 + rnd(30), false);
			free(old);
		}
		if (what & 2) {
			struct ixg_spec_route6 *old = src->sources6;

			edit6(src, 1 + rnd(30), false);
			free(old);
		}
		if (what & 4)
			fold_reload(m, r == 9);
		spec = fold_spec(src, m);
		t = build(spec, prev_spec, prev, r + 1);
		whole = build(spec, NULL, NULL, 1000 + r);
		fold_bounds(spec, spec, t, "from the running snapshot");
		fold_bounds(spec, prev_spec, t, "from the running snapshot");
		fold_bounds(spec, spec, whole, "whole");
		assert_int_equal(t->n_sav_sets_used, whole->n_sav_sets_used);
		/* source edits and country reloads alike: sav4 made over
		 * their ranges (sav6 too, but when its map goes or comes) */
		if (what & 5)
			assert_true(t->sav_patched & 1);
		if (!(what & 1) && !(what & 4))
			assert_ptr_equal(t->sav4, prev->sav4);
		if (!(what & 2) && !(what & 4))
			assert_ptr_equal(t->sav6, prev->sav6);
		tables_free(whole);
		tables_free(prev);
		spec_release(prev_spec);
		if (spares) {
			assert_true(fibrec_warm(t->fibs[FIB_SAV4]) >= 0);
			assert_true(fibrec_warm(t->fibs[FIB_SAV6]) >= 0);
		}
		prev = t;
		prev_spec = spec;
	}
	/* the source edits were patched over their ranges, folded */
	assert_true(tables_sav_patched(4) > p4 && tables_sav_patched(6) > p6);
	tables_free(prev);
	spec_release(prev_spec);
	spec_release(src);
	fibrec_drop_spares();
	fibrec_set_spares(false);
	fibrec_set_spare_min(4096);
	fibrec_set_patch_ratio(0);
	free(m);
	assert_int_equal(tables_parts_live(), parts0);
	assert_int_equal(fibrec_live(), fibs0);
}

static void
test_countries_folded(void **state)
{
	(void)state;
	fold_rounds(false);
}

static void
test_countries_folded_spares(void **state)
{
	(void)state;
	fold_rounds(true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_edits),
		cmocka_unit_test(test_member_edits),
		cmocka_unit_test(test_member_edits_spares),
		cmocka_unit_test(test_wire_edits),
		cmocka_unit_test(test_countries_folded),
		cmocka_unit_test(test_countries_folded_spares),
	};

	dp_test_eal_init("t_sav_delta", 1536);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
