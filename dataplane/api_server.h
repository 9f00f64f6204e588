/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_server.h - the dataplane's side of the API (protocol in ixg_api.h):
 * a listening AF_UNIX SOCK_SEQPACKET socket served from the main thread's
 * poll loop, one control plane at a time, transactions that build and
 * publish new tables.
 *
 * Everything here runs on the main thread (it allocates, builds tables and
 * waits for RCU grace periods): never on a worker.
 */
#ifndef IXG_API_SERVER_H
#define IXG_API_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ixg_api.h"
#include "runtime.h"

/* One connection's protocol state (an open transaction and its shadow). */
struct api_conn {
	struct runtime *rt;
	/* For HELLO_REPLY: a control plane had been connected before this
	 * one and the dataplane ran headless in between. */
	bool was_headless;
	bool txn_open;
	struct ixg_spec shadow; /* running tables, replaced ones decoded */
	uint32_t owned; /* (1u << table): shadow arrays this txn allocated */
	uint8_t txn_sha256[32];
	/* A TXN_TABLE that failed poisons the transaction: its commit
	 * reports this, so a commit is never missing a table silently. */
	int32_t txn_status;
	uint16_t txn_err_table;
	uint32_t txn_err_index;
	char txn_err[256];
	/* The memfd of the last IDS reply (-1: none): kept until the next
	 * GET_IDS or the connection's reset, since api_reply.fd is not
	 * owned. */
	int ids_fd;
	/* The client's socket (not owned; -1 without one, as in the fuzz
	 * target) and pid: a commit is published only while the client is
	 * still connected. */
	int peer_fd;
	pid_t peer_pid;
	bool hello_seen; /* the client said HELLO */
	/* The edits of this transaction's route deltas ([0] routes4, [1]
	 * routes6; NULL: none), noted for the commit's check and build
	 * (tables_route_edits_note) until the transaction ends. */
	void *delta_edits[2];
	/* Tables this transaction made by a delta, bit delta_slot(table)
	 * (api_server.c): sorted by construction once committed. */
	uint8_t delta_made;
	unsigned idle_timeout_s; /* told in HELLO_REPLY (0: none) */
};

/* What a handled message asks of the transport. */
struct api_reply {
	size_t len; /* bytes in buf to send, 0 for none */
	int fd; /* descriptor to pass with it (not owned), or -1 */
	bool close; /* close the connection after sending */
	/* Aligned: read back as the reply structs (tests, fuzz target). */
	uint8_t buf[IXG_MSG_MAX] __attribute__((aligned(8)));
};

/* Prepare a connection's state for rt (was_headless from rt->had_client).
 * Never fails. Main thread. */
void api_conn_init(struct api_conn *c, struct runtime *rt);

/* Discard an open transaction (its shadow's own arrays). Main thread. */
void api_conn_reset(struct api_conn *c);

/*
 * Handle one received message (`len` bytes, as received, never trusted)
 * with the descriptor that came with it (`fd`, -1 if none; always consumed:
 * kept only while decoding a TXN_TABLE, closed before returning). Fills
 * `out` with the reply to send. A commit builds and publishes tables here.
 * This is the whole protocol without a socket (the fuzz target calls it).
 * Main thread.
 */
void api_handle(struct api_conn *c, const void *msg, size_t len, int fd,
		struct api_reply *out);

struct api_server;

/* How the API socket is served (ixgate-dataplane --api-*). */
struct api_server_opts {
	const char *path; /* --api-socket, or IXG_API_SOCKET */
	/* --api-group: its members may connect (socket 0660, created
	 * directories 0750, both of that group). Without it the socket is
	 * 0600 and only root and the dataplane's uid may connect. */
	bool group_set;
	gid_t gid;
	const char *group_name;
	/*
	 * --api-idle-timeout, seconds (0: none). A client that has not said
	 * HELLO, or holds a transaction open, and sends nothing for this
	 * long is disconnected; a client idle this long gives the API to
	 * the next one that connects instead of having it refused BUSY.
	 */
	unsigned idle_timeout_s;
};

#define API_IDLE_TIMEOUT_S 60 /* --api-idle-timeout's default */

/*
 * Listen on o->path: create its missing directories (0700; 0750 and the
 * group's with one), unlink a stale socket (never anything that is not a
 * socket, nor a socket another dataplane listens on), bind, set the
 * socket's mode (0600; 0660 and the group's with one), listen. The opts
 * are copied. rt->headless is set. Returns the server or NULL with errno
 * set (message on stderr). Every refused connection is logged on stderr
 * with its pid, uid and why. Main thread.
 */
struct api_server *api_server_create(struct runtime *rt,
				     const struct api_server_opts *o);

/* Close the client and the listener, unlink the socket. NULL is a no-op. */
void api_server_destroy(struct api_server *s);

/* Fill pfd (room for at least 2) with the descriptors to poll; returns how
 * many. Main thread. */
unsigned api_server_pollfds(const struct api_server *s, struct pollfd *pfd);

/* Serve what poll() reported on the descriptors api_server_pollfds gave:
 * accept, check credentials, receive, handle, reply; close refused clients
 * that lingered, and a client past the idle timeout. Never blocks on a
 * client. Call after every poll(), even one that timed out, at least once
 * a second for the idle timeout to be kept. Main thread. */
void api_server_service(struct api_server *s, const struct pollfd *pfd,
			unsigned n);

#endif /* IXG_API_SERVER_H */
