// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The agent's DTLS half: one rdtls association per stream rtd terminates
 * DTLS-SRTP on, fed the records the RT thread hands over, its flights sent
 * back through hs_out from the stream's port, its timers run from the
 * agent's loop, and its keys made into the SRTP contexts the RT thread
 * protects and unprotects with.  Everything here runs with the agent's
 * lock held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/relay/agent_int.h"
#include "lib/addr.h"
#include "log.h"

static struct agent_dtls_slot *slot_of(struct agent *a, uint16_t idx)
{
	return idx < RELAY_MAX_STREAMS ? a->dtls[idx] : NULL;
}

static void forget(struct agent *a, uint16_t idx)
{
	for (unsigned i = 0; i < a->nactive; i++) {
		if (a->active[i] != idx)
			continue;
		a->active[i] = a->active[--a->nactive];
		return;
	}
}

void agent_dtls_drop(struct agent *a, uint16_t idx)
{
	struct agent_dtls_slot *d = slot_of(a, idx);

	if (!d)
		return;
	rdtls_conn_free(d->conn);
	explicit_bzero(d, sizeof(*d));
	free(d);
	a->dtls[idx] = NULL;
	forget(a, idx);
}

static bool same_cfg(const struct agent_dtls *x, const struct agent_dtls *y)
{
	/* Not the identity: it is the process's, and a restored slot has none. */
	return x->role == y->role && x->nfps == y->nfps &&
	       !memcmp(x->fps, y->fps, sizeof(x->fps[0]) * x->nfps);
}

/* A slot for idx, made or kept; NULL when out of memory. */
static struct agent_dtls_slot *take(struct agent *a, uint16_t idx, const struct agent_dtls *cfg)
{
	struct agent_dtls_slot *d = slot_of(a, idx);

	if (d && same_cfg(&d->cfg, cfg)) {
		/* The same association: only where a client would send may change. */
		if (cfg->peer.family)
			d->cfg.peer = cfg->peer;
		if (cfg->local.family)
			d->cfg.local = cfg->local;
		return d;
	}
	agent_dtls_drop(a, idx);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->state = RDTLS_HANDSHAKING;
	a->dtls[idx] = d;
	a->active[a->nactive++] = idx;
	return d;
}

void agent_dtls_set(struct agent *a, uint16_t idx, const struct agent_dtls *cfg)
{
	if (!a || idx >= RELAY_MAX_STREAMS)
		return;
	pthread_mutex_lock(&a->lock);
	if (!take(a, idx, cfg))
		log_err("dtls", "%s: no memory for a DTLS association", cfg->label);
	pthread_mutex_unlock(&a->lock);
}

void agent_dtls_clear(struct agent *a, uint16_t idx)
{
	if (!a || idx >= RELAY_MAX_STREAMS)
		return;
	pthread_mutex_lock(&a->lock);
	agent_dtls_drop(a, idx);
	pthread_mutex_unlock(&a->lock);
}

void agent_dtls_restore(struct agent *a, uint16_t idx, const struct agent_dtls *cfg,
			const struct rdtls_keys *keys, const struct rsrtp_saved *rx,
			const struct rsrtp_saved *tx)
{
	struct agent_dtls_slot *d;

	if (!a || idx >= RELAY_MAX_STREAMS)
		return;
	pthread_mutex_lock(&a->lock);
	d = take(a, idx, cfg);
	if (d) {
		d->keys = *keys;
		d->resume_rx = *rx;
		d->resume_tx = *tx;
		d->state = RDTLS_DONE;
		d->started = d->restored = true;
		d->keys_sent = false; /* the next tick makes the contexts */
	}
	pthread_mutex_unlock(&a->lock);
}

bool agent_dtls_info(struct agent *a, uint16_t idx, char *state, size_t len,
		     struct rdtls_keys *keys)
{
	static const char *const words[] = {
		[RDTLS_HANDSHAKING] = "handshaking", [RDTLS_DONE] = "done",
		[RDTLS_FAILED] = "failed", [RDTLS_CLOSED] = "closed",
	};
	struct agent_dtls_slot *d;
	bool done = false;

