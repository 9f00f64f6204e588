/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane API client as a state machine on the loop (dp_client.c),
 * against a fake dataplane served from the same loop: HELLO, then requests
 * answered in order with their reply (and a passed descriptor); a reply
 * that never comes times the request out, resets the connection and
 * reconnects; a late reply to the abandoned request is ignored; requests
 * queued behind a failed one fail too; a dataplane that refuses the
 * connection is logged once with the reason, not at every retry; a
 * PEER_DOWN goes before the bulk requests queued before it (never before
 * the one in flight), and requests of one class keep their order.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp_client.h"
#include "ixg_wire.h"
#include "loop.h"

/* The fake dataplane. */
struct fake {
	struct loop *L;
	int lfd, cfd;
	struct loop_watch *lw, *cw;
	unsigned accepted, hellos, requests;
	bool mute; /* read requests, answer nothing */
	uint32_t last_seq;
	/* hold: keep the next request unanswered (held_*) until
	 * fake_release; got: every request's type in arrival order, and each
	 * PEER_DOWN's first IPv4 word */
	bool hold, holding;
	uint32_t held_seq;
	uint16_t held_type;
	uint16_t got[16];
	uint64_t got_down[16];
	unsigned n_got;
};

/* What the client reported. */
struct seen {
	unsigned ups, downs, logs;
	char last_log[1024], last_down[256];
	int err[8];
	uint16_t type[8];
	int fd[8];
	unsigned replies;
};

static void on_conn(struct loop *L, struct loop_watch *w, int fd,
		    unsigned revents, void *arg);
static void fake_answer(int fd, uint16_t type, uint32_t seq);

static void
on_listen(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	  void *arg)
{
	struct fake *f = arg;
	int s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	(void)w;
	(void)revents;
	if (s < 0)
		return;
	if (f->cfd >= 0) {
		loop_del_fd(L, f->cw);
		close(f->cfd);
	}
	f->cfd = s;
	f->accepted++;
	f->cw = loop_add_fd(L, s, POLLIN, 0, on_conn, f);
}

static void
on_conn(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	void *arg)
{
	struct fake *f = arg;
	uint8_t buf[IXG_MSG_MAX];
	struct ixg_msg_hdr h;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	(void)revents;
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			loop_del_fd(L, w);
			close(fd);
			f->cfd = -1;
		}
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.type == IXG_MSG_HELLO) {
		struct ixg_msg_hello_reply r;

		memset(&r, 0, sizeof(r));
		ixg_msg_init(&r.hdr, IXG_MSG_HELLO_REPLY, sizeof(r), h.seq);
		r.status = IXG_ST_OK;
		r.generation = 5;
		r.start_unix = 1000;
		f->hellos++;
		assert_int_equal(ixg_send(fd, &r, sizeof(r), -1), 0);
		return;
	}
	f->requests++;
	f->last_seq = h.seq;
	if (f->n_got < 16) {
		f->got[f->n_got] = h.type;
		if (h.type == IXG_MSG_PEER_DOWN &&
		    (size_t)n == sizeof(struct ixg_msg_peer_down))
			memcpy(&f->got_down[f->n_got],
			       buf + offsetof(struct ixg_msg_peer_down, down),
			       sizeof(uint64_t));
		f->n_got++;
	}
	if (f->mute)
		return;
	if (f->hold && !f->holding) {
		f->holding = true;
		f->held_seq = h.seq;
		f->held_type = h.type;
		return;
	}
	fake_answer(fd, h.type, h.seq);
}

/* The reply the fake gives to a request of type `type`. */
static void
fake_answer(int fd, uint16_t type, uint32_t seq)
{
	struct ixg_msg_hdr h = {.type = type, .seq = seq};

	if (h.type == IXG_MSG_PEER_DOWN) {
		struct ixg_msg_reply r;

		memset(&r, 0, sizeof(r));
		ixg_msg_init(&r.hdr, IXG_MSG_REPLY, sizeof(r), h.seq);
		r.status = IXG_ST_OK;
		assert_int_equal(ixg_send(fd, &r, sizeof(r), -1), 0);
		return;
	}
	if (h.type == IXG_MSG_GET_STATE) {
		struct ixg_msg_state r;
		int mfd = memfd_create("t", MFD_CLOEXEC);

		memset(&r, 0, sizeof(r));
		ixg_msg_init(&r.hdr, IXG_MSG_STATE, sizeof(r), h.seq);
		r.generation = 5;
		assert_int_equal(ixg_send(fd, &r, sizeof(r), mfd), 0);
		close(mfd);
	}
}

