/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ids.c - the id map a restarted ixgate-control takes from the
 * dataplane (GET_IDS / IDS, common/ixg_wire.c): framing of both messages
 * (exact size, short, oversized), the memfd round trip, every malformed
 * reply refused with a reason (element size, count, offset and size past
 * the file, overflow, no memfd, bad entries, duplicates, a failure
 * status), and the point of it all: a config compiled from scratch gets
 * other ids than the running one after a history of reloads, and the same
 * config compiled with the dataplane's ids gets exactly the running ones;
 * next-hop groups too (a group per member entry, in a row).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixg_conf.h"
#include "ixg_wire.h"

static const char conf_abc[] =
	"node { name t; country SG; }\n"
	"port p0 { device \"net_null0\"; }\n"
	"port p1 { device \"net_null1\"; }\n"
	"class gold { committed-rate 1gbit; committed-burst 1m; }\n"
	"class silver { committed-rate 1gbit; committed-burst 1m; }\n"
	"peer a { asn 1; country CN; port p0; vlan 1; mac 02:00:00:00:00:01; "
	"}\n"
	"peer b { asn 2; country VN; port p0; vlan 2; mac 02:00:00:00:00:02; "
	"}\n"
	"peer c { asn 3; country TH; port p1; vlan 3; mac 02:00:00:00:00:03; "
	"}\n"
	"acl { rule 10 web { protocol tcp; destination-port 80; action class "
	"gold; }\n"
	"	rule 20 { protocol udp; action deny; } }\n";

/* b gone, d new (and its country), class silver gone. */
static const char conf_acd[] =
	"node { name t; country SG; }\n"
	"port p0 { device \"net_null0\"; }\n"
	"port p1 { device \"net_null1\"; }\n"
	"class gold { committed-rate 1gbit; committed-burst 1m; }\n"
	"peer a { asn 1; country CN; port p0; vlan 1; mac 02:00:00:00:00:01; "
	"}\n"
	"peer c { asn 3; country TH; port p1; vlan 3; mac 02:00:00:00:00:03; "
	"}\n"
	"peer d { asn 4; country MY; port p1; vlan 4; mac 02:00:00:00:00:04; "
	"}\n"
	"acl { rule 10 web { protocol tcp; destination-port 80; action class "
	"gold; }\n"
	"	rule 20 { protocol udp; action deny; } }\n";

static struct ixg_conf *
parse(const char *text)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_string("t.conf", text, strlen(text),
						   d);

	if (c == NULL)
		ixg_diags_print(d, stderr);
	assert_non_null(c);
	ixg_diags_free(d);
	return c;
}

static void
compile(const struct ixg_conf *c, const struct ixg_spec *prev,
	struct ixg_spec *out)
{
	struct ixg_diags *d = ixg_diags_new();

	memset(out, 0, sizeof(*out));
	if (ixg_conf_compile_prev(c, prev, out, d) != 0)
		ixg_diags_print(d, stderr);
	assert_int_equal(ixg_diags_errors(d), 0);
	ixg_diags_free(d);
}

static uint16_t
peer_id(const struct ixg_spec *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return s->peers[i].id;
	fail_msg("no peer %s", name);
	return 0;
}

static void
ids_msg(struct ixg_msg_ids *m, uint64_t count)
{
	memset(m, 0, sizeof(*m));
	ixg_msg_init(&m->hdr, IXG_MSG_IDS, sizeof(*m), 7);
	m->status = IXG_ST_OK;
	m->elem_size = sizeof(struct ixg_id_entry);
	m->count = count;
}

/* A memfd holding `n` entries, unsealed (what a broken peer may send). */
static int
raw_fd(const struct ixg_id_entry *v, size_t n)
{
	int fd = memfd_create("t", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, v, n * sizeof(*v)),
			 (ssize_t)(n * sizeof(*v)));
	return fd;
}

static struct ixg_id_entry
entry(unsigned table, uint32_t id, const char *name)
{
	struct ixg_id_entry e;

	memset(&e, 0, sizeof(e));
	e.table = (uint16_t)table;
	e.id = id;
	snprintf(e.name, sizeof(e.name), "%s", name);
	if (table == IXG_TBL_ACL_RULES)
		e.family = 4;
	return e;
}

/* ---- framing --------------------------------------------------------- */

