/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel route reader on a scripted kernel (a fake transport and a
 * fake clock): the dump cycle (one request per family and table, a table
 * that does not exist yet), the first full batch, events batched by the
 * window or by max_batch, events during a dump queued and replayed, an
 * overrun (ENOBUFS) resynced with only the drift reported, NLM_F_DUMP_INTR
 * and IPv6 deletions during an IPv6 dump redone (and accepted after the
 * retries), a full event queue, malformed messages counted and logged,
 * other tables and cache entries skipped, link and address changes that
 * schedule a resync. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>
#include <linux/if_addr.h>
#include <net/if.h>

#include "rtnl_reader.h"
#include "rtnl_test_util.h"

#define MS 1000000ull

struct sent {
	uint16_t type;
	uint16_t flags;
	uint8_t family;
	uint32_t table;
	uint32_t seq;
};

struct fake {
	/* What recv() returns, in order: a datagram, or an error. */
	uint8_t dgram[16][16384];
	size_t len[16];
	int err[16];
	unsigned n, pos;
	struct sent sent[64];
	unsigned n_sent;
	uint64_t now;
	char log[8192];
	unsigned batches, changes, full;
	char last[4096]; /* the last batch, as text */
	struct rtnl_reader *r;
};

static ssize_t
fake_recv(void *ctx, void *buf, size_t len)
{
	struct fake *f = ctx;
	unsigned i;

	if (f->pos == f->n)
		return -EAGAIN;
	i = f->pos++;
	if (f->err[i] != 0)
		return f->err[i];
	assert_true(f->len[i] <= len);
	memcpy(buf, f->dgram[i], f->len[i]);
	return (ssize_t)f->len[i];
}

static int
fake_send(void *ctx, const void *buf, size_t len)
{
	struct fake *f = ctx;
	const struct nlmsghdr *nlh = buf;
	struct rtmsg rtm;
	struct sent *s = &f->sent[f->n_sent++];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(rtm));

	assert_true(len >= off);
	memcpy(&rtm, (const uint8_t *)buf + NLMSG_HDRLEN, sizeof(rtm));
	memset(s, 0, sizeof(*s));
	s->type = nlh->nlmsg_type;
	s->flags = nlh->nlmsg_flags;
	s->family = rtm.rtm_family;
	s->seq = nlh->nlmsg_seq;
	while (off + NLA_HDRLEN <= len) {
		struct nlattr a;

		memcpy(&a, (const uint8_t *)buf + off, sizeof(a));
		if (a.nla_type == RTA_TABLE)
			memcpy(&s->table, (const uint8_t *)buf + off + 4, 4);
		off += NLA_ALIGN(a.nla_len);
	}
	return 0;
}

static uint64_t
fake_clock(void *arg)
{
	return ((struct fake *)arg)->now;
}

static void
fake_log(void *arg, int level, const char *msg)
{
	struct fake *f = arg;

	(void)level;
	if (strlen(f->log) + strlen(msg) + 2 < sizeof(f->log)) {
		strcat(f->log, msg);
		strcat(f->log, "\n");
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Batches come in no particular order: f->last lists the changes
 * sorted, "+P" added, "-P" withdrawn, "~P" changed. */
static void
fake_batch(void *arg, const struct rtnl_batch *b)
{
	static char lines[64][64];
	struct fake *f = arg;
	uint32_t i, n = b->n < 64 ? b->n : 64;

	f->batches++;
	f->changes += b->n;
	f->full += b->full;
	f->last[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct rtnl_change *c = &b->changes[i];
		char p[50];

		snprintf(lines[i], sizeof(lines[i]), "%c%s",
			 !c->old_best	? '+'
			 : !c->new_best ? '-'
					: '~',
			 rtnl_prefix_str(c->family, c->dst, c->len, p));
	}
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(f->last, " ");
		strcat(f->last, lines[i]);
	}
}

static struct rtnl_reader *
fake_reader(struct fake *f, unsigned n_tables, const uint32_t *tables,
	    void (*tweak)(struct rtnl_reader_config *))
{
	static struct rtnl_io io;
	struct rtnl_reader_config cfg;

	memset(f, 0, sizeof(*f));
	f->now = 1000 * MS;
	io = (struct rtnl_io){fake_recv, fake_send, f};
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.tables, tables, n_tables * sizeof(*tables));
	cfg.n_tables = n_tables;
	cfg.batch_ms = 20;
	cfg.on_batch = fake_batch;
	cfg.log = fake_log;
	cfg.arg = f;
	cfg.io = &io;
	cfg.clock_ns = fake_clock;
	if (tweak != NULL)
		tweak(&cfg);
	f->r = rtnl_reader_new(&cfg);
	assert_non_null(f->r);
	return f->r;
}

