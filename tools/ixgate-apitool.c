/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgate-apitool - talk to ixgate-dataplane's API socket directly, without
 * ixgate-control: for tests, debugging and benchmarks of the API.
 *
 *   ixgate-apitool [--socket PATH] hello
 *   ixgate-apitool [--socket PATH] state
 *   ixgate-apitool [--socket PATH] commit CONFIG [--base GEN]
 *                  [--only TABLE]... [--break WHAT]
 *   ixgate-apitool [--socket PATH] send-raw HEXFILE
 *   ixgate-apitool [--socket PATH] hold SECONDS
 *
 * Output: one "key value" line per field, easy to grep in scripts.
 * Exit status: 0 the dataplane said ok, 1 it refused (or could not be
 * reached), 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ixg_api.h"
#include "ixg_conf.h"
#include "ixg_version.h"
#include "ixg_wire.h"

static const char usage_text[] =
	"usage: ixgate-apitool [--socket PATH] COMMAND\n"
	"  hello                  HELLO: capacities, generation, counters\n"
	"  state                  GET_STATE: generation, headless, sha256\n"
	"  commit CONFIG [--base GEN] [--only TABLE]... [--break WHAT]\n"
	"                         load CONFIG, send its tables (all, or the\n"
	"                         --only ones) in one transaction, commit.\n"
	"                         --break peer-port|route-peer|acl-class\n"
	"                         corrupts the first such object first\n"
	"  send-raw HEXFILE       send each line of hex bytes as one message\n"
	"                         and print each reply ('#' lines skipped)\n"
	"  hold SECONDS           HELLO, then stay connected SECONDS\n"
	"Default socket: " IXG_API_SOCKET "\n";

static uint32_t next_seq = 1;

