/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli_socket.c - the CLI socket (ctl_proto.h): accept, read one request,
 * hand it to cli_commands.c, queue the answer in chunks, send it as the
 * client reads, close. With --watch the connection stays open and a timer
 * sends one frame of the show command per interval, with rates between two
 * successive reads of the counters. An answer that comes later (a commit
 * job, a check) is deferred: the client gets a keep-alive line every
 * second meanwhile, so ixgatectl's receive timeout tells a slow answer
 * from a dead daemon.
 *
 * No client can stall the daemon or lock out its operators:
 * - every socket is non-blocking and watched by the loop; a reply waits in
 *   the client's queue until the client reads it (POLLOUT); a client that
 *   sends no request within CLI_REQUEST_MS, or reads nothing of its reply
 *   for CLI_STALL_MS, is closed by the 1 s tick (cli_sweep);
 * - at most CLI_MAX_CLIENTS connections, of which CLI_RESERVED only for
 *   root and the daemon's uid, and at most max_per_uid for any other uid;
 * - a refused connection gets its refusal as a reply and is kept (at most
 *   CLI_REFUSED_LINGER_MS; the oldest makes room when CLI_MAX_REFUSED
 *   linger) until its request arrives or it hangs up: closing a socket
 *   with an unread request makes the kernel reset it, and the client
 *   would see no reply at all;
 * - every refusal is logged (at most 10 lines per 10 s, then a count).
 * A request is one SOCK_SEQPACKET message: the kernel never hands over
 * half of one.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctld.h"

#define CLI_MAX_CLIENTS 64 /* connections open at once */
#define CLI_RESERVED 8 /* of them, only for root and the daemon's uid */
#define CLI_MAX_WATCHERS 8 /* watching: 2 counter sums each */
#define CLI_MAX_REFUSED 64 /* refused, waiting for their request */
#define CLI_REFUSED_LINGER_MS 2000
#define CLI_REQUEST_MS 5000 /* connect -> request */
#define CLI_STALL_MS 10000 /* reply unread that long: the client is gone */
#define CLI_PROGRESS_MS 1000 /* keep-alive while an answer is deferred */
#define CLI_WATCH_MAX_S 3600
#define CLI_WATCH_MAX_COUNT 1000000
#define REFUSAL_LOG_WINDOW_MS 10000
#define REFUSAL_LOG_LINES 10

/* One CLI connection. */
struct cli_client {
	struct ctld *D;
	int fd;
	struct loop_watch *w;
	unsigned events; /* what w polls for */
	struct cli_caller caller;
	uint16_t version; /* of the request: 2 understands CTL_R_PROGRESS */
	bool got_request;
	bool in_request; /* on_client runs its request: it flushes after */
	bool done; /* close once the queue is sent */
	uint64_t deadline_ms; /* request, or progress of the queued reply */
	/* Queued reply messages (each a ctl_rep_hdr and its text), sent
	 * from out_off. */
	char *out;
	size_t out_len, out_off;
	/* JSON mode: the text said so far, for the final object. */
	char *said;
	size_t said_len;

	/* A deferred answer. */
	void *owner;
	cli_detach_fn detach;
	cli_progress_fn progress;
	struct loop_timer *progress_timer;

	/* --watch */
	struct loop_timer *timer;
	char *req; /* the request: argv points into it */
	int argc;
	char *argv[CTL_MAX_ARGS + 1];
	bool json;
	unsigned interval_ms, frame;
	unsigned long count; /* frames to send, 0: until interrupted */
	struct ixg_lcore_counters *base, *cur; /* last read, this read */
	bool base_valid;
	uint64_t base_ms, base_epoch;

	struct cli_client *next;
};

struct refused {
	int fd;
	uint64_t until_ms;
	struct loop_watch *w;
};

struct cli {
	int fd;
	struct loop_watch *w;
	struct cli_client *clients;
	unsigned n_clients, n_watchers;
	struct refused refused[CLI_MAX_REFUSED];
	uint64_t refused_total;
	uint64_t log_window_ms;
	unsigned log_lines, log_dropped;
};

