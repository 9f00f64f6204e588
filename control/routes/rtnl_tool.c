/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgate-rtnl - the kernel route reader of ixgate-control, alone.
 *
 *   ixgate-rtnl dump  -t TABLE [-t TABLE...] [-4|-6] [--json]
 *       dump the tables once (as the daemon does at start) and print
 *       every route, then the dump's time and rate on stderr.
 *   ixgate-rtnl watch -t TABLE... [--batch-ms MS] [--rcvbuf BYTES]
 *                     [--state FILE] [--changes FILE] [--ready FILE]
 *                     [--seconds S]
 *       follow the tables on ixgate-control's io_uring event loop; write
 *       every change batch to --changes (default stdout); on SIGUSR1 and
 *       at exit write the mirror and the counters as JSON to --state
 *       (SIGUSR2: the counters only, "routes" empty);
 *       create --ready once the first dump is applied. A change is
 *       "OP PREFIX FIRST_NS FLUSH_NS | OLD | NEW" (OP: + - ~), without
 *       the routes with --brief. --proto NAME
 *       (repeatable, dump too) follows only routes of that protocol.
 *   ixgate-rtnl churn -t TABLE --prefixes N --rate R --seconds S
 *                     --gw ADDR [--gw ADDR...] [--base PREFIX] [--log FILE]
 *       the benchmarks' route writer: N /24 (or /48) prefixes from BASE,
 *       R changes per second (add, replace with another gateway, delete),
 *       each send timestamped in --log (CLOCK_MONOTONIC, the clock the
 *       reader stamps its batches with).
 *   ixgate-rtnl write -t TABLE --file FILE
 *       the benchmarks' bulk writer: "+ PREFIX GW" / "- PREFIX GW" lines,
 *       256 netlink messages per send, only errors answered.
 *
 * Exit status: 0, 1 on a runtime error, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "loop.h"
#include "rtnl_reader.h"

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Interface names, looked up once per index (if_indextoname() is a
 * syscall; a full table names a handful of interfaces 733k times). */
static const char *
ifname_of(uint32_t ifindex, char *name)
{
	static struct {
		uint32_t ifindex;
		char name[IF_NAMESIZE];
	} cache[64];
	unsigned slot = ifindex % 64;

	if (cache[slot].ifindex != ifindex || ifindex == 0) {
		if (if_indextoname(ifindex, cache[slot].name) == NULL)
			return NULL;
		cache[slot].ifindex = ifindex;
	}
	memcpy(name, cache[slot].name, IF_NAMESIZE);
	return name;
}

static int verbose;

static void
log_cb(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= LOG_INFO || verbose)
		fprintf(stderr, "%s\n", msg);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: ixgate-rtnl dump  -t TABLE [-t TABLE...] [-4|-6] "
		   "[--proto P...] [--json]\n"
		   "       ixgate-rtnl watch -t TABLE [-t TABLE...] [-4|-6] "
		   "[--proto P...]\n"
		   "                         [--batch-ms MS] [--rcvbuf BYTES] "
		   "[--state FILE]\n"
		   "                         [--changes FILE] [--ready FILE] "
		   "[--seconds S]\n"
		   "                         [--scan S] [--brief] [-v]\n"
		   "       ixgate-rtnl churn -t TABLE --prefixes N --rate R "
		   "--seconds S\n"
		   "                         --gw ADDR [--gw ADDR...] "
		   "[--base PREFIX] [--log FILE]\n"
		   "       ixgate-rtnl write -t TABLE --file FILE   (lines "
		   "\"+|- PREFIX GATEWAY\")\n");
}

