// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Streaming JSON to stdout: commas and indentation tracked per nesting level. */
#include <stdio.h>

#include "ctl/rtctl.h"

#define MAX_DEPTH 16

static bool pretty;
static int depth;
static bool first[MAX_DEPTH];

static void indent(void)
{
	if (!pretty)
		return;
	putchar('\n');
	for (int i = 0; i <= depth; i++)
		fputs("    ", stdout);
}

static void put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = *s;
		const char *esc = ch == '\n' ? "\\n" : ch == '\t' ? "\\t" : ch == '\r' ? "\\r" : NULL;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (esc)
			fputs(esc, stdout);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void member(const char *key)
{
	if (!first[depth])
		putchar(',');
	first[depth] = false;
	indent();
	if (key) {
		put_string(key);
		fputs(pretty ? ": " : ":", stdout);
	}
}

static void open_(const char *key, char ch)
{
	if (depth >= 0)
		member(key);
	putchar(ch);
	depth++;
	first[depth] = true;
}

static void close_(char ch)
{
	bool empty = first[depth];

	depth--;
	if (!empty)
		indent();
	putchar(ch);
}

void json_begin(bool p)
{
	pretty = p;
	depth = -1;
	open_(NULL, '{');
}

void json_end(void)
{
	close_('}');
	putchar('\n');
}

void json_obj_open(const char *key) { open_(key, '{'); }
void json_obj_close(void) { close_('}'); }
void json_arr_open(const char *key) { open_(key, '['); }
void json_arr_close(void) { close_(']'); }

void json_str(const char *key, const char *val)
{
	member(key);
	put_string(val);
}

void json_u64(const char *key, unsigned long long v)
{
	member(key);
	printf("%llu", v);
}

void json_i64(const char *key, long long v)
{
	member(key);
	printf("%lld", v);
}
