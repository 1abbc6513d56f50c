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

#include "rtd/stack.h"

/* 198.18.0.2:40000 -> 198.18.0.1:7000 "hello", padded to 60 bytes; checksums
 * computed by an independent implementation. */
static const uint8_t v4_frame[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x9c, 0x70, 0xc6, 0x12, 0x00, 0x02,
	0xc6, 0x12, 0x00, 0x01, 0x9c, 0x40, 0x1b, 0x58, 0x00, 0x0d, 0x78, 0x41, 0x68, 0x65, 0x6c,
	0x6c, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* [2001:2::2]:40000 -> [2001:2::1]:7000 "hello". */
static const uint8_t v6_frame[67] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0x20, 0x01, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x9c, 0x40,
	0x1b, 0x58, 0x00, 0x0d, 0xc4, 0x60, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

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

static void test_real_ipv4_datagram_parses_with_padding_ignored(void **state)
{
	struct stack_rx rx;
	struct rtd_ep src = ep("198.18.0.2", 40000), dst = ep("198.18.0.1", 7000);

	(void)state;
	assert_int_equal(stack_parse(v4_frame, sizeof(v4_frame), &rx), 0);
	assert_int_equal(rx.payload_len, 5);
	assert_memory_equal(v4_frame + rx.payload_off, "hello", 5);
	assert_int_equal(rx.flow.src.port, 40000);
	assert_int_equal(rx.flow.dst.port, 7000);
	assert_int_equal(rx.flow.src.family, AF_INET);
	assert_memory_equal(&rx.flow.src.addr, &src.addr, 16);
	assert_memory_equal(&rx.flow.dst.addr, &dst.addr, 16);
	assert_int_equal(rx.vlan_tci, 0);
}

static void test_real_ipv6_datagram_parses(void **state)
{
	struct stack_rx rx;
	struct rtd_ep dst = ep("2001:2::1", 7000);

	(void)state;
	assert_int_equal(stack_parse(v6_frame, sizeof(v6_frame), &rx), 0);
	assert_int_equal(rx.flow.dst.family, AF_INET6);
	assert_memory_equal(&rx.flow.dst.addr, &dst.addr, 16);
	assert_int_equal(rx.payload_len, 5);
}

static void test_every_truncation_is_rejected_without_reading_past_the_end(void **state)
{
	(void)state;
	/* v4_frame's datagram ends at 47; v6_frame's at 67. */
	for (size_t len = 0; len < 47; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		struct stack_rx rx;

		memcpy(copy, v4_frame, len);
		assert_int_equal(stack_parse(copy, len, &rx), -EBADMSG);
		free(copy);
	}
	for (size_t len = 0; len < sizeof(v6_frame); len++) {
		uint8_t *copy = malloc(len ? len : 1);
		struct stack_rx rx;

		memcpy(copy, v6_frame, len);
		assert_int_equal(stack_parse(copy, len, &rx), -EBADMSG);
		free(copy);
	}
}

static void test_corrupted_checksums_are_detected(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t g[sizeof(v6_frame)];
	struct stack_rx rx;

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[46] ^= 1; /* payload byte: UDP checksum fails */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EILSEQ);
	memcpy(f, v4_frame, sizeof(f));
	f[22] = 63; /* TTL: IPv4 header checksum fails */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EILSEQ);
	memcpy(g, v6_frame, sizeof(g));
	g[62] ^= 0x80;
	assert_int_equal(stack_parse(g, sizeof(g), &rx), -EILSEQ);
}

static void test_udp_checksum_zero_is_none_on_ipv4_but_invalid_on_ipv6(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	uint8_t g[sizeof(v6_frame)];
	struct stack_rx rx;

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[40] = f[41] = 0;
	assert_int_equal(stack_parse(f, sizeof(f), &rx), 0);
	memcpy(g, v6_frame, sizeof(g));
	g[60] = g[61] = 0;
	assert_int_equal(stack_parse(g, sizeof(g), &rx), -EILSEQ);
}

static void test_udp_length_past_the_datagram_is_malformed(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	struct stack_rx rx;

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[39] = 0x30; /* UDP length 48 > IP payload 13 */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EBADMSG);
	memcpy(f, v4_frame, sizeof(f));
	f[39] = 7; /* shorter than a UDP header */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EBADMSG);
}

