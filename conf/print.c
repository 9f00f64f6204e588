/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * print.c - the canonical printer.
 *
 * Includes are printed merged: the output is one file holding every object
 * in declaration order (include statements expanded in place), with paths
 * relative to the root file's directory, so it can be saved beside the root
 * file. Inside a block, fields come in the order of their rows in
 * conf_fields.h; values in canonical units. Defaults are printed only where
 * the operator wrote them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf_impl.h"

/* The printer of one keyword: prints its statements (none if it was not
 * given) at `indent`. obj is the block's struct (the c_item for TOP). */
typedef void print_fn(FILE *out, const struct ixg_conf *c, const void *obj,
		      const struct conf_kw *k, const char *indent);

struct pkw {
	struct conf_kw k;
	print_fn *fn;
};

static print_fn print_field;
#define DECLARE_F_(...)
#define DECLARE_K_(sec, id, kw, parse, print) static print_fn print;
#define DECLARE_(sec, what) sec##_KEYWORDS(DECLARE_F_, DECLARE_K_)
CONF_SECTIONS(DECLARE_)

#define ROW_F_(sec, ...) {CONF_KW_F(sec, __VA_ARGS__), print_field},
#define ROW_K_(sec, id, kw, parse, print) {CONF_KW_K(sec, id, kw), print},
#define ROW_END_                                                               \
	{                                                                      \
		{NULL, NULL, 0, 0, 0, 0, {0, 0, 0, 0, 0, NULL}}, NULL          \
	}
static const struct pkw top_pkws[] = {TOP_KEYWORDS(ROW_F_, ROW_K_) ROW_END_};
static const struct pkw node_pkws[] = {NODE_KEYWORDS(ROW_F_, ROW_K_) ROW_END_};
static const struct pkw port_pkws[] = {PORT_KEYWORDS(ROW_F_, ROW_K_) ROW_END_};
static const struct pkw class_pkws[] = {CLASS_KEYWORDS(ROW_F_, ROW_K_)
						ROW_END_};
static const struct pkw peer_pkws[] = {PEER_KEYWORDS(ROW_F_, ROW_K_) ROW_END_};
static const struct pkw rule_pkws[] = {RULE_KEYWORDS(ROW_F_, ROW_K_) ROW_END_};
static const struct pkw metrics_pkws[] = {METRICS_KEYWORDS(ROW_F_, ROW_K_)
						  ROW_END_};
static const struct pkw kroutes_pkws[] = {KROUTES_KEYWORDS(ROW_F_, ROW_K_)
						  ROW_END_};
static const struct pkw route_pkws[] = {ROUTE_KEYWORDS(ROW_F_, ROW_K_)
						ROW_END_};

/* Every keyword of a block, in table order. */
static void
print_fields(FILE *out, const struct ixg_conf *c, const struct pkw *t,
	     const void *obj, const char *indent)
{
	for (; t->k.name != NULL; t++)
		t->fn(out, c, obj, &t->k, indent);
}

static uint32_t
obj_set(const void *obj, const struct conf_kw *k)
{
	uint32_t set;

	memcpy(&set, (const char *)obj + k->set_off, sizeof(set));
	return set;
}

static int
given(const void *obj, const struct conf_kw *k)
{
	return (obj_set(obj, k) >> k->slot) & 1;
}

static void
print_mac(FILE *out, const uint8_t m[6])
{
	fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		m[4], m[5]);
}

static void
print_pfx(FILE *out, const struct pfx *p)
{
	char buf[INET6_ADDRSTRLEN + 8];

	pfx_format(p, 1, buf, sizeof(buf));
	fputs(buf, out);
}

static void
print_addr(FILE *out, const uint8_t *a, uint8_t fam, int len)
{
	struct pfx p;
	char buf[INET6_ADDRSTRLEN + 8];

	memset(&p, 0, sizeof(p));
	p.fam = fam;
	p.len = (uint8_t)len;
	memcpy(p.addr, a, fam == 4 ? 4 : 16);
	pfx_format(&p, len >= 0, buf, sizeof(buf));
	fputs(buf, out);
}

