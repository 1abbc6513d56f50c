// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ng messages in JSON (ng_json.c): requests into bencode, bencoded replies
 * into JSON.  The expectations marked "observed" are what rtpengine
 * 10.5.3.5 (Debian 12) sent and answered on 127.0.0.1, through
 * rtpengine-ng-client --json and raw datagrams; the cookie and its one
 * space are the caller's and left out.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apps/relay/bencode.h"
#include "apps/relay/ng_json.h"
#include "mutate.h"
#include "ng_fixtures.h"

#define NTOKS 4096
static struct bencode_tok t[NTOKS];
static char out[1 << 20];

/* The input in a heap block of exactly its size, so ASan sees any read past
 * the end (a string literal would hide it behind its NUL). */
static int to_benc_n(const char *json, size_t n)
{
	char *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, json, n);
	ret = ng_json_to_bencode(copy, n, out, sizeof(out));
	free(copy);
	return ret;
}

static int to_benc(const char *json)
{
	return to_benc_n(json, strlen(json));
}

static int from_benc_n(const char *benc, size_t n)
{
	char *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, benc, n);
	ret = ng_json_from_bencode(copy, n, out, sizeof(out));
	free(copy);
	return ret;
}

static int from_benc(const char *benc)
{
	return from_benc_n(benc, strlen(benc));
}

/* out[0..n) as jansson reads it (strictly, RFC 8259); NULL if it is not one
 * JSON object.  jansson cannot hold a NUL in a key, so the check reads
 * every \u0000 as \u0001: the same grammar, another code point. */
