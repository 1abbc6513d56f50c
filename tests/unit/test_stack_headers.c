// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stack_parse() and the IP headers: IPv4 fields and options, IPv6 extension
 * headers, fragments and protocols that are not UDP.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stack_frames.h"

static void test_ipv4_fragments_are_not_supported(void **state)
{
	(void)state;
	assert_int_equal(parse_v4_ip16(20, 0x2000), -EOPNOTSUPP); /* first fragment: MF */
	assert_int_equal(parse_v4_ip16(20, 0x0001), -EOPNOTSUPP); /* last fragment: an offset */
	assert_int_equal(parse_v4_ip16(20, 0x0000), 0); /* DF clear alone is no fragment */
}

static void test_tcp_is_not_udp(void **state)
{
	(void)state;
	assert_int_equal(parse_v4_ip8(23, 6), -EPROTONOSUPPORT);
	assert_int_equal(parse_with8(v6_frame, 20, 6), -EPROTONOSUPPORT);
	assert_int_equal(parse_with8(v6_frame, 20, 58), -EPROTONOSUPPORT); /* ICMPv6 */
}

static void test_arp_is_not_ip(void **state)
{
	(void)state;
	assert_int_equal(parse_with16(v4_frame, 12, 0x0806), -EPROTONOSUPPORT);
	assert_int_equal(parse_with16(tagged_frame, 16, 0x0806), -EPROTONOSUPPORT);
}

static void test_ipv4_header_length_below_five_words_is_malformed(void **state)
{
	(void)state;
	assert_int_equal(parse_with8(v4_frame, 14, 0x44), -EBADMSG);
}

static void test_wrong_ip_version_is_malformed(void **state)
{
	(void)state;
	assert_int_equal(parse_with8(v4_frame, 14, 0x65), -EBADMSG);
	assert_int_equal(parse_with8(v6_frame, 14, 0x40), -EBADMSG);
}

static void test_ipv4_total_length_inconsistent_with_frame_is_malformed(void **state)
{
	(void)state;
	/* one byte past the frame */
	assert_int_equal(parse_v4_ip16(16, sizeof(v4_frame) - 14 + 1), -EBADMSG);
	/* shorter than its own header */
	assert_int_equal(parse_v4_ip16(16, 19), -EBADMSG);
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
	(void)state;
	assert_int_equal(parse_with16(v6_frame, 18, 14), -EBADMSG);
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
		if (types[i] == 43) { /* routing: type 4, no segments left */
			f[off + 2] = 4;
			f[off + 3] = 0;
		}
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

static void test_ipv6_routing_header_with_segments_left_is_not_for_us_yet(void **state)
{
	static const uint8_t rh[] = { 43 };
	uint8_t f[sizeof(v6_frame) + 8];
	size_t len = with_ext_headers(f, rh, 1);

	(void)state;
	assert_int_equal(parse_exact(f, len), 0);
	/* Segments left: its checksum is for a later destination, and the kernel
	 * forwards it: neither malformed nor a bad checksum. */
	f[54 + 3] = 1;
	assert_int_equal(stack_parse(f, len, &rx), -EOPNOTSUPP);
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
	(void)state;
	assert_int_equal(parse_with8(v6_frame, 20, 51), -EOPNOTSUPP);
	assert_int_equal(parse_with8(v6_frame, 20, 50), -EOPNOTSUPP);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_fragments_are_not_supported),
		cmocka_unit_test(test_tcp_is_not_udp),
		cmocka_unit_test(test_arp_is_not_ip),
		cmocka_unit_test(test_ipv4_header_length_below_five_words_is_malformed),
		cmocka_unit_test(test_wrong_ip_version_is_malformed),
		cmocka_unit_test(test_ipv4_total_length_inconsistent_with_frame_is_malformed),
		cmocka_unit_test(test_ipv4_options_are_skipped),
		cmocka_unit_test(test_ipv6_payload_length_beyond_frame_is_malformed),
		cmocka_unit_test(test_ipv6_extension_headers_are_walked),
		cmocka_unit_test(test_ipv6_routing_header_with_segments_left_is_not_for_us_yet),
		cmocka_unit_test(test_ipv6_payload_ending_early_is_malformed_at_every_length),
		cmocka_unit_test(test_ipv4_datagram_ending_early_is_malformed_at_every_length),
		cmocka_unit_test(test_fifth_ipv6_extension_header_is_not_supported),
		cmocka_unit_test(test_ipv6_fragment_header_is_not_supported),
		cmocka_unit_test(test_ipv6_ah_and_esp_are_not_supported),
		cmocka_unit_test(test_ipv6_extension_header_past_the_payload_is_malformed),
	};

	return cmocka_run_group_tests_name("stack_headers", tests, NULL, NULL);
}
