// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What sdp_parse() understands of a body, and how it names what it cannot. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sdp_fixtures.h"

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

static const char secured[] =
	"v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
	"a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n"
	"m=audio 4000 RTP/SAVP 0\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n"
	"m=video 4002 UDP/TLS/RTP/SAVPF 96\r\n"
	"a=fingerprint:sha-1 CC:DD\r\na=fingerprint:sha-256 EE:FF\r\na=setup:active\r\n";

static void test_crypto_fingerprint_and_setup_are_found_per_media_or_from_the_session(void **state)
{
	struct sdp_session s;
	const struct sdp_media *a, *v;

	(void)state;
	parse_ok(secured, &s);
	a = &s.media[0];
	v = &s.media[1];
	assert_int_equal(a->ncrypto, 2);
	assert_memory_equal(secured + a->crypto[1].off, "2 AES_CM_128_HMAC_SHA1_32 inline:", 33);
	/* The audio has the session's; the video its own, the first of two. */
	assert_memory_equal(secured + a->fingerprint.off, "sha-256 AA:BB", a->fingerprint.len);
	assert_memory_equal(secured + a->setup.off, "actpass", a->setup.len);
	assert_int_equal(v->ncrypto, 0);
	assert_memory_equal(secured + v->fingerprint.off, "sha-1 CC:DD", v->fingerprint.len);
	assert_memory_equal(secured + v->setup.off, "active", v->setup.len);
}

static void test_more_crypto_lines_than_rtd_keeps_is_an_error_naming_the_line(void **state)
{
	char body[2048];
	size_t n = snprintf(body, sizeof(body), "v=0\r\nc=IN IP4 198.51.100.1\r\nm=audio 4000 RTP/SAVP 0\r\n");
	struct sdp_session s;

	(void)state;
	for (int i = 0; i <= SDP_MAX_CRYPTO; i++)
		n += snprintf(body + n, sizeof(body) - n,
			      "a=crypto:%d AES_CM_128_HMAC_SHA1_80 inline:x\r\n", i + 1);
	assert_int_equal(sdp_parse(body, n, &s, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "sdp: line 12: more than 8 a=crypto lines in one media section");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_with_two_media_is_understood),
		cmocka_unit_test(test_ipv6_answer_with_mux_rtcp_and_a_rejected_stream_is_understood),
		cmocka_unit_test(test_media_level_c_alone_is_enough_but_none_at_all_is_an_error),
		cmocka_unit_test(test_malformed_sdp_is_an_error_naming_the_line),
		cmocka_unit_test(test_crypto_fingerprint_and_setup_are_found_per_media_or_from_the_session),
		cmocka_unit_test(test_more_crypto_lines_than_rtd_keeps_is_an_error_naming_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
