/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_neigh.c - the neighbour table (neigh.h): its state machine on a
 * fake clock (INCOMPLETE, REACHABLE, STALE, PROBE, FAILED, PERMANENT), the
 * probes it sends (RFC 826 ARP requests, RFC 4861 Neighbor Solicitations
 * checked byte by byte and by a reference checksum), who may teach it a
 * MAC (the member by its lock, any MAC only for a member without one),
 * what survives a commit, what stage_local hears without changing a
 * verdict, and the `unresolved` drop of stage_rewrite.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_test_util.h"
#include "frame_util.h"
#include "neigh.h"
#include "pipeline.h"

#define S 1000000000ull /* ns */

/* Peers: 1 static (lock 02:..:01:01), 2 learning with a lock
 * (02:..:01:02), 3 learning without a lock, 4 learning on VLAN 10. */
static const uint8_t mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0xaa, 0x01};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0xbb, 0x02};
static const uint8_t mac_lock2[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x02};

/* Frames the table sent. */
struct sent {
	unsigned n;
	uint16_t port[16];
	unsigned len[16];
	uint8_t frame[16][NEIGH_FRAME_MAX];
};

static int
capture(void *arg, uint16_t port, const uint8_t *frame, unsigned len)
{
	struct sent *s = arg;

	if (s->n == 16)
		return -1;
	s->port[s->n] = port;
	s->len[s->n] = len;
	memcpy(s->frame[s->n], frame, len);
	s->n++;
	return 0;
}

static void
ip(int af, const char *str, uint8_t *out)
{
	assert_int_equal(inet_pton(af, str, out), 1);
}