static json_t *load(size_t n)
{
	static char copy[sizeof(out)];
	json_error_t err;
	json_t *j;
	char *p;

	memcpy(copy, out, n);
	for (p = copy; (p = memmem(p, copy + n - p, "\\u0000", 6)); p += 6)
		p[5] = '1';
	j = json_loadb(copy, n, JSON_ALLOW_NUL, &err);
	if (!j)
		print_error("jansson: %s at %d: %.*s\n", err.text, err.position, (int)n, out);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void assert_to_benc(const char *json, const char *want)
{
	int n = to_benc(json);

	if (n != (int)strlen(want))
		fail_msg("%s: %d, not %zu bytes: %.*s", json, n, strlen(want), n > 0 ? n : 0, out);
	assert_memory_equal(out, want, n);
}

static void assert_from_benc(const char *benc, size_t blen, const char *want)
{
	int n = from_benc_n(benc, blen);

	if (n != (int)strlen(want))
		fail_msg("%d, not %zu bytes: %.*s", n, strlen(want), n > 0 ? n : 0, out);
	assert_memory_equal(out, want, n);
}

/* ng_fixtures.h's kamailio_offer as a JSON client would write it, white space and all. */
static const char kamailio_offer_json[] =
	"{\n"
	"  \"sdp\": \"v=0\\r\\no=- 3868934431 3868934431 IN IP4 192.0.2.10\\r\\n"
	"s=pjmedia\\r\\nc=IN IP4 192.0.2.10\\r\\nt=0 0\\r\\nm=audio 4000 RTP/AVP 0 8 101\\r\\n"
	"a=rtpmap:0 PCMU/8000\\r\\na=rtpmap:8 PCMA/8000\\r\\n"
	"a=rtpmap:101 telephone-event/8000\\r\\na=fmtp:101 0-16\\r\\na=sendrecv\\r\\n\",\n"
	"  \"supports\": [\"load limit\"],\n"
	"  \"flags\": [\"trust-address\", \"SIP-source-address\"],\n"
	"  \"replace\": [\"origin\", \"session-connection\"],\n"
	"  \"ICE\": \"remove\",\n"
	"  \"transport-protocol\": \"RTP/AVP\",\n"
	"  \"received-from\": [\"IP4\", \"192.0.2.10\"],\n"
	"  \"call-id\": \"a84b4c76e66710@pc33.atla\",\n"
	"  \"via-branch\": \"z9hG4bK776asdhds-0ae1\",\n"
	"  \"from-tag\": \"1928301774\",\n"
	"  \"command\": \"offer\"\n"
	"}";

/* Observed: rtpengine-ng-client --json offer --call-id=a84b4c76e66710@pc33.atla
 * --from-tag=1928301774 --via-branch=... --trust-address --replace-origin
 * --replace-session-connection --ICE=remove --protocol=RTP/AVP
 * --received-from=IP4 --received-from=192.0.2.10 --supports=load-limit
 * --TOS=184 --sdp=...; Perl's hash order, TOS a number. */
static const char ngclient_offer_json[] =
	"{\"command\":\"offer\",\"via-branch\":\"z9hG4bK776asdhds-0ae1\","
	"\"from-tag\":\"1928301774\",\"TOS\":184,\"sdp\":\"v=0\\r\\no=- 3868934431 38689344"
	"31 IN IP4 192.0.2.10\\r\\ns=pjmedia\\r\\nc=IN IP4 192.0.2.10\\r\\nt=0 0\\r\\nm=aud"
	"io 4000 RTP/AVP 0 8 101\\r\\na=rtpmap:0 PCMU/8000\\r\\na=rtpmap:8 PCMA/8000\\r\\na"
	"=rtpmap:101 telephone-event/8000\\r\\na=fmtp:101 0-16\\r\\na=sendrecv\\r\\n\","
	"\"ICE\":\"remove\",\"call-id\":\"a84b4c76e66710@pc33.atla\",\"flags\":[\"trust add"
	"ress\"],\"supports\":[\"load-limit\"],\"received-from\":[\"IP4\","
	"\"192.0.2.10\"],\"transport protocol\":\"RTP/AVP\",\"replace\":[\"origin\","
	"\"session connection\"]}";

static const char ngclient_offer_benc[] =
	"d7:command5:offer10:via-branch21:z9hG4bK776asdhds-0ae18:from-tag10:19283017743:TOS"
	"i184e3:sdp227:v=0\r\n"
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
	"3:ICE6:remove7:call-id24:a84b4c76e66710@pc33.atla5:flagsl13:trust addresse"
	"8:supportsl10:load-limite13:received-froml3:IP410:192.0.2.10e18:transport protocol"
	"7:RTP/AVP7:replacel6:origin18:session connectionee";

/* Observed: rtpengine's answer to that offer. */
static const char offer_reply_json[] =
	"{\"sdp\":\"v=0\\r\\no=- 3868934431 3868934431 IN IP4 127.0.0.1\\r\\ns=pjmedia\\r\\"
	"nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\nm=audio 41000 RTP/AVP 0 8 101\\r\\na=rtpmap:0 "
	"PCMU/8000\\r\\na=rtpmap:8 PCMA/8000\\r\\na=rtpmap:101 telephone-event/8000\\r\\na="
	"fmtp:101 0-16\\r\\na=sendrecv\\r\\na=rtcp:41001\\r\\n\",\"result\":\"ok\"}";

static const char offer_reply_benc[] =
	"d3:sdp240:v=0\r\n"
	"o=- 3868934431 3868934431 IN IP4 127.0.0.1\r\n"
	"s=pjmedia\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 41000 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=sendrecv\r\n"
	"a=rtcp:41001\r\n"
	"6:result2:oke";

/* Observed: the answer to {"call-id":"a84b4c76e66710@pc33.atla","command":"query"}
 * right after the offer: dicts in dicts, lists of dicts, empty dicts. */
static const char query_reply_json[] =
	"{\"created\":1796122724,\"created_us\":710175,\"last signal\":1796122724,"
	"\"SSRC\":{},\"tags\":{\"1928301774\":{\"tag\":\"1928301774\",\"created\":179612272"
	"4,\"subscriptions\":[{\"tag\":\"\",\"type\":\"offer/answer\"}],\"subscribers\":[{\""
	"tag\":\"\",\"type\":\"offer/answer\"}],\"medias\":[{\"index\":1,"
	"\"type\":\"audio\",\"protocol\":\"RTP/AVP\",\"streams\":[{\"local port\":41020,"
	"\"local address\":\"127.0.0.1\",\"family\":\"IPv4\",\"endpoint\":{\"family\":\"IPv"
	"4\",\"address\":\"192.0.2.10\",\"port\":4000},\"advertised endpoint\":{\"family\":"
	"\"IPv4\",\"address\":\"192.0.2.10\",\"port\":4000},\"last packet\":1796122724,"
	"\"flags\":[\"RTP\",\"filled\"],\"stats\":{\"packets\":0,\"bytes\":0,"
	"\"errors\":0}},{\"local port\":41021,\"local address\":\"127.0.0.1\","
	"\"family\":\"IPv4\",\"endpoint\":{\"family\":\"IPv4\",\"address\":\"192.0.2.10\","
	"\"port\":4001},\"advertised endpoint\":{\"family\":\"IPv4\",\"address\":\"192.0.2."
	"10\",\"port\":4001},\"last packet\":1796122724,\"flags\":[\"RTCP\","
	"\"filled\"],\"stats\":{\"packets\":0,\"bytes\":0,\"errors\":0}}],"
	"\"flags\":[\"initialized\",\"send\",\"recv\"]}]},\"<untagged 1>\":{\"tag\":\"\","
	"\"via-branch\":\"z9hG4bK776asdhds-0ae1\",\"created\":1796122724,"
	"\"subscriptions\":[{\"tag\":\"1928301774\",\"type\":\"offer/answer\"}],"
	"\"subscribers\":[{\"tag\":\"1928301774\",\"type\":\"offer/answer\"}],"
	"\"medias\":[{\"index\":1,\"type\":\"audio\",\"protocol\":\"RTP/AVP\","
	"\"streams\":[{\"local port\":41000,\"local address\":\"127.0.0.1\","
	"\"family\":\"IPv4\",\"endpoint\":{},\"advertised endpoint\":{},\"last packet\":179"
	"6122724,\"flags\":[\"RTP\"],\"stats\":{\"packets\":0,\"bytes\":0,"
	"\"errors\":0}},{\"local port\":41001,\"local address\":\"127.0.0.1\","
	"\"family\":\"IPv4\",\"endpoint\":{},\"advertised endpoint\":{},\"last packet\":179"
	"6122724,\"flags\":[\"RTCP\"],\"stats\":{\"packets\":0,\"bytes\":0,"
	"\"errors\":0}}],\"flags\":[\"send\",\"recv\",\"ICE controlling\"]}]}},"
	"\"totals\":{\"RTP\":{\"packets\":0,\"bytes\":0,\"errors\":0},\"RTCP\":{\"packets\""
	":0,\"bytes\":0,\"errors\":0}},\"result\":\"ok\"}";

static const char query_reply_benc[] =
	"d7:createdi1796122724e10:created_usi710175e11:last signali1796122724e"
	"4:SSRCde4:tagsd10:1928301774d3:tag10:19283017747:createdi1796122724e"
	"13:subscriptionsld3:tag0:4:type12:offer/answeree11:subscribersld3:tag0:4:type"
	"12:offer/answeree6:mediasld5:indexi1e4:type5:audio8:protocol7:RTP/AVP7:streamsld10"
	":local porti41020e13:local address9:127.0.0.16:family4:IPv48:endpointd6:family4:IP"
	"v47:address10:192.0.2.104:porti4000ee19:advertised endpointd6:family4:IPv47:addres"
	"s10:192.0.2.104:porti4000ee11:last packeti1796122724e5:flagsl3:RTP6:fillede"
	"5:statsd7:packetsi0e5:bytesi0e6:errorsi0eeed10:local porti41021e"
	"13:local address9:127.0.0.16:family4:IPv48:endpointd6:family4:IPv47:address10:192."
	"0.2.104:porti4001ee19:advertised endpointd6:family4:IPv47:address10:192.0.2.104:po"
	"rti4001ee11:last packeti1796122724e5:flagsl4:RTCP6:fillede5:statsd7:packetsi0e"
	"5:bytesi0e6:errorsi0eeee5:flagsl11:initialized4:send4:recveeee12:<untagged 1>d3:ta"
	"g0:10:via-branch21:z9hG4bK776asdhds-0ae17:createdi1796122724e13:subscriptionsld3:t"
	"ag10:19283017744:type12:offer/answeree11:subscribersld3:tag10:19283017744:type"
	"12:offer/answeree6:mediasld5:indexi1e4:type5:audio8:protocol7:RTP/AVP7:streamsld10"
	":local porti41000e13:local address9:127.0.0.16:family4:IPv48:endpointde"
	"19:advertised endpointde11:last packeti1796122724e5:flagsl3:RTPe"
	"5:statsd7:packetsi0e5:bytesi0e6:errorsi0eeed10:local porti41001e"
	"13:local address9:127.0.0.16:family4:IPv48:endpointde19:advertised endpointde"
	"11:last packeti1796122724e5:flagsl4:RTCPe5:statsd7:packetsi0e5:bytesi0e"
	"6:errorsi0eeee5:flagsl4:send4:recv15:ICE controllingeeeee6:totalsd3:RTPd7:packetsi"
	"0e5:bytesi0e6:errorsi0ee4:RTCPd7:packetsi0e5:bytesi0e6:errorsi0eee"
	"6:result2:oke";

static void test_a_json_ping_is_the_bencode_ping(void **state)
{
	(void)state;
	/* Observed: rtpengine-ng-client --json ping sends exactly this. */
	assert_to_benc("{\"command\":\"ping\"}", "d7:command4:pinge");
	assert_to_benc("{}", "de");
}

static void test_a_kamailio_offer_in_json_is_the_bencode_the_commands_read(void **state)
{
	int n;

	(void)state;
	n = to_benc(kamailio_offer_json);
	assert_int_equal(n, strlen(kamailio_offer));
	assert_memory_equal(out, kamailio_offer, n);
	/* And what bencode_parse makes of it is what test_bencode.c checks. */
	assert_true(bencode_parse(out, n, t, NTOKS) > 0);
	assert_int_equal(t[0].size, 2 * 11);
	assert_true(bencode_str_is(out, &t[bencode_dict_get(out, t, 0, "command")], "offer"));
}

static void test_ng_clients_offer_keeps_its_key_order_and_its_number(void **state)
{
	(void)state;
	assert_to_benc(ngclient_offer_json, ngclient_offer_benc);
}

static void test_rtpengines_replies_come_out_as_rtpengine_wrote_them(void **state)
{
	(void)state;
	/* Observed, each the bencode rtpengine answers to the same request in
	 * bencode, and the JSON it answers in JSON: same keys, same order. */
	assert_from_benc("d6:result4:ponge", strlen("d6:result4:ponge"), "{\"result\":\"pong\"}");
	assert_from_benc("d5:callsl24:a84b4c76e66710@pc33.atlae6:result2:oke",
			 strlen("d5:callsl24:a84b4c76e66710@pc33.atlae6:result2:oke"),
			 "{\"calls\":[\"a84b4c76e66710@pc33.atla\"],\"result\":\"ok\"}");
	assert_from_benc("d6:result5:error12:error-reason15:Unknown call-ide",
			 strlen("d6:result5:error12:error-reason15:Unknown call-ide"),
			 "{\"result\":\"error\",\"error-reason\":\"Unknown call-id\"}");
	assert_from_benc("d6:result5:error12:error-reason29:Failed to parse JSON documente",
			 strlen("d6:result5:error12:error-reason29:Failed to parse JSON documente"),
			 "{\"result\":\"error\","
			 "\"error-reason\":\"Failed to parse JSON document\"}");
	assert_from_benc(offer_reply_benc, strlen(offer_reply_benc), offer_reply_json);
	assert_from_benc(query_reply_benc, strlen(query_reply_benc), query_reply_json);
	assert_from_benc("d5:callslee", strlen("d5:callslee"), "{\"calls\":[]}");
	assert_from_benc("de", strlen("de"), "{}");
}

static void test_rtpengines_json_replies_survive_bencode_and_back(void **state)
{
	static const char *const replies[] = {
		"{\"result\":\"pong\"}",
		"{\"calls\":[\"a84b4c76e66710@pc33.atla\"],\"result\":\"ok\"}",
		"{\"result\":\"error\","
		"\"error-reason\":\"Dictionary contains no key \\\"command\\\"\"}",
		offer_reply_json,
		query_reply_json,
	};
	static char benc[65536];

	(void)state;
	assert_to_benc(offer_reply_json, offer_reply_benc);
	assert_to_benc(query_reply_json, query_reply_benc);
	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		int n = to_benc(replies[i]);

		assert_true(n > 0);
		memcpy(benc, out, n);
		assert_from_benc(benc, n, replies[i]);
	}
}