/* Parse a request (see ctld.h). Any thread. */
int
ctl_parse_request(char *buf, size_t len, int *argc, char **argv,
		  uint16_t *flags)
{
	struct ctl_req_hdr h;
	size_t off = sizeof(h);
	uint32_t i;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != CTL_MAGIC || h.version < 1 || h.version > CTL_VERSION ||
	    h.len != len || h.argc == 0 || h.argc > CTL_MAX_ARGS)
		return -EBADMSG;
	for (i = 0; i < h.argc; i++) {
		char *end;

		if (off >= len)
			return -EBADMSG;
		end = memchr(buf + off, '\0', len - off);
		if (end == NULL)
			return -EBADMSG;
		argv[i] = buf + off;
		off = (size_t)(end - buf) + 1;
	}
	if (off != len)
		return -EBADMSG;
	argv[h.argc] = NULL;
	*argc = (int)h.argc;
	*flags = h.flags;
	return 0;
}

/* Who is on the other end: uid, gid, pid, supplementary groups. */
static int
read_caller(const struct ctld *D, int fd, struct cli_caller *who)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t groups[64];

	memset(who, 0, sizeof(*who));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	who->uid = cr.uid;
	who->gid = cr.gid;
	who->pid = cr.pid;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		who->n_groups = len / sizeof(gid_t);
	memcpy(who->groups, groups, who->n_groups * sizeof(gid_t));
	who->privileged = cr.uid == 0 || cr.uid == D->uid;
	return 0;
}

static bool
caller_in_group(const struct cli_caller *who, gid_t g)
{
	if (who->gid == g)
		return true;
	for (unsigned i = 0; i < who->n_groups; i++)
		if (who->groups[i] == g)
			return true;
	return false;
}

/* Append one reply message (header + text) to c's queue. */
static int
queue_msg(struct cli_client *c, const char *text, size_t n, uint16_t flags,
	  int status)
{
	struct ctl_rep_hdr h = {
		.magic = CTL_MAGIC,
		.flags = flags,
		.status = (int16_t)status,
		.len = (uint32_t)(sizeof(h) + n),
	};
	char *p = realloc(c->out, c->out_len + h.len);

	if (p == NULL)
		return -ENOMEM;
	/* The client's time to read starts when there is something to. */
	if (c->out_len == 0)
		c->deadline_ms = loop_now_ms() + CLI_STALL_MS;
	c->out = p;
	memcpy(p + c->out_len, &h, sizeof(h));
	memcpy(p + c->out_len + sizeof(h), text, n);
	c->out_len += h.len;
	return 0;
}

/* Queue `text` as messages of at most CTL_MSG_MAX, the last one with
 * `end` (CTL_R_* flags). */
static int
queue_text(struct cli_client *c, const char *text, size_t len, int status,
	   uint16_t end)
{
	size_t room = CTL_MSG_MAX - sizeof(struct ctl_rep_hdr), off = 0;

	do {
		size_t n = len - off < room ? len - off : room;
		int rc = queue_msg(c, text + off, n, off + n == len ? end : 0,
				   status);

		if (rc < 0)
			return rc;
		off += n;
	} while (off < len);
	return 0;
}

/* Queue `text` as one reply (a watch frame, or the whole answer when
 * `last`). */
static int
queue_reply(struct cli_client *c, const char *text, size_t len, int status,
	    bool last)
{
	return queue_text(c, text, len, status,
			  last ? CTL_R_LAST | CTL_R_FRAME : CTL_R_FRAME);
}

static void on_client(struct loop *L, struct loop_watch *w, int fd,
		      unsigned revents, void *arg);

static void
client_free(struct cli_client *c)
{
	struct ctld *D = c->D;
	struct cli *S = D->cli;
	struct cli_client **pp;

	for (pp = &S->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	S->n_clients--;
	if (c->base != NULL)
		S->n_watchers--;
	if (c->detach != NULL)
		c->detach(c->owner);
	loop_timer_del(D->loop, c->timer);
	loop_timer_del(D->loop, c->progress_timer);
	loop_del_fd(D->loop, c->w);
	close(c->fd);
	free(c->out);
	free(c->said);
	free(c->req);
	free(c->base);
	free(c->cur);
	free(c);
}

/* Watch c->fd for `events` (POLLIN while a request may come, POLLOUT
 * while a reply waits in the queue). The loop has no "modify": a new
 * watch replaces the old one. */
static int
client_poll(struct cli_client *c, unsigned events)
{
	if (c->w != NULL && c->events == events)
		return 0;
	loop_del_fd(c->D->loop, c->w);
	c->w = loop_add_fd(c->D->loop, c->fd, events, 0, on_client, c);
	c->events = events;
	return c->w != NULL ? 0 : -ENOMEM;
}

/* Send what the client will take now; poll for POLLOUT if it must wait.
 * Frees c (returns -1) once a finished reply is sent or on error. */
static int
client_flush(struct cli_client *c)
{
	while (c->out_off < c->out_len) {
		struct ctl_rep_hdr h;
		ssize_t n;

		memcpy(&h, c->out + c->out_off, sizeof(h));
		n = send(c->fd, c->out + c->out_off, h.len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n != (ssize_t)h.len) {
			client_free(c);
			return -1;
		}
		c->out_off += h.len;
		c->deadline_ms = loop_now_ms() + CLI_STALL_MS;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->done) {
			client_free(c);
			return -1;
		}
	}
	/* POLLIN too while watching: it reports the client hanging up. */
	if (client_poll(c, c->out_len > 0 ? POLLOUT : POLLIN) < 0) {
		client_free(c);
		return -1;
	}
	return 0;
}

