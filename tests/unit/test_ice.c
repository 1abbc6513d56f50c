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

#include "apps/relay/ice.h"
#include "apps/relay/stun.h"
#include "mutate.h"
#include "stun_fixtures.h"

/* The relay's side, and the full agent's ufrag it learnt from the offer. */
static const struct ice_creds lite = { .ufrag = "rtdL", .pwd = "q8Xj+2vNw/7PzKm4RtYs0aBc" };
static const char peer_ufrag[] = "pEeR9";
static const uint8_t txid[12] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba,
				  0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67 };

/* A check as the controlling full agent sends it. */
struct check {
	const char *username;
	const char *pwd;
	bool controlling;
	bool use_candidate;
};

static const struct check good = { "rtdL:pEeR9", "q8Xj+2vNw/7PzKm4RtYs0aBc", true, false };

static int build(const struct check *c, uint8_t *out, size_t cap)
{
	const struct stun_request r = {
		.username = c->username,
		.priority = 1862270975,
		.controlling = c->controlling,
		.tie_breaker = 0x0123456789abcdefull,
		.use_candidate = c->use_candidate,
		.key = c->pwd,
		.keylen = c->pwd ? strlen(c->pwd) : 0,
	};
	int n = stun_build_request(out, cap, txid, &r);

	assert_true(n > 0);
	return n;
}

/* What the lite agent answers to req, parsed into m (0 if no reply). */
static int answer(const uint8_t *req, size_t len, const char *remote, const struct rtd_ep *from,
		  struct ice_verdict *v, uint8_t *out, struct stun_msg *m)
{
	int n = ice_answer(&lite, remote, req, len, from, out, 512, v);

	assert_true(n >= 0);
	if (n) {
		assert_int_equal(stun_parse(out, n, m), 0);
		assert_int_equal(m->method, STUN_BINDING);
		assert_memory_equal(m->txid, req + 8, 12);
		assert_true(m->has_fingerprint);
	}
	return n;
}

static int answer_check(const struct check *c, const char *remote, struct ice_verdict *v,
			uint8_t *out, struct stun_msg *m)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	uint8_t req[512];
	int len = build(c, req, sizeof(req));

	return answer(req, len, remote, &from, v, out, m);
}

static bool signed_by_lite(const uint8_t *out, int n, const struct stun_msg *m)
{
	return m->has_integrity && !stun_check_integrity(out, n, m, lite.pwd, strlen(lite.pwd)) &&
	       craft_integrity_holds(out, n, m->integrity_at, lite.pwd);
}

/* An error response of code, signed by the lite agent or not at all. */
static void assert_refused(const struct check *c, const char *remote, uint16_t code, bool sig)
{
	struct ice_verdict v;
	struct stun_msg m;
	uint8_t out[512];
	int n = answer_check(c, remote, &v, out, &m);

	assert_true(n > 0);
	assert_int_equal(v.kind, ICE_REFUSED);
	assert_int_equal(v.error, code);
	assert_int_equal(m.cls, STUN_ERROR);
	assert_int_equal(m.error_code, code);
	assert_int_equal(m.has_integrity, sig);
	if (sig)
		assert_true(signed_by_lite(out, n, &m));
}

static void test_a_valid_check_gets_a_signed_success_mapping_its_source(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct ice_verdict v;
	struct stun_msg m;
	uint8_t out[512];
	int n;

	(void)state;
	n = answer_check(&good, peer_ufrag, &v, out, &m);
	assert_true(n > 0);
	assert_int_equal(v.kind, ICE_VALID);
	assert_false(v.nominated);
	assert_int_equal(v.priority, 1862270975);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_true(m.has_mapped);
	assert_int_equal(m.mapped.family, AF_INET);
	assert_int_equal(m.mapped.port, 50000);
	assert_memory_equal(&m.mapped.addr, &from.addr, sizeof(from.addr));
	assert_true(signed_by_lite(out, n, &m));
	/* The success carries nothing but XOR-MAPPED-ADDRESS, MI and FINGERPRINT. */
	assert_int_equal(n, 20 + 12 + 24 + 8);
}