static void
test_framing(void **state)
{
	uint8_t buf[IXG_MSG_MAX + 8];
	char err[IXG_WIRE_ERR_LEN];
	uint16_t type;
	unsigned t;

	(void)state;
	assert_int_equal(ixg_msg_size(IXG_MSG_GET_IDS), 16);
	assert_int_equal(ixg_msg_size(IXG_MSG_IDS), 80);
	assert_string_equal(ixg_msg_type_name(IXG_MSG_GET_IDS), "get_ids");
	assert_string_equal(ixg_msg_type_name(IXG_MSG_IDS), "ids");
	for (t = IXG_MSG_GET_IDS; t <= IXG_MSG_IDS; t++) {
		size_t size = ixg_msg_size(t);

		memset(buf, 0, sizeof(buf));
		ixg_msg_init((struct ixg_msg_hdr *)buf, (enum ixg_msg_type)t,
			     (uint32_t)size, 1);
		assert_int_equal(
			ixg_msg_check(buf, size, &type, err, sizeof(err)),
			IXG_ST_OK);
		assert_int_equal(type, t);
		/* Short: one byte less than the struct, header saying so. */
		ixg_msg_init((struct ixg_msg_hdr *)buf, (enum ixg_msg_type)t,
			     (uint32_t)size - 1, 1);
		assert_int_equal(
			ixg_msg_check(buf, size - 1, &type, err, sizeof(err)),
			IXG_ST_BAD_MESSAGE);
		/* Oversized: a byte more. */
		ixg_msg_init((struct ixg_msg_hdr *)buf, (enum ixg_msg_type)t,
			     (uint32_t)size + 1, 1);
		assert_int_equal(
			ixg_msg_check(buf, size + 1, &type, err, sizeof(err)),
			IXG_ST_BAD_MESSAGE);
		/* Header length not what was received. */
		ixg_msg_init((struct ixg_msg_hdr *)buf, (enum ixg_msg_type)t,
			     (uint32_t)size, 1);
		assert_int_equal(
			ixg_msg_check(buf, size + 8, &type, err, sizeof(err)),
			IXG_ST_BAD_MESSAGE);
		assert_true(err[0] != '\0');
	}
}

/* ---- round trip ------------------------------------------------------ */

static void
test_round_trip(void **state)
{
	struct ixg_conf *c = parse(conf_abc);
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_msg_ids m;
	struct ixg_spec s, ids;
	uint64_t n;
	int fd, seals;

	(void)state;
	compile(c, NULL, &s);
	assert_int_equal(ixg_ids_to_memfd(&s, &fd, &n), 0);
	assert_true(fd >= 0);
	assert_int_equal(n, s.n_ports + s.n_peers + s.n_classes +
				    s.n_acl_rules + s.n_countries);
	seals = fcntl(fd, F_GET_SEALS);
	assert_true(seals & F_SEAL_WRITE);
	ids_msg(&m, n);
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err), IXG_ST_OK);
	close(fd);
	assert_int_equal(ids.n_ports, s.n_ports);
	assert_int_equal(ids.n_peers, s.n_peers);
	assert_int_equal(ids.n_classes, s.n_classes);
	assert_int_equal(ids.n_acl_rules, s.n_acl_rules);
	assert_int_equal(ids.n_countries, s.n_countries);
	assert_memory_equal(ids.countries, s.countries,
			    s.n_countries * sizeof(*s.countries));
	for (uint32_t i = 0; i < s.n_peers; i++) {
		assert_string_equal(ids.peers[i].name, s.peers[i].name);
		assert_int_equal(ids.peers[i].id, s.peers[i].id);
		assert_int_equal(ids.peers[i].origin, s.peers[i].origin);
	}
	for (uint32_t i = 0; i < s.n_acl_rules; i++) {
		assert_int_equal(ids.acl_rules[i].id, s.acl_rules[i].id);
		assert_int_equal(ids.acl_rules[i].family,
				 s.acl_rules[i].family);
		assert_int_equal(ids.acl_rules[i].priority,
				 s.acl_rules[i].priority);
		assert_string_equal(ids.acl_rules[i].name, s.acl_rules[i].name);
	}
	/* Nothing else is carried. */
	assert_int_equal(ids.n_routes4, 0);
	assert_null(ids.routes4);
	ixg_ids_free(&ids);
	assert_null(ids.peers);

	/* An empty spec: no memfd, and a count of 0 needs none. */
	memset(&ids, 0, sizeof(ids));
	assert_int_equal(ixg_ids_to_memfd(&ids, &fd, &n), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(n, 0);
	ids_msg(&m, 0);
	assert_int_equal(ixg_ids_from_fd(-1, &m, &ids, err), IXG_ST_OK);
	assert_int_equal(ids.n_peers, 0);
	ixg_spec_free(&s);
	ixg_conf_free(c);
}