/* ---- JSON ----------------------------------------------------------- */

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_route(FILE *f, const struct rtnl_route *r)
{
	char p[50], tb[12], a[INET6_ADDRSTRLEN], name[IF_NAMESIZE];
	unsigned i;

	fprintf(f, "{\"dst\":");
	json_str(f, r->dst_len == 0 ? "default"
				    : rtnl_prefix_str(r->family, r->dst,
						      r->dst_len, p));
	fprintf(f, ",\"family\":%u,\"type\":", r->family == AF_INET ? 4 : 6);
	json_str(f, rtnl_type_name(r->type, tb));
	fprintf(f, ",\"table\":%u,\"protocol\":", r->table);
	json_str(f, rtnl_proto_name(r->protocol, tb));
	fprintf(f, ",\"metric\":%u,\"tos\":%u,\"scope\":%u", r->priority,
		r->tos, r->scope);
	if (r->src_len > 0) {
		fprintf(f, ",\"src\":");
		json_str(f, rtnl_prefix_str(r->family, r->src, r->src_len, p));
	}
	if (inet_ntop(r->family, r->prefsrc, a, sizeof(a)) != NULL &&
	    strcmp(a, "0.0.0.0") != 0 && strcmp(a, "::") != 0) {
		fprintf(f, ",\"prefsrc\":");
		json_str(f, a);
	}
	if (r->nh_id != 0)
		fprintf(f, ",\"nhid\":%u", r->nh_id);
	fprintf(f, ",\"nexthops\":[");
	for (i = 0; i < r->n_nh; i++) {
		const struct rtnl_nexthop *nh = &r->nh[i];

		fprintf(f, "%s{", i ? "," : "");
		if (nh->gw_family != 0 &&
		    inet_ntop(nh->gw_family, nh->gw, a, sizeof(a)) != NULL) {
			fprintf(f, "\"gateway\":");
			json_str(f, a);
			fprintf(f, ",");
		}
		if (nh->ifindex != 0) {
			fprintf(f, "\"dev\":");
			json_str(f, if_indextoname(nh->ifindex, name) ? name
								      : "?");
			fprintf(f, ",");
		}
		fprintf(f, "\"weight\":%u,\"flags\":%u}", nh->weight,
			nh->flags);
	}
	fprintf(f, "]}");
}

struct walk_json {
	FILE *f;
	unsigned n;
};

static void
walk_json_cb(void *arg, const struct rtnl_route *r)
{
	struct walk_json *w = arg;

	fprintf(w->f, "%s\n  ", w->n++ ? "," : "");
	json_route(w->f, r);
}

static void
walk_text_cb(void *arg, const struct rtnl_route *r)
{
	char line[1024];

	rtnl_route_format(r, line, sizeof(line), ifname_of);
	fprintf(arg, "%s\n", line);
}

static void
json_stats(FILE *f, const struct rtnl_stats *st)
{
	const char *names[64], *descs[64];
	const uint64_t *vals[64];
	unsigned n = rtnl_stats_fields(names, descs, vals, 64, st), i;

	fprintf(f, "{");
	for (i = 0; i < n && i < 64; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", names[i],
			*vals[i]);
	fprintf(f, ",\"malformed_by\":{");
	for (i = 0; i < RTNL_ERR_MAX; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", rtnl_err_name(i),
			st->malformed_by[i]);
	fprintf(f, "}}");
}

/* The mirror and counters as one JSON document, written atomically. */
static int
write_state(const char *path, const struct rtnl_reader *r, bool routes)
{
	const struct rtnl_store *s = rtnl_reader_store(r);
	char tmp[4096];
	struct walk_json w;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "ixgate-rtnl: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f,
		"{\"synced\":%s,\"dumping\":%s,\"routes4\":%" PRIu64
		",\"routes6\":%" PRIu64 ",\"stats\":",
		rtnl_reader_synced(r) ? "true" : "false",
		rtnl_reader_dumping(r) ? "true" : "false",
		rtnl_store_routes(s, AF_INET), rtnl_store_routes(s, AF_INET6));
	json_stats(f, rtnl_reader_stats(r));
	fprintf(f, ",\"routes\":[");
	w.f = f;
	w.n = 0;
	if (routes)
		rtnl_store_walk(s, walk_json_cb, &w);
	fprintf(f, "\n]}\n");
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "ixgate-rtnl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- options -------------------------------------------------------- */

