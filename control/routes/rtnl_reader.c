/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl_reader.c - follow kernel routing tables over rtnetlink
 * (rtnl_reader.h): the socket, the dump cycle, the event queue, overruns,
 * link changes and batch timing. The tables themselves: rtnl_store.c.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>

#include "rtnl_reader.h"

#ifndef IFF_LOWER_UP /* linux/if.h, which clashes with net/if.h */
#define IFF_LOWER_UP 0x10000
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define RECV_BUF (64 * 1024) /* the kernel's dump skbs are <= 32 KiB */
#define RECVS_PER_CALL 64 /* datagrams per rtnl_reader_readable() */
#define RETRY_MS 1000 /* after a failed request or socket error */
#define VERIFY_MS 10000 /* after a dump accepted inconsistent */
#define IO_PORTID 1 /* our port id with a custom io */

struct dump_target {
	uint8_t family;
	uint32_t table; /* 0: every table (no kernel-side filter) */
};

struct link_state {
	uint32_t ifindex;
	uint32_t flags;
};

struct rtnl_reader {
	struct rtnl_reader_config cfg;
	struct mnl_socket *nl;
	struct rtnl_io io;
	uint32_t portid;
	bool strict;
	bool want4, want6;

	struct rtnl_store *store;
	struct rtnl_stats st;
	bool synced;

	/* The dump cycle: one request per target, in order. */
	struct dump_target targets[2 * RTNL_MAX_TABLES];
	unsigned n_targets;
	bool dumping;
	unsigned dump_idx;
	uint32_t seq, dump_seq;
	struct rtnl_store *shadow;
	unsigned tries; /* redos of this cycle */
	bool redo;
	char redo_why[96];
	bool resync_wanted; /* asked for while dumping */

	/* Route events read while dumping, replayed on the dump's result. */
	uint8_t *queue;
	size_t queue_len, queue_cap;

	uint64_t resync_at, scan_at; /* ns; 0: none */

	struct link_state *links;
	unsigned n_links, cap_links;

	uint8_t *buf;
	struct rtnl_nexthop nh[RTNL_MAX_NH];
};

