// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bencode as the ng socket receives it: any bytes into bencode_parse, then
 * what a parse promises.  The tokens describe the input exactly (spans in
 * it, children counted, ends nested), the writer gives the same bytes back
 * (bencode has one spelling per value), one token fewer is -ENOSPC, and
 * the lookups find what a walk of the tokens finds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "apps/relay/bencode.h"
#include "fuzz.h"

#define NTOKS 1024

static struct bencode_tok toks[NTOKS], few[NTOKS];

/* Reference for key comparison: '-', ' ', '_' alike, ASCII case ignored. */
static int fold(char c)
{
	if (c == ' ' || c == '_')
		return '-';
	return c >= 'A' && c <= 'Z' ? c + 32 : (unsigned char)c;
}

static bool ref_key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (fold(a[i]) != fold(b[i]))
			return false;
	return true;
}

/* Token i and its children: spans inside buf, children as the walk finds them. */
static void check_tok(const char *buf, size_t len, int ntok, int i, unsigned depth)
{
	const struct bencode_tok *t = &toks[i];
	int64_t v;
	const char *p;
	size_t n;

	FUZZ_CHECK(depth <= BENCODE_MAX_DEPTH, "token %d at depth %u", i, depth);
	FUZZ_CHECK(t->end > (uint32_t)i && t->end <= (uint32_t)ntok, "token %d ends at %u of %d", i,
		   t->end, ntok);
	/* An empty string may start at the very end. */
	FUZZ_CHECK(t->start < len || (t->type == BENCODE_STR && t->start == len),
		   "token %d starts at %u of %zu", i, t->start, len);
	switch (t->type) {
	case BENCODE_INT: {
		char want[32];
		int wn = snprintf(want, sizeof(want), "i%" PRId64 "e", t->ival);

		FUZZ_CHECK(t->end == (uint32_t)i + 1, "an integer has children");
		FUZZ_CHECK(t->start + (size_t)wn <= len && !memcmp(buf + t->start, want, wn),
			   "integer %" PRId64 " is not spelt %s in the input", t->ival, want);
		FUZZ_CHECK(!bencode_tok_int(t, &v) && v == t->ival, "bencode_tok_int");
		FUZZ_CHECK(bencode_tok_str(buf, t, &p, &n) == -EINVAL, "an integer as a string");
		break;
	}
	case BENCODE_STR:
		FUZZ_CHECK(t->end == (uint32_t)i + 1, "a string has children");
		FUZZ_CHECK((size_t)t->start + t->len <= len, "string %d runs past the input", i);
		FUZZ_CHECK(t->start > 0 && buf[t->start - 1] == ':', "string %d not after ':'", i);
		FUZZ_CHECK(!bencode_tok_str(buf, t, &p, &n) && p == buf + t->start && n == t->len,
			   "bencode_tok_str");
		FUZZ_CHECK(bencode_tok_int(t, &v) == -EINVAL, "a string as an integer");
		break;
	case BENCODE_LIST:
	case BENCODE_DICT: {
		uint32_t count = 0;
		int want = i + 1, c;

		FUZZ_CHECK(buf[t->start] == (t->type == BENCODE_LIST ? 'l' : 'd'),
			   "container %d opens with '%c'", i, buf[t->start]);
		for (c = bencode_first(toks, i); c >= 0; c = bencode_next(toks, i, c)) {
			FUZZ_CHECK(c == want, "child %d of %d, expected %d", c, i, want);
			if (t->type == BENCODE_DICT && !(count & 1))
				FUZZ_CHECK(toks[c].type == BENCODE_STR, "dict %d: key %d not a string",
					   i, c);
			check_tok(buf, len, ntok, c, depth + 1);
			want = (int)toks[c].end;
			count++;
		}
		FUZZ_CHECK(c == -ENOENT, "walk of %d ended with %d", i, c);
		FUZZ_CHECK(count == t->size, "container %d: size %u, walk %u", i, t->size, count);
		FUZZ_CHECK((uint32_t)want == t->end, "container %d: last child ends at %d, not %u",
			   i, want, t->end);
		FUZZ_CHECK(t->type != BENCODE_DICT || !(count & 1), "dict %d: odd size", i);
		break;
	}
	default:
		FUZZ_CHECK(0, "token %d of type %u", i, t->type);
	}
}

/* Token i written again. */
static void emit(struct bencode_w *w, const char *buf, int i)
{
	const struct bencode_tok *t = &toks[i];

	switch (t->type) {
	case BENCODE_INT:
		bencode_w_int(w, t->ival);
		break;
	case BENCODE_STR:
		bencode_w_str(w, buf + t->start, t->len);
		break;
	default:
		if (t->type == BENCODE_LIST)
			bencode_w_list_begin(w);
		else
			bencode_w_dict_begin(w);
		for (int c = bencode_first(toks, i); c >= 0; c = bencode_next(toks, i, c))
			emit(w, buf, c);
		if (t->type == BENCODE_LIST)
			bencode_w_list_end(w);
		else
			bencode_w_dict_end(w);
	}
}

