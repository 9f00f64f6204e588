/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policer_stage.h - what stage_policer (policer_stage.c) shows its tests.
 */
#ifndef IXG_POLICER_STAGE_H
#define IXG_POLICER_STAGE_H

#include <stdint.h>

#include <rte_meter.h>

#include "ixg_api.h"

/*
 * Class 0's meters (tables.meters0[w][peer], struct policer_meter) keep
 * rte_meter's C bucket as its token count (m.tc) and its deadline,
 * m.time_tp = time_tc + period (mod 2^64): the first time a period will
 * have passed. rte_meter's time_tc is time_tp - period (policer0_time);
 * the m.time_tc word is not kept. meters0[w][POLICER_CLOCK] is no meter:
 * its m.time_tc is at least every class-0 meter's time_tc in worker w
 * (policer_table.c sets it after rte_meter_trtcm_config, stage_policer
 * raises it), so a burst whose now_tsc is not below it may take "now <
 * deadline" for "no period has passed" (policer_stage.c).
 */
#define POLICER_CLOCK IXG_MAX_PEERS
#define POLICER_METERS0 (IXG_MAX_PEERS + 1) /* lines of meters0[w] */

/* A class-0 meter's time_tc as rte_meter keeps it. */
static inline uint64_t
policer0_time(const struct rte_meter_trtcm *mt, uint64_t period)
{
	return mt->time_tp - period;
}

/*
 * rte_meter_trtcm_color_blind_check(mt, p, now, len) for a profile p
 * whose C and P buckets have the same rate and size (the peers' one-rate
 * profiles of class 0) and a meter mt whose buckets are in step (as
 * rte_meter_trtcm_config leaves them and every check keeps them): the
 * same colour (green or red) and the same meter state after it, from one
 * bucket's sums. stage_policer's own copy is inlined; this one is for the
 * differential test: mt as rte_meter keeps it (time_tc), converted to and
 * from the deadline; the shortcut "now < deadline" taken where stage_policer
 * takes it (now not below time_tc), the whole arithmetic otherwise. Any
 * thread that owns mt.
 */
enum rte_color policer_one_rate_check(struct rte_meter_trtcm *mt,
				      const struct rte_meter_trtcm_profile *p,
				      uint64_t now, uint32_t len);

#endif /* IXG_POLICER_STAGE_H */
