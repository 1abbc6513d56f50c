// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
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

#include "rtd/config.h"

static struct rtd_config c;
static char err[512], path[64];

static int parse(int argc, char **argv)
{
	config_defaults(&c);
	return config_parse_args(&c, argc, argv, err, sizeof(err));
}

static void write_conf(const char *text)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/rtd-conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_defaults_and_derived_socket(void **state)
{
	char *argv[] = { "rtd", "--iface", "eth0", "--rt-ports", "5004-5005", NULL };

	(void)state;
	assert_int_equal(parse(5, argv), 0);
	assert_string_equal(c.iface, "eth0");
	assert_int_equal(portset_count(&c.ports), 2);
	assert_int_equal(c.cpu, -1);
	assert_int_equal(c.rt_prio, 50);
	assert_string_equal(c.app, "echo");
	assert_int_equal(c.xdp_mode, RTD_XDP_AUTO);
	assert_int_equal(c.frames, 4096);
	assert_string_equal(c.ctl_socket, "/run/rtd/eth0.sock");
}

static void test_bad_option_values_name_option_and_value(void **state)
{
	char *a1[] = { "rtd", "--iface", "eth0", "--rt-ports", "70000", NULL };
	char *a2[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", "--xdp-mode", "fast", NULL };
	char *a3[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", "--frames", "1000", NULL };
	char *a4[] = { "rtd", "--rt-ports", "1", NULL };
	char *a5[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", "--rt-prio", "100", NULL };

	(void)state;
	assert_int_equal(parse(5, a1), -EINVAL);
	assert_string_equal(err, "--rt-ports: '70000' is not a port (1-65535)");
	assert_int_equal(parse(7, a2), -EINVAL);
	assert_string_equal(err, "--xdp-mode: 'fast' is not one of auto, native, skb");
	assert_int_equal(parse(7, a3), -EINVAL);
	assert_string_equal(err, "--frames: '1000' is not a power of two in 512-65536");
	assert_int_equal(parse(3, a4), -EINVAL);
	assert_string_equal(err, "missing --iface (see --help)");
	assert_int_equal(parse(7, a5), -EINVAL);
	assert_string_equal(err, "--rt-prio: '100' is not a priority (0-99)");
}

static void test_config_file_is_read_and_the_command_line_wins(void **state)
{
	char *argv[] = { "rtd", "--iface", "eth1", "--config", path, "--cpu", "3", NULL };

	(void)state;
	write_conf("# rtd\n  rt-ports = 6000-6001 \n\ncpu=1\nxdp-mode = skb # comment\n");
	assert_int_equal(parse(7, argv), 0);
	assert_int_equal(portset_count(&c.ports), 2);
	assert_int_equal(c.cpu, 3);
	assert_int_equal(c.xdp_mode, RTD_XDP_SKB);
	assert_string_equal(c.ctl_socket, "/run/rtd/eth1.sock");
	unlink(path);
}

static void test_bad_config_lines_name_file_and_line(void **state)
{
	char *argv[] = { "rtd", "--iface", "eth1", "--config", path, NULL };
	char want[256];

	(void)state;
	write_conf("rt-ports = 5004\n# fine\nrt-prots = 5005\n");
	assert_int_equal(parse(5, argv), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: unknown key 'rt-prots'", path);
	assert_string_equal(err, want);
	unlink(path);

	write_conf("rt-ports = 5004\ncpu = two\n");
	assert_int_equal(parse(5, argv), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: cpu: 'two' is not a CPU number", path);
	assert_string_equal(err, want);
	unlink(path);

	write_conf("just words\n");
	assert_int_equal(parse(5, argv), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: expected 'key = value', got 'just words'", path);
	assert_string_equal(err, want);
	unlink(path);

	assert_int_equal(parse(5, argv), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_derived_socket),
		cmocka_unit_test(test_bad_option_values_name_option_and_value),
		cmocka_unit_test(test_config_file_is_read_and_the_command_line_wins),
		cmocka_unit_test(test_bad_config_lines_name_file_and_line),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
