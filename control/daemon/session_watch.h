/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session_watch.h - the members' BGP sessions as the kernel sees them, and
 * what their loss does (doc/routing.md, "Session loss"; issue 10 (c)).
 *
 * ixgate-control watches the node's TCP connections on port 179 (either
 * end) to each member's peering-LAN addresses (its `next-hop` IPv4 and
 * IPv6) over NETLINK_SOCK_DIAG: the kernel's TCP socket-destroy
 * notifications (SKNLGRP_INET_TCP_DESTROY / INET6) start a dump of the
 * ESTABLISHED TCP sockets of port 179 at once when one of them is a
 * member's, and a dump runs every SW_POLL_NOTIFIED_MS anyway (every
 * SW_POLL_MS without the notifications), on its event loop, non-blocking,
 * filtered in the kernel. A dump walks the kernel's whole TCP hash table
 * (measured here: 2.6 ms of CPU for both families, test_session_watch),
 * hence not every 50 ms. Nothing is specific to BIRD or FRR: the routing
 * daemon's session is a kernel socket like any other.
 *
 * Per member and family (the family of the session's addresses: a
 * session to the member's IPv4 next hop is its IPv4 session):
 *   UNTRACKED  never seen with an ESTABLISHED session (static routes, a
 *              route server elsewhere, IPv4 only...): never affected
 *   UP         at least one ESTABLISHED session now
 *   DOWN       was UP, and no ESTABLISHED session is left (closed by
 *              either side, reset, or gone: FIN_WAIT, CLOSE_WAIT,
 *              TIME_WAIT and no socket all count as left)
 * A DOWN family goes UP again when a session to it is ESTABLISHED again.
 *
 * With `session-loss withdraw` (the default) the members DOWN in a family
 * are sent to the dataplane (PEER_DOWN, ixg_api.h), which stops their
 * routes from the kernel of that family at once (drop reason peer_down,
 * ECMP groups over the other members); the routing daemon's deletions
 * then arrive and are committed as before. `session-loss keep` (graceful
 * restart: the daemon keeps the routes on purpose) watches and shows the
 * sessions but sends nothing down.
 *
 * The parser and the state machine (struct sessions) are plain C without
 * I/O, for the unit tests; the watcher (struct session_watch) runs them on
 * the daemon's loop. Loop thread only.
 */
#ifndef IXG_SESSION_WATCH_H
#define IXG_SESSION_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixg_api.h"

#define SW_BGP_PORT 179
/* A dump of the port-179 sockets this often: with the destroy
 * notifications (the prompt trigger; the dump catches what they do not
 * say: a socket left in FIN_WAIT1 towards a dead member, CLOSE_WAIT, a
 * session ESTABLISHED again), and without them. */
#define SW_POLL_NOTIFIED_MS 1000
#define SW_POLL_MS 100
#define SW_DUMP_TIMEOUT_MS 2000 /* a dump unanswered this long: reopen */

/* ------------------------------------------------------------------ */
/* The sock_diag messages.                                            */

/* One TCP socket of a dump or a destroy notification. */
struct sw_sock {
	uint8_t family; /* 4 or 6 (an IPv4-mapped IPv6 socket: 4) */
	uint8_t state; /* the kernel's TCP state: 1 ESTABLISHED, ... */
	uint16_t lport, rport; /* host order: local, remote */
	uint8_t laddr[16], raddr[16]; /* IPv4: the first 4 bytes */
};

enum sw_parse_rc {
	SW_PARSE_MORE = 0, /* sockets of a dump, more to come */
	SW_PARSE_DONE = 1, /* NLMSG_DONE: the dump is complete */
};

/*
 * Parse one datagram received on a NETLINK_SOCK_DIAG socket (`len`
 * bytes): each SOCK_DIAG_BY_FAMILY message is handed to each(arg, sock).
 * Returns SW_PARSE_MORE or SW_PARSE_DONE, or a negative errno with a
 * one-line message in err naming the message (index, type, length) and
 * what is wrong: -EBADMSG for a malformed message (a length shorter than
 * its header or past the datagram, a payload shorter than struct
 * inet_diag_msg, an unknown family), the kernel's error for an NLMSG_ERROR
 * (-EINVAL...). On error, sockets parsed before it were handed out: the
 * caller throws the whole dump away. `seq` 0 accepts any sequence number
 * (notifications), else a message of another sequence is skipped.
 */
int sw_parse(const void *buf, size_t len, uint32_t seq,
	     void (*each)(void *arg, const struct sw_sock *s), void *arg,
	     char *err, size_t errlen);

/* The request for a dump of family 4 or 6: ESTABLISHED TCP sockets with
 * local or remote port SW_BGP_PORT (an inet_diag bytecode filter), into
 * buf (room for 128 bytes). Returns its length. */
size_t sw_dump_request(void *buf, unsigned family, uint32_t seq);

/* ------------------------------------------------------------------ */
/* The state machine.                                                 */

enum sw_state {
	SW_UNTRACKED = 0,
	SW_UP = 1,
	SW_DOWN = 2,
};

/* "untracked", "up", "down". */
const char *sw_state_name(unsigned s);

struct sw_family {
	uint8_t state; /* enum sw_state */
	uint32_t sessions; /* ESTABLISHED in the last complete dump */
	int64_t since_ms; /* unix ms of the last change of state, 0 none */
	uint64_t downs, ups; /* transitions UP -> DOWN, DOWN -> UP */
};

struct sw_member {
	uint16_t peer; /* id */
	char name[IXG_NAME_LEN];
	bool has[2]; /* a next hop of the family */
	uint8_t addr[2][16];
	struct sw_family fam[2]; /* [0] IPv4, [1] IPv6 */
};

struct sessions {
	struct sw_member *m; /* by peer id, sorted */
	unsigned n;
	/* one dump cycle: ESTABLISHED sockets per member and family */
	uint32_t *count; /* [n * 2] */
	uint64_t downs, ups; /* every member's */
};

/* Empty; 0 or -ENOMEM. */
int sessions_init(struct sessions *S);
void sessions_fini(struct sessions *S);

/*
 * The members of spec (its peers with a next hop): their state is kept
 * for a member whose id and address of a family are unchanged, reset to
 * UNTRACKED otherwise; members gone are dropped. 0 or -ENOMEM (S
 * unchanged).
 */
int sessions_set_members(struct sessions *S, const struct ixg_spec *spec);

/* A dump cycle: begin, every socket of both families' dumps, end. A
 * socket counts when it is ESTABLISHED, has port SW_BGP_PORT at either
 * end, and its remote address is a member's next hop. */
void sessions_begin(struct sessions *S);
void sessions_sock(struct sessions *S, const struct sw_sock *s);

/* A transition, for the caller's log. */
typedef void (*sw_change_fn)(void *arg, const struct sw_member *m,
			     unsigned family, unsigned from, unsigned to);

/* End of a complete cycle at now_ms (unix ms): every member's state
 * moves as the file comment says; change(arg, ...) for each transition.
 * Returns how many. */
unsigned sessions_end(struct sessions *S, int64_t now_ms, sw_change_fn change,
		      void *arg);

/* Whether a socket (of a destroy notification) is one of a member's
 * sessions (port SW_BGP_PORT, remote a member's next hop). */
bool sessions_is_member(const struct sessions *S, const struct sw_sock *s);

/* The members DOWN per family as PEER_DOWN's bitmaps (zeroed first). */
void sessions_down_bits(const struct sessions *S,
			uint64_t out[2][IXG_MAX_PEERS / 64]);

/* Members per state, both families summed: counts[enum sw_state]. */
void sessions_counts(const struct sessions *S, unsigned counts[3]);

/* ------------------------------------------------------------------ */
/* The watcher on ixgate-control's loop.                              */

struct ctld;
struct session_watch;
struct view;

/* A watcher, idle. NULL with errno set. */
struct session_watch *session_watch_new(struct ctld *D);
void session_watch_free(struct session_watch *W);

/*
 * The running configuration changed: watch (or stop) by its kernel-routes
 * block (`session-loss withdraw|keep`), for its members. Then
 * session_watch_sync.
 */
void session_watch_configure(struct session_watch *W, bool enabled,
			     bool withdraw);

/* Send the members' down state to the dataplane when it differs from
 * what it holds (or it reconnected). Called on every change, and after
 * every HELLO and job (rib_kick). */
void session_watch_sync(struct session_watch *W);

/*
 * The routing daemon withdrew routes (a kernel route batch with a
 * deletion): look at the sessions now (a dump, unless one runs, then one
 * more after it; at most one every SW_WITHDRAW_DUMP_MS). A session the
 * daemon closed on a silent member (BFD down, hold timer) leaves its
 * socket in FIN_WAIT1 with no destroy notification, and the daemon's
 * first deletions come within milliseconds of that close: this finds it
 * then instead of at the next periodic dump (doc/routing.md, "BFD").
 * No-op while not watching. Loop thread.
 */
#define SW_WITHDRAW_DUMP_MS 100
void session_watch_withdrawn(struct session_watch *W);

/* `ixgatectl show sessions`: the watcher, then one row per member and
 * family with a next hop. 0. */
int session_watch_show(const struct session_watch *W, struct view *v);

/* The exporter's numbers (doc/monitoring.md). */
struct sw_stats {
	bool enabled, withdraw;
	uint64_t dumps, dump_errors, destroy_events;
	uint64_t downs, ups; /* transitions, since start */
	unsigned tracked_up, down, untracked; /* member families now */
	uint64_t dp_updates, dp_errors;
};
void session_watch_stats(const struct session_watch *W, struct sw_stats *out);

#endif /* IXG_SESSION_WATCH_H */
