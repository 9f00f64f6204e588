/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - ixgate-dataplane: the command line, EAL, and the life of the
 * process (start, the main thread's loop, clean stop), or offline replay.
 *
 * Exit codes: 0 done, 1 the config, a file or the start-up failed (nothing
 * keeps running), 2 a command-line mistake (usage printed).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "api_server.h"
#include "ixg_conf.h"
#include "ixg_heap.h"
#include "conf_sha256.h"
#include "ixg_log.h"
#include "ixg_sd.h"
#include "ixg_version.h"
#include "mono.h"
#include "port.h"
#include "neigh.h"
#include "punt_linux.h"
#include "replay.h"
#include "runtime.h"
#include "stats.h"
#include "telemetry.h"
#include "worker.h"

#define EXIT_USAGE 2
#define MAX_EAL_ARGS 256
#define LOOP_TICK_MS 100 /* main loop wakes up at least every 100 ms */

static const char usage_text[] =
	"usage:\n"
	"  ixgate-dataplane [EAL options] -- --config FILE\n"
	"        [--device PORT=DEVARGS]... [--stats-interval SEC]\n"
	"        [--duration SEC] [--json-out FILE]\n"
	"        [--api-socket PATH | --no-api] [--api-group NAME]\n"
	"        [--api-idle-timeout SEC] [--fib-spares]\n"
	"        [--neigh-reachable-ms MS]\n"
	"  ixgate-dataplane --replay IN.pcap --config FILE [--out OUT.pcap]\n"
	"        [--port NAME] [--trace] [--trace-stages]\n"
	"  ixgate-dataplane --help\n"
	"\n"
	"Forwarding mode (the EAL options come before '--'):\n"
	"  --config FILE          peering config to run (checked first; on "
	"any\n"
	"                         error nothing is started, exit 1)\n"
	"  --device PORT=DEVARGS  replace the device of config port PORT, "
	"e.g.\n"
	"                         "
	"p0=net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap\n"
	"                         (repeatable). Devices starting with 'net_' "
	"are\n"
	"                         handed to EAL as --vdev; PCI addresses are\n"
	"                         probed by EAL as usual (use EAL's -a to\n"
	"                         restrict or pass options to them).\n"
	"  --stats-interval SEC   print the live view every SEC seconds\n"
	"                         (default 0: off)\n"
	"  --duration SEC         stop after SEC seconds (default: until\n"
	"                         SIGINT/SIGTERM)\n"
	"  --json-out FILE        final counters as one JSON object to FILE\n"
	"                         (default: stdout)\n"
	"  --api-socket PATH      serve the control plane's API on PATH\n"
	"                         (default " IXG_API_SOCKET "; its directory\n"
	"                         is created 0700, the socket is 0600)\n"
	"  --api-group NAME       members of group NAME (or GID) may use the "
	"API too\n"
	"                         (socket 0660 and created directories 0750,\n"
	"                         of that group); without it only root and\n"
	"                         the dataplane's own uid may\n"
	"  --api-idle-timeout SEC a client silent for SEC seconds before its\n"
	"                         hello or inside a transaction is\n"
	"                         disconnected, and one idle that long gives\n"
	"                         the API to the next client (default 60;\n"
	"                         0: never)\n"
	"  --no-api               no API socket: run the --config tables only\n"
	"  --neigh-reachable-ms MS  a learned neighbour is probed again MS\n"
	"                         after its last confirmation (100..3600000,\n"
	"                         default 30000: Linux's base_reachable_time)\n"
	"  --fib-spares           keep a second copy of each large FIB so a\n"
	"                         changed prefix list patches it instead of\n"
	"                         repainting it (saves ~20-60 ms per changed\n"
	"                         FIB on a full table, doubles FIB memory;\n"
	"                         the default; --no-fib-spares: one copy)\n"
	"  One worker runs on every EAL lcore but the main one: give at least\n"
	"  two (e.g. -l 0,1).\n"
	"\n"
	"Replay mode (no ports, no workers, EAL set up internally):\n"
	"  --replay IN.pcap       run the pipeline over a capture (pcap or "
	"pcapng)\n"
	"  --out OUT.pcap         write what would leave the node\n"
	"  --port NAME            config port the capture arrived on\n"
	"                         (default: the first port)\n"
	"  --trace                one line per packet on stderr\n"
	"  --trace-stages         --trace, each line ending with the stage\n"
	"                         that decided (stage=parse, ...)\n"
	"\n"
	"Exit status: 0 ok, 1 config/file/start-up error, 2 usage error.\n";

struct opts {
	const char *config;
	uint8_t config_sha256[32]; /* of --config's files (conf_sha256.h) */
	const char *replay;
	const char *out;
	const char *port;
	bool trace;
	bool trace_stages;
	const char *json_out;
	double stats_interval;
	double duration;
	const char *api_socket;
	bool no_api;
	const char *api_group;
	double api_idle_timeout;
	uint32_t neigh_reachable_ms; /* 0: the table's default */
	bool fib_spares;
	unsigned n_devices;
	const char *devices[IXG_MAX_PORTS];
};

/* rte_eal_init failed: EAL said why above; rte_errno is not always set
 * (a held --file-prefix lock leaves it 0, "Success"). */
static void
eal_init_failed(void)
{
	if (rte_errno != 0)
		fprintf(stderr, "ixgate-dataplane: EAL init failed: %s\n",
			rte_strerror(rte_errno));
	else
		fprintf(stderr, "ixgate-dataplane: EAL init failed (see the "
				"EAL messages above; e.g. another process "
				"uses the same --file-prefix)\n");
}

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
usage(FILE *out)
{
	fputs(usage_text, out);
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "ixgate-dataplane: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return -EXIT_USAGE;
}

static int
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
	    v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* Parse the application arguments (those after "--", or all of them when
 * there is no "--"). 0, 1 for --help, or -EXIT_USAGE. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		OPT_CONFIG = 256,
		OPT_DEVICE,
		OPT_STATS,
		OPT_DURATION,
		OPT_JSON,
		OPT_REPLAY,
		OPT_OUT,
		OPT_PORT,
		OPT_TRACE,
		OPT_TRACE_STAGES,
		OPT_API_SOCKET,
		OPT_NO_API,
		OPT_API_GROUP,
		OPT_API_IDLE,
		OPT_NEIGH_REACHABLE,
		OPT_NO_FIB_SPARES,
		OPT_FIB_SPARES,
	};
	static const struct option longopts[] = {
		{"config", required_argument, NULL, OPT_CONFIG},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"stats-interval", required_argument, NULL, OPT_STATS},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"json-out", required_argument, NULL, OPT_JSON},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{"out", required_argument, NULL, OPT_OUT},
		{"port", required_argument, NULL, OPT_PORT},
		{"trace", no_argument, NULL, OPT_TRACE},
		{"trace-stages", no_argument, NULL, OPT_TRACE_STAGES},
		{"api-socket", required_argument, NULL, OPT_API_SOCKET},
		{"no-api", no_argument, NULL, OPT_NO_API},
		{"api-group", required_argument, NULL, OPT_API_GROUP},
		{"api-idle-timeout", required_argument, NULL, OPT_API_IDLE},
		{"neigh-reachable-ms", required_argument, NULL,
		 OPT_NEIGH_REACHABLE},
		{"no-fib-spares", no_argument, NULL, OPT_NO_FIB_SPARES},
		{"fib-spares", no_argument, NULL, OPT_FIB_SPARES},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool live_opt = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': return 1;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_DEVICE:
			if (strchr(optarg, '=') == NULL || optarg[0] == '=' ||
			    strchr(optarg, '=')[1] == '\0')
				return usage_error(
					"--device wants PORT=DEVARGS, got '%s'",
					optarg);
			if (o->n_devices == IXG_MAX_PORTS)
				return usage_error("too many --device (%s)",
						   optarg);
			o->devices[o->n_devices++] = optarg;
			live_opt = true;
			break;
		case OPT_STATS:
			if (parse_seconds(optarg, &o->stats_interval) < 0)
				return usage_error(
					"--stats-interval: not a number of "
					"seconds: '%s'",
					optarg);
			live_opt = true;
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, &o->duration) < 0)
				return usage_error(
					"--duration: not a number of seconds: "
					"'%s'",
					optarg);
			live_opt = true;
			break;
		case OPT_JSON:
			o->json_out = optarg;
			live_opt = true;
			break;
		case OPT_REPLAY: o->replay = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_PORT: o->port = optarg; break;
		case OPT_TRACE: o->trace = true; break;
		case OPT_TRACE_STAGES: o->trace_stages = true; break;
		case OPT_API_SOCKET:
			if (optarg[0] == '\0')
				return usage_error("%s",
						   "--api-socket wants a path");
			o->api_socket = optarg;
			live_opt = true;
			break;
		case OPT_NO_API:
			o->no_api = true;
			live_opt = true;
			break;
		case OPT_API_GROUP:
			if (optarg[0] == '\0')
				return usage_error("%s",
						   "--api-group wants a group");
			o->api_group = optarg;
			live_opt = true;
			break;
		case OPT_API_IDLE:
			if (parse_seconds(optarg, &o->api_idle_timeout) < 0 ||
			    o->api_idle_timeout > 86400 * 365 ||
			    o->api_idle_timeout !=
				    (unsigned)o->api_idle_timeout)
				return usage_error(
					"--api-idle-timeout: not a whole "
					"number of seconds: '%s'",
					optarg);
			live_opt = true;
			break;
		case OPT_NEIGH_REACHABLE: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || v < 100 || v > 3600000)
				return usage_error(
					"--neigh-reachable-ms: not a whole "
					"number of milliseconds in "
					"100..3600000: '%s'",
					optarg);
			o->neigh_reachable_ms = (uint32_t)v;
			live_opt = true;
			break;
		}
		case OPT_NO_FIB_SPARES:
		case OPT_FIB_SPARES:
			o->fib_spares = c == OPT_FIB_SPARES;
			live_opt = true;
			break;
		case ':':
			return usage_error("option %s needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(
				"unknown option '%s' (EAL options go before "
				"'--')",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	/* glibc keeps getopt state between calls; optind 0 resets it for
	 * rte_eal_init's own getopt_long. */
	optind = 0;
	if (o->config == NULL)
		return usage_error("%s", "--config FILE is required");
	if (o->replay != NULL && live_opt)
		return usage_error("%s",
				   "--replay takes no --device, "
				   "--stats-interval, --duration, --json-out, "
				   "--api-* or --no-api");
	if ((o->api_socket != NULL || o->api_group != NULL) && o->no_api)
		return usage_error("%s", "--api-socket and --api-group exclude "
					 "--no-api");
	if (o->replay == NULL &&
	    (o->out || o->port || o->trace || o->trace_stages))
		return usage_error("%s", "--out, --port, --trace and "
					 "--trace-stages need --replay");
	return 0;
}

