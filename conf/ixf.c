/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixf.c - IX-F Member Export JSON (schema 1.0) from a compiled config, and
 * an ixgate member config skeleton from an export (ixf.h, doc/ixf.md).
 *
 * JSON is read and written with jansson (Debian's libjansson): an export
 * of a thousand members is a few hundred KiB, read once.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ixf.h"

/* ---- helpers ------------------------------------------------------------ */

static void
format_rfc3339(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

static void
format_mac(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

void
ixg_ixf_slug(const char *text, char *out, size_t room)
{
	size_t n = 0;
	bool dash = false;

	if (room == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)text;
	     p != NULL && *p != '\0' && n + 1 < room; p++) {
		if (isascii(*p) && isalnum(*p)) {
			if (dash && n > 0 && n + 2 < room)
				out[n++] = '-';
			dash = false;
			out[n++] = (char)tolower(*p);
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
}

/* ---- export ------------------------------------------------------------- */

/* Sets of json_object_set_new that remember a failure (ENOMEM). */
struct jb {
	bool bad;
};

static void
put(struct jb *b, json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) < 0)
		b->bad = true;
}

static void
push(struct jb *b, json_t *arr, json_t *v)
{
	if (v == NULL || json_array_append_new(arr, v) < 0)
		b->bad = true;
}

static void
cc_text(ixg_cc_t cc, char out[3])
{
	out[0] = (char)(cc >> 8);
	out[1] = (char)(cc & 0xff);
	out[2] = '\0';
}

/* The node's own subnet of family fam on VLAN vid (any port), as an IX-F
 * {prefix, mask_length} object, or NULL. */
static json_t *
vlan_subnet(struct jb *b, const struct ixg_spec *s, uint16_t vid, uint8_t fam)
{
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *a = &s->local_addrs[i];
		uint8_t net[16];
		char txt[INET6_ADDRSTRLEN];
		json_t *o;

		if (a->vlan != vid || a->family != fam)
			continue;
		memcpy(net, a->addr, 16);
		for (unsigned bit = a->len; bit < (fam == 4 ? 32u : 128u);
		     bit++)
			net[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
		inet_ntop(fam == 4 ? AF_INET : AF_INET6, net, txt, sizeof(txt));
		o = json_object();
		if (o == NULL) {
			b->bad = true;
			return NULL;
		}
		put(b, o, "prefix", json_string(txt));
		put(b, o, "mask_length", json_integer(a->len));
		return o;
	}
	return NULL;
}

/* The ixp_list entry: info, one switch (the node), the VLANs peers use. */
static json_t *
export_ixp(struct jb *b, const struct ixg_spec *s,
	   const struct ixg_ixf_info *info)
{
	json_t *ixp = json_object(), *sw = json_array(), *sw0 = json_object();
	json_t *vlans = json_array();
	char cc[3];
	uint8_t seen[4096 / 8] = {0};

	if (ixp == NULL || sw == NULL || sw0 == NULL || vlans == NULL) {
		json_decref(ixp);
		json_decref(sw);
		json_decref(sw0);
		json_decref(vlans);
		b->bad = true;
		return NULL;
	}
	cc_text(s->node.home_country, cc);
	put(b, ixp, "ixp_id", json_integer(info->ixp_id));
	put(b, ixp, "ixf_id", json_integer(info->ixf_id));
	put(b, ixp, "shortname",
	    json_string(info->shortname ? info->shortname : s->node.name));
	if (info->name != NULL)
		put(b, ixp, "name", json_string(info->name));
	if (info->url != NULL)
		put(b, ixp, "url", json_string(info->url));
	put(b, ixp, "country", json_string(info->country ? info->country : cc));
	if (info->peeringdb_id > 0)
		put(b, ixp, "peeringdb_id", json_integer(info->peeringdb_id));
	put(b, sw0, "id", json_integer(1));
	put(b, sw0, "name", json_string(s->node.name));
	put(b, sw0, "country", json_string(cc));
	push(b, sw, sw0);
	put(b, ixp, "switch", sw);
	for (uint32_t i = 0; i < s->n_peers; i++) {
		uint16_t vid = s->peers[i].vlan;
		json_t *v, *sub;
		char name[32];

		if (vid >= 4096 || (seen[vid / 8] & (1u << (vid % 8))))
			continue;
		seen[vid / 8] |= (uint8_t)(1u << (vid % 8));
		v = json_object();
		if (v == NULL) {
			b->bad = true;
			break;
		}
		if (vid == IXG_VLAN_NONE)
			snprintf(name, sizeof(name), "untagged");
		else
			snprintf(name, sizeof(name), "vlan %u", vid);
		put(b, v, "id", json_integer(vid));
		put(b, v, "name", json_string(name));
		if ((sub = vlan_subnet(b, s, vid, 4)) != NULL)
			put(b, v, "ipv4", sub);
		if ((sub = vlan_subnet(b, s, vid, 6)) != NULL)
			put(b, v, "ipv6", sub);
		push(b, vlans, v);
	}
	put(b, ixp, "vlan", vlans);
	return ixp;
}

/* One family's object of a vlan_list entry: address and MACs. */
static json_t *
peer_family(struct jb *b, const struct ixg_spec_peer *p, int fam, bool macs)
{
	json_t *o = json_object(), *arr;
	char txt[INET6_ADDRSTRLEN];

	if (o == NULL) {
		b->bad = true;
		return NULL;
	}
	if (fam == 4 && p->has_nh4) {
		inet_ntop(AF_INET, p->nh4, txt, sizeof(txt));
		put(b, o, "address", json_string(txt));
	} else if (fam == 6 && p->has_nh6) {
		inet_ntop(AF_INET6, p->nh6, txt, sizeof(txt));
		put(b, o, "address", json_string(txt));
	}
	if (macs) {
		arr = json_array();
		for (unsigned m = 0; arr != NULL && m < p->n_macs; m++) {
			format_mac(p->macs[m], txt, sizeof(txt));
			push(b, arr, json_string(txt));
		}
		put(b, o, "mac_addresses", arr);
	}
	return o;
}

static json_t *
export_vlan_entry(struct jb *b, const struct ixg_spec_peer *p)
{
	json_t *v = json_object();

	if (v == NULL) {
		b->bad = true;
		return NULL;
	}
	put(b, v, "vlan_id", json_integer(p->vlan));
	/* IX-F keeps MACs per family: with each address; with no address
	 * at all, in an ipv4 object of their own, so they are not lost. */
	if (p->has_nh4 || !p->has_nh6)
		put(b, v, "ipv4", peer_family(b, p, 4, true));
	if (p->has_nh6)
		put(b, v, "ipv6", peer_family(b, p, 6, true));
	return v;
}

static json_t *
export_member(struct jb *b, const struct ixg_spec *s, uint32_t first,
	      const struct ixg_ixf_info *info)
{
	const struct ixg_spec_peer *p0 = &s->peers[first];
	json_t *m = json_object(), *conns = json_array();
	uint8_t port_done[IXG_MAX_PORTS] = {0};

	if (m == NULL || conns == NULL) {
		json_decref(m);
		json_decref(conns);
		b->bad = true;
		return NULL;
	}
	put(b, m, "asnum", json_integer(p0->asn));
	put(b, m, "member_type", json_string("peering"));
	put(b, m, "name", json_string(p0->name));
	for (uint32_t i = first; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];
		json_t *c, *ifl, *if0, *vl;

		if (p->asn != p0->asn || p->port_id >= IXG_MAX_PORTS ||
		    port_done[p->port_id])
			continue;
		port_done[p->port_id] = 1;
		c = json_object();
		ifl = json_array();
		if0 = json_object();
		vl = json_array();
		if (c == NULL || ifl == NULL || if0 == NULL || vl == NULL) {
			json_decref(c);
			json_decref(ifl);
			json_decref(if0);
			json_decref(vl);
			b->bad = true;
			break;
		}
		put(b, c, "ixp_id", json_integer(info->ixp_id));
		put(b, c, "state", json_string("active"));
		put(b, if0, "switch_id", json_integer(1));
		push(b, ifl, if0);
		put(b, c, "if_list", ifl);
		/* Every peer of this member on this port, in id order. */
		for (uint32_t k = i; k < s->n_peers; k++)
			if (s->peers[k].asn == p0->asn &&
			    s->peers[k].port_id == p->port_id)
				push(b, vl, export_vlan_entry(b, &s->peers[k]));
		put(b, c, "vlan_list", vl);
		push(b, conns, c);
	}
	put(b, m, "connection_list", conns);
	return m;
}

int
ixg_ixf_export(const struct ixg_spec *spec, const struct ixg_ixf_info *info,
	       FILE *out)
{
	struct jb b = {false};
	json_t *root = json_object(), *ixps = json_array(),
	       *members = json_array();
	char ts[32];
	int rc = 0;

	if (root == NULL || ixps == NULL || members == NULL) {
		json_decref(root);
		json_decref(ixps);
		json_decref(members);
		return -ENOMEM;
	}
	format_rfc3339(info->timestamp, ts, sizeof(ts));
	put(&b, root, "version", json_string(IXG_IXF_VERSION));
	put(&b, root, "timestamp", json_string(ts));
	push(&b, ixps, export_ixp(&b, spec, info));
	put(&b, root, "ixp_list", ixps);
	for (uint32_t i = 0; i < spec->n_peers && !b.bad; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < i && !seen; j++)
			seen = spec->peers[j].asn == spec->peers[i].asn;
		if (!seen)
			push(&b, members, export_member(&b, spec, i, info));
	}
	put(&b, root, "member_list", members);
	if (b.bad)
		rc = -ENOMEM;
	else if (json_dumpf(root, out, JSON_INDENT(2)) < 0 ||
		 fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
		rc = -EIO;
	json_decref(root);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

struct imp_port {
	char name[IXG_NAME_LEN];
	char comment[256];
	bool used; /* an enabled peer is on it */
};

struct imp_peer {
	char name[IXG_NAME_LEN];
	char member[96]; /* the export's name, sanitised */
	uint32_t asn;
	uint32_t port; /* index into ports */
	int vlan; /* -1 untagged */
	int64_t vlan_id; /* as exported, -1 absent */
	uint8_t macs[IXG_MAX_PEER_MACS][6];
	unsigned n_macs, extra_macs;
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
	int64_t maxp4, maxp6;
	char set4[64], set6[64];
	char why[160]; /* non-empty: written as a comment, with this reason */
	unsigned conn; /* connection number within the member, from 1 */
};

struct imp {
	const struct ixg_ixf_import *opt;
	FILE *warn;
	char *err;
	size_t errlen;
	struct imp_port *ports;
	unsigned n_ports, cap_ports;
	struct imp_peer *peers;
	unsigned n_peers, cap_peers;
	unsigned members, skipped_conns, no_mac_members;
	int64_t ixp_id;
	bool any_ixp;
	unsigned trunk_port; /* index of the trunk port */
};

static int __attribute__((format(printf, 2, 3)))
imp_fail(struct imp *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(im->err, im->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void __attribute__((format(printf, 2, 3)))
imp_warn(struct imp *im, const char *fmt, ...)
{
	va_list ap;

	if (im->warn == NULL)
		return;
	fputs("ixf: warning: ", im->warn);
	va_start(ap, fmt);
	vfprintf(im->warn, fmt, ap);
	va_end(ap);
	fputc('\n', im->warn);
}

/* Free text from the export, safe in a one-line config comment. */
static void
sanitise(const char *in, char *out, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return;
	for (; in != NULL && *in != '\0' && n + 1 < len; in++)
		out[n++] = ((unsigned char)*in < 0x20 || *in == 0x7f) ? '?'
								      : *in;
	out[n] = '\0';
}

/* An AS-SET name a shell command line can carry as one word. */
static bool
as_set_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) >= 64)
		return false;
	for (; *s != '\0'; s++)
		if (!isascii((unsigned char)*s) ||
		    !(isalnum((unsigned char)*s) || *s == '-' || *s == ':' ||
		      *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool
parse_mac_text(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char sep[5], end;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &v[0], &sep[0], &v[1],
		   &sep[1], &v[2], &sep[2], &v[3], &sep[3], &v[4], &sep[4],
		   &v[5], &end) != 11)
		return false;
	for (int i = 0; i < 5; i++)
		if (sep[i] != ':' && sep[i] != '-')
			return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 != 2 && !isxdigit((unsigned char)s[i]))
			return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	/* ixgate refuses multicast and all-zero MACs (they cannot be a
	 * member's source address). */
	if (mac[0] & 1)
		return false;
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) != 0;
}

