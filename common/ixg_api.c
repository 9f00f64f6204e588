/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "ixg_api.h"

static const char *const drop_names[IXG_DROP_MAX] = {
#define IXG_X_NAME(e, name, descr) [IXG_DROP_##e] = name,
	IXG_DROP_REASONS(IXG_X_NAME)
#undef IXG_X_NAME
};

static const char *const drop_descrs[IXG_DROP_MAX] = {
#define IXG_X_DESCR(e, name, descr) [IXG_DROP_##e] = descr,
	IXG_DROP_REASONS(IXG_X_DESCR)
#undef IXG_X_DESCR
};

const char *
ixg_drop_name(unsigned reason)
{
	return reason < IXG_DROP_MAX ? drop_names[reason] : NULL;
}

const char *
ixg_drop_descr(unsigned reason)
{
	return reason < IXG_DROP_MAX ? drop_descrs[reason] : NULL;
}

/* See ixg_api.h. */
const struct ixg_spec_port *
ixg_spec_port_by_name(const struct ixg_spec *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_ports; i++)
		if (strcmp(s->ports[i].name, name) == 0)
			return &s->ports[i];
	return NULL;
}
