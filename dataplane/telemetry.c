/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry.c - /ixgate/ commands for dpdk-telemetry.py, and pdump for
 * dpdk-dumpcap. Answers are computed on DPDK's telemetry thread from the
 * counters region (summed like any reader does); the workers pay nothing.
 *
 *   /ixgate/info       node, generation, workers, ports, uptime
 *   /ixgate/counters   totals and drops by reason
 *   /ixgate/peers      per peer rx/tx packets and bytes, drops
 *                      (param: a peer name for that peer only)
 *   /ixgate/drops      drops by reason, every reason
 *   /ixgate/ports      per port: our counters and the device's
 *                      ipackets/opackets/imissed/oerrors
 *
 * A telemetry dict holds at most RTE_TEL_MAX_DICT_ENTRIES entries: /ixgate/
 * peers lists the first ones by id beyond that; ask for a name for the rest.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>
#include <rte_version.h>
#ifdef IXG_HAVE_PDUMP
#include <rte_pdump.h>
#endif

#include "stats.h"
#include "telemetry.h"

/* 23.03 renamed the u64 adder to _uint and later releases drop the old
 * name; there is no macro to probe a function by, so the version decides. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define tel_add_u64 rte_tel_data_add_dict_uint
#else
#define tel_add_u64 rte_tel_data_add_dict_u64
#endif

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime *tel_rt; /* NULL once stopping */
static int pdump_on;

/* Sum every block into a fresh total. Caller holds tel_lock. */
static struct ixg_lcore_counters *
tel_sum(const struct runtime *rt)
{
	struct ixg_lcore_counters *blocks[IXG_MAX_WORKERS + 1];
	struct ixg_lcore_counters *total;

	total = calloc(1, sizeof(*total));
	if (total == NULL)
		return NULL;
	runtime_counter_blocks(rt, blocks);
	stats_sum(blocks, rt->n_blocks, total);
	return total;
}

static void
tel_add_drops(struct rte_tel_data *d, const struct ixg_lcore_counters *c)
{
	unsigned r;

	for (r = 0; r < IXG_DROP_MAX; r++)
		tel_add_u64(d, ixg_drop_name(r), c->drops[r]);
}

static int
tel_info(struct runtime *rt, const char *params, struct rte_tel_data *d)
{
	unsigned i, n_ports = 0;

	(void)params;
	for (i = 0; i < IXG_MAX_PORTS; i++)
		n_ports += rt->ports[i].active;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&rt->spec_lock);
	rte_tel_data_add_dict_string(d, "node", rt->spec->node.name);
	pthread_mutex_unlock(&rt->spec_lock);
	rte_tel_data_add_dict_string(d, "version", "ixgate 0.1.0");
	tel_add_u64(d, "generation", runtime_generation(rt));
	/* rte_tel_data has no boolean in 22.11: "true" / "false". */
	rte_tel_data_add_dict_string(d, "headless",
				     runtime_headless(rt) ? "true" : "false");
	tel_add_u64(d, "workers", rt->n_workers);
	tel_add_u64(d, "ports", n_ports);
	tel_add_u64(d, "uptime_s",
		    (uint64_t)(time(NULL) - (time_t)rt->start_unix));
	return 0;
}

static int
tel_counters(struct runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct ixg_lcore_counters *c = tel_sum(rt);
	struct rte_tel_data *drops;

	(void)params;
	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	tel_add_u64(d, "rx_packets", c->rx_packets);
	tel_add_u64(d, "tx_packets", c->tx_packets);
	tel_add_u64(d, "local_packets", c->local_packets);
	tel_add_u64(d, "drops_total", stats_drops_total(c));
	tel_add_u64(d, "icmp_generated", c->icmp_generated);
	tel_add_u64(d, "sampled", c->sampled);
	drops = rte_tel_data_alloc();
	if (drops != NULL) {
		rte_tel_data_start_dict(drops);
		tel_add_drops(drops, c);
		rte_tel_data_add_dict_container(d, "drops", drops, 0);
	}
	free(c);
	return 0;
}

static int
tel_drops(struct runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct ixg_lcore_counters *c = tel_sum(rt);

	(void)params;
	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	tel_add_drops(d, c);
	free(c);
	return 0;
}

