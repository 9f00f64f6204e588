/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util.c - allocation helpers and value parsers of the config library.
 * Hand-written parsers (no sscanf, no regex): a 1.2M-line prefix list goes
 * through parse_prefix() once per line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf_impl.h"

void *
vec_grow(void *v, uint32_t *cap, uint32_t need, size_t elsz)
{
	uint64_t ncap = *cap ? *cap : 8;
	void *nv;

	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		return NULL;
	nv = realloc(v, ncap * elsz);
	if (nv == NULL)
		return NULL;
	memset((char *)nv + (size_t)*cap * elsz, 0, (ncap - *cap) * elsz);
	*cap = (uint32_t)ncap;
	return nv;
}

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK (64 * 1024)

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (c == NULL || c->size - c->used < n) {
		size_t sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = calloc(1, sizeof(*c) + sz);
		if (c == NULL)
			return NULL;
		c->size = sz;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

int
parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9)
			return -EINVAL;
		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
parse_ip4(const char *s, size_t n, uint8_t out[4])
{
	unsigned octet = 0, digits = 0, dots = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (digits == 0 || dots == 3)
				return -EINVAL;
			out[dots++] = (uint8_t)octet;
			octet = 0;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			/* No leading zeros: "010" is octal to inet_aton. */
			if (digits == 1 && octet == 0)
				return -EINVAL;
			octet = octet * 10 + (unsigned)(s[i] - '0');
			if (++digits > 3 || octet > 255)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (dots != 3 || digits == 0)
		return -EINVAL;
	out[3] = (uint8_t)octet;
	return 0;
}

int
parse_ip6(const char *s, size_t n, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(buf) || memchr(s, ':', n) == NULL)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -EINVAL;
}

void
pfx_mask(struct pfx *p)
{
	unsigned bytes = p->fam == 4 ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned lo = i * 8;

		if (p->len >= lo + 8)
			continue;
		if (p->len <= lo)
			p->addr[i] = 0;
		else
			p->addr[i] &= (uint8_t)(0xff00u >> (p->len - lo));
	}
}

int
pfx_is_canonical(const struct pfx *p)
{
	struct pfx q = *p;

	pfx_mask(&q);
	return memcmp(q.addr, p->addr, 16) == 0;
}

int
parse_prefix(const char *s, size_t n, struct pfx *p, int need_len, char *err,
	     size_t errlen)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n;
	uint64_t len;

	memset(p->addr, 0, sizeof(p->addr));
	if (parse_ip4(s, an, p->addr) == 0) {
		p->fam = 4;
	} else if (parse_ip6(s, an, p->addr) == 0) {
		p->fam = 6;
	} else {
		snprintf(err, errlen, "expected an IPv4 or IPv6 %s, got '%.*s'",
			 need_len ? "prefix (address/length)" : "address",
			 (int)n, s);
		return -EINVAL;
	}
	if (slash == NULL) {
		if (need_len) {
			snprintf(err, errlen,
				 "expected a prefix (address/length), got "
				 "'%.*s'",
				 (int)n, s);
			return -EINVAL;
		}
		p->len = p->fam == 4 ? 32 : 128;
		return 0;
	}
	if (parse_u64(slash + 1, n - an - 1, &len) < 0 ||
	    len > (p->fam == 4 ? 32u : 128u)) {
		snprintf(err, errlen, "bad prefix length in '%.*s' (0..%u)",
			 (int)n, s, p->fam == 4 ? 32 : 128);
		return -EINVAL;
	}
	p->len = (uint8_t)len;
	return 0;
}

void
pfx_format(const struct pfx *p, int with_len, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->fam == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	if (with_len)
		snprintf(buf, len, "%s/%u", a, p->len);
	else
		snprintf(buf, len, "%s", a);
}

/*
 * Why no router may own address p->addr on a subnet of length p->len, or
 * NULL if it may: the reason, with the RFC that says so, in buf.
 */
