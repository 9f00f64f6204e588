/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session_watch.c - the members' BGP sessions over NETLINK_SOCK_DIAG, and
 * the dataplane's PEER_DOWN state that follows them (session_watch.h).
 *
 * Why a dump and not only the destroy notifications (measured on this
 * machine's kernel, doc/routing.md "Session loss"): a session the routing
 * daemon closes leaves ESTABLISHED at close(2), but its socket lives on as
 * an orphan in FIN_WAIT1/FIN_WAIT2 (and a timewait socket after it), and
 * is destroyed only once the member answered the FIN, or after minutes of
 * retransmissions when the member is gone; a session the member closes
 * sits in CLOSE_WAIT until the daemon closes it. "No ESTABLISHED socket
 * left" is the signal; the destroy notification makes the dump come at
 * once. A dump returns a few sockets per member (the kernel filters them)
 * but walks the kernel's whole TCP hash table: 2.6 ms of CPU for both
 * families here, so the periodic one runs every second, the notified one
 * at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctld.h"
#include "ixg_wire.h"
#include "session_watch.h"
#include "view.h"

#ifndef SKNLGRP_INET_TCP_DESTROY
#define SKNLGRP_INET_TCP_DESTROY 1
#define SKNLGRP_INET6_TCP_DESTROY 3
#endif

/* ------------------------------------------------------------------ */
/* The sock_diag messages.                                            */

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* See session_watch.h. */
int
sw_parse(const void *buf, size_t len, uint32_t seq,
	 void (*each)(void *arg, const struct sw_sock *s), void *arg, char *err,
	 size_t errlen)
{
	const uint8_t *p = buf;
	size_t off = 0;
	unsigned idx = 0;

	while (off < len) {
		struct nlmsghdr h;
		size_t rest = len - off;

		if (rest < sizeof(h)) {
			snprintf(err, errlen,
				 "sock_diag: message %u at offset %zu: %zu "
				 "bytes, shorter than a netlink header",
				 idx, off, rest);
			return -EBADMSG;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > rest) {
			snprintf(err, errlen,
				 "sock_diag: message %u (type %u) at offset "
				 "%zu: length %" PRIu32 " outside %zu..%zu",
				 idx, h.nlmsg_type, off, h.nlmsg_len, sizeof(h),
				 rest);
			return -EBADMSG;
		}
		if (seq != 0 && h.nlmsg_seq != seq) {
			/* an answer to an earlier request: not ours */
		} else if (h.nlmsg_type == NLMSG_DONE) {
			return SW_PARSE_DONE;
		} else if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;

			if (h.nlmsg_len < NLMSG_LENGTH(sizeof(e.error))) {
				snprintf(err, errlen,
					 "sock_diag: message %u: NLMSG_ERROR "
					 "of %" PRIu32 " bytes, no error code",
					 idx, h.nlmsg_len);
				return -EBADMSG;
			}
			memcpy(&e.error, p + off + NLMSG_HDRLEN,
			       sizeof(e.error));
			snprintf(err, errlen,
				 "sock_diag: the kernel refused the dump: %s",
				 strerror(e.error < 0 ? -e.error : EPROTO));
			return e.error < 0 ? e.error : -EPROTO;
		} else if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			struct inet_diag_msg d;
			struct sw_sock s;

			if (h.nlmsg_len < NLMSG_LENGTH(sizeof(d))) {
				snprintf(err, errlen,
					 "sock_diag: message %u: %" PRIu32
					 " bytes, shorter than inet_diag_msg "
					 "(%zu)",
					 idx, h.nlmsg_len,
					 (size_t)NLMSG_LENGTH(sizeof(d)));
				return -EBADMSG;
			}
			memcpy(&d, p + off + NLMSG_HDRLEN, sizeof(d));
			memset(&s, 0, sizeof(s));
			if (d.idiag_family == AF_INET) {
				s.family = 4;
				memcpy(s.laddr, d.id.idiag_src, 4);
				memcpy(s.raddr, d.id.idiag_dst, 4);
			} else if (d.idiag_family == AF_INET6) {
				s.family = 6;
				memcpy(s.laddr, d.id.idiag_src, 16);
				memcpy(s.raddr, d.id.idiag_dst, 16);
				/* an IPv4 session on a dual-stack socket */
				if (memcmp(s.raddr, v4mapped, 12) == 0) {
					s.family = 4;
					memmove(s.laddr, s.laddr + 12, 4);
					memmove(s.raddr, s.raddr + 12, 4);
					memset(s.laddr + 4, 0, 12);
					memset(s.raddr + 4, 0, 12);
				}
			} else {
				snprintf(err, errlen,
					 "sock_diag: message %u: family %u, "
					 "not AF_INET or AF_INET6",
					 idx, d.idiag_family);
				return -EBADMSG;
			}
			s.state = d.idiag_state;
			s.lport = ntohs(d.id.idiag_sport);
			s.rport = ntohs(d.id.idiag_dport);
			each(arg, &s);
		}
		/* other types (NLMSG_NOOP...) are skipped */
		off += NLMSG_ALIGN(h.nlmsg_len);
		idx++;
	}
	return SW_PARSE_MORE;
}

