/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl_reader.h - follow kernel routing tables over rtnetlink: a full dump
 * at start, then every change, in change batches for the dataplane.
 *
 * One non-blocking NETLINK_ROUTE socket (libmnl), subscribed to the IPv4
 * and IPv6 route groups and to link and address changes. No thread: the
 * owner's event loop watches rtnl_reader_fd() for POLLIN and calls
 * rtnl_reader_readable(), and calls rtnl_reader_tick() at
 * rtnl_reader_deadline() (the end of the batch window, a delayed resync).
 *
 *   dump   one request per (family, followed table), filtered by the
 *          kernel (NETLINK_GET_STRICT_CHK) when it can; a table that does
 *          not exist yet is empty. Route events that arrive while a dump
 *          runs are queued and replayed on its result (every store
 *          operation is idempotent). A dump that the kernel marks
 *          NLM_F_DUMP_INTR, that lost events (ENOBUFS), whose event queue
 *          overflowed, or an IPv6 dump during which an IPv6 route of the
 *          same table was deleted (the kernel resumes IPv6 dumps by
 *          counting nodes, fib6_dump_table(), so a deletion behind the
 *          cursor can skip an entry) is redone, up to dump_retries times.
 *   events RTM_NEWROUTE/RTM_DELROUTE of the followed tables go to the
 *          store (rtnl_store.h); malformed ones are counted by reason and
 *          logged, never applied.
 *   overrun ENOBUFS (the socket buffer overflowed, events are lost): the
 *          reader resyncs by a new dump, diffed against what it had, so
 *          the next batch carries exactly the prefixes that differ.
 *   silent IPv4 flushes: the kernel removes IPv4 routes without a
 *          notification when their device goes down or loses its address.
 *          A link going down or away, or an address removed, on an
 *          interface some route uses, schedules a resync after
 *          resync_delay_ms.
 *   batches the first complete dump makes one full batch; then the changes
 *          of a window of batch_ms (from the first change) make one batch,
 *          each prefix once (rtnl_store.h).
 *
 * Single-threaded: every call on one reader from one thread.
 */
#ifndef IXG_RTNL_READER_H
#define IXG_RTNL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rtnl.h"
#include "rtnl_store.h"

#define RTNL_MAX_TABLES 16

/* The reader's counters, declared once: (field, description). */
#define RTNL_STATS(X)                                                          \
	X(messages, "netlink messages read")                                   \
	X(route_msgs, "RTM_NEWROUTE and RTM_DELROUTE messages read")           \
	X(other_table, "route messages of tables not followed, skipped")       \
	X(other_protocol, "route messages of protocols not followed, skipped") \
	X(cloned, "route cache entries (RTM_F_CLONED), skipped")               \
	X(nhid_only,                                                           \
	  "routes through a nexthop object the kernel did not expand "         \
	  "(net.ipv4.nexthop_compat_mode=0)")                                  \
	X(added, "entries added")                                              \
	X(replaced, "entries replaced (NLM_F_REPLACE, IPv6 ECMP siblings)")    \
	X(updated, "entries seen again (replayed or duplicated messages)")     \
	X(deleted, "entries deleted")                                          \
	X(del_inexact, "deletes matched by key and type only")                 \
	X(del_missing, "deletes of a route the reader did not have")           \
	X(malformed, "malformed messages skipped (all reasons)")               \
	X(overruns, "socket overruns (ENOBUFS): events lost, resync")          \
	X(truncated, "datagrams larger than the receive buffer, resync")       \
	X(dumps, "dump requests sent")                                         \
	X(dump_routes, "routes received in dumps")                             \
	X(dump_intr, "dumps the kernel marked interrupted (NLM_F_DUMP_INTR)")  \
	X(dump_redo, "dumps redone (interrupted, overrun, IPv6 deletions)")    \
	X(dump_inconsistent, "dumps accepted after dump_retries redos")        \
	X(dump_errors, "dump requests the kernel refused")                     \
	X(resyncs, "resyncs (overrun, link change, scan, operator)")           \
	X(link_resyncs, "resyncs scheduled by a link or address change")       \
	X(drift, "prefixes a resync found different from the store")           \
	X(queued, "route events queued during a dump")                         \
	X(queue_overflows, "dumps whose event queue overflowed")               \
	X(batches, "change batches delivered")                                 \
	X(batch_changes, "prefix changes delivered in batches")                \
	X(coalesced, "pending prefixes whose best route did not change")       \
	X(nomem, "changes lost to memory exhaustion (resync scheduled)")

struct rtnl_stats {
#define RTNL_STAT_FIELD(f, d) uint64_t f;
	RTNL_STATS(RTNL_STAT_FIELD)
#undef RTNL_STAT_FIELD
	uint64_t malformed_by[RTNL_ERR_MAX]; /* by enum rtnl_err */
};

/* The transport. The default is a real socket; tests and the fuzzer pass
 * their own to script the kernel. */
