// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* stack_build(): the headers it writes, its limits, and frames that parse back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stack_frames.h"

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

/*
 * With a zero payload word the checksum is c0 = ~S; putting c0 in that word
 * makes the sum 0xffff, whose complement 0 must go out as 0xffff.  Builds
 * that frame from s to d into f; the UDP checksum it sent, found at off.
 */
static uint16_t checksum_of_zero_sum(uint8_t *f, const char *s, const char *d, size_t off)
{
	uint8_t word[2] = { 0, 0 };

	build(f, s, d, 0, word, 2, 1);
	wr16(word, rd16(f + off));
	build(f, s, d, 0, word, 2, 1);
	return rd16(f + off);
}

static void test_computed_udp_checksum_of_zero_is_sent_as_ffff(void **state)
{
	uint8_t f[128] = { 0 };

	(void)state;
	assert_int_equal(checksum_of_zero_sum(f, "198.18.0.1", "198.18.0.2", 40), 0xffff);
	assert_int_equal(parse_exact(f, 44), 0);
	assert_int_equal(checksum_of_zero_sum(f, "2001:2::1", "2001:2::2", 60), 0xffff);
	assert_int_equal(parse_exact(f, 64), 0);
}

/* max payload bytes on flow build into f (hlen of headers) and parse back;
 * one byte more is refused. */
static void largest_builds_and_one_byte_more_does_not(uint8_t *f, const struct rtd_flow *flow,
						      size_t max, int hlen)
{
	struct stack_l2 l2 = { .vlan_tci = 0 };
	int len = stack_build(f, &l2, flow, max, 1);

	assert_int_equal(len, hlen + (int)max);
	assert_int_equal(stack_parse(f, len, &rx), 0);
	assert_int_equal(rx.payload_len, max);
	assert_int_equal(stack_build(f, &l2, flow, max + 1, 1), -EMSGSIZE);
}

static void test_largest_datagrams_build_and_one_byte_more_is_refused(void **state)
{
	size_t max4 = 65535 - 20 - 8, max6 = 65535 - 8;
	uint8_t *f = calloc(1, 66 + max6 + 1);
	struct rtd_flow flow4 = { .src = ep("198.18.0.1", 1), .dst = ep("198.18.0.2", 2) };
	struct rtd_flow flow6 = { .src = ep("2001:2::1", 1), .dst = ep("2001:2::2", 2) };

	(void)state;
	assert_non_null(f);
	largest_builds_and_one_byte_more_does_not(f, &flow4, max4, 42);
	largest_builds_and_one_byte_more_does_not(f, &flow6, max6, 62);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_built_datagrams_parse_back_v4_v6_and_tagged),
		cmocka_unit_test(test_built_ipv4_header_has_df_ttl_ident_and_checksums),
		cmocka_unit_test(test_built_ipv6_header_has_hop_limit_64),
		cmocka_unit_test(test_built_tag_is_8021q),
		cmocka_unit_test(test_computed_udp_checksum_of_zero_is_sent_as_ffff),
		cmocka_unit_test(test_largest_datagrams_build_and_one_byte_more_is_refused),
		cmocka_unit_test(test_unknown_family_is_refused),
		cmocka_unit_test(test_header_lengths_per_family_and_tag),
	};

	return cmocka_run_group_tests_name("stack_build", tests, NULL, NULL);
}
