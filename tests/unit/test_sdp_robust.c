// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the SDP code refuses, and bodies cut short or damaged at random:
 * an error at worst, never a read or write out of bounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mutate.h"
#include "sdp_fixtures.h"

static void test_rewrite_refuses_a_session_that_is_not_this_body(void **state)
{
	struct sdp_rewrite rw = relay_v4();
	struct sdp_session s;

	(void)state;
	parse_ok(offer_v4, &s);
	assert_int_equal(rewrite_by(answer_v6, &s, &rw), -EINVAL);
	parse_ok(answer_v6, &s);
	assert_int_equal(rewrite_by(offer_v4, &s, &rw), -EINVAL);
	rw.family = AF_UNIX;
	assert_int_equal(rewrite_by(answer_v6, &s, &rw), -EINVAL);
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
		cmocka_unit_test(test_rewrite_refuses_a_session_that_is_not_this_body),
		cmocka_unit_test(test_rtcp_past_port_65535_is_refused),
		cmocka_unit_test(test_rewrite_that_does_not_fit_is_enospc_and_stays_inside_the_buffer),
		cmocka_unit_test(test_every_truncation_of_valid_bodies_is_safe),
		cmocka_unit_test(test_random_mutations_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
