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

#include "config.h"
#include "steer.h"

static struct rtd_config c;
static char err[512], path[64], want[512];

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static int parse(int argc, char **argv)
{
	config_defaults(&c);
	err[0] = 0;
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

static void test_defaults(void **state)
{
	(void)state;
	config_defaults(&c);
	assert_string_equal(c.iface, "");
	assert_int_equal(portset_count(&c.ports), 0);
	assert_int_equal(c.cpu, -1);
	assert_int_equal(c.rt_prio, 50);
	assert_string_equal(c.app, "echo");
	assert_int_equal(c.xdp_mode, RTD_XDP_AUTO);
	assert_string_equal(c.state_dir, "/run/rtd");
	assert_int_equal(c.frames, 4096);
	assert_int_equal(c.gate.qdisc, 0); /* auto */
	assert_string_equal(c.ctl_socket, "");
	assert_false(c.help);
	assert_false(c.version);
}

static void test_minimal_command_line_derives_the_control_socket(void **state)
{
	char *argv[] = { "rtd", "--iface", "eth0", "--rt-ports", "5004-5005", NULL };

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 0);
	assert_string_equal(c.iface, "eth0");
	assert_int_not_equal(portset_count(&c.ports), 0);
	assert_int_equal(portset_count(&c.ports), 2);
	assert_int_equal(c.cpu, -1);
	assert_int_equal(c.rt_prio, 50);
	assert_string_equal(c.app, "echo");
	assert_int_equal(c.frames, 4096);
	assert_string_equal(c.ctl_socket, "/run/rtd/eth0.sock");
}

static void test_every_option_is_applied(void **state)
{
	char *argv[] = { "rtd",		 "--iface",    "enp1s0f1",     "--rt-ports",
			 "6000",	 "--cpu",      "4095",	       "--rt-prio",
			 "0",		 "--app",      "a-long-name-15", "--xdp-mode",
			 "native",	 "--ctl-socket", "/tmp/x.sock",  "--state-dir",
			 "/var/lib/rtd", "--frames",   "65536",	       NULL };

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 0);
	assert_string_equal(c.iface, "enp1s0f1");
	assert_true(portset_has(&c.ports, 6000));
	assert_int_equal(c.cpu, 4095);
	assert_int_equal(c.rt_prio, 0);
	assert_string_equal(c.app, "a-long-name-15");
	assert_int_equal(c.xdp_mode, RTD_XDP_NATIVE);
	assert_string_equal(c.ctl_socket, "/tmp/x.sock");
	assert_string_equal(c.state_dir, "/var/lib/rtd");
	assert_int_equal(c.frames, 65536);
}

static void test_short_options_and_equals_forms_work(void **state)
{
	char *argv[] = { "rtd", "-i", "eth0", "-p5004", "--xdp-mode=skb", "-c", "1",
			 "--gate-qdisc=bpf", NULL };

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), 0);
	assert_string_equal(c.iface, "eth0");
	assert_true(portset_has(&c.ports, 5004));
	assert_int_equal(c.xdp_mode, RTD_XDP_SKB);
	assert_int_equal(c.cpu, 1);
	assert_int_equal(c.gate.qdisc, 2);
}

