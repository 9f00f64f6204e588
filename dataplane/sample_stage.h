/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sample_stage.h - stage_sample's per-burst start (sample_stage.c), shared
 * with the fused head (pipeline_head, parse_stage.c), which inlines it as
 * stage_sample does: most bursts sample nothing, and take no call.
 */
#ifndef IXG_SAMPLE_STAGE_H
#define IXG_SAMPLE_STAGE_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "pipeline.h"

/*
 * The start of stage_sample over b: ctx->sample_n reset; for a burst of a
 * port that samples (ctx has a ring, the port's rate is not 0), its
 * frames added to the port's sample_pool. Returns 0 when that is all (no
 * sampling here, or the common burst: the countdown, drawn for the port's
 * current rate, ends past the burst, and is moved on), else the port's
 * rate, for sample_burst to draw the burst's samples. Worker thread.
 */
static __rte_always_inline uint32_t
sample_quick(struct pipeline_ctx *ctx, const struct burst *b)
{
	const unsigned n = b->n;
	const uint16_t port = b->port;
	uint32_t rate, skip;

	ctx->sample_n = 0;
	if (ctx->samples == NULL || n == 0 || port >= IXG_MAX_PORTS)
		return 0;
	rate = ctx->t->ports[port].sample_rate;
	if (likely(rate == 0))
		return 0;
	ctx->ctr->port[port].sample_pool += n;
	skip = ctx->sample_skip[port];
	if (likely(skip > n && ctx->sample_skip_rate[port] == rate)) {
		ctx->sample_skip[port] = skip - n;
		return 0;
	}
	return rate;
}

/*
 * The rest of stage_sample for a burst sample_quick returned `rate` for:
 * the countdown drawn again if it ran out or the port's rate changed, the
 * burst's sampled frames copied into reserved records, the countdown
 * moved on. Out of line (sample_stage.c). Worker thread.
 */
void sample_burst(struct pipeline_ctx *ctx, const struct burst *b,
		  uint32_t rate);

#endif /* IXG_SAMPLE_STAGE_H */
