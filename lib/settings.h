/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A setting exists once: its name, type, field, range or words, default
 * and help in one table row.  The command line, the config file, rtctl's
 * live changes and what rtd reports all read the same rows, so adding a
 * setting is one row and the field it fills.  xdp-tools' params.h is the
 * model.  Pure: linked by rtd, rtctl and the unit tests.
 */
#ifndef LIB_SETTINGS_H
#define LIB_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum setting_type {
	SETTING_UINT, /* unsigned integer of the field's size (1, 2, 4, 8), lo-hi */
	SETTING_INT,  /* int, lo-hi */
	SETTING_WORD, /* unsigned int: the index of the value in words */
	SETTING_STR,  /* char[size]: 1 to size - 1 characters */
	SETTING_FUNC, /* parse() fills the field */
	SETTING_FLAG, /* bool set by naming it: command line only, no value */
};

/* flags */
#define SETTING_POW2 0x1    /* a UINT that must be a power of two */
#define SETTING_CMDLINE 0x2 /* not a config file key */

struct setting {
	const char *name; /* long option and config key: "gate-period-us" */
	int key;          /* short option letter, or 0 */
	enum setting_type type;
	unsigned flags;
	size_t off;  /* of the field in the table's struct */
	size_t size; /* of the field */
	long long lo, hi;
	const char *const *words; /* WORD: NULL-terminated, in the enum's order */
	/* FUNC: 0, or -EINVAL with the reason in err (no key prefix). */
	int (*parse)(void *field, const char *val, char *err, size_t errlen);
	const char *what; /* for errors: "'x' is not a <what> (lo-hi)" */
	const char *dflt; /* applied by settings_defaults(); NULL: zero */
	const char *arg;  /* --help: what the value is, "N" */
	const char *help;
	const char *live;  /* rtctl's name where it can be changed live, or NULL */
	const char *unit;  /* rtctl: "us", "mbit", "bytes"; JSON keys are live_unit */
};

/* A table over one struct. */
struct setting_table {
	const char *title; /* heading in --help; NULL: none */
	const struct setting *rows;
	size_t n;
};

#define SETTING_TABLE(title, rows) { title, rows, sizeof(rows) / sizeof((rows)[0]) }

/* The row named name (a long option, or with live set, rtctl's name), or NULL. */
const struct setting *settings_find(const struct setting_table *t, const char *name, bool live);
/* The row whose short option is key, or NULL. */
const struct setting *settings_find_key(const struct setting_table *t, int key);
/*
 * Parse val into the row's field of obj (the struct the table is over).
 * 0, or -EINVAL with a one-line reason in err: "'70000' is not a port".
 */
int setting_apply(const struct setting *s, void *obj, const char *val, char *err,
		  size_t errlen);
/* Every row's default into obj, zero where a row has none. */
void settings_defaults(const struct setting_table *t, void *obj);
/* The field as text ("reactive", "200"); FUNC and FLAG rows give "". */
void setting_format(const struct setting *s, const void *obj, char *buf, size_t len);
/* The field of a UINT, INT or WORD row as a number. */
unsigned long long setting_value(const struct setting *s, const void *obj);
/* --help lines for the table. */
void settings_usage(const struct setting_table *t, FILE *f);
/* "a, b, c": the row's words, for messages. */
void setting_words(const struct setting *s, char *buf, size_t len);

#endif
