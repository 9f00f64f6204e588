/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loop.h - ixgate-control's event loop: one io_uring, one thread.
 *
 * File descriptors are watched with IORING_OP_POLL_ADD (re-armed after each
 * callback, so a callback that does not drain its fd is called again) and
 * timers are the ring's wait timeout (the earliest deadline first); file
 * writes, fsyncs and fallocates are ring requests whose completion calls
 * back. Callbacks run on the thread that called loop_run(); nothing here
 * is thread-safe: work done on other threads (commit-job compiles) comes
 * back to the loop through a watched eventfd.
 */
#ifndef IXG_LOOP_H
#define IXG_LOOP_H

#include <stdint.h>
#include <sys/types.h>

struct loop;
struct loop_watch;
struct loop_timer;

/* revents: POLLIN/POLLOUT/POLLHUP/POLLERR bits as poll(2) gives them. */
typedef void (*loop_fd_cb)(struct loop *L, struct loop_watch *w, int fd,
			   unsigned revents, void *arg);
typedef void (*loop_timer_cb)(struct loop *L, struct loop_timer *t, void *arg);

/* A loop with room for `entries` queued requests (rounded up to a power of
 * two by the kernel). NULL with errno set on failure (ENOSYS/EPERM when
 * io_uring is not available). */
struct loop *loop_new(unsigned entries);

/* Cancel every watch and timer, close the fds watched with LOOP_F_CLOSE,
 * free L. */
void loop_free(struct loop *L);

#define LOOP_F_CLOSE 0x1 /* close(fd) when the watch is removed */

/*
 * Call cb whenever fd is readable (`events`: POLLIN, POLLOUT...; POLLHUP
 * and POLLERR are always reported). Returns the watch, or NULL with errno
 * set. The watch stays until loop_del_fd() (also allowed from inside its
 * own callback).
 */
struct loop_watch *loop_add_fd(struct loop *L, int fd, unsigned events,
			       unsigned flags, loop_fd_cb cb, void *arg);

/* Stop watching (its callback is never called again), and close the fd if
 * the watch was added with LOOP_F_CLOSE. */
void loop_del_fd(struct loop *L, struct loop_watch *w);

/*
 * Call cb after `ms` milliseconds, then every `period_ms` if non-zero
 * (measured from each firing). A one-shot timer is freed after its
 * callback returns; a periodic one lives until loop_timer_del(). Timers due
 * at the same moment fire in the order they were added. Returns the timer,
 * or NULL with errno set.
 */
struct loop_timer *loop_timer_add(struct loop *L, uint64_t ms,
				  uint64_t period_ms, loop_timer_cb cb,
				  void *arg);

/* Cancel a pending timer (allowed from inside its own callback). */
void loop_timer_del(struct loop *L, struct loop_timer *t);

/* Run until loop_stop(). Returns 0, or a negative errno if io_uring
 * failed. */
int loop_run(struct loop *L);

/* Make loop_run() return once the current callback has finished. */
void loop_stop(struct loop *L);

/*
 * Asynchronous file operations on the ring: cb(L, res, arg) runs on the
 * loop thread when the kernel has finished, with res as the syscall would
 * return it (bytes written, 0, or a negative errno). The caller keeps buf
 * alive until then. Operations queued together on one fd may complete in
 * any order: chain them from the callbacks. Returns 0, or a negative
 * errno when the request could not be queued (cb is then never called).
 * Operations still in flight at loop_free() are cancelled without their
 * callback. Loop thread.
 */
typedef void (*loop_op_cb)(struct loop *L, int res, void *arg);

/* pwrite(2); with O_APPEND the kernel appends whatever `off` says. */
int loop_write(struct loop *L, int fd, const void *buf, size_t len,
	       uint64_t off, loop_op_cb cb, void *arg);
/* fdatasync(2): the data and what is needed to read it back (the size). */
int loop_fsync(struct loop *L, int fd, loop_op_cb cb, void *arg);
/* fallocate(2) with `mode` (FALLOC_FL_KEEP_SIZE...). */
int loop_fallocate(struct loop *L, int fd, int mode, uint64_t off, uint64_t len,
		   loop_op_cb cb, void *arg);

/* Monotonic clock, milliseconds. */
uint64_t loop_now_ms(void);

#endif /* IXG_LOOP_H */
