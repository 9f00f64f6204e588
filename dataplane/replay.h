/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.h - offline replay: run the pipeline over a pcap file without
 * ports or workers ("what would the node do with this traffic under this
 * config"). EAL must already be initialised (main does it with
 * --no-huge --in-memory --no-pci when --replay is given).
 */
#ifndef IXG_REPLAY_H
#define IXG_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "ixg_api.h"

struct replay_opts {
	const char *in_path; /* pcap to read */
	const char *out_path; /* pcap of what would leave the node, or NULL */
	bool trace; /* one line per packet to trace_out */
	bool trace_stages; /* trace: also the stage that decided (implies
			    * trace) */
	FILE *trace_out; /* stderr if NULL */
	FILE *json_out; /* final counters as JSON; stdout if NULL */
	/* Port the capture's frames arrived on (a pcap records no port):
	 * main passes `--port NAME`; NULL means the spec's first port. */
	const char *port_name;
};

/* Build tables from spec, run every packet of in_path through the stages in
 * bursts of PIPELINE_BURST, using the pcap timestamps as the clock (so
 * policing and expiry are deterministic), write forwarded and locally
 * answered frames to out_path, print counters as JSON.
 * Returns 0, or -1 with a message on stderr naming the file and record. */
int replay_run(const struct ixg_spec *spec, const struct replay_opts *o);

#endif /* IXG_REPLAY_H */
