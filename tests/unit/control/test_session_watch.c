/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The members' BGP sessions (control/daemon/session_watch.c): the
 * sock_diag parser on crafted messages, good and malformed (each refused
 * with a message naming it, the dump thrown away and the state
 * unchanged); the state machine (untracked, up, down, up again; what
 * counts as a session; a member whose address changed starts over); and,
 * as root in a network namespace of its own, the real kernel: the
 * filtered dump finds a TCP session on port 179 while it is ESTABLISHED
 * and not once either end closed it, and says when the destroy
 * notification comes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "session_watch.h"

/* ---- crafted messages ---------------------------------------------- */

struct dgram {
	uint8_t b[4096];
	size_t n;
};

static void
add_sock(struct dgram *d, uint32_t seq, int family, uint8_t state,
	 const char *laddr, uint16_t lport, const char *raddr, uint16_t rport)
{
	struct nlmsghdr h = {0};
	struct inet_diag_msg m;

	memset(&m, 0, sizeof(m));
	h.nlmsg_len = NLMSG_LENGTH(sizeof(m));
	h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h.nlmsg_seq = seq;
	m.idiag_family = (uint8_t)family;
	m.idiag_state = state;
	m.id.idiag_sport = htons(lport);
	m.id.idiag_dport = htons(rport);
	assert_int_equal(inet_pton(family, laddr, m.id.idiag_src), 1);
	assert_int_equal(inet_pton(family, raddr, m.id.idiag_dst), 1);
	memcpy(d->b + d->n, &h, sizeof(h));
	memcpy(d->b + d->n + NLMSG_HDRLEN, &m, sizeof(m));
	d->n += NLMSG_ALIGN(h.nlmsg_len);
}

static void
add_done(struct dgram *d, uint32_t seq)
{
	struct nlmsghdr h = {0};

	h.nlmsg_len = NLMSG_LENGTH(4);
	h.nlmsg_type = NLMSG_DONE;
	h.nlmsg_seq = seq;
	memcpy(d->b + d->n, &h, sizeof(h));
	memset(d->b + d->n + NLMSG_HDRLEN, 0, 4);
	d->n += NLMSG_ALIGN(h.nlmsg_len);
}

struct got {
	struct sw_sock s[8];
	unsigned n;
};

static void
collect(void *arg, const struct sw_sock *s)
{
	struct got *g = arg;

	if (g->n < 8)
		g->s[g->n] = *s;
	g->n++;
}

static void
test_parse_good(void **state)
{
	struct dgram d = {.n = 0};
	struct got g = {.n = 0};
	char err[256] = "";
	uint8_t want[16] = {0};

	(void)state;
	add_sock(&d, 7, AF_INET, TCP_ESTABLISHED, "198.51.100.1", 179,
		 "198.51.100.11", 40001);
	/* an IPv4 session on a dual-stack socket: IPv4 */
	add_sock(&d, 7, AF_INET6, TCP_ESTABLISHED, "::ffff:198.51.100.1", 50000,
		 "::ffff:198.51.100.12", 179);
	add_sock(&d, 7, AF_INET6, TCP_CLOSE_WAIT, "2001:db8::1", 179,
		 "2001:db8::11", 40002);
	/* an answer to another request: skipped */
	add_sock(&d, 6, AF_INET, TCP_ESTABLISHED, "10.0.0.1", 179, "10.0.0.2",
		 1);
	assert_int_equal(sw_parse(d.b, d.n, 7, collect, &g, err, sizeof(err)),
			 SW_PARSE_MORE);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.s[0].family, 4);
	assert_int_equal(g.s[0].lport, 179);
	assert_int_equal(g.s[0].rport, 40001);
	inet_pton(AF_INET, "198.51.100.11", want);
	assert_memory_equal(g.s[0].raddr, want, 16);
	assert_int_equal(g.s[1].family, 4);
	inet_pton(AF_INET, "198.51.100.12", want);
	assert_memory_equal(g.s[1].raddr, want, 16);
	assert_int_equal(g.s[1].rport, 179);
	assert_int_equal(g.s[2].family, 6);
	assert_int_equal(g.s[2].state, TCP_CLOSE_WAIT);
	d.n = 0;
	add_done(&d, 7);
	assert_int_equal(sw_parse(d.b, d.n, 7, collect, &g, err, sizeof(err)),
			 SW_PARSE_DONE);
}