static int
tel_peers(struct runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct ixg_lcore_counters *c = tel_sum(rt);
	unsigned i, n = 0;
	int found = 0;

	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&rt->spec_lock);
	for (i = 0; i < rt->spec->n_peers && n < RTE_TEL_MAX_DICT_ENTRIES;
	     i++) {
		const struct ixg_spec_peer *sp = &rt->spec->peers[i];
		const struct ixg_ctr_peer *pc;
		struct rte_tel_data *e;

		if (params != NULL && params[0] != '\0' &&
		    strcmp(params, sp->name) != 0)
			continue;
		if (sp->id >= IXG_MAX_PEERS)
			continue;
		pc = &c->peer[sp->id];
		e = rte_tel_data_alloc();
		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		tel_add_u64(e, "id", sp->id);
		tel_add_u64(e, "asn", sp->asn);
		tel_add_u64(e, "rx_packets", pc->rx.packets);
		tel_add_u64(e, "rx_bytes", pc->rx.bytes);
		tel_add_u64(e, "tx_packets", pc->tx.packets);
		tel_add_u64(e, "tx_bytes", pc->tx.bytes);
		tel_add_u64(e, "drops", pc->drops);
		rte_tel_data_add_dict_container(d, sp->name, e, 0);
		n++;
		found = 1;
	}
	pthread_mutex_unlock(&rt->spec_lock);
	free(c);
	if (params != NULL && params[0] != '\0' && !found)
		return -ENOENT;
	return 0;
}

static int
tel_ports(struct runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct ixg_lcore_counters *c = tel_sum(rt);
	unsigned i, r;

	(void)params;
	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	for (i = 0; i < IXG_MAX_PORTS; i++) {
		const struct rt_port *p = &rt->ports[i];
		const struct ixg_ctr_port *pc = &c->port[i];
		struct rte_eth_stats es;
		struct rte_tel_data *e;
		uint64_t drops = 0;

		if (!p->active)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			break;
		for (r = 0; r < IXG_DROP_MAX; r++)
			drops += pc->drops[r];
		rte_tel_data_start_dict(e);
		tel_add_u64(e, "dpdk_port", p->dpdk_port);
		tel_add_u64(e, "rx_packets", pc->rx.packets);
		tel_add_u64(e, "rx_bytes", pc->rx.bytes);
		tel_add_u64(e, "tx_packets", pc->tx.packets);
		tel_add_u64(e, "tx_bytes", pc->tx.bytes);
		tel_add_u64(e, "fwd", pc->fwd);
		tel_add_u64(e, "local", pc->local);
		tel_add_u64(e, "drops", drops);
		tel_add_u64(e, "generated", pc->generated);
		if (rte_eth_stats_get(p->dpdk_port, &es) == 0) {
			tel_add_u64(e, "ipackets", es.ipackets);
			tel_add_u64(e, "opackets", es.opackets);
			tel_add_u64(e, "imissed", es.imissed);
			tel_add_u64(e, "oerrors", es.oerrors);
		}
		rte_tel_data_add_dict_container(d, p->name, e, 0);
	}
	free(c);
	return 0;
}

typedef int (*tel_fn)(struct runtime *rt, const char *params,
		      struct rte_tel_data *d);

/* Name of peer `id` from the running spec (caller holds spec_lock). */
static const char *
peer_name(const struct ixg_spec *spec, uint16_t id)
{
	uint32_t i;

	if (id == IXG_PEER_NONE)
		return "-";
	for (i = 0; i < spec->n_peers; i++)
		if (spec->peers[i].id == id)
			return spec->peers[i].name;
	return "?";
}

static const char *
country_code(const struct ixg_spec *spec, uint16_t idx, char buf[3])
{
	ixg_cc_t cc = idx < spec->n_countries ? spec->countries[idx] : 0;

	if (cc == 0)
		return "--";
	buf[0] = (char)(cc >> 8);
	buf[1] = (char)(cc & 0xff);
	buf[2] = '\0';
	return buf;
}

/* The newest packet samples (1-in-N, `sampling` in the config): what
 * became of each and its first bytes in hex, newest first. */