static void check_round_trip(const char *buf, size_t len)
{
	char *out = malloc(len + 1);
	struct bencode_w w;

	if (!out)
		abort();
	bencode_w_init(&w, out, len);
	emit(&w, buf, 0);
	FUZZ_CHECK(bencode_w_finish(&w) == (int)len, "written again: %d bytes of %zu",
		   bencode_w_finish(&w), len);
	FUZZ_CHECK(!memcmp(out, buf, len), "written again, the bytes differ");
	/* One byte short: the writer says so and writes nothing past its end. */
	bencode_w_init(&w, out, len - 1);
	emit(&w, buf, 0);
	FUZZ_CHECK(bencode_w_finish(&w) == -ENOSPC, "a byte short: %d", bencode_w_finish(&w));
	free(out);
}

/* A string token as a C string, when it holds no NUL. */
static char *cstr(const char *buf, const struct bencode_tok *t)
{
	char *s;

	if (t->type != BENCODE_STR || memchr(buf + t->start, 0, t->len))
		return NULL;
	s = malloc((size_t)t->len + 1);
	if (!s)
		abort();
	FUZZ_CHECK(bencode_str_copy(buf, t, s, (size_t)t->len + 1) == 0, "str_copy with room");
	FUZZ_CHECK(!memcmp(s, buf + t->start, t->len) && !s[t->len], "str_copy's bytes");
	if (t->len)
		FUZZ_CHECK(bencode_str_copy(buf, t, s, t->len) == -E2BIG, "str_copy without room");
	return s;
}

/* Every key found by name, every list string too: the first that compares equal. */
static void check_lookups(const char *buf, int ntok)
{
	for (int i = 0; i < ntok; i++) {
		const struct bencode_tok *t = &toks[i];
		bool dict = t->type == BENCODE_DICT, key = true;

		if (t->type != BENCODE_DICT && t->type != BENCODE_LIST) {
			FUZZ_CHECK(bencode_dict_get(buf, toks, i, "command") == -ENOENT, "not a dict");
			FUZZ_CHECK(bencode_list_find(buf, toks, i, "x") == -ENOENT, "not a list");
			continue;
		}
		for (int c = bencode_first(toks, i); c >= 0; c = bencode_next(toks, i, c)) {
			const struct bencode_tok *k = &toks[c];
			char *s = (!dict || key) ? cstr(buf, k) : NULL;

			if (s) {
				int got = dict ? bencode_dict_get(buf, toks, i, s)
					       : bencode_list_find(buf, toks, i, s);
				int hit = dict ? got - 1 : got;

				FUZZ_CHECK(got >= 0 && hit <= c, "'%s' in %d: %d, at %d", s, i, got, c);
				FUZZ_CHECK(toks[hit].type == BENCODE_STR &&
						   ref_key_eq(buf + toks[hit].start, toks[hit].len, s,
							      k->len),
					   "'%s' found at %d, a different key", s, hit);
				FUZZ_CHECK(bencode_key_is(buf, k, s), "bencode_key_is of itself");
				FUZZ_CHECK(bencode_str_is(buf, k, s), "bencode_str_is of itself");
				if (dict) {
					const char *const keys[] = { s, "command", NULL };

					FUZZ_CHECK(bencode_dict_get_any(buf, toks, i, keys) == got,
						   "dict_get_any");
				}
				free(s);
			}
			key = !key;
		}
	}
}

/* Key comparison against the reference, over pairs of the input's strings. */
static void check_key_eq(const char *buf, int ntok)
{
	int prev = -1;

	for (int i = 0; i < ntok; i++) {
		const struct bencode_tok *a = &toks[i], *b;

		if (a->type != BENCODE_STR)
			continue;
		if (prev >= 0) {
			b = &toks[prev];
			FUZZ_CHECK(bencode_key_eq(buf + a->start, a->len, buf + b->start, b->len) ==
					   ref_key_eq(buf + a->start, a->len, buf + b->start, b->len),
				   "key_eq of tokens %d and %d", prev, i);
		}
		prev = i;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	int n = bencode_parse(buf, size, toks, NTOKS);

	if (n < 0) {
		FUZZ_CHECK(n == -EBADMSG || n == -ENOSPC || n == -E2BIG, "error %d", n);
		free(buf);
		return 0;
	}
	/* A string's start is its data's; everything else starts at its first byte. */
	FUZZ_CHECK(n >= 1 && toks[0].end == (uint32_t)n &&
			   (toks[0].type == BENCODE_STR || toks[0].start == 0),
		   "%d tokens, the first ends at %u and starts at %u", n, toks[0].end,
		   toks[0].start);
	check_tok(buf, size, n, 0, 0);
	check_round_trip(buf, size);
	FUZZ_CHECK(bencode_parse(buf, size, few, n) == n, "exactly enough tokens");
	FUZZ_CHECK(bencode_parse(buf, size, few, n - 1) == -ENOSPC, "one token short");
	check_lookups(buf, n);
	check_key_eq(buf, n);
	free(buf);
	return 0;
}
