/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sflow.c - the sFlow v5 encoder (control/sflow/sflow_enc.c) against
 * a decoder written here from the spec's XDR (sflow_version_5.txt), not
 * from the encoder: every field of a datagram with flow samples (header,
 * extended switch, extended gateway; a forwarded and a dropped packet) and
 * counter samples comes back as it went in; lengths add up to the
 * datagram; a sample that does not fit is refused with the datagram left
 * whole; IPv6 agent addresses; the drop reason codes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ixg_api.h"
#include "sflow_enc.h"

/* ---- a reader of XDR words, failing the test on a short datagram ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static uint32_t
u32(struct rd *r)
{
	uint32_t v;

	assert_true(r->off + 4 <= r->len);
	v = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
	    (uint32_t)r->p[r->off + 2] << 8 | r->p[r->off + 3];
	r->off += 4;
	return v;
}

static uint64_t
u64(struct rd *r)
{
	uint64_t hi = u32(r);

	return hi << 32 | u32(r);
}

static void
bytes(struct rd *r, uint8_t *out, size_t n)
{
	assert_true(r->off + n <= r->len);
	memcpy(out, r->p + r->off, n);
	r->off += n;
}

/* What the decoder finds in one flow sample. */
struct dec_flow {
	struct sflow_flow f;
	uint8_t hdr[256];
	uint32_t proto, n_records;
	uint32_t gw_as, gw_src_peer_as, gw_segments, gw_seg_type;
};

static void
decode_flow(struct rd *r, struct dec_flow *o)
{
	memset(o, 0, sizeof(*o));
	o->f.seq = u32(r);
	o->f.source = u32(r);
	o->f.rate = u32(r);
	o->f.pool = u32(r);
	o->f.drops = u32(r);
	o->f.input = u32(r);
	o->f.output = u32(r);
	o->n_records = u32(r);
	for (uint32_t k = 0; k < o->n_records; k++) {
		uint32_t fmt = u32(r), len = u32(r);
		size_t end = r->off + len;

		assert_int_equal(len % 4, 0);
		if (fmt == SFLOW_REC_HEADER) {
			o->proto = u32(r);
			o->f.frame_len = u32(r);
			o->f.stripped = u32(r);
			o->f.hdr_len = u32(r);
			assert_true(o->f.hdr_len <= sizeof(o->hdr));
			bytes(r, o->hdr, o->f.hdr_len);
			/* XDR pads opaque data with zeros */
			while (r->off % 4 != 0)
				assert_int_equal(r->p[r->off++], 0);
		} else if (fmt == SFLOW_REC_SWITCH) {
			o->f.has_switch = true;
			o->f.src_vlan = u32(r);
			o->f.src_prio = u32(r);
			o->f.dst_vlan = u32(r);
			o->f.dst_prio = u32(r);
		} else if (fmt == SFLOW_REC_GATEWAY) {
			uint32_t at = u32(r), nseg;
			uint8_t nh[16];

			o->f.has_gateway = true;
			bytes(r, nh, at == SFLOW_ADDR_IP6 ? 16 : 4);
			o->gw_as = u32(r);
			o->f.src_as = u32(r);
			o->gw_src_peer_as = u32(r);
			nseg = o->gw_segments = u32(r);
			for (uint32_t s = 0; s < nseg; s++) {
				uint32_t n;

				o->gw_seg_type = u32(r);
				n = u32(r);
				for (uint32_t a = 0; a < n; a++)
					o->f.dst_as = u32(r); /* the last */
			}
			assert_int_equal(u32(r), 0); /* communities */
			u32(r); /* localpref */
		} else {
			fail_msg("unexpected flow record format %u", fmt);
		}
		assert_int_equal(r->off, end);
	}
}

static void
decode_counters(struct rd *r, struct sflow_if_counters *c)
{
	uint32_t n, fmt, len;
	size_t end;

	memset(c, 0, sizeof(*c));
	c->seq = u32(r);
	assert_int_equal(u32(r) >> 24, 0); /* source type 0: ifIndex */
	n = u32(r);
	assert_int_equal(n, 1);
	fmt = u32(r);
	len = u32(r);
	assert_int_equal(fmt, SFLOW_REC_IF_COUNTERS);
	assert_int_equal(len, 88);
	end = r->off + len;
	c->if_index = u32(r);
	c->if_type = u32(r);
	c->if_speed = u64(r);
	c->if_direction = u32(r);
	c->if_status = u32(r);
	c->in_octets = u64(r);
	c->in_ucast = u32(r);
	c->in_mcast = u32(r);
	c->in_bcast = u32(r);
	c->in_discards = u32(r);
	c->in_errors = u32(r);
	c->in_unknown_protos = u32(r);
	c->out_octets = u64(r);
	c->out_ucast = u32(r);
	c->out_mcast = u32(r);
	c->out_bcast = u32(r);
	c->out_discards = u32(r);
	c->out_errors = u32(r);
	c->promiscuous = u32(r);
	assert_int_equal(r->off, end);
}