static void test_use_candidate_nominates_the_pair(void **state)
{
	struct check c = good;
	struct ice_verdict v;
	struct stun_msg m;
	uint8_t out[512];

	(void)state;
	c.use_candidate = true;
	assert_true(answer_check(&c, peer_ufrag, &v, out, &m) > 0);
	assert_int_equal(v.kind, ICE_VALID);
	assert_true(v.nominated);
	assert_int_equal(m.cls, STUN_SUCCESS);
}

static void test_an_ipv6_source_is_mapped_as_ipv6(void **state)
{
	struct rtd_ep from = stun_ep("2001:db8::77", 40002);
	struct ice_verdict v;
	struct stun_msg m;
	uint8_t req[512], out[512];
	int len = build(&good, req, sizeof(req));
	int n = answer(req, len, peer_ufrag, &from, &v, out, &m);

	(void)state;
	assert_int_equal(v.kind, ICE_VALID);
	assert_int_equal(n, 20 + 24 + 24 + 8);
	assert_int_equal(m.mapped.family, AF_INET6);
	assert_int_equal(m.mapped.port, 40002);
	assert_memory_equal(&m.mapped.addr, &from.addr, sizeof(from.addr));
}

static void test_while_the_peer_ufrag_is_unknown_any_peer_part_will_do(void **state)
{
	struct check c = good;
	struct ice_verdict v;
	struct stun_msg m;
	uint8_t out[512];

	(void)state;
	c.username = "rtdL:someone-else";
	assert_true(answer_check(&c, NULL, &v, out, &m) > 0);
	assert_int_equal(v.kind, ICE_VALID);
	assert_refused(&c, peer_ufrag, 401, false);
}

static void test_a_wrong_password_gets_401_unsigned(void **state)
{
	struct check c = good;

	(void)state;
	c.pwd = "q8Xj+2vNw/7PzKm4RtYs0aBC"; /* one letter's case */
	assert_refused(&c, peer_ufrag, 401, false);
	assert_refused(&c, NULL, 401, false);
	c.pwd = "q8Xj+2vNw/7PzKm4RtYs0aB"; /* a prefix */
	assert_refused(&c, peer_ufrag, 401, false);
	c.pwd = ""; /* the empty key */
	assert_refused(&c, peer_ufrag, 401, false);
}

/* A wrong key of any kind: never a success, never a signed reply. */
static void test_no_random_password_ever_gets_a_success(void **state)
{
	unsigned seed = 8445;
	struct check c = good;
	char pwd[40];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		size_t n = 1 + (size_t)rand_r(&seed) % (sizeof(pwd) - 1);

		for (size_t k = 0; k < n; k++)
			pwd[k] = (char)(1 + rand_r(&seed) % 255);
		pwd[n] = 0;
		if (!strcmp(pwd, lite.pwd))
			continue;
		c.pwd = pwd;
		c.use_candidate = i & 1;
		assert_refused(&c, i & 2 ? NULL : peer_ufrag, 401, false);
	}
}

static void test_a_wrong_username_gets_401_unsigned(void **state)
{
	static const char *const wrong[] = {
		"pEeR9:rtdL",  /* the order of the peer's own checks */
		"rtdl:pEeR9",  /* case matters */
		"rtdLx:pEeR9", /* our ufrag as a prefix */
		"rtd:pEeR9",   /* and the other way */
		"rtdL:pEeR",   /* the peer's cut short */
		"rtdL:pEeR9x",
		"rtdLpEeR9",   /* no colon */
		"rtdL",
		"rtdL:",
		"",
	};
	struct check c = good;

	(void)state;
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		c.username = wrong[i];
		assert_refused(&c, peer_ufrag, 401, false);
	}
	/* Without the peer's ufrag, still ours first and someone after the colon. */
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		c.username = wrong[i];
		if (i < 4 || i >= 6)
			assert_refused(&c, NULL, 401, false);
	}
}

