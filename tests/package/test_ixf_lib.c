/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IX-F library (conf/ixf.c): the export of a
 * compiled config (members by ASN, connections by port, MACs without
 * addresses, QinQ, the exchange's VLANs), the import's rules (VLAN
 * tagging, MAC checks, duplicates, limits, names, comments that cannot
 * break out of a comment line), and every import error naming its path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ixf.h"
#include "ixg_conf.h"

/* ---- helpers ------------------------------------------------------------ */

static int
compile(const char *text, struct ixg_spec *spec)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_string("t.conf", text, strlen(text),
						   d);
	int rc = -1;

	if (c != NULL)
		rc = ixg_conf_compile(c, spec, d);
	if (rc < 0)
		ixg_diags_print(d, stderr);
	ixg_conf_free(c);
	ixg_diags_free(d);
	return rc;
}

/* Export text to JSON (caller json_decref's). */
static json_t *
export_json(const char *conf, const struct ixg_ixf_info *info)
{
	struct ixg_spec spec;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t e;
	json_t *j;

	assert_non_null(f);
	memset(&spec, 0, sizeof(spec));
	assert_int_equal(compile(conf, &spec), 0);
	assert_int_equal(ixg_ixf_export(&spec, info, f), 0);
	fclose(f);
	ixg_spec_free(&spec);
	j = json_loads(buf, 0, &e);
	if (j == NULL)
		fail_msg("export is not JSON: %s", e.text);
	free(buf);
	return j;
}

struct conv {
	int rc;
	char *out, *warn;
	char err[512];
};

static void
convert(const char *json, const struct ixg_ixf_import *opt, struct conv *c)
{
	size_t olen = 0, wlen = 0;
	FILE *o = open_memstream(&c->out, &olen);
	FILE *w = open_memstream(&c->warn, &wlen);

	assert_non_null(o);
	assert_non_null(w);
	c->rc = ixg_ixf_to_config(json, strlen(json), opt, o, w, c->err,
				  sizeof(c->err));
	fclose(o);
	fclose(w);
}

static void
conv_free(struct conv *c)
{
	free(c->out);
	free(c->warn);
}

/* The converted config compiles. */
static void
assert_compiles(const char *text)
{
	struct ixg_spec spec;

	memset(&spec, 0, sizeof(spec));
	if (compile(text, &spec) != 0)
		fail_msg("generated config does not compile:\n%s", text);
	ixg_spec_free(&spec);
}

static const struct ixg_ixf_import imp_default = {.ixp_id = -1};

/* ---- slug ----------------------------------------------------------------- */

