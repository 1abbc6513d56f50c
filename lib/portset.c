// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtd/portset.h>

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

/* Trim whitespace from both ends of s[0..*len). */
static const char *trim(const char *s, size_t *len)
{
	while (*len && isspace((unsigned char)*s))
		s++, (*len)--;
	while (*len && isspace((unsigned char)s[*len - 1]))
		(*len)--;
	return s;
}

static int parse_port(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	/* Five digits at most: no overflow, and "000080" is not a port. */
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

/* Append p[0..n) to err[*k..), as much as fits, terminated. */
static void put(char *err, size_t errlen, size_t *k, const char *p, size_t n)
{
	for (size_t i = 0; i < n && *k + 1 < errlen; i++)
		err[(*k)++] = p[i];
	err[*k] = 0;
}

/*
 * "'<culprit>' <why>" into err, truncated as snprintf would.  The culprit's
 * control and non-ASCII bytes are written as \xNN: a reason stays one line
 * whatever was typed (a newline in an argument, a terminal escape).
 */
static int say(char *err, size_t errlen, const char *s, size_t len, const char *why)
{
	size_t k = 0;

	if (!errlen)
		return -EINVAL;
	put(err, errlen, &k, "'", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];

		if (c >= 0x20 && c < 0x7f)
			put(err, errlen, &k, s + i, 1);
		else
			put(err, errlen, &k, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c));
	}
	put(err, errlen, &k, "' ", 2);
	put(err, errlen, &k, why, strlen(why));
	return -EINVAL;
}

static int bad_port(const char *s, size_t len, char *err, size_t errlen)
{
	return say(err, errlen, s, len, "is not a port (1-65535)");
}

/* "P-Q": whitespace around the dash is allowed, as around items. */
static int parse_range(const char *a, size_t alen, const char *dash, unsigned *lo,
		       unsigned *hi, char *err, size_t errlen)
{
	size_t l1 = dash - a, l2 = alen - l1 - 1;
	const char *b = trim(dash + 1, &l2);

	trim(a, &l1);
	/* "5004-" or "-5": no culprit inside to name, so name the item. */
	if (!l1 || !l2)
		return say(err, errlen, a, alen, "is not a port range");
	if (parse_port(a, l1, lo))
		return bad_port(a, l1, err, errlen);
	if (parse_port(b, l2, hi))
		return bad_port(b, l2, err, errlen);
	if (*lo > *hi)
		return say(err, errlen, a, alen, "is not an ascending range");
	return 0;
}

/* One item, "P" or "P-Q", already trimmed. */
static int parse_item(const char *a, size_t alen, struct portset *out, char *err, size_t errlen)
{
	const char *dash = memchr(a, '-', alen);
	unsigned lo, hi;
	int ret;

	if (!alen) {
		snprintf(err, errlen, "'' is an empty item");
		return -EINVAL;
	}
	if (dash) {
		ret = parse_range(a, alen, dash, &lo, &hi, err, errlen);
		if (ret)
			return ret;
	} else {
		if (parse_port(a, alen, &lo))
			return bad_port(a, alen, err, errlen);
		hi = lo;
	}
	for (unsigned v = lo; v <= hi; v++)
		portset_add(out, v);
	return 0;
}

int portset_parse(const char *spec, struct portset *out, char *err, size_t errlen)
{
	const char *p = spec;

	portset_clear(out);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *a = trim(p, &len);
		int ret = parse_item(a, len, out, err, errlen);

		if (ret) {
			portset_clear(out); /* no half-parsed set escapes */
			return ret;
		}
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
		/* Truncate like snprintf: as much as fits, always terminated. */
		if (need + 1 < len) {
			size_t room = len - 1 - need, k = (size_t)n < room ? (size_t)n : room;

			memcpy(buf + need, item, k);
			buf[need + k] = 0;
		}
		need += n;
		p = q < 65535 ? portset_next(s, q + 1) : -1;
	}
	return need;
}

char *portset_format_alloc(const struct portset *s)
{
	size_t need = portset_format(s, NULL, 0) + 1;
	char *buf = malloc(need);

	if (buf)
		portset_format(s, buf, need);
	return buf;
}