static void test_no_username_or_no_integrity_is_400_unsigned(void **state)
{
	struct check c = good;

	(void)state;
	c.username = NULL;
	assert_refused(&c, peer_ufrag, 400, false);
	c = good;
	c.pwd = NULL;
	assert_refused(&c, peer_ufrag, 400, false);
	c.username = NULL;
	assert_refused(&c, NULL, 400, false);
}

/* Both sides controlled.  A lite agent never takes the controlling role
 * (RFC 8445 section 6.1.1), so it does not compare tie-breakers. */
static void test_ice_controlled_is_a_role_conflict_487_signed(void **state)
{
	struct check c = good;

	(void)state;
	c.controlling = false;
	assert_refused(&c, peer_ufrag, 487, true);
	c.use_candidate = true;
	assert_refused(&c, NULL, 487, true);
}

/* RFC 5769's sample request, sent to the agent whose ufrag is "evtj": it
 * authenticates, and carries ICE-CONTROLLED. */
static void test_the_rfc5769_sample_request_is_a_role_conflict(void **state)
{
	const struct ice_creds evtj = { .ufrag = "evtj", .pwd = "VOkJxbRl1RmTxUk/WvJxBt" };
	struct rtd_ep from = stun_ep("192.0.2.1", 32853);
	struct ice_verdict v;
	struct stun_msg m;
	uint8_t out[512];
	int n;

	(void)state;
	n = ice_answer(&evtj, "h6vY", rfc5769_request, sizeof(rfc5769_request), &from, out,
		       sizeof(out), &v);
	assert_true(n > 0);
	assert_int_equal(v.kind, ICE_REFUSED);
	assert_int_equal(v.error, 487);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_int_equal(m.error_code, 487);
	assert_memory_equal(m.txid, rfc5769_txid, 12);
	assert_int_equal(stun_check_integrity(out, n, &m, evtj.pwd, strlen(evtj.pwd)), 0);
	/* The same request to an agent with another password: 401. */
	n = ice_answer(&lite, NULL, rfc5769_request, sizeof(rfc5769_request), &from, out,
		       sizeof(out), &v);
	assert_int_equal(v.error, 401);
}

/* A check with an attribute the agent must understand and does not. */
static size_t craft_check(struct craft *c, uint16_t extra, bool extra_after_mi, const char *pwd)
{
	static const uint8_t prio[4] = { 0x6e, 0, 1, 0xff }, tie[8] = { 1 };

	craft_start(c, 0x0001, txid);
	craft_attr(c, STUN_USERNAME, "rtdL:pEeR9", 10);
	craft_attr(c, STUN_PRIORITY, prio, 4);
	craft_attr(c, STUN_ICE_CONTROLLING, tie, 8);
	if (extra && !extra_after_mi)
		craft_attr(c, extra, "abc", 3);
	craft_integrity(c, pwd);
	if (extra && extra_after_mi)
		craft_attr(c, extra, "abc", 3);
	craft_fingerprint(c);
	return c->len;
}

static void test_an_unknown_required_attribute_gets_420_listing_it_signed(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct ice_verdict v;
	struct stun_msg m;
	struct craft c;
	uint8_t out[512];
	size_t len = craft_check(&c, 0x0777, false, lite.pwd);
	int n = answer(c.b, len, peer_ufrag, &from, &v, out, &m);

	(void)state;
	assert_true(n > 0);
	assert_int_equal(v.kind, ICE_REFUSED);
	assert_int_equal(v.error, 420);
	assert_int_equal(m.error_code, 420);
	assert_int_equal(m.nunknown_attrs, 1);
	assert_memory_equal(m.unknown_attrs, "\x07\x77", 2);
	assert_true(signed_by_lite(out, n, &m));
}

