/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Between the RT loop (loop.c) and its transmit side (tx.c): RT thread only. */
#ifndef DATAPATH_IO_H
#define DATAPATH_IO_H

#include "datapath/loop.h"

/* Single writer (the RT thread): a relaxed store, no locked instruction. */
#define INC(io, f, n) __atomic_store_n(&(io)->st.f, (io)->st.f + (n), __ATOMIC_RELAXED)

/* A frame left: what its sender asked to count (struct rtd_pkt's sent). */
static inline void count_sent(uint64_t *const sent[2])
{
	for (int i = 0; i < 2; i++)
		if (sent[i])
			__atomic_store_n(sent[i], *sent[i] + 1, __ATOMIC_RELAXED);
}

/* Frames held for a next hop: send those now resolved, drop the expired. */
void tx_hold_retry(struct rtd_io *io, uint64_t now);
/* Wake the driver for what this round put on the TX ring. */
void tx_kick(struct rtd_io *io);

#endif
