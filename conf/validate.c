/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * validate.c - checks that span several objects, run once the whole tree
 * (includes too) is parsed: names resolve, names and MACs are unique,
 * required fields are there, capacities hold.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf_impl.h"

struct name_ref {
	const char *name;
	uint32_t idx;
};

static int
name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r != 0)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorted name index over an array of objects whose name is at `name_off`;
 * reports duplicates (at the later one). Empty names are skipped. */
struct name_index {
	struct name_ref *v;
	uint32_t n;
};

static void
index_build(const struct ixg_conf *c, struct ixg_diags *d,
	    struct name_index *ix, const void *base, size_t elsz,
	    uint32_t count, size_t name_off, size_t loc_off, const char *what)
{
	uint32_t i;

	ix->n = 0;
	ix->v = calloc(count ? count : 1, sizeof(*ix->v));
	if (ix->v == NULL)
		return;
	for (i = 0; i < count; i++) {
		const char *name = (const char *)base + i * elsz + name_off;

		if (name[0] == '\0')
			continue;
		ix->v[ix->n].name = name;
		ix->v[ix->n++].idx = i;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), name_ref_cmp);
	for (i = 1; i < ix->n; i++) {
		const char *first = (const char *)base +
				    ix->v[i - 1].idx * elsz;
		const char *dup = (const char *)base + ix->v[i].idx * elsz;
		char where[256];

		if (strcmp(ix->v[i - 1].name, ix->v[i].name) != 0)
			continue;
		conf_loc_str(c, *(const uint32_t *)(first + loc_off), where,
			     sizeof(where));
		conf_diag(c, d, DIAG_ERROR, *(const uint32_t *)(dup + loc_off),
			  "duplicate %s name '%s' (first at %s)", what,
			  ix->v[i].name, where);
		/* Keep the first for lookups. */
		ix->v[i].name = ix->v[i - 1].name;
		ix->v[i].idx = ix->v[i - 1].idx;
	}
}