/* Datagrams under construction. */
static void
dg_begin(struct fake *f)
{
	assert_true(f->n < 16);
	f->len[f->n] = 0;
	f->err[f->n] = 0;
}

static void
dg_add(struct fake *f, const struct msg *m)
{
	memcpy(f->dgram[f->n] + f->len[f->n], m->buf, m->len);
	f->len[f->n] += NLMSG_ALIGN(m->len);
}

static void
dg_end(struct fake *f)
{
	f->n++;
}

static void
dg_error(struct fake *f, int err)
{
	f->len[f->n] = 0;
	f->err[f->n] = err;
	f->n++;
}

/* The reader's dump reply: a route of the dump in progress. */
static void
dump_route(struct fake *f, int family, const char *prefix, uint32_t table,
	   uint8_t type, const char *gw, int ifindex)
{
	struct msg m;

	msg_route(&m, RTM_NEWROUTE, NLM_F_MULTI, rtnl_reader_dump_seq(f->r),
		  rtnl_reader_portid(f->r), family, prefix, table, type,
		  RTPROT_BIRD, 0, gw, ifindex);
	dg_add(f, &m);
}

static void
dump_done(struct fake *f, int32_t err, uint16_t extra_flags)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.nlh = (struct nlmsghdr *)m.buf;
	m.nlh->nlmsg_type = NLMSG_DONE;
	m.nlh->nlmsg_flags = NLM_F_MULTI | extra_flags;
	m.nlh->nlmsg_seq = rtnl_reader_dump_seq(f->r);
	m.nlh->nlmsg_pid = rtnl_reader_portid(f->r);
	memcpy(m.buf + NLMSG_HDRLEN, &err, 4);
	m.len = NLMSG_HDRLEN + 4;
	m.nlh->nlmsg_len = (uint32_t)m.len;
	dg_add(f, &m);
}

/* An event (another process changed a route): pid and seq of that
 * process, not ours. */
static void
event(struct fake *f, uint16_t type, uint16_t flags, int family,
      const char *prefix, uint32_t table, uint8_t rtype, const char *gw,
      int ifindex)
{
	struct msg m;

	msg_route(&m, type, flags, 77, 4242, family, prefix, table, rtype,
		  RTPROT_BIRD, 0, gw, ifindex);
	dg_begin(f);
	dg_add(f, &m);
	dg_end(f);
}

/* Answer the dump in progress with `routes` for IPv4 and nothing for
 * IPv6, in one datagram each. */
static void
answer_dump(struct fake *f, void (*routes)(struct fake *))
{
	unsigned guard;

	for (guard = 0; guard < 8 && rtnl_reader_dumping(f->r); guard++) {
		const struct sent *s = &f->sent[f->n_sent - 1];

		assert_int_equal(s->type, RTM_GETROUTE);
		assert_true(s->flags & NLM_F_DUMP);
		dg_begin(f);
		if (s->family == AF_INET && routes != NULL)
			routes(f);
		dump_done(f, 0, 0);
		dg_end(f);
		rtnl_reader_readable(f->r);
	}
	assert_false(rtnl_reader_dumping(f->r));
}

