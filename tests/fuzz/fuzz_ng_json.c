// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ng messages in JSON (ng_json.c): every input both ways, as a request's
 * JSON body into ng_json_to_bencode and as a bencoded reply into
 * ng_json_from_bencode.
 *
 * Requests: converted exactly when jansson, reading the input on its own
 * with the same strictness, finds one object free of null, fractions and
 * nesting past BENCODE_MAX_DEPTH; the bencode then says what jansson read,
 * value for value in order (true and false as 1 and 0), and goes to JSON
 * and back unchanged.  Replies: converted exactly when bencode_parse finds
 * one dict; the JSON is valid and says what the bencode said, and a reply
 * whose strings are all UTF-8, with no NUL in a key and no key twice, comes
 * back byte for byte.  Both ways: the same output into a buffer of exactly
 * its size, -ENOSPC a byte short.
 */
#include <errno.h>
#include <stdbool.h>

#include <jansson.h>

#include "apps/relay/bencode.h"
#include "apps/relay/ng_json.h"
#include "fuzz.h"

/* Room that no input of max_len bytes can fill: -ENOSPC is a bug there. */
#define ROOM (1 << 20)

static char out[ROOM], back[ROOM], again[ROOM];
static struct bencode_tok toks[ROOM / 2 + 1];

typedef int conv_fn(const char *, size_t, char *, size_t);

/* The same n bytes into a heap block of exactly n, and -ENOSPC in n - 1. */
static void check_exact(conv_fn *conv, const char *in, size_t len, const char *want, int n)
{
	char *buf = malloc(n ? n : 1);

	if (!buf)
		abort();
	FUZZ_CHECK(conv(in, len, buf, n) == n && !memcmp(buf, want, n), "in exactly %d bytes", n);
	if (n)
		FUZZ_CHECK(conv(in, len, buf, n - 1) == -ENOSPC, "a byte short");
	free(buf);
}

/* jansson as the reference reader: what ng_json_to_bencode promises to take. */
static bool ref_convertible(const json_t *v, unsigned depth)
{
	const char *k;
	size_t i;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (depth >= BENCODE_MAX_DEPTH)
			return false;
		json_object_foreach((json_t *)v, k, e)
			if (!ref_convertible(e, depth + 1))
				return false;
		return true;
	case JSON_ARRAY:
		if (depth >= BENCODE_MAX_DEPTH)
			return false;
		json_array_foreach(v, i, e)
			if (!ref_convertible(e, depth + 1))
				return false;
		return true;
	case JSON_NULL:
	case JSON_REAL:
		return false;
	default:
		return true;
	}
}

static void check_same(const json_t *v, const char *buf, int i);

/* Dict i holds the object's keys and values, in its order. */
static void check_same_object(json_t *v, const char *buf, int i)
{
	void *it = json_object_iter(v);
	int c = bencode_first(toks, i);

	FUZZ_CHECK(toks[i].type == BENCODE_DICT, "object as type %u", toks[i].type);
	for (; c >= 0 && it; it = json_object_iter_next(v, it)) {
		const struct bencode_tok *k = &toks[c];

		FUZZ_CHECK(k->type == BENCODE_STR && k->len == json_object_iter_key_len(it) &&
				   !memcmp(buf + k->start, json_object_iter_key(it), k->len),
			   "key of token %d", c);
		c = bencode_next(toks, i, c);
		FUZZ_CHECK(c >= 0, "a key without its value");
		check_same(json_object_iter_value(it), buf, c);
		c = bencode_next(toks, i, c);
	}
	FUZZ_CHECK(c < 0 && !it, "object and dict of different sizes");
}

/* Token i of buf says what v says. */
static void check_same(const json_t *v, const char *buf, int i)
{
	const struct bencode_tok *t = &toks[i];
	int c;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		check_same_object((json_t *)v, buf, i);
		return;
	case JSON_ARRAY: {
		size_t k = 0;

		FUZZ_CHECK(t->type == BENCODE_LIST, "array as type %u", t->type);
		for (c = bencode_first(toks, i); c >= 0; c = bencode_next(toks, i, c), k++) {
			FUZZ_CHECK(k < json_array_size(v), "list longer than its array");
			check_same(json_array_get(v, k), buf, c);
		}
		FUZZ_CHECK(k == json_array_size(v), "list shorter than its array");
		return;
	}
	case JSON_STRING:
		FUZZ_CHECK(t->type == BENCODE_STR && t->len == json_string_length(v) &&
				   !memcmp(buf + t->start, json_string_value(v), t->len),
			   "string of token %d", i);
		return;
	case JSON_INTEGER:
		FUZZ_CHECK(t->type == BENCODE_INT && t->ival == json_integer_value(v),
			   "integer of token %d", i);
		return;
	case JSON_TRUE:
	case JSON_FALSE:
		FUZZ_CHECK(t->type == BENCODE_INT && t->ival == json_is_true(v), "boolean");
		return;
	default:
		FUZZ_CHECK(0, "null or real converted");
	}
}

