/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loop.c - the io_uring event loop (see loop.h).
 *
 * fds: one-shot IORING_OP_POLL_ADD per watch, re-armed after its callback.
 * A removed watch whose poll is still in the kernel is cancelled
 * (IORING_OP_POLL_REMOVE) and freed when that poll's completion arrives, so
 * a completion never points at freed memory.
 * Timers: a list sorted by (deadline, order added); the loop waits for
 * completions with a kernel timeout set to the earliest deadline
 * (io_uring_submit_and_wait_timeout), which gives a strict firing order
 * that independent kernel timers would not.
 * File operations (loop_write, loop_fsync, loop_fallocate): one ring
 * request each, its struct loop_op freed when its completion has been
 * delivered. Every request's user data starts with an enum req_kind, so a
 * completion says what it belongs to.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "loop.h"

#define UD_IGNORE 0 /* completions of cancel requests */

enum req_kind { REQ_WATCH = 1, REQ_OP };

struct loop_watch {
	enum req_kind kind; /* REQ_WATCH: first, see complete() */
	int fd;
	unsigned events, flags;
	loop_fd_cb cb;
	void *arg;
	bool armed; /* a poll is in the kernel */
	bool in_cb;
	bool dead;
	struct loop_watch *next; /* all watches, for loop_free */
};

struct loop_op {
	enum req_kind kind; /* REQ_OP */
	loop_op_cb cb;
	void *arg;
	struct loop_op *next; /* in flight, for loop_free */
	struct loop_op *prev;
};

struct loop_timer {
	uint64_t deadline_ms, period_ms, order;
	loop_timer_cb cb;
	void *arg;
	bool in_cb, dead;
	struct loop_timer *next;
};

struct loop {
	struct io_uring ring;
	struct loop_watch *watches;
	struct loop_timer *timers; /* sorted */
	uint64_t next_order;
	struct loop_op *ops; /* in flight */
	bool stop;
};

/* Monotonic milliseconds. Any thread. */
uint64_t
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* New loop (see loop.h). */
struct loop *
loop_new(unsigned entries)
{
	struct loop *L = calloc(1, sizeof(*L));
	int rc;

	if (L == NULL)
		return NULL;
	rc = io_uring_queue_init(entries, &L->ring, 0);
	if (rc < 0) {
		free(L);
		errno = -rc;
		return NULL;
	}
	return L;
}

static struct io_uring_sqe *
get_sqe(struct loop *L)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&L->ring);

	if (sqe == NULL) {
		/* Ring full: hand what is queued to the kernel first. */
		io_uring_submit(&L->ring);
		sqe = io_uring_get_sqe(&L->ring);
	}
	return sqe;
}

static int
arm(struct loop *L, struct loop_watch *w)
{
	struct io_uring_sqe *sqe = get_sqe(L);

	if (sqe == NULL)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, w->fd, w->events);
	io_uring_sqe_set_data(sqe, w);
	w->armed = true;
	return 0;
}