static uint64_t
now_ns(const struct rtnl_reader *r)
{
	struct timespec ts;

	if (r->cfg.clock_ns != NULL)
		return r->cfg.clock_ns(r->cfg.arg);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void rlog(const struct rtnl_reader *r, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
rlog(const struct rtnl_reader *r, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (r->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->cfg.log(r->cfg.arg, level, msg);
}

static const char *
msg_name(uint16_t type)
{
	switch (type) {
	case RTM_NEWROUTE: return "RTM_NEWROUTE";
	case RTM_DELROUTE: return "RTM_DELROUTE";
	case RTM_NEWLINK: return "RTM_NEWLINK";
	case RTM_DELLINK: return "RTM_DELLINK";
	case RTM_NEWADDR: return "RTM_NEWADDR";
	case RTM_DELADDR: return "RTM_DELADDR";
	case NLMSG_DONE: return "NLMSG_DONE";
	case NLMSG_ERROR: return "NLMSG_ERROR";
	default: return "message";
	}
}

/* ---- the socket ---------------------------------------------------- */

static ssize_t
sock_recv(void *ctx, void *buf, size_t len)
{
	struct rtnl_reader *r = ctx;
	struct sockaddr_nl addr;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		n = recvmsg(mnl_socket_get_fd(r->nl), &msg, 0);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	if (msg.msg_flags & MSG_TRUNC)
		return -ENOSPC;
	if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0)
		return 0; /* not from the kernel: dropped, read on */
	return n;
}

static int
sock_send(void *ctx, const void *buf, size_t len)
{
	struct rtnl_reader *r = ctx;

	if (mnl_socket_sendto(r->nl, buf, len) < 0)
		return -errno;
	return 0;
}

static int
open_socket(struct rtnl_reader *r)
{
	unsigned groups[5], n = 0, i;
	int fd, one = 1, sz;

	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (r->nl == NULL) {
		rlog(r, LOG_ERR, "rtnl: cannot open a NETLINK_ROUTE socket: %s",
		     strerror(errno));
		return -errno;
	}
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rlog(r, LOG_ERR, "rtnl: cannot bind the netlink socket: %s",
		     strerror(errno));
		return -errno;
	}
	fd = mnl_socket_get_fd(r->nl);
	if (r->want4)
		groups[n++] = RTNLGRP_IPV4_ROUTE;
	if (r->want6)
		groups[n++] = RTNLGRP_IPV6_ROUTE;
	groups[n++] = RTNLGRP_LINK;
	groups[n++] = RTNLGRP_IPV4_IFADDR;
	groups[n++] = RTNLGRP_IPV6_IFADDR;
	for (i = 0; i < n; i++)
		if (mnl_socket_setsockopt(r->nl, NETLINK_ADD_MEMBERSHIP,
					  &groups[i], sizeof(groups[i])) < 0) {
			rlog(r, LOG_ERR,
			     "rtnl: cannot join netlink group %u: %s",
			     groups[i], strerror(errno));
			return -errno;
		}
	/* 128 MiB: ~160k route notifications of backlog (one IPv4 route
	 * notification takes 832 bytes of it: 2,000 of them, read by no
	 * one, showed Rmem 1,664,000 in /proc/net/netlink), memory the
	 * kernel uses only while the reader is behind. 32 MiB overran when
	 * a third of the table was written at 100-180k routes/s on a
	 * loaded 2-core machine (bench/README.md). */
	sz = r->cfg.rcvbuf > 0 ? r->cfg.rcvbuf : 128 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) < 0)
		rlog(r, LOG_WARNING,
		     "rtnl: cannot set the receive buffer to %d bytes: %s", sz,
		     strerror(errno));
	/* Kernel-side table filters in dumps (Linux 4.20+). */
	r->strict = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
			       sizeof(one)) == 0;
	r->portid = mnl_socket_get_portid(r->nl);
	r->io.recv = sock_recv;
	r->io.send = sock_send;
	r->io.ctx = r;
	return 0;
}

/* ---- batches --------------------------------------------------------- */

static void
deliver(void *arg, const struct rtnl_batch *b)
{
	struct rtnl_reader *r = arg;

	r->st.batches++;
	r->st.batch_changes += b->n;
	r->cfg.on_batch(r->cfg.arg, b);
}

/* Cut a batch of what is pending; returns the changes delivered. */
static int
flush(struct rtnl_reader *r, bool full)
{
	uint32_t same = 0;
	int n;

	if (rtnl_store_pending(r->store) == 0 && !full)
		return 0;
	n = rtnl_store_flush(r->store, full, now_ns(r), deliver, r, &same);
	if (n < 0) {
		r->st.nomem++;
		rlog(r, LOG_ERR, "rtnl: out of memory cutting a batch");
		return n;
	}
	r->st.coalesced += same;
	return n;
}

static uint64_t
window_end(const struct rtnl_reader *r)
{
	return rtnl_store_pending_since(r->store) +
	       (uint64_t)r->cfg.batch_ms * 1000000ull;
}

static void
maybe_flush(struct rtnl_reader *r)
{
	uint32_t pending = rtnl_store_pending(r->store);

	if (pending == 0 || !r->synced)
		return;
	if ((r->cfg.max_batch > 0 && pending >= r->cfg.max_batch) ||
	    now_ns(r) >= window_end(r))
		flush(r, false);
}

/* ---- the dump cycle ------------------------------------------------- */

static void start_cycle(struct rtnl_reader *r);

static void
schedule_retry(struct rtnl_reader *r, uint64_t ms)
{
	uint64_t at = now_ns(r) + ms * 1000000ull;

	if (r->resync_at == 0 || r->resync_at > at)
		r->resync_at = at;
}

static void
set_redo(struct rtnl_reader *r, const char *why)
{
	if (!r->redo)
		snprintf(r->redo_why, sizeof(r->redo_why), "%s", why);
	r->redo = true;
}