static uint64_t
load_uint(const void *p, unsigned width)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (width) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	default: memcpy(&u64, p, 8); return u64;
	}
}

/* An F row (conf_fields.h): "KEYWORD value;" when given. */
static void
print_field(FILE *out, const struct ixg_conf *c, const void *obj,
	    const struct conf_kw *k, const char *indent)
{
	const void *at = (const char *)obj + k->val.off;
	char buf[32];
	uint64_t v = 0;
	ixg_cc_t cc;

	(void)c;
	if (!given(obj, k))
		return;
	fprintf(out, "%s%s ", indent, k->name);
	if (k->val.width <= 8)
		v = load_uint(at, k->val.width);
	switch (k->val.kind) {
	case VK_UINT:
	case VK_POW2: fprintf(out, "%llu", (unsigned long long)v); break;
	case VK_ONOFF: fputs(v ? "on" : "off", out); break;
	case VK_CC:
		memcpy(&cc, at, sizeof(cc));
		fprintf(out, "%c%c", cc >> 8, cc & 0xff);
		break;
	case VK_RATE:
		format_rate(v, buf, sizeof(buf));
		fputs(buf, out);
		break;
	case VK_SIZE:
		format_size(v, buf, sizeof(buf));
		fputs(buf, out);
		break;
	case VK_MAC: print_mac(out, at); break;
	case VK_PREFIX: print_pfx(out, at); break;
	default: break;
	}
	fputs(";\n", out);
}

/* Rows printed by their enclosing block. */
static void
print_none(FILE *out, const struct ixg_conf *c, const void *obj,
	   const struct conf_kw *k, const char *indent)
{
	(void)out;
	(void)c;
	(void)obj;
	(void)k;
	(void)indent;
}

/* node */

static void
print_node_name(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_node *n = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name, n->name);
}

static void
print_sampling(FILE *out, const struct conf_kw *k, const char *indent,
	       uint32_t rate)
{
	if (rate == 0)
		fprintf(out, "%s%s off;\n", indent, k->name);
	else
		fprintf(out, "%s%s 1-in-%u;\n", indent, k->name, rate);
}

static void
print_node_sampling(FILE *out, const struct ixg_conf *c, const void *obj,
		    const struct conf_kw *k, const char *indent)
{
	const struct c_node *n = obj;

	(void)c;
	if (given(obj, k))
		print_sampling(out, k, indent, n->sampling);
}

static void
print_port_sampling(FILE *out, const struct ixg_conf *c, const void *obj,
		    const struct conf_kw *k, const char *indent)
{
	const struct c_port *p = obj;

	(void)c;
	if (given(obj, k))
		print_sampling(out, k, indent, p->sampling);
}

static void
print_node_sflow_collectors(FILE *out, const struct ixg_conf *c,
			    const void *obj, const struct conf_kw *k,
			    const char *indent)
{
	const struct c_node *n = obj;

	(void)c;
	for (unsigned i = 0; i < n->n_collectors; i++) {
		struct pfx p = {.fam = n->collectors[i].fam};
		char buf[INET6_ADDRSTRLEN + 8];

		memcpy(p.addr, n->collectors[i].addr, 16);
		pfx_format(&p, 0, buf, sizeof(buf));
		if (n->collectors[i].port == IXG_SFLOW_PORT)
			fprintf(out, "%s%s %s;\n", indent, k->name, buf);
		else
			fprintf(out, "%s%s %s port %u;\n", indent, k->name, buf,
				n->collectors[i].port);
	}
}

static void
print_node_sflow_agent(FILE *out, const struct ixg_conf *c, const void *obj,
		       const struct conf_kw *k, const char *indent)
{
	const struct c_node *n = obj;
	struct pfx p = {.fam = n->agent_fam};
	char buf[INET6_ADDRSTRLEN + 8];

	(void)c;
	if (!given(obj, k))
		return;
	memcpy(p.addr, n->agent, 16);
	pfx_format(&p, 0, buf, sizeof(buf));
	fprintf(out, "%s%s %s;\n", indent, k->name, buf);
}

