// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a metrics scrape reads off the relay (ng_metrics.c): the call
 * table, the ng commands, and the streams' counters as the RT thread
 * leaves them, set here by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apps/relay/ng_metrics.h"
#include "ng_harness.h"

static const uint32_t edges[] = { 500, 1000, 2000 };
static struct ng_metrics m;
static char msg[4096];

static const char *cmd(const char *cookie, const char *command, const char *extra)
{
	snprintf(msg, sizeof(msg), "%s d7:command%zu:%s7:call-id6:call-1%se", cookie,
		 strlen(command), command, extra);
	return send_msg(msg, &lo);
}

static struct call *call_up(void)
{
	static const char offer[] = "v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio 40000 RTP/AVP 0\r\n";
	static const char answer[] = "v=0\r\nc=IN IP4 198.18.0.3\r\nm=audio 40002 RTP/AVP 0\r\n";
	char extra[256];

	snprintf(extra, sizeof(extra), "8:from-tag2:ft3:sdp%zu:%s", strlen(offer), offer);
	assert_non_null(strstr(cmd("o1", "offer", extra), "2:ok"));
	snprintf(extra, sizeof(extra), "8:from-tag2:ft6:to-tag2:tt3:sdp%zu:%s", strlen(answer), answer);
	assert_non_null(strstr(cmd("a1", "answer", extra), "2:ok"));
	relay->ng = ng;
	return calls_find(&ng->calls, "call-1");
}

/* The RT thread's counters of a leg's RTP stream after n packets. */
static struct rstream *rtp_of(struct call *call, int leg, unsigned n, uint32_t jitter_q4)
{
	struct rstream *s = &relay->streams[call->media[0].leg[leg].sidx[0]];

	s->packets = s->received = n;
	s->bytes = 172ull * n;
	s->forwarded = n - 1;
	s->dropped = 1;
	s->lost = 2;
	s->jitter_q4 = jitter_q4;
	return s;
}

static void test_a_scrape_reads_sessions_commands_and_what_statistics_calls_relayed(void **state)
{
	struct ng_relayed want;
	struct call *call;

	(void)state;
	call = call_up();
	/* 128 / 16 timestamp units at 8 kHz: 1 ms, on the edge of the second bucket. */
	rtp_of(call, 0, 50, 128);
	relay->streams[call->media[0].leg[1].sidx[1]].bytes = 64; /* RTCP: bytes, no jitter */
	assert_int_equal(ng_metrics_read(relay, edges, 3, &m), 0);
	assert_int_equal(m.sessions, 1);
	assert_int_equal(m.sessions_total, 1);
	assert_int_equal(m.count[NG_CMD_offer], 1);
	assert_int_equal(m.count[NG_CMD_answer], 1);
	assert_int_equal(m.count[NG_CMD_query], 0);
	assert_int_equal(m.cmds, 2);
	assert_int_equal(m.streams, 2);
	assert_int_equal(m.receiving, 1);
	assert_int_equal(m.lost, 2);
	assert_int_equal(m.jitter[0], 0);
	assert_int_equal(m.jitter[1], 1); /* le: at most 1000 us */
	assert_int_equal(m.jitter[2] + m.jitter[3], 0);
	assert_int_equal(m.jitter_sum_us, 1000);
	ng_relayed(ng, &want);
	assert_int_equal(m.relayed.packets, want.packets);
	assert_int_equal(m.relayed.bytes, want.bytes);
	assert_int_equal(m.relayed.bytes, 172 * 50 + 64);
	assert_int_equal(m.relayed.errors, want.errors);
}

static void test_an_ended_calls_bytes_stay_in_the_total_and_leave_the_live_sums(void **state)
{
	uint64_t bytes;

	(void)state;
	rtp_of(call_up(), 1, 10, 16 * 8 * 100); /* 100 ms: above every edge */
	assert_int_equal(ng_metrics_read(relay, edges, 3, &m), 0);
	assert_int_equal(m.jitter[3], 1);
	bytes = m.relayed.bytes;
	assert_non_null(strstr(cmd("d1", "delete", "8:from-tag2:ft"), "2:ok"));
	assert_int_equal(ng_metrics_read(relay, edges, 3, &m), 0);
	assert_int_equal(m.sessions, 0);
	assert_int_equal(m.sessions_total, 1);
	assert_int_equal(m.deleted, 1);
	assert_int_equal(m.relayed.bytes, bytes);
	assert_int_equal(m.streams + m.receiving + m.lost + m.jitter_sum_us, 0);
	assert_int_equal(m.count[NG_CMD_delete], 1);
}

static void test_errors_and_load_limits_are_read_apart(void **state)
{
	(void)state;
	relay->ng = ng;
	send_msg("e1 d7:command10:frobnicatee", &lo);
	send_msg("e2 garbage", &lo);
	assert_int_equal(ng_metrics_read(relay, edges, 3, &m), 0);
	assert_int_equal(m.errors, 2);
	assert_int_equal(m.refused, 0);
}

static void test_a_relay_without_its_ng_side_reads_as_not_there(void **state)
{
	(void)state;
	assert_int_equal(ng_metrics_read(NULL, edges, 3, &m), -ENODEV);
	relay->ng = NULL;
	assert_int_equal(ng_metrics_read(relay, edges, 3, &m), -ENODEV);
	relay->ng = ng;
	assert_int_equal(ng_metrics_read(relay, edges, NG_METRICS_JITTER_MAX + 1, &m), -EINVAL);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_scrape_reads_sessions_commands_and_what_statistics_calls_relayed),
		T(test_an_ended_calls_bytes_stay_in_the_total_and_leave_the_live_sums),
		T(test_errors_and_load_limits_are_read_apart),
		T(test_a_relay_without_its_ng_side_reads_as_not_there),
	};

	return cmocka_run_group_tests_name("metrics_relay", tests, NULL, NULL);
}
