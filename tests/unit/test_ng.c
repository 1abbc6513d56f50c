// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng commands, without sockets or threads: messages in, replies out,
 * and the stream commands handed to the RT side through the ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "log.h"
#include "ng_harness.h"

static char msg[4096];

static const char *offer(const char *cookie, const char *call, unsigned port)
{
	char sdp[256];

	snprintf(sdp, sizeof(sdp), "v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio %u RTP/AVP 0\r\n", port);
	snprintf(msg, sizeof(msg), "%s d7:command5:offer7:call-id%zu:%s8:from-tag1:a3:sdp%zu:%se",
		 cookie, strlen(call), call, strlen(sdp), sdp);
	return send_msg(msg, &lo);
}


static void test_ping_gets_pong_with_the_cookie(void **state)
{
	(void)state;
	assert_string_equal(send_msg("abc d7:command4:pinge", &lo), "abc d6:result4:ponge");
}

static void test_offer_rewrites_sdp_and_steers_a_port_pair_per_leg(void **state)
{
	const char *r;

	(void)state;
	r = offer("c1", "call-1", 40000);
	/* The answerer's port, and RTCP named beside it. */
	assert_string_equal(r, "c1 d6:result2:ok3:sdp83:v=0\r\nc=IN IP4 198.18.0.1\r\n"
			       "m=audio 30002 RTP/AVP 0\r\na=rtcp:30003 IN IP4 198.18.0.1\r\ne");
	/* Two legs x RTP/RTCP streams, and the offerer's peer from its SDP. */
	assert_int_equal(drain(RCMD_ADD) + 0, 4);
	assert_true(steered[30000] && steered[30001] && steered[30002] && steered[30003]);
	assert_false(steered[30004]);
}

static void test_repeated_cookie_gets_the_cached_reply_and_changes_nothing(void **state)
{
	char first[4096];

	(void)state;
	snprintf(first, sizeof(first), "%s", offer("c1", "call-1", 40000));
	drain(RCMD_ADD);
	assert_string_equal(offer("c1", "call-1", 40000), first);
	assert_int_equal(drain(RCMD_ADD), 0);
	assert_int_equal(drain(RCMD_PEER), 0);
}

static void test_a_cookie_with_a_nul_is_not_the_cookie_before_it(void **state)
{
	static const char pinged[] = "c1\0x d7:command4:pinge";
	const char *r;

	(void)state;
	r = send_raw(pinged, sizeof(pinged) - 1, &lo);
	assert_memory_equal(r, "c1\0x d6:result4:ponge", 21);
	r = send_msg("c1 d7:command10:statisticse", &lo);
	assert_non_null(strstr(r, "10:statistics"));
	/* The cookie with its NUL is still a retransmission of itself. */
	r = send_raw(pinged, sizeof(pinged) - 1, &lo);
	assert_memory_equal(r, "c1\0x d6:result4:ponge", 21);
}