static void
fake_start(struct fake *f, struct loop *L, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(f, 0, sizeof(*f));
	f->L = L;
	f->cfd = -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	f->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	f->lw = loop_add_fd(L, f->lfd, POLLIN, LOOP_F_CLOSE, on_listen, f);
}

static void
up(void *arg, const struct ixg_msg_hello_reply *rep, int counters_fd)
{
	struct seen *s = arg;

	assert_int_equal(rep->generation, 5);
	if (counters_fd >= 0)
		close(counters_fd);
	s->ups++;
}

static void
down(void *arg, const char *why)
{
	struct seen *s = arg;

	s->downs++;
	snprintf(s->last_down, sizeof(s->last_down), "%s", why);
}

static void
logged(void *arg, const char *line)
{
	struct seen *s = arg;

	s->logs++;
	snprintf(s->last_log, sizeof(s->last_log), "%s", line);
}

static const struct dp_client_ops ops = {
	.up = up,
	.down = down,
	.log = logged,
};

static void
on_reply(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct seen *s = arg;
	unsigned i = s->replies++;

	s->err[i] = err;
	s->type[i] = 0;
	if (err == 0 && len >= sizeof(struct ixg_msg_hdr))
		s->type[i] = ((const struct ixg_msg_hdr *)reply)->type;
	s->fd[i] = fd;
}

static void
stop_now(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(L);
}

static void
spin(struct loop *L, unsigned ms)
{
	loop_timer_add(L, ms, 0, stop_now, NULL);
	assert_int_equal(loop_run(L), 0);
}

/* Spin until cond (bounded: 5 s). */
#define SPIN_UNTIL(L, cond)                                                    \
	do {                                                                   \
		for (int i_ = 0; i_ < 500 && !(cond); i_++)                    \
			spin(L, 10);                                           \
		assert_true(cond);                                             \
	} while (0)

static void
test_requests(void **state)
{
	char path[] = "/tmp/test_dp_client.XXXXXX";
	struct loop *L = loop_new(64);
	struct ixg_msg_get_state m;
	struct seen s = {0};
	struct dp_client *c;
	struct fake f;
	int tmp = mkstemp(path);

	(void)state;
	if (L == NULL)
		skip();
	assert_true(tmp >= 0);
	close(tmp);
	fake_start(&f, L, path);
	c = dp_client_new(L, path, &ops, &s);
	assert_non_null(c);
	assert_false(dp_client_ready(c));
	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_GET_STATE, sizeof(m), 0);
	assert_int_equal(dp_client_request(c, &m, sizeof(m), -1, IXG_MSG_STATE,
					   1000, on_reply, &s),
			 -ENOTCONN);
	assert_int_equal(dp_client_start(c), 0);
	SPIN_UNTIL(L, s.ups == 1);
	assert_true(dp_client_ready(c));

	/* Two requests: answered in order, the reply's descriptor handed
	 * over; never a callback inside the call. */
	assert_int_equal(dp_client_request(c, &m, sizeof(m), -1, IXG_MSG_STATE,
					   1000, on_reply, &s),
			 0);
	assert_int_equal(dp_client_request(c, &m, sizeof(m), -1, IXG_MSG_STATE,
					   1000, on_reply, &s),
			 0);
	assert_int_equal(s.replies, 0);
	SPIN_UNTIL(L, s.replies == 2);
	assert_int_equal(s.err[0], 0);
	assert_int_equal(s.type[0], IXG_MSG_STATE);
	assert_true(s.fd[0] >= 0);
	close(s.fd[0]);
	close(s.fd[1]);
	/* A reply of another type than asked for. */
	assert_int_equal(dp_client_request(c, &m, sizeof(m), -1, IXG_MSG_IDS,
					   1000, on_reply, &s),
			 0);
	SPIN_UNTIL(L, s.replies == 3);
	assert_int_equal(s.err[2], -EPROTO);

	/* No answer: -ETIMEDOUT, the one queued behind it -ECONNRESET, the
	 * connection reset (down), then a new one (up). */
	f.mute = true;
	assert_int_equal(dp_client_request(c, &m, sizeof(m), -1, IXG_MSG_STATE,
					   100, on_reply, &s),
			 0);
	assert_int_equal(dp_client_request(c, &m, sizeof(m), -1, IXG_MSG_STATE,
					   100, on_reply, &s),
			 0);
	SPIN_UNTIL(L, s.replies == 5);
	assert_int_equal(s.err[3], -ETIMEDOUT);
	assert_int_equal(s.err[4], -ECONNRESET);
	assert_int_equal(s.downs, 1);
	assert_non_null(strstr(s.last_down, "no reply to get_state"));
	f.mute = false;
	SPIN_UNTIL(L, s.ups == 2);
	assert_int_equal(f.accepted, 2);

	/* dp_client_reset: the request in flight gets -ECONNABORTED. */
	f.mute = true;
	{
		unsigned before = f.requests;

		assert_int_equal(dp_client_request(c, &m, sizeof(m), -1,
						   IXG_MSG_STATE, 5000,
						   on_reply, &s),
				 0);
		SPIN_UNTIL(L, f.requests == before + 1);
	}
	dp_client_reset(c, "test");
	assert_int_equal(s.err[5], -ECONNABORTED);
	f.mute = false;
	SPIN_UNTIL(L, s.ups == 3);

	dp_client_free(c);
	loop_del_fd(L, f.lw);
	if (f.cfd >= 0)
		close(f.cfd);
	loop_free(L);
	unlink(path);
}

