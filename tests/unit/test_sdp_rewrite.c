// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What sdp_rewrite() changes in a body for the relay, and what it leaves alone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sdp_fixtures.h"

static void test_offer_with_two_media_gets_both_ports_rewritten(void **state)
{
	(void)state;
	assert_relayed_v4_to(offer_v4, offer_v4_relayed);
}

static void test_ipv6_body_through_an_ipv4_relay_changes_addrtype_and_keeps_lf(void **state)
{
	(void)state;
	assert_relayed_v4_to(answer_v6, answer_v6_relayed_v4);
}

static void test_ipv4_body_through_an_ipv6_relay_says_ip6(void **state)
{
	struct sdp_session s;

	(void)state;
	relayed_v6_parsed(offer_v4, &s);
	assert_non_null(strstr(out, "o=alice 2890844526 2890844526 IN IP6 2001:db8:ffff::5\r\n"));
	assert_non_null(strstr(out, "\r\nc=IN IP6 2001:db8:ffff::5\r\n"));
	assert_null(strstr(out, "IP4"));
	assert_int_equal(s.c_family, AF_INET6);
	assert_v6(&s.c_addr, "2001:db8:ffff::5");
}

static void test_crlf_bodies_stay_crlf_and_lf_bodies_stay_lf(void **state)
{
	struct sdp_rewrite rw = relay_v4();
	int n;

	(void)state;
	n = rewrite(offer_v4, &rw);
	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		if (out[i] == '\n')
			assert_int_equal(out[i - 1], '\r');
	n = rewrite(answer_v6, &rw);
	assert_true(n > 0);
	assert_null(memchr(out, '\r', n));
}

static void test_ice_lines_go_only_when_asked(void **state)
{
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;

	(void)state;
	parse_ok(offer_ice, &s);
	assert_true(s.media[0].ice);
	assert_true(s.media[0].rtcp_mux);
	assert_false(s.has_c);
	rw.remove_ice = true;
	assert_rewrites_to(offer_ice, &rw, offer_ice_relayed);

	/* Kept, they pass through untouched: candidates are the peer's own. */
	rw.remove_ice = false;
	rewritten(offer_ice, &rw);
	assert_non_null(strstr(out, "a=candidate:2 1 udp 1686052607 198.51.100.9 54400 typ srflx "
				    "raddr 192.0.2.7 rport 54400\r\n"));
	assert_non_null(strstr(out, "a=ice-lite\r\n"));
	assert_non_null(strstr(out, "a=end-of-candidates\r\n"));
}

