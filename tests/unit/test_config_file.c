// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * config_load on bytes no editor meant to write: what tests/fuzz/fuzz_config
 * found, and the line length bound around it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static struct rtd_config c;
static char err[512], path[64], want[512];

/* The file holds exactly n bytes of text, NULs and all. */
static int load(const char *text, size_t n)
{
	int fd, ret;

	snprintf(path, sizeof(path), "/tmp/rtd-conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	config_defaults(&c);
	err[0] = 0;
	ret = config_load(&c, path, err, sizeof(err));
	unlink(path);
	return ret;
}

/* A line of n bytes: "# " and x's, then end (a LF, or nothing). */
static char *comment_line(size_t n, const char *end)
{
	char *s = malloc(n + strlen(end) + 1);

	assert_non_null(s);
	memset(s, 'x', n);
	memcpy(s, "# ", 2);
	strcpy(s + n, end);
	return s;
}

static void test_a_nul_byte_in_a_short_line_is_named_not_called_too_long(void **state)
{
	static const char text[] = "iface = eth0\nrt-ports = 5\0x\ncpu = 1\n";

	(void)state;
	assert_int_equal(load(text, sizeof(text) - 1), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: a NUL byte in the line", path);
	assert_string_equal(err, want);
	/* Nothing of the line was applied: not even the part before the NUL. */
	assert_int_equal(portset_count(&c.ports), 0);
}

static void test_a_line_of_1022_bytes_loads_and_of_1023_is_too_long(void **state)
{
	char *ok = comment_line(1022, "\niface = eth0\n"), *last = comment_line(1022, "");
	char *bad = comment_line(1023, "\n"), *bad_last = comment_line(1023, "");

	(void)state;
	assert_int_equal(load(ok, strlen(ok)), 0);
	assert_string_equal(c.iface, "eth0");
	/* The last line, without its LF, is held to the same bound. */
	assert_int_equal(load(last, strlen(last)), 0);
	assert_int_equal(load(bad, strlen(bad)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: line too long", path);
	assert_string_equal(err, want);
	assert_int_equal(load(bad_last, strlen(bad_last)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: line too long", path);
	assert_string_equal(err, want);
	free(ok);
	free(last);
	free(bad);
	free(bad_last);
}

static void test_a_line_ending_in_crlf_loads_as_its_key_and_value(void **state)
{
	static const char text[] = "iface = eth0\r\nrt-ports = 5004\r\n";

	(void)state;
	assert_int_equal(load(text, sizeof(text) - 1), 0);
	assert_string_equal(c.iface, "eth0");
	assert_int_equal(portset_count(&c.ports), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_nul_byte_in_a_short_line_is_named_not_called_too_long),
		cmocka_unit_test(test_a_line_of_1022_bytes_loads_and_of_1023_is_too_long),
		cmocka_unit_test(test_a_line_ending_in_crlf_loads_as_its_key_and_value),
	};

	return cmocka_run_group_tests_name("config_file", tests, NULL, NULL);
}
