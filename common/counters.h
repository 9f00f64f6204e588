/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * counters.h - the counter families declared in ixg_api.h (IXG_CTR_NODE,
 * IXG_CTR_PORT, ...) as data every output iterates: name, help, unit, type,
 * labels, and how to read each value from the per-lcore blocks (summed
 * over them). Renderers walk families -> series (label values, value)
 * without allocating per series:
 *
 *     struct ixg_ctr_walk *w = ixg_ctr_walk_new(&src, names, flags);
 *     struct ixg_ctr_series s;
 *     while (ixg_ctr_walk_next(w, &s))
 *             emit(s.fam->name, s.label_names, s.label_values, s.value);
 *     ixg_ctr_walk_free(w);
 *
 * The Prometheus exporter prints "ixgate_" + fam->name; the stats JSON,
 * ixgatectl and DPDK telemetry use fam->key inside their objects.
 *
 * Label names and values come from a struct ixg_ctr_names, which anything
 * that knows the configuration fills: the control daemon and the dataplane
 * from their struct ixg_spec (ixg_ctr_names_from_spec), a test by hand.
 *
 * Plain C, no DPDK: linked by both processes and the tools. Readers only.
 */
#ifndef IXG_COUNTERS_H
#define IXG_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixg_api.h"

/*
 * The dataplane's state as gauges (not in the counter blocks: the reader
 * gets them from the API's HELLO/STATE, or the dataplane from its
 * runtime). Same X(...) form as ixg_api.h; kind STATE is a uint64_t of
 * struct ixg_ctr_state.
 */
#define IXG_CTR_STATE(X)                                                       \
	X(STATE, generation, , "generation", config_generation, GAUGE, "",     \
	  "Tables generation the dataplane runs (one more per commit)")        \
	X(STATE, workers, , "workers", dataplane_workers, GAUGE, "",           \
	  "Worker lcores forwarding")                                          \
	X(STATE, headless, , "headless", dataplane_headless, GAUGE, "",        \
	  "1 while no control plane is connected (the dataplane forwards "     \
	  "with its last tables)")                                             \
	X(STATE, start_unix, , "start_unix", dataplane_start_time_seconds,     \
	  GAUGE, "seconds",                                                    \
	  "When the dataplane started (unix time): counters restart from 0 "   \
	  "when it changes")

#define IXG_CTR_FIELD_STATE(f) uint64_t f;
struct ixg_ctr_state {
	IXG_CTR_STATE(IXG_CTR_FIELD)
};

/* Every family, in output order: node totals, state, per port, per peer,
 * country pairs, peer pairs, ACL rules, classes, blackholes, blackholes by
 * ingress peer, neighbours. */
enum ixg_ctr_family_id {
#define IXG_X(kind, field, member, key, name, ...) IXG_CF_##name,
	IXG_CTR_NODE(IXG_X) IXG_CTR_STATE(IXG_X) IXG_CTR_PORT(IXG_X)
		IXG_CTR_PEER(IXG_X) IXG_CTR_COUNTRY_PAIR(IXG_X)
			IXG_CTR_PEER_PAIR(IXG_X) IXG_CTR_ACL_RULE(IXG_X)
				IXG_CTR_CLASS(IXG_X) IXG_CTR_BLACKHOLE(IXG_X)
					IXG_CTR_BLACKHOLE_PEER(IXG_X)
						IXG_CTR_NEIGH(IXG_X)
							IXG_CTR_NHGROUP(IXG_X)
#undef IXG_X
								IXG_CF_MAX
};

enum ixg_ctr_type { IXG_CTR_COUNTER, IXG_CTR_GAUGE };

/* What one series of a family stands for (its labels). */
enum ixg_ctr_dim {
	IXG_CTR_DIM_NODE, /* one series (or one per reason) */
	IXG_CTR_DIM_PORT, /* port id: label port */
	IXG_CTR_DIM_PEER, /* peer id: labels peer, asn, country */
	IXG_CTR_DIM_COUNTRY_PAIR, /* src * 256 + dst: src_country, dst_country */
	IXG_CTR_DIM_PEER_PAIR, /* in << 16 | out: src_peer, dst_peer */
	IXG_CTR_DIM_ACL_RULE, /* rule id: rule, rule_name */
	IXG_CTR_DIM_CLASS, /* class id: class */
	IXG_CTR_DIM_BLACKHOLE, /* blackhole id: prefix, origin */
	/* IXG_BH_PEER_KEY(id, peer): prefix, origin, peer */
	IXG_CTR_DIM_BLACKHOLE_PEER,
	IXG_CTR_DIM_NEIGH, /* peer id * 2 + IPv6: peer, address */
	IXG_CTR_DIM_NHGROUP, /* next-hop group id: group, members */
	IXG_CTR_DIM_MAX,
};