/* See session_watch.h. */
size_t
sw_dump_request(void *buf, unsigned family, uint32_t seq)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
		struct nlattr nla;
		struct inet_diag_bc_op ops[5];
	} q;

	_Static_assert(sizeof(q) <= 128, "the request fits the buffer");
	memset(&q, 0, sizeof(q));
	q.nlh.nlmsg_len = sizeof(q);
	q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.nlh.nlmsg_seq = seq;
	q.r.sdiag_family = family == 4 ? AF_INET : AF_INET6;
	q.r.sdiag_protocol = IPPROTO_TCP;
	q.r.idiag_states = 1u << TCP_ESTABLISHED;
	q.nla.nla_len = (uint16_t)(sizeof(q.nla) + sizeof(q.ops));
	q.nla.nla_type = INET_DIAG_REQ_BYTECODE;
	/*
	 * local port 179 or remote port 179. Each op moves `yes` bytes on
	 * when its test holds, `no` bytes otherwise; landing on the end
	 * accepts, 4 past it rejects. The kernel's check
	 * (inet_diag_bc_audit) wants every `no` target on the chain of
	 * `yes` moves from the start, hence the JMP:
	 *   [0]  S_EQ 179   yes -> [8], no -> [12]
	 *   [8]  JMP        -> end (accept)
	 *   [12] D_EQ 179   yes -> end (accept), no -> end + 4 (reject)
	 */
	q.ops[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_EQ, 8, 12};
	q.ops[1] = (struct inet_diag_bc_op){0, 0, SW_BGP_PORT};
	q.ops[2] = (struct inet_diag_bc_op){INET_DIAG_BC_JMP, 4, 12};
	q.ops[3] = (struct inet_diag_bc_op){INET_DIAG_BC_D_EQ, 8, 12};
	q.ops[4] = (struct inet_diag_bc_op){0, 0, SW_BGP_PORT};
	memcpy(buf, &q, sizeof(q));
	return sizeof(q);
}

/* ------------------------------------------------------------------ */
/* The state machine.                                                 */

const char *
sw_state_name(unsigned s)
{
	static const char *const names[] = {"untracked", "up", "down"};

	return s < 3 ? names[s] : "unknown";
}

int
sessions_init(struct sessions *S)
{
	memset(S, 0, sizeof(*S));
	return 0;
}

void
sessions_fini(struct sessions *S)
{
	free(S->m);
	free(S->count);
	memset(S, 0, sizeof(*S));
}

