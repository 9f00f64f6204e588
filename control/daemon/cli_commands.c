/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli_commands.c - what each ixgatectl command does in ixgate-control:
 * show (show.c), status, reload, confirm, rollback, check, log reopen.
 *
 * Who may do what (SECURITY.md): root and the daemon's own uid may change
 * the configuration (reload, confirm, rollback, log reopen); members of
 * the CLI socket's group may read (show, status) and check files inside
 * the config directory, and never see lines of a file they could not read
 * themselves.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ixg_json.h"
#include "ctld.h"
#include "sflow.h"

/* A sentence in `out` as the final answer. */
static void answer(struct cli_client *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
answer(struct cli_client *c, int status, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	cli_client_say(c, line, (size_t)n);
	cli_client_finish(c, status);
}

/* A change command's text (JSON mode: wrapped by ctl_text_to_json). */
static void
answer_stream(struct cli_client *c, char *text, size_t len, int status)
{
	cli_client_say(c, text != NULL ? text : "", len);
	free(text);
	cli_client_finish(c, status);
}

/* A view's text (human or JSON already), sent as it is. */
static void
answer_view(struct cli_client *c, char *text, size_t len, int status)
{
	cli_client_answer(c, text != NULL ? text : "", len, status);
	free(text);
}

/* A change command's text as JSON (see ctld.h). Any thread. */
void
ctl_text_to_json(const char *text, size_t len, int status, FILE *out)
{
	const char *nl = memchr(text, '\n', len);
	size_t first = nl != NULL ? (size_t)(nl - text) : len;
	const char *e = NULL;

	/* The first "file:line:col: error: " in the text. */
	for (const char *p = text; p + 9 <= text + len; p++)
		if (memcmp(p, ": error: ", 9) == 0) {
			e = p;
			break;
		}
	if (status == 0) {
		fputs("{\"ok\": true, \"message\": ", out);
		ixg_json_quoten(out, text, len);
		fputs("}\n", out);
		return;
	}
	fputs("{\"error\": ", out);
	if (e != NULL) {
		const char *ls = e, *end = text + len;

		while (ls > text && ls[-1] != '\n')
			ls--;
		nl = memchr(e, '\n', (size_t)(end - e));
		ixg_json_quoten(out, e + 9,
				nl != NULL ? (size_t)(nl - e - 9)
					   : (size_t)(end - e - 9));
		fputs(", \"where\": ", out);
		ixg_json_quoten(out, ls, (size_t)(e - ls));
	} else {
		ixg_json_quoten(out, text, first);
	}
	fputs(", \"message\": ", out);
	ixg_json_quoten(out, text, len);
	fputs("}\n", out);
}

static int
usage(struct cli_client *c)
{
	char text[2048];
	int n = snprintf(text, sizeof(text),
			 "usage: ixgatectl [--json] COMMAND\n"
			 "  %-*s %s\n",
			 IXG_CTL_USAGE_WIDTH,
			 "show ... [--watch [SECONDS]] [--count N]",
			 "read-only views (ixgatectl show help)");

#define X_VERB(u, what)                                                        \
	if (n > 0 && (size_t)n < sizeof(text))                                 \
		n += snprintf(text + n, sizeof(text) - (size_t)n,              \
			      "  %-*s %s\n", IXG_CTL_USAGE_WIDTH, u, what);
	IXG_CTL_VERBS(X_VERB)
#undef X_VERB
	if (n > 0)
		cli_client_say(c, text,
			       (size_t)n < sizeof(text) ? (size_t)n
							: sizeof(text) - 1);
	cli_client_finish(c, 2);
	return 2;
}

/* ---- show, status ---- */

static void
cmd_show(struct ctld *D, struct cli_client *c, int argc, char **argv, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int st;

	if (out == NULL) {
		answer(c, 1, "out of memory");
		return;
	}
	st = ctl_show(&D->st, argc, argv, json, out);
	fclose(out);
	answer_view(c, text, len, st);
}

static void
duration(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, len, "%" PRId64 "d %" PRId64 "h", s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRId64 "h %" PRId64 "m", s / 3600,
			 s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRId64 "s", s);
}

