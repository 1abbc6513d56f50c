// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The relay's DTLS-SRTP engine: two connections of it handshake through an
 * in-memory wire that may lose, duplicate or reorder flights; the
 * identity against the openssl command line; a=fingerprint and a=setup;
 * and damaged datagrams that must never leave a connection done.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "apps/relay/dtls.h"
#include "dtls_harness.h"

/* rtd's identity and a peer's, made once: a P-256 key costs a millisecond. */
static struct rdtls_identity *rtd_id, *peer_id;

static int group_setup(void **state)
{
	(void)state;
	rtd_id = harness_identity();
	peer_id = harness_identity();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rdtls_identity_free(rtd_id);
	rdtls_identity_free(peer_id);
	return 0;
}

static uint64_t ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* ---- An in-memory wire ---- */

#define WIRE_MAX 128

/* Direction 0 is client to server, 1 server to client.  A fate says how
 * many copies of the idx-th datagram of a side's flight-th flight (one
 * call's output) arrive: 0, 1 or 2; NULL is a perfect wire. */
typedef unsigned (*wire_fate)(void *arg, int dir, unsigned flight, unsigned idx);

struct wire {
	uint8_t q[2][WIRE_MAX][RDTLS_DGRAM_MAX];
	uint16_t len[2][WIRE_MAX];
	unsigned n[2];       /* queued, delivered in order */
	unsigned flights[2]; /* non-empty outputs so far */
	unsigned datagrams[2];
	size_t biggest;
	bool reverse;        /* each flight arrives last datagram first */
	wire_fate fate;
	void *arg;
	struct rdtls_out out;
};

static struct wire *wire_new(wire_fate fate, void *arg)
{
	struct wire *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->fate = fate;
	w->arg = arg;
	return w;
}

static void wire_push(struct wire *w, int dir, const uint8_t *d, size_t len)
{
	assert_true(w->n[dir] < WIRE_MAX);
	memcpy(w->q[dir][w->n[dir]], d, len);
	w->len[dir][w->n[dir]++] = (uint16_t)len;
}

/* What a side just yielded (w->out) onto the wire toward the other. */
static void wire_put(struct wire *w, int dir)
{
	const struct rdtls_out *o = &w->out;

	if (!o->n)
		return;
	for (unsigned k = 0; k < o->n; k++) {
		unsigned i = w->reverse ? o->n - 1 - k : k;
		unsigned copies = w->fate ? w->fate(w->arg, dir, w->flights[dir], i) : 1;

		if (o->len[i] > w->biggest)
			w->biggest = o->len[i];
		w->datagrams[dir]++;
		while (copies--)
			wire_push(w, dir, o->data[i], o->len[i]);
	}
	w->flights[dir]++;
}

/* Every datagram queued toward side `to` (0 the server, 1 the client... by
 * direction: queue dir goes to conns[1 - dir]'s peer). */
static bool wire_deliver(struct wire *w, struct rdtls_conn *conn[2])
{
	bool any = false;

	for (int dir = 0; dir < 2; dir++) {
		struct rdtls_conn *to = conn[1 - dir];
		unsigned n = w->n[dir];
		static uint8_t d[WIRE_MAX][RDTLS_DGRAM_MAX];
		static uint16_t len[WIRE_MAX];

		memcpy(d, w->q[dir], sizeof(d));
		memcpy(len, w->len[dir], sizeof(len));
		w->n[dir] = 0;
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(rdtls_conn_feed(to, d[i], len[i], &w->out), 0);
			wire_put(w, 1 - dir);
			any = true;
		}
	}
	return any;
}

static bool busy(struct rdtls_conn *c)
{
	return rdtls_conn_state(c) == RDTLS_HANDSHAKING;
}

/*
 * Client and server talk until neither handshakes and nothing is in
 * flight, or budget_ms passes; timers run as the integrating thread would
 * run them.  conn[0] is the client, conn[1] the server.
 */