static void test_bencode_with_any_bytes_survives_json_and_back_if_it_is_utf8(void **state)
{
	const char m[] = "d3:nul3:a\0b4:utf812:caf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
			 "3:mini-9223372036854775808e3:maxi9223372036854775807e"
			 "1:ld0:lee0:0:4:ctrl34:\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e"
			 "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"
			 "\"\\e";
	static char json[65536];
	int n;

	(void)state;
	n = from_benc_n(m, sizeof(m) - 1);
	assert_true(n > 0);
	memcpy(json, out, n);
	n = to_benc_n(json, n);
	assert_int_equal(n, sizeof(m) - 1);
	assert_memory_equal(out, m, n);
}

static void test_bytes_that_are_not_utf8_become_latin1_escapes(void **state)
{
	/* Observed: 10.5 answered "list" with the call-id "c\xff\xfe" raw,
	 * which no JSON parser takes. */
	static const struct {
		const char *benc, *json;
	} cases[] = {
		{ "d5:callsl3:c\xff\xfe" "ee", "{\"calls\":[\"c\\u00ff\\u00fe\"]}" },
		/* overlong, surrogate, past U+10FFFF, cut short, stray continuation */
		{ "d1:a2:\xc0\x80" "e", "{\"a\":\"\\u00c0\\u0080\"}" },
		{ "d1:a3:\xed\xa0\x80" "e", "{\"a\":\"\\u00ed\\u00a0\\u0080\"}" },
		{ "d1:a4:\xf4\x90\x80\x80" "e", "{\"a\":\"\\u00f4\\u0090\\u0080\\u0080\"}" },
		{ "d1:a3:x\xe2\x82" "e", "{\"a\":\"x\\u00e2\\u0082\"}" },
		{ "d1:a4:\xe2\x82\xac\xac" "e", "{\"a\":\"\xe2\x82\xac\\u00ac\"}" },
		/* keys too */
		{ "d2:\xff" "a1:be", "{\"\\u00ffa\":\"b\"}" },
		/* the last code points there are, and the edges around surrogates */
		{ "d1:a4:\xf4\x8f\xbf\xbf" "e", "{\"a\":\"\xf4\x8f\xbf\xbf\"}" },
		{ "d1:a6:\xed\x9f\xbf\xee\x80\x80" "e", "{\"a\":\"\xed\x9f\xbf\xee\x80\x80\"}" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j;

		assert_from_benc(cases[i].benc, strlen(cases[i].benc), cases[i].json);
		j = load(strlen(cases[i].json));
		assert_non_null(j);
		json_decref(j);
	}
}

static void test_controls_are_escaped_as_json_glib_escapes_them_but_0x1f_too(void **state)
{
	static const char benc[] =
		"d5:callsl34:\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e"
		"\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
		"\x1f\x7f\x80\xc3" "ee";

	(void)state;
	/* Observed for the same call-id: the same, but \x1f, \x80 and \xc3 raw. */
	assert_from_benc(benc, sizeof(benc) - 1,
			 "{\"calls\":[\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
			 "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015"
			 "\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
			 "\\u007f\\u0080\\u00c3\"]}");
	/* Observed: '/' plain, '"' and '\' escaped, a NUL kept (10.5 cut there). */
	assert_from_benc("d1:a6:/\"\\\0x\x7f" "e", 13, "{\"a\":\"/\\\"\\\\\\u0000x\\u007f\"}");
	/* A NUL in a key too: valid JSON, if more than jansson reads. */
	assert_from_benc("d3:a\0bi1ee", 10, "{\"a\\u0000b\":1}");
}

/* Every byte value, in lists in dicts in lists: valid JSON, every string
 * read back as its bytes with each byte outside UTF-8 as U+00XX.  The key
 * holds no NUL, which jansson could not read back. */
static void test_nested_replies_with_binary_strings_are_valid_json(void **state)
{
	char benc[2048], all[256], want[512];
	struct bencode_w w;
	json_t *j, *s;
	size_t wn = 0;
	void *it;
	int n;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	/* In ascending order no byte of 0x80.. continues a sequence. */
	for (int i = 0; i < 256; i++) {
		if (i < 0x80) {
			want[wn++] = (char)i;
		} else {
			want[wn++] = (char)(0xc0 | i >> 6);
			want[wn++] = (char)(0x80 | (i & 0x3f));
		}
	}
	bencode_w_init(&w, benc, sizeof(benc));
	bencode_w_dict(&w);
	bencode_w_kv_int(&w, "n", -42);
	bencode_w_cstr(&w, "tags");
	bencode_w_list(&w);
	bencode_w_dict(&w);
	bencode_w_str(&w, all + 1, sizeof(all) - 1);
	bencode_w_list(&w);
	bencode_w_str(&w, all, sizeof(all));
	bencode_w_int(&w, INT64_MIN);
	bencode_w_dict(&w);
	bencode_w_end(&w);
	bencode_w_list(&w);
	bencode_w_end(&w);
	bencode_w_end(&w);
	bencode_w_end(&w);
	bencode_w_end(&w);
	bencode_w_end(&w);
	n = bencode_w_finish(&w);
	assert_true(n > 0);

	n = from_benc_n(benc, n);
	assert_true(n > 0);
	j = json_loadb(out, n, JSON_ALLOW_NUL, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), -42);
	s = json_object_iter_value(json_object_iter(json_array_get(json_object_get(j, "tags"), 0)));
	assert_int_equal(json_string_length(json_array_get(s, 0)), wn);
	assert_memory_equal(json_string_value(json_array_get(s, 0)), want, wn);
	assert_true(json_integer_value(json_array_get(s, 1)) == INT64_MIN);
	assert_true(json_is_object(json_array_get(s, 2)));
	assert_true(json_is_array(json_array_get(s, 3)));
	/* The key, bytes 1..255, reads back as the value does. */
	it = json_object_iter(json_array_get(json_object_get(j, "tags"), 0));
	assert_int_equal(json_object_iter_key_len(it), wn - 1);
	assert_memory_equal(json_object_iter_key(it), want + 1, wn - 1);
	json_decref(j);
}

