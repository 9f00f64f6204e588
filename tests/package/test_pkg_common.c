/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the two helpers every program shares: --version
 * (common/ixg_version.c) and the log line prefix for the journal or a
 * terminal (common/ixg_log.c).
 */
#include <fcntl.h>
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

#include "ixg_log.h"
#include "ixg_version.h"

/* ---- --version ------------------------------------------------------- */

static void
version_requested(void **state)
{
	char *none[] = {"ixgatectl", "show", "peers", NULL};
	char *first[] = {"ixgatectl", "--version", NULL};
	char *later[] = {"ixgate-dataplane", "-l", "0,1", "--",
			 "--version",	     NULL};
	char *prefix[] = {"x", "--versions", "-version", "--v", NULL};

	(void)state;
	assert_false(ixg_version_requested(3, none));
	assert_true(ixg_version_requested(2, first));
	assert_true(ixg_version_requested(5, later));
	assert_false(ixg_version_requested(4, prefix));
	assert_false(ixg_version_requested(1, first));
}

static void
version_print(void **state)
{
	char want[256], got[256] = "";
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(ixg_version_print("ixgate-conf", f), 0);
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	snprintf(want, sizeof(want), "ixgate-conf %s (git %s)\n", ixg_version(),
		 ixg_version_git());
	assert_string_equal(got, want);
	assert_string_equal(ixg_version(), IXG_TEST_VERSION);
	assert_true(strlen(ixg_version_git()) > 0);
}

/* A --version whose output cannot be written fails (exit 1). */
static void
version_print_fails(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL)
		skip();
	assert_int_equal(ixg_version_print("ixgatectl", f), 1);
	fclose(f);
}

/* ---- log prefixes ---------------------------------------------------- */

static char tmpl[] = "/tmp/ixg-test-log.XXXXXX";
static int logfd = -1;

static int
log_setup(void **state)
{
	(void)state;
	strcpy(tmpl, "/tmp/ixg-test-log.XXXXXX");
	logfd = mkstemp(tmpl);
	if (logfd < 0)
		return -1;
	unlink(tmpl);
	unsetenv("JOURNAL_STREAM");
	return 0;
}

static int
log_teardown(void **state)
{
	(void)state;
	close(logfd);
	unsetenv("JOURNAL_STREAM");
	return 0;
}

