/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl_parse.c - RTM_NEWROUTE/RTM_DELROUTE to struct rtnl_route and back.
 *
 * The attribute walk is written out instead of mnl_attr_parse(): libmnl
 * stops silently at the first attribute whose length does not fit and
 * reports success, and a truncated message must be refused and counted,
 * not half read. libmnl still builds the messages (mnl_attr_put_check).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "rtnl.h"

static const char *const err_names[] = {
#define RTNL_ERR_NAME(e, name, desc) name,
	RTNL_ERRORS(RTNL_ERR_NAME)
#undef RTNL_ERR_NAME
};
static const char *const err_descs[] = {
#define RTNL_ERR_DESC(e, name, desc) desc,
	RTNL_ERRORS(RTNL_ERR_DESC)
#undef RTNL_ERR_DESC
};

const char *
rtnl_err_name(unsigned e)
{
	return e < RTNL_ERR_MAX ? err_names[e] : "unknown";
}

const char *
rtnl_err_desc(unsigned e)
{
	return e < RTNL_ERR_MAX ? err_descs[e] : "";
}

static const char *const attr_names[] = {
	[RTA_UNSPEC] = "RTA_UNSPEC",
	[RTA_DST] = "RTA_DST",
	[RTA_SRC] = "RTA_SRC",
	[RTA_IIF] = "RTA_IIF",
	[RTA_OIF] = "RTA_OIF",
	[RTA_GATEWAY] = "RTA_GATEWAY",
	[RTA_PRIORITY] = "RTA_PRIORITY",
	[RTA_PREFSRC] = "RTA_PREFSRC",
	[RTA_METRICS] = "RTA_METRICS",
	[RTA_MULTIPATH] = "RTA_MULTIPATH",
	[RTA_PROTOINFO] = "RTA_PROTOINFO",
	[RTA_FLOW] = "RTA_FLOW",
	[RTA_CACHEINFO] = "RTA_CACHEINFO",
	[RTA_SESSION] = "RTA_SESSION",
	[RTA_MP_ALGO] = "RTA_MP_ALGO",
	[RTA_TABLE] = "RTA_TABLE",
	[RTA_MARK] = "RTA_MARK",
	[RTA_MFC_STATS] = "RTA_MFC_STATS",
	[RTA_VIA] = "RTA_VIA",
	[RTA_NEWDST] = "RTA_NEWDST",
	[RTA_PREF] = "RTA_PREF",
	[RTA_ENCAP_TYPE] = "RTA_ENCAP_TYPE",
	[RTA_ENCAP] = "RTA_ENCAP",
	[RTA_EXPIRES] = "RTA_EXPIRES",
	[RTA_PAD] = "RTA_PAD",
	[RTA_UID] = "RTA_UID",
	[RTA_TTL_PROPAGATE] = "RTA_TTL_PROPAGATE",
	[RTA_IP_PROTO] = "RTA_IP_PROTO",
	[RTA_SPORT] = "RTA_SPORT",
	[RTA_DPORT] = "RTA_DPORT",
	[RTA_NH_ID] = "RTA_NH_ID",
};

const char *
rtnl_attr_name(int type)
{
	if (type >= 0 &&
	    (size_t)type < sizeof(attr_names) / sizeof(*attr_names) &&
	    attr_names[type] != NULL)
		return attr_names[type];
	return "RTA_?";
}

char *
rtnl_parse_error_str(const struct rtnl_parse_error *err, char *buf, size_t len)
{
	if (err->attr >= 0)
		snprintf(buf, len, "%s: %s (%d) at offset %u, %u bytes",
			 rtnl_err_name(err->reason), rtnl_attr_name(err->attr),
			 err->attr, err->offset, err->len);
	else
		snprintf(buf, len, "%s: at offset %u, %u bytes",
			 rtnl_err_name(err->reason), err->offset, err->len);
	return buf;
}

static int
fail(struct rtnl_parse_error *err, enum rtnl_err reason, int attr,
     size_t offset, size_t len)
{
	err->reason = reason;
	err->attr = attr;
	err->offset = (uint32_t)offset;
	err->len = (uint32_t)len;
	return -1;
}

