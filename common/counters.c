/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * counters.c - the counter families of ixg_api.h as a table, reading their
 * values from the per-lcore blocks, and walks over their series (see
 * counters.h). Readers only: nothing here writes a worker's block.
 *
 * Cost (tests/unit/common/test_counters.c, test_walk_cost, measured with
 * 4,096 peers, every peer pair of 200 of them and a full 250x250 country
 * matrix over 2 blocks): see doc/counters.md, "What reading costs".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

_Static_assert(IXG_CF_MAX <= 64, "family bitmask is 64 bits");
_Static_assert(IXG_MAX_PEERS <= 4096 && IXG_MAX_BLACKHOLES <= 1u << 19,
	       "IXG_BH_PEER_KEY: 12 bits of peer, 20 of blackhole id + 1");
_Static_assert(sizeof(struct ixg_ctr_bh_peer) ==
			       sizeof(struct ixg_ctr_peer_pair) &&
		       offsetof(struct ixg_ctr_bh_peer, pb) ==
			       offsetof(struct ixg_ctr_peer_pair, pb),
	       "one merge for both pair tables");

/* -------------------------------------------------------------- the table */

#define SUB_U64 IXG_CTR_SUB_NONE
#define SUB_INFO IXG_CTR_SUB_NONE
#define SUB_PB IXG_CTR_SUB_NONE
#define SUB_IN IXG_CTR_SUB_NONE
#define SUB_SUM IXG_CTR_SUB_NONE
#define SUB_STATE IXG_CTR_SUB_NONE
#define SUB_REASONS IXG_CTR_SUB_REASON
#define SUB_COLOURS IXG_CTR_SUB_COLOUR
#define FROM_U64 IXG_CTR_FROM_BLOCK
#define FROM_INFO IXG_CTR_FROM_BLOCK
#define FROM_PB IXG_CTR_FROM_BLOCK
#define FROM_IN IXG_CTR_FROM_BLOCK
#define FROM_REASONS IXG_CTR_FROM_BLOCK
#define FROM_COLOURS IXG_CTR_FROM_BLOCK
#define FROM_SUM IXG_CTR_FROM_SUM
#define FROM_STATE IXG_CTR_FROM_STATE
/* Exported by the metric exporters: not the sums, not the INFO values. */
#define METRIC_U64 true
#define METRIC_INFO false
#define METRIC_PB true
#define METRIC_IN true
#define METRIC_REASONS true
#define METRIC_COLOURS true
#define METRIC_SUM false
#define METRIC_STATE true

#define FAM(dim_, kind, key_, name_, type_, unit_, help_, off, stride_)        \
	[IXG_CF_##name_] = {                                                   \
		.name = #name_,                                                \
		.key = key_,                                                   \
		.help = help_,                                                 \
		.unit = unit_,                                                 \
		.type = IXG_CTR_##type_,                                       \
		.dim = IXG_CTR_DIM_##dim_,                                     \
		.sub = SUB_##kind,                                             \
		.from = FROM_##kind,                                           \
		.metric = METRIC_##kind,                                       \
		.offset = (uint32_t)(off),                                     \
		.stride = (uint32_t)(stride_),                                 \
	},

#define LC struct ixg_lcore_counters
#define NODE_FAM(kind, field, member, key, name, type, unit, help)             \
	FAM(NODE, kind, key, name, type, unit, help,                           \
	    offsetof(LC, field member), 0)
#define STATE_FAM(kind, field, member, key, name, type, unit, help)            \
	FAM(NODE, kind, key, name, type, unit, help,                           \
	    offsetof(struct ixg_ctr_state, field), 0)
#define PORT_FAM(kind, field, member, key, name, type, unit, help)             \
	FAM(PORT, kind, key, name, type, unit, help,                           \
	    offsetof(LC, port[0].field member), sizeof(struct ixg_ctr_port))
#define PEER_FAM(kind, field, member, key, name, type, unit, help)             \
	FAM(PEER, kind, key, name, type, unit, help,                           \
	    offsetof(LC, peer[0].field member), sizeof(struct ixg_ctr_peer))
#define CPAIR_FAM(kind, field, member, key, name, type, unit, help)            \
	FAM(COUNTRY_PAIR, kind, key, name, type, unit, help,                   \
	    offsetof(LC, field[0][0] member), sizeof(struct ixg_ctr_pb))
/* Peer pairs: the offset is inside struct ixg_ctr_peer_pair. */
#define PPAIR_FAM(kind, field, member, key, name, type, unit, help)            \
	FAM(PEER_PAIR, kind, key, name, type, unit, help,                      \
	    offsetof(LC, field[0] member) - offsetof(LC, field),               \
	    sizeof(struct ixg_ctr_peer_pair))
#define ACL_FAM(kind, field, member, key, name, type, unit, help)              \
	FAM(ACL_RULE, kind, key, name, type, unit, help,                       \
	    offsetof(LC, field[0] member), sizeof(uint64_t))
#define CLASS_FAM(kind, field, member, key, name, type, unit, help)            \
	FAM(CLASS, kind, key, name, type, unit, help,                          \
	    offsetof(LC, field[0][0] member), sizeof(((LC *)0)->field[0]))
#define BH_FAM(kind, field, member, key, name, type, unit, help)               \
	FAM(BLACKHOLE, kind, key, name, type, unit, help,                      \
	    offsetof(LC, field[0] member), sizeof(struct ixg_ctr_pb))
/* Blackholes by peer: the offset is inside struct ixg_ctr_bh_peer. */
#define BHPEER_FAM(kind, field, member, key, name, type, unit, help)           \
	FAM(BLACKHOLE_PEER, kind, key, name, type, unit, help,                 \
	    offsetof(LC, field[0] member) - offsetof(LC, field),               \
	    sizeof(struct ixg_ctr_bh_peer))

#define NEIGH_FAM(kind, field, member, key, name, type, unit, help)            \
	FAM(NEIGH, kind, key, name, type, unit, help,                          \
	    offsetof(LC, neigh[0].field member), sizeof(struct ixg_ctr_neigh))
#define NHG_FAM(kind, field, member, key, name, type, unit, help)              \
	FAM(NHGROUP, kind, key, name, type, unit, help,                        \
	    offsetof(LC, field[0] member), sizeof(struct ixg_ctr_pb))