/* JOURNAL_STREAM=DEV:INODE of fd, as systemd sets it. */
static void
set_journal(int fd)
{
	char v[64];
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(v, sizeof(v), "%ju:%ju", (uintmax_t)st.st_dev,
		 (uintmax_t)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
}

static void
journal_detection(void **state)
{
	struct stat st;
	char v[64];
	int other = open("/dev/null", O_WRONLY);

	(void)state;
	assert_false(ixg_log_fd_is_journal(logfd));
	set_journal(logfd);
	assert_true(ixg_log_fd_is_journal(logfd));
	/* Another file is not the journal stream. */
	assert_true(other >= 0);
	assert_false(ixg_log_fd_is_journal(other));
	close(other);
	/* Same device, another inode. */
	assert_int_equal(fstat(logfd, &st), 0);
	snprintf(v, sizeof(v), "%ju:%ju", (uintmax_t)st.st_dev,
		 (uintmax_t)st.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	assert_false(ixg_log_fd_is_journal(logfd));
}

static void
journal_detection_garbage(void **state)
{
	static const char *const bad[] = {"",	 "1",	  "1:",	  ":1",
					  "x:1", "1:2:3", "1:2x", "-1:-1"};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("JOURNAL_STREAM", bad[i], 1);
		assert_false(ixg_log_fd_is_journal(logfd));
	}
	/* A closed fd is not the journal either. */
	set_journal(logfd);
	assert_false(ixg_log_fd_is_journal(1000));
}

static void
prefix_terminal_utc(void **state)
{
	char buf[64];

	(void)state;
	/* UTC whatever the local zone. */
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	assert_int_equal(ixg_log_prefix(logfd, LOG_ERR, 0, buf, sizeof(buf)),
			 21);
	assert_string_equal(buf, "1970-01-01T00:00:00Z ");
	ixg_log_prefix(logfd, LOG_INFO, 1700000000, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20Z ");
	/* Too small: nothing, still a string. */
	assert_int_equal(ixg_log_prefix(logfd, LOG_INFO, 0, buf, 10), 0);
	assert_string_equal(buf, "");
	assert_int_equal(ixg_log_prefix(logfd, LOG_INFO, 0, buf, 21), 0);
	assert_string_equal(buf, "");
	assert_int_equal(ixg_log_prefix(logfd, LOG_INFO, 0, buf, 22), 21);
	/* The time alone, the same form. */
	assert_int_equal(ixg_log_time(951782400, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(ixg_log_time(0, buf, 20), 0);
	assert_string_equal(buf, "");
	unsetenv("TZ");
	tzset();
}

static void
prefix_journal_priority(void **state)
{
	char buf[64];

	(void)state;
	set_journal(logfd);
	assert_int_equal(ixg_log_prefix(logfd, LOG_ERR, 0, buf, sizeof(buf)),
			 3);
	assert_string_equal(buf, "<3>");
	ixg_log_prefix(logfd, LOG_INFO, 0, buf, sizeof(buf));
	assert_string_equal(buf, "<6>");
	/* Clamped to the syslog range. */
	ixg_log_prefix(logfd, 99, 0, buf, sizeof(buf));
	assert_string_equal(buf, "<7>");
	ixg_log_prefix(logfd, -5, 0, buf, sizeof(buf));
	assert_string_equal(buf, "<0>");
	assert_int_equal(ixg_log_prefix(logfd, LOG_ERR, 0, buf, 3), 0);
}

/* Run fn with stderr on the test's file; return what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
	static char out[8192];
	int saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_true(saved >= 0);
	assert_int_equal(ftruncate(logfd, 0), 0);
	assert_int_equal(lseek(logfd, 0, SEEK_SET), 0);
	assert_true(dup2(logfd, STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = pread(logfd, out, sizeof(out) - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	return out;
}

static void
log_two_lines(void)
{
	ixg_log(LOG_WARNING, "peer %s: %d", "viettel", 7);
	ixg_log(LOG_ERR, "second");
}

static void
log_line_journal(void **state)
{
	(void)state;
	set_journal(logfd);
	assert_string_equal(capture_stderr(log_two_lines),
			    "<4>peer viettel: 7\n<3>second\n");
}

static void
log_line_terminal(void **state)
{
	const char *out;

	(void)state;
	out = capture_stderr(log_two_lines);
	/* "YYYY-MM-DDTHH:MM:SSZ peer viettel: 7\n" twice over. */
	assert_int_equal(strlen(out), 21 + 16 + 21 + 7);
	assert_int_equal(out[4], '-');
	assert_int_equal(out[10], 'T');
	assert_int_equal(out[19], 'Z');
	assert_string_equal(out + 21 + 16 + 21, "second\n");
	assert_memory_equal(out + 21, "peer viettel: 7\n", 16);
}

/* A long message stays one line. */
static void
log_long(void)
{
	char big[10000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ixg_log(LOG_INFO, "%s", big);
}

static void
log_line_truncated(void **state)
{
	const char *out;

	(void)state;
	set_journal(logfd);
	out = capture_stderr(log_long);
	assert_int_equal(strlen(out), 4095);
	assert_memory_equal(out, "<6>aaa", 6);
	assert_ptr_equal(strchr(out, '\n'), out + 4094);
}

static int cur_level;

static int
lib_level(void)
{
	return cur_level;
}

static FILE *lib_stream;

/* What DPDK's rte_vlog does: vfprintf the message, then fflush. */
static void
lib_logs(void)
{
	cur_level = 5; /* RTE_LOG_WARNING: syslog's LOG_WARNING + 1 */
	fprintf(lib_stream, "EAL: %s\nEAL: b", "a");
	fflush(lib_stream);
	fprintf(lib_stream, "c\n");
	cur_level = 4; /* RTE_LOG_ERR */
	fprintf(lib_stream, "EAL: failed\n");
	cur_level = 20;
	fprintf(lib_stream, "debug\n");
	fflush(lib_stream);
}

static void
library_stream(void **state)
{
	(void)state;
	/* Not the journal: keep the library's default. */
	assert_null(ixg_log_journal_stream(lib_level, -1));
	/* The journal is stderr, which capture_stderr makes logfd. */
	set_journal(logfd);
	assert_null(ixg_log_journal_stream(NULL, -1));
	{
		int saved = dup(STDERR_FILENO);

		dup2(logfd, STDERR_FILENO);
		lib_stream = ixg_log_journal_stream(lib_level, -1);
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	assert_non_null(lib_stream);
	assert_string_equal(
		capture_stderr(lib_logs),
		"<4>EAL: a\n<4>EAL: bc\n<3>EAL: failed\n<7>debug\n");
	fclose(lib_stream);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_requested),
		cmocka_unit_test(version_print),
		cmocka_unit_test(version_print_fails),
		cmocka_unit_test_setup_teardown(journal_detection, log_setup,
						log_teardown),
		cmocka_unit_test_setup_teardown(journal_detection_garbage,
						log_setup, log_teardown),
		cmocka_unit_test_setup_teardown(prefix_terminal_utc, log_setup,
						log_teardown),
		cmocka_unit_test_setup_teardown(prefix_journal_priority,
						log_setup, log_teardown),
		cmocka_unit_test_setup_teardown(log_line_journal, log_setup,
						log_teardown),
		cmocka_unit_test_setup_teardown(log_line_terminal, log_setup,
						log_teardown),
		cmocka_unit_test_setup_teardown(log_line_truncated, log_setup,
						log_teardown),
		cmocka_unit_test_setup_teardown(library_stream, log_setup,
						log_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