/* ---- answers (see ctld.h) ---- */

const struct cli_caller *
cli_client_caller(const struct cli_client *c)
{
	return &c->caller;
}

static void
on_progress(struct loop *L, struct loop_timer *t, void *arg)
{
	struct cli_client *c = arg;
	char line[256];

	(void)L;
	(void)t;
	if (c->progress == NULL || c->out_len > 0)
		return; /* the client has something to read already */
	c->progress(c->owner, line, sizeof(line));
	if (queue_msg(c, line, strlen(line), CTL_R_PROGRESS, 0) == 0)
		client_flush(c);
}

void
cli_client_defer(struct cli_client *c, void *owner, cli_detach_fn detach,
		 cli_progress_fn progress)
{
	c->owner = owner;
	c->detach = detach;
	c->progress = progress;
	loop_timer_del(c->D->loop, c->progress_timer);
	c->progress_timer = NULL;
	/* Keep-alives only for an ixgatectl that knows to skip them. */
	if (progress != NULL && c->version >= 2)
		c->progress_timer = loop_timer_add(c->D->loop, CLI_PROGRESS_MS,
						   CLI_PROGRESS_MS, on_progress,
						   c);
	/* Nothing to read while the answer is being made: not stalled. */
	c->deadline_ms = UINT64_MAX;
}

void
cli_client_say(struct cli_client *c, const char *text, size_t len)
{
	if (len == 0)
		return;
	if (c->json || !c->got_request || c->owner == NULL) {
		char *p = realloc(c->said, c->said_len + len);

		if (p == NULL)
			return;
		memcpy(p + c->said_len, text, len);
		c->said = p;
		c->said_len += len;
		return;
	}
	/* Human mode, deferred answer: each line as it happens. */
	if (queue_text(c, text, len, 0, 0) == 0 && !c->in_request)
		client_flush(c);
}

void
cli_client_finish(struct cli_client *c, int status)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	loop_timer_del(c->D->loop, c->progress_timer);
	c->progress_timer = NULL;
	c->owner = NULL;
	c->detach = NULL;
	c->progress = NULL;
	c->done = true;
	if (c->json) {
		f = open_memstream(&text, &len);
		if (f != NULL) {
			ctl_text_to_json(c->said != NULL ? c->said : "",
					 c->said_len, status, f);
			fclose(f);
		}
		queue_reply(c, text != NULL ? text : "", len, status, true);
		free(text);
	} else {
		queue_reply(c, c->said != NULL ? c->said : "", c->said_len,
			    status, true);
	}
	free(c->said);
	c->said = NULL;
	c->said_len = 0;
	if (!c->in_request)
		client_flush(c);
}

void
cli_client_answer(struct cli_client *c, const char *text, size_t len,
		  int status)
{
	loop_timer_del(c->D->loop, c->progress_timer);
	c->progress_timer = NULL;
	c->owner = NULL;
	c->detach = NULL;
	c->progress = NULL;
	c->done = true;
	queue_reply(c, text, len, status, true);
	if (!c->in_request)
		client_flush(c);
}

/* ---- --watch ---- */

/* Run `show` for a watch frame (or a plain request when r is NULL) into
 * a memory stream and queue it. */
static int
queue_show(struct cli_client *c, const struct ctl_rates *r, bool last)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int st, rc;

	if (out == NULL)
		return -ENOMEM;
	st = ctl_show_rates(&c->D->st, c->argc, c->argv, c->json, r, out);
	fclose(out);
	rc = queue_reply(c, text != NULL ? text : "", len, st, last || st != 0);
	free(text);
	if (st != 0)
		c->done = true;
	return rc;
}

