// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "apps/relay/agent.h"
#include "apps/relay/calls.h"
#include "apps/relay/sec.h"
#include "lib/clock.h"
#include "log.h"

void calls_init(struct calls *c, struct relay *r, const struct rtd_app_env *env)
{
	const struct portset *ports = env->ports;

	memset(c, 0, sizeof(*c));
	c->relay = r;
	c->env = env;
	/* Claimed at start, steered one call at a time. */
	for (int p = portset_next(ports, 1); p >= 0; p = portset_next(ports, p + 1)) {
		env->steer(env->ctx, p, false);
		if (!(p & 1) && p < 65535 && portset_has(ports, p + 1)) {
			portset_add(&c->free_ports, p);
			c->pairs++;
		}
	}
	for (unsigned i = 0; i < RELAY_MAX_STREAMS; i++)
		c->free_idx[c->nfree_idx++] = RELAY_MAX_STREAMS - 1 - i;
}

struct call *calls_find(struct calls *c, const char *id)
{
	for (unsigned i = 0; i < CALLS_MAX; i++)
		if (c->call[i].used && !strcmp(c->call[i].call_id, id))
			return &c->call[i];
	return NULL;
}

bool calls_room(const struct calls *c, unsigned nmedia)
{
	return c->ncalls < CALLS_MAX && c->nfree_idx >= nmedia * 4u;
}

struct call *calls_slot(struct calls *c, const char *id, uint64_t now)
{
	for (unsigned i = 0; i < CALLS_MAX; i++) {
		struct call *call = &c->call[i];
		struct timeval tv;

		if (call->used)
			continue;
		memset(call, 0, sizeof(*call));
		snprintf(call->call_id, sizeof(call->call_id), "%s", id);
		call->created_ns = call->signal_ns = now;
		gettimeofday(&tv, NULL);
		call->created_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
		return call;
	}
	return NULL;
}

void calls_commit(struct calls *c, struct call *call)
{
	call->used = true;
	c->ncalls++;
}

static int alloc_pair(struct calls *c)
{
	int p = portset_next(&c->free_ports, 1);

	if (p < 0)
		return -ENOSPC;
	portset_del(&c->free_ports, p);
	return p;
}

static void post(struct calls *c, const struct rcmd *cmd)
{
	/* The RT thread drains every round; a full ring means it is gone. */
	for (int tries = 0; ring_push(&c->relay->cmds, cmd) && tries < 1000; tries++)
		usleep(100);
}

/* Where what leg's stream k receives goes, with the other leg muxing or not. */
static void targets(const struct call_media *m, int leg, struct rcmd *cmd)
{
	const struct call_side *o = &m->leg[!leg];

	cmd->fwd_rtp = o->sidx[0];
	cmd->fwd_rtcp = o->mux ? o->sidx[0] : o->sidx[1];
	cmd->rtcp_idx = m->leg[leg].sidx[1];
}

int calls_add_media(struct calls *c, struct call *call, unsigned i, bool strict)
{
	call->strict = strict;
	struct call_media *m = &call->media[i];
	int port[2];

	/* Two legs, RTP and RTCP each: the stream slots before the ports. */
	if (c->nfree_idx < 4)
		return -ENOSPC;
	port[0] = alloc_pair(c);
	port[1] = port[0] < 0 ? port[0] : alloc_pair(c);
	if (port[0] < 0 || port[1] < 0) {
		if (port[0] >= 0)
			portset_add(&c->free_ports, port[0]);
		return -ENOSPC;
	}
	memset(m, 0, sizeof(*m));
	for (int leg = 0; leg < 2; leg++) {
		m->leg[leg].port = port[leg];
		for (int k = 0; k < 2; k++)
			m->leg[leg].sidx[k] = c->free_idx[--c->nfree_idx];
	}
	for (int leg = 0; leg < 2; leg++) {
		for (int k = 0; k < 2; k++) {
			struct rcmd cmd = { .op = RCMD_ADD, .strict = strict, .rtcp = k == 1,
					    .idx = m->leg[leg].sidx[k],
					    .port = m->leg[leg].port + k };

			targets(m, leg, &cmd);
			post(c, &cmd);
			c->env->steer(c->env->ctx, m->leg[leg].port + k, true);
		}
	}
	call->nmedia = i + 1;
	return 0;
}

