// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apps/relay/stun.h"
#include "mutate.h"
#include "stun_fixtures.h"

static const uint8_t txid[12] = { 'r', 't', 'd', '-', 't', 'x', 'i', 'd', 0, 1, 2, 3 };

/* The input in a heap block of exactly its size, so ASan sees any read past
 * its end; what m points at is gone afterwards, its numbers are not. */
static int parse_exact(const uint8_t *p, size_t n, struct stun_msg *m)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, p, n);
	ret = stun_parse(copy, n, m);
	free(copy);
	return ret;
}

static bool ep_eq(const struct rtd_ep *a, const struct rtd_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static void test_rfc5769_request_is_read_attribute_by_attribute(void **state)
{
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_parse(rfc5769_request, sizeof(rfc5769_request), &m), 0);
	assert_int_equal(m.method, STUN_BINDING);
	assert_int_equal(m.cls, STUN_REQUEST);
	assert_memory_equal(m.txid, rfc5769_txid, 12);
	assert_int_equal(m.len, 108);
	assert_true(m.has_username);
	assert_int_equal(m.username_len, 9);
	assert_memory_equal(m.username, rfc5769_username, 9);
	assert_true(m.has_priority);
	assert_int_equal(m.priority, 0x6e0001ff);
	assert_true(m.controlled);
	assert_false(m.controlling);
	assert_true(m.tie_breaker == 0x932ff9b151263b36ull);
	assert_false(m.use_candidate);
	assert_true(m.has_integrity);
	assert_int_equal(m.integrity_at, 76);
	assert_true(m.has_fingerprint);
	assert_int_equal(m.fingerprint_at, 100);
	assert_false(m.has_integrity_sha256);
	assert_false(m.has_mapped);
	assert_false(m.has_error);
	/* SOFTWARE is comprehension-optional: skipped, not unknown. */
	assert_int_equal(m.nunknown, 0);
}

static void test_rfc5769_request_integrity_holds_for_its_password_only(void **state)
{
	const uint8_t *p = rfc5769_request;
	char wrong[sizeof(rfc5769_pwd)];
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_parse(p, sizeof(rfc5769_request), &m), 0);
	assert_int_equal(stun_check_integrity(p, m.len, &m, rfc5769_pwd, strlen(rfc5769_pwd)), 0);
	for (size_t i = 0; i < strlen(rfc5769_pwd); i++) {
		memcpy(wrong, rfc5769_pwd, sizeof(wrong));
		wrong[i] ^= 0x01;
		assert_int_equal(stun_check_integrity(p, m.len, &m, wrong, strlen(wrong)), -EACCES);
	}
	assert_int_equal(stun_check_integrity(p, m.len, &m, rfc5769_pwd, strlen(rfc5769_pwd) - 1),
			 -EACCES);
	assert_int_equal(stun_check_integrity(p, m.len, &m, NULL, 0), -EACCES);
	assert_int_equal(stun_check_integrity(p, m.len, &m, "", 0), -EACCES);
}

/* Every byte of the MAC is compared, not a prefix: the message parsed
 * once, its MESSAGE-INTEGRITY then changed under it. */
static void test_every_byte_of_the_mac_counts(void **state)
{
	uint8_t b[sizeof(rfc5769_request)];
	struct stun_msg m;

	(void)state;
	memcpy(b, rfc5769_request, sizeof(b));
	assert_int_equal(stun_parse(b, sizeof(b), &m), 0);
	for (size_t i = 0; i < 20; i++) {
		b[m.integrity_at + 4 + i] ^= 0x01;
		assert_int_equal(stun_check_integrity(b, sizeof(b), &m, rfc5769_pwd,
						      strlen(rfc5769_pwd)),
				 -EACCES);
		b[m.integrity_at + 4 + i] ^= 0x01;
	}
	assert_int_equal(stun_check_integrity(b, sizeof(b), &m, rfc5769_pwd,
					      strlen(rfc5769_pwd)),
			 0);
}

