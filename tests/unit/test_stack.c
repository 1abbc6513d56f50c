// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/stack.h"

/* 198.18.0.2:40000 -> 198.18.0.1:7000 "hello", padded to 60 bytes; checksums
 * computed by an independent implementation. */
static const uint8_t v4_frame[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x9c, 0x70, 0xc6, 0x12, 0x00, 0x02,
	0xc6, 0x12, 0x00, 0x01, 0x9c, 0x40, 0x1b, 0x58, 0x00, 0x0d, 0x78, 0x41, 0x68, 0x65, 0x6c,
	0x6c, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
#define V4_END 47 /* the datagram ends here; the rest is padding */

/* [2001:2::2]:40000 -> [2001:2::1]:7000 "hello". */
static const uint8_t v6_frame[67] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0x20, 0x01, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x9c, 0x40,
	0x1b, 0x58, 0x00, 0x0d, 0xc4, 0x60, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/*
 * 802.1Q VID 100 PCP 5, 10.0.0.1:5004 -> 10.0.0.2:5006, DSCP EF, TTL 63: an
 * RTP header and one odd byte of payload, padded to 64 bytes on the wire.
 */
static const uint8_t tagged_frame[64] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x81, 0x00, 0xa0,
	0x64, 0x08, 0x00, 0x45, 0xb8, 0x00, 0x29, 0xbe, 0xef, 0x40, 0x00, 0x3f, 0x11, 0x68, 0x1a,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x13, 0x8c, 0x13, 0x8e, 0x00, 0x15, 0x51,
	0x68, 0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0xde, 0xad, 0xbe, 0xef, 0x55, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
#define TAGGED_END 59

static struct stack_rx rx;

static struct rtd_ep ep(const char *addr, uint16_t port)
{
	struct rtd_ep e = { .port = port };

	if (strchr(addr, ':')) {
		e.family = AF_INET6;
		inet_pton(AF_INET6, addr, &e.addr);
	} else {
		struct in_addr a;

		e.family = AF_INET;
		inet_pton(AF_INET, addr, &a);
		e.addr.s6_addr[10] = e.addr.s6_addr[11] = 0xff;
		memcpy(&e.addr.s6_addr[12], &a, 4);
	}
	return e;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Parse a copy exactly len bytes long, so ASan sees any read past the end. */
static int parse_exact(const uint8_t *f, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, f, len);
	ret = stack_parse(copy, len, &rx);
	free(copy);
	return ret;
}

static void fix_ip_csum(uint8_t *ip)
{
	uint16_t c;

	wr16(ip + 10, 0);
	c = csum_fold(csum_partial(ip, (size_t)(ip[0] & 0xf) * 4, 0));
	wr16(ip + 10, c);
}

static void test_real_ipv4_datagram_parses_with_padding_ignored(void **state)
{
	struct rtd_ep src = ep("198.18.0.2", 40000), dst = ep("198.18.0.1", 7000);
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	(void)state;
	assert_int_equal(parse_exact(v4_frame, sizeof(v4_frame)), 0);
	assert_int_equal(rx.l3_off, 14);
	assert_int_equal(rx.l4_off, 34);
	assert_int_equal(rx.payload_off, 42);
	assert_int_equal(rx.payload_len, 5);
	assert_memory_equal(v4_frame + rx.payload_off, "hello", 5);
	assert_int_equal(rx.flow.src.port, 40000);
	assert_int_equal(rx.flow.dst.port, 7000);
	assert_int_equal(rx.flow.src.family, AF_INET);
	assert_int_equal(rx.flow.dst.family, AF_INET);
	assert_memory_equal(&rx.flow.src.addr, &src.addr, 16);
	assert_memory_equal(&rx.flow.dst.addr, &dst.addr, 16);
	assert_memory_equal(rx.src_mac, mac, 6);
	assert_int_equal(rx.vlan_tci, 0);
	/* Unpadded, the same datagram parses the same. */
	assert_int_equal(parse_exact(v4_frame, V4_END), 0);
	assert_int_equal(rx.payload_len, 5);
}

static void test_real_ipv6_datagram_parses(void **state)
{
	struct rtd_ep src = ep("2001:2::2", 40000), dst = ep("2001:2::1", 7000);

	(void)state;
	assert_int_equal(parse_exact(v6_frame, sizeof(v6_frame)), 0);
	assert_int_equal(rx.flow.src.family, AF_INET6);
	assert_int_equal(rx.flow.dst.family, AF_INET6);
	assert_memory_equal(&rx.flow.src.addr, &src.addr, 16);
	assert_memory_equal(&rx.flow.dst.addr, &dst.addr, 16);
	assert_int_equal(rx.flow.src.port, 40000);
	assert_int_equal(rx.flow.dst.port, 7000);
	assert_int_equal(rx.l4_off, 54);
	assert_int_equal(rx.payload_off, 62);
	assert_int_equal(rx.payload_len, 5);
	assert_memory_equal(v6_frame + rx.payload_off, "hello", 5);
}

static void test_real_vlan_tagged_datagram_parses_with_padding_ignored(void **state)
{
	struct rtd_ep src = ep("10.0.0.1", 5004), dst = ep("10.0.0.2", 5006);

	(void)state;
	assert_int_equal(parse_exact(tagged_frame, sizeof(tagged_frame)), 0);
	assert_int_equal(rx.vlan_tci, 0xa064);
	assert_int_equal(rx.l3_off, 18);
	assert_int_equal(rx.payload_off, 46);
	assert_int_equal(rx.payload_len, 13);
	assert_int_equal(tagged_frame[rx.payload_off + 12], 0x55);
	assert_memory_equal(&rx.flow.src.addr, &src.addr, 16);
	assert_memory_equal(&rx.flow.dst.addr, &dst.addr, 16);
	assert_int_equal(rx.flow.src.port, 5004);
	assert_int_equal(rx.flow.dst.port, 5006);
}

static void test_8021ad_tagged_datagram_parses(void **state)
{
	uint8_t f[sizeof(tagged_frame)];

	(void)state;
	memcpy(f, tagged_frame, sizeof(f));
	wr16(f + 12, 0x88a8);
	assert_int_equal(parse_exact(f, sizeof(f)), 0);
	assert_int_equal(rx.vlan_tci, 0xa064);
	assert_int_equal(rx.payload_len, 13);
}

static void test_truncated_ipv4_frame_is_malformed_at_every_length(void **state)
{
	(void)state;
	for (size_t len = 0; len < V4_END; len++)
		assert_int_equal(parse_exact(v4_frame, len), -EBADMSG);
}

static void test_truncated_ipv6_frame_is_malformed_at_every_length(void **state)
{
	(void)state;
	for (size_t len = 0; len < sizeof(v6_frame); len++)
		assert_int_equal(parse_exact(v6_frame, len), -EBADMSG);
}

static void test_truncated_tagged_frame_is_malformed_at_every_length(void **state)
{
	(void)state;
	for (size_t len = 0; len < TAGGED_END; len++)
		assert_int_equal(parse_exact(tagged_frame, len), -EBADMSG);
}

static void test_corrupted_ipv4_header_checksum_is_detected(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[22] = 63; /* TTL, checksum left alone */
	assert_int_equal(parse_exact(f, sizeof(f)), -EILSEQ);
	memcpy(f, v4_frame, sizeof(f));
	f[25] ^= 0x01; /* the checksum itself */
	assert_int_equal(parse_exact(f, sizeof(f)), -EILSEQ);
}

static void test_corrupted_udp_checksum_is_detected(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t g[sizeof(v6_frame)];
	uint8_t t[sizeof(tagged_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[46] ^= 1; /* last payload byte */
	assert_int_equal(parse_exact(f, sizeof(f)), -EILSEQ);
	memcpy(g, v6_frame, sizeof(g));
	g[62] ^= 0x80;
	assert_int_equal(parse_exact(g, sizeof(g)), -EILSEQ);
	memcpy(g, v6_frame, sizeof(g));
	g[39] ^= 0x01; /* a source address byte: covered by the pseudo-header */
	assert_int_equal(parse_exact(g, sizeof(g)), -EILSEQ);
	memcpy(t, tagged_frame, sizeof(t));
	t[58] ^= 0x10; /* the odd last byte */
	assert_int_equal(parse_exact(t, sizeof(t)), -EILSEQ);
}

static void test_padding_is_not_covered_by_the_udp_checksum(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	memset(f + V4_END, 0xa5, sizeof(f) - V4_END);
	assert_int_equal(parse_exact(f, sizeof(f)), 0);
	assert_int_equal(rx.payload_len, 5);
}

static void test_udp_checksum_zero_means_none_on_ipv4(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 40, 0);
	f[46] ^= 1; /* no checksum, so nothing can notice */
	assert_int_equal(parse_exact(f, sizeof(f)), 0);
}

static void test_udp_checksum_zero_is_invalid_on_ipv6(void **state)
{
	uint8_t g[sizeof(v6_frame)];

	(void)state;
	memcpy(g, v6_frame, sizeof(g));
	wr16(g + 60, 0);
	assert_int_equal(parse_exact(g, sizeof(g)), -EILSEQ);
}

static void test_udp_length_beyond_ip_payload_is_malformed(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t g[sizeof(v6_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 38, 14); /* IP payload is 13; padding follows, but is not ours */
	assert_int_equal(parse_exact(f, sizeof(f)), -EBADMSG);
	memcpy(g, v6_frame, sizeof(g));
	wr16(g + 58, 14);
	assert_int_equal(parse_exact(g, sizeof(g)), -EBADMSG);
}

static void test_udp_length_below_its_header_is_malformed(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 38, 7);
	assert_int_equal(parse_exact(f, sizeof(f)), -EBADMSG);
}

static void test_udp_length_short_of_ip_payload_bounds_the_payload(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 38, 8 + 3);
	wr16(f + 40, 0);
	assert_int_equal(parse_exact(f, sizeof(f)), 0);
	assert_int_equal(rx.payload_len, 3);
}

static void test_ipv4_fragments_are_not_supported(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 20, 0x2000); /* first fragment: MF */
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), -EOPNOTSUPP);
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 20, 0x0001); /* last fragment: an offset */
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), -EOPNOTSUPP);
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 20, 0x0000); /* DF clear alone is no fragment */
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), 0);
}

