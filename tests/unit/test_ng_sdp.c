// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offers and answers through the ng commands, each with the whole SDP the
 * relay must send back written out beside it, as rtpengine's
 * t/auto-daemon-tests.pl does: every line is pinned, not a few substrings.
 * The relay's ports come from 30000 in order: a call's offerer leg gets
 * 30000/30001 and its answerer leg 30002/30003, a second media 30004-30007.
 * rtd's ICE credentials are fresh for every leg: {ufrag} and {pwd} in an
 * expected body stand for those of the reply, checked for their form.
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

/* The value of "a=NAME:" in body, or "" where there is none. */
static void attr_of(const char *body, const char *name, char *val, size_t len)
{
	const char *p = strstr(body, name), *e;

	val[0] = 0;
	if (!p)
		return;
	p += strlen(name);
	e = p + strcspn(p, "\r\n");
	snprintf(val, len, "%.*s", (int)(e - p), p);
}

/* want with {ufrag} and {pwd} replaced by those of got, into out. */
static void with_creds(const char *want, const char *got, char *res, size_t len)
{
	char ufrag[64], pwd[64];
	size_t o = 0;

	attr_of(got, "a=ice-ufrag:", ufrag, sizeof(ufrag));
	attr_of(got, "a=ice-pwd:", pwd, sizeof(pwd));
	if (strstr(want, "{ufrag}")) {
		/* RFC 8445 5.3: at least 4 and 22 ice-chars; rtd's are 8 and 24. */
		assert_int_equal(strlen(ufrag), 8);
		assert_int_equal(strlen(pwd), 24);
		assert_int_equal(strspn(ufrag, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), 8);
	}
	for (const char *p = want; *p && o + 1 < len;) {
		const char *sub = !strncmp(p, "{ufrag}", 7) ? ufrag : !strncmp(p, "{pwd}", 5) ? pwd : NULL;

		if (sub) {
			o += snprintf(res + o, len - o, "%s", sub);
			p += sub == ufrag ? 7 : 5;
		} else {
			res[o++] = *p++;
		}
	}
	res[o] = 0;
}

/* The exchange's reply for cmd, checked whole: result ok and this SDP. */
static void expect_sdp(const char *cmd, const char *tag_key, const char *keys, const char *sdp,
		       const char *want)
{
	static char msg[8192], reply[8192], body[4096];
	const char *got, *s;

	snprintf(msg, sizeof(msg), "k-%s d7:command%zu:%s7:call-id6:call-1%zu:%s1:a%s3:sdp%zu:%se",
		 cmd, strlen(cmd), cmd, strlen(tag_key), tag_key, keys, strlen(sdp), sdp);
	got = send_msg(msg, &lo);
	s = strstr(got, "3:sdp");
	with_creds(want, s ? s : "", body, sizeof(body));
	snprintf(reply, sizeof(reply), "k-%s d6:result2:ok3:sdp%zu:%se", cmd, strlen(body), body);
	assert_string_equal(got, reply);
}

static void run(const struct sdp_case *c)
{
	expect_sdp("offer", "from-tag", c->offer_keys, c->offer, c->offer_out);
	if (c->answer)
		expect_sdp("answer", "to-tag", c->answer_keys, c->answer, c->answer_out);
}

/* The SDPs most cases start from. */
#define OFFER_V4                                                                         \
	"v=0\r\no=alice 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\n" \
	"m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
#define ANSWER_V4                                                                     \
	"v=0\r\no=bob 2 2 IN IP4 198.18.0.3\r\ns=-\r\nc=IN IP4 198.18.0.3\r\nt=0 0\r\n" \
	"m=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

