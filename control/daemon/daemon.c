/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon.c - ixgate-control's wiring: start-up and stop, signals (SIGHUP
 * reloads, SIGUSR1 reopens the audit log, SIGINT/SIGTERM stop), the 1 s
 * tick (counter samples for rates, the commit-confirmed deadline, the CLI
 * sweep, the files check), the dataplane connection's up and down, and
 * the rolled-back ("held") configuration kept in the state directory.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctld.h"
#include "exporter.h"
#include "metrics.h"
#include "rib.h"
#include "sflow.h"
#include "ixg_log.h"
#include "stats.h"

#define FILES_CHECK_MS 5000 /* the files against the running config */
#define FILES_FULL_MS 30000 /* a full load at most this often */
/* A quiet connection to the dataplane says GET_STATE this often: the
 * dataplane gives the API of a client idle for --api-idle-timeout (60 s
 * by default) to another that asks, and ixgate-control must never be
 * that idle client. */
#define KEEPALIVE_MS 20000

static void
vlog(struct ctld *D, FILE *out, const char *fmt, va_list ap)
{
	char ts[32];
	time_t t = time(NULL);
	va_list ap2;

	if (out != NULL && out != D->log) {
		va_copy(ap2, ap);
		vfprintf(out, fmt, ap2);
		va_end(ap2);
		fputc('\n', out);
	}
	ixg_log_prefix(fileno(D->log), LOG_INFO, t, ts, sizeof(ts));
	fprintf(D->log, "%sixgate-control: ", ts);
	vfprintf(D->log, fmt, ap);
	fputc('\n', D->log);
	fflush(D->log);
}

/* To the operator and the log (see ctld.h). Loop thread. */
void
ctld_say(struct ctld *D, FILE *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(D, out, fmt, ap);
	va_end(ap);
}

/* To the log (see ctld.h). Loop thread (task threads never log). */
void
ctld_log(struct ctld *D, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(D, NULL, fmt, ap);
	va_end(ap);
}

static void
on_audited(void *arg, int err)
{
	struct ctld *D = arg;

	if (err < 0)
		ctld_log(D, "audit log %s: record not written: %s",
			 audit_path(D->audit), strerror(-err));
}

/* An audit record, not waited for (see ctld.h). Loop thread. */
void
ctld_audit(struct ctld *D, const struct ctl_audit_rec *rec)
{
	if (D->audit != NULL && audit_append(D->audit, rec, on_audited, D) < 0)
		ctld_log(D, "audit log: out of memory");
}

/* Reopen the audit log (see ctld.h). Loop thread. */
int
ctld_audit_reopen(struct ctld *D, FILE *out)
{
	char err[512];

	if (D->audit == NULL) {
		ctld_say(D, out, "log reopen: no audit log (--audit-log)");
		return -1;
	}
	if (audit_reopen(D->audit, err, sizeof(err)) < 0) {
		ctld_say(D, out,
			 "log reopen: %s; still writing to the file opened "
			 "before",
			 err);
		return -1;
	}
	ctld_say(D, out, "log reopen: audit log %s reopened",
		 audit_path(D->audit));
	return 0;
}

/* ---- the files and the held configuration ---- */

static void
files_note_update(struct ctld *D, const char *detail)
{
	struct ctl_state *st = &D->st;
	char tb[32], hex[65];
	time_t t = (time_t)st->held_unix;

	if (st->held) {
		ixg_log_time(t, tb, sizeof(tb)); /* UTC, ISO 8601 */
		ctl_hex(st->held_sha256, hex);
		snprintf(st->files_note, sizeof(st->files_note),
			 "files differ from the running config: they hold "
			 "generation %" PRIu64 "'s configuration (sha256 "
			 "%.16s), rolled back at %s; reload refuses it until "
			 "the files change (or `ixgatectl reload --reapply`)",
			 st->held_generation, hex, tb);
		return;
	}
	if (st->files == CTL_FILES_DIFFER)
		snprintf(st->files_note, sizeof(st->files_note),
			 "files differ from the running config (%s): "
			 "`ixgatectl reload` would commit them",
			 detail != NULL && detail[0] != '\0' ? detail
							     : "edited");
	else
		st->files_note[0] = '\0';
}

