/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_api_server.c - the dataplane's API server against a real runtime
 * (tables of tests/integration/configs/telemetry.conf, counters region):
 * the guarantees of issue 13 items 7, 10 and 11, each with the clients
 * that broke them.
 *   - A transaction whose client has gone is not published (item 7).
 *   - The counters memfd a client gets at HELLO cannot be written, by
 *     mapping or by write(2), even reopened read-write through /proc;
 *     the workers' own mapping still writes (item 11).
 *   - An idle client cannot keep the API from the next one (item 11).
 *   - With --api-group, the socket and the directories made for it belong
 *     to the group; its members get in (primary or supplementary group),
 *     others are refused and logged with pid, uid and why (item 10).
 *   - A path that is not a socket is never unlinked (item 10).
 * The server's log (stderr) is captured into a file and checked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api_server.h"
#include "counters.h"
#include "dp_test_util.h"
#include "ixg_conf.h"
#include "ixg_wire.h"
#include "neigh.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

#define TEST_GID 4242 /* a group number no account here uses */
#define NOBODY 65534
#define MAX_LOOPS 400 /* service rounds of 25 ms: 10 s at most */

static struct runtime rt;
static char dir[64];
static char logpath[96];

/* stderr into logpath from here on (the server logs there). */
static void
log_capture(void)
{
	int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		abort();
	close(fd);
}

/* Whether the captured log holds `what`. */
static bool
log_has(const char *what)
{
	static char buf[1 << 16];
	FILE *f = fopen(logpath, "r");
	size_t n;

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

static int
setup(void **state)
{
	const char *conf = IXG_SRC_DIR "/tests/integration/configs/"
				       "telemetry.conf";
	struct ixg_spec spec;
	char err[256];

	(void)state;
	dp_test_eal_init("t_api_server", 0);
	snprintf(dir, sizeof(dir), "/tmp/t_api_server_%d", (int)getpid());
	snprintf(logpath, sizeof(logpath), "%s.log", dir);
	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load(conf, &spec, stderr) < 0)
		return -1;
	rt.counters_fd = rt.counters_ro_fd = -1;
	rt.n_workers = 1;
	pthread_mutex_init(&rt.spec_lock, NULL);
	rt.spec = malloc(sizeof(*rt.spec));
	rt.conf_ports = malloc(spec.n_ports * sizeof(*rt.conf_ports) + 1);
	if (rt.spec == NULL || rt.conf_ports == NULL)
		return -1;
	memcpy(rt.conf_ports, spec.ports, spec.n_ports * sizeof(*spec.ports));
	rt.n_conf_ports = spec.n_ports;
	*rt.spec = spec;
	if (counters_create(&rt, 2) < 0 ||
	    tables_publish(&rt, err, sizeof(err)) < 0)
		return -1;
	log_capture();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tables_free(rt.tables);
	rt.tables = NULL;
	counters_destroy(&rt);
	runtime_spec_free(&rt);
	if (getenv("KEEP_LOG") == NULL)
		unlink(logpath);
	return 0;
}

/* ---- messages -------------------------------------------------------- */

static void
msg_hdr(void *m, enum ixg_msg_type type, uint32_t seq)
{
	ixg_msg_init(m, type, (uint32_t)ixg_msg_size(type), seq);
}

/* Hand one request to the connection (no socket), the reply in out. */
static void
handle(struct api_conn *c, enum ixg_msg_type type, struct api_reply *out)
{
	uint8_t m[IXG_MSG_MAX] = {0};

	msg_hdr(m, type, 7);
	api_handle(c, m, ixg_msg_size(type), -1, out);
}

static int
reply_status(const struct api_reply *out)
{
	struct ixg_msg_hdr h;

	memcpy(&h, out->buf, sizeof(h));
	if (h.type == IXG_MSG_COMMIT_REPLY)
		return ((const struct ixg_msg_commit_reply *)out->buf)->status;
	if (h.type == IXG_MSG_HELLO_REPLY)
		return ((const struct ixg_msg_hello_reply *)out->buf)->status;
	return ((const struct ixg_msg_reply *)out->buf)->status;
}

