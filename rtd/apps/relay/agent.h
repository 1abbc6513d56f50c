/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ICE-lite agent's thread: what the RT thread hands over from streams
 * that answer checks (relay.h's hs_in ring) is answered here with ice.c,
 * and the replies and the nominated peers go back through hs_out.  The
 * HMAC of every check stays off the RT thread; the ng thread says which
 * streams answer with which credentials.
 */
#ifndef RELAY_AGENT_H
#define RELAY_AGENT_H

#include <stdint.h>

#include "apps/relay/ice.h"
#include "apps/relay/relay.h"

/* What the agent did, for ng statistics: written by its thread only. */
struct agent_stats {
	uint64_t checks;     /* Binding requests on an ICE stream */
	uint64_t answered;   /* success responses sent */
	uint64_t refused;    /* error responses sent (400, 401, 420, 487) */
	uint64_t ignored;    /* not a request of ours, or a stream no longer ICE */
	uint64_t nominated;  /* peers latched: USE-CANDIDATE or the first valid check */
	uint64_t lost;       /* replies the full hs_out ring did not take */
};

/* The rings and the thread; r->agent is set.  0 or a negative errno. */
int agent_start(struct relay *r);
void agent_stop(struct relay *r);

/*
 * Stream idx answers checks as local, from a peer whose ufrag is remote
 * (NULL or "": not known yet, any).  Called again, the credentials change
 * and the stream may nominate afresh.
 */
void agent_set(struct agent *a, uint16_t idx, const struct ice_creds *local, const char *remote);
/* Stream idx answers no more checks. */
void agent_clear(struct agent *a, uint16_t idx);
void agent_stats(struct agent *a, struct agent_stats *out);

/*
 * One message of hs_in, answered into out (SEND, then LATCH when the
 * check makes the peer the stream's): how many of out were filled, 0-2.
 * The thread's step, exposed so unit tests drive it without a thread.
 */
int agent_handle(struct agent *a, const struct relay_hs *in, struct relay_hs out[2]);

#endif
