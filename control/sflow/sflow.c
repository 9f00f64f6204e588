/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow.c - the sFlow v5 agent (see sflow.h): the sample channel's
 * consumer, flow and counter samples, datagrams to the collectors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters.h"
#include "ctld.h"
#include "ixg_samples.h"
#include "ixg_wire.h"
#include "sflow.h"
#include "sflow_enc.h"

#define GET_SAMPLES_TIMEOUT_MS 5000

struct sflow {
	struct ctld *D;
	struct loop_timer *timer;
	struct ixg_sflow_conf conf;
	struct sflow_addr agent;
	int fd4, fd6; /* UDP sockets, -1 when no collector of the family */
	struct sockaddr_storage to[IXG_SFLOW_MAX_COLLECTORS];
	socklen_t to_len[IXG_SFLOW_MAX_COLLECTORS];
	uint64_t start_ms;
	uint64_t next_counters_ms;

	/* The channel, while this agent consumes it. */
	bool asked; /* GET_SAMPLES in flight */
	uint64_t ask_after_ms; /* after a failure: not before */
	uint64_t epoch; /* ours; 0: not the consumer */
	struct ixg_samples_view view;
	struct ixg_sample_cursor *cursors;
	size_t cursors_size;
	uint64_t dp_epoch; /* the ctld's connection the channel is from */

	/* Sequence numbers: the datagrams', and per port (data source) the
	 * flow samples' and the counter samples'. */
	uint32_t dgram_seq;
	uint32_t flow_seq[IXG_MAX_PORTS];
	uint32_t ctr_seq[IXG_MAX_PORTS];
	struct sflow_dgram dg;
	struct sflow_stats stats;
	uint64_t last_err_log_ms;
};

static uint32_t
uptime_ms(const struct sflow *s)
{
	return (uint32_t)(loop_now_ms() - s->start_ms);
}

/* ---- sending ------------------------------------------------------- */

static void
send_dgram(struct sflow *s)
{
	if (s->dg.n_samples == 0)
		return;
	sflow_dgram_stamp(&s->dg, ++s->dgram_seq, uptime_ms(s));
	for (unsigned i = 0; i < s->conf.n_collectors; i++) {
		int fd = s->to[i].ss_family == AF_INET6 ? s->fd6 : s->fd4;

		if (fd >= 0 && sendto(fd, s->dg.buf, s->dg.len, MSG_DONTWAIT,
				      (const struct sockaddr *)&s->to[i],
				      s->to_len[i]) == (ssize_t)s->dg.len) {
			s->stats.datagrams++;
			continue;
		}
		s->stats.send_errors++;
		if (loop_now_ms() - s->last_err_log_ms >= 60000) {
			ctld_log(s->D,
				 "sflow: collector %u: %s (%" PRIu64
				 " datagrams lost so far; logged once a "
				 "minute)",
				 i + 1, fd < 0 ? "no socket" : strerror(errno),
				 s->stats.send_errors);
			s->last_err_log_ms = loop_now_ms();
		}
	}
	sflow_dgram_begin(&s->dg, &s->agent, s->conf.sub_agent_id, 0, 0);
}

/* Add a sample through `add`, sending the datagram first when full. */
static void
add_flow(struct sflow *s, const struct sflow_flow *f)
{
	if (sflow_dgram_add_flow(&s->dg, f) == 0)
		return;
	send_dgram(s);
	if (sflow_dgram_add_flow(&s->dg, f) == 0)
		return;
	s->stats.bad_records++; /* larger than a datagram: cannot happen */
}

static void
add_counters(struct sflow *s, const struct sflow_if_counters *c)
{
	if (sflow_dgram_add_counters(&s->dg, c) == 0)
		return;
	send_dgram(s);
	(void)sflow_dgram_add_counters(&s->dg, c);
}

/* ---- flow samples ---------------------------------------------------- */

/* The first 802.1Q/802.1ad tag of an Ethernet header: its VLAN id and
 * priority; 0 and 0 when untagged. */
static void
header_vlan(const uint8_t *h, unsigned len, uint32_t *vid, uint32_t *prio)
{
	*vid = 0;
	*prio = 0;
	if (len >= 16 && ((h[12] == 0x81 && h[13] == 0x00) ||
			  (h[12] == 0x88 && h[13] == 0xa8))) {
		*vid = (uint32_t)(h[14] & 0x0f) << 8 | h[15];
		*prio = h[14] >> 5;
	}
}

/* Sum of a port counter over every block of the counters region. */
static uint64_t
port_sum(const struct ctl_state *st, unsigned port, size_t off)
{
	uint64_t v = 0;

	for (unsigned b = 0; b < st->n_counter_blocks; b++) {
		const uint8_t *p = (const uint8_t *)&st->counters[b].port[port];

		v += *(const uint64_t *)(const void *)(p + off);
	}
	return v;
}