const struct ixg_ctr_family ixg_ctr_families[IXG_CF_MAX] = {
	IXG_CTR_NODE(NODE_FAM) IXG_CTR_STATE(STATE_FAM) IXG_CTR_PORT(
		PORT_FAM) IXG_CTR_PEER(PEER_FAM) IXG_CTR_COUNTRY_PAIR(CPAIR_FAM)
		IXG_CTR_PEER_PAIR(PPAIR_FAM) IXG_CTR_ACL_RULE(ACL_FAM)
			IXG_CTR_CLASS(CLASS_FAM) IXG_CTR_BLACKHOLE(BH_FAM)
				IXG_CTR_BLACKHOLE_PEER(BHPEER_FAM)
					IXG_CTR_NEIGH(NEIGH_FAM)
						IXG_CTR_NHGROUP(NHG_FAM)};

_Static_assert(sizeof(((LC *)0)->class_colour[0]) == 4 * sizeof(uint64_t),
	       "class colours: green, yellow, red, a spare (4: one lea)");

const char *const ixg_ctr_dim_labels[IXG_CTR_DIM_MAX][4] = {
	[IXG_CTR_DIM_NODE] = {NULL},
	[IXG_CTR_DIM_PORT] = {"port", NULL},
	[IXG_CTR_DIM_PEER] = {"peer", "asn", "country", NULL},
	[IXG_CTR_DIM_COUNTRY_PAIR] = {"src_country", "dst_country", NULL},
	[IXG_CTR_DIM_PEER_PAIR] = {"src_peer", "dst_peer", NULL},
	[IXG_CTR_DIM_ACL_RULE] = {"rule", "rule_name", NULL},
	[IXG_CTR_DIM_CLASS] = {"class", NULL},
	[IXG_CTR_DIM_BLACKHOLE] = {"prefix", "origin", NULL},
	[IXG_CTR_DIM_BLACKHOLE_PEER] = {"prefix", "origin", "peer", NULL},
	[IXG_CTR_DIM_NEIGH] = {"peer", "address", NULL},
	[IXG_CTR_DIM_NHGROUP] = {"group", "members", NULL},
};

const char *const ixg_ctr_dim_json[IXG_CTR_DIM_MAX] = {
	[IXG_CTR_DIM_NODE] = NULL,
	[IXG_CTR_DIM_PORT] = "ports",
	[IXG_CTR_DIM_PEER] = "peers",
	[IXG_CTR_DIM_COUNTRY_PAIR] = "country_pairs",
	[IXG_CTR_DIM_PEER_PAIR] = "peer_pairs",
	[IXG_CTR_DIM_ACL_RULE] = "acl_rules",
	[IXG_CTR_DIM_CLASS] = "classes",
	[IXG_CTR_DIM_BLACKHOLE] = "blackholes",
	[IXG_CTR_DIM_BLACKHOLE_PEER] = "blackhole_peers",
	[IXG_CTR_DIM_NEIGH] = "neighbours",
	[IXG_CTR_DIM_NHGROUP] = "nhgroups",
};

/* How many entities a dimension has (ids / indexes below this). */
static const uint32_t dim_size[IXG_CTR_DIM_MAX] = {
	[IXG_CTR_DIM_NODE] = 1,
	[IXG_CTR_DIM_PORT] = IXG_MAX_PORTS,
	[IXG_CTR_DIM_PEER] = IXG_MAX_PEERS,
	[IXG_CTR_DIM_COUNTRY_PAIR] = IXG_MAX_COUNTRIES * IXG_MAX_COUNTRIES,
	[IXG_CTR_DIM_PEER_PAIR] = UINT32_MAX,
	[IXG_CTR_DIM_ACL_RULE] = IXG_MAX_ACL_RULES,
	[IXG_CTR_DIM_CLASS] = IXG_MAX_CLASSES,
	[IXG_CTR_DIM_BLACKHOLE] = IXG_MAX_BLACKHOLES,
	[IXG_CTR_DIM_BLACKHOLE_PEER] = UINT32_MAX,
	[IXG_CTR_DIM_NEIGH] = 2 * IXG_MAX_PEERS,
	[IXG_CTR_DIM_NHGROUP] = IXG_MAX_NHGROUPS,
};

/* First family of each dimension and one past its last (families are
 * grouped by dimension, in enum order). */
static unsigned dim_first[IXG_CTR_DIM_MAX], dim_end[IXG_CTR_DIM_MAX];

static void __attribute__((constructor)) dims_index(void)
{
	for (unsigned d = 0; d < IXG_CTR_DIM_MAX; d++)
		dim_first[d] = dim_end[d] = 0;
	for (unsigned f = IXG_CF_MAX; f-- > 0;) {
		unsigned d = ixg_ctr_families[f].dim;

		dim_first[d] = f;
		if (dim_end[d] == 0)
			dim_end[d] = f + 1;
	}
}

static const char *const colours[] = {"green", "yellow", "red"};

/* Colour name. Any thread. */
const char *
ixg_colour_name(unsigned colour)
{
	return colour < 3 ? colours[colour] : NULL;
}

/* Label of a sub. Any thread. */
const char *
ixg_ctr_sub_label(unsigned sub)
{
	return sub == IXG_CTR_SUB_REASON   ? "reason"
	       : sub == IXG_CTR_SUB_COLOUR ? "colour"
					   : NULL;
}

/* Values under one entity. Any thread. */
unsigned
ixg_ctr_sub_count(unsigned sub)
{
	return sub == IXG_CTR_SUB_REASON   ? IXG_DROP_MAX
	       : sub == IXG_CTR_SUB_COLOUR ? 3
					   : 1;
}

/* Name of one value of a sub. Any thread. */
const char *
ixg_ctr_sub_name(unsigned sub, unsigned i)
{
	if (sub == IXG_CTR_SUB_REASON)
		return ixg_drop_name(i);
	if (sub == IXG_CTR_SUB_COLOUR)
		return ixg_colour_name(i);
	return NULL;
}

/* Family by metric name. Any thread. */
const struct ixg_ctr_family *
ixg_ctr_family_by_name(const char *name)
{
	if (strncmp(name, "ixgate_", 7) == 0)
		name += 7;
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		if (strcmp(ixg_ctr_families[f].name, name) == 0)
			return &ixg_ctr_families[f];
	return NULL;
}

