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

#include "apps/relay/bencode.h"
#include "mutate.h"
#include "ng_fixtures.h"

#define NTOKS 256
static struct bencode_tok t[NTOKS];

static int parse(const char *s)
{
	return bencode_parse(s, strlen(s), t, NTOKS);
}

/* The input in a heap block of exactly its size, so ASan sees any read past
 * the end (a string literal would hide it behind its NUL). */
static int parse_exact(const char *s, size_t n, struct bencode_tok *toks, unsigned ntoks)
{
	char *copy = malloc(n ? n : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, n);
	ret = bencode_parse(copy, n, toks, ntoks);
	free(copy);
	return ret;
}

static void test_kamailio_ping_is_a_dict_of_one_pair(void **state)
{
	const char *m = "d7:command4:pinge";
	int c;

	(void)state;
	assert_int_equal(parse(m), 3);
	assert_int_equal(t[0].type, BENCODE_DICT);
	assert_int_equal(t[0].size, 2);
	assert_int_equal(t[0].end, 3);
	c = bencode_dict_get(m, t, 0, "command");
	assert_int_equal(c, 2);
	assert_true(bencode_str_is(m, &t[c], "ping"));
	assert_false(bencode_str_is(m, &t[c], "pin"));
	assert_false(bencode_str_is(m, &t[c], "PING"));
}