static void
flow_of(struct sflow *s, const struct ixg_sample_record *r)
{
	const struct ctl_state *st = &s->D->st;
	const struct ixg_spec *spec = st->running.valid ? &st->running.spec
							: NULL;
	const struct ixg_spec_peer *in = NULL, *out = NULL;
	struct sflow_flow f;
	unsigned p = r->in_port;

	memset(&f, 0, sizeof(f));
	f.seq = ++s->flow_seq[p];
	f.source = p + 1;
	f.rate = r->rate;
	f.pool = (uint32_t)port_sum(st, p,
				    offsetof(struct ixg_ctr_port, sample_pool));
	f.drops = (uint32_t)port_sum(
		st, p, offsetof(struct ixg_ctr_port, sample_dropped));
	f.input = p + 1;
	if (r->verdict == IXG_SAMPLE_FORWARD)
		f.output = r->out_port + 1u;
	else if (r->verdict == IXG_SAMPLE_DROP)
		f.output = SFLOW_IF_DISCARD |
			   sflow_discard_reason(r->drop_reason);
	else
		f.output = 0x3fffffffu; /* the node itself (spec: internal) */
	/* The frame as received, without its FCS: sFlow counts it in. */
	f.frame_len = r->frame_len + 4;
	f.stripped = 4;
	f.hdr = r->hdr;
	f.hdr_len = r->hdr_len;
	if (spec != NULL) {
		in = r->in_peer ? ixg_spec_peer_by_id(spec, r->in_peer) : NULL;
		out = r->verdict == IXG_SAMPLE_FORWARD && r->out_peer
			      ? ixg_spec_peer_by_id(spec, r->out_peer)
			      : NULL;
	}
	f.has_switch = true;
	header_vlan(r->hdr, r->hdr_len, &f.src_vlan, &f.src_prio);
	if (out != NULL) {
		f.dst_vlan = out->vlan;
		f.dst_prio = f.src_prio;
	}
	if (in != NULL && out != NULL) {
		f.has_gateway = true;
		f.src_as = in->asn;
		f.dst_as = out->asn;
	}
	add_flow(s, &f);
}

/* Read up to `budget` records from every ring; returns how many. */
static unsigned
drain(struct sflow *s, unsigned budget)
{
	struct ixg_sample_record rec;
	unsigned n = 0;

	for (unsigned w = 0; w < s->view.n_rings && n < budget; w++) {
		const struct ixg_sample_ring *ring = ixg_samples_ring(&s->view,
								      w);

		while (n < budget) {
			int rc = ixg_samples_pop(ring, &s->cursors[w], &rec);

			if (rc == -EAGAIN)
				break;
			n++;
			if (rc != 0 || ixg_sample_record_check(&rec) != 0) {
				s->stats.bad_records++;
				continue;
			}
			if (s->conf.n_collectors == 0) {
				s->stats.discarded++;
				continue;
			}
			flow_of(s, &rec);
			s->stats.samples++;
		}
	}
	return n;
}

/* ---- counter samples ------------------------------------------------- */

static void
counters_of(struct sflow *s)
{
	const struct ctl_state *st = &s->D->st;
	const struct ixg_spec *spec = &st->running.spec;
	const struct ixg_ctr_ports *info = ixg_ctr_ports_of(
		st->counters, st->counters_size, st->n_counter_blocks);

	for (uint32_t i = 0; i < spec->n_ports; i++) {
		unsigned p = spec->ports[i].id;
		struct sflow_if_counters c;
		uint64_t drops = 0;

		if (p >= IXG_MAX_PORTS)
			continue;
		memset(&c, 0, sizeof(c));
		c.seq = ++s->ctr_seq[p];
		c.if_index = p + 1;
		c.if_type = 6; /* ethernetCsmacd */
		if (info != NULL)
			c.if_speed = (uint64_t)info->port[p].speed_mbps *
				     1000000;
		c.if_direction = 1;
		c.if_status = 3; /* admin and oper up: the port is open */
		for (unsigned b = 0; b < st->n_counter_blocks; b++) {
			const struct ixg_ctr_port *cp =
				&st->counters[b].port[p];

			c.in_octets += cp->rx.bytes;
			c.in_ucast += (uint32_t)cp->rx.packets;
			c.out_octets += cp->tx.bytes;
			c.out_ucast += (uint32_t)cp->tx.packets;
			for (unsigned r = 0; r < IXG_DROP_MAX; r++)
				drops += cp->drops[r];
		}
		c.in_discards = (uint32_t)drops;
		/* Not counted by ixgate: "unknown" is the maximum value. */
		c.in_mcast = c.in_bcast = c.out_mcast = c.out_bcast =
			UINT32_MAX;
		c.in_errors = c.in_unknown_protos = UINT32_MAX;
		c.out_discards = c.out_errors = UINT32_MAX;
		c.promiscuous = 0;
		add_counters(s, &c);
		s->stats.counter_samples++;
	}
}