static int
index_find(const struct name_index *ix, const char *name, uint32_t *idx)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(ix->v[mid].name, name);

		if (r == 0) {
			*idx = ix->v[mid].idx;
			return 0;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const char *
suggest(const struct name_index *ix, const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3, i;

	for (i = 0; i < ix->n && i < 4096; i++) {
		unsigned dd = edit_distance(name, strlen(name), ix->v[i].name,
					    strlen(ix->v[i].name));

		if (dd < best_d) {
			best_d = dd;
			best = ix->v[i].name;
		}
	}
	return best;
}

static void
unknown_ref(const struct ixg_conf *c, struct ixg_diags *d,
	    const struct name_index *ix, uint32_t loc, const char *what,
	    const char *name)
{
	const char *near = suggest(ix, name);

	if (near != NULL)
		conf_diag(c, d, DIAG_ERROR, loc,
			  "unknown %s '%s'; did you mean '%s'?", what, name,
			  near);
	else
		conf_diag(c, d, DIAG_ERROR, loc, "unknown %s '%s'", what, name);
}

struct mac_key {
	uint32_t port, vlan; /* vlan: outer << 16 | inner */
	uint8_t mac[6];
	uint32_t peer, n;
};

static int
mac_key_cmp(const void *a, const void *b)
{
	const struct mac_key *x = a, *y = b;
	int r;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	r = memcmp(x->mac, y->mac, 6);
	if (r != 0)
		return r;
	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void
check_node(struct ixg_conf *c, struct ixg_diags *d)
{
	if (!c->has_node) {
		diag_file(d, DIAG_ERROR, c->files.v[0].path, 1, 1,
			  "no 'node' block (it gives the node's name and home "
			  "country)");
		return;
	}
	if (!(c->node.set & NODE_NAME))
		conf_diag(c, d, DIAG_ERROR, c->node.loc,
			  "node block has no 'name'");
	if (!(c->node.set & NODE_COUNTRY))
		conf_diag(c, d, DIAG_ERROR, c->node.loc,
			  "node block has no 'country'");
}

static void
check_ports(struct ixg_conf *c, struct ixg_diags *d)
{
	uint32_t i, j, k, n_addrs = 0;

	if (c->ports.n > IXG_MAX_PORTS)
		conf_diag(c, d, DIAG_ERROR, c->ports.v[IXG_MAX_PORTS].loc,
			  "too many ports (at most %d)", IXG_MAX_PORTS);
	for (i = 0; i < c->ports.n; i++) {
		struct c_port *p = &c->ports.v[i];

		if (!(p->set & PORT_DEVICE))
			conf_diag(c, d, DIAG_ERROR, p->loc,
				  "port '%s' has no 'device'", p->name);
		n_addrs += p->addrs.n;
		for (j = 0; j < p->addrs.n; j++) {
			for (k = 0; k < j; k++) {
				struct c_addr *a = &p->addrs.v[j],
					      *b = &p->addrs.v[k];
				char where[256];

				if (a->fam != b->fam || a->vlan != b->vlan ||
				    memcmp(a->addr, b->addr, 16) != 0)
					continue;
				conf_loc_str(c, b->loc, where, sizeof(where));
				conf_diag(c, d, DIAG_ERROR, a->loc,
					  "address given twice on port '%s' "
					  "(first at %s)",
					  p->name, where);
				break;
			}
		}
	}
	if (n_addrs > IXG_MAX_LOCAL_ADDRS)
		diag_file(d, DIAG_ERROR, c->files.v[0].path, 0, 0,
			  "%u node addresses, more than %d", n_addrs,
			  IXG_MAX_LOCAL_ADDRS);
}

static void
check_classes(struct ixg_conf *c, struct ixg_diags *d)
{
	uint32_t i;

	if (c->classes.n > IXG_MAX_CLASSES - 1)
		conf_diag(c, d, DIAG_ERROR,
			  c->classes.v[IXG_MAX_CLASSES - 1].loc,
			  "too many classes (at most %d)", IXG_MAX_CLASSES - 1);
	for (i = 0; i < c->classes.n; i++) {
		struct c_class *k = &c->classes.v[i];

		if (!(k->set & CLASS_CIR))
			conf_diag(c, d, DIAG_ERROR, k->loc,
				  "class '%s' has no 'committed-rate'",
				  k->name);
		if (!(k->set & CLASS_CBS))
			conf_diag(c, d, DIAG_ERROR, k->loc,
				  "class '%s' has no 'committed-burst'",
				  k->name);
		/* RFC 2698 section 1: the PIR must be at least the CIR. */
		if ((k->set & CLASS_PIR) && (k->set & CLASS_CIR) &&
		    k->pir_bits < k->cir_bits)
			conf_diag(c, d, DIAG_ERROR, k->locs[CLASS_F_PIR],
				  "peak-rate is below committed-rate (RFC "
				  "2698: PIR >= CIR)");
	}
}

static void
check_peers(struct ixg_conf *c, struct ixg_diags *d,
	    const struct name_index *ports)
{
	struct mac_key *keys;
	uint32_t i, j, nk = 0;

	if (c->peers.n > IXG_MAX_PEERS - 1)
		conf_diag(c, d, DIAG_ERROR, c->peers.v[IXG_MAX_PEERS - 1].loc,
			  "too many peers (at most %d)", IXG_MAX_PEERS - 1);
	for (i = 0; i < c->peers.n; i++) {
		struct c_peer *p = &c->peers.v[i];

		if (!(p->set & PEER_ASN))
			conf_diag(c, d, DIAG_ERROR, p->loc,
				  "peer '%s' has no 'asn'", p->name);
		if (!(p->set & PEER_PORT))
			conf_diag(c, d, DIAG_ERROR, p->loc,
				  "peer '%s' has no 'port'", p->name);
		else if (index_find(ports, p->port, &p->port_idx) < 0)
			unknown_ref(c, d, ports, p->locs[PEER_F_PORT], "port",
				    p->port);
		/* A learning member may have no MAC lock (its egress MAC
		 * is resolved by ARP/ND); a static one sends to its first
		 * MAC. Learning needs an address to resolve. */
		if (p->n_macs == 0 && p->neigh != IXG_NEIGH_LEARN)
			conf_diag(c, d, DIAG_ERROR, p->loc,
				  "peer '%s' has no 'mac'", p->name);
		if (p->neigh == IXG_NEIGH_LEARN &&
		    !(p->set & (PEER_NH4 | PEER_NH6)))
			conf_diag(c, d, DIAG_ERROR, p->locs[PEER_F_NEIGH],
				  "peer '%s': 'neighbour learn' needs a "
				  "'next-hop' to resolve",
				  p->name);
	}
	keys = calloc(c->peers.n * IXG_MAX_PEER_MACS + 1, sizeof(*keys));
	if (keys == NULL)
		return;
	for (i = 0; i < c->peers.n; i++) {
		struct c_peer *p = &c->peers.v[i];

		if (!(p->set & PEER_PORT))
			continue;
		for (j = 0; j < p->n_macs; j++) {
			struct mac_key *k = &keys[nk++];

			k->port = p->port_idx;
			k->vlan = (uint32_t)p->outer_vlan << 16 | p->vlan;
			memcpy(k->mac, p->macs[j], 6);
			k->peer = i;
			k->n = j;
		}
	}
	qsort(keys, nk, sizeof(*keys), mac_key_cmp);
	for (i = 1; i < nk; i++) {
		struct mac_key *a = &keys[i - 1], *b = &keys[i];
		char where[256];

		if (a->port != b->port || a->vlan != b->vlan ||
		    memcmp(a->mac, b->mac, 6) != 0)
			continue;
		conf_loc_str(c, c->peers.v[a->peer].mac_locs[a->n], where,
			     sizeof(where));
		conf_diag(c, d, DIAG_ERROR, c->peers.v[b->peer].mac_locs[b->n],
			  "MAC %02x:%02x:%02x:%02x:%02x:%02x is already used "
			  "on this port and VLAN by peer '%s' (at %s)",
			  b->mac[0], b->mac[1], b->mac[2], b->mac[3], b->mac[4],
			  b->mac[5], c->peers.v[a->peer].name, where);
	}
	free(keys);
}

struct prio_key {
	uint32_t prio, idx;
};

static int
prio_cmp(const void *a, const void *b)
{
	const struct prio_key *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
check_rules(struct ixg_conf *c, struct ixg_diags *d,
	    const struct name_index *peers, const struct name_index *classes)
{
	struct name_index names;
	struct prio_key *keys;
	uint64_t expanded = 0;
	uint32_t i;

	index_build(c, d, &names, c->rules.v, sizeof(*c->rules.v), c->rules.n,
		    offsetof(struct c_rule, name), offsetof(struct c_rule, loc),
		    "rule");
	free(names.v);
	for (i = 0; i < c->rules.n; i++) {
		struct c_rule *r = &c->rules.v[i];

		if ((r->set & RULE_FROM) &&
		    index_find(peers, r->from, &r->from_idx) < 0)
			unknown_ref(c, d, peers, r->locs[RULE_F_FROM], "peer",
				    r->from);
		if (r->action == IXG_ACL_CLASS &&
		    index_find(classes, r->class_name, &r->class_idx) < 0)
			unknown_ref(c, d, classes, r->locs[RULE_F_ACTION],
				    "class", r->class_name);
		expanded += r->fams == 3 ? 2 : 1;
		if (expanded > IXG_MAX_ACL_RULES - 1 &&
		    expanded - (r->fams == 3 ? 2 : 1) <= IXG_MAX_ACL_RULES - 1)
			conf_diag(c, d, DIAG_ERROR, r->loc,
				  "too many ACL rules (at most %d, a rule for "
				  "both IPv4 and IPv6 counts twice)",
				  IXG_MAX_ACL_RULES - 1);
	}
	/* rte_acl picks arbitrarily among matching rules of equal priority:
	 * refuse ties between rules that can match the same family. */
	keys = calloc(c->rules.n + 1, sizeof(*keys));
	if (keys == NULL)
		return;
	for (i = 0; i < c->rules.n; i++) {
		keys[i].prio = c->rules.v[i].prio;
		keys[i].idx = i;
	}
	qsort(keys, c->rules.n, sizeof(*keys), prio_cmp);
	for (i = 1; i < c->rules.n; i++) {
		uint32_t j = i;
		char where[256];

		while (j > 0 && keys[j - 1].prio == keys[i].prio) {
			struct c_rule *a = &c->rules.v[keys[j - 1].idx];
			struct c_rule *b = &c->rules.v[keys[i].idx];

			j--;
			if ((a->fams & b->fams) == 0)
				continue;
			conf_loc_str(c, a->loc, where, sizeof(where));
			conf_diag(c, d, DIAG_ERROR, b->loc,
				  "rule priority %u is already used (at %s)",
				  b->prio, where);
			break;
		}
	}
	free(keys);
}

/* Prefixes in the order family, length, address; 0 for the same one. */
static int
pfx_order(const struct pfx *a, const struct pfx *b)
{
	if (a->fam != b->fam)
		return a->fam < b->fam ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

static int
bh_cmp(const void *a, const void *b)
{
	const struct c_blackhole *x = *(const struct c_blackhole *const *)a;
	const struct c_blackhole *y = *(const struct c_blackhole *const *)b;
	int r = pfx_order(&x->p, &y->p);

	if (r != 0)
		return r;
	return x->loc < y->loc ? -1 : x->loc > y->loc;
}

static void
check_blackholes(struct ixg_conf *c, struct ixg_diags *d)
{
	const struct c_blackhole **v;
	time_t now = time(NULL);
	uint32_t i;

	v = calloc(c->blackholes.n + 1, sizeof(*v));
	if (v == NULL)
		return;
	for (i = 0; i < c->blackholes.n; i++) {
		v[i] = &c->blackholes.v[i];
		if (v[i]->expires != 0 && v[i]->expires <= now) {
			char when[32];

			format_time(v[i]->expires, when, sizeof(when));
			conf_diag(c, d, DIAG_WARNING, v[i]->loc,
				  "blackhole expired at %s; it has no effect",
				  when);
		}
	}
	qsort(v, c->blackholes.n, sizeof(*v), bh_cmp);
	for (i = 1; i < c->blackholes.n; i++) {
		char where[256];

		if (pfx_order(&v[i]->p, &v[i - 1]->p) != 0)
			continue;
		conf_loc_str(c, v[i - 1]->loc, where, sizeof(where));
		conf_diag(c, d, DIAG_ERROR, v[i]->loc,
			  "blackhole given twice (first at %s)", where);
	}
	free(v);
}

static int
route_cmp(const void *a, const void *b)
{
	const struct c_route *x = *(const struct c_route *const *)a;
	const struct c_route *y = *(const struct c_route *const *)b;
	int r = pfx_order(&x->p, &y->p);

	if (r != 0)
		return r;
	return x->loc < y->loc ? -1 : x->loc > y->loc;
}

/* route blocks: members are peers; a prefix in one route block only (the
 * same prefix in a member's announce is the compiler's duplicate-route
 * error). */
static void
check_routes(struct ixg_conf *c, struct ixg_diags *d,
	     const struct name_index *peers)
{
	const struct c_route **v;
	uint32_t i;

	for (i = 0; i < c->routes.n; i++) {
		struct c_route *r = &c->routes.v[i];

		for (unsigned k = 0; k < r->n_via; k++)
			if (index_find(peers, r->via[k].peer,
				       &r->via[k].peer_idx) < 0)
				unknown_ref(c, d, peers, r->via[k].loc, "peer",
					    r->via[k].peer);
	}
	v = calloc(c->routes.n + 1, sizeof(*v));
	if (v == NULL)
		return;
	for (i = 0; i < c->routes.n; i++)
		v[i] = &c->routes.v[i];
	qsort(v, c->routes.n, sizeof(*v), route_cmp);
	for (i = 1; i < c->routes.n; i++) {
		char where[256];

		if (pfx_order(&v[i]->p, &v[i - 1]->p) != 0)
			continue;
		conf_loc_str(c, v[i - 1]->p.loc, where, sizeof(where));
		conf_diag(c, d, DIAG_ERROR, v[i]->p.loc,
			  "route given twice (first at %s)", where);
	}
	free(v);
}

unsigned
conf_validate(struct ixg_conf *c, struct ixg_diags *d)
{
	unsigned before = ixg_diags_errors(d);
	struct name_index ports, peers, classes;

	check_node(c, d);
	index_build(c, d, &ports, c->ports.v, sizeof(*c->ports.v), c->ports.n,
		    offsetof(struct c_port, name), offsetof(struct c_port, loc),
		    "port");
	index_build(c, d, &classes, c->classes.v, sizeof(*c->classes.v),
		    c->classes.n, offsetof(struct c_class, name),
		    offsetof(struct c_class, loc), "class");
	index_build(c, d, &peers, c->peers.v, sizeof(*c->peers.v), c->peers.n,
		    offsetof(struct c_peer, name), offsetof(struct c_peer, loc),
		    "peer");
	check_ports(c, d);
	check_classes(c, d);
	check_peers(c, d, &ports);
	check_rules(c, d, &peers, &classes);
	check_blackholes(c, d);
	check_routes(c, d, &peers);
	free(ports.v);
	free(peers.v);
	free(classes.v);
	return ixg_diags_errors(d) - before;
}