static void
add_mac(struct imp *im, struct imp_peer *p, const char *txt, const char *path)
{
	uint8_t m[6];

	if (!parse_mac_text(txt, m)) {
		imp_warn(im, "%s: '%s' is not a unicast MAC address; skipped",
			 path, txt);
		return;
	}
	for (unsigned i = 0; i < p->n_macs; i++)
		if (memcmp(p->macs[i], m, 6) == 0)
			return;
	if (p->n_macs == IXG_MAX_PEER_MACS) {
		p->extra_macs++;
		return;
	}
	memcpy(p->macs[p->n_macs++], m, 6);
}

/*
 * json_t accessors that name the path of a wrong type: o's member key, of
 * the given type, in *v; 1 if found, 0 if absent and not required, the
 * imp_fail() result otherwise.
 */
static int
get_json(struct imp *im, json_t *o, const char *key, const char *path,
	 bool required, json_type type, const char *what, json_t **v)
{
	json_t *j = json_object_get(o, key);

	*v = NULL;
	if (j == NULL) {
		if (required)
			return imp_fail(im, "%s: no \"%s\" (required)", path,
					key);
		return 0;
	}
	if (json_typeof(j) != type)
		return imp_fail(im, "%s.%s: expected %s", path, key, what);
	*v = j;
	return 1;
}