static struct ixg_spec *
spec_new(void)
{
	struct ixg_spec *s = dp_spec_new();
	struct ixg_spec_peer *p;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	p = dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	p->has_nh4 = 1;
	ip(AF_INET, "192.0.2.11", p->nh4);
	p = dp_spec_peer(s, 2, 0, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	p->neighbour = IXG_NEIGH_LEARN;
	p->has_nh4 = p->has_nh6 = 1;
	ip(AF_INET, "192.0.2.12", p->nh4);
	ip(AF_INET6, "2001:db8::12", p->nh6);
	p = dp_spec_peer(s, 3, 0, 0, "02:00:00:00:01:03", IXG_SAV_OFF);
	p->neighbour = IXG_NEIGH_LEARN;
	p->n_macs = 0;
	memset(p->macs, 0, sizeof(p->macs));
	p->has_nh4 = 1;
	ip(AF_INET, "192.0.2.13", p->nh4);
	p = dp_spec_peer(s, 4, 0, 10, "02:00:00:00:01:04", IXG_SAV_OFF);
	p->neighbour = IXG_NEIGH_LEARN;
	p->has_nh4 = 1;
	ip(AF_INET, "198.18.0.14", p->nh4);
	dp_spec_local(s, 0, "192.0.2.1", 24);
	dp_spec_local(s, 0, "2001:db8::1", 64);
	dp_spec_local(s, 0, "198.18.0.1", 24)->vlan = 10;
	dp_spec_route4(s, "203.0.113.0", 24, 2);
	dp_spec_route6(s, "2001:db8:77::", 48, 2);
	dp_spec_route4(s, "198.51.100.0", 24, 1);
	return s;
}

struct fixture {
	struct ixg_spec *s;
	struct tables *t;
	struct neigh *n;
	struct sent sent;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->s = spec_new();
	f->t = dp_tables_build(f->s);
	f->n = neigh_create(1, NULL, NULL);
	assert_non_null(f->n);
	neigh_apply(f->n, f->t, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	neigh_destroy(f->n);
	tables_free(f->t);
	dp_spec_free(f->s);
	free(f);
	return 0;
}

static struct neigh_obs
obs(uint16_t in_peer, int family, const char *addr, const uint8_t mac[6],
    uint8_t kind)
{
	struct neigh_obs o;

	memset(&o, 0, sizeof(o));
	o.in_peer = in_peer;
	o.family = (uint8_t)family;
	o.kind = kind;
	o.override = 1;
	memcpy(o.mac, mac, 6);
	ip(family == 4 ? AF_INET : AF_INET6, addr, o.addr);
	return o;
}

static uint8_t
state_of(const struct fixture *f, uint16_t peer, int family)
{
	struct neigh_view v;

	assert_true(neigh_get(f->n, peer, family, &v));
	return v.state;
}

static uint64_t
slot(const struct tables *t, uint16_t peer, int family)
{
	return t->egress[peer].mac[family == 6];
}

static uint64_t
mac_word(const uint8_t mac[6])
{
	return tbl_mac48(mac) | TBL_MAC_VALID;
}

static void
test_static_is_permanent(void **state)
{
	struct fixture *f = *state;
	struct neigh_view v;

	assert_true(neigh_get(f->n, 1, 4, &v));
	assert_int_equal(v.state, NEIGH_PERMANENT);
	assert_int_equal(v.learn, 0);
	assert_true(v.has_mac);
	assert_memory_equal(v.mac, "\x02\x00\x00\x00\x01\x01", 6);
	/* Its slot is the build's, both families; no IPv6 next hop, no
	 * entry. */
	assert_int_equal(slot(f->t, 1, 4),
			 mac_word((const uint8_t *)"\x02\x00\x00\x00\x01\x01"));
	assert_false(neigh_get(f->n, 1, 6, &v));
	/* Never probed, never taught. */
	neigh_timers(f->n, 100 * S, capture, &f->sent);
	assert_false(neigh_input(f->n, &(struct neigh_obs){0}, 0));
	{
		struct neigh_obs o = obs(1, 4, "192.0.2.11", mac_a,
					 NEIGH_OBS_REPLY);

		assert_false(neigh_input(f->n, &o, 0));
	}
	for (unsigned i = 0; i < f->sent.n; i++)
		assert_int_not_equal(f->sent.frame[i][0x26 + 3], 11);
	assert_int_equal(state_of(f, 1, 4), NEIGH_PERMANENT);
}

/* RFC 826: the request for 192.0.2.12 from 192.0.2.1, broadcast. */
static void
test_incomplete_broadcasts_then_fails(void **state)
{
	struct fixture *f = *state;
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t a[4];
	struct neigh_view v;
	unsigned k, n4 = 0;

	assert_int_equal(state_of(f, 2, 4), NEIGH_INCOMPLETE);
	assert_int_equal(slot(f->t, 2, 4), 0);
	assert_int_equal(slot(f->t, 2, 6), 0);
	for (uint64_t now = 0; now <= 3 * S; now += S / 2)
		neigh_timers(f->n, now, capture, &f->sent);
	/* 3 per learning neighbour: peer 2 (v4, v6), 3, 4. */
	assert_int_equal(f->sent.n, 12);
	for (k = 0; k < f->sent.n; k++) {
		const uint8_t *fr = f->sent.frame[k];

		if (!(fr[12] == 0x08 && fr[13] == 0x06))
			continue;
		ip(AF_INET, "192.0.2.12", a);
		if (memcmp(fr + 14 + 24, a, 4) != 0)
			continue;
		n4++;
		assert_int_equal(f->sent.len[k], 60);
		assert_memory_equal(fr, bcast, 6);
		assert_memory_equal(fr + 6, port_mac, 6);
		assert_memory_equal(fr + 14, "\x00\x01\x08\x00\x06\x04\x00\x01",
				    8);
		assert_memory_equal(fr + 22, port_mac, 6);
		ip(AF_INET, "192.0.2.1", a);
		assert_memory_equal(fr + 28, a, 4);
		assert_memory_equal(fr + 32, "\0\0\0\0\0\0", 6);
	}
	assert_int_equal(n4, 3);
	assert_true(neigh_get(f->n, 2, 4, &v));
	assert_int_equal(v.state, NEIGH_FAILED);
	assert_int_equal(v.probes_sent, 3);
	assert_false(v.has_mac);
	/* FAILED for 5 s, then broadcasting again. */
	f->sent.n = 0;
	neigh_timers(f->n, 7 * S, capture, &f->sent);
	assert_int_equal(f->sent.n, 0);
	neigh_timers(f->n, 8 * S, capture, &f->sent);
	assert_int_equal(state_of(f, 2, 4), NEIGH_INCOMPLETE);
	assert_int_equal(f->sent.n, 4);
}

/* The VLAN 10 member is asked from 198.18.0.1 with the tag. */
static void
test_probe_tagged(void **state)
{
	struct fixture *f = *state;
	uint8_t a[4];
	unsigned k;
	bool found = false;

	neigh_timers(f->n, 0, capture, &f->sent);
	ip(AF_INET, "198.18.0.14", a);
	for (k = 0; k < f->sent.n; k++) {
		const uint8_t *fr = f->sent.frame[k];

		if (fr[12] != 0x81)
			continue;
		found = true;
		assert_memory_equal(fr + 12, "\x81\x00\x00\x0a\x08\x06", 6);
		assert_memory_equal(fr + 18 + 24, a, 4);
		ip(AF_INET, "198.18.0.1", a);
		assert_memory_equal(fr + 18 + 14, a, 4);
		ip(AF_INET, "198.18.0.14", a);
	}
	assert_true(found);
}

/* RFC 4861 4.3 and 7.2.2: to the solicited-node address, hop limit 255,
 * source link-layer address option; checksum by a reference sum. */
static void
test_ns_frame(void **state)
{
	struct fixture *f = *state;
	uint8_t tgt[16], src[16], buf[NEIGH_FRAME_MAX];
	unsigned len;

	(void)f;
	ip(AF_INET6, "2001:db8::12", tgt);
	ip(AF_INET6, "2001:db8::1", src);
	len = neigh_build_ns(buf, port_mac, src, tgt, NULL, 0, 0);
	assert_int_equal(len, 14 + 40 + 32);
	assert_memory_equal(buf, "\x33\x33\xff\x00\x00\x12", 6);
	assert_memory_equal(buf + 12, "\x86\xdd", 2);
	assert_int_equal(buf[14 + 6], 58);
	assert_int_equal(buf[14 + 7], 255);
	assert_memory_equal(buf + 14 + 8, src, 16);
	assert_memory_equal(buf + 14 + 24,
			    "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff\x00\x00\x12",
			    16);
	assert_int_equal(buf[54], 135);
	assert_memory_equal(buf + 54 + 8, tgt, 16);
	assert_memory_equal(buf + 54 + 24, "\x01\x01", 2);
	assert_memory_equal(buf + 54 + 26, port_mac, 6);
	assert_int_equal(ref_cksum6(buf + 14, buf + 54, 32, 58), 0);
	/* Unicast probe: to the address and the MAC, with a QinQ stack. */
	len = neigh_build_ns(buf, port_mac, src, tgt, mac_a, 20, 300);
	assert_int_equal(len, 22 + 40 + 32);
	assert_memory_equal(buf, mac_a, 6);
	assert_memory_equal(buf + 12,
			    "\x88\xa8\x01\x2c\x81\x00\x00\x14\x86\xdd", 10);
	assert_memory_equal(buf + 22 + 24, tgt, 16);
	assert_int_equal(ref_cksum6(buf + 22, buf + 62, 32, 58), 0);
}

static void
test_reply_makes_reachable_then_refresh(void **state)
{
	struct fixture *f = *state;
	struct neigh_obs o = obs(2, 4, "192.0.2.12", mac_lock2,
				 NEIGH_OBS_REPLY);
	struct neigh_view v;
	unsigned k;

	assert_true(neigh_input(f->n, &o, 1 * S));
	assert_true(neigh_get(f->n, 2, 4, &v));
	assert_int_equal(v.state, NEIGH_REACHABLE);
	assert_int_equal(v.replies, 1);
	assert_int_equal(v.mac_changes, 0);
	assert_memory_equal(v.mac, mac_lock2, 6);
	/* Stored into the published snapshot, this family only. */
	assert_int_equal(slot(f->t, 2, 4), mac_word(mac_lock2));
	assert_int_equal(slot(f->t, 2, 6), 0);
	/* Before it expires (30 s), unicast probes from 27 s. */
	neigh_timers(f->n, 26 * S, capture, &f->sent);
	for (k = 0; k < f->sent.n; k++)
		assert_int_not_equal(f->sent.frame[k][14 + 24 + 3], 12);
	f->sent.n = 0;
	neigh_timers(f->n, 28 * S, capture, &f->sent);
	assert_int_equal(state_of(f, 2, 4), NEIGH_PROBE);
	for (k = 0; k < f->sent.n; k++)
		if (f->sent.frame[k][14 + 24 + 3] == 12 &&
		    f->sent.frame[k][12] == 0x08)
			break;
	assert_true(k < f->sent.n);
	assert_memory_equal(f->sent.frame[k], mac_lock2, 6);
	/* Still forwarding with it. */
	assert_int_equal(slot(f->t, 2, 4), mac_word(mac_lock2));
	/* Answered: reachable again. */
	assert_true(neigh_input(f->n, &o, 28 * S + S / 2));
	assert_int_equal(state_of(f, 2, 4), NEIGH_REACHABLE);
	/* Three unanswered: the MAC goes, broadcast again. */
	neigh_timers(f->n, 56 * S, capture, &f->sent);
	neigh_timers(f->n, 57 * S, capture, &f->sent);
	neigh_timers(f->n, 58 * S, capture, &f->sent);
	assert_int_equal(state_of(f, 2, 4), NEIGH_PROBE);
	f->sent.n = 0;
	neigh_timers(f->n, 59 * S, capture, &f->sent);
	assert_true(neigh_get(f->n, 2, 4, &v));
	assert_int_equal(v.state, NEIGH_INCOMPLETE);
	assert_false(v.has_mac);
	assert_int_equal(slot(f->t, 2, 4), 0);
	for (k = 0; k < f->sent.n; k++)
		if (f->sent.frame[k][14 + 24 + 3] == 12 &&
		    f->sent.frame[k][12] == 0x08)
			break;
	assert_true(k < f->sent.n);
	assert_int_equal(f->sent.frame[k][0], 0xff);
}

/* down[f] bit p of neigh_down_get. */
static bool
down_bit(struct neigh *n, uint16_t peer, int family)
{
	uint64_t down[2][IXG_MAX_PEERS / 64];

	neigh_down_get(n, down);
	return (down[family == 6][peer / 64] >> (peer % 64) & 1u) != 0;
}

/* A learned neighbour that stops answering its refresh is a member-level
 * failure (neigh_down_get) until it is heard with a MAC again; one never
 * resolved is not; a member whose neighbour starts again (config) or goes
 * is not. */
static void
test_failed_refresh_is_member_down(void **state)
{
	struct fixture *f = *state;
	struct neigh_obs o = obs(2, 4, "192.0.2.12", mac_lock2,
				 NEIGH_OBS_REPLY);
	struct neigh_obs h = obs(2, 4, "192.0.2.12", mac_lock2, NEIGH_OBS_HINT);
	struct ixg_spec *s2 = spec_new();
	struct tables *t2;
	struct neigh_view v;

	assert_false(down_bit(f->n, 2, 4));
	assert_true(neigh_input(f->n, &o, 1 * S));
	/* Reachable until 31 s, probed from 28 s, 3 probes 1 s apart. */
	for (uint64_t t = 2; t <= 30; t++)
		neigh_timers(f->n, t * S, capture, &f->sent);
	assert_int_equal(state_of(f, 2, 4), NEIGH_PROBE);
	assert_false(down_bit(f->n, 2, 4));
	neigh_timers(f->n, 31 * S, capture, &f->sent);
	assert_true(neigh_get(f->n, 2, 4, &v));
	assert_int_equal(v.state, NEIGH_INCOMPLETE);
	assert_true(v.unreachable);
	assert_int_equal(v.down_events, 1);
	assert_true(down_bit(f->n, 2, 4));
	assert_false(down_bit(f->n, 2, 6)); /* its other family */
	/* Still down through INCOMPLETE -> FAILED -> INCOMPLETE. */
	for (uint64_t t = 32; t <= 45; t++)
		neigh_timers(f->n, t * S, capture, &f->sent);
	assert_true(down_bit(f->n, 2, 4));
	/* Never resolved: members 3 and 4 went FAILED, not down. */
	assert_int_not_equal(state_of(f, 3, 4), NEIGH_REACHABLE);
	assert_false(down_bit(f->n, 3, 4));
	assert_false(down_bit(f->n, 4, 4));
	/* It answers: up again, once. */
	assert_true(neigh_input(f->n, &o, 46 * S));
	assert_false(down_bit(f->n, 2, 4));
	assert_true(neigh_get(f->n, 2, 4, &v));
	assert_false(v.unreachable);
	assert_int_equal(v.down_events, 1);
	/* Down again; what it says by itself (a hint with its MAC) ends it
	 * too: packets go to that MAC again. */
	for (uint64_t t = 47; t <= 80; t++)
		neigh_timers(f->n, t * S, capture, &f->sent);
	assert_true(down_bit(f->n, 2, 4));
	assert_true(neigh_input(f->n, &h, 81 * S));
	assert_false(down_bit(f->n, 2, 4));
	assert_int_equal(state_of(f, 2, 4), NEIGH_STALE);
	/* Down once more, then its next hop changes in the config: a new
	 * neighbour, not down. */
	assert_true(neigh_input(f->n, &o, 82 * S));
	for (uint64_t t = 83; t <= 120; t++)
		neigh_timers(f->n, t * S, capture, &f->sent);
	assert_true(down_bit(f->n, 2, 4));
	ip(AF_INET, "192.0.2.42", s2->peers[1].nh4); /* member 2 */
	t2 = dp_tables_build(s2);
	neigh_apply(f->n, t2, 121 * S);
	assert_false(down_bit(f->n, 2, 4));
	assert_int_equal(state_of(f, 2, 4), NEIGH_INCOMPLETE);
	neigh_apply(f->n, f->t, 122 * S);
	tables_free(t2);
	dp_spec_free(s2);
}

static void
test_hint_is_stale_then_probed(void **state)
{
	struct fixture *f = *state;
	struct neigh_obs o = obs(2, 6, "2001:db8::12", mac_lock2,
				 NEIGH_OBS_HINT);
	struct neigh_view v;

	assert_true(neigh_input(f->n, &o, 0));
	assert_true(neigh_get(f->n, 2, 6, &v));
	assert_int_equal(v.state, NEIGH_STALE);
	assert_int_equal(v.replies, 0);
	assert_int_equal(slot(f->t, 2, 6), mac_word(mac_lock2));
	/* The same MAC again changes nothing. */
	assert_false(neigh_input(f->n, &o, 1 * S));
	/* After the delay: a unicast NS to it. */
	neigh_timers(f->n, 4 * S, NULL, NULL);
	assert_int_equal(state_of(f, 2, 6), NEIGH_STALE);
	f->sent.n = 0;
	neigh_timers(f->n, 5 * S, capture, &f->sent);
	assert_int_equal(state_of(f, 2, 6), NEIGH_PROBE);
	for (unsigned k = 0; k < f->sent.n; k++)
		if (f->sent.frame[k][12] == 0x86) {
			assert_memory_equal(f->sent.frame[k], mac_lock2, 6);
			return;
		}
	fail_msg("no NS sent");
}

static void
test_mac_change_followed(void **state)
{
	struct fixture *f = *state;
	struct neigh_obs o = obs(0, 4, "192.0.2.13", mac_a, NEIGH_OBS_REPLY);
	struct neigh_view v;

	/* Member 3 has no lock: any MAC may answer for 192.0.2.13. */
	assert_true(neigh_input(f->n, &o, 0));
	assert_int_equal(slot(f->t, 3, 4), mac_word(mac_a));
	memcpy(o.mac, mac_b, 6);
	assert_true(neigh_input(f->n, &o, 1 * S));
	assert_true(neigh_get(f->n, 3, 4, &v));
	assert_int_equal(v.mac_changes, 1);
	assert_int_equal(v.replies, 2);
	assert_int_equal(slot(f->t, 3, 4), mac_word(mac_b));
	/* An unsolicited NA without override keeps the MAC (RFC 4861
	 * 7.2.5); an ARP request (override) moves it, STALE. */
	o.kind = NEIGH_OBS_HINT;
	o.override = 0;
	memcpy(o.mac, mac_a, 6);
	assert_false(neigh_input(f->n, &o, 2 * S));
	assert_int_equal(slot(f->t, 3, 4), mac_word(mac_b));
	o.override = 1;
	assert_true(neigh_input(f->n, &o, 2 * S));
	assert_int_equal(state_of(f, 3, 4), NEIGH_STALE);
	assert_int_equal(slot(f->t, 3, 4), mac_word(mac_a));
}

/* Who may teach what. */
static void
test_antispoofing(void **state)
{
	struct fixture *f = *state;
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct neigh_obs o;

	/* Member 1 claiming member 2's address. */
	o = obs(1, 4, "192.0.2.12", mac_a, NEIGH_OBS_REPLY);
	assert_false(neigh_input(f->n, &o, 0));
	/* A MAC no member has, for member 2 (it has a lock). */
	o = obs(0, 4, "192.0.2.12", mac_a, NEIGH_OBS_REPLY);
	assert_false(neigh_input(f->n, &o, 0));
	/* Member 3's address on another VLAN. */
	o = obs(0, 4, "192.0.2.13", mac_a, NEIGH_OBS_REPLY);
	o.vlan = 10;
	assert_false(neigh_input(f->n, &o, 0));
	/* Broadcast and zero MACs, a bad family. */
	o = obs(0, 4, "192.0.2.13", bcast, NEIGH_OBS_REPLY);
	assert_false(neigh_input(f->n, &o, 0));
	o = obs(0, 4, "192.0.2.13", (const uint8_t *)"\0\0\0\0\0\0",
		NEIGH_OBS_REPLY);
	assert_false(neigh_input(f->n, &o, 0));
	o = obs(0, 4, "192.0.2.13", mac_a, NEIGH_OBS_REPLY);
	o.family = 5;
	assert_false(neigh_input(f->n, &o, 0));
	/* Nothing learned anywhere. */
	assert_int_equal(state_of(f, 2, 4), NEIGH_INCOMPLETE);
	assert_int_equal(state_of(f, 3, 4), NEIGH_INCOMPLETE);
	assert_int_equal(slot(f->t, 2, 4), 0);
	assert_int_equal(slot(f->t, 3, 4), 0);
	/* The member itself, by its lock: learned. */
	o = obs(2, 4, "192.0.2.12", mac_lock2, NEIGH_OBS_REPLY);
	assert_true(neigh_input(f->n, &o, 0));
}

/* A commit: the learned MAC goes into the new snapshot; a member whose
 * next hop changed starts again; a removed member's entry goes. */
static void
test_survives_commit(void **state)
{
	struct fixture *f = *state;
	struct neigh_obs o = obs(2, 4, "192.0.2.12", mac_lock2,
				 NEIGH_OBS_REPLY);
	struct ixg_spec *s2 = spec_new();
	struct tables *t2;
	struct neigh_view v;

	assert_true(neigh_input(f->n, &o, 0));
	o = obs(0, 4, "192.0.2.13", mac_a, NEIGH_OBS_REPLY);
	assert_true(neigh_input(f->n, &o, 0));
	ip(AF_INET, "192.0.2.99", s2->peers[2].nh4); /* member 3 */
	s2->n_peers = 3; /* member 4 removed */
	t2 = dp_tables_build(s2);
	assert_int_equal(slot(t2, 2, 4), 0); /* as built */
	neigh_apply(f->n, t2, 10 * S);
	assert_int_equal(slot(t2, 2, 4), mac_word(mac_lock2));
	assert_int_equal(state_of(f, 2, 4), NEIGH_REACHABLE);
	assert_int_equal(state_of(f, 3, 4), NEIGH_INCOMPLETE);
	assert_int_equal(slot(t2, 3, 4), 0);
	assert_false(neigh_get(f->n, 4, 4, &v));
	/* Later learning goes into the new snapshot. */
	o = obs(0, 4, "192.0.2.99", mac_b, NEIGH_OBS_REPLY);
	assert_true(neigh_input(f->n, &o, 11 * S));
	assert_int_equal(slot(t2, 3, 4), mac_word(mac_b));
	assert_int_equal(slot(f->t, 3, 4), mac_word(mac_a));
	/* Back to the fixture's tables for teardown. */
	neigh_apply(f->n, f->t, 12 * S);
	tables_free(t2);
	dp_spec_free(s2);
}

/* The ring: single producer, single consumer, full ring counted. */
static void
test_ring(void **state)
{
	struct fixture *f = *state;
	struct neigh_obs_ring *r = neigh_ring(f->n, 0);
	struct neigh_obs o = obs(2, 4, "192.0.2.12", mac_lock2,
				 NEIGH_OBS_REPLY);

	assert_non_null(r);
	assert_null(neigh_ring(f->n, 1));
	for (unsigned i = 0; i < NEIGH_OBS_RING_SIZE + 5; i++)
		neigh_obs_push(r, &o);
	assert_int_equal(neigh_lost(f->n), 5);
	assert_int_equal(neigh_poll(f->n, 0, NULL, NULL), NEIGH_OBS_RING_SIZE);
	assert_int_equal(state_of(f, 2, 4), NEIGH_REACHABLE);
	assert_int_equal(neigh_poll(f->n, 1, NULL, NULL), 0);
}

/* The neighbour family (IXG_CTR_NEIGH) mirrors the entries into the
 * counters block the table was given. */
static void
test_counters_block(void **state)
{
	struct fixture *f = *state;
	struct ixg_lcore_counters *c = calloc(1, sizeof(*c));
	struct neigh *n = neigh_create(1, NULL, c);
	struct neigh_obs o = obs(2, 4, "192.0.2.12", mac_lock2,
				 NEIGH_OBS_REPLY);
	time_t before, after;

	assert_non_null(c);
	assert_non_null(n);
	neigh_apply(n, f->t, 0);
	/* Static member 1: PERMANENT with its MAC, first byte highest. */
	assert_int_equal(c->neigh[2].state, NEIGH_PERMANENT);
	assert_int_equal(c->neigh[2].mac, 0x020000000101ull);
	assert_int_equal(c->neigh[3].state, 0); /* no IPv6 next hop */
	assert_int_equal(c->neigh[4].state, NEIGH_INCOMPLETE);
	neigh_timers(n, 0, capture, &f->sent);
	assert_int_equal(c->neigh[4].probes, 1);
	before = time(NULL);
	assert_true(neigh_input(n, &o, 1 * S));
	after = time(NULL);
	assert_int_equal(c->neigh[4].state, NEIGH_REACHABLE);
	assert_int_equal(c->neigh[4].replies, 1);
	assert_int_equal(c->neigh[4].mac, 0x020000000102ull);
	assert_true(c->neigh[4].confirmed_unix >= (uint64_t)before);
	assert_true(c->neigh[4].confirmed_unix <= (uint64_t)after);
	/* Member 4 removed: its entry's counters go. */
	f->t->peers[4].configured = 0;
	neigh_apply(n, f->t, 2 * S);
	assert_int_equal(c->neigh[8].state, 0);
	f->t->peers[4].configured = 1;
	neigh_destroy(n);
	free(c);
}

/* ---- the stages. */

static const uint8_t bcast6[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* parse .. local over one frame on port 0, ctx's ring attached. */
static struct pkt_meta
hear(struct fixture *f, struct pipeline_ctx *ctx, const uint8_t *buf,
     size_t len)
{
	struct burst b;
	struct pkt_meta pm;

	(void)f;
	dp_burst_init(&b, 0);
	b.pkts[0] = dp_test_mbuf(buf, len, 0);
	b.n = 1;
	stage_parse(ctx, &b);
	stage_peer(ctx, &b);
	stage_lookup(ctx, &b);
	stage_local(ctx, &b);
	pm = b.meta[0];
	rte_pktmbuf_free(b.pkts[0]);
	return pm;
}

/* An NA for `target` from `smac`, flags, with a target link-layer option
 * holding `tlla` (NULL: none), to 2001:db8::1. */
static size_t
make_na(uint8_t *buf, const char *target, const uint8_t *smac, uint8_t flags,
	const uint8_t *tlla)
{
	struct fspec fs = {.family = 6,
			   .proto = 58,
			   .icmp_type = 136,
			   .smac = smac,
			   .src = target,
			   .dst = "2001:db8::1",
			   .ttl = 255,
			   .payload = tlla != NULL ? 24 : 16};
	size_t len = build(&fs, buf);
	uint8_t *ip6 = buf + 14, *icmp = ip6 + 40;

	memset(icmp + 4, 0, 4);
	icmp[4] = flags;
	ip(AF_INET6, target, icmp + 8);
	if (tlla != NULL) {
		icmp[24] = 2;
		icmp[25] = 1;
		memcpy(icmp + 26, tlla, 6);
	}
	put16(icmp + 2, 0);
	put16(icmp + 2, ref_cksum6(ip6, icmp, len - 54, 58));
	return len;
}

static void
test_stage_local_hears(void **state)
{
	struct fixture *f = *state;
	struct pipeline_ctx ctx, plain;
	uint8_t buf[MAX_FRAME];
	struct fspec reply = {.family = 0,
			      .arp_op = 2,
			      .smac = mac_lock2,
			      .src = "192.0.2.12",
			      .dst = "192.0.2.1"};
	struct fspec stranger = {.family = 0,
				 .dmac = bcast6,
				 .smac = mac_a,
				 .src = "192.0.2.13",
				 .dst = "192.0.2.1"};
	struct neigh_obs_ring *r = neigh_ring(f->n, 0);
	struct pkt_meta with, without;
	size_t len;

	dp_ctx_init(&ctx, f->t);
	dp_ctx_init(&plain, f->t);
	ctx.neigh_obs = r;

	/* An ARP reply to us from member 2: heard, verdict unchanged. */
	len = build(&reply, buf);
	with = hear(f, &ctx, buf, len);
	without = hear(f, &plain, buf, len);
	assert_int_equal(with.verdict, without.verdict);
	assert_int_equal(with.drop_reason, without.drop_reason);
	assert_int_equal(r->head, 1);
	assert_int_equal(r->obs[0].kind, NEIGH_OBS_REPLY);
	assert_int_equal(r->obs[0].in_peer, 2);
	assert_memory_equal(r->obs[0].mac, mac_lock2, 6);

	/* An ARP request from a MAC no member has: dropped unknown_peer
	 * as before, and heard (a hint). */
	len = build(&stranger, buf);
	with = hear(f, &ctx, buf, len);
	without = hear(f, &plain, buf, len);
	assert_int_equal(with.verdict, VERDICT_DROP);
	assert_int_equal(with.drop_reason, IXG_DROP_UNKNOWN_PEER);
	assert_int_equal(without.drop_reason, IXG_DROP_UNKNOWN_PEER);
	assert_int_equal(r->head, 2);
	assert_int_equal(r->obs[1].kind, NEIGH_OBS_HINT);
	assert_int_equal(r->obs[1].in_peer, 0);

	/* A solicited NA with a target link-layer address. */
	len = make_na(buf, "2001:db8::12", mac_lock2, 0x60, mac_lock2);
	with = hear(f, &ctx, buf, len);
	without = hear(f, &plain, buf, len);
	assert_int_equal(with.verdict, without.verdict);
	assert_int_equal(with.drop_reason, without.drop_reason);
	assert_int_equal(r->head, 3);
	assert_int_equal(r->obs[2].family, 6);
	assert_int_equal(r->obs[2].kind, NEIGH_OBS_REPLY);
	assert_int_equal(r->obs[2].override, 1);

	/* A corrupted checksum is not heard. */
	len = make_na(buf, "2001:db8::12", mac_lock2, 0x60, mac_lock2);
	buf[len - 1] ^= 1;
	(void)hear(f, &ctx, buf, len);
	assert_int_equal(r->head, 3);

	/* The table learns from the ring. */
	assert_int_equal(neigh_poll(f->n, 0, NULL, NULL), 3);
	assert_int_equal(state_of(f, 2, 4), NEIGH_REACHABLE);
	assert_int_equal(state_of(f, 2, 6), NEIGH_REACHABLE);
	assert_int_equal(state_of(f, 3, 4), NEIGH_STALE);
	assert_int_equal(slot(f->t, 3, 4), mac_word(mac_a));
}

/* Forwarding to a learning member: unresolved until learned, then to the
 * learned MAC; the counters add up. */
static void
test_unresolved_then_forwarded(void **state)
{
	struct fixture *f = *state;
	struct pipeline_ctx ctx;
	struct fspec fs = {.family = 4,
			   .proto = 17,
			   .src = "198.51.100.7",
			   .dst = "203.0.113.9",
			   .payload = 10,
			   .smac = (const uint8_t *)"\x02\x00\x00\x00\x01\x01"};
	struct fspec fs6 = {
		.family = 6,
		.proto = 17,
		.src = "2001:db8:1::7",
		.dst = "2001:db8:77::9",
		.payload = 10,
		.smac = (const uint8_t *)"\x02\x00\x00\x00\x01\x01"};
	uint8_t buf[MAX_FRAME];
	struct burst b;
	struct burst_out out;
	struct neigh_obs o = obs(2, 4, "192.0.2.12", mac_b, NEIGH_OBS_REPLY);
	const struct ixg_lcore_counters *c;

	dp_ctx_init(&ctx, f->t);
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	assert_non_null(ctx.ctr);
	c = ctx.ctr;
	for (int round = 0; round < 2; round++) {
		dp_burst_init(&b, 0);
		b.pkts[0] = dp_test_mbuf(buf, build(&fs, buf), 0);
		b.pkts[1] = dp_test_mbuf(buf, build(&fs6, buf), 0);
		b.n = 2;
		memset(&out, 0, sizeof(out));
		pipeline_run(&ctx, &b, &out);
		if (round == 0) {
			assert_int_equal(out.n[0], 0);
			assert_int_equal(c->drops[IXG_DROP_UNRESOLVED], 2);
			assert_int_equal(c->port[0].drops[IXG_DROP_UNRESOLVED],
					 2);
			/* Member 2 answers for IPv4 only. */
			assert_true(neigh_input(f->n, &o, 0));
			continue;
		}
		assert_int_equal(out.n[0], 1);
		assert_memory_equal(rte_pktmbuf_mtod(out.pkts[0][0], uint8_t *),
				    mac_b, 6);
		rte_pktmbuf_free(out.pkts[0][0]);
		assert_int_equal(c->drops[IXG_DROP_UNRESOLVED], 3);
	}
	assert_int_equal(c->rx_packets, 4);
	/* received = forwarded (handed to TX) + local + punted + drops */
	assert_int_equal(c->port[0].fwd + c->local_packets + c->punted +
				 c->drops[IXG_DROP_UNRESOLVED],
			 4);
	rte_free(ctx.ctr);
}

/* ------------------------------------------------------------------ */
/* Link-local pairs (neigh.h, "Members' IPv6 link-local addresses").  */

static struct neigh_obs
ll_obs(uint16_t in_peer, const char *addr, const uint8_t mac[6],
       const uint8_t src[6], uint8_t kind)
{
	struct neigh_obs o = obs(in_peer, 6, addr, mac, kind);

	memcpy(o.src, src, 6);
	return o;
}

static unsigned
ll_all(struct fixture *f, struct neigh_ll_view *v, uint64_t *gen)
{
	unsigned total;
	unsigned n = neigh_ll_get(f->n, 0, v, NEIGH_LL_MAX, gen, &total, NULL);

	assert_int_equal(n, total);
	return n;
}

/* Who may teach a pair: a member from its own MAC, claiming that MAC, on
 * its link, for an address that is link-local and not the node's. */
static void
test_ll_learned_from_member(void **state)
{
	struct fixture *f = *state;
	static struct neigh_ll_view v[NEIGH_LL_MAX];
	static const uint8_t lock1[6] = {0x02, 0, 0, 0, 0x01, 0x01};
	uint64_t gen, gen2;
	struct neigh_obs o;

	assert_int_equal(ll_all(f, v, &gen), 0);
	assert_int_equal(gen, 0);
	/* Member 2's NS from its lock (stable-privacy address, no EUI-64). */
	o = ll_obs(2, "fe80::a1b2:c3d4:e5f6:1", mac_lock2, mac_lock2,
		   NEIGH_OBS_HINT);
	assert_true(neigh_input(f->n, &o, 1 * S));
	assert_int_equal(ll_all(f, v, &gen), 1);
	assert_int_equal(v[0].peer, 2);
	assert_int_equal(v[0].port, 0);
	assert_memory_equal(v[0].mac, mac_lock2, 6);
	assert_int_equal(v[0].heard_ns, 1 * S);
	assert_int_not_equal(gen, 0);
	/* Its global next hop's entry is not touched by it. */
	assert_int_equal(state_of(f, 2, 6), NEIGH_INCOMPLETE);
	/* Heard again: no new pair, no new generation. */
	assert_false(neigh_input(f->n, &o, 2 * S));
	assert_int_equal(ll_all(f, v, &gen2), 1);
	assert_int_equal(gen2, gen);
	assert_int_equal(v[0].heard_ns, 2 * S);
	/* Claiming a MAC it does not send from: refused. */
	o = ll_obs(2, "fe80::2", mac_a, mac_lock2, NEIGH_OBS_HINT);
	assert_false(neigh_input(f->n, &o, 2 * S));
	/* A MAC no member has: refused (member 3 has learned none yet). */
	o = ll_obs(0, "fe80::3", mac_b, mac_b, NEIGH_OBS_HINT);
	assert_false(neigh_input(f->n, &o, 2 * S));
	/* The node's own link-local address: never a member's. */
	o = ll_obs(2, "fe80::1", mac_lock2, mac_lock2, NEIGH_OBS_HINT);
	{
		struct ixg_spec *s2 = spec_new();
		struct tables *t2;

		dp_spec_local(s2, 0, "fe80::1", 64);
		t2 = dp_tables_build(s2);
		neigh_apply(f->n, t2, 2 * S);
		assert_false(neigh_input(f->n, &o, 2 * S));
		neigh_apply(f->n, f->t, 2 * S);
		tables_free(t2);
		dp_spec_free(s2);
	}
	/* Not link-local: not for this table. */
	o = ll_obs(2, "2001:db8::99", mac_lock2, mac_lock2, NEIGH_OBS_RA);
	assert_false(neigh_input(f->n, &o, 2 * S));
	/* A static member (1) teaches one too, by an RA; an RA changes no
	 * neighbour entry. */
	o = ll_obs(1, "fe80::11", lock1, lock1, NEIGH_OBS_RA);
	assert_true(neigh_input(f->n, &o, 3 * S));
	assert_int_equal(ll_all(f, v, &gen), 2);
	/* Member 4 is on VLAN 10: its MAC heard untagged teaches nothing. */
	o = ll_obs(4, "fe80::14", (const uint8_t *)"\x02\0\0\0\x01\x04",
		   (const uint8_t *)"\x02\0\0\0\x01\x04", NEIGH_OBS_HINT);
	assert_false(neigh_input(f->n, &o, 3 * S));
	o.vlan = 10;
	assert_true(neigh_input(f->n, &o, 3 * S));
	assert_int_equal(ll_all(f, v, &gen), 3);
}

/* A member without a MAC lock speaks from the MAC learned for its next
 * hop; at most NEIGH_LL_PER_PEER pairs a member, the longest unheard
 * makes room. */
static void
test_ll_lockless_and_bounded(void **state)
{
	struct fixture *f = *state;
	static struct neigh_ll_view v[NEIGH_LL_MAX];
	uint64_t gen;
	struct neigh_obs o;
	char a[32];

	o = ll_obs(0, "fe80::33", mac_b, mac_b, NEIGH_OBS_HINT);
	assert_false(neigh_input(f->n, &o, 0));
	o = obs(0, 4, "192.0.2.13", mac_b, NEIGH_OBS_REPLY);
	assert_true(neigh_input(f->n, &o, 0));
	o = ll_obs(0, "fe80::33", mac_b, mac_b, NEIGH_OBS_HINT);
	assert_true(neigh_input(f->n, &o, 1 * S));
	assert_int_equal(ll_all(f, v, &gen), 1);
	assert_int_equal(v[0].peer, 3);
	for (unsigned i = 0; i < NEIGH_LL_PER_PEER + 2; i++) {
		snprintf(a, sizeof(a), "fe80::2:%u", i);
		o = ll_obs(2, a, mac_lock2, mac_lock2, NEIGH_OBS_HINT);
		assert_true(neigh_input(f->n, &o, (2 + i) * S));
	}
	assert_int_equal(ll_all(f, v, &gen), 1 + NEIGH_LL_PER_PEER);
	for (unsigned i = 0; i < 1 + NEIGH_LL_PER_PEER; i++) {
		uint8_t first[16], second[16];

		ip(AF_INET6, "fe80::2:0", first);
		ip(AF_INET6, "fe80::2:1", second);
		assert_memory_not_equal(v[i].addr, first, 16);
		assert_memory_not_equal(v[i].addr, second, 16);
	}
	assert_int_equal(neigh_ll_refused(f->n), 0);
}

/* Wanted and unlearned: solicited by multicast NS on the members' IPv6
 * links, retrans apart mcast_probes times, then every failed_retry. */
static void
test_ll_wanted_solicited(void **state)
{
	struct fixture *f = *state;
	static const uint8_t want[2][16] = {
		{0xfe, 0x80, [15] = 0x99},
		{0x20, 0x01, 0x0d, 0xb8, [15] = 0x99}, /* not link-local */
	};
	static struct neigh_ll_view v[NEIGH_LL_MAX];
	uint64_t gen;
	unsigned ns = 0;

	neigh_ll_want(f->n, want, 2, 0);
	for (uint64_t now = 0; now < 3 * S; now += S / 2)
		neigh_timers(f->n, now, capture, &f->sent);
	for (unsigned k = 0; k < f->sent.n; k++) {
		const uint8_t *fr = f->sent.frame[k];

		if (fr[12] != 0x86 || memcmp(fr + 62, want[0], 16) != 0)
			continue;
		ns++;
		/* ff02::1:ff00:99 on 33:33:ff:00:00:99 */
		assert_memory_equal(fr, "\x33\x33\xff\x00\x00\x99", 6);
		assert_int_equal(fr[54], 135);
	}
	assert_int_equal(ns, 3);
	/* Then every 5 s. */
	f->sent.n = 0;
	neigh_timers(f->n, 3 * S + S / 2, capture, &f->sent);
	neigh_timers(f->n, 6 * S, capture, &f->sent);
	for (unsigned k = 0; k < f->sent.n; k++)
		assert_false(f->sent.frame[k][12] == 0x86 &&
			     memcmp(f->sent.frame[k] + 62, want[0], 16) == 0);
	neigh_timers(f->n, 7 * S, capture, &f->sent);
	ns = 0;
	for (unsigned k = 0; k < f->sent.n; k++)
		ns += f->sent.frame[k][12] == 0x86 &&
		      memcmp(f->sent.frame[k] + 62, want[0], 16) == 0;
	assert_int_equal(ns, 1);
	/* Its solicited NA teaches it: not solicited any more. */
	{
		struct neigh_obs o = ll_obs(2, "fe80::99", mac_lock2, mac_lock2,
					    NEIGH_OBS_REPLY);

		assert_true(neigh_input(f->n, &o, 7 * S));
	}
	assert_int_equal(ll_all(f, v, &gen), 1);
	assert_true(v[0].wanted);
	f->sent.n = 0;
	neigh_timers(f->n, 20 * S, capture, &f->sent);
	for (unsigned k = 0; k < f->sent.n; k++)
		assert_false(f->sent.frame[k][12] == 0x86 &&
			     memcmp(f->sent.frame[k] + 62, want[0], 16) == 0);
}

/* A wanted pair unheard for reachable_ms is asked by unicast NS, and
 * removed when ucast_probes of them go unanswered; an answer keeps it.
 * A pair nobody wants goes NEIGH_LL_IDLE_MULT * reachable_ms after it
 * was last heard; a removed member's pairs go with it. */
static void
test_ll_refresh_and_expiry(void **state)
{
	struct fixture *f = *state;
	static struct neigh_ll_view v[NEIGH_LL_MAX];
	static const uint8_t want[1][16] = {{0xfe, 0x80, [15] = 0x77}};
	struct neigh_obs o = ll_obs(2, "fe80::77", mac_lock2, mac_lock2,
				    NEIGH_OBS_HINT);
	struct neigh_obs o2 = ll_obs(2, "fe80::78", mac_lock2, mac_lock2,
				     NEIGH_OBS_HINT);
	uint64_t gen, gen2;
	unsigned uc = 0;

	assert_true(neigh_input(f->n, &o, 0));
	assert_true(neigh_input(f->n, &o2, 0));
	neigh_ll_want(f->n, want, 1, 0);
	/* Heard at 0: nothing asked before 30 s. */
	f->sent.n = 0;
	neigh_timers(f->n, 29 * S, capture, &f->sent);
	for (unsigned k = 0; k < f->sent.n; k++)
		assert_false(f->sent.frame[k][12] == 0x86 &&
			     memcmp(f->sent.frame[k] + 62, want[0], 16) == 0);
	f->sent.n = 0;
	for (uint64_t now = 30 * S; now <= 32 * S; now += S)
		neigh_timers(f->n, now, capture, &f->sent);
	for (unsigned k = 0; k < f->sent.n; k++) {
		const uint8_t *fr = f->sent.frame[k];

		if (fr[12] != 0x86 || memcmp(fr + 62, want[0], 16) != 0)
			continue;
		uc++;
		assert_memory_equal(fr, mac_lock2, 6); /* unicast */
	}
	assert_int_equal(uc, 3);
	assert_int_equal(ll_all(f, v, &gen), 2);
	/* The third went unanswered for retrans: removed. */
	neigh_timers(f->n, 33 * S, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen2), 1);
	assert_int_not_equal(gen2, gen);
	/* The unwanted one lives until 300 s unheard. */
	neigh_timers(f->n, 299 * S, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen), 1);
	neigh_timers(f->n, 300 * S, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen), 0);
	/* An answer keeps a wanted one; the member removed takes it. */
	assert_true(neigh_input(f->n, &o, 400 * S));
	neigh_timers(f->n, 430 * S, capture, &f->sent);
	o.kind = NEIGH_OBS_REPLY;
	assert_false(neigh_input(f->n, &o, 431 * S));
	neigh_timers(f->n, 440 * S, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen), 1);
	assert_int_equal(v[0].probing, 0);
	{
		struct ixg_spec *s2 = spec_new();
		struct tables *t2;

		s2->peers[1].vlan = 20; /* member 2 moved */
		t2 = dp_tables_build(s2);
		neigh_apply(f->n, t2, 441 * S);
		assert_int_equal(ll_all(f, v, &gen2), 0);
		assert_int_not_equal(gen2, gen);
		neigh_apply(f->n, f->t, 442 * S);
		tables_free(t2);
		dp_spec_free(s2);
	}
}

