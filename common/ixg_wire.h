/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_wire.h - the codec of the API between ixgate-control and
 * ixgate-dataplane (the protocol itself is in ixg_api.h): building and
 * checking message headers, sending and receiving one message with an
 * optional file descriptor (SCM_RIGHTS), and carrying a spec table in a
 * sealed memfd.
 *
 * Used by both processes: plain C and libc, no DPDK, no liburing. Every
 * function is reentrant and may be called from any thread; none keeps state.
 * Errors are a negative errno, or an enum ixg_status with a message for
 * what a peer sent.
 */
#ifndef IXG_WIRE_H
#define IXG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ixg_api.h"

/* Room for a diagnostic written by ixg_msg_check / ixg_table_from_fd;
 * the size of ixg_msg_reply.message. */
#define IXG_WIRE_ERR_LEN 256

/* Fill a header: magic, version, `type`, `len` (the whole message, header
 * included) and `seq`. Never fails. */
void ixg_msg_init(struct ixg_msg_hdr *hdr, enum ixg_msg_type type, uint32_t len,
		  uint32_t seq);

/* Size of the struct of message `type` (e.g. sizeof(struct ixg_msg_hello)
 * for IXG_MSG_HELLO); 0 for a type outside the enum. */
size_t ixg_msg_size(unsigned type);

/* Name of a message type ("hello", "txn_table"...), "unknown" if out of
 * range. Static storage. */
const char *ixg_msg_type_name(unsigned type);

/*
 * Check a message of `len` bytes as received: at least a header, at most
 * IXG_MSG_MAX, magic, version, a known type, the header's len equal to the
 * bytes received and to the exact struct size of the type. On IXG_ST_OK
 * *type is the message type. Otherwise returns the status to reply
 * (BAD_MESSAGE for framing, BAD_VERSION, UNKNOWN_TYPE) with a one-line
 * explanation in err (errlen bytes, may be 0); *type is set whenever the
 * header could be read (0 otherwise), so a reply can echo it.
 */
enum ixg_status ixg_msg_check(const void *buf, size_t len, uint16_t *type,
			      char *err, size_t errlen);

/*
 * Send one message of `len` bytes on a SOCK_SEQPACKET socket, with
 * `pass_fd` attached as SCM_RIGHTS unless it is negative. The caller keeps
 * its fd (the kernel duplicates it). MSG_NOSIGNAL: a closed peer gives
 * -EPIPE, not SIGPIPE. Blocks if the socket does. Returns 0, or a negative
 * errno (-EMSGSIZE if the kernel took less than the whole message).
 */
int ixg_send(int fd, const void *msg, size_t len, int pass_fd);

/*
 * Receive one message into buf (cap bytes) on a SOCK_SEQPACKET socket.
 * Returns its length (0: the peer closed the connection), or a negative
 * errno: -EMSGSIZE when the message was longer than cap (truncated: the
 * rest is lost), -EBADMSG when the ancillary data was truncated or was not
 * exactly one SCM_RIGHTS descriptor. Received descriptors are opened
 * close-on-exec. If recv_fd is non-NULL it receives the passed descriptor
 * (owned by the caller from then on) or -1; if it is NULL, or on any error,
 * every received descriptor is closed here.
 */
ssize_t ixg_recv(int fd, void *buf, size_t cap, int *recv_fd);

/* Name of a status ("ok", "stale"...), "unknown" if out of range. */
const char *ixg_status_name(int status);

/* Most NUL-terminated strings one element may hold (IXG_SPEC_TABLES'
 * S() entries), plus the terminating entry. */
#define IXG_TABLE_MAX_STR 4

/* ixg_table_info.origin_off of a table whose elements have no origin. */
#define IXG_NO_ORIGIN SIZE_MAX

/* What the codec knows of one spec table, from IXG_SPEC_TABLES. */
struct ixg_table_info {
	const char *name; /* the operator's name, "peers" */
	size_t elem_size; /* sizeof the element struct */
	uint64_t capacity; /* most elements a TXN_TABLE may carry */
	bool one; /* exactly one element, inline in the spec (the node) */
	size_t origin_off; /* offset of `origin` in an element, or
			    * IXG_NO_ORIGIN */
	struct {
		size_t off, len; /* the char array inside an element */
		const char *name; /* its member name, "devargs" */
	} str[IXG_TABLE_MAX_STR]; /* len 0 ends the list */
};