static void wire_run(struct wire *w, struct rdtls_conn *cl, struct rdtls_conn *sv,
		     unsigned budget_ms)
{
	struct rdtls_conn *conn[2] = { cl, sv };
	uint64_t end = ms_now() + budget_ms;

	while (ms_now() < end) {
		int wait = -1;

		for (int i = 0; i < 2; i++)
			if (rdtls_conn_timeout_ms(conn[i]) == 0) {
				assert_int_equal(rdtls_conn_timer(conn[i], &w->out), 0);
				wire_put(w, i);
			}
		if (wire_deliver(w, conn))
			continue;
		if (!busy(cl) && !busy(sv))
			return;
		for (int i = 0; i < 2; i++) {
			int t = rdtls_conn_timeout_ms(conn[i]);

			if (t >= 0 && (wait < 0 || t < wait))
				wait = t;
		}
		if (wait > 0) {
			struct timespec ts = { 0, (wait > 5 ? 5 : wait) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}

static void assert_mirrored(struct rdtls_conn *cl, struct rdtls_conn *sv, uint16_t profile)
{
	struct rdtls_keys a, b;

	assert_int_equal(rdtls_conn_state(cl), RDTLS_DONE);
	assert_int_equal(rdtls_conn_state(sv), RDTLS_DONE);
	assert_int_equal(rdtls_conn_keys(cl, &a), 0);
	assert_int_equal(rdtls_conn_keys(sv, &b), 0);
	assert_int_equal(a.profile, profile);
	assert_int_equal(b.profile, profile);
	assert_int_equal(a.key_len, profile == RDTLS_AEAD_AES_256_GCM ? 32 : 16);
	assert_int_equal(a.salt_len, profile >= RDTLS_AEAD_AES_128_GCM ? 12 : 14);
	assert_int_equal(b.key_len, a.key_len);
	assert_int_equal(b.salt_len, a.salt_len);
	assert_memory_equal(a.local.key, b.remote.key, a.key_len);
	assert_memory_equal(a.local.salt, b.remote.salt, a.salt_len);
	assert_memory_equal(a.remote.key, b.local.key, a.key_len);
	assert_memory_equal(a.remote.salt, b.local.salt, a.salt_len);
	assert_memory_not_equal(a.local.key, a.remote.key, a.key_len);
	assert_memory_not_equal(a.local.salt, a.remote.salt, a.salt_len);
}

/* A client of rtd_id against a server of peer_id, and so on. */
static void pair(struct rdtls_conn **cl, struct rdtls_conn **sv, uint16_t cl_profile,
		 unsigned rto_ms)
{
	*cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, cl_profile, rto_ms, 0);
	*sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, rto_ms, 0);
}

static void handshake_with(wire_fate fate, void *arg, bool reverse)
{
	struct rdtls_conn *cl, *sv;
	struct wire *w = wire_new(fate, arg);

	w->reverse = reverse;
	pair(&cl, &sv, 0, 20);
	wire_run(w, cl, sv, 5000);
	assert_mirrored(cl, sv, RDTLS_AEAD_AES_256_GCM);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

/* ---- Handshakes ---- */

static void test_every_profile_handshakes_and_both_sides_export_the_same_keys_mirrored(void **state)
{
	const uint16_t all[] = { RDTLS_AEAD_AES_256_GCM, RDTLS_AEAD_AES_128_GCM,
				 RDTLS_AES128_CM_SHA1_80, RDTLS_AES128_CM_SHA1_32 };

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct rdtls_conn *cl, *sv;
		struct wire *w = wire_new(NULL, NULL);

		pair(&cl, &sv, all[i], 0);
		wire_run(w, cl, sv, 5000);
		assert_mirrored(cl, sv, all[i]);
		assert_string_equal(rdtls_conn_reason(cl), "");
		assert_int_equal(rdtls_conn_timeout_ms(cl), -1);
		assert_int_equal(rdtls_conn_timeout_ms(sv), -1);
		rdtls_conn_free(cl);
		rdtls_conn_free(sv);
		free(w);
	}
}

static void test_rtd_as_server_handshakes_too(void **state)
{
	struct rdtls_conn *cl = harness_conn(peer_id, RDTLS_CLIENT, rtd_id, 0, 0, 0);
	struct rdtls_conn *sv = harness_conn(rtd_id, RDTLS_SERVER, peer_id, 0, 0, 0);
	struct wire *w = wire_new(NULL, NULL);

	(void)state;
	wire_run(w, cl, sv, 5000);
	assert_mirrored(cl, sv, RDTLS_AEAD_AES_256_GCM);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

static void test_the_server_picks_by_its_own_order(void **state)
{
	struct rdtls_fp fp = harness_fp(rtd_id);
	struct rdtls_conn_opts o = {
		.role = RDTLS_SERVER,
		.fps = &fp,
		.nfps = 1,
		.profiles = { RDTLS_AES128_CM_SHA1_32, RDTLS_AES128_CM_SHA1_80 },
	};
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 0, 0), *sv;
	struct wire *w = wire_new(NULL, NULL);

	(void)state;
	assert_int_equal(rdtls_conn_new(&sv, peer_id, &o), 0);
	wire_run(w, cl, sv, 5000);
	assert_mirrored(cl, sv, RDTLS_AES128_CM_SHA1_32);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

static void test_no_common_profile_fails_the_handshake(void **state)
{
	struct rdtls_fp fp = harness_fp(rtd_id);
	struct rdtls_conn_opts o = {
		.role = RDTLS_SERVER, .fps = &fp, .nfps = 1, .profiles = { RDTLS_AEAD_AES_128_GCM },
	};
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id,
					     RDTLS_AES128_CM_SHA1_80, 20, 1000), *sv;
	struct wire *w = wire_new(NULL, NULL);
	struct rdtls_keys k;

	(void)state;
	assert_int_equal(rdtls_conn_new(&sv, peer_id, &o), 0);
	wire_run(w, cl, sv, 3000);
	/* OpenSSL's server goes on without use_srtp; rtd's client refuses. */
	assert_int_equal(rdtls_conn_state(cl), RDTLS_FAILED);
	assert_non_null(strstr(rdtls_conn_reason(cl), "no SRTP profile"));
	assert_int_not_equal(rdtls_conn_state(sv), RDTLS_DONE);
	assert_int_equal(rdtls_conn_keys(cl, &k), -ENOTCONN);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

static void test_flights_are_cut_to_the_mtu(void **state)
{
	struct rdtls_conn *cl, *sv;
	struct wire *w = wire_new(NULL, NULL);

	(void)state;
	pair(&cl, &sv, 0, 0);
	wire_run(w, cl, sv, 5000);
	assert_int_equal(rdtls_conn_state(sv), RDTLS_DONE);
	assert_true(w->biggest <= RDTLS_MTU);
	/* ClientHello; the server's first flight; the client's; CCS+Finished. */
	assert_int_equal(w->flights[0], 2);
	assert_int_equal(w->flights[1], 2);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

/* ---- Loss, duplication, reordering ---- */

struct drop {
	int dir;
	unsigned flight;
	int idx; /* -1: the whole flight */
};

static unsigned drop_one(void *arg, int dir, unsigned flight, unsigned idx)
{
	const struct drop *d = arg;

	return dir == d->dir && flight == d->flight && (d->idx < 0 || (unsigned)d->idx == idx)
		       ? 0
		       : 1;
}

static void test_a_lost_clienthello_is_sent_again(void **state)
{
	struct drop d = { 0, 0, -1 };

	(void)state;
	handshake_with(drop_one, &d, false);
}

static void test_a_lost_server_flight_is_sent_again(void **state)
{
	struct drop d = { 1, 0, -1 };

	(void)state;
	handshake_with(drop_one, &d, false);
}

static void test_one_lost_datagram_of_a_flight_is_recovered(void **state)
{
	struct drop d = { 1, 0, 0 };

	(void)state;
	handshake_with(drop_one, &d, false);
	d.idx = 1;
	handshake_with(drop_one, &d, false);
}

static void test_a_lost_client_finished_flight_is_sent_again(void **state)
{
	struct drop d = { 0, 1, -1 };

	(void)state;
	handshake_with(drop_one, &d, false);
}

/* The server is done when its last flight leaves: it answers the client's
 * retransmission of its own flight from the done state. */
static void test_a_lost_last_flight_is_answered_by_the_done_server(void **state)
{
	struct drop d = { 1, 1, -1 };

	(void)state;
	handshake_with(drop_one, &d, false);
}

static unsigned twice(void *arg, int dir, unsigned flight, unsigned idx)
{
	(void)arg;
	(void)dir;
	(void)flight;
	(void)idx;
	return 2;
}

static void test_every_datagram_arriving_twice_is_harmless(void **state)
{
	(void)state;
	handshake_with(twice, NULL, false);
}

static void test_flights_arriving_in_reverse_order_complete(void **state)
{
	(void)state;
	handshake_with(NULL, NULL, true);
}

static unsigned lose_all(void *arg, int dir, unsigned flight, unsigned idx)
{
	(void)arg;
	(void)dir;
	(void)flight;
	(void)idx;
	return 0;
}

static void test_a_peer_that_never_answers_fails_by_the_deadline(void **state)
{
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 20, 300);
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 20, 60000);
	struct wire *w = wire_new(lose_all, NULL);
	uint64_t t0 = ms_now(), took;
	struct rdtls_stats st;

	(void)state;
	while (busy(cl) && ms_now() - t0 < 3000)
		wire_run(w, cl, sv, 10);
	took = ms_now() - t0;
	assert_int_equal(rdtls_conn_state(cl), RDTLS_FAILED);
	assert_string_equal(rdtls_conn_reason(cl), "the handshake timed out after 300 ms");
	assert_true(took >= 300 && took < 1000);
	rdtls_conn_stats(cl, &st);
	/* 20, 40, 80, 160 ms: the ClientHello went out four more times. */
	assert_true(st.retransmits >= 3 && st.retransmits <= 4);
	assert_int_equal(w->datagrams[0], 1 + st.retransmits);
	assert_int_equal(rdtls_conn_timeout_ms(cl), -1);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

static void test_a_server_that_hears_no_clienthello_fails_by_the_deadline(void **state)
{
	struct rdtls_conn *sv = harness_conn(rtd_id, RDTLS_SERVER, peer_id, 0, 0, 2000);
	struct rdtls_out out;
	int t = rdtls_conn_timeout_ms(sv);

	(void)state;
	assert_true(t > 1900 && t <= 2000);
	assert_int_equal(rdtls_conn_timer(sv, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(rdtls_conn_state(sv), RDTLS_HANDSHAKING);
	rdtls_conn_free(sv);
	sv = harness_conn(rtd_id, RDTLS_SERVER, peer_id, 0, 0, 50);
	usleep(60 * 1000);
	assert_int_equal(rdtls_conn_timeout_ms(sv), 0);
	assert_int_equal(rdtls_conn_timer(sv, &out), 0);
	assert_int_equal(rdtls_conn_state(sv), RDTLS_FAILED);
	assert_string_equal(rdtls_conn_reason(sv), "the handshake timed out after 50 ms");
	rdtls_conn_free(sv);
}

static void test_a_fresh_client_is_due_at_once_and_sends_one_clienthello(void **state)
{
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 0, 0);
	struct rdtls_out out;
	int t;

	(void)state;
	assert_int_equal(rdtls_conn_timeout_ms(cl), 0);
	assert_int_equal(rdtls_conn_timer(cl, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.data[0][0], 22);  /* handshake */
	assert_int_equal(out.data[0][13], 1);  /* ClientHello */
	t = rdtls_conn_timeout_ms(cl);
	assert_true(t > 300 && t <= RDTLS_RTO_MS);
	/* Early: nothing. */
	assert_int_equal(rdtls_conn_timer(cl, &out), 0);
	assert_int_equal(out.n, 0);
	rdtls_conn_free(cl);
}

/* ---- The peer's certificate ---- */

static void test_a_wrong_expected_fingerprint_fails_with_the_fingerprint_reason(void **state)
{
	/* The client expects rtd_id's certificate where peer_id's comes. */
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, rtd_id, 0, 20, 1000);
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 20, 1000);
	struct wire *w = wire_new(NULL, NULL);
	struct rdtls_fp seen;
	char head[40];
	struct rdtls_keys k;

	(void)state;
	wire_run(w, cl, sv, 3000);
	assert_int_equal(rdtls_conn_state(cl), RDTLS_FAILED);
	assert_non_null(strstr(rdtls_conn_reason(cl),
			       "the peer's certificate fingerprint differs from the SDP's"));
	/* It names what came: peer_id's first bytes. */
	assert_int_equal(rdtls_identity_digest(peer_id, RDTLS_SHA256, &seen), 0);
	snprintf(head, sizeof(head), "sha-256 %02X:%02X:%02X", seen.md[0], seen.md[1], seen.md[2]);
	assert_non_null(strstr(rdtls_conn_reason(cl), head));
	assert_null(strchr(rdtls_conn_reason(cl), '\n'));
	/* The server hears the client's alert. */
	assert_int_equal(rdtls_conn_state(sv), RDTLS_FAILED);
	assert_string_equal(rdtls_conn_reason(sv), "the peer sent a fatal alert: bad certificate");
	assert_int_equal(rdtls_conn_keys(sv, &k), -ENOTCONN);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

static void test_a_server_refuses_a_client_certificate_the_sdp_did_not_name(void **state)
{
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 20, 1000);
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, peer_id, 0, 20, 1000);
	struct wire *w = wire_new(NULL, NULL);

	(void)state;
	wire_run(w, cl, sv, 3000);
	assert_int_equal(rdtls_conn_state(sv), RDTLS_FAILED);
	assert_non_null(strstr(rdtls_conn_reason(sv), "fingerprint differs from the SDP's"));
	assert_int_equal(rdtls_conn_state(cl), RDTLS_FAILED);
	assert_non_null(strstr(rdtls_conn_reason(cl), "fatal alert"));
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
}

/* Runs a handshake where the client holds fps for the server; whether done. */
static bool handshake_against(const struct rdtls_fp *fps, unsigned n)
{
	struct rdtls_conn_opts o = { .role = RDTLS_CLIENT, .fps = fps, .nfps = n, .rto_ms = 20,
				     .deadline_ms = 1000 };
	struct rdtls_conn *cl, *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 20, 1000);
	struct wire *w = wire_new(NULL, NULL);
	bool done;

	assert_int_equal(rdtls_conn_new(&cl, rtd_id, &o), 0);
	wire_run(w, cl, sv, 3000);
	done = rdtls_conn_state(cl) == RDTLS_DONE;
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	free(w);
	return done;
}

