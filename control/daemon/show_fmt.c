/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show_fmt.c - the building blocks of the `show` commands: the clock,
 * units, times, addresses, names. No state of the daemon here; see show.c
 * for the commands and view.c for how they print.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "show_impl.h"

/* ---------------------------------------------------------------- clock */

static void (*show_clock)(struct timespec *ts);

/* Wall clock, or the test's. Loop thread. */
void
show_now(struct timespec *ts)
{
	if (show_clock != NULL)
		show_clock(ts);
	else
		clock_gettime(CLOCK_REALTIME, ts);
}

/* Replace the clock (tests). Before any show command runs. */
void
show_set_clock(void (*fn)(struct timespec *ts))
{
	show_clock = fn;
}

/* ---------------------------------------------------------------- units */

/* Count with an SI suffix and three significant digits. Any thread. */
const char *
show_si(char *buf, double v)
{
	static const char unit[] = " kMGTPE";
	unsigned u = 0;

	if (v < 0)
		v = 0;
	if (v < 999.5) {
		snprintf(buf, SHOW_NUM_LEN, "%.0f", v);
		return buf;
	}
	while (u + 1 < sizeof(unit) - 1 && v >= 999.5) {
		v /= 1000.0;
		u++;
	}
	/* Three significant digits; 9.995 would print "10.0": step up. */
	if (v < 9.995)
		snprintf(buf, SHOW_NUM_LEN, "%.2f%c", v, unit[u]);
	else if (v < 99.95)
		snprintf(buf, SHOW_NUM_LEN, "%.1f%c", v, unit[u]);
	else
		snprintf(buf, SHOW_NUM_LEN, "%.0f%c", v, unit[u]);
	return buf;
}

/* Bit rate with unit. Any thread. */
const char *
show_bitrate(char *buf, double bits_per_s)
{
	static const char *const unit[] = {"bit/s", "kbit/s", "Mbit/s",
					   "Gbit/s", "Tbit/s"};
	unsigned u = 0;
	double v = bits_per_s < 0 ? 0 : bits_per_s;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && v >= 999.5) {
		v /= 1000.0;
		u++;
	}
	/* Whole numbers as the config writes them: "10 Gbit/s". */
	if (u == 0 || v >= 99.95 || v == (double)(uint64_t)v)
		snprintf(buf, SHOW_NUM_LEN, "%.0f %s", v, unit[u]);
	else if (v >= 9.995)
		snprintf(buf, SHOW_NUM_LEN, "%.1f %s", v, unit[u]);
	else
		snprintf(buf, SHOW_NUM_LEN, "%.2f %s", v, unit[u]);
	return buf;
}

/* Byte size with a binary unit. Any thread. */
const char *
show_size(char *buf, uint64_t bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	uint64_t v = bytes;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && v >= 1024 &&
	       v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (v < 10240 || u + 1 == sizeof(unit) / sizeof(unit[0])) {
		snprintf(buf, SHOW_NUM_LEN, "%" PRIu64 " %s", v, unit[u]);
		return buf;
	}
	/* Not a whole number of a larger unit: one decimal of the largest
	 * unit that keeps it at or above 1. */
	{
		double d = (double)bytes;

		u = 0;
		while (u + 1 < sizeof(unit) / sizeof(unit[0]) && d >= 1024) {
			d /= 1024;
			u++;
		}
		snprintf(buf, SHOW_NUM_LEN, "%.1f %s", d, unit[u]);
	}
	return buf;
}

/* Duration, most significant two units. Any thread. */
const char *
show_duration(char *buf, int64_t s)
{
	if (s < 0)
		snprintf(buf, SHOW_NUM_LEN, "expired");
	else if (s < 60)
		snprintf(buf, SHOW_NUM_LEN, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, SHOW_NUM_LEN, "%" PRId64 "m%02" PRId64 "s",
			 s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, SHOW_NUM_LEN, "%" PRId64 "h%02" PRId64 "m",
			 s / 3600, s % 3600 / 60);
	else
		snprintf(buf, SHOW_NUM_LEN, "%" PRId64 "d%02" PRId64 "h",
			 s / 86400, s % 86400 / 3600);
	return buf;
}

/* RFC 3339 UTC time. Any thread. */
const char *
show_time(char *buf, size_t len, int64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%" PRId64, unix_s);
	return buf;
}

/* --------------------------------------------------------- addresses */

/* Prefix text from network-order bytes. Any thread. */
const char *
show_prefix(char *buf, size_t len, int family, const uint8_t addr[16],
	    unsigned plen)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)) ==
	    NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, plen);
	return buf;
}

/* Prefix text from a host-order IPv4 address. Any thread. */
const char *
show_prefix4h(char *buf, size_t len, uint32_t addr, unsigned plen)
{
	uint8_t b[16] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
			 (uint8_t)(addr >> 8), (uint8_t)addr};

	return show_prefix(buf, len, 4, b, plen);
}

/* MAC text. Any thread. */
const char *
show_mac(char *buf, size_t len, const uint8_t m[6])
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

static void
mask_bits(uint8_t a[16], unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > 8 * i ? plen - 8 * i : 0;

		if (bits >= 8)
			continue;
		a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

/* Parse ADDR[/LEN]; host bits cleared. 0 or -EINVAL. Any thread. */
int
show_parse_prefix(const char *s, int *family, uint8_t addr[16], unsigned *plen)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (n == 0 || n >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, a, addr) == 1) {
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, a, addr) == 1) {
		*family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	*plen = max;
	if (slash != NULL) {
		char *end;
		unsigned long l;

		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		l = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || l > max)
			return -EINVAL;
		*plen = (unsigned)l;
	}
	mask_bits(addr, *plen);
	return 0;
}

/* Prefix containment over network-order bytes. Any thread. */
bool
show_covers(const uint8_t a[16], unsigned alen, const uint8_t b[16],
	    unsigned blen)
{
	unsigned full = alen / 8, rest = alen % 8;

	if (alen > blen)
		return false;
	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

/* ---------------------------------------------------------------- names */

/* Levenshtein distance, two rows. Names are at most IXG_NAME_LEN; longer
 * input is compared on its first 63 bytes. */
unsigned
show_edit_distance(const char *a, const char *b)
{
	unsigned prev[64], cur[64];
	size_t la = strlen(a), lb = strlen(b);

	if (la > 63)
		la = 63;
	if (lb > 63)
		lb = 63;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
			unsigned m = sub < del ? sub : del;

			cur[j] = m < ins ? m : ins;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}
