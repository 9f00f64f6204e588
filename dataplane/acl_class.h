/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_class.h - ixgate's own ACL classifier, which stage_acl runs: the
 * first rule, in (priority, id) order, that a packet matches, with exactly
 * the rule semantics the dataplane gave rte_acl before (that set-up is kept
 * in tests/unit/dataplane/test_acl_class_ref.c, and the tests check both
 * agree):
 *
 *  - rules of one family (4 or 6) see packets of that family only;
 *  - proto: (packet proto & proto_mask) == (proto & proto_mask);
 *  - DSCP: dscp_any, or packet DSCP == rule dscp & 0x3f;
 *  - in_peer: IXG_PEER_NONE (0) is any ingress peer, else equal;
 *  - source and destination prefixes of length 0..32 / 0..128 (0 = any;
 *    host bits of the rule's address are ignored);
 *  - ports: a rule whose source or destination range is not 0..65535 needs
 *    ports_ok, i.e. a protocol that carries ports (TCP, UDP, SCTP, DCCP,
 *    UDP-Lite) and not a later fragment (RFC 791 s. 3.2, RFC 8200 s. 4.5:
 *    no L4 header); without ports_ok the packet's ports count as 0, so
 *    only rules whose ranges are "any" match it;
 *  - ties: rules sorted by (priority, id, index in the spec); the first one
 *    that matches wins. The result is the winner's spec index + 1, 0 when
 *    none matches (what build_acl gave rte_acl as userdata).
 *
 * Why not rte_acl (issue 12): rte_acl walks its whole trie for every packet
 * (285 instructions per packet on the 10k-rule bench set, although most
 * traffic matches no rule) and rte_acl_build of 10k rules took ~4 s of a
 * 4.3 s commit. Measurements: bench/README.md, "Issue 12 (2026-12-06)".
 *
 * How (per family):
 *  1. Groups. Rules are grouped by their "small" fields: protocol value and
 *     mask, DSCP/ports_ok condition, whether they name a peer, source and
 *     destination port range, and which addresses they constrain (so a
 *     group of destination-only rules is not reached through the source
 *     byte table by every packet). At most 64 groups, numbered by the best rank
 *     of their rules (too many distinct signatures are merged, coarsest
 *     field first; a merged group is still exact, only less selective).
 *  2. Pre-classification: five table reads give the set of groups any of
 *     whose rules could match the packet's protocol, DSCP/ports_ok, peer,
 *     source port and destination port (64-bit masks ANDed). Packets a
 *     group cannot touch (TCP/443 against UDP anti-reflection rules) stop
 *     here.
 *  3. Tuples. Within a group, rules are hashed by (peer if the group names
 *     peers, source & mask, destination & mask) for each distinct pair of
 *     prefix lengths (at most ACL_CLASS_MAX_TUPLES per group: rarer length
 *     pairs are hashed on shorter common lengths). One probe per tuple
 *     finds a bucket of rules sorted by rank; each is checked on every
 *     field. Groups, tuples and buckets are visited in rank order and left
 *     as soon as they cannot beat the best match so far.
 *  4. Decided groups (the members' class rules: one signature, no
 *     prefix, so the prefilter tested every condition but the peer
 *     exactly): their best rule is read from a table by peer, without a
 *     walk. For IPv4 the mask is first narrowed by the first two bytes of
 *     each address (bogon rules like 192.168.0.0/16 no longer send every
 *     192.x packet to the walk). Only the groups left, and only while one
 *     could beat the decided answer, are walked.
 *
 * The built classifier is one block of memory (acl_class_stats.bytes),
 * immutable; lookups take no lock, allocate nothing and make no call.
 */
#ifndef IXG_ACL_CLASS_H
#define IXG_ACL_CLASS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ixg_api.h"

#define ACL_CLASS_MAX_GROUPS 64 /* per family: one bit of a uint64_t each */
#define ACL_CLASS_MAX_TUPLES 8 /* per group */
#define ACL_CLASS_MAX_RULES IXG_MAX_ACL_RULES /* per family */

/* acl_class_key*.flags: bits 0..5 the packet's DSCP, and this bit for a
 * later fragment (offset > 0: its ports are not matched). */
#define ACL_CLASS_LATER_FRAG 0x80

/* One IPv4 packet's search key (16 bytes). */
struct acl_class_key4 {
	uint32_t src, dst; /* network byte order */
	uint16_t sport, dport; /* host order; ignored without ports_ok */
	uint16_t in_peer;
	uint8_t proto;
	uint8_t flags; /* DSCP | ACL_CLASS_LATER_FRAG */
};

/* One IPv6 packet's search key (40 bytes). */
struct acl_class_key6 {
	uint8_t src[16], dst[16]; /* network byte order */
	uint16_t sport, dport;
	uint16_t in_peer;
	uint8_t proto;
	uint8_t flags;
};

struct acl_class;

/*
 * Where the built classifier lives: alloc(size, arg) returns memory
 * aligned to 64 bytes (NULL on failure), free(p, arg) releases it. NULL
 * `mem` in acl_class_build means aligned_alloc/free. The dataplane passes
 * rte_malloc so the tables sit on hugepages.
 */
struct acl_class_mem {
	void *(*alloc)(size_t size, void *arg);
	void (*free)(void *p, void *arg);
	void *arg;
};

/* Why a build failed: the spec index of the rule (-1 when no one rule is
 * to blame) and a sentence. */
struct acl_class_error {
	int64_t rule;
	char msg[128];
};

/* What a build made, per family [0] IPv4, [1] IPv6, and in total. */
struct acl_class_stats {
	uint32_t rules[2];
	/* rules left out because an earlier rule without prefixes in the same
	 * group catches every packet they could match */
	uint32_t shadowed[2];
	uint32_t groups[2];
	uint32_t tuples[2]; /* over all groups */
	uint32_t signatures[2]; /* distinct small-field signatures */
	uint32_t merged[2]; /* 1 if signatures were merged into groups */
	uint32_t port_blocks[2]; /* 256-port blocks stored, both port tables */
	uint32_t max_bucket[2]; /* longest run of rules one probe scans */
	/*
	 * Upper bounds on one packet's work: hash probes (tuples of the
	 * groups it can reach) and rule checks (their longest buckets),
	 * taken over the groups any one value of a prefiltered field can
	 * reach. 0 for a family without rules.
	 */
	uint32_t max_probes[2];
	uint32_t worst_checks[2];
	/* groups answered from a table by peer, without a rule walk: one
	 * signature, no prefixes (acl_class.c, decided_tables) */
	uint32_t decided[2];
	size_t bytes; /* the whole block */
};

/*
 * Build a classifier for the n spec rules `rules` (both families mixed, as
 * in struct ixg_spec). Only the match fields and priority/id are read;
 * action, class and remark stay the caller's (the result is an index).
 * Checks: family 4 or 6, prefix lengths, port ranges (lo <= hi), in_peer <
 * IXG_MAX_PEERS, at most ACL_CLASS_MAX_RULES rules per family. n == 0
 * builds an empty classifier (every result 0).
 * Returns 0 and *out, or -EINVAL / -ENOSPC with err filled (err may be
 * NULL) naming the first bad rule in spec order, or -ENOMEM. Temporary
 * memory is malloc'ed and freed before return. Any thread; no DPDK call
 * except through `mem`.
 */
int acl_class_build(const struct ixg_spec_acl_rule *rules, uint32_t n,
		    const struct acl_class_mem *mem, struct acl_class **out,
		    struct acl_class_error *err);

/* Free a classifier (NULL is a no-op); no lookup may still use it. */
void acl_class_free(struct acl_class *c);

/* Fill *st for a built classifier. Any thread. */
void acl_class_stats(const struct acl_class *c, struct acl_class_stats *st);

/* 1 if the family (4 or 6) has at least one rule. */
int acl_class_has(const struct acl_class *c, int family);

/*
 * Classify n keys of one family: res[i] = spec index + 1 of the first rule
 * (in (priority, id, index) order) that keys[i] matches, 0 if none.
 * Worker threads, concurrently on one classifier; no allocation, lock or
 * system call.
 */
void acl_class_classify4(const struct acl_class *c,
			 const struct acl_class_key4 *keys, uint32_t *res,
			 unsigned n);
void acl_class_classify6(const struct acl_class *c,
			 const struct acl_class_key6 *keys, uint32_t *res,
			 unsigned n);

/*
 * The prefilter on its own, for a caller that holds a packet's fields
 * elsewhere than in a key: stage_acl reads them from the packet's metadata
 * and builds a key only for the packets the prefilter leaves a group for
 * (a few percent of real traffic), then runs the rule walk on those. The
 * result of acl_class_walk4/6 on a key and its mask is exactly
 * acl_class_classify4/6's on the key.
 *
 * Layout of a family's prefilter tables (uint64_t offsets; the build side
 * fills them, acl_class.c).
 */
enum {
	/* [frag << 8 | proto], 65536 entries: any frag byte (an enum
	 * frag_kind of pipeline.h: 2, FRAG_LATER, is a later fragment, the
	 * others have their L4 header), so a 16-bit load of the two bytes
	 * needs no mask; only the first 3 x 256 are ever read */
	ACL_CLASS_PF_PROTO = 0,
	/* [DSCP], 256 entries: entry v is entry v & 0x3f's */
	ACL_CLASS_PF_DSCP = ACL_CLASS_PF_PROTO + 65536,
	ACL_CLASS_PF_SRC = ACL_CLASS_PF_DSCP + 256, /* first byte / index6 */
	ACL_CLASS_PF_DST = ACL_CLASS_PF_SRC + 256,
	/* [peer id], 65536 entries: any uint16_t, so it needs no mask; ids
	 * from IXG_MAX_PEERS up hold entry 0's (groups without a peer), and
	 * are never read: stage_peer writes ids below it */
	ACL_CLASS_PF_PEER = ACL_CLASS_PF_DST + 256,
	/* const uint64_t *[2][256]: each port high byte's block of 256
	 * masks, a pointer into PF_PORTS (one load, then the low byte) */
	ACL_CLASS_PF_BLK = ACL_CLASS_PF_PEER + 65536,
	ACL_CLASS_PF_SRC0 = ACL_CLASS_PF_BLK + 512, /* IPv6 first byte */
	ACL_CLASS_PF_DST0 = ACL_CLASS_PF_SRC0 + 256,
	ACL_CLASS_PF_PORTS = ACL_CLASS_PF_DST0 + 256,
};

/* Index of an IPv6 address in the SRC/DST tables: its first three bytes
 * hashed (the first alone is nearly always 0x20..0x2f): one load, and a
 * 64-bit shift, multiply and shift. The first shift keeps only the three
 * bytes (the low 24 bits, little-endian), so no mask is needed, and the
 * result is below 256 by type, so the caller's table offset folds into
 * its load. */
static inline size_t
acl_class_addr_index6(const uint8_t *a)
{
	uint32_t x;

	memcpy(&x, a, sizeof(x));
	return (size_t)((((uint64_t)x << 40) * 0x1e3779b1u) >> 56);
}

/*
 * The groups that may hold a rule matching a packet (bit g: group g; 0:
 * no rule can match). pf from acl_class_pf; proto, flags (DSCP |
 * ACL_CLASS_LATER_FRAG), peer and ports as in the keys; si, di: IPv4 the
 * first byte of the source and destination address, IPv6 their
 * acl_class_addr_index6. Ports are taken as they are: a group needing
 * ports_ok is out of the protocol table wherever the packet has none, and
 * every other group's rules have "any" port ranges. Peers from
 * IXG_MAX_PEERS up (the keys' in_peer is 16 bits) find the peer-less
 * groups only, which are theirs.
 */
static inline uint64_t
acl_class_prefilter(const uint64_t *pf, uint32_t proto, uint32_t flags,
		    uint32_t peer, uint32_t sport, uint32_t dport, uint32_t si,
		    uint32_t di)
{
	const uint64_t *const *blk =
		(const uint64_t *const *)(const void *)(pf + ACL_CLASS_PF_BLK);

	return pf[ACL_CLASS_PF_PROTO +
		  ((flags & ACL_CLASS_LATER_FRAG) << 2 | proto)] &
	       pf[ACL_CLASS_PF_DSCP + (flags & 0x3f)] &
	       pf[ACL_CLASS_PF_PEER + (peer & 0xffff)] &
	       pf[ACL_CLASS_PF_SRC + si] & pf[ACL_CLASS_PF_DST + di] &
	       blk[sport >> 8][sport & 0xff] &
	       blk[256 + (dport >> 8)][dport & 0xff];
}

/*
 * acl_class_prefilter on a packet's metadata as stage_acl holds it:
 * pfrag = frag << 8 | proto (any frag byte, FRAG_LATER = 2 a later
 * fragment), dscp the packet's DSCP byte (any 0..255: its low 6 bits
 * count), peer any uint16_t, each port as its high and low bytes (the
 * caller reads them as bytes). The same mask; every index is below its
 * table's size by its type, so none is masked.
 */
static inline uint64_t
acl_class_prefilter_meta(const uint64_t *pf, uint16_t pfrag, uint8_t dscp,
			 uint16_t peer, uint8_t sport_hi, uint8_t sport_lo,
			 uint8_t dport_hi, uint8_t dport_lo, uint8_t si,
			 uint8_t di)
{
	const uint64_t *const *blk_s =
		(const uint64_t *const *)(const void *)(pf + ACL_CLASS_PF_BLK);
	const uint64_t *const *blk_d = blk_s + 256;

	return pf[ACL_CLASS_PF_PROTO + (size_t)pfrag] &
	       pf[ACL_CLASS_PF_DSCP + (size_t)dscp] &
	       pf[ACL_CLASS_PF_PEER + (size_t)peer] &
	       pf[ACL_CLASS_PF_SRC + (size_t)si] &
	       pf[ACL_CLASS_PF_DST + (size_t)di] & blk_s[sport_hi][sport_lo] &
	       blk_d[dport_hi][dport_lo];
}

/*
 * IPv6, as stage_acl takes it: acl_class_prefilter_meta's tables but the
 * addresses', which s16 (acl_class_fast.s16) answers from the first two
 * bytes of each (src, dst: network order). A superset of
 * acl_class_prefilter6's groups where they differ (each leaves some out
 * the other keeps), exact on every group without prefixes (the decided
 * ones): what acl_class_walk6 and acl_class_decided take.
 */
static inline uint64_t
acl_class_prefilter_meta6(const uint64_t *pf, const uint64_t *s16,
			  uint16_t pfrag, uint8_t dscp, uint16_t peer,
			  uint8_t sport_hi, uint8_t sport_lo, uint8_t dport_hi,
			  uint8_t dport_lo, const uint8_t *src,
			  const uint8_t *dst)
{
	const uint64_t *const *blk_s =
		(const uint64_t *const *)(const void *)(pf + ACL_CLASS_PF_BLK);
	const uint64_t *const *blk_d = blk_s + 256;
	uint16_t s, d;

	memcpy(&s, src, sizeof(s));
	memcpy(&d, dst, sizeof(d));
	return pf[ACL_CLASS_PF_PROTO + (size_t)pfrag] &
	       pf[ACL_CLASS_PF_DSCP + (size_t)dscp] &
	       pf[ACL_CLASS_PF_PEER + (size_t)peer] & s16[s] &
	       s16[65536 + (size_t)d] & blk_s[sport_hi][sport_lo] &
	       blk_d[dport_hi][dport_lo];
}

/* IPv6: acl_class_prefilter's mask narrowed by the addresses' first
 * bytes (src, dst: 16 bytes each, network order). */
static inline uint64_t
acl_class_prefilter6(const uint64_t *pf, uint32_t proto, uint32_t flags,
		     uint32_t peer, uint32_t sport, uint32_t dport,
		     const uint8_t *src, const uint8_t *dst)
{
	return acl_class_prefilter(pf, proto, flags, peer, sport, dport,
				   acl_class_addr_index6(src),
				   acl_class_addr_index6(dst)) &
	       pf[ACL_CLASS_PF_SRC0 + src[0]] & pf[ACL_CLASS_PF_DST0 + dst[0]];
}

/* A decided group (acl_class.h, point 4) as acl_class_decided reads it:
 * its best rank for a peer is dec[off + (peer & peer_mask)] if that index
 * is below rows, else it has no rule for the peer. */
struct acl_class_dgrp {
	uint32_t peer_mask, rows, off, pad;
};

#define ACL_CLASS_NO_RANK 0x10000u /* above every rank (0..65535) */

/*
 * What stage_acl reads of a family without a call: the prefilter tables
 * (NULL without rules: every result 0), and what answers a packet whose
 * mask holds decided groups only (no bit of walk_mask): IPv4's two-byte
 * address tables (acl_class_narrow4), the decided groups' tables and the
 * result by rank (acl_class_decided). Filled by acl_class_build, read
 * only, valid as long as the classifier.
 */
struct acl_class_fast {
	const uint64_t *pf;
	uint64_t walk_mask; /* the groups that are not decided */
	const uint32_t *a16_blk; /* IPv4 */
	const uint64_t *a16;
	const uint32_t *dec;
	const uint32_t *result; /* by rank: spec index + 1 */
	const struct acl_class_dgrp *dgrp; /* by group */
	/* IPv6: the address prefilter by the first two bytes of the source
	 * and destination, each indexed by a 16-bit load of them
	 * (acl_class_prefilter_meta6) */
	const uint64_t *s16;
};

/* What a struct acl_class starts with: each family's acl_class_fast ([0]
 * IPv4, [1] IPv6). */
struct acl_class_head {
	struct acl_class_fast f[2];
};

/* The family's (4 or 6) prefilter tables, NULL when it has no rules (every
 * result 0) or c is NULL. Any thread; valid as long as c. */
static inline const uint64_t *
acl_class_pf(const struct acl_class *c, int family)
{
	if (c == NULL)
		return NULL;
	return ((const struct acl_class_head *)(const void *)c)
		->f[family == 6]
		.pf;
}

/* The family's (4 or 6) acl_class_fast; c not NULL. Any thread. */
static inline const struct acl_class_fast *
acl_class_fast(const struct acl_class *c, int family)
{
	return &((const struct acl_class_head *)(const void *)c)
			->f[family == 6];
}

/*
 * IPv4: a prefilter mask narrowed by the first two bytes of the source
 * and destination (network order), as acl_class_walk4 narrows it first;
 * narrowing twice gives the same mask. The family has rules.
 */
static inline uint64_t
acl_class_narrow4(const struct acl_class_fast *f, uint64_t m,
		  const uint8_t *src, const uint8_t *dst)
{
	return m & f->a16[f->a16_blk[src[0]] + src[1]] &
	       f->a16[f->a16_blk[256 + dst[0]] + dst[1]];
}

/*
 * The result (spec index + 1, 0 for none) of a packet of ingress peer
 * `peer` whose mask m (IPv4: narrowed, acl_class_narrow4) holds decided
 * groups only (m & f->walk_mask == 0): the best of their ranks for the
 * peer, read from their tables. What acl_class_walk4/6 gives such a
 * packet, without a key or a call.
 */
static inline uint32_t
acl_class_decided(const struct acl_class_fast *f, uint64_t m, uint32_t peer)
{
	/* 64 bits: gcc's scalar-to-vector pass would keep a 32-bit minimum
	 * in an SSE register (movd, pminud, movd a group). */
	uint64_t best = ACL_CLASS_NO_RANK;

	for (; m != 0; m &= m - 1) {
		const struct acl_class_dgrp *g = &f->dgrp[__builtin_ctzll(m)];
		const uint32_t idx = peer & g->peer_mask;

		if (idx < g->rows) {
			const uint64_t r = f->dec[g->off + idx];

			best = r < best ? r : best;
		}
	}
	return best == ACL_CLASS_NO_RANK ? 0 : f->result[best];
}

/*
 * The rest of the search for n keys of one family whose prefilter masks
 * (from acl_class_prefilter / acl_class_prefilter6, or their _meta
 * variant, on the same fields) are masks[i]: IPv4 masks narrowed by
 * two address bytes, the decided groups, the rule walk. res[i] as acl_class_classify4/6 gives
 * for keys[i] (0 where masks[i] is 0). The family must have rules
 * (acl_class_pf not NULL). Worker threads, as the classify functions.
 */
void acl_class_walk4(const struct acl_class *c,
		     const struct acl_class_key4 *keys, const uint64_t *masks,
		     uint32_t *res, unsigned n);
void acl_class_walk6(const struct acl_class *c,
		     const struct acl_class_key6 *keys, const uint64_t *masks,
		     uint32_t *res, unsigned n);

#endif /* IXG_ACL_CLASS_H */
