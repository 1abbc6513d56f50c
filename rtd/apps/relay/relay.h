/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * relay: an RTP/RTCP media relay in the RT domain, driven over rtpengine's
 * ng protocol from the GP domain (ng.h).  The ng thread owns calls and port
 * allocation (calls.h); the RT thread owns the per-port streams, changed
 * only through an SPSC ring of commands, and their counters, which the ng
 * thread reads.
 */
#ifndef RELAY_RELAY_H
#define RELAY_RELAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtd/app.h>

#include "apps/relay/srtp.h"
#include "datapath/ring.h"

#define RELAY_MAX_STREAMS 16384 /* 4096 calls: 2 legs x (RTP + RTCP) per media */

/* One local port: where one leg's peer sends, and what it receives from. */
struct rstream {
	uint16_t port;      /* local port the peer sends to */
	/* Where what arrives here goes: streams of the opposite leg, its RTCP
	 * one or, when that leg muxes, its RTP one. */
	uint16_t fwd_rtp, fwd_rtcp;
	uint16_t rtcp_idx;  /* this leg's RTCP stream: counts RTCP muxed onto RTP */
	bool used;
	bool latched;       /* peer learned from its packets */
	bool strict;        /* only the latched peer may send */
	bool rtcp;
	bool mux;           /* this leg's RTCP rides its RTP port (RFC 5761) */
	bool blocked;       /* block media: what arrives here is dropped */
	bool ice;           /* rtd answers this leg's STUN checks (ICE-lite) */
	bool dtls;          /* rtd terminates this leg's DTLS: records go to the agent */
	/*
	 * SRTP rtd terminates with this leg's peer: rx unprotects what arrives
	 * here, tx protects what leaves here toward the peer.  need_*: the
	 * leg is secured, so without a ctx yet (DTLS still handshaking) media
	 * is dropped, never passed in the clear.
	 */
	bool need_rx, need_tx;
	struct rsrtp_ctx *rx, *tx;
	struct rtd_ep peer;  /* where this leg's peer is (family 0: unknown yet) */
	struct rtd_ep local; /* the address the peer sends to: ours, port = port */
	/* Counters, single writer: the RT thread. */
	uint64_t packets, bytes, forwarded, dropped, last_ns;
	uint64_t srtp_failed; /* refused by unprotect: authentication, replay, malformed */
	uint32_t received, lost, cycles, base_seq;
	uint16_t max_seq;
	bool seq_init;
	int64_t transit;
	uint32_t jitter_q4; /* RFC 3550 jitter in timestamp units, x16 */
};

enum rcmd_op {
	RCMD_ADD = 1, /* a stream on port: RTP or RTCP, strict or not */
	RCMD_DEL,
	RCMD_PEER,    /* its peer and the local address it sends to */
	RCMD_LEG,     /* its leg's topology: mux, ICE, where RTP and RTCP go */
	RCMD_LATCH,   /* its peer, nominated by ICE: latched */
	RCMD_BLOCK,   /* drop what arrives (flag) or relay it again */
	RCMD_SEC,     /* its leg's security: dtls, need_rx, need_tx */
	RCMD_KEYS,    /* its SRTP contexts (rx, tx; NULL: none): the old ones go to gc */
};

struct rcmd {
	uint8_t op;
	bool strict;
	bool rtcp;
	bool mux;
	bool ice;
	bool flag;
	bool dtls, need_rx, need_tx;
	uint16_t idx;
	uint16_t port;
	uint16_t fwd_rtp, fwd_rtcp, rtcp_idx;
	struct rtd_ep peer;
	struct rtd_ep local;
	/* RCMD_ADD: counters to start from (a stream brought back by a restart). */
	uint64_t base_packets, base_bytes, base_forwarded, base_dropped;
	struct rsrtp_ctx *rx, *tx; /* RCMD_KEYS */
};

/*
 * Between the RT thread and the ICE agent on its own thread: a STUN message
 * in (RECV), a reply out (SEND), or a peer nominated (LATCH).
 */
enum { RELAY_HS_RECV = 1, RELAY_HS_SEND, RELAY_HS_LATCH, RELAY_HS_KEYS };
#define RELAY_HS_MAX 1472

struct relay_hs {
	uint8_t op;
	uint16_t idx;        /* the stream it came in on, or leaves from */
	uint16_t len;
	struct rtd_ep peer;  /* where it came from, or goes to */
	struct rtd_ep local; /* the address it was sent to, or leaves from */
	struct rsrtp_ctx *rx, *tx; /* KEYS: a DTLS handshake's, for stream idx */
	uint8_t data[RELAY_HS_MAX];
};

struct ng;
struct agent;

struct relay {
	struct rstream streams[RELAY_MAX_STREAMS];
	uint16_t port_map[65536]; /* RT-owned: port -> stream index + 1 */
	struct ring cmds;         /* ng thread -> RT thread */
	struct ring hs_in;        /* RT thread -> ICE agent (no slots: no agent) */
	struct ring hs_out;       /* ICE agent -> RT thread */
	struct ring gc;           /* RT thread -> ng thread: SRTP contexts no stream uses */
	struct relay_hs hs_scratch; /* the RT thread's copy in and out of those */
	struct ng *ng;
	struct agent *agent;
	struct rtd_app *app;
	bool polled;              /* the RT thread has drained cmds at least once */
};

/* RT thread: the application's rx and poll (relay.c). */
void relay_rx(struct rtd_app *app, struct rtd_io *io, struct rtd_pkt *pkt);
void relay_poll(struct rtd_app *app, struct rtd_io *io, uint64_t now);

/* RFC 3550 jitter, in timestamp units x16 at 8 kHz, in microseconds. */
static inline uint32_t relay_jitter_us(const struct rstream *s)
{
	return (uint64_t)__atomic_load_n(&s->jitter_q4, __ATOMIC_RELAXED) * 1000000 / 16 / 8000;
}

/* Counters of the relay app, in rtctl stats. */
#define RELAY_COUNTERS(X) \
	X(RTP, "rtp") X(RTCP, "rtcp") X(FORWARDED, "forwarded") X(NO_STREAM, "no_stream") \
	X(NO_PEER, "no_peer") X(STRICT_DROP, "strict_drop") X(SEND_FAIL, "send_fail")       \
	X(BLOCKED, "blocked") X(STUN, "stun") X(STUN_DROPPED, "stun_dropped")                 \
	X(DTLS, "dtls") X(SRTP_NO_KEY, "srtp_no_key") X(SRTP_AUTH, "srtp_auth_failed")         \
	X(SRTP_REPLAY, "srtp_replayed") X(SRTP_ERROR, "srtp_error")               \
	X(REDIS_FAILED, "redis_failed") X(TAKEOVERS, "takeovers")

enum {
#define X(id, name) RELAY_##id,
	RELAY_COUNTERS(X)
#undef X
	RELAY_NCOUNTERS,
};
_Static_assert(RELAY_NCOUNTERS <= RTD_APP_MAX_COUNTERS, "more relay counters than an app may show");

#endif
