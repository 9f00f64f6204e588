/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the dataplane's LPM tables (dataplane/lpm.h): the
 * input is two prefix lists; a table built from the first and updated to
 * the second (then to nothing) must answer every probed address as a
 * naive longest-match scan of the list does, bulk lookups as single ones,
 * and an update must equal a fresh build (IPv6, compared entry by entry).
 *
 * Input: byte 0 picks the family (bit 0: IPv6) and the default value
 * (bits 1..7); byte 1 how many records belong to the first list (mod 64);
 * then records, IPv4 5 bytes (length, value, then address bytes 2..4 of
 * 10.0.0.0/8), IPv6 6 bytes (length, value, then 4 bytes spread over the
 * address under 2001::/16). Length bytes 0..239 give /16 and longer
 * (16 + byte % 17 for IPv4, % 113 for IPv6), 240..255 give /0../15, so the
 * short prefixes that repaint much of the root stay rare; host bits are
 * cleared, so every record is a valid prefix; value 255 stands for
 * LPM_VALUE_MAX. Few address bits, so prefixes nest and collide.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "lpm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PFX 512

struct pfx {
	uint8_t a[16];
	uint8_t len;
	uint32_t val;
};

struct list {
	struct pfx p[MAX_PFX];
	size_t n;
};

/* The IPv4 table is created once (64 MiB of root to fill per input would
 * make the target slow); every input leaves it empty again. */
static struct lpm *t4;

static void
die(const char *what, const uint8_t *a, int family, uint32_t got, uint32_t want)
{
	fprintf(stderr, "fuzz_lpm: %s: IPv%d ", what, family);
	for (unsigned i = 0; i < (family == 4 ? 4u : 16u); i++)
		fprintf(stderr, "%02x", a[i]);
	fprintf(stderr, ": lpm %#x, model %#x\n", got, want);
	abort();
}

static void
mask(uint8_t a[16], unsigned len)
{
	for (unsigned i = 0; i < 16; i++)
		if (len <= 8 * i)
			a[i] = 0;
		else if (len < 8 * i + 8)
			a[i] &= (uint8_t)(0xff00u >> (len - 8 * i));
}

static int
holds(const struct pfx *p, const uint8_t *a)
{
	uint8_t x[16];

	memcpy(x, a, 16);
	mask(x, p->len);
	return memcmp(x, p->a, 16) == 0;
}

static int
cmp_pfx(const void *x, const void *y)
{
	const struct pfx *a = x, *b = y;
	int c = memcmp(a->a, b->a, 16);

	return c != 0 ? c : (int)a->len - (int)b->len;
}

static uint32_t
model(const struct list *l, uint32_t def, const uint8_t *a)
{
	int best = -1;
	uint32_t v = def;

	for (size_t i = 0; i < l->n; i++)
		if ((int)l->p[i].len > best && holds(&l->p[i], a)) {
			best = l->p[i].len;
			v = l->p[i].val;
		}
	return v;
}

/* Records data[0..size) into l: sorted, one of each prefix. */
static void
parse(struct list *l, int family, const uint8_t *d, size_t size)
{
	size_t rec = family == 4 ? 5 : 6, out = 0;

	l->n = 0;
	for (size_t o = 0; o + rec <= size && l->n < MAX_PFX; o += rec) {
		struct pfx *p = &l->p[l->n++];

		memset(p, 0, sizeof(*p));
		p->val = d[o + 1] == 255 ? LPM_VALUE_MAX : d[o + 1];
		if (family == 4) {
			/* mostly /16../32: a short prefix repaints up to
			 * 2^24 root entries, slow under the sanitizers */
			p->len = d[o] < 240 ? 16 + d[o] % 17 : d[o] - 240;
			p->a[0] = 10;
			memcpy(&p->a[1], &d[o + 2], 3);
		} else {
			p->len = d[o] < 240 ? 16 + d[o] % 113 : d[o] - 240;
			p->a[0] = 0x20;
			p->a[1] = 0x01;
			for (unsigned i = 2; i < 16; i++)
				p->a[i] = d[o + 2 + (i % 4)];
		}
		mask(p->a, p->len);
	}
	qsort(l->p, l->n, sizeof(l->p[0]), cmp_pfx);
	for (size_t i = 0; i < l->n; i++)
		if (out == 0 || cmp_pfx(&l->p[out - 1], &l->p[i]) != 0)
			l->p[out++] = l->p[i];
	l->n = out;
}