/* A second label inside an entity: none, "reason" or "colour". */
enum ixg_ctr_sub {
	IXG_CTR_SUB_NONE,
	IXG_CTR_SUB_REASON, /* IXG_DROP_MAX values */
	IXG_CTR_SUB_COLOUR, /* green, yellow, red */
};

/* Where a family's values are. */
enum ixg_ctr_from {
	IXG_CTR_FROM_BLOCK, /* a uint64_t in each block, summed */
	IXG_CTR_FROM_SUM, /* the sum over the reasons of a REASONS field */
	IXG_CTR_FROM_STATE, /* a field of struct ixg_ctr_state */
};

struct ixg_ctr_family {
	const char *name; /* metric name without "ixgate_" */
	const char *key; /* JSON key inside its object */
	const char *help;
	const char *unit; /* "packets", "bytes", "seconds" or "" */
	uint8_t type; /* enum ixg_ctr_type */
	uint8_t dim; /* enum ixg_ctr_dim */
	uint8_t sub; /* enum ixg_ctr_sub */
	uint8_t from; /* enum ixg_ctr_from */
	bool metric; /* exported by metric exporters (SUM families are not) */
	uint32_t offset; /* bytes: entity 0, sub 0, in a block (or state) */
	uint32_t stride; /* bytes between two entities */
};

extern const struct ixg_ctr_family ixg_ctr_families[IXG_CF_MAX];

/* Label names of a dimension (NULL-terminated, at most 3), and of a sub. */
extern const char *const ixg_ctr_dim_labels[IXG_CTR_DIM_MAX][4];
/* The key of a dimension's object in the stats JSON ("ports", ...; NULL
 * for the node). */
extern const char *const ixg_ctr_dim_json[IXG_CTR_DIM_MAX];
const char *ixg_ctr_sub_label(unsigned sub);
/* Number of values under one entity: IXG_DROP_MAX, 3 or 1. */
unsigned ixg_ctr_sub_count(unsigned sub);
/* Name of value i of a sub ("no_route", "green"); NULL if out of range. */
const char *ixg_ctr_sub_name(unsigned sub, unsigned i);
/* "green", "yellow", "red" (enum colour in dataplane/pipeline.h). */
const char *ixg_colour_name(unsigned colour);

/* The family named `name` (metric name, "ixgate_" optional), or NULL. */
const struct ixg_ctr_family *ixg_ctr_family_by_name(const char *name);

/* ---------------------------------------------------------------- names */

/*
 * Names of what the counters count, by id. Pointers into the supplier's
 * memory (a spec): valid while it is. Any field may be NULL / 0: unnamed
 * entities print as "#id".
 */
struct ixg_ctr_names {
	const char *node;
	const char *port[IXG_MAX_PORTS];
	/* The port's device as DPDK names it (rte_eth_dev_get_name_by_port:
	 * what dpdk-dumpcap -i takes); NULL when unknown. */
	const char *port_device[IXG_MAX_PORTS];
	const char *peer[IXG_MAX_PEERS];
	uint32_t peer_asn[IXG_MAX_PEERS];
	uint16_t peer_country[IXG_MAX_PEERS]; /* index into countries */
	/* Its next hops ([0] IPv4, [1] IPv6, network order; NULL: none):
	 * the neighbours (IXG_CTR_DIM_NEIGH). */
	const uint8_t *peer_nh[IXG_MAX_PEERS][2];
	const char *class_[IXG_MAX_CLASSES];
	const ixg_cc_t *countries; /* by country index; [0] is "--" */
	uint32_t n_countries;
	/* Configured ACL rules in the spec's order (a rule for both families
	 * appears twice with one id). */
	const struct ixg_spec_acl_rule *rules;
	uint32_t n_rules;
	/* Configured blackholes in the spec's order (their ids label the
	 * blackhole families), and what writes a blackhole's origin label:
	 * NULL gives "kernel" (IXG_ORIGIN_KERNEL) or "origin N"; a reader that
	 * knows the config sets it (file:line:col, kernel table). Returns
	 * buf or a string that lives as long as the names. */
	const struct ixg_spec_blackhole *blackholes;
	uint32_t n_blackholes;
	/* The ECMP next-hop groups (their ids label the nhgroup families,
	 * their members the "members" label: "peer:weight,..."). */
	const struct ixg_spec_nhgroup *nhgroups;
	uint32_t n_nhgroups;
	const char *(*bh_origin)(const void *arg,
				 const struct ixg_spec_blackhole *h, char *buf,
				 size_t len);
	const void *bh_origin_arg;
};

