// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apps/relay/sdp.h"
#include "mutate.h"

/* Two media, CRLF, session-level c=, no a=rtcp, things the relay does not
 * know about at both levels. */
static const char offer_v4[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.1\r\n"
	"t=0 0\r\n"
	"a=x-session-thing:1 2  3\r\n"
	"m=audio 49170 RTP/AVP 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n"
	"m=video 51372 RTP/AVP 31 32\r\n"
	"a=rtpmap:31 H261/90000\r\n"
	"a=recvonly\r\n"
	"a=X-Unknown-Vendor:abc;def\r\n";

static const char offer_v4_relayed[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 203.0.113.5\r\n"
	"s=-\r\n"
	"c=IN IP4 203.0.113.5\r\n"
	"t=0 0\r\n"
	"a=x-session-thing:1 2  3\r\n"
	"m=audio 30000 RTP/AVP 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n"
	"a=rtcp:30001\r\n"
	"m=video 30002 RTP/AVP 31 32\r\n"
	"a=rtpmap:31 H261/90000\r\n"
	"a=recvonly\r\n"
	"a=X-Unknown-Vendor:abc;def\r\n"
	"a=rtcp:30003\r\n";

/* IPv6, LF only, media-level c= only, a=rtcp with an address, rtcp-mux
 * with a=rtcp on the RTP port, a rejected stream, session-level sendonly. */
static const char answer_v6[] =
	"v=0\n"
	"o=- 1 2 IN IP6 2001:db8::1\n"
	"s=call\n"
	"t=0 0\n"
	"a=sendonly\n"
	"m=audio 5004/2 RTP/AVP 0\n"
	"c=IN IP6 2001:db8::1\n"
	"a=rtcp:5005 IN IP6 2001:db8::1\n"
	"m=audio 6000 RTP/AVPF 96\n"
	"c=IN IP6 2001:db8::2\n"
	"a=rtcp-mux\n"
	"a=rtcp:6000\n"
	"a=inactive\n"
	"m=video 0 RTP/AVP 31\n"
	"c=IN IP6 2001:db8::1\n"
	"a=rtcp:7001\n";

static const char answer_v6_relayed_v4[] =
	"v=0\n"
	"o=- 1 2 IN IP4 203.0.113.5\n"
	"s=call\n"
	"t=0 0\n"
	"a=sendonly\n"
	"m=audio 30000 RTP/AVP 0\n"
	"c=IN IP4 203.0.113.5\n"
	"a=rtcp:30001 IN IP4 203.0.113.5\n"
	"m=audio 30002 RTP/AVPF 96\n"
	"c=IN IP4 203.0.113.5\n"
	"a=rtcp-mux\n"
	"a=rtcp:30002\n"
	"a=inactive\n"
	"m=video 0 RTP/AVP 31\n"
	"c=IN IP4 203.0.113.5\n";

/* A browser-style plain RTP/AVP offer carrying ICE. */
static const char offer_ice[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=ice-lite\r\n"
	"a=ice-options:trickle\r\n"
	"m=audio 54400 RTP/AVP 111 0\r\n"
	"c=IN IP4 192.0.2.7\r\n"
	"a=ice-ufrag:F7gI\r\n"
	"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
	"a=candidate:1 1 udp 2122260223 192.0.2.7 54400 typ host\r\n"
	"a=candidate:2 1 udp 1686052607 198.51.100.9 54400 typ srflx raddr 192.0.2.7 rport 54400\r\n"
	"a=end-of-candidates\r\n"
	"a=ice-pwdx:not-ice\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n";

static const char offer_ice_relayed[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 203.0.113.5\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"m=audio 30000 RTP/AVP 111 0\r\n"
	"c=IN IP4 203.0.113.5\r\n"
	"a=ice-pwdx:not-ice\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n";

static char err[128];
static char out[4096];

static struct sdp_rewrite relay_v4(void)
{
	struct sdp_rewrite rw = { .family = AF_INET };

	rw.addr.s6_addr[10] = rw.addr.s6_addr[11] = 0xff;
	inet_pton(AF_INET, "203.0.113.5", &rw.addr.s6_addr[12]);
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		rw.port[i] = 30000 + 2 * i;
	return rw;
}

static struct sdp_rewrite relay_v6(void)
{
	struct sdp_rewrite rw = relay_v4();

	rw.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:ffff::5", &rw.addr);
	return rw;
}

static void parse_ok(const char *body, struct sdp_session *s)
{
	int ret = sdp_parse(body, strlen(body), s, err, sizeof(err));

	if (ret)
		fail_msg("%s", err);
}

static int rewrite(const char *body, const struct sdp_rewrite *rw)
{
	struct sdp_session s;

	parse_ok(body, &s);
	return sdp_rewrite(body, strlen(body), &s, rw, out, sizeof(out));
}

/* The rewritten body, NUL-terminated in out; fails the test if there is none. */
static const char *rewritten(const char *body, const struct sdp_rewrite *rw)
{
	int n = rewrite(body, rw);

	assert_true(n > 0);
	out[n] = 0;
	return out;
}

static void assert_rewrites_to(const char *body, const struct sdp_rewrite *rw, const char *want)
{
	assert_string_equal(rewritten(body, rw), want);
}

static void assert_v4(const struct in6_addr *a, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, &a->s6_addr[12], buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static void assert_v6(const struct in6_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET6, a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static void test_offer_with_two_media_is_understood(void **state)
{
	struct sdp_session s;
	int fam;
	struct in6_addr a;

	(void)state;
	parse_ok(offer_v4, &s);
	assert_true(s.crlf);
	assert_true(s.has_o);
	assert_true(s.o_literal);
	assert_int_equal(s.o_family, AF_INET);
	assert_v4(&s.o_addr, "198.51.100.1");
	assert_true(s.has_c);
	assert_int_equal(s.c_family, AF_INET);
	assert_v4(&s.c_addr, "198.51.100.1");
	assert_int_equal(s.nmedia, 2);

	assert_string_equal(s.media[0].type, "audio");
	assert_int_equal(s.media[0].port, 49170);
	assert_int_equal(s.media[0].nports, 1);
	assert_string_equal(s.media[0].proto, "RTP/AVP");
	assert_int_equal(s.media[0].fmt.len, strlen("0 8 101"));
	assert_memory_equal(offer_v4 + s.media[0].fmt.off, "0 8 101", s.media[0].fmt.len);
	assert_false(s.media[0].has_c);
	assert_false(s.media[0].has_rtcp);
	assert_int_equal(s.media[0].rtcp_port, 49171);
	assert_false(s.media[0].rtcp_mux);
	assert_false(s.media[0].ice);
	assert_int_equal(s.media[0].dir, SDP_SENDRECV);
	assert_int_equal(s.media[0].line, 7);

	assert_string_equal(s.media[1].type, "video");
	assert_int_equal(s.media[1].port, 51372);
	assert_memory_equal(offer_v4 + s.media[1].fmt.off, "31 32", s.media[1].fmt.len);
	assert_int_equal(s.media[1].dir, SDP_RECVONLY);

	assert_int_equal(sdp_media_addr(&s, 1, &fam, &a), 0);
	assert_int_equal(fam, AF_INET);
	assert_v4(&a, "198.51.100.1");
	assert_int_equal(sdp_media_addr(&s, 2, &fam, &a), -ENOENT);
}

static void test_offer_with_two_media_gets_both_ports_rewritten(void **state)
{
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	assert_rewrites_to(offer_v4, &rw, offer_v4_relayed);
}

static void test_ipv6_answer_with_mux_rtcp_and_a_rejected_stream_is_understood(void **state)
{
	struct sdp_session s;
	int fam;
	struct in6_addr a;

	(void)state;
	parse_ok(answer_v6, &s);
	assert_false(s.crlf);
	assert_int_equal(s.o_family, AF_INET6);
	assert_v6(&s.o_addr, "2001:db8::1");
	assert_false(s.has_c);
	assert_int_equal(s.dir, SDP_SENDONLY);
	assert_int_equal(s.nmedia, 3);

	assert_int_equal(s.media[0].port, 5004);
	assert_int_equal(s.media[0].nports, 2);
	assert_int_equal(s.media[0].dir, SDP_SENDONLY); /* from the session */
	assert_true(s.media[0].has_rtcp);
	assert_int_equal(s.media[0].rtcp_port, 5005);
	assert_true(s.media[0].rtcp_has_addr);
	assert_int_equal(s.media[0].rtcp_family, AF_INET6);
	assert_v6(&s.media[0].rtcp_addr, "2001:db8::1");

	assert_string_equal(s.media[1].proto, "RTP/AVPF");
	assert_true(s.media[1].rtcp_mux);
	assert_int_equal(s.media[1].rtcp_port, 6000);
	assert_int_equal(s.media[1].dir, SDP_INACTIVE);
	assert_int_equal(sdp_media_addr(&s, 1, &fam, &a), 0);
	assert_int_equal(fam, AF_INET6);
	assert_v6(&a, "2001:db8::2");

	assert_int_equal(s.media[2].port, 0);
	assert_string_equal(s.media[2].type, "video");
}

static void test_ipv6_body_through_an_ipv4_relay_changes_addrtype_and_keeps_lf(void **state)
{
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	assert_rewrites_to(answer_v6, &rw, answer_v6_relayed_v4);
}

static void test_ipv4_body_through_an_ipv6_relay_says_ip6(void **state)
{
	struct sdp_rewrite rw = relay_v6();
	struct sdp_session s;

	(void)state;
	rewritten(offer_v4, &rw);
	assert_non_null(strstr(out, "o=alice 2890844526 2890844526 IN IP6 2001:db8:ffff::5\r\n"));
	assert_non_null(strstr(out, "\r\nc=IN IP6 2001:db8:ffff::5\r\n"));
	assert_null(strstr(out, "IP4"));
	parse_ok(out, &s);
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
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;

	(void)state;
	parse_ok(body, &s);
	/* "sendrecvx" is not a direction, "rtcp-fb" not rtcp. */
	assert_int_equal(s.media[0].dir, SDP_SENDRECV);
	assert_false(s.media[0].has_rtcp);
	assert_false(s.media[0].rtcp_mux);
	assert_rewrites_to(body, &rw, want);
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
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	assert_rewrites_to(body, &rw, want);
}

static void test_a_final_lone_cr_is_completed_not_doubled(void **state)
{
	static const char body[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r";
	static const char want[] =
		"v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 30000 RTP/AVP 0\r\na=rtcp:30001\r\n";
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;

	(void)state;
	assert_rewrites_to(body, &rw, want);
	parse_ok(out, &s);
}

static void test_blank_lines_are_tolerated_and_kept(void **state)
{
	static const char body[] = "\r\nv=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n"
				   "a=rtcp:4001\r\n\r\n";
	static const char want[] = "\r\nv=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 30000 RTP/AVP 0\r\n"
				   "a=rtcp:30001\r\n\r\n";
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	assert_rewrites_to(body, &rw, want);
}

static void test_rewritten_body_parses_back_to_the_relays_ports(void **state)
{
	struct sdp_rewrite rw = relay_v6();
	struct sdp_session s;

	(void)state;
	rewritten(answer_v6, &rw);
	parse_ok(out, &s);
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

static void test_media_level_c_alone_is_enough_but_none_at_all_is_an_error(void **state)
{
	static const char ok[] = "v=0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n";
	static const char half[] = "v=0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n"
				   "m=video 4002 RTP/AVP 31\r\na=sendrecv\r\n";
	struct sdp_session s;

	(void)state;
	parse_ok(ok, &s);
	assert_int_equal(sdp_parse(half, strlen(half), &s, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "sdp: line 4: m= has no c=, nor has the session");
}

static void test_malformed_sdp_is_an_error_naming_the_line(void **state)
{
	static const struct {
		const char *body, *why;
	} cases[] = {
		{ "", "sdp: line 1: empty body" },
		{ "\r\n\r\n", "sdp: line 2: empty body" },
		{ "o=- 1 1 IN IP4 192.0.2.1\r\n", "sdp: line 1: an SDP body starts with v=" },
		{ "hello\r\n", "sdp: line 1: not 'x=value'" },
		{ "v=0\r\nV=0\r\n", "sdp: line 2: not 'x=value'" },
		{ "v=0\r\nc\r\n", "sdp: line 2: not 'x=value'" },
		{ "v=0\r\nm=\r\n", "sdp: line 2: m= without media type" },
		{ "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio\r\n", "sdp: line 3: m= without port" },
		{ "v=0\nm=audio 5004\n", "sdp: line 2: m= without protocol" },
		{ "v=0\nm=audio 5004 RTP/AVP\n", "sdp: line 2: m= without formats" },
		{ "v=0\nm=audio 5004 RTP/AVP   \n", "sdp: line 2: m= without formats" },
		{ "v=0\nm=audio 70000 RTP/AVP 0\n", "sdp: line 2: m= port '70000' is not 0-65535" },
		{ "v=0\nm=audio +5004 RTP/AVP 0\n", "sdp: line 2: m= port '+5004' is not 0-65535" },
		{ "v=0\nm=audio -1 RTP/AVP 0\n", "sdp: line 2: m= port '-1' is not 0-65535" },
		{ "v=0\nm=audio 5004/0 RTP/AVP 0\n", "sdp: line 2: m= port count '0' is not 1-65535" },
		{ "v=0\nm=audio 5004/ RTP/AVP 0\n", "sdp: line 2: m= port count '' is not 1-65535" },
		{ "v=0\nm=applicationxxxxxx 5004 RTP/AVP 0\n",
		  "sdp: line 2: m= media type longer than 15 bytes" },
		{ "v=0\nm=audio 5004 UDP/TLS/RTP/SAVPF/XXXXXXXX 0\n",
		  "sdp: line 2: m= protocol longer than 23 bytes" },
		{ "v=0\no=- 1 1 IN IP4\n", "sdp: line 2: o= needs 'user id version IN IP4|IP6 address'" },
		{ "v=0\no=- 1 1 ATM NSAP x\n", "sdp: line 2: o= network type 'ATM' is not IN" },
		{ "v=0\no=- 1 1 IN IPX x\n", "sdp: line 2: o= address type 'IPX' is not IP4 or IP6" },
		{ "v=0\no=- 1 1 IN IP4 a\no=- 1 1 IN IP4 a\n", "sdp: line 3: second o=" },
		{ "v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\no=- 1 1 IN IP4 a\n",
		  "sdp: line 4: o= inside a media section" },
		{ "v=0\nc=IN IP4 example.com\n",
		  "sdp: line 2: c= address 'example.com' is not an IPv4 literal" },
		{ "v=0\nc=IN IP6 192.0.2.1\n",
		  "sdp: line 2: c= address '192.0.2.1' is not an IPv6 literal" },
		{ "v=0\nc=IN IP4 1.2.3.4 extra\n", "sdp: line 2: c= needs 'IN IP4|IP6 address'" },
		{ "v=0\nc=IN IPX 1.2.3.4\n", "sdp: line 2: c= address type 'IPX' is not IP4 or IP6" },
		{ "v=0\nc=\n", "sdp: line 2: c= needs 'IN IP4|IP6 address'" },
		{ "v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\na=rtcp:\n",
		  "sdp: line 4: a=rtcp: needs a port 1-65535" },
		{ "v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\na=rtcp:0\n",
		  "sdp: line 4: a=rtcp: needs a port 1-65535" },
		{ "v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\na=rtcp:5005 IN IP4\n",
		  "sdp: line 4: a=rtcp: needs 'port [IN IP4|IP6 address]'" },
		{ "v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\na=rtcp:5005 IN IP4 host\n",
		  "sdp: line 4: a=rtcp: address needs 'IN IP4|IP6 literal'" },
		{ "v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\nm=audio 2 RTP/AVP 0\n"
		  "m=audio 3 RTP/AVP 0\nm=audio 4 RTP/AVP 0\nm=audio 5 RTP/AVP 0\n"
		  "m=audio 6 RTP/AVP 0\nm=audio 7 RTP/AVP 0\nm=audio 8 RTP/AVP 0\n"
		  "m=audio 9 RTP/AVP 0\n",
		  "sdp: line 11: more than 8 media" },
	};
	struct sdp_session s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		assert_int_equal(sdp_parse(cases[i].body, strlen(cases[i].body), &s, err,
					   sizeof(err)),
				 -EBADMSG);
		assert_string_equal(err, cases[i].why);
	}
	/* No room for a reason, or none wanted: still just an error. */
	assert_int_equal(sdp_parse("x", 1, &s, NULL, 0), -EBADMSG);
	memset(err, 'z', sizeof(err));
	assert_int_equal(sdp_parse("x", 1, &s, err, 8), -EBADMSG);
	assert_string_equal(err, "sdp: li");
}

static void test_rewrite_refuses_a_session_that_is_not_this_body(void **state)
{
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;

	(void)state;
	parse_ok(offer_v4, &s);
	assert_int_equal(sdp_rewrite(answer_v6, strlen(answer_v6), &s, &rw, out, sizeof(out)),
			 -EINVAL);
	parse_ok(answer_v6, &s);
	assert_int_equal(sdp_rewrite(offer_v4, strlen(offer_v4), &s, &rw, out, sizeof(out)),
			 -EINVAL);
	rw.family = AF_UNIX;
	assert_int_equal(sdp_rewrite(answer_v6, strlen(answer_v6), &s, &rw, out, sizeof(out)),
			 -EINVAL);
}

static void test_rtcp_past_port_65535_is_refused(void **state)
{
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	rw.port[0] = 65535;
	assert_int_equal(rewrite(offer_v4, &rw), -EINVAL);
	/* Muxed onto RTP it needs no second port. */
	assert_true(rewrite(offer_ice, &rw) > 0);
}

static void test_rewrite_that_does_not_fit_is_enospc_and_stays_inside_the_buffer(void **state)
{
	static char small[sizeof(offer_v4_relayed) + 64];
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;
	int full;

	(void)state;
	parse_ok(offer_v4, &s);
	full = sdp_rewrite(offer_v4, strlen(offer_v4), &s, &rw, small, sizeof(small));
	assert_int_equal(full, strlen(offer_v4_relayed));
	for (int len = 0; len < full; len++) {
		memset(small, 0x5a, sizeof(small));
		assert_int_equal(sdp_rewrite(offer_v4, strlen(offer_v4), &s, &rw, small, len),
				 -ENOSPC);
		for (size_t i = len; i < sizeof(small); i++)
			assert_int_equal(small[i], 0x5a);
	}
	assert_int_equal(sdp_rewrite(offer_v4, strlen(offer_v4), &s, &rw, small, full), full);
}

/* Parse (and rewrite what parses) from a heap block of exactly n bytes, so
 * ASan flags any read past the body. */
static void parse_and_rewrite_exact(const char *body, size_t n, const struct sdp_rewrite *rw)
{
	char *copy = malloc(n ? n : 1), *o;
	struct sdp_session s;
	size_t olen = 2 * n + 256;
	int ret;

	assert_non_null(copy);
	memcpy(copy, body, n);
	ret = sdp_parse(copy, n, &s, err, sizeof(err));
	assert_true(ret == 0 || ret == -EBADMSG);
	if (ret) {
		assert_memory_equal(err, "sdp: line ", 10);
	} else {
		assert_true(s.nmedia <= SDP_MAX_MEDIA);
		o = malloc(olen);
		assert_non_null(o);
		ret = sdp_rewrite(copy, n, &s, rw, o, olen);
		assert_true(ret >= 0 || ret == -EINVAL);
		if (ret >= 0)
			assert_true((size_t)ret <= olen);
		ret = sdp_rewrite(copy, n, &s, rw, o, n / 2);
		assert_true(ret >= 0 || ret == -ENOSPC || ret == -EINVAL);
		free(o);
	}
	free(copy);
}

static void test_every_truncation_of_valid_bodies_is_safe(void **state)
{
	const char *const bodies[] = { offer_v4, answer_v6, offer_ice, offer_v4_relayed };
	struct sdp_rewrite rw = relay_v4();

	(void)state;
	rw.remove_ice = true;
	for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++)
		for (size_t n = 0; n <= strlen(bodies[b]); n++)
			parse_and_rewrite_exact(bodies[b], n, &rw);
}

static void test_random_mutations_never_crash(void **state)
{
	static const char alphabet[] = "vomcat= :/\r\n0123456789.IPN46-";
	const char *const bodies[] = { offer_v4, answer_v6, offer_ice };
	struct sdp_rewrite rw4 = relay_v4(), rw6 = relay_v6();
	static char buf[1024];
	unsigned seed = 7;

	(void)state;
	rw6.remove_ice = true;
	for (int iter = 0; iter < 100000; iter++) {
		const char *body = bodies[iter % 3];
		size_t len = strlen(body);

		memcpy(buf, body, len);
		mutate(buf, &len, sizeof(buf), alphabet, 6, &seed);
		parse_and_rewrite_exact(buf, len, iter & 1 ? &rw4 : &rw6);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_with_two_media_is_understood),
		cmocka_unit_test(test_offer_with_two_media_gets_both_ports_rewritten),
		cmocka_unit_test(test_ipv6_answer_with_mux_rtcp_and_a_rejected_stream_is_understood),
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
		cmocka_unit_test(test_media_level_c_alone_is_enough_but_none_at_all_is_an_error),
		cmocka_unit_test(test_malformed_sdp_is_an_error_naming_the_line),
		cmocka_unit_test(test_rewrite_refuses_a_session_that_is_not_this_body),
		cmocka_unit_test(test_rtcp_past_port_65535_is_refused),
		cmocka_unit_test(test_rewrite_that_does_not_fit_is_enospc_and_stays_inside_the_buffer),
		cmocka_unit_test(test_every_truncation_of_valid_bodies_is_safe),
		cmocka_unit_test(test_random_mutations_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