static int
send_dump(struct rtnl_reader *r)
{
	const struct dump_target *t = &r->targets[r->dump_idx];
	char buf[128];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (++r->seq == 0) /* 0 is the seq of unsolicited events */
		r->seq = 1;
	nlh->nlmsg_seq = r->dump_seq = r->seq;
	nlh->nlmsg_pid = 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = t->family;
	if (t->table != 0)
		mnl_attr_put_u32(nlh, RTA_TABLE, t->table);
	rc = r->io.send(r->io.ctx, nlh, nlh->nlmsg_len);
	if (rc < 0) {
		rlog(r, LOG_ERR,
		     "rtnl: cannot send the dump request (IPv%c table %u): %s",
		     t->family == AF_INET ? '4' : '6', t->table, strerror(-rc));
		return rc;
	}
	r->st.dumps++;
	return 0;
}

static void
build_targets(struct rtnl_reader *r)
{
	unsigned f, i;

	r->n_targets = 0;
	for (f = 0; f < 2; f++) {
		uint8_t fam = f == 0 ? AF_INET : AF_INET6;

		if ((fam == AF_INET && !r->want4) ||
		    (fam == AF_INET6 && !r->want6))
			continue;
		if (!r->strict) {
			r->targets[r->n_targets++] = (struct dump_target){fam,
									  0};
			continue;
		}
		for (i = 0; i < r->cfg.n_tables; i++)
			r->targets[r->n_targets++] = (struct dump_target){
				fam, r->cfg.tables[i]};
	}
}

static void
start_cycle(struct rtnl_reader *r)
{
	rtnl_store_free(r->shadow);
	r->shadow = rtnl_store_new(r->cfg.tables, r->cfg.n_tables);
	if (r->shadow == NULL) {
		r->st.nomem++;
		rlog(r, LOG_ERR, "rtnl: out of memory starting a dump");
		schedule_retry(r, RETRY_MS);
		return;
	}
	rtnl_store_set_tracking(r->shadow, false);
	r->queue_len = 0;
	r->redo = false;
	r->redo_why[0] = '\0';
	r->resync_wanted = false;
	r->dump_idx = 0;
	r->dumping = true;
	if (send_dump(r) < 0) {
		r->dumping = false;
		schedule_retry(r, RETRY_MS);
	}
}

static void
count_apply(struct rtnl_reader *r, enum rtnl_apply res,
	    const struct rtnl_route *rt, uint16_t type)
{
	char line[256];

	switch (res) {
	case RTNL_ADDED: r->st.added++; break;
	case RTNL_REPLACED: r->st.replaced++; break;
	case RTNL_UPDATED: r->st.updated++; break;
	case RTNL_DELETED: r->st.deleted++; break;
	case RTNL_DEL_INEXACT:
		r->st.del_inexact++;
		rtnl_route_format(rt, line, sizeof(line), NULL);
		rlog(r, LOG_DEBUG, "rtnl: %s matched by key and type only: %s",
		     msg_name(type), line);
		break;
	case RTNL_DEL_MISSING:
		r->st.del_missing++;
		rtnl_route_format(rt, line, sizeof(line), NULL);
		rlog(r, LOG_DEBUG, "rtnl: delete of a route not held: %s",
		     line);
		break;
	case RTNL_NOMEM:
		r->st.nomem++;
		rlog(r, LOG_ERR,
		     "rtnl: out of memory applying a route; "
		     "resync scheduled");
		schedule_retry(r, RETRY_MS);
		break;
	}
}

/* Parse a route message; 0 with *rt filled if it is one to apply. */
static int
route_of(struct rtnl_reader *r, const struct nlmsghdr *nlh,
	 struct rtnl_route *rt)
{
	struct rtnl_parse_error err;
	char why[160];