/* ---------------------------------------------------------------- names */

/* Names from a spec (see counters.h). Any thread. */
void
ixg_ctr_names_from_spec(struct ixg_ctr_names *n, const struct ixg_spec *s)
{
	memset(n, 0, sizeof(*n));
	if (s == NULL)
		return;
	if (s->node.name[0])
		n->node = s->node.name;
	for (uint32_t i = 0; i < s->n_ports; i++)
		if (s->ports[i].id < IXG_MAX_PORTS)
			n->port[s->ports[i].id] = s->ports[i].name;
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];

		if (p->id >= IXG_MAX_PEERS)
			continue;
		n->peer[p->id] = p->name;
		n->peer_asn[p->id] = p->asn;
		n->peer_country[p->id] = p->country;
		n->peer_nh[p->id][0] = p->has_nh4 ? p->nh4 : NULL;
		n->peer_nh[p->id][1] = p->has_nh6 ? p->nh6 : NULL;
	}
	for (uint32_t i = 0; i < s->n_classes; i++)
		if (s->classes[i].id < IXG_MAX_CLASSES)
			n->class_[s->classes[i].id] = s->classes[i].name;
	n->countries = s->countries;
	n->n_countries = s->n_countries;
	n->rules = s->acl_rules;
	n->n_rules = s->n_acl_rules;
	n->blackholes = s->blackholes;
	n->n_blackholes = s->n_blackholes;
	n->nhgroups = s->nhgroups;
	n->n_nhgroups = s->n_nhgroups;
}

/* The ports' description after the blocks (see counters.h). */
const struct ixg_ctr_ports *
ixg_ctr_ports_of(const void *region, size_t size, unsigned n_blocks)
{
	size_t off = (size_t)n_blocks * sizeof(struct ixg_lcore_counters);
	const struct ixg_ctr_ports *p;

	if (region == NULL || size < off + sizeof(*p))
		return NULL;
	p = (const struct ixg_ctr_ports *)(const void *)((const char *)region +
							 off);
	if (__atomic_load_n(&p->magic, __ATOMIC_ACQUIRE) != IXG_CTR_PORTS_MAGIC)
		return NULL;
	return p;
}

/* Device names into names (see counters.h). */
void
ixg_ctr_names_devices(struct ixg_ctr_names *n, const struct ixg_ctr_ports *p)
{
	for (unsigned i = 0; p != NULL && i < IXG_MAX_PORTS; i++)
		/* Only a NUL-terminated, non-empty name. */
		if (p->port[i].device[0] != '\0' &&
		    memchr(p->port[i].device, '\0', IXG_DEVICE_NAME_LEN) !=
			    NULL)
			n->port_device[i] = p->port[i].device;
}

/* Peer name (see counters.h). Any thread. */
const char *
ixg_ctr_peer_name(const struct ixg_ctr_names *n, unsigned id, char *buf,
		  size_t len)
{
	if (id == IXG_PEER_NONE)
		return "-";
	if (n != NULL && id < IXG_MAX_PEERS && n->peer[id] != NULL &&
	    n->peer[id][0])
		return n->peer[id];
	snprintf(buf, len, "#%u", id);
	return buf;
}

/* A blackhole's prefix (see counters.h). Any thread. */
const char *
ixg_ctr_bh_prefix(const struct ixg_spec_blackhole *h, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(h->family == 6 ? AF_INET6 : AF_INET, h->addr, a,
		      sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, h->len);
	return buf;
}

/* A blackhole's origin label (see counters.h). Any thread. */
const char *
ixg_ctr_bh_origin(const struct ixg_ctr_names *n,
		  const struct ixg_spec_blackhole *h, char *buf, size_t len)
{
	if (n != NULL && n->bh_origin != NULL)
		return n->bh_origin(n->bh_origin_arg, h, buf, len);
	if (h->origin == IXG_ORIGIN_KERNEL)
		return "kernel";
	snprintf(buf, len, "origin %" PRIu32, h->origin);
	return buf;
}

