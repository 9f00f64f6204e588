/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sample.c - the sample channel's life in the dataplane (sample.h): the
 * rings in the counters region, the cursors memfd, who consumes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"
#include "sample.h"
#include "worker.h"

int
samples_create(struct runtime *rt)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = (size_t)rt->n_workers * sizeof(struct ixg_sample_cursor);
	int fd, e, rc;
	void *p;

	rt->sample_cursors_fd = -1;
	rc = ixg_samples_view(rt->counters, rt->counters_size, rt->n_blocks,
			      &rt->samples);
	if (rc < 0)
		return rc;
	if (rt->samples.n_rings != rt->n_workers)
		return -EPROTO;
	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	fd = memfd_create("ixgate-sample-cursors",
			  MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* The consumer writes its tails here; a worker reads them and must
	 * never fault on a file shrunk under it. */
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		    0)
		goto fail;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	rt->sample_cursors_fd = fd;
	rt->sample_cursors = p;
	rt->sample_cursors_size = size;
	for (unsigned w = 0; w < rt->n_workers; w++) {
		rt->workers[w].ctx.samples =
			(struct ixg_sample_ring *)(uintptr_t)ixg_samples_ring(
				&rt->samples, w);
		rt->workers[w].ctx.sample_cursor = &rt->sample_cursors[w];
	}
	return 0;
fail:
	e = errno;
	close(fd);
	return -e;
}

void
samples_destroy(struct runtime *rt)
{
	if (rt->sample_cursors != NULL)
		munmap(rt->sample_cursors, rt->sample_cursors_size);
	if (rt->sample_cursors_fd >= 0)
		close(rt->sample_cursors_fd);
	rt->sample_cursors = NULL;
	rt->sample_cursors_fd = -1;
}

/* The info is in our writable mapping of the counters region. */
static struct ixg_samples_info *
info_of(struct runtime *rt)
{
	return (struct ixg_samples_info *)(uintptr_t)rt->samples.info;
}

int64_t
samples_attach(struct runtime *rt, int *fd)
{
	if (rt->samples.info == NULL || rt->sample_cursors_fd < 0)
		return -ENOENT;
	/* The new consumer resumes from where the rings are now freed to
	 * (ixg_samples_resume); epochs only grow, so a consumer whose
	 * connection went sees another epoch in the info and stops. */
	rt->sample_epoch++;
	__atomic_store_n(&info_of(rt)->consumer, rt->sample_epoch,
			 __ATOMIC_RELEASE);
	*fd = rt->sample_cursors_fd;
	return (int64_t)rt->sample_epoch;
}

void
samples_detach(struct runtime *rt)
{
	if (rt->samples.info == NULL)
		return;
	__atomic_store_n(&info_of(rt)->consumer, 0, __ATOMIC_RELEASE);
}

unsigned
samples_drain(struct runtime *rt)
{
	unsigned n = 0;

	if (rt->samples.info == NULL || rt->sample_cursors == NULL ||
	    ixg_samples_consumer(&rt->samples) != 0)
		return 0;
	for (unsigned w = 0; w < rt->samples.n_rings; w++)
		n += ixg_samples_discard(ixg_samples_ring(&rt->samples, w),
					 &rt->sample_cursors[w]);
	rt->samples_freed += n;
	return n;
}