static unsigned
addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* 1 if addr has a bit set at or after bit `len`. */
static int
host_bits(const uint8_t *addr, unsigned alen, unsigned len)
{
	unsigned i;

	for (i = len / 8; i < alen; i++) {
		uint8_t mask = i == len / 8 ? (uint8_t)(0xff >> (len % 8))
					    : 0xff;

		if (addr[i] & mask)
			return 1;
	}
	return 0;
}

/* Gateway of an RTA_VIA payload (struct rtvia: u16 family, address). */
static int
parse_via(const uint8_t *p, size_t plen, struct rtnl_nexthop *nh)
{
	uint16_t fam;
	unsigned alen;

	if (plen < 2)
		return -1;
	memcpy(&fam, p, 2);
	alen = addr_len(fam);
	if (alen == 0 || plen != 2 + alen)
		return -1;
	memset(nh->gw, 0, sizeof(nh->gw));
	memcpy(nh->gw, p + 2, alen);
	nh->gw_family = (uint8_t)fam;
	return 0;
}

/*
 * The attributes in [p, p + rem) of a message that starts at `base`,
 * each handed to cb; 0 or -1 with err filled. A length that does not fit
 * is an error, never a silent end of the walk.
 */
typedef int (*attr_cb)(int type, const uint8_t *payload, size_t plen,
		       size_t offset, void *arg, struct rtnl_parse_error *err);

static int
walk_attrs(const uint8_t *base, const uint8_t *p, size_t rem, attr_cb cb,
	   void *arg, struct rtnl_parse_error *err)
{
	while (rem > 0) {
		struct nlattr a;
		size_t step;

		if (rem < sizeof(a))
			return fail(err, RTNL_ERR_ATTR_LEN, -1,
				    (size_t)(p - base), rem);
		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(a) || a.nla_len > rem)
			return fail(err, RTNL_ERR_ATTR_LEN,
				    a.nla_type & NLA_TYPE_MASK,
				    (size_t)(p - base), a.nla_len);
		if (cb(a.nla_type & NLA_TYPE_MASK, p + sizeof(a),
		       a.nla_len - sizeof(a), (size_t)(p - base), arg, err) < 0)
			return -1;
		step = NLA_ALIGN(a.nla_len);
		rem = step >= rem ? 0 : rem - step;
		p += step;
	}
	return 0;
}

struct route_ctx {
	struct rtnl_route *r;
	struct rtnl_nexthop *nh_buf;
	unsigned max_nh;
	unsigned alen;
	const uint8_t *base;
	int has_dst, has_src, has_mp;
	struct rtnl_nexthop single;
	struct rtnl_nexthop *cur; /* the multipath entry being filled */
};

static int
size_is(size_t plen, size_t want, int type, size_t off,
	struct rtnl_parse_error *err)
{
	if (plen != want)
		return fail(err, RTNL_ERR_ATTR_SIZE, type, off, plen);
	return 0;
}

static int
nh_attr(int type, const uint8_t *p, size_t plen, size_t off, void *arg,
	struct rtnl_parse_error *err)
{
	struct route_ctx *c = arg;

	switch (type) {
	case RTA_GATEWAY:
		if (size_is(plen, c->alen, type, off, err) < 0)
			return -1;
		memset(c->cur->gw, 0, sizeof(c->cur->gw));
		memcpy(c->cur->gw, p, c->alen);
		c->cur->gw_family = c->r->family;
		break;
	case RTA_VIA:
		if (parse_via(p, plen, c->cur) < 0)
			return fail(err, RTNL_ERR_VIA, type, off, plen);
		break;
	default: /* RTA_FLOW, RTA_ENCAP...: not ixgate's */ break;
	}
	return 0;
}

static int
parse_multipath(struct route_ctx *c, const uint8_t *p, size_t rem, size_t off,
		struct rtnl_parse_error *err)
{
	struct rtnl_route *r = c->r;

