/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ecmp_bench.c - what stage_route costs a packet routed to a plain member
 * and to an ECMP group (doc/routing.md, "ECMP"), in instructions under
 * callgrind: bursts of 32 UDP packets of 4096 flows (70% IPv4, 30% IPv6)
 * through stage_lookup and stage_route, the routes pointing to one member
 * (`plain`) or to a group of four (`ecmp`). Count only stage_route:
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=stage_route build/bench/ecmp_bench ecmp 200000
 *   callgrind_annotate --inclusive=yes callgrind.out.<pid>
 *
 * and divide stage_route's count by the packets (the second argument).
 * Without valgrind it prints the nanoseconds per packet of the loop
 * (lookup included), a rough figure on a shared machine.
 * Results: bench/README.md ("Per stage", ECMP).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp_test_util.h"

#define FLOWS 4096

static struct ixg_spec *
spec(int ecmp, int kernel)
{
	struct ixg_spec *s = dp_spec_new();
	uint16_t nh = ecmp ? (uint16_t)(IXG_NH_GROUP | 0) : 2;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	for (uint16_t p = 2; p <= 5; p++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", p);
		dp_spec_peer(s, p, 1, 0, mac, IXG_SAV_OFF);
	}
	/* `kernel`: routes from the kernel (origin IXG_ORIGIN_KERNEL), whose
	 * member's hop carries its session state (doc/routing.md, "Session
	 * loss") */
	dp_spec_route4(s, "10.0.0.0", 8, nh)->origin =
		kernel ? IXG_ORIGIN_KERNEL : 0;
	dp_spec_route6(s, "2001:db8::", 32, nh)->origin =
		kernel ? IXG_ORIGIN_KERNEL : 0;
	if (ecmp) {
		struct ixg_spec_nhgroup *g = calloc(1, sizeof(*g));

		if (g == NULL)
			exit(1);
		g->n_members = 4;
		for (unsigned k = 0; k < 4; k++) {
			g->peer_id[k] = (uint16_t)(2 + k);
			g->weight[k] = 1;
		}
		s->nhgroups = g;
		s->n_nhgroups = 1;
	}
	return s;
}

int
main(int argc, char **argv)
{
	int ecmp = argc > 1 && strcmp(argv[1], "ecmp") == 0;
	int kernel = argc > 1 && strcmp(argv[1], "kernel") == 0;
	unsigned long packets = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	static struct burst bursts[FLOWS / PIPELINE_BURST];
	struct ixg_spec *s;
	struct tables *t;
	struct pipeline_ctx ctx;
	struct ixg_lcore_counters *ctr;
	struct timespec t0, t1;
	unsigned long done = 0, fwd = 0;

	if (argc > 1 && strcmp(argv[1], "plain") != 0 && !ecmp && !kernel) {
		fprintf(stderr,
			"usage: ecmp_bench plain|kernel|ecmp [PACKETS]\n");
		return 2;
	}
	dp_test_eal_init("ecmp_bench", 0);
	s = spec(ecmp, kernel);
	t = dp_tables_build(s);
	ctr = calloc(1, sizeof(*ctr));
	if (ctr == NULL)
		return 1;
	dp_ctx_init(&ctx, t);
	ctx.ctr = ctr;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < packets) {
		for (unsigned k = 0;
		     k < FLOWS / PIPELINE_BURST && done < packets; k++) {
			struct burst *b = &bursts[k];
			char src[64], dst[64];

			dp_burst_init(b, 0);
			for (unsigned i = 0; i < PIPELINE_BURST; i++) {
				unsigned f = k * PIPELINE_BURST + i;

				if (f % 10 < 7) {
					snprintf(src, sizeof(src),
						 "198.51.%u.%u", f >> 8,
						 f & 255);
					snprintf(dst, sizeof(dst), "10.1.%u.1",
						 f % 251);
					dp_burst_add4(b, 1, src, dst, 17,
						      (uint16_t)(1024 + f), 53);
				} else {
					snprintf(src, sizeof(src),
						 "2001:db9::%x", f);
					snprintf(dst, sizeof(dst),
						 "2001:db8::%x", f % 251);
					dp_burst_add6(b, 1, src, dst, 17,
						      (uint16_t)(1024 + f), 53);
				}
			}
			stage_lookup(&ctx, b);
			stage_route(&ctx, b);
			for (unsigned i = 0; i < b->n; i++)
				fwd += b->meta[i].verdict == VERDICT_CONTINUE;
			done += b->n;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %lu packets, %lu forwarded, %.1f ns/packet (burst "
	       "set-up, lookup and route)\n",
	       ecmp	? "ecmp"
	       : kernel ? "kernel"
			: "plain",
	       done, fwd,
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		(double)(t1.tv_nsec - t0.tv_nsec)) /
		       (double)done);
	tables_free(t);
	dp_spec_free(s);
	free(ctr);
	return fwd == done ? 0 : 1;
}
