/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_impl.h - internals of the config library shared by its files and by
 * its unit tests. Not installed, not part of the contract (ixg_conf.h is).
 */
#ifndef IXG_CONF_IMPL_H
#define IXG_CONF_IMPL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "conf_fields.h"
#include "ixg_conf.h"

/* ---------------------------------------------------------------------
 * Growable arrays: `v` grows by doubling; n is the count, cap the room.
 */
#define VEC(type)                                                              \
	struct {                                                               \
		type *v;                                                       \
		uint32_t n, cap;                                               \
	}
void *vec_grow(void *v, uint32_t *cap, uint32_t need, size_t elsz);
#define VEC_PUSH(vec)                                                          \
	(((vec).n < (vec).cap ||                                               \
	  ((vec).v = vec_grow((vec).v, &(vec).cap, (vec).n + 1,                \
			      sizeof(*(vec).v))) != NULL)                      \
		 ? &(vec).v[(vec).n++]                                         \
		 : NULL)

/* Bump allocator for strings and small objects freed all at once. */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
void *arena_alloc(struct arena *a, size_t n); /* zeroed; NULL on ENOMEM */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

/* ---------------------------------------------------------------------
 * Sources and locations.
 */
struct c_file {
	char *path; /* as opened, also the name shown in diagnostics */
	char *dir; /* directory of path with a trailing '/', or "" */
	char *text;
	size_t len;
};

/* A location: origin ids and diagnostics point at these. */
struct c_loc {
	uint32_t file; /* index into conf->files */
	uint32_t line, col; /* 1-based; col counts bytes */
	uint32_t off; /* byte offset of the token in the file */
	uint32_t len; /* token length, for the ~~~ underline */
};

/* Origins with this bit set point into a data file (prefix lists):
 * bits 21..30 data-file index, bits 0..20 line. */
#define ORIGIN_DATA 0x80000000u
#define ORIGIN_DATA_LINE_BITS 21

/* ---------------------------------------------------------------------
 * Loading files (load.c): one struct conf_load per parse or compile.
 */
struct conf_load {
	struct ixg_conf_opts o; /* zero limits replaced by the defaults */
	uint32_t files; /* opened so far in this load (parse + compile) */
	uint64_t bytes; /* read so far */
	int root_fd; /* o.root, O_PATH; -1 without a root */
	char *root_abs, *root_real; /* o.root absolute, and resolved */
	int late; /* the deadline has passed */
	int stop; /* a per-load limit was hit: read nothing more */
	void *hash; /* an XXH3_state_t every byte read goes into, or NULL
		     * (cache.c, while it records a file) */
};

/* Start a load with opts (NULL: the defaults) and what earlier phases of
 * the same load used; 0 or -errno with a message in err. */
int load_begin(struct conf_load *L, const struct ixg_conf_opts *o,
	       uint32_t files, uint64_t bytes, char *err, size_t errlen);
void load_end(struct conf_load *L);
/* 1 once the deadline (if any) has passed. */
int load_late(struct conf_load *L);
/* 1 if path (resolved lexically against the current directory) lies in
 * the load's root, or there is no root. Symbolic links are checked by
 * load_open itself. */
int load_inside(const struct conf_load *L, const char *path);
/* Open path for reading: counts against the file limit, stays inside the
 * root, O_NONBLOCK | O_NOCTTY | O_CLOEXEC, must be a regular file no
 * bigger than the bytes left. The descriptor, or -errno with the reason
 * in err (and L->stop set if a per-load limit was hit). */
int load_open(struct conf_load *L, const char *path, struct stat *st, char *err,
	      size_t errlen);
/* read(2) within the byte budget; -errno with the reason in err. */
ssize_t load_read(struct conf_load *L, int fd, void *buf, size_t len, char *err,
		  size_t errlen);
/* A whole config file (NUL-terminated, malloc'ed) from load_open's fd,
 * within the byte and line limits; NULL with the reason in err. */
char *load_whole(struct conf_load *L, int fd, const struct stat *st,
		 size_t *len, char *err, size_t errlen);

/* ---------------------------------------------------------------------
 * Diagnostics.
 */