	while (rem > 0) {
		struct rtnexthop h;
		struct rtnl_nexthop *nh;
		size_t step;

		if (rem < sizeof(h))
			return fail(err, RTNL_ERR_MULTIPATH, RTA_MULTIPATH, off,
				    rem);
		memcpy(&h, p, sizeof(h));
		if (h.rtnh_len < sizeof(h) || h.rtnh_len > rem)
			return fail(err, RTNL_ERR_MULTIPATH, RTA_MULTIPATH, off,
				    h.rtnh_len);
		if (r->n_nh >= c->max_nh)
			return fail(err, RTNL_ERR_TOO_MANY_NH, RTA_MULTIPATH,
				    off, r->n_nh + 1u);
		nh = &c->nh_buf[r->n_nh++];
		memset(nh, 0, sizeof(*nh));
		nh->order = (uint8_t)(r->n_nh - 1);
		nh->flags = h.rtnh_flags;
		nh->weight = (uint16_t)(h.rtnh_hops + 1u);
		nh->ifindex = h.rtnh_ifindex > 0 ? (uint32_t)h.rtnh_ifindex : 0;
		c->cur = nh;
		if (walk_attrs(c->base, p + RTNH_ALIGN(sizeof(h)),
			       h.rtnh_len - RTNH_ALIGN(sizeof(h)), nh_attr, c,
			       err) < 0)
			return -1;
		if (nh->gw_family == 0 && nh->ifindex == 0)
			r->n_nh--; /* neither gateway nor interface: nothing */
		step = RTNH_ALIGN(h.rtnh_len);
		rem = step >= rem ? 0 : rem - step;
		off += step;
		p += step;
	}
	return 0;
}

static int
route_attr(int type, const uint8_t *p, size_t plen, size_t off, void *arg,
	   struct rtnl_parse_error *err)
{
	struct route_ctx *c = arg;
	struct rtnl_route *r = c->r;
	uint32_t v;

	switch (type) {
	case RTA_DST:
		if (size_is(plen, c->alen, type, off, err) < 0)
			return -1;
		memcpy(r->dst, p, c->alen);
		c->has_dst = 1;
		break;
	case RTA_SRC:
		if (size_is(plen, c->alen, type, off, err) < 0)
			return -1;
		memcpy(r->src, p, c->alen);
		c->has_src = 1;
		break;
	case RTA_PREFSRC:
		if (size_is(plen, c->alen, type, off, err) < 0)
			return -1;
		memcpy(r->prefsrc, p, c->alen);
		break;
	case RTA_TABLE:
	case RTA_PRIORITY:
	case RTA_OIF:
	case RTA_NH_ID:
		if (size_is(plen, 4, type, off, err) < 0)
			return -1;
		memcpy(&v, p, 4);
		if (type == RTA_TABLE)
			r->table = v;
		else if (type == RTA_PRIORITY)
			r->priority = v;
		else if (type == RTA_NH_ID)
			r->nh_id = v;
		else {
			c->single.ifindex = v;
		}
		break;
	case RTA_GATEWAY:
		if (size_is(plen, c->alen, type, off, err) < 0)
			return -1;
		memset(c->single.gw, 0, sizeof(c->single.gw));
		memcpy(c->single.gw, p, c->alen);
		c->single.gw_family = r->family;
		break;
	case RTA_VIA:
		if (parse_via(p, plen, &c->single) < 0)
			return fail(err, RTNL_ERR_VIA, type, off, plen);
		break;
	case RTA_MULTIPATH:
		c->has_mp = 1;
		r->n_nh = 0;
		if (parse_multipath(c, p, plen, off, err) < 0)
			return -1;
		break;
	default: /* RTA_METRICS, RTA_CACHEINFO, RTA_PREF... */ break;
	}
	return 0;
}

/* Types that never forward, whose next-hop attributes (IPv6 adds "dev lo")
 * mean nothing. */
static int
type_has_nh(unsigned type)
{
	return type != RTN_BLACKHOLE && type != RTN_UNREACHABLE &&
	       type != RTN_PROHIBIT && type != RTN_THROW;
}