static void test_rfc5769_ipv4_response_maps_192_0_2_1_port_32853(void **state)
{
	struct rtd_ep want = stun_ep("192.0.2.1", 32853);
	const uint8_t *p = rfc5769_response_v4;
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_parse(p, sizeof(rfc5769_response_v4), &m), 0);
	assert_int_equal(m.method, STUN_BINDING);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_memory_equal(m.txid, rfc5769_txid, 12);
	assert_true(m.has_mapped);
	assert_true(ep_eq(&m.mapped, &want));
	assert_int_equal(m.integrity_at, 48);
	assert_int_equal(m.fingerprint_at, 72);
	assert_int_equal(stun_check_integrity(p, m.len, &m, rfc5769_pwd, strlen(rfc5769_pwd)), 0);
}

static void test_rfc5769_ipv6_response_maps_its_address_under_cookie_and_txid(void **state)
{
	struct rtd_ep want = stun_ep("2001:db8:1234:5678:11:2233:4455:6677", 32853);
	const uint8_t *p = rfc5769_response_v6;
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_parse(p, sizeof(rfc5769_response_v6), &m), 0);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_true(m.has_mapped);
	assert_true(ep_eq(&m.mapped, &want));
	assert_int_equal(m.integrity_at, 60);
	assert_int_equal(m.fingerprint_at, 84);
	assert_int_equal(stun_check_integrity(p, m.len, &m, rfc5769_pwd, strlen(rfc5769_pwd)), 0);
}

/*
 * The RFC's responses again, from the builder and from the reference
 * crafter given the same attributes (without SOFTWARE, whose space padding
 * a builder must not copy): the same bytes, MESSAGE-INTEGRITY and
 * FINGERPRINT included, and the vectors' own XOR-MAPPED-ADDRESS bytes.
 */
static void check_rebuilt(const uint8_t *vector, const char *addr, size_t xlen)
{
	struct rtd_ep mapped = stun_ep(addr, 32853);
	uint8_t out[256];
	struct craft c;
	struct stun_msg m;
	int n;

	craft_start(&c, 0x0101, rfc5769_txid);
	craft_attr(&c, STUN_XOR_MAPPED_ADDRESS, vector + 40, xlen);
	craft_integrity(&c, rfc5769_pwd);
	craft_fingerprint(&c);
	n = stun_build_success(out, sizeof(out), rfc5769_txid, &mapped, rfc5769_pwd,
			       strlen(rfc5769_pwd));
	assert_int_equal(n, (int)c.len);
	assert_memory_equal(out, c.b, c.len);
	assert_memory_equal(out + 20, vector + 36, 4 + xlen);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_true(ep_eq(&m.mapped, &mapped));
	assert_int_equal(stun_check_integrity(out, n, &m, rfc5769_pwd, strlen(rfc5769_pwd)), 0);
}

static void test_success_builder_matches_the_reference_byte_for_byte(void **state)
{
	(void)state;
	check_rebuilt(rfc5769_response_v4, "192.0.2.1", 8);
	check_rebuilt(rfc5769_response_v6, "2001:db8:1234:5678:11:2233:4455:6677", 20);
}

/*
 * CRC-32 catches every single-bit error, MESSAGE-INTEGRITY every one in
 * what it covers.  A flip that renames FINGERPRINT into an attribute
 * ignored after MESSAGE-INTEGRITY leaves a message without one, whose
 * integrity still holds: what changed is what it never covered.
 */