static void
slug(void **state)
{
	char out[IXG_NAME_LEN];

	(void)state;
	ixg_ixf_slug("Example Video, Inc.", out, sizeof(out));
	assert_string_equal(out, "example-video-inc");
	ixg_ixf_slug("  --VNPT (Vietnam)--  ", out, sizeof(out));
	assert_string_equal(out, "vnpt-vietnam");
	ixg_ixf_slug("中国电信 China Telecom", out, sizeof(out));
	assert_string_equal(out, "china-telecom");
	ixg_ixf_slug("中国电信", out, sizeof(out));
	assert_string_equal(out, "");
	ixg_ixf_slug(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	ixg_ixf_slug("a very long network name that goes on and on", out, 12);
	assert_string_equal(out, "a-very-long");
	assert_true(strlen(out) <= 11);
}

/* ---- export --------------------------------------------------------------- */

static const char two_ports[] =
	"node { name x-1; country VN; }\n"
	"port a { device \"net_null0\"; address 192.0.2.1/24; "
	"vlan 100 { address 198.51.100.1/24; address 2001:db8:100::1/64; } }\n"
	"port b { device \"net_null1\"; }\n"
	"peer one-a { asn 64500; port a; vlan 100; mac 02:00:00:00:00:01; "
	"mac 02:00:00:00:00:02; next-hop 198.51.100.2; "
	"next-hop 2001:db8:100::2; }\n"
	"peer other { asn 64501; port a; mac 02:00:00:00:00:03; }\n"
	"peer one-b { asn 64500; port b; vlan 7.200; mac 02:00:00:00:00:04; "
	"next-hop 2001:db8:200::2; }\n"
	"peer one-a2 { asn 64500; port a; mac 02:00:00:00:00:05; "
	"next-hop 192.0.2.5; }\n";

static void
export_members(void **state)
{
	struct ixg_ixf_info info = {
		.ixp_id = 3, .ixf_id = 77, .timestamp = 86400};
	json_t *j = export_json(two_ports, &info), *ml, *m, *cl, *vl, *v;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(j, "timestamp")),
			    "1970-01-02T00:00:00Z");
	ml = json_object_get(j, "member_list");
	/* One member per ASN, in order of first peer. */
	assert_int_equal(json_array_size(ml), 2);
	m = json_array_get(ml, 0);
	assert_int_equal(json_integer_value(json_object_get(m, "asnum")),
			 64500);
	assert_string_equal(json_string_value(json_object_get(m, "name")),
			    "one-a");
	/* One connection per port: a (one-a, one-a2), then b (one-b). */
	cl = json_object_get(m, "connection_list");
	assert_int_equal(json_array_size(cl), 2);
	vl = json_object_get(json_array_get(cl, 0), "vlan_list");
	assert_int_equal(json_array_size(vl), 2);
	v = json_array_get(vl, 0);
	assert_int_equal(json_integer_value(json_object_get(v, "vlan_id")),
			 100);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(v, "ipv4"), "address")),
			    "198.51.100.2");
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(v, "ipv6"), "mac_addresses")),
			 2);
	v = json_array_get(vl, 1);
	assert_int_equal(json_integer_value(json_object_get(v, "vlan_id")), 0);
	assert_null(json_object_get(v, "ipv6"));
	/* QinQ: the inner tag; IPv6 only: no ipv4 object. */
	v = json_array_get(json_object_get(json_array_get(cl, 1), "vlan_list"),
			   0);
	assert_int_equal(json_integer_value(json_object_get(v, "vlan_id")),
			 200);
	assert_null(json_object_get(v, "ipv4"));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(cl, 1), "ixp_id")),
			 3);
	/* No address at all: the MACs still go out, in an ipv4 object. */
	m = json_array_get(ml, 1);
	v = json_array_get(
		json_object_get(
			json_array_get(json_object_get(m, "connection_list"),
				       0),
			"vlan_list"),
		0);
	assert_null(json_object_get(json_object_get(v, "ipv4"), "address"));
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(v, "ipv4"),
						    "mac_addresses"),
				    0)),
			    "02:00:00:00:00:03");
	json_decref(j);
}

static void
export_ixp(void **state)
{
	struct ixg_ixf_info info = {.ixp_id = 1,
				    .ixf_id = 5,
				    .shortname = "HAN-IX",
				    .name = "Hanoi exchange",
				    .url = "https://han-ix.example/",
				    .peeringdb_id = 12};
	json_t *j = export_json(two_ports, &info), *ixp, *vl, *v;

	(void)state;
	ixp = json_array_get(json_object_get(j, "ixp_list"), 0);
	assert_string_equal(
		json_string_value(json_object_get(ixp, "shortname")), "HAN-IX");
	assert_string_equal(json_string_value(json_object_get(ixp, "country")),
			    "VN");
	assert_int_equal(
		json_integer_value(json_object_get(ixp, "peeringdb_id")), 12);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(ixp, "switch"), 0),
			"name")),
		"x-1");
	/* VLANs in order of first use: 100 (with subnets), 0, 200. */
	vl = json_object_get(ixp, "vlan");
	assert_int_equal(json_array_size(vl), 3);
	v = json_array_get(vl, 0);
	assert_int_equal(json_integer_value(json_object_get(v, "id")), 100);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(v, "ipv4"), "prefix")),
			    "198.51.100.0");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(v, "ipv6"), "mask_length")),
			 64);
	v = json_array_get(vl, 1);
	assert_int_equal(json_integer_value(json_object_get(v, "id")), 0);
	assert_string_equal(json_string_value(json_object_get(v, "name")),
			    "untagged");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(v, "ipv4"), "prefix")),
			    "192.0.2.0");
	assert_null(json_object_get(json_array_get(vl, 2), "ipv4"));
	json_decref(j);
}

/* A write error is reported, not ignored. */
static void
export_write_error(void **state)
{
	struct ixg_ixf_info info = {.ixp_id = 1};
	struct ixg_spec spec;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL)
		skip();
	memset(&spec, 0, sizeof(spec));
	assert_int_equal(compile(two_ports, &spec), 0);
	assert_int_equal(ixg_ixf_export(&spec, &info, f), -EIO);
	fclose(f);
	ixg_spec_free(&spec);
}

/* ---- import --------------------------------------------------------------- */

#define IXP                                                                    \
	"\"ixp_list\":[{\"ixp_id\":1,\"ixf_id\":1,\"shortname\":\"T-IX\","     \
	"\"country\":\"VN\"}]"

