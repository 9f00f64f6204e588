/* SPDX-License-Identifier: BSD-3-Clause */
/* ixgate-control's config loading: SHA-256 over every file read (an edit
 * in an included file changes it), the world-writable refusal, errors
 * reported with the summary line, and the audit log's JSON line. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_proto.h"
#include "ctld.h"

static char dir[PATH_MAX];

static void
write_file(const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ixg-test-config.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	write_file("root.conf", "node { name t; country SG; }\n"
				"port p0 { device \"net_null0\"; }\n"
				"include \"peer.conf\";\n");
	write_file("peer.conf",
		   "peer a { asn 1; country VN; port p0; vlan 11; "
		   "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
load(struct ctl_config *c)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/root.conf", dir);
	assert_int_equal(ctl_config_load(p, NULL, c, stderr), 0);
	assert_true(c->valid);
}

/* The checksum covers included files: editing one changes it, restoring
 * it restores the checksum. */
static void
test_sha_covers_includes(void **state)
{
	struct ctl_config a, b, c;
	char hex[65];

	(void)state;
	load(&a);
	load(&b);
	assert_memory_equal(a.sha256, b.sha256, 32);
	ctl_hex(a.sha256, hex);
	assert_int_equal(strlen(hex), 64);
	write_file("peer.conf",
		   "peer a { asn 2; country VN; port p0; vlan 11; "
		   "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	load(&c);
	assert_memory_not_equal(a.sha256, c.sha256, 32);
	ctl_config_free(&c);
	setup(NULL);
	load(&c);
	assert_memory_equal(a.sha256, c.sha256, 32);
	ctl_config_free(&a);
	ctl_config_free(&b);
	ctl_config_free(&c);
}

static void
test_world_writable_refused(void **state)
{
	char p[PATH_MAX + 64], err[PATH_MAX + 200];

	(void)state;
	snprintf(p, sizeof(p), "%s/root.conf", dir);
	assert_int_equal(ctl_config_perms(p, err, sizeof(err)), 0);
	assert_int_equal(chmod(p, 0666), 0);
	assert_int_equal(ctl_config_perms(p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "world-writable"));
	assert_int_equal(chmod(p, 0644), 0);
	/* The directory counts too. */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(ctl_config_perms(p, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(dir, 0700), 0);
}

static void
test_errors_summarised(void **state)
{
	struct ctl_config c = {0};
	char p[PATH_MAX + 64], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	write_file("bad.conf",
		   "node { name t; countri SG; }\nport p0 { devic \"x\"; }\n");
	snprintf(p, sizeof(p), "%s/bad.conf", dir);
	assert_int_equal(ctl_config_load(p, NULL, &c, f), -1);
	fclose(f);
	assert_false(c.valid);
	assert_non_null(strstr(buf, "bad.conf:1:16: error: "));
	assert_non_null(strstr(buf, "bad.conf:2:11: error: "));
	assert_non_null(strstr(buf, "errors; configuration NOT loaded"));
	free(buf);
}

static void
test_audit_line(void **state)
{
	struct ctl_diff d;
	uint8_t sha[32];
	struct ctl_audit_rec r = {
		.time = 86400,
		.who = 1000,
		.action = "reload",
		.sha256 = sha,
		.generation = 7,
		.result = CTL_RES_REFUSED,
		.error = "a.conf:1:2: error: bad \"x\"",
		.diff = &d,
		.build_ms = 1.5,
		.publish_ms = 0.25,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	memset(sha, 0xab, sizeof(sha));
	memset(&d, 0, sizeof(d));
	d.t[IXG_TBL_PEERS].added = 1;
	ctl_audit_format(&r, f);
	r.who = CTL_WHO_SIGNAL;
	r.result = CTL_RES_OK;
	r.error = NULL;
	r.diff = NULL;
	ctl_audit_format(&r, f);
	fclose(f);
	assert_string_equal(buf,
			    "{\"time\": \"1970-01-02T00:00:00Z\", \"uid\": "
			    "1000, \"action\": \"reload\", "
			    "\"sha256\": "
			    "\"abababababababababababababababababababababababab"
			    "abababababababab\", "
			    "\"generation\": 7, \"result\": \"refused\", "
			    "\"error\": \"a.conf:1:2: error: bad \\\"x\\\"\", "
			    "\"diff\": {\"peers\": {\"added\": 1, \"removed\": "
			    "0, \"changed\": 0}}, "
			    "\"build_ms\": 1.500, \"publish_ms\": 0.250}\n"
			    "{\"time\": \"1970-01-02T00:00:00Z\", \"uid\": "
			    "\"signal\", \"action\": \"reload\", "
			    "\"sha256\": "
			    "\"abababababababababababababababababababababababab"
			    "abababababababab\", "
			    "\"generation\": 7, \"result\": \"ok\", "
			    "\"build_ms\": 1.500, \"publish_ms\": 0.250}\n");
	free(buf);
}

/* CLI request framing: argv out of a well-formed message; anything else
 * (short, wrong magic, length, missing NUL, trailing bytes) refused. */
static void
test_parse_request(void **state)
{
	char buf[128], *argv[CTL_MAX_ARGS + 1];
	struct ctl_req_hdr h = {.magic = CTL_MAGIC,
				.version = 1,
				.argc = 2,
				.flags = CTL_F_JSON};
	size_t len = sizeof(h);
	uint16_t flags;
	int argc;

	(void)state;
	memcpy(buf + len, "show\0peers", 11);
	len += 11;
	h.len = (uint32_t)len;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(ctl_parse_request(buf, len, &argc, argv, &flags), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[0], "show");
	assert_string_equal(argv[1], "peers");
	assert_null(argv[2]);
	assert_int_equal(flags, CTL_F_JSON);
	assert_int_equal(ctl_parse_request(buf, 8, &argc, argv, &flags),
			 -EBADMSG);
	assert_int_equal(ctl_parse_request(buf, len - 1, &argc, argv, &flags),
			 -EBADMSG);
	h.len = (uint32_t)len + 1;
	memcpy(buf, &h, sizeof(h));
	buf[len] = 'x';
	assert_int_equal(ctl_parse_request(buf, len + 1, &argc, argv, &flags),
			 -EBADMSG);
	h.len = (uint32_t)len;
	h.magic = 0;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(ctl_parse_request(buf, len, &argc, argv, &flags),
			 -EBADMSG);
	h.magic = CTL_MAGIC;
	h.argc = 3;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(ctl_parse_request(buf, len, &argc, argv, &flags),
			 -EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha_covers_includes),
		cmocka_unit_test(test_world_writable_refused),
		cmocka_unit_test(test_errors_summarised),
		cmocka_unit_test(test_audit_line),
		cmocka_unit_test(test_parse_request),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
