/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * punt_linux.c - the Linux half of the exception path (punt.h,
 * doc/exception-path.md).
 *
 * One kernel TAP per (port, VLAN) with node addresses, opened on
 * /dev/net/tun by this process (so the kernel deletes it when the process
 * ends), carrying the port's MAC and MTU and the node's addresses there.
 * A TAP rather than a DPDK ethdev (net_tap, virtio-user): an interface is
 * a file descriptor, added and removed at any commit without touching
 * EAL, the ports' queues or the workers' TX tables; the exception path is
 * rate-limited to thousands of frames per second, where a read/write per
 * frame is not the cost that matters (doc/exception-path.md measures it).
 *
 * Threads:
 *  - workers queue punted frames into their own ring (single producer);
 *    worker 0 also drains the inject ring (single consumer) to its TX
 *    queue of each port;
 *  - the punt thread (a plain pthread on the main lcore, never a worker
 *    core) drains the workers' rings into the TAPs and reads the TAPs
 *    into the inject ring, polling the TAPs 1 ms at a time when idle; it
 *    writes counter block rt->n_workers (the control threads' block);
 *  - the main thread creates, addresses and closes the TAPs (punt_sync)
 *    under `lock`, which the punt thread holds while it touches them.
 *
 * The punt thread is also the neighbour table's poller (neigh.h): each
 * turn it drains the workers' observation rings and runs the neighbour
 * timers, and the ARP requests and Neighbor Solicitations they ask for
 * leave like Linux's frames, through the inject ring (this thread is its
 * only producer) and worker 0's TX queue: no worker ever waits for them.
 * They are counted punt_injected and the port's injected, and per
 * neighbour (doc/neighbours.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "mono.h"
#include "neigh.h"
#include "punt_linux.h"
#include "runtime.h"
#include "worker.h"

#define PUNT_MAX_IFS 256 /* distinct (port, VLAN) of IXG_MAX_LOCAL_ADDRS */
#define PUNT_MAX_IF_ADDRS 32
#define PUNT_BURST 32
#define PUNT_POLL_MS 1
#define PUNT_IDLE_MS 10 /* no interface: nothing to read, little to punt */
#define PUNT_IFNAME_PREFIX "ixg-"
#define ETH_ADDRS_LEN 12 /* destination and source MAC */
#define VLAN_TAG_LEN 4
#define FRAME_MAX (9600 + 14 + 2 * VLAN_TAG_LEN)

struct punt_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16];
};

struct punt_if {
	uint16_t port, vlan;
	int fd;
	unsigned ifindex;
	bool wanted; /* scratch for punt_sync */
	char name[IFNAMSIZ];
	unsigned n_addrs;
	struct punt_addr addrs[PUNT_MAX_IF_ADDRS];
};

struct punt {
	struct runtime *rt;
	pthread_t thread;
	bool started;
	int stop;
	pthread_mutex_t lock;
	unsigned n_ifs;
	struct punt_if ifs[PUNT_MAX_IFS];
	struct rte_ring *to_linux[IXG_MAX_WORKERS];
	struct rte_ring *from_linux;
	struct ixg_lcore_counters *ctr;
	struct mnl_socket *nl;
	unsigned nl_seq;
	int ioctl_fd;
	uint8_t frame[FRAME_MAX]; /* punt thread only */
};

/* ------------------------------------------------------------------ */
/* Worker side.                                                       */

/* See punt_linux.h. */
void
punt_worker_queue(struct rte_ring *ring, struct pipeline_ctx *ctx,
		  struct burst_out *out)
{
	unsigned n = 0, i;

	if (ring != NULL)
		n = rte_ring_sp_enqueue_burst(ring, (void **)out->punt,
					      out->n_punt, NULL);
	for (i = n; i < out->n_punt; i++)
		pipeline_punt_failed(ctx, out->punt[i]);
	out->n_punt = 0;
}

