/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_bench - what a Prometheus scrape of a big exchange costs, and
 * proof that the daemon's CLI answers while one is in progress (issue 11).
 *
 * It runs the real ixgate-control pieces in one process: a generated config
 * of N members (default 4,095, the most peer ids allow) in 250 countries,
 * loaded and compiled by the config library; the daemon's io_uring loop
 * and CLI socket (ctld_start); the metrics exporter thread
 * (exporter_start). The dataplane is replaced by a counters region made
 * here (two worker blocks in shared memory) in which every member, every
 * member pair of a K-per-member traffic pattern, every cell of the
 * country matrix, every ACL rule and class colour is non-zero: the
 * largest scrape such an exchange can produce.
 *
 * Measured (printed, one line per figure):
 *   snapshot   exp_names_build(): the loop thread's cost per publish
 *   scrape     request to last byte over loopback, text and OpenMetrics
 *   size       bytes and samples of each format; gzip -1 / -6 size and
 *              time (to decide whether the exporter should compress)
 *   cli        `show generation` requests answered while scrapes run:
 *              count and slowest reply
 * and checked (exit 1 when not): every scrape is a 200 with the whole
 * body; a CLI request sent while a scrape's answer is half read (the
 * exporter holding it) is answered, then the rest of the scrape arrives
 * whole.
 *
 *   build/bench/metrics_bench [--members N] [--pairs K] [--rounds R]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ctl_proto.h"
#include "ctld.h"
#include "exporter.h"
#include "metrics.h"

static unsigned n_members = IXG_MAX_PEERS - 1, pairs_per = 8, rounds = 5;
static int http_port;
static const char *ctl_path;
static int result = 1;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the config and the counters ---- */

static void
country_code(unsigned i, char cc[3])
{
	cc[0] = (char)('A' + i / 26);
	cc[1] = (char)('A' + i % 26);
	cc[2] = '\0';
}

static int
write_config(const char *path)
{
	FILE *f = fopen(path, "w");
	char cc[3];

	if (f == NULL)
		return -1;
	fprintf(f, "node { name big; country AA; }\n"
		   "port p0 { device \"net_null0\"; }\n"
		   "port p1 { device \"net_null1\"; }\n");
	for (unsigned c = 0; c < 8; c++)
		fprintf(f,
			"class c%u { committed-rate %umbit; committed-burst "
			"64k; }\n",
			c, 100 + c);
	for (unsigned i = 1; i <= n_members; i++) {
		country_code(i % 250, cc);
		fprintf(f,
			"peer member-%u { asn %u; country %s; port p%u; vlan "
			"%u; mac 02:00:%02x:%02x:00:01; }\n",
			i, 64512 + i, cc, i % 2, (i / 2) % 4000 + 1, i >> 8,
			i & 255);
	}
	fprintf(f, "acl {\n");
	for (unsigned r = 1; r <= 200; r++)
		fprintf(f,
			"  rule %u r%u { protocol udp; destination-port %u; "
			"action class c%u; }\n",
			r * 10, r, 1000 + r, r % 8);
	fprintf(f, "}\n");
	return fclose(f);
}

