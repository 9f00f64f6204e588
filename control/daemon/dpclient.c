/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpclient.c - ixgate-control's side of the dataplane API (ixg_api.h),
 * synchronous: a request, then its reply within a timeout. A commit keeps
 * the loop thread for its duration (the dataplane's build time); the CLI
 * caller that asked for it is waiting for the answer anyway.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctld.h"
#include "ixg_wire.h"

/* Connect to the API socket (see ctld.h). */
int
dp_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Receive the reply of type `want` to request `seq` into buf. */
static int
wait_reply(int fd, uint32_t seq, uint16_t want, void *buf, size_t size,
	   int *recv_fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	const struct ixg_msg_hdr *h = buf;
	uint16_t type;
	ssize_t n;
	int rc;

	for (;;) {
		rc = poll(&p, 1, timeout_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		n = ixg_recv(fd, buf, size, recv_fd);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET;
		if (ixg_msg_check(buf, (size_t)n, &type, NULL, 0) != IXG_ST_OK)
			return -EPROTO;
		if (h->seq != seq) {
			/* A late reply to an abandoned request. */
			if (recv_fd != NULL && *recv_fd >= 0) {
				close(*recv_fd);
				*recv_fd = -1;
			}
			continue;
		}
		return type == want ? 0 : -EPROTO;
	}
}

/* HELLO (see ctld.h). Loop thread. */
int
dp_hello(int fd, uint32_t *seq, struct ixg_msg_hello_reply *rep,
	 int *counters_fd, int timeout_ms)
{
	struct ixg_msg_hello m;
	int rc;

	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_HELLO, sizeof(m), ++*seq);
	m.pid = (uint32_t)getpid();
	snprintf(m.name, sizeof(m.name), "ixgate-control");
	*counters_fd = -1;
	rc = ixg_send(fd, &m, sizeof(m), -1);
	if (rc < 0)
		return rc;
	rc = wait_reply(fd, *seq, IXG_MSG_HELLO_REPLY, rep, sizeof(*rep),
			counters_fd, timeout_ms);
	if (rc < 0)
		return rc;
	return rep->status == IXG_ST_OK ? 0 : -EPROTO;
}

/* A step's REPLY as a failed COMMIT_REPLY naming `table`. */
static void
reply_as_commit(const struct ixg_msg_reply *r, unsigned table,
		uint64_t generation, struct ixg_msg_commit_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->status = r->status;
	rep->generation = generation;
	rep->err_table = (uint16_t)table;
	rep->err_index = UINT32_MAX;
	rep->err_origin = UINT32_MAX;
	memcpy(rep->message, r->message, sizeof(rep->message));
	rep->message[sizeof(rep->message) - 1] = '\0';
}

static int
send_abort(int fd, uint32_t *seq, int timeout_ms)
{
	struct ixg_msg_txn_abort m;
	struct ixg_msg_reply r;
	int rc;

	ixg_msg_init(&m.hdr, IXG_MSG_TXN_ABORT, sizeof(m), ++*seq);
	rc = ixg_send(fd, &m, sizeof(m), -1);
	if (rc < 0)
		return rc;
	return wait_reply(fd, *seq, IXG_MSG_REPLY, &r, sizeof(r), NULL,
			  timeout_ms);
}

/* One transaction (see ctld.h). Loop thread. */
int
dp_commit(int fd, uint32_t *seq, uint64_t base_generation,
	  const uint8_t sha256[32], const struct ixg_spec *spec,
	  uint32_t tables, struct ixg_msg_commit_reply *rep, int timeout_ms)
{
	struct ixg_msg_txn_begin b;
	struct ixg_msg_txn_commit c;
	struct ixg_msg_reply r;
	unsigned k;
	int rc;

	memset(&b, 0, sizeof(b));
	ixg_msg_init(&b.hdr, IXG_MSG_TXN_BEGIN, sizeof(b), ++*seq);
	b.base_generation = base_generation;
	memcpy(b.config_sha256, sha256, 32);
	rc = ixg_send(fd, &b, sizeof(b), -1);
	if (rc == 0)
		rc = wait_reply(fd, *seq, IXG_MSG_REPLY, &r, sizeof(r), NULL,
				timeout_ms);
	if (rc < 0)
		return rc;
	if (r.status != IXG_ST_OK) {
		reply_as_commit(&r, 0, base_generation, rep);
		return 0;
	}
	for (k = 1; k < IXG_TBL_MAX; k++) {
		struct ixg_msg_txn_table t;
		uint64_t count;
		int mfd = -1;

		if (!(tables & (1u << k)))
			continue;
		rc = ixg_table_to_memfd(spec, k, &mfd, &count);
		if (rc < 0) {
			send_abort(fd, seq, timeout_ms);
			return rc;
		}
		ixg_msg_txn_table_init(&t, k, count, ++*seq);
		rc = ixg_send(fd, &t, sizeof(t), mfd);
		if (mfd >= 0)
			close(mfd);
		if (rc == 0)
			rc = wait_reply(fd, *seq, IXG_MSG_REPLY, &r, sizeof(r),
					NULL, timeout_ms);
		if (rc < 0)
			return rc;
		if (r.status != IXG_ST_OK) {
			reply_as_commit(&r, k, base_generation, rep);
			return send_abort(fd, seq, timeout_ms) < 0 ? -EPROTO
								   : 0;
		}
	}
	ixg_msg_init(&c.hdr, IXG_MSG_TXN_COMMIT, sizeof(c), ++*seq);
	rc = ixg_send(fd, &c, sizeof(c), -1);
	if (rc < 0)
		return rc;
	rc = wait_reply(fd, *seq, IXG_MSG_COMMIT_REPLY, rep, sizeof(*rep), NULL,
			timeout_ms);
	if (rc == 0)
		rep->message[sizeof(rep->message) - 1] = '\0';
	return rc;
}

/* GET_IDS (see ctld.h). Loop thread. */
int
dp_get_ids(int fd, uint32_t *seq, struct ixg_spec *ids, uint64_t *generation,
	   char *err, int timeout_ms)
{
	struct ixg_msg_get_ids m;
	struct ixg_msg_ids r;
	enum ixg_status st;
	int rc, mfd = -1;

	memset(ids, 0, sizeof(*ids));
	snprintf(err, IXG_WIRE_ERR_LEN, "no answer");
	ixg_msg_init(&m.hdr, IXG_MSG_GET_IDS, sizeof(m), ++*seq);
	rc = ixg_send(fd, &m, sizeof(m), -1);
	if (rc == 0)
		rc = wait_reply(fd, *seq, IXG_MSG_IDS, &r, sizeof(r), &mfd,
				timeout_ms);
	if (rc < 0) {
		/* A dataplane older than GET_IDS answers with a REPLY. */
		snprintf(err, IXG_WIRE_ERR_LEN, "%s",
			 rc == -EPROTO ? "not understood (older dataplane?)"
				       : strerror(-rc));
		if (mfd >= 0)
			close(mfd);
		return rc;
	}
	st = ixg_ids_from_fd(mfd, &r, ids, err);
	if (mfd >= 0)
		close(mfd);
	if (st != IXG_ST_OK)
		return -EBADMSG;
	*generation = r.generation;
	return 0;
}
