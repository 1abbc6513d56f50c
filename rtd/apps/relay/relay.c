// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * relay, RT side: a datagram on a call's port latches its sender as that
 * leg's peer and goes out of the opposite leg's port to the opposite peer,
 * in the frame it arrived in (headers rewritten in place).  RTP counters:
 * loss from sequence numbers and interarrival jitter (RFC 3550 A.1, A.8).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apps/relay/relay.h"

#define RTP_CLOCK_HZ 8000 /* audio payload types; jitter is reported in ms */

static void ep_store(struct rtd_ep *dst, const struct rtd_ep *src)
{
	/* The ng thread reads peers for query: publish the port last. */
	dst->addr = src->addr;
	dst->family = src->family;
	__atomic_store_n(&dst->port, src->port, __ATOMIC_RELEASE);
}

/* The peer is where its media comes from, and sends to the address it used. */
static void latch(struct rstream *s, const struct rtd_ep *src, const struct rtd_ep *dst)
{
	s->local.addr = dst->addr;
	s->local.family = dst->family;
	ep_store(&s->peer, src);
	s->latched = true;
}

/* A context no stream holds any more, to be freed off the RT thread. */
static void gc(struct relay *r, struct rsrtp_ctx *c)
{
	/* Full (the ng thread gone): it leaks rather than the RT thread frees. */
	if (c && r->gc.slots)
		ring_push(&r->gc, &c);
}

static void set_keys(struct relay *r, struct rstream *s, struct rsrtp_ctx *rx,
		     struct rsrtp_ctx *tx)
{
	if (s->rx != rx)
		gc(r, s->rx);
	if (s->tx != tx)
		gc(r, s->tx);
	/* Released: the store thread reads the contexts' indices (rsrtp_save). */
	__atomic_store_n(&s->rx, rx, __ATOMIC_RELEASE);
	__atomic_store_n(&s->tx, tx, __ATOMIC_RELEASE);
}

static void apply(struct relay *r, const struct rcmd *c)
{
	struct rstream *s = &r->streams[c->idx];

	switch (c->op) {
	case RCMD_ADD:
		set_keys(r, s, NULL, NULL);
		memset(s, 0, sizeof(*s));
		s->port = c->port;
		s->fwd_rtp = c->fwd_rtp;
		s->fwd_rtcp = c->fwd_rtcp;
		s->rtcp_idx = c->rtcp_idx;
		s->strict = c->strict;
		s->rtcp = c->rtcp;
		s->local.port = c->port;
		s->packets = c->base_packets;
		s->bytes = c->base_bytes;
		s->forwarded = c->base_forwarded;
		s->dropped = c->base_dropped;
		__atomic_store_n(&s->used, true, __ATOMIC_RELEASE);
		r->port_map[c->port] = c->idx + 1;
		break;
	case RCMD_PEER:
		/* The SDP names the peer (family 0: not yet); a latched source wins. */
		if (!s->latched && c->peer.family)
			ep_store(&s->peer, &c->peer);
		if (c->local.family && !s->latched) {
			s->local.addr = c->local.addr;
			s->local.family = c->local.family;
		}
		break;
	case RCMD_LEG:
		s->mux = c->mux;
		s->ice = c->ice;
		s->fwd_rtp = c->fwd_rtp;
		s->fwd_rtcp = c->fwd_rtcp;
		s->rtcp_idx = c->rtcp_idx;
		break;
	case RCMD_BLOCK:
		s->blocked = c->flag;
		break;
	case RCMD_LATCH:
		/* A peer known before: a restart's, latched as it was. */
		latch(s, &c->peer, &c->local);
		break;
	case RCMD_SEC:
		s->dtls = c->dtls;
		s->need_rx = c->need_rx;
		s->need_tx = c->need_tx;
		break;
	case RCMD_KEYS:
		set_keys(r, s, c->rx, c->tx);
		break;
	case RCMD_DEL:
		set_keys(r, s, NULL, NULL);
		if (r->port_map[c->port] == c->idx + 1)
			r->port_map[c->port] = 0;
		__atomic_store_n(&s->used, false, __ATOMIC_RELEASE);
		break;
	}
}


