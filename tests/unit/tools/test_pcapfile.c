/* SPDX-License-Identifier: BSD-3-Clause */
/* Tests of common/pcapfile.c: round trip, both magics in both byte orders,
 * and malformed files with their exact messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcapfile.h"

static char path[64];

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/ixg-pcaptest-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* A little file builder: fields in the chosen byte order. */
struct fb {
	uint8_t b[4096];
	size_t n;
	int swap;
};

static void
fb32(struct fb *f, uint32_t v)
{
	if (f->swap)
		v = __builtin_bswap32(v);
	memcpy(f->b + f->n, &v, 4);
	f->n += 4;
}

static void
fb16(struct fb *f, uint16_t v)
{
	if (f->swap)
		v = __builtin_bswap16(v);
	memcpy(f->b + f->n, &v, 2);
	f->n += 2;
}

static void
fb_hdr(struct fb *f, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	fb32(f, magic);
	fb16(f, 2);
	fb16(f, 4);
	fb32(f, 0);
	fb32(f, 0);
	fb32(f, snaplen);
	fb32(f, linktype);
}

static void
fb_rec(struct fb *f, uint32_t sec, uint32_t frac, uint32_t caplen,
       uint32_t datalen)
{
	uint32_t i;

	fb32(f, sec);
	fb32(f, frac);
	fb32(f, caplen);
	fb32(f, caplen + 4);
	for (i = 0; i < datalen; i++)
		f->b[f->n++] = (uint8_t)(i * 7 + sec);
}

static void
fb_save(const struct fb *f)
{
	FILE *o = fopen(path, "wb");

	assert_non_null(o);
	assert_int_equal(fwrite(f->b, 1, f->n, o), f->n);
	assert_int_equal(fclose(o), 0);
}

static void
test_round_trip(void **state)
{
	static const uint32_t lens[] = {0, 1, 60, 590, 1514, 9000, 65535};
	uint8_t *data = malloc(65535);
	struct pcap_writer *w;
	struct pcap_reader *r;
	struct pcap_rec rec;
	char err[256];
	unsigned i, j;

	(void)state;
	assert_non_null(data);
	w = pcap_open_write(path);
	assert_non_null(w);
	for (i = 0; i < 7; i++) {
		for (j = 0; j < lens[i]; j++)
			data[j] = (uint8_t)(i + j);
		assert_int_equal(pcap_write(w, 1704067200123456789ull + i, data,
					    lens[i]),
				 0);
	}
	/* Beyond the 65535-byte snaplen we declare: refused. */
	errno = 0;
	assert_int_equal(pcap_write(w, 0, data, 65536), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pcap_close_write(w), 0);

	r = pcap_open_read(path, err, sizeof(err));
	assert_non_null(r);
	for (i = 0; i < 7; i++) {
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.caplen, lens[i]);
		assert_int_equal(rec.origlen, lens[i]);
		assert_true(rec.ts_ns == 1704067200123456789ull + i);
		for (j = 0; j < lens[i]; j++)
			assert_int_equal(rec.data[j], (uint8_t)(i + j));
	}
	assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 0);
	pcap_close_read(r);
	free(data);
}

/* Both magics, both byte orders: timestamps scaled right, data intact. */
static void
test_magics_and_orders(void **state)
{
	static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d};
	struct pcap_reader *r;
	struct pcap_rec rec;
	char err[256];
	int swap, mi;

	(void)state;
	for (swap = 0; swap < 2; swap++) {
		for (mi = 0; mi < 2; mi++) {
			struct fb f = {.swap = swap};
			uint64_t frac_ns = mi ? 123456789u : 123456000u;

			fb_hdr(&f, magics[mi], 65535, 1);
			fb_rec(&f, 1000, mi ? 123456789u : 123456u, 20, 20);
			fb_rec(&f, 1001, 0, 3, 3);
			fb_save(&f);
			r = pcap_open_read(path, err, sizeof(err));
			assert_non_null(r);
			assert_int_equal(pcap_read(r, &rec, err, sizeof(err)),
					 1);
			assert_true(rec.ts_ns ==
				    1000 * 1000000000ull + frac_ns);
			assert_int_equal(rec.caplen, 20);
			assert_int_equal(rec.origlen, 24);
			assert_int_equal(rec.data[1], (uint8_t)(7 + 1000));
			assert_int_equal(pcap_read(r, &rec, err, sizeof(err)),
					 1);
			assert_true(rec.ts_ns == 1001 * 1000000000ull);
			assert_int_equal(rec.caplen, 3);
			assert_int_equal(pcap_read(r, &rec, err, sizeof(err)),
					 0);
			pcap_close_read(r);
		}
	}
}

