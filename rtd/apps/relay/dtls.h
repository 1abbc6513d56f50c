/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DTLS-SRTP (RFC 5763, RFC 5764) for the relay's WebRTC legs: the keys of
 * a leg's SRTP come from a DTLS 1.2 handshake on its media port.  On
 * OpenSSL, with no socket, no thread and no clock but the monotonic one:
 * a datagram in, the datagrams to send out, and once the handshake is done
 * the SRTP master keys for the RT thread's transform.
 *
 *   identity    one certificate for the process (generated at start, or
 *               the operator's PEM files) and its a=fingerprint
 *   connection  one DTLS association per DTLS stream (RTP, or RTCP when
 *               not muxed): a role, the peer's a=fingerprint, datagrams in
 *               and out, a timer, and its keys
 *   SDP         a=fingerprint parsed and written (RFC 8122), and the
 *               a=setup negotiation (RFC 5763 section 5, RFC 4145)
 *
 * A connection belongs to one thread at a time (the handshake thread); an
 * identity may be shared by any threads.  Nothing here blocks.
 */
#ifndef RELAY_DTLS_H
#define RELAY_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bounds.  A datagram in or out is at most RDTLS_DGRAM_MAX: what one
 * Ethernet frame carries over IPv4 (1500 - 20 - 8), and relay.h's
 * RELAY_HS_MAX, so every datagram fits one handshake ring slot; longer
 * ones are refused, counted, never read.  rtd cuts its own flights to
 * RDTLS_MTU, as browsers do: 1200 leaves room for IPv6 (minimum MTU 1280)
 * and a TURN or tunnel header.  One call yields at most RDTLS_OUT_MAX
 * datagrams: the largest flight, a server's with a RDTLS_CERT_MAX
 * certificate, is four of them (measured: about 4.7 KB).
 */
#define RDTLS_DGRAM_MAX 1472
#define RDTLS_MTU 1200
#define RDTLS_OUT_MAX 8
#define RDTLS_CERT_MAX 4096

/*
 * Time.  The first retransmission after RDTLS_RTO_MS, doubling up to
 * RDTLS_RTO_MAX_MS (RFC 6347 section 4.2.4.1 suggests 1 s; a call waits
 * for this handshake, and ICE has already measured a path whose round
 * trip is well under 400 ms).  A handshake not done RDTLS_DEADLINE_MS
 * after rdtls_conn_new fails: ICE consent (RFC 7675) gives up on a silent
 * peer after 30 s, so a handshake slower than that has no path left.
 */
#define RDTLS_RTO_MS 400
#define RDTLS_RTO_MAX_MS 8000
#define RDTLS_DEADLINE_MS 30000

/*
 * How many connections one identity holds at a time unless told
 * otherwise: two DTLS transports for each of the relay's 4096 calls
 * (relay.h's RELAY_MAX_STREAMS / 4; browsers bundle and mux, RFC 8843 and
 * RFC 8829).  A connection holds about 42 KB for its whole life
 * (rdtls_conn_new says why), so 8192 of them about 340 MB.  The next
 * rdtls_conn_new is -EMFILE.
 */
#define RDTLS_MAX_CONNS 8192

/* ---- a=fingerprint (RFC 8122 section 5) ---- */

enum rdtls_hash {
	RDTLS_SHA1 = 1,
	RDTLS_SHA224,
	RDTLS_SHA256,
	RDTLS_SHA384,
	RDTLS_SHA512,
};

#define RDTLS_FP_MAX 64                       /* SHA-512's bytes */
#define RDTLS_FP_STR_MAX (8 + 3 * RDTLS_FP_MAX) /* "sha-512 " + "AB:" x 64, NUL */
#define RDTLS_PEER_FPS 4                      /* a=fingerprint lines a peer may give */

struct rdtls_fp {
	enum rdtls_hash hash;
	uint8_t len; /* the hash's size, 20-64 */
	uint8_t md[RDTLS_FP_MAX];
};

/*
 * An a=fingerprint value, "sha-256 AB:CD:...": the hash's name in any
 * case, white space, then exactly the hash's size of colon-separated hex
 * pairs (either case; RFC 8122 writes upper case).  White space around it
 * is ignored.  0, or -EINVAL with the reason in err ("sha-256 wants 32
 * bytes, not 31"; md5 and md2 are refused, as RFC 8122 says).
 */
int rdtls_fp_parse(struct rdtls_fp *fp, const char *s, size_t len, char *err, size_t errlen);

/* "sha-256 AB:CD:..." into out: its length, or -ENOSPC, -EINVAL. */
int rdtls_fp_format(const struct rdtls_fp *fp, char *out, size_t cap);

/* "sha-256", or NULL for no hash of this list. */
const char *rdtls_hash_name(enum rdtls_hash h);

/* ---- a=setup (RFC 4145 section 4, RFC 5763 section 5) ---- */

enum rdtls_setup {
	RDTLS_SETUP_NONE, /* no a=setup: RFC 4145's defaults apply */
	RDTLS_SETUP_ACTPASS,
	RDTLS_SETUP_ACTIVE,
	RDTLS_SETUP_PASSIVE,
	RDTLS_SETUP_HOLDCONN,
};

/* rtpengine's DTLS key: what rtd would like, not what it must do. */
enum rdtls_wish {
	RDTLS_WISH_DEFAULT, /* no DTLS key: active where rtd may choose */
	RDTLS_WISH_PASSIVE, /* "passive": the server where rtd may choose */
	RDTLS_WISH_ACTIVE,  /* "active": the client where rtd may choose */
	RDTLS_WISH_OFF,     /* "off", "no", "disable": no DTLS-SRTP */
};

enum rdtls_role {
	RDTLS_ROLE_NONE, /* no handshake (now) */
	RDTLS_CLIENT,    /* setup:active: rtd sends the ClientHello */
	RDTLS_SERVER,    /* setup:passive */
};

/* An a=setup value (any case, white space around it ignored): 0 or -EINVAL. */
int rdtls_setup_parse(const char *s, size_t len, enum rdtls_setup *out);
/* "actpass", ...; NULL for RDTLS_SETUP_NONE (write no a=setup). */
const char *rdtls_setup_word(enum rdtls_setup s);
/* rtpengine's DTLS values, case-sensitive as ng's are: 0 or -EINVAL. */
int rdtls_wish_parse(const char *s, size_t len, enum rdtls_wish *out);

/*
 * What rtd's own offer says: actpass, unless the wish forces a role
 * (RFC 8842 section 5.3 lets an offer say active or passive);
 * RDTLS_SETUP_NONE for off (the offer carries no DTLS).
 */
enum rdtls_setup rdtls_setup_offer(enum rdtls_wish w);

/*
 * rtd answers an offer whose a=setup is `offer`: the role it takes and the
 * a=setup it writes.  actpass: active (RFC 5763 recommends it: the
 * handshake runs beside the answer) unless the wish is passive; active or
 * no a=setup (RFC 4145's default for an offer): passive; passive: active;
 * holdconn: no handshake, answered with holdconn; off: neither.  The wish
 * never overrides what the offer demands.  0, or -EINVAL for values out of
 * the enums.
 */
int rdtls_setup_answer(enum rdtls_setup offer, enum rdtls_wish w, enum rdtls_role *role,
		       enum rdtls_setup *ours);

/*
 * rtd's offer said `ours` (from rdtls_setup_offer); the answer says
 * `answer`: the role rtd takes.  active: server; passive or no a=setup
 * (RFC 4145's default for an answer): client; holdconn: none.  -EPROTO for
 * an answer RFC 5763 forbids: actpass, or the role the offer took itself;
 * -EINVAL for values out of the enums.
 */
int rdtls_setup_answered(enum rdtls_setup ours, enum rdtls_setup answer, enum rdtls_role *role);

/* ---- The identity ---- */

struct rdtls_identity;

/*
 * A fresh ECDSA P-256 key and a self-signed certificate for it: CN "rtd",
 * a random 63-bit serial, valid from a day ago (a peer whose clock is
 * behind ours) for 365 days (a process that runs for months, with calls
 * of days; no peer enforces it, the fingerprint being the trust, but a
 * few log an expired one).  Costs about 2 ms.  max_conns 0 is
 * RDTLS_MAX_CONNS.  0, or -ENOMEM, -EIO with OpenSSL's reason in err.
 */
int rdtls_identity_new(struct rdtls_identity **out, unsigned max_conns, char *err,
		       size_t errlen);

/*
 * The operator's: the first certificate of cert_path and the private key
 * of key_path, both PEM (an encrypted key is refused: rtd starts
 * unattended).  The certificate at most RDTLS_CERT_MAX bytes (DER); a
 * chain after it is not sent (the fingerprint names the leaf).  0, or a
 * negative errno with one line in err naming the file: "'k.pem' is not
 * the key of 'c.pem'".  max_conns 0 is RDTLS_MAX_CONNS.
 */
int rdtls_identity_load(struct rdtls_identity **out, const char *cert_path, const char *key_path,
			unsigned max_conns, char *err, size_t errlen);

/*
 * The key and certificate into path as PEM (mode 0600, written whole and
 * renamed), which rdtls_identity_load reads back with path for both: a
 * restart keeps the fingerprint its calls' peers know.  0, or a negative
 * errno with one line in err.
 */
int rdtls_identity_save(const struct rdtls_identity *id, const char *path, char *err,
			size_t errlen);

/* What the SDP's a=fingerprint says: "sha-256 AB:CD:...". */
const char *rdtls_identity_fingerprint(const struct rdtls_identity *id);
/* The certificate's fingerprint with another hash (a peer's, say). */
int rdtls_identity_digest(const struct rdtls_identity *id, enum rdtls_hash h,
			  struct rdtls_fp *fp);
/* The certificate as PEM, NUL-terminated: its length, or -ENOSPC. */
int rdtls_identity_pem(const struct rdtls_identity *id, char *out, size_t cap);
/* Connections alive on it. */
unsigned rdtls_identity_conns(const struct rdtls_identity *id);
/* Drops the caller's hold: connections still alive keep it until freed. */
void rdtls_identity_free(struct rdtls_identity *id);

/* ---- A connection ---- */

/* DTLS-SRTP protection profiles (RFC 5764 section 4.1.2, RFC 7714 section 14.2). */
enum rdtls_profile {
	RDTLS_AES128_CM_SHA1_80 = 0x0001,
	RDTLS_AES128_CM_SHA1_32 = 0x0002,
	RDTLS_AEAD_AES_128_GCM = 0x0007,
	RDTLS_AEAD_AES_256_GCM = 0x0008,
};

#define RDTLS_PROFILES 4

/* "AEAD_AES_256_GCM", ...; NULL for an id not of the list. */
const char *rdtls_profile_name(uint16_t id);

enum rdtls_state {
	RDTLS_HANDSHAKING,
	RDTLS_DONE,   /* keys exported: the peer proved the SDP's certificate */
	RDTLS_FAILED, /* never done; rdtls_conn_reason says why */
	RDTLS_CLOSED, /* was done; the peer ended it: its keys are void */
};

struct rdtls_conn_opts {
	enum rdtls_role role; /* RDTLS_CLIENT or RDTLS_SERVER */
	/*
	 * The peer's a=fingerprint values (1 to RDTLS_PEER_FPS): its
	 * certificate must match one of those of the strongest hash among
	 * them (RFC 8122 section 5).
	 */
	const struct rdtls_fp *fps;
	unsigned nfps;
	/* Offered (client) or accepted (server) in this order of preference;
	 * all 0: AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES128_CM_SHA1_80,
	 * AES128_CM_SHA1_32.  A server chooses by its own order. */
	uint16_t profiles[RDTLS_PROFILES];
	unsigned rto_ms;      /* 0: RDTLS_RTO_MS */
	unsigned deadline_ms; /* 0: RDTLS_DEADLINE_MS */
};

/* What one call yields to send, in order, to the peer. */
struct rdtls_out {
	unsigned n;
	uint16_t len[RDTLS_OUT_MAX];
	uint8_t data[RDTLS_OUT_MAX][RDTLS_DGRAM_MAX];
};

/*
 * The SRTP master keys (RFC 5764 section 4.2): local protects what rtd
 * sends, remote unprotects what it receives.  key_len 16 or 32, salt_len
 * 14 (AES-CM) or 12 (AEAD, RFC 7714 section 12).
 */
#define RDTLS_KEY_MAX 32
#define RDTLS_SALT_MAX 14

struct rdtls_srtp_key {
	uint8_t key[RDTLS_KEY_MAX];
	uint8_t salt[RDTLS_SALT_MAX];
};

struct rdtls_keys {
	uint16_t profile; /* enum rdtls_profile */
	uint8_t key_len, salt_len;
	struct rdtls_srtp_key local, remote;
};

struct rdtls_stats {
	uint32_t in;        /* datagrams fed */
	uint32_t out;       /* datagrams yielded */
	uint32_t oversize;  /* refused: longer than RDTLS_DGRAM_MAX */
	uint32_t out_lost;  /* a flight beyond RDTLS_OUT_MAX: dropped, as the wire would */
	uint32_t ignored;   /* fed after failed or closed */
	uint32_t appdata;   /* application data records after done, discarded */
	uint32_t alerts;    /* alerts the peer sent */
	uint32_t retransmits; /* flights rtd sent again on its timer */
	uint32_t resets;    /* a server that restarted on garbage before a ClientHello */
};

struct rdtls_conn;

/*
 * A connection on id (which it holds until freed), at the role and
 * against the fingerprints of o; the deadline counts from now.  A client
 * sends nothing until rdtls_conn_timer (due at once), so create it when
 * its datagrams have somewhere to go (the ICE peer latched).  0, or
 * -EINVAL (a role or fingerprint missing, a profile unknown or repeated,
 * rto_ms past RDTLS_RTO_MAX_MS), -EMFILE (id holds its max_conns),
 * -ENOMEM.
 * Memory (heap, OpenSSL 3.0, measured): 10 KB new, 78 KB handshaking,
 * 42 KB done, half of which is OpenSSL's handshake buffer that DTLS keeps
 * to answer a retransmitted flight; the read and write buffers (34 KB)
 * are given back once no retransmission timer runs.  CPU: about 0.3 ms a side for a whole
 * handshake (ECDHE and ECDSA on P-256) on this project's 2-vCPU VMs.
 */
int rdtls_conn_new(struct rdtls_conn **out, struct rdtls_identity *id,
		   const struct rdtls_conn_opts *o);

/*
 * One datagram from the peer (first byte 20-63, RFC 7983), len at most
 * RDTLS_DGRAM_MAX; out gets what to send back (out->n may be 0).  After
 * the call, rdtls_conn_state says where the connection is.  Feed only the
 * datagrams of the stream's ICE-verified peer: DTLS 1.2 has a server take
 * the first ClientHello it can parse, and whoever sent it holds the
 * handshake (a forger cannot finish it, without the SDP's key, but the
 * real client's then fails).  What arrives:
 *   while handshaking  the handshake's; a failure is final (FAILED), but
 *                      a server that has answered no ClientHello starts
 *                      afresh instead, and on every whole ClientHello
 *                      (stray bytes and forged fragments cannot wedge it)
 *   once done          retransmitted flights are answered as DTLS wants
 *                      (a lost last flight); application data is counted
 *                      and discarded (nothing of WebRTC's media plane
 *                      rides on it; data channels are not relayed);
 *                      renegotiation is refused (no_renegotiation alert:
 *                      RFC 8827 leaves it out, and its keys would not
 *                      reach SRTP); a new ClientHello (epoch 0) is
 *                      dropped: a restart comes with a new offer and a new
 *                      connection; anything OpenSSL rejects is dropped
 *                      (records that fail their MAC are not the peer's)
 *   a close_notify     after done: CLOSED, and rtd's close_notify back
 *                      (RFC 5246 section 7.2.1).  The keys end with the
 *                      association they were derived from: browsers tear
 *                      their SRTP down when DTLS closes, so must the
 *                      integrator.  A fatal alert after done does the same.
 *                      Both are authenticated records: no one else can.
 *   failed, closed     ignored, counted
 * 0, or -EMSGSIZE (too long: not read, counted), -EINVAL.
 */
int rdtls_conn_feed(struct rdtls_conn *c, const uint8_t *d, size_t len, struct rdtls_out *out);

/*
 * Milliseconds until rdtls_conn_timer has something to do (0: now), or
 * -1 once the handshake is over (nothing is ever due after).  OpenSSL's
 * retransmission clock is gettimeofday(): a step of the wall clock moves
 * a retransmission, never the deadline.
 */
int rdtls_conn_timeout_ms(const struct rdtls_conn *c);

/*
 * Time passes: a client's first flight, a flight sent again (the peer's
 * answer did not come), or the deadline (FAILED, "the handshake timed out
 * after 30 s").  Calling it early does nothing.  0 or -EINVAL.
 */
int rdtls_conn_timer(struct rdtls_conn *c, struct rdtls_out *out);

/* rtd ends it (the call is over): a close_notify in out, then CLOSED. */
int rdtls_conn_close(struct rdtls_conn *c, struct rdtls_out *out);

enum rdtls_state rdtls_conn_state(const struct rdtls_conn *c);
/* One line: why FAILED or CLOSED; "" otherwise. */
const char *rdtls_conn_reason(const struct rdtls_conn *c);
/* DONE: 0 and the keys; else -EAGAIN (handshaking), -ESHUTDOWN (closed),
 * -ENOTCONN (failed). */
int rdtls_conn_keys(const struct rdtls_conn *c, struct rdtls_keys *k);
void rdtls_conn_stats(const struct rdtls_conn *c, struct rdtls_stats *st);
/* The keys are wiped; id is let go. */
void rdtls_conn_free(struct rdtls_conn *c);

#endif