/* Which request answered, in callback order (test_urgent_first). */
static int order[16];
static int order_err[16];
static unsigned n_order;

static void
on_tagged(void *arg, int err, const void *reply, size_t len, int fd)
{
	(void)reply;
	(void)len;
	if (fd >= 0)
		close(fd);
	if (n_order < 16) {
		order_err[n_order] = err;
		order[n_order++] = *(const int *)arg;
	}
}

/*
 * With a request in flight and bulk requests queued, PEER_DOWNs go next
 * (in their own order), then the bulk ones in theirs; nothing overtakes
 * the request in flight. A reset fails the queued ones in that order.
 */
static void
test_urgent_first(void **state)
{
	static const int tag[] = {0, 1, 2, 3, 4, 5};
	char path[] = "/tmp/test_dp_client.XXXXXX";
	struct loop *L = loop_new(64);
	struct ixg_msg_get_state g;
	struct ixg_msg_peer_down pd[2];
	uint64_t down[2][IXG_MAX_PEERS / 64];
	struct seen s = {0};
	struct dp_client *c;
	struct fake f;
	int tmp = mkstemp(path);

	(void)state;
	if (L == NULL)
		skip();
	assert_true(tmp >= 0);
	close(tmp);
	assert_true(dp_msg_urgent(IXG_MSG_PEER_DOWN));
	for (unsigned t = 1; t < IXG_MSG_TYPE_MAX; t++)
		if (t != IXG_MSG_PEER_DOWN)
			assert_false(dp_msg_urgent((uint16_t)t));
	fake_start(&f, L, path);
	c = dp_client_new(L, path, &ops, &s);
	assert_non_null(c);
	assert_int_equal(dp_client_start(c), 0);
	SPIN_UNTIL(L, s.ups == 1);

	memset(&g, 0, sizeof(g));
	ixg_msg_init(&g.hdr, IXG_MSG_GET_STATE, sizeof(g), 0);
	for (unsigned k = 0; k < 2; k++) {
		memset(down, 0, sizeof(down));
		down[0][0] = 1ull << (k + 1); /* peer 1, then peer 2 */
		ixg_msg_peer_down_init(&pd[k], down, 0);
	}
	/* 0 in flight and held; 1, 2 bulk; 3, 4 urgent; 5 bulk */
	f.hold = true;
	assert_int_equal(dp_client_request(c, &g, sizeof(g), -1, IXG_MSG_STATE,
					   5000, on_tagged, (void *)&tag[0]),
			 0);
	SPIN_UNTIL(L, f.n_got == 1 && f.holding);
	assert_int_equal(dp_client_request(c, &g, sizeof(g), -1, IXG_MSG_STATE,
					   5000, on_tagged, (void *)&tag[1]),
			 0);
	assert_int_equal(dp_client_request(c, &g, sizeof(g), -1, IXG_MSG_STATE,
					   5000, on_tagged, (void *)&tag[2]),
			 0);
	assert_int_equal(dp_client_request(c, &pd[0], sizeof(pd[0]), -1,
					   IXG_MSG_REPLY, 5000, on_tagged,
					   (void *)&tag[3]),
			 0);
	assert_int_equal(dp_client_request(c, &pd[1], sizeof(pd[1]), -1,
					   IXG_MSG_REPLY, 5000, on_tagged,
					   (void *)&tag[4]),
			 0);
	assert_int_equal(dp_client_request(c, &g, sizeof(g), -1, IXG_MSG_STATE,
					   5000, on_tagged, (void *)&tag[5]),
			 0);
	assert_int_equal(dp_client_quiet_ms(c), 0);
	spin(L, 50);
	/* nothing overtakes the request in flight */
	assert_int_equal(f.n_got, 1);
	assert_int_equal(n_order, 0);
	f.hold = false;
	f.holding = false;
	fake_answer(f.cfd, f.held_type, f.held_seq);
	SPIN_UNTIL(L, n_order == 6);
	{
		static const uint16_t want_type[] = {
			IXG_MSG_GET_STATE, IXG_MSG_PEER_DOWN,
			IXG_MSG_PEER_DOWN, IXG_MSG_GET_STATE,
			IXG_MSG_GET_STATE, IXG_MSG_GET_STATE};
		static const int want_order[] = {0, 3, 4, 1, 2, 5};

		assert_int_equal(f.n_got, 6);
		for (unsigned i = 0; i < 6; i++) {
			assert_int_equal(f.got[i], want_type[i]);
			assert_int_equal(order[i], want_order[i]);
			assert_int_equal(order_err[i], 0);
		}
		/* the two PEER_DOWNs in the order they were queued */
		assert_int_equal(f.got_down[1], 1ull << 1);
		assert_int_equal(f.got_down[2], 1ull << 2);
	}

	/* Reset with both queues full: the one in flight, then the urgent,
	 * then the bulk ones fail, in that order. */
	n_order = 0;
	f.hold = true;
	assert_int_equal(dp_client_request(c, &g, sizeof(g), -1, IXG_MSG_STATE,
					   5000, on_tagged, (void *)&tag[0]),
			 0);
	SPIN_UNTIL(L, f.holding);
	assert_int_equal(dp_client_request(c, &g, sizeof(g), -1, IXG_MSG_STATE,
					   5000, on_tagged, (void *)&tag[1]),
			 0);
	assert_int_equal(dp_client_request(c, &pd[0], sizeof(pd[0]), -1,
					   IXG_MSG_REPLY, 5000, on_tagged,
					   (void *)&tag[3]),
			 0);
	dp_client_reset(c, "test");
	assert_int_equal(n_order, 3);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 3);
	assert_int_equal(order[2], 1);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(order_err[i], -ECONNABORTED);

	dp_client_free(c);
	loop_del_fd(L, f.lw);
	if (f.cfd >= 0)
		close(f.cfd);
	loop_free(L);
	unlink(path);
}

/* Nobody listens: the reason logged once, not every 500 ms. */
static void
test_connect_failure_logged_once(void **state)
{
	struct loop *L = loop_new(64);
	struct seen s = {0};
	struct dp_client *c;

	(void)state;
	if (L == NULL)
		skip();
	c = dp_client_new(L, "/nonexistent/ixgate-test.sock", &ops, &s);
	assert_non_null(c);
	assert_int_equal(dp_client_start(c), 0);
	spin(L, 1700); /* four attempts */
	assert_int_equal(s.logs, 1);
	assert_non_null(strstr(s.last_log, "the dataplane is not running"));
	assert_int_equal(s.ups, 0);
	dp_client_free(c);
	loop_free(L);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_urgent_first),
		cmocka_unit_test(test_connect_failure_logged_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