static struct sw_member *
member_by_id(struct sessions *S, uint16_t id)
{
	unsigned lo = 0, hi = S->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (S->m[mid].peer == id)
			return &S->m[mid];
		if (S->m[mid].peer < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
cmp_member(const void *a, const void *b)
{
	const struct sw_member *x = a, *y = b;

	return (x->peer > y->peer) - (x->peer < y->peer);
}

/* See session_watch.h. */
int
sessions_set_members(struct sessions *S, const struct ixg_spec *spec)
{
	struct sw_member *m = NULL;
	uint32_t *count = NULL;
	unsigned n = 0;

	if (spec->n_peers > 0) {
		m = calloc(spec->n_peers, sizeof(*m));
		count = calloc((size_t)spec->n_peers * 2, sizeof(*count));
		if (m == NULL || count == NULL) {
			free(m);
			free(count);
			return -ENOMEM;
		}
	}
	for (uint32_t i = 0; i < spec->n_peers; i++) {
		const struct ixg_spec_peer *p = &spec->peers[i];
		struct sw_member *x = &m[n];
		const struct sw_member *old;

		if (!p->has_nh4 && !p->has_nh6)
			continue;
		x->peer = p->id;
		snprintf(x->name, sizeof(x->name), "%.*s", (int)sizeof(p->name),
			 p->name);
		x->has[0] = p->has_nh4 != 0;
		x->has[1] = p->has_nh6 != 0;
		if (x->has[0])
			memcpy(x->addr[0], p->nh4, 4);
		if (x->has[1])
			memcpy(x->addr[1], p->nh6, 16);
		old = member_by_id(S, p->id);
		for (unsigned f = 0; old != NULL && f < 2; f++)
			if (old->has[f] == x->has[f] &&
			    memcmp(old->addr[f], x->addr[f], 16) == 0)
				x->fam[f] = old->fam[f];
		n++;
	}
	qsort(m, n, sizeof(*m), cmp_member);
	free(S->m);
	free(S->count);
	S->m = m;
	S->count = count;
	S->n = n;
	return 0;
}

void
sessions_begin(struct sessions *S)
{
	if (S->count != NULL)
		memset(S->count, 0, (size_t)S->n * 2 * sizeof(*S->count));
}

/* The member and family whose next hop is s's remote address, on a
 * port-179 socket; NULL if none. Linear: members with next hops are a few
 * hundred, sockets a few per member. */
static const struct sw_member *
sock_member(const struct sessions *S, const struct sw_sock *s, unsigned *f)
{
	unsigned fam = s->family == 4 ? 0 : 1;
	size_t alen = fam == 0 ? 4 : 16;

	if (s->lport != SW_BGP_PORT && s->rport != SW_BGP_PORT)
		return NULL;
	for (unsigned i = 0; i < S->n; i++)
		if (S->m[i].has[fam] &&
		    memcmp(S->m[i].addr[fam], s->raddr, alen) == 0) {
			*f = fam;
			return &S->m[i];
		}
	return NULL;
}

void
sessions_sock(struct sessions *S, const struct sw_sock *s)
{
	unsigned f;
	const struct sw_member *m;

	if (s->state != TCP_ESTABLISHED)
		return;
	m = sock_member(S, s, &f);
	if (m != NULL)
		S->count[(size_t)(m - S->m) * 2 + f]++;
}

bool
sessions_is_member(const struct sessions *S, const struct sw_sock *s)
{
	unsigned f;

	return sock_member(S, s, &f) != NULL;
}

unsigned
sessions_end(struct sessions *S, int64_t now_ms, sw_change_fn change, void *arg)
{
	unsigned moves = 0;

	for (unsigned i = 0; i < S->n; i++)
		for (unsigned f = 0; f < 2; f++) {
			struct sw_family *x = &S->m[i].fam[f];
			uint32_t c = S->count[(size_t)i * 2 + f];
			unsigned from = x->state, to = from;

			x->sessions = c;
			if (c > 0)
				to = SW_UP;
			else if (from == SW_UP)
				to = SW_DOWN;
			if (to == from)
				continue;
			x->state = (uint8_t)to;
			x->since_ms = now_ms;
			if (to == SW_DOWN) {
				x->downs++;
				S->downs++;
			} else if (from == SW_DOWN) {
				x->ups++;
				S->ups++;
			}
			moves++;
			if (change != NULL)
				change(arg, &S->m[i], f, from, to);
		}
	return moves;
}

void
sessions_down_bits(const struct sessions *S,
		   uint64_t out[2][IXG_MAX_PEERS / 64])
{
	memset(out, 0, 2 * (IXG_MAX_PEERS / 64) * sizeof(uint64_t));
	for (unsigned i = 0; i < S->n; i++)
		for (unsigned f = 0; f < 2; f++) {
			uint16_t p = S->m[i].peer;

			if (S->m[i].fam[f].state == SW_DOWN && p != 0 &&
			    p < IXG_MAX_PEERS)
				out[f][p / 64] |= UINT64_C(1) << (p % 64);
		}
}

void
sessions_counts(const struct sessions *S, unsigned counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (unsigned i = 0; i < S->n; i++)
		for (unsigned f = 0; f < 2; f++)
			if (S->m[i].has[f] && S->m[i].fam[f].state < 3)
				counts[S->m[i].fam[f].state]++;
}

/* ------------------------------------------------------------------ */
/* The watcher.                                                       */

struct session_watch {
	struct ctld *D;
	struct sessions S;
	bool enabled, withdraw;
	int fd; /* the dumps */
	struct loop_watch *w;
	int mfd; /* the destroy notifications, -1 without */
	struct loop_watch *mw;
	struct loop_timer *timer;
	/* the dump in flight: family 4, then 6; 0 none */
	unsigned dumping;
	uint32_t seq;
	uint64_t dump_started_ms;
	bool again; /* a destroy asked for a dump while one ran */
	/* the dataplane */
	bool dp_in_flight;
	bool dp_known; /* dp_sent is what the dataplane holds */
	uint64_t dp_epoch; /* of dp_sent */
	uint64_t dp_sent[2][IXG_MAX_PEERS / 64];
	uint64_t dp_want[2][IXG_MAX_PEERS / 64]; /* of the request */
	bool dp_unsupported;
	uint64_t dp_retry_ms; /* loop ms: no request before (after a
			       * refusal) */
	uint64_t dp_refused_epoch; /* the refusal was logged for it */
	/* counters */
	uint64_t dumps, dump_errors, destroy_events, dp_updates, dp_errors;
	uint64_t destroy_lost; /* ENOBUFS on the notifications */
	int64_t last_dump_ms; /* unix ms of the last complete dump */
	int64_t dp_applied_ms; /* unix ms the dataplane's last reply came */
	unsigned poll_ms; /* the dumps' period */
	char last_error[256];
};

static int64_t
unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
addr_str(unsigned f, const uint8_t *a, char *buf, size_t len)
{
	if (inet_ntop(f == 0 ? AF_INET : AF_INET6, a, buf, (socklen_t)len) ==
	    NULL)
		snprintf(buf, len, "?");
}

static void
on_change(void *arg, const struct sw_member *m, unsigned f, unsigned from,
	  unsigned to)
{
	struct session_watch *W = arg;
	char a[INET6_ADDRSTRLEN];

	addr_str(f, m->addr[f], a, sizeof(a));
	if (to == SW_DOWN)
		ctld_log(W->D,
			 "sessions: %s IPv%u %s: DOWN (no ESTABLISHED BGP "
			 "session left)%s",
			 m->name, f == 0 ? 4 : 6, a,
			 W->withdraw ? "; its kernel routes of the family "
				       "stop forwarding (session-loss "
				       "withdraw)"
				     : "; kernel routes kept (session-loss "
				       "keep)");
	else
		ctld_log(W->D, "sessions: %s IPv%u %s: %s (%u ESTABLISHED)%s",
			 m->name, f == 0 ? 4 : 6, a,
			 from == SW_DOWN ? "UP again" : "UP, tracked",
			 m->fam[f].sessions,
			 from == SW_DOWN && W->withdraw
				 ? "; its kernel routes forward again"
				 : "");
}

static void dump_next(struct session_watch *W);

static void
sock_cb(void *arg, const struct sw_sock *s)
{
	sessions_sock(arg, s);
}

static void
dump_fail(struct session_watch *W, const char *why)
{
	W->dump_errors++;
	snprintf(W->last_error, sizeof(W->last_error), "%s", why);
	/* one line per failure, at most one per second or so: a dump runs
	 * every poll_ms */
	if (W->dump_errors < 10 || W->dump_errors % 100 == 0)
		ctld_log(W->D,
			 "sessions: %s (dump thrown away, state unchanged; "
			 "%" PRIu64 " errors)",
			 why, W->dump_errors);
	W->dumping = 0;
}

static void
on_dump(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	void *arg)
{
	struct session_watch *W = arg;
	static uint8_t buf[1 << 16];

	(void)L;
	(void)w;
	(void)revents;
	for (int k = 0; k < 16; k++) {
		char err[192];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		int rc;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			snprintf(err, sizeof(err), "sock_diag: recv: %s",
				 strerror(errno));
			dump_fail(W, err);
			return;
		}
		if (W->dumping == 0)
			continue; /* the rest of a dump given up */
		rc = sw_parse(buf, (size_t)n, W->seq, sock_cb, &W->S, err,
			      sizeof(err));
		if (rc < 0) {
			dump_fail(W, err);
			continue;
		}
		if (rc == SW_PARSE_DONE) {
			if (W->dumping == 4) {
				W->dumping = 6;
				dump_next(W);
				continue;
			}
			W->dumping = 0;
			W->dumps++;
			W->last_dump_ms = unix_ms();
			if (sessions_end(&W->S, W->last_dump_ms, on_change, W) >
			    0)
				session_watch_sync(W);
			if (W->again) {
				W->again = false;
				W->dumping = 4;
				sessions_begin(&W->S);
				dump_next(W);
			}
		}
	}
}

/* Send the dump request of family W->dumping. */
static void
dump_next(struct session_watch *W)
{
	uint8_t q[128];
	size_t n;

	W->seq++;
	if (W->seq == 0)
		W->seq = 1;
	n = sw_dump_request(q, W->dumping, W->seq);
	if (send(W->fd, q, n, MSG_DONTWAIT) != (ssize_t)n) {
		char err[96];

		snprintf(err, sizeof(err), "sock_diag: send: %s",
			 strerror(errno));
		dump_fail(W, err);
	}
}

static void
dump_start(struct session_watch *W)
{
	if (W->fd < 0)
		return;
	if (W->dumping != 0) {
		if (loop_now_ms() - W->dump_started_ms < SW_DUMP_TIMEOUT_MS)
			return;
		dump_fail(W, "sock_diag: no answer to a dump in 2 s");
	}
	W->dumping = 4;
	W->dump_started_ms = loop_now_ms();
	sessions_begin(&W->S);
	dump_next(W);
}

static void on_destroy(struct loop *L, struct loop_watch *w, int fd,
		       unsigned revents, void *arg);

static void
on_timer(struct loop *L, struct loop_timer *t, void *arg)
{
	struct session_watch *W = arg;

	(void)L;
	(void)t;
	dump_start(W);
	session_watch_sync(W);
}

struct destroy_ctx {
	struct session_watch *W;
	bool hit;
};

static void
destroy_cb(void *arg, const struct sw_sock *s)
{
	struct destroy_ctx *c = arg;

	if (sessions_is_member(&c->W->S, s))
		c->hit = true;
}

static void
on_destroy(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	   void *arg)
{
	struct session_watch *W = arg;
	static uint8_t buf[1 << 14];

	(void)L;
	(void)w;
	(void)revents;
	for (int k = 0; k < 64; k++) {
		struct destroy_ctx c = {W, false};
		char err[192];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS) {
			/* notifications lost: look now */
			W->destroy_lost++;
			dump_start(W);
			continue;
		}
		if (n <= 0)
			return;
		if (sw_parse(buf, (size_t)n, 0, destroy_cb, &c, err,
			     sizeof(err)) < 0) {
			W->dump_errors++;
			snprintf(W->last_error, sizeof(W->last_error), "%s",
				 err);
			continue;
		}
		if (!c.hit)
			continue;
		W->destroy_events++;
		/* a member's session socket is gone: look now */
		if (W->dumping != 0)
			W->again = true;
		else
			dump_start(W);
	}
}

