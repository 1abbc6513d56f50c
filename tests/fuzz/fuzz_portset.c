// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Port specs as --rt-ports, the config file and rtctl take them.  The input
 * is read two ways:
 *   - as a spec (up to a NUL): portset_parse, and when it parses, the
 *     set formatted and parsed again is the same set, and the spec parsed
 *     is what a reference reading of the same text gives; when it does
 *     not, the reason is one printable line;
 *   - as a set: each pair of bytes a port, each port toggled, so any set
 *     of ports can occur; formatted, it parses back to itself.
 * Formatting promises snprintf's contract at every buffer size tried: the
 * length it needs, as much as fits, always terminated.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>

#include <rtd/portset.h>

#include "fuzz.h"

static struct portset a, b, ref;

/* The spec's grammar written again, plainly: items, ranges, trimmed space. */
static bool ref_port(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return v >= 1 && v <= 65535;
}

static bool ref_parse(const char *spec, struct portset *s)
{
	portset_clear(s);
	for (const char *p = spec;;) {
		const char *end = strchr(p, ','), *dash;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		unsigned lo, hi;

		dash = memchr(p, '-', n);
		if (dash) {
			if (!ref_port(p, (size_t)(dash - p), &lo) ||
			    !ref_port(dash + 1, n - (size_t)(dash - p) - 1, &hi) || lo > hi)
				return false;
		} else {
			if (!ref_port(p, n, &lo))
				return false;
			hi = lo;
		}
		for (unsigned v = lo; v <= hi; v++)
			portset_add(s, (uint16_t)v);
		if (!end)
			return true;
		p = end + 1;
	}
}

/* One line a terminal shows as it is: no control bytes, nothing past ASCII. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool same(const struct portset *x, const struct portset *y)
{
	return !memcmp(x, y, sizeof(*x));
}

/* Format s at several buffer sizes, parse the full text back into b. */
static void check_format(const struct portset *s)
{
	size_t need = portset_format(s, NULL, 0), sizes[] = { 1, 2, 7, need / 2, need, need + 1 };
	char *full = malloc(need + 1), *alloc, err[128];

	if (!full)
		abort();
	FUZZ_CHECK(portset_format(s, full, need + 1) == need && strlen(full) == need,
		   "format needs %zu, wrote %zu", need, strlen(full));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];
		char *buf = malloc(len ? len : 1);

		if (!buf)
			abort();
		FUZZ_CHECK(portset_format(s, buf, len) == need, "format in %zu", len);
		if (len) {
			size_t k = need < len - 1 ? need : len - 1;

			FUZZ_CHECK(strlen(buf) == k && !memcmp(buf, full, k),
				   "in %zu bytes: '%s', not the first %zu of '%s'", len, buf, k, full);
		}
		free(buf);
	}
	alloc = portset_format_alloc(s);
	FUZZ_CHECK(alloc && !strcmp(alloc, full), "format_alloc differs");
	free(alloc);
	if (portset_count(s)) {
		FUZZ_CHECK(!portset_parse(full, &b, err, sizeof(err)), "'%s' does not parse: %s", full,
			   err);
		FUZZ_CHECK(same(s, &b), "'%s' parsed to another set", full);
		FUZZ_CHECK(!strchr(full, ' ') && full[0] != ',' && full[need - 1] != ',',
			   "'%s' is not the shortest spec", full);
	} else {
		FUZZ_CHECK(need == 0, "an empty set formats as '%s'", full);
	}
	free(full);
}

/* Iteration finds exactly the ports the set has, in order, and counts them. */
static void check_walk(const struct portset *s)
{
	unsigned n = 0;
	int prev = 0;

	for (int p = portset_next(s, 1); p >= 0; p = portset_next(s, (unsigned)p + 1)) {
		FUZZ_CHECK(p > prev && p <= 65535 && portset_has(s, (uint16_t)p), "next gave %d", p);
		prev = p;
		n++;
		if (p == 65535)
			break;
	}
	FUZZ_CHECK(n + portset_has(s, 0) == portset_count(s), "walked %u of %u", n,
		   portset_count(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1), err[128];
	int ret;

	if (!spec)
		abort();
	memcpy(spec, data, size);
	spec[size] = 0;
	ret = portset_parse(spec, &a, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && err[0] && printable(err) && portset_count(&a) == 0,
			   "parse: %d, '%s', %u ports left", ret, err, portset_count(&a));
		FUZZ_CHECK(!ref_parse(spec, &ref), "'%s' refused, but it is a spec: %s", spec, err);
	} else {
		FUZZ_CHECK(ref_parse(spec, &ref) && same(&a, &ref), "'%s' parsed, not as the grammar says",
			   spec);
		FUZZ_CHECK(!portset_has(&a, 0), "port 0 in a parsed set");
		check_walk(&a);
		check_format(&a);
	}
	free(spec);

	portset_clear(&a);
	for (size_t i = 0; i + 1 < size; i += 2) {
		uint16_t p = (uint16_t)(data[i] << 8 | data[i + 1]);

		if (portset_has(&a, p))
			portset_del(&a, p);
		else
			portset_add(&a, p);
	}
	/* Port 0 is no port: formatting skips it, so the round trip does too. */
	portset_del(&a, 0);
	check_walk(&a);
	check_format(&a);
	return 0;
}