/* ---- the channel ----------------------------------------------------- */

static void
release(struct sflow *s)
{
	if (s->cursors != NULL)
		munmap(s->cursors, s->cursors_size);
	s->cursors = NULL;
	s->cursors_size = 0;
	s->epoch = 0;
	memset(&s->view, 0, sizeof(s->view));
}

static void
on_samples(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct sflow *s = arg;
	const struct ctl_state *st = &s->D->st;
	struct ixg_msg_samples r;
	struct stat sb;
	void *p;
	int rc;

	s->asked = false;
	/* Until it works: once in a while, not every tick. */
	s->ask_after_ms = loop_now_ms() + 5000;
	if (err != 0 || len != sizeof(r)) {
		if (fd >= 0)
			close(fd);
		if (err != -ECONNRESET && err != -ECONNABORTED &&
		    err != -ECANCELED)
			ctld_log(s->D, "sflow: GET_SAMPLES failed: %s",
				 strerror(err ? -err : EPROTO));
		return;
	}
	memcpy(&r, reply, sizeof(r));
	release(s);
	if (r.status != IXG_ST_OK || fd < 0) {
		ctld_log(s->D, "sflow: the dataplane has no sample channel: %s",
			 ixg_status_name(r.status));
		goto out;
	}
	rc = ixg_samples_view(st->counters, st->counters_size,
			      st->n_counter_blocks, &s->view);
	if (rc < 0 || r.n_rings != s->view.n_rings || fstat(fd, &sb) < 0 ||
	    (uint64_t)sb.st_size < r.cursors_size ||
	    r.cursors_size < (uint64_t)r.n_rings * sizeof(*s->cursors)) {
		ctld_log(s->D,
			 "sflow: the sample channel does not check out "
			 "(%s)",
			 rc < 0 ? strerror(-rc) : "sizes");
		memset(&s->view, 0, sizeof(s->view));
		goto out;
	}
	p = mmap(NULL, r.cursors_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	if (p == MAP_FAILED) {
		ctld_log(s->D, "sflow: cannot map the sample cursors: %s",
			 strerror(errno));
		memset(&s->view, 0, sizeof(s->view));
		goto out;
	}
	s->cursors = p;
	s->cursors_size = r.cursors_size;
	s->epoch = r.consumer;
	s->dp_epoch = st->dp_epoch;
	for (unsigned w = 0; w < s->view.n_rings; w++)
		(void)ixg_samples_resume(ixg_samples_ring(&s->view, w),
					 &s->cursors[w]);
	ctld_log(s->D, "sflow: consuming the samples of %u workers",
		 s->view.n_rings);
out:
	if (fd >= 0)
		close(fd); /* the mapping keeps the file */
}

static void
ask(struct sflow *s)
{
	struct ixg_msg_get_samples m;

	if (s->asked || s->epoch != 0 || !dp_client_ready(s->D->dp) ||
	    s->D->st.counters == NULL || loop_now_ms() < s->ask_after_ms)
		return;
	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_GET_SAMPLES, sizeof(m), 0);
	if (dp_client_request(s->D->dp, &m, sizeof(m), -1, IXG_MSG_SAMPLES,
			      GET_SAMPLES_TIMEOUT_MS, on_samples, s) == 0)
		s->asked = true;
}

/* ---- the loop -------------------------------------------------------- */

static void
on_tick(struct loop *L, struct loop_timer *t, void *arg)
{
	struct sflow *s = arg;
	const struct ctl_state *st = &s->D->st;
	uint64_t now = loop_now_ms();

	(void)L;
	(void)t;
	if (s->epoch != 0 &&
	    (st->counters == NULL || st->dp_epoch != s->dp_epoch ||
	     ixg_samples_consumer(&s->view) != s->epoch))
		release(s); /* another connection or consumer */
	if (s->epoch == 0)
		ask(s);
	if (s->epoch != 0)
		drain(s, SFLOW_TICK_BUDGET);
	if (s->conf.n_collectors > 0 && st->counters != NULL &&
	    st->running.valid && now >= s->next_counters_ms) {
		s->next_counters_ms = now +
				      s->conf.counter_interval_s * 1000ull;
		counters_of(s);
	}
	send_dgram(s);
}

/* The agent address: the configured one, else the first IPv4 (then IPv6)
 * address of the node's ports, else 0.0.0.0. */
