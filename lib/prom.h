/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Prometheus's text exposition format, version 0.0.4, into a bounded
 * writer: each family's HELP and TYPE lines, then its samples, label
 * values escaped; histograms written cumulative from per-bucket counts, so
 * that their buckets, +Inf and _count always agree, however the counts
 * were read.  Pure: the unit tests read the text it writes.
 */
#ifndef LIB_PROM_H
#define LIB_PROM_H

#include <stdint.h>

#include "lib/obuf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM, PROM_SUMMARY };

struct prom_label {
	const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]*: the caller's constants */
	const char *value; /* any bytes but NUL: escaped here */
};

/* "# HELP name help" (help escaped) and "# TYPE name type". */
void prom_family(struct obuf *o, const char *name, enum prom_type type, const char *help);
/* One sample, "name{l1="v1",...} value": an integer, exact to 2^64. */
void prom_u64(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
	      uint64_t v);
/* A value in nanoseconds as seconds, exactly ("1.000000250"). */
void prom_ns(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
	     uint64_t ns);
void prom_double(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
		 double v);

/*
 * A histogram's samples: counts[i] observations in (le[i-1], le[i]] for
 * i < n, counts[n] above le[n-1]; le ascending.  Writes name_bucket for
 * each le and +Inf (cumulative), name_sum and name_count (the buckets'
 * total).
 */
void prom_histogram(struct obuf *o, const char *name, const struct prom_label *l, unsigned nl,
		    const double *le, unsigned n, const uint64_t *counts, double sum);

/*
 * Coarser buckets from a fine histogram: fine[b] holds values in [b, b+1)
 * units for b < nfine - 1, fine[nfine - 1] the rest.  out[j] gets the
 * values below edges[j] not already in out[j - 1], out[nedges] all above
 * the last edge; edges ascending, at most nfine - 1.
 */
void prom_rebin(const uint64_t *fine, unsigned nfine, const unsigned *edges, unsigned nedges,
		uint64_t *out);

#define PROM_NLABELS(l) (sizeof(l) / sizeof((l)[0]))

#endif
