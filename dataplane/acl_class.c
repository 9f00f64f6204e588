/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_class.c - ixgate's own ACL classifier (acl_class.h says what and
 * why; bench/README.md "Issue 12 (2026-12-06)" has the measurements).
 *
 * Layout of one family. The prefilter's tables are one array pf[] of
 * group masks (bit g = grp[g]) at fixed offsets, so the lookup keeps one
 * base pointer in a register:
 *   PF_PROTO [256 * 256]: by (fragment kind, protocol), kind 2 a later
 *     fragment (built as [2][256]: later or not), every kind byte so
 *     that a 16-bit load indexes it; a group whose rules need ports_ok
 *     is left out where the pair has no ports;
 *   PF_DSCP [256] (four copies of the 64 DSCPs); PF_PEER [65536] (every
 *     id from IXG_MAX_PEERS up holds entry 0's: only groups without a
 *     peer);
 *   PF_SRC / PF_DST [256]: by the address's first byte (IPv4) or a fold of
 *     its first three bytes (IPv6, addr_index6), set wherever a rule's
 *     prefix can reach;
 *   PF_SRC0 / PF_DST0 [256] (IPv6 only): by the address's first byte: the
 *     fold above cannot tell apart prefixes shorter than /16 (fc00::/7,
 *     ff00::/8 reach every entry), this table can (acl_class_classify6;
 *     stage_acl reads s16 instead, below);
 *   PF_BLK: const uint64_t *blk[2][256]: where the 256 masks of each
 *     port high byte start, source then destination port (pointers into
 *     the block itself, which is never moved); PF_PORTS:
 *     those blocks of 256, uniform ones shared within each direction;
 *   grp[]: groups in rank order; tup[]: each group's tuples in rank order
 *     (hash masks, bucket count); off[]: bucket b of a tuple t holds rules
 *     rec[off[t.off + b] .. off[t.off + b + 1]), sorted by rank;
 *   rec[]: the rules, every match field, their rank; result[rank]: spec
 *     index + 1;
 *   IPv4 a16_blk[512] and a16[]: the addresses' first two bytes, in
 *     blocks of 256 (the narrowing before a walk); IPv6 s16[2][65536]:
 *     the same whole, by a 16-bit load of them (stage_acl's address
 *     prefilter: one read an address instead of the fold's four
 *     instructions and PF_SRC0's two).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "acl_class.h"

#define N_PEERS IXG_MAX_PEERS
#define LINEAR_MAX 4 /* a tuple with this many rules or fewer: one bucket */
#define NO_RANK ACL_CLASS_NO_RANK
#define FLAG_PORTS_OK 0x40 /* in a rule's flags byte: bit 6 */

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_DCCP_ 33
#define IPPROTO_SCTP_ 132
#define IPPROTO_UDPLITE_ 136

/* ------------------------------------------------------------------ */
/* Tables as the lookup sees them.                                     */

struct grp {
	uint32_t min_rank;
	uint32_t n_tup;
	const void *tup; /* first tuple: struct tup4 or tup6 */
	uint32_t peer_mask; /* 0xffff: rules name a peer (hashed), else 0 */
	/*
	 * 1: every rule has the same protocol, DSCP/ports_ok and port
	 * conditions, which the prefilter checked exactly; a rule check is
	 * then addresses and peer only.
	 */
	uint32_t exact;
	/*
	 * Decided groups (fam.dec_mask): exact, and no rule names an address,
	 * so every condition of their rules but the peer is one the prefilter
	 * tested exactly. Their best rule for a packet is dec[dec_off + (peer
	 * & peer_mask)] (a rank, NO_RANK for none), where peer & peer_mask <
	 * dec_rows; no rule of the group names a higher peer.
	 */
	uint32_t dec_off, dec_rows;
};

/* Bucket b of a tuple holds the rules from byte offset off[b] to off[b + 1]
 * of the family's rec[]. */
struct tup4 {
	uint32_t min_rank;
	uint32_t hmask; /* buckets - 1; 0: one bucket, no hash */
	const uint32_t *off;
	uint32_t sm, dm; /* hash masks, network order */
};

struct tup6 {
	uint32_t min_rank;
	uint32_t hmask;
	const uint32_t *off;
	uint64_t sm[2], dm[2];
};

struct rec4 {
	uint32_t src, smask, dst, dmask; /* network order, src & smask */
	uint16_t slo, sspan, dlo, dspan; /* span = hi - lo */
	uint16_t peer; /* 0: any */
	uint16_t rank;
	uint8_t proto, pmask, flags, fmask; /* flags: ports_ok << 6 | DSCP */
};
_Static_assert(sizeof(struct rec4) == 32, "rec4: two per cache line");

struct rec6 {
	uint64_t src[2], smask[2], dst[2], dmask[2];
	uint16_t slo, sspan, dlo, dspan;
	uint16_t peer;
	uint16_t rank;
	uint8_t proto, pmask, flags, fmask;
};

/* Offsets in fam.pf, in uint64_t (acl_class.h). */
enum {
	PF_PROTO = ACL_CLASS_PF_PROTO,
	PF_DSCP = ACL_CLASS_PF_DSCP,
	PF_SRC = ACL_CLASS_PF_SRC,
	PF_DST = ACL_CLASS_PF_DST,
	PF_PEER = ACL_CLASS_PF_PEER,
	PF_BLK = ACL_CLASS_PF_BLK, /* const uint64_t *[2][256] */
	PF_SRC0 = ACL_CLASS_PF_SRC0,
	PF_DST0 = ACL_CLASS_PF_DST0,
	PF_PORTS = ACL_CLASS_PF_PORTS,
};

struct fam {
	uint32_t n_rules;
	uint32_t n_groups;
	uint64_t dec_mask; /* the decided groups (struct grp) */
	const uint32_t *dec; /* their best ranks by peer */
	/*
	 * IPv4: the prefilter's address tables by the first two bytes, to
	 * narrow a mask before the walk: a16[a16_blk[first byte] + second
	 * byte], source then destination (a16_blk[256 + first byte]).
	 */
	const uint32_t *a16_blk;
	const uint64_t *a16;
	/*
	 * IPv6: the same by the first two bytes, unblocked and indexed as a
	 * 16-bit little-endian load of them reads (acl_class_fast.s16):
	 * s16[load16(src)] & s16[65536 + load16(dst)], stage_acl's address
	 * prefilter.
	 */
	const uint64_t *s16;
	const uint64_t *pf; /* prefilter tables, PF_* */
	const struct grp *grp;
	const char *rec; /* struct rec4 or rec6 */
	const uint32_t *result;
};

struct acl_class {
	struct acl_class_head head; /* first: acl_class_pf reads it */
	struct fam f[2]; /* [0] IPv4, [1] IPv6 */
	struct acl_class_mem mem;
	struct acl_class_stats st;
};

/* ------------------------------------------------------------------ */
/* Shared by build and lookup.                                         */

/*
 * Protocols whose first 4 L4 bytes are source and destination ports (TCP,
 * UDP, SCTP, DCCP, UDP-Lite), as a 256-bit set (same as stage_acl.c).
 */
#define PROTO_BIT(p) ((uint64_t)1 << ((p)&63))
static const uint64_t ports_protos[4] = {
	[0] = PROTO_BIT(IPPROTO_TCP_) | PROTO_BIT(IPPROTO_UDP_) |
	      PROTO_BIT(IPPROTO_DCCP_),
	[2] = PROTO_BIT(IPPROTO_SCTP_) | PROTO_BIT(IPPROTO_UDPLITE_),
};

static inline uint32_t
has_ports(uint8_t proto)
{
	return (uint32_t)((ports_protos[proto >> 6] >> (proto & 63)) & 1);
}

/* Index of an IPv6 address in src_t/dst_t (acl_class.h). */
static inline uint32_t
addr_index6(const uint8_t *a)
{
	return acl_class_addr_index6(a);
}

/*
 * Bucket hashes, shared by build and lookup: CRC32-C where the CPU has it
 * (SSE4.2: one instruction per 8 bytes), else a multiply-xorshift mix.
 */
#ifdef __SSE4_2__
static inline uint32_t
hash4(uint32_t peer, uint32_t s, uint32_t d)
{
	return (uint32_t)_mm_crc32_u64(_mm_crc32_u32(0x1234567u, peer),
				       (uint64_t)s << 32 | d);
}

static inline uint32_t
hash6(uint32_t peer, uint64_t s0, uint64_t s1, uint64_t d0, uint64_t d1)
{
	uint64_t h = _mm_crc32_u32(0x1234567u, peer);

	h = _mm_crc32_u64(h, s0);
	h = _mm_crc32_u64(h, s1);
	h = _mm_crc32_u64(h, d0);
	return (uint32_t)_mm_crc32_u64(h, d1);
}
#else
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 32;
	x *= UINT64_C(0x9e3779b97f4a7c15);
	x ^= x >> 29;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 32;
	return x;
}

static inline uint32_t
hash4(uint32_t peer, uint32_t s, uint32_t d)
{
	return (uint32_t)mix64(((uint64_t)s << 32 | d) ^
			       (uint64_t)peer * UINT64_C(0xff51afd7ed558ccd));
}

static inline uint32_t
hash6(uint32_t peer, uint64_t s0, uint64_t s1, uint64_t d0, uint64_t d1)
{
	return (uint32_t)mix64(s0 * UINT64_C(0x9e3779b97f4a7c15) ^
			       s1 * UINT64_C(0xc2b2ae3d27d4eb4f) ^
			       d0 * UINT64_C(0x165667b19e3779f9) ^
			       d1 * UINT64_C(0xd6e8feb86659fd93) ^
			       (uint64_t)peer * UINT64_C(0xff51afd7ed558ccd));
}
#endif

/* ------------------------------------------------------------------ */
/* Lookup.                                                             */

/* The groups that may hold a rule matching the packet (acl_class.h). */
static inline uint64_t
prefilter(const uint64_t *pf, uint32_t proto, uint32_t flags, uint32_t peer,
	  uint32_t sport, uint32_t dport, uint32_t si, uint32_t di)
{
	return acl_class_prefilter(pf, proto, flags, peer, sport, dport, si,
				   di);
}

/* The flags byte the rules test: ports_ok << 6 | DSCP. */
static inline uint32_t
rule_flags(uint32_t proto, uint32_t flags)
{
	uint32_t ok = has_ports((uint8_t)proto) &
		      (uint32_t) !(flags & ACL_CLASS_LATER_FRAG);

	return ok << 6 | (flags & 0x3f);
}

