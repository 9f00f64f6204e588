/* SPDX-License-Identifier: BSD-3-Clause */
/* frame_util.c - see frame_util.h. */
#include <arpa/inet.h>
#include <string.h>

#include "frame_util.h"
const uint8_t port_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};

void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Full (reference) checksums, straight from RFC 1071. */
uint16_t
ref_cksum(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return (uint16_t)~sum_fold(s);
}

uint16_t
ref_cksum6(const uint8_t *ip6, const uint8_t *l4, size_t len, uint8_t nh)
{
	uint32_t s = 0;
	size_t i;

	for (i = 8; i < 40; i += 2)
		s += (uint32_t)ip6[i] << 8 | ip6[i + 1];
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + nh;
	return ref_cksum(l4, len, s);
}

/* Builds the frame into buf; returns its length. */
size_t
build(const struct fspec *f, uint8_t *buf)
{
	uint8_t *p = buf, *ip, *l4;
	size_t l4len = 0, l3hdr, i;
	uint8_t nh;

	memset(buf, 0, MAX_FRAME);
	memcpy(p, f->dmac ? f->dmac : port_mac, 6);
	memcpy(p + 6, f->smac ? f->smac : peer_mac, 6);
	p += 12;
	for (i = 0; i < f->n_vlans; i++) {
		put16(p, f->tpid[i] ? f->tpid[i] : 0x8100);
		put16(p + 2, f->vid[i]);
		p += 4;
	}
	put16(p, f->ethertype	  ? f->ethertype
		 : f->family == 4 ? 0x0800
		 : f->family == 6 ? 0x86dd
				  : 0x0806);
	p += 2;
	ip = p;
	if (f->family == 0) {
		put16(p, 1);
		put16(p + 2, 0x0800);
		p[4] = 6;
		p[5] = 4;
		put16(p + 6, f->arp_op ? f->arp_op : 1);
		memcpy(p + 8, f->smac ? f->smac : peer_mac, 6);
		inet_pton(AF_INET, f->src ? f->src : "192.0.2.2", p + 14);
		inet_pton(AF_INET, f->dst ? f->dst : "192.0.2.1", p + 24);
		return (size_t)(p + 28 - buf);
	}
	if (f->family == 4) {
		unsigned ihl = f->ihl ? f->ihl : 5;

		l3hdr = ihl * 4;
		for (i = 20; i < l3hdr; i++)
			ip[i] = 1; /* NOP options */
		nh = f->proto;
	} else {
		l3hdr = 40;
		nh = f->n_ext ? f->ext[0] : f->proto;
		for (i = 0; i < f->n_ext; i++) {
			uint8_t *e = ip + l3hdr;

			e[0] = i + 1 < f->n_ext ? f->ext[i + 1] : f->proto;
			e[1] = 0; /* 8 bytes for every type, AH included */
			if (f->ext[i] == 44)
				put16(e + 2, f->ext_frag);
			l3hdr += 8;
		}
	}
	l4 = ip + l3hdr;
	switch (f->proto) {
	case 6:
		put16(l4, 1234);
		put16(l4 + 2, 80);
		l4[12] = 5 << 4;
		l4len = 20;
		break;
	case 17:
		put16(l4, 5353);
		put16(l4 + 2, 53);
		l4len = 8;
		break;
	case 1:
	case 58:
		l4[0] = f->icmp_type;
		put16(l4 + 4, 0x4242);
		put16(l4 + 6, 7);
		l4len = 8;
		break;
	}
	for (i = 0; i < f->payload; i++)
		l4[l4len + i] = (uint8_t)(i * 7 + 1);
	if (f->proto == 17)
		put16(l4 + 4, (uint16_t)(8 + f->payload));
	l4len += f->payload;
	if (f->family == 4) {
		ip[0] = (uint8_t)(0x40 | (l3hdr / 4));
		ip[1] = (uint8_t)(f->dscp << 2);
		put16(ip + 2, (uint16_t)(l3hdr + l4len));
		put16(ip + 6, f->frag);
		ip[8] = f->ttl ? f->ttl : 64;
		ip[9] = nh;
		inet_pton(AF_INET, f->src ? f->src : "198.51.100.1", ip + 12);
		inet_pton(AF_INET, f->dst ? f->dst : "203.0.113.1", ip + 16);
		put16(ip + 10, ref_cksum(ip, l3hdr, 0));
		if (f->proto == 1)
			put16(l4 + 2, ref_cksum(l4, l4len, 0));
	} else {
		ip[0] = (uint8_t)(0x60 | (f->dscp >> 2));
		ip[1] = (uint8_t)(f->dscp << 6);
		put16(ip + 4, (uint16_t)(l3hdr - 40 + l4len));
		ip[6] = nh;
		ip[7] = f->ttl ? f->ttl : 64;
		inet_pton(AF_INET6, f->src ? f->src : "2001:db8:1::1", ip + 8);
		inet_pton(AF_INET6, f->dst ? f->dst : "2001:db8:2::1", ip + 24);
		if (f->proto == 58)
			put16(l4 + 2, ref_cksum6(ip, l4, l4len, 58));
	}
	return (size_t)(l4 + l4len - buf);
}