int
rtnl_parse_route(const struct nlmsghdr *nlh, size_t len, struct rtnl_route *r,
		 struct rtnl_nexthop *nh_buf, unsigned max_nh,
		 struct rtnl_parse_error *err)
{
	const size_t hdr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg));
	struct route_ctx c;
	struct rtmsg rtm;
	size_t msg_len;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct rtmsg))
		return fail(err, RTNL_ERR_SHORT, -1, 0,
			    len < NLMSG_HDRLEN ? len : nlh->nlmsg_len);
	msg_len = nlh->nlmsg_len;
	memcpy(&rtm, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(rtm));

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.nh_buf = nh_buf;
	c.max_nh = max_nh;
	c.base = (const uint8_t *)nlh;
	c.alen = addr_len(rtm.rtm_family);
	if (c.alen == 0)
		return fail(err, RTNL_ERR_FAMILY, -1, NLMSG_HDRLEN,
			    rtm.rtm_family);
	if (rtm.rtm_dst_len > c.alen * 8)
		return fail(err, RTNL_ERR_PREFIX_LEN, -1, NLMSG_HDRLEN + 1,
			    rtm.rtm_dst_len);
	if (rtm.rtm_src_len > c.alen * 8)
		return fail(err, RTNL_ERR_PREFIX_LEN, -1, NLMSG_HDRLEN + 2,
			    rtm.rtm_src_len);
	r->family = rtm.rtm_family;
	r->dst_len = rtm.rtm_dst_len;
	r->src_len = rtm.rtm_src_len;
	r->tos = rtm.rtm_tos;
	r->type = rtm.rtm_type;
	r->protocol = rtm.rtm_protocol;
	r->scope = rtm.rtm_scope;
	r->table = rtm.rtm_table;
	r->flags = rtm.rtm_flags & ~0xffu;
	r->nh = nh_buf;

	if (msg_len > hdr && walk_attrs(c.base, c.base + hdr, msg_len - hdr,
					route_attr, &c, err) < 0)
		return -1;

	if (r->dst_len > 0 && !c.has_dst)
		return fail(err, RTNL_ERR_NO_DST, RTA_DST, NLMSG_HDRLEN,
			    r->dst_len);
	if (host_bits(r->dst, c.alen, r->dst_len))
		return fail(err, RTNL_ERR_HOST_BITS, RTA_DST, NLMSG_HDRLEN,
			    r->dst_len);
	if (r->src_len > 0 && !c.has_src)
		return fail(err, RTNL_ERR_NO_DST, RTA_SRC, NLMSG_HDRLEN,
			    r->src_len);
	if (host_bits(r->src, c.alen, r->src_len))
		return fail(err, RTNL_ERR_HOST_BITS, RTA_SRC, NLMSG_HDRLEN,
			    r->src_len);

	if (!type_has_nh(r->type)) {
		r->n_nh = 0;
	} else if (!c.has_mp &&
		   (c.single.gw_family != 0 || c.single.ifindex != 0)) {
		if (max_nh < 1)
			return fail(err, RTNL_ERR_TOO_MANY_NH, -1, 0, 1);
		c.single.weight = 1;
		/* A single path keeps its next-hop flags in rtm_flags. */
		c.single.flags = rtm.rtm_flags & 0xff;
		nh_buf[0] = c.single;
		r->n_nh = 1;
	}
	for (unsigned i = 0; i < r->n_nh; i++)
		nh_buf[i].proto = r->protocol;
	/* One path is one path, whether it came in RTA_MULTIPATH or not:
	 * its weight means nothing (the kernel dumps it as a single path). */
	if (r->n_nh == 1)
		nh_buf[0].weight = 1;
	rtnl_route_sort_nh(r);
	return 0;
}

static int
nh_cmp(const void *pa, const void *pb)
{
	const struct rtnl_nexthop *a = pa, *b = pb;
	int d;

	if (a->gw_family != b->gw_family)
		return a->gw_family < b->gw_family ? -1 : 1;
	d = memcmp(a->gw, b->gw, sizeof(a->gw));
	if (d != 0)
		return d;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	return (int)a->flags - (int)b->flags;
}

