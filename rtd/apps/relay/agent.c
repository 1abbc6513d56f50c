// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/relay/agent_int.h"
#include "lib/addr.h"
#include "log.h"

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
	agent_dtls_drop(a, idx);
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
		  struct relay_hs *out, unsigned max)
{
	struct ice_verdict v;
	int n;

	if (max < 2)
		return 0;
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
	agent_dtls_latched(a, in->idx, &in->peer, &in->local);
	return 2;
}

int agent_handle(struct agent *a, const struct relay_hs *in, struct relay_hs *out, unsigned max)
{
	struct agent_slot *s;
	int n = 0;

	if (in->op != RELAY_HS_RECV || in->idx >= RELAY_MAX_STREAMS ||
	    in->len > sizeof(in->data))
		return 0;
	s = &a->slot[in->idx];
	pthread_mutex_lock(&a->lock);
	/* RFC 7983: 0-3 is STUN, 20-63 DTLS. */
	if (in->len && in->data[0] >= 20 && in->data[0] <= 63)
		n = agent_dtls_recv(a, in, out, max);
	else if (s->on)
		n = answer(a, s, in, out, max);
	else
		a->st.ignored++;
	pthread_mutex_unlock(&a->lock);
	return n;
}

/* Onto hs_out; what the ring does not take is made good later, or lost. */
static void send_out(struct agent *a, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct relay_hs *m = &a->out[i];

		if (!ring_push(&a->r->hs_out, m))
			continue;
		pthread_mutex_lock(&a->lock);
		a->st.lost++;
		/* The peer retransmits; a lost LATCH comes back with it. */
		if (m->op == RELAY_HS_LATCH)
			a->slot[m->idx].latched = a->slot[m->idx].nominated = false;
		else if (m->op == RELAY_HS_KEYS)
			agent_dtls_unsent(a, m);
		pthread_mutex_unlock(&a->lock);
	}
}

/* Every message waiting, then the timers; how much there was to do. */
static unsigned drain(struct agent *a)
{
	unsigned seen = 0, n;

	while (!ring_pop(&a->r->hs_in, &a->in)) {
		int got = agent_handle(a, &a->in, a->out, AGENT_OUT_MAX);

		seen++;
		send_out(a, got > 0 ? (unsigned)got : 0);
	}
	while ((n = agent_dtls_tick(a, a->out, AGENT_OUT_MAX))) {
		send_out(a, n);
		seen++;
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
	for (unsigned i = 0; i < RELAY_MAX_STREAMS; i++)
		agent_dtls_drop(a, (uint16_t)i);
	ring_free(&r->hs_out);
	ring_free(&r->hs_in);
	pthread_mutex_destroy(&a->lock);
	explicit_bzero(a->slot, sizeof(a->slot));
	free(a);
}
