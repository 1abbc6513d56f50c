// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prom.h"

static const char *const type_words[] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram",
	[PROM_SUMMARY] = "summary",
};

/* The format's escapes: backslash and newline, and in label values quotes. */
static void put_escaped(struct obuf *o, const char *s, bool quotes)
{
	for (const char *run = s;; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n"
				  : quotes && *s == '"' ? "\\\""
							: NULL;

		if (!esc && *s)
			continue;
		obuf_put(o, run, (size_t)(s - run));
		if (!*s)
			return;
		obuf_puts(o, esc);
		run = s + 1;
	}
}

void prom_family(struct obuf *o, const char *name, enum prom_type type, const char *help)
{
	obuf_printf(o, "# HELP %s ", name);
	put_escaped(o, help, false);
	obuf_printf(o, "\n# TYPE %s %s\n", name, type_words[type]);
}

/* name{labels[,extra="ev"]} and the space before the value. */
static void put_series(struct obuf *o, const char *name, const char *suffix,
		       const struct prom_label *l, unsigned nl, const char *extra, const char *ev)
{
	obuf_puts(o, name);
	obuf_puts(o, suffix);
	if (nl || extra) {
		obuf_put(o, "{", 1);
		for (unsigned i = 0; i < nl; i++) {
			obuf_printf(o, "%s%s=\"", i ? "," : "", l[i].name);
			put_escaped(o, l[i].value, true);
			obuf_put(o, "\"", 1);
		}
		if (extra)
			obuf_printf(o, "%s%s=\"%s\"", nl ? "," : "", extra, ev);
		obuf_put(o, "}", 1);
	}
	obuf_put(o, " ", 1);
}

void prom_u64(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
	      uint64_t v)
{
	put_series(o, name, "", l, nl, NULL, NULL);
	obuf_printf(o, "%" PRIu64 "\n", v);
}

void prom_ns(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
	     uint64_t ns)
{
	put_series(o, name, "", l, nl, NULL, NULL);
	obuf_printf(o, "%" PRIu64 ".%09" PRIu64 "\n", ns / 1000000000u, ns % 1000000000u);
}

/* Go's ParseFloat spellings for what printf has no portable word for. */
static void put_double(struct obuf *o, double v)
{
	if (isnan(v))
		obuf_puts(o, "NaN");
	else if (isinf(v))
		obuf_puts(o, v > 0 ? "+Inf" : "-Inf");
	else {
		char buf[32];

		/* The shortest of these that reads back as v: 0.1, not 0.10000000000000001. */
		snprintf(buf, sizeof(buf), "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, sizeof(buf), "%.17g", v);
		obuf_puts(o, buf);
	}
}

void prom_double(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
		 double v)
{
	put_series(o, name, "", l, nl, NULL, NULL);
	put_double(o, v);
	obuf_put(o, "\n", 1);
}

void prom_histogram(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
		    const double *le, unsigned n, const uint64_t *counts, double sum)
{
	uint64_t cum = 0;
	char edge[32];

	for (unsigned i = 0; i <= n; i++) {
		cum += counts[i];
		/* %g: the shortest spelling a person reads, "5e-06", "0.001". */
		if (i < n)
			snprintf(edge, sizeof(edge), "%g", le[i]);
		put_series(o, name, "_bucket", l, nl, "le", i < n ? edge : "+Inf");
		obuf_printf(o, "%" PRIu64 "\n", cum);
	}
	put_series(o, name, "_sum", l, nl, NULL, NULL);
	put_double(o, sum);
	obuf_put(o, "\n", 1);
	put_series(o, name, "_count", l, nl, NULL, NULL);
	obuf_printf(o, "%" PRIu64 "\n", cum);
}

void prom_rebin(const uint64_t *fine, unsigned nfine, const unsigned *edges, unsigned nedges,
		uint64_t *out)
{
	unsigned b = 0;

	for (unsigned j = 0; j <= nedges; j++) {
		unsigned end = j == nedges ? nfine : edges[j] < nfine - 1 ? edges[j] : nfine - 1;

		out[j] = 0;
		for (; b < end; b++)
			out[j] += fine[b];
	}
}
