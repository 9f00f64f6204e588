/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wire.c - the API codec (common/ixg_wire.c): every message through a
 * real SOCK_SEQPACKET socketpair, every malformed message and table with
 * its own status, descriptor passing and the closing of stray descriptors,
 * spec tables through sealed memfds. Plain C: no EAL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixg_api.h"
#include "ixg_conf.h"
#include "ixg_wire.h"

struct pair {
	int a, b;
};

static int
setup_pair(void **state)
{
	struct pair *p = malloc(sizeof(*p));
	int sv[2];

	if (p == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	p->a = sv[0];
	p->b = sv[1];
	*state = p;
	return 0;
}

static int
teardown_pair(void **state)
{
	struct pair *p = *state;

	close(p->a);
	close(p->b);
	free(p);
	return 0;
}

static unsigned
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own descriptor */
}

static int
small_memfd(const char *content)
{
	int fd = memfd_create("t", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	return fd;
}

/* ---- message framing ------------------------------------------------- */

static void
test_every_type_round_trips(void **state)
{
	struct pair *p = *state;

	for (unsigned t = IXG_MSG_HELLO; t < IXG_MSG_TYPE_MAX; t++) {
		size_t size = ixg_msg_size(t);
		uint8_t out[IXG_MSG_MAX], in[IXG_MSG_MAX];
		char err[IXG_WIRE_ERR_LEN];
		uint16_t type = 0;
		int rfd = 123;

		assert_true(size >= sizeof(struct ixg_msg_hdr));
		for (size_t i = 0; i < size; i++)
			out[i] = (uint8_t)(i * 7 + t);
		ixg_msg_init((struct ixg_msg_hdr *)out, (enum ixg_msg_type)t,
			     (uint32_t)size, 1000 + t);
		assert_int_equal(ixg_send(p->a, out, size, -1), 0);
		assert_int_equal(ixg_recv(p->b, in, sizeof(in), &rfd),
				 (ssize_t)size);
		assert_int_equal(rfd, -1);
		assert_memory_equal(in, out, size);
		assert_int_equal(
			ixg_msg_check(in, size, &type, err, sizeof(err)),
			IXG_ST_OK);
		assert_int_equal(type, t);
		assert_int_equal(((struct ixg_msg_hdr *)in)->seq, 1000 + t);
		assert_string_not_equal(ixg_msg_type_name(t), "unknown");
	}
	assert_int_equal(ixg_msg_size(0), 0);
	assert_int_equal(ixg_msg_size(IXG_MSG_TYPE_MAX), 0);
	assert_string_equal(ixg_msg_type_name(IXG_MSG_TXN_TABLE), "txn_table");
}

static void
test_exact_sizes(void **state)
{
	(void)state;
	assert_int_equal(ixg_msg_size(IXG_MSG_HELLO), 56);
	assert_int_equal(ixg_msg_size(IXG_MSG_HELLO_REPLY), 136);
	assert_int_equal(ixg_msg_size(IXG_MSG_REPLY), 280);
	assert_int_equal(ixg_msg_size(IXG_MSG_TXN_BEGIN), 56);
	assert_int_equal(ixg_msg_size(IXG_MSG_TXN_TABLE), 40);
	assert_int_equal(ixg_msg_size(IXG_MSG_TXN_COMMIT), 16);
	assert_int_equal(ixg_msg_size(IXG_MSG_COMMIT_REPLY), 320);
	assert_int_equal(ixg_msg_size(IXG_MSG_TXN_ABORT), 16);
	assert_int_equal(ixg_msg_size(IXG_MSG_GET_STATE), 16);
	assert_int_equal(ixg_msg_size(IXG_MSG_STATE), 80);
}

/* A valid hello in buf; returns its size. */
static size_t
make_hello(uint8_t *buf)
{
	struct ixg_msg_hello h;

	memset(&h, 0, sizeof(h));
	ixg_msg_init(&h.hdr, IXG_MSG_HELLO, sizeof(h), 7);
	snprintf(h.name, sizeof(h.name), "test");
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

static enum ixg_status
check(const uint8_t *buf, size_t len, uint16_t *type, char *err)
{
	return ixg_msg_check(buf, len, type, err, IXG_WIRE_ERR_LEN);
}

static void
test_malformed_messages(void **state)
{
	uint8_t buf[IXG_MSG_MAX + 64];
	struct ixg_msg_hdr *h = (struct ixg_msg_hdr *)buf;
	char err[IXG_WIRE_ERR_LEN];
	uint16_t type;
	size_t n;

	(void)state;
	memset(buf, 0, sizeof(buf));
	n = make_hello(buf);
	assert_int_equal(check(buf, n, &type, err), IXG_ST_OK);

	/* short: less than a header */
	assert_int_equal(check(buf, 8, &type, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "shorter than a header"));
	assert_int_equal(type, 0);
	assert_int_equal(check(buf, 0, &type, err), IXG_ST_BAD_MESSAGE);

	/* oversized */
	h->len = IXG_MSG_MAX + 1;
	assert_int_equal(check(buf, IXG_MSG_MAX + 1, &type, err),
			 IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "exceeds"));
	h->len = (uint32_t)n;

	/* wrong magic */
	h->magic = 0x12345678;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "magic"));
	h->magic = IXG_API_MAGIC;

	/* wrong version: reported as such, type still readable */
	h->version = IXG_API_VERSION + 1;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_BAD_VERSION);
	assert_int_equal(type, IXG_MSG_HELLO);
	assert_non_null(strstr(err, "version"));
	h->version = IXG_API_VERSION;

	/* unknown types: 0, MAX, far out */
	h->type = 0;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_UNKNOWN_TYPE);
	h->type = IXG_MSG_TYPE_MAX;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_UNKNOWN_TYPE);
	h->type = 0xffff;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_UNKNOWN_TYPE);
	assert_int_equal(type, 0xffff);
	assert_non_null(strstr(err, "unknown message type 65535"));
	h->type = IXG_MSG_HELLO;

	/* len field lying: says more, says less than received */
	h->len = (uint32_t)n + 8;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "header says"));
	h->len = (uint32_t)n - 8;
	assert_int_equal(check(buf, n, &type, err), IXG_ST_BAD_MESSAGE);

	/* consistent len, wrong size for the type */
	h->len = (uint32_t)n - 8;
	assert_int_equal(check(buf, n - 8, &type, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "hello message of 48 bytes, expected 56"));
	h->len = (uint32_t)n + 8;
	assert_int_equal(check(buf, n + 8, &type, err), IXG_ST_BAD_MESSAGE);
	h->type = IXG_MSG_TXN_COMMIT; /* 16 bytes, sent with 64 */
	assert_int_equal(check(buf, n + 8, &type, err), IXG_ST_BAD_MESSAGE);
	h->len = 16;
	assert_int_equal(check(buf, 16, &type, err), IXG_ST_OK);
	assert_int_equal(type, IXG_MSG_TXN_COMMIT);

	/* unaligned buffers are fine */
	n = make_hello(buf + 1);
	assert_int_equal(check(buf + 1, n, &type, err), IXG_ST_OK);

	/* NULL or empty err buffer is allowed */
	assert_int_equal(ixg_msg_check(buf, 3, &type, NULL, 0),
			 IXG_ST_BAD_MESSAGE);
}

