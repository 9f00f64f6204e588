/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offload.c - tasks on threads of their own, completions on the loop (see
 * offload.h).
 *
 * Shared between the loop and the task threads, under `mu`: the list of
 * finished tasks waiting for the loop, each task's state, and the counts.
 * A finished task is put on the list and the eventfd is written; the loop's
 * watch reads the eventfd and calls done() for every task on the list.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "loop.h"
#include "offload.h"

enum task_state { T_RUNNING, T_FINISHED, T_ABANDONED };

struct offload_task {
	struct offload *o;
	offload_run_fn run;
	offload_done_fn done;
	offload_discard_fn discard;
	void *arg;
	enum task_state state;
	struct offload_task *next; /* on the finished list */
};

struct offload {
	pthread_mutex_t mu;
	int efd;
	struct loop *L;
	struct loop_watch *w;
	struct offload_task *finished, **finished_tail;
	unsigned running, abandoned;
	bool orphaned; /* offload_free ran: the last task frees o */
};

static void
offload_destroy(struct offload *o)
{
	while (o->finished != NULL) {
		struct offload_task *t = o->finished;

		o->finished = t->next;
		/* Finished but never delivered: nobody will want it now. */
		if (t->discard != NULL)
			t->discard(t->arg);
		free(t);
	}
	close(o->efd);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

static void *
task_main(void *p)
{
	struct offload_task *t = p;
	struct offload *o = t->o;
	uint64_t one = 1;
	bool last = false;

	t->run(t->arg);
	pthread_mutex_lock(&o->mu);
	if (t->state == T_ABANDONED || o->orphaned) {
		if (t->state == T_ABANDONED)
			o->abandoned--;
		o->running--;
		last = o->orphaned && o->running == 0;
		pthread_mutex_unlock(&o->mu);
		if (t->discard != NULL)
			t->discard(t->arg);
		free(t);
		if (last)
			offload_destroy(o);
		return NULL;
	}
	t->state = T_FINISHED;
	t->next = NULL;
	*o->finished_tail = t;
	o->finished_tail = &t->next;
	pthread_mutex_unlock(&o->mu);
	/* Cannot fail short of a counter overflow (2^64 - 1 writes). Still
	 * counted as running: o (and its eventfd) outlive this write. */
	if (write(o->efd, &one, sizeof(one)) < 0) {
	}
	pthread_mutex_lock(&o->mu);
	o->running--;
	last = o->orphaned && o->running == 0;
	pthread_mutex_unlock(&o->mu);
	if (last)
		offload_destroy(o);
	return NULL;
}

static void
on_eventfd(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	   void *arg)
{
	struct offload *o = arg;
	struct offload_task *list;
	uint64_t n;

	(void)L;
	(void)w;
	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: another turn already took the list. */
	}
	pthread_mutex_lock(&o->mu);
	list = o->finished;
	o->finished = NULL;
	o->finished_tail = &o->finished;
	pthread_mutex_unlock(&o->mu);
	while (list != NULL) {
		struct offload_task *t = list;

		list = t->next;
		t->done(t->arg);
		free(t);
	}
}

/* New offload (see offload.h). Loop thread. */
struct offload *
offload_new(struct loop *L)
{
	struct offload *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->efd < 0) {
		free(o);
		return NULL;
	}
	pthread_mutex_init(&o->mu, NULL);
	o->finished_tail = &o->finished;
	o->L = L;
	o->w = loop_add_fd(L, o->efd, POLLIN, 0, on_eventfd, o);
	if (o->w == NULL) {
		int e = errno;

		close(o->efd);
		pthread_mutex_destroy(&o->mu);
		free(o);
		errno = e;
		return NULL;
	}
	return o;
}

/* Free (see offload.h). Loop thread, after loop_run. */
void
offload_free(struct offload *o)
{
	bool now;

	if (o == NULL)
		return;
	loop_del_fd(o->L, o->w);
	pthread_mutex_lock(&o->mu);
	o->orphaned = true;
	now = o->running == 0;
	pthread_mutex_unlock(&o->mu);
	if (now)
		offload_destroy(o);
}

/* Start a task (see offload.h). Loop thread. */
int
offload_run(struct offload *o, offload_run_fn run, offload_done_fn done,
	    offload_discard_fn discard, void *arg, struct offload_task **task)
{
	struct offload_task *t = calloc(1, sizeof(*t));
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (t == NULL)
		return -ENOMEM;
	t->o = o;
	t->run = run;
	t->done = done;
	t->discard = discard;
	t->arg = arg;
	t->state = T_RUNNING;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&o->mu);
	o->running++;
	pthread_mutex_unlock(&o->mu);
	rc = pthread_create(&tid, &attr, task_main, t);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_lock(&o->mu);
		o->running--;
		pthread_mutex_unlock(&o->mu);
		free(t);
		return -rc;
	}
	if (task != NULL)
		*task = t;
	return 0;
}

/* Abandon a task (see offload.h). Loop thread. */
bool
offload_abandon(struct offload *o, struct offload_task *t)
{
	bool abandoned = false;

	pthread_mutex_lock(&o->mu);
	if (t->state == T_RUNNING) {
		t->state = T_ABANDONED;
		o->abandoned++;
		abandoned = true;
	}
	pthread_mutex_unlock(&o->mu);
	return abandoned;
}

/* Counts (see offload.h). Loop thread. */
unsigned
offload_running(const struct offload *o)
{
	struct offload *m = (struct offload *)o;
	unsigned n;

	pthread_mutex_lock(&m->mu);
	n = m->running;
	pthread_mutex_unlock(&m->mu);
	return n;
}

unsigned
offload_abandoned(const struct offload *o)
{
	struct offload *m = (struct offload *)o;
	unsigned n;

	pthread_mutex_lock(&m->mu);
	n = m->abandoned;
	pthread_mutex_unlock(&m->mu);
	return n;
}
