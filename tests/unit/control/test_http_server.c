/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exporter's server in-process (control/exporter/exporter.c), plain
 * HTTP on a loopback port: keep-alive, pipelining, HEAD, gzip (inflated
 * and compared), 405/404/400 with their headers, closing after a request
 * with a body or an HTTP/1.0 request, /healthz following the published
 * state, the settings' refusals, and the listen addresses of the config's
 * metrics block applied at start and changed by a reload (kept listeners
 * and their connections undisturbed).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "ctld.h"
#include "exporter.h"

static const char *config_text =
	"node { name t; country SG; }\n"
	"port p0 { device \"net_null0\"; }\n"
	"peer a { asn 64500; country VN; port p0; vlan 11; "
	"mac 02:00:00:00:00:0a; }\n";

static struct ctl_state st;
static struct ixg_lcore_counters *blocks;
static int port;
static char dir[] = "/tmp/ixg-test-http-server.XXXXXX", conf_path[256];

static int
free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

static int
connect_to(int p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)p)};
	struct timeval tv = {.tv_sec = 10};

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 100; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				   sizeof(tv));
			return fd;
		}
		close(fd);
		usleep(20000); /* the exporter thread is binding */
	}
	fail_msg("cannot connect to the exporter on port %d", p);
	return -1;
}

static int
connect_port(void)
{
	return connect_to(port);
}

/* The config file: config_text and a metrics block listening on the
 * given ports (0: none). */
static void
write_config(int p1, int p2)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	fputs(config_text, f);
	fputs("metrics {\n", f);
	if (p1 > 0)
		fprintf(f, "\tlisten 127.0.0.1:%d;\n", p1);
	if (p2 > 0)
		fprintf(f, "\tlisten 127.0.0.1:%d;\n", p2);
	fputs("}\n", f);
	assert_int_equal(fclose(f), 0);
}

struct resp {
	int status;
	char head[2048];
	char *body;
	size_t len;
};

/* Read one response (head, then Content-Length bytes unless no_body). */
static void
read_resp(int fd, struct resp *r, bool no_body, char *carry, size_t *ncarry)
{
	char buf[1 << 16];
	size_t got = *ncarry;
	char *end, *cl;

	memcpy(buf, carry, got);
	for (;;) {
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL)
			break;
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_true((size_t)(end + 4 - buf) < sizeof(r->head));
	memcpy(r->head, buf, (size_t)(end + 4 - buf));
	r->head[end + 4 - buf] = '\0';
	assert_int_equal(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1);
	cl = strstr(r->head, "\r\nContent-Length: ");
	assert_non_null(cl);
	r->len = no_body ? 0 : strtoull(cl + 18, NULL, 10);
	r->body = malloc(r->len + 1);
	size_t have = got - (size_t)(end + 4 - buf);

	if (have > r->len) {
		*ncarry = have - r->len;
		memcpy(carry, end + 4 + r->len, *ncarry);
		have = r->len;
	} else {
		*ncarry = 0;
	}
	memcpy(r->body, end + 4, have);
	while (have < r->len) {
		ssize_t n = recv(fd, r->body + have, r->len - have, 0);

		assert_true(n > 0);
		have += (size_t)n;
	}
	r->body[r->len] = '\0';
}

static void
request(const char *req, struct resp *r, bool no_body)
{
	int fd = connect_port();
	char carry[1 << 16];
	size_t nc = 0;

	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	read_resp(fd, r, no_body, carry, &nc);
	close(fd);
}