void calls_peer(struct calls *c, const struct call *call, unsigned i, int leg,
		const struct rtd_ep *local)
{
	const struct call_side *s = &call->media[i].leg[leg];

	for (int k = 0; k < 2; k++) {
		struct rcmd cmd = { .op = RCMD_PEER, .idx = s->sidx[k] };

		cmd.peer.family = s->family;
		cmd.peer.addr = s->addr;
		/* Muxed, the peer's RTCP comes from its RTP port too. */
		cmd.peer.port = k && !s->mux ? s->rtcp : s->rtp;
		if (local)
			cmd.local = *local;
		post(c, &cmd);
	}
}

void calls_topology(struct calls *c, const struct call *call, unsigned i)
{
	const struct call_media *m = &call->media[i];

	for (int leg = 0; leg < 2; leg++) {
		for (int k = 0; k < 2; k++) {
			struct rcmd cmd = { .op = RCMD_LEG, .idx = m->leg[leg].sidx[k],
					    .mux = m->leg[leg].mux, .ice = m->leg[leg].ice };

			targets(m, leg, &cmd);
			post(c, &cmd);
		}
	}
}

void calls_block(struct calls *c, const struct call *call, int leg, bool block)
{
	for (unsigned i = 0; i < call->nmedia; i++) {
		for (int l = 0; l < 2; l++) {
			if (leg >= 0 && l != leg)
				continue;
			for (int k = 0; k < 2; k++) {
				struct rcmd cmd = { .op = RCMD_BLOCK, .flag = block,
						    .idx = call->media[i].leg[l].sidx[k] };

				post(c, &cmd);
			}
		}
	}
}

void calls_add_stream(const struct rstream *s, struct ng_relayed *r)
{
	r->packets += __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED);
	r->bytes += __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	r->errors += __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
}

void calls_drop_media(struct calls *c, struct call *call, unsigned from)
{
	for (unsigned i = from; i < call->nmedia; i++) {
		struct call_media *m = &call->media[i];

		for (int leg = 0; leg < 2; leg++) {
			for (int k = 0; k < 2; k++) {
				struct rcmd cmd = { .op = RCMD_DEL, .idx = m->leg[leg].sidx[k],
						    .port = m->leg[leg].port + k };

				/* Read before the RT thread can reuse the slot. */
				calls_add_stream(&c->relay->streams[m->leg[leg].sidx[k]], &c->ended);
				agent_clear(c->relay->agent, m->leg[leg].sidx[k]);
				c->env->steer(c->env->ctx, m->leg[leg].port + k, false);
				post(c, &cmd);
				c->free_idx[c->nfree_idx++] = m->leg[leg].sidx[k];
			}
			portset_add(&c->free_ports, m->leg[leg].port);
		}
	}
	if (call->nmedia > from)
		call->nmedia = from;
}

void calls_free(struct calls *c, struct call *call)
{
	calls_drop_media(c, call, 0);
	call->used = false;
	c->ncalls--;
}

uint64_t calls_last_media(const struct calls *c, const struct call *call)
{
	uint64_t last = call->restored_ns > call->created_ns ? call->restored_ns : call->created_ns;

	for (unsigned m = 0; m < call->nmedia; m++) {
		for (int leg = 0; leg < 2; leg++) {
			for (int k = 0; k < 2; k++) {
				uint64_t l = __atomic_load_n(
					&c->relay->streams[call->media[m].leg[leg].sidx[k]].last_ns,
					__ATOMIC_RELAXED);

				if (l > last)
					last = l;
			}
		}
	}
	return last;
}