static void
print_node_punt_allow(FILE *out, const struct ixg_conf *c, const void *obj,
		      const struct conf_kw *k, const char *indent)
{
	const struct c_node *n = obj;
	unsigned i;

	(void)c;
	for (i = 0; i < n->n_punt_allow; i++) {
		const struct ixg_spec_punt_rule *r = &n->punt_allow[i];
		const char *name = conf_proto_name(r->proto);

		fprintf(out, "%s%s ", indent, k->name);
		if (name != NULL)
			fputs(name, out);
		else
			fprintf(out, "%u", r->proto);
		if (r->port_lo == r->port_hi)
			fprintf(out, " %u", r->port_lo);
		else if (r->port_lo != 0 || r->port_hi != 65535)
			fprintf(out, " %u-%u", r->port_lo, r->port_hi);
		fputs(";\n", out);
	}
}

/* port */

static void
print_port_device(FILE *out, const struct ixg_conf *c, const void *obj,
		  const struct conf_kw *k, const char *indent)
{
	const struct c_port *p = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s \"%s\";\n", indent, k->name, p->device);
}

static void
print_addrs(FILE *out, const struct c_port *p, uint16_t vlan,
	    const char *indent)
{
	uint32_t i;

	for (i = 0; i < p->addrs.n; i++) {
		if (p->addrs.v[i].vlan != vlan)
			continue;
		fprintf(out, "%saddress ", indent);
		print_addr(out, p->addrs.v[i].addr, p->addrs.v[i].fam,
			   p->addrs.v[i].len);
		fputs(";\n", out);
	}
}

static void
print_port_addresses(FILE *out, const struct ixg_conf *c, const void *obj,
		     const struct conf_kw *k, const char *indent)
{
	(void)c;
	(void)k;
	print_addrs(out, obj, 0, indent);
}

static void
print_port_vlans(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_port *p = obj;
	char inner[16];
	uint32_t j;

	(void)c;
	snprintf(inner, sizeof(inner), "%s\t", indent);
	for (j = 0; j < p->vlans.n; j++) {
		fprintf(out, "%s%s %u {\n", indent, k->name, p->vlans.v[j].vid);
		print_addrs(out, p, p->vlans.v[j].vid, inner);
		fprintf(out, "%s}\n", indent);
	}
}

/* class */

static void
print_meter_action(FILE *out, const char *indent, const char *what, uint8_t act,
		   uint8_t dscp)
{
	fprintf(out, "%s%s ", indent, what);
	if (act == IXG_METER_PASS)
		fputs("pass;\n", out);
	else if (act == IXG_METER_DROP)
		fputs("drop;\n", out);
	else
		fprintf(out, "remark %u;\n", dscp);
}

static void
print_class_yellow(FILE *out, const struct ixg_conf *c, const void *obj,
		   const struct conf_kw *k, const char *indent)
{
	const struct c_class *x = obj;

	(void)c;
	if (given(obj, k))
		print_meter_action(out, indent, k->name, x->yellow,
				   x->yellow_dscp);
}

static void
print_class_red(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_class *x = obj;

	(void)c;
	if (given(obj, k))
		print_meter_action(out, indent, k->name, x->red, x->red_dscp);
}

/* peer */

static void
print_peer_asn(FILE *out, const struct ixg_conf *c, const void *obj,
	       const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %u;\n", indent, k->name, p->asn);
}

static void
print_peer_port(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name, p->port);
}

static void
print_peer_vlan(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (!given(obj, k))
		return;
	if (p->outer_vlan != 0)
		fprintf(out, "%s%s %u.%u;\n", indent, k->name, p->outer_vlan,
			p->vlan);
	else
		fprintf(out, "%s%s %u;\n", indent, k->name, p->vlan);
}

static void
print_peer_macs(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;
	uint32_t i;

	(void)c;
	for (i = 0; i < p->n_macs; i++) {
		fprintf(out, "%s%s ", indent, k->name);
		print_mac(out, p->macs[i]);
		fputs(";\n", out);
	}
}

static void
print_peer_neighbour(FILE *out, const struct ixg_conf *c, const void *obj,
		     const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name,
			p->neigh == IXG_NEIGH_LEARN ? "learn" : "static");
}

