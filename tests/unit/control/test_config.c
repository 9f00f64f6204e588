/* SPDX-License-Identifier: BSD-3-Clause */
/* ixgate-control's config loading: SHA-256 over every file read (an edit
 * in an included file changes it), the world-writable refusal, errors
 * reported with the summary line, the files compared with a loaded config,
 * the copy of a config's files, the confinement of a path, the ids copy;
 * the audit log's JSON line and its writer (attempt records on disk,
 * whole or absent: a short write is cut back off); the CLI request
 * framing and the JSON of a change command's answer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_test_util.h"

#include "ctl_proto.h"
#include "ctld.h"
#include "ixg_conf.h"
#include "ixg_wire.h"

static int
setup(void **state)
{
	(void)state;
	if (ctu_mkdir("config") < 0)
		return -1;
	ctu_write("root.conf", "node { name t; country SG; }\n"
			       "port p0 { device \"net_null0\"; }\n"
			       "include \"peer.conf\";\n");
	ctu_write("peer.conf",
		  "peer a { asn 1; country VN; port p0; vlan 11; "
		  "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return ctu_rmdir();
}

static void
load(struct ctl_config *c)
{
	char p[PATH_MAX + 64];

	ctu_path(p, sizeof(p), "root.conf");
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
	ctu_write("peer.conf",
		  "peer a { asn 2; country VN; port p0; vlan 11; "
		  "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	load(&c);
	assert_memory_not_equal(a.sha256, c.sha256, 32);
	ctl_config_free(&c);
	ctu_write("peer.conf",
		  "peer a { asn 1; country VN; port p0; vlan 11; "
		  "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
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
	ctu_path(p, sizeof(p), "root.conf");
	assert_int_equal(ctl_config_perms(p, err, sizeof(err)), 0);
	assert_int_equal(chmod(p, 0666), 0);
	assert_int_equal(ctl_config_perms(p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "world-writable"));
	assert_int_equal(chmod(p, 0644), 0);
	/* The directory counts too. */
	assert_int_equal(chmod(ctu_dir, 0777), 0);
	assert_int_equal(ctl_config_perms(p, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(ctu_dir, 0700), 0);
}

static void
test_errors_summarised(void **state)
{
	struct ctl_config c = {0};
	char p[PATH_MAX + 64], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	ctu_write("bad.conf",
		  "node { name t; countri SG; }\nport p0 { devic \"x\"; }\n");
	ctu_path(p, sizeof(p), "bad.conf");
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

/* Version 2 requests (keep-alives understood) parse too; 3 does not. */
static void
test_parse_request_versions(void **state)
{
	char buf[64], *argv[CTL_MAX_ARGS + 1];
	struct ctl_req_hdr h = {.magic = CTL_MAGIC, .version = 2, .argc = 1};
	size_t len = sizeof(h) + 7;
	uint16_t flags;
	int argc;

	(void)state;
	h.len = (uint32_t)len;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), "status", 7);
	assert_int_equal(ctl_parse_request(buf, len, &argc, argv, &flags), 0);
	assert_string_equal(argv[0], "status");
	h.version = 3;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(ctl_parse_request(buf, len, &argc, argv, &flags),
			 -EBADMSG);
}

/* A change command's answer as JSON: ok with the text, or the first
 * "file:line:col: error: " split into error and where. */
static void
test_text_to_json(void **state)
{
	static const char err[] = "a.conf:3:4: error: bad \"x\"\n    x\n"
				  "reload refused\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	ctl_text_to_json("done\n", 5, 0, f);
	ctl_text_to_json(err, sizeof(err) - 1, 1, f);
	ctl_text_to_json("no where\n", 9, 1, f);
	fclose(f);
	assert_string_equal(
		buf,
		"{\"ok\": true, \"message\": \"done\\n\"}\n"
		"{\"error\": \"bad \\\"x\\\"\", \"where\": \"a.conf:3:4\", "
		"\"message\": \"a.conf:3:4: error: bad \\\"x\\\"\\n    x\\n"
		"reload refused\\n\"}\n"
		"{\"error\": \"no where\", \"message\": \"no where\\n\"}\n");
	free(buf);
}

