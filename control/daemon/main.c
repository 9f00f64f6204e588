/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - ixgate-control: command line, `check`, start-up as root
 * (config, audit log, state directory, CLI socket), then the drop to
 * --user/--group and the event loop (daemon.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctld.h"
#include "exporter.h"
#include "ixg_sd.h"
#include "ixg_version.h"

#define DEFAULT_CONFIG "/etc/ixgate/ixgate.conf"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: ixgate-control [--config FILE] [--api-socket PATH] "
		"[--ctl-socket PATH]\n"
		"                      [--audit-log FILE] [--state-dir DIR] "
		"[--user USER] [--group GROUP]\n"
		"                      [--ctl-group GROUP] [--ctl-max-per-uid "
		"N]\n"
		"                      [--commit-timeout SECONDS] "
		"[--compile-timeout SECONDS] [--foreground]\n"
		"                      [--metrics-listen ADDR:PORT|none]... "
		"[--metrics-tls-cert FILE\n"
		"                       --metrics-tls-key FILE "
		"[--metrics-tls-client-ca FILE]]\n"
		"       ixgate-control check FILE\n"
		"defaults: --config %s --api-socket %s --ctl-socket %s\n"
		"          --state-dir %s --commit-timeout %d "
		"--compile-timeout %d --ctl-max-per-uid 8\n",
		DEFAULT_CONFIG, IXG_API_SOCKET, IXG_CTL_SOCKET, CTLD_STATE_DIR,
		CTLD_COMMIT_TIMEOUT_S, CTLD_COMPILE_TIMEOUT_S);
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

/* A user by name or number: uid and primary gid. */
static int
lookup_user(const char *name, uid_t *uid, gid_t *gid, bool *named)
{
	struct passwd *pw = getpwnam(name);
	char *end;
	unsigned long v;

	if (pw != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		*named = true;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (*name == '\0' || *end != '\0' || v >= (uid_t)-1)
		return -1;
	pw = getpwuid((uid_t)v);
	*uid = (uid_t)v;
	*gid = pw != NULL ? pw->pw_gid : (gid_t)v;
	*named = pw != NULL;
	return 0;
}

static int
lookup_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);
	char *end;
	unsigned long v;

	if (gr != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (*name == '\0' || *end != '\0' || v >= (gid_t)-1)
		return -1;
	*gid = (gid_t)v;
	return 0;
}

/*
 * Become uid/gid with the user's supplementary groups (from /etc/group:
 * the dataplane's API group among them) plus gid. Verified afterwards:
 * root cannot be regained (setuid from root clears every capability).
 */
static int
drop_privileges(const char *user, uid_t uid, gid_t gid, bool named)
{
	gid_t groups[256];
	int n = 256;

	if (named) {
		struct passwd *pw = getpwuid(uid);

		if (pw == NULL ||
		    getgrouplist(pw->pw_name, gid, groups, &n) < 0) {
			fprintf(stderr,
				"ixgate-control: --user %s: more than 256 "
				"groups\n",
				user);
			return -1;
		}
	} else {
		groups[0] = gid;
		n = 1;
	}
	if (setgroups((size_t)n, groups) < 0 || setgid(gid) < 0 ||
	    setuid(uid) < 0) {
		fprintf(stderr, "ixgate-control: cannot become %s: %s\n", user,
			strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		fprintf(stderr,
			"ixgate-control: still root after dropping to %s\n",
			user);
		return -1;
	}
	return 0;
}

/* mkdir -p DIR (0750), owned by uid:gid when we are root. */
static int
make_state_dir(const char *dir, uid_t uid, gid_t gid, bool chown_it)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0750) < 0 && errno != EEXIST)
		return -errno;
	if (chown_it && chown(p, uid, gid) < 0)
		return -errno;
	return 0;
}