static void
json_kv_str(FILE *out, const char *k, const char *v, bool comma)
{
	fprintf(out, "%s\"%s\": ", comma ? ", " : "", k);
	if (v == NULL)
		fputs("null", out);
	else
		ixg_json_quoten(out, v, strlen(v));
}

static void
cmd_status(struct ctld *D, struct cli_client *c, bool json)
{
	const struct ctl_state *st = &D->st;
	char *text = NULL, hex[65] = "", up[32], job[200], left[32];
	const char *files;
	size_t len = 0;
	int64_t now = time(NULL);
	FILE *out = open_memstream(&text, &len);
	const char *aerr = audit_last_error(D->audit);
	struct sflow_stats sf;

	if (out == NULL) {
		answer(c, 1, "out of memory");
		return;
	}
	sflow_get_stats(D, &sf);
	if (st->running.valid)
		ctl_hex(st->running.sha256, hex);
	duration(up, sizeof(up), now - st->start_unix);
	commit_jobs_describe(D, job, sizeof(job));
	files = st->files_note[0] != '\0'      ? st->files_note
		: st->files == CTL_FILES_MATCH ? "match the running config"
					       : "not checked yet";
	if (json) {
		fprintf(out, "{\"pid\": %d, \"uid\": %u, \"up_s\": %" PRId64,
			(int)getpid(), (unsigned)D->uid, now - st->start_unix);
		json_kv_str(out, "config_path", st->config_path, true);
		json_kv_str(out, "config_sha256",
			    st->running.valid ? hex : NULL, true);
		fprintf(out, ", \"files_differ\": %s",
			st->held || st->files == CTL_FILES_DIFFER ? "true"
								  : "false");
		json_kv_str(out, "files",
			    st->files == CTL_FILES_UNKNOWN ? "unknown"
			    : st->files == CTL_FILES_MATCH ? "match"
							   : "differ",
			    true);
		json_kv_str(out, "files_note",
			    st->files_note[0] != '\0' ? st->files_note : NULL,
			    true);
		fprintf(out, ", \"held\": %s", st->held ? "true" : "false");
		fprintf(out,
			", \"dataplane_connected\": %s, \"generation\": "
			"%" PRIu64,
			st->dp_connected ? "true" : "false", st->dp_generation);
		json_kv_str(out, "commit_job", job, true);
		if (st->confirm_deadline)
			fprintf(out, ", \"confirm_deadline_unix\": %" PRId64,
				st->confirm_deadline);
		else
			fputs(", \"confirm_deadline_unix\": null", out);
		json_kv_str(out, "audit_log", audit_path(D->audit), true);
		json_kv_str(out, "audit_error", aerr[0] != '\0' ? aerr : NULL,
			    true);
		fprintf(out,
			", \"cli_connections\": %u, \"cli_refused\": %" PRIu64,
			cli_clients(D), cli_refused(D));
		fprintf(out,
			", \"sflow\": {\"collectors\": %u, \"flow_samples\": "
			"%" PRIu64 ", \"counter_samples\": %" PRIu64
			", \"datagrams\": %" PRIu64
			", \"send_errors\": %" PRIu64
			", \"bad_records\": %" PRIu64
			", \"discarded\": %" PRIu64 "}}\n",
			sf.collectors, sf.samples, sf.counter_samples,
			sf.datagrams, sf.send_errors, sf.bad_records,
			sf.discarded);
	} else {
		fprintf(out, "%-18spid %d, uid %u, up %s\n", "ixgate-control",
			(int)getpid(), (unsigned)D->uid, up);
		fprintf(out, "%-18s%s, sha256 %.16s\n", "config",
			st->config_path,
			st->running.valid ? hex : "none (no running config)");
		fprintf(out, "%-18s%s\n", "files", files);
		if (st->dp_connected)
			fprintf(out, "%-18sconnected, generation %" PRIu64 "\n",
				"dataplane", st->dp_generation);
		else
			fprintf(out,
				"%-18snot connected (last generation "
				"%" PRIu64 ")\n",
				"dataplane", st->dp_generation);
		fprintf(out, "%-18s%s\n", "commit job", job);
		if (st->confirm_deadline) {
			duration(left, sizeof(left),
				 st->confirm_deadline - now);
			fprintf(out,
				"%-18spending: rolls back in %s unless "
				"`ixgatectl confirm`\n",
				"commit-confirmed", left);
		} else {
			fprintf(out, "%-18snone pending\n", "commit-confirmed");
		}
		if (D->audit != NULL)
			fprintf(out, "%-18s%s (%s%s)\n", "audit log",
				audit_path(D->audit),
				aerr[0] != '\0' ? "last write failed: " : "ok",
				aerr);
		else
			fprintf(out, "%-18snone (--audit-log)\n", "audit log");
		fprintf(out,
			"%-18s%u connection%s open, %" PRIu64
			" refused since start\n",
			"CLI", cli_clients(D), cli_clients(D) == 1 ? "" : "s",
			cli_refused(D));
		if (sf.collectors == 0)
			fprintf(out,
				"%-18sno collector (%" PRIu64
				" samples read and discarded)\n",
				"sFlow agent", sf.discarded);
		else
			fprintf(out,
				"%-18s%u collector%s: %" PRIu64
				" flow and %" PRIu64
				" counter samples in %" PRIu64
				" datagrams, %" PRIu64 " send errors, %" PRIu64
				" bad records\n",
				"sFlow agent", sf.collectors,
				sf.collectors == 1 ? "" : "s", sf.samples,
				sf.counter_samples, sf.datagrams,
				sf.send_errors, sf.bad_records);
	}
	fclose(out);
	answer_view(c, text, len, 0);
}