/* ---- malformed replies ----------------------------------------------- */

/* Decode `v` as an IDS reply: the status, and nothing half-filled. */
static enum ixg_status
decode(const struct ixg_id_entry *v, size_t n, char *err)
{
	struct ixg_msg_ids m;
	struct ixg_spec ids;
	enum ixg_status st;
	int fd = raw_fd(v, n);

	ids_msg(&m, n);
	st = ixg_ids_from_fd(fd, &m, &ids, err);
	close(fd);
	if (st != IXG_ST_OK) {
		assert_null(ids.peers);
		assert_int_equal(ids.n_peers, 0);
		assert_true(err[0] != '\0');
	}
	ixg_ids_free(&ids);
	return st;
}

static void
test_malformed(void **state)
{
	struct ixg_id_entry v[4];
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_msg_ids m;
	struct ixg_spec ids;
	int fd;

	(void)state;
	v[0] = entry(IXG_TBL_PEERS, 1, "a");
	v[1] = entry(IXG_TBL_PEERS, 2, "b");
	assert_int_equal(decode(v, 2, err), IXG_ST_OK);
	fd = raw_fd(v, 2);

	/* Header fields against the file. */
	ids_msg(&m, 2);
	m.elem_size = 40;
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err),
			 IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "element size 40"));
	ids_msg(&m, (uint64_t)IXG_MAX_ID_ENTRIES + 1);
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err), IXG_ST_CAPACITY);
	ids_msg(&m, 3); /* one entry more than the file holds */
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err),
			 IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "exceed"));
	ids_msg(&m, 2);
	m.offset = 48; /* shifted past the end */
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err),
			 IXG_ST_BAD_MESSAGE);
	m.offset = UINT64_MAX - 10; /* offset + size overflows */
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err),
			 IXG_ST_BAD_MESSAGE);
	ids_msg(&m, 2);
	assert_int_equal(ixg_ids_from_fd(-1, &m, &ids, err),
			 IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "no memfd"));
	ids_msg(&m, 2);
	m.status = IXG_ST_INTERNAL;
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err), IXG_ST_INTERNAL);
	close(fd);

	/* Entries. */
	v[1] = entry(IXG_TBL_ROUTES4, 2, "x");
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_PEERS, 0, "b"); /* peer ids start at 1 */
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "out of range"));
	v[1] = entry(IXG_TBL_PEERS, IXG_MAX_PEERS, "b");
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_PORTS, IXG_MAX_PORTS, "p9");
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_CLASSES, 0, "gold");
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_PEERS, 2, "b");
	memset(v[1].name, 'x', sizeof(v[1].name)); /* no NUL */
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "NUL"));
	v[1] = entry(IXG_TBL_PEERS, 2, ""); /* peers have names */
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_ACL_RULES, 5, ""); /* rules may not */
	assert_int_equal(decode(v, 2, err), IXG_ST_OK);
	v[1].family = 5;
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "family"));
	v[1] = entry(IXG_TBL_COUNTRIES, 3, "C");
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_COUNTRIES, IXG_MAX_COUNTRIES, "CN");
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	v[1] = entry(IXG_TBL_PEERS, 1, "b"); /* id 1 twice */
	assert_int_equal(decode(v, 2, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "twice"));
	/* The same id in two tables is fine. */
	v[1] = entry(IXG_TBL_CLASSES, 1, "gold");
	v[2] = entry(IXG_TBL_PORTS, 1, "p1");
	v[3] = entry(IXG_TBL_COUNTRIES, 2, "VN");
	assert_int_equal(decode(v, 4, err), IXG_ST_OK);
}

/* Countries the reply does not name are holes ("--"), as compiled. */
static void
test_country_holes(void **state)
{
	struct ixg_id_entry v[2] = {entry(IXG_TBL_COUNTRIES, 0, "--"),
				    entry(IXG_TBL_COUNTRIES, 3, "VN")};
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_msg_ids m;
	struct ixg_spec ids;
	int fd = raw_fd(v, 2);

	(void)state;
	ids_msg(&m, 2);
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err), IXG_ST_OK);
	close(fd);
	assert_int_equal(ids.n_countries, 4);
	assert_int_equal(ids.countries[1], IXG_CC('-', '-'));
	assert_int_equal(ids.countries[3], IXG_CC('V', 'N'));
	ixg_ids_free(&ids);
}

