/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse_ab.h - side A of parse_bench (parse_ab_base.c): stage_parse's
 * fast path and stage_peer as main had them at eb95d54; with --ab-head
 * (parse_ab_head.c) main 380f375's head.
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

/* parse_ab_head.c: pipeline_head and stage_parse of main 380f375 (before
 * helper head6), the same arguments and results as this tree's. */
void head5_pipeline_head(struct pipeline_ctx *ctx, struct burst *b);
void head5_stage_parse(struct pipeline_ctx *ctx, struct burst *b);

#endif /* IXG_PARSE_AB_H */
