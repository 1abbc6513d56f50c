/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * STUN (RFC 8489, the RFC 5389 message format) as far as an ICE-lite agent
 * needs it: a parser that bounds every attribute, verifies FINGERPRINT and
 * records what ICE reads; MESSAGE-INTEGRITY (HMAC-SHA1, short-term
 * credentials) checked against a key; Binding responses and requests built
 * into a caller's buffer.  A parsed message points into the caller's bytes;
 * nothing is allocated here, but OpenSSL 3.0's HMAC() fetches SHA-1 and
 * allocates its context on every call (13 mallocs, measured): integrity
 * checks and signed builds are not for a thread that must not allocate.
 */
#ifndef RELAY_STUN_H
#define RELAY_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtd/app.h>

#define STUN_HDR_LEN 20
#define STUN_COOKIE 0x2112a442u
#define STUN_TXID_LEN 12
#define STUN_BINDING 0x001

enum stun_class {
	STUN_REQUEST = 0,
	STUN_INDICATION = 1,
	STUN_SUCCESS = 2,
	STUN_ERROR = 3,
};

/* Attribute types: RFC 8489 section 18.3, RFC 8445 section 16.1. */
enum stun_attr {
	STUN_MAPPED_ADDRESS = 0x0001,
	STUN_USERNAME = 0x0006,
	STUN_MESSAGE_INTEGRITY = 0x0008,
	STUN_ERROR_CODE = 0x0009,
	STUN_UNKNOWN_ATTRIBUTES = 0x000a,
	STUN_MESSAGE_INTEGRITY_SHA256 = 0x001c,
	STUN_XOR_MAPPED_ADDRESS = 0x0020,
	STUN_PRIORITY = 0x0024,
	STUN_USE_CANDIDATE = 0x0025,
	STUN_SOFTWARE = 0x8022,
	STUN_FINGERPRINT = 0x8028,
	STUN_ICE_CONTROLLED = 0x8029,
	STUN_ICE_CONTROLLING = 0x802a,
};

/* RFC 8489 bounds: USERNAME under 513 bytes (RFC 5389's), a reason phrase
 * of at most 763. */
#define STUN_USERNAME_MAX 512
#define STUN_REASON_MAX 763

/* Unknown comprehension-required types listed for a 420; a request with
 * more still gets its 420, naming the first eight. */
#define STUN_MAX_UNKNOWN 8

struct stun_msg {
	uint16_t method; /* 12 bits: STUN_BINDING */
	uint8_t cls;     /* enum stun_class */
	uint8_t txid[STUN_TXID_LEN];
	uint32_t len;    /* the whole message, header included */

	/*
	 * What the message carries.  The first of duplicates counts; what
	 * follows MESSAGE-INTEGRITY is ignored but MESSAGE-INTEGRITY-SHA256
	 * and FINGERPRINT, and what follows MESSAGE-INTEGRITY-SHA256 but
	 * FINGERPRINT (RFC 8489 sections 14.5 and 14.6).
	 */
	bool has_username, has_priority, use_candidate, controlling, controlled;
	bool has_integrity, has_integrity_sha256, has_fingerprint, has_mapped, has_error;

	const uint8_t *username; /* not NUL-terminated */
	uint16_t username_len;
	uint32_t priority;
	uint64_t tie_breaker;    /* of ICE-CONTROLLING or ICE-CONTROLLED, the first */
	uint32_t integrity_at;   /* offset of MESSAGE-INTEGRITY's attribute header */
	uint32_t fingerprint_at; /* offset of FINGERPRINT's, verified */
	struct rtd_ep mapped;    /* XOR-MAPPED-ADDRESS */
	uint16_t error_code;     /* ERROR-CODE: 300-699 */
	const uint8_t *reason;
	uint16_t reason_len;
	/* An error response's UNKNOWN-ATTRIBUTES: n big-endian 16-bit types. */
	const uint8_t *unknown_attrs;
	uint16_t nunknown_attrs;

	/* Comprehension-required types (< 0x8000) this parser does not know. */
	uint16_t unknown[STUN_MAX_UNKNOWN];
	uint8_t nunknown;
};

/*
 * RFC 7983 demultiplexing: a first byte of 0-3 (so methods below 0x100:
 * above, the byte is ZRTP's or DTLS's), the magic cookie, and a message
 * length that is a multiple of 4 and fits in len.  stun_parse wants this.
 */
bool stun_is(const uint8_t *p, size_t len);

/*
 * Parse the message in exactly p[0..len).  Returns 0, -EBADMSG (not STUN,
 * a length that is not len's, an attribute past the end or of the wrong
 * size for its type, anything after FINGERPRINT) or -EILSEQ (a FINGERPRINT
 * that does not match).  m is meaningful only after 0.
 */
int stun_parse(const uint8_t *p, size_t len, struct stun_msg *m);

/*
 * MESSAGE-INTEGRITY of the message m was parsed from, checked against key
 * (for ICE, the password of the agent the request was sent to).  Returns 0
 * or -EACCES (absent, wrong, or a message longer than any frame rtd takes).
 */
int stun_check_integrity(const uint8_t *p, size_t len, const struct stun_msg *m, const void *key,
			 size_t keylen);

/*
 * Builders of Binding messages into out[0..cap), which return the length
 * written, -ENOSPC if it does not fit (nothing is written past cap) or
 * -EINVAL for arguments no message can carry.  Each ends with
 * MESSAGE-INTEGRITY keyed with key (none when key is NULL) and FINGERPRINT.
 */

/* A success response carrying XOR-MAPPED-ADDRESS of mapped. */
int stun_build_success(uint8_t *out, size_t cap, const uint8_t txid[STUN_TXID_LEN],
		       const struct rtd_ep *mapped, const void *key, size_t keylen);

/* An error response: ERROR-CODE code (300-699) and reason, then
 * UNKNOWN-ATTRIBUTES when nunknown is not 0 (for a 420). */
int stun_build_error(uint8_t *out, size_t cap, const uint8_t txid[STUN_TXID_LEN], uint16_t code,
		     const char *reason, const uint16_t *unknown, unsigned nunknown,
		     const void *key, size_t keylen);

/* What an ICE connectivity check carries (RFC 8445 section 7.2.2). */
struct stun_request {
	const char *username; /* NULL: no USERNAME */
	uint32_t priority;
	bool controlling;     /* ICE-CONTROLLING, else ICE-CONTROLLED */
	uint64_t tie_breaker;
	bool use_candidate;
	const void *key;      /* NULL: no MESSAGE-INTEGRITY */
	size_t keylen;
};

/* A request: USERNAME, PRIORITY, the role, USE-CANDIDATE when asked. */
int stun_build_request(uint8_t *out, size_t cap, const uint8_t txid[STUN_TXID_LEN],
		       const struct stun_request *r);

#endif
