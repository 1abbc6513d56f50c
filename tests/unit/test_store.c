// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Calls kept across a restart: written as they change, read back into a
 * fresh relay with their ports, steering, latched peers and counters, and
 * what cannot come back is left out and removed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "apps/relay/store.h"
#include "lib/clock.h"
#include "ng_harness.h"

static char dir[64];
static char msg[4096];

static int setup_store(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/rtd-store-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return setup(state);
}

static int teardown_store(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' || strlen(e->d_name) > 2)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
	return teardown(state);
}

static void call_up(const char *id)
{
	static const char offer[] = "v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio 40000 RTP/AVP 0\r\n";
	static const char answer[] = "v=0\r\nc=IN IP4 198.18.0.3\r\nm=audio 40002 RTP/AVP 0\r\n";

	snprintf(msg, sizeof(msg),
		 "o-%s d7:command5:offer7:call-id%zu:%s8:from-tag2:ft5:flagsl13:strict-sourcee"
		 "3:sdp%zu:%se",
		 id, strlen(id), id, strlen(offer), offer);
	assert_non_null(strstr(send_msg(msg, &lo), "2:ok"));
	snprintf(msg, sizeof(msg), "a-%s d7:command6:answer7:call-id%zu:%s8:from-tag2:ft6:to-tag2:tt3:sdp%zu:%se",
		 id, strlen(id), id, strlen(answer), answer);
	assert_non_null(strstr(send_msg(msg, &lo), "2:ok"));
}

static unsigned files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, "call-", 5);
	if (d)
		closedir(d);
	return n;
}

/* As the RT thread would have it: the caller's RTP stream latched, with counters. */
static void media_flowed(const struct call *call)
{
	struct rstream *s = &relay->streams[call->media[0].leg[0].sidx[0]];

	s->latched = true;
	s->peer.family = AF_INET;
	inet_pton(AF_INET, "198.18.0.7", &s->peer.addr.s6_addr[12]);
	s->peer.addr.s6_addr[10] = s->peer.addr.s6_addr[11] = 0xff;
	s->peer.port = 41000;
	s->packets = 500;
	s->bytes = 86000;
	/* The callee's, as its SDP named it and the RT side took it, not latched. */
	s = &relay->streams[call->media[0].leg[1].sidx[0]];
	s->peer.family = AF_INET;
	s->peer.addr = relay->streams[call->media[0].leg[0].sidx[0]].peer.addr;
	s->peer.addr.s6_addr[15] = 3;
	s->peer.port = 40002;
}

/* A fresh relay, as the next start has it. */
static void restart(void)
{
	ng_free(ng);
	ring_free(&relay->cmds);
	free(relay);
	setup_ports("30000-30009");
}

static void test_a_call_is_written_then_restored_with_its_latched_peer_and_counters(void **state)
{
	struct store *st;
	struct call saved;
	struct rcmd c;
	unsigned adds = 0, latches = 0, peers = 0;
	bool counted = false, peer_ok = false, sdp_peer_ok = false;

	(void)state;
	call_up("keep-1");
	saved = *calls_find(&ng->calls, "keep-1");
	media_flowed(&saved);
	assert_int_equal(store_new(&st, dir, ng), 0);
	assert_int_equal(store_scan(st), 0);
	assert_int_equal(files(), 1);
	store_free(st);

	restart();
	drain(0);
	assert_int_equal(store_restore(dir, &ng->calls, clock_ns()), 1);
	assert_non_null(calls_find(&ng->calls, "keep-1"));
	assert_int_equal(ng->calls.ncalls, 1);
	/* Its ports are taken and steered again, and no new call gets them. */
	for (int leg = 0; leg < 2; leg++) {
		uint16_t p = saved.media[0].leg[leg].port;

		assert_false(portset_has(&ng->calls.free_ports, p));
		assert_true(steered[p] && steered[p + 1]);
	}
	while (!ring_pop(&relay->cmds, &c)) {
		adds += c.op == RCMD_ADD;
		if (c.op == RCMD_PEER) {
			peers++;
			sdp_peer_ok = c.idx == saved.media[0].leg[1].sidx[0] && c.peer.port == 40002;
		}
		if (c.op == RCMD_ADD && c.idx == saved.media[0].leg[0].sidx[0])
			counted = c.base_packets == 500 && c.base_bytes == 86000 && c.strict;
		if (c.op == RCMD_LATCH) {
			latches++;
			peer_ok = c.idx == saved.media[0].leg[0].sidx[0] && c.peer.port == 41000;
		}
	}
	assert_int_equal(adds, 4);
	assert_int_equal(latches, 1);
	assert_true(peer_ok);
	assert_true(counted);
	/* Streams the harness's RT side knows nothing of get nothing more. */
	assert_int_equal(peers, 1);
	assert_true(sdp_peer_ok);
	/* The restored call answers queries as before. */
	assert_non_null(strstr(send_msg("q1 d7:command5:query7:call-id6:keep-1e", &lo), "2:ok"));
}