/* Each malformed datagram: an error and a message naming what. */
static void
test_parse_malformed(void **state)
{
	struct dgram d;
	struct got g;
	char err[256];
	struct nlmsghdr h;
	struct nlmsgerr e;

	(void)state;
	/* shorter than a header */
	memset(&d, 0, sizeof(d));
	d.n = 10;
	g.n = 0;
	assert_int_equal(sw_parse(d.b, d.n, 0, collect, &g, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "shorter than a netlink header"));

	/* a length past the datagram */
	memset(&d, 0, sizeof(d));
	add_sock(&d, 1, AF_INET, TCP_ESTABLISHED, "10.0.0.1", 179, "10.0.0.2",
		 1);
	memcpy(&h, d.b, sizeof(h));
	h.nlmsg_len = (uint32_t)d.n + 8;
	memcpy(d.b, &h, sizeof(h));
	assert_int_equal(sw_parse(d.b, d.n, 1, collect, &g, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "length"));

	/* a payload shorter than inet_diag_msg */
	memset(&d, 0, sizeof(d));
	h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(20),
			      .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			      .nlmsg_seq = 1};
	memcpy(d.b, &h, sizeof(h));
	d.n = NLMSG_ALIGN(h.nlmsg_len);
	assert_int_equal(sw_parse(d.b, d.n, 1, collect, &g, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "shorter than inet_diag_msg"));

	/* an unknown family */
	memset(&d, 0, sizeof(d));
	add_sock(&d, 1, AF_INET, TCP_ESTABLISHED, "10.0.0.1", 179, "10.0.0.2",
		 1);
	d.b[NLMSG_HDRLEN] = 99; /* idiag_family */
	g.n = 0;
	assert_int_equal(sw_parse(d.b, d.n, 1, collect, &g, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "family 99"));
	assert_int_equal(g.n, 0);

	/* the kernel's refusal */
	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	e.error = -EPERM;
	h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof(e)),
			      .nlmsg_type = NLMSG_ERROR,
			      .nlmsg_seq = 1};
	memcpy(d.b, &h, sizeof(h));
	memcpy(d.b + NLMSG_HDRLEN, &e, sizeof(e));
	d.n = NLMSG_ALIGN(h.nlmsg_len);
	assert_int_equal(sw_parse(d.b, d.n, 1, collect, &g, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "refused"));

	/* an NLMSG_ERROR too short for its code */
	h.nlmsg_len = NLMSG_LENGTH(2);
	memcpy(d.b, &h, sizeof(h));
	d.n = NLMSG_ALIGN(h.nlmsg_len);
	assert_int_equal(sw_parse(d.b, d.n, 1, collect, &g, err, sizeof(err)),
			 -EBADMSG);
}

/* The request: a dump of the family's ESTABLISHED TCP sockets, with the
 * port-179 bytecode. */
