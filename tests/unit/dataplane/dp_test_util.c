/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_test_util.h"

static int eal_ready;
static struct rte_mempool *pool;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/*
 * DPDK 22.11 refuses --in-memory together with --no-huge (--no-huge implies
 * legacy memory); --no-shconf gives the same "no files, no sharing" here.
 */
void
dp_test_eal_init(const char *prefix, unsigned mem_mb)
{
	char fp[64], mem[16];
	char *argv[] = {
		"dp_test",
		"--no-huge",
		"-m",
		mem,
		"--no-shconf",
		"--no-pci",
		"--no-telemetry",
		"--log-level=*:error",
		"-l",
		"0",
		"--file-prefix",
		fp,
		NULL,
	};

	if (eal_ready)
		return;
	snprintf(fp, sizeof(fp), "%s_%d", prefix, (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb ? mem_mb : 512);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		die("rte_eal_init: %s", rte_strerror(rte_errno));
	eal_ready = 1;
}

struct rte_mempool *
dp_test_pool(void)
{
	if (pool == NULL) {
		pool = rte_pktmbuf_pool_create("dp_test_pool", 1023, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE,
					       SOCKET_ID_ANY);
		if (pool == NULL)
			die("mbuf pool: %s", rte_strerror(rte_errno));
	}
	return pool;
}

struct rte_mbuf *
dp_test_mbuf(const void *bytes, size_t len, uint16_t port)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_test_pool());
	char *p;

	if (m == NULL)
		die("rte_pktmbuf_alloc failed");
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL)
		die("frame of %zu bytes does not fit an mbuf", len);
	memcpy(p, bytes, len);
	m->port = port;
	return m;
}

/* Grows *arr (of *n elements of `sz`) by one zeroed element. */
static void *
grow(void *arrp, uint32_t *n, size_t sz)
{
	void **arr = arrp;
	char *p = realloc(*arr, (*n + 1) * sz);

	if (p == NULL)
		die("out of memory");
	memset(p + *n * sz, 0, sz);
	*arr = p;
	return p + (*n)++ * sz;
}

struct ixg_spec *
dp_spec_new(void)
{
	struct ixg_spec *s = calloc(1, sizeof(*s));

	if (s == NULL)
		die("out of memory");
	snprintf(s->node.name, sizeof(s->node.name), "test");
	dp_spec_country(s, "--");
	return s;
}

void
dp_spec_free(struct ixg_spec *s)
{
	if (s == NULL)
		return;
	free(s->ports);
	free(s->local_addrs);
	free(s->peers);
	free(s->classes);
	free(s->acl_rules);
	free(s->routes4);
	free(s->routes6);
	free(s->sources4);
	free(s->sources6);
	free(s->blackholes);
	free(s->countries);
	free(s->country4);
	free(s->country6);
	free(s->nhgroups);
	free(s);
}

void
dp_mac(const char *str, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(str, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5]) != 6)
		die("bad MAC %s", str);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

uint32_t
dp_ip4(const char *str)
{
	struct in_addr a;

	if (inet_pton(AF_INET, str, &a) != 1)
		die("bad IPv4 address %s", str);
	return ntohl(a.s_addr);
}

void
dp_ip6(const char *str, uint8_t out[16])
{
	if (inet_pton(AF_INET6, str, out) != 1)
		die("bad IPv6 address %s", str);
}

struct ixg_spec_port *
dp_spec_port(struct ixg_spec *s, uint16_t id, const char *mac)
{
	struct ixg_spec_port *p = grow(&s->ports, &s->n_ports, sizeof(*p));

	p->id = id;
	p->mtu = 1500;
	p->rx_desc = p->tx_desc = 1024;
	if (mac != NULL)
		dp_mac(mac, p->mac);
	p->origin = s->n_ports;
	snprintf(p->name, sizeof(p->name), "port%u", id);
	return p;
}

struct ixg_spec_peer *
dp_spec_peer(struct ixg_spec *s, uint16_t id, uint16_t port, uint16_t vlan,
	     const char *mac, uint8_t sav_mode)
{
	struct ixg_spec_peer *p = grow(&s->peers, &s->n_peers, sizeof(*p));

	p->id = id;
	p->port_id = port;
	p->vlan = vlan;
	p->asn = 64500u + id;
	p->sav_mode = sav_mode;
	p->n_macs = 1;
	dp_mac(mac, p->macs[0]);
	p->origin = 1000u + s->n_peers;
	snprintf(p->name, sizeof(p->name), "peer%u", id);
	return p;
}

static struct ixg_spec_route4 *
add_route4(struct ixg_spec_route4 **arr, uint32_t *n, const char *addr,
	   uint8_t len, uint16_t peer)
{
	struct ixg_spec_route4 *r = grow(arr, n, sizeof(*r));

	r->addr = dp_ip4(addr);
	r->len = len;
	r->peer_id = peer;
	r->origin = *n;
	return r;
}

static struct ixg_spec_route6 *
add_route6(struct ixg_spec_route6 **arr, uint32_t *n, const char *addr,
	   uint8_t len, uint16_t peer)
{
	struct ixg_spec_route6 *r = grow(arr, n, sizeof(*r));

	dp_ip6(addr, r->addr);
	r->len = len;
	r->peer_id = peer;
	r->origin = *n;
	return r;
}

