// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtd/portset.h"

unsigned portset_count(const struct portset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < PORTSET_WORDS; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

int portset_next(const struct portset *s, unsigned from)
{
	for (size_t i = from >> 6; i < PORTSET_WORDS; i++) {
		uint64_t w = s->w[i];

		if (i == from >> 6)
			w &= ~UINT64_C(0) << (from & 63);
		if (w)
			return (int)(i * 64 + __builtin_ctzll(w));
	}
	return -1;
}

static int parse_port(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (!len || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*out = v;
	return 0;
}

int portset_parse(const char *spec, struct portset *out, char *err, size_t errlen)
{
	const char *p = spec;

	portset_clear(out);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *a = p, *dash;
		size_t alen = len;
		unsigned lo, hi;

		while (alen && isspace((unsigned char)*a))
			a++, alen--;
		while (alen && isspace((unsigned char)a[alen - 1]))
			alen--;
		if (!alen) {
			snprintf(err, errlen, "'%s' has an empty item", spec);
			return -EINVAL;
		}
		dash = memchr(a, '-', alen);
		if (dash) {
			size_t l1 = dash - a, l2 = alen - l1 - 1;

			if (parse_port(a, l1, &lo) || parse_port(dash + 1, l2, &hi)) {
				snprintf(err, errlen, "'%.*s' is not a port range (1-65535)", (int)alen,
					 a);
				return -EINVAL;
			}
			if (lo > hi) {
				snprintf(err, errlen, "'%.*s' is not an ascending range", (int)alen, a);
				return -EINVAL;
			}
		} else {
			if (parse_port(a, alen, &lo)) {
				snprintf(err, errlen, "'%.*s' is not a port (1-65535)", (int)alen, a);
				return -EINVAL;
			}
			hi = lo;
		}
		for (unsigned v = lo; v <= hi; v++)
			portset_add(out, v);
		if (!end)
			return 0;
		p = end + 1;
	}
}

size_t portset_format(const struct portset *s, char *buf, size_t len)
{
	size_t need = 0;
	int p = portset_next(s, 1);

	if (len)
		buf[0] = 0;
	while (p >= 0) {
		int q = p;
		char item[16];
		int n;

		while (q < 65535 && portset_has(s, q + 1))
			q++;
		n = q > p ? snprintf(item, sizeof(item), "%s%d-%d", need ? "," : "", p, q)
			  : snprintf(item, sizeof(item), "%s%d", need ? "," : "", p);
		if (need + n < len)
			memcpy(buf + need, item, n + 1);
		else if (len)
			buf[len - 1] = 0;
		need += n;
		p = q < 65535 ? portset_next(s, q + 1) : -1;
	}
	return need;
}