/* See punt_linux.h. */
void
punt_worker_inject(struct rte_ring *ring, struct pipeline_ctx *ctx,
		   const uint16_t *dpdk_of, const void *const *has_port,
		   uint16_t txq)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	struct ixg_lcore_counters *c = ctx->ctr;
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst(ring, (void **)pkts, PUNT_BURST, NULL);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t p = m->port;

		if (p >= IXG_MAX_PORTS || has_port[p] == NULL ||
		    rte_eth_tx_burst(dpdk_of[p], txq, &m, 1) == 0) {
			rte_pktmbuf_free(m);
			c->punt_inject_dropped++;
			continue;
		}
		c->punt_injected++;
		c->port[p].injected++;
	}
}

/* ------------------------------------------------------------------ */
/* The punt thread.                                                   */

static struct punt_if *
if_find(struct punt *p, uint16_t port, uint16_t vlan)
{
	unsigned i;

	for (i = 0; i < p->n_ifs; i++)
		if (p->ifs[i].port == port && p->ifs[i].vlan == vlan)
			return &p->ifs[i];
	return NULL;
}

/* The frame as Linux sees it on the (port, VLAN) interface: its tags
 * removed. Returns its length, 0 if it cannot be read whole. */
static uint32_t
frame_untag(struct punt *p, const struct rte_mbuf *m)
{
	uint32_t l2 = m->l2_len, rest;
	const void *d;

	if (l2 < 14 || m->pkt_len <= l2 ||
	    m->pkt_len - l2 + 14 > sizeof(p->frame))
		return 0;
	d = rte_pktmbuf_read(m, 0, ETH_ADDRS_LEN, p->frame);
	if (d == NULL)
		return 0;
	if (d != p->frame)
		memcpy(p->frame, d, ETH_ADDRS_LEN);
	rest = m->pkt_len - (l2 - 2); /* ethertype onwards */
	d = rte_pktmbuf_read(m, l2 - 2, rest, p->frame + ETH_ADDRS_LEN);
	if (d == NULL)
		return 0;
	if (d != p->frame + ETH_ADDRS_LEN)
		memcpy(p->frame + ETH_ADDRS_LEN, d, rest);
	return ETH_ADDRS_LEN + rest;
}

/* Drain every worker's ring into the interfaces. Lock held. Returns the
 * number of frames taken. */
static unsigned
punt_to_linux(struct punt *p)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	unsigned w, i, n, total = 0;

	for (w = 0; w < p->rt->n_workers; w++) {
		n = rte_ring_sc_dequeue_burst(p->to_linux[w], (void **)pkts,
					      PUNT_BURST, NULL);
		for (i = 0; i < n; i++) {
			struct punt_if *pi = if_find(p, pkts[i]->port,
						     pkts[i]->vlan_tci);
			uint32_t len = frame_untag(p, pkts[i]);

			if (pi == NULL || len == 0 ||
			    write(pi->fd, p->frame, len) != (ssize_t)len)
				p->ctr->punt_linux_dropped++;
			rte_pktmbuf_free(pkts[i]);
		}
		total += n;
	}
	return total;
}

/* Read what Linux sent on pi (at most a burst) into the inject ring,
 * tagged with pi's VLAN. Lock held. Returns the frames read. */