/* The ids a task-thread compile keeps: equal arrays, separate memory. */
static void
test_ids_copy(void **state)
{
	struct ctl_config c;
	struct ixg_spec ids, again;
	struct ixg_diags *d = ixg_diags_new();

	(void)state;
	load(&c);
	assert_int_equal(ctl_spec_ids_copy(&c.spec, &ids), 0);
	assert_int_equal(ids.n_peers, c.spec.n_peers);
	assert_int_equal(ids.n_ports, c.spec.n_ports);
	assert_ptr_not_equal(ids.peers, c.spec.peers);
	assert_memory_equal(ids.peers, c.spec.peers,
			    c.spec.n_peers * sizeof(*ids.peers));
	/* Compiling with the copy gives the same ids. */
	memset(&again, 0, sizeof(again));
	assert_int_equal(ixg_conf_compile_prev(c.conf, &ids, &again, d), 0);
	assert_int_equal(again.peers[0].id, c.spec.peers[0].id);
	ixg_spec_free(&again);
	ixg_ids_free(&ids);
	ixg_diags_free(d);
	ctl_config_free(&c);
}

/* Only what resolves inside the directory (symlinks and ../ followed). */
static void
test_path_inside(void **state)
{
	char p[PATH_MAX + 64], r[PATH_MAX];

	(void)state;
	ctu_path(p, sizeof(p), "peer.conf");
	assert_int_equal(ctl_path_inside(ctu_dir, p, r), 0);
	ctu_path(p, sizeof(p), "../../etc/passwd");
	assert_int_equal(ctl_path_inside(ctu_dir, p, r), -EPERM);
	assert_string_equal(r, "/etc/passwd");
	ctu_path(p, sizeof(p), "link.conf");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(ctl_path_inside(ctu_dir, p, r), -EPERM);
	unlink(p);
	ctu_path(p, sizeof(p), "missing.conf");
	assert_int_equal(ctl_path_inside(ctu_dir, p, r), -ENOENT);
}

/* The files against a loaded config: a touch without change matches, an
 * edit differs, a file added beside them is seen by a full load only. */
static void
test_files_compare(void **state)
{
	struct ctl_files_snapshot s;
	struct ctl_config c;
	char note[512], p[PATH_MAX + 64];

	(void)state;
	load(&c);
	ctu_path(p, sizeof(p), "root.conf");
	assert_int_equal(ctl_files_snapshot(&c, p, &s), 0);
	assert_int_equal(ctl_files_compare(&s, false, note, sizeof(note)),
			 CTL_FILES_MATCH);
	/* Rewritten with the same bytes: other times, same content. */
	usleep(20000);
	ctu_write("peer.conf",
		  "peer a { asn 1; country VN; port p0; vlan 11; "
		  "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	assert_int_equal(ctl_files_compare(&s, false, note, sizeof(note)),
			 CTL_FILES_MATCH);
	ctu_write("peer.conf",
		  "peer a { asn 1; country VN; port p0; vlan 12; "
		  "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	assert_int_equal(ctl_files_compare(&s, false, note, sizeof(note)),
			 CTL_FILES_DIFFER);
	assert_non_null(strstr(note, "peer.conf changed"));
	ctu_write("peer.conf",
		  "peer a { asn 1; country VN; port p0; vlan 11; "
		  "mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; } }\n");
	ctl_files_snapshot_free(&s);
	ctl_config_free(&c);

	/* The directory changed: unknown, then a full load decides. */
	load(&c);
	assert_int_equal(ctl_files_snapshot(&c, p, &s), 0);
	usleep(20000);
	ctu_write("unrelated.txt", "x\n");
	assert_int_equal(ctl_files_compare(&s, false, note, sizeof(note)),
			 CTL_FILES_UNKNOWN);
	assert_int_equal(ctl_files_compare(&s, true, note, sizeof(note)),
			 CTL_FILES_MATCH);
	ctl_files_snapshot_free(&s);
	ctl_config_free(&c);
}