static void
test_request(void **state)
{
	uint8_t q[128];
	struct nlmsghdr h;
	struct inet_diag_req_v2 r;
	size_t n = sw_dump_request(q, 6, 42);

	(void)state;
	memcpy(&h, q, sizeof(h));
	memcpy(&r, q + NLMSG_HDRLEN, sizeof(r));
	assert_int_equal(h.nlmsg_len, n);
	assert_int_equal(h.nlmsg_seq, 42);
	assert_int_equal(h.nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_true(h.nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(r.sdiag_family, AF_INET6);
	assert_int_equal(r.sdiag_protocol, IPPROTO_TCP);
	assert_int_equal(r.idiag_states, 1u << TCP_ESTABLISHED);
}

/* ---- the state machine ----------------------------------------------- */

static struct ixg_spec_peer peers[3];

static void
spec_init(struct ixg_spec *s)
{
	memset(s, 0, sizeof(*s));
	memset(peers, 0, sizeof(peers));
	peers[0].id = 11;
	snprintf(peers[0].name, sizeof(peers[0].name), "viettel");
	peers[0].has_nh4 = peers[0].has_nh6 = 1;
	inet_pton(AF_INET, "198.51.100.11", peers[0].nh4);
	inet_pton(AF_INET6, "2001:db8::11", peers[0].nh6);
	peers[1].id = 12;
	snprintf(peers[1].name, sizeof(peers[1].name), "static-member");
	peers[1].has_nh4 = 1;
	inet_pton(AF_INET, "198.51.100.12", peers[1].nh4);
	peers[2].id = 13; /* no next hop: never a member here */
	s->peers = peers;
	s->n_peers = 3;
}

struct changes {
	unsigned n, last_from, last_to, last_family;
	uint16_t last_peer;
};

static void
note(void *arg, const struct sw_member *m, unsigned family, unsigned from,
     unsigned to)
{
	struct changes *c = arg;

	c->n++;
	c->last_peer = m->peer;
	c->last_family = family;
	c->last_from = from;
	c->last_to = to;
}

static struct sw_sock
sk(int family, uint8_t state, uint16_t lport, const char *raddr, uint16_t rport)
{
	struct sw_sock s;

	memset(&s, 0, sizeof(s));
	s.family = family == AF_INET ? 4 : 6;
	s.state = state;
	s.lport = lport;
	s.rport = rport;
	assert_int_equal(inet_pton(family, raddr, s.raddr), 1);
	return s;
}

static void
cycle(struct sessions *S, const struct sw_sock *socks, unsigned n,
      struct changes *c, int64_t now)
{
	sessions_begin(S);
	for (unsigned i = 0; i < n; i++)
		sessions_sock(S, &socks[i]);
	sessions_end(S, now, note, c);
}

static const struct sw_family *
fam(const struct sessions *S, uint16_t peer, unsigned f)
{
	for (unsigned i = 0; i < S->n; i++)
		if (S->m[i].peer == peer)
			return &S->m[i].fam[f];
	fail_msg("peer %u not a member", peer);
	return NULL;
}

static void
test_states(void **state)
{
	struct sessions S;
	struct ixg_spec s;
	struct changes c = {0};
	uint64_t down[2][IXG_MAX_PEERS / 64];
	struct sw_sock v4 = sk(AF_INET, TCP_ESTABLISHED, 179, "198.51.100.11",
			       40000);
	struct sw_sock v6 = sk(AF_INET6, TCP_ESTABLISHED, 41000, "2001:db8::11",
			       179);
	struct sw_sock noise[] = {
		/* not ESTABLISHED */
		sk(AF_INET, TCP_CLOSE_WAIT, 179, "198.51.100.11", 40001),
		sk(AF_INET, TCP_FIN_WAIT1, 179, "198.51.100.11", 40002),
		/* not port 179 */
		sk(AF_INET, TCP_ESTABLISHED, 22, "198.51.100.11", 40003),
		/* not a member's next hop */
		sk(AF_INET, TCP_ESTABLISHED, 179, "198.51.100.99", 40004),
		/* the IPv6 address on an IPv4 member: nothing */
		sk(AF_INET6, TCP_ESTABLISHED, 179, "2001:db8::12", 40005),
	};
	struct sw_sock both[] = {v4, v6};
	unsigned counts[3];

	(void)state;
	spec_init(&s);
	assert_int_equal(sessions_init(&S), 0);
	assert_int_equal(sessions_set_members(&S, &s), 0);
	assert_int_equal(S.n, 2);

	/* nothing seen: untracked, never down */
	cycle(&S, noise, 5, &c, 1000);
	assert_int_equal(c.n, 0);
	assert_int_equal(fam(&S, 11, 0)->state, SW_UNTRACKED);
	sessions_down_bits(&S, down);
	assert_int_equal(down[0][0] | down[1][0], 0);

	/* sessions ESTABLISHED: up, tracked */
	cycle(&S, both, 2, &c, 2000);
	assert_int_equal(c.n, 2);
	assert_int_equal(fam(&S, 11, 0)->state, SW_UP);
	assert_int_equal(fam(&S, 11, 1)->state, SW_UP);
	assert_int_equal(fam(&S, 11, 0)->sessions, 1);
	assert_int_equal(fam(&S, 11, 0)->since_ms, 2000);
	assert_int_equal(fam(&S, 12, 0)->state, SW_UNTRACKED);

	/* the IPv4 session left ESTABLISHED (only noise left): down, IPv6
	 * still up */
	c.n = 0;
	{
		struct sw_sock later[6];

		memcpy(later, noise, sizeof(noise));
		later[5] = v6;
		cycle(&S, later, 6, &c, 3000);
	}
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last_peer, 11);
	assert_int_equal(c.last_family, 0);
	assert_int_equal(c.last_from, SW_UP);
	assert_int_equal(c.last_to, SW_DOWN);
	assert_int_equal(fam(&S, 11, 0)->downs, 1);
	assert_int_equal(S.downs, 1);
	sessions_down_bits(&S, down);
	assert_int_equal(down[0][0], UINT64_C(1) << 11);
	assert_int_equal(down[1][0], 0);
	sessions_counts(&S, counts);
	assert_int_equal(counts[SW_DOWN], 1);
	assert_int_equal(counts[SW_UP], 1);
	assert_int_equal(counts[SW_UNTRACKED], 1);

	/* still nothing: stays down, no new change */
	c.n = 0;
	cycle(&S, &v6, 1, &c, 4000);
	assert_int_equal(c.n, 0);
	assert_int_equal(fam(&S, 11, 0)->since_ms, 3000);

	/* two sockets (a connection collision), then one: up, stays up */
	{
		struct sw_sock two[] = {v4, v4, v6};

		cycle(&S, two, 3, &c, 5000);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.last_to, SW_UP);
		assert_int_equal(fam(&S, 11, 0)->ups, 1);
		assert_int_equal(fam(&S, 11, 0)->sessions, 2);
		c.n = 0;
		cycle(&S, two + 1, 2, &c, 6000);
		assert_int_equal(c.n, 0);
	}
	sessions_down_bits(&S, down);
	assert_int_equal(down[0][0], 0);

	/* the member's IPv4 next hop changes: that family starts over
	 * (untracked), its IPv6 keeps its state */
	peers[0].nh4[3] = 21;
	assert_int_equal(sessions_set_members(&S, &s), 0);
	assert_int_equal(fam(&S, 11, 0)->state, SW_UNTRACKED);
	assert_int_equal(fam(&S, 11, 1)->state, SW_UP);
	/* a member gone: dropped */
	s.n_peers = 1;
	assert_int_equal(sessions_set_members(&S, &s), 0);
	assert_int_equal(S.n, 1);
	sessions_fini(&S);
}

