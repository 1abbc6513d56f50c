// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Ethernet II with at most one 802.1Q or 802.1ad tag. */
#include <errno.h>
#include <string.h>

#include "datapath/proto.h"

#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8

int eth_parse(const uint8_t *f, size_t len, struct stack_rx *rx, uint16_t *proto)
{
	uint16_t type;

	if (len < ETH_HLEN_)
		return -EBADMSG;
	memcpy(rx->src_mac, f + 6, 6);
	type = rd16(f + 12);
	rx->vlan_tci = 0;
	rx->l3_off = ETH_HLEN_;
	if (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD) {
		if (len < ETH_HLEN_ + VLAN_HLEN_)
			return -EBADMSG;
		rx->vlan_tci = rd16(f + 14);
		type = rd16(f + 16);
		rx->l3_off += VLAN_HLEN_;
	}
	*proto = type;
	return 0;
}

size_t eth_build(uint8_t *h, const struct stack_l2 *l2, uint16_t proto)
{
	memcpy(h, l2->dst, 6);
	memcpy(h + 6, l2->src, 6);
	if (l2->vlan_tci) {
		wr16(h + 12, ETHERTYPE_8021Q);
		wr16(h + 14, l2->vlan_tci);
		wr16(h + 16, proto);
		return ETH_HLEN_ + VLAN_HLEN_;
	}
	wr16(h + 12, proto);
	return ETH_HLEN_;
}
