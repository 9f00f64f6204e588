/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgate-mkconfig - turn the real internet data of @ip-location-db/asn and
 * @ip-location-db/asn-country (fetched by bench/fetch-data.sh) into a
 * full-size ixgate config directory, and optionally into rule files for
 * DPDK's l3fwd example on the same routes. No DPDK.
 *
 * Output (--out DIR):
 *   ixgate.conf             node, 2 ports, classes, blackholes, country data
 *   acl.conf                the ACL (--acl-rules N rules)
 *   peers.d/PEER.conf       one peer each, announce-file prefixes/PEER.txt
 *   prefixes/PEER.txt       bgpq4 plain form (`bgpq4 -F '%n/%l\n'`)
 * and with --l3fwd-rules DIR: rule_ipv4.cfg, rule_ipv6.cfg (l3fwd LPM) and
 * acl_rule_ipv4.cfg, acl_rule_ipv6.cfg (l3fwd --lookup acl).
 *
 * Everything is deterministic: same data, options and seed, same bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "ixf.h"
#include "ixg_version.h"

__extension__ typedef unsigned __int128 u128;

#define MAX_PEERS 4095 /* ixg_api.h: peer ids 1..4095 */
#define MAX_ACL_RULES 65535
#define NO_CC 0xffff

/* The China and ASEAN members: one peer (at least) each, on port p1. */
static const char *const focus_cc[] = {
	"CN", "VN", "LA", "MM", "TH", "MY", "SG", "KH", "ID", "PH", "BN",
};
#define N_FOCUS (sizeof(focus_cc) / sizeof(focus_cc[0]))

struct opts {
	const char *data_dir;
	const char *asn4, *asn6, *cc4, *cc6;
	const char *out_dir;
	const char *l3fwd_dir;
	int l3fwd_port; /* -1: the egress peer's port */
	unsigned peers;
	unsigned acl_rules;
	unsigned blackholes;
	int deaggregate;
	unsigned routes4, routes6;
	uint64_t seed;
	/* Variants for the benchmark's scenarios (bench/README-compare.md):
	 * each one leaves everything else as in the full config. */
	unsigned table_routes; /* 0: all; else N routes per family */
	int sav; /* -1: strict, loose for the catch-all peers; else SAV_* */
	int no_policer, no_countries, untagged;
	int sampling; /* -1: 1-in-1000; 0: off; else 1-in-N */
};

enum { SAV_STRICT, SAV_LOOSE, SAV_OFF };
static const char *const sav_names[] = {"strict", "loose", "off"};

/* One address range or prefix; IPv4 lives in the low 32 bits of addr. */
struct prefix {
	u128 addr;
	uint32_t asn_idx;
	uint16_t peer; /* index into peers[] */
	uint8_t len;
	uint8_t v6;
	uint8_t real; /* 1: from the data, 0: deaggregated more-specific */
};

struct cc_range {
	u128 first, last;
	uint16_t cc;
};

struct asn {
	uint32_t asn;
	uint32_t n_pfx;
	uint16_t cc; /* country of its largest IPv4 range, else IPv6 */
	uint16_t group;
	uint16_t peer;
	uint8_t best_v6; /* best_size is an IPv6 size */
	u128 best_size;
};

struct group {
	uint16_t cc; /* NO_CC: the catch-all "other" group */
	uint16_t key; /* the country it was made for (1024: none) */
	uint8_t focus;
	uint32_t n_pfx;
	uint32_t n_asn;
	uint32_t k; /* peers given to it */
	uint32_t first_peer;
};

struct peer {
	char name[32];
	uint16_t cc;
	uint16_t port;
	uint32_t asn;
	uint32_t n_pfx4, n_pfx6;
	uint32_t load;
	uint16_t vlan, outer_vlan;
	uint8_t loose;
};

struct vec {
	void *p;
	size_t n, cap, sz;
};

static struct {
	struct vec pfx; /* struct prefix */
	struct vec ccr4, ccr6; /* struct cc_range */
	struct vec asns; /* struct asn */
	uint32_t *asn_ht; /* open addressing: asn index + 1 */
	size_t asn_ht_mask;
	char cc_names[1024][2];
	unsigned n_cc;
	struct group groups[1024];
	unsigned n_groups;
	struct peer *peers;
	unsigned n_peers;
	uint64_t rng;
	size_t n_ranges4, n_ranges6, n_dups;
} g;

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ixgate-mkconfig: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

static void *
vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->p = xrealloc(v->p, v->cap * v->sz);
	}
	return (char *)v->p + v->sz * v->n++;
}

#define VEC_AT(v, type, i) (&((type *)(v).p)[i])

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t
rnd(void)
{
	uint64_t z = (g.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint16_t
cc_index(const char *s)
{
	unsigned i;

	for (i = 0; i < g.n_cc; i++)
		if (g.cc_names[i][0] == s[0] && g.cc_names[i][1] == s[1])
			return (uint16_t)i;
	if (g.n_cc == sizeof(g.cc_names) / sizeof(g.cc_names[0]))
		die("more than %u country codes", g.n_cc);
	g.cc_names[g.n_cc][0] = s[0];
	g.cc_names[g.n_cc][1] = s[1];
	return (uint16_t)g.n_cc++;
}

static u128
bytes_to_u128(const uint8_t *b, int n)
{
	u128 v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

static void
u128_to_bytes(u128 v, uint8_t *b, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int
parse_addr(const char *s, size_t n, int v6, u128 *out)
{
	char buf[64];
	uint8_t b[16];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, b) != 1)
		return -EINVAL;
	*out = bytes_to_u128(b, v6 ? 16 : 4);
	return 0;
}

static const char *
fmt_addr(u128 a, int v6, char *buf, size_t len)
{
	uint8_t b[16];

	u128_to_bytes(a, b, v6 ? 16 : 4);
	return inet_ntop(v6 ? AF_INET6 : AF_INET, b, buf, (socklen_t)len);
}

/* l3fwd's ACL parser wants all eight IPv6 groups, in hex, no "::". */
static const char *
fmt_addr6_full(u128 a, char *buf, size_t len)
{
	unsigned w[8];
	int i;

	for (i = 7; i >= 0; i--) {
		w[i] = (unsigned)(a & 0xffff);
		a >>= 16;
	}
	snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x", w[0], w[1], w[2], w[3],
		 w[4], w[5], w[6], w[7]);
	return buf;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		die("cannot read %s: %s (run bench/fetch-data.sh first?)", path,
		    strerror(errno));
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f))
		die("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * Split a CSV line into its first `want` fields. The fields we read never
 * hold quotes; a quoted organisation name later on the line is not read.
 */
static int
csv_fields(const char *p, const char *end, int want, const char **f, size_t *fl)
{
	int i;

	for (i = 0; i < want; i++) {
		const char *c = p;

		while (c < end && *c != ',')
			c++;
		f[i] = p;
		fl[i] = (size_t)(c - p);
		if (c == end && i + 1 < want)
			return -EINVAL;
		p = c + 1;
	}
	return 0;
}

/* A first field that cannot start an address names a column. */
static int
is_header(const char *f, size_t n)
{
	char c = n ? f[0] : '0';

	return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		 (c >= 'A' && c <= 'F') || c == ':');
}

typedef void (*line_fn)(const char *path, unsigned line, const char **f,
			size_t *fl, int v6);

/* Calls fn for every non-empty line; a header line (first field not an
 * address) is skipped, a bad line later is fatal with file:line. */
static void
for_each_csv(const char *path, int nfields, int v6, line_fn fn)
{
	size_t len;
	char *buf = read_file(path, &len);
	const char *p = buf, *end = buf + len;
	unsigned line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *f[4];
		size_t fl[4];

		line++;
		if (le > p && le[-1] == '\r')
			le--;
		if (le > p) {
			if (csv_fields(p, le, nfields, f, fl) < 0)
				die("%s:%u: expected %d comma-separated fields",
				    path, line, nfields);
			if (line > 1 || !is_header(f[0], fl[0]))
				fn(path, line, f, fl, v6);
		}
		p = nl ? nl + 1 : end;
	}
	free(buf);
}

static void
cc_line(const char *path, unsigned line, const char **f, size_t *fl, int v6)
{
	struct cc_range *r = vec_push(v6 ? &g.ccr6 : &g.ccr4);

	if (parse_addr(f[0], fl[0], v6, &r->first) < 0 ||
	    parse_addr(f[1], fl[1], v6, &r->last) < 0)
		die("%s:%u: bad IPv%d address", path, line, v6 ? 6 : 4);
	if (r->first > r->last)
		die("%s:%u: range starts after it ends", path, line);
	if (fl[2] != 2 || f[2][0] < 'A' || f[2][0] > 'Z' || f[2][1] < 'A' ||
	    f[2][1] > 'Z')
		die("%s:%u: bad country code '%.*s'", path, line, (int)fl[2],
		    f[2]);
	r->cc = cc_index(f[2]);
}

