// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/if_xdp.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "datapath/xsk.h"

static void fill_all(struct xskq *q)
{
	uint32_t idx, n = q->nfree < XSKQ_RING_SIZE ? q->nfree : XSKQ_RING_SIZE;

	n = xsk_ring_prod__reserve(&q->fq, n, &idx);
	for (uint32_t i = 0; i < n; i++)
		xskq_free_pop(q, (uint64_t *)xsk_ring_prod__fill_addr(&q->fq, idx + i));
	xsk_ring_prod__submit(&q->fq, n);
}

int xskq_open(struct xskq *q, const char *ifname, unsigned queue, uint32_t nframes,
	      bool skb_mode)
{
	struct xsk_umem_config ucfg = {
		/* An empty fill ring drops silently: keep it as deep as RX. */
		.fill_size = XSKQ_RING_SIZE,
		.comp_size = XSKQ_RING_SIZE,
		.frame_size = XSKQ_FRAME_SIZE,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = XSKQ_RING_SIZE,
		.tx_size = XSKQ_RING_SIZE,
		/* rtd owns the program and the XSKMAP; libxdp must not load its own. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = skb_mode ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE,
		.bind_flags = XDP_USE_NEED_WAKEUP | (skb_mode ? XDP_COPY : 0),
	};
	int err;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->queue = queue;
	q->nframes = nframes;
	q->frame_size = XSKQ_FRAME_SIZE;
	q->area_len = (uint64_t)nframes * XSKQ_FRAME_SIZE;
	/* Faulted in now; mlockall() later keeps it resident. */
	q->area = mmap(NULL, q->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (q->area == MAP_FAILED) {
		err = -errno;
		q->area = NULL;
		return err;
	}
	q->free = calloc(nframes, sizeof(*q->free));
	if (!q->free) {
		err = -ENOMEM;
		goto err_area;
	}
	for (uint32_t i = 0; i < nframes; i++)
		xskq_free_push(q, (uint64_t)(nframes - 1 - i) * XSKQ_FRAME_SIZE);

	err = xsk_umem__create(&q->umem, q->area, q->area_len, &q->fq, &q->cq, &ucfg);
	if (err)
		goto err_free;
	err = xsk_socket__create(&q->xsk, ifname, queue, q->umem, &q->rx, &q->tx, &scfg);
	if (err && !skb_mode && err == -EOPNOTSUPP) {
		/* Driver XDP without zero-copy support for this queue: copy mode. */
		scfg.bind_flags |= XDP_COPY;
		err = xsk_socket__create(&q->xsk, ifname, queue, q->umem, &q->rx, &q->tx, &scfg);
	}
	if (err)
		goto err_umem;
	q->fd = xsk_socket__fd(q->xsk);
	{
		struct xdp_options opts;
		socklen_t len = sizeof(opts);

		q->copy = getsockopt(q->fd, SOL_XDP, XDP_OPTIONS, &opts, &len) ||
			  !(opts.flags & XDP_OPTIONS_ZEROCOPY);
	}
	fill_all(q);
	return 0;

err_umem:
	xsk_umem__delete(q->umem);
	q->umem = NULL;
err_free:
	free(q->free);
	q->free = NULL;
err_area:
	munmap(q->area, q->area_len);
	q->area = NULL;
	return err;
}

void xskq_close(struct xskq *q)
{
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	free(q->free);
	if (q->area)
		munmap(q->area, q->area_len);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

int xskq_kernel_stats(const struct xskq *q, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, st, &len))
		return -errno;
	return 0;
}