struct ixg_spec_route4 *
dp_spec_route4(struct ixg_spec *s, const char *addr, uint8_t len, uint16_t peer)
{
	return add_route4(&s->routes4, &s->n_routes4, addr, len, peer);
}

struct ixg_spec_route6 *
dp_spec_route6(struct ixg_spec *s, const char *addr, uint8_t len, uint16_t peer)
{
	return add_route6(&s->routes6, &s->n_routes6, addr, len, peer);
}

struct ixg_spec_route4 *
dp_spec_source4(struct ixg_spec *s, const char *addr, uint8_t len,
		uint16_t peer)
{
	return add_route4(&s->sources4, &s->n_sources4, addr, len, peer);
}

struct ixg_spec_route6 *
dp_spec_source6(struct ixg_spec *s, const char *addr, uint8_t len,
		uint16_t peer)
{
	return add_route6(&s->sources6, &s->n_sources6, addr, len, peer);
}

struct ixg_spec_blackhole *
dp_spec_blackhole(struct ixg_spec *s, const char *addr, uint8_t len,
		  int64_t expires)
{
	struct ixg_spec_blackhole *h = grow(&s->blackholes, &s->n_blackholes,
					    sizeof(*h));

	if (strchr(addr, ':') != NULL) {
		h->family = 6;
		dp_ip6(addr, h->addr);
	} else {
		uint32_t a = htonl(dp_ip4(addr));

		h->family = 4;
		memcpy(h->addr, &a, 4);
	}
	h->len = len;
	h->expires = expires;
	h->origin = 2000u + s->n_blackholes;
	h->id = (uint16_t)(s->n_blackholes - 1); /* as the compiler numbers */
	return h;
}

struct ixg_spec_local_addr *
dp_spec_local(struct ixg_spec *s, uint16_t port, const char *addr, uint8_t len)
{
	struct ixg_spec_local_addr *l = grow(&s->local_addrs, &s->n_local_addrs,
					     sizeof(*l));

	l->port_id = port;
	if (strchr(addr, ':') != NULL) {
		l->family = 6;
		dp_ip6(addr, l->addr);
	} else {
		uint32_t a = htonl(dp_ip4(addr));

		l->family = 4;
		memcpy(l->addr, &a, 4);
	}
	l->len = len;
	l->origin = 3000u + s->n_local_addrs;
	return l;
}

struct ixg_spec_class *
dp_spec_class(struct ixg_spec *s, uint16_t id, uint64_t cir, uint64_t cbs,
	      uint64_t pir, uint64_t pbs)
{
	struct ixg_spec_class *c = grow(&s->classes, &s->n_classes, sizeof(*c));

	c->id = id;
	c->cir = cir;
	c->cbs = cbs;
	c->pir = pir;
	c->pbs = pbs;
	c->yellow_action = IXG_METER_PASS;
	c->red_action = IXG_METER_DROP;
	c->origin = 4000u + s->n_classes;
	snprintf(c->name, sizeof(c->name), "class%u", id);
	return c;
}

struct ixg_spec_acl_rule *
dp_spec_acl(struct ixg_spec *s, uint32_t id, uint32_t priority, uint8_t family,
	    uint8_t action)
{
	struct ixg_spec_acl_rule *r = grow(&s->acl_rules, &s->n_acl_rules,
					   sizeof(*r));

	r->id = id;
	r->priority = priority;
	r->family = family;
	r->dscp_any = 1;
	r->action = action;
	r->sport_hi = 65535;
	r->dport_hi = 65535;
	r->origin = 5000u + s->n_acl_rules;
	return r;
}

uint16_t
dp_spec_country(struct ixg_spec *s, const char *cc)
{
	ixg_cc_t code = IXG_CC(cc[0], cc[1]);
	ixg_cc_t *c;

	for (uint32_t i = 0; i < s->n_countries; i++)
		if (s->countries[i] == code)
			return (uint16_t)i;
	c = grow(&s->countries, &s->n_countries, sizeof(*c));
	*c = code;
	return (uint16_t)(s->n_countries - 1);
}

void
dp_spec_country4(struct ixg_spec *s, const char *addr, uint8_t len,
		 const char *cc)
{
	uint16_t idx = dp_spec_country(s, cc);
	struct ixg_spec_country4 *c = grow(&s->country4, &s->n_country4,
					   sizeof(*c));

	c->addr = dp_ip4(addr);
	c->len = len;
	c->country = idx;
}

void
dp_spec_country6(struct ixg_spec *s, const char *addr, uint8_t len,
		 const char *cc)
{
	uint16_t idx = dp_spec_country(s, cc);
	struct ixg_spec_country6 *c = grow(&s->country6, &s->n_country6,
					   sizeof(*c));

	dp_ip6(addr, c->addr);
	c->len = len;
	c->country = idx;
}

void
dp_burst_init(struct burst *b, uint16_t port)
{
	memset(b, 0, sizeof(*b));
	b->port = port;
}

