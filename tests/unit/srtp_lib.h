/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Debian's libsrtp2 as the reference SRTP endpoint of the unit tests and
 * the fuzz target: the policy for one of rsrtp's suites and keys, either
 * way.  For files that include <srtp2/srtp.h> and apps/relay/srtp.h.
 */
#ifndef TESTS_SRTP_LIB_H
#define TESTS_SRTP_LIB_H

#include <stdbool.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "apps/relay/srtp.h"

static inline void lib_policy(srtp_policy_t *pol, const struct rsrtp_key *k, uint8_t *keybuf,
			      bool inbound)
{
	const struct rsrtp_suite_info *si = &rsrtp_suites[k->suite];

	memset(pol, 0, sizeof(*pol));
	switch (k->suite) {
	case RSRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		break;
	case RSRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		break;
	case RSRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtcp);
		break;
	}
	memcpy(keybuf, k->key, si->key_len);
	memcpy(keybuf + si->key_len, k->salt, si->salt_len);
	pol->key = keybuf;
	pol->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol->window_size = RSRTP_WINDOW;
}

#endif