static void test_tcp_is_not_udp(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t g[sizeof(v6_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[23] = 6;
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), -EPROTONOSUPPORT);
	memcpy(g, v6_frame, sizeof(g));
	g[20] = 6;
	assert_int_equal(parse_exact(g, sizeof(g)), -EPROTONOSUPPORT);
	g[20] = 58; /* ICMPv6 */
	assert_int_equal(parse_exact(g, sizeof(g)), -EPROTONOSUPPORT);
}

static void test_arp_is_not_ip(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t t[sizeof(tagged_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 12, 0x0806);
	assert_int_equal(parse_exact(f, sizeof(f)), -EPROTONOSUPPORT);
	memcpy(t, tagged_frame, sizeof(t));
	wr16(t + 16, 0x0806);
	assert_int_equal(parse_exact(t, sizeof(t)), -EPROTONOSUPPORT);
}

static void test_ipv4_header_length_below_five_words_is_malformed(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[14] = 0x44;
	assert_int_equal(parse_exact(f, sizeof(f)), -EBADMSG);
}

static void test_wrong_ip_version_is_malformed(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t g[sizeof(v6_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[14] = 0x65;
	assert_int_equal(parse_exact(f, sizeof(f)), -EBADMSG);
	memcpy(g, v6_frame, sizeof(g));
	g[14] = 0x40;
	assert_int_equal(parse_exact(g, sizeof(g)), -EBADMSG);
}

static void test_ipv4_total_length_inconsistent_with_frame_is_malformed(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 16, sizeof(f) - 14 + 1); /* one byte past the frame */
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), -EBADMSG);
	memcpy(f, v4_frame, sizeof(f));
	wr16(f + 16, 19); /* shorter than its own header */
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), -EBADMSG);
}

