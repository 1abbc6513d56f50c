/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SDES (RFC 4568): the value of an SDP a=crypto attribute read into a tag
 * and an rsrtp key, and written for rtd's own key; and rtpengine's `SDES`
 * flags (docs/ng_control_protocol.md) as a filter on the suites rtd offers
 * and answers with.  Pure: strings in, structs out; off the RT thread.
 *
 * A reason never quotes key material: a bad inline key is named by its
 * position and length, since reasons reach the journal.
 */
#ifndef RELAY_SDES_H
#define RELAY_SDES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apps/relay/srtp.h"

/* RFC 4568 section 9.1: a tag has 1 to 9 digits. */
#define SDES_TAG_MAX 999999999u

/* Room for any value sdes_format writes, NUL included: a 9-digit tag, the
 * longest suite name, 60 characters of key, a 15-digit lifetime (118). */
#define SDES_VALUE_MAX 128

/* In a reason buffer of this size no reason is cut: a long culprit is
 * shortened, "'AES_CM_128...' is a crypto suite rtd does not have". */
#define SDES_ERR_MAX 160

/* rtpengine's `lifetime` flag: rtd's keys say |2^31. */
#define SDES_LIFETIME (1ull << 31)

/* One a=crypto line: key.lifetime is the line's (0 when it gives none). */
struct sdes_crypto {
	uint32_t tag;
	struct rsrtp_key key;
};

/*
 * Parse s[0..len), the value after "a=crypto:":
 *   TAG SUITE inline:BASE64[|LIFETIME][|MKI:LEN] [SESSION-PARAM...]
 * Fields are case-insensitive but the key (RFC 4568 section 4); blanks
 * around the value are allowed.  Returns 0, or writes a one-line reason
 * naming the culprit to err and returns
 *   -EINVAL   not an a=crypto value by RFC 4568's grammar: a tag of more
 *             than 9 digits or with a leading zero, a suite name of other
 *             characters, bad base64 or a key of the wrong length for the
 *             suite, a lifetime of 0, beyond 2^48 or with a leading zero,
 *             a malformed MKI, WSH or FEC_ORDER, a control character
 *   -ENOTSUP  well-formed but not something rtd does, so the offer's next
 *             line should be tried: a suite rtd does not have (F8, NULL,
 *             AES-192/256-CM...), a key method but inline, an MKI, several
 *             keys, KDR (rtd derives once), UNENCRYPTED_SRTP,
 *             UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP (rtd encrypts and
 *             authenticates everything), FEC_KEY, an unknown session
 *             parameter not marked optional by a leading '-'
 * WSH, FEC_ORDER and '-' parameters are read and ignored.
 */
int sdes_parse(const char *s, size_t len, struct sdes_crypto *c, char *err, size_t errlen);

/*
 * "TAG SUITE inline:BASE64[|LIFETIME]" for k into out[0..cap), NUL-
 * terminated: the lifetime as 2^n when a power of two, none when 0;
 * base64's '=' padding kept only when pad (rtpengine's default drops it,
 * RFC 4568 section 6.1 discards it when decoding).  Returns the length
 * written, -ENOSPC (nothing written) or -EINVAL (a tag past SDES_TAG_MAX,
 * no such suite, a lifetime beyond 2^48).
 */
int sdes_format(char *out, size_t cap, uint32_t tag, const struct rsrtp_key *k, bool pad);

/*
 * rtpengine's SDES flags; zeroed, the defaults: offer every suite, with the
 * offerer's first, and answer with the offerer's first rtd has.
 *
 * Acted on here:
 *   off, no, disable    offer no SDES (answers are unaffected)
 *   no-NAME             leave NAME out of offers and answers
 *   only-NAME           offer and answer only the suites so named; it
 *                       takes precedence over no-NAME
 *   nonew               offer onward only what the offerer offered, and
 *                       all of it: it takes precedence over no- and only-
 *   order:A;B;...       these suites first in offers, in this order
 *   offerer_pref:A;B;.. answer with the first of these the offerer offered
 *   pad                 keep base64's '=' in rtd's keys
 *   lifetime            rtd's keys say |2^31 (and rsrtp keeps to it)
 * Recorded for the ng layer, which decides on them:
 *   static              keep the negotiated suite on a re-offer
 *   prefer              SDES over DTLS-SRTP when an offer has both
 * Accepted, nothing to do: encrypted_srtp, encrypted_srtcp,
 * authenticated_srtp (what rtd always does).
 * Accepted and ignored, SDES_IGNORED: unencrypted_srtp,
 * unencrypted_srtcp, unauthenticated_srtp: rtd never lowers protection on
 * a controller's word (and sdes_parse refuses them from a peer); and a
 * suite name rtd does not have, in no-, only-, order: or offerer_pref:
 * (an only- of one still restricts the offer to the only- suites).
 * Session-parameter words may be all lower or all upper case, suite names
 * any case; a word may carry the "SDES-" prefix of rtpengine's flags list.
 */
struct sdes_flags {
	bool off, nonew, pad, lifetime, keep_static, prefer;
	bool only_given;
	uint8_t no, only; /* bit (1 << enum rsrtp_suite) */
	uint8_t norder, npref;
	uint8_t order[RSRTP_NSUITES], pref[RSRTP_NSUITES];
};

#define SDES_IGNORED 1

/*
 * One flag word w[0..len) into f.  Returns 0 (taken), SDES_IGNORED (taken,
 * but some or all of it has no effect: err says what, for a log line) or
 * -EINVAL (not an SDES flag, or a suite list that is not one: err says
 * which).
 */
int sdes_flag(struct sdes_flags *f, const char *w, size_t len, char *err, size_t errlen);

/* Whether no-/only- let suite s through. */
bool sdes_allowed(const struct sdes_flags *f, enum rsrtp_suite s);

/*
 * The suites rtd offers onward, in order, into out; offered[0..n) are the
 * suites of the incoming offer's a=crypto lines that rtd read (none for an
 * offer without SDES).  Returns how many: 0 with `off`.
 */
unsigned sdes_offer(const struct sdes_flags *f, const enum rsrtp_suite *offered, unsigned n,
		    enum rsrtp_suite out[RSRTP_NSUITES]);

/*
 * Which of the offerer's lines[0..n) (those sdes_parse read, in SDP order)
 * rtd answers with: offerer_pref's first, else the first allowed; when
 * no-/only- leave none, the first line, as rtpengine keeps the topmost
 * rather than fail the offerer.  Returns its index or -ENOENT (n == 0).
 */
int sdes_answer(const struct sdes_flags *f, const struct sdes_crypto *lines, unsigned n);

/* A fresh key for rtd's side, with SDES_LIFETIME under `lifetime`; as
 * rsrtp_key_new. */
int sdes_key_new(const struct sdes_flags *f, enum rsrtp_suite suite, struct rsrtp_key *k);

#endif