static int
setup(void **state)
{
	struct exporter_settings xs;
	FILE *f;

	(void)state;
	/* A real config file: the exporter hashes it (provenance), and
	 * listens where its metrics block says. */
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/t.conf", dir);
	port = free_port();
	f = fopen(conf_path, "w");
	if (f == NULL || fputs(config_text, f) < 0 ||
	    fprintf(f, "metrics { listen 127.0.0.1:%d; }\n", port) < 0 ||
	    fclose(f) != 0)
		return -1;
	if (ctl_config_load(conf_path, NULL, &st.running, stderr) < 0)
		return -1;
	st.config_path = conf_path;
	st.start_unix = 1700000000;
	st.dp_connected = true;
	st.dp_generation = 3;
	st.dp_epoch = 1;
	st.dp_hello.start_unix = 1700000001;
	memcpy(st.dp_hello.config_sha256, st.running.sha256, 32);
	blocks = mmap(NULL, sizeof(*blocks), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (blocks == MAP_FAILED)
		return -1;
	blocks->rx_packets = 4242;
	st.counters = blocks;
	st.counters_size = sizeof(*blocks);
	st.n_counter_blocks = 1;

	exporter_settings_init(&xs);
	if (exporter_start(&xs, &st) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	exporter_stop();
	munmap(blocks, sizeof(*blocks));
	ctl_config_free(&st.running);
	unlink(conf_path);
	rmdir(dir);
	return 0;
}

static void
test_keepalive_pipeline_head(void **state)
{
	const char *two = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
			  "HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
			  "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	int fd = connect_port();
	char carry[1 << 16];
	size_t nc = 0;
	struct resp a, b, c, d;

	(void)state;
	assert_int_equal(send(fd, two, strlen(two), 0), (ssize_t)strlen(two));
	read_resp(fd, &a, false, carry, &nc);
	read_resp(fd, &b, true, carry, &nc);
	read_resp(fd, &c, false, carry, &nc);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.head, "Content-Type: text/plain; "
				       "version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(
		strstr(a.body, "\nixgate_received_packets_total 4242\n"));
	assert_non_null(strstr(a.body,
			       "ixgate_peer_received_packets_total{"
			       "peer=\"a\",asn=\"64500\",country=\"VN\"}"
			       " 0\n"));
	assert_null(strstr(a.head, "Connection: close"));
	/* HEAD: the same head, no body (the healthz answer follows) */
	assert_int_equal(b.status, 200);
	assert_int_equal(nc == 0 || strncmp(carry, "HTTP/1.1", 8) == 0, 1);
	assert_int_equal(c.status, 200);
	assert_string_equal(c.body, "ready\n");
	/* the connection is still open: one more request */
	send(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27, 0);
	read_resp(fd, &d, false, carry, &nc);
	assert_int_equal(d.status, 200);
	close(fd);
	free(a.body);
	free(b.body);
	free(c.body);
	free(d.body);
}

static void
test_openmetrics_gzip(void **state)
{
	struct resp plain, gz;
	char *out;
	uLongf outlen;
	z_stream z = {0};

	(void)state;
	request("GET /metrics HTTP/1.1\r\nHost: t\r\nAccept: application/"
		"openmetrics-text;version=1.0.0\r\n\r\n",
		&plain, false);
	assert_int_equal(plain.status, 200);
	assert_non_null(strstr(plain.head, "application/openmetrics-text; "
					   "version=1.0.0; charset=utf-8"));
	assert_int_equal(strcmp(plain.body + plain.len - 6, "# EOF\n"), 0);
	request("GET /metrics HTTP/1.1\r\nHost: t\r\nAccept: application/"
		"openmetrics-text;version=1.0.0\r\nAccept-Encoding: gzip\r\n"
		"\r\n",
		&gz, false);
	assert_int_equal(gz.status, 200);
	assert_non_null(strstr(gz.head, "\r\nContent-Encoding: gzip\r\n"));
	assert_true(gz.len < plain.len);
	outlen = plain.len * 2 + 1024;
	out = malloc(outlen);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)gz.body;
	z.avail_in = (uInt)gz.len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)outlen;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	out[z.total_out] = '\0';
	inflateEnd(&z);
	/* the same metrics, up to the exporter's own (they moved) */
	{
		const char *cut = "# HELP ixgate_exporter_scrapes";
		size_t la = (size_t)(strstr(plain.body, cut) - plain.body);
		size_t lb = (size_t)(strstr(out, cut) - out);

		assert_int_equal(la, lb);
		assert_memory_equal(plain.body, out, la);
		assert_int_equal(strcmp(out + z.total_out - 6, "# EOF\n"), 0);
	}
	free(out);
	free(plain.body);
	free(gz.body);
}

