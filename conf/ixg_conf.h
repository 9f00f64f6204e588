/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_conf.h - the config library: parser, validator, canonical printer and
 * compiler of ixgate's peering config files.
 *
 * Plain C, no DPDK, liburing or OpenSSL: linked by ixgate-control, by the
 * dataplane's offline replay mode, by the tools and by the tests.
 */
#ifndef IXG_CONF_H
#define IXG_CONF_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ixg_api.h"

struct ixg_conf; /* a parsed configuration (opaque) */

/*
 * Diagnostics: every error (and warning) found, in the order found, each
 * rendered as
 *   file:line:col: error: message
 *       offending source line
 *       ^~~~~
 */
struct ixg_diags;

struct ixg_diags *ixg_diags_new(void);
void ixg_diags_free(struct ixg_diags *d);
unsigned ixg_diags_errors(const struct ixg_diags *d);
unsigned ixg_diags_warnings(const struct ixg_diags *d);
/* Print every diagnostic, then nothing else. */
void ixg_diags_print(const struct ixg_diags *d, FILE *out);

/*
 * Load options: what one load may read and how it reports. A load is a
 * parse (the config files) and each compile of its result (prefix-list
 * and country data files); the limits count over both. Every file is
 * opened with O_NONBLOCK | O_NOCTTY | O_CLOEXEC and must be a regular file
 * (a FIFO, device, socket or directory is refused where it is named).
 *
 * Fill with ixg_conf_opts_init() (the defaults below), then change what
 * you need. Defaults, measured on bench/fetch-data.sh + ixgate-mkconfig
 * (doc/config-reference.md, "Limits"): the real internet table loads 134
 * files, 21 MB, at most 259,515 lines in one file; the full-size one
 * (4095 peers, 1.2M + 300k routes) 8,196 files and 35 MB.
 */
#define IXG_CONF_MAX_FILES 16384u /* files opened per load */
#define IXG_CONF_MAX_BYTES (256ull << 20) /* bytes read per load */
#define IXG_CONF_MAX_LINES 4194304u /* lines in one file */
#define IXG_CONF_MAX_DEPTH 16u /* include nesting */

struct ixg_conf_opts {
	uint32_t max_files; /* files opened: config, includes, data files */
	uint64_t max_bytes; /* bytes read over all of them */
	uint32_t max_lines; /* lines in any one file */
	uint32_t max_depth; /* include nesting */
	/* CLOCK_MONOTONIC time in ns after which loading stops with an error
	 * ("deadline passed"); 0 = none. */
	uint64_t deadline_ns;
	/* If not NULL, a directory: no file outside it is opened, whatever
	 * the path or its symbolic links say (openat2 RESOLVE_BENEATH). */
	const char *root;
	/* If not 0, diagnostics quote nothing read from a file: no source
	 * line, no caret, and every value in a message shown as "...";
	 * positions (file:line:col) stay. For a caller that may not read
	 * the files (ixgatectl check through the daemon). */
	int no_quote;
};

/* The defaults: the limits above, no deadline, no root, quoting on. */
void ixg_conf_opts_init(struct ixg_conf_opts *o);

/*
 * Compile cache: what the data files of a config (prefix lists, country
 * data) compiled to, kept from one load to the next so a reload reads
 * and parses only the files that changed (a one-member change of the
 * real table: one file of 132). A file is reused when its identity is
 * what it was when read (device, inode, size, modification and change
 * times in ns: an edit in place, `git checkout` and an atomic rename all
 * change it) and, if its times are within 2 s of that read (one
 * timestamp tick may hide a second write), its content hash (XXH3-64)
 * too. A reuse gives the compile exactly what a read gives (prefixes,
 * line numbers, every diagnostic, the load's byte budget); only reads
 * that ended without any diagnostic are kept. Entries a complete compile
 * did not use are dropped (a deleted or renamed file is an error as
 * before, and leaves nothing behind).
 *
 * Not thread-safe: one load at a time uses a cache (give each thread its
 * own, or hand it over). Any thread.
 */
struct ixg_conf_cache;

struct ixg_conf_cache *ixg_conf_cache_new(void); /* NULL: out of memory */
void ixg_conf_cache_free(struct ixg_conf_cache *c); /* NULL: nothing */

/* What the last compile through the cache did, and what it holds. */
struct ixg_conf_cache_stats {
	uint32_t compiled; /* data files read and parsed */
	uint32_t reused; /* data files taken unchanged (not parsed) */
	uint32_t verified; /* of those: read again and hashed, their times
			    * being too recent to trust */
	uint32_t dropped; /* entries dropped, no longer used */
	uint64_t bytes_compiled, bytes_reused;
	uint32_t entries; /* held now */
	uint64_t bytes_held; /* memory of the entries' records and of the
			      * duplicate checks' sorted indexes */
	/* Of the four prefix tables (routes, sources; IPv4, IPv6), those
	 * whose duplicate check merged the changed middle into the last
	 * compile's sorted index instead of sorting every prefix. */
	uint32_t dedup_merged;
};

