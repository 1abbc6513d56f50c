// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --metrics-listen: the address it takes, and the setting off by default. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "lib/hostport.h"

static struct hostport h;
static char err[256], buf[HOSTPORT_STRLEN];

static void test_listen_addresses_parse_in_both_families_and_print_back(void **state)
{
	struct sockaddr_storage ss;
	const struct sockaddr_in *s4 = (const void *)&ss;

	(void)state;
	assert_int_equal(hostport_parse("198.18.0.1:9464", &h, err, sizeof(err)), 0);
	assert_int_equal(h.family, AF_INET);
	assert_int_equal(h.port, 9464);
	assert_string_equal(hostport_str(&h, buf), "198.18.0.1:9464");
	assert_int_equal(hostport_sockaddr(&h, &ss), sizeof(struct sockaddr_in));
	assert_int_equal(s4->sin_port, htons(9464));
	assert_int_equal(s4->sin_addr.s_addr, inet_addr("198.18.0.1"));

	assert_int_equal(hostport_parse("[2001:2::1]:1", &h, err, sizeof(err)), 0);
	assert_int_equal(h.family, AF_INET6);
	assert_string_equal(hostport_str(&h, buf), "[2001:2::1]:1");
	assert_int_equal(hostport_sockaddr(&h, &ss), sizeof(struct sockaddr_in6));
	assert_int_equal(hostport_parse("0.0.0.0:65535", &h, err, sizeof(err)), 0);
	assert_int_equal(h.port, 65535);
}

static void test_bad_listen_addresses_are_refused_naming_what_was_given(void **state)
{
	static const char *const bad[] = {
		"198.18.0.1",	     "198.18.0.1:",	"198.18.0.1:0",	 "198.18.0.1:65536",
		"198.18.0.1:80x",    "198.18.0.1:-1",	":9464",	 "2001:2::1:9464",
		"[2001:2::1]9464",   "[2001:2::1:9464", "[198.18.0.1]:1", "[]:1",
		"example.org:9464", "198.18.0.1: 9464", "",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		h.family = 9;
		assert_int_equal(hostport_parse(bad[i], &h, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "'%s' is not ADDR:PORT or [ADDR6]:PORT", bad[i]);
		assert_string_equal(err, want);
		assert_int_equal(h.family, 0); /* nothing half-set */
	}
}

static void test_metrics_listen_is_off_by_default_and_named_in_its_errors(void **state)
{
	static struct rtd_config c;
	char *ok[] = { "rtd", "-i", "eth0", "-p", "5004", "--metrics-listen", "[::1]:9464", NULL };
	char *typo[] = { "rtd", "-i", "eth0", "-p", "5004", "--metrics-listen", "::1:9464", NULL };

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.metrics_listen.family, 0);
	assert_int_equal(config_parse_args(&c, 7, ok, err, sizeof(err)), 0);
	assert_int_equal(c.metrics_listen.family, AF_INET6);
	assert_int_equal(c.metrics_listen.port, 9464);
	config_defaults(&c);
	assert_int_equal(config_parse_args(&c, 7, typo, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--metrics-listen: '::1:9464' is not ADDR:PORT or [ADDR6]:PORT");
	config_defaults(&c);
	assert_int_equal(config_set(&c, "metrics-listen", "127.0.0.1:9464", err, sizeof(err)), 0);
	assert_int_equal(c.metrics_listen.family, AF_INET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_addresses_parse_in_both_families_and_print_back),
		cmocka_unit_test(test_bad_listen_addresses_are_refused_naming_what_was_given),
		cmocka_unit_test(test_metrics_listen_is_off_by_default_and_named_in_its_errors),
	};

	return cmocka_run_group_tests_name("metrics_listen", tests, NULL, NULL);
}