static unsigned
burst_add(struct burst *b, uint16_t in_peer, uint8_t proto, uint16_t sport,
	  uint16_t dport)
{
	unsigned i = b->n;
	struct pkt_meta *m;

	if (i >= PIPELINE_BURST)
		die("burst full");
	b->n++;
	m = &b->meta[i];
	memset(m, 0, sizeof(*m));
	m->verdict = VERDICT_CONTINUE;
	m->in_port = b->port;
	m->in_peer = in_peer;
	m->l4_proto = proto;
	m->sport = sport;
	m->dport = dport;
	m->ttl = 64;
	m->l3_total = 100;
	return i;
}

unsigned
dp_burst_add4(struct burst *b, uint16_t in_peer, const char *src,
	      const char *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	unsigned i = burst_add(b, in_peer, proto, sport, dport);
	uint32_t a;

	b->meta[i].l3 = L3_IPV4;
	b->meta[i].l3_len = 20;
	a = htonl(dp_ip4(src));
	memcpy(b->meta[i].src, &a, 4);
	a = htonl(dp_ip4(dst));
	memcpy(b->meta[i].dst, &a, 4);
	return i;
}

unsigned
dp_burst_add6(struct burst *b, uint16_t in_peer, const char *src,
	      const char *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	unsigned i = burst_add(b, in_peer, proto, sport, dport);

	b->meta[i].l3 = L3_IPV6;
	b->meta[i].l3_len = 40;
	dp_ip6(src, b->meta[i].src);
	dp_ip6(dst, b->meta[i].dst);
	return i;
}

void
dp_ctx_init(struct pipeline_ctx *ctx, const struct tables *t)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->t = t;
	ctx->worker = 0;
	ctx->tsc_hz = rte_get_tsc_hz();
}

struct tables *
dp_tables_build(const struct ixg_spec *s)
{
	static uint64_t gen;
	char err[256] = "";
	struct tables *t = tables_build(s, 1, ++gen, err, sizeof(err));

	if (t == NULL)
		die("tables_build: %s (errno %d)", err, errno);
	return t;
}

uint64_t
dp_lookup4(const struct lpm *fib, const char *addr)
{
	uint32_t ip = dp_ip4(addr), nh = ~0u;

	lpm4_lookup_bulk(fib, &ip, &nh, 1);
	if (fib != NULL && nh != lpm4_lookup(fib, ip))
		die("lpm4 bulk and single lookups of %s differ", addr);
	return nh;
}

uint64_t
dp_route4(const struct lpm *fib, const char *addr)
{
	return tbl_leaf_nh((uint32_t)dp_lookup4(fib, addr));
}

uint64_t
dp_route6(const struct lpm *fib, const char *addr)
{
	return tbl_leaf_nh((uint32_t)dp_lookup6(fib, addr));
}

uint16_t
dp_peer_direct(const struct tables *t, uint16_t port, uint16_t outer_vlan,
	       uint16_t vlan, const uint8_t *mac)
{
	uint64_t key = tbl_mac48(mac);
	const struct tbl_peer_slot *ps;
	uint32_t slot = 0, h;

	if (port >= IXG_MAX_PORTS || vlan >= TBL_VLANS)
		return IXG_PEER_NONE;
	if (outer_vlan == 0) {
		slot = t->peer_vlan_slot[port * TBL_VLANS + vlan];
	} else if (t->peer_qinq != NULL) {
		uint64_t q = tbl_qinq_key(port, outer_vlan, vlan);

		for (h = tbl_peer_hash(q) & t->peer_qinq_mask;;
		     h = (h + 1) & t->peer_qinq_mask) {
			uint64_t e = t->peer_qinq[h];

			if (e == 0)
				break;
			if ((e & 0xffffffffffffull) == q) {
				slot = (uint32_t)(e >> 48);
				break;
			}
		}
	}
	ps = &t->peer_slots[slot];
	for (h = tbl_peer_hash(key) & ps->mask;; h = (h + 1) & ps->mask) {
		uint64_t e = t->peer_macs[ps->first + h];

		if (e == 0)
			return IXG_PEER_NONE;
		if (e >> 16 == key)
			return (uint16_t)e;
	}
}

uint16_t
dp_peer_by_spec(const struct ixg_spec *s, uint16_t port, uint16_t outer_vlan,
		uint16_t vlan, const uint8_t *mac)
{
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];

		if (p->port_id != port || p->outer_vlan != outer_vlan ||
		    p->vlan != vlan)
			continue;
		for (unsigned m = 0; m < p->n_macs; m++)
			if (memcmp(p->macs[m], mac, 6) == 0)
				return p->id;
	}
	return IXG_PEER_NONE;
}

uint64_t
dp_lookup6(const struct lpm *fib, const char *addr)
{
	uint8_t ip[1][16];
	uint32_t nh = ~0u;

	dp_ip6(addr, ip[0]);
	lpm6_lookup_bulk(fib, (const uint8_t(*)[16])ip, &nh, 1);
	if (fib != NULL && nh != lpm6_lookup(fib, ip[0]))
		die("lpm6 bulk and single lookups of %s differ", addr);
	return nh;
}
