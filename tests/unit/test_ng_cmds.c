// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng commands besides offer and answer, in rtpengine's shapes: query,
 * delete and statistics as a client reads them, block media, and the
 * features rtd does not have, which answer errors that say so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "ng_harness.h"

static char msg[4096];

static const char *cmd(const char *cookie, const char *command, const char *extra)
{
	snprintf(msg, sizeof(msg), "%s d7:command%zu:%s7:call-id6:call-1%se", cookie,
		 strlen(command), command, extra);
	return send_msg(msg, &lo);
}

/* A call from tag "ft" (198.18.0.2:40000) answered by tag "tt" (198.18.0.3:40002). */
static void call_up(void)
{
	static const char offer[] = "v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio 40000 RTP/AVP 0\r\n";
	static const char answer[] = "v=0\r\nc=IN IP4 198.18.0.3\r\nm=audio 40002 RTP/AVP 0\r\n";
	char extra[256];

	snprintf(extra, sizeof(extra), "8:from-tag2:ft3:sdp%zu:%s", strlen(offer), offer);
	assert_non_null(strstr(cmd("o1", "offer", extra), "2:ok"));
	snprintf(extra, sizeof(extra), "8:from-tag2:ft6:to-tag2:tt3:sdp%zu:%s", strlen(answer), answer);
	assert_non_null(strstr(cmd("a1", "answer", extra), "2:ok"));
}

/* How many RCMD_BLOCK commands with flag on the ring, and which streams. */
static unsigned blocks(bool flag, uint16_t *idx, unsigned max)
{
	struct rcmd c;
	unsigned n = 0;

	while (!ring_pop(&relay->cmds, &c))
		if (c.op == RCMD_BLOCK && c.flag == flag && n < max)
			idx[n++] = c.idx;
	return n;
}

static void test_query_answers_with_rtpengines_call_dictionary(void **state)
{
	const char *r;
	long created;

	(void)state;
	call_up();
	r = cmd("q1", "query", "");
	/* created is a Unix time, as rtpengine's; Kamailio's $rtpstat reads totals. */
	assert_non_null(strstr(r, "7:createdi"));
	created = strtol(strstr(r, "7:createdi") + 10, NULL, 10);
	assert_true(labs(created - (long)time(NULL)) <= 2);
	assert_non_null(strstr(r, "6:totalsd3:RTPd7:packetsi0e5:bytesi0e6:errorsi0ee"
				  "4:RTCPd7:packetsi0e5:bytesi0e6:errorsi0eee"));
	assert_non_null(strstr(r, "4:tagsd2:ftd3:tag2:ft"));
	assert_non_null(strstr(r, "2:ttd3:tag2:tt"));
	assert_non_null(strstr(r, "10:local porti30000e"));
	assert_non_null(strstr(r, "19:advertised endpointd6:family4:IPv47:address10:198.18.0.24:porti40000e"));
	assert_non_null(strstr(r, "8:protocol7:RTP/AVP"));
}

static void test_delete_gives_the_final_stats_and_an_unknown_call_a_warning(void **state)
{
	const char *r;

	(void)state;
	call_up();
	r = cmd("d1", "delete", "8:from-tag2:ft");
	assert_non_null(strstr(r, "6:totalsd"));
	assert_non_null(strstr(r, "6:result2:oke"));
	r = cmd("d2", "delete", "8:from-tag2:ft");
	assert_string_equal(r, "d2 d7:warning38:Call-ID not found or tags didn't match6:result2:oke");
}

static void test_statistics_counts_sessions_ports_and_commands_per_proxy(void **state)
{
	const char *r;

	(void)state;
	call_up();
	cmd("q1", "query", "");
	r = send_msg("s1 d7:command10:statisticse", &lo);
	assert_non_null(strstr(r, "17:currentstatisticsd11:sessionsowni1e"));
	assert_non_null(strstr(r, "15:managedsessionsi1e"));
	assert_non_null(strstr(r, "14:relayedpacketsi0e"));
	assert_non_null(strstr(r, "5:proxy9:127.0.0.1"));
	assert_non_null(strstr(r, "10:offercounti1e"));
	assert_non_null(strstr(r, "11:answercounti1e"));
	assert_non_null(strstr(r, "10:querycounti1e"));
	assert_non_null(strstr(r, "15:totaloffercounti1e"));
	/* 10 ports: 5 pairs, the call holds 2 of them. */
	assert_non_null(strstr(r, "5:portsd4:usedi4e8:used_pct5:40.004:freei6e6:totalsi10ee"));
}

