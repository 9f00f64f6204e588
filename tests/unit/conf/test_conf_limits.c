/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading config can neither block nor exhaust the process (issue 13 items
 * 2, 3, 5 and 12): FIFOs, devices, sockets and directories named anywhere
 * are refused where they are named; an include fan-out stops at the file
 * limit; a huge sparse file is refused by its size; a prefix file past the
 * route capacity is not read past it; lines, deadline, root directory and
 * the no-quote switch; include "DIR"; a UTF-8 byte-order mark.
 *
 * Every test runs in its own temporary directory. A test that would hang
 * without the fix is bounded by meson's test timeout, never by a clock
 * assertion.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_impl.h"

static char dir[PATH_MAX];
static char cwd[PATH_MAX];

static int
setup(void **state)
{
	(void)state;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/ixg-conf-limits-XXXXXX");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	if (chdir(cwd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	va_list ap;

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

#define HEAD                                                                   \
	"node { name n; country SG; }\n"                                       \
	"port p0 { device \"net_null0\"; }\n"

/* The diagnostics of a parse + compile of path under opts (NULL: the
 * defaults), as one string; *ok says whether it loaded. */
static char *
load(const char *path, const struct ixg_conf_opts *o, int *ok)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_file_opts(path, o, d);
	struct ixg_spec s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	*ok = 0;
	if (c != NULL && ixg_conf_compile(c, &s, d) == 0) {
		*ok = 1;
		ixg_spec_free(&s);
	}
	f = open_memstream(&buf, &len);
	ixg_diags_print(d, f);
	fclose(f);
	ixg_conf_free(c);
	ixg_diags_free(d);
	return buf;
}

/* Expect the load to fail with `want` among its diagnostics. */
static void
refused(const char *path, const struct ixg_conf_opts *o, const char *want)
{
	int ok;
	char *msgs = load(path, o, &ok);

	if (ok || strstr(msgs, want) == NULL)
		fprintf(stderr, "want: %s\ngot:\n%s", want, msgs);
	assert_false(ok);
	assert_non_null(strstr(msgs, want));
	free(msgs);
}

static void
loads(const char *path, const struct ixg_conf_opts *o)
{
	int ok;
	char *msgs = load(path, o, &ok);

	if (!ok)
		fprintf(stderr, "%s", msgs);
	assert_true(ok);
	free(msgs);
}

/* A FIFO (no writer: open would block without O_NONBLOCK, read would
 * block forever) named by every kind of statement, and as the root. */
static void
test_fifo_everywhere(void **state)
{
	(void)state;
	assert_int_equal(mkfifo("fifo", 0600), 0);
	assert_int_equal(mkdir("d", 0700), 0);
	assert_int_equal(mkfifo("d/x.conf", 0600), 0);

	refused("fifo", NULL,
		"fifo: error: cannot read: a FIFO is not a "
		"regular file");

	put("inc.conf", HEAD "include \"fifo\";\n");
	refused("inc.conf", NULL,
		"inc.conf:3:9: error: cannot read \"fifo\": a FIFO is not a "
		"regular file");

	put("glob.conf", HEAD "include \"d/*.conf\";\n");
	refused("glob.conf", NULL,
		"glob.conf:3:9: error: cannot read \"d/x.conf\": a FIFO is not "
		"a regular file");

	put("ann.conf", HEAD "peer a { asn 1; port p0; mac "
			     "02:00:00:00:00:01;\n"
			     "\tannounce-file \"fifo\";\n}\n");
	refused("ann.conf", NULL,
		"ann.conf:4:16: error: cannot read \"fifo\": a FIFO is not a "
		"regular file");

	put("allow.conf", HEAD "peer a { asn 1; port p0; mac "
			       "02:00:00:00:00:01;\n"
			       "\tallow-source-file \"fifo\";\n}\n");
	refused("allow.conf", NULL,
		"allow.conf:4:20: error: cannot read \"fifo\": a FIFO is not "
		"a regular file");

	put("cc.conf", HEAD "country-data \"fifo\" format ip-location-db;\n");
	refused("cc.conf", NULL,
		"cc.conf:3:1: error: cannot read \"fifo\": a FIFO is not a "
		"regular file");
}