enum diag_sev { DIAG_ERROR, DIAG_WARNING };

/* Past this many errors in one diags object, diagnostics are counted but
 * not kept, and the load stops (one more says so). */
#define DIAG_MAX_ERRORS 1000

/* Render one diagnostic: header, and the source line with a caret line
 * under `toklen` bytes at `col` when `line_text` is non-NULL. */
void diag_emit(struct ixg_diags *d, enum diag_sev sev, const char *file,
	       uint32_t line, uint32_t col, const char *line_text,
	       size_t line_len, size_t toklen, const char *fmt, va_list ap);
/* "file:line:col: error: message" without a source line; line 0 leaves
 * out ":line:col". */
void diag_file(struct ixg_diags *d, enum diag_sev sev, const char *file,
	       uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void diag_vfile(struct ixg_diags *d, enum diag_sev sev, const char *file,
		uint32_t line, uint32_t col, const char *fmt, va_list ap);
/* Quote file content in d's diagnostics (1, the default) or not. */
void diag_set_quote(struct ixg_diags *d, int quote);
/* 1 once d holds DIAG_MAX_ERRORS errors. */
int diag_full(const struct ixg_diags *d);

/* ---------------------------------------------------------------------
 * The parsed tree.
 */
struct pfx {
	uint8_t fam; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16]; /* network byte order */
	uint32_t loc;
};
typedef VEC(struct pfx) pfx_vec;

struct c_path {
	char *path; /* as opened (relative to the current directory) */
	char *print; /* as printed (relative to the root file's directory) */
	uint32_t loc;
	uint32_t data_idx; /* index in conf->datafiles, for origins */
};
typedef VEC(struct c_path) path_vec;

/*
 * The blocks. `set` has bit SEC_ID for each keyword given, locs[SEC_F_ID]
 * where it was first given (conf_fields.h); SEC_OBJ names the struct for
 * the F rows of conf_fields.h.
 */
#define NODE_OBJ struct c_node
struct c_node {
	uint32_t set, loc;
	uint32_t locs[NODE_NSLOTS];
	char name[IXG_NAME_LEN];
	ixg_cc_t country;
	uint8_t icmp_te;
	uint32_t icmp_rate;
	uint32_t sampling;
	/* sFlow export (ixgate-control): collectors in the order given. */
	struct c_collector {
		uint8_t fam;
		uint8_t addr[16];
		uint16_t port;
	} collectors[IXG_SFLOW_MAX_COLLECTORS];
	uint8_t n_collectors;
	uint8_t agent_fam; /* 0: not given */
	uint8_t agent[16];
	uint32_t sflow_sub_agent;
	uint32_t sflow_interval;
	uint8_t punt; /* exception-path on|off */
	uint32_t punt_rate, punt_burst;
	uint32_t arp_nd_rate; /* 0: answers not limited */
	/* punt-allow rules, in the order given (doc/exception-path.md) */
	uint8_t n_punt_allow;
	struct ixg_spec_punt_rule punt_allow[IXG_MAX_PUNT_RULES];
};

struct c_addr {
	uint8_t fam, len;
	uint16_t vlan;
	uint8_t addr[16];
	uint32_t loc;
};

struct c_pvlan {
	uint16_t vid;
	uint32_t loc;
};

#define PORT_OBJ struct c_port
struct c_port {
	char name[IXG_NAME_LEN];
	uint32_t loc, set;
	uint32_t locs[PORT_NSLOTS];
	char *device;
	uint16_t mtu, rxq, txq;
	uint32_t sampling; /* 1-in-N, 0 off; the node's if not given */
	uint8_t mac[6];
	VEC(struct c_addr) addrs;
	VEC(struct c_pvlan) vlans;
};

#define CLASS_OBJ struct c_class
struct c_class {
	char name[IXG_NAME_LEN];
	uint32_t loc, set;
	uint32_t locs[CLASS_NSLOTS];
	uint64_t cir_bits, cbs, pir_bits, pbs;
	uint8_t yellow, red; /* enum ixg_meter_action */
	uint8_t yellow_dscp, red_dscp;
};

