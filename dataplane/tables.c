/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tables.c - build and free a dataplane snapshot (see tables.h).
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
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "acl_key.h"
#include "fib6_compat.h"
#include "fibrec.h"
#include "mono.h"
#include "tables.h"

enum pfx_kind {
	PK_ROUTE,
	PK_BLACKHOLE,
	PK_LOCAL,
	PK_SOURCE,
	PK_COUNTRY,
};

struct build {
	const struct ixg_spec *spec;
	const struct ixg_spec *prev_spec; /* NULL: build everything */
	const struct tables *prev;
	struct tables *t;
	char *err;
	size_t errlen;
	int64_t now;
};

static int fail(struct build *b, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct build *b, int rc, const char *fmt, ...)
{
	va_list ap;

	if (b->err != NULL && b->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	return rc < 0 ? rc : -EINVAL;
}

static unsigned long parts_live;

/* Whether n_a elements at a and n_b at b (each sz bytes) are the same. */
static int
same_array(const void *a, uint32_t n_a, const void *bp, uint32_t n_b, size_t sz)
{
	if (n_a != n_b)
		return 0;
	if (n_a == 0 || a == bp)
		return 1;
	if (a == NULL || bp == NULL)
		return 0;
	return memcmp(a, bp, (size_t)n_a * sz) == 0;
}

#define SAME(b, field, n_field)                                                \
	same_array((b)->spec->field, (b)->spec->n_field,                       \
		   (b)->prev_spec->field, (b)->prev_spec->n_field,             \
		   sizeof(*(b)->spec->field))

/* Whether the new snapshot configures the same peer ids as the previous
 * one (builders that check_peer() would judge every id alike). */
static int
same_peer_ids(const struct build *b)
{
	for (unsigned i = 0; i < IXG_MAX_PEERS; i++)
		if (b->t->peers[i].configured != b->prev->peers[i].configured)
			return 0;
	return 1;
}

/*
 * Start component p of the new snapshot: with `same` (its inputs are
 * unchanged since b->prev) take a reference to b->prev's component and
 * return 1; otherwise give the new snapshot a fresh count and return 0 for
 * the caller to build it. Negative errno on failure.
 */
static int
part_begin(struct build *b, enum tbl_part p, int same)
{
	const struct tables *o = b->prev;
	struct tables *t = b->t;

	if (same && o != NULL && o->part_refs[p] != NULL) {
		switch (p) {
		case TBL_PART_ROUTE4:
			t->route4 = o->route4;
			t->fibs[FIB_ROUTE4] = o->fibs[FIB_ROUTE4];
			break;
		case TBL_PART_ROUTE6:
			t->route6 = o->route6;
			t->fibs[FIB_ROUTE6] = o->fibs[FIB_ROUTE6];
			break;
		case TBL_PART_SAV:
			t->sav4 = o->sav4;
			t->sav6 = o->sav6;
			t->fibs[FIB_SAV4] = o->fibs[FIB_SAV4];
			t->fibs[FIB_SAV6] = o->fibs[FIB_SAV6];
			t->n_sav_sets = o->n_sav_sets;
			t->n_sav_sets_used = o->n_sav_sets_used;
			t->sav_slots = o->sav_slots;
			t->n_sav_slots = o->n_sav_slots;
			t->n_sav_set_peers = o->n_sav_set_peers;
			t->sav_sets = o->sav_sets;
			t->sav_set_peers = o->sav_set_peers;
			break;
		case TBL_PART_ACL:
			t->acl4 = o->acl4;
			t->acl6 = o->acl6;
			t->n_acl_actions = o->n_acl_actions;
			t->acl_actions = o->acl_actions;
			break;
		case TBL_PART_COUNTRY:
			t->country4 = o->country4;
			t->country6 = o->country6;
			t->fibs[FIB_COUNTRY4] = o->fibs[FIB_COUNTRY4];
			t->fibs[FIB_COUNTRY6] = o->fibs[FIB_COUNTRY6];
			break;
		case TBL_PARTS:
			return fail(b, -EINVAL, "tables: bad component");
		}
		t->part_refs[p] = o->part_refs[p];
		(*t->part_refs[p])++;
		return 1;
	}
	t->part_refs[p] = malloc(sizeof(*t->part_refs[p]));
	if (t->part_refs[p] == NULL)
		return fail(b, -ENOMEM, "tables: out of memory");
	*t->part_refs[p] = 1;
	parts_live++;
	return 0;
}

/* Drop t's reference to component p: 1 if t held the last one (or the
 * component was never shared) and its members are to be freed. */
static int
part_release(struct tables *t, enum tbl_part p)
{
	unsigned *r = t->part_refs[p];

	t->part_refs[p] = NULL;
	if (r == NULL)
		return 1;
	if (--*r > 0)
		return 0;
	free(r);
	parts_live--;
	return 1;
}

/* Whether blackhole i of spec s is in the FIBs at time now. */
static int
blackhole_live_at(const struct ixg_spec *s, uint32_t i, int64_t now)
{
	int64_t e = s->blackholes[i].expires;

	return e == 0 || e > now;
}

/* Whether the destination FIB of `family` can be taken from b->prev. */
static int
route_inputs_same(const struct build *b, uint8_t family)
{
	const struct ixg_spec *s = b->spec;

	if (b->prev == NULL || b->prev_spec == NULL)
		return 0;
	if (family == 4 ? !SAME(b, routes4, n_routes4)
			: !SAME(b, routes6, n_routes6))
		return 0;
	if (!SAME(b, blackholes, n_blackholes) ||
	    !SAME(b, local_addrs, n_local_addrs) || !same_peer_ids(b))
		return 0;
	for (uint32_t i = 0; i < s->n_blackholes; i++)
		if (s->blackholes[i].family == family &&
		    blackhole_live_at(s, i, b->now) !=
			    blackhole_live_at(s, i, b->prev->built_at))
			return 0;
	return 1;
}

static void
fmt_addr(char *buf, size_t len, int family, const void *addr)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static void
fmt_addr4h(char *buf, size_t len, uint32_t host)
{
	uint32_t n = htonl(host);

	fmt_addr(buf, len, 4, &n);
}

/* "route 10.0.0.0/8 (origin 17)": the spec object behind a prefix. */
static void
describe4(const struct build *b, enum pfx_kind kind, uint32_t idx, char *buf,
	  size_t len)
{
	const struct ixg_spec *s = b->spec;
	char a[INET6_ADDRSTRLEN];

	switch (kind) {
	case PK_ROUTE:
		fmt_addr4h(a, sizeof(a), s->routes4[idx].addr);
		snprintf(buf, len, "route %s/%u (origin %" PRIu32 ")", a,
			 s->routes4[idx].len, s->routes4[idx].origin);
		break;
	case PK_SOURCE:
		fmt_addr4h(a, sizeof(a), s->sources4[idx].addr);
		snprintf(buf, len, "source prefix %s/%u (origin %" PRIu32 ")",
			 a, s->sources4[idx].len, s->sources4[idx].origin);
		break;
	case PK_BLACKHOLE:
		fmt_addr(a, sizeof(a), 4, s->blackholes[idx].addr);
		snprintf(buf, len, "blackhole %s/%u (origin %" PRIu32 ")", a,
			 s->blackholes[idx].len, s->blackholes[idx].origin);
		break;
	case PK_LOCAL:
		fmt_addr(a, sizeof(a), 4, s->local_addrs[idx].addr);
		snprintf(buf, len, "local address %s (origin %" PRIu32 ")", a,
			 s->local_addrs[idx].origin);
		break;
	case PK_COUNTRY:
		fmt_addr4h(a, sizeof(a), s->country4[idx].addr);
		snprintf(buf, len, "country prefix %s/%u (entry %" PRIu32 ")",
			 a, s->country4[idx].len, idx);
		break;
	}
}

static void
describe6(const struct build *b, enum pfx_kind kind, uint32_t idx, char *buf,
	  size_t len)
{
	const struct ixg_spec *s = b->spec;
	char a[INET6_ADDRSTRLEN];

	switch (kind) {
	case PK_ROUTE:
		fmt_addr(a, sizeof(a), 6, s->routes6[idx].addr);
		snprintf(buf, len, "route %s/%u (origin %" PRIu32 ")", a,
			 s->routes6[idx].len, s->routes6[idx].origin);
		break;
	case PK_SOURCE:
		fmt_addr(a, sizeof(a), 6, s->sources6[idx].addr);
		snprintf(buf, len, "source prefix %s/%u (origin %" PRIu32 ")",
			 a, s->sources6[idx].len, s->sources6[idx].origin);
		break;
	case PK_BLACKHOLE:
		fmt_addr(a, sizeof(a), 6, s->blackholes[idx].addr);
		snprintf(buf, len, "blackhole %s/%u (origin %" PRIu32 ")", a,
			 s->blackholes[idx].len, s->blackholes[idx].origin);
		break;
	case PK_LOCAL:
		fmt_addr(a, sizeof(a), 6, s->local_addrs[idx].addr);
		snprintf(buf, len, "local address %s (origin %" PRIu32 ")", a,
			 s->local_addrs[idx].origin);
		break;
	case PK_COUNTRY:
		fmt_addr(a, sizeof(a), 6, s->country6[idx].addr);
		snprintf(buf, len, "country prefix %s/%u (entry %" PRIu32 ")",
			 a, s->country6[idx].len, idx);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* IPv4 prefixes as sortable keys: addr:32 | len:6 | kind:3 | idx:23.   */

#define K4_IDX_BITS 23
#define K4_IDX_MAX ((1u << K4_IDX_BITS) - 1)

static inline uint32_t
mask4(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static inline uint64_t
key4(uint32_t addr, uint8_t len, enum pfx_kind kind, uint32_t idx)
{
	return (uint64_t)(addr & mask4(len)) << 32 | (uint64_t)len << 26 |
	       (uint64_t)kind << K4_IDX_BITS | idx;
}

static inline uint32_t
key4_addr(uint64_t k)
{
	return (uint32_t)(k >> 32);
}
static inline uint8_t
key4_len(uint64_t k)
{
	return (k >> 26) & 0x3f;
}
static inline enum pfx_kind
key4_kind(uint64_t k)
{
	return (enum pfx_kind)((k >> K4_IDX_BITS) & 7);
}
static inline uint32_t
key4_idx(uint64_t k)
{
	return k & K4_IDX_MAX;
}

/* LSD radix sort, 16 bits per pass: linear time for a full table. */
static int
sort_keys4(uint64_t *k, size_t n)
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

/* Next hop of a sorted key (from its kind and index). */
typedef uint32_t (*nh4_fn)(const struct build *b, uint64_t k);

/*
 * Keep, of sorted keys, what changes a longest-prefix lookup: of several
 * keys with the same prefix the last one, and no prefix whose next hop is
 * its nearest covering prefix's (or the default's, NH_NONE): those would
 * only cost painting and groups. Writes the kept keys and their next
 * hops to ok/onh; returns how many.
 */
static size_t
prune4(const struct build *b, const uint64_t *k, size_t n, nh4_fn nh,
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

/*
 * Make the IPv4 table of `slot` holding the sorted keys (see prune4), by
 * patching the slot's spare or from scratch (fibrec.h). The next hop of
 * k[i] is nhs[i] if nhs is not NULL, else nh(k[i]). Sets t->fibs[slot]
 * and returns the table, or NULL with the error written and *rc set.
 */
static const struct lpm *
fib4_build(struct build *b, enum fib_slot slot, const uint64_t *k, size_t n,
	   nh4_fn nh, const uint32_t *nhs, int *rc)
{
	struct fibrec *r = NULL;
	uint64_t *ok = malloc((n + 1) * sizeof(*ok));
	uint32_t *onh = malloc((n + 1) * sizeof(*onh));
	size_t bad;

	if (ok == NULL || onh == NULL) {
		*rc = fail(b, -ENOMEM, "%s: out of memory",
			   fibrec_slot_name(slot));
		goto out;
	}
	ok[0] = 0; /* n may be 0: the table is then empty */
	onh[0] = 0;
	n = prune4(b, k, n, nh, nhs, ok, onh);
	r = fibrec_make4(slot, ok, onh, n, &b->t->fib_stat[slot], &bad, rc);
	if (r == NULL) {
		char what[128];

		if (bad < n)
			describe4(b, key4_kind(ok[bad]), key4_idx(ok[bad]),
				  what, sizeof(what));
		else
			snprintf(what, sizeof(what), "%s (%zu prefixes)",
				 fibrec_slot_name(slot), n);
		*rc = fail(b, *rc, "%s: %s: %s", what,
			   bad < n ? "bad prefix" : "table",
			   rte_strerror(-*rc));
	}
out:
	b->t->fibs[slot] = r;
	free(ok);
	free(onh);
	return fibrec_lpm(r);
}

/* ------------------------------------------------------------------ */
/* IPv6 prefixes as records.                                          */

static void
mask6(uint8_t out[16], const uint8_t in[16], uint8_t len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		out[i] = bits >= 8 ? in[i] : in[i] & (uint8_t)(0xff00 >> bits);
	}
}

/*
 * Sort records by (address, length), stable, so that records of one
 * prefix stay in load order (kind, then index). LSD radix sort, 16 bits
 * per pass: the length, then the address from its last bytes to its
 * first; a pass whose digits are all equal (host bits of /48s, the
 * shared top of 2000::/3) is skipped. qsort with a memcmp comparator
 * took ~170 ms for the bench's 315k source prefixes; this is linear.
 * 0 or -ENOMEM.
 */
static int
sort_pfx6(struct fib_pfx6 *p, size_t n)
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

static inline int
same_prefix6(const struct fib_pfx6 *a, const struct fib_pfx6 *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
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

/*
 * fib4_build for IPv6: the table of `slot` holding the sorted records,
 * pruned in place (see prune4).
 */
static const struct lpm *
fib6_build(struct build *b, enum fib_slot slot, struct fib_pfx6 *p, size_t n,
	   int *rc)
{
	struct fibrec *r;
	size_t bad;

	n = prune6(p, n);
	r = fibrec_make6(slot, p, n, &b->t->fib_stat[slot], &bad, rc);
	if (r == NULL) {
		char what[128];

		if (bad < n)
			describe6(b, (enum pfx_kind)p[bad].kind, p[bad].idx,
				  what, sizeof(what));
		else
			snprintf(what, sizeof(what), "%s (%zu prefixes)",
				 fibrec_slot_name(slot), n);
		*rc = fail(b, *rc, "%s: %s: %s", what,
			   bad < n ? "bad prefix" : "table",
			   rte_strerror(-*rc));
	}
	b->t->fibs[slot] = r;
	return fibrec_lpm(r);
}

/* ------------------------------------------------------------------ */
/* Ports, peers, local addresses.                                     */

static int
build_ports(struct build *b)
{
	const struct ixg_spec *s = b->spec;

	for (uint32_t i = 0; i < s->n_ports; i++) {
		const struct ixg_spec_port *sp = &s->ports[i];
		struct tbl_port *tp;

		if (sp->id >= IXG_MAX_PORTS)
			return fail(b, -EINVAL,
				    "port %s (origin %" PRIu32
				    "): id %u out of range",
				    sp->name, sp->origin, sp->id);
		tp = &b->t->ports[sp->id];
		tp->configured = 1;
		memcpy(tp->mac, sp->mac, 6);
		tp->mtu = sp->mtu;
		tp->dpdk_port = sp->id;
	}
	return 0;
}

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Slot of a QinQ triple in t->peer_qinq, adding it as `next` if new. */
static uint16_t
qinq_slot_get(struct tables *t, uint64_t key, uint16_t next)
{
	uint32_t h = tbl_peer_hash(key) & t->peer_qinq_mask;

	for (;; h = (h + 1) & t->peer_qinq_mask) {
		uint64_t e = t->peer_qinq[h];

		if (e == 0) {
			t->peer_qinq[h] = (uint64_t)next << 48 | key;
			return next;
		}
		if ((e & 0xffffffffffffull) == key)
			return (uint16_t)(e >> 48);
	}
}

/* The slot of (port, outer VLAN, VLAN), 0 for a key no frame can carry. */
static uint16_t
peer_slot_get(struct tables *t, const struct ixg_spec_peer *sp, uint16_t next)
{
	uint16_t *vs;

	if (sp->vlan >= TBL_VLANS || sp->outer_vlan >= TBL_VLANS)
		return 0;
	if (sp->outer_vlan != 0)
		return qinq_slot_get(
			t, tbl_qinq_key(sp->port_id, sp->outer_vlan, sp->vlan),
			next);
	vs = &t->peer_vlan_slot[sp->port_id * TBL_VLANS + sp->vlan];
	if (*vs == 0)
		*vs = next;
	return *vs;
}

/*
 * The direct ingress-peer tables (tables.h, struct tbl_peer_slot) from the
 * peers build_peers() has checked: ports valid, no (port, VLANs, MAC) twice.
 * An exchange has few (port, VLAN) pairs, so one array per port indexes
 * them by VLAN; the public peering LAN is one slot with thousands of MACs,
 * so each slot hashes its MACs instead of scanning them.
 */
static int
build_peer_direct(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	uint32_t n_qinq = 0, n_slots = 1, total = 0;
	uint16_t *slot_of = NULL;
	uint32_t *count = NULL;
	int rc = 0;

	t->peer_vlan_slot = rte_zmalloc(
		"peer_vlan_slot", IXG_MAX_PORTS * TBL_VLANS * sizeof(uint16_t),
		RTE_CACHE_LINE_SIZE);
	if (t->peer_vlan_slot == NULL)
		return fail(b, -ENOMEM, "peer VLAN table: out of memory");
	for (uint32_t i = 0; i < s->n_peers; i++)
		n_qinq += s->peers[i].outer_vlan != 0;
	if (n_qinq > 0) {
		t->peer_qinq_mask = pow2_at_least(2 * n_qinq) - 1;
		t->peer_qinq = rte_zmalloc(
			"peer_qinq", (t->peer_qinq_mask + 1) * sizeof(uint64_t),
			RTE_CACHE_LINE_SIZE);
		if (t->peer_qinq == NULL)
			return fail(b, -ENOMEM, "peer QinQ map: out of memory");
	}

	/* Every peer has its own id, so there are at most n_peers slots. */
	slot_of = calloc(s->n_peers + 1, sizeof(*slot_of));
	count = calloc(s->n_peers + 1, sizeof(*count));
	if (slot_of == NULL || count == NULL) {
		rc = fail(b, -ENOMEM, "peer slots: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < s->n_peers; i++) {
		slot_of[i] = peer_slot_get(t, &s->peers[i], (uint16_t)n_slots);
		if (slot_of[i] == n_slots)
			n_slots++;
		if (slot_of[i] != 0)
			count[slot_of[i]] += s->peers[i].n_macs;
	}

	t->n_peer_slots = n_slots;
	t->peer_slots = rte_zmalloc("peer_slots",
				    n_slots * sizeof(*t->peer_slots),
				    RTE_CACHE_LINE_SIZE);
	if (t->peer_slots == NULL) {
		rc = fail(b, -ENOMEM, "peer slots: out of memory");
		goto out;
	}
	/*
	 * Laid out largest first, so each slot table starts at a multiple of
	 * its size and a probe wraps with masks alone (stage_peer). Slot 0
	 * has one entry, which stays empty.
	 */
	for (uint32_t i = 0; i < n_slots; i++) {
		t->peer_slots[i].mask = pow2_at_least(2 * count[i]) - 1;
		if (t->peer_slots[i].mask + 1 > total)
			total = t->peer_slots[i].mask + 1;
	}
	for (uint32_t size = total, next = 0; size > 0; size >>= 1) {
		for (uint32_t i = 0; i < n_slots; i++) {
			if (t->peer_slots[i].mask + 1 != size)
				continue;
			t->peer_slots[i].first = next;
			next += size;
		}
		total = next;
	}
	t->peer_macs = rte_zmalloc("peer_macs", total * sizeof(uint64_t),
				   RTE_CACHE_LINE_SIZE);
	if (t->peer_macs == NULL) {
		rc = fail(b, -ENOMEM, "peer MAC table: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *sp = &s->peers[i];
		const struct tbl_peer_slot *ps = &t->peer_slots[slot_of[i]];

		if (slot_of[i] == 0)
			continue;
		for (unsigned m = 0; m < sp->n_macs; m++) {
			uint64_t mac = tbl_mac48(sp->macs[m]);
			uint32_t h = tbl_peer_hash(mac) & ps->mask;

			while (t->peer_macs[ps->first + h] != 0)
				h = (h + 1) & ps->mask;
			t->peer_macs[ps->first + h] = (uint64_t)sp->id << 48 |
						      mac;
		}
	}
out:
	free(slot_of);
	free(count);
	return rc;
}

static int
build_peers(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	struct rte_hash_parameters hp = {0};
	char name[RTE_HASH_NAMESIZE];
	uint32_t n_macs = 0;

	for (uint32_t i = 0; i < s->n_peers; i++)
		n_macs += s->peers[i].n_macs;
	snprintf(name, sizeof(name), "pl2_%" PRIu64, t->generation);
	hp.name = name;
	hp.entries = n_macs * 2 < 64 ? 64 : n_macs * 2;
	hp.key_len = sizeof(struct tbl_peer_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	t->peer_by_l2 = rte_hash_create(&hp);
	if (t->peer_by_l2 == NULL)
		return fail(b, -rte_errno, "peer hash %s: rte_hash_create: %s",
			    name, rte_strerror(rte_errno));

	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *sp = &s->peers[i];
		struct tbl_peer *tp;

		if (sp->id == IXG_PEER_NONE || sp->id >= IXG_MAX_PEERS)
			return fail(b, -EINVAL,
				    "peer %s (origin %" PRIu32
				    "): id %u out of range",
				    sp->name, sp->origin, sp->id);
		tp = &t->peers[sp->id];
		if (tp->configured)
			return fail(b, -EEXIST,
				    "peer %s (origin %" PRIu32
				    "): id %u already used by peer %s",
				    sp->name, sp->origin, sp->id, tp->name);
		if (sp->port_id >= IXG_MAX_PORTS ||
		    !t->ports[sp->port_id].configured)
			return fail(b, -EINVAL,
				    "peer %s (origin %" PRIu32
				    "): port %u not configured",
				    sp->name, sp->origin, sp->port_id);
		if (sp->n_macs == 0 || sp->n_macs > IXG_MAX_PEER_MACS)
			return fail(b, -EINVAL,
				    "peer %s (origin %" PRIu32 "): %u MACs",
				    sp->name, sp->origin, sp->n_macs);
		if (sp->sav_mode > IXG_SAV_OFF)
			return fail(b, -EINVAL,
				    "peer %s (origin %" PRIu32
				    "): bad sav mode %u",
				    sp->name, sp->origin, sp->sav_mode);
		tp->configured = 1;
		tp->sav_mode = sp->sav_mode;
		tp->port_id = sp->port_id;
		tp->vlan = sp->vlan;
		tp->outer_vlan = sp->outer_vlan;
		tp->country = sp->country;
		memcpy(tp->dmac, sp->macs[0], 6);
		snprintf(tp->name, sizeof(tp->name), "%s", sp->name);

		for (unsigned m = 0; m < sp->n_macs; m++) {
			struct tbl_peer_key key = {
				.port_id = sp->port_id,
				.outer_vlan = sp->outer_vlan,
				.vlan = sp->vlan,
			};
			void *old;
			int r;

			memcpy(key.mac, sp->macs[m], 6);
			if (rte_hash_lookup_data(t->peer_by_l2, &key, &old) >=
			    0)
				return fail(b, -EEXIST,
					    "peer %s (origin %" PRIu32
					    "): MAC %u already belongs "
					    "to peer %s on this port/VLAN",
					    sp->name, sp->origin, m,
					    t->peers[(uintptr_t)old].name);
			r = rte_hash_add_key_data(t->peer_by_l2, &key,
						  (void *)(uintptr_t)sp->id);
			if (r < 0)
				return fail(b, r,
					    "peer %s (origin %" PRIu32
					    "): rte_hash_add_key_data: %s",
					    sp->name, sp->origin,
					    rte_strerror(-r));
		}
	}
	return build_peer_direct(b);
}

static int
build_locals(struct build *b)
{
	const struct ixg_spec *s = b->spec;

	if (s->n_local_addrs > IXG_MAX_LOCAL_ADDRS)
		return fail(b, -ENOSPC, "local addresses: %" PRIu32 " > %u",
			    s->n_local_addrs, IXG_MAX_LOCAL_ADDRS);
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *sl = &s->local_addrs[i];
		struct tbl_local_addr *tl = &b->t->local_addrs[i];

		if (sl->family != 4 && sl->family != 6)
			return fail(b, -EINVAL,
				    "local address (origin %" PRIu32
				    "): family %u",
				    sl->origin, sl->family);
		tl->port_id = sl->port_id;
		tl->vlan = sl->vlan;
		tl->family = sl->family;
		tl->len = sl->len;
		memcpy(tl->addr, sl->addr, 16);
	}
	b->t->n_local_addrs = s->n_local_addrs;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Destination FIBs: routes, then blackholes, then local addresses.    */

static int
check_peer(struct build *b, uint16_t peer)
{
	return peer != IXG_PEER_NONE && peer < IXG_MAX_PEERS &&
	       b->t->peers[peer].configured;
}

static int
build_blackholes(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;

	if (s->n_blackholes > NH_INDEX_MASK + 1)
		return fail(b, -ENOSPC, "blackholes: %" PRIu32 " > %u",
			    s->n_blackholes, NH_INDEX_MASK + 1);
	t->blackholes = rte_zmalloc(
		"blackholes", (s->n_blackholes + 1) * sizeof(*t->blackholes),
		0);
	if (t->blackholes == NULL)
		return fail(b, -ENOMEM, "blackholes: out of memory");
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *sb = &s->blackholes[i];
		struct tbl_blackhole *tb = &t->blackholes[i];

		if ((sb->family != 4 || sb->len > 32) &&
		    (sb->family != 6 || sb->len > 128)) {
			char what[128];

			if (sb->family == 6)
				describe6(b, PK_BLACKHOLE, i, what,
					  sizeof(what));
			else
				describe4(b, PK_BLACKHOLE, i, what,
					  sizeof(what));
			return fail(b, -EINVAL,
				    "%s: bad family %u or length "
				    "%u",
				    what, sb->family, sb->len);
		}
		tb->family = sb->family;
		tb->len = sb->len;
		tb->expires = sb->expires;
		memcpy(tb->addr, sb->addr, 16);
		if (sb->expires > b->now &&
		    (t->next_expiry == 0 || sb->expires < t->next_expiry))
			t->next_expiry = sb->expires;
	}
	t->n_blackholes = s->n_blackholes;
	return 0;
}

/* Blackholes whose expiry has passed are left out of the FIBs. */
static int
blackhole_live(const struct build *b, uint32_t i)
{
	return blackhole_live_at(b->spec, i, b->now);
}

static uint32_t
route_nh4(const struct build *b, uint64_t k)
{
	uint32_t idx = key4_idx(k);

	switch (key4_kind(k)) {
	case PK_ROUTE: return b->spec->routes4[idx].peer_id;
	case PK_BLACKHOLE: return NH_BLACKHOLE | idx;
	case PK_LOCAL: return NH_LOCAL | idx;
	default: return NH_NONE;
	}
}

static int
build_route4(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	size_t n = 0,
	       cap = (size_t)s->n_routes4 + s->n_blackholes + s->n_local_addrs;
	uint64_t *k;
	int rc = part_begin(b, TBL_PART_ROUTE4, route_inputs_same(b, 4));

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (s->n_routes4 > IXG_MAX_ROUTES4)
		return fail(b, -ENOSPC, "IPv4 routes: %" PRIu32 " > %u",
			    s->n_routes4, IXG_MAX_ROUTES4);
	k = malloc((cap + 1) * sizeof(*k));
	if (k == NULL)
		return fail(b, -ENOMEM, "IPv4 routes: out of memory");
	for (uint32_t i = 0; i < s->n_routes4; i++) {
		const struct ixg_spec_route4 *r = &s->routes4[i];

		if (r->len > 32 || !check_peer(b, r->peer_id)) {
			char what[128];

			describe4(b, PK_ROUTE, i, what, sizeof(what));
			free(k);
			return fail(b, -EINVAL, "%s: %s", what,
				    r->len > 32 ? "bad length"
						: "peer not configured");
		}
		k[n++] = key4(r->addr, r->len, PK_ROUTE, i);
	}
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		uint32_t a;

		if (h->family != 4 || !blackhole_live(b, i))
			continue;
		memcpy(&a, h->addr, 4);
		k[n++] = key4(ntohl(a), h->len, PK_BLACKHOLE, i);
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];
		uint32_t a;

		if (l->family != 4)
			continue;
		memcpy(&a, l->addr, 4);
		k[n++] = key4(ntohl(a), 32, PK_LOCAL, i);
	}
	if ((rc = sort_keys4(k, n)) < 0) {
		free(k);
		return fail(b, rc, "IPv4 routes: out of memory");
	}
	b->t->route4 = fib4_build(b, FIB_ROUTE4, k, n, route_nh4, NULL, &rc);
	free(k);
	return rc;
}

/*
 * Copy n spec IPv6 prefixes (routes or sources, `kind`) into records at
 * out, host bits cleared, next hop = the peer id. A bad length or an
 * unconfigured peer fails naming the prefix. 0 or a negative errno.
 */
static int
load_pfx6(struct build *b, const struct ixg_spec_route6 *r, uint32_t n,
	  enum pfx_kind kind, struct fib_pfx6 *out)
{
	for (uint32_t i = 0; i < n; i++) {
		if (r[i].len > 128 || !check_peer(b, r[i].peer_id)) {
			char what[128];

			describe6(b, kind, i, what, sizeof(what));
			return fail(b, -EINVAL, "%s: %s", what,
				    r[i].len > 128 ? "bad length"
						   : "peer not configured");
		}
		mask6(out[i].addr, r[i].addr, r[i].len);
		out[i].len = r[i].len;
		out[i].kind = (uint8_t)kind;
		out[i].idx = i;
		out[i].nh = r[i].peer_id;
	}
	return 0;
}

static int
build_route6(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	size_t n = 0,
	       cap = (size_t)s->n_routes6 + s->n_blackholes + s->n_local_addrs;
	struct fib_pfx6 *p;
	int rc = part_begin(b, TBL_PART_ROUTE6, route_inputs_same(b, 6));

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (s->n_routes6 > IXG_MAX_ROUTES6)
		return fail(b, -ENOSPC, "IPv6 routes: %" PRIu32 " > %u",
			    s->n_routes6, IXG_MAX_ROUTES6);
	p = calloc(cap + 1, sizeof(*p));
	if (p == NULL)
		return fail(b, -ENOMEM, "IPv6 routes: out of memory");
	rc = load_pfx6(b, s->routes6, s->n_routes6, PK_ROUTE, p);
	if (rc < 0) {
		free(p);
		return rc;
	}
	n = s->n_routes6;
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];

		if (h->family != 6 || !blackhole_live(b, i))
			continue;
		mask6(p[n].addr, h->addr, h->len);
		p[n].len = h->len;
		p[n].kind = PK_BLACKHOLE;
		p[n].idx = i;
		p[n++].nh = NH_BLACKHOLE | i;
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];

		if (l->family != 6)
			continue;
		memcpy(p[n].addr, l->addr, 16);
		p[n].len = 128;
		p[n].kind = PK_LOCAL;
		p[n].idx = i;
		p[n++].nh = NH_LOCAL | i;
	}
	if (sort_pfx6(p, n) < 0) {
		free(p);
		return fail(b, -ENOMEM, "IPv6 routes: out of memory");
	}
	b->t->route6 = fib6_build(b, FIB_ROUTE6, p, n, &rc);
	free(p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Source validation: per prefix, the peers of it and of its covering
 * prefixes, deduplicated into sets.                                  */

struct sav_builder {
	/* distinct multi-peer sets */
	struct tbl_sav_set *sets;
	uint32_t n_sets, cap_sets;
	uint16_t *peers;
	uint32_t n_peers, cap_peers;
	/* open-addressing index of sets: slot = set index + 1, 0 empty */
	uint32_t *slots;
	uint32_t n_slots;
	/* the covering-prefix stack; each entry's set lives in `scratch` */
	uint16_t *scratch;
	size_t n_scratch, cap_scratch;
	/* used[i]: set i is some prefix's next hop (sets seeded from the
	 * previous snapshot may no longer be) */
	uint8_t *used;
	uint32_t n_used;
	uint32_t last; /* the set sav_step interned or found last */
};

struct sav_frame {
	uint8_t addr[16];
	uint8_t len;
	size_t mark; /* scratch length before this frame: restored on pop */
	size_t off, n; /* the set in scratch (may be the parent's) */
	int64_t nh; /* its FIB next hop */
};

static uint32_t
set_hash(const uint16_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	/* The multiplications only carry low bits upwards, and the index is
	 * the low bits: without this final mix (MurmurHash3's fmix32) sets
	 * of small peer ids with equal low bits all probe one cluster (the
	 * full bench table's 4,095 peers made interning 13% of a commit). */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static int
sav_rehash(struct sav_builder *sb, uint32_t n_slots)
{
	uint32_t *slots = calloc(n_slots, sizeof(*slots));

	if (slots == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < sb->n_sets; i++) {
		const struct tbl_sav_set *st = &sb->sets[i];
		uint32_t h = set_hash(&sb->peers[st->first], st->n);

		while (slots[h & (n_slots - 1)] != 0)
			h++;
		slots[h & (n_slots - 1)] = i + 1;
	}
	free(sb->slots);
	sb->slots = slots;
	sb->n_slots = n_slots;
	return 0;
}

/* Index of the set equal to p[0..n), adding it if new; negative errno. */
static int64_t
sav_intern(struct sav_builder *sb, const uint16_t *p, size_t n)
{
	uint32_t h;

	if (sb->n_sets * 2 >= sb->n_slots &&
	    sav_rehash(sb, sb->n_slots ? sb->n_slots * 2 : 1024) < 0)
		return -ENOMEM;
	h = set_hash(p, n);
	for (;; h++) {
		uint32_t s = sb->slots[h & (sb->n_slots - 1)];
		const struct tbl_sav_set *st;

		if (s == 0)
			break;
		st = &sb->sets[s - 1];
		if (st->n == n &&
		    memcmp(&sb->peers[st->first], p, n * sizeof(*p)) == 0)
			return s - 1;
	}
	/* SAV_SET + index must stay below 2^31 (4-byte next hops) */
	if (sb->n_sets >= (1u << 30) || sb->n_peers + n >= (1u << 31))
		return -ENOSPC;
	if (sb->n_sets == sb->cap_sets) {
		uint32_t c = sb->cap_sets ? sb->cap_sets * 2 : 64;
		void *q = realloc(sb->sets, c * sizeof(*sb->sets));

		if (q == NULL)
			return -ENOMEM;
		sb->sets = q;
		q = realloc(sb->used, c);
		if (q == NULL)
			return -ENOMEM;
		sb->used = q;
		sb->cap_sets = c;
	}
	if (sb->n_peers + n > sb->cap_peers) {
		/* 64-bit: cap_peers + n may be just under 2^31, and twice that
		 * must not wrap to a small buffer. */
		uint64_t c = ((uint64_t)sb->cap_peers + n) * 2;
		void *q;

		if (c > (1u << 31))
			c = 1u << 31;
		q = realloc(sb->peers, (size_t)c * sizeof(*sb->peers));

		if (q == NULL)
			return -ENOMEM;
		sb->peers = q;
		sb->cap_peers = (uint32_t)c;
	}
	memcpy(&sb->peers[sb->n_peers], p, n * sizeof(*p));
	sb->sets[sb->n_sets].first = sb->n_peers;
	sb->sets[sb->n_sets].n = (uint16_t)n;
	sb->n_peers += (uint32_t)n;
	sb->slots[h & (sb->n_slots - 1)] = sb->n_sets + 1;
	sb->used[sb->n_sets] = 0;
	return sb->n_sets++;
}

static int
scratch_reserve(struct sav_builder *sb, size_t more)
{
	if (sb->n_scratch + more > sb->cap_scratch) {
		size_t c = (sb->cap_scratch + more) * 2;
		void *q = realloc(sb->scratch, c * sizeof(*sb->scratch));

		if (q == NULL)
			return -ENOMEM;
		sb->scratch = q;
		sb->cap_scratch = c;
	}
	return 0;
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int
covers(const struct sav_frame *f, const uint8_t *addr, uint8_t len)
{
	uint8_t m[16];

	if (f->len > len)
		return 0;
	mask6(m, addr, f->len);
	return memcmp(m, f->addr, 16) == 0;
}

/*
 * One step of the covering-prefix walk. The group's own peers are
 * grp[0..ng) (any order, may repeat); the frame stack is popped to the
 * nearest cover, the new frame pushed with the sorted union, and the FIB
 * next hop for the group returned (or a negative errno).
 */
/* Whether every element of sorted grp[0..ng) is in sorted up[0..nu). */
static int
sav_subset(const uint16_t *grp, size_t ng, const uint16_t *up, size_t nu)
{
	size_t i = 0;

	for (size_t j = 0; j < ng; j++) {
		while (i < nu && up[i] < grp[j])
			i++;
		if (i == nu || up[i] != grp[j])
			return 0;
	}
	return 1;
}

static int64_t
sav_step(struct sav_builder *sb, struct sav_frame *stack, size_t *depth,
	 const uint8_t addr[16], uint8_t len, uint16_t *grp, size_t ng)
{
	const uint16_t *up = NULL;
	size_t nu = 0, off, n = 0, i = 0, j = 0;
	struct sav_frame *f, *top = NULL;
	int64_t set;

	while (*depth > 0 && !covers(&stack[*depth - 1], addr, len))
		sb->n_scratch = stack[--(*depth)].mark;
	if (*depth > 0) {
		top = &stack[*depth - 1];
		up = &sb->scratch[top->off];
		nu = top->n;
	}
	if (ng > 1)
		qsort(grp, ng, sizeof(*grp), cmp_u16);
	f = &stack[(*depth)++];
	memcpy(f->addr, addr, 16);
	f->len = len;
	f->mark = sb->n_scratch;
	/* Most prefixes add no peer to their cover's set (a more-specific
	 * announced by a peer already allowed above it): same set, same
	 * next hop, nothing to merge or intern. */
	if (top != NULL && sav_subset(grp, ng, up, nu)) {
		f->off = top->off;
		f->n = top->n;
		f->nh = top->nh;
		return f->nh;
	}
	if (scratch_reserve(sb, nu + ng) < 0)
		return -ENOMEM;
	if (top != NULL) /* scratch may have moved */
		up = &sb->scratch[top->off];
	off = sb->n_scratch;
	while (i < nu || j < ng) {
		uint16_t v;

		if (j >= ng || (i < nu && up[i] <= grp[j]))
			v = up[i++];
		else
			v = grp[j++];
		if (n == 0 || sb->scratch[off + n - 1] != v)
			sb->scratch[off + n++] = v;
	}
	sb->n_scratch = off + n;
	f->off = off;
	f->n = n;
	if (n == 1) {
		f->nh = sb->scratch[off];
		return f->nh;
	}
	/* Siblings under one cover often make the same union: try the set
	 * interned last before hashing (a cache miss or three). */
	if (sb->n_sets > 0 && sb->sets[sb->last].n == n &&
	    memcmp(&sb->peers[sb->sets[sb->last].first], &sb->scratch[off],
		   n * sizeof(uint16_t)) == 0) {
		set = sb->last;
	} else {
		set = sav_intern(sb, &sb->scratch[off], n);
		if (set < 0) {
			(*depth)--;
			return set;
		}
		sb->last = (uint32_t)set;
	}
	sb->n_used += !sb->used[set];
	sb->used[set] = 1;
	f->nh = SAV_SET + set;
	return f->nh;
}

static int
build_sav4(struct build *b, struct sav_builder *sb)
{
	const struct ixg_spec *s = b->spec;
	struct sav_frame stack[33];
	uint16_t grp[IXG_MAX_PEERS];
	size_t depth = 0, n = s->n_sources4, out = 0;
	uint64_t *k;
	uint32_t *nhs;
	int rc;

	if (n == 0)
		return 0;
	if (n > K4_IDX_MAX)
		return fail(b, -ENOSPC, "IPv4 source prefixes: %zu", n);
	k = malloc(n * sizeof(*k));
	nhs = malloc(n * sizeof(*nhs));
	if (k == NULL || nhs == NULL) {
		free(k);
		free(nhs);
		return fail(b, -ENOMEM, "IPv4 sources: out of memory");
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ixg_spec_route4 *r = &s->sources4[i];

		if (r->len > 32 || !check_peer(b, r->peer_id)) {
			char what[128];

			describe4(b, PK_SOURCE, i, what, sizeof(what));
			free(k);
			free(nhs);
			return fail(b, -EINVAL, "%s: %s", what,
				    r->len > 32 ? "bad length"
						: "peer not configured");
		}
		k[i] = key4(r->addr, r->len, PK_SOURCE, i);
	}
	if ((rc = sort_keys4(k, n)) < 0) {
		free(k);
		free(nhs);
		return fail(b, rc, "IPv4 sources: out of memory");
	}
	/* Replace each group of equal prefixes by one key holding its nh. */
	for (size_t i = 0; i < n;) {
		uint8_t a[16] = {0};
		uint32_t an = htonl(key4_addr(k[i]));
		size_t ng = 0, g = i;
		int64_t nh;

		while (g < n && k[g] >> 26 == k[i] >> 26) {
			if (ng < IXG_MAX_PEERS)
				grp[ng++] = s->sources4[key4_idx(k[g])].peer_id;
			g++;
		}
		memcpy(a, &an, 4);
		nh = sav_step(sb, stack, &depth, a, key4_len(k[i]), grp, ng);
		if (nh < 0) {
			char what[128];

			describe4(b, PK_SOURCE, key4_idx(k[i]), what,
				  sizeof(what));
			free(k);
			free(nhs);
			return fail(b, (int)nh, "%s: peer sets: %s", what,
				    strerror((int)-nh));
		}
		nhs[out] = (uint32_t)nh;
		k[out++] = k[i];
		i = g;
	}
	b->t->sav4 = fib4_build(b, FIB_SAV4, k, out, NULL, nhs, &rc);
	free(k);
	free(nhs);
	return rc;
}

static int
build_sav6(struct build *b, struct sav_builder *sb)
{
	const struct ixg_spec *s = b->spec;
	struct sav_frame stack[129];
	uint16_t grp[IXG_MAX_PEERS];
	size_t depth = 0, n = s->n_sources6, out = 0;
	struct fib_pfx6 *p;
	int rc = 0;

	if (n == 0)
		return 0;
	p = calloc(n, sizeof(*p));
	if (p == NULL)
		return fail(b, -ENOMEM, "IPv6 sources: out of memory");
	rc = load_pfx6(b, s->sources6, s->n_sources6, PK_SOURCE, p);
	if (rc < 0) {
		free(p);
		return rc;
	}
	if (sort_pfx6(p, n) < 0) {
		free(p);
		return fail(b, -ENOMEM, "IPv6 sources: out of memory");
	}
	for (size_t i = 0; i < n;) {
		size_t ng = 0, g = i;
		int64_t nh;

		while (g < n && same_prefix6(&p[g], &p[i])) {
			if (ng < IXG_MAX_PEERS)
				grp[ng++] = s->sources6[p[g].idx].peer_id;
			g++;
		}
		nh = sav_step(sb, stack, &depth, p[i].addr, p[i].len, grp, ng);
		if (nh < 0) {
			char what[128];

			describe6(b, PK_SOURCE, p[i].idx, what, sizeof(what));
			free(p);
			return fail(b, (int)nh, "%s: peer sets: %s", what,
				    strerror((int)-nh));
		}
		p[out] = p[i];
		p[out++].nh = (uint32_t)nh;
		i = g;
	}
	b->t->sav6 = fib6_build(b, FIB_SAV6, p, out, &rc);
	free(p);
	return rc;
}

/*
 * Start the peer sets with the previous snapshot's, at the same indices, so
 * that a prefix whose set did not change keeps its next hop and a patched
 * FIB (fibrec.h) changes only where the sets did. Sets no prefix uses any
 * more are carried along until they outnumber the used ones (plus 1024);
 * then this build numbers the sets afresh (and the FIBs are likely rebuilt).
 */
static int
sav_seed(struct build *b, struct sav_builder *sb)
{
	const struct tables *o = b->prev;
	uint32_t ns, np;

	if (o == NULL || o->n_sav_sets == 0 || o->sav_slots == NULL ||
	    o->n_sav_sets > 2 * (uint64_t)o->n_sav_sets_used + 1024)
		return 0;
	/* Copy the sets and their hash index as they are (~10 MB for the
	 * bench table's 495k sets) rather than interning each again: that
	 * was half a million cache-missing probes per commit. */
	ns = o->n_sav_sets;
	np = o->n_sav_set_peers;
	sb->sets = malloc((size_t)ns * sizeof(*sb->sets));
	sb->used = calloc(ns, 1);
	sb->peers = malloc(((size_t)np + 1) * sizeof(*sb->peers));
	sb->slots = malloc((size_t)o->n_sav_slots * sizeof(*sb->slots));
	if (sb->sets == NULL || sb->used == NULL || sb->peers == NULL ||
	    sb->slots == NULL)
		return fail(b, -ENOMEM, "sav sets: out of memory");
	memcpy(sb->sets, o->sav_sets, (size_t)ns * sizeof(*sb->sets));
	memcpy(sb->peers, o->sav_set_peers, (size_t)np * sizeof(*sb->peers));
	memcpy(sb->slots, o->sav_slots,
	       (size_t)o->n_sav_slots * sizeof(*sb->slots));
	sb->n_sets = sb->cap_sets = ns;
	sb->n_peers = np;
	sb->cap_peers = np + 1;
	sb->n_slots = o->n_sav_slots;
	return 0;
}

static int
build_sav(struct build *b)
{
	struct sav_builder sb = {0};
	struct tables *t = b->t;
	int rc;

	rc = part_begin(b, TBL_PART_SAV,
			b->prev != NULL && b->prev_spec != NULL &&
				SAME(b, sources4, n_sources4) &&
				SAME(b, sources6, n_sources6) &&
				same_peer_ids(b));
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if ((rc = sav_seed(b, &sb)) < 0)
		goto out;
	rc = build_sav4(b, &sb);
	sb.n_scratch = 0;
	if (rc == 0)
		rc = build_sav6(b, &sb);
	if (rc == 0) {
		t->n_sav_sets = sb.n_sets;
		t->sav_sets = rte_zmalloc(
			"sav_sets", (sb.n_sets + 1) * sizeof(*sb.sets), 0);
		t->sav_set_peers = rte_zmalloc(
			"sav_set_peers", (sb.n_peers + 1) * sizeof(uint16_t),
			0);
		if (t->sav_sets == NULL || t->sav_set_peers == NULL) {
			rc = fail(b, -ENOMEM, "sav sets: out of memory");
		} else {
			/* the index, for the next build's sav_seed */
			t->sav_slots = sb.slots;
			t->n_sav_slots = sb.n_slots;
			t->n_sav_set_peers = sb.n_peers;
			sb.slots = NULL;
			if (sb.n_sets)
				memcpy(t->sav_sets, sb.sets,
				       sb.n_sets * sizeof(*sb.sets));
			if (sb.n_peers)
				memcpy(t->sav_set_peers, sb.peers,
				       sb.n_peers * sizeof(uint16_t));
		}
	}
	t->n_sav_sets_used = sb.n_used;
out:
	free(sb.sets);
	free(sb.peers);
	free(sb.slots);
	free(sb.scratch);
	free(sb.used);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Countries.                                                         */

static uint32_t
country_nh4(const struct build *b, uint64_t k)
{
	return b->spec->country4[key4_idx(k)].country;
}

static int
build_country(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	int rc = 0;

	if (s->n_countries > IXG_MAX_COUNTRIES)
		return fail(b, -ENOSPC, "countries: %" PRIu32 " > %u",
			    s->n_countries, IXG_MAX_COUNTRIES);
	for (uint32_t i = 0; i < s->n_countries; i++)
		t->countries[i] = s->countries[i];
	t->n_countries = s->n_countries;
	rc = part_begin(b, TBL_PART_COUNTRY,
			b->prev != NULL && b->prev_spec != NULL &&
				SAME(b, countries, n_countries) &&
				SAME(b, country4, n_country4) &&
				SAME(b, country6, n_country6));
	if (rc != 0)
		return rc < 0 ? rc : 0;

	if (s->n_country4 > 0) {
		uint64_t *k;

		if (s->n_country4 > K4_IDX_MAX)
			return fail(b, -ENOSPC,
				    "IPv4 country prefixes: %" PRIu32,
				    s->n_country4);
		k = malloc(s->n_country4 * sizeof(*k));
		if (k == NULL)
			return fail(b, -ENOMEM, "countries: out of memory");
		for (uint32_t i = 0; i < s->n_country4; i++) {
			const struct ixg_spec_country4 *c = &s->country4[i];

			if (c->len > 32 || c->country >= s->n_countries) {
				char what[128];

				describe4(b, PK_COUNTRY, i, what, sizeof(what));
				free(k);
				return fail(b, -EINVAL,
					    "%s: bad length or "
					    "country index %u",
					    what, c->country);
			}
			k[i] = key4(c->addr, c->len, PK_COUNTRY, i);
		}
		if ((rc = sort_keys4(k, s->n_country4)) == 0) {
			t->country4 = fib4_build(b, FIB_COUNTRY4, k,
						 s->n_country4, country_nh4,
						 NULL, &rc);
		} else {
			rc = fail(b, rc, "countries: out of memory");
		}
		free(k);
		if (rc < 0)
			return rc;
	}
	if (s->n_country6 > 0) {
		struct fib_pfx6 *p = calloc(s->n_country6, sizeof(*p));

		if (p == NULL)
			return fail(b, -ENOMEM, "countries: out of memory");
		for (uint32_t i = 0; i < s->n_country6; i++) {
			const struct ixg_spec_country6 *c = &s->country6[i];

			if (c->len > 128 || c->country >= s->n_countries) {
				char what[128];

				describe6(b, PK_COUNTRY, i, what, sizeof(what));
				free(p);
				return fail(b, -EINVAL,
					    "%s: bad length or "
					    "country index %u",
					    what, c->country);
			}
			mask6(p[i].addr, c->addr, c->len);
			p[i].len = c->len;
			p[i].kind = PK_COUNTRY;
			p[i].idx = i;
			p[i].nh = c->country;
		}
		if (sort_pfx6(p, s->n_country6) < 0) {
			free(p);
			return fail(b, -ENOMEM, "countries: out of memory");
		}
		t->country6 = fib6_build(b, FIB_COUNTRY6, p, s->n_country6,
					 &rc);
		free(p);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* ACL.                                                               */

RTE_ACL_RULE_DEF(acl4_rule, ACL4_NF);
RTE_ACL_RULE_DEF(acl6_rule, ACL6_NF);

#define FDEF(t, sz, f, idx, off)                                               \
	{                                                                      \
		.type = RTE_ACL_FIELD_TYPE_##t, .size = (sz),                  \
		.field_index = (f), .input_index = (idx), .offset = (off)      \
	}

/*
 * Trie order = order of these definitions: proto (rte_acl wants a 1-byte
 * first field), then destination, DSCP/peer, ports, source last. With the
 * natural order (proto, DSCP/peer, src, dst, ports) rte_acl_build splits
 * the 10k-rule bench ACL (fullspec: 8,506 IPv4 + 1,494 IPv6 rules, mostly
 * per-peer "UDP from port X to this /24" denies) into 2 tries per family,
 * and every packet walks both. Destination first (the most selective
 * field: each anti-reflection rule names one routed /24 or /48) keeps
 * each family in 1 trie. Measured (bench/pipeline_bench, 2026-11-24):
 *
 *   order (after proto)        tries v4/v6  ACL heap v4+v6  build v4+v6
 *   dscp/peer,src,dst,ports    2/2          10.4+3.9 MiB    4.9+0.6 s
 *   dst,dscp/peer,ports,src    1/1          34.5+5.9 MiB    1.0+0.2 s
 *   dst,src,dscp/peer,ports    1/1         353.9+60.6 MiB   (about 1.2x
 *                                                           the first)
 *
 * (build times: add_rules + build, this 2-core VM; last row measured
 * with the machine loaded). Instructions per
 * packet (callgrind, full scenario, 200k packets): see stage_acl.c.
 * Same rules, same priorities: classification results are identical
 * (checked on 3.2M keys drawn around the rules, both orders, 0 differ).
 */
static const struct rte_acl_field_def acl4_defs[ACL4_NF] = {
	FDEF(BITMASK, 1, ACL4_PROTO, 0, offsetof(struct acl_key4, proto)),
	FDEF(MASK, 4, ACL4_DST, 1, offsetof(struct acl_key4, dst)),
	FDEF(BITMASK, 2, ACL4_DSCP, 2, offsetof(struct acl_key4, dscp_l4)),
	FDEF(BITMASK, 2, ACL4_PEER, 2, offsetof(struct acl_key4, in_peer)),
	FDEF(RANGE, 2, ACL4_SPORT, 3, offsetof(struct acl_key4, sport)),
	FDEF(RANGE, 2, ACL4_DPORT, 3, offsetof(struct acl_key4, dport)),
	FDEF(MASK, 4, ACL4_SRC, 4, offsetof(struct acl_key4, src)),
};

static const struct rte_acl_field_def acl6_defs[ACL6_NF] = {
	FDEF(BITMASK, 1, ACL6_PROTO, 0, offsetof(struct acl_key6, proto)),
	FDEF(MASK, 4, ACL6_DST0, 1, offsetof(struct acl_key6, dst) + 0),
	FDEF(MASK, 4, ACL6_DST1, 2, offsetof(struct acl_key6, dst) + 4),
	FDEF(MASK, 4, ACL6_DST2, 3, offsetof(struct acl_key6, dst) + 8),
	FDEF(MASK, 4, ACL6_DST3, 4, offsetof(struct acl_key6, dst) + 12),
	FDEF(BITMASK, 2, ACL6_DSCP, 5, offsetof(struct acl_key6, dscp_l4)),
	FDEF(BITMASK, 2, ACL6_PEER, 5, offsetof(struct acl_key6, in_peer)),
	FDEF(RANGE, 2, ACL6_SPORT, 6, offsetof(struct acl_key6, sport)),
	FDEF(RANGE, 2, ACL6_DPORT, 6, offsetof(struct acl_key6, dport)),
	FDEF(MASK, 4, ACL6_SRC0, 7, offsetof(struct acl_key6, src) + 0),
	FDEF(MASK, 4, ACL6_SRC1, 8, offsetof(struct acl_key6, src) + 4),
	FDEF(MASK, 4, ACL6_SRC2, 9, offsetof(struct acl_key6, src) + 8),
	FDEF(MASK, 4, ACL6_SRC3, 10, offsetof(struct acl_key6, src) + 12),
};

static int
ports_any(const struct ixg_spec_acl_rule *r)
{
	return r->sport_lo == 0 && r->sport_hi == 65535 && r->dport_lo == 0 &&
	       r->dport_hi == 65535;
}

/* Fields shared by both families: proto, dscp/ports_ok, peer, ports. */
static void
acl_common(struct rte_acl_field *f, unsigned fproto, unsigned fdscp,
	   unsigned fpeer, unsigned fsport, unsigned fdport,
	   const struct ixg_spec_acl_rule *r)
{
	uint16_t need = ports_any(r) ? 0 : ACL_PORTS_OK;

	f[fproto].value.u8 = r->proto & r->proto_mask;
	f[fproto].mask_range.u8 = r->proto_mask;
	f[fdscp].value.u16 = need | (r->dscp_any ? 0 : (r->dscp & 0x3f));
	f[fdscp].mask_range.u16 = need | (r->dscp_any ? 0 : 0x3f);
	f[fpeer].value.u16 = r->in_peer;
	f[fpeer].mask_range.u16 = r->in_peer == IXG_PEER_NONE ? 0 : 0xffff;
	f[fsport].value.u16 = r->sport_lo;
	f[fsport].mask_range.u16 = r->sport_hi;
	f[fdport].value.u16 = r->dport_lo;
	f[fdport].mask_range.u16 = r->dport_hi;
}

static struct rte_acl_ctx *
acl_create(struct build *b, const char *name, size_t rule_size, uint32_t n,
	   int *rc)
{
	struct rte_acl_param p = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.rule_size = (uint32_t)rule_size,
		.max_rule_num = n,
	};
	struct rte_acl_ctx *ctx = rte_acl_create(&p);

	if (ctx == NULL)
		*rc = fail(b, -rte_errno, "%s: rte_acl_create: %s", name,
			   rte_strerror(rte_errno));
	return ctx;
}

static int
acl_finish(struct build *b, struct rte_acl_ctx *ctx, const char *name,
	   const void *rules, uint32_t n, unsigned nf,
	   const struct rte_acl_field_def *defs)
{
	struct rte_acl_config cfg = {
		.num_categories = 1,
		.num_fields = nf,
	};
	int r;

	memcpy(cfg.defs, defs, nf * sizeof(*defs));
	r = rte_acl_add_rules(ctx, rules, n);
	if (r < 0)
		return fail(b, r,
			    "%s: rte_acl_add_rules (%" PRIu32 " rules): %s",
			    name, n, rte_strerror(-r));
	r = rte_acl_build(ctx, &cfg);
	if (r < 0)
		return fail(b, r, "%s: rte_acl_build (%" PRIu32 " rules): %s",
			    name, n, rte_strerror(-r));
	return 0;
}

/* Rules ordered by (priority, id): rank 0 is evaluated first. */
static int
cmp_acl(const void *pa, const void *pb, void *arg)
{
	const struct ixg_spec_acl_rule *rules = arg;
	const struct ixg_spec_acl_rule *a = &rules[*(const uint32_t *)pa];
	const struct ixg_spec_acl_rule *b = &rules[*(const uint32_t *)pb];

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void
acl_describe(const struct ixg_spec_acl_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "acl rule %" PRIu32 "%s%s%s (origin %" PRIu32 ")",
		 r->id, r->name[0] ? " '" : "", r->name, r->name[0] ? "'" : "",
		 r->origin);
}

static int
build_acl(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	struct acl4_rule *r4 = NULL;
	struct acl6_rule *r6 = NULL;
	uint32_t *order = NULL, n4 = 0, n6 = 0;
	char name4[RTE_ACL_NAMESIZE], name6[RTE_ACL_NAMESIZE];
	int rc = part_begin(b, TBL_PART_ACL,
			    b->prev != NULL && b->prev_spec != NULL &&
				    SAME(b, acl_rules, n_acl_rules) &&
				    same_peer_ids(b));

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (s->n_acl_rules == 0)
		return 0;
	if (s->n_acl_rules > 2 * IXG_MAX_ACL_RULES)
		return fail(b, -ENOSPC, "acl: %" PRIu32 " rules",
			    s->n_acl_rules);
	order = malloc(s->n_acl_rules * sizeof(*order));
	r4 = calloc(s->n_acl_rules, sizeof(*r4));
	r6 = calloc(s->n_acl_rules, sizeof(*r6));
	t->acl_actions = rte_zmalloc(
		"acl_actions", s->n_acl_rules * sizeof(*t->acl_actions), 0);
	if (order == NULL || r4 == NULL || r6 == NULL ||
	    t->acl_actions == NULL) {
		rc = fail(b, -ENOMEM, "acl: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < s->n_acl_rules; i++)
		order[i] = i;
	qsort_r(order, s->n_acl_rules, sizeof(*order), cmp_acl,
		(void *)(uintptr_t)s->acl_rules);

	for (uint32_t rank = 0; rank < s->n_acl_rules; rank++) {
		uint32_t i = order[rank];
		const struct ixg_spec_acl_rule *r = &s->acl_rules[i];
		struct tbl_acl_action *act = &t->acl_actions[i];
		struct rte_acl_rule_data d = {
			.category_mask = 1,
			/* rte_acl: the highest priority wins. */
			.priority = RTE_ACL_MAX_PRIORITY - (int32_t)rank,
			.userdata = i + 1,
		};
		char what[96];

		acl_describe(r, what, sizeof(what));
		if (r->id == 0 || r->id >= IXG_MAX_ACL_RULES ||
		    r->action > IXG_ACL_REMARK ||
		    (r->action == IXG_ACL_CLASS &&
		     (r->class_id >= IXG_MAX_CLASSES)) ||
		    r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi ||
		    (r->in_peer != IXG_PEER_NONE &&
		     !check_peer(b, r->in_peer))) {
			rc = fail(b, -EINVAL,
				  "%s: bad id, action, class, port "
				  "range or peer",
				  what);
			goto out;
		}
		act->rule_id = r->id;
		act->action = r->action;
		act->remark_dscp = r->remark_dscp & 0x3f;
		act->class_id = r->class_id;
		if (r->family == 4) {
			struct rte_acl_field *f = r4[n4].field;
			uint32_t a;

			if (r->src_len > 32 || r->dst_len > 32) {
				rc = fail(b, -EINVAL, "%s: bad prefix length",
					  what);
				goto out;
			}
			r4[n4].data = d;
			acl_common(f, ACL4_PROTO, ACL4_DSCP, ACL4_PEER,
				   ACL4_SPORT, ACL4_DPORT, r);
			memcpy(&a, r->src, 4);
			f[ACL4_SRC].value.u32 = ntohl(a) & mask4(r->src_len);
			f[ACL4_SRC].mask_range.u32 = r->src_len;
			memcpy(&a, r->dst, 4);
			f[ACL4_DST].value.u32 = ntohl(a) & mask4(r->dst_len);
			f[ACL4_DST].mask_range.u32 = r->dst_len;
			n4++;
		} else if (r->family == 6) {
			struct rte_acl_field *f = r6[n6].field;
			uint8_t ms[16], md[16];

			if (r->src_len > 128 || r->dst_len > 128) {
				rc = fail(b, -EINVAL, "%s: bad prefix length",
					  what);
				goto out;
			}
			r6[n6].data = d;
			acl_common(f, ACL6_PROTO, ACL6_DSCP, ACL6_PEER,
				   ACL6_SPORT, ACL6_DPORT, r);
			mask6(ms, r->src, r->src_len);
			mask6(md, r->dst, r->dst_len);
			for (unsigned w = 0; w < 4; w++) {
				uint32_t vs, vd;
				int ls = (int)r->src_len - 32 * (int)w;
				int ld = (int)r->dst_len - 32 * (int)w;

				memcpy(&vs, ms + 4 * w, 4);
				memcpy(&vd, md + 4 * w, 4);
				f[ACL6_SRC0 + w].value.u32 = ntohl(vs);
				f[ACL6_SRC0 + w].mask_range.u32 =
					ls < 0	  ? 0
					: ls > 32 ? 32
						  : (uint32_t)ls;
				f[ACL6_DST0 + w].value.u32 = ntohl(vd);
				f[ACL6_DST0 + w].mask_range.u32 =
					ld < 0	  ? 0
					: ld > 32 ? 32
						  : (uint32_t)ld;
			}
			n6++;
		} else {
			rc = fail(b, -EINVAL, "%s: family %u", what, r->family);
			goto out;
		}
	}
	t->n_acl_actions = s->n_acl_rules;
	if (n4 > IXG_MAX_ACL_RULES || n6 > IXG_MAX_ACL_RULES) {
		rc = fail(b, -ENOSPC,
			  "acl: %" PRIu32 " IPv4 and %" PRIu32
			  " IPv6 rules, at most %u each",
			  n4, n6, IXG_MAX_ACL_RULES);
		goto out;
	}
	snprintf(name4, sizeof(name4), "a4_%" PRIu64, t->generation);
	snprintf(name6, sizeof(name6), "a6_%" PRIu64, t->generation);
	if (n4 > 0) {
		t->acl4 = acl_create(b, name4, sizeof(*r4), n4, &rc);
		if (t->acl4 == NULL)
			goto out;
		rc = acl_finish(b, t->acl4, name4, r4, n4, ACL4_NF, acl4_defs);
		if (rc < 0)
			goto out;
	}
	if (n6 > 0) {
		t->acl6 = acl_create(b, name6, sizeof(*r6), n6, &rc);
		if (t->acl6 == NULL)
			goto out;
		rc = acl_finish(b, t->acl6, name6, r6, n6, ACL6_NF, acl6_defs);
	}
out:
	free(order);
	free(r4);
	free(r6);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Classes and meters.                                                */

static int
profile(struct build *b, struct rte_meter_trtcm_profile *p, uint64_t cir,
	uint64_t cbs, uint64_t pir, uint64_t pbs, const char *what)
{
	struct rte_meter_trtcm_params prm = {
		.cir = cir,
		.pir = pir,
		.cbs = cbs,
		.pbs = pbs,
	};
	int r = rte_meter_trtcm_profile_config(p, &prm);

	if (r < 0)
		return fail(b, r,
			    "%s: rte_meter_trtcm_profile_config (cir %" PRIu64
			    " cbs %" PRIu64 " pir %" PRIu64 " pbs %" PRIu64
			    "): %s",
			    what, cir, cbs, pir, pbs, strerror(-r));
	return 0;
}

/*
 * One worker's share of a rate or burst. Meters are per worker (a shared
 * meter would be a shared write on the hot path) and RSS spreads a peer's
 * flows over the workers, so each worker meters 1/N of the configured rate
 * and burst: exact for traffic spread evenly; one flow alone is held to 1/N.
 * A burst share never drops below one full-size frame (or the whole burst,
 * if that is smaller), so a worker can always pass a frame.
 */
static uint64_t
share(uint64_t v, unsigned n_workers, uint64_t floor)
{
	uint64_t s = (v + n_workers - 1) / n_workers;

	if (floor > v)
		floor = v;
	return s < floor ? floor : s;
}

#define BURST_FLOOR 1522 /* one 1500-byte frame with Ethernet and a tag */

static int
build_policer(struct build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	unsigned n_workers = t->n_workers, max_peer = 0, max_class = 0;
	char what[96];
	int rc;

	/* Class 0, the default: the peer's committed rate; red drops. */
	t->classes[0].configured = 1;
	t->classes[0].yellow_action = IXG_METER_PASS;
	t->classes[0].red_action = IXG_METER_DROP;
	snprintf(t->classes[0].name, sizeof(t->classes[0].name), "default");
	for (uint32_t i = 0; i < s->n_classes; i++) {
		const struct ixg_spec_class *c = &s->classes[i];
		struct tbl_class *tc;

		snprintf(what, sizeof(what), "class %s (origin %" PRIu32 ")",
			 c->name, c->origin);
		if (c->id == 0 || c->id >= IXG_MAX_CLASSES ||
		    t->classes[c->id].configured ||
		    c->yellow_action > IXG_METER_DROP ||
		    c->red_action > IXG_METER_DROP)
			return fail(b, -EINVAL,
				    "%s: bad or duplicate id %u, "
				    "or bad action",
				    what, c->id);
		tc = &t->classes[c->id];
		tc->configured = 1;
		tc->yellow_action = c->yellow_action;
		tc->red_action = c->red_action;
		tc->yellow_dscp = c->yellow_dscp & 0x3f;
		tc->red_dscp = c->red_dscp & 0x3f;
		snprintf(tc->name, sizeof(tc->name), "%s", c->name);
		if (c->cir > 0) {
			rc = profile(b, &t->profiles[c->id],
				     share(c->cir, n_workers, 0),
				     share(c->cbs, n_workers, BURST_FLOOR),
				     share(c->pir, n_workers, 0),
				     share(c->pbs, n_workers, BURST_FLOOR),
				     what);
			if (rc < 0)
				return rc;
			t->metered[c->id] = 1;
		}
		if (c->id > max_class)
			max_class = c->id;
	}

	t->peer_profiles = rte_zmalloc(
		"peer_profiles", IXG_MAX_PEERS * sizeof(*t->peer_profiles), 0);
	t->peer_metered = rte_zmalloc("peer_metered", IXG_MAX_PEERS, 0);
	if (t->peer_profiles == NULL || t->peer_metered == NULL)
		return fail(b, -ENOMEM, "policer: out of memory");
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];
		uint64_t burst = p->burst;

		if (p->id > max_peer)
			max_peer = p->id;
		if (p->rate == 0)
			continue;
		/* No burst given: 100 ms of the rate, at least 2 frames. */
		if (burst == 0)
			burst = p->rate / 10 > 3028 ? p->rate / 10 : 3028;
		snprintf(what, sizeof(what), "peer %s (origin %" PRIu32 ")",
			 p->name, p->origin);
		/* One rate: C and P buckets equal, so green or red only. */
		rc = profile(b, &t->peer_profiles[p->id],
			     share(p->rate, n_workers, 0),
			     share(burst, n_workers, BURST_FLOOR),
			     share(p->rate, n_workers, 0),
			     share(burst, n_workers, BURST_FLOOR), what);
		if (rc < 0)
			return rc;
		t->peer_metered[p->id] = 1;
	}

	t->n_meters = (max_peer + 1) * (max_class + 1);
	for (uint32_t p = 0; p <= max_peer; p++)
		t->peers[p].meter_base = p * (max_class + 1);
	for (unsigned w = 0; w < n_workers; w++) {
		struct rte_meter_trtcm *m;

		m = rte_zmalloc("meters", t->n_meters * sizeof(*m),
				RTE_CACHE_LINE_SIZE);
		if (m == NULL)
			return fail(b, -ENOMEM,
				    "meters for worker %u: out of "
				    "memory",
				    w);
		t->meters[w] = m;
		for (uint32_t p = 1; p <= max_peer; p++) {
			if (!t->peers[p].configured)
				continue;
			if (t->peer_metered[p])
				rte_meter_trtcm_config(
					&m[t->peers[p].meter_base],
					&t->peer_profiles[p]);
			for (unsigned c = 1; c <= max_class; c++)
				if (t->metered[c])
					rte_meter_trtcm_config(
						&m[t->peers[p].meter_base + c],
						&t->profiles[c]);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */

/* TBL_STEP_PEERS: what the other steps look peers and addresses up in. */
static int
build_peer_step(struct build *b)
{
	int rc;

	if ((rc = build_ports(b)) == 0 && (rc = build_peers(b)) == 0 &&
	    (rc = build_locals(b)) == 0)
		rc = build_blackholes(b);
	return rc;
}

/* The build, in order, one entry per enum tbl_step (timed in step_ns). */
static int (*const build_steps[TBL_STEPS])(struct build *) = {
	[TBL_STEP_PEERS] = build_peer_step, [TBL_STEP_ROUTE4] = build_route4,
	[TBL_STEP_ROUTE6] = build_route6,   [TBL_STEP_SAV] = build_sav,
	[TBL_STEP_ACL] = build_acl,	    [TBL_STEP_COUNTRY] = build_country,
	[TBL_STEP_POLICER] = build_policer,
};

/*
 * See tables.h. Control thread only (allocates, builds rte_acl tries). Reads
 * the spec, never keeps a pointer into it. Blackholes expired at time(NULL)
 * are left out; t->next_expiry says when to rebuild.
 */
struct tables *
tables_build(const struct ixg_spec *spec, unsigned n_workers,
	     uint64_t generation, char *err, size_t errlen)
{
	return tables_build_from(spec, NULL, NULL, n_workers, generation, err,
				 errlen);
}

/* See tables.h. Control thread only. */
struct tables *
tables_build_from(const struct ixg_spec *spec, const struct ixg_spec *prev_spec,
		  const struct tables *prev, unsigned n_workers,
		  uint64_t generation, char *err, size_t errlen)
{
	struct build b = {
		.spec = spec,
		.prev_spec = prev == NULL ? NULL : prev_spec,
		.prev = prev_spec == NULL ? NULL : prev,
		.err = err,
		.errlen = errlen,
		.now = (int64_t)time(NULL),
	};
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (spec == NULL || n_workers == 0 || n_workers > IXG_MAX_WORKERS) {
		fail(&b, -EINVAL, "tables: bad arguments (%u workers)",
		     n_workers);
		errno = EINVAL;
		return NULL;
	}
	b.t = rte_zmalloc("tables", sizeof(*b.t), RTE_CACHE_LINE_SIZE);
	if (b.t == NULL) {
		fail(&b, -ENOMEM, "tables: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	b.t->generation = generation;
	b.t->built_at = b.now;
	b.t->node = spec->node;
	b.t->n_workers = n_workers;

	for (unsigned i = 0; i < TBL_STEPS; i++) {
		uint64_t t0 = ixg_mono_ns();

		rc = build_steps[i](&b);
		b.t->step_ns[i] = ixg_mono_ns() - t0;
		if (rc < 0) {
			tables_free(b.t);
			errno = -rc;
			return NULL;
		}
	}
	return b.t;
}

/* See tables.h. Control thread, once no worker can see t any more. */
void
tables_free(struct tables *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->peer_by_l2);
	rte_free(t->peer_vlan_slot);
	rte_free(t->peer_qinq);
	rte_free(t->peer_slots);
	rte_free(t->peer_macs);
	/* A FIB nobody reads any more becomes its slot's spare (fibrec.h). */
	if (part_release(t, TBL_PART_ROUTE4))
		fibrec_retire(t->fibs[FIB_ROUTE4]);
	if (part_release(t, TBL_PART_ROUTE6))
		fibrec_retire(t->fibs[FIB_ROUTE6]);
	rte_free(t->blackholes);
	if (part_release(t, TBL_PART_SAV)) {
		fibrec_retire(t->fibs[FIB_SAV4]);
		fibrec_retire(t->fibs[FIB_SAV6]);
		rte_free(t->sav_sets);
		rte_free(t->sav_set_peers);
		free(t->sav_slots);
	}
	if (part_release(t, TBL_PART_ACL)) {
		rte_acl_free(t->acl4);
		rte_acl_free(t->acl6);
		rte_free(t->acl_actions);
	}
	if (part_release(t, TBL_PART_COUNTRY)) {
		fibrec_retire(t->fibs[FIB_COUNTRY4]);
		fibrec_retire(t->fibs[FIB_COUNTRY6]);
	}
	rte_free(t->peer_profiles);
	rte_free(t->peer_metered);
	for (unsigned w = 0; w < IXG_MAX_WORKERS; w++)
		rte_free(t->meters[w]);
	rte_free(t);
}

/* See tables.h. Control thread. */
int
tables_warm_one(const struct tables *t)
{
	if (t == NULL)
		return 0;
	for (unsigned s = 0; s < FIB_SLOTS; s++) {
		int rc = fibrec_warm(t->fibs[s]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* See tables.h. */
size_t
tables_describe_fibs(const struct tables *t, char *buf, size_t len)
{
	static const char *const how[] = {"shared", "built", "patched"};
	static const char *const step[TBL_STEPS] = {
		"peers", "route4",  "route6", "sav",
		"acl",	 "country", "policer"};
	size_t off = 0;
	int n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < TBL_STEPS && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s %.1f", i ? " " : "",
			     step[i], (double)t->step_ns[i] / 1e6);
		if (n < 0)
			return off;
		off += (size_t)n;
	}
	if (off < len) {
		n = snprintf(buf + off, len - off,
			     " ms; sav sets %" PRIu32 " (%" PRIu32 " used);",
			     t->n_sav_sets, t->n_sav_sets_used);
		off += n > 0 ? (size_t)n : 0;
	}
	for (unsigned s = 0; s < FIB_SLOTS && off < len; s++) {
		const struct fibrec_stat *st = &t->fib_stat[s];

		if (st->how == FIBREC_NONE)
			continue;
		n = snprintf(buf + off, len - off,
			     "%s %s %s %" PRIu32 " (+%" PRIu32 " -%" PRIu32
			     ", %.1f ms, %.0f MiB, %" PRIu32 " groups)",
			     buf[off - 1] == ';' ? "" : ",",
			     fibrec_slot_name(s),
			     how[st->how < 3 ? st->how : 0], st->n, st->adds,
			     st->dels, (double)st->ns / 1e6,
			     (double)st->bytes / (1 << 20), st->groups);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return off < len ? off : len - 1;
}

/* See tables.h. */
unsigned long
tables_parts_live(void)
{
	return parts_live;
}