static void test_block_media_drops_one_participants_media_or_everyones(void **state)
{
	const struct call_side *callee;
	uint16_t idx[8];

	(void)state;
	call_up();
	callee = &calls_find(&ng->calls, "call-1")->media[0].leg[1];
	drain(0);
	assert_non_null(strstr(cmd("b1", "block media", "8:from-tag2:tt"), "2:ok"));
	/* The answerer's two streams: what it sends no longer reaches the caller. */
	assert_int_equal(blocks(true, idx, 8), 2);
	assert_int_equal(idx[0], callee->sidx[0]);
	assert_int_equal(idx[1], callee->sidx[1]);
	assert_non_null(strstr(cmd("b2", "unblock media", ""), "2:ok"));
	assert_int_equal(blocks(false, idx, 8), 4);
	assert_non_null(strstr(cmd("b3", "block media", "8:from-tag4:nope"), "Unknown tag"));
}

static void test_features_rtd_lacks_answer_errors_that_say_so(void **state)
{
	static const char *const cmds[] = {
		"start recording", "stop recording", "start forwarding", "stop forwarding",
		"block DTMF", "unblock DTMF", "play DTMF",
	};

	(void)state;
	call_up();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *r = cmd("f1", cmds[i], "8:from-tag2:ft");

		assert_non_null(strstr(r, "6:result5:error"));
		assert_non_null(strstr(r, "not available"));
	}
	snprintf(msg, sizeof(msg), "f2 d7:command15:start recording7:call-id4:nopee");
	assert_non_null(strstr(send_msg(msg, &lo), "Unknown call-id"));
}

static void test_a_json_request_is_answered_in_json(void **state)
{
	static const char offer[] =
		"j1 {\"command\":\"offer\",\"call-id\":\"jc\",\"from-tag\":\"ft\","
		"\"sdp\":\"v=0\\r\\nc=IN IP4 198.18.0.2\\r\\nm=audio 40000 RTP/AVP 0\\r\\n\"}";
	const char *r;

	(void)state;
	assert_string_equal(send_msg("j0 {\"command\":\"ping\"}", &lo), "j0 {\"result\":\"pong\"}");
	r = send_msg(offer, &lo);
	assert_non_null(strstr(r, "\"result\":\"ok\""));
	/* The SDP's CRLFs come back escaped, with rtd's address and port. */
	assert_non_null(strstr(r, "c=IN IP4 198.18.0.1\\r\\nm=audio 3000"));
	/* A retransmission gets the same JSON from the cache, not a second call. */
	assert_string_equal(send_msg(offer, &lo), r);
	r = send_msg("j2 {\"command\":\"query\",\"call-id\":\"nope\"}", &lo);
	assert_string_equal(r, "j2 {\"result\":\"error\",\"error-reason\":\"Unknown call-id\"}");
}

static void test_malformed_json_gets_a_json_error_and_changes_nothing(void **state)
{
	static const char *const bad[] = {
		"b1 {\"command\":\"ping\"} x", "b1 {\"command\":", "b1 {\"command\":null}",
		"b1 {\"command\":\"ping\",\"command\":\"list\"}", "b1 {\"limit\":1.5}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char cookie[8];

		snprintf(cookie, sizeof(cookie), "b%zu ", i);
		memcpy(msg, cookie, 3);
		snprintf(msg + 3, sizeof(msg) - 3, "%s", bad[i] + 3);
		assert_string_equal(send_msg(msg, &lo) + 3, "{\"result\":\"error\",\"error-reason\":"
							    "\"Failed to parse JSON document\"}");
	}
	assert_int_equal(ng->calls.ncalls, 0);
	/* Not JSON, not bencode: the bencode error, as rtpengine answers it. */
	assert_non_null(strstr(send_msg("b9 [\"command\"]", &lo), "6:result5:error"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_query_answers_with_rtpengines_call_dictionary),
		T(test_delete_gives_the_final_stats_and_an_unknown_call_a_warning),
		T(test_statistics_counts_sessions_ports_and_commands_per_proxy),
		T(test_block_media_drops_one_participants_media_or_everyones),
		T(test_features_rtd_lacks_answer_errors_that_say_so),
		T(test_a_json_request_is_answered_in_json),
		T(test_malformed_json_gets_a_json_error_and_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