#define PEER_OBJ struct c_peer
struct c_peer {
	char name[IXG_NAME_LEN];
	uint32_t loc, set;
	uint32_t locs[PEER_NSLOTS];
	uint32_t asn;
	ixg_cc_t country;
	char port[IXG_NAME_LEN];
	uint16_t vlan, outer_vlan;
	uint8_t n_macs;
	uint8_t macs[IXG_MAX_PEER_MACS][6];
	uint32_t mac_locs[IXG_MAX_PEER_MACS];
	uint8_t nh4[4], nh6[16];
	uint8_t sav; /* enum ixg_sav_mode */
	uint8_t neigh; /* enum ixg_neigh_mode */
	uint32_t max_prefix;
	uint64_t rate_bits, burst;
	uint8_t has_burst;
	pfx_vec announce, allow;
	path_vec announce_files, allow_files;
	uint32_t port_idx; /* resolved by conf_validate */
};

#define RULE_OBJ struct c_rule
struct c_rule {
	uint32_t prio;
	char name[IXG_NAME_LEN]; /* may be empty */
	uint32_t loc, set;
	uint32_t locs[RULE_NSLOTS];
	char from[IXG_NAME_LEN];
	uint8_t proto;
	struct pfx src, dst;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint8_t dscp;
	uint8_t action; /* enum ixg_acl_action */
	uint8_t remark_dscp;
	char class_name[IXG_NAME_LEN];
	uint32_t from_idx, class_idx; /* resolved by conf_validate */
	uint8_t fams; /* bit 0: IPv4, bit 1: IPv6 */
};

struct c_blackhole {
	struct pfx p;
	int64_t expires; /* 0: never */
	uint32_t loc;
};

#define KROUTES_OBJ struct c_kroutes
struct c_kroutes {
	uint32_t set, loc;
	uint32_t locs[KROUTES_NSLOTS];
	uint8_t fams; /* bit 0: IPv4, bit 1: IPv6; 0: not given (both) */
	uint8_t precedence_kernel, filter;
	uint8_t session_keep; /* session-loss keep */
	uint8_t n_tables, n_protocols;
	uint8_t protocols[IXG_KROUTES_MAX_PROTOCOLS];
	uint32_t tables[IXG_KROUTES_MAX_TABLES];
	uint32_t batch_ms;
};

/* route PREFIX { via MEMBER [weight N]; ... }: 2..IXG_NHG_MAX_MEMBERS
 * distinct members (checked by the parser), resolved by conf_validate. */
#define ROUTE_OBJ struct c_route
struct c_route {
	struct pfx p; /* p.loc: the prefix, the routes' origin */
	uint32_t set, loc; /* loc: the 'route' keyword */
	uint32_t locs[ROUTE_NSLOTS];
	uint8_t n_via;
	struct c_via {
		char peer[IXG_NAME_LEN];
		uint16_t weight; /* 1..256 */
		uint8_t has_weight; /* written (printed back) */
		uint32_t loc; /* the member's name */
		uint32_t peer_idx; /* resolved by conf_validate */
	} via[IXG_NHG_MAX_MEMBERS];
};

enum country_format { CF_IPLOCDB = 0, CF_RIR = 1 };

struct c_cdata {
	struct c_path path;
	uint8_t format; /* enum country_format */
};

/* metrics { ... }: listen addresses as written ("ADDR:PORT",
 * "[V6]:PORT", checked), the TLS files (paths resolved like every other). */
#define METRICS_OBJ struct c_metrics
struct c_metrics {
	uint32_t set, loc;
	uint32_t locs[METRICS_NSLOTS];
	uint8_t listen_none; /* "listen none;" */
	uint8_t n_listen;
	char *listen[IXG_CONF_METRICS_MAX_LISTEN];
	uint32_t listen_locs[IXG_CONF_METRICS_MAX_LISTEN];
	struct c_path file[3]; /* tls-cert, tls-key, tls-client-ca */
};

/* A top-level object in declaration order: kind is the TOP_F_ slot of its
 * statement; idx indexes its array (acl: the first rule, n rules). */