static void test_a_deleted_call_is_removed_and_unchanged_ones_are_not_rewritten(void **state)
{
	struct store *st;
	struct stat before, after;
	char path[128];

	(void)state;
	call_up("keep-1");
	call_up("keep-2");
	assert_int_equal(store_new(&st, dir, ng), 0);
	assert_int_equal(store_scan(st), 0);
	assert_int_equal(files(), 2);
	snprintf(path, sizeof(path), "%s/call-%04u", dir,
		 (unsigned)(calls_find(&ng->calls, "keep-2") - ng->calls.call));
	assert_int_equal(stat(path, &before), 0);
	usleep(10000);
	assert_int_equal(store_scan(st), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	assert_non_null(strstr(send_msg("d1 d7:command6:delete7:call-id6:keep-1e", &lo), "2:ok"));
	assert_int_equal(store_scan(st), 0);
	assert_int_equal(files(), 1);
	store_free(st);
}

static void test_damaged_or_foreign_records_are_left_out_and_removed(void **state)
{
	struct store *st;
	struct store_rec r;
	char path[128];
	FILE *f;

	(void)state;
	call_up("keep-1");
	assert_int_equal(store_new(&st, dir, ng), 0);
	assert_int_equal(store_scan(st), 0);
	store_free(st);
	snprintf(path, sizeof(path), "%s/call-%04u", dir,
		 (unsigned)(calls_find(&ng->calls, "keep-1") - ng->calls.call));
	f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(fread(&r, 1, sizeof(r), f), sizeof(r));
	/* Another version's, then one flipped byte, then a record in the wrong file. */
	r.version++;
	assert_int_equal(store_check(&r, sizeof(r)), -EPROTO);
	r.version--;
	r.call.call_id[0] ^= 1;
	assert_int_equal(store_check(&r, sizeof(r)), -EBADMSG);
	assert_int_equal(store_check(&r, sizeof(r) - 1), -EBADMSG);
	rewind(f);
	fwrite(&r, 1, sizeof(r), f);
	fclose(f);
	restart();
	assert_int_equal(store_restore(dir, &ng->calls, clock_ns()), 0);
	assert_int_equal(ng->calls.ncalls, 0);
	assert_int_equal(files(), 0);
}

static void test_a_call_whose_ports_left_the_rt_set_is_not_restored(void **state)
{
	struct store *st;

	(void)state;
	call_up("keep-1");
	assert_int_equal(store_new(&st, dir, ng), 0);
	assert_int_equal(store_scan(st), 0);
	store_free(st);
	ng_free(ng);
	ring_free(&relay->cmds);
	free(relay);
	setup_ports("31000-31009");
	assert_int_equal(store_restore(dir, &ng->calls, clock_ns()), 0);
	assert_int_equal(files(), 0);
	/* No directory at all is no call at all. */
	assert_int_equal(store_restore("/nonexistent/rtd", &ng->calls, clock_ns()), 0);
}

/*
 * A record can come from Redis, which another host writes: with a good
 * CRC but indices out of their arrays or strings without their NUL, it is
 * refused before anything is taken, and the table stays as it was.
 */
static void test_a_record_with_impossible_fields_is_refused_whatever_its_crc(void **state)
{
	struct call_stream_state st[CALL_STREAMS] = { 0 };
	const struct call *good;
	struct call bad;
	unsigned nfree;

	(void)state;
	call_up("keep-1");
	good = calls_find(&ng->calls, "keep-1");
	assert_non_null(good);
	bad = *good;
	restart();
	nfree = ng->calls.nfree_idx;
	bad.media[0].leg[0].sec.mode = CALL_SEC_SDES;
	bad.media[0].leg[0].sec.npeer = 1;
	bad.media[0].leg[0].sec.peer_i = 100;
	assert_int_equal(calls_restore(&ng->calls, 0, &bad, st, clock_ns()), -EINVAL);
	bad.media[0].leg[0].sec.peer_i = -1;
	bad.media[0].leg[0].sec.nfps = 200;
	assert_int_equal(calls_restore(&ng->calls, 0, &bad, st, clock_ns()), -EINVAL);
	bad.media[0].leg[0].sec.nfps = 0;
	memset(bad.leg[1].tag, 'x', sizeof(bad.leg[1].tag));
	assert_int_equal(calls_restore(&ng->calls, 0, &bad, st, clock_ns()), -EINVAL);
	bad.leg[1].tag[0] = 0;
	bad.media[0].leg[1].sec.mode = 9;
	assert_int_equal(calls_restore(&ng->calls, 0, &bad, st, clock_ns()), -EINVAL);
	assert_int_equal(ng->calls.ncalls, 0);
	assert_int_equal(ng->calls.nfree_idx, nfree);
	/* The same call, its fields whole, comes back. */
	bad.media[0].leg[1].sec.mode = CALL_SEC_NONE;
	assert_int_equal(calls_restore(&ng->calls, 0, &bad, st, clock_ns()), 0);
	assert_int_equal(ng->calls.ncalls, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_store, teardown_store)
	const struct CMUnitTest tests[] = {
		T(test_a_call_is_written_then_restored_with_its_latched_peer_and_counters),
		T(test_a_deleted_call_is_removed_and_unchanged_ones_are_not_rewritten),
		T(test_damaged_or_foreign_records_are_left_out_and_removed),
		T(test_a_call_whose_ports_left_the_rt_set_is_not_restored),
		T(test_a_record_with_impossible_fields_is_refused_whatever_its_crc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
