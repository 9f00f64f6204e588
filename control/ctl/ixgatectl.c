/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgatectl - the operator's CLI: sends one request to ixgate-control over
 * its CLI socket (ctl_proto.h), prints the reply, exits with its status.
 * With --watch the daemon keeps sending frames (one per interval, rates
 * computed by the daemon between two successive counter reads) until
 * --count frames were sent or the operator interrupts.
 *
 * Never waits forever: connecting, sending and every wait for the next
 * message are bounded by --timeout (default 10 s; the daemon sends a
 * keep-alive every second while a commit or a check runs, and a --watch
 * frame every interval, which is added to the bound).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ixg_json.h"
#include "ixg_version.h"

#define DEFAULT_TIMEOUT_S 10

/* The usage; `show` holds the daemon's list of show commands when it
 * answered (ixgatectl --help), else the built-in one. */
static void
usage(FILE *out, const char *show)
{
	fprintf(out,
		"usage: ixgatectl [--socket PATH] [--json] [--timeout SECONDS] "
		"[--verbose]\n"
		"                 [--watch [SECONDS]] [--count N] COMMAND...\n"
		"commands:\n");
	if (show != NULL)
		fputs(show, out);
	else
		fprintf(out, "  %-*s %s\n", IXG_CTL_USAGE_WIDTH, "show help",
			"the daemon's views (listed here when it runs)");
#define X_VERB(u, what)                                                        \
	fprintf(out, "  %-*s %s\n", IXG_CTL_USAGE_WIDTH, u, what);
	IXG_CTL_VERBS(X_VERB)
#undef X_VERB
	fprintf(out,
		"--timeout SECONDS: give up when ixgate-control sends nothing "
		"for that long\n"
		"  (default %d; it sends a keep-alive every second while it "
		"works on a request)\n"
		"--verbose: show the keep-alives (what the daemon is doing) on "
		"stderr\n"
		"--watch [SECONDS]: redraw a show command with counters every "
		"SECONDS\n"
		"  (default 1) with per-second rates, until interrupted or "
		"--count N frames;\n"
		"  with --json, one JSON object per line and frame.\n"
		"default socket: %s\n",
		DEFAULT_TIMEOUT_S, IXG_CTL_SOCKET);
}

/* The daemon's list of show commands (the "help" request), or NULL when
 * it does not answer (not running, older): caller frees. */
static char *
daemon_show_help(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_req_hdr h = {.magic = CTL_MAGIC,
				.version = 1}; /* no keep-alives */
	char req[sizeof(h) + 5], *buf, *text = NULL;
	size_t len = 0;
	struct timeval tv = {.tv_sec = 2};
	FILE *m;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return NULL;
	strcpy(sa.sun_path, path);
	h.argc = 1;
	h.len = sizeof(req);
	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), "help", 5);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	buf = malloc(CTL_MSG_MAX);
	m = open_memstream(&text, &len);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (buf == NULL || m == NULL ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, req, sizeof(req), MSG_NOSIGNAL) < 0)
		goto fail;
	for (;;) {
		struct ctl_rep_hdr r;
		ssize_t n = recv(fd, buf, CTL_MSG_MAX, 0);

		if (n < (ssize_t)sizeof(r))
			goto fail;
		memcpy(&r, buf, sizeof(r));
		if (r.magic != CTL_MAGIC || r.len != (uint32_t)n)
			goto fail;
		fwrite(buf + sizeof(r), 1, (size_t)n - sizeof(r), m);
		if (r.flags & CTL_R_LAST) {
			if (r.status != 0)
				goto fail;
			break;
		}
	}
	close(fd);
	free(buf);
	if (fclose(m) != 0 || text == NULL || strncmp(text, "  show ", 7)) {
		free(text);
		return NULL;
	}
	return text;
fail:
	close(fd);
	free(buf);
	if (m != NULL)
		fclose(m);
	free(text);
	return NULL;
}

/* A message for the operator: on stderr, or as {"error": ...} on stdout
 * in JSON mode (RFC 8259 escaping: paths may hold anything). */
static int
fail(bool json, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (!json) {
		fprintf(stderr, "ixgatectl: %s\n", msg);
		return 1;
	}
	fputs("{\"error\": ", stdout);
	ixg_json_quote(stdout, msg);
	fputs("}\n", stdout);
	fflush(stdout);
	return 1;
}

/* Wait up to timeout_ms for fd to be readable: 1, 0 on timeout. */
static int
wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc;
}