/* A character device, a socket and a directory where a file is wanted. */
static void
test_not_regular(void **state)
{
	struct sockaddr_un sa;
	int s;

	(void)state;
	put("dev.conf", HEAD "country-data \"/dev/zero\" format "
			     "rir-delegated;\n");
	refused("dev.conf", NULL,
		"dev.conf:3:1: error: cannot read \"/dev/zero\": a character "
		"device is not a regular file");

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	put("sock.conf", HEAD "include \"sock\";\n");
	refused("sock.conf", NULL,
		"sock.conf:3:9: error: cannot read \"sock\": a socket is not a "
		"regular file");
	close(s);

	assert_int_equal(mkdir("adir", 0700), 0);
	put("dir.conf", HEAD "peer a { asn 1; port p0; mac "
			     "02:00:00:00:00:01;\n"
			     "\tannounce-file \"adir\";\n}\n");
	refused("dir.conf", NULL,
		"dir.conf:4:16: error: cannot read \"adir\": Is a directory");
}

/* 16 includes per level, 16 levels, no loop: 16^16 inclusions without
 * the file limit. The load stops at the limit, once, at the include
 * statement that would pass it. */
static void
test_include_fanout(void **state)
{
	char name[64], body[2048];
	int lvl, i, ok;
	size_t n;
	char *msgs, *p;
	unsigned count = 0;

	(void)state;
	for (lvl = 0; lvl < 16; lvl++) {
		for (i = 0; i < 16; i++) {
			n = 0;
			body[0] = '\0';
			if (lvl < 15)
				for (int j = 0; j < 16; j++)
					n += (size_t)snprintf(
						body + n, sizeof(body) - n,
						"include "
						"\"l%02d-%02d.conf\";\n",
						lvl + 1, j);
			snprintf(name, sizeof(name), "l%02d-%02d.conf", lvl, i);
			put(name, "%s", body);
		}
	}
	put("fan.conf", HEAD "include \"l00-00.conf\";\n");
	msgs = load("fan.conf", NULL, &ok);
	assert_false(ok);
	assert_non_null(strstr(msgs, "more than 16384 files in one load (the "
				     "limit); not reading further"));
	for (p = msgs; (p = strstr(p, ": error: ")) != NULL; p++)
		count++;
	assert_int_equal(count, 1);
	free(msgs);
}

/* A 2 GiB file (sparse: no disk used) is refused by its size before a byte
 * of it is read, whether it is the root, an include or a data file. */
static void
test_huge_sparse(void **state)
{
	int fd;

	(void)state;
	fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 2ll << 30), 0);
	close(fd);
	refused("big", NULL,
		"big: error: cannot read: 2147483648 bytes, more than the "
		"268435456 left of this load's limit (268435456 bytes)");
	put("inc.conf", HEAD "include \"big\";\n");
	refused("inc.conf", NULL,
		"inc.conf:3:9: error: cannot read \"big\": 2147483648 bytes");
	put("ann.conf", HEAD "peer a { asn 1; port p0; mac "
			     "02:00:00:00:00:01; announce-file \"big\"; }\n");
	refused("ann.conf", NULL,
		"ann.conf:3:63: error: cannot read \"big\": 2147483648 bytes");
}

/* A prefix file past the IPv4 route capacity: reading stops at the first
 * prefix past it (the garbage on the last line is never read). */
static void
test_capacity_stops_reading(void **state)
{
	FILE *f = fopen("many.txt", "w");
	uint32_t i, n = IXG_MAX_ROUTES4 + 1000;
	char want[160];
	int ok;
	char *msgs;

	(void)state;
	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%u.%u.%u.0/24\n", 1 + (i >> 16), (i >> 8) & 255,
			i & 255);
	fputs("this line is never read\n", f);
	assert_int_equal(fclose(f), 0);
	put("cap.conf", HEAD "peer a { asn 1; port p0; mac "
			     "02:00:00:00:00:01; announce-file "
			     "\"many.txt\"; }\n");
	msgs = load("cap.conf", NULL, &ok);
	assert_false(ok);
	snprintf(want, sizeof(want),
		 "many.txt:%u:1: error: more than %u IPv4 routes (the "
		 "capacity), counting repeats; not reading further",
		 IXG_MAX_ROUTES4 + 1, IXG_MAX_ROUTES4);
	if (strstr(msgs, want) == NULL)
		fprintf(stderr, "%s", msgs);
	assert_non_null(strstr(msgs, want));
	assert_null(strstr(msgs, "never read"));
	free(msgs);
}