/* The datagram header; returns the number of samples. */
static uint32_t
decode_header(struct rd *r, struct sflow_addr *agent, uint32_t *sub,
	      uint32_t *seq, uint32_t *uptime)
{
	uint32_t at;

	assert_int_equal(u32(r), 5);
	at = u32(r);
	assert_true(at == SFLOW_ADDR_IP4 || at == SFLOW_ADDR_IP6);
	memset(agent, 0, sizeof(*agent));
	agent->family = at == SFLOW_ADDR_IP6 ? 6 : 4;
	bytes(r, agent->addr, at == SFLOW_ADDR_IP6 ? 16 : 4);
	*sub = u32(r);
	*seq = u32(r);
	*uptime = u32(r);
	return u32(r);
}

static const uint8_t frame[128] = {
	0x02, 0,    0,	  0,	0,    0x01, /* dst */
	0x02, 0,    0,	  0,	0x04, 0x01, /* src */
	0x81, 0x00, 0x00, 0x68, /* 802.1Q, VLAN 104 */
	0x08, 0x00, 0x45, 0x00, /* IPv4 */
};

static void
fill_flow(struct sflow_flow *f, uint32_t hdr_len)
{
	memset(f, 0, sizeof(*f));
	f->seq = 7;
	f->source = 3;
	f->rate = 1000;
	f->pool = 123456;
	f->drops = 2;
	f->input = 3;
	f->output = 4;
	f->frame_len = 1518;
	f->stripped = 4;
	f->hdr = frame;
	f->hdr_len = hdr_len;
	f->has_switch = true;
	f->src_vlan = 104;
	f->dst_vlan = 201;
	f->has_gateway = true;
	f->src_as = 7552;
	f->dst_as = 4134;
}

/* A datagram of two flow samples (one forwarded, one dropped, odd header
 * lengths for the padding) and two counter samples decodes back field by
 * field, and its lengths account for every byte. */
static void
test_roundtrip(void **state)
{
	static struct sflow_dgram d;
	struct sflow_addr agent = {.family = 4, .addr = {192, 0, 2, 1}}, ga;
	struct sflow_flow f1, f2;
	struct sflow_if_counters c1 = {0}, gc;
	struct dec_flow df;
	struct rd r;
	uint32_t sub, seq, up, n;

	(void)state;
	sflow_dgram_begin(&d, &agent, 9, 1, 0);
	fill_flow(&f1, 128);
	assert_int_equal(sflow_dgram_add_flow(&d, &f1), 0);
	fill_flow(&f2, 61);
	f2.seq = 8;
	f2.output = SFLOW_IF_DISCARD | SFLOW_DISCARD_ACL;
	f2.has_gateway = false;
	f2.dst_vlan = 0;
	assert_int_equal(sflow_dgram_add_flow(&d, &f2), 0);
	c1.seq = 3;
	c1.if_index = 4;
	c1.if_type = 6;
	c1.if_speed = 100000000000ull;
	c1.if_direction = 1;
	c1.if_status = 3;
	c1.in_octets = 0x123456789abull;
	c1.in_ucast = 1000;
	c1.in_discards = 17;
	c1.out_octets = 0xfedcba987ull;
	c1.out_ucast = 900;
	c1.promiscuous = 1;
	assert_int_equal(sflow_dgram_add_counters(&d, &c1), 0);
	c1.seq = 4;
	c1.if_index = 5;
	assert_int_equal(sflow_dgram_add_counters(&d, &c1), 0);
	sflow_dgram_stamp(&d, 42, 987654);

	r = (struct rd){.p = d.buf, .len = d.len};
	n = decode_header(&r, &ga, &sub, &seq, &up);
	assert_int_equal(n, 4);
	assert_int_equal(ga.family, 4);
	assert_memory_equal(ga.addr, agent.addr, 4);
	assert_int_equal(sub, 9);
	assert_int_equal(seq, 42);
	assert_int_equal(up, 987654);
	for (uint32_t s = 0; s < n; s++) {
		uint32_t type = u32(&r), len = u32(&r);
		size_t end = r.off + len;

		assert_true(end <= d.len);
		if (type == SFLOW_FLOW_SAMPLE) {
			const struct sflow_flow *want = s == 0 ? &f1 : &f2;

			decode_flow(&r, &df);
			assert_int_equal(df.f.seq, want->seq);
			assert_int_equal(df.f.source, want->source);
			assert_int_equal(df.f.rate, want->rate);
			assert_int_equal(df.f.pool, want->pool);
			assert_int_equal(df.f.drops, want->drops);
			assert_int_equal(df.f.input, want->input);
			assert_int_equal(df.f.output, want->output);
			assert_int_equal(df.proto, SFLOW_PROTO_ETHERNET);
			assert_int_equal(df.f.frame_len, want->frame_len);
			assert_int_equal(df.f.stripped, 4);
			assert_int_equal(df.f.hdr_len, want->hdr_len);
			assert_memory_equal(df.hdr, frame, want->hdr_len);
			assert_int_equal(df.f.has_switch, true);
			assert_int_equal(df.f.src_vlan, want->src_vlan);
			assert_int_equal(df.f.dst_vlan, want->dst_vlan);
			assert_int_equal(df.f.has_gateway, want->has_gateway);
			assert_int_equal(df.n_records,
					 want->has_gateway ? 3 : 2);
			if (want->has_gateway) {
				assert_int_equal(df.f.src_as, 7552);
				assert_int_equal(df.gw_src_peer_as, 7552);
				assert_int_equal(df.f.dst_as, 4134);
				assert_int_equal(df.gw_segments, 1);
				assert_int_equal(df.gw_seg_type,
						 SFLOW_AS_SEQUENCE);
			}
		} else {
			assert_int_equal(type, SFLOW_COUNTERS_SAMPLE);
			decode_counters(&r, &gc);
			assert_int_equal(gc.seq, s == 2 ? 3 : 4);
			assert_int_equal(gc.if_index, s == 2 ? 4 : 5);
			assert_int_equal(gc.if_type, 6);
			assert_true(gc.if_speed == c1.if_speed);
			assert_int_equal(gc.if_status, 3);
			assert_true(gc.in_octets == c1.in_octets);
			assert_int_equal(gc.in_ucast, 1000);
			assert_int_equal(gc.in_discards, 17);
			assert_true(gc.out_octets == c1.out_octets);
			assert_int_equal(gc.out_ucast, 900);
			assert_int_equal(gc.promiscuous, 1);
		}
		assert_int_equal(r.off, end);
	}
	assert_int_equal(r.off, d.len);
}

