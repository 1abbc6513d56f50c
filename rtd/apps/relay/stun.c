// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "apps/relay/stun.h"
#include "lib/obuf.h"

#define ATTR_HDR_LEN 4
#define INTEGRITY_LEN 20
#define FINGERPRINT_LEN 4
#define FINGERPRINT_XOR 0x5354554eu

/*
 * stun_check_integrity copies the bytes MESSAGE-INTEGRITY covers to patch
 * the header's length (HMAC() takes one span).  The data path's largest
 * datagram is XSKQ_FRAME_MAX_LEN (3840): a longer message cannot have come
 * through it, and is refused rather than copied to the heap.
 */
#define INTEGRITY_SPAN_MAX 4096

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int hmac_sha1(const void *key, size_t keylen, const uint8_t *d, size_t n,
		     uint8_t mac[INTEGRITY_LEN])
{
	unsigned int maclen = 0;

	if (keylen > INT_MAX)
		return -EINVAL;
	/* HMAC() fails only when OpenSSL cannot allocate its context. */
	if (!HMAC(EVP_sha1(), key, (int)keylen, d, n, mac, &maclen) || maclen != INTEGRITY_LEN)
		return -ENOMEM;
	return 0;
}

static uint32_t fingerprint(const uint8_t *p, size_t upto)
{
	return (uint32_t)crc32(0, p, (uInt)upto) ^ FINGERPRINT_XOR;
}

bool stun_is(const uint8_t *p, size_t len)
{
	size_t mlen;

	if (len < STUN_HDR_LEN || p[0] > 3 || rd32(p + 4) != STUN_COOKIE)
		return false;
	mlen = rd16(p + 2);
	return !(mlen & 3) && STUN_HDR_LEN + mlen <= len;
}

/* XOR-MAPPED-ADDRESS (RFC 8489 section 14.2): the port under the cookie's
 * top half, an IPv4 address under the cookie, IPv6 under cookie and txid. */
static int parse_xor_addr(const uint8_t *v, size_t n, const uint8_t *hdr, struct rtd_ep *ep)
{
	if (n != 8 && n != 20)
		return -EBADMSG;
	memset(ep, 0, sizeof(*ep));
	ep->port = rd16(v + 2) ^ (uint16_t)(STUN_COOKIE >> 16);
	if (n == 8 && v[1] == 0x01) {
		ep->family = AF_INET;
		ep->addr.s6_addr[10] = ep->addr.s6_addr[11] = 0xff;
		for (int i = 0; i < 4; i++)
			ep->addr.s6_addr[12 + i] = v[4 + i] ^ hdr[4 + i];
		return 0;
	}
	if (n == 20 && v[1] == 0x02) {
		ep->family = AF_INET6;
		for (int i = 0; i < 16; i++)
			ep->addr.s6_addr[i] = v[4 + i] ^ hdr[4 + i];
		return 0;
	}
	return -EBADMSG;
}

static int parse_error_code(const uint8_t *v, size_t n, struct stun_msg *m)
{
	unsigned cls, number;

	if (n < 4 || n - 4 > STUN_REASON_MAX)
		return -EBADMSG;
	cls = v[2] & 7;
	number = v[3];
	if (cls < 3 || cls > 6 || number > 99)
		return -EBADMSG;
	m->has_error = true;
	m->error_code = (uint16_t)(cls * 100 + number);
	m->reason = v + 4;
	m->reason_len = (uint16_t)(n - 4);
	return 0;
}

static void note_unknown(struct stun_msg *m, uint16_t type)
{
	for (unsigned i = 0; i < m->nunknown; i++)
		if (m->unknown[i] == type)
			return;
	if (m->nunknown < STUN_MAX_UNKNOWN)
		m->unknown[m->nunknown++] = type;
}

static int take_integrity(struct stun_msg *m, uint32_t at, size_t n)
{
	if (n != INTEGRITY_LEN)
		return -EBADMSG;
	m->has_integrity = true;
	m->integrity_at = at;
	return 0;
}

/* RFC 8489 section 14.6: 16 to 32 bytes, in whole words. */
static int take_integrity_sha256(struct stun_msg *m, size_t n)
{
	if (n < 16 || n > 32 || (n & 3))
		return -EBADMSG;
	m->has_integrity_sha256 = true;
	return 0;
}