static void test_true_and_false_are_one_and_zero_as_rtpengine_reads_them(void **state)
{
	(void)state;
	/* Observed: "limit":true listed one call, false none. */
	assert_to_benc("{\"command\":\"list\",\"limit\":true}", "d7:command4:list5:limiti1ee");
	assert_to_benc("{\"command\":\"list\",\"limit\":false}", "d7:command4:list5:limiti0ee");
	assert_to_benc("{\"command\":\"ping\",\"x\":[true,false]}",
		       "d7:command4:ping1:xli1ei0eee");
}

static void test_null_and_fractions_are_refused_as_rtpengine_refuses_them(void **state)
{
	static const char *const bad[] = {
		/* Observed: "Could not decode bencode dictionary" for each. */
		"{\"command\":\"list\",\"limit\":null}",
		"{\"command\":\"list\",\"limit\":1.5}",
		"{\"command\":\"list\",\"limit\":2.0}",
		"{\"command\":\"list\",\"limit\":1e0}",
		"{\"command\":\"ping\",\"x\":[1,[2,{\"a\":null}]]}",
		"{\"a\":-0.0}",
		"{\"a\":[null]}",
		"{\"a\":1E2}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(to_benc(bad[i]), -EBADMSG);
}

static void test_integers_keep_their_value_to_the_ends_of_int64_not_further(void **state)
{
	static const char *const bad[] = {
		/* Observed: 10.5 read this one as a negative limit. */
		"{\"limit\":99999999999999999999}",
		"{\"a\":9223372036854775808}",
		"{\"a\":-9223372036854775809}",
		"{\"a\":123456789012345678901234567890123456789012345678901234567890}",
		"{\"a\":1e400}",
		"{\"a\":01}",
		"{\"a\":+1}",
		"{\"a\":0x10}",
	};

	(void)state;
	assert_to_benc("{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
		       "d1:ai9223372036854775807e1:bi-9223372036854775808ee");
	/* Observed: "limit":-0 was a limit of 0. */
	assert_to_benc("{\"limit\":-0}", "d5:limiti0ee");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(to_benc(bad[i]), -EBADMSG);
}

static void test_a_key_twice_in_one_object_is_refused(void **state)
{
	(void)state;
	/* Observed: json-glib kept the last ("list"); bencode_dict_get would
	 * read the first. */
	assert_int_equal(to_benc("{\"command\":\"ping\",\"command\":\"list\"}"), -EBADMSG);
	assert_int_equal(to_benc("{\"a\":{\"x\":1,\"y\":2,\"x\":1}}"), -EBADMSG);
	assert_int_equal(to_benc("{\"a\":[{\"x\":1,\"x\":2}]}"), -EBADMSG);
	/* The same key in two objects is two keys. */
	assert_to_benc("{\"a\":{\"x\":1},\"b\":{\"x\":1}}", "d1:ad1:xi1ee1:bd1:xi1eee");
	/* Spellings that ng folds together are JSON's distinct keys. */
	assert_to_benc("{\"call-id\":\"a\",\"call id\":\"b\"}", "d7:call-id1:a7:call id1:be");
}

static void test_anything_but_one_json_object_is_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "\n", "[]", "[\"command\",\"ping\"]", "\"ping\"", "1", "true", "null",
		/* Observed: trailing bytes, "Failed to parse JSON document". */
		"{\"command\":\"ping\"} x",
		"{\"command\":\"ping\"",
		"{\"command\":\"ping\",}",
		"{\"command\":\"ping\"}{}",
		"{\"command\":\"ping\"},",
		/* json-glib takes these two; RFC 8259 does not. */
		"{'command':'ping'}",
		"{\"command\":\"ping\"}/*c*/",
		/* Observed: refused by 10.5 too. */
		"{\"command\":\"ping\",\"x\":\"\\ud800\"}",
		"{\"command\":\"ping\",\"x\":\"\xff\"}",
		"{\"command\":\"\xc0\x80\"}",
		"{\"command\":\"pi\nng\"}",
		"{\"command\":\"\\x41\"}",
		"{command:\"ping\"}",
		"{\"command\"}",
		"{\"command\":}",
		"{1:2}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (to_benc(bad[i]) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
	/* A raw NUL is not JSON; nor is anything past the given length read. */
	assert_int_equal(to_benc_n("{\"command\":\"ping\"}\0", 19), -EBADMSG);
	assert_int_equal(to_benc_n("{\"command\":\"ping\"}", 17), -EBADMSG);
	assert_int_equal(ng_json_to_bencode(NULL, 0, out, sizeof(out)), -EBADMSG);
	/* White space around the object is JSON's; the caller's dispatch on
	 * the first byte is what refuses leading blanks, as rtpengine does. */
	assert_to_benc("{\"command\":\"ping\"}  \r\n\t", "d7:command4:pinge");
	assert_to_benc(" {\"command\" : \"ping\" } ", "d7:command4:pinge");
}