/* Two worker blocks, every counter of the named objects non-zero. */
static struct ixg_lcore_counters *
make_counters(const struct ixg_spec *s, size_t *size, unsigned *n_pairs)
{
	struct ixg_lcore_counters *b;
	unsigned k, i, j, pairs = 0;

	*size = 2 * sizeof(*b);
	b = mmap(NULL, *size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return NULL;
	for (k = 0; k < 2; k++) {
		struct ixg_lcore_counters *c = &b[k];

		c->rx_packets = 1000000007ull * (k + 1);
		c->tx_packets = 900000000ull;
		for (i = 0; i < IXG_DROP_MAX; i++)
			c->drops[i] = 1000 + i;
		for (i = 0; i < s->n_ports; i++) {
			struct ixg_ctr_port *p = &c->port[s->ports[i].id];

			p->rx.packets = p->tx.packets = 123456789;
			p->rx.bytes = p->tx.bytes = 98765432100ull;
			for (j = 0; j < IXG_DROP_MAX; j++)
				p->drops[j] = 10 + j;
		}
		for (i = 0; i < s->n_peers; i++) {
			struct ixg_ctr_peer *p = &c->peer[s->peers[i].id];

			p->rx.packets = p->tx.packets = 1000000 + i;
			p->rx.bytes = p->tx.bytes = 1500000000ull + i;
			p->drops = i;
		}
		for (i = 0; i < s->n_countries; i++)
			for (j = 0; j < s->n_countries; j++) {
				c->country_pair[i][j].packets = 1 + i + j;
				c->country_pair[i][j].bytes = 1500 *
							      (1 + i + j);
			}
		for (i = 0; i < s->n_acl_rules; i++)
			c->acl_hits[s->acl_rules[i].id] = 77 + i;
		for (i = 0; i < s->n_classes; i++)
			for (j = 0; j < 3; j++)
				c->class_colour[s->classes[i].id][j] = 5 + j;
		/* member pairs: each member sends to the next `pairs_per`
		 * members; worker k holds every other pair, placed by
		 * linear probing as the dataplane does */
		pairs = 0;
		for (i = 0; i < s->n_peers; i++)
			for (j = 1; j <= pairs_per; j++) {
				uint32_t in = s->peers[i].id;
				uint32_t out =
					s->peers[(i + j) % s->n_peers].id;
				uint32_t key = (in << 16) | out;
				uint32_t h = (key * 2654435761u) &
					     (IXG_PEER_PAIR_SLOTS - 1);

				if ((i + j) % 2 != k)
					continue;
				while (c->peer_pair[h].key != 0)
					h = (h + 1) & (IXG_PEER_PAIR_SLOTS - 1);
				c->peer_pair[h].key = key;
				c->peer_pair[h].pb.packets = 1000 + i;
				c->peer_pair[h].pb.bytes = 1500000 + i;
				pairs++;
			}
		*n_pairs += pairs;
	}
	return b;
}

/* ---- clients ---- */

static int
http_connect(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)http_port)};
	struct timeval tv = {.tv_sec = 30};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Send a scrape request and read its head; *clen gets Content-Length,
 * `pre` what came after the head (up to prelen bytes, *npre). */
static int
scrape_start(int fd, int mode, size_t *clen, char *pre, size_t prelen,
	     size_t *npre)
{
	char head[4096], req[512];
	size_t got = 0;
	char *end, *cl;

	/* mode 0: text, 1: OpenMetrics, 2: text gzip'd */
	snprintf(req, sizeof(req),
		 "GET /metrics HTTP/1.1\r\nHost: bench\r\nAccept: %s\r\n%s\r\n",
		 mode == 1 ? "application/openmetrics-text;version=1.0.0,text/"
			     "plain;q=0.5"
			   : "text/plain;version=0.0.4",
		 mode == 2 ? "Accept-Encoding: gzip\r\n" : "");
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, head + got, sizeof(head) - 1 - got, 0);

		if (n <= 0)
			return -1;
		got += (size_t)n;
		head[got] = '\0';
		end = strstr(head, "\r\n\r\n");
		if (end != NULL)
			break;
		if (got == sizeof(head) - 1)
			return -1;
	}
	if (strncmp(head, "HTTP/1.1 200 ", 13) != 0)
		return -1;
	cl = strcasestr(head, "\r\nContent-Length: ");
	if (cl == NULL)
		return -1;
	*clen = strtoull(cl + 18, NULL, 10);
	*npre = got - (size_t)(end + 4 - head);
	if (*npre > prelen)
		return -1;
	memcpy(pre, end + 4, *npre);
	return 0;
}

