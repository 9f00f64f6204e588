/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixf_cmd.c - `ixgate-conf export ixf [options] CONFIG`: the config's
 * members as an IX-F Member Export on stdout (ixf.h, doc/ixf.md).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ixf.h"
#include "ixg_conf.h"

static const char export_usage[] =
	"usage: ixgate-conf export ixf [options] CONFIG\n"
	"  --ixp-id N          ixp_id of the exchange (default 1)\n"
	"  --ixf-id N          its id in the IX-F database (default 0: "
	"none yet)\n"
	"  --ixp-name NAME     shortname (default: the node's name)\n"
	"  --ixp-full-name S   name\n"
	"  --country CC        country (default: the node's)\n"
	"  --url URL           the exchange's web site\n"
	"  --peeringdb-id N    its PeeringDB ix id\n"
	"  --timestamp TIME    export time, YYYY-MM-DDTHH:MM:SSZ (default:\n"
	"                      $SOURCE_DATE_EPOCH if set, else now)\n";

static int
bad(const char *fmt, const char *arg)
{
	fputs("ixgate-conf export: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(export_usage, stderr);
	return 2;
}

static int
parse_num(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < lo || n > hi)
		return -1;
	*v = n;
	return 0;
}

static int
parse_id(const char *s, int64_t lo, int64_t *v)
{
	return parse_num(s, lo, INT32_MAX, v);
}

/* YYYY-MM-DDTHH:MM:SSZ to unix seconds, or -1. */
static int64_t
parse_rfc3339(const char *s)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

int
ixg_ixf_export_cmd(int argc, char **argv)
{
	enum { O_IXP = 256, O_IXF, O_NAME, O_FULL, O_CC, O_URL, O_PDB, O_TS };
	static const struct option lo[] = {
		{"ixp-id", required_argument, NULL, O_IXP},
		{"ixf-id", required_argument, NULL, O_IXF},
		{"ixp-name", required_argument, NULL, O_NAME},
		{"ixp-full-name", required_argument, NULL, O_FULL},
		{"country", required_argument, NULL, O_CC},
		{"url", required_argument, NULL, O_URL},
		{"peeringdb-id", required_argument, NULL, O_PDB},
		{"timestamp", required_argument, NULL, O_TS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ixg_ixf_info info = {.ixp_id = 1};
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	struct ixg_spec spec;
	int c, rc;

	info.timestamp = (int64_t)time(NULL);
	/* reproducible-builds.org: a fixed time for reproducible output. */
	if (epoch != NULL && *epoch != '\0' &&
	    parse_num(epoch, 0, 253402300799LL, &info.timestamp) < 0)
		return bad("SOURCE_DATE_EPOCH '%s' is not a time in seconds",
			   epoch);
	if (argc < 2 || strcmp(argv[1], "ixf") != 0)
		return bad("unknown format '%s' (formats: ixf)",
			   argc < 2 ? "" : argv[1]);
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case O_IXP:
			if (parse_id(optarg, 0, &info.ixp_id) < 0)
				return bad("--ixp-id: expected 0..2147483647, "
					   "got '%s'",
					   optarg);
			break;
		case O_IXF:
			if (parse_id(optarg, 0, &info.ixf_id) < 0)
				return bad("--ixf-id: expected 0..2147483647, "
					   "got '%s'",
					   optarg);
			break;
		case O_PDB:
			if (parse_id(optarg, 1, &info.peeringdb_id) < 0)
				return bad("--peeringdb-id: expected "
					   "1..2147483647, got '%s'",
					   optarg);
			break;
		case O_NAME: info.shortname = optarg; break;
		case O_FULL: info.name = optarg; break;
		case O_URL: info.url = optarg; break;
		case O_CC:
			if (strlen(optarg) != 2 || optarg[0] < 'A' ||
			    optarg[0] > 'Z' || optarg[1] < 'A' ||
			    optarg[1] > 'Z')
				return bad("--country: expected two upper-case "
					   "letters, got '%s'",
					   optarg);
			info.country = optarg;
			break;
		case O_TS:
			info.timestamp = parse_rfc3339(optarg);
			if (info.timestamp < 0)
				return bad("--timestamp: expected "
					   "YYYY-MM-DDTHH:MM:SSZ, got '%s'",
					   optarg);
			break;
		case 'h': fputs(export_usage, stdout); return 0;
		case ':': return bad("%s needs a value", argv[optind - 1]);
		default: return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return bad("%s", optind == argc ? "no CONFIG given"
						: "more than one CONFIG");
	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load(argv[optind], &spec, stderr) < 0)
		return 1;
	rc = ixg_ixf_export(&spec, &info, stdout);
	ixg_spec_free(&spec);
	if (rc < 0) {
		fprintf(stderr, "ixgate-conf export: %s\n",
			rc == -EIO ? "cannot write the output" : strerror(-rc));
		return 1;
	}
	return 0;
}
