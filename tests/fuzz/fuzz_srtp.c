// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SRTP and SRTCP as the relay receives them, held against libsrtp2.  The
 * first input byte is the mode:
 *   bits 0-1  the suite (enum rsrtp_suite)
 *   bit 2     RTCP, else RTP
 *   bit 3     raw: the rest is one packet, straight into unprotect
 *   bit 4     any SSRC (else one of 8, so that no slot is ever reused and
 *             libsrtp2, which forgets no SSRC, stays the oracle)
 * Else the rest is a script of records, each
 *   action (1 byte), pos (2 bytes), n (1 byte), n bytes of a plain packet
 * protected by rsrtp (and, for RTP, by libsrtp2, which must write the same
 * bytes), then delivered by the action:
 *   bits 0-1  as it is / one bit flipped (pos) / cut to pos bytes / dropped
 *   bit 2     delivered twice
 *   bit 3     record pos's packet delivered instead (a replay or a late one)
 *   bit 4     protect first told it has one byte too few: -ENOSPC, untouched
 *
 * What unprotect promises, for every suite:
 *   - nothing crashes or reads past the packet (each is an exact heap copy);
 *   - on an error the bytes are as they were;
 *   - anything accepted was authentic: exactly the bytes protect wrote, and
 *     it comes back as the plain packet protect was given;
 *   - with at most 8 SSRCs, no packet is accepted twice, and rsrtp accepts
 *     exactly what libsrtp2 accepts (window, ROC guess, SRTCP index);
 *   - raw bytes are accepted by rsrtp exactly when libsrtp2 accepts them.
 * libsrtp2 2.5 accepts SRTCP with E clear, which rsrtp refuses; a raw
 * packet is authentic only by luck, and the comparison allows for that.
 *
 * libsrtp2's sessions are made once per suite: srtp_create costs 1.6 to
 * 2.7 ms here (NSS), a hundred inputs' worth.  Between inputs they forget
 * the SSRCs they saw, so that each input starts from a fresh session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include <srtp2/srtp.h>

#include "apps/relay/srtp.h"
#include "fuzz.h"
#include "tests/unit/srtp_lib.h"

#define MAX_RECORDS 64
#define PLAIN_MAX 255
#define BUF_MAX (PLAIN_MAX + RSRTCP_OVERHEAD_MAX)

struct record {
	uint8_t plain[BUF_MAX], prot[BUF_MAX];
	size_t plen, len;
	bool ok, accepted;
};

static struct record rec[MAX_RECORDS];
static srtp_t lib_tx[RSRTP_NSUITES], lib_rx[RSRTP_NSUITES];

static struct rsrtp_key key_of(enum rsrtp_suite s)
{
	struct rsrtp_key k = { .suite = s };

	for (int i = 0; i < RSRTP_KEY_MAX; i++)
		k.key[i] = (uint8_t)(0x5a ^ (i * 29 + s));
	for (int i = 0; i < rsrtp_suites[s].salt_len; i++)
		k.salt[i] = (uint8_t)(0xa5 ^ (i * 17 + s));
	return k;
}

static srtp_t lib_new(enum rsrtp_suite s, bool inbound)
{
	uint8_t keybuf[RSRTP_KEY_MAX + RSRTP_SALT_MAX];
	struct rsrtp_key k = key_of(s);
	srtp_policy_t pol;
	srtp_t x = NULL;

	lib_policy(&pol, &k, keybuf, inbound);
	if (srtp_create(&x, &pol) != srtp_err_status_ok)
		return NULL;
	return x;
}

static void setup_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (srtp_init() != srtp_err_status_ok)
		abort();
	for (int s = 0; s < RSRTP_NSUITES; s++) {
		lib_tx[s] = lib_new(s, false);
		lib_rx[s] = lib_new(s, true);
	}
}

/* The session as srtp_create left it: the streams its template made, gone. */
static void lib_forget(srtp_t x, uint32_t ssrc)
{
	if (x)
		(void)srtp_remove_stream(x, htonl(ssrc));
}

static int rs_unprotect(struct rsrtp_ctx *c, uint8_t *p, size_t *n, bool rtcp)
{
	return rtcp ? rsrtp_unprotect_rtcp(c, p, n) : rsrtp_unprotect(c, p, n);
}

static int rs_protect(struct rsrtp_ctx *c, uint8_t *p, size_t *n, size_t cap, bool rtcp)
{
	return rtcp ? rsrtp_protect_rtcp(c, p, n, cap) : rsrtp_protect(c, p, n, cap);
}

