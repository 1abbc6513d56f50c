// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/relay/agent.h"
#include "lib/addr.h"
#include "log.h"

/*
 * A check is answered within a millisecond or two of arriving: RFC 8445's
 * pacing is 50 ms between checks and a retransmission waits 500 ms, so the
 * idle sleep costs the peer nothing while keeping this thread near 0% CPU.
 */
#define AGENT_IDLE_NS 1000000L
#define AGENT_RING_SLOTS 256

struct agent_slot {
	bool on;
	bool latched;             /* a peer was handed to the RT thread */
	bool nominated;           /* ... and it was the peer's choice */
	struct ice_creds local;
	char remote[ICE_UFRAG_MAX + 1];
	struct rtd_ep peer;       /* the latched one */
};

struct agent {
	struct relay *r;
	pthread_t thread;
	pthread_mutex_t lock;     /* slots: the ng thread writes, this one reads */
	bool stop;
	struct agent_stats st;
	struct relay_hs in, out[2];
	struct agent_slot slot[RELAY_MAX_STREAMS];
};

void agent_set(struct agent *a, uint16_t idx, const struct ice_creds *local, const char *remote)
{
	struct agent_slot *s;

	if (!a || idx >= RELAY_MAX_STREAMS)
		return;
	s = &a->slot[idx];
	pthread_mutex_lock(&a->lock);
	if (!s->on || strcmp(s->local.ufrag, local->ufrag) ||
	    strcmp(s->remote, remote ? remote : "")) {
		/* New credentials are an ICE restart (RFC 8445 section 9). */
		memset(s, 0, sizeof(*s));
		s->local = *local;
		snprintf(s->remote, sizeof(s->remote), "%s", remote ? remote : "");
		s->on = true;
	}
	pthread_mutex_unlock(&a->lock);
}

void agent_clear(struct agent *a, uint16_t idx)
{
	if (!a || idx >= RELAY_MAX_STREAMS)
		return;
	pthread_mutex_lock(&a->lock);
	memset(&a->slot[idx], 0, sizeof(a->slot[idx]));
	pthread_mutex_unlock(&a->lock);
}

void agent_stats(struct agent *a, struct agent_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	*out = a->st;
	pthread_mutex_unlock(&a->lock);
}

static bool same_ep(const struct rtd_ep *x, const struct rtd_ep *y)
{
	return x->family == y->family && x->port == y->port && !memcmp(&x->addr, &y->addr, 16);
}

/*
 * Whether a valid check makes its sender the stream's peer: the first
 * valid one gets media going before nomination (a lite agent may, RFC
 * 8445 section 7.3.1.4), and a nomination moves it to the peer's choice.
 */
static bool takes_peer(struct agent_slot *s, const struct ice_verdict *v, const struct rtd_ep *from)
{
	bool take = !s->latched || (v->nominated && (!s->nominated || !same_ep(&s->peer, from)));

	if (take) {
		s->latched = true;
		s->nominated |= v->nominated;
		s->peer = *from;
	}
	return take;
}

/* Called with the lock held. */
static int answer(struct agent *a, struct agent_slot *s, const struct relay_hs *in,
		  struct relay_hs out[2])
{
	struct ice_verdict v;
	int n;

	n = ice_answer(&s->local, s->remote[0] ? s->remote : NULL, in->data, in->len, &in->peer,
		       out[0].data, sizeof(out[0].data), &v);
	if (v.kind != ICE_IGNORED)
		a->st.checks++;
	if (n <= 0) {
		a->st.ignored++;
		return 0;
	}
	out[0].op = RELAY_HS_SEND;
	out[0].idx = in->idx;
	out[0].len = n;
	out[0].peer = in->peer;
	out[0].local = in->local;
	if (v.kind != ICE_VALID) {
		a->st.refused++;
		return 1;
	}
	a->st.answered++;
	if (!takes_peer(s, &v, &in->peer))
		return 1;
	a->st.nominated++;
	if (log_enabled(LOG_DEBUG)) {
		char b[INET6_ADDRSTRLEN];

		log_debug("ice", "stream %u: peer %s port %u (%s)", in->idx,
			  addr_str(in->peer.family, &in->peer.addr, b), in->peer.port,
			  v.nominated ? "nominated" : "the first valid check");
	}
	out[1] = (struct relay_hs){ .op = RELAY_HS_LATCH, .idx = in->idx, .peer = in->peer,
				    .local = in->local };
	return 2;
}

int agent_handle(struct agent *a, const struct relay_hs *in, struct relay_hs out[2])
{
	struct agent_slot *s;
	int n = 0;

	if (in->op != RELAY_HS_RECV || in->idx >= RELAY_MAX_STREAMS ||
	    in->len > sizeof(in->data))
		return 0;
	s = &a->slot[in->idx];
	pthread_mutex_lock(&a->lock);
	if (s->on)
		n = answer(a, s, in, out);
	else
		a->st.ignored++;
	pthread_mutex_unlock(&a->lock);
	return n;
}

/* Every check waiting; how many there were. */
static unsigned drain(struct agent *a)
{
	unsigned seen = 0;

	while (!ring_pop(&a->r->hs_in, &a->in)) {
		int n = agent_handle(a, &a->in, a->out);

		seen++;
		for (int i = 0; i < n; i++) {
			if (!ring_push(&a->r->hs_out, &a->out[i]))
				continue;
			/* The peer retransmits; a lost LATCH comes back with it. */
			pthread_mutex_lock(&a->lock);
			a->st.lost++;
			if (a->out[i].op == RELAY_HS_LATCH)
				a->slot[a->out[i].idx].latched = a->slot[a->out[i].idx].nominated =
					false;
			pthread_mutex_unlock(&a->lock);
		}
	}
	return seen;
}

static void *agent_main(void *arg)
{
	struct agent *a = arg;
	const struct timespec idle = { 0, AGENT_IDLE_NS };

	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED))
		if (!drain(a))
			nanosleep(&idle, NULL);
	return NULL;
}

int agent_start(struct relay *r)
{
	struct agent *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return -ENOMEM;
	a->r = r;
	pthread_mutex_init(&a->lock, NULL);
	err = ring_init(&r->hs_in, AGENT_RING_SLOTS, sizeof(struct relay_hs));
	if (err)
		goto err_free;
	err = ring_init(&r->hs_out, AGENT_RING_SLOTS, sizeof(struct relay_hs));
	if (err)
		goto err_in;
	err = -pthread_create(&a->thread, NULL, agent_main, a);
	if (err)
		goto err_out;
	pthread_setname_np(a->thread, "rtd-ice");
	r->agent = a;
	return 0;

err_out:
	ring_free(&r->hs_out);
err_in:
	ring_free(&r->hs_in);
err_free:
	pthread_mutex_destroy(&a->lock);
	free(a);
	log_err("ice", "cannot start the ICE agent: %s", strerror(-err));
	return err;
}

void agent_stop(struct relay *r)
{
	struct agent *a = r->agent;

	if (!a)
		return;
	__atomic_store_n(&a->stop, true, __ATOMIC_RELAXED);
	pthread_join(a->thread, NULL);
	r->agent = NULL;
	ring_free(&r->hs_out);
	ring_free(&r->hs_in);
	pthread_mutex_destroy(&a->lock);
	explicit_bzero(a->slot, sizeof(a->slot));
	free(a);
}