/* One watch frame: read the counters, rates against the previous read. */
static int
watch_frame(struct cli_client *c)
{
	const struct ctl_state *st = &c->D->st;
	struct ctl_rates r = {.watch_s = c->interval_ms / 1000.0};
	uint64_t now_ms = loop_now_ms();
	struct ixg_lcore_counters *t;
	bool last;

	r.frame = ++c->frame;
	last = c->count != 0 && c->frame >= c->count;
	if (ctl_counters_sum(st, c->cur) == 0) {
		r.c = c->cur;
		if (c->base_valid && c->base_epoch == st->dp_epoch) {
			r.prev = c->base;
			r.now = c->cur;
			r.dt = (double)(now_ms - c->base_ms) / 1000.0;
		} else if (c->frame == 1 && st->sum_now_epoch == st->dp_epoch &&
			   st->sum_prev_epoch == st->dp_epoch) {
			/* The first frame comes at once, with the rates the
			 * loop sampled over the last second. */
			r.prev = st->sum_prev;
			r.now = st->sum_now;
			r.dt = st->sample_interval_s;
		}
		t = c->base;
		c->base = c->cur;
		c->cur = t;
		c->base_valid = true;
		c->base_ms = now_ms;
		c->base_epoch = st->dp_epoch;
	} else {
		c->base_valid = false;
	}
	if (queue_show(c, &r, last) < 0)
		return -ENOMEM;
	if (last)
		c->done = true;
	return 0;
}

static void
on_watch_tick(struct loop *L, struct loop_timer *t, void *arg)
{
	struct cli_client *c = arg;

	(void)L;
	(void)t;
	/* A client still reading the last frame gets no new one: the next
	 * frame's rates then span the longer interval, still exact. */
	if (c->out_len > 0 || c->done)
		return;
	if (watch_frame(c) < 0) {
		client_free(c);
		return;
	}
	client_flush(c);
}

/* "--watch [SECONDS]" and "--count N" out of argv (anywhere after the
 * command). 0, or 2 (usage) with the reason in err. */
static int
watch_args(struct cli_client *c, char *err, size_t errlen)
{
	int i, k = 0;

	for (i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		char *end;
		unsigned long v;

		if (strcmp(a, "--watch") == 0) {
			c->interval_ms = 1000;
			if (i + 1 < c->argc && c->argv[i + 1][0] >= '0' &&
			    c->argv[i + 1][0] <= '9') {
				v = strtoul(c->argv[++i], &end, 10);
				if (*end != '\0' || v == 0 ||
				    v > CLI_WATCH_MAX_S) {
					snprintf(err, errlen,
						 "--watch: '%s' is not a "
						 "number of seconds in 1..%d",
						 c->argv[i], CLI_WATCH_MAX_S);
					return 2;
				}
				c->interval_ms = (unsigned)v * 1000;
			}
		} else if (strcmp(a, "--count") == 0) {
			if (i + 1 >= c->argc) {
				snprintf(err, errlen, "--count needs a number");
				return 2;
			}
			v = strtoul(c->argv[++i], &end, 10);
			if (*end != '\0' || v == 0 || v > CLI_WATCH_MAX_COUNT) {
				snprintf(err, errlen,
					 "--count: '%s' is not a number in "
					 "1..%d",
					 c->argv[i], CLI_WATCH_MAX_COUNT);
				return 2;
			}
			c->count = v;
		} else {
			c->argv[k++] = c->argv[i];
		}
	}
	c->argv[k] = NULL;
	c->argc = k;
	if (c->count != 0 && c->interval_ms == 0) {
		snprintf(err, errlen, "--count goes with --watch");
		return 2;
	}
	if (c->interval_ms == 0)
		return 0;
	if (strcmp(c->argv[0], "show") != 0) {
		snprintf(err, errlen, "--watch repeats show commands only");
		return 2;
	}
	if (!ctl_show_watchable(c->argc, c->argv)) {
		char list[160];

		snprintf(err, errlen,
			 "--watch: 'show %s' has no counters to watch (%s do)",
			 c->argc > 1 ? c->argv[1] : "",
			 ctl_show_watchable_list(list, sizeof(list)));
		return 2;
	}
	return 0;
}

