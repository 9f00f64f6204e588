/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * runtime.c - snapshot publication (RCU) and the shared counters region.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>

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
tables_publish(struct runtime *rt, char *err, size_t errlen)
{
	uint64_t gen = rt->generation + 1;
	struct tables *nt, *old;

	err[0] = '\0';
	nt = tables_build(rt->spec, rt->n_workers, gen, err, errlen);
	if (nt == NULL)
		return errno ? -errno : -EINVAL;
	old = rt->tables;
	__atomic_store_n(&rt->tables, nt, __ATOMIC_RELEASE);
	__atomic_store_n(&rt->generation, gen, __ATOMIC_RELEASE);
	/* After the grace period no worker holds a pointer loaded before
	 * the store: each has passed a quiescent state since. */
	if (rt->qsbr != NULL)
		rte_rcu_qsbr_synchronize(rt->qsbr, RTE_QSBR_THRID_INVALID);
	tables_free(old);
	rt->next_expiry = spec_next_expiry(
		rt->spec, __atomic_load_n(&rt->now_unix, __ATOMIC_RELAXED));
	return 0;
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
	size_t size = n_blocks * sizeof(struct ixg_lcore_counters);
	void *p;
	int fd;

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
	rt->counters_fd = fd;
	rt->counters_size = size;
	rt->n_blocks = n_blocks;
	rt->counters = p;
	return 0;
fail:
	{
		int e = errno;

		close(fd);
		return -e;
	}
}

void
counters_destroy(struct runtime *rt)
{
	if (rt->counters != NULL)
		munmap(rt->counters, rt->counters_size);
	if (rt->counters_fd >= 0)
		close(rt->counters_fd);
	rt->counters = NULL;
	rt->counters_fd = -1;
}
