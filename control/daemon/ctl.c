/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.c - the CLI socket (ctl_proto.h): accept, read one request, run it,
 * queue the reply in chunks, send it as the client reads, close. With
 * --watch the connection stays open and a timer sends one frame of the
 * show command per interval, with rates between two successive reads of
 * the counters.
 *
 * No client can stall the daemon: every socket is non-blocking and watched
 * by the loop; a reply waits in the client's queue until the client reads
 * it (POLLOUT); a client that sends no request within CTL_REQUEST_MS, or
 * reads nothing of its reply for CTL_STALL_MS, is closed by the 1 s tick
 * (ctl_sweep). A request is one SOCK_SEQPACKET message: the kernel never
 * hands over half of one.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctld.h"
#include "ixg_json.h"

#define CTL_MAX_CLIENTS 64 /* connections open at once */
#define CTL_MAX_WATCHERS 8 /* of them watching: 2 counter sums each */
#define CTL_REQUEST_MS 5000 /* connect -> request */
#define CTL_STALL_MS 10000 /* reply unread that long: the client is gone */
#define CTL_WATCH_MAX_S 3600
#define CTL_WATCH_MAX_COUNT 1000000

/* One CLI connection. */
struct ctl_client {
	struct ctld *D;
	int fd;
	struct loop_watch *w;
	unsigned events; /* what w polls for */
	bool got_request;
	bool done; /* close once the queue is sent */
	uint64_t deadline_ms; /* request, or progress of the queued reply */
	/* Queued reply messages (each a ctl_rep_hdr and its text), sent
	 * from out_off. */
	char *out;
	size_t out_len, out_off;

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

	struct ctl_client *next;
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
	if (h.magic != CTL_MAGIC || h.version != 1 || h.len != len ||
	    h.argc == 0 || h.argc > CTL_MAX_ARGS)
		return -EBADMSG;
	for (i = 0; i < h.argc; i++) {
		char *end = memchr(buf + off, '\0', len - off);

		if (off >= len || end == NULL)
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

/* A change command's text as one JSON object; errors as {"error": first
 * line, "where": "file:line:col"} (ctl_proto.h). */
static void
text_to_json(const char *text, size_t len, int status, FILE *out)
{
	const char *nl = memchr(text, '\n', len);
	size_t first = nl != NULL ? (size_t)(nl - text) : len;
	const char *e = strstr(text, ": error: ");

	if (status == 0) {
		fputs("{\"ok\": true, \"message\": ", out);
		ixg_json_quoten(out, text, len);
		fputs("}\n", out);
		return;
	}
	fputs("{\"error\": ", out);
	if (e != NULL) {
		const char *ls = e;

		while (ls > text && ls[-1] != '\n')
			ls--;
		nl = strchr(e, '\n');
		ixg_json_quoten(out, e + 9,
				nl != NULL ? (size_t)(nl - e - 9)
					   : strlen(e + 9));
		fputs(", \"where\": ", out);
		ixg_json_quoten(out, ls, (size_t)(e - ls));
	} else {
		ixg_json_quoten(out, text, first);
	}
	fputs(", \"message\": ", out);
	ixg_json_quoten(out, text, len);
	fputs("}\n", out);
}

static bool
may_change(const struct ctld *D, uid_t uid)
{
	return uid == 0 || uid == D->uid;
}

/* One show command: the only call to ctl_show (show.c), present in builds
 * that have it. */
static int
run_show(struct ctld *D, int argc, char **argv, bool json, FILE *out)
{
#ifdef IXG_HAVE_SHOW
	return ctl_show(&D->st, argc, argv, json, out);
#else
	(void)D;
	(void)argc;
	(void)argv;
	fprintf(out, json ? "{\"error\": \"show: not in this build\"}\n"
			  : "show: not in this build\n");
	return 1;
#endif
}

static int
usage(FILE *out)
{
	fputs("usage: ixgatectl [--json] COMMAND\n"
	      "  show ... [--watch [SECONDS]] [--count N]\n"
	      "                                   read-only views (ixgatectl "
	      "show help)\n"
	      "  reload [--confirm-within SECONDS] re-read the config and "
	      "commit what changed\n"
	      "  confirm                          keep a reload done with "
	      "--confirm-within\n"
	      "  rollback                         commit the previous "
	      "configuration\n"
	      "  check [FILE]                     validate the config (or "
	      "FILE), commit nothing\n",
	      out);
	return 2;
}

/* Run one request (see ctld.h). Loop thread. */
int
ctl_dispatch(struct ctld *D, uid_t uid, int argc, char **argv, bool json,
	     FILE *out)
{
	const char *cmd = argv[0];
	char *text = NULL;
	size_t len = 0;
	FILE *t;
	int st;

	if (strcmp(cmd, "show") == 0)
		return run_show(D, argc, argv, json, out);
#ifdef IXG_HAVE_SHOW
	/* ixgatectl --help: the show commands this daemon has. */
	if (strcmp(cmd, "help") == 0 && argc == 1)
		return ctl_show_help(out, json);
#endif
	t = open_memstream(&text, &len);
	if (t == NULL)
		return 1;
	if (strcmp(cmd, "check") == 0 && argc <= 2) {
		st = ctld_check(D, argc == 2 ? argv[1] : NULL, t);
	} else if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "confirm") == 0 ||
		   strcmp(cmd, "rollback") == 0) {
		unsigned long s = 0;
		char *end = NULL;

		if (!may_change(D, uid)) {
			fprintf(t,
				"%s: permission denied: only root or uid %u "
				"may change the configuration\n",
				cmd, (unsigned)D->uid);
			st = 1;
		} else if (strcmp(cmd, "reload") == 0) {
			if (argc == 3 &&
			    strcmp(argv[1], "--confirm-within") == 0 &&
			    (s = strtoul(argv[2], &end, 10)) > 0 &&
			    *end == '\0' && s <= 86400)
				st = ctld_reload(D, uid, (unsigned)s, t);
			else if (argc == 1)
				st = ctld_reload(D, uid, 0, t);
			else
				st = usage(t);
		} else if (argc != 1) {
			st = usage(t);
		} else if (strcmp(cmd, "confirm") == 0) {
			st = ctld_confirm(D, uid, t);
		} else {
			st = ctld_rollback(D, uid, "rollback", t);
		}
	} else {
		st = usage(t);
	}
	fclose(t);
	if (json)
		text_to_json(text != NULL ? text : "", len, st, out);
	else if (len > 0)
		fwrite(text, 1, len, out);
	free(text);
	return st;
}