static void test_ipv4_options_are_skipped(void **state)
{
	uint8_t f[sizeof(v4_frame) + 4];

	(void)state;
	/* One 4-byte option (NOP NOP NOP EOL); UDP moves back by 4. */
	memcpy(f, v4_frame, 34);
	memcpy(f + 34, "\x01\x01\x01\x00", 4);
	memcpy(f + 38, v4_frame + 34, sizeof(v4_frame) - 34);
	f[14] = 0x46;
	wr16(f + 16, rd16(v4_frame + 16) + 4);
	fix_ip_csum(f + 14);
	assert_int_equal(parse_exact(f, sizeof(f)), 0);
	assert_int_equal(rx.l4_off, 38);
	assert_int_equal(rx.payload_len, 5);
	assert_memory_equal(f + rx.payload_off, "hello", 5);
}

static void test_ipv6_payload_length_beyond_frame_is_malformed(void **state)
{
	uint8_t g[sizeof(v6_frame)];

	(void)state;
	memcpy(g, v6_frame, sizeof(g));
	wr16(g + 18, 14);
	assert_int_equal(parse_exact(g, sizeof(g)), -EBADMSG);
}

/*
 * v6_frame with n 8-byte extension headers of the given types inserted
 * before UDP; returns the frame length.
 */