static int
get_int(struct imp *im, json_t *o, const char *key, const char *path,
	bool required, int64_t *v)
{
	json_t *j;
	int rc = get_json(im, o, key, path, required, JSON_INTEGER,
			  "an integer", &j);

	if (rc == 1)
		*v = json_integer_value(j);
	return rc;
}

static int
get_str(struct imp *im, json_t *o, const char *key, const char *path,
	const char **v)
{
	json_t *j;
	int rc = get_json(im, o, key, path, false, JSON_STRING, "a string", &j);

	if (rc == 1)
		*v = json_string_value(j);
	return rc;
}

static int
get_obj(struct imp *im, json_t *o, const char *key, const char *path,
	json_t **v)
{
	return get_json(im, o, key, path, false, JSON_OBJECT, "an object", v);
}

static int
get_arr(struct imp *im, json_t *o, const char *key, const char *path,
	bool required, json_t **v)
{
	return get_json(im, o, key, path, required, JSON_ARRAY, "an array", v);
}

static bool
name_used(const struct imp *im, const char *name)
{
	for (unsigned i = 0; i < im->n_peers; i++)
		if (strcmp(im->peers[i].name, name) == 0)
			return true;
	return false;
}

static bool
port_used(const struct imp *im, const char *name)
{
	for (unsigned i = 0; i < im->n_ports; i++)
		if (strcmp(im->ports[i].name, name) == 0)
			return true;
	return false;
}

