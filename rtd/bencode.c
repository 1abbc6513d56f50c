// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rtd/bencode.h"

struct parser {
	const char *buf;
	size_t len, pos;
	struct bencode_tok *toks;
	unsigned ntoks, n;
};

static int parse_int(struct parser *p, char stop, int64_t *out)
{
	size_t start = p->pos;
	bool neg = false;
	uint64_t v = 0;

	if (p->pos < p->len && p->buf[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->pos >= p->len || !isdigit((unsigned char)p->buf[p->pos]))
		return -EBADMSG;
	/* No leading zeros, no "-0": bencode has one spelling per number. */
	if (p->buf[p->pos] == '0' && p->pos + 1 < p->len && p->buf[p->pos + 1] != stop)
		return -EBADMSG;
	if (neg && p->buf[p->pos] == '0')
		return -EBADMSG;
	while (p->pos < p->len && isdigit((unsigned char)p->buf[p->pos])) {
		unsigned d = p->buf[p->pos++] - '0';

		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	if (p->pos >= p->len || p->buf[p->pos] != stop || p->pos - start > 20)
		return -EBADMSG;
	p->pos++;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int parse_value(struct parser *p, unsigned depth)
{
	struct bencode_tok *t;
	unsigned idx;
	int err;
	char c;

	if (depth > BENCODE_MAX_DEPTH)
		return -E2BIG;
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
	} else if (isdigit((unsigned char)c)) {
		int64_t n;

		t->type = BENCODE_STR;
		err = parse_int(p, ':', &n);
		if (err)
			return err;
		if (n < 0 || (uint64_t)n > p->len - p->pos)
			return -EBADMSG;
		t->start = p->pos;
		t->len = n;
		p->pos += n;
	} else if (c == 'l' || c == 'd') {
		p->pos++;
		t->type = c == 'l' ? BENCODE_LIST : BENCODE_DICT;
		while (p->pos < p->len && p->buf[p->pos] != 'e') {
			unsigned child = p->n;

			err = parse_value(p, depth + 1);
			if (err)
				return err;
			/* Keys are strings; their order is not enforced (clients send any). */
			if (t->type == BENCODE_DICT && !(t->size & 1) &&
			    p->toks[child].type != BENCODE_STR)
				return -EBADMSG;
			p->toks[idx].size++;
		}
		if (p->pos >= p->len)
			return -EBADMSG;
		if (t->type == BENCODE_DICT && (t->size & 1))
			return -EBADMSG;
		p->pos++;
	} else {
		return -EBADMSG;
	}
	p->toks[idx].end = p->n;
	return 0;
}

int bencode_parse(const char *buf, size_t len, struct bencode_tok *toks, unsigned ntoks)
{
	struct parser p = { .buf = buf, .len = len, .toks = toks, .ntoks = ntoks };
	int err;

	if (len > UINT32_MAX)
		return -EBADMSG;
	err = parse_value(&p, 0);
	if (err)
		return err;
	if (p.pos != len)
		return -EBADMSG;
	return (int)p.n;
}

static char key_fold(char c)
{
	if (c == ' ' || c == '_')
		return '-';
	return (char)tolower((unsigned char)c);
}

bool bencode_key_is(const char *buf, const struct bencode_tok *t, const char *s)
{
	size_t n = strlen(s);

	if (t->type != BENCODE_STR || t->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key_fold(buf[t->start + i]) != key_fold(s[i]))
			return false;
	return true;
}

bool bencode_str_is(const char *buf, const struct bencode_tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->type == BENCODE_STR && t->len == n && !memcmp(buf + t->start, s, n);
}

int bencode_dict_get(const char *buf, const struct bencode_tok *toks, int dict, const char *key)
{
	unsigned i = dict + 1;

	if (dict < 0 || toks[dict].type != BENCODE_DICT)
		return -ENOENT;
	for (unsigned k = 0; k < toks[dict].size; k += 2) {
		unsigned v = toks[i].end;

		if (bencode_key_is(buf, &toks[i], key))
			return v;
		i = toks[v].end;
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
	w->buf = buf;
	w->len = len;
	w->pos = 0;
	w->overflow = false;
}

void bencode_w_raw(struct bencode_w *w, const void *p, size_t n)
{
	if (w->overflow || n > w->len - w->pos) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->pos, p, n);
	w->pos += n;
}

void bencode_w_str(struct bencode_w *w, const char *s, size_t n)
{
	char hdr[24];

	bencode_w_raw(w, hdr, snprintf(hdr, sizeof(hdr), "%zu:", n));
	bencode_w_raw(w, s, n);
}

void bencode_w_cstr(struct bencode_w *w, const char *s)
{
	bencode_w_str(w, s, strlen(s));
}

void bencode_w_int(struct bencode_w *w, int64_t v)
{
	char b[32];

	bencode_w_raw(w, b, snprintf(b, sizeof(b), "i%" PRId64 "e", v));
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

void bencode_w_kv_str(struct bencode_w *w, const char *k, const char *v)
{
	bencode_w_cstr(w, k);
	bencode_w_cstr(w, v);
}

void bencode_w_kv_int(struct bencode_w *w, const char *k, int64_t v)
{
	bencode_w_cstr(w, k);
	bencode_w_int(w, v);
}

int bencode_w_finish(const struct bencode_w *w)
{
	return w->overflow ? -ENOSPC : (int)w->pos;
}
