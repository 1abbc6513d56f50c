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

static void apply(struct relay *r, const struct rcmd *c)
{
	struct rstream *s = &r->streams[c->idx];

	switch (c->op) {
	case RCMD_ADD:
		memset(s, 0, sizeof(*s));
		s->port = c->port;
		s->other = c->other;
		s->strict = c->strict;
		s->rtcp = c->rtcp;
		ep_store(&s->peer, &c->peer);
		__atomic_store_n(&s->used, true, __ATOMIC_RELEASE);
		r->port_map[c->port] = c->idx + 1;
		break;
	case RCMD_PEER:
		/* The answer's SDP names the peer; a latched source wins. */
		s->other = c->other;
		if (!s->latched)
			ep_store(&s->peer, &c->peer);
		break;
	case RCMD_DEL:
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

void relay_rx(struct rtd_app *app, struct rtd_io *io, struct rtd_pkt *pkt)
{
	struct relay *r = app->priv;
	uint16_t idx = r->port_map[pkt->flow.dst.port];
	struct rstream *s, *o;
	struct rtd_flow out;

	if (!idx) {
		rtd_app_counter_add(app, RELAY_NO_STREAM, 1);
		return;
	}
	s = &r->streams[idx - 1];
	rtd_app_counter_add(app, s->rtcp ? RELAY_RTCP : RELAY_RTP, 1);
	if (s->latched && s->strict &&
	    (memcmp(&s->peer.addr, &pkt->flow.src.addr, 16) || s->peer.port != pkt->flow.src.port)) {
		__atomic_store_n(&s->dropped, s->dropped + 1, __ATOMIC_RELAXED);
		rtd_app_counter_add(app, RELAY_STRICT_DROP, 1);
		return;
	}
	if (!s->latched || memcmp(&s->peer.addr, &pkt->flow.src.addr, 16) ||
	    s->peer.port != pkt->flow.src.port) {
		/* Symmetric latching: the peer is where its media comes from. */
		ep_store(&s->peer, &pkt->flow.src);
		s->latched = true;
	}
	__atomic_store_n(&s->packets, s->packets + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bytes, s->bytes + pkt->len, __ATOMIC_RELAXED);
	__atomic_store_n(&s->last_ns, pkt->rx_ns, __ATOMIC_RELAXED);
	if (!s->rtcp)
		rtp_stats(s, pkt->payload, pkt->len, pkt->rx_ns);

	o = &r->streams[s->other];
	if (!o->used || !o->peer.family) {
		rtd_app_counter_add(app, RELAY_NO_PEER, 1);
		return;
	}
	out.src = pkt->flow.dst;
	out.src.port = o->port;
	out.dst = o->peer;
	if (out.src.family != out.dst.family) {
		/* v4 <-> v6 bridging needs a source of the other family. */
		rtd_app_counter_add(app, RELAY_SEND_FAIL, 1);
		return;
	}
	/* Counted as forwarded when it leaves, whether at once or after ARP. */
	pkt->sent[0] = &app->counters[RELAY_FORWARDED].value;
	pkt->sent[1] = &s->forwarded;
	if (rtd_forward(io, pkt, &out) && !pkt->consumed)
		rtd_app_counter_add(app, RELAY_SEND_FAIL, 1);
}

void relay_poll(struct rtd_app *app, struct rtd_io *io, uint64_t now)
{
	struct relay *r = app->priv;
	struct rcmd c;

	(void)io;
	(void)now;
	while (!ring_pop(&r->cmds, &c))
		apply(r, &c);
}