unsigned calls_expire(struct calls *c, uint64_t now, unsigned timeout_s)
{
	unsigned ended = 0;

	for (unsigned i = 0; i < CALLS_MAX; i++) {
		struct call *call = &c->call[i];

		if (!call->used ||
		    clock_since(now, calls_last_media(c, call)) <= timeout_s * NSEC_PER_SEC)
			continue;
		log_info("ng", "call '%s': no media for %u s, ended", call->call_id, timeout_s);
		calls_free(c, call);
		c->timeouts++;
		ended++;
	}
	return ended;
}

void calls_ice(struct calls *c, const struct call *call)
{
	struct agent *a = c->relay->agent;

	for (unsigned i = 0; i < call->nmedia; i++) {
		for (int leg = 0; leg < 2; leg++) {
			const struct call_side *s = &call->media[i].leg[leg];

			/* RTCP's component 2 shares the leg's credentials. */
			for (int k = 0; k < 2; k++) {
				if (s->ice && call->leg[leg].ice.ufrag[0])
					agent_set(a, s->sidx[k], &call->leg[leg].ice, s->ice_ufrag);
				else
					agent_clear(a, s->sidx[k]);
			}
		}
	}
}

static void save_srtp(const struct rsrtp_ctx *x, struct rsrtp_saved *out)
{
	if (x)
		rsrtp_save(x, out);
}

void calls_stream_state(const struct calls *c, const struct call *call,
			struct call_stream_state st[CALL_STREAMS])
{
	memset(st, 0, sizeof(*st) * CALL_STREAMS);
	for (unsigned m = 0; m < call->nmedia && m < CALLS_MAX_MEDIA; m++) {
		for (int leg = 0; leg < 2; leg++) {
			for (int k = 0; k < 2; k++) {
				const struct rstream *s =
					&c->relay->streams[call->media[m].leg[leg].sidx[k]];
				struct call_stream_state *o = &st[CALL_STREAM(m, leg, k)];

				o->latched = __atomic_load_n(&s->latched, __ATOMIC_RELAXED);
				o->blocked = __atomic_load_n(&s->blocked, __ATOMIC_RELAXED);
				o->peer.family = s->peer.family;
				o->peer.addr = s->peer.addr;
				o->peer.port = __atomic_load_n(&s->peer.port, __ATOMIC_ACQUIRE);
				o->local = s->local;
				o->packets = __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
				o->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
				o->forwarded = __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED);
				o->dropped = __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
				/* Under the ng lock, which the contexts' frees take. */
				save_srtp(__atomic_load_n(&s->rx, __ATOMIC_ACQUIRE), &o->srtp_rx);
				save_srtp(__atomic_load_n(&s->tx, __ATOMIC_ACQUIRE), &o->srtp_tx);
				if (call->media[m].leg[leg].sec.mode == CALL_SEC_DTLS)
					o->dtls_keyed = agent_dtls_info(
						c->relay->agent, call->media[m].leg[leg].sidx[k],
						NULL, 0, &o->dtls);
			}
		}
	}
}

/* Where stream slot idx is in the free list, or -1. */
static int free_pos(const struct calls *c, uint16_t idx)
{
	for (unsigned i = 0; i < c->nfree_idx; i++)
		if (c->free_idx[i] == idx)
			return (int)i;
	return -1;
}

/*
 * Whether every port pair and stream slot of the saved call is in the RT
 * set, free, and named once: checked whole before anything is taken, so a
 * call that cannot come back leaves the table as it was.
 */
