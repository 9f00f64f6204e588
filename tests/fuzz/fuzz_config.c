/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the config library: parse, validate, print, reparse,
 * compile. Properties checked beyond "no crash, no leak, no UB":
 *  - a config that parses prints to text that parses again (fixed point:
 *    the second print equals the first);
 *  - a config with errors yields no config object;
 *  - numeric extremes (issue 13 item 1): the input's bytes also choose, for
 *    every numeric field (each numeric row of conf_fields.h, and the
 *    numbers of K rows: ASN, VLAN, peer rate and burst, ports, rule
 *    priority, sampling), a value at or around the ends of its range or
 *    an arbitrary 64-bit one; the config must load exactly when every
 *    value is in range, and a loaded config must give DPDK's meter a
 *    period above zero on any TSC up to 10 GHz.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_to_string(const struct ixg_conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	ixg_conf_print(c, f);
	fclose(f);
	return buf;
}

/* The input's bytes, consumed as choices (zeros once used up). */
struct chooser {
	const uint8_t *p;
	size_t n;
};

static uint64_t
take_u64(struct chooser *ch, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0) {
		v = v << 8 | (ch->n > 0 ? *ch->p : 0);
		if (ch->n > 0)
			ch->p++, ch->n--;
	}
	return v;
}

/* A value around [lo, hi]; *in says whether it is in range. */
static uint64_t
choose(struct chooser *ch, uint64_t lo, uint64_t hi, int pow2, int *in)
{
	uint64_t v;

	switch (take_u64(ch, 1) % 9) {
	case 0: v = lo - 1; break;
	case 1: v = lo; break;
	case 2: v = lo + 1; break;
	case 3: v = lo + (hi - lo) / 2; break;
	case 4: v = hi - 1; break;
	case 5: v = hi; break;
	case 6: v = hi + 1; break;
	case 7: v = UINT64_MAX; break;
	default: v = take_u64(ch, 8); break;
	}
	/* Sometimes round down to a power of two, so POW2 rows see both. */
	if (pow2 && v > 1 && (v & (v - 1)) != 0 && (take_u64(ch, 1) & 1))
		v = (uint64_t)1 << (63 - __builtin_clzll(v));
	*in = v >= lo && v <= hi && (!pow2 || (v != 0 && (v & (v - 1)) == 0));
	return v;
}

/* DPDK 22.11 rte_meter_get_tb_params(): 1 if the period is above zero and
 * hz * bytes_per_period fits in 64 bits (test_conf_meter.c). */
static int
meter_ok(uint64_t hz, uint64_t rate)
{
	double period = (double)hz / (double)rate;
	unsigned __int128 prod;
	uint64_t bpp;

	if (period >= 100)
		return (uint64_t)period > 0;
	bpp = (uint64_t)ceil(100 / period);
	prod = (unsigned __int128)hz * bpp;
	return (prod >> 64) == 0 && (uint64_t)prod / rate > 0;
}

static void
check_meter(uint64_t rate_bytes)
{
	static const unsigned workers[] = {1, 2, 3, 128};
	unsigned w;

	if (rate_bytes == 0)
		abort(); /* a rate that polices nothing */
	for (w = 0; w < 4; w++) {
		uint64_t share = (rate_bytes + workers[w] - 1) / workers[w];

		if (!meter_ok(10000000000ull, share) ||
		    !meter_ok(1000000000ull, share)) {
			fprintf(stderr, "rate %llu bytes/s wraps the meter\n",
				(unsigned long long)rate_bytes);
			abort();
		}
	}
}

/* Append "KEYWORD VALUE;" for every numeric F row of section sec. */
static void
rows(FILE *f, struct chooser *ch, const char *sec, int *all_in, uint64_t *cir,
     uint64_t *pir)
{
	const struct conf_kw *k;

	for (k = conf_keywords; k->name != NULL; k++) {
		int in, pow2 = k->val.kind == VK_POW2;
		uint64_t v;

		if (strcmp(k->section, sec) != 0 ||
		    (k->val.kind != VK_UINT && !pow2 &&
		     k->val.kind != VK_RATE && k->val.kind != VK_SIZE))
			continue;
		v = choose(ch, k->val.lo, k->val.hi, pow2, &in);
		*all_in &= in;
		fprintf(f, " %s %llu%s;", k->name, (unsigned long long)v,
			k->val.kind == VK_RATE ? "bit" : "");
		if (strcmp(k->name, "committed-rate") == 0)
			*cir = v;
		if (strcmp(k->name, "peak-rate") == 0)
			*pir = v;
	}
}

