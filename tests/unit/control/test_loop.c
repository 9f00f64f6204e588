/* SPDX-License-Identifier: BSD-3-Clause */
/* The io_uring event loop: fd events delivered, timers in order, periodic
 * timers, watches removed (and their fds closed) from inside callbacks,
 * a ready answer taken before a due timer, file operations completed on
 * the ring; tasks on threads of their own
 * whose completion comes back to the loop, abandoned or orphaned tasks
 * cleaning up after themselves. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "loop.h"
#include "offload.h"

static struct loop *
new_loop(void)
{
	struct loop *L = loop_new(64);

	if (L == NULL) {
		/* io_uring disabled (sysctl, seccomp): nothing to test. */
		fprintf(stderr, "io_uring unavailable: %s\n", strerror(errno));
		skip();
	}
	return L;
}

/* A safety net: a test that hangs fails instead. */
static void
on_deadline(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	*(int *)arg = 1;
	loop_stop(L);
}

struct rx {
	char buf[64];
	ssize_t n;
	unsigned revents;
	int calls;
};

static void
on_readable(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	    void *arg)
{
	struct rx *rx = arg;

	(void)w;
	rx->calls++;
	rx->revents = revents;
	rx->n = read(fd, rx->buf, sizeof(rx->buf));
	loop_stop(L);
}

static void
test_fd_event_delivered(void **state)
{
	struct loop *L = new_loop();
	struct rx rx = {0};
	int sv[2], timed_out = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_non_null(loop_add_fd(L, sv[0], POLLIN, 0, on_readable, &rx));
	loop_timer_add(L, 5000, 0, on_deadline, &timed_out);
	assert_int_equal(write(sv[1], "hello", 5), 5);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(timed_out, 0);
	assert_int_equal(rx.calls, 1);
	assert_true(rx.revents & POLLIN);
	assert_int_equal(rx.n, 5);
	assert_memory_equal(rx.buf, "hello", 5);

	/* Re-armed: a second message is delivered too. */
	assert_int_equal(write(sv[1], "again", 5), 5);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(rx.calls, 2);
	assert_memory_equal(rx.buf, "again", 5);
	loop_free(L);
	close(sv[0]);
	close(sv[1]);
}

/*
 * An answer that arrives while the loop is busy is taken before a timer
 * that fell due meanwhile: the first read's callback sends the second
 * message and stalls past the timer's deadline; the watch, re-armed
 * after the callback, finds the message there, and its callback must run
 * before the timer's (a request's deadline must not fire on an answer
 * already received).
 */
struct ans_order {
	int seq;
	int read_at[2];
	int reads;
	int timer_at;
	int peer;
};

static void
on_read_stall(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	      void *arg)
{
	struct ans_order *o = arg;
	char buf[16];

	(void)L;
	(void)w;
	(void)revents;
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	if (o->reads < 2)
		o->read_at[o->reads] = ++o->seq;
	if (o->reads++ == 0) {
		assert_int_equal(write(o->peer, "two", 3), 3);
		usleep(120 * 1000);
	}
}

static void
on_timer_order(struct loop *L, struct loop_timer *t, void *arg)
{
	struct ans_order *o = arg;

	(void)t;
	o->timer_at = ++o->seq;
	loop_stop(L);
}

static void
test_ready_answer_before_due_timer(void **state)
{
	struct loop *L = new_loop();
	struct ans_order o = {0};
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	o.peer = sv[1];
	assert_non_null(loop_add_fd(L, sv[0], POLLIN, 0, on_read_stall, &o));
	assert_non_null(loop_timer_add(L, 50, 0, on_timer_order, &o));
	assert_int_equal(write(sv[1], "one", 3), 3);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(o.reads, 2);
	assert_int_equal(o.read_at[0], 1);
	assert_int_equal(o.read_at[1], 2);
	assert_int_equal(o.timer_at, 3);
	loop_free(L);
	close(sv[0]);
	close(sv[1]);
}

