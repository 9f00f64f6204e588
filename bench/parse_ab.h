/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse_ab.h - side A of parse_bench (parse_ab_base.c): stage_parse's
 * fast path and stage_peer as main had them at eb95d54.
 */
#ifndef IXG_PARSE_AB_H
#define IXG_PARSE_AB_H

#include "pipeline.h"

/*
 * stage_parse of eb95d54 for a burst whose every packet its parse_fast
 * takes (on port b->port < IXG_MAX_PORTS of t): 0, or -1 at the first
 * packet it refuses (the metadata then partly written). Any thread with
 * its own burst.
 */
int base_parse(const struct tables *t, struct burst *b);

/* stage_peer of eb95d54, for bursts without charged drops.
 * Any thread with its own burst. */
void base_peer(struct pipeline_ctx *ctx, struct burst *b);

#endif /* IXG_PARSE_AB_H */