/* ---- ids given again start from zero ----------------------------------- */

/* A member that takes the id of one removed earlier does not inherit its
 * counters (nor its member pairs); a member that stays keeps its own, and
 * a removed member's counts stay readable until its id is given again. A
 * pair slot is also its peers' rx and tx (IXG_CTR_PEER): the slot of the
 * staying member and the new id is flagged, its counts left in the
 * staying member's rx, which never goes back. */
static uint64_t
peer_shown(unsigned f, uint16_t id)
{
	const struct ixg_lcore_counters *blk[8];
	struct ixg_ctr_src src = {.blocks = blk, .n_blocks = rt.n_blocks};

	assert_true(rt.n_blocks <= 8);
	for (unsigned b = 0; b < rt.n_blocks; b++)
		blk[b] = &rt.counters[b];
	return ixg_ctr_value(&src, f, id, 0);
}

static void
test_fresh_ids_zeroed(void **state)
{
	struct ixg_spec *cur = rt.spec, without = *cur;
	uint16_t gone = cur->peers[cur->n_peers - 1].id;
	uint16_t kept = cur->peers[0].id;
	uint32_t pair_gone = 0, pair_kept = 0, key;
	char err[256];

	(void)state;
	assert_true(cur->n_peers >= 2);
	without.n_peers = cur->n_peers - 1;
	for (unsigned b = 0; b < rt.n_blocks; b++) {
		rt.counters[b].peer[gone].rx.packets = 5;
		rt.counters[b].peer[kept].rx.packets = 7;
	}
	/* Two pair slots of block 0: one with the member that goes. */
	key = (uint32_t)kept << 16 | gone;
	pair_gone = key & (IXG_PEER_PAIR_SLOTS - 1);
	rt.counters[0].peer_pair[pair_gone].key = key;
	rt.counters[0].peer_pair[pair_gone].pb.packets = 11;
	key = (uint32_t)kept << 16 | kept;
	pair_kept = (key & (IXG_PEER_PAIR_SLOTS - 1)) ^ 1;
	rt.counters[0].peer_pair[pair_kept].key = key;
	rt.counters[0].peer_pair[pair_kept].pb.packets = 13;

	assert_int_equal(peer_shown(IXG_CF_peer_received_packets_total, kept),
			 7 * rt.n_blocks + 11 + 13);
	assert_int_equal(peer_shown(IXG_CF_peer_received_packets_total, gone),
			 5 * rt.n_blocks);
	assert_int_equal(
		peer_shown(IXG_CF_peer_transmitted_packets_total, gone), 11);

	/* The member leaves: its counts stay; a commit that changes no id
	 * zeroes nothing (runtime_publish calls counters_zero_new_ids). */
	counters_zero_new_ids(&rt, &without, cur);
	assert_int_equal(rt.counters[1].peer[gone].rx.packets, 5);
	assert_int_equal(rt.counters[0].peer_pair[pair_gone].pb.packets, 11);
	assert_int_equal(
		runtime_publish(&rt, cur, err, sizeof(err), NULL, NULL), 0);
	assert_int_equal(rt.counters[1].peer[gone].rx.packets, 5);

	/* A member comes in at that id: from zero, in every block. */
	counters_zero_new_ids(&rt, cur, &without);
	for (unsigned b = 0; b < rt.n_blocks; b++) {
		assert_int_equal(rt.counters[b].peer[gone].rx.packets, 0);
		assert_int_equal(rt.counters[b].peer[kept].rx.packets, 7);
	}
	/* Chains intact: a key stays, flagged on the new id's side. */
	assert_int_equal(rt.counters[0].peer_pair[pair_gone].key,
			 ((uint32_t)kept << 16 | gone) | IXG_PEER_PAIR_NO_OUT);
	assert_int_equal(rt.counters[0].peer_pair[pair_gone].pb.packets, 11);
	assert_int_equal(rt.counters[0].peer_pair[pair_kept].pb.packets, 13);
	assert_int_equal(peer_shown(IXG_CF_peer_received_packets_total, kept),
			 7 * rt.n_blocks + 11 + 13);
	assert_int_equal(peer_shown(IXG_CF_peer_received_packets_total, gone),
			 0);
	assert_int_equal(
		peer_shown(IXG_CF_peer_transmitted_packets_total, gone), 0);
	memset(rt.counters, 0, rt.n_blocks * sizeof(*rt.counters));
}

