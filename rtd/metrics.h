/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --metrics-listen: GET /metrics in Prometheus's text format, served by
 * libmicrohttpd from its own thread (never the RT thread).  A scrape calls
 * collect(), which reads only what the RT thread publishes, as rtctl stats
 * does (metrics_report.c); any other path is 404, any other method 405.
 */
#ifndef RTD_METRICS_H
#define RTD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hostport.h"
#include "lib/obuf.h"

struct MHD_Daemon;

/* Writes the whole body into o; the server grows o and calls again if it overflowed. */
typedef void metrics_collect_fn(void *ctx, struct obuf *o);

struct metrics {
	int fd; /* the bound listening socket; -1: off */
	char where[HOSTPORT_STRLEN];
	struct MHD_Daemon *d;
	metrics_collect_fn *collect;
	void *ctx;
	char *buf; /* the server thread's, grown as bodies need */
	size_t cap;
	bool named;
	/* Earlier scrapes, for the next one to show; the server thread's only. */
	uint64_t scrapes;
	uint64_t scrape_ns;
	uint64_t scrape_ns_max;
	uint64_t body_bytes; /* of the last scrape */
};

/*
 * Bind and listen on at (family 0: metrics off, m->fd = -1), before rtd
 * touches the interface: an address in use or not ours stops rtd here,
 * with "metrics: --metrics-listen ADDR:PORT: <reason>" logged.
 */
int metrics_open(struct metrics *m, const struct hostport *at);
/* Serve from the server's thread; collect(ctx, o) per scrape.  No-op when off. */
int metrics_start(struct metrics *m, metrics_collect_fn *collect, void *ctx);
/* Stop serving (waits for a scrape in progress) and close the socket. */
void metrics_close(struct metrics *m);

/* rtd's families (metrics_report.c); ctx is the struct rtd. */
metrics_collect_fn rtd_metrics_collect;

#endif
