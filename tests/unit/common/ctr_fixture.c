/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctr_fixture.c - the fixed state of the counter golden files (see
 * ctr_fixture.h). Values are spread over several orders of magnitude so the
 * human units (k, M, G) all show, and split over the blocks so summing is
 * exercised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctr_fixture.h"
#include "ixg_conf.h"

/* Parse and compile show.conf (see ctr_fixture.h). */
struct ixg_conf *
ctr_fixture_spec(struct ixg_spec *spec)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;

	assert_non_null(d);
	assert_int_equal(chdir(CTR_FIXTURE_DIR), 0);
	c = ixg_conf_parse_file("show.conf", d);
	if (c == NULL || ixg_conf_compile(c, spec, d) != 0) {
		ixg_diags_print(d, stderr);
		fail_msg("show.conf does not compile");
	}
	ixg_diags_free(d);
	return c;
}

/* Zeroed aligned blocks (see ctr_fixture.h). */
struct ixg_lcore_counters *
ctr_fixture_blocks(unsigned n)
{
	struct ixg_lcore_counters *c = aligned_alloc(64, n * sizeof(*c));

	assert_non_null(c);
	memset(c, 0, n * sizeof(*c));
	return c;
}

/* The ports' DPDK names (see ctr_fixture.h). */
void
ctr_fixture_ports(struct ixg_ctr_ports *p)
{
	static const char *const dev[] = {"net_null0", "net_pcap0",
					  "0000:3b:00.0"};

	memset(p, 0, sizeof(*p));
	p->n_ports = IXG_MAX_PORTS;
	for (unsigned i = 0; i < 3; i++) {
		snprintf(p->port[i].device, sizeof(p->port[i].device), "%s",
			 dev[i]);
		p->port[i].dpdk_port = (uint16_t)i;
	}
	p->magic = IXG_CTR_PORTS_MAGIC;
}

/* A value for item `i` of kind `k`: distinct, of varied magnitude. */
static uint64_t
val(unsigned k, unsigned i)
{
	static const uint64_t scale[] = {
		1, 7, 130, 2900, 41000, 520000, 6300000, 81000000, 990000000};
	uint64_t s = scale[(k * 3 + i) % (sizeof(scale) / sizeof(scale[0]))];

	return s + (uint64_t)(k * 31 + i * 17) % 97;
}

static void
pair_put(struct ixg_lcore_counters *c, uint32_t slot, uint32_t key,
	 uint64_t packets)
{
	c->peer_pair[slot].key = key;
	c->peer_pair[slot].pb.packets = packets;
	c->peer_pair[slot].pb.bytes = packets * 812;
}