/* Answer only the request in progress, its DONE with `flags`. */
static void
answer_one(struct fake *f, void (*routes)(struct fake *), uint16_t flags)
{
	const struct sent *s = &f->sent[f->n_sent - 1];

	assert_true(rtnl_reader_dumping(f->r));
	dg_begin(f);
	if (s->family == AF_INET && routes != NULL)
		routes(f);
	dump_done(f, 0, flags);
	dg_end(f);
	rtnl_reader_readable(f->r);
}

static void
two_routes(struct fake *f)
{
	dump_route(f, AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, "192.0.2.2", 3);
	dump_route(f, AF_INET, "10.2.0.0/16", 100, RTN_BLACKHOLE, "", 0);
}

static void
first_dump_is_one_full_batch(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 2, (uint32_t[]){100, 200},
					    NULL);

	(void)state;
	/* One request per (family, table): IPv4 100, then the others as
	 * each finishes. */
	assert_int_equal(f.n_sent, 1);
	assert_int_equal(f.sent[0].family, AF_INET);
	assert_int_equal(f.sent[0].table, 100);
	assert_false(rtnl_reader_synced(r));
	dg_begin(&f);
	two_routes(&f);
	dump_done(&f, 0, 0);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(f.n_sent, 2);
	assert_int_equal(f.sent[1].table, 200);
	/* Table 200 does not exist yet: the kernel says ENOENT. */
	dg_begin(&f);
	dump_done(&f, -ENOENT, 0);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(f.n_sent, 3);
	assert_int_equal(f.sent[2].family, AF_INET6);
	answer_dump(&f, NULL);
	assert_true(rtnl_reader_synced(r));
	assert_int_equal(f.n_sent, 4);
	assert_int_equal(f.batches, 1);
	assert_int_equal(f.full, 1);
	assert_string_equal(f.last, "+10.1.0.0/16 +10.2.0.0/16");
	assert_int_equal(rtnl_reader_stats(r)->dump_routes, 2);
	assert_int_equal(rtnl_reader_stats(r)->dump_errors, 0);
	assert_int_equal(rtnl_store_routes(rtnl_reader_store(r), AF_INET), 2);
	assert_non_null(strstr(f.log, "synced: 2 IPv4 and 0 IPv6"));
	rtnl_reader_free(r);
}

static void
events_batched_by_window(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);

	(void)state;
	answer_dump(&f, two_routes);
	assert_int_equal(rtnl_reader_deadline(r), UINT64_MAX);
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.3.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	rtnl_reader_readable(r);
	assert_int_equal(f.batches, 1); /* the window is open */
	assert_int_equal(rtnl_reader_deadline(r), f.now + 20 * MS);
	f.now += 5 * MS;
	event(&f, RTM_DELROUTE, 0, AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
	      "192.0.2.2", 3);
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.4.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	event(&f, RTM_DELROUTE, 0, AF_INET, "10.4.0.0/16", 100, RTN_UNICAST,
	      "192.0.2.2", 3);
	rtnl_reader_readable(r);
	f.now += 14 * MS;
	rtnl_reader_tick(r);
	assert_int_equal(f.batches, 1);
	f.now += 1 * MS;
	rtnl_reader_tick(r);
	assert_int_equal(f.batches, 2);
	assert_string_equal(f.last, "+10.3.0.0/16 -10.1.0.0/16");
	assert_int_equal(rtnl_reader_stats(r)->coalesced, 1); /* 10.4/16 */
	assert_int_equal(rtnl_reader_deadline(r), UINT64_MAX);
	rtnl_reader_free(r);
}

static void
max_batch_500(struct rtnl_reader_config *cfg)
{
	cfg->max_batch = 2;
}

static void
events_batched_by_size(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100},
					    max_batch_500);

	(void)state;
	answer_dump(&f, NULL);
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.3.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.4.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	rtnl_reader_readable(r);
	assert_int_equal(f.batches, 2); /* full + one cut at 2 prefixes */
	assert_string_equal(f.last, "+10.3.0.0/16 +10.4.0.0/16");
	rtnl_reader_free(r);
}

