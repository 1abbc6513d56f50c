/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bencode, as rtpengine's ng protocol carries it: a parser into a flat token
 * array over the caller's buffer (no allocation, nothing copied) and a
 * bounded writer.  Keys are looked up the way rtpengine accepts them: '-',
 * ' ' and '_' alike, ASCII case ignored ("call-id" == "call id").
 */
#ifndef RTD_BENCODE_H
#define RTD_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bencode_type {
	BENCODE_INT = 1,
	BENCODE_STR,
	BENCODE_LIST,
	BENCODE_DICT,
};

#define BENCODE_MAX_DEPTH 32

struct bencode_tok {
	uint8_t type;
	uint32_t start; /* STR: first byte of the data; others: first byte */
	uint32_t len;   /* STR: data length */
	int64_t ival;   /* INT */
	uint32_t size;  /* LIST: items; DICT: keys + values */
	uint32_t end;   /* index of the token after this one and its children */
};

/*
 * Parse exactly len bytes.  Returns the number of tokens, or -EBADMSG
 * (malformed, trailing bytes), -ENOSPC (more than ntoks tokens), -E2BIG
 * (nested deeper than BENCODE_MAX_DEPTH).
 */
int bencode_parse(const char *buf, size_t len, struct bencode_tok *toks, unsigned ntoks);

/* Value token of key in the dict at index dict, or -ENOENT. */
int bencode_dict_get(const char *buf, const struct bencode_tok *toks, int dict, const char *key);
/* The same for the first of several spellings found. */
int bencode_dict_get_any(const char *buf, const struct bencode_tok *toks, int dict,
			 const char *const *keys);
/* A string token equal to s (exactly, or as a key is compared). */
bool bencode_str_is(const char *buf, const struct bencode_tok *t, const char *s);
bool bencode_key_is(const char *buf, const struct bencode_tok *t, const char *s);
/* Copy a string token into out (NUL-terminated); -E2BIG if it does not fit. */
int bencode_str_copy(const char *buf, const struct bencode_tok *t, char *out, size_t outlen);

struct bencode_w {
	char *buf;
	size_t len;
	size_t pos;
	bool overflow;
};

void bencode_w_init(struct bencode_w *w, char *buf, size_t len);
void bencode_w_raw(struct bencode_w *w, const void *p, size_t n);
void bencode_w_str(struct bencode_w *w, const char *s, size_t n);
void bencode_w_cstr(struct bencode_w *w, const char *s);
void bencode_w_int(struct bencode_w *w, int64_t v);
void bencode_w_dict(struct bencode_w *w);
void bencode_w_list(struct bencode_w *w);
void bencode_w_end(struct bencode_w *w);
/* Key and value in one call, for dicts. */
void bencode_w_kv_str(struct bencode_w *w, const char *k, const char *v);
void bencode_w_kv_int(struct bencode_w *w, const char *k, int64_t v);
/* Bytes written, or -ENOSPC if anything did not fit. */
int bencode_w_finish(const struct bencode_w *w);

#endif