static int
cmp_cc_range(const void *a, const void *b)
{
	const struct cc_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static uint16_t
cc_lookup(u128 addr, int v6)
{
	const struct vec *v = v6 ? &g.ccr6 : &g.ccr4;
	const struct cc_range *r = v->p;
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].first <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || r[lo - 1].last < addr)
		return NO_CC;
	return r[lo - 1].cc;
}

static uint32_t
asn_find(uint32_t asn)
{
	size_t i = (asn * 2654435761u) & g.asn_ht_mask;
	struct asn *a;

	while (g.asn_ht[i]) {
		a = VEC_AT(g.asns, struct asn, g.asn_ht[i] - 1);
		if (a->asn == asn)
			return g.asn_ht[i] - 1;
		i = (i + 1) & g.asn_ht_mask;
	}
	if (g.asns.n * 2 >= g.asn_ht_mask)
		die("more than %zu ASNs", g.asn_ht_mask / 2);
	a = vec_push(&g.asns);
	memset(a, 0, sizeof(*a));
	a->asn = asn;
	a->cc = NO_CC;
	g.asn_ht[i] = (uint32_t)g.asns.n;
	return (uint32_t)g.asns.n - 1;
}

/* Minimal CIDR cover of [first, last] (bits: 32 or 128). */
static void
range_to_prefixes(u128 first, u128 last, int bits, uint32_t asn_idx, int v6)
{
	for (;;) {
		int host = 0;
		u128 span;
		struct prefix *p;

		/* The largest aligned block that starts at first and ends
		 * inside the range. */
		while (host < bits) {
			u128 m = host + 1 >= 128 ? ~(u128)0
						 : ((u128)1 << (host + 1)) - 1;

			if ((first & m) != 0 || m > last - first)
				break;
			host++;
		}
		p = vec_push(&g.pfx);
		memset(p, 0, sizeof(*p));
		p->addr = first;
		p->len = (uint8_t)(bits - host);
		p->v6 = (uint8_t)v6;
		p->asn_idx = asn_idx;
		p->real = 1;
		span = host >= 128 ? ~(u128)0 : ((u128)1 << host) - 1;
		if (span >= last - first)
			break;
		first += span + 1;
	}
}

static void
asn_line(const char *path, unsigned line, const char **f, size_t *fl, int v6)
{
	u128 first, last, size;
	uint64_t asn;
	uint32_t ai;
	struct asn *a;
	char *end;
	char num[16];
	uint16_t cc;

	if (parse_addr(f[0], fl[0], v6, &first) < 0 ||
	    parse_addr(f[1], fl[1], v6, &last) < 0)
		die("%s:%u: bad IPv%d address", path, line, v6 ? 6 : 4);
	if (first > last)
		die("%s:%u: range starts after it ends", path, line);
	if (fl[2] == 0 || fl[2] >= sizeof(num))
		die("%s:%u: bad ASN", path, line);
	memcpy(num, f[2], fl[2]);
	num[fl[2]] = '\0';
	errno = 0;
	asn = strtoull(num, &end, 10);
	if (errno || *end || num[0] == '-' || asn == 0 || asn >= 4294967295ull)
		die("%s:%u: bad ASN '%s' (1..4294967294)", path, line, num);
	ai = asn_find((uint32_t)asn);
	range_to_prefixes(first, last, v6 ? 128 : 32, ai, v6);
	if (v6)
		g.n_ranges6++;
	else
		g.n_ranges4++;

	/* The ASN's country: that of its largest IPv4 range, else IPv6. */
	a = VEC_AT(g.asns, struct asn, ai);
	size = last - first;
	cc = cc_lookup(first, v6);
	if (cc == NO_CC)
		return;
	if (a->cc == NO_CC || (a->best_v6 && !v6) ||
	    (a->best_v6 == v6 && size > a->best_size)) {
		a->cc = cc;
		a->best_size = size;
		a->best_v6 = (uint8_t)v6;
	}
}

static int
cmp_prefix(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;

	if (x->v6 != y->v6)
		return x->v6 - y->v6;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->len - y->len;
}

/* Prefixes grouped for output: by peer, then family, address, length. */
static int
cmp_prefix_peer(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;

	if (x->peer != y->peer)
		return x->peer - y->peer;
	return cmp_prefix(a, b);
}

/* By peer, family, length (shortest first), address. */
static int
cmp_prefix_len(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;

	if (x->peer != y->peer)
		return x->peer - y->peer;
	if (x->v6 != y->v6)
		return x->v6 - y->v6;
	if (x->len != y->len)
		return x->len - y->len;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

/* The same prefix from two ranges (two ASNs) is one route: keep the
 * first, whose ASN is the lower address's range. */
static void
dedupe_prefixes(void)
{
	struct prefix *p = g.pfx.p;
	size_t i, o = 0;

	qsort(p, g.pfx.n, sizeof(*p), cmp_prefix);
	for (i = 0; i < g.pfx.n; i++) {
		if (o > 0 && p[o - 1].v6 == p[i].v6 &&
		    p[o - 1].addr == p[i].addr && p[o - 1].len == p[i].len) {
			g.n_dups++;
			continue;
		}
		p[o++] = p[i];
	}
	g.pfx.n = o;
}

static int
is_focus(uint16_t cc, unsigned *rank)
{
	unsigned i;

	if (cc == NO_CC)
		return 0;
	for (i = 0; i < N_FOCUS; i++)
		if (memcmp(g.cc_names[cc], focus_cc[i], 2) == 0) {
			if (rank)
				*rank = i;
			return 1;
		}
	return 0;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	unsigned rx = 0, ry = 0;
	int fx = is_focus(x->cc, &rx), fy = is_focus(y->cc, &ry);

	if (fx != fy)
		return fy - fx;
	if (fx)
		return (int)rx - (int)ry;
	if (x->cc == NO_CC || y->cc == NO_CC) /* unknown country last */
		return (x->cc == NO_CC) - (y->cc == NO_CC);
	if (x->n_pfx != y->n_pfx)
		return x->n_pfx > y->n_pfx ? -1 : 1;
	return memcmp(g.cc_names[x->cc], g.cc_names[y->cc], 2);
}

static int
cmp_asn_load(const void *a, const void *b)
{
	const struct asn *x = *(struct asn *const *)a;
	const struct asn *y = *(struct asn *const *)b;

	if (x->group != y->group)
		return x->group - y->group;
	if (x->n_pfx != y->n_pfx)
		return x->n_pfx > y->n_pfx ? -1 : 1;
	return x->asn < y->asn ? -1 : x->asn > y->asn;
}

static void
lower_cc(uint16_t cc, char out[3])
{
	out[0] = (char)(g.cc_names[cc][0] | 0x20);
	out[1] = (char)(g.cc_names[cc][1] | 0x20);
	out[2] = '\0';
}

/*
 * Origin ASNs become peers: one group per country (China and ASEAN first,
 * then by prefix count); with fewer peers than groups the smallest groups
 * share a catch-all peer "other"; spare peers split the biggest groups by
 * ASN (greedy: each ASN, largest first, to the group's least loaded peer).
 */
static void
make_peers(unsigned want)
{
	struct asn *asns = g.asns.p;
	struct prefix *p = g.pfx.p;
	unsigned i, n_slots, n_total = 0, p1_vlans = 0;
	uint16_t map[1025];
	struct asn **sort_asns;
	size_t j;

	for (j = 0; j < g.asns.n; j++)
		asns[j].n_pfx = 0;
	for (j = 0; j < g.pfx.n; j++)
		asns[p[j].asn_idx].n_pfx++;

	/* Groups by country code (NO_CC for ASNs of no known country). */
	for (i = 0; i < 1025; i++)
		map[i] = 0xffff;
	g.n_groups = 0;
	for (j = 0; j < g.asns.n; j++) {
		unsigned key = asns[j].cc == NO_CC ? 1024 : asns[j].cc;
		struct group *gr;

		if (asns[j].n_pfx == 0)
			continue;
		if (map[key] == 0xffff) {
			map[key] = (uint16_t)g.n_groups;
			gr = &g.groups[g.n_groups++];
			memset(gr, 0, sizeof(*gr));
			gr->cc = asns[j].cc;
			gr->key = (uint16_t)key;
			gr->focus = (uint8_t)is_focus(asns[j].cc, NULL);
		}
		gr = &g.groups[map[key]];
		gr->n_pfx += asns[j].n_pfx;
		gr->n_asn++;
	}
	qsort(g.groups, g.n_groups, sizeof(g.groups[0]), cmp_group);

	/* Slots: one per group while they last, the last one "other". */
	n_slots = g.n_groups <= want ? g.n_groups : want;
	if (n_slots < g.n_groups) {
		struct group *other = &g.groups[n_slots - 1];

		for (i = n_slots; i < g.n_groups; i++) {
			other->n_pfx += g.groups[i].n_pfx;
			other->n_asn += g.groups[i].n_asn;
		}
		other->cc = NO_CC;
		other->focus = 0;
	}
	for (i = 0; i < n_slots; i++)
		g.groups[i].k = 1;
	/* ASN -> group (groups past the slots fold into the last slot). */
	for (i = 0; i < 1025; i++)
		map[i] = 0xffff;
	for (i = 0; i < g.n_groups; i++)
		map[g.groups[i].key] = (uint16_t)(i < n_slots ? i
							      : n_slots - 1);
	for (j = 0; j < g.asns.n; j++) {
		unsigned key = asns[j].cc == NO_CC ? 1024 : asns[j].cc;

		asns[j].group = asns[j].n_pfx ? map[key] : 0xffff;
	}
	g.n_groups = n_slots;

	/* Spare peers split the group with the most prefixes per peer. */
	for (n_total = n_slots; n_total < want; n_total++) {
		struct group *best = NULL;

		for (i = 0; i < g.n_groups; i++) {
			struct group *gr = &g.groups[i];

			if (gr->k >= gr->n_asn)
				continue;
			if (best == NULL ||
			    (uint64_t)gr->n_pfx * best->k >
				    (uint64_t)best->n_pfx * gr->k)
				best = gr;
		}
		if (best == NULL)
			break; /* one peer per ASN already */
		best->k++;
	}

	g.peers = calloc(n_total, sizeof(*g.peers));
	if (g.peers == NULL)
		die("out of memory");
	g.n_peers = 0;
	for (i = 0; i < g.n_groups; i++) {
		struct group *gr = &g.groups[i];
		uint32_t k;

		gr->first_peer = g.n_peers;
		for (k = 0; k < gr->k; k++) {
			struct peer *pe = &g.peers[g.n_peers++];
			char cc[3];

			pe->cc = gr->cc;
			if (gr->cc == NO_CC)
				snprintf(cc, sizeof(cc), "%s", "");
			else
				lower_cc(gr->cc, cc);
			if (gr->cc == NO_CC && gr->k == 1)
				snprintf(pe->name, sizeof(pe->name), "other");
			else if (gr->cc == NO_CC)
				snprintf(pe->name, sizeof(pe->name), "other-%u",
					 k + 1);
			else if (gr->k == 1)
				snprintf(pe->name, sizeof(pe->name), "%s", cc);
			else
				snprintf(pe->name, sizeof(pe->name), "%s-%u",
					 cc, k + 1);
			/* China and ASEAN on private interconnects (port p1,
			 * one VLAN each), the rest on the public LAN. */
			if (gr->focus) {
				unsigned v = p1_vlans++;

				pe->port = 1;
				if (v < 3990) {
					pe->vlan = (uint16_t)(101 + v);
				} else {
					pe->outer_vlan = 4001;
					pe->vlan = (uint16_t)(101 + v - 3990);
				}
			} else {
				pe->port = 0;
				pe->vlan = 100;
			}
			pe->loose = gr->cc == NO_CC;
		}
	}

	/* ASNs to peers. */
	sort_asns = xrealloc(NULL, g.asns.n * sizeof(*sort_asns));
	for (j = 0; j < g.asns.n; j++)
		sort_asns[j] = &asns[j];
	qsort(sort_asns, g.asns.n, sizeof(*sort_asns), cmp_asn_load);
	for (j = 0; j < g.asns.n; j++) {
		struct asn *a = sort_asns[j];
		struct group *gr;
		uint32_t k, best;

		if (a->group == 0xffff)
			continue;
		gr = &g.groups[a->group];
		best = gr->first_peer;
		for (k = 1; k < gr->k; k++)
			if (g.peers[gr->first_peer + k].load <
			    g.peers[best].load)
				best = gr->first_peer + k;
		a->peer = (uint16_t)best;
		if (g.peers[best].asn == 0)
			g.peers[best].asn = a->asn; /* its biggest origin AS */
		g.peers[best].load += a->n_pfx;
	}
	free(sort_asns);
	for (j = 0; j < g.pfx.n; j++)
		p[j].peer = asns[p[j].asn_idx].peer;
}

/* Open-addressing set of the prefixes, to add more-specifics only once. */
struct pset {
	uint32_t *slot; /* prefix index + 1 */
	size_t mask;
};

static size_t
pset_hash(u128 a, uint8_t len, uint8_t v6)
{
	uint64_t h = (uint64_t)a ^ (uint64_t)(a >> 64) * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)len << 1 | v6) * 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (size_t)(h ^ (h >> 32));
}