struct rtnl_io {
	/* One datagram into buf: its length, or a negative errno (-EAGAIN:
	 * nothing more now; -ENOBUFS: overrun; -ENOSPC: truncated). */
	ssize_t (*recv)(void *ctx, void *buf, size_t len);
	/* Send one request: 0 or a negative errno. */
	int (*send)(void *ctx, const void *buf, size_t len);
	void *ctx;
};

/* Log levels are syslog's (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
typedef void (*rtnl_log_cb)(void *arg, int level, const char *msg);

struct rtnl_reader_config {
	/* Kernel tables to follow, in precedence order (required). */
	uint32_t tables[RTNL_MAX_TABLES];
	unsigned n_tables;
	bool ipv4, ipv6; /* families to follow (both false: both) */
	/* Follow only routes of these protocols (rtm_protocol: RTPROT_BIRD,
	 * RTPROT_BGP...), e.g. FRR's BGP routes in a main table that also
	 * holds connected and static ones; n_protocols 0: every protocol. */
	uint8_t protocols[16];
	unsigned n_protocols;
	unsigned batch_ms; /* window from the first change; default 20 */
	unsigned max_batch; /* cut a batch early at this many pending
			     * prefixes; 0: no limit */
	int rcvbuf; /* socket receive buffer, bytes; 0: 128 MiB;
		     * SO_RCVBUFFORCE, else SO_RCVBUF */
	size_t max_queue; /* bytes of events queued during a dump;
			   * 0: 256 MiB */
	unsigned dump_retries; /* default 3 */
	unsigned resync_delay_ms; /* after a link/address change;
				   * default 200 */
	unsigned scan_s; /* periodic resync, 0: never */
	rtnl_batch_cb on_batch; /* required */
	rtnl_log_cb log; /* NULL: silent */
	void *arg; /* for on_batch and log */
	const struct rtnl_io *io; /* NULL: a NETLINK_ROUTE socket */
	uint64_t (*clock_ns)(void *arg); /* NULL: CLOCK_MONOTONIC */
};

struct rtnl_reader;

/*
 * Open the socket (unless cfg->io), subscribe, and send the first dump
 * request. The first full batch comes from rtnl_reader_readable() once
 * every followed table is dumped. NULL with errno set on failure (and a
 * log line saying why). Loop thread.
 */
struct rtnl_reader *rtnl_reader_new(const struct rtnl_reader_config *cfg);

/* Close and free (NULL is fine). Pending changes are dropped. */
void rtnl_reader_free(struct rtnl_reader *r);

/* The socket to watch for POLLIN; -1 with a custom io. */
int rtnl_reader_fd(const struct rtnl_reader *r);

/*
 * Read what the socket holds (at most a bounded number of datagrams, so
 * other work on the loop gets its turn: the fd stays readable if more is
 * left), apply it, and deliver a batch when the window is over or
 * max_batch is reached. Returns 0, or a negative errno when the socket
 * itself failed (the reader then retries with a resync on the next tick).
 */
int rtnl_reader_readable(struct rtnl_reader *r);

/* When rtnl_reader_tick() must run next (CLOCK_MONOTONIC ns, or the
 * io's clock), UINT64_MAX if nothing is scheduled. */
uint64_t rtnl_reader_deadline(const struct rtnl_reader *r);

/* Deliver the batch whose window is over, start a due resync or retry. */
void rtnl_reader_tick(struct rtnl_reader *r);

/* Deliver what is pending now, whatever the window (e.g. at shutdown). */
void rtnl_reader_flush(struct rtnl_reader *r);

/* Ask for a resync (a new dump diffed against the store); runs at once or
 * after the dump in progress. */
void rtnl_reader_resync(struct rtnl_reader *r);

/* True once the first full dump is applied (the full batch delivered). */
bool rtnl_reader_synced(const struct rtnl_reader *r);

/* True while a dump is in progress. */
bool rtnl_reader_dumping(const struct rtnl_reader *r);

const struct rtnl_stats *rtnl_reader_stats(const struct rtnl_reader *r);

/* The mirror of the followed tables (read only). */
const struct rtnl_store *rtnl_reader_store(const struct rtnl_reader *r);

/* Counter names and descriptions, in declaration order, for exporters:
 * fills at most n, returns how many there are. */
unsigned rtnl_stats_fields(const char **names, const char **descs,
			   const uint64_t **values, unsigned n,
			   const struct rtnl_stats *st);

/*
 * Process one receive buffer as if the socket had returned it (several
 * netlink messages). What rtnl_reader_readable() does per datagram; for
 * tests and the fuzzer, which feed crafted kernel replies.
 */
void rtnl_reader_input(struct rtnl_reader *r, const void *buf, size_t len);

/* The sequence number of the dump in progress (0 if none) and the
 * reader's netlink port id: crafted dump replies carry both (events carry
 * another port id, or 0). */
uint32_t rtnl_reader_dump_seq(const struct rtnl_reader *r);
uint32_t rtnl_reader_portid(const struct rtnl_reader *r);

#endif /* IXG_RTNL_READER_H */