/* ---- why: ids depend on history, and the map restores them ----------- */

static void
test_ids_restore_history(void **state)
{
	struct ixg_conf *abc = parse(conf_abc), *acd = parse(conf_acd);
	struct ixg_spec s1, running, fresh, adopted, ids;
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_msg_ids m;
	uint64_t n;
	int fd;

	(void)state;
	/* History: abc committed, then acd reloaded keeping abc's ids. */
	compile(abc, NULL, &s1);
	compile(acd, &s1, &running);
	/* d did not take b's id, freed by this very commit (its counters
	 * are b's until the dataplane zeroes an id no running object has):
	 * it took one abc never used, which a daemon without history cannot
	 * know. */
	assert_int_not_equal(peer_id(&running, "d"), peer_id(&s1, "b"));
	assert_int_equal(peer_id(&running, "d"), s1.n_peers + 1);
	compile(acd, NULL, &fresh);
	assert_int_not_equal(peer_id(&fresh, "d"), peer_id(&running, "d"));
	assert_int_not_equal(peer_id(&fresh, "c"), peer_id(&running, "c"));

	/* The dataplane's map of `running`, through the codec. */
	assert_int_equal(ixg_ids_to_memfd(&running, &fd, &n), 0);
	ids_msg(&m, n);
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err), IXG_ST_OK);
	close(fd);
	compile(acd, &ids, &adopted);
	for (uint32_t i = 0; i < running.n_peers; i++)
		assert_int_equal(peer_id(&adopted, running.peers[i].name),
				 running.peers[i].id);
	/* Not only the ids: the whole spec equals the running one, table by
	 * table, so nothing would be re-sent. */
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		uint64_t cnt = ixg_spec_table_count(&running, t);

		assert_int_equal(ixg_spec_table_count(&adopted, t), cnt);
		if (cnt > 0)
			assert_memory_equal(ixg_spec_table_data(&adopted, t),
					    ixg_spec_table_data(&running, t),
					    cnt * ixg_table_elem_size(t));
	}
	ixg_ids_free(&ids);
	ixg_spec_free(&s1);
	ixg_spec_free(&running);
	ixg_spec_free(&fresh);
	ixg_spec_free(&adopted);
	ixg_conf_free(abc);
	ixg_conf_free(acd);
}

/* ---- next-hop groups ------------------------------------------------ */

/* Route groups whose ids depend on history: three groups, then the first
 * gone (its id stays unused by the next compile's new group). */
static const char conf_g3[] =
	"node { name t; country SG; }\n"
	"port p0 { device \"net_null0\"; }\n"
	"peer a { asn 1; port p0; vlan 1; mac 02:00:00:00:00:01; }\n"
	"peer b { asn 2; port p0; vlan 2; mac 02:00:00:00:00:02; }\n"
	"peer c { asn 3; port p0; vlan 3; mac 02:00:00:00:00:03; }\n"
	"route 10.0.0.0/8 { via a; via b; }\n"
	"route 11.0.0.0/8 { via b; via c weight 3; }\n"
	"route 2001:db8::/32 { via a; via c; }\n";
static const char conf_g2[] =
	"node { name t; country SG; }\n"
	"port p0 { device \"net_null0\"; }\n"
	"peer a { asn 1; port p0; vlan 1; mac 02:00:00:00:00:01; }\n"
	"peer b { asn 2; port p0; vlan 2; mac 02:00:00:00:00:02; }\n"
	"peer c { asn 3; port p0; vlan 3; mac 02:00:00:00:00:03; }\n"
	"route 11.0.0.0/8 { via c weight 6; via b weight 2; }\n"
	"route 2001:db8::/32 { via a; via c; }\n"
	"route 12.0.0.0/8 { via a; via b; via c; }\n";