static void test_no_single_bit_flip_keeps_fingerprint_and_integrity(void **state)
{
	const uint8_t *vectors[] = { rfc5769_request, rfc5769_response_v4, rfc5769_response_v6 };
	const size_t lens[] = { sizeof(rfc5769_request), sizeof(rfc5769_response_v4),
				sizeof(rfc5769_response_v6) };
	uint8_t b[128];
	struct stun_msg m;

	(void)state;
	for (size_t v = 0; v < 3; v++) {
		size_t covered = lens[v] - 8; /* each ends with MI, then FINGERPRINT */
		unsigned renamed = 0;

		for (size_t bit = 0; bit < lens[v] * 8; bit++) {
			int ret, mi;

			memcpy(b, vectors[v], lens[v]);
			b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ret = stun_parse(b, lens[v], &m);
			if (ret) {
				assert_true(ret == -EBADMSG || ret == -EILSEQ);
				continue;
			}
			assert_false(m.has_fingerprint);
			mi = stun_check_integrity(b, lens[v], &m, rfc5769_pwd, strlen(rfc5769_pwd));
			if (bit / 8 < covered) {
				assert_int_equal(mi, -EACCES);
			} else {
				assert_int_equal(mi, 0);
				renamed++;
			}
		}
		/* 0x8028 into 0x802c or 0x0028, say: both ignored after MI. */
		assert_true(renamed > 0);
	}
}

static void test_a_wrong_fingerprint_is_eilseq(void **state)
{
	uint8_t b[sizeof(rfc5769_response_v4)];
	struct stun_msg m;

	(void)state;
	memcpy(b, rfc5769_response_v4, sizeof(b));
	b[sizeof(b) - 1] ^= 0x80;
	assert_int_equal(stun_parse(b, sizeof(b), &m), -EILSEQ);
}

static void test_stun_is_demultiplexes_as_rfc7983_says(void **state)
{
	uint8_t b[sizeof(rfc5769_response_v4) + 4] = { 0 };

	(void)state;
	memcpy(b, rfc5769_response_v4, sizeof(rfc5769_response_v4));
	assert_true(stun_is(b, sizeof(rfc5769_response_v4)));
	/* Trailing bytes: STUN by the demultiplexer, not a message for the parser. */
	assert_true(stun_is(b, sizeof(rfc5769_response_v4) + 4));
	for (unsigned first = 0; first < 256; first++) {
		b[0] = (uint8_t)first;
		assert_int_equal(stun_is(b, sizeof(rfc5769_response_v4)), first <= 3);
	}
	b[0] = 0x01;
	assert_false(stun_is(b, 19));
	assert_false(stun_is(b, sizeof(rfc5769_response_v4) - 4)); /* length past the end */
	b[3] = 0x3d;
	assert_false(stun_is(b, sizeof(rfc5769_response_v4))); /* not whole words */
	b[3] = 0x3c;
	b[7] ^= 1;
	assert_false(stun_is(b, sizeof(rfc5769_response_v4))); /* no magic cookie */
}

static void test_the_message_must_fill_the_datagram_exactly(void **state)
{
	uint8_t b[sizeof(rfc5769_response_v4) + 4] = { 0 };
	struct stun_msg m;

	(void)state;
	memcpy(b, rfc5769_response_v4, sizeof(rfc5769_response_v4));
	assert_int_equal(stun_parse(b, sizeof(b), &m), -EBADMSG);
	assert_int_equal(stun_parse(b, 19, &m), -EBADMSG);
	assert_int_equal(stun_parse(b, 0, &m), -EBADMSG);
}

/* What a header alone says: the method's 12 bits and the class's 2 are
 * spread over the type (RFC 8489 section 5, figure 3). */
static void test_class_and_method_are_unpicked_from_the_type(void **state)
{
	static const struct {
		uint16_t type, method;
		uint8_t cls;
	} cases[] = {
		{ 0x0001, 0x001, STUN_REQUEST },   { 0x0011, 0x001, STUN_INDICATION },
		{ 0x0101, 0x001, STUN_SUCCESS },   { 0x0111, 0x001, STUN_ERROR },
		{ 0x0003, 0x003, STUN_REQUEST },   { 0x0113, 0x003, STUN_ERROR },
		{ 0x02ef, 0x0ff, STUN_REQUEST },   { 0x03ff, 0x0ff, STUN_ERROR },
	};
	struct craft c;
	struct stun_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		craft_start(&c, cases[i].type, txid);
		assert_int_equal(stun_parse(c.b, c.len, &m), 0);
		assert_int_equal(m.method, cases[i].method);
		assert_int_equal(m.cls, cases[i].cls);
	}
	/* Methods from 0x100 put a first byte past 3, which RFC 7983 gives
	 * to ZRTP and DTLS: not STUN on a port carrying media. */
	craft_start(&c, 0x0401, txid);
	assert_false(stun_is(c.b, c.len));
	assert_int_equal(stun_parse(c.b, c.len, &m), -EBADMSG);
}