	if (rtnl_parse_route(nlh, nlh->nlmsg_len, rt, r->nh, RTNL_MAX_NH,
			     &err) < 0) {
		r->st.malformed++;
		r->st.malformed_by[err.reason]++;
		rlog(r, LOG_WARNING,
		     "rtnl: malformed %s (seq %u, %u bytes) skipped: %s",
		     msg_name(nlh->nlmsg_type), nlh->nlmsg_seq, nlh->nlmsg_len,
		     rtnl_parse_error_str(&err, why, sizeof(why)));
		return -1;
	}
	if (rt->flags & RTM_F_CLONED) {
		r->st.cloned++;
		return -1;
	}
	if ((rt->family == AF_INET && !r->want4) ||
	    (rt->family == AF_INET6 && !r->want6) ||
	    !rtnl_store_follows(r->store, rt->table)) {
		r->st.other_table++;
		return -1;
	}
	if (r->cfg.n_protocols > 0 && memchr(r->cfg.protocols, rt->protocol,
					     r->cfg.n_protocols) == NULL) {
		r->st.other_protocol++;
		return -1;
	}
	if (rt->type == RTN_UNICAST && rt->n_nh == 0 && rt->nh_id != 0)
		r->st.nhid_only++;
	return 0;
}

/* Apply the queued events to s; `count` them in the stats (the same
 * events replayed on two stores count once). */