/*
 * A name not yet used by a peer (ports: by a port) from base (at most 31
 * characters): BASE, then BASE-2, BASE-3, ... with BASE shortened to keep
 * the whole within IXG_NAME_LEN - 1.
 */
static void
unique_name(const struct imp *im, bool port, const char *base,
	    char out[IXG_NAME_LEN])
{
	char n[IXG_NAME_LEN], k_txt[8];

	snprintf(n, sizeof(n), "%s", base);
	for (unsigned k = 2;
	     (port ? port_used(im, n) : name_used(im, n)) && k < 100000; k++) {
		int room = IXG_NAME_LEN - 1 -
			   snprintf(k_txt, sizeof(k_txt), "-%u", k);

		snprintf(n, sizeof(n), "%.*s%s", room, base, k_txt);
	}
	memcpy(out, n, IXG_NAME_LEN);
}

static struct imp_peer *
new_peer(struct imp *im)
{
	if (im->n_peers == im->cap_peers) {
		unsigned cap = im->cap_peers ? im->cap_peers * 2 : 64;
		void *p = realloc(im->peers, cap * sizeof(*im->peers));

		if (p == NULL)
			return NULL;
		im->peers = p;
		im->cap_peers = cap;
	}
	memset(&im->peers[im->n_peers], 0, sizeof(im->peers[0]));
	return &im->peers[im->n_peers++];
}

static struct imp_port *
new_port(struct imp *im)
{
	if (im->n_ports == im->cap_ports) {
		unsigned cap = im->cap_ports ? im->cap_ports * 2 : 32;
		void *p = realloc(im->ports, cap * sizeof(*im->ports));

		if (p == NULL)
			return NULL;
		im->ports = p;
		im->cap_ports = cap;
	}
	memset(&im->ports[im->n_ports], 0, sizeof(im->ports[0]));
	return &im->ports[im->n_ports++];
}

/* One family (ipv4/ipv6) of a vlan_list entry. */
static int
read_family(struct imp *im, struct imp_peer *p, json_t *v, int fam,
	    const char *vpath)
{
	const char *key = fam == 4 ? "ipv4" : "ipv6";
	char path[288], mpath[352];
	json_t *o, *macs;
	const char *s = NULL;
	int64_t mp = 0;
	int rc;
	uint8_t bin[16];

	snprintf(path, sizeof(path), "%s.%s", vpath, key);
	if ((rc = get_obj(im, v, key, vpath, &o)) <= 0)
		return rc;
	if ((rc = get_str(im, o, "address", path, &s)) < 0)
		return rc;
	if (rc == 1) {
		if (inet_pton(fam == 4 ? AF_INET : AF_INET6, s, bin) != 1)
			imp_warn(im,
				 "%s.address: '%s' is not an IPv%d address; "
				 "skipped",
				 path, s, fam);
		else
			inet_ntop(fam == 4 ? AF_INET : AF_INET6, bin,
				  fam == 4 ? p->a4 : p->a6,
				  fam == 4 ? sizeof(p->a4) : sizeof(p->a6));
	}
	if ((rc = get_int(im, o, "max_prefix", path, false, &mp)) < 0)
		return rc;
	if (rc == 1) {
		if (fam == 4)
			p->maxp4 = mp;
		else
			p->maxp6 = mp;
	}
	s = NULL;
	if ((rc = get_str(im, o, "as_macro", path, &s)) < 0)
		return rc;
	if (rc == 1)
		snprintf(fam == 4 ? p->set4 : p->set6, sizeof(p->set4), "%s",
			 as_set_ok(s) ? s : "?");
	if ((rc = get_arr(im, o, "mac_addresses", path, false, &macs)) < 0)
		return rc;
	for (size_t i = 0; macs != NULL && i < json_array_size(macs); i++) {
		json_t *m = json_array_get(macs, i);

		snprintf(mpath, sizeof(mpath), "%s.mac_addresses[%zu]", path,
			 i);
		if (!json_is_string(m))
			return imp_fail(im, "%s: expected a string", mpath);
		add_mac(im, p, json_string_value(m), mpath);
	}
	return 0;
}

