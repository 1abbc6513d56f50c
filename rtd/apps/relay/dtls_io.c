// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where a connection's SSL meets the world: the datagram BIO it reads and
 * writes through, and the check of the peer's certificate against the
 * SDP's fingerprints.  The BIO holds no bytes: a read returns the
 * datagram being fed, once; a write is one datagram into the caller's
 * rdtls_out.  OpenSSL's DTLS writes each datagram with one BIO_write, so
 * datagram boundaries survive, which a memory BIO would lose.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "apps/relay/dtls_int.h"

static int bio_write(BIO *b, const char *data, int len)
{
	struct rdtls_conn *c = BIO_get_data(b);
	struct rdtls_out *o = c->out;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	/* Nowhere to put it, or too much of it: lost, as the wire would
	 * lose it; the retransmission timer covers both. */
	if (!o || o->n >= RDTLS_OUT_MAX || len > RDTLS_DGRAM_MAX) {
		c->st.out_lost++;
		return len;
	}
	memcpy(o->data[o->n], data, (size_t)len);
	o->len[o->n++] = (uint16_t)len;
	c->st.out++;
	/* A handshake record from a server: it took a ClientHello. */
	if (c->role == RDTLS_SERVER && data[0] == 22)
		c->answered = true;
	return len;
}

static int bio_read(BIO *b, char *buf, int size)
{
	struct rdtls_conn *c = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!c->in || size <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = c->in_len < (size_t)size ? c->in_len : (size_t)size;
	memcpy(buf, c->in, n);
	c->in = NULL;
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return RDTLS_MTU;
	default: /* no pending bytes, no peer address, no MTU overhead */
		return 0;
	}
}

BIO_METHOD *rdtls_bio_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rdtls");

	if (!m)
		return NULL;
	if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
	    !BIO_meth_set_ctrl(m, bio_ctrl)) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* ---- Verifying the peer ---- */

/* Whether x is what the SDP said: one of the fingerprints of the
 * strongest hash given (RFC 8122 section 5); seen gets x's. */
bool rdtls_peer_matches(const struct rdtls_conn *c, X509 *x, struct rdtls_fp *seen)
{
	enum rdtls_hash best = RDTLS_SHA1;

	for (unsigned i = 0; i < c->nfps; i++)
		if (c->fps[i].hash > best)
			best = c->fps[i].hash;
	if (rdtls_cert_digest(x, best, seen))
		return false;
	for (unsigned i = 0; i < c->nfps; i++)
		if (c->fps[i].hash == best && c->fps[i].len == seen->len &&
		    !memcmp(c->fps[i].md, seen->md, seen->len))
			return true;
	return false;
}

/* "AB:CD:EF:01:23:45:67:89...": enough of a fingerprint for a log line. */
static void fp_head(const struct rdtls_fp *fp, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = 0;
	for (unsigned i = 0; i < fp->len && i < 8 && n + 4 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%02X", i ? ":" : "", fp->md[i]);
	if (fp->len > 8)
		snprintf(out + n, cap - n, "...");
}

static void mismatch(struct rdtls_conn *c, const struct rdtls_fp *seen)
{
	const struct rdtls_fp *want = &c->fps[0];
	char got[40], sdp[40];

	for (unsigned i = 0; i < c->nfps; i++)
		if (c->fps[i].hash == seen->hash)
			want = &c->fps[i];
	fp_head(seen, got, sizeof(got));
	fp_head(want, sdp, sizeof(sdp));
	snprintf(c->reason, sizeof(c->reason),
		 "the peer's certificate fingerprint differs from the SDP's (%s %s, the SDP says %s)",
		 rdtls_hash_name(seen->hash), got, sdp);
}

/*
 * In place of OpenSSL's chain verification: self-signed certificates are
 * the norm and the SDP's fingerprint is the trust (RFC 5763 section 5),
 * so neither issuer nor validity is looked at.  Failing here makes
 * OpenSSL send bad_certificate and stop before Finished.
 */
int rdtls_verify_cert(X509_STORE_CTX *store, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct rdtls_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *x = X509_STORE_CTX_get0_cert(store);
	struct rdtls_fp seen;

	(void)arg;
	if (!c || !x)
		return 0;
	if (rdtls_peer_matches(c, x, &seen)) {
		c->verified = true;
		return 1;
	}
	mismatch(c, &seen);
	X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
	return 0;
}