/* Synthetic counters (see ctr_fixture.h). */
void
ctr_fixture_fill(const struct ixg_spec *s, struct ixg_lcore_counters *blocks,
		 unsigned n)
{
	for (unsigned b = 0; b < n; b++) {
		struct ixg_lcore_counters *c = &blocks[b];
		uint64_t rx = 0, tx = 0, local = 0, punted = 0;

		/* Ports: the configured ones, and id 5 that no config
		 * names (counters of a port removed since). */
		for (uint32_t i = 0; i <= s->n_ports; i++) {
			unsigned id = i < s->n_ports ? s->ports[i].id : 5;
			struct ixg_ctr_port *p = &c->port[id];
			uint64_t d = 0;

			p->fwd = val(1, id + b);
			p->local = val(2, id + b) % 1000;
			for (unsigned r = 0; r < IXG_DROP_MAX; r++)
				if ((r + id + b) % 3 == 0) {
					p->drops[r] = val(3 + r, id);
					d += p->drops[r];
				}
			p->punted = (id + b) % 2 ? 0 : val(8, id + b) % 300;
			p->rx.packets = p->fwd + p->local + p->punted + d;
			p->rx.bytes = p->rx.packets * 700 + id;
			p->tx.packets = val(4, id + 2 * b);
			p->tx.bytes = p->tx.packets * 650 + b;
			p->generated = (id + b) % 2 ? val(5, id) % 100 : 0;
			rx += p->rx.packets;
			tx += p->fwd;
			local += p->local;
			punted += p->punted;
			for (unsigned r = 0; r < IXG_DROP_MAX; r++)
				c->drops[r] += p->drops[r];
		}
		c->rx_packets = rx;
		c->tx_packets = tx;
		c->local_packets = local;
		c->punted = punted;
		c->peer_pair_overflow = b == 0 ? 3 : 0;
		/* The peers below are what readers show (their pairs'
		 * counts in them): the form of a sum, not a worker's. */
		c->peers_folded = 1;
		c->icmp_generated = 12 + b;
		c->generated_dropped = b;
		c->sampled = 1234 * (b + 1);
		c->sample_dropped = 2 * b;

		/* Peers, and id 77 that no config names. */
		for (uint32_t i = 0; i <= s->n_peers; i++) {
			unsigned id = i < s->n_peers ? s->peers[i].id : 77;
			struct ixg_ctr_peer *p = &c->peer[id];

			if (i == 2 && b == 1)
				continue; /* one peer quiet on a worker */
			p->rx.packets = val(6, id + b);
			p->rx.bytes = p->rx.packets * 900 + id;
			p->tx.packets = val(7, id + 3 * b);
			p->tx.bytes = p->tx.packets * 800 + b;
			p->drops = val(8, id) % 5000;
		}

		/* ACL rules (both families of one rule share its id), and
		 * id 999 that no config lists. */
		for (uint32_t i = 0; i < s->n_acl_rules; i++)
			c->acl_hits[s->acl_rules[i].id] +=
				val(9, s->acl_rules[i].id + b) / 2;
		c->acl_hits[999] = 4 + b;

		/* Neighbours (each peer's next hops): in the control
		 * threads' block, the last, only; every state. */
		for (uint32_t i = 0; b + 1 == n && i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];

			for (unsigned f = 0; f < 2; f++) {
				unsigned e = p->id * 2u + f;
				struct ixg_ctr_neigh *q = &c->neigh[e];

				if (!(f ? p->has_nh6 : p->has_nh4))
					continue;
				q->state = 1 + e % 6;
				if (q->state != 1 && q->state != 5)
					q->mac = 0x020000000000ull | e;
				q->probes = e % 7;
				q->replies = e % 3 + (q->state == 2);
				q->mac_changes = e % 2;
				q->confirmed_unix = q->replies
							    ? CTR_FIXTURE_NOW -
								      7 * e
							    : 0;
			}
		}

		/* Classes: default (0), the configured ones, 9 unnamed. */
		for (unsigned k = 0; k < 3; k++) {
			c->class_colour[0][k] = val(10 + k, b);
			for (uint32_t i = 0; i < s->n_classes; i++)
				c->class_colour[s->classes[i].id][k] =
					k == 0 ? val(11, i + b)
					       : val(12 + k, i);
		}
		c->class_colour[9][2] = 6;

		/* Country pairs between every known country (index 7 is
		 * past the spec's list: printed "??"). */
		for (unsigned a = 0; a < s->n_countries; a++)
			for (unsigned d = 0; d < s->n_countries; d++)
				if ((a * 5 + d + b) % 4 != 1) {
					c->country_pair[a][d].packets = val(
						13, a * 8 + d + b);
					c->country_pair[a][d].bytes =
						c->country_pair[a][d].packets *
							600 +
						a;
				}
		c->country_pair[7][1] = (struct ixg_ctr_pb){5, 3000};

		/* Peer pairs, in different slots on each block. */
		for (uint32_t i = 0; i < s->n_peers; i++)
			for (uint32_t j = 0; j < s->n_peers; j++) {
				uint32_t key = (uint32_t)s->peers[i].id << 16 |
					       s->peers[j].id;

				if (i == j || (i + j + b) % 3 == 0)
					continue;
				pair_put(c,
					 ((key >> 16) * 251 +
					  (key & 0xffff) * 37 + b * 977) %
						 IXG_PEER_PAIR_SLOTS,
					 key, val(14, i * 5 + j + b));
			}
		pair_put(c, 4000 + b, (uint32_t)77 << 16 | s->peers[0].id, 9);

		/* Blackholes by id (the first quiet), the first two peers
		 * that sent to the others, and id 40 that no config names. */
		for (uint32_t i = 1; i < s->n_blackholes; i++) {
			uint16_t id = s->blackholes[i].id;

			c->blackhole[id].packets = val(15, i + b);
			c->blackhole[id].bytes = c->blackhole[id].packets * 90;
			for (uint32_t j = 0; j < 2 && j < s->n_peers; j++) {
				struct ixg_ctr_bh_peer *p =
					&c->blackhole_peer[(i * 7 + j + b * 3) %
							   IXG_BH_PEER_SLOTS];

				p->key = IXG_BH_PEER_KEY(id, s->peers[j].id);
				p->pb.packets = c->blackhole[id].packets / 2 +
						(j == 0 ? 0 : 1);
				p->pb.bytes = p->pb.packets * 90;
			}
		}
		c->blackhole[40] = (struct ixg_ctr_pb){3 + b, 180};
		c->blackhole_peer_overflow = b;
		/* Next-hop group 3, which no config names (show.conf has no
		 * route block): counted under its id. */
		c->nhgroup[3] = (struct ixg_ctr_pb){11 + b, 1100};
	}
}