static size_t with_ext_headers(uint8_t *f, const uint8_t *types, int n)
{
	size_t off = 54;

	memcpy(f, v6_frame, 54);
	f[20] = types[0];
	for (int i = 0; i < n; i++, off += 8) {
		memset(f + off, 0, 8);
		f[off] = i + 1 < n ? types[i + 1] : 17;
		f[off + 2] = 1; /* PadN, 4 bytes */
		f[off + 3] = 4;
	}
	memcpy(f + off, v6_frame + 54, sizeof(v6_frame) - 54);
	wr16(f + 18, 13 + 8 * n);
	return off + sizeof(v6_frame) - 54;
}

static void test_ipv6_extension_headers_are_walked(void **state)
{
	static const uint8_t one[] = { 60 };
	static const uint8_t four[] = { 0, 43, 60, 60 };
	uint8_t f[sizeof(v6_frame) + 4 * 8];
	size_t len;

	(void)state;
	len = with_ext_headers(f, one, 1);
	assert_int_equal(parse_exact(f, len), 0);
	assert_int_equal(rx.l4_off, 62);
	assert_int_equal(rx.payload_len, 5);
	len = with_ext_headers(f, four, 4);
	assert_int_equal(parse_exact(f, len), 0);
	assert_int_equal(rx.l4_off, 86);
	assert_memory_equal(f + rx.payload_off, "hello", 5);
}

static void test_ipv6_payload_ending_early_is_malformed_at_every_length(void **state)
{
	static const uint8_t one[] = { 60 };
	uint8_t f[sizeof(v6_frame) + 8];
	size_t full = with_ext_headers(f, one, 1);

	(void)state;
	/* Lengths that agree with the frame, so only the inner checks catch it. */
	for (size_t n = 0; 54 + n < full; n++) {
		wr16(f + 18, n);
		assert_int_equal(parse_exact(f, 54 + n), -EBADMSG);
	}
}

static void test_ipv4_datagram_ending_early_is_malformed_at_every_length(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	for (size_t n = 0; 34 + n < V4_END; n++) {
		wr16(f + 16, 20 + n);
		fix_ip_csum(f + 14);
		assert_int_equal(parse_exact(f, 34 + n), -EBADMSG);
	}
}

static void test_fifth_ipv6_extension_header_is_not_supported(void **state)
{
	static const uint8_t five[] = { 0, 60, 60, 60, 60 };
	uint8_t f[sizeof(v6_frame) + 5 * 8];
	size_t len = with_ext_headers(f, five, 5);

	(void)state;
	assert_int_equal(parse_exact(f, len), -EOPNOTSUPP);
}

static void test_ipv6_fragment_header_is_not_supported(void **state)
{
	static const uint8_t frag[] = { 44 };
	static const uint8_t opts_then_frag[] = { 60, 44 };
	uint8_t f[sizeof(v6_frame) + 2 * 8];
	size_t len;

	(void)state;
	len = with_ext_headers(f, frag, 1);
	assert_int_equal(parse_exact(f, len), -EOPNOTSUPP);
	len = with_ext_headers(f, opts_then_frag, 2);
	assert_int_equal(parse_exact(f, len), -EOPNOTSUPP);
}

static void test_ipv6_ah_and_esp_are_not_supported(void **state)
{
	uint8_t g[sizeof(v6_frame)];

	(void)state;
	memcpy(g, v6_frame, sizeof(g));
	g[20] = 51;
	assert_int_equal(parse_exact(g, sizeof(g)), -EOPNOTSUPP);
	g[20] = 50;
	assert_int_equal(parse_exact(g, sizeof(g)), -EOPNOTSUPP);
}

