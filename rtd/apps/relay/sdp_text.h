/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Lines and words of an SDP body: what sdp.c's parser and sdp_rewrite.c share. */
#ifndef RELAY_SDP_TEXT_H
#define RELAY_SDP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;  /* without the line ending */
	size_t next; /* offset of the following line; the ending lies between */
};

/* Lines end in LF or CRLF; the last one may have no ending at all. */
static inline bool sdp_next_line(const char *buf, size_t len, size_t pos, struct line *l)
{
	const char *nl;

	if (pos >= len)
		return false;
	l->p = buf + pos;
	nl = memchr(l->p, '\n', len - pos);
	l->len = nl ? (size_t)(nl - l->p) : len - pos;
	l->next = nl ? (size_t)(nl - buf) + 1 : len;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

struct word {
	const char *p;
	size_t n;
};

/* Split on spaces, tolerating runs of them (RFC 8866 asks for one, not
 * every UA obliges).  Returns how many words there are; stores max. */
static inline unsigned sdp_split(const char *p, size_t n, struct word *w, unsigned max)
{
	unsigned count = 0;
	size_t i = 0;

	while (i < n) {
		size_t start;

		while (i < n && p[i] == ' ')
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && p[i] != ' ')
			i++;
		if (count < max) {
			w[count].p = p + start;
			w[count].n = i - start;
		}
		count++;
	}
	return count;
}

static inline bool sdp_word_is(const struct word *w, const char *s)
{
	size_t n = strlen(s);

	return w->n == n && !memcmp(w->p, s, n);
}

static inline bool sdp_mem_is(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n == k && !memcmp(p, s, k);
}

#endif
