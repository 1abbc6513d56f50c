// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Received frames as the RT thread parses them: Ethernet, one 802.1Q or
 * 802.1ad tag, IPv4 or IPv6 (extension headers walked), UDP.  The first
 * input byte is the mode, the rest the frame:
 *   bit 0  fix the IPv4 header checksum and the UDP checksum first (where
 *          the headers get that far), so that mutations reach past them
 *   bit 1  parse with STACK_CSUM_PARTIAL_OK where the stack has it
 *
 * What a parse promises: offsets inside the frame and in order, the payload
 * inside the UDP datagram, a flow of one family.  A frame built back with
 * stack_build from what parsed (and the reply to it, addresses swapped)
 * parses to the same flow, tag and payload.  Beside it, csum_partial is
 * held against the RFC 1071 byte-pair sum over the frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include "datapath/stack.h"
#include "fuzz.h"

#define ETH_HLEN 14
#define PROTO_UDP 17

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* RFC 1071, one big-endian pair at a time: nothing shared with csum.c. */
static uint32_t ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint16_t ref_csum(uint32_t sum)
{
	return (uint16_t)~ref_sum(NULL, 0, sum);
}

/* Ones' complement: 0x0000 and 0xffff are the same number. */
static bool ones_eq(uint16_t a, uint16_t b)
{
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

static void check_csum(const uint8_t *p, size_t n)
{
	uint32_t seed = n >= 4 ? (uint32_t)rd16(p) << 16 | rd16(p + 2) : 0;

	for (size_t cut = 0; cut < 4 && cut <= n; cut++) {
		uint16_t got = csum_fold(csum_partial(p + cut, n - cut, seed >> 1));
		uint16_t want = ref_csum(ref_sum(p + cut, n - cut, 0) + ((seed >> 1) & 0xffff) +
					 (seed >> 17));

		FUZZ_CHECK(ones_eq(got, want), "csum over %zu bytes: %04x, RFC 1071 %04x",
			   n - cut, got, want);
	}
}

/* The UDP checksum of u[0..ulen) under the pseudo header of src, dst. */
static uint16_t udp_csum(const uint8_t *src, const uint8_t *dst, size_t alen, const uint8_t *u,
			 size_t ulen)
{
	uint32_t s = ref_sum(src, alen, 0);

	s = ref_sum(dst, alen, s);
	s += PROTO_UDP + (uint32_t)ulen;
	s = ref_sum(u, ulen, s);
	s = (uint16_t)~ref_sum(NULL, 0, s);
	return s ? (uint16_t)s : 0xffff;
}

static void fix_udp(uint8_t *u, size_t room, const uint8_t *src, const uint8_t *dst, size_t alen)
{
	size_t ulen;

	if (room < 8)
		return;
	ulen = rd16(u + 4);
	if (ulen < 8 || ulen > room)
		return;
	wr16(u + 6, 0);
	wr16(u + 6, udp_csum(src, dst, alen, u, ulen));
}

/* What a sender would have computed, as far as the headers say where. */
static void fix_checksums(uint8_t *f, size_t len)
{
	size_t l3 = ETH_HLEN;
	uint16_t type;

	if (len < ETH_HLEN)
		return;
	type = rd16(f + 12);
	if (type == 0x8100 || type == 0x88a8) {
		if (len < ETH_HLEN + 4)
			return;
		type = rd16(f + 16);
		l3 += 4;
	}
	if (type == 0x0800 && len >= l3 + 20 && f[l3] >> 4 == 4) {
		uint8_t *ip = f + l3;
		size_t ihl = (size_t)(ip[0] & 0xf) * 4, tot = rd16(ip + 2);

		if (ihl < 20 || ihl > len - l3)
			return;
		wr16(ip + 10, 0);
		wr16(ip + 10, ref_csum(ref_sum(ip, ihl, 0)));
		if (ip[9] == PROTO_UDP && tot >= ihl && tot <= len - l3)
			fix_udp(ip + ihl, tot - ihl, ip + 12, ip + 16, 4);
	} else if (type == 0x86dd && len >= l3 + 40 && f[l3] >> 4 == 6) {
		uint8_t *ip = f + l3, nh = ip[6];
		size_t off = 40, end = 40 + (size_t)rd16(ip + 4);

		if (end > len - l3)
			return;
		for (int i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60) && off + 8 <= end; i++) {
			nh = ip[off];
			off += ((size_t)ip[off + 1] + 1) * 8;
		}
		if (nh == PROTO_UDP && off <= end)
			fix_udp(ip + off, end - off, ip + 8, ip + 24, 16);
	}
}

static int parse(const uint8_t *f, size_t len, unsigned mode, struct stack_rx *rx)
{
	memset(rx, 0xa5, sizeof(*rx)); /* what parse leaves alone stays recognisable */
#ifdef STACK_CSUM_PARTIAL_OK
	if (mode & 2)
		return stack_parse_flags(f, len, STACK_CSUM_PARTIAL_OK, rx);
#else
	(void)mode;
#endif
	return stack_parse(f, len, rx);
}