struct opts {
	struct rtnl_reader_config cfg;
	bool json, brief;
	const char *state, *changes, *ready, *log;
	double seconds;
	unsigned prefixes, rate;
	const char *base;
	char gws[8][INET6_ADDRSTRLEN];
	unsigned n_gws;
};

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *s != '\0' && *end == '\0' && *out <= max ? 0 : -1;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"table", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"batch-ms", required_argument, NULL, 'b'},
		{"rcvbuf", required_argument, NULL, 'r'},
		{"state", required_argument, NULL, 'S'},
		{"changes", required_argument, NULL, 'c'},
		{"ready", required_argument, NULL, 'R'},
		{"seconds", required_argument, NULL, 's'},
		{"scan", required_argument, NULL, 'n'},
		{"prefixes", required_argument, NULL, 'p'},
		{"rate", required_argument, NULL, 'q'},
		{"base", required_argument, NULL, 'B'},
		{"gw", required_argument, NULL, 'g'},
		{"log", required_argument, NULL, 'l'},
		{"file", required_argument, NULL, 'l'},
		{"proto", required_argument, NULL, 'P'},
		{"brief", no_argument, NULL, 'k'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "t:46v", lo, NULL)) != -1) {
		const char *bad = NULL;

		switch (c) {
		case 't':
			if (parse_uint(optarg, UINT32_MAX, &v) < 0 || v == 0 ||
			    o->cfg.n_tables == RTNL_MAX_TABLES)
				bad = "table";
			else
				o->cfg.tables[o->cfg.n_tables++] = (uint32_t)v;
			break;
		case '4': o->cfg.ipv4 = true; break;
		case '6': o->cfg.ipv6 = true; break;
		case 'v': verbose = 1; break;
		case 'j': o->json = true; break;
		case 'k': o->brief = true; break;
		case 'b':
			if (parse_uint(optarg, 60000, &v) < 0 || v == 0)
				bad = "batch-ms";
			o->cfg.batch_ms = (unsigned)v;
			break;
		case 'r':
			if (parse_uint(optarg, INT32_MAX, &v) < 0)
				bad = "rcvbuf";
			o->cfg.rcvbuf = (int)v;
			break;
		case 'n':
			if (parse_uint(optarg, 86400, &v) < 0)
				bad = "scan";
			o->cfg.scan_s = (unsigned)v;
			break;
		case 'P': {
			int p = rtnl_proto_parse(optarg);

			if (p < 0 ||
			    o->cfg.n_protocols == sizeof(o->cfg.protocols))
				bad = "proto";
			else
				o->cfg.protocols[o->cfg.n_protocols++] =
					(uint8_t)p;
			break;
		}
		case 'S': o->state = optarg; break;
		case 'c': o->changes = optarg; break;
		case 'R': o->ready = optarg; break;
		case 'l': o->log = optarg; break;
		case 'B': o->base = optarg; break;
		case 's':
			o->seconds = strtod(optarg, NULL);
			if (!(o->seconds > 0))
				bad = "seconds";
			break;
		case 'p':
			if (parse_uint(optarg, 1u << 24, &v) < 0 || v == 0)
				bad = "prefixes";
			o->prefixes = (unsigned)v;
			break;
		case 'q':
			if (parse_uint(optarg, 10000000, &v) < 0 || v == 0)
				bad = "rate";
			o->rate = (unsigned)v;
			break;
		case 'g':
			if (o->n_gws == 8)
				bad = "gw (at most 8)";
			else
				snprintf(o->gws[o->n_gws++], sizeof(o->gws[0]),
					 "%s", optarg);
			break;
		default: usage(stderr); return -1;
		}
		if (bad != NULL) {
			fprintf(stderr, "ixgate-rtnl: bad --%s '%s'\n", bad,
				optarg);
			return -1;
		}
	}
	if (o->cfg.n_tables == 0) {
		fprintf(stderr, "ixgate-rtnl: -t TABLE is required\n");
		return -1;
	}
	return 0;
}