static void
test_errors(void **state)
{
	struct resp r;
	int fd;
	char carry[1 << 16], tmp[16];
	size_t nc = 0;

	(void)state;
	request("DELETE /metrics HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(r.head, "\r\nAllow: GET, HEAD\r\n"));
	free(r.body);
	request("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
	assert_int_equal(r.status, 404);
	free(r.body);
	request("GET / HTTP/1.1\r\n\r\n", &r, false); /* no Host */
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.head, "Connection: close"));
	free(r.body);
	request("GET / HTTP/3.0\r\nHost: t\r\n\r\n", &r, false);
	assert_int_equal(r.status, 505);
	free(r.body);
	/* a body is never read: answered, then the connection closes */
	fd = connect_port();
	send(fd,
	     "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n"
	     "hello",
	     60, 0);
	read_resp(fd, &r, false, carry, &nc);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(r.head, "Connection: close"));
	assert_int_equal(recv(fd, tmp, sizeof(tmp), 0), 0);
	close(fd);
	free(r.body);
	/* HTTP/1.0 without keep-alive: closed after the answer */
	fd = connect_port();
	send(fd, "GET /healthz HTTP/1.0\r\n\r\n", 25, 0);
	read_resp(fd, &r, false, carry, &nc);
	assert_int_equal(r.status, 200);
	assert_int_equal(recv(fd, tmp, sizeof(tmp), 0), 0);
	close(fd);
	free(r.body);
}

