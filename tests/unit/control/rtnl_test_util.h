/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl_test_util.h - crafting rtnetlink route messages byte by byte for the
 * kernel route reader's tests (test_rtnl_*.c), independently of
 * rtnl_build_route() so that the encoder is tested too, not trusted.
 */
#ifndef IXG_RTNL_TEST_UTIL_H
#define IXG_RTNL_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"

/* A message being built in a caller's buffer. */
struct msg {
	uint8_t buf[8192];
	size_t len;
	struct nlmsghdr *nlh;
};

static inline void
msg_start(struct msg *m, uint16_t type, uint16_t flags, uint32_t seq,
	  uint32_t pid, uint8_t family, uint8_t dst_len, uint8_t table,
	  uint8_t proto, uint8_t rtype)
{
	struct rtmsg rtm;

	memset(m, 0, sizeof(*m));
	m->nlh = (struct nlmsghdr *)m->buf;
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	m->nlh->nlmsg_seq = seq;
	m->nlh->nlmsg_pid = pid;
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = family;
	rtm.rtm_dst_len = dst_len;
	rtm.rtm_table = table;
	rtm.rtm_protocol = proto;
	rtm.rtm_type = rtype;
	memcpy(m->buf + NLMSG_HDRLEN, &rtm, sizeof(rtm));
	m->len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(rtm));
	m->nlh->nlmsg_len = (uint32_t)m->len;
}

static inline struct rtmsg *
msg_rtm(struct msg *m)
{
	return (struct rtmsg *)(m->buf + NLMSG_HDRLEN);
}

/* Append an attribute of `len` payload bytes (padded to 4). */
static inline void
msg_attr(struct msg *m, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + len),
			   .nla_type = type};

	memcpy(m->buf + m->len, &a, sizeof(a));
	memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
	m->nlh->nlmsg_len = (uint32_t)m->len;
}

static inline void
msg_u32(struct msg *m, uint16_t type, uint32_t v)
{
	msg_attr(m, type, &v, 4);
}

static inline void
msg_addr(struct msg *m, uint16_t type, int family, const char *text)
{
	uint8_t a[16];

	if (inet_pton(family, text, a) != 1)
		abort();
	msg_attr(m, type, a, family == AF_INET ? 4 : 16);
}

/* Append one RTA_MULTIPATH with n next hops (gateway text, ifindex,
 * weight). */
struct mp_nh {
	const char *gw;
	int ifindex;
	int weight;
	uint8_t flags;
};

static inline void
msg_multipath(struct msg *m, int family, const struct mp_nh *nh, unsigned n)
{
	uint8_t body[4096];
	size_t off = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct rtnexthop h = {0};
		struct nlattr a = {
			.nla_len = (uint16_t)(NLA_HDRLEN +
					      (family == AF_INET ? 4 : 16)),
			.nla_type = RTA_GATEWAY};
		uint8_t g[16];

		if (inet_pton(family, nh[i].gw, g) != 1)
			abort();
		h.rtnh_len = (unsigned short)(RTNH_ALIGN(sizeof(h)) +
					      NLA_ALIGN(a.nla_len));
		h.rtnh_flags = nh[i].flags;
		h.rtnh_hops = (unsigned char)(nh[i].weight - 1);
		h.rtnh_ifindex = nh[i].ifindex;
		memcpy(body + off, &h, sizeof(h));
		memcpy(body + off + sizeof(h), &a, sizeof(a));
		memcpy(body + off + sizeof(h) + sizeof(a), g,
		       a.nla_len - NLA_HDRLEN);
		off += h.rtnh_len;
	}
	msg_attr(m, RTA_MULTIPATH, body, (uint16_t)off);
}

/* A whole route message in one call: family, "prefix/len", table, type,
 * protocol, metric (0: none), a gateway ("" for none) and ifindex. */
static inline void
msg_route(struct msg *m, uint16_t type, uint16_t flags, uint32_t seq,
	  uint32_t pid, int family, const char *prefix, uint32_t table,
	  uint8_t rtype, uint8_t proto, uint32_t metric, const char *gw,
	  int ifindex)
{
	char p[64], *slash;
	unsigned len;

	snprintf(p, sizeof(p), "%s", prefix);
	slash = strchr(p, '/');
	len = slash ? (unsigned)atoi(slash + 1)
		    : (family == AF_INET ? 32 : 128);
	if (slash)
		*slash = '\0';
	msg_start(m, type, flags, seq, pid, (uint8_t)family, (uint8_t)len,
		  table < 256 ? (uint8_t)table : RT_TABLE_COMPAT, proto, rtype);
	msg_u32(m, RTA_TABLE, table);
	if (len > 0)
		msg_addr(m, RTA_DST, family, p);
	if (metric)
		msg_u32(m, RTA_PRIORITY, metric);
	if (gw && *gw)
		msg_addr(m, RTA_GATEWAY, family, gw);
	if (ifindex)
		msg_u32(m, RTA_OIF, (uint32_t)ifindex);
}

/* Parse m, expecting success. */
static inline int
parse_msg(const struct msg *m, struct rtnl_route *r, struct rtnl_nexthop *nh,
	  unsigned max_nh, struct rtnl_parse_error *err)
{
	return rtnl_parse_route((const struct nlmsghdr *)m->buf, m->len, r, nh,
				max_nh, err);
}

/* "10.1.0.0" -> network-order bytes in a 16-byte buffer. */
static inline void
addr16(int family, const char *text, uint8_t *out)
{
	memset(out, 0, 16);
	if (inet_pton(family, text, out) != 1)
		abort();
}

#endif /* IXG_RTNL_TEST_UTIL_H */