/* The descriptor of `table` (enum ixg_table), NULL if out of range.
 * Static storage; any thread. */
const struct ixg_table_info *ixg_table_info(unsigned table);

/* Name of a table as the operator knows it ("peers", "routes4"...),
 * "unknown" if out of range. */
const char *ixg_table_name(unsigned table);

/* Size of one element of `table` (sizeof(struct ixg_spec_peer) for
 * IXG_TBL_PEERS); 0 if out of range. */
size_t ixg_table_elem_size(unsigned table);

/* Largest element count a TXN_TABLE may carry for `table` (1 for the node,
 * which must be exactly 1); 0 if out of range. */
uint64_t ixg_table_capacity(unsigned table);

/* Element count of `table` in spec (1 for the node), and its array
 * (&spec->node for the node). Out of range: 0 and NULL. */
uint64_t ixg_spec_table_count(const struct ixg_spec *spec, unsigned table);
const void *ixg_spec_table_data(const struct ixg_spec *spec, unsigned table);

/* free() the array of `table` in spec and set it empty (NULL, 0). The node
 * is zeroed. Only for arrays malloc'd by their owner: the config library's
 * and ixg_table_from_fd's are. */
void ixg_spec_table_free(struct ixg_spec *spec, unsigned table);

/* The `origin` of element `index` of `table` in spec, or UINT32_MAX if
 * the table's elements have none or the index is out of range. */
uint32_t ixg_spec_table_origin(const struct ixg_spec *spec, unsigned table,
			       uint32_t index);

/* ixg_spec_table_free of every table: the spec's arrays freed, the spec
 * left empty. Same ownership rule as ixg_spec_table_free. */
void ixg_spec_tables_free(struct ixg_spec *spec);

/*
 * Write table `table` of spec into a new memfd for a TXN_TABLE: the array
 * at offset 0, then sealed (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
 * F_SEAL_SEAL) so the receiver may map it and trust its size and content.
 * On success *fd is the memfd (MFD_CLOEXEC, the caller closes it) or -1
 * when the table is empty (no memfd needed), and *count the element count.
 * Returns 0 or a negative errno (-EINVAL for a table out of range).
 */
int ixg_table_to_memfd(const struct ixg_spec *spec, unsigned table, int *fd,
		       uint64_t *count);

/* Fill a TXN_TABLE message for `table` with `count` elements at offset 0
 * (what ixg_table_to_memfd writes). */
void ixg_msg_txn_table_init(struct ixg_msg_txn_table *m, unsigned table,
			    uint64_t count, uint32_t seq);

/*
 * Decode the table a TXN_TABLE message describes from `fd` (may be -1 when
 * m->count is 0) into `shadow`, replacing that table. Checks: the table id,
 * elem_size equal to the table's struct, count within ixg_table_capacity
 * (and exactly 1 for the node), fd a memfd sealed with F_SEAL_SHRINK,
 * F_SEAL_GROW and F_SEAL_WRITE (as ixg_table_to_memfd makes it; anything
 * else is BAD_MESSAGE), offset + count * elem_size within the file's size
 * without overflow, every string inside an element NUL-terminated within
 * its array. The elements are read with pread into a new malloc'd array;
 * the caller still owns and closes fd.
 * `owned` is a bit mask (1u << table) of the shadow's arrays this caller
 * allocated: the replaced array is freed only if its bit is set, and the
 * bit is set for the new one. On failure the shadow is unchanged and the
 * status (BAD_MESSAGE, CAPACITY, INVALID, NO_MEMORY) comes with a message
 * in err (IXG_WIRE_ERR_LEN bytes); *err_index is the offending element
 * (or UINT32_MAX if none) when err_index is non-NULL.
 */
enum ixg_status ixg_table_from_fd(int fd, const struct ixg_msg_txn_table *m,
				  struct ixg_spec *shadow, uint32_t *owned,
				  uint32_t *err_index, char *err);

/* Most entries an IDS reply may carry: every named object at capacity. */
#define IXG_MAX_ID_ENTRIES                                                     \
	(IXG_MAX_PORTS + IXG_MAX_PEERS + IXG_MAX_CLASSES + IXG_MAX_ACL_RULES + \
	 IXG_MAX_COUNTRIES + IXG_MAX_NHGROUPS * IXG_NHG_MAX_MEMBERS)