/* --device PORT=DEVARGS replaces the devargs of config port PORT. */
static int
apply_devices(const struct opts *o, struct ixg_spec *spec)
{
	unsigned i, j;

	for (i = 0; i < o->n_devices; i++) {
		const char *eq = strchr(o->devices[i], '=');
		size_t nlen = (size_t)(eq - o->devices[i]);
		bool found = false;

		for (j = 0; j < spec->n_ports; j++) {
			struct ixg_spec_port *p = &spec->ports[j];

			if (strlen(p->name) != nlen ||
			    strncmp(p->name, o->devices[i], nlen) != 0)
				continue;
			if (strlen(eq + 1) >= sizeof(p->devargs)) {
				fprintf(stderr,
					"--device %s: devargs longer "
					"than %zu bytes\n",
					o->devices[i], sizeof(p->devargs) - 1);
				return -EXIT_USAGE;
			}
			snprintf(p->devargs, sizeof(p->devargs), "%s", eq + 1);
			found = true;
		}
		if (!found) {
			fprintf(stderr,
				"--device %s: the config has no port "
				"'%.*s'\n",
				o->devices[i], (int)nlen, o->devices[i]);
			return -EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * EAL creates /var/run/dpdk/<prefix>/ even with --no-shconf, and leaves it.
 * A process that shares nothing removes it on the way out, so runs with a
 * per-pid prefix do not pile up directories. Call after rte_eal_cleanup.
 */
static void
remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
		    (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * EAL memory for replay, from the shape of the tables (--no-huge memory is
 * only touched as it is used, so a generous figure costs little): three
 * IPv4 roots of 64 MiB (routes, sources, countries; lpm.h); at most one
 * 1 KiB group per IPv4 prefix longer than /24 and, for IPv6, per 8 bits of
 * prefix beyond the 16-bit root (an upper bound: siblings share groups);
 * then 50% headroom and 512 MiB for mbufs, ACL, hash, meters and the
 * sorted content the FIBs are built from. IXG_REPLAY_MEM_MB overrides it.
 */
static uint64_t
fib6_kib(const uint8_t *len, size_t stride, uint32_t n)
{
	uint64_t kib = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		unsigned l = len[(size_t)i * stride];

		kib += l > 16 ? (l - 16 + 7) / 8 : 0;
	}
	return kib;
}

static uint64_t
fib4_kib(const uint8_t *len, size_t stride, uint32_t n)
{
	uint64_t kib = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		kib += len[(size_t)i * stride] > 24;
	return kib;
}

/* KiB of table t's FIB from its prefix lengths; an empty table's array is
 * NULL and no pointer is formed from it. */
#define TABLE_KIB(fn, t)                                                       \
	(spec->n_##t > 0 ? fn(&spec->t[0].len, sizeof(*spec->t), spec->n_##t)  \
			 : 0)

static unsigned
replay_memory_mb(const struct ixg_spec *spec)
{
	const char *env = getenv("IXG_REPLAY_MEM_MB");
	uint64_t kib = 3 * 64 * 1024;

	if (env != NULL && atoi(env) > 0)
		return (unsigned)atoi(env);
	kib += TABLE_KIB(fib4_kib, routes4) + TABLE_KIB(fib4_kib, sources4) +
	       TABLE_KIB(fib4_kib, country4) + TABLE_KIB(fib6_kib, routes6) +
	       TABLE_KIB(fib6_kib, sources6) + TABLE_KIB(fib6_kib, country6);
#undef TABLE_KIB
	return (unsigned)(512 + kib * 3 / 2 / 1024);
}

static int
run_replay(const char *prog, const struct opts *o, struct ixg_spec *spec)
{
	char prefix[64], rundir[PATH_MAX], mem[16];
	char *eal_argv[] = {
		(char *)(uintptr_t)prog,
		"--no-huge",
		"-m",
		mem,
		/* 22.11 refuses --in-memory with --no-huge (which implies
		 * legacy memory); --no-shconf keeps /var/run clean as well. */
		"--no-shconf",
		"--no-pci",
		"--no-telemetry",
		"--log-level=*:warning",
		"-l",
		"0",
		prefix,
		NULL,
	};
	struct replay_opts ro = {
		.in_path = o->replay,
		.out_path = o->out,
		.trace = o->trace || o->trace_stages,
		.trace_stages = o->trace_stages,
		.port_name = o->port,
	};
	int rc;

	snprintf(prefix, sizeof(prefix), "--file-prefix=ixg-replay-%d",
		 (int)getpid());
	snprintf(mem, sizeof(mem), "%u", replay_memory_mb(spec));
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		eal_init_failed();
		return 1;
	}
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rc = replay_run(spec, &ro);
	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	return rc == 0 ? 0 : 1;
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sum_counters(const struct runtime *rt, struct ixg_lcore_counters *total)
{
	struct ixg_lcore_counters *blocks[IXG_MAX_WORKERS + 1];

	memset(total, 0, sizeof(*total));
	runtime_counter_blocks(rt, blocks);
	stats_sum(blocks, rt->n_blocks, total);
}

/* Main thread's loop until a signal or --duration: the API socket (if
 * any), clock for the workers, blackhole expiry, the live view. */
/*
 * Between API events, give one FIB of the running snapshot a warm spare
 * (fibrec.h), so that the next prefix-list change is patched, not rebuilt.
 * One FIB per tick: a commit waits for at most one copy. A failure (memory)
 * is reported once per generation and not retried until the next commit.
 */
static void
warm_spares(struct runtime *rt, uint64_t *failed_gen)
{
	uint64_t t0;
	long faults;
	int rc;

	if (*failed_gen == rt->generation)
		return;
	t0 = ixg_mono_ns();
	faults = ixg_thread_minflt();
	rc = tables_warm_one(rt->tables);
	if (rc > 0 && rt->log_builds)
		fprintf(stderr,
			"ixgate-dataplane: a spare FIB warmed in %.1f ms (%ld "
			"page faults): %u spares, %zu MiB\n",
			(double)(ixg_mono_ns() - t0) / 1e6,
			ixg_thread_minflt() - faults, fibrec_spares(),
			fibrec_spare_bytes() >> 20);
	if (rc < 0) {
		*failed_gen = rt->generation;
		fprintf(stderr,
			"ixgate-dataplane: no warm spare FIB for "
			"generation %" PRIu64 ": %s (the next change of "
			"that table rebuilds it)\n",
			rt->generation, rte_strerror(-rc));
	}
}

/*
 * The neighbour table's member-level failures (neigh_down_get) into the
 * published snapshot's hops (tables_neigh_down), logged when they change.
 * Main thread: the one that publishes and applies PEER_DOWN, so the three
 * never race on the hops and ECMP slots. Every loop tick (100 ms).
 */
static void
neigh_down_sync(struct runtime *rt)
{
	uint64_t down[2][IXG_MAX_PEERS / 64];
	struct tables_down_change ch;

	if (rt->neigh == NULL || rt->tables == NULL || rt->spec == NULL)
		return;
	neigh_down_get(rt->neigh, down);
	if (memcmp(down, rt->tables->neigh_down, sizeof(down)) == 0)
		return;
	for (unsigned f = 0; f < 2; f++)
		for (unsigned w = 0; w < IXG_MAX_PEERS / 64; w++)
			for (uint64_t m =
				     down[f][w] ^ rt->tables->neigh_down[f][w];
			     m != 0; m &= m - 1) {
				unsigned p = w * 64 +
					     (unsigned)__builtin_ctzll(m);
				const struct ixg_spec_peer *sp = NULL;
				char addr[INET6_ADDRSTRLEN] = "?";

				for (uint32_t i = 0; i < rt->spec->n_peers; i++)
					if (rt->spec->peers[i].id == p)
						sp = &rt->spec->peers[i];
				if (sp != NULL)
					inet_ntop(
						f == 0 ? AF_INET : AF_INET6,
						f == 0 ? (const void *)sp->nh4
						       : (const void *)sp->nh6,
						addr, sizeof(addr));
				fprintf(stderr,
					"neighbours: %s (peer %u) IPv%u next "
					"hop %s: %s\n",
					sp != NULL ? sp->name : "?", p,
					f == 0 ? 4 : 6, addr,
					down[f][w] >> (p % 64) & 1u
						? "UNREACHABLE (no answer to "
						  "its probes); its kernel "
						  "routes of the family stop "
						  "forwarding (peer_down)"
						: "answers again");
			}
	tables_neigh_down(rt->tables, rt->spec, down, &ch);
	fprintf(stderr,
		"neighbours: IPv4 %u unreachable %u back, IPv6 %u unreachable "
		"%u back; %u ECMP groups repainted (%u slots)\n",
		ch.went_down[0], ch.came_up[0], ch.went_down[1], ch.came_up[1],
		ch.groups, ch.slots);
}

static void
main_loop(struct runtime *rt, const struct opts *o, struct api_server *api)
{
	struct ixg_lcore_counters *cur = NULL, *prev = NULL;
	double start = mono_now(), last_view = start;
	bool tty = isatty(STDOUT_FILENO);
	uint64_t warm_failed = 0;
	char err[512];

	if (o->stats_interval > 0) {
		cur = calloc(1, sizeof(*cur));
		prev = calloc(1, sizeof(*prev));
		if (cur == NULL || prev == NULL)
			fprintf(stderr, "live view disabled: out of memory\n");
	}
	while (!got_signal) {
		struct pollfd pfd[2];
		unsigned npfd = api != NULL ? api_server_pollfds(api, pfd) : 0;
		int64_t now_unix;
		double now;

		/* EINTR (a signal) just ends this wait early. */
		if (poll(pfd, npfd, LOOP_TICK_MS) < 0)
			npfd = 0;
		if (api != NULL)
			api_server_service(api, pfd, npfd);
		neigh_down_sync(rt);
		now_unix = (int64_t)time(NULL);
		__atomic_store_n(&rt->now_unix, now_unix, __ATOMIC_RELAXED);
		samples_drain(rt);
		now = mono_now();
		if (o->duration > 0 && now - start >= o->duration)
			break;
		if (rt->next_expiry != 0 && now_unix >= rt->next_expiry) {
			if (tables_publish(rt, err, sizeof(err)) == 0)
				fprintf(stderr,
					"blackhole expired: tables generation "
					"%" PRIu64 "\n",
					rt->generation);
			else {
				fprintf(stderr,
					"rebuild after blackhole expiry "
					"failed, keeping generation %" PRIu64
					": %s\n",
					rt->generation, err);
				rt->next_expiry = 0;
			}
		}
		warm_spares(rt, &warm_failed);
		if (cur != NULL && prev != NULL &&
		    now - last_view >= o->stats_interval) {
			struct ixg_lcore_counters *t;

			sum_counters(rt, cur);
			if (tty)
				fputs("\033[H\033[2J", stdout);
			else
				fputs("\n", stdout);
			if (api == NULL)
				fputs("control plane: none (--no-api)\n",
				      stdout);
			else if (runtime_headless(rt))
				fprintf(stdout,
					"control plane: HEADLESS, "
					"forwarding with generation "
					"%" PRIu64 "\n",
					runtime_generation(rt));
			else
				fputs("control plane: connected\n", stdout);
			stats_print_view(cur, last_view == start ? NULL : prev,
					 now - last_view, rt->spec,
					 runtime_generation(rt), stdout);
			fflush(stdout);
			t = prev;
			prev = cur;
			cur = t;
			last_view = now;
		}
	}
	free(cur);
	free(prev);
}

/* After each publish: the exception path's interfaces follow the tables
 * (rt->on_publish). Main thread. */
static void
on_publish(struct runtime *rt)
{
	punt_sync(rt->punt);
}

static bool
eal_args_have(int argc, char **argv, const char *opt)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], opt) == 0)
			return true;
	return false;
}