static void
replay_queue(struct rtnl_reader *r, struct rtnl_store *s, uint64_t now,
	     bool count)
{
	struct rtnl_stats saved = r->st;

	size_t off = 0;

	while (off + NLMSG_HDRLEN <= r->queue_len) {
		const struct nlmsghdr *nlh =
			(const struct nlmsghdr *)(r->queue + off);
		struct rtnl_route rt;

		if (route_of(r, nlh, &rt) == 0)
			count_apply(
				r,
				rtnl_store_apply(s,
						 nlh->nlmsg_type == RTM_DELROUTE
							 ? RTNL_OP_DEL
							 : RTNL_OP_NEW,
						 nlh->nlmsg_flags, &rt, now),
				&rt, nlh->nlmsg_type);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	if (!count)
		r->st = saved;
}

static void
cycle_done(struct rtnl_reader *r)
{
	uint64_t now = now_ns(r);
	int n;

	r->dumping = false;
	if (r->redo && r->tries < r->cfg.dump_retries) {
		r->tries++;
		r->st.dump_redo++;
		rlog(r, LOG_INFO, "rtnl: dump redone (%u of %u): %s", r->tries,
		     r->cfg.dump_retries, r->redo_why);
		start_cycle(r);
		return;
	}
	if (r->redo) {
		r->st.dump_inconsistent++;
		rlog(r, LOG_WARNING,
		     "rtnl: dump still inconsistent after %u redos (%s): "
		     "accepted, events replayed on it, verified again in %u s",
		     r->tries, r->redo_why, VERIFY_MS / 1000);
		schedule_retry(r, VERIFY_MS);
	}
	r->tries = 0;

	/* Events read during the dump: on the dump's result (it may
	 * already reflect them: every operation is idempotent), and on
	 * the store, so that what the store lacked (drift) shows alone in
	 * the batch after the swap. */
	replay_queue(r, r->shadow, now, !r->synced);
	if (r->synced) {
		replay_queue(r, r->store, now, true);
		flush(r, false);
	}
	if (rtnl_store_replace_all(r->store, r->shadow, now) < 0) {
		r->st.nomem++;
		rlog(r, LOG_ERR,
		     "rtnl: out of memory swapping in a dump; "
		     "resync scheduled");
		schedule_retry(r, RETRY_MS);
		return;
	}
	r->queue_len = 0;
	n = flush(r, !r->synced);
	if (!r->synced) {
		r->synced = true;
		rlog(r, LOG_INFO,
		     "rtnl: synced: %llu IPv4 and %llu IPv6 routes in %u "
		     "table(s)",
		     (unsigned long long)rtnl_store_routes(r->store, AF_INET),
		     (unsigned long long)rtnl_store_routes(r->store, AF_INET6),
		     r->cfg.n_tables);
	} else if (n > 0) {
		r->st.drift += (uint64_t)n;
		rlog(r, LOG_WARNING,
		     "rtnl: resync corrected %d prefix(es) the store had "
		     "wrong",
		     n);
	}
	rtnl_store_free(r->shadow);
	r->shadow = NULL;
	if (r->cfg.scan_s > 0)
		r->scan_at = now + (uint64_t)r->cfg.scan_s * 1000000000ull;
	if (r->resync_wanted) {
		r->st.resyncs++;
		start_cycle(r);
	}
}

static void
target_done(struct rtnl_reader *r, int err)
{
	const struct dump_target *t = &r->targets[r->dump_idx];

	if (err < -4095) /* not an errno: a garbled reply */
		err = -EIO;
	if (err < 0 && err != -ENOENT) {
		r->st.dump_errors++;
		rlog(r, LOG_ERR,
		     "rtnl: the kernel refused the dump of IPv%c "
		     "table %u: %s",
		     t->family == AF_INET ? '4' : '6', t->table,
		     strerror(-err));
		if (err == -EINVAL && r->strict && r->cfg.io == NULL) {
			/* No kernel-side filter after all: dump whole
			 * families, filter here. */
			r->strict = false;
			build_targets(r);
			r->dump_idx = 0;
			if (send_dump(r) < 0) {
				r->dumping = false;
				schedule_retry(r, RETRY_MS);
			}
			return;
		}
		set_redo(r, "the kernel refused a dump");
	}
	/* -ENOENT: the table does not exist (yet): it is empty. */
	if (++r->dump_idx < r->n_targets) {
		if (send_dump(r) < 0) {
			r->dumping = false;
			schedule_retry(r, RETRY_MS);
		}
		return;
	}
	cycle_done(r);
}

static void
resync(struct rtnl_reader *r)
{
	if (r->dumping) {
		r->resync_wanted = true;
		return;
	}
	r->st.resyncs++;
	start_cycle(r);
}

/* ---- messages ------------------------------------------------------- */

static void
queue_event(struct rtnl_reader *r, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	size_t max = r->cfg.max_queue;

	if (r->queue_len + len > max) {
		if (!r->redo || strcmp(r->redo_why, "event queue full") != 0)
			r->st.queue_overflows++;
		set_redo(r, "event queue full");
		r->queue_len = 0;
		return;
	}
	if (r->queue_len + len > r->queue_cap) {
		size_t cap = r->queue_cap ? r->queue_cap : 1 << 16;
		uint8_t *q;

		while (cap < r->queue_len + len)
			cap *= 2;
		q = realloc(r->queue, cap);
		if (q == NULL) {
			r->st.nomem++;
			set_redo(r, "out of memory queueing events");
			r->queue_len = 0;
			return;
		}
		r->queue = q;
		r->queue_cap = cap;
	}
	memcpy(r->queue + r->queue_len, nlh, nlh->nlmsg_len);
	memset(r->queue + r->queue_len + nlh->nlmsg_len, 0,
	       len - nlh->nlmsg_len);
	r->queue_len += len;
	r->st.queued++;
}

static void
route_msg(struct rtnl_reader *r, const struct nlmsghdr *nlh, bool ours,
	  uint64_t now)
{
	struct rtnl_route rt;

	r->st.route_msgs++;
	if (route_of(r, nlh, &rt) < 0)
		return;
	if (ours) {
		if (nlh->nlmsg_type != RTM_NEWROUTE)
			return;
		r->st.dump_routes++;
		count_apply(
			r,
			rtnl_store_apply(r->shadow, RTNL_OP_DUMP, 0, &rt, now),
			&rt, nlh->nlmsg_type);
		return;
	}
	if (r->dumping) {
		const struct dump_target *t = &r->targets[r->dump_idx];

		/* fib6_dump_table() resumes by counting nodes: a node
		 * deleted behind the cursor makes it skip one ahead. */
		if (nlh->nlmsg_type == RTM_DELROUTE && rt.family == AF_INET6 &&
		    t->family == AF_INET6 &&
		    (t->table == 0 || t->table == rt.table))
			set_redo(r, "IPv6 route deleted during the IPv6 dump");
		queue_event(r, nlh);
		return;
	}
	count_apply(r,
		    rtnl_store_apply(r->store,
				     nlh->nlmsg_type == RTM_DELROUTE
					     ? RTNL_OP_DEL
					     : RTNL_OP_NEW,
				     nlh->nlmsg_flags, &rt, now),
		    &rt, nlh->nlmsg_type);
}

static void
link_changed(struct rtnl_reader *r, uint32_t ifindex, const char *what)
{
	char name[IF_NAMESIZE] = "";

	if (!rtnl_store_uses_ifindex(r->store, ifindex))
		return;
	r->st.link_resyncs++;
	if (r->cfg.io == NULL)
		if_indextoname(ifindex, name);
	rlog(r, LOG_INFO,
	     "rtnl: %s on interface %u%s%s%s, which routes use: resync in "
	     "%u ms (the kernel drops IPv4 routes silently)",
	     what, ifindex, name[0] ? " (" : "", name, name[0] ? ")" : "",
	     r->cfg.resync_delay_ms);
	schedule_retry(r, r->cfg.resync_delay_ms);
}

static struct link_state *
link_find(struct rtnl_reader *r, uint32_t ifindex)
{
	unsigned i;

	for (i = 0; i < r->n_links; i++)
		if (r->links[i].ifindex == ifindex)
			return &r->links[i];
	return NULL;
}

static void
malformed_other(struct rtnl_reader *r, const struct nlmsghdr *nlh)
{
	r->st.malformed++;
	r->st.malformed_by[RTNL_ERR_SHORT]++;
	rlog(r, LOG_WARNING,
	     "rtnl: malformed %s (seq %u, %u bytes) skipped: %s",
	     msg_name(nlh->nlmsg_type), nlh->nlmsg_seq, nlh->nlmsg_len,
	     rtnl_err_desc(RTNL_ERR_SHORT));
}

static void
link_msg(struct rtnl_reader *r, const struct nlmsghdr *nlh)
{
	struct ifinfomsg ifi;
	struct link_state *l;
	uint32_t old, lost;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(ifi)) {
		malformed_other(r, nlh);
		return;
	}
	memcpy(&ifi, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(ifi));
	if (ifi.ifi_index <= 0)
		return;
	l = link_find(r, (uint32_t)ifi.ifi_index);
	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (l != NULL)
			*l = r->links[--r->n_links];
		link_changed(r, (uint32_t)ifi.ifi_index, "link removed");
		return;
	}
	/* Unknown so far: assume it was up, so a first "down" counts. */
	old = l != NULL ? l->flags : IFF_UP | IFF_LOWER_UP;
	if (l == NULL) {
		if (r->n_links == r->cap_links) {
			unsigned cap = r->cap_links ? r->cap_links * 2 : 16;
			struct link_state *n = realloc(r->links,
						       cap * sizeof(*n));

			if (n == NULL)
				return;
			r->links = n;
			r->cap_links = cap;
		}
		l = &r->links[r->n_links++];
		l->ifindex = (uint32_t)ifi.ifi_index;
	}
	l->flags = ifi.ifi_flags;
	lost = old & ~ifi.ifi_flags & (IFF_UP | IFF_LOWER_UP);
	if (lost & IFF_UP)
		link_changed(r, l->ifindex, "link set down");
	else if (lost & IFF_LOWER_UP)
		link_changed(r, l->ifindex, "carrier lost");
}