static void test_kamailio_offer_is_read_in_full(void **state)
{
	const char *m = kamailio_offer, *p;
	char buf[64];
	size_t n;
	int v, n_toks;

	(void)state;
	n_toks = parse(m);
	assert_true(n_toks > 0);
	assert_int_equal(t[0].end, n_toks);
	assert_int_equal(t[0].size, 2 * 11);

	v = bencode_dict_get(m, t, 0, "sdp");
	assert_int_equal(bencode_tok_str(m, &t[v], &p, &n), 0);
	assert_int_equal(n, 227);
	assert_memory_equal(p, "v=0\r\no=- ", 9);
	assert_memory_equal(p + n - 12, "a=sendrecv\r\n", 12);

	v = bencode_dict_get(m, t, 0, "call-id");
	assert_int_equal(bencode_str_copy(m, &t[v], buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a84b4c76e66710@pc33.atla");
	v = bencode_dict_get(m, t, 0, "from-tag");
	assert_true(bencode_str_is(m, &t[v], "1928301774"));
	v = bencode_dict_get(m, t, 0, "ICE");
	assert_true(bencode_str_is(m, &t[v], "remove"));
	v = bencode_dict_get(m, t, 0, "transport protocol");
	assert_true(bencode_str_is(m, &t[v], "RTP/AVP"));

	v = bencode_dict_get(m, t, 0, "received-from");
	assert_int_equal(t[v].type, BENCODE_LIST);
	assert_int_equal(t[v].size, 2);
	assert_true(bencode_str_is(m, &t[bencode_first(t, v)], "IP4"));
	assert_true(bencode_str_is(m, &t[bencode_next(t, v, bencode_first(t, v))], "192.0.2.10"));

	v = bencode_dict_get(m, t, 0, "flags");
	assert_true(bencode_list_find(m, t, v, "trust address") > v);
	assert_true(bencode_list_find(m, t, v, "sip_source_address") > v);
	assert_int_equal(bencode_list_find(m, t, v, "strict-source"), -ENOENT);
	v = bencode_dict_get(m, t, 0, "replace");
	assert_true(bencode_list_find(m, t, v, "origin") > v);
	assert_true(bencode_list_find(m, t, v, "session connection") > v);
	v = bencode_dict_get(m, t, 0, "supports");
	assert_true(bencode_list_find(m, t, v, "load-limit") > v);

	assert_true(bencode_str_is(m, &t[bencode_dict_get(m, t, 0, "command")], "offer"));
	assert_int_equal(bencode_dict_get(m, t, 0, "to-tag"), -ENOENT);
}

static void test_keys_in_any_order_and_spelling_are_found(void **state)
{
	const char *m = "d7:call id4:abcd7:COMMAND5:query8:from_tag2:fte";
	int v;

	(void)state;
	assert_int_equal(parse(m), 7);
	v = bencode_dict_get(m, t, 0, "call-id");
	assert_int_equal(v, 2);
	assert_int_equal(bencode_dict_get(m, t, 0, "call_id"), v);
	assert_int_equal(bencode_dict_get(m, t, 0, "Call-ID"), v);
	assert_int_equal(bencode_dict_get(m, t, 0, "CALL ID"), v);
	assert_int_equal(bencode_dict_get(m, t, 0, "command"), 4);
	assert_int_equal(bencode_dict_get(m, t, 0, "from-tag"), 6);
}

static void test_keys_differ_in_anything_but_case_and_separators(void **state)
{
	(void)state;
	assert_true(bencode_key_eq("call-id", 7, "call_id", 7));
	assert_true(bencode_key_eq("call-id", 7, "CALL ID", 7));
	assert_false(bencode_key_eq("call-id", 7, "callid", 6));
	assert_false(bencode_key_eq("call-id", 7, "call-i", 6));
	assert_false(bencode_key_eq("call-id", 7, "call.id", 7));
	assert_false(bencode_key_eq("a-b", 3, "a--", 3));
	/* Non-ASCII bytes compare as they are. */
	assert_false(bencode_key_eq("\xc3\xa4", 2, "\xc3\x84", 2));
	assert_true(bencode_key_eq("", 0, "", 0));
}

static void test_alternative_key_names_are_tried_in_order(void **state)
{
	const char *m = "d8:from-tag1:a9:from-tags1:b4:tag21:ce";
	const char *const tag_first[] = { "tag", "from-tag", NULL };
	const char *const tags_first[] = { "from-tags", "from-tag", NULL };
	const char *const none[] = { "to-tag", "via-branch", NULL };

	(void)state;
	assert_true(parse(m) > 0);
	assert_true(bencode_str_is(m, &t[bencode_dict_get_any(m, t, 0, tag_first)], "a"));
	assert_true(bencode_str_is(m, &t[bencode_dict_get_any(m, t, 0, tags_first)], "b"));
	assert_int_equal(bencode_dict_get_any(m, t, 0, none), -ENOENT);
}

static void test_lookups_on_anything_but_a_dict_find_nothing(void **state)
{
	const char *m = "l1:a1:be";

	(void)state;
	assert_int_equal(parse(m), 3);
	assert_int_equal(bencode_dict_get(m, t, 0, "a"), -ENOENT);
	assert_int_equal(bencode_dict_get(m, t, 1, "a"), -ENOENT);
	/* A failed lookup's result passed on stays a miss, not a wild read. */
	assert_int_equal(bencode_dict_get(m, t, -ENOENT, "a"), -ENOENT);
	assert_int_equal(bencode_list_find(m, t, -ENOENT, "a"), -ENOENT);
	assert_int_equal(bencode_list_find(m, t, 1, "a"), -ENOENT);
	assert_int_equal(bencode_first(t, 1), -ENOENT);
	assert_int_equal(bencode_first(t, -1), -ENOENT);
	assert_int_equal(bencode_list_find(m, t, 0, "B"), 2);
}

static void test_integers_follow_bencode_rules(void **state)
{
	static const struct {
		const char *in;
		int64_t v;
	} good[] = {
		{ "i0e", 0 },
		{ "i42e", 42 },
		{ "i-1e", -1 },
		{ "i9223372036854775807e", INT64_MAX },
		{ "i-9223372036854775808e", INT64_MIN },
	};
	static const char *const bad[] = {
		"i00e", "i01e", "i-0e", "i-01e", "ie", "i-e", "i+1e", "i 1e", "i1 e",
		"i9223372036854775808e", "i-9223372036854775809e", "i99999999999999999999e",
		"i1", "i", "i1.5e", "i0x10e", "i--1e",
	};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse_exact(good[i].in, strlen(good[i].in), t, NTOKS), 1);
		assert_int_equal(t[0].type, BENCODE_INT);
		assert_int_equal(bencode_tok_int(&t[0], &v), 0);
		assert_true(v == good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_exact(bad[i], strlen(bad[i]), t, NTOKS), -EBADMSG);
	assert_int_equal(bencode_tok_int(&t[0], &v), 0);
	parse("1:a");
	assert_int_equal(bencode_tok_int(&t[0], &v), -EINVAL);
}

static void test_strings_are_spans_into_the_callers_buffer(void **state)
{
	const char m[] = "l0:5:a\0b:e3:\xff\xfe\xfd" "e";
	const char *p;
	size_t n;

	(void)state;
	assert_int_equal(bencode_parse(m, sizeof(m) - 1, t, NTOKS), 4);
	assert_int_equal(bencode_tok_str(m, &t[1], &p, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(bencode_tok_str(m, &t[2], &p, &n), 0);
	assert_ptr_equal(p, m + 5);
	assert_int_equal(n, 5);
	assert_memory_equal(p, "a\0b:e", 5);
	assert_int_equal(t[3].len, 3);
	assert_int_equal(bencode_tok_str(m, &t[0], &p, &n), -EINVAL);
}

static void test_string_lengths_must_be_canonical_and_in_the_buffer(void **state)
{
	static const char *const bad[] = {
		"5:abc", "4:abc", "-1:a", "-0:", "01:a", "00:", "1", "1:", ":a", "2a:ab",
		"18446744073709551616:a", "9223372036854775807:a", "4294967297:a", " 1:a",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_exact(bad[i], strlen(bad[i]), t, NTOKS), -EBADMSG);
	assert_int_equal(parse_exact("3:abc", 5, t, NTOKS), 1);
	assert_int_equal(parse_exact("0:", 2, t, NTOKS), 1);
}

static void test_containers_count_children_and_say_where_they_end(void **state)
{
	/* { a: [1, [2, 3], {}], b: "x" } */
	const char *m = "d1:ali1eli2ei3eedee1:b1:xe";
	int a, i, seen = 0;

	(void)state;
	assert_int_equal(parse(m), 10);
	a = bencode_dict_get(m, t, 0, "a");
	assert_int_equal(a, 2);
	assert_int_equal(t[a].type, BENCODE_LIST);
	assert_int_equal(t[a].size, 3);
	assert_int_equal(t[a].end, 8);
	/* Iteration visits direct children only, skipping the nested list. */
	for (i = bencode_first(t, a); i >= 0; i = bencode_next(t, a, i))
		seen++;
	assert_int_equal(seen, 3);
	i = bencode_first(t, a);
	assert_int_equal(t[i].ival, 1);
	i = bencode_next(t, a, i);
	assert_int_equal(t[i].type, BENCODE_LIST);
	assert_int_equal(t[i].size, 2);
	i = bencode_next(t, a, i);
	assert_int_equal(t[i].type, BENCODE_DICT);
	assert_int_equal(t[i].size, 0);
	assert_int_equal(bencode_first(t, i), -ENOENT);
	assert_int_equal(bencode_next(t, a, i), -ENOENT);
	assert_true(bencode_str_is(m, &t[bencode_dict_get(m, t, 0, "b")], "x"));
	/* A dict's children alternate key and value. */
	seen = 0;
	for (i = bencode_first(t, 0); i >= 0; i = bencode_next(t, 0, i))
		seen++;
	assert_int_equal(seen, 4);
	assert_int_equal(bencode_next(t, 0, 0), -ENOENT);
}

static void test_empty_containers_are_fine(void **state)
{
	(void)state;
	assert_int_equal(parse("de"), 1);
	assert_int_equal(t[0].type, BENCODE_DICT);
	assert_int_equal(t[0].size, 0);
	assert_int_equal(t[0].end, 1);
	assert_int_equal(bencode_dict_get("de", t, 0, "command"), -ENOENT);
	assert_int_equal(parse("le"), 1);
	assert_int_equal(bencode_first(t, 0), -ENOENT);
}

static void test_malformed_input_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "e", "x", "d", "l", "d7:command4:ping", "d7:command4:ping e",
		"d7:command4:pingee", "d7:command4:pinge ", " d7:command4:pinge",
		"d7:commande", "di1e1:ae", "dle1:ae", "dde1:ae", "d1:a1:b1:ce",
		"l1:a", "lle", "i1ei2e", "1:a1:b", "de\n", "d7:command4:pingl",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_exact(bad[i], strlen(bad[i]), t, NTOKS), -EBADMSG);
}

static void test_every_truncation_of_an_offer_is_refused(void **state)
{
	size_t n = strlen(kamailio_offer);

	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(parse_exact(kamailio_offer, i, t, NTOKS), -EBADMSG);
	assert_true(parse_exact(kamailio_offer, n, t, NTOKS) > 0);
}

static void test_nesting_past_the_bound_is_e2big_not_a_stack_overflow(void **state)
{
	static char deep[20002];
	size_t d;

	(void)state;
	for (d = 0; d < BENCODE_MAX_DEPTH; d++)
		deep[d] = 'l';
	for (size_t i = 0; i < BENCODE_MAX_DEPTH; i++)
		deep[d++] = 'e';
	assert_int_equal(bencode_parse(deep, d, t, NTOKS), BENCODE_MAX_DEPTH);

	memset(deep, 'l', BENCODE_MAX_DEPTH + 1);
	memset(deep + BENCODE_MAX_DEPTH + 1, 'e', BENCODE_MAX_DEPTH + 1);
	assert_int_equal(bencode_parse(deep, 2 * (BENCODE_MAX_DEPTH + 1), t, NTOKS), -E2BIG);

	/* Dicts count too: d1:ad1:ad1:a...i0e...eee */
	d = 0;
	for (int i = 0; i <= BENCODE_MAX_DEPTH; i++) {
		memcpy(deep + d, "d1:a", 4);
		d += 4;
	}
	memcpy(deep + d, "i0e", 3);
	d += 3;
	memset(deep + d, 'e', BENCODE_MAX_DEPTH + 1);
	d += BENCODE_MAX_DEPTH + 1;
	assert_int_equal(bencode_parse(deep, d, t, NTOKS), -E2BIG);

	memset(deep, 'l', sizeof(deep));
	assert_int_equal(bencode_parse(deep, sizeof(deep), t, NTOKS), -E2BIG);
}

static void test_too_few_tokens_is_enospc(void **state)
{
	const char *m = "d7:command4:pinge";
	struct bencode_tok few[3];

	(void)state;
	assert_int_equal(bencode_parse(m, strlen(m), few, 0), -ENOSPC);
	assert_int_equal(bencode_parse(m, strlen(m), few, 2), -ENOSPC);
	assert_int_equal(bencode_parse(m, strlen(m), few, 3), 3);
	assert_int_equal(bencode_parse(kamailio_offer, strlen(kamailio_offer), t, 10), -ENOSPC);
}

static void test_str_copy_wants_room_for_the_nul(void **state)
{
	const char *m = "4:abcd";
	char out[5];

	(void)state;
	assert_int_equal(parse(m), 1);
	assert_int_equal(bencode_str_copy(m, &t[0], out, 4), -E2BIG);
	assert_int_equal(bencode_str_copy(m, &t[0], out, 5), 0);
	assert_string_equal(out, "abcd");
	assert_int_equal(parse("i1e"), 1);
	assert_int_equal(bencode_str_copy("i1e", &t[0], out, 5), -EINVAL);
}

/* Whatever parses must describe itself consistently. */
static void check_tokens(size_t len, int n)
{
	for (int i = 0; i < n; i++) {
		assert_true(t[i].end > (uint32_t)i && t[i].end <= (uint32_t)n);
		if (t[i].type == BENCODE_STR)
			assert_true((size_t)t[i].start + t[i].len <= len);
		if (t[i].type == BENCODE_DICT)
			assert_int_equal(t[i].size % 2, 0);
	}
}

static void test_random_mutations_never_crash(void **state)
{
	static const char alphabet[] = "dlie0123456789:-x ";
	size_t n = strlen(kamailio_offer);
	char *buf = malloc(n + 8);
	unsigned seed = 1;
	int ok = 0;

	(void)state;
	assert_non_null(buf);
	for (int iter = 0; iter < 100000; iter++) {
		size_t len = n;
		char *copy;
		int ret;

		memcpy(buf, kamailio_offer, n);
		mutate(buf, &len, n + 8, alphabet, 4, &seed);
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, buf, len);
		ret = bencode_parse(copy, len, t, NTOKS);
		assert_true(ret > 0 || ret == -EBADMSG || ret == -ENOSPC || ret == -E2BIG);
		if (ret > 0) {
			check_tokens(len, ret);
			bencode_dict_get(copy, t, 0, "call-id");
			bencode_list_find(copy, t, bencode_dict_get(copy, t, 0, "flags"), "x");
			ok++;
		}
		free(copy);
	}
	/* Some mutations (inside the SDP, say) leave valid bencode. */
	assert_true(ok > 0);
	free(buf);
}

