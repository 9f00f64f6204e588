/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.h - opening the configured ports: mempools, queues, RSS, MTU, MAC.
 */
#ifndef IXG_PORT_H
#define IXG_PORT_H

#include <stdbool.h>

#include "runtime.h"

/* True if devargs name a virtual device ("net_..."), which EAL must be told
 * about with --vdev; anything else is a bus address EAL probes itself. */
bool port_devargs_is_vdev(const char *devargs);

/*
 * Find every port of rt->spec among the probed ethdevs (by the device name:
 * the devargs up to the first ','; PCI addresses also in their "0000:"
 * domain form), create one mempool per NUMA socket in use, configure
 * rt->n_workers RX queues (capped by the device, RSS over IP/TCP/UDP when
 * more than one) and one TX queue per worker, set MTU and the MAC from the
 * spec (or copy the device's MAC into the spec when the spec has none),
 * enable promiscuous mode, start. Prints the mempool sizes and each port on stderr.
 * Main thread, after rte_eal_init. Returns 0 or a negative errno with a
 * message on stderr naming the port; ports opened so far stay open (call
 * ports_close).
 */
int ports_open(struct runtime *rt);

/* Stop and close every active port, free the mempools. Main thread, after
 * the workers have returned. */
void ports_close(struct runtime *rt);

#endif /* IXG_PORT_H */
