/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for stage_parse and stage_peer, differential: every
 * input is a burst of frames (on the ports and peers of config/demo.conf,
 * or IXG_FUZZ_CONFIG) run through stage_parse (parse_fast for what it
 * takes) and through stage_parse_simple (the general parser alone), each
 * then through stage_peer. Beyond "no crash, no over-read (ASan), no UB":
 * the metadata of the two runs are byte-identical after each stage, their
 * charged masks too, parsed_fast marks only CONTINUE frames stage_local
 * would leave as they are (no ARP, Neighbor Discovery or multicast), and
 * burst.peer_smac holds the 8 bytes at offset 6 of every frame parse left
 * CONTINUE or charged. The fused head (pipeline_head) must leave the
 * metadata and masks stage_parse then stage_peer leave. Any difference
 * aborts.
 *
 * Input format: byte 0 selects the ingress port (bit 0), the number of
 * frames (bits 1-3, 1..8) and every frame's RX checksum flag (bits 4-5:
 * none, GOOD, BAD, NONE); bit 6 makes each frame's pkt_len its data_len
 * plus its first byte (a longer packet than the segment). The rest is
 * split into frames at two-byte big-endian length prefixes (a short tail
 * is one frame), as fuzz_packet reads them; the frames are repeated to
 * fill a burst of PIPELINE_BURST.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ixg_conf.h"
#include "pipeline.h"
#include "tables.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *pool;
static struct tables *tables;
static struct ixg_spec spec;

static void
free_all(void)
{
	tables_free(tables);
	ixg_spec_free(&spec);
	rte_mempool_free(pool);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {"fuzz_parse",
		       "--no-huge",
		       "-m",
		       "512",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       NULL};
	const char *conf = getenv("IXG_FUZZ_CONFIG");
	char err[256];

	(void)argc;
	(void)argv;
	if (rte_eal_init(10, eal) < 0)
		abort();
	if (conf == NULL)
		conf = IXG_SRC_DIR "/config/demo.conf";
	if (ixg_conf_load(conf, &spec, stderr) < 0)
		abort();
	tables = tables_build(&spec, 1, 1, err, sizeof(err));
	if (tables == NULL) {
		fprintf(stderr, "tables_build: %s\n", err);
		abort();
	}
	pool = rte_pktmbuf_pool_create("fuzz_parse", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		abort();
	atexit(free_all);
	return 0;
}

static void
fail(const char *what, unsigned i)
{
	fprintf(stderr, "fuzz_parse: %s (packet %u)\n", what, i);
	abort();
}

/* What parse left in b for packet i, checked against its frame. */
static void
check_parse(const struct burst *b, unsigned i)
{
	const struct pkt_meta *pm = &b->meta[i];
	const struct rte_mbuf *m = b->pkts[i];
	uint64_t w;

	if (pm->verdict == VERDICT_CONTINUE || (b->charged >> i & 1)) {
		if (m->data_len < 14)
			fail("CONTINUE or charged without an Ethernet header",
			     i);
		memcpy(&w, rte_pktmbuf_mtod(m, const uint8_t *) + 6, 8);
		if (w != b->peer_smac[i])
			fail("peer_smac is not the frame's", i);
	}
	if (!(b->parsed_fast >> i & 1))
		return;
	if (pm->verdict != VERDICT_CONTINUE)
		fail("parsed_fast on a dropped packet", i);
	if (pm->l3 == L3_IPV4 ? pm->dst[0] >= 224
	    : pm->l3 == L3_IPV6
		    ? pm->dst[0] == 0xff ||
			      (pm->l4_proto == IPPROTO_ICMPV6 &&
			       pm->icmp_type >= 133 && pm->icmp_type <= 137)
		    : 1)
		fail("parsed_fast on what stage_local must see", i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t ck[4] = {
		0,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	struct pipeline_ctx ctx = {.t = tables};
	static struct burst fast, simple, head;
	struct rte_mbuf *owned[8];
	unsigned nframes, n = 0, i;
	uint64_t flags;
	int longer;

	if (size < 1)
		return 0;
	memset(&fast, 0, sizeof(fast));
	fast.port = (uint16_t)(data[0] & 1);
	if (fast.port >= spec.n_ports)
		fast.port = 0;
	nframes = 1 + ((data[0] >> 1) & 7);
	flags = ck[(data[0] >> 4) & 3];
	longer = (data[0] >> 6) & 1;
	data++;
	size--;
	for (i = 0; i < nframes && size > 0; i++) {
		size_t len = size;
		struct rte_mbuf *m;

		if (i + 1 < nframes && size >= 2) {
			len = ((size_t)data[0] << 8) | data[1];
			data += 2;
			size -= 2;
			if (len > size)
				len = size;
		}
		if (len > RTE_MBUF_DEFAULT_DATAROOM)
			len = RTE_MBUF_DEFAULT_DATAROOM;
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			abort();
		/* At the END of the data room: an over-read past the frame
		 * runs off the mbuf's buffer, where ASan sees it. */
		m->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM +
					 RTE_MBUF_DEFAULT_DATAROOM - len);
		memcpy(rte_pktmbuf_mtod(m, void *), data, len);
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len + (longer && len ? data[0] : 0);
		m->ol_flags = flags;
		m->port = fast.port;
		owned[n++] = m;
		data += len;
		size -= len;
	}
	if (n == 0)
		return 0;
	/* the frames again and again, to a whole burst: the loops'
	 * prefetch and mask edges */
	for (i = 0; i < PIPELINE_BURST; i++)
		fast.pkts[i] = owned[i % n];
	fast.n = PIPELINE_BURST;
	simple = fast;
	head = fast;

	stage_parse(&ctx, &fast);
	stage_parse_simple(&ctx, &simple);
	if (fast.charged != simple.charged || simple.parsed_fast != 0)
		fail("charged or parsed_fast differ", 0);
	for (i = 0; i < PIPELINE_BURST; i++) {
		if (memcmp(&fast.meta[i], &simple.meta[i],
			   sizeof(fast.meta[i])) != 0)
			fail("parse metadata differ", i);
		check_parse(&fast, i);
		check_parse(&simple, i);
	}
	stage_peer(&ctx, &fast);
	stage_peer(&ctx, &simple);
	for (i = 0; i < PIPELINE_BURST; i++)
		if (memcmp(&fast.meta[i], &simple.meta[i],
			   sizeof(fast.meta[i])) != 0)
			fail("peer metadata differ", i);
	/* the fused head (no sample ring here: stage_sample does nothing) */
	pipeline_head(&ctx, &head);
	if (head.charged != fast.charged ||
	    head.parsed_fast != fast.parsed_fast ||
	    head.gathered != fast.gathered)
		fail("pipeline_head's charged, parsed_fast or gathered differ",
		     0);
	for (i = 0; i < PIPELINE_BURST; i++) {
		if (memcmp(&head.meta[i], &fast.meta[i],
			   sizeof(head.meta[i])) != 0)
			fail("pipeline_head's metadata differ", i);
		if ((head.charged >> i & 1) &&
		    head.peer_smac[i] != fast.peer_smac[i])
			fail("pipeline_head's charged peer_smac differ", i);
	}
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(owned[i]);
	return 0;
}
