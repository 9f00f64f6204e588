/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_wire.c - the API codec (see ixg_wire.h).
 *
 * What a peer sends is never trusted: every length is checked against what
 * was received, every count against a capacity, every product for overflow,
 * every string for its terminator, before anything is copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ixg_wire.h"

static const size_t msg_sizes[IXG_MSG_TYPE_MAX] = {
	[IXG_MSG_HELLO] = sizeof(struct ixg_msg_hello),
	[IXG_MSG_HELLO_REPLY] = sizeof(struct ixg_msg_hello_reply),
	[IXG_MSG_REPLY] = sizeof(struct ixg_msg_reply),
	[IXG_MSG_TXN_BEGIN] = sizeof(struct ixg_msg_txn_begin),
	[IXG_MSG_TXN_TABLE] = sizeof(struct ixg_msg_txn_table),
	[IXG_MSG_TXN_COMMIT] = sizeof(struct ixg_msg_txn_commit),
	[IXG_MSG_COMMIT_REPLY] = sizeof(struct ixg_msg_commit_reply),
	[IXG_MSG_TXN_ABORT] = sizeof(struct ixg_msg_txn_abort),
	[IXG_MSG_GET_STATE] = sizeof(struct ixg_msg_get_state),
	[IXG_MSG_STATE] = sizeof(struct ixg_msg_state),
	[IXG_MSG_GET_IDS] = sizeof(struct ixg_msg_get_ids),
	[IXG_MSG_IDS] = sizeof(struct ixg_msg_ids),
	[IXG_MSG_GET_SAMPLES] = sizeof(struct ixg_msg_get_samples),
	[IXG_MSG_SAMPLES] = sizeof(struct ixg_msg_samples),
	[IXG_MSG_TXN_DELTA] = sizeof(struct ixg_msg_txn_delta),
	[IXG_MSG_PEER_DOWN] = sizeof(struct ixg_msg_peer_down),
	[IXG_MSG_GET_LLADDRS] = sizeof(struct ixg_msg_get_lladdrs),
	[IXG_MSG_LLADDRS] = sizeof(struct ixg_msg_lladdrs),
};

static const char *const msg_names[IXG_MSG_TYPE_MAX] = {
	[IXG_MSG_HELLO] = "hello",
	[IXG_MSG_HELLO_REPLY] = "hello_reply",
	[IXG_MSG_REPLY] = "reply",
	[IXG_MSG_TXN_BEGIN] = "txn_begin",
	[IXG_MSG_TXN_TABLE] = "txn_table",
	[IXG_MSG_TXN_COMMIT] = "txn_commit",
	[IXG_MSG_COMMIT_REPLY] = "commit_reply",
	[IXG_MSG_TXN_ABORT] = "txn_abort",
	[IXG_MSG_GET_STATE] = "get_state",
	[IXG_MSG_STATE] = "state",
	[IXG_MSG_GET_IDS] = "get_ids",
	[IXG_MSG_IDS] = "ids",
	[IXG_MSG_GET_SAMPLES] = "get_samples",
	[IXG_MSG_SAMPLES] = "samples",
	[IXG_MSG_TXN_DELTA] = "txn_delta",
	[IXG_MSG_PEER_DOWN] = "peer_down",
	[IXG_MSG_GET_LLADDRS] = "get_lladdrs",
	[IXG_MSG_LLADDRS] = "lladdrs",
};

static const char *const status_names[] = {
	[IXG_ST_OK] = "ok",
	[IXG_ST_BAD_MESSAGE] = "bad_message",
	[IXG_ST_BAD_VERSION] = "bad_version",
	[IXG_ST_UNKNOWN_TYPE] = "unknown_type",
	[IXG_ST_NO_TXN] = "no_txn",
	[IXG_ST_TXN_OPEN] = "txn_open",
	[IXG_ST_STALE] = "stale",
	[IXG_ST_INVALID] = "invalid",
	[IXG_ST_CAPACITY] = "capacity",
	[IXG_ST_NO_MEMORY] = "no_memory",
	[IXG_ST_BUSY] = "busy",
	[IXG_ST_INTERNAL] = "internal",
};

/* The seals a TXN_TABLE memfd must carry (ixg_table_from_fd). */
#define TABLE_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Where a table lives in struct ixg_spec: the count and the array (the
 * node: no count, the inline struct). */
#define NO_FIELD SIZE_MAX
#define COUNT_OFF_ONE(field) NO_FIELD
#define COUNT_OFF_ARRAY(field) offsetof(struct ixg_spec, n_##field)
#define ORIGIN_OFF_ORIGIN(type) offsetof(type, origin)
#define ORIGIN_OFF_NO_ORIGIN(type) IXG_NO_ORIGIN
#define STR_DESC(type, member)                                                 \
	{offsetof(type, member), sizeof(((type *)0)->member), #member},

struct table_desc {
	struct ixg_table_info info;
	size_t n_off; /* offsetof(struct ixg_spec, n_...), NO_FIELD: the node */
	size_t p_off; /* offsetof(struct ixg_spec, <array>) or of the node */
};

/* One descriptor per IXG_SPEC_TABLES entry, indexed by its wire number. */
static const struct table_desc tables[IXG_TBL_MAX] = {
#define X_DESC(id, wire, field, type, size, cap, shape, origin, strings)       \
	[IXG_TBL_##id] = {                                                     \
		.info = {.name = #field,                                       \
			 .elem_size = sizeof(type),                            \
			 .capacity = (cap),                                    \
			 .one = COUNT_OFF_##shape(field) == NO_FIELD,          \
			 .origin_off = ORIGIN_OFF_##origin(type),              \
			 .str = {strings{0, 0, NULL}}},                        \
		.n_off = COUNT_OFF_##shape(field),                             \
		.p_off = offsetof(struct ixg_spec, field),                     \
	},
	IXG_SPEC_TABLES(X_DESC, STR_DESC)
#undef X_DESC
};

static const struct table_desc *
table_desc(unsigned table)
{
	if (table == 0 || table >= IXG_TBL_MAX)
		return NULL;
	return &tables[table];
}

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
ixg_msg_init(struct ixg_msg_hdr *hdr, enum ixg_msg_type type, uint32_t len,
	     uint32_t seq)
{
	hdr->magic = IXG_API_MAGIC;
	hdr->version = IXG_API_VERSION;
	hdr->type = (uint16_t)type;
	hdr->len = len;
	hdr->seq = seq;
}

size_t
ixg_msg_size(unsigned type)
{
	return type < IXG_MSG_TYPE_MAX ? msg_sizes[type] : 0;
}

const char *
ixg_msg_type_name(unsigned type)
{
	if (type >= IXG_MSG_TYPE_MAX || msg_names[type] == NULL)
		return "unknown";
	return msg_names[type];
}

enum ixg_status
ixg_msg_check(const void *buf, size_t len, uint16_t *type, char *err,
	      size_t errlen)
{
	struct ixg_msg_hdr h;
	size_t want;

	*type = 0;
	if (len < sizeof(h)) {
		errf(err, errlen,
		     "message of %zu bytes is shorter than a "
		     "header (%zu)",
		     len, sizeof(h));
		return IXG_ST_BAD_MESSAGE;
	}
	/* The buffer may come unaligned from a fuzzer or a file. */
	memcpy(&h, buf, sizeof(h));
	if (h.magic != IXG_API_MAGIC) {
		errf(err, errlen, "bad magic 0x%08" PRIx32, h.magic);
		return IXG_ST_BAD_MESSAGE;
	}
	*type = h.type;
	if (len > IXG_MSG_MAX) {
		errf(err, errlen, "message of %zu bytes exceeds %u", len,
		     IXG_MSG_MAX);
		return IXG_ST_BAD_MESSAGE;
	}
	/* Version before type: another version may have other types. */
	if (h.version != IXG_API_VERSION) {
		errf(err, errlen, "API version %u, this side speaks %u",
		     h.version, IXG_API_VERSION);
		return IXG_ST_BAD_VERSION;
	}
	if (h.len != len) {
		errf(err, errlen, "header says %" PRIu32 " bytes, %zu received",
		     h.len, len);
		return IXG_ST_BAD_MESSAGE;
	}
	want = ixg_msg_size(h.type);
	if (want == 0) {
		errf(err, errlen, "unknown message type %u", h.type);
		return IXG_ST_UNKNOWN_TYPE;
	}
	if (len != want) {
		errf(err, errlen, "%s message of %zu bytes, expected %zu",
		     ixg_msg_type_name(h.type), len, want);
		return IXG_ST_BAD_MESSAGE;
	}
	return IXG_ST_OK;
}

int
ixg_send(int fd, const void *msg, size_t len, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)(uintptr_t)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Close every descriptor of every SCM_RIGHTS in mh; count them. */
static unsigned
close_passed_fds(struct msghdr *mh, int *first)
{
	struct cmsghdr *c;
	unsigned n = 0;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int pfd;

			memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (n == 0 && first != NULL)
				*first = pfd;
			else
				close(pfd);
			n++;
		}
	}
	return n;
}

