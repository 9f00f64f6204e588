/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.c - offline replay: the pipeline's stages over a pcap file, without
 * ports or workers ("what would the node do with this traffic under this
 * config").
 *
 * Ingress port: a classic pcap records no port, so every frame is taken as
 * received on one port of the config (opts.port_name, default the first).
 *
 * Clock: the capture's timestamps. A burst holds at most PIPELINE_BURST
 * frames that arrived within REPLAY_POLL_NS of its first one (what a worker
 * polling the port would have gathered), and runs at the time of its last
 * frame: now_tsc = start_tsc + (ts - first_ts) * tsc_hz / 1e9, never going
 * backwards, and now_unix = ts / 1e9. Policers and blackhole expiry are thus
 * deterministic for a given capture.
 *
 * Frames are the captured bytes (caplen); a capture cut by its snaplen
 * replays the cut frames (a warning says so once).
 *
 * --trace writes one line per frame, in capture order. The format is stable
 * (tests compare it byte for byte); fields are separated by one space:
 *
 *   N PORT peer=PEER VERDICT [FIELDS] [src=ADDR dst=ADDR]
 *
 *   N        record number in the capture, from 1
 *   PORT     ingress port name
 *   PEER     ingress peer name, "-" when not (yet) identified
 *   VERDICT  one of
 *     fwd egress=PEER port=PORT class=CLASS rule=RULE cc=SRC>DST [colour=C]
 *              forwarded to PEER out of PORT; CLASS is the class name or
 *              "-" (default class); RULE the ACL rule that matched: its
 *              name, its id if unnamed, "-" if none; SRC>DST the two-letter countries of source
 *              and destination ("--" unknown); colour only when the policer
 *              marked it yellow or red (and the class let it pass)
 *     local=KIND
 *              answered by the node: arp-reply, nd-advert, echo-reply
 *     punt     for the node's Linux side (exception path; offline, counted
 *              punted and not written out)
 *     drop=REASON [rule=RULE]
 *              dropped; REASON is a name of IXG_DROP_REASONS; rule for
 *              ACL denies
 *   src, dst IP addresses, present for IPv4/IPv6 frames whose header was
 *            valid (not for frames dropped while parsing L2 or the IP header)
 *
 * --trace-stages adds one field at the end of each line:
 *   stage=STAGE  the pipeline stage that decided the verdict (a name of
 *                PIPELINE_STAGES: "parse" for a runt, "rewrite" for a
 *                forwarded frame, "local" for an answer)
 *
 * Examples:
 *   1 p0 peer=viettel fwd egress=china-telecom port=p1 class=- rule=- cc=VN>CN src=14.160.0.1 dst=1.80.0.1
 *   2 p0 peer=- drop=unknown_peer src=10.0.0.1 dst=1.80.0.1
 *   3 p0 peer=vnpt local=arp-reply
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "pcapfile.h"
#include "pipeline.h"
#include "replay.h"
#include "stats.h"
#include "tables.h"

/* A worker's poll period, for grouping capture records into bursts. */
#define REPLAY_POLL_NS 100000ull
/* One burst in, its answers out, ICMP errors generated: room to spare. */
#define REPLAY_POOL_SIZE 255
/* Largest frame one mbuf holds (mempool data room is a uint16_t). */
#define REPLAY_DATA_ROOM UINT16_MAX
#define REPLAY_MAX_FRAME (REPLAY_DATA_ROOM - RTE_PKTMBUF_HEADROOM)

struct replay {
	const struct ixg_spec *spec;
	const struct replay_opts *o;
	struct tables *t;
	struct rte_mempool *pool;
	struct ixg_lcore_counters *ctr;
	struct pcap_reader *in;
	struct pcap_writer *out;
	FILE *trace;
	struct pipeline_ctx ctx;
	uint16_t port; /* ingress port id */

	uint64_t first_ts_ns;
	uint64_t start_tsc;
	uint64_t n_records; /* read so far */
	bool warned_cut, warned_big;

	const char *peer_names[IXG_MAX_PEERS];
	const char *port_names[IXG_MAX_PORTS];
	const char *class_names[IXG_MAX_CLASSES];

	struct burst b;
	uint64_t ts[PIPELINE_BURST]; /* capture time of b.pkts[i] */
	/* --trace-stages: the stage that took b.pkts[i] out of CONTINUE */
	uint8_t decided[PIPELINE_BURST];
	struct burst_out bo;
};

