/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The egress gate: the kernel's traffic on the shared NIC is held back (a
 * queue, never a drop) while RT frames are pending, so RT frames never wait
 * behind bulk kernel traffic in the driver's TX ring.
 *
 * Where the kernel has BPF qdiscs (6.16+), the root qdisc is rtd's own
 * (gate_bpf.h): the RT loop closes it per transmit burst with a store into
 * a shared map, and the qdisc reopens by itself when the hold time is over.
 *
 * Elsewhere (no plug, prio, taprio or BPF qdisc): a TBF root qdisc that rtd
 * switches between the kernel's rate and a closed rate over rtnetlink.  TBF
 * refills its tokens on every change, so opening lets the backlog go at
 * once; HTB keeps the debt a packet ran up while closed and stalls for up
 * to a second after reopening.
 *
 * BQL caps the kernel's bytes in the driver's TX ring.  Everything is
 * restored on exit, and from a state file by the next start after a crash.
 */
#ifndef RTD_GATE_H
#define RTD_GATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtd/ctl.h"
#include "rtd/gate_bpf.h"

struct loop;

enum gate_mode {
	GATE_OFF = 0,
	GATE_REACTIVE,  /* closed while RT TX work is pending, plus hold time */
	GATE_SCHEDULED, /* closed a guard band before each planned RT departure */
};

enum gate_qdisc {
	GATE_QDISC_AUTO = 0, /* bpf where the kernel has it, else tbf */
	GATE_QDISC_TBF,
	GATE_QDISC_BPF,
};

struct gate_cfg {
	enum gate_mode mode;
	uint64_t link_bps;    /* the NIC's rate in bit/s (0: taken from the link) */
	uint64_t reserve_bps; /* kept back from the kernel for RT, bit/s */
	uint64_t period_ns;   /* scheduled: RT departures every period... */
	uint64_t phase_ns;    /* ...at phase + k * period (CLOCK_MONOTONIC) */
	uint64_t guard_ns;    /* closed this long before a departure */
	uint64_t window_ns;   /* and this long after it */
	uint64_t hold_ns;     /* reactive: stays closed this long after RT TX */
	uint32_t bql_bytes;   /* cap on the kernel's bytes in the TX ring; 0: leave */
};

struct gate_stats {
	uint64_t closes;
	uint64_t closed_ns;
	uint64_t held_bytes; /* tbf: backlog found at each reopening; bpf: bytes
			      * of the packets that found the gate closed */
	uint64_t held_pkts;  /* bpf: packets that found the gate closed */
	uint64_t drops;      /* bpf: over the queue limit */
	uint64_t toggles;
	uint64_t toggle_ns_sum; /* netlink round trip of one change */
	uint64_t toggle_ns_max;
	uint64_t errors;
	uint64_t kicks;
};

struct gate {
	struct gate_cfg cfg;
	struct gate_stats st;
	struct loop *loop; /* read, and its tx_waiter word */
	int ifindex;
	int nl;
	int kick_fd; /* AF_PACKET: one frame restarts a TBF that reopened */
	struct gate_bpf bpf;
	bool use_bpf; /* the root qdisc is rtd's BPF qdisc, not a TBF */
	uint64_t sched_since; /* bpf, scheduled: counting closures from here */
	unsigned seq;
	unsigned ntx;
	long *bql_saved; /* limit_max per TX queue, -1: not changed */
	char ifname[16];
	char state_path[256];
	bool installed;
	bool closed;
	bool stop;
	bool running;
	uint64_t closed_since;
	pthread_mutex_t lock; /* cfg changes from the control thread */
	pthread_t thread;
};

void gate_defaults(struct gate_cfg *cfg);
/*
 * Restore leftovers of a crashed rtd, then (mode != off) install the gate.
 * Refuses to replace a root qdisc that someone configured.
 */
int gate_open(struct gate *g, const char *ifname, int ifindex, struct loop *loop,
	      const struct gate_cfg *cfg, enum gate_qdisc qdisc, const char *state_path);
/* Change mode and parameters live; installs or removes the qdisc as needed. */
int gate_set(struct gate *g, const struct gate_cfg *cfg, char *err, size_t errlen);
void gate_get(struct gate *g, struct gate_cfg *cfg, struct gate_stats *st);
/* Whether the kernel's egress is held back at this moment. */
bool gate_is_closed(struct gate *g);
void gate_close(struct gate *g);
const char *gate_mode_name(enum gate_mode m);
int gate_mode_parse(const char *s, enum gate_mode *m);
/* "bpf" or "tbf": the qdisc the gate uses. */
const char *gate_qdisc_name(const struct gate *g);

#endif
