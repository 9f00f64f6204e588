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
 *
 * Reading also takes pcapng (draft-ietf-opsawg-pcapng: what dpdk-dumpcap,
 * Wireshark and tshark write): Section Header Blocks (each sets the byte
 * order of its section and forgets the interfaces), Interface Description
 * Blocks (link type, snaplen, if_tsresol), Enhanced and Simple Packet
 * Blocks; every other block is skipped. Every interface a packet comes
 * from must be Ethernet. A block whose length is not a multiple of 4, is
 * shorter than its fixed fields, longer than PCAP_MAX_CAPLEN plus its
 * headers, or whose trailing length differs is malformed (record N = the
 * Nth block). Own code, not libpcap's pcap_open_offline(): replay's errors
 * name the record and byte offset, which libpcap does not give.
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

#define NG_SHB 0x0a0d0d0au
#define NG_IDB 1u
#define NG_SPB 3u
#define NG_EPB 6u
#define NG_BOM 0x1a2b3c4du
#define NG_MAX_IFS 256u
#define NG_OPT_TSRESOL 9u
#define NG_BLOCK_MAX (PCAP_MAX_CAPLEN + 4096u) /* headers and options */

struct ng_if {
	uint16_t linktype;
	uint32_t snaplen;
	uint64_t tps; /* timestamp units per second */
};