static const char *
name_or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static void
names_fill(struct replay *r)
{
	const struct ixg_spec *s = r->spec;

	for (uint32_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].id < IXG_MAX_PEERS)
			r->peer_names[s->peers[i].id] = s->peers[i].name;
	for (uint32_t i = 0; i < s->n_ports; i++)
		if (s->ports[i].id < IXG_MAX_PORTS)
			r->port_names[s->ports[i].id] = s->ports[i].name;
	for (uint32_t i = 0; i < s->n_classes; i++)
		if (s->classes[i].id < IXG_MAX_CLASSES)
			r->class_names[s->classes[i].id] = s->classes[i].name;
}

static const char *
peer_str(const struct replay *r, unsigned id, char *buf, size_t len)
{
	if (id == IXG_PEER_NONE)
		return "-";
	if (id < IXG_MAX_PEERS && r->peer_names[id] != NULL)
		return r->peer_names[id];
	snprintf(buf, len, "#%u", id);
	return buf;
}

static const char *
port_str(const struct replay *r, unsigned id, char *buf, size_t len)
{
	if (id < IXG_MAX_PORTS && r->port_names[id] != NULL)
		return r->port_names[id];
	snprintf(buf, len, "#%u", id);
	return buf;
}

static void
cc_str(const struct replay *r, unsigned idx, char out[3])
{
	ixg_cc_t cc = IXG_CC('-', '-');

	if (idx != IXG_COUNTRY_UNKNOWN && idx < r->spec->n_countries)
		cc = r->spec->countries[idx];
	out[0] = (char)(cc >> 8);
	out[1] = (char)(cc & 0xff);
	out[2] = '\0';
}

/* Drops decided before the IP addresses were known to be valid. */
static bool
addrs_known(const struct pkt_meta *pm)
{
	if (pm->l3 != L3_IPV4 && pm->l3 != L3_IPV6)
		return false;
	if (pm->verdict != VERDICT_DROP)
		return true;
	switch (pm->drop_reason) {
	case IXG_DROP_RUNT:
	case IXG_DROP_DMAC:
	case IXG_DROP_VLAN_STACK:
	case IXG_DROP_ETHERTYPE:
	case IXG_DROP_IPV4_HEADER:
	case IXG_DROP_IPV4_CHECKSUM:
	case IXG_DROP_IPV6_HEADER: return false;
	default: return true;
	}
}

static const char *
local_kind(const struct pkt_meta *pm)
{
	if (pm->l3 == L3_ARP)
		return "arp-reply";
	/* RFC 4861 4.3/4.4: a solicitation (135) becomes an advert (136). */
	if (pm->l3 == L3_IPV6 && pm->l4_proto == IPPROTO_ICMPV6 &&
	    (pm->icmp_type == 135 || pm->icmp_type == 136))
		return "nd-advert";
	return "echo-reply";
}

/* " rule=NAME", or the id for an unnamed rule, "-" for none. */
static void
rule_field(const struct replay *r, FILE *f, uint32_t id)
{
	const struct ixg_spec *s = r->spec;

	if (id == 0) {
		fputs(" rule=-", f);
		return;
	}
	for (uint32_t i = 0; i < s->n_acl_rules; i++) {
		if (s->acl_rules[i].id == id && s->acl_rules[i].name[0]) {
			fprintf(f, " rule=%s", s->acl_rules[i].name);
			return;
		}
	}
	fprintf(f, " rule=%" PRIu32, id);
}

/* pipeline_run_observed's hook: note the stage each verdict came from. */
static void
note_stage(enum pipeline_stage stage, const struct burst *b, void *arg)
{
	struct replay *r = arg;

	for (unsigned i = 0; i < b->n; i++)
		if (r->decided[i] == PIPELINE_N_STAGES &&
		    b->meta[i].verdict != VERDICT_CONTINUE)
			r->decided[i] = (uint8_t)stage;
}

