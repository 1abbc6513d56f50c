// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* UDP: length and checksum (RFC 768, RFC 8200 section 8.1). */
#include <errno.h>

#include "datapath/proto.h"

#define PROTO_UDP 17

/*
 * A sender with TX checksum offload fills in only the pseudo header's sum
 * (its complement, folded, as the kernel's udp4_hwcsum does) and leaves the
 * rest to the NIC; a frame that never crossed one arrives like that.
 */
static bool csum_is_partial(uint16_t sum, uint32_t pseudo)
{
	uint16_t folded = 0xffff ^ csum_fold(pseudo);

	return sum == folded;
}

int udp_parse(const uint8_t *p, size_t len, int family, unsigned flags, struct stack_rx *rx)
{
	uint16_t ulen, sum;
	uint32_t pseudo;

	if (len < UDP_HLEN_)
		return -EBADMSG;
	ulen = rd16(p + 4);
	if (ulen < UDP_HLEN_ || ulen > len)
		return -EBADMSG;
	sum = rd16(p + 6);
	rx->csum_partial = false;
	/* Zero means "no checksum" for IPv4 only; IPv6 requires one. */
	if (sum || family == AF_INET6) {
		if (!sum)
			return -EILSEQ;
		pseudo = csum_pseudo(family, &rx->flow.src.addr, &rx->flow.dst.addr, PROTO_UDP, ulen);
		if (csum_fold(csum_partial(p, ulen, pseudo))) {
			if (!(flags & STACK_CSUM_PARTIAL_OK) || !csum_is_partial(sum, pseudo))
				return -EILSEQ;
			rx->csum_partial = true;
		}
	}
	rx->flow.src.port = rd16(p);
	rx->flow.dst.port = rd16(p + 2);
	rx->payload_len = ulen - UDP_HLEN_;
	return 0;
}

void udp_build(uint8_t *h, const struct rtd_flow *flow, uint16_t payload_len)
{
	uint16_t ulen = UDP_HLEN_ + payload_len, sum;

	wr16(h, flow->src.port);
	wr16(h + 2, flow->dst.port);
	wr16(h + 4, ulen);
	wr16(h + 6, 0);
	sum = csum_fold(csum_partial(h, ulen,
				     csum_pseudo(flow->dst.family, &flow->src.addr, &flow->dst.addr,
						 PROTO_UDP, ulen)));
	wr16(h + 6, sum ? sum : 0xffff); /* 0 would mean "none" */
}
