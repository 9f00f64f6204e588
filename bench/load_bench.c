/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * load_bench.c - what ixgate-control's load step of a one-member reload
 * costs (issue 12): the config loaded once, then N reloads alternately
 * appending a line to one data file and taking it off again, each loaded
 * as a reload loads it (ctl_config_load_cache: the compile cache, the
 * digest cache, the running spec's ids), the thread CPU time of each step
 * (parse, compile, digest) printed per reload with the medians.
 *
 *   load_bench CONFIG FILE [N] [LINE]
 *
 * CONFIG: the root file of a config (bench/reload_bench.sh's real table:
 * `ixgate-mkconfig --data /work/data --peers 64 --out DIR`, then
 * DIR/ixgate.conf); FILE: the data file to edit (DIR/prefixes/ae.txt:
 * the first, the digest's worst case); N reloads (default 10); LINE
 * (default 100.127.254.0/24). FILE is put back as it was at the end.
 * Under perf (`perf record --call-graph dwarf build/bench/load_bench ...`)
 * the steps' functions are the only work in the process.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "ctld.h"
#include "ixg_conf.h"

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Minor page faults of this process so far. */
static long
minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	b = malloc((size_t)n + 1);
	if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int
spill(const char *path, const char *a, size_t na, const char *line)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fwrite(a, 1, na, f);
	if (line != NULL)
		fprintf(f, "%s\n", line);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	const char *conf, *file, *line = "100.127.254.0/24";
	struct ixg_conf_cache *cache = ixg_conf_cache_new();
	struct ctl_digests *dg = ctl_digests_new();
	struct ctl_config run, next;
	unsigned n = 10, k = 0;
	double p[64], c[64], d[64];
	size_t len;
	char *orig;
	long f0;
	size_t u0, w;

	/* ixgate-control's heap settings (control/daemon/main.c) */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: load_bench CONFIG FILE [N] [LINE]\n");
		return 2;
	}
	conf = argv[1];
	file = argv[2];
	if (argc >= 4)
		n = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc >= 5)
		line = argv[4];
	if (n == 0 || n > 64 || cache == NULL || dg == NULL) {
		fprintf(stderr, "load_bench: N in 1..64\n");
		return 2;
	}
	orig = slurp(file, &len);
	if (orig == NULL) {
		fprintf(stderr, "load_bench: %s: %s\n", file, strerror(errno));
		return 1;
	}
	f0 = minflt();
	u0 = mallinfo2().uordblks;
	if (ctl_config_load_cache(conf, NULL, cache, dg, &run, stderr) < 0)
		return 1;
	/* ... and its warm-up after the first load (control/daemon/main.c) */
	w = ctl_config_heap_warm(&run, cache, u0);
	printf("first load: parse %.1f compile %.1f digest %.1f ms CPU, "
	       "%ld page faults (%zu MiB of heap warmed)\n",
	       run.load.parse_cpu_ms, run.load.compile_cpu_ms,
	       run.load.digest_cpu_ms, minflt() - f0, w >> 20);
	for (unsigned i = 0; i < n; i++) {
		const struct ctl_load_stats *l;

		if (spill(file, orig, len, i % 2 == 0 ? line : NULL) != 0) {
			fprintf(stderr, "load_bench: writing %s failed\n",
				file);
			return 1;
		}
		f0 = minflt();
		if (ctl_config_load_cache(conf, &run.spec, cache, dg, &next,
					  stderr) < 0)
			return 1;
		f0 = minflt() - f0;
		l = &next.load;
		printf("reload %u: parse %.1f compile %.1f digest %.1f ms CPU "
		       "(%u parsed, %u compiled, %u reused), %ld page faults\n",
		       i + 1, l->parse_cpu_ms, l->compile_cpu_ms,
		       l->digest_cpu_ms, l->parsed, l->compiled, l->reused, f0);
		p[k] = l->parse_cpu_ms;
		c[k] = l->compile_cpu_ms;
		d[k++] = l->digest_cpu_ms;
		ctl_config_free(&run);
		run = next;
	}
	spill(file, orig, len, NULL);
	printf("median of %u reloads: parse %.1f compile %.1f digest %.1f ms "
	       "CPU\n",
	       k, median(p, k), median(c, k), median(d, k));
	free(orig);
	ctl_config_free(&run);
	ctl_digests_free(dg);
	ixg_conf_cache_free(cache);
	return 0;
}