/* ---- confirm, log reopen ---- */

static void
cmd_confirm(struct ctld *D, struct cli_client *c, int64_t who)
{
	struct ctl_audit_rec r = {
		.time = time(NULL),
		.who = who,
		.action = "confirm",
		.sha256 = D->st.running.sha256,
		.generation = D->st.dp_generation,
		.result = CTL_RES_OK,
	};

	if (D->st.confirm_deadline == 0) {
		answer(c, 1, "confirm: nothing awaits confirmation%s",
		       commit_job_busy(D) ? " (a commit is in progress: "
					    "confirm once it answers)"
					  : "");
		return;
	}
	D->st.confirm_deadline = 0;
	ctld_audit(D, &r);
	ctld_log(D, "confirmed generation %" PRIu64 " (uid %" PRId64 ")",
		 D->st.dp_generation, who);
	answer(c, 0, "confirmed generation %" PRIu64, D->st.dp_generation);
}

static void
cmd_log_reopen(struct ctld *D, struct cli_client *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int rc;

	if (out == NULL) {
		answer(c, 1, "out of memory");
		return;
	}
	rc = ctld_audit_reopen(D, out);
	fclose(out);
	answer_stream(c, text, len, rc < 0 ? 1 : 0);
}

/* ---- check ---- */

/* Loop side of a check: the task may be abandoned, this is not shared. */
struct check_job {
	struct ctld *D;
	struct cli_client *client;
	struct offload_task *task;
	struct loop_timer *deadline;
	char path[PATH_MAX];
};

/* Thread side: owns everything it points to. */
struct check_task {
	struct check_job *cj; /* loop thread only */
	char path[PATH_MAX];
	struct cli_caller caller;
	bool filter; /* hide what the caller could not read */
	char *out;
	size_t len;
	int rc;
};

/* May the caller read path: search on every directory above it, read on
 * the file, by the mode bits (root: yes). */
static bool
caller_may(const struct cli_caller *who, const struct stat *sb, unsigned bit)
{
	if (who->uid == 0)
		return true;
	if (sb->st_uid == who->uid)
		return sb->st_mode & (bit << 6);
	if (sb->st_gid == who->gid)
		return sb->st_mode & (bit << 3);
	for (unsigned i = 0; i < who->n_groups; i++)
		if (sb->st_gid == who->groups[i])
			return sb->st_mode & (bit << 3);
	return sb->st_mode & bit;
}