/* libsrtp2's unprotect of a copy: 0 and the plain bytes, or -1. */
static int lib_unprotect(srtp_t s, const uint8_t *p, size_t n, bool rtcp, uint8_t *out,
			 size_t *outn)
{
	int len = (int)n;

	memcpy(out, p, n);
	if ((rtcp ? srtp_unprotect_rtcp(s, out, &len) : srtp_unprotect(s, out, &len)) !=
	    srtp_err_status_ok)
		return -1;
	*outn = (size_t)len;
	return 0;
}

/* One packet into rsrtp's receiver (an exact heap copy), with the promises
 * that hold whatever it is; returns what unprotect returned. */
static int deliver(struct rsrtp_ctx *rx, const uint8_t *p, size_t n, bool rtcp, uint8_t *out,
		   size_t *outn)
{
	uint8_t *copy = fuzz_dup(p, n);
	size_t m = n;
	int ret = rs_unprotect(rx, copy, &m, rtcp);

	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -EACCES || ret == -EALREADY ||
			   ret == -EKEYEXPIRED,
		   "unprotect: %d", ret);
	if (ret) {
		FUZZ_CHECK(m == n && !memcmp(copy, p, n), "an error (%d) changed the packet", ret);
	} else {
		memcpy(out, copy, m);
		*outn = m;
	}
	free(copy);
	return ret;
}

static void raw(enum rsrtp_suite s, bool rtcp, const uint8_t *p, size_t n)
{
	static uint8_t out[RSRTP_LEN_MAX], lout[RSRTP_LEN_MAX + SRTP_MAX_TRAILER_LEN];
	size_t outn = 0, loutn = 0, at = rtcp ? 4 : 8;
	struct rsrtp_key k = key_of(s);
	struct rsrtp_ctx rx;
	int ret, lret;

	if (n > RSRTP_LEN_MAX || rsrtp_init(&rx, &k, RSRTP_UNPROTECT))
		return;
	ret = deliver(&rx, p, n, rtcp, out, &outn);
	rsrtp_fini(&rx);
	if (!lib_rx[s])
		return;
	lret = lib_unprotect(lib_rx[s], p, n, rtcp, lout, &loutn);
	if (n >= at + 4)
		lib_forget(lib_rx[s], (uint32_t)p[at] << 24 | p[at + 1] << 16 | p[at + 2] << 8 | p[at + 3]);
	/* libsrtp2 takes SRTCP with E clear; rsrtp refuses it. */
	if (rtcp && lret == 0 && ret == -EBADMSG)
		return;
	FUZZ_CHECK((ret == 0) == (lret == 0), "raw: rsrtp %d, libsrtp2 %d", ret, lret);
	FUZZ_CHECK(ret || (outn == loutn && !memcmp(out, lout, outn)), "raw: plain bytes differ");
}

struct script {
	enum rsrtp_suite suite;
	bool rtcp, any_ssrc;
	struct rsrtp_ctx tx, rx;
	srtp_t lib_tx, lib_rx;
	unsigned nrec;
};

/* A record's plain packet: the input's bytes, the SSRC folded to one of 8
 * unless any SSRC goes. */
static void take_plain(struct script *sc, struct record *r, const uint8_t *d, size_t n)
{
	size_t at = sc->rtcp ? 4 : 8;

	memcpy(r->plain, d, n);
	r->plen = n;
	if (!sc->any_ssrc && n >= at + 4) {
		r->plain[at] = r->plain[at + 1] = r->plain[at + 2] = 0;
		r->plain[at + 3] &= 7;
	}
}

static void protect(struct script *sc, struct record *r, uint8_t action)
{
	uint8_t lbuf[BUF_MAX];
	int ret, lret = 0;

	memcpy(r->prot, r->plain, r->plen);
	r->len = r->plen;
	if (action & 0x10) {
		size_t m = r->len, tag = sc->rtcp ? 4 + rsrtp_suites[sc->suite].rtcp_tag_len
						  : rsrtp_suites[sc->suite].rtp_tag_len;

		ret = rs_protect(&sc->tx, r->prot, &m, r->len + tag - 1, sc->rtcp);
		FUZZ_CHECK(ret != 0, "protect wrote past its room");
		FUZZ_CHECK(m == r->len && !memcmp(r->prot, r->plain, r->plen),
			   "a refused protect (%d) changed the packet", ret);
	}
	ret = rs_protect(&sc->tx, r->prot, &r->len, sizeof(r->prot), sc->rtcp);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -EALREADY || ret == -EKEYEXPIRED,
		   "protect: %d", ret);
	r->ok = ret == 0;
	if (ret)
		FUZZ_CHECK(r->len == r->plen && !memcmp(r->prot, r->plain, r->plen),
			   "a refused protect (%d) changed the packet", ret);
	/* libsrtp2 in step, RTP only: its first SRTCP index is 1, not 0. */
	if (sc->rtcp || !sc->lib_tx || sc->any_ssrc || (ret && ret != -EALREADY))
		return;
	{
		int len = (int)r->plen;

		memcpy(lbuf, r->plain, r->plen);
		lret = srtp_protect(sc->lib_tx, lbuf, &len) == srtp_err_status_ok ? 0 : -1;
		FUZZ_CHECK((ret == 0) == (lret == 0), "protect: rsrtp %d, libsrtp2 %d", ret, lret);
		FUZZ_CHECK(ret || ((size_t)len == r->len && !memcmp(lbuf, r->prot, r->len)),
			   "rsrtp and libsrtp2 protect to different bytes");
	}
}