/* Lines logged while msg is handled. */
static unsigned log_lines(const char *m, size_t len)
{
	char *text = NULL;
	size_t size = 0;
	unsigned n = 0;
	FILE *f = open_memstream(&text, &size);

	log_set_file(f);
	send_raw(m, len, &lo);
	log_set_file(NULL);
	fclose(f);
	for (size_t i = 0; i < size; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

static void test_unknown_keys_are_logged_once_and_a_flood_of_them_in_a_line(void **state)
{
	static char flood[32768];
	size_t len = snprintf(flood, sizeof(flood), "u1 d7:command4:ping");

	(void)state;
	for (int i = 0; i < 500; i++)
		len += snprintf(flood + len, sizeof(flood) - len, "6:x-%04d1:v", i);
	len += snprintf(flood + len, sizeof(flood) - len, "e");
	/* 16 keys one by one, then one line for the rest. */
	assert_int_equal(log_lines(flood, len), NG_IGNORED + 1);
	flood[1] = '2'; /* a new cookie: the same keys again say nothing more */
	assert_int_equal(log_lines(flood, len), 0);
	assert_non_null(strstr(send_raw(flood, len, &lo), "4:pong"));
}

static void test_keys_rtd_takes_but_does_not_act_on_are_logged_once_each(void **state)
{
	static char flood[32768];
	size_t len = snprintf(flood, sizeof(flood), "k1 d7:command4:ping");

	(void)state;
	/* Junk first, so that the table of unknown keys is full. */
	for (int i = 0; i < 40; i++)
		len += snprintf(flood + len, sizeof(flood) - len, "6:x-%04d1:v", i);
	len += snprintf(flood + len, sizeof(flood) - len, "e");
	log_lines(flood, len);
	static const char twice[] = "d7:command4:ping11:record-call3:yes13:received-froml3:IP4"
				    "9:127.0.0.1ee";
	char m2[128];

	snprintf(m2, sizeof(m2), "k2 %s", twice);
	assert_int_equal(log_lines(m2, strlen(m2)), 2);
	snprintf(m2, sizeof(m2), "k3 %s", twice);
	assert_int_equal(log_lines(m2, strlen(m2)), 0);
	/* Keys that change nothing worth saying (via-branch) stay quiet. */
	assert_int_equal(log_lines("k4 d7:command4:ping10:via-branch2:z9e", 37), 0);
}

static void test_answer_delete_and_keys_in_other_spellings(void **state)
{
	const char *r;

	(void)state;
	offer("c1", "call-1", 40000);
	drain(RCMD_ADD);
	{
		/* Keys in another order and rtpengine's other spelling of call-id. */
		const char *sdp = "v=0\r\nc=IN IP4 198.18.0.3\r\nm=audio 40002 RTP/AVP 0\r\n";

		snprintf(msg, sizeof(msg),
			 "c2 d7:call id6:call-17:command6:answer6:to-tag1:b8:from-tag1:a3:sdp%zu:%se",
			 strlen(sdp), sdp);
		r = send_msg(msg, &lo);
	}
	assert_non_null(strstr(r, "m=audio 30000 RTP/AVP 0")); /* the offerer's port */
	/* The answerer's peer and local address; the offerer's local address. */
	assert_int_equal(drain(RCMD_PEER), 4);
	r = send_msg("q1 d7:command5:query7:call-id6:call-1e", &lo);
	assert_non_null(strstr(r, "6:result2:ok"));
	r = send_msg("c3 d7:command4:liste", &lo);
	assert_non_null(strstr(r, "5:callsl6:call-1e"));
	r = send_msg("c4 d7:command6:delete7:call-id6:call-1e", &lo);
	/* As rtpengine: the call's final stats. */
	assert_non_null(strstr(r, "6:totalsd3:RTPd7:packetsi0e5:bytesi0e6:errorsi0ee"));
	assert_non_null(strstr(r, "6:result2:oke"));
	assert_int_equal(drain(RCMD_DEL), 4);
	assert_false(steered[30000] || steered[30003]);
	assert_non_null(strstr(send_msg("c5 d7:command4:liste", &lo), "5:callslee"));
}

static void test_running_out_of_ports_is_load_limit(void **state)
{
	(void)state;
	/* 10 ports: 5 pairs, 2 per call. */
	assert_non_null(strstr(offer("d1", "a", 40000), "2:ok"));
	assert_non_null(strstr(offer("d2", "b", 40010), "2:ok"));
	assert_non_null(strstr(offer("d3", "c", 40020), "6:result10:load limit"));
}

static void test_list_honours_limit(void **state)
{
	(void)state;
	assert_non_null(strstr(offer("l1", "a", 40000), "2:ok"));
	assert_non_null(strstr(offer("l2", "b", 40010), "2:ok"));
	assert_non_null(strstr(send_msg("l3 d7:command4:liste", &lo), "5:callsl1:a1:bee"));
	assert_non_null(strstr(send_msg("l4 d7:command4:list5:limiti1ee", &lo), "5:callsl1:aee"));
	assert_non_null(strstr(send_msg("l5 d7:command4:list5:limiti0ee", &lo), "5:callslee"));
	assert_non_null(strstr(send_msg("l6 d7:command4:list5:limiti-1ee", &lo), "Invalid 'limit' key"));
	assert_non_null(strstr(send_msg("l7 d7:command4:list5:limit1:xe", &lo), "Invalid 'limit' key"));
}

/* An offer (or answer) of call with n audio media, from tag a (or b). */
static const char *media_msg(const char *cookie, const char *cmd, const char *call, unsigned n)
{
	char sdp[1024];
	size_t len = snprintf(sdp, sizeof(sdp), "v=0\r\nc=IN IP4 198.18.0.2\r\n");

	for (unsigned i = 0; i < n; i++)
		len += snprintf(sdp + len, sizeof(sdp) - len, "m=audio %u RTP/AVP 0\r\n", 40000 + 2 * i);
	snprintf(msg, sizeof(msg), "%s d7:command%zu:%s7:call-id%zu:%s%s3:sdp%zu:%se", cookie,
		 strlen(cmd), cmd, strlen(call), call,
		 !strcmp(cmd, "offer") ? "8:from-tag1:a" : "6:to-tag1:b", len, sdp);
	return send_msg(msg, &lo);
}

static unsigned steered_count(void)
{
	unsigned n = 0;

	for (unsigned p = 0; p < 65536; p++)
		n += steered[p] != 0;
	return n;
}

static int setup_wide(void **state)
{
	(void)state;
	return setup_ports("10000-59999"); /* more ports than stream slots */
}

static void test_media_added_to_a_full_relay_is_load_limit_not_a_crash(void **state)
{
	char cookie[32], call[32];
	unsigned i, before;

	(void)state;
	assert_non_null(strstr(media_msg("m0", "offer", "three", 3), "2:ok"));
	/* Every stream slot taken: 4-media calls, then 1-media calls. */
	for (i = 0;; i++) {
		snprintf(cookie, sizeof(cookie), "f%u", i);
		snprintf(call, sizeof(call), "four-%u", i);
		if (strstr(media_msg(cookie, "offer", call, 4), "load limit"))
			break;
		drain(RCMD_ADD); /* as the RT thread would: the ring holds 4096 */
		assert_true(i < RELAY_MAX_STREAMS / 16);
	}
	for (i = 0;; i++) {
		snprintf(cookie, sizeof(cookie), "g%u", i);
		snprintf(call, sizeof(call), "one-%u", i);
		if (strstr(media_msg(cookie, "offer", call, 1), "load limit"))
			break;
		assert_true(i < 4);
	}
	drain(RCMD_ADD);
	before = steered_count();
	/* More media for a call that has its own: the same answer, and nothing kept. */
	assert_string_equal(media_msg("m1", "offer", "three", 4), "m1 d6:result10:load limite");
	assert_string_equal(media_msg("m2", "answer", "three", 4), "m2 d6:result10:load limite");
	assert_int_equal(steered_count(), before);
	assert_int_equal(drain(RCMD_ADD), 0);
	assert_non_null(strstr(send_msg("m3 d7:command5:query7:call-id5:threee", &lo), "6:result2:ok"));
}

/* What the RT thread does on the streams' first packets: stamp them. */
static void rt_stamp_new_streams(uint64_t ns)
{
	struct rcmd c;

	while (!ring_pop(&relay->cmds, &c))
		if (c.op == RCMD_ADD)
			relay->streams[c.idx].last_ns = ns;
}

static void test_media_timeout_ends_silent_calls_only(void **state)
{
	struct timespec ts;
	uint64_t now;

	(void)state;
	assert_non_null(strstr(offer("t1", "call-1", 40000), "2:ok"));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	/* A packet stamped just after the scan read its clock: live, not old. */
	rt_stamp_new_streams(now + 1000);
	assert_int_equal(ng_expire(ng, now), 0);
	assert_int_equal(ng_expire(ng, now + 59000000000ull), 0);
	assert_true(steered[30000] && steered[30003]);
	assert_int_equal(ng_expire(ng, now + 61000000000ull), 1);
	assert_int_equal(drain(RCMD_DEL), 4);
	assert_false(steered[30000] || steered[30003]);
	assert_non_null(strstr(send_msg("t2 d7:command4:liste", &lo), "5:callslee"));
}

static void test_bad_input_gets_error_replies_never_a_crash(void **state)
{
	(void)state;
	assert_non_null(strstr(send_msg("e1 d7:command", &lo), "Could not decode dictionary"));
	assert_non_null(strstr(send_msg("e2 d3:foo3:bare", &lo), "No command in message"));
	assert_non_null(strstr(send_msg("e3 d7:command5:dancee", &lo), "Unrecognized command"));
	assert_non_null(strstr(send_msg("e4 d7:command5:offer3:sdp3:v=0e", &lo), "No call-id"));
	assert_non_null(strstr(send_msg("e5 d7:command5:offer7:call-id1:x3:sdp5:helloe", &lo), "sdp: line 1"));
	assert_non_null(strstr(send_msg("e6 d7:command6:answer7:call-id4:nope3:sdp3:v=0e", &lo), "Unknown call-id"));
	assert_non_null(strstr(send_msg("e7 d7:command5:query7:call-id4:nopee", &lo), "Unknown call-id"));
	/* No cookie, or a sender outside the allow list: no reply at all. */
	assert_string_equal(send_msg("d7:command4:pinge", &lo), "");
	assert_string_equal(send_msg("x d7:command4:pinge", &stranger), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ping_gets_pong_with_the_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offer_rewrites_sdp_and_steers_a_port_pair_per_leg,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_cookie_gets_the_cached_reply_and_changes_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_cookie_with_a_nul_is_not_the_cookie_before_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_unknown_keys_are_logged_once_and_a_flood_of_them_in_a_line, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_keys_rtd_takes_but_does_not_act_on_are_logged_once_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_delete_and_keys_in_other_spellings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_running_out_of_ports_is_load_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_honours_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_media_added_to_a_full_relay_is_load_limit_not_a_crash,
						setup_wide, teardown),
		cmocka_unit_test_setup_teardown(test_media_timeout_ends_silent_calls_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_gets_error_replies_never_a_crash, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("ng", tests, NULL, NULL);
}