struct pcap_reader {
	FILE *f;
	char *path;
	bool swapped; /* file byte order differs from ours */
	bool nsec; /* sub-second field is nanoseconds */
	uint32_t snaplen;
	uint64_t offset; /* byte offset of the next record header */
	uint64_t recno; /* number of the next record, from 1 */
	uint8_t *buf; /* NG_BLOCK_MAX bytes */
	/* pcapng: the current section's interfaces. */
	bool ng;
	unsigned n_ifs;
	struct ng_if ifs[NG_MAX_IFS];
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
	r->buf = malloc(NG_BLOCK_MAX);
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
	if (magic == NG_SHB) {
		/* pcapng: pcap_read() reads every block, this one too. */
		if (fseek(r->f, 0, SEEK_SET) != 0)
			return open_fail(r, errno, err, errlen, "%s: %s", path,
					 strerror(errno));
		r->ng = true;
		r->recno = 1;
		return r;
	}
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		r->swapped = false;
	} else if (__builtin_bswap32(magic) == PCAP_MAGIC_US ||
		   __builtin_bswap32(magic) == PCAP_MAGIC_NS) {
		r->swapped = true;
		magic = __builtin_bswap32(magic);
	} else {
		return open_fail(r, EINVAL, err, errlen,
				 "%s: bad magic 0x%08" PRIx32
				 " (not a pcap or pcapng file)",
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

/* A pcapng read failure: err "path: record N at byte offset O: why". */
static int ng_fail(struct pcap_reader *r, int e, char *err, size_t errlen,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
ng_fail(struct pcap_reader *r, int e, char *err, size_t errlen, const char *fmt,
	...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen,
		 "%s: record %" PRIu64 " at byte offset %" PRIu64 ": %s",
		 r->path, r->recno, r->offset, why);
	errno = e;
	return -1;
}

/* if_tsresol of an IDB's options (body: the options, len bytes), or the
 * default of 10^6 units per second. */
static int
ng_tsresol(const uint8_t *o, size_t len, bool swapped, uint64_t *tps)
{
	*tps = 1000000;
	while (len >= 4) {
		uint16_t code, olen;

		memcpy(&code, o, 2);
		memcpy(&olen, o + 2, 2);
		if (swapped) {
			code = __builtin_bswap16(code);
			olen = __builtin_bswap16(olen);
		}
		if (code == 0)
			break;
		if ((size_t)olen + 4 > len)
			return -1;
		if (code == NG_OPT_TSRESOL && olen >= 1) {
			uint8_t v = o[4], e = v & 0x7f;
			uint64_t t = 1;

			/* 10^-e or 2^-e; finer than 1 ns (2^-30 / 10^-9)
			 * is not representable here. */
			if ((v & 0x80) ? e > 30 : e > 9)
				return -1;
			for (uint8_t i = 0; i < e; i++)
				t *= (v & 0x80) ? 2 : 10;
			*tps = t;
		}
		len -= 4 + (((size_t)olen + 3) & ~(size_t)3);
		o += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	return 0;
}

/* The next packet of a pcapng file (see pcap_read). */
static int
ng_read(struct pcap_reader *r, struct pcap_rec *rec, char *err, size_t errlen)
{
	for (;;) {
		uint8_t h[8];
		uint32_t type, len, tail, body;
		size_t n = fread(h, 1, sizeof(h), r->f);
		const uint8_t *b = r->buf;

		if (n == 0 && feof(r->f))
			return 0;
		if (n < sizeof(h))
			return ng_fail(r, ferror(r->f) ? EIO : EINVAL, err,
				       errlen,
				       "truncated block header (%zu of 8 "
				       "bytes)",
				       n);
		memcpy(&type, h, 4);
		if (type == NG_SHB) {
			uint32_t bom;

			/* The byte order is the section's: read it before
			 * the length. */
			if (fread(&bom, 1, 4, r->f) != 4)
				return ng_fail(r, EINVAL, err, errlen,
					       "truncated section header");
			if (bom == NG_BOM)
				r->swapped = false;
			else if (__builtin_bswap32(bom) == NG_BOM)
				r->swapped = true;
			else
				return ng_fail(
					r, EINVAL, err, errlen,
					"bad byte-order magic 0x%08" PRIx32,
					bom);
			if (fseek(r->f, -4, SEEK_CUR) != 0)
				return ng_fail(r, EIO, err, errlen, "seek: %s",
					       strerror(errno));
			r->n_ifs = 0;
		} else if (r->recno == 1) {
			return ng_fail(r, EINVAL, err, errlen,
				       "a pcapng file must start with a "
				       "section header block");
		}
		type = get32(h, r->swapped);
		len = get32(h + 4, r->swapped);
		if (len < 12 || len % 4 != 0 || len > NG_BLOCK_MAX)
			return ng_fail(r, EINVAL, err, errlen,
				       "block length %" PRIu32
				       " (a multiple of 4, 12..%u)",
				       len, NG_BLOCK_MAX);
		body = len - 12;
		n = fread(r->buf, 1, body + 4, r->f);
		if (n < body + 4)
			return ng_fail(
				r, ferror(r->f) ? EIO : EINVAL, err, errlen,
				"truncated block (%zu of %" PRIu32 " bytes)",
				n + 8, len);
		tail = get32(r->buf + body, r->swapped);
		if (tail != len)
			return ng_fail(r, EINVAL, err, errlen,
				       "trailing block length %" PRIu32
				       " differs from %" PRIu32,
				       tail, len);
		if (type == NG_SHB) {
			uint16_t major;

			if (body < 16)
				return ng_fail(r, EINVAL, err, errlen,
					       "section header of %" PRIu32
					       " bytes",
					       len);
			memcpy(&major, b + 4, 2);
			if (r->swapped)
				major = __builtin_bswap16(major);
			if (major != 1)
				return ng_fail(r, EINVAL, err, errlen,
					       "unsupported pcapng version %u "
					       "(expected 1)",
					       major);
		} else if (type == NG_IDB) {
			struct ng_if *i;
			uint16_t lt;

			if (body < 8)
				return ng_fail(r, EINVAL, err, errlen,
					       "interface description of "
					       "%" PRIu32 " bytes",
					       len);
			if (r->n_ifs == NG_MAX_IFS)
				return ng_fail(r, EINVAL, err, errlen,
					       "more than %u interfaces",
					       NG_MAX_IFS);
			i = &r->ifs[r->n_ifs];
			memcpy(&lt, b, 2);
			i->linktype = r->swapped ? __builtin_bswap16(lt) : lt;
			i->snaplen = get32(b + 4, r->swapped);
			if (i->snaplen == 0 || i->snaplen > PCAP_MAX_CAPLEN)
				i->snaplen = PCAP_MAX_CAPLEN;
			if (ng_tsresol(b + 8, body - 8, r->swapped, &i->tps) <
			    0)
				return ng_fail(r, EINVAL, err, errlen,
					       "bad interface options");
			r->n_ifs++;
		} else if (type == NG_EPB || type == NG_SPB) {
			uint32_t ifid = 0, caplen, origlen, fixed;
			uint64_t ts = 0;
			const struct ng_if *i;

			fixed = type == NG_EPB ? 20 : 4;
			if (body < fixed)
				return ng_fail(r, EINVAL, err, errlen,
					       "packet block of %" PRIu32
					       " bytes",
					       len);
			if (type == NG_EPB) {
				ifid = get32(b, r->swapped);
				ts = (uint64_t)get32(b + 4, r->swapped) << 32 |
				     get32(b + 8, r->swapped);
				caplen = get32(b + 12, r->swapped);
				origlen = get32(b + 16, r->swapped);
			} else {
				origlen = get32(b, r->swapped);
				caplen = body - fixed;
			}
			if (ifid >= r->n_ifs)
				return ng_fail(r, EINVAL, err, errlen,
					       "packet of interface %" PRIu32
					       " (the section describes %u)",
					       ifid, r->n_ifs);
			i = &r->ifs[ifid];
			if (type == NG_SPB && caplen > origlen)
				caplen = origlen;
			if (type == NG_SPB && caplen > i->snaplen)
				caplen = i->snaplen;
			if (caplen > body - fixed || caplen > i->snaplen)
				return ng_fail(r, EINVAL, err, errlen,
					       "captured length %" PRIu32
					       " exceeds the block or snaplen "
					       "%" PRIu32,
					       caplen, i->snaplen);
			if (i->linktype != PCAP_LINKTYPE_ETHERNET)
				return ng_fail(r, EINVAL, err, errlen,
					       "link type %u not supported "
					       "(only Ethernet, 1)",
					       i->linktype);
			rec->ts_ns = ts / i->tps * 1000000000u +
				     ts % i->tps * 1000000000u / i->tps;
			rec->caplen = caplen;
			rec->origlen = origlen;
			rec->data = b + fixed;
			r->offset += len;
			r->recno++;
			return 1;
		}
		r->offset += len;
		r->recno++;
	}
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

	if (r->ng)
		return ng_read(r, rec, err, errlen);
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