static int check_resources(const struct calls *c, const struct call *saved)
{
	struct portset seen = { 0 };
	uint16_t idx[CALL_STREAMS];
	unsigned n = 0;

	for (unsigned m = 0; m < saved->nmedia; m++) {
		for (int leg = 0; leg < 2; leg++) {
			const struct call_side *sd = &saved->media[m].leg[leg];

			if (sd->port & 1 || !portset_has(c->env->ports, sd->port) ||
			    !portset_has(c->env->ports, sd->port + 1))
				return -ERANGE;
			if (!portset_has(&c->free_ports, sd->port) || portset_has(&seen, sd->port))
				return -EEXIST;
			portset_add(&seen, sd->port);
			for (int k = 0; k < 2; k++) {
				if (sd->sidx[k] >= RELAY_MAX_STREAMS || free_pos(c, sd->sidx[k]) < 0)
					return -EEXIST;
				for (unsigned i = 0; i < n; i++)
					if (idx[i] == sd->sidx[k])
						return -EEXIST;
				idx[n++] = sd->sidx[k];
			}
		}
	}
	return 0;
}

static int take_resources(struct calls *c, const struct call *saved)
{
	int err = check_resources(c, saved);

	if (err)
		return err;
	for (unsigned m = 0; m < saved->nmedia; m++) {
		for (int leg = 0; leg < 2; leg++) {
			const struct call_side *sd = &saved->media[m].leg[leg];

			portset_del(&c->free_ports, sd->port);
			for (int k = 0; k < 2; k++) {
				int at = free_pos(c, sd->sidx[k]);

				c->free_idx[at] = c->free_idx[--c->nfree_idx];
			}
		}
	}
	return 0;
}

/* One stream as it was: added with its counters, its peer, latched or not. */
static void restore_stream(struct calls *c, const struct call *call, unsigned m, int leg, int k,
			   const struct call_stream_state *st)
{
	const struct call_side *sd = &call->media[m].leg[leg];
	struct rcmd add = { .op = RCMD_ADD, .strict = call->strict, .rtcp = k == 1,
			    .idx = sd->sidx[k], .port = sd->port + k,
			    .base_packets = st->packets, .base_bytes = st->bytes,
			    .base_forwarded = st->forwarded, .base_dropped = st->dropped };
	struct rcmd peer = { .op = st->latched ? RCMD_LATCH : RCMD_PEER, .idx = sd->sidx[k],
			     .peer = st->peer, .local = st->local };
	struct rcmd block = { .op = RCMD_BLOCK, .idx = sd->sidx[k], .flag = true };

	targets(&call->media[m], leg, &add);
	post(c, &add);
	if (st->peer.family || st->local.family)
		post(c, &peer);
	if (st->blocked)
		post(c, &block);
	if (st->dtls_keyed) {
		struct agent_dtls cfg = { .role = sd->sec.role, .nfps = sd->sec.nfps,
					  .peer = st->peer, .local = st->local };

		memcpy(cfg.fps, sd->sec.fps, sizeof(cfg.fps[0]) * sd->sec.nfps);
		snprintf(cfg.label, sizeof(cfg.label), "call '%.60s' restored", call->call_id);
		agent_dtls_restore(c->relay->agent, sd->sidx[k], &cfg, &st->dtls, &st->srtp_rx,
				   &st->srtp_tx);
	}
	c->env->steer(c->env->ctx, sd->port + k, true);
}

#define HAS_NUL(a) (memchr((a), 0, sizeof(a)) != NULL)

static bool key_ok(const struct rsrtp_key *k)
{
	return (unsigned)k->suite < RSRTP_NSUITES;
}

/* A saved side's security as sec.c leaves it: what sec_post reads is
 * inside its arrays (the SDES pair in use, the fingerprints). */
