// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SRTP half that runs on the RT thread: one packet in place, no
 * allocation, no lock, no system call.  What it calls outside itself is
 * OpenSSL's cipher update calls on contexts keyed at set-up, the low-level
 * SHA-1 on copied pad states, and CRYPTO_memcmp.
 */
#include <errno.h>
#include <string.h>

#include "apps/relay/srtp_state.h"

/* Here, not in srtp_setup.c: the RT path reads it, and its object should
 * need nothing from outside but OpenSSL's calls. */
const struct rsrtp_suite_info rsrtp_suites[RSRTP_NSUITES] = {
#define RSRTP_INFO(n, prof, klen, slen, rtag, ctag, is_aead)                         \
	[RSRTP_##n] = { .name = #n, .profile = prof, .key_len = klen, .salt_len = slen, \
			.rtp_tag_len = rtag, .rtcp_tag_len = ctag, .aead = is_aead },
	RSRTP_SUITES(RSRTP_INFO)
#undef RSRTP_INFO
};

#define RTP_HDR_LEN 12
#define RTCP_HDR_LEN 8 /* up to and with the sender's SSRC */
#define SRTCP_TRAILER_LEN 4 /* E || SRTCP index */
#define SRTCP_E 0x80000000u
#define GCM_TAG_LEN 16
#define GCM_IV_LEN 12
#define SHA1_LEN 20

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* XOR the n-byte big-endian v into p[0..n). */
static void xor_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[n - 1 - i] ^= (uint8_t)(v >> (8 * i));
}

/* RFC 3550 section 5.1 and 5.3.1: the fixed header, the CSRCs, the
 * extension's 4-byte header and its words, all inside p[0..len). */
static int rtp_header_len(const uint8_t *p, size_t len, size_t *hlen)
{
	size_t n;

	if (len < RTP_HDR_LEN || p[0] >> 6 != 2)
		return -EBADMSG;
	n = RTP_HDR_LEN + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (n + 4 > len)
			return -EBADMSG;
		n += 4 + 4u * rd16(p + n + 2);
	}
	if (n > len)
		return -EBADMSG;
	*hlen = n;
	return 0;
}

static bool is_rtcp(const uint8_t *p, size_t len)
{
	return len >= RTCP_HDR_LEN && p[0] >> 6 == 2;
}

/* --- the replay window: bit d of w is the index d below the highest --- */

static bool win_has(const uint64_t w[2], uint64_t d)
{
	return d < 64 ? w[0] >> d & 1 : w[1] >> (d - 64) & 1;
}

static void win_put(uint64_t w[2], uint64_t d)
{
	if (d < 64)
		w[0] |= 1ull << d;
	else
		w[1] |= 1ull << (d - 64);
}

static void win_shift(uint64_t w[2], uint64_t n)
{
	if (n >= 128) {
		w[0] = w[1] = 0;
	} else if (n >= 64) {
		w[1] = w[0] << (n - 64);
		w[0] = 0;
	} else if (n) {
		w[1] = w[1] << n | w[0] >> (64 - n);
		w[0] <<= n;
	}
}

static int win_check(uint64_t hi, const uint64_t w[2], uint64_t idx)
{
	if (idx > hi)
		return 0;
	if (hi - idx >= RSRTP_WINDOW || win_has(w, hi - idx))
		return -EALREADY;
	return 0;
}

static void win_record(uint64_t *hi, uint64_t w[2], uint64_t idx)
{
	if (idx > *hi) {
		win_shift(w, idx - *hi);
		*hi = idx;
		w[0] |= 1;
	} else {
		win_put(w, *hi - idx);
	}
}

/* --- SSRC slots --- */

static struct rsrtp_ssrc *find(struct rsrtp_ctx *c, uint32_t ssrc)
{
	struct rsrtp_ssrc *s = &c->slot[c->last];

	if (s->live && s->ssrc == ssrc)
		return s;
	for (unsigned i = 0; i < RSRTP_SLOTS; i++)
		if (c->slot[i].live && c->slot[i].ssrc == ssrc)
			return &c->slot[i];
	return NULL;
}