/* Append one reply message (header + text) to c's queue. */
static int
queue_msg(struct ctl_client *c, const char *text, size_t n, uint16_t flags,
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
		c->deadline_ms = loop_now_ms() + CTL_STALL_MS;
	c->out = p;
	memcpy(p + c->out_len, &h, sizeof(h));
	memcpy(p + c->out_len + sizeof(h), text, n);
	c->out_len += h.len;
	return 0;
}

/* Queue `text` as one reply (a watch frame, or the whole answer when
 * `last`): chunks of at most CTL_MSG_MAX, the last one flagged. */
static int
queue_reply(struct ctl_client *c, const char *text, size_t len, int status,
	    bool last)
{
	size_t room = CTL_MSG_MAX - sizeof(struct ctl_rep_hdr), off = 0;
	uint16_t end = last ? CTL_R_LAST | CTL_R_FRAME : CTL_R_FRAME;

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

static void on_client(struct loop *L, struct loop_watch *w, int fd,
		      unsigned revents, void *arg);

static void
client_free(struct ctl_client *c)
{
	struct ctld *D = c->D;
	struct ctl_client **pp;

	for (pp = &D->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	D->n_clients--;
	if (c->base != NULL)
		D->n_watchers--;
	loop_timer_del(D->loop, c->timer);
	loop_del_fd(D->loop, c->w);
	close(c->fd);
	free(c->out);
	free(c->req);
	free(c->base);
	free(c->cur);
	free(c);
}

/* Watch c->fd for `events` (POLLIN while a request may come, POLLOUT
 * while a reply waits in the queue). The loop has no "modify": a new
 * watch replaces the old one. */
static int
client_poll(struct ctl_client *c, unsigned events)
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
client_flush(struct ctl_client *c)
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
		c->deadline_ms = loop_now_ms() + CTL_STALL_MS;
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

/* Run `show` for a watch frame (or a plain request when r is NULL) into
 * a memory stream and queue it. */
static int
queue_show(struct ctl_client *c, const struct ctl_rates *r, bool last)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int st, rc;

	if (out == NULL)
		return -ENOMEM;
#ifdef IXG_HAVE_SHOW
	st = ctl_show_rates(&c->D->st, c->argc, c->argv, c->json, r, out);
#else
	(void)r;
	st = run_show(c->D, c->argc, c->argv, c->json, out);
#endif
	fclose(out);
	rc = queue_reply(c, text != NULL ? text : "", len, st, last || st != 0);
	free(text);
	if (st != 0)
		c->done = true;
	return rc;
}

/* One watch frame: read the counters, rates against the previous read. */
static int
watch_frame(struct ctl_client *c)
{
	const struct ctl_state *st = &c->D->st;
	struct ctl_rates r = {.watch_s = c->interval_ms / 1000.0};
	uint64_t now_ms = loop_now_ms();
	struct ixg_lcore_counters *t;
	bool have = false, last;

	r.frame = ++c->frame;
	last = c->count != 0 && c->frame >= c->count;
#ifdef IXG_HAVE_SHOW
	have = ctl_counters_sum(st, c->cur) == 0;
#endif
	if (have) {
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
	struct ctl_client *c = arg;

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
watch_args(struct ctl_client *c, char *err, size_t errlen)
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
				    v > CTL_WATCH_MAX_S) {
					snprintf(err, errlen,
						 "--watch: '%s' is not a "
						 "number of seconds in 1..%d",
						 c->argv[i], CTL_WATCH_MAX_S);
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
			if (*end != '\0' || v == 0 || v > CTL_WATCH_MAX_COUNT) {
				snprintf(err, errlen,
					 "--count: '%s' is not a number in "
					 "1..%d",
					 c->argv[i], CTL_WATCH_MAX_COUNT);
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
#ifdef IXG_HAVE_SHOW
	if (!ctl_show_watchable(c->argc, c->argv)) {
		char list[160];

		snprintf(err, errlen,
			 "--watch: 'show %s' has no counters to watch (%s do)",
			 c->argc > 1 ? c->argv[1] : "",
			 ctl_show_watchable_list(list, sizeof(list)));
		return 2;
	}
#endif
	return 0;
}

/* An error reply in the request's mode: text, or {"error": ...}. */
static void
queue_error(struct ctl_client *c, const char *msg, int status)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return;
	if (c->json)
		text_to_json(msg, strlen(msg), status, out);
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
watch_start(struct ctl_client *c)
{
	struct ctld *D = c->D;

	if (D->n_watchers >= CTL_MAX_WATCHERS) {
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
	D->n_watchers++;
	c->timer = loop_timer_add(D->loop, c->interval_ms, c->interval_ms,
				  on_watch_tick, c);
	if (c->timer == NULL)
		return -ENOMEM;
	return watch_frame(c);
}

/* The request of c (one message of n bytes in c->req). */
static int
client_request(struct ctl_client *c, size_t n)
{
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	char err[256];
	uint16_t flags = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int st, rc;

	c->got_request = true;
	c->deadline_ms = loop_now_ms() + CTL_STALL_MS;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0)
		return -errno;
	if (ctl_parse_request(c->req, n, &c->argc, c->argv, &flags) < 0) {
		queue_error(c,
			    "malformed request (ixgatectl and ixgate-control "
			    "versions differ?)",
			    2);
		return 0;
	}
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
	out = open_memstream(&text, &len);
	if (out == NULL)
		return -ENOMEM;
	st = ctl_dispatch(c->D, cr.uid, c->argc, c->argv, c->json, out);
	fclose(out);
	rc = queue_reply(c, text != NULL ? text : "", len, st, true);
	free(text);
	c->done = true;
	return rc;
}

static void
on_client(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	  void *arg)
{
	struct ctl_client *c = arg;
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
ctl_sweep(struct ctld *D)
{
	uint64_t now = loop_now_ms();
	struct ctl_client *c = D->clients, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		/* A watcher waiting for its next frame is not late. */
		if (now >= c->deadline_ms &&
		    (!c->got_request || c->out_len > 0))
			client_free(c);
	}
}

/* Close every client (see ctld.h). Loop thread, or after the loop. */
void
ctl_close_all(struct ctld *D)
{
	while (D->clients != NULL)
		client_free(D->clients);
}

/* Accept CLI connections (see ctld.h). Loop thread. */
void
ctl_on_accept(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	      void *arg)
{
	struct ctld *D = arg;
	int s;

	(void)L;
	(void)w;
	(void)revents;
	while ((s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >=
	       0) {
		struct ctl_client *c;

		if (D->n_clients >= CTL_MAX_CLIENTS) {
			static const char busy[] =
				"ixgate-control: too many CLI connections "
				"open; try again later\n";
			struct ctl_rep_hdr h = {
				.magic = CTL_MAGIC,
				.flags = CTL_R_LAST,
				.status = 1,
				.len = sizeof(h) + sizeof(busy) - 1,
			};
			char m[sizeof(h) + sizeof(busy)];

			memcpy(m, &h, sizeof(h));
			memcpy(m + sizeof(h), busy, sizeof(busy) - 1);
			/* A fresh socket's buffer is empty: this never
			 * blocks, and the client learns why. */
			send(s, m, h.len, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(s);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(s);
			continue;
		}
		c->D = D;
		c->fd = s;
		c->deadline_ms = loop_now_ms() + CTL_REQUEST_MS;
		c->next = D->clients;
		D->clients = c;
		D->n_clients++;
		if (client_poll(c, POLLIN) < 0)
			client_free(c);
	}
}