/* The ports and peers of one connection. */
static int
read_connection(struct imp *im, json_t *c, const char *cpath, uint32_t asn,
		const char *slug, const char *member, unsigned conn_no)
{
	json_t *vl, *ifl;
	struct imp_port *port;
	unsigned first_peer = im->n_peers, n_entries;
	char comment[256], path[384];
	const char *state = NULL;
	size_t cl = 0;
	int rc;

	if ((rc = get_arr(im, c, "vlan_list", cpath, false, &vl)) < 0 ||
	    (rc = get_arr(im, c, "if_list", cpath, false, &ifl)) < 0 ||
	    (rc = get_str(im, c, "state", cpath, &state)) < 0)
		return rc;
	n_entries = vl != NULL ? (unsigned)json_array_size(vl) : 0;

	/* The port comment: the member's interfaces at the exchange. */
	cl += (size_t)snprintf(comment + cl, sizeof(comment) - cl,
			       "%s AS%" PRIu32 ", connection %u", member, asn,
			       conn_no);
	for (size_t i = 0; ifl != NULL && i < json_array_size(ifl); i++) {
		json_t *f = json_array_get(ifl, i);
		int64_t speed = 0, sw = -1;
		const char *type = NULL;

		snprintf(path, sizeof(path), "%s.if_list[%zu]", cpath, i);
		if (!json_is_object(f))
			return imp_fail(im, "%s: expected an object", path);
		if ((rc = get_int(im, f, "if_speed", path, false, &speed)) <
			    0 ||
		    (rc = get_int(im, f, "switch_id", path, false, &sw)) < 0 ||
		    (rc = get_str(im, f, "if_type", path, &type)) < 0)
			return rc;
		if (cl < sizeof(comment))
			cl += (size_t)snprintf(
				comment + cl, sizeof(comment) - cl,
				"%s %" PRId64 " Mb/s%s%s", i == 0 ? ":" : ",",
				speed, type ? " " : "", type ? type : "");
		if (sw >= 0 && cl < sizeof(comment))
			cl += (size_t)snprintf(comment + cl,
					       sizeof(comment) - cl,
					       " switch %" PRId64, sw);
	}
	if (state != NULL && cl < sizeof(comment))
		snprintf(comment + cl, sizeof(comment) - cl, ", %s", state);

	if (im->opt->trunk != NULL) {
		port = &im->ports[im->trunk_port];
	} else {
		char base[IXG_NAME_LEN];

		port = new_port(im);
		if (port == NULL)
			return -ENOMEM;
		snprintf(base, sizeof(base), "%.23s.c%u", slug, conn_no % 1000);
		unique_name(im, true, base, port->name);
		sanitise(comment, port->comment, sizeof(port->comment));
	}

	for (unsigned e = 0; e < (n_entries ? n_entries : 1); e++) {
		struct imp_peer *p = new_peer(im);
		json_t *v = n_entries ? json_array_get(vl, e) : NULL;
		bool tagged = im->opt->trunk != NULL || n_entries > 1;
		const char *legacy = NULL;
		char vpath[256];

		if (p == NULL)
			return -ENOMEM;
		unique_name(im, false, slug, p->name);
		snprintf(p->member, sizeof(p->member), "%s", member);
		p->asn = asn;
		p->port = (unsigned)(port - im->ports);
		p->vlan = -1;
		p->vlan_id = -1;
		p->conn = conn_no;
		if (v == NULL) {
			snprintf(p->why, sizeof(p->why),
				 "the export gives no VLAN, address or MAC "
				 "for this connection");
			continue;
		}
		snprintf(vpath, sizeof(vpath), "%s.vlan_list[%u]", cpath, e);
		if (!json_is_object(v))
			return imp_fail(im, "%s: expected an object", vpath);
		if ((rc = get_int(im, v, "vlan_id", vpath, false,
				  &p->vlan_id)) < 0)
			return rc;
		if ((rc = read_family(im, p, v, 4, vpath)) < 0 ||
		    (rc = read_family(im, p, v, 6, vpath)) < 0)
			return rc;
		/* Before 1.0 (0.4 .. 0.7): one "mac_address" per entry. */
		if ((rc = get_str(im, v, "mac_address", vpath, &legacy)) < 0)
			return rc;
		if (rc == 1) {
			snprintf(path, sizeof(path), "%s.mac_address", vpath);
			add_mac(im, p, legacy, path);
		}
		if (tagged && p->vlan_id > 0 && p->vlan_id <= 4094)
			p->vlan = (int)p->vlan_id;
		else if (tagged && p->vlan_id > 4094)
			snprintf(p->why, sizeof(p->why),
				 "vlan_id %" PRId64
				 " is not an 802.1Q VLAN id (1..4094)",
				 p->vlan_id);
		else if (tagged && p->vlan_id < -1)
			snprintf(p->why, sizeof(p->why),
				 "vlan_id %" PRId64 " is negative", p->vlan_id);
		if (p->why[0] == '\0' && p->n_macs == 0)
			snprintf(p->why, sizeof(p->why),
				 "no MAC address in the export (ixgate "
				 "recognises a member by its MAC)");
		if (p->why[0] != '\0' && p->vlan_id > 4094)
			imp_warn(im,
				 "%s.vlan_id: %s; peer written as a comment",
				 vpath, p->why);
	}

	/* A MAC already used on the same port and VLAN (the config would
	 * refuse it): the later peer becomes a comment. */
	for (unsigned i = first_peer; i < im->n_peers; i++) {
		struct imp_peer *p = &im->peers[i];

		for (unsigned j = 0; j < i && p->why[0] == '\0'; j++) {
			const struct imp_peer *q = &im->peers[j];

			if (q->why[0] != '\0' || q->port != p->port ||
			    q->vlan != p->vlan)
				continue;
			for (unsigned a = 0; a < p->n_macs; a++)
				for (unsigned b = 0; b < q->n_macs; b++)
					if (memcmp(p->macs[a], q->macs[b], 6) ==
					    0) {
						char m[18];

						format_mac(p->macs[a], m,
							   sizeof(m));
						snprintf(p->why, sizeof(p->why),
							 "MAC %s is already "
							 "peer %s's on this "
							 "port and VLAN",
							 m, q->name);
						imp_warn(im,
							 "%s: %s; peer %s "
							 "written as a comment",
							 cpath, p->why,
							 p->name);
					}
		}
		if (p->why[0] == '\0')
			port->used = true;
	}
	return 0;
}