static int
connect_api(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: path too long\n", path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void
print_hex(const char *key, const uint8_t *b, size_t n)
{
	printf("%s ", key);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* Receive one reply and check its framing; returns its type or -1. */
static int
recv_reply(int fd, void *buf, int *rfd)
{
	char err[IXG_WIRE_ERR_LEN];
	uint16_t type;
	ssize_t n = ixg_recv(fd, buf, IXG_MSG_MAX, rfd);

	if (n == 0) {
		printf("closed\n");
		return -1;
	}
	if (n < 0) {
		fprintf(stderr, "recv: %s\n", strerror((int)-n));
		return -1;
	}
	if (ixg_msg_check(buf, (size_t)n, &type, err, sizeof(err)) !=
	    IXG_ST_OK) {
		fprintf(stderr, "bad reply: %s\n", err);
		return -1;
	}
	return type;
}

static void
print_reply(const void *buf, int type)
{
	const struct ixg_msg_reply *r = buf;
	const struct ixg_msg_commit_reply *c = buf;

	printf("reply %s\n", ixg_msg_type_name((unsigned)type));
	if (type == IXG_MSG_REPLY) {
		printf("status %s\n", ixg_status_name(r->status));
		printf("message %s\n", r->message);
	} else if (type == IXG_MSG_COMMIT_REPLY) {
		printf("status %s\n", ixg_status_name(c->status));
		printf("generation %" PRIu64 "\n", c->generation);
		printf("err_table %s\n",
		       c->err_table ? ixg_table_name(c->err_table) : "none");
		printf("err_index %" PRIu32 "\n", c->err_index);
		printf("err_origin %" PRIu32 "\n", c->err_origin);
		printf("build_ms %.3f\n", c->build_ns / 1e6);
		printf("publish_ms %.3f\n", c->publish_ns / 1e6);
		printf("message %s\n", c->message);
	}
}

static int
reply_status(const void *buf, int type)
{
	if (type == IXG_MSG_REPLY)
		return ((const struct ixg_msg_reply *)buf)->status;
	if (type == IXG_MSG_COMMIT_REPLY)
		return ((const struct ixg_msg_commit_reply *)buf)->status;
	if (type == IXG_MSG_HELLO_REPLY)
		return ((const struct ixg_msg_hello_reply *)buf)->status;
	return IXG_ST_OK;
}

static int
do_hello(int fd, bool quiet)
{
	union {
		struct ixg_msg_hello_reply r;
		uint8_t raw[IXG_MSG_MAX];
	} u;
	struct ixg_msg_hello h;
	int type, rfd = -1;

	memset(&h, 0, sizeof(h));
	ixg_msg_init(&h.hdr, IXG_MSG_HELLO, sizeof(h), next_seq++);
	h.pid = (uint32_t)getpid();
	snprintf(h.name, sizeof(h.name), "ixgate-apitool");
	/* On failure still read: a busy dataplane says why, then hangs up. */
	(void)ixg_send(fd, &h, sizeof(h), -1);
	type = recv_reply(fd, &u, &rfd);
	if (type != IXG_MSG_HELLO_REPLY) {
		if (type > 0)
			print_reply(&u, type);
		if (rfd >= 0)
			close(rfd);
		return -1;
	}
	if (!quiet) {
		const struct ixg_msg_hello_reply *r = &u.r;

		printf("status %s\n", ixg_status_name(r->status));
		printf("generation %" PRIu64 "\n", r->generation);
		printf("n_workers %" PRIu32 "\n", r->n_workers);
		printf("was_headless %u\n", r->was_headless);
		print_hex("config_sha256", r->config_sha256, 32);
		printf("counters_size %" PRIu64 "\n", r->counters_size);
		printf("counters_blocks %" PRIu32 "\n", r->counters_blocks);
		printf("counters_block_size %" PRIu32 "\n",
		       r->counters_block_size);
		printf("cap.ports %" PRIu32 "\ncap.peers %" PRIu32
		       "\ncap.peer_macs %" PRIu32 "\ncap.classes %" PRIu32
		       "\ncap.acl_rules %" PRIu32 "\ncap.routes4 %" PRIu32
		       "\ncap.routes6 %" PRIu32 "\ncap.countries %" PRIu32
		       "\ncap.local_addrs %" PRIu32 "\n",
		       r->cap.ports, r->cap.peers, r->cap.peer_macs,
		       r->cap.classes, r->cap.acl_rules, r->cap.routes4,
		       r->cap.routes6, r->cap.countries, r->cap.local_addrs);
		/* The counters region must map read-only at the size said. */
		if (rfd >= 0) {
			void *p = mmap(NULL, r->counters_size, PROT_READ,
				       MAP_SHARED, rfd, 0);

			printf("counters_fd %s\n",
			       p != MAP_FAILED ? "mapped" : "unmappable");
			if (p != MAP_FAILED) {
				const struct ixg_lcore_counters *b = p;
				uint64_t rx = 0;

				for (uint32_t i = 0; i < r->counters_blocks;
				     i++)
					rx += b[i].rx_packets;
				printf("counters_rx_packets %" PRIu64 "\n", rx);
				munmap(p, r->counters_size);
			}
		} else {
			printf("counters_fd none\n");
		}
	}
	if (rfd >= 0)
		close(rfd);
	return u.r.status == IXG_ST_OK ? 0 : -1;
}

static int
cmd_state(int fd)
{
	union {
		struct ixg_msg_state s;
		uint8_t raw[IXG_MSG_MAX];
	} u;
	struct ixg_msg_get_state g;
	int type;

	ixg_msg_init(&g.hdr, IXG_MSG_GET_STATE, sizeof(g), next_seq++);
	(void)ixg_send(fd, &g, sizeof(g), -1);
	type = recv_reply(fd, &u, NULL);
	if (type != IXG_MSG_STATE) {
		if (type > 0)
			print_reply(&u, type);
		return 1;
	}
	printf("generation %" PRIu64 "\n", u.s.generation);
	printf("headless %u\n", u.s.headless);
	printf("n_workers %" PRIu32 "\n", u.s.n_workers);
	printf("start_unix %" PRIu64 "\n", u.s.start_unix);
	printf("last_commit_unix %" PRIu64 "\n", u.s.last_commit_unix);
	print_hex("config_sha256", u.s.config_sha256, 32);
	return 0;
}

static int
file_sha256(const char *path, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	unsigned char buf[65536];
	unsigned int len = 32;
	size_t n;
	int rc = -1;

	if (ctx == NULL || f == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	if (EVP_DigestFinal_ex(ctx, out, &len) == 1)
		rc = 0;
out:
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
corrupt(struct ixg_spec *spec, const char *what)
{
	if (strcmp(what, "peer-port") == 0 && spec->n_peers > 0) {
		spec->peers[0].port_id = IXG_MAX_PORTS - 1;
		return 0;
	}
	if (strcmp(what, "route-peer") == 0 && spec->n_routes4 > 0) {
		spec->routes4[0].peer_id = IXG_MAX_PEERS - 1;
		return 0;
	}
	if (strcmp(what, "acl-class") == 0) {
		for (uint32_t i = 0; i < spec->n_acl_rules; i++) {
			spec->acl_rules[i].action = IXG_ACL_CLASS;
			spec->acl_rules[i].class_id = IXG_MAX_CLASSES - 1;
			return 0;
		}
	}
	fprintf(stderr, "--break %s: unknown, or no such object\n", what);
	return -1;
}

static int
table_by_name(const char *name)
{
	for (unsigned t = 1; t < IXG_TBL_MAX; t++)
		if (strcmp(ixg_table_name(t), name) == 0)
			return (int)t;
	return -1;
}

/* Send one request and print its reply; the reply's status or -1. */
static int
transact(int fd, const void *msg, size_t len, int pass_fd, bool verbose)
{
	uint8_t buf[IXG_MSG_MAX];
	int type, st;

	if (ixg_send(fd, msg, len, pass_fd) < 0) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return -1;
	}
	type = recv_reply(fd, buf, NULL);
	if (type < 0)
		return -1;
	st = reply_status(buf, type);
	if (verbose || st != IXG_ST_OK)
		print_reply(buf, type);
	return st;
}

static int
cmd_commit(int fd, const char *config, uint64_t base, uint32_t only_mask,
	   const char *brk)
{
	struct ixg_msg_txn_begin b;
	struct ixg_msg_txn_commit c;
	struct ixg_spec spec;
	int rc = 1;

	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load(config, &spec, stderr) < 0)
		return 1;
	if (brk != NULL && corrupt(&spec, brk) < 0)
		goto out;
	if (do_hello(fd, true) < 0)
		goto out;
	memset(&b, 0, sizeof(b));
	ixg_msg_init(&b.hdr, IXG_MSG_TXN_BEGIN, sizeof(b), next_seq++);
	b.base_generation = base;
	if (file_sha256(config, b.config_sha256) < 0)
		fprintf(stderr, "warning: sha256 of %s failed\n", config);
	if (transact(fd, &b, sizeof(b), -1, false) != IXG_ST_OK)
		goto out;
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		struct ixg_msg_txn_table m;
		uint64_t count;
		int mfd, st;

		if (only_mask != 0 && !(only_mask & (1u << t)))
			continue;
		if (ixg_table_to_memfd(&spec, t, &mfd, &count) < 0) {
			fprintf(stderr, "%s: memfd: %s\n", ixg_table_name(t),
				strerror(errno));
			goto out;
		}
		ixg_msg_txn_table_init(&m, t, count, next_seq++);
		st = transact(fd, &m, sizeof(m), mfd, false);
		if (mfd >= 0)
			close(mfd);
		if (st < 0)
			goto out;
		/* A refused table poisons the transaction: the commit
		 * reports it, so go on to see that. */
	}
	ixg_msg_init(&c.hdr, IXG_MSG_TXN_COMMIT, sizeof(c), next_seq++);
	rc = transact(fd, &c, sizeof(c), -1, true) == IXG_ST_OK ? 0 : 1;
out:
	ixg_spec_free(&spec);
	return rc;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int
cmd_send_raw(int fd, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4 * IXG_MSG_MAX];
	unsigned lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		uint8_t msg[2 * IXG_MSG_MAX], reply[IXG_MSG_MAX];
		size_t n = 0;
		int hi = -1, type;

		lineno++;
		if (line[0] == '#')
			continue;
		for (char *p = line; *p != '\0' && n < sizeof(msg); p++) {
			int v = hexval((unsigned char)*p);

			if (v < 0)
				continue; /* spaces, newline */
			if (hi < 0) {
				hi = v;
			} else {
				msg[n++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
		}
		if (n == 0)
			continue;
		printf("line %u: %zu bytes\n", lineno, n);
		if (ixg_send(fd, msg, n, -1) < 0) {
			printf("closed\n");
			break;
		}
		type = recv_reply(fd, reply, NULL);
		if (type < 0)
			break;
		print_reply(reply, type);
	}
	fclose(f);
	return 0;
}

/* Value of option argv[*i] (--opt VALUE or --opt=VALUE), or NULL if
 * argv[*i] is not `name`. Advances *i past a separate value. */
static const char *
opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int
main(int argc, char **argv)
{
	const char *path = IXG_API_SOCKET, *brk = NULL, *v;
	const char *pos[3] = {NULL, NULL, NULL};
	unsigned n_pos = 0;
	uint32_t only = 0;
	uint64_t base = 0;
	bool missing = false;
	int fd, rc;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-apitool", stdout);
	/* Options may come anywhere: before or after the command. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		if ((v = opt_value(argc, argv, &i, "--socket", &missing)))
			path = v;
		else if ((v = opt_value(argc, argv, &i, "--base", &missing)))
			base = strtoull(v, NULL, 10);
		else if ((v = opt_value(argc, argv, &i, "--break", &missing)))
			brk = v;
		else if ((v = opt_value(argc, argv, &i, "--only", &missing))) {
			int t = table_by_name(v);

			if (t < 0) {
				fprintf(stderr, "--only %s: no such table\n",
					v);
				return 2;
			}
			only |= 1u << t;
		} else if (missing || argv[i][0] == '-' || n_pos == 3) {
			fputs(usage_text, stderr);
			return 2;
		} else {
			pos[n_pos++] = argv[i];
		}
		if (missing) {
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (n_pos == 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	fd = connect_api(path);
	if (fd < 0)
		return 1;
	if (strcmp(pos[0], "hello") == 0 && n_pos == 1) {
		rc = do_hello(fd, false) == 0 ? 0 : 1;
	} else if (strcmp(pos[0], "state") == 0 && n_pos == 1) {
		rc = cmd_state(fd);
	} else if (strcmp(pos[0], "commit") == 0 && n_pos == 2) {
		rc = cmd_commit(fd, pos[1], base, only, brk);
	} else if (strcmp(pos[0], "send-raw") == 0 && n_pos == 2) {
		rc = cmd_send_raw(fd, pos[1]);
	} else if (strcmp(pos[0], "hold") == 0 && n_pos == 2) {
		struct timespec ts = {atoi(pos[1]), 0};

		rc = do_hello(fd, false) == 0 ? 0 : 1;
		fflush(stdout);
		nanosleep(&ts, NULL);
	} else {
		fputs(usage_text, stderr);
		rc = 2;
	}
	close(fd);
	return rc;
}
