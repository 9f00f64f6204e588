/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * runtime.c - snapshot publication (RCU) and the shared counters region.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>

#include "ixg_conf.h"
#include "ixg_wire.h"
#include "mono.h"
#include "ixg_samples.h"
#include "neigh.h"
#include "runtime.h"

/* Earliest blackhole expiry still in the future, 0 if none. */
static int64_t
spec_next_expiry(const struct ixg_spec *spec, int64_t now)
{
	int64_t next = 0;
	uint32_t i;

	for (i = 0; i < spec->n_blackholes; i++) {
		int64_t e = spec->blackholes[i].expires;

		if (e > now && (next == 0 || e < next))
			next = e;
	}
	return next;
}

int
runtime_publish(struct runtime *rt, const struct ixg_spec *spec, char *err,
		size_t errlen, uint64_t *build_ns, uint64_t *publish_ns)
{
	return runtime_publish_if(rt, spec, err, errlen, build_ns, publish_ns,
				  NULL, NULL);
}

/* The same prefix? */
static bool
blackhole_same(const struct ixg_spec_blackhole *a,
	       const struct ixg_spec_blackhole *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

/*
 * Blackhole ids name a prefix: the counters of an id that names another
 * prefix in next than in cur (or none there) start from zero, with its
 * slots by peer (they keep their key), and so do the slots of a fresh
 * peer (fresh_peer[id] set; NULL: none). An id cur uses for another
 * prefix can still take a packet of the old one until the swap (the
 * control plane reuses such an id only when no other is free).
 */
static void
blackholes_zero_new_ids(struct runtime *rt, const struct ixg_spec *next,
			const struct ixg_spec *cur, const uint8_t *fresh_peer)
{
	static uint32_t cur_at[IXG_MAX_BLACKHOLES];
	static uint8_t fresh[IXG_MAX_BLACKHOLES];
	bool any = false;

	memset(cur_at, 0xff, sizeof(cur_at));
	memset(fresh, 0, sizeof(fresh));
	for (uint32_t i = 0; i < cur->n_blackholes; i++)
		cur_at[cur->blackholes[i].id] = i;
	for (uint32_t i = 0; i < next->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &next->blackholes[i];
		uint32_t j = cur_at[h->id];

		if (j < cur->n_blackholes &&
		    blackhole_same(h, &cur->blackholes[j]))
			continue;
		fresh[h->id] = 1;
		any = true;
	}
	if (!any && fresh_peer == NULL)
		return;
	for (uint32_t b = 0; b < rt->n_blocks; b++) {
		struct ixg_lcore_counters *c = &rt->counters[b];

		for (uint32_t id = 0; any && id < IXG_MAX_BLACKHOLES; id++)
			if (fresh[id])
				memset(&c->blackhole[id], 0,
				       sizeof(c->blackhole[id]));
		for (uint32_t k = 0; k < IXG_BH_PEER_SLOTS; k++) {
			uint32_t key = c->blackhole_peer[k].key;

			if (key != 0 &&
			    (fresh[IXG_BH_PEER_ID(key) % IXG_MAX_BLACKHOLES] ||
			     (fresh_peer != NULL &&
			      fresh_peer[IXG_BH_PEER_PEER(key)])))
				memset(&c->blackhole_peer[k].pb, 0,
				       sizeof(c->blackhole_peer[k].pb));
		}
	}
}

/*
 * Next-hop group ids name a set of members and weights: the counters of
 * an id that names another set in next than in cur (or none there) start
 * from zero. Same safety as below: an id freed in this commit is given
 * again only when no other is free.
 */
static void
nhgroups_zero_new_ids(struct runtime *rt, const struct ixg_spec *next,
		      const struct ixg_spec *cur)
{
	static uint32_t cur_at[IXG_MAX_NHGROUPS];

	memset(cur_at, 0xff, sizeof(cur_at));
	for (uint32_t i = 0; i < cur->n_nhgroups; i++)
		if (cur->nhgroups[i].id < IXG_MAX_NHGROUPS)
			cur_at[cur->nhgroups[i].id] = i;
	for (uint32_t i = 0; i < next->n_nhgroups; i++) {
		const struct ixg_spec_nhgroup *g = &next->nhgroups[i];
		uint32_t j;

		if (g->id >= IXG_MAX_NHGROUPS)
			continue;
		j = cur_at[g->id];
		if (j < cur->n_nhgroups &&
		    cur->nhgroups[j].n_members == g->n_members &&
		    memcmp(cur->nhgroups[j].peer_id, g->peer_id,
			   sizeof(g->peer_id)) == 0 &&
		    memcmp(cur->nhgroups[j].weight, g->weight,
			   sizeof(g->weight)) == 0)
			continue;
		for (uint32_t b = 0; b < rt->n_blocks; b++)
			memset(&rt->counters[b].nhgroup[g->id], 0,
			       sizeof(rt->counters[b].nhgroup[g->id]));
	}
}

/*
 * Counters of an id that `next` gives to an object the running spec `cur`
 * does not have start from zero: a member that takes the id of one removed
 * earlier must not inherit its traffic (nor a rule, class or country
 * another's hits). Safe without atomics: no worker writes an id the
 * running generation does not use (the compiler never hands an id freed in
 * the same commit to a new object while others are free; an id reused
 * anyway is left as it is). See runtime.h.
 */
void
counters_zero_new_ids(struct runtime *rt, const struct ixg_spec *next,
		      const struct ixg_spec *cur)
{
	static uint8_t peer_in[IXG_MAX_PEERS], fresh_peer[IXG_MAX_PEERS];
	static uint64_t rule_in[IXG_MAX_ACL_RULES / 64];
	uint32_t i, b;
	bool any_peer = false;

	if (rt->counters == NULL || cur == NULL)
		return;
	memset(peer_in, 0, sizeof(peer_in));
	memset(fresh_peer, 0, sizeof(fresh_peer));
	for (i = 0; i < cur->n_peers; i++)
		if (cur->peers[i].id < IXG_MAX_PEERS)
			peer_in[cur->peers[i].id] = 1;
	for (i = 0; i < next->n_peers; i++) {
		uint16_t id = next->peers[i].id;

		if (id < IXG_MAX_PEERS && !peer_in[id])
			fresh_peer[id] = any_peer = true;
	}
	for (b = 0; b < rt->n_blocks; b++) {
		struct ixg_lcore_counters *c = &rt->counters[b];

		for (i = 0; any_peer && i < IXG_MAX_PEERS; i++)
			if (fresh_peer[i])
				memset(&c->peer[i], 0, sizeof(c->peer[i]));
		/* Pairs keep a key (the probe chains stay intact). A slot's
		 * counts are also its peers' rx and tx (IXG_CTR_PEER): a
		 * slot of a new id and a running one is flagged on the new
		 * side, so that its counts leave the new peer and the pair
		 * but stay in the running peer's rx or tx (no counter
		 * goes back), and no packet matches it again (a worker
		 * passes over it: the pair takes a new slot). A slot of
		 * two new ids (or of a new one and a flagged side) is
		 * zeroed. */
		for (i = 0; any_peer && i < IXG_PEER_PAIR_SLOTS; i++) {
			struct ixg_ctr_peer_pair *p = &c->peer_pair[i];
			uint32_t k = p->key;
			bool in_new, out_new;

			if (k == 0)
				continue;
			in_new = fresh_peer[IXG_PEER_PAIR_IN(k)];
			out_new = fresh_peer[IXG_PEER_PAIR_OUT(k)];
			if (!in_new && !out_new)
				continue;
			if ((in_new || (k & IXG_PEER_PAIR_NO_IN)) &&
			    (out_new || (k & IXG_PEER_PAIR_NO_OUT))) {
				memset(&p->pb, 0, sizeof(p->pb));
				continue;
			}
			__atomic_store_n(&p->key,
					 k | (in_new ? IXG_PEER_PAIR_NO_IN
						     : IXG_PEER_PAIR_NO_OUT),
					 __ATOMIC_RELEASE);
		}
	}
	/* The running rules' ids as a bitmap: linear in the rules (a scan
	 * of cur per rule was 5e7 comparisons a commit with 10k rules). */
	memset(rule_in, 0, sizeof(rule_in));
	for (i = 0; i < cur->n_acl_rules; i++) {
		uint32_t id = cur->acl_rules[i].id;

		if (id < IXG_MAX_ACL_RULES)
			rule_in[id / 64] |= 1ull << (id % 64);
	}
	for (i = 0; i < next->n_acl_rules; i++) {
		uint32_t id = next->acl_rules[i].id;

		if (id >= IXG_MAX_ACL_RULES ||
		    (rule_in[id / 64] >> (id % 64) & 1))
			continue;
		for (b = 0; b < rt->n_blocks; b++)
			rt->counters[b].acl_hits[id] = 0;
	}
	for (i = 0; i < next->n_classes; i++) {
		uint16_t id = next->classes[i].id, j;

		for (j = 0; j < cur->n_classes && cur->classes[j].id != id; j++)
			;
		if (j < cur->n_classes || id >= IXG_MAX_CLASSES)
			continue;
		for (b = 0; b < rt->n_blocks; b++)
			memset(rt->counters[b].class_colour[id], 0,
			       sizeof(rt->counters[b].class_colour[id]));
	}
	for (i = 1; i < next->n_countries && i < IXG_MAX_COUNTRIES; i++) {
		if (i < cur->n_countries &&
		    cur->countries[i] == next->countries[i])
			continue;
		for (b = 0; b < rt->n_blocks; b++) {
			struct ixg_lcore_counters *c = &rt->counters[b];

			memset(c->country_pair[i], 0,
			       sizeof(c->country_pair[i]));
			for (uint32_t k = 0; k < IXG_MAX_COUNTRIES; k++)
				memset(&c->country_pair[k][i], 0,
				       sizeof(c->country_pair[k][i]));
		}
	}
	blackholes_zero_new_ids(rt, next, cur, any_peer ? fresh_peer : NULL);
	nhgroups_zero_new_ids(rt, next, cur);
}

int
runtime_publish_if(struct runtime *rt, const struct ixg_spec *spec, char *err,
		   size_t errlen, uint64_t *build_ns, uint64_t *publish_ns,
		   bool (*wanted)(void *arg), void *arg)
{
	uint64_t gen = rt->generation + 1;
	struct tables *nt, *old;
	uint64_t t0, t1;

	err[0] = '\0';
	t0 = ixg_mono_ns();
	errno = 0;
	nt = tables_build_from(spec, rt->spec, rt->tables, rt->n_workers, gen,
			       err, errlen);
	if (nt == NULL && (errno == ENOMEM || errno == ENOSPC) &&
	    fibrec_spares() > 0) {
		/* The warm spares are an optimisation: give their memory to
		 * the commit rather than refuse it. */
		fprintf(stderr,
			"ixgate-dataplane: generation %" PRIu64
			": %s; retrying without the %u spare FIB(s) "
			"(%zu MiB)\n",
			gen, err, fibrec_spares(), fibrec_spare_bytes() >> 20);
		fibrec_drop_spares();
		errno = 0;
		nt = tables_build_from(spec, rt->spec, rt->tables,
				       rt->n_workers, gen, err, errlen);
	}
	t1 = ixg_mono_ns();
	if (build_ns != NULL)
		*build_ns = t1 - t0;
	if (nt == NULL)
		return errno ? -errno : -EINVAL;
	if (rt->log_builds) {
		char fibs[1024];

		if (tables_describe_fibs(nt, fibs, sizeof(fibs)) > 0)
			fprintf(stderr,
				"ixgate-dataplane: generation %" PRIu64
				" built in %.1f ms: %s\n",
				gen, (double)(t1 - t0) / 1e6, fibs);
	}
	/* The last moment the commit can still be called off: nothing any
	 * worker sees has changed yet. */
	if (wanted != NULL && !wanted(arg)) {
		tables_free(nt);
		return -ECANCELED;
	}
	if (spec != rt->spec)
		counters_zero_new_ids(rt, spec, rt->spec);
	old = rt->tables;
	/* What the neighbour table learned goes into the new tables, and
	 * its poller writes into them from the store on (neigh.h). */
	neigh_lock(rt->neigh);
	neigh_apply(rt->neigh, nt, ixg_mono_ns());
	__atomic_store_n(&rt->tables, nt, __ATOMIC_RELEASE);
	neigh_unlock(rt->neigh);
	__atomic_store_n(&rt->generation, gen, __ATOMIC_RELEASE);
	/* After the grace period no worker holds a pointer loaded before
	 * the store: each has passed a quiescent state since. */
	if (rt->qsbr != NULL) {
		/* rte_rcu_qsbr_synchronize() without its busy wait: a route
		 * commit every few tens of milliseconds spun a core for the
		 * whole grace period (7% of the dataplane's CPU under route
		 * churn, bench/README-routes.md), taking it from the very
		 * workers it waits for when cores are shared. Same grace
		 * period: every worker has passed a quiescent state since. */
		uint64_t token = rte_rcu_qsbr_start(rt->qsbr);
		const struct timespec nap = {.tv_nsec = 20000};

		while (rte_rcu_qsbr_check(rt->qsbr, token, false) == 0)
			nanosleep(&nap, NULL);
	}
	tables_free(old);
	if (publish_ns != NULL)
		*publish_ns = ixg_mono_ns() - t1;
	rt->next_expiry = spec_next_expiry(
		spec, __atomic_load_n(&rt->now_unix, __ATOMIC_RELAXED));
	if (rt->on_publish != NULL)
		rt->on_publish(rt);
	return 0;
}

int
tables_publish(struct runtime *rt, char *err, size_t errlen)
{
	return runtime_publish(rt, rt->spec, err, errlen, NULL, NULL);
}

/* Free what `old` owns that `cur` does not share (every array table). */
static void
spec_free_unshared(struct ixg_spec *old, const struct ixg_spec *cur)
{
	for (unsigned t = 1; t < IXG_TBL_MAX; t++)
		if (!ixg_table_info(t)->one &&
		    ixg_spec_table_data(old, t) != ixg_spec_table_data(cur, t))
			ixg_spec_table_free(old, t);
}

void
runtime_spec_replace(struct runtime *rt, struct ixg_spec *spec)
{
	struct ixg_spec *old;

	pthread_mutex_lock(&rt->spec_lock);
	old = rt->spec;
	rt->spec = spec;
	pthread_mutex_unlock(&rt->spec_lock);
	/* The telemetry thread reads names only under the lock: once we
	 * held it, nobody looks at the old arrays any more. */
	if (old != NULL && old != spec) {
		spec_free_unshared(old, spec);
		free(old);
	}
}

void
runtime_spec_free(struct runtime *rt)
{
	if (rt->spec != NULL) {
		ixg_spec_free(rt->spec);
		free(rt->spec);
		rt->spec = NULL;
	}
	free(rt->conf_ports);
	rt->conf_ports = NULL;
	rt->n_conf_ports = 0;
}

void
runtime_counter_blocks(const struct runtime *rt,
		       struct ixg_lcore_counters **out)
{
	unsigned i;

	for (i = 0; i < rt->n_blocks; i++)
		out[i] = &rt->counters[i];
}

int
counters_create(struct runtime *rt, unsigned n_blocks)
{
	long page = sysconf(_SC_PAGESIZE);
	/* The blocks, what their port counters count, the sample rings. */
	size_t size = ixg_samples_end(n_blocks, rt->n_workers);
	char path[64];
	int fd, ro, e;
	void *p;

	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	fd = memfd_create("ixgate-counters", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	/* A reader may rely on the size: nobody shrinks or grows it. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		goto fail;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	if (ixg_samples_layout(p, size, n_blocks, rt->n_workers) < 0) {
		errno = ENOSPC;
		goto fail_map;
	}
	/* Our mapping stays writable; from now on nobody can map it
	 * writable or write(2) to it, whatever descriptor they reopen. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0)
		goto fail_map;
	/* What readers are given: a read-only open of the same file. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		goto fail_map;
	rt->counters_fd = fd;
	rt->counters_ro_fd = ro;
	rt->counters_size = size;
	rt->n_blocks = n_blocks;
	rt->counters = p;
	return 0;
fail_map:
	e = errno;
	munmap(p, size);
	close(fd);
	return -e;
fail:
	e = errno;
	close(fd);
	return -e;
}

void
counters_describe_ports(struct runtime *rt)
{
	struct ixg_ctr_ports *p =
		(struct ixg_ctr_ports *)(void *)&rt->counters[rt->n_blocks];

	memset(p, 0, sizeof(*p));
	p->n_ports = IXG_MAX_PORTS;
	for (unsigned i = 0; i < IXG_MAX_PORTS; i++) {
		char name[RTE_ETH_NAME_MAX_LEN];

		if (!rt->ports[i].active ||
		    rte_eth_dev_get_name_by_port(rt->ports[i].dpdk_port,
						 name) != 0)
			continue;
		snprintf(p->port[i].device, sizeof(p->port[i].device), "%s",
			 name);
		p->port[i].dpdk_port = rt->ports[i].dpdk_port;
		{
			struct rte_eth_link link;

			/* ifSpeed of sFlow's counter samples. */
			if (rte_eth_link_get_nowait(rt->ports[i].dpdk_port,
						    &link) == 0 &&
			    link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN)
				p->port[i].speed_mbps = link.link_speed;
		}
	}
	__atomic_store_n(&p->magic, IXG_CTR_PORTS_MAGIC, __ATOMIC_RELEASE);
}

void
counters_destroy(struct runtime *rt)
{
	if (rt->counters != NULL)
		munmap(rt->counters, rt->counters_size);
	if (rt->counters_fd >= 0)
		close(rt->counters_fd);
	if (rt->counters_ro_fd >= 0)
		close(rt->counters_ro_fd);
	rt->counters = NULL;
	rt->counters_fd = -1;
	rt->counters_ro_fd = -1;
}