static void test_with_several_fingerprints_the_strongest_hash_decides(void **state)
{
	struct rdtls_fp good1, good256, good512, bad256 = harness_fp(rtd_id), fps[3];

	(void)state;
	assert_int_equal(rdtls_identity_digest(peer_id, RDTLS_SHA1, &good1), 0);
	assert_int_equal(rdtls_identity_digest(peer_id, RDTLS_SHA256, &good256), 0);
	assert_int_equal(rdtls_identity_digest(peer_id, RDTLS_SHA512, &good512), 0);
	fps[0] = good1;
	fps[1] = bad256;
	assert_false(handshake_against(fps, 2)); /* sha-256 is stronger, and wrong */
	fps[0] = bad256;
	fps[1] = good256;
	assert_true(handshake_against(fps, 2)); /* one of the sha-256 ones */
	fps[0] = bad256;
	fps[1] = good1;
	fps[2] = good512;
	assert_true(handshake_against(fps, 3));
	assert_true(handshake_against(&good1, 1));
}

/* ---- Damaged input ---- */

/* A real ClientHello from a client of rtd_id, into d; its length. */
static size_t a_clienthello(uint8_t *d)
{
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 0, 0);
	struct rdtls_out out;
	size_t n;

	assert_int_equal(rdtls_conn_timer(cl, &out), 0);
	assert_int_equal(out.n, 1);
	n = out.len[0];
	memcpy(d, out.data[0], n);
	rdtls_conn_free(cl);
	return n;
}

static void assert_not_done(struct rdtls_conn *c)
{
	struct rdtls_keys k;

	assert_int_not_equal(rdtls_conn_state(c), RDTLS_DONE);
	assert_int_not_equal(rdtls_conn_keys(c, &k), 0);
}

static void test_every_truncation_of_a_clienthello_leaves_the_server_waiting(void **state)
{
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 0, 0);
	struct rdtls_out out;
	uint8_t hello[RDTLS_DGRAM_MAX];
	size_t n = a_clienthello(hello);

	(void)state;
	for (size_t len = 0; len < n; len++) {
		uint8_t *cut = malloc(len ? len : 1);

		memcpy(cut, hello, len);
		assert_int_equal(rdtls_conn_feed(sv, cut, len, &out), 0);
		free(cut);
		/* Dropped or restarted from: nothing leaves, nothing ends. */
		assert_int_equal(out.n, 0);
		assert_int_equal(rdtls_conn_state(sv), RDTLS_HANDSHAKING);
	}
	/* Still a server: the whole ClientHello is answered. */
	assert_int_equal(rdtls_conn_feed(sv, hello, n, &out), 0);
	assert_true(out.n >= 1);
	assert_int_equal(out.data[0][13], 2); /* ServerHello */
	rdtls_conn_free(sv);
}

/* A one-record ClientHello as two records of two fragments (RFC 6347
 * section 4.2.3), split at byte `at` of its body. */
static void fragment(const uint8_t *hello, size_t n, size_t at, uint8_t f[2][RDTLS_DGRAM_MAX],
		     size_t len[2])
{
	size_t body = n - 25;

	for (int i = 0; i < 2; i++) {
		size_t off = i ? at : 0, part = i ? body - at : at;

		memcpy(f[i], hello, 25);
		f[i][10] = (uint8_t)(hello[10] + i);   /* the record's sequence number */
		f[i][11] = (uint8_t)((12 + part) >> 8); /* its length */
		f[i][12] = (uint8_t)(12 + part);
		f[i][19] = 0;                           /* fragment offset */
		f[i][20] = (uint8_t)(off >> 8);
		f[i][21] = (uint8_t)off;
		f[i][22] = 0;                           /* fragment length */
		f[i][23] = (uint8_t)(part >> 8);
		f[i][24] = (uint8_t)part;
		memcpy(f[i] + 25, hello + 25 + off, part);
		len[i] = 25 + part;
	}
}

static void test_a_clienthello_in_fragments_is_answered_in_any_order(void **state)
{
	uint8_t hello[RDTLS_DGRAM_MAX], f[2][RDTLS_DGRAM_MAX];
	size_t n = a_clienthello(hello), len[2];
	struct rdtls_out out;

	(void)state;
	fragment(hello, n, 100, f, len);
	for (int first = 0; first < 2; first++) {
		struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 0, 0);

		assert_int_equal(rdtls_conn_feed(sv, f[first], len[first], &out), 0);
		assert_int_equal(out.n, 0);
		assert_int_equal(rdtls_conn_feed(sv, f[!first], len[!first], &out), 0);
		assert_true(out.n >= 1);
		assert_int_equal(out.data[0][13], 2); /* ServerHello */
		rdtls_conn_free(sv);
	}
}

/* A forged first fragment that claims another length would hold message 0
 * forever; the whole ClientHello that follows starts the server afresh. */
