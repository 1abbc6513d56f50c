// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What sec_negotiate decided, handed on: the RT side learns per stream
 * whether its leg is secured (RCMD_SEC) and gets the SRTP contexts of SDES
 * keys (RCMD_KEYS, made here with their allocations), and the agent runs
 * the DTLS associations whose keys it sends the RT side itself.  The
 * contexts the RT thread lets go of come back through relay->gc and are
 * freed here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps/relay/agent.h"
#include "apps/relay/sec.h"
#include "log.h"

static void post(struct calls *c, const struct rcmd *cmd)
{
	/* As calls.c's: the RT thread drains every round. */
	for (int tries = 0; ring_push(&c->relay->cmds, cmd) && tries < 1000; tries++)
		usleep(100);
}

static void ctx_free(struct rsrtp_ctx *x)
{
	if (!x)
		return;
	rsrtp_fini(x);
	free(x);
}

/* A context for k; sv, when given, is where a restart left it. */
static struct rsrtp_ctx *ctx_new(const struct rsrtp_key *k, enum rsrtp_dir dir,
				 const struct rsrtp_saved *sv)
{
	struct rsrtp_ctx *x = calloc(1, sizeof(*x));

	if (x && rsrtp_init(x, k, dir)) {
		free(x);
		return NULL;
	}
	/* Fail closed: a fresh context with the same key would repeat indices. */
	if (x && sv && rsrtp_resume(x, sv)) {
		log_err("srtp", "a restored stream's SRTP state is not one: its media is dropped");
		ctx_free(x);
		return NULL;
	}
	return x;
}

void sec_gc(struct relay *r)
{
	struct rsrtp_ctx *x;

	while (r->gc.slots && !ring_pop(&r->gc, &x))
		ctx_free(x);
}

/* Whether a side's SDES pair is chosen: its contexts can be made. */
static bool sdes_keyed(const struct call_sec *s)
{
	return s->mode == CALL_SEC_SDES && s->peer_i >= 0 && s->own_i >= 0;
}

/* The SDES keys of a side to its two streams, unless they have them
 * already; st, after a restart, is where each stream's contexts were. */
static void post_sdes(struct calls *c, struct call_side *side,
		      const struct call_stream_state *const st[2])
{
	struct call_sec *s = &side->sec;
	const struct rsrtp_key *rx = &s->peer[s->peer_i].key, *tx = &s->own[s->own_i].key;

	if (s->posted && !memcmp(&s->rx_key, rx, sizeof(*rx)) && !memcmp(&s->tx_key, tx, sizeof(*tx)))
		return;
	for (int k = 0; k < 2; k++) {
		struct rcmd cmd = { .op = RCMD_KEYS,
				    .idx = side->sidx[k],
				    .rx = ctx_new(rx, RSRTP_UNPROTECT, st ? &st[k]->srtp_rx : NULL),
				    .tx = ctx_new(tx, RSRTP_PROTECT, st ? &st[k]->srtp_tx : NULL) };

		if (!cmd.rx || !cmd.tx) {
			log_err("srtp", "no SRTP context for a stream: its media is dropped");
			ctx_free(cmd.rx);
			ctx_free(cmd.tx);
			cmd.rx = cmd.tx = NULL;
		}
		post(c, &cmd);
	}
	s->rx_key = *rx;
	s->tx_key = *tx;
	s->posted = true;
}

static void post_dtls(struct calls *c, const struct call *call, unsigned m, int leg,
		      struct rdtls_identity *id, const struct rtd_ep *local)
{
	const struct call_side *side = &call->media[m].leg[leg];
	const struct call_sec *s = &side->sec;
	struct agent_dtls cfg = { .id = id, .role = s->role, .nfps = s->nfps };

	memcpy(cfg.fps, s->fps, sizeof(cfg.fps[0]) * s->nfps);
	snprintf(cfg.label, sizeof(cfg.label), "call '%.60s' %s media %u", call->call_id,
		 leg ? "answerer" : "offerer", m + 1);
	/* Without ICE, a client's first flight goes where the SDP says. */
	if (side->family) {
		cfg.peer.family = (uint8_t)side->family;
		cfg.peer.addr = side->addr;
		cfg.peer.port = side->rtp;
	}
	if (local && local->family) {
		cfg.local = *local;
		cfg.local.port = side->port;
	}
	agent_dtls_set(c->relay->agent, side->sidx[0], &cfg);
	/* RTCP's own association when not muxed (RFC 5764 section 4.1). */
	if (!side->mux) {
		cfg.peer.port = side->rtcp;
		cfg.local.port = side->port + 1;
		agent_dtls_set(c->relay->agent, side->sidx[1], &cfg);
	} else {
		agent_dtls_clear(c->relay->agent, side->sidx[1]);
	}
}

static void no_keys(struct calls *c, struct call_side *side, bool dtls_too)
{
	for (int k = 0; k < 2; k++) {
		struct rcmd cmd = { .op = RCMD_KEYS, .idx = side->sidx[k] };

		post(c, &cmd);
		if (dtls_too)
			agent_dtls_clear(c->relay->agent, side->sidx[k]);
	}
	side->sec.posted = false;
}

static void post_side(struct calls *c, const struct call *call, unsigned m, int leg,
		      struct rdtls_identity *id, const struct rtd_ep *local)
{
	struct call_side *side = (struct call_side *)&call->media[m].leg[leg];
	struct call_sec *s = &side->sec;
	bool secured = s->mode == CALL_SEC_SDES || s->mode == CALL_SEC_DTLS;

	for (int k = 0; k < 2; k++) {
		struct rcmd cmd = { .op = RCMD_SEC, .idx = side->sidx[k], .need_rx = secured,
				    .need_tx = secured, .dtls = s->mode == CALL_SEC_DTLS };

		post(c, &cmd);
	}
	if (sdes_keyed(s)) {
		post_sdes(c, side, NULL);
		return;
	}
	if (s->mode == CALL_SEC_DTLS) {
		/* SDES keys it had go; the agent sends the handshake's. */
		if (s->posted)
			no_keys(c, side, false);
		post_dtls(c, call, m, leg, id, local);
		return;
	}
	/* Plain, end to end, or rtd's SDES without its answer yet: no contexts. */
	if (s->mode != CALL_SEC_SDES)
		no_keys(c, side, true);
}

void sec_post(struct calls *c, struct call *call, struct rdtls_identity *id,
	      const struct rtd_ep local[2])
{
	for (unsigned m = 0; m < call->nmedia; m++)
		for (int leg = 0; leg < 2; leg++)
			post_side(c, call, m, leg, id, local ? &local[leg] : NULL);
	sec_gc(c->relay);
}

void sec_resume(struct calls *c, struct call *call, const struct call_stream_state *st)
{
	for (unsigned m = 0; m < call->nmedia; m++) {
		for (int leg = 0; leg < 2; leg++) {
			struct call_side *side = &call->media[m].leg[leg];
			const struct call_stream_state *const two[2] = {
				&st[CALL_STREAM(m, leg, 0)], &st[CALL_STREAM(m, leg, 1)]
			};

			side->sec.posted = false;
			if (sdes_keyed(&side->sec))
				post_sdes(c, side, two);
		}
	}
}