static void test_unknown_attributes_after_integrity_or_optional_ones_are_fine(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct ice_verdict v;
	struct stun_msg m;
	struct craft c;
	uint8_t out[512];
	size_t len;

	(void)state;
	len = craft_check(&c, 0x0777, true, lite.pwd);
	assert_true(answer(c.b, len, peer_ufrag, &from, &v, out, &m) > 0);
	assert_int_equal(v.kind, ICE_VALID);
	len = craft_check(&c, 0xc057, false, lite.pwd); /* GOOG-NETWORK-INFO, say */
	assert_true(answer(c.b, len, peer_ufrag, &from, &v, out, &m) > 0);
	assert_int_equal(v.kind, ICE_VALID);
}

/* RFC 8489 section 6.3: unknown attributes are looked at once the request
 * has authenticated; before, the agent says nothing about them. */
static void test_an_unknown_attribute_under_a_wrong_password_is_401(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct ice_verdict v;
	struct stun_msg m;
	struct craft c;
	uint8_t out[512];
	size_t len = craft_check(&c, 0x0777, false, "not-the-password-at-all");

	(void)state;
	assert_true(answer(c.b, len, peer_ufrag, &from, &v, out, &m) > 0);
	assert_int_equal(v.error, 401);
	assert_false(m.has_integrity);
	assert_null(m.unknown_attrs);
}

static void test_what_is_not_a_binding_request_gets_no_reply(void **state)
{
	static const uint8_t rtp[24] = { 0x80, 0x00, 0x12, 0x34 };
	static const uint8_t dtls[24] = { 0x16, 0xfe, 0xfd };
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	uint16_t types[] = { 0x0011, 0x0101, 0x0111, 0x0003, 0x0004 };
	struct ice_verdict v;
	struct stun_msg m;
	struct craft c;
	uint8_t req[512], out[512];
	int len;

	(void)state;
	/* Indications, responses, and requests of other methods, all signed. */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		craft_start(&c, types[i], txid);
		craft_attr(&c, STUN_USERNAME, "rtdL:pEeR9", 10);
		craft_integrity(&c, lite.pwd);
		craft_fingerprint(&c);
		assert_int_equal(answer(c.b, c.len, peer_ufrag, &from, &v, out, &m), 0);
		assert_int_equal(v.kind, ICE_IGNORED);
	}
	assert_int_equal(answer(rtp, sizeof(rtp), peer_ufrag, &from, &v, out, &m), 0);
	assert_int_equal(answer(dtls, sizeof(dtls), peer_ufrag, &from, &v, out, &m), 0);
	assert_int_equal(v.kind, ICE_IGNORED);
	/* A check whose FINGERPRINT does not match: not STUN after all. */
	len = build(&good, req, sizeof(req));
	req[len - 1] ^= 1;
	assert_int_equal(answer(req, len, peer_ufrag, &from, &v, out, &m), 0);
	assert_int_equal(v.kind, ICE_IGNORED);
}

/*
 * Every cut of a nominating check, exactly sized on the heap: no reply, as
 * the header's length disagrees.  Then with the length made to agree: a
 * success only while MESSAGE-INTEGRITY is whole, and only for what it
 * signed (dropping FINGERPRINT alone leaves a valid check).
 */
static void test_every_truncation_never_crashes_nor_succeeds_unsigned(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct check c = good;
	struct ice_verdict v;
	uint8_t req[512], out[512];
	unsigned valid = 0;
	int len;

	(void)state;
	c.use_candidate = true;
	len = build(&c, req, sizeof(req));
	for (int agree = 0; agree < 2; agree++) {
		for (int n = 0; n < len; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			int r;

			assert_non_null(cut);
			memcpy(cut, req, n);
			if (agree && n >= 20)
				craft_be16(cut + 2, (size_t)n - 20);
			r = ice_answer(&lite, peer_ufrag, cut, n, &from, out, sizeof(out), &v);
			assert_true(r >= 0);
			if (!agree)
				assert_int_equal(r, 0);
			if (v.kind == ICE_VALID) {
				assert_int_equal(n, len - 8);
				valid++;
			}
			free(cut);
		}
	}
	assert_int_equal(valid, 1);
}