static void test_a_forged_fragment_does_not_wedge_the_server(void **state)
{
	uint8_t hello[RDTLS_DGRAM_MAX], f[2][RDTLS_DGRAM_MAX];
	size_t n = a_clienthello(hello), len[2];
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 0, 0);
	struct rdtls_stats st;
	struct rdtls_out out;

	(void)state;
	fragment(hello, n, 100, f, len);
	f[0][16] ^= 0x40; /* the message's total length */
	assert_int_equal(rdtls_conn_feed(sv, f[0], len[0], &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(rdtls_conn_feed(sv, hello, n, &out), 0);
	assert_true(out.n >= 1);
	assert_int_equal(out.data[0][13], 2);
	rdtls_conn_stats(sv, &st);
	assert_int_equal(st.resets, 1);
	rdtls_conn_free(sv);
}

/*
 * A server fed damaged copies of a real ClientHello, then a real client.
 * A copy it answers (a changed random, say) binds it: DTLS 1.2 takes the
 * first ClientHello, and the real client's then fails its signature check
 * (which is why the integrator feeds only the ICE-verified peer's
 * datagrams).  A server that answered none completes the real handshake.
 */
static void test_a_server_fed_garbage_first_still_completes_a_real_handshake(void **state)
{
	unsigned seed = 5764, completed = 0, bound = 0;
	uint8_t hello[RDTLS_DGRAM_MAX], d[RDTLS_DGRAM_MAX];
	size_t n = a_clienthello(hello);

	(void)state;
	for (int round = 0; round < 40; round++) {
		struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 20, 300);
		struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 20, 300);
		struct wire *w = wire_new(NULL, NULL);
		bool answered = false;

		for (int k = 0; k < 1 + round % 4 && !answered; k++) {
			size_t len = n;

			memcpy(d, hello, n);
			for (int e = 0; e < 1 + rand_r(&seed) % 4; e++)
				d[(size_t)rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
			if (rand_r(&seed) % 3 == 0)
				len = (size_t)rand_r(&seed) % n;
			assert_int_equal(rdtls_conn_feed(sv, d, len, &w->out), 0);
			answered = w->out.n > 0;
			assert_not_done(sv);
		}
		wire_run(w, cl, sv, 5000);
		if (answered) {
			assert_not_done(cl);
			assert_not_done(sv);
			bound++;
		} else {
			assert_mirrored(cl, sv, RDTLS_AEAD_AES_256_GCM);
			completed++;
		}
		rdtls_conn_free(cl);
		rdtls_conn_free(sv);
		free(w);
	}
	print_message("%u servers completed, %u were bound to a damaged ClientHello\n", completed,
		      bound);
	assert_true(completed >= 5 && bound >= 5);
}

static void test_random_bytes_never_make_a_connection_done(void **state)
{
	unsigned seed = 7983;
	struct rdtls_out out;
	uint8_t d[RDTLS_DGRAM_MAX];

	(void)state;
	for (int role = RDTLS_CLIENT; role <= RDTLS_SERVER; role++) {
		struct rdtls_conn *c = harness_conn(rtd_id, role, peer_id, 0, 0, 0);

		if (role == RDTLS_CLIENT)
			assert_int_equal(rdtls_conn_timer(c, &out), 0);
		for (int i = 0; i < 3000; i++) {
			size_t len = 1 + (size_t)rand_r(&seed) % sizeof(d);

			for (size_t k = 0; k < len; k++)
				d[k] = (uint8_t)rand_r(&seed);
			d[0] = (uint8_t)(20 + rand_r(&seed) % 44);
			/* Half of them with a plausible record header. */
			if (i & 1 && len >= 13) {
				d[1] = 0xfe;
				d[2] = 0xfd;
				d[3] = 0;
				d[4] = (uint8_t)(rand_r(&seed) % 3);
				d[11] = (uint8_t)((len - 13) >> 8);
				d[12] = (uint8_t)(len - 13);
			}
			assert_int_equal(rdtls_conn_feed(c, d, len, &out), 0);
			assert_not_done(c);
		}
		rdtls_conn_free(c);
	}
}

