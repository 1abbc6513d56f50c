// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apps/relay/calls.h"
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
		if (!(p & 1) && p < 65535 && portset_has(ports, p + 1))
			portset_add(&c->free_ports, p);
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

		if (call->used)
			continue;
		memset(call, 0, sizeof(*call));
		snprintf(call->call_id, sizeof(call->call_id), "%s", id);
		call->created_ns = now;
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

int calls_add_media(struct calls *c, struct call *call, unsigned i, bool strict)
{
	struct call_media *m = &call->media[i];
	int a, b;

	/* Two legs, RTP and RTCP each: the stream slots before the ports. */
	if (c->nfree_idx < 4)
		return -ENOSPC;
	a = alloc_pair(c);
	b = a < 0 ? a : alloc_pair(c);
	if (a < 0 || b < 0) {
		if (a >= 0)
			portset_add(&c->free_ports, a);
		return -ENOSPC;
	}
	m->port[0] = a;
	m->port[1] = b;
	for (int leg = 0; leg < 2; leg++)
		for (int k = 0; k < 2; k++)
			m->sidx[leg][k] = c->free_idx[--c->nfree_idx];
	for (int leg = 0; leg < 2; leg++) {
		for (int k = 0; k < 2; k++) {
			struct rcmd cmd = { .op = RCMD_ADD, .strict = strict, .rtcp = k == 1,
					    .idx = m->sidx[leg][k], .port = m->port[leg] + k,
					    .other = m->sidx[!leg][k] };

			post(c, &cmd);
			c->env->steer(c->env->ctx, m->port[leg] + k, true);
		}
	}
	call->nmedia = i + 1;
	return 0;
}

void calls_peer(struct calls *c, const struct call *call, unsigned i, int leg, int family,
		const struct in6_addr *a, uint16_t rtp, uint16_t rtcp)
{
	const struct call_media *m = &call->media[i];

	for (int k = 0; k < 2; k++) {
		struct rcmd cmd = { .op = RCMD_PEER, .idx = m->sidx[leg][k],
				    .other = m->sidx[!leg][k] };

		cmd.peer.family = family;
		cmd.peer.addr = *a;
		cmd.peer.port = k ? rtcp : rtp;
		post(c, &cmd);
	}
}

void calls_drop_media(struct calls *c, struct call *call, unsigned from)
{
	for (unsigned i = from; i < call->nmedia; i++) {
		struct call_media *m = &call->media[i];

		for (int leg = 0; leg < 2; leg++) {
			for (int k = 0; k < 2; k++) {
				struct rcmd cmd = { .op = RCMD_DEL, .idx = m->sidx[leg][k],
						    .port = m->port[leg] + k };

				c->env->steer(c->env->ctx, m->port[leg] + k, false);
				post(c, &cmd);
				c->free_idx[c->nfree_idx++] = m->sidx[leg][k];
			}
			portset_add(&c->free_ports, m->port[leg]);
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
	uint64_t last = call->created_ns;

	for (unsigned m = 0; m < call->nmedia; m++) {
		for (int leg = 0; leg < 2; leg++) {
			uint64_t l = __atomic_load_n(
				&c->relay->streams[call->media[m].sidx[leg][0]].last_ns,
				__ATOMIC_RELAXED);

			if (l > last)
				last = l;
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
		ended++;
	}
	return ended;
}