/* Neighbour address (see counters.h). Any thread. */
const char *
ixg_ctr_neigh_addr(const struct ixg_ctr_names *n, uint32_t entity, char *buf,
		   size_t len)
{
	const uint8_t *a = NULL;
	int v6 = entity % 2;

	if (n != NULL && entity / 2 < IXG_MAX_PEERS)
		a = n->peer_nh[entity / 2][v6];
	if (a == NULL) {
		snprintf(buf, len, "%s", v6 ? "ipv6" : "ipv4");
		return buf;
	}
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* Country code (see counters.h). Any thread. */
const char *
ixg_ctr_country(const struct ixg_ctr_names *n, unsigned idx, char out[3])
{
	ixg_cc_t cc = 0;

	if (n != NULL && n->countries != NULL && idx < n->n_countries)
		cc = n->countries[idx];
	if (idx == IXG_COUNTRY_UNKNOWN && cc == 0)
		cc = IXG_CC('-', '-');
	out[0] = (char)(cc >> 8);
	out[1] = (char)(cc & 0xff);
	if (out[0] < ' ' || out[0] > '~' || out[1] < ' ' || out[1] > '~')
		out[0] = out[1] = '?';
	out[2] = '\0';
	return out;
}

/* -------------------------------------------------------------- values */

/* Source of one block. Any thread. */
void
ixg_ctr_src_one(struct ixg_ctr_src *src, const struct ixg_lcore_counters *c)
{
	memset(src, 0, sizeof(*src));
	src->one_ = c;
	src->blocks = &src->one_;
	src->n_blocks = 1;
}

static inline uint64_t
load(const struct ixg_lcore_counters *b, size_t off)
{
	/* The writer is another lcore doing plain adds: each 64-bit value
	 * must only be read untorn. */
	return __atomic_load_n((const uint64_t *)((const char *)b + off),
			       __ATOMIC_RELAXED);
}

static uint64_t
sum_at(const struct ixg_ctr_src *src, size_t off)
{
	uint64_t v = 0;

	for (unsigned b = 0; b < src->n_blocks; b++)
		if (src->blocks[b] != NULL)
			v += load(src->blocks[b], off);
	return v;
}

/*
 * A peer's rx and tx are its own fields plus its pair slots' counts in a
 * worker's block (IXG_CTR_PEER): the word of family f among rx packets,
 * rx bytes, tx packets, tx bytes (0..3), or -1 for another family.
 */
#define FOLD_AT offsetof(LC, peer[0].rx)
_Static_assert(offsetof(struct ixg_ctr_peer, tx) ==
			       offsetof(struct ixg_ctr_peer, rx) +
				       sizeof(struct ixg_ctr_pb) &&
		       offsetof(struct ixg_ctr_pb, bytes) == sizeof(uint64_t),
	       "a peer's rx then tx, packets then bytes: the fold's words");
static int
fold_word(const struct ixg_ctr_family *fam)
{
	if (fam->dim != IXG_CTR_DIM_PEER || fam->from != IXG_CTR_FROM_BLOCK ||
	    fam->offset < FOLD_AT || fam->offset >= FOLD_AT + 4 * 8)
		return -1;
	return (int)((fam->offset - FOLD_AT) / sizeof(uint64_t));
}

/* The slot's counts for its peers, in fold order: rx, rx, tx, tx (a
 * flagged side's 0); to *in and *out. */
static bool
fold_slot(const struct ixg_ctr_peer_pair *p, uint32_t *in, uint32_t *out,
	  uint64_t v[4])
{
	uint32_t key = __atomic_load_n(&p->key, __ATOMIC_ACQUIRE);
	uint64_t pk, by;

	if (key == 0)
		return false;
	pk = __atomic_load_n(&p->pb.packets, __ATOMIC_RELAXED);
	by = __atomic_load_n(&p->pb.bytes, __ATOMIC_RELAXED);
	*in = IXG_PEER_PAIR_IN(key);
	*out = IXG_PEER_PAIR_OUT(key);
	ixg_peer_pair_fold(key, pk, by, v);
	return true;
}

/* Word w (fold_word) of entity's pair slots over src's workers' blocks
 * (those not peers_folded): a scan of every slot. */
static uint64_t
fold_scan(const struct ixg_ctr_src *src, uint32_t entity, int w)
{
	uint64_t v = 0;

	for (unsigned b = 0; b < src->n_blocks; b++) {
		const LC *c = src->blocks[b];

		if (c == NULL || load(c, offsetof(LC, peers_folded)) != 0)
			continue;
		for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
			uint32_t in, out;
			uint64_t sv[4];

			if (fold_slot(&c->peer_pair[i], &in, &out, sv) &&
			    (w < 2 ? in : out) == entity)
				v += sv[w];
		}
	}
	return v;
}

/* Every peer's fold words (fold_word) over src's workers' blocks into
 * f[IXG_MAX_PEERS][4], added; whether any block was a worker's. */
static bool
fold_all(const struct ixg_ctr_src *src, uint64_t (*f)[4])
{
	bool any = false;

	for (unsigned b = 0; b < src->n_blocks; b++) {
		const LC *c = src->blocks[b];

		if (c == NULL || load(c, offsetof(LC, peers_folded)) != 0)
			continue;
		any = true;
		for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
			uint32_t in, out;
			uint64_t sv[4];

			if (!fold_slot(&c->peer_pair[i], &in, &out, sv))
				continue;
			f[in][0] += sv[0];
			f[in][1] += sv[1];
			f[out][2] += sv[2];
			f[out][3] += sv[3];
		}
	}
	return any;
}

/* See counters.h. Any thread. */
int
ixg_ctr_src_fold(struct ixg_ctr_src *src)
{
	uint64_t(*f)[4] = calloc(IXG_MAX_PEERS, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	ixg_ctr_src_unfold(src);
	fold_all(src, f);
	src->fold_ = f;
	return 0;
}

/* See counters.h. Any thread. */
void
ixg_ctr_src_unfold(struct ixg_ctr_src *src)
{
	free(src->fold_);
	src->fold_ = NULL;
}

/* ixg_ctr_value with fold the peers' pair counts (NULL: scanned). */
static uint64_t value_of(const struct ixg_ctr_src *src,
			 const uint64_t (*fold)[4], unsigned f, uint32_t entity,
			 unsigned sub);

/* One value (see counters.h). Any thread. */
uint64_t
ixg_ctr_value(const struct ixg_ctr_src *src, unsigned f, uint32_t entity,
	      unsigned sub)
{
	return value_of(src, (const uint64_t(*)[4])src->fold_, f, entity, sub);
}

static uint64_t
value_of(const struct ixg_ctr_src *src, const uint64_t (*fold)[4], unsigned f,
	 uint32_t entity, unsigned sub)
{
	const struct ixg_ctr_family *fam;
	size_t off;
	uint64_t v = 0;

	if (f >= IXG_CF_MAX)
		return 0;
	fam = &ixg_ctr_families[f];
	if (fam->dim == IXG_CTR_DIM_PEER_PAIR ||
	    fam->dim == IXG_CTR_DIM_BLACKHOLE_PEER ||
	    entity >= dim_size[fam->dim] || sub >= ixg_ctr_sub_count(fam->sub))
		return 0;
	off = fam->offset + (size_t)entity * fam->stride +
	      sub * sizeof(uint64_t);
	switch (fam->from) {
	case IXG_CTR_FROM_STATE:
		return src->state != NULL
			       ? *(const uint64_t *)((const char *)src->state +
						     fam->offset)
			       : 0;
	case IXG_CTR_FROM_SUM:
		for (unsigned r = 0; r < IXG_DROP_MAX; r++)
			v += sum_at(src, off + r * sizeof(uint64_t));
		return v;
	default: {
		int w = fold_word(fam);

		v = sum_at(src, off);
		if (w >= 0)
			v += fold != NULL ? fold[entity][w]
					  : fold_scan(src, entity, w);
		return v;
	}
	}
}

/* ---------------------------------------------------------------- walks */

struct ixg_ctr_walk {
	const struct ixg_ctr_src *src;
	const struct ixg_ctr_names *names;
	unsigned flags;
	uint64_t families;

	/* Position: family, entity iterator, entity, sub. */
	unsigned fam;
	uint32_t pos;
	uint32_t entity;
	unsigned sub;
	bool in_entity;

	/* Peer pairs of every block, merged and sorted by key; the same for
	 * blackholes by peer (one layout). */
	struct ixg_ctr_peer_pair *pairs;
	uint32_t n_pairs;
	struct ixg_ctr_peer_pair *bh_pairs;
	uint32_t n_bh_pairs;

	/* The peers' pair counts in the workers' blocks (fold_all), when
	 * the walk has peers and src such a block; else NULL. */
	uint64_t (*fold)[4];

	/* Blackholes: index in the names' list by id (UINT32_MAX none),
	 * the ids already given, the named one being walked. */
	uint32_t *bh_index;
	uint8_t bh_seen[IXG_MAX_BLACKHOLES / 8];
	const struct ixg_spec_blackhole *bh;
	char origin[IXG_CTR_ORIGIN_LEN];

	/* ACL rules: the configured one being walked (for its name), and
	 * the ids already given (a rule for both families has one id). */
	const struct ixg_spec_acl_rule *rule;
	uint8_t acl_seen[IXG_MAX_ACL_RULES / 8];

	/* Next-hop groups: index + 1 in the names' list by id (0: none). */
	uint32_t nhg_index[IXG_MAX_NHGROUPS];

	char label[IXG_CTR_MAX_LABELS][IXG_CTR_LABEL_LEN];
};

static int
pair_key_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ixg_ctr_peer_pair *)a)->key;
	uint32_t y = ((const struct ixg_ctr_peer_pair *)b)->key;

	return (x > y) - (x < y);
}

