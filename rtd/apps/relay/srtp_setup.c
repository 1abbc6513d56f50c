// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SRTP half that runs off the RT thread: the suites, fresh keys, the
 * key derivation and the contexts the per-packet calls in srtp.c use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "apps/relay/srtp_state.h"

/* RFC 3711 section 4.3.1's labels. */
enum {
	LABEL_RTP_KEY = 0x00,
	LABEL_RTP_AUTH = 0x01,
	LABEL_RTP_SALT = 0x02,
	LABEL_RTCP_KEY = 0x03,
	LABEL_RTCP_AUTH = 0x04,
	LABEL_RTCP_SALT = 0x05,
};

static bool suite_ok(int suite)
{
	return suite >= 0 && suite < RSRTP_NSUITES;
}

int rsrtp_suite_by_name(const char *name, size_t len)
{
	for (int s = 0; s < RSRTP_NSUITES; s++)
		if (strlen(rsrtp_suites[s].name) == len && !strncasecmp(rsrtp_suites[s].name, name, len))
			return s;
	return -ENOENT;
}

int rsrtp_suite_by_profile(uint16_t profile)
{
	for (int s = 0; s < RSRTP_NSUITES; s++)
		if (rsrtp_suites[s].profile == profile)
			return s;
	return -ENOENT;
}

static int fill_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int rsrtp_key_new(struct rsrtp_key *k, enum rsrtp_suite suite)
{
	const struct rsrtp_suite_info *si;
	int ret;

	if (!suite_ok(suite))
		return -EINVAL;
	si = &rsrtp_suites[suite];
	memset(k, 0, sizeof(*k));
	k->suite = suite;
	ret = fill_random(k->key, si->key_len);
	if (!ret)
		ret = fill_random(k->salt, si->salt_len);
	if (ret)
		OPENSSL_cleanse(k, sizeof(*k));
	return ret;
}

/*
 * The AES-CM PRF of RFC 3711 section 4.3.3: the keystream of the master
 * key from the counter block (master salt, 112 bits, XOR label at its
 * eighth byte, index DIV kdr = 0) || 0x0000.
 */
static int prf(EVP_CIPHER_CTX *aes, const uint8_t salt[RSRTP_SALT_MAX], uint8_t label,
	       uint8_t *out, size_t n)
{
	static const uint8_t zeros[RSRTP_KEY_MAX];
	uint8_t iv[16] = { 0 };
	int outl;

	memcpy(iv, salt, RSRTP_SALT_MAX);
	iv[7] ^= label;
	if (!EVP_EncryptInit_ex(aes, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(aes, out, &outl, zeros, (int)n))
		return -ENOMEM;
	return 0;
}

int rsrtp_derive(const struct rsrtp_key *k, struct rsrtp_session_keys *s)
{
	const struct rsrtp_suite_info *si;
	uint8_t salt[RSRTP_SALT_MAX] = { 0 };
	EVP_CIPHER_CTX *aes;
	int ret = -ENOMEM;

	if (!suite_ok(k->suite))
		return -EINVAL;
	si = &rsrtp_suites[k->suite];
	/* RFC 7714's 96-bit salts are the 112-bit one's first bytes, as in
	 * libsrtp: zeros after them. */
	memcpy(salt, k->salt, si->salt_len);
	memset(s, 0, sizeof(*s));
	aes = EVP_CIPHER_CTX_new();
	if (!aes)
		return -ENOMEM;
	if (!EVP_EncryptInit_ex(aes, si->key_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(),
				NULL, k->key, NULL))
		goto out;
	if (prf(aes, salt, LABEL_RTP_KEY, s->rtp_key, si->key_len) ||
	    prf(aes, salt, LABEL_RTP_SALT, s->rtp_salt, si->salt_len) ||
	    prf(aes, salt, LABEL_RTCP_KEY, s->rtcp_key, si->key_len) ||
	    prf(aes, salt, LABEL_RTCP_SALT, s->rtcp_salt, si->salt_len))
		goto out;
	if (!si->aead && (prf(aes, salt, LABEL_RTP_AUTH, s->rtp_auth, RSRTP_AUTH_KEY_LEN) ||
			  prf(aes, salt, LABEL_RTCP_AUTH, s->rtcp_auth, RSRTP_AUTH_KEY_LEN)))
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(aes);
	OPENSSL_cleanse(salt, sizeof(salt));
	if (ret)
		OPENSSL_cleanse(s, sizeof(*s));
	return ret;
}

static const EVP_CIPHER *cipher_of(const struct rsrtp_suite_info *si)
{
	if (si->aead)
		return si->key_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	return si->key_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
}

static EVP_CIPHER_CTX *cipher_new(const struct rsrtp_suite_info *si, const uint8_t *key,
				  enum rsrtp_dir dir)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	/* CTR is its own inverse; GCM is set up for the direction it serves,
	 * and told again per packet. */
	if (c && !EVP_CipherInit_ex(c, cipher_of(si), NULL, key, NULL,
				    si->aead ? dir == RSRTP_PROTECT : 1)) {
		EVP_CIPHER_CTX_free(c);
		c = NULL;
	}
	return c;
}

