// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --ng-allow: who may send ng commands, and what is not a prefix. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apps/relay/allow.h"
#include "config.h"

static struct sockaddr_storage addr(const char *ip)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(ip, ':')) {
		ss.ss_family = AF_INET6;
		inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	} else {
		ss.ss_family = AF_INET;
		inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr);
	}
	return ss;
}

static bool allows(const char *list, const char *ip)
{
	struct allow a;
	struct sockaddr_storage ss = addr(ip);
	char err[128];

	assert_int_equal(allow_parse(&a, list, err, sizeof(err)), 0);
	return allow_match(&a, &ss);
}

static void test_prefixes_admit_their_senders_only(void **state)
{
	(void)state;
	assert_true(allows("127.0.0.0/8,::1/128", "127.3.4.5"));
	assert_true(allows("127.0.0.0/8,::1/128", "::1"));
	assert_false(allows("127.0.0.0/8,::1/128", "198.18.0.9"));
	assert_false(allows("127.0.0.0/8,::1/128", "::2"));
	assert_true(allows("198.18.0.0/15", "198.19.255.1"));
	assert_false(allows("198.18.0.0/15", "198.20.0.1"));
	assert_true(allows("198.18.0.7", "198.18.0.7"));
	assert_false(allows("198.18.0.7", "198.18.0.8"));
	assert_true(allows("0.0.0.0/0", "203.0.113.1"));
}

static void test_an_ipv6_prefix_never_admits_ipv4_senders(void **state)
{
	(void)state;
	assert_false(allows("::/0", "127.0.0.1"));
	assert_false(allows("::1/0", "198.18.0.9"));
	assert_true(allows("::/0", "2001:2::9"));
}

static void expect_refused(const char *list, const char *why)
{
	struct allow a;
	char err[128];

	assert_int_equal(allow_parse(&a, list, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, why);
}

static void test_what_is_not_a_prefix_is_refused_naming_it(void **state)
{
	(void)state;
	expect_refused("127.0.0.1/abc", "'127.0.0.1/abc' is not a prefix");
	expect_refused("127.0.0.1/", "'127.0.0.1/' is not a prefix");
	expect_refused("127.0.0.1/-96", "'127.0.0.1/-96' is not a prefix");
	expect_refused("127.0.0.1/33", "'127.0.0.1/33' is not a prefix");
	expect_refused("::1/x", "'::1/x' is not a prefix");
	expect_refused("::1/129", "'::1/129' is not a prefix");
	expect_refused("127.0.0.0/8,,::1", "'' is not a prefix");
	expect_refused("localhost", "'localhost' is not a prefix");
	expect_refused("127.0.0.1/8/8", "'127.0.0.1/8/8' is not a prefix");
}

static void test_a_bad_ng_allow_refuses_to_start_naming_the_entry(void **state)
{
	char *argv[] = { "rtd", "-i", "eth0", "-p", "30000-30009", "--ng-allow",
			 "127.0.0.0/8,::1/x", NULL };
	struct rtd_config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_parse_args(&c, 7, argv, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--ng-allow: '::1/x' is not a prefix");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes_admit_their_senders_only),
		cmocka_unit_test(test_an_ipv6_prefix_never_admits_ipv4_senders),
		cmocka_unit_test(test_what_is_not_a_prefix_is_refused_naming_it),
		cmocka_unit_test(test_a_bad_ng_allow_refuses_to_start_naming_the_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