/* Every block's pairs of the table at byte offset `table` (`slots`
 * slots), merged by key, sorted, into *out / *n_out; keys with a bit of
 * `skip` are none. 0 or -ENOMEM. */
static int
pairs_merge(const struct ixg_ctr_src *src, size_t table, uint32_t slots,
	    uint32_t skip, struct ixg_ctr_peer_pair **out_pairs,
	    uint32_t *n_out)
{
	struct ixg_ctr_peer_pair *pairs;
	uint32_t n = 0, cap = 0, out = 0;

	for (unsigned b = 0; b < src->n_blocks; b++) {
		const struct ixg_ctr_peer_pair *t =
			src->blocks[b] == NULL
				? NULL
				: (const void *)((const char *)src->blocks[b] +
						 table);

		for (uint32_t i = 0; t != NULL && i < slots; i++) {
			uint32_t key = __atomic_load_n(&t[i].key,
						       __ATOMIC_RELAXED);

			cap += key != 0 && !(key & skip);
		}
	}
	pairs = malloc(sizeof(*pairs) * (cap ? cap : 1));
	if (pairs == NULL)
		return -ENOMEM;
	for (unsigned b = 0; b < src->n_blocks; b++) {
		const struct ixg_ctr_peer_pair *t =
			src->blocks[b] == NULL
				? NULL
				: (const void *)((const char *)src->blocks[b] +
						 table);

		for (uint32_t i = 0; t != NULL && i < slots; i++) {
			const struct ixg_ctr_peer_pair *p = &t[i];
			uint32_t key = __atomic_load_n(&p->key,
						       __ATOMIC_ACQUIRE);

			/* A slot claimed since the count: next read. */
			if (key == 0 || (key & skip) || n == cap)
				continue;
			pairs[n].key = key;
			pairs[n]._pad = 0;
			pairs[n]._pad2 = 0;
			pairs[n].pb.packets = __atomic_load_n(&p->pb.packets,
							      __ATOMIC_RELAXED);
			pairs[n].pb.bytes = __atomic_load_n(&p->pb.bytes,
							    __ATOMIC_RELAXED);
			n++;
		}
	}
	qsort(pairs, n, sizeof(*pairs), pair_key_cmp);
	for (uint32_t i = 0; i < n; i++) {
		if (out > 0 && pairs[out - 1].key == pairs[i].key) {
			pairs[out - 1].pb.packets += pairs[i].pb.packets;
			pairs[out - 1].pb.bytes += pairs[i].pb.bytes;
		} else {
			pairs[out++] = pairs[i];
		}
	}
	*out_pairs = pairs;
	*n_out = out;
	return 0;
}

/* Does the walk cover a family of dim? */
static bool
walks_dim(const struct ixg_ctr_walk *w, unsigned dim)
{
	for (unsigned f = dim_first[dim]; f < dim_end[dim]; f++)
		if (w->families & (UINT64_C(1) << f))
			return true;
	return false;
}

/* A walk (see counters.h). Any thread. */
struct ixg_ctr_walk *
ixg_ctr_walk_new(const struct ixg_ctr_src *src,
		 const struct ixg_ctr_names *names, unsigned flags,
		 uint64_t families)
{
	struct ixg_ctr_walk *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->src = src;
	w->names = names;
	w->flags = flags;
	w->families = families != 0 ? families : ~(uint64_t)0;
	if (walks_dim(w, IXG_CTR_DIM_PEER_PAIR) &&
	    pairs_merge(src, offsetof(LC, peer_pair), IXG_PEER_PAIR_SLOTS,
			IXG_PEER_PAIR_NO_IN | IXG_PEER_PAIR_NO_OUT, &w->pairs,
			&w->n_pairs) < 0)
		goto nomem;
	if (walks_dim(w, IXG_CTR_DIM_PEER) && src->fold_ == NULL) {
		w->fold = calloc(IXG_MAX_PEERS, sizeof(*w->fold));
		if (w->fold == NULL)
			goto nomem;
		if (!fold_all(src, w->fold)) {
			free(w->fold);
			w->fold = NULL;
		}
	}
	if (walks_dim(w, IXG_CTR_DIM_BLACKHOLE_PEER) &&
	    pairs_merge(src, offsetof(LC, blackhole_peer), IXG_BH_PEER_SLOTS, 0,
			&w->bh_pairs, &w->n_bh_pairs) < 0)
		goto nomem;
	if ((walks_dim(w, IXG_CTR_DIM_BLACKHOLE) ||
	     walks_dim(w, IXG_CTR_DIM_BLACKHOLE_PEER)) &&
	    names != NULL && names->n_blackholes > 0) {
		w->bh_index = malloc(IXG_MAX_BLACKHOLES * sizeof(*w->bh_index));
		if (w->bh_index == NULL)
			goto nomem;
		memset(w->bh_index, 0xff,
		       IXG_MAX_BLACKHOLES * sizeof(*w->bh_index));
		for (uint32_t i = names->n_blackholes; i-- > 0;)
			w->bh_index[names->blackholes[i].id %
				    IXG_MAX_BLACKHOLES] = i;
	}
	for (uint32_t i = 0; names != NULL && i < names->n_nhgroups; i++)
		if (names->nhgroups[i].id < IXG_MAX_NHGROUPS)
			w->nhg_index[names->nhgroups[i].id] = i + 1;
	return w;
nomem:
	ixg_ctr_walk_free(w);
	errno = ENOMEM;
	return NULL;
}