/* ---- dump ----------------------------------------------------------- */

struct dump_run {
	uint64_t t0, t_synced;
	bool done;
};

static void
dump_batch(void *arg, const struct rtnl_batch *b)
{
	struct dump_run *d = arg;

	if (b->full) {
		d->t_synced = mono_ns();
		d->done = true;
	}
}

static int
cmd_dump(struct opts *o)
{
	struct dump_run d = {0};
	struct rtnl_reader *r;
	const struct rtnl_store *s;
	uint64_t deadline;
	double secs;
	int rc = 0;

	o->cfg.on_batch = dump_batch;
	o->cfg.log = log_cb;
	o->cfg.arg = &d;
	d.t0 = mono_ns();
	r = rtnl_reader_new(&o->cfg);
	if (r == NULL) {
		fprintf(stderr, "ixgate-rtnl: %s\n", strerror(errno));
		return 1;
	}
	deadline = d.t0 + 120ull * 1000000000ull;
	while (!d.done && mono_ns() < deadline) {
		struct pollfd pfd = {.fd = rtnl_reader_fd(r), .events = POLLIN};

		if (poll(&pfd, 1, 100) > 0 && rtnl_reader_readable(r) < 0)
			break;
		rtnl_reader_tick(r);
	}
	if (!d.done) {
		fprintf(stderr, "ixgate-rtnl: no complete dump in 120 s\n");
		rtnl_reader_free(r);
		return 1;
	}
	s = rtnl_reader_store(r);
	if (o->json) {
		struct walk_json w = {stdout, 0};

		printf("[");
		rtnl_store_walk(s, walk_json_cb, &w);
		printf("\n]\n");
	} else {
		rtnl_store_walk(s, walk_text_cb, stdout);
	}
	secs = (double)(d.t_synced - d.t0) / 1e9;
	fprintf(stderr,
		"dump: %" PRIu64 " IPv4 + %" PRIu64 " IPv6 routes (%" PRIu64
		" + %" PRIu64 " prefixes) in %.3f s: %.0f routes/s; %" PRIu64
		" malformed, %" PRIu64 " redone\n",
		rtnl_store_routes(s, AF_INET), rtnl_store_routes(s, AF_INET6),
		rtnl_store_prefixes(s, AF_INET),
		rtnl_store_prefixes(s, AF_INET6), secs,
		(double)(rtnl_store_routes(s, AF_INET) +
			 rtnl_store_routes(s, AF_INET6)) /
			(secs > 0 ? secs : 1e-9),
		rtnl_reader_stats(r)->malformed,
		rtnl_reader_stats(r)->dump_redo);
	if (fflush(stdout) != 0)
		rc = 1;
	rtnl_reader_free(r);
	return rc;
}

/* ---- watch ---------------------------------------------------------- */

struct watch {
	struct loop *L;
	struct rtnl_reader *r;
	struct loop_timer *timer;
	uint64_t timer_at;
	FILE *changes;
	const struct opts *o;
	bool ready_done;
};

static void
route_brief(const struct rtnl_route *r, char *buf, size_t len)
{
	if (r == NULL)
		snprintf(buf, len, "-");
	else
		rtnl_route_format(r, buf, len, ifname_of);
}

static void
watch_batch(void *arg, const struct rtnl_batch *b)
{
	struct watch *w = arg;
	char p[50], ob[1024], nb[1024];
	uint32_t i;

	fprintf(w->changes, "batch %" PRIu64 " %s %u %" PRIu64 "\n", b->seq,
		b->full ? "full" : "delta", b->n, b->flush_ns);
	for (i = 0; i < b->n; i++) {
		const struct rtnl_change *c = &b->changes[i];
		char op = c->old_best == NULL	? '+'
			  : c->new_best == NULL ? '-'
						: '~';

		if (w->o->brief) {
			fprintf(w->changes, "%c %s %" PRIu64 " %" PRIu64 "\n",
				op,
				rtnl_prefix_str(c->family, c->dst, c->len, p),
				c->first_ns, b->flush_ns);
			continue;
		}
		route_brief(c->old_best, ob, sizeof(ob));
		route_brief(c->new_best, nb, sizeof(nb));
		fprintf(w->changes, "%c %s %" PRIu64 " %" PRIu64 " | %s | %s\n",
			op, rtnl_prefix_str(c->family, c->dst, c->len, p),
			c->first_ns, b->flush_ns, ob, nb);
	}
	fflush(w->changes);
}