static void test_ipv6_extension_header_past_the_payload_is_malformed(void **state)
{
	static const uint8_t one[] = { 0 };
	uint8_t f[sizeof(v6_frame) + 8];
	size_t len = with_ext_headers(f, one, 1);

	(void)state;
	f[55] = 2; /* claims 24 bytes; 21 are left */
	assert_int_equal(parse_exact(f, len), -EBADMSG);
	f[55] = 0;
	wr16(f + 18, 7); /* payload ends inside the extension header */
	assert_int_equal(parse_exact(f, len), -EBADMSG);
}

static int build(uint8_t *frame, const char *s, const char *d, uint16_t vlan,
		 const void *payload, uint16_t plen, uint16_t id)
{
	struct rtd_flow flow = { .src = ep(s, 7000), .dst = ep(d, 40000) };
	struct stack_l2 l2 = { .dst = { 2, 0, 0, 0, 0, 2 }, .src = { 2, 0, 0, 0, 0, 1 },
			       .vlan_tci = vlan };

	memcpy(frame + stack_hdr_len(flow.dst.family, vlan != 0), payload, plen);
	return stack_build(frame, &l2, &flow, plen, id);
}

static void round_trip(const char *s, const char *d, uint16_t vlan)
{
	uint8_t frame[256] = { 0 };
	struct rtd_ep src = ep(s, 7000), dst = ep(d, 40000);
	size_t hl = stack_hdr_len(dst.family, vlan != 0);
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	int len;

	len = build(frame, s, d, vlan, "payload!", 8, 77);
	assert_int_equal(len, (int)hl + 8);
	assert_int_equal(parse_exact(frame, len), 0);
	assert_int_equal(rx.payload_off, hl);
	assert_int_equal(rx.payload_len, 8);
	assert_memory_equal(frame + rx.payload_off, "payload!", 8);
	assert_int_equal(rx.vlan_tci, vlan);
	assert_memory_equal(&rx.flow.src.addr, &src.addr, 16);
	assert_memory_equal(&rx.flow.dst.addr, &dst.addr, 16);
	assert_int_equal(rx.flow.src.port, src.port);
	assert_int_equal(rx.flow.dst.port, dst.port);
	assert_int_equal(rx.flow.src.family, src.family);
	assert_int_equal(rx.flow.dst.family, dst.family);
	assert_memory_equal(rx.src_mac, mac, 6);
	/* Padded to the Ethernet minimum, it still parses the same. */
	assert_int_equal(parse_exact(frame, len < 60 ? 60 : len), 0);
	assert_int_equal(rx.payload_len, 8);
}

static void test_built_datagrams_parse_back_v4_v6_and_tagged(void **state)
{
	(void)state;
	round_trip("198.18.0.1", "198.18.0.2", 0);
	round_trip("2001:2::1", "2001:2::2", 0);
	round_trip("198.18.0.1", "198.18.0.2", 100);
	round_trip("2001:2::1", "2001:2::2", 0xe000 | 4000);
}

static void test_built_ipv4_header_has_df_ttl_ident_and_checksums(void **state)
{
	uint8_t f[128] = { 0 };
	int len = build(f, "198.18.0.1", "198.18.0.2", 0, "abc", 3, 0xbeef);

	(void)state;
	assert_int_equal(len, 42 + 3);
	assert_int_equal(rd16(f + 12), 0x0800);
	assert_int_equal(f[14], 0x45);
	assert_int_equal(rd16(f + 16), 20 + 8 + 3);
	assert_int_equal(rd16(f + 18), 0xbeef);
	assert_int_equal(rd16(f + 20), 0x4000);
	assert_int_equal(f[22], 64);
	assert_int_equal(f[23], 17);
	assert_int_equal(csum_fold(csum_partial(f + 14, 20, 0)), 0);
	assert_int_equal(rd16(f + 34), 7000);
	assert_int_equal(rd16(f + 36), 40000);
	assert_int_equal(rd16(f + 38), 8 + 3);
	assert_int_not_equal(rd16(f + 40), 0);
}

