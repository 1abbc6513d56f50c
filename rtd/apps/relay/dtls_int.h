/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What dtls.c (connections) and dtls_identity.c (the certificate) share. */
#ifndef RELAY_DTLS_INT_H
#define RELAY_DTLS_INT_H

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "apps/relay/dtls.h"

#define RDTLS_REASON_MAX 200

struct rdtls_identity {
	SSL_CTX *ctx;
	X509 *cert;
	BIO_METHOD *bio; /* the connections' datagram BIO */
	unsigned max_conns;
	unsigned conns; /* atomic */
	unsigned refs;  /* atomic: the owner's, and one per connection */
	char fingerprint[RDTLS_FP_STR_MAX];
};

struct rdtls_conn {
	struct rdtls_identity *id;
	SSL *ssl;
	enum rdtls_role role;
	enum rdtls_state state;
	bool started;  /* a client: its first flight went out */
	bool answered; /* a server: it answered a ClientHello */
	bool verified; /* the peer's certificate matched the SDP's */
	bool fed;      /* the SSL has read something since it was made */
	int alert;     /* the last alert the peer sent, level << 8 | description */
	unsigned rto_ms, deadline_ms;
	uint64_t deadline; /* CLOCK_MONOTONIC, ms */
	unsigned nfps, nprofiles;
	struct rdtls_fp fps[RDTLS_PEER_FPS];
	uint16_t profiles[RDTLS_PROFILES];
	/* During one call: the datagram to read, and where datagrams go. */
	const uint8_t *in;
	size_t in_len;
	struct rdtls_out *out;
	struct rdtls_keys keys;
	struct rdtls_stats st;
	char reason[RDTLS_REASON_MAX];
};

/* Whether x is a certificate the SDP named; its digest in seen. */
bool rdtls_peer_matches(const struct rdtls_conn *c, X509 *x, struct rdtls_fp *seen);

/* OpenSSL's error queue as one line after what, into err; the queue is cleared. */
void rdtls_openssl_reason(char *err, size_t errlen, const char *what);
int rdtls_cert_digest(X509 *x, enum rdtls_hash h, struct rdtls_fp *fp);
/* The datagram BIO the connections read and write through. */
BIO_METHOD *rdtls_bio_method(void);
/* The peer's certificate against the SDP's fingerprints, not a chain. */
int rdtls_verify_cert(X509_STORE_CTX *store, void *arg);

#endif
