/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtd's minimal UDP/IP stack: parse a received Ethernet frame down to a UDP
 * payload, validating every header and checksum on the way, and build the
 * headers of an outgoing datagram.  Pure functions over byte buffers: no
 * state, no allocation, no system calls, so they run on the RT path and in
 * unprivileged unit tests alike.
 */
#ifndef DATAPATH_STACK_H
#define DATAPATH_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtd/app.h>

#define ETH_ALEN_ 6

struct stack_rx {
	uint16_t l3_off;      /* IP header */
	uint16_t l4_off;      /* UDP header */
	uint16_t payload_off; /* UDP payload */
	uint16_t payload_len;
	uint16_t vlan_tci;    /* 0 when untagged */
	bool csum_partial;    /* the UDP checksum held only the pseudo-header sum */
	uint8_t src_mac[ETH_ALEN_];
	struct rtd_flow flow; /* src = sender, dst = us */
};

/*
 * stack_parse_flags: take a UDP checksum that holds only the folded sum of
 * the pseudo header, as a sender with TX checksum offload leaves it when
 * the frame never crosses a wire (veth, tap, bridge: CHECKSUM_PARTIAL).
 */
#define STACK_CSUM_PARTIAL_OK 0x1

/*
 * Parse frame[0..len).  Returns 0 and fills *rx for a well-formed UDP
 * datagram over IPv4 or IPv6 (one optional 802.1Q/802.1ad tag), or:
 *   -EBADMSG          truncated or inconsistent header (lengths, version, IHL)
 *   -EILSEQ           IPv4 header or UDP checksum wrong (IPv6 UDP csum 0 too)
 *   -EPROTONOSUPPORT  not IP, or not UDP
 *   -EOPNOTSUPP       IP fragment, or an IPv6 extension header we do not walk
 * Trailing bytes after the IP datagram (Ethernet padding) are ignored.
 */
int stack_parse(const uint8_t *frame, size_t len, struct stack_rx *rx);
/* The same with STACK_* flags; rx->csum_partial says a partial checksum was taken. */
int stack_parse_flags(const uint8_t *frame, size_t len, unsigned flags, struct stack_rx *rx);

struct stack_l2 {
	uint8_t dst[ETH_ALEN_];
	uint8_t src[ETH_ALEN_];
	uint16_t vlan_tci; /* 0: untagged */
};

/* Bytes of Ethernet(+tag) + IP + UDP header for this family. */
size_t stack_hdr_len(int family, bool vlan);

/*
 * Write Ethernet, IP and UDP headers into hdr[0..stack_hdr_len()), for the
 * payload that immediately follows them in memory.  Fills lengths, TTL/hop
 * limit 64, IPv4 DF and ident ip_id, and both checksums (the UDP checksum
 * covers the payload).  Returns the full frame length, or -EMSGSIZE if the
 * datagram would not fit 65535 bytes, -EAFNOSUPPORT for a bad family.
 */
int stack_build(uint8_t *hdr, const struct stack_l2 *l2, const struct rtd_flow *flow,
		uint16_t payload_len, uint16_t ip_id);

/* Internet checksum helpers (RFC 1071), exposed for tests and BPF parity. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);

#endif