/* The peer closing its end wakes the watch with a hang-up and read 0. */
static void
test_peer_close_delivered(void **state)
{
	struct loop *L = new_loop();
	struct rx rx = {0};
	int sv[2], timed_out = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_non_null(loop_add_fd(L, sv[0], POLLIN, 0, on_readable, &rx));
	loop_timer_add(L, 5000, 0, on_deadline, &timed_out);
	close(sv[1]);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(timed_out, 0);
	assert_int_equal(rx.calls, 1);
	assert_true(rx.revents & (POLLHUP | POLLIN));
	assert_int_equal(rx.n, 0);
	loop_free(L);
	close(sv[0]);
}

struct order {
	int seen[8];
	int n;
	int stop_after;
};

struct tag {
	struct order *o;
	int id;
};

static void
on_timer(struct loop *L, struct loop_timer *t, void *arg)
{
	struct tag *tg = arg;

	(void)t;
	tg->o->seen[tg->o->n++] = tg->id;
	if (tg->o->n == tg->o->stop_after)
		loop_stop(L);
}

static void
test_timers_in_order(void **state)
{
	struct loop *L = new_loop();
	struct order o = {.stop_after = 5};
	struct tag tags[6];
	uint64_t ms[6] = {60, 20, 40, 30, 30, 10};
	struct loop_timer *cancelled;
	uint64_t t0 = loop_now_ms();
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		struct loop_timer *t;

		tags[i].o = &o;
		tags[i].id = i;
		t = loop_timer_add(L, ms[i], 0, on_timer, &tags[i]);
		assert_non_null(t);
		if (i == 5)
			cancelled = t;
	}
	loop_timer_del(L, cancelled); /* the 10 ms one never fires */
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(o.n, 5);
	/* 20, 30 (added first), 30, 40, 60 */
	assert_int_equal(o.seen[0], 1);
	assert_int_equal(o.seen[1], 3);
	assert_int_equal(o.seen[2], 4);
	assert_int_equal(o.seen[3], 2);
	assert_int_equal(o.seen[4], 0);
	/* Not before its deadline. */
	assert_true(loop_now_ms() - t0 >= 60);
	loop_free(L);
}

struct periodic {
	int fired, done;
	uint64_t at[4];
};

static void
on_periodic(struct loop *L, struct loop_timer *t, void *arg)
{
	struct periodic *p = arg;

	p->at[p->fired++] = loop_now_ms();
	if (p->fired == 4) {
		loop_timer_del(L, t); /* from inside its own callback */
		loop_timer_add(L, 30, 0, on_deadline, &p->done);
	}
}

static void
on_stop(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(L);
}

static void
test_periodic_timer(void **state)
{
	struct loop *L = new_loop();
	struct periodic p = {0};
	int i;

	(void)state;
	assert_non_null(loop_timer_add(L, 5, 10, on_periodic, &p));
	assert_non_null(loop_timer_add(L, 2000, 0, on_stop, NULL));
	assert_int_equal(loop_run(L), 0);
	/* Deleted from its callback: no fifth firing in the next 30 ms. */
	assert_int_equal(p.done, 1);
	assert_int_equal(p.fired, 4);
	for (i = 1; i < 4; i++)
		assert_true(p.at[i] - p.at[i - 1] >= 10);
	loop_free(L);
}

struct closer {
	int calls;
	int fd;
};

static void
on_close_self(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	      void *arg)
{
	struct closer *c = arg;

	(void)revents;
	(void)fd;
	c->calls++;
	loop_del_fd(L, w);
	loop_stop(L);
}

/* A watch removed from its callback is never called again, and its fd is
 * closed when it was added with LOOP_F_CLOSE. */
