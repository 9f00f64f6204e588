/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.c - traffic generator (see gen.h and doc/traffic-generator.md).
 *
 * Every packet is first described (struct gen_pkt), evaluated by the
 * reference model, and retried with fresh random fields (a bounded number of
 * times) until the model's verdict is the one its kind aims at; whatever the
 * last try gives is what is written and expected, so the expectation is
 * always the model's, never the kind's wish. Then it is serialised.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "ixg_json.h"

#define GEN_TRIES 24
#define ETH_HDR 14
#define IP4_HDR 20
#define IP6_HDR 40
#define TCP_HDR 20
#define UDP_HDR 8
#define ICMP_HDR 8
#define NS_LEN 32 /* ICMPv6 NS with one source link-layer option */
#define ARP_LEN 28
#define MIN_FRAME 60 /* 64 on the wire minus the FCS */
#define EXT_CHAIN_LEN 20

enum malformed_kind {
	MAL_RUNT,
	MAL_IP4_CSUM,
	MAL_IP4_TOTLEN,
	MAL_IP4_IHL,
	MAL_TCP_TRUNC,
	MAL_LLDP,
	MAL_VLAN3,
	MAL_EXT_CHAIN,
	MAL_MAX
};

static const uint8_t mal_reason[MAL_MAX] = {
	[MAL_RUNT] = IXG_DROP_RUNT,
	[MAL_IP4_CSUM] = IXG_DROP_IPV4_CHECKSUM,
	[MAL_IP4_TOTLEN] = IXG_DROP_IPV4_HEADER,
	[MAL_IP4_IHL] = IXG_DROP_IPV4_HEADER,
	[MAL_TCP_TRUNC] = IXG_DROP_L4_TRUNCATED,
	[MAL_LLDP] = IXG_DROP_ETHERTYPE,
	[MAL_VLAN3] = IXG_DROP_VLAN_STACK,
	[MAL_EXT_CHAIN] = IXG_DROP_IPV6_EXT_CHAIN,
};

enum local_kind { LOC_ARP, LOC_ECHO4, LOC_NS, LOC_ECHO6 };

struct peer_info {
	uint32_t *src4, *src6; /* indices into spec sources4/6 */
	uint32_t n_src4, n_src6;
	uint32_t n_routes; /* announced prefixes, the sender weight */
	bool has_local4, has_local6;
	uint8_t local4[4], local6[16];
};

struct meter {
	double tc, tp; /* tokens, bytes (RFC 2698 section 3) */
	uint64_t last_ns;
	uint8_t init;
};

struct gen {
	const struct ixg_spec *spec;
	struct gen_opts o;
	struct gen_model *model;
	uint64_t rng;
	uint64_t seq;
	uint16_t min_mtu;

	int16_t peer_idx[IXG_MAX_PEERS]; /* peer id -> spec index, -1 */
	struct peer_info *pi; /* by spec index */
	uint32_t *senders; /* spec indices of sending peers */
	double *sender_cum; /* cumulative weights */
	uint32_t n_senders;
	uint32_t *strict; /* senders in strict SAV mode */
	uint32_t n_strict;
	uint32_t *localers; /* senders with a node address on their VLAN */
	uint32_t n_localers;
	uint32_t *hot4, *hot6; /* skew: hot destination route indices */
	uint32_t n_hot4, n_hot6;
	uint32_t *deny, n_deny; /* deny rules some sender can hit */
	uint32_t *pol, n_pol; /* class rules aimed at low-rate classes */
	uint32_t *bh, n_bh; /* live blackholes */
	bool low_class[IXG_MAX_CLASSES];
	double mix_cum[GEN_K_MAX];
	struct meter *meters; /* [peer id * IXG_MAX_CLASSES + class] */
	struct gen_counts c;
	int mal; /* malformed sub-kind of the packet being built */
	struct gen_sig_place sig; /* of the last frame built */
};

static const char *const kind_names[GEN_K_MAX] = {
#define GEN_X_NAME(e, name, frac, descr) [GEN_K_##e] = name,
	GEN_KINDS(GEN_X_NAME)
#undef GEN_X_NAME
};

static const char *const kind_descrs[GEN_K_MAX] = {
#define GEN_X_DESCR(e, name, frac, descr) [GEN_K_##e] = descr,
	GEN_KINDS(GEN_X_DESCR)
#undef GEN_X_DESCR
};

static const double kind_default[GEN_K_MAX] = {
#define GEN_X_FRAC(e, name, frac, descr) [GEN_K_##e] = frac,
	GEN_KINDS(GEN_X_FRAC)
#undef GEN_X_FRAC
};

/* Name of a kind ("forward"), NULL if out of range. */
const char *
gen_kind_name(unsigned kind)
{
	return kind < GEN_K_MAX ? kind_names[kind] : NULL;
}

/* One-line description of a kind, NULL if out of range. */
const char *
gen_kind_descr(unsigned kind)
{
	return kind < GEN_K_MAX ? kind_descrs[kind] : NULL;
}

/* Kind number from its name, or -1. */
int
gen_kind_by_name(const char *name)
{
	unsigned i;

	for (i = 0; i < GEN_K_MAX; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Fill o with ixgate-pcapgen's defaults. */
void
gen_opts_default(struct gen_opts *o)
{
	unsigned i;

	memset(o, 0, sizeof(*o));
	o->count = 4096;
	o->seed = 1;
	o->port_id = -1;
	o->v6_frac = 0.3;
	o->size = GEN_SIZE_IMIX;
	for (i = 0; i < GEN_K_MAX; i++)
		o->mix[i] = kind_default[i];
	o->rate_pps = 1e6;
	o->start_ns = 1704067200ull * 1000000000ull; /* 2024-01-01T00:00Z */
	o->now = 0;
}

int
gen_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	/* strtoull would skip blanks and take "-1" as 2^64 - 1. */
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

int
gen_parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || end == s || !isfinite(*out) ? -EINVAL : 0;
}

/* KIND=FRAC,... onto mix; 'clear' zeroes every weight. */
static int
parse_mix(const char *arg, double mix[GEN_K_MAX], char *err, size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int rc = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "--mix: out of memory");
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		double f;
		int k;

		if (strcmp(tok, "clear") == 0) {
			memset(mix, 0, GEN_K_MAX * sizeof(mix[0]));
			continue;
		}
		if (eq == NULL) {
			snprintf(err, errlen,
				 "bad --mix '%s': '%s' is not "
				 "KIND=FRAC or clear",
				 arg, tok);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		k = gen_kind_by_name(tok);
		if (k < 0) {
			snprintf(err, errlen,
				 "bad --mix '%s': unknown kind "
				 "'%s' (ixgate-pcapgen --list-kinds)",
				 arg, tok);
			rc = -EINVAL;
		} else if (gen_parse_double(eq + 1, &f) < 0 || f < 0 || f > 1) {
			snprintf(err, errlen,
				 "bad --mix '%s': %s wants a "
				 "fraction 0..1, not '%s'",
				 arg, tok, eq + 1);
			rc = -EINVAL;
		} else {
			mix[k] = f;
		}
	}
	free(copy);
	return rc;
}