static void test_unicode_escapes_become_utf8_and_u0000_a_nul_byte(void **state)
{
	int n;

	(void)state;
	/* Observed: "pi\u006eg" was a ping. */
	assert_to_benc("{\"command\":\"pi\\u006eg\"}", "d7:command4:pinge");
	assert_to_benc("{\"call-id\":\"caf\\u00e9\\u20ac\\ud83d\\ude00\"}",
		       "d7:call-id12:caf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "e");
	assert_to_benc("{\"call-id\":\"caf\xc3\xa9\"}", "d7:call-id5:caf\xc3\xa9" "e");
	assert_to_benc("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "d1:a8:\"\\/\b\f\n\r\te");
	/* Observed: 10.5 cut "ping\u0000x" to a ping; here the bytes stay. */
	n = to_benc("{\"command\":\"ping\\u0000x\"}");
	assert_int_equal(n, 19);
	assert_memory_equal(out, "d7:command6:ping\0xe", 19);
	/* jansson holds no NUL in a key: refused, not cut. */
	assert_int_equal(to_benc("{\"a\\u0000b\":1}"), -EBADMSG);
}

/* "{"a":" then depth - 1 arrays, one object per the rest: depth containers. */
static size_t nest(char *buf, unsigned depth, char open, char close)
{
	size_t n = 0;

	memcpy(buf, "{\"a\":", 5);
	n = 5;
	for (unsigned i = 1; i < depth; i++) {
		if (open == '{') {
			memcpy(buf + n, "{\"a\":", 5);
			n += 5;
		} else {
			buf[n++] = open;
		}
	}
	buf[n++] = '1';
	for (unsigned i = 1; i < depth; i++)
		buf[n++] = close;
	buf[n++] = '}';
	return n;
}

static void test_nesting_to_the_bencode_bound_converts_and_past_it_is_refused(void **state)
{
	static char deep[6 * 100000];
	size_t n;
	int ret;

	(void)state;
	n = nest(deep, BENCODE_MAX_DEPTH, '[', ']');
	ret = to_benc_n(deep, n);
	assert_true(ret > 0);
	/* What we write, bencode_parse reads: the bound is the same. */
	assert_int_equal(bencode_parse(out, ret, t, NTOKS), BENCODE_MAX_DEPTH + 2);
	n = nest(deep, BENCODE_MAX_DEPTH, '{', '}');
	ret = to_benc_n(deep, n);
	assert_true(ret > 0);
	assert_true(bencode_parse(out, ret, t, NTOKS) > 0);

	n = nest(deep, BENCODE_MAX_DEPTH + 1, '[', ']');
	assert_int_equal(to_benc_n(deep, n), -EBADMSG);
	n = nest(deep, BENCODE_MAX_DEPTH + 1, '{', '}');
	assert_int_equal(to_benc_n(deep, n), -EBADMSG);
	/* Far past jansson's own bound (2048), and unclosed. */
	n = nest(deep, 100000, '[', ']');
	assert_int_equal(to_benc_n(deep, n), -EBADMSG);
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "{\"a\":", 5);
	assert_int_equal(to_benc_n(deep, sizeof(deep)), -EBADMSG);
}

