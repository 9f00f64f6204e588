/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_proto.h - the operator's CLI socket between ixgatectl and
 * ixgate-control (not the dataplane API: that is common/ixg_api.h).
 *
 * AF_UNIX SOCK_SEQPACKET at IXG_CTL_SOCKET, mode 0660, group --ctl-group;
 * the daemon reads the caller's uid and groups with SO_PEERCRED and
 * SO_PEERGROUPS (for the audit log and for the permission check: root or
 * the daemon's uid may change things, members of the socket's group may
 * show, check the config directory's files and ask for status).
 *
 * Request: one message, struct ctl_req_hdr followed by argc NUL-terminated
 * argument strings (e.g. "show", "peer", "viettel"). "help" alone answers
 * the show commands this daemon has, one "  show NAME ARGS  HELP" line
 * each (what `ixgatectl --help` prints).
 * Reply: one or more messages, each a struct ctl_rep_hdr followed by text
 * (human tables, or JSON when the request had CTL_F_JSON); the last one has
 * CTL_R_LAST set and carries the exit status ixgatectl should return
 * (0 ok, 1 error, 2 usage). Errors in JSON mode are JSON objects:
 * {"error": "...", "where": "file:line:col"}.
 * Version 2 requests also get CTL_R_PROGRESS messages (about one a second)
 * while an answer takes time (a commit, a check): a keep-alive whose text
 * says what the daemon is doing; not part of the answer. A version 1
 * request never gets them.
 */
#ifndef IXG_CTL_PROTO_H
#define IXG_CTL_PROTO_H

#include <stdint.h>

#define IXG_CTL_SOCKET "/run/ixgate/control.sock"

/* The commands besides `show` (whose views are the daemon's table in
 * show.c, listed by `ixgatectl show help`): X(usage, what it does). The
 * one list both ixgatectl's --help and the daemon's usage answer print. */
#define IXG_CTL_VERBS(X)                                                       \
	X("status", "the daemon: dataplane, commit job, files, audit log")     \
	X("reload [--confirm-within SECONDS]",                                 \
	  "re-read the config, commit what changed")                           \
	X("reload --reapply",                                                  \
	  "commit files that hold a rolled-back configuration")                \
	X("reload --full", "re-read and re-hash every file (no caches)")       \
	X("confirm", "keep a reload made with --confirm-within")               \
	X("rollback", "commit the previous configuration")                     \
	X("check [FILE]", "validate the config (or FILE), commit nothing")     \
	X("log reopen", "reopen the audit log (after logrotate)")

/* The width of the usage column in both lists. */
#define IXG_CTL_USAGE_WIDTH 34
#define CTL_MAGIC 0x4c544358u /* "XCTL" */
#define CTL_VERSION 2 /* requests of version 1..CTL_VERSION are understood */
#define CTL_MSG_MAX 65536
#define CTL_MAX_ARGS 32

#define CTL_F_JSON 0x1

struct ctl_req_hdr {
	uint32_t magic;
	uint16_t version; /* CTL_VERSION (1: no CTL_R_PROGRESS) */
	uint16_t flags; /* CTL_F_* */
	uint32_t argc;
	uint32_t len; /* whole message */
};

#define CTL_R_LAST 0x1
/* The message ends one frame of a --watch reply (also set with
 * CTL_R_LAST on the last message of any reply). */
#define CTL_R_FRAME 0x2
/* A keep-alive while the answer is being made (version 2): skip it. */
#define CTL_R_PROGRESS 0x4

struct ctl_rep_hdr {
	uint32_t magic;
	uint16_t flags; /* CTL_R_* */
	int16_t status; /* exit status, valid with CTL_R_LAST */
	uint32_t len; /* whole message */
	uint32_t _pad;
};

#endif /* IXG_CTL_PROTO_H */
