/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_model.c - the generator's reference model (see gen_model.h).
 *
 * Prefix tables are one array sorted by (length descending, prefix): a
 * longest-prefix match tries each length present, longest first, with a
 * binary search. Slower than a FIB and written that way on purpose: it is
 * easy to read and shares no code or idea with rte_fib's DIR-24-8.
 * Addresses are held as 128-bit keys, IPv4 in the top 32 bits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen_model.h"

struct key {
	uint64_t hi, lo;
};

struct pent {
	struct key k;
	uint32_t val;
	uint8_t len;
	uint8_t prio; /* higher wins for the same prefix (dst table) */
};

struct ptab {
	struct pent *e;
	uint32_t n;
	uint8_t n_lens;
	uint8_t lens[129]; /* lengths present, descending */
	uint32_t first[129], count[129]; /* range of each length in e */
};

struct l2ent {
	uint64_t k1; /* port << 32 | outer_vlan << 16 | vlan */
	uint64_t k2; /* MAC as a 48-bit number */
	uint16_t peer;
};

struct mpeer {
	uint8_t configured;
	uint8_t sav_mode;
	uint16_t port_id;
	uint64_t rate;
};

struct gen_model {
	struct ptab dst4, dst6; /* routes, live blackholes, local /32 /128 */
	struct ptab src4, src6; /* allowed sources, val = peer id */
	struct l2ent *l2;
	uint32_t n_l2;
	struct ixg_spec_acl_rule *acl; /* sorted by (priority, id) */
	uint32_t n_acl;
	struct ixg_spec_local_addr *local;
	uint32_t n_local;
	uint16_t port_mtu[IXG_MAX_PORTS];
	uint8_t port_mac[IXG_MAX_PORTS][6];
	struct mpeer peers[IXG_MAX_PEERS];
	uint64_t class_cir[IXG_MAX_CLASSES];
};

/* Local-address and blackhole entries win over a route for the very same
 * prefix: the dataplane inserts routes, then blackholes, then locals. */
enum { PRIO_ROUTE = 1, PRIO_BLACKHOLE = 2, PRIO_LOCAL = 3 };

static struct key
key_of(int family, const uint8_t *a)
{
	struct key k = {0, 0};
	int i;

	if (family == 4) {
		for (i = 0; i < 4; i++)
			k.hi = (k.hi << 8) | a[i];
		k.hi <<= 32;
		return k;
	}
	for (i = 0; i < 8; i++)
		k.hi = (k.hi << 8) | a[i];
	for (i = 8; i < 16; i++)
		k.lo = (k.lo << 8) | a[i];
	return k;
}

static struct key
key_of4(uint32_t host)
{
	struct key k = {(uint64_t)host << 32, 0};

	return k;
}

static struct key
key_mask(struct key k, unsigned len)
{
	if (len == 0) {
		k.hi = k.lo = 0;
	} else if (len < 64) {
		k.hi &= ~0ull << (64 - len);
		k.lo = 0;
	} else if (len == 64) {
		k.lo = 0;
	} else if (len < 128) {
		k.lo &= ~0ull << (128 - len);
	}
	return k;
}

static int
key_cmp(struct key a, struct key b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static int
pent_cmp(const void *pa, const void *pb)
{
	const struct pent *a = pa, *b = pb;
	int c;

	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	c = key_cmp(a->k, b->k);
	if (c != 0)
		return c;
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->val != b->val)
		return a->val < b->val ? -1 : 1;
	return 0;
}

static int
ptab_add(struct ptab *t, uint32_t *cap, struct key k, unsigned len,
	 uint32_t val, uint8_t prio)
{
	struct pent *e;

	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		e = realloc(t->e, *cap * sizeof(*e));
		if (e == NULL)
			return -ENOMEM;
		t->e = e;
	}
	e = &t->e[t->n++];
	e->k = key_mask(k, len);
	e->len = (uint8_t)len;
	e->val = val;
	e->prio = prio;
	return 0;
}

/* Sort; with `unique_prefix` keep only the highest-priority entry of each
 * prefix (a FIB holds one next hop per prefix), else drop exact duplicates. */
