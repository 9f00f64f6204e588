/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib_test_util.h - kernel routes put into a real rtnl_store (the reader's
 * mirror) and looked up in a rib_table, for the tests of ixgate-control's
 * route resolution (test_rib.c, test_ecmp_rib.c, test_gw_linklocal.c,
 * test_rib_delta.c). One place for what each of them needs: a route of
 * table 100 with its gateways, an address in host order, a lookup that
 * asserts what the table says, the arrays a merge hands back.
 */
#ifndef IXG_RIB_TEST_UTIL_H
#define IXG_RIB_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "ixg_api.h"
#include "rib_table.h"
#include "rtnl_store.h"

#define RTU_TABLE 100
#define RTU_MAX_NH 16

/* A's IPv4 address in host order. */
static inline uint32_t
rtu_h4(const char *a)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, a, &in), 1);
	return ntohl(in.s_addr);
}

/*
 * Route `dst`/len of family fam (AF_INET, AF_INET6) of type `type`
 * (RTN_UNICAST, RTN_BLACKHOLE, ...) in table 100 from protocol `proto`
 * (RTPROT_BIRD, ...), via nh[0..n) (gateway, weight, flags filled by the
 * caller; the interface is set here; several make a multipath route,
 * sorted here as the reader sorts them), applied to st as `op` (no
 * netlink flags) at time now_ns.
 */
static inline void
rtu_apply(struct rtnl_store *st, enum rtnl_op op, uint64_t now_ns, int fam,
	  const uint8_t *dst, unsigned len, unsigned type, uint8_t proto,
	  struct rtnl_nexthop *nh, unsigned n)
{
	struct rtnl_route r;

	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)fam;
	r.dst_len = (uint8_t)len;
	r.type = (uint8_t)type;
	r.protocol = proto;
	r.table = RTU_TABLE;
	r.priority = proto == RTPROT_BGP ? 20 : 32;
	memcpy(r.dst, dst, fam == AF_INET ? 4 : 16);
	if (n > 0) {
		for (unsigned i = 0; i < n; i++)
			nh[i].ifindex = 3;
		r.nh = nh;
		r.n_nh = (uint16_t)n;
		rtnl_route_sort_nh(&r);
	}
	rtnl_store_apply(st, op, 0, &r, now_ns);
}

/* The same with text: prefix pfx (its family picks fam), gateways
 * gws[0..n) as text, each of its own family (NULL or n 0: none),
 * weights w (NULL: 1 each), RTNH flags fl (NULL: none). */
static inline void
rtu_route(struct rtnl_store *st, enum rtnl_op op, uint64_t now_ns,
	  const char *pfx, unsigned len, unsigned type, uint8_t proto,
	  const char *const *gws, const uint16_t *w, const uint8_t *fl,
	  unsigned n)
{
	int fam = strchr(pfx, ':') ? AF_INET6 : AF_INET;
	uint8_t dst[16] = {0};
	struct rtnl_nexthop nh[RTU_MAX_NH];

	if (gws == NULL || gws[0] == NULL)
		n = 0;
	assert_true(n <= RTU_MAX_NH);
	memset(nh, 0, sizeof(nh));
	assert_int_equal(inet_pton(fam, pfx, dst), 1);
	for (unsigned i = 0; i < n; i++) {
		nh[i].gw_family = strchr(gws[i], ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(nh[i].gw_family, gws[i], nh[i].gw),
				 1);
		nh[i].weight = w != NULL ? w[i] : 1;
		nh[i].flags = fl != NULL ? fl[i] : 0;
	}
	rtu_apply(st, op, now_ns, fam, dst, len, type, proto, nh, n);
}

/* Assert what t holds for pfx/len: the entry's kind, peer (or group)
 * and whether it is merged into what the dataplane gets. */
static inline void
rtu_expect(struct rib_table *t, const char *pfx, unsigned len, int kind,
	   uint16_t peer, bool merged)
{
	int fam = strchr(pfx, ':') ? AF_INET6 : AF_INET;
	uint8_t a[16] = {0}, k;
	uint16_t p;
	bool m;

	assert_int_equal(inet_pton(fam, pfx, a), 1);
	assert_int_equal(
		rib_table_lookup(t, fam == AF_INET ? 4 : 6, a, len, &k, &p, &m),
		0);
	assert_int_equal(k, kind);
	assert_int_equal(p, peer);
	assert_int_equal(m, merged);
}

/* Free the arrays rib_table_merge() allocated in m. */
static inline void
rtu_spec_arrays_free(struct ixg_spec *m)
{
	free(m->routes4);
	free(m->routes6);
	free(m->blackholes);
	free(m->nhgroups);
	free(m->sources4);
	free(m->sources6);
}

#endif
