/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The relay's call table, on the ng thread: calls, their legs and media,
 * the port pairs and stream slots they hold, and the stream commands that
 * tell the RT side (relay.c) about them through the ring.  Leg 0 is the
 * offerer, leg 1 the answerer; a leg's ports are where its peer sends.
 */
#ifndef RELAY_CALLS_H
#define RELAY_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include <rtd/app.h>
#include <rtd/portset.h>

#include "apps/relay/dtls.h"
#include "apps/relay/ice.h"
#include "apps/relay/relay.h"
#include "apps/relay/sdes.h"

#define CALLS_MAX 4096
#define CALLS_MAX_MEDIA 4

/* How rtd and one side's peer protect the media between them. */
enum call_sec_mode {
	CALL_SEC_NONE, /* plain RTP */
	CALL_SEC_PASS, /* the endpoints' own SRTP end to end: rtd does not touch it */
	CALL_SEC_SDES, /* SRTP with keys in SDP (RFC 4568), terminated by rtd */
	CALL_SEC_DTLS, /* DTLS-SRTP (RFC 5764), terminated by rtd */
};

#define CALL_SEC_FPS 2 /* a=fingerprint lines of a peer kept: browsers send one */

struct call_sec {
	uint8_t mode;        /* enum call_sec_mode */
	char proto[24];      /* the m= protocol the peer's SDP had */
	char mid[32];        /* its a=mid: a WebRTC offerer wants it back in the answer */
	/* SDES: the peer's a=crypto lines rtd read (its offer; its answer's
	 * one), rtd's (offered, or the one it answered with), and the pair in
	 * use: peer_i into peer, own_i into own; -1 until the answer. */
	uint8_t npeer, nown;
	int8_t peer_i, own_i;
	/* The keys the RT side has (posted): a re-offer with the same ones
	 * keeps its contexts, whose rollover counters a new one would lose. */
	bool posted;
	struct rsrtp_key rx_key, tx_key;
	struct sdes_crypto peer[RSRTP_NSUITES];
	struct sdes_crypto own[RSRTP_NSUITES];
	/* DTLS: what the peer said and rtd wrote, and rtd's role. */
	uint8_t peer_setup, setup, role; /* enum rdtls_setup, rdtls_setup, rdtls_role */
	uint8_t wish;                    /* enum rdtls_wish, as the ng flags asked */
	uint8_t nfps;
	struct rdtls_fp fps[CALL_SEC_FPS];
};

/* One media section as one leg has it. */
struct call_side {
	uint16_t port;        /* local RTP port; its RTCP port is port + 1 */
	uint16_t sidx[2];     /* stream indexes: RTP, RTCP */
	bool mux;             /* this leg's RTCP rides its RTP port */
	bool mux_offered;     /* the leg's own SDP had a=rtcp-mux */
	bool ice;             /* rtd answers this leg's STUN checks */
	int family;           /* the peer, as its SDP says; 0: not known yet */
	struct in6_addr addr;
	uint16_t rtp, rtcp;
	char ice_ufrag[ICE_UFRAG_MAX + 1]; /* the peer's, from its SDP */
	struct call_sec sec;
};

/* rtcp-mux flags of an offer, rtpengine's words (bits). */
enum {
	CALL_MUX_OFFER = 1,   /* offer it onward, whatever the offerer did */
	CALL_MUX_DEMUX = 2,   /* accept it from the offerer, offer it no further */
	CALL_MUX_ACCEPT = 4,  /* accept it from the offerer, and offer it onward */
	CALL_MUX_REJECT = 8,  /* refuse it to the offerer */
	CALL_MUX_REQUIRE = 16 /* offer it onward as the only way */
};

struct call_media {
	struct call_side leg[2];
	uint8_t mux_flags;    /* the offer's rtcp-mux flags */
	bool mux_out;         /* rtd offered rtcp-mux to the answerer */
	char type[16];        /* "audio" */
	char proto[24];       /* "RTP/AVP", as the offer had it */
};

struct call_leg {
	char tag[64];
	char iface[32];       /* the interface by name ("": the default) */
	int family;           /* what rtd advertises to this leg */
	bool ice_sdp;         /* the leg's own SDP carried ICE */
	struct ice_creds ice; /* rtd's toward this leg (ufrag[0] = 0: none yet) */
};

struct call {
	bool used;
	bool answered;
	bool strict;          /* strict-source: only the latched peer may send */
	unsigned nmedia;
	uint64_t created_ns;  /* CLOCK_MONOTONIC */
	uint64_t restored_ns; /* when a restart brought it back; 0: never */
	uint64_t signal_ns;   /* the last offer or answer */
	int64_t created_us;   /* wall clock, for query */
	char call_id[128];
	struct call_leg leg[2];
	struct call_media media[CALLS_MAX_MEDIA];
};