static void
addr_msg(struct rtnl_reader *r, const struct nlmsghdr *nlh)
{
	struct ifaddrmsg ifa;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(ifa)) {
		malformed_other(r, nlh);
		return;
	}
	memcpy(&ifa, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(ifa));
	if (nlh->nlmsg_type == RTM_DELADDR)
		link_changed(r, ifa.ifa_index, "address removed");
}

static void
handle(struct rtnl_reader *r, const struct nlmsghdr *nlh, uint64_t now)
{
	bool ours = r->dumping && nlh->nlmsg_seq == r->dump_seq &&
		    nlh->nlmsg_pid == r->portid;

	r->st.messages++;
	if (ours && (nlh->nlmsg_flags & NLM_F_DUMP_INTR) && !r->redo) {
		r->st.dump_intr++;
		set_redo(r, "the kernel marked the dump interrupted");
	}
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		if (ours) {
			int32_t err = 0;

			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(err))
				memcpy(&err,
				       (const uint8_t *)nlh + NLMSG_HDRLEN,
				       sizeof(err));
			target_done(r, err < 0 ? err : 0);
		}
		break;
	case NLMSG_ERROR: {
		struct nlmsgerr e;

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(e)) {
			malformed_other(r, nlh);
			break;
		}
		memcpy(&e, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(e));
		if (r->dumping && e.msg.nlmsg_seq == r->dump_seq &&
		    (ours || nlh->nlmsg_seq == r->dump_seq))
			target_done(r, e.error < 0 ? e.error : -EIO);
		break;
	}
	case RTM_NEWROUTE:
	case RTM_DELROUTE: route_msg(r, nlh, ours, now); break;
	case RTM_NEWLINK:
	case RTM_DELLINK: link_msg(r, nlh); break;
	case RTM_NEWADDR:
	case RTM_DELADDR: addr_msg(r, nlh); break;
	default: /* NLMSG_NOOP, NLMSG_OVERRUN, other families' news */ break;
	}
}

