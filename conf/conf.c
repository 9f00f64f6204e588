/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.c - the config library's entry points that tie parsing, checking and
 * compiling together, and the lookups the rest of ixgate uses on a spec.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf_impl.h"

/* Frees c and everything it owns; NULL is a no-op. */
void
ixg_conf_free(struct ixg_conf *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->files.n; i++)
		free(c->files.v[i].text);
	for (i = 0; i < c->ports.n; i++) {
		free(c->ports.v[i].addrs.v);
		free(c->ports.v[i].vlans.v);
	}
	for (i = 0; i < c->peers.n; i++) {
		free(c->peers.v[i].announce.v);
		free(c->peers.v[i].allow.v);
		free(c->peers.v[i].announce_files.v);
		free(c->peers.v[i].allow_files.v);
	}
	free(c->files.v);
	free(c->locs.v);
	free(c->datafiles.v);
	free(c->items.v);
	free(c->ports.v);
	free(c->classes.v);
	free(c->peers.v);
	free(c->rules.v);
	free(c->blackholes.v);
	free(c->routes.v);
	free(c->cdata.v);
	arena_free(&c->arena);
	free(c);
}

/* "file:line:col" of a spec origin (see ixg_conf.h). */
int
ixg_conf_origin(const struct ixg_conf *c, uint32_t origin, char *buf,
		size_t len)
{
	if (origin & ORIGIN_DATA) {
		uint32_t f = (origin & ~ORIGIN_DATA) >> ORIGIN_DATA_LINE_BITS;
		uint32_t line = origin & ((1u << ORIGIN_DATA_LINE_BITS) - 1);

		if (f >= c->datafiles.n)
			return -ENOENT;
		snprintf(buf, len, "%s:%u:1", c->datafiles.v[f], line);
		return 0;
	}
	if (origin >= c->locs.n)
		return -ENOENT;
	conf_loc_str(c, origin, buf, len);
	return 0;
}

/* Files read by c (see ixg_conf.h). Any thread. */
unsigned
ixg_conf_n_files(const struct ixg_conf *c)
{
	return c->files.n + c->datafiles.n + c->cdata.n;
}

/* The config files among them (see ixg_conf.h). Any thread. */
unsigned
ixg_conf_n_config_files(const struct ixg_conf *c)
{
	return c->files.n;
}

/* The i-th file read by c, or NULL (see ixg_conf.h). Any thread. */
const char *
ixg_conf_file(const struct ixg_conf *c, unsigned i)
{
	if (i < c->files.n)
		return c->files.v[i].path;
	i -= c->files.n;
	if (i < c->datafiles.n)
		return c->datafiles.v[i];
	i -= c->datafiles.n;
	if (i < c->cdata.n)
		return c->cdata.v[i].path.path;
	return NULL;
}

static void
print_summary(FILE *errs, const char *path, unsigned n)
{
	fprintf(errs, "%s: %u error%s; configuration NOT loaded\n", path, n,
		n == 1 ? "" : "s");
}

/* Parse, check and compile path (see ixg_conf.h). Any thread. */
int
ixg_conf_load(const char *path, struct ixg_spec *spec, FILE *errs)
{
	return ixg_conf_load_opts(path, NULL, spec, errs);
}

/* The same under opts (see ixg_conf.h). Any thread. */
int
ixg_conf_load_opts(const char *path, const struct ixg_conf_opts *opts,
		   struct ixg_spec *spec, FILE *errs)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	struct ixg_spec s;
	int rc = -1;

	if (d == NULL) {
		fprintf(errs, "%s: out of memory\n", path);
		return -1;
	}
	c = ixg_conf_parse_file_opts(path, opts, d);
	if (c != NULL && ixg_conf_compile(c, &s, d) == 0) {
		*spec = s;
		rc = 0;
	}
	if (rc == 0) {
		ixg_diags_print(d, errs); /* warnings */
	} else {
		ixg_diags_print(d, errs);
		print_summary(errs, path, ixg_diags_errors(d));
	}
	ixg_conf_free(c);
	ixg_diags_free(d);
	return rc;
}

/* Peer with this id, or NULL. Ids are dense today (1..n), but look them
 * up so stable ids (issue 3) can leave holes. */
const struct ixg_spec_peer *
ixg_spec_peer_by_id(const struct ixg_spec *s, uint16_t id)
{
	uint32_t i;

	if (id >= 1 && id <= s->n_peers && s->peers[id - 1].id == id)
		return &s->peers[id - 1];
	for (i = 0; i < s->n_peers; i++)
		if (s->peers[i].id == id)
			return &s->peers[i];
	return NULL;
}

