// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offers and answers through the ng commands, each with the whole SDP the
 * relay must send back written out beside it, as rtpengine's
 * t/auto-daemon-tests.pl does: every line is pinned, not a few substrings.
 * The relay's ports come from 30000 in order: a call's offerer leg gets
 * 30000/30001 and its answerer leg 30002/30003, a second media 30004-30007.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ng_harness.h"

struct sdp_case {
	const char *offer_keys; /* more bencoded keys for the offer, "" for none */
	const char *offer, *offer_out;
	const char *answer_keys;
	const char *answer, *answer_out;
};

/* The exchange's reply for cmd, checked whole: result ok and this SDP. */
static void expect_sdp(const char *cmd, const char *tag_key, const char *keys, const char *sdp,
		       const char *want)
{
	static char msg[8192], reply[8192];

	snprintf(msg, sizeof(msg), "k-%s d7:command%zu:%s7:call-id6:call-1%zu:%s1:a%s3:sdp%zu:%se",
		 cmd, strlen(cmd), cmd, strlen(tag_key), tag_key, keys, strlen(sdp), sdp);
	snprintf(reply, sizeof(reply), "k-%s d6:result2:ok3:sdp%zu:%se", cmd, strlen(want), want);
	assert_string_equal(send_msg(msg, &lo), reply);
}

static void run(const struct sdp_case *c)
{
	expect_sdp("offer", "from-tag", c->offer_keys, c->offer, c->offer_out);
	if (c->answer)
		expect_sdp("answer", "to-tag", c->answer_keys, c->answer, c->answer_out);
}

static void test_plain_ipv4_offer_and_answer_point_both_legs_at_the_relay(void **state)
{
	static const struct sdp_case c = {
		"",
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.2\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n",
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003\r\n",
		"",
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.3\r\n"
		"t=0 0\r\n"
		"m=audio 40002 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n",
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001\r\n",
	};

	(void)state;
	run(&c);
}

static void test_ice_remove_strips_candidates_and_credentials_and_keeps_rtcp_mux(void **state)
{
	static const struct sdp_case c = {
		"3:ICE6:remove",
		"v=0\r\n"
		"o=- 7 2 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"a=ice-lite\r\n"
		"m=audio 40000 RTP/AVP 111\r\n"
		"c=IN IP4 198.18.0.2\r\n"
		"a=ice-ufrag:F7gI\r\n"
		"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
		"a=candidate:1 1 udp 2122260223 198.18.0.2 40000 typ host\r\n"
		"a=end-of-candidates\r\n"
		"a=rtcp-mux\r\n"
		"a=rtpmap:111 opus/48000/2\r\n",
		"v=0\r\n"
		"o=- 7 2 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 111\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n"
		"a=rtpmap:111 opus/48000/2\r\n",
	};

	(void)state;
	run(&c);
}

static void test_ipv6_offer_gets_the_relays_ipv6_address(void **state)
{
	static const struct sdp_case c = {
		"",
		"v=0\n"
		"o=- 1 1 IN IP6 2001:2::2\n"
		"s=-\n"
		"c=IN IP6 2001:2::2\n"
		"t=0 0\n"
		"m=audio 40000 RTP/AVP 0\n",
		"v=0\n"
		"o=- 1 1 IN IP6 2001:2::1\n"
		"s=-\n"
		"c=IN IP6 2001:2::1\n"
		"t=0 0\n"
		"m=audio 30002 RTP/AVP 0\n"
		"a=rtcp:30003\n",
	};

	(void)state;
	run(&c);
}

static void test_two_media_each_get_their_own_pairs_and_rtcp_addresses(void **state)
{
	static const struct sdp_case c = {
		"",
		"v=0\r\n"
		"o=- 5 5 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/AVP 0\r\n"
		"c=IN IP4 198.18.0.2\r\n"
		"a=rtcp:40001 IN IP4 198.18.0.2\r\n"
		"m=video 40010 RTP/AVP 31\r\n"
		"c=IN IP4 198.18.0.2\r\n",
		"v=0\r\n"
		"o=- 5 5 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n"
		"m=video 30006 RTP/AVP 31\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtcp:30007\r\n",
		"",
		"v=0\r\n"
		"o=- 6 6 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.3\r\n"
		"t=0 0\r\n"
		"m=audio 40002 RTP/AVP 0\r\n"
		"m=video 40012 RTP/AVP 31\r\n",
		"v=0\r\n"
		"o=- 6 6 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtcp:30001\r\n"
		"m=video 30004 RTP/AVP 31\r\n"
		"a=rtcp:30005\r\n",
	};

	(void)state;
	run(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_plain_ipv4_offer_and_answer_point_both_legs_at_the_relay, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ice_remove_strips_candidates_and_credentials_and_keeps_rtcp_mux, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_offer_gets_the_relays_ipv6_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_two_media_each_get_their_own_pairs_and_rtcp_addresses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