static void
held_path(const struct ctld *D, char *buf, size_t len)
{
	snprintf(buf, len, "%s/held", D->state_dir);
}

/* Held configuration (see ctld.h). Loop thread (and main at start). */
void
ctld_set_held(struct ctld *D, const uint8_t *sha, uint64_t generation,
	      const char *copy_dir)
{
	struct ctl_state *st = &D->st;
	char path[4096], tmp[4200], hex[65];
	static char copy[4096];
	FILE *f;

	if (sha == NULL) {
		if (st->held)
			ctld_log(D, "the files no longer hold the rolled-back "
				    "configuration");
		st->held = false;
		if (D->state_dir != NULL) {
			held_path(D, path, sizeof(path));
			unlink(path);
		}
		files_note_update(D, NULL);
		return;
	}
	st->held = true;
	memcpy(st->held_sha256, sha, 32);
	st->held_generation = generation;
	st->held_unix = time(NULL);
	snprintf(copy, sizeof(copy), "%s", copy_dir != NULL ? copy_dir : "");
	files_note_update(D, NULL);
	if (copy_dir != NULL) {
		size_t n = strlen(st->files_note);

		snprintf(st->files_note + n, sizeof(st->files_note) - n,
			 "; a copy of them is in %s", copy_dir);
	}
	if (D->state_dir == NULL)
		return;
	/* Written whole or not at all: a restart must find it. */
	held_path(D, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ctl_hex(sha, hex);
	f = fopen(tmp, "we");
	if (f == NULL) {
		ctld_log(D,
			 "%s: %s: a restart will not know the files hold a "
			 "rolled-back configuration",
			 tmp, strerror(errno));
		return;
	}
	fprintf(f,
		"sha256 %s\ngeneration %" PRIu64 "\ntime %" PRId64
		"\ncopy %s\n",
		hex, generation, st->held_unix, copy);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0)
		ctld_log(D, "%s: %s", path, strerror(errno));
}

static int
unhex(const char *s, uint8_t out[32])
{
	for (unsigned i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* Held configuration from the state directory (see ctld.h). Main
 * thread, after the config is loaded. */
void
ctld_load_held(struct ctld *D)
{
	char path[4096], line[4200], hex[65] = "", copy[4096] = "";
	uint64_t gen = 0;
	int64_t when = 0;
	uint8_t sha[32];
	FILE *f;

	if (D->state_dir == NULL)
		return;
	held_path(D, path, sizeof(path));
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "sha256 ", 7) == 0)
			snprintf(hex, sizeof(hex), "%.64s", line + 7);
		else if (strncmp(line, "generation ", 11) == 0)
			gen = strtoull(line + 11, NULL, 10);
		else if (strncmp(line, "time ", 5) == 0)
			when = strtoll(line + 5, NULL, 10);
		else if (strncmp(line, "copy ", 5) == 0)
			snprintf(copy, sizeof(copy), "%.4000s", line + 5);
	}
	fclose(f);
	if (strlen(hex) != 64 || unhex(hex, sha) < 0) {
		ctld_log(D, "%s: not understood; ignored", path);
		return;
	}
	if (memcmp(sha, D->st.running.sha256, 32) != 0) {
		/* The files changed since: they no longer hold it. */
		unlink(path);
		return;
	}
	D->st.held = true;
	memcpy(D->st.held_sha256, sha, 32);
	D->st.held_generation = gen;
	D->st.held_unix = when;
	files_note_update(D, NULL);
	if (copy[0] != '\0') {
		size_t n = strlen(D->st.files_note);

		snprintf(D->st.files_note + n, sizeof(D->st.files_note) - n,
			 "; a copy of them is in %s", copy);
	}
	ctld_log(D, "%s", D->st.files_note);
}

