/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapfile.c - classic pcap files without libpcap.
 *
 * Format (https://www.tcpdump.org/manpages/pcap-savefile.5.html and
 * draft-ietf-opsawg-pcap): a 24-byte file header whose magic gives both the
 * byte order of every later field and the timestamp resolution
 * (0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds), then records of a
 * 16-byte header (seconds, sub-second, captured length, original length)
 * followed by the captured bytes.
 *
 * Reading accepts both magics in both byte orders and only LINKTYPE_ETHERNET.
 * A record whose captured length exceeds the file's snaplen or
 * PCAP_MAX_CAPLEN is malformed: a length that large means a corrupt or
 * hostile file, and trusting it would have us allocate whatever it says.
 * Writing always produces the nanosecond magic in host byte order.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16
#define PCAP_MAX_CAPLEN (256u * 1024u)
#define PCAP_WRITE_SNAPLEN 65535u
#define PCAP_IO_BUF (1u << 20)

struct pcap_reader {
	FILE *f;
	char *path;
	bool swapped; /* file byte order differs from ours */
	bool nsec; /* sub-second field is nanoseconds */
	uint32_t snaplen;
	uint64_t offset; /* byte offset of the next record header */
	uint64_t recno; /* number of the next record, from 1 */
	uint8_t *buf; /* PCAP_MAX_CAPLEN bytes */
};

struct pcap_writer {
	FILE *f;
	char *iobuf;
};

static uint32_t
get32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

static void
free_reader(struct pcap_reader *r)
{
	if (r == NULL)
		return;
	if (r->f != NULL)
		fclose(r->f);
	free(r->path);
	free(r->buf);
	free(r);
}

/* Fill err, free r, set errno: the common failure exit of pcap_open_read. */
static struct pcap_reader *open_fail(struct pcap_reader *r, int e, char *err,
				     size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct pcap_reader *
open_fail(struct pcap_reader *r, int e, char *err, size_t errlen,
	  const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	free_reader(r);
	errno = e;
	return NULL;
}

/*
 * Open `path` and validate its file header. Returns the reader (owned by the
 * caller, released with pcap_close_read) or NULL with errno set and err
 * holding "path: reason". Any thread; a reader is used by one thread.
 */
struct pcap_reader *
pcap_open_read(const char *path, char *err, size_t errlen)
{
	uint8_t hdr[PCAP_FILE_HDR_LEN];
	struct pcap_reader *r;
	uint32_t magic, linktype;
	uint16_t major;
	size_t n;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return open_fail(NULL, ENOMEM, err, errlen, "%s: out of memory",
				 path);
	r->path = strdup(path);
	r->buf = malloc(PCAP_MAX_CAPLEN);
	if (r->path == NULL || r->buf == NULL)
		return open_fail(r, ENOMEM, err, errlen, "%s: out of memory",
				 path);
	r->f = fopen(path, "rb");
	if (r->f == NULL) {
		int e = errno;

		return open_fail(r, e, err, errlen, "%s: %s", path,
				 strerror(e));
	}
	setvbuf(r->f, NULL, _IOFBF, PCAP_IO_BUF);

	n = fread(hdr, 1, sizeof(hdr), r->f);
	if (n < sizeof(hdr))
		return open_fail(r, EINVAL, err, errlen,
				 "%s: truncated file header (%zu of %u bytes)",
				 path, n, PCAP_FILE_HDR_LEN);
	memcpy(&magic, hdr, sizeof(magic));
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		r->swapped = false;
	} else if (__builtin_bswap32(magic) == PCAP_MAGIC_US ||
		   __builtin_bswap32(magic) == PCAP_MAGIC_NS) {
		r->swapped = true;
		magic = __builtin_bswap32(magic);
	} else {
		return open_fail(r, EINVAL, err, errlen,
				 "%s: bad magic 0x%08" PRIx32
				 " (not a classic pcap file)",
				 path, get32(hdr, true));
	}
	r->nsec = magic == PCAP_MAGIC_NS;

	memcpy(&major, hdr + 4, sizeof(major));
	if (r->swapped)
		major = __builtin_bswap16(major);
	if (major != PCAP_VERSION_MAJOR)
		return open_fail(
			r, EINVAL, err, errlen,
			"%s: unsupported pcap version %u (expected %u)", path,
			major, PCAP_VERSION_MAJOR);
	r->snaplen = get32(hdr + 16, r->swapped);
	/* Some writers leave snaplen 0; the per-record cap still applies. */
	if (r->snaplen == 0 || r->snaplen > PCAP_MAX_CAPLEN)
		r->snaplen = PCAP_MAX_CAPLEN;
	/* The upper 16 bits may carry FCS information (pcap-savefile(5)). */
	linktype = get32(hdr + 20, r->swapped) & 0xffffu;
	if (linktype != PCAP_LINKTYPE_ETHERNET)
		return open_fail(r, EINVAL, err, errlen,
				 "%s: link type %" PRIu32
				 " not supported (only Ethernet, 1)",
				 path, linktype);
	r->offset = PCAP_FILE_HDR_LEN;
	r->recno = 1;
	return r;
}

/*
 * Read the next record into the reader's buffer; rec->data stays valid until
 * the next call. Returns 1, 0 at a clean end of file, or -1 with errno
 * EINVAL (malformed) or EIO and err holding
 * "path: record N at byte offset O: reason". Not thread-safe per reader.
 */