/* The timers visit only the used pairs (neigh.c keeps their count): a
 * pair behind a freed slot, or in a slot its member's oldest gave up, is
 * still refreshed. */
static unsigned
ns_for(const struct sent *s, const uint8_t target[16])
{
	unsigned k, hits = 0;

	for (k = 0; k < s->n; k++)
		hits += s->frame[k][12] == 0x86 &&
			memcmp(s->frame[k] + 62, target, 16) == 0;
	return hits;
}

static void
test_ll_timers_skip_free_slots(void **state)
{
	struct fixture *f = *state;
	static struct neigh_ll_view v[NEIGH_LL_MAX];
	static const uint8_t want_b[1][16] = {{0xfe, 0x80, [15] = 0x0b}};
	static const char *const five[5] = {"fe80::1", "fe80::2", "fe80::3",
					    "fe80::4", "fe80::5"};
	struct neigh_obs a = ll_obs(2, "fe80::a", mac_lock2, mac_lock2,
				    NEIGH_OBS_HINT);
	struct neigh_obs b = ll_obs(2, "fe80::b", mac_lock2, mac_lock2,
				    NEIGH_OBS_HINT);
	uint64_t gen;

	/* a in the first slot, b in the second; a ages out, b stays. */
	assert_true(neigh_input(f->n, &a, 0));
	assert_true(neigh_input(f->n, &b, 0));
	assert_false(neigh_input(f->n, &b, 290 * S));
	neigh_timers(f->n, 300 * S, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen), 1);
	assert_memory_equal(v[0].addr, want_b[0], 16);
	/* Wanted now: refreshed 30 s after it was last heard. */
	neigh_ll_want(f->n, want_b, 1, 300 * S);
	f->sent.n = 0;
	neigh_timers(f->n, 319 * S, capture, &f->sent);
	assert_int_equal(ns_for(&f->sent, want_b[0]), 0);
	neigh_timers(f->n, 320 * S, capture, &f->sent);
	assert_int_equal(ns_for(&f->sent, want_b[0]), 1);
	/* Five pairs of one member: the fifth takes its oldest's slot; all
	 * four still refreshed when wanted, then gone unanswered. */
	neigh_ll_want(f->n, NULL, 0, 330 * S);
	neigh_timers(f->n, 700 * S, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen), 0);
	for (unsigned i = 0; i < 5; i++) {
		struct neigh_obs o = ll_obs(2, five[i], mac_lock2, mac_lock2,
					    NEIGH_OBS_HINT);

		assert_true(neigh_input(f->n, &o, (800 + i) * S));
	}
	assert_int_equal(ll_all(f, v, &gen), NEIGH_LL_PER_PEER);
	{
		uint8_t want4[4][16];

		for (unsigned i = 0; i < 4; i++)
			ip(AF_INET6, five[i + 1], want4[i]);
		neigh_ll_want(f->n, (const uint8_t(*)[16])want4, 4, 805 * S);
		f->sent.n = 0;
		neigh_timers(f->n, 840 * S, capture, &f->sent);
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(ns_for(&f->sent, want4[i]), 1);
	}
	for (uint64_t now = 841 * S; now <= 844 * S; now += S)
		neigh_timers(f->n, now, capture, &f->sent);
	assert_int_equal(ll_all(f, v, &gen), 0);
}