static void
expect_open_error(const char *msg_tail, int e)
{
	char err[256], want[256];

	errno = 0;
	assert_null(pcap_open_read(path, err, sizeof(err)));
	assert_int_equal(errno, e);
	snprintf(want, sizeof(want), "%s: %s", path, msg_tail);
	assert_string_equal(err, want);
}

static void
expect_read_error(const char *msg_tail, unsigned ok_records)
{
	struct pcap_reader *r;
	struct pcap_rec rec;
	char err[256], want[256];
	unsigned i;

	r = pcap_open_read(path, err, sizeof(err));
	assert_non_null(r);
	for (i = 0; i < ok_records; i++)
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 1);
	errno = 0;
	assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	snprintf(want, sizeof(want), "%s: %s", path, msg_tail);
	assert_string_equal(err, want);
	pcap_close_read(r);
}

static void
test_truncated_header(void **state)
{
	struct fb f = {0};

	(void)state;
	fb_hdr(&f, 0xa1b2c3d4, 65535, 1);
	f.n = 10;
	fb_save(&f);
	expect_open_error("truncated file header (10 of 24 bytes)", EINVAL);
	f.n = 0;
	fb_save(&f);
	expect_open_error("truncated file header (0 of 24 bytes)", EINVAL);
}

static void
test_bad_magic(void **state)
{
	struct fb f = {0};

	(void)state;
	fb_hdr(&f, 0x0a0d0d0b, 65535, 1);
	fb_save(&f);
	expect_open_error("bad magic 0x0b0d0d0a (not a pcap or pcapng file)",
			  EINVAL);
}

static void
test_bad_linktype_and_version(void **state)
{
	struct fb f = {0};

	(void)state;
	fb_hdr(&f, 0xa1b2c3d4, 65535, 113); /* Linux cooked */
	fb_save(&f);
	expect_open_error("link type 113 not supported (only Ethernet, 1)",
			  EINVAL);
	f.n = 0;
	fb32(&f, 0xa1b2c3d4);
	fb16(&f, 1);
	fb16(&f, 0);
	fb32(&f, 0);
	fb32(&f, 0);
	fb32(&f, 65535);
	fb32(&f, 1);
	fb_save(&f);
	expect_open_error("unsupported pcap version 1 (expected 2)", EINVAL);
}

