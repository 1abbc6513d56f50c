// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The RT thread: one busy-poll round after another over every queue, each
 * round completing transmitted frames, refilling the fill ring, taking a
 * batch of received frames through the stack to the application, and
 * kicking the driver for what the round sent.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>

#include <rtd/maps.h>

#include "datapath/io.h"
#include "datapath/stack.h"
#include "lib/clock.h"

#define RX_BATCH 64

static void count_parse_error(struct rtd_io *io, int err)
{
	switch (err) {
	case -EILSEQ:
		INC(io, bad_checksum, 1);
		break;
	case -EPROTONOSUPPORT:
		INC(io, not_udp, 1);
		break;
	case -EOPNOTSUPP:
		INC(io, fragments, 1);
		break;
	default:
		INC(io, malformed, 1);
		break;
	}
}

/*
 * Sources no datagram may come from (RFC 1122 3.2.1.3, RFC 4291): this
 * network, loopback, multicast and above, unspecified, v4-mapped, and our
 * own addresses.  Answered, they would only make rtd ask the kernel to
 * resolve them; the kernel drops them too.
 */
static bool martian(const struct rtd_io *io, const struct rtd_ep *src)
{
	const uint8_t *a = src->addr.s6_addr;

	if (src->family == AF_INET) {
		if (a[12] == 0 || a[12] == 127 || a[12] >= 224)
			return true;
	} else if (IN6_IS_ADDR_UNSPECIFIED(&src->addr) || IN6_IS_ADDR_LOOPBACK(&src->addr) ||
		   a[0] == 0xff || IN6_IS_ADDR_V4MAPPED(&src->addr)) {
		return true;
	}
	return nt_is_local(io->nt, src->family, &src->addr);
}

#define RX_PREFETCH 4

/* The metadata ahead of the frame and the headers: the lines parsing reads. */
static inline void prefetch_frame(const struct xskq *q, const struct xdp_desc *d)
{
	const uint8_t *data = q->area + d->addr;

	__builtin_prefetch(data - sizeof(struct rtd_xdp_meta), 1);
	__builtin_prefetch(data + 63, 1);
}

static uint32_t rx_batch(struct rtd_io *io, uint64_t now)
{
	struct xskq *q = io->q;
	uint32_t idx, n = xsk_ring_cons__peek(&q->rx, RX_BATCH, &idx);

	/*
	 * The kernel copied these frames on another core: their headers are
	 * cache misses.  Ask for a few frames ahead so that the misses overlap
	 * instead of stalling the parse of each frame in turn.
	 */
	for (uint32_t i = 0; i < n && i < RX_PREFETCH; i++)
		prefetch_frame(q, xsk_ring_cons__rx_desc(&q->rx, idx + i));
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);
		uint8_t *data = q->area + d->addr;
		struct stack_rx rx;
		struct rtd_pkt pkt;
		int err;

		if (i + RX_PREFETCH < n)
			prefetch_frame(q, xsk_ring_cons__rx_desc(&q->rx, idx + i + RX_PREFETCH));

		INC(io, rx_packets, 1);
		INC(io, rx_bytes, d->len);
		err = stack_parse_flags(data, d->len, io->parse_flags, &rx);
		if (!err && martian(io, &rx.flow.src)) {
			INC(io, martian, 1);
			err = -EADDRNOTAVAIL;
		}
		if (err) {
			if (err != -EADDRNOTAVAIL)
				count_parse_error(io, err);
			xskq_free_push(q, xskq_frame_base(q, d->addr));
			continue;
		}
		if (rx.csum_partial)
			INC(io, csum_partial, 1);
		pkt.rx_ns = now;
		if (d->addr - xskq_frame_base(q, d->addr) >= sizeof(struct rtd_xdp_meta)) {
			struct rtd_xdp_meta meta;
			uint64_t age;

			/* Cleared after use: a driver without metadata leaves 0. */
			memcpy(&meta, data - sizeof(meta), sizeof(meta));
			memset(data - sizeof(meta), 0, sizeof(meta));
			age = now - meta.hook_ns;
			if (meta.hook_ns && age < LAT_MAX_AGE_NS)
				pkt.rx_ns = meta.hook_ns;
		}
		pkt.payload = data + rx.payload_off;
		pkt.len = rx.payload_len;
		pkt.cap = (uint16_t)(q->frame_size - (d->addr - xskq_frame_base(q, d->addr)) -
				     rx.payload_off);
		pkt.vlan_tci = rx.vlan_tci;
		pkt.queue = q->queue;
		pkt.flow = rx.flow;
		pkt.frame = xskq_frame_base(q, d->addr);
		pkt.consumed = false;
		pkt.sent[0] = pkt.sent[1] = NULL;
		io->app->ops->rx(io->app, io, &pkt);
		if (!pkt.consumed)
			xskq_free_push(q, pkt.frame);
		else if (pkt.rx_ns != now && io->nlat < RX_BATCH)
			io->lat_pending[io->nlat++] = pkt.rx_ns;
	}
	if (n)
		xsk_ring_cons__release(&q->rx, n);
	return n;
}