void
rtnl_route_sort_nh(struct rtnl_route *r)
{
	if (r->n_nh > 1)
		qsort(r->nh, r->n_nh, sizeof(*r->nh), nh_cmp);
}

/* Flags the kernel flips on its own: dead, linkdown, offload, trap. */
#define RTM_VOLATILE_FLAGS (RTM_F_OFFLOAD | RTM_F_TRAP | RTM_F_OFFLOAD_FAILED)

static int
route_cmp(const struct rtnl_route *a, const struct rtnl_route *b,
	  int with_volatile)
{
	uint32_t rmask = with_volatile ? ~0u : ~(uint32_t)RTM_VOLATILE_FLAGS;
	uint8_t nmask = with_volatile ? 0xff : (uint8_t)~RTNH_COMPARE_MASK;
	unsigned i;

	if (a->family != b->family || a->dst_len != b->dst_len ||
	    a->src_len != b->src_len || a->tos != b->tos ||
	    a->type != b->type || a->protocol != b->protocol ||
	    a->scope != b->scope || a->n_nh != b->n_nh ||
	    a->table != b->table || a->priority != b->priority ||
	    a->nh_id != b->nh_id || ((a->flags ^ b->flags) & rmask) != 0 ||
	    memcmp(a->dst, b->dst, sizeof(a->dst)) != 0 ||
	    memcmp(a->src, b->src, sizeof(a->src)) != 0 ||
	    memcmp(a->prefsrc, b->prefsrc, sizeof(a->prefsrc)) != 0)
		return 0;
	for (i = 0; i < a->n_nh; i++) {
		const struct rtnl_nexthop *x = &a->nh[i], *y = &b->nh[i];

		if (x->gw_family != y->gw_family || x->weight != y->weight ||
		    x->ifindex != y->ifindex ||
		    memcmp(x->gw, y->gw, sizeof(x->gw)) != 0 ||
		    ((x->flags ^ y->flags) & nmask) != 0)
			return 0;
	}
	return 1;
}

int
rtnl_route_same(const struct rtnl_route *a, const struct rtnl_route *b)
{
	return route_cmp(a, b, 0);
}

int
rtnl_route_equal(const struct rtnl_route *a, const struct rtnl_route *b)
{
	return route_cmp(a, b, 1);
}