static void
test_missing_file(void **state)
{
	char err[256];

	(void)state;
	unlink(path);
	errno = 0;
	assert_null(pcap_open_read(path, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_memory_equal(err, path, strlen(path));
}

static void
test_truncated_record(void **state)
{
	struct fb f = {.swap = 1};

	(void)state;
	/* Record 2 starts at 24 + 16 + 20 = 60; its header is cut at 5. */
	fb_hdr(&f, 0xa1b23c4d, 65535, 1);
	fb_rec(&f, 1, 0, 20, 20);
	fb_rec(&f, 2, 0, 20, 0);
	f.n -= 11;
	fb_save(&f);
	expect_read_error("record 2 at byte offset 60: truncated record header "
			  "(5 of 16 bytes)",
			  1);

	/* Record 2's data: 30 announced, 12 present. */
	f.n = 0;
	fb_hdr(&f, 0xa1b23c4d, 65535, 1);
	fb_rec(&f, 1, 0, 20, 20);
	fb_rec(&f, 2, 0, 30, 12);
	fb_save(&f);
	expect_read_error("record 2 at byte offset 60: truncated record data "
			  "(12 of 30 bytes)",
			  1);
}

static void
test_oversized_caplen(void **state)
{
	struct fb f = {0};

	(void)state;
	fb_hdr(&f, 0xa1b2c3d4, 128, 1);
	fb_rec(&f, 1, 0, 128, 128);
	fb_rec(&f, 2, 0, 129, 0);
	fb_save(&f);
	expect_read_error("record 2 at byte offset 168: captured length 129 "
			  "exceeds snaplen 128",
			  1);

	/* snaplen 0 (some writers): the 256 KiB cap still holds. */
	f.n = 0;
	fb_hdr(&f, 0xa1b2c3d4, 0, 1);
	fb_rec(&f, 1, 0, 262145, 0);
	fb_save(&f);
	expect_read_error("record 1 at byte offset 24: captured length 262145 "
			  "exceeds snaplen 262144",
			  0);
}

static void
test_write_error(void **state)
{
	struct pcap_writer *w;
	uint8_t frame[1500] = {0};
	int i, rc = 0;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	w = pcap_open_write("/dev/full");
	assert_non_null(w);
	/* Buffered: the error shows at a write or at the final flush. */
	for (i = 0; i < 2000 && rc == 0; i++)
		rc = pcap_write(w, 0, frame, sizeof(frame));
	errno = 0;
	assert_int_equal(pcap_close_write(w) == -1 || rc == -1, 1);
	w = pcap_open_write("/nonexistent-dir/x.pcap");
	assert_null(w);
	assert_int_equal(errno, ENOENT);
}

/* ---- pcapng ---------------------------------------------------------- */

static void
ng_shb(struct fb *f)
{
	fb32(f, 0x0a0d0d0a);
	fb32(f, 28);
	fb32(f, 0x1a2b3c4d);
	fb16(f, 1);
	fb16(f, 0);
	fb32(f, 0xffffffff); /* section length: unknown */
	fb32(f, 0xffffffff);
	fb32(f, 28);
}

/* An IDB; tsresol < 0: no if_tsresol option. */
static void
ng_idb(struct fb *f, uint16_t linktype, uint32_t snaplen, int tsresol)
{
	uint32_t len = tsresol >= 0 ? 20 + 8 + 4 : 20;

	fb32(f, 1);
	fb32(f, len);
	fb16(f, linktype);
	fb16(f, 0);
	fb32(f, snaplen);
	if (tsresol >= 0) {
		fb16(f, 9);
		fb16(f, 1);
		f->b[f->n++] = (uint8_t)tsresol;
		f->b[f->n++] = 0;
		f->b[f->n++] = 0;
		f->b[f->n++] = 0;
		fb32(f, 0); /* opt_endofopt */
	}
	fb32(f, len);
}

static void
ng_epb(struct fb *f, uint32_t ifid, uint64_t ts, uint32_t caplen)
{
	uint32_t pad = (caplen + 3) & ~3u, len = 32 + pad;

	fb32(f, 6);
	fb32(f, len);
	fb32(f, ifid);
	fb32(f, (uint32_t)(ts >> 32));
	fb32(f, (uint32_t)ts);
	fb32(f, caplen);
	fb32(f, caplen + 4);
	for (uint32_t i = 0; i < pad; i++)
		f->b[f->n++] = i < caplen ? (uint8_t)(i * 3 + 1) : 0;
	fb32(f, len);
}

/* pcapng in both byte orders: blocks other than packets skipped, if_tsresol
 * in powers of 10 and 2, Simple Packet Blocks, a second section; the
 * timestamps in nanoseconds and the bytes as written. */
static void
test_pcapng(void **state)
{
	struct pcap_reader *r;
	struct pcap_rec rec;
	char err[256];

	(void)state;
	for (int swap = 0; swap < 2; swap++) {
		struct fb f = {.swap = swap};

		ng_shb(&f);
		ng_idb(&f, 1, 0, -1); /* microseconds */
		ng_idb(&f, 1, 128, 9); /* nanoseconds, snaplen 128 */
		fb32(&f, 5); /* an Interface Statistics Block: skipped */
		fb32(&f, 16);
		fb32(&f, 0);
		fb32(&f, 16);
		ng_epb(&f, 0, 1700000000123456ull, 60);
		ng_epb(&f, 1, 1700000000123456789ull, 61);
		fb32(&f, 3); /* a Simple Packet Block of 64 bytes: snaplen */
		fb32(&f, 16 + 128);
		fb32(&f, 200);
		for (int i = 0; i < 128; i++)
			f.b[f.n++] = (uint8_t)i;
		fb32(&f, 16 + 128);
		ng_shb(&f); /* a new section forgets the interfaces */
		ng_idb(&f, 1, 0, 0x80 | 10); /* 2^-10 s */
		ng_epb(&f, 0, 3ull * 1024 + 512, 14);
		fb_save(&f);

		r = pcap_open_read(path, err, sizeof(err));
		assert_non_null(r);
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.ts_ns, 1700000000123456000ull);
		assert_int_equal(rec.caplen, 60);
		assert_int_equal(rec.origlen, 64);
		assert_int_equal(rec.data[0], 1);
		assert_int_equal(rec.data[59], (uint8_t)(59 * 3 + 1));
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.ts_ns, 1700000000123456789ull);
		assert_int_equal(rec.caplen, 61);
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.caplen, 128);
		assert_int_equal(rec.origlen, 200);
		assert_int_equal(rec.data[127], 127);
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 1);
		assert_int_equal(rec.ts_ns, 3500000000ull);
		assert_int_equal(rec.caplen, 14);
		assert_int_equal(pcap_read(r, &rec, err, sizeof(err)), 0);
		pcap_close_read(r);
	}
}

