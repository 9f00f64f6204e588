/* SPDX-License-Identifier: BSD-3-Clause */
/* Range -> CIDR conversion and the data-file readers (bgpq4 prefix lists,
 * ip-location-db CSV, RIR delegated-extended). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf_impl.h"

struct got {
	unsigned n;
	char s[64][64];
	ixg_cc_t cc[64];
};

static int
collect(void *ctx, const uint8_t addr[16], uint8_t len)
{
	struct got *g = ctx;
	char a[INET6_ADDRSTRLEN];
	int v6 = 0;
	unsigned i;

	for (i = 4; i < 16; i++)
		v6 |= addr[i];
	/* Callers below pass v4 in the first 4 bytes; tell by the len. */
	inet_ntop(v6 || len > 32 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (g->n < 64)
		snprintf(g->s[g->n], sizeof(g->s[0]), "%s/%u", a, len);
	g->n++;
	return 0;
}

static int
collect6(void *ctx, const uint8_t addr[16], uint8_t len)
{
	struct got *g = ctx;
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, addr, a, sizeof(a));
	if (g->n < 64)
		snprintf(g->s[g->n], sizeof(g->s[0]), "%s/%u", a, len);
	g->n++;
	return 0;
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void
test_range4_whole_space(void **state)
{
	struct got g = {0};

	(void)state;
	assert_int_equal(range4_to_cidr(0, UINT32_MAX, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s[0], "0.0.0.0/0");
}

static void
test_range4_single(void **state)
{
	struct got g = {0};

	(void)state;
	assert_int_equal(
		range4_to_cidr(ip4("192.0.2.7"), ip4("192.0.2.7"), collect, &g),
		0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s[0], "192.0.2.7/32");
	memset(&g, 0, sizeof(g));
	assert_int_equal(range4_to_cidr(UINT32_MAX, UINT32_MAX, collect, &g),
			 0);
	assert_string_equal(g.s[0], "255.255.255.255/32");
}

static void
test_range4_unaligned(void **state)
{
	struct got g = {0};

	(void)state;
	assert_int_equal(
		range4_to_cidr(ip4("10.0.0.1"), ip4("10.0.0.6"), collect, &g),
		0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.s[0], "10.0.0.1/32");
	assert_string_equal(g.s[1], "10.0.0.2/31");
	assert_string_equal(g.s[2], "10.0.0.4/31");
	assert_string_equal(g.s[3], "10.0.0.6/32");
	/* All but the last address: one block per bit. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(range4_to_cidr(0, UINT32_MAX - 1, collect, &g), 0);
	assert_int_equal(g.n, 32);
	assert_string_equal(g.s[0], "0.0.0.0/1");
	assert_string_equal(g.s[31], "255.255.255.254/32");
	/* 1536 hosts (RIR counts need not be powers of two). */
	memset(&g, 0, sizeof(g));
	assert_int_equal(range4_to_cidr(ip4("103.9.0.0"),
					ip4("103.9.0.0") + 1535, collect, &g),
			 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.s[0], "103.9.0.0/22");
	assert_string_equal(g.s[1], "103.9.4.0/23");
	assert_true(range4_to_cidr(2, 1, collect, &g) < 0);
}

static void
test_range6(void **state)
{
	uint8_t a[16], b[16];
	struct got g = {0};

	(void)state;
	memset(a, 0, 16);
	memset(b, 0xff, 16);
	assert_int_equal(range6_to_cidr(a, b, collect6, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s[0], "::/0");

	memset(&g, 0, sizeof(g));
	inet_pton(AF_INET6, "2001:db8::1", a);
	inet_pton(AF_INET6, "2001:db8::1", b);
	assert_int_equal(range6_to_cidr(a, b, collect6, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s[0], "2001:db8::1/128");

	memset(&g, 0, sizeof(g));
	inet_pton(AF_INET6, "2001:db8::", a);
	inet_pton(AF_INET6, "2001:db9:ffff:ffff:ffff:ffff:ffff:ffff", b);
	assert_int_equal(range6_to_cidr(a, b, collect6, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s[0], "2001:db8::/31");

	memset(&g, 0, sizeof(g));
	inet_pton(AF_INET6, "2001:db8::1", a);
	inet_pton(AF_INET6, "2001:db8::6", b);
	assert_int_equal(range6_to_cidr(a, b, collect6, &g), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.s[1], "2001:db8::2/127");
	assert_string_equal(g.s[3], "2001:db8::6/128");

	/* Up to the very last address, unaligned start. */
	memset(&g, 0, sizeof(g));
	memset(a, 0xff, 16);
	a[15] = 0xfe;
	memset(b, 0xff, 16);
	assert_int_equal(range6_to_cidr(a, b, collect6, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s[0],
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
}

struct pl {
	unsigned n;
	char s[16][64];
	uint32_t line[16];
};

static int
pl_collect(void *ctx, const struct pfx *p, uint32_t line)
{
	struct pl *l = ctx;

	if (l->n < 16) {
		pfx_format(p, 1, l->s[l->n], sizeof(l->s[0]));
		l->line[l->n] = line;
	}
	l->n++;
	return 0;
}

static void
test_prefix_file_plain(void **state)
{
	const char *text = "# bgpq4 -F '%n/%l\\n' AS-X\n1.0.1.0/24\r\n\n  "
			   "2001:db8::/32  \n";
	struct ixg_diags *d = ixg_diags_new();
	struct pl l = {0};

	(void)state;
	assert_int_equal(prefix_file_read("x.txt", text, strlen(text),
					  pl_collect, &l, d),
			 0);
	assert_int_equal(ixg_diags_errors(d), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.s[0], "1.0.1.0/24");
	assert_int_equal(l.line[0], 2);
	assert_string_equal(l.s[1], "2001:db8::/32");
	assert_int_equal(l.line[1], 4);
	ixg_diags_free(d);
}

static void
test_prefix_file_cisco(void **state)
{
	const char *text = "no ip prefix-list NN\n"
			   "ip prefix-list NN permit 1.0.0.0/24\n"
			   "ip prefix-list NN seq 10 permit 1.0.4.0/22\n"
			   "no ipv6 prefix-list NN\n"
			   "ipv6 prefix-list NN permit 2001:db8::/32\n";
	struct ixg_diags *d = ixg_diags_new();
	struct pl l = {0};

	(void)state;
	assert_int_equal(prefix_file_read("x.txt", text, strlen(text),
					  pl_collect, &l, d),
			 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[1], "1.0.4.0/22");
	assert_int_equal(l.line[1], 3);
	assert_string_equal(l.s[2], "2001:db8::/32");
	ixg_diags_free(d);
}

static void
test_prefix_file_errors(void **state)
{
	const char *text =
		"1.0.0.1/24\nip prefix-list NN permit 1.0.0.0/22 le 24\n";
	struct ixg_diags *d = ixg_diags_new();
	struct pl l = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_true(prefix_file_read("x.txt", text, strlen(text), pl_collect,
				     &l, d) < 0);
	assert_int_equal(ixg_diags_errors(d), 2);
	assert_int_equal(l.n, 0);
	ixg_diags_print(d, f);
	fclose(f);
	assert_non_null(
		strstr(buf, "x.txt:1:1: error: prefix 1.0.0.1/24 has host bits "
			    "set; did you mean 1.0.0.0/24?\n"));
	assert_non_null(strstr(
		buf, "x.txt:2:37: error: 'le' ranges are not supported"));
	free(buf);
	ixg_diags_free(d);
}

struct cl {
	unsigned n;
	char s[64][64];
	ixg_cc_t cc[64];
};

static int
cc_collect(void *ctx, const uint8_t addr[16], uint8_t fam, uint8_t len,
	   ixg_cc_t cc)
{
	struct cl *l = ctx;
	char a[INET6_ADDRSTRLEN];

	inet_ntop(fam == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	if (l->n < 64) {
		snprintf(l->s[l->n], sizeof(l->s[0]), "%s/%u", a, len);
		l->cc[l->n] = cc;
	}
	l->n++;
	return 0;
}

static void
test_country_iplocdb(void **state)
{
	const char *text = "1.0.0.0,1.0.0.255,AU\n"
			   "1.0.1.0,1.0.3.255,cn\n"
			   "2001:db8::,2001:db8::ffff,SG\n";
	struct ixg_diags *d = ixg_diags_new();
	struct cl l = {0};

	(void)state;
	assert_int_equal(country_file_read("c.csv", text, strlen(text),
					   CF_IPLOCDB, cc_collect, &l, d),
			 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.s[0], "1.0.0.0/24");
	assert_int_equal(l.cc[0], IXG_CC('A', 'U'));
	assert_string_equal(l.s[1], "1.0.1.0/24");
	assert_string_equal(l.s[2], "1.0.2.0/23");
	assert_int_equal(l.cc[2], IXG_CC('C', 'N'));
	assert_string_equal(l.s[3], "2001:db8::/112");
	assert_int_equal(l.cc[3], IXG_CC('S', 'G'));
	ixg_diags_free(d);
}

static void
test_country_rir(void **state)
{
	const char *text =
		"# comment\n"
		"2|apnic|20250101|5|19830613|20250101|+1000\n"
		"apnic|*|ipv4|*|3|summary\n"
		"apnic|VN|asn|7552|1|20040101|allocated|A1\n"
		"apnic|VN|ipv4|103.9.0.0|1536|20110101|assigned|A1\n"
		"apnic||ipv4|103.9.8.0|1024||available|\n"
		"apnic|ZZ|ipv4|103.9.12.0|1024|20110101|reserved|\n"
		"apnic|TH|ipv4|1.0.128.0|32768|20110101|allocated\n"
		"apnic|JP|ipv6|2001:200::|35|19990813|allocated|A2\n";
	struct ixg_diags *d = ixg_diags_new();
	struct cl l = {0};

	(void)state;
	assert_int_equal(country_file_read("delegated", text, strlen(text),
					   CF_RIR, cc_collect, &l, d),
			 0);
	assert_int_equal(ixg_diags_errors(d), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.s[0], "103.9.0.0/22");
	assert_string_equal(l.s[1], "103.9.4.0/23");
	assert_int_equal(l.cc[1], IXG_CC('V', 'N'));
	assert_string_equal(l.s[2], "1.0.128.0/17");
	assert_int_equal(l.cc[2], IXG_CC('T', 'H'));
	assert_string_equal(l.s[3], "2001:200::/35");
	assert_int_equal(l.cc[3], IXG_CC('J', 'P'));
	ixg_diags_free(d);
}

static void
test_country_errors(void **state)
{
	const char *csv = "1.0.1.0,1.0.0.0,CN\n1.0.0.0,2001:db8::,CN\n";
	const char *rir = "apnic|VN|ipv4|255.255.255.0|512|2011|allocated|A\n";
	struct ixg_diags *d = ixg_diags_new();
	struct cl l = {0};

	(void)state;
	assert_true(country_file_read("c.csv", csv, strlen(csv), CF_IPLOCDB,
				      cc_collect, &l, d) < 0);
	assert_int_equal(ixg_diags_errors(d), 2);
	assert_true(country_file_read("d", rir, strlen(rir), CF_RIR, cc_collect,
				      &l, d) < 0);
	assert_int_equal(ixg_diags_errors(d), 3);
	assert_int_equal(l.n, 0);
	ixg_diags_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range4_whole_space),
		cmocka_unit_test(test_range4_single),
		cmocka_unit_test(test_range4_unaligned),
		cmocka_unit_test(test_range6),
		cmocka_unit_test(test_prefix_file_plain),
		cmocka_unit_test(test_prefix_file_cisco),
		cmocka_unit_test(test_prefix_file_errors),
		cmocka_unit_test(test_country_iplocdb),
		cmocka_unit_test(test_country_rir),
		cmocka_unit_test(test_country_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
