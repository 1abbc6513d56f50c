/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Random edits for the parsers' never-crash tests: the same mutator for
 * every text protocol, so each parser meets the same kinds of damage.
 */
#ifndef RTD_TEST_MUTATE_H
#define RTD_TEST_MUTATE_H

#include <stdlib.h>
#include <string.h>

/*
 * 1 to max_edits edits of buf[0..*len), which has room for cap bytes: a
 * byte replaced from alphabet (the protocol's own characters, which reach
 * deeper than noise) or by any byte, a byte deleted or doubled, or the
 * rest cut off.  Deterministic for a given seed.
 */
static inline void mutate(char *buf, size_t *len, size_t cap, const char *alphabet,
			  unsigned max_edits, unsigned *seed)
{
	size_t nalpha = strlen(alphabet);

	for (unsigned k = 1 + (unsigned)rand_r(seed) % max_edits; k && *len; k--) {
		size_t at = (size_t)rand_r(seed) % *len;

		switch (rand_r(seed) % 5) {
		case 0:
			buf[at] = alphabet[(size_t)rand_r(seed) % nalpha];
			break;
		case 1:
			buf[at] = (char)rand_r(seed);
			break;
		case 2:
			memmove(buf + at, buf + at + 1, *len - at - 1);
			(*len)--;
			break;
		case 3:
			if (*len < cap) {
				memmove(buf + at + 1, buf + at, *len - at);
				(*len)++;
			}
			break;
		default:
			*len = at + 1;
			break;
		}
	}
}

#endif
