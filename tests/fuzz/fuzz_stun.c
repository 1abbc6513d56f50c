// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Datagrams as the relay's ICE-lite agent receives them: stun_parse,
 * stun_check_integrity and ice_answer, as RFC 5769's agent "evtj" whose
 * peer is "h6vY".  The first input byte is the mode, the rest the datagram:
 *   bit 0  sign it first: the header's length made the datagram's, the
 *          first MESSAGE-INTEGRITY keyed with evtj's pwd, a FINGERPRINT
 *          that ends it recomputed; so mutations reach past authentication
 *   bit 1  the peer's ufrag known (else NULL)
 *   bit 2  the datagram from an IPv6 source (else IPv4)
 *
 * What a parse promises: only STUN parses, every recorded span inside the
 * datagram, FINGERPRINT last and right.  The answer is held against a
 * reference decision (RFC 8445 section 7.3 with RFC 8489's order: 400,
 * 401, 420, 487, success) computed here with HMAC() directly, so a success
 * the pwd did not sign breaks a property; the reply parses, answers the
 * same transaction, is signed exactly when it should be, and one byte less
 * room is -ENOSPC.  A parsed request built again with stun_build_request
 * parses back to the same fields.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "apps/relay/ice.h"
#include "apps/relay/stun.h"
#include "fuzz.h"

static const struct ice_creds evtj = { .ufrag = "evtj", .pwd = "VOkJxbRl1RmTxUk/WvJxBt" };
static const char peer[] = "h6vY";

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

/* RFC 8489 section 14.5 read on its own: HMAC-SHA1 of what precedes `at`,
 * the header's length counting MESSAGE-INTEGRITY's 24 bytes as the last. */
static void ref_mac(const uint8_t *p, size_t at, uint8_t mac[20])
{
	uint8_t *copy = fuzz_dup(p, at);
	unsigned n;

	wr16(copy + 2, at - 20 + 24);
	if (!HMAC(EVP_sha1(), evtj.pwd, (int)strlen(evtj.pwd), copy, at, mac, &n))
		abort();
	free(copy);
}

static bool ref_signed(const uint8_t *p, size_t len, size_t at)
{
	uint8_t mac[20];

	if (at < 20 || at + 24 > len)
		return false;
	ref_mac(p, at, mac);
	return !memcmp(mac, p + at + 4, 20);
}

static uint32_t ref_fingerprint(const uint8_t *p, size_t at)
{
	return (uint32_t)crc32(0, p, (uInt)at) ^ 0x5354554eu;
}

/* Mode bit 0: what a sender that knows the pwd would have sent. */
static void sign(uint8_t *p, size_t len)
{
	bool signed_mi = false;
	uint8_t mac[20];

	if (len < 20 || len - 20 > 0xffff)
		return;
	wr16(p + 2, len - 20);
	for (size_t at = 20; at + 4 <= len;) {
		uint16_t type = rd16(p + at), n = rd16(p + at + 2);

		if (at + 4 + n > len)
			break;
		if (type == STUN_MESSAGE_INTEGRITY && n == 20 && !signed_mi) {
			ref_mac(p, at, mac);
			memcpy(p + at + 4, mac, 20);
			signed_mi = true;
		} else if (type == STUN_FINGERPRINT && n == 4 && at + 8 == len) {
			wr32(p + at + 4, ref_fingerprint(p, at));
		}
		at += 4 + ((n + 3u) & ~3u);
	}
}

static bool in(const uint8_t *p, size_t len, const uint8_t *span, size_t n)
{
	return span >= p && span <= p + len && n <= (size_t)(p + len - span);
}