/* Fill n (entirely overwritten) from a spec; spec NULL leaves every name
 * unset. n points into spec afterwards. Any thread. */
void ixg_ctr_names_from_spec(struct ixg_ctr_names *n,
			     const struct ixg_spec *spec);

/* The struct ixg_ctr_ports the dataplane writes after n_blocks counter
 * blocks in a counters region of `size` bytes, or NULL when it is not
 * there (yet). Acquire load of its magic: any thread. */
const struct ixg_ctr_ports *ixg_ctr_ports_of(const void *region, size_t size,
					     unsigned n_blocks);

/* Point n->port_device[] at the device names of p (p may be NULL). n
 * then points into p. Any thread. */
void ixg_ctr_names_devices(struct ixg_ctr_names *n,
			   const struct ixg_ctr_ports *p);

/* Peer name: "-" for id 0, the name, or "#id" written in buf. */
const char *ixg_ctr_peer_name(const struct ixg_ctr_names *n, unsigned id,
			      char *buf, size_t len);
/* A blackhole's prefix ("192.0.2.0/24", "2001:db8::/48") into buf (at
 * least 48 bytes). Returns buf. Any thread. */
const char *ixg_ctr_bh_prefix(const struct ixg_spec_blackhole *h, char *buf,
			      size_t len);
/* A next-hop group's "members" label within walk w: "peer:weight" of each
 * member, comma-separated, as the walk's names give them ("" for a group
 * they lack; cut at len - 1 bytes). Returns buf. */
struct ixg_ctr_walk;
const char *ixg_ctr_nhg_members(const struct ixg_ctr_walk *w, uint32_t id,
				char *buf, size_t len);
/* A blackhole's origin label as names says (see bh_origin). */
const char *ixg_ctr_bh_origin(const struct ixg_ctr_names *n,
			      const struct ixg_spec_blackhole *h, char *buf,
			      size_t len);
/* A neighbour's address (entity peer * 2 + IPv6) into buf (at least
 * 46 bytes): "192.0.2.2", or "ipv4"/"ipv6" when the names do not know it.
 * Returns buf. */
const char *ixg_ctr_neigh_addr(const struct ixg_ctr_names *n, uint32_t entity,
			       char *buf, size_t len);
/* Two-letter code of country index idx into out: "--" unknown, "??" when
 * the index has no printable code. Returns out. */
const char *ixg_ctr_country(const struct ixg_ctr_names *n, unsigned idx,
			    char out[3]);

/* -------------------------------------------------------------- sources */

/*
 * The blocks values are summed over, and the state gauges. A block is a
 * worker's (a peer's rx and tx then lack its pair slots' counts, which
 * the reads add: IXG_CTR_PEER) or a sum (stats_sum, peers_folded).
 */
struct ixg_ctr_src {
	const struct ixg_lcore_counters *const *blocks;
	unsigned n_blocks;
	const struct ixg_ctr_state *state; /* NULL: state families empty */
	const struct ixg_lcore_counters *one_; /* see ixg_ctr_src_one */
	/* The peers' pair counts of the workers' blocks, [peer][rx packets,
	 * rx bytes, tx packets, tx bytes], as ixg_ctr_src_fold read them;
	 * NULL: each read of a peer's rx or tx scans every slot. */
	uint64_t (*fold_)[4];
};

