// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings.h"

#define FIELD(s, obj) ((char *)(obj) + (s)->off)

const struct setting *settings_find(const struct setting_table *t, const char *name, bool live)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *n = live ? t->rows[i].live : t->rows[i].name;

		if (n && !strcmp(n, name))
			return &t->rows[i];
	}
	return NULL;
}

const struct setting *settings_find_key(const struct setting_table *t, int key)
{
	for (size_t i = 0; i < t->n; i++)
		if (key && t->rows[i].key == key)
			return &t->rows[i];
	return NULL;
}

void setting_words(const struct setting *s, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = 0;
	for (int i = 0; s->words && s->words[i] && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", s->words[i]);
}

/* Digits only: strtoull would take signs, spaces and "0x". */
static int parse_number(const char *val, bool neg_ok, long long *out)
{
	const char *p = val + (neg_ok && *val == '-');
	unsigned long long v = 0;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (unsigned long long)INT64_MAX / 10)
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > (unsigned long long)INT64_MAX)
		return -EINVAL;
	*out = *val == '-' ? -(long long)v : (long long)v;
	return 0;
}

static void store_uint(const struct setting *s, void *obj, unsigned long long v)
{
	switch (s->size) {
	case 1:
		*(uint8_t *)FIELD(s, obj) = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)FIELD(s, obj) = (uint16_t)v;
		break;
	case 8:
		*(uint64_t *)FIELD(s, obj) = v;
		break;
	default:
		*(uint32_t *)FIELD(s, obj) = (uint32_t)v;
		break;
	}
}

unsigned long long setting_value(const struct setting *s, const void *obj)
{
	const char *f = (const char *)obj + s->off;

	if (s->type == SETTING_INT)
		return (unsigned long long)(long long)*(const int *)f;
	if (s->type == SETTING_WORD)
		return *(const unsigned *)f;
	switch (s->size) {
	case 1:
		return *(const uint8_t *)f;
	case 2:
		return *(const uint16_t *)f;
	case 8:
		return *(const uint64_t *)f;
	default:
		return *(const uint32_t *)f;
	}
}

static int bad_number(const struct setting *s, const char *val, char *err, size_t errlen)
{
	if (s->what)
		snprintf(err, errlen, "'%s' is not a %s (%lld-%lld)", val, s->what, s->lo, s->hi);
	else if (s->flags & SETTING_POW2)
		snprintf(err, errlen, "'%s' is not a power of two in %lld-%lld", val, s->lo, s->hi);
	else
		snprintf(err, errlen, "'%s' is not a number in %lld-%lld", val, s->lo, s->hi);
	return -EINVAL;
}

static int apply_number(const struct setting *s, void *obj, const char *val, char *err,
			size_t errlen)
{
	long long v;

	if (parse_number(val, s->type == SETTING_INT, &v) || v < s->lo || v > s->hi)
		return bad_number(s, val, err, errlen);
	if ((s->flags & SETTING_POW2) && (v & (v - 1)))
		return bad_number(s, val, err, errlen);
	if (s->type == SETTING_INT)
		*(int *)FIELD(s, obj) = (int)v;
	else
		store_uint(s, obj, (unsigned long long)v);
	return 0;
}

static int apply_word(const struct setting *s, void *obj, const char *val, char *err,
		      size_t errlen)
{
	char words[160];

	for (unsigned i = 0; s->words[i]; i++) {
		if (!strcmp(val, s->words[i])) {
			*(unsigned *)FIELD(s, obj) = i;
			return 0;
		}
	}
	setting_words(s, words, sizeof(words));
	snprintf(err, errlen, "'%s' is not one of %s", val, words);
	return -EINVAL;
}

int setting_apply(const struct setting *s, void *obj, const char *val, char *err, size_t errlen)
{
	switch (s->type) {
	case SETTING_UINT:
	case SETTING_INT:
		return apply_number(s, obj, val, err, errlen);
	case SETTING_WORD:
		return apply_word(s, obj, val, err, errlen);
	case SETTING_STR:
		if (!*val || strlen(val) >= s->size) {
			snprintf(err, errlen, "'%s' is not a valid %s (1-%zu characters)", val,
				 s->what ? s->what : "value", s->size - 1);
			return -EINVAL;
		}
		memcpy(FIELD(s, obj), val, strlen(val) + 1);
		return 0;
	case SETTING_FUNC:
		return s->parse(FIELD(s, obj), val, err, errlen);
	case SETTING_FLAG:
		*(bool *)FIELD(s, obj) = true;
		return 0;
	}
	return -EINVAL;
}

void settings_defaults(const struct setting_table *t, void *obj)
{
	char err[160];

	for (size_t i = 0; i < t->n; i++) {
		const struct setting *s = &t->rows[i];
		long long v;

		memset(FIELD(s, obj), 0, s->size);
		if (!s->dflt)
			continue;
		/* A default may lie outside what users may set: -1 for "pick one". */
		if ((s->type == SETTING_INT || s->type == SETTING_UINT) &&
		    !parse_number(s->dflt, true, &v)) {
			if (s->type == SETTING_INT)
				*(int *)FIELD(s, obj) = (int)v;
			else
				store_uint(s, obj, (unsigned long long)v);
			continue;
		}
		setting_apply(s, obj, s->dflt, err, sizeof(err));
	}
}

void setting_format(const struct setting *s, const void *obj, char *buf, size_t len)
{
	const char *f = (const char *)obj + s->off;
	unsigned w;

	switch (s->type) {
	case SETTING_UINT:
		snprintf(buf, len, "%llu", setting_value(s, obj));
		return;
	case SETTING_INT:
		snprintf(buf, len, "%d", *(const int *)f);
		return;
	case SETTING_WORD:
		w = *(const unsigned *)f;
		for (unsigned i = 0; s->words[i]; i++) {
			if (i == w) {
				snprintf(buf, len, "%s", s->words[i]);
				return;
			}
		}
		snprintf(buf, len, "%u", w); /* not a word: never read past the list */
		return;
	case SETTING_STR:
		snprintf(buf, len, "%.*s", (int)s->size, f);
		return;
	default:
		if (len)
			buf[0] = 0;
	}
}

/* "  -i, --iface IF          help", continuation lines under the help. */
#define HELP_COL 26

/* A default worth printing: one a user could give (-1 for "pick one" is not). */
static bool shows_default(const struct setting *s)
{
	long long v;

	if (!s->dflt || strstr(s->help, "(default"))
		return false;
	if (s->type != SETTING_INT && s->type != SETTING_UINT)
		return true;
	return !parse_number(s->dflt, true, &v) && v >= s->lo && v <= s->hi;
}

void settings_usage(const struct setting_table *t, FILE *f)
{
	if (t->title)
		fprintf(f, "\n%s:\n", t->title);
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *s = &t->rows[i];
		char head[64];
		int n;

		if (!s->help)
			continue;
		n = snprintf(head, sizeof(head), "  %c%c%s--%s%s%s", s->key ? '-' : ' ',
			     s->key ? s->key : ' ', s->key ? ", " : "  ", s->name, s->arg ? " " : "",
			     s->arg ? s->arg : "");
		fprintf(f, "%s%*s", head, n < HELP_COL ? HELP_COL - n : 1, "");
		for (const char *h = s->help; *h; h++) {
			fputc(*h, f);
			if (*h == '\n')
				fprintf(f, "%*s", HELP_COL, "");
		}
		if (shows_default(s))
			fprintf(f, " (default %s)", s->dflt);
		fputc('\n', f);
	}
}