static void
trace_line(struct replay *r, uint64_t recno, const struct pkt_meta *pm,
	   unsigned decided)
{
	FILE *f = r->trace;
	char b1[16], b2[16], b3[16];

	fprintf(f, "%" PRIu64 " %s peer=%s", recno,
		port_str(r, pm->in_port, b1, sizeof(b1)),
		peer_str(r, pm->in_peer, b2, sizeof(b2)));
	switch (pm->verdict) {
	case VERDICT_FORWARD: {
		char src[3], dst[3];
		const char *cls = "-";

		if (pm->class_id != 0 && pm->class_id < IXG_MAX_CLASSES)
			cls = name_or_dash(r->class_names[pm->class_id]);
		cc_str(r, pm->src_country, src);
		cc_str(r, pm->dst_country, dst);
		fprintf(f, " fwd egress=%s port=%s class=%s",
			peer_str(r, pm->out_peer, b1, sizeof(b1)),
			port_str(r, pm->out_port, b3, sizeof(b3)), cls);
		rule_field(r, f, pm->acl_rule);
		fprintf(f, " cc=%s>%s", src, dst);
		if (pm->colour == COLOUR_YELLOW)
			fputs(" colour=yellow", f);
		else if (pm->colour == COLOUR_RED)
			fputs(" colour=red", f);
		break;
	}
	case VERDICT_LOCAL: fprintf(f, " local=%s", local_kind(pm)); break;
	case VERDICT_PUNT: fputs(" punt", f); break;
	case VERDICT_DROP: {
		const char *why = ixg_drop_name(pm->drop_reason);

		fprintf(f, " drop=%s", why != NULL ? why : "?");
		if (pm->drop_reason == IXG_DROP_ACL_DENY)
			rule_field(r, f, pm->acl_rule);
		break;
	}
	default: fputs(" verdict=none", f); break;
	}
	if (addrs_known(pm)) {
		char a[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		int af = pm->l3 == L3_IPV4 ? AF_INET : AF_INET6;

		inet_ntop(af, pm->src, a, sizeof(a));
		inet_ntop(af, pm->dst, d, sizeof(d));
		fprintf(f, " src=%s dst=%s", a, d);
	}
	if (r->o->trace_stages)
		fprintf(f, " stage=%s", pipeline_stage_name(decided));
	fputc('\n', f);
}

/* Capture time -> TSC ticks, split so that hours of capture cannot overflow
 * (delta_ns * tsc_hz would past ~6 s at 3 GHz). */
static uint64_t
ts_to_tsc(const struct replay *r, uint64_t ts_ns)
{
	uint64_t d = ts_ns > r->first_ts_ns ? ts_ns - r->first_ts_ns : 0;
	uint64_t hz = r->ctx.tsc_hz;

	return r->start_tsc + (d / 1000000000ull) * hz +
	       (d % 1000000000ull) * hz / 1000000000ull;
}

static int
write_out(struct replay *r, struct rte_mbuf *m, uint64_t ts_ns)
{
	uint8_t buf[REPLAY_DATA_ROOM];
	const void *data;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	data = rte_pktmbuf_read(m, 0, len, buf);
	if (data == NULL || pcap_write(r->out, ts_ns, data, len) < 0) {
		fprintf(stderr, "%s: write: %s\n", r->o->out_path,
			strerror(data == NULL ? EINVAL : errno));
		return -1;
	}
	return 0;
}

/* Run the gathered burst, trace it, write and free what leaves the node. */
static int
run_burst(struct replay *r, uint64_t first_recno)
{
	struct burst *b = &r->b;
	struct rte_mbuf *in[PIPELINE_BURST];
	struct rte_mbuf *made[IXG_MAX_PORTS * PIPELINE_BURST];
	unsigned n_made = 0;
	bool handed_out[PIPELINE_BURST] = {false};
	uint64_t now_ns = r->ts[b->n - 1];
	uint64_t tsc = ts_to_tsc(r, now_ns);
	unsigned n = b->n;
	int rc = 0;

	if (tsc > r->ctx.now_tsc)
		r->ctx.now_tsc = tsc;
	r->ctx.now_unix = (int64_t)(now_ns / 1000000000ull);
	memcpy(in, b->pkts, sizeof(in[0]) * n);
	memset(b->meta, 0, sizeof(b->meta[0]) * n);
	memset(&r->bo.n, 0, sizeof(r->bo.n));

	if (r->o->trace_stages) {
		memset(r->decided, PIPELINE_N_STAGES, sizeof(r->decided));
		pipeline_run_observed(&r->ctx, b, &r->bo, note_stage, r);
	} else {
		pipeline_run(&r->ctx, b, &r->bo);
	}

	if (r->trace != NULL)
		for (unsigned i = 0; i < n; i++)
			trace_line(r, first_recno + i, &b->meta[i],
				   r->decided[i]);

	/* Output in capture order: each handed-out mbuf is an input frame
	 * rewritten in place, or a packet the stages made (ICMP errors),
	 * written after the frames of its burst. Dropped input frames were
	 * freed by stage_output and are not touched. */
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
		for (unsigned j = 0; j < r->bo.n[p]; j++) {
			struct rte_mbuf *m = r->bo.pkts[p][j];
			unsigned i;

			for (i = 0; i < n && in[i] != m; i++)
				;
			if (i < n)
				handed_out[i] = true;
			else
				made[n_made++] = m;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (!handed_out[i])
			continue;
		if (r->out != NULL && rc == 0)
			rc = write_out(r, in[i], r->ts[i]);
		rte_pktmbuf_free(in[i]);
	}
	for (unsigned j = 0; j < n_made; j++) {
		if (r->out != NULL && rc == 0)
			rc = write_out(r, made[j], now_ns);
		rte_pktmbuf_free(made[j]);
	}
	/* Frames for the node's Linux side: counted punted, and there is no
	 * Linux side offline. */
	if (r->bo.n_punt > 0)
		rte_pktmbuf_free_bulk(r->bo.punt, r->bo.n_punt);
	b->n = 0;
	return rc;
}

static int
replay_loop(struct replay *r)
{
	struct pcap_rec rec;
	char err[256];
	uint64_t burst_first_ts = 0, burst_first_recno = 1;
	int rc;

	while ((rc = pcap_read(r->in, &rec, err, sizeof(err))) == 1) {
		struct rte_mbuf *m;
		uint32_t len = rec.caplen;
		char *dst;

		r->n_records++;
		if (r->n_records == 1) {
			r->first_ts_ns = rec.ts_ns;
			r->start_tsc = rte_get_tsc_cycles();
			r->ctx.now_tsc = r->start_tsc;
			/* As a live worker: the first ICMP error finds the
			 * rate limiter's bucket full. */
			r->ctx.icmp_last_tsc = 0;
		}
		if (r->b.n > 0 &&
		    (r->b.n == PIPELINE_BURST || rec.ts_ns < burst_first_ts ||
		     rec.ts_ns - burst_first_ts > REPLAY_POLL_NS)) {
			if (run_burst(r, burst_first_recno) < 0)
				return -1;
		}
		if (r->b.n == 0) {
			burst_first_ts = rec.ts_ns;
			burst_first_recno = r->n_records;
		}
		if (rec.caplen < rec.origlen && !r->warned_cut) {
			fprintf(stderr,
				"%s: record %" PRIu64 " (and maybe others) "
				"cut by the capture's snaplen (%" PRIu32
				" of %" PRIu32 " bytes): replaying the "
				"captured bytes\n",
				r->o->in_path, r->n_records, rec.caplen,
				rec.origlen);
			r->warned_cut = true;
		}
		if (len > REPLAY_MAX_FRAME) {
			if (!r->warned_big)
				fprintf(stderr,
					"%s: record %" PRIu64 ": %" PRIu32
					"-byte frame cut to %u bytes\n",
					r->o->in_path, r->n_records, len,
					(unsigned)REPLAY_MAX_FRAME);
			r->warned_big = true;
			len = REPLAY_MAX_FRAME;
		}
		m = rte_pktmbuf_alloc(r->pool);
		if (m == NULL) {
			fprintf(stderr,
				"%s: record %" PRIu64 ": mbuf pool exhausted\n",
				r->o->in_path, r->n_records);
			return -1;
		}
		dst = rte_pktmbuf_append(m, (uint16_t)len);
		if (dst == NULL && len > 0) {
			rte_pktmbuf_free(m);
			fprintf(stderr,
				"%s: record %" PRIu64
				": frame does not fit an mbuf\n",
				r->o->in_path, r->n_records);
			return -1;
		}
		if (len > 0)
			memcpy(dst, rec.data, len);
		m->port = r->port;
		r->ts[r->b.n] = rec.ts_ns;
		r->b.pkts[r->b.n++] = m;
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (r->b.n > 0 && run_burst(r, burst_first_recno) < 0)
		return -1;
	return 0;
}

static int
find_port(const struct ixg_spec *spec, const char *name, uint16_t *id)
{
	if (spec->n_ports == 0) {
		fprintf(stderr, "replay: the config has no port\n");
		return -1;
	}
	if (name == NULL) {
		*id = spec->ports[0].id;
		return 0;
	}
	const struct ixg_spec_port *p = ixg_spec_port_by_name(spec, name);

	if (p != NULL) {
		*id = p->id;
		return 0;
	}
	fprintf(stderr,
		"replay: no port named '%s' in the config (ports:", name);
	for (uint32_t i = 0; i < spec->n_ports; i++)
		fprintf(stderr, " %s", spec->ports[i].name);
	fprintf(stderr, ")\n");
	return -1;
}

static void
replay_free(struct replay *r)
{
	if (r->in != NULL)
		pcap_close_read(r->in);
	if (r->out != NULL && pcap_close_write(r->out) < 0)
		fprintf(stderr, "%s: close: %s\n", r->o->out_path,
			strerror(errno));
	for (unsigned i = 0; i < r->b.n; i++)
		rte_pktmbuf_free(r->b.pkts[i]);
	tables_free(r->t);
	rte_mempool_free(r->pool);
	free(r->ctr);
	free(r);
}

/*
 * Replay o->in_path through the stages under spec (see replay.h and the
 * trace format above). EAL must be initialised; the main lcore calls this.
 * Owns everything it creates (tables, mempool, counters, files) and frees
 * it before returning. Returns 0, or -1 with a message on stderr naming
 * the file (and the record, for a malformed capture).
 */
int
replay_run(const struct ixg_spec *spec, const struct replay_opts *o)
{
	static unsigned run_seq;
	struct replay *r;
	char err[256], pool_name[RTE_MEMPOOL_NAMESIZE];
	int rc = -1;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "replay: %s\n", strerror(errno));
		return -1;
	}
	r->spec = spec;
	r->o = o;
	r->trace = o->trace ? (o->trace_out ? o->trace_out : stderr) : NULL;
	names_fill(r);
	if (find_port(spec, o->port_name, &r->port) < 0)
		goto out;

	r->in = pcap_open_read(o->in_path, err, sizeof(err));
	if (r->in == NULL) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	err[0] = '\0';
	r->t = tables_build(spec, 1, 1, err, sizeof(err));
	if (r->t == NULL) {
		fprintf(stderr, "replay: building tables: %s\n",
			err[0] ? err : strerror(errno));
		goto out;
	}
	snprintf(pool_name, sizeof(pool_name), "replay_%u", run_seq++);
	r->pool = rte_pktmbuf_pool_create(pool_name, REPLAY_POOL_SIZE, 0, 0,
					  REPLAY_DATA_ROOM, SOCKET_ID_ANY);
	if (r->pool == NULL) {
		fprintf(stderr, "replay: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		goto out;
	}
	r->ctr = aligned_alloc(64, sizeof(*r->ctr));
	if (r->ctr == NULL) {
		fprintf(stderr, "replay: counters: %s\n", strerror(errno));
		goto out;
	}
	memset(r->ctr, 0, sizeof(*r->ctr));
	if (o->out_path != NULL) {
		r->out = pcap_open_write(o->out_path);
		if (r->out == NULL) {
			fprintf(stderr, "%s: %s\n", o->out_path,
				strerror(errno));
			goto out;
		}
	}

	r->ctx.t = r->t;
	r->ctx.ctr = r->ctr;
	r->ctx.worker = 0;
	r->ctx.tsc_hz = rte_get_tsc_hz();
	r->ctx.pool = r->pool;
	r->b.port = r->port;
	if (replay_loop(r) < 0)
		goto out;
	if (r->out != NULL) {
		struct pcap_writer *w = r->out;

		r->out = NULL;
		if (pcap_close_write(w) < 0) {
			fprintf(stderr, "%s: %s\n", o->out_path,
				strerror(errno));
			goto out;
		}
	}

	stats_print_json(r->ctr, spec, o->json_out ? o->json_out : stdout);
	rc = 0;
out:
	if (r->trace != NULL)
		fflush(r->trace);
	replay_free(r);
	return rc;
}
