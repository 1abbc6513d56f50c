// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Media security through offers and answers, with the flags Kamailio
 * sends: an SDES phone bridged to a plain one and back, a WebRTC browser
 * (DTLS-SRTP) to a plain phone and back, what passes end to end, and
 * what the RT side is told for each stream (secured or not, SRTP
 * contexts for SDES keys, DTLS handed to the agent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apps/relay/sec.h"
#include "ng_harness.h"

static char msg[8192], sdp_out[8192];

/* "N:s" into b at *o. */
static void bs(char *b, size_t *o, size_t cap, const char *s)
{
	*o += snprintf(b + *o, cap - *o, "%zu:%s", strlen(s), s);
}

/*
 * An offer or answer with extra bencoded keys (sorted or not: the ng side
 * does not mind) and an SDP; the reply's SDP in sdp_out, its result returned.
 */
static const char *sdp_cmd(const char *cmd, const char *extra, const char *sdp)
{
	const char *r, *p;
	size_t o = 0;
	char *end;
	long n;

	static unsigned cookie;

	/* A cookie of its own: a repeated one gets the cached reply. */
	o += snprintf(msg, sizeof(msg), "%s-%u d7:command", cmd, cookie++);
	bs(msg, &o, sizeof(msg), cmd);
	o += snprintf(msg + o, sizeof(msg) - o, "7:call-id2:c18:from-tag2:ft%s%s", strcmp(cmd, "answer") ? "" : "6:to-tag2:tt", extra);
	o += snprintf(msg + o, sizeof(msg) - o, "3:sdp");
	bs(msg, &o, sizeof(msg), sdp);
	snprintf(msg + o, sizeof(msg) - o, "e");
	r = send_msg(msg, &lo);
	sdp_out[0] = 0;
	p = strstr(r, "3:sdp");
	if (p) {
		n = strtol(p + 5, &end, 10);
		snprintf(sdp_out, sizeof(sdp_out), "%.*s", (int)n, end + 1);
	}
	return r;
}

/* What the RT side was told since the last look, per stream slot. */
struct told {
	bool sec[RELAY_MAX_STREAMS], dtls[RELAY_MAX_STREAMS];
	unsigned keys, keyed;
};

static void look(struct told *t)
{
	struct rcmd c;

	memset(t, 0, sizeof(*t));
	while (!ring_pop(&relay->cmds, &c)) {
		if (c.op == RCMD_SEC) {
			t->sec[c.idx] = c.need_rx && c.need_tx;
			t->dtls[c.idx] = c.dtls;
		} else if (c.op == RCMD_KEYS) {
			t->keys++;
			t->keyed += c.rx && c.tx;
			/* As the RT side would, later: let them go. */
			if (c.rx) {
				rsrtp_fini(c.rx);
				free(c.rx);
			}
			if (c.tx) {
				rsrtp_fini(c.tx);
				free(c.tx);
			}
		}
	}
}

static const struct call_side *side(int leg)
{
	return &calls_find(&ng->calls, "c1")->media[0].leg[leg];
}

#define SDES_OFFER                                                                      \
	"v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\n"   \
	"m=audio 40000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"                          \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n" \
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n"
#define PLAIN_ANSWER                                                                    \
	"v=0\r\no=- 2 1 IN IP4 198.18.0.3\r\ns=-\r\nc=IN IP4 198.18.0.3\r\nt=0 0\r\n"   \
	"m=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
#define PLAIN_OFFER                                                                     \
	"v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\n"   \
	"m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
#define TO_AVP "18:transport-protocol7:RTP/AVP"
#define TO_SAVP "18:transport-protocol8:RTP/SAVP"

static void test_an_sdes_caller_reaches_a_plain_phone_and_gets_rtds_key_back(void **state)
{
	char key[80];
	struct told t;

	(void)state;
	assert_non_null(strstr(sdp_cmd("offer", TO_AVP, SDES_OFFER), "2:ok"));
	/* The phone sees plain RTP: no crypto at all. */
	assert_non_null(strstr(sdp_out, "m=audio 30002 RTP/AVP 0\r\n"));
	assert_null(strstr(sdp_out, "crypto"));
	look(&t);
	/* The caller's key is known at once: its streams are keyed already. */
	assert_true(t.sec[side(0)->sidx[0]] && t.sec[side(0)->sidx[1]]);
	assert_false(t.sec[side(1)->sidx[0]]);
	assert_int_equal(t.keyed, 2);

	assert_non_null(strstr(sdp_cmd("answer", "", PLAIN_ANSWER), "2:ok"));
	/* rtd answers the caller's first line with a key of its own. */
	assert_non_null(strstr(sdp_out, "m=audio 30000 RTP/SAVP 0\r\n"));
	assert_non_null(strstr(sdp_out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	assert_null(strstr(sdp_out, "a=crypto:2"));
	sscanf(strstr(sdp_out, "inline:") + 7, "%40s", key);
	assert_int_equal(strlen(key), 40);
	assert_null(strstr(SDES_OFFER, key));
	look(&t);
	/* The same keys again: the streams keep their contexts. */
	assert_int_equal(t.keyed, 0);
	assert_string_equal(sec_mode_name(&side(0)->sec), "AES_CM_128_HMAC_SHA1_80");
	assert_string_equal(sec_mode_name(&side(1)->sec), "plain");
}

static void test_a_plain_caller_reaches_an_sdes_phone_offered_every_suite(void **state)
{
	static const char answer[] =
		"v=0\r\no=- 2 1 IN IP4 198.18.0.3\r\ns=-\r\nc=IN IP4 198.18.0.3\r\nt=0 0\r\n"
		"m=audio 40002 RTP/SAVP 0\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
	struct told t;

	(void)state;
	assert_non_null(strstr(sdp_cmd("offer", TO_SAVP, PLAIN_OFFER), "2:ok"));
	assert_non_null(strstr(sdp_out, "m=audio 30002 RTP/SAVP 0 8\r\n"));
	for (unsigned k = 0; k < RSRTP_NSUITES; k++) {
		char want[64];

		snprintf(want, sizeof(want), "a=crypto:%u %s inline:", k + 1, rsrtp_suites[k].name);
		assert_non_null(strstr(sdp_out, want));
	}
	look(&t);
	/* Secured, but not keyed until the phone answers which line it took. */
	assert_true(t.sec[side(1)->sidx[0]]);
	assert_int_equal(t.keyed, 0);
	assert_non_null(strstr(sdp_cmd("answer", TO_AVP, answer), "2:ok"));
	assert_non_null(strstr(sdp_out, "m=audio 30000 RTP/AVP 0\r\n"));
	assert_null(strstr(sdp_out, "crypto"));
	look(&t);
	assert_int_equal(t.keyed, 2);
	assert_string_equal(sec_mode_name(&side(1)->sec), "AES_CM_128_HMAC_SHA1_32");
}

static void test_an_answer_with_a_line_rtd_never_offered_is_an_error(void **state)
{
	static const char answer[] =
		"v=0\r\nc=IN IP4 198.18.0.3\r\nm=audio 40002 RTP/SAVP 0\r\n"
		"a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";

	(void)state;
	sdp_cmd("offer", TO_SAVP, PLAIN_OFFER);
	assert_non_null(strstr(sdp_cmd("answer", "", answer), "matches no line rtd offered"));
}

static void test_a_bad_crypto_line_is_an_error_naming_it(void **state)
{
	static const char offer[] = "v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio 40000 RTP/SAVP 0\r\n"
				    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:short\r\n";
	const char *r;

	(void)state;
	r = sdp_cmd("offer", TO_AVP, offer);
	assert_non_null(strstr(r, "5:error"));
	assert_non_null(strstr(r, "media 1: a=crypto: "));
	assert_int_equal(ng->calls.ncalls, 1); /* the call is there, its SDP refused */
}

#define WEBRTC_OFFER                                                                      \
	"v=0\r\no=- 4005 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"      \
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 198.18.0.2\r\n"                    \
	"a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Brws\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n" \
	"a=candidate:1 1 udp 2122260223 198.18.0.2 50000 typ host\r\n"                     \
	"a=fingerprint:sha-256 "                                                           \
	"11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00\r\n" \
	"a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"

static void test_a_browser_reaches_a_phone_as_kamailio_asks_and_gets_rtds_fingerprint(void **state)
{
	char fp[200];
	struct told t;

	(void)state;
	/* Toward the phone: RTP/AVP, ICE removed, RTCP on its own port. */
	assert_non_null(strstr(sdp_cmd("offer", TO_AVP "3:ICE6:remove8:rtcp-muxl5:demuxe",
				       WEBRTC_OFFER), "2:ok"));
	assert_non_null(strstr(sdp_out, "m=audio 30002 RTP/AVP 111 0\r\n"));
	assert_null(strstr(sdp_out, "fingerprint"));
	assert_null(strstr(sdp_out, "a=setup"));
	assert_null(strstr(sdp_out, "candidate"));
	look(&t);
	assert_true(t.dtls[side(0)->sidx[0]] && t.sec[side(0)->sidx[0]]);
	assert_false(t.sec[side(1)->sidx[0]]);
	/* Back toward the browser: its protocol, rtd's fingerprint, passive as asked. */
	assert_non_null(strstr(sdp_cmd("answer", "18:transport-protocol17:UDP/TLS/RTP/SAVPF"
						 "3:ICE5:force4:DTLS7:passive",
				       PLAIN_ANSWER), "2:ok"));
	assert_non_null(strstr(sdp_out, "m=audio 30000 UDP/TLS/RTP/SAVPF 0\r\n"));
	snprintf(fp, sizeof(fp), "a=fingerprint:%s\r\n", rdtls_identity_fingerprint(ng->dtls_id));
	assert_non_null(strstr(sdp_out, fp));
	assert_non_null(strstr(sdp_out, "a=setup:passive\r\n"));
	assert_non_null(strstr(sdp_out, "a=ice-lite"));
	assert_null(strstr(sdp_out, "11:22:33"));
	assert_int_equal(side(0)->sec.role, RDTLS_SERVER);
	assert_int_equal(side(0)->sec.nfps, 1);
}

static void test_without_a_dtls_flag_rtd_answers_actpass_as_the_client(void **state)
{
	(void)state;
	sdp_cmd("offer", TO_AVP "3:ICE6:remove", WEBRTC_OFFER);
	sdp_cmd("answer", "18:transport-protocol17:UDP/TLS/RTP/SAVPF3:ICE5:force", PLAIN_ANSWER);
	assert_non_null(strstr(sdp_out, "a=setup:active\r\n"));
	assert_int_equal(side(0)->sec.role, RDTLS_CLIENT);
}

static void test_a_phone_reaches_a_browser_offered_actpass_and_its_answer_decides(void **state)
{
	static const char browser_answer[] =
		"v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		"m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 198.18.0.3\r\n"
		"a=ice-ufrag:Brws\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=fingerprint:sha-256 "
		"11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00\r\n"
		"a=setup:active\r\na=mid:0\r\na=rtcp-mux\r\n";
	char bad[sizeof(browser_answer)];

	(void)state;
	assert_non_null(strstr(sdp_cmd("offer", "18:transport-protocol17:UDP/TLS/RTP/SAVPF3:ICE5:force"
						"8:rtcp-muxl5:offere",
				       PLAIN_OFFER), "2:ok"));
	assert_non_null(strstr(sdp_out, "m=audio 30002 UDP/TLS/RTP/SAVPF 0 8\r\n"));
	assert_non_null(strstr(sdp_out, "a=setup:actpass\r\n"));
	assert_non_null(strstr(sdp_out, "a=fingerprint:sha-256 "));
	/* An answer may not say actpass (RFC 5763 section 5). */
	snprintf(bad, sizeof(bad), "%s", browser_answer);
	memcpy(strstr(bad, "active\r"), "actpass", 7);
	assert_non_null(strstr(sdp_cmd("answer", TO_AVP, bad), "RFC 5763 forbids"));
	{
		const char *r = sdp_cmd("answer", TO_AVP "3:ICE6:remove", browser_answer);

		if (!strstr(r, "2:ok"))
			fail_msg("%s", r);
	}
	assert_non_null(strstr(sdp_out, "m=audio 30000 RTP/AVP 0\r\n"));
	assert_null(strstr(sdp_out, "fingerprint"));
	assert_int_equal(side(1)->sec.role, RDTLS_SERVER);
}

static void test_srtp_alike_on_both_legs_passes_end_to_end_untouched(void **state)
{
	struct told t;

	(void)state;
	assert_non_null(strstr(sdp_cmd("offer", "", SDES_OFFER), "2:ok"));
	/* The caller's own lines, as they were. */
	assert_non_null(strstr(sdp_out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspe"));
	assert_non_null(strstr(sdp_out, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BIN"));
	look(&t);
	assert_false(t.sec[side(0)->sidx[0]] || t.sec[side(1)->sidx[0]]);
	assert_int_equal(t.keyed, 0);
	assert_string_equal(sec_mode_name(&side(0)->sec), "end to end");
}

static void test_sdes_flags_narrow_what_rtd_offers(void **state)
{
	(void)state;
	sdp_cmd("offer", TO_SAVP "4:SDESl26:no-AES_CM_128_HMAC_SHA1_3219:no-AEAD_AES_256_GCMe",
		PLAIN_OFFER);
	assert_non_null(strstr(sdp_out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "));
	assert_non_null(strstr(sdp_out, "a=crypto:2 AEAD_AES_128_GCM "));
	assert_null(strstr(sdp_out, "a=crypto:3"));
	/* A flag that is not one is an error naming it. */
	assert_non_null(strstr(sdp_cmd("offer", "4:SDESl5:boguse", PLAIN_OFFER), "5:error"));
	assert_non_null(strstr(sdp_cmd("offer", "4:DTLS5:maybe", PLAIN_OFFER),
			       "DTLS: 'maybe' is not passive, active or off"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_an_sdes_caller_reaches_a_plain_phone_and_gets_rtds_key_back),
		T(test_a_plain_caller_reaches_an_sdes_phone_offered_every_suite),
		T(test_an_answer_with_a_line_rtd_never_offered_is_an_error),
		T(test_a_bad_crypto_line_is_an_error_naming_it),
		T(test_a_browser_reaches_a_phone_as_kamailio_asks_and_gets_rtds_fingerprint),
		T(test_without_a_dtls_flag_rtd_answers_actpass_as_the_client),
		T(test_a_phone_reaches_a_browser_offered_actpass_and_its_answer_decides),
		T(test_srtp_alike_on_both_legs_passes_end_to_end_untouched),
		T(test_sdes_flags_narrow_what_rtd_offers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