static void test_plain_ipv4_offer_and_answer_point_both_legs_at_the_relay(void **state)
{
	static const struct sdp_case c = {
		"", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n",
		"", ANSWER_V4,
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

static void test_replace_origin_puts_the_relay_in_o_too(void **state)
{
	static const struct sdp_case c = {
		"7:replacel6:origin18:session-connectione", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

#define OFFER_ICE_MUX                                                               \
	"v=0\r\no=- 7 2 IN IP4 198.18.0.2\r\ns=-\r\nt=0 0\r\na=ice-options:trickle\r\n" \
	"m=audio 40000 RTP/AVP 111\r\nc=IN IP4 198.18.0.2\r\na=ice-ufrag:F7gI\r\n"   \
	"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"                                        \
	"a=candidate:1 1 udp 2122260223 198.18.0.2 40000 typ host\r\n"                \
	"a=candidate:2 1 udp 1686052607 203.0.113.9 40000 typ srflx raddr 198.18.0.2 rport 40000\r\n" \
	"a=end-of-candidates\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"

static void test_ice_remove_strips_the_candidates_and_the_answer_does_ice_with_the_offerer(void **state)
{
	static const struct sdp_case c = {
		"3:ICE6:remove", OFFER_ICE_MUX,
		"v=0\r\n"
		"o=- 7 2 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 111\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n",
		/* The phone does neither ICE nor rtcp-mux: the browser's leg
		 * gets rtd's ICE-lite and separate RTCP. */
		"", ANSWER_V4,
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"a=ice-lite\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n"
		"a=ice-ufrag:{ufrag}\r\n"
		"a=ice-pwd:{pwd}\r\n"
		"a=candidate:4ada8e44 1 UDP 2130706431 198.18.0.1 30000 typ host\r\n"
		"a=candidate:4ada8e44 2 UDP 2130706430 198.18.0.1 30001 typ host\r\n"
		"a=end-of-candidates\r\n",
	};

	(void)state;
	run(&c);
}

static void test_ice_by_default_replaces_the_endpoints_candidates_with_rtds(void **state)
{
	static const struct sdp_case c = {
		"", OFFER_ICE_MUX,
		"v=0\r\n"
		"o=- 7 2 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"a=ice-lite\r\n"
		"m=audio 30002 RTP/AVP 111\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n"
		"a=ice-ufrag:{ufrag}\r\n"
		"a=ice-pwd:{pwd}\r\n"
		"a=candidate:4ada8e44 1 UDP 2130706431 198.18.0.1 30002 typ host\r\n"
		"a=candidate:4ada8e44 2 UDP 2130706430 198.18.0.1 30003 typ host\r\n"
		"a=end-of-candidates\r\n",
		/* It answers muxed: both legs mux, and the offerer is told so
		 * on one port. */
		"",
		"v=0\r\no=- 8 2 IN IP4 198.18.0.3\r\ns=-\r\nt=0 0\r\n"
		"m=audio 40002 RTP/AVP 111\r\nc=IN IP4 198.18.0.3\r\na=rtcp-mux\r\n"
		"a=ice-ufrag:Zz9x\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=candidate:1 1 udp 2122260223 198.18.0.3 40002 typ host\r\n",
		"v=0\r\n"
		"o=- 8 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"a=ice-lite\r\n"
		"m=audio 30000 RTP/AVP 111\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtcp:30000 IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n"
		"a=ice-ufrag:{ufrag}\r\n"
		"a=ice-pwd:{pwd}\r\n"
		"a=candidate:4ada8e44 1 UDP 2130706431 198.18.0.1 30000 typ host\r\n"
		"a=end-of-candidates\r\n",
	};

	(void)state;
	run(&c);
}

static void test_ice_force_gives_an_sdp_without_ice_rtds_own(void **state)
{
	static const struct sdp_case c = {
		"3:ICE5:force", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"a=ice-lite\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n"
		"a=ice-ufrag:{ufrag}\r\n"
		"a=ice-pwd:{pwd}\r\n"
		"a=candidate:4ada8e44 1 UDP 2130706431 198.18.0.1 30002 typ host\r\n"
		"a=candidate:4ada8e44 2 UDP 2130706430 198.18.0.1 30003 typ host\r\n"
		"a=end-of-candidates\r\n",
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
		"o=- 1 1 IN IP6 2001:2::2\n"
		"s=-\n"
		"c=IN IP6 2001:2::1\n"
		"t=0 0\n"
		"m=audio 30002 RTP/AVP 0\n"
		"a=rtcp:30003 IN IP6 2001:2::1\n",
	};

	(void)state;
	run(&c);
}

static void test_address_family_bridges_an_ipv4_caller_to_an_ipv6_callee(void **state)
{
	static const struct sdp_case c = {
		"14:address family3:IP6", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP6 2001:2::1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP6 2001:2::1\r\n",
		/* Back to the caller in its own family, without being asked. */
		"",
		"v=0\r\no=bob 2 2 IN IP6 2001:2::3\r\ns=-\r\nc=IN IP6 2001:2::3\r\nt=0 0\r\n"
		"m=audio 40002 RTP/AVP 0\r\n",
		"v=0\r\n"
		"o=bob 2 2 IN IP6 2001:2::3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

static void test_media_address_is_what_the_sdp_says_for_this_message(void **state)
{
	static const struct sdp_case c = {
		"13:media address10:192.0.2.44", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.44\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP4 192.0.2.44\r\n",
		"", ANSWER_V4,
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

#define OFFER_MUX                                                                     \
	"v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\n" \
	"m=audio 40000 RTP/AVP 0\r\na=rtcp-mux\r\n"

static void test_rtcp_mux_demux_takes_mux_from_the_offerer_and_gives_the_callee_rtcp(void **state)
{
	static const struct sdp_case c = {
		"8:rtcp-muxl5:demuxe", OFFER_MUX,
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n",
		"", ANSWER_V4,
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30000 IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n",
	};

	(void)state;
	run(&c);
}

static void test_rtcp_mux_require_offers_one_port_only(void **state)
{
	static const struct sdp_case c = {
		"8:rtcp-muxl7:requiree", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30002 IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n",
		/* The caller did not offer it: it keeps its RTCP port. */
		"", ANSWER_V4,
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

static void test_rtcp_mux_reject_refuses_it_to_the_offerer_though_the_callee_muxes(void **state)
{
	static const struct sdp_case c = {
		"8:rtcp-muxl6:rejecte", OFFER_MUX,
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n"
		"a=rtcp-mux\r\n",
		"", OFFER_MUX,
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

static void test_no_rtcp_attribute_leaves_a_rtcp_out(void **state)
{
	static const struct sdp_case c = {
		"5:flagsl17:no-rtcp-attributee", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n",
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
		"o=- 5 5 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n"
		"m=video 30006 RTP/AVP 31\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"a=rtcp:30007 IN IP4 198.18.0.1\r\n",
		"",
		"v=0\r\n"
		"o=- 6 6 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.3\r\n"
		"t=0 0\r\n"
		"m=audio 40002 RTP/AVP 0\r\n"
		"m=video 40012 RTP/AVP 31\r\n",
		"v=0\r\n"
		"o=- 6 6 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtcp:30001 IN IP4 198.18.0.1\r\n"
		"m=video 30004 RTP/AVP 31\r\n"
		"a=rtcp:30005 IN IP4 198.18.0.1\r\n",
	};

	(void)state;
	run(&c);
}

/* A 1:1 NAT: the NIC has 198.18.0.1, the world knows 203.0.113.5. */
static int setup_nat(void **state)
{
	char err[128];

	setup(state);
	assert_int_equal(config_iface("pub/198.18.0.1!203.0.113.5", err, sizeof(err)), 0);
	assert_int_equal(config_iface("pub/2001:2::1", err, sizeof(err)), 0);
	assert_int_equal(config_iface("priv/198.18.0.1", err, sizeof(err)), 0);
	return 0;
}

static void test_an_interface_behind_nat_advertises_its_public_address(void **state)
{
	static const struct sdp_case c = {
		"", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.5\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP4 203.0.113.5\r\n",
	};

	(void)state;
	run(&c);
}

static void test_direction_picks_each_legs_interface_by_name(void **state)
{
	static const struct sdp_case c = {
		"9:directionl3:pub4:prive", OFFER_V4,
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.18.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 30002 RTP/AVP 0 8\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30003 IN IP4 198.18.0.1\r\n",
		"", ANSWER_V4,
		"v=0\r\n"
		"o=bob 2 2 IN IP4 198.18.0.3\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.5\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001 IN IP4 203.0.113.5\r\n",
	};

	(void)state;
	run(&c);
}

static void test_an_interface_without_the_family_asked_for_is_an_error(void **state)
{
	static char msg[1024];

	(void)state;
	snprintf(msg, sizeof(msg),
		 "e1 d7:command5:offer7:call-id1:x8:from-tag1:a9:directionl3:pub4:prive"
		 "14:address family3:IP63:sdp%zu:%se",
		 strlen(OFFER_V4), OFFER_V4);
	assert_non_null(strstr(send_msg(msg, &lo), "No interface of the address family"));
}

#define NG_SDP_TEST(name, fixture) cmocka_unit_test_setup_teardown(name, fixture, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		NG_SDP_TEST(test_plain_ipv4_offer_and_answer_point_both_legs_at_the_relay, setup),
		NG_SDP_TEST(test_replace_origin_puts_the_relay_in_o_too, setup),
		NG_SDP_TEST(test_ice_remove_strips_the_candidates_and_the_answer_does_ice_with_the_offerer,
			    setup),
		NG_SDP_TEST(test_ice_by_default_replaces_the_endpoints_candidates_with_rtds, setup),
		NG_SDP_TEST(test_ice_force_gives_an_sdp_without_ice_rtds_own, setup),
		NG_SDP_TEST(test_ipv6_offer_gets_the_relays_ipv6_address, setup),
		NG_SDP_TEST(test_address_family_bridges_an_ipv4_caller_to_an_ipv6_callee, setup),
		NG_SDP_TEST(test_media_address_is_what_the_sdp_says_for_this_message, setup),
		NG_SDP_TEST(test_rtcp_mux_demux_takes_mux_from_the_offerer_and_gives_the_callee_rtcp,
			    setup),
		NG_SDP_TEST(test_rtcp_mux_require_offers_one_port_only, setup),
		NG_SDP_TEST(test_rtcp_mux_reject_refuses_it_to_the_offerer_though_the_callee_muxes, setup),
		NG_SDP_TEST(test_no_rtcp_attribute_leaves_a_rtcp_out, setup),
		NG_SDP_TEST(test_two_media_each_get_their_own_pairs_and_rtcp_addresses, setup),
		NG_SDP_TEST(test_an_interface_behind_nat_advertises_its_public_address, setup_nat),
		NG_SDP_TEST(test_direction_picks_each_legs_interface_by_name, setup_nat),
		NG_SDP_TEST(test_an_interface_without_the_family_asked_for_is_an_error, setup_nat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
