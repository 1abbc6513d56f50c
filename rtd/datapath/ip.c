// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IPv4 and IPv6: validate received headers, build outgoing ones. */
#include <errno.h>
#include <string.h>

#include "datapath/proto.h"

#define PROTO_UDP 17
/* IPv6 extension headers walked before giving up; as in the XDP program. */
#define MAX_EXT_HDRS 4

static void mapped(struct in6_addr *a, const uint8_t *v4)
{
	memset(a, 0, 10);
	a->s6_addr[10] = 0xff;
	a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], v4, 4);
}

int ip4_parse(const uint8_t *p, size_t len, struct stack_rx *rx, size_t *l4off, size_t *l4len)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < IP4_HLEN_ || p[0] >> 4 != 4)
		return -EBADMSG;
	ihl = (size_t)(p[0] & 0xf) * 4;
	tot = rd16(p + 2);
	if (ihl < IP4_HLEN_ || tot < ihl || tot > len)
		return -EBADMSG;
	if (csum_fold(csum_partial(p, ihl, 0)))
		return -EILSEQ;
	frag = rd16(p + 6);
	if (frag & 0x3fff) /* MF or an offset: a fragment */
		return -EOPNOTSUPP;
	if (p[9] != PROTO_UDP)
		return -EPROTONOSUPPORT;
	mapped(&rx->flow.src.addr, p + 12);
	mapped(&rx->flow.dst.addr, p + 16);
	rx->flow.src.family = rx->flow.dst.family = AF_INET;
	*l4off = ihl;
	*l4len = tot - ihl; /* Ethernet padding beyond tot is not ours */
	return 0;
}

/*
 * The IPv6 extension headers (RFC 8200, RFC 7045's list): those we do not
 * walk make a datagram unsupported, not a different protocol.
 */
static bool ip6_is_ext(uint8_t nh)
{
	switch (nh) {
	case 0:   /* hop-by-hop options */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 50:  /* ESP */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experimental (RFC 3692) */
	case 254:
		return true;
	}
	return false;
}

int ip6_parse(const uint8_t *p, size_t len, struct stack_rx *rx, size_t *l4off, size_t *l4len)
{
	size_t off = IP6_HLEN_, end;
	uint8_t nh;

	if (len < IP6_HLEN_ || p[0] >> 4 != 6)
		return -EBADMSG;
	end = IP6_HLEN_ + rd16(p + 4);
	if (end > len)
		return -EBADMSG;
	nh = p[6];
	for (int i = 0; i < MAX_EXT_HDRS && (nh == 0 || nh == 43 || nh == 60); i++) {
		if (off + 8 > end)
			return -EBADMSG;
		/* Routing, segments left: not at its destination yet; the XDP
		 * program leaves these to the kernel too. */
		if (nh == 43 && p[off + 3])
			return -EOPNOTSUPP;
		nh = p[off];
		off += ((size_t)p[off + 1] + 1) * 8;
		if (off > end)
			return -EBADMSG;
	}
	if (ip6_is_ext(nh))
		return -EOPNOTSUPP; /* too many of them, a fragment, AH, ESP... */
	if (nh != PROTO_UDP)
		return -EPROTONOSUPPORT;
	memcpy(rx->flow.src.addr.s6_addr, p + 8, 16);
	memcpy(rx->flow.dst.addr.s6_addr, p + 24, 16);
	rx->flow.src.family = rx->flow.dst.family = AF_INET6;
	*l4off = off;
	*l4len = end - off;
	return 0;
}

void ip4_build(uint8_t *h, const struct rtd_flow *flow, uint16_t l4len, uint16_t id)
{
	h[0] = 0x45;
	h[1] = 0;
	wr16(h + 2, IP4_HLEN_ + l4len);
	wr16(h + 4, id);
	wr16(h + 6, 0x4000); /* DF: rtd never fragments */
	h[8] = 64;
	h[9] = PROTO_UDP;
	wr16(h + 10, 0);
	memcpy(h + 12, &flow->src.addr.s6_addr[12], 4);
	memcpy(h + 16, &flow->dst.addr.s6_addr[12], 4);
	wr16(h + 10, csum_fold(csum_partial(h, IP4_HLEN_, 0)));
}

void ip6_build(uint8_t *h, const struct rtd_flow *flow, uint16_t l4len)
{
	h[0] = 0x60;
	h[1] = h[2] = h[3] = 0;
	wr16(h + 4, l4len);
	h[6] = PROTO_UDP;
	h[7] = 64;
	memcpy(h + 8, flow->src.addr.s6_addr, 16);
	memcpy(h + 24, flow->dst.addr.s6_addr, 16);
}