	if (len)
		state[0] = 0;
	if (!a || idx >= RELAY_MAX_STREAMS)
		return false;
	pthread_mutex_lock(&a->lock);
	d = a->dtls[idx];
	if (d) {
		snprintf(state, len, "%s%s%s", words[d->state], d->reason[0] ? ": " : "", d->reason);
		done = d->state == RDTLS_DONE;
		if (done && keys)
			*keys = d->keys;
	}
	pthread_mutex_unlock(&a->lock);
	return done;
}

/* A DTLS-SRTP key as the transform takes it. */
static int srtp_key(const struct rdtls_keys *k, const struct rdtls_srtp_key *half,
		    struct rsrtp_key *out)
{
	int suite = rsrtp_suite_by_profile(k->profile);

	if (suite < 0 || k->key_len > sizeof(out->key) || k->salt_len > sizeof(out->salt))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->suite = (enum rsrtp_suite)suite;
	memcpy(out->key, half->key, k->key_len);
	memcpy(out->salt, half->salt, k->salt_len);
	return 0;
}

static struct rsrtp_ctx *srtp_ctx(const struct rdtls_keys *k, const struct rdtls_srtp_key *half,
				  enum rsrtp_dir dir, const struct rsrtp_saved *sv)
{
	struct rsrtp_ctx *c = calloc(1, sizeof(*c));
	struct rsrtp_key key;

	if (c && (srtp_key(k, half, &key) || rsrtp_init(c, &key, dir))) {
		free(c);
		c = NULL;
	}
	/* Fail closed: a fresh context with the same key would repeat indices. */
	if (c && sv && rsrtp_resume(c, sv)) {
		log_err("srtp", "a restored stream's SRTP state is not one: its media is dropped");
		rsrtp_fini(c);
		free(c);
		c = NULL;
	}
	explicit_bzero(&key, sizeof(key));
	return c;
}

/* KEYS for stream idx, the contexts made from d's keys; 0 or 1 messages. */
static unsigned keys_msg(uint16_t idx, struct agent_dtls_slot *d, uint16_t port,
			 struct relay_hs *out)
{
	struct rsrtp_ctx *rx = srtp_ctx(&d->keys, &d->keys.remote, RSRTP_UNPROTECT,
					d->restored ? &d->resume_rx : NULL);
	struct rsrtp_ctx *tx = srtp_ctx(&d->keys, &d->keys.local, RSRTP_PROTECT,
					d->restored ? &d->resume_tx : NULL);

	if (!rx || !tx) {
		if (rx)
			rsrtp_fini(rx);
		if (tx)
			rsrtp_fini(tx);
		free(rx);
		free(tx);
		snprintf(d->reason, sizeof(d->reason), "no SRTP context for the keys");
		d->state = RDTLS_FAILED;
		return 0;
	}
	d->keys_sent = true;
	*out = (struct relay_hs){ .op = RELAY_HS_KEYS, .idx = idx, .rx = rx, .tx = tx };
	out->local.port = port;
	return 1;
}

void agent_dtls_unsent(struct agent *a, struct relay_hs *m)
{
	struct agent_dtls_slot *d = slot_of(a, m->idx);

	rsrtp_fini(m->rx);
	rsrtp_fini(m->tx);
	free(m->rx);
	free(m->tx);
	if (d)
		d->keys_sent = false;
}

/* The flight in a->flight as SEND messages from d's stream, into out[0..max). */
static unsigned flight(struct agent *a, uint16_t idx, const struct agent_dtls_slot *d,
		       struct relay_hs *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < a->flight.n && n < max; i++, n++) {
		out[n] = (struct relay_hs){ .op = RELAY_HS_SEND, .idx = idx, .len = a->flight.len[i],
					    .peer = d->cfg.peer, .local = d->cfg.local };
		memcpy(out[n].data, a->flight.data[i], a->flight.len[i]);
	}
	return n;
}