static bool
parse_seconds(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"api-socket", required_argument, NULL, 'a'},
		{"ctl-socket", required_argument, NULL, 's'},
		{"audit-log", required_argument, NULL, 'l'},
		{"state-dir", required_argument, NULL, 'd'},
		{"user", required_argument, NULL, 'u'},
		{"group", required_argument, NULL, 'g'},
		{"ctl-group", required_argument, NULL, 'G'},
		{"ctl-max-per-uid", required_argument, NULL, 'm'},
		{"commit-timeout", required_argument, NULL, 'T'},
		{"compile-timeout", required_argument, NULL, 'C'},
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"metrics-listen", required_argument, NULL, 'M'},
		{"metrics-tls-cert", required_argument, NULL, 'M'},
		{"metrics-tls-key", required_argument, NULL, 'M'},
		{"metrics-tls-client-ca", required_argument, NULL, 'M'},
		{NULL, 0, NULL, 0},
	};
	struct exporter_settings xs;
	int li = 0;
	static struct ctld D;
	const char *audit_path = NULL, *user = NULL, *group = NULL,
		   *ctl_group = NULL;
	unsigned commit_s = CTLD_COMMIT_TIMEOUT_S,
		 compile_s = CTLD_COMPILE_TIMEOUT_S, per_uid = 8;
	uid_t uid = 0;
	gid_t gid = 0;
	bool named = false;
	char err[4200];
	size_t in_use;
	int o, rc;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-control", stdout);
	/*
	 * One malloc arena: a compile runs on a task thread, and with an
	 * arena per thread every full-table reload faulted in fresh memory
	 * (bench/control_job_bench.sh, 1.35M routes moving: daemon CPU per
	 * reload 930 -> 620 ms, peak RSS 472 -> 309 MB). The loop thread
	 * allocates little while a task runs: the shared lock costs nothing
	 * measurable.
	 */
	mallopt(M_ARENA_MAX, 1);
	/*
	 * The same for the arrays of a reload's spec (6.8 MB of routes4 on
	 * the real table): served from the heap (up to glibc's 32 MiB mmap
	 * ceiling) and kept there when freed (trimmed past 512 MiB free), so
	 * the next reload reuses pages already mapped instead of faulting in
	 * fresh ones. Compile of the real table through the compile cache,
	 * CPU time on the loaded 2-vCPU VM: 168-221 -> 61-67 ms.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
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
	D.state_dir = CTLD_STATE_DIR;
	D.log = stderr;
	exporter_settings_init(&xs);
	while ((o = getopt_long(argc, argv, "c:a:s:l:d:u:g:G:m:T:C:fh", opts,
				&li)) != -1) {
		switch (o) {
		case 'c': D.st.config_path = optarg; break;
		case 'a': D.api_path = optarg; break;
		case 's': D.ctl_path = optarg; break;
		case 'l': audit_path = optarg; break;
		case 'd':
			D.state_dir = optarg[0] != '\0' ? optarg : NULL;
			break;
		case 'u': user = optarg; break;
		case 'g': group = optarg; break;
		case 'G': ctl_group = optarg; break;
		case 'm':
			if (!parse_seconds(optarg, 64, &per_uid)) {
				fprintf(stderr,
					"ixgate-control: --ctl-max-per-uid "
					"'%s': a number in 1..64\n",
					optarg);
				return 2;
			}
			break;
		case 'T':
			if (!parse_seconds(optarg, 86400, &commit_s)) {
				fprintf(stderr,
					"ixgate-control: --commit-timeout "
					"'%s': seconds in 1..86400\n",
					optarg);
				return 2;
			}
			break;
		case 'C':
			if (!parse_seconds(optarg, 86400, &compile_s)) {
				fprintf(stderr,
					"ixgate-control: --compile-timeout "
					"'%s': seconds in 1..86400\n",
					optarg);
				return 2;
			}
			break;
		case 'f': break; /* always in the foreground (systemd) */
		case 'h': usage(stdout); return 0;
		case 'M':
			if (exporter_settings_option(&xs, opts[li].name, optarg,
						     err, sizeof(err)) < 0) {
				fprintf(stderr, "ixgate-control: %s\n", err);
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	D.commit_timeout_ms = commit_s * 1000;
	D.compile_timeout_ms = compile_s * 1000;
	D.max_per_uid = per_uid;
	if (user != NULL && lookup_user(user, &uid, &gid, &named) < 0) {
		fprintf(stderr, "ixgate-control: --user %s: no such user\n",
			user);
		return 2;
	}
	if (group != NULL && lookup_group(group, &gid) < 0) {
		fprintf(stderr, "ixgate-control: --group %s: no such group\n",
			group);
		return 2;
	}
	if (group != NULL && user == NULL) {
		fprintf(stderr, "ixgate-control: --group goes with --user\n");
		return 2;
	}
	if (ctl_group != NULL) {
		if (lookup_group(ctl_group, &D.ctl_gid) < 0) {
			fprintf(stderr,
				"ixgate-control: --ctl-group %s: no such "
				"group\n",
				ctl_group);
			return 2;
		}
		D.have_ctl_gid = true;
	}
	if (user != NULL && geteuid() != 0 && geteuid() != uid) {
		fprintf(stderr,
			"ixgate-control: --user %s: only root can change "
			"user (running as uid %u)\n",
			user, (unsigned)geteuid());
		return 1;
	}
	if (ctl_config_perms(D.st.config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "ixgate-control: %s; refusing to run\n", err);
		return 1;
	}
	D.conf_cache = ixg_conf_cache_new(); /* NULL: loads go without */
	D.digests = ctl_digests_new(); /* the same */
	in_use = mallinfo2().uordblks;
	if (ctl_config_load_cache(D.st.config_path, NULL, D.conf_cache,
				  D.digests, &D.st.running, stderr) < 0)
		return 1;
	/*
	 * The heap the first two reloads would fault in (two more configs:
	 * the candidate, and the running one kept as previous; the tables
	 * sent sorted, twice), mapped now (config_load.h,
	 * ctl_config_heap_warm). Cost: ~142 MiB warmed (~36k page faults) at
	 * start on the real table; its first two one-member reloads take 33
	 * and 16 page faults (compile 34 and 26, compare 19 and 19 ms CPU at
	 * load ~10, like the later ones), bench/README-reload.md, "Issue 12,
	 * reloads on 4 KiB pages and the build's twins".
	 */
	ctl_config_heap_warm(&D.st.running, D.conf_cache, in_use);
	D.loop = loop_new(256);
	if (D.loop == NULL) {
		fprintf(stderr, "ixgate-control: io_uring: %s\n",
			strerror(errno));
		return 1;
	}
	D.st.audit_path = audit_path;
	if (audit_path != NULL) {
		D.audit = audit_open(D.loop, audit_path, err, sizeof(err));
		if (D.audit == NULL) {
			fprintf(stderr, "ixgate-control: %s\n", err);
			return 1;
		}
		ctld_find_dangling(&D, audit_path);
		/* Reopened after rotation by the user it runs as. */
		if (user != NULL && geteuid() == 0 &&
		    chown(audit_path, uid, gid) < 0) {
			fprintf(stderr, "ixgate-control: chown %s: %s\n",
				audit_path, strerror(errno));
			return 1;
		}
	}
	if (D.state_dir != NULL) {
		rc = make_state_dir(D.state_dir, uid, gid,
				    user != NULL && geteuid() == 0);
		if (rc < 0) {
			fprintf(stderr,
				"ixgate-control: --state-dir %s: %s (copies "
				"of rolled-back files are not kept)\n",
				D.state_dir, strerror(-rc));
			D.state_dir = NULL;
		}
	}
	D.st.start_unix = time(NULL);
	D.uid = user != NULL ? uid : geteuid();
	ctld_load_held(&D);
	rc = ctld_start(&D);
	if (rc < 0) {
		fprintf(stderr, "ixgate-control: cannot start: %s\n",
			strerror(-rc));
		return 1;
	}
	if ((user != NULL && uid != geteuid() &&
	     drop_privileges(user, uid, gid, named) < 0) ||
	    exporter_start(&xs, &D.st) < 0)
		return 1;
	D.uid = geteuid();
	fprintf(stderr,
		"ixgate-control: serving %s, config %s (uid %u gid %u)\n",
		D.ctl_path, D.st.config_path, (unsigned)geteuid(),
		(unsigned)getegid());
	ixg_sd_ready("serving");
	rc = loop_run(D.loop);
	exporter_stop();
	ctld_stop(&D);
	ixg_conf_cache_free(D.conf_cache);
	ctl_digests_free(D.digests);
	if (rc < 0) {
		fprintf(stderr, "ixgate-control: event loop: %s\n",
			strerror(-rc));
		return 1;
	}
	return 0;
}
