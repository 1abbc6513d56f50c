/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The relay's call table, on the ng thread: calls, their legs and media,
 * the port pairs and stream slots they hold, and the stream commands that
 * tell the RT side (relay.c) about them through the ring.
 */
#ifndef RELAY_CALLS_H
#define RELAY_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include <rtd/app.h>
#include <rtd/portset.h>

#include "apps/relay/relay.h"

#define CALLS_MAX 4096
#define CALLS_MAX_MEDIA 4

struct call_media {
	uint16_t port[2];    /* local RTP port per leg: [0] for the offerer, [1] the answerer */
	uint16_t sidx[2][2]; /* stream index per leg, [RTP, RTCP] */
};

struct call {
	bool used;
	bool answered;
	unsigned nmedia;
	uint64_t created_ns;
	char call_id[128];
	char tag[2][64];
	struct call_media media[CALLS_MAX_MEDIA];
};

struct calls {
	struct relay *relay;
	const struct rtd_app_env *env;
	struct portset free_ports; /* even ports whose pair is free */
	uint16_t free_idx[RELAY_MAX_STREAMS];
	unsigned nfree_idx;
	struct call call[CALLS_MAX];
	unsigned ncalls;
	uint64_t total; /* calls ever set up */
};

/* Every even port of the RT set whose odd neighbour is in it too is a pair. */
void calls_init(struct calls *c, struct relay *r, const struct rtd_app_env *env);
struct call *calls_find(struct calls *c, const char *id);
/* Whether a new call with nmedia media would fit (slots and streams). */
bool calls_room(const struct calls *c, unsigned nmedia);
/* A free slot, cleared and named, not yet in use (calls_commit makes it so). */
struct call *calls_slot(struct calls *c, const char *id, uint64_t now);
void calls_commit(struct calls *c, struct call *call);
/*
 * Give media i of call a port pair per leg and its streams, steered;
 * -ENOSPC when the stream slots or the ports ran out.
 */
int calls_add_media(struct calls *c, struct call *call, unsigned i, bool strict);
/* Where leg's peer of media i sends from, as its SDP says. */
void calls_peer(struct calls *c, const struct call *call, unsigned i, int leg, int family,
		const struct in6_addr *a, uint16_t rtp, uint16_t rtcp);
/* Give back media from on: their ports, streams and steering. */
void calls_drop_media(struct calls *c, struct call *call, unsigned from);
void calls_free(struct calls *c, struct call *call);
/* The newest packet time of a call's streams, or its creation. */
uint64_t calls_last_media(const struct calls *c, const struct call *call);
/* End the calls without media for longer than timeout_s at now; how many. */
unsigned calls_expire(struct calls *c, uint64_t now, unsigned timeout_s);

#endif
