// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What rtd reads about Redis without a server: the --redis address (with
 * one-line errors that name the culprit and never show the password), the
 * keyspace notifications' channels and events, and the notification flags
 * it asks the server for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apps/relay/conf.h"
#include "apps/relay/redis.h"

static struct relay_conf conf;
static char err[256];

static int apply(const char *val)
{
	err[0] = 0;
	return setting_apply(settings_find(&relay_settings, "redis", false), &conf, val, err,
			     sizeof(err));
}

static void test_host_and_port_as_rtpengine_writes_them(void **state)
{
	char buf[300];

	(void)state;
	assert_int_equal(apply("198.18.0.4:6379"), 0);
	assert_string_equal(conf.redis.host, "198.18.0.4");
	assert_int_equal(conf.redis.port, 6379);
	assert_int_equal(conf.redis.db, 0);
	assert_string_equal(conf.redis.password, "");
	assert_int_equal(apply("s3cret@198.18.0.4:6380/2"), 0);
	assert_string_equal(conf.redis.password, "s3cret");
	assert_int_equal(conf.redis.port, 6380);
	assert_int_equal(conf.redis.db, 2);
	assert_string_equal(redis_conf_str(&conf.redis, buf, sizeof(buf)), "198.18.0.4:6380/2");
}

static void test_a_password_may_hold_at_signs_and_colons_a_host_a_name(void **state)
{
	(void)state;
	assert_int_equal(apply("a@b:c@redis-1.example:6379/15"), 0);
	assert_string_equal(conf.redis.password, "a@b:c");
	assert_string_equal(conf.redis.host, "redis-1.example");
	assert_int_equal(conf.redis.db, 15);
}

static void test_ipv6_goes_in_brackets_and_is_logged_so(void **state)
{
	char buf[300];

	(void)state;
	assert_int_equal(apply("[2001:2::4]:6379/1"), 0);
	assert_string_equal(conf.redis.host, "2001:2::4");
	assert_string_equal(redis_conf_str(&conf.redis, buf, sizeof(buf)), "[2001:2::4]:6379/1");
	assert_int_equal(apply("2001:2::4:6379"), -EINVAL);
	assert_string_equal(err, "'2001:2::4' is not a host name or address (IPv6 goes in [])");
	assert_int_equal(apply("[198.18.0.4]:6379"), -EINVAL);
	assert_string_equal(err, "'[198.18.0.4]' is not an [IPv6] address");
}

static void test_each_bad_part_is_named_in_one_line(void **state)
{
	static const struct {
		const char *val, *err;
	} bad[] = {
		{ "198.18.0.4", "'198.18.0.4': no ':PORT' after the host" },
		{ "198.18.0.4:", "'' is not a port (1-65535)" },
		{ "198.18.0.4:0", "'0' is not a port (1-65535)" },
		{ "198.18.0.4:65536", "'65536' is not a port (1-65535)" },
		{ "198.18.0.4:6379x", "'6379x' is not a port (1-65535)" },
		{ "198.18.0.4:6379/", "'' is not a database number (0-65535)" },
		{ "198.18.0.4:6379/one", "'one' is not a database number (0-65535)" },
		{ ":6379", "'' is not a host name or address" },
		{ "red is:6379", "'red is' is not a host name or address" },
		{ "@198.18.0.4:6379", "the password before '@' must be 1-127 characters" },
		{ "198.18.0.4\n:6379", "a control character at offset 10" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apply(bad[i].val), -EINVAL);
		assert_string_equal(err, bad[i].err);
		assert_null(strchr(err, '\n'));
	}
}

static void test_a_refused_address_keeps_the_last_good_one_and_hides_the_password(void **state)
{
	(void)state;
	assert_int_equal(apply("198.18.0.4:6379"), 0);
	assert_int_equal(apply("hunter2@198.18.0.4:99999"), -EINVAL);
	assert_null(strstr(err, "hunter2"));
	assert_string_equal(conf.redis.host, "198.18.0.4");
	assert_string_equal(conf.redis.password, "");
}

static void test_keyspace_channels_give_the_call_id_of_our_database_only(void **state)
{
	static const char ch[] = "__keyspace@2__:rtd:call:abc@198.18.0.2";
	char id[128];

	(void)state;
	assert_int_equal(redis_channel_id(ch, strlen(ch), 2, id, sizeof(id)), 0);
	assert_string_equal(id, "abc@198.18.0.2");
	assert_int_equal(redis_channel_id(ch, strlen(ch), 0, id, sizeof(id)), -EINVAL);
	assert_int_equal(redis_channel_id("__keyspace@2__:rtd:call:", 24, 2, id, sizeof(id)),
			 -EINVAL);
	assert_int_equal(redis_channel_id("__keyspace@2__:other:x", 22, 2, id, sizeof(id)),
			 -EINVAL);
	/* A call-id longer than rtd keeps, or with a NUL, is no call of rtd's. */
	assert_int_equal(redis_channel_id(ch, strlen(ch), 2, id, 5), -EINVAL);
	assert_int_equal(redis_channel_id("__keyspace@2__:rtd:call:a\0b", 27, 2, id, sizeof(id)),
			 -EINVAL);
}

static void test_set_reads_del_expired_and_evicted_drop_the_rest_is_nothing(void **state)
{
	(void)state;
	assert_int_equal(redis_event_parse("set", 3), REDIS_EV_SET);
	assert_int_equal(redis_event_parse("del", 3), REDIS_EV_GONE);
	assert_int_equal(redis_event_parse("expired", 7), REDIS_EV_GONE);
	assert_int_equal(redis_event_parse("evicted", 7), REDIS_EV_GONE);
	assert_int_equal(redis_event_parse("expire", 6), REDIS_EV_OTHER);
	assert_int_equal(redis_event_parse("se", 2), REDIS_EV_OTHER);
	assert_int_equal(redis_event_parse("setx", 4), REDIS_EV_OTHER);
}

static void test_notification_flags_are_added_to_what_the_server_has(void **state)
{
	char f[64];

	(void)state;
	redis_notify_flags("", f, sizeof(f));
	assert_string_equal(f, "K$gxe");
	redis_notify_flags("Ex", f, sizeof(f));
	assert_string_equal(f, "ExK$ge");
	/* A covers g, $, x and e; keyspace (K) must be there itself. */
	redis_notify_flags("AE", f, sizeof(f));
	assert_string_equal(f, "AEK");
	redis_notify_flags("KA", f, sizeof(f));
	assert_string_equal(f, "");
	redis_notify_flags("xeKg$", f, sizeof(f));
	assert_string_equal(f, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_and_port_as_rtpengine_writes_them),
		cmocka_unit_test(test_a_password_may_hold_at_signs_and_colons_a_host_a_name),
		cmocka_unit_test(test_ipv6_goes_in_brackets_and_is_logged_so),
		cmocka_unit_test(test_each_bad_part_is_named_in_one_line),
		cmocka_unit_test(test_a_refused_address_keeps_the_last_good_one_and_hides_the_password),
		cmocka_unit_test(test_keyspace_channels_give_the_call_id_of_our_database_only),
		cmocka_unit_test(test_set_reads_del_expired_and_evicted_drop_the_rest_is_nothing),
		cmocka_unit_test(test_notification_flags_are_added_to_what_the_server_has),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
