#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bfd_bird.sh: a member whose link fails silently (no FIN, no RST) stops
# being forwarded to after BFD's detection time, not BGP's hold timer
# (issue 10, doc/routing.md "Session loss", "BFD"), with BIRD 2 on the
# node (kernel protocol into table 100; the set-up of test_session_loss.sh,
# members 1 and 2) and BIRD 2 members, through ixgate. What is checked:
# bfd_lib.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
source "$(dirname "$0")/bfd_lib.sh"
bfd_test bird
