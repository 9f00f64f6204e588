/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * audit.c - the audit log (see audit.h).
 *
 * One record at a time, each a chain of ring requests: fallocate the
 * record's bytes past the end of the file (FALLOC_FL_KEEP_SIZE: the blocks
 * are reserved, the size unchanged), write the line (O_APPEND), fsync. A
 * full disk fails the fallocate, before anything is written. A filesystem
 * without fallocate (EOPNOTSUPP) goes straight to the write; a short write
 * there is cut back off with ftruncate to the size before it, so a line is
 * whole or absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "ixg_json.h"
#include "config_load.h"
#include "diff.h"
#include "loop.h"

static const char *const results[] = {
	[CTL_RES_OK] = "ok",	       [CTL_RES_REFUSED] = "refused",
	[CTL_RES_FAILED] = "failed",   [CTL_RES_ADOPTED] = "adopted",
	[CTL_RES_ATTEMPT] = "attempt", [CTL_RES_UNKNOWN] = "unknown",
};

/* Name of a result (see audit.h). */
const char *
ctl_result_name(enum ctl_result r)
{
	return (unsigned)r < sizeof(results) / sizeof(results[0]) ? results[r]
								  : "?";
}

static void
json_cstr(FILE *out, const char *s)
{
	ixg_json_quoten(out, s, strlen(s));
}

/* Format one audit line (see audit.h). Any thread. */
void
ctl_audit_format(const struct ctl_audit_rec *r, FILE *out)
{
	char ts[32], hex[65];
	time_t t = (time_t)r->time;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "{\"time\": \"%s\", \"uid\": ", ts);
	if (r->who >= 0)
		fprintf(out, "%" PRId64, r->who);
	else
		fprintf(out, "\"%s\"",
			r->who == CTL_WHO_SIGNAL    ? "signal"
			: r->who == CTL_WHO_STARTUP ? "startup"
						    : "daemon");
	fputs(", \"action\": ", out);
	json_cstr(out, r->action != NULL ? r->action : "");
	if (r->sha256 != NULL) {
		ctl_hex(r->sha256, hex);
		fprintf(out, ", \"sha256\": \"%s\"", hex);
	} else {
		fputs(", \"sha256\": null", out);
	}
	fprintf(out, ", \"generation\": %" PRIu64 ", \"result\": \"%s\"",
		r->generation, ctl_result_name(r->result));
	if (r->error != NULL) {
		fputs(", \"error\": ", out);
		json_cstr(out, r->error);
	}
	if (r->note != NULL) {
		fputs(", \"note\": ", out);
		json_cstr(out, r->note);
	}
	if (r->diff != NULL) {
		fputs(", \"diff\": ", out);
		ctl_diff_json(r->diff, out);
	}
	fprintf(out, ", \"build_ms\": %.3f, \"publish_ms\": %.3f}\n",
		r->build_ms, r->publish_ms);
}

struct audit_item {
	char *line;
	size_t len;
	audit_done_fn done;
	void *arg;
	struct audit_item *next;
};

struct audit {
	struct loop *L;
	char *path;
	int fd;
	int next_fd; /* opened by audit_reopen while a record was in flight */
	off_t size_before; /* of the file before the record being written */
	struct audit_item *cur, *queue, **tail;
	struct loop_timer *kick;
	char last_error[256];
};

static void audit_next(struct audit *a);

static int
open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
		    0640);
}

/* Open (see audit.h). Main thread. */
struct audit *
audit_open(struct loop *L, const char *path, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (a == NULL || (a->path = strdup(path)) == NULL) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->L = L;
	a->next_fd = -1;
	a->tail = &a->queue;
	a->fd = open_log(path);
	if (a->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(a->path);
		free(a);
		return NULL;
	}
	return a;
}

static void
item_free(struct audit_item *it)
{
	free(it->line);
	free(it);
}

/* Close (see audit.h). Main thread. */
void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	/* A write still in the kernel keeps its buffer: leak it rather than
	 * free memory the ring may read (only at exit, and only if the
	 * caller did not wait for audit_idle). */
	if (a->cur == NULL)
		loop_timer_del(a->L, a->kick);
	while (a->queue != NULL) {
		struct audit_item *it = a->queue;

		a->queue = it->next;
		item_free(it);
	}
	if (a->next_fd >= 0)
		close(a->next_fd);
	close(a->fd);
	free(a->path);
	free(a);
}