static void expect_arg_error(const char *opt, const char *val, const char *msg)
{
	char *argv[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", (char *)opt, (char *)val,
			 NULL };

	assert_int_equal(parse(ARGC(argv), argv), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_bad_option_values_name_option_and_value(void **state)
{
	(void)state;
	expect_arg_error("--rt-ports", "70000", "--rt-ports: '70000' is not a port (1-65535)");
	expect_arg_error("--xdp-mode", "fast", "--xdp-mode: 'fast' is not one of auto, native, skb");
	expect_arg_error("--gate-qdisc", "htb", "--gate-qdisc: 'htb' is not one of auto, tbf, bpf");
	expect_arg_error("--frames", "1000", "--frames: '1000' is not a power of two in 512-65536");
	expect_arg_error("--frames", "256", "--frames: '256' is not a power of two in 512-65536");
	expect_arg_error("--frames", "131072",
			 "--frames: '131072' is not a power of two in 512-65536");
	expect_arg_error("--rt-prio", "100", "--rt-prio: '100' is not a priority (0-99)");
	expect_arg_error("--rt-prio", "-1", "--rt-prio: '-1' is not a priority (0-99)");
	expect_arg_error("--cpu", "4096", "--cpu: '4096' is not a CPU number (0-4095)");
	expect_arg_error("--cpu", "-1", "--cpu: '-1' is not a CPU number (0-4095)");
	expect_arg_error("--cpu", "1x", "--cpu: '1x' is not a CPU number (0-4095)");
	expect_arg_error("--cpu", "", "--cpu: '' is not a CPU number (0-4095)");
	expect_arg_error("--app", "sixteen-chars-xx",
			 "--app: 'sixteen-chars-xx' is not a valid application name (1-15 characters)");
}

static int parse_with(const char *opt, const char *val)
{
	char *argv[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", (char *)opt, (char *)val,
			 NULL };

	return parse(ARGC(argv), argv);
}

static void test_socket_path_must_fit_sun_path(void **state)
{
	char sock[109];

	(void)state;
	memset(sock, 'a', sizeof(sock));
	sock[0] = '/';
	sock[107] = 0; /* 107 characters and the terminator: sun_path's 108 */
	assert_int_equal(parse_with("--ctl-socket", sock), 0);
	assert_string_equal(c.ctl_socket, sock);
	sock[107] = 'a';
	sock[108] = 0;
	assert_int_equal(parse_with("--ctl-socket", sock), -EINVAL);
	snprintf(want, sizeof(want),
		 "--ctl-socket: '%s' is not a valid socket path (1-107 characters)", sock);
	assert_string_equal(err, want);
}

static void test_overlong_names_are_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_with("--iface", "sixteen-chars-xx"), -EINVAL);
	assert_string_equal(err,
			    "--iface: 'sixteen-chars-xx' is not a valid interface name (1-15 characters)");
	assert_int_equal(parse_with("--iface", ""), -EINVAL);
}

static void test_missing_iface_and_ports_are_named(void **state)
{
	char *a1[] = { "rtd", "--rt-ports", "1", NULL };
	char *a2[] = { "rtd", "--iface", "eth0", NULL };
	char *a3[] = { "rtd", NULL };

	(void)state;
	assert_int_equal(parse(ARGC(a1), a1), -EINVAL);
	assert_string_equal(err, "missing --iface");
	assert_int_equal(parse(ARGC(a2), a2), -EINVAL);
	assert_string_equal(err, "missing --rt-ports");
	assert_int_equal(parse(ARGC(a3), a3), -EINVAL);
	assert_string_equal(err, "missing --iface");
}

static void test_unknown_options_and_missing_values_are_named(void **state)
{
	char *a1[] = { "rtd", "--iface", "eth0", "--bogus", NULL };
	char *a2[] = { "rtd", "--iface", "eth0", "-z", NULL };
	char *a3[] = { "rtd", "--iface", NULL };
	char *a4[] = { "rtd", "-i", NULL };
	char *a5[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", "stray", NULL };
	char *a6[] = { "rtd", "--iface", "eth0", "--rt-ports", "1", "--help=x", NULL };

	(void)state;
	assert_int_equal(parse(ARGC(a1), a1), -EINVAL);
	assert_string_equal(err, "'--bogus' is not an option (see --help)");
	assert_int_equal(parse(ARGC(a2), a2), -EINVAL);
	assert_string_equal(err, "'-z' is not an option (see --help)");
	assert_int_equal(parse(ARGC(a3), a3), -EINVAL);
	assert_string_equal(err, "--iface: missing value");
	assert_int_equal(parse(ARGC(a4), a4), -EINVAL);
	assert_string_equal(err, "-i: missing value");
	assert_int_equal(parse(ARGC(a5), a5), -EINVAL);
	assert_string_equal(err, "'stray': unexpected argument (see --help)");
	assert_int_equal(parse(ARGC(a6), a6), -EINVAL);
	assert_string_equal(err, "'--help=x' is not an option (see --help)");
}

static void test_help_and_version_need_nothing_else(void **state)
{
	char *a1[] = { "rtd", "--help", NULL };
	char *a2[] = { "rtd", "-V", NULL };
	char *a3[] = { "rtd", "-hV", NULL };

	(void)state;
	assert_int_equal(parse(ARGC(a1), a1), 0);
	assert_true(c.help);
	assert_int_equal(parse(ARGC(a2), a2), 0);
	assert_true(c.version);
	/* Left half-read on purpose: the next parse must start afresh. */
	assert_int_equal(parse(ARGC(a3), a3), 0);
	assert_true(c.help);
	assert_int_equal(parse(ARGC(a2), a2), 0);
	assert_true(c.version);
	assert_false(c.help);
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		config_usage(f);
		fclose(f);
		assert_non_null(strstr(text, "--rt-ports"));
		assert_non_null(strstr(text, "--xdp-mode"));
		assert_non_null(strstr(text, "--log-level"));
		free(text);
	}
}