static uint32_t
look(const struct lpm *t, int family, const uint8_t *a)
{
	if (family == 4)
		return lpm4_lookup(t, (uint32_t)a[0] << 24 |
					      (uint32_t)a[1] << 16 |
					      (uint32_t)a[2] << 8 | a[3]);
	return lpm6_lookup(t, a);
}

/* 128-bit (or 32-bit) +1 / -1 on a network-order address. */
static void
step(uint8_t a[16], int family, int up)
{
	for (int i = family == 4 ? 3 : 15; i >= 0; i--) {
		a[i] = (uint8_t)(a[i] + (up ? 1 : -1));
		if (a[i] != (up ? 0 : 0xff))
			break;
	}
}

/* The probes: every prefix of `probe`'s first and last address and their
 * neighbours. */
static void
check(const struct lpm *t, int family, const struct list *l, uint32_t def,
      const struct list *probe, const char *what)
{
	static uint8_t a6[MAX_PFX * 4][16];
	static uint32_t a4[MAX_PFX * 4], v[MAX_PFX * 4];
	size_t n = 0;

	for (size_t i = 0; i < probe->n; i++) {
		uint8_t f[16], last[16];
		unsigned w = family == 4 ? 4 : 16;

		memcpy(f, probe->p[i].a, 16);
		memcpy(last, f, 16);
		for (unsigned b = probe->p[i].len; b < 8 * w; b++)
			last[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		memcpy(a6[n++], f, 16);
		memcpy(a6[n++], last, 16);
		step(f, family, 0);
		step(last, family, 1);
		memcpy(a6[n++], f, 16);
		memcpy(a6[n++], last, 16);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t got = look(t, family, a6[i]),
			 want = model(l, def, a6[i]);

		if (got != want)
			die(what, a6[i], family, got, want);
		a4[i] = (uint32_t)a6[i][0] << 24 | (uint32_t)a6[i][1] << 16 |
			(uint32_t)a6[i][2] << 8 | a6[i][3];
	}
	if (family == 4)
		lpm4_lookup_bulk(t, a4, v, (unsigned)n);
	else
		lpm6_lookup_bulk(t, (const uint8_t(*)[16])a6, v, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		if (v[i] != look(t, family, a6[i]))
			die("bulk", a6[i], family, v[i],
			    look(t, family, a6[i]));
}

/* IPv4 keys and values, or IPv6 records, of l. */
static void
arrays(const struct list *l, int family, uint64_t *k, uint32_t *v,
       struct fib_pfx6 *r)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct pfx *p = &l->p[i];

		if (family == 4) {
			k[i] = LPM4_KEY((uint32_t)p->a[0] << 24 |
						(uint32_t)p->a[1] << 16 |
						(uint32_t)p->a[2] << 8 |
						p->a[3],
					p->len);
			v[i] = p->val;
		} else {
			memset(&r[i], 0, sizeof(r[i]));
			memcpy(r[i].addr, p->a, 16);
			r[i].len = p->len;
			r[i].nh = p->val;
		}
	}
}