/*
 * The small fields of a rule against the packet's. Ports are the packet's
 * as given: a rule with a port range needs ports_ok in its flags, and one
 * without has ranges 0..65535.
 */
#define SMALL_OK(r, k_proto, k_fl, k_peer, k_sp, k_dp)                         \
	((((k_proto) & (r)->pmask) == (r)->proto) &                            \
	 (((k_fl) & (r)->fmask) == (r)->flags) &                               \
	 ((uint16_t)((k_sp) - (r)->slo) <= (r)->sspan) &                       \
	 ((uint16_t)((k_dp) - (r)->dlo) <= (r)->dspan) &                       \
	 (((r)->peer == 0) | ((r)->peer == (k_peer))))

/*
 * The rule walk for one packet whose prefilter left groups m (not 0):
 * groups in rank order, each group's tuples in rank order, one bucket per
 * tuple, rules in the bucket in rank order; stop wherever nothing left can
 * beat the best match.
 */
static inline __attribute__((always_inline)) uint32_t
walk4(const struct fam *f, const struct acl_class_key4 *k, uint64_t m,
      uint32_t best)
{
	const uint32_t src = k->src, dst = k->dst;
	const uint32_t proto = k->proto, peer = k->in_peer;
	const uint32_t sp = k->sport, dp = k->dport;
	const uint32_t fl = rule_flags(proto, k->flags);

	do {
		const struct grp *g = &f->grp[__builtin_ctzll(m)];
		const struct tup4 *t = g->tup;
		const struct tup4 *t_end = t + g->n_tup;
		const uint32_t gpeer = peer & g->peer_mask;

		m &= m - 1;
		if (g->min_rank >= best)
			break;
		for (; t < t_end && t->min_rank < best; t++) {
			const uint32_t *o = t->off;
			const struct rec4 *r, *r_end;

			if (t->hmask != 0)
				o += hash4(gpeer, src & t->sm, dst & t->dm) &
				     t->hmask;
			r = (const struct rec4 *)(f->rec + o[0]);
			r_end = (const struct rec4 *)(f->rec + o[1]);
			if (g->exact) {
				for (; r < r_end && r->rank < best; r++)
					if ((((src & r->smask) ^ r->src) |
					     ((dst & r->dmask) ^ r->dst) |
					     (gpeer ^ r->peer)) == 0) {
						best = r->rank;
						break;
					}
				continue;
			}
			for (; r < r_end && r->rank < best; r++)
				if ((((src & r->smask) ^ r->src) |
				     ((dst & r->dmask) ^ r->dst)) == 0 &&
				    SMALL_OK(r, proto, fl, peer, sp, dp)) {
					best = r->rank;
					break;
				}
		}
	} while (m != 0);
	return best;
}

static inline __attribute__((always_inline)) uint32_t
walk6(const struct fam *f, const struct acl_class_key6 *k, uint64_t m,
      uint32_t best)
{
	const uint32_t proto = k->proto, peer = k->in_peer;
	const uint32_t sp = k->sport, dp = k->dport;
	const uint32_t fl = rule_flags(proto, k->flags);
	uint64_t s[2], d[2];

	memcpy(s, k->src, 16);
	memcpy(d, k->dst, 16);
	do {
		const struct grp *g = &f->grp[__builtin_ctzll(m)];
		const struct tup6 *t = g->tup;
		const struct tup6 *t_end = t + g->n_tup;
		const uint32_t gpeer = peer & g->peer_mask;

		m &= m - 1;
		if (g->min_rank >= best)
			break;
		for (; t < t_end && t->min_rank < best; t++) {
			const uint32_t *o = t->off;
			const struct rec6 *r, *r_end;

			if (t->hmask != 0)
				o += hash6(gpeer, s[0] & t->sm[0],
					   s[1] & t->sm[1], d[0] & t->dm[0],
					   d[1] & t->dm[1]) &
				     t->hmask;
			r = (const struct rec6 *)(f->rec + o[0]);
			r_end = (const struct rec6 *)(f->rec + o[1]);
			for (; r < r_end && r->rank < best; r++) {
				uint64_t a =
					((s[0] & r->smask[0]) ^ r->src[0]) |
					((s[1] & r->smask[1]) ^ r->src[1]) |
					((d[0] & r->dmask[0]) ^ r->dst[0]) |
					((d[1] & r->dmask[1]) ^ r->dst[1]);

				if (g->exact ? (a | (gpeer ^ r->peer)) == 0
					     : a == 0 &&
						       SMALL_OK(r, proto, fl,
								peer, sp, dp)) {
					best = r->rank;
					break;
				}
			}
		}
	} while (m != 0);
	return best;
}

/*
 * The decided groups of mask m (whose rules' conditions other than the
 * peer the prefilter tested exactly): the best rank among them from their
 * tables, no rule walk. *m keeps the other groups.
 */
static inline __attribute__((always_inline)) uint32_t
decide(const struct fam *f, uint64_t *m, uint32_t peer)
{
	uint64_t md = *m & f->dec_mask;
	uint32_t best = NO_RANK;

	*m &= ~f->dec_mask;
	for (; md != 0; md &= md - 1) {
		const struct grp *g = &f->grp[__builtin_ctzll(md)];
		const uint32_t idx = peer & g->peer_mask;

		if (idx < g->dec_rows) {
			const uint32_t r = f->dec[g->dec_off + idx];

			best = r < best ? r : best;
		}
	}
	return best;
}

/*
 * One IPv4 key whose prefilter mask is m: the mask narrowed by the first
 * two bytes of both addresses, the decided groups from their tables, the
 * rule walk for the groups left that could still beat them.
 */
static inline __attribute__((always_inline)) uint32_t
search4(const struct fam *f, const struct acl_class_key4 *k, uint64_t m)
{
	uint8_t sa[4], da[4];
	uint32_t best;

	memcpy(sa, &k->src, 4);
	memcpy(da, &k->dst, 4);
	m &= f->a16[f->a16_blk[sa[0]] + sa[1]] &
	     f->a16[f->a16_blk[256 + da[0]] + da[1]];
	best = decide(f, &m, k->in_peer);
	if (m != 0)
		best = walk4(f, k, m, best);
	return best == NO_RANK ? 0 : f->result[best];
}

static inline __attribute__((always_inline)) uint32_t
search6(const struct fam *f, const struct acl_class_key6 *k, uint64_t m)
{
	uint32_t best = decide(f, &m, k->in_peer);

	if (m != 0)
		best = walk6(f, k, m, best);
	return best == NO_RANK ? 0 : f->result[best];
}

#define CHUNK 64 /* keys per prefilter pass */

/*
 * Two passes per chunk of keys: the prefilter for every key (a tight loop
 * with few live registers), keeping the keys that have candidate groups in
 * a list (branch-free), then the rule walk for those only. The family's
 * table pointers are copied to a local: the project builds with
 * -fno-strict-aliasing, so every res[i] store would otherwise reload them.
 */
void
acl_class_classify4(const struct acl_class *c,
		    const struct acl_class_key4 *keys, uint32_t *res,
		    unsigned n)
{
	const struct fam f = c->f[0];
	uint64_t m[CHUNK];
	uint8_t idx[CHUNK];

	if (f.n_rules == 0) {
		memset(res, 0, n * sizeof(*res));
		return;
	}
	for (unsigned lo = 0; lo < n; lo += CHUNK) {
		const struct acl_class_key4 *k = keys + lo;
		unsigned cnt = n - lo < CHUNK ? n - lo : CHUNK, n_idx = 0;

		memset(res + lo, 0, cnt * sizeof(*res));
		for (unsigned i = 0; i < cnt; i++) {
			uint8_t sa[4], da[4];

			memcpy(sa, &k[i].src, 4);
			memcpy(da, &k[i].dst, 4);
			m[i] = prefilter(f.pf, k[i].proto, k[i].flags,
					 k[i].in_peer, k[i].sport, k[i].dport,
					 sa[0], da[0]);
			idx[n_idx] = (uint8_t)i;
			n_idx += m[i] != 0;
		}
		for (unsigned j = 0; j < n_idx; j++)
			res[lo + idx[j]] = search4(&f, &k[idx[j]], m[idx[j]]);
	}
}

void
acl_class_classify6(const struct acl_class *c,
		    const struct acl_class_key6 *keys, uint32_t *res,
		    unsigned n)
{
	const struct fam f = c->f[1];
	uint64_t m[CHUNK];
	uint8_t idx[CHUNK];

	if (f.n_rules == 0) {
		memset(res, 0, n * sizeof(*res));
		return;
	}
	for (unsigned lo = 0; lo < n; lo += CHUNK) {
		const struct acl_class_key6 *k = keys + lo;
		unsigned cnt = n - lo < CHUNK ? n - lo : CHUNK, n_idx = 0;

		memset(res + lo, 0, cnt * sizeof(*res));
		for (unsigned i = 0; i < cnt; i++) {
			m[i] = prefilter(f.pf, k[i].proto, k[i].flags,
					 k[i].in_peer, k[i].sport, k[i].dport,
					 addr_index6(k[i].src),
					 addr_index6(k[i].dst)) &
			       f.pf[PF_SRC0 + k[i].src[0]] &
			       f.pf[PF_DST0 + k[i].dst[0]];
			idx[n_idx] = (uint8_t)i;
			n_idx += m[i] != 0;
		}
		for (unsigned j = 0; j < n_idx; j++)
			res[lo + idx[j]] = search6(&f, &k[idx[j]], m[idx[j]]);
	}
}

void
acl_class_walk4(const struct acl_class *c, const struct acl_class_key4 *keys,
		const uint64_t *masks, uint32_t *res, unsigned n)
{
	const struct fam f = c->f[0];

	for (unsigned i = 0; i < n; i++)
		res[i] = masks[i] != 0 ? search4(&f, &keys[i], masks[i]) : 0;
}

void
acl_class_walk6(const struct acl_class *c, const struct acl_class_key6 *keys,
		const uint64_t *masks, uint32_t *res, unsigned n)
{
	const struct fam f = c->f[1];

	for (unsigned i = 0; i < n; i++)
		res[i] = masks[i] != 0 ? search6(&f, &keys[i], masks[i]) : 0;
}

int
acl_class_has(const struct acl_class *c, int family)
{
	return c != NULL && c->f[family == 6].n_rules > 0;
}

void
acl_class_stats(const struct acl_class *c, struct acl_class_stats *st)
{
	*st = c->st;
}

