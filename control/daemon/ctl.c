/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.c - the CLI socket (ctl_proto.h): accept, read one request, run it,
 * send the reply in chunks, close.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctld.h"

/* Parse a request (see ctld.h). Any thread. */
int
ctl_parse_request(char *buf, size_t len, int *argc, char **argv,
		  uint16_t *flags)
{
	struct ctl_req_hdr h;
	size_t off = sizeof(h);
	uint32_t i;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != CTL_MAGIC || h.version != 1 || h.len != len ||
	    h.argc == 0 || h.argc > CTL_MAX_ARGS)
		return -EBADMSG;
	for (i = 0; i < h.argc; i++) {
		char *end = memchr(buf + off, '\0', len - off);

		if (off >= len || end == NULL)
			return -EBADMSG;
		argv[i] = buf + off;
		off = (size_t)(end - buf) + 1;
	}
	if (off != len)
		return -EBADMSG;
	argv[h.argc] = NULL;
	*argc = (int)h.argc;
	*flags = h.flags;
	return 0;
}

static void
json_escaped(FILE *out, const char *s, size_t n)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

/* A change command's text as one JSON object; errors as {"error": first
 * line, "where": "file:line:col"} (ctl_proto.h). */
static void
text_to_json(const char *text, size_t len, int status, FILE *out)
{
	const char *nl = memchr(text, '\n', len);
	size_t first = nl != NULL ? (size_t)(nl - text) : len;
	const char *e = strstr(text, ": error: ");

	if (status == 0) {
		fputs("{\"ok\": true, \"message\": ", out);
		json_escaped(out, text, len);
		fputs("}\n", out);
		return;
	}
	fputs("{\"error\": ", out);
	if (e != NULL) {
		const char *ls = e;

		while (ls > text && ls[-1] != '\n')
			ls--;
		nl = strchr(e, '\n');
		json_escaped(out, e + 9, nl != NULL ? (size_t)(nl - e - 9)
						    : strlen(e + 9));
		fputs(", \"where\": ", out);
		json_escaped(out, ls, (size_t)(e - ls));
	} else {
		json_escaped(out, text, first);
	}
	fputs(", \"message\": ", out);
	json_escaped(out, text, len);
	fputs("}\n", out);
}

static bool
may_change(const struct ctld *D, uid_t uid)
{
	return uid == 0 || uid == D->uid;
}

/* One show command: the only call to ctl_show (show.c), present in builds
 * that have it. */
static int
run_show(struct ctld *D, int argc, char **argv, bool json, FILE *out)
{
#ifdef IXG_HAVE_SHOW
	return ctl_show(&D->st, argc, argv, json, out);
#else
	(void)D;
	(void)argc;
	(void)argv;
	fprintf(out, json ? "{\"error\": \"show: not in this build\"}\n"
			  : "show: not in this build\n");
	return 1;
#endif
}

static int
usage(FILE *out)
{
	fputs("usage: ixgatectl [--json] COMMAND\n"
	      "  show ...                         read-only views (ixgatectl show help)\n"
	      "  reload [--confirm-within SECONDS] re-read the config and commit what changed\n"
	      "  confirm                          keep a reload done with --confirm-within\n"
	      "  rollback                         commit the previous configuration\n"
	      "  check [FILE]                     validate the config (or FILE), commit nothing\n",
	      out);
	return 2;
}

/* Run one request (see ctld.h). Loop thread. */
int
ctl_dispatch(struct ctld *D, uid_t uid, int argc, char **argv, bool json,
	     FILE *out)
{
	const char *cmd = argv[0];
	char *text = NULL;
	size_t len = 0;
	FILE *t;
	int st;

	if (strcmp(cmd, "show") == 0)
		return run_show(D, argc, argv, json, out);
	t = open_memstream(&text, &len);
	if (t == NULL)
		return 1;
	if (strcmp(cmd, "check") == 0 && argc <= 2) {
		st = ctld_check(D, argc == 2 ? argv[1] : NULL, t);
	} else if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "confirm") == 0 ||
		   strcmp(cmd, "rollback") == 0) {
		unsigned long s = 0;
		char *end = NULL;

		if (!may_change(D, uid)) {
			fprintf(t, "%s: permission denied: only root or uid %u may change the configuration\n",
				cmd, (unsigned)D->uid);
			st = 1;
		} else if (strcmp(cmd, "reload") == 0) {
			if (argc == 3 &&
			    strcmp(argv[1], "--confirm-within") == 0 &&
			    (s = strtoul(argv[2], &end, 10)) > 0 &&
			    *end == '\0' && s <= 86400)
				st = ctld_reload(D, uid, (unsigned)s, t);
			else if (argc == 1)
				st = ctld_reload(D, uid, 0, t);
			else
				st = usage(t);
		} else if (argc != 1) {
			st = usage(t);
		} else if (strcmp(cmd, "confirm") == 0) {
			st = ctld_confirm(D, uid, t);
		} else {
			st = ctld_rollback(D, uid, "rollback", t);
		}
	} else {
		st = usage(t);
	}
	fclose(t);
	if (json)
		text_to_json(text != NULL ? text : "", len, st, out);
	else if (len > 0)
		fwrite(text, 1, len, out);
	free(text);
	return st;
}

static void
send_reply(int fd, const char *text, size_t len, int status)
{
	size_t room = CTL_MSG_MAX - sizeof(struct ctl_rep_hdr), off = 0;
	char *msg = malloc(CTL_MSG_MAX);

	if (msg == NULL)
		return;
	do {
		size_t n = len - off < room ? len - off : room;
		struct ctl_rep_hdr h = {
			.magic = CTL_MAGIC,
			.flags = off + n == len ? CTL_R_LAST : 0,
			.status = (int16_t)status,
			.len = (uint32_t)(sizeof(h) + n),
		};

		memcpy(msg, &h, sizeof(h));
		memcpy(msg + sizeof(h), text + off, n);
		if (send(fd, msg, h.len, MSG_NOSIGNAL) < 0)
			break;
		off += n;
	} while (off < len);
	free(msg);
}

static void
on_client(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	  void *arg)
{
	struct ctld *D = arg;
	char *buf = malloc(CTL_MSG_MAX), *argv[CTL_MAX_ARGS + 1];
	char *text = NULL;
	size_t len = 0;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	uint16_t flags = 0;
	ssize_t n;
	int argc, st;
	FILE *out;

	(void)revents;
	if (buf == NULL)
		goto done;
	n = recv(fd, buf, CTL_MSG_MAX, MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN) {
		free(buf);
		return;
	}
	if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0)
		goto done;
	out = open_memstream(&text, &len);
	if (out == NULL)
		goto done;
	if (ctl_parse_request(buf, (size_t)n, &argc, argv, &flags) < 0) {
		fputs("malformed request (ixgatectl and ixgate-control versions differ?)\n",
		      out);
		st = 2;
	} else {
		st = ctl_dispatch(D, cr.uid, argc, argv, flags & CTL_F_JSON,
				  out);
	}
	fclose(out);
	send_reply(fd, text != NULL ? text : "", len, st);
	free(text);
done:
	free(buf);
	loop_del_fd(L, w); /* closes fd */
}

/* Accept CLI connections (see ctld.h). Loop thread. */
void
ctl_on_accept(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	      void *arg)
{
	struct timeval tv = {.tv_sec = 5};
	int c;

	(void)w;
	(void)revents;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		/* A client that stops reading cannot stall the loop. */
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (loop_add_fd(L, c, POLLIN, LOOP_F_CLOSE, on_client, arg) ==
		    NULL)
			close(c);
	}
}