static void rtp_stats(struct rstream *s, const uint8_t *p, uint16_t len, uint64_t now)
{
	uint16_t seq;
	uint32_t ts, arrival;
	int64_t transit, d;

	if (len < 12 || p[0] >> 6 != 2)
		return;
	seq = (uint16_t)(p[2] << 8 | p[3]);
	ts = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	arrival = (uint32_t)(now / (1000000000ull / RTP_CLOCK_HZ));
	if (!s->seq_init) {
		s->seq_init = true;
		s->base_seq = seq;
		s->max_seq = seq;
		s->transit = (int64_t)arrival - ts;
	} else {
		uint16_t delta = seq - s->max_seq;

		if (delta < 0x8000) {
			if (seq < s->max_seq)
				s->cycles += 65536;
			s->max_seq = seq;
		}
		transit = (int64_t)(int32_t)(arrival - ts);
		d = transit - s->transit;
		s->transit = transit;
		if (d < 0)
			d = -d;
		/* J += (|D| - J) / 16, kept x16 as RFC 3550 A.8 does. */
		s->jitter_q4 += (uint32_t)(d - ((s->jitter_q4 + 8) >> 4));
	}
	s->received++;
	{
		uint32_t expected = s->cycles + s->max_seq - s->base_seq + 1;

		__atomic_store_n(&s->lost, expected > s->received ? expected - s->received : 0,
				 __ATOMIC_RELAXED);
	}
}

/* RTCP muxed onto an RTP port: packet types 192-223 (RFC 5761 section 4). */
static bool rtcp_type(const struct rtd_pkt *pkt)
{
	return pkt->len >= 8 && pkt->payload[1] >= 192 && pkt->payload[1] <= 223;
}

/*
 * A STUN message (first byte 0-3) or a DTLS record (20-63, RFC 7983) for
 * the agent off the RT thread.
 */
static void to_agent(struct relay *r, struct rtd_app *app, uint16_t idx, const struct rtd_pkt *pkt,
		     unsigned counter)
{
	struct relay_hs *m = &r->hs_scratch;

	if (!r->hs_in.slots || pkt->len > sizeof(m->data)) {
		rtd_app_counter_add(app, RELAY_STUN_DROPPED, 1);
		return;
	}
	m->op = RELAY_HS_RECV;
	m->idx = idx;
	m->len = pkt->len;
	m->peer = pkt->flow.src;
	m->local = pkt->flow.dst;
	memcpy(m->data, pkt->payload, pkt->len);
	/* A full ring: the agent is behind, and the peer retransmits. */
	rtd_app_counter_add(app, ring_push(&r->hs_in, m) ? RELAY_STUN_DROPPED : counter, 1);
}

/* What the handshakes take, by first byte: STUN on ICE legs, DTLS where rtd terminates it. */
static bool handshake(struct relay *r, struct rtd_app *app, uint16_t idx, const struct rstream *s,
		      const struct rtd_pkt *pkt)
{
	uint8_t b = pkt->len ? pkt->payload[0] : 255;

	if (s->ice && b < 4)
		to_agent(r, app, idx, pkt, RELAY_STUN);
	else if (s->dtls && b >= 20 && b <= 63)
		to_agent(r, app, idx, pkt, RELAY_DTLS);
	else
		return false;
	return true;
}

/* SRTP in from a secured leg: false (counted) when it is not authentic or no key is there yet. */
static bool unprotect(struct rtd_app *app, struct rstream *s, struct rstream *count,
		      struct rtd_pkt *pkt, bool rtcp)
{
	size_t len = pkt->len;
	int err;

	if (!s->rx) {
		rtd_app_counter_add(app, RELAY_SRTP_NO_KEY, 1);
		return false;
	}
	err = rtcp ? rsrtp_unprotect_rtcp(s->rx, pkt->payload, &len)
		   : rsrtp_unprotect(s->rx, pkt->payload, &len);
	if (err) {
		__atomic_store_n(&count->srtp_failed, count->srtp_failed + 1, __ATOMIC_RELAXED);
		rtd_app_counter_add(app, err == -EACCES	   ? RELAY_SRTP_AUTH
					 : err == -EALREADY ? RELAY_SRTP_REPLAY
							    : RELAY_SRTP_ERROR,
				    1);
		return false;
	}
	pkt->len = (uint16_t)len;
	return true;
}

/* SRTP out to a secured leg, in the frame's room: false (counted) when it cannot be. */
static bool protect(struct rtd_app *app, struct rstream *o, struct rtd_pkt *pkt, bool rtcp)
{
	size_t len = pkt->len;
	int err;

	if (!o->tx) {
		rtd_app_counter_add(app, RELAY_SRTP_NO_KEY, 1);
		return false;
	}
	err = rtcp ? rsrtp_protect_rtcp(o->tx, pkt->payload, &len, pkt->cap)
		   : rsrtp_protect(o->tx, pkt->payload, &len, pkt->cap);
	if (err) {
		rtd_app_counter_add(app, RELAY_SRTP_ERROR, 1);
		return false;
	}
	pkt->len = (uint16_t)len;
	return true;
}

