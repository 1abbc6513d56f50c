// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rtd/portset.h>

static struct portset s;
static char err[128], buf[1024];

static void test_spec_round_trips_to_its_shortest_form(void **state)
{
	(void)state;
	assert_int_equal(portset_parse("6000, 5004-5099 ,5100,1", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 99);
	assert_true(portset_has(&s, 5004) && portset_has(&s, 5100) && portset_has(&s, 1));
	assert_false(portset_has(&s, 5003) || portset_has(&s, 5101));
	assert_int_equal(portset_format(&s, buf, sizeof(buf)), strlen("1,5004-5100,6000"));
	assert_string_equal(buf, "1,5004-5100,6000");
	assert_int_equal(portset_parse(buf, &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 99);
}

static void test_whitespace_around_items_and_dashes_is_allowed(void **state)
{
	(void)state;
	assert_int_equal(portset_parse(" \t5004 - 5006 ,\n6000 ", &s, err, sizeof(err)), 0);
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "5004-5006,6000");
}

static void test_extremes_and_overlaps(void **state)
{
	(void)state;
	assert_int_equal(portset_parse("65535,1", &s, err, sizeof(err)), 0);
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "1,65535");
	assert_int_equal(portset_parse("1-65535", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 65535);
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "1-65535");
	assert_int_equal(portset_parse("10-20,15-25,7,7", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 17);
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "7,10-25");
	assert_int_equal(portset_parse("9-9", &s, err, sizeof(err)), 0);
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "9");
}

static void test_every_other_port_formats_as_single_ports(void **state)
{
	static char big[65536 * 6];
	size_t need;

	(void)state;
	portset_clear(&s);
	for (unsigned p = 1; p <= 65535; p += 2)
		portset_add(&s, p);
	need = portset_format(&s, big, sizeof(big));
	assert_int_equal(need, strlen(big));
	assert_int_equal(portset_parse(big, &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 32768);
	assert_true(portset_has(&s, 65535) && !portset_has(&s, 65534));
}

static void expect_error(const char *spec, const char *msg)
{
	assert_int_equal(portset_parse(spec, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_int_equal(portset_count(&s), 0);
}

static void test_port_out_of_range_is_named(void **state)
{
	(void)state;
	expect_error("70000", "'70000' is not a port (1-65535)");
	expect_error("65536", "'65536' is not a port (1-65535)");
	expect_error("0", "'0' is not a port (1-65535)");
	expect_error("5004, 0 ,5005", "'0' is not a port (1-65535)");
	expect_error("000080", "'000080' is not a port (1-65535)");
	expect_error("99999999999999999999", "'99999999999999999999' is not a port (1-65535)");
}

static void test_non_numbers_are_named(void **state)
{
	(void)state;
	expect_error("5004,abc", "'abc' is not a port (1-65535)");
	expect_error("+80", "'+80' is not a port (1-65535)");
	expect_error("80 81", "'80 81' is not a port (1-65535)");
	expect_error("0x50", "'0x50' is not a port (1-65535)");
}

static void test_bad_ranges_are_named(void **state)
{
	(void)state;
	expect_error("5099-5004", "'5099-5004' is not an ascending range");
	expect_error("5004-70000", "'70000' is not a port (1-65535)");
	expect_error("0-10", "'0' is not a port (1-65535)");
	expect_error("5004-", "'5004-' is not a port range");
	expect_error("-5", "'-5' is not a port range");
	expect_error("1-2-3", "'2-3' is not a port (1-65535)");
}

/* fuzz_portset: the reason is one line whatever the item holds, so a
 * culprit's control and non-ASCII bytes are written as \xNN. */
static void test_a_culprit_with_a_newline_still_makes_a_one_line_reason(void **state)
{
	(void)state;
	expect_error("5004,50\n05", "'50\\x0a05' is not a port (1-65535)");
	expect_error("5004-50\r05", "'50\\x0d05' is not a port (1-65535)");
	expect_error("9\x1b[2J-1", "'9\\x1b[2J' is not a port (1-65535)");
	expect_error("\x01-", "'\\x01-' is not a port range");
	expect_error("6000-50\xff", "'50\\xff' is not a port (1-65535)");
	expect_error("6000-5\t004", "'5\\x09004' is not a port (1-65535)");
}

static void test_empty_items_and_specs_are_errors(void **state)
{
	(void)state;
	expect_error("", "'' is an empty item");
	expect_error("  ", "'' is an empty item");
	expect_error("5004,,5005", "'' is an empty item");
	expect_error("5004,", "'' is an empty item");
	expect_error(",5004", "'' is an empty item");
}

static void test_error_leaves_the_set_empty(void **state)
{
	(void)state;
	assert_int_equal(portset_parse("1-100", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_parse("1-50,abc", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(portset_count(&s), 0);
}

static void test_count_counts_across_words(void **state)
{
	(void)state;
	portset_clear(&s);
	assert_int_equal(portset_count(&s), 0);
	assert_int_equal(portset_parse("60-70,127-129,65535", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 11 + 3 + 1);
	portset_del(&s, 64);
	assert_int_equal(portset_count(&s), 14);
}

static void test_next_walks_the_set_in_order(void **state)
{
	(void)state;
	assert_int_equal(portset_parse("3,64,65535", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_next(&s, 0), 3);
	assert_int_equal(portset_next(&s, 3), 3);
	assert_int_equal(portset_next(&s, 4), 64);
	assert_int_equal(portset_next(&s, 64), 64);
	assert_int_equal(portset_next(&s, 65), 65535);
	assert_int_equal(portset_next(&s, 65535), 65535);
	assert_int_equal(portset_next(&s, 65536), -1);
	assert_int_equal(portset_next(&s, 1u << 31), -1);
	portset_del(&s, 65535);
	assert_int_equal(portset_next(&s, 65), -1);
	portset_clear(&s);
	assert_int_equal(portset_next(&s, 0), -1);
}

static void test_empty_set_formats_as_empty_string(void **state)
{
	(void)state;
	portset_clear(&s);
	strcpy(buf, "junk");
	assert_int_equal(portset_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_format_truncates_like_snprintf(void **state)
{
	char small[8];
	size_t need;

	(void)state;
	assert_int_equal(portset_parse("1000,2000,3000", &s, err, sizeof(err)), 0);
	need = portset_format(&s, small, sizeof(small));
	assert_int_equal(need, strlen("1000,2000,3000"));
	assert_string_equal(small, "1000,20");
	assert_int_equal(portset_format(&s, NULL, 0), need);
	assert_int_equal(portset_format(&s, small, 1), need);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_round_trips_to_its_shortest_form),
		cmocka_unit_test(test_whitespace_around_items_and_dashes_is_allowed),
		cmocka_unit_test(test_extremes_and_overlaps),
		cmocka_unit_test(test_every_other_port_formats_as_single_ports),
		cmocka_unit_test(test_port_out_of_range_is_named),
		cmocka_unit_test(test_non_numbers_are_named),
		cmocka_unit_test(test_bad_ranges_are_named),
		cmocka_unit_test(test_a_culprit_with_a_newline_still_makes_a_one_line_reason),
		cmocka_unit_test(test_empty_items_and_specs_are_errors),
		cmocka_unit_test(test_error_leaves_the_set_empty),
		cmocka_unit_test(test_count_counts_across_words),
		cmocka_unit_test(test_next_walks_the_set_in_order),
		cmocka_unit_test(test_empty_set_formats_as_empty_string),
		cmocka_unit_test(test_format_truncates_like_snprintf),
	};

	return cmocka_run_group_tests_name("portset", tests, NULL, NULL);
}
