// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A standby's side of a takeover, without Redis: records of other rtds'
 * calls kept warm (bounded, dropped when their key goes, refused when they
 * are not records), the decision to claim one (every local address of the
 * call is this host's now), and the claim itself: any free call slot,
 * stream slots of this table, the ports the SDP named, steered, with the
 * latched peers and counters; a call whose ports are taken here is
 * refused and logged once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apps/relay/standby.h"
#include "lib/addr.h"
#include "lib/clock.h"
#include "ng_harness.h"

static struct standby *sb;
static struct store_rec rec;
static struct in6_addr service; /* 198.18.0.100, v4-mapped */
static bool service_here;
static unsigned asked;
static char msg[4096];

static bool fake_is_local(void *ctx, int family, const struct in6_addr *a)
{
	(void)ctx;
	asked++;
	return service_here && family == AF_INET && !memcmp(a, &service, sizeof(*a));
}

static int setup_sb(void **state)
{
	sb = calloc(1, sizeof(*sb));
	assert_non_null(sb);
	standby_init(sb);
	addr_parse("198.18.0.100", 0, &service);
	service_here = false;
	asked = 0;
	return setup(state);
}

static int teardown_sb(void **state)
{
	free(sb);
	return teardown(state);
}

static void call_up(const char *id)
{
	static const char offer[] = "v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio 40000 RTP/AVP 0\r\n";
	static const char answer[] = "v=0\r\nc=IN IP4 198.18.0.3\r\nm=audio 40002 RTP/AVP 0\r\n";

	snprintf(msg, sizeof(msg),
		 "o-%s d7:command5:offer7:call-id%zu:%s8:from-tag2:ft3:sdp%zu:%se", id,
		 strlen(id), id, strlen(offer), offer);
	assert_non_null(strstr(send_msg(msg, &lo), "2:ok"));
	snprintf(msg, sizeof(msg),
		 "a-%s d7:command6:answer7:call-id%zu:%s8:from-tag2:ft6:to-tag2:tt3:sdp%zu:%se",
		 id, strlen(id), id, strlen(answer), answer);
	assert_non_null(strstr(send_msg(msg, &lo), "2:ok"));
}

/*
 * Another rtd's record of call id: its streams sent to the service address,
 * the caller latched with counters.
 */
static void other_rtds_record(const char *id)
{
	struct call_stream_state st[CALL_STREAMS];
	const struct call *c;

	call_up(id);
	c = calls_find(&ng->calls, id);
	calls_stream_state(&ng->calls, c, st);
	for (int leg = 0; leg < 2; leg++) {
		for (int k = 0; k < 2; k++) {
			struct call_stream_state *s = &st[CALL_STREAM(0, leg, k)];

			s->local.family = AF_INET;
			s->local.addr = service;
			s->local.port = c->media[0].leg[leg].port + k;
		}
	}
	st[CALL_STREAM(0, 0, 0)].latched = true;
	st[CALL_STREAM(0, 0, 0)].peer.family = AF_INET;
	addr_parse("198.18.0.2", 0, &st[CALL_STREAM(0, 0, 0)].peer.addr);
	st[CALL_STREAM(0, 0, 0)].peer.port = 40000;
	st[CALL_STREAM(0, 0, 0)].packets = 250;
	store_encode(&rec, (unsigned)(c - ng->calls.call), c, st);
}

/* r's CRC again after a change (store_encode clears what it writes). */
static void reencode(struct store_rec *r, const char *id)
{
	struct store_rec copy = *r;

	if (id)
		snprintf(copy.call.call_id, sizeof(copy.call.call_id), "%s", id);
	store_encode(r, copy.slot, &copy.call, copy.st);
}

/* This host's relay, fresh, as a standby's is. */
static void standby_host(void)
{
	ng_free(ng);
	ring_free(&relay->cmds);
	free(relay);
	setup_ports("30000-30009");
}

static void test_records_are_kept_replaced_and_dropped_when_their_key_goes(void **state)
{
	(void)state;
	other_rtds_record("warm-1");
	assert_int_equal(standby_put(sb, "warm-1", &rec, sizeof(rec)), 0);
	assert_int_equal(standby_put(sb, "warm-1", &rec, sizeof(rec)), 0);
	assert_int_equal(sb->n, 1);
	assert_non_null(standby_find(sb, "warm-1"));
	assert_true(standby_del(sb, "warm-1"));
	assert_false(standby_del(sb, "warm-1"));
	assert_null(standby_find(sb, "warm-1"));
	assert_int_equal(sb->n, 0);
}

static void test_what_is_not_a_record_of_its_key_is_refused(void **state)
{
	struct store_rec bad;

	(void)state;
	other_rtds_record("warm-1");
	assert_int_equal(standby_put(sb, "warm-2", &rec, sizeof(rec)), -EBADMSG);
	assert_int_equal(standby_put(sb, "warm-1", &rec, sizeof(rec) - 1), -EBADMSG);
	bad = rec;
	bad.call.nmedia ^= 1; /* the CRC no longer matches */
	assert_int_equal(standby_put(sb, "warm-1", &bad, sizeof(bad)), -EBADMSG);
	bad = rec;
	bad.version++;
	assert_int_equal(standby_put(sb, "warm-1", &bad, sizeof(bad)), -EBADMSG);
	assert_int_equal(sb->n, 0);
}

static void test_the_table_is_bounded_and_a_listing_sweeps_what_went(void **state)
{
	struct store_rec r;
	char id[32];

	(void)state;
	other_rtds_record("x");
	for (unsigned i = 0; i <= CALLS_MAX; i++) {
		snprintf(id, sizeof(id), "warm-%u", i);
		r = rec;
		reencode(&r, id);
		assert_int_equal(standby_put(sb, id, &r, sizeof(r)), i < CALLS_MAX ? 0 : -ENOSPC);
	}
	assert_int_equal(sb->n, CALLS_MAX);
	assert_int_equal(sb->full, 1);
	/* A new listing that has one of them: the rest went while it was not followed. */
	sb->gen++;
	r = rec;
	reencode(&r, "warm-7");
	assert_int_equal(standby_put(sb, "warm-7", &r, sizeof(r)), 0);
	standby_sweep(sb);
	assert_int_equal(sb->n, 1);
	assert_non_null(standby_find(sb, "warm-7"));
}

static void test_a_call_is_claimed_only_when_all_its_addresses_are_here(void **state)
{
	(void)state;
	other_rtds_record("warm-1");
	assert_int_equal(standby_decide(&rec, fake_is_local, NULL), STANDBY_WAIT);
	service_here = true;
	assert_int_equal(standby_decide(&rec, fake_is_local, NULL), STANDBY_CLAIM);
	/* One leg on an address still elsewhere (an IPv6 leg of a bridged call). */
	rec.st[CALL_STREAM(0, 1, 0)].local.family = AF_INET6;
	assert_int_equal(standby_decide(&rec, fake_is_local, NULL), STANDBY_WAIT);
	/* No stream knows its local address yet: nothing says the call is ours. */
	memset(rec.st, 0, sizeof(rec.st));
	assert_int_equal(standby_decide(&rec, fake_is_local, NULL), STANDBY_WAIT);
}

static void test_the_claim_takes_any_free_slots_and_relays_without_a_new_offer(void **state)
{
	const struct call *c;
	struct rcmd cmd;
	unsigned adds = 0, latches = 0;
	bool counted = false;

	(void)state;
	other_rtds_record("warm-1");
	standby_host();
	/* This host's own call holds the slot and stream slots the record names. */
	call_up("mine");
	assert_int_equal(calls_restore(&ng->calls, rec.slot, &rec.call, rec.st, clock_ns()),
			 -EEXIST);
	/* Its ports are another pair: the record says where its peers send. */
	for (int leg = 0; leg < 2; leg++)
		rec.call.media[0].leg[leg].port += 4;
	reencode(&rec, NULL);
	drain(0);
	assert_int_equal(standby_put(sb, "warm-1", &rec, sizeof(rec)), 0);
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL, clock_ns()), 0);
	service_here = true;
	__atomic_store_n(&ng->ready, true, __ATOMIC_RELEASE);
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL, clock_ns()), 1);
	assert_int_equal(sb->n, 0);
	c = calls_find(&ng->calls, "warm-1");
	assert_non_null(c);
	assert_int_equal(ng->calls.ncalls, 2);
	for (int leg = 0; leg < 2; leg++) {
		uint16_t p = rec.call.media[0].leg[leg].port;

		assert_int_equal(c->media[0].leg[leg].port, p);
		assert_true(steered[p] && steered[p + 1]);
		assert_false(portset_has(&ng->calls.free_ports, p));
		assert_int_not_equal(c->media[0].leg[leg].sidx[0], rec.call.media[0].leg[leg].sidx[0]);
	}
	while (!ring_pop(&relay->cmds, &cmd)) {
		adds += cmd.op == RCMD_ADD;
		latches += cmd.op == RCMD_LATCH && cmd.idx == c->media[0].leg[0].sidx[0] &&
			   cmd.peer.port == 40000;
		counted |= cmd.op == RCMD_ADD && cmd.idx == c->media[0].leg[0].sidx[0] &&
			   cmd.base_packets == 250;
	}
	assert_int_equal(adds, 4);
	assert_int_equal(latches, 1);
	assert_true(counted);
	/* Ended, it gives back what it took. */
	calls_free(&ng->calls, calls_find(&ng->calls, "warm-1"));
	assert_true(portset_has(&ng->calls.free_ports, rec.call.media[0].leg[0].port));
}