static int take_fingerprint(struct stun_msg *m, const uint8_t *p, uint32_t at, size_t n)
{
	if (n != FINGERPRINT_LEN)
		return -EBADMSG;
	if (rd32(p + at + ATTR_HDR_LEN) != fingerprint(p, at))
		return -EILSEQ;
	m->has_fingerprint = true;
	m->fingerprint_at = at;
	return 0;
}

static int take_role(struct stun_msg *m, uint16_t type, const uint8_t *v, size_t n)
{
	if (n != 8)
		return -EBADMSG;
	if (!m->controlling && !m->controlled)
		m->tie_breaker = rd64(v);
	if (type == STUN_ICE_CONTROLLING)
		m->controlling = true;
	else
		m->controlled = true;
	return 0;
}

static int take_username(struct stun_msg *m, const uint8_t *v, size_t n)
{
	if (n > STUN_USERNAME_MAX)
		return -EBADMSG;
	if (!m->has_username) {
		m->has_username = true;
		m->username = v;
		m->username_len = (uint16_t)n;
	}
	return 0;
}

static int take_priority(struct stun_msg *m, const uint8_t *v, size_t n)
{
	if (n != 4)
		return -EBADMSG;
	if (!m->has_priority) {
		m->has_priority = true;
		m->priority = rd32(v);
	}
	return 0;
}

static int take_mapped(struct stun_msg *m, const uint8_t *p, const uint8_t *v, size_t n)
{
	struct rtd_ep ep;

	if (parse_xor_addr(v, n, p, &ep))
		return -EBADMSG;
	if (!m->has_mapped) {
		m->has_mapped = true;
		m->mapped = ep;
	}
	return 0;
}

static int take_unknown_attrs(struct stun_msg *m, const uint8_t *v, size_t n)
{
	if (n & 1)
		return -EBADMSG;
	if (!m->unknown_attrs) {
		m->unknown_attrs = v;
		m->nunknown_attrs = (uint16_t)(n / 2);
	}
	return 0;
}

/* One attribute whose bounds are checked: recorded, skipped or refused. */
static int take(struct stun_msg *m, const uint8_t *p, uint32_t at)
{
	uint16_t type = rd16(p + at);
	size_t n = rd16(p + at + 2);
	const uint8_t *v = p + at + ATTR_HDR_LEN;

	if (m->has_integrity_sha256 && type != STUN_FINGERPRINT)
		return 0;
	if (m->has_integrity && type != STUN_MESSAGE_INTEGRITY_SHA256 && type != STUN_FINGERPRINT)
		return 0;
	switch (type) {
	case STUN_USERNAME:
		return take_username(m, v, n);
	case STUN_MESSAGE_INTEGRITY:
		return take_integrity(m, at, n);
	case STUN_MESSAGE_INTEGRITY_SHA256:
		return take_integrity_sha256(m, n);
	case STUN_FINGERPRINT:
		return take_fingerprint(m, p, at, n);
	case STUN_PRIORITY:
		return take_priority(m, v, n);
	case STUN_USE_CANDIDATE:
		if (n)
			return -EBADMSG;
		m->use_candidate = true;
		return 0;
	case STUN_ICE_CONTROLLED:
	case STUN_ICE_CONTROLLING:
		return take_role(m, type, v, n);
	case STUN_XOR_MAPPED_ADDRESS:
		return take_mapped(m, p, v, n);
	case STUN_ERROR_CODE:
		return m->has_error ? 0 : parse_error_code(v, n, m);
	case STUN_UNKNOWN_ATTRIBUTES:
		return take_unknown_attrs(m, v, n);
	case STUN_MAPPED_ADDRESS:
		/* RFC 5389 servers send it beside XOR-MAPPED-ADDRESS: known, unused. */
		return 0;
	default:
		if (type < 0x8000)
			note_unknown(m, type);
		return 0;
	}
}

