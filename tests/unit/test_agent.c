// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ICE agent's thread step and the thread itself: which checks it
 * answers, which peer it hands to the RT thread, and when it forgets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apps/relay/agent.h"
#include "apps/relay/stun.h"
#include "stun_fixtures.h"

static const struct ice_creds ours = { .ufrag = "rtdA", .pwd = "Zr4+pQ8sW2vX/9kLmN0bC7dE" };
static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

struct rig {
	struct relay *r;
	struct agent *a;
};

static int setup(void **state)
{
	struct rig *g = calloc(1, sizeof(*g));

	g->r = calloc(1, sizeof(*g->r));
	assert_int_equal(agent_start(g->r), 0);
	g->a = g->r->agent;
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	struct rig *g = *state;

	agent_stop(g->r);
	assert_null(g->r->agent);
	assert_null(g->r->hs_in.slots);
	free(g->r);
	free(g);
	return 0;
}

/* A check from a controlling full agent whose ufrag is "peer". */
static void check(struct relay_hs *m, uint16_t idx, const char *user, bool nominate,
		  const char *from)
{
	const struct stun_request rq = { .username = user, .priority = 100, .controlling = true,
					 .tie_breaker = 7, .use_candidate = nominate,
					 .key = ours.pwd, .keylen = strlen(ours.pwd) };
	int n;

	memset(m, 0, sizeof(*m));
	n = stun_build_request(m->data, sizeof(m->data), txid, &rq);
	assert_true(n > 0);
	m->op = RELAY_HS_RECV;
	m->idx = idx;
	m->len = n;
	m->peer = stun_ep(from, 40000);
	m->local = stun_ep("198.18.0.1", 30000);
}

static struct stun_msg reply_of(const struct relay_hs *out)
{
	struct stun_msg m;

	assert_int_equal(out->op, RELAY_HS_SEND);
	assert_int_equal(stun_parse(out->data, out->len, &m), 0);
	assert_memory_equal(m.txid, txid, 12);
	return m;
}

static void test_a_valid_check_is_answered_and_its_sender_becomes_the_peer(void **state)
{
	struct rig *g = *state;
	struct relay_hs in, out[2];
	struct stun_msg m;
	struct agent_stats st;

	agent_set(g->a, 5, &ours, "peer");
	check(&in, 5, "rtdA:peer", false, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 2);
	m = reply_of(&out[0]);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_true(m.has_mapped);
	assert_int_equal(m.mapped.port, 40000);
	assert_int_equal(stun_check_integrity(out[0].data, out[0].len, &m, ours.pwd,
					      strlen(ours.pwd)), 0);
	/* The reply leaves from the address the check was sent to. */
	assert_memory_equal(&out[0].local, &in.local, sizeof(in.local));
	assert_int_equal(out[1].op, RELAY_HS_LATCH);
	assert_int_equal(out[1].idx, 5);
	assert_memory_equal(&out[1].peer, &in.peer, sizeof(in.peer));
	/* A second check from the same place is answered, not re-latched. */
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
	agent_stats(g->a, &st);
	assert_int_equal(st.checks, 2);
	assert_int_equal(st.answered, 2);
	assert_int_equal(st.nominated, 1);
}

static void test_a_nomination_moves_the_peer_to_the_one_chosen(void **state)
{
	struct rig *g = *state;
	struct relay_hs in, out[2];

	agent_set(g->a, 6, &ours, "peer");
	check(&in, 6, "rtdA:peer", false, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 2);
	/* Another candidate's check, unnominated: the first peer stays. */
	check(&in, 6, "rtdA:peer", false, "198.18.0.3");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
	/* USE-CANDIDATE on it: now it is the peer, and stays so. */
	check(&in, 6, "rtdA:peer", true, "198.18.0.3");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 2);
	assert_memory_equal(&out[1].peer, &in.peer, sizeof(in.peer));
	check(&in, 6, "rtdA:peer", false, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
}

static void test_a_check_for_someone_else_is_refused_and_latches_nothing(void **state)
{
	struct rig *g = *state;
	struct relay_hs in, out[2];
	struct stun_msg m;

	agent_set(g->a, 7, &ours, "peer");
	check(&in, 7, "rtdA:intruder", true, "198.18.0.9");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
	m = reply_of(&out[0]);
	assert_int_equal(m.cls, STUN_ERROR);
	assert_int_equal(m.error_code, 401);
}

static void test_until_the_peer_ufrag_is_known_any_sender_ufrag_is_taken(void **state)
{
	struct rig *g = *state;
	struct relay_hs in, out[2];

	agent_set(g->a, 8, &ours, NULL);
	check(&in, 8, "rtdA:whoever", false, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 2);
	/* The answer names the peer: from then on only its ufrag. */
	agent_set(g->a, 8, &ours, "peer");
	check(&in, 8, "rtdA:whoever", false, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
	assert_int_equal(reply_of(&out[0]).error_code, 401);
}

static void test_a_cleared_stream_answers_nothing(void **state)
{
	struct rig *g = *state;
	struct relay_hs in, out[2];
	struct agent_stats st;

	agent_set(g->a, 9, &ours, "peer");
	agent_clear(g->a, 9);
	check(&in, 9, "rtdA:peer", true, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 0);
	/* Never set at all, and out of range. */
	check(&in, 10, "rtdA:peer", true, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 0);
	in.idx = RELAY_MAX_STREAMS;
	assert_int_equal(agent_handle(g->a, &in, out, 2), 0);
	agent_stats(g->a, &st);
	assert_int_equal(st.ignored, 2);
}

static void test_new_credentials_are_a_restart_that_latches_again(void **state)
{
	struct rig *g = *state;
	struct ice_creds fresh = ours;
	struct relay_hs in, out[2];

	fresh.ufrag[3] = 'B';
	agent_set(g->a, 11, &ours, "peer");
	check(&in, 11, "rtdA:peer", true, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 2);
	agent_set(g->a, 11, &ours, "peer"); /* the same again: nothing changes */
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
	agent_set(g->a, 11, &fresh, "peer");
	check(&in, 11, "rtdA:peer", true, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 1);
	assert_int_equal(reply_of(&out[0]).error_code, 401);
	check(&in, 11, "rtdB:peer", true, "198.18.0.2");
	assert_int_equal(agent_handle(g->a, &in, out, 2), 2);
}

static void test_the_thread_answers_what_the_ring_brings(void **state)
{
	struct rig *g = *state;
	struct relay_hs in, out;
	int got = 0;

	agent_set(g->a, 12, &ours, "peer");
	check(&in, 12, "rtdA:peer", true, "198.18.0.2");
	assert_int_equal(ring_push(&g->r->hs_in, &in), 0);
	/* Two messages within a second: the thread sleeps a millisecond at most. */
	for (int i = 0; i < 1000 && got < 2; i++) {
		if (!ring_pop(&g->r->hs_out, &out)) {
			assert_int_equal(out.op, got ? RELAY_HS_LATCH : RELAY_HS_SEND);
			got++;
			continue;
		}
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	assert_int_equal(got, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_valid_check_is_answered_and_its_sender_becomes_the_peer),
		cmocka_unit_test(test_a_nomination_moves_the_peer_to_the_one_chosen),
		cmocka_unit_test(test_a_check_for_someone_else_is_refused_and_latches_nothing),
		cmocka_unit_test(test_until_the_peer_ufrag_is_known_any_sender_ufrag_is_taken),
		cmocka_unit_test(test_a_cleared_stream_answers_nothing),
		cmocka_unit_test(test_new_credentials_are_a_restart_that_latches_again),
		cmocka_unit_test(test_the_thread_answers_what_the_ring_brings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