/* Read the rest of a body into buf (len bytes, `have` already there). */
static int
read_body(int fd, char *buf, size_t len, size_t have)
{
	while (have < len) {
		ssize_t n = recv(fd, buf + have, len - have, 0);

		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
	return 0;
}

/* One CLI request (`show generation`), as ixgatectl sends it. 0 when
 * the whole reply came with status 0. */
static int
ctl_request(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char msg[256], rep[CTL_MSG_MAX];
	struct ctl_req_hdr *h = (struct ctl_req_hdr *)msg;
	struct timeval tv = {.tv_sec = 10};
	size_t len = sizeof(*h);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), rc = -1;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memcpy(msg + len, "show\0generation\0", 16);
	len += 16;
	*h = (struct ctl_req_hdr){.magic = CTL_MAGIC,
				  .version = 1,
				  .argc = 2,
				  .len = (uint32_t)len};
	if (send(fd, msg, len, 0) != (ssize_t)len)
		goto out;
	for (;;) {
		ssize_t n = recv(fd, rep, sizeof(rep), 0);
		const struct ctl_rep_hdr *r = (const struct ctl_rep_hdr *)rep;

		if (n < (ssize_t)sizeof(*r) || r->magic != CTL_MAGIC)
			goto out;
		if (r->flags & CTL_R_LAST) {
			rc = r->status == 0 ? 0 : -1;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static volatile int scraping, cli_stopping;
static unsigned cli_during, cli_failed;
static double cli_worst;

/* CLI requests back to back; those that start and end while a scrape
 * is outstanding are counted. */
static void *
cli_thread(void *arg)
{
	(void)arg;
	while (!cli_stopping) {
		int during = scraping;
		double t0 = now_s(), dt;
		int rc = ctl_request();

		dt = now_s() - t0;
		if (rc < 0)
			cli_failed++;
		else if (during && scraping) {
			cli_during++;
			if (dt > cli_worst)
				cli_worst = dt;
		}
		usleep(2000);
	}
	return NULL;
}

static double
gzip_level(const char *p, size_t n, int level, size_t *out)
{
	uLongf cap = compressBound(n);
	Bytef *z = malloc(cap);
	z_stream s = {0};
	double t0 = now_s();

	*out = 0;
	if (z == NULL || deflateInit2(&s, level, Z_DEFLATED, 31, 8,
				      Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		return 0;
	}
	s.next_in = (Bytef *)p;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)cap;
	deflate(&s, Z_FINISH);
	*out = s.total_out;
	deflateEnd(&s);
	free(z);
	return now_s() - t0;
}

static unsigned
count_samples(const char *p, size_t n)
{
	unsigned k = 0;

	for (size_t i = 0; i < n; i++)
		if ((i == 0 || p[i - 1] == '\n') && p[i] != '#')
			k++;
	return k;
}

static void *
client(void *arg)
{
	size_t clen, npre;
	char *body = NULL;
	pthread_t cli;
	int fd, ok = 1;

	(void)arg;
	usleep(300000); /* the loop and the exporter are up */
	pthread_create(&cli, NULL, cli_thread, NULL);
	for (int om = 0; om < 3 && ok; om++) {
		double best = 1e9, worst = 0, sum = 0;

		fd = http_connect();
		if (fd < 0) {
			ok = 0;
			break;
		}
		for (unsigned r = 0; r < rounds; r++) {
			double t0 = now_s(), dt;

			scraping = 1;
			free(body);
			body = malloc(256 << 20);
			if (body == NULL ||
			    scrape_start(fd, om, &clen, body, 256 << 20,
					 &npre) < 0 ||
			    read_body(fd, body, clen, npre) < 0) {
				fprintf(stderr, "scrape %u failed\n", r);
				ok = 0;
				break;
			}
			scraping = 0;
			dt = now_s() - t0;
			sum += dt;
			best = dt < best ? dt : best;
			worst = dt > worst ? dt : worst;
		}
		close(fd);
		if (!ok)
			break;
		printf("scrape %-11s %9zu bytes, %7u samples: %.1f ms best, "
		       "%.1f ms mean, %.1f ms worst of %u\n",
		       om == 1	 ? "openmetrics"
		       : om == 2 ? "text+gzip"
				 : "text",
		       clen, om == 2 ? 0 : count_samples(body, clen),
		       best * 1e3, sum / rounds * 1e3, worst * 1e3, rounds);
		if (om == 0) {
			for (int level = 1; level <= 6; level += 5) {
				size_t zl;
				double t = gzip_level(body, clen, level, &zl);

				printf("gzip -%d text        %9zu bytes "
				       "(%.1f%%) "
				       "in %.1f ms\n",
				       level, zl, 100.0 * zl / clen, t * 1e3);
			}
		}
	}
	cli_stopping = 1;
	pthread_join(cli, NULL);
	printf("cli show generation: %u answered during scrapes (slowest "
	       "%.1f ms), %u failed\n",
	       cli_during, cli_worst * 1e3, cli_failed);
	if (cli_failed > 0)
		ok = 0;

	/* The check: a scrape half read, the exporter holding the rest;
	 * a CLI request meanwhile is answered; the scrape then completes. */
	fd = http_connect();
	if (ok && fd >= 0 &&
	    scrape_start(fd, 0, &clen, body, 256 << 20, &npre) == 0) {
		int crc = ctl_request();
		int brc = read_body(fd, body, clen, npre);

		printf("check: CLI answered while a %zu-byte scrape was half "
		       "read: %s; scrape then complete: %s\n",
		       clen, crc == 0 ? "yes" : "NO", brc == 0 ? "yes" : "NO");
		if (crc != 0 || brc != 0)
			ok = 0;
	} else {
		ok = 0;
	}
	if (fd >= 0)
		close(fd);
	free(body);
	result = ok ? 0 : 1;
	kill(getpid(), SIGTERM); /* the daemon's signalfd stops its loop */
	return NULL;
}

static int
free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		port = -1;
	else
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"members", required_argument, NULL, 'm'},
		{"pairs", required_argument, NULL, 'p'},
		{"rounds", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	static struct ctld D;
	char dir[] = "/tmp/ixg-metrics-bench.XXXXXX", conf[256], sock[256],
	     listen[64];
	struct exporter_settings xs;
	struct ixg_lcore_counters *blocks;
	unsigned n_pairs = 0;
	size_t size;
	pthread_t th;
	double t0, build;
	char err[256];
	int o;

	while ((o = getopt_long(argc, argv, "m:p:r:", opts, NULL)) != -1) {
		switch (o) {
		case 'm': n_members = (unsigned)atoi(optarg); break;
		case 'p': pairs_per = (unsigned)atoi(optarg); break;
		case 'r': rounds = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: metrics_bench [--members N] "
					"[--pairs K] [--rounds R]\n");
			return 2;
		}
	}
	if (n_members < 2 || n_members >= IXG_MAX_PEERS || rounds == 0 ||
	    pairs_per == 0 || pairs_per >= n_members) {
		fprintf(stderr,
			"metrics_bench: members 2..%u, pairs < members, "
			"rounds > 0\n",
			IXG_MAX_PEERS - 1);
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	chmod(dir, 0755);
	snprintf(conf, sizeof(conf), "%s/big.conf", dir);
	snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
	if (write_config(conf) < 0)
		return 1;
	D.st.config_path = conf;
	D.api_path = "/nonexistent/dp.sock"; /* the fake dataplane below */
	D.ctl_path = ctl_path = sock;
	D.log = stderr;
	t0 = now_s();
	if (ctl_config_load(conf, NULL, &D.st.running, stderr) < 0)
		return 1;
	printf("config: %u members, %u countries, %u ACL rules, %u classes "
	       "loaded in %.0f ms\n",
	       D.st.running.spec.n_peers, D.st.running.spec.n_countries - 1,
	       D.st.running.spec.n_acl_rules, D.st.running.spec.n_classes,
	       (now_s() - t0) * 1e3);
	D.st.start_unix = time(NULL);
	D.uid = geteuid();
	D.loop = loop_new(256);
	if (D.loop == NULL || ctld_start(&D) < 0)
		return 1;
	blocks = make_counters(&D.st.running.spec, &size, &n_pairs);
	if (blocks == NULL)
		return 1;
	printf("counters: 2 worker blocks, %u member pairs, %u x %u country "
	       "matrix, all non-zero\n",
	       n_pairs, D.st.running.spec.n_countries,
	       D.st.running.spec.n_countries);
	D.st.counters = blocks;
	D.st.counters_size = size;
	D.st.n_counter_blocks = 2;
	D.st.dp_connected = true;
	D.st.dp_generation = 1;
	D.st.dp_hello.start_unix = (uint64_t)time(NULL);
	D.st.dp_hello.n_workers = 2;
	memcpy(D.st.dp_hello.config_sha256, D.st.running.sha256, 32);

	t0 = now_s();
	for (int i = 0; i < 20; i++)
		exp_names_put(exp_names_build(&D.st, NULL));
	build = (now_s() - t0) / 20;
	printf("snapshot: exp_names_build %.2f ms (loop thread, once per "
	       "change)\n",
	       build * 1e3);

	http_port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", http_port);
	exporter_settings_init(&xs);
	if (exporter_settings_option(&xs, "metrics-listen", listen, err,
				     sizeof(err)) < 0 ||
	    exporter_start(&xs, &D.st) < 0)
		return 1;
	pthread_create(&th, NULL, client, NULL);
	loop_run(D.loop);
	pthread_join(th, NULL);
	exporter_stop();
	D.st.counters = NULL; /* ours, not a dataplane's */
	ctld_stop(&D);
	munmap(blocks, size);
	unlink(conf);
	rmdir(dir);
	printf("%s\n", result == 0 ? "PASS" : "FAIL");
	return result;
}
