// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtd/portset.h"

static struct portset s;
static char err[128], buf[1024];

static void test_spec_round_trips_to_its_shortest_form(void **state)
{
	(void)state;
	assert_int_equal(portset_parse("6000, 5004-5099 ,5100,1", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_count(&s), 99);
	assert_true(portset_has(&s, 5004) && portset_has(&s, 5100) && portset_has(&s, 1));
	assert_false(portset_has(&s, 5003) || portset_has(&s, 5101));
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "1,5004-5100,6000");
	assert_int_equal(portset_parse("65535", &s, err, sizeof(err)), 0);
	portset_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "65535");
}

static void expect_error(const char *spec, const char *msg)
{
	assert_int_equal(portset_parse(spec, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_bad_specs_name_the_culprit(void **state)
{
	(void)state;
	expect_error("70000", "'70000' is not a port (1-65535)");
	expect_error("0", "'0' is not a port (1-65535)");
	expect_error("5004,abc", "'abc' is not a port (1-65535)");
	expect_error("5099-5004", "'5099-5004' is not an ascending range");
	expect_error("5004-", "'5004-' is not a port range (1-65535)");
	expect_error("5004,,5005", "'5004,,5005' has an empty item");
	expect_error("", "'' has an empty item");
	expect_error("-5", "'-5' is not a port range (1-65535)");
}

static void test_next_walks_the_set_in_order(void **state)
{
	(void)state;
	assert_int_equal(portset_parse("3,64,65535", &s, err, sizeof(err)), 0);
	assert_int_equal(portset_next(&s, 0), 3);
	assert_int_equal(portset_next(&s, 4), 64);
	assert_int_equal(portset_next(&s, 65), 65535);
	portset_del(&s, 65535);
	assert_int_equal(portset_next(&s, 65), -1);
}

static void test_format_reports_the_length_it_needs_when_truncated(void **state)
{
	char small[8];
	size_t need;

	(void)state;
	assert_int_equal(portset_parse("1000,2000,3000", &s, err, sizeof(err)), 0);
	need = portset_format(&s, small, sizeof(small));
	assert_int_equal(need, strlen("1000,2000,3000"));
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(portset_format(&s, NULL, 0), need);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_round_trips_to_its_shortest_form),
		cmocka_unit_test(test_bad_specs_name_the_culprit),
		cmocka_unit_test(test_next_walks_the_set_in_order),
		cmocka_unit_test(test_format_reports_the_length_it_needs_when_truncated),
	};

	return cmocka_run_group_tests_name("portset", tests, NULL, NULL);
}