/* An earlier read (see ctr_fixture.h). */
void
ctr_fixture_prev(const struct ixg_lcore_counters *now,
		 struct ixg_lcore_counters *prev)
{
	const uint64_t *src = (const uint64_t *)now;
	uint64_t *dst = (uint64_t *)prev;
	size_t words = offsetof(struct ixg_lcore_counters, peer_pair) /
		       sizeof(uint64_t);
	uint32_t dropped = 0;

	for (size_t w = 0; w < words; w++)
		dst[w] = src[w] / 4 * 3;
	prev->peers_folded = now->peers_folded;
	for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
		prev->peer_pair[i] = now->peer_pair[i];
		prev->peer_pair[i].pb.packets = now->peer_pair[i].pb.packets /
						2;
		prev->peer_pair[i].pb.bytes = now->peer_pair[i].pb.bytes / 2;
		/* One pair appeared between the reads. */
		if (now->peer_pair[i].key != 0 && dropped++ == 1)
			memset(&prev->peer_pair[i], 0,
			       sizeof(prev->peer_pair[i]));
	}
	/* A counter that went backwards (the dataplane restarted between
	 * the reads): no rate, never a huge one. */
	for (unsigned id = 1; id < IXG_MAX_PEERS; id++)
		if (now->peer[id].tx.packets != 0) {
			prev->peer[id].tx.packets = now->peer[id].tx.packets +
						    10;
			break;
		}
}

/* The dataplane's peer-pair slot choice (murmur3 finaliser, linear
 * probing), so the big fixture's tables look like real ones. */
static void
pair_add(struct ixg_lcore_counters *c, uint32_t key, uint64_t packets)
{
	uint32_t h = key, mask = IXG_PEER_PAIR_SLOTS - 1;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
		struct ixg_ctr_peer_pair *s = &c->peer_pair[(h + i) & mask];

		if (s->key == 0 || s->key == key) {
			s->key = key;
			s->pb.packets += packets;
			s->pb.bytes += packets * 700;
			return;
		}
	}
	c->peer_pair_overflow += packets;
}