static bool ep_eq(const struct rtd_ep *a, const struct rtd_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static bool rx_eq(const struct stack_rx *a, const struct stack_rx *b)
{
	return a->l3_off == b->l3_off && a->l4_off == b->l4_off &&
	       a->payload_off == b->payload_off && a->payload_len == b->payload_len &&
	       a->vlan_tci == b->vlan_tci && !memcmp(a->src_mac, b->src_mac, 6) &&
	       ep_eq(&a->flow.src, &b->flow.src) && ep_eq(&a->flow.dst, &b->flow.dst);
}

static void check_rx(const struct stack_rx *rx, size_t len)
{
	int fam = rx->flow.src.family;

	FUZZ_CHECK(rx->l3_off == ETH_HLEN || rx->l3_off == ETH_HLEN + 4, "l3 at %u", rx->l3_off);
	FUZZ_CHECK(rx->l4_off >= rx->l3_off + (fam == AF_INET ? 20 : 40), "l4 at %u, l3 at %u",
		   rx->l4_off, rx->l3_off);
	FUZZ_CHECK(rx->payload_off == rx->l4_off + 8, "payload at %u, l4 at %u", rx->payload_off,
		   rx->l4_off);
	FUZZ_CHECK((size_t)rx->payload_off + rx->payload_len <= len,
		   "payload %u+%u past a frame of %zu", rx->payload_off, rx->payload_len, len);
	FUZZ_CHECK((fam == AF_INET || fam == AF_INET6) && rx->flow.dst.family == fam,
		   "families %d, %d", fam, rx->flow.dst.family);
	if (fam == AF_INET)
		FUZZ_CHECK(IN6_IS_ADDR_V4MAPPED(&rx->flow.src.addr) &&
				   IN6_IS_ADDR_V4MAPPED(&rx->flow.dst.addr),
			   "IPv4 addresses not v4-mapped");
}

/* Built back from rx, maybe as the reply; parsed again, the same datagram. */
static void check_build(const uint8_t *frame, const struct stack_rx *rx, unsigned mode,
			bool reply)
{
	struct stack_l2 l2 = { .vlan_tci = rx->vlan_tci };
	struct rtd_flow flow = rx->flow;
	size_t hlen = stack_hdr_len(flow.dst.family, rx->vlan_tci != 0);
	uint8_t *f = malloc(hlen + rx->payload_len);
	struct stack_rx back;
	int n, err;

	if (!f)
		abort();
	memcpy(l2.src, frame, 6);
	memcpy(l2.dst, rx->src_mac, 6);
	if (reply) {
		flow.src = rx->flow.dst;
		flow.dst = rx->flow.src;
	}
	memcpy(f + hlen, frame + rx->payload_off, rx->payload_len);
	n = stack_build(f, &l2, &flow, rx->payload_len, 0x1234);
	FUZZ_CHECK(n == (int)(hlen + rx->payload_len), "built %d bytes, not %zu", n,
		   hlen + rx->payload_len);
	err = parse(f, n, mode, &back);
	FUZZ_CHECK(!err, "the frame built back does not parse: %d", err);
	FUZZ_CHECK(back.vlan_tci == rx->vlan_tci, "tag %04x became %04x", rx->vlan_tci,
		   back.vlan_tci);
	FUZZ_CHECK(!memcmp(back.src_mac, l2.src, 6), "source MAC");
	FUZZ_CHECK(back.payload_len == rx->payload_len &&
			   !memcmp(f + back.payload_off, frame + rx->payload_off, rx->payload_len),
		   "payload of %u bytes came back as %u", rx->payload_len, back.payload_len);
	FUZZ_CHECK(ep_eq(&back.flow.src, &flow.src) && ep_eq(&back.flow.dst, &flow.dst),
		   "the flow came back different");
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stack_rx rx, rx2;
	unsigned mode;
	uint8_t *f;
	size_t len;
	int err;

	if (!size)
		return 0;
	mode = data[0];
	len = size - 1;
	f = fuzz_dup(data + 1, len);
	check_csum(f, len);
	if (mode & 1)
		fix_checksums(f, len);
	err = parse(f, len, mode, &rx);
	if (err) {
		FUZZ_CHECK(err == -EBADMSG || err == -EILSEQ || err == -EPROTONOSUPPORT ||
				   err == -EOPNOTSUPP,
			   "parse: %d", err);
		free(f);
		return 0;
	}
	check_rx(&rx, len);
	/* The same frame parses the same way twice. */
	FUZZ_CHECK(!parse(f, len, mode, &rx2) && rx_eq(&rx, &rx2),
		   "a second parse differs");
	check_build(f, &rx, mode, false);
	check_build(f, &rx, mode, true);
	free(f);
	return 0;
}
