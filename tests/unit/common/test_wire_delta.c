/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wire_delta.c - route and source deltas (TXN_DELTA,
 * common/ixg_wire.c): the sort the daemon sends route and source tables
 * in (sources by prefix and peer), the merge of a changed middle and its
 * edits, the diff, the round trip through a sealed memfd onto a shadow
 * spec, the refusal of a stale base, and every malformed delta refused
 * with a message naming its field (and a source's peer), the shadow
 * unchanged. Plain C: no EAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixg_api.h"
#include "ixg_wire.h"

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint32_t
mask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

/* A random IPv4 route over a small space, so prefixes repeat. */
static struct ixg_spec_route4
r4(void)
{
	struct ixg_spec_route4 r;
	unsigned len = 16 + rnd() % 17;

	memset(&r, 0, sizeof(r));
	r.len = (uint8_t)len;
	r.addr = (0x0a000000u | (rnd() & 0x00ffffffu) % 0x3000u << 8) &
		 mask4(len);
	r.peer_id = (uint16_t)(1 + rnd() % 7);
	r.origin = rnd();
	return r;
}

static struct ixg_spec_route6
r6(void)
{
	struct ixg_spec_route6 r;
	unsigned len = 32 + rnd() % 17;

	memset(&r, 0, sizeof(r));
	r.addr[0] = 0x20;
	r.addr[1] = 0x01;
	r.addr[2] = 0x0d;
	r.addr[3] = 0xb8;
	r.addr[4] = (uint8_t)(rnd() % 8);
	r.addr[5] = (uint8_t)rnd();
	for (unsigned b = len; b < 128; b++)
		r.addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
	r.len = (uint8_t)len;
	r.peer_id = (uint16_t)(1 + rnd() % 7);
	r.origin = rnd();
	return r;
}

static int
cmp4(const struct ixg_spec_route4 *a, const struct ixg_spec_route4 *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
cmp6(const struct ixg_spec_route6 *a, const struct ixg_spec_route6 *b)
{
	int d = memcmp(a->addr, b->addr, 16);

	return d != 0 ? d : a->len < b->len ? -1 : a->len > b->len;
}

/* ixg_routes_sort against the obvious: for each prefix, its last entry. */
static void
test_sort(void **state)
{
	(void)state;
	for (int round = 0; round < 20; round++) {
		uint32_t n = 1 + rnd() % 3000, m = n;
		struct ixg_spec_route4 *a = calloc(n, sizeof(*a));
		struct ixg_spec_route6 *b = calloc(n, sizeof(*b));
		uint32_t mb = n;

		for (uint32_t i = 0; i < n; i++) {
			a[i] = r4();
			b[i] = r6();
		}
		struct ixg_spec_route4 *ca = malloc(n * sizeof(*ca));
		struct ixg_spec_route6 *cb = malloc(n * sizeof(*cb));

		memcpy(ca, a, n * sizeof(*a));
		memcpy(cb, b, n * sizeof(*b));
		assert_int_equal(ixg_routes_sort(IXG_TBL_ROUTES4, a, &m), 0);
		assert_int_equal(ixg_routes_sort(IXG_TBL_ROUTES6, b, &mb), 0);
		assert_true(ixg_routes_unsorted(IXG_TBL_ROUTES4, a, m) < 0);
		assert_true(ixg_routes_unsorted(IXG_TBL_ROUTES6, b, mb) < 0);
		/* every kept entry is the last of its prefix in the input */
		for (uint32_t k = 0; k < m; k++) {
			int64_t last = -1;

			for (uint32_t i = 0; i < n; i++)
				if (cmp4(&ca[i], &a[k]) == 0)
					last = i;
			assert_true(last >= 0);
			assert_memory_equal(&ca[last], &a[k], sizeof(*a));
		}
		for (uint32_t k = 0; k < mb; k++) {
			int64_t last = -1;

			for (uint32_t i = 0; i < n; i++)
				if (cmp6(&cb[i], &b[k]) == 0)
					last = i;
			assert_true(last >= 0);
			assert_memory_equal(&cb[last], &b[k], sizeof(*b));
		}
		/* and every input prefix is kept */
		for (uint32_t i = 0; i < n; i++) {
			bool f4 = false, f6 = false;

			for (uint32_t k = 0; k < m && !f4; k++)
				f4 = cmp4(&ca[i], &a[k]) == 0;
			for (uint32_t k = 0; k < mb && !f6; k++)
				f6 = cmp6(&cb[i], &b[k]) == 0;
			assert_true(f4 && f6);
		}
		free(a);
		free(b);
		free(ca);
		free(cb);
	}
	assert_int_equal(ixg_routes_sort(IXG_TBL_PEERS, NULL, &(uint32_t){0}),
			 -EINVAL);
}

/*
 * ixg_routes_sort_from against ixg_routes_sort: old a table of unique
 * prefixes in random order, its sorted form, new = old with one middle
 * replaced (removals, additions, changed entries; sometimes a prefix
 * twice): the result is the whole sort's, byte for byte, or 1 exactly
 * when new has a prefix twice; a `sorted` of another table gives 1.
 */
static void
sort_from_round(unsigned table, size_t es, void (*gen)(void *))
{
	uint32_t n0 = 200 + rnd() % 3000, n_old = n0, n_new, n_exp, n_out = 0;
	char *old = malloc((n0 + 64) * es), *sorted, *new, *exp, *out;
	uint32_t lo, mo, mn;
	int rc;

	for (uint32_t i = 0; i < n0; i++)
		gen(old + (size_t)i * es);
	assert_int_equal(ixg_routes_sort(table, old, &n_old), 0);
	/* unique prefixes, shuffled */
	for (uint32_t i = n_old - 1; i > 0; i--) {
		uint32_t j = rnd() % (i + 1);
		char tmp[64];

		memcpy(tmp, old + (size_t)i * es, es);
		memcpy(old + (size_t)i * es, old + (size_t)j * es, es);
		memcpy(old + (size_t)j * es, tmp, es);
	}
	sorted = malloc((n_old + 1) * es);
	memcpy(sorted, old, n_old * es);
	{
		uint32_t n = n_old;

		assert_int_equal(ixg_routes_sort(table, sorted, &n), 0);
		assert_int_equal(n, n_old);
	}
	lo = rnd() % n_old;
	mo = rnd() % 8 < 1 ? 0 : rnd() % (n_old - lo < 20 ? n_old - lo : 20);
	mn = rnd() % 20;
	n_new = n_old - mo + mn;
	new = malloc((n_new + 1) * es);
	memcpy(new, old, (size_t)lo * es);
	for (uint32_t i = 0; i < mn; i++) {
		gen(new + (size_t)(lo + i) * es);
		if (rnd() % 4 == 0) /* an old prefix again (moved or twice) */
			memcpy(new + (size_t)(lo + i) * es,
			       old + (size_t)(rnd() % n_old) * es, es);
	}
	memcpy(new + (size_t)(lo + mn) * es, old + (size_t)(lo + mo) * es,
	       (size_t)(n_old - lo - mo) * es);
	exp = malloc((n_new + 1) * es);
	memcpy(exp, new, (size_t)n_new * es);
	n_exp = n_new;
	assert_int_equal(ixg_routes_sort(table, exp, &n_exp), 0);
	out = malloc((n_new + 1) * es);
	rc = ixg_routes_sort_from(table, old, n_old, sorted, n_old, new, n_new,
				  out, &n_out);
	if (n_exp == n_new) {
		void *e1, *e2;
		uint64_t n1, n2;

		assert_int_equal(rc, 0);
		assert_int_equal(n_out, n_exp);
		assert_memory_equal(out, exp, (size_t)n_exp * es);
		/* the merge's edits: the diff of the whole tables */
		assert_int_equal(ixg_routes_sort_from_edits(
					 table, old, n_old, sorted, n_old, new,
					 n_new, out, &n_out, &e1, &n1),
				 0);
		assert_int_equal(ixg_delta_diff(table, sorted, n_old, out,
						n_out, &e2, &n2),
				 0);
		assert_int_equal(n1, n2);
		if (n1 > 0)
			assert_memory_equal(e1, e2,
					    n1 * ixg_delta_edit_size(table));
		free(e1);
		free(e2);
	} else {
		assert_int_equal(rc, 1); /* a prefix twice: sorted whole */
	}
	/* the sorted table of another generation: not used */
	if (n_old > 1) {
		memcpy(sorted, sorted + es, es); /* one element twice */
		assert_int_equal(ixg_routes_sort_from(table, old, n_old, sorted,
						      n_old, new, n_new, out,
						      &n_out),
				 1);
	}
	free(old);
	free(sorted);
	free(new);
	free(exp);
	free(out);
}

static void
gen4(void *e)
{
	struct ixg_spec_route4 r = r4();

	memcpy(e, &r, sizeof(r));
}

static void
gen6(void *e)
{
	struct ixg_spec_route6 r = r6();

	memcpy(e, &r, sizeof(r));
}

static void
test_sort_from(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		sort_from_round(IXG_TBL_ROUTES4, sizeof(struct ixg_spec_route4),
				gen4);
		sort_from_round(IXG_TBL_ROUTES6, sizeof(struct ixg_spec_route6),
				gen6);
		sort_from_round(IXG_TBL_SOURCES4,
				sizeof(struct ixg_spec_route4), gen4);
		sort_from_round(IXG_TBL_SOURCES6,
				sizeof(struct ixg_spec_route6), gen6);
	}
	assert_int_equal(ixg_routes_sort_from(IXG_TBL_PEERS, NULL, 0, NULL, 0,
					      NULL, 0, NULL, &(uint32_t){0}),
			 -EINVAL);
}

/* A memfd holding `bytes` of data, sealed (or not). */
static int
memfd_of(const void *data, size_t bytes, bool seal)
{
	int fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	if (bytes > 0)
		assert_int_equal(pwrite(fd, data, bytes, 0), (ssize_t)bytes);
	if (seal)
		assert_int_equal(
			fcntl(fd, F_ADD_SEALS,
			      F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
			0);
	return fd;
}

/* Random sorted table of family f (4, 6) into *arr / *n (malloc'd). */
static void
random_table(int f, uint32_t want, void **arr, uint32_t *n)
{
	size_t es = f == 4 ? sizeof(struct ixg_spec_route4)
			   : sizeof(struct ixg_spec_route6);
	char *a = malloc((want + 1) * es);

	for (uint32_t i = 0; i < want; i++) {
		if (f == 4) {
			struct ixg_spec_route4 r = r4();

			memcpy(a + i * es, &r, es);
		} else {
			struct ixg_spec_route6 r = r6();

			memcpy(a + i * es, &r, es);
		}
	}
	*n = want;
	assert_int_equal(
		ixg_routes_sort(f == 4 ? IXG_TBL_ROUTES4 : IXG_TBL_ROUTES6, a,
				n),
		0);
	*arr = a;
}

/* Round trip: old -> (diff, memfd, decode onto a shadow) -> new, for
 * random pairs of tables, many times over the same shadow. */
static void
test_round_trip(void **state)
{
	(void)state;
	for (int f = 4; f <= 6; f += 2) {
		unsigned table = f == 4 ? IXG_TBL_ROUTES4 : IXG_TBL_ROUTES6;
		size_t es = ixg_table_elem_size(table);
		struct ixg_spec shadow;
		uint32_t owned = 0, n_cur;
		void *cur;

		memset(&shadow, 0, sizeof(shadow));
		random_table(f, 500, &cur, &n_cur);
		if (f == 4) {
			shadow.routes4 = cur;
			shadow.n_routes4 = n_cur;
		} else {
			shadow.routes6 = cur;
			shadow.n_routes6 = n_cur;
		}
		owned = 1u << table;
		for (int round = 0; round < 40; round++) {
			uint32_t n_new, n_old = (uint32_t)ixg_spec_table_count(
						&shadow, table);
			void *new, *edits;
			uint64_t n_edits;
			struct ixg_msg_txn_delta m;
			char err[IXG_WIRE_ERR_LEN];
			uint32_t idx;
			int fd;
			char *nw;

			/* new = old with some entries dropped, some changed,
			 * some added */
			random_table(f, 1 + rnd() % 200, &new, &n_new);
			nw = malloc(((size_t)n_old + n_new + 1) * es);
			memcpy(nw, ixg_spec_table_data(&shadow, table),
			       (size_t)n_old * es);
			uint32_t k = 0;

			for (uint32_t i = 0; i < n_old; i++) {
				if (rnd() % 10 == 0)
					continue;
				memmove(nw + k * es, nw + i * es, es);
				if (rnd() % 8 == 0) {
					/* another peer: a changed entry */
					if (f == 4)
						((struct ixg_spec_route4
							  *)(void *)(nw +
								     k * es))
							->peer_id ^= 1;
					else
						((struct ixg_spec_route6
							  *)(void *)(nw +
								     k * es))
							->peer_id ^= 1;
				}
				k++;
			}
			memcpy(nw + k * es, new, (size_t)n_new * es);
			k += n_new;
			free(new);
			assert_int_equal(ixg_routes_sort(table, nw, &k), 0);
			assert_int_equal(
				ixg_delta_diff(
					table,
					ixg_spec_table_data(&shadow, table),
					n_old, nw, k, &edits, &n_edits),
				0);
			assert_int_equal(
				ixg_delta_to_memfd(table, edits, n_edits, &fd),
				0);
			ixg_msg_txn_delta_init(&m, table, 7, n_old, n_edits, 3);
			assert_int_equal(m.hdr.type, IXG_MSG_TXN_DELTA);
			assert_int_equal(m.elem_size,
					 ixg_delta_edit_size(table));
			assert_int_equal(ixg_delta_from_fd(fd, &m, 7, &shadow,
							   &owned, &idx, err),
					 IXG_ST_OK);
			if (fd >= 0)
				close(fd);
			assert_int_equal(ixg_spec_table_count(&shadow, table),
					 k);
			if (k > 0)
				assert_memory_equal(
					ixg_spec_table_data(&shadow, table), nw,
					(size_t)k * es);
			free(edits);
			free(nw);
		}
		ixg_spec_table_free(&shadow, table);
	}
}

/* A shadow holding a sorted routes4 table of three prefixes. */
static struct ixg_spec_route4 base4[3] = {
	{.addr = 0x0a000000, .len = 8, .peer_id = 1},
	{.addr = 0x0a010000, .len = 16, .peer_id = 2},
	{.addr = 0x0b000000, .len = 8, .peer_id = 3},
};

/* Send edits e[0..n) (raw bytes of n edits of routes4) with message m
 * onto a shadow holding base4; the status, err holds the message; the
 * shadow must be unchanged on failure. */
static enum ixg_status
try4(const struct ixg_delta_route4 *e, uint64_t n,
     const struct ixg_msg_txn_delta *m, uint64_t running, bool seal, char *err,
     uint32_t *idx)
{
	struct ixg_spec shadow;
	uint32_t owned = 0;
	enum ixg_status st;
	int fd = n > 0 ? memfd_of(e, n * sizeof(*e), seal) : -1;

	memset(&shadow, 0, sizeof(shadow));
	shadow.routes4 = base4;
	shadow.n_routes4 = 3;
	st = ixg_delta_from_fd(fd, m, running, &shadow, &owned, idx, err);
	if (fd >= 0)
		close(fd);
	if (st != IXG_ST_OK) {
		assert_ptr_equal(shadow.routes4, base4);
		assert_int_equal(shadow.n_routes4, 3);
		assert_int_equal(owned, 0);
	} else {
		ixg_spec_table_free(&shadow, IXG_TBL_ROUTES4);
	}
	return st;
}

static struct ixg_delta_route4
ed(uint8_t op, uint32_t addr, uint8_t len, uint16_t peer)
{
	struct ixg_delta_route4 e;

	memset(&e, 0, sizeof(e));
	e.op = op;
	e.r.addr = addr;
	e.r.len = len;
	e.r.peer_id = peer;
	return e;
}

/* A stale base (generation, count, an unsorted table) is STALE: the
 * daemon's cue to send the table whole. */
static void
test_stale(void **state)
{
	struct ixg_delta_route4 e[1] = {ed(IXG_DELTA_SET, 0x0c000000, 8, 4)};
	struct ixg_msg_txn_delta m;
	char err[IXG_WIRE_ERR_LEN];
	uint32_t idx;

	(void)state;
	ixg_msg_txn_delta_init(&m, IXG_TBL_ROUTES4, 5, 3, 1, 0);
	assert_int_equal(try4(e, 1, &m, 5, true, err, &idx), IXG_ST_OK);
	assert_int_equal(try4(e, 1, &m, 6, true, err, &idx), IXG_ST_STALE);
	assert_non_null(strstr(err, "base_generation 5"));
	assert_non_null(strstr(err, "running generation 6"));
	assert_int_equal(try4(e, 1, &m, 0, true, err, &idx), IXG_ST_STALE);
	ixg_msg_txn_delta_init(&m, IXG_TBL_ROUTES4, 5, 4, 1, 0);
	assert_int_equal(try4(e, 1, &m, 5, true, err, &idx), IXG_ST_STALE);
	assert_non_null(strstr(err, "base_count 4"));
	/* the running table not sorted */
	{
		struct ixg_spec_route4 t = base4[0];
		void *out;
		uint32_t n;

		base4[0] = base4[2];
		base4[2] = t;
		assert_int_equal(ixg_delta_apply(IXG_TBL_ROUTES4, base4, 3, e,
						 1, &out, &n, &idx, err),
				 IXG_ST_STALE);
		assert_non_null(strstr(err, "not sorted"));
		base4[2] = base4[0];
		base4[0] = t;
	}
}

/* Every malformed delta refused, its message naming the field, the
 * shadow unchanged. */
static void
test_malformed(void **state)
{
	struct ixg_msg_txn_delta m;
	char err[IXG_WIRE_ERR_LEN];
	uint32_t idx;
	struct ixg_delta_route4 e[2];

	(void)state;
	ixg_msg_txn_delta_init(&m, IXG_TBL_ROUTES4, 5, 3, 1, 0);
#define REFUSED(n, st, field, index)                                           \
	do {                                                                   \
		assert_int_equal(try4(e, n, &m, 5, true, err, &idx), st);      \
		if (strstr(err, field) == NULL)                                \
			fail_msg("'%s' does not name %s", err, field);         \
		assert_int_equal(idx, index);                                  \
	} while (0)
	e[0] = ed(9, 0x0c000000, 8, 4);
	REFUSED(1, IXG_ST_INVALID, "edit 0: op 9", 0);
	e[0] = ed(IXG_DELTA_SET, 0x0c000000, 8, 4);
	e[0]._pad[1] = 1;
	REFUSED(1, IXG_ST_INVALID, "_pad", 0);
	e[0] = ed(IXG_DELTA_SET, 0x0c000000, 33, 4);
	REFUSED(1, IXG_ST_INVALID, "len", 0);
	e[0] = ed(IXG_DELTA_SET, 0x0c000001, 24, 4);
	REFUSED(1, IXG_ST_INVALID, "addr has bits set past len", 0);
	m.count = 2;
	e[0] = ed(IXG_DELTA_SET, 0x0c000000, 8, 4);
	e[1] = ed(IXG_DELTA_DEL, 0x0a000000, 8, 0);
	REFUSED(2, IXG_ST_INVALID, "edit 1: addr/len 10.0.0.0/8 not after", 1);
	e[1] = ed(IXG_DELTA_DEL, 0x0c000000, 8, 0);
	REFUSED(2, IXG_ST_INVALID, "not after edit 0", 1);
	e[0] = ed(IXG_DELTA_DEL, 0x0a000000, 8, 0);
	e[1] = ed(IXG_DELTA_DEL, 0x0a020000, 16, 0);
	REFUSED(2, IXG_ST_INVALID, "edit 1: del of addr/len 10.2.0.0/16", 1);
	/* and a good one goes through */
	e[1] = ed(IXG_DELTA_DEL, 0x0a010000, 16, 0);
	assert_int_equal(try4(e, 2, &m, 5, true, err, &idx), IXG_ST_OK);
	/* message fields */
	m.count = 1;
	e[0] = ed(IXG_DELTA_SET, 0x0c000000, 8, 4);
	m.elem_size = 12;
	REFUSED(1, IXG_ST_BAD_MESSAGE, "elem_size 12", UINT32_MAX);
	m.elem_size = sizeof(e[0]);
	m.table = IXG_TBL_PEERS;
	REFUSED(1, IXG_ST_BAD_MESSAGE, "table 4", UINT32_MAX);
	m.table = IXG_TBL_ROUTES4;
	m.count = 3; /* more than the memfd holds */
	REFUSED(1, IXG_ST_BAD_MESSAGE, "count 3", UINT32_MAX);
	m.count = 1;
	m.offset = 8;
	REFUSED(1, IXG_ST_BAD_MESSAGE, "offset 8", UINT32_MAX);
	m.offset = 0;
	m.count = IXG_MAX_ROUTES4 + 1ull;
	REFUSED(1, IXG_ST_CAPACITY, "count", UINT32_MAX);
	m.count = 1;
	assert_int_equal(try4(e, 1, &m, 5, false, err, &idx),
			 IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "sealed"));
	/* edits announced, no memfd */
	{
		struct ixg_spec shadow;
		uint32_t owned = 0;

		memset(&shadow, 0, sizeof(shadow));
		shadow.routes4 = base4;
		shadow.n_routes4 = 3;
		assert_int_equal(ixg_delta_from_fd(-1, &m, 5, &shadow, &owned,
						   &idx, err),
				 IXG_ST_BAD_MESSAGE);
		assert_non_null(strstr(err, "memfd"));
		/* no edits: nothing changes, no memfd needed */
		m.count = 0;
		assert_int_equal(ixg_delta_from_fd(-1, &m, 5, &shadow, &owned,
						   &idx, err),
				 IXG_ST_OK);
		assert_ptr_equal(shadow.routes4, base4);
	}
#undef REFUSED
}

/* The message itself: size, name, framing checks. */
static void
test_message(void **state)
{
	struct ixg_msg_txn_delta m;
	uint16_t type;
	char err[IXG_WIRE_ERR_LEN];

	(void)state;
	ixg_msg_txn_delta_init(&m, IXG_TBL_ROUTES6, 1, 2, 3, 4);
	assert_int_equal(ixg_msg_size(IXG_MSG_TXN_DELTA), sizeof(m));
	assert_string_equal(ixg_msg_type_name(IXG_MSG_TXN_DELTA), "txn_delta");
	assert_int_equal(ixg_msg_check(&m, sizeof(m), &type, err, sizeof(err)),
			 IXG_ST_OK);
	assert_int_equal(type, IXG_MSG_TXN_DELTA);
	assert_int_equal(
		ixg_msg_check(&m, sizeof(m) - 8, &type, err, sizeof(err)),
		IXG_ST_BAD_MESSAGE);
	assert_int_equal(m.elem_size, sizeof(struct ixg_delta_route6));
	assert_int_equal(ixg_delta_edit_size(IXG_TBL_BLACKHOLES), 0);
}

/* ---- source deltas: keyed by (prefix, peer) ---- */

static int
scmp4(const struct ixg_spec_route4 *a, const struct ixg_spec_route4 *b)
{
	int c = cmp4(a, b);

	return c != 0 ? c : (int)a->peer_id - (int)b->peer_id;
}

static int
scmp6(const struct ixg_spec_route6 *a, const struct ixg_spec_route6 *b)
{
	int c = cmp6(a, b);

	return c != 0 ? c : (int)a->peer_id - (int)b->peer_id;
}

/* A random source table (prefixes repeat, with several peers each),
 * n entries, unsorted. */
static void *
random_sources(int f, uint32_t n)
{
	size_t es = f == 4 ? sizeof(struct ixg_spec_route4)
			   : sizeof(struct ixg_spec_route6);
	char *a = malloc(((size_t)n + 1) * es);

	for (uint32_t i = 0; i < n; i++) {
		if (i > 0 && rnd() % 3 == 0) {
			/* a prefix already there, another (or the same) peer */
			memcpy(a + (size_t)i * es, a + (size_t)(rnd() % i) * es,
			       es);
			if (f == 4)
				((struct ixg_spec_route4 *)(void *)(a +
								    (size_t)i *
									    es))
					->peer_id = (uint16_t)(1 + rnd() % 7);
			else
				((struct ixg_spec_route6 *)(void *)(a +
								    (size_t)i *
									    es))
					->peer_id = (uint16_t)(1 + rnd() % 7);
			continue;
		}
		if (f == 4)
			gen4(a + (size_t)i * es);
		else
			gen6(a + (size_t)i * es);
	}
	return a;
}

/* ixg_routes_sort of a source table against the obvious: sorted by
 * prefix then peer, one entry per (prefix, peer), the input's last. */
static void
test_sources_sort(void **state)
{
	(void)state;
	for (int round = 0; round < 20; round++) {
		uint32_t n = 1 + rnd() % 2000, m = n, mb = n;
		struct ixg_spec_route4 *a = random_sources(4, n), *ca;
		struct ixg_spec_route6 *b = random_sources(6, n), *cb;

		ca = malloc(n * sizeof(*ca));
		cb = malloc(n * sizeof(*cb));
		memcpy(ca, a, n * sizeof(*a));
		memcpy(cb, b, n * sizeof(*b));
		assert_int_equal(ixg_routes_sort(IXG_TBL_SOURCES4, a, &m), 0);
		assert_int_equal(ixg_routes_sort(IXG_TBL_SOURCES6, b, &mb), 0);
		assert_true(ixg_routes_unsorted(IXG_TBL_SOURCES4, a, m) < 0);
		assert_true(ixg_routes_unsorted(IXG_TBL_SOURCES6, b, mb) < 0);
		for (uint32_t k = 1; k < m; k++)
			assert_true(scmp4(&a[k - 1], &a[k]) < 0);
		for (uint32_t k = 1; k < mb; k++)
			assert_true(scmp6(&b[k - 1], &b[k]) < 0);
		for (uint32_t k = 0; k < m; k++) {
			int64_t last = -1;

			for (uint32_t i = 0; i < n; i++)
				if (scmp4(&ca[i], &a[k]) == 0)
					last = i;
			assert_true(last >= 0);
			assert_memory_equal(&ca[last], &a[k], sizeof(*a));
		}
		for (uint32_t k = 0; k < mb; k++) {
			int64_t last = -1;

			for (uint32_t i = 0; i < n; i++)
				if (scmp6(&cb[i], &b[k]) == 0)
					last = i;
			assert_true(last >= 0);
			assert_memory_equal(&cb[last], &b[k], sizeof(*b));
		}
		for (uint32_t i = 0; i < n; i++) {
			bool f4 = false, f6 = false;

			for (uint32_t k = 0; k < m && !f4; k++)
				f4 = scmp4(&ca[i], &a[k]) == 0;
			for (uint32_t k = 0; k < mb && !f6; k++)
				f6 = scmp6(&cb[i], &b[k]) == 0;
			assert_true(f4 && f6);
		}
		/* a prefix of several peers is not one route: a routes
		 * table keeps fewer */
		{
			uint32_t mr = n;

			memcpy(a, ca, n * sizeof(*a));
			assert_int_equal(
				ixg_routes_sort(IXG_TBL_ROUTES4, a, &mr), 0);
			assert_true(mr <= m);
		}
		free(a);
		free(b);
		free(ca);
		free(cb);
	}
}

/*
 * Differential: random source sets (prefixes with several peers), random
 * edits (a (prefix, peer) added, removed, its origin changed; a prefix
 * gaining or losing a peer), chained over rounds on one shadow: the diff
 * of the sorted tables sent through a sealed memfd and applied gives the
 * sorted new table byte for byte; sort_from of a member-style middle
 * gives the whole sort's.
 */
static void
sources_round_trip(int f)
{
	unsigned table = f == 4 ? IXG_TBL_SOURCES4 : IXG_TBL_SOURCES6;
	size_t es = ixg_table_elem_size(table);
	struct ixg_spec shadow;
	uint32_t owned, n_cur = 800, n_raw;
	char *raw = random_sources(f, n_cur);

	memset(&shadow, 0, sizeof(shadow));
	n_raw = n_cur;
	{
		char *cur = malloc(((size_t)n_cur + 1) * es);

		memcpy(cur, raw, (size_t)n_cur * es);
		assert_int_equal(ixg_routes_sort(table, cur, &n_cur), 0);
		if (f == 4) {
			shadow.sources4 = (void *)cur;
			shadow.n_sources4 = n_cur;
		} else {
			shadow.sources6 = (void *)cur;
			shadow.n_sources6 = n_cur;
		}
	}
	owned = 1u << table;
	for (int round = 0; round < 60; round++) {
		uint32_t lo = rnd() % n_raw, mo = rnd() % 12, mn = rnd() % 12;
		uint32_t n_new, n_exp, n_old, n_from = 0;
		char *nw, *exp, *from, *add;
		void *edits;
		uint64_t n_edits;
		struct ixg_msg_txn_delta m;
		char err[IXG_WIRE_ERR_LEN];
		uint32_t idx;
		int fd, rc;

		/* a member's list changed: one middle of the raw table
		 * replaced (some entries kept with a new origin) */
		if (mo > n_raw - lo)
			mo = n_raw - lo;
		add = random_sources(f, mn + 1);
		n_new = n_raw - mo + mn;
		nw = malloc(((size_t)n_new + 1) * es);
		memcpy(nw, raw, (size_t)lo * es);
		for (uint32_t i = 0; i < mn; i++) {
			memcpy(nw + (size_t)(lo + i) * es,
			       rnd() % 3 == 0 && mo > 0
				       ? raw + (size_t)(lo + rnd() % mo) * es
				       : add + (size_t)i * es,
			       es);
			if (rnd() % 4 == 0) /* origin changed only */
				((uint32_t *)(void *)(nw +
						      (size_t)(lo + i) * es +
						      es - 4))[0] += 7;
		}
		memcpy(nw + (size_t)(lo + mn) * es,
		       raw + (size_t)(lo + mo) * es,
		       (size_t)(n_raw - lo - mo) * es);
		free(add);
		exp = malloc(((size_t)n_new + 1) * es);
		memcpy(exp, nw, (size_t)n_new * es);
		n_exp = n_new;
		assert_int_equal(ixg_routes_sort(table, exp, &n_exp), 0);
		/* the daemon's merge of the middle: the whole sort's table,
		 * or declined (a (prefix, peer) twice) */
		n_old = (uint32_t)ixg_spec_table_count(&shadow, table);
		from = malloc(((size_t)n_new + 1) * es);
		rc = ixg_routes_sort_from(table, raw, n_raw,
					  ixg_spec_table_data(&shadow, table),
					  n_old, nw, n_new, from, &n_from);
		if (rc == 0) {
			void *e1, *e2;
			uint64_t n1, n2;

			assert_int_equal(n_from, n_exp);
			assert_memory_equal(from, exp, (size_t)n_exp * es);
			assert_int_equal(
				ixg_routes_sort_from_edits(
					table, raw, n_raw,
					ixg_spec_table_data(&shadow, table),
					n_old, nw, n_new, from, &n_from, &e1,
					&n1),
				0);
			assert_int_equal(
				ixg_delta_diff(
					table,
					ixg_spec_table_data(&shadow, table),
					n_old, from, n_from, &e2, &n2),
				0);
			assert_int_equal(n1, n2);
			if (n1 > 0)
				assert_memory_equal(
					e1, e2,
					n1 * ixg_delta_edit_size(table));
			free(e1);
			free(e2);
		} else {
			assert_int_equal(rc, 1);
		}
		free(from);
		assert_int_equal(
			ixg_delta_diff(table,
				       ixg_spec_table_data(&shadow, table),
				       n_old, exp, n_exp, &edits, &n_edits),
			0);
		assert_int_equal(ixg_delta_to_memfd(table, edits, n_edits, &fd),
				 0);
		ixg_msg_txn_delta_init(&m, table, 9, n_old, n_edits, 1);
		assert_int_equal(m.elem_size, ixg_delta_edit_size(table));
		assert_int_equal(ixg_delta_from_fd(fd, &m, 9, &shadow, &owned,
						   &idx, err),
				 IXG_ST_OK);
		if (fd >= 0)
			close(fd);
		assert_int_equal(ixg_spec_table_count(&shadow, table), n_exp);
		if (n_exp > 0)
			assert_memory_equal(ixg_spec_table_data(&shadow, table),
					    exp, (size_t)n_exp * es);
		free(edits);
		free(exp);
		free(raw);
		raw = nw;
		n_raw = n_new;
		/* the next base: sort_from needs the raw table whose sort it
		 * is, one entry per (prefix, peer) */
		{
			uint32_t u = n_raw;
			char *c = malloc(((size_t)n_raw + 1) * es);

			memcpy(c, raw, (size_t)n_raw * es);
			assert_int_equal(ixg_routes_sort(table, c, &u), 0);
			if (u != n_raw) { /* twice: make raw its own sort */
				free(raw);
				raw = c;
				n_raw = u;
			} else {
				free(c);
			}
		}
	}
	ixg_spec_table_free(&shadow, table);
	free(raw);
}

static void
test_sources_round_trip(void **state)
{
	(void)state;
	sources_round_trip(4);
	sources_round_trip(6);
}

/* Source edits refused: a DEL of a (prefix, peer) the table does not
 * hold (the prefix with another peer), edits out of (prefix, peer)
 * order; the message names the edit, the peer and the field. */
static void
test_sources_malformed(void **state)
{
	struct ixg_spec_route4 base[3] = {
		{.addr = 0x0a000000, .len = 8, .peer_id = 1},
		{.addr = 0x0a000000, .len = 8, .peer_id = 2},
		{.addr = 0x0b000000, .len = 8, .peer_id = 3},
	};
	struct ixg_delta_source4 e[2];
	char err[IXG_WIRE_ERR_LEN];
	void *out;
	uint32_t n, idx;

	(void)state;
	memset(e, 0, sizeof(e));
	assert_int_equal(ixg_delta_edit_size(IXG_TBL_SOURCES4), sizeof(e[0]));
	assert_int_equal(ixg_delta_edit_size(IXG_TBL_SOURCES6),
			 sizeof(struct ixg_delta_source6));
	e[0].op = IXG_DELTA_DEL;
	e[0].s = base[0];
	e[0].s.peer_id = 3;
	assert_int_equal(ixg_delta_apply(IXG_TBL_SOURCES4, base, 3, e, 1, &out,
					 &n, &idx, err),
			 IXG_ST_INVALID);
	assert_non_null(
		strstr(err, "edit 0: del of addr/len 10.0.0.0/8 peer 3"));
	assert_int_equal(idx, 0);
	/* two peers of one prefix, out of order */
	e[0].op = IXG_DELTA_SET;
	e[0].s.peer_id = 5;
	e[1].op = IXG_DELTA_SET;
	e[1].s = base[0];
	e[1].s.peer_id = 4;
	assert_int_equal(ixg_delta_apply(IXG_TBL_SOURCES4, base, 3, e, 2, &out,
					 &n, &idx, err),
			 IXG_ST_INVALID);
	assert_non_null(strstr(err, "peer 4 not after edit 0's 10.0.0.0/8 "
				    "peer 5"));
	assert_int_equal(idx, 1);
	/* in order: a peer added to the prefix, one removed */
	e[0].op = IXG_DELTA_DEL;
	e[0].s.peer_id = 1;
	e[1].s.peer_id = 4;
	assert_int_equal(ixg_delta_apply(IXG_TBL_SOURCES4, base, 3, e, 2, &out,
					 &n, &idx, err),
			 IXG_ST_OK);
	assert_int_equal(n, 3);
	assert_int_equal(((struct ixg_spec_route4 *)out)[0].peer_id, 2);
	assert_int_equal(((struct ixg_spec_route4 *)out)[1].peer_id, 4);
	assert_int_equal(((struct ixg_spec_route4 *)out)[2].peer_id, 3);
	free(out);
	/* the base sorted by prefix but not by peer: stale */
	base[0].peer_id = 2;
	base[1].peer_id = 1;
	assert_int_equal(ixg_delta_apply(IXG_TBL_SOURCES4, base, 3, e, 2, &out,
					 &n, &idx, err),
			 IXG_ST_STALE);
	assert_non_null(strstr(err, "not sorted by prefix and peer"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_from),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_sources_sort),
		cmocka_unit_test(test_sources_round_trip),
		cmocka_unit_test(test_sources_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
