// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng lock is held for one walk of the call table, as ng_relayed()
 * does once a second: counts are copied, streams read with the relaxed
 * loads their single writer (the RT thread) allows.  The walk, not the
 * streams' own used flags, says which streams are live: a stream whose
 * call ended is in calls.ended already, whether or not the RT thread has
 * applied its deletion yet, so nothing is counted twice.
 */
#include <errno.h>
#include <string.h>

#include "apps/relay/ng_metrics.h"
#include "lib/clock.h"

static void add_rtp(const struct rstream *s, const uint32_t *edges_us, unsigned nedges,
		    struct ng_metrics *m)
{
	uint32_t jitter;
	unsigned b = 0;

	m->streams++;
	if (!__atomic_load_n(&s->received, __ATOMIC_RELAXED))
		return;
	m->receiving++;
	m->lost += __atomic_load_n(&s->lost, __ATOMIC_RELAXED);
	jitter = relay_jitter_us(s);
	m->jitter_sum_us += jitter;
	while (b < nedges && jitter > edges_us[b])
		b++;
	m->jitter[b]++;
}

static void walk(const struct ng *n, const uint32_t *edges_us, unsigned nedges,
		 struct ng_metrics *m)
{
	const struct calls *c = &n->calls;

	m->relayed = c->ended;
	for (unsigned i = 0; i < CALLS_MAX; i++) {
		const struct call *call = &c->call[i];

		if (!call->used)
			continue;
		for (unsigned k = 0; k < call->nmedia; k++) {
			for (int leg = 0; leg < 2; leg++) {
				const uint16_t *sidx = call->media[k].leg[leg].sidx;

				calls_add_stream(&c->relay->streams[sidx[0]], &m->relayed);
				calls_add_stream(&c->relay->streams[sidx[1]], &m->relayed);
				add_rtp(&c->relay->streams[sidx[0]], edges_us, nedges, m);
			}
		}
	}
}

int ng_metrics_read(struct relay *r, const uint32_t *edges_us, unsigned nedges,
		    struct ng_metrics *m)
{
	struct ng *n = r ? r->ng : NULL;
	uint64_t t0;

	memset(m, 0, sizeof(*m));
	if (!n || nedges > NG_METRICS_JITTER_MAX)
		return n ? -EINVAL : -ENODEV;
	pthread_mutex_lock(&n->lock);
	t0 = clock_ns();
	m->sessions = n->calls.ncalls;
	m->sessions_total = n->calls.total;
	m->timeouts = n->calls.timeouts;
	m->deleted = n->calls.deleted;
	m->refused = n->refused;
	m->cmds = n->cmds;
	m->errors = n->errors;
	for (unsigned c = 0; c < NG_NCMDS; c++) {
		m->cmd_errors[c] = n->cmd_errors[c];
		m->cmd_refused[c] = n->cmd_refused[c];
	}
	for (unsigned p = 0; p < n->nproxies; p++) {
		for (unsigned c = 0; c < NG_NCMDS; c++) {
			m->count[c] += n->proxy[p].count[c];
			m->ns[c] += n->proxy[p].ns[c];
		}
	}
	walk(n, edges_us, nedges, m);
	m->lock_ns = clock_ns() - t0;
	pthread_mutex_unlock(&n->lock);
	return 0;
}
