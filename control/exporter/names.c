/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * names.c - the exporter's names snapshot (see metrics.h): built by the
 * daemon's loop thread from its state, read by the exporter thread, freed
 * by whichever drops the last reference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "daemon.h"
#include "metrics.h"
#include "rib.h"

static void
free_names(struct exp_names *n)
{
	if (n == NULL)
		return;
	if (n->counters != NULL)
		munmap((void *)n->counters, n->map_size);
	for (unsigned i = 0; i < n->n_files; i++)
		free(n->files[i]);
	free(n->files);
	free(n->file_sigs);
	free((char *)n->config_path);
	free(n->ports);
	free(n->classes);
	free(n->rules);
	for (unsigned i = 0; n->bh_origins != NULL && i < n->n_blackholes; i++)
		free(n->bh_origins[i]);
	free(n->bh_origins);
	free(n->blackholes);
	free(n->nhgroups);
	free(n->peers);
	free(n->countries);
	free(n->ctr);
	free(n);
}

/*
 * The counters, mapped again for this snapshot: mremap() with old_size 0
 * makes a second mapping of the same shared pages (mremap(2)), which
 * lives until this snapshot is freed whatever the daemon does with its
 * own (it unmaps it when the dataplane goes away). The region stays
 * read-only: the new mapping keeps the old one's protection.
 */
static int
map_counters(struct exp_names *n, const struct ctl_state *st)
{
	void *p;

	if (st->counters == NULL || st->counters_size == 0 ||
	    st->n_counter_blocks == 0)
		return 0;
	p = mremap((void *)st->counters, 0, st->counters_size, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return -errno;
	n->counters = p;
	n->map_size = st->counters_size;
	n->n_blocks = st->n_counter_blocks;
	return 0;
}

/* A blackhole's origin label: rendered when the snapshot was built. */
static const char *
bh_origin(const void *arg, const struct ixg_spec_blackhole *h, char *buf,
	  size_t len)
{
	const struct exp_names *n = arg;
	size_t i = (size_t)(h - n->blackholes);

	(void)buf;
	(void)len;
	return i < n->n_blackholes && n->bh_origins[i] != NULL
		       ? n->bh_origins[i]
		       : "";
}

/* The names the counter-family walk takes, pointing into n's arrays. */
static void
ctr_names(struct exp_names *n)
{
	struct ixg_ctr_names *c = n->ctr;

	for (unsigned i = 0; i < n->n_ports; i++)
		c->port[n->ports[i].id] = n->ports[i].name;
	for (unsigned i = 0; i < n->n_peers; i++) {
		const struct exp_peer *p = &n->peers[i];

		c->peer[p->id] = p->name;
		c->peer_asn[p->id] = p->asn;
		c->peer_country[p->id] = p->country;
		c->peer_nh[p->id][0] = p->has_nh4 ? p->nh4 : NULL;
		c->peer_nh[p->id][1] = p->has_nh6 ? p->nh6 : NULL;
	}
	for (unsigned i = 0; i < n->n_classes; i++)
		c->class_[n->classes[i].id] = n->classes[i].name;
	c->countries = n->countries;
	c->n_countries = n->n_countries;
	c->rules = n->rules;
	c->n_rules = n->n_rules;
	c->blackholes = n->blackholes;
	c->n_blackholes = n->n_blackholes;
	c->bh_origin = bh_origin;
	c->bh_origin_arg = n;
	c->nhgroups = n->nhgroups;
	c->n_nhgroups = n->n_nhgroups;
}

/* Build a snapshot (see metrics.h). Loop thread. */
struct exp_names *
exp_names_build(const struct ctl_state *st, const struct exp_names *prev)
{
	struct exp_names *n = calloc(1, sizeof(*n));
	const struct ixg_spec *s = &st->running.spec;
	unsigned i;

	if (n == NULL)
		return NULL;
	n->refs = 1;
	n->control_start_unix = st->start_unix;
	n->config_path = strdup(st->config_path ? st->config_path : "");
	n->dp_connected = st->dp_connected;
	n->dp_generation = st->dp_generation;
	memcpy(n->dp_sha256, st->dp_hello.config_sha256, 32);
	n->dp_start_unix = (int64_t)st->dp_hello.start_unix;
	n->dp_workers = st->dp_hello.n_workers;
	if (n->config_path == NULL)
		goto fail;
	n->config_valid = st->running.valid;
	if (st->running.valid) {
		memcpy(n->config_sha256, st->running.sha256, 32);
		n->config_load_unix =
			prev != NULL && prev->config_valid &&
					memcmp(prev->config_sha256,
					       st->running.sha256, 32) == 0
				? prev->config_load_unix
				: (int64_t)time(NULL);
		if (st->running.conf != NULL) {
			unsigned nf = ixg_conf_n_files(st->running.conf);

			n->files = calloc(nf ? nf : 1, sizeof(*n->files));
			if (n->files == NULL)
				goto fail;
			for (i = 0; i < nf; i++) {
				n->files[i] = strdup(
					ixg_conf_file(st->running.conf, i));
				if (n->files[i] == NULL)
					goto fail;
				n->n_files = i + 1;
			}
			if (st->running.files != NULL &&
			    st->running.n_files == nf) {
				n->file_sigs = malloc((nf ? nf : 1) *
						      sizeof(*n->file_sigs));
				if (n->file_sigs == NULL)
					goto fail;
				memcpy(n->file_sigs, st->running.files,
				       nf * sizeof(*n->file_sigs));
			}
		}
		n->ports = calloc(s->n_ports + 1, sizeof(*n->ports));
		n->peers = calloc(s->n_peers + 1, sizeof(*n->peers));
		n->classes = calloc(s->n_classes + 1, sizeof(*n->classes));
		n->rules = calloc(s->n_acl_rules + 1, sizeof(*n->rules));
		n->countries = calloc(s->n_countries + 1,
				      sizeof(*n->countries));
		if (n->ports == NULL || n->peers == NULL ||
		    n->classes == NULL || n->rules == NULL ||
		    n->countries == NULL)
			goto fail;
		for (i = 0; i < s->n_countries && i < IXG_MAX_COUNTRIES; i++)
			n->countries[i] = s->countries[i];
		n->n_countries = i;
		for (i = 0; i < s->n_ports; i++) {
			if (s->ports[i].id >= IXG_MAX_PORTS)
				continue;
			n->ports[n->n_ports].id = s->ports[i].id;
			snprintf(n->ports[n->n_ports].name, IXG_NAME_LEN, "%s",
				 s->ports[i].name);
			n->n_ports++;
		}
		for (i = 0; i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];
			struct exp_peer *e = &n->peers[n->n_peers];

			if (p->id == IXG_PEER_NONE || p->id >= IXG_MAX_PEERS)
				continue;
			e->id = p->id;
			e->asn = p->asn;
			e->country = p->country;
			snprintf(e->name, sizeof(e->name), "%s", p->name);
			e->has_nh4 = p->has_nh4;
			e->has_nh6 = p->has_nh6;
			memcpy(e->nh4, p->nh4, 4);
			memcpy(e->nh6, p->nh6, 16);
			n->n_peers++;
		}
		for (i = 0; i < s->n_classes; i++) {
			if (s->classes[i].id >= IXG_MAX_CLASSES)
				continue;
			n->classes[n->n_classes].id = s->classes[i].id;
			snprintf(n->classes[n->n_classes].name, IXG_NAME_LEN,
				 "%s", s->classes[i].name);
			n->n_classes++;
		}
		for (i = 0; i < s->n_acl_rules; i++) {
			struct ixg_spec_acl_rule *r = &n->rules[n->n_rules];

			if (s->acl_rules[i].id >= IXG_MAX_ACL_RULES)
				continue;
			r->id = s->acl_rules[i].id;
			r->family = s->acl_rules[i].family;
			snprintf(r->name, sizeof(r->name), "%s",
				 s->acl_rules[i].name);
			n->n_rules++;
		}
	}
	if (st->running.valid && s->n_blackholes > 0) {
		char o[IXG_CTR_ORIGIN_LEN];

		n->blackholes = malloc(s->n_blackholes *
				       sizeof(*n->blackholes));
		n->bh_origins = calloc(s->n_blackholes, sizeof(*n->bh_origins));
		if (n->blackholes == NULL || n->bh_origins == NULL)
			goto fail;
		memcpy(n->blackholes, s->blackholes,
		       s->n_blackholes * sizeof(*n->blackholes));
		n->n_blackholes = s->n_blackholes;
		for (i = 0; i < s->n_blackholes; i++) {
			n->bh_origins[i] = strdup(rib_bh_origin(
				st, &s->blackholes[i], o, sizeof(o)));
			if (n->bh_origins[i] == NULL)
				goto fail;
		}
	}
	if (st->running.valid && s->n_nhgroups > 0) {
		n->nhgroups = malloc(s->n_nhgroups * sizeof(*n->nhgroups));
		if (n->nhgroups == NULL)
			goto fail;
		memcpy(n->nhgroups, s->nhgroups,
		       s->n_nhgroups * sizeof(*n->nhgroups));
		n->n_nhgroups = s->n_nhgroups;
	}
	n->ctr = calloc(1, sizeof(*n->ctr));
	if (n->ctr == NULL)
		goto fail;
	ctr_names(n);
	if (st->dp_connected && map_counters(n, st) < 0)
		goto fail;
	return n;
fail:
	free_names(n);
	errno = ENOMEM;
	return NULL;
}

