/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What srtp_setup.c makes and srtp.c uses: one direction's session keys in
 * the form the per-packet calls want them.  Private to the two files.
 */
#ifndef RELAY_SRTP_STATE_H
#define RELAY_SRTP_STATE_H

/*
 * HMAC-SHA1 without allocating: OpenSSL 3.0's EVP_MAC allocates twice on
 * every re-init and HMAC() thirteen times a call (measured), so the MAC is
 * built from the low-level SHA1_Update/SHA1_Final, deprecated in 3.0 but
 * allocation-free: the inner and outer pad states are hashed once at set-up
 * and copied per packet (109 ns for 172 bytes, 0 mallocs).  The macro must
 * come before any OpenSSL header: srtp.c and srtp_setup.c include OpenSSL
 * through this file only.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "apps/relay/srtp.h"

struct rsrtp_state {
	/* AES-128/256-CTR for AES-CM, AES-128/256-GCM for AEAD; keyed once,
	 * given an IV per packet (EVP_CipherInit_ex with NULL key: 0 mallocs). */
	EVP_CIPHER_CTX *rtp_cipher, *rtcp_cipher;
	/* HMAC-SHA1 after the inner and the outer pad; AES-CM only. */
	SHA_CTX rtp_inner, rtp_outer, rtcp_inner, rtcp_outer;
	uint8_t rtp_salt[RSRTP_SALT_MAX], rtcp_salt[RSRTP_SALT_MAX];
};

#endif
