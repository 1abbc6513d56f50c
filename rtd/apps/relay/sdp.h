/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SDP (RFC 8866) as a media relay needs it: find each media section's
 * address and ports, then rewrite o=/c= to the relay's address and m=/
 * a=rtcp to the relay's ports, passing everything else through byte for
 * byte.  No allocation; offsets into the caller's buffer.
 */
#ifndef RELAY_SDP_H
#define RELAY_SDP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_MEDIA 8
#define SDP_MAX_CRYPTO 8 /* a=crypto lines per media section taken; more are an error */

enum sdp_dir { SDP_SENDRECV, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };

/* Bytes of the parsed body: buf + off, len of them. */
struct sdp_span {
	uint32_t off;
	uint32_t len;
};

/* Addresses are kept as in6_addr; IPv4 ones v4-mapped (::ffff:a.b.c.d). */
struct sdp_media {
	uint16_t port;
	uint16_t nports;    /* m=audio 5004/2: 2; else 1 */
	uint16_t rtcp_port; /* from a=rtcp, else port + 1 */
	bool has_c;
	bool has_rtcp;
	bool rtcp_has_addr; /* a=rtcp:PORT IN IP4 addr */
	bool rtcp_mux;      /* a=rtcp-mux or a=rtcp-mux-only */
	bool ice;           /* ICE: candidates or credentials, its own or the session's */
	struct sdp_span ice_ufrag, ice_pwd; /* the media's, else the session's */
	/* Media security (RFC 4568, RFC 8122, RFC 4145): the values after
	 * "a=crypto:", the first "a=fingerprint:" and "a=setup:", the media's
	 * or else the session's. */
	unsigned ncrypto;
	struct sdp_span crypto[SDP_MAX_CRYPTO];
	struct sdp_span fingerprint, setup;
	struct sdp_span mid;        /* a=mid (RFC 8843), the media's own */
	uint8_t dir;        /* enum sdp_dir; the session's unless set here */
	bool has_dir;       /* a direction attribute, its own or the session's */
	unsigned line;      /* of the m= line, for messages */
	int c_family;
	struct in6_addr c_addr;
	int rtcp_family;
	struct in6_addr rtcp_addr;
	struct sdp_span fmt; /* "0 8 101" */
	char type[16];       /* "audio" */
	char proto[24];      /* "RTP/AVP" */
};

struct sdp_session {
	struct sdp_span ice_ufrag, ice_pwd; /* session-level */
	struct sdp_span fingerprint, setup; /* session-level */
	bool has_o;
	bool o_literal; /* o= address is an IP literal (else a host name) */
	bool has_c;
	bool crlf;      /* the first line ends in CRLF */
	uint8_t dir;    /* session-level direction attribute, default sendrecv */
	bool has_dir;
	int o_family;   /* from o='s addrtype */
	struct in6_addr o_addr;
	int c_family;
	struct in6_addr c_addr;
	unsigned nmedia;
	struct sdp_media media[SDP_MAX_MEDIA];
};

/*
 * Returns 0, or -EBADMSG with "sdp: line N: why" in err (err may be NULL).
 * Every media section needs a c=, its own or the session's.
 */
int sdp_parse(const char *buf, size_t len, struct sdp_session *s, char *err, size_t errlen);

/* Where media i's peer sends from: its c= or the session's. */
int sdp_media_addr(const struct sdp_session *s, unsigned i, int *family, struct in6_addr *a);

/* rtd's own ICE for one media section: ICE-lite, host candidates only. */
struct sdp_ice {
	char ufrag[33];
	char pwd[33];
	unsigned ncand;
	struct sdp_cand {
		uint8_t component; /* 1: RTP, 2: RTCP */
		int family;        /* AF_INET (v4-mapped) or AF_INET6 */
		struct in6_addr addr;
		uint16_t port;
	} cand[4];
};

/*
 * rtd's own media security toward the reader, for one media section: the
 * input's a=crypto, a=fingerprint and a=setup lines go (and the session's
 * a=fingerprint and a=setup, where any section has rtd's), and these are
 * written at the section's end, with the direction (a=sendrecv) where the
 * input left it implicit: WebRTC stacks (aiortc) do not send without it.
 * NULL fields and zero counts write nothing.
 */
struct sdp_sec {
	const char *proto;                   /* the m= line's, else the input's */
	unsigned ncrypto;
	const char *crypto[SDP_MAX_CRYPTO];  /* values after "a=crypto:" */
	const char *fingerprint;             /* after "a=fingerprint:" */
	const char *setup;                   /* after "a=setup:" */
	const char *mid;                     /* an a=mid the input lacks (WebRTC's answer) */
};

struct sdp_rewrite {
	int family; /* relay address: AF_INET (v4-mapped in addr) or AF_INET6 */
	struct in6_addr addr;
	uint16_t port[SDP_MAX_MEDIA];      /* RTP port per media; 0 rejects it */
	uint16_t rtcp_port[SDP_MAX_MEDIA]; /* 0: port + 1 */
	bool remove_ice;  /* drop candidates and ICE credentials (ICE=remove) */
	bool keep_origin; /* leave o= alone (rtpengine without replace=origin) */
	/*
	 * rtd writes the attributes it answers for (zero: as the body had them):
	 * the input's a=rtcp and a=rtcp-mux lines go, and each section ends in
	 * a=rtcp (full: with the address; none: left out), a=rtcp-mux where
	 * mux says so, and rtd's ICE where ice has it.
	 */
	bool own_rtcp;
	bool rtcp_full;
	bool no_rtcp;
	bool mux[SDP_MAX_MEDIA];
	const struct sdp_ice *ice[SDP_MAX_MEDIA];
	bool ice_lite; /* a=ice-lite in the session part */
	const struct sdp_sec *sec[SDP_MAX_MEDIA]; /* NULL: the input's, untouched */
};

/*
 * Write the rewritten body to out.  Returns its length, -ENOSPC if it does
 * not fit, -EINVAL if s does not describe in.  o= (unless keep_origin) and
 * every c= carry the relay's address; each m= the relay's port (a stream
 * with port 0 in the body or in rw stays rejected at port 0 and loses its
 * RTCP, mux and ICE attributes); "/count" after a port is dropped, the
 * relay allocating one port pair per m=.  Without own_rtcp, a=rtcp lines
 * get the relay's RTCP port (the RTP port where the input had it muxed
 * onto RTP) and, where they named one, its address, and a stream with
 * neither a=rtcp nor rtcp-mux gets a=rtcp:PORT at the end of its section,
 * as rtpengine adds it.  Rewritten lines keep their own line endings; added
 * ones take the first line's.
 */
int sdp_rewrite(const char *in, size_t inlen, const struct sdp_session *s,
		const struct sdp_rewrite *rw, char *out, size_t outlen);

#endif
