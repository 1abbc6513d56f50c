// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The connections of dtls.h on OpenSSL 3.0: a handshake driven by the
 * datagrams fed and the timer, its keys exported, its end.  The identity
 * is dtls_identity.c's, the BIO and the peer's check dtls_io.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "apps/relay/dtls_int.h"

#define RDTLS_LABEL "EXTRACTOR-dtls_srtp"


static const struct rdtls_prof {
	uint16_t id;
	const char *name;    /* RFC 5764's and RFC 7714's */
	const char *openssl; /* SSL_set_tlsext_use_srtp's */
	uint8_t key, salt;
} profs[] = {
	{ RDTLS_AEAD_AES_256_GCM, "AEAD_AES_256_GCM", "SRTP_AEAD_AES_256_GCM", 32, 12 },
	{ RDTLS_AEAD_AES_128_GCM, "AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", 16, 12 },
	{ RDTLS_AES128_CM_SHA1_80, "AES128_CM_SHA1_80", "SRTP_AES128_CM_SHA1_80", 16, 14 },
	{ RDTLS_AES128_CM_SHA1_32, "AES128_CM_SHA1_32", "SRTP_AES128_CM_SHA1_32", 16, 14 },
};



static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* OpenSSL's reason for what just failed, and its queue emptied (it is the
 * thread's: the next caller must not read ours). */
void rdtls_openssl_reason(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (r)
		snprintf(err, errlen, "%s: %s", what, r);
	else
		snprintf(err, errlen, "%s", what);
	ERR_clear_error();
}

const char *rdtls_profile_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(profs) / sizeof(profs[0]); i++)
		if (profs[i].id == id)
			return profs[i].name;
	return NULL;
}

static const struct rdtls_prof *prof_of(uint16_t id)
{
	for (size_t i = 0; i < sizeof(profs) / sizeof(profs[0]); i++)
		if (profs[i].id == id)
			return &profs[i];
	return NULL;
}

