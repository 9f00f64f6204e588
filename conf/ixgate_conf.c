/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgate-conf - check, print and summarise an ixgate config.
 *
 *   ixgate-conf check FILE   parse, validate and compile; "configuration OK"
 *   ixgate-conf print FILE   the canonical form (includes merged)
 *   ixgate-conf dump FILE    what the compiled spec holds
 *   ixgate-conf export ixf [options] FILE   members as IX-F JSON (ixf.c)
 *
 * Diagnostics go to stderr. Exit status: 0 fine, 1 config errors, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "ixf.h"
#include "ixg_conf.h"
#include "ixg_version.h"

/* One subcommand: parse FILE, then run(c) on the parsed config. */
struct command {
	const char *name;
	const char *help;
	int (*run)(const char *path, struct ixg_conf *c, struct ixg_diags *d);
};

static const struct command commands[];

static int
usage(FILE *out)
{
	const struct command *k;

	for (k = commands; k->name != NULL; k++)
		fprintf(out, "%s ixgate-conf %-5s FILE   %s\n",
			k == commands ? "usage:" : "      ", k->name, k->help);
	fprintf(out, "       ixgate-conf export ixf [options] FILE   the "
		     "members as IX-F Member Export JSON\n");
	return out == stdout ? 0 : 2;
}

static void
fail_summary(const char *path, const struct ixg_diags *d)
{
	unsigned n = ixg_diags_errors(d);

	ixg_diags_print(d, stderr);
	fprintf(stderr, "%s: %u error%s; configuration NOT loaded\n", path, n,
		n == 1 ? "" : "s");
}

static const char *
peer_name(const struct ixg_spec *s, uint16_t id)
{
	for (uint32_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].id == id)
			return s->peers[i].name;
	return "?";
}

/*
 * The next-hop groups of the route blocks, each in the config's own
 * syntax (a `route PREFIX { ... }` block's body re-parses to the same
 * group: members sorted by peer id, weights divided by their greatest
 * common divisor, "weight 1" left out as the default), then how many
 * routes of each family name it and the first block's file:line:col.
 */
static void
dump_groups(const struct ixg_conf *c, const struct ixg_spec *s)
{
	printf("nhgroups %u\n", s->n_nhgroups);
	for (uint32_t i = 0; i < s->n_nhgroups; i++) {
		const struct ixg_spec_nhgroup *g = &s->nhgroups[i];
		uint16_t nh = (uint16_t)(IXG_NH_GROUP | g->id);
		uint32_t n4 = 0, n6 = 0;
		char where[256];

		for (uint32_t k = 0; k < s->n_routes4; k++)
			n4 += s->routes4[k].peer_id == nh;
		for (uint32_t k = 0; k < s->n_routes6; k++)
			n6 += s->routes6[k].peer_id == nh;
		printf("  group %u {", g->id);
		for (unsigned m = 0; m < g->n_members; m++) {
			printf(" via %s", peer_name(s, g->peer_id[m]));
			if (g->weight[m] != 1)
				printf(" weight %u", g->weight[m]);
			putchar(';');
		}
		if (ixg_conf_origin(c, g->origin, where, sizeof(where)) < 0)
			snprintf(where, sizeof(where), "origin %u", g->origin);
		printf(" } routes ipv4 %u ipv6 %u (%s)\n", n4, n6, where);
	}
}

static void
dump(const struct ixg_conf *c, const struct ixg_spec *s)
{
	uint32_t i, strict = 0, loose = 0, off = 0, feasible = 0;

	for (i = 0; i < s->n_peers; i++) {
		if (s->peers[i].sav_mode == IXG_SAV_STRICT)
			strict++;
		else if (s->peers[i].sav_mode == IXG_SAV_LOOSE)
			loose++;
		else if (s->peers[i].sav_mode == IXG_SAV_FEASIBLE)
			feasible++;
		else
			off++;
	}
	printf("node %s country %c%c\n", s->node.name,
	       s->node.home_country >> 8, s->node.home_country & 0xff);
	printf("ports %u\n", s->n_ports);
	for (i = 0; i < s->n_ports; i++)
		printf("  port %u %s device \"%s\" mtu %u\n", s->ports[i].id,
		       s->ports[i].name, s->ports[i].devargs, s->ports[i].mtu);
	printf("local-addresses %u\n", s->n_local_addrs);
	printf("peers %u (source-validation strict %u, loose %u, off %u",
	       s->n_peers, strict, loose, off);
	if (feasible > 0)
		printf(", feasible %u", feasible);
	printf(")\n");
	printf("classes %u\n", s->n_classes);
	printf("acl-rules %u\n", s->n_acl_rules);
	printf("routes ipv4 %u ipv6 %u\n", s->n_routes4, s->n_routes6);
	dump_groups(c, s);
	printf("sources ipv4 %u ipv6 %u\n", s->n_sources4, s->n_sources6);
	printf("blackholes %u\n", s->n_blackholes);
	printf("countries %u:", s->n_countries);
	for (i = 0; i < s->n_countries; i++)
		printf(" %c%c", s->countries[i] >> 8, s->countries[i] & 0xff);
	printf("\ncountry-prefixes ipv4 %u ipv6 %u\n", s->n_country4,
	       s->n_country6);
}

static int
cmd_print(const char *path, struct ixg_conf *c, struct ixg_diags *d)
{
	(void)path;
	ixg_diags_print(d, stderr);
	ixg_conf_print(c, stdout);
	return 0;
}

/* check and dump: compile, then say OK or show the spec. */
static int
compile_and(const char *path, struct ixg_conf *c, struct ixg_diags *d, int show)
{
	struct ixg_spec spec;

	if (ixg_conf_compile(c, &spec, d) < 0) {
		fail_summary(path, d);
		return 1;
	}
	ixg_diags_print(d, stderr);
	if (show)
		dump(c, &spec);
	else
		puts("configuration OK");
	ixg_spec_free(&spec);
	return 0;
}

static int
cmd_check(const char *path, struct ixg_conf *c, struct ixg_diags *d)
{
	return compile_and(path, c, d, 0);
}

static int
cmd_dump(const char *path, struct ixg_conf *c, struct ixg_diags *d)
{
	return compile_and(path, c, d, 1);
}

/* Subcommands: one row each. */
static const struct command commands[] = {
	{"check", "parse, validate and compile; \"configuration OK\"",
	 cmd_check},
	{"print", "the canonical form (includes merged)", cmd_print},
	{"dump", "what the compiled spec holds", cmd_dump},
	{NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	const struct command *k;
	struct ixg_diags *d;
	struct ixg_conf *c;
	int rc;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-conf", stdout);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return ixg_ixf_export_cmd(argc - 1, argv + 1);
	if (argc == 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return usage(stdout);
	if (argc != 3)
		return usage(stderr);
	for (k = commands; k->name != NULL; k++)
		if (strcmp(argv[1], k->name) == 0)
			break;
	if (k->name == NULL) {
		fprintf(stderr, "ixgate-conf: unknown command '%s'\n", argv[1]);
		return usage(stderr);
	}
	d = ixg_diags_new();
	if (d == NULL) {
		perror("ixgate-conf");
		return 1;
	}
	c = ixg_conf_parse_file(argv[2], d);
	if (c == NULL) {
		fail_summary(argv[2], d);
		ixg_diags_free(d);
		return 1;
	}
	rc = k->run(argv[2], c, d);
	ixg_conf_free(c);
	ixg_diags_free(d);
	return rc;
}