static void test_writer_builds_replies_that_parse_back(void **state)
{
	char buf[512];
	struct bencode_w w;
	int n, v;

	(void)state;
	bencode_w_init(&w, buf, sizeof(buf));
	bencode_w_dict_begin(&w);
	bencode_w_kv_str(&w, "result", "ok");
	bencode_w_kv_strn(&w, "sdp", "v=0\r\n\0x", 7);
	bencode_w_kv_int(&w, "created", 1700000000);
	bencode_w_kv_int(&w, "min", INT64_MIN);
	bencode_w_cstr(&w, "tags");
	bencode_w_list_begin(&w);
	bencode_w_cstr(&w, "");
	bencode_w_int(&w, 0);
	bencode_w_dict(&w);
	bencode_w_end(&w);
	bencode_w_list_end(&w);
	bencode_w_dict_end(&w);
	n = bencode_w_finish(&w);
	assert_true(n > 0);
	assert_memory_equal(buf, "d6:result2:ok3:sdp7:v=0\r\n\0x7:createdi1700000000e"
				 "3:mini-9223372036854775808e4:tagsl0:i0edeee", n);
	assert_true(bencode_parse(buf, n, t, NTOKS) > 0);
	v = bencode_dict_get(buf, t, 0, "tags");
	assert_int_equal(t[v].size, 3);
	v = bencode_dict_get(buf, t, 0, "min");
	assert_true(t[v].ival == INT64_MIN);
}

