/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgatectl - the operator's CLI: sends one request to ixgate-control over
 * its CLI socket (ctl_proto.h), prints the reply, exits with its status.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: ixgatectl [--socket PATH] [--json] [--watch SECONDS] COMMAND...\n"
		"commands:\n"
		"  show peers | peer NAME | routes [PREFIX] | acl | classes | blackholes |\n"
		"       countries | matrix peers | matrix countries | drops | ports |\n"
		"       generation | config\n"
		"  reload [--confirm-within SECONDS]   re-read the config, commit what changed\n"
		"  confirm                             keep a reload made with --confirm-within\n"
		"  rollback                            commit the previous configuration\n"
		"  check [FILE]                        validate, commit nothing\n"
		"default socket: %s\n",
		IXG_CTL_SOCKET);
}

static int
fail(bool json, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (json)
		printf("{\"error\": \"%s\"}\n", msg);
	else
		fprintf(stderr, "ixgatectl: %s\n", msg);
	return 1;
}

static int
request(const char *path, bool json, int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_req_hdr h = {.magic = CTL_MAGIC, .version = 1};
	char *msg = malloc(CTL_MSG_MAX);
	size_t len = sizeof(h);
	int fd, i, status = 1;

	if (msg == NULL)
		return 1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		free(msg);
		return fail(json, "socket path too long: %s", path);
	}
	strcpy(sa.sun_path, path);
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (len + n > CTL_MSG_MAX) {
			free(msg);
			return fail(json, "%s", "command too long");
		}
		memcpy(msg + len, argv[i], n);
		len += n;
	}
	h.argc = (uint32_t)argc;
	h.len = (uint32_t)len;
	h.flags = json ? CTL_F_JSON : 0;
	memcpy(msg, &h, sizeof(h));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		free(msg);
		if (fd >= 0)
			close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return fail(json, "ixgate-control is not running (no socket at %s)",
				    path);
		if (e == EACCES)
			return fail(json, "permission denied on %s (join the socket's group)",
				    path);
		return fail(json, "cannot connect: %s", strerror(e));
	}
	if (send(fd, msg, len, MSG_NOSIGNAL) < 0) {
		close(fd);
		free(msg);
		return fail(json, "cannot send: %s", strerror(errno));
	}
	for (;;) {
		struct ctl_rep_hdr r;
		ssize_t n = recv(fd, msg, CTL_MSG_MAX, 0);

		if (n < (ssize_t)sizeof(r)) {
			fail(json, "%s", n == 0 ? "ixgate-control closed the connection"
						: "malformed reply");
			break;
		}
		memcpy(&r, msg, sizeof(r));
		if (r.magic != CTL_MAGIC || r.len != (uint32_t)n) {
			fail(json, "%s", "malformed reply");
			break;
		}
		fwrite(msg + sizeof(r), 1, (size_t)n - sizeof(r), stdout);
		if (r.flags & CTL_R_LAST) {
			status = r.status;
			break;
		}
	}
	fflush(stdout);
	close(fd);
	free(msg);
	return status;
}

int
main(int argc, char **argv)
{
	const char *path = IXG_CTL_SOCKET;
	unsigned long watch = 0;
	bool json = false;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			i++;
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			path = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--watch") == 0 && i + 1 < argc) {
			char *end;

			watch = strtoul(argv[i + 1], &end, 10);
			if (*end != '\0' || watch == 0 || watch > 3600) {
				usage(stderr);
				return 2;
			}
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i == argc || argc - i > CTL_MAX_ARGS) {
		usage(stderr);
		return 2;
	}
	if (watch == 0)
		return request(path, json, argc - i, argv + i);
	if (strcmp(argv[i], "show") != 0) {
		fprintf(stderr, "ixgatectl: --watch repeats show commands only\n");
		return 2;
	}
	/* Rates are the daemon's: it samples the counters every second. */
	for (;;) {
		int st;

		fputs("\033[H\033[2J", stdout);
		st = request(path, json, argc - i, argv + i);
		if (st != 0)
			return st;
		sleep((unsigned)watch);
	}
}