/* Each: one attribute of a size or value its type does not allow, last in
 * a block of exactly the message's size, so reading its value before
 * checking its size is an overflow ASan reports. */
static void test_attributes_of_the_wrong_size_are_ebadmsg(void **state)
{
	static const uint8_t zero[600];
	static const uint8_t family3[8] = { 0, 3 }, v4_long[12] = { 0, 1 };
	static const uint8_t class7[4] = { 0, 0, 7, 0 }, number100[4] = { 0, 0, 4, 100 };
	static const struct {
		uint16_t type;
		const uint8_t *v;
		size_t n;
	} cases[] = {
		{ STUN_MESSAGE_INTEGRITY, zero, 19 },
		{ STUN_MESSAGE_INTEGRITY, zero, 32 },
		{ STUN_MESSAGE_INTEGRITY_SHA256, zero, 12 },
		{ STUN_MESSAGE_INTEGRITY_SHA256, zero, 18 },
		{ STUN_MESSAGE_INTEGRITY_SHA256, zero, 36 },
		{ STUN_FINGERPRINT, zero, 8 },
		{ STUN_PRIORITY, zero, 3 },
		{ STUN_USE_CANDIDATE, zero, 4 },
		{ STUN_ICE_CONTROLLING, zero, 4 },
		{ STUN_ICE_CONTROLLED, zero, 9 },
		{ STUN_XOR_MAPPED_ADDRESS, family3, 8 },
		{ STUN_XOR_MAPPED_ADDRESS, v4_long, 12 },
		{ STUN_XOR_MAPPED_ADDRESS, zero, 3 },
		{ STUN_XOR_MAPPED_ADDRESS, zero, 0 },
		{ STUN_ERROR_CODE, zero, 0 },
		{ STUN_PRIORITY, zero, 0 },
		{ STUN_ICE_CONTROLLING, zero, 0 },
		{ STUN_FINGERPRINT, zero, 0 },
		{ STUN_MESSAGE_INTEGRITY, zero, 0 },
		{ STUN_ERROR_CODE, zero, 3 },
		{ STUN_ERROR_CODE, class7, 4 },
		{ STUN_ERROR_CODE, number100, 4 },
		{ STUN_UNKNOWN_ATTRIBUTES, zero, 3 },
		{ STUN_USERNAME, zero, STUN_USERNAME_MAX + 1 },
	};
	struct craft c;
	struct stun_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		craft_start(&c, 0x0001, txid);
		craft_attr(&c, cases[i].type, cases[i].v, cases[i].n);
		assert_int_equal(parse_exact(c.b, c.len, &m), -EBADMSG);
	}
	craft_start(&c, 0x0001, txid);
	craft_attr(&c, STUN_USERNAME, zero, STUN_USERNAME_MAX);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
}

static void test_an_attribute_running_past_the_end_is_ebadmsg(void **state)
{
	struct craft c;
	struct stun_msg m;

	(void)state;
	craft_start(&c, 0x0001, txid);
	craft_attr(&c, STUN_USERNAME, "abcdefgh", 8);
	/* The value's length one word past the message, then its padding. */
	craft_be16(c.b + 22, 12);
	assert_int_equal(stun_parse(c.b, c.len, &m), -EBADMSG);
	craft_be16(c.b + 22, 9);
	assert_int_equal(stun_parse(c.b, c.len, &m), -EBADMSG);
	craft_be16(c.b + 22, 5);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_int_equal(m.username_len, 5);
}