static void test_writer_overflow_is_sticky_and_never_writes_past_the_end(void **state)
{
	char full[128], buf[128 + 16];
	struct bencode_w w;
	int n;

	(void)state;
	bencode_w_init(&w, full, sizeof(full));
	bencode_w_dict(&w);
	bencode_w_kv_str(&w, "result", "pong");
	bencode_w_kv_int(&w, "n", -12345);
	bencode_w_end(&w);
	n = bencode_w_finish(&w);
	assert_int_equal(n, strlen("d6:result4:pong1:ni-12345ee"));
	for (int len = 0; len < n; len++) {
		memset(buf, 0x5a, sizeof(buf));
		bencode_w_init(&w, buf, len);
		bencode_w_dict(&w);
		bencode_w_kv_str(&w, "result", "pong");
		bencode_w_kv_int(&w, "n", -12345);
		/* Too late to fit: a later small item must not sneak in. */
		bencode_w_end(&w);
		assert_true(w.o.overflow);
		assert_int_equal(bencode_w_finish(&w), -ENOSPC);
		assert_true(w.o.pos <= (size_t)len);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0x5a);
	}
	bencode_w_init(&w, NULL, 0);
	bencode_w_raw(&w, "", 0);
	assert_int_equal(bencode_w_finish(&w), 0);
	bencode_w_end(&w);
	assert_int_equal(bencode_w_finish(&w), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kamailio_ping_is_a_dict_of_one_pair),
		cmocka_unit_test(test_kamailio_offer_is_read_in_full),
		cmocka_unit_test(test_keys_in_any_order_and_spelling_are_found),
		cmocka_unit_test(test_keys_differ_in_anything_but_case_and_separators),
		cmocka_unit_test(test_alternative_key_names_are_tried_in_order),
		cmocka_unit_test(test_lookups_on_anything_but_a_dict_find_nothing),
		cmocka_unit_test(test_integers_follow_bencode_rules),
		cmocka_unit_test(test_strings_are_spans_into_the_callers_buffer),
		cmocka_unit_test(test_string_lengths_must_be_canonical_and_in_the_buffer),
		cmocka_unit_test(test_containers_count_children_and_say_where_they_end),
		cmocka_unit_test(test_empty_containers_are_fine),
		cmocka_unit_test(test_malformed_input_is_refused),
		cmocka_unit_test(test_every_truncation_of_an_offer_is_refused),
		cmocka_unit_test(test_nesting_past_the_bound_is_e2big_not_a_stack_overflow),
		cmocka_unit_test(test_too_few_tokens_is_enospc),
		cmocka_unit_test(test_str_copy_wants_room_for_the_nul),
		cmocka_unit_test(test_random_mutations_never_crash),
		cmocka_unit_test(test_writer_builds_replies_that_parse_back),
		cmocka_unit_test(test_writer_overflow_is_sticky_and_never_writes_past_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