/* A free slot, else the least recently used one, cleared for ssrc. */
static struct rsrtp_ssrc *take(struct rsrtp_ctx *c, uint32_t ssrc)
{
	struct rsrtp_ssrc *v = &c->slot[0];

	for (unsigned i = 0; i < RSRTP_SLOTS; i++) {
		if (!c->slot[i].live) {
			v = &c->slot[i];
			break;
		}
		if (c->slot[i].used < v->used)
			v = &c->slot[i];
	}
	memset(v, 0, sizeof(*v));
	v->ssrc = ssrc;
	v->live = true;
	return v;
}

static void touch(struct rsrtp_ctx *c, struct rsrtp_ssrc *s)
{
	s->used = ++c->clock;
	c->last = (unsigned)(s - c->slot);
}

/*
 * The packet index of SEQ against the highest so far (RFC 3711 section
 * 3.3.1, appendix A), as libsrtp guesses it: no ROC below 0, so that an
 * early jump of more than half the space reads as forward.
 */
static uint64_t estimate(uint64_t hi, uint16_t seq)
{
	uint64_t roc = hi >> 16;
	int s_l = (uint16_t)hi;

	if (s_l < 32768) {
		if (seq - s_l > 32768 && roc)
			roc--;
	} else if (s_l - 32768 > seq) {
		roc++;
	}
	return roc << 16 | seq;
}

/* The index a packet gets, or why it gets none; a new SSRC starts at its
 * own SEQ with ROC 0 (RFC 4568 section 6.4). */
static int rtp_index(const struct rsrtp_ssrc *s, uint16_t seq, uint64_t *idx)
{
	if (!s || !s->rtp) {
		*idx = seq;
		return 0;
	}
	*idx = estimate(s->rtp_index, seq);
	if (*idx >= RSRTP_LIFETIME_MAX)
		return -EKEYEXPIRED;
	return win_check(s->rtp_index, s->rtp_win, *idx);
}

static void rtp_commit(struct rsrtp_ctx *c, struct rsrtp_ssrc *s, uint32_t ssrc, uint64_t idx)
{
	if (!s)
		s = take(c, ssrc);
	if (!s->rtp) {
		s->rtp = true;
		s->rtp_index = idx;
		s->rtp_win[0] = 1;
		s->rtp_win[1] = 0;
	} else {
		win_record(&s->rtp_index, s->rtp_win, idx);
	}
	touch(c, s);
	c->rtp_count++;
}

static void rtcp_commit(struct rsrtp_ctx *c, struct rsrtp_ssrc *s, uint32_t ssrc, uint32_t idx)
{
	uint64_t hi;

	if (!s)
		s = take(c, ssrc);
	if (c->dir == RSRTP_PROTECT) {
		s->rtcp_index = idx + 1;
	} else if (!s->rtcp) {
		s->rtcp_index = idx;
		s->rtcp_win[0] = 1;
		s->rtcp_win[1] = 0;
	} else {
		hi = s->rtcp_index;
		win_record(&hi, s->rtcp_win, idx);
		s->rtcp_index = (uint32_t)hi;
	}
	s->rtcp = true;
	touch(c, s);
	c->rtcp_count++;
}

/* --- the transforms --- */

/* RFC 3711 section 4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
static void cm_iv(uint8_t iv[16], const uint8_t salt[RSRTP_SALT_MAX], uint32_t ssrc, uint64_t idx)
{
	memcpy(iv, salt, RSRTP_SALT_MAX);
	iv[14] = iv[15] = 0;
	xor_be(iv + 4, ssrc, 4);
	xor_be(iv + 8, idx, 6);
}

/* RFC 7714 sections 8.1 and 9.1: 0x0000 || SSRC || ROC || SEQ, or
 * 0x0000 || SSRC || 0x0000 || SRTCP index, XOR the 96-bit salt. */
static void gcm_iv(uint8_t iv[GCM_IV_LEN], const uint8_t salt[RSRTP_SALT_MAX], uint32_t ssrc,
		   uint64_t idx)
{
	memcpy(iv, salt, GCM_IV_LEN);
	xor_be(iv + 2, ssrc, 4);
	xor_be(iv + 6, idx, 6);
}

