/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib_build.c - prefix lists into FIBs, for every feature that has one
 * (routes, source validation, countries; see tables_impl.h).
 *
 * Every prefix table is built the same way: the prefixes become 64-bit sort
 * keys (IPv4) or small records (IPv6), are sorted by (address, length), and
 * are painted in that order into an lpm table (lpm.h). Address order is a
 * pre-order walk of the prefix tree: a covering prefix always comes before
 * the prefixes it covers, so painting in order leaves the longest match on
 * top, and the root is written sequentially. The same order lets the
 * source-validation sets be computed with a stack of covering prefixes.
 *
 * Prefix tables are sized to their content (a snapshot is never modified
 * after it is built), capped at the IXG_MAX_* capacities.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "tables_impl.h"

/* See tables_impl.h. */
unsigned
pfx_table(enum pfx_kind kind, int family)
{
	switch (kind) {
	case PK_ROUTE: return family == 4 ? IXG_TBL_ROUTES4 : IXG_TBL_ROUTES6;
	case PK_BLACKHOLE: return IXG_TBL_BLACKHOLES;
	case PK_LOCAL: return IXG_TBL_LOCAL_ADDRS;
	case PK_SOURCE:
		return family == 4 ? IXG_TBL_SOURCES4 : IXG_TBL_SOURCES6;
	case PK_COUNTRY:
		return family == 4 ? IXG_TBL_COUNTRY4 : IXG_TBL_COUNTRY6;
	}
	return 0;
}

/* See tables_impl.h. */
void
tbl_fmt_addr(char *buf, size_t len, int family, const void *addr)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* See tables_impl.h. */
void
tbl_fmt_addr4h(char *buf, size_t len, uint32_t host)
{
	uint32_t n = htonl(host);

	tbl_fmt_addr(buf, len, 4, &n);
}

/* ------------------------------------------------------------------ */
/* IPv4 prefixes as sortable keys.                                    */

/* LSD radix sort of k[0..n), 16 bits per pass: linear time for a full
 * table. 0 or -ENOMEM. */
static int
radix_keys4(uint64_t *k, size_t n)
{
	uint64_t *tmp;
	size_t *cnt;

	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	cnt = malloc(65536 * sizeof(*cnt));
	if (tmp == NULL || cnt == NULL) {
		free(tmp);
		free(cnt);
		return -ENOMEM;
	}
	for (unsigned shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(k[i] >> shift) & 0xffff]++;
		if (cnt[(k[0] >> shift) & 0xffff] == n)
			continue;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[(k[i] >> shift) & 0xffff]++] = k[i];
		memcpy(k, tmp, n * sizeof(*k));
	}
	free(tmp);
	free(cnt);
	return 0;
}

/*
 * See tables_impl.h. A list whose head is already in order (a route table
 * the control plane keeps sorted by prefix, so that route deltas apply:
 * ixg_routes_sort) is not sorted again: only its tail (the blackholes and
 * local addresses loaded after the routes) is, then merged in. On the
 * real table this saves the radix sort's four passes over 565k keys on
 * every route commit.
 */