static int
read_member(struct imp *im, json_t *m, size_t idx)
{
	char path[64], cpath[128], slug[IXG_NAME_LEN], member[96];
	const char *name = NULL;
	json_t *conns;
	int64_t asn = 0;
	unsigned conn_no = 0, before = im->n_peers;
	bool any_mac = false;
	int rc;

	snprintf(path, sizeof(path), "member_list[%zu]", idx);
	if (!json_is_object(m))
		return imp_fail(im, "%s: expected an object", path);
	if ((rc = get_int(im, m, "asnum", path, true, &asn)) < 0)
		return rc;
	if (asn < 1 || asn > 4294967294LL)
		return imp_fail(im,
				"%s.asnum: %" PRId64
				" is not an AS number (1..4294967294)",
				path, asn);
	if ((rc = get_str(im, m, "name", path, &name)) < 0 ||
	    (rc = get_arr(im, m, "connection_list", path, true, &conns)) < 0)
		return rc;
	ixg_ixf_slug(name, slug, IXG_NAME_LEN - 8);
	if (slug[0] == '\0')
		snprintf(slug, sizeof(slug), "as%" PRId64, asn);
	sanitise(name ? name : slug, member, sizeof(member));
	im->members++;
	for (size_t c = 0; c < json_array_size(conns); c++) {
		json_t *conn = json_array_get(conns, c);
		int64_t ixp = 0;

		snprintf(cpath, sizeof(cpath), "%s.connection_list[%zu]", path,
			 c);
		if (!json_is_object(conn))
			return imp_fail(im, "%s: expected an object", cpath);
		if ((rc = get_int(im, conn, "ixp_id", cpath, true, &ixp)) < 0)
			return rc;
		if (im->any_ixp && ixp != im->ixp_id) {
			im->skipped_conns++;
			continue;
		}
		rc = read_connection(im, conn, cpath, (uint32_t)asn, slug,
				     member, ++conn_no);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = before; i < im->n_peers; i++)
		any_mac |= im->peers[i].why[0] == '\0';
	if (!any_mac)
		im->no_mac_members++;
	return 0;
}