const char *
addr_not_ownable(const struct pfx *p, char *buf, size_t len)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[16];
	const uint8_t *a = p->addr;

	if (p->fam == 4) {
		uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			     (uint32_t)a[2] << 8 | a[3];
		uint32_t host = p->len >= 32 ? 0 : UINT32_MAX >> p->len;
		char net[INET_ADDRSTRLEN];
		struct pfx q = *p;

		if (v == UINT32_MAX)
			snprintf(buf, len,
				 "the limited broadcast address (RFC 919)");
		else if (a[0] >= 224 && a[0] < 240)
			snprintf(buf, len,
				 "a multicast address (224.0.0.0/4, RFC 5771)");
		else if (a[0] >= 240)
			snprintf(buf, len,
				 "reserved (240.0.0.0/4, RFC 1112 section 4)");
		else if (a[0] == 127)
			snprintf(buf, len,
				 "a loopback address (127.0.0.0/8, RFC 1122 "
				 "section 3.2.1.3)");
		else if (a[0] == 0)
			snprintf(buf, len,
				 "in 0.0.0.0/8, \"this network\" (RFC 1122 "
				 "section 3.2.1.3)");
		/* RFC 3021: on a /31 both addresses are hosts; a /32 has
		 * no broadcast. */
		else if (p->len <= 30 &&
			 ((v & host) == 0 || (v & host) == host)) {
			pfx_mask(&q);
			inet_ntop(AF_INET, q.addr, net, sizeof(net));
			snprintf(buf, len,
				 "the %s address of %s/%u (RFC 1122 section "
				 "3.2.1.3; only a /31 or /32 may use it, RFC "
				 "3021)",
				 (v & host) == 0 ? "network" : "broadcast", net,
				 p->len);
		} else
			return NULL;
		return buf;
	}
	if (a[0] == 0xff)
		snprintf(
			buf, len,
			"a multicast address (ff00::/8, RFC 4291 section 2.7)");
	else if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		snprintf(buf, len,
			 "the loopback address (RFC 4291 section 2.5.3)");
	else if (memcmp(a, zero, 16) == 0)
		snprintf(buf, len,
			 "the unspecified address (RFC 4291 section 2.5.2)");
	else if (memcmp(a, mapped, 12) == 0)
		snprintf(buf, len,
			 "an IPv4-mapped address (::ffff:0:0/96, RFC 4291 "
			 "section 2.5.5.2)");
	else
		return NULL;
	return buf;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