static void test_every_truncation_of_an_offer_is_refused(void **state)
{
	size_t n = strlen(kamailio_offer_json);

	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(to_benc_n(kamailio_offer_json, i), -EBADMSG);
	assert_true(to_benc_n(kamailio_offer_json, n) > 0);

	n = strlen(query_reply_benc);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(from_benc_n(query_reply_benc, i), -EBADMSG);
}

static void test_anything_but_one_bencoded_dict_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "l1:ae", "le", "i1e", "1:a", "d", "d1:a", "d1:ai1e", "de ", "dee", "d1:ae",
		"di1ei2ee", " de", "d1:a1:bed1:a1:be",
	};
	static char deep[2 * (BENCODE_MAX_DEPTH + 1) + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (from_benc(bad[i]) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
	/* Nested past bencode_parse's bound: -EBADMSG too, not -E2BIG. */
	memset(deep, 'l', sizeof(deep));
	deep[0] = 'd';
	deep[1] = '0';
	deep[2] = ':';
	memset(deep + 3 + BENCODE_MAX_DEPTH, 'e', BENCODE_MAX_DEPTH);
	assert_int_equal(from_benc_n(deep, 3 + 2 * BENCODE_MAX_DEPTH), -EBADMSG);
}

static void test_a_reply_of_many_small_values_needs_no_token_limit(void **state)
{
	/* Past the ng commands' 1024 tokens: the tokens are sized by the input. */
	static char benc[2 * 30000 + 16], want[3 * 30000 + 16];
	size_t n = 0, wn = 0;

	(void)state;
	memcpy(benc, "d1:al", 5);
	n = 5;
	memcpy(want, "{\"a\":[", 6);
	wn = 6;
	for (int i = 0; i < 30000; i++) {
		memcpy(benc + n, "le", 2);
		n += 2;
		memcpy(want + wn, i ? ",[]" : "[]", i ? 3 : 2);
		wn += i ? 3 : 2;
	}
	memcpy(benc + n, "ee", 2);
	n += 2;
	memcpy(want + wn, "]}", 3);
	assert_from_benc(benc, n, want);
}

/* Every outlen short of the full length: -ENOSPC, nothing past outlen. */
static void check_short(int (*conv)(const char *, size_t, char *, size_t), const char *in,
			size_t inlen)
{
	static char buf[70000];
	int full = conv(in, inlen, buf, sizeof(buf));

	assert_true(full > 0);
	for (int len = 0; len < full; len++) {
		memset(buf, 0x5a, sizeof(buf));
		assert_int_equal(conv(in, inlen, buf, len), -ENOSPC);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0x5a);
	}
	assert_int_equal(conv(in, inlen, buf, full), full);
}