static const EVP_MD *md_of(enum rdtls_hash h)
{
	switch (h) {
	case RDTLS_SHA1:
		return EVP_sha1();
	case RDTLS_SHA224:
		return EVP_sha224();
	case RDTLS_SHA256:
		return EVP_sha256();
	case RDTLS_SHA384:
		return EVP_sha384();
	case RDTLS_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

int rdtls_cert_digest(X509 *x, enum rdtls_hash h, struct rdtls_fp *fp)
{
	const EVP_MD *md = md_of(h);
	unsigned n = 0;

	memset(fp, 0, sizeof(*fp));
	if (!md)
		return -EINVAL;
	if (!X509_digest(x, md, fp->md, &n) || n > RDTLS_FP_MAX) {
		ERR_clear_error();
		return -EIO;
	}
	fp->hash = h;
	fp->len = (uint8_t)n;
	return 0;
}

/* ---- A connection ---- */

static void set_reason(struct rdtls_conn *c, const char *fmt, const char *arg)
{
	if (!c->reason[0])
		snprintf(c->reason, sizeof(c->reason), fmt, arg);
}

static void wipe_keys(struct rdtls_conn *c)
{
	explicit_bzero(&c->keys, sizeof(c->keys));
}

static void fail(struct rdtls_conn *c, const char *why)
{
	set_reason(c, "%s", why);
	c->state = RDTLS_FAILED;
	wipe_keys(c);
}

static void closed(struct rdtls_conn *c, const char *why)
{
	set_reason(c, "%s", why);
	c->state = RDTLS_CLOSED;
	wipe_keys(c);
}

/* Where OpenSSL increases its retransmission timeout (in us). */
static unsigned int timer_cb(SSL *ssl, unsigned int us)
{
	struct rdtls_conn *c = SSL_get_app_data(ssl);
	unsigned long next = 2ul * us;

	if (!us)
		return c->rto_ms * 1000u;
	c->st.retransmits++;
	return next > RDTLS_RTO_MAX_MS * 1000ul ? RDTLS_RTO_MAX_MS * 1000u : (unsigned)next;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	struct rdtls_conn *c = SSL_get_app_data(ssl);

	/* SSL_CB_READ_ALERT is two bits: one alone is any alert, or any read. */
	if (c && (where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT) {
		c->alert = ret;
		c->st.alerts++;
	}
}

static bool peer_fatal(const struct rdtls_conn *c)
{
	return (c->alert >> 8) == SSL3_AL_FATAL;
}

static int profile_list(const struct rdtls_conn *c, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = 0;
	for (unsigned i = 0; i < c->nprofiles; i++) {
		const struct rdtls_prof *p = prof_of(c->profiles[i]);
		int w = snprintf(out + n, cap - n, "%s%s", n ? ":" : "", p->openssl);

		if (w < 0 || (size_t)w >= cap - n)
			return -ENOSPC;
		n += (size_t)w;
	}
	return 0;
}

static int ssl_new(struct rdtls_conn *c)
{
	char list[128];
	SSL *ssl;
	BIO *b;

	if (profile_list(c, list, sizeof(list)))
		return -EINVAL;
	ssl = SSL_new(c->id->ctx);
	if (!ssl)
		goto err;
	b = BIO_new(c->id->bio);
	if (!b)
		goto err_ssl;
	BIO_set_data(b, c);
	BIO_set_init(b, 1);
	SSL_set_bio(ssl, b, b);
	SSL_set_app_data(ssl, c);
	/* SSL_set_tlsext_use_srtp is 0 on success. */
	if (SSL_set_tlsext_use_srtp(ssl, list) || !SSL_set_mtu(ssl, RDTLS_MTU))
		goto err_ssl;
	DTLS_set_timer_cb(ssl, timer_cb);
	SSL_set_info_callback(ssl, info_cb);
	if (c->role == RDTLS_CLIENT)
		SSL_set_connect_state(ssl);
	else
		SSL_set_accept_state(ssl);
	c->ssl = ssl;
	return 0;
err_ssl:
	SSL_free(ssl);
err:
	ERR_clear_error();
	return -ENOMEM;
}

static int opts_check(const struct rdtls_conn_opts *o)
{
	if (o->role != RDTLS_CLIENT && o->role != RDTLS_SERVER)
		return -EINVAL;
	if (!o->fps || !o->nfps || o->nfps > RDTLS_PEER_FPS)
		return -EINVAL;
	for (unsigned i = 0; i < o->nfps; i++)
		if (!md_of(o->fps[i].hash) || o->fps[i].len != EVP_MD_get_size(md_of(o->fps[i].hash)))
			return -EINVAL;
	for (unsigned i = 0; i < RDTLS_PROFILES && o->profiles[i]; i++) {
		if (!prof_of(o->profiles[i]))
			return -EINVAL;
		for (unsigned k = 0; k < i; k++)
			if (o->profiles[k] == o->profiles[i])
				return -EINVAL; /* OpenSSL refuses a list that repeats */
	}
	return o->rto_ms > RDTLS_RTO_MAX_MS ? -EINVAL : 0;
}

static void conn_config(struct rdtls_conn *c, const struct rdtls_conn_opts *o)
{
	c->role = o->role;
	c->nfps = o->nfps;
	memcpy(c->fps, o->fps, o->nfps * sizeof(*o->fps));
	for (unsigned i = 0; i < RDTLS_PROFILES && o->profiles[i]; i++)
		c->profiles[c->nprofiles++] = o->profiles[i];
	if (!c->nprofiles)
		for (unsigned i = 0; i < RDTLS_PROFILES; i++)
			c->profiles[c->nprofiles++] = profs[i].id;
	c->rto_ms = o->rto_ms ? o->rto_ms : RDTLS_RTO_MS;
	c->deadline_ms = o->deadline_ms ? o->deadline_ms : RDTLS_DEADLINE_MS;
	c->deadline = now_ms() + c->deadline_ms;
}

int rdtls_conn_new(struct rdtls_conn **out, struct rdtls_identity *id,
		   const struct rdtls_conn_opts *o)
{
	struct rdtls_conn *c;
	int ret = opts_check(o);

	*out = NULL;
	if (ret)
		return ret;
	if (__atomic_add_fetch(&id->conns, 1, __ATOMIC_ACQ_REL) > id->max_conns) {
		ret = -EMFILE;
		goto err_count;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ret = -ENOMEM;
		goto err_count;
	}
	c->id = id;
	conn_config(c, o);
	ret = ssl_new(c);
	if (ret)
		goto err_conn;
	__atomic_add_fetch(&id->refs, 1, __ATOMIC_ACQ_REL);
	*out = c;
	return 0;
err_conn:
	free(c);
err_count:
	__atomic_sub_fetch(&id->conns, 1, __ATOMIC_ACQ_REL);
	return ret;
}

void rdtls_conn_free(struct rdtls_conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);
	__atomic_sub_fetch(&c->id->conns, 1, __ATOMIC_ACQ_REL);
	rdtls_identity_free(c->id);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/* SRTP's master keys from the association (RFC 5764 section 4.2):
 * client key, server key, client salt, server salt. */
static int export_keys(struct rdtls_conn *c, const struct rdtls_prof *p)
{
	uint8_t km[2 * (RDTLS_KEY_MAX + RDTLS_SALT_MAX)];
	size_t k = p->key, s = p->salt;
	struct rdtls_srtp_key *cl, *sv;

	if (SSL_export_keying_material(c->ssl, km, 2 * (k + s), RDTLS_LABEL,
				       sizeof(RDTLS_LABEL) - 1, NULL, 0, 0) != 1)
		return -EIO;
	c->keys.profile = p->id;
	c->keys.key_len = (uint8_t)k;
	c->keys.salt_len = (uint8_t)s;
	cl = c->role == RDTLS_CLIENT ? &c->keys.local : &c->keys.remote;
	sv = c->role == RDTLS_CLIENT ? &c->keys.remote : &c->keys.local;
	memcpy(cl->key, km, k);
	memcpy(sv->key, km + k, k);
	memcpy(cl->salt, km + 2 * k, s);
	memcpy(sv->salt, km + 2 * k + s, s);
	explicit_bzero(km, sizeof(km));
	return 0;
}

static bool offered(const struct rdtls_conn *c, uint16_t id)
{
	for (unsigned i = 0; i < c->nprofiles; i++)
		if (c->profiles[i] == id)
			return true;
	return false;
}

/*
 * OpenSSL says the handshake is over: done only with the certificate the
 * SDP named (checked again: whatever path OpenSSL took) and a profile of
 * ours; else failed, and a close_notify tells the peer.
 */
static void finish(struct rdtls_conn *c)
{
	X509 *peer = SSL_get0_peer_certificate(c->ssl);
	const SRTP_PROTECTION_PROFILE *sp = SSL_get_selected_srtp_profile(c->ssl);
	const struct rdtls_prof *p = sp ? prof_of((uint16_t)sp->id) : NULL;
	struct rdtls_fp seen;

	if (!peer || !c->verified || !rdtls_peer_matches(c, peer, &seen))
		fail(c, "the handshake ended without a verified peer certificate");
	else if (!sp)
		fail(c, "the peer agreed to no SRTP profile (use_srtp, RFC 5764 section 4.1.1)");
	else if (!p || !offered(c, p->id))
		fail(c, "the peer chose an SRTP profile rtd did not offer");
	else if (export_keys(c, p))
		fail(c, "exporting the SRTP keys failed");
	else
		c->state = RDTLS_DONE;
	if (c->state == RDTLS_FAILED)
		SSL_shutdown(c->ssl);
	ERR_clear_error();
}

/* A server that has answered no ClientHello starts again: stray bytes
 * (or a forged first datagram) must not end what the peer has yet to
 * begin.  Nothing it wrote (an alert) leaves. */
static int server_reset(struct rdtls_conn *c)
{
	SSL_free(c->ssl);
	c->ssl = NULL;
	c->alert = 0;
	c->verified = false;
	c->reason[0] = 0;
	c->fed = false;
	if (c->out)
		c->out->n = 0;
	c->st.resets++;
	return ssl_new(c);
}

static void handshake_failed(struct rdtls_conn *c, int e)
{
	char why[RDTLS_REASON_MAX];

	if (c->role == RDTLS_SERVER && !c->answered && !c->reason[0] && !peer_fatal(c)) {
		ERR_clear_error();
		if (!server_reset(c))
			return;
		snprintf(why, sizeof(why), "restarting the server failed");
	} else if (peer_fatal(c)) {
		snprintf(why, sizeof(why), "the peer sent a fatal alert: %s",
			 SSL_alert_desc_string_long(c->alert));
	} else if (e == SSL_ERROR_ZERO_RETURN) {
		snprintf(why, sizeof(why), "the peer closed the association during the handshake");
	} else {
		rdtls_openssl_reason(why, sizeof(why), "the handshake failed");
	}
	ERR_clear_error();
	fail(c, why);
}

static void read_records(struct rdtls_conn *c);

static void handshake(struct rdtls_conn *c)
{
	int r, e;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		finish(c);
		if (c->state == RDTLS_DONE)
			read_records(c); /* what came in the same datagram */
		return;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return;
	}
	handshake_failed(c, e);
}

/* Once done: alerts, retransmissions and application data. */
static void read_records(struct rdtls_conn *c)
{
	uint8_t buf[RDTLS_DGRAM_MAX];

	for (;;) {
		int r, e;

		ERR_clear_error();
		r = SSL_read(c->ssl, buf, sizeof(buf));
		if (r > 0) {
			c->st.appdata++;
			continue;
		}
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_ZERO_RETURN) {
			closed(c, "the peer closed the association (close_notify)");
			SSL_shutdown(c->ssl);
		} else if (e == SSL_ERROR_SSL && peer_fatal(c)) {
			char why[RDTLS_REASON_MAX];

			snprintf(why, sizeof(why), "the peer sent a fatal alert: %s",
				 SSL_alert_desc_string_long(c->alert));
			closed(c, why);
		}
		/* Anything else OpenSSL refused is dropped: the keys stand. */
		break;
	}
	explicit_bzero(buf, sizeof(buf));
	ERR_clear_error();
}

/* A call's datagrams go to out; nothing is held between calls. */
static void begin(struct rdtls_conn *c, struct rdtls_out *out)
{
	out->n = 0;
	c->out = out;
}

/*
 * The read and write buffers (34 KB) go back once no retransmission timer
 * runs (done, or a server awaiting its ClientHello): OpenSSL 3.0's
 * DTLSv1_handle_timeout writes through the write buffer without making it
 * again (a crash), while reading makes both.
 */
static void end(struct rdtls_conn *c)
{
	struct timeval tv;

	c->out = NULL;
	c->in = NULL;
	if (c->ssl && !DTLSv1_get_timeout(c->ssl, &tv) && !SSL_free_buffers(c->ssl))
		ERR_clear_error();
}

static unsigned rd24(const uint8_t *p)
{
	return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
}

/* One record holding all of a ClientHello, unfragmented (RFC 6347
 * sections 4.1 and 4.2.2): epoch 0, handshake, type 1, offset 0. */
static bool whole_clienthello(const uint8_t *d, size_t len)
{
	unsigned rec, msg;

	if (len < 13 + 12 || d[0] != 22 || d[1] != 0xfe || d[3] || d[4] || d[13] != 1)
		return false;
	rec = (unsigned)d[11] << 8 | d[12];
	msg = rd24(d + 14);
	return 13u + rec == len && 12u + msg == rec && !rd24(d + 19) && rd24(d + 22) == msg;
}

/*
 * Before a server answers, what it read may have left it holding a
 * forged fragment of message 0, or a record number the real ClientHello
 * then repeats: a whole ClientHello starts it afresh.  A ClientHello in
 * fragments (DTLS 1.3 clients with large key shares) still reassembles.
 */
static int server_ready(struct rdtls_conn *c, const uint8_t *d, size_t len)
{
	if (c->role != RDTLS_SERVER || c->answered || !c->fed || !whole_clienthello(d, len))
		return 0;
	return server_reset(c);
}

int rdtls_conn_feed(struct rdtls_conn *c, const uint8_t *d, size_t len, struct rdtls_out *out)
{
	if (!c || !out || (!d && len))
		return -EINVAL;
	out->n = 0;
	if (len > RDTLS_DGRAM_MAX) {
		c->st.oversize++;
		return -EMSGSIZE;
	}
	c->st.in++;
	if (c->state == RDTLS_FAILED || c->state == RDTLS_CLOSED || !len) {
		c->st.ignored++;
		return 0;
	}
	begin(c, out);
	c->in = d;
	c->in_len = len;
	if (c->state == RDTLS_HANDSHAKING) {
		c->started = true;
		if (server_ready(c, d, len)) {
			fail(c, "restarting the server failed");
		} else {
			c->fed = true;
			handshake(c);
		}
	} else {
		read_records(c);
	}
	end(c);
	return 0;
}

int rdtls_conn_timeout_ms(const struct rdtls_conn *c)
{
	struct timeval tv;
	uint64_t now = now_ms();
	int64_t left;

	if (c->state != RDTLS_HANDSHAKING)
		return -1;
	if (c->role == RDTLS_CLIENT && !c->started)
		return 0;
	left = now >= c->deadline ? 0 : (int64_t)(c->deadline - now);
	if (DTLSv1_get_timeout(c->ssl, &tv)) {
		/* Rounded up: woken a little early, the timer would do nothing. */
		int64_t t = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;

		if (t < left)
			left = t;
	}
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

static void timed_out(struct rdtls_conn *c)
{
	char why[RDTLS_REASON_MAX];
	unsigned ms = c->deadline_ms;

	if (ms % 1000)
		snprintf(why, sizeof(why), "the handshake timed out after %u ms", ms);
	else
		snprintf(why, sizeof(why), "the handshake timed out after %u s", ms / 1000);
	fail(c, why);
}

int rdtls_conn_timer(struct rdtls_conn *c, struct rdtls_out *out)
{
	if (!c || !out)
		return -EINVAL;
	out->n = 0;
	if (c->state != RDTLS_HANDSHAKING)
		return 0;
	if (now_ms() >= c->deadline) {
		timed_out(c);
		return 0;
	}
	begin(c, out);
	if (c->role == RDTLS_CLIENT && !c->started) {
		c->started = true;
		handshake(c);
	} else {
		ERR_clear_error();
		if (DTLSv1_handle_timeout(c->ssl) < 0)
			handshake_failed(c, SSL_ERROR_SSL);
		ERR_clear_error();
	}
	end(c);
	return 0;
}

/* Before a write end() may have left without buffers: a read with nothing
 * to read makes both again (it returns "want read", having read nothing). */
static void buffers_back(struct rdtls_conn *c)
{
	uint8_t b[1];

	ERR_clear_error();
	if (SSL_read(c->ssl, b, sizeof(b)) > 0)
		c->st.appdata++;
	ERR_clear_error();
}

int rdtls_conn_close(struct rdtls_conn *c, struct rdtls_out *out)
{
	if (!c || !out)
		return -EINVAL;
	out->n = 0;
	if (c->state == RDTLS_FAILED || c->state == RDTLS_CLOSED)
		return 0;
	begin(c, out);
	if (c->state == RDTLS_DONE) {
		buffers_back(c);
		SSL_shutdown(c->ssl);
		ERR_clear_error();
		closed(c, "rtd closed the association");
	} else {
		fail(c, "rtd closed the association during the handshake");
	}
	end(c);
	return 0;
}

enum rdtls_state rdtls_conn_state(const struct rdtls_conn *c)
{
	return c->state;
}

const char *rdtls_conn_reason(const struct rdtls_conn *c)
{
	return c->reason;
}

int rdtls_conn_keys(const struct rdtls_conn *c, struct rdtls_keys *k)
{
	switch (c->state) {
	case RDTLS_DONE:
		*k = c->keys;
		return 0;
	case RDTLS_HANDSHAKING:
		return -EAGAIN;
	case RDTLS_CLOSED:
		return -ESHUTDOWN;
	default:
		return -ENOTCONN;
	}
}

void rdtls_conn_stats(const struct rdtls_conn *c, struct rdtls_stats *st)
{
	*st = c->st;
}