static void fix_ip_csum(uint8_t *ip)
{
	ip[10] = ip[11] = 0;
	uint16_t c = csum_fold(csum_partial(ip, 20, 0));
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

static void test_fragments_tcp_and_arp_are_not_ours(void **state)
{
	uint8_t f[sizeof(v4_frame)];
	struct stack_rx rx;

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	f[20] = 0x20; /* MF */
	fix_ip_csum(f + 14);
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EOPNOTSUPP);
	memcpy(f, v4_frame, sizeof(f));
	f[23] = 6; /* TCP */
	fix_ip_csum(f + 14);
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EPROTONOSUPPORT);
	memcpy(f, v4_frame, sizeof(f));
	f[12] = 0x08;
	f[13] = 0x06; /* ARP */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EPROTONOSUPPORT);
	memcpy(f, v4_frame, sizeof(f));
	f[14] = 0x44; /* IHL 4 */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EBADMSG);
	memcpy(f, v4_frame, sizeof(f));
	f[14] = 0x65; /* version 6 in an IPv4 ethertype */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EBADMSG);
}

static void round_trip(const char *s, const char *d, uint16_t vlan)
{
	uint8_t frame[256] = { 0 };
	struct rtd_flow flow = { .src = ep(s, 7000), .dst = ep(d, 40000) };
	struct stack_l2 l2 = { .dst = { 2, 0, 0, 0, 0, 2 }, .src = { 2, 0, 0, 0, 0, 1 },
			       .vlan_tci = vlan };
	size_t hl = stack_hdr_len(flow.dst.family, vlan != 0);
	struct stack_rx rx;
	int len;

	memcpy(frame + hl, "payload!", 8);
	len = stack_build(frame, &l2, &flow, 8, 77);
	assert_int_equal(len, (int)hl + 8);
	assert_int_equal(stack_parse(frame, len, &rx), 0);
	assert_int_equal(rx.payload_off, hl);
	assert_int_equal(rx.payload_len, 8);
	assert_int_equal(rx.vlan_tci, vlan);
	assert_memory_equal(&rx.flow.src.addr, &flow.src.addr, 16);
	assert_memory_equal(&rx.flow.dst.addr, &flow.dst.addr, 16);
	assert_int_equal(rx.flow.src.port, flow.src.port);
	assert_int_equal(rx.flow.dst.port, flow.dst.port);
	assert_int_equal(rx.flow.src.family, flow.src.family);
	assert_memory_equal(rx.src_mac, l2.src, 6);
}

static void test_built_datagrams_parse_back_v4_v6_and_tagged(void **state)
{
	(void)state;
	round_trip("198.18.0.1", "198.18.0.2", 0);
	round_trip("2001:2::1", "2001:2::2", 0);
	round_trip("198.18.0.1", "198.18.0.2", 100);
	round_trip("2001:2::1", "2001:2::2", 4000);
}

static void test_ipv6_extension_headers_are_walked(void **state)
{
	uint8_t f[sizeof(v6_frame) + 8];
	struct stack_rx rx;

	(void)state;
	/* Insert an 8-byte destination-options header before UDP. */
	memcpy(f, v6_frame, 54);
	f[20] = 60;                 /* next header: destination options */
	f[19] = 0x0d + 8;           /* payload length */
	memset(f + 54, 0, 8);
	f[54] = 17;                 /* its next header: UDP */
	f[56] = 1;                  /* PadN option, 4 bytes of padding */
	f[57] = 4;
	memcpy(f + 62, v6_frame + 54, sizeof(v6_frame) - 54);
	assert_int_equal(stack_parse(f, sizeof(f), &rx), 0);
	assert_int_equal(rx.payload_len, 5);
	f[54] = 44; /* a fragment header follows: not ours */
	assert_int_equal(stack_parse(f, sizeof(f), &rx), -EOPNOTSUPP);
}

static void test_random_frames_never_crash(void **state)
{
	uint8_t f[128];
	struct stack_rx rx;

	(void)state;
	srand(7);
	for (int i = 0; i < 200000; i++) {
		size_t len = rand() % sizeof(f);

		memcpy(f, i & 1 ? v4_frame : v6_frame, 60);
		for (int k = 0; k < 1 + rand() % 4; k++)
			f[rand() % sizeof(f)] = rand();
		stack_parse(f, len, &rx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_ipv4_datagram_parses_with_padding_ignored),
		cmocka_unit_test(test_real_ipv6_datagram_parses),
		cmocka_unit_test(test_every_truncation_is_rejected_without_reading_past_the_end),
		cmocka_unit_test(test_corrupted_checksums_are_detected),
		cmocka_unit_test(test_udp_checksum_zero_is_none_on_ipv4_but_invalid_on_ipv6),
		cmocka_unit_test(test_udp_length_past_the_datagram_is_malformed),
		cmocka_unit_test(test_fragments_tcp_and_arp_are_not_ours),
		cmocka_unit_test(test_built_datagrams_parse_back_v4_v6_and_tagged),
		cmocka_unit_test(test_ipv6_extension_headers_are_walked),
		cmocka_unit_test(test_random_frames_never_crash),
	};

	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