struct c_item {
	uint8_t kind;
	uint32_t idx, n;
};

struct ixg_conf {
	struct arena arena;
	struct ixg_conf_opts opts; /* of the parse, for its compiles */
	uint32_t files_read; /* by the parse */
	uint64_t bytes_read;
	VEC(struct c_file) files;
	VEC(struct c_loc) locs;
	VEC(const char *) datafiles; /* paths of prefix-list files (origins) */
	char *root_dir; /* directory of the root file, "" for the cwd */
	VEC(struct c_item) items;
	int has_node;
	struct c_node node;
	VEC(struct c_port) ports;
	VEC(struct c_class) classes;
	VEC(struct c_peer) peers;
	VEC(struct c_rule) rules;
	VEC(struct c_blackhole) blackholes;
	VEC(struct c_route) routes;
	VEC(struct c_cdata) cdata;
	int has_metrics;
	struct c_metrics metrics;
	int has_kroutes;
	struct c_kroutes kroutes;
};

/* ---------------------------------------------------------------------
 * Keyword descriptors, one per row of conf_fields.h.
 */
struct conf_val {
	uint8_t kind; /* enum conf_val_kind; VK_NONE for K rows */
	uint8_t width; /* sizeof the member */
	uint32_t off; /* offsetof the member in the block's struct */
	uint64_t lo, hi; /* accepted range (UINT, POW2, RATE, SIZE) */
	const char *what; /* the value's name in messages, or NULL */
};

struct conf_kw {
	const char *name; /* the keyword */
	const char *section; /* "PEER": the list it is declared in */
	uint8_t slot; /* SEC_F_ID */
	uint8_t has_slots; /* the block's struct has set and locs[] */
	uint32_t set_off, locs_off;
	struct conf_val val;
};

#define CONF_SLOTS_OF_(t) 1, offsetof(t, set), offsetof(t, locs)
#define TOP_SLOTS 0, 0, 0
#define NODE_SLOTS CONF_SLOTS_OF_(struct c_node)
#define PORT_SLOTS CONF_SLOTS_OF_(struct c_port)
#define PVLAN_SLOTS 0, 0, 0
#define CLASS_SLOTS CONF_SLOTS_OF_(struct c_class)
#define PEER_SLOTS CONF_SLOTS_OF_(struct c_peer)
#define ACL_SLOTS 0, 0, 0
#define RULE_SLOTS CONF_SLOTS_OF_(struct c_rule)
#define METRICS_SLOTS CONF_SLOTS_OF_(struct c_metrics)
#define KROUTES_SLOTS CONF_SLOTS_OF_(struct c_kroutes)
#define ROUTE_SLOTS CONF_SLOTS_OF_(struct c_route)

