#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks of IX-F Member Export files for test_ixf.sh.

  ixf_check.py validate SCHEMA FILE
      FILE validates against the JSON schema (draft-04) with formats
      (date-time, email, ipv4, ipv6) checked; every error is printed.
  ixf_check.py members FILE [--ixp-id N] [--vlans]
      one line per member connection entry that carries a MAC, sorted:
      "asn name-slug macs v4 v6 [vlan]", the form a round trip keeps.
"""
import json
import re
import sys


def slug(text):
    out = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return out[:23].rstrip("-")


def validate(schema_path, path):
    import jsonschema
    schema = json.load(open(schema_path))
    doc = json.load(open(path))
    v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print("%s: %s" % ("/".join(str(p) for p in e.path), e.message))
    if errors:
        sys.exit(1)
    checked = sorted(f for f in ("date-time", "email", "ipv4", "ipv6")
                     if f in jsonschema.FormatChecker().checkers)
    print("# ok: %s valid (IX-F %s), formats checked: %s" %
          (path, doc["version"], ", ".join(checked)))


def norm_mac(m):
    return m.lower().replace("-", ":")


def members(path, ixp_id=None, vlans=False):
    doc = json.load(open(path))
    if ixp_id is None and doc.get("ixp_list"):
        ixp_id = doc["ixp_list"][0]["ixp_id"]
    rows = []
    for m in doc["member_list"]:
        for c in m["connection_list"]:
            if ixp_id is not None and c["ixp_id"] != ixp_id:
                continue
            for v in c.get("vlan_list", []):
                macs = set()
                for fam in ("ipv4", "ipv6"):
                    for mac in v.get(fam, {}).get("mac_addresses", []):
                        if re.fullmatch(r"[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}", mac):
                            macs.add(norm_mac(mac))
                if "mac_address" in v:
                    macs.add(norm_mac(v["mac_address"]))
                if not macs:
                    continue
                row = [str(m["asnum"]), slug(m.get("name")) or "as%d" % m["asnum"],
                       ",".join(sorted(macs)),
                       v.get("ipv4", {}).get("address", "-"),
                       v.get("ipv6", {}).get("address", "-")]
                if vlans:
                    row.append(str(v.get("vlan_id", 0)))
                rows.append(" ".join(row))
    for r in sorted(rows):
        print(r)


def main():
    if sys.argv[1] == "validate":
        validate(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "members":
        args = sys.argv[3:]
        ixp = None
        if "--ixp-id" in args:
            ixp = int(args[args.index("--ixp-id") + 1])
        members(sys.argv[2], ixp, "--vlans" in args)
    else:
        sys.exit("unknown command")


main()