static int
pset_insert(struct pset *s, size_t idx)
{
	const struct prefix *p = VEC_AT(g.pfx, struct prefix, idx);
	size_t i = pset_hash(p->addr, p->len, p->v6) & s->mask;

	while (s->slot[i]) {
		const struct prefix *q = VEC_AT(g.pfx, struct prefix,
						s->slot[i] - 1);

		if (q->addr == p->addr && q->len == p->len && q->v6 == p->v6)
			return 0;
		i = (i + 1) & s->mask;
	}
	s->slot[i] = (uint32_t)idx + 1;
	return 1;
}

/*
 * More-specifics of real prefixes, as deaggregation puts them in the
 * default-free zone: a random real prefix of length lo..hi-1 (IPv4 /8../23,
 * IPv6 /19../47) gets a random child, /24 (/48) seven times in ten, else of
 * a length between, announced by the same origin peer, until the family
 * has `target` routes.
 */
static size_t
deaggregate(int v6, size_t target)
{
	unsigned lo = v6 ? 19 : 8, hi = v6 ? 48 : 24, bits = v6 ? 128 : 32;
	size_t n_real = g.pfx.n, j, have = 0, added = 0, tries = 0;
	size_t n_par = 0;
	uint32_t *parents;
	struct pset s;

	for (j = 0; j < n_real; j++) {
		const struct prefix *p = VEC_AT(g.pfx, struct prefix, j);

		have += p->v6 == v6;
		n_par += p->v6 == v6 && p->len >= lo && p->len < hi;
	}
	if (have >= target || n_par == 0)
		return 0;
	parents = xrealloc(NULL, n_par * sizeof(*parents));
	n_par = 0;
	for (j = 0; j < n_real; j++) {
		const struct prefix *p = VEC_AT(g.pfx, struct prefix, j);

		if (p->v6 == v6 && p->len >= lo && p->len < hi)
			parents[n_par++] = (uint32_t)j;
	}
	for (s.mask = 1; s.mask < (g.pfx.n + target - have) * 2; s.mask <<= 1)
		;
	s.slot = calloc(s.mask, sizeof(*s.slot));
	if (s.slot == NULL)
		die("out of memory");
	s.mask--;
	for (j = 0; j < n_real; j++)
		pset_insert(&s, j);
	while (have < target) {
		struct prefix par, *c;
		unsigned len;
		uint64_t idx;

		if (++tries > target * 50)
			die("deaggregation found only %zu IPv%d routes of %zu",
			    have, v6 ? 6 : 4, target);
		par = *VEC_AT(g.pfx, struct prefix, parents[rnd_below(n_par)]);
		if (rnd_below(10) < 7)
			len = hi;
		else
			len = par.len + 1 + (unsigned)rnd_below(hi - par.len);
		idx = rnd() & ((1ull << (len - par.len)) - 1);
		c = vec_push(&g.pfx);
		*c = par;
		c->len = (uint8_t)len;
		c->real = 0;
		c->addr = par.addr | ((u128)idx << (bits - len));
		if (pset_insert(&s, g.pfx.n - 1)) {
			have++;
			added++;
		} else {
			g.pfx.n--;
		}
	}
	free(s.slot);
	free(parents);
	return added;
}

/* ---- ACL ---------------------------------------------------------- */

enum { ACT_DENY, ACT_CLASS, ACT_REMARK };

struct rule {
	char name[32];
	int peer; /* -1: any */
	uint8_t v6;
	uint8_t proto; /* 0: any */
	uint8_t has_src, has_dst;
	uint8_t src_len, dst_len;
	u128 src, dst;
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
	int dscp; /* -1: any */
	uint8_t action;
	uint8_t remark;
	const char *cls;
};

struct bogon {
	const char *pfx;
	int v6;
};

/* Special-purpose space (RFC 6890 and its updates) that no peer should
 * route or source. 198.18.0.0/15 (RFC 2544) and 2001:db8::/32 (RFC 3849)
 * are left out: the generated node numbers its peering LAN from them. */
static const struct bogon bogons[] = {
	{"0.0.0.0/8", 0},	{"10.0.0.0/8", 0},     {"100.64.0.0/10", 0},
	{"127.0.0.0/8", 0},	{"169.254.0.0/16", 0}, {"172.16.0.0/12", 0},
	{"192.0.0.0/24", 0},	{"192.0.2.0/24", 0},   {"192.168.0.0/16", 0},
	{"198.51.100.0/24", 0}, {"203.0.113.0/24", 0}, {"224.0.0.0/4", 0},
	{"240.0.0.0/4", 0},	{"::/8", 1},	       {"100::/64", 1},
	{"fc00::/7", 1},	{"fe80::/10", 1},      {"ff00::/8", 1},
};
#define N_BOGONS (sizeof(bogons) / sizeof(bogons[0]))

