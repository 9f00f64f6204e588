/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_client.c - the dataplane API client as a state machine on the loop
 * (see dp_client.h).
 *
 * States: DOWN (a reconnect timer runs) -> HELLO (connected, HELLO sent,
 * its reply awaited with a timer) -> READY (requests flow, one in flight).
 * Any failure -> DOWN. Two queues wait behind the request in flight: the
 * urgent one (dp_msg_urgent) is emptied first, each is FIFO. The socket is non-blocking: connect(2) on an
 * AF_UNIX socket either completes at once or fails with EAGAIN (the
 * dataplane's listen backlog is full: it is stalled), and a send of one
 * small message to a peer that answers each request before taking the next
 * never meets a full buffer.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dp_client.h"
#include "ixg_wire.h"
#include "loop.h"

#define RECONNECT_MS 500
#define HELLO_TIMEOUT_MS 5000
/* A failure that persists is logged again this often (with a count). */
#define REPEAT_LOG_MS 60000

enum dp_state { DP_IDLE, DP_DOWN, DP_HELLO, DP_READY };

struct dp_req {
	uint8_t msg[IXG_MSG_MAX];
	size_t len;
	int pass_fd;
	bool urgent; /* dp_msg_urgent: in the urgent queue */
	uint16_t want;
	uint32_t seq;
	unsigned timeout_ms;
	dp_reply_fn done;
	void *arg;
	struct dp_req *next;
};

struct dp_client {
	struct loop *L;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct dp_client_ops *ops;
	void *arg;

	enum dp_state state;
	int fd;
	struct loop_watch *w;
	struct loop_timer *reconnect, *deadline, *deferred;
	uint32_t seq;
	uint64_t sent_ms;
	uint64_t last_io_ms; /* last request sent or reply received */

	struct dp_req *cur; /* sent, reply awaited */
	/* Waiting to be sent: urgent requests (dp_msg_urgent) go before every
	 * bulk one, each queue in the order its requests came. */
	struct dp_req *urgent, **urgent_tail;
	struct dp_req *queue, **queue_tail;
	char pending_down[160]; /* a reset to run from a timer, not inline */

	/* Connection failures, for the log. */
	char last_fail[512];
	uint64_t last_fail_log_ms;
	unsigned fails_since_log;
};

static void dp_log(struct dp_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
dp_log(struct dp_client *c, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->ops->log != NULL)
		c->ops->log(c->arg, line);
}

/*
 * A connection attempt failed for `why`. Logged the first time, whenever
 * the reason changes, and every REPEAT_LOG_MS while it persists: a daemon
 * that cannot reach its dataplane says so, and why, without flooding the
 * log every 500 ms.
 */
static void
connect_failed(struct dp_client *c, const char *why)
{
	uint64_t now = loop_now_ms();

	if (strcmp(why, c->last_fail) != 0) {
		snprintf(c->last_fail, sizeof(c->last_fail), "%s", why);
		c->fails_since_log = 0;
		c->last_fail_log_ms = now;
		dp_log(c,
		       "cannot reach the dataplane at %s: %s; retrying every "
		       "%d ms",
		       c->path, why, RECONNECT_MS);
		return;
	}
	c->fails_since_log++;
	if (now - c->last_fail_log_ms >= REPEAT_LOG_MS) {
		dp_log(c,
		       "still cannot reach the dataplane at %s (%u attempts in "
		       "%llu s): %s",
		       c->path, c->fails_since_log,
		       (unsigned long long)(now - c->last_fail_log_ms) / 1000,
		       why);
		c->fails_since_log = 0;
		c->last_fail_log_ms = now;
	}
}

/* Why connect(2) said EACCES: who we are and what the socket allows. */
static void
explain_eacces(const struct dp_client *c, char *buf, size_t len)
{
	gid_t groups[64];
	int n = getgroups(64, groups);
	struct stat sb;
	size_t off;

	off = (size_t)snprintf(buf, len,
			       "permission denied (this daemon runs as uid %u "
			       "gid %u",
			       (unsigned)geteuid(), (unsigned)getegid());
	if (n > 0 && off < len) {
		off += (size_t)snprintf(buf + off, len - off, ", groups");
		for (int i = 0; i < n && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, " %u",
						(unsigned)groups[i]);
	}
	if (off < len && stat(c->path, &sb) == 0)
		off += (size_t)snprintf(
			buf + off, len - off,
			"; the socket is mode %04o, uid %u, gid "
			"%u: run ixgate-control in the API "
			"socket's group",
			(unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
			(unsigned)sb.st_gid);
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

static void schedule_reconnect(struct dp_client *c);
static void on_readable(struct loop *L, struct loop_watch *w, int fd,
			unsigned revents, void *arg);

/* Fail the queued requests of list q with err, in their order. */
static void
fail_queue(struct dp_req *q, int err)
{
	while (q != NULL) {
		struct dp_req *r = q;

		q = q->next;
		if (r->pass_fd >= 0)
			close(r->pass_fd);
		r->done(r->arg, err, NULL, 0, -1);
		free(r);
	}
}

static void
fail_requests(struct dp_client *c, int cur_err, int queued_err)
{
	struct dp_req *r = c->cur, *u = c->urgent, *q = c->queue;

	c->cur = NULL;
	c->urgent = NULL;
	c->urgent_tail = &c->urgent;
	c->queue = NULL;
	c->queue_tail = &c->queue;
	loop_timer_del(c->L, c->deadline);
	c->deadline = NULL;
	if (r != NULL) {
		r->done(r->arg, cur_err, NULL, 0, -1);
		free(r);
	}
	/* in the order they would have been sent */
	fail_queue(u, queued_err);
	fail_queue(q, queued_err);
}

/* Close the connection; requests get their errors, then ops->down. */
static void
go_down(struct dp_client *c, const char *why, int cur_err, int queued_err)
{
	bool was_ready = c->state == DP_READY;

	if (c->fd >= 0) {
		loop_del_fd(c->L, c->w);
		c->w = NULL;
		close(c->fd);
		c->fd = -1;
	}
	loop_timer_del(c->L, c->deferred);
	c->deferred = NULL;
	c->state = DP_DOWN;
	c->sent_ms = 0;
	fail_requests(c, cur_err, queued_err);
	if (was_ready) {
		dp_log(c, "dataplane disconnected: %s; retrying every %d ms",
		       why, RECONNECT_MS);
		if (c->ops->down != NULL)
			c->ops->down(c->arg, why);
	} else {
		connect_failed(c, why);
	}
	schedule_reconnect(c);
}

static void
on_deadline(struct loop *L, struct loop_timer *t, void *arg)
{
	struct dp_client *c = arg;
	char why[160];

	(void)L;
	(void)t;
	c->deadline = NULL;
	if (c->state == DP_HELLO) {
		go_down(c,
			"no answer to HELLO within 5 s (the dataplane is "
			"stalled or busy)",
			-ETIMEDOUT, -ECONNRESET);
		return;
	}
	snprintf(why, sizeof(why), "no reply to %s within %u ms",
		 c->cur != NULL
			 ? ixg_msg_type_name(
				   ((struct ixg_msg_hdr *)c->cur->msg)->type)
			 : "a request",
		 c->cur != NULL ? c->cur->timeout_ms : 0);
	go_down(c, why, -ETIMEDOUT, -ECONNRESET);
}

static void
on_deferred(struct loop *L, struct loop_timer *t, void *arg)
{
	struct dp_client *c = arg;

	(void)L;
	(void)t;
	c->deferred = NULL;
	go_down(c, c->pending_down, -ECONNRESET, -ECONNRESET);
}

/* Tear down from a timer: callers of dp_client_request never see their
 * callback run inside the call. */
static void
down_later(struct dp_client *c, const char *why)
{
	if (c->deferred != NULL)
		return;
	snprintf(c->pending_down, sizeof(c->pending_down), "%s", why);
	c->deferred = loop_timer_add(c->L, 0, 0, on_deferred, c);
}

/* Send the next queued request, urgent ones first, if none is in flight. */
static void
pump(struct dp_client *c)
{
	bool u = c->urgent != NULL;
	struct dp_req *r = u ? c->urgent : c->queue;
	int rc;

	if (c->state != DP_READY || c->cur != NULL || r == NULL ||
	    c->deferred != NULL)
		return;
	if (u) {
		c->urgent = r->next;
		if (c->urgent == NULL)
			c->urgent_tail = &c->urgent;
	} else {
		c->queue = r->next;
		if (c->queue == NULL)
			c->queue_tail = &c->queue;
	}
	r->next = NULL;
	c->cur = r;
	rc = ixg_send(c->fd, r->msg, r->len, r->pass_fd);
	if (r->pass_fd >= 0)
		close(r->pass_fd);
	r->pass_fd = -1;
	if (rc < 0) {
		char why[128];

		snprintf(
			why, sizeof(why), "sending %s: %s",
			ixg_msg_type_name(((struct ixg_msg_hdr *)r->msg)->type),
			strerror(-rc));
		down_later(c, why);
		return;
	}
	c->sent_ms = c->last_io_ms = loop_now_ms();
	c->deadline = loop_timer_add(c->L, r->timeout_ms, 0, on_deadline, c);
}

static void
hello_reply(struct dp_client *c, const void *buf, size_t n, int rfd)
{
	struct ixg_msg_hello_reply rep;

	if (n != sizeof(rep)) {
		if (rfd >= 0)
			close(rfd);
		go_down(c, "malformed HELLO reply", -EPROTO, -ECONNRESET);
		return;
	}
	memcpy(&rep, buf, sizeof(rep));
	if (rep.status != IXG_ST_OK) {
		char why[128];

		if (rfd >= 0)
			close(rfd);
		snprintf(why, sizeof(why), "the dataplane refused HELLO: %s%s",
			 ixg_status_name(rep.status),
			 rep.status == IXG_ST_BUSY
				 ? " (another control plane holds the API)"
				 : "");
		go_down(c, why, -EPROTO, -ECONNRESET);
		return;
	}
	loop_timer_del(c->L, c->deadline);
	c->deadline = NULL;
	c->state = DP_READY;
	c->last_io_ms = loop_now_ms();
	c->sent_ms = 0;
	if (c->last_fail[0] != '\0' && c->fails_since_log > 0)
		dp_log(c, "reached the dataplane after %u more failed attempts",
		       c->fails_since_log);
	c->last_fail[0] = '\0';
	c->fails_since_log = 0;
	c->ops->up(c->arg, &rep, rfd);
	pump(c);
}

static void
on_readable(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	    void *arg)
{
	struct dp_client *c = arg;
	uint8_t buf[IXG_MSG_MAX];
	const struct ixg_msg_hdr *h = (const void *)buf;
	struct dp_req *r;
	uint16_t type = 0;
	int rfd = -1;
	ssize_t n;

	(void)L;
	(void)w;
	(void)revents;
	n = ixg_recv(fd, buf, sizeof(buf), &rfd);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n <= 0) {
		char why[160];

		if (n == 0 && c->state == DP_HELLO)
			snprintf(why, sizeof(why),
				 "the dataplane closed the connection before "
				 "answering HELLO (busy with another client, "
				 "or it does not accept uid %u gid %u: its "
				 "log says which)",
				 (unsigned)geteuid(), (unsigned)getegid());
		else
			snprintf(why, sizeof(why), "%s",
				 n == 0 ? "the dataplane closed the connection"
					: strerror((int)-n));
		go_down(c, why, -ECONNRESET, -ECONNRESET);
		return;
	}
	if (ixg_msg_check(buf, (size_t)n, &type, NULL, 0) != IXG_ST_OK) {
		if (rfd >= 0)
			close(rfd);
		go_down(c, "malformed message from the dataplane", -EPROTO,
			-ECONNRESET);
		return;
	}
	if (c->state == DP_HELLO) {
		if (h->seq == c->seq && type == IXG_MSG_HELLO_REPLY) {
			hello_reply(c, buf, (size_t)n, rfd);
			return;
		}
	} else if (c->cur != NULL && h->seq == c->cur->seq) {
		r = c->cur;
		c->cur = NULL;
		c->sent_ms = 0;
		c->last_io_ms = loop_now_ms();
		loop_timer_del(c->L, c->deadline);
		c->deadline = NULL;
		if (type != r->want) {
			if (rfd >= 0)
				close(rfd);
			r->done(r->arg, -EPROTO, buf, (size_t)n, -1);
		} else {
			r->done(r->arg, 0, buf, (size_t)n, rfd);
		}
		free(r);
		pump(c);
		return;
	}
	/* A late reply to a request given up on: nothing waits for it. */
	if (rfd >= 0)
		close(rfd);
}

static void
try_connect(struct loop *L, struct loop_timer *t, void *arg)
{
	struct dp_client *c = arg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ixg_msg_hello m;
	char why[512];
	int fd, rc;

	(void)L;
	(void)t;
	c->reconnect = NULL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
		connect_failed(c, why);
		schedule_reconnect(c);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		if (e == EACCES)
			explain_eacces(c, why, sizeof(why));
		else if (e == EAGAIN)
			snprintf(why, sizeof(why),
				 "the dataplane accepts no connection (its "
				 "listen queue is full: stalled?)");
		else if (e == ENOENT || e == ECONNREFUSED)
			snprintf(why, sizeof(why),
				 "%s (the dataplane is not running)",
				 strerror(e));
		else
			snprintf(why, sizeof(why), "%s", strerror(e));
		connect_failed(c, why);
		schedule_reconnect(c);
		return;
	}
	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_HELLO, sizeof(m), ++c->seq);
	m.pid = (uint32_t)getpid();
	snprintf(m.name, sizeof(m.name), "ixgate-control");
	rc = ixg_send(fd, &m, sizeof(m), -1);
	if (rc < 0) {
		close(fd);
		snprintf(why, sizeof(why), "sending HELLO: %s", strerror(-rc));
		connect_failed(c, why);
		schedule_reconnect(c);
		return;
	}
	c->fd = fd;
	c->state = DP_HELLO;
	c->w = loop_add_fd(c->L, fd, POLLIN, 0, on_readable, c);
	c->deadline = loop_timer_add(c->L, HELLO_TIMEOUT_MS, 0, on_deadline, c);
	if (c->w == NULL || c->deadline == NULL)
		down_later(c, "out of memory");
}

