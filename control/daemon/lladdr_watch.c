/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lladdr_watch.c - the dataplane's learned link-local pairs followed by
 * ixgate-control (lladdr_watch.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctld.h"
#include "ixg_wire.h"
#include "lladdr_watch.h"
#include "rib.h"
#include "rib_table.h"
#include "view.h"

/* Pages read over for one table before waiting for the next poll: the
 * table changing under every reading is not worth chasing. */
#define LW_MAX_RESTARTS 3

struct lladdr_watch {
	struct ctld *D;
	struct loop_timer *timer;
	bool in_flight, unsupported;
	uint64_t epoch; /* the dataplane connection the state is of */
	/* The table being read: pages from start 0, all of generation
	 * page_gen. */
	struct ixg_lladdr *acc;
	uint32_t n_acc, cap_acc;
	uint64_t page_gen;
	unsigned restarts;
	/* The last table read whole. */
	struct ixg_lladdr *have;
	uint32_t n_have;
	uint64_t have_gen;
	bool known;
	uint64_t unreachable[2][IXG_MAX_PEERS / 64];
	uint64_t refused;
	/* Counts for show. */
	uint64_t polls, errors, updates;
	uint32_t n_want;
};

static void request(struct lladdr_watch *W, uint32_t start);

static void
table_done(struct lladdr_watch *W)
{
	struct rib_lladdr *v;

	if (W->known && W->page_gen == W->have_gen && W->n_acc == W->n_have)
		return;
	v = malloc(((size_t)W->n_acc + 1) * sizeof(*v));
	if (v == NULL)
		return; /* read again at the next poll */
	for (uint32_t i = 0; i < W->n_acc; i++) {
		v[i].peer = W->acc[i].peer;
		memcpy(v[i].addr, W->acc[i].addr, 16);
	}
	if (rib_lladdrs_learned(W->D, v, W->n_acc) < 0) {
		free(v);
		return; /* out of memory: again at the next poll */
	}
	free(v);
	W->updates++;
	/* The table read becomes the one held. */
	free(W->have);
	W->have = W->acc;
	W->n_have = W->n_acc;
	W->acc = NULL;
	W->cap_acc = 0;
	W->n_acc = 0;
	W->have_gen = W->page_gen;
	W->known = true;
}

static void
on_reply(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct lladdr_watch *W = arg;
	const struct ixg_msg_lladdrs *r = reply;
	uint32_t count;

	if (fd >= 0)
		close(fd);
	W->in_flight = false;
	if (err < 0 || len < sizeof(*r)) {
		W->errors++;
		return;
	}
	if (r->status == IXG_ST_UNKNOWN_TYPE) {
		if (!W->unsupported)
			ctld_log(W->D, "link-local: the dataplane does not "
				       "know GET_LLADDRS (an older "
				       "ixgate-dataplane): link-local "
				       "gateways resolve by EUI-64 only");
		W->unsupported = true;
		return;
	}
	if (r->status != IXG_ST_OK) {
		W->errors++;
		return;
	}
	memcpy(W->unreachable, r->unreachable, sizeof(W->unreachable));
	W->refused = r->refused;
	count = r->count <= IXG_LLADDRS_PER_MSG ? r->count
						: IXG_LLADDRS_PER_MSG;
	if (r->start == 0) {
		W->n_acc = 0;
		W->page_gen = r->generation;
	} else if (r->generation != W->page_gen || r->start != W->n_acc) {
		/* Changed under the reading: over again, a few times. */
		W->n_acc = 0;
		if (++W->restarts <= LW_MAX_RESTARTS)
			request(W, 0);
		return;
	}
	if (W->n_acc + count > W->cap_acc) {
		uint32_t cap = W->cap_acc ? W->cap_acc * 2 : 256;
		struct ixg_lladdr *a;

		while (cap < W->n_acc + count)
			cap *= 2;
		a = realloc(W->acc, (size_t)cap * sizeof(*a));
		if (a == NULL) {
			W->errors++;
			return;
		}
		W->acc = a;
		W->cap_acc = cap;
	}
	if (count > 0) {
		memcpy(W->acc + W->n_acc, r->e, count * sizeof(*r->e));
		W->n_acc += count;
	}
	if (count > 0 && W->n_acc < r->total) {
		request(W, W->n_acc);
		return;
	}
	table_done(W);
}

/* GET_LLADDRS from pair `start`, with the gateways the routes need. */
static void
request(struct lladdr_watch *W, uint32_t start)
{
	struct ctld *D = W->D;
	struct ixg_msg_get_lladdrs *m;

	if (W->in_flight || D->dp == NULL || !dp_client_ready(D->dp) ||
	    W->unsupported)
		return;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return;
	m->start = start;
	m->n_want = (uint16_t)rib_ll_wanted(D, m->want, IXG_LLADDR_WANT_MAX);
	W->n_want = m->n_want;
	ixg_msg_init(&m->hdr, IXG_MSG_GET_LLADDRS, sizeof(*m), 0);
	if (dp_client_request(D->dp, m, sizeof(*m), -1, IXG_MSG_LLADDRS, 5000,
			      on_reply, W) == 0)
		W->in_flight = true;
	free(m);
}

static void
on_timer(struct loop *L, struct loop_timer *t, void *arg)
{
	struct lladdr_watch *W = arg;

	(void)L;
	(void)t;
	if (W->epoch != W->D->st.dp_epoch) {
		/* A new connection: a restarted dataplane learned anew. */
		W->epoch = W->D->st.dp_epoch;
		W->unsupported = false;
		memset(W->unreachable, 0, sizeof(W->unreachable));
	}
	W->restarts = 0;
	W->polls++;
	request(W, 0);
}

struct lladdr_watch *
lladdr_watch_new(struct ctld *D)
{
	struct lladdr_watch *W = calloc(1, sizeof(*W));

	if (W == NULL)
		return NULL;
	W->D = D;
	W->timer = loop_timer_add(D->loop, LW_POLL_MS, LW_POLL_MS, on_timer, W);
	if (W->timer == NULL) {
		free(W);
		return NULL;
	}
	return W;
}

void
lladdr_watch_free(struct lladdr_watch *W)
{
	if (W == NULL)
		return;
	if (W->timer != NULL)
		loop_timer_del(W->D->loop, W->timer);
	free(W->acc);
	free(W->have);
	free(W);
}

bool
lladdr_watch_unreachable(const struct lladdr_watch *W, uint16_t peer,
			 unsigned f)
{
	if (W == NULL || peer >= IXG_MAX_PEERS || f > 1)
		return false;
	return (W->unreachable[f][peer / 64] >> (peer % 64)) & 1;
}

void
lladdr_watch_show(const struct lladdr_watch *W, struct view *v,
		  int (*resolve)(const void *arg, const uint8_t *addr),
		  const char *(*name)(const void *arg, uint16_t peer),
		  const void *arg)
{
	enum {
		C_ADDR,
		C_PEER,
		C_PEER_ID,
		C_PORT,
		C_VLAN,
		C_MAC,
		C_HEARD,
		C_HEARD_MS,
		C_GATEWAY,
		C_RESOLVES,
	};
	static const struct vcol cols[] = {
		[C_ADDR] = {"LINK-LOCAL", "address", VF_PLAIN, 0, 0},
		[C_PEER] = {"PEER", "peer", VF_PLAIN, 0, 0},
		[C_PEER_ID] = {NULL, "peer_id", VF_PLAIN, 0, 0},
		[C_PORT] = {"PORT", "port_id", VF_PLAIN, 0, 0},
		[C_VLAN] = {"VLAN", "vlan", VF_PLAIN, 0, 0},
		[C_MAC] = {"MAC", "mac", VF_PLAIN, 0, 0},
		[C_HEARD] = {">HEARD", NULL, VF_PLAIN, 0, 0},
		[C_HEARD_MS] = {NULL, "heard_ms_ago", VF_PLAIN, 0, 0},
		[C_GATEWAY] = {"GATEWAY", "gateway", VF_PLAIN, 0, 0},
		[C_RESOLVES] = {"RESOLVES-TO", "resolves_to", VF_PLAIN, 0, 0},
	};
	struct vtable *t;

	if (W == NULL)
		return;
	view_json(v, "link_local_generation", V_U64(W->have_gen));
	view_json(v, "link_local_refused", V_U64(W->refused));
	view_json(v, "link_local_polls", V_U64(W->polls));
	view_json(v, "link_local_errors", V_U64(W->errors));
	view_json(v, "link_local_wanted", V_U64(W->n_want));
	view_text(v,
		  "\nlink-local addresses learned from ND: %u (%u gateway(s) "
		  "asked for%s)\n",
		  W->n_have, W->n_want,
		  W->unsupported ? "; the dataplane does not report them" : "");
	t = view_table(v, "link_local", cols, sizeof(cols) / sizeof(cols[0]),
		       0);
	for (uint32_t i = 0; i < W->n_have; i++) {
		const struct ixg_lladdr *e = &W->have[i];
		char a[INET6_ADDRSTRLEN], m[24], h[32];
		const char *nm = name != NULL ? name(arg, e->peer) : NULL;
		int to = resolve != NULL ? resolve(arg, e->addr) : -ENOENT;
		const char *tn;

		inet_ntop(AF_INET6, e->addr, a, sizeof(a));
		snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x",
			 e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
			 e->mac[5]);
		snprintf(h, sizeof(h), "%.1fs ago",
			 (double)e->heard_ms_ago / 1000.0);
		vt_row(t);
		vt_set(t, C_ADDR, V_STR(a));
		vt_set(t, C_PEER, nm != NULL ? V_STR(nm) : V_NULL());
		vt_set(t, C_PEER_ID, V_U64(e->peer));
		vt_set(t, C_PORT, V_U64(e->port));
		vt_set(t, C_VLAN, V_U64(e->vlan));
		vt_set(t, C_MAC, V_STR(m));
		vt_set(t, C_HEARD, V_STR(h));
		vt_set(t, C_HEARD_MS, V_U64(e->heard_ms_ago));
		vt_set(t, C_GATEWAY,
		       V_STR(e->probing	 ? "refreshing"
			     : e->wanted ? "in use"
					 : "-"));
		if (to == -EEXIST)
			tn = "nobody (two members)";
		else if (to < 0)
			tn = "-";
		else if (to == e->peer)
			tn = nm != NULL ? nm : "this member";
		else
			tn = name != NULL && name(arg, (uint16_t)to) != NULL
				     ? name(arg, (uint16_t)to)
				     : "another member";
		vt_set(t, C_RESOLVES, V_STR(tn));
	}
}
