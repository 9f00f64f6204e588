/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the dataplane's ACL classifier (dataplane/
 * acl_class.h): rules and packets from the input; every packet's answer
 * must equal a naive scan of the rules in (priority, id, index) order
 * (tests/unit/dataplane/test_acl_class_ref.c), in bulk and one at a time,
 * and a build must fail exactly when a rule breaks the documented checks,
 * naming the first such rule.
 *
 * Input: byte 0 the number of rules (mod 256); byte 1 options: bit 0 "raw"
 * (family, prefix lengths, port ranges and peers taken unchecked, so some
 * rules are invalid); then 12-byte rules, then 12-byte packets.
 * Rule: r0 bits: 0 IPv6, 1 protocol, 2 DSCP, 3 peer, 4 source ports, 5
 * destination ports, 6 source prefix, 7 destination prefix; r1 protocol,
 * r2 protocol mask (used when r11 bit 7), r3 DSCP, r4 peer, r5/r6 source /
 * destination port range (two nibbles indexing 16 edge ports), r7/r8
 * source / destination prefix length, r9/r10 address patterns, r11
 * priority (bits 0..5; few values, so ties), bit 6 ids shared by every
 * third rule, bit 7 the odd protocol mask.
 * Packet: k0 bits: 0 IPv6, 1 later fragment, 2..4 peer, 5..7 protocol
 * (from a list, 7: k1); k1 DSCP or protocol; k2..k5 ports; k6..k9
 * address patterns; k10, k11 host bits. Rules and packets share a few
 * networks (10.x/8, 2001:db8::/32), so prefixes nest and packets hit them;
 * 64 more packets per family are drawn around the rules' edges.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_class.h"
#include "test_acl_class_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REC 12
#define MAX_RULES 255
#define NEAR_KEYS 64

static const uint16_t ports[16] = {0,	  1,	 19,	53,   80,   123,
				   443,	  1023,	 1024,	5060, 8000, 16384,
				   32767, 32768, 65534, 65535};
static const uint8_t protos[7] = {6, 17, 1, 58, 132, 33, 136};

static void
addr(uint8_t out[16], int v6, uint8_t p, uint8_t q, uint8_t h0, uint8_t h1)
{
	memset(out, 0, 16);
	if (!v6) {
		out[0] = 10;
		out[1] = (uint8_t)(p >> 4);
		out[2] = (uint8_t)(p & 0xf);
		out[3] = (uint8_t)(q ^ h0);
	} else {
		out[0] = 0x20;
		out[1] = 0x01;
		out[2] = 0x0d;
		out[3] = 0xb8;
		out[4] = (uint8_t)(p >> 4);
		out[5] = (uint8_t)(p & 0xf);
		out[7] = q;
		out[8] = h0;
		out[15] = h1;
	}
}

static void
rule_from(struct ixg_spec_acl_rule *r, const uint8_t *b, uint32_t i, int raw)
{
	int v6 = b[0] & 1;
	unsigned max = v6 ? 128 : 32;

	memset(r, 0, sizeof(*r));
	r->id = b[11] & 0x40 ? 1 + i / 3 : i + 1;
	r->priority = b[11] & 0x3f;
	r->family = raw && (b[4] & 0xf0) == 0xf0 ? b[1] : v6 ? 6 : 4;
	r->dscp_any = !(b[0] & 4);
	r->dscp = b[3];
	r->sport_hi = r->dport_hi = 65535;
	if (b[0] & 2) {
		r->proto = b[1];
		r->proto_mask = b[11] & 0x80 ? b[2] : 0xff;
	}
	if (b[0] & 8)
		r->in_peer = raw ? (uint16_t)(b[4] << 4 | b[3] >> 4)
				 : (uint16_t)(1 + b[4] % 7);
	for (unsigned d = 0; d < 2; d++) {
		uint16_t *lo = d ? &r->dport_lo : &r->sport_lo;
		uint16_t *hi = d ? &r->dport_hi : &r->sport_hi;
		uint16_t a = ports[b[5 + d] >> 4], z = ports[b[5 + d] & 15];

		if (!(b[0] & (0x10 << d)))
			continue;
		*lo = raw || a <= z ? a : z;
		*hi = raw || a <= z ? z : a;
	}
	addr(r->src, v6, b[9], b[10], b[9], b[10]);
	addr(r->dst, v6, b[10], b[9], b[10], b[9]);
	if (b[0] & 0x40)
		r->src_len = raw ? b[7] : (uint8_t)(b[7] % (max + 1));
	if (b[0] & 0x80)
		r->dst_len = raw ? b[8] : (uint8_t)(b[8] % (max + 1));
}

/* The documented build checks, for one rule. */
static int
rule_valid(const struct ixg_spec_acl_rule *r)
{
	unsigned max = r->family == 4 ? 32 : 128;

	return (r->family == 4 || r->family == 6) && r->src_len <= max &&
	       r->dst_len <= max && r->sport_lo <= r->sport_hi &&
	       r->dport_lo <= r->dport_hi && r->in_peer < IXG_MAX_PEERS;
}