/* See session_watch.h. Loop thread. */
void
session_watch_withdrawn(struct session_watch *W)
{
	if (W == NULL || !W->enabled || W->fd < 0)
		return;
	if (W->dumping != 0) {
		W->again = true;
		return;
	}
	/* At most one such dump per SW_WITHDRAW_DUMP_MS: a mass withdraw
	 * comes in a batch every few tens of milliseconds, and a dump costs
	 * a few milliseconds of the kernel's time (doc/routing.md). */
	if (W->dumps != 0 &&
	    loop_now_ms() - W->dump_started_ms < SW_WITHDRAW_DUMP_MS)
		return;
	dump_start(W);
}

static void
watch_stop(struct session_watch *W)
{
	struct loop *L = W->D->loop;

	if (W->timer != NULL)
		loop_timer_del(L, W->timer);
	if (W->w != NULL)
		loop_del_fd(L, W->w);
	if (W->mw != NULL)
		loop_del_fd(L, W->mw);
	W->timer = NULL;
	W->w = W->mw = NULL;
	W->fd = W->mfd = -1;
	W->dumping = 0;
}

static int
watch_start(struct session_watch *W)
{
	struct loop *L = W->D->loop;
	int fd, mfd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	W->w = loop_add_fd(L, fd, POLLIN, LOOP_F_CLOSE, on_dump, W);
	if (W->w == NULL) {
		close(fd);
		return -ENOMEM;
	}
	W->fd = fd;
	/* The destroy notifications: the prompt trigger, when the kernel
	 * gives them. */
	mfd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		     NETLINK_SOCK_DIAG);
	if (mfd >= 0) {
		/* bound (a socket never bound has port id 0, the kernel's,
		 * and gets no broadcast), with the groups' bits */
		struct sockaddr_nl sa = {
			.nl_family = AF_NETLINK,
			.nl_groups = 1u << (SKNLGRP_INET_TCP_DESTROY - 1) |
				     1u << (SKNLGRP_INET6_TCP_DESTROY - 1),
		};

		if (bind(mfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			ctld_log(W->D,
				 "sessions: no TCP destroy notifications "
				 "(%s): dumps every %u ms only",
				 strerror(errno), SW_POLL_MS);
			close(mfd);
			mfd = -1;
		} else {
			W->mw = loop_add_fd(L, mfd, POLLIN, LOOP_F_CLOSE,
					    on_destroy, W);
			if (W->mw == NULL)
				close(mfd);
			else
				W->mfd = mfd;
		}
	}
	W->poll_ms = W->mfd >= 0 ? SW_POLL_NOTIFIED_MS : SW_POLL_MS;
	W->timer = loop_timer_add(L, W->poll_ms, W->poll_ms, on_timer, W);
	if (W->timer == NULL)
		return -ENOMEM;
	dump_start(W);
	return 0;
}

