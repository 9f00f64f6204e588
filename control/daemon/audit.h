/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * audit.h - ixgate-control's audit log (audit.c): one JSON object per
 * line, a record of every commit. Before the dataplane is asked to commit,
 * an "attempt" record is on disk (fsync'ed); after, a record of the result.
 * A record is one write(2): space for it is reserved first (fallocate), a
 * short write is cut back off (ftruncate), so a line is whole or absent,
 * never torn, and a full disk refuses the commit instead of hiding it.
 * The writes go through the event loop's io_uring: the loop never waits
 * for the disk.
 */
#ifndef IXG_AUDIT_H
#define IXG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ctl_diff;
struct loop;

enum ctl_result {
	CTL_RES_OK,
	CTL_RES_REFUSED,
	CTL_RES_FAILED, /* not live, and known not to be */
	CTL_RES_ADOPTED,
	CTL_RES_ATTEMPT, /* written before the dataplane is asked */
	CTL_RES_UNKNOWN, /* the dataplane did not say; re-checking */
};

/* Who asked for a commit: a CLI uid (>= 0), or one of these. */
#define CTL_WHO_SIGNAL (-1)
#define CTL_WHO_STARTUP (-2)
#define CTL_WHO_DAEMON (-3) /* re-commit, confirm deadline, verification */

struct ctl_audit_rec {
	int64_t time; /* unix s */
	int64_t who;
	const char *action; /* "reload", "rollback", "startup", ... */
	const uint8_t *sha256; /* NULL: none */
	uint64_t generation; /* the running one for an attempt */
	enum ctl_result result;
	const char *error; /* NULL or "file:line:col: ..." */
	const char *note; /* NULL or a sentence ("verified after ...") */
	const struct ctl_diff *diff; /* NULL: none */
	double build_ms, publish_ms;
};

/* Name of a result as written ("ok", "attempt"...). */
const char *ctl_result_name(enum ctl_result r);

/* One JSON line for rec, with the newline, into out. Any thread. */
void ctl_audit_format(const struct ctl_audit_rec *rec, FILE *out);

struct audit;

/*
 * Open (create, mode 0640) the log at path for appending. NULL with a
 * sentence in err. Main thread, before the loop runs (and before
 * privileges are dropped).
 */
struct audit *audit_open(struct loop *L, const char *path, char *err,
			 size_t errlen);

/* Close the log. Records still queued are dropped (the loop is stopped:
 * call audit_idle() first to let them finish). Main thread. */
void audit_close(struct audit *a);

/* Called once a record is durable (err 0) or could not be written (a
 * negative errno: then no part of it is in the file, unless err is -EIO
 * from fsync, when the line was written but may not be durable). */
typedef void (*audit_done_fn)(void *arg, int err);

/*
 * Queue rec (formatted now: its pointers need not outlive the call), to be
 * written after every record queued before it. done (may be NULL) is
 * called on the loop thread, never inside this call. 0 or -ENOMEM.
 * Loop thread.
 */
int audit_append(struct audit *a, const struct ctl_audit_rec *rec,
		 audit_done_fn done, void *arg);

/*
 * Open the log's path again (after logrotate moved the file away): later
 * records go to the new file; a record being written finishes in the old
 * one. 0, or -1 with a sentence in err (the old file stays in use).
 * Loop thread.
 */
int audit_reopen(struct audit *a, char *err, size_t errlen);

/* Nothing queued or being written. */
bool audit_idle(const struct audit *a);

/* The path, and the last write error as a sentence ("" when the last
 * record was written). */
const char *audit_path(const struct audit *a);
const char *audit_last_error(const struct audit *a);

#endif /* IXG_AUDIT_H */
