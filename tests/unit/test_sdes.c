// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * a=crypto values by RFC 4568's own examples and as rtpengine offers them;
 * what is refused, each with a one-line reason that names its culprit and
 * never the key; formatting and parsing back; rtpengine's SDES flags as a
 * filter on what rtd offers and answers with.
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

#include "apps/relay/sdes.h"
#include "mutate.h"

static int parse(const char *s, struct sdes_crypto *c, char *err)
{
	/* Exactly the value's bytes on the heap: ASan sees a read past them. */
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, n);
	ret = sdes_parse(copy, n, c, err, SDES_ERR_MAX);
	free(copy);
	return ret;
}

static void one_line(const char *err)
{
	assert_true(strlen(err) > 0);
	for (const char *p = err; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

/* --- RFC 4568's examples --- */

static void test_rfc4568_section_4_example_is_refused_for_its_mki_by_name(void **state)
{
	char err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
			       &c, err),
			 -ENOTSUP);
	assert_string_equal(err, "'1:32' is a master key identifier: rtd takes keys without one");
}

static void test_rfc4568_section_4_example_without_its_mki_is_read_whole(void **state)
{
	static const uint8_t want[30] = {
		0x3d, 0x2d, 0x6e, 0x40, 0x25, 0x5e, 0x78, 0x21, 0x42, 0x6a, 0x75, 0x66, 0x72, 0x39, 0x29,
		0x3f, 0x2c, 0x23, 0x35, 0x68, 0x5c, 0x60, 0x3d, 0x26, 0x5d, 0x7b, 0x71, 0x69, 0x50, 0x51,
	};
	char err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20",
			       &c, err),
			 0);
	assert_int_equal(c.tag, 1);
	assert_int_equal(c.key.suite, RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_memory_equal(c.key.key, want, 16);
	assert_memory_equal(c.key.salt, want + 16, 14);
	assert_true(c.key.lifetime == 1u << 20);
}

/* Section 6.1's two keys: 2^20 with MKI 1:4, and 1066:4 without a lifetime. */
static void test_rfc4568_section_6_1_keys_are_refused_for_their_mkis(void **state)
{
	char err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:4",
			       &c, err),
			 -ENOTSUP);
	assert_non_null(strstr(err, "'1:4'"));
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1066:4",
			       &c, err),
			 -ENOTSUP);
	assert_non_null(strstr(err, "'1066:4'"));
	assert_null(strstr(err, "YUJD"));
}

/* Section 7.1.5's offer: one line for its MKI, the other for F8 (before
 * its two keys are even looked at); the answer again for its MKI. */
static void test_rfc4568_section_7_1_5_offer_and_answer(void **state)
{
	char err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 "
			       "FEC_ORDER=FEC_SRTP",
			       &c, err),
			 -ENOTSUP);
	assert_non_null(strstr(err, "master key identifier"));
	assert_int_equal(parse("2 F8_128_HMAC_SHA1_80 "
			       "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
			       "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 "
			       "FEC_ORDER=FEC_SRTP",
			       &c, err),
			 -ENOTSUP);
	assert_string_equal(err, "'F8_128_HMAC_SHA1_80' is a crypto suite rtd does not have");
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
			       &c, err),
			 -ENOTSUP);
	/* The same offer's first line without its MKI: FEC_ORDER is read past. */
	assert_int_equal(parse("1 AES_CM_128_HMAC_SHA1_80 "
			       "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20 "
			       "FEC_ORDER=FEC_SRTP",
			       &c, err),
			 0);
	assert_memory_equal(c.key.key, "YS___semctl () {", 16);
}

/* --- rtpengine's offer: every suite it has, unpadded base64 --- */