static void test_a_call_whose_ports_are_taken_here_is_refused_once_and_kept(void **state)
{
	(void)state;
	other_rtds_record("warm-1");
	standby_host();
	call_up("mine"); /* the same first port pairs */
	assert_int_equal(standby_put(sb, "warm-1", &rec, sizeof(rec)), 0);
	service_here = true;
	ng->ready = true;
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL, clock_ns()), 0);
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL,
				      clock_ns() + 2 * STANDBY_RETRY_MS * NSEC_PER_MSEC),
			 0);
	assert_int_equal(sb->refused, 1);
	assert_int_equal(sb->n, 1);
	assert_null(calls_find(&ng->calls, "warm-1"));
	/* Freed here, the ports take it at the next try. */
	calls_free(&ng->calls, calls_find(&ng->calls, "mine"));
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL,
				      clock_ns() + 4 * STANDBY_RETRY_MS * NSEC_PER_MSEC),
			 1);
}

static void test_a_call_this_rtd_has_already_is_dropped_not_claimed(void **state)
{
	(void)state;
	other_rtds_record("warm-1"); /* and still in this table: its state dir brought it back */
	assert_int_equal(standby_put(sb, "warm-1", &rec, sizeof(rec)), 0);
	service_here = true;
	ng->ready = true;
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL, clock_ns()), 0);
	assert_int_equal(sb->n, 0);
	assert_int_equal(sb->refused, 0);
	assert_int_equal(ng->calls.ncalls, 1);
}

static void test_one_tick_asks_once_per_address_however_many_calls(void **state)
{
	struct store_rec r;
	char id[32];

	(void)state;
	other_rtds_record("x");
	for (unsigned i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "warm-%u", i);
		r = rec;
		reencode(&r, id);
		assert_int_equal(standby_put(sb, id, &r, sizeof(r)), 0);
	}
	ng->ready = true;
	assert_int_equal(standby_tick(sb, ng, fake_is_local, NULL, clock_ns()), 0);
	assert_int_equal(asked, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_sb, teardown_sb)
	const struct CMUnitTest tests[] = {
		T(test_records_are_kept_replaced_and_dropped_when_their_key_goes),
		T(test_what_is_not_a_record_of_its_key_is_refused),
		T(test_the_table_is_bounded_and_a_listing_sweeps_what_went),
		T(test_a_call_is_claimed_only_when_all_its_addresses_are_here),
		T(test_the_claim_takes_any_free_slots_and_relays_without_a_new_offer),
		T(test_a_call_whose_ports_are_taken_here_is_refused_once_and_kept),
		T(test_a_call_this_rtd_has_already_is_dropped_not_claimed),
		T(test_one_tick_asks_once_per_address_however_many_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