/* c's stats into *out (zeros for c NULL). */
void ixg_conf_cache_stats(const struct ixg_conf_cache *c,
			  struct ixg_conf_cache_stats *out);

/*
 * Parse and validate the config rooted at `path` (includes are resolved
 * relative to the including file). Returns the config, or NULL if there was
 * any error; every error is in `d`. Never stops at the first error.
 * ixg_conf_parse_file() uses the default options; opts (copied, root
 * too) also govern every ixg_conf_compile*() of the result. The load sets
 * d's quoting (no_quote) for what it adds. Any thread; a load shares
 * nothing with another thread's.
 */
struct ixg_conf *ixg_conf_parse_file(const char *path, struct ixg_diags *d);
struct ixg_conf *ixg_conf_parse_file_opts(const char *path,
					  const struct ixg_conf_opts *opts,
					  struct ixg_diags *d);

/* The same from a string (tests, fuzzing). `name` is used in diagnostics;
 * includes are resolved relative to the current directory. opts may be
 * NULL (the defaults). */
struct ixg_conf *ixg_conf_parse_string(const char *name, const char *text,
				       size_t len, struct ixg_diags *d);
struct ixg_conf *ixg_conf_parse_string_opts(const char *name, const char *text,
					    size_t len,
					    const struct ixg_conf_opts *opts,
					    struct ixg_diags *d);

void ixg_conf_free(struct ixg_conf *c);

/* Canonical print: parse(print(c)) prints the same bytes (fixed point). */
void ixg_conf_print(const struct ixg_conf *c, FILE *out);

/*
 * Compile a validated config into the spec the dataplane consumes: assigns
 * ids, loads prefix files and country data files, expands ranges into
 * prefixes, applies defaults (allowed sources = announced prefixes) and
 * checks limits (max-prefix, capacities). Returns 0, or -1 with errors in d.
 * `spec` is filled on success; release it with ixg_spec_free().
 */
int ixg_conf_compile(const struct ixg_conf *c, struct ixg_spec *spec,
		     struct ixg_diags *d);

/*
 * The same, keeping ids stable across reloads: every port, peer and class
 * whose name is in `prev` (the running spec; NULL = none), and every ACL
 * rule with the same name and family (unnamed: same priority and family),
 * gets the id it has in prev; new objects get the lowest free id. prev is
 * only read and may be freed afterwards. Any thread.
 */
int ixg_conf_compile_prev(const struct ixg_conf *c, const struct ixg_spec *prev,
			  struct ixg_spec *spec, struct ixg_diags *d);

/*
 * The same through a compile cache (ixg_conf_cache_new; NULL: none): the
 * data files that did not change since the cache saw them are not read,
 * the others are read and recorded in it. Same spec, same diagnostics as
 * without. The cache is the caller's, used by this call only while it
 * runs. Any thread.
 */
int ixg_conf_compile_cache(const struct ixg_conf *c,
			   const struct ixg_spec *prev,
			   struct ixg_conf_cache *cache, struct ixg_spec *spec,
			   struct ixg_diags *d);

/*
 * Every file the config read, for a checksum over the config: the root
 * file and its includes (in the order read), then prefix-list files, then
 * country data files. Paths as opened; valid as long as c lives.
 * ixg_conf_file returns NULL for i >= ixg_conf_n_files(c).
 */
unsigned ixg_conf_n_files(const struct ixg_conf *c);
const char *ixg_conf_file(const struct ixg_conf *c, unsigned i);
/* How many of them are config files (the root and its includes, parsed
 * as the config language): the first ones; the rest are data files. */
unsigned ixg_conf_n_config_files(const struct ixg_conf *c);

/*
 * The metrics { } block: ixgate-control's exporter settings, which the
 * config carries but the spec does not (the dataplane never sees them).
 * Listen addresses as written (checked: "ADDR:PORT" or "[V6]:PORT"), file
 * paths resolved like every path of the config (relative to the file
 * that names them). Pointers into c: valid as long as c lives.
 */
#define IXG_CONF_METRICS_MAX_LISTEN 8
struct ixg_conf_metrics {
	int given; /* the config has a metrics block */
	int listen_none; /* "listen none;": no listener */
	unsigned n_listen; /* 0: not given (the daemon's default) */
	const char *listen[IXG_CONF_METRICS_MAX_LISTEN];
	const char *tls_cert, *tls_key, *tls_client_ca; /* NULL: not given */
};

