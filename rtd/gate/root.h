/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The NIC's root qdisc over rtnetlink, for the gate: rtd's TBF and its rate
 * switch, rtd's BPF qdisc put in place, what the root is now, and its
 * removal.  Our root's handle is 7274: ("rt"), so that a restart recognises
 * what a crashed rtd left.
 */
#ifndef GATE_ROOT_H
#define GATE_ROOT_H

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"

#define ROOT_HANDLE 0x72740000u

struct root {
	struct nl_sock nl;
	int ifindex;
	int kick_fd; /* AF_PACKET: one frame restarts a TBF that reopened */
};

int root_open(struct root *r, int ifindex);
void root_close(struct root *r);
/* A TBF at bps; create replaces whatever root there is. */
int root_tbf(struct root *r, uint64_t bps, bool create);
/* A root qdisc of kind with no options (rtd's BPF qdisc). */
int root_set_kind(struct root *r, const char *kind);
/* The root's kind, handle and backlog in bytes; -ENOENT when none shows. */
int root_query(struct root *r, char *kind, size_t klen, uint32_t *handle, uint32_t *backlog);
/* Whether any device in the namespace has a qdisc of kind (1, 0 or -errno). */
int root_kind_in_use(struct root *r, const char *kind);
int root_remove(struct root *r);
/*
 * Enqueue one frame so that a TBF whose tokens a change refilled sends its
 * backlog: its watchdog, armed while closed, would wait hours.  A minimum
 * frame of the IEEE local-experimental ethertype to our own MAC, which the
 * peer or switch discards.  Counts 1 when sent.
 */
int root_kick(struct root *r, const uint8_t mac[6]);

/* Closed is a trickle, not zero: ssh works if rtd dies with the gate closed. */
#define ROOT_CLOSED_BPS 1000000ull

#endif