static void
import_tagging(void **state)
{
	/* One entry per connection: untagged on its own port; two:
	 * tagged by vlan_id; out of range: a comment. */
	static const char j[] =
		"{" IXP ",\"member_list\":["
		"{\"asnum\":64500,\"name\":\"One\",\"connection_list\":["
		"{\"ixp_id\":1,\"vlan_list\":[{\"vlan_id\":5,\"ipv4\":"
		"{\"address\":\"192.0.2.2\",\"mac_addresses\":"
		"[\"02:00:00:00:00:01\"]}}]}]},"
		"{\"asnum\":64501,\"name\":\"Two\",\"connection_list\":["
		"{\"ixp_id\":1,\"vlan_list\":["
		"{\"vlan_id\":10,\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:02\"]}},"
		"{\"vlan_id\":5000,\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:03\"]}}]}]}]}";
	struct conv c;

	(void)state;
	convert(j, &imp_default, &c);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.out, "peer one {\n\tasn 64500;\n\tport "
				      "one.c1;\n\tmac 02:00:00:00:00:01;\n"));
	assert_non_null(strstr(c.out, "peer two {\n\tasn 64501;\n\tport "
				      "two.c1;\n\tvlan 10;\n"));
	assert_non_null(strstr(c.out, "# not configured: vlan_id 5000 is not "
				      "an 802.1Q VLAN id (1..4094)\n"));
	assert_non_null(strstr(c.out, "# peer two-2 {\n"));
	assert_non_null(strstr(c.warn, "member_list[1].connection_list[0]."
				       "vlan_list[1].vlan_id: "));
	assert_non_null(strstr(c.out, "\tname t-ix;\n\tcountry VN;\n"));
	assert_compiles(c.out);
	conv_free(&c);
}

static void
import_macs(void **state)
{
	/* Upper case and '-' are read; multicast, zero and junk are
	 * skipped with a warning; a MAC already used on the port and
	 * VLAN makes the later peer a comment; over 8 are counted. */
	static const char j[] =
		"{" IXP ",\"member_list\":["
		"{\"asnum\":64500,\"name\":\"A\",\"connection_list\":["
		"{\"ixp_id\":1,\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
		"[\"02-00-00-00-00-AA\",\"01:00:5e:00:00:01\","
		"\"00:00:00:00:00:00\",\"zz:00:00:00:00:01\","
		"\"02:00:00:00:00:0\"]},\"ipv6\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:aa\"]}}]}]},"
		"{\"asnum\":64501,\"name\":\"B\",\"connection_list\":["
		"{\"ixp_id\":1,\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:b1\",\"02:00:00:00:00:b2\","
		"\"02:00:00:00:00:b3\",\"02:00:00:00:00:b4\","
		"\"02:00:00:00:00:b5\",\"02:00:00:00:00:b6\","
		"\"02:00:00:00:00:b7\",\"02:00:00:00:00:b8\","
		"\"02:00:00:00:00:b9\",\"02:00:00:00:00:ba\"]}}]}]},"
		"{\"asnum\":64502,\"name\":\"C\",\"connection_list\":["
		"{\"ixp_id\":1,\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:aa\"]}}]}]}]}";
	struct ixg_ixf_import trunk = {.ixp_id = -1, .trunk = "t0"};
	struct conv c;

	(void)state;
	convert(j, &trunk, &c);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.out, "peer a {\n\tasn 64500;\n\tport t0;\n"
				      "\tmac 02:00:00:00:00:aa;\n}\n"));
	/* 4 bad MACs, each with its path. */
	assert_non_null(strstr(c.warn, "ipv4.mac_addresses[1]: "
				       "'01:00:5e:00:00:01' is not a unicast"));
	assert_non_null(strstr(c.warn, "ipv4.mac_addresses[2]: "));
	assert_non_null(strstr(c.warn, "ipv4.mac_addresses[3]: "));
	assert_non_null(strstr(c.warn, "ipv4.mac_addresses[4]: "));
	assert_non_null(strstr(c.out, "\t# 2 more MAC addresses (ixgate keeps "
				      "8 per peer)\n"));
	assert_non_null(strstr(c.out, "# not configured: MAC "
				      "02:00:00:00:00:aa is already peer a's "
				      "on this port and VLAN\n"));
	assert_non_null(strstr(c.out, "# peer c {\n"));
	assert_compiles(c.out);
	conv_free(&c);
}