static const char *const rtpengine_offer[] = {
	"1 AEAD_AES_256_GCM inline:JTA7RlFcZ3J9iJOeqbS/ytXg6/YBDBciLThDTllkb3qFkJumsbzH0t3o8/4",
	"2 AEAD_AES_128_GCM inline:SlVga3aBjJeirbjDztnk7/oFEBsmMTxHUl1ocw",
	"3 AES_256_CM_HMAC_SHA1_80 "
	"inline:b3qFkJumsbzH0t3o8/4JFB8qNUBLVmFsd4KNmKOuucTP2uXw+wYRHCcyPUhTXg",
	"4 AES_256_CM_HMAC_SHA1_32 "
	"inline:lJ+qtcDL1uHs9wINGCMuOURPWmVwe4aRnKeyvcjT3un0/woVICs2QUxXYm14gw",
	"5 AES_192_CM_HMAC_SHA1_80 inline:ucTP2uXw+wYRHCcyPUhTXml0f4qVoKu2wczX4u34Aw4ZJC86RVA",
	"6 AES_192_CM_HMAC_SHA1_32 inline:3un0/woVICs2QUxXYm14g46ZpK+6xdDb5vH8BxIdKDM+SVRfanU",
	"7 AES_CM_128_HMAC_SHA1_80 inline:Aw4ZJC86RVBbZnF8h5KdqLO+ydTf6vUACxYhLDdC",
	"8 AES_CM_128_HMAC_SHA1_32 inline:KDM+SVRfanWAi5ahrLfCzdjj7vkEDxolMDtGUVxn",
	"9 F8_128_HMAC_SHA1_80 inline:TVhjbnmEj5qlsLvG0dzn8v0IEx4pND9KVWBrdoGM",
	"10 F8_128_HMAC_SHA1_32 inline:cn2Ik56ptL/K1eDr9gEMFyItOENOWWRveoWQm6ax",
	"11 NULL_HMAC_SHA1_80 inline:l6KtuMPO2eTv+gUQGyYxPEdSXWhzfomUn6q1wMvW",
	"12 NULL_HMAC_SHA1_32 inline:vMfS3ejz/gkUHyo1QEtWYWx3go2Yo665xM/a5fD7",
};

#define NOFFER (sizeof(rtpengine_offer) / sizeof(rtpengine_offer[0]))

/* The lines rtd reads, in SDP order; their key bytes were made as
 * (tag * 37 + i * 11) mod 256. */
static unsigned read_offer(struct sdes_crypto *lines)
{
	char err[SDES_ERR_MAX];
	unsigned n = 0;

	for (unsigned t = 0; t < NOFFER; t++) {
		struct sdes_crypto c;
		int ret = parse(rtpengine_offer[t], &c, err);

		if (ret) {
			assert_int_equal(ret, -ENOTSUP);
			assert_non_null(strstr(err, "is a crypto suite rtd does not have"));
			continue;
		}
		lines[n++] = c;
	}
	return n;
}

static void test_an_rtpengine_offer_yields_the_four_suites_rtd_has(void **state)
{
	static const enum rsrtp_suite want[] = { RSRTP_AEAD_AES_256_GCM, RSRTP_AEAD_AES_128_GCM,
						 RSRTP_AES_CM_128_HMAC_SHA1_80,
						 RSRTP_AES_CM_128_HMAC_SHA1_32 };
	static const uint32_t tags[] = { 1, 2, 7, 8 };
	struct sdes_crypto lines[NOFFER];

	(void)state;
	assert_int_equal(read_offer(lines), 4);
	for (unsigned i = 0; i < 4; i++) {
		const struct rsrtp_suite_info *si = &rsrtp_suites[want[i]];

		assert_int_equal(lines[i].key.suite, want[i]);
		assert_int_equal(lines[i].tag, tags[i]);
		for (unsigned b = 0; b < si->key_len; b++)
			assert_int_equal(lines[i].key.key[b], (uint8_t)(tags[i] * 37 + b * 11));
		for (unsigned b = 0; b < si->salt_len; b++)
			assert_int_equal(lines[i].key.salt[b],
					 (uint8_t)(tags[i] * 37 + (si->key_len + b) * 11));
		assert_true(lines[i].key.lifetime == 0);
	}
}