static void test_built_ipv6_header_has_hop_limit_64(void **state)
{
	uint8_t f[128] = { 0 };
	int len = build(f, "2001:2::1", "2001:2::2", 0, "abc", 3, 1);

	(void)state;
	assert_int_equal(len, 62 + 3);
	assert_int_equal(rd16(f + 12), 0x86dd);
	assert_int_equal(f[14], 0x60);
	assert_int_equal(rd16(f + 18), 8 + 3);
	assert_int_equal(f[20], 17);
	assert_int_equal(f[21], 64);
	assert_int_equal(rd16(f + 58), 8 + 3);
}

static void test_built_tag_is_8021q(void **state)
{
	uint8_t f[128] = { 0 };

	(void)state;
	assert_int_equal(build(f, "198.18.0.1", "198.18.0.2", 0x2064, "x", 1, 1), 46 + 1);
	assert_int_equal(rd16(f + 12), 0x8100);
	assert_int_equal(rd16(f + 14), 0x2064);
	assert_int_equal(rd16(f + 16), 0x0800);
}

static void test_computed_udp_checksum_of_zero_is_sent_as_ffff(void **state)
{
	uint8_t f[128] = { 0 };
	uint8_t word[2] = { 0, 0 };
	uint16_t c0;

	(void)state;
	/*
	 * With a zero payload word the checksum is c0 = ~S; putting c0 in that
	 * word makes the sum 0xffff, whose complement 0 must go out as 0xffff.
	 */
	build(f, "198.18.0.1", "198.18.0.2", 0, word, 2, 1);
	c0 = rd16(f + 40);
	wr16(word, c0);
	build(f, "198.18.0.1", "198.18.0.2", 0, word, 2, 1);
	assert_int_equal(rd16(f + 40), 0xffff);
	assert_int_equal(parse_exact(f, 44), 0);

	build(f, "2001:2::1", "2001:2::2", 0, (uint8_t[2]){ 0, 0 }, 2, 1);
	c0 = rd16(f + 60);
	wr16(word, c0);
	build(f, "2001:2::1", "2001:2::2", 0, word, 2, 1);
	assert_int_equal(rd16(f + 60), 0xffff);
	assert_int_equal(parse_exact(f, 64), 0);
}

static void test_largest_datagrams_build_and_one_byte_more_is_refused(void **state)
{
	size_t max4 = 65535 - 20 - 8, max6 = 65535 - 8;
	uint8_t *f = calloc(1, 66 + max6 + 1);
	struct rtd_flow flow4 = { .src = ep("198.18.0.1", 1), .dst = ep("198.18.0.2", 2) };
	struct rtd_flow flow6 = { .src = ep("2001:2::1", 1), .dst = ep("2001:2::2", 2) };
	struct stack_l2 l2 = { .vlan_tci = 0 };
	int len;

	(void)state;
	assert_non_null(f);
	len = stack_build(f, &l2, &flow4, max4, 1);
	assert_int_equal(len, 42 + (int)max4);
	assert_int_equal(stack_parse(f, len, &rx), 0);
	assert_int_equal(rx.payload_len, max4);
	assert_int_equal(stack_build(f, &l2, &flow4, max4 + 1, 1), -EMSGSIZE);
	len = stack_build(f, &l2, &flow6, max6, 1);
	assert_int_equal(len, 62 + (int)max6);
	assert_int_equal(stack_parse(f, len, &rx), 0);
	assert_int_equal(rx.payload_len, max6);
	assert_int_equal(stack_build(f, &l2, &flow6, max6 + 1, 1), -EMSGSIZE);
	free(f);
}

static void test_unknown_family_is_refused(void **state)
{
	uint8_t f[128] = { 0 };
	struct rtd_flow flow = { .src = ep("198.18.0.1", 1), .dst = ep("198.18.0.2", 2) };
	struct stack_l2 l2 = { .vlan_tci = 0 };

	(void)state;
	flow.dst.family = AF_UNIX;
	assert_int_equal(stack_build(f, &l2, &flow, 1, 1), -EAFNOSUPPORT);
}

static void test_header_lengths_per_family_and_tag(void **state)
{
	(void)state;
	assert_int_equal(stack_hdr_len(AF_INET, false), 14 + 20 + 8);
	assert_int_equal(stack_hdr_len(AF_INET, true), 18 + 20 + 8);
	assert_int_equal(stack_hdr_len(AF_INET6, false), 14 + 40 + 8);
	assert_int_equal(stack_hdr_len(AF_INET6, true), 18 + 40 + 8);
}

