/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_table.c - what stage_acl (acl_stage.c) reads: the own classifier
 * (acl_class.h) over both families' rules, and the action of each rule
 * (tables.h, struct tbl_acl_action).
 * Hooks (tables_impl.h): the spec table "acl_rules", the part "acl".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "acl_class.h"
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

/* The classifier's tables on the rte_malloc heap (hugepages). */
static void *
acl_mem_alloc(size_t size, void *arg)
{
	(void)arg;
	return rte_malloc("acl_class", size, 64);
}

static void
acl_mem_free(void *p, void *arg)
{
	(void)arg;
	rte_free(p);
}

static const struct acl_class_mem acl_mem = {acl_mem_alloc, acl_mem_free, NULL};

static int
build_acl(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	struct acl_class *c = NULL;
	struct acl_class_error cerr;
	uint32_t n4 = 0, n6 = 0;
	int rc;

	if (s->n_acl_rules == 0)
		return 0;
	if (s->n_acl_rules > 2 * IXG_MAX_ACL_RULES)
		return tbl_fail(b, -ENOSPC, "acl: %" PRIu32 " rules",
				s->n_acl_rules);
	t->acl_actions = rte_zmalloc(
		"acl_actions", s->n_acl_rules * sizeof(*t->acl_actions), 0);
	if (t->acl_actions == NULL)
		return tbl_fail(b, -ENOMEM, "acl: out of memory");
	for (uint32_t i = 0; i < s->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = &s->acl_rules[i];
		struct tbl_acl_action *act = &t->acl_actions[i];
		char what[96];

		acl_rules_describe(s, i, what, sizeof(what));
		if (r->id == 0 || r->id >= IXG_MAX_ACL_RULES ||
		    r->action > IXG_ACL_REMARK ||
		    (r->action == IXG_ACL_CLASS &&
		     (r->class_id >= IXG_MAX_CLASSES)) ||
		    r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi ||
		    (r->in_peer != IXG_PEER_NONE &&
		     !tbl_peer_ok(b, r->in_peer)))
			return tbl_fail(b, -EINVAL,
					"%s: bad id, action, class, port "
					"range or peer",
					what);
		if (r->family != 4 && r->family != 6)
			return tbl_fail(b, -EINVAL, "%s: family %u", what,
					r->family);
		if (r->src_len > (r->family == 4 ? 32 : 128) ||
		    r->dst_len > (r->family == 4 ? 32 : 128))
			return tbl_fail(b, -EINVAL, "%s: bad prefix length",
					what);
		act->rule_id = r->id;
		act->action = r->action;
		act->remark_dscp = r->remark_dscp & 0x3f;
		act->class_id = r->class_id;
		n4 += r->family == 4;
		n6 += r->family == 6;
	}
	t->n_acl_actions = s->n_acl_rules;
	if (n4 > IXG_MAX_ACL_RULES || n6 > IXG_MAX_ACL_RULES)
		return tbl_fail(b, -ENOSPC,
				"acl: %" PRIu32 " IPv4 and %" PRIu32
				" IPv6 rules, at most %u each",
				n4, n6, IXG_MAX_ACL_RULES);
	rc = acl_class_build(s->acl_rules, s->n_acl_rules, &acl_mem, &c, &cerr);
	if (rc < 0) {
		char what[96] = "acl";

		if (cerr.rule >= 0 && (uint64_t)cerr.rule < s->n_acl_rules)
			acl_rules_describe(s, (uint32_t)cerr.rule, what,
					   sizeof(what));
		return tbl_fail(b, rc, "%s: %s", what,
				rc == -ENOMEM ? "out of memory" : cerr.msg);
	}
	t->acl = c;
	return 0;
}

static bool
acl_same(const struct tbl_build *b)
{
	return tbl_same(b, IXG_TBL_ACL_RULES) && tbl_same_peer_ids(b);
}

static void
acl_share(struct tables *t, const struct tables *o)
{
	t->acl = o->acl;
	t->n_acl_actions = o->n_acl_actions;
	t->acl_actions = o->acl_actions;
}

static void
acl_free(struct tables *t)
{
	acl_class_free((struct acl_class *)(uintptr_t)t->acl);
	rte_free(t->acl_actions);
}

const struct tbl_part_ops tbl_part_acl = {
	.build = build_acl,
	.same = acl_same,
	.share = acl_share,
	.free = acl_free,
};