/* /healthz follows what the daemon publishes. */
static void
test_healthz_follows_state(void **state)
{
	struct resp r;

	(void)state;
	st.dp_connected = false;
	exporter_publish(&st);
	request("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "not ready: dataplane not connected\n");
	free(r.body);
	request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
	assert_non_null(strstr(r.body, "\nixgate_dataplane_connected 0\n"));
	assert_null(strstr(r.body, "ixgate_received_packets_total"));
	free(r.body);
	st.dp_connected = true;
	st.dp_epoch++;
	exporter_publish(&st);
	request("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
	assert_int_equal(r.status, 200);
	free(r.body);
}

/* Provenance: the file's SHA-256 while it is what was loaded; an edit is
 * noticed (ixgate_config_files_changed 1) without a reload. */
static void
test_files_changed(void **state)
{
	char want[512], hex[65];
	struct resp r;
	FILE *f;
	int i;

	(void)state;
	request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
	assert_non_null(strstr(r.body, "\nixgate_config_files_changed 0\n"));
	/* one file: its digest is the config's */
	ctl_hex(st.running.sha256, hex);
	snprintf(want, sizeof(want),
		 "ixgate_config_file_info{path=\"%s\",sha256=\"%s\"} 1\n",
		 conf_path, hex);
	assert_non_null(strstr(r.body, want));
	free(r.body);
	f = fopen(conf_path, "a");
	assert_non_null(f);
	fputs("# edited\n", f);
	fclose(f);
	for (i = 0; i < 100; i++) {
		request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
		if (strstr(r.body, "\nixgate_config_files_changed 1\n")) {
			assert_non_null(strstr(r.body, "sha256=\"unknown\""));
			free(r.body);
			break;
		}
		free(r.body);
		usleep(100000);
	}
	assert_true(i < 100);
}

/* The config on disk loaded and published as running; the load's record
 * of the file tweaked: read at `hashed_ns` (0: as loaded) with digest
 * `fake` (NULL: as loaded), the config digest too when fake. */
static void
publish_loaded(int64_t hashed_ns, const uint8_t *fake)
{
	static unsigned fakes;
	struct ctl_config nc;

	memset(&nc, 0, sizeof(nc));
	assert_int_equal(ctl_config_load(conf_path, NULL, &nc, stderr), 0);
	assert_int_equal(nc.n_files, 1);
	if (hashed_ns != 0)
		nc.files[0].hashed_ns = hashed_ns;
	if (fake != NULL) {
		/* another each time: a new snapshot for the exporter */
		memcpy(nc.files[0].sha256, fake, 32);
		memset(nc.sha256, 0xcd, 32);
		nc.sha256[31] = (uint8_t)++fakes;
	}
	ctl_config_free(&st.running);
	st.running = nc;
	memcpy(st.dp_hello.config_sha256, st.running.sha256, 32);
	exporter_publish(&st);
}

/* Poll /metrics until it holds `want` (10 s at most). */
static void
metrics_until(const char *want)
{
	struct resp r;
	int i;

	for (i = 0; i < 100; i++) {
		request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", &r, false);
		if (strstr(r.body, want) != NULL) {
			free(r.body);
			return;
		}
		free(r.body);
		usleep(100000);
	}
	fail_msg("no \"%s\" in /metrics", want);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The files' digests come from the load while a file is as the load read
 * it (identity, and times older than the read by 2 s): a digest the file
 * does not hash to is shown as the load's, proving the file was not read
 * again. Read too soon after a change (racy), the file is hashed: it
 * differs from that digest. An edit that keeps the length is told from
 * the loaded content by its digest.
 */
static void
test_files_digest_from_load(void **state)
{
	uint8_t fake[32];
	char want[512], hex[65];
	struct stat sb;
	FILE *f;

	(void)state;
	memset(fake, 0xab, sizeof(fake));
	publish_loaded(now_ns() + 10 * 1000000000ll, fake);
	ctl_hex(fake, hex);
	snprintf(want, sizeof(want),
		 "ixgate_config_file_info{path=\"%s\",sha256=\"%s\"} 1\n",
		 conf_path, hex);
	metrics_until(want);
	metrics_until("\nixgate_config_files_changed 0\n");
	/* read within 2 s of its modification: hashed, not as loaded */
	assert_int_equal(stat(conf_path, &sb), 0);
	publish_loaded((int64_t)sb.st_mtim.tv_sec * 1000000000 +
			       sb.st_mtim.tv_nsec,
		       fake);
	metrics_until("\nixgate_config_files_changed 1\n");
	/* as loaded, trusted; then a same-length edit in place */
	publish_loaded(now_ns() + 10 * 1000000000ll, NULL);
	metrics_until("\nixgate_config_files_changed 0\n");
	f = fopen(conf_path, "r+");
	assert_non_null(f);
	assert_int_equal(fputc('#', f), '#'); /* "node" -> "#ode" */
	fclose(f);
	metrics_until("\nixgate_config_files_changed 1\n");
	f = fopen(conf_path, "r+");
	assert_non_null(f);
	assert_int_equal(fputc('n', f), 'n');
	fclose(f);
	metrics_until("\nixgate_config_files_changed 0\n");
}

/* A reload as the daemon does it: the new config becomes the running one,
 * then the daemon publishes. */
static void
reload_config(void)
{
	struct ctl_config nc;

	memset(&nc, 0, sizeof(nc));
	assert_int_equal(ctl_config_load(conf_path, NULL, &nc, stderr), 0);
	ctl_config_free(&st.running);
	st.running = nc;
	memcpy(st.dp_hello.config_sha256, st.running.sha256, 32);
	exporter_publish(&st);
}

/* One request on an open connection answers 200. */
static void
still_served(int fd)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	char carry[1 << 16];
	size_t nc = 0;
	struct resp r;

	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	read_resp(fd, &r, false, carry, &nc);
	assert_int_equal(r.status, 200);
	free(r.body);
}

/* Whether anything accepts on 127.0.0.1:p. */
static bool
accepting(int p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)p)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/*
 * "listen" from the config at start (setup), and changed by reloads: an
 * address added binds, the one kept keeps its socket and its open
 * connections, an address removed stops accepting while its open
 * connections finish their business.
 */
static void
test_reload_listen(void **state)
{
	int p1 = port, p2 = free_port(), fd1, fd2, i;

	(void)state;
	fd1 = connect_to(p1);
	still_served(fd1);
	/* add p2 */
	write_config(p1, p2);
	reload_config();
	fd2 = connect_to(p2);
	still_served(fd2);
	still_served(fd1);
	close(fd1);
	fd1 = connect_to(p1);
	still_served(fd1);
	/* drop p1: no new connection there, the open one still answers */
	write_config(0, p2);
	reload_config();
	for (i = 0; i < 100 && accepting(p1); i++)
		usleep(20000);
	assert_true(i < 100);
	still_served(fd1);
	still_served(fd2);
	close(fd1);
	close(fd2);
	/* listen none, then back to p1 (for the tests after this one) */
	{
		FILE *f = fopen(conf_path, "w");

		assert_non_null(f);
		fputs(config_text, f);
		fputs("metrics { listen none; }\n", f);
		fclose(f);
	}
	reload_config();
	for (i = 0; i < 100 && accepting(p2); i++)
		usleep(20000);
	assert_true(i < 100);
	write_config(p1, 0);
	reload_config();
	fd1 = connect_to(p1);
	still_served(fd1);
	close(fd1);
}

/*
 * A reload that asks for TLS with files that do not load, while plain
 * HTTP was served: nothing is served (never plain HTTP in its place) until
 * a reload fixes it; here, back to plain HTTP.
 */
static void
test_reload_tls_missing(void **state)
{
	FILE *f;
	int i, fd;

	(void)state;
	assert_true(accepting(port));
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fputs(config_text, f);
	fprintf(f,
		"metrics { listen 127.0.0.1:%d; tls-cert \"no-such.pem\"; "
		"tls-key \"no-such.key\"; }\n",
		port);
	assert_int_equal(fclose(f), 0);
	reload_config();
	for (i = 0; i < 100 && accepting(port); i++)
		usleep(20000);
	assert_true(i < 100);
	write_config(port, 0);
	reload_config();
	fd = connect_to(port);
	still_served(fd);
	close(fd);
}

static void
test_settings(void **state)
{
	struct exporter_settings s;
	char err[256];

	(void)state;
	exporter_settings_init(&s);
	assert_true(s.enabled);
	assert_int_equal(exporter_settings_option(&s, "metrics-listen",
						  "localhost:9477", err,
						  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "localhost:9477"));
	assert_int_equal(exporter_settings_option(&s, "metrics-listen",
						  "127.0.0.1:99999", err,
						  sizeof(err)),
			 -1);
	assert_int_equal(exporter_settings_option(&s, "metrics-listen", "::1:1",
						  err, sizeof(err)),
			 -1);
	assert_int_equal(exporter_settings_option(&s, "metrics-listen",
						  "[::1]:9477", err,
						  sizeof(err)),
			 0);
	assert_int_equal(exporter_settings_option(&s, "metrics-listen",
						  "0.0.0.0:9477", err,
						  sizeof(err)),
			 0);
	assert_int_equal(s.n_listen, 2);
	assert_int_equal(exporter_settings_option(&s, "metrics-listen", "none",
						  err, sizeof(err)),
			 0);
	assert_false(s.enabled);
	assert_int_equal(exporter_settings_option(&s, "metrics-foo", "x", err,
						  sizeof(err)),
			 -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive_pipeline_head),
		cmocka_unit_test(test_openmetrics_gzip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_healthz_follows_state),
		cmocka_unit_test(test_files_changed),
		cmocka_unit_test(test_files_digest_from_load),
		cmocka_unit_test(test_reload_listen),
		cmocka_unit_test(test_reload_tls_missing),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