static void test_config_file_is_read_and_the_command_line_wins(void **state)
{
	char *argv[] = { "rtd", "--iface", "eth1", "--cpu", "3", "--config", path, NULL };

	(void)state;
	write_conf("# rtd\n  rt-ports = 6000-6001 \n\n\tcpu=1\nxdp-mode = skb # comment\n"
		   "app = relay\nframes=8192");
	assert_int_equal(parse(ARGC(argv), argv), 0);
	unlink(path);
	assert_int_equal(portset_count(&c.ports), 2);
	assert_int_equal(c.cpu, 3); /* the command line, though --config came after */
	assert_int_equal(c.xdp_mode, RTD_XDP_SKB);
	assert_string_equal(c.app, "relay");
	assert_int_equal(c.frames, 8192); /* last line, no newline */
	assert_string_equal(c.ctl_socket, "/run/rtd/eth1.sock");
}

static void test_config_file_can_name_the_socket_and_interface(void **state)
{
	char *argv[] = { "rtd", "-f", path, NULL };

	(void)state;
	write_conf("iface = eth2\nrt-ports = 5004\nctl-socket = /tmp/rtd.sock\n");
	assert_int_equal(parse(ARGC(argv), argv), 0);
	unlink(path);
	assert_string_equal(c.iface, "eth2");
	assert_string_equal(c.ctl_socket, "/tmp/rtd.sock");
}

static void expect_file_error(const char *text, const char *fmt)
{
	char *argv[] = { "rtd", "--iface", "eth1", "--config", path, NULL };

	write_conf(text);
	assert_int_equal(parse(ARGC(argv), argv), -EINVAL);
	unlink(path);
	snprintf(want, sizeof(want), fmt, path);
	assert_string_equal(err, want);
}

static void test_bad_config_lines_name_file_and_line(void **state)
{
	(void)state;
	expect_file_error("rt-ports = 5004\n# fine\nrt-prots = 5005\n",
			  "%s:3: unknown key 'rt-prots'");
	expect_file_error("rt-ports = 5004\ncpu = two\n", "%s:2: cpu: 'two' is not a CPU number (0-4095)");
	expect_file_error("rt-ports = 70000\n", "%s:1: rt-ports: '70000' is not a port (1-65535)");
	expect_file_error("\n\njust words\n", "%s:3: expected 'key = value', got 'just words'");
	expect_file_error("xdp-mode = fast\n", "%s:1: xdp-mode: 'fast' is not one of auto, native, skb");
	expect_file_error("config = /etc/other.conf\n",
			  "%s:1: 'config' cannot be set in a config file");
	expect_file_error("help = 1\n", "%s:1: unknown key 'help'");
}

static void test_missing_config_file_is_named(void **state)
{
	char *argv[] = { "rtd", "--iface", "eth1", "--config", "/nonexistent/rtd.conf", NULL };

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv), -ENOENT);
	assert_string_equal(err, "/nonexistent/rtd.conf: No such file or directory");
}

static void test_config_set_is_shared_by_file_and_command_line(void **state)
{
	char why[128];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "rt-prio", "99", why, sizeof(why)), 0);
	assert_int_equal(c.rt_prio, 99);
	assert_int_equal(config_set(&c, "rt-prio", "x", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'x' is not a priority (0-99)");
	assert_int_equal(config_set(&c, "nope", "1", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "unknown key 'nope'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_minimal_command_line_derives_the_control_socket),
		cmocka_unit_test(test_every_option_is_applied),
		cmocka_unit_test(test_short_options_and_equals_forms_work),
		cmocka_unit_test(test_bad_option_values_name_option_and_value),
		cmocka_unit_test(test_socket_path_must_fit_sun_path),
		cmocka_unit_test(test_overlong_names_are_refused),
		cmocka_unit_test(test_missing_iface_and_ports_are_named),
		cmocka_unit_test(test_unknown_options_and_missing_values_are_named),
		cmocka_unit_test(test_help_and_version_need_nothing_else),
		cmocka_unit_test(test_config_file_is_read_and_the_command_line_wins),
		cmocka_unit_test(test_config_file_can_name_the_socket_and_interface),
		cmocka_unit_test(test_bad_config_lines_name_file_and_line),
		cmocka_unit_test(test_missing_config_file_is_named),
		cmocka_unit_test(test_config_set_is_shared_by_file_and_command_line),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
