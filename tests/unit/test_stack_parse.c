// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stack_parse() on whole frames: what a well-formed datagram yields, and
 * truncation, bad checksums, bad UDP lengths and random damage refused.
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
	(void)state;
	assert_int_equal(parse_with16(tagged_frame, 12, 0x88a8), 0);
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
	(void)state;
	/* TTL, checksum left alone */
	assert_int_equal(parse_with8(v4_frame, 22, 63), -EILSEQ);
	/* the checksum itself */
	assert_int_equal(parse_flipped(v4_frame, 25, 0x01), -EILSEQ);
}

static void test_corrupted_udp_checksum_is_detected(void **state)
{
	(void)state;
	assert_int_equal(parse_flipped(v4_frame, 46, 1), -EILSEQ); /* last payload byte */
	assert_int_equal(parse_flipped(v6_frame, 62, 0x80), -EILSEQ);
	/* a source address byte: covered by the pseudo-header */
	assert_int_equal(parse_flipped(v6_frame, 39, 0x01), -EILSEQ);
	assert_int_equal(parse_flipped(tagged_frame, 58, 0x10), -EILSEQ); /* the odd last byte */
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
	(void)state;
	assert_int_equal(parse_with16(v6_frame, 60, 0), -EILSEQ);
}

static void test_udp_length_beyond_ip_payload_is_malformed(void **state)
{
	(void)state;
	/* IP payload is 13; padding follows, but is not ours */
	assert_int_equal(parse_with16(v4_frame, 38, 14), -EBADMSG);
	assert_int_equal(parse_with16(v6_frame, 58, 14), -EBADMSG);
}

static void test_udp_length_below_its_header_is_malformed(void **state)
{
	(void)state;
	assert_int_equal(parse_with16(v4_frame, 38, 7), -EBADMSG);
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
		cmocka_unit_test(test_random_frames_never_crash),
	};

	return cmocka_run_group_tests_name("stack_parse", tests, NULL, NULL);
}
