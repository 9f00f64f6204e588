/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgate-pcapgen - write real-shaped cross-border exchange traffic for a
 * config into a pcap file, and optionally what ixgate should count for it
 * (--expect), computed by an independent reference model. No DPDK.
 * See doc/traffic-generator.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "ixg_conf.h"
#include "ixg_version.h"
#include "pcapfile.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: ixgate-pcapgen --config FILE --out FILE.pcap "
		"[options]\n"
		"  --count N          packets to write (default 4096)\n"
		"  --port NAME        only peers attached to this port send\n"
		"                     (default: peers of every port)\n"
		"  --rate PPS         timestamp spacing (default 1000000)\n"
		"  --expect FILE.json write the counters ixgate should show\n"
		"  --list-kinds       list the kinds of packets and "
		"exit\n" GEN_TRAFFIC_USAGE "  --help\n");
}

static int
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ixgate-pcapgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static int
port_id_by_name(const struct ixg_spec *s, const char *name)
{
	const struct ixg_spec_port *p = ixg_spec_port_by_name(s, name);

	return p != NULL ? p->id : -1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'o'},
		{"count", required_argument, NULL, 'n'},
		{"port", required_argument, NULL, 'p'},
		{"rate", required_argument, NULL, 'r'},
		{"expect", required_argument, NULL, 'e'},
		{"list-kinds", no_argument, NULL, 'L'},
		GEN_TRAFFIC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *out = NULL, *expect = NULL, *port = NULL;
	struct ixg_spec spec;
	struct pcap_writer *w;
	struct timespec t0, t1;
	struct gen_opts o;
	char err[512];
	uint8_t buf[GEN_FRAME_MAX];
	struct gen *g;
	uint64_t i;
	double secs;
	int c, rc = 0;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-pcapgen", stdout);
	gen_opts_default(&o);
	o.now = (int64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'o': out = optarg; break;
		case 'e': expect = optarg; break;
		case 'p': port = optarg; break;
		case 'n':
			if (gen_parse_u64(optarg, &o.count) < 0)
				return bad_usage(
					"bad --count '%s': want a whole "
					"number >= 0",
					optarg);
			break;
		case 'r':
			if (gen_parse_double(optarg, &o.rate_pps) < 0 ||
			    !(o.rate_pps > 0))
				return bad_usage(
					"bad --rate '%s': want a rate > 0 "
					"(packets/s)",
					optarg);
			break;
		case 'L':
			for (c = 0; c < GEN_K_MAX; c++) {
				gen_opts_default(&o);
				printf("%-13s %4.1f%%  %s\n", gen_kind_name(c),
				       o.mix[c] * 100, gen_kind_descr(c));
			}
			return 0;
		case 'h': usage(stdout); return 0;
		default:
			if (c >= GEN_OPT_FIRST && c < GEN_OPT_END) {
				if (gen_opt_apply(&o, c, optarg, err,
						  sizeof(err)) < 0)
					return bad_usage("%s", err);
				break;
			}
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (config == NULL || out == NULL)
		return bad_usage("%s", "--config and --out are required");

	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load(config, &spec, stderr) < 0)
		return 1;
	if (port != NULL) {
		o.port_id = port_id_by_name(&spec, port);
		if (o.port_id < 0) {
			fprintf(stderr,
				"ixgate-pcapgen: %s: no port named '%s'\n",
				config, port);
			ixg_spec_free(&spec);
			return 1;
		}
	}
	g = gen_new(&spec, &o, err, sizeof(err));
	if (g == NULL) {
		fprintf(stderr, "ixgate-pcapgen: %s: %s\n", config, err);
		ixg_spec_free(&spec);
		return 1;
	}
	w = pcap_open_write(out);
	if (w == NULL) {
		fprintf(stderr, "ixgate-pcapgen: %s: %s\n", out,
			strerror(errno));
		gen_free(g);
		ixg_spec_free(&spec);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < o.count; i++) {
		uint64_t ts;
		uint32_t len = gen_next(g, buf, &ts, NULL, NULL);

		if (pcap_write(w, ts, buf, len) < 0) {
			fprintf(stderr, "ixgate-pcapgen: %s: %s\n", out,
				strerror(errno));
			rc = 1;
			break;
		}
	}
	if (pcap_close_write(w) < 0 && rc == 0) {
		fprintf(stderr, "ixgate-pcapgen: %s: %s\n", out,
			strerror(errno));
		rc = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	if (rc == 0 && expect != NULL) {
		FILE *f = fopen(expect, "w");

		if (f == NULL || gen_write_expect(g, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "ixgate-pcapgen: %s: %s\n", expect,
				strerror(errno));
			rc = 1;
		}
	}
	if (rc == 0) {
		const struct gen_counts *gc = gen_counts(g);

		fprintf(stderr,
			"ixgate-pcapgen: %" PRIu64 " packets to %s in %.3f s "
			"(%.2f Mpps): %" PRIu64 " forward, %" PRIu64
			" local, %" PRIu64 " dropped\n",
			gc->rx, out, secs, secs > 0 ? gc->rx / secs / 1e6 : 0,
			gc->tx, gc->local, gc->rx - gc->tx - gc->local);
		if (gc->approx_packets)
			fprintf(stderr,
				"ixgate-pcapgen: %" PRIu64 " packets meet a "
				"meter that may not be green: the expectation "
				"is approximate for them\n",
				gc->approx_packets);
	}
	gen_free(g);
	ixg_spec_free(&spec);
	return rc;
}