/*
 * Read the peers' pair counts of src's workers' blocks once, for every
 * later ixg_ctr_value of a peer's rx or tx (a reader that reads many
 * peers of live blocks: telemetry); a walk does it itself. The values of
 * the peers' rx and tx then stay those of that moment. 0 or -ENOMEM.
 * Free with ixg_ctr_src_unfold. Any thread.
 */
int ixg_ctr_src_fold(struct ixg_ctr_src *src);
void ixg_ctr_src_unfold(struct ixg_ctr_src *src);

/* A source of one block (a sum already made, e.g. by stats_sum). */
void ixg_ctr_src_one(struct ixg_ctr_src *src,
		     const struct ixg_lcore_counters *c);

/*
 * One value of family f: entity as in enum ixg_ctr_dim, sub the reason or
 * colour (0 without). Relaxed 64-bit loads: safe while workers run.
 * Peer pairs are hash tables: use a walk (returns 0 here). Any thread.
 */
uint64_t ixg_ctr_value(const struct ixg_ctr_src *src, unsigned f,
		       uint32_t entity, unsigned sub);

/* ---------------------------------------------------------------- walks */

#define IXG_CTR_WALK_METRICS 0x1 /* only families with metric set */
#define IXG_CTR_WALK_NONZERO 0x2 /* only series whose value is not 0 */

#define IXG_CTR_MAX_LABELS 4
#define IXG_CTR_LABEL_LEN 48
#define IXG_CTR_ORIGIN_LEN 256 /* a blackhole's origin label */

/* One series: family, labels, value. Strings valid until the next call. */
struct ixg_ctr_series {
	const struct ixg_ctr_family *fam;
	unsigned fam_id; /* enum ixg_ctr_family_id */
	uint32_t entity;
	unsigned sub;
	unsigned n_labels;
	const char *label_names[IXG_CTR_MAX_LABELS];
	const char *label_values[IXG_CTR_MAX_LABELS];
	uint64_t value;
};

struct ixg_ctr_walk;

/*
 * A walk over the series of every family (of those in `families`, a
 * bitmask of 1 << IXG_CF_*; 0 means all), in family order. Which entities
 * have series: the node always; ports, peers, classes and neighbours the
 * names know or with a value not 0 (class 0, "default", always); ACL rules the names
 * list (in their order) then ids with hits the names do not know; country
 * pairs and peer pairs with a value not 0 (peer pairs: those any block
 * has a slot for); blackholes as ACL rules (the names' list, then ids
 * with drops), blackholes by peer as peer pairs. src and names must outlive the walk. Allocates once
 * (the walk, and the merged peer pairs when a pair family is walked).
 * NULL with errno ENOMEM. Any thread; one walk per thread.
 */
struct ixg_ctr_walk *ixg_ctr_walk_new(const struct ixg_ctr_src *src,
				      const struct ixg_ctr_names *names,
				      unsigned flags, uint64_t families);
void ixg_ctr_walk_free(struct ixg_ctr_walk *w);

/* The next series into *s; false at the end. */
bool ixg_ctr_walk_next(struct ixg_ctr_walk *w, struct ixg_ctr_series *s);

/* Start again from the first family (e.g. to page). */
void ixg_ctr_walk_rewind(struct ixg_ctr_walk *w);

/*
 * Entity-major access for outputs that group families by object (the
 * stats JSON, telemetry): every entity of dim with series, in the order
 * above. Start with *pos = 0; true with *entity set, false at the end.
 */
bool ixg_ctr_walk_entity(struct ixg_ctr_walk *w, unsigned dim, uint32_t *pos,
			 uint32_t *entity);

/* A value within a walk (peer pairs included). */
uint64_t ixg_ctr_walk_value(const struct ixg_ctr_walk *w, unsigned f,
			    uint32_t entity, unsigned sub);

/*
 * Name of an entity as the stats JSON keys it: port / peer / class name
 * ("#id" unknown; class 0 "default"), "CN>VN", "peerA>peerB", rule id.
 * Written into buf (at least 2 * IXG_NAME_LEN + 2 bytes) or a name.
 */
const char *ixg_ctr_entity_name(const struct ixg_ctr_walk *w, unsigned dim,
				uint32_t entity, char *buf, size_t len);

#endif /* IXG_COUNTERS_H */
