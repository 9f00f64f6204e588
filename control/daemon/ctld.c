/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctld.c - ixgate-control's wiring and commits: the dataplane connection
 * (connect, retry every 500 ms, HELLO, adopt or re-commit), the 1 s tick
 * (counter samples for rates, the commit-confirmed deadline), signals
 * (SIGHUP reloads, SIGINT/SIGTERM stop), and reload / confirm / rollback /
 * check.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctld.h"
#include "ixg_log.h"
#include "ixg_wire.h"
#include "stats.h"

#define RECONNECT_MS 500
#define HELLO_TIMEOUT_MS 5000
#define COMMIT_TIMEOUT_MS 120000

static void say(struct ctld *D, FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* To the operator (out, may be NULL) and to the daemon's log. */
static void
say(struct ctld *D, FILE *out, const char *fmt, ...)
{
	char ts[32];
	time_t t = time(NULL);
	va_list ap;

	if (out != NULL && out != D->log) {
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		fputc('\n', out);
	}
	ixg_log_prefix(fileno(D->log), LOG_INFO, t, ts, sizeof(ts));
	fprintf(D->log, "%sixgate-control: ", ts);
	va_start(ap, fmt);
	vfprintf(D->log, fmt, ap);
	va_end(ap);
	fputc('\n', D->log);
	fflush(D->log);
}

static void
audit(struct ctld *D, int64_t who, const char *action, const uint8_t *sha,
      uint64_t gen, enum ctl_result res, const char *error,
      const struct ctl_diff *diff, double build_ms, double publish_ms)
{
	struct ctl_audit_rec r = {
		.time = time(NULL),
		.who = who,
		.action = action,
		.sha256 = sha,
		.generation = gen,
		.result = res,
		.error = error,
		.diff = diff,
		.build_ms = build_ms,
		.publish_ms = publish_ms,
	};
	int rc;

	if (D->audit_fd < 0)
		return;
	rc = ctl_audit_write(D->audit_fd, &r);
	if (rc < 0)
		say(D, NULL, "audit log: %s", strerror(-rc));
}

/* ---- the dataplane connection ---- */

static void api_down(struct ctld *D, const char *why);

static void
unmap_counters(struct ctld *D)
{
	if (D->st.counters != NULL)
		munmap((void *)D->st.counters, D->st.counters_size);
	D->st.counters = NULL;
	D->st.n_counter_blocks = 0;
	D->st.counters_size = 0;
}

static int
map_counters(struct ctld *D, int fd, const struct ixg_msg_hello_reply *h)
{
	struct stat sb;
	void *p;

	if (fd < 0 || fstat(fd, &sb) < 0 ||
	    h->counters_block_size != sizeof(struct ixg_lcore_counters) ||
	    h->counters_blocks == 0 ||
	    (uint64_t)h->counters_blocks * h->counters_block_size >
		    h->counters_size ||
	    (uint64_t)sb.st_size < h->counters_size)
		return -EINVAL;
	p = mmap(NULL, h->counters_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	D->st.counters = p;
	D->st.counters_size = h->counters_size;
	D->st.n_counter_blocks = h->counters_blocks;
	return 0;
}

/* The transaction itself: send what differs from `old` (NULL: all). */
static int
do_commit(struct ctld *D, const struct ctl_config *cfg,
	  const struct ixg_spec *old, int64_t who, const char *action,
	  FILE *out)
{
	struct ixg_msg_commit_reply rep;
	struct ctl_diff diff;
	char hex[65], where[512], err[1024], dtext[1024];
	uint64_t t0 = loop_now_ms();
	FILE *df;
	int rc;

	ctl_hex(cfg->sha256, hex);
	if (!D->st.dp_connected) {
		say(D, out,
		    "dataplane not connected (headless daemon): %s not "
		    "committed",
		    D->st.config_path);
		audit(D, who, action, cfg->sha256, D->st.dp_generation,
		      CTL_RES_FAILED, "dataplane not connected", NULL, 0, 0);
		return -1;
	}
	if (ctl_diff(old, &cfg->spec, &diff) < 0) {
		say(D, out, "out of memory comparing configurations");
		return -1;
	}
	df = fmemopen(dtext, sizeof(dtext), "w");
	if (df != NULL) {
		ctl_diff_text(&diff, df);
		fclose(df);
	} else {
		dtext[0] = '\0';
	}
	if (old != NULL && diff.changed_tables == 0 &&
	    memcmp(D->st.dp_hello.config_sha256, cfg->sha256, 32) == 0) {
		say(D, out,
		    "no change: generation %" PRIu64 " kept (sha256 %.16s)",
		    D->st.dp_generation, hex);
		return 0;
	}
	rc = dp_commit(D->api_fd, &D->api_seq, D->st.dp_generation, cfg->sha256,
		       &cfg->spec, diff.changed_tables, &rep,
		       COMMIT_TIMEOUT_MS);
	if (rc < 0) {
		say(D, out,
		    "commit failed: dataplane connection lost (%s); nothing "
		    "changed",
		    strerror(-rc));
		audit(D, who, action, cfg->sha256, D->st.dp_generation,
		      CTL_RES_FAILED, "dataplane connection lost", &diff, 0, 0);
		api_down(D, "connection lost during a commit");
		return -1;
	}
	if (rep.status != IXG_ST_OK) {
		uint32_t origin = ctl_spec_origin(&cfg->spec, rep.err_table,
						  rep.err_index);

		if (origin == UINT32_MAX)
			origin = rep.err_origin;
		if (rep.err_table != 0 && origin != UINT32_MAX &&
		    ixg_conf_origin(cfg->conf, origin, where, sizeof(where)) ==
			    0)
			snprintf(err, sizeof(err), "%s: error: %s", where,
				 rep.message);
		else if (rep.err_table != 0)
			snprintf(err, sizeof(err), "%s: error: %s: %s",
				 cfg->conf != NULL ? ixg_conf_file(cfg->conf, 0)
						   : "config",
				 ctl_table_name(rep.err_table), rep.message);
		else
			snprintf(err, sizeof(err), "%s: error: %s (%s)",
				 D->st.config_path, rep.message,
				 ixg_status_name(rep.status));
		say(D, out, "%s", err);
		say(D, out,
		    "commit refused by the dataplane; running configuration "
		    "unchanged (generation %" PRIu64 ")",
		    rep.generation);
		if (rep.status == IXG_ST_STALE)
			D->st.dp_generation = rep.generation;
		audit(D, who, action, cfg->sha256, rep.generation,
		      CTL_RES_REFUSED, err, &diff, rep.build_ns / 1e6,
		      rep.publish_ns / 1e6);
		return -1;
	}
	D->st.dp_generation = rep.generation;
	memcpy(D->st.dp_hello.config_sha256, cfg->sha256, 32);
	D->st.dp_hello.generation = rep.generation;
	say(D, out,
	    "%s: generation %" PRIu64 " live (sha256 %.16s): %s; build %.1f "
	    "ms, publish %.1f ms, total %" PRIu64 " ms",
	    action, rep.generation, hex, dtext, rep.build_ns / 1e6,
	    rep.publish_ns / 1e6, loop_now_ms() - t0);
	audit(D, who, action, cfg->sha256, rep.generation, CTL_RES_OK, NULL,
	      &diff, rep.build_ns / 1e6, rep.publish_ns / 1e6);
	return 0;
}

/* Commit a new config (see ctld.h). Loop thread. */
int
ctld_commit(struct ctld *D, struct ctl_config *cfg, int64_t who,
	    const char *action, FILE *out)
{
	const struct ixg_spec *old = D->st.running.valid && D->running_exact
					     ? &D->st.running.spec
					     : NULL;

	if (do_commit(D, cfg, old, who, action, out) < 0)
		return -1;
	ctl_config_free(&D->st.previous);
	D->st.previous = D->st.running;
	D->st.running = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	D->running_exact = true;
	return 0;
}

static bool
same_rule_key(const struct ixg_spec_acl_rule *a,
	      const struct ixg_spec_acl_rule *b)
{
	if (a->family != b->family)
		return false;
	if (a->name[0] != '\0' || b->name[0] != '\0')
		return strcmp(a->name, b->name) == 0;
	return a->priority == b->priority;
}

/* Does every named object of spec have the id `ids` gives it, and ids
 * name nothing spec lacks? (Then the counters the dataplane keeps by id
 * are named right.) */
static bool
ids_agree(const struct ixg_spec *s, const struct ixg_spec *ids)
{
	uint32_t i, j;

	if (s->n_ports != ids->n_ports || s->n_peers != ids->n_peers ||
	    s->n_classes != ids->n_classes ||
	    s->n_acl_rules != ids->n_acl_rules ||
	    s->n_countries != ids->n_countries ||
	    (s->n_countries > 0 &&
	     memcmp(s->countries, ids->countries,
		    s->n_countries * sizeof(*s->countries)) != 0))
		return false;
	for (i = 0; i < s->n_ports; i++) {
		for (j = 0; j < ids->n_ports; j++)
			if (strcmp(s->ports[i].name, ids->ports[j].name) == 0)
				break;
		if (j == ids->n_ports || ids->ports[j].id != s->ports[i].id)
			return false;
	}
	for (i = 0; i < s->n_peers; i++) {
		for (j = 0; j < ids->n_peers; j++)
			if (strcmp(s->peers[i].name, ids->peers[j].name) == 0)
				break;
		if (j == ids->n_peers || ids->peers[j].id != s->peers[i].id)
			return false;
	}
	for (i = 0; i < s->n_classes; i++) {
		for (j = 0; j < ids->n_classes; j++)
			if (strcmp(s->classes[i].name, ids->classes[j].name) ==
			    0)
				break;
		if (j == ids->n_classes ||
		    ids->classes[j].id != s->classes[i].id)
			return false;
	}
	for (i = 0; i < s->n_acl_rules; i++) {
		for (j = 0; j < ids->n_acl_rules; j++)
			if (same_rule_key(&s->acl_rules[i], &ids->acl_rules[j]))
				break;
		if (j == ids->n_acl_rules ||
		    ids->acl_rules[j].id != s->acl_rules[i].id)
			return false;
	}
	return true;
}

/*
 * Name things as the dataplane does: ask it for the ids of its running
 * spec (GET_IDS), recompile our running config keeping them, and take the
 * result as our running spec. True when the ids agree with the
 * dataplane's entirely (same config: our spec is then what it runs);
 * false, with the old spec kept, when the dataplane could not say or its
 * reply was refused.
 */
static bool
adopt_ids(struct ctld *D)
{
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_spec ids, spec;
	struct ixg_diags *d;
	uint64_t gen = 0;
	bool agree;
	int rc;

	rc = dp_get_ids(D->api_fd, &D->api_seq, &ids, &gen, err,
			HELLO_TIMEOUT_MS);
	if (rc < 0) {
		say(D, NULL,
		    "dataplane's ids not taken (%s): counters are named by "
		    "this daemon's ids until the next commit",
		    err);
		if (rc != -EPROTO && rc != -EBADMSG)
			api_down(D, "connection lost asking for ids");
		return false;
	}
	memset(&spec, 0, sizeof(spec));
	d = ixg_diags_new();
	rc = d != NULL
		     ? ixg_conf_compile_prev(D->st.running.conf, &ids, &spec, d)
		     : -ENOMEM;
	if (rc != 0) {
		say(D, NULL,
		    "cannot compile %s with the dataplane's ids; keeping this "
		    "daemon's",
		    D->st.config_path);
		if (d != NULL)
			ixg_diags_print(d, D->log);
		ixg_diags_free(d);
		ixg_ids_free(&ids);
		return false;
	}
	ixg_diags_free(d);
	ixg_spec_free(&D->st.running.spec);
	D->st.running.spec = spec;
	agree = ids_agree(&spec, &ids);
	say(D, NULL,
	    "took the ids of generation %" PRIu64
	    " from the dataplane: %u ports, %u peers, %u classes, %u ACL "
	    "rules, %u countries%s",
	    gen, ids.n_ports, ids.n_peers, ids.n_classes, ids.n_acl_rules,
	    ids.n_countries, agree ? "" : " (the config differs)");
	ixg_ids_free(&ids);
	return agree;
}

/* After HELLO: adopt what the dataplane runs, or commit ours whole. */
static void
sync_dataplane(struct ctld *D, bool same_dataplane, bool first)
{
	const struct ixg_msg_hello_reply *h = &D->st.dp_hello;
	bool exact = same_dataplane && D->running_exact;
	char hex[65];

	if (!D->st.running.valid)
		return;
	/* The dataplane's ids came from its own commit history; ours are
	 * exact only if we made that history: otherwise take its ids. */
	if (h->generation > 0 && !exact) {
		exact = adopt_ids(D);
		if (D->api_fd < 0)
			return;
	}
	ctl_hex(D->st.running.sha256, hex);
	if (h->generation > 0 &&
	    memcmp(h->config_sha256, D->st.running.sha256, 32) == 0) {
		D->st.dp_generation = h->generation;
		D->running_exact = exact;
		say(D, NULL,
		    "adopted the dataplane's generation %" PRIu64
		    " (sha256 %.16s equal): traffic undisturbed%s",
		    h->generation, hex,
		    exact ? ""
			  : "; ids not confirmed, the next commit sends every "
			    "table");
		audit(D, CTL_WHO_DAEMON, "adopt", D->st.running.sha256,
		      h->generation, CTL_RES_ADOPTED, NULL, NULL, 0, 0);
		return;
	}
	D->running_exact = false;
	say(D, NULL,
	    "dataplane at generation %" PRIu64
	    " with another configuration: committing %s whole",
	    h->generation, D->st.config_path);
	if (do_commit(D, &D->st.running, NULL,
		      first ? CTL_WHO_STARTUP : CTL_WHO_DAEMON,
		      first ? "startup" : "recommit", NULL) == 0)
		D->running_exact = true;
}

static void
on_api_event(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	     void *arg)
{
	struct ctld *D = arg;
	char buf[IXG_MSG_MAX];
	ssize_t n;

	(void)L;
	(void)w;
	(void)revents;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		api_down(D, n == 0 ? "dataplane closed the connection"
				   : strerror(errno));
		return;
	}
	/* Nothing is unsolicited in API version 1: a stray reply to an
	 * abandoned request. */
}

static void
try_connect(struct loop *L, struct loop_timer *t, void *arg)
{
	struct ctld *D = arg;
	struct ixg_msg_hello_reply rep;
	uint64_t old_start = D->st.dp_hello.start_unix;
	bool same;
	int fd, cfd = -1, rc;

	(void)t;
	fd = dp_connect(D->api_path);
	if (fd < 0)
		return; /* the timer retries */
	rc = dp_hello(fd, &D->api_seq, &rep, &cfd, HELLO_TIMEOUT_MS);
	if (rc < 0) {
		if (rc == -EPROTO)
			say(D, NULL, "dataplane refused HELLO: %s",
			    ixg_status_name(rep.status));
		close(fd);
		if (cfd >= 0)
			close(cfd);
		return;
	}
	rc = map_counters(D, cfd, &rep);
	if (cfd >= 0)
		close(cfd); /* the mapping keeps the region */
	if (rc < 0)
		say(D, NULL, "cannot map the dataplane's counters: %s",
		    strerror(-rc));
	loop_timer_del(L, D->reconnect);
	D->reconnect = NULL;
	D->api_fd = fd;
	D->api_watch = loop_add_fd(L, fd, POLLIN, 0, on_api_event, D);
	same = old_start != 0 && old_start == rep.start_unix &&
	       rep.generation == D->st.dp_generation;
	D->st.dp_hello = rep;
	D->st.dp_connected = true;
	D->st.dp_epoch++;
	D->st.dp_generation = rep.generation;
	say(D, NULL,
	    "connected to the dataplane at %s: %u workers, generation %" PRIu64
	    "%s",
	    D->api_path, rep.n_workers, rep.generation,
	    rep.was_headless ? ", was headless" : "");
	sync_dataplane(D, same, old_start == 0);
}

static void
api_down(struct ctld *D, const char *why)
{
	if (D->api_fd >= 0) {
		say(D, NULL, "dataplane disconnected: %s; retrying every %d ms",
		    why, RECONNECT_MS);
		loop_del_fd(D->loop, D->api_watch);
		D->api_watch = NULL;
		close(D->api_fd);
		D->api_fd = -1;
	}
	D->st.dp_connected = false;
	unmap_counters(D);
	if (D->reconnect == NULL)
		D->reconnect = loop_timer_add(D->loop, RECONNECT_MS,
					      RECONNECT_MS, try_connect, D);
}

/* ---- operator commands ---- */

/* Rollback (see ctld.h). Loop thread. */
int
ctld_rollback(struct ctld *D, int64_t who, const char *action, FILE *out)
{
	struct ctl_config prev = D->st.previous;

	if (!prev.valid) {
		say(D, out, "%s: no previous configuration to go back to",
		    action);
		return 1;
	}
	memset(&D->st.previous, 0, sizeof(D->st.previous));
	D->st.confirm_deadline = 0;
	if (ctld_commit(D, &prev, who, action, out) < 0) {
		D->st.previous = prev;
		return 1;
	}
	return 0;
}

/* Reload (see ctld.h). Loop thread. */
int
ctld_reload(struct ctld *D, int64_t who, unsigned confirm_s, FILE *out)
{
	struct ctl_config cfg;
	char *errs = NULL;
	size_t len = 0;
	FILE *ef = open_memstream(&errs, &len);
	int rc;

	if (ef == NULL)
		return 1;
	rc = ctl_config_load(D->st.config_path,
			     D->st.running.valid ? &D->st.running.spec : NULL,
			     &cfg, ef);
	fclose(ef);
	if (len > 0) {
		if (out != NULL)
			fputs(errs, out);
		fputs(errs, D->log);
	}
	if (rc < 0) {
		char *nl = strchr(errs, '\n');

		if (nl != NULL)
			*nl = '\0';
		say(D, out,
		    "reload refused; running configuration unchanged "
		    "(generation %" PRIu64 ")",
		    D->st.dp_generation);
		audit(D, who, "reload", NULL, D->st.dp_generation,
		      CTL_RES_REFUSED, errs, NULL, 0, 0);
		free(errs);
		return 1;
	}
	free(errs);
	if (ctld_commit(D, &cfg, who, "reload", out) < 0) {
		ctl_config_free(&cfg);
		return 1;
	}
	if (confirm_s > 0) {
		D->st.confirm_deadline = time(NULL) + confirm_s;
		say(D, out,
		    "confirm within %u s (ixgatectl confirm), or generation "
		    "%" PRIu64 " is rolled back",
		    confirm_s, D->st.dp_generation);
	} else {
		D->st.confirm_deadline = 0;
	}
	return 0;
}

/* Confirm (see ctld.h). Loop thread. */
int
ctld_confirm(struct ctld *D, int64_t who, FILE *out)
{
	if (D->st.confirm_deadline == 0) {
		say(D, out, "confirm: nothing awaits confirmation");
		return 1;
	}
	D->st.confirm_deadline = 0;
	say(D, out, "confirmed generation %" PRIu64, D->st.dp_generation);
	audit(D, who, "confirm", D->st.running.sha256, D->st.dp_generation,
	      CTL_RES_OK, NULL, NULL, 0, 0);
	return 0;
}

/* Check (see ctld.h). Loop thread. */
int
ctld_check(struct ctld *D, const char *path, FILE *out)
{
	struct ctl_config cfg;

	if (path == NULL)
		path = D->st.config_path;
	if (ctl_config_load(path,
			    D->st.running.valid ? &D->st.running.spec : NULL,
			    &cfg, out) < 0)
		return 1;
	ctl_config_free(&cfg);
	fprintf(out, "configuration OK\n");
	return 0;
}

/* ---- tick, signals ---- */

static void
sample_counters(struct ctld *D)
{
	struct ixg_lcore_counters *blocks[64], *tmp;
	unsigned i, n = D->st.n_counter_blocks;

	if (D->st.counters == NULL || D->st.sum_now == NULL)
		return;
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		blocks[i] = (struct ixg_lcore_counters *)&D->st.counters[i];
	tmp = D->st.sum_prev;
	D->st.sum_prev = D->st.sum_now;
	D->st.sum_prev_epoch = D->st.sum_now_epoch;
	D->st.sum_now = tmp;
	memset(D->st.sum_now, 0, sizeof(*D->st.sum_now));
	stats_sum(blocks, n, D->st.sum_now);
	D->st.sum_now_epoch = D->st.dp_epoch;
}

static void
on_tick(struct loop *L, struct loop_timer *t, void *arg)
{
	struct ctld *D = arg;
	static uint64_t last_ms;
	uint64_t now = loop_now_ms();

	(void)L;
	(void)t;
	sample_counters(D);
	ctl_sweep(D);
	D->st.sample_interval_s = last_ms ? (now - last_ms) / 1000.0 : 1.0;
	last_ms = now;
	if (D->st.confirm_deadline != 0 &&
	    time(NULL) >= D->st.confirm_deadline) {
		say(D, NULL, "rolled back: not confirmed");
		ctld_rollback(D, CTL_WHO_DAEMON, "rollback-unconfirmed", NULL);
	}
}

static void
on_signal(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	  void *arg)
{
	struct ctld *D = arg;
	struct signalfd_siginfo si;

	(void)w;
	(void)revents;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		say(D, NULL, "SIGHUP: reloading %s", D->st.config_path);
		ctld_reload(D, CTL_WHO_SIGNAL, 0, NULL);
		return;
	}
	say(D, NULL, "%s: stopping (the dataplane keeps forwarding)",
	    strsignal((int)si.ssi_signo));
	loop_stop(L);
}

