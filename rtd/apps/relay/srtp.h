/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SRTP and SRTCP (RFC 3711) for the relay: AES-CM with HMAC-SHA1 and
 * AES-GCM (RFC 7714), on OpenSSL's primitives, as rtpengine does.
 *
 * Why not libsrtp2: Debian's 2.5.0 is built on NSS and allocates on every
 * packet (28 mallocs and 3.4 us per protect and unprotect for
 * AES_CM_128_HMAC_SHA1_80, 10 and 1.2 us for AES-GCM, measured), and the
 * RT thread must not allocate once it runs.  The unit tests hold rsrtp
 * against libsrtp2 both ways; rtd itself does not link it.
 *
 * Two halves, in two files:
 *   srtp_setup.c  off the RT thread, may allocate: suites, keys, the key
 *                 derivation, rsrtp_init and rsrtp_fini
 *   srtp.c        the RT thread's: rsrtp_protect, rsrtp_unprotect and
 *                 their RTCP twins, in place on one packet, with no
 *                 allocation, no lock and no system call
 * A ctx belongs to one thread at a time.
 */
#ifndef RELAY_SRTP_H
#define RELAY_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The suites, one line each: SDES name (RFC 4568, RFC 7714 section 14.2),
 * DTLS-SRTP profile (RFC 5764 section 4.1.2, RFC 7714 section 14.2),
 * master key and salt lengths, SRTP and SRTCP tag lengths, AEAD or not.
 * SRTCP keeps its 80-bit tag under _32 (RFC 4568 section 6.2.2).
 */
#define RSRTP_SUITES(X)                                             \
	X(AES_CM_128_HMAC_SHA1_80, 0x0001, 16, 14, 10, 10, false) \
	X(AES_CM_128_HMAC_SHA1_32, 0x0002, 16, 14, 4, 10, false)  \
	X(AEAD_AES_128_GCM, 0x0007, 16, 12, 16, 16, true)        \
	X(AEAD_AES_256_GCM, 0x0008, 32, 12, 16, 16, true)

enum rsrtp_suite {
#define RSRTP_ENUM(name, ...) RSRTP_##name,
	RSRTP_SUITES(RSRTP_ENUM)
#undef RSRTP_ENUM
	RSRTP_NSUITES
};

struct rsrtp_suite_info {
	const char *name;
	uint16_t profile;
	uint8_t key_len, salt_len;
	uint8_t rtp_tag_len, rtcp_tag_len;
	bool aead;
};

extern const struct rsrtp_suite_info rsrtp_suites[RSRTP_NSUITES];

/* The suite of an SDES name, case-insensitively as RFC 4568 section 4
 * reads them, or -ENOENT. */
int rsrtp_suite_by_name(const char *name, size_t len);

/* The suite of a DTLS-SRTP profile id, or -ENOENT. */
int rsrtp_suite_by_profile(uint16_t profile);

#define RSRTP_KEY_MAX 32
#define RSRTP_SALT_MAX 14
#define RSRTP_AUTH_KEY_LEN 20 /* HMAC-SHA1's n_a, RFC 3711 section 8.2 */

/* RFC 3711 section 9.2: a master key serves 2^48 SRTP and 2^31 SRTCP
 * packets at most; the SRTCP index has 31 bits. */
#define RSRTP_LIFETIME_MAX (1ull << 48)
#define RSRTCP_LIFETIME_MAX (1ull << 31)

/* What one packet grows by at most: a tag; for SRTCP, E and the index too. */
#define RSRTP_OVERHEAD_MAX 16
#define RSRTCP_OVERHEAD_MAX 20

/* The longest packet taken: no UDP datagram is longer, and every length
 * stays far from int's range, which OpenSSL's calls take. */
#define RSRTP_LEN_MAX 65535

/*
 * A master key and salt (key_len and salt_len bytes of the suite's) and its
 * lifetime: the number of SRTP packets and of SRTCP packets each must stay
 * below (RFC 4568 section 6.1); 0 means the suite's own limits.
 */
struct rsrtp_key {
	enum rsrtp_suite suite;
	uint8_t key[RSRTP_KEY_MAX];
	uint8_t salt[RSRTP_SALT_MAX];
	uint64_t lifetime;
};

