/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * relay: an RTP/RTCP media relay in the RT domain, driven over rtpengine's
 * ng protocol from the GP domain (rtd/ng.c).  The ng thread owns calls and
 * port allocation; the RT thread owns the per-port streams, changed only
 * through an SPSC ring of commands, and their counters, which the ng thread
 * reads.
 */
#ifndef RTD_RELAY_H
#define RTD_RELAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtd/app.h"
#include "rtd/ring.h"

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

/* ng thread side (ng.c). */
struct sockaddr_storage;
/* The control state without sockets or thread (ng_start adds those). */
struct ng *ng_new(struct relay *r, const struct rtd_app_env *env);
void ng_free(struct ng *n);
/*
 * One "<cookie> <bencoded dict>" datagram from from: the reply in out and
 * its length, or 0 for no reply (sender not allowed, no cookie).
 */
int ng_command(struct ng *n, const char *msg, size_t len, const struct sockaddr_storage *from,
	       char *out, size_t outlen);
/* Ends the calls silent for longer than the media timeout at now; how many. */
unsigned ng_expire(struct ng *n, uint64_t now);
int ng_start(struct relay *r, const struct rtd_app_env *env);
struct rtd_ctl_call;
int ng_calls(struct relay *r, struct rtd_ctl_call *out, unsigned max);
void ng_stop(struct relay *r);

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