/* A dangling attempt (see ctld.h). Main thread. */
void
ctld_find_dangling(struct ctld *D, const char *path)
{
	char buf[65536], *line, *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	ssize_t n;
	off_t off;

	if (fd < 0)
		return;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 2) {
		close(fd);
		return;
	}
	off = sb.st_size > (off_t)sizeof(buf) - 1
		      ? sb.st_size - (off_t)sizeof(buf) + 1
		      : 0;
	n = pread(fd, buf, sizeof(buf) - 1, off);
	close(fd);
	if (n <= 1 || buf[n - 1] != '\n')
		return;
	buf[n - 1] = '\0';
	line = strrchr(buf, '\n');
	line = line != NULL ? line + 1 : buf;
	if (strstr(line, "\"result\": \"attempt\"") == NULL)
		return;
	p = strstr(line, "\"sha256\": \"");
	if (p == NULL || strlen(p) < 11 + 64 ||
	    unhex(p + 11, D->dangling_sha) < 0)
		return;
	p = strstr(line, "\"action\": \"");
	if (p == NULL)
		return;
	p += 11;
	snprintf(D->dangling_action, sizeof(D->dangling_action), "%.*s",
		 (int)strcspn(p, "\""), p);
	p = strstr(line, "\"generation\": ");
	D->dangling_generation = p != NULL ? strtoull(p + 14, NULL, 10) : 0;
	D->dangling = true;
	ctld_log(D,
		 "the audit log ends with an attempt (%s over generation "
		 "%" PRIu64 ") without its result: it is recorded once the "
		 "dataplane says what runs",
		 D->dangling_action, D->dangling_generation);
}

/* The files check: a task comparing the files on disk with the running
 * config's. */
struct files_task {
	struct ctld *D;
	struct ctl_files_snapshot snap;
	bool full;
	enum ctl_files_state result;
	char note[512];
};

static void
files_run(void *arg)
{
	struct files_task *t = arg;

	t->result = ctl_files_compare(&t->snap, t->full, t->note,
				      sizeof(t->note));
}

static void
files_free(struct files_task *t)
{
	ctl_files_snapshot_free(&t->snap);
	free(t);
}

static void
files_discard(void *arg)
{
	files_free(arg);
}

static void
files_done(void *arg)
{
	struct files_task *t = arg;
	struct ctld *D = t->D;
	struct ctl_state *st = &D->st;
	enum ctl_files_state before = st->files;

	D->files_task = NULL;
	if (memcmp(t->snap.sha256, st->running.sha256, 32) != 0) {
		/* The running config changed meanwhile: check again. */
		files_free(t);
		D->files_next_ms = loop_now_ms();
		return;
	}
	if (t->result == CTL_FILES_UNKNOWN) {
		D->files_dir_changed = true; /* a full load, when allowed */
	} else {
		D->files_dir_changed = false;
		st->files = t->result;
		/* The files are back to what runs. (After a restart over
		 * held files, the daemon's config is the held one, not what
		 * the dataplane runs: matching it proves nothing.) */
		if (st->held && t->result == CTL_FILES_MATCH &&
		    memcmp(st->held_sha256, st->running.sha256, 32) != 0)
			ctld_set_held(D, NULL, 0, NULL);
		if (st->files != before || t->result == CTL_FILES_DIFFER)
			files_note_update(D, t->note);
		if (st->files != before && before != CTL_FILES_UNKNOWN)
			ctld_log(D, "config files %s the running config%s%s",
				 st->files == CTL_FILES_MATCH ? "match"
							      : "differ from",
				 t->note[0] != '\0' ? ": " : "", t->note);
	}
	files_free(t);
}

static void
files_check(struct ctld *D)
{
	uint64_t now = loop_now_ms();
	struct files_task *t;
	bool full;

	if (D->files_task != NULL || now < D->files_next_ms ||
	    !D->st.running.valid || commit_job_busy(D))
		return;
	D->files_next_ms = now + FILES_CHECK_MS;
	full = D->files_dir_changed && now - D->files_full_ms >= FILES_FULL_MS;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return;
	t->D = D;
	t->full = full;
	if (ctl_files_snapshot(&D->st.running, D->st.config_path, &t->snap) <
	    0) {
		free(t);
		return;
	}
	if (full)
		D->files_full_ms = now;
	if (offload_run(D->offload, files_run, files_done, files_discard, t,
			&D->files_task) < 0) {
		D->files_task = NULL;
		files_free(t);
	}
}