void
rtnl_reader_input(struct rtnl_reader *r, const void *data, size_t len)
{
	uint64_t now = now_ns(r);
	size_t off = 0;

	/* Messages are read in place: give them an aligned copy. */
	if (len > RECV_BUF)
		len = RECV_BUF;
	if (data != r->buf)
		memcpy(r->buf, data, len);
	/* Walked here, not with mnl_nlmsg_ok(): libmnl 1.0.4 casts
	 * nlmsg_len to int, so a length of 2^31 or more passes its check. */
	while (len - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(r->buf +
								       off);

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off)
			break;
		handle(r, nlh, now);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > len)
			off = len;
	}
	if (off < len) {
		r->st.malformed++;
		r->st.malformed_by[RTNL_ERR_SHORT]++;
		rlog(r, LOG_WARNING,
		     "rtnl: %zu trailing bytes of a datagram are not a netlink "
		     "message: skipped",
		     len - off);
	}
	maybe_flush(r);
}

/* ---- the interface -------------------------------------------------- */

struct rtnl_reader *
rtnl_reader_new(const struct rtnl_reader_config *cfg)
{
	struct rtnl_reader *r;
	unsigned i;
	int rc;

	if (cfg->on_batch == NULL || cfg->n_tables == 0 ||
	    cfg->n_tables > RTNL_MAX_TABLES ||
	    cfg->n_protocols > sizeof(cfg->protocols)) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	if (r->cfg.batch_ms == 0)
		r->cfg.batch_ms = 20;
	if (r->cfg.max_queue == 0)
		r->cfg.max_queue = 256u << 20;
	if (r->cfg.dump_retries == 0)
		r->cfg.dump_retries = 3;
	if (r->cfg.resync_delay_ms == 0)
		r->cfg.resync_delay_ms = 200;
	r->want4 = cfg->ipv4 || !cfg->ipv6;
	r->want6 = cfg->ipv6 || !cfg->ipv4;
	for (i = 0; i < cfg->n_tables; i++)
		if (cfg->tables[i] == 0) {
			free(r);
			errno = EINVAL;
			return NULL;
		}
	r->buf = aligned_alloc(16, RECV_BUF);
	r->store = rtnl_store_new(cfg->tables, cfg->n_tables);
	if (r->buf == NULL || r->store == NULL) {
		rtnl_reader_free(r);
		errno = ENOMEM;
		return NULL;
	}
	if (cfg->io != NULL) {
		r->io = *cfg->io;
		r->strict = true;
		r->portid = IO_PORTID;
	} else if ((rc = open_socket(r)) < 0) {
		rtnl_reader_free(r);
		errno = -rc;
		return NULL;
	}
	build_targets(r);
	start_cycle(r);
	return r;
}