int
gen_opt_apply(struct gen_opts *o, int id, const char *arg, char *err,
	      size_t errlen)
{
	uint64_t u;
	double f;

	switch (id) {
	case GEN_OPT_SEED:
		if (gen_parse_u64(arg, &u) < 0)
			goto bad_u64;
		o->seed = u;
		return 0;
	case GEN_OPT_NOW:
		if (gen_parse_u64(arg, &u) < 0 || u > INT64_MAX)
			goto bad_u64;
		o->now = (int64_t)u;
		return 0;
	case GEN_OPT_V6:
		if (gen_parse_double(arg, &f) < 0 || f < 0 || f > 1) {
			snprintf(err, errlen,
				 "bad --v6 '%s': want a fraction "
				 "0..1",
				 arg);
			return -EINVAL;
		}
		o->v6_frac = f;
		return 0;
	case GEN_OPT_SIZES:
		if (strcmp(arg, "imix") == 0) {
			o->size = GEN_SIZE_IMIX;
		} else if (gen_parse_u64(arg, &u) < 0 || u < 64 || u > 1518) {
			snprintf(err, errlen,
				 "bad --sizes '%s': want 64, imix "
				 "or a frame size 64..1518",
				 arg);
			return -EINVAL;
		} else {
			o->size = (uint32_t)u;
		}
		return 0;
	case GEN_OPT_MIX: return parse_mix(arg, o->mix, err, errlen);
	case GEN_OPT_SKEW: o->skew = true; return 0;
	default:
		snprintf(err, errlen, "option %d is not a traffic option", id);
		return -ENOENT;
	}
bad_u64:
	snprintf(err, errlen, "bad --%s '%s': want a whole number >= 0",
		 id == GEN_OPT_SEED ? "seed" : "now", arg);
	return -EINVAL;
}

/* splitmix64 (Steele, Lea, Flood 2014): fast, and good enough here. */
static uint64_t
rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
rnd_below(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rnd(g) >> 32) * (uint64_t)n) >> 32);
}

static double
rnd_unit(struct gen *g)
{
	return (double)(rnd(g) >> 11) * 0x1p-53;
}

/* ------------------------------------------------------------------ */
/* Checksums (RFC 1071) */

static uint32_t
sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/* One's complement checksum of data with a partial sum init (host order
 * result, to be stored big-endian). */
uint16_t
gen_csum(const void *data, size_t len, uint32_t init)
{
	uint64_t s = sum16(data, len, init);

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t
pseudo_sum(int fam, const uint8_t *src, const uint8_t *dst, uint8_t proto,
	   uint32_t len)
{
	uint32_t s;

	s = sum16(src, fam == 4 ? 4 : 16, 0);
	s = sum16(dst, fam == 4 ? 4 : 16, s);
	return s + proto + (len >> 16) + (len & 0xffff);
}

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* ------------------------------------------------------------------ */
/* Addresses */

static void
rand_in4(struct gen *g, uint32_t host, unsigned len, uint8_t *out)
{
	uint32_t mask = len ? ~0u << (32 - len) : 0;
	uint32_t a = (host & mask) | ((uint32_t)rnd(g) & ~mask);

	put32(out, a);
}

static void
rand_in6(struct gen *g, const uint8_t *pfx, unsigned len, uint8_t *out)
{
	uint64_t r[2] = {rnd(g), rnd(g)};
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned bits = i * 8 >= len ? 0 : len - i * 8;
		uint8_t keep = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		uint8_t rb = (uint8_t)(r[i / 8] >> ((i % 8) * 8));

		out[i] = (uint8_t)((pfx[i] & keep) | (rb & ~keep));
	}
}

static uint32_t
host4(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

/* ------------------------------------------------------------------ */
/* Set-up */

static const struct ixg_spec_peer *
peer_by_id(const struct gen *g, uint16_t id)
{
	return g->peer_idx[id] >= 0 ? &g->spec->peers[g->peer_idx[id]] : NULL;
}

static const char *
port_name(const struct ixg_spec *s, int id)
{
	uint32_t i;

	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].id == id)
			return s->ports[i].name;
	return "?";
}

static const struct ixg_spec_port *
port_by_id(const struct ixg_spec *s, uint16_t id)
{
	uint32_t i;

	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].id == id)
			return &s->ports[i];
	return NULL;
}

static void
shuffle_hot(struct gen *g, uint32_t n, uint32_t **hot, uint32_t *n_hot)
{
	uint32_t *idx, i;

	*hot = NULL;
	*n_hot = 0;
	if (n == 0)
		return;
	idx = malloc(n * sizeof(*idx));
	if (idx == NULL)
		return;
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = n - 1; i > 0; i--) {
		uint32_t j = rnd_below(g, i + 1), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
	*hot = idx;
	*n_hot = n / 10 ? n / 10 : 1;
}

static bool
is_sender(const struct gen *g, uint16_t peer_id)
{
	uint32_t i;

	for (i = 0; i < g->n_senders; i++)
		if (g->spec->peers[g->senders[i]].id == peer_id)
			return true;
	return false;
}

static int
setup_peers(struct gen *g, char *err, size_t errlen)
{
	const struct ixg_spec *s = g->spec;
	double cum = 0;
	uint32_t i;

	g->pi = calloc(s->n_peers ? s->n_peers : 1, sizeof(*g->pi));
	g->senders = calloc(s->n_peers ? s->n_peers : 1, sizeof(uint32_t));
	g->sender_cum = calloc(s->n_peers ? s->n_peers : 1, sizeof(double));
	g->strict = calloc(s->n_peers ? s->n_peers : 1, sizeof(uint32_t));
	g->localers = calloc(s->n_peers ? s->n_peers : 1, sizeof(uint32_t));
	if (!g->pi || !g->senders || !g->sender_cum || !g->strict ||
	    !g->localers) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < IXG_MAX_PEERS; i++)
		g->peer_idx[i] = -1;
	for (i = 0; i < s->n_peers; i++)
		if (s->peers[i].id > 0 && s->peers[i].id < IXG_MAX_PEERS)
			g->peer_idx[s->peers[i].id] = (int16_t)i;
	for (i = 0; i < s->n_sources4; i++)
		if (g->peer_idx[s->sources4[i].peer_id] >= 0)
			g->pi[g->peer_idx[s->sources4[i].peer_id]].n_src4++;
	for (i = 0; i < s->n_sources6; i++)
		if (g->peer_idx[s->sources6[i].peer_id] >= 0)
			g->pi[g->peer_idx[s->sources6[i].peer_id]].n_src6++;
	for (i = 0; i < s->n_routes4; i++)
		if (g->peer_idx[s->routes4[i].peer_id] >= 0)
			g->pi[g->peer_idx[s->routes4[i].peer_id]].n_routes++;
	for (i = 0; i < s->n_routes6; i++)
		if (g->peer_idx[s->routes6[i].peer_id] >= 0)
			g->pi[g->peer_idx[s->routes6[i].peer_id]].n_routes++;
	for (i = 0; i < s->n_peers; i++) {
		struct peer_info *pi = &g->pi[i];

		pi->src4 = malloc((pi->n_src4 + 1) * sizeof(uint32_t));
		pi->src6 = malloc((pi->n_src6 + 1) * sizeof(uint32_t));
		if (pi->src4 == NULL || pi->src6 == NULL) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		pi->n_src4 = pi->n_src6 = 0;
	}
	for (i = 0; i < s->n_sources4; i++) {
		int16_t pj = g->peer_idx[s->sources4[i].peer_id];

		if (pj >= 0)
			g->pi[pj].src4[g->pi[pj].n_src4++] = i;
	}
	for (i = 0; i < s->n_sources6; i++) {
		int16_t pj = g->peer_idx[s->sources6[i].peer_id];

		if (pj >= 0)
			g->pi[pj].src6[g->pi[pj].n_src6++] = i;
	}
	for (i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];
		struct peer_info *pi = &g->pi[i];
		uint32_t j;

		if (p->id == IXG_PEER_NONE || p->n_macs == 0)
			continue;
		if (g->o.port_id >= 0 && p->port_id != g->o.port_id)
			continue;
		if (pi->n_src4 == 0 && pi->n_src6 == 0)
			continue;
		g->senders[g->n_senders] = i;
		cum += pi->n_routes ? pi->n_routes : 1;
		g->sender_cum[g->n_senders++] = cum;
		if (p->sav_mode == IXG_SAV_STRICT)
			g->strict[g->n_strict++] = i;
		for (j = 0; j < s->n_local_addrs; j++) {
			const struct ixg_spec_local_addr *l =
				&s->local_addrs[j];

			if (l->port_id != p->port_id || l->vlan != p->vlan)
				continue;
			if (l->family == 4 && !pi->has_local4) {
				pi->has_local4 = true;
				memcpy(pi->local4, l->addr, 4);
			} else if (l->family == 6 && !pi->has_local6) {
				pi->has_local6 = true;
				memcpy(pi->local6, l->addr, 16);
			}
		}
		if ((pi->has_local4 && pi->n_src4) ||
		    (pi->has_local6 && pi->n_src6))
			g->localers[g->n_localers++] = i;
	}
	if (g->n_senders == 0) {
		if (g->o.port_id >= 0)
			snprintf(err, errlen,
				 "no peer with a MAC and source prefixes is "
				 "attached to port %s: nothing can send",
				 port_name(s, g->o.port_id));
		else
			snprintf(err, errlen,
				 "the config has no peer with a MAC and source "
				 "prefixes: nothing can send");
		return -ENOENT;
	}
	for (i = 0; i < g->n_senders; i++) {
		const struct ixg_spec_port *pt = port_by_id(
			s, s->peers[g->senders[i]].port_id);
		static const uint8_t zero[6];

		if (pt == NULL || memcmp(pt->mac, zero, 6) == 0) {
			snprintf(err, errlen,
				 "port %s has no mac in the config: the "
				 "generator needs it as the destination MAC",
				 pt ? pt->name : "?");
			return -EINVAL;
		}
	}
	return 0;
}

