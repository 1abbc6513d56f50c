// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtd/bencode.h"

static struct bencode_tok t[256];

static int parse(const char *s)
{
	return bencode_parse(s, strlen(s), t, 256);
}

static void test_kamailio_ping_parses(void **state)
{
	const char *m = "d7:command4:pinge";

	(void)state;
	assert_int_equal(parse(m), 3);
	assert_int_equal(t[0].type, BENCODE_DICT);
	assert_true(bencode_str_is(m, &t[bencode_dict_get(m, t, 0, "command")], "ping"));
}

static void test_keys_in_any_order_and_spelling_are_found(void **state)
{
	const char *m = "d3:sdp5:v=0\r\n7:call id4:abcd8:from-tag2:ft7:command5:offer"
			"5:flagsl13:trust-addresse7:replacel6:origin18:session-connectione"
			"13:received-froml3:IP49:127.0.0.1e3:ICE6:remove18:transport-protocol"
			"7:RTP/AVPe";
	char buf[64];
	int v;

	(void)state;
	assert_true(parse(m) > 0);
	v = bencode_dict_get(m, t, 0, "call-id");
	assert_true(v > 0);
	assert_int_equal(bencode_str_copy(m, &t[v], buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abcd");
	assert_true(bencode_dict_get(m, t, 0, "CALL_ID") == v);
	assert_true(bencode_str_is(m, &t[bencode_dict_get(m, t, 0, "command")], "offer"));
	v = bencode_dict_get(m, t, 0, "received from");
	assert_int_equal(t[v].type, BENCODE_LIST);
	assert_int_equal(t[v].size, 2);
	assert_true(bencode_str_is(m, &t[v + 2], "127.0.0.1"));
	assert_int_equal(bencode_dict_get(m, t, 0, "to-tag"), -ENOENT);
	v = bencode_dict_get(m, t, 0, "sdp");
	assert_int_equal(t[v].len, 5);
}

static void test_integers_follow_bencode_rules(void **state)
{
	(void)state;
	assert_int_equal(parse("i42e"), 1);
	assert_int_equal(t[0].ival, 42);
	assert_int_equal(parse("i-7e"), 1);
	assert_int_equal(t[0].ival, -7);
	assert_int_equal(parse("i0e"), 1);
	assert_int_equal(parse("i9223372036854775807e"), 1);
	assert_int_equal(parse("i9223372036854775808e"), -EBADMSG);
	assert_int_equal(parse("i-0e"), -EBADMSG);
	assert_int_equal(parse("i03e"), -EBADMSG);
	assert_int_equal(parse("ie"), -EBADMSG);
	assert_int_equal(parse("i12"), -EBADMSG);
}

static void test_malformed_input_is_refused_never_crashes(void **state)
{
	static const char *bad[] = { "", "d", "l", "d3:abce", "di1ei2ee", "5:abc", "3:abcd",
				     "-1:a", "d3:key", "x", "li1e", "d3:keyi1e3:fooe" };
	char buf[96];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i]), -EBADMSG);
	/* Every prefix of a valid message is malformed; random bytes never crash. */
	{
		const char *m = "d7:command5:offer5:flagsl3:abce3:sdp4:v=0\ne";

		for (size_t n = 0; n < strlen(m); n++)
			assert_true(bencode_parse(m, n, t, 256) < 0);
	}
	srand(3);
	for (int i = 0; i < 100000; i++) {
		size_t n = rand() % sizeof(buf);

		for (size_t k = 0; k < n; k++)
			buf[k] = "dlie0123456789:abc"[rand() % 18];
		bencode_parse(buf, n, t, 256);
	}
}

static void test_limits_are_reported(void **state)
{
	char deep[200];
	struct bencode_tok few[2];

	(void)state;
	memset(deep, 'l', 100);
	memset(deep + 100, 'e', 100);
	assert_int_equal(bencode_parse(deep, 200, t, 256), -E2BIG);
	assert_int_equal(bencode_parse("li1ei2ei3ee", 11, few, 2), -ENOSPC);
}

static void test_writer_builds_replies_and_reports_overflow(void **state)
{
	char buf[64];
	struct bencode_w w;

	(void)state;
	bencode_w_init(&w, buf, sizeof(buf));
	bencode_w_dict(&w);
	bencode_w_kv_str(&w, "result", "pong");
	bencode_w_kv_int(&w, "n", -3);
	bencode_w_end(&w);
	assert_int_equal(bencode_w_finish(&w), 23);
	assert_memory_equal(buf, "d6:result4:pong1:ni-3ee", 23);
	bencode_w_init(&w, buf, 10);
	bencode_w_kv_str(&w, "result", "pong");
	assert_int_equal(bencode_w_finish(&w), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kamailio_ping_parses),
		cmocka_unit_test(test_keys_in_any_order_and_spelling_are_found),
		cmocka_unit_test(test_integers_follow_bencode_rules),
		cmocka_unit_test(test_malformed_input_is_refused_never_crashes),
		cmocka_unit_test(test_limits_are_reported),
		cmocka_unit_test(test_writer_builds_replies_and_reports_overflow),
	};

	return cmocka_run_group_tests_name("bencode", tests, NULL, NULL);
}