static void arm_timer(struct watch *w);

static void
watch_timer(struct loop *L, struct loop_timer *t, void *arg)
{
	struct watch *w = arg;

	(void)L;
	(void)t;
	w->timer = NULL;
	w->timer_at = 0;
	rtnl_reader_tick(w->r);
	arm_timer(w);
}

static void
check_ready(struct watch *w)
{
	FILE *f;

	if (w->ready_done || w->o->ready == NULL || !rtnl_reader_synced(w->r))
		return;
	w->ready_done = true;
	f = fopen(w->o->ready, "w");
	if (f != NULL)
		fclose(f);
}

/* One timer at the reader's next deadline. */
static void
arm_timer(struct watch *w)
{
	uint64_t d = rtnl_reader_deadline(w->r), now = mono_ns(), ms;

	check_ready(w);
	if (d == UINT64_MAX)
		return;
	if (w->timer != NULL && w->timer_at <= d)
		return;
	if (w->timer != NULL)
		loop_timer_del(w->L, w->timer);
	ms = d > now ? (d - now + 999999) / 1000000 : 0;
	w->timer = loop_timer_add(w->L, ms, 0, watch_timer, w);
	w->timer_at = w->timer != NULL ? d : 0;
}

static void
watch_readable(struct loop *L, struct loop_watch *lw, int fd, unsigned revents,
	       void *arg)
{
	struct watch *w = arg;

	(void)L;
	(void)lw;
	(void)fd;
	(void)revents;
	rtnl_reader_readable(w->r);
	arm_timer(w);
}

static void
watch_signal(struct loop *L, struct loop_watch *lw, int fd, unsigned revents,
	     void *arg)
{
	struct watch *w = arg;
	struct signalfd_siginfo si;

	(void)lw;
	(void)revents;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2) {
			if (w->o->state != NULL)
				write_state(w->o->state, w->r,
					    si.ssi_signo == SIGUSR1);
		} else {
			loop_stop(L);
		}
	}
}

static void
watch_end(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(L);
}