static void
extremes(const uint8_t *data, size_t size)
{
	struct chooser ch = {data, size};
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	struct ixg_spec spec;
	char *text = NULL;
	size_t len = 0;
	uint64_t cir = 0, pir = 0, v[8];
	int all_in = 1, in, loaded = 0;
	FILE *f = open_memstream(&text, &len);
	uint32_t i;

	if (f == NULL || d == NULL)
		abort();
	fputs("node { name n; country SG;", f);
	rows(f, &ch, "NODE", &all_in, &cir, &pir);
	v[0] = choose(&ch, 1, 1000000000, 0, &in);
	all_in &= in;
	fprintf(f, " sampling 1-in-%llu; }\n", (unsigned long long)v[0]);
	fputs("port p0 { device \"net_null0\";", f);
	rows(f, &ch, "PORT", &all_in, &cir, &pir);
	fputs(" }\nclass k {", f);
	rows(f, &ch, "CLASS", &all_in, &cir, &pir);
	all_in &= pir >= cir; /* RFC 2698: PIR >= CIR */
	v[1] = choose(&ch, 1, 4294967294ull, 0, &in); /* asn */
	all_in &= in;
	v[2] = choose(&ch, 1, 4094, 0, &in); /* vlan */
	all_in &= in;
	v[3] = choose(&ch, CONF_RATE_MIN, CONF_RATE_MAX, 0, &in); /* rate */
	all_in &= in;
	v[4] = choose(&ch, CONF_SIZE_MIN, CONF_SIZE_MAX, 0, &in); /* burst */
	all_in &= in;
	fprintf(f,
		" }\npeer a { asn %llu; port p0; vlan %llu; mac "
		"02:00:00:00:00:01; rate %llubit burst %llu;",
		(unsigned long long)v[1], (unsigned long long)v[2],
		(unsigned long long)v[3], (unsigned long long)v[4]);
	rows(f, &ch, "PEER", &all_in, &cir, &pir);
	v[5] = choose(&ch, 0, UINT32_MAX, 0, &in); /* rule priority */
	all_in &= in;
	v[6] = choose(&ch, 0, 65535, 0, &in); /* ports */
	all_in &= in;
	v[7] = choose(&ch, 0, 65535, 0, &in);
	all_in &= in && v[6] <= v[7];
	fprintf(f,
		" announce { 10.0.0.0/8; } }\nacl { rule %llu { protocol "
		"tcp; source-port %llu; destination-port %llu-%llu;",
		(unsigned long long)v[5], (unsigned long long)v[6],
		(unsigned long long)v[6], (unsigned long long)v[7]);
	rows(f, &ch, "RULE", &all_in, &cir, &pir);
	fputs(" action class k; } }\n", f);
	fclose(f);

	c = ixg_conf_parse_string("extremes.conf", text, len, d);
	if (c != NULL && ixg_conf_compile(c, &spec, d) == 0) {
		loaded = 1;
		for (i = 0; i < spec.n_classes; i++) {
			check_meter(spec.classes[i].cir);
			check_meter(spec.classes[i].pir);
		}
		for (i = 0; i < spec.n_peers; i++)
			if (spec.peers[i].rate != 0)
				check_meter(spec.peers[i].rate);
		ixg_spec_free(&spec);
	}
	if (loaded != all_in) {
		fprintf(stderr, "%s:\n%s", loaded ? "loaded" : "refused", text);
		ixg_diags_print(d, stderr);
		abort();
	}
	ixg_conf_free(c);
	ixg_diags_free(d);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ixg_diags *d;
	struct ixg_conf *c;

	extremes(data, size);
	d = ixg_diags_new();

	/* Includes would read the fuzzer's file system: keep inputs self
	 * contained by refusing any that mention one. */
	if (memmem(data, size, "include", 7) != NULL ||
	    memmem(data, size, "-file", 5) != NULL ||
	    memmem(data, size, "country-data", 12) != NULL) {
		ixg_diags_free(d);
		return -1;
	}
	c = ixg_conf_parse_string("fuzz.conf", (const char *)data, size, d);
	if (c == NULL) {
		if (ixg_diags_errors(d) == 0)
			abort(); /* refused without saying why */
		ixg_diags_free(d);
		return 0;
	}
	size_t len1, len2;
	char *p1 = print_to_string(c, &len1);
	struct ixg_diags *d2 = ixg_diags_new();
	struct ixg_conf *c2 = ixg_conf_parse_string("print.conf", p1, len1, d2);

	if (c2 == NULL) {
		fprintf(stderr, "canonical print does not parse:\n%s\n", p1);
		ixg_diags_print(d2, stderr);
		abort();
	}
	char *p2 = print_to_string(c2, &len2);
	if (len1 != len2 || memcmp(p1, p2, len1) != 0) {
		fprintf(stderr, "print is not a fixed point:\n%s\n---\n%s\n",
			p1, p2);
		abort();
	}

	struct ixg_spec spec;
	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_compile(c, &spec, d) == 0)
		ixg_spec_free(&spec);

	free(p1);
	free(p2);
	ixg_conf_free(c2);
	ixg_conf_free(c);
	ixg_diags_free(d2);
	ixg_diags_free(d);
	return 0;
}