static void test_output_short_by_any_byte_is_enospc_and_never_written_past(void **state)
{
	(void)state;
	check_short(ng_json_to_bencode, kamailio_offer_json, strlen(kamailio_offer_json));
	check_short(ng_json_from_bencode, query_reply_benc, strlen(query_reply_benc));
	check_short(ng_json_from_bencode, "d1:a3:\xff\x01\"e", 10);
}

static void test_mutated_json_never_crashes_and_what_converts_parses(void **state)
{
	static const char alphabet[] = "{}[]\":,0123456789.-eE tfnul\\\x80\xff";
	size_t n = strlen(kamailio_offer_json);
	char *buf = malloc(n + 8);
	static char benc[65536];
	unsigned seed = 1;
	int ok = 0;

	(void)state;
	assert_non_null(buf);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = n;
		int ret;

		memcpy(buf, kamailio_offer_json, n);
		mutate(buf, &len, n + 8, alphabet, 4, &seed);
		ret = to_benc_n(buf, len);
		assert_true(ret > 0 || ret == -EBADMSG);
		if (ret > 0) {
			json_t *j;

			assert_true(bencode_parse(out, ret, t, NTOKS) > 0);
			assert_int_equal(t[0].type, BENCODE_DICT);
			memcpy(benc, out, ret);
			ret = from_benc_n(benc, ret);
			assert_true(ret > 0);
			j = load(ret);
			assert_non_null(j);
			json_decref(j);
			ok++;
		}
	}
	/* Some mutations (inside the SDP, say) leave valid JSON. */
	assert_true(ok > 0);
	free(buf);
}