struct session_watch *
session_watch_new(struct ctld *D)
{
	struct session_watch *W = calloc(1, sizeof(*W));

	if (W == NULL)
		return NULL;
	W->D = D;
	W->fd = W->mfd = -1;
	sessions_init(&W->S);
	return W;
}

void
session_watch_free(struct session_watch *W)
{
	if (W == NULL)
		return;
	watch_stop(W);
	sessions_fini(&W->S);
	free(W);
}

void
session_watch_configure(struct session_watch *W, bool enabled, bool withdraw)
{
	const struct ctl_config *run = &W->D->st.running;

	if (run->valid && sessions_set_members(&W->S, &run->spec) < 0)
		ctld_log(W->D, "sessions: out of memory: members not "
			       "updated");
	/* a dump in flight counted into the old members' array: start
	 * over (its late answers have an old sequence number) */
	if (W->dumping != 0) {
		W->dumping = 0;
		dump_start(W);
	}
	if (enabled != W->enabled || withdraw != W->withdraw)
		ctld_log(W->D, "sessions: %s",
			 !enabled   ? "not watching BGP sessions"
			 : withdraw ? "watching the members' BGP sessions; "
				      "session-loss withdraw"
				    : "watching the members' BGP sessions; "
				      "session-loss keep (nothing withdrawn)");
	W->withdraw = withdraw;
	if (enabled && !W->enabled) {
		int rc = watch_start(W);

		if (rc < 0) {
			ctld_log(W->D,
				 "sessions: cannot open NETLINK_SOCK_DIAG: %s "
				 "(retried at the next reload)",
				 strerror(-rc));
			watch_stop(W);
			enabled = false;
		}
	} else if (!enabled && W->enabled) {
		watch_stop(W);
		/* nothing tracked any more: every member up */
		sessions_fini(&W->S);
		sessions_init(&W->S);
		if (run->valid)
			sessions_set_members(&W->S, &run->spec);
	}
	W->enabled = enabled;
	session_watch_sync(W);
}