static void
skipped_and_malformed(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);
	struct msg m;

	(void)state;
	answer_dump(&f, NULL);
	/* Another table; a cache entry; a truncated message. */
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.3.0.0/16", 254,
	      RTN_UNICAST, "192.0.2.2", 3);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET6, "2001:db8::/32", 100,
		  RTN_UNICAST, 0, 0, "2001:db8:1::2", 3);
	msg_rtm(&m)->rtm_flags = RTM_F_CLONED;
	dg_begin(&f);
	dg_add(&f, &m);
	dg_end(&f);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.5.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "192.0.2.2", 3);
	m.buf[m.len - 8] = 40; /* RTA_OIF's length past the end */
	dg_begin(&f);
	dg_add(&f, &m);
	dg_end(&f);
	rtnl_reader_readable(r);
	f.now += 100 * MS;
	rtnl_reader_tick(r);
	assert_int_equal(f.batches, 1); /* the full one only */
	assert_int_equal(rtnl_reader_stats(r)->other_table, 1);
	assert_int_equal(rtnl_reader_stats(r)->cloned, 1);
	assert_int_equal(rtnl_reader_stats(r)->malformed, 1);
	assert_int_equal(rtnl_reader_stats(r)->malformed_by[RTNL_ERR_ATTR_LEN],
			 1);
	assert_non_null(strstr(f.log, "malformed RTM_NEWROUTE"));
	assert_non_null(strstr(f.log, "bad_attribute_length: RTA_OIF"));
	/* Garbage that is not even a netlink header. */
	dg_begin(&f);
	memset(f.dgram[f.n], 0xff, 3);
	f.len[f.n] = 3;
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->malformed, 2);
	rtnl_reader_free(r);
}

static void
events_during_dump_are_replayed(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);

	(void)state;
	/* The dump shows 10.1/16 and 10.2/16; meanwhile 10.1/16 was
	 * deleted (after the dump passed it) and 10.9/16 added. */
	dg_begin(&f);
	two_routes(&f);
	dg_end(&f);
	event(&f, RTM_DELROUTE, 0, AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
	      "192.0.2.2", 3);
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.9.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->queued, 2);
	answer_dump(&f, NULL);
	assert_string_equal(f.last, "+10.2.0.0/16 +10.9.0.0/16");
	assert_int_equal(rtnl_reader_stats(r)->dump_redo, 0);
	rtnl_reader_free(r);
}

static void
overrun_resyncs_and_reports_drift(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);
	unsigned before;

	(void)state;
	answer_dump(&f, two_routes);
	before = f.n_sent;
	/* Events were lost: the socket says ENOBUFS. */
	dg_error(&f, -ENOBUFS);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->overruns, 1);
	assert_int_equal(rtnl_reader_stats(r)->resyncs, 1);
	assert_true(rtnl_reader_dumping(r));
	assert_int_equal(f.n_sent, before + 1);
	assert_non_null(strstr(f.log, "overrun"));
	/* Nothing changed in the kernel: the resync reports nothing. */
	answer_dump(&f, two_routes);
	assert_int_equal(f.batches, 1);
	assert_int_equal(rtnl_reader_stats(r)->drift, 0);
	rtnl_reader_free(r);
}

static void
one_route(struct fake *f)
{
	dump_route(f, AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, "192.0.2.2", 3);
}

static void
overrun_drift_is_only_the_difference(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);

	(void)state;
	answer_dump(&f, two_routes);
	dg_error(&f, -ENOBUFS);
	rtnl_reader_readable(r);
	answer_dump(&f, one_route);
	assert_int_equal(f.batches, 2);
	assert_string_equal(f.last, "-10.2.0.0/16");
	assert_int_equal(rtnl_reader_stats(r)->drift, 1);
	assert_non_null(strstr(f.log, "resync corrected 1 prefix"));
	rtnl_reader_free(r);
}