/*
 * The id map of spec for an IDS reply: one struct ixg_id_entry per port,
 * peer, class, ACL rule, country index and next-hop group member (a
 * group's members in a row, ixg_api.h), in a new memfd at offset 0,
 * sealed like ixg_table_to_memfd's. *fd is -1 (and *count 0) for an empty
 * spec. Returns 0 or a negative errno; the caller closes *fd.
 */
int ixg_ids_to_memfd(const struct ixg_spec *spec, int *fd, uint64_t *count);

/*
 * Decode an IDS reply `m` and its memfd `fd` (-1 if none came) into `ids`:
 * a skeleton spec whose ports, peers, classes, acl_rules and countries
 * carry only what keeps ids across a compile (ids, names; rules' family
 * and priority; origins), and whose nhgroups are the running groups whole
 * (id, origin, members and weights), the rest empty;
 * ixg_conf_compile_prev takes it as `prev`. Checks, before anything is
 * trusted: status OK, elem_size, count within IXG_MAX_ID_ENTRIES, offset +
 * size within the file without overflow, each entry's table, id range,
 * NUL-terminated name (non-empty but for rules and groups; countries two
 * letters), rule family 4 or 6, no id twice in one table; a group's
 * members all there in a row, distinct peers 1..IXG_MAX_PEERS-1, weights
 * 1..256, no name. On failure `ids` is empty and the status comes with a
 * one-line reason in err (IXG_WIRE_ERR_LEN bytes). The caller still owns
 * fd; `ids` is released with ixg_ids_free. Any thread.
 */
enum ixg_status ixg_ids_from_fd(int fd, const struct ixg_msg_ids *m,
				struct ixg_spec *ids, char *err);

/* Free the arrays of a skeleton filled by ixg_ids_from_fd, leave it empty. */
void ixg_ids_free(struct ixg_spec *ids);

/* ---- Route and source deltas (TXN_DELTA, ixg_api.h) ----
 * Route tables (IXG_TBL_ROUTES4, IXG_TBL_ROUTES6) sorted by prefix, and
 * source tables (IXG_TBL_SOURCES4, IXG_TBL_SOURCES6) sorted by prefix
 * then peer, changed by edits instead of sent whole. Below, "prefix" is
 * a source table's key (prefix, peer_id), and an edit of a source table
 * is a struct ixg_delta_source4 / 6. Any thread; no state. */

/* Index of the first element of the route table arr[0..n) whose prefix
 * is not strictly after its predecessor's (so -1: sorted by prefix, one
 * entry per prefix); 0 for a table that is not a route table. */
int64_t ixg_routes_unsorted(unsigned table, const void *arr, uint64_t n);

/*
 * Sort the route table arr[0..*n) by prefix in place (linear-time radix
 * sort, stable) and keep one entry per prefix: the last of several, the
 * one the dataplane's FIB would use. *n becomes the count kept. 0,
 * -EINVAL (not a route table, *n over its capacity) or -ENOMEM (arr
 * unchanged).
 */
int ixg_routes_sort(unsigned table, void *arr, uint32_t *n);

/*
 * What ixg_routes_sort would make of new[0..n_new), from sorted, the
 * sorted table of old[0..n_old) (as ixg_routes_sort left it), when new
 * differs from old in one middle (the same elements before and after it,
 * position by position: a reload that changed one member's list): the
 * kept part of `sorted` merged with the middle of new sorted, no pass
 * over new's sort. Into out (room for n_new elements), its count into
 * *n_out. Returns 0, 1 when it does not apply (the middle is over an
 * eighth of the table, old or new has a prefix twice, or `sorted` is not
 * a permutation of old by an order-free checksum: the caller then sorts
 * new whole), or -EINVAL / -ENOMEM. Any thread.
 */
int ixg_routes_sort_from(unsigned table, const void *old, uint32_t n_old,
			 const void *sorted, uint32_t n_sorted, const void *new,
			 uint32_t n_new, void *out, uint32_t *n_out);

/*
 * ixg_routes_sort_from, and on 0 the edits that turn `sorted` into out,
 * byte for byte what ixg_delta_diff(sorted, out) gives, made from the two
 * middles alone (no pass over the table): *edits malloc'd (the caller
 * frees it), *n_edits their count. Edits NULL: not made. Any thread.
 */
int ixg_routes_sort_from_edits(unsigned table, const void *old, uint32_t n_old,
			       const void *sorted, uint32_t n_sorted,
			       const void *new, uint32_t n_new, void *out,
			       uint32_t *n_out, void **edits,
			       uint64_t *n_edits);

