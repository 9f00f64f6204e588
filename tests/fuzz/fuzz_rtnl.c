/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the kernel route reader (control/routes/): netlink
 * datagrams, clock ticks, overruns, resyncs and failed sends, fed to a
 * reader on a scripted transport following tables 100 and 200.
 *
 * Input: records [u8 op][u16 len, little endian][len bytes]; op % 5:
 *   0  a datagram of len bytes, as recv() would return it (the reader's
 *      dump requests carry seq 1, 2, ... and port id 1: replies use them);
 *   1  the clock moves len milliseconds, then rtnl_reader_tick();
 *   2  recv() reports ENOBUFS once (an overrun);
 *   3  rtnl_reader_resync();
 *   4  the next request send fails.
 * The input ends with rtnl_reader_flush() and rtnl_reader_free().
 *
 * Properties checked beyond "no crash, no leak, no UB":
 *  - every message of a datagram that parses re-encodes
 *    (rtnl_build_route) into one that parses back equal;
 *  - the parser with room for 4 next hops never writes a fifth;
 *  - the store's invariants hold after every record (rtnl_store_check);
 *  - every batch names valid prefixes, and a change's old and new best
 *    routes belong to its prefix.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rtnl_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct script {
	const uint8_t *dgram;
	size_t len;
	int err; /* returned once by recv() */
	int fail_send;
	uint64_t now;
};

static ssize_t
s_recv(void *ctx, void *buf, size_t len)
{
	struct script *s = ctx;

	if (s->err != 0) {
		int e = s->err;

		s->err = 0;
		return e;
	}
	if (s->dgram == NULL)
		return -EAGAIN;
	if (s->len < len)
		len = s->len;
	memcpy(buf, s->dgram, len);
	s->dgram = NULL;
	return (ssize_t)len;
}

static int
s_send(void *ctx, const void *buf, size_t len)
{
	struct script *s = ctx;

	(void)buf;
	(void)len;
	if (s->fail_send) {
		s->fail_send = 0;
		return -ENOBUFS;
	}
	return 0;
}

static uint64_t
s_clock(void *arg)
{
	return ((struct script *)arg)->now;
}

static void
check_route(const struct rtnl_change *c, const struct rtnl_route *r)
{
	if (r == NULL)
		return;
	if (r->family != c->family || r->dst_len != c->len ||
	    memcmp(r->dst, c->dst, 16) != 0 || r->n_nh > RTNL_MAX_NH)
		abort();
}

static void
s_batch(void *arg, const struct rtnl_batch *b)
{
	uint32_t i;

	(void)arg;
	for (i = 0; i < b->n; i++) {
		const struct rtnl_change *c = &b->changes[i];

		if ((c->family != AF_INET && c->family != AF_INET6) ||
		    c->len > (c->family == AF_INET ? 32 : 128) ||
		    (c->old_best == NULL && c->new_best == NULL))
			abort();
		check_route(c, c->old_best);
		check_route(c, c->new_best);
	}
}

/* Parse every message of the datagram on its own, re-encode what parses,
 * and parse that again. */
static void
round_trip(const uint8_t *data, size_t len)
{
	static uint8_t copy[65536] __attribute__((aligned(8)));
	static uint8_t out[65536] __attribute__((aligned(8)));
	static struct rtnl_nexthop nh[RTNL_MAX_NH], nh2[RTNL_MAX_NH];
	struct rtnl_nexthop few[5];
	const struct nlmsghdr *nlh;
	int rem;

	if (len > sizeof(copy))
		len = sizeof(copy);
	memcpy(copy, data, len);
	nlh = (const struct nlmsghdr *)copy;
	rem = (int)len;
	for (; rem >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)rem;
	     rem -= (int)NLMSG_ALIGN(nlh->nlmsg_len),
	     nlh = (const struct nlmsghdr *)((const uint8_t *)nlh +
					     NLMSG_ALIGN(nlh->nlmsg_len))) {
		struct rtnl_route r, r2;
		struct rtnl_parse_error err;
		size_t n;

		/* Room for 4 next hops: a fifth is never written. */
		memset(&few[4], 0x5a, sizeof(few[4]));
		rtnl_parse_route(nlh, (size_t)rem, &r, few, 4, &err);
		for (n = 0; n < sizeof(few[4]); n++)
			if (((const uint8_t *)&few[4])[n] != 0x5a)
				abort();

		if (rtnl_parse_route(nlh, (size_t)rem, &r, nh, RTNL_MAX_NH,
				     &err) < 0) {
			char text[160];

			rtnl_parse_error_str(&err, text, sizeof(text));
			if (err.reason >= RTNL_ERR_MAX)
				abort();
			continue;
		}
		n = rtnl_build_route(out, sizeof(out), RTM_NEWROUTE, 0, 1, &r);
		if (n == 0)
			abort(); /* 64 KiB holds any parsed route */
		if (rtnl_parse_route((const struct nlmsghdr *)out, n, &r2, nh2,
				     RTNL_MAX_NH, &err) < 0 ||
		    !rtnl_route_equal(&r, &r2))
			abort();
		{
			char line[2048];

			rtnl_route_format(&r, line, sizeof(line), NULL);
		}
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= (unsigned)rem)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = {.now = 1000000000ull};
	struct rtnl_io io = {s_recv, s_send, &s};
	struct rtnl_reader_config cfg;
	struct rtnl_reader *r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.tables[0] = 100;
	cfg.tables[1] = 200;
	cfg.n_tables = 2;
	cfg.batch_ms = 20;
	cfg.max_queue = 1 << 16;
	cfg.on_batch = s_batch;
	cfg.io = &io;
	cfg.clock_ns = s_clock;
	cfg.arg = &s;
	r = rtnl_reader_new(&cfg);
	if (r == NULL)
		abort();
	while (size >= 3) {
		unsigned op = data[0] % 5;
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		switch (op) {
		case 0:
			round_trip(data, len);
			s.dgram = data;
			s.len = len;
			rtnl_reader_readable(r);
			break;
		case 1:
			s.now += (uint64_t)len * 1000000ull;
			rtnl_reader_tick(r);
			break;
		case 2:
			s.err = -ENOBUFS;
			rtnl_reader_readable(r);
			break;
		case 3: rtnl_reader_resync(r); break;
		case 4: s.fail_send = 1; break;
		}
		if (op == 0) {
			data += len;
			size -= len;
		}
		if (rtnl_store_check(rtnl_reader_store(r)) != 0)
			abort();
	}
	rtnl_reader_flush(r);
	rtnl_reader_free(r);
	return 0;
}
