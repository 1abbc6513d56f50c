// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/bencode.h"

struct parser {
	const char *buf;
	size_t len, pos;
	struct bencode_tok *toks;
	unsigned ntoks, n;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits up to stop.  Bencode has one spelling per number: no leading
 * zeros, no "-0", no '+', nothing outside int64. */
static int parse_int(struct parser *p, char stop, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, limit;

	if (p->pos < p->len && p->buf[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->pos >= p->len || !is_digit(p->buf[p->pos]))
		return -EBADMSG;
	if (p->buf[p->pos] == '0') {
		if (neg)
			return -EBADMSG;
		p->pos++;
	} else {
		limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		while (p->pos < p->len && is_digit(p->buf[p->pos])) {
			unsigned d = p->buf[p->pos++] - '0';

			if (v > (limit - d) / 10)
				return -EBADMSG;
			v = v * 10 + d;
		}
	}
	if (p->pos >= p->len || p->buf[p->pos] != stop)
		return -EBADMSG;
	p->pos++;
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int parse_value(struct parser *p, unsigned depth)
{
	struct bencode_tok *t;
	unsigned idx;
	int err;
	char c;

	if (p->pos >= p->len)
		return -EBADMSG;
	if (p->n >= p->ntoks)
		return -ENOSPC;
	idx = p->n++;
	t = &p->toks[idx];
	memset(t, 0, sizeof(*t));
	t->start = p->pos;
	c = p->buf[p->pos];
	if (c == 'i') {
		p->pos++;
		t->type = BENCODE_INT;
		err = parse_int(p, 'e', &t->ival);
		if (err)
			return err;
	} else if (is_digit(c)) {
		int64_t n;

		t->type = BENCODE_STR;
		err = parse_int(p, ':', &n);
		if (err)
			return err;
		if ((uint64_t)n > p->len - p->pos)
			return -EBADMSG;
		t->start = p->pos;
		t->len = n;
		p->pos += n;
	} else if (c == 'l' || c == 'd') {
		/* The bound keeps the recursion (and the stack) small whatever
		 * a peer sends. */
		if (depth >= BENCODE_MAX_DEPTH)
			return -E2BIG;
		p->pos++;
		t->type = c == 'l' ? BENCODE_LIST : BENCODE_DICT;
		while (p->pos < p->len && p->buf[p->pos] != 'e') {
			unsigned child = p->n;

			err = parse_value(p, depth + 1);
			if (err)
				return err;
			/* Keys are strings; their order is not enforced because
			 * Kamailio and other clients send them unsorted. */
			if (t->type == BENCODE_DICT && !(t->size & 1) &&
			    p->toks[child].type != BENCODE_STR)
				return -EBADMSG;
			t->size++;
		}
		if (p->pos >= p->len)
			return -EBADMSG;
		if (t->type == BENCODE_DICT && (t->size & 1))
			return -EBADMSG;
		p->pos++;
	} else {
		return -EBADMSG;
	}
	t->end = p->n;
	return 0;
}

int bencode_parse(const char *buf, size_t len, struct bencode_tok *toks, unsigned ntoks)
{
	struct parser p = { .buf = buf, .len = len, .toks = toks, .ntoks = ntoks };
	int err;

	/* Offsets are 32-bit and the count is returned as int. */
	if (len > UINT32_MAX || ntoks > INT_MAX)
		return -EBADMSG;
	err = parse_value(&p, 0);
	if (err)
		return err;
	if (p.pos != len)
		return -EBADMSG;
	return (int)p.n;
}

int bencode_first(const struct bencode_tok *toks, int c)
{
	if (c < 0 || (toks[c].type != BENCODE_LIST && toks[c].type != BENCODE_DICT) ||
	    !toks[c].size)
		return -ENOENT;
	return c + 1;
}

int bencode_next(const struct bencode_tok *toks, int c, int child)
{
	if (c < 0 || child <= c || (uint32_t)child >= toks[c].end)
		return -ENOENT;
	child = toks[child].end;
	return (uint32_t)child < toks[c].end ? child : -ENOENT;
}

/* ASCII only: a locale must not change which keys match. */
static char key_fold(char c)
{
	if (c == ' ' || c == '_')
		return '-';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

bool bencode_key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (key_fold(a[i]) != key_fold(b[i]))
			return false;
	return true;
}

bool bencode_key_is(const char *buf, const struct bencode_tok *t, const char *s)
{
	return t->type == BENCODE_STR && bencode_key_eq(buf + t->start, t->len, s, strlen(s));
}

bool bencode_str_is(const char *buf, const struct bencode_tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->type == BENCODE_STR && t->len == n && !memcmp(buf + t->start, s, n);
}

int bencode_dict_get(const char *buf, const struct bencode_tok *toks, int dict, const char *key)
{
	if (dict < 0 || toks[dict].type != BENCODE_DICT)
		return -ENOENT;
	for (int k = bencode_first(toks, dict); k >= 0; ) {
		int v = bencode_next(toks, dict, k);

		if (v < 0)
			break;
		if (bencode_key_is(buf, &toks[k], key))
			return v;
		k = bencode_next(toks, dict, v);
	}
	return -ENOENT;
}

int bencode_dict_get_any(const char *buf, const struct bencode_tok *toks, int dict,
			 const char *const *keys)
{
	for (; *keys; keys++) {
		int v = bencode_dict_get(buf, toks, dict, *keys);

		if (v >= 0)
			return v;
	}
	return -ENOENT;
}

int bencode_list_find(const char *buf, const struct bencode_tok *toks, int list, const char *s)
{
	if (list < 0 || toks[list].type != BENCODE_LIST)
		return -ENOENT;
	for (int i = bencode_first(toks, list); i >= 0; i = bencode_next(toks, list, i))
		if (bencode_key_is(buf, &toks[i], s))
			return i;
	return -ENOENT;
}

int bencode_tok_str(const char *buf, const struct bencode_tok *t, const char **p, size_t *len)
{
	if (t->type != BENCODE_STR)
		return -EINVAL;
	*p = buf + t->start;
	*len = t->len;
	return 0;
}

int bencode_tok_int(const struct bencode_tok *t, int64_t *v)
{
	if (t->type != BENCODE_INT)
		return -EINVAL;
	*v = t->ival;
	return 0;
}

int bencode_str_copy(const char *buf, const struct bencode_tok *t, char *out, size_t outlen)
{
	if (t->type != BENCODE_STR)
		return -EINVAL;
	if (t->len >= outlen)
		return -E2BIG;
	memcpy(out, buf + t->start, t->len);
	out[t->len] = 0;
	return 0;
}

void bencode_w_init(struct bencode_w *w, char *buf, size_t len)
{
	obuf_init(&w->o, buf, len);
}

void bencode_w_raw(struct bencode_w *w, const void *p, size_t n)
{
	obuf_put(&w->o, p, n);
}

void bencode_w_str(struct bencode_w *w, const char *s, size_t n)
{
	obuf_printf(&w->o, "%zu:", n);
	obuf_put(&w->o, s, n);
}

void bencode_w_cstr(struct bencode_w *w, const char *s)
{
	bencode_w_str(w, s, strlen(s));
}

void bencode_w_int(struct bencode_w *w, int64_t v)
{
	obuf_printf(&w->o, "i%" PRId64 "e", v);
}

void bencode_w_dict(struct bencode_w *w)
{
	bencode_w_raw(w, "d", 1);
}

void bencode_w_list(struct bencode_w *w)
{
	bencode_w_raw(w, "l", 1);
}

void bencode_w_end(struct bencode_w *w)
{
	bencode_w_raw(w, "e", 1);
}

void bencode_w_dict_begin(struct bencode_w *w)
{
	bencode_w_dict(w);
}

void bencode_w_dict_end(struct bencode_w *w)
{
	bencode_w_end(w);
}

void bencode_w_list_begin(struct bencode_w *w)
{
	bencode_w_list(w);
}

void bencode_w_list_end(struct bencode_w *w)
{
	bencode_w_end(w);
}

void bencode_w_kv_str(struct bencode_w *w, const char *k, const char *v)
{
	bencode_w_cstr(w, k);
	bencode_w_cstr(w, v);
}

void bencode_w_kv_strn(struct bencode_w *w, const char *k, const char *v, size_t n)
{
	bencode_w_cstr(w, k);
	bencode_w_str(w, v, n);
}

void bencode_w_kv_int(struct bencode_w *w, const char *k, int64_t v)
{
	bencode_w_cstr(w, k);
	bencode_w_int(w, v);
}

int bencode_w_finish(const struct bencode_w *w)
{
	return obuf_finish(&w->o);
}
