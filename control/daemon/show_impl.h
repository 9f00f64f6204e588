/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show_impl.h - what show.c (the `show` commands), view.c (their renderer)
 * and show_fmt.c (clock, units, addresses) share inside ixgate-control.
 * Not an API: nothing outside control/daemon/show*.c and view.c includes
 * it.
 *
 * Single-threaded like the rest of the daemon: everything runs on the event
 * loop's thread, for one command at a time.
 */
#ifndef IXG_SHOW_IMPL_H
#define IXG_SHOW_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixg_api.h"

#include <time.h>

/* Human output must fit a 100-column terminal. */
#define SHOW_WIDTH 100

/* ---------------------------------------------------------------- clock */

/* The wall clock every show command reads (CLOCK_REALTIME). */
void show_now(struct timespec *ts);

/* Replace the clock (tests render golden files at a fixed time); NULL
 * restores CLOCK_REALTIME. */
void show_set_clock(void (*fn)(struct timespec *ts));

/* ---------------------------------------------------------------- units */

/* Buffers for the formatters below: "-1234.5 Tbit/s" and friends. */
#define SHOW_NUM_LEN 32

/*
 * A count with an SI suffix and three significant digits: 999, 1.23k,
 * 45.6M, 789G. Writes buf (SHOW_NUM_LEN) and returns it.
 */
const char *show_si(char *buf, double v);

/* A bit rate with its unit: "512 bit/s", "98.7 Mbit/s", "10 Gbit/s". */
const char *show_bitrate(char *buf, double bits_per_s);

/* A byte size with a binary unit as the config writes them: "512 B",
 * "64 KiB", "16 MiB". Exact when the size is a whole number of units. */
const char *show_size(char *buf, uint64_t bytes);

/* A duration: "45s", "12m05s", "3h07m", "27394d04h". Negative: "expired". */
const char *show_duration(char *buf, int64_t seconds);

/* RFC 3339 UTC time "2099-12-31T00:00:00Z" into buf (at least 24 bytes). */
const char *show_time(char *buf, size_t len, int64_t unix_s);

/* --------------------------------------------------------- addresses */

/* "a.b.c.d/len" or "x::y/len"; addr in network byte order (IPv4 in the
 * first 4 bytes). buf at least 48 bytes. */
const char *show_prefix(char *buf, size_t len, int family,
			const uint8_t addr[16], unsigned plen);

/* The same for an IPv4 address in host byte order (spec routes). */
const char *show_prefix4h(char *buf, size_t len, uint32_t addr, unsigned plen);

/* "02:00:00:00:04:01". buf at least 18 bytes. */
const char *show_mac(char *buf, size_t len, const uint8_t mac[6]);

/*
 * Parse "ADDR" or "ADDR/LEN" (IPv4 or IPv6). Without a length the query is
 * a host (/32 or /128). Host bits are cleared. 0, or -EINVAL.
 */
int show_parse_prefix(const char *s, int *family, uint8_t addr[16],
		      unsigned *plen);

/* Does prefix (a, alen) contain prefix (b, blen)? Both network order. */
bool show_covers(const uint8_t a[16], unsigned alen, const uint8_t b[16],
		 unsigned blen);

/* ---------------------------------------------------------------- names */

/* Levenshtein distance between a and b (bytes), used for "did you mean". */
unsigned show_edit_distance(const char *a, const char *b);

#endif /* IXG_SHOW_IMPL_H */