static void
bogon_parse(unsigned i, u128 *addr, uint8_t *len)
{
	const char *s = bogons[i].pfx, *slash = strchr(s, '/');

	if (parse_addr(s, (size_t)(slash - s), bogons[i].v6, addr) < 0)
		die("internal: bad bogon %s", s);
	*len = (uint8_t)atoi(slash + 1);
}

/* Real prefixes of one family, for victims, blackholes and DSCP rules,
 * grouped by peer (the prefix array is sorted by peer when indexed). */
static struct {
	uint32_t *idx[2];
	size_t n[2];
	size_t *peer_start[2]; /* peer i: idx[f][peer_start[f][i]..[i+1]) */
} real;

static void
index_real(void)
{
	size_t j;
	int f;

	for (f = 0; f < 2; f++) {
		real.n[f] = 0;
		real.idx[f] = xrealloc(real.idx[f], g.pfx.n * sizeof(uint32_t));
		real.peer_start[f] = xrealloc(real.peer_start[f],
					      (g.n_peers + 1) * sizeof(size_t));
		for (j = 0; j <= g.n_peers; j++)
			real.peer_start[f][j] = 0;
	}
	for (j = 0; j < g.pfx.n; j++) {
		const struct prefix *p = VEC_AT(g.pfx, struct prefix, j);

		if (p->real) {
			real.idx[p->v6][real.n[p->v6]++] = (uint32_t)j;
			real.peer_start[p->v6][p->peer + 1] = real.n[p->v6];
		}
	}
	for (f = 0; f < 2; f++)
		for (j = 1; j <= g.n_peers; j++)
			if (real.peer_start[f][j] < real.peer_start[f][j - 1])
				real.peer_start[f][j] =
					real.peer_start[f][j - 1];
}

static const struct prefix *
random_real(int v6)
{
	if (real.n[v6] == 0)
		v6 = !v6;
	if (real.n[v6] == 0)
		return NULL;
	return VEC_AT(g.pfx, struct prefix,
		      real.idx[v6][rnd_below(real.n[v6])]);
}

/* A real prefix the peer announces, of family v6 if it has one. */
static const struct prefix *
random_own(unsigned peer, int v6)
{
	size_t lo = real.peer_start[v6][peer],
	       hi = real.peer_start[v6][peer + 1];

	if (lo == hi) {
		v6 = !v6;
		lo = real.peer_start[v6][peer];
		hi = real.peer_start[v6][peer + 1];
	}
	if (lo == hi)
		return NULL;
	return VEC_AT(g.pfx, struct prefix,
		      real.idx[v6][lo + rnd_below(hi - lo)]);
}

static void
rule_any(struct rule *r)
{
	memset(r, 0, sizeof(*r));
	r->peer = -1;
	r->sp_hi = r->dp_hi = 65535;
	r->dscp = -1;
}

static void
rule_victim(struct rule *r, int v6)
{
	const struct prefix *p = random_real(v6);

	if (p == NULL)
		return;
	r->v6 = p->v6;
	r->has_dst = 1;
	r->dst = p->addr;
	r->dst_len = p->len;
}

static void
rule_all_dst(struct rule *r, int v6)
{
	r->v6 = (uint8_t)v6;
	r->has_dst = 1;
	r->dst = 0;
	r->dst_len = 0;
}

/*
 * An IXP filter set shaped like the ones operators publish: global denies
 * of special-purpose destinations and sources, then per-peer rules in
 * rounds: anti-reflection denies (UDP source ports of memcached, NTP, DNS,
 * SSDP, CLDAP) towards a victim prefix, classes by port range, DSCP
 * bleaching, spoofed special-purpose sources. Every rule names one family,
 * so n config rules compile into n spec rules.
 */
static struct rule *
make_acl(unsigned n)
{
	struct rule *rules = calloc(n ? n : 1, sizeof(*rules));
	unsigned i = 0, k;

	if (rules == NULL)
		die("out of memory");
	for (k = 0; k < N_BOGONS * 2 && i < n; k++, i++) {
		struct rule *r = &rules[i];
		unsigned b = k % N_BOGONS;
		u128 a;
		uint8_t len;

		rule_any(r);
		bogon_parse(b, &a, &len);
		r->v6 = (uint8_t)bogons[b].v6;
		if (k < N_BOGONS) {
			snprintf(r->name, sizeof(r->name), "bogon-dst-%u",
				 b + 1);
			r->has_dst = 1;
			r->dst = a;
			r->dst_len = len;
		} else {
			snprintf(r->name, sizeof(r->name), "bogon-src-%u",
				 b + 1);
			r->has_src = 1;
			r->src = a;
			r->src_len = len;
		}
		r->action = ACT_DENY;
	}
	for (k = 0; i < n; k++, i++) {
		struct rule *r = &rules[i];
		unsigned peer = k % g.n_peers, round = k / g.n_peers;
		unsigned t = (round + peer) % 10;
		const struct prefix *own;
		u128 a;
		uint8_t len;

		rule_any(r);
		r->peer = (int)peer;
		r->action = ACT_DENY;
		switch (t) {
		case 0: /* memcached reflection (UDP 11211) */
		case 1: /* NTP monlist reflection */
		case 3: /* SSDP reflection */
			r->proto = 17;
			r->sp_lo = r->sp_hi = t == 0   ? 11211
					      : t == 1 ? 123
						       : 1900;
			rule_victim(r, 0);
			break;
		case 2: /* DNS reflection */
		case 8: /* CLDAP reflection */
			r->proto = 17;
			r->sp_lo = r->sp_hi = t == 2 ? 53 : 389;
			rule_victim(r, 1);
			break;
		case 4:
			r->proto = 6;
			r->dp_lo = r->dp_hi = 443;
			r->action = ACT_CLASS;
			r->cls = "transit";
			rule_all_dst(r, round & 1);
			break;
		case 5: /* STUN/TURN and real-time media */
			r->proto = 17;
			r->dp_lo = 3478;
			r->dp_hi = 3497;
			r->action = ACT_CLASS;
			r->cls = "realtime";
			rule_all_dst(r, !(round & 1));
			break;
		case 6: /* BitTorrent */
			r->proto = 6;
			r->dp_lo = 6881;
			r->dp_hi = 6889;
			r->action = ACT_CLASS;
			r->cls = "scavenger";
			rule_all_dst(r, round & 1);
			break;
		case 7: /* bleach EF from one of the peer's own prefixes */
			own = random_own(peer, round & 1);
			r->dscp = 46;
			r->action = ACT_REMARK;
			r->remark = 0;
			if (own) {
				r->v6 = own->v6;
				r->has_src = 1;
				r->src = own->addr;
				r->src_len = own->len;
			} else {
				rule_all_dst(r, 0);
			}
			break;
		default: /* spoofed special-purpose source from this peer */
			bogon_parse(round % N_BOGONS, &a, &len);
			r->v6 = (uint8_t)bogons[round % N_BOGONS].v6;
			r->has_src = 1;
			r->src = a;
			r->src_len = len;
			break;
		}
		if (!r->has_src && !r->has_dst)
			rule_all_dst(r, 0);
	}
	return rules;
}

/*
 * --table-routes N: keep N routes of each family, so the same peers, ACL
 * and traffic shape run against a small table (issue 4's "16 routes vs
 * full table"). The peers take turns, p1's and p0's alternately, so both
 * ports send and receive; each gives its shortest real prefixes first (an
 * aggregate covers the most of the peer's space). Deterministic and
 * without the PRNG, so the ACL made before it is the full config's.
 */
static void
reduce_table(unsigned n)
{
	struct prefix *p = g.pfx.p, *keep;
	size_t *next, j, n_keep = 0;
	unsigned *order, n_order = 0, i, f, got, k, q, seen;

	qsort(p, g.pfx.n, sizeof(*p), cmp_prefix_len);
	order = xrealloc(NULL, g.n_peers * sizeof(*order));
	for (i = 0; n_order < g.n_peers; i++) {
		/* the i-th peer of p1, then the i-th of p0 */
		for (k = 0; k < 2; k++)
			for (q = 0, seen = 0; q < g.n_peers; q++)
				if (g.peers[q].port == 1 - k && seen++ == i)
					order[n_order++] = q;
	}
	/* next[peer * 2 + v6]: the peer's next prefix of that family in the
	 * (peer, v6, length) order; g.pfx.n when it has none. */
	next = xrealloc(NULL, g.n_peers * 2 * sizeof(*next));
	for (j = 0; j < g.n_peers * 2; j++)
		next[j] = g.pfx.n;
	for (j = g.pfx.n; j-- > 0;)
		next[p[j].peer * 2 + p[j].v6] = j;
	keep = xrealloc(NULL, ((size_t)n * 2 + 1) * sizeof(*keep));
	for (f = 0; f < 2; f++) {
		for (got = 0; got < n;) {
			unsigned before = got;

			for (i = 0; i < n_order && got < n; i++) {
				size_t *c = &next[order[i] * 2 + f];

				while (*c < g.pfx.n && p[*c].peer == order[i] &&
				       p[*c].v6 == f && !p[*c].real)
					(*c)++;
				if (*c < g.pfx.n && p[*c].peer == order[i] &&
				    p[*c].v6 == f) {
					keep[n_keep++] = p[(*c)++];
					got++;
				}
			}
			if (got == before)
				break; /* fewer real prefixes than n */
		}
	}
	memcpy(p, keep, n_keep * sizeof(*p));
	g.pfx.n = n_keep;
	qsort(p, g.pfx.n, sizeof(*p), cmp_prefix_peer);
	free(order);
	free(next);
	free(keep);
}