/* An error reply in the request's mode: text, or {"error": ...}. */
static void
queue_error(struct cli_client *c, const char *msg, int status)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return;
	if (c->json)
		ctl_text_to_json(msg, strlen(msg), status, out);
	else
		fprintf(out, "%s\n", msg);
	fclose(out);
	queue_reply(c, text != NULL ? text : "", len, status, true);
	free(text);
	c->done = true;
}

/* Start a --watch session: two counter sums, the first frame at once,
 * then a frame every interval. */
static int
watch_start(struct cli_client *c)
{
	struct ctld *D = c->D;

	if (D->cli->n_watchers >= CLI_MAX_WATCHERS) {
		queue_error(
			c,
			"--watch: too many watching clients; try again later",
			1);
		return 0;
	}
	c->base = malloc(sizeof(*c->base));
	c->cur = malloc(sizeof(*c->cur));
	if (c->base == NULL || c->cur == NULL)
		return -ENOMEM;
	D->cli->n_watchers++;
	c->timer = loop_timer_add(D->loop, c->interval_ms, c->interval_ms,
				  on_watch_tick, c);
	if (c->timer == NULL)
		return -ENOMEM;
	return watch_frame(c);
}

/* The request of c (one message of n bytes in c->req). */
static int
client_request(struct cli_client *c, size_t n)
{
	struct ctl_req_hdr h;
	char err[256];
	uint16_t flags = 0;
	int st;

	c->got_request = true;
	c->deadline_ms = loop_now_ms() + CLI_STALL_MS;
	if (ctl_parse_request(c->req, n, &c->argc, c->argv, &flags) < 0) {
		queue_error(c,
			    "malformed request (ixgatectl and ixgate-control "
			    "versions differ?)",
			    2);
		return 0;
	}
	memcpy(&h, c->req, sizeof(h));
	c->version = h.version;
	c->json = flags & CTL_F_JSON;
	for (int k = 0; k < c->argc; k++)
		if (strcmp(c->argv[k], "--json") == 0)
			c->json = true;
	st = watch_args(c, err, sizeof(err));
	if (st != 0) {
		queue_error(c, err, st);
		return 0;
	}
	if (c->interval_ms != 0)
		return watch_start(c);
	c->in_request = true;
	cli_command(c->D, c, c->argc, c->argv, c->json);
	c->in_request = false;
	return 0;
}

static void
on_client(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	  void *arg)
{
	struct cli_client *c = arg;
	ssize_t n;

	(void)L;
	(void)w;
	if (c->got_request) {
		/* Only the reply's progress, or the client leaving. */
		if (revents & (POLLHUP | POLLERR)) {
			client_free(c);
			return;
		}
		if (revents & POLLIN) {
			char b[64];

			/* Nothing more is expected: a second request is
			 * a protocol error, EOF is the client leaving. */
			n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
			if (n >= 0 || (errno != EAGAIN && errno != EINTR)) {
				client_free(c);
				return;
			}
		}
		client_flush(c);
		return;
	}
	c->req = malloc(CTL_MSG_MAX);
	if (c->req == NULL) {
		client_free(c);
		return;
	}
	n = recv(fd, c->req, CTL_MSG_MAX, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		free(c->req);
		c->req = NULL;
		return;
	}
	if (n <= 0 || client_request(c, (size_t)n) < 0) {
		client_free(c);
		return;
	}
	client_flush(c);
}

/* Close clients past their deadline (see ctld.h). Loop thread. */
void
cli_sweep(struct ctld *D)
{
	struct cli *S = D->cli;
	uint64_t now = loop_now_ms();
	struct cli_client *c = S->clients, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		/* A watcher waiting for its next frame is not late. */
		if (now >= c->deadline_ms &&
		    (!c->got_request || c->out_len > 0))
			client_free(c);
	}
	for (unsigned i = 0; i < CLI_MAX_REFUSED; i++) {
		struct refused *r = &S->refused[i];

		if (r->fd >= 0 && now >= r->until_ms) {
			loop_del_fd(D->loop, r->w);
			close(r->fd);
			r->fd = -1;
		}
	}
}

unsigned
cli_clients(const struct ctld *D)
{
	return D->cli != NULL ? D->cli->n_clients : 0;
}

uint64_t
cli_refused(const struct ctld *D)
{
	return D->cli != NULL ? D->cli->refused_total : 0;
}

/* ---- refusals ---- */

