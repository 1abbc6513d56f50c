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

#include "datapath/ring.h"

#define RELAY_MAX_STREAMS 16384 /* 4096 calls: 2 legs x (RTP + RTCP) per media */

/* One local port: where one leg's peer sends, and what it receives from. */
struct rstream {
	uint16_t port;      /* local port the peer sends to */
	uint16_t other;     /* stream index of the opposite leg's same port kind */
	bool used;
	bool latched;       /* peer learned from its packets */
	bool strict;        /* only the latched peer may send */
	bool rtcp;
	struct rtd_ep peer; /* where this leg's peer is (family 0: unknown yet) */
	/* Counters, single writer: the RT thread. */
	uint64_t packets, bytes, forwarded, dropped, last_ns;
	uint32_t received, lost, cycles, base_seq;
	uint16_t max_seq;
	bool seq_init;
	int64_t transit;
	uint32_t jitter_q4; /* RFC 3550 jitter in timestamp units, x16 */
};

enum rcmd_op { RCMD_ADD = 1, RCMD_DEL, RCMD_PEER };

struct rcmd {
	uint8_t op;
	bool strict;
	bool rtcp;
	uint16_t idx;
	uint16_t port;
	uint16_t other;
	struct rtd_ep peer;
};

struct ng;

struct relay {
	struct rstream streams[RELAY_MAX_STREAMS];
	uint16_t port_map[65536]; /* RT-owned: port -> stream index + 1 */
	struct ring cmds;         /* ng thread -> RT thread */
	struct ng *ng;
	struct rtd_app *app;
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
enum {
	RELAY_RTP,
	RELAY_RTCP,
	RELAY_FORWARDED,
	RELAY_NO_STREAM,
	RELAY_NO_PEER,
	RELAY_STRICT_DROP,
	RELAY_SEND_FAIL,
	RELAY_NCOUNTERS,
};

#endif
