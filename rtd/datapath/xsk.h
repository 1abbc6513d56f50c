/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One AF_XDP socket on one RX queue, with its own UMEM and rings, and a stack
 * of free frames.  Everything is allocated and faulted in by xskq_open();
 * the RT loop only moves frame addresses between rings and the stack.
 */
#ifndef DATAPATH_XSK_H
#define DATAPATH_XSK_H

#include <stdbool.h>
#include <stdint.h>

#include <xdp/xsk.h>

struct xskq {
	struct xsk_ring_prod fq;
	struct xsk_ring_prod tx;
	struct xsk_ring_cons cq;
	struct xsk_ring_cons rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	uint8_t *area;
	uint64_t area_len;
	uint64_t *free; /* frame base addresses not in any ring */
	uint32_t nfree;
	uint32_t nframes;
	uint32_t frame_size;
	unsigned queue;
	int fd;
	bool copy; /* copy mode: every TX needs a kick */
};

#define XSKQ_FRAME_SIZE 4096u
#define XSKQ_RING_SIZE 2048u
/* The kernel puts a frame XDP_PACKET_HEADROOM (256) into its chunk. */
#define XSKQ_FRAME_MAX_LEN (XSKQ_FRAME_SIZE - 256u)
/* Ethernet with one tag, in front of an MTU's worth of IP. */
#define ETH_HLEN_MAX 18u

int xskq_open(struct xskq *q, const char *ifname, unsigned queue, uint32_t nframes,
	      bool skb_mode);
void xskq_close(struct xskq *q);
/* Kernel-side counters (XDP_STATISTICS); not for the RT thread. */
int xskq_kernel_stats(const struct xskq *q, struct xdp_statistics *st);

static inline uint64_t xskq_frame_base(const struct xskq *q, uint64_t addr)
{
	return addr & ~(uint64_t)(q->frame_size - 1);
}

static inline void xskq_free_push(struct xskq *q, uint64_t base)
{
	q->free[q->nfree++] = base;
}

static inline bool xskq_free_pop(struct xskq *q, uint64_t *base)
{
	if (!q->nfree)
		return false;
	*base = q->free[--q->nfree];
	return true;
}

#endif