/* The running configuration changed (see ctld.h). Loop thread. */
void
ctld_running_changed(struct ctld *D)
{
	/* The exporters label series with the new running config's names. */
	exporter_publish(&D->st);
	sflow_configure(D);
	D->files_next_ms = loop_now_ms() + 1000;
	D->files_dir_changed = false;
	rib_running_changed(D);
	if (!D->st.held) {
		/* Until the next check says otherwise. */
		D->st.files = CTL_FILES_UNKNOWN;
		files_note_update(D, NULL);
	}
}

/* ---- the dataplane connection ---- */

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

static void
dp_up(void *arg, const struct ixg_msg_hello_reply *rep, int counters_fd)
{
	struct ctld *D = arg;
	int rc;

	unmap_counters(D);
	rc = map_counters(D, counters_fd, rep);
	if (counters_fd >= 0)
		close(counters_fd); /* the mapping keeps the region */
	if (rc < 0)
		ctld_log(D, "cannot map the dataplane's counters: %s",
			 strerror(-rc));
	D->st.dp_hello = *rep;
	D->st.dp_connected = true;
	D->st.dp_epoch++;
	/* st.dp_generation stays what we believe runs until the sync job
	 * compares it with this HELLO (commit_job.c). */
	ctld_log(D,
		 "connected to the dataplane at %s: %u workers, generation "
		 "%" PRIu64 "%s",
		 D->api_path, rep->n_workers, rep->generation,
		 rep->was_headless ? ", was headless" : "");
	commit_jobs_dp_up(D);
	sflow_dp_up(D);
}

static void
dp_down(void *arg, const char *why)
{
	struct ctld *D = arg;

	D->st.dp_connected = false;
	sflow_dp_down(D);
	unmap_counters(D);
	commit_jobs_dp_down(D, why);
}

static void
dp_log(void *arg, const char *line)
{
	ctld_log(arg, "%s", line);
}

static const struct dp_client_ops dp_ops = {
	.up = dp_up,
	.down = dp_down,
	.log = dp_log,
};

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
keepalive_done(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct ctld *D = arg;
	const struct ixg_msg_state *m = reply;

	if (fd >= 0)
		close(fd);
	D->keepalive_pending = false;
	if (err < 0 || len < sizeof(*m))
		return; /* the client went down and says why */
	/* Nothing commits behind our back: a generation we did not make is
	 * another client's doing (or a restart we have not seen yet). */
	if (!commit_job_busy(D) && m->generation != D->st.dp_generation)
		ctld_log(D,
			 "warning: the dataplane runs generation %" PRIu64
			 ", this daemon knows %" PRIu64,
			 m->generation, D->st.dp_generation);
}

/* GET_STATE on a connection quiet for KEEPALIVE_MS. Loop thread. */
static void
keepalive(struct ctld *D)
{
	struct ixg_msg_get_state m = {.hdr.type = IXG_MSG_GET_STATE};
	uint64_t every = KEEPALIVE_MS, idle = D->st.dp_hello.idle_timeout_s;

	/* Three times within the dataplane's idle timeout, if it is short. */
	if (idle > 0 && idle * 1000 / 3 < every)
		every = idle * 1000 / 3;
	if (D->keepalive_pending || dp_client_quiet_ms(D->dp) < every)
		return;
	if (dp_client_request(D->dp, &m, sizeof(m), -1, IXG_MSG_STATE, 5000,
			      keepalive_done, D) == 0)
		D->keepalive_pending = true;
}

