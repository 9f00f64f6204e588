/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c - rendering ixgate's counters and state as Prometheus text
 * format 0.0.4 or OpenMetrics 1.0.0.
 *
 * The families are declared once below (EXP_FAMILIES: name, type, unit,
 * help) and rendered in that order; doc/monitoring.md lists the same.
 * Until the common counter-family declarations are merged (issue 11,
 * "counters declared once": IXG_CTR_* in ixg_api.h, walked by
 * common/counters.c), the dataplane counters are read here from struct
 * ixg_lcore_counters directly, under the names and labels those
 * declarations give them, so switching to their walk changes no series;
 * the emitter below (family_begin, sample_begin / label / sample_end) is
 * the interface the walk will drive. The state, provenance and exporter
 * families stay here.
 *
 * Format rules that differ (OpenMetrics 1.0.0 "Text format"):
 *   counter family "x_total": text: "# TYPE x_total counter", samples
 *   x_total; OpenMetrics: "# TYPE x counter", samples x_total.
 *   info: text has no info type (gauge named x_info); OpenMetrics
 *   "# TYPE x info", samples x_info.
 *   unit: OpenMetrics only ("# UNIT x bytes"; x must end with _bytes).
 *   OpenMetrics ends with "# EOF"; label values must be UTF-8.
 *
 * Cost: one pass over the summed counters; numbers are formatted by hand
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