/* ---- output --------------------------------------------------------- */

static void
mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		die("path too long: %s", path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die("cannot create %s: %s", buf, strerror(errno));
		buf[i] = path[i];
	}
}

static FILE *
open_out(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		die("path too long: %s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		die("cannot write %s: %s", path, strerror(errno));
	return f;
}

static void
close_out(FILE *f, const char *what)
{
	if (ferror(f) | fclose(f))
		die("error writing %s", what);
}

/* Remove the files a previous run generated: a peer that no longer exists
 * would still be included through peers.d/ *.conf. */
static void
clean_dir(const char *dir, const char *pattern)
{
	char pat[PATH_MAX];
	glob_t gl;
	size_t i;

	if ((size_t)snprintf(pat, sizeof(pat), "%s/%s", dir, pattern) >=
	    sizeof(pat))
		die("path too long: %s", dir);
	if (glob(pat, 0, NULL, &gl) != 0)
		return;
	for (i = 0; i < gl.gl_pathc; i++)
		if (unlink(gl.gl_pathv[i]) < 0)
			die("cannot remove %s: %s", gl.gl_pathv[i],
			    strerror(errno));
	globfree(&gl);
}

/* `to` relative to directory `from` (both resolved), so the config
 * directory names the data files without a machine-specific path. */
static void
relative_path(const char *from, const char *to, char *out, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];
	size_t i, common = 0, o = 0;

	if (realpath(from, a) == NULL)
		die("cannot resolve %s: %s", from, strerror(errno));
	if (realpath(to, b) == NULL)
		die("cannot resolve %s: %s", to, strerror(errno));
	/* The longest common directory: up to a '/' both share. */
	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i;
	if (a[i] == '\0' && b[i] == '/')
		common = i;
	/* One ".." per level of `from` below the common directory. */
	for (i = common; a[i]; i++) {
		if (a[i] == '/' && a[i + 1] != '\0') {
			if (o + 4 >= len)
				die("path too long: %s", to);
			memcpy(out + o, "../", 4);
			o += 3;
		}
	}
	if ((size_t)snprintf(out + o, len - o, "%s", b + common + 1) >= len - o)
		die("path too long: %s", to);
}

static void
fmt_cc(uint16_t cc, char out[3])
{
	out[0] = g.cc_names[cc][0];
	out[1] = g.cc_names[cc][1];
	out[2] = '\0';
}

static void
write_main(const struct opts *o, const char *cmdline, size_t n_real4,
	   size_t n_real6, size_t n_more4, size_t n_more6)
{
	FILE *f = open_out(o->out_dir, "ixgate.conf");
	char rel4[PATH_MAX], rel6[PATH_MAX], buf[64];
	unsigned i;

	relative_path(o->out_dir, o->cc4, rel4, sizeof(rel4));
	relative_path(o->out_dir, o->cc6, rel6, sizeof(rel6));
	fprintf(f,
		"# Generated by ixgate-mkconfig; regenerate rather than edit.\n"
		"#   %s\n"
		"# Data: @ip-location-db/asn and @ip-location-db/asn-country\n"
		"# (CC BY 4.0: RouteViews, the RIRs via the NRO, DB-IP); see\n"
		"# bench/README-data.md.\n"
		"# Routes: %zu IPv4 (%zu from the data, %zu more-specifics),\n"
		"# %zu IPv6 (%zu from the data, %zu more-specifics); %u "
		"peers.\n\n",
		cmdline, n_real4 + n_more4, n_real4, n_more4, n_real6 + n_more6,
		n_real6, n_more6, g.n_peers);
	fprintf(f, "node {\n"
		   "\tname ixgate-bench;\n"
		   "\tcountry SG;\n"
		   "\ticmp-time-exceeded on;\n"
		   "\ticmp-rate 100;\n");
	if (o->sampling == 0)
		fprintf(f, "\tsampling off;\n}\n\n");
	else
		fprintf(f, "\tsampling 1-in-%d;\n}\n\n",
			o->sampling < 0 ? 1000 : o->sampling);
	if (o->untagged)
		/* l3fwd and testpmd parse no 802.1Q: the peers stay apart by
		 * their source MACs, the other half of the ingress key. */
		fprintf(f, "# p0: the public peering LAN, p1: private "
			   "interconnects\n"
			   "# of the China and ASEAN networks; untagged "
			   "(--untagged):\n"
			   "# peers are told apart by their MACs. Benchmarks "
			   "override\n"
			   "# the devices.\n"
			   "port p0 {\n"
			   "\tdevice \"net_null0\";\n"
			   "\tmtu 1500;\n"
			   "\tmac 02:49:58:00:00:01;\n"
			   "\taddress 198.18.0.1/15;\n"
			   "\taddress 2001:db8:100::1/64;\n"
			   "}\n\n");
	else
		fprintf(f, "# p0: the public peering LAN (VLAN 100, shared by "
			   "the peers of\n"
			   "# other countries); p1: private interconnects of "
			   "the China and\n"
			   "# ASEAN networks, one VLAN each. Benchmarks "
			   "override the devices.\n"
			   "port p0 {\n"
			   "\tdevice \"net_null0\";\n"
			   "\tmtu 1500;\n"
			   "\tmac 02:49:58:00:00:01;\n"
			   "\tvlan 100 {\n"
			   "\t\taddress 198.18.0.1/15;\n"
			   "\t\taddress 2001:db8:100::1/64;\n"
			   "\t}\n"
			   "}\n\n");
	fprintf(f, "port p1 {\n"
		   "\tdevice \"net_null1\";\n"
		   "\tmtu 1500;\n"
		   "\tmac 02:49:58:00:00:02;\n"
		   "}\n\n");
	if (!o->no_policer)
		fprintf(f, "class transit {\n"
			   "\tcommitted-rate 10gbit;\n"
			   "\tcommitted-burst 16m;\n"
			   "\tpeak-rate 20gbit;\n"
			   "\tpeak-burst 32m;\n"
			   "\tyellow pass;\n"
			   "\tred drop;\n"
			   "}\n\n"
			   "class realtime {\n"
			   "\tcommitted-rate 2gbit;\n"
			   "\tcommitted-burst 4m;\n"
			   "\tpeak-rate 4gbit;\n"
			   "\tpeak-burst 8m;\n"
			   "\tyellow remark 34;\n"
			   "\tred drop;\n"
			   "}\n\n"
			   "class scavenger {\n"
			   "\tcommitted-rate 500mbit;\n"
			   "\tcommitted-burst 1m;\n"
			   "\tpeak-rate 1gbit;\n"
			   "\tpeak-burst 2m;\n"
			   "\tyellow remark 8;\n"
			   "\tred drop;\n"
			   "}\n\n");

	/* RFC 7999 blackholes: hosts inside real routed prefixes. */
	for (i = 0; i < o->blackholes; i++) {
		int v6 = (int)(i & 1);
		const struct prefix *p = random_real(v6);
		unsigned bits, host;
		u128 a;

		if (p == NULL)
			break;
		v6 = p->v6;
		bits = v6 ? 128 : 32;
		host = bits - p->len;
		a = p->addr;
		if (host > 0)
			a |= (u128)(rnd() &
				    ((host >= 64 ? 0 : 1ull << host) - 1));
		fprintf(f, "blackhole %s/%u", fmt_addr(a, v6, buf, sizeof(buf)),
			bits);
		if (i == 0)
			fprintf(f, " expires \"2099-12-31T23:59:59Z\"");
		fprintf(f, ";\n");
	}
	if (!o->no_countries) {
		fprintf(f, "\ncountry-data \"%s\" format ip-location-db;\n",
			rel4);
		fprintf(f, "country-data \"%s\" format ip-location-db;\n\n",
			rel6);
	} else {
		fprintf(f, "\n# --no-countries: no country data.\n\n");
	}
	fprintf(f, "include \"acl.conf\";\n");
	fprintf(f, "include \"peers.d/*.conf\";\n");
	close_out(f, "ixgate.conf");
}