static int
listen_ctl(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	/* A socket left by a dead daemon: nobody answers on it. */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			return -EADDRINUSE;
		}
		close(probe);
	}
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Start serving (see ctld.h). Main thread, before loop_run. */
int
ctld_start(struct ctld *D)
{
	sigset_t set;
	int rc;

	D->api_fd = -1;
	D->loop = loop_new(256);
	if (D->loop == NULL)
		return -errno;
	D->st.sum_now = calloc(1, sizeof(*D->st.sum_now));
	D->st.sum_prev = calloc(1, sizeof(*D->st.sum_prev));
	if (D->st.sum_now == NULL || D->st.sum_prev == NULL)
		return -ENOMEM;
	D->st.sample_interval_s = 1.0;
	rc = listen_ctl(D->ctl_path);
	if (rc < 0)
		return rc;
	D->ctl_fd = rc;
	D->ctl_watch = loop_add_fd(D->loop, D->ctl_fd, POLLIN, LOOP_F_CLOSE,
				   ctl_on_accept, D);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	D->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (D->signal_fd < 0)
		return -errno;
	D->signal_watch = loop_add_fd(D->loop, D->signal_fd, POLLIN,
				      LOOP_F_CLOSE, on_signal, D);
	D->tick = loop_timer_add(D->loop, 1000, 1000, on_tick, D);
	/* First attempt at once, then every RECONNECT_MS. */
	D->reconnect = loop_timer_add(D->loop, 0, RECONNECT_MS, try_connect, D);
	if (D->ctl_watch == NULL || D->signal_watch == NULL ||
	    D->tick == NULL || D->reconnect == NULL)
		return -ENOMEM;
	return 0;
}

/* Stop (see ctld.h): the dataplane keeps its tables (headless). */
void
ctld_stop(struct ctld *D)
{
	ctl_close_all(D);
	if (D->api_fd >= 0)
		close(D->api_fd);
	unmap_counters(D);
	loop_free(D->loop);
	unlink(D->ctl_path);
	free(D->st.sum_now);
	free(D->st.sum_prev);
	ctl_config_free(&D->st.running);
	ctl_config_free(&D->st.previous);
}
