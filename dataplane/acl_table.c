/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_table.c - what stage_acl (acl_stage.c) reads: one rte_acl context
 * per family, built from the rules in (priority, id) order, and the action
 * of each rule (tables.h, struct tbl_acl_action).
 * Hooks (tables_impl.h): the spec table "acl_rules", the part "acl".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "acl_key.h"
#include "tables_impl.h"

/* ------------------------------------------------------------------ */
/* Checks and names.                                                  */

static int
acl_rules_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint32_t i;

	for (i = 0; i < s->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = &s->acl_rules[i];

		if (r->id == 0 || r->id >= IXG_MAX_ACL_RULES) {
			spec_refuse(c, IXG_TBL_ACL_RULES, i, r->origin,
				    "rule %" PRIu32 " '%s' (origin %" PRIu32
				    "): id "
				    "out of range 1..%u",
				    r->id, r->name, r->origin,
				    IXG_MAX_ACL_RULES - 1);
			return -1;
		}
		if (r->in_peer != IXG_PEER_NONE &&
		    !spec_peer_exists(c, r->in_peer)) {
			spec_refuse(c, IXG_TBL_ACL_RULES, i, r->origin,
				    "rule %" PRIu32 " '%s' (origin %" PRIu32
				    "): "
				    "peer %u does not exist",
				    r->id, r->name, r->origin, r->in_peer);
			return -1;
		}
		if (r->action == IXG_ACL_CLASS &&
		    (r->class_id == 0 || r->class_id >= IXG_MAX_CLASSES ||
		     !spec_id_has(c->classes, r->class_id))) {
			spec_refuse(c, IXG_TBL_ACL_RULES, i, r->origin,
				    "rule %" PRIu32 " '%s' (origin %" PRIu32
				    "): "
				    "class %u does not exist",
				    r->id, r->name, r->origin, r->class_id);
			return -1;
		}
	}
	return 0;
}

static void
acl_rules_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	const struct ixg_spec_acl_rule *r = &s->acl_rules[i];

	snprintf(buf, len, "acl rule %" PRIu32 "%s%s%s (origin %" PRIu32 ")",
		 r->id, r->name[0] ? " '" : "", r->name, r->name[0] ? "'" : "",
		 r->origin);
}

const struct spec_table_ops spec_table_acl_rules = {
	.validate = acl_rules_validate,
	.describe = acl_rules_describe,
};

/* ------------------------------------------------------------------ */
/* The part "acl".                                                    */

RTE_ACL_RULE_DEF(acl4_rule, ACL4_NF);
RTE_ACL_RULE_DEF(acl6_rule, ACL6_NF);

#define FDEF(t, sz, f, idx, off)                                               \
	{                                                                      \
		.type = RTE_ACL_FIELD_TYPE_##t, .size = (sz),                  \
		.field_index = (f), .input_index = (idx), .offset = (off)      \
	}

/*
 * Trie order = order of these definitions: proto (rte_acl wants a 1-byte
 * first field), then destination, DSCP/peer, ports, source last.
 * Destination first (the most selective field: each anti-reflection rule
 * names one routed /24 or /48) keeps each family of the 10k-rule bench ACL
 * in one trie; the natural order (proto, DSCP/peer, src, dst, ports) split
 * it into two tries per family, and every packet walked both
 * (bench/README.md, "History": the orders measured). Same rules, same
 * priorities: classification results do not depend on the order.
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
acl_create(struct tbl_build *b, const char *name, size_t rule_size, uint32_t n,
	   int *rc)
{
	struct rte_acl_param p = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.rule_size = (uint32_t)rule_size,
		.max_rule_num = n,
	};
	struct rte_acl_ctx *ctx;

	/* rte_acl_create hands back a live context of the same name: two
	 * snapshots of one generation would share (and free) one trie. */
	if (rte_acl_find_existing(name) != NULL) {
		*rc = tbl_fail(b, -EEXIST, "%s: rte_acl_create: %s", name,
			       strerror(EEXIST));
		return NULL;
	}
	ctx = rte_acl_create(&p);
	if (ctx == NULL)
		*rc = tbl_fail(b, -rte_errno, "%s: rte_acl_create: %s", name,
			       rte_strerror(rte_errno));
	return ctx;
}

static int
acl_finish(struct tbl_build *b, struct rte_acl_ctx *ctx, const char *name,
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
		return tbl_fail(b, r,
				"%s: rte_acl_add_rules (%" PRIu32 " rules): %s",
				name, n, rte_strerror(-r));
	r = rte_acl_build(ctx, &cfg);
	if (r < 0)
		return tbl_fail(b, r,
				"%s: rte_acl_build (%" PRIu32 " rules): %s",
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

static int
build_acl(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	struct acl4_rule *r4 = NULL;
	struct acl6_rule *r6 = NULL;
	uint32_t *order = NULL, n4 = 0, n6 = 0;
	char name4[RTE_ACL_NAMESIZE], name6[RTE_ACL_NAMESIZE];
	int rc = 0;

	if (s->n_acl_rules == 0)
		return 0;
	if (s->n_acl_rules > 2 * IXG_MAX_ACL_RULES)
		return tbl_fail(b, -ENOSPC, "acl: %" PRIu32 " rules",
				s->n_acl_rules);
	order = malloc(s->n_acl_rules * sizeof(*order));
	r4 = calloc(s->n_acl_rules, sizeof(*r4));
	r6 = calloc(s->n_acl_rules, sizeof(*r6));
	t->acl_actions = rte_zmalloc(
		"acl_actions", s->n_acl_rules * sizeof(*t->acl_actions), 0);
	if (order == NULL || r4 == NULL || r6 == NULL ||
	    t->acl_actions == NULL) {
		rc = tbl_fail(b, -ENOMEM, "acl: out of memory");
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

		acl_rules_describe(s, i, what, sizeof(what));
		if (r->id == 0 || r->id >= IXG_MAX_ACL_RULES ||
		    r->action > IXG_ACL_REMARK ||
		    (r->action == IXG_ACL_CLASS &&
		     (r->class_id >= IXG_MAX_CLASSES)) ||
		    r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi ||
		    (r->in_peer != IXG_PEER_NONE &&
		     !tbl_peer_ok(b, r->in_peer))) {
			rc = tbl_fail(b, -EINVAL,
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
				rc = tbl_fail(b, -EINVAL,
					      "%s: bad prefix length", what);
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
				rc = tbl_fail(b, -EINVAL,
					      "%s: bad prefix length", what);
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
			rc = tbl_fail(b, -EINVAL, "%s: family %u", what,
				      r->family);
			goto out;
		}
	}
	t->n_acl_actions = s->n_acl_rules;
	if (n4 > IXG_MAX_ACL_RULES || n6 > IXG_MAX_ACL_RULES) {
		rc = tbl_fail(b, -ENOSPC,
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

static bool
acl_same(const struct tbl_build *b)
{
	return tbl_same(b, IXG_TBL_ACL_RULES) && tbl_same_peer_ids(b);
}

static void
acl_share(struct tables *t, const struct tables *o)
{
	t->acl4 = o->acl4;
	t->acl6 = o->acl6;
	t->n_acl_actions = o->n_acl_actions;
	t->acl_actions = o->acl_actions;
}

static void
acl_free(struct tables *t)
{
	rte_acl_free(t->acl4);
	rte_acl_free(t->acl6);
	rte_free(t->acl_actions);
}

const struct tbl_part_ops tbl_part_acl = {
	.build = build_acl,
	.same = acl_same,
	.share = acl_share,
	.free = acl_free,
};