/* Bring t from list a to list b: the changed prefixes as lpm.h asks. */
static void
update(struct lpm *t, int family, const struct list *a, const struct list *b)
{
	static uint64_t k[MAX_PFX], ch4[2 * MAX_PFX];
	static uint32_t v[MAX_PFX];
	static struct fib_pfx6 r[MAX_PFX], ch6[2 * MAX_PFX];
	size_t i = 0, j = 0, n = 0, bad;
	int rc;

	arrays(b, family, k, v, r);
	while (i < a->n || j < b->n) {
		int c = i == a->n   ? 1
			: j == b->n ? -1
				    : cmp_pfx(&a->p[i], &b->p[j]);
		const struct pfx *p;

		if (c == 0 && a->p[i].val == b->p[j].val) {
			i++;
			j++;
			continue;
		}
		p = c <= 0 ? &a->p[i] : &b->p[j];
		if (family == 4)
			ch4[n] = LPM4_KEY((uint32_t)p->a[0] << 24 |
						  (uint32_t)p->a[1] << 16 |
						  (uint32_t)p->a[2] << 8 |
						  p->a[3],
					  p->len);
		else {
			memset(&ch6[n], 0, sizeof(ch6[n]));
			memcpy(ch6[n].addr, p->a, 16);
			ch6[n].len = p->len;
		}
		n++;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	rc = family == 4 ? lpm_update4(t, k, v, b->n, ch4, n, &bad)
			 : lpm_update6(t, r, b->n, ch6, n, &bad);
	if (rc != 0) {
		fprintf(stderr, "fuzz_lpm: lpm_update%d: %d at %zu\n", family,
			rc, bad);
		abort();
	}
}

static uint32_t
entry(const struct lpm *t, uint32_t e, unsigned j)
{
	return e & LPM_GROUP ? t->grp[(size_t)(e & LPM_VALUE_MAX) << 8 | j] : e;
}

static void
same(const struct lpm *a, uint32_t ea, const struct lpm *b, uint32_t eb,
     uint8_t path[16], unsigned depth)
{
	if (((ea | eb) & LPM_GROUP) == 0) {
		if (ea != eb)
			die("update != build", path, 6, ea, eb);
		return;
	}
	if (depth >= 16)
		die("group below the last byte", path, 6, ea, eb);
	for (unsigned j = 0; j < 256; j++) {
		path[depth] = (uint8_t)j;
		same(a, entry(a, ea, j), b, entry(b, eb, j), path, depth + 1);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {"fuzz_lpm",
		       "--no-huge",
		       "-m",
		       "512",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       NULL};

	(void)argc;
	(void)argv;
	if (rte_eal_init(10, eal) < 0 || lpm_create(&t4, 4, 0) < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct list l1, l2, none, both;
	static uint64_t k[MAX_PFX];
	static uint32_t v[MAX_PFX];
	static struct fib_pfx6 r[MAX_PFX];
	int family;
	uint32_t def;
	size_t split, rec, bad;
	struct lpm *t, *f;

	if (size < 2)
		return 0;
	family = data[0] & 1 ? 6 : 4;
	def = data[0] >> 1;
	rec = family == 4 ? 5 : 6;
	split = 2 + (size_t)(data[1] % 64) * rec;
	if (split > size)
		split = size;
	parse(&l1, family, data + 2, split - 2);
	parse(&l2, family, data + split, size - split);
	both = l1;
	for (size_t i = 0; i < l2.n && both.n < MAX_PFX; i++)
		both.p[both.n++] = l2.p[i];

	if (family == 4) {
		/* t4 is empty with def 0: IPv4 inputs use def 0 */
		def = 0;
		t = t4;
		update(t, 4, &none, &l1);
	} else {
		if (lpm_create(&t, 6, def) < 0)
			abort();
		arrays(&l1, 6, k, v, r);
		if (lpm_build6(t, r, l1.n, &bad) != 0)
			abort();
	}
	check(t, family, &l1, def, &both, "first list");
	update(t, family, &l1, &l2);
	check(t, family, &l2, def, &both, "updated list");
	if (family == 6) {
		uint8_t path[16] = {0};

		if (lpm_create(&f, 6, def) < 0)
			abort();
		arrays(&l2, 6, k, v, r);
		if (lpm_build6(f, r, l2.n, &bad) != 0)
			abort();
		for (uint32_t i = 0; i < 1u << 16; i++) {
			path[0] = (uint8_t)(i >> 8);
			path[1] = (uint8_t)i;
			same(t, t->root[i], f, f->root[i], path, 2);
		}
		lpm_free(f);
	}
	update(t, family, &l2, &none);
	check(t, family, &none, def, &both, "emptied");
	if (lpm_groups(t) != 0) {
		fprintf(stderr, "fuzz_lpm: %u groups left in an empty table\n",
			lpm_groups(t));
		abort();
	}
	if (family == 6)
		lpm_free(t);
	return 0;
}
