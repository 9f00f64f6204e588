#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bfd_frr.sh: a member whose link fails silently (no FIN, no RST) stops
# being forwarded to after BFD's detection time, not BGP's hold timer
# (issue 10, doc/routing.md "Session loss", "BFD"), with FRR 8 on the node
# (zebra, staticd, bfdd, bgpd: `neighbor ADDR bfd` with a 100 ms x 3
# profile; routes in table 254, protocol bgp) and BIRD 2 members, through
# ixgate. What is checked: bfd_lib.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
source "$(dirname "$0")/bfd_lib.sh"
bfd_test frr