static int
cmd_watch(struct opts *o)
{
	struct watch w = {0};
	sigset_t mask;
	int sfd, rc = 0;

	w.o = o;
	w.changes = stdout;
	if (o->changes != NULL) {
		w.changes = fopen(o->changes, "w");
		if (w.changes == NULL) {
			fprintf(stderr, "ixgate-rtnl: %s: %s\n", o->changes,
				strerror(errno));
			return 1;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	w.L = loop_new(64);
	if (sfd < 0 || w.L == NULL) {
		fprintf(stderr, "ixgate-rtnl: event loop: %s\n",
			strerror(errno));
		return 1;
	}
	o->cfg.on_batch = watch_batch;
	o->cfg.log = log_cb;
	o->cfg.arg = &w;
	w.r = rtnl_reader_new(&o->cfg);
	if (w.r == NULL) {
		fprintf(stderr, "ixgate-rtnl: %s\n", strerror(errno));
		loop_free(w.L);
		return 1;
	}
	if (loop_add_fd(w.L, rtnl_reader_fd(w.r), POLLIN, 0, watch_readable,
			&w) == NULL ||
	    loop_add_fd(w.L, sfd, POLLIN, LOOP_F_CLOSE, watch_signal, &w) ==
		    NULL ||
	    (o->seconds > 0 &&
	     loop_timer_add(w.L, (uint64_t)(o->seconds * 1000), 0, watch_end,
			    &w) == NULL)) {
		fprintf(stderr, "ixgate-rtnl: event loop: %s\n",
			strerror(errno));
		rc = 1;
	} else if (loop_run(w.L) < 0) {
		fprintf(stderr, "ixgate-rtnl: event loop failed\n");
		rc = 1;
	}
	rtnl_reader_flush(w.r);
	if (o->state != NULL && write_state(o->state, w.r, true) < 0)
		rc = 1;
	loop_free(w.L);
	rtnl_reader_free(w.r);
	if (w.changes != stdout)
		fclose(w.changes);
	return rc;
}

/* ---- churn ---------------------------------------------------------- */

struct churn_prefix {
	uint8_t present; /* 0 absent, else 1 + gateway index */
};

/* Prefix number idx of the churn set: /24s (IPv4) or /48s (IPv6) counted
 * up from base. */
static void
churn_dst(const uint8_t *base, int family, uint32_t idx, uint8_t *dst)
{
	uint32_t a;

	memcpy(dst, base, 16);
	if (family == AF_INET) {
		memcpy(&a, base, 4);
		a = htonl(ntohl(a) + (idx << 8));
		memcpy(dst, &a, 4);
	} else {
		memcpy(&a, base + 2, 4);
		a = htonl(ntohl(a) + idx);
		memcpy(dst + 2, &a, 4);
	}
}

static int
churn_drain(struct mnl_socket *nl, uint64_t *errors)
{
	char buf[16384];
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf),
			 MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int rem = (int)n;

		for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				if (e->error != 0 && ++*errors <= 5)
					fprintf(stderr,
						"ixgate-rtnl churn: kernel "
						"refused a change: %s\n",
						strerror(-e->error));
			}
	}
	return n < 0 && errno != EAGAIN ? -errno : 0;
}