static int
tel_samples(struct runtime *rt, const char *params, struct rte_tel_data *d)
{
	static const char *const verdicts[] = {"?", "forward", "local", "drop"};
	struct sample_record rec[RT_RECENT_SAMPLES];
	unsigned n, next, i;
	uint64_t total;
	struct rte_tel_data *list;

	(void)params;
	pthread_mutex_lock(&rt->samples_lock);
	n = rt->n_recent;
	next = rt->recent_next;
	total = rt->samples_read;
	memcpy(rec, rt->recent, sizeof(rec));
	pthread_mutex_unlock(&rt->samples_lock);

	rte_tel_data_start_dict(d);
	tel_add_u64(d, "sample_rate", rt->spec->node.sample_rate);
	tel_add_u64(d, "samples_read", total);
	list = rte_tel_data_alloc();
	if (list == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(list, RTE_TEL_CONTAINER);
	pthread_mutex_lock(&rt->spec_lock);
	for (i = 0; i < n; i++) {
		const struct sample_record *r =
			&rec[(next + RT_RECENT_SAMPLES - 1 - i) %
			     RT_RECENT_SAMPLES];
		struct rte_tel_data *e = rte_tel_data_alloc();
		char hex[2 * 48 + 1], a[3], b[3], cc[8];
		unsigned k, hl = r->hdr_len < 48 ? r->hdr_len : 48;

		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(
			e, "verdict",
			verdicts[r->verdict < 4 ? r->verdict : 0]);
		if (r->verdict == SAMPLE_DROP)
			rte_tel_data_add_dict_string(
				e, "drop",
				ixg_drop_name(r->drop_reason)
					? ixg_drop_name(r->drop_reason)
					: "?");
		rte_tel_data_add_dict_string(e, "in_peer",
					     peer_name(rt->spec, r->in_peer));
		rte_tel_data_add_dict_string(e, "out_peer",
					     peer_name(rt->spec, r->out_peer));
		snprintf(cc, sizeof(cc), "%s>%s",
			 country_code(rt->spec, r->src_country, a),
			 country_code(rt->spec, r->dst_country, b));
		rte_tel_data_add_dict_string(e, "countries", cc);
		tel_add_u64(e, "rx_len", r->rx_len);
		tel_add_u64(e, "unix_s", (uint64_t)r->unix_s);
		for (k = 0; k < hl; k++)
			snprintf(hex + 2 * k, 3, "%02x", r->hdr[k]);
		hex[2 * hl] = '\0';
		rte_tel_data_add_dict_string(e, "header", hex);
		rte_tel_data_add_array_container(list, e, 0);
	}
	pthread_mutex_unlock(&rt->spec_lock);
	rte_tel_data_add_dict_container(d, "recent", list, 0);
	return 0;
}

static const struct {
	const char *cmd;
	tel_fn fn;
	const char *help;
} tel_cmds[] = {
	{"/ixgate/info", tel_info,
	 "Node name, tables generation, workers, ports, uptime. No "
	 "parameters."},
	{"/ixgate/counters", tel_counters,
	 "Total rx/tx/local packets and drops by reason. No parameters."},
	{"/ixgate/peers", tel_peers,
	 "Per peer rx/tx packets and bytes, drops. Parameter: peer name "
	 "(optional)."},
	{"/ixgate/drops", tel_drops, "Drops by reason. No parameters."},
	{"/ixgate/samples", tel_samples,
	 "The newest 1-in-N packet samples: verdict, peers, countries, first "
	 "48 bytes in hex. No parameters."},
	{"/ixgate/ports", tel_ports,
	 "Per port: ixgate counters and device ipackets/opackets/imissed/"
	 "oerrors. No parameters."},
};

/* One entry point: telemetry callbacks carry no user pointer. */
static int
tel_dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned i;
	int rc = -ENOENT;

	pthread_mutex_lock(&tel_lock);
	if (tel_rt == NULL) {
		pthread_mutex_unlock(&tel_lock);
		return -EAGAIN;
	}
	for (i = 0; i < RTE_DIM(tel_cmds); i++)
		if (strcmp(cmd, tel_cmds[i].cmd) == 0) {
			rc = tel_cmds[i].fn(tel_rt, params, d);
			break;
		}
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

int
telemetry_init(struct runtime *rt)
{
	unsigned i;
	int rc;

	pthread_mutex_lock(&tel_lock);
	tel_rt = rt;
	pthread_mutex_unlock(&tel_lock);
	for (i = 0; i < RTE_DIM(tel_cmds); i++) {
		rc = rte_telemetry_register_cmd(tel_cmds[i].cmd, tel_dispatch,
						tel_cmds[i].help);
		/* -EINVAL: already registered by an earlier init. */
		if (rc < 0 && rc != -EINVAL)
			fprintf(stderr, "telemetry: %s: %s\n", tel_cmds[i].cmd,
				strerror(-rc));
	}
#ifdef IXG_HAVE_PDUMP
	if (!rt->in_memory) {
		if (rte_pdump_init() == 0)
			pdump_on = 1;
		else
			fprintf(stderr,
				"warning: pdump not available (%s): "
				"dpdk-dumpcap cannot attach\n",
				rte_strerror(rte_errno));
	}
#endif
	return 0;
}

void
telemetry_fini(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_rt = NULL;
	pthread_mutex_unlock(&tel_lock);
#ifdef IXG_HAVE_PDUMP
	if (pdump_on)
		rte_pdump_uninit();
	pdump_on = 0;
#endif
}
