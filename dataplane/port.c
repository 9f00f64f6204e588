/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.c - opening the configured ports: one mempool per NUMA socket sized
 * from the config, RX queues spread over the workers with RSS, one TX queue
 * per worker (so TX never needs a lock), MTU and MAC from the config,
 * promiscuous mode (the parse stage drops foreign unicast itself, counted as
 * dmac_mismatch, which a NIC filter would hide).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "pcapfile.h"
#include "pipeline.h"
#include "port.h"
#include "punt_linux.h"

#define DEFAULT_DESC 1024
#define DEFAULT_MTU 1500
#define POOL_CACHE 256
/* ICMP errors and other generated frames in flight per worker. */
#define POOL_SPARE_PER_WORKER 64
/* Room for two VLAN tags and the FCS beyond the Ethernet header. */
#define L2_OVERHEAD (RTE_ETHER_HDR_LEN + 2 * 4 + RTE_ETHER_CRC_LEN)

bool
port_devargs_is_vdev(const char *devargs)
{
	return strncmp(devargs, "net_", 4) == 0;
}

/* The ethdev name of a devargs string: everything before the first ','. */
static int
port_find(const char *devargs, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	char alt[RTE_ETH_NAME_MAX_LEN + 8];
	size_t n = strcspn(devargs, ",");

	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	/* "01:00.0" is probed as "0000:01:00.0". */
	snprintf(alt, sizeof(alt), "0000:%s", name);
	if (rte_eth_dev_get_port_by_name(alt, port_id) == 0)
		return 0;
	return -ENODEV;
}

/*
 * net_pcap with infinite_rx=1 copies its whole rx_pcap into mbufs of the
 * queue's pool at setup and replays them from memory: those mbufs are held
 * for the life of the port, on top of the rings. Count the records.
 */
static uint64_t
port_pcap_held_mbufs(const char *devargs)
{
	char path[IXG_DEVARGS_LEN], err[256];
	const char *a;
	struct pcap_reader *r;
	struct pcap_rec rec;
	uint64_t n = 0;
	size_t len;

	if (strncmp(devargs, "net_pcap", 8) != 0 ||
	    strstr(devargs, "infinite_rx=1") == NULL)
		return 0;
	a = strstr(devargs, "rx_pcap=");
	if (a == NULL)
		return 0;
	a += strlen("rx_pcap=");
	len = strcspn(a, ",");
	if (len >= sizeof(path))
		return 0;
	memcpy(path, a, len);
	path[len] = '\0';
	r = pcap_open_read(path, err, sizeof(err));
	if (r == NULL)
		return 0; /* the PMD reports the bad file itself */
	while (pcap_read(r, &rec, err, sizeof(err)) == 1)
		n++;
	pcap_close_read(r);
	return n;
}

static uint32_t
round_pow2_minus1(uint64_t n)
{
	uint64_t p = 1;

	while (p - 1 < n)
		p <<= 1;
	return (uint32_t)(p - 1);
}

