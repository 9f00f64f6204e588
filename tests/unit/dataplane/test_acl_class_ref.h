/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_acl_class_ref.h - references for the ACL classifier (acl_class.h),
 * shared by its unit tests, its fuzz target and bench/acl_bench.c:
 *
 *  - acl_ref_*: rte_acl set up exactly as dataplane/tables.c build_acl
 *    (acl4_defs/acl6_defs, rule fields, (priority, id) order with qsort_r)
 *    and keyed exactly as stage_acl.c key_common did before the classifier
 *    replaced them (a copy, so the comparison survives their removal);
 *  - acl_naive_*: the rule semantics written out as a linear scan in
 *    (priority, id, index) order, straight from struct ixg_spec_acl_rule;
 *  - acl_keys_near(): random packets drawn around the rules' edges.
 */
#ifndef IXG_TEST_ACL_CLASS_REF_H
#define IXG_TEST_ACL_CLASS_REF_H

#include <stdint.h>

#include "acl_class.h"
#include "ixg_api.h"

struct rte_acl_ctx;

struct acl_ref {
	struct rte_acl_ctx *acl4, *acl6; /* NULL for a family without rules */
	double build_s; /* rte_acl_add_rules + rte_acl_build, both families */
};

/*
 * Build both families' rte_acl contexts for the spec rules as tables.c
 * does; `name` prefixes the context names (unique per process). Needs EAL.
 * Returns 0 or a negative errno (bad rule, rte_acl failure).
 */
int acl_ref_build(struct acl_ref *ref, const char *name,
		  const struct ixg_spec_acl_rule *rules, uint32_t n);
void acl_ref_free(struct acl_ref *ref);

/* rte_acl results (spec index + 1, or 0) for classifier keys, keys built
 * as stage_acl did; `alg` an rte_acl_classify_alg (0: the default). */
void acl_ref_classify4(const struct acl_ref *ref,
		       const struct acl_class_key4 *k, uint32_t *res,
		       unsigned n, int alg);
void acl_ref_classify6(const struct acl_ref *ref,
		       const struct acl_class_key6 *k, uint32_t *res,
		       unsigned n, int alg);

/* rte_acl search keys for n classifier keys (what stage_acl built), for
 * timing rte_acl_classify alone: n keys of ACL_REF_KEY4_SIZE /
 * ACL_REF_KEY6_SIZE bytes each. */
#define ACL_REF_KEY4_SIZE 20
#define ACL_REF_KEY6_SIZE 44
void acl_ref_keys4(const struct acl_class_key4 *k, void *out, unsigned n);
void acl_ref_keys6(const struct acl_class_key6 *k, void *out, unsigned n);

/* Spec indices in (priority, id, index) order, for the naive model. */
struct acl_naive {
	const struct ixg_spec_acl_rule *rules;
	uint32_t n;
	uint32_t *order;
};

int acl_naive_init(struct acl_naive *m, const struct ixg_spec_acl_rule *r,
		   uint32_t n);
void acl_naive_free(struct acl_naive *m);
uint32_t acl_naive4(const struct acl_naive *m, const struct acl_class_key4 *k);
uint32_t acl_naive6(const struct acl_naive *m, const struct acl_class_key6 *k);

/* splitmix64 */
uint64_t acl_rng(uint64_t *s);

/*
 * n keys of `family`, each drawn around a random rule of that family (or
 * wholly at random, 1 in 8): addresses inside the rule's prefixes or just
 * outside (the bit after the prefix flipped), ports at, inside or one past
 * each end of the ranges, the rule's protocol/DSCP/peer or others, some
 * later fragments and port-less protocols.
 */
void acl_keys_near4(uint64_t *rng, const struct ixg_spec_acl_rule *r,
		    uint32_t n_rules, struct acl_class_key4 *k, unsigned n);
void acl_keys_near6(uint64_t *rng, const struct ixg_spec_acl_rule *r,
		    uint32_t n_rules, struct acl_class_key6 *k, unsigned n);

#endif /* IXG_TEST_ACL_CLASS_REF_H */