static void test_records_of_the_wrong_content_type_are_not_a_clienthello(void **state)
{
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, rtd_id, 0, 0, 0);
	uint8_t hello[RDTLS_DGRAM_MAX], d[RDTLS_DGRAM_MAX];
	size_t n = a_clienthello(hello);
	struct rdtls_out out;

	(void)state;
	for (unsigned type = 20; type < 64; type++) {
		if (type == 22)
			continue;
		memcpy(d, hello, n);
		d[0] = (uint8_t)type;
		assert_int_equal(rdtls_conn_feed(sv, d, n, &out), 0);
		assert_int_equal(out.n, 0);
		assert_int_equal(rdtls_conn_state(sv), RDTLS_HANDSHAKING);
	}
	/* A ClientHello in epoch 1 (nothing to decrypt it with) neither. */
	memcpy(d, hello, n);
	d[4] = 1;
	assert_int_equal(rdtls_conn_feed(sv, d, n, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(rdtls_conn_feed(sv, hello, n, &out), 0);
	assert_true(out.n >= 1);
	rdtls_conn_free(sv);
}

/* A done pair, its wire and the server's keys. */
struct done_pair {
	struct rdtls_conn *cl, *sv;
	struct wire *w;
	struct rdtls_keys keys;
};

static void done_pair(struct done_pair *p)
{
	p->w = wire_new(NULL, NULL);
	pair(&p->cl, &p->sv, 0, 20);
	wire_run(p->w, p->cl, p->sv, 5000);
	assert_mirrored(p->cl, p->sv, RDTLS_AEAD_AES_256_GCM);
	assert_int_equal(rdtls_conn_keys(p->sv, &p->keys), 0);
}

static void done_pair_free(struct done_pair *p)
{
	rdtls_conn_free(p->cl);
	rdtls_conn_free(p->sv);
	free(p->w);
}

static void assert_keys_stand(struct done_pair *p)
{
	struct rdtls_keys k;

	assert_int_equal(rdtls_conn_state(p->sv), RDTLS_DONE);
	assert_int_equal(rdtls_conn_keys(p->sv, &k), 0);
	assert_memory_equal(&k, &p->keys, sizeof(k));
}

static void test_a_second_clienthello_after_done_changes_nothing(void **state)
{
	struct done_pair p;
	uint8_t hello[RDTLS_DGRAM_MAX];
	size_t n = a_clienthello(hello);

	(void)state;
	done_pair(&p);
	assert_int_equal(rdtls_conn_feed(p.sv, hello, n, &p.w->out), 0);
	assert_int_equal(p.w->out.n, 0);
	assert_keys_stand(&p);
	done_pair_free(&p);
}

static void test_garbage_after_done_leaves_the_keys_standing(void **state)
{
	struct done_pair p;
	unsigned seed = 6347;
	uint8_t d[RDTLS_DGRAM_MAX];

	(void)state;
	done_pair(&p);
	for (int i = 0; i < 3000; i++) {
		size_t len = 13 + (size_t)rand_r(&seed) % (sizeof(d) - 13);

		for (size_t k = 0; k < len; k++)
			d[k] = (uint8_t)rand_r(&seed);
		/* Records of epoch 0-2 with right lengths: rejected by MAC or
		 * by epoch, never a close. */
		d[0] = (uint8_t)(20 + rand_r(&seed) % 5);
		d[1] = 0xfe;
		d[2] = 0xfd;
		d[3] = 0;
		d[4] = (uint8_t)(rand_r(&seed) % 3);
		d[11] = (uint8_t)((len - 13) >> 8);
		d[12] = (uint8_t)(len - 13);
		assert_int_equal(rdtls_conn_feed(p.sv, d, len, &p.w->out), 0);
		assert_keys_stand(&p);
	}
	done_pair_free(&p);
}

static void test_oversize_datagrams_are_refused_unread(void **state)
{
	struct rdtls_conn *sv = harness_conn(rtd_id, RDTLS_SERVER, peer_id, 0, 0, 0);
	static uint8_t big[RDTLS_DGRAM_MAX + 1];
	struct rdtls_stats st;
	struct rdtls_out out;

	(void)state;
	big[0] = 22;
	assert_int_equal(rdtls_conn_feed(sv, big, sizeof(big), &out), -EMSGSIZE);
	assert_int_equal(out.n, 0);
	rdtls_conn_stats(sv, &st);
	assert_int_equal(st.oversize, 1);
	assert_int_equal(st.in, 0);
	rdtls_conn_free(sv);
}

/* ---- Closing ---- */

static void test_a_peer_close_notify_after_done_closes_and_voids_the_keys(void **state)
{
	struct done_pair p;
	struct rdtls_out back;
	struct rdtls_keys k;

	(void)state;
	done_pair(&p);
	assert_int_equal(rdtls_conn_close(p.cl, &p.w->out), 0);
	assert_int_equal(p.w->out.n, 1);
	assert_int_equal(p.w->out.data[0][0], 21); /* an alert */
	assert_int_equal(rdtls_conn_state(p.cl), RDTLS_CLOSED);
	assert_string_equal(rdtls_conn_reason(p.cl), "rtd closed the association");
	assert_int_equal(rdtls_conn_feed(p.sv, p.w->out.data[0], p.w->out.len[0], &back), 0);
	assert_int_equal(rdtls_conn_state(p.sv), RDTLS_CLOSED);
	assert_string_equal(rdtls_conn_reason(p.sv), "the peer closed the association (close_notify)");
	assert_int_equal(rdtls_conn_keys(p.sv, &k), -ESHUTDOWN);
	assert_int_equal(rdtls_conn_keys(p.cl, &k), -ESHUTDOWN);
	/* Its own close_notify back (RFC 5246 section 7.2.1). */
	assert_int_equal(back.n, 1);
	assert_int_equal(back.data[0][0], 21);
	/* What comes after is ignored. */
	assert_int_equal(rdtls_conn_feed(p.cl, back.data[0], back.len[0], &p.w->out), 0);
	assert_int_equal(p.w->out.n, 0);
	assert_int_equal(rdtls_conn_state(p.cl), RDTLS_CLOSED);
	done_pair_free(&p);
}

static void test_closing_while_handshaking_fails_quietly(void **state)
{
	struct rdtls_conn *cl = harness_conn(rtd_id, RDTLS_CLIENT, peer_id, 0, 0, 0);
	struct rdtls_out out;

	(void)state;
	assert_int_equal(rdtls_conn_timer(cl, &out), 0);
	assert_int_equal(rdtls_conn_close(cl, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(rdtls_conn_state(cl), RDTLS_FAILED);
	assert_int_equal(rdtls_conn_timeout_ms(cl), -1);
	rdtls_conn_free(cl);
}

/* ---- Bounds and lifetimes ---- */

static void test_the_connection_cap_is_emfile(void **state)
{
	struct rdtls_identity *id;
	struct rdtls_conn *a, *b, *c;
	struct rdtls_fp fp = harness_fp(peer_id);
	struct rdtls_conn_opts o = { .role = RDTLS_SERVER, .fps = &fp, .nfps = 1 };
	char err[128];

	(void)state;
	assert_int_equal(rdtls_identity_new(&id, 2, err, sizeof(err)), 0);
	assert_int_equal(rdtls_conn_new(&a, id, &o), 0);
	assert_int_equal(rdtls_conn_new(&b, id, &o), 0);
	assert_int_equal(rdtls_identity_conns(id), 2);
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EMFILE);
	assert_null(c);
	assert_int_equal(rdtls_identity_conns(id), 2);
	rdtls_conn_free(a);
	assert_int_equal(rdtls_conn_new(&c, id, &o), 0);
	rdtls_conn_free(b);
	rdtls_conn_free(c);
	assert_int_equal(rdtls_identity_conns(id), 0);
	rdtls_identity_free(id);
}

static void test_bad_options_are_einval(void **state)
{
	struct rdtls_fp fp = harness_fp(peer_id), odd = fp;
	struct rdtls_conn_opts o = { .role = RDTLS_SERVER, .fps = &fp, .nfps = 1 };
	struct rdtls_identity *id = harness_identity();
	struct rdtls_conn *c;

	(void)state;
	o.role = RDTLS_ROLE_NONE;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	o.role = RDTLS_SERVER;
	o.nfps = 0;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	o.nfps = RDTLS_PEER_FPS + 1;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	o.nfps = 1;
	odd.len = 20;
	o.fps = &odd;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	o.fps = &fp;
	o.profiles[0] = 0x0003;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	o.profiles[0] = o.profiles[1] = RDTLS_AES128_CM_SHA1_80;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	o.profiles[1] = 0;
	o.rto_ms = RDTLS_RTO_MAX_MS + 1;
	assert_int_equal(rdtls_conn_new(&c, id, &o), -EINVAL);
	assert_int_equal(rdtls_identity_conns(id), 0);
	rdtls_identity_free(id);
}

static void test_connections_keep_their_identity_past_its_owner(void **state)
{
	struct rdtls_identity *id = harness_identity();
	struct rdtls_conn *cl = harness_conn(id, RDTLS_CLIENT, peer_id, 0, 0, 0);
	struct rdtls_conn *sv = harness_conn(peer_id, RDTLS_SERVER, id, 0, 0, 0);
	struct wire *w = wire_new(NULL, NULL);

	(void)state;
	rdtls_identity_free(id);
	wire_run(w, cl, sv, 5000);
	assert_mirrored(cl, sv, RDTLS_AEAD_AES_256_GCM);
	rdtls_conn_free(cl); /* the identity goes here: LeakSanitizer checks */
	rdtls_conn_free(sv);
	free(w);
}

/* ---- The identity ---- */

static X509 *read_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	assert_non_null(x);
	return x;
}

static void test_a_generated_certificate_is_p256_self_signed_for_a_year(void **state)
{
	char pem[4096], pem2[4096], curve[32];
	X509 *x, *y;
	int days, secs;

	(void)state;
	assert_true(rdtls_identity_pem(rtd_id, pem, sizeof(pem)) > 0);
	assert_true(rdtls_identity_pem(peer_id, pem2, sizeof(pem2)) > 0);
	x = read_cert(pem);
	y = read_cert(pem2);
	assert_int_equal(EVP_PKEY_get_id(X509_get0_pubkey(x)), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_utf8_string_param(X509_get0_pubkey(x), "group", curve,
							sizeof(curve), NULL), 1);
	assert_string_equal(curve, "prime256v1");
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(x)), 1);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
					X509_get0_notAfter(x)), 1);
	assert_int_equal(days, 366);
	assert_int_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(y)) != 0,
			 1);
	assert_int_equal(ASN1_STRING_length(X509_get0_serialNumber(x)), 8);
	assert_int_equal(rdtls_identity_pem(rtd_id, pem, 100), -ENOSPC);
	X509_free(x);
	X509_free(y);
}

/* `openssl x509 -fingerprint` of a PEM file, as "sha-256 AB:...". */
static void openssl_fingerprint(const char *path, const char *alg, char *out, size_t cap)
{
	char cmd[300], line[300], *eq;

	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -%s -in '%s'", alg, path);
	assert_int_equal(harness_run(cmd, line, sizeof(line)), 0);
	eq = strchr(line, '=');
	assert_non_null(eq);
	snprintf(out, cap, "%s", eq + 1);
}

static void test_a_generated_fingerprint_is_what_openssl_x509_says(void **state)
{
	char dir[64], path[128], pem[4096], want[256];
	const char *fp = rdtls_identity_fingerprint(rtd_id);
	FILE *f;

	(void)state;
	if (!harness_have("openssl"))
		skip();
	harness_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	assert_true(rdtls_identity_pem(rtd_id, pem, sizeof(pem)) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(pem, f);
	fclose(f);
	openssl_fingerprint(path, "sha256", want, sizeof(want));
	assert_int_equal(strncmp(fp, "sha-256 ", 8), 0);
	assert_string_equal(fp + 8, want);
	harness_rmdir(dir);
}

/* An operator's key and certificate by the openssl command line. */
static void make_pem(const char *dir, const char *name, const char *keyopts)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 %s -nodes -keyout '%s/%s.key' -out '%s/%s.crt' -days 2 "
		 "-subj /CN=%s >/dev/null 2>&1",
		 keyopts, dir, name, dir, name, name);
	assert_int_equal(system(cmd), 0);
}