/* A fresh key of suite from getrandom(), without a lifetime.  Returns 0,
 * -EINVAL (no such suite) or getrandom()'s negative errno. */
int rsrtp_key_new(struct rsrtp_key *k, enum rsrtp_suite suite);

/*
 * The session keys of RFC 3711 section 4.3 with a key derivation rate of 0
 * (derived once; RFC 7714 section 11 uses the same AES-CM PRF, with the
 * 96-bit salt padded with zeros to 112 bits).  The auth keys are AES-CM's
 * only, a salt is salt_len bytes.  Exposed for known-answer tests.
 */
struct rsrtp_session_keys {
	uint8_t rtp_key[RSRTP_KEY_MAX], rtp_auth[RSRTP_AUTH_KEY_LEN], rtp_salt[RSRTP_SALT_MAX];
	uint8_t rtcp_key[RSRTP_KEY_MAX], rtcp_auth[RSRTP_AUTH_KEY_LEN], rtcp_salt[RSRTP_SALT_MAX];
};

/* Returns 0, -EINVAL (no such suite) or -ENOMEM (OpenSSL failed). */
int rsrtp_derive(const struct rsrtp_key *k, struct rsrtp_session_keys *s);

enum rsrtp_dir {
	RSRTP_PROTECT,   /* what rtd sends: rsrtp_protect, rsrtp_protect_rtcp */
	RSRTP_UNPROTECT, /* what rtd receives: rsrtp_unprotect, rsrtp_unprotect_rtcp */
};

/*
 * Per-SSRC state lives in a fixed array inside the ctx, so that a new SSRC
 * on the RT thread takes a slot without allocating.  16: a BUNDLE'd WebRTC
 * call with simulcast sends about 8 SSRCs one way (audio, 3 layers, their
 * RTX, a receiver's RTCP), a phone one or two; rtpengine keeps 20 per hash.
 *
 * When all are taken, a new SSRC takes the least recently used slot, as
 * rtpengine drops its oldest entry: a long call changes SSRC at every hold,
 * transfer or music-on-hold source, and refusing the 17th would silence it
 * for good, while the SSRCs a full table forgets are almost always dead.
 * What forgetting costs, if a forgotten SSRC comes back: it starts afresh
 * (ROC 0, empty window), so on unprotect its old packets could be replayed
 * once and, past its first wrap, its packets no longer authenticate; on
 * protect its indices could repeat a keystream.  Only a packet that
 * authenticated takes a slot on unprotect: without the key, nobody evicts.
 */
#define RSRTP_SLOTS 16

/* The replay window, in packets: RFC 3711 asks for 64 at least; libsrtp's
 * default is 128, and video bursts reorder more than audio does. */
#define RSRTP_WINDOW 128

struct rsrtp_ssrc {
	uint32_t ssrc;
	bool live;             /* the slot holds an SSRC */
	bool rtp, rtcp;        /* which of the two has state */
	uint64_t rtp_index;    /* the highest index: ROC << 16 | SEQ */
	uint64_t rtp_win[2];   /* bit d: index rtp_index - d was seen */
	uint32_t rtcp_index;   /* protect: the next to send; unprotect: the highest */
	uint64_t rtcp_win[2];
	uint64_t used;         /* the ctx's clock when last used: LRU */
};

struct rsrtp_state; /* srtp_state.h: cipher contexts and HMAC states */

/* One direction of one leg: fixed size, embeddable; its fields are rsrtp's. */
struct rsrtp_ctx {
	enum rsrtp_suite suite;
	enum rsrtp_dir dir;
	struct rsrtp_state *st;     /* NULL before rsrtp_init and after rsrtp_fini */
	uint64_t rtp_limit;         /* packets each may pass: the key's lifetime */
	uint64_t rtcp_limit;
	uint64_t rtp_count, rtcp_count;
	uint64_t clock;
	uint32_t rtcp_start;        /* protect: a new SSRC's first SRTCP index (rsrtp_resume) */
	unsigned last;              /* the slot used last, looked at first */
	struct rsrtp_ssrc slot[RSRTP_SLOTS];
};

/*
 * Set c up for one direction with k's session keys: off the RT thread (it
 * allocates OpenSSL's cipher contexts).  Returns 0, -EINVAL (no such suite
 * or direction, or a lifetime beyond the suite's) or -ENOMEM.  c needs
 * rsrtp_fini afterwards only after 0; c must not be set up already.
 */