static void test_mutated_replies_never_crash_and_give_valid_json(void **state)
{
	static const char alphabet[] = "dlie0123456789:-\x80\xff\xc3\x01\"\\";
	size_t n = strlen(query_reply_benc);
	char *buf = malloc(n + 8);
	unsigned seed = 1;
	int ok = 0;

	(void)state;
	assert_non_null(buf);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = n;
		int ret;

		memcpy(buf, query_reply_benc, n);
		mutate(buf, &len, n + 8, alphabet, 4, &seed);
		ret = from_benc_n(buf, len);
		assert_true(ret > 0 || ret == -EBADMSG);
		if (ret > 0) {
			json_t *j = load(ret);

			if (!j)
				fail_msg("invalid JSON: %.*s", ret, out);
			json_decref(j);
			ok++;
		}
	}
	assert_true(ok > 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_json_ping_is_the_bencode_ping),
		cmocka_unit_test(test_a_kamailio_offer_in_json_is_the_bencode_the_commands_read),
		cmocka_unit_test(test_ng_clients_offer_keeps_its_key_order_and_its_number),
		cmocka_unit_test(test_rtpengines_replies_come_out_as_rtpengine_wrote_them),
		cmocka_unit_test(test_rtpengines_json_replies_survive_bencode_and_back),
		cmocka_unit_test(test_bencode_with_any_bytes_survives_json_and_back_if_it_is_utf8),
		cmocka_unit_test(test_bytes_that_are_not_utf8_become_latin1_escapes),
		cmocka_unit_test(test_controls_are_escaped_as_json_glib_escapes_them_but_0x1f_too),
		cmocka_unit_test(test_nested_replies_with_binary_strings_are_valid_json),
		cmocka_unit_test(test_true_and_false_are_one_and_zero_as_rtpengine_reads_them),
		cmocka_unit_test(test_null_and_fractions_are_refused_as_rtpengine_refuses_them),
		cmocka_unit_test(test_integers_keep_their_value_to_the_ends_of_int64_not_further),
		cmocka_unit_test(test_a_key_twice_in_one_object_is_refused),
		cmocka_unit_test(test_anything_but_one_json_object_is_refused),
		cmocka_unit_test(test_unicode_escapes_become_utf8_and_u0000_a_nul_byte),
		cmocka_unit_test(test_nesting_to_the_bencode_bound_converts_and_past_it_is_refused),
		cmocka_unit_test(test_every_truncation_of_an_offer_is_refused),
		cmocka_unit_test(test_anything_but_one_bencoded_dict_is_refused),
		cmocka_unit_test(test_a_reply_of_many_small_values_needs_no_token_limit),
		cmocka_unit_test(test_output_short_by_any_byte_is_enospc_and_never_written_past),
		cmocka_unit_test(test_mutated_json_never_crashes_and_what_converts_parses),
		cmocka_unit_test(test_mutated_replies_never_crash_and_give_valid_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