static int
addr_zero(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

size_t
rtnl_build_route(void *buf, size_t len, uint16_t msg_type, uint16_t nl_flags,
		 uint32_t seq, const struct rtnl_route *r)
{
	const size_t hdr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg));
	unsigned alen = addr_len(r->family);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	unsigned i;

	if (len < hdr || alen == 0)
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = msg_type;
	nlh->nlmsg_flags = nl_flags;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_src_len = r->src_len;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_COMPAT;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->type;
	rtm->rtm_flags = r->flags;
	if (r->n_nh == 1)
		rtm->rtm_flags |= r->nh[0].flags;

	if (!mnl_attr_put_u32_check(nlh, len, RTA_TABLE, r->table))
		return 0;
	if (r->dst_len > 0 &&
	    !mnl_attr_put_check(nlh, len, RTA_DST, alen, r->dst))
		return 0;
	if (r->src_len > 0 &&
	    !mnl_attr_put_check(nlh, len, RTA_SRC, alen, r->src))
		return 0;
	if (r->priority != 0 &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY, r->priority))
		return 0;
	if (r->nh_id != 0 &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_NH_ID, r->nh_id))
		return 0;
	if (!addr_zero(r->prefsrc) &&
	    !mnl_attr_put_check(nlh, len, RTA_PREFSRC, alen, r->prefsrc))
		return 0;
	if (r->n_nh == 1) {
		const struct rtnl_nexthop *nh = &r->nh[0];

		if (nh->gw_family == r->family) {
			if (!mnl_attr_put_check(nlh, len, RTA_GATEWAY, alen,
						nh->gw))
				return 0;
		} else if (nh->gw_family != 0) {
			uint8_t via[18];
			uint16_t fam = nh->gw_family;
			unsigned glen = addr_len(nh->gw_family);

			memcpy(via, &fam, 2);
			memcpy(via + 2, nh->gw, glen);
			if (!mnl_attr_put_check(nlh, len, RTA_VIA, 2 + glen,
						via))
				return 0;
		}
		if (nh->ifindex != 0 &&
		    !mnl_attr_put_u32_check(nlh, len, RTA_OIF, nh->ifindex))
			return 0;
	} else if (r->n_nh > 1) {
		struct nlattr *mp;

		mp = mnl_attr_nest_start_check(nlh, len, RTA_MULTIPATH);
		if (mp == NULL)
			return 0;
		for (i = 0; i < r->n_nh; i++) {
			const struct rtnl_nexthop *nh = &r->nh[i];
			struct rtnexthop *h;

			if (nlh->nlmsg_len + RTNH_ALIGN(sizeof(*h)) > len)
				return 0;
			h = mnl_nlmsg_get_payload_tail(nlh);
			memset(h, 0, sizeof(*h));
			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*h));
			h->rtnh_flags = nh->flags;
			h->rtnh_hops = (uint8_t)(nh->weight > 0 ? nh->weight - 1
								: 0);
			h->rtnh_ifindex = (int)nh->ifindex;
			if (nh->gw_family == r->family) {
				if (!mnl_attr_put_check(nlh, len, RTA_GATEWAY,
							alen, nh->gw))
					return 0;
			} else if (nh->gw_family != 0) {
				uint8_t via[18];
				uint16_t fam = nh->gw_family;
				unsigned glen = addr_len(nh->gw_family);

				memcpy(via, &fam, 2);
				memcpy(via + 2, nh->gw, glen);
				if (!mnl_attr_put_check(nlh, len, RTA_VIA,
							2 + glen, via))
					return 0;
			}
			h->rtnh_len =
				(unsigned short)((uint8_t *)
							 mnl_nlmsg_get_payload_tail(
								 nlh) -
						 (uint8_t *)h);
		}
		mnl_attr_nest_end(nlh, mp);
	}
	return nlh->nlmsg_len;
}

static const char *const type_names[] = {
	[RTN_UNSPEC] = "none",
	[RTN_UNICAST] = "unicast",
	[RTN_LOCAL] = "local",
	[RTN_BROADCAST] = "broadcast",
	[RTN_ANYCAST] = "anycast",
	[RTN_MULTICAST] = "multicast",
	[RTN_BLACKHOLE] = "blackhole",
	[RTN_UNREACHABLE] = "unreachable",
	[RTN_PROHIBIT] = "prohibit",
	[RTN_THROW] = "throw",
	[RTN_NAT] = "nat",
	[RTN_XRESOLVE] = "xresolve",
};

const char *
rtnl_type_name(unsigned type, char *buf)
{
	if (type < sizeof(type_names) / sizeof(*type_names) &&
	    type_names[type] != NULL)
		return type_names[type];
	snprintf(buf, 12, "%u", type);
	return buf;
}

/* iproute2's rt_protos plus FRR's rt_protos.d/frr.conf (which calls 196,
 * zebra's static routes, "static" too). */
static const struct {
	unsigned id;
	const char *name;
} proto_names[] = {
	{0, "unspec"},	    {1, "redirect"},  {2, "kernel"},
	{3, "boot"},	    {4, "static"},    {8, "gated"},
	{9, "ra"},	    {10, "mrt"},      {11, "zebra"},
	{12, "bird"},	    {13, "dnrouted"}, {14, "xorp"},
	{15, "ntk"},	    {16, "dhcp"},     {17, "mrouted"},
	{18, "keepalived"}, {42, "babel"},    {99, "openr"},
	{186, "bgp"},	    {187, "isis"},    {188, "ospf"},
	{189, "rip"},	    {190, "ripng"},   {191, "nhrp"},
	{192, "eigrp"},	    {193, "ldp"},     {194, "sharp"},
	{195, "pbr"},	    {196, "static"},  {197, "openfabric"},
	{198, "srte"},
};