/* Free a walk. Any thread. */
void
ixg_ctr_walk_free(struct ixg_ctr_walk *w)
{
	if (w == NULL)
		return;
	free(w->pairs);
	free(w->bh_pairs);
	free(w->fold);
	free(w->bh_index);
	free(w);
}

/* Back to the first family. */
void
ixg_ctr_walk_rewind(struct ixg_ctr_walk *w)
{
	w->fam = 0;
	w->pos = 0;
	w->in_entity = false;
}

/* The pair of `key` in a merged list, or NULL. */
static const struct ixg_ctr_peer_pair *
pair_find(const struct ixg_ctr_peer_pair *pairs, uint32_t n, uint32_t key)
{
	struct ixg_ctr_peer_pair k = {.key = key};

	if (pairs == NULL)
		return NULL;
	return bsearch(&k, pairs, n, sizeof(k), pair_key_cmp);
}

/* The named blackhole of id, or NULL. */
static const struct ixg_spec_blackhole *
bh_named(const struct ixg_ctr_walk *w, uint32_t id)
{
	uint32_t i;

	if (w->bh_index == NULL || id >= IXG_MAX_BLACKHOLES)
		return NULL;
	i = w->bh_index[id];
	return i < w->names->n_blackholes ? &w->names->blackholes[i] : NULL;
}

/* A value of the walk's blocks, the peers' pair counts from its fold. */
static uint64_t
walk_src_value(const struct ixg_ctr_walk *w, unsigned f, uint32_t entity,
	       unsigned sub)
{
	return value_of(w->src,
			(const uint64_t(*)[4])(w->fold != NULL ? w->fold
							       : w->src->fold_),
			f, entity, sub);
}

/* A value within a walk (see counters.h). */
uint64_t
ixg_ctr_walk_value(const struct ixg_ctr_walk *w, unsigned f, uint32_t entity,
		   unsigned sub)
{
	if (f < IXG_CF_MAX &&
	    (ixg_ctr_families[f].dim == IXG_CTR_DIM_PEER_PAIR ||
	     ixg_ctr_families[f].dim == IXG_CTR_DIM_BLACKHOLE_PEER)) {
		const struct ixg_ctr_peer_pair *p =
			ixg_ctr_families[f].dim == IXG_CTR_DIM_PEER_PAIR
				? pair_find(w->pairs, w->n_pairs, entity)
				: pair_find(w->bh_pairs, w->n_bh_pairs, entity);

		return p != NULL
			       ? *(const uint64_t *)((const char *)p +
						     ixg_ctr_families[f].offset)
			       : 0;
	}
	return walk_src_value(w, f, entity, sub);
}

/* Any value of the entity's families not 0? */
static bool
entity_nonzero(const struct ixg_ctr_walk *w, unsigned dim, uint32_t entity)
{
	for (unsigned f = dim_first[dim]; f < dim_end[dim]; f++) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[f];

		if (fam->from != IXG_CTR_FROM_BLOCK)
			continue;
		for (unsigned s = 0; s < ixg_ctr_sub_count(fam->sub); s++)
			if (walk_src_value(w, f, entity, s) != 0)
				return true;
	}
	return false;
}

static bool
seen_in(uint8_t *set, uint32_t id, bool mark)
{
	bool was = set[id / 8] & (1u << (id % 8));

	if (mark)
		set[id / 8] |= (uint8_t)(1u << (id % 8));
	return was;
}

static bool
seen(struct ixg_ctr_walk *w, uint32_t id, bool mark)
{
	return seen_in(w->acl_seen, id, mark);
}