static void check_parse(const uint8_t *p, size_t len, int ret, const struct stun_msg *m)
{
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -EILSEQ, "stun_parse: %d", ret);
	if (!stun_is(p, len))
		FUZZ_CHECK(ret == -EBADMSG, "not STUN by RFC 7983, yet %d", ret);
	if (ret)
		return;
	FUZZ_CHECK(m->len == len && len == 20u + rd16(p + 2), "length %u of %zu", m->len, len);
	FUZZ_CHECK(m->cls < 4 && m->method < 0x100, "class %u method %#x", m->cls, m->method);
	FUZZ_CHECK(!memcmp(m->txid, p + 8, 12), "txid");
	FUZZ_CHECK(!m->has_username || in(p, len, m->username, m->username_len), "username");
	FUZZ_CHECK(!m->has_error || in(p, len, m->reason, m->reason_len), "reason phrase");
	FUZZ_CHECK(!m->has_error || (m->error_code >= 300 && m->error_code <= 699), "code %u",
		   m->error_code);
	FUZZ_CHECK(!m->unknown_attrs || in(p, len, m->unknown_attrs, 2u * m->nunknown_attrs),
		   "unknown attributes");
	FUZZ_CHECK(!m->has_integrity ||
			   (m->integrity_at >= 20 && m->integrity_at + 24 <= len &&
			    rd16(p + m->integrity_at) == STUN_MESSAGE_INTEGRITY),
		   "integrity at %u", m->integrity_at);
	FUZZ_CHECK(!m->has_fingerprint ||
			   (m->fingerprint_at + 8 == len &&
			    ref_fingerprint(p, m->fingerprint_at) ==
				    ((uint32_t)rd16(p + len - 4) << 16 | rd16(p + len - 2))),
		   "fingerprint at %u of %zu", m->fingerprint_at, len);
	FUZZ_CHECK(m->nunknown <= STUN_MAX_UNKNOWN, "%u unknown", m->nunknown);
	for (unsigned i = 0; i < m->nunknown; i++)
		FUZZ_CHECK(m->unknown[i] < 0x8000, "unknown %#x is optional", m->unknown[i]);
	FUZZ_CHECK(m->has_mapped == false || m->mapped.family == AF_INET ||
			   m->mapped.family == AF_INET6,
		   "family %u", m->mapped.family);
}

/* stun_check_integrity against the reference, for evtj's pwd. */
static void check_integrity(const uint8_t *p, size_t len, const struct stun_msg *m)
{
	int got = stun_check_integrity(p, len, m, evtj.pwd, strlen(evtj.pwd));
	bool want = m->has_integrity && ref_signed(p, len, m->integrity_at);

	FUZZ_CHECK(got == 0 || got == -EACCES, "stun_check_integrity: %d", got);
	FUZZ_CHECK((got == 0) == want, "integrity %d, the reference says %d", got, want);
}

static bool ref_username(const struct stun_msg *m, const char *remote)
{
	char want[64];
	size_t n;

	if (!remote)
		return m->username_len > 5 && !memcmp(m->username, "evtj:", 5);
	n = (size_t)snprintf(want, sizeof(want), "evtj:%s", remote);
	return m->username_len == n && !memcmp(m->username, want, n);
}

/* RFC 8445 section 7.3 for a lite agent, as ice.h lists it: 0 for a success,
 * an error code, or -1 for no reply. */
static int ref_decision(const uint8_t *p, size_t len, int parsed, const struct stun_msg *m,
			const char *remote)
{
	if (parsed || m->method != STUN_BINDING || m->cls != STUN_REQUEST)
		return -1;
	if (!m->has_username || !m->has_integrity)
		return 400;
	if (!ref_username(m, remote) || !ref_signed(p, len, m->integrity_at))
		return 401;
	if (m->nunknown)
		return 420;
	if (m->controlled)
		return 487;
	return 0;
}

static void check_reply(const uint8_t *out, int n, const struct ice_verdict *v, int want,
			const struct stun_msg *req, const struct rtd_ep *from)
{
	struct stun_msg r;

	FUZZ_CHECK(stun_parse(out, (size_t)n, &r) == 0, "the reply does not parse");
	FUZZ_CHECK(r.method == STUN_BINDING && !memcmp(r.txid, req->txid, 12) && r.has_fingerprint,
		   "the reply answers another transaction");
	FUZZ_CHECK(r.cls == (want ? STUN_ERROR : STUN_SUCCESS), "class %u for %d", r.cls, want);
	if (!want) {
		FUZZ_CHECK(v->kind == ICE_VALID && v->nominated == req->use_candidate &&
				   v->priority == req->priority,
			   "verdict of a success");
		FUZZ_CHECK(r.has_mapped && r.mapped.port == from->port &&
				   r.mapped.family == from->family &&
				   !memcmp(&r.mapped.addr, &from->addr, 16),
			   "XOR-MAPPED-ADDRESS is not the source");
	} else {
		FUZZ_CHECK(v->kind == ICE_REFUSED && v->error == want && r.error_code == want,
			   "verdict %d/%u, reply %u, reference %d", v->kind, v->error, r.error_code,
			   want);
	}
	/* Signed exactly when the request proved it holds the pwd. */
	FUZZ_CHECK(r.has_integrity == (want != 400 && want != 401), "a %d %s signed", want,
		   r.has_integrity ? "is" : "is not");
	if (r.has_integrity)
		FUZZ_CHECK(stun_check_integrity(out, (size_t)n, &r, evtj.pwd, strlen(evtj.pwd)) == 0,
			   "the reply's integrity");
	if (want != 420)
		return;
	FUZZ_CHECK(r.nunknown_attrs == req->nunknown && r.unknown_attrs, "the 420 lists %u of %u",
		   r.nunknown_attrs, req->nunknown);
	for (unsigned i = 0; i < req->nunknown; i++)
		FUZZ_CHECK(rd16(r.unknown_attrs + 2 * i) == req->unknown[i],
			   "the 420 lists %#x for %#x", rd16(r.unknown_attrs + 2 * i), req->unknown[i]);
}

