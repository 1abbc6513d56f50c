/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the SDP tests share: an offer and an answer as they come and as the
 * relay at 203.0.113.5 (or 2001:db8:ffff::5), ports from 30000 up, must
 * send them on, and the helpers that parse, rewrite and compare them.
 */
#ifndef RTD_TEST_SDP_FIXTURES_H
#define RTD_TEST_SDP_FIXTURES_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apps/relay/sdp.h"

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

static inline struct sdp_rewrite relay_v4(void)
{
	struct sdp_rewrite rw = { .family = AF_INET };

	rw.addr.s6_addr[10] = rw.addr.s6_addr[11] = 0xff;
	inet_pton(AF_INET, "203.0.113.5", &rw.addr.s6_addr[12]);
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		rw.port[i] = 30000 + 2 * i;
	return rw;
}

static inline struct sdp_rewrite relay_v6(void)
{
	struct sdp_rewrite rw = relay_v4();

	rw.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:ffff::5", &rw.addr);
	return rw;
}

static inline void parse_ok(const char *body, struct sdp_session *s)
{
	int ret = sdp_parse(body, strlen(body), s, err, sizeof(err));

	if (ret)
		fail_msg("%s", err);
}

/* body rewritten into out by rw after s, which need not be body's own. */
static inline int rewrite_by(const char *body, const struct sdp_session *s,
			     const struct sdp_rewrite *rw)
{
	return sdp_rewrite(body, strlen(body), s, rw, out, sizeof(out));
}

static inline int rewrite(const char *body, const struct sdp_rewrite *rw)
{
	struct sdp_session s;

	parse_ok(body, &s);
	return rewrite_by(body, &s, rw);
}

/* The rewritten body, NUL-terminated in out; fails the test if there is none. */
static inline const char *rewritten(const char *body, const struct sdp_rewrite *rw)
{
	int n = rewrite(body, rw);

	assert_true(n > 0);
	out[n] = 0;
	return out;
}

static inline void assert_rewrites_to(const char *body, const struct sdp_rewrite *rw,
				      const char *want)
{
	assert_string_equal(rewritten(body, rw), want);
}

/* Through the IPv4 relay with nothing more asked, body reads exactly want. */
static inline void assert_relayed_v4_to(const char *body, const char *want)
{
	struct sdp_rewrite rw = relay_v4();

	assert_rewrites_to(body, &rw, want);
}

/* body through the IPv6 relay, left in out, and parsed back into s. */
static inline void relayed_v6_parsed(const char *body, struct sdp_session *s)
{
	struct sdp_rewrite rw = relay_v6();

	parse_ok(rewritten(body, &rw), s);
}

static inline void assert_v4(const struct in6_addr *a, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, &a->s6_addr[12], buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static inline void assert_v6(const struct in6_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET6, a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

#endif
