// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rtd/log.h"
#include "rtd/loop.h"
#include "rtd/maps.h"
#include "rtd/stack.h"

#define RX_BATCH 64

#define INC(io, f, n) __atomic_store_n(&(io)->st.f, (io)->st.f + (n), __ATOMIC_RELAXED)

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int tx_push(struct rtd_io *io, uint64_t addr, uint32_t len)
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
		const struct in6_addr *nh)
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
	h->deadline = now_ns() + IO_HOLD_NS;
	INC(io, held, 1);
	return -EAGAIN;
}

/* Retry held frames after the table changed; expire the old ones. */
static void hold_retry(struct rtd_io *io, uint64_t now)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < io->nheld; i++) {
		struct io_held *h = &io->held[i];
		struct in6_addr nh;
		uint8_t mac[6];

		if (!nt_resolve(io->nt, h->family, &h->nexthop, mac, &nh)) {
			memcpy(io->q->area + h->addr, mac, 6);
			INC(io, released, 1);
			tx_push(io, h->addr, h->len);
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
		uint16_t payload_len)
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
		return hold(io, addr, len, flow->dst.family, &nh);
	return tx_push(io, addr, len);
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
	memcpy(io->q->area + base + hl, payload, len);
	return emit(io, base, 0, flow, len);
}

int rtd_forward(struct rtd_io *io, struct rtd_pkt *pkt, const struct rtd_flow *flow)
{
	size_t hl = stack_hdr_len(flow->dst.family, pkt->vlan_tci != 0);
	uint64_t off = pkt->payload - io->q->area;

	/* Headroom is 256 bytes at least: IPv4 -> IPv6 (+20) always fits. */
	if (off < pkt->frame + hl)
		return -ENOBUFS;
	pkt->consumed = true;
	return emit(io, off - hl, pkt->vlan_tci, flow, pkt->len);
}

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
		err = stack_parse(data, d->len, &rx);
		if (err) {
			count_parse_error(io, err);
			xskq_free_push(q, xskq_frame_base(q, d->addr));
			continue;
		}
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
		pkt.vlan_tci = rx.vlan_tci;
		pkt.queue = q->queue;
		pkt.flow = rx.flow;
		pkt.frame = xskq_frame_base(q, d->addr);
		pkt.consumed = false;
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

static void kick(struct rtd_io *io)
{
	struct xskq *q = io->q;
	struct rtd_gate_shm *gs = __atomic_load_n(&io->loop->gate_shm, __ATOMIC_ACQUIRE);
	uint64_t hold = gs ? __atomic_load_n(&io->loop->gate_hold_ns, __ATOMIC_RELAXED) : 0;
	uint64_t t0 = now_ns(), t1;

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
	t1 = now_ns();
	if (gs)
		rtd_gate_hold(gs, t1, hold);
	__atomic_store_n(&io->loop->last_tx_ns, t1, __ATOMIC_RELAXED);
	__atomic_store_n(&io->loop->kick_ns, io->loop->kick_ns + (t1 - t0), __ATOMIC_RELAXED);
	gate_wake(io->loop);
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

static void *loop_main(void *arg)
{
	struct loop *l = arg;
	uint64_t win_start = now_ns(), busy = 0, last = win_start;
	bool demoted = false;

	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		uint64_t now = now_ns();
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
					hold_retry(io, now);
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
				lat_record(io, now_ns());
			if (io->kick) {
				kick(io);
				work++; /* held frames may leave in a round with no RX */
			}
		}
		/*
		 * A busy-polling core is always 100% on CPU; what it has left is
		 * the share of time not spent on frames.  Idle rounds cost no
		 * extra clock read.
		 */
		if (work)
			__atomic_store_n(&l->busy_ns, l->busy_ns + (now_ns() - now), __ATOMIC_RELAXED);
		__atomic_store_n(&l->iterations, l->iterations + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int loop_init(struct loop *l, struct xskq *qs, unsigned nq, const struct neigh_table *nt,
	      struct rtd_app *app, int cpu, int prio)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->ios = calloc(nq, sizeof(*l->ios));
	if (!l->ios)
		return -ENOMEM;
	err = ring_init(&l->resolve, 64, sizeof(struct resolve_req));
	if (err) {
		free(l->ios);
		return err;
	}
	l->nios = nq;
	l->app = app;
	l->cpu = cpu;
	l->prio = prio;
	for (unsigned i = 0; i < nq; i++) {
		struct rtd_io *io = &l->ios[i];
		struct neigh_table snap;

		io->q = &qs[i];
		io->loop = l;
		io->nt = nt;
		io->app = app;
		nt_snapshot(nt, &snap);
		memcpy(io->mac, snap.mac, 6);
	}
	return 0;
}

static long read_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "re");
	long v;

	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/* SCHED_FIFO busy polling meets RT throttling unless it is off (-1). */
static void set_budget(struct loop *l)
{
	long runtime = read_long("/proc/sys/kernel/sched_rt_runtime_us", -1);
	long period = read_long("/proc/sys/kernel/sched_rt_period_us", 1000000);

	l->budget_ns = 0;
	if (l->prio <= 0 || runtime < 0 || period <= 0 || runtime >= period)
		return;
	/* 5% margin below the kernel's share: never reach its limit. */
	l->budget_ns = (uint64_t)((double)LOOP_WINDOW_NS * runtime / period * 0.95);
}

int loop_start(struct loop *l)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	set_budget(l);
	pthread_attr_init(&attr);
	CPU_ZERO(&set);
	CPU_SET(l->cpu, &set);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (l->prio > 0) {
		struct sched_param sp = { .sched_priority = l->prio };

		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
	}
	err = pthread_create(&l->thread, &attr, loop_main, l);
	if (err == EPERM && l->prio > 0) {
		log_err("loop", "SCHED_FIFO %d refused (%s): running SCHED_OTHER", l->prio,
			strerror(err));
		pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
		l->prio = 0;
		l->budget_ns = 0;
		err = pthread_create(&l->thread, &attr, loop_main, l);
	}
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	pthread_setname_np(l->thread, "rtd-rt");
	l->running = true;
	if (l->budget_ns)
		log_info("loop", "RT throttling is on: SCHED_FIFO for %.0f%% of every %llu ms, "
				 "SCHED_OTHER for the rest; to stay SCHED_FIFO isolate CPU %d and set "
				 "kernel.sched_rt_runtime_us=-1",
			 100.0 * l->budget_ns / LOOP_WINDOW_NS, LOOP_WINDOW_NS / 1000000, l->cpu);
	return 0;
}

void loop_stop(struct loop *l)
{
	if (!l->running)
		return;
	__atomic_store_n(&l->stop, true, __ATOMIC_RELAXED);
	pthread_join(l->thread, NULL);
	l->running = false;
}

void loop_fini(struct loop *l)
{
	ring_free(&l->resolve);
	free(l->ios);
	l->ios = NULL;
}