static void test_nothing_may_follow_the_fingerprint(void **state)
{
	struct craft c;
	struct stun_msg m;
	uint32_t crc;

	(void)state;
	craft_start(&c, 0x0001, txid);
	craft_fingerprint(&c);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_true(m.has_fingerprint);
	/* Then an attribute, and FINGERPRINT made right for the longer
	 * header: only its place is wrong. */
	craft_attr(&c, STUN_SOFTWARE, "rtd", 3);
	crc = (uint32_t)crc32(0, c.b, 20) ^ 0x5354554eu;
	craft_be16(c.b + 24, crc >> 16);
	craft_be16(c.b + 26, crc & 0xffff);
	assert_int_equal(stun_parse(c.b, c.len, &m), -EBADMSG);
}

/* RFC 8489 section 14.5: what follows MESSAGE-INTEGRITY is ignored but
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and the length it was computed
 * with did not count it. */
static void test_what_follows_integrity_is_ignored_but_sha256_and_fingerprint(void **state)
{
	static const uint8_t sha[32], prio[4] = { 0, 0, 0, 9 };
	struct craft c;
	struct stun_msg m;

	(void)state;
	craft_start(&c, 0x0001, txid);
	craft_attr(&c, STUN_PRIORITY, (const uint8_t[4]){ 0, 0, 0, 7 }, 4);
	craft_integrity(&c, "secret");
	craft_attr(&c, STUN_USERNAME, "late:user", 9);
	craft_attr(&c, STUN_PRIORITY, prio, 4);
	craft_attr(&c, STUN_USE_CANDIDATE, NULL, 0);
	craft_attr(&c, 0x0777, "x", 1);
	craft_attr(&c, STUN_MESSAGE_INTEGRITY_SHA256, sha, sizeof(sha));
	craft_attr(&c, STUN_ICE_CONTROLLED, sha, 8);
	craft_fingerprint(&c);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_int_equal(m.priority, 7);
	assert_false(m.has_username);
	assert_false(m.use_candidate);
	assert_false(m.controlled);
	assert_int_equal(m.nunknown, 0);
	assert_true(m.has_integrity_sha256);
	assert_true(m.has_fingerprint);
	assert_int_equal(stun_check_integrity(c.b, c.len, &m, "secret", 6), 0);
	assert_int_equal(stun_check_integrity(c.b, c.len, &m, "secreT", 6), -EACCES);
}

/* An ignored attribute is not even checked: its size is nobody's business. */
static void test_ignored_attributes_of_any_size_are_ignored(void **state)
{
	static const uint8_t sha[16];
	struct craft c;
	struct stun_msg m;

	(void)state;
	craft_start(&c, 0x0001, txid);
	craft_attr(&c, STUN_MESSAGE_INTEGRITY_SHA256, sha, sizeof(sha));
	craft_attr(&c, STUN_MESSAGE_INTEGRITY, sha, 3);
	craft_attr(&c, STUN_PRIORITY, sha, 1);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_true(m.has_integrity_sha256);
	assert_false(m.has_integrity); /* it came after SHA256 */
	assert_false(m.has_priority);
}

static void test_unknown_required_attributes_are_listed_once_each(void **state)
{
	struct craft c;
	struct stun_msg m;

	(void)state;
	craft_start(&c, 0x0001, txid);
	craft_attr(&c, 0x0003, "", 0); /* RFC 3489's CHANGE-REQUEST */
	craft_attr(&c, 0x7fff, "abc", 3);
	craft_attr(&c, 0x0003, "", 0);
	craft_attr(&c, 0x8055, "opt", 3); /* comprehension-optional: no matter */
	craft_attr(&c, 0xc057, "goog", 4);
	craft_attr(&c, STUN_MAPPED_ADDRESS, "\0\1\0\0\0\0\0\0", 8); /* known */
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_int_equal(m.nunknown, 2);
	assert_int_equal(m.unknown[0], 0x0003);
	assert_int_equal(m.unknown[1], 0x7fff);
	for (uint16_t t = 0x0100; t < 0x0100 + 2 * STUN_MAX_UNKNOWN; t++)
		craft_attr(&c, t, "", 0);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_int_equal(m.nunknown, STUN_MAX_UNKNOWN);
	assert_int_equal(m.unknown[STUN_MAX_UNKNOWN - 1], 0x0100 + STUN_MAX_UNKNOWN - 3);
}

