/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * load.c - how the config library opens and reads files, under the load
 * options of ixg_conf.h: a bounded number of files and bytes, a bounded
 * number of lines per file, an optional deadline, and an optional root
 * directory nothing outside of which is opened.
 *
 * Every file is opened with O_NONBLOCK | O_NOCTTY | O_CLOEXEC (so a FIFO
 * without a writer or a terminal cannot block or adopt the process) and
 * checked with fstat on the open descriptor: anything but a regular file is
 * refused before a byte is read (issue 13 item 2). Reads are plain read(2):
 * a caller that must not block its thread loads from another thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "conf_impl.h"

/* See ixg_conf.h. */
void
ixg_conf_opts_init(struct ixg_conf_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_files = IXG_CONF_MAX_FILES;
	o->max_bytes = IXG_CONF_MAX_BYTES;
	o->max_lines = IXG_CONF_MAX_LINES;
	o->max_depth = IXG_CONF_MAX_DEPTH;
}

/* Collapse "//", "/./" and "/../" of an absolute path in place (lexically:
 * symbolic links are the kernel's business, RESOLVE_BENEATH). */
static void
normalize(char *p)
{
	char *out = p, *in = p;

	while (*in != '\0') {
		if (in[0] == '/' && (in[1] == '/' || in[1] == '\0')) {
			in++;
			continue;
		}
		if (in[0] == '/' && in[1] == '.' &&
		    (in[2] == '/' || in[2] == '\0')) {
			in += 2;
			continue;
		}
		if (in[0] == '/' && in[1] == '.' && in[2] == '.' &&
		    (in[3] == '/' || in[3] == '\0')) {
			in += 3;
			while (out > p && *--out != '/')
				;
			continue;
		}
		do
			*out++ = *in++;
		while (*in != '\0' && *in != '/');
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* path made absolute (against the current directory) and normalized;
 * malloc'ed, NULL on error. */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX], *r;
	size_t n;

	if (path[0] == '/') {
		r = strdup(path);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return NULL;
		n = strlen(cwd) + strlen(path) + 2;
		r = malloc(n);
		if (r != NULL)
			snprintf(r, n, "%s/%s", cwd, path);
	}
	if (r != NULL)
		normalize(r);
	return r;
}

/* Start a load: copy the options (zero limits: the defaults), open the
 * root. 0, or -errno with a message in err. */
int
load_begin(struct conf_load *L, const struct ixg_conf_opts *o, uint32_t files,
	   uint64_t bytes, char *err, size_t errlen)
{
	struct ixg_conf_opts def;

	memset(L, 0, sizeof(*L));
	L->root_fd = -1;
	ixg_conf_opts_init(&def);
	if (o != NULL)
		L->o = *o;
	else
		L->o = def;
	if (L->o.max_files == 0)
		L->o.max_files = def.max_files;
	if (L->o.max_bytes == 0)
		L->o.max_bytes = def.max_bytes;
	if (L->o.max_lines == 0)
		L->o.max_lines = def.max_lines;
	if (L->o.max_depth == 0)
		L->o.max_depth = def.max_depth;
	L->files = files;
	L->bytes = bytes;
	if (L->o.root == NULL)
		return 0;
	L->root_fd = open(L->o.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	L->root_abs = absolute(L->o.root);
	L->root_real = realpath(L->o.root, NULL);
	if (L->root_fd < 0 || L->root_abs == NULL || L->root_real == NULL) {
		int e = errno ? errno : ENOMEM;

		snprintf(err, errlen, "cannot use \"%s\" as the root: %s",
			 L->o.root, strerror(e));
		load_end(L);
		return -e;
	}
	return 0;
}

/* Release what load_begin took. */
void
load_end(struct conf_load *L)
{
	if (L->root_fd >= 0)
		close(L->root_fd);
	L->root_fd = -1;
	free(L->root_abs);
	free(L->root_real);
	L->root_abs = L->root_real = NULL;
}

/* 1 once the deadline has passed (it stays passed). */
int
load_late(struct conf_load *L)
{
	struct timespec ts;

	if (L->late)
		return 1;
	if (L->o.deadline_ns == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	L->late = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec >=
		  L->o.deadline_ns;
	return L->late;
}

/* The part of abs beneath dir ("" for dir itself), or NULL. */
static const char *
beneath(const char *abs, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return abs + 1;
	if (strncmp(abs, dir, n) != 0 || (abs[n] != '/' && abs[n] != '\0'))
		return NULL;
	return abs[n] == '/' ? abs + n + 1 : abs + n;
}

/* See conf_impl.h. */
int
load_inside(const struct conf_load *L, const char *path)
{
	char *abs;
	int in;

	if (L->root_fd < 0)
		return 1;
	abs = absolute(path);
	in = abs != NULL && (beneath(abs, L->root_abs) != NULL ||
			     beneath(abs, L->root_real) != NULL);
	free(abs);
	return in;
}

static int
open_beneath(struct conf_load *L, const char *path, int flags)
{
	struct open_how how;
	const char *rel;
	char *abs = absolute(path);
	int fd;

	if (abs == NULL)
		return -1;
	rel = beneath(abs, L->root_abs);
	if (rel == NULL)
		rel = beneath(abs, L->root_real);
	if (rel == NULL) {
		free(abs);
		errno = EXDEV;
		return -1;
	}
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, L->root_fd, *rel ? rel : ".", &how,
			  sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* Before Linux 5.6: resolve, check, open what was checked
		 * (a rename in between can still race; the kernel closes
		 * that window where it can). */
		char *real = realpath(abs, NULL);

		if (real == NULL) {
			fd = -1;
		} else if (beneath(real, L->root_real) == NULL) {
			errno = EXDEV;
			fd = -1;
		} else {
			fd = open(real, flags);
		}
		free(real);
	}
	free(abs);
	return fd;
}

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* See conf_impl.h. */
int
load_open(struct conf_load *L, const char *path, struct stat *st, char *err,
	  size_t errlen)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd, e;

	if (L->files >= L->o.max_files) {
		snprintf(err, errlen,
			 "more than %u files in one load (the limit); not "
			 "reading further",
			 L->o.max_files);
		L->stop = 1;
		return -EMFILE;
	}
	if (L->root_fd >= 0)
		fd = open_beneath(L, path, flags);
	else
		fd = open(path, flags);
	if (fd < 0) {
		e = errno;
		/* open(2) says ENXIO for a socket: say what it is. */
		if (e == ENXIO && stat(path, st) == 0 && !S_ISREG(st->st_mode))
			snprintf(err, errlen, "%s is not a regular file",
				 file_kind(st->st_mode));
		else if (e == EXDEV)
			snprintf(err, errlen,
				 "outside the directory this load may read "
				 "(%s)",
				 L->o.root);
		else
			snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	L->files++;
	if (fstat(fd, st) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		if (S_ISDIR(st->st_mode))
			snprintf(err, errlen, "%s", strerror(EISDIR));
		else
			snprintf(err, errlen, "%s is not a regular file",
				 file_kind(st->st_mode));
		return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
	}
	if ((uint64_t)st->st_size > L->o.max_bytes - L->bytes) {
		close(fd);
		snprintf(err, errlen,
			 "%llu bytes, more than the %llu left of this load's "
			 "limit (%llu bytes); not reading further",
			 (unsigned long long)st->st_size,
			 (unsigned long long)(L->o.max_bytes - L->bytes),
			 (unsigned long long)L->o.max_bytes);
		L->stop = 1;
		return -EFBIG;
	}
	return fd;
}

/* See conf_impl.h. */
ssize_t
load_read(struct conf_load *L, int fd, void *buf, size_t len, char *err,
	  size_t errlen)
{
	ssize_t r;

	if (len > L->o.max_bytes - L->bytes)
		len = (size_t)(L->o.max_bytes - L->bytes) + 1;
	do
		r = read(fd, buf, len);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	if ((uint64_t)r > L->o.max_bytes - L->bytes) {
		/* The file grew past the budget while being read. */
		snprintf(err, errlen,
			 "more than %llu bytes in one load (the limit); not "
			 "reading further",
			 (unsigned long long)L->o.max_bytes);
		L->stop = 1;
		return -EFBIG;
	}
	L->bytes += (uint64_t)r;
	if (L->hash != NULL && r > 0)
		XXH3_64bits_update(L->hash, buf, (size_t)r);
	return r;
}

/* See conf_impl.h. */
char *
load_whole(struct conf_load *L, int fd, const struct stat *st, size_t *len,
	   char *err, size_t errlen)
{
	size_t cap = (size_t)st->st_size + 1, got = 0, lines = 0;
	char *buf = malloc(cap + 1), *p;

	if (buf == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (got == cap) {
			/* Growing while read: go on in steps, within the
			 * budget load_read keeps. */
			char *nb = realloc(buf, cap * 2 + 1);

			if (nb == NULL) {
				free(buf);
				snprintf(err, errlen, "%s", strerror(ENOMEM));
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = load_read(L, fd, buf + got, cap - got, err, errlen);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	for (p = buf; (p = memchr(p, '\n', got - (size_t)(p - buf))) != NULL;
	     p++)
		lines++;
	if (got > 0 && buf[got - 1] != '\n')
		lines++;
	if (lines > L->o.max_lines) {
		free(buf);
		snprintf(err, errlen,
			 "%zu lines, more than the limit of %u lines per file",
			 lines, L->o.max_lines);
		return NULL;
	}
	*len = got;
	return buf;
}