static void
test_recv_truncated(void **state)
{
	struct pair *p = *state;
	uint8_t big[IXG_MSG_MAX + 100], in[IXG_MSG_MAX];
	int rfd = 5;

	memset(big, 0xab, sizeof(big));
	assert_int_equal(ixg_send(p->a, big, sizeof(big), -1), 0);
	assert_int_equal(ixg_recv(p->b, in, sizeof(in), &rfd), -EMSGSIZE);
	assert_int_equal(rfd, -1);
	/* the socket still works for the next message */
	size_t n = make_hello(big);
	assert_int_equal(ixg_send(p->a, big, n, -1), 0);
	assert_int_equal(ixg_recv(p->b, in, sizeof(in), NULL), (ssize_t)n);
}

static void
test_recv_eof(void **state)
{
	struct pair *p = *state;
	uint8_t in[64];

	shutdown(p->a, SHUT_WR);
	assert_int_equal(ixg_recv(p->b, in, sizeof(in), NULL), 0);
}

static void
test_send_to_closed_peer(void **state)
{
	struct pair *p = *state;
	uint8_t buf[64];
	size_t n = make_hello(buf);

	close(p->b);
	p->b = open("/dev/null", O_RDONLY);
	/* MSG_NOSIGNAL: EPIPE, not a signal that kills the test */
	assert_int_equal(ixg_send(p->a, buf, n, -1), -EPIPE);
}

