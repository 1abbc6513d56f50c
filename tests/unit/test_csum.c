// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rtd/stack.h"

/* RFC 1071's definition, one 16-bit word at a time: the reference. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_rfc1071_example_sums_to_ddf2(void **state)
{
	/* RFC 1071 section 3: these bytes sum to ddf2 (so the checksum is ~ddf2). */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(csum_fold(csum_partial(b, sizeof(b), 0)), (uint16_t)~0xddf2);
}

static void test_known_ipv4_header_checksum_is_b861(void **state)
{
	uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	(void)state;
	assert_int_equal(csum_fold(csum_partial(h, sizeof(h), 0)), 0xb861);
	h[10] = 0xb8;
	h[11] = 0x61;
	assert_int_equal(csum_fold(csum_partial(h, sizeof(h), 0)), 0);
}

static void test_odd_lengths_pad_the_last_byte(void **state)
{
	static const uint8_t b[] = { 0x12, 0x34, 0x56 };

	(void)state;
	/* 0x1234 + 0x5600 = 0x6834 -> ~ = 0x97cb */
	assert_int_equal(csum_fold(csum_partial(b, 3, 0)), 0x97cb);
	assert_int_equal(csum_fold(csum_partial(b, 0, 0)), 0xffff);
}

static void test_fast_sum_matches_reference_at_every_length_and_offset(void **state)
{
	uint8_t buf[1600];

	(void)state;
	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rand();
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += len < 80 ? 1 : 37)
			assert_int_equal(csum_fold(csum_partial(buf + off, len, 0)),
					 ref_csum(buf + off, len));
	/* Carries: all-ones data must not lose end-around carries. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = 0xff;
	assert_int_equal(csum_fold(csum_partial(buf, sizeof(buf), 0)), ref_csum(buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example_sums_to_ddf2),
		cmocka_unit_test(test_known_ipv4_header_checksum_is_b861),
		cmocka_unit_test(test_odd_lengths_pad_the_last_byte),
		cmocka_unit_test(test_fast_sum_matches_reference_at_every_length_and_offset),
	};

	return cmocka_run_group_tests_name("csum", tests, NULL, NULL);
}