static void
test_del_closes_fd(void **state)
{
	struct loop *L = new_loop();
	struct closer c = {0};
	int sv[2], timed_out = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	c.fd = sv[0];
	assert_non_null(
		loop_add_fd(L, sv[0], POLLIN, LOOP_F_CLOSE, on_close_self, &c));
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(fcntl(sv[0], F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	/* More data on the other end: nobody is called. */
	assert_int_equal(send(sv[1], "y", 1, MSG_NOSIGNAL), -1); /* closed */
	loop_timer_add(L, 30, 0, on_deadline, &timed_out);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(timed_out, 1);
	assert_int_equal(c.calls, 1);
	loop_free(L);
	close(sv[1]);
}

/* A watch removed while its poll is still in the kernel (from another
 * callback) is cancelled: no call, and the loop keeps running. */
static void
on_remove_other(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	loop_del_fd(L, arg);
}

static void
test_del_pending_watch(void **state)
{
	struct loop *L = new_loop();
	struct rx rx = {0};
	struct loop_watch *w;
	int sv[2], timed_out = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	w = loop_add_fd(L, sv[0], POLLIN, LOOP_F_CLOSE, on_readable, &rx);
	assert_non_null(w);
	loop_timer_add(L, 5, 0, on_remove_other, w);
	loop_timer_add(L, 50, 0, on_deadline, &timed_out);
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(timed_out, 1);
	assert_int_equal(rx.calls, 0);
	assert_int_equal(fcntl(sv[0], F_GETFD), -1);
	loop_free(L);
	close(sv[1]);
}

/* loop_free closes the fds of the watches still registered with
 * LOOP_F_CLOSE, and only those. */
static void
test_free_closes_fds(void **state)
{
	struct loop *L = new_loop();
	struct rx rx = {0};
	int a[2], b[2];

	(void)state;
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	assert_non_null(
		loop_add_fd(L, a[0], POLLIN, LOOP_F_CLOSE, on_readable, &rx));
	assert_non_null(loop_add_fd(L, b[0], POLLIN, 0, on_readable, &rx));
	loop_free(L);
	assert_int_equal(fcntl(a[0], F_GETFD), -1);
	assert_true(fcntl(b[0], F_GETFD) >= 0);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* File operations on the ring: each completion calls back with what the
 * syscall returns, outside the call that queued it, and the watches'
 * events still arrive in the same loop turns. */
struct ops {
	int res[3];
	int calls;
};

static void
on_op(struct loop *L, int res, void *arg)
{
	struct ops *o = arg;

	if (o->calls < 3)
		o->res[o->calls] = res;
	o->calls++;
	loop_stop(L);
}

static void
test_file_ops(void **state)
{
	struct loop *L = new_loop();
	struct ops o = {0};
	struct rx rx = {0};
	char path[] = "/tmp/test_loop_opsXXXXXX", got[16];
	static const char line[] = "{\"a\": 1}\n";
	int sv[2], timed_out = 0, fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_non_null(loop_add_fd(L, sv[0], POLLIN, 0, on_readable, &rx));
	assert_int_equal(write(sv[1], "hello", 5), 5);
	assert_int_equal(
		loop_fallocate(L, fd, FALLOC_FL_KEEP_SIZE, 0, 4096, on_op, &o),
		0);
	assert_int_equal(o.calls, 0); /* never inside the call */
	loop_timer_add(L, 5000, 0, on_deadline, &timed_out);
	/* The watch's event stops the loop first; the fallocate's
	 * completion may come in the same turn or the next. */
	assert_int_equal(loop_run(L), 0);
	assert_int_equal(rx.calls, 1);
	while (o.calls < 1 && !timed_out)
		assert_int_equal(loop_run(L), 0);
	assert_int_equal(o.res[0], 0);
	assert_int_equal(
		loop_write(L, fd, line, sizeof(line) - 1, 0, on_op, &o), 0);
	while (o.calls < 2 && !timed_out)
		assert_int_equal(loop_run(L), 0);
	assert_int_equal(o.res[1], (int)sizeof(line) - 1);
	assert_int_equal(loop_fsync(L, fd, on_op, &o), 0);
	while (o.calls < 3 && !timed_out)
		assert_int_equal(loop_run(L), 0);
	assert_int_equal(timed_out, 0);
	assert_int_equal(o.res[2], 0);
	assert_int_equal(pread(fd, got, sizeof(got), 0),
			 (ssize_t)sizeof(line) - 1);
	assert_memory_equal(got, line, sizeof(line) - 1);
	/* An error comes back as the syscall's errno. */
	o.calls = 0;
	assert_int_equal(loop_fsync(L, -1, on_op, &o), 0);
	assert_int_equal(loop_write(L, -1, line, 1, 0, on_op, &o), 0);
	assert_int_equal(loop_write(L, -1, line, 1, 0, on_op, &o), 0);
	while (o.calls < 3 && !timed_out)
		assert_int_equal(loop_run(L), 0);
	assert_int_equal(o.res[0], -EBADF);
	assert_int_equal(o.res[1], -EBADF);
	/* An operation still queued when the loop is freed is dropped
	 * without its callback (no use after free under ASan). */
	o.calls = 0;
	assert_int_equal(loop_fsync(L, fd, on_op, &o), 0);
	loop_free(L);
	assert_int_equal(o.calls, 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* ---- offload ---- */

struct task {
	pthread_t ran_on; /* set by run() */
	int block_fd; /* run() reads a byte from it first (-1: none) */
	int *done, *discarded;
};

static void
task_run(void *arg)
{
	struct task *t = arg;
	char b;

	t->ran_on = pthread_self();
	if (t->block_fd >= 0)
		assert_int_equal(read(t->block_fd, &b, 1), 1);
}

static void
task_done(void *arg)
{
	struct task *t = arg;

	/* On the loop thread, not the task's. */
	assert_false(pthread_equal(t->ran_on, pthread_self()));
	(*t->done)++;
}

static void
task_discard(void *arg)
{
	struct task *t = arg;

	__atomic_add_fetch(t->discarded, 1, __ATOMIC_SEQ_CST);
}

static void
stop_now(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(L);
}

/* Run the loop for about ms milliseconds. */
static void
spin(struct loop *L, unsigned ms)
{
	loop_timer_add(L, ms, 0, stop_now, NULL);
	assert_int_equal(loop_run(L), 0);
}

/* A task's completion reaches the loop; one abandoned never does, and
 * discards its result on its own thread when it finishes; one still
 * running when the offload is freed is orphaned and cleans up too. */
static void
test_offload(void **state)
{
	struct loop *L = new_loop();
	struct offload *o = offload_new(L);
	int done = 0, discarded = 0, gate[2];
	struct task a = {
		.block_fd = -1, .done = &done, .discarded = &discarded};
	struct task b = a, c = a;
	struct offload_task *tb;

	(void)state;
	assert_non_null(o);
	assert_int_equal(pipe(gate), 0);
	assert_int_equal(
		offload_run(o, task_run, task_done, task_discard, &a, NULL), 0);
	for (int i = 0; i < 100 && done == 0; i++)
		spin(L, 10);
	assert_int_equal(done, 1);
	assert_int_equal(discarded, 0);

	b.block_fd = gate[0];
	assert_int_equal(
		offload_run(o, task_run, task_done, task_discard, &b, &tb), 0);
	/* a's thread may still be on its way out: at least b runs. */
	assert_true(offload_running(o) >= 1);
	assert_true(offload_abandon(o, tb));
	assert_int_equal(offload_abandoned(o), 1);
	assert_int_equal(write(gate[1], "x", 1), 1);
	for (int i = 0;
	     i < 100 && __atomic_load_n(&discarded, __ATOMIC_SEQ_CST) == 0; i++)
		spin(L, 10);
	assert_int_equal(discarded, 1);
	assert_int_equal(done, 1); /* never delivered */
	assert_int_equal(offload_abandoned(o), 0);

	c.block_fd = gate[0];
	assert_int_equal(
		offload_run(o, task_run, task_done, task_discard, &c, NULL), 0);
	offload_free(o); /* c still runs: orphaned */
	assert_int_equal(write(gate[1], "x", 1), 1);
	for (int i = 0;
	     i < 200 && __atomic_load_n(&discarded, __ATOMIC_SEQ_CST) < 2; i++)
		usleep(5000);
	assert_int_equal(discarded, 2);
	assert_int_equal(done, 1);
	loop_free(L);
	close(gate[0]);
	close(gate[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_event_delivered),
		cmocka_unit_test(test_file_ops),
		cmocka_unit_test(test_offload),
		cmocka_unit_test(test_peer_close_delivered),
		cmocka_unit_test(test_ready_answer_before_due_timer),
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_periodic_timer),
		cmocka_unit_test(test_del_closes_fd),
		cmocka_unit_test(test_del_pending_watch),
		cmocka_unit_test(test_free_closes_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