/* JSON text as jansson reads it.  jansson holds no NUL in a key, so every
 * \u0000 is read as \u0001: the same grammar, another code point. */
static json_t *ref_load(const char *s, size_t n)
{
	char *copy = fuzz_dup(s, n), *p;
	json_t *j;

	for (p = copy; (p = memmem(p, copy + n - p, "\\u0000", 6)); p += 6)
		p[5] = '1';
	j = json_loadb(copy, n, JSON_ALLOW_NUL, NULL);
	free(copy);
	return j;
}

static void check_request(const char *in, size_t len)
{
	json_t *ref = json_loadb(in, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	bool want = ref && json_is_object(ref) && ref_convertible(ref, 0);
	int n = ng_json_to_bencode(in, len, out, ROOM), j, b;

	FUZZ_CHECK(n >= 0 || n == -EBADMSG, "error %d", n);
	FUZZ_CHECK((n >= 0) == want, "converted %d, jansson says %s", n, want ? "yes" : "no");
	if (n < 0) {
		json_decref(ref);
		return;
	}
	FUZZ_CHECK(bencode_parse(out, n, toks, ROOM / 2 + 1) > 0 && toks[0].type == BENCODE_DICT,
		   "bencode_parse refuses what was written");
	check_same(ref, out, 0);
	check_exact(ng_json_to_bencode, in, len, out, n);
	/* Strings are UTF-8 now, keys NUL-free and unique: JSON and back is the same. */
	j = ng_json_from_bencode(out, n, back, ROOM);
	FUZZ_CHECK(j >= 0, "the bencode back to JSON: %d", j);
	b = ng_json_to_bencode(back, j, again, ROOM);
	FUZZ_CHECK(b == n && !memcmp(again, out, n), "JSON and back: %d bytes of %d", b, n);
	json_decref(ref);
}

/* The reference for a byte-exact round trip: every string UTF-8 (jansson
 * judges), no NUL in a key, no key twice in a dict. */
static bool ref_round_trips(const char *buf, int ntok)
{
	for (int i = 0; i < ntok; i++) {
		const struct bencode_tok *t = &toks[i];
		json_t *s;

		if (t->type == BENCODE_STR) {
			s = json_stringn(buf + t->start, t->len);
			if (!s)
				return false;
			json_decref(s);
		}
		if (t->type != BENCODE_DICT)
			continue;
		for (int k = bencode_first(toks, i); k >= 0;
		     k = bencode_next(toks, i, bencode_next(toks, i, k))) {
			if (memchr(buf + toks[k].start, 0, toks[k].len))
				return false;
			for (int l = bencode_first(toks, i); l < k;
			     l = bencode_next(toks, i, bencode_next(toks, i, l)))
				if (toks[l].len == toks[k].len &&
				    !memcmp(buf + toks[l].start, buf + toks[k].start, toks[k].len))
					return false;
		}
	}
	return true;
}

static void check_reply(const char *in, size_t len)
{
	int ntok = bencode_parse(in, len, toks, ROOM / 2 + 1);
	bool want = ntok > 0 && toks[0].type == BENCODE_DICT;
	bool exact = want && ref_round_trips(in, ntok);
	int n = ng_json_from_bencode(in, len, out, ROOM), b, j;
	json_t *ref, *ref2;

	FUZZ_CHECK(n >= 0 || n == -EBADMSG, "error %d", n);
	FUZZ_CHECK((n >= 0) == want, "converted %d, bencode_parse says %d", n, ntok);
	if (n < 0)
		return;
	ref = ref_load(out, n);
	FUZZ_CHECK(ref && json_is_object(ref), "not one valid JSON object: %.*s", n, out);
	check_exact(ng_json_from_bencode, in, len, out, n);
	b = ng_json_to_bencode(out, n, back, ROOM);
	FUZZ_CHECK(!exact || (b == (int)len && !memcmp(back, in, len)),
		   "UTF-8 reply back to bencode: %d bytes of %zu", b, len);
	FUZZ_CHECK(b >= 0 || b == -EBADMSG, "reply back to bencode: %d", b);
	if (b >= 0) {
		/* Not the same bytes (U+00XX are UTF-8 now), the same JSON. */
		j = ng_json_from_bencode(back, b, again, ROOM);
		FUZZ_CHECK(j >= 0, "twice to JSON: %d", j);
		ref2 = ref_load(again, j);
		FUZZ_CHECK(ref2 && json_equal(ref, ref2), "twice to JSON, another value");
		json_decref(ref2);
	}
	json_decref(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in;

	/* Past what ROOM holds for either direction (6 bytes per byte at worst). */
	if (size > ROOM / 8)
		return 0;
	in = fuzz_dup(data, size);
	check_request(in, size);
	check_reply(in, size);
	free(in);
	return 0;
}
