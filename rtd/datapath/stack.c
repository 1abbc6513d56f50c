// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Frame in, datagram out, and back: the layers of proto.h in order. */
#include <errno.h>

#include "datapath/proto.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

int stack_parse(const uint8_t *frame, size_t len, struct stack_rx *rx)
{
	return stack_parse_flags(frame, len, 0, rx);
}

int stack_parse_flags(const uint8_t *frame, size_t len, unsigned flags, struct stack_rx *rx)
{
	size_t l4off, l4len;
	uint16_t proto;
	int err;

	err = eth_parse(frame, len, rx, &proto);
	if (err)
		return err;
	if (proto == ETHERTYPE_IPV4)
		err = ip4_parse(frame + rx->l3_off, len - rx->l3_off, rx, &l4off, &l4len);
	else if (proto == ETHERTYPE_IPV6)
		err = ip6_parse(frame + rx->l3_off, len - rx->l3_off, rx, &l4off, &l4len);
	else
		return -EPROTONOSUPPORT;
	if (err)
		return err;
	rx->l4_off = rx->l3_off + l4off;
	err = udp_parse(frame + rx->l4_off, l4len, rx->flow.src.family, flags, rx);
	if (err)
		return err;
	rx->payload_off = rx->l4_off + UDP_HLEN_;
	return 0;
}

size_t stack_hdr_len(int family, bool vlan)
{
	return ETH_HLEN_ + (vlan ? VLAN_HLEN_ : 0) + (family == AF_INET ? IP4_HLEN_ : IP6_HLEN_) +
	       UDP_HLEN_;
}

int stack_build(uint8_t *hdr, const struct stack_l2 *l2, const struct rtd_flow *flow,
		uint16_t payload_len, uint16_t ip_id)
{
	int family = flow->dst.family;
	size_t off, l3len = family == AF_INET ? IP4_HLEN_ : IP6_HLEN_;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if ((size_t)payload_len + UDP_HLEN_ + (family == AF_INET ? l3len : 0) > 65535)
		return -EMSGSIZE;
	off = eth_build(hdr, l2, family == AF_INET ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	if (family == AF_INET)
		ip4_build(hdr + off, flow, UDP_HLEN_ + payload_len, ip_id);
	else
		ip6_build(hdr + off, flow, UDP_HLEN_ + payload_len);
	udp_build(hdr + off + l3len, flow, payload_len);
	return (int)(off + l3len + UDP_HLEN_ + payload_len);
}