/* Reference counting (see metrics.h). Any thread. */
void
exp_names_get(struct exp_names *n)
{
	if (n != NULL)
		__atomic_add_fetch(&n->refs, 1, __ATOMIC_RELAXED);
}

void
exp_names_put(struct exp_names *n)
{
	if (n != NULL && __atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free_names(n);
}

/* Ready? (see metrics.h). Any thread. */
bool
exp_names_ready(const struct exp_names *n, char *why, size_t whylen)
{
	if (n == NULL) {
		snprintf(why, whylen, "ixgate-control is starting");
		return false;
	}
	if (!n->dp_connected) {
		snprintf(why, whylen, "dataplane not connected");
		return false;
	}
	if (!n->config_valid) {
		snprintf(why, whylen, "no configuration loaded");
		return false;
	}
	if (n->dp_generation == 0) {
		snprintf(why, whylen,
			 "no configuration committed to the dataplane");
		return false;
	}
	if (memcmp(n->dp_sha256, n->config_sha256, 32) != 0) {
		static const char hx[] = "0123456789abcdef";
		char a[17], b[17];

		for (unsigned i = 0; i < 8; i++) {
			a[2 * i] = hx[n->dp_sha256[i] >> 4];
			a[2 * i + 1] = hx[n->dp_sha256[i] & 15];
			b[2 * i] = hx[n->config_sha256[i] >> 4];
			b[2 * i + 1] = hx[n->config_sha256[i] & 15];
		}
		a[16] = b[16] = '\0';
		snprintf(why, whylen,
			 "dataplane runs generation %llu (sha256 %s), not the "
			 "loaded configuration (sha256 %s)",
			 (unsigned long long)n->dp_generation, a, b);
		return false;
	}
	return true;
}
