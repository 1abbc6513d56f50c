/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A set of UDP ports as a bitmap, and its textual form "5004-5099,6000".
 * Shared by rtd (claiming ports) and rtctl (parsing user input, printing).
 */
#ifndef RTD_PORTSET_H
#define RTD_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORTSET_WORDS (65536 / 64)

struct portset {
	uint64_t w[PORTSET_WORDS];
};

static inline void portset_clear(struct portset *s)
{
	for (size_t i = 0; i < PORTSET_WORDS; i++)
		s->w[i] = 0;
}

static inline bool portset_has(const struct portset *s, uint16_t p)
{
	return s->w[p >> 6] >> (p & 63) & 1;
}

static inline void portset_add(struct portset *s, uint16_t p)
{
	s->w[p >> 6] |= UINT64_C(1) << (p & 63);
}

static inline void portset_del(struct portset *s, uint16_t p)
{
	s->w[p >> 6] &= ~(UINT64_C(1) << (p & 63));
}

/* Number of ports in the set. */
unsigned portset_count(const struct portset *s);

/*
 * Parse "5004-5099,6000" into *out (cleared first).  Ports are 1-65535,
 * ranges ascend, items are separated by commas; whitespace around items is
 * allowed.  On error returns -EINVAL and writes a one-line reason naming the
 * offending item to err (e.g. "'70000' is not a port (1-65535)").
 */
int portset_parse(const char *spec, struct portset *out, char *err, size_t errlen);

/*
 * Format as the shortest spec ("5004-5099,6000"); "" for an empty set.
 * Returns the length it needed (like snprintf), output truncated to len.
 */
size_t portset_format(const struct portset *s, char *buf, size_t len);

/* The same in a string of its own (free() it), or NULL out of memory. */
char *portset_format_alloc(const struct portset *s);

/* Iterate: first port >= from in the set, or -1. */
int portset_next(const struct portset *s, unsigned from);

#endif