static void test_unknown_lines_pass_through_byte_for_byte(void **state)
{
	static const char body[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.1\r\n"
		"s=  spaced  session  \r\n"
		"i=info\r\n"
		"u=http://example.com/\r\n"
		"e=a@example.com\r\n"
		"b=CT:128\r\n"
		"t=0 0\r\n"
		"r=7d 1h 0 25h\r\n"
		"z=2882844526 -1h\r\n"
		"k=clear:secret\r\n"
		"a=group:BUNDLE 0\r\n"
		"m=audio 4000 RTP/SAVP 0\r\n"
		"c=IN IP4 192.0.2.1/127\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\n"
		"a=rtcp-fb:* nack\r\n"
		"a=rtcp-xr:rcvr-rtt=all\r\n"
		"a=mid:0\r\n"
		"a=\xc3\xa4rger:\x01\x7f\r\n"
		"a=sendrecvx\r\n";
	static const char want[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 203.0.113.5\r\n"
		"s=  spaced  session  \r\n"
		"i=info\r\n"
		"u=http://example.com/\r\n"
		"e=a@example.com\r\n"
		"b=CT:128\r\n"
		"t=0 0\r\n"
		"r=7d 1h 0 25h\r\n"
		"z=2882844526 -1h\r\n"
		"k=clear:secret\r\n"
		"a=group:BUNDLE 0\r\n"
		"m=audio 30000 RTP/SAVP 0\r\n"
		"c=IN IP4 203.0.113.5\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\n"
		"a=rtcp-fb:* nack\r\n"
		"a=rtcp-xr:rcvr-rtt=all\r\n"
		"a=mid:0\r\n"
		"a=\xc3\xa4rger:\x01\x7f\r\n"
		"a=sendrecvx\r\n"
		"a=rtcp:30001\r\n";
	struct sdp_session s;

	(void)state;
	parse_ok(body, &s);
	/* "sendrecvx" is not a direction, "rtcp-fb" not rtcp. */
	assert_int_equal(s.media[0].dir, SDP_SENDRECV);
	assert_false(s.media[0].has_rtcp);
	assert_false(s.media[0].rtcp_mux);
	assert_relayed_v4_to(body, want);
}

static void test_rejected_streams_stay_at_port_zero_without_rtcp(void **state)
{
	static const char body[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.1\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.1\r\n"
		"t=0 0\r\n"
		"m=audio 0 RTP/AVP 0\r\n"
		"a=rtcp:4001\r\n"
		"m=audio 4002 RTP/AVP 8\r\n"
		"m=video 4004 RTP/AVP 31\r\n";
	static const char want[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 203.0.113.5\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.5\r\n"
		"t=0 0\r\n"
		"m=audio 0 RTP/AVP 0\r\n"
		"m=audio 30002 RTP/AVP 8\r\n"
		"a=rtcp:30003\r\n"
		"m=video 0 RTP/AVP 31\r\n";
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	/* The relay declines the video too: port 0 in rw rejects it. */
	rw.port[2] = 0;
	assert_rewrites_to(body, &rw, want);
}

static void test_an_allocated_rtcp_port_other_than_rtp_plus_one_is_advertised(void **state)
{
	static const char body[] =
		"v=0\n"
		"o=- 1 1 IN IP4 192.0.2.1\n"
		"s=-\n"
		"t=0 0\n"
		"m=audio 4000 RTP/AVP 0\n"
		"c=IN IP4 192.0.2.1\n"
		"a=rtcp:4001 IN IP4 192.0.2.1\n"
		"m=audio 4002 RTP/AVP 0\n"
		"c=IN IP4 192.0.2.1\n";
	static const char want[] =
		"v=0\n"
		"o=- 1 1 IN IP4 203.0.113.5\n"
		"s=-\n"
		"t=0 0\n"
		"m=audio 30000 RTP/AVP 0\n"
		"c=IN IP4 203.0.113.5\n"
		"a=rtcp:40000 IN IP4 203.0.113.5\n"
		"m=audio 30002 RTP/AVP 0\n"
		"c=IN IP4 203.0.113.5\n"
		"a=rtcp:40002\n";
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	rw.rtcp_port[0] = 40000;
	rw.rtcp_port[1] = 40002;
	assert_rewrites_to(body, &rw, want);
}

static void test_keep_origin_leaves_o_as_it_was(void **state)
{
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	rw.keep_origin = true;
	rewritten(offer_v4, &rw);
	assert_non_null(strstr(out, "o=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\n"));
	assert_non_null(strstr(out, "c=IN IP4 203.0.113.5\r\n"));
}

static void test_host_name_in_origin_is_accepted_and_replaced(void **state)
{
	static const char body[] =
		"v=0\r\n"
		"o=bob 1 1 IN IP4 pc33.example.com\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.1\r\n"
		"t=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"a=rtcp-mux\r\n";
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;

	(void)state;
	parse_ok(body, &s);
	assert_true(s.has_o);
	assert_false(s.o_literal);
	assert_int_equal(s.o_family, AF_INET);
	rewritten(body, &rw);
	assert_non_null(strstr(out, "o=bob 1 1 IN IP4 203.0.113.5\r\n"));
	/* Muxed without a=rtcp: nothing added. */
	assert_null(strstr(out, "a=rtcp:"));
}

static void test_last_line_without_ending_still_gets_its_rtcp_on_a_line_of_its_own(void **state)
{
	static const char body[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0";
	static const char want[] =
		"v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 30000 RTP/AVP 0\r\na=rtcp:30001\r\n";

	(void)state;
	assert_relayed_v4_to(body, want);
}

static void test_a_final_lone_cr_is_completed_not_doubled(void **state)
{
	static const char body[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r";
	static const char want[] =
		"v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 30000 RTP/AVP 0\r\na=rtcp:30001\r\n";
	struct sdp_session s;

	(void)state;
	assert_relayed_v4_to(body, want);
	parse_ok(out, &s);
}

static void test_blank_lines_are_tolerated_and_kept(void **state)
{
	static const char body[] = "\r\nv=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n"
				   "a=rtcp:4001\r\n\r\n";
	static const char want[] = "\r\nv=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 30000 RTP/AVP 0\r\n"
				   "a=rtcp:30001\r\n\r\n";

	(void)state;
	assert_relayed_v4_to(body, want);
}

static void test_rewritten_body_parses_back_to_the_relays_ports(void **state)
{
	struct sdp_session s;

	(void)state;
	relayed_v6_parsed(answer_v6, &s);
	assert_int_equal(s.nmedia, 3);
	assert_int_equal(s.media[0].port, 30000);
	assert_int_equal(s.media[0].nports, 1);
	assert_int_equal(s.media[0].rtcp_port, 30001);
	assert_v6(&s.media[0].rtcp_addr, "2001:db8:ffff::5");
	assert_int_equal(s.media[1].port, 30002);
	assert_int_equal(s.media[1].rtcp_port, 30002);
	assert_int_equal(s.media[2].port, 0);
	assert_false(s.media[2].has_rtcp);
	for (unsigned i = 0; i < s.nmedia; i++)
		assert_v6(&s.media[i].c_addr, "2001:db8:ffff::5");
}

static void test_rtd_secured_media_gets_its_proto_crypto_fingerprint_and_setup(void **state)
{
	static const char in[] =
		"v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
		"a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n"
		"m=audio 4000 UDP/TLS/RTP/SAVPF 111 0\r\na=mid:0\r\na=setup:actpass\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"m=audio 4002 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:peer\r\n";
	static const char want[] =
		"v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 111 0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
		"a=rtcp:30001\r\na=sendrecv\r\n"
		"m=audio 30002 RTP/SAVP 0\r\na=rtcp:30003\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:rtds\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:rtds2\r\na=sendrecv\r\n";
	const struct sdp_sec plain = { .proto = "RTP/AVP" };
	const struct sdp_sec sdes = {
		.ncrypto = 2,
		.crypto = { "1 AES_CM_128_HMAC_SHA1_80 inline:rtds", "2 AES_CM_128_HMAC_SHA1_32 inline:rtds2" },
	};
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	rw.sec[0] = &plain;
	rw.sec[1] = &sdes;
	assert_rewrites_to(in, &rw, want);
}

static void test_a_dtls_leg_gets_rtds_fingerprint_and_setup_after_its_own_attributes(void **state)
{
	static const char in[] = "v=0\r\nc=IN IP4 198.51.100.1\r\nm=audio 4000 RTP/AVP 0\r\n"
				 "a=sendrecv\r\n";
	static const char want[] = "v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 30000 UDP/TLS/RTP/SAVPF 0\r\n"
				   "a=sendrecv\r\na=rtcp:30001\r\n"
				   "a=fingerprint:sha-256 01:02\r\na=setup:passive\r\n";
	const struct sdp_sec dtls = { .proto = "UDP/TLS/RTP/SAVPF", .fingerprint = "sha-256 01:02",
				      .setup = "passive" };
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	rw.sec[0] = &dtls;
	assert_rewrites_to(in, &rw, want);
	/* A rejected stream gets none of it. */
	rw.port[0] = 0;
	assert_null(strstr(rewritten(in, &rw), "fingerprint"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_with_two_media_gets_both_ports_rewritten),
		cmocka_unit_test(test_ipv6_body_through_an_ipv4_relay_changes_addrtype_and_keeps_lf),
		cmocka_unit_test(test_ipv4_body_through_an_ipv6_relay_says_ip6),
		cmocka_unit_test(test_crlf_bodies_stay_crlf_and_lf_bodies_stay_lf),
		cmocka_unit_test(test_ice_lines_go_only_when_asked),
		cmocka_unit_test(test_unknown_lines_pass_through_byte_for_byte),
		cmocka_unit_test(test_rejected_streams_stay_at_port_zero_without_rtcp),
		cmocka_unit_test(test_an_allocated_rtcp_port_other_than_rtp_plus_one_is_advertised),
		cmocka_unit_test(test_keep_origin_leaves_o_as_it_was),
		cmocka_unit_test(test_host_name_in_origin_is_accepted_and_replaced),
		cmocka_unit_test(test_last_line_without_ending_still_gets_its_rtcp_on_a_line_of_its_own),
		cmocka_unit_test(test_a_final_lone_cr_is_completed_not_doubled),
		cmocka_unit_test(test_blank_lines_are_tolerated_and_kept),
		cmocka_unit_test(test_rewritten_body_parses_back_to_the_relays_ports),
		cmocka_unit_test(test_rtd_secured_media_gets_its_proto_crypto_fingerprint_and_setup),
		cmocka_unit_test(test_a_dtls_leg_gets_rtds_fingerprint_and_setup_after_its_own_attributes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