void
rtnl_reader_free(struct rtnl_reader *r)
{
	if (r == NULL)
		return;
	if (r->nl != NULL)
		mnl_socket_close(r->nl);
	rtnl_store_free(r->store);
	rtnl_store_free(r->shadow);
	free(r->queue);
	free(r->links);
	free(r->buf);
	free(r);
}

int
rtnl_reader_fd(const struct rtnl_reader *r)
{
	return r->nl != NULL ? mnl_socket_get_fd(r->nl) : -1;
}

int
rtnl_reader_readable(struct rtnl_reader *r)
{
	unsigned i;

	for (i = 0; i < RECVS_PER_CALL; i++) {
		ssize_t n = r->io.recv(r->io.ctx, r->buf, RECV_BUF);

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -ENOBUFS || n == -ENOSPC) {
			if (n == -ENOBUFS)
				r->st.overruns++;
			else
				r->st.truncated++;
			rlog(r, LOG_WARNING,
			     "rtnl: %s: route events lost; resync by a new "
			     "dump",
			     n == -ENOBUFS ? "socket receive buffer overrun "
					     "(ENOBUFS)"
					   : "datagram truncated");
			if (r->dumping)
				set_redo(r, "events lost during the dump");
			else
				resync(r);
			continue;
		}
		if (n < 0) {
			rlog(r, LOG_ERR, "rtnl: reading the netlink socket: %s",
			     strerror((int)-n));
			schedule_retry(r, RETRY_MS);
			return (int)n;
		}
		if (n > 0)
			rtnl_reader_input(r, r->buf, (size_t)n);
	}
	maybe_flush(r);
	return 0;
}

uint64_t
rtnl_reader_deadline(const struct rtnl_reader *r)
{
	uint64_t d = UINT64_MAX;

	if (r->synced && rtnl_store_pending(r->store) > 0)
		d = window_end(r);
	if (r->resync_at != 0 && r->resync_at < d)
		d = r->resync_at;
	if (r->scan_at != 0 && r->scan_at < d)
		d = r->scan_at;
	return d;
}

void
rtnl_reader_tick(struct rtnl_reader *r)
{
	uint64_t now = now_ns(r);

	maybe_flush(r);
	if (r->resync_at != 0 && now >= r->resync_at) {
		r->resync_at = 0;
		resync(r);
	}
	if (r->scan_at != 0 && now >= r->scan_at) {
		r->scan_at = 0;
		resync(r);
	}
}

void
rtnl_reader_flush(struct rtnl_reader *r)
{
	if (r->synced)
		flush(r, false);
}

void
rtnl_reader_resync(struct rtnl_reader *r)
{
	resync(r);
}

bool
rtnl_reader_synced(const struct rtnl_reader *r)
{
	return r->synced;
}

bool
rtnl_reader_dumping(const struct rtnl_reader *r)
{
	return r->dumping;
}

const struct rtnl_stats *
rtnl_reader_stats(const struct rtnl_reader *r)
{
	return &r->st;
}

const struct rtnl_store *
rtnl_reader_store(const struct rtnl_reader *r)
{
	return r->store;
}

uint32_t
rtnl_reader_dump_seq(const struct rtnl_reader *r)
{
	return r->dumping ? r->dump_seq : 0;
}

uint32_t
rtnl_reader_portid(const struct rtnl_reader *r)
{
	return r->portid;
}

unsigned
rtnl_stats_fields(const char **names, const char **descs,
		  const uint64_t **values, unsigned n,
		  const struct rtnl_stats *st)
{
	unsigned i = 0;

#define RTNL_STAT_ROW(f, d)                                                    \
	if (i < n) {                                                           \
		names[i] = #f;                                                 \
		descs[i] = d;                                                  \
		values[i] = &st->f;                                            \
	}                                                                      \
	i++;
	RTNL_STATS(RTNL_STAT_ROW)
#undef RTNL_STAT_ROW
	return i;
}