static void
print_peer_nexthops(FILE *out, const struct ixg_conf *c, const void *obj,
		    const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (p->set & PEER_NH4) {
		fprintf(out, "%s%s ", indent, k->name);
		print_addr(out, p->nh4, 4, -1);
		fputs(";\n", out);
	}
	if (p->set & PEER_NH6) {
		fprintf(out, "%s%s ", indent, k->name);
		print_addr(out, p->nh6, 6, -1);
		fputs(";\n", out);
	}
}

static void
print_peer_sav(FILE *out, const struct ixg_conf *c, const void *obj,
	       const struct conf_kw *k, const char *indent)
{
	static const char *const sav[] = {"strict", "loose", "off", "feasible"};
	const struct c_peer *p = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name, sav[p->sav]);
}

static void
print_peer_rate(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;
	char buf[32];

	(void)c;
	if (!given(obj, k))
		return;
	format_rate(p->rate_bits, buf, sizeof(buf));
	fprintf(out, "%s%s %s", indent, k->name, buf);
	if (p->has_burst) {
		format_size(p->burst, buf, sizeof(buf));
		fprintf(out, " burst %s", buf);
	}
	fputs(";\n", out);
}

static void
print_plist(FILE *out, const char *indent, const char *kw, const pfx_vec *v)
{
	uint32_t i;

	fprintf(out, "%s%s {\n", indent, kw);
	for (i = 0; i < v->n; i++) {
		fprintf(out, "%s\t", indent);
		print_pfx(out, &v->v[i]);
		fputs(";\n", out);
	}
	fprintf(out, "%s}\n", indent);
}

static void
print_files(FILE *out, const char *indent, const char *kw, const path_vec *v)
{
	uint32_t i;

	for (i = 0; i < v->n; i++)
		fprintf(out, "%s%s \"%s\";\n", indent, kw, v->v[i].print);
}

static void
print_peer_announce(FILE *out, const struct ixg_conf *c, const void *obj,
		    const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (given(obj, k))
		print_plist(out, indent, k->name, &p->announce);
}

static void
print_peer_announce_files(FILE *out, const struct ixg_conf *c, const void *obj,
			  const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	print_files(out, indent, k->name, &p->announce_files);
}

/* An empty allow-source block beside allow-source-file adds nothing: not
 * printed. */
static void
print_peer_allow(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	if (given(obj, k) && (p->allow.n > 0 || p->allow_files.n == 0))
		print_plist(out, indent, k->name, &p->allow);
}

static void
print_peer_allow_files(FILE *out, const struct ixg_conf *c, const void *obj,
		       const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = obj;

	(void)c;
	print_files(out, indent, k->name, &p->allow_files);
}

/* acl rule */

static void
print_rule_from(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_rule *r = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name, r->from);
}

static void
print_rule_proto(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_rule *r = obj;
	const char *n = conf_proto_name(r->proto);

	(void)c;
	if (!given(obj, k))
		return;
	if (n != NULL)
		fprintf(out, "%s%s %s;\n", indent, k->name, n);
	else
		fprintf(out, "%s%s %u;\n", indent, k->name, r->proto);
}

static void
print_ports(FILE *out, const char *indent, const char *kw, uint16_t lo,
	    uint16_t hi)
{
	if (lo == hi)
		fprintf(out, "%s%s %u;\n", indent, kw, lo);
	else
		fprintf(out, "%s%s %u-%u;\n", indent, kw, lo, hi);
}

static void
print_rule_sport(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_rule *r = obj;

	(void)c;
	if (given(obj, k))
		print_ports(out, indent, k->name, r->sport_lo, r->sport_hi);
}

static void
print_rule_dport(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_rule *r = obj;

	(void)c;
	if (given(obj, k))
		print_ports(out, indent, k->name, r->dport_lo, r->dport_hi);
}

