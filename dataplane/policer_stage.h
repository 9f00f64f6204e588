/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policer_stage.h - what stage_policer (policer_stage.c) shows its tests.
 */
#ifndef IXG_POLICER_STAGE_H
#define IXG_POLICER_STAGE_H

#include <stdint.h>

#include <rte_meter.h>

/*
 * rte_meter_trtcm_color_blind_check(mt, p, now, len) for a profile p
 * whose C and P buckets have the same rate and size (the peers' one-rate
 * profiles of class 0) and a meter mt whose buckets are in step (as
 * rte_meter_trtcm_config leaves them and every check keeps them): the
 * same colour (green or red) and the same meter state after it, from one
 * bucket's sums. stage_policer's own copy is inlined; this one is for the
 * differential test. Any thread that owns mt.
 */
enum rte_color policer_one_rate_check(struct rte_meter_trtcm *mt,
				      const struct rte_meter_trtcm_profile *p,
				      uint64_t now, uint32_t len);

#endif /* IXG_POLICER_STAGE_H */