static void
write_acl(const struct opts *o, const struct rule *rules, unsigned n)
{
	FILE *f = open_out(o->out_dir, "acl.conf");
	char buf[64];
	unsigned i;

	fprintf(f, "# Generated by ixgate-mkconfig: %u rules.\n\nacl {\n", n);
	for (i = 0; i < n; i++) {
		const struct rule *r = &rules[i];

		fprintf(f, "\trule %u%s%s {\n", (i + 1) * 10,
			r->name[0] ? " " : "", r->name);
		if (r->peer >= 0)
			fprintf(f, "\t\tfrom %s;\n", g.peers[r->peer].name);
		if (r->proto)
			fprintf(f, "\t\tprotocol %s;\n",
				r->proto == 6 ? "tcp" : "udp");
		if (r->has_src)
			fprintf(f, "\t\tsource %s/%u;\n",
				fmt_addr(r->src, r->v6, buf, sizeof(buf)),
				r->src_len);
		if (r->has_dst)
			fprintf(f, "\t\tdestination %s/%u;\n",
				fmt_addr(r->dst, r->v6, buf, sizeof(buf)),
				r->dst_len);
		if (r->sp_lo != 0 || r->sp_hi != 65535) {
			if (r->sp_lo == r->sp_hi)
				fprintf(f, "\t\tsource-port %u;\n", r->sp_lo);
			else
				fprintf(f, "\t\tsource-port %u-%u;\n", r->sp_lo,
					r->sp_hi);
		}
		if (r->dp_lo != 0 || r->dp_hi != 65535) {
			if (r->dp_lo == r->dp_hi)
				fprintf(f, "\t\tdestination-port %u;\n",
					r->dp_lo);
			else
				fprintf(f, "\t\tdestination-port %u-%u;\n",
					r->dp_lo, r->dp_hi);
		}
		if (r->dscp >= 0)
			fprintf(f, "\t\tdscp %d;\n", r->dscp);
		if (r->action == ACT_DENY)
			fprintf(f, "\t\taction deny;\n");
		else if (r->action == ACT_CLASS && o->no_policer)
			/* the same match, with no class to meter */
			fprintf(f, "\t\taction permit;\n");
		else if (r->action == ACT_CLASS)
			fprintf(f, "\t\taction class %s;\n", r->cls);
		else
			fprintf(f, "\t\taction remark %u;\n", r->remark);
		fprintf(f, "\t}\n");
	}
	fprintf(f, "}\n");
	close_out(f, "acl.conf");
}

/* Prefixes must be sorted by peer (cmp_prefix_peer). */
static void
write_peers(const struct opts *o)
{
	char dir[PATH_MAX], name[64], buf[64];
	const struct prefix *p = g.pfx.p;
	size_t j = 0;
	unsigned i;

	snprintf(dir, sizeof(dir), "%s/peers.d", o->out_dir);
	mkdir_p(dir);
	clean_dir(dir, "*.conf");
	snprintf(dir, sizeof(dir), "%s/prefixes", o->out_dir);
	mkdir_p(dir);
	clean_dir(dir, "*.txt");
	for (i = 0; i < g.n_peers; i++) {
		struct peer *pe = &g.peers[i];
		unsigned id = i + 1, total;
		FILE *f;
		char cc[3];

		snprintf(name, sizeof(name), "%s.txt", pe->name);
		f = open_out(dir, name);
		fprintf(f,
			"# %s (AS%u and the other origin ASNs grouped into"
			" it), generated by ixgate-mkconfig\n",
			pe->name, pe->asn);
		for (; j < g.pfx.n && p[j].peer == i; j++) {
			fprintf(f, "%s/%u\n",
				fmt_addr(p[j].addr, p[j].v6, buf, sizeof(buf)),
				p[j].len);
			if (p[j].v6)
				pe->n_pfx6++;
			else
				pe->n_pfx4++;
		}
		close_out(f, name);

		snprintf(name, sizeof(name), "peers.d/%s.conf", pe->name);
		f = open_out(o->out_dir, name);
		total = pe->n_pfx4 + pe->n_pfx6;
		fprintf(f, "# %u IPv4 + %u IPv6 prefixes.\n", pe->n_pfx4,
			pe->n_pfx6);
		fprintf(f, "peer %s {\n\tasn %u;\n", pe->name, pe->asn);
		if (pe->cc != NO_CC) {
			fmt_cc(pe->cc, cc);
			fprintf(f, "\tcountry %s;\n", cc);
		}
		fprintf(f, "\tport p%u;\n", pe->port);
		if (o->untagged) {
			/* no VLAN: the MAC alone names the peer */
		} else if (pe->outer_vlan) {
			fprintf(f, "\tvlan %u.%u;\n", pe->outer_vlan, pe->vlan);
		} else {
			fprintf(f, "\tvlan %u;\n", pe->vlan);
		}
		fprintf(f, "\tmac 02:49:58:%02x:%02x:01;\n", id >> 8,
			id & 0xff);
		fprintf(f, "\tnext-hop %s;\n",
			fmt_addr((198u << 24 | 18u << 16) + 1 + id, 0, buf,
				 sizeof(buf)));
		fprintf(f, "\tnext-hop 2001:db8:100::%x;\n", id + 1);
		fprintf(f, "\tsource-validation %s;\n",
			o->sav >= 0 ? sav_names[o->sav]
			: pe->loose ? "loose"
				    : "strict");
		fprintf(f, "\tmax-prefix %u;\n", total + total / 10 + 10);
		if (!o->no_policer)
			fprintf(f, "\trate %s;\n",
				pe->port == 1 ? "100gbit burst 64m"
					      : "10gbit burst 16m");
		fprintf(f, "\tannounce-file \"../prefixes/%s.txt\";\n}\n",
			pe->name);
		close_out(f, name);
	}
}

/* ---- l3fwd rule files ------------------------------------------------ */

static unsigned
l3fwd_port(const struct opts *o, const struct prefix *p)
{
	return o->l3fwd_port >= 0 ? (unsigned)o->l3fwd_port
				  : g.peers[p->peer].port;
}

/* LPM rule files: `R<prefix>/<depth> <port>` (lpm_route_parse.c). */
static void
write_l3fwd_lpm(const struct opts *o, int v6)
{
	FILE *f = open_out(o->l3fwd_dir,
			   v6 ? "rule_ipv6.cfg" : "rule_ipv4.cfg");
	const struct prefix *p = g.pfx.p;
	char buf[64];
	size_t j;

	fprintf(f, "# l3fwd LPM routes from ixgate-mkconfig: the same routes "
		   "as the ixgate config\n");
	for (j = 0; j < g.pfx.n; j++) {
		if (p[j].v6 != v6)
			continue;
		fprintf(f, "R%s/%u %u\n",
			fmt_addr(p[j].addr, v6, buf, sizeof(buf)), p[j].len,
			l3fwd_port(o, &p[j]));
	}
	close_out(f, "l3fwd rules");
}

static void
acl_field(FILE *f, int v6, int has, u128 a, unsigned len)
{
	char buf[64];

	if (!has) {
		a = 0;
		len = 0;
	}
	if (v6)
		fprintf(f, "%s/%u", fmt_addr6_full(a, buf, sizeof(buf)), len);
	else
		fprintf(f, "%s/%u", fmt_addr(a, 0, buf, sizeof(buf)), len);
}

struct agg {
	u128 addr;
	uint8_t len;
	uint8_t port;
};

static int
cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->len != y->len)
		return y->len -
		       x->len; /* longest first: l3fwd ACL is first-match */
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->port - y->port;
}

/*
 * ACL rule files for `l3fwd --lookup acl` (ClassBench form, l3fwd_acl.c):
 *   @SRC/LEN DST/LEN SPORT_LO : SPORT_HI DPORT_LO : DPORT_HI PROTO/MASK
 *   R... the same ... PORT
 * '@' rules drop, 'R' rules forward; the first matching line wins. Only
 * deny rules translate: l3fwd matches no ingress port or DSCP, so `from`
 * is dropped (the rule applies to every peer) and DSCP rules are skipped;
 * class and remark actions have no l3fwd equivalent. Routes become R
 * lines aggregated to at most /agg (l3fwd's ACL holds 100,000 rules),
 * longest first.
 */
