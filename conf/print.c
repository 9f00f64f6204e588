/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * print.c - the canonical printer.
 *
 * Includes are printed merged: the output is one file holding every object
 * in declaration order (include statements expanded in place), with paths
 * relative to the root file's directory, so it can be saved beside the root
 * file. Inside a block, fields come in a fixed order; values in canonical
 * units. Defaults are printed only where the operator wrote them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf_impl.h"

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

static void
print_node(FILE *out, const struct c_node *n)
{
	fputs("node {\n", out);
	if (n->set & NODE_NAME)
		fprintf(out, "\tname %s;\n", n->name);
	if (n->set & NODE_COUNTRY)
		fprintf(out, "\tcountry %c%c;\n", n->country >> 8,
			n->country & 0xff);
	if (n->set & NODE_ICMP_TE)
		fprintf(out, "\ticmp-time-exceeded %s;\n",
			n->icmp_te ? "on" : "off");
	if (n->set & NODE_ICMP_RATE)
		fprintf(out, "\ticmp-rate %u;\n", n->icmp_rate);
	if (n->set & NODE_SAMPLING) {
		if (n->sampling == 0)
			fputs("\tsampling off;\n", out);
		else
			fprintf(out, "\tsampling 1-in-%u;\n", n->sampling);
	}
	fputs("}\n", out);
}

static void
print_port(FILE *out, const struct c_port *p)
{
	uint32_t i, j;

	fprintf(out, "port %s {\n", p->name);
	if (p->set & PORT_DEVICE)
		fprintf(out, "\tdevice \"%s\";\n", p->device);
	if (p->set & PORT_MTU)
		fprintf(out, "\tmtu %u;\n", p->mtu);
	if (p->set & PORT_RXQ)
		fprintf(out, "\trx-queue-size %u;\n", p->rxq);
	if (p->set & PORT_TXQ)
		fprintf(out, "\ttx-queue-size %u;\n", p->txq);
	if (p->set & PORT_MAC) {
		fputs("\tmac ", out);
		print_mac(out, p->mac);
		fputs(";\n", out);
	}
	for (i = 0; i < p->addrs.n; i++) {
		if (p->addrs.v[i].vlan != 0)
			continue;
		fputs("\taddress ", out);
		print_addr(out, p->addrs.v[i].addr, p->addrs.v[i].fam,
			   p->addrs.v[i].len);
		fputs(";\n", out);
	}
	for (j = 0; j < p->vlans.n; j++) {
		fprintf(out, "\tvlan %u {\n", p->vlans.v[j].vid);
		for (i = 0; i < p->addrs.n; i++) {
			if (p->addrs.v[i].vlan != p->vlans.v[j].vid)
				continue;
			fputs("\t\taddress ", out);
			print_addr(out, p->addrs.v[i].addr, p->addrs.v[i].fam,
				   p->addrs.v[i].len);
			fputs(";\n", out);
		}
		fputs("\t}\n", out);
	}
	fputs("}\n", out);
}

static void
print_meter_action(FILE *out, const char *what, uint8_t act, uint8_t dscp)
{
	fprintf(out, "\t%s ", what);
	if (act == IXG_METER_PASS)
		fputs("pass;\n", out);
	else if (act == IXG_METER_DROP)
		fputs("drop;\n", out);
	else
		fprintf(out, "remark %u;\n", dscp);
}

static void
print_class(FILE *out, const struct c_class *k)
{
	char buf[32];

	fprintf(out, "class %s {\n", k->name);
	if (k->set & CLASS_CIR) {
		format_rate(k->cir_bits, buf, sizeof(buf));
		fprintf(out, "\tcommitted-rate %s;\n", buf);
	}
	if (k->set & CLASS_CBS) {
		format_size(k->cbs, buf, sizeof(buf));
		fprintf(out, "\tcommitted-burst %s;\n", buf);
	}
	if (k->set & CLASS_PIR) {
		format_rate(k->pir_bits, buf, sizeof(buf));
		fprintf(out, "\tpeak-rate %s;\n", buf);
	}
	if (k->set & CLASS_PBS) {
		format_size(k->pbs, buf, sizeof(buf));
		fprintf(out, "\tpeak-burst %s;\n", buf);
	}
	if (k->set & CLASS_YELLOW)
		print_meter_action(out, "yellow", k->yellow, k->yellow_dscp);
	if (k->set & CLASS_RED)
		print_meter_action(out, "red", k->red, k->red_dscp);
	fputs("}\n", out);
}

static void
print_plist(FILE *out, const char *kw, const pfx_vec *v)
{
	uint32_t i;

	fprintf(out, "\t%s {\n", kw);
	for (i = 0; i < v->n; i++) {
		fputs("\t\t", out);
		print_pfx(out, &v->v[i]);
		fputs(";\n", out);
	}
	fputs("\t}\n", out);
}