int rsrtp_init(struct rsrtp_ctx *c, const struct rsrtp_key *k, enum rsrtp_dir dir);

/* The same from given session keys (known-answer tests); lifetime as in
 * struct rsrtp_key. */
int rsrtp_init_keys(struct rsrtp_ctx *c, enum rsrtp_suite suite, enum rsrtp_dir dir,
		    const struct rsrtp_session_keys *s, uint64_t lifetime);

/* Free and wipe what rsrtp_init made; c can be set up again.  Idempotent. */
void rsrtp_fini(struct rsrtp_ctx *c);

/*
 * What a restart needs of a ctx to go on with the same key: per SSRC its
 * highest index, whose ROC a receiver cannot guess once SEQ has wrapped,
 * and for protect the next SRTCP index, which must never be used twice
 * with one key.  The RSRTP_SAVED most recently used SSRCs are kept.
 */
#define RSRTP_SAVED 4
/* Protect skips this many SRTCP indices on resume: more than can be sent
 * between two saves (the store writes when 4096 have gone, within 100 ms),
 * so an index sent before a crash is never sent again. */
#define RSRTP_RESUME_RTCP_SKIP (1u << 20)

struct rsrtp_saved {
	uint32_t n;
	struct rsrtp_saved_ssrc {
		uint32_t ssrc;
		uint8_t rtp, rtcp;
		uint64_t rtp_index;
		uint32_t rtcp_index;
	} s[RSRTP_SAVED];
};

/*
 * Off the RT thread, while it may be using c: a copy good enough to resume
 * from (each index is read whole; one a packet older than the newest is
 * what a save a moment earlier would have read).
 */
void rsrtp_save(const struct rsrtp_ctx *c, struct rsrtp_saved *out);

/*
 * Before c reaches the RT thread, right after rsrtp_init: go on from sv.
 * Unprotect's replay window starts with the saved highest index only, so
 * a packet sent between the save and the restart could pass once more;
 * protect counts the 128 indices up to the saved one as spent.  Protect's
 * SRTCP indices go on RSRTP_RESUME_RTCP_SKIP later, and an SSRC the save
 * does not hold starts that far past the highest saved one.  Returns 0,
 * or -EINVAL when sv is not a saved state (more SSRCs than kept, an index
 * out of range): then c must not be used, or indices would repeat.
 */
int rsrtp_resume(struct rsrtp_ctx *c, const struct rsrtp_saved *sv);

/*
 * The RT thread's calls, on the packet p[0..*len) in a buffer of cap bytes:
 * *len is the new length after 0 and unchanged otherwise, and on an error
 * but -EIO the bytes are as they were.  They return 0 or:
 *   -EBADMSG      not a packet of this ctx: shorter than its header and
 *                 tag, not version 2, longer than RSRTP_LEN_MAX, an RTP
 *                 header (CSRCs, extension) past its end; SRTCP with E
 *                 clear (rtd negotiates encrypted SRTCP only)
 *   -EACCES       unprotect: the tag does not authenticate it
 *   -EALREADY     replay: an index already accepted, or older than the
 *                 window; on protect, an index already spent (a duplicate
 *                 or a packet reordered past the window), which would
 *                 repeat a keystream
 *   -ENOSPC       protect: cap has no room for the tag (and the SRTCP index)
 *   -EKEYEXPIRED  the key's lifetime or the index space is spent: re-key
 *   -EINVAL       c is not set up for this direction
 *   -EIO          an OpenSSL call failed, which with contexts keyed at
 *                 set-up it does not (never seen); the bytes may differ
 * RTP and RTCP are told apart by the caller (RFC 5761 section 4).
 */
int rsrtp_protect(struct rsrtp_ctx *c, uint8_t *p, size_t *len, size_t cap);
int rsrtp_unprotect(struct rsrtp_ctx *c, uint8_t *p, size_t *len);
int rsrtp_protect_rtcp(struct rsrtp_ctx *c, uint8_t *p, size_t *len, size_t cap);
int rsrtp_unprotect_rtcp(struct rsrtp_ctx *c, uint8_t *p, size_t *len);

#endif