static void
test_fd_passing(void **state)
{
	struct pair *p = *state;
	uint8_t buf[IXG_MSG_MAX];
	size_t n = make_hello(buf);
	struct stat s1, s2;
	char got[8] = "";
	int mfd = small_memfd("payload"), rfd = -1;

	assert_int_equal(ixg_send(p->a, buf, n, mfd), 0);
	assert_int_equal(ixg_recv(p->b, buf, sizeof(buf), &rfd), (ssize_t)n);
	assert_true(rfd >= 0);
	assert_int_not_equal(rfd, mfd);
	assert_int_equal(fstat(mfd, &s1), 0);
	assert_int_equal(fstat(rfd, &s2), 0);
	assert_int_equal(s1.st_ino, s2.st_ino);
	assert_int_equal(pread(rfd, got, 7, 0), 7);
	assert_string_equal(got, "payload");
	/* received close-on-exec (MSG_CMSG_CLOEXEC) */
	assert_true(fcntl(rfd, F_GETFD) & FD_CLOEXEC);
	close(rfd);
	close(mfd);
}

static void
test_stray_fd_closed(void **state)
{
	struct pair *p = *state;
	uint8_t buf[IXG_MSG_MAX];
	size_t n = make_hello(buf);
	int mfd = small_memfd("x");
	unsigned before;

	assert_int_equal(ixg_send(p->a, buf, n, mfd), 0);
	close(mfd);
	before = open_fds();
	/* no room for a descriptor: the one received is closed */
	assert_int_equal(ixg_recv(p->b, buf, sizeof(buf), NULL), (ssize_t)n);
	assert_int_equal(open_fds(), before);

	/* a truncated message with a descriptor: closed as well */
	mfd = small_memfd("y");
	{
		uint8_t big[IXG_MSG_MAX + 8];
		int rfd = 9;

		memset(big, 0, sizeof(big));
		assert_int_equal(ixg_send(p->a, big, sizeof(big), mfd), 0);
		close(mfd);
		before = open_fds();
		assert_int_equal(ixg_recv(p->b, buf, sizeof(buf), &rfd),
				 -EMSGSIZE);
		assert_int_equal(rfd, -1);
		assert_int_equal(open_fds(), before);
	}
}

static void
test_two_fds_refused(void **state)
{
	struct pair *p = *state;
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	uint8_t msg[IXG_MSG_MAX];
	size_t n = make_hello(msg);
	struct iovec iov = {.iov_base = msg, .iov_len = n};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fds[2] = {small_memfd("1"), small_memfd("2")}, rfd = 4;
	unsigned before;

	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(sendmsg(p->a, &mh, 0), (ssize_t)n);
	close(fds[0]);
	close(fds[1]);
	before = open_fds();
	assert_int_equal(ixg_recv(p->b, msg, sizeof(msg), &rfd), -EBADMSG);
	assert_int_equal(rfd, -1);
	assert_int_equal(open_fds(), before);
}