static bool
caller_can_read(const struct cli_caller *who, const char *path)
{
	char real[PATH_MAX];
	struct stat sb;

	if (realpath(path, real) == NULL || stat(real, &sb) < 0 ||
	    !caller_may(who, &sb, 4))
		return false;
	for (char *p = strrchr(real, '/'); p != NULL && p != real;
	     p = strrchr(real, '/')) {
		*p = '\0';
		if (stat(real, &sb) < 0 || !caller_may(who, &sb, 1))
			return false;
	}
	return stat("/", &sb) == 0 && caller_may(who, &sb, 1);
}

/*
 * The file a diagnostic line names ("FILE:LINE:COL: ..."), into file;
 * false when the line is not one.
 */
static bool
diag_file(const char *line, size_t n, char *file, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1, k;

		if (line[i] != ':')
			continue;
		while (j < n && line[j] >= '0' && line[j] <= '9')
			j++;
		if (j == i + 1 || j >= n || line[j] != ':')
			continue;
		k = j + 1;
		while (k < n && line[k] >= '0' && line[k] <= '9')
			k++;
		if (k == j + 1 || k + 1 >= n || line[k] != ':' ||
		    line[k + 1] != ' ')
			continue;
		if (i >= len)
			return false;
		memcpy(file, line, i);
		file[i] = '\0';
		return true;
	}
	return false;
}

/*
 * Keep only what the caller may see: a diagnostic in a file the caller
 * could not read is dropped with the source lines quoted under it (a
 * message may quote a token of the file too), and counted.
 */
static void
filter_diags(struct check_task *t)
{
	char *out = NULL, file[PATH_MAX], last[PATH_MAX] = "";
	size_t len = 0;
	unsigned hidden = 0;
	bool skipping = false, last_ok = false;
	FILE *f = open_memstream(&out, &len);
	const char *p = t->out, *end = t->out + t->len;

	if (f == NULL)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) + 1
				      : (size_t)(end - p);

		if (p[0] == ' ' || p[0] == '\t') {
			if (!skipping)
				fwrite(p, 1, n, f);
		} else if (diag_file(p, n, file, sizeof(file))) {
			if (strcmp(file, last) != 0) {
				snprintf(last, sizeof(last), "%s", file);
				last_ok = caller_can_read(&t->caller, file);
			}
			skipping = !last_ok;
			if (skipping)
				hidden++;
			else
				fwrite(p, 1, n, f);
		} else {
			skipping = false;
			fwrite(p, 1, n, f);
		}
		p += n;
	}
	if (hidden > 0)
		fprintf(f,
			"(%u diagnostic%s in files uid %u cannot read %s not "
			"shown)\n",
			hidden, hidden == 1 ? "" : "s", (unsigned)t->caller.uid,
			hidden == 1 ? "is" : "are");
	fclose(f);
	free(t->out);
	t->out = out;
	t->len = len;
}

static void
check_run(void *arg)
{
	struct check_task *t = arg;
	FILE *out = open_memstream(&t->out, &t->len);
	struct ctl_config cfg;

	if (out == NULL) {
		t->rc = -1;
		return;
	}
	/* Ids do not change what is valid: no running spec needed. */
	t->rc = ctl_config_load(t->path, NULL, &cfg, out);
	if (t->rc == 0) {
		ctl_config_free(&cfg);
		fprintf(out, "configuration OK\n");
	}
	fclose(out);
	if (t->filter)
		filter_diags(t);
}

static void
check_discard(void *arg)
{
	struct check_task *t = arg;

	free(t->out);
	free(t);
}

static void
check_job_free(struct check_job *cj)
{
	loop_timer_del(cj->D->loop, cj->deadline);
	free(cj);
}