/* The record in flight is done: tell its owner, start the next. */
static void
finish(struct audit *a, int err)
{
	struct audit_item *it = a->cur;

	a->cur = NULL;
	if (err < 0)
		snprintf(a->last_error, sizeof(a->last_error), "%s: %s",
			 a->path, strerror(-err));
	else
		a->last_error[0] = '\0';
	if (it->done != NULL)
		it->done(it->arg, err);
	item_free(it);
	audit_next(a);
}

static void
on_fsync(struct loop *L, int res, void *arg)
{
	(void)L;
	finish(arg, res < 0 ? -EIO : 0);
}

static void
on_write(struct loop *L, int res, void *arg)
{
	struct audit *a = arg;
	int rc;

	if (res >= 0 && (size_t)res == a->cur->len) {
		rc = loop_fsync(L, a->fd, on_fsync, a);
		if (rc < 0)
			finish(a, rc);
		return;
	}
	/* Short or failed: take back whatever part of the line got in, so
	 * the next record does not glue itself to half of this one. */
	if (res > 0 && ftruncate(a->fd, a->size_before) < 0) {
		finish(a, -EIO);
		return;
	}
	finish(a, res < 0 ? res : -ENOSPC);
}

static void
on_fallocate(struct loop *L, int res, void *arg)
{
	struct audit *a = arg;
	int rc;

	if (res < 0 && res != -EOPNOTSUPP && res != -ENOSYS) {
		finish(a, res); /* no room: nothing was written */
		return;
	}
	rc = loop_write(L, a->fd, a->cur->line, a->cur->len, 0, on_write, a);
	if (rc < 0)
		finish(a, rc);
}

static void
start(struct audit *a)
{
	struct stat sb;
	int rc;

	if (a->next_fd >= 0) {
		close(a->fd);
		a->fd = a->next_fd;
		a->next_fd = -1;
	}
	if (fstat(a->fd, &sb) < 0) {
		finish(a, -errno);
		return;
	}
	a->size_before = sb.st_size;
	rc = loop_fallocate(a->L, a->fd, FALLOC_FL_KEEP_SIZE,
			    (uint64_t)sb.st_size, a->cur->len, on_fallocate, a);
	if (rc < 0)
		finish(a, rc);
}

static void
on_kick(struct loop *L, struct loop_timer *t, void *arg)
{
	struct audit *a = arg;

	(void)L;
	(void)t;
	a->kick = NULL;
	audit_next(a);
}

static void
audit_next(struct audit *a)
{
	if (a->cur != NULL || a->queue == NULL)
		return;
	a->cur = a->queue;
	a->queue = a->cur->next;
	if (a->queue == NULL)
		a->tail = &a->queue;
	start(a);
}

/* Queue a record (see audit.h). Loop thread. */
int
audit_append(struct audit *a, const struct ctl_audit_rec *rec,
	     audit_done_fn done, void *arg)
{
	struct audit_item *it = calloc(1, sizeof(*it));
	FILE *f;

	if (it == NULL)
		return -ENOMEM;
	f = open_memstream(&it->line, &it->len);
	if (f == NULL) {
		free(it);
		return -ENOMEM;
	}
	ctl_audit_format(rec, f);
	if (fclose(f) != 0) {
		item_free(it);
		return -ENOMEM;
	}
	it->done = done;
	it->arg = arg;
	*a->tail = it;
	a->tail = &it->next;
	/* From a timer: done() never runs inside this call. */
	if (a->cur == NULL && a->kick == NULL)
		a->kick = loop_timer_add(a->L, 0, 0, on_kick, a);
	return 0;
}

/* Reopen (see audit.h). Loop thread. */
int
audit_reopen(struct audit *a, char *err, size_t errlen)
{
	int fd = open_log(a->path);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", a->path, strerror(errno));
		return -1;
	}
	if (a->next_fd >= 0)
		close(a->next_fd);
	if (a->cur == NULL) {
		close(a->fd);
		a->fd = fd;
	} else {
		a->next_fd = fd;
	}
	return 0;
}

bool
audit_idle(const struct audit *a)
{
	return a == NULL || (a->cur == NULL && a->queue == NULL);
}

const char *
audit_path(const struct audit *a)
{
	return a != NULL ? a->path : NULL;
}

const char *
audit_last_error(const struct audit *a)
{
	return a != NULL ? a->last_error : "";
}