static uint32_t complete_and_refill(struct rtd_io *io)
{
	struct xskq *q = io->q;
	uint32_t idx, done, n = xsk_ring_cons__peek(&q->cq, XSKQ_RING_SIZE, &idx);

	for (uint32_t i = 0; i < n; i++)
		xskq_free_push(q, xskq_frame_base(q, *xsk_ring_cons__comp_addr(&q->cq, idx + i)));
	if (n) {
		struct loop *l = io->loop;

		xsk_ring_cons__release(&q->cq, n);
		__atomic_store_n(&l->tx_pending, l->tx_pending - n, __ATOMIC_RELAXED);
	}

	done = n;

	/* Keep half the frames for TX; the rest keeps the fill ring full. */
	n = xsk_prod_nb_free(&q->fq, XSKQ_RING_SIZE);
	if (n > q->nfree / 2)
		n = q->nfree / 2;
	if (n && xsk_ring_prod__reserve(&q->fq, n, &idx) == n) {
		for (uint32_t i = 0; i < n; i++)
			xskq_free_pop(q, (uint64_t *)xsk_ring_prod__fill_addr(&q->fq, idx + i));
		xsk_ring_prod__submit(&q->fq, n);
	}
	/* Only zero-copy drivers wait for a fill-ring wakeup; in copy mode the
	 * receive path fills frames itself and the call would be pure cost. */
	if (!q->copy && xsk_ring_prod__needs_wakeup(&q->fq))
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return done;
}

static void lat_record(struct rtd_io *io, uint64_t done)
{
	struct io_lat *lat = &io->lat;
	uint32_t epoch = __atomic_load_n(&io->loop->lat_epoch, __ATOMIC_RELAXED);

	if (epoch != io->lat_epoch) {
		memset(lat, 0, sizeof(*lat));
		__atomic_store_n(&io->lat_epoch, epoch, __ATOMIC_RELAXED);
	}
	for (unsigned i = 0; i < io->nlat; i++) {
		uint64_t ns = done - io->lat_pending[i], us = ns / 1000;
		uint64_t *b = &lat->hist[us < LAT_BUCKETS ? us : LAT_BUCKETS];

		__atomic_store_n(b, *b + 1, __ATOMIC_RELAXED);
		if (ns > lat->max_ns)
			__atomic_store_n(&lat->max_ns, ns, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&lat->count, lat->count + io->nlat, __ATOMIC_RELAXED);
	io->nlat = 0;
}

/*
 * Out of budget for this window: the kernel's RT throttling would stop the
 * thread dead for 50 ms of the second.  Keep polling, as SCHED_OTHER, whose
 * time RT throttling does not count, and take SCHED_FIFO back when the
 * window ends: two system calls per window, never a stall.
 */
static void set_policy(struct loop *l, bool fifo)
{
	struct sched_param sp = { .sched_priority = fifo ? l->prio : 0 };

	pthread_setschedparam(pthread_self(), fifo ? SCHED_FIFO : SCHED_OTHER, &sp);
	if (!fifo)
		__atomic_store_n(&l->sleeps, l->sleeps + 1, __ATOMIC_RELAXED);
}

void *loop_main(void *arg)
{
	struct loop *l = arg;
	uint64_t win_start = clock_ns(), busy = 0, last = win_start;
	bool demoted = false;

	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		uint64_t now = clock_ns();
		uint32_t work = 0;

		if (l->budget_ns) {
			if (now - win_start >= LOOP_WINDOW_NS) {
				win_start = now;
				busy = 0;
				if (demoted)
					set_policy(l, true);
				demoted = false;
			}
			busy += now - last;
			if (busy >= l->budget_ns && !demoted) {
				set_policy(l, false);
				demoted = true;
			}
			last = now;
		}

		for (unsigned i = 0; i < l->nios; i++) {
			struct rtd_io *io = &l->ios[i];

			work += complete_and_refill(io);
			work += rx_batch(io, now);
			if (io->nheld) {
				uint32_t gen = nt_generation(io->nt);

				if (gen != io->nt_gen || now >= io->held[0].deadline) {
					io->nt_gen = gen;
					tx_hold_retry(io, now);
				}
			}
			if (l->app->ops->poll)
				l->app->ops->poll(l->app, io, now);
			/*
			 * In-host time ends when the reply is on the TX ring: in copy
			 * mode the kick runs the whole transmit, including (on veth)
			 * the peer's receive path, which is not the host's time.
			 */
			if (io->nlat)
				lat_record(io, clock_ns());
			if (io->kick) {
				tx_kick(io);
				work++; /* held frames may leave in a round with no RX */
			}
		}
		/*
		 * A busy-polling core is always 100% on CPU; what it has left is
		 * the share of time not spent on frames.  Idle rounds cost no
		 * extra clock read.
		 */
		if (work)
			__atomic_store_n(&l->busy_ns, l->busy_ns + (clock_ns() - now), __ATOMIC_RELAXED);
		__atomic_store_n(&l->iterations, l->iterations + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

