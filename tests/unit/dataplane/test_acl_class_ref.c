/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_class_ref.c - rte_acl as the dataplane used it before its own
 * classifier, a naive model of the rules, and a key generator (see
 * test_acl_class_ref.h).
 *
 * The rte_acl part is a copy of dataplane/tables.c (acl4_defs, acl6_defs,
 * acl_common, build_acl's field filling and order) and of stage_acl.c
 * (key_common, the key structs of acl_key.h) as of commit 1e604a4; keep it
 * as it is: it is the yardstick, not code to improve.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>

#include "test_acl_class_ref.h"

/* ---- acl_key.h, copied. */
#define REF_PORTS_OK 0x100

struct ref_key4 {
	uint8_t proto;
	uint8_t _pad[3];
	uint32_t dst;
	uint16_t dscp_l4;
	uint16_t in_peer;
	uint16_t sport;
	uint16_t dport;
	uint32_t src;
};

struct ref_key6 {
	uint8_t proto;
	uint8_t _pad[3];
	uint8_t dst[16];
	uint16_t dscp_l4;
	uint16_t in_peer;
	uint16_t sport;
	uint16_t dport;
	uint8_t src[16];
};

enum {
	ACL4_PROTO,
	ACL4_DSCP,
	ACL4_PEER,
	ACL4_SRC,
	ACL4_DST,
	ACL4_SPORT,
	ACL4_DPORT,
	ACL4_NF,
};

enum {
	ACL6_PROTO,
	ACL6_DSCP,
	ACL6_PEER,
	ACL6_SRC0,
	ACL6_SRC1,
	ACL6_SRC2,
	ACL6_SRC3,
	ACL6_DST0,
	ACL6_DST1,
	ACL6_DST2,
	ACL6_DST3,
	ACL6_SPORT,
	ACL6_DPORT,
	ACL6_NF,
};

_Static_assert(sizeof(struct ref_key4) == ACL_REF_KEY4_SIZE, "ref_key4");
_Static_assert(sizeof(struct ref_key6) == ACL_REF_KEY6_SIZE, "ref_key6");

/* ---- tables.c, copied. */
RTE_ACL_RULE_DEF(acl4_rule, ACL4_NF);
RTE_ACL_RULE_DEF(acl6_rule, ACL6_NF);

#define FDEF(t, sz, f, idx, off)                                               \
	{                                                                      \
		.type = RTE_ACL_FIELD_TYPE_##t, .size = (sz),                  \
		.field_index = (f), .input_index = (idx), .offset = (off)      \
	}

static const struct rte_acl_field_def acl4_defs[ACL4_NF] = {
	FDEF(BITMASK, 1, ACL4_PROTO, 0, offsetof(struct ref_key4, proto)),
	FDEF(MASK, 4, ACL4_DST, 1, offsetof(struct ref_key4, dst)),
	FDEF(BITMASK, 2, ACL4_DSCP, 2, offsetof(struct ref_key4, dscp_l4)),
	FDEF(BITMASK, 2, ACL4_PEER, 2, offsetof(struct ref_key4, in_peer)),
	FDEF(RANGE, 2, ACL4_SPORT, 3, offsetof(struct ref_key4, sport)),
	FDEF(RANGE, 2, ACL4_DPORT, 3, offsetof(struct ref_key4, dport)),
	FDEF(MASK, 4, ACL4_SRC, 4, offsetof(struct ref_key4, src)),
};

static const struct rte_acl_field_def acl6_defs[ACL6_NF] = {
	FDEF(BITMASK, 1, ACL6_PROTO, 0, offsetof(struct ref_key6, proto)),
	FDEF(MASK, 4, ACL6_DST0, 1, offsetof(struct ref_key6, dst) + 0),
	FDEF(MASK, 4, ACL6_DST1, 2, offsetof(struct ref_key6, dst) + 4),
	FDEF(MASK, 4, ACL6_DST2, 3, offsetof(struct ref_key6, dst) + 8),
	FDEF(MASK, 4, ACL6_DST3, 4, offsetof(struct ref_key6, dst) + 12),
	FDEF(BITMASK, 2, ACL6_DSCP, 5, offsetof(struct ref_key6, dscp_l4)),
	FDEF(BITMASK, 2, ACL6_PEER, 5, offsetof(struct ref_key6, in_peer)),
	FDEF(RANGE, 2, ACL6_SPORT, 6, offsetof(struct ref_key6, sport)),
	FDEF(RANGE, 2, ACL6_DPORT, 6, offsetof(struct ref_key6, dport)),
	FDEF(MASK, 4, ACL6_SRC0, 7, offsetof(struct ref_key6, src) + 0),
	FDEF(MASK, 4, ACL6_SRC1, 8, offsetof(struct ref_key6, src) + 4),
	FDEF(MASK, 4, ACL6_SRC2, 9, offsetof(struct ref_key6, src) + 8),
	FDEF(MASK, 4, ACL6_SRC3, 10, offsetof(struct ref_key6, src) + 12),
};

static uint32_t
mask4(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static void
mask6(uint8_t out[16], const uint8_t in[16], uint8_t len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		out[i] = bits >= 8 ? in[i] : in[i] & (uint8_t)(0xff00 >> bits);
	}
}

static int
ports_any(const struct ixg_spec_acl_rule *r)
{
	return r->sport_lo == 0 && r->sport_hi == 65535 && r->dport_lo == 0 &&
	       r->dport_hi == 65535;
}

static void
acl_common(struct rte_acl_field *f, unsigned fproto, unsigned fdscp,
	   unsigned fpeer, unsigned fsport, unsigned fdport,
	   const struct ixg_spec_acl_rule *r)
{
	uint16_t need = ports_any(r) ? 0 : REF_PORTS_OK;

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

static struct rte_acl_ctx *
ctx_make(const char *name, size_t rule_size, uint32_t n, const void *rules,
	 unsigned nf, const struct rte_acl_field_def *defs)
{
	struct rte_acl_param p = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.rule_size = (uint32_t)rule_size,
		.max_rule_num = n,
	};
	struct rte_acl_config cfg = {
		.num_categories = 1,
		.num_fields = nf,
	};
	struct rte_acl_ctx *ctx = rte_acl_create(&p);

	if (ctx == NULL)
		return NULL;
	memcpy(cfg.defs, defs, nf * sizeof(*defs));
	if (rte_acl_add_rules(ctx, rules, n) < 0 ||
	    rte_acl_build(ctx, &cfg) < 0) {
		rte_acl_free(ctx);
		return NULL;
	}
	return ctx;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
acl_ref_build(struct acl_ref *ref, const char *name,
	      const struct ixg_spec_acl_rule *rules, uint32_t n)
{
	struct acl4_rule *r4 = calloc(n + 1, sizeof(*r4));
	struct acl6_rule *r6 = calloc(n + 1, sizeof(*r6));
	uint32_t *order = malloc((n + 1) * sizeof(*order));
	uint32_t n4 = 0, n6 = 0;
	char nm[RTE_ACL_NAMESIZE];
	int rc = -ENOMEM;
	double t0;

	memset(ref, 0, sizeof(*ref));
	if (r4 == NULL || r6 == NULL || order == NULL)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_acl, (void *)(uintptr_t)rules);
	rc = -EINVAL;
	for (uint32_t rank = 0; rank < n; rank++) {
		uint32_t i = order[rank];
		const struct ixg_spec_acl_rule *r = &rules[i];
		struct rte_acl_rule_data d = {
			.category_mask = 1,
			.priority = RTE_ACL_MAX_PRIORITY - (int32_t)rank,
			.userdata = i + 1,
		};

		if (r->family == 4) {
			struct rte_acl_field *f = r4[n4].field;
			uint32_t a;

			if (r->src_len > 32 || r->dst_len > 32)
				goto out;
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

			if (r->src_len > 128 || r->dst_len > 128)
				goto out;
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
			goto out;
		}
	}
	rc = -ENOMEM;
	t0 = now_s();
	if (n4 > 0) {
		snprintf(nm, sizeof(nm), "%s4", name);
		ref->acl4 = ctx_make(nm, sizeof(*r4), n4, r4, ACL4_NF,
				     acl4_defs);
		if (ref->acl4 == NULL)
			goto out;
	}
	if (n6 > 0) {
		snprintf(nm, sizeof(nm), "%s6", name);
		ref->acl6 = ctx_make(nm, sizeof(*r6), n6, r6, ACL6_NF,
				     acl6_defs);
		if (ref->acl6 == NULL)
			goto out;
	}
	ref->build_s = now_s() - t0;
	rc = 0;
out:
	if (rc < 0)
		acl_ref_free(ref);
	free(r4);
	free(r6);
	free(order);
	return rc;
}

void
acl_ref_free(struct acl_ref *ref)
{
	rte_acl_free(ref->acl4);
	rte_acl_free(ref->acl6);
	ref->acl4 = ref->acl6 = NULL;
}

/* ---- stage_acl.c key_common, copied (its inputs from the classifier's
 * key: flags carries DSCP and the later-fragment bit). */
static int
has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

static void
key_common(uint8_t l4_proto, uint8_t flags, uint16_t peer, uint16_t sp,
	   uint16_t dp, uint8_t *proto, uint16_t *dscp_l4, uint16_t *in_peer,
	   uint16_t *sport, uint16_t *dport)
{
	uint32_t ports_ok = (uint32_t) !(flags & ACL_CLASS_LATER_FRAG) &
			    (uint32_t)has_ports(l4_proto);
	uint16_t pmask = (uint16_t)-ports_ok;

	*proto = l4_proto;
	*dscp_l4 = rte_cpu_to_be_16(
		(uint16_t)((ports_ok << 8) | (flags & 0x3f)));
	*in_peer = rte_cpu_to_be_16(peer);
	*sport = rte_cpu_to_be_16(sp & pmask);
	*dport = rte_cpu_to_be_16(dp & pmask);
}

void
acl_ref_keys4(const struct acl_class_key4 *k, void *out, unsigned n)
{
	struct ref_key4 *o = out;

	for (unsigned i = 0; i < n; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		key_common(k[i].proto, k[i].flags, k[i].in_peer, k[i].sport,
			   k[i].dport, &o[i].proto, &o[i].dscp_l4,
			   &o[i].in_peer, &o[i].sport, &o[i].dport);
		o[i].src = k[i].src;
		o[i].dst = k[i].dst;
	}
}

void
acl_ref_keys6(const struct acl_class_key6 *k, void *out, unsigned n)
{
	struct ref_key6 *o = out;

	for (unsigned i = 0; i < n; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		key_common(k[i].proto, k[i].flags, k[i].in_peer, k[i].sport,
			   k[i].dport, &o[i].proto, &o[i].dscp_l4,
			   &o[i].in_peer, &o[i].sport, &o[i].dport);
		memcpy(o[i].src, k[i].src, 16);
		memcpy(o[i].dst, k[i].dst, 16);
	}
}

#define REF_BURST 64

static void
ref_classify(struct rte_acl_ctx *ctx, const uint8_t *keys, size_t ksz,
	     uint32_t *res, unsigned n, int alg)
{
	for (unsigned lo = 0; lo < n; lo += REF_BURST) {
		const uint8_t *d[REF_BURST];
		unsigned m = n - lo < REF_BURST ? n - lo : REF_BURST;

		if (ctx == NULL) {
			memset(res + lo, 0, m * sizeof(*res));
			continue;
		}
		for (unsigned j = 0; j < m; j++)
			d[j] = keys + (lo + j) * ksz;
		if (alg == 0)
			rte_acl_classify(ctx, d, res + lo, m, 1);
		else
			rte_acl_classify_alg(ctx, d, res + lo, m, 1,
					     (enum rte_acl_classify_alg)alg);
	}
}

void
acl_ref_classify4(const struct acl_ref *ref, const struct acl_class_key4 *k,
		  uint32_t *res, unsigned n, int alg)
{
	struct ref_key4 *rk = malloc((n + 1) * sizeof(*rk));

	if (rk == NULL)
		abort();
	acl_ref_keys4(k, rk, n);
	ref_classify(ref->acl4, (const uint8_t *)rk, sizeof(*rk), res, n, alg);
	free(rk);
}

void
acl_ref_classify6(const struct acl_ref *ref, const struct acl_class_key6 *k,
		  uint32_t *res, unsigned n, int alg)
{
	struct ref_key6 *rk = malloc((n + 1) * sizeof(*rk));

	if (rk == NULL)
		abort();
	acl_ref_keys6(k, rk, n);
	ref_classify(ref->acl6, (const uint8_t *)rk, sizeof(*rk), res, n, alg);
	free(rk);
}

/* ---- The naive model: the semantics of acl_class.h, one rule at a time. */

static int
cmp_naive(const void *pa, const void *pb, void *arg)
{
	const struct ixg_spec_acl_rule *rules = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;

	if (rules[ia].priority != rules[ib].priority)
		return rules[ia].priority < rules[ib].priority ? -1 : 1;
	if (rules[ia].id != rules[ib].id)
		return rules[ia].id < rules[ib].id ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

int
acl_naive_init(struct acl_naive *m, const struct ixg_spec_acl_rule *r,
	       uint32_t n)
{
	m->rules = r;
	m->n = n;
	m->order = malloc((n + 1) * sizeof(*m->order));
	if (m->order == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		m->order[i] = i;
	qsort_r(m->order, n, sizeof(*m->order), cmp_naive,
		(void *)(uintptr_t)r);
	return 0;
}

void
acl_naive_free(struct acl_naive *m)
{
	free(m->order);
	m->order = NULL;
}

/* Does address a (len bytes) lie in prefix p/plen? Bit by bit. */
static int
in_prefix(const uint8_t *a, const uint8_t *p, unsigned plen)
{
	for (unsigned b = 0; b < plen; b++) {
		unsigned byte = b / 8, bit = 7 - b % 8;

		if (((a[byte] >> bit) & 1) != ((p[byte] >> bit) & 1))
			return 0;
	}
	return 1;
}

static uint32_t
naive(const struct acl_naive *m, uint8_t family, uint8_t proto, uint8_t flags,
      uint16_t peer, uint16_t sport, uint16_t dport, const uint8_t *src,
      const uint8_t *dst)
{
	int ports_ok = has_ports(proto) && !(flags & ACL_CLASS_LATER_FRAG);

	for (uint32_t k = 0; k < m->n; k++) {
		const struct ixg_spec_acl_rule *r = &m->rules[m->order[k]];

		if (r->family != family)
			continue;
		if ((proto & r->proto_mask) != (r->proto & r->proto_mask))
			continue;
		if (!r->dscp_any && (flags & 0x3f) != (r->dscp & 0x3f))
			continue;
		if (!ports_any(r) &&
		    (!ports_ok || sport < r->sport_lo || sport > r->sport_hi ||
		     dport < r->dport_lo || dport > r->dport_hi))
			continue;
		if (r->in_peer != IXG_PEER_NONE && r->in_peer != peer)
			continue;
		if (!in_prefix(src, r->src, r->src_len) ||
		    !in_prefix(dst, r->dst, r->dst_len))
			continue;
		return m->order[k] + 1;
	}
	return 0;
}

uint32_t
acl_naive4(const struct acl_naive *m, const struct acl_class_key4 *k)
{
	uint8_t s[4], d[4];

	memcpy(s, &k->src, 4);
	memcpy(d, &k->dst, 4);
	return naive(m, 4, k->proto, k->flags, k->in_peer, k->sport, k->dport,
		     s, d);
}

uint32_t
acl_naive6(const struct acl_naive *m, const struct acl_class_key6 *k)
{
	return naive(m, 6, k->proto, k->flags, k->in_peer, k->sport, k->dport,
		     k->src, k->dst);
}

/* ---- Keys around the rules. */

uint64_t
acl_rng(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t
below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(acl_rng(s) % n);
}

/* An address around prefix p/len: inside (host bits random) or, 1 in 4,
 * with the first bit after the prefix's last flipped (just outside), or
 * with a bit inside the prefix flipped. */
static void
addr_near(uint64_t *s, const uint8_t *p, unsigned len, unsigned bytes,
	  uint8_t *out)
{
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = len > 8 * i ? len - 8 * i : 0;
		uint8_t rnd = (uint8_t)acl_rng(s);

		out[i] = keep >= 8  ? p[i]
			 : keep > 0 ? (uint8_t)((p[i] & (0xff00u >> keep)) |
						(rnd & (0xffu >> keep)))
				    : rnd;
	}
	if (len > 0 && below(s, 4) == 0) {
		unsigned b = below(s, 2) ? len - 1 : below(s, len);

		out[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
	}
}

static uint16_t
port_near(uint64_t *s, uint16_t lo, uint16_t hi)
{
	switch (below(s, 8)) {
	case 0: return lo;
	case 1: return hi;
	case 2: return (uint16_t)(lo - 1);
	case 3: return (uint16_t)(hi + 1);
	case 4: return (uint16_t)acl_rng(s);
	default: return (uint16_t)(lo + below(s, (uint32_t)(hi - lo) + 1));
	}
}

static const uint8_t some_protos[] = {6, 17, 1, 58, 132, 33, 136, 47, 50, 0};

static void
key_near(uint64_t *s, const struct ixg_spec_acl_rule *rules, uint32_t n,
	 unsigned family, uint8_t *src, uint8_t *dst, uint16_t *sport,
	 uint16_t *dport, uint16_t *peer, uint8_t *proto, uint8_t *flags)
{
	const struct ixg_spec_acl_rule *r = NULL;
	unsigned bytes = family == 4 ? 4 : 16;
	uint8_t zero[16] = {0};

	for (unsigned tries = 0; n > 0 && tries < 16 && below(s, 8) != 0;
	     tries++) {
		const struct ixg_spec_acl_rule *c = &rules[below(s, n)];

		if (c->family == family) {
			r = c;
			break;
		}
	}
	if (r == NULL) { /* anything */
		addr_near(s, zero, 0, bytes, src);
		addr_near(s, zero, 0, bytes, dst);
		*sport = (uint16_t)acl_rng(s);
		*dport = (uint16_t)acl_rng(s);
		*peer = (uint16_t)below(s, 8);
		*proto = some_protos[below(s, sizeof(some_protos))];
		*flags = (uint8_t)(below(s, 64) |
				   (below(s, 8) == 0 ? ACL_CLASS_LATER_FRAG
						     : 0));
		return;
	}
	addr_near(s, r->src, r->src_len, bytes, src);
	addr_near(s, r->dst, r->dst_len, bytes, dst);
	*sport = port_near(s, r->sport_lo, r->sport_hi);
	*dport = port_near(s, r->dport_lo, r->dport_hi);
	*peer = below(s, 4) == 0 ? (uint16_t)below(s, 8) : r->in_peer;
	*proto = below(s, 4) == 0 ? some_protos[below(s, sizeof(some_protos))]
				  : (uint8_t)(r->proto & r->proto_mask);
	*flags = (uint8_t)(below(s, 4) == 0 || r->dscp_any ? below(s, 64)
							   : r->dscp & 0x3f);
	if (below(s, 10) == 0)
		*flags |= ACL_CLASS_LATER_FRAG;
}

void
acl_keys_near4(uint64_t *rng, const struct ixg_spec_acl_rule *r,
	       uint32_t n_rules, struct acl_class_key4 *k, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t s[16], d[16];

		memset(&k[i], 0, sizeof(k[i]));
		key_near(rng, r, n_rules, 4, s, d, &k[i].sport, &k[i].dport,
			 &k[i].in_peer, &k[i].proto, &k[i].flags);
		memcpy(&k[i].src, s, 4);
		memcpy(&k[i].dst, d, 4);
	}
}

void
acl_keys_near6(uint64_t *rng, const struct ixg_spec_acl_rule *r,
	       uint32_t n_rules, struct acl_class_key6 *k, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		key_near(rng, r, n_rules, 6, k[i].src, k[i].dst, &k[i].sport,
			 &k[i].dport, &k[i].in_peer, &k[i].proto, &k[i].flags);
	}
}
