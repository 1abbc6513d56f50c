/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SDP (RFC 8866) as a media relay needs it: find each media section's
 * address and ports, then rewrite o=/c= to the relay's address and m=/
 * a=rtcp to the relay's ports, passing everything else through byte for
 * byte.  No allocation; offsets into the caller's buffer.
 */
#ifndef RTD_SDP_H
#define RTD_SDP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_MEDIA 8

enum sdp_dir { SDP_SENDRECV, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };

struct sdp_media {
	uint16_t port;
	uint16_t rtcp_port; /* from a=rtcp, else port + 1 */
	bool has_c;
	bool has_rtcp;
	bool rtcp_mux;
	bool ice;
	uint8_t dir;
	int c_family;
	struct in6_addr c_addr;
	char type[16];  /* "audio" */
	char proto[24]; /* "RTP/AVP" */
};

struct sdp_session {
	bool has_c;
	bool crlf;
	int c_family;
	struct in6_addr c_addr;
	unsigned nmedia;
	struct sdp_media media[SDP_MAX_MEDIA];
};

/* Returns 0, or -EBADMSG with "line N: why" in err. */
int sdp_parse(const char *buf, size_t len, struct sdp_session *s, char *err, size_t errlen);

/* Where media i's peer sends from: its c= or the session's. */
int sdp_media_addr(const struct sdp_session *s, unsigned i, int *family, struct in6_addr *a);

struct sdp_rewrite {
	int family; /* relay address */
	struct in6_addr addr;
	uint16_t port[SDP_MAX_MEDIA]; /* RTP port per media; RTCP is port + 1 */
	bool remove_ice;
};

/*
 * Write the rewritten body to out.  Returns its length, or -ENOSPC.  Streams
 * with port 0 (rejected) keep port 0.  Media without a=rtcp or rtcp-mux
 * get a=rtcp:PORT+1, as rtpengine adds it.
 */
int sdp_rewrite(const char *in, size_t inlen, const struct sdp_session *s,
		const struct sdp_rewrite *rw, char *out, size_t outlen);

#endif