/* The action is required: a printed rule always has one. */
static void
print_rule_action(FILE *out, const struct ixg_conf *c, const void *obj,
		  const struct conf_kw *k, const char *indent)
{
	const struct c_rule *r = obj;

	(void)c;
	fprintf(out, "%s%s ", indent, k->name);
	switch (r->action) {
	case IXG_ACL_PERMIT: fputs("permit;\n", out); break;
	case IXG_ACL_DENY: fputs("deny;\n", out); break;
	case IXG_ACL_CLASS: fprintf(out, "class %s;\n", r->class_name); break;
	default: fprintf(out, "remark %u;\n", r->remark_dscp);
	}
}

/* Top-level items (obj is the c_item). */

static void
print_item_node(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	(void)obj;
	fprintf(out, "%s%s {\n", indent, k->name);
	print_fields(out, c, node_pkws, &c->node, "\t");
	fputs("}\n", out);
}

static void
print_item_port(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_port *p = &c->ports.v[((const struct c_item *)obj)->idx];

	fprintf(out, "%s%s %s {\n", indent, k->name, p->name);
	print_fields(out, c, port_pkws, p, "\t");
	fputs("}\n", out);
}

static void
print_item_class(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_class *x =
		&c->classes.v[((const struct c_item *)obj)->idx];

	fprintf(out, "%s%s %s {\n", indent, k->name, x->name);
	print_fields(out, c, class_pkws, x, "\t");
	fputs("}\n", out);
}

static void
print_item_peer(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_peer *p = &c->peers.v[((const struct c_item *)obj)->idx];

	fprintf(out, "%s%s %s {\n", indent, k->name, p->name);
	print_fields(out, c, peer_pkws, p, "\t");
	fputs("}\n", out);
}

static void
print_item_acl(FILE *out, const struct ixg_conf *c, const void *obj,
	       const struct conf_kw *k, const char *indent)
{
	const struct c_item *it = obj;
	uint32_t j;

	fprintf(out, "%s%s {\n", indent, k->name);
	for (j = 0; j < it->n; j++) {
		const struct c_rule *r = &c->rules.v[it->idx + j];

		fprintf(out, "\trule %u%s%s {\n", r->prio,
			r->name[0] ? " " : "", r->name);
		print_fields(out, c, rule_pkws, r, "\t\t");
		fputs("\t}\n", out);
	}
	fputs("}\n", out);
}

static void
print_item_blackhole(FILE *out, const struct ixg_conf *c, const void *obj,
		     const struct conf_kw *k, const char *indent)
{
	const struct c_blackhole *b =
		&c->blackholes.v[((const struct c_item *)obj)->idx];

	fprintf(out, "%s%s ", indent, k->name);
	print_pfx(out, &b->p);
	if (b->expires != 0) {
		char when[32];

		format_time(b->expires, when, sizeof(when));
		fprintf(out, " expires \"%s\"", when);
	}
	fputs(";\n", out);
}

/* route PREFIX { via MEMBER [weight N]; ... } */
static void
print_route_vias(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_route *r = obj;

	(void)c;
	for (unsigned i = 0; i < r->n_via; i++) {
		fprintf(out, "%s%s %s", indent, k->name, r->via[i].peer);
		if (r->via[i].has_weight)
			fprintf(out, " weight %u", r->via[i].weight);
		fputs(";\n", out);
	}
}

static void
print_item_route(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_route *r =
		&c->routes.v[((const struct c_item *)obj)->idx];

	fprintf(out, "%s%s ", indent, k->name);
	print_pfx(out, &r->p);
	fputs(" {\n", out);
	print_fields(out, c, route_pkws, r, "\t");
	fprintf(out, "%s}\n", indent);
}

static void
print_item_cdata(FILE *out, const struct ixg_conf *c, const void *obj,
		 const struct conf_kw *k, const char *indent)
{
	const struct c_cdata *cd =
		&c->cdata.v[((const struct c_item *)obj)->idx];

	fprintf(out, "%s%s \"%s\" format %s;\n", indent, k->name,
		cd->path.print,
		cd->format == CF_RIR ? "rir-delegated" : "ip-location-db");
}

/* metrics */