static void
dp_done(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct session_watch *W = arg;
	const struct ixg_msg_reply *r = reply;

	(void)len;
	if (fd >= 0)
		close(fd);
	W->dp_in_flight = false;
	if (err < 0) {
		W->dp_errors++;
		ctld_log(W->D, "sessions: PEER_DOWN to the dataplane: %s",
			 strerror(-err));
		return;
	}
	if (r->status == IXG_ST_UNKNOWN_TYPE) {
		if (!W->dp_unsupported)
			ctld_log(W->D,
				 "sessions: the dataplane does not know "
				 "PEER_DOWN (an older ixgate-dataplane): "
				 "sessions are watched, nothing withdrawn");
		W->dp_unsupported = true;
		return;
	}
	if (r->status != IXG_ST_OK) {
		W->dp_errors++;
		/* e.g. no configuration yet: again in a second, logged once
		 * per connection */
		W->dp_retry_ms = loop_now_ms() + 1000;
		if (W->dp_refused_epoch != W->dp_epoch)
			ctld_log(W->D,
				 "sessions: the dataplane refused PEER_DOWN: "
				 "%s: %.*s (sent again every second)",
				 ixg_status_name(r->status),
				 (int)sizeof(r->message), r->message);
		W->dp_refused_epoch = W->dp_epoch;
		return;
	}
	W->dp_updates++;
	W->dp_applied_ms = unix_ms();
	memcpy(W->dp_sent, W->dp_want, sizeof(W->dp_sent));
	W->dp_known = true;
	ctld_log(W->D, "sessions: dataplane: %.*s", (int)sizeof(r->message),
		 r->message);
	/* a change while this one was in flight */
	session_watch_sync(W);
}

