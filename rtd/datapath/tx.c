// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The RT loop's transmit side: headers in front of the payload, the next
 * hop from the neighbour mirror (or a hold until the kernel resolves it),
 * the TX ring, and once per round the driver's wake-up.
 */
#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "datapath/io.h"
#include "datapath/stack.h"
#include "lib/clock.h"

static int tx_push(struct rtd_io *io, uint64_t addr, uint32_t len, uint64_t *const sent[2])
{
	struct xskq *q = io->q;
	uint32_t idx;
	struct xdp_desc *d;

	if (xsk_ring_prod__reserve(&q->tx, 1, &idx) != 1) {
		INC(io, tx_ring_full, 1);
		xskq_free_push(q, xskq_frame_base(q, addr));
		return -ENOBUFS;
	}
	d = xsk_ring_prod__tx_desc(&q->tx, idx);
	d->addr = addr;
	d->len = len;
	xsk_ring_prod__submit(&q->tx, 1);
	io->kick = true;
	__atomic_store_n(&io->loop->tx_pending, io->loop->tx_pending + 1, __ATOMIC_RELAXED);
	INC(io, tx_packets, 1);
	INC(io, tx_bytes, len);
	count_sent(sent);
	return 0;
}

static bool hold_has(const struct rtd_io *io, const struct in6_addr *nh)
{
	for (unsigned i = 0; i < io->nheld; i++)
		if (!memcmp(&io->held[i].nexthop, nh, sizeof(*nh)))
			return true;
	return false;
}

static int hold(struct rtd_io *io, uint64_t addr, uint32_t len, int family,
		const struct in6_addr *nh, uint64_t *const sent[2])
{
	struct io_held *h;

	if (io->nheld == IO_HOLD_MAX) {
		INC(io, hold_full, 1);
		xskq_free_push(io->q, xskq_frame_base(io->q, addr));
		return -ENOBUFS;
	}
	if (!hold_has(io, nh)) {
		struct resolve_req req = { .addr = *nh, .family = family };

		/* A full ring only delays resolution until the next held frame. */
		ring_push(&io->loop->resolve, &req);
	}
	h = &io->held[io->nheld++];
	h->addr = addr;
	h->len = len;
	h->family = family;
	h->nexthop = *nh;
	h->sent[0] = sent[0];
	h->sent[1] = sent[1];
	h->deadline = clock_ns() + IO_HOLD_NS;
	INC(io, held, 1);
	return -EAGAIN;
}

/* Retry held frames after the table changed; expire the old ones. */
void tx_hold_retry(struct rtd_io *io, uint64_t now)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < io->nheld; i++) {
		struct io_held *h = &io->held[i];
		struct in6_addr nh;
		uint8_t mac[6];

		if (!nt_resolve(io->nt, h->family, &h->nexthop, mac, &nh)) {
			memcpy(io->q->area + h->addr, mac, 6);
			INC(io, released, 1);
			tx_push(io, h->addr, h->len, h->sent);
		} else if (now >= h->deadline) {
			INC(io, expired, 1);
			xskq_free_push(io->q, xskq_frame_base(io->q, h->addr));
		} else {
			io->held[keep++] = *h;
		}
	}
	io->nheld = keep;
}

/*
 * Headers go right in front of the payload at hdr; the frame at addr is
 * rtd's from here on, whatever the outcome.
 */
