/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RX isolation: on a NIC with several queues, ntuple filters put the RT
 * ports on the queue(s) rtd polls, so RT frames never wait behind kernel
 * frames in a receive ring; the kernel's RSS spreads the rest.  Without
 * ntuple support (veth, many virtual NICs) RT and kernel frames share the
 * queues RSS or the sender chose, and rtd says so.
 */
#ifndef RTD_RXQ_H
#define RTD_RXQ_H

#include <stdbool.h>
#include <stdint.h>

#include <rtd/portset.h>

#define RXQ_MAX_RULES 1024

struct rxq {
	char ifname[16];
	char state_path[256];
	int queue; /* -1: no steering */
	bool supported;
	unsigned nrules;
	uint16_t port[RXQ_MAX_RULES];
	uint32_t loc[RXQ_MAX_RULES];
};

/* Remove rules a crashed rtd left, then steer ports to queue (if >= 0). */
int rxq_open(struct rxq *r, const char *ifname, int queue, const struct portset *ports,
	     const char *state_path);
/* Follow live port changes. */
void rxq_update(struct rxq *r, const struct portset *ports);
void rxq_close(struct rxq *r);

#endif