enum mtype { M_COUNTER, M_GAUGE, M_INFO };

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
	  "Start time of each ixgate process since the epoch (a dataplane "    \
	  "restart resets its counters)")                                      \
	X(READY, "ixgate_ready", M_GAUGE, NULL,                                \
	  "1 when the dataplane is connected and runs the loaded "             \
	  "configuration (GET /healthz answers 200)")                          \
	X(DP_UP, "ixgate_dataplane_connected", M_GAUGE, NULL,                  \
	  "1 when ixgate-control is connected to the dataplane's API")         \
	X(DP_WORKERS, "ixgate_dataplane_workers", M_GAUGE, NULL,               \
	  "Worker lcores of the dataplane")                                    \
	X(CONFIG, "ixgate_config", M_INFO, NULL,                               \
	  "The configuration the dataplane runs: SHA-256 over its files and "  \
	  "generation")                                                        \
	X(GENERATION, "ixgate_config_generation", M_GAUGE, NULL,               \
	  "Generation the dataplane runs (one more at every commit)")          \
	X(LOAD_TIME, "ixgate_config_load_time_seconds", M_GAUGE, "seconds",    \
	  "When ixgate-control loaded the configuration it holds")             \
	X(FILES_CHANGED, "ixgate_config_files_changed", M_GAUGE, NULL,         \
	  "1 when the configuration's files on disk differ from what was "     \
	  "loaded (a reload would change something)")                          \
	X(FILE, "ixgate_config_file", M_INFO, NULL,                            \
	  "Every file the configuration read (includes, prefix lists, "        \
	  "country data) with its SHA-256 as loaded")                          \
	X(RX, "ixgate_received_packets", M_COUNTER, NULL,                      \
	  "Frames the pipeline received, every port")                          \
	X(FWD, "ixgate_forwarded_packets", M_COUNTER, NULL,                    \
	  "Received frames forwarded (accepted by a TX queue)")                \
	X(LOCAL, "ixgate_local_packets", M_COUNTER, NULL,                      \
	  "Received frames answered by the node (ARP, ND, echo)")              \
	X(DROP, "ixgate_dropped_packets", M_COUNTER, NULL,                     \
	  "Received frames dropped, by reason (doc/counters.md)")              \
	X(ICMP_GEN, "ixgate_icmp_generated_packets", M_COUNTER, NULL,          \
	  "ICMP errors the node originated")                                   \
	X(ICMP_GEN_DROP, "ixgate_icmp_generated_dropped_packets", M_COUNTER,   \
	  NULL, "ICMP errors the node originated that a TX queue refused")     \
	X(SAMPLED, "ixgate_sampled_packets", M_COUNTER, NULL,                  \
	  "Packets sampled into the workers' sample rings")                    \
	X(SAMPLE_DROP, "ixgate_samples_dropped", M_COUNTER, NULL,              \
	  "Samples lost because a sample ring was full")                       \
	X(PAIR_OVERFLOW, "ixgate_peer_pair_overflow_packets", M_COUNTER, NULL, \
	  "Packets whose peer pair found no slot in a worker's pair table")    \
	X(PORT_RX, "ixgate_port_received_packets", M_COUNTER, NULL,            \
	  "Frames received on the port")                                       \
	X(PORT_RX_B, "ixgate_port_received_bytes", M_COUNTER, "bytes",         \
	  "Bytes received on the port (frame lengths without FCS)")            \
	X(PORT_TX, "ixgate_port_transmitted_packets", M_COUNTER, NULL,         \
	  "Forwarded frames sent out of the port")                             \
	X(PORT_TX_B, "ixgate_port_transmitted_bytes", M_COUNTER, "bytes",      \
	  "Bytes of forwarded frames sent out of the port")                    \
	X(PORT_FWD, "ixgate_port_forwarded_packets", M_COUNTER, NULL,          \
	  "Frames received on the port and forwarded (through any port)")      \
	X(PORT_LOCAL, "ixgate_port_local_packets", M_COUNTER, NULL,            \
	  "Frames received on the port and answered by the node")              \
	X(PORT_DROP, "ixgate_port_dropped_packets", M_COUNTER, NULL,           \
	  "Frames received on the port and dropped, by reason")                \
	X(PORT_GEN, "ixgate_port_icmp_generated_packets", M_COUNTER, NULL,     \
	  "ICMP errors the node sent out of the port")                         \
	X(PEER_RX, "ixgate_peer_received_packets", M_COUNTER, NULL,            \
	  "Frames received from the member")                                   \
	X(PEER_RX_B, "ixgate_peer_received_bytes", M_COUNTER, "bytes",         \
	  "Bytes received from the member")                                    \
	X(PEER_TX, "ixgate_peer_transmitted_packets", M_COUNTER, NULL,         \
	  "Frames forwarded to the member")                                    \
	X(PEER_TX_B, "ixgate_peer_transmitted_bytes", M_COUNTER, "bytes",      \
	  "Bytes forwarded to the member")                                     \
	X(PEER_DROP, "ixgate_peer_dropped_packets", M_COUNTER, NULL,           \
	  "Frames received from the member and dropped")                       \
	X(PAIR, "ixgate_peer_pair_packets", M_COUNTER, NULL,                   \
	  "Frames forwarded from one member to another (pairs with traffic)")  \
	X(PAIR_B, "ixgate_peer_pair_bytes", M_COUNTER, "bytes",                \
	  "Bytes forwarded from one member to another")                        \
	X(CPAIR, "ixgate_country_pair_packets", M_COUNTER, NULL,               \
	  "Frames forwarded, by country of source and destination address "    \
	  "(pairs with traffic; -- unknown)")                                  \
	X(CPAIR_B, "ixgate_country_pair_bytes", M_COUNTER, "bytes",            \
	  "Bytes forwarded, by country of source and destination address")     \
	X(ACL, "ixgate_acl_rule_matched_packets", M_COUNTER, NULL,             \
	  "Packets that matched the ACL rule (denied or not)")                 \
	X(CLASS, "ixgate_class_packets", M_COUNTER, NULL,                      \
	  "Packets of the class by trTCM meter colour")                        \
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
	  "seconds", "Time the previous scrape took to render")

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

/* ---- the emitter: the interface the counter declarations will drive */

struct emitter {
	struct mout *o;
	enum http_format fmt;
	const struct mfam *fam;
	bool first_label;
};