static void
interrupted_dump_is_redone(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);
	unsigned i;

	(void)state;
	/* NLM_F_DUMP_INTR on every attempt: 1 + 3 redos, then accepted. */
	for (i = 0; i < 4; i++) {
		answer_one(&f, two_routes, NLM_F_DUMP_INTR); /* IPv4 */
		assert_int_equal(f.sent[f.n_sent - 1].family, AF_INET6);
		answer_one(&f, NULL, 0); /* IPv6 */
		if (i < 3) { /* redone: a new IPv4 request */
			assert_false(rtnl_reader_synced(r));
			assert_int_equal(f.sent[f.n_sent - 1].family, AF_INET);
		}
	}
	assert_true(rtnl_reader_synced(r));
	assert_int_equal(rtnl_reader_stats(r)->dump_intr, 4);
	assert_int_equal(rtnl_reader_stats(r)->dump_redo, 3);
	assert_int_equal(rtnl_reader_stats(r)->dump_inconsistent, 1);
	assert_string_equal(f.last, "+10.1.0.0/16 +10.2.0.0/16");
	/* ... and verified again later. */
	assert_true(rtnl_reader_deadline(r) != UINT64_MAX);
	f.now = rtnl_reader_deadline(r);
	rtnl_reader_tick(r);
	assert_true(rtnl_reader_dumping(r));
	rtnl_reader_free(r);
}

static void
ipv6_delete_during_ipv6_dump_redoes(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);

	(void)state;
	answer_dump(&f, NULL);
	rtnl_reader_resync(r);
	/* The IPv4 part, then an IPv6 deletion while IPv6 is dumped. */
	dg_begin(&f);
	dump_done(&f, 0, 0);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(f.sent[f.n_sent - 1].family, AF_INET6);
	event(&f, RTM_DELROUTE, 0, AF_INET6, "2001:db8::/32", 100,
	      RTN_BLACKHOLE, "", 0);
	rtnl_reader_readable(r);
	dg_begin(&f);
	dump_done(&f, 0, 0);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->dump_redo, 1);
	assert_true(rtnl_reader_dumping(r));
	assert_non_null(strstr(f.log, "IPv6 route deleted during"));
	answer_dump(&f, NULL);
	assert_false(rtnl_reader_dumping(r));
	rtnl_reader_free(r);
}

static void
tiny_queue(struct rtnl_reader_config *cfg)
{
	cfg->max_queue = 64;
}

static void
queue_overflow_redoes(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100},
					    tiny_queue);

	(void)state;
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.3.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	event(&f, RTM_NEWROUTE, NLM_F_CREATE, AF_INET, "10.4.0.0/16", 100,
	      RTN_UNICAST, "192.0.2.2", 3);
	rtnl_reader_readable(r);
	answer_dump(&f, NULL); /* accepted after its redo */
	assert_int_equal(rtnl_reader_stats(r)->queue_overflows, 1);
	assert_int_equal(rtnl_reader_stats(r)->dump_redo, 1);
	rtnl_reader_free(r);
}

static void
link_down_schedules_resync(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);
	struct ifinfomsg ifi = {0};
	struct ifaddrmsg ifa = {0};
	struct msg m;
	unsigned before;

	(void)state;
	answer_dump(&f, two_routes); /* 10.1/16 via ifindex 3 */
	before = f.n_sent;
	/* Interface 9 goes down: no route uses it. */
	memset(&m, 0, sizeof(m));
	m.nlh = (struct nlmsghdr *)m.buf;
	m.nlh->nlmsg_type = RTM_NEWLINK;
	ifi.ifi_index = 9;
	ifi.ifi_flags = 0;
	memcpy(m.buf + NLMSG_HDRLEN, &ifi, sizeof(ifi));
	m.len = NLMSG_HDRLEN + sizeof(ifi);
	m.nlh->nlmsg_len = (uint32_t)m.len;
	dg_begin(&f);
	dg_add(&f, &m);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_deadline(r), UINT64_MAX);
	/* Interface 3 loses an address: resync after the delay. */
	m.nlh->nlmsg_type = RTM_DELADDR;
	ifa.ifa_index = 3;
	ifa.ifa_family = AF_INET;
	memcpy(m.buf + NLMSG_HDRLEN, &ifa, sizeof(ifa));
	m.len = NLMSG_HDRLEN + sizeof(ifa);
	m.nlh->nlmsg_len = (uint32_t)m.len;
	dg_begin(&f);
	dg_add(&f, &m);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->link_resyncs, 1);
	assert_int_equal(rtnl_reader_deadline(r), f.now + 200 * MS);
	assert_non_null(strstr(f.log, "address removed on interface 3"));
	f.now += 200 * MS;
	rtnl_reader_tick(r);
	assert_int_equal(f.n_sent, before + 1);
	assert_true(rtnl_reader_dumping(r));
	/* The kernel dropped 10.1/16 silently. */
	answer_dump(&f, NULL);
	assert_string_equal(f.last, "-10.1.0.0/16 -10.2.0.0/16");
	/* A too-short link message: counted, skipped. */
	m.nlh->nlmsg_type = RTM_NEWLINK;
	m.len = NLMSG_HDRLEN + 4;
	m.nlh->nlmsg_len = (uint32_t)m.len;
	dg_begin(&f);
	dg_add(&f, &m);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->malformed, 1);
	rtnl_reader_free(r);
}