static int load(const char *dir, const char *crt, const char *key, struct rdtls_identity **id,
		char *err, size_t errlen)
{
	char c[128], k[128];

	snprintf(c, sizeof(c), "%s/%s", dir, crt);
	snprintf(k, sizeof(k), "%s/%s", dir, key);
	return rdtls_identity_load(id, c, k, 0, err, errlen);
}

static void test_a_loaded_identity_handshakes_and_keeps_its_fingerprint(void **state)
{
	const char *kinds[] = { "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1",
				"-newkey rsa:2048" };
	char dir[64], path[128], want[256], err[256];

	(void)state;
	if (!harness_have("openssl"))
		skip();
	harness_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < 2; i++) {
		struct rdtls_identity *id;
		struct rdtls_conn *cl, *sv;
		struct wire *w = wire_new(NULL, NULL);

		make_pem(dir, "op", kinds[i]);
		assert_int_equal(load(dir, "op.crt", "op.key", &id, err, sizeof(err)), 0);
		snprintf(path, sizeof(path), "%s/op.crt", dir);
		openssl_fingerprint(path, "sha256", want, sizeof(want));
		assert_string_equal(rdtls_identity_fingerprint(id) + 8, want);
		cl = harness_conn(peer_id, RDTLS_CLIENT, id, 0, 0, 0);
		sv = harness_conn(id, RDTLS_SERVER, peer_id, 0, 0, 0);
		wire_run(w, cl, sv, 5000);
		assert_mirrored(cl, sv, RDTLS_AEAD_AES_256_GCM);
		rdtls_conn_free(cl);
		rdtls_conn_free(sv);
		rdtls_identity_free(id);
		free(w);
	}
	harness_rmdir(dir);
}

