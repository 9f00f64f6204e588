/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_load.h - loading a config for ixgate-control (config_load.c):
 * the config library's parse + compile with the running ids, a SHA-256
 * over every file read and one per file, the world-writable refusal, the
 * comparison of the files on disk with a loaded config, the copy of a
 * config's files, and where an unprivileged `check` may look.
 *
 * Every function here may run on a task thread (offload.h): none touches
 * the daemon's state, and files are opened without blocking (O_NONBLOCK,
 * then refused unless regular) so a FIFO cannot hold a reader forever.
 */
#ifndef IXG_CONFIG_LOAD_H
#define IXG_CONFIG_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon.h"

/*
 * Parse, validate and compile `path` keeping the ids of `prev` (may be
 * NULL), and checksum every file it read. On success fills out (owned by
 * the caller, release with ctl_config_free) and returns 0. On error
 * prints every diagnostic then "FILE: N errors; configuration NOT loaded"
 * to errs and returns -1; out is untouched. Any thread.
 */
int ctl_config_load(const char *path, const struct ixg_spec *prev,
		    struct ctl_config *out, FILE *errs);

/*
 * A digest cache (config_load.c has the rules): what the last load through
 * it hashed, so that the next one hashes only the files whose identity
 * (device, inode, size, modification and change times) changed, or
 * changed too recently to be trusted, and resumes the config's digest
 * after the leading files that did not change. NULL when out of memory.
 * One load at a time; not thread-safe.
 */
struct ctl_digests;
struct ctl_digests *ctl_digests_new(void);
void ctl_digests_free(struct ctl_digests *g); /* NULL: nothing */
/* Files hashed within ns of their times are hashed again (default 2 s;
 * tests set 0). */
void ctl_digests_set_racy_ns(struct ctl_digests *g, int64_t ns);
/* The last load's files whose own digest was kept, and leading files the
 * config digest skipped (0, 0 for NULL). */
void ctl_digests_stats(const struct ctl_digests *g, unsigned *reused,
		       unsigned *resumed);

/*
 * The same through a compile cache (ixg_conf.h; NULL: none): data files
 * unchanged since the cache saw them are not read again; and a digest
 * cache (NULL: none): files unchanged since it saw them are not hashed
 * again. Fills out->load (files parsed, compiled, reused, digests kept;
 * time per step). The caches are used by this call alone while it runs.
 * Any thread.
 */
int ctl_config_load_cache(const char *path, const struct ixg_spec *prev,
			  struct ixg_conf_cache *cache,
			  struct ctl_digests *digests, struct ctl_config *out,
			  FILE *errs);

/* "66 config files parsed, 1 data file compiled, 65 reused unread (0
 * verified by content); digests: 65 of 67 files unchanged, 3 skipped"
 * (the last part with a digest cache): what a load read, for the
 * operator. No newline. */
void ctl_load_text(const struct ctl_load_stats *l, char *buf, size_t len);
void ctl_config_free(struct ctl_config *c);

/*
 * After the first load of a process (in_use_before: mallinfo2().uordblks
 * before it; c: what it loaded), warm the heap for the reloads to come:
 * each holds a candidate config beside the running one and the previous
 * one (kept for rollback), and the compare step keeps the route and
 * source tables it sent sorted (the next delta's base), so the first two
 * reloads would each fault in about a config's worth of fresh heap. One
 * config is what the load left in use less what the compile cache holds
 * (its records and indexes are not copied by a reload). What
 * ixg_heap_warm (ixg_heap.h) returned.
 */
size_t ctl_config_heap_warm(const struct ctl_config *c,
			    const struct ixg_conf_cache *cache,
			    size_t in_use_before);

/* SHA-256 (OpenSSL EVP) over the contents of every file c read, in
 * ixg_conf_file() order. 0 or a negative errno. Any thread. */
int ctl_config_sha256(const struct ixg_conf *c, uint8_t out[32]);

/*
 * Refuse a config an unprivileged user could rewrite: 0 if `path` and its
 * directory are not world-writable, otherwise -EPERM with a sentence in
 * err ("PATH is world-writable"). -errno if path cannot be stat'ed.
 */
int ctl_config_perms(const char *path, char *err, size_t errlen);

/* Lower-case hex of a SHA-256, 65 bytes with the NUL. */
void ctl_hex(const uint8_t sha[32], char out[65]);

/*
 * Copy into dst the arrays of src that ixg_conf_compile_prev reads to keep
 * ids (ports, peers, classes, ACL rules, countries, next-hop groups), so a compile on a
 * task thread never reads the running spec the loop may replace. 0 or
 * -ENOMEM; release dst with ixg_ids_free. Any thread.
 */
int ctl_spec_ids_copy(const struct ixg_spec *src, struct ixg_spec *dst);

/* What a config was read from, copied so a task thread can compare the
 * files on disk with it while the loop goes on. */
struct ctl_files_snapshot {
	char *config_path;
	uint8_t sha256[32];
	unsigned n;
	char **paths;
	struct ctl_file_sig *files, *dirs;
};

/* Copy c's file list and signatures. 0 or -ENOMEM. Loop thread. */
int ctl_files_snapshot(const struct ctl_config *c, const char *config_path,
		       struct ctl_files_snapshot *out);
void ctl_files_snapshot_free(struct ctl_files_snapshot *s);

/*
 * Compare the files on disk with s: a file whose size, times or inode
 * changed is hashed again and compared by content. MATCH or DIFFER, with
 * a sentence naming the first difference in note; UNKNOWN when only a
 * directory changed (a file may have been added to an include glob) and
 * `full` is false. With `full`, such a case loads the whole config again
 * and compares its SHA-256. Any thread.
 */
enum ctl_files_state ctl_files_compare(const struct ctl_files_snapshot *s,
				       bool full, char *note, size_t len);

/*
 * Copy every file c read into the directory dst (created, mode 0750):
 * files under the root config's directory keep their relative path,
 * others go under dst/_outside/ with their absolute path. Writes
 * dst/SHA256SUMS: each file's SHA-256 as it was read, and a note when its
 * content changed since (the copy is then of the current content). 0, or
 * -1 with a sentence in err. Any thread.
 */
int ctl_config_copy_files(const struct ctl_config *c, const char *config_path,
			  const char *dst, char *err, size_t errlen);

/*
 * Where `path` really is (realpath into resolved, PATH_MAX bytes), and
 * whether that is inside `dir` (also resolved): 0 inside, -EPERM outside,
 * or -errno when path cannot be resolved. Any thread.
 */
int ctl_path_inside(const char *dir, const char *path, char *resolved);

#endif /* IXG_CONFIG_LOAD_H */