static void test_duplicates_count_once_the_first_wins(void **state)
{
	static const uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[8] = { 9 };
	struct craft c;
	struct stun_msg m;

	(void)state;
	craft_start(&c, 0x0001, txid);
	craft_attr(&c, STUN_USERNAME, "first", 5);
	craft_attr(&c, STUN_USERNAME, "second", 6);
	craft_attr(&c, STUN_PRIORITY, a, 4);
	craft_attr(&c, STUN_PRIORITY, b, 4);
	craft_attr(&c, STUN_ICE_CONTROLLING, a, 8);
	craft_attr(&c, STUN_ICE_CONTROLLED, b, 8);
	assert_int_equal(stun_parse(c.b, c.len, &m), 0);
	assert_int_equal(m.username_len, 5);
	assert_memory_equal(m.username, "first", 5);
	assert_int_equal(m.priority, 0x01020304);
	assert_true(m.controlling && m.controlled);
	assert_true(m.tie_breaker == 0x0102030405060708ull);
}

static void test_error_response_carries_code_reason_and_the_unknown_list(void **state)
{
	const uint16_t unknown[] = { 0x0003, 0x7fff };
	uint8_t out[256];
	struct stun_msg m;
	int n;

	(void)state;
	n = stun_build_error(out, sizeof(out), txid, 420, "Unknown Attribute", unknown, 2, "pw", 2);
	assert_true(n > 0);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_int_equal(m.cls, STUN_ERROR);
	assert_int_equal(m.method, STUN_BINDING);
	assert_memory_equal(m.txid, txid, 12);
	assert_true(m.has_error);
	assert_int_equal(m.error_code, 420);
	assert_int_equal(m.reason_len, strlen("Unknown Attribute"));
	assert_memory_equal(m.reason, "Unknown Attribute", m.reason_len);
	assert_int_equal(m.nunknown_attrs, 2);
	assert_memory_equal(m.unknown_attrs, "\x00\x03\x7f\xff", 4);
	assert_int_equal(stun_check_integrity(out, n, &m, "pw", 2), 0);
	assert_true(m.has_fingerprint);

	/* Unsigned, without a list: a 401 as a lite agent sends it. */
	n = stun_build_error(out, sizeof(out), txid, 401, "Unauthorized", NULL, 0, NULL, 0);
	assert_int_equal(n, 20 + 4 + 16 + 8);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_int_equal(m.error_code, 401);
	assert_false(m.has_integrity);
	assert_null(m.unknown_attrs);
	assert_true(m.has_fingerprint);
}

static void test_request_builder_round_trips_every_field(void **state)
{
	struct stun_request r = {
		.username = "evtj:h6vY",
		.priority = 0x6e0001ff,
		.controlling = true,
		.tie_breaker = 0xfedcba9876543210ull,
		.use_candidate = true,
		.key = rfc5769_pwd,
		.keylen = strlen(rfc5769_pwd),
	};
	uint8_t out[256];
	struct stun_msg m;
	int n;

	(void)state;
	n = stun_build_request(out, sizeof(out), txid, &r);
	/* USERNAME 16, PRIORITY 8, ICE-CONTROLLING 12, USE-CANDIDATE 4, MI 24, FP 8. */
	assert_int_equal(n, 20 + 16 + 8 + 12 + 4 + 24 + 8);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_int_equal(m.cls, STUN_REQUEST);
	assert_int_equal(m.method, STUN_BINDING);
	assert_memory_equal(m.username, "evtj:h6vY", 9);
	assert_int_equal(m.priority, 0x6e0001ff);
	assert_true(m.controlling && !m.controlled);
	assert_true(m.tie_breaker == 0xfedcba9876543210ull);
	assert_true(m.use_candidate);
	assert_true(craft_integrity_holds(out, n, m.integrity_at, rfc5769_pwd));
	assert_int_equal(stun_check_integrity(out, n, &m, rfc5769_pwd, strlen(rfc5769_pwd)), 0);

	r.controlling = false;
	r.use_candidate = false;
	r.username = NULL;
	r.key = NULL;
	n = stun_build_request(out, sizeof(out), txid, &r);
	assert_int_equal(n, 20 + 8 + 12 + 8);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_true(m.controlled && !m.controlling && !m.use_candidate);
	assert_false(m.has_username || m.has_integrity);
	assert_int_equal(stun_check_integrity(out, n, &m, rfc5769_pwd, strlen(rfc5769_pwd)),
			 -EACCES);
}