static bool sec_ok(const struct call_sec *s)
{
	if (s->mode > CALL_SEC_DTLS || s->npeer > RSRTP_NSUITES || s->nown > RSRTP_NSUITES ||
	    s->nfps > CALL_SEC_FPS || !HAS_NUL(s->proto) || !HAS_NUL(s->mid))
		return false;
	/* Each on its own: query reads own[own_i] whatever peer_i is. */
	if (s->peer_i < -1 || s->peer_i >= RSRTP_NSUITES || s->own_i < -1 ||
	    s->own_i >= RSRTP_NSUITES)
		return false;
	if (s->peer_i >= 0 && !key_ok(&s->peer[s->peer_i].key))
		return false;
	if (s->own_i >= 0 && !key_ok(&s->own[s->own_i].key))
		return false;
	/* posted, rx_key and tx_key are not read: sec_resume starts them afresh. */
	return true;
}

/*
 * Whether a record's call is one rtd could have written: a record comes
 * from a file or from Redis, which another host writes, and its indices
 * and strings are used as they are.
 */
static bool saved_ok(const struct call *saved)
{
	if (!saved->used || saved->nmedia > CALLS_MAX_MEDIA || !HAS_NUL(saved->call_id))
		return false;
	for (int leg = 0; leg < 2; leg++) {
		const struct call_leg *l = &saved->leg[leg];

		if (!HAS_NUL(l->tag) || !HAS_NUL(l->iface) || !HAS_NUL(l->ice.ufrag) ||
		    !HAS_NUL(l->ice.pwd))
			return false;
	}
	for (unsigned m = 0; m < saved->nmedia; m++) {
		const struct call_media *md = &saved->media[m];

		if (!HAS_NUL(md->type) || !HAS_NUL(md->proto))
			return false;
		for (int leg = 0; leg < 2; leg++) {
			const struct call_side *sd = &md->leg[leg];

			if ((sd->family && sd->family != AF_INET && sd->family != AF_INET6) ||
			    !HAS_NUL(sd->ice_ufrag) || !sec_ok(&sd->sec))
				return false;
		}
	}
	return true;
}

int calls_restore(struct calls *c, unsigned slot, const struct call *saved,
		  const struct call_stream_state st[CALL_STREAMS], uint64_t now)
{
	struct call *call;
	int err;

	if (slot >= CALLS_MAX || !saved_ok(saved))
		return -EINVAL;
	call = &c->call[slot];
	if (call->used || c->nfree_idx < saved->nmedia * 4u)
		return -EEXIST;
	err = take_resources(c, saved);
	if (err)
		return err;
	*call = *saved;
	call->restored_ns = now;
	for (unsigned m = 0; m < call->nmedia; m++)
		for (int leg = 0; leg < 2; leg++)
			for (int k = 0; k < 2; k++)
				restore_stream(c, call, m, leg, k, &st[CALL_STREAM(m, leg, k)]);
	/* The RT side has no SRTP context yet: SDES ones now, resumed; DTLS
	 * ones from the agent (restore_stream); sec_post does the rest. */
	sec_resume(c, call, st);
	for (unsigned m = 0; m < call->nmedia; m++)
		calls_topology(c, call, m);
	calls_ice(c, call);
	c->ncalls++;
	c->total++;
	return 0;
}

int calls_claim(struct calls *c, const struct call *saved,
		const struct call_stream_state st[CALL_STREAMS], uint64_t now)
{
	struct call moved = *saved;
	unsigned slot = 0, n = 0;

	while (slot < CALLS_MAX && c->call[slot].used)
		slot++;
	if (slot == CALLS_MAX || saved->nmedia > CALLS_MAX_MEDIA ||
	    c->nfree_idx < saved->nmedia * 4u)
		return slot == CALLS_MAX || saved->nmedia <= CALLS_MAX_MEDIA ? -ENOSPC : -EINVAL;
	/* Stream slots are this table's own: the top of its free list, distinct. */
	for (unsigned m = 0; m < saved->nmedia; m++)
		for (int leg = 0; leg < 2; leg++)
			for (int k = 0; k < 2; k++)
				moved.media[m].leg[leg].sidx[k] = c->free_idx[c->nfree_idx - 1 - n++];
	return calls_restore(c, slot, &moved, st, now);
}