static void
die(const char *what, unsigned i, uint32_t got, uint32_t want)
{
	fprintf(stderr, "fuzz_acl: %s key %u: classifier %u, naive %u\n", what,
		i, got, want);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ixg_spec_acl_rule rules[MAX_RULES];
	static struct acl_class_key4 k4[4096 / REC + NEAR_KEYS];
	static struct acl_class_key6 k6[4096 / REC + NEAR_KEYS];
	static uint32_t res[4096 / REC + NEAR_KEYS];
	struct acl_class *c = NULL;
	struct acl_class_error err;
	struct acl_naive m;
	uint32_t n, n4 = 0, n6 = 0;
	int64_t first_bad = -1;
	uint64_t rng = 0x5eed;
	size_t off = 2;
	int raw, rc;

	if (size < 2)
		return 0;
	n = data[0];
	raw = data[1] & 1;
	if (n > (size - 2) / REC)
		n = (uint32_t)((size - 2) / REC);
	for (uint32_t i = 0; i < n; i++, off += REC) {
		rule_from(&rules[i], data + off, i, raw);
		if (first_bad < 0 && !rule_valid(&rules[i]))
			first_bad = i;
	}
	for (size_t i = 0; i < size; i++)
		rng = rng * 31 + data[i];
	rc = acl_class_build(rules, n, NULL, &c, &err);
	if (first_bad >= 0) {
		if (rc != -EINVAL || c != NULL || err.rule != first_bad) {
			fprintf(stderr,
				"fuzz_acl: rule %lld is invalid, build gave "
				"%d naming %lld (%s)\n",
				(long long)first_bad, rc, (long long)err.rule,
				err.msg);
			abort();
		}
		return 0;
	}
	if (rc != 0) {
		fprintf(stderr, "fuzz_acl: build failed: %d rule %lld: %s\n",
			rc, (long long)err.rule, err.msg);
		abort();
	}
	for (; off + REC <= size && n4 + n6 < 4096 / REC; off += REC) {
		const uint8_t *b = data + off;
		int v6 = b[0] & 1;
		uint8_t a[16], z[16];
		uint8_t ps = b[0] >> 5;
		uint8_t proto = ps == 7 ? b[1] : protos[ps];
		uint8_t flags = (uint8_t)((b[1] & 0x3f) |
					  (b[0] & 2 ? ACL_CLASS_LATER_FRAG
						    : 0));
		uint16_t peer = (uint16_t)((b[0] >> 2) & 7);
		uint16_t sp = (uint16_t)(b[2] << 8 | b[3]);
		uint16_t dp = (uint16_t)(b[4] << 8 | b[5]);

		if (peer == 7)
			peer = (uint16_t)(IXG_MAX_PEERS + b[10]);
		addr(a, v6, b[6], b[7], b[10], b[11]);
		addr(z, v6, b[8], b[9], b[11], b[10]);
		if (!v6) {
			struct acl_class_key4 *k = &k4[n4++];

			memset(k, 0, sizeof(*k));
			memcpy(&k->src, a, 4);
			memcpy(&k->dst, z, 4);
			k->sport = sp, k->dport = dp, k->in_peer = peer;
			k->proto = proto, k->flags = flags;
		} else {
			struct acl_class_key6 *k = &k6[n6++];

			memset(k, 0, sizeof(*k));
			memcpy(k->src, a, 16);
			memcpy(k->dst, z, 16);
			k->sport = sp, k->dport = dp, k->in_peer = peer;
			k->proto = proto, k->flags = flags;
		}
	}
	acl_keys_near4(&rng, rules, n, k4 + n4, NEAR_KEYS);
	acl_keys_near6(&rng, rules, n, k6 + n6, NEAR_KEYS);
	n4 += NEAR_KEYS;
	n6 += NEAR_KEYS;
	if (acl_naive_init(&m, rules, n) != 0)
		abort();
	acl_class_classify4(c, k4, res, n4);
	for (uint32_t i = 0; i < n4; i++) {
		uint32_t want = acl_naive4(&m, &k4[i]), one;

		if (res[i] != want)
			die("IPv4", i, res[i], want);
		acl_class_classify4(c, &k4[i], &one, 1);
		if (one != want)
			die("IPv4 single", i, one, want);
	}
	acl_class_classify6(c, k6, res, n6);
	for (uint32_t i = 0; i < n6; i++) {
		uint32_t want = acl_naive6(&m, &k6[i]), one;

		if (res[i] != want)
			die("IPv6", i, res[i], want);
		acl_class_classify6(c, &k6[i], &one, 1);
		if (one != want)
			die("IPv6 single", i, one, want);
	}
	acl_naive_free(&m);
	acl_class_free(c);
	return 0;
}