/* The exporter's copy of the daemon's running numbers (metrics.h). */
static void
publish_live(struct ctld *D)
{
	struct exp_live l = {.valid = true};

	sflow_get_stats(D, &l.sf);
	rib_get_stats(D->rib, &l.kr);
	session_watch_stats(rib_sessions(D->rib), &l.ss);
	exporter_live(&l);
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
	keepalive(D);
	exporter_publish(&D->st); /* rebuilds only when something changed */
	publish_live(D);
	cli_sweep(D);
	D->st.sample_interval_s = last_ms ? (now - last_ms) / 1000.0 : 1.0;
	last_ms = now;
	if (D->st.confirm_deadline != 0 &&
	    time(NULL) >= D->st.confirm_deadline && D->st.dp_connected &&
	    !commit_job_rollback_queued(D)) {
		struct commit_request r = {
			.kind = COMMIT_ROLLBACK,
			.who = CTL_WHO_DAEMON,
			.action = "rollback-unconfirmed",
		};
		char err[256];

		ctld_log(D,
			 "generation %" PRIu64
			 " not confirmed in time: rolling back",
			 D->st.dp_generation);
		if (commit_job_submit(D, &r, err, sizeof(err)) < 0)
			ctld_log(D, "%s", err);
	}
	if (commit_job_busy(D))
		commit_jobs_describe(D, D->st.job_state,
				     sizeof(D->st.job_state));
	files_check(D);
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
		struct commit_request r = {
			.kind = COMMIT_RELOAD,
			.who = CTL_WHO_SIGNAL,
			.action = "reload",
		};
		char err[256];

		ctld_log(D, "SIGHUP from pid %u: reloading %s",
			 (unsigned)si.ssi_pid, D->st.config_path);
		if (commit_job_submit(D, &r, err, sizeof(err)) < 0)
			ctld_log(D, "%s", err);
		return;
	}
	if (si.ssi_signo == SIGUSR1) {
		ctld_audit_reopen(D, NULL);
		return;
	}
	ctld_log(D, "%s: stopping (the dataplane keeps forwarding)",
		 strsignal((int)si.ssi_signo));
	loop_stop(L);
}

/* Start serving (see ctld.h). Main thread, before loop_run. */
int
ctld_start(struct ctld *D)
{
	char err[512];
	sigset_t set;
	int rc;

	D->st.sum_now = calloc(1, sizeof(*D->st.sum_now));
	D->st.sum_prev = calloc(1, sizeof(*D->st.sum_prev));
	if (D->st.sum_now == NULL || D->st.sum_prev == NULL)
		return -ENOMEM;
	D->st.sample_interval_s = 1.0;
	D->offload = offload_new(D->loop);
	if (D->offload == NULL)
		return -errno;
	rc = commit_jobs_init(D);
	if (rc < 0)
		return rc;
	rc = rib_new(D);
	if (rc < 0)
		return rc;
	rc = cli_start(D, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ixgate-control: %s\n", err);
		return rc;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	/* Task threads inherit the mask: signals reach only the signalfd. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	D->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (D->signal_fd < 0)
		return -errno;
	D->signal_watch = loop_add_fd(D->loop, D->signal_fd, POLLIN,
				      LOOP_F_CLOSE, on_signal, D);
	D->tick = loop_timer_add(D->loop, 1000, 1000, on_tick, D);
	D->dp = dp_client_new(D->loop, D->api_path, &dp_ops, D);
	if (D->signal_watch == NULL || D->tick == NULL || D->dp == NULL)
		return -ENOMEM;
	rc = sflow_start(D);
	if (rc < 0)
		return rc;
	D->files_next_ms = loop_now_ms() + 2000;
	/* Kernel routes: after the CLI socket (building the resolution of a
	 * full configuration takes a moment). */
	rib_running_changed(D);
	return dp_client_start(D->dp);
}

static void
stop_loop(struct loop *L, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(L);
}

/* Stop (see ctld.h): the dataplane keeps its tables (headless). Main
 * thread, after loop_run. */
void
ctld_stop(struct ctld *D)
{
	/* Let the audit records queued so far reach the disk (bounded). */
	for (int i = 0; i < 50 && !audit_idle(D->audit); i++) {
		loop_timer_add(D->loop, 100, 0, stop_loop, NULL);
		loop_run(D->loop);
	}
	cli_stop(D);
	sflow_stop(D);
	dp_client_free(D->dp);
	D->dp = NULL;
	unmap_counters(D);
	commit_jobs_free(D);
	rib_free(D);
	/* A task still running (stuck reading a FIFO) may read the configs:
	 * leave them to the process's exit. */
	if (offload_running(D->offload) == 0) {
		ctl_config_free(&D->st.running);
		ctl_config_free(&D->st.previous);
	}
	offload_free(D->offload);
	audit_close(D->audit);
	loop_free(D->loop);
	free(D->st.sum_now);
	free(D->st.sum_prev);
}
