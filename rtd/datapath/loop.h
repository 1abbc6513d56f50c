/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RT busy-poll loop: one thread, pinned and SCHED_FIFO, serving every
 * queue's AF_XDP socket.  struct rtd_io is a queue as the loop and the
 * applications see it.  Nothing here allocates, locks or blocks once
 * loop_start() has returned.
 */
#ifndef DATAPATH_LOOP_H
#define DATAPATH_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rtd/app.h>
#include <rtd/gate_shm.h>

#include "datapath/ring.h"
#include "datapath/xsk.h"
#include "neigh_table.h"

/* Counters of rtd's own stack per queue; single writer (the RT thread). */
#define IO_STATS(X)                                                                  \
	X(rx_packets) X(rx_bytes) X(tx_packets) X(tx_bytes) X(malformed) X(bad_checksum) \
	X(not_udp) X(fragments) X(tx_no_frame) X(tx_ring_full) X(too_big) X(no_route)   \
	X(kicks) X(csum_partial) X(martian)

#define NEIGH_STATS(X) X(held) X(released) X(expired) X(hold_full)

struct io_stats {
#define X(n) uint64_t n;
	IO_STATS(X) NEIGH_STATS(X)
#undef X
};

/* Frames waiting for the kernel to resolve their next hop. */
#define IO_HOLD_MAX 32
#define IO_HOLD_NS 1000000000ull

struct io_held {
	uint64_t addr; /* descriptor address: frame start */
	uint64_t deadline;
	uint64_t *sent[2]; /* counted when it leaves */
	struct in6_addr nexthop;
	uint32_t len;
	uint8_t family;
};

/*
 * In-host time of RT frames: from the XDP hook (metadata) to the reply
 * handed to the driver.  1 us buckets to LAT_BUCKETS us, then one overflow.
 */
#define LAT_BUCKETS 2048
#define LAT_MAX_AGE_NS 100000000ull /* older "hook times" are stale bytes */

struct io_lat {
	uint64_t count;
	uint64_t max_ns;
	uint64_t hist[LAT_BUCKETS + 1];
};

struct loop;

struct rtd_io {
	struct xskq *q;
	struct loop *loop;
	const struct neigh_table *nt;
	struct rtd_app *app;
	unsigned parse_flags; /* STACK_*: what the stack accepts */
	uint8_t mac[6];
	uint16_t ip_id;
	bool kick;
	uint32_t nt_gen;
	unsigned nheld;
	struct io_held held[IO_HOLD_MAX];
	struct io_stats st;
	unsigned nlat;
	uint32_t lat_epoch; /* last reset request seen */
	uint64_t lat_pending[64]; /* hook times of replies queued this round */
	struct io_lat lat;
};

/* What the RT side asks the netlink side to resolve. */
struct resolve_req {
	struct in6_addr addr;
	uint8_t family;
};

struct loop {
	struct rtd_io *ios;
	unsigned nios;
	struct rtd_app *app;
	struct ring resolve; /* RT -> main: next hops to resolve */
	int cpu;
	int prio;
	/*
	 * SCHED_FIFO time allowed per LOOP_WINDOW_NS, below the kernel's RT
	 * throttling (sched_rt_runtime_us); 0 when there is none.  Past it the
	 * loop polls on as SCHED_OTHER for the rest of the window instead of
	 * being stopped dead.
	 */
	uint64_t budget_ns;
	uint64_t sleeps; /* windows demoted to SCHED_OTHER */
	/* For the egress gate: frames handed to TX not yet completed, and when
	 * the last one was; single writer, the RT thread. */
	uint32_t tx_pending;
	uint64_t last_tx_ns;
	/*
	 * Futex word: 1 while the gate sleeps until the next RT transmit.  The
	 * loop wakes it once per burst, after the burst's frames are out, so
	 * an idle gate costs the kernel's cores nothing.
	 */
	uint32_t tx_waiter;
	/*
	 * BPF gate, reactive: the qdisc's shared state (NULL otherwise), which
	 * the loop closes before each transmit burst, and for how long.  Set
	 * by the gate's threads.
	 */
	struct rtd_gate_shm *gate_shm;
	uint64_t gate_hold_ns;
	uint32_t lat_epoch; /* bumped by the control thread to reset histograms */
	bool stop;
	bool running;
	uint64_t iterations;
	uint64_t busy_ns; /* in rounds that received or completed frames */
	uint64_t kick_ns; /* of which in TX wake-ups (copy mode: the whole transmit) */
	pthread_t thread;
};

/* setup.c: before the RT thread runs and after it stops. */
int loop_init(struct loop *l, struct xskq *qs, unsigned nq, const struct neigh_table *nt,
	      struct rtd_app *app, int cpu, int prio, unsigned parse_flags);
/* Start the RT thread; fails only if the thread cannot be created. */
int loop_start(struct loop *l);
void loop_stop(struct loop *l);
void loop_fini(struct loop *l);
/* loop.c: the RT thread's body. */
void *loop_main(void *arg);

#define LOOP_WINDOW_NS 100000000ull

/* Relaxed read of a single-writer counter, for the control thread. */
#define IO_READ(v) __atomic_load_n(&(v), __ATOMIC_RELAXED)

#endif