/* HMAC's key schedule (RFC 2104): SHA-1 after K XOR ipad and K XOR opad. */
static void hmac_pads(const uint8_t key[RSRTP_AUTH_KEY_LEN], SHA_CTX *inner, SHA_CTX *outer)
{
	uint8_t pad[64];

	memset(pad, 0x36, sizeof(pad));
	for (int i = 0; i < RSRTP_AUTH_KEY_LEN; i++)
		pad[i] ^= key[i];
	SHA1_Init(inner);
	SHA1_Update(inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (int i = 0; i < RSRTP_AUTH_KEY_LEN; i++)
		pad[i] ^= key[i];
	SHA1_Init(outer);
	SHA1_Update(outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
}

static uint64_t limit(uint64_t lifetime, uint64_t max)
{
	return lifetime && lifetime < max ? lifetime : max;
}

int rsrtp_init_keys(struct rsrtp_ctx *c, enum rsrtp_suite suite, enum rsrtp_dir dir,
		    const struct rsrtp_session_keys *s, uint64_t lifetime)
{
	const struct rsrtp_suite_info *si;
	struct rsrtp_state *st;

	memset(c, 0, sizeof(*c));
	if (!suite_ok(suite) || (dir != RSRTP_PROTECT && dir != RSRTP_UNPROTECT) ||
	    lifetime > RSRTP_LIFETIME_MAX)
		return -EINVAL;
	si = &rsrtp_suites[suite];
	st = OPENSSL_zalloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->rtp_cipher = cipher_new(si, s->rtp_key, dir);
	if (!st->rtp_cipher)
		goto err_free;
	st->rtcp_cipher = cipher_new(si, s->rtcp_key, dir);
	if (!st->rtcp_cipher)
		goto err_rtp;
	if (!si->aead) {
		hmac_pads(s->rtp_auth, &st->rtp_inner, &st->rtp_outer);
		hmac_pads(s->rtcp_auth, &st->rtcp_inner, &st->rtcp_outer);
	}
	memcpy(st->rtp_salt, s->rtp_salt, si->salt_len);
	memcpy(st->rtcp_salt, s->rtcp_salt, si->salt_len);
	c->suite = suite;
	c->dir = dir;
	c->st = st;
	c->rtp_limit = limit(lifetime, RSRTP_LIFETIME_MAX);
	c->rtcp_limit = limit(lifetime, RSRTCP_LIFETIME_MAX);
	return 0;

err_rtp:
	EVP_CIPHER_CTX_free(st->rtp_cipher);
err_free:
	OPENSSL_clear_free(st, sizeof(*st));
	return -ENOMEM;
}

int rsrtp_init(struct rsrtp_ctx *c, const struct rsrtp_key *k, enum rsrtp_dir dir)
{
	struct rsrtp_session_keys s;
	int ret;

	memset(c, 0, sizeof(*c));
	if (k->lifetime > RSRTP_LIFETIME_MAX)
		return -EINVAL;
	ret = rsrtp_derive(k, &s);
	if (!ret)
		ret = rsrtp_init_keys(c, k->suite, dir, &s, k->lifetime);
	OPENSSL_cleanse(&s, sizeof(s));
	return ret;
}

void rsrtp_fini(struct rsrtp_ctx *c)
{
	if (c->st) {
		EVP_CIPHER_CTX_free(c->st->rtp_cipher);
		EVP_CIPHER_CTX_free(c->st->rtcp_cipher);
		OPENSSL_clear_free(c->st, sizeof(*c->st));
	}
	/* The slots say which SSRCs spoke and how much: not secret, but a
	 * finished ctx should look like a fresh one. */
	memset(c, 0, sizeof(*c));
}

void rsrtp_save(const struct rsrtp_ctx *c, struct rsrtp_saved *out)
{
	bool taken[RSRTP_SLOTS] = { 0 };

	memset(out, 0, sizeof(*out));
	/* The most recently used first: a restart keeps what still speaks. */
	while (out->n < RSRTP_SAVED) {
		const struct rsrtp_ssrc *best = NULL;
		uint64_t used = 0;
		unsigned bi = 0;

		for (unsigned i = 0; i < RSRTP_SLOTS; i++) {
			const struct rsrtp_ssrc *sl = &c->slot[i];
			uint64_t u = __atomic_load_n(&sl->used, __ATOMIC_RELAXED);

			if (!taken[i] && __atomic_load_n(&sl->live, __ATOMIC_RELAXED) &&
			    (!best || u > used)) {
				best = sl;
				used = u;
				bi = i;
			}
		}
		if (!best)
			break;
		taken[bi] = true;
		out->s[out->n++] = (struct rsrtp_saved_ssrc){
			.ssrc = __atomic_load_n(&best->ssrc, __ATOMIC_RELAXED),
			.rtp = __atomic_load_n(&best->rtp, __ATOMIC_RELAXED),
			.rtcp = __atomic_load_n(&best->rtcp, __ATOMIC_RELAXED),
			.rtp_index = __atomic_load_n(&best->rtp_index, __ATOMIC_RELAXED),
			.rtcp_index = __atomic_load_n(&best->rtcp_index, __ATOMIC_RELAXED),
		};
	}
}

int rsrtp_resume(struct rsrtp_ctx *c, const struct rsrtp_saved *sv)
{
	uint64_t start = RSRTP_RESUME_RTCP_SKIP;

	if (sv->n > RSRTP_SAVED)
		return -EINVAL;
	for (uint32_t i = 0; i < sv->n; i++)
		/* Protect's "next" SRTCP index is RSRTCP_LIFETIME_MAX once spent. */
		if (sv->s[i].rtp_index >= RSRTP_LIFETIME_MAX ||
		    sv->s[i].rtcp_index > RSRTCP_LIFETIME_MAX)
			return -EINVAL;
	for (uint32_t i = 0; i < sv->n; i++) {
		const struct rsrtp_saved_ssrc *v = &sv->s[i];
		struct rsrtp_ssrc *sl = &c->slot[i];
		uint64_t rtcp = v->rtcp_index;

		memset(sl, 0, sizeof(*sl));
		sl->ssrc = v->ssrc;
		sl->live = true;
		/* Oldest last: the LRU order the save had. */
		sl->used = sv->n - i;
		if (v->rtp) {
			sl->rtp = true;
			sl->rtp_index = v->rtp_index;
			/* Protect: a late upstream packet must not be sealed again. */
			sl->rtp_win[0] = c->dir == RSRTP_PROTECT ? ~0ull : 1;
			sl->rtp_win[1] = c->dir == RSRTP_PROTECT ? ~0ull : 0;
		}
		if (v->rtcp) {
			sl->rtcp = true;
			if (c->dir == RSRTP_PROTECT) {
				rtcp += RSRTP_RESUME_RTCP_SKIP;
				/* Spent: protect then says -EKEYEXPIRED, never an old index. */
				if (rtcp > RSRTCP_LIFETIME_MAX)
					rtcp = RSRTCP_LIFETIME_MAX;
				if (rtcp > start)
					start = rtcp;
			} else {
				sl->rtcp_win[0] = 1;
			}
			sl->rtcp_index = (uint32_t)rtcp;
		}
	}
	c->clock = sv->n;
	if (c->dir == RSRTP_PROTECT)
		c->rtcp_start = (uint32_t)start;
	return 0;
}