static unsigned
punt_from_linux(struct punt *p, struct punt_if *pi)
{
	unsigned k;

	/* From the port's own pool: port.c counts the inject ring in it. */
	struct rte_mempool *pool = p->rt->pools[p->rt->ports[pi->port].socket];

	for (k = 0; k < PUNT_BURST; k++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct iovec iov[2];
		uint8_t *d;
		ssize_t n;
		uint16_t room;

		if (m == NULL) {
			/* Read it anyway, so the interface does not fill. */
			if (read(pi->fd, p->frame, sizeof(p->frame)) <= 0)
				break;
			p->ctr->punt_inject_dropped++;
			continue;
		}
		d = rte_pktmbuf_mtod(m, uint8_t *);
		room = rte_pktmbuf_tailroom(m);
		if (pi->vlan != IXG_VLAN_NONE) {
			iov[0].iov_base = d;
			iov[0].iov_len = ETH_ADDRS_LEN;
			iov[1].iov_base = d + ETH_ADDRS_LEN + VLAN_TAG_LEN;
			iov[1].iov_len = room - ETH_ADDRS_LEN - VLAN_TAG_LEN;
			n = readv(pi->fd, iov, 2);
		} else {
			n = read(pi->fd, d, room);
		}
		if (n <= 0) {
			rte_pktmbuf_free(m);
			break;
		}
		if (n < 14) {
			rte_pktmbuf_free(m);
			p->ctr->punt_inject_dropped++;
			continue;
		}
		if (pi->vlan != IXG_VLAN_NONE) {
			/* IEEE 802.1Q: TPID 0x8100, PCP 0, DEI 0, the VID. */
			d[12] = 0x81;
			d[13] = 0x00;
			d[14] = (uint8_t)(pi->vlan >> 8);
			d[15] = (uint8_t)pi->vlan;
			n += VLAN_TAG_LEN;
		}
		rte_pktmbuf_append(m, (uint16_t)n);
		m->port = pi->port;
		if (rte_ring_sp_enqueue(p->from_linux, m) != 0) {
			rte_pktmbuf_free(m);
			p->ctr->punt_inject_dropped++;
		}
	}
	return k;
}

/* neigh_send_fn: a frame of the neighbour table into the inject ring,
 * from the port's pool (as Linux's frames). Punt thread. */