static void logged_end(struct agent *a, struct agent_dtls_slot *d)
{
	enum rdtls_state was = d->state;

	d->state = rdtls_conn_state(d->conn);
	if (d->state == was)
		return;
	if (d->state == RDTLS_DONE) {
		rdtls_conn_keys(d->conn, &d->keys);
		a->st.dtls_done++;
		log_info("dtls", "%s: DTLS-SRTP %s as %s", d->cfg.label,
			 rdtls_profile_name(d->keys.profile) ?: "?",
			 d->cfg.role == RDTLS_CLIENT ? "client" : "server");
	} else if (d->state == RDTLS_FAILED || d->state == RDTLS_CLOSED) {
		snprintf(d->reason, sizeof(d->reason), "%s", rdtls_conn_reason(d->conn));
		a->st.dtls_failed += d->state == RDTLS_FAILED;
		log_warn("dtls", "%s: DTLS %s: %s", d->cfg.label,
			 d->state == RDTLS_FAILED ? "failed" : "closed", d->reason);
	}
}

/* Make the connection, once there is a role (and, for a client, a peer). */
static int start(struct agent_dtls_slot *d)
{
	struct rdtls_conn_opts o = { .role = d->cfg.role, .fps = d->cfg.fps, .nfps = d->cfg.nfps };
	int err;

	if (d->started || d->cfg.role == RDTLS_ROLE_NONE || !d->cfg.id ||
	    (d->cfg.role == RDTLS_CLIENT && (!d->cfg.peer.family || !d->cfg.local.family)))
		return -EAGAIN;
	d->started = true;
	err = rdtls_conn_new(&d->conn, d->cfg.id, &o);
	if (err) {
		snprintf(d->reason, sizeof(d->reason), "cannot start: %s", strerror(-err));
		d->state = RDTLS_FAILED;
		log_warn("dtls", "%s: DTLS %s", d->cfg.label, d->reason);
	}
	return err;
}

int agent_dtls_recv(struct agent *a, const struct relay_hs *in, struct relay_hs *out,
		    unsigned max)
{
	struct agent_dtls_slot *d = slot_of(a, in->idx);
	unsigned n;

	if (!d) {
		a->st.ignored++;
		return 0;
	}
	/* Where the records come from is where the flights go (RFC 5764 4.1). */
	d->cfg.peer = in->peer;
	d->cfg.local = in->local;
	if (!d->conn && start(d))
		return 0;
	if (!d->conn || rdtls_conn_feed(d->conn, in->data, in->len, &a->flight))
		return 0;
	n = flight(a, in->idx, d, out, max);
	logged_end(a, d);
	if (d->state == RDTLS_DONE && !d->keys_sent && n < max)
		n += keys_msg(in->idx, d, in->local.port, &out[n]);
	return (int)n;
}

void agent_dtls_latched(struct agent *a, uint16_t idx, const struct rtd_ep *peer,
			const struct rtd_ep *local)
{
	struct agent_dtls_slot *d = slot_of(a, idx);

	if (!d || d->conn)
		return;
	d->cfg.peer = *peer;
	d->cfg.local = *local;
}

/* One stream's due work: start a client, a timer, keys not yet sent. */
static unsigned tick_one(struct agent *a, uint16_t idx, struct agent_dtls_slot *d,
			 struct relay_hs *out, unsigned max)
{
	unsigned n = 0;

	if (!d->conn && !d->restored && start(d))
		return 0;
	if (d->conn && d->state == RDTLS_HANDSHAKING && !rdtls_conn_timeout_ms(d->conn) &&
	    !rdtls_conn_timer(d->conn, &a->flight)) {
		n = flight(a, idx, d, out, max);
		logged_end(a, d);
	}
	if (d->state == RDTLS_DONE && !d->keys_sent && n < max)
		n += keys_msg(idx, d, d->cfg.local.port, &out[n]);
	return n;
}

unsigned agent_dtls_tick(struct agent *a, struct relay_hs *out, unsigned max)
{
	unsigned n = 0;

	pthread_mutex_lock(&a->lock);
	for (unsigned i = 0; i < a->nactive && n + RDTLS_OUT_MAX + 1 <= max; i++) {
		uint16_t idx = a->active[i];

		n += tick_one(a, idx, a->dtls[idx], out + n, max - n);
	}
	pthread_mutex_unlock(&a->lock);
	return n;
}