/* Text from the export cannot leave its comment line or name a keyword. */
static void
import_hostile_text(void **state)
{
	static const char j[] =
		"{\"version\":\"1.0\\n}\\npeer x {\",\"timestamp\":\"\\r\","
		"\"ixp_list\":[{\"ixp_id\":1,\"ixf_id\":1,\"shortname\":"
		"\"a\\n}\\nnode {\",\"name\":\"\\u0007x\",\"country\":\"X\"}],"
		"\"member_list\":[{\"asnum\":64500,\"name\":"
		"\"evil\\n}\\npeer evil2 { asn 1; port p; mac "
		"02:00:00:00:00:09;"
		" }\\n#\",\"connection_list\":[{\"ixp_id\":1,\"state\":"
		"\"up\\n\",\"if_list\":[{\"if_type\":\"x\\ny\"}],"
		"\"vlan_list\":[{\"ipv4\":{\"as_macro\":\"AS-X\\n; rm\","
		"\"mac_addresses\":[\"02:00:00:00:00:01\"]}}]}]}]}";
	struct ixg_ixf_import o = {.ixp_id = -1, .source = "a\nb"};
	struct conv c;
	const char *line;

	(void)state;
	convert(j, &o, &c);
	assert_int_equal(c.rc, 0);
	/* Every line is a comment, blank, or one of ours. */
	for (line = c.out; *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n > 0 && line[0] != '#' && line[0] != '\t' &&
		    strncmp(line, "node {", 6) != 0 &&
		    strncmp(line, "port ", 5) != 0 &&
		    strncmp(line, "peer ", 5) != 0 &&
		    strncmp(line, "}", 1) != 0)
			fail_msg("unexpected line: %.*s", (int)n, line);
		line += n + (nl != NULL);
	}
	/* The injected peer is inside a comment line: one peer compiles. */
	assert_null(strstr(c.out, "\npeer evil2"));
	assert_null(strstr(c.out, "\n\tasn 1;"));
	assert_non_null(strstr(c.out, "\tcountry ZZ;"));
	{
		struct ixg_spec spec;

		memset(&spec, 0, sizeof(spec));
		assert_int_equal(compile(c.out, &spec), 0);
		assert_int_equal(spec.n_peers, 1);
		assert_int_equal(spec.peers[0].asn, 64500);
		ixg_spec_free(&spec);
	}
	conv_free(&c);
}

static void
import_names(void **state)
{
	/* No usable name: asN; a 40-character name: cut; same names:
	 * -2, -3, for ports too. */
	static const char j[] =
		"{" IXP ",\"member_list\":["
		"{\"asnum\":64500,\"connection_list\":[{\"ixp_id\":1,"
		"\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:01\"]}}]}]},"
		"{\"asnum\":64501,\"name\":\"Network With A Very Long Name "
		"Indeed\",\"connection_list\":[{\"ixp_id\":1,\"vlan_list\":"
		"[{\"ipv4\":{\"mac_addresses\":[\"02:00:00:00:00:02\"]}}]}]},"
		"{\"asnum\":64502,\"name\":\"Network With A Very Long Name "
		"Indeed\",\"connection_list\":[{\"ixp_id\":1,\"vlan_list\":"
		"[{\"ipv4\":{\"mac_addresses\":[\"02:00:00:00:00:03\"]}}]}]}]}";
	struct conv c;

	(void)state;
	convert(j, &imp_default, &c);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.out, "peer as64500 {"));
	assert_non_null(strstr(c.out, "port as64500.c1 {"));
	assert_non_null(strstr(c.out, "peer network-with-a-very-lon {"));
	assert_non_null(strstr(c.out, "peer network-with-a-very-lon-2 {"));
	assert_non_null(strstr(c.out, "port network-with-a-very-lon.c1 {"));
	assert_non_null(strstr(c.out, "port network-with-a-very-lon.c1-2 {"));
	assert_compiles(c.out);
	conv_free(&c);
}

/* Connections at another exchange of the export are left out; --ixp-id
 * picks the exchange. */
static void
import_ixp_select(void **state)
{
	static const char j[] =
		"{\"ixp_list\":[{\"ixp_id\":1,\"ixf_id\":1,\"shortname\":\"A\"}"
		","
		"{\"ixp_id\":2,\"ixf_id\":2,\"shortname\":\"B\"}],"
		"\"member_list\":[{\"asnum\":64500,\"connection_list\":["
		"{\"ixp_id\":1,\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:01\"]}}]},"
		"{\"ixp_id\":2,\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
		"[\"02:00:00:00:00:02\"]}}]}]}]}";
	struct ixg_ixf_import second = {.ixp_id = 2, .country = "MY"};
	struct conv c;

	(void)state;
	convert(j, &imp_default, &c);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.out, "mac 02:00:00:00:00:01;"));
	assert_null(strstr(c.out, "mac 02:00:00:00:00:02;"));
	assert_non_null(strstr(c.out, "\tname a;\n"));
	conv_free(&c);
	convert(j, &second, &c);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.out, "mac 02:00:00:00:00:02;"));
	assert_null(strstr(c.out, "mac 02:00:00:00:00:01;"));
	assert_non_null(strstr(c.out, "\tname b;\n\tcountry MY;"));
	conv_free(&c);
}