/* The next entity of dim (see counters.h). */
bool
ixg_ctr_walk_entity(struct ixg_ctr_walk *w, unsigned dim, uint32_t *pos,
		    uint32_t *entity)
{
	const struct ixg_ctr_names *n = w->names;
	uint32_t i;

	switch (dim) {
	case IXG_CTR_DIM_NODE:
		if (*pos > 0)
			return false;
		*pos = 1;
		*entity = 0;
		return true;
	case IXG_CTR_DIM_PORT:
	case IXG_CTR_DIM_PEER:
	case IXG_CTR_DIM_CLASS:
	case IXG_CTR_DIM_COUNTRY_PAIR:
	case IXG_CTR_DIM_NEIGH:
	case IXG_CTR_DIM_NHGROUP:
		i = *pos;
		if (dim == IXG_CTR_DIM_PEER && i == 0)
			i = 1; /* peer 0 is "none" */
		if (dim == IXG_CTR_DIM_NEIGH && i < 2)
			i = 2; /* peer 0's */
		for (; i < dim_size[dim]; i++) {
			bool named = false;

			if (n != NULL && dim == IXG_CTR_DIM_PORT)
				named = n->port[i] != NULL;
			else if (n != NULL && dim == IXG_CTR_DIM_PEER)
				named = n->peer[i] != NULL;
			else if (dim == IXG_CTR_DIM_CLASS)
				named = i == 0 ||
					(n != NULL && n->class_[i] != NULL);
			else if (n != NULL && dim == IXG_CTR_DIM_NEIGH)
				named = n->peer_nh[i / 2][i % 2] != NULL;
			else if (dim == IXG_CTR_DIM_NHGROUP)
				named = w->nhg_index[i] != 0;
			if (named || entity_nonzero(w, dim, i)) {
				*pos = i + 1;
				*entity = i;
				return true;
			}
		}
		*pos = i;
		return false;
	case IXG_CTR_DIM_PEER_PAIR:
		if (*pos >= w->n_pairs)
			return false;
		*entity = w->pairs[(*pos)++].key;
		return true;
	case IXG_CTR_DIM_ACL_RULE: {
		uint32_t nr = n != NULL ? n->n_rules : 0;

		if (*pos == 0)
			memset(w->acl_seen, 0, sizeof(w->acl_seen));
		/* The configured rules first, once per id. */
		while (*pos < nr) {
			const struct ixg_spec_acl_rule *r = &n->rules[(*pos)++];

			if (r->id >= IXG_MAX_ACL_RULES || seen(w, r->id, true))
				continue;
			w->rule = r;
			*entity = r->id;
			return true;
		}
		/* Then hits on ids they do not list (a reader whose names
		 * are older than the dataplane's rules). */
		w->rule = NULL;
		for (i = *pos - nr + 1; i < IXG_MAX_ACL_RULES; i++)
			if (!seen(w, i, false) && entity_nonzero(w, dim, i)) {
				*pos = nr + i;
				*entity = i;
				return true;
			}
		*pos = nr + IXG_MAX_ACL_RULES;
		return false;
	}
	case IXG_CTR_DIM_BLACKHOLE: {
		uint32_t nb = n != NULL ? n->n_blackholes : 0;

		if (*pos == 0)
			memset(w->bh_seen, 0, sizeof(w->bh_seen));
		/* The configured blackholes first, once per id. */
		while (*pos < nb) {
			const struct ixg_spec_blackhole *h =
				&n->blackholes[(*pos)++];

			if (seen_in(w->bh_seen, h->id, true))
				continue;
			w->bh = h;
			*entity = h->id;
			return true;
		}
		/* Then drops on ids they do not list (names older than the
		 * dataplane's blackholes). */
		w->bh = NULL;
		for (i = *pos - nb; i < IXG_MAX_BLACKHOLES; i++)
			if (!seen_in(w->bh_seen, i, false) &&
			    entity_nonzero(w, dim, i)) {
				*pos = nb + i + 1;
				*entity = i;
				return true;
			}
		*pos = nb + IXG_MAX_BLACKHOLES;
		return false;
	}
	case IXG_CTR_DIM_BLACKHOLE_PEER:
		if (*pos >= w->n_bh_pairs)
			return false;
		*entity = w->bh_pairs[(*pos)++].key;
		return true;
	default: return false;
	}
}

/* The name an entity is keyed by (see counters.h). */
const char *
ixg_ctr_entity_name(const struct ixg_ctr_walk *w, unsigned dim, uint32_t entity,
		    char *buf, size_t len)
{
	const struct ixg_ctr_names *n = w->names;
	char a[IXG_NAME_LEN + 8], b[IXG_NAME_LEN + 8];

	switch (dim) {
	case IXG_CTR_DIM_PORT:
		if (n != NULL && entity < IXG_MAX_PORTS &&
		    n->port[entity] != NULL)
			return n->port[entity];
		break;
	case IXG_CTR_DIM_PEER: return ixg_ctr_peer_name(n, entity, buf, len);
	case IXG_CTR_DIM_CLASS:
		if (entity == 0)
			return "default";
		if (n != NULL && entity < IXG_MAX_CLASSES &&
		    n->class_[entity] != NULL)
			return n->class_[entity];
		break;
	case IXG_CTR_DIM_COUNTRY_PAIR: {
		char x[3], y[3];

		snprintf(buf, len, "%s>%s",
			 ixg_ctr_country(n, entity / IXG_MAX_COUNTRIES, x),
			 ixg_ctr_country(n, entity % IXG_MAX_COUNTRIES, y));
		return buf;
	}
	case IXG_CTR_DIM_PEER_PAIR:
		snprintf(buf, len, "%s>%s",
			 ixg_ctr_peer_name(n, entity >> 16, a, sizeof(a)),
			 ixg_ctr_peer_name(n, entity & 0xffff, b, sizeof(b)));
		return buf;
	case IXG_CTR_DIM_ACL_RULE:
	case IXG_CTR_DIM_NHGROUP:
		snprintf(buf, len, "%" PRIu32, entity);
		return buf;
	case IXG_CTR_DIM_BLACKHOLE:
	case IXG_CTR_DIM_BLACKHOLE_PEER: {
		uint32_t id = dim == IXG_CTR_DIM_BLACKHOLE
				      ? entity
				      : IXG_BH_PEER_ID(entity);
		const struct ixg_spec_blackhole *h = bh_named(w, id);
		char p[64];

		if (h != NULL)
			ixg_ctr_bh_prefix(h, p, sizeof(p));
		else
			snprintf(p, sizeof(p), "#%" PRIu32, id);
		if (dim == IXG_CTR_DIM_BLACKHOLE)
			snprintf(buf, len, "%s", p);
		else
			snprintf(buf, len, "%s>%s", p,
				 ixg_ctr_peer_name(n, IXG_BH_PEER_PEER(entity),
						   a, sizeof(a)));
		return buf;
	}
	case IXG_CTR_DIM_NEIGH: {
		char ad[IXG_CTR_LABEL_LEN];

		snprintf(buf, len, "%s/%s",
			 ixg_ctr_peer_name(n, entity / 2, a, sizeof(a)),
			 ixg_ctr_neigh_addr(n, entity, ad, sizeof(ad)));
		return buf;
	}
	default: break;
	}
	snprintf(buf, len, "#%" PRIu32, entity);
	return buf;
}

/* See counters.h. */
const char *
ixg_ctr_nhg_members(const struct ixg_ctr_walk *w, uint32_t id, char *buf,
		    size_t len)
{
	const struct ixg_spec_nhgroup *g;
	size_t l = 0;

	buf[0] = '\0';
	if (id >= IXG_MAX_NHGROUPS || w->nhg_index[id] == 0)
		return buf;
	g = &w->names->nhgroups[w->nhg_index[id] - 1];
	for (unsigned k = 0;
	     k < g->n_members && k < IXG_NHG_MAX_MEMBERS && l < len; k++) {
		char nb[IXG_NAME_LEN + 8];
		int r = snprintf(buf + l, len - l, "%s%s:%u", k ? "," : "",
				 ixg_ctr_peer_name(w->names, g->peer_id[k], nb,
						   sizeof(nb)),
				 g->weight[k]);

		if (r < 0)
			break;
		l += (size_t)r;
	}
	return buf;
}