/* Final report: counters as JSON, the invariant on stderr. */
static int
final_report(struct runtime *rt, FILE *json)
{
	struct ixg_lcore_counters *total = calloc(1, sizeof(*total));
	uint64_t drops;
	bool ok;

	if (total == NULL)
		return -ENOMEM;
	sum_counters(rt, total);
	stats_print_json(total, rt->spec, json);
	fflush(json);
	drops = stats_drops_total(total);
	ok = total->rx_packets ==
	     total->tx_packets + total->local_packets + total->punted + drops;
	fprintf(stderr,
		"invariant rx == tx + local + punted + drops: %" PRIu64
		" == %" PRIu64 " + %" PRIu64 " + %" PRIu64 " + %" PRIu64
		": %s\n",
		total->rx_packets, total->tx_packets, total->local_packets,
		total->punted, drops, ok ? "ok" : "VIOLATED");
	free(total);
	return 0;
}

/*
 * `spec` (the --config bootstrap, --device applied) moves to the heap and
 * into the runtime: commits replace it. `conf_ports` is the config's port
 * table before --device (taken over). The caller's spec is left empty.
 */
static int
run_live(int eal_argc, char **eal_argv_in, const struct opts *o,
	 struct ixg_spec *spec, struct ixg_spec_port *conf_ports)
{
	static char *eal_argv[MAX_EAL_ARGS];
	static char vdev_args[IXG_MAX_PORTS][IXG_DEVARGS_LEN + 8];
	struct runtime rt;
	struct api_server *api = NULL;
	FILE *json = stdout;
	char err[512], rundir[PATH_MAX];
	int argc = 0, i, rc, status = 1;
	unsigned p;

