// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dtls.h's identity: rtd's certificate and key, generated or the
 * operator's, the SSL_CTX every connection is made from, and the PEM file
 * rtd keeps its own in, so that a restart keeps its fingerprint.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "apps/relay/dtls_int.h"

/*
 * ECDHE only (forward secrecy), AEAD first; the CBC suites last for SIP
 * stacks of before 2015.  What Chrome and Firefox offer is all in it.
 */
static const char rdtls_ciphers[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
	"ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static int ctx_new(struct rdtls_identity *id, EVP_PKEY *key, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(DTLS_method());

	if (!ctx) {
		rdtls_openssl_reason(err, errlen, "SSL_CTX_new");
		return -ENOMEM;
	}
	/*
	 * DTLS 1.2 only: RFC 8827 section 6.5 requires it of WebRTC, and
	 * 1.0's PRF is MD5/SHA-1.  No renegotiation (RFC 8827 leaves it out,
	 * and new keys would not reach SRTP), no tickets nor session cache
	 * (one association per stream, never resumed), no MTU discovery
	 * (the BIO has no socket: RDTLS_MTU).
	 */
	if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, rdtls_ciphers) || !SSL_CTX_use_certificate(ctx, id->cert) ||
	    !SSL_CTX_use_PrivateKey(ctx, key) || !SSL_CTX_check_private_key(ctx)) {
		rdtls_openssl_reason(err, errlen, "the DTLS context");
		SSL_CTX_free(ctx);
		return -EIO;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
					 SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* Read and write buffers go back when empty (end() does the rest). */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, rdtls_verify_cert, NULL);
	id->ctx = ctx;
	return 0;
}

/* The rest of an identity, once it has its certificate; takes key. */
static int identity_finish(struct rdtls_identity *id, EVP_PKEY *key, unsigned max_conns,
			   char *err, size_t errlen)
{
	struct rdtls_fp fp;
	int ret;

	id->max_conns = max_conns ? max_conns : RDTLS_MAX_CONNS;
	ret = ctx_new(id, key, err, errlen);
	EVP_PKEY_free(key);
	if (ret)
		return ret;
	id->bio = rdtls_bio_method();
	if (!id->bio) {
		snprintf(err, errlen, "BIO_meth_new failed");
		return -ENOMEM;
	}
	ret = rdtls_cert_digest(id->cert, RDTLS_SHA256, &fp);
	if (!ret && rdtls_fp_format(&fp, id->fingerprint, sizeof(id->fingerprint)) < 0)
		ret = -EIO;
	if (ret)
		snprintf(err, errlen, "the certificate's fingerprint");
	return ret;
}

static int self_signed(X509 *x, EVP_PKEY *key)
{
	X509_NAME *name = X509_get_subject_name(x);
	uint8_t serial[8];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return 0;
	serial[0] &= 0x7f; /* positive (RFC 5280 section 4.1.2.2) */
	serial[0] |= 0x40; /* and eight bytes long, whatever the draw */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok && X509_set_version(x, X509_VERSION_3) &&
	       X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) &&
	       X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) &&
	       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"rtd",
					  -1, -1, 0) &&
	       X509_set_issuer_name(x, name) && X509_set_pubkey(x, key) &&
	       X509_sign(x, key, EVP_sha256()) > 0;
}

int rdtls_identity_new(struct rdtls_identity **out, unsigned max_conns, char *err, size_t errlen)
{
	struct rdtls_identity *id = calloc(1, sizeof(*id));
	EVP_PKEY *key;
	int ret;

	*out = NULL;
	if (!id)
		return -ENOMEM;
	id->refs = 1;
	key = EVP_EC_gen("P-256");
	if (!key) {
		rdtls_openssl_reason(err, errlen, "a P-256 key");
		ret = -EIO;
		goto err_id;
	}
	id->cert = X509_new();
	if (!id->cert || !self_signed(id->cert, key)) {
		rdtls_openssl_reason(err, errlen, "a self-signed certificate");
		EVP_PKEY_free(key);
		ret = -EIO;
		goto err_id;
	}
	ret = identity_finish(id, key, max_conns, err, errlen);
	if (ret)
		goto err_id;
	*out = id;
	return 0;
err_id:
	rdtls_identity_free(id);
	return ret;
}