static int ctr(EVP_CIPHER_CTX *x, const uint8_t iv[16], uint8_t *p, size_t n)
{
	int outl;

	if (!n)
		return 0;
	if (!EVP_CipherInit_ex(x, NULL, NULL, NULL, iv, 1) ||
	    !EVP_CipherUpdate(x, p, &outl, p, (int)n))
		return -EIO;
	return 0;
}

/* HMAC-SHA1 of p[0..n) || tail[0..tn), from the pad states. */
static void hmac(const SHA_CTX *inner, const SHA_CTX *outer, const uint8_t *p, size_t n,
		 const uint8_t *tail, size_t tn, uint8_t mac[SHA1_LEN])
{
	SHA_CTX h = *inner;

	SHA1_Update(&h, p, n);
	if (tn)
		SHA1_Update(&h, tail, tn);
	SHA1_Final(mac, &h);
	h = *outer;
	SHA1_Update(&h, mac, SHA1_LEN);
	SHA1_Final(mac, &h);
}

/* GCM over aad (two pieces) and p[0..n) in place, with the tag to or from
 * tag.  Opening restores the ciphertext when the tag is wrong: GCM
 * decrypts before it can tell, and the caller may try another key. */
struct aad {
	const uint8_t *a, *b;
	size_t an, bn;
};

static int gcm(EVP_CIPHER_CTX *x, const uint8_t iv[GCM_IV_LEN], const struct aad *aad,
	       uint8_t *p, size_t n, uint8_t *tag, bool seal)
{
	uint8_t junk[GCM_TAG_LEN];
	int outl;

	if (!EVP_CipherInit_ex(x, NULL, NULL, NULL, iv, seal) ||
	    !EVP_CipherUpdate(x, NULL, &outl, aad->a, (int)aad->an) ||
	    (aad->bn && !EVP_CipherUpdate(x, NULL, &outl, aad->b, (int)aad->bn)) ||
	    (n && !EVP_CipherUpdate(x, p, &outl, p, (int)n)))
		return -EIO;
	if (seal) {
		if (!EVP_CipherFinal_ex(x, junk, &outl) ||
		    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, GCM_TAG_LEN, tag))
			return -EIO;
		return 0;
	}
	if (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, GCM_TAG_LEN, tag) &&
	    EVP_CipherFinal_ex(x, junk, &outl) > 0)
		return 0;
	if (n && (!EVP_CipherInit_ex(x, NULL, NULL, NULL, iv, 1) ||
		  !EVP_CipherUpdate(x, p, &outl, p, (int)n)))
		return -EIO;
	return -EACCES;
}

static int rtp_seal(const struct rsrtp_ctx *c, uint8_t *p, size_t n, size_t hlen, uint64_t idx)
{
	const struct rsrtp_suite_info *si = &rsrtp_suites[c->suite];
	struct rsrtp_state *st = c->st;
	uint8_t iv[16], mac[SHA1_LEN], roc[4];
	int ret;

	if (si->aead) {
		struct aad aad = { .a = p, .an = hlen };

		gcm_iv(iv, st->rtp_salt, rd32(p + 8), idx);
		return gcm(st->rtp_cipher, iv, &aad, p + hlen, n - hlen, p + n, true);
	}
	cm_iv(iv, st->rtp_salt, rd32(p + 8), idx);
	ret = ctr(st->rtp_cipher, iv, p + hlen, n - hlen);
	if (ret)
		return ret;
	wr32(roc, (uint32_t)(idx >> 16));
	hmac(&st->rtp_inner, &st->rtp_outer, p, n, roc, sizeof(roc), mac);
	memcpy(p + n, mac, si->rtp_tag_len);
	return 0;
}