static void
test_too_many_fds_ctrunc(void **state)
{
	struct pair *p = *state;
	enum { N = 16 };
	union {
		char buf[CMSG_SPACE(N * sizeof(int))];
		struct cmsghdr align;
	} u;
	uint8_t msg[IXG_MSG_MAX];
	size_t n = make_hello(msg);
	struct iovec iov = {.iov_base = msg, .iov_len = n};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fds[N], rfd = 4;
	unsigned before, i;

	memset(u.buf, 0, sizeof(u.buf));
	for (i = 0; i < N; i++)
		fds[i] = small_memfd("z");
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(sendmsg(p->a, &mh, 0), (ssize_t)n);
	for (i = 0; i < N; i++)
		close(fds[i]);
	before = open_fds();
	/* more than ixg_recv has room for: MSG_CTRUNC, every one closed */
	assert_int_equal(ixg_recv(p->b, msg, sizeof(msg), &rfd), -EBADMSG);
	assert_int_equal(rfd, -1);
	assert_int_equal(open_fds(), before);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(ixg_status_name(IXG_ST_OK), "ok");
	assert_string_equal(ixg_status_name(IXG_ST_STALE), "stale");
	assert_string_equal(ixg_status_name(IXG_ST_INTERNAL), "internal");
	assert_string_equal(ixg_status_name(-1), "unknown");
	assert_string_equal(ixg_status_name(IXG_ST_INTERNAL + 1), "unknown");
	assert_string_equal(ixg_table_name(IXG_TBL_PEERS), "peers");
	assert_string_equal(ixg_table_name(IXG_TBL_ROUTES4), "routes4");
	assert_string_equal(ixg_table_name(IXG_TBL_COUNTRY6), "country6");
	assert_string_equal(ixg_table_name(0), "unknown");
	assert_string_equal(ixg_table_name(IXG_TBL_MAX), "unknown");
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		assert_string_not_equal(ixg_table_name(t), "unknown");
		assert_true(ixg_table_elem_size(t) > 0);
		assert_true(ixg_table_capacity(t) > 0);
	}
	assert_int_equal(ixg_table_elem_size(IXG_TBL_PEERS),
			 sizeof(struct ixg_spec_peer));
	assert_int_equal(ixg_table_elem_size(IXG_TBL_SOURCES6),
			 sizeof(struct ixg_spec_route6));
	assert_int_equal(ixg_table_elem_size(IXG_TBL_COUNTRIES),
			 sizeof(ixg_cc_t));
	assert_int_equal(ixg_table_elem_size(0), 0);
	assert_int_equal(ixg_table_capacity(IXG_TBL_NODE), 1);
	assert_int_equal(ixg_table_capacity(IXG_TBL_PEERS), IXG_MAX_PEERS - 1);
}

/* ---- tables through memfds ------------------------------------------- */

/* A spec where every table has `n` elements of patterned bytes whose
 * strings are terminated. Arrays malloc'd (ixg_spec_tables_free-able). */
static void
spec_fill(struct ixg_spec *s, uint32_t n)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->node.name, sizeof(s->node.name), "node-a");
	s->node.sample_rate = 1000;
#define FILL(cnt, arr)                                                         \
	do {                                                                   \
		s->cnt = n;                                                    \
		s->arr = malloc(n * sizeof(*s->arr));                          \
		assert_non_null(s->arr);                                       \
		for (size_t b = 0; b < n * sizeof(*s->arr); b++)               \
			((uint8_t *)s->arr)[b] = (uint8_t)(b * 31 + 1);        \
	} while (0)
#define FILL_ONE(field)
#define FILL_ARRAY(field) FILL(n_##field, field);
#define X_FILL(id, wire, field, type, size, cap, shape, ...) FILL_##shape(field)
	/* Every array table of the list, strings terminated. */
	IXG_SPEC_TABLES(X_FILL, IXG_SPEC_NO_STR)
#undef X_FILL
#undef FILL_ARRAY
#undef FILL_ONE
#undef FILL
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		const struct ixg_table_info *ti = ixg_table_info(t);
		uint8_t *e = (uint8_t *)(uintptr_t)ixg_spec_table_data(s, t);

		for (uint64_t i = 0; !ti->one && i < n; i++)
			for (unsigned k = 0; ti->str[k].len != 0; k++)
				e[i * ti->elem_size + ti->str[k].off +
				  ti->str[k].len - 1] = '\0';
	}
	for (uint32_t i = 0; i < n; i++) {
		snprintf(s->ports[i].name, IXG_NAME_LEN, "p%u", i);
		snprintf(s->ports[i].devargs, IXG_DEVARGS_LEN, "net_null%u", i);
		snprintf(s->peers[i].name, IXG_NAME_LEN, "peer%u", i);
		snprintf(s->classes[i].name, IXG_NAME_LEN, "c%u", i);
		snprintf(s->acl_rules[i].name, IXG_NAME_LEN, "r%u", i);
	}
}