static int read_pem(const char *path, X509 **cert, EVP_PKEY **key, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "'%s': %s", path, strerror(errno));
		return ret;
	}
	if (cert && !(*cert = PEM_read_X509(f, NULL, no_passphrase, NULL))) {
		snprintf(err, errlen, "'%s' holds no PEM certificate", path);
		ret = -EINVAL;
	}
	if (key && !(*key = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL))) {
		snprintf(err, errlen, "'%s' holds no PEM private key (or an encrypted one)", path);
		ret = -EINVAL;
	}
	ERR_clear_error();
	fclose(f);
	return ret;
}

int rdtls_identity_load(struct rdtls_identity **out, const char *cert_path, const char *key_path,
			unsigned max_conns, char *err, size_t errlen)
{
	struct rdtls_identity *id = calloc(1, sizeof(*id));
	EVP_PKEY *key = NULL;
	int ret, der;

	*out = NULL;
	if (!id)
		return -ENOMEM;
	id->refs = 1;
	ret = read_pem(cert_path, &id->cert, NULL, err, errlen);
	if (!ret)
		ret = read_pem(key_path, NULL, &key, err, errlen);
	if (ret)
		goto err_id;
	der = i2d_X509(id->cert, NULL);
	if (der <= 0 || der > RDTLS_CERT_MAX) {
		snprintf(err, errlen, "'%s': a certificate of %d bytes, more than a flight holds (%d)",
			 cert_path, der, RDTLS_CERT_MAX);
		ret = -EFBIG;
		goto err_key;
	}
	if (X509_check_private_key(id->cert, key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "'%s' is not the key of '%s'", key_path, cert_path);
		ret = -EINVAL;
		goto err_key;
	}
	ret = identity_finish(id, key, max_conns, err, errlen);
	if (ret)
		goto err_id;
	*out = id;
	return 0;
err_key:
	EVP_PKEY_free(key);
err_id:
	rdtls_identity_free(id);
	return ret;
}

const char *rdtls_identity_fingerprint(const struct rdtls_identity *id)
{
	return id->fingerprint;
}

int rdtls_identity_digest(const struct rdtls_identity *id, enum rdtls_hash h,
			  struct rdtls_fp *fp)
{
	return rdtls_cert_digest(id->cert, h, fp);
}

int rdtls_identity_pem(const struct rdtls_identity *id, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ret;

	if (!b)
		return -ENOMEM;
	if (!PEM_write_bio_X509(b, id->cert)) {
		ERR_clear_error();
		BIO_free(b);
		return -ENOMEM;
	}
	n = BIO_get_mem_data(b, &p);
	ret = n >= 0 && (size_t)n < cap ? (int)n : -ENOSPC;
	if (ret >= 0) {
		memcpy(out, p, (size_t)n);
		out[n] = 0;
	}
	BIO_free(b);
	return ret;
}

unsigned rdtls_identity_conns(const struct rdtls_identity *id)
{
	return __atomic_load_n(&id->conns, __ATOMIC_RELAXED);
}

void rdtls_identity_free(struct rdtls_identity *id)
{
	if (!id || __atomic_sub_fetch(&id->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	SSL_CTX_free(id->ctx);
	X509_free(id->cert);
	BIO_meth_free(id->bio);
	free(id);
}

int rdtls_identity_save(const struct rdtls_identity *id, const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	EVP_PKEY *key = SSL_CTX_get0_privatekey(id->ctx);
	FILE *f;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* The key's file: the owner's alone, from its first byte. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "'%s': %s", tmp, strerror(errno));
		return -errno;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	ok = key && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) &&
	     PEM_write_X509(f, id->cert);
	ERR_clear_error();
	if (fclose(f) || !ok || rename(tmp, path)) {
		snprintf(err, errlen, "'%s': cannot write it", path);
		unlink(tmp);
		return -EIO;
	}
	return 0;
}
