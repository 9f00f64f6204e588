/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - ixgate-control: command line, `check`, privileges, then the
 * event loop (ctld.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctld.h"
#include "ixg_sd.h"
#include "ixg_version.h"

#define DEFAULT_CONFIG "/etc/ixgate/ixgate.conf"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: ixgate-control [--config FILE] [--api-socket PATH] "
		"[--ctl-socket PATH]\n"
		"                      [--audit-log FILE] [--user USER] "
		"[--foreground]\n"
		"       ixgate-control check FILE\n"
		"defaults: --config %s --api-socket %s --ctl-socket %s\n",
		DEFAULT_CONFIG, IXG_API_SOCKET, IXG_CTL_SOCKET);
}

/* The same library call as `ixgate-conf check`. */
static int
check(const char *path)
{
	struct ctl_config cfg;
	char err[4200];

	if (ctl_config_perms(path, err, sizeof(err)) == -EPERM) {
		fprintf(stderr, "ixgate-control: %s\n", err);
		return 1;
	}
	if (ctl_config_load(path, NULL, &cfg, stderr) < 0)
		return 1;
	ctl_config_free(&cfg);
	printf("configuration OK\n");
	return 0;
}

static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (user == NULL || geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		fprintf(stderr, "ixgate-control: no user '%s'\n", user);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "ixgate-control: cannot become %s: %s\n", user,
			strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"api-socket", required_argument, NULL, 'a'},
		{"ctl-socket", required_argument, NULL, 's'},
		{"audit-log", required_argument, NULL, 'l'},
		{"user", required_argument, NULL, 'u'},
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct ctld D;
	const char *audit_path = NULL, *user = NULL;
	char err[4200];
	int o, rc;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-control", stdout);
	if (argc >= 2 && strcmp(argv[1], "check") == 0) {
		if (argc != 3) {
			usage(stderr);
			return 2;
		}
		return check(argv[2]);
	}
	D.st.config_path = DEFAULT_CONFIG;
	D.api_path = IXG_API_SOCKET;
	D.ctl_path = IXG_CTL_SOCKET;
	D.audit_fd = -1;
	D.log = stderr;
	while ((o = getopt_long(argc, argv, "c:a:s:l:u:fh", opts, NULL)) !=
	       -1) {
		switch (o) {
		case 'c': D.st.config_path = optarg; break;
		case 'a': D.api_path = optarg; break;
		case 's': D.ctl_path = optarg; break;
		case 'l': audit_path = optarg; break;
		case 'u': user = optarg; break;
		case 'f': break; /* always in the foreground (systemd) */
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (ctl_config_perms(D.st.config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "ixgate-control: %s; refusing to run\n", err);
		return 1;
	}
	if (ctl_config_load(D.st.config_path, NULL, &D.st.running, stderr) < 0)
		return 1;
	D.st.audit_path = audit_path;
	if (audit_path != NULL) {
		D.audit_fd = open(audit_path,
				  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				  0640);
		if (D.audit_fd < 0) {
			fprintf(stderr, "ixgate-control: %s: %s\n", audit_path,
				strerror(errno));
			return 1;
		}
	}
	D.st.start_unix = time(NULL);
	rc = ctld_start(&D);
	if (rc < 0) {
		fprintf(stderr, "ixgate-control: cannot start: %s (%s)\n",
			strerror(-rc),
			rc == -EADDRINUSE
				? "another ixgate-control serves that socket"
			: rc == -ENOSYS || rc == -EPERM ? "io_uring unavailable"
							: D.ctl_path);
		return 1;
	}
	if (drop_privileges(user) < 0)
		return 1;
	D.uid = getuid();
	fprintf(stderr, "ixgate-control: serving %s, config %s (uid %u)\n",
		D.ctl_path, D.st.config_path, (unsigned)D.uid);
	ixg_sd_ready("serving");
	rc = loop_run(D.loop);
	ctld_stop(&D);
	if (rc < 0) {
		fprintf(stderr, "ixgate-control: event loop: %s\n",
			strerror(-rc));
		return 1;
	}
	return 0;
}
