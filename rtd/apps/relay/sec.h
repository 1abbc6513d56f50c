/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Media security through the relay, as rtpengine negotiates it: each leg
 * gets the protocol the ng message asks for (transport-protocol), and rtd
 * terminates what differs between the legs: SDES keys it generates and
 * reads (RFC 4568), DTLS-SRTP with its own certificate (RFC 5763), plain
 * RTP.  Legs that secure their media the same way pass it through end to
 * end, untouched, as before.  On the ng thread: what the SDPs say, what
 * rtd writes back, and which keys the RT side gets (sec_post.c).
 */
#ifndef RELAY_SEC_H
#define RELAY_SEC_H

#include <stdbool.h>

#include "apps/relay/calls.h"
#include "apps/relay/ng_cmd.h"
#include "apps/relay/sdp.h"

/* What an offer or an answer asks of media security: rtpengine's keys. */
struct sec_req {
	char proto[24];        /* transport-protocol, or a protocol flag word; "": as it was */
	struct sdes_flags sdes;
	bool dtls_given, dtls_rev_given;
	uint8_t dtls, dtls_rev; /* enum rdtls_wish: DTLS, DTLS-reverse */
};

/* The keys of m; 0, or -EINVAL with a one-line reason in err. */
int sec_req_read(const struct ng_msg *m, struct sec_req *q, char *err, size_t errlen);

/* What the rewritten SDP gets per media, and the text it points into. */
struct sec_out {
	struct sdp_sec sec[SDP_MAX_MEDIA];
	char crypto[SDP_MAX_MEDIA][RSRTP_NSUITES][SDES_VALUE_MAX];
};

/*
 * What the speaker's SDP says of each media's security, into its sides:
 * the protocol, the a=crypto lines rtd can use (others are skipped), the
 * fingerprint and the a=setup.  0, or -EINVAL naming the culprit in err.
 */
int sec_take(struct call *call, int speaker, const struct sdp_session *sdp, const char *body,
	     char *err, size_t errlen);

/*
 * An offer (speaker 0) or an answer (speaker 1) after sec_take: how each
 * leg is secured, rtd's keys and setup, and what the listener's SDP
 * carries (rw->sec, into out; fingerprint is rtd's a=fingerprint).  0, or
 * -EINVAL with the reason in err (an answer's a=crypto that matches none
 * rtd offered, an a=setup the offer forbids).
 */
int sec_negotiate(struct call *call, int speaker, unsigned nmedia, const struct sec_req *q,
		  const char *fingerprint, struct sec_out *out, struct sdp_rewrite *rw, char *err,
		  size_t errlen);

/* Whether some leg of the call is one rtd terminates DTLS with. */
bool sec_wants_dtls(const struct call *call);

/*
 * The RT side and the agent learn what sec_negotiate decided: per stream,
 * whether its leg is secured and its DTLS goes to the agent, the SRTP
 * contexts of SDES keys (made here, off the RT thread), and the DTLS
 * handshakes to run (sec_post.c).  id: rtd's DTLS identity (NULL: none);
 * local: each leg's local address, where a DTLS client sends from.
 */
void sec_post(struct calls *c, struct call *call, struct rdtls_identity *id,
	      const struct rtd_ep local[2]);

/*
 * A call brought back by a restart (calls_restore): its SDES contexts made
 * again and resumed from st, the streams' saved state, so that SRTP
 * indices go on where they were; sec_post afterwards leaves them be.
 */
void sec_resume(struct calls *c, struct call *call, const struct call_stream_state *st);

/* Frees the SRTP contexts the RT thread let go of (relay->gc). */
void sec_gc(struct relay *r);

/* "SDES AES_CM_128_HMAC_SHA1_80", "DTLS", "plain" or "end to end", for query. */
const char *sec_mode_name(const struct call_sec *s);

#endif
