/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The egress gate: the kernel's traffic on the shared NIC is held back (a
 * queue, never a drop) while RT frames are pending, so RT frames never wait
 * behind bulk kernel traffic in the driver's TX ring.
 *
 * Where the kernel has BPF qdiscs (6.16+), the root qdisc is rtd's own
 * (gate_qdisc.h): the RT loop closes it per transmit burst with a store
 * into a shared map, and the qdisc reopens by itself when the hold time is
 * over.
 *
 * Elsewhere (no plug, prio, taprio or BPF qdisc): a TBF root qdisc that rtd
 * switches between the kernel's rate and a closed rate over rtnetlink
 * (root.h).  TBF refills its tokens on every change, so opening lets the
 * backlog go at once; HTB keeps the debt a packet ran up while closed and
 * stalls for up to a second after reopening.
 *
 * BQL caps the kernel's bytes in the driver's TX ring (bql.h).  Everything
 * is restored on exit, and from a state file by the next start after a
 * crash.
 */
#ifndef GATE_GATE_H
#define GATE_GATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rtd/ctl.h>

#include "gate/bql.h"
#include "gate/gate_qdisc.h"
#include "gate/root.h"
#include "lib/gate_conf.h"

struct loop;

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
	struct rtd_gate_conf cfg;
	struct gate_stats st;
	struct loop *loop; /* read, and its tx_waiter word */
	struct root root;
	struct bql bql;
	struct gate_qdisc bpf;
	bool use_bpf; /* the root qdisc is rtd's BPF qdisc, not a TBF */
	uint64_t sched_since; /* bpf, scheduled: counting closures from here */
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

/*
 * Restore leftovers of a crashed rtd, then (mode != off) install the gate.
 * Refuses to replace a root qdisc that someone configured.
 */
int gate_open(struct gate *g, const char *ifname, int ifindex, struct loop *loop,
	      const struct rtd_gate_conf *cfg, const char *state_path);
/* Change mode and parameters live; installs or removes the qdisc as needed. */
int gate_set(struct gate *g, const struct rtd_gate_conf *cfg, char *err, size_t errlen);
void gate_get(struct gate *g, struct rtd_gate_conf *cfg, struct gate_stats *st);
/* Whether the kernel's egress is held back at this moment. */
bool gate_is_closed(struct gate *g);
void gate_close(struct gate *g);
/* "bpf" or "tbf": the qdisc the gate uses. */
const char *gate_qdisc_name(const struct gate *g);

#endif
