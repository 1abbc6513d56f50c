// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/stack.h"

#include "../tools/tool.h"

/* The reference: RFC 1071's definition as the test tools compute it, which
 * shares nothing with datapath/csum.c. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	return tool_csum16(p, len, 0);
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
	static uint8_t buf[1600 + 8];

	(void)state;
	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rand();
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += len < 300 ? 1 : 13)
			assert_int_equal(csum_fold(csum_partial(buf + off, len, 0)),
					 ref_csum(buf + off, len));
}

static void test_fast_sum_matches_reference_on_random_buffers(void **state)
{
	static uint8_t buf[9000];

	(void)state;
	srand(2);
	for (int round = 0; round < 2000; round++) {
		size_t off = rand() % 64, len = rand() % (sizeof(buf) - off);
		/* Exact-size copy: ASan catches any read past the end. */
		uint8_t *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		for (size_t i = 0; i < len; i++)
			buf[off + i] = rand();
		memcpy(copy, buf + off, len);
		assert_int_equal(csum_fold(csum_partial(copy, len, 0)), ref_csum(copy, len));
		assert_int_equal(csum_fold(csum_partial(buf + off, len, 0)), ref_csum(copy, len));
		free(copy);
	}
}

static void test_all_ones_data_keeps_every_carry(void **state)
{
	static uint8_t buf[65536];

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	for (size_t len = 0; len <= 64; len++)
		assert_int_equal(csum_fold(csum_partial(buf, len, 0)), ref_csum(buf, len));
	assert_int_equal(csum_fold(csum_partial(buf, sizeof(buf), 0)), ref_csum(buf, sizeof(buf)));
	assert_int_equal(csum_fold(csum_partial(buf, sizeof(buf) - 1, 0)),
			 ref_csum(buf, sizeof(buf) - 1));
	assert_int_equal(csum_fold(csum_partial(buf, 7, 0xffffffff)), ref_csum(buf, 7));
}

static void test_sums_chain_across_even_splits(void **state)
{
	uint8_t buf[512];

	(void)state;
	srand(3);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rand();
	for (size_t cut = 0; cut <= sizeof(buf); cut += 2) {
		uint32_t sum = csum_partial(buf, cut, 0);

		sum = csum_partial(buf + cut, sizeof(buf) - cut, sum);
		assert_int_equal(csum_fold(sum), ref_csum(buf, sizeof(buf)));
	}
}

static void test_seed_sum_is_added_in_network_order(void **state)
{
	static const uint8_t b[] = { 0x12, 0x34 };

	(void)state;
	/* 0x1234 + 0x0001 = 0x1235 */
	assert_int_equal(csum_fold(csum_partial(b, 2, 1)), (uint16_t)~0x1235);
	/* A large seed folds with its carries: 0xffff0000 + 0x1234 == 0x1234 + 0xffff. */
	assert_int_equal(csum_fold(csum_partial(b, 2, 0xffff0000)), (uint16_t)~0x1234);
}

static void test_fold_complements_and_folds_carries(void **state)
{
	(void)state;
	assert_int_equal(csum_fold(0), 0xffff);
	assert_int_equal(csum_fold(0xffff), 0);
	assert_int_equal(csum_fold(0x1fffe), 0);
	assert_int_equal(csum_fold(0xffffffff), 0);
	assert_int_equal(csum_fold(0x00010000), 0xfffe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example_sums_to_ddf2),
		cmocka_unit_test(test_known_ipv4_header_checksum_is_b861),
		cmocka_unit_test(test_odd_lengths_pad_the_last_byte),
		cmocka_unit_test(test_fast_sum_matches_reference_at_every_length_and_offset),
		cmocka_unit_test(test_fast_sum_matches_reference_on_random_buffers),
		cmocka_unit_test(test_all_ones_data_keeps_every_carry),
		cmocka_unit_test(test_sums_chain_across_even_splits),
		cmocka_unit_test(test_seed_sum_is_added_in_network_order),
		cmocka_unit_test(test_fold_complements_and_folds_carries),
	};

	return cmocka_run_group_tests_name("csum", tests, NULL, NULL);
}