static void
test_group_ids(void **state)
{
	struct ixg_conf *g3 = parse(conf_g3), *g2 = parse(conf_g2);
	struct ixg_spec s1, running, fresh, adopted, ids;
	char err[IXG_WIRE_ERR_LEN];
	struct ixg_msg_ids m;
	uint64_t n, members = 0;
	int fd;

	(void)state;
	compile(g3, NULL, &s1);
	compile(g2, &s1, &running);
	compile(g2, NULL, &fresh);
	assert_int_equal(running.n_nhgroups, 3);
	/* from scratch the groups are numbered otherwise */
	assert_memory_not_equal(fresh.nhgroups, running.nhgroups,
				3 * sizeof(*fresh.nhgroups));

	/* through the codec: the groups whole */
	assert_int_equal(ixg_ids_to_memfd(&running, &fd, &n), 0);
	for (uint32_t i = 0; i < running.n_nhgroups; i++)
		members += running.nhgroups[i].n_members;
	assert_int_equal(n, running.n_ports + running.n_peers +
				    running.n_countries + members);
	ids_msg(&m, n);
	assert_int_equal(ixg_ids_from_fd(fd, &m, &ids, err), IXG_ST_OK);
	close(fd);
	assert_int_equal(ids.n_nhgroups, running.n_nhgroups);
	assert_memory_equal(ids.nhgroups, running.nhgroups,
			    running.n_nhgroups * sizeof(*ids.nhgroups));
	/* the config compiled with them: the running spec, groups and the
	 * routes naming them included */
	compile(g2, &ids, &adopted);
	for (unsigned t = 1; t < IXG_TBL_MAX; t++) {
		uint64_t cnt = ixg_spec_table_count(&running, t);

		assert_int_equal(ixg_spec_table_count(&adopted, t), cnt);
		if (cnt > 0)
			assert_memory_equal(ixg_spec_table_data(&adopted, t),
					    ixg_spec_table_data(&running, t),
					    cnt * ixg_table_elem_size(t));
	}
	ixg_ids_free(&ids);
	ixg_spec_free(&s1);
	ixg_spec_free(&running);
	ixg_spec_free(&fresh);
	ixg_spec_free(&adopted);
	ixg_conf_free(g3);
	ixg_conf_free(g2);
}

static struct ixg_id_entry
member(uint32_t id, unsigned n, unsigned peer, unsigned weight)
{
	struct ixg_id_entry e = entry(IXG_TBL_NHGROUPS, id, "");

	e.family = (uint8_t)n;
	e.priority = (uint32_t)peer << 16 | weight;
	e.origin = 9;
	return e;
}

static void
test_group_malformed(void **state)
{
	struct ixg_id_entry v[6];
	char err[IXG_WIRE_ERR_LEN];

	(void)state;
	v[0] = member(4, 2, 1, 1);
	v[1] = member(4, 2, 2, 3);
	v[2] = entry(IXG_TBL_PEERS, 1, "a");
	v[3] = member(0, 3, 1, 1);
	v[4] = member(0, 3, 2, 1);
	v[5] = member(0, 3, 3, 256);
	assert_int_equal(decode(v, 6, err), IXG_ST_OK);

	v[5] = member(0, 3, 3, 0); /* weight 0 */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "nhgroups id 0"));
	v[5] = member(0, 3, 3, 257);
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[5] = member(0, 3, 0, 1); /* peer 0 */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[5] = member(0, 3, IXG_MAX_PEERS, 1);
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[5] = member(0, 3, 2, 1); /* peer 2 twice */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "twice"));
	v[5] = member(0, 3, 3, 1);
	snprintf(v[5].name, sizeof(v[5].name), "x"); /* groups have none */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[5] = member(0, 3, 3, 1);
	v[5].origin = 8; /* another group's origin */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[5] = member(1, 3, 3, 1); /* another id: group 0 one short */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	assert_int_equal(decode(v, 5, err), IXG_ST_BAD_MESSAGE); /* cut */
	assert_non_null(strstr(err, "fewer than its 3 members"));
	v[5] = member(0, 3, 3, 1);
	v[4] = entry(IXG_TBL_PEERS, 2, "b"); /* not in a row */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[4] = member(0, 3, 2, 1);
	v[3] = member(0, 0, 1, 1); /* no member count */
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[3] = member(0, IXG_NHG_MAX_MEMBERS + 1, 1, 1);
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	v[3] = member(0, 3, 1, 1);
	v[0] = member(IXG_MAX_NHGROUPS, 2, 1, 1);
	v[1] = member(IXG_MAX_NHGROUPS, 2, 2, 1);
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "out of range"));
	v[0] = member(0, 2, 1, 1); /* group 0 twice */
	v[1] = member(0, 2, 2, 1);
	assert_int_equal(decode(v, 6, err), IXG_ST_BAD_MESSAGE);
	assert_non_null(strstr(err, "twice"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_country_holes),
		cmocka_unit_test(test_ids_restore_history),
		cmocka_unit_test(test_group_ids),
		cmocka_unit_test(test_group_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