static void test_a_saved_identity_loads_back_with_its_fingerprint_and_a_private_mode(void **state)
{
	struct rdtls_identity *id, *back;
	char dir[64], path[128], err[256];
	struct stat st;

	(void)state;
	harness_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/rtd.dtls.pem", dir);
	assert_int_equal(rdtls_identity_new(&id, 0, err, sizeof(err)), 0);
	assert_int_equal(rdtls_identity_save(id, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* One file for both, as rtd keeps it in its state directory. */
	assert_int_equal(rdtls_identity_load(&back, path, path, 0, err, sizeof(err)), 0);
	assert_string_equal(rdtls_identity_fingerprint(back), rdtls_identity_fingerprint(id));
	rdtls_identity_free(back);
	/* Nowhere to write: an error naming it, nothing left behind. */
	snprintf(path, sizeof(path), "%s/none/rtd.dtls.pem", dir);
	assert_true(rdtls_identity_save(id, path, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "none/rtd.dtls.pem"));
	rdtls_identity_free(id);
	harness_rmdir(dir);
}

static void test_a_mismatched_cert_and_key_are_refused_naming_the_file(void **state)
{
	struct rdtls_identity *id = (void *)1;
	char dir[64], err[256], want[256];

	(void)state;
	if (!harness_have("openssl"))
		skip();
	harness_tmpdir(dir, sizeof(dir));
	make_pem(dir, "a", "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1");
	make_pem(dir, "b", "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1");
	assert_int_equal(load(dir, "a.crt", "b.key", &id, err, sizeof(err)), -EINVAL);
	assert_null(id);
	snprintf(want, sizeof(want), "'%s/b.key' is not the key of '%s/a.crt'", dir, dir);
	assert_string_equal(err, want);
	/* The certificate where the key should be, and the other way. */
	assert_int_equal(load(dir, "a.crt", "a.crt", &id, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "'%s/a.crt' holds no PEM private key (or an encrypted one)",
		 dir);
	assert_string_equal(err, want);
	assert_int_equal(load(dir, "a.key", "a.key", &id, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "'%s/a.key' holds no PEM certificate", dir);
	assert_string_equal(err, want);
	assert_int_equal(load(dir, "none.crt", "a.key", &id, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "'%s/none.crt': No such file or directory", dir);
	assert_string_equal(err, want);
	harness_rmdir(dir);
}

static void test_an_encrypted_key_is_refused_without_asking_for_a_passphrase(void **state)
{
	struct rdtls_identity *id;
	char dir[64], cmd[512], err[256];

	(void)state;
	if (!harness_have("openssl"))
		skip();
	harness_tmpdir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		 "-passout pass:secret -keyout '%s/e.key' -out '%s/e.crt' -days 2 -subj /CN=e "
		 ">/dev/null 2>&1 </dev/null",
		 dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(load(dir, "e.crt", "e.key", &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no PEM private key (or an encrypted one)"));
	harness_rmdir(dir);
}

static void test_a_certificate_too_big_for_a_flight_is_refused(void **state)
{
	struct rdtls_identity *id;
	char dir[64], cmd[640], err[256];

	(void)state;
	if (!harness_have("openssl"))
		skip();
	harness_tmpdir(dir, sizeof(dir));
	/* A name of 4200 bytes takes it past 4 KB. */
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '%s/big.key' "
		 "-out '%s/big.crt' -days 2 -subj /CN=big -addext "
		 "subjectAltName=DNS:$(head -c 4200 /dev/zero | tr '\\0' a).example "
		 ">/dev/null 2>&1",
		 dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(load(dir, "big.crt", "big.key", &id, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "more than a flight holds (4096)"));
	harness_rmdir(dir);
}

/* The largest certificate an operator may load still makes a flight that
 * one call yields whole. */
static void test_the_largest_certificate_allowed_fits_one_call(void **state)
{
	struct rdtls_identity *id = NULL;
	struct rdtls_conn *cl, *sv;
	struct rdtls_stats st;
	struct wire *w;
	char dir[64], cmd[640], err[256];
	int size;

	(void)state;
	if (!harness_have("openssl"))
		skip();
	harness_tmpdir(dir, sizeof(dir));
	/* A name a little under what takes it past RDTLS_CERT_MAX. */
	for (int name = 3900; name > 3000; name -= 40) {
		snprintf(cmd, sizeof(cmd),
			 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
			 "-keyout '%s/l.key' -out '%s/l.crt' -days 2 -subj /CN=l -addext "
			 "subjectAltName=DNS:$(head -c %d /dev/zero | tr '\\0' a).example "
			 ">/dev/null 2>&1",
			 dir, dir, name);
		assert_int_equal(system(cmd), 0);
		if (!load(dir, "l.crt", "l.key", &id, err, sizeof(err)))
			break;
	}
	assert_non_null(id);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s/l.crt' -outform der | wc -c", dir);
	assert_int_equal(harness_run(cmd, err, sizeof(err)), 0);
	size = atoi(err);
	assert_true(size > RDTLS_CERT_MAX - 64 && size <= RDTLS_CERT_MAX);
	cl = harness_conn(peer_id, RDTLS_CLIENT, id, 0, 0, 0);
	sv = harness_conn(id, RDTLS_SERVER, peer_id, 0, 0, 0);
	w = wire_new(NULL, NULL);
	wire_run(w, cl, sv, 5000);
	assert_mirrored(cl, sv, RDTLS_AEAD_AES_256_GCM);
	rdtls_conn_stats(sv, &st);
	assert_int_equal(st.out_lost, 0);
	assert_int_equal(w->flights[1], 2);
	assert_true(w->datagrams[1] <= RDTLS_OUT_MAX + 1);
	print_message("a %d-byte certificate: the server's flights in %u datagrams\n", size,
		      w->datagrams[1]);
	rdtls_conn_free(cl);
	rdtls_conn_free(sv);
	rdtls_identity_free(id);
	free(w);
	harness_rmdir(dir);
}

/* ---- a=fingerprint ---- */

static int fp_parse(const char *s, struct rdtls_fp *fp, char *err)
{
	return rdtls_fp_parse(fp, s, strlen(s), err, 160);
}

static void test_fingerprints_of_every_hash_parse_and_format_back(void **state)
{
	const enum rdtls_hash hs[] = { RDTLS_SHA1, RDTLS_SHA224, RDTLS_SHA256, RDTLS_SHA384,
				       RDTLS_SHA512 };

	(void)state;
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		struct rdtls_fp fp, back;
		char s[RDTLS_FP_STR_MAX], err[160];

		int n;

		assert_int_equal(rdtls_identity_digest(rtd_id, hs[i], &fp), 0);
		n = rdtls_fp_format(&fp, s, sizeof(s));
		assert_int_equal(n, (int)strlen(s));
		assert_int_equal(strlen(s), strlen(rdtls_hash_name(hs[i])) + 3u * fp.len);
		assert_int_equal(fp_parse(s, &back, err), 0);
		assert_memory_equal(&back, &fp, sizeof(fp));
		assert_int_equal(rdtls_fp_format(&fp, s, strlen(s)), -ENOSPC);
	}
}

static void test_a_fingerprint_is_case_and_space_tolerant(void **state)
{
	const struct rdtls_fp want = harness_fp(rtd_id);
	char s[RDTLS_FP_STR_MAX + 16], back[RDTLS_FP_STR_MAX], err[160];
	struct rdtls_fp fp;

	(void)state;
	snprintf(s, sizeof(s), "  SHA-256 \t %s\r\n", rdtls_identity_fingerprint(rtd_id) + 8);
	assert_int_equal(fp_parse(s, &fp, err), 0);
	assert_memory_equal(&fp, &want, sizeof(fp));
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	assert_int_equal(fp_parse(s, &fp, err), 0);
	assert_memory_equal(&fp, &want, sizeof(fp));
	/* Written back as RFC 8122 writes it: lower-case name, upper-case hex. */
	assert_true(rdtls_fp_format(&fp, back, sizeof(back)) > 0);
	assert_string_equal(back, rdtls_identity_fingerprint(rtd_id));
}

static void assert_fp_refused(const char *s, const char *reason)
{
	struct rdtls_fp fp;
	char err[160] = "";

	assert_int_equal(fp_parse(s, &fp, err), -EINVAL);
	assert_string_equal(err, reason);
	assert_int_equal(fp.len, 0);
}

static void test_malformed_fingerprints_are_refused_with_a_reason(void **state)
{
	char s[300];

	(void)state;
	assert_fp_refused("", "expected '<hash> <hex pairs>'");
	assert_fp_refused("sha-256", "expected '<hash> <hex pairs>'");
	assert_fp_refused("md5 AB:CD", "'md5' is not a hash of sha-1, sha-224, sha-256, sha-384, "
				       "sha-512");
	assert_fp_refused("sha256 AB", "'sha256' is not a hash of sha-1, sha-224, sha-256, "
				       "sha-384, sha-512");
	assert_fp_refused("sha-1 AB:CD", "sha-1 wants 20 bytes, not 2");
	assert_fp_refused("sha-1 AB:", "byte 2 of the fingerprint is not two hex digits");
	assert_fp_refused("sha-1 :AB", "byte 1 of the fingerprint is not two hex digits");
	assert_fp_refused("sha-1 ABC:DE", "byte 1 of the fingerprint is followed by 'C', not ':'");
	assert_fp_refused("sha-1 AB-CD", "byte 1 of the fingerprint is followed by '-', not ':'");
	assert_fp_refused("sha-1 AB:CD EF", "byte 2 of the fingerprint is followed by '?', not ':'");
	assert_fp_refused("sha-1 AB:G0", "byte 2 of the fingerprint is not two hex digits");
	assert_fp_refused("sha-1 A", "byte 1 of the fingerprint is not two hex digits");
	/* 21 bytes for sha-1's 20. */
	snprintf(s, sizeof(s), "sha-1 %s", "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14");
	assert_fp_refused(s, "sha-1 wants 20 bytes, this has more");
	s[strlen(s) - 3] = 0;
	{
		struct rdtls_fp fp;
		char err[160];

		assert_int_equal(fp_parse(s, &fp, err), 0);
		assert_int_equal(fp.hash, RDTLS_SHA1);
		assert_int_equal(fp.md[19], 0x13);
	}
	/* A peer's bytes are quoted printable, and short. */
	assert_fp_refused("sh\x01\xff-256-and-then-a-great-deal-more AB",
			  "'sh?" "?-256-and-the' is not a hash of sha-1, sha-224, sha-256, sha-384, "
			  "sha-512");
}

/* ---- a=setup ---- */

static void test_setup_words_parse_in_any_case_and_write_lower(void **state)
{
	enum rdtls_setup s;

	(void)state;
	assert_int_equal(rdtls_setup_parse("actpass", 7, &s), 0);
	assert_int_equal(s, RDTLS_SETUP_ACTPASS);
	assert_int_equal(rdtls_setup_parse(" ACTIVE\r\n", 9, &s), 0);
	assert_int_equal(s, RDTLS_SETUP_ACTIVE);
	assert_int_equal(rdtls_setup_parse("Passive", 7, &s), 0);
	assert_int_equal(s, RDTLS_SETUP_PASSIVE);
	assert_int_equal(rdtls_setup_parse("holdconn", 8, &s), 0);
	assert_int_equal(s, RDTLS_SETUP_HOLDCONN);
	assert_int_equal(rdtls_setup_parse("activ", 5, &s), -EINVAL);
	assert_int_equal(rdtls_setup_parse("actpassive", 10, &s), -EINVAL);
	assert_int_equal(rdtls_setup_parse("", 0, &s), -EINVAL);
	assert_string_equal(rdtls_setup_word(RDTLS_SETUP_ACTPASS), "actpass");
	assert_string_equal(rdtls_setup_word(RDTLS_SETUP_HOLDCONN), "holdconn");
	assert_null(rdtls_setup_word(RDTLS_SETUP_NONE));
	assert_null(rdtls_setup_word((enum rdtls_setup)9));
}

static void test_wish_words_are_rtpengines(void **state)
{
	enum rdtls_wish w;

	(void)state;
	assert_int_equal(rdtls_wish_parse("off", 3, &w), 0);
	assert_int_equal(w, RDTLS_WISH_OFF);
	assert_int_equal(rdtls_wish_parse("no", 2, &w), 0);
	assert_int_equal(w, RDTLS_WISH_OFF);
	assert_int_equal(rdtls_wish_parse("disable", 7, &w), 0);
	assert_int_equal(w, RDTLS_WISH_OFF);
	assert_int_equal(rdtls_wish_parse("passive", 7, &w), 0);
	assert_int_equal(w, RDTLS_WISH_PASSIVE);
	assert_int_equal(rdtls_wish_parse("active", 6, &w), 0);
	assert_int_equal(w, RDTLS_WISH_ACTIVE);
	assert_int_equal(rdtls_wish_parse("Passive", 7, &w), -EINVAL);
	assert_int_equal(rdtls_wish_parse("actpass", 7, &w), -EINVAL);
}

static void test_offers_say_actpass_unless_forced(void **state)
{
	(void)state;
	assert_int_equal(rdtls_setup_offer(RDTLS_WISH_DEFAULT), RDTLS_SETUP_ACTPASS);
	assert_int_equal(rdtls_setup_offer(RDTLS_WISH_PASSIVE), RDTLS_SETUP_PASSIVE);
	assert_int_equal(rdtls_setup_offer(RDTLS_WISH_ACTIVE), RDTLS_SETUP_ACTIVE);
	assert_int_equal(rdtls_setup_offer(RDTLS_WISH_OFF), RDTLS_SETUP_NONE);
}

static void test_answers_follow_rfc_5763_and_the_wish_only_where_free(void **state)
{
	enum { N = RDTLS_SETUP_NONE, AP = RDTLS_SETUP_ACTPASS, A = RDTLS_SETUP_ACTIVE,
	       P = RDTLS_SETUP_PASSIVE, H = RDTLS_SETUP_HOLDCONN };
	enum { D = RDTLS_WISH_DEFAULT, WP = RDTLS_WISH_PASSIVE, WA = RDTLS_WISH_ACTIVE,
	       OFF = RDTLS_WISH_OFF };
	enum { NO = RDTLS_ROLE_NONE, CL = RDTLS_CLIENT, SV = RDTLS_SERVER };
	static const struct {
		int offer, wish, role, ours;
	} rows[] = {
		{ AP, D, CL, A },   /* RFC 5763: active is RECOMMENDED */
		{ AP, WA, CL, A },  { AP, WP, SV, P },  { AP, OFF, NO, N },
		{ A, D, SV, P },    { A, WA, SV, P }, /* the offer decides */
		{ A, WP, SV, P },   { A, OFF, NO, N },
		{ P, D, CL, A },    { P, WP, CL, A },  { P, WA, CL, A },
		{ N, D, SV, P }, /* RFC 4145: an offer without a=setup is active */
		{ N, WP, SV, P },   { H, D, NO, H },   { H, WA, NO, H },  { H, OFF, NO, N },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum rdtls_role role = 99;
		enum rdtls_setup ours = 99;

		assert_int_equal(rdtls_setup_answer(rows[i].offer, rows[i].wish, &role, &ours), 0);
		assert_int_equal(role, rows[i].role);
		assert_int_equal(ours, rows[i].ours);
	}
	{
		enum rdtls_role role;
		enum rdtls_setup ours;

		assert_int_equal(rdtls_setup_answer(7, RDTLS_WISH_DEFAULT, &role, &ours), -EINVAL);
		assert_int_equal(rdtls_setup_answer(RDTLS_SETUP_ACTPASS, 7, &role, &ours), -EINVAL);
	}
}

static void test_answers_to_rtds_offer_take_the_other_role_or_are_eproto(void **state)
{
	enum { N = RDTLS_SETUP_NONE, AP = RDTLS_SETUP_ACTPASS, A = RDTLS_SETUP_ACTIVE,
	       P = RDTLS_SETUP_PASSIVE, H = RDTLS_SETUP_HOLDCONN };
	enum { NO = RDTLS_ROLE_NONE, CL = RDTLS_CLIENT, SV = RDTLS_SERVER };
	static const struct {
		int ours, answer, ret, role;
	} rows[] = {
		{ AP, A, 0, SV },	  { AP, P, 0, CL },	    { AP, N, 0, CL },
		{ AP, H, 0, NO },	  { AP, AP, -EPROTO, NO }, /* RFC 5763: never in an answer */
		{ P, A, 0, SV },	  { P, P, -EPROTO, NO },   { P, N, -EPROTO, NO },
		{ A, P, 0, CL },	  { A, N, 0, CL },	    { A, A, -EPROTO, NO },
		{ N, A, 0, NO },	  { N, P, 0, NO },	    { H, A, 0, NO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum rdtls_role role = 99;

		assert_int_equal(rdtls_setup_answered(rows[i].ours, rows[i].answer, &role),
				 rows[i].ret);
		assert_int_equal(role, rows[i].role);
	}
}

static void test_profile_names_are_the_rfcs(void **state)
{
	(void)state;
	assert_string_equal(rdtls_profile_name(0x0001), "AES128_CM_SHA1_80");
	assert_string_equal(rdtls_profile_name(0x0002), "AES128_CM_SHA1_32");
	assert_string_equal(rdtls_profile_name(0x0007), "AEAD_AES_128_GCM");
	assert_string_equal(rdtls_profile_name(0x0008), "AEAD_AES_256_GCM");
	assert_null(rdtls_profile_name(0x0005));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_profile_handshakes_and_both_sides_export_the_same_keys_mirrored),
		cmocka_unit_test(test_rtd_as_server_handshakes_too),
		cmocka_unit_test(test_the_server_picks_by_its_own_order),
		cmocka_unit_test(test_no_common_profile_fails_the_handshake),
		cmocka_unit_test(test_flights_are_cut_to_the_mtu),
		cmocka_unit_test(test_a_lost_clienthello_is_sent_again),
		cmocka_unit_test(test_a_lost_server_flight_is_sent_again),
		cmocka_unit_test(test_one_lost_datagram_of_a_flight_is_recovered),
		cmocka_unit_test(test_a_lost_client_finished_flight_is_sent_again),
		cmocka_unit_test(test_a_lost_last_flight_is_answered_by_the_done_server),
		cmocka_unit_test(test_every_datagram_arriving_twice_is_harmless),
		cmocka_unit_test(test_flights_arriving_in_reverse_order_complete),
		cmocka_unit_test(test_a_peer_that_never_answers_fails_by_the_deadline),
		cmocka_unit_test(test_a_server_that_hears_no_clienthello_fails_by_the_deadline),
		cmocka_unit_test(test_a_fresh_client_is_due_at_once_and_sends_one_clienthello),
		cmocka_unit_test(test_a_wrong_expected_fingerprint_fails_with_the_fingerprint_reason),
		cmocka_unit_test(test_a_server_refuses_a_client_certificate_the_sdp_did_not_name),
		cmocka_unit_test(test_with_several_fingerprints_the_strongest_hash_decides),
		cmocka_unit_test(test_every_truncation_of_a_clienthello_leaves_the_server_waiting),
		cmocka_unit_test(test_a_clienthello_in_fragments_is_answered_in_any_order),
		cmocka_unit_test(test_a_forged_fragment_does_not_wedge_the_server),
		cmocka_unit_test(test_a_server_fed_garbage_first_still_completes_a_real_handshake),
		cmocka_unit_test(test_random_bytes_never_make_a_connection_done),
		cmocka_unit_test(test_records_of_the_wrong_content_type_are_not_a_clienthello),
		cmocka_unit_test(test_a_second_clienthello_after_done_changes_nothing),
		cmocka_unit_test(test_garbage_after_done_leaves_the_keys_standing),
		cmocka_unit_test(test_oversize_datagrams_are_refused_unread),
		cmocka_unit_test(test_a_peer_close_notify_after_done_closes_and_voids_the_keys),
		cmocka_unit_test(test_closing_while_handshaking_fails_quietly),
		cmocka_unit_test(test_the_connection_cap_is_emfile),
		cmocka_unit_test(test_bad_options_are_einval),
		cmocka_unit_test(test_connections_keep_their_identity_past_its_owner),
		cmocka_unit_test(test_a_generated_certificate_is_p256_self_signed_for_a_year),
		cmocka_unit_test(test_a_generated_fingerprint_is_what_openssl_x509_says),
		cmocka_unit_test(test_a_loaded_identity_handshakes_and_keeps_its_fingerprint),
		cmocka_unit_test(test_a_mismatched_cert_and_key_are_refused_naming_the_file),
		cmocka_unit_test(test_an_encrypted_key_is_refused_without_asking_for_a_passphrase),
		cmocka_unit_test(test_a_certificate_too_big_for_a_flight_is_refused),
		cmocka_unit_test(test_the_largest_certificate_allowed_fits_one_call),
		cmocka_unit_test(test_fingerprints_of_every_hash_parse_and_format_back),
		cmocka_unit_test(test_a_fingerprint_is_case_and_space_tolerant),
		cmocka_unit_test(test_malformed_fingerprints_are_refused_with_a_reason),
		cmocka_unit_test(test_setup_words_parse_in_any_case_and_write_lower),
		cmocka_unit_test(test_wish_words_are_rtpengines),
		cmocka_unit_test(test_offers_say_actpass_unless_forced),
		cmocka_unit_test(test_answers_follow_rfc_5763_and_the_wish_only_where_free),
		cmocka_unit_test(test_answers_to_rtds_offer_take_the_other_role_or_are_eproto),
		cmocka_unit_test(test_profile_names_are_the_rfcs),
		cmocka_unit_test(test_a_saved_identity_loads_back_with_its_fingerprint_and_a_private_mode),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