int
pcap_read(struct pcap_reader *r, struct pcap_rec *rec, char *err, size_t errlen)
{
	uint8_t hdr[PCAP_REC_HDR_LEN];
	uint32_t sec, frac, caplen, origlen;
	size_t n;

	n = fread(hdr, 1, sizeof(hdr), r->f);
	if (n == 0 && feof(r->f))
		return 0;
	if (n < sizeof(hdr)) {
		if (ferror(r->f)) {
			snprintf(err, errlen,
				 "%s: record %" PRIu64
				 " at byte offset %" PRIu64 ": read error",
				 r->path, r->recno, r->offset);
			errno = EIO;
			return -1;
		}
		snprintf(err, errlen,
			 "%s: record %" PRIu64 " at byte offset %" PRIu64
			 ": truncated record header (%zu of %u bytes)",
			 r->path, r->recno, r->offset, n, PCAP_REC_HDR_LEN);
		errno = EINVAL;
		return -1;
	}
	sec = get32(hdr, r->swapped);
	frac = get32(hdr + 4, r->swapped);
	caplen = get32(hdr + 8, r->swapped);
	origlen = get32(hdr + 12, r->swapped);
	if (caplen > r->snaplen) {
		snprintf(err, errlen,
			 "%s: record %" PRIu64 " at byte offset %" PRIu64
			 ": captured length %" PRIu32
			 " exceeds snaplen %" PRIu32,
			 r->path, r->recno, r->offset, caplen, r->snaplen);
		errno = EINVAL;
		return -1;
	}
	n = fread(r->buf, 1, caplen, r->f);
	if (n < caplen) {
		snprintf(err, errlen,
			 "%s: record %" PRIu64 " at byte offset %" PRIu64
			 ": truncated record data (%zu of %" PRIu32 " bytes)",
			 r->path, r->recno, r->offset, n, caplen);
		errno = ferror(r->f) ? EIO : EINVAL;
		return -1;
	}
	rec->ts_ns = (uint64_t)sec * 1000000000u +
		     (r->nsec ? frac : (uint64_t)frac * 1000u);
	rec->caplen = caplen;
	rec->origlen = origlen;
	rec->data = r->buf;
	r->offset += PCAP_REC_HDR_LEN + (uint64_t)caplen;
	r->recno++;
	return 1;
}

/* Close a reader; NULL is a no-op. */
void
pcap_close_read(struct pcap_reader *r)
{
	free_reader(r);
}

/*
 * Create or truncate `path` and write the file header (nanosecond magic,
 * host byte order, snaplen 65535, Ethernet). Returns the writer (owned by
 * the caller, released by pcap_close_write) or NULL with errno set.
 */
struct pcap_writer *
pcap_open_write(const char *path)
{
	uint8_t hdr[PCAP_FILE_HDR_LEN];
	struct pcap_writer *w;
	uint32_t v32;
	uint16_t v16;
	int e;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->iobuf = malloc(PCAP_IO_BUF);
	if (w->iobuf == NULL) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->f = fopen(path, "wb");
	if (w->f == NULL) {
		e = errno;
		free(w->iobuf);
		free(w);
		errno = e;
		return NULL;
	}
	setvbuf(w->f, w->iobuf, _IOFBF, PCAP_IO_BUF);

	v32 = PCAP_MAGIC_NS;
	memcpy(hdr, &v32, 4);
	v16 = PCAP_VERSION_MAJOR;
	memcpy(hdr + 4, &v16, 2);
	v16 = PCAP_VERSION_MINOR;
	memcpy(hdr + 6, &v16, 2);
	v32 = 0; /* thiszone, sigfigs: always 0 (pcap-savefile(5)) */
	memcpy(hdr + 8, &v32, 4);
	memcpy(hdr + 12, &v32, 4);
	v32 = PCAP_WRITE_SNAPLEN;
	memcpy(hdr + 16, &v32, 4);
	v32 = PCAP_LINKTYPE_ETHERNET;
	memcpy(hdr + 20, &v32, 4);
	if (fwrite(hdr, 1, sizeof(hdr), w->f) != sizeof(hdr)) {
		e = errno ? errno : EIO;
		fclose(w->f);
		free(w->iobuf);
		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

/*
 * Append one frame of `len` bytes (at most the 65535-byte snaplen, else
 * EINVAL) stamped ts_ns. Returns 0 or -1 with errno set. Not thread-safe
 * per writer.
 */
int
pcap_write(struct pcap_writer *w, uint64_t ts_ns, const void *data,
	   uint32_t len)
{
	uint32_t hdr[4];

	if (len > PCAP_WRITE_SNAPLEN) {
		errno = EINVAL;
		return -1;
	}
	hdr[0] = (uint32_t)(ts_ns / 1000000000u);
	hdr[1] = (uint32_t)(ts_ns % 1000000000u);
	hdr[2] = len;
	hdr[3] = len;
	if (fwrite(hdr, 1, sizeof(hdr), w->f) != sizeof(hdr) ||
	    fwrite(data, 1, len, w->f) != len) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Flush and close; 0, or -1 with errno set if any write or the flush
 * failed (the writer is freed either way). */
int
pcap_close_write(struct pcap_writer *w)
{
	int rc = 0, e = 0;

	if (w == NULL)
		return 0;
	if (fflush(w->f) != 0 || ferror(w->f)) {
		rc = -1;
		e = errno ? errno : EIO;
	}
	if (fclose(w->f) != 0 && rc == 0) {
		rc = -1;
		e = errno ? errno : EIO;
	}
	free(w->iobuf);
	free(w);
	if (rc != 0)
		errno = e;
	return rc;
}