static int
port_configure(struct runtime *rt, struct ixg_spec_port *sp, struct rt_port *p,
	       const struct rte_eth_dev_info *info)
{
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	uint16_t nb_rxd = sp->rx_desc ? sp->rx_desc : DEFAULT_DESC;
	uint16_t nb_txd = sp->tx_desc ? sp->tx_desc : DEFAULT_DESC;
	uint16_t mtu = sp->mtu ? sp->mtu : DEFAULT_MTU;
	struct rte_mempool *pool = rt->pools[p->socket];
	uint16_t q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	if (p->n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP |
						    RTE_ETH_RSS_TCP |
						    RTE_ETH_RSS_UDP) &
						   info->flow_type_rss_offloads;
		if (conf.rx_adv_conf.rss_conf.rss_hf == 0)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	if (mtu >= info->min_mtu && mtu <= info->max_mtu)
		conf.rxmode.mtu = mtu;
	rc = rte_eth_dev_configure(p->dpdk_port, p->n_rxq, p->n_txq, &conf);
	if (rc < 0) {
		fprintf(stderr, "port %s: configure (%u rxq, %u txq): %s\n",
			p->name, p->n_rxq, p->n_txq, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->dpdk_port, &nb_rxd, &nb_txd);
	if (rc < 0) {
		fprintf(stderr, "port %s: descriptors: %s\n", p->name,
			rte_strerror(-rc));
		return rc;
	}
	for (q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->dpdk_port, q, nb_rxd,
					    (unsigned)p->socket, NULL, pool);
		if (rc < 0) {
			fprintf(stderr, "port %s: rx queue %u: %s\n", p->name,
				q, rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->dpdk_port, q, nb_txd,
					    (unsigned)p->socket, NULL);
		if (rc < 0) {
			fprintf(stderr, "port %s: tx queue %u: %s\n", p->name,
				q, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_set_mtu(p->dpdk_port, mtu);
	if (rc < 0 && rc != -ENOTSUP)
		fprintf(stderr, "port %s: warning: MTU %u: %s\n", p->name, mtu,
			rte_strerror(-rc));

	if (rte_is_zero_ether_addr((const struct rte_ether_addr *)sp->mac)) {
		rc = rte_eth_macaddr_get(p->dpdk_port, &mac);
		if (rc < 0) {
			fprintf(stderr, "port %s: reading MAC: %s\n", p->name,
				rte_strerror(-rc));
			return rc;
		}
		memcpy(sp->mac, mac.addr_bytes, 6);
	} else {
		memcpy(mac.addr_bytes, sp->mac, 6);
		rc = rte_eth_dev_default_mac_addr_set(p->dpdk_port, &mac);
		if (rc < 0)
			/* Promiscuous mode still lets the frames in. */
			fprintf(stderr,
				"port %s: warning: device keeps its MAC: %s\n",
				p->name, rte_strerror(-rc));
	}

	rc = rte_eth_promiscuous_enable(p->dpdk_port);
	if (rc < 0 && rc != -ENOTSUP)
		fprintf(stderr, "port %s: warning: promiscuous: %s\n", p->name,
			rte_strerror(-rc));
	rc = rte_eth_dev_start(p->dpdk_port);
	if (rc < 0) {
		fprintf(stderr, "port %s: start: %s\n", p->name,
			rte_strerror(-rc));
		return rc;
	}
	p->active = true;
	fprintf(stderr,
		"port %s: dpdk port %u (%s), %u rx / %u tx queues, "
		"%u/%u descriptors, mtu %u, mac " RTE_ETHER_ADDR_PRT_FMT "\n",
		p->name, p->dpdk_port, info->driver_name, p->n_rxq, p->n_txq,
		nb_rxd, nb_txd, mtu, RTE_ETHER_ADDR_BYTES(&mac));
	return 0;
}

/*
 * Mbufs a socket's pool must hold so that no queue ever starves: every RX and
 * TX ring full, a burst in each worker's hands plus one TX buffer per port,
 * every lcore cache full, generated frames, and the exception path's rings
 * full (punted frames held for Linux, frames from Linux to send).
 */
static int
pools_create(struct runtime *rt)
{
	uint64_t need[RTE_MAX_NUMA_NODES] = {0};
	uint16_t max_mtu[RTE_MAX_NUMA_NODES] = {0};
	unsigned n_ports = 0, s, i;

	for (i = 0; i < IXG_MAX_PORTS; i++)
		if (rt->ports[i].n_txq)
			n_ports++;
	for (i = 0; i < rt->spec->n_ports; i++) {
		const struct ixg_spec_port *sp = &rt->spec->ports[i];
		const struct rt_port *p = &rt->ports[sp->id];
		uint16_t mtu = sp->mtu ? sp->mtu : DEFAULT_MTU;

		need[p->socket] += (uint64_t)(sp->rx_desc ? sp->rx_desc
							  : DEFAULT_DESC) *
					   p->n_rxq +
				   (uint64_t)(sp->tx_desc ? sp->tx_desc
							  : DEFAULT_DESC) *
					   p->n_txq +
				   port_pcap_held_mbufs(sp->devargs) * p->n_rxq;
		if (mtu > max_mtu[p->socket])
			max_mtu[p->socket] = mtu;
	}
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		uint64_t n;
		uint32_t size;
		uint16_t room;

		if (need[s] == 0)
			continue;
		n = need[s] +
		    (uint64_t)rt->n_workers * PIPELINE_BURST * (1 + n_ports) +
		    (uint64_t)rt->n_workers * POOL_SPARE_PER_WORKER +
		    /* the exception path's rings (punt_linux.h) */
		    (uint64_t)rt->n_workers * PUNT_RING_SIZE +
		    PUNT_INJECT_RING_SIZE +
		    (uint64_t)rte_lcore_count() * POOL_CACHE;
		size = round_pow2_minus1(n);
		room = RTE_MBUF_DEFAULT_BUF_SIZE;
		if ((unsigned)max_mtu[s] + L2_OVERHEAD + RTE_PKTMBUF_HEADROOM >
		    room)
			room = (uint16_t)(max_mtu[s] + L2_OVERHEAD +
					  RTE_PKTMBUF_HEADROOM);
		snprintf(name, sizeof(name), "ixg_mbuf_s%u", s);
		rt->pools[s] = rte_pktmbuf_pool_create(name, size, POOL_CACHE,
						       0, room, (int)s);
		if (rt->pools[s] == NULL) {
			fprintf(stderr,
				"mempool for socket %u (%u mbufs of %u bytes): "
				"%s\n",
				s, size, room, rte_strerror(rte_errno));
			return -rte_errno;
		}
		fprintf(stderr,
			"mempool socket %u: %u mbufs of %u bytes (%.1f MiB)\n",
			s, size, room,
			(double)size * (room + sizeof(struct rte_mbuf)) /
				(1 << 20));
	}
	return 0;
}

int
ports_open(struct runtime *rt)
{
	struct rte_eth_dev_info info[IXG_MAX_PORTS];
	unsigned i;
	int rc;

	for (i = 0; i < rt->spec->n_ports; i++) {
		const struct ixg_spec_port *sp = &rt->spec->ports[i];
		struct rt_port *p;
		int sock;

		if (sp->id >= IXG_MAX_PORTS)
			return -EINVAL;
		p = &rt->ports[sp->id];
		memset(p, 0, sizeof(*p));
		p->spec_id = sp->id;
		snprintf(p->name, sizeof(p->name), "%s", sp->name);
		rc = port_find(sp->devargs, &p->dpdk_port);
		if (rc < 0) {
			fprintf(stderr,
				"port %s: no DPDK device '%s' (is it bound to "
				"a DPDK driver, or mistyped?)\n",
				sp->name, sp->devargs);
			return rc;
		}
		rc = rte_eth_dev_info_get(p->dpdk_port, &info[sp->id]);
		if (rc < 0) {
			fprintf(stderr, "port %s: device info: %s\n", sp->name,
				rte_strerror(-rc));
			return rc;
		}
		p->n_rxq = (uint16_t)RTE_MIN(rt->n_workers,
					     info[sp->id].max_rx_queues);
		p->n_txq = (uint16_t)rt->n_workers;
		if (p->n_rxq == 0 || info[sp->id].max_tx_queues < p->n_txq) {
			fprintf(stderr,
				"port %s: device offers %u rx / %u tx queues, "
				"need 1 rx and one tx per worker (%u)\n",
				sp->name, info[sp->id].max_rx_queues,
				info[sp->id].max_tx_queues, rt->n_workers);
			return -ENOTSUP;
		}
		sock = rte_eth_dev_socket_id(p->dpdk_port);
		p->socket = (sock < 0 || sock >= RTE_MAX_NUMA_NODES) ? 0 : sock;
	}
	rc = pools_create(rt);
	if (rc < 0)
		return rc;
	for (i = 0; i < rt->spec->n_ports; i++) {
		struct ixg_spec_port *sp = &rt->spec->ports[i];

		rc = port_configure(rt, sp, &rt->ports[sp->id], &info[sp->id]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
ports_close(struct runtime *rt)
{
	unsigned i;

	for (i = 0; i < IXG_MAX_PORTS; i++) {
		struct rt_port *p = &rt->ports[i];

		if (!p->active)
			continue;
		rte_eth_dev_stop(p->dpdk_port);
		rte_eth_dev_close(p->dpdk_port);
		p->active = false;
	}
	for (i = 0; i < RTE_MAX_NUMA_NODES; i++) {
		rte_mempool_free(rt->pools[i]);
		rt->pools[i] = NULL;
	}
}