static void
test_every_table_through_memfd(void **state)
{
	struct pair *p = *state;
	struct ixg_spec src, shadow;
	uint32_t owned = 0;

	spec_fill(&src, 5);
	memset(&shadow, 0, sizeof(shadow));
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		struct ixg_msg_txn_table m, rm;
		char err[IXG_WIRE_ERR_LEN];
		uint64_t count;
		uint32_t idx;
		int fd, rfd = -1, seals;

		assert_int_equal(ixg_table_to_memfd(&src, t, &fd, &count), 0);
		assert_true(fd >= 0);
		assert_int_equal(count, t == IXG_TBL_NODE ? 1 : 5);
		seals = fcntl(fd, F_GET_SEALS);
		assert_int_equal(
			seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
			F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
		/* the seal holds: nobody writes it any more */
		assert_int_equal(pwrite(fd, "x", 1, 0), -1);
		ixg_msg_txn_table_init(&m, t, count, 40 + t);
		assert_int_equal(ixg_send(p->a, &m, sizeof(m), fd), 0);
		close(fd);
		assert_int_equal(ixg_recv(p->b, &rm, sizeof(rm), &rfd),
				 (ssize_t)sizeof(rm));
		assert_true(rfd >= 0);
		assert_int_equal(
			ixg_table_from_fd(rfd, &rm, &shadow, &owned, &idx, err),
			IXG_ST_OK);
		close(rfd);
		assert_int_equal(ixg_spec_table_count(&shadow, t), count);
		assert_memory_equal(ixg_spec_table_data(&shadow, t),
				    ixg_spec_table_data(&src, t),
				    count * ixg_table_elem_size(t));
		if (t != IXG_TBL_NODE) {
			assert_true(owned & (1u << t));
			assert_ptr_not_equal(ixg_spec_table_data(&shadow, t),
					     ixg_spec_table_data(&src, t));
		}
	}
	/* replacing an owned table frees the old array (ASan/valgrind
	 * would report a leak otherwise) */
	{
		struct ixg_msg_txn_table m;
		char err[IXG_WIRE_ERR_LEN];
		uint64_t count;
		int fd;

		src.n_peers = 2;
		assert_int_equal(
			ixg_table_to_memfd(&src, IXG_TBL_PEERS, &fd, &count),
			0);
		ixg_msg_txn_table_init(&m, IXG_TBL_PEERS, count, 1);
		assert_int_equal(
			ixg_table_from_fd(fd, &m, &shadow, &owned, NULL, err),
			IXG_ST_OK);
		close(fd);
		assert_int_equal(shadow.n_peers, 2);
		assert_string_equal(shadow.peers[1].name, "peer1");
		/* count 0: the table empties, no memfd needed */
		assert_int_equal(ixg_table_to_memfd(&src, IXG_TBL_ROUTES6 + 100,
						    &fd, &count),
				 -EINVAL);
		ixg_msg_txn_table_init(&m, IXG_TBL_ROUTES6, 0, 2);
		assert_int_equal(
			ixg_table_from_fd(-1, &m, &shadow, &owned, NULL, err),
			IXG_ST_OK);
		assert_int_equal(shadow.n_routes6, 0);
		assert_null(shadow.routes6);
		assert_false(owned & (1u << IXG_TBL_ROUTES6));
	}
	ixg_spec_tables_free(&shadow);
	ixg_spec_tables_free(&src);
}

static void
test_empty_table_needs_no_memfd(void **state)
{
	struct ixg_spec s;
	uint64_t count = 9;
	int fd = 9;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(ixg_table_to_memfd(&s, IXG_TBL_ROUTES4, &fd, &count),
			 0);
	assert_int_equal(fd, -1);
	assert_int_equal(count, 0);
}

static void
test_unowned_table_not_freed(void **state)
{
	struct ixg_spec src, shadow;
	struct ixg_msg_txn_table m;
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_spec_route4 *running;
	uint32_t owned = 0;
	uint64_t count;
	int fd;

	(void)state;
	spec_fill(&src, 3);
	/* the shadow starts as a shallow copy of the running spec */
	shadow = src;
	running = src.routes4;
	src.routes4[0].peer_id = 77;
	src.n_routes4 = 3;
	{
		struct ixg_spec one;

		spec_fill(&one, 1);
		assert_int_equal(
			ixg_table_to_memfd(&one, IXG_TBL_ROUTES4, &fd, &count),
			0);
		ixg_spec_tables_free(&one);
	}
	ixg_msg_txn_table_init(&m, IXG_TBL_ROUTES4, count, 1);
	assert_int_equal(ixg_table_from_fd(fd, &m, &shadow, &owned, NULL, err),
			 IXG_ST_OK);
	close(fd);
	/* the running array is untouched and still valid */
	assert_int_equal(running[0].peer_id, 77);
	assert_ptr_not_equal(shadow.routes4, running);
	assert_int_equal(shadow.n_routes4, 1);
	assert_int_equal(owned, 1u << IXG_TBL_ROUTES4);
	free(shadow.routes4);
	ixg_spec_tables_free(&src);
}