void
session_watch_sync(struct session_watch *W)
{
	struct ctld *D = W->D;
	uint64_t want[2][IXG_MAX_PEERS / 64];
	struct ixg_msg_peer_down m;

	if (W->dp_in_flight || D->dp == NULL || !dp_client_ready(D->dp) ||
	    W->dp_unsupported || loop_now_ms() < W->dp_retry_ms)
		return;
	if (W->enabled && W->withdraw)
		sessions_down_bits(&W->S, want);
	else
		memset(want, 0, sizeof(want));
	if (W->dp_epoch != D->st.dp_epoch) {
		/* a new connection: the dataplane's state is unknown (a
		 * restarted one holds none, a kept one what an earlier
		 * control plane sent) */
		W->dp_known = false;
		W->dp_epoch = D->st.dp_epoch;
	}
	if (W->dp_known && memcmp(want, W->dp_sent, sizeof(want)) == 0)
		return;
	memcpy(W->dp_want, want, sizeof(want));
	ixg_msg_peer_down_init(&m, want, 0);
	if (dp_client_request(D->dp, &m, sizeof(m), -1, IXG_MSG_REPLY, 5000,
			      dp_done, W) == 0)
		W->dp_in_flight = true;
}

static void
ago(int64_t now_ms, int64_t t_ms, char *buf, size_t len)
{
	int64_t d = now_ms - t_ms;

	if (t_ms == 0)
		snprintf(buf, len, "-");
	else if (d < 10000)
		snprintf(buf, len, "%.2fs ago", (double)d / 1000.0);
	else if (d < 3600000)
		snprintf(buf, len, "%" PRId64 "s ago", d / 1000);
	else
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m ago",
			 d / 3600000, d / 60000 % 60);
}

