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

#include "apps/relay/dtls.h"
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
	uint64_t dtls_done, dtls_failed; /* handshakes */
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
/* Stream idx answers no more checks, and runs no DTLS. */
void agent_clear(struct agent *a, uint16_t idx);

/*
 * DTLS-SRTP rtd terminates on a stream: its role (none yet: records are
 * taken but no handshake runs until the role is known), the peer's
 * fingerprints, where a client sends its first flight when ICE has not
 * said (family 0: wait for ICE), and a label for the log.
 */
struct agent_dtls {
	struct rdtls_identity *id;
	enum rdtls_role role;
	unsigned nfps;
	struct rdtls_fp fps[2];
	struct rtd_ep peer, local;
	char label[96];
};

/*
 * Stream idx terminates DTLS as cfg says.  Called again with the same
 * role and fingerprints it changes nothing (a re-offer keeps its
 * association); otherwise the association starts afresh.
 */
void agent_dtls_set(struct agent *a, uint16_t idx, const struct agent_dtls *cfg);
/* Stream idx runs no DTLS any more. */
void agent_dtls_clear(struct agent *a, uint16_t idx);
/* A stream brought back by a restart with its association's keys: no
 * handshake; its SRTP contexts resume from rx and tx (rsrtp_resume). */
void agent_dtls_restore(struct agent *a, uint16_t idx, const struct agent_dtls *cfg,
			const struct rdtls_keys *keys, const struct rsrtp_saved *rx,
			const struct rsrtp_saved *tx);
/*
 * Stream idx's association for query and the store: "handshaking", "done",
 * "failed: reason", "closed: reason", or "" when it runs none; keys when
 * done (NULL: not wanted).  Returns whether it is done.
 */
bool agent_dtls_info(struct agent *a, uint16_t idx, char *state, size_t len,
		     struct rdtls_keys *keys);
void agent_stats(struct agent *a, struct agent_stats *out);

/*
 * One message of hs_in, answered into out[0..max): a STUN reply, then a
 * LATCH when the check makes the peer the stream's; or a DTLS flight,
 * then KEYS when the handshake is done.  How many of out were filled.
 * The thread's step, exposed so unit tests drive it without a thread.
 */
int agent_handle(struct agent *a, const struct relay_hs *in, struct relay_hs *out, unsigned max);

#endif