void
acl_class_free(struct acl_class *c)
{
	struct acl_class_mem m;

	if (c == NULL)
		return;
	m = c->mem;
	m.free(c, m.arg);
}

/* ------------------------------------------------------------------ */
/* Build.                                                              */

/* A rule during the build, in one family. */
struct brule {
	uint32_t idx; /* spec index */
	uint32_t rank;
	uint16_t peer;
	uint16_t slo, shi, dlo, dhi;
	uint8_t pv, pm, fv, fm;
	uint8_t sl, dl;
	uint32_t sig; /* signature number */
	uint32_t small; /* number of its small conditions (same_small) */
	uint32_t grp; /* group, final numbering */
	uint32_t tup; /* tuple, family-wide, final numbering */
	uint32_t bkt;
	uint64_t s[2], d[2]; /* masked, as loaded from network order */
	uint64_t sm[2], dm[2];
};

/* A (source length, destination length) pair of a group, while planning
 * its tuples. */
struct pair {
	uint8_t s, d; /* hash lengths */
	uint8_t alive;
	uint32_t count;
	uint32_t into; /* merged into this pair (itself if alive) */
};

struct btup {
	uint32_t grp;
	uint8_t hs, hd; /* hash lengths */
	uint32_t n;
	uint32_t min_rank;
	uint32_t nb; /* buckets, power of 2 */
	uint32_t off; /* first offset */
	uint32_t pos; /* rank order within the group */
	uint64_t sm[2], dm[2];
};

struct bfam {
	int family;
	uint32_t n_ranks; /* rules of the family (result[] entries) */
	uint32_t n; /* rules kept (the others are shadowed) */
	struct brule *r; /* [n], rank order until placed */
	uint32_t n_sig;
	uint32_t n_grp;
	uint32_t merged;
	uint32_t grp_min[ACL_CLASS_MAX_GROUPS];
	uint32_t grp_peer[ACL_CLASS_MAX_GROUPS];
	uint32_t grp_sig[ACL_CLASS_MAX_GROUPS]; /* a signature of the group */
	uint8_t grp_exact[ACL_CLASS_MAX_GROUPS]; /* one signature only */
	uint32_t grp_tup[ACL_CLASS_MAX_GROUPS]; /* first tuple */
	uint32_t grp_ntup[ACL_CLASS_MAX_GROUPS];
	uint32_t n_tup;
	struct btup *tup; /* [n_tup], by (group, pos) */
	uint32_t n_off;
	uint32_t *off;
	uint64_t *proto_t, *dscp_t, *peer_t, *src_t, *dst_t;
	uint64_t *src0_t, *dst0_t; /* IPv6: by first byte */
	uint8_t sblk[256], dblk[256];
	uint32_t n_sblk, n_dblk;
	uint64_t *sport_t, *dport_t; /* [n_*blk * 256] */
	uint32_t max_bucket, worst_checks, max_probes;
	uint32_t max_groups; /* by the small fields alone, see work_bounds */
	uint32_t grp_checks[ACL_CLASS_MAX_GROUPS]; /* sum of longest buckets */
	/* decided groups (struct grp): their tables, dec[n_dec] */
	uint64_t dec_mask;
	uint32_t grp_dec_off[ACL_CLASS_MAX_GROUPS];
	uint32_t grp_dec_rows[ACL_CLASS_MAX_GROUPS];
	uint32_t n_dec;
	uint32_t *dec;
	/* IPv4: a16_blk[512] (entries of a16), a16[n_a16] (struct fam) */
	uint32_t a16_blk[512];
	uint32_t n_a16;
	uint64_t *a16;
	/* IPv6: s16[2][65536] (struct fam) */
	uint64_t *s16;
};