static bool from_peer(const struct rstream *s, const struct rtd_pkt *pkt)
{
	return !memcmp(&s->peer.addr, &pkt->flow.src.addr, 16) && s->peer.port == pkt->flow.src.port;
}

/* Out through the other leg's stream o, to its peer from its own address. */
static void forward(struct rtd_app *app, struct rtd_io *io, struct rstream *o, struct rstream *count,
		    struct rtd_pkt *pkt, bool rtcp)
{
	struct rtd_flow out;

	if (!o->used || !o->peer.family || !o->local.family) {
		rtd_app_counter_add(app, RELAY_NO_PEER, 1);
		return;
	}
	if (o->need_tx && !protect(app, o, pkt, rtcp))
		return;
	/* An IPv6 leg gets IPv6 headers however the datagram came in. */
	out.src = o->local;
	out.dst = o->peer;
	/* Counted as forwarded when it leaves, whether at once or after ARP. */
	pkt->sent[0] = &app->counters[RELAY_FORWARDED].value;
	pkt->sent[1] = &count->forwarded;
	if (rtd_forward(io, pkt, &out) && !pkt->consumed)
		rtd_app_counter_add(app, RELAY_SEND_FAIL, 1);
}

void relay_rx(struct rtd_app *app, struct rtd_io *io, struct rtd_pkt *pkt)
{
	struct relay *r = app->priv;
	uint16_t idx = r->port_map[pkt->flow.dst.port];
	struct rstream *s, *count;
	bool rtcp;

	if (!idx) {
		rtd_app_counter_add(app, RELAY_NO_STREAM, 1);
		return;
	}
	s = &r->streams[idx - 1];
	if (handshake(r, app, idx - 1, s, pkt))
		return;
	rtcp = s->rtcp || (s->mux && rtcp_type(pkt));
	count = rtcp && !s->rtcp ? &r->streams[s->rtcp_idx] : s;
	rtd_app_counter_add(app, rtcp ? RELAY_RTCP : RELAY_RTP, 1);
	if (s->latched && s->strict && !from_peer(s, pkt)) {
		__atomic_store_n(&count->dropped, count->dropped + 1, __ATOMIC_RELAXED);
		rtd_app_counter_add(app, RELAY_STRICT_DROP, 1);
		return;
	}
	/* Only what authenticates may move the latch on a secured leg. */
	if (s->need_rx && !unprotect(app, s, count, pkt, rtcp))
		return;
	if (!s->latched || !from_peer(s, pkt))
		latch(s, &pkt->flow.src, &pkt->flow.dst);
	__atomic_store_n(&count->packets, count->packets + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&count->bytes, count->bytes + pkt->len, __ATOMIC_RELAXED);
	__atomic_store_n(&count->last_ns, pkt->rx_ns, __ATOMIC_RELAXED);
	if (!rtcp)
		rtp_stats(s, pkt->payload, pkt->len, pkt->rx_ns);
	if (s->blocked) {
		rtd_app_counter_add(app, RELAY_BLOCKED, 1);
		return;
	}
	forward(app, io, &r->streams[rtcp ? s->fwd_rtcp : s->fwd_rtp], count, pkt, rtcp);
}

/* What the ICE agent sends, and the peers it nominated. */
static void from_agent(struct relay *r, struct rtd_io *io)
{
	struct relay_hs *m = &r->hs_scratch;
	int err;

	while (!ring_pop(&r->hs_out, m)) {
		struct rstream *s = &r->streams[m->idx];
		struct rtd_flow f = { .src = m->local, .dst = m->peer };

		if (m->op == RELAY_HS_KEYS) {
			/* A handshake of a stream since given back: its keys are nobody's. */
			if (!s->used || s->port != m->local.port) {
				gc(r, m->rx);
				gc(r, m->tx);
			} else {
				set_keys(r, s, m->rx, m->tx);
			}
			continue;
		}
		if (!s->used)
			continue;
		if (m->op == RELAY_HS_LATCH) {
			latch(s, &m->peer, &m->local);
			continue;
		}
		f.src.port = s->port;
		err = rtd_send(io, &f, m->data, m->len);
		if (err && err != -EAGAIN)
			rtd_app_counter_add(r->app, RELAY_SEND_FAIL, 1);
	}
}

void relay_poll(struct rtd_app *app, struct rtd_io *io, uint64_t now)
{
	struct relay *r = app->priv;
	struct rcmd c;

	(void)now;
	while (!ring_pop(&r->cmds, &c))
		apply(r, &c);
	if (!r->polled)
		__atomic_store_n(&r->polled, true, __ATOMIC_RELEASE);
	if (r->hs_out.slots)
		from_agent(r, io);
}