/* Every capacity short of the message: -ENOSPC, and not a byte past cap. */
static void check_short_buffers(int (*build)(uint8_t *out, size_t cap))
{
	uint8_t buf[512];
	int full = build(buf, sizeof(buf));

	assert_true(full > 0);
	for (int cap = 0; cap < full; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		assert_int_equal(build(buf, (size_t)cap), -ENOSPC);
		for (size_t i = (size_t)cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0x5a);
	}
}

static int build_success6(uint8_t *out, size_t cap)
{
	struct rtd_ep e = stun_ep("2001:db8::1", 9);

	return stun_build_success(out, cap, txid, &e, "k", 1);
}

static int build_error420(uint8_t *out, size_t cap)
{
	const uint16_t u[3] = { 1, 2, 3 };

	return stun_build_error(out, cap, txid, 420, "Unknown Attribute", u, 3, "k", 1);
}

static int build_request(uint8_t *out, size_t cap)
{
	const struct stun_request r = { .username = "abcd:efgh", .use_candidate = true,
					.key = "k", .keylen = 1 };

	return stun_build_request(out, cap, txid, &r);
}

static void test_builders_say_enospc_at_every_short_length_and_stay_inside(void **state)
{
	(void)state;
	check_short_buffers(build_success6);
	check_short_buffers(build_error420);
	check_short_buffers(build_request);
}