static void test_by_default_rtd_answers_the_first_and_offers_all_offerers_first(void **state)
{
	struct sdes_crypto lines[NOFFER];
	struct sdes_flags f = { 0 };
	enum rsrtp_suite offered[NOFFER], out[RSRTP_NSUITES];
	unsigned n = read_offer(lines);

	(void)state;
	assert_int_equal(sdes_answer(&f, lines, n), 0);
	offered[0] = RSRTP_AES_CM_128_HMAC_SHA1_32;
	assert_int_equal(sdes_offer(&f, offered, 1, out), 4);
	assert_int_equal(out[0], RSRTP_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(out[1], RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(out[2], RSRTP_AEAD_AES_128_GCM);
	assert_int_equal(out[3], RSRTP_AEAD_AES_256_GCM);
	assert_int_equal(sdes_offer(&f, NULL, 0, out), 4);
	assert_int_equal(out[0], RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(sdes_answer(&f, lines, 0), -ENOENT);
}

/* --- formatting --- */

static void test_every_suite_formats_and_parses_back_padded_or_not(void **state)
{
	static const uint64_t lifetimes[] = { 0, 1, 1066, 1ull << 31, RSRTP_LIFETIME_MAX };
	char out[SDES_VALUE_MAX], err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	for (int s = 0; s < RSRTP_NSUITES; s++) {
		for (unsigned l = 0; l < 5; l++) {
			for (int pad = 0; pad < 2; pad++) {
				struct rsrtp_key k;
				int n;

				assert_int_equal(rsrtp_key_new(&k, s), 0);
				k.lifetime = lifetimes[l];
				n = sdes_format(out, sizeof(out), SDES_TAG_MAX, &k, pad);
				assert_true(n > 0 && (size_t)n == strlen(out));
				assert_true(!pad == !strchr(out, '=') || s < 2);
				assert_int_equal(parse(out, &c, err), 0);
				assert_int_equal(c.tag, SDES_TAG_MAX);
				assert_int_equal(c.key.suite, s);
				assert_memory_equal(c.key.key, k.key, RSRTP_KEY_MAX);
				assert_memory_equal(c.key.salt, k.salt, RSRTP_SALT_MAX);
				assert_true(c.key.lifetime == k.lifetime);
			}
		}
	}
}

static void test_format_writes_the_rfcs_spelling(void **state)
{
	struct rsrtp_key k = { .suite = RSRTP_AES_CM_128_HMAC_SHA1_80, .lifetime = 1u << 20 };
	struct rsrtp_key g = { .suite = RSRTP_AEAD_AES_128_GCM, .lifetime = 1066 };
	char out[SDES_VALUE_MAX];

	(void)state;
	memcpy(k.key, "YS___semctl () {", 16);
	memcpy(k.salt, "\t220;}\n}\nunles", 14);
	assert_int_equal(sdes_format(out, sizeof(out), 1, &k, false), 78);
	assert_string_equal(out, "1 AES_CM_128_HMAC_SHA1_80 "
				 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20");
	/* 28 bytes: two '=' of padding, dropped unless asked for. */
	assert_true(sdes_format(out, sizeof(out), 2, &g, false) > 0);
	assert_string_equal(out, "2 AEAD_AES_128_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|1066");
	assert_true(sdes_format(out, sizeof(out), 2, &g, true) > 0);
	assert_string_equal(out,
			    "2 AEAD_AES_128_GCM inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==|1066");
}

static void test_format_says_enospc_at_every_short_length_and_writes_nothing(void **state)
{
	struct rsrtp_key k = { .suite = RSRTP_AEAD_AES_256_GCM, .lifetime = 281474976710655ull };
	char out[SDES_VALUE_MAX], fresh[SDES_VALUE_MAX];
	int n;

	(void)state;
	n = sdes_format(out, sizeof(out), SDES_TAG_MAX, &k, true);
	assert_true(n > 0 && n < SDES_VALUE_MAX);
	for (int cap = 0; cap <= n; cap++) {
		memset(fresh, 'x', sizeof(fresh));
		assert_int_equal(sdes_format(fresh, (size_t)cap, SDES_TAG_MAX, &k, true), -ENOSPC);
		for (int i = 0; i < SDES_VALUE_MAX; i++)
			assert_int_equal(fresh[i], 'x');
	}
	assert_int_equal(sdes_format(fresh, (size_t)n + 1, SDES_TAG_MAX, &k, true), n);
	assert_int_equal(sdes_format(out, sizeof(out), SDES_TAG_MAX + 1, &k, true), -EINVAL);
	k.lifetime = RSRTP_LIFETIME_MAX + 1;
	assert_int_equal(sdes_format(out, sizeof(out), 1, &k, true), -EINVAL);
	k.lifetime = 0;
	k.suite = RSRTP_NSUITES;
	assert_int_equal(sdes_format(out, sizeof(out), 1, &k, true), -EINVAL);
}

/* --- refusals --- */

#define K30 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
#define CM80 "1 AES_CM_128_HMAC_SHA1_80 "

static const struct {
	const char *value;
	int ret;
	const char *reason;
} refusals[] = {
	{ "", -EINVAL, "an empty a=crypto value" },
	{ "   ", -EINVAL, "an empty a=crypto value" },
	{ "01 AES_CM_128_HMAC_SHA1_80 inline:" K30, -EINVAL,
	  "'01' is not a tag (1 to 9 digits, no leading zero)" },
	{ "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" K30, -EINVAL,
	  "'1234567890' is not a tag (1 to 9 digits, no leading zero)" },
	{ "1", -EINVAL, "no crypto suite after the tag" },
	{ "1 AES-CM inline:" K30, -EINVAL, "'AES-CM' is not a crypto suite name" },
	{ "1 NULL_HMAC_SHA1_80 inline:" K30, -ENOTSUP,
	  "'NULL_HMAC_SHA1_80' is a crypto suite rtd does not have" },
	{ CM80, -EINVAL, "no key parameter after the suite" },
	{ CM80 "uri:http://192.0.2.1/key", -ENOTSUP,
	  "'uri' is a key method rtd does not have (inline only)" },
	{ CM80 K30, -EINVAL, "the key parameter is not METHOD:INFO (inline:...)" },
	{ CM80 "inline:" K30 ";inline:" K30, -ENOTSUP,
	  "several master keys (';'): rtd takes one, without an MKI" },
	{ CM80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV%", -EINVAL,
	  "'%' at 39 of the inline key is not base64" },
	{ CM80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGU", -EINVAL,
	  "'AES_CM_128_HMAC_SHA1_80' takes 30 bytes of key and salt (16 and 14), "
	  "the inline key has 29" },
	{ CM80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV", -EINVAL,
	  "the inline key's last character has bits past its last byte" },
	{ CM80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzW", -EINVAL,
	  "the inline key's 41 characters are not base64 of whole bytes" },
	{ CM80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV=", -EINVAL,
	  "the inline key's last character has bits past its last byte" },
	{ CM80 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubG==", -EINVAL,
	  "the inline key's last character has bits past its last byte" },
	{ CM80 "inline:" K30 "=", -EINVAL,
	  "the inline key's 41 characters are not base64 of whole bytes" },
	{ CM80 "inline:" K30 K30, -EINVAL,
	  "the inline key's 80 characters are more than any suite's key" },
	{ "1 AEAD_AES_256_GCM inline:" K30, -EINVAL,
	  "'AEAD_AES_256_GCM' takes 44 bytes of key and salt (32 and 12), the inline key has 30" },
	{ CM80 "inline:" K30 "|0", -EINVAL, "'0' is not a key lifetime (1 to 2^48, no leading zero)" },
	{ CM80 "inline:" K30 "|2^49", -EINVAL,
	  "'2^49' is not a key lifetime (1 to 2^48, no leading zero)" },
	{ CM80 "inline:" K30 "|0100", -EINVAL,
	  "'0100' is not a key lifetime (1 to 2^48, no leading zero)" },
	{ CM80 "inline:" K30 "|281474976710657", -EINVAL,
	  "'281474976710657' is not a key lifetime (1 to 2^48, no leading zero)" },
	{ CM80 "inline:" K30 "|2^20|1:129", -EINVAL,
	  "'1:129' is not an MKI (VALUE:LENGTH, a length of 1 to 128)" },
	{ CM80 "inline:" K30 "|1:4|2^20", -EINVAL,
	  "'1:4' is not an MKI (VALUE:LENGTH, a length of 1 to 128)" },
	{ CM80 "inline:" K30 "|2^20|2^20", -EINVAL,
	  "'2^20' is not an MKI (VALUE:LENGTH, a length of 1 to 128)" },
	{ CM80 "inline:" K30 "|2^20|1:4|x", -EINVAL, "the inline key has more than key|lifetime|MKI" },
	{ CM80 "inline:" K30 " KDR=1", -ENOTSUP,
	  "'KDR=1' is not done: rtd derives session keys once (a rate of 0)" },
	{ CM80 "inline:" K30 " UNENCRYPTED_SRTP", -ENOTSUP,
	  "'UNENCRYPTED_SRTP' is not done: rtd encrypts and authenticates all SRTP and SRTCP" },
	{ CM80 "inline:" K30 " WSH=128 unencrypted_srtcp", -ENOTSUP,
	  "'unencrypted_srtcp' is not done: rtd encrypts and authenticates all SRTP and SRTCP" },
	{ CM80 "inline:" K30 " UNAUTHENTICATED_SRTP", -ENOTSUP,
	  "'UNAUTHENTICATED_SRTP' is not done: rtd encrypts and authenticates all SRTP and SRTCP" },
	{ CM80 "inline:" K30 " FEC_KEY=inline:" K30, -ENOTSUP,
	  "'FEC_KEY' keys a separate FEC stream, which rtd does not relay" },
	{ CM80 "inline:" K30 " FEC_ORDER=LATER", -EINVAL,
	  "'FEC_ORDER=LATER' is not FEC_ORDER=FEC_SRTP or SRTP_FEC" },
	{ CM80 "inline:" K30 " WSH=32", -EINVAL,
	  "'WSH=32' is not a window size hint (64 or more)" },
	{ CM80 "inline:" K30 " -OPTIONAL BRAND_NEW", -ENOTSUP,
	  "'BRAND_NEW' is a session parameter rtd does not know, not marked optional with '-'" },
	{ CM80 "inline:" K30 "\r", -EINVAL, "'\\x0d' at 73 is not a printing character" },
	{ "1 AES_CM_128_HMAC_SHA1_80\ninline:" K30, -EINVAL,
	  "'\\x0a' at 25 is not a printing character" },
	/* A key out of its place is cut from the reason. */
	{ "1 inline:" K30, -EINVAL, "'inline:...' is not a crypto suite name" },
	{ "1 AES_inline:", -EINVAL, "'AES_inline:...' is not a crypto suite name" },
	{ CM80 "inline:" K30 " inline:" K30, -ENOTSUP,
	  "'inline:...' is a session parameter rtd does not know, not marked optional with '-'" },
};

static void test_refusals_say_on_one_line_what_and_why_never_the_key(void **state)
{
	char err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		int ret = parse(refusals[i].value, &c, err);

		if (ret != refusals[i].ret || strcmp(err, refusals[i].reason))
			fail_msg("\"%s\": %d \"%s\", not %d \"%s\"", refusals[i].value, ret, err,
				 refusals[i].ret, refusals[i].reason);
		one_line(err);
		assert_null(strstr(err, "WVNf"));
		assert_int_equal(c.key.key[0], 0);
	}
}

static void test_a_long_culprit_is_shortened_never_the_reason(void **state)
{
	char value[300], err[SDES_ERR_MAX];
	struct sdes_crypto c;
	const char *tail = "...' is a crypto suite rtd does not have";

	(void)state;
	memcpy(value, "1 ", 2);
	memset(value + 2, 'A', 250);
	value[252] = 0;
	assert_int_equal(parse(value, &c, err), -ENOTSUP);
	assert_true(strlen(err) == SDES_ERR_MAX - 1);
	assert_string_equal(err + strlen(err) - strlen(tail), tail);
	/* A culprit cut at its inline key says so even when room runs out. */
	memset(value + 2, 'A', 250);
	memcpy(value + 2 + 80, "inline:", 7);
	assert_int_equal(sdes_parse(value, 252, &c, err, 100), -EINVAL);
	assert_non_null(strstr(err, "...' is not a crypto suite name"));
	assert_null(strstr(err, "inline:A"));
}

static void test_what_may_vary_varies(void **state)
{
	char err[SDES_ERR_MAX];
	struct sdes_crypto c;

	(void)state;
	/* Case of the suite and method, blanks around and between, optional
	 * and hinting parameters, a padded key, 2^0. */
	assert_int_equal(parse("\t 0\taes_cm_128_hmac_sha1_32  INLINE:" K30 "|2^0 WSH=64 "
			       "-X-VENDOR=1 FEC_ORDER=srtp_fec ",
			       &c, err),
			 0);
	assert_int_equal(c.tag, 0);
	assert_int_equal(c.key.suite, RSRTP_AES_CM_128_HMAC_SHA1_32);
	assert_true(c.key.lifetime == 1);
	assert_int_equal(parse("999999999 AEAD_AES_128_GCM "
			       "inline:SlVga3aBjJeirbjDztnk7/oFEBsmMTxHUl1ocw==",
			       &c, err),
			 0);
	assert_int_equal(c.tag, 999999999);
}

static void test_random_damage_never_crashes_and_reasons_stay_one_line(void **state)
{
	static const char alphabet[] = "0123456789AES_CMHAC:|^;=+/ inlWSHKDR-";
	char buf[256], err[SDES_ERR_MAX];
	unsigned seed = 4568;
	struct sdes_crypto c;

	(void)state;
	for (unsigned i = 0; i < 20000; i++) {
		const char *base = i % 3 ? rtpengine_offer[i % NOFFER] : refusals[i % 20].value;
		size_t len = strlen(base);
		int ret;

		memcpy(buf, base, len);
		mutate(buf, &len, sizeof(buf) - 1, alphabet, 4, &seed);
		buf[len] = 0;
		ret = sdes_parse(buf, len, &c, err, sizeof(err));
		assert_true(ret == 0 || ret == -EINVAL || ret == -ENOTSUP);
		if (ret)
			one_line(err);
	}
}

/* --- rtpengine's SDES flags --- */

static int flag(struct sdes_flags *f, const char *w, char *err)
{
	return sdes_flag(f, w, strlen(w), err, SDES_ERR_MAX);
}

static void test_sdes_off_offers_nothing_but_still_answers(void **state)
{
	struct sdes_crypto lines[NOFFER];
	enum rsrtp_suite out[RSRTP_NSUITES];
	char err[SDES_ERR_MAX];
	unsigned n = read_offer(lines);

	(void)state;
	for (const char *const *w = (const char *const[]){ "off", "no", "disable", "SDES-off", NULL };
	     *w; w++) {
		struct sdes_flags f = { 0 };

		assert_int_equal(flag(&f, *w, err), 0);
		assert_int_equal(sdes_offer(&f, NULL, 0, out), 0);
		assert_int_equal(sdes_answer(&f, lines, n), 0);
	}
}

static void test_no_suite_leaves_it_out_of_offers_and_answers(void **state)
{
	struct sdes_crypto lines[NOFFER];
	enum rsrtp_suite out[RSRTP_NSUITES], offered[] = { RSRTP_AEAD_AES_256_GCM };
	struct sdes_flags f = { 0 };
	char err[SDES_ERR_MAX];
	unsigned n = read_offer(lines);

	(void)state;
	assert_int_equal(flag(&f, "no-AEAD_AES_256_GCM", err), 0);
	assert_int_equal(flag(&f, "SDES-no-AES_CM_128_HMAC_SHA1_32", err), 0);
	assert_int_equal(sdes_offer(&f, offered, 1, out), 2);
	assert_int_equal(out[0], RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(out[1], RSRTP_AEAD_AES_128_GCM);
	assert_int_equal(sdes_answer(&f, lines, n), 1);
	assert_false(sdes_allowed(&f, RSRTP_AEAD_AES_256_GCM));
	assert_true(sdes_allowed(&f, RSRTP_AEAD_AES_128_GCM));
	/* A suite rtd lacks: nothing to leave out, and said so. */
	assert_int_equal(flag(&f, "no-NULL_HMAC_SHA1_32", err), SDES_IGNORED);
	assert_string_equal(err, "'NULL_HMAC_SHA1_32' is no crypto suite of rtd's: "
				 "there is none of it to leave out");
}

static void test_only_suite_takes_precedence_over_no(void **state)
{
	struct sdes_crypto lines[NOFFER];
	enum rsrtp_suite out[RSRTP_NSUITES];
	struct sdes_flags f = { 0 };
	char err[SDES_ERR_MAX];
	unsigned n = read_offer(lines);

	(void)state;
	assert_int_equal(flag(&f, "no-AES_CM_128_HMAC_SHA1_80", err), 0);
	assert_int_equal(flag(&f, "only-AES_CM_128_HMAC_SHA1_80", err), 0);
	assert_int_equal(flag(&f, "only-AEAD_AES_128_GCM", err), 0);
	assert_int_equal(sdes_offer(&f, NULL, 0, out), 2);
	assert_int_equal(out[0], RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(out[1], RSRTP_AEAD_AES_128_GCM);
	assert_int_equal(sdes_answer(&f, lines, n), 1);
	/* only- of suites rtd lacks alone: nothing of rtd's to offer. */
	f = (struct sdes_flags){ 0 };
	assert_int_equal(flag(&f, "only-AES_256_CM_HMAC_SHA1_80", err), SDES_IGNORED);
	assert_non_null(strstr(err, "there is none of it to offer"));
	assert_int_equal(sdes_offer(&f, NULL, 0, out), 0);
	/* ... and the offerer still gets the topmost line, as from rtpengine. */
	assert_int_equal(sdes_answer(&f, lines, n), 0);
}

static void test_nonew_offers_onward_exactly_what_was_offered(void **state)
{
	enum rsrtp_suite out[RSRTP_NSUITES], offered[] = { RSRTP_AES_CM_128_HMAC_SHA1_32,
							   RSRTP_AES_CM_128_HMAC_SHA1_32,
							   RSRTP_AEAD_AES_128_GCM };
	struct sdes_flags f = { 0 };
	char err[SDES_ERR_MAX];

	(void)state;
	assert_int_equal(flag(&f, "nonew", err), 0);
	assert_int_equal(flag(&f, "no-AEAD_AES_128_GCM", err), 0);
	assert_int_equal(sdes_offer(&f, offered, 3, out), 2);
	assert_int_equal(out[0], RSRTP_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(out[1], RSRTP_AEAD_AES_128_GCM);
	assert_int_equal(sdes_offer(&f, NULL, 0, out), 0);
}

static void test_order_puts_its_suites_first_and_offerer_pref_picks_the_answer(void **state)
{
	struct sdes_crypto lines[NOFFER];
	enum rsrtp_suite out[RSRTP_NSUITES];
	struct sdes_flags f = { 0 };
	char err[SDES_ERR_MAX];
	unsigned n = read_offer(lines);

	(void)state;
	assert_int_equal(flag(&f, "order:AES_CM_128_HMAC_SHA1_32;AES_256_CM_HMAC_SHA1_80;"
				  "AEAD_AES_128_GCM;",
			      err),
			 SDES_IGNORED);
	assert_string_equal(err, "'AES_256_CM_HMAC_SHA1_80' is no crypto suite of rtd's: "
				 "left out of the list");
	assert_int_equal(sdes_offer(&f, NULL, 0, out), 4);
	assert_int_equal(out[0], RSRTP_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(out[1], RSRTP_AEAD_AES_128_GCM);
	assert_int_equal(out[2], RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(out[3], RSRTP_AEAD_AES_256_GCM);
	assert_int_equal(flag(&f, "offerer_pref:AES_CM_128_HMAC_SHA1_80;AEAD_AES_128_GCM", err), 0);
	assert_int_equal(lines[sdes_answer(&f, lines, n)].tag, 7);
	/* offerer_pref never reaches past no-. */
	assert_int_equal(flag(&f, "no-AES_CM_128_HMAC_SHA1_80", err), 0);
	assert_int_equal(lines[sdes_answer(&f, lines, n)].tag, 2);
	/* A list that is not one changes nothing. */
	assert_int_equal(flag(&f, "order:AES_CM_128_HMAC_SHA1_80;AES-CM", err), -EINVAL);
	assert_string_equal(err, "'AES-CM' is not a crypto suite name");
	assert_int_equal(f.norder, 2);
}

static void test_pad_and_lifetime_shape_rtds_own_keys(void **state)
{
	struct sdes_flags f = { 0 };
	char err[SDES_ERR_MAX], out[SDES_VALUE_MAX];
	struct rsrtp_key k;

	(void)state;
	assert_int_equal(sdes_key_new(&f, RSRTP_AEAD_AES_128_GCM, &k), 0);
	assert_true(k.lifetime == 0);
	assert_int_equal(flag(&f, "pad", err), 0);
	assert_int_equal(flag(&f, "SDES-lifetime", err), 0);
	assert_int_equal(sdes_key_new(&f, RSRTP_AEAD_AES_128_GCM, &k), 0);
	assert_true(k.lifetime == SDES_LIFETIME);
	assert_true(sdes_format(out, sizeof(out), 3, &k, f.pad) > 0);
	assert_non_null(strstr(out, "==|2^31"));
}

static void test_the_rest_of_rtpengines_words_are_taken_and_the_unknown_refused(void **state)
{
	static const char *const taken[] = { "encrypted_srtp", "ENCRYPTED_SRTCP",
					     "authenticated_srtp", "static", "prefer" };
	static const char *const ignored[] = { "unencrypted_srtp", "UNENCRYPTED_SRTCP",
					       "SDES-unauthenticated_srtp" };
	struct sdes_flags f = { 0 }, zero = { 0 };
	char err[SDES_ERR_MAX];

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(flag(&f, taken[i], err), 0);
	assert_true(f.keep_static && f.prefer);
	f.keep_static = f.prefer = false;
	assert_memory_equal(&f, &zero, sizeof(f));
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(flag(&f, ignored[i], err), SDES_IGNORED);
		assert_non_null(strstr(err, "is ignored: rtd encrypts and authenticates all"));
	}
	assert_memory_equal(&f, &zero, sizeof(f));
	assert_int_equal(flag(&f, "Unencrypted_SRTP", err), -EINVAL);
	assert_string_equal(err, "'Unencrypted_SRTP' is not an SDES flag");
	assert_int_equal(flag(&f, "no-", err), -EINVAL);
	assert_int_equal(flag(&f, "no-AES CM", err), -EINVAL);
	assert_string_equal(err, "'AES CM' is not a crypto suite name");
	assert_int_equal(flag(&f, "pad\ncrypto", err), -EINVAL);
	assert_string_equal(err, "'pad\\x0acrypto' is not an SDES flag");
	assert_memory_equal(&f, &zero, sizeof(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4568_section_4_example_is_refused_for_its_mki_by_name),
		cmocka_unit_test(test_rfc4568_section_4_example_without_its_mki_is_read_whole),
		cmocka_unit_test(test_rfc4568_section_6_1_keys_are_refused_for_their_mkis),
		cmocka_unit_test(test_rfc4568_section_7_1_5_offer_and_answer),
		cmocka_unit_test(test_an_rtpengine_offer_yields_the_four_suites_rtd_has),
		cmocka_unit_test(test_by_default_rtd_answers_the_first_and_offers_all_offerers_first),
		cmocka_unit_test(test_every_suite_formats_and_parses_back_padded_or_not),
		cmocka_unit_test(test_format_writes_the_rfcs_spelling),
		cmocka_unit_test(test_format_says_enospc_at_every_short_length_and_writes_nothing),
		cmocka_unit_test(test_refusals_say_on_one_line_what_and_why_never_the_key),
		cmocka_unit_test(test_a_long_culprit_is_shortened_never_the_reason),
		cmocka_unit_test(test_what_may_vary_varies),
		cmocka_unit_test(test_random_damage_never_crashes_and_reasons_stay_one_line),
		cmocka_unit_test(test_sdes_off_offers_nothing_but_still_answers),
		cmocka_unit_test(test_no_suite_leaves_it_out_of_offers_and_answers),
		cmocka_unit_test(test_only_suite_takes_precedence_over_no),
		cmocka_unit_test(test_nonew_offers_onward_exactly_what_was_offered),
		cmocka_unit_test(test_order_puts_its_suites_first_and_offerer_pref_picks_the_answer),
		cmocka_unit_test(test_pad_and_lifetime_shape_rtds_own_keys),
		cmocka_unit_test(test_the_rest_of_rtpengines_words_are_taken_and_the_unknown_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