/* Labels of the series (entity, sub) of family f into s. */
static void
labels(struct ixg_ctr_walk *w, const struct ixg_ctr_family *fam,
       uint32_t entity, unsigned sub, struct ixg_ctr_series *s)
{
	const struct ixg_ctr_names *n = w->names;
	const char *const *ln = ixg_ctr_dim_labels[fam->dim];
	char(*v)[IXG_CTR_LABEL_LEN] = w->label;
	unsigned k = 0;

	for (; ln[k] != NULL; k++)
		s->label_names[k] = ln[k];
	switch (fam->dim) {
	case IXG_CTR_DIM_PORT:
		s->label_values[0] = ixg_ctr_entity_name(w, fam->dim, entity,
							 v[0], sizeof(v[0]));
		break;
	case IXG_CTR_DIM_PEER: {
		bool known = n != NULL && entity < IXG_MAX_PEERS &&
			     n->peer[entity] != NULL;

		s->label_values[0] = ixg_ctr_peer_name(n, entity, v[0],
						       sizeof(v[0]));
		v[1][0] = '\0';
		v[2][0] = '\0';
		if (known) {
			snprintf(v[1], sizeof(v[1]), "%" PRIu32,
				 n->peer_asn[entity]);
			ixg_ctr_country(n, n->peer_country[entity], v[2]);
		}
		s->label_values[1] = v[1];
		s->label_values[2] = v[2];
		break;
	}
	case IXG_CTR_DIM_COUNTRY_PAIR:
		s->label_values[0] = ixg_ctr_country(
			n, entity / IXG_MAX_COUNTRIES, v[0]);
		s->label_values[1] = ixg_ctr_country(
			n, entity % IXG_MAX_COUNTRIES, v[1]);
		break;
	case IXG_CTR_DIM_PEER_PAIR:
		s->label_values[0] = ixg_ctr_peer_name(n, entity >> 16, v[0],
						       sizeof(v[0]));
		s->label_values[1] = ixg_ctr_peer_name(n, entity & 0xffff, v[1],
						       sizeof(v[1]));
		break;
	case IXG_CTR_DIM_ACL_RULE:
		snprintf(v[0], sizeof(v[0]), "%" PRIu32, entity);
		s->label_values[0] = v[0];
		s->label_values[1] = w->rule != NULL && w->rule->id == entity
					     ? w->rule->name
					     : "";
		break;
	case IXG_CTR_DIM_CLASS:
		s->label_values[0] = ixg_ctr_entity_name(w, fam->dim, entity,
							 v[0], sizeof(v[0]));
		break;
	case IXG_CTR_DIM_BLACKHOLE:
	case IXG_CTR_DIM_BLACKHOLE_PEER: {
		uint32_t id = fam->dim == IXG_CTR_DIM_BLACKHOLE
				      ? entity
				      : IXG_BH_PEER_ID(entity);
		const struct ixg_spec_blackhole *h = bh_named(w, id);

		if (h != NULL) {
			s->label_values[0] = ixg_ctr_bh_prefix(h, v[0],
							       sizeof(v[0]));
			s->label_values[1] = ixg_ctr_bh_origin(
				n, h, w->origin, sizeof(w->origin));
		} else {
			snprintf(v[0], sizeof(v[0]), "#%" PRIu32, id);
			s->label_values[0] = v[0];
			s->label_values[1] = "";
		}
		if (fam->dim == IXG_CTR_DIM_BLACKHOLE_PEER)
			s->label_values[2] = ixg_ctr_peer_name(
				n, IXG_BH_PEER_PEER(entity), v[2],
				sizeof(v[2]));
		break;
	}
	case IXG_CTR_DIM_NEIGH:
		s->label_values[0] = ixg_ctr_peer_name(n, entity / 2, v[0],
						       sizeof(v[0]));
		s->label_values[1] = ixg_ctr_neigh_addr(n, entity, v[1],
							sizeof(v[1]));
		break;
	case IXG_CTR_DIM_NHGROUP:
		snprintf(v[0], sizeof(v[0]), "%" PRIu32, entity);
		s->label_values[0] = v[0];
		s->label_values[1] = ixg_ctr_nhg_members(w, entity, v[1],
							 sizeof(v[1]));
		break;
	default: break;
	}
	if (fam->sub != IXG_CTR_SUB_NONE) {
		s->label_names[k] = ixg_ctr_sub_label(fam->sub);
		s->label_values[k] = ixg_ctr_sub_name(fam->sub, sub);
		k++;
	}
	s->n_labels = k;
}

/* Is family f walked at all? */
static bool
walked(const struct ixg_ctr_walk *w, unsigned f)
{
	const struct ixg_ctr_family *fam = &ixg_ctr_families[f];

	if (!(w->families & (UINT64_C(1) << f)))
		return false;
	if ((w->flags & IXG_CTR_WALK_METRICS) && !fam->metric)
		return false;
	return fam->from != IXG_CTR_FROM_STATE || w->src->state != NULL;
}

/* The next series (see counters.h). */
bool
ixg_ctr_walk_next(struct ixg_ctr_walk *w, struct ixg_ctr_series *s)
{
	while (w->fam < IXG_CF_MAX) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[w->fam];
		uint64_t v;

		if (!walked(w, w->fam)) {
			w->fam++;
			continue;
		}
		if (!w->in_entity) {
			if (!ixg_ctr_walk_entity(w, fam->dim, &w->pos,
						 &w->entity)) {
				w->fam++;
				w->pos = 0;
				continue;
			}
			w->in_entity = true;
			w->sub = 0;
		}
		if (w->sub >= ixg_ctr_sub_count(fam->sub)) {
			w->in_entity = false;
			continue;
		}
		v = ixg_ctr_walk_value(w, w->fam, w->entity, w->sub);
		w->sub++;
		if (v == 0 && (w->flags & IXG_CTR_WALK_NONZERO))
			continue;
		s->fam = fam;
		s->fam_id = w->fam;
		s->entity = w->entity;
		s->sub = w->sub - 1;
		s->value = v;
		labels(w, fam, s->entity, s->sub, s);
		return true;
	}
	return false;
}