/* A table message + sealed memfd of `table` from a 4-element spec. */
static int
table_fixture(struct ixg_spec *src, unsigned table, struct ixg_msg_txn_table *m)
{
	uint64_t count;
	int fd;

	assert_int_equal(ixg_table_to_memfd(src, table, &fd, &count), 0);
	ixg_msg_txn_table_init(m, table, count, 3);
	return fd;
}

static enum ixg_status
decode(int fd, const struct ixg_msg_txn_table *m, uint32_t *idx, char *err)
{
	struct ixg_spec shadow;
	uint32_t owned = 0;
	enum ixg_status st;

	memset(&shadow, 0, sizeof(shadow));
	st = ixg_table_from_fd(fd, m, &shadow, &owned, idx, err);
	if (st != IXG_ST_OK) {
		/* a refused table leaves the shadow untouched */
		assert_int_equal(owned, 0);
		assert_null(shadow.peers);
		assert_int_equal(shadow.n_peers, 0);
	}
	ixg_spec_tables_free(&shadow);
	return st;
}

static void
test_malformed_tables(void **state)
{
	struct ixg_spec src;
	struct ixg_msg_txn_table m;
	char err[IXG_WIRE_ERR_LEN];
	uint32_t idx;
	int fd;

	(void)state;
	spec_fill(&src, 4);
	fd = table_fixture(&src, IXG_TBL_PEERS, &m);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_OK);

	/* table id out of range */
	m.table = 0;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "table id 0 out of range"));
	m.table = IXG_TBL_MAX;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	m.table = IXG_TBL_PEERS;

	/* element size mismatch */
	m.elem_size = sizeof(struct ixg_spec_peer) + 4;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "element size"));
	m.elem_size = sizeof(struct ixg_spec_peer);

	/* count over capacity */
	m.count = IXG_MAX_PEERS;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_CAPACITY);
	assert_non_null(strstr(err, "capacity"));
	m.count = UINT64_MAX;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_CAPACITY);
	m.count = 4;

	/* offset + size overflows 64 bits */
	m.offset = UINT64_MAX - 100;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "exceed"));
	/* offset inside the file, but the array runs past its end */
	m.offset = sizeof(struct ixg_spec_peer);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	m.offset = 0;

	/* memfd smaller than claimed */
	m.count = 5;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "exceed the memfd"));
	m.count = 4;

	/* elements but no memfd; a descriptor that is not a file */
	assert_int_equal(decode(-1, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "no memfd"));
	{
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
		assert_int_equal(decode(sv[0], &m, &idx, err),
				 IXG_ST_BAD_MESSAGE);
		close(sv[0]);
		close(sv[1]);
	}
	close(fd);

	/* an unterminated name, at index 2 */
	memset(src.peers[2].name, 'A', IXG_NAME_LEN);
	fd = table_fixture(&src, IXG_TBL_PEERS, &m);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_INVALID);
	assert_int_equal(idx, 2);
	assert_non_null(strstr(err, "peers[2]: name not NUL-terminated"));
	close(fd);

	/* unterminated devargs (ports' second string) */
	memset(src.ports[3].devargs, 'x', IXG_DEVARGS_LEN);
	fd = table_fixture(&src, IXG_TBL_PORTS, &m);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_INVALID);
	assert_int_equal(idx, 3);
	assert_non_null(strstr(err, "devargs"));
	close(fd);

	/* node, class and rule names are checked too */
	memset(src.node.name, 'n', IXG_NAME_LEN);
	fd = table_fixture(&src, IXG_TBL_NODE, &m);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_INVALID);
	close(fd);
	memset(src.classes[0].name, 'c', IXG_NAME_LEN);
	fd = table_fixture(&src, IXG_TBL_CLASSES, &m);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_INVALID);
	assert_int_equal(idx, 0);
	close(fd);
	memset(src.acl_rules[1].name, 'r', IXG_NAME_LEN);
	fd = table_fixture(&src, IXG_TBL_ACL_RULES, &m);
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_INVALID);
	assert_int_equal(idx, 1);
	close(fd);

	/* the node is exactly one element */
	snprintf(src.node.name, IXG_NAME_LEN, "ok");
	fd = table_fixture(&src, IXG_TBL_NODE, &m);
	m.count = 0;
	assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
	close(fd);

	/* Issue 13 item 11: a valid table in anything but a memfd sealed
	 * against shrinking, growing and writing is refused, naming why:
	 * an unsealed memfd, one sealed only against resizing, a file. */
	ixg_msg_txn_table_init(&m, IXG_TBL_ROUTES4, 4, 1);
	for (unsigned k = 0; k < 3; k++) {
		char path[] = "/tmp/test_wire_XXXXXX";

		if (k < 2) {
			fd = memfd_create("unsealed",
					  MFD_CLOEXEC | MFD_ALLOW_SEALING);
		} else {
			fd = mkstemp(path);
			unlink(path);
		}
		assert_true(fd >= 0);
		assert_int_equal(
			write(fd, src.routes4, 4 * sizeof(*src.routes4)),
			(ssize_t)(4 * sizeof(*src.routes4)));
		if (k == 1)
			assert_int_equal(fcntl(fd, F_ADD_SEALS,
					       F_SEAL_SHRINK | F_SEAL_GROW),
					 0);
		assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_BAD_MESSAGE);
		assert_non_null(strstr(err, "routes4: passed descriptor is "
					    "not a sealed memfd"));
		/* sealed, the same bytes are a table */
		if (k < 2) {
			assert_int_equal(fcntl(fd, F_ADD_SEALS,
					       F_SEAL_SHRINK | F_SEAL_GROW |
						       F_SEAL_WRITE),
					 0);
			assert_int_equal(decode(fd, &m, &idx, err), IXG_ST_OK);
		}
		close(fd);
	}
	ixg_spec_tables_free(&src);
}

