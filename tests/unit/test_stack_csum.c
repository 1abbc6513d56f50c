// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UDP checksums a sender with TX offload left partial: only the folded sum
 * of the pseudo header, as veth, tap and bridge peers hand them over.  The
 * partial value here comes from the tests' own RFC 1071 reference.
 */
#include "../tools/tool.h"
#include "stack_frames.h"

/* The pseudo header's folded sum, as the kernel leaves it for the NIC. */
static uint16_t partial_of(const uint8_t *f, int v6)
{
	uint8_t ph[40] = { 0 };
	size_t n;

	if (v6) {
		memcpy(ph, f + 22, 32);          /* source, destination */
		memcpy(ph + 34, f + 58, 2);      /* UDP length, as a 32-bit field */
		ph[39] = 17;
		n = 40;
	} else {
		memcpy(ph, f + 26, 8);           /* source, destination */
		ph[9] = 17;
		memcpy(ph + 10, f + 38, 2);      /* UDP length */
		n = 12;
	}
	return (uint16_t)~tool_csum16(ph, n, 0);
}

static void with_csum(uint8_t *f, size_t at, uint16_t v)
{
	wr16(f + at, v);
}

static void test_a_partial_checksum_is_taken_only_where_asked_and_said_so(void **state)
{
	uint8_t f4[sizeof(v4_frame)], f6[sizeof(v6_frame)];

	(void)state;
	memcpy(f4, v4_frame, sizeof(f4));
	memcpy(f6, v6_frame, sizeof(f6));
	with_csum(f4, 40, partial_of(f4, 0));
	with_csum(f6, 60, partial_of(f6, 1));
	assert_int_equal(stack_parse(f4, sizeof(f4), &rx), -EILSEQ);
	assert_int_equal(stack_parse(f6, sizeof(f6), &rx), -EILSEQ);
	assert_int_equal(stack_parse_flags(f4, sizeof(f4), STACK_CSUM_PARTIAL_OK, &rx), 0);
	assert_true(rx.csum_partial);
	assert_int_equal(rx.payload_len, 5);
	assert_int_equal(stack_parse_flags(f6, sizeof(f6), STACK_CSUM_PARTIAL_OK, &rx), 0);
	assert_true(rx.csum_partial);
	assert_memory_equal(f6 + rx.payload_off, "hello", 5);
}

static void test_a_complete_checksum_is_not_called_partial(void **state)
{
	(void)state;
	assert_int_equal(stack_parse_flags(v4_frame, sizeof(v4_frame), STACK_CSUM_PARTIAL_OK, &rx), 0);
	assert_false(rx.csum_partial);
	assert_int_equal(stack_parse_flags(v6_frame, sizeof(v6_frame), STACK_CSUM_PARTIAL_OK, &rx), 0);
	assert_false(rx.csum_partial);
}

static void test_a_wrong_checksum_is_refused_even_where_partial_ones_are_taken(void **state)
{
	uint8_t f[sizeof(v4_frame)];

	(void)state;
	memcpy(f, v4_frame, sizeof(f));
	with_csum(f, 40, partial_of(f, 0) ^ 0x0100);
	assert_int_equal(stack_parse_flags(f, sizeof(f), STACK_CSUM_PARTIAL_OK, &rx), -EILSEQ);
	/* The payload changed under a complete checksum: a corrupt frame. */
	memcpy(f, v4_frame, sizeof(f));
	f[44] ^= 0x20;
	assert_int_equal(stack_parse_flags(f, sizeof(f), STACK_CSUM_PARTIAL_OK, &rx), -EILSEQ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_partial_checksum_is_taken_only_where_asked_and_said_so),
		cmocka_unit_test(test_a_complete_checksum_is_not_called_partial),
		cmocka_unit_test(test_a_wrong_checksum_is_refused_even_where_partial_ones_are_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
