/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diff.h - what a commit changes: which tables differ (those are the only
 * ones a transaction sends) and, per table, how many objects were added,
 * removed or changed, keyed by their natural key (ports, peers and classes
 * by name, ACL rules by id, routes, sources, blackholes and country
 * prefixes by prefix, local addresses by port, VLAN and address).
 *
 * `origin` fields are not content: they index the config's locations, and
 * shift whenever a line is added above the object. A table that differs
 * only in origins is not sent; a refused object is mapped back to
 * file:line:col through the new spec's element at the reported index
 * (identical in content to what the dataplane holds).
 */
#ifndef IXG_CTL_DIFF_H
#define IXG_CTL_DIFF_H

#include <stdint.h>
#include <stdio.h>

#include "ixg_api.h"
#include "ixg_wire.h"

struct ctl_diff_count {
	uint32_t added, removed, changed;
};

struct ctl_diff {
	uint32_t changed_tables; /* bit (1u << enum ixg_table) */
	struct ctl_diff_count t[IXG_TBL_MAX];
};

/*
 * Compare `new` with `old` (NULL: nothing runs yet, every table is sent
 * and every object counts as added). Fills d. Returns 0 or -ENOMEM.
 * Any thread; both specs are only read.
 */
int ctl_diff(const struct ixg_spec *old, const struct ixg_spec *new,
	     struct ctl_diff *d);

/* The codec's ixg_table_name and ixg_spec_table_origin (ixg_wire.h),
 * under the names the daemon's callers use. */
static inline const char *
ctl_table_name(unsigned table)
{
	return ixg_table_name(table);
}

static inline uint32_t
ctl_spec_origin(const struct ixg_spec *spec, unsigned table, uint32_t index)
{
	return ixg_spec_table_origin(spec, table, index);
}

/* {"peers": {"added": 1, "removed": 0, "changed": 2}, ...}: the tables
 * with any change, as one JSON object (no newline). */
void ctl_diff_json(const struct ctl_diff *d, FILE *out);

/* One line for operators: "peers +1 -0 ~2, routes4 +1 -0 ~0" or
 * "no change". No newline. */
void ctl_diff_text(const struct ctl_diff *d, FILE *out);

#endif /* IXG_CTL_DIFF_H */