static void
test_table_at_offset(void **state)
{
	struct ixg_spec src, shadow;
	struct ixg_msg_txn_table m;
	char err[IXG_WIRE_ERR_LEN];
	uint32_t owned = 0;
	const off_t off = 5000; /* not page aligned */
	int fd;

	(void)state;
	spec_fill(&src, 3);
	memset(&shadow, 0, sizeof(shadow));
	fd = memfd_create("off", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, src.routes6, 3 * sizeof(*src.routes6), off),
			 (ssize_t)(3 * sizeof(*src.routes6)));
	assert_int_equal(fcntl(fd, F_ADD_SEALS,
			       F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
			 0);
	ixg_msg_txn_table_init(&m, IXG_TBL_ROUTES6, 3, 1);
	m.offset = (uint64_t)off;
	assert_int_equal(ixg_table_from_fd(fd, &m, &shadow, &owned, NULL, err),
			 IXG_ST_OK);
	assert_memory_equal(shadow.routes6, src.routes6,
			    3 * sizeof(*src.routes6));
	close(fd);
	ixg_spec_tables_free(&shadow);
	ixg_spec_tables_free(&src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_type_round_trips,
						setup_pair, teardown_pair),
		cmocka_unit_test(test_exact_sizes),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test_setup_teardown(test_recv_truncated, setup_pair,
						teardown_pair),
		cmocka_unit_test_setup_teardown(test_recv_eof, setup_pair,
						teardown_pair),
		cmocka_unit_test_setup_teardown(test_send_to_closed_peer,
						setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_fd_passing, setup_pair,
						teardown_pair),
		cmocka_unit_test_setup_teardown(test_stray_fd_closed,
						setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_two_fds_refused,
						setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_too_many_fds_ctrunc,
						setup_pair, teardown_pair),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_every_table_through_memfd,
						setup_pair, teardown_pair),
		cmocka_unit_test(test_empty_table_needs_no_memfd),
		cmocka_unit_test(test_unowned_table_not_freed),
		cmocka_unit_test(test_malformed_tables),
		cmocka_unit_test(test_table_at_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
