/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The per-protocol pieces behind stack.c; one file each. */
#ifndef DATAPATH_PROTO_H
#define DATAPATH_PROTO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/stack.h"

#define ETH_HLEN_ 14
#define VLAN_HLEN_ 4
#define IP4_HLEN_ 20
#define IP6_HLEN_ 40
#define UDP_HLEN_ 8

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* eth.c: l3 offset and ethertype; one 802.1Q/802.1ad tag. */
int eth_parse(const uint8_t *f, size_t len, struct stack_rx *rx, uint16_t *proto);
size_t eth_build(uint8_t *h, const struct stack_l2 *l2, uint16_t proto);

/* ip.c: validate, fill rx->flow addresses, return the UDP span. */
int ip4_parse(const uint8_t *p, size_t len, struct stack_rx *rx, size_t *l4off, size_t *l4len);
int ip6_parse(const uint8_t *p, size_t len, struct stack_rx *rx, size_t *l4off, size_t *l4len);
void ip4_build(uint8_t *h, const struct rtd_flow *flow, uint16_t l4len, uint16_t id);
void ip6_build(uint8_t *h, const struct rtd_flow *flow, uint16_t l4len);

/* udp.c: the pseudo-header sum comes from ip.c's addresses. */
int udp_parse(const uint8_t *p, size_t len, int family, unsigned flags, struct stack_rx *rx);
void udp_build(uint8_t *h, const struct rtd_flow *flow, uint16_t payload_len);

/* csum.c: sum of the pseudo header (addresses, protocol, length). */
uint32_t csum_pseudo(int family, const struct in6_addr *src, const struct in6_addr *dst,
		     uint8_t proto, uint32_t len);

#endif