/* ---- the real kernel --------------------------------------------------- */

static int
lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		close(fd);
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* One filtered dump of both families through the kernel into S's cycle:
 * the sockets seen (all port 179 and ESTABLISHED, by the filter). */
static unsigned
dump(int nl, struct sessions *S)
{
	static uint8_t buf[1 << 16];
	struct got g = {.n = 0};
	unsigned seen = 0;

	sessions_begin(S);
	for (unsigned fam4 = 4; fam4 <= 6; fam4 += 2) {
		uint8_t q[128];
		size_t n = sw_dump_request(q, fam4, fam4);
		char err[256];
		int rc = SW_PARSE_MORE;

		assert_int_equal(send(nl, q, n, 0), (ssize_t)n);
		for (int k = 0; k < 100 && rc == SW_PARSE_MORE; k++) {
			ssize_t r = recv(nl, buf, sizeof(buf), 0);

			assert_true(r > 0);
			g.n = 0;
			rc = sw_parse(buf, (size_t)r, fam4, collect, &g, err,
				      sizeof(err));
			if (rc < 0)
				fail_msg("%s", err);
			for (unsigned i = 0; i < g.n && i < 8; i++) {
				assert_int_equal(g.s[i].state, TCP_ESTABLISHED);
				assert_true(g.s[i].lport == 179 ||
					    g.s[i].rport == 179);
				sessions_sock(S, &g.s[i]);
			}
			seen += g.n;
		}
		assert_int_equal(rc, SW_PARSE_DONE);
	}
	return seen;
}

