/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c - rendering ixgate's counters and state as Prometheus text
 * format 0.0.4 or OpenMetrics 1.0.0.
 *
 * Two sources of families, rendered in this order:
 *   - the exporter's own (EXP_FAMILIES below: build info, start time,
 *     readiness, configuration provenance, the exporter's self-metrics),
 *     which only ixgate-control knows, then its running numbers (struct
     exp_live: the sFlow agent, the kernel routes and the histogram of
     their latency from netlink to live);
 *   - every counter family declared in ixg_api.h / counters.h
 *     (IXG_CTR_NODE, IXG_CTR_STATE, IXG_CTR_PORT, ...), walked with
 *     ixg_ctr_walk: metric name, HELP, TYPE, UNIT and labels are the
 *     declaration's. Nothing here names one: a family declared there is
 *     in every scrape with no edit here (test_metrics, test_declared).
 * The counters are walked over one block the exporter summed for this
 * scrape (exporter.c, stats_sum): every value is read from the workers'
 * blocks once, so the values of one scrape agree with each other (a drop
 * total and its reasons, a port's rx and its fwd + local + drops) as far
 * as the workers' own order of increments allows.
 *
 * Format rules that differ (OpenMetrics 1.0.0 "Text format"):
 *   counter family "x_total": text: "# TYPE x_total counter", samples
 *   x_total; OpenMetrics: "# TYPE x counter", samples x_total.
 *   info: text has no info type (gauge named x_info); OpenMetrics
 *   "# TYPE x info", samples x_info.
 *   unit: OpenMetrics only ("# UNIT x bytes"), and only where the family
 *   name ends in "_" + the unit (the format requires it).
 *   OpenMetrics ends with "# EOF"; label values must be UTF-8.
 *
 * Cost: one walk over the summed counters; numbers are formatted by hand
 * (no printf per sample). bench/metrics_bench.c measures a full-scale
 * scrape (bench/README.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#ifndef IXG_VERSION
#define IXG_VERSION "0"
#endif

enum mtype { M_COUNTER, M_GAUGE, M_INFO, M_HISTOGRAM };

struct mfam {
	const char *name; /* without _total / _info */
	enum mtype type;
	const char *unit; /* NULL, "bytes", "seconds" */
	const char *help;
};

/* X(id, name, type, unit, help) */
#define EXP_FAMILIES(X)                                                        \
	X(BUILD, "ixgate_build", M_INFO, NULL, "ixgate-control's version")     \
	X(START, "process_start_time_seconds", M_GAUGE, "seconds",             \
	  "Start time of ixgate-control since the epoch (the dataplane's: "    \
	  "ixgate_dataplane_start_time_seconds)")                              \
	X(READY, "ixgate_ready", M_GAUGE, NULL,                                \
	  "1 when the dataplane is connected and runs the loaded "             \
	  "configuration (GET /healthz answers 200)")                          \
	X(DP_UP, "ixgate_dataplane_connected", M_GAUGE, NULL,                  \
	  "1 when ixgate-control is connected to the dataplane's API")         \
	X(CONFIG, "ixgate_config", M_INFO, NULL,                               \
	  "The configuration the dataplane runs: SHA-256 over its files and "  \
	  "generation")                                                        \
	X(LOAD_TIME, "ixgate_config_load_time_seconds", M_GAUGE, "seconds",    \
	  "When ixgate-control loaded the configuration it holds")             \
	X(FILES_CHANGED, "ixgate_config_files_changed", M_GAUGE, NULL,         \
	  "1 when the configuration's files on disk differ from what was "     \
	  "loaded (a reload would change something)")                          \
	X(FILE, "ixgate_config_file", M_INFO, NULL,                            \
	  "Every file the configuration read (includes, prefix lists, "        \
	  "country data) with its SHA-256 as loaded")                          \
	X(SCRAPES, "ixgate_exporter_scrapes", M_COUNTER, NULL,                 \
	  "GET /metrics requests answered, by exposition format")              \
	X(HTTP_ERR, "ixgate_exporter_http_errors", M_COUNTER, NULL,            \
	  "HTTP requests answered with a 4xx or 5xx status")                   \
	X(CONNS, "ixgate_exporter_connections", M_COUNTER, NULL,               \
	  "Connections accepted by the exporter")                              \
	X(TLS_FAIL, "ixgate_exporter_tls_handshake_failures", M_COUNTER, NULL, \
	  "TLS handshakes that failed (no or a bad client certificate, "       \
	  "protocol errors)")                                                  \
	X(TLS_LOAD, "ixgate_exporter_tls_load_time_seconds", M_GAUGE,          \
	  "seconds",                                                           \
	  "When the TLS certificate, key and CA in use were loaded")           \
	X(TLS_RELOAD_FAIL, "ixgate_exporter_tls_reload_failures", M_COUNTER,   \
	  NULL, "TLS reloads refused (the previous files stay in use)")        \
	X(SCRAPE_TIME, "ixgate_exporter_scrape_duration_seconds", M_GAUGE,     \
	  "seconds", "Time the previous scrape took to render")                \
	X(SF_COLLECTORS, "ixgate_sflow_collectors", M_GAUGE, NULL,             \
	  "sFlow collectors configured (sflow-collector)")                     \
	X(SF_SAMPLES, "ixgate_sflow_flow_samples", M_COUNTER, NULL,            \
	  "Flow samples the sFlow agent sent (each to every collector)")       \
	X(SF_CTR_SAMPLES, "ixgate_sflow_port_samples", M_COUNTER, NULL,        \
	  "Counter samples (one per port per sflow-counter-interval) sent")    \
	X(SF_DATAGRAMS, "ixgate_sflow_datagrams", M_COUNTER, NULL,             \
	  "sFlow datagrams sent, summed over the collectors")                  \
	X(SF_SEND_ERR, "ixgate_sflow_send_errors", M_COUNTER, NULL,            \
	  "sFlow datagrams a collector's socket refused (dropped)")            \
	X(SF_BAD, "ixgate_sflow_bad_records", M_COUNTER, NULL,                 \
	  "Sample records read torn or out of range from the dataplane's "     \
	  "rings, skipped")                                                    \
	X(SF_DISCARDED, "ixgate_sflow_discarded_samples", M_COUNTER, NULL,     \
	  "Samples read while no collector was configured")                    \
	X(KR_SYNCED, "ixgate_kernel_routes_synced", M_GAUGE, NULL,             \
	  "1 once the kernel routes' first dump has been read (only with a "   \
	  "kernel-routes block)")                                              \
	X(KR_ROUTES, "ixgate_kernel_routes", M_GAUGE, NULL,                    \
	  "Kernel routes by address family and resolution state (the states "  \
	  "of ixgatectl show kernel-routes)")                                  \
	X(KR_INSTALLED, "ixgate_kernel_routes_installed", M_GAUGE, NULL,       \
	  "Kernel routes in the route tables sent to the dataplane, by "       \
	  "address family")                                                    \
	X(KR_BH, "ixgate_kernel_blackholes_installed", M_GAUGE, NULL,          \
	  "Kernel blackhole routes in the blackhole table sent to the "        \
	  "dataplane")                                                         \
	X(KR_SHADOWED, "ixgate_kernel_routes_shadowed", M_GAUGE, NULL,         \
	  "Kernel routes a config route of the same prefix beats")             \
	X(KR_SHUT, "ixgate_kernel_routes_shut", M_GAUGE, NULL,                 \
	  "Kernel routes of members shut out by max-prefix")                   \
	X(KR_CHANGES, "ixgate_kernel_route_changes", M_COUNTER, NULL,          \
	  "Route changes read from netlink")                                   \
	X(KR_COMMITS, "ixgate_kernel_route_commits", M_COUNTER, NULL,          \
	  "Route commit jobs started for kernel route changes")                \
	X(KR_FAILED, "ixgate_kernel_route_commits_failed", M_COUNTER, NULL,    \
	  "Route commit jobs that did not go live (their changes are "         \
	  "retried)")                                                          \
	X(KR_SENT, "ixgate_kernel_route_tables_sent", M_COUNTER, NULL,         \
	  "Route tables sent to the dataplane by route commits, as edits "     \
	  "(delta) or whole")                                                  \
	X(KR_REFUSED, "ixgate_kernel_route_deltas_refused", M_COUNTER, NULL,   \
	  "Route deltas the dataplane refused (sent again whole)")             \
	X(KR_RESTARTS, "ixgate_kernel_route_reader_restarts", M_COUNTER, NULL, \
	  "Times the netlink reader was restarted (a lost message: a new "     \
	  "dump)")                                                             \
	X(KR_LATENCY, "ixgate_kernel_route_latency_seconds", M_HISTOGRAM,      \
	  "seconds",                                                           \
	  "Time from reading a route change from netlink to the commit "       \
	  "holding it being live in the dataplane")                            \
	X(SW_SESSIONS, "ixgate_bgp_session_families", M_GAUGE, NULL,           \
	  "Members' BGP sessions per family (TCP 179 to a next hop) by "       \
	  "state: up, down (session loss), untracked")                         \
	X(SW_DOWNS, "ixgate_bgp_session_down_events", M_COUNTER, NULL,         \
	  "A member's BGP session of a family left ESTABLISHED (session "      \
	  "loss)")                                                             \
	X(SW_UPS, "ixgate_bgp_session_up_events", M_COUNTER, NULL,             \
	  "A member's BGP session of a family ESTABLISHED again after a loss") \
	X(SW_DP, "ixgate_bgp_session_dataplane_updates", M_COUNTER, NULL,      \
	  "Session state (PEER_DOWN) updates the dataplane applied")           \
	X(SW_ERRORS, "ixgate_bgp_session_dump_errors", M_COUNTER, NULL,        \
	  "sock_diag dumps of the sessions thrown away (malformed, refused)")

enum fam_id {
#define X_ENUM(id, name, type, unit, help) F_##id,
	EXP_FAMILIES(X_ENUM)
#undef X_ENUM
		F_MAX
};

static const struct mfam families[F_MAX] = {
#define X_DECL(id, name_, type_, unit_, help_)                                 \
	[F_##id] = {.name = name_, .type = type_, .unit = unit_, .help = help_},
	EXP_FAMILIES(X_DECL)
#undef X_DECL
};

/* ---- the output buffer ---- */

/* Reset (see metrics.h). */
void
mout_reset(struct mout *o)
{
	o->len = 0;
	o->oom = false;
}

/* Free (see metrics.h). */
void
mout_free(struct mout *o)
{
	free(o->p);
	memset(o, 0, sizeof(*o));
}

static bool
reserve(struct mout *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->oom)
		return false;
	if (o->len + n <= o->cap)
		return true;
	cap = o->cap ? o->cap : 65536;
	while (cap < o->len + n)
		cap *= 2;
	p = realloc(o->p, cap);
	if (p == NULL) {
		o->oom = true;
		return false;
	}
	o->p = p;
	o->cap = cap;
	return true;
}

static void
put(struct mout *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
puts_(struct mout *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_u64(struct mout *o, uint64_t v)
{
	char b[20];
	int i = 20;

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(o, b + i, (size_t)(20 - i));
}

static void
put_i64(struct mout *o, int64_t v)
{
	if (v < 0) {
		put(o, "-", 1);
		put_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid
 * (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* A label value: backslash, double quote and newline escaped (both
 * formats), invalid UTF-8 replaced by U+FFFD. */
static void
put_label_value(struct mout *o, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), i = 0, run = 0;

	while (i < n) {
		size_t l = utf8_len(s + i, n - i);

		if (l == 1 && s[i] != '\\' && s[i] != '"' && s[i] != '\n') {
			i++;
			run++;
			continue;
		}
		put(o, (const char *)s + i - run, run);
		run = 0;
		if (l == 0) {
			put(o, "\xef\xbf\xbd", 3);
			i++;
		} else if (l > 1) {
			put(o, (const char *)s + i, l);
			i += l;
		} else {
			put(o,
			    s[i] == '\\'  ? "\\\\"
			    : s[i] == '"' ? "\\\""
					  : "\\n",
			    2);
			i++;
		}
	}
	put(o, (const char *)s + i - run, run);
}

/* ---- the emitter: one family's header, then its samples */

struct emitter {
	struct mout *o;
	enum http_format fmt;
	char name[128]; /* the family's name without _total / _info */
	enum mtype type;
	bool first_label;
};

/* Does name end in "_" unit? (OpenMetrics: a UNIT must be the name's
 * suffix.) */
static bool
unit_suffix(const char *name, const char *unit)
{
	size_t n = strlen(name), u = strlen(unit);

	return u > 0 && n > u + 1 && name[n - u - 1] == '_' &&
	       strcmp(name + n - u, unit) == 0;
}

/* HELP, TYPE (and UNIT) of a family: base is its name without _total /
 * _info, help a constant line (nothing to escape), unit NULL or "" for
 * none. */
static void
family_head(struct emitter *e, const char *prefix, const char *base,
	    size_t base_len, enum mtype type, const char *unit,
	    const char *help)
{
	bool om = e->fmt == HTTP_FMT_OPENMETRICS;
	const char *suffix = "";
	size_t pl = strlen(prefix);

	if (pl + base_len >= sizeof(e->name))
		base_len = sizeof(e->name) - pl - 1;
	memcpy(e->name, prefix, pl);
	memcpy(e->name + pl, base, base_len);
	e->name[pl + base_len] = '\0';
	e->type = type;
	if (!om && type == M_COUNTER)
		suffix = "_total";
	else if (!om && type == M_INFO)
		suffix = "_info";
	puts_(e->o, "# HELP ");
	puts_(e->o, e->name);
	puts_(e->o, suffix);
	put(e->o, " ", 1);
	puts_(e->o, help);
	puts_(e->o, "\n# TYPE ");
	puts_(e->o, e->name);
	puts_(e->o, suffix);
	puts_(e->o, type == M_COUNTER	   ? " counter\n"
		    : type == M_HISTOGRAM  ? " histogram\n"
		    : type == M_INFO && om ? " info\n"
					   : " gauge\n");
	if (om && unit != NULL && unit_suffix(e->name, unit)) {
		puts_(e->o, "# UNIT ");
		puts_(e->o, e->name);
		put(e->o, " ", 1);
		puts_(e->o, unit);
		put(e->o, "\n", 1);
	}
}

/* An exporter family's header. */
static void
family_begin(struct emitter *e, enum fam_id id)
{
	const struct mfam *f = &families[id];

	family_head(e, "", f->name, strlen(f->name), f->type, f->unit, f->help);
}

static void
sample_begin(struct emitter *e)
{
	puts_(e->o, e->name);
	if (e->type == M_COUNTER)
		puts_(e->o, "_total");
	else if (e->type == M_INFO)
		puts_(e->o, "_info");
	e->first_label = true;
}

static void
label(struct emitter *e, const char *name, const char *value)
{
	put(e->o, e->first_label ? "{" : ",", 1);
	e->first_label = false;
	puts_(e->o, name);
	put(e->o, "=\"", 2);
	put_label_value(e->o, value);
	put(e->o, "\"", 1);
}

static void
sample_end_u64(struct emitter *e, uint64_t v)
{
	put(e->o, e->first_label ? " " : "} ", e->first_label ? 1 : 2);
	put_u64(e->o, v);
	put(e->o, "\n", 1);
}

static void
sample_end_i64(struct emitter *e, int64_t v)
{
	put(e->o, e->first_label ? " " : "} ", e->first_label ? 1 : 2);
	put_i64(e->o, v);
	put(e->o, "\n", 1);
}

static void
sample_end_double(struct emitter *e, double v)
{
	char b[40];

	snprintf(b, sizeof(b), "%.6f", v);
	put(e->o, e->first_label ? " " : "} ", e->first_label ? 1 : 2);
	puts_(e->o, b);
	put(e->o, "\n", 1);
}

/* One unlabelled sample as a whole family. */
static void
single_u64(struct emitter *e, enum fam_id id, uint64_t v)
{
	family_begin(e, id);
	sample_begin(e);
	sample_end_u64(e, v);
}

static void
hex(const uint8_t *sha, char out[65])
{
	static const char hx[] = "0123456789abcdef";

	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hx[sha[i] >> 4];
		out[2 * i + 1] = hx[sha[i] & 15];
	}
	out[64] = '\0';
}

/* ---- the families ---- */

static void
render_state(struct emitter *e, const struct exp_names *n,
	     const struct exp_file_digests *files)
{
	char sha[65], num[24];
	bool ready;
	char why[256];

	family_begin(e, F_BUILD);
	sample_begin(e);
	label(e, "version", IXG_VERSION);
	sample_end_u64(e, 1);

	family_begin(e, F_START);
	if (n != NULL && n->control_start_unix > 0) {
		sample_begin(e);
		label(e, "process", "ixgate-control");
		sample_end_i64(e, n->control_start_unix);
	}
	ready = exp_names_ready(n, why, sizeof(why));
	single_u64(e, F_READY, ready);
	single_u64(e, F_DP_UP, n != NULL && n->dp_connected);
	if (n == NULL)
		return;
	/* What the dataplane runs, while it is known: the same condition as
	 * ixgate_config_generation and the other dataplane gauges (walked
	 * from the declarations in render_counters). */
	if (n->dp_connected && n->dp_generation > 0) {
		family_begin(e, F_CONFIG);
		sample_begin(e);
		hex(n->dp_sha256, sha);
		snprintf(num, sizeof(num), "%" PRIu64, n->dp_generation);
		label(e, "sha256", sha);
		label(e, "generation", num);
		sample_end_u64(e, 1);
	}
	if (!n->config_valid)
		return;
	family_begin(e, F_LOAD_TIME);
	sample_begin(e);
	label(e, "path", n->config_path);
	sample_end_i64(e, n->config_load_unix);
	if (files != NULL && files->n == n->n_files) {
		if (files->known)
			single_u64(e, F_FILES_CHANGED, !files->match);
		family_begin(e, F_FILE);
		for (unsigned i = 0; i < n->n_files; i++) {
			sample_begin(e);
			label(e, "path", n->files[i]);
			if (files->match)
				hex(files->sha256[i], sha);
			else
				strcpy(sha, "unknown");
			label(e, "sha256", sha);
			sample_end_u64(e, 1);
		}
	}
}

/* The headers of the declared families [from, to) that are walked. */
static void
ctr_heads(struct emitter *e, unsigned from, unsigned to, uint64_t walked)
{
	for (unsigned f = from; f < to; f++) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[f];
		size_t len = strlen(fam->name);

		if (!fam->metric || !(walked & (UINT64_C(1) << f)))
			continue;
		if (fam->type == IXG_CTR_COUNTER && len > 6 &&
		    strcmp(fam->name + len - 6, "_total") == 0)
			len -= 6;
		family_head(e, "ixgate_", fam->name, len,
			    fam->type == IXG_CTR_COUNTER ? M_COUNTER : M_GAUGE,
			    fam->unit, fam->help);
	}
}

/*
 * Every declared counter family (counters.h): the dataplane's state
 * gauges whenever it is connected, the counters when there is a sum.
 * Each family's header comes before its first series (or alone when it
 * has none); the walk gives families in declaration order.
 */
static void
render_counters(struct emitter *e, const struct exp_names *n,
		const struct ixg_lcore_counters *sum)
{
	struct ixg_ctr_state state = {
		.generation = n->dp_generation,
		.workers = n->dp_workers,
		.headless = 0, /* this control plane is connected */
		.start_unix = n->dp_start_unix > 0 ? (uint64_t)n->dp_start_unix
						   : 0,
	};
	struct ixg_ctr_src src;
	struct ixg_ctr_walk *w;
	struct ixg_ctr_series s;
	uint64_t walked = 0;
	unsigned next = 0; /* the first family whose header is not out */

	if (!n->dp_connected)
		return;
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		if (sum != NULL ||
		    ixg_ctr_families[f].from == IXG_CTR_FROM_STATE)
			walked |= UINT64_C(1) << f;
	if (sum != NULL) {
		ixg_ctr_src_one(&src, sum);
	} else {
		memset(&src, 0, sizeof(src));
	}
	src.state = &state;
	w = ixg_ctr_walk_new(&src, n->ctr, IXG_CTR_WALK_METRICS, walked);
	if (w == NULL) {
		e->o->oom = true;
		return;
	}
	while (ixg_ctr_walk_next(w, &s)) {
		if (s.fam_id >= next) {
			ctr_heads(e, next, s.fam_id + 1, walked);
			next = s.fam_id + 1;
		}
		sample_begin(e);
		for (unsigned k = 0; k < s.n_labels; k++)
			label(e, s.label_names[k], s.label_values[k]);
		sample_end_u64(e, s.value);
	}
	ctr_heads(e, next, IXG_CF_MAX, walked);
	ixg_ctr_walk_free(w);
}

static void
render_self(struct emitter *e, const struct exp_self *s)
{
	family_begin(e, F_SCRAPES);
	for (int k = 0; k < 2; k++) {
		sample_begin(e);
		label(e, "format",
		      k == HTTP_FMT_OPENMETRICS ? "openmetrics" : "text");
		sample_end_u64(e, s->scrapes[k]);
	}
	single_u64(e, F_HTTP_ERR, s->http_errors);
	single_u64(e, F_CONNS, s->connections);
	if (s->tls_ctx_loaded_unix > 0) {
		single_u64(e, F_TLS_FAIL, s->tls_handshake_failures);
		family_begin(e, F_TLS_LOAD);
		sample_begin(e);
		sample_end_i64(e, s->tls_ctx_loaded_unix);
		single_u64(e, F_TLS_RELOAD_FAIL, s->tls_reload_failures);
	}
	family_begin(e, F_SCRAPE_TIME);
	sample_begin(e);
	sample_end_double(e, s->last_scrape_seconds);
}

/* One sample of a family with one label. */
static void
labelled_u64(struct emitter *e, const char *name, const char *value, uint64_t v)
{
	sample_begin(e);
	label(e, name, value);
	sample_end_u64(e, v);
}

/* A histogram's buckets, count and sum (family_begin done). */
static void
histogram(struct emitter *e, const double *bound, const uint64_t *le,
	  unsigned n, uint64_t count, double sum)
{
	char b[40];

	for (unsigned i = 0; i <= n; i++) {
		puts_(e->o, e->name);
		puts_(e->o, "_bucket");
		e->first_label = true;
		/* Canonical numbers (OpenMetrics): 1.0, not 1. */
		if (i == n)
			strcpy(b, "+Inf");
		else if (bound[i] == (double)(uint64_t)bound[i])
			snprintf(b, sizeof(b), "%.1f", bound[i]);
		else
			snprintf(b, sizeof(b), "%g", bound[i]);
		label(e, "le", b);
		sample_end_u64(e, i == n ? count : le[i]);
	}
	puts_(e->o, e->name);
	puts_(e->o, "_count");
	e->first_label = true;
	sample_end_u64(e, count);
	puts_(e->o, e->name);
	puts_(e->o, "_sum");
	e->first_label = true;
	sample_end_double(e, sum);
}

/* ixgate-control's own numbers: the sFlow agent always, the kernel
 * routes when a kernel-routes block is running. */
static void
render_live(struct emitter *e, const struct exp_live *l)
{
	static const char *const fam[2] = {"ipv4", "ipv6"};
	const struct sflow_stats *sf = &l->sf;
	const struct rib_stats *kr = &l->kr;
	double bound[RIB_LAT_BOUNDS];

	single_u64(e, F_SF_COLLECTORS, sf->collectors);
	single_u64(e, F_SF_SAMPLES, sf->samples);
	single_u64(e, F_SF_CTR_SAMPLES, sf->counter_samples);
	single_u64(e, F_SF_DATAGRAMS, sf->datagrams);
	single_u64(e, F_SF_SEND_ERR, sf->send_errors);
	single_u64(e, F_SF_BAD, sf->bad_records);
	single_u64(e, F_SF_DISCARDED, sf->discarded);
	if (!kr->enabled)
		return;
	single_u64(e, F_KR_SYNCED, kr->synced);
	family_begin(e, F_KR_ROUTES);
	for (unsigned f = 0; f < 2; f++)
		for (unsigned k = 0; k < RIB_K_MAX; k++) {
			sample_begin(e);
			label(e, "family", fam[f]);
			label(e, "state", rib_kind_name(k));
			sample_end_u64(e, kr->kind[f][k]);
		}
	family_begin(e, F_KR_INSTALLED);
	for (unsigned f = 0; f < 2; f++)
		labelled_u64(e, "family", fam[f], kr->installed[f]);
	single_u64(e, F_KR_BH, kr->installed_blackholes);
	single_u64(e, F_KR_SHADOWED, kr->shadowed);
	single_u64(e, F_KR_SHUT, kr->shut);
	single_u64(e, F_KR_CHANGES, kr->changes);
	single_u64(e, F_KR_COMMITS, kr->commits);
	single_u64(e, F_KR_FAILED, kr->commits_failed);
	family_begin(e, F_KR_SENT);
	labelled_u64(e, "as", "delta", kr->sends_delta);
	labelled_u64(e, "as", "whole", kr->sends_whole);
	single_u64(e, F_KR_REFUSED, kr->deltas_refused);
	single_u64(e, F_KR_RESTARTS, kr->restarts);
	family_begin(e, F_KR_LATENCY);
	for (unsigned b = 0; b < RIB_LAT_BOUNDS; b++)
		bound[b] = rib_lat_bounds_ms[b] / 1000.0;
	histogram(e, bound, kr->lat_le, RIB_LAT_BOUNDS, kr->lat_count,
		  kr->lat_sum_ns / 1e9);
	if (!l->ss.enabled)
		return;
	family_begin(e, F_SW_SESSIONS);
	labelled_u64(e, "state", "up", l->ss.tracked_up);
	labelled_u64(e, "state", "down", l->ss.down);
	labelled_u64(e, "state", "untracked", l->ss.untracked);
	single_u64(e, F_SW_DOWNS, l->ss.downs);
	single_u64(e, F_SW_UPS, l->ss.ups);
	single_u64(e, F_SW_DP, l->ss.dp_updates);
	single_u64(e, F_SW_ERRORS, l->ss.dump_errors);
}

/* Render (see metrics.h). Any thread. */
void
metrics_render(const struct exp_names *n, const struct ixg_lcore_counters *sum,
	       const struct exp_file_digests *files,
	       const struct exp_self *self, const struct exp_live *live,
	       enum http_format fmt, struct mout *o)
{
	struct emitter e = {.o = o, .fmt = fmt};

	render_state(&e, n, files);
	if (n != NULL)
		render_counters(&e, n, sum);
	if (self != NULL)
		render_self(&e, self);
	if (live != NULL && live->valid)
		render_live(&e, live);
	if (fmt == HTTP_FMT_OPENMETRICS)
		puts_(o, "# EOF\n");
}

/* Content-Type (see metrics.h). */
const char *
metrics_content_type(enum http_format fmt)
{
	return fmt == HTTP_FMT_OPENMETRICS
		       ? "application/openmetrics-text; version=1.0.0; "
			 "charset=utf-8"
		       : "text/plain; version=0.0.4; charset=utf-8";
}