parse_mac(const char *s, size_t n, uint8_t mac[6])
{
	unsigned i;

	if (n != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

struct unit {
	const char *name;
	uint64_t mult;
};

static int
parse_with_units(const char *s, size_t n, const struct unit *u, uint64_t *out)
{
	size_t digits = 0;
	uint64_t v;

	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (digits == 0 || parse_u64(s, digits, &v) < 0)
		return -EINVAL;
	for (; u->name != NULL; u++) {
		if (strlen(u->name) != n - digits ||
		    memcmp(u->name, s + digits, n - digits) != 0)
			continue;
		if (u->mult != 0 && v > UINT64_MAX / u->mult)
			return -ERANGE;
		*out = v * u->mult;
		return 0;
	}
	return -EINVAL;
}

/* Rates are SI (a 1gbit link carries 10^9 bits/s); sizes are binary, as
 * in tc(8). */
static const struct unit rate_units[] = {
	{"tbit", 1000000000000ull},
	{"gbit", 1000000000ull},
	{"mbit", 1000000ull},
	{"kbit", 1000ull},
	{"bit", 1},
	{NULL, 0},
};

static const struct unit size_units[] = {
	{"g", 1ull << 30}, {"m", 1ull << 20}, {"k", 1ull << 10},
	{"", 1},	   {NULL, 0},
};

int
parse_rate(const char *s, size_t n, uint64_t *bits)
{
	return parse_with_units(s, n, rate_units, bits);
}

int
parse_size(const char *s, size_t n, uint64_t *bytes)
{
	return parse_with_units(s, n, size_units, bytes);
}

static void
format_units(uint64_t v, const struct unit *u, char *buf, size_t len)
{
	for (; u->name != NULL; u++)
		if (v != 0 && v % u->mult == 0)
			break;
	if (u->name == NULL)
		u--;
	snprintf(buf, len, "%llu%s", (unsigned long long)(v / u->mult),
		 u->name);
}

void
format_rate(uint64_t bits, char *buf, size_t len)
{
	format_units(bits, rate_units, buf, len);
}

void
format_size(uint64_t bytes, char *buf, size_t len)
{
	format_units(bytes, size_units, buf, len);
}

static int
take_num(const char *s, unsigned n, unsigned lo, unsigned hi, int *out)
{
	uint64_t v;

	if (parse_u64(s, n, &v) < 0 || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int
parse_time(const char *s, size_t n, int64_t *t)
{
	struct tm tm;
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31};
	time_t v;

	memset(&tm, 0, sizeof(tm));
	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -EINVAL;
	if (take_num(s, 4, 1970, 9999, &tm.tm_year) < 0 ||
	    take_num(s + 5, 2, 1, 12, &tm.tm_mon) < 0 ||
	    take_num(s + 8, 2, 1, 31, &tm.tm_mday) < 0 ||
	    take_num(s + 11, 2, 0, 23, &tm.tm_hour) < 0 ||
	    take_num(s + 14, 2, 0, 59, &tm.tm_min) < 0 ||
	    take_num(s + 17, 2, 0, 59, &tm.tm_sec) < 0)
		return -EINVAL;
	if ((unsigned)tm.tm_mday > mdays[tm.tm_mon - 1])
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	v = timegm(&tm);
	/* timegm normalises 29 February of a common year into March. */
	if (tm.tm_mday != (s[8] - '0') * 10 + (s[9] - '0'))
		return -EINVAL;
	*t = (int64_t)v;
	return 0;
}

void
format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of neighbours ("mca" is one edit from "mac"). */
unsigned
edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned m[64][64], i, j;

	if (an >= 63 || bn >= 63)
		return 99;
	for (i = 0; i <= an; i++)
		m[i][0] = i;
	for (j = 0; j <= bn; j++)
		m[0][j] = j;
	for (i = 1; i <= an; i++) {
		for (j = 1; j <= bn; j++) {
			unsigned best = m[i - 1][j - 1] +
					(a[i - 1] != b[j - 1]);

			if (m[i - 1][j] + 1 < best)
				best = m[i - 1][j] + 1;
			if (m[i][j - 1] + 1 < best)
				best = m[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && m[i - 2][j - 2] + 1 < best)
				best = m[i - 2][j - 2] + 1;
			m[i][j] = best;
		}
	}
	return m[an][bn];
}

const char *
closest_word_in(const char *w, size_t n, const char *const *first,
		size_t stride)
{
	const char *best = NULL, *c;
	unsigned best_d = 99, limit = n < 6 ? 1 : n < 10 ? 2 : 3;
	size_t i;

	for (i = 0;
	     (c = *(const char *const *)((const char *)first + i * stride)) !=
	     NULL;
	     i++) {
		unsigned d = edit_distance(w, n, c, strlen(c));

		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	return best_d <= limit ? best : NULL;
}

const char *
closest_word(const char *w, size_t n, const char *const *cands)
{
	return closest_word_in(w, n, cands, sizeof(*cands));
}

/*
 * Minimal CIDR cover of [first, last]: repeatedly take the largest aligned
 * block starting at `first` that does not pass `last`.
 */
int
range4_to_cidr(uint32_t first, uint32_t last, cidr_cb cb, void *ctx)
{
	uint64_t cur = first, end = (uint64_t)last + 1;
	uint8_t a[16];
	int rc;

	if (first > last)
		return -EINVAL;
	memset(a, 0, sizeof(a));
	while (cur < end) {
		unsigned len = 32;

		while (len > 0) {
			uint64_t size = 1ull << (32 - (len - 1));

			if ((cur & (size - 1)) != 0 || cur + size > end)
				break;
			len--;
		}
		a[0] = (uint8_t)(cur >> 24);
		a[1] = (uint8_t)(cur >> 16);
		a[2] = (uint8_t)(cur >> 8);
		a[3] = (uint8_t)cur;
		rc = cb(ctx, a, (uint8_t)len);
		if (rc != 0)
			return rc;
		cur += 1ull << (32 - len);
	}
	return 0;
}

__extension__ typedef unsigned __int128 u128;

static u128
load128(const uint8_t b[16])
{
	u128 v = 0;
	unsigned i;

	for (i = 0; i < 16; i++)
		v = v << 8 | b[i];
	return v;
}

int
range6_to_cidr(const uint8_t first[16], const uint8_t last[16], cidr_cb cb,
	       void *ctx)
{
	u128 cur = load128(first), lst = load128(last);
	uint8_t a[16];
	int rc;

	if (cur > lst)
		return -EINVAL;
	for (;;) {
		unsigned len = 128, i;

		/* Grow the block while cur stays aligned and the block's
		 * last address stays <= lst (no overflow: compare last). */
		while (len > 0) {
			unsigned bits = 128 - (len - 1);
			u128 mask = bits == 128 ? ~(u128)0
						: (((u128)1 << bits) - 1);

			if ((cur & mask) != 0 || (cur | mask) > lst)
				break;
			len--;
		}
		for (i = 0; i < 16; i++)
			a[i] = (uint8_t)(cur >> (8 * (15 - i)));
		rc = cb(ctx, a, (uint8_t)len);
		if (rc != 0)
			return rc;
		{
			unsigned bits = 128 - len;
			u128 mask = bits == 128 ? ~(u128)0
						: (((u128)1 << bits) - 1);
			u128 blast = cur | mask;

			if (blast >= lst)
				return 0;
			cur = blast + 1;
		}
	}
}