static int
setup_rules(struct gen *g)
{
	const struct ixg_spec *s = g->spec;
	uint32_t i;

	for (i = 0; i < s->n_classes; i++) {
		const struct ixg_spec_class *c = &s->classes[i];

		if (c->id < IXG_MAX_CLASSES && c->cir > 0 &&
		    c->cir < GEN_LOW_RATE_BPS)
			g->low_class[c->id] = true;
	}
	g->deny = calloc(s->n_acl_rules + 1, sizeof(uint32_t));
	g->pol = calloc(s->n_acl_rules + 1, sizeof(uint32_t));
	g->bh = calloc(s->n_blackholes + 1, sizeof(uint32_t));
	if (g->deny == NULL || g->pol == NULL || g->bh == NULL)
		return -ENOMEM;
	for (i = 0; i < s->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = &s->acl_rules[i];

		if (r->in_peer != IXG_PEER_NONE && !is_sender(g, r->in_peer))
			continue;
		if (r->action == IXG_ACL_DENY)
			g->deny[g->n_deny++] = i;
		else if (r->action == IXG_ACL_CLASS &&
			 r->class_id < IXG_MAX_CLASSES &&
			 g->low_class[r->class_id])
			g->pol[g->n_pol++] = i;
	}
	for (i = 0; i < s->n_blackholes; i++)
		if (s->blackholes[i].expires == 0 ||
		    s->blackholes[i].expires > g->o.now)
			g->bh[g->n_bh++] = i;
	return 0;
}

/* Free everything; NULL is a no-op. */
void
gen_free(struct gen *g)
{
	uint32_t i;

	if (g == NULL)
		return;
	if (g->pi != NULL)
		for (i = 0; i < g->spec->n_peers; i++) {
			free(g->pi[i].src4);
			free(g->pi[i].src6);
		}
	free(g->pi);
	free(g->senders);
	free(g->sender_cum);
	free(g->strict);
	free(g->localers);
	free(g->hot4);
	free(g->hot6);
	free(g->deny);
	free(g->pol);
	free(g->bh);
	free(g->meters);
	gen_model_free(g->model);
	free(g);
}

/*
 * Prepare a generator (see gen.h). spec must outlive it. Returns NULL with a
 * message in err when nothing can be generated (no sender on the port, no
 * port MAC) or on allocation failure.
 */