static void
stats_fields_listed_once(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100}, NULL);
	const char *names[64], *descs[64];
	const uint64_t *vals[64];
	unsigned n, i;

	(void)state;
	answer_dump(&f, two_routes);
	n = rtnl_stats_fields(names, descs, vals, 64, rtnl_reader_stats(r));
	assert_true(n > 10 && n < 64);
	for (i = 0; i < n; i++) {
		assert_true(strlen(descs[i]) > 0);
		if (strcmp(names[i], "dump_routes") == 0)
			assert_int_equal(*vals[i], 2);
	}
	rtnl_reader_free(r);
}

static void
only_bird(struct rtnl_reader_config *cfg)
{
	cfg->protocols[0] = RTPROT_BIRD;
	cfg->n_protocols = 1;
}

static void
protocol_filter(void **state)
{
	struct fake f;
	struct rtnl_reader *r = fake_reader(&f, 1, (uint32_t[]){100},
					    only_bird);
	struct msg m;

	(void)state;
	answer_dump(&f, two_routes); /* both RTPROT_BIRD */
	/* A connected route (proto kernel) in the same table: skipped. */
	msg_route(&m, RTM_NEWROUTE, NLM_F_CREATE, 0, 0, AF_INET,
		  "198.51.100.0/24", 100, RTN_UNICAST, RTPROT_KERNEL, 0, "", 3);
	dg_begin(&f);
	dg_add(&f, &m);
	dg_end(&f);
	rtnl_reader_readable(r);
	assert_int_equal(rtnl_reader_stats(r)->other_protocol, 1);
	assert_int_equal(rtnl_store_routes(rtnl_reader_store(r), AF_INET), 2);
	rtnl_reader_free(r);
}

static void
bad_config(void **state)
{
	struct rtnl_reader_config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.on_batch = fake_batch;
	assert_null(rtnl_reader_new(&cfg)); /* no table */
	cfg.n_tables = 1;
	cfg.tables[0] = 0; /* table 0 is not a table */
	assert_null(rtnl_reader_new(&cfg));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_dump_is_one_full_batch),
		cmocka_unit_test(events_batched_by_window),
		cmocka_unit_test(events_batched_by_size),
		cmocka_unit_test(skipped_and_malformed),
		cmocka_unit_test(events_during_dump_are_replayed),
		cmocka_unit_test(overrun_resyncs_and_reports_drift),
		cmocka_unit_test(overrun_drift_is_only_the_difference),
		cmocka_unit_test(interrupted_dump_is_redone),
		cmocka_unit_test(ipv6_delete_during_ipv6_dump_redoes),
		cmocka_unit_test(queue_overflow_redoes),
		cmocka_unit_test(link_down_schedules_resync),
		cmocka_unit_test(stats_fields_listed_once),
		cmocka_unit_test(protocol_filter),
		cmocka_unit_test(bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