static int
cmd_churn(struct opts *o)
{
	struct rtnl_route base = {0};
	struct rtnl_nexthop gws[8];
	struct churn_prefix *st;
	struct mnl_socket *nl;
	char *buf;
	FILE *log = NULL;
	uint64_t t0, sent = 0, errors = 0, total, rng = 0x9e3779b97f4a7c15ull;
	unsigned i, plen;
	int family;
	char pbuf[64], *slash;
	const size_t bufsz = 1 << 20;
	const unsigned tick_us = 1000;

	if (o->prefixes == 0 || o->rate == 0 || o->seconds <= 0 ||
	    o->n_gws == 0) {
		fprintf(stderr, "ixgate-rtnl churn: --prefixes, --rate, "
				"--seconds and --gw are required\n");
		return 2;
	}
	snprintf(pbuf, sizeof(pbuf), "%s",
		 o->base ? o->base
			 : (strchr(o->gws[0], ':') ? "2001:db8:1000::/36"
						   : "100.64.0.0/10"));
	slash = strchr(pbuf, '/');
	if (slash != NULL)
		*slash = '\0';
	family = strchr(pbuf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, pbuf, base.dst) != 1) {
		fprintf(stderr, "ixgate-rtnl churn: bad --base '%s'\n",
			o->base);
		return 2;
	}
	plen = family == AF_INET ? 24 : 48;
	if (o->prefixes > (1u << (family == AF_INET ? 16 : 20))) {
		fprintf(stderr, "ixgate-rtnl churn: too many prefixes\n");
		return 2;
	}
	memset(gws, 0, sizeof(gws));
	for (i = 0; i < o->n_gws; i++) {
		if (inet_pton(family, o->gws[i], gws[i].gw) != 1) {
			fprintf(stderr, "ixgate-rtnl churn: bad --gw '%s'\n",
				o->gws[i]);
			return 2;
		}
		gws[i].gw_family = (uint8_t)family;
		gws[i].weight = 1;
	}
	base.family = (uint8_t)family;
	base.dst_len = (uint8_t)plen;
	base.type = RTN_UNICAST;
	base.protocol = RTPROT_BGP;
	base.table = o->cfg.tables[0];
	base.n_nh = 1;

	st = calloc(o->prefixes, sizeof(*st));
	buf = malloc(bufsz);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (st == NULL || buf == NULL || nl == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "ixgate-rtnl churn: %s\n", strerror(errno));
		return 1;
	}
	if (o->log != NULL && (log = fopen(o->log, "w")) == NULL) {
		fprintf(stderr, "ixgate-rtnl churn: %s: %s\n", o->log,
			strerror(errno));
		return 1;
	}
	total = (uint64_t)(o->rate * o->seconds);
	t0 = mono_ns();
	while (sent < total) {
		uint64_t due = (uint64_t)((double)(mono_ns() - t0) / 1e9 *
					  o->rate) +
			       1;
		size_t off = 0;
		uint64_t t_send;
		unsigned n = 0;
		struct {
			uint32_t idx;
			char op;
		} ops[4096];

		if (due > total)
			due = total;
		while (sent + n < due && n < 4096 && off + 512 < bufsz) {
			struct rtnl_route r = base;
			struct rtnl_nexthop nh;
			uint32_t idx, k;
			uint16_t type, flags;
			size_t len;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			idx = (uint32_t)(rng % o->prefixes);
			churn_dst(base.dst, family, idx, r.dst);
			if (st[idx].present && (rng >> 32) % 3 == 0) {
				type = RTM_DELROUTE;
				flags = NLM_F_REQUEST;
				nh = gws[st[idx].present - 1];
				st[idx].present = 0;
				ops[n].op = '-';
			} else {
				k = st[idx].present ? st[idx].present % o->n_gws
						    : (uint32_t)((rng >> 40) %
								 o->n_gws);
				type = RTM_NEWROUTE;
				flags = NLM_F_REQUEST | NLM_F_CREATE |
					NLM_F_REPLACE;
				nh = gws[k];
				ops[n].op = st[idx].present ? '~' : '+';
				st[idx].present = (uint8_t)(k + 1);
			}
			r.nh = &nh;
			len = rtnl_build_route(buf + off, bufsz - off, type,
					       flags, (uint32_t)(sent + n + 1),
					       &r);
			if (len == 0)
				break;
			ops[n].idx = idx;
			off += NLMSG_ALIGN(len);
			n++;
		}
		if (n > 0) {
			t_send = mono_ns();
			if (mnl_socket_sendto(nl, buf, off) < 0) {
				fprintf(stderr, "ixgate-rtnl churn: send: %s\n",
					strerror(errno));
				return 1;
			}
			if (log != NULL)
				for (i = 0; i < n; i++) {
					uint8_t dst[16];
					char p[50];

					churn_dst(base.dst, family, ops[i].idx,
						  dst);
					fprintf(log, "%c %s %" PRIu64 "\n",
						ops[i].op,
						rtnl_prefix_str(family, dst,
								plen, p),
						t_send);
				}
			sent += n;
		}
		churn_drain(nl, &errors);
		if (sent < total)
			usleep(tick_us);
	}
	churn_drain(nl, &errors);
	fprintf(stderr,
		"churn: %" PRIu64 " changes in %.3f s (%.0f/s), %" PRIu64
		" refused\n",
		sent, (double)(mono_ns() - t0) / 1e9,
		(double)sent / ((double)(mono_ns() - t0) / 1e9), errors);
	if (log != NULL)
		fclose(log);
	mnl_socket_close(nl);
	free(st);
	free(buf);
	return errors > 0 ? 1 : 0;
}

/* ---- write ---------------------------------------------------------- */

/* Parse "PREFIX" into r (dst, dst_len, family); 0 or -1. */
static int
parse_prefix(const char *text, struct rtnl_route *r)
{
	char buf[64], *slash;
	unsigned long len;
	char *end;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	r->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	memset(r->dst, 0, sizeof(r->dst));
	if (inet_pton(r->family, buf, r->dst) != 1)
		return -1;
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > (r->family == AF_INET ? 32u : 128u))
		return -1;
	r->dst_len = (uint8_t)len;
	return 0;
}