static void receive(struct script *sc, unsigned ri, const uint8_t *p, size_t n, bool authentic)
{
	uint8_t out[BUF_MAX], lout[BUF_MAX];
	size_t outn = 0, loutn = 0;
	struct record *r = &rec[ri];
	int ret = deliver(&sc->rx, p, n, sc->rtcp, out, &outn), lret;

	if (!ret) {
		FUZZ_CHECK(authentic, "record %u: accepted what protect did not write", ri);
		FUZZ_CHECK(outn == r->plen && !memcmp(out, r->plain, outn),
			   "record %u: accepted, but not as it was sent", ri);
		FUZZ_CHECK(sc->any_ssrc || !r->accepted, "record %u: accepted twice", ri);
		r->accepted = true;
	}
	if (!sc->lib_rx || sc->any_ssrc)
		return;
	lret = lib_unprotect(sc->lib_rx, p, n, sc->rtcp, lout, &loutn);
	if (sc->rtcp && lret == 0 && ret == -EBADMSG)
		return;
	FUZZ_CHECK((ret == 0) == (lret == 0), "record %u: rsrtp %d, libsrtp2 %d", ri, ret, lret);
}

static void run_record(struct script *sc, uint8_t action, uint16_t pos, unsigned ri)
{
	struct record *r = &rec[ri], *old;
	uint8_t bad[BUF_MAX];
	size_t n;

	protect(sc, r, action);
	old = action & 0x08 ? &rec[pos % (ri + 1)] : r;
	if (!old->ok)
		return;
	n = old->len;
	memcpy(bad, old->prot, n);
	switch (action & 3) {
	case 0:
		receive(sc, (unsigned)(old - rec), bad, n, true);
		break;
	case 1:
		bad[pos / 8 % n] ^= (uint8_t)(1u << (pos % 8));
		receive(sc, (unsigned)(old - rec), bad, n, false);
		break;
	case 2:
		receive(sc, (unsigned)(old - rec), bad, pos % n, false);
		break;
	default:
		return;
	}
	if (action & 0x04)
		receive(sc, (unsigned)(old - rec), old->prot, n, true);
}

static void script(enum rsrtp_suite s, uint8_t mode, const uint8_t *d, size_t size)
{
	struct rsrtp_key k = key_of(s);
	struct script sc = {
		.suite = s,
		.rtcp = mode & 0x04,
		.any_ssrc = mode & 0x10,
	};

	if (rsrtp_init(&sc.tx, &k, RSRTP_PROTECT))
		abort();
	if (rsrtp_init(&sc.rx, &k, RSRTP_UNPROTECT))
		abort();
	if (!sc.any_ssrc) {
		sc.lib_tx = lib_tx[s];
		sc.lib_rx = lib_rx[s];
	}
	for (size_t at = 0; at + 4 <= size && sc.nrec < MAX_RECORDS;) {
		uint8_t action = d[at];
		uint16_t pos = (uint16_t)(d[at + 1] << 8 | d[at + 2]);
		size_t n = d[at + 3];

		at += 4;
		if (n > size - at)
			n = size - at;
		memset(&rec[sc.nrec], 0, sizeof(rec[sc.nrec]));
		take_plain(&sc, &rec[sc.nrec], d + at, n);
		at += n;
		run_record(&sc, action, pos, sc.nrec);
		sc.nrec++;
	}
	for (uint32_t ssrc = 0; ssrc < 8; ssrc++) {
		lib_forget(sc.lib_tx, ssrc);
		lib_forget(sc.lib_rx, ssrc);
	}
	rsrtp_fini(&sc.tx);
	rsrtp_fini(&sc.rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum rsrtp_suite s;

	if (!size)
		return 0;
	setup_once();
	s = (enum rsrtp_suite)(data[0] & 3);
	if (data[0] & 0x08)
		raw(s, data[0] & 0x04, data + 1, size - 1);
	else
		script(s, data[0], data + 1, size - 1);
	return 0;
}
