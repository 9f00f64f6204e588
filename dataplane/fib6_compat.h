/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib6_compat.h - rte_fib6 across DPDK LTS releases. 22.11 takes IPv6
 * addresses as uint8_t[16] arrays; from 24.11 the same functions take
 * struct rte_ipv6_addr (16 bytes, the same layout). meson probes the type
 * (IXG_HAVE_RTE_IPV6_ADDR) rather than a version; call sites use
 * ixg_ip6_t buffers and these macros so the code builds on both.
 */
#ifndef IXG_FIB6_COMPAT_H
#define IXG_FIB6_COMPAT_H

#include <stdint.h>

#include <rte_fib6.h>

typedef uint8_t ixg_ip6_t[16];

#ifdef IXG_HAVE_RTE_IPV6_ADDR
#include <rte_ip6.h>
#define IXG_FIB6_ADDRS(a) ((const struct rte_ipv6_addr *)(const void *)(a))
#define IXG_FIB6_ADDR(a) ((const struct rte_ipv6_addr *)(const void *)(a))
#else
#define IXG_FIB6_ADDRS(a) ((uint8_t(*)[RTE_FIB6_IPV6_ADDR_SIZE])(void *)(a))
#define IXG_FIB6_ADDR(a) ((const uint8_t *)(a))
#endif

_Static_assert(sizeof(ixg_ip6_t) == 16, "an IPv6 address is 16 bytes");

#endif /* IXG_FIB6_COMPAT_H */