/* stage_local hears an RA (from the member's link-local address, with a
 * source link-layer option) and an NA for a link-local target even
 * without a learning member; an IPv6 packet that is no ND is not looked
 * at; the table learns the pairs; no verdict changes. */
static void
test_stage_local_hears_link_local(void **state)
{
	struct fixture *f = *state;
	struct pipeline_ctx ctx, plain;
	uint8_t buf[MAX_FRAME];
	struct neigh_obs_ring *r = neigh_ring(f->n, 0);
	struct fspec ra = {.family = 6,
			   .proto = 58,
			   .icmp_type = 134,
			   .smac = mac_lock2,
			   .dmac = (const uint8_t *)"\x33\x33\0\0\0\x01",
			   .src = "fe80::a1b2:c3d4:e5f6:2",
			   .dst = "ff02::1",
			   .ttl = 255,
			   .payload = 24};
	struct fspec data = {.family = 6,
			     .proto = 17,
			     .smac = mac_lock2,
			     .src = "2001:db8::12",
			     .dst = "2001:db8:77::1",
			     .ttl = 64};
	static struct neigh_ll_view v[NEIGH_LL_MAX];
	struct pkt_meta with, without;
	uint64_t gen;
	uint8_t *icmp;
	size_t len;

	/* No learning member at all: the ND of link-local pairs is heard
	 * all the same. */
	f->t->n_neigh_learn = 0;
	dp_ctx_init(&ctx, f->t);
	dp_ctx_init(&plain, f->t);
	ctx.neigh_obs = r;
	len = build(&ra, buf);
	icmp = buf + 14 + 40;
	memset(icmp + 4, 0, 12);
	icmp[16] = 1; /* source link-layer address */
	icmp[17] = 1;
	memcpy(icmp + 18, mac_lock2, 6);
	put16(icmp + 2, 0);
	put16(icmp + 2, ref_cksum6(buf + 14, icmp, len - 54, 58));
	with = hear(f, &ctx, buf, len);
	without = hear(f, &plain, buf, len);
	assert_int_equal(with.verdict, without.verdict);
	assert_int_equal(with.drop_reason, without.drop_reason);
	assert_int_equal(r->head, 1);
	assert_int_equal(r->obs[0].kind, NEIGH_OBS_RA);
	assert_memory_equal(r->obs[0].src, mac_lock2, 6);
	assert_memory_equal(r->obs[0].mac, mac_lock2, 6);
	/* A solicited NA for member 2's link-local address. */
	len = make_na(buf, "fe80::a1b2:c3d4:e5f6:3", mac_lock2, 0x60,
		      mac_lock2);
	with = hear(f, &ctx, buf, len);
	without = hear(f, &plain, buf, len);
	assert_int_equal(with.verdict, without.verdict);
	assert_int_equal(with.drop_reason, without.drop_reason);
	assert_int_equal(r->head, 2);
	/* Data: not heard. */
	len = build(&data, buf);
	(void)hear(f, &ctx, buf, len);
	assert_int_equal(r->head, 2);
	assert_int_equal(neigh_poll(f->n, 0, NULL, NULL), 2);
	assert_int_equal(ll_all(f, v, &gen), 2);
	assert_int_equal(v[0].peer, 2);
	assert_int_equal(v[1].peer, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_static_is_permanent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_incomplete_broadcasts_then_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_tagged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ns_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_reply_makes_reachable_then_refresh, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_failed_refresh_is_member_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hint_is_stale_then_probed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_change_followed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_antispoofing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_survives_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_local_hears, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unresolved_then_forwarded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ll_learned_from_member,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ll_lockless_and_bounded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ll_wanted_solicited, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ll_timers_skip_free_slots,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ll_refresh_and_expiry,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_stage_local_hears_link_local, setup, teardown),
	};

	dp_test_eal_init("test_neigh", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