static void check_answer(const uint8_t *p, size_t len, int parsed, const struct stun_msg *m,
			 const char *remote, const struct rtd_ep *from)
{
	int want = ref_decision(p, len, parsed, m, remote);
	struct ice_verdict v;
	uint8_t out[1024], *tight;
	int n = ice_answer(&evtj, remote, p, len, from, out, sizeof(out), &v);

	FUZZ_CHECK(n >= 0, "ice_answer: %d", n);
	if (want < 0) {
		FUZZ_CHECK(n == 0 && v.kind == ICE_IGNORED, "a reply (%d bytes) to no request", n);
		return;
	}
	FUZZ_CHECK(n > 0, "no reply where the reference has %d", want);
	check_reply(out, n, &v, want, m, from);
	tight = malloc((size_t)n - 1 ? (size_t)n - 1 : 1);
	if (!tight)
		abort();
	FUZZ_CHECK(ice_answer(&evtj, remote, p, len, from, tight, (size_t)n - 1, &v) == -ENOSPC,
		   "a byte short");
	free(tight);
}

/* Fields of a parsed request survive being built again. */
static void check_rebuild(const struct stun_msg *m)
{
	char user[STUN_USERNAME_MAX + 1];
	struct stun_request r = {
		.username = m->has_username ? user : NULL,
		.priority = m->priority,
		.controlling = m->controlling,
		.tie_breaker = m->tie_breaker,
		.use_candidate = m->use_candidate,
		.key = evtj.pwd,
		.keylen = strlen(evtj.pwd),
	};
	uint8_t out[1024];
	struct stun_msg b;
	int n;

	if (m->cls != STUN_REQUEST || (m->has_username && memchr(m->username, 0, m->username_len)))
		return;
	if (m->has_username)
		memcpy(user, m->username, m->username_len);
	user[m->has_username ? m->username_len : 0] = 0;
	n = stun_build_request(out, sizeof(out), m->txid, &r);
	FUZZ_CHECK(n > 0 && stun_parse(out, (size_t)n, &b) == 0, "a rebuilt request: %d", n);
	FUZZ_CHECK(b.has_username == m->has_username && b.username_len == m->username_len &&
			   (!b.has_username || !memcmp(b.username, m->username, b.username_len)),
		   "rebuilt USERNAME");
	FUZZ_CHECK(b.priority == m->priority && b.use_candidate == m->use_candidate &&
			   b.controlling == m->controlling && b.controlled == !m->controlling &&
			   b.tie_breaker == m->tie_breaker,
		   "rebuilt fields");
	FUZZ_CHECK(stun_check_integrity(out, (size_t)n, &b, evtj.pwd, strlen(evtj.pwd)) == 0,
		   "rebuilt integrity");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtd_ep from = { .port = 50000 };
	const char *remote;
	struct stun_msg m;
	uint8_t *p, mode;
	size_t len;
	int ret;

	if (!size)
		return 0;
	mode = data[0];
	len = size - 1;
	p = fuzz_dup(data + 1, len);
	if (mode & 1)
		sign(p, len);
	remote = mode & 2 ? peer : NULL;
	if (mode & 4) {
		from.family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::5", &from.addr);
	} else {
		from.family = AF_INET;
		inet_pton(AF_INET6, "::ffff:192.0.2.5", &from.addr);
	}
	ret = stun_parse(p, len, &m);
	check_parse(p, len, ret, &m);
	if (!ret) {
		check_integrity(p, len, &m);
		check_rebuild(&m);
	}
	check_answer(p, len, ret, &m, remote, &from);
	free(p);
	return 0;
}
