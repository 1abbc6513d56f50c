// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/obuf.h"

void obuf_init(struct obuf *o, char *buf, size_t len)
{
	o->buf = buf;
	o->len = len;
	o->pos = 0;
	o->overflow = false;
}

void obuf_put(struct obuf *o, const void *p, size_t n)
{
	if (o->overflow || n > o->len - o->pos) {
		o->overflow = true;
		return;
	}
	if (n)
		memcpy(o->buf + o->pos, p, n);
	o->pos += n;
}

void obuf_puts(struct obuf *o, const char *s)
{
	obuf_put(o, s, strlen(s));
}

void obuf_printf(struct obuf *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		o->overflow = true; /* longer than any number or word written this way */
	else
		obuf_put(o, tmp, n);
}

int obuf_finish(const struct obuf *o)
{
	return o->overflow || o->pos > INT_MAX ? -ENOSPC : (int)o->pos;
}