static void
write_l3fwd_acl(const struct opts *o, int v6, const struct rule *rules,
		unsigned n_rules, unsigned agg_len, size_t *n_acl,
		size_t *n_routes)
{
	FILE *f = open_out(o->l3fwd_dir,
			   v6 ? "acl_rule_ipv6.cfg" : "acl_rule_ipv4.cfg");
	const struct prefix *p = g.pfx.p;
	unsigned bits = v6 ? 128 : 32;
	struct agg *a = NULL;
	size_t j, n = 0, out = 0;
	unsigned i;

	*n_acl = 0;
	fprintf(f,
		"# l3fwd --lookup acl rules from ixgate-mkconfig: the deny "
		"rules of the ixgate ACL\n"
		"# (without their 'from'; DSCP, class and remark rules "
		"have no l3fwd form),\n"
		"# then the routes aggregated to /%u, longest first.\n",
		agg_len);
	for (i = 0; i < n_rules; i++) {
		const struct rule *r = &rules[i];

		if (r->v6 != v6 || r->action != ACT_DENY || r->dscp >= 0)
			continue;
		fputc('@', f);
		acl_field(f, v6, r->has_src, r->src, r->src_len);
		fputc(' ', f);
		acl_field(f, v6, r->has_dst, r->dst, r->dst_len);
		fprintf(f, " %u : %u %u : %u %u/%u\n", r->sp_lo, r->sp_hi,
			r->dp_lo, r->dp_hi, r->proto, r->proto ? 0xff : 0);
		(*n_acl)++;
	}
	for (j = 0; j < g.pfx.n; j++) {
		struct agg *x;
		unsigned len;

		if (p[j].v6 != v6)
			continue;
		if ((n & (n - 1)) == 0)
			a = xrealloc(a, (n ? n * 2 : 1) * sizeof(*a));
		x = &a[n++];
		len = p[j].len < agg_len ? p[j].len : agg_len;
		x->len = (uint8_t)len;
		x->addr = len == 0 ? 0
				   : p[j].addr &
					     ~((((u128)1) << (bits - len)) - 1);
		x->port = (uint8_t)l3fwd_port(o, &p[j]);
	}
	/* An aggregate of routes to both ports goes to the lower one. */
	qsort(a, n, sizeof(*a), cmp_agg);
	for (j = 0; j < n; j++) {
		if (out > 0 && a[out - 1].len == a[j].len &&
		    a[out - 1].addr == a[j].addr)
			continue;
		a[out++] = a[j];
	}
	for (j = 0; j < out; j++) {
		fputc('R', f);
		acl_field(f, v6, 0, 0, 0);
		fputc(' ', f);
		acl_field(f, v6, 1, a[j].addr, a[j].len);
		fprintf(f, " 0 : 65535 0 : 65535 0/0 %u\n", a[j].port);
	}
	*n_routes = out;
	free(a);
	close_out(f, "l3fwd acl rules");
}

/* ---- main ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: ixgate-mkconfig --from-ixf FILE [--out DIR] [--ixp-id "
		"N]\n"
		"                       [--trunk PORT] [--device-prefix VDEV] "
		"[--country CC]\n"
		"  an IX-F Member Export (JSON) to a member config skeleton\n"
		"  (doc/ixf.md): stdout, or DIR/ixgate.conf\n"
		"  --ixp-id N          the exchange of the export (default: "
		"the "
		"first)\n"
		"  --trunk PORT        every connection on one port, VLAN by "
		"vlan_id\n"
		"                      (default: one port per connection)\n"
		"  --device-prefix P   placeholder devices P0, P1, ... "
		"(default net_null)\n"
		"  --country CC        node country if the export names none\n"
		"usage: ixgate-mkconfig --out DIR [options]\n"
		"  --data DIR          where bench/fetch-data.sh put the CSVs\n"
		"                      (default bench/data)\n"
		"  --asn4 F --asn6 F   asn-ipv4.csv / asn-ipv6.csv "
		"(default DATA/...)\n"
		"  --country4 F --country6 F\n"
		"                      asn-country-ipv4.csv / "
		"asn-country-ipv6.csv\n"
		"  --peers N           peers, 2..4095 (default 64)\n"
		"  --acl-rules N       ACL rules, 0..65535 (default 10000)\n"
		"  --blackholes N      RFC 7999 blackholes (default 8)\n"
		"  --deaggregate       add more-specifics of real prefixes "
		"(up to /24,\n"
		"                      /48; same origin) until --routes4 and "
		"--routes6\n"
		"  --routes4 N         IPv4 routes (default 1200000)\n"
		"  --routes6 N         IPv6 routes (default 300000)\n"
		"  --seed S            PRNG seed (default 1)\n"
		"  --l3fwd-rules DIR   also write l3fwd rule files (LPM and "
		"ACL)\n"
		"  --l3fwd-port N      every l3fwd route to port N (default: "
		"the\n"
		"                      egress peer's port, 0 or 1)\n"
		"variants (benchmark scenarios; the rest stays as in the full "
		"config):\n"
		"  --table-routes N    only N routes per family (1..1048576): "
		"the\n"
		"                      peers' shortest real prefixes, p1 and "
		"p0\n"
		"                      peers in turn; same peers, ACL, "
		"countries\n"
		"  --sav MODE          source-validation of every peer: "
		"strict,\n"
		"                      loose or off (default strict, loose "
		"for\n"
		"                      the catch-all peers)\n"
		"  --no-policer        no peer rates, no classes (class rules\n"
		"                      become 'action permit')\n"
		"  --no-countries      no country-data\n"
		"  --sampling N        1-in-N sampling, 0 for off (default "
		"1000)\n"
		"  --untagged          no VLANs (for l3fwd/testpmd traffic)\n"
		"  --help\n");
}

static unsigned
num_arg(const char *opt, const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || *s == '\0' || *s == '-' || v < lo || v > hi) {
		fprintf(stderr,
			"ixgate-mkconfig: --%s: expected %u..%u, got '%s'\n",
			opt, lo, hi, s);
		usage(stderr);
		exit(2);
	}
	return (unsigned)v;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The default data file paths, freed at exit (kept for the program's
 * life: the options point at them). */
static char *data_paths[4];

static void
data_paths_free(void)
{
	for (unsigned i = 0; i < (sizeof(data_paths) / sizeof(data_paths[0]));
	     i++)
		free(data_paths[i]);
}

static const char *
data_path(const char *dir, const char *name)
{
	static unsigned n;
	char *p;

	if (n == (sizeof(data_paths) / sizeof(data_paths[0])) ||
	    asprintf(&p, "%s/%s", dir, name) < 0)
		die("out of memory");
	if (n == 0)
		atexit(data_paths_free);
	data_paths[n++] = p;
	return p;
}