int
sort_keys4(uint64_t *k, size_t n)
{
	size_t head = 1, tail, i, j, o;
	uint64_t *t;
	int rc;

	if (n < 2)
		return 0;
	while (head < n && k[head - 1] < k[head])
		head++;
	tail = n - head;
	if (tail == 0)
		return 0;
	if (head < tail || head < 1024)
		return radix_keys4(k, n);
	if ((rc = radix_keys4(k + head, tail)) < 0)
		return rc;
	/* Merge the sorted tail into the head from the back, in place: the
	 * tail is copied aside (it is the short one). */
	t = malloc(tail * sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	memcpy(t, k + head, tail * sizeof(*t));
	i = head;
	j = tail;
	o = n;
	while (j > 0) {
		if (i > 0 && k[i - 1] > t[j - 1])
			k[--o] = k[--i];
		else
			k[--o] = t[--j];
	}
	free(t);
	return 0;
}

/*
 * Keep, of sorted keys, what changes a longest-prefix lookup: of several
 * keys with the same prefix the last one, and no prefix whose next hop is
 * its nearest covering prefix's (or the default's, NH_NONE): those would
 * only cost painting and groups. Writes the kept keys and their next
 * hops to ok/onh; returns how many.
 */
static size_t
prune4(const struct tbl_build *b, const uint64_t *k, size_t n, nh4_fn nh,
       const uint32_t *nhs, uint64_t *ok, uint32_t *onh)
{
	struct {
		uint32_t addr;
		uint8_t len;
		uint32_t nh;
	} st[33];
	size_t depth = 0, out = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t a = key4_addr(k[i]), v;
		uint8_t len = key4_len(k[i]);

		if (i + 1 < n && k[i + 1] >> 26 == k[i] >> 26)
			continue;
		v = nhs != NULL ? nhs[i] : nh(b, k[i]);
		while (depth > 0 &&
		       (st[depth - 1].len > len ||
			(a & mask4(st[depth - 1].len)) != st[depth - 1].addr))
			depth--;
		if (v == (depth > 0 ? st[depth - 1].nh : NH_NONE))
			continue;
		st[depth].addr = a;
		st[depth].len = len;
		st[depth++].nh = v;
		ok[out] = k[i];
		onh[out++] = v;
	}
	return out;
}

/* ------------------------------------------------------------------ */
/* The destination's country folded into the route FIBs' leaves.      */

/*
 * See tables_impl.h. Both lists are sorted without duplicate prefixes;
 * one stack per list gives each prefix of the union its route and
 * country LPM (the nearest entry around it, else the cover's part), a
 * third stack prunes the union as prune4 does.
 */
size_t
fold4(const uint64_t *rk, const uint32_t *rv, size_t rn, const uint64_t *ck,
      const uint32_t *cv, size_t cn, uint32_t cover, unsigned shift,
      uint64_t *ok, uint32_t *ov)
{
	const uint32_t low = (UINT32_C(1) << shift) - 1;
	struct {
		uint32_t addr;
		uint8_t len;
		uint32_t v;
	} rs[33], cs[33], ms[33];
	size_t rd = 0, cd = 0, md = 0, i = 0, j = 0, out = 0;

#define FOLD_POP(st, d)                                                        \
	while ((d) > 0 && ((st)[(d)-1].len > len ||                            \
			   (a & mask4((st)[(d)-1].len)) != (st)[(d)-1].addr))  \
	(d)--
#define FOLD_PUSH(st, d, val)                                                  \
	do {                                                                   \
		(st)[d].addr = a;                                              \
		(st)[d].len = len;                                             \
		(st)[(d)++].v = (val);                                         \
	} while (0)
	while (i < rn || j < cn) {
		const uint64_t ki = i < rn ? rk[i] & LPM4_KEY_ID_MASK
					   : UINT64_MAX,
			       kj = j < cn ? ck[j] & LPM4_KEY_ID_MASK
					   : UINT64_MAX;
		const uint64_t x = ki < kj ? ki : kj;
		const uint32_t a = key4_addr(x);
		const uint8_t len = key4_len(x);
		uint64_t key = 0;
		uint32_t r, c, v;

		FOLD_POP(rs, rd);
		FOLD_POP(cs, cd);
		FOLD_POP(ms, md);
		if (ki == x) {
			FOLD_PUSH(rs, rd, rv[i]);
			key = rk[i++];
		}
		if (kj == x) {
			FOLD_PUSH(cs, cd, cv[j]);
			if (ki != x)
				key = ck[j];
			j++;
		}
		r = rd > 0 ? rs[rd - 1].v : cover & low;
		c = cd > 0 ? cs[cd - 1].v : cover >> shift;
		v = r | c << shift;
		if (v == (md > 0 ? ms[md - 1].v : cover))
			continue;
		FOLD_PUSH(ms, md, v);
		ok[out] = key;
		ov[out++] = v;
	}
#undef FOLD_POP
#undef FOLD_PUSH
	return out;
}

/*
 * Make the IPv4 table of `slot` holding the sorted keys (see prune4), by
 * patching the slot's spare or from scratch (fibrec.h). The next hop of
 * k[i] is nhs[i] if nhs is not NULL, else nh(k[i]). Sets t->fibs[slot]
 * and returns the table, or NULL with the error written and *rc set.
 */
