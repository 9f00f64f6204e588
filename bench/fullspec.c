/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fullspec.c - the synthetic full-size spec (see fullspec.h).
 *
 * Prefixes are generated shortest first. A new prefix is either fresh
 * (random inside the unicast space) or, with the family's deaggregation
 * probability, a more-specific of a prefix generated before it, announced
 * by the same peer three times out of four. That gives the table what
 * matters for lookups and source validation: the real length mix, covering
 * prefixes with their more-specifics, and peer sets that differ down a
 * covering chain.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fullspec.h"

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64 (Steele, Lea, Flood 2014); small, fast, seedable.  */

void
fullspec_rng_seed(struct fullspec_rng *r, uint64_t seed)
{
	r->s = seed ^ 0x6a09e667f3bcc908ull;
}

uint64_t
fullspec_rng_next(struct fullspec_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t
fullspec_rng_below(struct fullspec_rng *r, uint32_t n)
{
	/* Lemire's multiply-shift: bias below 2^-32, irrelevant here. */
	return (uint32_t)(((fullspec_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Percent chance, 0..100. */
static int
chance(struct fullspec_rng *r, uint32_t pct)
{
	return fullspec_rng_below(r, 100) < pct;
}

static inline uint32_t
mask4(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

uint32_t
fullspec_addr4_in(struct fullspec_rng *r, uint32_t addr, uint8_t len)
{
	uint32_t m = mask4(len);

	return (addr & m) | ((uint32_t)fullspec_rng_next(r) & ~m);
}

static void
mask6(uint8_t a[16], uint8_t len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits < 8)
			a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

void
fullspec_addr6_in(struct fullspec_rng *r, const uint8_t addr[16], uint8_t len,
		  uint8_t out[16])
{
	uint64_t x[2] = {fullspec_rng_next(r), fullspec_rng_next(r)};
	uint8_t rnd[16];

	memcpy(rnd, x, 16);
	memcpy(out, addr, 16);
	mask6(out, len);
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;
		uint8_t host = bits >= 8 ? 0 : (uint8_t)(0xffu >> bits);

		out[i] |= rnd[i] & host;
	}
}

/* ------------------------------------------------------------------ */
/* Zipf-like sampler over 1..n: weight of rank k is 1/k.              */

struct zipf {
	uint32_t n;
	double *cdf;
};

static int
zipf_init(struct zipf *z, uint32_t n)
{
	double sum = 0;

	z->n = n;
	z->cdf = malloc(n * sizeof(*z->cdf));
	if (z->cdf == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < n; k++) {
		sum += 1.0 / (double)(k + 1);
		z->cdf[k] = sum;
	}
	for (uint32_t k = 0; k < n; k++)
		z->cdf[k] /= sum;
	return 0;
}

/* A rank in 1..n. */
static uint32_t
zipf_draw(const struct zipf *z, struct fullspec_rng *r)
{
	double u = (double)(fullspec_rng_next(r) >> 11) * 0x1.0p-53;
	uint32_t lo = 0, hi = z->n - 1;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

/* ------------------------------------------------------------------ */
/* A set of 64-bit prefix keys (open addressing; 0 is the empty slot). */

struct keyset {
	uint64_t *slot;
	uint64_t mask;
};

static int
keyset_init(struct keyset *s, uint64_t n)
{
	uint64_t cap = 64;

	while (cap < 2 * n)
		cap <<= 1;
	s->slot = calloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
	return s->slot == NULL ? -ENOMEM : 0;
}

/* 1 if k was added, 0 if already there. k != 0; the set never fills
 * (sized for twice the keys its caller adds). */
static int
keyset_add(struct keyset *s, uint64_t k)
{
	uint64_t h = k * 0x9e3779b97f4a7c15ull;

	for (h ^= h >> 29;; h++) {
		uint64_t *p = &s->slot[h & s->mask];

		if (*p == k)
			return 0;
		if (*p == 0) {
			*p = k;
			return 1;
		}
	}
}

/* Prefix keys: address bits, then the length in the low byte (an IPv6
 * prefix up to /56 leaves its low 8 bits zero). Never 0: len >= 1. */
static inline uint64_t
key4(uint32_t addr, uint8_t len)
{
	return (uint64_t)addr << 8 | len;
}

static inline uint64_t
key6(const uint8_t a[16], uint8_t len)
{
	uint64_t hi = 0;

	for (unsigned i = 0; i < 8; i++)
		hi = hi << 8 | a[i];
	return hi | len;
}

/* ------------------------------------------------------------------ */
/* Length distributions.                                               */

struct len_weight {
	uint8_t len;
	uint32_t w;
};

/*
 * IPv4 default-free zone, per 100,000 prefixes (shape of the 2024 tables
 * in Huston's BGP reports; nothing longer than /24 is propagated).
 */
static const struct len_weight lens4[] = {
	{8, 2},	     {9, 3},	  {10, 8},    {11, 20},	  {12, 50},
	{13, 90},    {14, 170},	  {15, 280},  {16, 1100}, {17, 800},
	{18, 1200},  {19, 2500},  {20, 4000}, {21, 5000}, {22, 12500},
	{23, 10000}, {24, 62277},
};

/* IPv6 default-free zone, per 1,000 prefixes. */
static const struct len_weight lens6[] = {
	{19, 1}, {20, 2},   {21, 2},  {22, 3},	{23, 2},  {24, 5},
	{25, 1}, {26, 2},   {27, 3},  {28, 15}, {29, 40}, {30, 10},
	{31, 5}, {32, 150}, {33, 10}, {34, 10}, {35, 10}, {36, 40},
	{37, 5}, {38, 10},  {39, 10}, {40, 70}, {41, 5},  {42, 15},
	{43, 5}, {44, 80},  {45, 10}, {46, 25}, {47, 25}, {48, 450},
};

#define N_LENS(a) (sizeof(a) / sizeof((a)[0]))

/* counts[i]: how many prefixes of lens[i].len among n; the rounding
 * remainder goes to the heaviest length. */
static void
len_counts(const struct len_weight *lens, size_t nl, uint32_t n,
	   uint32_t *counts)
{
	uint64_t wsum = 0, given = 0;
	size_t heavy = 0;

	for (size_t i = 0; i < nl; i++) {
		wsum += lens[i].w;
		if (lens[i].w > lens[heavy].w)
			heavy = i;
	}
	for (size_t i = 0; i < nl; i++) {
		counts[i] = (uint32_t)((uint64_t)n * lens[i].w / wsum);
		given += counts[i];
	}
	counts[heavy] += (uint32_t)(n - given);
}

/* ------------------------------------------------------------------ */
/* Address space.                                                      */

/*
 * Never routed (RFC 6890 special-purpose ranges, RFC 1918, RFC 6598,
 * documentation, benchmarking, multicast and class E) plus the exchange's
 * own peering LAN, which members do not announce.
 */
static const struct {
	uint32_t addr;
	uint8_t len;
} bogons4[] = {
	{0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10}, {0x7f000000, 8},
	{0xa9fe0000, 16}, {0xac100000, 12}, {0xc0000000, 24}, {0xc0000200, 24},
	{0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24},
	{0xe0000000, 3},  {0xb9010000, 20}, /* 185.1.0.0/20: peering LAN */
};

#define PEERING_LAN4 0xb9010000u /* 185.1.0.0/20 */
static const uint8_t peering_lan6[16] = {0x20, 0x01, 0x07, 0xf8, 0, 1};

static int
bogon4(uint32_t addr, uint8_t len)
{
	for (size_t i = 0; i < N_LENS(bogons4); i++) {
		uint8_t l = len < bogons4[i].len ? len : bogons4[i].len;

		if (((addr ^ bogons4[i].addr) & mask4(l)) == 0)
			return 1;
	}
	return 0;
}

/* RIR blocks IPv6 routes are drawn from, with their share of the table. */
static const struct {
	uint8_t addr[2];
	uint8_t len;
	uint8_t pct;
} pools6[] = {
	{{0x2a, 0x00}, 12, 35}, /* RIPE NCC */
	{{0x24, 0x00}, 12, 25}, /* APNIC */
	{{0x26, 0x00}, 12, 20}, /* ARIN */
	{{0x28, 0x00}, 12, 12}, /* LACNIC */
	{{0x2c, 0x00}, 12, 5}, /* AFRINIC */
	{{0x20, 0x01}, 16, 3}, /* 2001::/16 early allocations (see below) */
};

/* A fresh IPv6 prefix of length len in one of the pools. 2001::/16 is
 * narrowed to 2001:200::/23, clear of 2001::/23 (IETF) and 2001:db8::/32. */
static void
fresh6(struct fullspec_rng *r, uint8_t len, uint8_t out[16])
{
	uint32_t u = fullspec_rng_below(r, 100), acc = 0;
	uint8_t base[16] = {0};
	size_t i;

	for (i = 0; i < N_LENS(pools6) - 1; i++) {
		acc += pools6[i].pct;
		if (u < acc)
			break;
	}
	if (i == N_LENS(pools6) - 1 && len < 23)
		i = 0; /* too short for 2001:200::/23: RIPE NCC instead */
	base[0] = pools6[i].addr[0];
	base[1] = pools6[i].addr[1];
	if (i == N_LENS(pools6) - 1) {
		base[2] = 0x02;
		fullspec_addr6_in(r, base, 23, out);
	} else {
		fullspec_addr6_in(r, base, pools6[i].len, out);
	}
	mask6(out, len);
}

/* ISO 3166-1 alpha-2, the exchange's region first (index order matters
 * only for which countries the Zipf draw favours). */
static const char cc_list[] =
	"CNVNTHSGMYIDPHLAKHMMBNHKTWJPKRINUSDEGBFRNLRUBRAUCAITESSEPLUAZA"
	"TRIRSAAEEGNGKEMXARCLCOPEBDPKLKNPMNKZUZKGTJTMAFIQSYJOLBILKWQABH"
	"OMYECYGRBGROHUCZSKATCHBELUDKNOFIISIEPTLTLVEEBYMDGEAMAZRSHRSIBA"
	"MEMKALXKMTMCSMVALIADNZFJPGSBVUWSTOKITVNRFMMHPWGUASMPNCPFCKNUTK"
	"WFMAKZDZTNLYSDSSETERDJSOUGTZRWBIMWZMZWMZAOCDCGCMGACFTDNEMLBFSN"
	"GMGWGNSLLRCIGHTGBJMRCVSTGQSCMUKMMGRENALSSZBWVECUBOPYUYGYSRGFCR"
	"PANISVHNGTBZMXCUJMHTDODMLCVCGDBBTTAGKNBSBMKYVGVITCAWCWSXBQMQGP";

/* ------------------------------------------------------------------ */
/* Parameters.                                                         */

void
fullspec_params_full(struct fullspec_params *p, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->n_routes4 = 1200000;
	p->n_routes6 = 300000;
	p->n_peers = IXG_MAX_PEERS - 1;
	p->n_acl_rules = 10000;
	p->n_blackholes = 200;
	p->n_classes = 3;
	p->n_countries = 200;
	p->n_country4 = 50000;
	p->n_country6 = 20000;
	p->multihome_pct = 5;
	p->strict_pct = 90;
	p->loose_pct = 7;
	p->peer_rates = 1;
}

void
fullspec_params_small(struct fullspec_params *p, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->n_routes4 = 16;
	p->n_routes6 = 16;
	p->n_peers = 4;
	p->n_countries = 4;
	p->n_country4 = 256;
	p->n_country6 = 16;
	p->strict_pct = 100;
	p->peer_rates = 1;
}

/* ------------------------------------------------------------------ */
/* Builders. Each fills its part of the spec; negative errno on error.  */

struct gen {
	const struct fullspec_params *p;
	struct ixg_spec *s;
	struct fullspec_rng rng;
	struct zipf peers;
	struct zipf countries;
};

static void
put_name(char *dst, const char *fmt, uint32_t v)
{
	snprintf(dst, IXG_NAME_LEN, fmt, v);
}

static int
gen_node_ports(struct gen *g)
{
	struct ixg_spec *s = g->s;
	uint32_t lan = htonl(PEERING_LAN4 | 1);

	snprintf(s->node.name, sizeof(s->node.name), "bench-ix");
	s->node.home_country = IXG_CC('V', 'N');
	s->node.icmp_time_exceeded = 0;
	s->node.sample_rate = 1000;

	s->n_ports = 2;
	s->ports = calloc(2, sizeof(*s->ports));
	s->n_local_addrs = 2;
	s->local_addrs = calloc(2, sizeof(*s->local_addrs));
	if (s->ports == NULL || s->local_addrs == NULL)
		return -ENOMEM;
	for (uint16_t i = 0; i < 2; i++) {
		struct ixg_spec_port *pt = &s->ports[i];

		pt->id = i;
		pt->mtu = i == 0 ? 1500 : 9000;
		pt->rx_desc = pt->tx_desc = 1024;
		pt->sample_rate = s->node.sample_rate;
		pt->mac[0] = 0x02;
		pt->mac[5] = (uint8_t)(i + 1);
		pt->origin = i;
		snprintf(pt->name, sizeof(pt->name), i == 0 ? "lan" : "pni");
		snprintf(pt->devargs, sizeof(pt->devargs), "net_null%u", i);
	}
	/* The node on the peering LAN (port 0, VLAN 100). */
	s->local_addrs[0] = (struct ixg_spec_local_addr){
		.port_id = 0, .vlan = 100, .family = 4, .len = 20};
	memcpy(s->local_addrs[0].addr, &lan, 4);
	s->local_addrs[1] = (struct ixg_spec_local_addr){
		.port_id = 0, .vlan = 100, .family = 6, .len = 64, .origin = 1};
	memcpy(s->local_addrs[1].addr, peering_lan6, 16);
	s->local_addrs[1].addr[15] = 1;
	return 0;
}

static int
gen_countries(struct gen *g)
{
	struct ixg_spec *s = g->s;
	uint32_t n = g->p->n_countries + 1;

	s->n_countries = n;
	s->countries = calloc(n, sizeof(*s->countries));
	if (s->countries == NULL)
		return -ENOMEM;
	s->countries[0] = IXG_CC('-', '-');
	for (uint32_t i = 1; i < n; i++)
		s->countries[i] = IXG_CC(cc_list[2 * (i - 1)],
					 cc_list[2 * (i - 1) + 1]);
	return zipf_init(&g->countries, g->p->n_countries);
}

static int
gen_peers(struct gen *g)
{
	const struct fullspec_params *p = g->p;
	struct ixg_spec *s = g->s;
	uint32_t on_pni = 0;

	s->n_peers = p->n_peers;
	s->peers = calloc(p->n_peers, sizeof(*s->peers));
	if (s->peers == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->n_peers; i++) {
		struct ixg_spec_peer *pe = &s->peers[i];
		uint16_t id = (uint16_t)(i + 1);
		uint32_t u = fullspec_rng_below(&g->rng, 100);
		uint32_t nh4 = htonl(PEERING_LAN4 | (0x100u + id));

		pe->id = id;
		pe->origin = i;
		put_name(pe->name, "as-peer-%04u", id);
		pe->asn = 1000 + fullspec_rng_below(&g->rng, 398000);
		pe->country = (uint16_t)zipf_draw(&g->countries, &g->rng);
		pe->sav_mode = u < p->strict_pct ? IXG_SAV_STRICT
			       : u < p->strict_pct + p->loose_pct
				       ? IXG_SAV_LOOSE
				       : IXG_SAV_OFF;
		if (id % 2 == 1) {
			/* The public peering LAN, delivered tagged. */
			pe->port_id = 0;
			pe->vlan = 100;
			pe->has_nh4 = pe->has_nh6 = 1;
			memcpy(pe->nh4, &nh4, 4);
			memcpy(pe->nh6, peering_lan6, 16);
			pe->nh6[14] = (uint8_t)(id >> 8);
			pe->nh6[15] = (uint8_t)id;
		} else {
			/* Private interconnects: a VLAN each, 5% QinQ. */
			pe->port_id = 1;
			pe->vlan = (uint16_t)(2 + on_pni % 4000);
			if (on_pni % 20 == 19 || on_pni >= 4000)
				pe->outer_vlan = (uint16_t)(4001 +
							    on_pni / 4000);
			on_pni++;
		}
		pe->n_macs = chance(&g->rng, 10) ? 2 : 1;
		for (unsigned m = 0; m < pe->n_macs; m++) {
			uint8_t *mac = pe->macs[m];

			mac[0] = 0x02;
			mac[1] = (uint8_t)(0x1f + 0x10 * m);
			mac[4] = (uint8_t)(id >> 8);
			mac[5] = (uint8_t)id;
		}
		if (p->peer_rates) {
			/* Port speeds of the largest, large and other peers. */
			uint64_t gbit = id <= 40 ? 100 : id <= 400 ? 10 : 1;

			pe->rate = gbit * 125000000ull;
		}
	}
	return zipf_init(&g->peers, p->n_peers);
}

/* The other peer of a multihomed prefix, never `peer` itself. */
static uint16_t
other_peer(struct gen *g, uint16_t peer)
{
	uint16_t o = (uint16_t)zipf_draw(&g->peers, &g->rng);

	return o != peer ? o : (uint16_t)(peer % g->p->n_peers + 1);
}

/* Deaggregation: share of prefixes that are more-specifics of others. */
#define SUB_PCT4 55
#define SUB_PCT6 75
#define SAME_PEER_PCT 75

static int
gen_routes4(struct gen *g)
{
	const struct fullspec_params *p = g->p;
	struct ixg_spec *s = g->s;
	uint32_t counts[N_LENS(lens4)], n = 0;
	struct keyset set;

	len_counts(lens4, N_LENS(lens4), p->n_routes4, counts);
	s->routes4 = calloc(p->n_routes4 + 1, sizeof(*s->routes4));
	if (s->routes4 == NULL || keyset_init(&set, p->n_routes4) < 0) {
		free(s->routes4);
		s->routes4 = NULL;
		return -ENOMEM;
	}
	for (size_t li = 0; li < N_LENS(lens4); li++) {
		uint8_t len = lens4[li].len;

		for (uint32_t c = 0; c < counts[li];) {
			const struct ixg_spec_route4 *par = NULL;
			uint32_t a;
			uint16_t peer;

			if (n > 0 && chance(&g->rng, SUB_PCT4))
				par = &s->routes4[fullspec_rng_below(&g->rng,
								     n)];
			if (par != NULL && par->len < len) {
				a = fullspec_addr4_in(&g->rng, par->addr,
						      par->len) &
				    mask4(len);
				peer = chance(&g->rng, SAME_PEER_PCT)
					       ? par->peer_id
					       : (uint16_t)zipf_draw(&g->peers,
								     &g->rng);
			} else {
				a = (uint32_t)fullspec_rng_next(&g->rng) &
				    mask4(len);
				if (bogon4(a, len))
					continue;
				peer = (uint16_t)zipf_draw(&g->peers, &g->rng);
			}
			if (!keyset_add(&set, key4(a, len)))
				continue;
			s->routes4[n] = (struct ixg_spec_route4){
				.addr = a,
				.len = len,
				.peer_id = peer,
				.origin = n};
			n++;
			c++;
		}
	}
	free(set.slot);
	s->n_routes4 = n;
	return 0;
}

static int
gen_routes6(struct gen *g)
{
	const struct fullspec_params *p = g->p;
	struct ixg_spec *s = g->s;
	uint32_t counts[N_LENS(lens6)], n = 0;
	struct keyset set;

	len_counts(lens6, N_LENS(lens6), p->n_routes6, counts);
	s->routes6 = calloc(p->n_routes6 + 1, sizeof(*s->routes6));
	if (s->routes6 == NULL || keyset_init(&set, p->n_routes6) < 0) {
		free(s->routes6);
		s->routes6 = NULL;
		return -ENOMEM;
	}
	for (size_t li = 0; li < N_LENS(lens6); li++) {
		uint8_t len = lens6[li].len;

		for (uint32_t c = 0; c < counts[li];) {
			struct ixg_spec_route6 *r = &s->routes6[n];
			const struct ixg_spec_route6 *par = NULL;
			uint16_t peer;

			if (n > 0 && chance(&g->rng, SUB_PCT6))
				par = &s->routes6[fullspec_rng_below(&g->rng,
								     n)];
			if (par != NULL && par->len < len) {
				fullspec_addr6_in(&g->rng, par->addr, par->len,
						  r->addr);
				mask6(r->addr, len);
				peer = chance(&g->rng, SAME_PEER_PCT)
					       ? par->peer_id
					       : (uint16_t)zipf_draw(&g->peers,
								     &g->rng);
			} else {
				fresh6(&g->rng, len, r->addr);
				peer = (uint16_t)zipf_draw(&g->peers, &g->rng);
			}
			if (!keyset_add(&set, key6(r->addr, len)))
				continue;
			r->len = len;
			r->peer_id = peer;
			r->origin = n;
			n++;
			c++;
		}
	}
	free(set.slot);
	s->n_routes6 = n;
	return 0;
}

/* Allowed sources: every announced prefix from its peer, plus the same
 * prefix from a second peer for multihome_pct of them. */
static int
gen_sources(struct gen *g)
{
	struct ixg_spec *s = g->s;
	uint32_t pct = g->p->n_peers > 1 ? g->p->multihome_pct : 0;

	s->sources4 = malloc((2 * (size_t)s->n_routes4 + 1) *
			     sizeof(*s->sources4));
	s->sources6 = malloc((2 * (size_t)s->n_routes6 + 1) *
			     sizeof(*s->sources6));
	if (s->sources4 == NULL || s->sources6 == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->n_routes4; i++) {
		s->sources4[s->n_sources4++] = s->routes4[i];
		if (chance(&g->rng, pct)) {
			struct ixg_spec_route4 *o =
				&s->sources4[s->n_sources4++];

			*o = s->routes4[i];
			o->peer_id = other_peer(g, o->peer_id);
		}
	}
	for (uint32_t i = 0; i < s->n_routes6; i++) {
		s->sources6[s->n_sources6++] = s->routes6[i];
		if (chance(&g->rng, pct)) {
			struct ixg_spec_route6 *o =
				&s->sources6[s->n_sources6++];

			*o = s->routes6[i];
			o->peer_id = other_peer(g, o->peer_id);
		}
	}
	return 0;
}

/* RFC 7999 blackholes: host routes inside routed prefixes, 80% IPv4. */
static int
gen_blackholes(struct gen *g)
{
	struct ixg_spec *s = g->s;
	uint32_t n = g->p->n_blackholes;

	if (n == 0)
		return 0;
	s->blackholes = calloc(n, sizeof(*s->blackholes));
	if (s->blackholes == NULL)
		return -ENOMEM;
	while (s->n_blackholes < n) {
		struct ixg_spec_blackhole *b = &s->blackholes[s->n_blackholes];
		uint32_t i;

		if (s->n_routes6 == 0 ||
		    (s->n_routes4 > 0 && chance(&g->rng, 80))) {
			const struct ixg_spec_route4 *r =
				&s->routes4[fullspec_rng_below(&g->rng,
							       s->n_routes4)];
			uint32_t a = htonl(
				fullspec_addr4_in(&g->rng, r->addr, r->len));

			b->family = 4;
			b->len = 32;
			memset(b->addr, 0, sizeof(b->addr));
			memcpy(b->addr, &a, 4);
		} else {
			const struct ixg_spec_route6 *r =
				&s->routes6[fullspec_rng_below(&g->rng,
							       s->n_routes6)];

			b->family = 6;
			b->len = 128;
			fullspec_addr6_in(&g->rng, r->addr, r->len, b->addr);
		}
		b->origin = s->n_blackholes;
		for (i = 0; i < s->n_blackholes; i++)
			if (s->blackholes[i].family == b->family &&
			    memcmp(s->blackholes[i].addr, b->addr, 16) == 0)
				break;
		if (i == s->n_blackholes)
			s->n_blackholes++;
	}
	return 0;
}

/* Country map: split the space at random into n prefixes (uniform over
 * leaves), a child keeping its parent's country seven times out of ten. */
static int
gen_country4(struct gen *g)
{
	struct ixg_spec *s = g->s;
	uint32_t n = g->p->n_country4, have = 0;
	struct ixg_spec_country4 *c;

	if (n == 0)
		return 0;
	c = calloc(n < 256 ? 256 : n, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	s->country4 = c;
	for (uint32_t o = 1; o < 224 && have < n; o++) {
		if (o == 10 || o == 127)
			continue;
		c[have++] = (struct ixg_spec_country4){
			.addr = o << 24,
			.len = 8,
			.country = (uint16_t)zipf_draw(&g->countries, &g->rng)};
	}
	while (have < n) {
		struct ixg_spec_country4 *par =
			&c[fullspec_rng_below(&g->rng, have)];

		if (par->len >= 24)
			continue;
		par->len++;
		c[have] = *par;
		c[have].addr |= 1u << (32 - par->len);
		for (unsigned k = 0; k < 2; k++) {
			struct ixg_spec_country4 *ch = k ? &c[have] : par;

			if (!chance(&g->rng, 70))
				ch->country = (uint16_t)zipf_draw(&g->countries,
								  &g->rng);
		}
		have++;
	}
	s->n_country4 = have;
	return 0;
}

static int
gen_country6(struct gen *g)
{
	struct ixg_spec *s = g->s;
	uint32_t n = g->p->n_country6, have = 0;
	struct ixg_spec_country6 *c;

	if (n == 0)
		return 0;
	c = calloc(n < N_LENS(pools6) ? N_LENS(pools6) : n, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	s->country6 = c;
	for (size_t i = 0; i < N_LENS(pools6) && have < n; i++) {
		c[have].addr[0] = pools6[i].addr[0];
		c[have].addr[1] = pools6[i].addr[1];
		c[have].len = pools6[i].len;
		c[have++].country = (uint16_t)zipf_draw(&g->countries, &g->rng);
	}
	while (have < n) {
		struct ixg_spec_country6 *par =
			&c[fullspec_rng_below(&g->rng, have)];
		unsigned bit;

		if (par->len >= 64)
			continue;
		bit = par->len++;
		c[have] = *par;
		c[have].addr[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
		for (unsigned k = 0; k < 2; k++) {
			struct ixg_spec_country6 *ch = k ? &c[have] : par;

			if (!chance(&g->rng, 70))
				ch->country = (uint16_t)zipf_draw(&g->countries,
								  &g->rng);
		}
		have++;
	}
	s->n_country6 = have;
	return 0;
}

static int
gen_classes(struct gen *g)
{
	/* Rates in bytes/s: 10/40, 5/20 and 2/5 Gbit/s; bursts of ~1 ms. */
	static const struct {
		const char *name;
		uint64_t cir, pir;
		uint8_t yellow, red, ydscp;
	} def[3] = {
		{"voice", 1250000000ull, 5000000000ull, IXG_METER_PASS,
		 IXG_METER_DROP, 46},
		{"video", 625000000ull, 2500000000ull, IXG_METER_REMARK,
		 IXG_METER_DROP, 34},
		{"scavenger", 250000000ull, 625000000ull, IXG_METER_REMARK,
		 IXG_METER_DROP, 8},
	};
	struct ixg_spec *s = g->s;
	uint32_t n = g->p->n_classes;

	if (n == 0)
		return 0;
	if (n > 3)
		return -EINVAL;
	s->classes = calloc(n, sizeof(*s->classes));
	if (s->classes == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct ixg_spec_class *c = &s->classes[i];

		c->id = (uint16_t)(i + 1);
		c->yellow_action = def[i].yellow;
		c->red_action = def[i].red;
		c->yellow_dscp = def[i].ydscp;
		c->red_dscp = 0;
		c->cir = def[i].cir;
		c->pir = def[i].pir;
		c->cbs = def[i].cir / 1000;
		c->pbs = def[i].pir / 1000;
		c->origin = i;
		snprintf(c->name, sizeof(c->name), "%s", def[i].name);
		s->n_classes++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* ACL: an exchange's filter set.                                      */

static void
acl_any(struct ixg_spec_acl_rule *r)
{
	r->dscp_any = 1;
	r->sport_lo = r->dport_lo = 0;
	r->sport_hi = r->dport_hi = 65535;
}

/* dst = a random routed /24 (IPv4) or /48 (IPv6): a victim network. */
static void
acl_victim(struct gen *g, struct ixg_spec_acl_rule *r)
{
	const struct ixg_spec *s = g->s;

	if (r->family == 4) {
		const struct ixg_spec_route4 *rt =
			&s->routes4[fullspec_rng_below(&g->rng, s->n_routes4)];
		uint32_t a = htonl(
			fullspec_addr4_in(&g->rng, rt->addr, rt->len) &
			mask4(24));

		memcpy(r->dst, &a, 4);
		r->dst_len = 24;
	} else {
		const struct ixg_spec_route6 *rt =
			&s->routes6[fullspec_rng_below(&g->rng, s->n_routes6)];

		fullspec_addr6_in(&g->rng, rt->addr, rt->len, r->dst);
		r->dst_len = rt->len > 48 ? rt->len : 48;
		mask6(r->dst, r->dst_len);
	}
}

/* The global rules, evaluated first: protect the peering LAN (RFC 7454
 * s. 6.2 style: BGP to the node only), drop port 0, class EF as voice. */
static uint32_t
acl_globals(struct gen *g, struct ixg_spec_acl_rule *out, uint32_t max)
{
	uint32_t lan = htonl(PEERING_LAN4), n = 0;
	struct ixg_spec_acl_rule r;

	for (unsigned k = 0; k < 7 && n < max; k++) {
		memset(&r, 0, sizeof(r));
		acl_any(&r);
		r.family = k == 2 || k == 5 ? 6 : 4;
		r.priority = 10 + k;
		r.action = IXG_ACL_DENY;
		switch (k) {
		case 0: /* BGP to the peering LAN */
		case 1: /* everything else to the LAN */
			memcpy(r.dst, &lan, 4);
			r.dst_len = 20;
			if (k == 0) {
				r.proto = 6, r.proto_mask = 0xff;
				r.dport_lo = r.dport_hi = 179;
				r.action = IXG_ACL_PERMIT;
			}
			snprintf(r.name, sizeof(r.name),
				 k ? "lan-protect" : "lan-bgp");
			break;
		case 2:
			memcpy(r.dst, peering_lan6, 16);
			r.dst_len = 64;
			snprintf(r.name, sizeof(r.name), "lan6-protect");
			break;
		case 3: /* UDP and TCP port 0 are never legitimate */
		case 4:
			r.proto = k == 3 ? 17 : 6;
			r.proto_mask = 0xff;
			r.dport_lo = r.dport_hi = 0;
			snprintf(r.name, sizeof(r.name), "port0-%s",
				 k == 3 ? "udp" : "tcp");
			break;
		case 5:
		case 6: /* EF-marked traffic is voice */
			r.dscp_any = 0;
			r.dscp = 46;
			r.action = g->p->n_classes ? IXG_ACL_CLASS
						   : IXG_ACL_PERMIT;
			r.class_id = g->p->n_classes ? 1 : 0;
			snprintf(r.name, sizeof(r.name), "ef-voice%u", k - 5);
			break;
		}
		out[n++] = r;
	}
	return n;
}

static int
gen_acl(struct gen *g)
{
	/* Reflection/amplification source ports (US-CERT TA14-017A). */
	static const uint16_t refl[] = {19,   53,    123, 161,	389,
					1900, 11211, 17,  3702, 5353};
	/* Port ranges worth a class: SIP, STUN/TURN, RTP, RTMP, QUIC,
	 * RTSP, BitTorrent, Steam. class: 1 voice, 2 video, 3 scavenger. */
	static const struct {
		uint8_t proto;
		uint16_t lo, hi;
		uint8_t cls;
	} ranges[] = {
		{17, 5060, 5061, 1},   {6, 5060, 5061, 1},
		{17, 3478, 3497, 1},   {17, 16384, 32767, 1},
		{6, 1935, 1935, 2},    {17, 443, 443, 2},
		{6, 554, 554, 2},      {17, 8000, 8999, 2},
		{6, 6881, 6999, 3},    {17, 6881, 6999, 3},
		{17, 27000, 27050, 3}, {6, 20, 21, 3},
	};
	const struct fullspec_params *p = g->p;
	struct ixg_spec *s = g->s;
	uint32_t n = p->n_acl_rules, rest, n_deny, n_class;

	if (n == 0)
		return 0;
	s->acl_rules = calloc(n, sizeof(*s->acl_rules));
	if (s->acl_rules == NULL)
		return -ENOMEM;
	s->n_acl_rules = acl_globals(g, s->acl_rules, n);
	rest = n - s->n_acl_rules;
	n_deny = (uint32_t)((uint64_t)rest * 84 / 97);
	n_class = (uint32_t)((uint64_t)rest * 12 / 97);
	for (uint32_t i = 0; i < rest; i++) {
		struct ixg_spec_acl_rule *r = &s->acl_rules[s->n_acl_rules];

		acl_any(r);
		r->family = chance(&g->rng, s->n_routes6 ? 15 : 0) ? 6 : 4;
		if (i < n_deny) {
			/* Peer X's reflection traffic towards a victim. */
			r->priority = 100 + i;
			r->action = IXG_ACL_DENY;
			r->in_peer = (uint16_t)zipf_draw(&g->peers, &g->rng);
			r->proto = 17;
			r->proto_mask = 0xff;
			r->sport_lo = r->sport_hi =
				refl[fullspec_rng_below(&g->rng, N_LENS(refl))];
			acl_victim(g, r);
		} else if (i < n_deny + n_class) {
			unsigned k = fullspec_rng_below(&g->rng,
							N_LENS(ranges));

			r->priority = 20000 + i;
			r->proto = ranges[k].proto;
			r->proto_mask = 0xff;
			r->dport_lo = ranges[k].lo;
			r->dport_hi = ranges[k].hi;
			if (p->n_classes > 0) {
				r->action = IXG_ACL_CLASS;
				r->class_id = ranges[k].cls <= p->n_classes
						      ? ranges[k].cls
						      : (uint16_t)p->n_classes;
			} else {
				r->action = IXG_ACL_PERMIT;
			}
			if (chance(&g->rng, 60))
				r->in_peer = (uint16_t)zipf_draw(&g->peers,
								 &g->rng);
			if (chance(&g->rng, 50))
				acl_victim(g, r);
		} else {
			/* Bleach DSCP from members that may not set it. */
			r->priority = 40000 + i;
			r->action = IXG_ACL_REMARK;
			r->remark_dscp = 0;
			r->in_peer = (uint16_t)(1 +
						fullspec_rng_below(&g->rng,
								   p->n_peers));
		}
		s->n_acl_rules++;
	}
	for (uint32_t i = 0; i < s->n_acl_rules; i++) {
		s->acl_rules[i].id = i + 1;
		s->acl_rules[i].origin = i;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

int
fullspec_build(const struct fullspec_params *p, struct ixg_spec *spec)
{
	struct gen g = {.p = p, .s = spec};
	int rc;

	memset(spec, 0, sizeof(*spec));
	if (p->n_peers < 2 || p->n_peers >= IXG_MAX_PEERS ||
	    p->n_countries < 1 || p->n_countries >= IXG_MAX_COUNTRIES ||
	    p->n_countries > sizeof(cc_list) / 2 ||
	    p->n_routes4 > IXG_MAX_ROUTES4 || p->n_routes6 > IXG_MAX_ROUTES6 ||
	    p->n_acl_rules >= IXG_MAX_ACL_RULES || p->n_classes > 3 ||
	    (p->n_blackholes > 0 && p->n_routes4 + p->n_routes6 == 0) ||
	    (p->n_acl_rules > 0 && (p->n_routes4 == 0 || p->n_routes6 == 0)) ||
	    p->strict_pct + p->loose_pct > 100 || p->multihome_pct > 100)
		return -EINVAL;
	fullspec_rng_seed(&g.rng, p->seed);
	if ((rc = gen_node_ports(&g)) < 0 || (rc = gen_countries(&g)) < 0 ||
	    (rc = gen_peers(&g)) < 0 || (rc = gen_routes4(&g)) < 0 ||
	    (rc = gen_routes6(&g)) < 0 || (rc = gen_sources(&g)) < 0 ||
	    (rc = gen_blackholes(&g)) < 0 || (rc = gen_country4(&g)) < 0 ||
	    (rc = gen_country6(&g)) < 0 || (rc = gen_classes(&g)) < 0 ||
	    (rc = gen_acl(&g)) < 0)
		fullspec_free(spec);
	free(g.peers.cdf);
	free(g.countries.cdf);
	return rc;
}

void
fullspec_free(struct ixg_spec *spec)
{
	if (spec == NULL)
		return;
	free(spec->ports);
	free(spec->local_addrs);
	free(spec->peers);
	free(spec->classes);
	free(spec->acl_rules);
	free(spec->routes4);
	free(spec->routes6);
	free(spec->sources4);
	free(spec->sources6);
	free(spec->blackholes);
	free(spec->countries);
	free(spec->country4);
	free(spec->country6);
	memset(spec, 0, sizeof(*spec));
}
