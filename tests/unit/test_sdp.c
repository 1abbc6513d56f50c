// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtd/sdp.h"

static const char offer[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 198.18.1.10\r\n"
	"s=-\r\n"
	"c=IN IP4 198.18.1.10\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=x-unknown:keep me\r\n"
	"a=sendrecv\r\n"
	"m=video 51372 RTP/AVP 96\r\n"
	"a=rtcp:51399 IN IP4 198.18.1.10\r\n"
	"a=rtpmap:96 H264/90000\r\n";

static struct sdp_session s;
static char err[128], out[2048];

static struct sdp_rewrite relay4(uint16_t p0, uint16_t p1)
{
	struct sdp_rewrite rw = { .family = AF_INET, .port = { p0, p1 } };

	rw.addr.s6_addr[10] = rw.addr.s6_addr[11] = 0xff;
	inet_pton(AF_INET, "198.18.0.1", &rw.addr.s6_addr[12]);
	return rw;
}

static void test_offer_with_two_media_is_understood(void **state)
{
	int fam;
	struct in6_addr a;

	(void)state;
	assert_int_equal(sdp_parse(offer, strlen(offer), &s, err, sizeof(err)), 0);
	assert_int_equal(s.nmedia, 2);
	assert_string_equal(s.media[0].type, "audio");
	assert_int_equal(s.media[0].port, 49170);
	assert_int_equal(s.media[0].rtcp_port, 49171);
	assert_string_equal(s.media[0].proto, "RTP/AVP");
	assert_int_equal(s.media[1].port, 51372);
	assert_true(s.media[1].has_rtcp);
	assert_int_equal(s.media[1].rtcp_port, 51399);
	assert_int_equal(sdp_media_addr(&s, 1, &fam, &a), 0);
	assert_int_equal(fam, AF_INET);
	assert_int_equal(a.s6_addr[15], 10);
	assert_true(s.crlf);
}

static void test_offer_with_two_media_gets_both_ports_rewritten(void **state)
{
	struct sdp_rewrite rw = relay4(7000, 7002);
	int n;

	(void)state;
	assert_int_equal(sdp_parse(offer, strlen(offer), &s, err, sizeof(err)), 0);
	n = sdp_rewrite(offer, strlen(offer), &s, &rw, out, sizeof(out));
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(strstr(out, "o=alice 2890844526 2890844526 IN IP4 198.18.0.1\r\n"));
	assert_non_null(strstr(out, "c=IN IP4 198.18.0.1\r\n"));
	assert_null(strstr(out, "198.18.1.10"));
	assert_non_null(strstr(out, "m=audio 7000 RTP/AVP 0 8 101\r\n"));
	assert_non_null(strstr(out, "m=video 7002 RTP/AVP 96\r\n"));
	/* Audio had no a=rtcp: one is added; video's is rewritten with the address. */
	assert_non_null(strstr(out, "a=sendrecv\r\na=rtcp:7001\r\nm=video"));
	assert_non_null(strstr(out, "a=rtcp:7003 IN IP4 198.18.0.1\r\n"));
	assert_non_null(strstr(out, "a=x-unknown:keep me\r\n"));
	/* Video had its own a=rtcp: none is added. */
	assert_null(strstr(out, "a=rtpmap:96 H264/90000\r\na=rtcp:"));
	/* The result parses again. */
	assert_int_equal(sdp_parse(out, n, &s, err, sizeof(err)), 0);
	assert_int_equal(s.media[1].port, 7002);
}

static void test_ipv6_and_lf_only_bodies(void **state)
{
	static const char v6[] = "v=0\no=- 1 1 IN IP6 2001:2::10\ns=-\nt=0 0\n"
				 "m=audio 4000 RTP/AVP 0\nc=IN IP6 2001:2::10\na=rtcp-mux\n";
	struct sdp_rewrite rw = { .family = AF_INET6, .port = { 7010 } };
	int n;

	(void)state;
	inet_pton(AF_INET6, "2001:2::1", &rw.addr);
	assert_int_equal(sdp_parse(v6, strlen(v6), &s, err, sizeof(err)), 0);
	assert_false(s.crlf);
	assert_true(s.media[0].has_c && s.media[0].rtcp_mux);
	assert_int_equal(s.media[0].c_family, AF_INET6);
	n = sdp_rewrite(v6, strlen(v6), &s, &rw, out, sizeof(out));
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(strstr(out, "o=- 1 1 IN IP6 2001:2::1\n"));
	assert_non_null(strstr(out, "c=IN IP6 2001:2::1\n"));
	assert_non_null(strstr(out, "m=audio 7010 RTP/AVP 0\n"));
	assert_null(strstr(out, "a=rtcp:")); /* rtcp-mux: no separate RTCP port */
	assert_null(strchr(out, '\r'));
}

static void test_rejected_stream_keeps_port_zero_and_ice_can_go(void **state)
{
	static const char b[] = "v=0\r\nc=IN IP4 198.18.1.1\r\nm=audio 0 RTP/AVP 0\r\n"
				"m=audio 5000 RTP/AVP 8\r\na=ice-ufrag:x\r\na=candidate:1 1 UDP 1 198.18.1.1 5000 typ host\r\n";
	struct sdp_rewrite rw = relay4(7000, 7002);
	int n;

	(void)state;
	rw.remove_ice = true;
	assert_int_equal(sdp_parse(b, strlen(b), &s, err, sizeof(err)), 0);
	assert_true(s.media[1].ice);
	n = sdp_rewrite(b, strlen(b), &s, &rw, out, sizeof(out));
	out[n] = 0;
	assert_non_null(strstr(out, "m=audio 0 RTP/AVP 0\r\nm=audio 7002 RTP/AVP 8\r\n"));
	assert_null(strstr(out, "candidate"));
	assert_null(strstr(out, "ice-ufrag"));
}

static void test_malformed_sdp_is_an_error_naming_the_line(void **state)
{
	(void)state;
	assert_int_equal(sdp_parse("v=0\r\nc=IN IP4 1.2.3\r\n", 20, &s, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "sdp: line 2: c= needs 'IN IP4|IP6 address'");
	assert_int_equal(sdp_parse("v=0\nm=audio RTP/AVP 0\n", 22, &s, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "sdp: line 2: m= needs 'media port proto fmt...'");
	assert_int_equal(sdp_parse("v=0\nm=audio 5 RTP/AVP 0\n", 24, &s, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "sdp: line 2: media 1 has no c= line");
	assert_int_equal(sdp_parse("hello\n", 6, &s, err, sizeof(err)), -EBADMSG);
	assert_int_equal(sdp_parse("", 0, &s, err, sizeof(err)), -EBADMSG);
}

static void test_truncations_and_mutations_never_crash(void **state)
{
	char buf[sizeof(offer)];
	struct sdp_rewrite rw = relay4(7000, 7002);

	(void)state;
	for (size_t n = 0; n < strlen(offer); n++)
		if (!sdp_parse(offer, n, &s, err, sizeof(err)))
			sdp_rewrite(offer, n, &s, &rw, out, sizeof(out));
	srand(11);
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, offer, sizeof(buf));
		for (int k = 0; k < 3; k++)
			buf[rand() % (sizeof(buf) - 1)] = " =\r\n0aIPm/"[rand() % 11];
		if (!sdp_parse(buf, strlen(offer), &s, err, sizeof(err)))
			assert_true(sdp_rewrite(buf, strlen(offer), &s, &rw, out, sizeof(out)) > 0);
	}
	assert_int_equal(sdp_parse(offer, strlen(offer), &s, err, sizeof(err)), 0);
	assert_int_equal(sdp_rewrite(offer, strlen(offer), &s, &rw, out, 40), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_with_two_media_is_understood),
		cmocka_unit_test(test_offer_with_two_media_gets_both_ports_rewritten),
		cmocka_unit_test(test_ipv6_and_lf_only_bodies),
		cmocka_unit_test(test_rejected_stream_keeps_port_zero_and_ice_can_go),
		cmocka_unit_test(test_malformed_sdp_is_an_error_naming_the_line),
		cmocka_unit_test(test_truncations_and_mutations_never_crash),
	};

	return cmocka_run_group_tests_name("sdp", tests, NULL, NULL);
}