static int bad(struct acl_class_error *err, int rc, int64_t rule,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
bad(struct acl_class_error *err, int rc, int64_t rule, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->rule = rule;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Prefix mask of `len` bits over 16 bytes, as two native words. */
static void
mask_words(unsigned len, uint64_t m[2])
{
	uint8_t b[16];

	for (unsigned i = 0; i < 16; i++)
		b[i] = len >= 8 * i + 8 ? 0xff
		       : len <= 8 * i	? 0
					: (uint8_t)(0xff00u >> (len - 8 * i));
	memcpy(m, b, 16);
}

static int
cmp_rank(const void *pa, const void *pb, void *arg)
{
	const struct ixg_spec_acl_rule *rules = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct ixg_spec_acl_rule *a = &rules[ia], *b = &rules[ib];

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* Small-field signature order: the small conditions, then which addresses
 * have a prefix (so rules of equal small conditions are adjacent), then
 * rank (determinism). */
static int
cmp_sig(const void *pa, const void *pb)
{
	const struct brule *a = *(struct brule *const *)pa;
	const struct brule *b = *(struct brule *const *)pb;
	uint64_t ka = (uint64_t)a->pv << 56 | (uint64_t)a->pm << 48 |
		      (uint64_t)a->fv << 40 | (uint64_t)a->fm << 32 |
		      (uint64_t)(a->peer != 0) << 31;
	uint64_t kb = (uint64_t)b->pv << 56 | (uint64_t)b->pm << 48 |
		      (uint64_t)b->fv << 40 | (uint64_t)b->fm << 32 |
		      (uint64_t)(b->peer != 0) << 31;
	uint64_t pa_ = (uint64_t)a->slo << 48 | (uint64_t)a->shi << 32 |
		       (uint64_t)a->dlo << 16 | a->dhi;
	uint64_t pb_ = (uint64_t)b->slo << 48 | (uint64_t)b->shi << 32 |
		       (uint64_t)b->dlo << 16 | b->dhi;
	unsigned xa = (a->sl != 0) << 1 | (a->dl != 0);
	unsigned xb = (b->sl != 0) << 1 | (b->dl != 0);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (pa_ != pb_)
		return pa_ < pb_ ? -1 : 1;
	if (xa != xb)
		return xa < xb ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* Same small conditions (protocol, DSCP/ports_ok, peer flag, ports). */
static int
same_small(const struct brule *a, const struct brule *b)
{
	return a->pv == b->pv && a->pm == b->pm && a->fv == b->fv &&
	       a->fm == b->fm && (a->peer != 0) == (b->peer != 0) &&
	       a->slo == b->slo && a->shi == b->shi && a->dlo == b->dlo &&
	       a->dhi == b->dhi;
}

/* Same signature: same small conditions and the same addresses with a
 * prefix. */
static int
same_sig(const struct brule *a, const struct brule *b)
{
	return same_small(a, b) && (a->sl != 0) == (b->sl != 0) &&
	       (a->dl != 0) == (b->dl != 0);
}

/* The key of signature-holder r at merge level 1..3 (coarser as it
 * grows): 1 keeps protocol, DSCP/ports_ok, peer flag, whether each port
 * range is "any" and which addresses have a prefix; 2 protocol and peer
 * flag; 3 the peer flag. */
static uint64_t
coarse_key(const struct brule *r, unsigned level)
{
	uint64_t k = (uint64_t)(r->peer != 0) << 40;

	if (level <= 2)
		k |= (uint64_t)r->pv | (uint64_t)r->pm << 8;
	if (level <= 1)
		k |= (uint64_t)r->fv << 16 | (uint64_t)r->fm << 24 |
		     (uint64_t)(r->slo == 0 && r->shi == 65535) << 32 |
		     (uint64_t)(r->dlo == 0 && r->dhi == 65535) << 33 |
		     (uint64_t)(r->sl != 0) << 34 |
		     (uint64_t)(r->dl != 0) << 35;
	return k;
}

struct sig_info {
	const struct brule *first; /* a rule holding the signature */
	uint32_t count;
	uint32_t id;
	uint64_t gkey; /* group key */
};

static int
cmp_sig_count(const void *pa, const void *pb)
{
	const struct sig_info *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
cmp_sig_id(const void *pa, const void *pb)
{
	const struct sig_info *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* Index of key k in keys[0..*n), appended if new and *n < max; -1 when
 * full. */
static int
key_slot(uint64_t *keys, uint32_t *n, uint32_t max, uint64_t k)
{
	for (uint32_t i = 0; i < *n; i++)
		if (keys[i] == k)
			return (int)i;
	if (*n == max)
		return -1;
	keys[*n] = k;
	return (int)(*n)++;
}

/*
 * Signatures, then groups: one group per signature when there are at most
 * ACL_CLASS_MAX_GROUPS; otherwise the most used signatures keep a group
 * each and the others share groups by a coarser key (coarse_key levels 1,
 * 2, 3), as many own groups as fit at the finest level that fits.
 */
static int
plan_groups(struct bfam *f, unsigned min_level)
{
	struct brule **by = malloc(f->n * sizeof(*by));
	struct sig_info *si = NULL;
	uint64_t keys[ACL_CLASS_MAX_GROUPS];
	uint32_t n_sig = 0, nk;
	int rc = -ENOMEM;

	if (by == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->n; i++)
		by[i] = &f->r[i];
	qsort(by, f->n, sizeof(*by), cmp_sig);
	for (uint32_t i = 0, n_small = 0; i < f->n; i++) {
		if (i == 0 || !same_sig(by[i - 1], by[i]))
			n_sig++;
		if (i == 0 || !same_small(by[i - 1], by[i]))
			n_small++;
		by[i]->sig = n_sig - 1;
		by[i]->small = n_small - 1;
	}
	f->n_sig = n_sig;
	si = calloc(n_sig, sizeof(*si));
	if (si == NULL)
		goto out;
	for (uint32_t i = 0; i < f->n; i++) {
		struct sig_info *s = &si[by[i]->sig];

		if (s->count++ == 0) {
			s->first = by[i];
			s->id = by[i]->sig;
		}
	}
	if (n_sig <= ACL_CLASS_MAX_GROUPS && min_level == 0) {
		for (uint32_t i = 0; i < n_sig; i++)
			si[i].gkey = (uint64_t)1 << 63 | i;
	} else {
		int done = 0;

		f->merged = 1;
		qsort(si, n_sig, sizeof(*si), cmp_sig_count);
		for (unsigned level = min_level ? min_level : 1;
		     level <= 3 && !done; level++) {
			/* own = signatures [0, k); the rest share coarse keys.
			 * Lower k until own + shared groups fit (from 0 when
			 * a coarser level is asked for). */
			uint32_t k = min_level ? 0 : ACL_CLASS_MAX_GROUPS;
			int full = 0;

			nk = 0;
			for (uint32_t i = k; i < n_sig && !full; i++)
				full = key_slot(keys, &nk, ACL_CLASS_MAX_GROUPS,
						coarse_key(si[i].first,
							   level)) < 0;
			while (!full && k + nk > ACL_CLASS_MAX_GROUPS &&
			       k > 0) {
				k--;
				full = key_slot(keys, &nk, ACL_CLASS_MAX_GROUPS,
						coarse_key(si[k].first,
							   level)) < 0;
			}
			if (full || k + nk > ACL_CLASS_MAX_GROUPS)
				continue;
			for (uint32_t i = 0; i < n_sig; i++)
				si[i].gkey = i < k ? (uint64_t)1 << 63 |
							     si[i].id
						   : coarse_key(si[i].first,
								level);
			done = 1;
		}
		if (!done) { /* cannot happen: level 3 has 2 keys */
			rc = -EINVAL;
			goto out;
		}
		qsort(si, n_sig, sizeof(*si), cmp_sig_id);
	}
	/* Group numbers in order of the groups' best rank: walk the rules in
	 * rank order and number each group key when first seen. */
	nk = 0;
	for (uint32_t i = 0; i < f->n; i++) {
		uint32_t before = nk;
		int g = key_slot(keys, &nk, ACL_CLASS_MAX_GROUPS,
				 si[f->r[i].sig].gkey);

		if (g < 0) {
			rc = -EINVAL;
			goto out;
		}
		f->r[i].grp = (uint32_t)g;
		if (nk != before) {
			f->grp_min[g] = f->r[i].rank;
			f->grp_peer[g] = f->r[i].peer != 0 ? 0xffff : 0;
			f->grp_sig[g] = f->r[i].sig;
			f->grp_exact[g] = 1;
		} else if (f->r[i].sig != f->grp_sig[g]) {
			f->grp_exact[g] = 0;
		}
	}
	f->n_grp = nk;
	rc = 0;
out:
	free(by);
	free(si);
	return rc;
}

/* Plan one group's tuples from its rules g[0..n): distinct length pairs,
 * quantised when there are many, then the rarest merged into the pair
 * that loses least until ACL_CLASS_MAX_TUPLES remain. Fills pairs' hash
 * lengths; returns per rule (via r->tup, group-local) its pair. */
/* A group's rules are hashed on shorter common lengths by share_tuples
 * only if no key would then hold more rules than this. */
#define SHARE_MAX_BUCKET 4
/* ... and only for groups up to this size (the planning sorts the group's
 * keys once per candidate pair). */
#define SHARE_MAX_RULES 8192

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A 64-bit fingerprint of a rule's key in a tuple hashing lengths (s, d):
 * equal keys, equal fingerprints (for counting, not for lookups). */
static uint64_t
key_print(const struct brule *r, uint32_t peer_mask, unsigned s, unsigned d)
{
	uint64_t sm[2], dm[2], x = (uint64_t)(r->peer & peer_mask);

	mask_words(s, sm);
	mask_words(d, dm);
	x = (x ^ (r->s[0] & sm[0])) * UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 29) ^ (r->s[1] & sm[1])) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 31) ^ (r->d[0] & dm[0])) * UINT64_C(0x94d049bb133111eb);
	x = (x ^ (x >> 29) ^ (r->d[1] & dm[1])) * UINT64_C(0x9e3779b97f4a7c15);
	return x ^ (x >> 32);
}

/*
 * Merge a group's tuples pairwise onto their common shorter lengths while
 * that costs little: one probe fewer per packet for each merge, allowed
 * when no key of the merged tuple is shared by more than SHARE_MAX_BUCKET
 * rules (prefixes of different lengths towards different networks rarely
 * share a shorter key). Best pair first (fewest rules on one key).
 */
static int
share_tuples(struct brule **g, uint32_t n, uint32_t peer_mask, struct pair *p,
	     uint32_t n_p)
{
	uint64_t *k = malloc((n + 1) * sizeof(*k));

	if (k == NULL)
		return -ENOMEM;
	for (;;) {
		uint32_t ba = 0, bb = 0, best = SHARE_MAX_BUCKET + 1;

		for (uint32_t a = 0; a < n_p; a++)
			for (uint32_t b = a + 1; b < n_p; b++) {
				unsigned s, d;
				uint32_t m = 0, run = 0;

				if (p[a].into != a || p[b].into != b)
					continue;
				s = p[a].s < p[b].s ? p[a].s : p[b].s;
				d = p[a].d < p[b].d ? p[a].d : p[b].d;
				for (uint32_t i = 0; i < n; i++) {
					uint32_t t = p[g[i]->tup].into;

					if (t == a || t == b)
						k[m++] = key_print(
							g[i], peer_mask, s, d);
				}
				qsort(k, m, sizeof(*k), cmp_u64);
				for (uint32_t i = 0, most = 0; i < m; i++) {
					run = i > 0 && k[i] == k[i - 1]
						      ? run + 1
						      : 1;
					most = run > most ? run : most;
					if (i + 1 == m && most < best) {
						best = most;
						ba = a;
						bb = b;
					}
				}
			}
		if (best > SHARE_MAX_BUCKET)
			break;
		p[ba].s = p[ba].s < p[bb].s ? p[ba].s : p[bb].s;
		p[ba].d = p[ba].d < p[bb].d ? p[ba].d : p[bb].d;
		p[ba].count += p[bb].count;
		p[bb].alive = 0;
		for (uint32_t i = 0; i < n_p; i++)
			if (p[i].into == bb)
				p[i].into = ba;
	}
	free(k);
	return 0;
}

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static int
plan_tuples(struct brule **g, uint32_t n, int family, uint32_t peer_mask,
	    struct pair **pp, uint32_t *np)
{
	unsigned maxlen = family == 4 ? 32 : 128, q = 1;
	uint16_t *keys = malloc(2 * (size_t)n * sizeof(*keys));
	uint16_t *uniq = keys + n;
	uint32_t n_p = 0, alive;
	struct pair *p;

	if (keys == NULL)
		return -ENOMEM;
	/* Distinct (length / q * q) pairs, q doubling until at most 64. */
	for (;;) {
		for (uint32_t i = 0; i < n; i++)
			keys[i] = (uint16_t)((g[i]->sl / q * q) << 8 |
					     (g[i]->dl / q * q));
		memcpy(uniq, keys, n * sizeof(*keys));
		qsort(uniq, n, sizeof(*uniq), cmp_u16);
		n_p = 0;
		for (uint32_t i = 0; i < n; i++)
			if (n_p == 0 || uniq[n_p - 1] != uniq[i])
				uniq[n_p++] = uniq[i];
		if (n_p <= 64 || q == maxlen)
			break;
		q *= 2;
	}
	p = calloc(n_p, sizeof(*p));
	if (p == NULL) {
		free(keys);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint16_t *hit = bsearch(&keys[i], uniq, n_p,
					      sizeof(*uniq), cmp_u16);
		uint32_t k = (uint32_t)(hit - uniq);

		p[k].s = (uint8_t)(keys[i] >> 8);
		p[k].d = (uint8_t)keys[i];
		p[k].alive = 1;
		p[k].into = k;
		p[k].count++;
		g[i]->tup = k;
	}
	free(keys);
	alive = n_p;
	while (alive > ACL_CLASS_MAX_TUPLES) {
		uint32_t a = UINT32_MAX, b = UINT32_MAX;
		uint64_t best = UINT64_MAX;

		for (uint32_t i = 0; i < n_p; i++)
			if (p[i].alive &&
			    (a == UINT32_MAX || p[i].count < p[a].count))
				a = i;
		for (uint32_t i = 0; i < n_p; i++) {
			unsigned s, d;
			uint64_t cost;

			if (!p[i].alive || i == a)
				continue;
			s = p[i].s < p[a].s ? p[i].s : p[a].s;
			d = p[i].d < p[a].d ? p[i].d : p[a].d;
			cost = (uint64_t)p[a].count *
				       (unsigned)(p[a].s - s + p[a].d - d) +
			       (uint64_t)p[i].count *
				       (unsigned)(p[i].s - s + p[i].d - d);
			if (cost < best) {
				best = cost;
				b = i;
			}
		}
		p[b].s = p[b].s < p[a].s ? p[b].s : p[a].s;
		p[b].d = p[b].d < p[a].d ? p[b].d : p[a].d;
		p[b].count += p[a].count;
		p[a].alive = 0;
		p[a].into = b;
		alive--;
		/* Another pair now equal to b: fold it in too. */
		for (uint32_t i = 0; i < n_p; i++)
			if (p[i].alive && i != b && p[i].s == p[b].s &&
			    p[i].d == p[b].d) {
				p[b].count += p[i].count;
				p[i].alive = 0;
				p[i].into = b;
				alive--;
			}
	}
	for (uint32_t i = 0; i < n_p; i++) {
		uint32_t t = i;

		while (!p[t].alive)
			t = p[t].into;
		p[i].into = t;
	}
	if (alive > 1 && n <= SHARE_MAX_RULES &&
	    share_tuples(g, n, peer_mask, p, n_p) < 0) {
		free(p);
		return -ENOMEM;
	}
	*pp = p;
	*np = n_p;
	return 0;
}

static int
cmp_grp_rank(const void *pa, const void *pb)
{
	const struct brule *a = *(struct brule *const *)pa;
	const struct brule *b = *(struct brule *const *)pb;

	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int
cmp_place(const void *pa, const void *pb)
{
	const struct brule *a = pa, *b = pb;

	if (a->tup != b->tup)
		return a->tup < b->tup ? -1 : 1;
	if (a->bkt != b->bkt)
		return a->bkt < b->bkt ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int
cmp_tup_rank(const void *pa, const void *pb)
{
	const struct btup *a = pa, *b = pb;

	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	return a->min_rank < b->min_rank ? -1 : a->min_rank > b->min_rank;
}

static uint32_t
pow2_at_least(uint32_t x)
{
	uint32_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

static uint32_t
bucket_of(const struct bfam *f, const struct brule *r, const struct btup *t)
{
	uint32_t peer = r->peer & f->grp_peer[r->grp];

	if (t->nb == 1)
		return 0;
	if (f->family == 4) {
		uint32_t s = (uint32_t)r->s[0] & (uint32_t)t->sm[0];
		uint32_t d = (uint32_t)r->d[0] & (uint32_t)t->dm[0];

		return hash4(peer, s, d) & (t->nb - 1);
	}
	return hash6(peer, r->s[0] & t->sm[0], r->s[1] & t->sm[1],
		     r->d[0] & t->dm[0], r->d[1] & t->dm[1]) &
	       (t->nb - 1);
}

/* Tuples of every group, then each rule's bucket, then the rules sorted
 * into place (tuple, bucket, rank) and the offsets. */
static int
plan_tuples_all(struct bfam *f)
{
	struct brule **by = malloc(f->n * sizeof(*by));
	uint32_t *local = NULL; /* pair -> family tuple, per group */
	int rc = -ENOMEM;

	if (by == NULL)
		return -ENOMEM;
	f->tup = calloc((size_t)f->n_grp * ACL_CLASS_MAX_TUPLES,
			sizeof(*f->tup));
	if (f->tup == NULL)
		goto out;
	for (uint32_t i = 0; i < f->n; i++)
		by[i] = &f->r[i];
	qsort(by, f->n, sizeof(*by), cmp_grp_rank);
	for (uint32_t lo = 0, hi; lo < f->n; lo = hi) {
		uint32_t grp = by[lo]->grp, n_p;
		struct pair *p;

		for (hi = lo; hi < f->n && by[hi]->grp == grp; hi++)
			;
		rc = plan_tuples(by + lo, hi - lo, f->family, f->grp_peer[grp],
				 &p, &n_p);
		if (rc < 0)
			goto out;
		free(local);
		local = malloc(n_p * sizeof(*local));
		if (local == NULL) {
			free(p);
			rc = -ENOMEM;
			goto out;
		}
		for (uint32_t i = 0; i < n_p; i++) {
			if (p[i].into != i)
				continue;
			struct btup *t = &f->tup[f->n_tup];

			t->grp = grp;
			t->hs = p[i].s;
			t->hd = p[i].d;
			t->min_rank = UINT32_MAX;
			mask_words(t->hs, t->sm);
			mask_words(t->hd, t->dm);
			local[i] = f->n_tup++;
		}
		for (uint32_t i = lo; i < hi; i++) {
			struct btup *t = &f->tup[local[p[by[i]->tup].into]];

			by[i]->tup = local[p[by[i]->tup].into];
			t->n++;
			if (by[i]->rank < t->min_rank)
				t->min_rank = by[i]->rank;
		}
		free(p);
	}
	/* Tuples in (group, best rank) order; renumber the rules' tuples. */
	for (uint32_t i = 0; i < f->n_tup; i++)
		f->tup[i].pos = i; /* old number, kept through the sort */
	qsort(f->tup, f->n_tup, sizeof(*f->tup), cmp_tup_rank);
	free(local);
	local = malloc((f->n_tup + 1) * sizeof(*local));
	if (local == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < f->n_tup; i++)
		local[f->tup[i].pos] = i;
	for (uint32_t i = 0; i < f->n; i++)
		f->r[i].tup = local[f->r[i].tup];
	for (uint32_t i = 0, off = 0; i < f->n_tup; i++) {
		struct btup *t = &f->tup[i];
		int keyless = t->hs == 0 && t->hd == 0 &&
			      f->grp_peer[t->grp] == 0;

		t->nb = t->n <= LINEAR_MAX || keyless ? 1
						      : pow2_at_least(2 * t->n);
		t->off = off;
		off += t->nb + 1;
		f->n_off = off;
		if (f->grp_ntup[t->grp]++ == 0)
			f->grp_tup[t->grp] = i;
	}
	for (uint32_t i = 0; i < f->n; i++)
		f->r[i].bkt = bucket_of(f, &f->r[i], &f->tup[f->r[i].tup]);
	qsort(f->r, f->n, sizeof(*f->r), cmp_place);
	f->off = calloc(f->n_off, sizeof(*f->off));
	if (f->off == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* Bucket b of tuple t holds rules [off[t.off + b], off[t.off + b +
	 * 1]); rules are sorted by (tuple, bucket, rank). */
	for (uint32_t ti = 0, i = 0; ti < f->n_tup; ti++) {
		const struct btup *t = &f->tup[ti];
		uint32_t tmax = 0;

		for (uint32_t b = 0; b < t->nb; b++) {
			uint32_t start = i;

			f->off[t->off + b] = i;
			while (i < f->n && f->r[i].tup == ti &&
			       f->r[i].bkt == b)
				i++;
			if (i - start > tmax)
				tmax = i - start;
		}
		f->off[t->off + t->nb] = i;
		if (tmax > f->max_bucket)
			f->max_bucket = tmax;
		f->grp_checks[t->grp] += tmax;
	}
	rc = 0;
out:
	free(by);
	free(local);
	return rc;
}

/* A port range boundary of a group: at `at` the group's count of ranges
 * covering the port goes up (lo) or down (hi + 1). */
struct pedge {
	uint32_t at; /* 0..65536 */
	uint8_t grp;
	int8_t step; /* +1 or -1 */
};

static int
cmp_pedge(const void *pa, const void *pb)
{
	const struct pedge *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->grp < b->grp ? -1 : a->grp > b->grp;
}

/*
 * One port table: bit g of entry p set when a rule of group g has p in its
 * range (dir 0 source, 1 destination), as 256 blocks of 256 entries: a
 * sweep over the ranges' ends in port order; a block no end falls inside
 * is uniform (shared with an equal uniform block), the others are filled
 * entry by entry.
 */
static int
port_table(struct bfam *f, int dir, uint8_t blk[256], uint64_t **out,
	   uint32_t *n_out)
{
	struct pedge *e = malloc((2 * (size_t)f->n + 1) * sizeof(*e));
	uint64_t *t = malloc(256 * 256 * sizeof(*t));
	uint32_t cnt[ACL_CLASS_MAX_GROUPS] = {0};
	uint8_t uniform[256];
	uint64_t cur = 0;
	uint32_t nb = 0, ne = 0, i = 0;

	if (e == NULL || t == NULL) {
		free(e);
		free(t);
		return -ENOMEM;
	}
	for (uint32_t j = 0; j < f->n; j++) {
		const struct brule *r = &f->r[j];

		e[ne++] = (struct pedge){dir ? r->dlo : r->slo, (uint8_t)r->grp,
					 1};
		e[ne++] = (struct pedge){(dir ? r->dhi : r->shi) + 1u,
					 (uint8_t)r->grp, -1};
	}
	qsort(e, ne, sizeof(*e), cmp_pedge);
	e[ne].at = UINT32_MAX; /* sentinel */
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t lo = b * 256, k;

		/* ends at the block's first port apply to all of it */
		for (; e[i].at <= lo; i++) {
			cnt[e[i].grp] += (uint32_t)(int32_t)e[i].step;
			cur = cnt[e[i].grp] ? cur | (uint64_t)1 << e[i].grp
					    : cur & ~((uint64_t)1 << e[i].grp);
		}
		if (e[i].at >= lo + 256) { /* uniform */
			for (k = 0; k < nb; k++)
				if (uniform[k] && t[k * 256] == cur)
					break;
			if (k == nb) {
				for (uint32_t x = 0; x < 256; x++)
					t[nb * 256 + x] = cur;
				uniform[nb++] = 1;
			}
		} else {
			k = nb;
			uniform[nb++] = 0;
			for (uint32_t x = 0; x < 256; x++) {
				for (; e[i].at <= lo + x; i++) {
					cnt[e[i].grp] +=
						(uint32_t)(int32_t)e[i].step;
					cur = cnt[e[i].grp]
						      ? cur | (uint64_t)1
									<< e[i].grp
						      : cur & ~((uint64_t)1
								<< e[i].grp);
				}
				t[k * 256 + x] = cur;
			}
		}
		blk[b] = (uint8_t)k;
	}
	free(e);
	*out = t;
	*n_out = nb;
	return 0;
}

/* Set bit in t[] for every index (addr_index6 for IPv6, first byte for
 * IPv4) an address inside prefix w/len can have. */
static void
addr_table(uint64_t *t, int family, const uint64_t w[2], unsigned len,
	   uint64_t bit)
{
	uint8_t a[16];

	memcpy(a, w, 16);
	if (family == 4) {
		unsigned free_bits = len >= 8 ? 0 : 8 - len;

		for (unsigned x = 0; x < 1u << free_bits; x++)
			t[a[0] | x] |= bit;
	} else if (len < 16) {
		for (unsigned i = 0; i < 256; i++)
			t[i] |= bit;
	} else {
		unsigned free_bits = len >= 24 ? 0 : 24 - len;

		for (unsigned x = 0; x < 1u << free_bits; x++) {
			uint8_t b[4] = {a[0], a[1], (uint8_t)(a[2] | x), 0};

			t[addr_index6(b)] |= bit;
		}
	}
}

/* Set bit in proto_t (as built: [later fragment][protocol]) for every
 * protocol p with (p & pm) == pv, where a packet can match a rule that
 * needs ports_ok (`need`) or not. */
static void
proto_paint(uint64_t *proto_t, uint8_t pv, uint8_t pm, int need, uint64_t bit)
{
	for (uint32_t p = 0; p < 256; p++) {
		if ((p & pm) != pv)
			continue;
		if (!need || has_ports((uint8_t)p))
			proto_t[p] |= bit;
		if (!need)
			proto_t[256 | p] |= bit;
	}
}

/* The prefilter's tables: protocol (with ports_ok), DSCP, peer, address
 * bytes, then the port tables. */
static int
small_tables(struct bfam *f)
{
	uint8_t proto_all[ACL_CLASS_MAX_GROUPS][2] = {{0}};
	uint8_t dscp_all[ACL_CLASS_MAX_GROUPS] = {0};
	uint8_t peer_any[ACL_CLASS_MAX_GROUPS] = {0};
	uint8_t src_all[ACL_CLASS_MAX_GROUPS] = {0};
	uint8_t dst_all[ACL_CLASS_MAX_GROUPS] = {0};
	uint8_t src0_all[ACL_CLASS_MAX_GROUPS] = {0};
	uint8_t dst0_all[ACL_CLASS_MAX_GROUPS] = {0};
	int rc;

	f->proto_t = calloc(512, sizeof(uint64_t));
	f->dscp_t = calloc(64, sizeof(uint64_t));
	f->peer_t = calloc(N_PEERS, sizeof(uint64_t));
	f->src_t = calloc(256, sizeof(uint64_t));
	f->dst_t = calloc(256, sizeof(uint64_t));
	f->src0_t = calloc(256, sizeof(uint64_t));
	f->dst0_t = calloc(256, sizeof(uint64_t));
	if (f->proto_t == NULL || f->dscp_t == NULL || f->peer_t == NULL ||
	    f->src_t == NULL || f->dst_t == NULL || f->src0_t == NULL ||
	    f->dst0_t == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->n; i++) {
		const struct brule *r = &f->r[i];
		uint64_t bit = (uint64_t)1 << r->grp;
		int need = (r->fm & FLAG_PORTS_OK) != 0;

		/* one protocol: its two entries; any protocol: once per group
		 * and ports_ok condition; other masks (never from the config
		 * compiler): all matching protocols */
		if (r->pm == 0xff) {
			if (!need || has_ports(r->pv))
				f->proto_t[r->pv] |= bit;
			if (!need)
				f->proto_t[256 | r->pv] |= bit;
		} else if (r->pm != 0 || !proto_all[r->grp][need]) {
			proto_all[r->grp][need] |= r->pm == 0;
			proto_paint(f->proto_t, r->pv, r->pm, need, bit);
		}
		if ((r->fm & 0x3f) == 0x3f) {
			f->dscp_t[r->fv & 0x3f] |= bit;
		} else if (!dscp_all[r->grp]) {
			dscp_all[r->grp] = 1;
			for (uint32_t v = 0; v < 64; v++)
				f->dscp_t[v] |= bit;
		}
		if (r->peer != 0) {
			f->peer_t[r->peer] |= bit;
		} else if (!peer_any[r->grp]) {
			peer_any[r->grp] = 1;
			for (uint32_t p = 0; p < N_PEERS; p++)
				f->peer_t[p] |= bit;
		}
		if (!src_all[r->grp]) {
			addr_table(f->src_t, f->family, r->s, r->sl, bit);
			src_all[r->grp] = r->sl == 0;
		}
		if (!dst_all[r->grp]) {
			addr_table(f->dst_t, f->family, r->d, r->dl, bit);
			dst_all[r->grp] = r->dl == 0;
		}
		if (f->family == 6 && !src0_all[r->grp]) {
			addr_table(f->src0_t, 4, r->s, r->sl, bit);
			src0_all[r->grp] = r->sl == 0;
		}
		if (f->family == 6 && !dst0_all[r->grp]) {
			addr_table(f->dst0_t, 4, r->d, r->dl, bit);
			dst0_all[r->grp] = r->dl == 0;
		}
	}
	rc = port_table(f, 0, f->sblk, &f->sport_t, &f->n_sblk);
	if (rc == 0)
		rc = port_table(f, 1, f->dblk, &f->dport_t, &f->n_dblk);
	return rc;
}

/*
 * The decided groups: exact (one signature: the prefilter tested their
 * protocol, DSCP/ports_ok and port conditions exactly) and without
 * prefixes, so a packet whose prefilter mask has such a group matches its
 * first rule for the packet's peer (peer tables are exact too, for peers
 * below IXG_MAX_PEERS). Their best rank by peer (one row for a group
 * naming no peer), from the rules kept after prune_shadowed, as the walk
 * would find it.
 */
static int
decided_tables(struct bfam *f)
{
	uint8_t pfx[ACL_CLASS_MAX_GROUPS] = {0};
	uint32_t rows[ACL_CLASS_MAX_GROUPS] = {0};

	for (uint32_t i = 0; i < f->n; i++) {
		const struct brule *r = &f->r[i];
		uint32_t need = (r->peer & f->grp_peer[r->grp]) + 1u;

		pfx[r->grp] |= r->sl != 0 || r->dl != 0;
		rows[r->grp] = need > rows[r->grp] ? need : rows[r->grp];
	}
	f->dec_mask = 0;
	f->n_dec = 0;
	for (uint32_t g = 0; g < f->n_grp; g++) {
		if (!f->grp_exact[g] || pfx[g] || rows[g] == 0)
			continue;
		f->dec_mask |= (uint64_t)1 << g;
		f->grp_dec_off[g] = f->n_dec;
		f->grp_dec_rows[g] = rows[g];
		f->n_dec += rows[g];
	}
	f->dec = malloc(((size_t)f->n_dec + 1) * sizeof(*f->dec));
	if (f->dec == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->n_dec; i++)
		f->dec[i] = NO_RANK;
	for (uint32_t i = 0; i < f->n; i++) {
		const struct brule *r = &f->r[i];
		uint32_t *d;

		if (!((f->dec_mask >> r->grp) & 1))
			continue;
		d = &f->dec[f->grp_dec_off[r->grp] +
			    (r->peer & f->grp_peer[r->grp])];
		*d = r->rank < *d ? r->rank : *d;
	}
	return 0;
}

/* A range of 16-bit address heads [lo, hi] a group's prefix covers. */
struct span16 {
	uint32_t grp, lo, hi;
};

static int
cmp_span16(const void *pa, const void *pb)
{
	const struct span16 *a = pa, *b = pb;

	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/*
 * The address prefilter by the first two bytes (IPv4: struct fam, a16;
 * IPv6: s16),
 * source (dir 0) and destination (1): bit g at head h when a rule of
 * group g has a prefix that an address starting with h can be in. Spans
 * sorted and merged per group before painting, so the work is at most
 * 65,536 entries a group whatever the rules. IPv4 keeps them in blocks
 * of 256 by first byte, uniform ones shared (addr16_tables); IPv6 whole
 * (addr16_tables6).
 */
static int
addr16_dir(const struct bfam *f, int dir, uint64_t *full)
{
	struct span16 *sp = malloc(((size_t)f->n + 1) * sizeof(*sp));
	uint64_t all = 0;
	uint32_t n = 0;

	if (sp == NULL)
		return -ENOMEM;
	memset(full, 0, 65536 * sizeof(*full));
	for (uint32_t i = 0; i < f->n; i++) {
		const struct brule *r = &f->r[i];
		unsigned len = dir ? r->dl : r->sl;
		uint8_t a[16];
		uint32_t head;

		if (len == 0) {
			all |= (uint64_t)1 << r->grp;
			continue;
		}
		memcpy(a, dir ? r->d : r->s, 16);
		head = (uint32_t)a[0] << 8 | a[1];
		sp[n].grp = r->grp;
		sp[n].lo = head;
		sp[n].hi = len >= 16 ? head : head | ((1u << (16 - len)) - 1);
		n++;
	}
	qsort(sp, n, sizeof(*sp), cmp_span16);
	for (uint32_t i = 0; i < n;) {
		uint32_t g = sp[i].grp, lo = sp[i].lo, hi = sp[i].hi;

		for (i++; i < n && sp[i].grp == g && sp[i].lo <= hi + 1; i++)
			hi = sp[i].hi > hi ? sp[i].hi : hi;
		for (uint32_t h = lo; h <= hi; h++)
			full[h] |= (uint64_t)1 << g;
	}
	for (uint32_t h = 0; h < 65536; h++)
		full[h] |= all;
	free(sp);
	return 0;
}

static int
addr16_tables(struct bfam *f)
{
	uint64_t *full = malloc(2 * 65536 * sizeof(*full));
	uint8_t uniform[512];
	uint32_t nb = 0;

	f->a16 = malloc(512 * 256 * sizeof(*f->a16));
	if (full == NULL || f->a16 == NULL) {
		free(full);
		return -ENOMEM;
	}
	for (int dir = 0; dir < 2; dir++) {
		int rc = addr16_dir(f, dir, full + dir * 65536);

		if (rc < 0) {
			free(full);
			return rc;
		}
	}
	for (uint32_t b = 0; b < 512; b++) {
		const uint64_t *blk = full + b * 256;
		int uni = 1;
		uint32_t k = nb;

		for (uint32_t x = 1; x < 256 && uni; x++)
			uni = blk[x] == blk[0];
		if (uni)
			for (k = 0; k < nb; k++)
				if (uniform[k] && f->a16[k * 256] == blk[0])
					break;
		if (k == nb) {
			memcpy(f->a16 + nb * 256, blk, 256 * sizeof(*blk));
			uniform[nb++] = (uint8_t)uni;
		}
		f->a16_blk[b] = k * 256;
	}
	f->n_a16 = nb * 256;
	free(full);
	return 0;
}

/*
 * IPv6: addr16_dir's two tables whole (struct fam, s16), entry h at the
 * index a 16-bit little-endian load of the head's two bytes gives, so
 * stage_acl indexes them with that load alone.
 */
static int
addr16_tables6(struct bfam *f)
{
	uint64_t *full = malloc(65536 * sizeof(*full));

	f->s16 = malloc(2 * 65536 * sizeof(*f->s16));
	if (full == NULL || f->s16 == NULL) {
		free(full);
		return -ENOMEM;
	}
	for (int dir = 0; dir < 2; dir++) {
		int rc = addr16_dir(f, dir, full);

		if (rc < 0) {
			free(full);
			return rc;
		}
		for (uint32_t h = 0; h < 65536; h++) {
			const uint8_t b[2] = {(uint8_t)(h >> 8), (uint8_t)h};
			uint16_t v;

			memcpy(&v, b, sizeof(v));
			f->s16[dir * 65536 + v] = full[h];
		}
	}
	free(full);
	return 0;
}

static void
bfam_free(struct bfam *f)
{
	free(f->dec);
	free(f->a16);
	free(f->s16);
	free(f->r);
	free(f->tup);
	free(f->off);
	free(f->proto_t);
	free(f->dscp_t);
	free(f->src_t);
	free(f->dst_t);
	free(f->src0_t);
	free(f->dst0_t);
	free(f->peer_t);
	free(f->sport_t);
	free(f->dport_t);
	memset(f, 0, sizeof(*f));
}

/* The rule as the lookup checks it (every field, its own lengths). */
static void
brule_fill(struct brule *b, const struct ixg_spec_acl_rule *r, uint32_t idx,
	   uint32_t rank)
{
	int ports = !(r->sport_lo == 0 && r->sport_hi == 65535 &&
		      r->dport_lo == 0 && r->dport_hi == 65535);
	uint8_t a[16];

	memset(b, 0, sizeof(*b));
	b->idx = idx;
	b->rank = rank;
	b->peer = r->in_peer;
	b->slo = r->sport_lo;
	b->shi = r->sport_hi;
	b->dlo = r->dport_lo;
	b->dhi = r->dport_hi;
	b->pm = r->proto_mask;
	b->pv = r->proto & r->proto_mask;
	b->fm = (uint8_t)((ports ? FLAG_PORTS_OK : 0) |
			  (r->dscp_any ? 0 : 0x3f));
	b->fv = (uint8_t)((ports ? FLAG_PORTS_OK : 0) |
			  (r->dscp_any ? 0 : (r->dscp & 0x3f)));
	b->sl = r->src_len;
	b->dl = r->dst_len;
	mask_words(b->sl, b->sm);
	mask_words(b->dl, b->dm);
	memset(a, 0, sizeof(a));
	memcpy(a, r->src, r->family == 4 ? 4 : 16);
	memcpy(b->s, a, 16);
	memset(a, 0, sizeof(a));
	memcpy(a, r->dst, r->family == 4 ? 4 : 16);
	memcpy(b->d, a, 16);
	for (unsigned w = 0; w < 2; w++) {
		b->s[w] &= b->sm[w];
		b->d[w] &= b->dm[w];
	}
}

static uint32_t
first32(const uint64_t w[2])
{
	uint32_t x;

	memcpy(&x, w, 4);
	return x;
}

/* Bytes of each array of one family in the block, 64-byte aligned. */
struct lay {
	size_t pf, grp, dgrp, tup, off, rec, result, dec, a16_blk, a16, s16,
		end;
};

static size_t
al64(size_t x)
{
	return (x + 63) & ~(size_t)63;
}

static size_t
layout(const struct bfam *f, size_t at, struct lay *l)
{
	size_t tsz = f->family == 4 ? sizeof(struct tup4) : sizeof(struct tup6);
	size_t rsz = f->family == 4 ? sizeof(struct rec4) : sizeof(struct rec6);
	size_t n_pf = PF_PORTS + ((size_t)f->n_sblk + f->n_dblk) * 256;

	if (f->n_ranks == 0) {
		memset(l, 0, sizeof(*l));
		return at;
	}
	l->pf = at;
	l->grp = al64(l->pf + n_pf * sizeof(uint64_t));
	l->dgrp = al64(l->grp + f->n_grp * sizeof(struct grp));
	l->tup = al64(l->dgrp + f->n_grp * sizeof(struct acl_class_dgrp));
	l->off = al64(l->tup + f->n_tup * tsz);
	l->rec = al64(l->off + f->n_off * sizeof(uint32_t));
	l->result = al64(l->rec + f->n * rsz);
	l->dec = al64(l->result + f->n_ranks * sizeof(uint32_t));
	l->a16_blk = al64(l->dec + f->n_dec * sizeof(uint32_t));
	l->a16 = al64(l->a16_blk + (f->n_a16 ? 512 : 0) * sizeof(uint32_t));
	l->s16 = al64(l->a16 + f->n_a16 * sizeof(uint64_t));
	l->end = al64(l->s16 +
		      (f->s16 != NULL ? 2 * 65536 : 0) * sizeof(uint64_t));
	return l->end;
}

static void
emit(const struct bfam *f, char *base, const struct lay *l, struct fam *o,
     const uint32_t *idx_by_rank)
{
	struct grp *g = (struct grp *)(base + l->grp);
	struct acl_class_dgrp *dg = (struct acl_class_dgrp *)(base + l->dgrp);
	size_t tsz = f->family == 4 ? sizeof(struct tup4) : sizeof(struct tup6);
	size_t rsz = f->family == 4 ? sizeof(struct rec4) : sizeof(struct rec6);

	memset(o, 0, sizeof(*o));
	if (f->n_ranks == 0)
		return;
	o->n_rules = f->n_ranks;
	o->n_groups = f->n_grp;
	{
		uint64_t *pf = (uint64_t *)(base + l->pf);
		const uint64_t **blk = (const uint64_t **)(void *)(pf + PF_BLK);

		for (unsigned k = 0; k < 256; k++)
			memcpy(pf + PF_PROTO + k * 256,
			       f->proto_t + (k == 2 ? 256 : 0),
			       256 * sizeof(uint64_t));
		for (unsigned k = 0; k < 4; k++)
			memcpy(pf + PF_DSCP + k * 64, f->dscp_t,
			       64 * sizeof(uint64_t));
		memcpy(pf + PF_SRC, f->src_t, 256 * sizeof(uint64_t));
		memcpy(pf + PF_DST, f->dst_t, 256 * sizeof(uint64_t));
		memcpy(pf + PF_SRC0, f->src0_t, 256 * sizeof(uint64_t));
		memcpy(pf + PF_DST0, f->dst0_t, 256 * sizeof(uint64_t));
		memcpy(pf + PF_PEER, f->peer_t, N_PEERS * sizeof(uint64_t));
		for (size_t i = N_PEERS; i < 65536; i++)
			pf[PF_PEER + i] = f->peer_t[0];
		for (unsigned i = 0; i < 256; i++) {
			blk[i] = pf + PF_PORTS + (size_t)f->sblk[i] * 256;
			blk[256 + i] = pf + PF_PORTS +
				       (size_t)(f->n_sblk + f->dblk[i]) * 256;
		}
		memcpy(pf + PF_PORTS, f->sport_t,
		       (size_t)f->n_sblk * 256 * sizeof(uint64_t));
		memcpy(pf + PF_PORTS + (size_t)f->n_sblk * 256, f->dport_t,
		       (size_t)f->n_dblk * 256 * sizeof(uint64_t));
		o->pf = pf;
	}
	for (uint32_t i = 0; i < f->n_grp; i++) {
		g[i].min_rank = f->grp_min[i];
		g[i].n_tup = f->grp_ntup[i];
		g[i].tup = base + l->tup + f->grp_tup[i] * tsz;
		g[i].peer_mask = f->grp_peer[i];
		g[i].exact = f->grp_exact[i];
		g[i].dec_off = f->grp_dec_off[i];
		g[i].dec_rows = f->grp_dec_rows[i];
		if ((f->dec_mask >> i) & 1) {
			dg[i].peer_mask = f->grp_peer[i];
			dg[i].rows = f->grp_dec_rows[i];
			dg[i].off = f->grp_dec_off[i];
		}
	}
	memcpy(base + l->dec, f->dec, f->n_dec * sizeof(uint32_t));
	o->dec_mask = f->dec_mask;
	o->dec = (const uint32_t *)(base + l->dec);
	if (f->n_a16 != 0) {
		memcpy(base + l->a16_blk, f->a16_blk, sizeof(f->a16_blk));
		memcpy(base + l->a16, f->a16, f->n_a16 * sizeof(uint64_t));
		o->a16_blk = (const uint32_t *)(base + l->a16_blk);
		o->a16 = (const uint64_t *)(base + l->a16);
	}
	if (f->s16 != NULL) {
		memcpy(base + l->s16, f->s16, 2 * 65536 * sizeof(uint64_t));
		o->s16 = (const uint64_t *)(base + l->s16);
	}
	for (uint32_t i = 0; i < f->n_tup; i++) {
		const struct btup *t = &f->tup[i];
		const uint32_t *off = (const uint32_t *)(base + l->off) +
				      t->off;

		if (f->family == 4) {
			struct tup4 *o4 = (struct tup4 *)(base + l->tup) + i;

			o4->min_rank = t->min_rank;
			o4->hmask = t->nb - 1;
			o4->off = off;
			o4->sm = first32(t->sm);
			o4->dm = first32(t->dm);
		} else {
			struct tup6 *o6 = (struct tup6 *)(base + l->tup) + i;

			o6->min_rank = t->min_rank;
			o6->hmask = t->nb - 1;
			o6->off = off;
			memcpy(o6->sm, t->sm, 16);
			memcpy(o6->dm, t->dm, 16);
		}
	}
	for (uint32_t i = 0; i < f->n_off; i++)
		((uint32_t *)(base + l->off))[i] = (uint32_t)(f->off[i] * rsz);
	for (uint32_t i = 0; i < f->n; i++) {
		const struct brule *r = &f->r[i];

		if (f->family == 4) {
			struct rec4 *o4 = (struct rec4 *)(base + l->rec) + i;

			o4->src = first32(r->s);
			o4->smask = first32(r->sm);
			o4->dst = first32(r->d);
			o4->dmask = first32(r->dm);
			o4->slo = r->slo;
			o4->sspan = (uint16_t)(r->shi - r->slo);
			o4->dlo = r->dlo;
			o4->dspan = (uint16_t)(r->dhi - r->dlo);
			o4->peer = r->peer;
			o4->rank = (uint16_t)r->rank;
			o4->proto = r->pv;
			o4->pmask = r->pm;
			o4->flags = r->fv;
			o4->fmask = r->fm;
		} else {
			struct rec6 *o6 = (struct rec6 *)(base + l->rec) + i;

			memset(o6, 0, sizeof(*o6));
			memcpy(o6->src, r->s, 16);
			memcpy(o6->smask, r->sm, 16);
			memcpy(o6->dst, r->d, 16);
			memcpy(o6->dmask, r->dm, 16);
			o6->slo = r->slo;
			o6->sspan = (uint16_t)(r->shi - r->slo);
			o6->dlo = r->dlo;
			o6->dspan = (uint16_t)(r->dhi - r->dlo);
			o6->peer = r->peer;
			o6->rank = (uint16_t)r->rank;
			o6->proto = r->pv;
			o6->pmask = r->pm;
			o6->flags = r->fv;
			o6->fmask = r->fm;
		}
	}
	for (uint32_t i = 0; i < f->n_ranks; i++)
		((uint32_t *)(base + l->result))[i] = idx_by_rank[i] + 1;
	o->grp = g;
	o->rec = base + l->rec;
	o->result = (const uint32_t *)(base + l->result);
}

static void *
default_alloc(size_t size, void *arg)
{
	(void)arg;
	return aligned_alloc(64, al64(size));
}

static void
default_free(void *p, void *arg)
{
	(void)arg;
	free(p);
}

static int
check_rule(const struct ixg_spec_acl_rule *r, uint32_t i,
	   struct acl_class_error *err)
{
	unsigned max = r->family == 4 ? 32 : 128;

	if (r->family != 4 && r->family != 6)
		return bad(err, -EINVAL, i, "family %u (4 or 6)", r->family);
	if (r->src_len > max || r->dst_len > max)
		return bad(err, -EINVAL, i, "prefix length /%u over /%u",
			   r->src_len > max ? r->src_len : r->dst_len, max);
	if (r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi)
		return bad(
			err, -EINVAL, i, "%s port range %u-%u is empty",
			r->sport_lo > r->sport_hi ? "source" : "destination",
			r->sport_lo > r->sport_hi ? r->sport_lo : r->dport_lo,
			r->sport_lo > r->sport_hi ? r->sport_hi : r->dport_hi);
	if (r->in_peer >= N_PEERS)
		return bad(err, -EINVAL, i,
			   "ingress peer %u out of range (1..%u)", r->in_peer,
			   N_PEERS - 1);
	return 0;
}

/*
 * Leave out rules that can never be the first match: a rule without
 * prefixes matches every packet its small conditions let through (or,
 * naming a peer, every such packet from that peer), so any rule ranked
 * after it with the same small conditions (and that peer) is shadowed,
 * whichever addresses it names. Done where both rules sit in exact groups
 * (one signature each, at most ACL_CLASS_MAX_GROUPS of them). f->r stays
 * in rank order.
 */
static int
prune_shadowed(struct bfam *f)
{
	/* bit (slot * N_PEERS + peer): a rule without prefixes of the small
	 * conditions of slot names that peer; any[slot]: one names no peer.
	 * Slots number the small conditions of exact groups. */
	uint8_t *caught = calloc((size_t)ACL_CLASS_MAX_GROUPS * N_PEERS / 8, 1);
	uint8_t any[ACL_CLASS_MAX_GROUPS] = {0};
	uint64_t smalls[ACL_CLASS_MAX_GROUPS];
	uint32_t n_smalls = 0, kept = 0;

	if (caught == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->n; i++) {
		const struct brule *r = &f->r[i];
		int drop = 0;

		if (f->grp_exact[r->grp]) {
			/* one slot per exact group at most: never full */
			size_t slot = (size_t)key_slot(smalls, &n_smalls,
						       ACL_CLASS_MAX_GROUPS,
						       r->small);
			size_t bit = slot * N_PEERS + r->peer;

			drop = any[slot] ||
			       (r->peer != 0 &&
				(caught[bit / 8] >> (bit % 8)) & 1);
			if (!drop && r->sl == 0 && r->dl == 0) {
				if (r->peer == 0)
					any[slot] = 1;
				else
					caught[bit / 8] |=
						(uint8_t)(1u << (bit % 8));
			}
		}
		if (!drop)
			f->r[kept++] = *r;
	}
	f->n = kept;
	free(caught);
	return 0;
}

/* Sum of w[g] over the groups of mask m. */
static uint32_t
mask_weight(uint64_t m, const uint32_t *w)
{
	uint32_t sum = 0;

	for (; m != 0; m &= m - 1)
		sum += w[__builtin_ctzll(m)];
	return sum;
}

/*
 * Bounds on one packet's work, for the stats: every group a packet can
 * reach is in one entry of each prefilter table, so the most tuples
 * (probes) and longest-bucket rules (checks) one entry's groups hold,
 * minimised over the tables, bounds what any packet costs.
 */
static void
work_bounds(struct bfam *f)
{
	const struct {
		const uint64_t *t;
		uint32_t n;
	} tabs[] = {
		{f->proto_t, 512},
		{f->dscp_t, 64},
		{f->peer_t, N_PEERS},
		{f->src_t, 256},
		{f->dst_t, 256},
		{f->src0_t, f->family == 6 ? 256 : 0},
		{f->dst0_t, f->family == 6 ? 256 : 0},
		{f->sport_t, f->n_sblk * 256},
		{f->dport_t, f->n_dblk * 256},
	};

	f->max_probes = f->worst_checks = f->max_groups = UINT32_MAX;
	for (size_t k = 0; k < sizeof(tabs) / sizeof(tabs[0]); k++) {
		uint32_t probes = 0, checks = 0, groups = 0;

		if (tabs[k].n == 0)
			continue;
		for (uint32_t e = 0; e < tabs[k].n; e++) {
			uint64_t m = tabs[k].t[e];
			uint32_t p = mask_weight(m, f->grp_ntup);
			uint32_t c = mask_weight(m, f->grp_checks);
			uint32_t g = (uint32_t)__builtin_popcountll(m);

			probes = p > probes ? p : probes;
			checks = c > checks ? c : checks;
			groups = g > groups ? g : groups;
		}
		f->max_probes = probes < f->max_probes ? probes : f->max_probes;
		f->worst_checks = checks < f->worst_checks ? checks
							   : f->worst_checks;
		/* the address tables (k 3..6) say nothing about overlap */
		if ((k < 3 || k > 6) && groups < f->max_groups)
			f->max_groups = groups;
	}
}

/*
 * One group per signature (level 0) unless signatures overlap so much
 * that one packet's small fields alone reach more than OVERLAP_MAX groups
 * (signatures sharing a port, each with prefixes of its own:
 * bench/acl_bench --adversarial); then the coarser levels are built too
 * and the grouping with the least work bound (probes + rule checks) kept.
 * Measured: on the adversarial set level 0 (small-field overlap 64, bound
 * 21) costs 107 cycles per packet, level 1 (bound 5) 33; on fullspec's set
 * level 0 is the fastest on every traffic shape, although a coarser level
 * can have a lower worst-case bound (IPv6: level 2, bound 35 against 61,
 * but 2.4x the cycles on the traffic mix): the bound speaks for the worst
 * packet, not the typical one.
 */
#define OVERLAP_MAX 32
/* One grouping of the family's rules (rank order in orig[0..n)) into f,
 * at merge level `level` (0: one group per signature where they fit). */
static int
build_level(struct bfam *f, int family, const struct brule *orig, uint32_t n,
	    unsigned level)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->family = family;
	f->n = f->n_ranks = n;
	if (n == 0)
		return 0;
	f->r = malloc(n * sizeof(*f->r));
	if (f->r == NULL)
		return -ENOMEM;
	memcpy(f->r, orig, n * sizeof(*f->r));
	if ((rc = plan_groups(f, level)) < 0 || (rc = prune_shadowed(f)) < 0 ||
	    (rc = plan_tuples_all(f)) < 0 || (rc = small_tables(f)) < 0 ||
	    (rc = decided_tables(f)) < 0 ||
	    (family == 4 && (rc = addr16_tables(f)) < 0) ||
	    (family == 6 && (rc = addr16_tables6(f)) < 0))
		return rc;
	work_bounds(f);
	return 0;
}

static uint64_t
work_cost(const struct bfam *f)
{
	return (uint64_t)f->max_probes + f->worst_checks;
}

/* One family's build into f, from its rules in rank order. */
static int
build_family(struct bfam *f, int family, const struct ixg_spec_acl_rule *rules,
	     const uint32_t *by_rank, uint32_t n)
{
	struct brule *orig = malloc((n + 1) * sizeof(*orig));
	int rc;

	memset(f, 0, sizeof(*f));
	if (orig == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		brule_fill(&orig[i], &rules[by_rank[i]], by_rank[i], i);
	rc = build_level(f, family, orig, n, 0);
	for (unsigned level = 1;
	     rc == 0 && f->max_groups > OVERLAP_MAX && level <= 3; level++) {
		struct bfam alt;

		rc = build_level(&alt, family, orig, n, level);
		if (rc == 0 && work_cost(&alt) < work_cost(f)) {
			bfam_free(f);
			*f = alt;
		} else {
			bfam_free(&alt);
		}
	}
	free(orig);
	return rc;
}

int
acl_class_build(const struct ixg_spec_acl_rule *rules, uint32_t n,
		const struct acl_class_mem *mem, struct acl_class **out,
		struct acl_class_error *err)
{
	struct acl_class_mem m = {default_alloc, default_free, NULL};
	struct bfam f[2];
	struct lay l[2];
	uint32_t *order = NULL, *by[2] = {NULL, NULL}, nf[2] = {0, 0};
	struct acl_class *c;
	size_t size;
	int rc;

	if (mem != NULL)
		m = *mem;
	*out = NULL;
	if (err != NULL) {
		err->rule = -1;
		err->msg[0] = '\0';
	}
	memset(f, 0, sizeof(f));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t fi;

		if ((rc = check_rule(&rules[i], i, err)) < 0)
			return rc;
		fi = rules[i].family == 6;
		if (++nf[fi] > ACL_CLASS_MAX_RULES)
			return bad(err, -ENOSPC, i, "more than %u IPv%d rules",
				   ACL_CLASS_MAX_RULES, fi ? 6 : 4);
	}
	rc = -ENOMEM;
	order = malloc((n + 1) * sizeof(*order));
	by[0] = malloc((nf[0] + 1) * sizeof(*by[0]));
	by[1] = malloc((nf[1] + 1) * sizeof(*by[1]));
	if (order == NULL || by[0] == NULL || by[1] == NULL)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_rank, (void *)(uintptr_t)rules);
	nf[0] = nf[1] = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t fi = rules[order[i]].family == 6;

		by[fi][nf[fi]++] = order[i];
	}
	for (int fi = 0; fi < 2; fi++)
		if ((rc = build_family(&f[fi], fi ? 6 : 4, rules, by[fi],
				       nf[fi])) < 0)
			goto out;
	size = layout(&f[0], al64(sizeof(*c)), &l[0]);
	size = layout(&f[1], size, &l[1]);
	c = m.alloc(size, m.arg);
	if (c == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memset(c, 0, size);
	c->mem = m;
	for (int fi = 0; fi < 2; fi++) {
		struct acl_class_stats *st = &c->st;

		emit(&f[fi], (char *)c, &l[fi], &c->f[fi], by[fi]);
		st->rules[fi] = f[fi].n_ranks;
		st->shadowed[fi] = f[fi].n_ranks - f[fi].n;
		st->groups[fi] = f[fi].n_grp;
		st->tuples[fi] = f[fi].n_tup;
		st->signatures[fi] = f[fi].n_sig;
		st->merged[fi] = f[fi].merged;
		st->port_blocks[fi] = f[fi].n_sblk + f[fi].n_dblk;
		st->max_bucket[fi] = f[fi].max_bucket;
		st->worst_checks[fi] = f[fi].worst_checks;
		st->max_probes[fi] = f[fi].max_probes;
		st->decided[fi] = (uint32_t)__builtin_popcountll(
			f[fi].dec_mask);
		if (c->f[fi].n_rules > 0) {
			struct acl_class_fast *h = &c->head.f[fi];

			h->pf = c->f[fi].pf;
			h->walk_mask = ~c->f[fi].dec_mask;
			h->a16_blk = c->f[fi].a16_blk;
			h->a16 = c->f[fi].a16;
			h->s16 = c->f[fi].s16;
			h->dec = c->f[fi].dec;
			h->result = c->f[fi].result;
			h->dgrp = (const void *)((const char *)c + l[fi].dgrp);
		}
	}
	c->st.bytes = size;
	*out = c;
	rc = 0;
out:
	if (rc == -ENOMEM && err != NULL)
		bad(err, rc, -1, "out of memory");
	bfam_free(&f[0]);
	bfam_free(&f[1]);
	free(order);
	free(by[0]);
	free(by[1]);
	return rc;
}