/* Fill *m (entirely) from c; c NULL gives an empty block. Any thread. */
void ixg_conf_metrics(const struct ixg_conf *c, struct ixg_conf_metrics *m);

/* Free the arrays of a spec filled by ixg_conf_compile (not spec itself). */
void ixg_spec_free(struct ixg_spec *spec);

/*
 * Parse, validate and compile in one call; on any error, print every
 * diagnostic to `errs` followed by
 *   FILE: N errors; configuration NOT loaded
 * and return -1 with *spec untouched. 0 on success.
 */
int ixg_conf_load(const char *path, struct ixg_spec *spec, FILE *errs);
/* The same with load options (NULL: the defaults). */
int ixg_conf_load_opts(const char *path, const struct ixg_conf_opts *opts,
		       struct ixg_spec *spec, FILE *errs);

/*
 * The "file:line:col" an `origin` of a spec compiled from c points at (an
 * object in a config file, or a line of a prefix-list file), written to
 * buf. 0, or -ENOENT if c knows no such origin. Origins stay valid as long
 * as c lives.
 */
int ixg_conf_origin(const struct ixg_conf *c, uint32_t origin, char *buf,
		    size_t len);

/*
 * The kernel-routes block (doc/routing.md): which Linux routing tables
 * ixgate-control follows over rtnetlink and how their routes join the
 * config's. Control-plane only: nothing of it reaches the spec.
 */
#define IXG_KROUTES_MAX_TABLES 16
#define IXG_KROUTES_MAX_PROTOCOLS 16
struct ixg_conf_kroutes {
	uint8_t enabled; /* the block is present */
	uint8_t ipv4, ipv6; /* families followed (default both) */
	uint8_t precedence_kernel; /* same prefix: kernel beats config */
	uint8_t filter; /* refuse routes outside the member's allowed
			 * prefixes (its sources: allow-source, else
			 * announce) */
	uint8_t session_keep; /* session-loss keep: a member's BGP session
			       * going down withdraws nothing (default
			       * withdraw: its kernel routes stop at once,
			       * doc/routing.md "Session loss") */
	uint8_t n_tables, n_protocols;
	uint8_t protocols[IXG_KROUTES_MAX_PROTOCOLS]; /* rtm_protocol; none:
						       * every protocol */
	uint32_t tables[IXG_KROUTES_MAX_TABLES]; /* in precedence order */
	uint32_t batch_ms; /* the window; default 20 */
	uint32_t origin; /* where the block is (ixg_conf_origin) */
};

/* The kernel-routes block of c into out (zeroed, enabled 0, when c has
 * none). Any thread. */
void ixg_conf_kernel_routes(const struct ixg_conf *c,
			    struct ixg_conf_kroutes *out);

/* Name of a routing protocol number as iproute2 spells it ("bird",
 * "bgp", "static"), or NULL; and the number of a name, -1 if unknown.
 * Any thread. */
const char *ixg_rtproto_name(unsigned proto);
int ixg_rtproto_number(const char *name, size_t len);

/*
 * The sFlow export settings of the node block (doc/monitoring.md, "sFlow"):
 * collectors in the order given (none: no export), the agent address
 * (family 0: not given, the agent picks one), sub-agent id, seconds
 * between counter samples. Read by ixgate-control; the dataplane needs
 * only the sampling rates, which are in the spec.
 */
#define IXG_SFLOW_MAX_COLLECTORS 4
#define IXG_SFLOW_PORT 6343 /* IANA's sflow port */
#define IXG_SFLOW_INTERVAL_S 20 /* counter samples: the spec's default */

struct ixg_sflow_conf {
	unsigned n_collectors;
	struct {
		uint8_t family; /* 4 or 6 */
		uint8_t addr[16]; /* network order */
		uint16_t port;
	} collectors[IXG_SFLOW_MAX_COLLECTORS];
	uint8_t agent_family;
	uint8_t agent[16];
	uint32_t sub_agent_id;
	uint32_t counter_interval_s;
};

/* c's sFlow settings, defaults filled in, into *out. Any thread. */
void ixg_conf_sflow(const struct ixg_conf *c, struct ixg_sflow_conf *out);

/* Names used in traces and counters: the spec object with this id, or NULL. */
const struct ixg_spec_peer *ixg_spec_peer_by_id(const struct ixg_spec *s,
						uint16_t id);
const struct ixg_spec_class *ixg_spec_class_by_id(const struct ixg_spec *s,
						  uint16_t id);
const struct ixg_spec_acl_rule *ixg_spec_rule_by_id(const struct ixg_spec *s,
						    uint32_t id);

#endif /* IXG_CONF_H */