static void
import_errors(void **state)
{
	static const struct {
		const char *json, *err;
		int rc;
	} cases[] = {
		{"", "line 1, column 0: ", -EINVAL},
		{"{\"member_list\":5}", "$.member_list: expected an array",
		 -EINVAL},
		{"{\"version\":1,\"member_list\":[]}",
		 "$.version: expected a string", -EINVAL},
		{"{\"ixp_list\":[{}],\"member_list\":[]}",
		 "ixp_list[0]: no \"ixp_id\" (required)", -EINVAL},
		{"{\"ixp_list\":[7],\"member_list\":[]}",
		 "ixp_list[0]: expected an object", -EINVAL},
		{"{\"member_list\":[7]}", "member_list[0]: expected an object",
		 -EINVAL},
		{"{\"member_list\":[{\"asnum\":4294967295,"
		 "\"connection_list\":[]}]}",
		 "member_list[0].asnum: 4294967295 is not an AS number",
		 -EINVAL},
		{"{\"member_list\":[{\"asnum\":1,\"name\":[]}]}",
		 "member_list[0].name: expected a string", -EINVAL},
		{"{\"member_list\":[{\"asnum\":1}]}",
		 "member_list[0]: no \"connection_list\" (required)", -EINVAL},
		{"{\"member_list\":[{\"asnum\":1,\"connection_list\":[{}]}]}",
		 "member_list[0].connection_list[0]: no \"ixp_id\" (required)",
		 -EINVAL},
		{"{\"member_list\":[{\"asnum\":1,\"connection_list\":[{"
		 "\"ixp_id\":1,\"if_list\":[{\"if_speed\":\"fast\"}]}]}]}",
		 "member_list[0].connection_list[0].if_list[0].if_speed: "
		 "expected an integer",
		 -EINVAL},
		{"{\"member_list\":[{\"asnum\":1,\"connection_list\":[{"
		 "\"ixp_id\":1,\"vlan_list\":[{\"ipv6\":[]}]}]}]}",
		 "member_list[0].connection_list[0].vlan_list[0].ipv6: "
		 "expected an object",
		 -EINVAL},
		{"{\"member_list\":[{\"asnum\":1,\"connection_list\":[{"
		 "\"ixp_id\":1,\"vlan_list\":[{\"ipv4\":{\"max_prefix\":"
		 "1.5}}]}]}]}",
		 "member_list[0].connection_list[0].vlan_list[0].ipv4."
		 "max_prefix: expected an integer",
		 -EINVAL},
	};
	struct conv c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		convert(cases[i].json, &imp_default, &c);
		if (c.rc != cases[i].rc ||
		    strncmp(c.err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("case %zu: rc %d err '%s', want %d '%s'", i,
				 c.rc, c.err, cases[i].rc, cases[i].err);
		assert_string_equal(c.out, "");
		conv_free(&c);
	}
}

/* Nothing over ixgate's capacities: 33 ports (suggests --trunk). */
static void
import_limits(void **state)
{
	char *j = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&j, &len);
	struct conv c;

	(void)state;
	fputs("{\"member_list\":[", f);
	for (int i = 0; i < 33; i++)
		fprintf(f,
			"%s{\"asnum\":%d,\"connection_list\":[{\"ixp_id\":1,"
			"\"vlan_list\":[{\"ipv4\":{\"mac_addresses\":"
			"[\"02:00:00:00:01:%02x\"]}}]}]}",
			i ? "," : "", 64500 + i, i);
	fputs("]}", f);
	fclose(f);
	convert(j, &imp_default, &c);
	assert_int_equal(c.rc, -E2BIG);
	assert_non_null(strstr(c.err, "--trunk PORT"));
	assert_string_equal(c.out, "");
	conv_free(&c);
	free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slug),
		cmocka_unit_test(export_members),
		cmocka_unit_test(export_ixp),
		cmocka_unit_test(export_write_error),
		cmocka_unit_test(import_tagging),
		cmocka_unit_test(import_macs),
		cmocka_unit_test(import_hostile_text),
		cmocka_unit_test(import_names),
		cmocka_unit_test(import_ixp_select),
		cmocka_unit_test(import_errors),
		cmocka_unit_test(import_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
