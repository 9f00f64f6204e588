/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_client.h - ixgate-control's side of the dataplane API (ixg_api.h) as
 * a state machine driven by the event loop: connect (retried every
 * 500 ms, every failure logged with its reason), HELLO, then requests sent
 * one at a time, each answered by a callback when its reply arrives (a
 * POLLIN completion on the ring), when its deadline passes (a loop timer)
 * or when the connection goes. Nothing here blocks the loop thread.
 *
 * A request that times out leaves the conversation in an unknown state:
 * the client closes the connection (so the dataplane discards whatever
 * transaction was open) and reconnects; the next HELLO tells what is live.
 */
#ifndef IXG_DP_CLIENT_H
#define IXG_DP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixg_api.h"

struct loop;
struct dp_client;

struct dp_client_ops {
	/* HELLO answered: the connection is ready for requests. counters_fd
	 * is the dataplane's counters memfd (the callee owns it) or -1. */
	void (*up)(void *arg, const struct ixg_msg_hello_reply *rep,
		   int counters_fd);
	/* The connection is gone (why: a sentence); every request in flight
	 * has had its callback already. Not called for a connection that
	 * never got past HELLO. */
	void (*down)(void *arg, const char *why);
	/* A line for the daemon's log (no newline). */
	void (*log)(void *arg, const char *line);
};

/*
 * A client for the API socket at `path`, reporting to ops with arg. Does
 * not connect yet (dp_client_start). NULL with errno set. Loop thread.
 */
struct dp_client *dp_client_new(struct loop *L, const char *path,
				const struct dp_client_ops *ops, void *arg);

/* Connect now, then every 500 ms until it works; again after every
 * disconnection. Loop thread. */
int dp_client_start(struct dp_client *c);

/* Close (requests in flight get -ECANCELED) and free. Loop thread. */
void dp_client_free(struct dp_client *c);

/* HELLO answered and the connection still up. */
bool dp_client_ready(const struct dp_client *c);

/* Close the connection (requests in flight fail with -ECONNABORTED, then
 * ops->down(why)) and reconnect. Loop thread. */
void dp_client_reset(struct dp_client *c, const char *why);

/*
 * Reply to a request: err 0 with the reply (len bytes, its type checked)
 * and the descriptor passed with it (fd, the callee owns it; -1 if none);
 * or a negative errno with reply NULL: -ETIMEDOUT (no reply within the
 * timeout: the connection is then reset), -ECONNRESET (the connection went
 * down first), -ECONNABORTED (reset by dp_client_reset), -ECANCELED
 * (client freed), -EPROTO (a reply of another type, or malformed).
 */
typedef void (*dp_reply_fn)(void *arg, int err, const void *reply, size_t len,
			    int fd);

/*
 * Queue a request: msg (len bytes, a struct ixg_msg_* whose header is set
 * here with a new seq), with pass_fd attached (-1: none; the client owns
 * it from this call and closes it once sent or dropped). done(arg, ...)
 * is called exactly once, on the loop thread, never from inside this call.
 * Requests are sent one at a time, in the order below. 0, or -ENOTCONN
 * when not ready (done is then not called), -ENOMEM. Loop thread.
 *
 * Order: the requests of one class are sent in the order they were
 * queued, and an urgent request (dp_msg_urgent) is sent before every bulk
 * request still waiting, never before the one in flight. Only messages
 * whose order against bulk requests does not matter are urgent: PEER_DOWN
 * carries the members' whole session state (a later one replaces an
 * earlier one, so two never swap: same class), applies to the running
 * tables at once and is allowed inside an open transaction without
 * touching it (ixg_api.h); a transaction's steps (TXN_BEGIN, TXN_TABLE,
 * TXN_DELTA, TXN_COMMIT, TXN_ABORT) and the reads (GET_STATE, GET_IDS,
 * GET_SAMPLES) are bulk and keep their order among themselves. So a
 * member's session loss reaches the dataplane after at most the request in
 * flight (the dataplane's API thread answers it before reading the next:
 * a TXN_COMMIT's build is the longest), never after a commit's remaining
 * steps or other requests queued before it.
 */
int dp_client_request(struct dp_client *c, const void *msg, size_t len,
		      int pass_fd, uint16_t want_type, unsigned timeout_ms,
		      dp_reply_fn done, void *arg);

/* Whether requests of message type `type` are urgent (see
 * dp_client_request: IXG_MSG_PEER_DOWN). Any thread. */
bool dp_msg_urgent(uint16_t type);

/* Milliseconds since the last request was sent or reply received when
 * the connection is ready and nothing is queued or in flight, else 0.
 * Loop thread. */
uint64_t dp_client_quiet_ms(const struct dp_client *c);

/* When the current request was sent (loop_now_ms), 0 if none. */
uint64_t dp_client_busy_since(const struct dp_client *c);

#endif /* IXG_DP_CLIENT_H */