/* Blackhole ids name a prefix: an id that names another prefix in the
 * new spec (or none before) starts from zero, with its slots by member;
 * an id that keeps its prefix keeps its counts. */
static void
test_fresh_blackhole_ids_zeroed(void **state)
{
	struct ixg_spec a = *rt.spec, b = *rt.spec;
	struct ixg_spec_blackhole ha[2] = {{.family = 4, .len = 24, .id = 0},
					   {.family = 4, .len = 24, .id = 1}};
	struct ixg_spec_blackhole hb[2];
	uint16_t peer = rt.spec->peers[0].id;

	(void)state;
	ha[0].addr[0] = 10; /* 10.0.0.0/24: id 0 */
	ha[1].addr[0] = 11; /* 11.0.0.0/24: id 1 */
	hb[0] = ha[1];
	hb[1] = ha[0];
	hb[1].addr[0] = 12; /* 12.0.0.0/24 takes id 0 */
	a.blackholes = ha;
	a.n_blackholes = 2;
	b.blackholes = hb;
	b.n_blackholes = 2;
	for (unsigned k = 0; k < rt.n_blocks; k++) {
		struct ixg_lcore_counters *c = &rt.counters[k];

		c->blackhole[0] = (struct ixg_ctr_pb){5, 500};
		c->blackhole[1] = (struct ixg_ctr_pb){7, 700};
		c->blackhole_peer[3].key = IXG_BH_PEER_KEY(0, peer);
		c->blackhole_peer[3].pb = (struct ixg_ctr_pb){5, 500};
		c->blackhole_peer[4].key = IXG_BH_PEER_KEY(1, peer);
		c->blackhole_peer[4].pb = (struct ixg_ctr_pb){7, 700};
	}
	/* the same blackholes in another order: nothing moves */
	counters_zero_new_ids(&rt, &a, &a);
	assert_int_equal(rt.counters[0].blackhole[0].packets, 5);
	counters_zero_new_ids(&rt, &b, &a);
	for (unsigned k = 0; k < rt.n_blocks; k++) {
		const struct ixg_lcore_counters *c = &rt.counters[k];

		assert_int_equal(c->blackhole[0].packets, 0);
		assert_int_equal(c->blackhole[0].bytes, 0);
		assert_int_equal(c->blackhole[1].packets, 7);
		assert_int_equal(c->blackhole_peer[3].key,
				 IXG_BH_PEER_KEY(0, peer)); /* chains intact */
		assert_int_equal(c->blackhole_peer[3].pb.packets, 0);
		assert_int_equal(c->blackhole_peer[4].pb.packets, 7);
	}
	memset(rt.counters, 0, rt.n_blocks * sizeof(*rt.counters));
}

/* ACL rule ids: a rule the running spec has keeps its hits whatever its
 * place in the list; an id it lacks starts from zero, in every block, at
 * both ends of the id range. */
