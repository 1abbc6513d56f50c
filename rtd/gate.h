/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The egress gate: the kernel's traffic on the shared NIC is held back (a
 * queue, never a drop) while RT frames are pending, so RT frames never wait
 * behind bulk kernel traffic in the driver's TX ring.
 *
 * Mechanism, measured on kernels without plug, prio, taprio or a BPF qdisc:
 * a TBF root qdisc that rtd switches between the kernel's rate and a closed
 * rate over rtnetlink.  TBF refills its tokens on every change, so opening
 * lets the backlog go at once; HTB keeps the debt a packet ran up while
 * closed and stalls for up to a second after reopening.  BQL caps the
 * kernel's bytes in the driver's TX ring.  Everything is restored on exit,
 * and from a state file by the next start after a crash.
 */
#ifndef RTD_GATE_H
#define RTD_GATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtd/ctl.h"

struct loop;

enum gate_mode {
	GATE_OFF = 0,
	GATE_REACTIVE,  /* closed while RT TX work is pending, plus hold time */
	GATE_SCHEDULED, /* closed a guard band before each planned RT departure */
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
	uint64_t held_bytes; /* kernel backlog found queued at each reopening */
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
	      const struct gate_cfg *cfg, const char *state_path);
/* Change mode and parameters live; installs or removes the qdisc as needed. */
int gate_set(struct gate *g, const struct gate_cfg *cfg, char *err, size_t errlen);
void gate_get(struct gate *g, struct gate_cfg *cfg, struct gate_stats *st);
void gate_close(struct gate *g);
const char *gate_mode_name(enum gate_mode m);
int gate_mode_parse(const char *s, enum gate_mode *m);
/* Whether this kernel offers BPF qdiscs (struct_ops Qdisc_ops). */
bool gate_bpf_qdisc_available(void);

#endif