static void
ptab_finish(struct ptab *t, bool unique_prefix)
{
	uint32_t i, w = 0;

	if (t->n > 1) /* an empty table's array may be NULL */
		qsort(t->e, t->n, sizeof(*t->e), pent_cmp);
	for (i = 0; i < t->n; i++) {
		if (w > 0 && t->e[w - 1].len == t->e[i].len &&
		    key_cmp(t->e[w - 1].k, t->e[i].k) == 0 &&
		    (unique_prefix || t->e[w - 1].val == t->e[i].val))
			continue;
		t->e[w++] = t->e[i];
	}
	t->n = w;
	t->n_lens = 0;
	for (i = 0; i < t->n; i++) {
		if (t->n_lens == 0 || t->lens[t->n_lens - 1] != t->e[i].len) {
			t->lens[t->n_lens] = t->e[i].len;
			t->first[t->n_lens] = i;
			t->count[t->n_lens] = 0;
			t->n_lens++;
		}
		t->count[t->n_lens - 1]++;
	}
}

/* First entry of length-range li whose prefix is >= k, or first+count. */
static uint32_t
ptab_lower(const struct ptab *t, unsigned li, struct key k)
{
	uint32_t lo = t->first[li], hi = t->first[li] + t->count[li];

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (key_cmp(t->e[mid].k, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct pent *
ptab_lpm(const struct ptab *t, struct key k)
{
	unsigned li;

	for (li = 0; li < t->n_lens; li++) {
		struct key mk = key_mask(k, t->lens[li]);
		uint32_t i = ptab_lower(t, li, mk);

		if (i < t->first[li] + t->count[li] &&
		    key_cmp(t->e[i].k, mk) == 0)
			return &t->e[i];
	}
	return NULL;
}

/* Whether some prefix of any length covering k carries value val. */
static bool
ptab_covers_with(const struct ptab *t, struct key k, uint32_t val)
{
	unsigned li;

	for (li = 0; li < t->n_lens; li++) {
		struct key mk = key_mask(k, t->lens[li]);
		uint32_t i = ptab_lower(t, li, mk);
		uint32_t end = t->first[li] + t->count[li];

		for (; i < end && key_cmp(t->e[i].k, mk) == 0; i++)
			if (t->e[i].val == val)
				return true;
	}
	return false;
}

static int
l2_cmp(const void *pa, const void *pb)
{
	const struct l2ent *a = pa, *b = pb;

	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	return 0;
}

static uint64_t
mac48(const uint8_t m[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | m[i];
	return v;
}

static int
acl_cmp(const void *pa, const void *pb)
{
	const struct ixg_spec_acl_rule *a = pa, *b = pb;

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

/* Release a model; NULL is a no-op. */
void
gen_model_free(struct gen_model *m)
{
	if (m == NULL)
		return;
	free(m->dst4.e);
	free(m->dst6.e);
	free(m->src4.e);
	free(m->src6.e);
	free(m->l2);
	free(m->acl);
	free(m->local);
	free(m);
}

/*
 * Build the reference model of spec at unix time now (see gen_model.h).
 * Returns the model (caller frees with gen_model_free) or NULL with errno.
 */
struct gen_model *
gen_model_new(const struct ixg_spec *spec, int64_t now)
{
	uint32_t c_d4 = 0, c_d6 = 0, c_s4 = 0, c_s6 = 0, i, j;
	struct gen_model *m;
	int rc = 0;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	for (i = 0; i < spec->n_ports; i++) {
		const struct ixg_spec_port *p = &spec->ports[i];

		if (p->id >= IXG_MAX_PORTS)
			continue;
		m->port_mtu[p->id] = p->mtu;
		memcpy(m->port_mac[p->id], p->mac, 6);
	}
	for (i = 0; i < spec->n_peers; i++) {
		const struct ixg_spec_peer *p = &spec->peers[i];

		if (p->id == IXG_PEER_NONE || p->id >= IXG_MAX_PEERS)
			continue;
		m->peers[p->id].configured = 1;
		m->peers[p->id].sav_mode = p->sav_mode;
		m->peers[p->id].port_id = p->port_id;
		m->peers[p->id].rate = p->rate;
		m->n_l2 += p->n_macs;
	}
	for (i = 0; i < spec->n_classes; i++)
		if (spec->classes[i].id < IXG_MAX_CLASSES)
			m->class_cir[spec->classes[i].id] =
				spec->classes[i].cir;

	m->l2 = calloc(m->n_l2 ? m->n_l2 : 1, sizeof(*m->l2));
	m->local = calloc(spec->n_local_addrs ? spec->n_local_addrs : 1,
			  sizeof(*m->local));
	m->acl = calloc(spec->n_acl_rules ? spec->n_acl_rules : 1,
			sizeof(*m->acl));
	if (m->l2 == NULL || m->local == NULL || m->acl == NULL)
		goto fail;
	m->n_l2 = 0;
	for (i = 0; i < spec->n_peers; i++) {
		const struct ixg_spec_peer *p = &spec->peers[i];

		if (p->id == IXG_PEER_NONE || p->id >= IXG_MAX_PEERS)
			continue;
		for (j = 0; j < p->n_macs && j < IXG_MAX_PEER_MACS; j++) {
			struct l2ent *e = &m->l2[m->n_l2++];

			e->k1 = (uint64_t)p->port_id << 32 |
				(uint64_t)p->outer_vlan << 16 | p->vlan;
			e->k2 = mac48(p->macs[j]);
			e->peer = p->id;
		}
	}
	qsort(m->l2, m->n_l2, sizeof(*m->l2), l2_cmp);
	memcpy(m->local, spec->local_addrs,
	       spec->n_local_addrs * sizeof(*m->local));
	m->n_local = spec->n_local_addrs;
	memcpy(m->acl, spec->acl_rules, spec->n_acl_rules * sizeof(*m->acl));
	m->n_acl = spec->n_acl_rules;
	qsort(m->acl, m->n_acl, sizeof(*m->acl), acl_cmp);

	for (i = 0; i < spec->n_routes4 && rc == 0; i++)
		rc = ptab_add(&m->dst4, &c_d4, key_of4(spec->routes4[i].addr),
			      spec->routes4[i].len, spec->routes4[i].peer_id,
			      PRIO_ROUTE);
	for (i = 0; i < spec->n_routes6 && rc == 0; i++)
		rc = ptab_add(&m->dst6, &c_d6, key_of(6, spec->routes6[i].addr),
			      spec->routes6[i].len, spec->routes6[i].peer_id,
			      PRIO_ROUTE);
	for (i = 0; i < spec->n_blackholes && rc == 0; i++) {
		const struct ixg_spec_blackhole *b = &spec->blackholes[i];

		if (b->expires != 0 && b->expires <= now)
			continue;
		if (b->family == 4)
			rc = ptab_add(&m->dst4, &c_d4, key_of(4, b->addr),
				      b->len, GEN_NH_BLACKHOLE | i,
				      PRIO_BLACKHOLE);
		else
			rc = ptab_add(&m->dst6, &c_d6, key_of(6, b->addr),
				      b->len, GEN_NH_BLACKHOLE | i,
				      PRIO_BLACKHOLE);
	}
	for (i = 0; i < spec->n_local_addrs && rc == 0; i++) {
		const struct ixg_spec_local_addr *l = &spec->local_addrs[i];

		if (l->family == 4)
			rc = ptab_add(&m->dst4, &c_d4, key_of(4, l->addr), 32,
				      GEN_NH_LOCAL | i, PRIO_LOCAL);
		else
			rc = ptab_add(&m->dst6, &c_d6, key_of(6, l->addr), 128,
				      GEN_NH_LOCAL | i, PRIO_LOCAL);
	}
	for (i = 0; i < spec->n_sources4 && rc == 0; i++)
		rc = ptab_add(&m->src4, &c_s4, key_of4(spec->sources4[i].addr),
			      spec->sources4[i].len, spec->sources4[i].peer_id,
			      0);
	for (i = 0; i < spec->n_sources6 && rc == 0; i++)
		rc = ptab_add(
			&m->src6, &c_s6, key_of(6, spec->sources6[i].addr),
			spec->sources6[i].len, spec->sources6[i].peer_id, 0);
	if (rc != 0)
		goto fail;
	ptab_finish(&m->dst4, true);
	ptab_finish(&m->dst6, true);
	ptab_finish(&m->src4, false);
	ptab_finish(&m->src6, false);
	return m;
fail:
	gen_model_free(m);
	errno = ENOMEM;
	return NULL;
}

/* Longest-prefix match over the destination table (see gen_model.h). */
uint32_t
gen_model_lpm(const struct gen_model *m, int family, const uint8_t *addr)
{
	const struct pent *e;

	e = ptab_lpm(family == 4 ? &m->dst4 : &m->dst6, key_of(family, addr));
	return e != NULL ? e->val : GEN_NH_NONE;
}

/* Strict source validation: covered by one of peer's sources. */
bool
gen_model_src_allowed(const struct gen_model *m, uint16_t peer, int family,
		      const uint8_t *addr)
{
	return ptab_covers_with(family == 4 ? &m->src4 : &m->src6,
				key_of(family, addr), peer);
}

/* Ingress peer by L2 key (see gen_model.h). */
uint16_t
gen_model_peer_by_l2(const struct gen_model *m, uint16_t port,
		     uint16_t outer_vlan, uint16_t vlan, const uint8_t mac[6])
{
	struct l2ent k = {.k1 = (uint64_t)port << 32 |
				(uint64_t)outer_vlan << 16 | vlan,
			  .k2 = mac48(mac)};
	const struct l2ent *e;

	e = bsearch(&k, m->l2, m->n_l2, sizeof(*m->l2), l2_cmp);
	return e != NULL ? e->peer : IXG_PEER_NONE;
}

/* Local address index on (port, vlan) equal to addr, or -1. */
int
gen_model_local_on(const struct gen_model *m, uint16_t port, uint16_t vlan,
		   int family, const uint8_t *addr)
{
	uint32_t i;

	for (i = 0; i < m->n_local; i++) {
		const struct ixg_spec_local_addr *l = &m->local[i];

		if (l->port_id == port && l->vlan == vlan &&
		    l->family == family &&
		    memcmp(l->addr, addr, family == 4 ? 4 : 16) == 0)
			return (int)i;
	}
	return -1;
}

/* Whether addr lies inside prefix/len. */
bool
gen_prefix_contains(int family, const uint8_t *prefix, unsigned len,
		    const uint8_t *addr)
{
	return key_cmp(key_mask(key_of(family, prefix), len),
		       key_mask(key_of(family, addr), len)) == 0;
}

/*
 * The martians the model knows (RFC 1122 3.2.1.3, RFC 6890, RFC 4291 2.5):
 * IPv4 0.0.0.0/8, 127.0.0.0/8 and 240.0.0.0/4 (with 255.255.255.255) on
 * either side, 224.0.0.0/4 as a source; IPv6 :: and ::1 on either side,
 * ff00::/8 as a source. The generator never builds any of them.
 */
bool
gen_model_martian(int family, const uint8_t *a, bool is_src)
{
	static const uint8_t zero[16];

	if (family == 4) {
		if (a[0] == 0 || a[0] == 127 || a[0] >= 240)
			return true;
		return is_src && a[0] >= 224;
	}
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return true;
	return is_src && a[0] == 0xff;
}

static bool
acl_match(const struct ixg_spec_acl_rule *r, const struct gen_pkt *p,
	  uint16_t in_peer)
{
	int fam = p->l3 == GEN_L3_IPV4 ? 4 : 6;

	if (r->family != fam)
		return false;
	if (r->in_peer != IXG_PEER_NONE && r->in_peer != in_peer)
		return false;
	if ((p->proto & r->proto_mask) != (r->proto & r->proto_mask))
		return false;
	if (!r->dscp_any && r->dscp != p->dscp)
		return false;
	if (r->src_len && !gen_prefix_contains(fam, r->src, r->src_len, p->src))
		return false;
	if (r->dst_len && !gen_prefix_contains(fam, r->dst, r->dst_len, p->dst))
		return false;
	/* Ports of packets without ports (ICMP) are 0, as in pkt_meta. */
	if (p->sport < r->sport_lo || p->sport > r->sport_hi)
		return false;
	if (p->dport < r->dport_lo || p->dport > r->dport_hi)
		return false;
	return true;
}

static void
drop(struct gen_verdict *v, enum ixg_drop_reason r)
{
	v->verdict = GEN_V_DROP;
	v->reason = (uint8_t)r;
}

/* Evaluate one packet in pipeline order (see gen_model.h). */
void
gen_model_eval(const struct gen_model *m, const struct gen_pkt *p,
	       struct gen_verdict *v)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	int fam = p->l3 == GEN_L3_IPV4 ? 4 : 6;
	uint32_t nh, i;
	uint16_t peer;

	memset(v, 0, sizeof(*v));
	/* parse */
	if (p->malformed) {
		drop(v, (enum ixg_drop_reason)(p->malformed - 1));
		/* A transport header cut short is its sender's: charged to
		 * the member its MAC names (doc/counters.md). */
		if (v->reason == IXG_DROP_L4_TRUNCATED)
			v->in_peer = gen_model_peer_by_l2(
				m, p->port_id, p->outer_vlan, p->vlan, p->smac);
		return;
	}
	if (p->port_id >= IXG_MAX_PORTS ||
	    (memcmp(p->dmac, m->port_mac[p->port_id], 6) != 0 &&
	     memcmp(p->dmac, bcast, 6) != 0 && !(p->dmac[0] & 1))) {
		drop(v, IXG_DROP_DMAC);
		return;
	}
	if (p->l3 == GEN_L3_OTHER) {
		drop(v, IXG_DROP_ETHERTYPE);
		return;
	}
	if (p->l3 != GEN_L3_ARP && (gen_model_martian(fam, p->src, true) ||
				    gen_model_martian(fam, p->dst, false))) {
		drop(v, IXG_DROP_MARTIAN);
		/* Charged to the member its MAC names, like l4_truncated. */
		v->in_peer = gen_model_peer_by_l2(m, p->port_id, p->outer_vlan,
						  p->vlan, p->smac);
		return;
	}
	/* peer */
	peer = gen_model_peer_by_l2(m, p->port_id, p->outer_vlan, p->vlan,
				    p->smac);
	if (peer == IXG_PEER_NONE) {
		drop(v, IXG_DROP_UNKNOWN_PEER);
		return;
	}
	v->in_peer = peer;
	/* local: ARP (RFC 826), NS (RFC 4861 7.1.1), echo (RFC 792/4443) */
	if (p->l3 == GEN_L3_ARP) {
		if (p->arp_op == 1 &&
		    gen_model_local_on(m, p->port_id, p->vlan, 4, p->dst) >= 0)
			v->verdict = GEN_V_LOCAL;
		else
			drop(v, IXG_DROP_ARP_INVALID);
		return;
	}
	if (fam == 6 && p->proto == 58 && p->icmp_type == 135 &&
	    p->ttl == 255 &&
	    gen_model_local_on(m, p->port_id, p->vlan, 6, p->ns_target) >= 0) {
		v->verdict = GEN_V_LOCAL;
		return;
	}
	if (fam == 6 && p->dst[0] == 0xff && p->dst[1] == 0x02) {
		drop(v, IXG_DROP_LOCAL_UNHANDLED);
		return;
	}
	nh = gen_model_lpm(m, fam, p->dst);
	if ((nh & GEN_NH_KIND_MASK) == GEN_NH_LOCAL) {
		if ((fam == 4 && p->proto == 1 && p->icmp_type == 8) ||
		    (fam == 6 && p->proto == 58 && p->icmp_type == 128))
			v->verdict = GEN_V_LOCAL;
		else
			drop(v, IXG_DROP_LOCAL_UNHANDLED);
		return;
	}
	/* SAV */
	if (m->peers[peer].sav_mode == IXG_SAV_STRICT ||
	    m->peers[peer].sav_mode == IXG_SAV_FEASIBLE) {
		if (!gen_model_src_allowed(m, peer, fam, p->src)) {
			drop(v, IXG_DROP_SOURCE_INVALID);
			return;
		}
	} else if (m->peers[peer].sav_mode == IXG_SAV_LOOSE) {
		uint32_t snh = gen_model_lpm(m, fam, p->src);

		if (snh == GEN_NH_NONE || (snh & GEN_NH_KIND_MASK) != 0) {
			drop(v, IXG_DROP_SOURCE_INVALID);
			return;
		}
	}
	/* ACL: first match in (priority, id) order */
	for (i = 0; i < m->n_acl; i++) {
		const struct ixg_spec_acl_rule *r = &m->acl[i];

		if (!acl_match(r, p, peer))
			continue;
		v->acl_rule = r->id;
		if (r->action == IXG_ACL_DENY) {
			drop(v, IXG_DROP_ACL_DENY);
			return;
		}
		if (r->action == IXG_ACL_CLASS)
			v->class_id = r->class_id;
		break;
	}
	/* route */
	if (nh == GEN_NH_NONE) {
		drop(v, IXG_DROP_NO_ROUTE);
		return;
	}
	if ((nh & GEN_NH_KIND_MASK) == GEN_NH_BLACKHOLE) {
		drop(v, IXG_DROP_BLACKHOLE);
		return;
	}
	if (nh == peer) {
		drop(v, IXG_DROP_HAIRPIN);
		return;
	}
	v->out_peer = (uint16_t)nh;
	/* policer: assumed green; say whether a meter exists */
	v->policed = v->class_id != 0 ? m->class_cir[v->class_id] != 0
				      : m->peers[peer].rate != 0;
	/* rewrite */
	if (p->ttl <= 1) {
		drop(v, IXG_DROP_TTL_EXPIRED);
		return;
	}
	if (p->l3_total > m->port_mtu[m->peers[nh].port_id]) {
		drop(v, IXG_DROP_MTU_EXCEEDED);
		return;
	}
	v->verdict = GEN_V_FORWARD;
}