const struct lpm *
fib4_build(struct tbl_build *b, enum fib_slot slot, const uint64_t *k, size_t n,
	   nh4_fn nh, const uint32_t *nhs, int *rc)
{
	return fib4_build_fold(b, slot, k, n, nh, nhs, NULL, NH_COUNTRY_SHIFT,
			       rc);
}

/* See tables_impl.h. */
const struct lpm *
fib4_build_fold(struct tbl_build *b, enum fib_slot slot, const uint64_t *k,
		size_t n, nh4_fn nh, const uint32_t *nhs,
		const struct fibrec *fold, unsigned shift, int *rc)
{
	struct fibrec *r = NULL;
	const uint64_t *ck = NULL, *clens;
	const uint32_t *cv = NULL;
	size_t cn = fold != NULL ? fibrec_content4(fold, &ck, &cv, &clens) : 0;
	uint64_t *ok, *fk = NULL;
	uint32_t *onh, *fv = NULL;
	size_t bad;

	if (cn == SIZE_MAX)
		cn = 0;
	ok = malloc((n + cn + 1) * sizeof(*ok));
	onh = malloc((n + cn + 1) * sizeof(*onh));
	if (ok == NULL || onh == NULL) {
		*rc = tbl_fail(b, -ENOMEM, "%s: out of memory",
			       fibrec_slot_name(slot));
		goto out;
	}
	ok[0] = 0; /* n may be 0: the table is then empty */
	onh[0] = 0;
	n = prune4(b, k, n, nh, nhs, ok, onh);
	if (cn > 0) {
		fk = malloc((n + cn + 1) * sizeof(*fk));
		fv = malloc((n + cn + 1) * sizeof(*fv));
		if (fk == NULL || fv == NULL) {
			*rc = tbl_fail(b, -ENOMEM, "%s: out of memory",
				       fibrec_slot_name(slot));
			goto out;
		}
		n = fold4(ok, onh, n, ck, cv, cn, NH_NONE, shift, fk, fv);
		memcpy(ok, fk, n * sizeof(*ok));
		memcpy(onh, fv, n * sizeof(*onh));
	}
	r = fibrec_make4(slot, ok, onh, n, &b->t->fib_stat[slot], &bad, rc);
	if (r == NULL) {
		char what[128];

		if (bad < n)
			tbl_describe(b->spec, pfx_table(key4_kind(ok[bad]), 4),
				     key4_idx(ok[bad]), what, sizeof(what));
		else
			snprintf(what, sizeof(what), "%s (%zu prefixes)",
				 fibrec_slot_name(slot), n);
		*rc = tbl_fail(b, *rc, "%s: %s: %s", what,
			       bad < n ? "bad prefix" : "table",
			       rte_strerror(-*rc));
	}
out:
	b->t->fibs[slot] = r;
	free(ok);
	free(onh);
	free(fk);
	free(fv);
	return fibrec_lpm(r);
}

/* ------------------------------------------------------------------ */
/* IPv6 prefixes as records.                                          */

/* See tables_impl.h. */
void
mask6(uint8_t out[16], const uint8_t in[16], uint8_t len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		out[i] = bits >= 8 ? in[i] : in[i] & (uint8_t)(0xff00 >> bits);
	}
}

/* Order of two records by (address, length). */
static int
cmp_pfx6(const struct fib_pfx6 *a, const struct fib_pfx6 *b)
{
	int d = memcmp(a->addr, b->addr, 16);

	if (d != 0)
		return d;
	return a->len < b->len ? -1 : a->len > b->len;
}

/*
 * Sort records by (address, length), stable, so that records of one
 * prefix stay in load order (kind, then index). LSD radix sort, 16 bits
 * per pass: the length, then the address from its last bytes to its
 * first; a pass whose digits are all equal (host bits of /48s, the
 * shared top of 2000::/3) is skipped. qsort with a memcmp comparator
 * takes ~170 ms for the bench's 315k source prefixes; this is linear.
 * 0 or -ENOMEM.
 */