static void
pick_agent(struct sflow *s, const struct ixg_spec *spec)
{
	memset(&s->agent, 0, sizeof(s->agent));
	s->agent.family = 4;
	if (s->conf.agent_family != 0) {
		s->agent.family = s->conf.agent_family;
		memcpy(s->agent.addr, s->conf.agent, 16);
		return;
	}
	for (int fam = 4; spec != NULL && fam <= 6; fam += 2)
		for (uint32_t i = 0; i < spec->n_local_addrs; i++)
			if (spec->local_addrs[i].family == fam) {
				s->agent.family = (uint8_t)fam;
				memcpy(s->agent.addr, spec->local_addrs[i].addr,
				       16);
				return;
			}
}

static int
udp_socket(int family)
{
	return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

void
sflow_configure(struct ctld *D)
{
	struct sflow *s = D->sflow;
	const struct ctl_state *st = &D->st;
	bool want4 = false, want6 = false;

	if (s == NULL || !st->running.valid)
		return;
	send_dgram(s); /* under the old settings */
	ixg_conf_sflow(st->running.conf, &s->conf);
	pick_agent(s, &st->running.spec);
	for (unsigned i = 0; i < s->conf.n_collectors; i++) {
		memset(&s->to[i], 0, sizeof(s->to[i]));
		if (s->conf.collectors[i].family == 6) {
			struct sockaddr_in6 *a = (void *)&s->to[i];

			a->sin6_family = AF_INET6;
			a->sin6_port = htons(s->conf.collectors[i].port);
			memcpy(&a->sin6_addr, s->conf.collectors[i].addr, 16);
			s->to_len[i] = sizeof(*a);
			want6 = true;
		} else {
			struct sockaddr_in *a = (void *)&s->to[i];

			a->sin_family = AF_INET;
			a->sin_port = htons(s->conf.collectors[i].port);
			memcpy(&a->sin_addr, s->conf.collectors[i].addr, 4);
			s->to_len[i] = sizeof(*a);
			want4 = true;
		}
	}
	if (want4 && s->fd4 < 0 && (s->fd4 = udp_socket(AF_INET)) < 0)
		ctld_log(D, "sflow: IPv4 socket: %s", strerror(errno));
	if (want6 && s->fd6 < 0 && (s->fd6 = udp_socket(AF_INET6)) < 0)
		ctld_log(D, "sflow: IPv6 socket: %s", strerror(errno));
	if (!want4 && s->fd4 >= 0) {
		close(s->fd4);
		s->fd4 = -1;
	}
	if (!want6 && s->fd6 >= 0) {
		close(s->fd6);
		s->fd6 = -1;
	}
	sflow_dgram_begin(&s->dg, &s->agent, s->conf.sub_agent_id, 0, 0);
	s->next_counters_ms = 0; /* a counter sample of every port now */
	if (s->conf.n_collectors > 0)
		ctld_log(D,
			 "sflow: %u collector(s), counters every %u s, "
			 "sub-agent %u",
			 s->conf.n_collectors, s->conf.counter_interval_s,
			 s->conf.sub_agent_id);
}

int
sflow_start(struct ctld *D)
{
	struct sflow *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->D = D;
	s->fd4 = s->fd6 = -1;
	s->start_ms = loop_now_ms();
	s->conf.counter_interval_s = IXG_SFLOW_INTERVAL_S;
	s->agent.family = 4;
	sflow_dgram_begin(&s->dg, &s->agent, 0, 0, 0);
	s->timer = loop_timer_add(D->loop, SFLOW_POLL_MS, SFLOW_POLL_MS,
				  on_tick, s);
	if (s->timer == NULL) {
		free(s);
		return -ENOMEM;
	}
	D->sflow = s;
	return 0;
}

void
sflow_stop(struct ctld *D)
{
	struct sflow *s = D->sflow;

	if (s == NULL)
		return;
	send_dgram(s);
	loop_timer_del(D->loop, s->timer);
	release(s);
	if (s->fd4 >= 0)
		close(s->fd4);
	if (s->fd6 >= 0)
		close(s->fd6);
	free(s);
	D->sflow = NULL;
}

void
sflow_dp_up(struct ctld *D)
{
	if (D->sflow != NULL) {
		D->sflow->ask_after_ms = 0;
		ask(D->sflow);
	}
}

void
sflow_dp_down(struct ctld *D)
{
	if (D->sflow != NULL) {
		send_dgram(D->sflow);
		release(D->sflow);
	}
}

void
sflow_get_stats(const struct ctld *D, struct sflow_stats *out)
{
	if (D->sflow == NULL)
		memset(out, 0, sizeof(*out));
	else {
		*out = D->sflow->stats;
		out->collectors = D->sflow->conf.n_collectors;
	}
}
