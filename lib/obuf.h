/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bounded writer into a caller's buffer.  Once something does not fit,
 * overflow stays set and nothing more is written, so a reply or a body is
 * built without checks at each step and judged once at the end.
 */
#ifndef LIB_OBUF_H
#define LIB_OBUF_H

#include <stdbool.h>
#include <stddef.h>

struct obuf {
	char *buf;
	size_t len;
	size_t pos;
	bool overflow;
};

void obuf_init(struct obuf *o, char *buf, size_t len);
void obuf_put(struct obuf *o, const void *p, size_t n);
void obuf_puts(struct obuf *o, const char *s);
void obuf_printf(struct obuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes written, or -ENOSPC if anything did not fit. */
int obuf_finish(const struct obuf *o);

#endif