/* p[0..n) is the packet without its tag, which follows it. */
static int rtp_open(const struct rsrtp_ctx *c, uint8_t *p, size_t n, size_t hlen, uint64_t idx)
{
	const struct rsrtp_suite_info *si = &rsrtp_suites[c->suite];
	struct rsrtp_state *st = c->st;
	uint8_t iv[16], mac[SHA1_LEN], roc[4];

	if (si->aead) {
		struct aad aad = { .a = p, .an = hlen };

		gcm_iv(iv, st->rtp_salt, rd32(p + 8), idx);
		return gcm(st->rtp_cipher, iv, &aad, p + hlen, n - hlen, p + n, false);
	}
	wr32(roc, (uint32_t)(idx >> 16));
	hmac(&st->rtp_inner, &st->rtp_outer, p, n, roc, sizeof(roc), mac);
	if (CRYPTO_memcmp(mac, p + n, si->rtp_tag_len))
		return -EACCES;
	cm_iv(iv, st->rtp_salt, rd32(p + 8), idx);
	return ctr(st->rtp_cipher, iv, p + hlen, n - hlen);
}

int rsrtp_protect(struct rsrtp_ctx *c, uint8_t *p, size_t *len, size_t cap)
{
	size_t n = *len, hlen, tag;
	struct rsrtp_ssrc *s;
	uint64_t idx;
	int ret;

	if (!c->st || c->dir != RSRTP_PROTECT)
		return -EINVAL;
	if (n > RSRTP_LEN_MAX || rtp_header_len(p, n, &hlen))
		return -EBADMSG;
	tag = rsrtp_suites[c->suite].rtp_tag_len;
	if (cap < n + tag)
		return -ENOSPC;
	if (c->rtp_count >= c->rtp_limit)
		return -EKEYEXPIRED;
	s = find(c, rd32(p + 8));
	ret = rtp_index(s, rd16(p + 2), &idx);
	if (!ret)
		ret = rtp_seal(c, p, n, hlen, idx);
	if (ret)
		return ret;
	rtp_commit(c, s, rd32(p + 8), idx);
	*len = n + tag;
	return 0;
}

int rsrtp_unprotect(struct rsrtp_ctx *c, uint8_t *p, size_t *len)
{
	size_t n = *len, hlen, tag;
	struct rsrtp_ssrc *s;
	uint64_t idx;
	int ret;

	if (!c->st || c->dir != RSRTP_UNPROTECT)
		return -EINVAL;
	tag = rsrtp_suites[c->suite].rtp_tag_len;
	if (n > RSRTP_LEN_MAX || n < tag || rtp_header_len(p, n - tag, &hlen))
		return -EBADMSG;
	if (c->rtp_count >= c->rtp_limit)
		return -EKEYEXPIRED;
	s = find(c, rd32(p + 8));
	ret = rtp_index(s, rd16(p + 2), &idx);
	if (!ret)
		ret = rtp_open(c, p, n - tag, hlen, idx);
	if (ret)
		return ret;
	rtp_commit(c, s, rd32(p + 8), idx);
	*len = n - tag;
	return 0;
}

/* SRTCP (RFC 3711 section 3.4, RFC 7714 section 9): the header and SSRC in
 * clear, the rest encrypted; AES-CM appends E || index then the tag, GCM
 * the tag then E || index, which it authenticates with the header. */
static int rtcp_seal(const struct rsrtp_ctx *c, uint8_t *p, size_t n, uint32_t idx)
{
	const struct rsrtp_suite_info *si = &rsrtp_suites[c->suite];
	struct rsrtp_state *st = c->st;
	uint8_t iv[16], mac[SHA1_LEN];
	int ret;

	if (si->aead) {
		uint8_t trailer[SRTCP_TRAILER_LEN];
		struct aad aad = { .a = p, .an = RTCP_HDR_LEN, .b = trailer, .bn = sizeof(trailer) };

		wr32(trailer, SRTCP_E | idx);
		gcm_iv(iv, st->rtcp_salt, rd32(p + 4), idx);
		ret = gcm(st->rtcp_cipher, iv, &aad, p + RTCP_HDR_LEN, n - RTCP_HDR_LEN, p + n, true);
		if (!ret)
			memcpy(p + n + GCM_TAG_LEN, trailer, sizeof(trailer));
		return ret;
	}
	cm_iv(iv, st->rtcp_salt, rd32(p + 4), idx);
	ret = ctr(st->rtcp_cipher, iv, p + RTCP_HDR_LEN, n - RTCP_HDR_LEN);
	if (ret)
		return ret;
	wr32(p + n, SRTCP_E | idx);
	hmac(&st->rtcp_inner, &st->rtcp_outer, p, n + SRTCP_TRAILER_LEN, NULL, 0, mac);
	memcpy(p + n + SRTCP_TRAILER_LEN, mac, si->rtcp_tag_len);
	return 0;
}