const char *
rtnl_proto_name(unsigned proto, char *buf)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(*proto_names); i++)
		if (proto_names[i].id == proto)
			return proto_names[i].name;
	snprintf(buf, 12, "%u", proto);
	return buf;
}

int
rtnl_proto_parse(const char *name)
{
	unsigned long v;
	char *end;
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(*proto_names); i++)
		if (strcmp(proto_names[i].name, name) == 0)
			return (int)proto_names[i].id;
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0' && v <= 255)
		return (int)v;
	return -1;
}

char *
rtnl_prefix_str(int family, const uint8_t *addr, unsigned len, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(family, addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, 50, "%s/%u", a, len);
	return buf;
}

/* snprintf into buf at *pos, tracking the length needed. */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*pos < len ? buf + *pos : NULL,
		      *pos < len ? len - *pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

static void
put_nh(char *buf, size_t len, size_t *pos, const struct rtnl_nexthop *nh,
       const char *(*ifname)(uint32_t, char *))
{
	char a[INET6_ADDRSTRLEN], name[64];
	const char *dev = NULL;

	if (nh->gw_family != 0) {
		if (inet_ntop(nh->gw_family, nh->gw, a, sizeof(a)) == NULL)
			snprintf(a, sizeof(a), "?");
		put(buf, len, pos, " via %s", a);
	}
	if (nh->ifindex != 0) {
		if (ifname != NULL)
			dev = ifname(nh->ifindex, name);
		if (dev != NULL)
			put(buf, len, pos, " dev %s", dev);
		else
			put(buf, len, pos, " dev if%u", nh->ifindex);
	}
	if (nh->flags & RTNH_F_ONLINK)
		put(buf, len, pos, " onlink");
	if (nh->flags & RTNH_F_DEAD)
		put(buf, len, pos, " dead");
	if (nh->flags & RTNH_F_LINKDOWN)
		put(buf, len, pos, " linkdown");
}

int
rtnl_route_format(const struct rtnl_route *r, char *buf, size_t len,
		  const char *(*ifname)(uint32_t ifindex, char *name))
{
	char p[50], tb[12];
	size_t pos = 0;
	unsigned i;

	if (len > 0)
		buf[0] = '\0';
	if (r->type != RTN_UNICAST)
		put(buf, len, &pos, "%s ", rtnl_type_name(r->type, tb));
	if (r->dst_len == 0)
		put(buf, len, &pos, "default");
	else
		put(buf, len, &pos, "%s",
		    rtnl_prefix_str(r->family, r->dst, r->dst_len, p));
	if (r->src_len > 0)
		put(buf, len, &pos, " from %s",
		    rtnl_prefix_str(r->family, r->src, r->src_len, p));
	if (r->tos != 0)
		put(buf, len, &pos, " tos 0x%02x", r->tos);
	if (r->nh_id != 0)
		put(buf, len, &pos, " nhid %u", r->nh_id);
	if (r->n_nh == 1)
		put_nh(buf, len, &pos, &r->nh[0], ifname);
	put(buf, len, &pos, " proto %s", rtnl_proto_name(r->protocol, tb));
	if (!addr_zero(r->prefsrc)) {
		char a[INET6_ADDRSTRLEN];

		if (inet_ntop(r->family, r->prefsrc, a, sizeof(a)) != NULL)
			put(buf, len, &pos, " src %s", a);
	}
	if (r->priority != 0)
		put(buf, len, &pos, " metric %u", r->priority);
	put(buf, len, &pos, " table %u", r->table);
	if (r->n_nh > 1)
		for (i = 0; i < r->n_nh; i++) {
			put(buf, len, &pos, " nexthop");
			put_nh(buf, len, &pos, &r->nh[i], ifname);
			put(buf, len, &pos, " weight %u", r->nh[i].weight);
		}
	return (int)pos;
}