static void
check_done(void *arg)
{
	struct check_task *t = arg;
	struct check_job *cj = t->cj;

	if (cj->client != NULL) {
		cli_client_defer(cj->client, NULL, NULL, NULL);
		cli_client_say(cj->client, t->out != NULL ? t->out : "",
			       t->len);
		cli_client_finish(cj->client, t->rc == 0 ? 0 : 1);
	}
	check_discard(t);
	check_job_free(cj);
}

static void
check_detach(void *owner)
{
	struct check_job *cj = owner;

	cj->client = NULL;
}

static void
check_progress(void *owner, char *buf, size_t len)
{
	struct check_job *cj = owner;

	snprintf(buf, len, "check: loading %s", cj->path);
}

static void
on_check_deadline(struct loop *L, struct loop_timer *tm, void *arg)
{
	struct check_job *cj = arg;

	(void)L;
	(void)tm;
	cj->deadline = NULL;
	if (!offload_abandon(cj->D->offload, cj->task))
		return; /* check_done is on its way */
	ctld_log(cj->D, "check %s: did not finish within %u s; given up",
		 cj->path, cj->D->compile_timeout_ms / 1000);
	if (cj->client != NULL) {
		cli_client_defer(cj->client, NULL, NULL, NULL);
		answer(cj->client, 1,
		       "%s: loading did not finish within %u s (a FIFO, a "
		       "device or a hung filesystem in the config tree?); "
		       "given up",
		       cj->path, cj->D->compile_timeout_ms / 1000);
	}
	check_job_free(cj);
}

/* How many abandoned loads may hang before new ones are refused. */
#define MAX_STUCK_LOADS 4

static void
cmd_check(struct ctld *D, struct cli_client *c, const char *file)
{
	const struct cli_caller *who = cli_client_caller(c);
	char dir[PATH_MAX], resolved[PATH_MAX];
	struct check_task *t;
	struct check_job *cj;
	int rc;

	if (offload_abandoned(D->offload) >= MAX_STUCK_LOADS) {
		answer(c, 1,
		       "check refused: %u earlier loads are stuck reading "
		       "the config tree (a FIFO or a hung filesystem?); fix "
		       "it, then restart ixgate-control",
		       offload_abandoned(D->offload));
		return;
	}
	if (file == NULL) {
		file = D->st.config_path;
	} else if (!who->privileged) {
		/* Others may check what is in the config directory only:
		 * the daemon opens nothing else on their behalf. */
		snprintf(dir, sizeof(dir), "%s", D->st.config_path);
		rc = ctl_path_inside(dirname(dir), file, resolved);
		if (rc < 0) {
			snprintf(dir, sizeof(dir), "%s", D->st.config_path);
			ctld_log(D, "check %s by uid %u refused: outside %s",
				 file, (unsigned)who->uid, dirname(dir));
			snprintf(dir, sizeof(dir), "%s", D->st.config_path);
			answer(c, 1,
			       "check: %s: %s; only root (or uid %u) may "
			       "check files outside the config directory %s",
			       file,
			       rc == -EPERM ? "outside the config directory"
					    : "cannot be resolved",
			       (unsigned)D->uid, dirname(dir));
			return;
		}
		file = resolved;
	}
	t = calloc(1, sizeof(*t));
	cj = calloc(1, sizeof(*cj));
	if (t == NULL || cj == NULL) {
		free(t);
		free(cj);
		answer(c, 1, "out of memory");
		return;
	}
	snprintf(t->path, sizeof(t->path), "%s", file);
	snprintf(cj->path, sizeof(cj->path), "%s", file);
	t->caller = *who;
	t->filter = who->uid != 0;
	t->cj = cj;
	cj->D = D;
	cj->client = c;
	rc = offload_run(D->offload, check_run, check_done, check_discard, t,
			 &cj->task);
	if (rc < 0) {
		free(t);
		free(cj);
		answer(c, 1, "check: cannot start a thread: %s", strerror(-rc));
		return;
	}
	cj->deadline = loop_timer_add(D->loop, D->compile_timeout_ms, 0,
				      on_check_deadline, cj);
	cli_client_defer(c, cj, check_detach, check_progress);
}