static int emit(struct rtd_io *io, uint64_t addr, uint16_t vlan, const struct rtd_flow *flow,
		uint16_t payload_len, uint64_t *const sent[2])
{
	struct stack_l2 l2 = { .vlan_tci = vlan };
	struct in6_addr nh;
	uint8_t *hdr = io->q->area + addr;
	int ret, len;

	/* The netlink thread may change the MTU at any time: one relaxed load. */
	if (payload_len + (flow->dst.family == AF_INET ? 28u : 48u) >
	    __atomic_load_n(&io->nt->mtu, __ATOMIC_RELAXED)) {
		INC(io, too_big, 1);
		xskq_free_push(io->q, xskq_frame_base(io->q, addr));
		return -EMSGSIZE;
	}
	ret = nt_resolve(io->nt, flow->dst.family, &flow->dst.addr, l2.dst, &nh);
	if (ret == -EHOSTUNREACH) {
		INC(io, no_route, 1);
		xskq_free_push(io->q, xskq_frame_base(io->q, addr));
		return ret;
	}
	memcpy(l2.src, io->mac, 6);
	len = stack_build(hdr, &l2, flow, payload_len, io->ip_id++);
	if (len < 0) {
		xskq_free_push(io->q, xskq_frame_base(io->q, addr));
		return len;
	}
	if (ret == -EAGAIN)
		return hold(io, addr, len, flow->dst.family, &nh, sent);
	return tx_push(io, addr, len, sent);
}

int rtd_send(struct rtd_io *io, const struct rtd_flow *flow, const void *payload, size_t len)
{
	size_t hl = stack_hdr_len(flow->dst.family, false);
	uint64_t base;

	if (hl + len > io->q->frame_size) {
		INC(io, too_big, 1);
		return -EMSGSIZE;
	}
	if (!xskq_free_pop(io->q, &base)) {
		INC(io, tx_no_frame, 1);
		return -ENOBUFS;
	}
	static uint64_t *const none[2];

	memcpy(io->q->area + base + hl, payload, len);
	return emit(io, base, 0, flow, len, none);
}

int rtd_forward(struct rtd_io *io, struct rtd_pkt *pkt, const struct rtd_flow *flow)
{
	size_t hl = stack_hdr_len(flow->dst.family, pkt->vlan_tci != 0);
	uint64_t off = pkt->payload - io->q->area;

	/* Headroom is 256 bytes at least: IPv4 -> IPv6 (+20) always fits. */
	if (off < pkt->frame + hl)
		return -ENOBUFS;
	pkt->consumed = true;
	return emit(io, off - hl, pkt->vlan_tci, flow, pkt->len, pkt->sent);
}

/*
 * A sleeping reactive gate learns of RT transmit here: one system call at
 * the start of a burst, once its frames are out, never per frame.  The
 * fence pairs with the gate's (store word, then read last_tx_ns), so one
 * side always sees the other.
 */
static void gate_wake(struct loop *l)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&l->tx_waiter, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&l->tx_waiter, 0, __ATOMIC_RELAXED))
		syscall(SYS_futex, &l->tx_waiter, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void tx_kick(struct rtd_io *io)
{
	struct xskq *q = io->q;
	struct rtd_gate_shm *gs = __atomic_load_n(&io->loop->gate_shm, __ATOMIC_ACQUIRE);
	uint64_t hold = gs ? __atomic_load_n(&io->loop->gate_hold_ns, __ATOMIC_RELAXED) : 0;
	uint64_t t0 = clock_ns(), t1;

	/* BPF gate: closed before the burst enters the driver, a store. */
	if (gs)
		rtd_gate_hold(gs, t0, hold);

	/*
	 * Copy mode transmits only from sendto(), non-blocking, and at most a
	 * small batch (32) per call: call again while descriptors are left, or
	 * a burst fills the ring.  Bounded: the next iteration carries on.
	 */
	for (int i = 0; i < 8 && (q->copy || xsk_ring_prod__needs_wakeup(&q->tx)); i++) {
		if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN)
			break;
		INC(io, kicks, 1);
		if (xsk_prod_nb_free(&q->tx, XSKQ_RING_SIZE) == XSKQ_RING_SIZE)
			break;
	}
	io->kick = false;
	t1 = clock_ns();
	if (gs)
		rtd_gate_hold(gs, t1, hold);
	__atomic_store_n(&io->loop->last_tx_ns, t1, __ATOMIC_RELAXED);
	__atomic_store_n(&io->loop->kick_ns, io->loop->kick_ns + (t1 - t0), __ATOMIC_RELAXED);
	gate_wake(io->loop);
}

