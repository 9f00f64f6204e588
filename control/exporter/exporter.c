/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exporter.c - the metrics exporter's thread: listeners, connections, TLS,
 * timeouts, and the two resources (see exporter.h).
 *
 * One epoll loop, level-triggered, woken by the sockets, by an eventfd
 * (stop, TLS reload, new snapshot) and every 250 ms for timeouts. A
 * connection goes HANDSHAKE (TLS only) -> READ -> WRITE -> READ ... and
 * ends in LINGER (half-closed, the rest of the client's bytes discarded,
 * so an early answer such as 431 is not destroyed by a reset) or closed.
 *
 * Bounds, each with its answer:
 *   request head   HTTP_HEAD_MAX bytes, HTTP_FIELDS_MAX fields (http.h)
 *   head deadline  header_timeout_ms from the first byte or the accept
 *                  (slow clients: 408, then closed)
 *   keep-alive     idle_timeout_ms without a request: closed
 *   writing        write_timeout_ms without progress: closed
 *   connections    max_connections: the longest-waiting idle or reading
 *                  connection is closed to admit a new one
 *   scrapes        max_scrapes metrics bodies in flight: 503 + Retry-After
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "daemon.h"
#include "exporter.h"
#include "ixg_log.h"
#include "http.h"
#include "metrics.h"
#include "stats.h"
#include "tls.h"

#define TICK_MS 250
#define REBIND_MS 5000
#define LINGER_MS 2000
#define ACCEPT_BATCH 64

enum conn_state { C_HANDSHAKE, C_READ, C_WRITE, C_LINGER, C_DEAD };

struct conn {
	struct conn *prev, *next;
	int fd;
	SSL *ssl;
	enum conn_state state;
	uint32_t events; /* epoll interest now */
	char in[HTTP_HEAD_MAX];
	size_t in_len;
	char head[768];
	size_t head_len, head_off;
	char *body; /* owned when body_owned */
	size_t body_len, body_off;
	bool body_owned, is_scrape, close_after;
	uint64_t since_ms; /* start of the current phase */
	uint64_t deadline_ms;
	char peer[64];
};

struct listener {
	char addr[128];
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd; /* -1: not bound yet */
	uint64_t next_try_ms;
};

/* The settings in effect, merged from the command line and the config's
 * metrics block (strings owned). */
struct exp_conf {
	bool serve; /* false: "listen none" in the config */
	unsigned n_listen;
	char *listen[EXPORTER_MAX_LISTEN];
	char *tls_cert, *tls_key, *tls_client_ca;
};

static struct exporter {
	struct exporter_settings set; /* the command line's, and limits */
	bool running;
	pthread_t thread;
	int epfd, wakefd;
	struct listener listeners[EXPORTER_MAX_LISTEN];
	unsigned n_listeners;

	/* published by the loop thread */
	pthread_mutex_t lock;
	struct exp_names *published;
	unsigned char fingerprint[160];
	bool have_fingerprint;
	int stop, reload; /* atomic flags */
	struct exp_conf *pending; /* settings for the thread to apply */
	struct exp_live live_pub; /* the loop's running numbers, under lock */

	/* loop thread only: the settings last handed over, and the
	 * config they were merged from */
	struct exp_conf cur;
	uint8_t cur_sha[32];
	bool cur_conf_valid;

	/* exporter thread only */
	struct exp_conf live; /* what the listeners and TLS follow */
	SSL_CTX *tls;
	struct conn *conns;
	struct conn *dead; /* closed in this epoll batch, freed after it */
	unsigned n_conns, n_scrapes;
	struct exp_self self;
	struct exp_live live_copy; /* live_pub as of this scrape */
	struct ixg_lcore_counters *sum; /* scratch for the scrape's sum */
	struct exp_names *digest_for; /* files hashed for this snapshot */
	struct exp_file_digests digests;
	struct file_id *file_ids; /* the files as hashed, to notice edits */
	uint64_t next_file_check_ms;
} X = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .wakefd = -1};

static void exp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wake(void);

/* The daemon's log line (common/ixg_log.h: UTC time, or the journal's
 * priority), prefixed "metrics: ". Exporter thread. */
static void
exp_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ixg_log(LOG_INFO, "ixgate-control: metrics: %s", line);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- settings ---- */

/* Defaults (see exporter.h). */
void
exporter_settings_init(struct exporter_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->enabled = true;
	s->max_connections = 64;
	s->max_scrapes = 8;
	s->header_timeout_ms = 10000;
	s->idle_timeout_ms = 60000;
	s->write_timeout_ms = 30000;
}

/* "ADDR:PORT" or "[V6]:PORT" into sa. 0 or -1 with err. */
static int
parse_listen(const char *text, struct sockaddr_storage *sa, socklen_t *salen,
	     char *err, size_t errlen)
{
	char host[128];
	const char *colon, *port;
	struct addrinfo hints = {0}, *res = NULL;
	int rc;

	if (strlen(text) >= sizeof(host))
		goto bad;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		port = close + 2;
		hints.ai_family = AF_INET6;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || strchr(text, ':') != colon)
			goto bad;
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		port = colon + 1;
		hints.ai_family = AF_INET;
	}
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535)
		goto bad;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "--metrics-listen %s: %s", text,
			 rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errlen,
		 "--metrics-listen %s: expected ADDRESS:PORT (127.0.0.1:9477, "
		 "[::1]:9477, 0.0.0.0:9477) or none",
		 text);
	return -1;
}

/* One option (see exporter.h). Main thread. */
int
exporter_settings_option(struct exporter_settings *s, const char *name,
			 const char *value, char *err, size_t errlen)
{
	if (strcmp(name, "metrics-listen") == 0) {
		struct sockaddr_storage sa;
		socklen_t len;

		if (strcmp(value, "none") == 0) {
			s->enabled = false;
			return 0;
		}
		if (s->n_listen == EXPORTER_MAX_LISTEN) {
			snprintf(err, errlen,
				 "--metrics-listen: at most %d addresses",
				 EXPORTER_MAX_LISTEN);
			return -1;
		}
		if (parse_listen(value, &sa, &len, err, errlen) < 0)
			return -1;
		s->listen[s->n_listen++] = value;
		return 0;
	}
	if (strcmp(name, "metrics-tls-cert") == 0)
		s->tls_cert = value;
	else if (strcmp(name, "metrics-tls-key") == 0)
		s->tls_key = value;
	else if (strcmp(name, "metrics-tls-client-ca") == 0)
		s->tls_client_ca = value;
	else {
		snprintf(err, errlen, "unknown option --%s", name);
		return -1;
	}
	return 0;
}