/* Class with this id, or NULL. */
const struct ixg_spec_class *
ixg_spec_class_by_id(const struct ixg_spec *s, uint16_t id)
{
	uint32_t i;

	if (id >= 1 && id <= s->n_classes && s->classes[id - 1].id == id)
		return &s->classes[id - 1];
	for (i = 0; i < s->n_classes; i++)
		if (s->classes[i].id == id)
			return &s->classes[i];
	return NULL;
}

/* ACL rule with this id, or NULL. */
const struct ixg_spec_acl_rule *
ixg_spec_rule_by_id(const struct ixg_spec *s, uint32_t id)
{
	uint32_t i;

	if (id >= 1 && id <= s->n_acl_rules && s->acl_rules[id - 1].id == id)
		return &s->acl_rules[id - 1];
	for (i = 0; i < s->n_acl_rules; i++)
		if (s->acl_rules[i].id == id)
			return &s->acl_rules[i];
	return NULL;
}

/* The metrics block (see ixg_conf.h). Any thread. */
void
ixg_conf_metrics(const struct ixg_conf *c, struct ixg_conf_metrics *m)
{
	const struct c_metrics *x;

	memset(m, 0, sizeof(*m));
	if (c == NULL || !c->has_metrics)
		return;
	x = &c->metrics;
	m->given = 1;
	m->listen_none = x->listen_none;
	m->n_listen = x->n_listen;
	for (unsigned i = 0; i < x->n_listen; i++)
		m->listen[i] = x->listen[i];
	m->tls_cert = x->file[0].path;
	m->tls_key = x->file[1].path;
	m->tls_client_ca = x->file[2].path;
}

/* See ixg_conf.h. Any thread. */
void
ixg_conf_kernel_routes(const struct ixg_conf *c, struct ixg_conf_kroutes *out)
{
	const struct c_kroutes *r = &c->kroutes;

	memset(out, 0, sizeof(*out));
	if (!c->has_kroutes)
		return;
	out->enabled = 1;
	out->ipv4 = r->fams == 0 || (r->fams & 1);
	out->ipv6 = r->fams == 0 || (r->fams & 2);
	out->precedence_kernel = r->precedence_kernel;
	out->filter = r->filter;
	out->session_keep = r->session_keep;
	out->n_tables = r->n_tables;
	memcpy(out->tables, r->tables, sizeof(out->tables));
	out->n_protocols = r->n_protocols;
	memcpy(out->protocols, r->protocols, sizeof(out->protocols));
	out->batch_ms = (r->set & KROUTES_BATCH) ? r->batch_ms : 20;
	out->origin = r->loc;
}

/* iproute2's /etc/iproute2/rt_protos (and linux/rtnetlink.h RTPROT_*). */
static const struct {
	uint8_t n;
	const char *name;
} rtprotos[] = {
	{2, "kernel"},	    {3, "boot"},   {4, "static"}, {8, "gated"},
	{9, "ra"},	    {10, "mrt"},   {11, "zebra"}, {12, "bird"},
	{13, "dnrouted"},   {14, "xorp"},  {15, "ntk"},	  {16, "dhcp"},
	{18, "keepalived"}, {42, "babel"}, {99, "openr"}, {186, "bgp"},
	{187, "isis"},	    {188, "ospf"}, {189, "rip"},  {192, "eigrp"},
};

/* See ixg_conf.h. Any thread. */
const char *
ixg_rtproto_name(unsigned proto)
{
	for (size_t i = 0; i < sizeof(rtprotos) / sizeof(rtprotos[0]); i++)
		if (rtprotos[i].n == proto)
			return rtprotos[i].name;
	return NULL;
}

/* See ixg_conf.h. Any thread. */
int
ixg_rtproto_number(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(rtprotos) / sizeof(rtprotos[0]); i++)
		if (strlen(rtprotos[i].name) == len &&
		    memcmp(rtprotos[i].name, name, len) == 0)
			return rtprotos[i].n;
	return -1;
}

void
ixg_conf_sflow(const struct ixg_conf *c, struct ixg_sflow_conf *out)
{
	const struct c_node *n = &c->node;

	memset(out, 0, sizeof(*out));
	out->n_collectors = n->n_collectors;
	for (unsigned i = 0; i < n->n_collectors; i++) {
		out->collectors[i].family = n->collectors[i].fam;
		memcpy(out->collectors[i].addr, n->collectors[i].addr, 16);
		out->collectors[i].port = n->collectors[i].port;
	}
	out->agent_family = n->agent_fam;
	memcpy(out->agent, n->agent, 16);
	out->sub_agent_id = n->sflow_sub_agent;
	out->counter_interval_s = (n->set & NODE_SFLOW_INTERVAL)
					  ? n->sflow_interval
					  : IXG_SFLOW_INTERVAL_S;
}