static void
print_peer(FILE *out, const struct c_peer *p)
{
	static const char *const sav[] = {"strict", "loose", "off"};
	char buf[32];
	uint32_t i;

	fprintf(out, "peer %s {\n", p->name);
	if (p->set & PEER_ASN)
		fprintf(out, "\tasn %u;\n", p->asn);
	if (p->set & PEER_COUNTRY)
		fprintf(out, "\tcountry %c%c;\n", p->country >> 8,
			p->country & 0xff);
	if (p->set & PEER_PORT)
		fprintf(out, "\tport %s;\n", p->port);
	if (p->set & PEER_VLAN) {
		if (p->outer_vlan != 0)
			fprintf(out, "\tvlan %u.%u;\n", p->outer_vlan, p->vlan);
		else
			fprintf(out, "\tvlan %u;\n", p->vlan);
	}
	for (i = 0; i < p->n_macs; i++) {
		fputs("\tmac ", out);
		print_mac(out, p->macs[i]);
		fputs(";\n", out);
	}
	if (p->set & PEER_NH4) {
		fputs("\tnext-hop ", out);
		print_addr(out, p->nh4, 4, -1);
		fputs(";\n", out);
	}
	if (p->set & PEER_NH6) {
		fputs("\tnext-hop ", out);
		print_addr(out, p->nh6, 6, -1);
		fputs(";\n", out);
	}
	if (p->set & PEER_SAV)
		fprintf(out, "\tsource-validation %s;\n", sav[p->sav]);
	if (p->set & PEER_MAXPFX)
		fprintf(out, "\tmax-prefix %u;\n", p->max_prefix);
	if (p->set & PEER_RATE) {
		format_rate(p->rate_bits, buf, sizeof(buf));
		fprintf(out, "\trate %s", buf);
		if (p->has_burst) {
			format_size(p->burst, buf, sizeof(buf));
			fprintf(out, " burst %s", buf);
		}
		fputs(";\n", out);
	}
	if (p->set & PEER_ANNOUNCE)
		print_plist(out, "announce", &p->announce);
	for (i = 0; i < p->announce_files.n; i++)
		fprintf(out, "\tannounce-file \"%s\";\n",
			p->announce_files.v[i].print);
	if (p->allow.n > 0 || p->allow_files.n == 0) {
		if (p->set & PEER_ALLOW)
			print_plist(out, "allow-source", &p->allow);
	}
	for (i = 0; i < p->allow_files.n; i++)
		fprintf(out, "\tallow-source-file \"%s\";\n",
			p->allow_files.v[i].print);
	fputs("}\n", out);
}

static void
print_ports(FILE *out, const char *kw, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		fprintf(out, "\t\t%s %u;\n", kw, lo);
	else
		fprintf(out, "\t\t%s %u-%u;\n", kw, lo, hi);
}

static void
print_rule(FILE *out, const struct c_rule *r)
{
	fprintf(out, "\trule %u%s%s {\n", r->prio, r->name[0] ? " " : "",
		r->name);
	if (r->set & RULE_FROM)
		fprintf(out, "\t\tfrom %s;\n", r->from);
	if (r->set & RULE_PROTO) {
		const char *n = conf_proto_name(r->proto);

		if (n != NULL)
			fprintf(out, "\t\tprotocol %s;\n", n);
		else
			fprintf(out, "\t\tprotocol %u;\n", r->proto);
	}
	if (r->set & RULE_SRC) {
		fputs("\t\tsource ", out);
		print_pfx(out, &r->src);
		fputs(";\n", out);
	}
	if (r->set & RULE_DST) {
		fputs("\t\tdestination ", out);
		print_pfx(out, &r->dst);
		fputs(";\n", out);
	}
	if (r->set & RULE_SPORT)
		print_ports(out, "source-port", r->sport_lo, r->sport_hi);
	if (r->set & RULE_DPORT)
		print_ports(out, "destination-port", r->dport_lo, r->dport_hi);
	if (r->set & RULE_DSCP)
		fprintf(out, "\t\tdscp %u;\n", r->dscp);
	switch (r->action) {
	case IXG_ACL_PERMIT: fputs("\t\taction permit;\n", out); break;
	case IXG_ACL_DENY: fputs("\t\taction deny;\n", out); break;
	case IXG_ACL_CLASS:
		fprintf(out, "\t\taction class %s;\n", r->class_name);
		break;
	default: fprintf(out, "\t\taction remark %u;\n", r->remark_dscp);
	}
	fputs("\t}\n", out);
}

/* Canonical print of c to out. Any thread; c is not modified. */
void
ixg_conf_print(const struct ixg_conf *c, FILE *out)
{
	uint32_t i, j;
	int prev = -1;

	for (i = 0; i < c->items.n; i++) {
		const struct c_item *it = &c->items.v[i];
		int oneline = it->kind == IT_BLACKHOLE || it->kind == IT_CDATA;

		/* A blank line between objects; runs of one-line statements
		 * of the same kind stay together. */
		if (prev != -1 && !(oneline && prev == it->kind))
			fputc('\n', out);
		prev = it->kind;
		switch (it->kind) {
		case IT_NODE: print_node(out, &c->node); break;
		case IT_PORT: print_port(out, &c->ports.v[it->idx]); break;
		case IT_CLASS: print_class(out, &c->classes.v[it->idx]); break;
		case IT_PEER: print_peer(out, &c->peers.v[it->idx]); break;
		case IT_ACL:
			fputs("acl {\n", out);
			for (j = 0; j < it->n; j++)
				print_rule(out, &c->rules.v[it->idx + j]);
			fputs("}\n", out);
			break;
		case IT_BLACKHOLE: {
			const struct c_blackhole *b = &c->blackholes.v[it->idx];

			fputs("blackhole ", out);
			print_pfx(out, &b->p);
			if (b->expires != 0) {
				char when[32];

				format_time(b->expires, when, sizeof(when));
				fprintf(out, " expires \"%s\"", when);
			}
			fputs(";\n", out);
			break;
		}
		case IT_CDATA: {
			const struct c_cdata *cd = &c->cdata.v[it->idx];

			fprintf(out, "country-data \"%s\" format %s;\n",
				cd->path.print,
				cd->format == CF_RIR ? "rir-delegated"
						     : "ip-location-db");
			break;
		}
		}
	}
}