/* Lines per file, for config files and data files. */
static void
test_line_limit(void **state)
{
	struct ixg_conf_opts o;
	FILE *f;
	int i;

	(void)state;
	ixg_conf_opts_init(&o);
	o.max_lines = 100;
	f = fopen("long.conf", "w");
	assert_non_null(f);
	fputs(HEAD, f);
	for (i = 0; i < 200; i++)
		fputs("# a comment\n", f);
	fclose(f);
	refused("long.conf", &o,
		"long.conf: error: cannot read: 202 lines, more than the limit "
		"of 100 lines per file");
	f = fopen("p.txt", "w");
	assert_non_null(f);
	for (i = 0; i < 200; i++)
		fprintf(f, "10.%d.0.0/16\n", i);
	fclose(f);
	put("lp.conf", HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01; "
			    "announce-file \"p.txt\"; }\n");
	refused("lp.conf", &o,
		"p.txt:101:1: error: more than 100 lines (the limit per file); "
		"not reading further");
	loads("lp.conf", NULL);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A deadline in the past stops the parse, and the compile. */
static void
test_deadline(void **state)
{
	struct ixg_conf_opts o;
	struct ixg_diags *d;
	struct ixg_conf *c;
	struct ixg_spec s;
	FILE *f;
	int i;

	(void)state;
	ixg_conf_opts_init(&o);
	o.deadline_ns = now_ns();
	f = fopen("big.conf", "w");
	assert_non_null(f);
	fputs(HEAD, f);
	for (i = 0; i < 5000; i++)
		fprintf(f, "blackhole 10.%d.%d.0/24;\n", i >> 8, i & 255);
	fclose(f);
	refused("big.conf", &o, "the load's deadline passed");

	/* Inside a file: the parser looks at the clock every 4096 tokens. */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		char *msgs = NULL;
		size_t mlen = 0;
		FILE *mf;

		assert_non_null(m);
		fputs(HEAD, m);
		for (i = 0; i < 5000; i++)
			fprintf(m, "blackhole 10.%d.%d.0/24;\n", i >> 8,
				i & 255);
		fclose(m);
		d = ixg_diags_new();
		assert_null(
			ixg_conf_parse_string_opts("s.conf", text, len, &o, d));
		assert_int_equal(ixg_diags_errors(d), 1);
		mf = open_memstream(&msgs, &mlen);
		ixg_diags_print(d, mf);
		fclose(mf);
		assert_non_null(strstr(msgs, "error: the load's deadline "
					     "passed; stopped here"));
		free(msgs);
		free(text);
		ixg_diags_free(d);
	}

	/* The compile of a config parsed in time. */
	put("p.txt", "10.0.0.0/8\n");
	put("c.conf", HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01; "
			   "announce-file \"p.txt\"; }\n");
	d = ixg_diags_new();
	c = ixg_conf_parse_file("c.conf", d);
	assert_non_null(c);
	c->opts.deadline_ns = 1; /* long past */
	assert_int_equal(ixg_conf_compile(c, &s, d), -1);
	assert_int_equal(ixg_diags_errors(d), 1);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

/* With a root, nothing outside it is opened: not by name, not through
 * "..", not through a symbolic link; inside it, loading works. */
static void
test_root(void **state)
{
	struct ixg_conf_opts o;
	char root[PATH_MAX + 8];

	(void)state;
	assert_int_equal(mkdir("etc", 0700), 0);
	put("secret.txt", "10.0.0.0/8\n");
	put("etc/p.txt", "10.0.0.0/8\n");
	assert_int_equal(symlink("../secret.txt", "etc/link.txt"), 0);
	put("etc/ok.conf", HEAD "include \"part.conf\";\n");
	put("etc/part.conf", "peer a { asn 1; port p0; mac 02:00:00:00:00:01; "
			     "announce-file \"p.txt\"; }\n");
	put("etc/up.conf", HEAD "include \"../secret.txt\";\n");
	put("etc/abs.conf", HEAD "peer a { asn 1; port p0; mac "
				 "02:00:00:00:00:01; announce-file "
				 "\"/etc/passwd\"; }\n");
	put("etc/sym.conf", HEAD "peer a { asn 1; port p0; mac "
				 "02:00:00:00:00:01; announce-file "
				 "\"link.txt\"; }\n");
	snprintf(root, sizeof(root), "%s/etc", dir);
	ixg_conf_opts_init(&o);
	o.root = root;
	loads("etc/ok.conf", &o);
	refused("etc/up.conf", &o,
		"etc/up.conf:3:9: error: cannot open \"etc/../secret.txt\": "
		"outside the directory this load may read");
	refused("etc/abs.conf", &o,
		"etc/abs.conf:3:63: error: cannot read \"/etc/passwd\": "
		"outside the directory this load may read");
	refused("etc/sym.conf", &o,
		"etc/sym.conf:3:63: error: cannot read \"etc/link.txt\": "
		"outside the directory this load may read");
	refused("secret.txt", &o,
		"secret.txt: error: cannot read: outside the directory this "
		"load may read");
	/* Without a root, the symbolic link is followed. */
	loads("etc/sym.conf", NULL);
}

/* no_quote: positions stay, nothing read from a file is shown. */
static void
test_no_quote(void **state)
{
	struct ixg_conf_opts o;
	char *msgs;
	int ok;

	(void)state;
	put("secret.txt", "root:$y$j9T$hash:19000:0:99999:7:::\n");
	put("q.conf", HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01;\n"
			   "\tannounce-file \"secret.txt\";\n"
			   "\tmax-prefx 5;\n}\n");
	ixg_conf_opts_init(&o);
	o.no_quote = 1;
	msgs = load("q.conf", &o, &ok);
	assert_false(ok);
	assert_string_equal(msgs, "q.conf:5:2: error: unknown keyword '...'; "
				  "did you mean '...'?\n");
	free(msgs);
	put("q.conf", HEAD "peer a { asn 1; port p0; mac 02:00:00:00:00:01;\n"
			   "\tannounce-file \"secret.txt\";\n}\n");
	msgs = load("q.conf", &o, &ok);
	assert_false(ok);
	assert_string_equal(msgs, "secret.txt:1:1: error: ...\n");
	free(msgs);
	/* The same with quoting: the content is there. */
	msgs = load("q.conf", NULL, &ok);
	assert_non_null(strstr(msgs, "root:$y$j9T$hash"));
	free(msgs);
}

/* include "DIR" loads DIR's *.conf in name order, like "DIR/ *.conf"; a
 * directory without one is a warning. */
static void
test_include_dir(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	struct ixg_spec s;

	(void)state;
	assert_int_equal(mkdir("peers.d", 0700), 0);
	assert_int_equal(mkdir("empty.d", 0700), 0);
	put("peers.d/20-b.conf", "peer b { asn 2; port p0; mac "
				 "02:00:00:00:00:02; }\n");
	put("peers.d/10-a.conf", "peer a { asn 1; port p0; mac "
				 "02:00:00:00:00:01; }\n");
	put("peers.d/notes.txt", "not a config\n");
	put("dir.conf", HEAD "include \"peers.d\";\ninclude \"empty.d/\";\n");
	c = ixg_conf_parse_file("dir.conf", d);
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	assert_int_equal(s.n_peers, 2);
	assert_string_equal(s.peers[0].name, "a");
	assert_string_equal(s.peers[1].name, "b");
	assert_int_equal(ixg_diags_warnings(d), 1);
	ixg_spec_free(&s);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

/* A UTF-8 byte-order mark opening a config file or a data file is
 * skipped; columns on the first line count from after it. */
static void
test_bom(void **state)
{
	(void)state;
	put("p.txt", "\xef\xbb\xbf"
		     "10.0.0.0/8\n");
	put("bom.conf", "\xef\xbb\xbf" HEAD "peer a { asn 1; port p0; mac "
			"02:00:00:00:00:01; "
			"announce-file \"p.txt\"; }\n");
	loads("bom.conf", NULL);
	put("bad.conf", "\xef\xbb\xbfnod { }\n");
	refused("bad.conf", NULL,
		"bad.conf:1:1: error: unknown keyword 'nod'; did you mean "
		"'node'?\nnod { }\n^~~\n");
}

/* A file of nothing but errors is reported up to 1000, then stops. */
static void
test_error_cap(void **state)
{
	FILE *f = fopen("errs.conf", "w");
	struct ixg_diags *d = ixg_diags_new();
	int i;

	(void)state;
	assert_non_null(f);
	for (i = 0; i < 100000; i++)
		fputs("}\n", f);
	fclose(f);
	assert_null(ixg_conf_parse_file("errs.conf", d));
	assert_true(ixg_diags_errors(d) <= DIAG_MAX_ERRORS + 1);
	ixg_diags_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fifo_everywhere, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_include_fanout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_huge_sparse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_capacity_stops_reading,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_quote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_cap, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
