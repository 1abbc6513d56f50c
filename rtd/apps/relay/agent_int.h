/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The agent's state, shared by its ICE half (agent.c) and its DTLS half (agent_dtls.c). */
#ifndef RELAY_AGENT_INT_H
#define RELAY_AGENT_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "apps/relay/agent.h"
#include "apps/relay/dtls.h"

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

/* A stream rtd terminates DTLS on: allocated by agent_dtls_set, freed by agent_clear. */
struct agent_dtls_slot {
	struct agent_dtls cfg;
	struct rdtls_conn *conn;
	enum rdtls_state state;
	bool started;             /* a conn was made (a client's once its peer is known) */
	bool keys_sent;           /* the RT thread has (or is being sent) the SRTP contexts */
	bool restored;            /* keys from before a restart, no handshake */
	struct rdtls_keys keys;   /* once done */
	struct rsrtp_saved resume_rx, resume_tx; /* restored: where the contexts were */
	char reason[128];
};

/* What one message in can make the agent send: a DTLS flight, a LATCH, KEYS. */
#define AGENT_OUT_MAX (RDTLS_OUT_MAX + 2)

struct agent {
	struct relay *r;
	pthread_t thread;
	pthread_mutex_t lock;     /* slots: the ng thread writes, this one reads */
	bool stop;
	struct agent_stats st;
	struct relay_hs in, out[AGENT_OUT_MAX];
	struct rdtls_out flight;
	struct agent_slot slot[RELAY_MAX_STREAMS];
	struct agent_dtls_slot *dtls[RELAY_MAX_STREAMS];
	uint16_t active[RELAY_MAX_STREAMS]; /* streams with a DTLS slot, for the timers */
	unsigned nactive;
};

/* agent_dtls.c, with the lock held. */
int agent_dtls_recv(struct agent *a, const struct relay_hs *in, struct relay_hs *out,
		    unsigned max);
/* Timers and clients to start: what to send, at most max. */
unsigned agent_dtls_tick(struct agent *a, struct relay_hs *out, unsigned max);
/* ICE found stream idx's peer: a DTLS client there can start. */
void agent_dtls_latched(struct agent *a, uint16_t idx, const struct rtd_ep *peer,
			const struct rtd_ep *local);
/* A KEYS message the ring did not take: made again at the next tick. */
void agent_dtls_unsent(struct agent *a, struct relay_hs *m);
void agent_dtls_drop(struct agent *a, uint16_t idx);



#endif