static void
watch_unlink_free(struct loop *L, struct loop_watch *w)
{
	struct loop_watch **pp;

	for (pp = &L->watches; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	free(w);
}

/* Watch fd (see loop.h). Loop thread. */
struct loop_watch *
loop_add_fd(struct loop *L, int fd, unsigned events, unsigned flags,
	    loop_fd_cb cb, void *arg)
{
	struct loop_watch *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return NULL;
	w->kind = REQ_WATCH;
	w->fd = fd;
	w->events = events | POLLHUP | POLLERR;
	w->flags = flags;
	w->cb = cb;
	w->arg = arg;
	rc = arm(L, w);
	if (rc < 0) {
		free(w);
		errno = -rc;
		return NULL;
	}
	w->next = L->watches;
	L->watches = w;
	return w;
}

/* Stop watching (see loop.h). Loop thread. */
void
loop_del_fd(struct loop *L, struct loop_watch *w)
{
	if (w == NULL || w->dead)
		return;
	w->dead = true;
	if (w->flags & LOOP_F_CLOSE)
		close(w->fd);
	if (w->armed) {
		struct io_uring_sqe *sqe = get_sqe(L);

		/* Freed when the poll's own completion arrives. */
		if (sqe != NULL) {
			io_uring_prep_poll_remove(sqe, (uint64_t)(uintptr_t)w);
			io_uring_sqe_set_data64(sqe, UD_IGNORE);
		}
		return;
	}
	if (!w->in_cb)
		watch_unlink_free(L, w);
}

static void
timer_insert(struct loop *L, struct loop_timer *t)
{
	struct loop_timer **pp = &L->timers;

	while (*pp != NULL && ((*pp)->deadline_ms < t->deadline_ms ||
			       ((*pp)->deadline_ms == t->deadline_ms &&
				(*pp)->order < t->order)))
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

static void
timer_unlink(struct loop *L, struct loop_timer *t)
{
	struct loop_timer **pp;

	for (pp = &L->timers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			return;
		}
}

/* Add a timer (see loop.h). Loop thread. */
struct loop_timer *
loop_timer_add(struct loop *L, uint64_t ms, uint64_t period_ms,
	       loop_timer_cb cb, void *arg)
{
	struct loop_timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->deadline_ms = loop_now_ms() + ms;
	t->period_ms = period_ms;
	t->order = L->next_order++;
	t->cb = cb;
	t->arg = arg;
	timer_insert(L, t);
	return t;
}

/* Cancel a timer (see loop.h). Loop thread. */
void
loop_timer_del(struct loop *L, struct loop_timer *t)
{
	if (t == NULL || t->dead)
		return;
	t->dead = true;
	if (t->in_cb)
		return; /* freed by fire_timers() */
	timer_unlink(L, t);
	free(t);
}

static void
fire_timers(struct loop *L)
{
	uint64_t now = loop_now_ms();

	while (!L->stop && L->timers != NULL && L->timers->deadline_ms <= now) {
		struct loop_timer *t = L->timers;

		L->timers = t->next;
		t->in_cb = true;
		t->cb(L, t, t->arg);
		t->in_cb = false;
		if (t->period_ms != 0 && !t->dead) {
			t->deadline_ms = loop_now_ms() + t->period_ms;
			t->order = L->next_order++;
			timer_insert(L, t);
		} else {
			free(t);
		}
	}
}

static void
op_unlink(struct loop *L, struct loop_op *op)
{
	if (op->prev != NULL)
		op->prev->next = op->next;
	else
		L->ops = op->next;
	if (op->next != NULL)
		op->next->prev = op->prev;
}

static void
complete(struct loop *L, struct io_uring_cqe *cqe)
{
	void *ud = io_uring_cqe_get_data(cqe);
	struct loop_watch *w = ud;
	int res = cqe->res;

	if (ud == NULL)
		return; /* a cancel request */
	if (*(enum req_kind *)ud == REQ_OP) {
		struct loop_op *op = ud;

		op_unlink(L, op);
		op->cb(L, res, op->arg);
		free(op);
		return;
	}
	w->armed = false;
	if (!w->dead && res != -ECANCELED) {
		w->in_cb = true;
		w->cb(L, w, w->fd, res < 0 ? POLLERR : (unsigned)res, w->arg);
		w->in_cb = false;
	}
	if (w->dead) {
		watch_unlink_free(L, w);
		return;
	}
	if (arm(L, w) < 0)
		w->cb(L, w, w->fd, POLLERR, w->arg);
}

static struct io_uring_sqe *
op_sqe(struct loop *L, loop_op_cb cb, void *arg, struct loop_op **opp)
{
	struct loop_op *op = calloc(1, sizeof(*op));
	struct io_uring_sqe *sqe;

	if (op == NULL)
		return NULL;
	sqe = get_sqe(L);
	if (sqe == NULL) {
		free(op);
		return NULL;
	}
	op->kind = REQ_OP;
	op->cb = cb;
	op->arg = arg;
	op->next = L->ops;
	if (L->ops != NULL)
		L->ops->prev = op;
	L->ops = op;
	*opp = op;
	return sqe;
}

/* Queue a write (see loop.h). Loop thread. */
int
loop_write(struct loop *L, int fd, const void *buf, size_t len, uint64_t off,
	   loop_op_cb cb, void *arg)
{
	struct loop_op *op;
	struct io_uring_sqe *sqe = op_sqe(L, cb, arg, &op);

	if (sqe == NULL)
		return -ENOMEM;
	io_uring_prep_write(sqe, fd, buf, (unsigned)len, off);
	io_uring_sqe_set_data(sqe, op);
	return 0;
}

/* Queue an fsync (see loop.h). Loop thread. */
int
loop_fsync(struct loop *L, int fd, loop_op_cb cb, void *arg)
{
	struct loop_op *op;
	struct io_uring_sqe *sqe = op_sqe(L, cb, arg, &op);

	if (sqe == NULL)
		return -ENOMEM;
	/* Data and size (an append changes it): what a reader needs. */
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data(sqe, op);
	return 0;
}

/* Queue a fallocate (see loop.h). Loop thread. */
int
loop_fallocate(struct loop *L, int fd, int mode, uint64_t off, uint64_t len,
	       loop_op_cb cb, void *arg)
{
	struct loop_op *op;
	struct io_uring_sqe *sqe = op_sqe(L, cb, arg, &op);

	if (sqe == NULL)
		return -ENOMEM;
	io_uring_prep_fallocate(sqe, fd, mode, off, len);
	io_uring_sqe_set_data(sqe, op);
	return 0;
}

/* Complete every request whose completion is in the ring, without waiting. */
static void
reap(struct loop *L)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe (&L->ring, head, cqe) {
		n++;
		complete(L, cqe);
	}
	io_uring_cq_advance(&L->ring, n);
}

/* Run the loop (see loop.h). */
int
loop_run(struct loop *L)
{
	L->stop = false;
	while (!L->stop) {
		struct io_uring_cqe *cqe;
		struct __kernel_timespec ts, *tsp = NULL;
		int rc;

		if (L->timers != NULL &&
		    L->timers->deadline_ms <= loop_now_ms()) {
			/* A timer is due (a request's deadline, say): first
			 * submit what the callbacks queued (a watch re-armed
			 * on a socket whose answer is already there completes
			 * at once) and take every completion that is ready,
			 * so an answer that came in while the loop was busy
			 * or stopped is not called late. */
			io_uring_submit_and_get_events(&L->ring);
			reap(L);
			if (L->stop)
				break;
		}
		fire_timers(L);
		if (L->stop)
			break;
		if (L->timers != NULL) {
			uint64_t now = loop_now_ms(),
				 d = L->timers->deadline_ms;
			uint64_t wait = d > now ? d - now : 0;

			ts.tv_sec = (long long)(wait / 1000);
			ts.tv_nsec = (long long)(wait % 1000) * 1000000;
			tsp = &ts;
		}
		rc = io_uring_submit_and_wait_timeout(&L->ring, &cqe, 1, tsp,
						      NULL);
		if (rc < 0 && rc != -ETIME && rc != -EINTR)
			return rc;
		reap(L);
	}
	io_uring_submit(&L->ring);
	return 0;
}

/* Stop the loop (see loop.h). Loop thread. */
void
loop_stop(struct loop *L)
{
	L->stop = true;
}

/* Free the loop (see loop.h). Not from a callback. */
void
loop_free(struct loop *L)
{
	if (L == NULL)
		return;
	/* Tearing the ring down cancels every request still in the kernel:
	 * no completion can refer to the watches after this. */
	io_uring_queue_exit(&L->ring);
	while (L->watches != NULL) {
		struct loop_watch *w = L->watches;

		L->watches = w->next;
		if (!w->dead && (w->flags & LOOP_F_CLOSE))
			close(w->fd);
		free(w);
	}
	while (L->timers != NULL) {
		struct loop_timer *t = L->timers;

		L->timers = t->next;
		free(t);
	}
	while (L->ops != NULL) {
		struct loop_op *op = L->ops;

		L->ops = op->next;
		free(op);
	}
	free(L);
}
