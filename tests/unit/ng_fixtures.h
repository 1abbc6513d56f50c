/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ng messages as real controllers send them, for the tests that parse them. */
#ifndef TESTS_NG_FIXTURES_H
#define TESTS_NG_FIXTURES_H

/* An offer as Kamailio's rtpengine module sends it (after the cookie). */
static const char kamailio_offer[] =
	"d"
	"3:sdp"
	"227:v=0\r\n"
	"o=- 3868934431 3868934431 IN IP4 192.0.2.10\r\n"
	"s=pjmedia\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 4000 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=sendrecv\r\n"
	"8:supportsl10:load limite"
	"5:flagsl13:trust-address18:SIP-source-addresse"
	"7:replacel6:origin18:session-connectione"
	"3:ICE6:remove"
	"18:transport-protocol7:RTP/AVP"
	"13:received-froml3:IP410:192.0.2.10e"
	"7:call-id24:a84b4c76e66710@pc33.atla"
	"10:via-branch21:z9hG4bK776asdhds-0ae1"
	"8:from-tag10:1928301774"
	"7:command5:offer"
	"e";

#endif