/* The copy of a config's files: relative layout, SHA256SUMS. */
static void
test_copy_files(void **state)
{
	struct ctl_config c;
	char p[PATH_MAX + 128], dst[PATH_MAX + 64], err[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	load(&c);
	ctu_path(p, sizeof(p), "root.conf");
	ctu_path(dst, sizeof(dst), "state/rolled-back/generation-7");
	assert_int_equal(ctl_config_copy_files(&c, p, dst, err, sizeof(err)),
			 0);
	snprintf(p, sizeof(p), "%s/peer.conf", dst);
	f = fopen(p, "r");
	assert_non_null(f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/SHA256SUMS", dst);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_true(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(buf, "  root.conf\n"));
	assert_non_null(strstr(buf, "  peer.conf\n"));
	assert_null(strstr(buf, "changed since"));
	free(buf);
	ctl_config_free(&c);
}

/* ---- the audit writer, on a loop ---- */

struct wrote {
	int err[8];
	int n;
};

static void
on_wrote(void *arg, int err)
{
	struct wrote *w = arg;

	w->err[w->n++] = err;
}

static void
stop_soon(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(L);
}

/* Run the loop until n records are done (bounded). */
static void
run_until(struct loop *L, struct wrote *w, int n)
{
	for (int i = 0; i < 50 && w->n < n; i++) {
		loop_timer_add(L, 20, 0, stop_soon, NULL);
		assert_int_equal(loop_run(L), 0);
	}
	assert_int_equal(w->n, n);
}

/*
 * Records in order, each one line; the callback never inside audit_append;
 * a record larger than what the file may still grow by (RLIMIT_FSIZE: the
 * kernel writes a part of it and stops) is cut back off: the log keeps
 * whole lines only, and the next record, with room again, follows them.
 */
static void
test_audit_writer(void **state)
{
	struct loop *L = loop_new(64);
	struct ctl_audit_rec r = {.time = 1,
				  .who = 0,
				  .action = "reload",
				  .result = CTL_RES_ATTEMPT};
	char p[PATH_MAX + 64], err[PATH_MAX + 128], *buf = NULL;
	struct rlimit old, lim;
	struct wrote w = {0};
	struct audit *a;
	struct stat sb;
	size_t len = 0;
	FILE *f;

	(void)state;
	if (L == NULL)
		skip();
	ctu_path(p, sizeof(p), "audit.log");
	a = audit_open(L, p, err, sizeof(err));
	assert_non_null(a);
	assert_int_equal(audit_append(a, &r, on_wrote, &w), 0);
	assert_int_equal(w.n, 0);
	r.result = CTL_RES_OK;
	r.generation = 1;
	assert_int_equal(audit_append(a, &r, on_wrote, &w), 0);
	run_until(L, &w, 2);
	assert_int_equal(w.err[0], 0);
	assert_int_equal(w.err[1], 0);
	assert_true(audit_idle(a));
	assert_int_equal(stat(p, &sb), 0);

	/* Room for 10 more bytes only. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size + 10;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r.error = "refused on purpose";
	assert_int_equal(audit_append(a, &r, on_wrote, &w), 0);
	run_until(L, &w, 3);
	assert_true(w.err[2] < 0);
	assert_int_not_equal(audit_last_error(a)[0], '\0');
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(stat(p, &sb), 0);
	r.error = NULL;
	r.generation = 2;
	assert_int_equal(audit_append(a, &r, on_wrote, &w), 0);
	run_until(L, &w, 4);
	assert_int_equal(w.err[3], 0);
	assert_string_equal(audit_last_error(a), "");

	f = fopen(p, "r");
	assert_non_null(f);
	assert_true(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	/* Three whole lines: attempt, ok 1, ok 2; nothing of the refused. */
	assert_null(strstr(buf, "refused on purpose"));
	{
		int lines = 0;

		for (char *q = buf; *q != '\0'; q++)
			lines += *q == '\n';
		assert_int_equal(lines, 3);
	}
	assert_non_null(strstr(buf, "\"result\": \"attempt\""));
	assert_non_null(strstr(buf, "\"generation\": 2, \"result\": \"ok\""));
	free(buf);

	/* Reopen: the next record goes to the new file. */
	snprintf(err, sizeof(err), "%s.1", p);
	assert_int_equal(rename(p, err), 0);
	assert_int_equal(audit_reopen(a, err, sizeof(err)), 0);
	assert_int_equal(audit_append(a, &r, on_wrote, &w), 0);
	run_until(L, &w, 5);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_size > 0);
	audit_close(a);
	loop_free(L);
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
		cmocka_unit_test(test_parse_request_versions),
		cmocka_unit_test(test_text_to_json),
		cmocka_unit_test(test_ids_copy),
		cmocka_unit_test(test_path_inside),
		cmocka_unit_test(test_files_compare),
		cmocka_unit_test(test_copy_files),
		cmocka_unit_test(test_audit_writer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