/* Destroy notifications waiting on fd (non-blocking): port-179 ones. */
static unsigned
destroys(int fd)
{
	static uint8_t buf[1 << 14];
	unsigned n = 0;

	for (;;) {
		struct got g = {.n = 0};
		char err[256];
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r <= 0)
			return n;
		if (sw_parse(buf, (size_t)r, 0, collect, &g, err, sizeof(err)) <
		    0)
			continue;
		for (unsigned i = 0; i < g.n && i < 8; i++)
			n += g.s[i].lport == 179 || g.s[i].rport == 179;
	}
}

static void
test_kernel(void **state)
{
	struct sessions S;
	struct ixg_spec s;
	struct changes c = {0};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(179)};
	int nl, mfd, lfd, cfd, afd, one = 1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = 1}; /* INET_TCP_DESTROY */
	unsigned d;

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || lo_up() < 0) {
		print_message("not root, or no network namespace: "
			      "skipped\n");
		skip();
	}
	spec_init(&s);
	inet_pton(AF_INET, "127.0.0.1", peers[0].nh4);
	assert_int_equal(sessions_init(&S), 0);
	assert_int_equal(sessions_set_members(&S, &s), 0);
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	assert_true(nl >= 0);
	mfd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	assert_true(mfd >= 0);
	if (bind(mfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		print_message("no destroy notifications: %s\n",
			      strerror(errno));
		close(mfd);
		mfd = -1;
	}

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);

	/* both ends ESTABLISHED, both to 127.0.0.1 (port 179 at one end) */
	d = dump(nl, &S);
	assert_int_equal(d, 2);
	sessions_end(&S, 1000, note, &c);
	{
		/* what a dump cycle (both families) costs, for the
		 * documentation: CPU time, not asserted */
		struct rusage r0, r1;
		double us;

		getrusage(RUSAGE_THREAD, &r0);
		for (int k = 0; k < 200; k++)
			dump(nl, &S);
		getrusage(RUSAGE_THREAD, &r1);
		us = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec +
			      r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) *
			     1e6 +
		     (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec +
			      r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
		print_message("a dump cycle of both families (2 sockets): "
			      "%.1f us of CPU (200 cycles)\n",
			      us / 200);
		sessions_end(&S, 1500, note, &c);
	}
	assert_int_equal(fam(&S, 11, 0)->state, SW_UP);
	assert_int_equal(fam(&S, 11, 0)->sessions, 2);

	/* the node's end closes (as the routing daemon does): it leaves
	 * ESTABLISHED at close(2); the other end is in CLOSE_WAIT */
	close(afd);
	d = dump(nl, &S);
	assert_int_equal(d, 0);
	sessions_end(&S, 2000, note, &c);
	assert_int_equal(fam(&S, 11, 0)->state, SW_DOWN);
	if (mfd >= 0) {
		/* the closed end's FIN was answered: Linux turns an orphan
		 * in FIN_WAIT2 into a timewait socket and destroys the full
		 * one at once (a member that answers nothing keeps it in
		 * FIN_WAIT1, retransmitting, for minutes: the dump is what
		 * says "left ESTABLISHED" then) */
		unsigned n = 0;

		for (int k = 0; k < 500 && n < 1; k++) {
			struct pollfd p = {.fd = mfd, .events = POLLIN};

			poll(&p, 1, 10);
			n += destroys(mfd);
		}
		print_message("destroy notifications after the close: %u\n", n);
		assert_int_equal(n, 1);
	}
	close(cfd);
	if (mfd >= 0) {
		/* the client's FIN answered: the orphan becomes a timewait
		 * socket and the full socket is destroyed */
		unsigned n = 0;

		for (int k = 0; k < 500 && n < 1; k++) {
			struct pollfd p = {.fd = mfd, .events = POLLIN};

			poll(&p, 1, 10);
			n += destroys(mfd);
		}
		print_message("destroy notifications once both ends "
			      "closed: %u\n",
			      n);
		assert_int_equal(n, 1);
		close(mfd);
	}
	close(lfd);
	close(nl);
	sessions_fini(&S);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
