/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the relay shows a metrics scrape, read off the ng thread's state in
 * one short hold of its lock: the call table's counts, the ng commands'
 * counts and time (summed over proxies), what the streams relayed (ended
 * calls included, as statistics counts it), and the live RTP streams'
 * loss and jitter.  Read-only: nothing here changes the relay.
 */
#ifndef RELAY_NG_METRICS_H
#define RELAY_NG_METRICS_H

#include <stdint.h>

#include "apps/relay/ng_cmd.h"

#define NG_METRICS_JITTER_MAX 16

struct ng_metrics {
	uint64_t sessions;       /* calls now */
	uint64_t sessions_total; /* calls ever set up */
	uint64_t timeouts, deleted, refused;
	uint64_t cmds, errors;   /* messages with a command; error replies */
	uint64_t count[NG_NCMDS], ns[NG_NCMDS];
	uint64_t cmd_errors[NG_NCMDS], cmd_refused[NG_NCMDS]; /* of count */
	struct ng_relayed relayed;
	uint64_t streams;        /* RTP streams of live calls: one per leg and media */
	uint64_t receiving;      /* of which have received RTP */
	uint64_t lost;           /* RFC 3550 cumulative loss over those */
	/* Their jitter: jitter[i] streams at most edges_us[i], the last above all. */
	uint64_t jitter[NG_METRICS_JITTER_MAX + 1];
	uint64_t jitter_sum_us;
	uint64_t lock_ns;        /* how long this read held the ng lock */
};

/*
 * Fill m from relay r (an rtd_app's priv); nedges edges at most
 * NG_METRICS_JITTER_MAX, ascending.  -ENODEV when the ng side is not up.
 */
int ng_metrics_read(struct relay *r, const uint32_t *edges_us, unsigned nedges,
		    struct ng_metrics *m);

#endif