int
session_watch_show(const struct session_watch *W, struct view *v)
{
	static const struct vcol cols[] = {
		{"PEER", "peer", VF_PLAIN, 0, 24},
		{"FAMILY", "family", VF_PLAIN, 0, 0},
		{"NEXT-HOP", "next_hop", VF_PLAIN, 0, 40},
		{"STATE", "state", VF_PLAIN, 0, 0},
		{">SESSIONS", "sessions", VF_PLAIN, 0, 0},
		{"CHANGED", NULL, VF_PLAIN, 0, 0},
		{NULL, "changed_unix_ms", VF_PLAIN, 0, 0},
		{">DOWNS", "downs", VF_PLAIN, 0, 0},
		{">UPS", "ups", VF_PLAIN, 0, 0},
	};
	int64_t now = unix_ms();
	unsigned counts[3];
	struct vtable *t;

	sessions_counts(&W->S, counts);
	view_json(v, "enabled", V_BOOL(W->enabled));
	view_json(v, "session_loss", V_STR(W->withdraw ? "withdraw" : "keep"));
	view_json(v, "poll_ms", V_U64(W->poll_ms));
	view_json(v, "destroy_notifications", V_BOOL(W->mfd >= 0));
	view_json(v, "dumps", V_U64(W->dumps));
	view_json(v, "dump_errors", V_U64(W->dump_errors));
	view_json(v, "destroy_events", V_U64(W->destroy_events));
	view_json(v, "destroy_lost", V_U64(W->destroy_lost));
	view_json(v, "down_events", V_U64(W->S.downs));
	view_json(v, "up_events", V_U64(W->S.ups));
	view_json(v, "dataplane_updates", V_U64(W->dp_updates));
	view_json(v, "dataplane_errors", V_U64(W->dp_errors));
	view_json(v, "dataplane_applied_unix_ms",
		  W->dp_applied_ms ? V_I64(W->dp_applied_ms) : V_NULL());
	view_json(v, "dataplane_in_sync",
		  V_BOOL(W->dp_known && !W->dp_in_flight));
	if (W->last_error[0] != '\0')
		view_json(v, "last_error", V_STR(W->last_error));
	if (!W->enabled) {
		view_text(v,
			  "sessions: not watched (no kernel-routes block)\n");
	} else {
		char a[32];

		ago(now, W->last_dump_ms, a, sizeof(a));
		view_text(v,
			  "sessions: TCP port %u to the members' next hops, "
			  "dumped every %u ms%s; session-loss %s\n"
			  "  %" PRIu64 " dumps (last %s), %" PRIu64
			  " errors, %" PRIu64 " destroy events; %u up, %u "
			  "down, %u untracked\n"
			  "  %" PRIu64 " down events, %" PRIu64
			  " up again; dataplane %s (%" PRIu64 " updates, "
			  "%" PRIu64 " errors)\n",
			  SW_BGP_PORT, W->poll_ms,
			  W->mfd >= 0 ? " and on destroy notifications" : "",
			  W->withdraw ? "withdraw" : "keep", W->dumps, a,
			  W->dump_errors, W->destroy_events, counts[SW_UP],
			  counts[SW_DOWN], counts[SW_UNTRACKED], W->S.downs,
			  W->S.ups,
			  W->dp_unsupported ? "without PEER_DOWN"
			  : W->dp_known && !W->dp_in_flight ? "in sync"
							    : "being updated",
			  W->dp_updates, W->dp_errors);
		if (W->last_error[0] != '\0')
			view_text(v, "  last error: %s\n", W->last_error);
	}
	t = view_table(v, "sessions", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (unsigned i = 0; i < W->S.n; i++)
		for (unsigned f = 0; f < 2; f++) {
			const struct sw_member *m = &W->S.m[i];
			const struct sw_family *x = &m->fam[f];
			char a[INET6_ADDRSTRLEN], when[32];

			if (!m->has[f])
				continue;
			addr_str(f, m->addr[f], a, sizeof(a));
			ago(now, x->since_ms, when, sizeof(when));
			vt_row(t);
			vt_set(t, 0, V_STR(m->name));
			vt_set(t, 1, V_STR(f == 0 ? "ipv4" : "ipv6"));
			vt_set(t, 2, V_STR(a));
			vt_set(t, 3, V_STR(sw_state_name(x->state)));
			vt_set(t, 4, V_U64(x->sessions));
			vt_set(t, 5, V_STR(when));
			vt_set(t, 6,
			       x->since_ms ? V_I64(x->since_ms) : V_NULL());
			vt_set(t, 7, V_U64(x->downs));
			vt_set(t, 8, V_U64(x->ups));
		}
	return 0;
}

void
session_watch_stats(const struct session_watch *W, struct sw_stats *out)
{
	unsigned counts[3];

	memset(out, 0, sizeof(*out));
	if (W == NULL)
		return;
	sessions_counts(&W->S, counts);
	out->enabled = W->enabled;
	out->withdraw = W->withdraw;
	out->dumps = W->dumps;
	out->dump_errors = W->dump_errors;
	out->destroy_events = W->destroy_events;
	out->downs = W->S.downs;
	out->ups = W->S.ups;
	out->tracked_up = counts[SW_UP];
	out->down = counts[SW_DOWN];
	out->untracked = counts[SW_UNTRACKED];
	out->dp_updates = W->dp_updates;
	out->dp_errors = W->dp_errors;
}
