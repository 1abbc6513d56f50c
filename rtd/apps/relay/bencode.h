/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bencode, as rtpengine's ng protocol carries it: a parser into a flat token
 * array over the caller's buffer (no allocation, nothing copied) and a
 * bounded writer.  Keys are looked up the way rtpengine accepts them: '-',
 * ' ' and '_' alike, ASCII case ignored ("call-id" == "call id").
 */
#ifndef RELAY_BENCODE_H
#define RELAY_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/obuf.h"

enum bencode_type {
	BENCODE_INT = 1,
	BENCODE_STR,
	BENCODE_LIST,
	BENCODE_DICT,
};

/* Containers nested deeper than this are refused: the parser recurses, and
 * no ng message nests more than four levels. */
#define BENCODE_MAX_DEPTH 32

struct bencode_tok {
	uint8_t type;
	uint32_t start; /* STR: first byte of the data; others: first byte */
	uint32_t len;   /* STR: data length */
	int64_t ival;   /* INT */
	uint32_t size;  /* LIST: items; DICT: keys + values (direct children) */
	uint32_t end;   /* index of the token after this one and its children */
};

/*
 * Parse exactly len bytes holding one value.  Returns the number of tokens
 * (toks[0] is the outermost value), or -EBADMSG (malformed, truncated,
 * trailing bytes), -ENOSPC (more than ntoks tokens), -E2BIG (containers
 * nested deeper than BENCODE_MAX_DEPTH).  Dict key order is not enforced.
 */
int bencode_parse(const char *buf, size_t len, struct bencode_tok *toks, unsigned ntoks);

/*
 * Children of a list or dict, in order: for (i = bencode_first(t, c); i >= 0;
 * i = bencode_next(t, c, i)).  A dict's children alternate key, value.
 * Both return -ENOENT at the end (or for a scalar).
 */
int bencode_first(const struct bencode_tok *toks, int container);
int bencode_next(const struct bencode_tok *toks, int container, int child);

/* Value token of key in the dict at index dict, or -ENOENT. */
int bencode_dict_get(const char *buf, const struct bencode_tok *toks, int dict, const char *key);
/* The same for the first of several spellings found; keys ends with NULL. */
int bencode_dict_get_any(const char *buf, const struct bencode_tok *toks, int dict,
			 const char *const *keys);
/* Index of the first string item of list equal to s as keys compare
 * (flags arrive as "trust-address" or "trust address"), or -ENOENT. */
int bencode_list_find(const char *buf, const struct bencode_tok *toks, int list, const char *s);

/* A string token equal to s (exactly, or as a key is compared). */
bool bencode_str_is(const char *buf, const struct bencode_tok *t, const char *s);
bool bencode_key_is(const char *buf, const struct bencode_tok *t, const char *s);
/* Keys compared with '-', ' ', '_' alike and ASCII case ignored. */
bool bencode_key_eq(const char *a, size_t alen, const char *b, size_t blen);
/* A string token's bytes (not NUL-terminated); -EINVAL if not a string. */
int bencode_tok_str(const char *buf, const struct bencode_tok *t, const char **p, size_t *len);
/* An integer token's value; -EINVAL if not an integer. */
int bencode_tok_int(const struct bencode_tok *t, int64_t *v);
/* Copy a string token into out (NUL-terminated); -E2BIG if it does not fit. */
int bencode_str_copy(const char *buf, const struct bencode_tok *t, char *out, size_t outlen);

/* Writer into a caller buffer (lib/obuf.h), judged once by bencode_w_finish. */
struct bencode_w {
	struct obuf o;
};

void bencode_w_init(struct bencode_w *w, char *buf, size_t len);
void bencode_w_raw(struct bencode_w *w, const void *p, size_t n);
void bencode_w_str(struct bencode_w *w, const char *s, size_t n);
void bencode_w_cstr(struct bencode_w *w, const char *s);
void bencode_w_int(struct bencode_w *w, int64_t v);
void bencode_w_dict_begin(struct bencode_w *w);
void bencode_w_dict_end(struct bencode_w *w);
void bencode_w_list_begin(struct bencode_w *w);
void bencode_w_list_end(struct bencode_w *w);
/* Short spellings: dict/list open, end closes either. */
void bencode_w_dict(struct bencode_w *w);
void bencode_w_list(struct bencode_w *w);
void bencode_w_end(struct bencode_w *w);
/* Key and value in one call, for dicts. */
void bencode_w_kv_str(struct bencode_w *w, const char *k, const char *v);
void bencode_w_kv_strn(struct bencode_w *w, const char *k, const char *v, size_t n);
void bencode_w_kv_int(struct bencode_w *w, const char *k, int64_t v);
/* Bytes written, or -ENOSPC if anything did not fit. */
int bencode_w_finish(const struct bencode_w *w);

#endif
