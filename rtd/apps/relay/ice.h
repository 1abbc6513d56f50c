/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ICE-lite, the responder's half (RFC 8445 sections 2.5 and 7.3): a lite
 * agent is always controlled and never sends checks; it answers the peer's
 * Binding requests and learns from them which pair the peer nominated.
 * Pure: bytes in, a reply and a verdict out.
 */
#ifndef RELAY_ICE_H
#define RELAY_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtd/app.h>

/* RFC 8445 section 5.3 allows 4-256 and 22-256; rtd keeps both to 32. */
#define ICE_UFRAG_MIN 4
#define ICE_UFRAG_MAX 32
#define ICE_PWD_MIN 22
#define ICE_PWD_MAX 32

/* One side's short-term credentials, NUL-terminated ice-chars. */
struct ice_creds {
	char ufrag[ICE_UFRAG_MAX + 1];
	char pwd[ICE_PWD_MAX + 1];
};

enum ice_kind {
	ICE_IGNORED, /* no reply: not a Binding request, or not STUN */
	ICE_REFUSED, /* an error response */
	ICE_VALID,   /* a success response: the check from `from` is valid */
};

struct ice_verdict {
	enum ice_kind kind;
	uint16_t error;    /* ICE_REFUSED: the code sent (400, 401, 420, 487) */
	bool nominated;    /* ICE_VALID: USE-CANDIDATE, the peer's choice */
	uint32_t priority; /* ICE_VALID: PRIORITY (0 if absent) */
};

/*
 * Fresh local credentials from getrandom(): an 8-character ufrag (48 bits)
 * and a 24-character pwd (144 bits; RFC 8445 wants at least 24 and 128).
 * Returns 0 or getrandom()'s negative errno.
 */
int ice_creds_new(struct ice_creds *c);

/* 0 if both fields are ice-chars of allowed lengths, else -EINVAL. */
int ice_creds_check(const struct ice_creds *c);

/*
 * Answer the datagram req[0..len) that arrived from `from`, into
 * out[0..cap), as the lite agent holding local; remote_ufrag is the peer's
 * ufrag, or NULL while it is not known (then anything but nothing after
 * the colon will do).  In order:
 *   not STUN, malformed, a bad FINGERPRINT,
 *   not a Binding request                  no reply
 *   no USERNAME or no MESSAGE-INTEGRITY    400, unsigned (MESSAGE-INTEGRITY-
 *                                          SHA256 alone too: RFC 8445
 *                                          checks carry the SHA-1 one)
 *   USERNAME not "ours:theirs",
 *   MESSAGE-INTEGRITY not keyed with pwd   401, unsigned
 *   unknown comprehension-required attrs   420 listing them, signed
 *   ICE-CONTROLLED (we are controlled too) 487, signed: lite never switches
 *   otherwise                              success: XOR-MAPPED-ADDRESS from,
 *                                          signed with pwd, ICE_VALID
 * Every reply ends with FINGERPRINT.  Returns the reply's length (0: none),
 * -EINVAL (local not valid, `from` of no family) or -ENOSPC (cap too
 * small); v says what the request was even then.
 */
int ice_answer(const struct ice_creds *local, const char *remote_ufrag, const uint8_t *req,
	       size_t len, const struct rtd_ep *from, uint8_t *out, size_t cap,
	       struct ice_verdict *v);

#endif