static void
log_refusal(struct ctld *D, const struct cli_caller *who, const char *why)
{
	struct cli *S = D->cli;
	uint64_t now = loop_now_ms();

	S->refused_total++;
	if (now - S->log_window_ms >= REFUSAL_LOG_WINDOW_MS) {
		if (S->log_dropped > 0)
			ctld_log(D,
				 "CLI: %u more connections refused in the "
				 "last %d s (not logged one by one)",
				 S->log_dropped, REFUSAL_LOG_WINDOW_MS / 1000);
		S->log_window_ms = now;
		S->log_lines = 0;
		S->log_dropped = 0;
	}
	if (S->log_lines >= REFUSAL_LOG_LINES) {
		S->log_dropped++;
		return;
	}
	S->log_lines++;
	ctld_log(D, "CLI: refused a connection from uid %u gid %u pid %d: %s",
		 (unsigned)who->uid, (unsigned)who->gid, (int)who->pid, why);
}

/* The refused client's request came (or it hung up): close now, with its
 * receive queue empty, so the refusal already sent is not reset away. */
static void
on_refused(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	   void *arg)
{
	struct refused *r = arg;
	char junk[CTL_MSG_MAX];
	ssize_t n;

	(void)revents;
	(void)w;
	do
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
	while (n > 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR) &&
	    !(revents & (POLLHUP | POLLERR)))
		return;
	loop_del_fd(L, r->w);
	close(r->fd);
	r->fd = -1;
}

static void
refuse(struct ctld *D, int s, const struct cli_caller *who, const char *why)
{
	struct cli *S = D->cli;
	char m[512];
	struct ctl_rep_hdr h = {
		.magic = CTL_MAGIC, .flags = CTL_R_LAST, .status = 1};
	int n = snprintf(m + sizeof(h), sizeof(m) - sizeof(h),
			 "ixgate-control: %s; try again later\n", why);
	unsigned i;

	log_refusal(D, who, why);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(m) - sizeof(h))
		n = (int)(sizeof(m) - sizeof(h));
	h.len = (uint32_t)(sizeof(h) + (size_t)n);
	memcpy(m, &h, sizeof(h));
	/* A fresh socket's buffer is empty: this never blocks. */
	send(s, m, h.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(s, SHUT_WR);
	for (i = 0; i < CLI_MAX_REFUSED; i++)
		if (S->refused[i].fd < 0)
			break;
	if (i == CLI_MAX_REFUSED) {
		/* All slots lingering: the oldest has had its refusal longest;
		 * drain what it sent (so its close resets nothing) and take its
		 * slot. */
		unsigned old = 0;
		char junk[CTL_MSG_MAX];

		for (i = 1; i < CLI_MAX_REFUSED; i++)
			if (S->refused[i].until_ms < S->refused[old].until_ms)
				old = i;
		i = old;
		while (recv(S->refused[i].fd, junk, sizeof(junk),
			    MSG_DONTWAIT) > 0)
			;
		loop_del_fd(D->loop, S->refused[i].w);
		close(S->refused[i].fd);
		S->refused[i].fd = -1;
	}
	S->refused[i].fd = s;
	S->refused[i].until_ms = loop_now_ms() + CLI_REFUSED_LINGER_MS;
	S->refused[i].w = loop_add_fd(D->loop, s, POLLIN, 0, on_refused,
				      &S->refused[i]);
	if (S->refused[i].w == NULL) {
		close(s);
		S->refused[i].fd = -1;
	}
}

/* May `who` have a connection now? NULL, or why not. */
static const char *
admit(struct ctld *D, const struct cli_caller *who, char *buf, size_t len)
{
	struct cli *S = D->cli;
	unsigned mine = 0;

	if (who->privileged)
		return S->n_clients < CLI_MAX_CLIENTS
			       ? NULL
			       : "too many CLI connections open";
	if (D->have_ctl_gid && !caller_in_group(who, D->ctl_gid)) {
		snprintf(buf, len, "uid %u is not in the CLI group (gid %u)",
			 (unsigned)who->uid, (unsigned)D->ctl_gid);
		return buf;
	}
	if (S->n_clients >= CLI_MAX_CLIENTS - CLI_RESERVED)
		return "too many CLI connections open (the rest are kept for "
		       "root)";
	for (struct cli_client *c = S->clients; c != NULL; c = c->next)
		if (c->caller.uid == who->uid)
			mine++;
	if (mine >= D->max_per_uid) {
		snprintf(buf, len, "too many CLI connections from uid %u (%u)",
			 (unsigned)who->uid, D->max_per_uid);
		return buf;
	}
	return NULL;
}