static void
test_fresh_acl_ids_zeroed(void **state)
{
	struct ixg_spec a = *rt.spec, b = *rt.spec;
	struct ixg_spec_acl_rule ra[3], rb[3];
	const uint32_t ids_a[3] = {1, 7, 300}, ids_b[3] = {300, 1, 65535};

	(void)state;
	memset(ra, 0, sizeof(ra));
	memset(rb, 0, sizeof(rb));
	for (unsigned i = 0; i < 3; i++) {
		ra[i].id = ids_a[i];
		rb[i].id = ids_b[i];
	}
	a.acl_rules = ra;
	a.n_acl_rules = 3;
	b.acl_rules = rb;
	b.n_acl_rules = 3;
	for (unsigned k = 0; k < rt.n_blocks; k++) {
		rt.counters[k].acl_hits[1] = 5;
		rt.counters[k].acl_hits[7] = 6;
		rt.counters[k].acl_hits[300] = 7;
		rt.counters[k].acl_hits[65535] = 8; /* a rule removed earlier */
	}
	counters_zero_new_ids(&rt, &b, &a);
	for (unsigned k = 0; k < rt.n_blocks; k++) {
		assert_int_equal(rt.counters[k].acl_hits[1], 5);
		assert_int_equal(rt.counters[k].acl_hits[7],
				 6); /* gone: kept */
		assert_int_equal(rt.counters[k].acl_hits[300], 7);
		assert_int_equal(rt.counters[k].acl_hits[65535], 0);
	}
	memset(rt.counters, 0, rt.n_blocks * sizeof(*rt.counters));
}

/* ---- item 7 ------------------------------------------------------------ */

