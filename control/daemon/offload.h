/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offload.h - ixgate-control's long work off the loop thread: each task
 * (compiling a config, diffing two full tables, hashing the config files)
 * runs on a thread of its own, and its completion comes back to the event
 * loop through one eventfd the loop watches. The loop never waits for a
 * task; a task the loop stops waiting for (its deadline passed: a FIFO or a
 * hung filesystem in the config tree) is abandoned and cleans up after
 * itself whenever it finishes.
 *
 * A thread per task (created in ~50 us) rather than a pool: a task stuck
 * in read(2) must not hold up the next one, and there are at most a few
 * tasks at once (one commit, a few checks, the files check).
 */
#ifndef IXG_OFFLOAD_H
#define IXG_OFFLOAD_H

#include <stdbool.h>

struct loop;
struct offload;
struct offload_task;

/* Runs on the task's thread: the work. */
typedef void (*offload_run_fn)(void *arg);
/* Runs on the loop thread once run() returned (not if abandoned). */
typedef void (*offload_done_fn)(void *arg);
/* Runs on the task's thread after run() when the loop abandoned the task:
 * release arg and what run() produced. */
typedef void (*offload_discard_fn)(void *arg);

/* Start delivering completions on L. NULL with errno set on failure. Loop
 * thread, before loop_run. */
struct offload *offload_new(struct loop *L);

/*
 * Stop delivering completions and free o; tasks still running (stuck) are
 * orphaned: each discards its result when it finishes, and the last one
 * frees what remains of o. Loop thread, after loop_run returned.
 */
void offload_free(struct offload *o);

/*
 * Run run(arg) on a new thread, then done(arg) on the loop thread. arg
 * belongs to the task until done() or discard() is called. *task (may be
 * NULL) identifies it for offload_abandon(). 0, or a negative errno
 * (thread creation failed: nothing runs). Loop thread.
 */
int offload_run(struct offload *o, offload_run_fn run, offload_done_fn done,
		offload_discard_fn discard, void *arg,
		struct offload_task **task);

/*
 * Stop waiting for a task: true, and done() is never called for it;
 * discard(arg) runs on its thread when run() returns. False when the task
 * already finished: its done() is on its way (the next loop turn) and
 * nothing changes. Loop thread.
 */
bool offload_abandon(struct offload *o, struct offload_task *task);

/* Tasks running now, and how many of them were abandoned (stuck past their
 * deadline). Loop thread. */
unsigned offload_running(const struct offload *o);
unsigned offload_abandoned(const struct offload *o);

#endif /* IXG_OFFLOAD_H */