static void test_mutated_checks_never_get_a_success_they_did_not_sign(void **state)
{
	static const char alphabet[] = "\x01\x06\x08\x14\x24\x25\x28\x29\x2a\x80:rtdLpEeR9";
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	unsigned seed = 7983, valid = 0;
	struct ice_verdict v;
	struct stun_msg m;
	char buf[600];
	const uint8_t *p = (const uint8_t *)buf;
	uint8_t out[512];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)build(&good, (uint8_t *)buf, sizeof(buf));

		mutate(buf, &len, sizeof(buf), alphabet, 3, &seed);
		if ((i & 1) && len >= 20 && !(len & 3))
			craft_be16((uint8_t *)buf + 2, len - 20);
		(void)ice_answer(&lite, peer_ufrag, p, len, &from, out, sizeof(out), &v);
		if (v.kind != ICE_VALID)
			continue;
		valid++;
		assert_int_equal(stun_parse(p, len, &m), 0);
		assert_true(craft_integrity_holds(p, len, m.integrity_at, lite.pwd));
	}
	/* Not vacuous: some survive (an edit that changes nothing, or a cut
	 * of FINGERPRINT alone with the length agreeing). */
	assert_true(valid > 0);
}

static void test_a_small_buffer_is_enospc_and_nothing_is_written_past_it(void **state)
{
	struct rtd_ep from = stun_ep("2001:db8::77", 40002);
	struct ice_verdict v;
	uint8_t req[512], out[512];
	int len = build(&good, req, sizeof(req));
	int full = ice_answer(&lite, peer_ufrag, req, len, &from, out, sizeof(out), &v);

	(void)state;
	assert_true(full > 0);
	for (int cap = 0; cap < full; cap++) {
		memset(out, 0x5a, sizeof(out));
		assert_int_equal(ice_answer(&lite, peer_ufrag, req, len, &from, out, (size_t)cap, &v),
				 -ENOSPC);
		assert_int_equal(v.kind, ICE_VALID); /* what the request was, all the same */
		for (size_t i = (size_t)cap; i < sizeof(out); i++)
			assert_int_equal(out[i], 0x5a);
	}
}

static void test_local_credentials_out_of_bounds_are_einval(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct ice_creds c;
	struct ice_verdict v;
	uint8_t req[512], out[512];
	int len = build(&good, req, sizeof(req));

	(void)state;
	assert_int_equal(ice_creds_check(&lite), 0);
	c = lite;
	strcpy(c.ufrag, "abc");
	assert_int_equal(ice_creds_check(&c), -EINVAL);
	strcpy(c.ufrag, "abcd");
	assert_int_equal(ice_creds_check(&c), 0);
	memset(c.ufrag, 'u', sizeof(c.ufrag)); /* no NUL at all */
	assert_int_equal(ice_creds_check(&c), -EINVAL);
	c.ufrag[ICE_UFRAG_MAX] = 0;
	assert_int_equal(ice_creds_check(&c), 0);
	strcpy(c.ufrag, "ab:cd"); /* the colon would split USERNAME elsewhere */
	assert_int_equal(ice_creds_check(&c), -EINVAL);
	c = lite;
	strcpy(c.pwd, "123456789012345678901");
	assert_int_equal(ice_creds_check(&c), -EINVAL);
	memset(c.pwd, 'p', sizeof(c.pwd));
	assert_int_equal(ice_creds_check(&c), -EINVAL);
	c.pwd[ICE_PWD_MAX] = 0;
	assert_int_equal(ice_creds_check(&c), 0);
	c.pwd[3] = ' ';
	assert_int_equal(ice_creds_check(&c), -EINVAL);
	assert_int_equal(ice_answer(&c, NULL, req, len, &from, out, sizeof(out), &v), -EINVAL);
	assert_int_equal(v.kind, ICE_IGNORED);
	from.family = 0;
	assert_int_equal(ice_answer(&lite, NULL, req, len, &from, out, sizeof(out), &v), -EINVAL);
}