static int
neigh_send(void *arg, uint16_t port, const uint8_t *frame, unsigned len)
{
	struct punt *p = arg;
	struct rte_mbuf *m;
	uint8_t *d;

	if (port >= IXG_MAX_PORTS || !p->rt->ports[port].active)
		return -ENODEV;
	m = rte_pktmbuf_alloc(p->rt->pools[p->rt->ports[port].socket]);
	if (m == NULL)
		return -ENOBUFS;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memcpy(d, frame, len);
	m->port = port;
	if (rte_ring_sp_enqueue(p->from_linux, m) != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static void *
punt_main(void *arg)
{
	struct punt *p = arg;
	struct pollfd pfd[PUNT_MAX_IFS];

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		unsigned i, n, busy;

		neigh_poll(p->rt->neigh, ixg_mono_ns(), neigh_send, p);

		pthread_mutex_lock(&p->lock);
		busy = punt_to_linux(p);
		n = p->n_ifs;
		for (i = 0; i < n; i++) {
			pfd[i].fd = p->ifs[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		pthread_mutex_unlock(&p->lock);
		/* Idle: wait for Linux at most 1 ms (the latency a punted
		 * frame can see), 10 ms without interfaces; busy: just look. */
		if (poll(pfd, n,
			 busy ? 0
			 : n  ? PUNT_POLL_MS
			      : PUNT_IDLE_MS) <= 0)
			continue;
		pthread_mutex_lock(&p->lock);
		for (i = 0; i < n; i++) {
			struct punt_if *pi;

			if (!(pfd[i].revents & POLLIN))
				continue;
			/* The interfaces may have changed meanwhile. */
			pi = i < p->n_ifs && p->ifs[i].fd == pfd[i].fd
				     ? &p->ifs[i]
				     : NULL;
			if (pi != NULL)
				punt_from_linux(p, pi);
		}
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Interfaces (main thread).                                          */

static void
sysctl_set(const char *ifname, const char *key, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname,
		 key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* IPv6 disabled: nothing to set */
	if (write(fd, val, strlen(val)) < 0)
		fprintf(stderr, "exception path: %s: %s: %s\n", ifname, key,
			strerror(errno));
	close(fd);
}

static int
if_ioctl(struct punt *p, unsigned long req, struct ifreq *ifr, const char *what)
{
	if (ioctl(p->ioctl_fd, req, ifr) < 0) {
		fprintf(stderr, "exception path: %s: %s: %s\n", ifr->ifr_name,
			what, strerror(errno));
		return -errno;
	}
	return 0;
}

/* "ixg-NAME[.VLAN]", or "ixg-ID[.VLAN]" when the name does not fit. */
static void
if_name(const struct runtime *rt, uint16_t port, uint16_t vlan,
	char out[IFNAMSIZ])
{
	char vs[8] = "";
	int n;

	if (vlan != IXG_VLAN_NONE)
		snprintf(vs, sizeof(vs), ".%u", vlan);
	n = snprintf(out, IFNAMSIZ, "%s%s%s", PUNT_IFNAME_PREFIX,
		     rt->ports[port].name, vs);
	if (n < 0 || n >= IFNAMSIZ)
		snprintf(out, IFNAMSIZ, "%s%u%s", PUNT_IFNAME_PREFIX, port, vs);
}

/* Open the TAP of (port, vlan) into a new slot of p->ifs. Lock held. */
static struct punt_if *
if_open(struct punt *p, const struct tables *t, uint16_t port, uint16_t vlan)
{
	struct punt_if *pi;
	struct ifreq ifr;
	uint16_t mtu = t->ports[port].mtu ? t->ports[port].mtu : 1500;
	struct rte_mempool *pool = p->rt->pools[p->rt->ports[port].socket];
	uint16_t room = (uint16_t)(rte_pktmbuf_data_room_size(pool) -
				   RTE_PKTMBUF_HEADROOM - 14 - VLAN_TAG_LEN);
	int fd;

	if (p->n_ifs == PUNT_MAX_IFS)
		return NULL;
	pi = &p->ifs[p->n_ifs];
	memset(pi, 0, sizeof(*pi));
	pi->port = port;
	pi->vlan = vlan;
	if_name(p->rt, port, vlan, pi->name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "exception path: /dev/net/tun: %s\n",
			strerror(errno));
		return NULL;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, pi->name, IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "exception path: %s: TUNSETIFF: %s\n", pi->name,
			strerror(errno));
		close(fd);
		return NULL;
	}
	/* The node's addresses are the tables' (the configured ones and the
	 * link-local the build derives, route_table.c), added below: none
	 * generated by the kernel, no duplicate detection (the fast path
	 * answers the solicitations for them), no router advertisements. */
	sysctl_set(pi->name, "addr_gen_mode", "1");
	sysctl_set(pi->name, "accept_dad", "0");
	sysctl_set(pi->name, "accept_ra", "0");
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, pi->name, IFNAMSIZ);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, t->ports[port].mac, 6);
	if (if_ioctl(p, SIOCSIFHWADDR, &ifr, "MAC") < 0)
		goto fail;
	ifr.ifr_mtu = mtu < room ? mtu : room;
	if (if_ioctl(p, SIOCSIFMTU, &ifr, "MTU") < 0)
		goto fail;
	if (if_ioctl(p, SIOCGIFFLAGS, &ifr, "flags") < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (if_ioctl(p, SIOCSIFFLAGS, &ifr, "up") < 0)
		goto fail;
	if (if_ioctl(p, SIOCGIFINDEX, &ifr, "index") < 0)
		goto fail;
	pi->ifindex = (unsigned)ifr.ifr_ifindex;
	pi->fd = fd;
	p->n_ifs++;
	fprintf(stderr,
		"exception path: %s for port %s vlan %u (ifindex %u, mtu %u)\n",
		pi->name, p->rt->ports[port].name, vlan, pi->ifindex,
		(unsigned)ifr.ifr_mtu);
	return pi;
fail:
	close(fd);
	return NULL;
}

/* RTM_NEWADDR or RTM_DELADDR of a on pi, waiting for the kernel's
 * answer. 0 or a negative errno. */
static int
nl_addr(struct punt *p, const struct punt_if *pi, uint16_t type,
	const struct punt_addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	unsigned alen = a->family == 4 ? 4 : 16;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWADDR)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = ++p->nl_seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family == 4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = a->len;
	ifa->ifa_flags = IFA_F_NODAD | IFA_F_PERMANENT;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = pi->ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, alen, a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, a->addr);
	if (mnl_socket_sendto(p->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(p->nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	rc = mnl_cb_run(buf, (size_t)n, p->nl_seq, mnl_socket_get_portid(p->nl),
			NULL, NULL);
	return rc < 0 ? -errno : 0;
}

static void
addr_str(const struct punt_addr *a, char *buf, size_t len)
{
	char s[64];

	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, s, sizeof(s));
	snprintf(buf, len, "%s/%u", s, a->len);
}

static bool
addr_eq(const struct punt_addr *a, const struct tbl_local_addr *la)
{
	return a->family == la->family && a->len == la->len &&
	       memcmp(a->addr, la->addr, a->family == 4 ? 4 : 16) == 0;
}

/* Give pi exactly the node's addresses on its (port, VLAN) in t. */
static void
if_addresses(struct punt *p, struct punt_if *pi, const struct tables *t)
{
	char s[80];
	unsigned i, j;
	int rc;

	/* Remove what is no longer the node's. */
	for (i = 0; i < pi->n_addrs;) {
		bool keep = false;

		for (j = 0; j < t->n_local_addrs && !keep; j++)
			keep = t->local_addrs[j].port_id == pi->port &&
			       t->local_addrs[j].vlan == pi->vlan &&
			       addr_eq(&pi->addrs[i], &t->local_addrs[j]);
		if (keep) {
			i++;
			continue;
		}
		rc = nl_addr(p, pi, RTM_DELADDR, &pi->addrs[i]);
		addr_str(&pi->addrs[i], s, sizeof(s));
		if (rc < 0 && rc != -EADDRNOTAVAIL)
			fprintf(stderr, "exception path: %s: removing %s: %s\n",
				pi->name, s, strerror(-rc));
		else
			fprintf(stderr, "exception path: %s: %s removed\n",
				pi->name, s);
		pi->addrs[i] = pi->addrs[--pi->n_addrs];
	}
	/* Add what is new. */
	for (j = 0; j < t->n_local_addrs; j++) {
		const struct tbl_local_addr *la = &t->local_addrs[j];
		struct punt_addr a;
		bool have = false;

		if (la->port_id != pi->port || la->vlan != pi->vlan)
			continue;
		for (i = 0; i < pi->n_addrs && !have; i++)
			have = addr_eq(&pi->addrs[i], la);
		if (have)
			continue;
		a.family = la->family;
		a.len = la->len;
		memcpy(a.addr, la->addr, 16);
		addr_str(&a, s, sizeof(s));
		if (pi->n_addrs == PUNT_MAX_IF_ADDRS) {
			fprintf(stderr,
				"exception path: %s: %s left out (at most %u "
				"addresses per interface)\n",
				pi->name, s, PUNT_MAX_IF_ADDRS);
			continue;
		}
		rc = nl_addr(p, pi, RTM_NEWADDR, &a);
		if (rc < 0) {
			fprintf(stderr, "exception path: %s: adding %s: %s\n",
				pi->name, s, strerror(-rc));
			continue;
		}
		pi->addrs[pi->n_addrs++] = a;
		fprintf(stderr, "exception path: %s: %s\n", pi->name, s);
	}
}

/* See punt_linux.h. */
void
punt_sync(struct punt *p)
{
	const struct tables *t;
	unsigned i, j;

	if (p == NULL)
		return;
	t = p->rt->tables;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->n_ifs; i++)
		p->ifs[i].wanted = false;
	for (j = 0; t != NULL && t->node.punt && j < t->n_local_addrs; j++) {
		const struct tbl_local_addr *la = &t->local_addrs[j];
		struct punt_if *pi;

		if (la->port_id >= IXG_MAX_PORTS ||
		    !p->rt->ports[la->port_id].active)
			continue;
		pi = if_find(p, la->port_id, la->vlan);
		if (pi == NULL)
			pi = if_open(p, t, la->port_id, la->vlan);
		if (pi != NULL)
			pi->wanted = true;
	}
	for (i = 0; i < p->n_ifs;) {
		if (p->ifs[i].wanted) {
			i++;
			continue;
		}
		fprintf(stderr, "exception path: %s removed\n", p->ifs[i].name);
		close(p->ifs[i].fd);
		p->ifs[i] = p->ifs[--p->n_ifs];
	}
	for (i = 0; i < p->n_ifs; i++)
		if_addresses(p, &p->ifs[i], t);
	pthread_mutex_unlock(&p->lock);
}

/* ------------------------------------------------------------------ */
/* Life.                                                              */

/* See punt_linux.h. */
struct punt *
punt_create(struct runtime *rt, unsigned ctr_block)
{
	struct punt *p = calloc(1, sizeof(*p));
	char name[RTE_RING_NAMESIZE];
	unsigned w;
	int rc;

	if (p == NULL)
		return NULL;
	p->rt = rt;
	p->ioctl_fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	p->ctr = &rt->counters[ctr_block];
	for (w = 0; w < rt->n_workers; w++) {
		snprintf(name, sizeof(name), "ixg_punt%u", w);
		p->to_linux[w] = rte_ring_create(name, PUNT_RING_SIZE,
						 SOCKET_ID_ANY,
						 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (p->to_linux[w] == NULL)
			goto nomem;
		rt->workers[w].punt_ring = p->to_linux[w];
	}
	p->from_linux = rte_ring_create("ixg_punt_inject",
					PUNT_INJECT_RING_SIZE, SOCKET_ID_ANY,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (p->from_linux == NULL)
		goto nomem;
	/* Worker 0 sends what Linux sends: one TX queue per port keeps a
	 * session's segments in order. */
	rt->workers[0].inject_ring = p->from_linux;
	p->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	p->nl = mnl_socket_open(NETLINK_ROUTE);
	if (p->ioctl_fd < 0 || p->nl == NULL ||
	    mnl_socket_bind(p->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "exception path: sockets: %s\n",
			strerror(errno));
		punt_destroy(p);
		return NULL;
	}
	rc = pthread_create(&p->thread, NULL, punt_main, p);
	if (rc != 0) {
		fprintf(stderr, "exception path: thread: %s\n", strerror(rc));
		punt_destroy(p);
		return NULL;
	}
	pthread_setname_np(p->thread, "ixg-punt");
	p->started = true;
	return p;
nomem:
	fprintf(stderr, "exception path: rings: %s\n", rte_strerror(rte_errno));
	punt_destroy(p);
	return NULL;
}

static void
ring_free_all(struct rte_ring *r)
{
	struct rte_mbuf *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

/* See punt_linux.h. */
void
punt_destroy(struct punt *p)
{
	unsigned i;

	if (p == NULL)
		return;
	if (p->started) {
		__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
		pthread_join(p->thread, NULL);
	}
	for (i = 0; i < p->n_ifs; i++)
		close(p->ifs[i].fd);
	for (i = 0; i < p->rt->n_workers; i++) {
		ring_free_all(p->to_linux[i]);
		if (p->rt->workers != NULL)
			p->rt->workers[i].punt_ring = NULL;
	}
	ring_free_all(p->from_linux);
	if (p->rt->workers != NULL)
		p->rt->workers[0].inject_ring = NULL;
	if (p->nl != NULL)
		mnl_socket_close(p->nl);
	if (p->ioctl_fd >= 0)
		close(p->ioctl_fd);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
