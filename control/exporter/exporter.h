/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exporter.h - ixgate-control's metrics exporter: GET /metrics (Prometheus
 * text 0.0.4, or OpenMetrics 1.0.0 when asked) and GET /healthz over
 * HTTP/1.1, plain or TLS (OpenSSL, optional client certificates), on one
 * or more listen addresses.
 *
 * It runs in its own thread with its own epoll loop, so a scrape never
 * waits on the daemon's io_uring loop and the loop never waits on a
 * scrape. The two threads share one thing: the names snapshot the loop
 * publishes (exporter_publish), an immutable, reference-counted copy of
 * the names and state the exporter needs, with its own read-only mapping
 * of the dataplane's counters (shared memory the workers write with plain
 * adds: reading it costs them nothing).
 *
 * One exporter per process (the functions below act on it).
 */
#ifndef IXG_EXPORTER_H
#define IXG_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>

struct ctl_state;

#define EXPORTER_MAX_LISTEN 8
#define EXPORTER_DEFAULT_LISTEN "127.0.0.1:9477"

/*
 * What the command line says about the exporter. Filled with defaults by
 * exporter_settings_init, then by options (exporter_settings_option). The
 * config's metrics block (ixg_conf_metrics) gives the same settings; each
 * one given here overrides the block's (the exporter merges them at start
 * and after every reload). Strings are owned by the caller and must
 * outlive the exporter.
 */
struct exporter_settings {
	bool enabled; /* false: no exporter thread at all */
	unsigned n_listen; /* 0: EXPORTER_DEFAULT_LISTEN */
	const char *listen[EXPORTER_MAX_LISTEN]; /* "ADDR:PORT", "[V6]:PORT" */
	const char *tls_cert; /* PEM chain; with tls_key: HTTPS */
	const char *tls_key;
	const char *tls_client_ca; /* PEM CA file: client certs required */
	unsigned max_connections; /* open at once (default 64) */
	unsigned max_scrapes; /* /metrics answers in flight (default 8) */
	unsigned header_timeout_ms; /* handshake + request head (10 s) */
	unsigned idle_timeout_ms; /* keep-alive without a request (60 s) */
	unsigned write_timeout_ms; /* no write progress (30 s) */
};

/* Defaults: enabled, plain HTTP on 127.0.0.1:9477, the limits above. */
void exporter_settings_init(struct exporter_settings *s);

/*
 * Apply one option: `name` is the long option without "--":
 *   metrics-listen ADDR:PORT   (repeatable, up to EXPORTER_MAX_LISTEN;
 *                               "none" disables the exporter)
 *   metrics-tls-cert FILE, metrics-tls-key FILE, metrics-tls-client-ca FILE
 * value is kept (not copied). 0, or -1 with a sentence in err for a bad
 * value. Main thread, before exporter_start.
 */
int exporter_settings_option(struct exporter_settings *s, const char *name,
			     const char *value, char *err, size_t errlen);

/*
 * Merge s with the metrics block of st's running config, check the result
 * (addresses parse; a certificate goes with a key; TLS files load: those
 * named by s must, those named by the config may not yet, and then nothing
 * is served until a reload loads them; never a fall-back to plain HTTP),
 * publish the first snapshot of st and start the exporter thread.
 * Listeners that cannot bind now (address in use) are logged and retried
 * every 5 s. Nothing when s says the exporter is off. 0, or -1 with the
 * reason logged to stderr. Main thread, after the daemon's signals are
 * blocked (the thread inherits the mask).
 */
int exporter_start(const struct exporter_settings *s,
		   const struct ctl_state *st);

/*
 * Publish a new names snapshot of st if anything the exporter shows
 * changed since the last one (cheap when nothing did: a comparison of a
 * few fields), and, when the running config changed, its metrics block
 * merged with the command line: the exporter thread then rebinds what
 * changed (kept addresses keep their sockets) and loads changed TLS
 * files. The daemon calls it after every commit and adoption and on its
 * 1 s tick. No-op when the exporter is not running. Loop thread.
 */
void exporter_publish(const struct ctl_state *st);

/*
 * Hand the exporter ixgate-control's running numbers (struct exp_live,
 * metrics.h: the sFlow agent, the kernel routes): copied under the
 * snapshot's lock, rendered by every scrape until the next call. The
 * daemon calls it on its 1 s tick, so a scrape shows them at most 1 s
 * old. No-op when the exporter is not running. Loop thread.
 */
struct exp_live;
void exporter_live(const struct exp_live *live);

/*
 * Re-read the TLS certificate, key and client CA (SIGHUP, `ixgatectl
 * reload`): done by the exporter thread, which swaps the new context in
 * for new connections, or keeps the old one and logs why. Returns at
 * once. Any thread; no-op without TLS.
 */
void exporter_reload(void);

/* Stop the thread, close every connection and listener. Main thread. */
void exporter_stop(void);

#endif /* IXG_EXPORTER_H */