static int
write_config(struct imp *im, json_t *ixp, const char *version, const char *ts,
	     FILE *out)
{
	const char *shortname = NULL, *fullname = NULL, *country = NULL;
	char node[IXG_NAME_LEN], cc[3] = "ZZ", text[128];
	unsigned enabled = 0, dev = 0;

	if (ixp != NULL) {
		json_t *j;

		if ((j = json_object_get(ixp, "shortname")) &&
		    json_is_string(j))
			shortname = json_string_value(j);
		if ((j = json_object_get(ixp, "name")) && json_is_string(j))
			fullname = json_string_value(j);
		if ((j = json_object_get(ixp, "country")) && json_is_string(j))
			country = json_string_value(j);
	}
	ixg_ixf_slug(shortname, node, sizeof(node));
	if (node[0] == '\0')
		snprintf(node, sizeof(node), "ixp-%" PRId64, im->ixp_id);
	if (country != NULL && strlen(country) == 2 &&
	    isalpha((unsigned char)country[0]) &&
	    isalpha((unsigned char)country[1])) {
		cc[0] = (char)toupper((unsigned char)country[0]);
		cc[1] = (char)toupper((unsigned char)country[1]);
	} else if (im->opt->country != NULL) {
		snprintf(cc, sizeof(cc), "%s", im->opt->country);
	}
	for (unsigned i = 0; i < im->n_peers; i++)
		enabled += im->peers[i].why[0] == '\0';

	fprintf(out, "# ixgate member config: a skeleton generated by "
		     "ixgate-mkconfig --from-ixf\n");
	sanitise(im->opt->source ? im->opt->source : "-", text, sizeof(text));
	fprintf(out, "# from %s, an IX-F Member Export (version ", text);
	sanitise(version, text, sizeof(text));
	fprintf(out, "%s, exported ", text);
	sanitise(ts, text, sizeof(text));
	fprintf(out, "%s)\n", text);
	sanitise(shortname ? shortname : "?", text, sizeof(text));
	fprintf(out, "# of %s", text);
	if (fullname != NULL) {
		sanitise(fullname, text, sizeof(text));
		fprintf(out, " (%s)", text);
	}
	fprintf(out, ", ixp_id %" PRId64 ".\n", im->ixp_id);
	fprintf(out,
		"# %u members: %u peers; %u members not configured (written "
		"as comments:\n# no MAC address in the export, and ixgate "
		"recognises a member by its MAC,\n# or a VLAN id it cannot "
		"use)",
		im->members, enabled, im->no_mac_members);
	if (im->skipped_conns)
		fprintf(out, "; %u connections at other exchanges skipped",
			im->skipped_conns);
	fprintf(out, ".\n# Before use: give each port the NIC it uses (PCI "
		     "address) and each peer\n# its prefixes (announce, "
		     "announce-file: see the bgpq4 lines).\n\n");
	fprintf(out, "node {\n\tname %s;\n\tcountry %s;", node, cc);
	if (country == NULL || strlen(country) != 2)
		fprintf(out, "  # the export names no country");
	fprintf(out, "\n}\n");

	for (unsigned i = 0; i < im->n_ports; i++) {
		struct imp_port *pt = &im->ports[i];
		const char *c = pt->used ? "" : "# ";

		fprintf(out, "\n");
		if (pt->comment[0] != '\0')
			fprintf(out, "# %s\n", pt->comment);
		if (!pt->used)
			fprintf(out, "# (no usable peer on this connection)\n");
		fprintf(out, "%sport %s {\n%s\tdevice \"%s%u\";\n%s}\n", c,
			pt->name, c,
			im->opt->device_prefix ? im->opt->device_prefix
					       : "net_null",
			pt->used ? dev : 0, c);
		if (pt->used)
			dev++;
	}

	for (unsigned i = 0; i < im->n_peers; i++) {
		const struct imp_peer *p = &im->peers[i];
		const char *c = p->why[0] ? "# " : "";
		char mac[18];

		fprintf(out, "\n# %s AS%" PRIu32 ", connection %u", p->member,
			p->asn, p->conn);
		if (p->vlan_id >= 0)
			fprintf(out, ", vlan_id %" PRId64, p->vlan_id);
		if (p->maxp4 > 0)
			fprintf(out, "; max_prefix IPv4 %" PRId64, p->maxp4);
		if (p->maxp6 > 0)
			fprintf(out, "%s IPv6 %" PRId64,
				p->maxp4 > 0 ? "," : "; max_prefix", p->maxp6);
		fputc('\n', out);
		if (p->why[0] != '\0')
			fprintf(out, "# not configured: %s\n", p->why);
		if (p->set4[0] != '\0')
			fprintf(out, "#   bgpq4 -4 -F '%%n/%%l\\n' %s\n",
				p->set4[0] == '?' ? "AS-SET?" : p->set4);
		if (p->set6[0] != '\0')
			fprintf(out, "#   bgpq4 -6 -F '%%n/%%l\\n' %s\n",
				p->set6[0] == '?' ? "AS-SET?" : p->set6);
		fprintf(out, "%speer %s {\n", c, p->name);
		fprintf(out, "%s\tasn %" PRIu32 ";\n", c, p->asn);
		fprintf(out, "%s\tport %s;\n", c, im->ports[p->port].name);
		if (p->vlan > 0)
			fprintf(out, "%s\tvlan %d;\n", c, p->vlan);
		for (unsigned m = 0; m < p->n_macs; m++) {
			format_mac(p->macs[m], mac, sizeof(mac));
			fprintf(out, "%s\tmac %s;\n", c, mac);
		}
		if (p->extra_macs)
			fprintf(out,
				"%s\t# %u more MAC addresses (ixgate "
				"keeps %u per peer)\n",
				c, p->extra_macs, IXG_MAX_PEER_MACS);
		if (p->a4[0] != '\0')
			fprintf(out, "%s\tnext-hop %s;\n", c, p->a4);
		if (p->a6[0] != '\0')
			fprintf(out, "%s\tnext-hop %s;\n", c, p->a6);
		fprintf(out, "%s}\n", c);
	}
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

int
ixg_ixf_to_config(const char *json, size_t len,
		  const struct ixg_ixf_import *opt, FILE *out, FILE *warn,
		  char *err, size_t errlen)
{
	struct imp im = {
		.opt = opt,
		.warn = warn,
		.err = err,
		.errlen = errlen,
		.ixp_id = -1,
	};
	json_error_t jerr;
	json_t *root, *ixps = NULL, *members, *ixp = NULL;
	const char *version = "?", *ts = "?";
	unsigned used_ports = 0, enabled = 0;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	root = json_loadb(json, len, 0, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "line %d, column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		rc = imp_fail(&im, "the top level is not an object");
		goto out;
	}
	if ((rc = get_str(&im, root, "version", "$", &version)) < 0 ||
	    (rc = get_str(&im, root, "timestamp", "$", &ts)) < 0 ||
	    (rc = get_arr(&im, root, "ixp_list", "$", false, &ixps)) < 0 ||
	    (rc = get_arr(&im, root, "member_list", "$", true, &members)) < 0)
		goto out;
	if (rc == 0 && version[0] != '?' && strncmp(version, "1.", 2) != 0 &&
	    strncmp(version, "0.", 2) != 0)
		imp_warn(&im, "version '%s': read as 1.0", version);

	/* The exchange: --ixp-id's, or the first. */
	for (size_t i = 0; ixps != NULL && i < json_array_size(ixps); i++) {
		json_t *x = json_array_get(ixps, i);
		char path[32];
		int64_t id = -1;

		snprintf(path, sizeof(path), "ixp_list[%zu]", i);
		if (!json_is_object(x)) {
			rc = imp_fail(&im, "%s: expected an object", path);
			goto out;
		}
		if ((rc = get_int(&im, x, "ixp_id", path, true, &id)) < 0)
			goto out;
		if (opt->ixp_id < 0 ? ixp == NULL : id == opt->ixp_id) {
			ixp = x;
			im.ixp_id = id;
		}
	}
	if (opt->ixp_id >= 0 && ixp == NULL) {
		rc = imp_fail(&im, "ixp_list: no exchange with ixp_id %" PRId64,
			      opt->ixp_id);
		goto out;
	}
	im.any_ixp = ixp != NULL;
	if (opt->trunk != NULL) {
		struct imp_port *t = new_port(&im);

		if (t == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		snprintf(t->name, sizeof(t->name), "%s", opt->trunk);
		snprintf(t->comment, sizeof(t->comment),
			 "every member connection, on its VLAN");
		im.trunk_port = 0;
	}
	for (size_t i = 0; i < json_array_size(members); i++)
		if ((rc = read_member(&im, json_array_get(members, i), i)) < 0)
			goto out;
	for (unsigned i = 0; i < im.n_ports; i++)
		used_ports += im.ports[i].used;
	for (unsigned i = 0; i < im.n_peers; i++)
		enabled += im.peers[i].why[0] == '\0';
	if (used_ports > IXG_MAX_PORTS) {
		snprintf(err, errlen,
			 "%u member connections with a MAC address need %u "
			 "ports; ixgate has at most %u: put them on one port "
			 "with --trunk PORT",
			 used_ports, used_ports, IXG_MAX_PORTS);
		rc = -E2BIG;
		goto out;
	}
	if (enabled > IXG_MAX_PEERS - 1) {
		snprintf(err, errlen,
			 "%u peers; ixgate has at most %u (peer ids 1..%u)",
			 enabled, IXG_MAX_PEERS - 1, IXG_MAX_PEERS - 1);
		rc = -E2BIG;
		goto out;
	}
	rc = write_config(&im, ixp, version, ts, out);
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(im.peers);
	free(im.ports);
	json_decref(root);
	return rc;
}