static void
family_begin(struct emitter *e, enum fam_id id)
{
	const struct mfam *f = &families[id];
	bool om = e->fmt == HTTP_FMT_OPENMETRICS;
	const char *suffix = "";

	e->fam = f;
	if (!om && f->type == M_COUNTER)
		suffix = "_total";
	else if (!om && f->type == M_INFO)
		suffix = "_info";
	puts_(e->o, "# HELP ");
	puts_(e->o, f->name);
	puts_(e->o, suffix);
	put(e->o, " ", 1);
	puts_(e->o, f->help); /* constant, nothing to escape */
	puts_(e->o, "\n# TYPE ");
	puts_(e->o, f->name);
	puts_(e->o, suffix);
	puts_(e->o, f->type == M_COUNTER      ? " counter\n"
		    : f->type == M_INFO && om ? " info\n"
					      : " gauge\n");
	if (om && f->unit != NULL) {
		puts_(e->o, "# UNIT ");
		puts_(e->o, f->name);
		put(e->o, " ", 1);
		puts_(e->o, f->unit);
		put(e->o, "\n", 1);
	}
}

static void
sample_begin(struct emitter *e)
{
	puts_(e->o, e->fam->name);
	if (e->fam->type == M_COUNTER)
		puts_(e->o, "_total");
	else if (e->fam->type == M_INFO)
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

/* A label already escaped (cached per render). */
static void
label_raw(struct emitter *e, const char *text, size_t n)
{
	put(e->o, e->first_label ? "{" : ",", 1);
	e->first_label = false;
	put(e->o, text, n);
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
	if (n != NULL && n->dp_start_unix > 0) {
		sample_begin(e);
		label(e, "process", "ixgate-dataplane");
		sample_end_i64(e, n->dp_start_unix);
	}
	ready = exp_names_ready(n, why, sizeof(why));
	single_u64(e, F_READY, ready);
	single_u64(e, F_DP_UP, n != NULL && n->dp_connected);
	if (n == NULL)
		return;
	if (n->dp_connected)
		single_u64(e, F_DP_WORKERS, n->dp_workers);
	if (n->dp_generation > 0) {
		family_begin(e, F_CONFIG);
		sample_begin(e);
		hex(n->dp_sha256, sha);
		snprintf(num, sizeof(num), "%" PRIu64, n->dp_generation);
		label(e, "sha256", sha);
		label(e, "generation", num);
		sample_end_u64(e, 1);
		single_u64(e, F_GENERATION, n->dp_generation);
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

static void
render_totals(struct emitter *e, const struct ixg_lcore_counters *c)
{
	single_u64(e, F_RX, c->rx_packets);
	single_u64(e, F_FWD, c->tx_packets);
	single_u64(e, F_LOCAL, c->local_packets);
	family_begin(e, F_DROP);
	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		sample_begin(e);
		label(e, "reason", ixg_drop_name(r));
		sample_end_u64(e, c->drops[r]);
	}
	single_u64(e, F_ICMP_GEN, c->icmp_generated);
	single_u64(e, F_ICMP_GEN_DROP, c->generated_dropped);
	single_u64(e, F_SAMPLED, c->sampled);
	single_u64(e, F_SAMPLE_DROP, c->sample_dropped);
	single_u64(e, F_PAIR_OVERFLOW, c->peer_pair_overflow);
}

/* Port families: one pass per family over the ports. */
static void
render_ports(struct emitter *e, const struct exp_names *n,
	     const struct ixg_lcore_counters *c)
{
	static const enum fam_id simple[] = {
		F_PORT_RX,  F_PORT_RX_B,  F_PORT_TX, F_PORT_TX_B,
		F_PORT_FWD, F_PORT_LOCAL, F_PORT_GEN};

	for (unsigned f = 0; f < sizeof(simple) / sizeof(simple[0]); f++) {
		family_begin(e, simple[f]);
		for (unsigned i = 0; i < n->n_ports; i++) {
			const struct ixg_ctr_port *p = &c->port[n->ports[i].id];
			uint64_t v = 0;

			switch (simple[f]) {
			case F_PORT_RX: v = p->rx.packets; break;
			case F_PORT_RX_B: v = p->rx.bytes; break;
			case F_PORT_TX: v = p->tx.packets; break;
			case F_PORT_TX_B: v = p->tx.bytes; break;
			case F_PORT_FWD: v = p->fwd; break;
			case F_PORT_LOCAL: v = p->local; break;
			default: v = p->generated; break;
			}
			sample_begin(e);
			label(e, "port", n->ports[i].name);
			sample_end_u64(e, v);
		}
	}
	family_begin(e, F_PORT_DROP);
	for (unsigned i = 0; i < n->n_ports; i++) {
		const struct ixg_ctr_port *p = &c->port[n->ports[i].id];

		for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
			sample_begin(e);
			label(e, "port", n->ports[i].name);
			label(e, "reason", ixg_drop_name(r));
			sample_end_u64(e, p->drops[r]);
		}
	}
}

/*
 * Escaped label text of every peer, built once per scrape: `peer="x",
 * asn="1",country="VN"` at offsets[i] in cache (and `x` alone for the
 * pair families at name_off[i]).
 */
struct peer_labels {
	struct mout cache;
	size_t *off, *len, *name_off, *name_len;
};

static int
peer_labels_build(struct peer_labels *pl, const struct exp_names *n)
{
	char asn[16];

	memset(pl, 0, sizeof(*pl));
	pl->off = calloc(n->n_peers + 1, sizeof(size_t) * 4);
	if (pl->off == NULL)
		return -1;
	pl->len = pl->off + n->n_peers + 1;
	pl->name_off = pl->len + n->n_peers + 1;
	pl->name_len = pl->name_off + n->n_peers + 1;
	for (unsigned i = 0; i < n->n_peers; i++) {
		const struct exp_peer *p = &n->peers[i];

		pl->name_off[i] = pl->cache.len;
		put_label_value(&pl->cache, p->name);
		pl->name_len[i] = pl->cache.len - pl->name_off[i];
		pl->off[i] = pl->cache.len;
		puts_(&pl->cache, "peer=\"");
		put_label_value(&pl->cache, p->name);
		snprintf(asn, sizeof(asn), "%u", p->asn);
		puts_(&pl->cache, "\",asn=\"");
		puts_(&pl->cache, asn);
		puts_(&pl->cache, "\",country=\"");
		put_label_value(&pl->cache, p->country);
		puts_(&pl->cache, "\"");
		pl->len[i] = pl->cache.len - pl->off[i];
	}
	return pl->cache.oom ? -1 : 0;
}

static void
peer_labels_free(struct peer_labels *pl)
{
	mout_free(&pl->cache);
	free(pl->off);
}

static void
render_peers(struct emitter *e, const struct exp_names *n,
	     const struct ixg_lcore_counters *c, const struct peer_labels *pl)
{
	static const enum fam_id fams[] = {F_PEER_RX, F_PEER_RX_B, F_PEER_TX,
					   F_PEER_TX_B, F_PEER_DROP};

	for (unsigned f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		family_begin(e, fams[f]);
		for (unsigned i = 0; i < n->n_peers; i++) {
			const struct ixg_ctr_peer *p = &c->peer[n->peers[i].id];
			uint64_t v;

			switch (fams[f]) {
			case F_PEER_RX: v = p->rx.packets; break;
			case F_PEER_RX_B: v = p->rx.bytes; break;
			case F_PEER_TX: v = p->tx.packets; break;
			case F_PEER_TX_B: v = p->tx.bytes; break;
			default: v = p->drops; break;
			}
			sample_begin(e);
			label_raw(e, pl->cache.p + pl->off[i], pl->len[i]);
			sample_end_u64(e, v);
		}
	}
}

static void
render_pairs(struct emitter *e, const struct exp_names *n,
	     const struct ixg_lcore_counters *c, const struct peer_labels *pl)
{
	for (int bytes = 0; bytes < 2; bytes++) {
		family_begin(e, bytes ? F_PAIR_B : F_PAIR);
		for (uint32_t s = 0; s < IXG_PEER_PAIR_SLOTS; s++) {
			const struct ixg_ctr_peer_pair *p = &c->peer_pair[s];
			unsigned a, b;

			if (p->key == 0 || p->pb.packets == 0)
				continue;
			a = n->peer_index[(p->key >> 16) % IXG_MAX_PEERS];
			b = n->peer_index[(p->key & 0xffff) % IXG_MAX_PEERS];
			if (a == 0 || b == 0)
				continue; /* a member no longer configured */
			sample_begin(e);
			label_raw(e, "src_peer=\"", 10);
			put(e->o, pl->cache.p + pl->name_off[a - 1],
			    pl->name_len[a - 1]);
			put(e->o, "\",dst_peer=\"", 12);
			put(e->o, pl->cache.p + pl->name_off[b - 1],
			    pl->name_len[b - 1]);
			put(e->o, "\"", 1);
			sample_end_u64(e, bytes ? p->pb.bytes : p->pb.packets);
		}
	}
}

static void
render_countries(struct emitter *e, const struct exp_names *n,
		 const struct ixg_lcore_counters *c)
{
	char lab[64];

	for (int bytes = 0; bytes < 2; bytes++) {
		family_begin(e, bytes ? F_CPAIR_B : F_CPAIR);
		for (unsigned s = 0; s < n->n_countries; s++)
			for (unsigned d = 0; d < n->n_countries; d++) {
				const struct ixg_ctr_pb *pb =
					&c->country_pair[s][d];
				int l;

				if (pb->packets == 0)
					continue;
				/* codes are two letters or "--": no escaping */
				l = snprintf(lab, sizeof(lab),
					     "src_country=\"%s\",dst_country="
					     "\"%s\"",
					     n->countries[s], n->countries[d]);
				sample_begin(e);
				label_raw(e, lab, (size_t)l);
				sample_end_u64(e,
					       bytes ? pb->bytes : pb->packets);
			}
	}
}

static void
render_acl_classes(struct emitter *e, const struct exp_names *n,
		   const struct ixg_lcore_counters *c)
{
	static const char *const colours[3] = {"green", "yellow", "red"};

	family_begin(e, F_ACL);
	for (unsigned i = 0; i < n->n_rules; i++) {
		char id[16];

		snprintf(id, sizeof(id), "%u", n->rules[i].id);
		sample_begin(e);
		label(e, "rule", id);
		label(e, "rule_name", n->rules[i].name);
		sample_end_u64(e, c->acl_hits[n->rules[i].id]);
	}
	family_begin(e, F_CLASS);
	for (unsigned i = 0; i < n->n_classes; i++)
		for (unsigned k = 0; k < 3; k++) {
			sample_begin(e);
			label(e, "class", n->classes[i].name);
			label(e, "colour", colours[k]);
			sample_end_u64(e, c->class_colour[n->classes[i].id][k]);
		}
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

/* Render (see metrics.h). Any thread. */
void
metrics_render(const struct exp_names *n, const struct ixg_lcore_counters *sum,
	       const struct exp_file_digests *files,
	       const struct exp_self *self, enum http_format fmt,
	       struct mout *o)
{
	struct emitter e = {.o = o, .fmt = fmt};
	struct peer_labels pl;

	render_state(&e, n, files);
	if (n != NULL && sum != NULL) {
		render_totals(&e, sum);
		render_ports(&e, n, sum);
		if (peer_labels_build(&pl, n) < 0) {
			o->oom = true;
		} else {
			render_peers(&e, n, sum, &pl);
			render_pairs(&e, n, sum, &pl);
		}
		peer_labels_free(&pl);
		render_countries(&e, n, sum);
		render_acl_classes(&e, n, sum);
	}
	if (self != NULL)
		render_self(&e, self);
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