/*
 * What the RT side knows of a stream that a restart must give back: the
 * latched peer, the address it sends to, block media, and the counters so
 * far, which the restored stream starts from.
 */
struct call_stream_state {
	struct rtd_ep peer, local;
	bool latched, blocked;
	uint64_t packets, bytes, forwarded, dropped;
	/* A DTLS-SRTP association's keys: a restart goes on with them, as the
	 * peer does, where a new handshake would need a new offer. */
	bool dtls_keyed;
	struct rdtls_keys dtls;
	/* Where the SRTP contexts are, each way, so that indices go on. */
	struct rsrtp_saved srtp_rx, srtp_tx;
};
#define CALL_STREAMS (CALLS_MAX_MEDIA * 4) /* media x leg x (RTP, RTCP) */
#define CALL_STREAM(m, leg, k) (((m) * 2 + (leg)) * 2 + (k))

/* Relayed so far: packets forwarded, bytes received, packets dropped. */
struct ng_relayed {
	uint64_t packets, bytes, errors;
};

struct calls {
	struct relay *relay;
	const struct rtd_app_env *env;
	struct portset free_ports; /* even ports whose pair is free */
	uint16_t free_idx[RELAY_MAX_STREAMS];
	unsigned nfree_idx;
	struct call call[CALLS_MAX];
	unsigned ncalls;
	uint64_t total;     /* calls ever set up */
	uint64_t timeouts;  /* ended for want of media */
	uint64_t deleted;   /* ended by delete */
	unsigned pairs;     /* port pairs in the RT set */
	struct ng_relayed ended; /* what the streams of ended calls relayed */
};

/* Every even port of the RT set whose odd neighbour is in it too is a pair. */
void calls_init(struct calls *c, struct relay *r, const struct rtd_app_env *env);
struct call *calls_find(struct calls *c, const char *id);
/* Whether a new call with nmedia media would fit (slots and streams). */
bool calls_room(const struct calls *c, unsigned nmedia);
/* A free slot, cleared and named, not yet in use (calls_commit makes it so). */
struct call *calls_slot(struct calls *c, const char *id, uint64_t now);
void calls_commit(struct calls *c, struct call *call);
/*
 * Give media i of call a port pair per leg and its streams, steered;
 * -ENOSPC when the stream slots or the ports ran out.
 */
int calls_add_media(struct calls *c, struct call *call, unsigned i, bool strict);
/* Give back media from on: their ports, streams and steering. */
void calls_drop_media(struct calls *c, struct call *call, unsigned from);
/* Where leg's peer of media i is, and the local address it sends to. */
void calls_peer(struct calls *c, const struct call *call, unsigned i, int leg,
		const struct rtd_ep *local);
/* The RT side learns media i's topology: muxing, ICE, where each leg's media goes. */
void calls_topology(struct calls *c, const struct call *call, unsigned i);
/* Drop (or relay again) what leg's peers send; both legs for leg < 0. */
void calls_block(struct calls *c, const struct call *call, int leg, bool block);
/* The ICE agent learns which of the call's streams answer checks, and how. */
void calls_ice(struct calls *c, const struct call *call);
void calls_free(struct calls *c, struct call *call);
/* The RT side's state of the call's streams, read as the RT thread runs. */
void calls_stream_state(const struct calls *c, const struct call *call,
			struct call_stream_state st[CALL_STREAMS]);
/*
 * A call saved before a restart into slot, as it was: its ports, stream
 * slots and steering taken back, its streams set up again from st (peers
 * latched, counters from where they were) and its media timeout counted
 * from now.  -EEXIST (slot, ports or streams taken), -ERANGE (a port no
 * longer in the RT set), -EINVAL (not a call).
 */
int calls_restore(struct calls *c, unsigned slot, const struct call *saved,
		  const struct call_stream_state st[CALL_STREAMS], uint64_t now);
/*
 * Another rtd's call taken over: as calls_restore, into any free slot and
 * with free stream slots of this table (the ports stay: SDP named them).
 * -ENOSPC (no slot), else as calls_restore.
 */
int calls_claim(struct calls *c, const struct call *saved,
		const struct call_stream_state st[CALL_STREAMS], uint64_t now);
/* Add a stream's counters to r. */
void calls_add_stream(const struct rstream *s, struct ng_relayed *r);
/* The newest packet time of a call's streams, or its creation. */
uint64_t calls_last_media(const struct calls *c, const struct call *call);
/* End the calls without media for longer than timeout_s at now; how many. */
unsigned calls_expire(struct calls *c, uint64_t now, unsigned timeout_s);

#endif