static void
schedule_reconnect(struct dp_client *c)
{
	if (c->reconnect == NULL && c->state != DP_IDLE)
		c->reconnect = loop_timer_add(c->L, RECONNECT_MS, 0,
					      try_connect, c);
}

/* New client (see dp_client.h). Loop thread. */
struct dp_client *
dp_client_new(struct loop *L, const char *path, const struct dp_client_ops *ops,
	      void *arg)
{
	struct dp_client *c;

	if (strlen(path) >= sizeof(c->path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->L = L;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->ops = ops;
	c->arg = arg;
	c->fd = -1;
	c->state = DP_IDLE;
	c->urgent_tail = &c->urgent;
	c->queue_tail = &c->queue;
	return c;
}

/* Start connecting (see dp_client.h). Loop thread. */
int
dp_client_start(struct dp_client *c)
{
	c->state = DP_DOWN;
	c->reconnect = loop_timer_add(c->L, 0, 0, try_connect, c);
	return c->reconnect != NULL ? 0 : -ENOMEM;
}

/* Free (see dp_client.h). Loop thread. */
void
dp_client_free(struct dp_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0) {
		loop_del_fd(c->L, c->w);
		close(c->fd);
		c->fd = -1;
	}
	c->state = DP_IDLE;
	fail_requests(c, -ECANCELED, -ECANCELED);
	loop_timer_del(c->L, c->reconnect);
	loop_timer_del(c->L, c->deferred);
	free(c);
}

/* Ready? (see dp_client.h) */
bool
dp_client_ready(const struct dp_client *c)
{
	return c->state == DP_READY && c->deferred == NULL;
}

/* Reset the connection (see dp_client.h). Loop thread. */
void
dp_client_reset(struct dp_client *c, const char *why)
{
	if (c->state == DP_IDLE || c->fd < 0)
		return; /* nothing to reset: reconnecting already */
	loop_timer_del(c->L, c->reconnect);
	c->reconnect = NULL;
	go_down(c, why, -ECONNABORTED, -ECONNABORTED);
}

/* The urgent class (see dp_client.h). Any thread. */
bool
dp_msg_urgent(uint16_t type)
{
	return type == IXG_MSG_PEER_DOWN;
}

/* Queue a request (see dp_client.h). Loop thread. */
int
dp_client_request(struct dp_client *c, const void *msg, size_t len, int pass_fd,
		  uint16_t want_type, unsigned timeout_ms, dp_reply_fn done,
		  void *arg)
{
	struct dp_req *r;
	struct ixg_msg_hdr *h;

	if (!dp_client_ready(c) || len > IXG_MSG_MAX ||
	    len < sizeof(struct ixg_msg_hdr)) {
		if (pass_fd >= 0)
			close(pass_fd);
		return dp_client_ready(c) ? -EINVAL : -ENOTCONN;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		if (pass_fd >= 0)
			close(pass_fd);
		return -ENOMEM;
	}
	memcpy(r->msg, msg, len);
	h = (struct ixg_msg_hdr *)r->msg;
	r->seq = ++c->seq;
	ixg_msg_init(h, h->type, (uint32_t)len, r->seq);
	r->len = len;
	r->pass_fd = pass_fd;
	r->want = want_type;
	r->timeout_ms = timeout_ms;
	r->done = done;
	r->arg = arg;
	r->urgent = dp_msg_urgent(h->type);
	if (r->urgent) {
		*c->urgent_tail = r;
		c->urgent_tail = &r->next;
	} else {
		*c->queue_tail = r;
		c->queue_tail = &r->next;
	}
	pump(c);
	return 0;
}

/* How long the connection has been quiet (see dp_client.h). */
uint64_t
dp_client_quiet_ms(const struct dp_client *c)
{
	uint64_t now = loop_now_ms();

	if (!dp_client_ready(c) || c->cur != NULL || c->queue != NULL ||
	    c->urgent != NULL)
		return 0;
	return now > c->last_io_ms ? now - c->last_io_ms : 0;
}

/* Since when the request in flight waits (see dp_client.h). */
uint64_t
dp_client_busy_since(const struct dp_client *c)
{
	return c->sent_ms;
}