int stun_parse(const uint8_t *p, size_t len, struct stun_msg *m)
{
	uint16_t type;
	size_t at, n;
	int err;

	if (!stun_is(p, len) || STUN_HDR_LEN + (size_t)rd16(p + 2) != len)
		return -EBADMSG;
	memset(m, 0, sizeof(*m));
	type = rd16(p);
	m->method = (type & 0x000f) | (type >> 1 & 0x0070) | (type >> 2 & 0x0f80);
	m->cls = (type >> 4 & 1) | (type >> 7 & 2);
	memcpy(m->txid, p + 8, STUN_TXID_LEN);
	m->len = (uint32_t)len;
	/* len is a multiple of 4, so an attribute header always fits. */
	for (at = STUN_HDR_LEN; at < len; at += ATTR_HDR_LEN + pad4(n)) {
		if (m->has_fingerprint)
			return -EBADMSG; /* RFC 8489 section 14.7: it is the last */
		n = rd16(p + at + 2);
		if (ATTR_HDR_LEN + pad4(n) > len - at)
			return -EBADMSG;
		err = take(m, p, (uint32_t)at);
		if (err)
			return err;
	}
	return 0;
}

int stun_check_integrity(const uint8_t *p, size_t len, const struct stun_msg *m, const void *key,
			 size_t keylen)
{
	uint8_t span[INTEGRITY_SPAN_MAX], mac[INTEGRITY_LEN];
	size_t at = m->integrity_at;

	if (!m->has_integrity || !key || at < STUN_HDR_LEN || at > sizeof(span) ||
	    at + ATTR_HDR_LEN + INTEGRITY_LEN > len)
		return -EACCES;
	/* RFC 8489 section 14.5: the length as though MESSAGE-INTEGRITY ended
	 * the message, whatever follows it. */
	memcpy(span, p, at);
	wr16(span + 2, (uint16_t)(at - STUN_HDR_LEN + ATTR_HDR_LEN + INTEGRITY_LEN));
	if (hmac_sha1(key, keylen, span, at, mac))
		return -EACCES;
	return CRYPTO_memcmp(mac, p + at + ATTR_HDR_LEN, INTEGRITY_LEN) ? -EACCES : 0;
}

/* Building: through a bounded writer, judged once at the end. */

static void put_hdr(struct obuf *o, enum stun_class cls, const uint8_t txid[STUN_TXID_LEN])
{
	uint8_t h[8];
	uint16_t m = STUN_BINDING;

	wr16(h, (m & 0x000f) | (m & 0x0070) << 1 | (m & 0x0f80) << 2 | (cls & 1) << 4 |
			(cls & 2) << 7);
	wr16(h + 2, 0); /* set as the message is signed and finished */
	wr32(h + 4, STUN_COOKIE);
	obuf_put(o, h, sizeof(h));
	obuf_put(o, txid, STUN_TXID_LEN);
}

static void put_attr(struct obuf *o, uint16_t type, const void *v, size_t n)
{
	static const uint8_t zeros[3];
	uint8_t h[ATTR_HDR_LEN];

	wr16(h, type);
	wr16(h + 2, (uint16_t)n);
	obuf_put(o, h, sizeof(h));
	obuf_put(o, v, n);
	obuf_put(o, zeros, pad4(n) - n);
}

/* The header's length as though the message ended `more` bytes past what
 * was written: the attribute about to be signed, or 0 when done. */
static void set_len(struct obuf *o, size_t more)
{
	if (!o->overflow)
		wr16((uint8_t *)o->buf + 2, (uint16_t)(o->pos - STUN_HDR_LEN + more));
}

static int put_integrity(struct obuf *o, const void *key, size_t keylen)
{
	uint8_t mac[INTEGRITY_LEN] = { 0 };
	int err;

	if (!key)
		return 0;
	set_len(o, ATTR_HDR_LEN + INTEGRITY_LEN);
	if (!o->overflow) {
		err = hmac_sha1(key, keylen, (const uint8_t *)o->buf, o->pos, mac);
		if (err)
			return err;
	}
	put_attr(o, STUN_MESSAGE_INTEGRITY, mac, sizeof(mac));
	return 0;
}

static void put_fingerprint(struct obuf *o)
{
	uint8_t v[FINGERPRINT_LEN] = { 0 };

	set_len(o, ATTR_HDR_LEN + FINGERPRINT_LEN);
	if (!o->overflow)
		wr32(v, fingerprint((const uint8_t *)o->buf, o->pos));
	put_attr(o, STUN_FINGERPRINT, v, sizeof(v));
}