	memset(&rt, 0, sizeof(rt));
	rt.counters_fd = -1;
	rt.sample_cursors_fd = -1;
	rt.counters_ro_fd = -1;
	rt.headless = true;
	/* Running --config's files: a control plane on the same files
	 * adopts these tables (same digest) instead of committing them. */
	memcpy(rt.config_sha256, o->config_sha256, sizeof(rt.config_sha256));
	rt.conf_ports = conf_ports;
	rt.n_conf_ports = spec->n_ports;
	rt.spec = malloc(sizeof(*rt.spec));
	if (rt.spec == NULL) {
		free(conf_ports);
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	*rt.spec = *spec;
	memset(spec, 0, sizeof(*spec));
	spec = rt.spec;
	pthread_mutex_init(&rt.spec_lock, NULL);

	if (eal_argc + (int)spec->n_ports + 1 > MAX_EAL_ARGS) {
		fprintf(stderr, "too many EAL arguments\n");
		status = EXIT_USAGE;
		goto out_spec;
	}
	for (i = 0; i < eal_argc; i++)
		eal_argv[argc++] = eal_argv_in[i];
	for (p = 0; p < spec->n_ports; p++) {
		if (!port_devargs_is_vdev(spec->ports[p].devargs))
			continue;
		snprintf(vdev_args[p], sizeof(vdev_args[p]), "--vdev=%s",
			 spec->ports[p].devargs);
		eal_argv[argc++] = vdev_args[p];
	}
	eal_argv[argc] = NULL;
	rt.in_memory = eal_args_have(argc, eal_argv, "--in-memory") ||
		       eal_args_have(argc, eal_argv, "--no-shconf");

	if (o->json_out != NULL) {
		json = fopen(o->json_out, "w");
		if (json == NULL) {
			fprintf(stderr, "--json-out %s: %s\n", o->json_out,
				strerror(errno));
			goto out_spec;
		}
	}

	if (rte_eal_init(argc, eal_argv) < 0) {
		eal_init_failed();
		goto out_json;
	}
	rt.n_workers = rte_lcore_count() - 1;
	if (rt.n_workers == 0) {
		fprintf(stderr,
			"ixgate-dataplane: only one lcore: workers run on "
			"every lcore but the main one, give at least two "
			"(e.g. -l 0,1)\n");
		status = EXIT_USAGE;
		goto out_eal;
	}
	if (rt.n_workers > IXG_MAX_WORKERS) {
		fprintf(stderr, "ixgate-dataplane: %u workers, at most %u\n",
			rt.n_workers, IXG_MAX_WORKERS);
		status = EXIT_USAGE;
		goto out_eal;
	}
	rt.start_unix = (uint64_t)time(NULL);
	rt.now_unix = (int64_t)rt.start_unix;

	rc = counters_create(&rt, rt.n_workers + 1);
	if (rc < 0) {
		fprintf(stderr, "counters region: %s\n", strerror(-rc));
		goto out_eal;
	}
	rc = ports_open(&rt);
	if (rc < 0)
		goto out_ports;
	counters_describe_ports(&rt);
	rc = workers_init(&rt);
	if (rc < 0) {
		fprintf(stderr, "workers: %s\n", strerror(-rc));
		goto out_ports;
	}
	rc = samples_create(&rt);
	if (rc < 0) {
		fprintf(stderr, "sample channel: %s\n", strerror(-rc));
		goto out_ports;
	}
	/* without the API no commit comes: no spare to keep */
	fibrec_set_spares(o->fib_spares && !o->no_api);
	rt.log_builds = true;
	/* The neighbour table before the punt thread that polls it, and
	 * before the first publish that applies it (neigh.h). */
	{
		struct neigh_params np;

		neigh_params_default(&np);
		if (o->neigh_reachable_ms != 0)
			np.reachable_ms = o->neigh_reachable_ms;
		rt.neigh = neigh_create(rt.n_workers, &np,
					&rt.counters[rt.n_workers]);
	}
	if (rt.neigh == NULL) {
		fprintf(stderr, "neighbour table: out of memory\n");
		goto out_ports;
	}
	for (p = 0; p < rt.n_workers; p++)
		rt.workers[p].ctx.neigh_obs = neigh_ring(rt.neigh, p);
	rt.punt = punt_create(&rt, rt.n_workers);
	if (rt.punt == NULL)
		goto out_ports;
	rt.on_publish = on_publish;
	rc = tables_publish(&rt, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "tables: %s\n", err[0] ? err : strerror(-rc));
		goto out_ports;
	}
	if (!o->no_api) {
		struct api_server_opts ao = {
			.path = o->api_socket != NULL ? o->api_socket
						      : IXG_API_SOCKET,
			.idle_timeout_s = (unsigned)o->api_idle_timeout,
		};

		if (o->api_group != NULL) {
			struct group *g = getgrnam(o->api_group);
			char *end;
			unsigned long gid = strtoul(o->api_group, &end, 10);

			/* A name, or a numeric gid (as chown(1) takes). */
			if (g == NULL && end != o->api_group && *end == '\0' &&
			    gid < UINT32_MAX) {
				ao.group_set = true;
				ao.gid = (gid_t)gid;
				ao.group_name = o->api_group;
			} else if (g == NULL) {
				fprintf(stderr,
					"ixgate-dataplane: --api-group %s: no "
					"such group\n",
					o->api_group);
				goto out_ports;
			} else {
				ao.group_set = true;
				ao.gid = g->gr_gid;
				ao.group_name = o->api_group;
			}
		}
		api = api_server_create(&rt, &ao);
		/* Asked for by name, the socket is essential; the default
		 * one may be taken by another dataplane on this host. */
		if (api == NULL && o->api_socket != NULL)
			goto out_ports;
		if (api == NULL)
			fprintf(stderr, "ixgate-dataplane: WARNING: no API "
					"socket: running without a control "
					"plane (give --api-socket PATH, or "
					"--no-api to silence this)\n");
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	telemetry_init(&rt);
	rc = workers_launch(&rt);
	if (rc < 0)
		goto out_workers;
	fprintf(stderr,
		"ixgate-dataplane: node %s, tables generation %" PRIu64
		", %u worker(s), counters memfd %d (%zu bytes)\n",
		spec->node.name, rt.generation, rt.n_workers, rt.counters_fd,
		rt.counters_size);
	if (api != NULL)
		fprintf(stderr, "ixgate-dataplane: API on %s\n",
			o->api_socket != NULL ? o->api_socket : IXG_API_SOCKET);
	fflush(stdout);
	ixg_sd_ready("forwarding");

	main_loop(&rt, o, api);
	status = 0;
out_workers:
	api_server_destroy(api);
	api = NULL;
	workers_stop(&rt);
	telemetry_fini();
	rt.on_publish = NULL;
	punt_destroy(rt.punt);
	rt.punt = NULL;
	ports_close(&rt);
	if (status == 0) {
		if (got_signal)
			fprintf(stderr, "stopping on signal %d\n",
				(int)got_signal);
		final_report(&rt, json);
	}
out_ports:
	api_server_destroy(api);
	punt_destroy(rt.punt); /* the workers never ran */
	rt.punt = NULL;
	ports_close(&rt);
	tables_free(rt.tables);
	neigh_destroy(rt.neigh);
	rt.neigh = NULL;
	fibrec_drop_spares();
	rte_free(rt.workers);
	rte_free(rt.qsbr);
	samples_destroy(&rt);
	counters_destroy(&rt);
out_eal:
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (rt.in_memory)
		remove_runtime_dir(rundir);
out_json:
	if (json != stdout && fclose(json) != 0 && status == 0) {
		fprintf(stderr, "--json-out %s: %s\n", o->json_out,
			strerror(errno));
		status = 1;
	}
out_spec:
	pthread_mutex_destroy(&rt.spec_lock);
	runtime_spec_free(&rt);
	return status;
}

int
main(int argc, char **argv)
{
	struct ixg_spec_port *conf_ports = NULL;
	struct opts o;
	struct ixg_spec spec;
	int sep, eal_argc, rc;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-dataplane", stdout);
	rte_openlog_stream(
		ixg_log_journal_stream(rte_log_cur_msg_loglevel, -1));
	memset(&o, 0, sizeof(o));
	o.api_idle_timeout = API_IDLE_TIMEOUT_S;
	/* Warm spares on: a one-member reload patches route4 and sav4 over
	 * its prefixes (~1 ms) instead of painting both (~22 ms each on the
	 * real table, quiet machine): issue 12's 100 ms reload. The peak
	 * memory of a commit that changes a FIB is the same (old + new);
	 * what spares add is the copies of the FIBs a commit leaves alone,
	 * and they are dropped before a commit is refused for memory
	 * (runtime_publish_if). Cost: one-member reload on the real table,
	 * dataplane build median 17-24 ms (169-334 painted), `DATA=/work/data
	 * bench/reload_bench.sh --mem huge --scenarios real --reloads 6
	 * --hugepages 1400` at load ~11 (bench/README-reload.md, "Reload:
	 * warm spares by default"). */
	o.fib_spares = true;
	/*
	 * A commit's control-thread arrays (the route and source contents
	 * of 565k prefixes, 4.5-6.8 MB each) from the heap and kept there
	 * when freed, so the next commit reuses mapped pages instead of
	 * faulting fresh ones in (and unmapping them): as ixgate-control's
	 * main.c does for its spec arrays.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep < argc) {
		/* argv[sep] becomes the app's argv[0]. */
		eal_argc = sep;
		argv[sep] = argv[0];
		rc = parse_args(argc - sep, argv + sep, &o);
	} else {
		eal_argc = 1;
		rc = parse_args(argc, argv, &o);
	}
	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (rc < 0)
		return EXIT_USAGE;

	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load_sha256(o.config, NULL, &spec, o.config_sha256,
				 stderr) < 0)
		return 1;
	if (o.replay == NULL && spec.n_ports > 0) {
		conf_ports = malloc(spec.n_ports * sizeof(*conf_ports));
		if (conf_ports == NULL) {
			ixg_spec_free(&spec);
			fprintf(stderr, "out of memory\n");
			return 1;
		}
		memcpy(conf_ports, spec.ports,
		       spec.n_ports * sizeof(*conf_ports));
	}
	rc = apply_devices(&o, &spec);
	if (rc < 0) {
		free(conf_ports);
		ixg_spec_free(&spec);
		return EXIT_USAGE;
	}
	if (o.replay != NULL) {
		if (eal_argc > 1)
			fprintf(stderr, "note: EAL options are ignored with "
					"--replay\n");
		rc = run_replay(argv[0], &o, &spec);
	} else {
		rc = run_live(eal_argc, argv, &o, &spec, conf_ports);
	}
	ixg_spec_free(&spec);
	return rc;
}