/* Size of one edit of `table` (struct ixg_delta_route4 / 6, or
 * ixg_delta_source4 / 6); 0 if the table cannot be sent as a delta. */
size_t ixg_delta_edit_size(unsigned table);

/*
 * The edits that turn the sorted route table old[0..n_old) into the sorted
 * new[0..n_new) (both as ixg_routes_sort leaves them): a DEL per prefix
 * only in old, a SET per prefix only in new or whose element differs,
 * sorted by prefix. *edits is malloc'd (the caller frees it; non-NULL on
 * success even for 0 edits). 0, -EINVAL or -ENOMEM.
 */
int ixg_delta_diff(unsigned table, const void *old, uint32_t n_old,
		   const void *new, uint32_t n_new, void **edits,
		   uint64_t *n_edits);

/*
 * Apply n_edits edits to the route table base[0..n_base) into a new
 * malloc'd *out of *n_out elements (the caller frees it). Checks first,
 * before anything is built: the base sorted by prefix (else STALE: the
 * sender must send the table whole); every edit's op (DEL, SET), zero
 * padding, length and host bits, and order (strictly after the previous
 * edit's prefix); a DEL names a prefix the base holds (INVALID); the
 * result within the table's capacity (CAPACITY). A refusal's message
 * (IXG_WIRE_ERR_LEN bytes in err) names the edit and its field, and
 * *err_index (if not NULL) is the edit's index (UINT32_MAX if none).
 */
enum ixg_status ixg_delta_apply(unsigned table, const void *base,
				uint32_t n_base, const void *edits,
				uint64_t n_edits, void **out, uint32_t *n_out,
				uint32_t *err_index, char *err);

/* Write n edits of `table` into a new memfd at offset 0, sealed as
 * ixg_table_to_memfd's; *fd -1 when n is 0. 0 or a negative errno. */
int ixg_delta_to_memfd(unsigned table, const void *edits, uint64_t n, int *fd);

/* Fill a TXN_DELTA message (edits at offset 0 of its memfd). */
void ixg_msg_txn_delta_init(struct ixg_msg_txn_delta *m, unsigned table,
			    uint64_t base_generation, uint64_t base_count,
			    uint64_t count, uint32_t seq);

/*
 * Decode a TXN_DELTA and its memfd (may be -1 when m->count is 0) and
 * apply it to the table of `shadow` (ixg_delta_apply), replacing that
 * table; `owned` as for ixg_table_from_fd. Checks before the edits are
 * read: the table (BAD_MESSAGE), elem_size, m->base_generation equal to
 * running_generation (which is not 0) and m->base_count to the shadow's
 * element count (else STALE: the sender falls back to a full table), the
 * count within the capacity, the memfd sealed and large enough. On
 * failure the shadow is unchanged. The caller owns and closes fd.
 */
enum ixg_status ixg_delta_from_fd(int fd, const struct ixg_msg_txn_delta *m,
				  uint64_t running_generation,
				  struct ixg_spec *shadow, uint32_t *owned,
				  uint32_t *err_index, char *err);

/*
 * ixg_delta_from_fd, and: base_sorted true skips the check that the
 * shadow's table is sorted (the caller made it by an earlier delta, or
 * checked it); on success with m->count > 0 and edits_out not NULL,
 * *edits_out is the malloc'd copy of the edits (the caller frees it),
 * else it is not written.
 */
enum ixg_status ixg_delta_from_fd_edits(
	int fd, const struct ixg_msg_txn_delta *m, uint64_t running_generation,
	bool base_sorted, struct ixg_spec *shadow, uint32_t *owned,
	void **edits_out, uint32_t *err_index, char *err);

/*
 * PEER_DOWN (ixg_api.h): fill m with the members' down state (down[f],
 * IXG_MAX_PEERS bits per family: [0] IPv4, [1] IPv6); and check a
 * received one: IXG_ST_OK, or IXG_ST_INVALID with a one-line message in
 * err (IXG_WIRE_ERR_LEN bytes) naming the family and the bit at fault.
 */
void ixg_msg_peer_down_init(struct ixg_msg_peer_down *m,
			    const uint64_t down[2][IXG_MAX_PEERS / 64],
			    uint32_t seq);
enum ixg_status ixg_peer_down_check(const struct ixg_msg_peer_down *m,
				    char *err);

#endif /* IXG_WIRE_H */