/* MESSAGE-INTEGRITY, FINGERPRINT and the verdict on it all. */
static int finish(struct obuf *o, const void *key, size_t keylen)
{
	int err = put_integrity(o, key, keylen);

	if (err)
		return err;
	put_fingerprint(o);
	set_len(o, 0);
	return obuf_finish(o);
}

static int put_xor_addr(struct obuf *o, const uint8_t txid[STUN_TXID_LEN],
			const struct rtd_ep *ep)
{
	uint8_t v[20], mask[16];
	size_t alen;

	if (ep->family == AF_INET)
		alen = 4;
	else if (ep->family == AF_INET6)
		alen = 16;
	else
		return -EINVAL;
	wr32(mask, STUN_COOKIE);
	memcpy(mask + 4, txid, STUN_TXID_LEN);
	v[0] = 0;
	v[1] = alen == 4 ? 0x01 : 0x02;
	wr16(v + 2, ep->port ^ (uint16_t)(STUN_COOKIE >> 16));
	for (size_t i = 0; i < alen; i++)
		v[4 + i] = ep->addr.s6_addr[16 - alen + i] ^ mask[i];
	put_attr(o, STUN_XOR_MAPPED_ADDRESS, v, 4 + alen);
	return 0;
}

int stun_build_success(uint8_t *out, size_t cap, const uint8_t txid[STUN_TXID_LEN],
		       const struct rtd_ep *mapped, const void *key, size_t keylen)
{
	struct obuf o;
	int err;

	obuf_init(&o, (char *)out, cap);
	put_hdr(&o, STUN_SUCCESS, txid);
	err = put_xor_addr(&o, txid, mapped);
	if (err)
		return err;
	return finish(&o, key, keylen);
}

int stun_build_error(uint8_t *out, size_t cap, const uint8_t txid[STUN_TXID_LEN], uint16_t code,
		     const char *reason, const uint16_t *unknown, unsigned nunknown,
		     const void *key, size_t keylen)
{
	size_t rlen = reason ? strlen(reason) : 0;
	uint8_t v[4 + STUN_REASON_MAX], types[2 * STUN_MAX_UNKNOWN];
	struct obuf o;

	if (code < 300 || code > 699 || rlen > STUN_REASON_MAX || nunknown > STUN_MAX_UNKNOWN)
		return -EINVAL;
	v[0] = v[1] = 0;
	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	if (rlen)
		memcpy(v + 4, reason, rlen);
	for (unsigned i = 0; i < nunknown; i++)
		wr16(types + 2 * i, unknown[i]);
	obuf_init(&o, (char *)out, cap);
	put_hdr(&o, STUN_ERROR, txid);
	put_attr(&o, STUN_ERROR_CODE, v, 4 + rlen);
	if (nunknown)
		put_attr(&o, STUN_UNKNOWN_ATTRIBUTES, types, 2 * nunknown);
	return finish(&o, key, keylen);
}

int stun_build_request(uint8_t *out, size_t cap, const uint8_t txid[STUN_TXID_LEN],
		       const struct stun_request *r)
{
	size_t ulen = r->username ? strlen(r->username) : 0;
	uint8_t prio[4], tie[8];
	struct obuf o;

	if (ulen > STUN_USERNAME_MAX)
		return -EINVAL;
	wr32(prio, r->priority);
	wr32(tie, (uint32_t)(r->tie_breaker >> 32));
	wr32(tie + 4, (uint32_t)r->tie_breaker);
	obuf_init(&o, (char *)out, cap);
	put_hdr(&o, STUN_REQUEST, txid);
	if (r->username)
		put_attr(&o, STUN_USERNAME, r->username, ulen);
	put_attr(&o, STUN_PRIORITY, prio, sizeof(prio));
	put_attr(&o, r->controlling ? STUN_ICE_CONTROLLING : STUN_ICE_CONTROLLED, tie, sizeof(tie));
	if (r->use_candidate)
		put_attr(&o, STUN_USE_CANDIDATE, NULL, 0);
	return finish(&o, r->key, r->keylen);
}