/* Malformed pcapng, each with its record number and offset. */
static void
test_pcapng_malformed(void **state)
{
	struct fb f = {0};

	(void)state;
	/* Trailing length differs (record 3 = the EPB at 28 + 20). */
	ng_shb(&f);
	ng_idb(&f, 1, 0, -1);
	ng_epb(&f, 0, 1, 20);
	f.b[f.n - 4] ^= 0x01;
	fb_save(&f);
	expect_read_error("record 3 at byte offset 48: trailing block length "
			  "53 differs from 52",
			  0);
	/* A packet of an interface the section does not describe. */
	f.n = 0;
	ng_shb(&f);
	ng_idb(&f, 1, 0, -1);
	ng_epb(&f, 1, 1, 20);
	fb_save(&f);
	expect_read_error("record 3 at byte offset 48: packet of interface 1 "
			  "(the section describes 1)",
			  0);
	/* Not Ethernet. */
	f.n = 0;
	ng_shb(&f);
	ng_idb(&f, 101, 0, -1);
	ng_epb(&f, 0, 1, 20);
	fb_save(&f);
	expect_read_error("record 3 at byte offset 48: link type 101 not "
			  "supported (only Ethernet, 1)",
			  0);
	/* A block length that is not a multiple of 4. */
	f.n = 0;
	ng_shb(&f);
	fb32(&f, 6);
	fb32(&f, 13);
	fb_save(&f);
	expect_read_error("record 2 at byte offset 28: block length 13 (a "
			  "multiple of 4, 12..266240)",
			  0);
	/* Cut short. */
	f.n = 0;
	ng_shb(&f);
	ng_idb(&f, 1, 0, -1);
	ng_epb(&f, 0, 1, 20);
	f.n -= 10;
	fb_save(&f);
	expect_read_error("record 3 at byte offset 48: truncated block (42 of "
			  "52 bytes)",
			  0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_magics_and_orders, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_magic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_linktype_and_version,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_oversized_caplen, setup,
						teardown),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test_setup_teardown(test_pcapng, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcapng_malformed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