/*
 * The benchmarks' bulk writer: lines "+ PREFIX GATEWAY" (add or replace)
 * and "- PREFIX GATEWAY" (delete) from --file into table -t, protocol
 * bird, 256 messages per sendmsg() without waiting for each answer (the
 * kernel reports only errors): how fast the kernel takes a full table,
 * and a reader's worst case.
 */
static int
cmd_write(struct opts *o)
{
	const size_t bufsz = 1 << 20;
	uint64_t t0, n = 0, errors = 0, bad = 0;
	struct mnl_socket *nl;
	char line[256], *buf;
	size_t off = 0;
	unsigned in_buf = 0;
	FILE *f;
	int sz = 8 << 20;

	if (o->log == NULL) {
		fprintf(stderr, "ixgate-rtnl write: --file FILE is required\n");
		return 2;
	}
	f = fopen(o->log, "r");
	buf = malloc(bufsz);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (f == NULL || buf == NULL || nl == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "ixgate-rtnl write: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &sz,
		   sizeof(sz));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz,
		   sizeof(sz));
	t0 = mono_ns();
	for (;;) {
		struct rtnl_route r = {0};
		struct rtnl_nexthop nh = {0};
		char op[4], pfx[64], gw[64];
		bool eof = fgets(line, sizeof(line), f) == NULL;
		size_t len;

		if (!eof) {
			if (sscanf(line, "%3s %63s %63s", op, pfx, gw) != 3 ||
			    (op[0] != '+' && op[0] != '-') ||
			    parse_prefix(pfx, &r) < 0 ||
			    inet_pton(r.family, gw, nh.gw) != 1) {
				if (++bad <= 5)
					fprintf(stderr,
						"ixgate-rtnl write: bad line: "
						"%s",
						line);
				continue;
			}
			nh.gw_family = r.family;
			nh.weight = 1;
			r.type = RTN_UNICAST;
			r.protocol = RTPROT_BIRD;
			r.table = o->cfg.tables[0];
			r.n_nh = 1;
			r.nh = &nh;
			len = rtnl_build_route(
				buf + off, bufsz - off,
				op[0] == '+' ? RTM_NEWROUTE : RTM_DELROUTE,
				op[0] == '+' ? NLM_F_REQUEST | NLM_F_CREATE |
						       NLM_F_REPLACE
					     : NLM_F_REQUEST,
				(uint32_t)++n, &r);
			off += NLMSG_ALIGN(len);
			in_buf++;
		}
		if ((eof && off > 0) || in_buf == 256) {
			if (mnl_socket_sendto(nl, buf, off) < 0) {
				fprintf(stderr, "ixgate-rtnl write: send: %s\n",
					strerror(errno));
				return 1;
			}
			off = 0;
			in_buf = 0;
			churn_drain(nl, &errors);
		}
		if (eof)
			break;
	}
	churn_drain(nl, &errors);
	fprintf(stderr,
		"write: %" PRIu64 " changes in %.3f s (%.0f/s), %" PRIu64
		" refused, %" PRIu64 " bad lines; start %" PRIu64
		" end %" PRIu64 "\n",
		n, (double)(mono_ns() - t0) / 1e9,
		(double)n / ((double)(mono_ns() - t0) / 1e9), errors, bad, t0,
		mono_ns());
	fclose(f);
	mnl_socket_close(nl);
	free(buf);
	return errors > 0 || bad > 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;

	memset(&o, 0, sizeof(o));
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	argv[1] = argv[0];
	if (parse_opts(argc - 1, argv + 1, &o) < 0)
		return 2;
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(&o);
	if (strcmp(cmd, "watch") == 0)
		return cmd_watch(&o);
	if (strcmp(cmd, "churn") == 0)
		return cmd_churn(&o);
	if (strcmp(cmd, "write") == 0)
		return cmd_write(&o);
	fprintf(stderr, "ixgate-rtnl: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
