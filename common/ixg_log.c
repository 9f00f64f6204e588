/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_log.c - log line prefixes for the journal or a terminal (ixg_log.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ixg_log.h"

#define LINE_MAX_BYTES 4096

bool
ixg_log_fd_is_journal(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char *end;

	if (env == NULL || *env == '\0')
		return false;
	errno = 0;
	dev = strtoumax(env, &end, 10);
	if (errno != 0 || end == env || *end != ':')
		return false;
	env = end + 1;
	ino = strtoumax(env, &end, 10);
	if (errno != 0 || end == env || *end != '\0')
		return false;
	if (fstat(fd, &st) < 0)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

size_t
ixg_log_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	size_t n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n == 0)
		buf[0] = '\0';
	return n;
}

size_t
ixg_log_prefix(int fd, int prio, time_t now, char *buf, size_t len)
{
	int n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (prio < LOG_EMERG)
		prio = LOG_EMERG;
	if (prio > LOG_DEBUG)
		prio = LOG_DEBUG;
	if (ixg_log_fd_is_journal(fd)) {
		n = snprintf(buf, len, "<%d>", prio);
	} else {
		n = (int)ixg_log_time(now, buf, len);
		if (n == 0 || (size_t)n + 1 >= len) {
			buf[0] = '\0';
			return 0;
		}
		buf[n++] = ' ';
		buf[n] = '\0';
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* write(2) all of buf; a log line that cannot be written is dropped. */
static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void
ixg_log(int prio, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES];
	size_t n = ixg_log_prefix(STDERR_FILENO, prio, time(NULL), line,
				  sizeof(line));
	va_list ap;
	int m;

	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += (size_t)m;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2; /* truncated: still one line */
	line[n++] = '\n';
	write_all(STDERR_FILENO, line, n);
}

/* ---- the stream for a library's logger -------------------------------- */

struct jstream {
	int (*level)(void);
	int offset;
	size_t n; /* bytes of the current, unfinished line */
	char line[LINE_MAX_BYTES];
};

static void
jstream_flush_line(struct jstream *js)
{
	char pfx[8];
	int prio = js->level() + js->offset;
	int p;

	if (prio < LOG_EMERG)
		prio = LOG_EMERG;
	if (prio > LOG_DEBUG)
		prio = LOG_DEBUG;
	p = snprintf(pfx, sizeof(pfx), "<%d>", prio);
	/* One write per line: prefix and text together. */
	memmove(js->line + p, js->line, js->n);
	memcpy(js->line, pfx, (size_t)p);
	write_all(STDERR_FILENO, js->line, js->n + (size_t)p);
	js->n = 0;
}

static ssize_t
jstream_write(void *cookie, const char *buf, size_t size)
{
	struct jstream *js = cookie;
	size_t i;

	for (i = 0; i < size; i++) {
		/* Room for the prefix ("<7>") and the newline. */
		if (js->n >= sizeof(js->line) - 8) {
			js->line[js->n++] = '\n';
			jstream_flush_line(js);
		}
		js->line[js->n++] = buf[i];
		if (buf[i] == '\n')
			jstream_flush_line(js);
	}
	return (ssize_t)size;
}

/* fclose(3) of the stream: what is left of a line, then the cookie. */
static int
jstream_close(void *cookie)
{
	struct jstream *js = cookie;

	if (js->n > 0) {
		js->line[js->n++] = '\n';
		jstream_flush_line(js);
	}
	free(js);
	return 0;
}

FILE *
ixg_log_journal_stream(int (*level)(void), int offset)
{
	static const cookie_io_functions_t io = {.write = jstream_write,
						 .close = jstream_close};
	struct jstream *js;
	FILE *f;

	if (level == NULL || !ixg_log_fd_is_journal(STDERR_FILENO))
		return NULL;
	js = calloc(1, sizeof(*js));
	if (js == NULL)
		return NULL;
	js->level = level;
	js->offset = offset;
	f = fopencookie(js, "w", io);
	if (f == NULL) {
		free(js);
		return NULL;
	}
	/* Unbuffered: the cookie assembles lines itself, and the level is
	 * read while the library's message is being written. */
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}