static void
test_commit_client_gone(void **state)
{
	static struct api_reply out;
	uint64_t gen = runtime_generation(&rt);
	struct api_conn c;
	int sv[2];

	(void)state;
	/* The client sent its commit, then went (a timeout, a kill): the
	 * socket still holds what it sent. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	api_conn_init(&c, &rt);
	c.peer_fd = sv[0];
	c.peer_pid = 4321;
	handle(&c, IXG_MSG_TXN_BEGIN, &out);
	assert_int_equal(reply_status(&out), IXG_ST_OK);
	close(sv[1]);
	handle(&c, IXG_MSG_TXN_COMMIT, &out);
	assert_int_not_equal(reply_status(&out), IXG_ST_OK);
	assert_int_equal(runtime_generation(&rt), gen);
	assert_false(c.txn_open);
	fflush(stderr);
	assert_true(log_has("client pid 4321 gone before publish"));
	api_conn_reset(&c);
	close(sv[0]);

	/* The same with the client there: published. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	api_conn_init(&c, &rt);
	c.peer_fd = sv[0];
	handle(&c, IXG_MSG_TXN_BEGIN, &out);
	handle(&c, IXG_MSG_TXN_COMMIT, &out);
	assert_int_equal(reply_status(&out), IXG_ST_OK);
	assert_int_equal(runtime_generation(&rt), gen + 1);
	api_conn_reset(&c);
	close(sv[0]);
	close(sv[1]);
}

/* ---- route deltas (TXN_DELTA) ---------------------------------------- */

/* Send a TXN_DELTA of routes4 with the given edits; the reply status. */
static int
send_delta4(struct api_conn *c, uint64_t base_gen, uint64_t base_count,
	    const struct ixg_delta_route4 *e, uint64_t n, struct api_reply *out)
{
	struct ixg_msg_txn_delta m;
	int fd = -1;

	if (n > 0)
		assert_int_equal(ixg_delta_to_memfd(IXG_TBL_ROUTES4, e, n, &fd),
				 0);
	ixg_msg_txn_delta_init(&m, IXG_TBL_ROUTES4, base_gen, base_count, n, 9);
	api_handle(c, &m, sizeof(m), fd, out); /* takes fd */
	return reply_status(out);
}

/* A delta on the running routes4 goes live as a new generation with the
 * same lookups a full table would give; a stale one is refused, the
 * transaction fails whole and nothing changes. */
static void
test_route_delta(void **state)
{
	static struct api_reply out;
	struct ixg_delta_route4 e[2];
	uint64_t gen = runtime_generation(&rt);
	uint32_t n4 = rt.spec->n_routes4;
	uint16_t peer;
	struct api_conn c;

	(void)state;
	/* telemetry.conf: west announces 203.0.113.0/25, east .128/25 */
	assert_int_equal(n4, 2);
	assert_true(ixg_routes_unsorted(IXG_TBL_ROUTES4, rt.spec->routes4, n4) <
		    0);
	peer = rt.spec->routes4[0].peer_id;
	memset(e, 0, sizeof(e));
	e[0].op = IXG_DELTA_SET; /* a new prefix, before both */
	e[0].r.addr = dp_ip4("198.18.0.0");
	e[0].r.len = 15;
	e[0].r.peer_id = peer;
	e[1].op = IXG_DELTA_DEL;
	e[1].r.addr = dp_ip4("203.0.113.128");
	e[1].r.len = 25;

	api_conn_init(&c, &rt);
	/* outside a transaction */
	assert_int_equal(send_delta4(&c, gen, n4, e, 2, &out), IXG_ST_NO_TXN);
	/* a stale base: refused, and the commit with it */
	handle(&c, IXG_MSG_TXN_BEGIN, &out);
	assert_int_equal(reply_status(&out), IXG_ST_OK);
	assert_int_equal(send_delta4(&c, gen - 1, n4, e, 2, &out),
			 IXG_ST_STALE);
	assert_non_null(strstr(
		((const struct ixg_msg_reply *)(const void *)out.buf)->message,
		"base_generation"));
	handle(&c, IXG_MSG_TXN_COMMIT, &out);
	assert_int_equal(reply_status(&out), IXG_ST_STALE);
	assert_int_equal(runtime_generation(&rt), gen);
	assert_int_equal(rt.spec->n_routes4, 2);
	/* a bad edit names itself; nothing changes */
	handle(&c, IXG_MSG_TXN_BEGIN, &out);
	e[1].r.len = 24;
	assert_int_equal(send_delta4(&c, gen, n4, e, 2, &out), IXG_ST_INVALID);
	assert_non_null(strstr(
		((const struct ixg_msg_reply *)(const void *)out.buf)->message,
		"edit 1"));
	handle(&c, IXG_MSG_TXN_ABORT, &out);
	e[1].r.len = 25;
	/* the good one */
	handle(&c, IXG_MSG_TXN_BEGIN, &out);
	assert_int_equal(send_delta4(&c, gen, n4, e, 2, &out), IXG_ST_OK);
	handle(&c, IXG_MSG_TXN_COMMIT, &out);
	assert_int_equal(reply_status(&out), IXG_ST_OK);
	assert_int_equal(runtime_generation(&rt), gen + 1);
	assert_int_equal(rt.spec->n_routes4, 2);
	assert_int_equal(rt.spec->routes4[0].addr, dp_ip4("198.18.0.0"));
	assert_int_equal(rt.spec->routes4[1].addr, dp_ip4("203.0.113.0"));
	assert_int_equal(dp_lookup4(rt.tables->route4, "198.19.1.1"), peer);
	assert_int_equal(dp_lookup4(rt.tables->route4, "203.0.113.1"), peer);
	assert_int_equal(dp_lookup4(rt.tables->route4, "203.0.113.200"),
			 NH_NONE);
	/* the next delta is based on the new generation */
	handle(&c, IXG_MSG_TXN_BEGIN, &out);
	e[0].op = IXG_DELTA_DEL;
	assert_int_equal(send_delta4(&c, gen, 2, e, 1, &out), IXG_ST_STALE);
	handle(&c, IXG_MSG_TXN_ABORT, &out);
	api_conn_reset(&c);
}

/* ---- item 11: counters ----------------------------------------------- */

static void
test_counters_read_only(void **state)
{
	static struct api_reply out;
	const struct ixg_msg_hello_reply *h;
	const struct ixg_lcore_counters *ro;
	struct api_conn c;
	char path[64];
	void *p;
	int fd, rw, seals;

	(void)state;
	api_conn_init(&c, &rt);
	handle(&c, IXG_MSG_HELLO, &out);
	h = (const void *)out.buf;
	assert_int_equal(h->status, IXG_ST_OK);
	fd = out.fd;
	assert_true(fd >= 0);
	assert_int_not_equal(fd, rt.counters_fd);

	/* Writable shared mappings and writes fail ... */
	p = mmap(NULL, h->counters_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	assert_true(p == MAP_FAILED);
	assert_true(write(fd, "x", 1) < 0);
	/* ... also through a read-write reopen: the seal holds. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rw = open(path, O_RDWR | O_CLOEXEC);
	if (rw >= 0) {
		p = mmap(NULL, h->counters_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, rw, 0);
		assert_true(p == MAP_FAILED);
		assert_int_equal(errno, EPERM);
		assert_true(pwrite(rw, "x", 1, 0) < 0);
		close(rw);
	}
	seals = fcntl(fd, F_GET_SEALS);
	assert_true(seals >= 0);
	assert_true(seals & F_SEAL_FUTURE_WRITE);
	assert_true(seals & F_SEAL_SHRINK);

	/* A read-only mapping sees what the workers write through theirs. */
	ro = mmap(NULL, h->counters_size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(ro != MAP_FAILED);
	rt.counters[0].rx_packets = 123456789;
	rt.counters[1].drops[IXG_DROP_NO_ROUTE] += 7;
	assert_int_equal(ro[0].rx_packets, 123456789);
	assert_int_equal(ro[1].drops[IXG_DROP_NO_ROUTE],
			 rt.counters[1].drops[IXG_DROP_NO_ROUTE]);
	munmap((void *)(uintptr_t)ro, h->counters_size);
	api_conn_reset(&c);
}

/* ---- the transport ------------------------------------------------------ */

static int
client_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One round of the dataplane's main loop: poll 25 ms, serve. */
static void
serve_round(struct api_server *s)
{
	struct pollfd pfd[2];
	unsigned n = api_server_pollfds(s, pfd);

	poll(pfd, n, 25);
	api_server_service(s, pfd, n);
}

/* Serve until fd has something to read (or EOF); false if it never
 * does within MAX_LOOPS rounds. */
static bool
serve_until_readable(struct api_server *s, int fd)
{
	for (unsigned i = 0; i < MAX_LOOPS; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		serve_round(s);
		if (poll(&p, 1, 0) > 0)
			return true;
	}
	return false;
}

/* Send a request of `type` and serve until its reply; the reply's type
 * (0: the connection was closed instead). */
static int
request(struct api_server *s, int fd, enum ixg_msg_type type)
{
	uint8_t m[IXG_MSG_MAX] = {0};
	struct ixg_msg_hdr h;
	int rfd = -1;
	ssize_t n;

	msg_hdr(m, type, 9);
	if (ixg_send(fd, m, ixg_msg_size(type), -1) < 0)
		return 0;
	if (!serve_until_readable(s, fd))
		return -1;
	n = ixg_recv(fd, m, sizeof(m), &rfd);
	if (rfd >= 0)
		close(rfd);
	if (n < (ssize_t)sizeof(h))
		return 0;
	memcpy(&h, m, sizeof(h));
	if (h.type == IXG_MSG_REPLY &&
	    ((struct ixg_msg_reply *)(void *)m)->status == IXG_ST_BUSY)
		return -IXG_ST_BUSY;
	return h.type;
}

/* Whether the server closed fd (EOF), serving until it does. */
static bool
closed_by_server(struct api_server *s, int fd)
{
	uint8_t m[IXG_MSG_MAX];

	if (!serve_until_readable(s, fd))
		return false;
	return ixg_recv(fd, m, sizeof(m), NULL) <= 0;
}

static struct api_server *
server(const struct api_server_opts *o)
{
	struct api_server *s = api_server_create(&rt, o);

	assert_non_null(s);
	return s;
}

static void
test_idle_timeout(void **state)
{
	char path[128];
	struct api_server_opts o = {.path = path, .idle_timeout_s = 1};
	struct api_server *s;
	int a, b, c, d;

	(void)state;
	snprintf(path, sizeof(path), "%s/idle.sock", dir);
	s = server(&o);

	/* A client that never says HELLO is disconnected. */
	a = client_connect(path);
	assert_true(a >= 0);
	assert_true(closed_by_server(s, a));
	close(a);
	fflush(stderr);
	assert_true(log_has("without a hello: disconnected"));

	/* One that said HELLO keeps the API while another is refused... */
	b = client_connect(path);
	assert_int_equal(request(s, b, IXG_MSG_HELLO), IXG_MSG_HELLO_REPLY);
	c = client_connect(path);
	assert_int_equal(request(s, c, IXG_MSG_GET_STATE), -IXG_ST_BUSY);
	close(c);
	/* ... until it has been idle for the timeout: then the next client
	 * gets the API, and the idle one is let go. */
	for (unsigned i = 0; i < MAX_LOOPS; i++) {
		d = client_connect(path);
		assert_true(d >= 0);
		if (request(s, d, IXG_MSG_HELLO) == IXG_MSG_HELLO_REPLY)
			break;
		close(d);
		d = -1;
		serve_round(s); /* 25 ms of the main loop */
	}
	assert_true(d >= 0);
	assert_true(closed_by_server(s, b));
	fflush(stderr);
	assert_true(log_has("gives the API to pid"));
	assert_int_equal(request(s, d, IXG_MSG_GET_STATE), IXG_MSG_STATE);
	close(b);
	close(d);
	api_server_destroy(s);
}

/* A child that connects as uid/gid/groups and asks GET_STATE; it exits
 * 0 if answered, 1 if refused (closed), 2 on a local failure. */
static pid_t
spawn_client(const char *path, uid_t uid, gid_t gid, gid_t extra)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	{
		gid_t groups[1] = {extra};
		uint8_t m[IXG_MSG_MAX] = {0};
		int fd;

		if (setgroups(extra ? 1 : 0, groups) < 0 || setgid(gid) < 0 ||
		    setuid(uid) < 0)
			_exit(2);
		fd = client_connect(path);
		if (fd < 0)
			_exit(2);
		msg_hdr(m, IXG_MSG_GET_STATE, 1);
		if (ixg_send(fd, m, ixg_msg_size(IXG_MSG_GET_STATE), -1) < 0)
			_exit(1);
		_exit(ixg_recv(fd, m, sizeof(m), NULL) >=
				      (ssize_t)ixg_msg_size(IXG_MSG_STATE)
			      ? 0
			      : 1);
	}
}

/* Serve until the child exits; its exit status (-1: it never did). */
static int
serve_child(struct api_server *s, pid_t pid)
{
	for (unsigned i = 0; i < MAX_LOOPS; i++) {
		int st;

		serve_round(s);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void
test_api_group(void **state)
{
	char sub[96], path[128];
	struct api_server_opts o = {.path = path,
				    .group_set = true,
				    .gid = TEST_GID,
				    .group_name = "ixg-test",
				    .idle_timeout_s = 60};
	struct api_server *s;
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(chmod(dir, 0755), 0); /* made 0700 by a test above */
	snprintf(sub, sizeof(sub), "%s/grp", dir);
	snprintf(path, sizeof(path), "%s/api.sock", sub);
	s = server(&o);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(st.st_gid, TEST_GID);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(st.st_gid, TEST_GID);

	/* Members get in, by primary or supplementary group. */
	assert_int_equal(
		serve_child(s, spawn_client(path, NOBODY, TEST_GID, 0)), 0);
	assert_int_equal(
		serve_child(s, spawn_client(path, NOBODY, NOBODY, TEST_GID)),
		0);
	/* Others cannot reach the socket through the 0750 directory; let
	 * one reach it to see the credential check refuse and log it. */
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(serve_child(s, spawn_client(path, NOBODY, NOBODY, 0)),
			 1);
	fflush(stderr);
	assert_true(log_has("API: refused pid "));
	assert_true(log_has("uid 65534 gid 65534: neither root, the "
			    "dataplane's uid 0 nor in group ixg-test "
			    "(gid 4242)"));
	api_server_destroy(s);

	/* Without a group, the same client is refused and told why. */
	o.group_set = false;
	s = server(&o);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(
		serve_child(s, spawn_client(path, NOBODY, TEST_GID, 0)), 1);
	fflush(stderr);
	assert_true(log_has("gid 4242: neither root nor the dataplane's "
			    "uid 0"));
	api_server_destroy(s);
	rmdir(sub);
}

static void
test_no_unlink_of_a_file(void **state)
{
	char path[128];
	struct api_server_opts o = {.path = path};
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/not-a-socket", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	errno = 0;
	assert_null(api_server_create(&rt, &o));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	fflush(stderr);
	assert_true(log_has("exists and is not a socket"));
	unlink(path);
}

static int
cleanup_dir(void **state)
{
	(void)state;
	rmdir(dir);
	return 0;
}

/* GET_LLADDRS: the wanted gateways reach the neighbour table, a page of
 * the learned pairs comes back (from `start`), a bad n_want is refused
 * and changes nothing. */
static void
test_get_lladdrs(void **state)
{
	static struct api_reply out;
	static struct ixg_msg_get_lladdrs m;
	const struct ixg_msg_lladdrs *r = (const void *)out.buf;
	uint16_t peer = rt.spec->peers[0].id;
	const struct tbl_peer *tp = &rt.tables->peers[peer];
	struct neigh_obs o;
	struct api_conn c;
	uint64_t gen;

	(void)state;
	rt.neigh = neigh_create(0, NULL, NULL);
	assert_non_null(rt.neigh);
	neigh_apply(rt.neigh, rt.tables, 0);
	memset(&o, 0, sizeof(o));
	o.family = 6;
	o.kind = NEIGH_OBS_HINT;
	o.in_peer = peer;
	o.port = tp->port_id;
	o.vlan = tp->vlan;
	o.outer_vlan = tp->outer_vlan;
	memcpy(o.mac, "\x02\x00\x00\x00\x77\x01", 6);
	memcpy(o.src, o.mac, 6);
	assert_int_equal(inet_pton(AF_INET6, "fe80::5", o.addr), 1);
	assert_true(neigh_input(rt.neigh, &o, 1));

	api_conn_init(&c, &rt);
	m.start = 0;
	m.n_want = 1;
	assert_int_equal(inet_pton(AF_INET6, "fe80::5", m.want[0]), 1);
	ixg_msg_init(&m.hdr, IXG_MSG_GET_LLADDRS, sizeof(m), 9);
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(out.len, sizeof(*r));
	assert_int_equal(r->hdr.type, IXG_MSG_LLADDRS);
	assert_int_equal(r->hdr.seq, 9);
	assert_int_equal(r->status, IXG_ST_OK);
	assert_int_equal(r->total, 1);
	assert_int_equal(r->count, 1);
	assert_int_not_equal(r->generation, 0);
	assert_int_equal(r->e[0].peer, peer);
	assert_memory_equal(r->e[0].addr, o.addr, 16);
	assert_memory_equal(r->e[0].mac, o.mac, 6);
	assert_int_equal(r->e[0].wanted, 1);
	gen = r->generation;
	/* The next page: empty. */
	m.start = 1;
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(r->status, IXG_ST_OK);
	assert_int_equal(r->total, 1);
	assert_int_equal(r->count, 0);
	assert_int_equal(r->generation, gen);
	/* Too many wanted: refused, the last list kept. */
	m.start = 0;
	m.n_want = IXG_LLADDR_WANT_MAX + 1;
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(reply_status(&out), IXG_ST_BAD_MESSAGE);
	m.n_want = 0;
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(r->status, IXG_ST_OK);
	assert_int_equal(r->e[0].wanted, 0);
	api_conn_reset(&c);
	neigh_destroy(rt.neigh);
	rt.neigh = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_ids_zeroed),
		cmocka_unit_test(test_get_lladdrs),
		cmocka_unit_test(test_fresh_blackhole_ids_zeroed),
		cmocka_unit_test(test_fresh_acl_ids_zeroed),
		cmocka_unit_test(test_commit_client_gone),
		cmocka_unit_test(test_route_delta),
		cmocka_unit_test(test_counters_read_only),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_api_group),
		cmocka_unit_test_teardown(test_no_unlink_of_a_file,
					  cleanup_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