static void
print_metrics_listen(FILE *out, const struct ixg_conf *c, const void *obj,
		     const struct conf_kw *k, const char *indent)
{
	const struct c_metrics *m = obj;

	(void)c;
	if (m->listen_none)
		fprintf(out, "%s%s none;\n", indent, k->name);
	for (unsigned i = 0; i < m->n_listen; i++)
		fprintf(out, "%s%s %s;\n", indent, k->name, m->listen[i]);
}

static void
print_metrics_file(FILE *out, const struct ixg_conf *c, const void *obj,
		   const struct conf_kw *k, const char *indent)
{
	const struct c_metrics *m = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s \"%s\";\n", indent, k->name,
			m->file[k->slot - METRICS_F_TLS_CERT].print);
}

static void
print_item_metrics(FILE *out, const struct ixg_conf *c, const void *obj,
		   const struct conf_kw *k, const char *indent)
{
	(void)obj;
	fprintf(out, "%s%s {\n", indent, k->name);
	print_fields(out, c, metrics_pkws, &c->metrics, "\t");
	fputs("}\n", out);
}

/* kernel-routes */

static void
print_kr_tables(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_kroutes *r = obj;

	(void)c;
	for (unsigned i = 0; i < r->n_tables; i++)
		fprintf(out, "%s%s %u;\n", indent, k->name, r->tables[i]);
}

static void
print_kr_family(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_kroutes *r = obj;

	(void)c;
	if (!given(obj, k))
		return;
	fprintf(out, "%s%s%s%s;\n", indent, k->name,
		(r->fams & 1) ? " ipv4" : "", (r->fams & 2) ? " ipv6" : "");
}

static void
print_kr_protocols(FILE *out, const struct ixg_conf *c, const void *obj,
		   const struct conf_kw *k, const char *indent)
{
	const struct c_kroutes *r = obj;

	(void)c;
	for (unsigned i = 0; i < r->n_protocols; i++) {
		const char *n = ixg_rtproto_name(r->protocols[i]);

		if (n != NULL)
			fprintf(out, "%s%s %s;\n", indent, k->name, n);
		else
			fprintf(out, "%s%s %u;\n", indent, k->name,
				r->protocols[i]);
	}
}

static void
print_kr_precedence(FILE *out, const struct ixg_conf *c, const void *obj,
		    const struct conf_kw *k, const char *indent)
{
	const struct c_kroutes *r = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name,
			r->precedence_kernel ? "kernel" : "config");
}

static void
print_kr_filter(FILE *out, const struct ixg_conf *c, const void *obj,
		const struct conf_kw *k, const char *indent)
{
	const struct c_kroutes *r = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name,
			r->filter ? "sources" : "off");
}

static void
print_kr_session_loss(FILE *out, const struct ixg_conf *c, const void *obj,
		      const struct conf_kw *k, const char *indent)
{
	const struct c_kroutes *r = obj;

	(void)c;
	if (given(obj, k))
		fprintf(out, "%s%s %s;\n", indent, k->name,
			r->session_keep ? "keep" : "withdraw");
}

static void
print_item_kroutes(FILE *out, const struct ixg_conf *c, const void *obj,
		   const struct conf_kw *k, const char *indent)
{
	(void)obj;
	fprintf(out, "%s%s {\n", indent, k->name);
	print_fields(out, c, kroutes_pkws, &c->kroutes, "\t");
	fputs("}\n", out);
}

/* Canonical print of c to out. Any thread; c is not modified. */
void
ixg_conf_print(const struct ixg_conf *c, FILE *out)
{
	uint32_t i;
	int prev = -1;

	for (i = 0; i < c->items.n; i++) {
		const struct c_item *it = &c->items.v[i];
		int oneline = it->kind == TOP_F_BLACKHOLE ||
			      it->kind == TOP_F_CDATA;

		/* A blank line between objects; runs of one-line statements
		 * of the same kind stay together. */
		if (prev != -1 && !(oneline && prev == it->kind))
			fputc('\n', out);
		prev = it->kind;
		/* Items are indexed by their statement's slot (table row). */
		top_pkws[it->kind].fn(out, c, it, &top_pkws[it->kind].k, "");
	}
}