/* IPv6 agent address; a datagram filled to the brim refuses the next
 * sample and stays decodable; it never exceeds SFLOW_DGRAM_MAX. */
static void
test_full_and_v6(void **state)
{
	static struct sflow_dgram d;
	struct sflow_addr agent = {.family = 6}, ga;
	struct sflow_flow f;
	size_t before;
	uint32_t sub, seq, up, n, added = 0;
	struct rd r;

	(void)state;
	agent.addr[0] = 0x20;
	agent.addr[1] = 0x01;
	agent.addr[15] = 1;
	sflow_dgram_begin(&d, &agent, 0, 5, 100);
	fill_flow(&f, 128);
	while (sflow_dgram_add_flow(&d, &f) == 0)
		added++;
	assert_true(added >= 5);
	before = d.len;
	assert_int_equal(sflow_dgram_add_flow(&d, &f), -ENOSPC);
	assert_int_equal(d.len, before);
	assert_true(d.len <= SFLOW_DGRAM_MAX);
	assert_true(d.len + sflow_flow_size(&f) > SFLOW_DGRAM_MAX);
	r = (struct rd){.p = d.buf, .len = d.len};
	n = decode_header(&r, &ga, &sub, &seq, &up);
	assert_int_equal(n, added);
	assert_int_equal(ga.family, 6);
	assert_memory_equal(ga.addr, agent.addr, 16);
	assert_int_equal(seq, 5);
	for (uint32_t s = 0; s < n; s++) {
		struct dec_flow df;

		assert_int_equal(u32(&r), SFLOW_FLOW_SAMPLE);
		assert_int_equal(u32(&r), sflow_flow_size(&f) - 8);
		decode_flow(&r, &df);
	}
	assert_int_equal(r.off, d.len);
	/* a header longer than ixgate samples is refused */
	sflow_dgram_begin(&d, &agent, 0, 6, 100);
	f.hdr_len = IXG_SAMPLE_HDR_MAX + 4;
	assert_int_equal(sflow_dgram_add_flow(&d, &f), -ENOSPC);
}

/* The spec's reason codes for ixgate's drops. */
static void
test_discard_reasons(void **state)
{
	(void)state;
	assert_int_equal(sflow_discard_reason(IXG_DROP_ACL_DENY), 258);
	assert_int_equal(sflow_discard_reason(IXG_DROP_TTL_EXPIRED), 257);
	assert_int_equal(sflow_discard_reason(IXG_DROP_NO_ROUTE), 0);
	assert_int_equal(sflow_discard_reason(IXG_DROP_BLACKHOLE), 0);
	assert_int_equal(sflow_discard_reason(IXG_DROP_POLICER_RED), 261);
	assert_int_equal(sflow_discard_reason(IXG_DROP_MTU_EXCEEDED), 262);
	assert_int_equal(sflow_discard_reason(IXG_DROP_TX_FULL), 259);
	assert_int_equal(sflow_discard_reason(IXG_DROP_SOURCE_INVALID), 13);
	assert_int_equal(sflow_discard_reason(IXG_DROP_RUNT), 256);
	for (unsigned i = 0; i < IXG_DROP_MAX; i++)
		assert_true(sflow_discard_reason(i) <= 262);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_full_and_v6),
		cmocka_unit_test(test_discard_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