static void test_builders_refuse_what_no_message_can_carry(void **state)
{
	char reason[STUN_REASON_MAX + 2], user[STUN_USERNAME_MAX + 2];
	const uint16_t u[STUN_MAX_UNKNOWN + 1] = { 0 };
	struct rtd_ep e = stun_ep("192.0.2.1", 1);
	struct stun_request r = { .username = user };
	uint8_t out[2048];

	(void)state;
	memset(reason, 'r', sizeof(reason));
	reason[STUN_REASON_MAX + 1] = 0;
	memset(user, 'u', sizeof(user));
	user[STUN_USERNAME_MAX + 1] = 0;
	assert_int_equal(stun_build_error(out, sizeof(out), txid, 299, "x", NULL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(stun_build_error(out, sizeof(out), txid, 700, "x", NULL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(stun_build_error(out, sizeof(out), txid, 500, reason, NULL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(stun_build_error(out, sizeof(out), txid, 420, "x", u, STUN_MAX_UNKNOWN + 1,
					  NULL, 0),
			 -EINVAL);
	reason[STUN_REASON_MAX] = 0;
	assert_true(stun_build_error(out, sizeof(out), txid, 500, reason, NULL, 0, NULL, 0) > 0);
	assert_int_equal(stun_build_request(out, sizeof(out), txid, &r), -EINVAL);
	user[STUN_USERNAME_MAX] = 0;
	assert_true(stun_build_request(out, sizeof(out), txid, &r) > 0);
	e.family = 0;
	assert_int_equal(stun_build_success(out, sizeof(out), txid, &e, NULL, 0), -EINVAL);
}

static void check_truncations(const uint8_t *msg, size_t len)
{
	uint8_t b[128];
	struct stun_msg m;

	for (size_t n = 0; n < len; n++)
		assert_int_equal(parse_exact(msg, n, &m), -EBADMSG);
	/* Cut at every word, the header's length saying so: whatever the
	 * parser makes of the rest, it stays within it. */
	for (size_t n = 20; n < len; n += 4) {
		int ret;

		memcpy(b, msg, n);
		craft_be16(b + 2, n - 20);
		ret = parse_exact(b, n, &m);
		assert_true(ret == 0 || ret == -EBADMSG || ret == -EILSEQ);
		if (!ret)
			assert_false(m.has_fingerprint);
	}
}

static void test_every_truncation_of_the_vectors_is_refused_inside_its_bounds(void **state)
{
	(void)state;
	check_truncations(rfc5769_request, sizeof(rfc5769_request));
	check_truncations(rfc5769_response_v4, sizeof(rfc5769_response_v4));
	check_truncations(rfc5769_response_v6, sizeof(rfc5769_response_v6));
}

static void test_random_mutations_never_crash(void **state)
{
	static const char alphabet[] = "\x01\x04\x06\x08\x14\x20\x24\x25\x28\x29\x2a\x80\xff";
	unsigned seed = 5769;
	char buf[160];
	struct stun_msg m;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t len = sizeof(rfc5769_request);
		int ret;

		memcpy(buf, rfc5769_request, len);
		mutate(buf, &len, sizeof(buf), alphabet, 4, &seed);
		/* Half of them with a header length that agrees. */
		if ((i & 1) && len >= 20 && !(len & 3))
			craft_be16((uint8_t *)buf + 2, len - 20);
		ret = parse_exact((const uint8_t *)buf, len, &m);
		assert_true(ret == 0 || ret == -EBADMSG || ret == -EILSEQ);
		if (!ret)
			(void)stun_check_integrity((const uint8_t *)buf, len, &m, rfc5769_pwd,
						   strlen(rfc5769_pwd));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5769_request_is_read_attribute_by_attribute),
		cmocka_unit_test(test_rfc5769_request_integrity_holds_for_its_password_only),
		cmocka_unit_test(test_every_byte_of_the_mac_counts),
		cmocka_unit_test(test_rfc5769_ipv4_response_maps_192_0_2_1_port_32853),
		cmocka_unit_test(test_rfc5769_ipv6_response_maps_its_address_under_cookie_and_txid),
		cmocka_unit_test(test_success_builder_matches_the_reference_byte_for_byte),
		cmocka_unit_test(test_no_single_bit_flip_keeps_fingerprint_and_integrity),
		cmocka_unit_test(test_a_wrong_fingerprint_is_eilseq),
		cmocka_unit_test(test_stun_is_demultiplexes_as_rfc7983_says),
		cmocka_unit_test(test_the_message_must_fill_the_datagram_exactly),
		cmocka_unit_test(test_class_and_method_are_unpicked_from_the_type),
		cmocka_unit_test(test_attributes_of_the_wrong_size_are_ebadmsg),
		cmocka_unit_test(test_an_attribute_running_past_the_end_is_ebadmsg),
		cmocka_unit_test(test_nothing_may_follow_the_fingerprint),
		cmocka_unit_test(test_what_follows_integrity_is_ignored_but_sha256_and_fingerprint),
		cmocka_unit_test(test_ignored_attributes_of_any_size_are_ignored),
		cmocka_unit_test(test_unknown_required_attributes_are_listed_once_each),
		cmocka_unit_test(test_duplicates_count_once_the_first_wins),
		cmocka_unit_test(test_error_response_carries_code_reason_and_the_unknown_list),
		cmocka_unit_test(test_request_builder_round_trips_every_field),
		cmocka_unit_test(test_builders_say_enospc_at_every_short_length_and_stay_inside),
		cmocka_unit_test(test_builders_refuse_what_no_message_can_carry),
		cmocka_unit_test(test_every_truncation_of_the_vectors_is_refused_inside_its_bounds),
		cmocka_unit_test(test_random_mutations_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