/* --from-ixf: another exchange's IX-F export to a member config. */
static int
from_ixf(const struct ixg_ixf_import *ixf, const char *out_dir)
{
	FILE *in = fopen(ixf->source, "r"), *out = stdout;
	char *text = NULL, err[512], *path = NULL;
	size_t len = 0;
	int rc;

	if (in == NULL) {
		fprintf(stderr, "ixgate-mkconfig: %s: %s\n", ixf->source,
			strerror(errno));
		return 1;
	}
	/* Read it whole: exports are a few hundred KiB. */
	for (;;) {
		char *t = realloc(text, len + 65536 + 1);
		size_t n;

		if (t == NULL)
			die("out of memory");
		text = t;
		n = fread(text + len, 1, 65536, in);
		len += n;
		if (n < 65536)
			break;
	}
	if (ferror(in)) {
		fprintf(stderr, "ixgate-mkconfig: %s: %s\n", ixf->source,
			strerror(errno));
		fclose(in);
		free(text);
		return 1;
	}
	fclose(in);
	if (ixf->country != NULL &&
	    (strlen(ixf->country) != 2 || ixf->country[0] < 'A' ||
	     ixf->country[0] > 'Z' || ixf->country[1] < 'A' ||
	     ixf->country[1] > 'Z')) {
		fprintf(stderr,
			"ixgate-mkconfig: --country: expected two upper-case "
			"letters, got '%s'\n",
			ixf->country);
		free(text);
		return 2;
	}
	/* Convert to memory first: bad input writes no file at all. */
	{
		char *buf = NULL;
		size_t blen = 0;
		FILE *mem = open_memstream(&buf, &blen);

		if (mem == NULL)
			die("out of memory");
		rc = ixg_ixf_to_config(text, len, ixf, mem, stderr, err,
				       sizeof(err));
		fclose(mem);
		free(text);
		if (rc < 0) {
			fprintf(stderr, "ixgate-mkconfig: %s: %s\n",
				ixf->source, err);
			free(buf);
			return 1;
		}
		if (out_dir != NULL) {
			if (mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
				fprintf(stderr, "ixgate-mkconfig: %s: %s\n",
					out_dir, strerror(errno));
				free(buf);
				return 1;
			}
			if (asprintf(&path, "%s/ixgate.conf", out_dir) < 0)
				die("out of memory");
			out = fopen(path, "w");
			if (out == NULL) {
				fprintf(stderr, "ixgate-mkconfig: %s: %s\n",
					path, strerror(errno));
				free(buf);
				free(path);
				return 1;
			}
		}
		rc = fwrite(buf, 1, blen, out) == blen ? 0 : -EIO;
		if ((out != stdout ? fclose(out) : fflush(out)) != 0)
			rc = -EIO;
		free(buf);
	}
	if (rc < 0) {
		fprintf(stderr, "ixgate-mkconfig: cannot write %s\n",
			path ? path : "stdout");
		free(path);
		return 1;
	}
	if (path != NULL)
		fprintf(stderr, "ixgate-mkconfig: wrote %s\n", path);
	free(path);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"data", required_argument, NULL, 'd'},
		{"asn4", required_argument, NULL, 'a'},
		{"asn6", required_argument, NULL, 'A'},
		{"country4", required_argument, NULL, 'c'},
		{"country6", required_argument, NULL, 'C'},
		{"out", required_argument, NULL, 'o'},
		{"peers", required_argument, NULL, 'p'},
		{"acl-rules", required_argument, NULL, 'r'},
		{"blackholes", required_argument, NULL, 'b'},
		{"deaggregate", no_argument, NULL, 'D'},
		{"routes4", required_argument, NULL, '4'},
		{"routes6", required_argument, NULL, '6'},
		{"seed", required_argument, NULL, 's'},
		{"l3fwd-rules", required_argument, NULL, 'l'},
		{"l3fwd-port", required_argument, NULL, 'P'},
		{"table-routes", required_argument, NULL, 'T'},
		{"sav", required_argument, NULL, 'V'},
		{"no-policer", no_argument, NULL, 'N'},
		{"no-countries", no_argument, NULL, 'K'},
		{"sampling", required_argument, NULL, 'S'},
		{"untagged", no_argument, NULL, 'U'},
		{"from-ixf", required_argument, NULL, 'X'},
		{"ixp-id", required_argument, NULL, 'I'},
		{"trunk", required_argument, NULL, 'R'},
		{"device-prefix", required_argument, NULL, 'E'},
		{"country", required_argument, NULL, 'Y'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ixg_ixf_import ixf = {.ixp_id = -1};
	struct opts o = {
		.data_dir = "bench/data",
		.l3fwd_port = -1,
		.peers = 64,
		.acl_rules = 10000,
		.blackholes = 8,
		.routes4 = 1200000,
		.routes6 = 300000,
		.seed = 1,
		.sav = -1,
		.sampling = -1,
	};
	size_t n_real[2] = {0, 0}, n_more[2] = {0, 0}, j;
	char cmdline[1024];
	size_t cl = 0;
	struct rule *acl;
	double t0 = now(), t1;
	unsigned n_p1;
	int c, i;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-mkconfig", stdout);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o.data_dir = optarg; break;
		case 'a': o.asn4 = optarg; break;
		case 'A': o.asn6 = optarg; break;
		case 'c': o.cc4 = optarg; break;
		case 'C': o.cc6 = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'p':
			o.peers = num_arg("peers", optarg, 2, MAX_PEERS);
			break;
		case 'r':
			o.acl_rules = num_arg("acl-rules", optarg, 0,
					      MAX_ACL_RULES);
			break;
		case 'b':
			o.blackholes = num_arg("blackholes", optarg, 0, 100000);
			break;
		case 'D': o.deaggregate = 1; break;
		case '4':
			o.routes4 = num_arg("routes4", optarg, 1, 1u << 21);
			break;
		case '6':
			o.routes6 = num_arg("routes6", optarg, 1, 1u << 19);
			break;
		case 's': o.seed = num_arg("seed", optarg, 0, UINT_MAX); break;
		case 'l': o.l3fwd_dir = optarg; break;
		case 'P':
			o.l3fwd_port = (int)num_arg("l3fwd-port", optarg, 0,
						    31);
			break;
		case 'T':
			o.table_routes = num_arg("table-routes", optarg, 1,
						 1u << 20);
			break;
		case 'V':
			for (o.sav = 0; o.sav < 3; o.sav++)
				if (strcmp(optarg, sav_names[o.sav]) == 0)
					break;
			if (o.sav == 3) {
				fprintf(stderr,
					"ixgate-mkconfig: --sav: expected "
					"strict, loose or off, got '%s'\n",
					optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'N': o.no_policer = 1; break;
		case 'K': o.no_countries = 1; break;
		case 'S':
			o.sampling = (int)num_arg("sampling", optarg, 0,
						  1000000000);
			break;
		case 'U': o.untagged = 1; break;
		case 'X': ixf.source = optarg; break;
		case 'I':
			ixf.ixp_id = num_arg("ixp-id", optarg, 0, INT_MAX);
			break;
		case 'R': ixf.trunk = optarg; break;
		case 'E': ixf.device_prefix = optarg; break;
		case 'Y': ixf.country = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ixgate-mkconfig: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (ixf.source != NULL)
		return from_ixf(&ixf, o.out_dir);
	if (o.out_dir == NULL) {
		fprintf(stderr, "ixgate-mkconfig: --out DIR is required\n");
		usage(stderr);
		return 2;
	}
	if (!o.asn4)
		o.asn4 = data_path(o.data_dir, "asn-ipv4.csv");
	if (!o.asn6)
		o.asn6 = data_path(o.data_dir, "asn-ipv6.csv");
	if (!o.cc4)
		o.cc4 = data_path(o.data_dir, "asn-country-ipv4.csv");
	if (!o.cc6)
		o.cc6 = data_path(o.data_dir, "asn-country-ipv6.csv");
	for (i = 0; i < argc && cl + 2 < sizeof(cmdline); i++)
		cl += (size_t)snprintf(cmdline + cl, sizeof(cmdline) - cl,
				       "%s%s", i ? " " : "", argv[i]);
	if (cl >= sizeof(cmdline))
		cl = sizeof(cmdline) - 1;
	g.rng = o.seed;

	g.pfx.sz = sizeof(struct prefix);
	g.ccr4.sz = g.ccr6.sz = sizeof(struct cc_range);
	g.asns.sz = sizeof(struct asn);
	g.asn_ht_mask = (1u << 20) - 1;
	g.asn_ht = calloc(g.asn_ht_mask + 1, sizeof(*g.asn_ht));
	if (g.asn_ht == NULL)
		die("out of memory");

	for_each_csv(o.cc4, 3, 0, cc_line);
	for_each_csv(o.cc6, 3, 1, cc_line);
	qsort(g.ccr4.p, g.ccr4.n, sizeof(struct cc_range), cmp_cc_range);
	qsort(g.ccr6.p, g.ccr6.n, sizeof(struct cc_range), cmp_cc_range);
	for_each_csv(o.asn4, 3, 0, asn_line);
	for_each_csv(o.asn6, 3, 1, asn_line);
	if (g.pfx.n == 0)
		die("no prefixes in %s and %s", o.asn4, o.asn6);
	dedupe_prefixes();
	for (j = 0; j < g.pfx.n; j++)
		n_real[VEC_AT(g.pfx, struct prefix, j)->v6]++;
	t1 = now();
	printf("read %zu IPv4 + %zu IPv6 ranges of %zu origin ASNs, %u "
	       "countries: %zu IPv4 + %zu IPv6 prefixes (%zu duplicates "
	       "dropped) in %.2f s\n",
	       g.n_ranges4, g.n_ranges6, g.asns.n, g.n_cc, n_real[0], n_real[1],
	       g.n_dups, t1 - t0);

	make_peers(o.peers);
	if (o.deaggregate) {
		n_more[0] = deaggregate(0, o.routes4);
		n_more[1] = deaggregate(1, o.routes6);
		printf("deaggregated: +%zu IPv4, +%zu IPv6 more-specifics\n",
		       n_more[0], n_more[1]);
	}
	qsort(g.pfx.p, g.pfx.n, sizeof(struct prefix), cmp_prefix_peer);
	index_real();
	acl = make_acl(o.acl_rules);
	if (o.table_routes) {
		/* After the ACL, so that it is the full config's rule for rule;
		 * blackholes are then drawn from the routes kept. */
		reduce_table(o.table_routes);
		n_real[0] = n_real[1] = n_more[0] = n_more[1] = 0;
		for (j = 0; j < g.pfx.n; j++)
			n_real[VEC_AT(g.pfx, struct prefix, j)->v6]++;
		index_real();
		printf("--table-routes %u: kept %zu IPv4 + %zu IPv6 routes\n",
		       o.table_routes, n_real[0], n_real[1]);
	}

	mkdir_p(o.out_dir);
	write_main(&o, cmdline, n_real[0], n_real[1], n_more[0], n_more[1]);
	write_acl(&o, acl, o.acl_rules);
	write_peers(&o);
	for (n_p1 = 0, i = 0; i < (int)g.n_peers; i++)
		n_p1 += g.peers[i].port == 1;
	printf("wrote %s/ixgate.conf: %zu IPv4 + %zu IPv6 routes, %u peers "
	       "(%u on p1), %u ACL rules, %u blackholes\n",
	       o.out_dir, n_real[0] + n_more[0], n_real[1] + n_more[1],
	       g.n_peers, n_p1, o.acl_rules, o.blackholes);
	if (o.l3fwd_dir) {
		size_t na4, nr4, na6, nr6;

		mkdir_p(o.l3fwd_dir);
		qsort(g.pfx.p, g.pfx.n, sizeof(struct prefix), cmp_prefix);
		write_l3fwd_lpm(&o, 0);
		write_l3fwd_lpm(&o, 1);
		write_l3fwd_acl(&o, 0, acl, o.acl_rules, 16, &na4, &nr4);
		write_l3fwd_acl(&o, 1, acl, o.acl_rules, 32, &na6, &nr6);
		printf("wrote %s/rule_ipv{4,6}.cfg (LPM) and "
		       "acl_rule_ipv{4,6}.cfg (%zu + %zu deny rules, %zu + %zu "
		       "aggregated routes)\n",
		       o.l3fwd_dir, na4, na6, nr4, nr6);
	}
	printf("done in %.2f s\n", now() - t0);
	free(acl);
	return 0;
}