static int
radix_pfx6(struct fib_pfx6 *p, size_t n)
{
	struct fib_pfx6 *tmp, *src = p, *dst;
	size_t *cnt;

	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	cnt = malloc(65536 * sizeof(*cnt));
	if (tmp == NULL || cnt == NULL) {
		free(tmp);
		free(cnt);
		return -ENOMEM;
	}
	dst = tmp;
	for (int d = -1; d < 8; d++) {
		size_t sum = 0;
#define DIGIT(r)                                                               \
	(d < 0 ? (r)->len                                                      \
	       : (unsigned)(r)->addr[14 - 2 * d] << 8 | (r)->addr[15 - 2 * d])

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[DIGIT(&src[i])]++;
		if (cnt[DIGIT(&src[0])] == n)
			continue;
		for (size_t v = 0; v < 65536; v++) {
			size_t c = cnt[v];

			cnt[v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[DIGIT(&src[i])]++] = src[i];
#undef DIGIT
		{
			struct fib_pfx6 *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != p)
		memcpy(p, src, n * sizeof(*p));
	free(tmp);
	free(cnt);
	return 0;
}

/*
 * See tables_impl.h. As sort_keys4: a head already strictly in order is
 * kept, only the tail is sorted and merged in (stable: on one prefix the
 * head's record, loaded first, stays first).
 */
int
sort_pfx6(struct fib_pfx6 *p, size_t n)
{
	size_t head = 1, tail, i, j, o;
	struct fib_pfx6 *t;
	int rc;

	if (n < 2)
		return 0;
	while (head < n && cmp_pfx6(&p[head - 1], &p[head]) < 0)
		head++;
	tail = n - head;
	if (tail == 0)
		return 0;
	if (head < tail || head < 1024)
		return radix_pfx6(p, n);
	if ((rc = radix_pfx6(p + head, tail)) < 0)
		return rc;
	t = malloc(tail * sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	memcpy(t, p + head, tail * sizeof(*t));
	i = head;
	j = tail;
	o = n;
	/* From the back: on equal prefixes the tail's record goes last. */
	while (j > 0) {
		if (i > 0 && cmp_pfx6(&p[i - 1], &t[j - 1]) > 0)
			p[--o] = p[--i];
		else
			p[--o] = t[--j];
	}
	free(t);
	return 0;
}

static int
covers6(const struct fib_pfx6 *c, const struct fib_pfx6 *p)
{
	uint8_t m[16];

	if (c->len > p->len)
		return 0;
	mask6(m, p->addr, c->len);
	return memcmp(m, c->addr, 16) == 0;
}

/* prune4 for IPv6 records: compacts p[] in place, returns the new count. */
static size_t
prune6(struct fib_pfx6 *p, size_t n)
{
	struct fib_pfx6 st[129];
	size_t depth = 0, out = 0;

	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && same_prefix6(&p[i], &p[i + 1]))
			continue;
		while (depth > 0 && !covers6(&st[depth - 1], &p[i]))
			depth--;
		if (p[i].nh == (depth > 0 ? st[depth - 1].nh : NH_NONE))
			continue;
		st[depth++] = p[i];
		p[out++] = p[i];
	}
	return out;
}

/* See tables_impl.h. fold4 for records. */
size_t
fold6(const struct fib_pfx6 *rp, size_t rn, const struct fib_pfx6 *cp,
      size_t cn, uint32_t cover, unsigned shift, struct fib_pfx6 *out)
{
	const uint32_t low = (UINT32_C(1) << shift) - 1;
	struct fib_pfx6 rs[129], cs[129], ms[129];
	size_t rd = 0, cd = 0, md = 0, i = 0, j = 0, o = 0;

	while (i < rn || j < cn) {
		const int d = i >= rn	? 1
			      : j >= cn ? -1
					: cmp_pfx6(&rp[i], &cp[j]);
		const struct fib_pfx6 *x = d <= 0 ? &rp[i] : &cp[j];
		struct fib_pfx6 e = *x;
		uint32_t r, c;

		while (rd > 0 && !covers6(&rs[rd - 1], x))
			rd--;
		while (cd > 0 && !covers6(&cs[cd - 1], x))
			cd--;
		while (md > 0 && !covers6(&ms[md - 1], x))
			md--;
		if (d <= 0)
			rs[rd++] = rp[i++];
		if (d >= 0)
			cs[cd++] = cp[j++];
		r = rd > 0 ? rs[rd - 1].nh : cover & low;
		c = cd > 0 ? cs[cd - 1].nh : cover >> shift;
		e.nh = r | c << shift;
		if (e.nh == (md > 0 ? ms[md - 1].nh : cover))
			continue;
		ms[md++] = e;
		out[o++] = e;
	}
	return o;
}

/*
 * fib4_build for IPv6: the table of `slot` holding the sorted records,
 * pruned in place (see prune4).
 */
const struct lpm *
fib6_build(struct tbl_build *b, enum fib_slot slot, struct fib_pfx6 *p,
	   size_t n, int *rc)
{
	return fib6_build_fold(b, slot, p, n, NULL, NH_COUNTRY_SHIFT, rc);
}

/* See tables_impl.h. */
const struct lpm *
fib6_build_fold(struct tbl_build *b, enum fib_slot slot, struct fib_pfx6 *p,
		size_t n, const struct fibrec *fold, unsigned shift, int *rc)
{
	struct fibrec *r;
	const struct fib_pfx6 *cp = NULL;
	const uint64_t *clens;
	size_t cn = fold != NULL ? fibrec_content6(fold, &cp, &clens) : 0;
	struct fib_pfx6 *q = NULL;
	size_t bad;

	if (cn == SIZE_MAX)
		cn = 0;
	n = prune6(p, n);
	if (cn > 0) {
		q = malloc((n + cn + 1) * sizeof(*q));
		if (q == NULL) {
			*rc = tbl_fail(b, -ENOMEM, "%s: out of memory",
				       fibrec_slot_name(slot));
			b->t->fibs[slot] = NULL;
			return NULL;
		}
		n = fold6(p, n, cp, cn, NH_NONE, shift, q);
		p = q;
	}
	r = fibrec_make6(slot, p, n, &b->t->fib_stat[slot], &bad, rc);
	if (r == NULL) {
		char what[128];

		if (bad < n)
			tbl_describe(b->spec,
				     pfx_table((enum pfx_kind)p[bad].kind, 6),
				     p[bad].idx, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "%s (%zu prefixes)",
				 fibrec_slot_name(slot), n);
		*rc = tbl_fail(b, *rc, "%s: %s: %s", what,
			       bad < n ? "bad prefix" : "table",
			       rte_strerror(-*rc));
	}
	b->t->fibs[slot] = r;
	free(q);
	return fibrec_lpm(r);
}

/*
 * See tables_impl.h. Copy n spec IPv6 prefixes (routes or sources, `kind`) into records at
 * out, host bits cleared, next hop = the peer id. A bad length or an
 * unconfigured peer fails naming the prefix. 0 or a negative errno.
 */
int
load_pfx6(struct tbl_build *b, const struct ixg_spec_route6 *r, uint32_t n,
	  enum pfx_kind kind, struct fib_pfx6 *out)
{
	for (uint32_t i = 0; i < n; i++) {
		/* routes may name an ECMP group, sources only peers */
		uint32_t nh = kind == PK_ROUTE ? tbl_route_nh(b, r[i].peer_id,
							      r[i].origin, 6)
			      : tbl_peer_ok(b, r[i].peer_id) ? r[i].peer_id
							     : NH_NONE;

		if (r[i].len > 128 || nh == NH_NONE) {
			char what[128];

			tbl_describe(b->spec, pfx_table(kind, 6), i, what,
				     sizeof(what));
			return tbl_fail(b, -EINVAL, "%s: %s", what,
					r[i].len > 128 ? "bad length"
						       : "peer not configured");
		}
		mask6(out[i].addr, r[i].addr, r[i].len);
		out[i].len = r[i].len;
		out[i].kind = (uint8_t)kind;
		out[i].idx = i;
		out[i].nh = nh;
	}
	return 0;
}