/* The descriptor of an F row and of a K row (conf_fields.h). */
#define CONF_KW_F(sec, id, kw, kind, member, lo, hi, what)                     \
	{                                                                      \
		kw, #sec, sec##_F_##id, sec##_SLOTS,                           \
		{                                                              \
			VK_##kind, sizeof(((sec##_OBJ *)0)->member),           \
				offsetof(sec##_OBJ, member), lo, hi, what      \
		}                                                              \
	}
#define CONF_KW_K(sec, id, kw, ...)                                            \
	{                                                                      \
		kw, #sec, sec##_F_##id, sec##_SLOTS,                           \
		{                                                              \
			VK_NONE, 0, 0, 0, 0, NULL                              \
		}                                                              \
	}

/* Every keyword of every section, in declaration order, then a row with
 * a NULL name (tests, fuzzing, documentation checks). */
extern const struct conf_kw conf_keywords[];

/* Diagnostic at a parsed location (prints the source line). */
void conf_diag(const struct ixg_conf *c, struct ixg_diags *d, enum diag_sev sev,
	       uint32_t loc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void conf_vdiag(const struct ixg_conf *c, struct ixg_diags *d,
		enum diag_sev sev, uint32_t loc, const char *fmt, va_list ap);
/* "file:line:col" of a parsed location, into buf. */
void conf_loc_str(const struct ixg_conf *c, uint32_t loc, char *buf,
		  size_t len);

/* Name of an IP protocol number ("tcp"), or NULL. */
const char *conf_proto_name(uint8_t proto);

/* Cross-object checks after parsing; returns the number of errors. */
unsigned conf_validate(struct ixg_conf *c, struct ixg_diags *d);

/* ---------------------------------------------------------------------
 * Value parsers: 0 on success, or a negative errno with a message in
 * `err` (what was expected).
 */
int parse_u64(const char *s, size_t n, uint64_t *v);
int parse_ip4(const char *s, size_t n, uint8_t out[4]);
int parse_ip6(const char *s, size_t n, uint8_t out[16]);
/* addr or addr/len; `need_len` requires "/len". */
int parse_prefix(const char *s, size_t n, struct pfx *p, int need_len,
		 char *err, size_t errlen);
/* 1 if bits past p->len are zero. */
int pfx_is_canonical(const struct pfx *p);
void pfx_mask(struct pfx *p);
/* Text form of addr (and "/len" when with_len). */
void pfx_format(const struct pfx *p, int with_len, char *buf, size_t len);
/* Why no router may own the address p (on its subnet of p->len), or NULL:
 * multicast, loopback, 0/8, broadcast, class E, a subnet's network or
 * broadcast address up to /30; IPv6 multicast, ::1, ::, IPv4-mapped. */
const char *addr_not_ownable(const struct pfx *p, char *buf, size_t len);
int parse_mac(const char *s, size_t n, uint8_t mac[6]);
/* N with bit/kbit/mbit/gbit/tbit (SI units), result in bits/s. */
int parse_rate(const char *s, size_t n, uint64_t *bits);
/* N with k/m/g (binary units, as tc), result in bytes. */
int parse_size(const char *s, size_t n, uint64_t *bytes);
void format_rate(uint64_t bits, char *buf, size_t len);
void format_size(uint64_t bytes, char *buf, size_t len);
/* "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC only). */
int parse_time(const char *s, size_t n, int64_t *t);
void format_time(int64_t t, char *buf, size_t len);
unsigned edit_distance(const char *a, size_t an, const char *b, size_t bn);
/* The candidate closest to word within a small distance, or NULL. */
const char *closest_word(const char *w, size_t n, const char *const *cands);
/* The same over names `stride` bytes apart from *first, up to a NULL one
 * (the name fields of a table). */
const char *closest_word_in(const char *w, size_t n, const char *const *first,
			    size_t stride);

/* ---------------------------------------------------------------------
 * Ranges to minimal CIDR prefixes. The callback returns 0 to go on.
 */
typedef int (*cidr_cb)(void *ctx, const uint8_t addr[16], uint8_t len);
int range4_to_cidr(uint32_t first, uint32_t last, cidr_cb cb, void *ctx);
int range6_to_cidr(const uint8_t first[16], const uint8_t last[16], cidr_cb cb,
		   void *ctx);

/* ---------------------------------------------------------------------
 * Lexer: words (any run of characters other than white space and
 * { } ; " #), "strings", { } ;, and # comments to end of line.
 */
enum tok_kind { T_EOF, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_SEMI, T_BAD };

struct tok {
	enum tok_kind kind;
	const char *p; /* for T_STRING, the text between the quotes */
	uint32_t len;
	uint32_t line, col, off; /* of the first byte (the quote for strings) */
	uint32_t span; /* bytes covered in the source, quotes included */
};

struct lexer {
	const char *text;
	size_t len, pos;
	uint32_t line;
	size_t line_start;
};

void lexer_init(struct lexer *lx, const char *text, size_t len);
/* Next token; T_BAD for an unterminated string or a stray control
 * character (tok covers it). */
void lexer_next(struct lexer *lx, struct tok *t);

/* ---------------------------------------------------------------------
 * Prefix-list files (bgpq4 plain output), shared by the compiler and tests.
 * Calls cb for every prefix; errors go to d (named after `path`).
 */
typedef int (*pfx_cb)(void *ctx, const struct pfx *p, uint32_t line);
int prefix_file_read(const char *path, const char *text, size_t len, pfx_cb cb,
		     void *ctx, struct ixg_diags *d);
/* Country data: cb gets every CIDR prefix with its country code. */
typedef int (*country_cb)(void *ctx, const uint8_t addr[16], uint8_t fam,
			  uint8_t len, ixg_cc_t cc);
int country_file_read(const char *path, const char *text, size_t len,
		      int format, country_cb cb, void *ctx,
		      struct ixg_diags *d);
/* The same from a file opened with load_open(), read in chunks under the
 * load's limits (lines per file, bytes, deadline), which are reported at
 * the line where reading stopped. */
int prefix_fd_read(struct conf_load *L, int fd, const char *path, pfx_cb cb,
		   void *ctx, struct ixg_diags *d);
int country_fd_read(struct conf_load *L, int fd, const char *path, int format,
		    country_cb cb, void *ctx, struct ixg_diags *d);

/* ---------------------------------------------------------------------
 * The compile cache (cache.c; the contract is ixg_conf.h's). A compile
 * reads its data files through these: with c NULL they are
 * prefix_fd_read / country_fd_read; otherwise an unchanged file's
 * recorded callbacks are replayed and a changed one is read and recorded.
 * fd comes from load_open (st its fstat, t_open the CLOCK_REALTIME before
 * the open: cache_now_ns); the fd is neither closed nor left at another
 * offset than a read leaves it.
 */
int cache_prefix_file(struct conf_load *L, struct ixg_conf_cache *c, int fd,
		      const struct stat *st, int64_t t_open, const char *path,
		      pfx_cb cb, void *ctx, struct ixg_diags *d);
int cache_country_file(struct conf_load *L, struct ixg_conf_cache *c, int fd,
		       const struct stat *st, int64_t t_open, const char *path,
		       int format, country_cb cb, void *ctx,
		       struct ixg_diags *d);
int64_t cache_now_ns(void);
/* How many routes4, routes6, sources4, sources6, country4, country6 the
 * last compile through c read (before dropping repeats): the next one
 * allocates that much at once instead of growing (and copying) 20 times.
 * Zeros for c NULL or a new cache. */
#define CACHE_SIZES 6
void cache_sizes_get(const struct ixg_conf_cache *c,
		     uint32_t sizes[CACHE_SIZES]);
void cache_sizes_set(struct ixg_conf_cache *c,
		     const uint32_t sizes[CACHE_SIZES]);
/*
 * The duplicate check's sorted index of the last compile through c, per
 * table (DEDUP_ROUTES4 .. DEDUP_SOURCES6): the table as it was read
 * (before repeats were dropped) and its keys in sorted order (IPv4: the
 * 64-bit keys of compile.c; IPv6: positions, uint32_t). The next compile
 * finds the changed middle of the table against it and merges only that
 * into the index instead of sorting every key again. Owned by the cache;
 * NULL for c NULL.
 */
enum {
	DEDUP_ROUTES4,
	DEDUP_ROUTES6,
	DEDUP_SOURCES4,
	DEDUP_SOURCES6,
	DEDUP_MEMOS
};
struct dedup_memo {
	void *v; /* n elements of the table, as read */
	void *keys; /* n sorted keys */
	uint32_t n;
	size_t cap_v, cap_keys; /* bytes allocated */
};
struct dedup_memo *cache_dedup_memo(struct ixg_conf_cache *c, unsigned table);
/* One table's check merged from its memo (the stats' dedup_merged). */
void cache_dedup_merged(struct ixg_conf_cache *c);

/* A compile starts (stats reset) / ends; a complete one drops the
 * entries it did not use. c may be NULL. */
void cache_compile_begin(struct ixg_conf_cache *c);
void cache_compile_end(struct ixg_conf_cache *c, int complete);
/* Tests: how recent a file's times must be to be verified by content
 * (default 2 s); and make path's entries take the file's identity now, as
 * a filesystem whose times did not move would (the number changed). */
void cache_set_racy_ns(struct ixg_conf_cache *c, int64_t ns);
int cache_forge_identity(struct ixg_conf_cache *c, const char *path);

#endif /* IXG_CONF_IMPL_H */
