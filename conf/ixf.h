/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixf.h - the IX-F Member Export JSON format (schema 1.0, Euro-IX/IX-F),
 * both ways: an ixgate config's members as an export (what IXP Manager,
 * PeeringDB and peering tools read, `ixgate-conf export ixf`), and another
 * exchange's export as an ixgate member config skeleton
 * (`ixgate-mkconfig --from-ixf`). doc/ixf.md has the mapping.
 *
 * Built on jansson; depends on the config library's public contract only
 * (ixg_conf.h, the compiled struct ixg_spec).
 */
#ifndef IXG_IXF_H
#define IXG_IXF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ixg_api.h"

#define IXG_IXF_VERSION "1.0"

/* What the export says about the exchange (its ixp_list entry). */
struct ixg_ixf_info {
	int64_t ixp_id; /* ixp_id, referenced by every connection */
	int64_t ixf_id; /* the IX-F database id, 0 if none yet */
	const char *shortname; /* NULL: the node's name */
	const char *name; /* NULL: not written */
	const char *country; /* NULL: the node's home country */
	const char *url; /* NULL: not written */
	int64_t peeringdb_id; /* 0: not written */
	int64_t timestamp; /* unix seconds, written as RFC 3339 UTC */
};

/*
 * Write the members of spec as an IX-F Member Export (schema 1.0) to out:
 * one ixp_list entry (info; one switch, the node; one vlan per 802.1Q VLAN
 * id the peers use, 0 for untagged, with the node's own subnets on it),
 * one member per ASN in order of first peer id, one connection per port
 * its peers use, one vlan_list entry per peer with its next-hops and MACs.
 * Returns 0, or -ENOMEM / -EIO (out could not be written). Any thread.
 */
int ixg_ixf_export(const struct ixg_spec *spec, const struct ixg_ixf_info *info,
		   FILE *out);

/* How an export becomes a config (ixg_ixf_to_config). */
struct ixg_ixf_import {
	const char *source; /* the export's file name, for the header */
	int64_t ixp_id; /* -1: the first of ixp_list */
	const char *trunk; /* NULL: one port per connection; else every
			    * connection on this one port, VLAN by vlan_id */
	const char *device_prefix; /* placeholder devices: PREFIX0, PREFIX1 */
	const char *country; /* node country if the export has none; NULL: ZZ */
};

/*
 * Read an IX-F Member Export (JSON text of len bytes; versions 0.6 to 1.0
 * read alike) and write an ixgate config to out: a node named after the
 * exchange, ports (one per member connection, or the trunk), and a peer per
 * connection and VLAN entry with its ASN, MACs and next-hops. Members with
 * no usable MAC are written as comments. Values that cannot be used (a bad
 * address, a VLAN id out of range) are skipped with a warning on warn
 * naming their JSON path (warn may be NULL).
 * Returns 0; -EINVAL if the text is not an export (err holds the JSON path
 * and what was expected), -E2BIG if it needs more ports or peers than
 * ixgate has (err says which), -EIO if out could not be written. Any
 * thread.
 */
int ixg_ixf_to_config(const char *json, size_t len,
		      const struct ixg_ixf_import *opt, FILE *out, FILE *warn,
		      char *err, size_t errlen);

/*
 * A config name (1..31 of [a-z0-9-], starting with a letter or digit)
 * from free text: lower case, other runs of characters become '-',
 * trimmed to room characters. "" if nothing is left. Any thread.
 */
void ixg_ixf_slug(const char *text, char *out, size_t room);

/*
 * The ixgate-conf subcommand: `export ixf [options] CONFIG` with argv[0]
 * = "export". Returns the exit status (0, 1 config errors, 2 usage).
 */
int ixg_ixf_export_cmd(int argc, char **argv);

#endif /* IXG_IXF_H */
