/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the libFuzzer targets share: a property check that aborts (so
 * libFuzzer keeps the input), inputs split into pieces on a separator, and
 * copies of exactly a piece's size, so that ASan sees any read past its end.
 */
#ifndef RTD_FUZZ_H
#define RTD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: say which, then abort for libFuzzer to keep the input. */
#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: property broken: %s: ", __FILE__, \
				__LINE__, #cond);                               \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* Pieces of data[0..size) between separators: fuzz_split_init, then
 * fuzz_split_next until it returns 0.  Empty pieces count too. */
struct fuzz_split {
	const uint8_t *data;
	size_t size, pos;
	const char *sep;
	int done;
};

static inline void fuzz_split_init(struct fuzz_split *s, const uint8_t *data, size_t size,
				   const char *sep)
{
	*s = (struct fuzz_split){ .data = data, .size = size, .sep = sep };
}

static inline int fuzz_split_next(struct fuzz_split *s, const uint8_t **piece, size_t *len)
{
	size_t seplen = strlen(s->sep);
	const uint8_t *p;

	if (s->done)
		return 0;
	*piece = s->data + s->pos;
	p = memmem(*piece, s->size - s->pos, s->sep, seplen);
	if (p) {
		*len = (size_t)(p - *piece);
		s->pos += *len + seplen;
	} else {
		*len = s->size - s->pos;
		s->done = 1;
	}
	return 1;
}

/* A heap copy of exactly n bytes (one for n == 0), or abort. */
static inline void *fuzz_dup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (!q)
		abort();
	if (n)
		memcpy(q, p, n);
	return q;
}

/* FNV-1a: settings derived from the input, so that mutations vary them. */
static inline uint64_t fuzz_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#endif