static void test_random_frames_never_crash(void **state)
{
	static const uint8_t *const seeds[] = { v4_frame, v6_frame, tagged_frame };
	uint8_t f[128];

	(void)state;
	srand(7);
	for (int i = 0; i < 200000; i++) {
		size_t len = rand() % sizeof(f);
		int r;

		memset(f, 0, sizeof(f));
		memcpy(f, seeds[i % 3], 60);
		for (int k = 0; k < 1 + rand() % 4; k++)
			f[rand() % sizeof(f)] = rand();
		r = i % 64 ? stack_parse(f, len, &rx) : parse_exact(f, len);
		assert_true(r == 0 || r == -EBADMSG || r == -EILSEQ || r == -EPROTONOSUPPORT ||
			    r == -EOPNOTSUPP);
		if (!r)
			assert_true(rx.payload_off + rx.payload_len <= len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_ipv4_datagram_parses_with_padding_ignored),
		cmocka_unit_test(test_real_ipv6_datagram_parses),
		cmocka_unit_test(test_real_vlan_tagged_datagram_parses_with_padding_ignored),
		cmocka_unit_test(test_8021ad_tagged_datagram_parses),
		cmocka_unit_test(test_truncated_ipv4_frame_is_malformed_at_every_length),
		cmocka_unit_test(test_truncated_ipv6_frame_is_malformed_at_every_length),
		cmocka_unit_test(test_truncated_tagged_frame_is_malformed_at_every_length),
		cmocka_unit_test(test_corrupted_ipv4_header_checksum_is_detected),
		cmocka_unit_test(test_corrupted_udp_checksum_is_detected),
		cmocka_unit_test(test_padding_is_not_covered_by_the_udp_checksum),
		cmocka_unit_test(test_udp_checksum_zero_means_none_on_ipv4),
		cmocka_unit_test(test_udp_checksum_zero_is_invalid_on_ipv6),
		cmocka_unit_test(test_udp_length_beyond_ip_payload_is_malformed),
		cmocka_unit_test(test_udp_length_below_its_header_is_malformed),
		cmocka_unit_test(test_udp_length_short_of_ip_payload_bounds_the_payload),
		cmocka_unit_test(test_ipv4_fragments_are_not_supported),
		cmocka_unit_test(test_tcp_is_not_udp),
		cmocka_unit_test(test_arp_is_not_ip),
		cmocka_unit_test(test_ipv4_header_length_below_five_words_is_malformed),
		cmocka_unit_test(test_wrong_ip_version_is_malformed),
		cmocka_unit_test(test_ipv4_total_length_inconsistent_with_frame_is_malformed),
		cmocka_unit_test(test_ipv4_options_are_skipped),
		cmocka_unit_test(test_ipv6_payload_length_beyond_frame_is_malformed),
		cmocka_unit_test(test_ipv6_extension_headers_are_walked),
		cmocka_unit_test(test_ipv6_payload_ending_early_is_malformed_at_every_length),
		cmocka_unit_test(test_ipv4_datagram_ending_early_is_malformed_at_every_length),
		cmocka_unit_test(test_fifth_ipv6_extension_header_is_not_supported),
		cmocka_unit_test(test_ipv6_fragment_header_is_not_supported),
		cmocka_unit_test(test_ipv6_ah_and_esp_are_not_supported),
		cmocka_unit_test(test_ipv6_extension_header_past_the_payload_is_malformed),
		cmocka_unit_test(test_built_datagrams_parse_back_v4_v6_and_tagged),
		cmocka_unit_test(test_built_ipv4_header_has_df_ttl_ident_and_checksums),
		cmocka_unit_test(test_built_ipv6_header_has_hop_limit_64),
		cmocka_unit_test(test_built_tag_is_8021q),
		cmocka_unit_test(test_computed_udp_checksum_of_zero_is_sent_as_ffff),
		cmocka_unit_test(test_largest_datagrams_build_and_one_byte_more_is_refused),
		cmocka_unit_test(test_unknown_family_is_refused),
		cmocka_unit_test(test_header_lengths_per_family_and_tag),
		cmocka_unit_test(test_random_frames_never_crash),
	};

	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