static int
request(const char *path, bool json, bool watch, unsigned watch_s,
	unsigned timeout_s, bool verbose, int argc, char **argv)
{
	struct timeval tv = {.tv_sec = timeout_s};
	int timeout_ms = (int)(timeout_s + (watch ? watch_s : 0)) * 1000;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_req_hdr h = {.magic = CTL_MAGIC, .version = CTL_VERSION};
	char *msg = malloc(CTL_MSG_MAX);
	/* Redraw in place only on a terminal; piped frames follow each
	 * other. */
	bool redraw = watch && !json && isatty(STDOUT_FILENO);
	bool frame_start = true;
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
	/* A daemon whose listen queue is full would block connect(2): the
	 * send timeout bounds it (and the send). */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		free(msg);
		if (fd >= 0)
			close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return fail(json,
				    "ixgate-control is not running (no socket "
				    "at %s)",
				    path);
		if (e == EACCES)
			return fail(json,
				    "permission denied on %s (join the "
				    "socket's group)",
				    path);
		if (e == EAGAIN || e == EINPROGRESS)
			return fail(json,
				    "ixgate-control did not accept the "
				    "connection within the timeout (%s): "
				    "stalled or overloaded",
				    path);
		return fail(json, "cannot connect to ixgate-control: %s",
			    strerror(e));
	}
	if (send(fd, msg, len, MSG_NOSIGNAL) < 0) {
		int e = errno;

		/* A daemon that refused the connection sent its reason
		 * first: read it if it is there. */
		if (wait_readable(fd, 100) <= 0) {
			close(fd);
			free(msg);
			return fail(json, "cannot send to ixgate-control: %s",
				    strerror(e));
		}
	}
	for (;;) {
		struct ctl_rep_hdr r;
		ssize_t n;
		int rc = wait_readable(fd, timeout_ms);

		if (rc <= 0) {
			char what[160];

			snprintf(what, sizeof(what),
				 "no answer from ixgate-control for %d s "
				 "(--timeout); whether the request took effect "
				 "is unknown: `ixgatectl status` tells",
				 timeout_ms / 1000);
			fail(json, "%s", what);
			break;
		}
		n = recv(fd, msg, CTL_MSG_MAX, MSG_DONTWAIT);
		if (n < (ssize_t)sizeof(r)) {
			fail(json, "%s",
			     n == 0 ? "ixgate-control closed the connection "
				      "(stopped or restarted?)"
			     : n < 0 && errno == ECONNRESET
				     ? "ixgate-control reset the connection "
				       "(refused it?)"
				     : "malformed reply from ixgate-control");
			break;
		}
		memcpy(&r, msg, sizeof(r));
		if (r.magic != CTL_MAGIC || r.len != (uint32_t)n) {
			fail(json, "%s", "malformed reply from ixgate-control");
			break;
		}
		if (r.flags & CTL_R_PROGRESS) {
			if (verbose) {
				fprintf(stderr, "ixgatectl: %.*s\n",
					(int)(n - (ssize_t)sizeof(r)),
					msg + sizeof(r));
				fflush(stderr);
			}
			continue;
		}
		if (redraw && frame_start)
			fputs("\033[H\033[2J", stdout);
		frame_start = false;
		fwrite(msg + sizeof(r), 1, (size_t)n - sizeof(r), stdout);
		if (r.flags & (CTL_R_FRAME | CTL_R_LAST)) {
			/* Each frame as soon as it is whole: a reader of
			 * JSON lines acts on it without waiting. */
			if (watch && !json && !redraw &&
			    !(r.flags & CTL_R_LAST))
				putchar('\n');
			fflush(stdout);
			frame_start = true;
		} else if (!watch) {
			/* A line of a commit's progress: show it now. */
			fflush(stdout);
		}
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
	char *args[CTL_MAX_ARGS + 1];
	const char *watch_s = NULL, *count = NULL;
	bool json = false, watch = false, watch_opt, verbose = false;
	unsigned long timeout_s = DEFAULT_TIMEOUT_S, wsec = 1;
	int i = 1, n = 0;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgatectl", stdout);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			i++;
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			path = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--watch") == 0) {
			/* SECONDS is optional: the next word is it only if
			 * it is a number. */
			watch = true;
			i++;
			if (i < argc && argv[i][0] >= '0' && argv[i][0] <= '9')
				watch_s = argv[i++];
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			count = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			char *end;

			timeout_s = strtoul(argv[i + 1], &end, 10);
			if (*argv[i + 1] == '\0' || *end != '\0' ||
			    timeout_s == 0 || timeout_s > 86400) {
				fprintf(stderr,
					"ixgatectl: --timeout '%s': seconds "
					"in 1..86400\n",
					argv[i + 1]);
				return 2;
			}
			i += 2;
		} else if (strcmp(argv[i], "--verbose") == 0 ||
			   strcmp(argv[i], "-v") == 0) {
			verbose = true;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			/* The daemon's own list when it answers. */
			char *show = daemon_show_help(path);

			usage(stdout, show);
			free(show);
			return 0;
		} else {
			fprintf(stderr, "ixgatectl: unknown option '%s'\n",
				argv[i]);
			usage(stderr, NULL);
			return 2;
		}
	}
	if (i == argc || argc - i + 4 > CTL_MAX_ARGS) {
		usage(stderr, NULL);
		return 2;
	}
	/* The daemon parses --watch and --count (also accepted after the
	 * command): pass them on. */
	watch_opt = watch;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--watch") == 0) {
			watch = true;
			if (i + 1 < argc && argv[i + 1][0] >= '0' &&
			    argv[i + 1][0] <= '9')
				watch_s = argv[i + 1];
		}
		args[n++] = argv[i];
	}
	if (watch_opt) {
		args[n++] = "--watch";
		if (watch_s != NULL)
			args[n++] = (char *)watch_s;
	}
	if (count != NULL) {
		args[n++] = "--count";
		args[n++] = (char *)count;
	}
	args[n] = NULL;
	if (watch_s != NULL)
		wsec = strtoul(watch_s, NULL, 10);
	return request(path, json, watch, (unsigned)wsec, (unsigned)timeout_s,
		       verbose, n, args);
}