ssize_t
ixg_recv(int fd, void *buf, size_t cap, int *recv_fd)
{
	/* Room for a few descriptors, so a peer passing more than one is
	 * seen (and its descriptors closed) rather than cut short. */
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int first = -1;
	unsigned n_fds, n_cmsg = 0;
	bool bad = false;
	ssize_t n;

	if (recv_fd != NULL)
		*recv_fd = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		n_cmsg++;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			bad = true;
	}
	n_fds = close_passed_fds(&mh, &first);
	if (n_fds > 1 || (n_cmsg > 0 && n_fds == 0))
		bad = true;
	if (mh.msg_flags & MSG_CTRUNC)
		bad = true;
	if (bad || (mh.msg_flags & MSG_TRUNC) || recv_fd == NULL) {
		if (first >= 0)
			close(first);
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (bad)
			return -EBADMSG;
		return n;
	}
	*recv_fd = first;
	return n;
}

const char *
ixg_status_name(int status)
{
	if (status < 0 ||
	    (size_t)status >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown";
	return status_names[status];
}

const char *
ixg_table_name(unsigned table)
{
	const struct table_desc *d = table_desc(table);

	return d != NULL ? d->info.name : "unknown";
}

size_t
ixg_table_elem_size(unsigned table)
{
	const struct table_desc *d = table_desc(table);

	return d != NULL ? d->info.elem_size : 0;
}

uint64_t
ixg_table_capacity(unsigned table)
{
	const struct table_desc *d = table_desc(table);

	return d != NULL ? d->info.capacity : 0;
}

/* Descriptor of a table (see ixg_wire.h). Any thread. */
const struct ixg_table_info *
ixg_table_info(unsigned table)
{
	const struct table_desc *d = table_desc(table);

	return d != NULL ? &d->info : NULL;
}

static uint32_t *
spec_count_ptr(struct ixg_spec *spec, const struct table_desc *d)
{
	return (uint32_t *)((char *)spec + d->n_off);
}

static void **
spec_array_ptr(struct ixg_spec *spec, const struct table_desc *d)
{
	return (void **)((char *)spec + d->p_off);
}

uint64_t
ixg_spec_table_count(const struct ixg_spec *spec, unsigned table)
{
	const struct table_desc *d = table_desc(table);

	if (d == NULL)
		return 0;
	if (d->info.one)
		return 1;
	return *spec_count_ptr((struct ixg_spec *)(uintptr_t)spec, d);
}

const void *
ixg_spec_table_data(const struct ixg_spec *spec, unsigned table)
{
	const struct table_desc *d = table_desc(table);

	if (d == NULL)
		return NULL;
	if (d->info.one)
		return (const char *)spec + d->p_off;
	return *spec_array_ptr((struct ixg_spec *)(uintptr_t)spec, d);
}

void
ixg_spec_table_free(struct ixg_spec *spec, unsigned table)
{
	const struct table_desc *d = table_desc(table);
	void **p;

	if (d == NULL)
		return;
	if (d->info.one) {
		memset((char *)spec + d->p_off, 0, d->info.elem_size);
		return;
	}
	p = spec_array_ptr(spec, d);
	free(*p);
	*p = NULL;
	*spec_count_ptr(spec, d) = 0;
}

/* Origin of one element (see ixg_wire.h). Any thread. */
uint32_t
ixg_spec_table_origin(const struct ixg_spec *spec, unsigned table,
		      uint32_t index)
{
	const struct table_desc *d = table_desc(table);
	const char *data;
	uint32_t o;

	if (d == NULL || d->info.origin_off == IXG_NO_ORIGIN ||
	    index >= ixg_spec_table_count(spec, table))
		return UINT32_MAX;
	data = ixg_spec_table_data(spec, table);
	memcpy(&o,
	       data + (size_t)index * d->info.elem_size + d->info.origin_off,
	       sizeof(o));
	return o;
}

/* Free every array of a spec (see ixg_wire.h). Any thread. */
void
ixg_spec_tables_free(struct ixg_spec *spec)
{
	for (unsigned t = 1; t < IXG_TBL_MAX; t++)
		ixg_spec_table_free(spec, t);
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	off_t off = 0;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ixg_table_to_memfd(const struct ixg_spec *spec, unsigned table, int *fd,
		   uint64_t *count)
{
	const struct table_desc *d = table_desc(table);
	const void *data;
	size_t size;
	uint64_t n;
	int mfd, rc;

	*fd = -1;
	*count = 0;
	if (d == NULL)
		return -EINVAL;
	n = ixg_spec_table_count(spec, table);
	data = ixg_spec_table_data(spec, table);
	if (n == 0)
		return 0;
	if (data == NULL)
		return -EINVAL;
	size = (size_t)n * d->info.elem_size;
	mfd = memfd_create(d->info.name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	if (ftruncate(mfd, (off_t)size) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = write_all(mfd, data, size);
	if (rc < 0)
		goto fail;
	/* Sealed, the receiver can map it without fearing SIGBUS from a
	 * shrink or content changing under its checks. */
	if (fcntl(mfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) <
	    0) {
		rc = -errno;
		goto fail;
	}
	*fd = mfd;
	*count = n;
	return 0;
fail:
	close(mfd);
	return rc;
}

void
ixg_msg_txn_table_init(struct ixg_msg_txn_table *m, unsigned table,
		       uint64_t count, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	ixg_msg_init(&m->hdr, IXG_MSG_TXN_TABLE, sizeof(*m), seq);
	m->table = (uint16_t)table;
	m->elem_size = (uint32_t)ixg_table_elem_size(table);
	m->count = count;
	m->offset = 0;
}

/* pread exactly len bytes at off; -EIO if the file ends first. */
static int
read_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	if (off > (uint64_t)INT64_MAX - len)
		return -EOVERFLOW;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Index of the first element with an unterminated string, or -1. */
static int64_t
find_unterminated(const struct table_desc *d, const char *arr, uint64_t n,
		  const char **field)
{
	for (uint64_t i = 0; i < n; i++) {
		const char *e = arr + i * d->info.elem_size;

		for (unsigned k = 0;
		     k < IXG_TABLE_MAX_STR && d->info.str[k].len != 0; k++) {
			if (memchr(e + d->info.str[k].off, '\0',
				   d->info.str[k].len) == NULL) {
				*field = d->info.str[k].name;
				return (int64_t)i;
			}
		}
	}
	return -1;
}

enum ixg_status
ixg_table_from_fd(int fd, const struct ixg_msg_txn_table *m,
		  struct ixg_spec *shadow, uint32_t *owned, uint32_t *err_index,
		  char *err)
{
	const struct table_desc *d = table_desc(m->table);
	const size_t errlen = IXG_WIRE_ERR_LEN;
	uint64_t bytes, end;
	const char *field = NULL;
	void *copy;
	struct stat st;
	int64_t bad;
	int seals;

	if (err_index != NULL)
		*err_index = UINT32_MAX;
	err[0] = '\0';
	if (d == NULL) {
		errf(err, errlen, "table id %u out of range (1..%u)", m->table,
		     IXG_TBL_MAX - 1);
		return IXG_ST_BAD_MESSAGE;
	}
	if (m->elem_size != d->info.elem_size) {
		errf(err, errlen, "%s: element size %" PRIu32 ", expected %zu",
		     d->info.name, m->elem_size, d->info.elem_size);
		return IXG_ST_BAD_MESSAGE;
	}
	if (m->count > d->info.capacity) {
		errf(err, errlen,
		     "%s: %" PRIu64 " elements exceed the "
		     "capacity of %" PRIu64,
		     d->info.name, m->count, d->info.capacity);
		return IXG_ST_CAPACITY;
	}
	if (d->info.one && m->count != 1) {
		errf(err, errlen, "%s: %" PRIu64 " elements, expected 1",
		     d->info.name, m->count);
		return IXG_ST_BAD_MESSAGE;
	}
	/* count <= capacity < 2^23 and elem_size < 2^9: no overflow here. */
	bytes = m->count * d->info.elem_size;
	if (m->count == 0) {
		if (*owned & (1u << m->table))
			ixg_spec_table_free(shadow, m->table);
		*spec_array_ptr(shadow, d) = NULL;
		*spec_count_ptr(shadow, d) = 0;
		*owned &= ~(1u << m->table);
		return IXG_ST_OK;
	}
	if (fd < 0) {
		errf(err, errlen,
		     "%s: %" PRIu64 " elements but no memfd "
		     "passed",
		     d->info.name, m->count);
		return IXG_ST_BAD_MESSAGE;
	}
	if (fstat(fd, &st) < 0) {
		errf(err, errlen, "%s: fstat: %s", d->info.name,
		     strerror(errno));
		return IXG_ST_BAD_MESSAGE;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0) {
		errf(err, errlen, "%s: passed descriptor is not a memfd",
		     d->info.name);
		return IXG_ST_BAD_MESSAGE;
	}
	/* Sealed against shrinking, growing and writing: what is checked
	 * below is what gets built, whatever the sender does meanwhile. */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & TABLE_SEALS) != TABLE_SEALS) {
		errf(err, errlen,
		     "%s: passed descriptor is not a sealed memfd (needs "
		     "F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_WRITE)",
		     d->info.name);
		return IXG_ST_BAD_MESSAGE;
	}
	if (__builtin_add_overflow(m->offset, bytes, &end) ||
	    end > (uint64_t)st.st_size) {
		errf(err, errlen,
		     "%s: %" PRIu64 " bytes at offset %" PRIu64
		     " exceed the memfd's %" PRIu64 " bytes",
		     d->info.name, bytes, m->offset, (uint64_t)st.st_size);
		return IXG_ST_BAD_MESSAGE;
	}
	copy = malloc((size_t)bytes);
	if (copy == NULL) {
		errf(err, errlen, "%s: out of memory for %" PRIu64 " bytes",
		     d->info.name, bytes);
		return IXG_ST_NO_MEMORY;
	}
	/* pread into a private copy: the checks below run on it, and a
	 * short read is an error, never a SIGBUS. */
	if (read_all(fd, copy, (size_t)bytes, m->offset) < 0) {
		errf(err, errlen,
		     "%s: reading %" PRIu64 " bytes at offset %" PRIu64
		     " failed",
		     d->info.name, bytes, m->offset);
		free(copy);
		return IXG_ST_BAD_MESSAGE;
	}
	bad = find_unterminated(d, copy, m->count, &field);
	if (bad >= 0) {
		errf(err, errlen, "%s[%" PRId64 "]: %s not NUL-terminated",
		     d->info.name, bad, field);
		if (err_index != NULL)
			*err_index = (uint32_t)bad;
		free(copy);
		return IXG_ST_INVALID;
	}
	if (d->info.one) {
		memcpy((char *)shadow + d->p_off, copy, d->info.elem_size);
		free(copy);
		return IXG_ST_OK;
	}
	if (*owned & (1u << m->table))
		ixg_spec_table_free(shadow, m->table);
	*spec_array_ptr(shadow, d) = copy;
	*spec_count_ptr(shadow, d) = (uint32_t)m->count;
	*owned |= 1u << m->table;
	return IXG_ST_OK;
}

/* ---- id maps (GET_IDS / IDS) ---- */

static void
id_entry(struct ixg_id_entry *e, unsigned table, uint32_t id, uint32_t origin,
	 const char *name)
{
	memset(e, 0, sizeof(*e));
	e->table = (uint16_t)table;
	e->id = id;
	e->origin = origin;
	snprintf(e->name, sizeof(e->name), "%s", name);
}

/* Id map of a spec into a sealed memfd (see ixg_wire.h). Any thread. */
int
ixg_ids_to_memfd(const struct ixg_spec *spec, int *fd, uint64_t *count)
{
	uint64_t n = (uint64_t)spec->n_ports + spec->n_peers + spec->n_classes +
		     spec->n_acl_rules + spec->n_countries;
	struct ixg_id_entry *v;
	uint64_t k = 0;
	uint32_t i;
	int mfd, rc;

	*fd = -1;
	*count = 0;
	for (i = 0; i < spec->n_nhgroups; i++)
		n += spec->nhgroups[i].n_members;
	if (n == 0)
		return 0;
	if (n > IXG_MAX_ID_ENTRIES)
		return -E2BIG;
	v = calloc((size_t)n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < spec->n_ports; i++)
		id_entry(&v[k++], IXG_TBL_PORTS, spec->ports[i].id,
			 spec->ports[i].origin, spec->ports[i].name);
	for (i = 0; i < spec->n_peers; i++)
		id_entry(&v[k++], IXG_TBL_PEERS, spec->peers[i].id,
			 spec->peers[i].origin, spec->peers[i].name);
	for (i = 0; i < spec->n_classes; i++)
		id_entry(&v[k++], IXG_TBL_CLASSES, spec->classes[i].id,
			 spec->classes[i].origin, spec->classes[i].name);
	for (i = 0; i < spec->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = &spec->acl_rules[i];

		id_entry(&v[k], IXG_TBL_ACL_RULES, r->id, r->origin, r->name);
		v[k].family = r->family;
		v[k++].priority = r->priority;
	}
	for (i = 0; i < spec->n_countries; i++) {
		char cc[3] = {(char)(spec->countries[i] >> 8),
			      (char)(spec->countries[i] & 0xff), '\0'};

		id_entry(&v[k++], IXG_TBL_COUNTRIES, i, 0, cc);
	}
	/* a group: one entry per member (ixg_api.h, struct ixg_id_entry) */
	for (i = 0; i < spec->n_nhgroups; i++) {
		const struct ixg_spec_nhgroup *g = &spec->nhgroups[i];

		for (unsigned m = 0; m < g->n_members; m++) {
			id_entry(&v[k], IXG_TBL_NHGROUPS, g->id, g->origin, "");
			v[k].family = g->n_members;
			v[k++].priority = (uint32_t)g->peer_id[m] << 16 |
					  g->weight[m];
		}
	}
	mfd = memfd_create("ids", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		rc = -errno;
		free(v);
		return rc;
	}
	rc = ftruncate(mfd, (off_t)(n * sizeof(*v))) < 0 ? -errno : 0;
	if (rc == 0)
		rc = write_all(mfd, v, (size_t)n * sizeof(*v));
	if (rc == 0 &&
	    fcntl(mfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		rc = -errno;
	free(v);
	if (rc < 0) {
		close(mfd);
		return rc;
	}
	*fd = mfd;
	*count = n;
	return 0;
}

/* Release a skeleton from ixg_ids_from_fd (see ixg_wire.h). */
void
ixg_ids_free(struct ixg_spec *ids)
{
	free(ids->ports);
	free(ids->peers);
	free(ids->classes);
	free(ids->acl_rules);
	free(ids->countries);
	free(ids->nhgroups); /* a daemon's copy may have them */
	memset(ids, 0, sizeof(*ids));
}

/* One entry's id range and name rules; a one-line reason into err. */
static bool
id_entry_ok(const struct ixg_id_entry *e, char *err)
{
	static const uint32_t lo[IXG_TBL_MAX] = {
		[IXG_TBL_PORTS] = 0,	 [IXG_TBL_PEERS] = 1,
		[IXG_TBL_CLASSES] = 1,	 [IXG_TBL_ACL_RULES] = 1,
		[IXG_TBL_COUNTRIES] = 0, [IXG_TBL_NHGROUPS] = 0,
	};
	static const uint32_t cap[IXG_TBL_MAX] = {
		[IXG_TBL_PORTS] = IXG_MAX_PORTS,
		[IXG_TBL_PEERS] = IXG_MAX_PEERS,
		[IXG_TBL_CLASSES] = IXG_MAX_CLASSES,
		[IXG_TBL_ACL_RULES] = IXG_MAX_ACL_RULES,
		[IXG_TBL_COUNTRIES] = IXG_MAX_COUNTRIES,
		[IXG_TBL_NHGROUPS] = IXG_MAX_NHGROUPS};
	size_t len = strnlen(e->name, sizeof(e->name));

	if (e->table >= IXG_TBL_MAX || cap[e->table] == 0) {
		errf(err, IXG_WIRE_ERR_LEN, "table %u has no ids", e->table);
		return false;
	}
	if (e->id < lo[e->table] || e->id >= cap[e->table]) {
		errf(err, IXG_WIRE_ERR_LEN,
		     "%s id %" PRIu32 " out of range "
		     "(%" PRIu32 "..%" PRIu32 ")",
		     ixg_table_name(e->table), e->id, lo[e->table],
		     cap[e->table] - 1);
		return false;
	}
	if (len == sizeof(e->name)) {
		errf(err, IXG_WIRE_ERR_LEN,
		     "%s id %" PRIu32 ": name not "
		     "NUL-terminated",
		     ixg_table_name(e->table), e->id);
		return false;
	}
	if (e->table == IXG_TBL_NHGROUPS) {
		unsigned peer = e->priority >> 16, w = e->priority & 0xffff;

		if (e->family < 1 || e->family > IXG_NHG_MAX_MEMBERS ||
		    peer == 0 || peer >= IXG_MAX_PEERS || w < 1 || w > 256 ||
		    len != 0) {
			errf(err, IXG_WIRE_ERR_LEN,
			     "nhgroups id %" PRIu32
			     ": member peer %u weight %u of %u (peers "
			     "1..%u, weights 1..256, 1..%u members, no name)",
			     e->id, peer, w, e->family, IXG_MAX_PEERS - 1,
			     IXG_NHG_MAX_MEMBERS);
			return false;
		}
	} else if (e->table == IXG_TBL_ACL_RULES) {
		if (e->family != 4 && e->family != 6) {
			errf(err, IXG_WIRE_ERR_LEN,
			     "acl rule id %" PRIu32 ": family %u (4 or 6)",
			     e->id, e->family);
			return false;
		}
	} else if (e->table == IXG_TBL_COUNTRIES ? len != 2 : len == 0) {
		errf(err, IXG_WIRE_ERR_LEN, "%s id %" PRIu32 ": bad name",
		     ixg_table_name(e->table), e->id);
		return false;
	}
	return true;
}

/* Decode an IDS reply (see ixg_wire.h). Any thread. */
enum ixg_status
ixg_ids_from_fd(int fd, const struct ixg_msg_ids *m, struct ixg_spec *ids,
		char *err)
{
	uint8_t *seen = NULL; /* [table][id] */
	struct ixg_id_entry *v = NULL;
	uint32_t n[IXG_TBL_MAX] = {0}, ncc = 0;
	enum ixg_status st = IXG_ST_BAD_MESSAGE;
	uint64_t bytes, end, i;
	struct stat sb;
	struct ixg_spec s;

	memset(ids, 0, sizeof(*ids));
	memset(&s, 0, sizeof(s));
	err[0] = '\0';
	if (m->status != IXG_ST_OK) {
		errf(err, IXG_WIRE_ERR_LEN, "dataplane answered %s",
		     ixg_status_name(m->status));
		return (enum ixg_status)m->status;
	}
	if (m->elem_size != sizeof(struct ixg_id_entry)) {
		errf(err, IXG_WIRE_ERR_LEN,
		     "ids: element size %" PRIu32 ", expected %zu",
		     m->elem_size, sizeof(struct ixg_id_entry));
		return IXG_ST_BAD_MESSAGE;
	}
	if (m->count > IXG_MAX_ID_ENTRIES) {
		errf(err, IXG_WIRE_ERR_LEN,
		     "ids: %" PRIu64 " entries exceed "
		     "%u",
		     m->count, (unsigned)IXG_MAX_ID_ENTRIES);
		return IXG_ST_CAPACITY;
	}
	if (m->count == 0)
		return IXG_ST_OK;
	bytes = m->count * sizeof(struct ixg_id_entry);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		errf(err, IXG_WIRE_ERR_LEN,
		     "ids: %" PRIu64 " entries but no "
		     "memfd",
		     m->count);
		return IXG_ST_BAD_MESSAGE;
	}
	if (__builtin_add_overflow(m->offset, bytes, &end) ||
	    end > (uint64_t)sb.st_size) {
		errf(err, IXG_WIRE_ERR_LEN,
		     "ids: %" PRIu64 " bytes at offset "
		     "%" PRIu64 " exceed the memfd's %" PRIu64,
		     bytes, m->offset, (uint64_t)sb.st_size);
		return IXG_ST_BAD_MESSAGE;
	}
	v = malloc((size_t)bytes);
	seen = calloc(IXG_TBL_MAX, IXG_MAX_ACL_RULES);
	if (v == NULL || seen == NULL) {
		st = IXG_ST_NO_MEMORY;
		errf(err, IXG_WIRE_ERR_LEN, "ids: out of memory");
		goto out;
	}
	if (read_all(fd, v, (size_t)bytes, m->offset) < 0) {
		errf(err, IXG_WIRE_ERR_LEN, "ids: short read");
		goto out;
	}
	for (i = 0; i < m->count; i++) {
		const struct ixg_id_entry *e = &v[i];

		if (!id_entry_ok(e, err))
			goto out;
		if (e->table == IXG_TBL_NHGROUPS) {
			/* a group: its member count of entries in a row, one
			 * id, count and origin, distinct peers */
			if (i + e->family > m->count ||
			    seen[(size_t)e->table * IXG_MAX_ACL_RULES +
				 e->id]++) {
				errf(err, IXG_WIRE_ERR_LEN,
				     "nhgroups id %" PRIu32
				     ": twice, or fewer than its %u members",
				     e->id, e->family);
				goto out;
			}
			for (unsigned q = 1; q < e->family; q++) {
				const struct ixg_id_entry *x = &e[q];

				if (!id_entry_ok(x, err))
					goto out;
				if (x->table != e->table || x->id != e->id ||
				    x->family != e->family ||
				    x->origin != e->origin) {
					errf(err, IXG_WIRE_ERR_LEN,
					     "nhgroups id %" PRIu32
					     ": fewer than its %u members "
					     "in a row",
					     e->id, e->family);
					goto out;
				}
				for (unsigned r = 0; r < q; r++)
					if (e[r].priority >> 16 ==
					    x->priority >> 16) {
						errf(err, IXG_WIRE_ERR_LEN,
						     "nhgroups id %" PRIu32
						     ": peer %u twice",
						     e->id, x->priority >> 16);
						goto out;
					}
			}
			n[e->table]++;
			i += e->family - 1u;
			continue;
		}
		if (seen[(size_t)e->table * IXG_MAX_ACL_RULES + e->id]++) {
			errf(err, IXG_WIRE_ERR_LEN, "%s id %" PRIu32 " twice",
			     ixg_table_name(e->table), e->id);
			goto out;
		}
		n[e->table]++;
		if (e->table == IXG_TBL_COUNTRIES && e->id + 1 > ncc)
			ncc = e->id + 1;
	}
	s.ports = calloc(n[IXG_TBL_PORTS] + 1, sizeof(*s.ports));
	s.peers = calloc(n[IXG_TBL_PEERS] + 1, sizeof(*s.peers));
	s.classes = calloc(n[IXG_TBL_CLASSES] + 1, sizeof(*s.classes));
	s.acl_rules = calloc(n[IXG_TBL_ACL_RULES] + 1, sizeof(*s.acl_rules));
	s.countries = calloc(ncc + 1, sizeof(*s.countries));
	s.nhgroups = calloc(n[IXG_TBL_NHGROUPS] + 1, sizeof(*s.nhgroups));
	if (s.ports == NULL || s.peers == NULL || s.classes == NULL ||
	    s.acl_rules == NULL || s.countries == NULL || s.nhgroups == NULL) {
		st = IXG_ST_NO_MEMORY;
		errf(err, IXG_WIRE_ERR_LEN, "ids: out of memory");
		goto out;
	}
	/* Indices no entry names are holes, as the compiler leaves them. */
	for (i = 0; i < ncc; i++)
		s.countries[i] = IXG_CC('-', '-');
	s.n_countries = ncc;
	for (i = 0; i < m->count; i++) {
		const struct ixg_id_entry *e = &v[i];

		switch (e->table) {
		case IXG_TBL_PORTS:
			s.ports[s.n_ports].id = (uint16_t)e->id;
			s.ports[s.n_ports].origin = e->origin;
			memcpy(s.ports[s.n_ports++].name, e->name,
			       sizeof(e->name));
			break;
		case IXG_TBL_PEERS:
			s.peers[s.n_peers].id = (uint16_t)e->id;
			s.peers[s.n_peers].origin = e->origin;
			memcpy(s.peers[s.n_peers++].name, e->name,
			       sizeof(e->name));
			break;
		case IXG_TBL_CLASSES:
			s.classes[s.n_classes].id = (uint16_t)e->id;
			s.classes[s.n_classes].origin = e->origin;
			memcpy(s.classes[s.n_classes++].name, e->name,
			       sizeof(e->name));
			break;
		case IXG_TBL_ACL_RULES:
			s.acl_rules[s.n_acl_rules].id = e->id;
			s.acl_rules[s.n_acl_rules].family = e->family;
			s.acl_rules[s.n_acl_rules].priority = e->priority;
			s.acl_rules[s.n_acl_rules].origin = e->origin;
			memcpy(s.acl_rules[s.n_acl_rules++].name, e->name,
			       sizeof(e->name));
			break;
		case IXG_TBL_NHGROUPS: {
			/* the group's members follow in a row (checked) */
			struct ixg_spec_nhgroup *g =
				&s.nhgroups[s.n_nhgroups++];

			g->id = (uint16_t)e->id;
			g->origin = e->origin;
			g->n_members = e->family;
			for (unsigned q = 0; q < e->family; q++) {
				g->peer_id[q] = (uint16_t)(e[q].priority >> 16);
				g->weight[q] = (uint16_t)(e[q].priority &
							  0xffff);
			}
			i += e->family - 1u;
			break;
		}
		default: /* IXG_TBL_COUNTRIES */
			s.countries[e->id] = IXG_CC(e->name[0], e->name[1]);
			break;
		}
	}
	*ids = s;
	memset(&s, 0, sizeof(s));
	st = IXG_ST_OK;
out:
	ixg_ids_free(&s);
	free(v);
	free(seen);
	return st;
}

/* ---- route deltas (TXN_DELTA) ---- */

/* The tables a delta may carry (routes and sources), and what their
 * elements are. A source table's key is (prefix, peer_id): by_peer. */
struct route_desc {
	const char *name;
	int family;
	size_t elem, edit; /* spec element, struct ixg_delta_route/source* */
	uint64_t capacity;
	bool by_peer;
};

static const struct route_desc *
route_desc(unsigned table)
{
	static const struct route_desc r4 = {"routes4",
					     4,
					     sizeof(struct ixg_spec_route4),
					     sizeof(struct ixg_delta_route4),
					     IXG_MAX_ROUTES4,
					     false};
	static const struct route_desc r6 = {"routes6",
					     6,
					     sizeof(struct ixg_spec_route6),
					     sizeof(struct ixg_delta_route6),
					     IXG_MAX_ROUTES6,
					     false};
	static const struct route_desc s4 = {"sources4",
					     4,
					     sizeof(struct ixg_spec_route4),
					     sizeof(struct ixg_delta_source4),
					     IXG_MAX_ROUTES4,
					     true};
	static const struct route_desc s6 = {"sources6",
					     6,
					     sizeof(struct ixg_spec_route6),
					     sizeof(struct ixg_delta_source6),
					     IXG_MAX_ROUTES6,
					     true};

	switch (table) {
	case IXG_TBL_ROUTES4: return &r4;
	case IXG_TBL_ROUTES6: return &r6;
	case IXG_TBL_SOURCES4: return &s4;
	case IXG_TBL_SOURCES6: return &s6;
	default: return NULL;
	}
}

/* The peer of a route or source element (the same offset in both). */
static uint16_t
elem_peer(int family, const void *e)
{
	return family == 4 ? ((const struct ixg_spec_route4 *)e)->peer_id
			   : ((const struct ixg_spec_route6 *)e)->peer_id;
}

static int pfx_cmp(int family, const void *a, const void *b);

/* Order of two elements' keys: the prefix (pfx_cmp), then for a source
 * table the peer. */
static int
route_cmp(const struct route_desc *d, const void *a, const void *b)
{
	int c = pfx_cmp(d->family, a, b);

	if (c != 0 || !d->by_peer)
		return c;
	return (int)elem_peer(d->family, a) - (int)elem_peer(d->family, b);
}

/* Order of two route elements' prefixes: address, then length. */
static int
pfx_cmp(int family, const void *a, const void *b)
{
	if (family == 4) {
		const struct ixg_spec_route4 *x = a, *y = b;

		if (x->addr != y->addr)
			return x->addr < y->addr ? -1 : 1;
		return x->len < y->len ? -1 : x->len > y->len;
	} else {
		const struct ixg_spec_route6 *x = a, *y = b;
		int d = memcmp(x->addr, y->addr, 16);

		if (d != 0)
			return d;
		return x->len < y->len ? -1 : x->len > y->len;
	}
}

/* "10.0.0.0/24" of a route element. */
static void
route_fmt(int family, const void *e, char *buf, size_t len)
{
	if (family == 4) {
		const struct ixg_spec_route4 *r = e;

		snprintf(buf, len, "%u.%u.%u.%u/%u", r->addr >> 24,
			 (r->addr >> 16) & 255, (r->addr >> 8) & 255,
			 r->addr & 255, r->len);
	} else {
		const struct ixg_spec_route6 *r = e;
		size_t off = 0;

		for (unsigned i = 0; i < 16 && off < len; i += 2)
			off += (size_t)snprintf(
				buf + off, len - off, "%s%x", i ? ":" : "",
				r->addr[i] << 8 | r->addr[i + 1]);
		if (off < len)
			snprintf(buf + off, len - off, "/%u", r->len);
	}
}

/* route_fmt, and " peer N" for a source. */
static void
elem_fmt(const struct route_desc *d, const void *e, char *buf, size_t len)
{
	route_fmt(d->family, e, buf, len);
	if (d->by_peer) {
		size_t off = strlen(buf);

		if (off < len)
			snprintf(buf + off, len - off, " peer %u",
				 elem_peer(d->family, e));
	}
}

/* Whether the prefix has a valid length and no bit set past it. */
static bool
route_clean(int family, const void *e, const char **why)
{
	if (family == 4) {
		const struct ixg_spec_route4 *r = e;

		if (r->len > 32) {
			*why = "len over 32";
			return false;
		}
		if (r->len < 32 && (r->addr & (UINT32_MAX >> r->len)) != 0) {
			*why = "addr has bits set past len";
			return false;
		}
	} else {
		const struct ixg_spec_route6 *r = e;

		if (r->len > 128) {
			*why = "len over 128";
			return false;
		}
		for (unsigned b = r->len; b < 128; b++)
			if (r->addr[b / 8] & (0x80 >> (b % 8))) {
				*why = "addr has bits set past len";
				return false;
			}
	}
	return true;
}

int64_t
ixg_routes_unsorted(unsigned table, const void *arr, uint64_t n)
{
	const struct route_desc *d = route_desc(table);
	const char *p = arr;

	if (d == NULL)
		return 0;
	for (uint64_t i = 1; i < n; i++)
		if (route_cmp(d, p + (i - 1) * d->elem, p + i * d->elem) >= 0)
			return (int64_t)i;
	return -1;
}

/*
 * LSD radix sort of 64-bit keys by their bits 26..63 (the prefix: the
 * low 26 bits are the element's index, already in order, and an LSD sort
 * is stable), 13 bits a pass (8k counters: in L2), passes whose digits
 * are all equal skipped: linear time (a comparison sort of a full table
 * costs several times more). tmp has room for n keys.
 */
static void
radix64(uint64_t *k, uint64_t *tmp, size_t n, size_t *cnt)
{
	for (unsigned shift = 26; shift < 64; shift += 13) {
		size_t sum = 0;

		memset(cnt, 0, 8192 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(k[i] >> shift) & 8191]++;
		if (cnt[(k[0] >> shift) & 8191] == n)
			continue;
		for (size_t v = 0; v < 8192; v++) {
			size_t c = cnt[v];

			cnt[v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[(k[i] >> shift) & 8191]++] = k[i];
		memcpy(k, tmp, n * sizeof(*k));
	}
}

/*
 * The order of IPv6 elements by (address, length), stable: perm[] holds
 * their indices, sorted by LSD radix passes of 16 bits (the length, then
 * the address from its last two bytes to its first).
 */
static void
radix6(const struct ixg_spec_route6 *r, uint32_t *perm, uint32_t *tmp, size_t n,
       size_t *cnt)
{
	for (int d = -1; d < 8; d++) {
		size_t sum = 0;
#define DIGIT6(e)                                                              \
	(d < 0 ? (e)->len                                                      \
	       : (unsigned)(e)->addr[14 - 2 * d] << 8 | (e)->addr[15 - 2 * d])

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[DIGIT6(&r[perm[i]])]++;
		if (cnt[DIGIT6(&r[perm[0]])] == n)
			continue;
		for (size_t v = 0; v < 65536; v++) {
			size_t c = cnt[v];

			cnt[v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[DIGIT6(&r[perm[i]])]++] = perm[i];
#undef DIGIT6
		memcpy(perm, tmp, n * sizeof(*perm));
	}
}

/*
 * A source table sorted by prefix (stably): each run of one prefix
 * sorted by peer (insertion sort, stable: a run is a prefix's allowed
 * peers, a handful) and one entry kept per (prefix, peer), the last.
 * Returns the count kept.
 */
static size_t
peer_runs(const struct route_desc *d, char *a, size_t n)
{
	size_t out = 0;
	char tmp[sizeof(struct ixg_spec_route6)];

	for (size_t i = 0; i < n;) {
		size_t g = i + 1;

		while (g < n && pfx_cmp(d->family, a + i * d->elem,
					a + g * d->elem) == 0)
			g++;
		for (size_t x = i + 1; x < g; x++) {
			size_t y = x;

			memcpy(tmp, a + x * d->elem, d->elem);
			while (y > i &&
			       elem_peer(d->family, a + (y - 1) * d->elem) >
				       elem_peer(d->family, tmp)) {
				memcpy(a + y * d->elem, a + (y - 1) * d->elem,
				       d->elem);
				y--;
			}
			memcpy(a + y * d->elem, tmp, d->elem);
		}
		for (size_t x = i; x < g; x++)
			if (x + 1 == g ||
			    elem_peer(d->family, a + x * d->elem) !=
				    elem_peer(d->family, a + (x + 1) * d->elem))
				memmove(a + out++ * d->elem, a + x * d->elem,
					d->elem);
		i = g;
	}
	return out;
}

int
ixg_routes_sort(unsigned table, void *arr, uint32_t *n)
{
	const struct route_desc *d = route_desc(table);
	size_t m = *n, out = 0, *cnt;
	void *sorted;
	int rc = -ENOMEM;

	if (d == NULL || m > d->capacity)
		return -EINVAL;
	if (m < 2 || ixg_routes_unsorted(table, arr, m) < 0)
		return 0;
	cnt = malloc(65536 * sizeof(*cnt));
	sorted = malloc(m * d->elem);
	if (cnt == NULL || sorted == NULL)
		goto out;
	if (d->family == 4) {
		struct ixg_spec_route4 *r = arr, *o = sorted;
		uint64_t *k = malloc(m * sizeof(*k)), *tmp = malloc(m * 8);

		if (k == NULL || tmp == NULL) {
			free(k);
			free(tmp);
			goto out;
		}
		/* addr:32 | len:6 | index:26 (capacity 2^21) */
		for (size_t i = 0; i < m; i++)
			k[i] = (uint64_t)r[i].addr << 32 |
			       (uint64_t)(r[i].len & 63) << 26 | i;
		radix64(k, tmp, m, cnt);
		for (size_t i = 0; i < m; i++)
			if (d->by_peer || i + 1 == m ||
			    k[i + 1] >> 26 != k[i] >> 26)
				o[out++] = r[k[i] & ((1u << 26) - 1)];
		free(k);
		free(tmp);
	} else {
		struct ixg_spec_route6 *r = arr, *o = sorted;
		uint32_t *perm = malloc(m * sizeof(*perm));
		uint32_t *tmp = malloc(m * sizeof(*tmp));

		if (perm == NULL || tmp == NULL) {
			free(perm);
			free(tmp);
			goto out;
		}
		for (size_t i = 0; i < m; i++)
			perm[i] = (uint32_t)i;
		radix6(r, perm, tmp, m, cnt);
		for (size_t i = 0; i < m; i++)
			if (d->by_peer || i + 1 == m ||
			    pfx_cmp(6, &r[perm[i]], &r[perm[i + 1]]) != 0)
				o[out++] = r[perm[i]];
		free(perm);
		free(tmp);
	}
	if (d->by_peer)
		out = peer_runs(d, sorted, out);
	memcpy(arr, sorted, out * d->elem);
	*n = (uint32_t)out;
	rc = 0;
out:
	free(cnt);
	free(sorted);
	return rc;
}

/* An order-free checksum of a table's elements: the sum of a 64-bit
 * hash of each element (its 32-bit words multiplied in, then MurmurHash3's
 * fmix64; the elements are 12 and 24 bytes). */
static uint64_t
routes_sum(const struct route_desc *d, const char *a, uint64_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++) {
		const char *e = a + i * d->elem;
		uint64_t h = 14695981039346656037ull;

		for (size_t b = 0; b + 4 <= d->elem; b += 4) {
			uint32_t w;

			memcpy(&w, e + b, 4);
			h = (h ^ w) * 0x9e3779b97f4a7c15ull;
			h ^= h >> 29;
		}
		h ^= h >> 33;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
		h *= 0xc4ceb9fe1a85ec53ull;
		h ^= h >> 33;
		sum += h;
	}
	return sum;
}

/* Elements a memcmp of the equal ends of two tables covers. */
#define SCAN_BLOCK 1024u

static uint32_t lower_bound(const struct route_desc *d, const char *base,
			    uint32_t lo, uint32_t n, const void *elem);

static int
route_qcmp(const void *a, const void *b, void *arg)
{
	return route_cmp(arg, a, b);
}

int
ixg_routes_sort_from(unsigned table, const void *old, uint32_t n_old,
		     const void *sorted, uint32_t n_sorted, const void *new,
		     uint32_t n_new, void *out, uint32_t *n_out)
{
	return ixg_routes_sort_from_edits(table, old, n_old, sorted, n_sorted,
					  new, n_new, out, n_out, NULL, NULL);
}

int
ixg_routes_sort_from_edits(unsigned table, const void *old, uint32_t n_old,
			   const void *sorted, uint32_t n_sorted,
			   const void *new, uint32_t n_new, void *out,
			   uint32_t *n_out, void **edits, uint64_t *n_edits)
{
	const struct route_desc *d = route_desc(table);
	const char *o = old, *nw = new, *s = sorted;
	char *om, *nm, *w = out;
	uint32_t lo = 0, hi = 0, mo, mn, i = 0, j = 0, k = 0, m = 0;

	if (d == NULL || n_new > d->capacity)
		return -EINVAL;
	/* one entry per prefix in old (else sorted dropped some) */
	if (n_sorted != n_old || sorted == NULL)
		return 1;
	/* The equal ends, a block of elements per memcmp, then one by one
	 * inside the block that differs. */
	while (lo + SCAN_BLOCK <= n_old && lo + SCAN_BLOCK <= n_new &&
	       memcmp(o + (size_t)lo * d->elem, nw + (size_t)lo * d->elem,
		      SCAN_BLOCK * d->elem) == 0)
		lo += SCAN_BLOCK;
	while (lo < n_old && lo < n_new &&
	       memcmp(o + (size_t)lo * d->elem, nw + (size_t)lo * d->elem,
		      d->elem) == 0)
		lo++;
	while (hi + SCAN_BLOCK <= n_old - lo && hi + SCAN_BLOCK <= n_new - lo &&
	       memcmp(o + (size_t)(n_old - hi - SCAN_BLOCK) * d->elem,
		      nw + (size_t)(n_new - hi - SCAN_BLOCK) * d->elem,
		      SCAN_BLOCK * d->elem) == 0)
		hi += SCAN_BLOCK;
	while (hi < n_old - lo && hi < n_new - lo &&
	       memcmp(o + (size_t)(n_old - 1 - hi) * d->elem,
		      nw + (size_t)(n_new - 1 - hi) * d->elem, d->elem) == 0)
		hi++;
	mo = n_old - lo - hi;
	mn = n_new - lo - hi;
	if ((uint64_t)mo + mn > n_new / 8 + 4096)
		return 1;
	/* sorted is old's permutation (the table the dataplane was sent
	 * for the running config), not another generation's */
	if (routes_sum(d, o, n_old) != routes_sum(d, s, n_sorted))
		return 1;
	om = malloc(((size_t)mo + 1) * d->elem);
	nm = malloc(((size_t)mn + 1) * d->elem);
	if (om == NULL || nm == NULL) {
		free(om);
		free(nm);
		return -ENOMEM;
	}
	memcpy(om, o + (size_t)lo * d->elem, (size_t)mo * d->elem);
	memcpy(nm, nw + (size_t)lo * d->elem, (size_t)mn * d->elem);
	qsort_r(om, mo, d->elem, route_qcmp, (void *)d);
	qsort_r(nm, mn, d->elem, route_qcmp, (void *)d);
	for (uint32_t x = 1; x < mn; x++)
		if (route_cmp(d, nm + (size_t)(x - 1) * d->elem,
			      nm + (size_t)x * d->elem) == 0)
			goto dup; /* a prefix twice: the whole sort says which */
	/* sorted without old's middle (one entry per prefix: the element
	 * of that prefix is the middle's), merged with new's middle: the
	 * runs of sorted between the middles' places copied whole (a
	 * binary search per middle element, not a comparison per element
	 * of the table) */
	for (;;) {
		uint32_t pj = j < mo ? lower_bound(d, s, i, n_sorted,
						   om + (size_t)j * d->elem)
				     : n_sorted;
		uint32_t pk = k < mn ? lower_bound(d, s, i, n_sorted,
						   nm + (size_t)k * d->elem)
				     : n_sorted;
		uint32_t p = pj < pk ? pj : pk;

		if ((uint64_t)m + (p - i) > n_new)
			goto dup; /* cannot be: counts disagree */
		memcpy(w + (size_t)m * d->elem, s + (size_t)i * d->elem,
		       (size_t)(p - i) * d->elem);
		m += p - i;
		i = p;
		if (j >= mo && k >= mn)
			break;
		if (j < mo && pj == p) {
			/* old's element leaves: it is at p (sorted holds
			 * each of old's keys once), else not old's sort */
			if (p >= n_sorted ||
			    route_cmp(d, s + (size_t)p * d->elem,
				      om + (size_t)j * d->elem) != 0)
				goto dup;
			i = p + 1;
			j++;
			continue;
		}
		/* new's element enters at p: a kept element of its key
		 * would make the key twice in new */
		if (p < n_sorted && route_cmp(d, s + (size_t)p * d->elem,
					      nm + (size_t)k * d->elem) == 0)
			goto dup;
		if (m >= n_new)
			goto dup;
		memcpy(w + (size_t)m * d->elem, nm + (size_t)k * d->elem,
		       d->elem);
		m++;
		k++;
	}
	if (m != n_new)
		goto dup;
	/* The edits from sorted to out are those from old's middle to
	 * new's, both sorted: every other element is in both, and no key
	 * is in a middle and outside the other (old has each key once, and
	 * a key of new's middle outside it would be a key twice in new). */
	if (edits != NULL &&
	    ixg_delta_diff(table, om, mo, nm, mn, edits, n_edits) < 0) {
		free(om);
		free(nm);
		return -ENOMEM;
	}
	free(om);
	free(nm);
	*n_out = m;
	return 0;
dup:
	free(om);
	free(nm);
	return 1;
}

size_t
ixg_delta_edit_size(unsigned table)
{
	const struct route_desc *d = route_desc(table);

	return d == NULL ? 0 : d->edit;
}

/* The element inside edit i, and the edit's op. */
static const void *
edit_elem(const struct route_desc *d, const void *edits, uint64_t i,
	  uint8_t *op)
{
	const char *e = (const char *)edits + i * d->edit;

	*op = (uint8_t)e[0];
	return e + 4;
}

static void
edit_put(const struct route_desc *d, void *edits, uint64_t i, uint8_t op,
	 const void *elem)
{
	char *e = (char *)edits + i * d->edit;

	memset(e, 0, 4);
	e[0] = (char)op;
	memcpy(e + 4, elem, d->elem);
}

int
ixg_delta_diff(unsigned table, const void *old, uint32_t n_old, const void *new,
	       uint32_t n_new, void **edits, uint64_t *n_edits)
{
	const struct route_desc *d = route_desc(table);
	const char *a = old, *b = new;
	uint64_t m = 0;
	void *e;

	*edits = NULL;
	*n_edits = 0;
	if (d == NULL)
		return -EINVAL;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t i = 0, j = 0;

		m = 0;
		while (i < n_old || j < n_new) {
			const void *x = a + (size_t)i * d->elem;
			const void *y = b + (size_t)j * d->elem;
			int c = i >= n_old   ? 1
				: j >= n_new ? -1
					     : route_cmp(d, x, y);

			if (c < 0) {
				if (pass)
					edit_put(d, *edits, m, IXG_DELTA_DEL,
						 x);
				m++;
				i++;
			} else if (c > 0 || memcmp(x, y, d->elem) != 0) {
				if (pass)
					edit_put(d, *edits, m, IXG_DELTA_SET,
						 y);
				m++;
				i += c == 0;
				j++;
			} else {
				i++;
				j++;
			}
		}
		if (pass == 0) {
			e = malloc((size_t)(m + 1) * d->edit);
			if (e == NULL)
				return -ENOMEM;
			*edits = e;
		}
	}
	*n_edits = m;
	return 0;
}

/* First index in [lo, n) whose prefix is not before elem's. */
static uint32_t
lower_bound(const struct route_desc *d, const char *base, uint32_t lo,
	    uint32_t n, const void *elem)
{
	uint32_t hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (route_cmp(d, base + (size_t)mid * d->elem, elem) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static enum ixg_status delta_apply(unsigned table, const void *base,
				   uint32_t n_base, bool base_sorted,
				   const void *edits, uint64_t n_edits,
				   void **out, uint32_t *n_out,
				   uint32_t *err_index, char *err);

enum ixg_status
ixg_delta_apply(unsigned table, const void *base, uint32_t n_base,
		const void *edits, uint64_t n_edits, void **out,
		uint32_t *n_out, uint32_t *err_index, char *err)
{
	return delta_apply(table, base, n_base, false, edits, n_edits, out,
			   n_out, err_index, err);
}

/* ixg_delta_apply; base_sorted: the caller knows base is sorted (it made
 * it by an earlier delta, or checked it), so the pass over it is saved. */
static enum ixg_status
delta_apply(unsigned table, const void *base, uint32_t n_base, bool base_sorted,
	    const void *edits, uint64_t n_edits, void **out, uint32_t *n_out,
	    uint32_t *err_index, char *err)
{
	const struct route_desc *d = route_desc(table);
	const size_t errlen = IXG_WIRE_ERR_LEN;
	const char *b = base;
	char *o, pfx[64], prev[64];
	uint64_t sets = 0;
	uint32_t i = 0, m = 0;
	int64_t bad;

	*out = NULL;
	*n_out = 0;
	if (err_index != NULL)
		*err_index = UINT32_MAX;
	err[0] = '\0';
	if (d == NULL) {
		errf(err, errlen,
		     "table %s (%u): deltas carry routes4, routes6, "
		     "sources4 or sources6 only",
		     ixg_table_name(table), table);
		return IXG_ST_BAD_MESSAGE;
	}
	bad = base_sorted ? -1 : ixg_routes_unsorted(table, base, n_base);
	if (bad >= 0) {
		elem_fmt(d, b + (size_t)bad * d->elem, pfx, sizeof(pfx));
		errf(err, errlen,
		     "%s: the running table is not sorted by prefix%s "
		     "(element %" PRId64 ", %s): send it whole",
		     d->name, d->by_peer ? " and peer" : "", bad, pfx);
		return IXG_ST_STALE;
	}
	/* Every edit checked before anything is built. */
	for (uint64_t k = 0; k < n_edits; k++) {
		const char *raw = (const char *)edits + k * d->edit;
		const char *why = NULL;
		uint8_t op;
		const void *e = edit_elem(d, edits, k, &op);

		if (err_index != NULL)
			*err_index = (uint32_t)k;
		if (op != IXG_DELTA_DEL && op != IXG_DELTA_SET) {
			errf(err, errlen,
			     "%s edit %" PRIu64 ": op %u (1 del or 2 set)",
			     d->name, k, op);
			return IXG_ST_INVALID;
		}
		if (raw[1] != 0 || raw[2] != 0 || raw[3] != 0) {
			errf(err, errlen, "%s edit %" PRIu64 ": _pad not zero",
			     d->name, k);
			return IXG_ST_INVALID;
		}
		if (!route_clean(d->family, e, &why)) {
			elem_fmt(d, e, pfx, sizeof(pfx));
			errf(err, errlen, "%s edit %" PRIu64 ": %s (%s)",
			     d->name, k, why, pfx);
			return IXG_ST_INVALID;
		}
		if (k > 0 &&
		    route_cmp(d, edit_elem(d, edits, k - 1, &op), e) >= 0) {
			elem_fmt(d, e, pfx, sizeof(pfx));
			elem_fmt(d, edit_elem(d, edits, k - 1, &op), prev,
				 sizeof(prev));
			errf(err, errlen,
			     "%s edit %" PRIu64 ": addr/len %s not after edit "
			     "%" PRIu64 "'s %s (edits sorted by prefix%s, one "
			     "per prefix%s)",
			     d->name, k, pfx, k - 1, prev,
			     d->by_peer ? " and peer" : "",
			     d->by_peer ? " and peer" : "");
			return IXG_ST_INVALID;
		}
		sets += op == IXG_DELTA_SET;
	}
	if (err_index != NULL)
		*err_index = UINT32_MAX;
	o = malloc(((size_t)n_base + (size_t)sets + 1) * d->elem);
	if (o == NULL) {
		errf(err, errlen, "%s: out of memory", d->name);
		return IXG_ST_NO_MEMORY;
	}
	for (uint64_t k = 0; k < n_edits; k++) {
		uint8_t op;
		const void *e = edit_elem(d, edits, k, &op);
		uint32_t p = lower_bound(d, b, i, n_base, e);
		bool found = p < n_base &&
			     route_cmp(d, b + (size_t)p * d->elem, e) == 0;

		if (p > i)
			memcpy(o + (size_t)m * d->elem, b + (size_t)i * d->elem,
			       (size_t)(p - i) * d->elem);
		m += p - i;
		i = p + found;
		if (op == IXG_DELTA_SET) {
			memcpy(o + (size_t)m * d->elem, e, d->elem);
			m++;
		} else if (!found) {
			elem_fmt(d, e, pfx, sizeof(pfx));
			errf(err, errlen,
			     "%s edit %" PRIu64 ": del of addr/len %s, which "
			     "the table does not hold",
			     d->name, k, pfx);
			if (err_index != NULL)
				*err_index = (uint32_t)k;
			free(o);
			return IXG_ST_INVALID;
		}
	}
	if (n_base > i)
		memcpy(o + (size_t)m * d->elem, b + (size_t)i * d->elem,
		       (size_t)(n_base - i) * d->elem);
	m += n_base - i;
	if (m > d->capacity) {
		errf(err, errlen,
		     "%s: %" PRIu32 " elements after the delta exceed the "
		     "capacity of %" PRIu64,
		     d->name, m, d->capacity);
		free(o);
		return IXG_ST_CAPACITY;
	}
	*out = o;
	*n_out = m;
	return IXG_ST_OK;
}

int
ixg_delta_to_memfd(unsigned table, const void *edits, uint64_t n, int *fd)
{
	const struct route_desc *d = route_desc(table);
	size_t size;
	int mfd, rc;

	*fd = -1;
	if (d == NULL || n > d->capacity)
		return -EINVAL;
	if (n == 0)
		return 0;
	size = (size_t)n * d->edit;
	mfd = memfd_create("delta", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	if (ftruncate(mfd, (off_t)size) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = write_all(mfd, edits, size);
	if (rc < 0)
		goto fail;
	if (fcntl(mfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) <
	    0) {
		rc = -errno;
		goto fail;
	}
	*fd = mfd;
	return 0;
fail:
	close(mfd);
	return rc;
}

void
ixg_msg_txn_delta_init(struct ixg_msg_txn_delta *m, unsigned table,
		       uint64_t base_generation, uint64_t base_count,
		       uint64_t count, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	ixg_msg_init(&m->hdr, IXG_MSG_TXN_DELTA, sizeof(*m), seq);
	m->table = (uint16_t)table;
	m->elem_size = (uint32_t)ixg_delta_edit_size(table);
	m->base_generation = base_generation;
	m->base_count = base_count;
	m->count = count;
	m->offset = 0;
}

enum ixg_status
ixg_delta_from_fd(int fd, const struct ixg_msg_txn_delta *m,
		  uint64_t running_generation, struct ixg_spec *shadow,
		  uint32_t *owned, uint32_t *err_index, char *err)
{
	return ixg_delta_from_fd_edits(fd, m, running_generation, false, shadow,
				       owned, NULL, err_index, err);
}

enum ixg_status
ixg_delta_from_fd_edits(int fd, const struct ixg_msg_txn_delta *m,
			uint64_t running_generation, bool base_sorted,
			struct ixg_spec *shadow, uint32_t *owned,
			void **edits_out, uint32_t *err_index, char *err)
{
	const struct route_desc *d = route_desc(m->table);
	const size_t errlen = IXG_WIRE_ERR_LEN;
	const struct table_desc *td;
	uint64_t bytes, end, have;
	enum ixg_status st;
	struct stat sb;
	void *copy, *res;
	uint32_t n_res;
	int seals;

	if (err_index != NULL)
		*err_index = UINT32_MAX;
	err[0] = '\0';
	if (d == NULL) {
		errf(err, errlen,
		     "table %u (%s): deltas carry routes4 (%u), routes6 "
		     "(%u), sources4 (%u) or sources6 (%u) only",
		     m->table, ixg_table_name(m->table), IXG_TBL_ROUTES4,
		     IXG_TBL_ROUTES6, IXG_TBL_SOURCES4, IXG_TBL_SOURCES6);
		return IXG_ST_BAD_MESSAGE;
	}
	td = table_desc(m->table);
	if (m->elem_size != d->edit) {
		errf(err, errlen,
		     "%s delta: elem_size %" PRIu32 ", expected %zu", d->name,
		     m->elem_size, d->edit);
		return IXG_ST_BAD_MESSAGE;
	}
	if (running_generation == 0 ||
	    m->base_generation != running_generation) {
		errf(err, errlen,
		     "%s delta: base_generation %" PRIu64
		     " is not the running generation %" PRIu64
		     ": send the table whole",
		     d->name, m->base_generation, running_generation);
		return IXG_ST_STALE;
	}
	have = ixg_spec_table_count(shadow, m->table);
	if (m->base_count != have) {
		errf(err, errlen,
		     "%s delta: base_count %" PRIu64
		     ", the table holds %" PRIu64 ": send it whole",
		     d->name, m->base_count, have);
		return IXG_ST_STALE;
	}
	if (m->count > d->capacity) {
		errf(err, errlen,
		     "%s delta: count %" PRIu64 " edits exceed the "
		     "capacity of %" PRIu64,
		     d->name, m->count, d->capacity);
		return IXG_ST_CAPACITY;
	}
	if (m->count == 0)
		return IXG_ST_OK;
	if (fd < 0) {
		errf(err, errlen,
		     "%s delta: %" PRIu64 " edits but no memfd "
		     "passed",
		     d->name, m->count);
		return IXG_ST_BAD_MESSAGE;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0) {
		errf(err, errlen, "%s delta: passed descriptor is not a memfd",
		     d->name);
		return IXG_ST_BAD_MESSAGE;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & TABLE_SEALS) != TABLE_SEALS) {
		errf(err, errlen,
		     "%s delta: passed descriptor is not a sealed memfd "
		     "(needs F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_WRITE)",
		     d->name);
		return IXG_ST_BAD_MESSAGE;
	}
	bytes = m->count * d->edit; /* count <= 2^21, edit < 32 */
	if (__builtin_add_overflow(m->offset, bytes, &end) ||
	    end > (uint64_t)sb.st_size) {
		errf(err, errlen,
		     "%s delta: count %" PRIu64 " edits (%" PRIu64
		     " bytes) at offset %" PRIu64 " exceed the memfd's %" PRIu64
		     " bytes",
		     d->name, m->count, bytes, m->offset, (uint64_t)sb.st_size);
		return IXG_ST_BAD_MESSAGE;
	}
	copy = malloc((size_t)bytes);
	if (copy == NULL) {
		errf(err, errlen, "%s delta: out of memory", d->name);
		return IXG_ST_NO_MEMORY;
	}
	if (read_all(fd, copy, (size_t)bytes, m->offset) < 0) {
		errf(err, errlen, "%s delta: reading %" PRIu64 " bytes failed",
		     d->name, bytes);
		free(copy);
		return IXG_ST_BAD_MESSAGE;
	}
	st = delta_apply(m->table, ixg_spec_table_data(shadow, m->table),
			 (uint32_t)have, base_sorted, copy, m->count, &res,
			 &n_res, err_index, err);
	if (st != IXG_ST_OK || edits_out == NULL)
		free(copy);
	else
		*edits_out = copy;
	if (st != IXG_ST_OK)
		return st;
	if (*owned & (1u << m->table))
		ixg_spec_table_free(shadow, m->table);
	*spec_array_ptr(shadow, td) = res;
	*spec_count_ptr(shadow, td) = n_res;
	*owned |= 1u << m->table;
	return IXG_ST_OK;
}

void
ixg_msg_peer_down_init(struct ixg_msg_peer_down *m,
		       const uint64_t down[2][IXG_MAX_PEERS / 64], uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	ixg_msg_init(&m->hdr, IXG_MSG_PEER_DOWN, sizeof(*m), seq);
	memcpy(m->down, down, sizeof(m->down));
}

enum ixg_status
ixg_peer_down_check(const struct ixg_msg_peer_down *m, char *err)
{
	for (unsigned f = 0; f < 2; f++)
		if (m->down[f][0] & 1u) {
			snprintf(err, IXG_WIRE_ERR_LEN,
				 "peer_down: IPv%u bit 0 set: peer id 0 is "
				 "no peer",
				 f == 0 ? 4 : 6);
			return IXG_ST_INVALID;
		}
	return IXG_ST_OK;
}