struct gen *
gen_new(const struct ixg_spec *spec, const struct gen_opts *o, char *err,
	size_t errlen)
{
	struct gen *g;
	double cum = 0;
	uint32_t i;

	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->spec = spec;
	g->o = *o;
	g->rng = o->seed;
	g->model = gen_model_new(spec, o->now);
	g->meters = calloc((size_t)IXG_MAX_PEERS * IXG_MAX_CLASSES,
			   sizeof(*g->meters));
	if (g->model == NULL || g->meters == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (setup_peers(g, err, errlen) < 0)
		goto fail;
	if (setup_rules(g) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	g->min_mtu = 1500;
	for (i = 0; i < spec->n_ports; i++)
		if (spec->ports[i].mtu >= 1280 &&
		    spec->ports[i].mtu < g->min_mtu)
			g->min_mtu = spec->ports[i].mtu;
	if (o->skew) {
		shuffle_hot(g, spec->n_routes4, &g->hot4, &g->n_hot4);
		shuffle_hot(g, spec->n_routes6, &g->hot6, &g->n_hot6);
	}
	for (i = 0; i < GEN_K_MAX; i++) {
		cum += o->mix[i] > 0 ? o->mix[i] : 0;
		g->mix_cum[i] = cum;
	}
	if (cum <= 0) {
		snprintf(err, errlen, "the mix is empty");
		goto fail;
	}
	return g;
fail:
	gen_free(g);
	return NULL;
}

/* The expectation so far. */
const struct gen_counts *
gen_counts(const struct gen *g)
{
	return &g->c;
}

/* ------------------------------------------------------------------ */
/* Describing packets */

static uint32_t
pick_sender(struct gen *g)
{
	double x = rnd_unit(g) * g->sender_cum[g->n_senders - 1];
	uint32_t lo = 0, hi = g->n_senders - 1;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (g->sender_cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return g->senders[lo];
}

static void
set_l2(struct gen *g, struct gen_pkt *p, const struct ixg_spec_peer *pr)
{
	const struct ixg_spec_port *pt = port_by_id(g->spec, pr->port_id);

	p->port_id = pr->port_id;
	p->vlan = pr->vlan;
	p->outer_vlan = pr->outer_vlan;
	memcpy(p->smac, pr->macs[rnd_below(g, pr->n_macs)], 6);
	memcpy(p->dmac, pt->mac, 6);
}

/* A source address the peer may send from, family fam. */
static void
pick_own_src(struct gen *g, uint32_t pidx, int fam, uint8_t *out)
{
	const struct peer_info *pi = &g->pi[pidx];

	if (fam == 4) {
		const struct ixg_spec_route4 *r =
			&g->spec->sources4[pi->src4[rnd_below(g, pi->n_src4)]];

		rand_in4(g, r->addr, r->len, out);
	} else {
		const struct ixg_spec_route6 *r =
			&g->spec->sources6[pi->src6[rnd_below(g, pi->n_src6)]];

		rand_in6(g, r->addr, r->len, out);
	}
}

/* A destination inside a route of a peer other than `not_peer`. */
static bool
pick_dst(struct gen *g, int fam, uint16_t not_peer, uint8_t *out)
{
	uint32_t n = fam == 4 ? g->spec->n_routes4 : g->spec->n_routes6;
	const uint32_t *hot = fam == 4 ? g->hot4 : g->hot6;
	uint32_t n_hot = fam == 4 ? g->n_hot4 : g->n_hot6;
	int t;

	if (n == 0)
		return false;
	for (t = 0; t < GEN_TRIES; t++) {
		uint32_t i;

		if (hot != NULL && rnd_unit(g) < 0.9)
			i = hot[rnd_below(g, n_hot)];
		else
			i = rnd_below(g, n);
		if (fam == 4) {
			const struct ixg_spec_route4 *r = &g->spec->routes4[i];

			if (r->peer_id == not_peer)
				continue;
			rand_in4(g, r->addr, r->len, out);
		} else {
			const struct ixg_spec_route6 *r = &g->spec->routes6[i];

			if (r->peer_id == not_peer)
				continue;
			rand_in6(g, r->addr, r->len, out);
		}
		return true;
	}
	return false;
}

static void
pick_l4(struct gen *g, struct gen_pkt *p, int fam)
{
	static const uint16_t tcp_ports[] = {443, 443, 443, 80,	  80,
					     22,  25,  993, 8080, 179};
	static const uint16_t udp_ports[] = {443,  443,	 53,   53,
					     4500, 3478, 5060, 1194};
	uint32_t x = rnd_below(g, 100);

	p->sport = (uint16_t)(1024 + rnd_below(g, 64512));
	if (x < 55) {
		p->proto = 6;
		p->dport = rnd_below(g, 4)
				   ? tcp_ports[rnd_below(g, 10)]
				   : (uint16_t)(1024 + rnd_below(g, 64512));
	} else if (x < 90) {
		p->proto = 17;
		p->dport = rnd_below(g, 4)
				   ? udp_ports[rnd_below(g, 8)]
				   : (uint16_t)(1024 + rnd_below(g, 64512));
	} else {
		p->proto = fam == 4 ? 1 : 58;
		p->icmp_type = fam == 4 ? 8 : 128;
		p->sport = p->dport = 0;
	}
}

/* A plain transit packet from sender pidx (spec index) or a weighted pick
 * (pidx < 0), family fam (0: by --v6). */
static bool
describe_flow(struct gen *g, struct gen_pkt *p, int64_t pidx, int fam)
{
	const struct ixg_spec_peer *pr;
	const struct peer_info *pi;
	uint32_t i = pidx >= 0 ? (uint32_t)pidx : pick_sender(g);

	pr = &g->spec->peers[i];
	pi = &g->pi[i];
	memset(p, 0, sizeof(*p));
	set_l2(g, p, pr);
	if (fam == 0)
		fam = rnd_unit(g) < g->o.v6_frac ? 6 : 4;
	if (fam == 6 && (pi->n_src6 == 0 || g->spec->n_routes6 == 0))
		fam = 4;
	if (fam == 4 && (pi->n_src4 == 0 || g->spec->n_routes4 == 0))
		fam = 6;
	if ((fam == 6 && pi->n_src6 == 0) || (fam == 4 && pi->n_src4 == 0))
		return false;
	p->l3 = fam == 4 ? GEN_L3_IPV4 : GEN_L3_IPV6;
	pick_own_src(g, i, fam, p->src);
	if (!pick_dst(g, fam, pr->id, p->dst))
		return false;
	p->ttl = 64;
	pick_l4(g, p, fam);
	return true;
}

static bool
describe_spoofed(struct gen *g, struct gen_pkt *p)
{
	uint32_t i;
	int fam;

	if (g->n_strict == 0)
		return false;
	i = g->strict[rnd_below(g, g->n_strict)];
	if (!describe_flow(g, p, i, 0))
		return false;
	fam = p->l3 == GEN_L3_IPV4 ? 4 : 6;
	/* Routable (someone else's prefix) but not this peer's. */
	return pick_dst(g, fam, g->spec->peers[i].id, p->src) &&
	       !gen_model_src_allowed(g->model, g->spec->peers[i].id, fam,
				      p->src);
}

static bool
describe_blackhole(struct gen *g, struct gen_pkt *p)
{
	const struct ixg_spec_blackhole *b;

	if (g->n_bh == 0)
		return false;
	b = &g->spec->blackholes[g->bh[rnd_below(g, g->n_bh)]];
	if (!describe_flow(g, p, -1, b->family))
		return false;
	if ((p->l3 == GEN_L3_IPV4 ? 4 : 6) != b->family)
		return false;
	if (b->family == 4)
		rand_in4(g, host4(b->addr), b->len, p->dst);
	else
		rand_in6(g, b->addr, b->len, p->dst);
	return true;
}

static bool
describe_no_route(struct gen *g, struct gen_pkt *p)
{
	/* RFC 6598 shared space and RFC 3849 documentation space: never
	 * announced on a real exchange; the model still checks. */
	static const uint8_t doc6[16] = {0x20, 0x01, 0x0d, 0xb8};

	if (!describe_flow(g, p, -1, 0))
		return false;
	if (p->l3 == GEN_L3_IPV4)
		rand_in4(g, 0x64400000u, 10, p->dst);
	else
		rand_in6(g, doc6, 32, p->dst);
	return true;
}

static bool
pick_in_range(struct gen *g, uint16_t lo, uint16_t hi, uint16_t *out)
{
	if (lo > hi)
		return false;
	*out = (uint16_t)(lo + rnd_below(g, (uint32_t)(hi - lo) + 1));
	return true;
}

/* The k-th allowed source of a peer, of family fam: its address in a
 * (network byte order, IPv4 in the first four bytes), its length returned. */
static uint8_t
peer_source(const struct gen *g, const struct peer_info *pi, int fam,
	    uint32_t k, uint8_t a[16])
{
	if (fam == 4) {
		const struct ixg_spec_route4 *s =
			&g->spec->sources4[pi->src4[k]];

		put32(a, s->addr);
		return s->len;
	}
	memcpy(a, g->spec->sources6[pi->src6[k]].addr, 16);
	return g->spec->sources6[pi->src6[k]].len;
}

/* A packet that matches rule r (from a sender allowed to send its source). */
static bool
describe_for_rule(struct gen *g, struct gen_pkt *p,
		  const struct ixg_spec_acl_rule *r)
{
	const struct peer_info *pi;
	uint32_t pidx, k, cand[64], n_cand = 0;
	int fam = r->family;

	if (r->in_peer != IXG_PEER_NONE)
		pidx = (uint32_t)g->peer_idx[r->in_peer];
	else
		pidx = pick_sender(g);
	if (!describe_flow(g, p, pidx, fam))
		return false;
	if ((p->l3 == GEN_L3_IPV4 ? 4 : 6) != fam)
		return false;
	pi = &g->pi[pidx];
	if (r->src_len) {
		uint32_t n = fam == 4 ? pi->n_src4 : pi->n_src6;

		/* Sources of the peer overlapping the rule's source. */
		for (k = 0; k < n && n_cand < 64; k++) {
			uint8_t a[16] = {0}, len;

			len = peer_source(g, pi, fam, k, a);
			if (gen_prefix_contains(
				    fam, r->src,
				    len < r->src_len ? len : r->src_len, a))
				cand[n_cand++] = k;
		}
		if (n_cand == 0) {
			/* No allowed source inside: fine unless strict. */
			if (g->spec->peers[pidx].sav_mode == IXG_SAV_STRICT)
				return false;
			if (fam == 4)
				rand_in4(g, host4(r->src), r->src_len, p->src);
			else
				rand_in6(g, r->src, r->src_len, p->src);
		} else {
			uint8_t a[16] = {0}, len;

			k = cand[rnd_below(g, n_cand)];
			len = peer_source(g, pi, fam, k, a);
			/* The intersection is the longer of the two. */
			if (len < r->src_len) {
				memcpy(a, r->src, 16);
				len = r->src_len;
			}
			if (fam == 4)
				rand_in4(g, host4(a), len, p->src);
			else
				rand_in6(g, a, len, p->src);
		}
	}
	if (r->dst_len) {
		if (fam == 4)
			rand_in4(g, host4(r->dst), r->dst_len, p->dst);
		else
			rand_in6(g, r->dst, r->dst_len, p->dst);
	}
	if (r->proto_mask) {
		p->proto = r->proto;
	} else if (r->sport_lo > 0 || r->sport_hi < 65535 || r->dport_lo > 0 ||
		   r->dport_hi < 65535) {
		p->proto = rnd_below(g, 2) ? 6 : 17;
	}
	p->icmp_type = 0;
	p->sport = p->dport = 0;
	if (p->proto == 6 || p->proto == 17) {
		p->sport = (uint16_t)(1024 + rnd_below(g, 64512));
		p->dport = (uint16_t)(1024 + rnd_below(g, 64512));
		if ((r->sport_lo > 0 || r->sport_hi < 65535) &&
		    !pick_in_range(g, r->sport_lo, r->sport_hi, &p->sport))
			return false;
		if ((r->dport_lo > 0 || r->dport_hi < 65535) &&
		    !pick_in_range(g, r->dport_lo, r->dport_hi, &p->dport))
			return false;
	} else if (p->proto == 1 || p->proto == 58) {
		p->icmp_type = p->proto == 1 ? 8 : 128;
	} else if (p->proto != 6 && p->proto != 17) {
		/* Some other protocol: the builder gives it no L4 header. */
		p->icmp_type = 0;
	}
	if (!r->dscp_any)
		p->dscp = r->dscp;
	return true;
}

static bool
describe_local(struct gen *g, struct gen_pkt *p)
{
	const struct ixg_spec_peer *pr;
	const struct peer_info *pi;
	enum local_kind lk;
	uint32_t i;

	if (g->n_localers == 0)
		return false;
	i = g->localers[rnd_below(g, g->n_localers)];
	pr = &g->spec->peers[i];
	pi = &g->pi[i];
	if (pi->has_local4 && pi->n_src4 &&
	    !(pi->has_local6 && pi->n_src6 && rnd_unit(g) < g->o.v6_frac))
		lk = rnd_below(g, 2) ? LOC_ARP : LOC_ECHO4;
	else
		lk = rnd_below(g, 2) ? LOC_NS : LOC_ECHO6;
	memset(p, 0, sizeof(*p));
	set_l2(g, p, pr);
	p->ttl = 64;
	switch (lk) {
	case LOC_ARP:
		p->l3 = GEN_L3_ARP;
		p->arp_op = 1;
		memset(p->dmac, 0xff, 6);
		if (pr->has_nh4)
			memcpy(p->src, pr->nh4, 4);
		else
			pick_own_src(g, i, 4, p->src);
		memcpy(p->dst, pi->local4, 4);
		break;
	case LOC_ECHO4:
		p->l3 = GEN_L3_IPV4;
		p->proto = 1;
		p->icmp_type = 8;
		pick_own_src(g, i, 4, p->src);
		memcpy(p->dst, pi->local4, 4);
		break;
	case LOC_NS:
		/* RFC 4861 7.2.2: to the solicited-node group of the target
		 * (RFC 4291 2.7.1), hop limit 255, source link-layer option. */
		p->l3 = GEN_L3_IPV6;
		p->proto = 58;
		p->icmp_type = 135;
		p->ttl = 255;
		if (pr->has_nh6)
			memcpy(p->src, pr->nh6, 16);
		else
			pick_own_src(g, i, 6, p->src);
		memcpy(p->ns_target, pi->local6, 16);
		memset(p->dst, 0, 16);
		p->dst[0] = 0xff;
		p->dst[1] = 0x02;
		p->dst[11] = 0x01;
		p->dst[12] = 0xff;
		memcpy(p->dst + 13, pi->local6 + 13, 3);
		p->dmac[0] = 0x33;
		p->dmac[1] = 0x33;
		memcpy(p->dmac + 2, p->dst + 12, 4);
		break;
	case LOC_ECHO6:
		p->l3 = GEN_L3_IPV6;
		p->proto = 58;
		p->icmp_type = 128;
		pick_own_src(g, i, 6, p->src);
		memcpy(p->dst, pi->local6, 16);
		break;
	}
	return true;
}

static bool
describe_malformed(struct gen *g, struct gen_pkt *p)
{
	g->mal = (int)rnd_below(g, MAL_MAX);
	if (!describe_flow(g, p, -1, g->mal == MAL_EXT_CHAIN ? 6 : 4))
		return false;
	if (g->mal == MAL_EXT_CHAIN) {
		if (p->l3 != GEN_L3_IPV6)
			return false;
		p->proto = 60;
	} else {
		if (p->l3 != GEN_L3_IPV4)
			return false;
		if (g->mal == MAL_TCP_TRUNC || g->mal == MAL_IP4_TOTLEN) {
			p->proto = 6;
			p->icmp_type = 0;
			if (p->sport == 0) {
				p->sport = 40000;
				p->dport = 443;
			}
		}
	}
	p->malformed = (uint8_t)(mal_reason[g->mal] + 1);
	return true;
}

/* What the kind aims at; the model has the last word. */
static bool
verdict_ok(struct gen *g, unsigned kind, const struct gen_verdict *v,
	   uint32_t rule_id)
{
	switch (kind) {
	case GEN_K_FORWARD:
		return v->verdict == GEN_V_FORWARD &&
		       !g->low_class[v->class_id];
	case GEN_K_SPOOFED:
		return v->verdict == GEN_V_DROP &&
		       v->reason == IXG_DROP_SOURCE_INVALID;
	case GEN_K_BLACKHOLE:
		return v->verdict == GEN_V_DROP &&
		       v->reason == IXG_DROP_BLACKHOLE;
	case GEN_K_NO_ROUTE:
		return v->verdict == GEN_V_DROP &&
		       v->reason == IXG_DROP_NO_ROUTE;
	case GEN_K_ACL_DENY:
		return v->verdict == GEN_V_DROP &&
		       v->reason == IXG_DROP_ACL_DENY;
	case GEN_K_LOCAL: return v->verdict == GEN_V_LOCAL;
	case GEN_K_TTL:
		return v->verdict == GEN_V_DROP &&
		       v->reason == IXG_DROP_TTL_EXPIRED;
	case GEN_K_UNKNOWN_PEER:
		return v->verdict == GEN_V_DROP &&
		       v->reason == IXG_DROP_UNKNOWN_PEER;
	case GEN_K_MALFORMED: return v->verdict == GEN_V_DROP;
	case GEN_K_POLICED:
		return v->verdict == GEN_V_FORWARD && v->acl_rule == rule_id;
	}
	return false;
}

static bool
describe(struct gen *g, unsigned kind, struct gen_pkt *p, uint32_t *rule_id)
{
	const struct ixg_spec_acl_rule *r;

	*rule_id = 0;
	g->mal = -1;
	switch (kind) {
	case GEN_K_FORWARD: return describe_flow(g, p, -1, 0);
	case GEN_K_SPOOFED: return describe_spoofed(g, p);
	case GEN_K_BLACKHOLE: return describe_blackhole(g, p);
	case GEN_K_NO_ROUTE: return describe_no_route(g, p);
	case GEN_K_ACL_DENY:
	case GEN_K_POLICED:
		if (kind == GEN_K_ACL_DENY ? g->n_deny == 0 : g->n_pol == 0)
			return false;
		r = &g->spec->acl_rules
			     [kind == GEN_K_ACL_DENY
				      ? g->deny[rnd_below(g, g->n_deny)]
				      : g->pol[rnd_below(g, g->n_pol)]];
		*rule_id = r->id;
		return describe_for_rule(g, p, r);
	case GEN_K_LOCAL: return describe_local(g, p);
	case GEN_K_TTL:
		if (!describe_flow(g, p, -1, 0))
			return false;
		p->ttl = 1;
		return true;
	case GEN_K_UNKNOWN_PEER:
		if (!describe_flow(g, p, -1, 0))
			return false;
		do {
			uint64_t x = rnd(g);

			memcpy(p->smac, &x, 6);
			p->smac[0] = (uint8_t)((p->smac[0] & 0xfc) | 0x02);
		} while (gen_model_peer_by_l2(g->model, p->port_id,
					      p->outer_vlan, p->vlan,
					      p->smac) != IXG_PEER_NONE);
		return true;
	case GEN_K_MALFORMED: return describe_malformed(g, p);
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Serialising */

/* Whether p gets signature room: well-formed IP with a TCP, UDP or echo
 * request payload (an echo reply carries it back). */
static bool
sig_eligible(const struct gen *g, const struct gen_pkt *p)
{
	if (g->o.sig_room == 0 || g->mal >= 0 || p->malformed)
		return false;
	if (p->l3 != GEN_L3_IPV4 && p->l3 != GEN_L3_IPV6)
		return false;
	return p->proto == 6 || p->proto == 17 ||
	       (p->proto == 1 && p->icmp_type == 8) ||
	       (p->proto == 58 && p->icmp_type == 128);
}

static uint32_t
l4_hdr_len(const struct gen_pkt *p)
{
	switch (p->proto) {
	case 6: return TCP_HDR;
	case 17: return UDP_HDR;
	case 1:
	case 58: return p->icmp_type == 135 ? NS_LEN : ICMP_HDR;
	default: return 0;
	}
}

static uint32_t
imix_size(struct gen *g)
{
	/* Simple IMIX 7:4:1 of 64, 594 and 1518 bytes. */
	uint32_t x = rnd_below(g, 12);

	return x < 7 ? 64 : x < 11 ? 594 : 1518;
}

static uint32_t
put_l2(const struct gen_pkt *p, uint8_t *b, uint16_t ethertype, bool three)
{
	uint32_t off = 12;

	memcpy(b, p->dmac, 6);
	memcpy(b + 6, p->smac, 6);
	if (three) {
		/* IEEE 802.1ad S-tag, then two C-tags: one too many. */
		put16(b + off, 0x88a8);
		put16(b + off + 2, p->outer_vlan ? p->outer_vlan : 100);
		put16(b + off + 4, 0x8100);
		put16(b + off + 6, p->vlan ? p->vlan : 200);
		put16(b + off + 8, 0x8100);
		put16(b + off + 10, 300);
		off += 12;
	} else if (p->outer_vlan != IXG_VLAN_NONE) {
		put16(b + off, 0x88a8);
		put16(b + off + 2, p->outer_vlan);
		put16(b + off + 4, 0x8100);
		put16(b + off + 6, p->vlan);
		off += 8;
	} else if (p->vlan != IXG_VLAN_NONE) {
		put16(b + off, 0x8100);
		put16(b + off + 2, p->vlan);
		off += 4;
	}
	put16(b + off, ethertype);
	return off + 2;
}

static void
fill_payload(uint8_t *b, uint32_t len, uint64_t seq)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seq + i);
}

/* The payload after an L4 header: the pattern, then the signature room
 * (if the frame has one) zeroed before the checksum is computed, so a
 * sender only adds the signature's words to the checksum. */
static void
put_payload(struct gen *g, uint8_t *b, uint32_t len)
{
	fill_payload(b, len, g->seq);
	if (g->sig.off != 0 && len >= g->o.sig_room)
		memset(b, 0, g->o.sig_room);
	else
		g->sig.off = 0;
}

/* L4 header + payload of l4len bytes at b, checksummed. */
static void
put_l4(struct gen *g, const struct gen_pkt *p, uint8_t *b, uint32_t l4len,
       int fam)
{
	uint32_t ps = pseudo_sum(fam, p->src, p->dst, p->proto, l4len);
	uint16_t ck;

	switch (p->proto) {
	case 6:
		put16(b, p->sport);
		put16(b + 2, p->dport);
		put32(b + 4, (uint32_t)rnd(g));
		put32(b + 8, (uint32_t)rnd(g));
		b[12] = 5 << 4;
		b[13] = 0x18; /* PSH, ACK */
		put16(b + 14, 64240);
		put16(b + 16, 0);
		put16(b + 18, 0);
		put_payload(g, b + TCP_HDR, l4len - TCP_HDR);
		put16(b + 16, gen_csum(b, l4len, ps));
		break;
	case 17:
		put16(b, p->sport);
		put16(b + 2, p->dport);
		put16(b + 4, (uint16_t)l4len);
		put16(b + 6, 0);
		put_payload(g, b + UDP_HDR, l4len - UDP_HDR);
		ck = gen_csum(b, l4len, ps);
		/* RFC 768: a computed 0 is sent as all ones. */
		put16(b + 6, ck ? ck : 0xffff);
		break;
	case 1:
	case 58:
		b[0] = p->icmp_type;
		b[1] = 0;
		put16(b + 2, 0);
		if (p->icmp_type == 135) {
			/* RFC 4861 4.3 */
			memset(b + 4, 0, 4);
			memcpy(b + 8, p->ns_target, 16);
			b[24] = 1; /* source link-layer address */
			b[25] = 1; /* 8 octets */
			memcpy(b + 26, p->smac, 6);
		} else {
			put16(b + 4, (uint16_t)(0x4000 + (g->seq & 0xfff)));
			put16(b + 6, (uint16_t)g->seq);
			put_payload(g, b + ICMP_HDR, l4len - ICMP_HDR);
		}
		/* ICMPv4 has no pseudo header (RFC 792); ICMPv6 does
		 * (RFC 4443 2.3). */
		put16(b + 2, gen_csum(b, l4len, p->proto == 58 ? ps : 0));
		break;
	default: fill_payload(b, l4len, g->seq); break;
	}
}

static void
put_ip4(const struct gen_pkt *p, uint8_t *b, uint16_t total, uint16_t id)
{
	b[0] = 0x45;
	b[1] = (uint8_t)(p->dscp << 2);
	put16(b + 2, total);
	put16(b + 4, id);
	put16(b + 6, 0x4000); /* DF */
	b[8] = p->ttl;
	b[9] = p->proto;
	put16(b + 10, 0);
	memcpy(b + 12, p->src, 4);
	memcpy(b + 16, p->dst, 4);
	put16(b + 10, gen_csum(b, IP4_HDR, 0));
}

static void
put_ip6(const struct gen_pkt *p, uint8_t *b, uint16_t payload, uint8_t next,
	uint32_t flow)
{
	put32(b, 6u << 28 | (uint32_t)(p->dscp << 2) << 20 | (flow & 0xfffff));
	put16(b + 4, payload);
	b[6] = next;
	b[7] = p->ttl;
	memcpy(b + 8, p->src, 16);
	memcpy(b + 24, p->dst, 16);
}

/* Serialise p into buf; size is the on-the-wire size (with FCS). Sets
 * p->l3_total. Returns the frame length. */
static uint32_t
build(struct gen *g, struct gen_pkt *p, uint8_t *buf, uint32_t size)
{
	uint32_t l2, l4len, frame, want = size - 4, hdrs;
	int fam = p->l3 == GEN_L3_IPV4 ? 4 : 6;
	uint16_t id = (uint16_t)rnd(g);

	memset(&g->sig, 0, sizeof(g->sig));
	if (g->mal == MAL_RUNT) {
		put_l2(p, buf, 0x0800, false);
		return 10;
	}
	if (g->mal == MAL_LLDP) {
		/* IEEE 802.1AB nearest-bridge group address. */
		static const uint8_t lldp[6] = {0x01, 0x80, 0xc2, 0, 0, 0x0e};
		struct gen_pkt q = *p;

		memcpy(q.dmac, lldp, 6);
		q.vlan = q.outer_vlan = IXG_VLAN_NONE;
		l2 = put_l2(&q, buf, 0x88cc, false);
		memset(buf + l2, 0, MIN_FRAME - l2);
		p->l3 = GEN_L3_OTHER;
		return MIN_FRAME;
	}
	if (p->l3 == GEN_L3_ARP) {
		l2 = put_l2(p, buf, 0x0806, false);
		/* RFC 826 */
		put16(buf + l2, 1);
		put16(buf + l2 + 2, 0x0800);
		buf[l2 + 4] = 6;
		buf[l2 + 5] = 4;
		put16(buf + l2 + 6, p->arp_op);
		memcpy(buf + l2 + 8, p->smac, 6);
		memcpy(buf + l2 + 14, p->src, 4);
		memset(buf + l2 + 18, 0, 6);
		memcpy(buf + l2 + 24, p->dst, 4);
		frame = l2 + ARP_LEN;
		if (frame < MIN_FRAME) {
			memset(buf + frame, 0, MIN_FRAME - frame);
			frame = MIN_FRAME;
		}
		return frame;
	}
	l2 = put_l2(p, buf, fam == 4 ? 0x0800 : 0x86dd, g->mal == MAL_VLAN3);
	if (g->mal == MAL_EXT_CHAIN) {
		/* RFC 8200 4.6: 20 destination-options headers, each pointing
		 * at another one, the last one too: an endless chain. */
		uint8_t *e = buf + l2 + IP6_HDR;
		int k;

		put_ip6(p, buf + l2, EXT_CHAIN_LEN * 8, 60, (uint32_t)rnd(g));
		for (k = 0; k < EXT_CHAIN_LEN; k++, e += 8) {
			e[0] = 60;
			e[1] = 0;
			e[2] = 1; /* PadN */
			e[3] = 4;
			memset(e + 4, 0, 4);
		}
		p->l3_total = IP6_HDR + EXT_CHAIN_LEN * 8;
		return l2 + p->l3_total;
	}
	hdrs = (fam == 4 ? IP4_HDR : IP6_HDR) + l4_hdr_len(p);
	if (sig_eligible(g, p)) {
		g->sig.off = (uint16_t)(l2 + hdrs);
		g->sig.csum_off = (uint16_t)(l2 +
					     (fam == 4 ? IP4_HDR : IP6_HDR) +
					     (p->proto == 6    ? 16
					      : p->proto == 17 ? 6
							       : 2));
		g->sig.udp = p->proto == 17;
		hdrs += g->o.sig_room;
	}
	if (p->icmp_type == 135) {
		frame = l2 + hdrs;
	} else {
		frame = want > l2 + hdrs ? want : l2 + hdrs;
		if (frame - l2 > g->min_mtu)
			frame = l2 + g->min_mtu;
	}
	if (g->mal == MAL_TCP_TRUNC)
		frame = l2 + IP4_HDR + 10;
	p->l3_total = (uint16_t)(frame - l2);
	l4len = p->l3_total - (fam == 4 ? IP4_HDR : IP6_HDR);
	if (fam == 4) {
		put_ip4(p, buf + l2, p->l3_total, id);
		if (g->mal == MAL_TCP_TRUNC) {
			uint8_t tmp[TCP_HDR + 8];

			put_l4(g, p, tmp, TCP_HDR + 8, 4);
			memcpy(buf + l2 + IP4_HDR, tmp, 10);
		} else {
			put_l4(g, p, buf + l2 + IP4_HDR, l4len, 4);
		}
	} else {
		put_ip6(p, buf + l2, (uint16_t)l4len, p->proto,
			(uint32_t)rnd(g));
		put_l4(g, p, buf + l2 + IP6_HDR, l4len, 6);
	}
	switch (g->mal) {
	case MAL_IP4_CSUM: buf[l2 + 10] ^= 0x5a; break;
	case MAL_IP4_TOTLEN:
		/* RFC 791: total length claims 40 bytes more than there are. */
		put16(buf + l2 + 2, (uint16_t)(p->l3_total + 40));
		put16(buf + l2 + 10, 0);
		put16(buf + l2 + 10, gen_csum(buf + l2, IP4_HDR, 0));
		break;
	case MAL_IP4_IHL:
		buf[l2] = 0x44;
		put16(buf + l2 + 10, 0);
		put16(buf + l2 + 10, gen_csum(buf + l2, IP4_HDR, 0));
		break;
	default: break;
	}
	if (frame < MIN_FRAME && g->mal != MAL_TCP_TRUNC) {
		/* Ethernet padding after the IP packet (IEEE 802.3 4.2.3.3). */
		memset(buf + frame, 0, MIN_FRAME - frame);
		frame = MIN_FRAME;
	}
	return frame;
}

/* ------------------------------------------------------------------ */
/* Expectation */

/* RFC 2698 colour-blind trTCM on the generated timeline: tells whether the
 * "assumed green" expectation could be wrong for this packet. */
static bool
meter_not_green(struct gen *g, const struct gen_verdict *v, uint32_t bytes,
		uint64_t ts_ns)
{
	const struct ixg_spec_peer *pr = peer_by_id(g, v->in_peer);
	double cir = 0, cbs = 0, pir = 0, pbs = 0, dt;
	uint32_t i;
	struct meter *m;

	if (v->class_id != 0) {
		for (i = 0; i < g->spec->n_classes; i++) {
			const struct ixg_spec_class *c = &g->spec->classes[i];

			if (c->id != v->class_id)
				continue;
			if (c->yellow_action == IXG_METER_PASS &&
			    c->red_action == IXG_METER_PASS)
				return false;
			cir = (double)c->cir;
			cbs = (double)c->cbs;
			pir = (double)c->pir;
			pbs = (double)c->pbs;
		}
	} else if (pr != NULL) {
		cir = pir = (double)pr->rate;
		cbs = pbs = (double)pr->burst;
	}
	if (cir <= 0)
		return false;
	if (pir < cir)
		pir = cir;
	if (pbs < cbs)
		pbs = cbs;
	m = &g->meters[(size_t)v->in_peer * IXG_MAX_CLASSES + v->class_id];
	if (!m->init) {
		m->init = 1;
		m->tc = cbs;
		m->tp = pbs;
		m->last_ns = ts_ns;
	}
	dt = (double)(ts_ns - m->last_ns) * 1e-9;
	m->last_ns = ts_ns;
	m->tc = fmin(cbs, m->tc + cir * dt);
	m->tp = fmin(pbs, m->tp + pir * dt);
	if (m->tp < bytes)
		return true;
	m->tp -= bytes;
	if (m->tc < bytes)
		return true;
	m->tc -= bytes;
	return false;
}

static void
account(struct gen *g, unsigned kind, const struct gen_pkt *p,
	const struct gen_verdict *v, uint64_t ts_ns)
{
	struct gen_counts *c = &g->c;

	c->rx++;
	c->kinds[kind]++;
	if (v->in_peer != IXG_PEER_NONE)
		c->peer_rx[v->in_peer]++;
	switch (v->verdict) {
	case GEN_V_FORWARD:
		c->tx++;
		c->peer_tx[v->out_peer]++;
		break;
	case GEN_V_LOCAL: c->local++; break;
	default:
		c->drops[v->reason]++;
		if (p->malformed)
			c->malformed[v->reason]++;
		break;
	}
	/* Packets that reach the policer: forwarded, or dropped after it. */
	if (v->policed &&
	    (v->verdict == GEN_V_FORWARD || v->reason == IXG_DROP_TTL_EXPIRED ||
	     v->reason == IXG_DROP_MTU_EXCEEDED) &&
	    (meter_not_green(g, v, p->l3_total, ts_ns) ||
	     kind == GEN_K_POLICED)) {
		c->approx_packets++;
		if (v->verdict == GEN_V_FORWARD)
			c->approx_peer[v->out_peer] = true;
	}
}

static unsigned
pick_kind(struct gen *g)
{
	double x = rnd_unit(g) * g->mix_cum[GEN_K_MAX - 1];
	unsigned k;

	for (k = 0; k < GEN_K_MAX - 1; k++)
		if (x < g->mix_cum[k])
			break;
	return k;
}

/*
 * Next frame (see gen.h). A kind the spec cannot produce (no blackhole, no
 * deny rule, ...) falls back to a forward packet.
 */
uint32_t
gen_next(struct gen *g, uint8_t *buf, uint64_t *ts_ns, struct gen_pkt *pout,
	 struct gen_verdict *vout)
{
	unsigned kind = pick_kind(g), used = kind;
	struct gen_verdict v;
	struct gen_pkt p;
	uint32_t rule_id, len, size;
	uint64_t ts;
	bool ok = false;
	int t;

	ts = g->o.start_ns + (uint64_t)((double)g->seq * 1e9 / g->o.rate_pps);
	size = g->o.size == GEN_SIZE_IMIX ? imix_size(g) : g->o.size;
	for (t = 0; t < GEN_TRIES && !ok; t++) {
		if (!describe(g, kind, &p, &rule_id))
			continue;
		p.kind = (uint8_t)kind;
		gen_model_eval(g->model, &p, &v);
		ok = verdict_ok(g, kind, &v, rule_id);
	}
	if (!ok) {
		/* The kind is impossible here: send plain transit instead. */
		bool described = false;

		used = GEN_K_FORWARD;
		for (t = 0; t < GEN_TRIES; t++) {
			if (!describe(g, GEN_K_FORWARD, &p, &rule_id))
				continue;
			described = true;
			p.kind = GEN_K_FORWARD;
			gen_model_eval(g->model, &p, &v);
			if (verdict_ok(g, GEN_K_FORWARD, &v, 0))
				break;
		}
		if (!described) {
			/* Not even transit is possible (every route is the
			 * sender's own): send a runt, which is always valid
			 * to describe and expect. */
			used = GEN_K_MALFORMED;
			memset(&p, 0, sizeof(p));
			set_l2(g, &p, &g->spec->peers[g->senders[0]]);
			g->mal = MAL_RUNT;
			p.kind = GEN_K_MALFORMED;
			p.malformed = IXG_DROP_RUNT + 1;
		}
	}
	len = build(g, &p, buf, size);
	/* The frame fixed l3_total (sizes, MTU): decide with it. */
	gen_model_eval(g->model, &p, &v);
	account(g, used, &p, &v, ts);
	g->seq++;
	*ts_ns = ts;
	if (pout != NULL)
		*pout = p;
	if (vout != NULL)
		*vout = v;
	return len;
}

/* Signature room of the last frame built (see gen.h). */
void
gen_last_sig(const struct gen *g, struct gen_sig_place *sp)
{
	*sp = g->sig;
}

/* ------------------------------------------------------------------ */
/* JSON */

/*
 * Write the expectation as JSON (see gen.h): the dataplane's counter shape
 * plus "approximate" (fields the policer may change), "approximate_packets",
 * "kinds" and "malformed". 0, or -1 with errno on a write error.
 */
int
gen_write_expect(const struct gen *g, FILE *f)
{
	const struct gen_counts *c = &g->c;
	bool first = true;
	unsigned i;

	fprintf(f,
		"{\"rx_packets\":%" PRIu64 ",\"tx_packets\":%" PRIu64
		",\"local_packets\":%" PRIu64 ",\"drops\":{",
		c->rx, c->tx, c->local);
	for (i = 0; i < IXG_DROP_MAX; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", ixg_drop_name(i),
			c->drops[i]);
	fputs("},\"peers\":{", f);
	for (i = 0; i < g->spec->n_peers; i++) {
		const struct ixg_spec_peer *p = &g->spec->peers[i];

		if (p->id == IXG_PEER_NONE || p->id >= IXG_MAX_PEERS)
			continue;
		fputs(first ? "" : ",", f);
		first = false;
		ixg_json_quote(f, p->name);
		fprintf(f,
			":{\"rx_packets\":%" PRIu64 ",\"tx_packets\":%" PRIu64
			"}",
			c->peer_rx[p->id], c->peer_tx[p->id]);
	}
	fputs("},\"approximate\":[", f);
	if (c->approx_packets > 0) {
		fputs("\"tx_packets\",\"drops.policer_yellow\","
		      "\"drops.policer_red\"",
		      f);
		for (i = 0; i < g->spec->n_peers; i++) {
			const struct ixg_spec_peer *p = &g->spec->peers[i];
			char key[IXG_NAME_LEN + 32];

			if (p->id >= IXG_MAX_PEERS || !c->approx_peer[p->id])
				continue;
			snprintf(key, sizeof(key), "peers.%s.tx_packets",
				 p->name);
			fputc(',', f);
			ixg_json_quote(f, key);
		}
	}
	fprintf(f, "],\"approximate_packets\":%" PRIu64 ",\"kinds\":{",
		c->approx_packets);
	for (i = 0; i < GEN_K_MAX; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", kind_names[i],
			c->kinds[i]);
	fputs("},\"malformed\":{", f);
	first = true;
	for (i = 0; i < IXG_DROP_MAX; i++) {
		if (c->malformed[i] == 0)
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",",
			ixg_drop_name(i), c->malformed[i]);
		first = false;
	}
	fputs("}}\n", f);
	if (ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