/* p[0..n) is the packet without the tag and trailer, which follow it. */
static int rtcp_open(const struct rsrtp_ctx *c, uint8_t *p, size_t n, uint32_t idx)
{
	const struct rsrtp_suite_info *si = &rsrtp_suites[c->suite];
	struct rsrtp_state *st = c->st;
	uint8_t iv[16], mac[SHA1_LEN];

	if (si->aead) {
		struct aad aad = { .a = p, .an = RTCP_HDR_LEN, .b = p + n + GCM_TAG_LEN,
				   .bn = SRTCP_TRAILER_LEN };

		gcm_iv(iv, st->rtcp_salt, rd32(p + 4), idx);
		return gcm(st->rtcp_cipher, iv, &aad, p + RTCP_HDR_LEN, n - RTCP_HDR_LEN, p + n,
			   false);
	}
	hmac(&st->rtcp_inner, &st->rtcp_outer, p, n + SRTCP_TRAILER_LEN, NULL, 0, mac);
	if (CRYPTO_memcmp(mac, p + n + SRTCP_TRAILER_LEN, si->rtcp_tag_len))
		return -EACCES;
	cm_iv(iv, st->rtcp_salt, rd32(p + 4), idx);
	return ctr(st->rtcp_cipher, iv, p + RTCP_HDR_LEN, n - RTCP_HDR_LEN);
}

int rsrtp_protect_rtcp(struct rsrtp_ctx *c, uint8_t *p, size_t *len, size_t cap)
{
	size_t n = *len, grow;
	struct rsrtp_ssrc *s;
	uint32_t idx;
	int ret;

	if (!c->st || c->dir != RSRTP_PROTECT)
		return -EINVAL;
	if (n > RSRTP_LEN_MAX || !is_rtcp(p, n))
		return -EBADMSG;
	grow = SRTCP_TRAILER_LEN + rsrtp_suites[c->suite].rtcp_tag_len;
	if (cap < n + grow)
		return -ENOSPC;
	s = find(c, rd32(p + 4));
	idx = s && s->rtcp ? s->rtcp_index : c->rtcp_start;
	if (c->rtcp_count >= c->rtcp_limit || idx >= RSRTCP_LIFETIME_MAX)
		return -EKEYEXPIRED;
	ret = rtcp_seal(c, p, n, idx);
	if (ret)
		return ret;
	rtcp_commit(c, s, rd32(p + 4), idx);
	*len = n + grow;
	return 0;
}

int rsrtp_unprotect_rtcp(struct rsrtp_ctx *c, uint8_t *p, size_t *len)
{
	const struct rsrtp_suite_info *si;
	size_t n = *len, shrink;
	struct rsrtp_ssrc *s;
	uint32_t trailer;
	int ret;

	if (!c->st || c->dir != RSRTP_UNPROTECT)
		return -EINVAL;
	si = &rsrtp_suites[c->suite];
	shrink = SRTCP_TRAILER_LEN + si->rtcp_tag_len;
	if (n > RSRTP_LEN_MAX || n < shrink || !is_rtcp(p, n - shrink))
		return -EBADMSG;
	/* AES-CM: E || index before the tag; GCM: after it. */
	trailer = rd32(p + n - (si->aead ? SRTCP_TRAILER_LEN : shrink));
	if (!(trailer & SRTCP_E))
		return -EBADMSG;
	trailer &= ~SRTCP_E;
	if (c->rtcp_count >= c->rtcp_limit)
		return -EKEYEXPIRED;
	s = find(c, rd32(p + 4));
	if (s && s->rtcp && win_check(s->rtcp_index, s->rtcp_win, trailer))
		return -EALREADY;
	ret = rtcp_open(c, p, n - shrink, trailer);
	if (ret)
		return ret;
	rtcp_commit(c, s, rd32(p + 4), trailer);
	*len = n - shrink;
	return 0;
}