/* ---- settings from the command line and the config ---- */

static void
exp_conf_free(struct exp_conf *c)
{
	for (unsigned i = 0; i < c->n_listen; i++)
		free(c->listen[i]);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->tls_client_ca);
	memset(c, 0, sizeof(*c));
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
exp_conf_equal(const struct exp_conf *a, const struct exp_conf *b)
{
	if (a->serve != b->serve || a->n_listen != b->n_listen ||
	    !str_eq(a->tls_cert, b->tls_cert) ||
	    !str_eq(a->tls_key, b->tls_key) ||
	    !str_eq(a->tls_client_ca, b->tls_client_ca))
		return false;
	for (unsigned i = 0; i < a->n_listen; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return false;
	return true;
}

static int
dup_str(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = strdup(s);
	return *out != NULL ? 0 : -1;
}

static int
exp_conf_copy(struct exp_conf *dst, const struct exp_conf *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->serve = src->serve;
	for (unsigned i = 0; i < src->n_listen; i++) {
		if (dup_str(&dst->listen[i], src->listen[i]) < 0)
			goto fail;
		dst->n_listen = i + 1;
	}
	if (dup_str(&dst->tls_cert, src->tls_cert) < 0 ||
	    dup_str(&dst->tls_key, src->tls_key) < 0 ||
	    dup_str(&dst->tls_client_ca, src->tls_client_ca) < 0)
		goto fail;
	return 0;
fail:
	exp_conf_free(dst);
	return -1;
}

/*
 * The settings in effect: each one the command line gives (cli), else the
 * config's metrics block (conf, may be NULL), else the default. 0, or -1
 * with a sentence in err (cert without key, a CA without both, an address
 * that does not resolve, no memory).
 */
static int
merge(const struct exporter_settings *cli, const struct ixg_conf *conf,
      struct exp_conf *out, char *err, size_t errlen)
{
	struct ixg_conf_metrics m;
	struct exp_conf v = {.serve = true};
	struct sockaddr_storage sa;
	socklen_t salen;

	_Static_assert(IXG_CONF_METRICS_MAX_LISTEN == EXPORTER_MAX_LISTEN,
		       "the config and the exporter take as many addresses");
	ixg_conf_metrics(conf, &m);
	if (cli->n_listen > 0) {
		v.n_listen = cli->n_listen;
		memcpy(v.listen, cli->listen, sizeof(v.listen));
	} else if (m.listen_none) {
		v.serve = false;
	} else if (m.n_listen > 0) {
		v.n_listen = m.n_listen;
		memcpy(v.listen, m.listen, sizeof(v.listen));
	} else {
		v.n_listen = 1;
		v.listen[0] = (char *)EXPORTER_DEFAULT_LISTEN;
	}
	v.tls_cert = (char *)(cli->tls_cert ? cli->tls_cert : m.tls_cert);
	v.tls_key = (char *)(cli->tls_key ? cli->tls_key : m.tls_key);
	v.tls_client_ca = (char *)(cli->tls_client_ca ? cli->tls_client_ca
						      : m.tls_client_ca);
	if ((v.tls_cert == NULL) != (v.tls_key == NULL)) {
		snprintf(err, errlen,
			 "a TLS certificate and key go together (%s given, "
			 "from the %s; the other is not)",
			 v.tls_cert ? "certificate" : "key",
			 (v.tls_cert ? cli->tls_cert : cli->tls_key)
				 ? "command line"
				 : "config's metrics block");
		return -1;
	}
	if (v.tls_client_ca != NULL && v.tls_cert == NULL) {
		snprintf(err, errlen,
			 "a client CA needs a TLS certificate and key "
			 "(tls-cert, tls-key or --metrics-tls-cert, "
			 "--metrics-tls-key)");
		return -1;
	}
	for (unsigned i = 0; i < v.n_listen; i++)
		if (parse_listen(v.listen[i], &sa, &salen, err, errlen) < 0)
			return -1;
	if (exp_conf_copy(out, &v) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Hand new settings to the exporter thread if the running config's
 * metrics block changed them. Loop thread. */
static void
settings_check(const struct ctl_state *st)
{
	struct exp_conf n, *p;
	char err[512];

	if (st->running.valid == X.cur_conf_valid &&
	    (!st->running.valid ||
	     memcmp(st->running.sha256, X.cur_sha, 32) == 0))
		return;
	X.cur_conf_valid = st->running.valid;
	memcpy(X.cur_sha, st->running.sha256, 32);
	if (!st->running.valid)
		return; /* no config: keep what runs */
	if (merge(&X.set, st->running.conf, &n, err, sizeof(err)) < 0) {
		exp_log("the configuration's metrics settings are not applied "
			"(the previous ones stay): %s",
			err);
		return;
	}
	if (exp_conf_equal(&n, &X.cur)) {
		exp_conf_free(&n);
		return;
	}
	p = malloc(sizeof(*p));
	if (p == NULL || exp_conf_copy(p, &n) < 0) {
		free(p);
		exp_conf_free(&n);
		exp_log("cannot apply the metrics settings: out of memory");
		return;
	}
	exp_conf_free(&X.cur);
	X.cur = n;
	pthread_mutex_lock(&X.lock);
	if (X.pending != NULL) {
		exp_conf_free(X.pending);
		free(X.pending);
	}
	X.pending = p;
	pthread_mutex_unlock(&X.lock);
	wake();
}

/* ---- the names snapshot, across threads ---- */

/* What makes a snapshot differ: compared before building a new one. */
static void
fingerprint(const struct ctl_state *st, unsigned char out[160])
{
	struct {
		uint8_t dp_sha[32], cfg_sha[32];
		uint64_t epoch, gen, dp_start;
		const void *peers, *ports, *classes, *rules, *countries;
		const void *counters;
		uint32_t n_peers, n_ports, n_classes, n_rules;
		uint8_t connected, valid;
	} f;

	_Static_assert(sizeof(f) <= 160, "fingerprint buffer");
	memset(&f, 0, sizeof(f));
	memset(out, 0, 160);
	memcpy(f.dp_sha, st->dp_hello.config_sha256, 32);
	memcpy(f.cfg_sha, st->running.sha256, 32);
	f.epoch = st->dp_epoch;
	f.gen = st->dp_generation;
	f.dp_start = st->dp_hello.start_unix;
	f.peers = st->running.spec.peers;
	f.ports = st->running.spec.ports;
	f.classes = st->running.spec.classes;
	f.rules = st->running.spec.acl_rules;
	f.countries = st->running.spec.countries;
	f.counters = st->counters;
	f.n_peers = st->running.spec.n_peers;
	f.n_ports = st->running.spec.n_ports;
	f.n_classes = st->running.spec.n_classes;
	f.n_rules = st->running.spec.n_acl_rules;
	f.connected = st->dp_connected;
	f.valid = st->running.valid;
	memcpy(out, &f, sizeof(f));
}

static void
wake(void)
{
	uint64_t one = 1;

	if (X.wakefd >= 0 && write(X.wakefd, &one, sizeof(one)) < 0)
		(void)0; /* the counter is saturated: already awake */
}

/* Publish (see exporter.h). Loop thread. */
void
exporter_publish(const struct ctl_state *st)
{
	unsigned char fp[160];
	struct exp_names *n, *old;

	if (!X.running)
		return;
	settings_check(st);
	fingerprint(st, fp);
	if (X.have_fingerprint && memcmp(fp, X.fingerprint, sizeof(fp)) == 0)
		return;
	/* X.published is only replaced by this thread: reading it here
	 * without the lock is safe. */
	n = exp_names_build(st, X.published);
	if (n == NULL) {
		exp_log("cannot build the names snapshot: %s", strerror(errno));
		return;
	}
	memcpy(X.fingerprint, fp, sizeof(fp));
	X.have_fingerprint = true;
	pthread_mutex_lock(&X.lock);
	old = X.published;
	X.published = n;
	pthread_mutex_unlock(&X.lock);
	exp_names_put(old);
	wake();
}

/* Hand over the running numbers (exporter.h). Loop thread. */
void
exporter_live(const struct exp_live *live)
{
	if (!X.running)
		return;
	pthread_mutex_lock(&X.lock);
	X.live_pub = *live;
	pthread_mutex_unlock(&X.lock);
}

/* The current snapshot with a reference (or NULL), and the running
 * numbers into X.live_copy. Exporter thread. */
static struct exp_names *
names_acquire(void)
{
	struct exp_names *n;

	pthread_mutex_lock(&X.lock);
	n = X.published;
	exp_names_get(n);
	X.live_copy = X.live_pub;
	pthread_mutex_unlock(&X.lock);
	return n;
}

/* Reload (see exporter.h). Any thread. */
void
exporter_reload(void)
{
	if (!X.running)
		return;
	__atomic_store_n(&X.reload, 1, __ATOMIC_RELEASE);
	wake();
}

/* ---- per-file digests of the config (provenance) ---- */

/* What a file was when hashed: a stat() that differs means it changed
 * (then it is hashed again). */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	bool ok;
};

#define FILE_CHECK_MS 2000

static void
file_id_get(const char *path, struct file_id *id)
{
	struct stat sb;

	memset(id, 0, sizeof(*id));
	if (stat(path, &sb) < 0)
		return;
	id->ok = true;
	id->dev = sb.st_dev;
	id->ino = sb.st_ino;
	id->size = sb.st_size;
	id->mtime = sb.st_mtim;
	id->ctime = sb.st_ctim;
}

static void
digests_clear(void)
{
	free(X.digests.sha256);
	memset(&X.digests, 0, sizeof(X.digests));
	free(X.file_ids);
	X.file_ids = NULL;
	exp_names_put(X.digest_for);
	X.digest_for = NULL;
}

/* SHA-256 of one regular file into one and into the combined digest
 * (all; NULL: none), its length as read into *size (NULL: not wanted).
 * Never blocks on a FIFO (O_NONBLOCK, regular files only). 0, or a
 * negative errno (-EINVAL: not a regular file any more). */
static int
hash_file(const char *path, EVP_MD_CTX *all, uint8_t out[32], int64_t *size)
{
	EVP_MD_CTX *one = EVP_MD_CTX_new();
	unsigned char buf[65536];
	unsigned len = 32;
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc = 0;

	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (one == NULL || EVP_DigestInit_ex(one, EVP_sha256(), NULL) != 1) {
		rc = -ENOMEM;
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	if (size != NULL)
		*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (EVP_DigestUpdate(one, buf, (size_t)n) != 1 ||
		    (all != NULL &&
		     EVP_DigestUpdate(all, buf, (size_t)n) != 1)) {
			rc = -ENOMEM;
			goto out;
		}
		if (size != NULL)
			*size += n;
	}
	if (n < 0)
		rc = -errno;
	else if (EVP_DigestFinal_ex(one, out, &len) != 1)
		rc = -ENOMEM;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(one);
	return rc;
}

/* Times this close to when the load read a file cannot be trusted alone
 * (config_load.c's digest cache: the same rule). */
#define FILE_RACY_NS (2 * 1000000000ll)

static int64_t
ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* Whether file id is as the load read it (sig), long enough after its
 * last change for the identity to prove the content. */
static bool
file_as_loaded(const struct file_id *id, const struct ctl_file_sig *sig)
{
	return id->ok && id->dev == sig->dev && id->ino == sig->ino &&
	       (int64_t)id->size == sig->size &&
	       ts_ns(&id->mtime) == sig->mtime_ns &&
	       ts_ns(&id->ctime) == sig->ctime_ns &&
	       sig->mtime_ns < sig->hashed_ns - FILE_RACY_NS &&
	       sig->ctime_ns < sig->hashed_ns - FILE_RACY_NS;
}

/*
 * The digests of n's files from the load's (n->file_sigs), hashing only
 * the files not as the load read them: what hashing every file gives
 * (digests_update below), without reading ~20 MB at every reload and
 * after every edit. The files match when each is as loaded or hashes to
 * its loaded digest; they differ when one is gone, or when one hashes
 * otherwise and the lengths show that the concatenation differs too (the
 * total length changed, or no file's length did). Else (bytes moved
 * between files, lengths kept in total) false: the caller hashes them
 * all. Sets X.digests and X.file_ids; exporter thread.
 */
static bool
digests_from_load(const struct exp_names *n)
{
	bool gone = false, unreadable = false, same = true, lens = true;
	int64_t total = 0, total_now = 0;

	for (unsigned i = 0; i < n->n_files; i++) {
		const struct ctl_file_sig *sig = &n->file_sigs[i];
		int64_t size = sig->size;
		int rc;

		total += sig->size;
		file_id_get(n->files[i], &X.file_ids[i]);
		if (file_as_loaded(&X.file_ids[i], sig)) {
			memcpy(X.digests.sha256[i], sig->sha256, 32);
			total_now += size;
			continue;
		}
		rc = hash_file(n->files[i], NULL, X.digests.sha256[i], &size);
		if (rc == -ENOENT || rc == -EINVAL) {
			gone = true;
		} else if (rc < 0) {
			if (!unreadable)
				exp_log("cannot read %s (%s): whether the "
					"configuration's files changed is not "
					"known",
					n->files[i], strerror(-rc));
			unreadable = true;
		} else if (memcmp(X.digests.sha256[i], sig->sha256, 32) != 0) {
			same = false;
		}
		lens = lens && size == sig->size;
		total_now += size;
	}
	if (!gone && !unreadable && !same && total_now == total && !lens)
		return false;
	X.digests.n = n->n_files;
	/* As digests_update: a file gone proves a change even when another
	 * was unreadable; otherwise an unreadable file leaves it unknown. */
	X.digests.known = gone || !unreadable;
	X.digests.match = X.digests.known && !gone && same;
	if (X.digests.known && !X.digests.match)
		exp_log("the configuration's files on disk differ from the "
			"loaded ones: their SHA-256s are not shown");
	return true;
}

/*
 * Hash the config's files once per snapshot: a file's SHA-256 is shown
 * only when the digest over all of them equals the config's (then the
 * files on disk are byte for byte what was loaded). A file gone or
 * replaced by a non-file means "changed"; one this process cannot read
 * (permissions after dropping privileges) means "unknown". Exporter
 * thread.
 */
static void
digests_update(struct exp_names *n)
{
	EVP_MD_CTX *all;
	uint8_t sum[32];
	unsigned len = 32;
	bool differ = false;

	if (n == X.digest_for)
		return;
	if (X.digest_for != NULL && n != NULL && n->config_valid &&
	    X.digest_for->config_valid &&
	    memcmp(X.digest_for->config_sha256, n->config_sha256, 32) == 0 &&
	    X.digest_for->n_files == n->n_files) {
		/* same config: keep the digests, follow the snapshot */
		exp_names_get(n);
		exp_names_put(X.digest_for);
		X.digest_for = n;
		return;
	}
	digests_clear();
	if (n == NULL || !n->config_valid)
		return;
	X.digests.sha256 = calloc(n->n_files + 1, 32);
	X.file_ids = calloc(n->n_files + 1, sizeof(*X.file_ids));
	all = EVP_MD_CTX_new();
	if (X.digests.sha256 == NULL || X.file_ids == NULL || all == NULL ||
	    EVP_DigestInit_ex(all, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(all);
		free(X.digests.sha256);
		X.digests.sha256 = NULL;
		return;
	}
	if (n->file_sigs != NULL && digests_from_load(n)) {
		EVP_MD_CTX_free(all);
		exp_names_get(n);
		X.digest_for = n;
		return;
	}
	X.digests.known = true;
	for (unsigned i = 0; i < n->n_files; i++) {
		int rc;

		file_id_get(n->files[i], &X.file_ids[i]);
		rc = hash_file(n->files[i], all, X.digests.sha256[i], NULL);

		if (rc == -ENOENT || rc == -EINVAL) {
			differ = true;
		} else if (rc < 0 && X.digests.known) {
			X.digests.known = false;
			exp_log("cannot read %s (%s): whether the "
				"configuration's "
				"files changed is not known",
				n->files[i], strerror(-rc));
		}
	}
	if (EVP_DigestFinal_ex(all, sum, &len) != 1)
		X.digests.known = false;
	EVP_MD_CTX_free(all);
	X.digests.n = n->n_files;
	/* A file gone proves a change even when another was unreadable;
	 * otherwise an unreadable file leaves it unknown. */
	if (X.digests.known && memcmp(sum, n->config_sha256, 32) != 0)
		differ = true;
	if (differ)
		X.digests.known = true;
	X.digests.match = X.digests.known && !differ;
	exp_names_get(n);
	X.digest_for = n;
	if (differ)
		exp_log("the configuration's files on disk differ from the "
			"loaded ones: their SHA-256s are not shown");
}

/* Every FILE_CHECK_MS: stat the config's files; hash them again when one
 * changed (edited, replaced, removed), so ixgate_config_files_changed
 * follows the disk without reading it all the time. Exporter thread. */
static void
digests_check(uint64_t now)
{
	struct exp_names *n = X.digest_for;

	if (n == NULL || X.file_ids == NULL || now < X.next_file_check_ms)
		return;
	X.next_file_check_ms = now + FILE_CHECK_MS;
	for (unsigned i = 0; i < n->n_files; i++) {
		struct file_id id;

		file_id_get(n->files[i], &id);
		if (memcmp(&id, &X.file_ids[i], sizeof(id)) != 0) {
			exp_names_get(n);
			digests_clear(); /* forget, then hash again */
			digests_update(n);
			exp_names_put(n);
			return;
		}
	}
}

/* ---- listeners ---- */

static int
listener_bind(struct listener *l)
{
	int one = 1, fd;

	fd = socket(l->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&l->sa, l->salen) < 0 ||
	    listen(fd, 64) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	l->fd = fd;
	return 0;
}

/* TLS is configured but no certificate loaded: nothing may be served
 * (never plain HTTP in its place). */
static bool
tls_missing(void)
{
	return X.live.tls_cert != NULL && X.tls == NULL;
}

static void
listeners_try(uint64_t now, bool first)
{
	if (tls_missing())
		return;
	for (unsigned i = 0; i < X.n_listeners; i++) {
		struct listener *l = &X.listeners[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
		int rc;

		if (l->fd >= 0 || now < l->next_try_ms)
			continue;
		rc = listener_bind(l);
		if (rc < 0) {
			l->next_try_ms = now + REBIND_MS;
			if (first)
				exp_log("cannot listen on %s: %s; retrying "
					"every %d s",
					l->addr, strerror(-rc),
					REBIND_MS / 1000);
			continue;
		}
		epoll_ctl(X.epfd, EPOLL_CTL_ADD, l->fd, &ev);
		exp_log("serving %s://%s/metrics%s", X.tls ? "https" : "http",
			l->addr,
			X.live.tls_client_ca ? " (client certificates required)"
					     : "");
	}
}

/* ---- connections ---- */

static bool
is_listener(void *p)
{
	return p >= (void *)&X.listeners[0] &&
	       p < (void *)&X.listeners[EXPORTER_MAX_LISTEN];
}

static void
conn_set_events(struct conn *c, uint32_t ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = c};

	if (c->events == ev)
		return;
	epoll_ctl(X.epfd, EPOLL_CTL_MOD, c->fd, &e);
	c->events = ev;
}

static void
conn_free_body(struct conn *c)
{
	if (c->body_owned)
		free(c->body);
	if (c->is_scrape)
		X.n_scrapes--;
	c->body = NULL;
	c->body_len = c->body_off = 0;
	c->body_owned = c->is_scrape = false;
}

/* Close c. It is freed after the current epoll batch (conn_reap): an
 * event for it may still be in that batch (a connection evicted to admit
 * another). */
static void
conn_close(struct conn *c)
{
	if (c->state == C_DEAD)
		return;
	conn_free_body(c);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	epoll_ctl(X.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->state = C_DEAD;
	if (c->prev)
		c->prev->next = c->next;
	else
		X.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	X.n_conns--;
	c->prev = NULL;
	c->next = X.dead;
	X.dead = c;
}

static void
conn_reap(void)
{
	while (X.dead != NULL) {
		struct conn *c = X.dead;

		X.dead = c->next;
		free(c);
	}
}

/* Start reading the next request (keep-alive). */
static void
conn_to_read(struct conn *c, uint64_t now)
{
	c->state = C_READ;
	c->since_ms = now;
	c->deadline_ms = now + (c->in_len > 0 ? X.set.header_timeout_ms
					      : X.set.idle_timeout_ms);
	conn_set_events(c, EPOLLIN);
}

/* Half-close and drain: the client reads our answer before a reset. */
static void
conn_to_linger(struct conn *c, uint64_t now)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl); /* close_notify; no wait for the peer's */
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = C_LINGER;
	c->deadline_ms = now + LINGER_MS;
	conn_set_events(c, EPOLLIN);
}

/* Queue a response: head + body (body owned if `owned`). */
static void
respond(struct conn *c, int status, const char *ctype, char *body, size_t len,
	bool owned, bool head_only, const char *encoding, const char *extra,
	bool keep_alive)
{
	int n;

	if (status >= 400)
		X.self.http_errors++;
	n = http_format_head(c->head, sizeof(c->head), status, ctype, len,
			     encoding, extra, keep_alive);
	if (n < 0)
		n = 0; /* cannot happen: the head is small and bounded */
	c->head_len = (size_t)n;
	c->head_off = 0;
	c->body = body;
	c->body_owned = owned;
	c->body_len = head_only ? 0 : len;
	c->body_off = 0;
	c->close_after = !keep_alive;
	c->state = C_WRITE;
	c->since_ms = now_ms();
	c->deadline_ms = c->since_ms + X.set.write_timeout_ms;
	conn_set_events(c, EPOLLOUT);
}

static void
respond_text(struct conn *c, int status, const char *text, bool head_only,
	     const char *extra, bool keep_alive)
{
	respond(c, status, "text/plain; charset=utf-8", (char *)text,
		strlen(text), false, head_only, NULL, extra, keep_alive);
}

/* An error status for a refused request; always closes. */
static void
respond_error(struct conn *c, int status)
{
	static char bodies[6][64];
	static const int codes[6] = {400, 408, 414, 431, 505, 500};
	unsigned i;

	for (i = 0; i < 5 && codes[i] != status; i++)
		;
	snprintf(bodies[i], sizeof(bodies[i]), "%d %s\n", status,
		 http_reason(status));
	respond_text(c, status, bodies[i], false, NULL, false);
}

/*
 * gzip (level 1) when the scraper accepts it (Prometheus always does):
 * bench/metrics_bench measured the 4,095-member scrape at 16.6 MB of
 * text, 1.7 MB gzip'd (10%) for 49 ms of this thread's time; a remote
 * or federating Prometheus gains far more than that. Bodies below
 * GZIP_MIN go as they are. Replaces o's content; -1 leaves it alone.
 */
#define GZIP_MIN 4096
static int
gzip_body(struct mout *o)
{
	z_stream z = {0};
	uLong cap = compressBound(o->len) + 32;
	char *out = malloc(cap);

	if (out == NULL || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
					Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return -1;
	}
	z.next_in = (Bytef *)o->p;
	z.avail_in = (uInt)o->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (o->len > UINT32_MAX || deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return -1;
	}
	deflateEnd(&z);
	free(o->p);
	o->p = out;
	o->len = z.total_out;
	o->cap = cap;
	return 0;
}

static void
scrape(struct conn *c, const struct http_request *req)
{
	struct exp_names *n;
	struct mout o = {0};
	enum http_format fmt = http_pick_format(req);
	struct timespec t0, t1;
	bool have_sum = false;

	if (X.n_scrapes >= X.set.max_scrapes) {
		respond_text(c, 503, "too many scrapes in progress\n",
			     req->method == HTTP_HEAD, "Retry-After: 1\r\n",
			     req->keep_alive);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = names_acquire();
	if (n != NULL && n->counters != NULL && X.sum != NULL) {
		struct ixg_lcore_counters *blocks[256];
		unsigned k, nb = n->n_blocks < 256 ? n->n_blocks : 256;

		for (k = 0; k < nb; k++)
			blocks[k] =
				(struct ixg_lcore_counters *)&n->counters[k];
		memset(X.sum, 0, sizeof(*X.sum));
		stats_sum(blocks, nb, X.sum);
		have_sum = true;
	}
	digests_update(n);
	X.self.scrapes[fmt]++;
	metrics_render(n, have_sum ? X.sum : NULL,
		       X.digest_for == n ? &X.digests : NULL, &X.self,
		       &X.live_copy, fmt, &o);
	exp_names_put(n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	X.self.last_scrape_seconds = (double)(t1.tv_sec - t0.tv_sec) +
				     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (o.oom) {
		mout_free(&o);
		respond_text(c, 500, "out of memory rendering the metrics\n",
			     req->method == HTTP_HEAD, NULL, false);
		return;
	}
	if (http_accepts_gzip(req) && o.len >= GZIP_MIN && gzip_body(&o) == 0)
		respond(c, 200, metrics_content_type(fmt), o.p, o.len, true,
			req->method == HTTP_HEAD, "gzip",
			"Cache-Control: no-store\r\nVary: Accept-Encoding\r\n",
			req->keep_alive);
	else
		respond(c, 200, metrics_content_type(fmt), o.p, o.len, true,
			req->method == HTTP_HEAD, NULL,
			"Cache-Control: no-store\r\nVary: Accept-Encoding\r\n",
			req->keep_alive);
	c->is_scrape = true;
	X.n_scrapes++;
}

static bool
path_is(const struct http_request *r, const char *p)
{
	return r->path_len == strlen(p) && memcmp(r->path, p, r->path_len) == 0;
}

/* Answer one parsed request. */
static void
serve(struct conn *c, const struct http_request *req)
{
	bool head = req->method == HTTP_HEAD;
	bool known = path_is(req, "/metrics") || path_is(req, "/healthz") ||
		     path_is(req, "/");

	if (req->method == HTTP_OTHER) {
		respond_text(c, known || path_is(req, "*") ? 405 : 404,
			     known || path_is(req, "*")
				     ? "method not allowed: GET or HEAD\n"
				     : "not found: try /metrics\n",
			     false, "Allow: GET, HEAD\r\n", req->keep_alive);
		return;
	}
	if (path_is(req, "/metrics")) {
		scrape(c, req);
	} else if (path_is(req, "/healthz")) {
		struct exp_names *n = names_acquire();
		char why[400], *body;

		if (exp_names_ready(n, why, sizeof(why))) {
			respond_text(c, 200, "ready\n", head,
				     "Cache-Control: no-store\r\n",
				     req->keep_alive);
		} else {
			if (asprintf(&body, "not ready: %s\n", why) < 0)
				body = NULL;
			if (body == NULL)
				respond_error(c, 500);
			else
				respond(c, 503, "text/plain; charset=utf-8",
					body, strlen(body), true, head, NULL,
					"Cache-Control: no-store\r\n",
					req->keep_alive);
		}
		exp_names_put(n);
	} else if (path_is(req, "/")) {
		respond_text(c, 200,
			     "ixgate-control: /metrics (Prometheus, "
			     "OpenMetrics), /healthz\n",
			     head, NULL, req->keep_alive);
	} else if (path_is(req, "*")) {
		respond_error(c, 400);
	} else {
		respond_text(c, 404, "not found: try /metrics\n", head, NULL,
			     req->keep_alive);
	}
}

/* Try to parse what has been read; answer if complete or refused. */
static void
try_request(struct conn *c)
{
	struct http_request req;
	int rc = http_parse_request(c->in, c->in_len, &req);

	if (rc == 0) {
		if (c->in_len == sizeof(c->in))
			respond_error(c, 431); /* cannot happen: see http.h */
		return;
	}
	if (rc < 0) {
		respond_error(c, -rc);
		return;
	}
	serve(c, &req);
	/* keep what follows (pipelined requests) for after the answer */
	memmove(c->in, c->in + rc, c->in_len - (size_t)rc);
	c->in_len -= (size_t)rc;
}

/* Read what is there: plain or TLS. >0 bytes, 0 EOF, -EAGAIN, -EIO. */
static ssize_t
conn_recv(struct conn *c, void *buf, size_t len, uint32_t *want)
{
	ssize_t n;

	*want = EPOLLIN;
	if (c->ssl == NULL) {
		n = recv(c->fd, buf, len, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? -EAGAIN
								 : -EIO;
		return n;
	}
	n = SSL_read(c->ssl, buf, (int)len);
	if (n > 0)
		return n;
	switch (SSL_get_error(c->ssl, (int)n)) {
	case SSL_ERROR_WANT_READ: return -EAGAIN;
	case SSL_ERROR_WANT_WRITE: *want = EPOLLOUT; return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN: return 0;
	default: ERR_clear_error(); return -EIO;
	}
}

static ssize_t
conn_send(struct conn *c, const char *a, size_t alen, const char *b,
	  size_t blen, uint32_t *want)
{
	ssize_t n;

	*want = EPOLLOUT;
	if (c->ssl == NULL) {
		struct iovec iov[2] = {{(void *)a, alen}, {(void *)b, blen}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

		if (alen == 0) {
			mh.msg_iov = &iov[1];
			mh.msg_iovlen = 1;
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? -EAGAIN
								 : -EIO;
		return n;
	}
	if (alen == 0) {
		a = b;
		alen = blen;
	}
	n = SSL_write(c->ssl, a, (int)(alen > (1u << 30) ? (1u << 30) : alen));
	if (n > 0)
		return n;
	switch (SSL_get_error(c->ssl, (int)n)) {
	case SSL_ERROR_WANT_WRITE: return -EAGAIN;
	case SSL_ERROR_WANT_READ: *want = EPOLLIN; return -EAGAIN;
	default: ERR_clear_error(); return -EIO;
	}
}

static void
conn_event(struct conn *c, uint32_t events)
{
	uint64_t now = now_ms();
	uint32_t want;
	ssize_t n;

	if (c->state == C_DEAD)
		return;
	if (c->state == C_HANDSHAKE) {
		int r = SSL_accept(c->ssl);

		if (r == 1) {
			c->state = C_READ;
			conn_to_read(c, now);
			c->deadline_ms = c->since_ms + X.set.header_timeout_ms;
		} else {
			int e = SSL_get_error(c->ssl, r);

			if (e == SSL_ERROR_WANT_READ) {
				conn_set_events(c, EPOLLIN);
			} else if (e == SSL_ERROR_WANT_WRITE) {
				conn_set_events(c, EPOLLOUT);
			} else {
				char why[160] = "connection closed";
				unsigned long err = ERR_peek_last_error();

				if (err != 0)
					ERR_error_string_n(err, why,
							   sizeof(why));
				ERR_clear_error();
				X.self.tls_handshake_failures++;
				exp_log("TLS handshake with %s failed: %s",
					c->peer, why);
				conn_close(c);
			}
			return;
		}
	}
	if (c->state == C_LINGER) {
		char sink[4096];

		n = recv(c->fd, sink, sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	/* Read and write until the socket would block; a bounded number of
	 * rounds (pipelined requests) so one client cannot hold the thread. */
	for (int round = 0; round < 64; round++) {
		if (c->state == C_READ) {
			bool was_empty = c->in_len == 0;

			if (c->in_len == sizeof(c->in)) {
				try_request(c);
				continue;
			}
			n = conn_recv(c, c->in + c->in_len,
				      sizeof(c->in) - c->in_len, &want);
			if (n == -EAGAIN) {
				conn_set_events(c, want);
				return;
			}
			if (n <= 0) {
				conn_close(c);
				return;
			}
			c->in_len += (size_t)n;
			if (was_empty) /* a request began: the head deadline */
				c->deadline_ms = now + X.set.header_timeout_ms;
			/* nothing to parse before a line ends */
			if (memchr(c->in + c->in_len - n, '\n', (size_t)n) ||
			    c->in_len == sizeof(c->in))
				try_request(c);
		} else if (c->state == C_WRITE) {
			const char *a = c->head + c->head_off;
			size_t alen = c->head_len - c->head_off;

			n = conn_send(c, a, alen, c->body + c->body_off,
				      c->body_len - c->body_off, &want);
			if (n == -EAGAIN) {
				conn_set_events(c, want);
				return;
			}
			if (n < 0) {
				conn_close(c);
				return;
			}
			c->deadline_ms = now + X.set.write_timeout_ms;
			if ((size_t)n <= alen) {
				c->head_off += (size_t)n;
			} else {
				c->head_off = c->head_len;
				c->body_off += (size_t)n - alen;
			}
			if (c->head_off < c->head_len ||
			    c->body_off < c->body_len)
				continue;
			conn_free_body(c);
			if (c->close_after) {
				conn_to_linger(c, now);
				return;
			}
			conn_to_read(c, now);
			if (c->in_len > 0)
				try_request(c); /* a pipelined request */
		} else {
			return;
		}
	}
	(void)events;
}

/* Make room for one more connection: close the one waiting longest for
 * a request (idle keep-alive, slow head, handshake). False if none. */
static bool
evict_one(void)
{
	struct conn *c, *victim = NULL;

	for (c = X.conns; c != NULL; c = c->next)
		if ((c->state == C_READ || c->state == C_HANDSHAKE ||
		     c->state == C_LINGER) &&
		    (victim == NULL || c->since_ms < victim->since_ms))
			victim = c;
	if (victim == NULL)
		return false;
	conn_close(victim);
	return true;
}

static void
on_accept(struct listener *l)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		struct epoll_event ev;
		struct conn *c;
		char host[INET6_ADDRSTRLEN] = "?";
		int one = 1;
		int fd = accept4(l->fd, (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (tls_missing()) {
			close(fd);
			continue;
		}
		X.self.connections++;
		if (X.n_conns >= X.set.max_connections && !evict_one()) {
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (sa.ss_family == AF_INET)
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)&sa)->sin_addr, host,
				  sizeof(host));
		else if (sa.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)&sa)->sin6_addr,
				  host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s", host);
		c->fd = fd;
		c->since_ms = now_ms();
		c->deadline_ms = c->since_ms + X.set.header_timeout_ms;
		if (X.tls != NULL) {
			c->ssl = SSL_new(X.tls);
			if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1) {
				ERR_clear_error();
				if (c->ssl)
					SSL_free(c->ssl);
				close(fd);
				free(c);
				continue;
			}
			c->state = C_HANDSHAKE;
		} else {
			c->state = C_READ;
		}
		c->events = EPOLLIN;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(X.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			if (c->ssl)
				SSL_free(c->ssl);
			close(fd);
			free(c);
			continue;
		}
		c->next = X.conns;
		if (X.conns)
			X.conns->prev = c;
		X.conns = c;
		X.n_conns++;
	}
}

/* Past deadlines: 408 for a started head, otherwise closed. */
static void
sweep(uint64_t now)
{
	struct conn *c, *next;

	for (c = X.conns; c != NULL; c = next) {
		next = c->next;
		if (now < c->deadline_ms)
			continue;
		if (c->state == C_READ && c->in_len > 0)
			respond_error(c, 408);
		else
			conn_close(c);
	}
}

/* Load the TLS files of X.live into a new context for new connections;
 * on failure the previous context (if any) stays. Exporter thread (and
 * the main thread before it starts). 0 or -1. */
static int
tls_load(bool reload)
{
	struct tls_files f = {X.live.tls_cert, X.live.tls_key,
			      X.live.tls_client_ca};
	char err[512], desc[320];
	SSL_CTX *ctx;

	if (X.live.tls_cert == NULL)
		return 0;
	ctx = tls_ctx_new(&f, err, sizeof(err));
	if (ctx == NULL) {
		if (reload)
			X.self.tls_reload_failures++;
		if (X.tls != NULL)
			exp_log("TLS reload refused, the previous certificate "
				"stays in use: %s",
				err);
		else
			exp_log("TLS: %s; serving nothing until the files "
				"load (ixgatectl reload)",
				err);
		return -1;
	}
	/* Open connections hold their own reference to the old context. */
	SSL_CTX_free(X.tls);
	X.tls = ctx;
	X.self.tls_ctx_loaded_unix = time(NULL);
	tls_ctx_describe(ctx, desc, sizeof(desc));
	exp_log("TLS %s: %s%s", reload ? "reloaded" : "certificate", desc,
		X.live.tls_client_ca ? ", client certificates verified "
				       "against the CA"
				     : "");
	return 0;
}

static void
tls_reload(void)
{
	if (X.live.tls_cert != NULL && tls_load(true) == 0)
		listeners_try(now_ms(), true); /* if they waited for it */
}

static void
listener_close(struct listener *l)
{
	if (l->fd >= 0) {
		epoll_ctl(X.epfd, EPOLL_CTL_DEL, l->fd, NULL);
		close(l->fd);
	}
	l->fd = -1;
}

/*
 * Apply new settings (a reload changed the config's metrics block): a
 * listener whose address stays keeps its socket and its connections;
 * removed ones close, new ones bind now; TLS files that changed are
 * loaded (the previous context stays if they do not load). Takes n.
 * Exporter thread.
 */
static void
settings_apply(struct exp_conf *n)
{
	struct listener nl[EXPORTER_MAX_LISTEN];
	bool kept[EXPORTER_MAX_LISTEN] = {false};
	bool tls_changed = !str_eq(n->tls_cert, X.live.tls_cert) ||
			   !str_eq(n->tls_key, X.live.tls_key) ||
			   !str_eq(n->tls_client_ca, X.live.tls_client_ca);
	unsigned nn = 0;
	char err[512];

	memset(nl, 0, sizeof(nl));
	for (unsigned i = 0; n->serve && i < n->n_listen; i++) {
		struct listener *l = &nl[nn];
		unsigned j;

		for (j = 0; j < X.n_listeners; j++)
			if (!kept[j] &&
			    strcmp(X.listeners[j].addr, n->listen[i]) == 0)
				break;
		if (j < X.n_listeners) {
			*l = X.listeners[j];
			kept[j] = true;
		} else {
			snprintf(l->addr, sizeof(l->addr), "%s", n->listen[i]);
			l->fd = -1;
			if (parse_listen(l->addr, &l->sa, &l->salen, err,
					 sizeof(err)) < 0) {
				exp_log("%s", err);
				continue;
			}
		}
		nn++;
	}
	for (unsigned j = 0; j < X.n_listeners; j++)
		if (!kept[j]) {
			exp_log("no longer serving %s (the configuration "
				"changed)",
				X.listeners[j].addr);
			listener_close(&X.listeners[j]);
		}
	memcpy(X.listeners, nl, sizeof(nl));
	X.n_listeners = nn;
	/* The epoll entries of the kept sockets point at their new slots. */
	for (unsigned i = 0; i < nn; i++)
		if (X.listeners[i].fd >= 0) {
			struct epoll_event ev = {.events = EPOLLIN,
						 .data.ptr = &X.listeners[i]};

			epoll_ctl(X.epfd, EPOLL_CTL_MOD, X.listeners[i].fd,
				  &ev);
		}
	exp_conf_free(&X.live);
	X.live = *n;
	if (tls_changed) {
		if (X.live.tls_cert == NULL) {
			if (X.tls != NULL)
				exp_log("TLS off: serving plain HTTP (the "
					"configuration changed)");
			SSL_CTX_free(X.tls);
			X.tls = NULL;
			X.self.tls_ctx_loaded_unix = 0;
		} else if (tls_load(true) < 0 && X.tls == NULL) {
			/* TLS asked for, none loaded: serve nothing rather
			 * than plain HTTP. */
			for (unsigned i = 0; i < X.n_listeners; i++)
				listener_close(&X.listeners[i]);
		}
	}
	if (!X.live.serve)
		exp_log("serving nothing (listen none)");
	listeners_try(now_ms(), true);
}

static void
settings_take(void)
{
	struct exp_conf *n;

	pthread_mutex_lock(&X.lock);
	n = X.pending;
	X.pending = NULL;
	pthread_mutex_unlock(&X.lock);
	if (n != NULL) {
		settings_apply(n);
		free(n);
	}
}

static void *
exporter_main(void *arg)
{
	struct epoll_event evs[64];
	uint64_t last_sweep = 0;

	(void)arg;
	listeners_try(now_ms(), true);
	while (!__atomic_load_n(&X.stop, __ATOMIC_ACQUIRE)) {
		int n = epoll_wait(X.epfd, evs, 64, TICK_MS);
		uint64_t now = now_ms();

		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == NULL) {
				uint64_t v;

				if (read(X.wakefd, &v, sizeof(v)) < 0)
					(void)0;
			} else if (is_listener(p)) {
				on_accept(p);
			} else {
				conn_event(p, evs[i].events);
			}
		}
		conn_reap();
		if (__atomic_exchange_n(&X.reload, 0, __ATOMIC_ACQ_REL))
			tls_reload();
		settings_take();
		if (now - last_sweep >= TICK_MS) {
			struct exp_names *names = names_acquire();

			digests_update(names);
			exp_names_put(names);
			digests_check(now);
			sweep(now);
			conn_reap();
			listeners_try(now, false);
			last_sweep = now;
		}
	}
	return NULL;
}

/* Start (see exporter.h). Main thread. */
int
exporter_start(const struct exporter_settings *s, const struct ctl_state *st)
{
	char err[512];
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	sigset_t all, old;
	unsigned i;
	int rc;

	if (!s->enabled)
		return 0;
	X.set = *s;
	if (merge(s, st->running.valid ? st->running.conf : NULL, &X.live, err,
		  sizeof(err)) < 0) {
		exp_log("%s", err);
		return -1;
	}
	if (exp_conf_copy(&X.cur, &X.live) < 0) {
		exp_log("cannot start: out of memory");
		return -1;
	}
	X.cur_conf_valid = st->running.valid;
	memcpy(X.cur_sha, st->running.sha256, 32);
	for (i = 0; X.live.serve && i < X.live.n_listen; i++) {
		struct listener *l = &X.listeners[i];

		snprintf(l->addr, sizeof(l->addr), "%s", X.live.listen[i]);
		l->fd = -1;
		if (parse_listen(l->addr, &l->sa, &l->salen, err, sizeof(err)) <
		    0) {
			exp_log("%s", err);
			return -1;
		}
	}
	X.n_listeners = i;
	/* TLS from the command line must load (as always); from the config
	 * a file that does not load leaves the exporter serving nothing
	 * until a reload loads it, so a node with a broken certificate path
	 * still starts (and never serves plain HTTP in its place). */
	if (tls_load(false) < 0 && s->tls_cert != NULL)
		return -1;
	if (!X.live.serve)
		exp_log("serving nothing (listen none in the configuration)");
	X.sum = malloc(sizeof(*X.sum));
	X.epfd = epoll_create1(EPOLL_CLOEXEC);
	X.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (X.sum == NULL || X.epfd < 0 || X.wakefd < 0 ||
	    epoll_ctl(X.epfd, EPOLL_CTL_ADD, X.wakefd, &ev) < 0) {
		exp_log("cannot start: %s", strerror(errno));
		return -1;
	}
	X.running = true;
	exporter_publish(st);
	/* Signals belong to the daemon's signalfd: none for this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&X.thread, NULL, exporter_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		X.running = false;
		exp_log("cannot start the thread: %s", strerror(rc));
		return -1;
	}
	return 0;
}

/* Stop (see exporter.h). Main thread. */
void
exporter_stop(void)
{
	if (!X.running)
		return;
	__atomic_store_n(&X.stop, 1, __ATOMIC_RELEASE);
	wake();
	pthread_join(X.thread, NULL);
	X.running = false;
	while (X.conns != NULL)
		conn_close(X.conns);
	conn_reap();
	for (unsigned i = 0; i < X.n_listeners; i++)
		if (X.listeners[i].fd >= 0)
			close(X.listeners[i].fd);
	X.n_listeners = 0;
	digests_clear();
	exp_names_put(X.published);
	X.published = NULL;
	X.have_fingerprint = false;
	SSL_CTX_free(X.tls);
	X.tls = NULL;
	exp_conf_free(&X.live);
	exp_conf_free(&X.cur);
	if (X.pending != NULL) {
		exp_conf_free(X.pending);
		free(X.pending);
		X.pending = NULL;
	}
	free(X.sum);
	X.sum = NULL;
	close(X.epfd);
	close(X.wakefd);
	X.epfd = X.wakefd = -1;
	X.stop = 0;
}