static void test_fresh_credentials_are_ice_chars_8_and_24_long(void **state)
{
	bool seen[256] = { false };
	struct ice_creds a, b;
	unsigned kinds = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(ice_creds_new(&a), 0);
		assert_int_equal(strlen(a.ufrag), 8);
		assert_int_equal(strlen(a.pwd), 24);
		assert_int_equal(ice_creds_check(&a), 0);
		for (size_t k = 0; k < 24; k++)
			seen[(unsigned char)a.pwd[k]] = true;
	}
	for (int ch = 0; ch < 256; ch++)
		kinds += seen[ch];
	/* 24000 draws from 64: every one of them turns up. */
	assert_int_equal(kinds, 64);
	assert_int_equal(ice_creds_new(&b), 0);
	assert_true(strcmp(a.ufrag, b.ufrag) || strcmp(a.pwd, b.pwd));
}

/* The fresh credentials work end to end. */
static void test_fresh_credentials_answer_a_check_signed_with_them(void **state)
{
	struct rtd_ep from = stun_ep("192.0.2.7", 50000);
	struct ice_creds c;
	struct ice_verdict v;
	struct stun_msg m;
	char user[64];
	uint8_t req[512], out[512];
	struct check k = good;
	int len, n;

	(void)state;
	assert_int_equal(ice_creds_new(&c), 0);
	snprintf(user, sizeof(user), "%s:%s", c.ufrag, peer_ufrag);
	k.username = user;
	k.pwd = c.pwd;
	len = build(&k, req, sizeof(req));
	n = ice_answer(&c, peer_ufrag, req, len, &from, out, sizeof(out), &v);
	assert_true(n > 0);
	assert_int_equal(v.kind, ICE_VALID);
	assert_int_equal(stun_parse(out, n, &m), 0);
	assert_int_equal(stun_check_integrity(out, n, &m, c.pwd, strlen(c.pwd)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_valid_check_gets_a_signed_success_mapping_its_source),
		cmocka_unit_test(test_use_candidate_nominates_the_pair),
		cmocka_unit_test(test_an_ipv6_source_is_mapped_as_ipv6),
		cmocka_unit_test(test_while_the_peer_ufrag_is_unknown_any_peer_part_will_do),
		cmocka_unit_test(test_a_wrong_password_gets_401_unsigned),
		cmocka_unit_test(test_no_random_password_ever_gets_a_success),
		cmocka_unit_test(test_a_wrong_username_gets_401_unsigned),
		cmocka_unit_test(test_no_username_or_no_integrity_is_400_unsigned),
		cmocka_unit_test(test_ice_controlled_is_a_role_conflict_487_signed),
		cmocka_unit_test(test_the_rfc5769_sample_request_is_a_role_conflict),
		cmocka_unit_test(test_an_unknown_required_attribute_gets_420_listing_it_signed),
		cmocka_unit_test(test_unknown_attributes_after_integrity_or_optional_ones_are_fine),
		cmocka_unit_test(test_an_unknown_attribute_under_a_wrong_password_is_401),
		cmocka_unit_test(test_what_is_not_a_binding_request_gets_no_reply),
		cmocka_unit_test(test_every_truncation_never_crashes_nor_succeeds_unsigned),
		cmocka_unit_test(test_mutated_checks_never_get_a_success_they_did_not_sign),
		cmocka_unit_test(test_a_small_buffer_is_enospc_and_nothing_is_written_past_it),
		cmocka_unit_test(test_local_credentials_out_of_bounds_are_einval),
		cmocka_unit_test(test_fresh_credentials_are_ice_chars_8_and_24_long),
		cmocka_unit_test(test_fresh_credentials_answer_a_check_signed_with_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