/* Accept CLI connections. Loop thread. */
static void
on_accept(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	  void *arg)
{
	struct ctld *D = arg;
	struct cli *S = D->cli;
	int s;

	(void)L;
	(void)w;
	(void)revents;
	while ((s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >=
	       0) {
		struct cli_caller who;
		struct cli_client *c;
		const char *why;
		char buf[160];

		if (read_caller(D, s, &who) < 0) {
			close(s);
			continue;
		}
		why = admit(D, &who, buf, sizeof(buf));
		if (why != NULL) {
			refuse(D, s, &who, why);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(s);
			continue;
		}
		c->D = D;
		c->fd = s;
		c->caller = who;
		c->deadline_ms = loop_now_ms() + CLI_REQUEST_MS;
		c->next = S->clients;
		S->clients = c;
		S->n_clients++;
		if (client_poll(c, POLLIN) < 0)
			client_free(c);
	}
}

/*
 * Bind the CLI socket. A file already at the path is replaced only if it
 * is a socket nobody answers on (left by a dead daemon): a regular file
 * named by mistake is never unlinked.
 */
static int
listen_cli(struct ctld *D, char *err, size_t errlen)
{
	const char *path = D->ctl_path;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat sb;
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--ctl-socket %s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen,
				 "--ctl-socket %s: exists and is not a socket; "
				 "not replacing it",
				 path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0) {
			if (connect(probe, (struct sockaddr *)&sa,
				    sizeof(sa)) == 0) {
				close(probe);
				snprintf(err, errlen,
					 "--ctl-socket %s: another "
					 "ixgate-control serves it",
					 path);
				return -EADDRINUSE;
			}
			close(probe);
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* 0660 from the first moment: no window at the umask's mode. */
	if (fchmod(fd, 0660) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail_fd;
	if ((D->have_ctl_gid && chown(path, (uid_t)-1, D->ctl_gid) < 0) ||
	    chmod(path, 0660) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		unlink(path);
		errno = e;
		goto fail_fd;
	}
	return fd;
fail_fd:
	close(fd);
fail:
	snprintf(err, errlen, "--ctl-socket %s: %s", path, strerror(errno));
	return -errno;
}

/* Warn when the group cannot reach the socket through its directory. */
static void
check_dir(struct ctld *D)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *p;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s", D->ctl_path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return;
	*p = '\0';
	if (stat(dir, &sb) < 0)
		return;
	if ((sb.st_mode & S_IXOTH) ||
	    (D->have_ctl_gid && sb.st_gid == D->ctl_gid &&
	     (sb.st_mode & S_IXGRP)))
		return;
	ctld_log(D,
		 "warning: %s is mode %04o (uid %u gid %u): only its owner%s "
		 "can reach %s; the CLI group needs search permission on it "
		 "(systemd: RuntimeDirectoryMode=0755)",
		 dir, (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
		 (unsigned)sb.st_gid,
		 (sb.st_mode & S_IXGRP) ? " and its group" : "", D->ctl_path);
}

/* Start the CLI socket (see ctld.h). Main thread. */
int
cli_start(struct ctld *D, char *err, size_t errlen)
{
	struct cli *S = calloc(1, sizeof(*S));
	int rc;

	if (S == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < CLI_MAX_REFUSED; i++)
		S->refused[i].fd = -1;
	D->cli = S;
	if (D->max_per_uid == 0)
		D->max_per_uid = 8;
	rc = listen_cli(D, err, errlen);
	if (rc < 0)
		return rc;
	S->fd = rc;
	S->w = loop_add_fd(D->loop, S->fd, POLLIN, LOOP_F_CLOSE, on_accept, D);
	if (S->w == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	check_dir(D);
	return 0;
}

/* Stop the CLI socket (see ctld.h). Main thread, after the loop. */
void
cli_stop(struct ctld *D)
{
	struct cli *S = D->cli;

	if (S == NULL)
		return;
	while (S->clients != NULL)
		client_free(S->clients);
	for (unsigned i = 0; i < CLI_MAX_REFUSED; i++)
		if (S->refused[i].fd >= 0) {
			loop_del_fd(D->loop, S->refused[i].w);
			close(S->refused[i].fd);
		}
	loop_del_fd(D->loop, S->w);
	unlink(D->ctl_path);
	free(S);
	D->cli = NULL;
}