/* The large exchange (see ctr_fixture.h). */
void
ctr_fixture_big(struct ixg_spec *s, struct ixg_lcore_counters *blocks,
		unsigned n)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->node.name, sizeof(s->node.name), "big-ix");
	s->node.home_country = IXG_CC('S', 'G');
	s->n_ports = IXG_MAX_PORTS;
	s->ports = calloc(s->n_ports, sizeof(*s->ports));
	s->n_peers = CTR_BIG_PEERS;
	s->peers = calloc(s->n_peers, sizeof(*s->peers));
	s->n_countries = CTR_BIG_COUNTRIES;
	s->countries = calloc(s->n_countries, sizeof(*s->countries));
	s->n_acl_rules = CTR_BIG_RULES;
	s->acl_rules = calloc(s->n_acl_rules, sizeof(*s->acl_rules));
	s->n_classes = IXG_MAX_CLASSES - 1;
	s->classes = calloc(s->n_classes, sizeof(*s->classes));
	assert_non_null(s->ports);
	assert_non_null(s->peers);
	assert_non_null(s->countries);
	assert_non_null(s->acl_rules);
	assert_non_null(s->classes);
	for (uint32_t i = 0; i < s->n_ports; i++) {
		s->ports[i].id = (uint16_t)i;
		s->ports[i].mtu = 1500;
		snprintf(s->ports[i].name, IXG_NAME_LEN, "port-%u.a", i);
		snprintf(s->ports[i].devargs, IXG_DEVARGS_LEN, "net_null%u", i);
	}
	s->countries[0] = 0;
	for (uint32_t i = 1; i < s->n_countries; i++)
		s->countries[i] = IXG_CC('A' + i / 26 % 26, 'A' + i % 26);
	for (uint32_t i = 0; i < s->n_peers; i++) {
		struct ixg_spec_peer *p = &s->peers[i];

		p->id = (uint16_t)(i + 1);
		p->port_id = (uint16_t)(i % IXG_MAX_PORTS);
		p->vlan = (uint16_t)(100 + i);
		p->asn = 64512 + i;
		p->country = (uint16_t)(1 + i % (CTR_BIG_COUNTRIES - 1));
		p->n_macs = 1;
		p->macs[0][0] = 2;
		p->macs[0][4] = (uint8_t)(i >> 8);
		p->macs[0][5] = (uint8_t)i;
		snprintf(p->name, IXG_NAME_LEN, "as%u-peer.%u", 64512 + i, i);
	}
	for (uint32_t i = 0; i < s->n_classes; i++) {
		s->classes[i].id = (uint16_t)(i + 1);
		s->classes[i].cir = s->classes[i].pir = 125000000;
		s->classes[i].cbs = s->classes[i].pbs = 1 << 20;
		snprintf(s->classes[i].name, IXG_NAME_LEN, "class-%u", i + 1);
	}
	for (uint32_t i = 0; i < s->n_acl_rules; i++) {
		struct ixg_spec_acl_rule *r = &s->acl_rules[i];

		r->id = i + 1;
		r->priority = 10 + i;
		r->family = 4;
		r->action = IXG_ACL_DENY;
		r->proto = 17;
		r->proto_mask = 0xff;
		r->dscp_any = 1;
		r->sport_hi = r->dport_hi = 65535;
		r->dst_len = 24;
		r->dst[0] = 10;
		r->dst[1] = (uint8_t)(i >> 8);
		r->dst[2] = (uint8_t)i;
		snprintf(r->name, IXG_NAME_LEN, "rule-%u", i + 1);
	}
	for (unsigned b = 0; b < n; b++) {
		struct ixg_lcore_counters *c = &blocks[b];

		c->peers_folded = 1; /* as in ctr_fixture_fill */
		for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
			c->port[p].rx.packets = val(1, p + b) + 100;
			c->port[p].rx.bytes = c->port[p].rx.packets * 800;
			c->port[p].tx.packets = val(2, p + b);
			c->port[p].tx.bytes = c->port[p].tx.packets * 800;
			c->port[p].fwd = c->port[p].rx.packets - 100;
			c->port[p].drops[p % IXG_DROP_MAX] = 100;
		}
		for (unsigned id = 1; id <= CTR_BIG_PEERS; id++) {
			c->peer[id].rx.packets = val(3, id + b);
			c->peer[id].rx.bytes = c->peer[id].rx.packets * 800;
			c->peer[id].tx.packets = val(4, id + b);
			c->peer[id].tx.bytes = c->peer[id].tx.packets * 800;
			c->peer[id].drops = id % 7;
			for (unsigned k = 1; k <= CTR_BIG_FANOUT; k++) {
				unsigned to = (id + k * 37) % CTR_BIG_PEERS + 1;

				pair_add(c, (uint32_t)id << 16 | to,
					 val(5, id + k + b));
			}
		}
		for (unsigned a = 0; a < CTR_BIG_COUNTRIES; a++)
			for (unsigned d = 0; d < CTR_BIG_COUNTRIES; d++) {
				c->country_pair[a][d].packets = val(6,
								    a + d + b);
				c->country_pair[a][d].bytes =
					c->country_pair[a][d].packets * 800;
			}
		for (unsigned r = 1; r <= CTR_BIG_RULES; r++)
			c->acl_hits[r] = val(7, r + b);
		for (unsigned k = 0; k < IXG_MAX_CLASSES; k++)
			for (unsigned col = 0; col < 3; col++)
				c->class_colour[k][col] = val(8, k + col + b);
		for (unsigned r = 0; r < IXG_DROP_MAX; r++)
			c->drops[r] = val(9, r + b);
		c->rx_packets = val(10, b);
		c->tx_packets = val(11, b);
	}
}