/* ---- reload, rollback ---- */

static void
submit(struct ctld *D, struct cli_client *c, const struct commit_request *r)
{
	char err[512];

	if (commit_job_submit(D, r, err, sizeof(err)) < 0)
		answer(c, 1, "%s", err);
}

static void
cmd_reload(struct ctld *D, struct cli_client *c, int argc, char **argv,
	   int64_t who)
{
	struct commit_request r = {
		.kind = COMMIT_RELOAD,
		.who = who,
		.action = "reload",
		.client = c,
	};
	int i;

	if (offload_abandoned(D->offload) >= MAX_STUCK_LOADS) {
		answer(c, 1,
		       "reload refused: %u earlier loads are stuck reading "
		       "the config tree (a FIFO or a hung filesystem?); fix "
		       "it, then restart ixgate-control",
		       offload_abandoned(D->offload));
		return;
	}
	for (i = 1; i < argc; i++) {
		char *end = NULL;
		unsigned long s;

		if (strcmp(argv[i], "--reapply") == 0) {
			r.reapply = true;
		} else if (strcmp(argv[i], "--full") == 0) {
			r.full = true;
		} else if (strcmp(argv[i], "--confirm-within") == 0 &&
			   i + 1 < argc) {
			s = strtoul(argv[++i], &end, 10);
			if (s == 0 || *end != '\0' || s > 86400) {
				usage(c);
				return;
			}
			r.confirm_s = (unsigned)s;
		} else {
			usage(c);
			return;
		}
	}
	submit(D, c, &r);
}

/* Run one request (see ctld.h). Loop thread. */
void
cli_command(struct ctld *D, struct cli_client *c, int argc, char **argv,
	    bool json)
{
	const struct cli_caller *who = cli_client_caller(c);
	const char *cmd = argv[0];
	bool change = strcmp(cmd, "reload") == 0 ||
		      strcmp(cmd, "confirm") == 0 ||
		      strcmp(cmd, "rollback") == 0 || strcmp(cmd, "log") == 0;

	(void)json;
	if (strcmp(cmd, "show") == 0) {
		cmd_show(D, c, argc, argv, json);
		return;
	}
	if (strcmp(cmd, "help") == 0 && argc == 1) {
		/* ixgatectl --help: the daemon's own list of show commands. */
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);
		int st;

		if (out == NULL) {
			answer(c, 1, "out of memory");
			return;
		}
		st = ctl_show_help(out, json);
		fclose(out);
		answer_view(c, text, len, st);
		return;
	}
	if (strcmp(cmd, "status") == 0 && argc == 1) {
		cmd_status(D, c, json);
		return;
	}
	if (strcmp(cmd, "check") == 0 && argc <= 2) {
		cmd_check(D, c, argc == 2 ? argv[1] : NULL);
		return;
	}
	if (!change) {
		usage(c);
		return;
	}
	if (!who->privileged) {
		ctld_log(D, "%s by uid %u refused: not root or uid %u", cmd,
			 (unsigned)who->uid, (unsigned)D->uid);
		answer(c, 1,
		       "%s: permission denied: only root or uid %u may "
		       "change the configuration",
		       cmd, (unsigned)D->uid);
		return;
	}
	if (strcmp(cmd, "reload") == 0) {
		cmd_reload(D, c, argc, argv, (int64_t)who->uid);
	} else if (strcmp(cmd, "log") == 0) {
		if (argc == 2 && strcmp(argv[1], "reopen") == 0)
			cmd_log_reopen(D, c);
		else
			usage(c);
	} else if (argc != 1) {
		usage(c);
	} else if (strcmp(cmd, "confirm") == 0) {
		cmd_confirm(D, c, (int64_t)who->uid);
	} else {
		struct commit_request r = {
			.kind = COMMIT_ROLLBACK,
			.who = (int64_t)who->uid,
			.action = "rollback",
			.client = c,
		};

		submit(D, c, &r);
	}
}
