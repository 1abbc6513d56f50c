/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The BPF gate qdisc's shared state, and the rule it gates by: compiled by
 * clang -target bpf into the qdisc and by the host compiler into rtd and
 * the unit tests, so both read the same state the same way.
 */
#ifndef RTD_GATE_SHM_H
#define RTD_GATE_SHM_H

#include <linux/types.h>

/* Packets the qdisc may queue, and its reset can free one by one. */
#define RTD_GATE_BPF_MAX_LIMIT 4096

enum rtd_gate_bpf_mode {
	RTD_GATE_BPF_OPEN = 0,
	RTD_GATE_BPF_REACTIVE,
	RTD_GATE_BPF_SCHEDULED,
};

/*
 * One element of an mmap'd array.  rtd writes the first cache line, the
 * qdisc the second, so the RT loop's stores never bounce the line the
 * qdisc counts in.  Times are CLOCK_MONOTONIC ns: bpf_ktime_get_ns().
 */
struct rtd_gate_shm {
	/* Reactive: kernel packets wait until then.  The RT loop pushes it
	 * forward on each transmit burst: a store, no system call. */
	__u64 closed_until_ns;
	/* Mode, schedule and rate hold until then; rtd renews the lease, so
	 * the qdisc of a dead rtd turns into a plain FIFO by itself. */
	__u64 lease_ns;
	__u32 mode;  /* enum rtd_gate_bpf_mode */
	__u32 limit; /* packets queued at most; more are dropped */
	__u64 period_ns;
	__u64 phase_ns;
	__u64 guard_ns;
	__u64 window_ns;
	__u64 rate_Bps; /* the kernel's share of the link; 0: unlimited */
	__u64 rt_closes; /* the RT loop's: bursts that found the gate open */
	__u64 rt_closed_ns; /* and how long it kept it closed */
	/* Written by the qdisc, under its root lock. */
	__u64 held_pkts __attribute__((aligned(64))); /* found the gate closed */
	__u64 held_bytes;
	__u64 waits;  /* dequeues refused while packets waited */
	__u64 drops;  /* over the limit */
	__u64 sent_pkts;
	__u64 sent_bytes;
};

/*
 * Zero when the kernel may transmit at now, else the time it may again.
 * Scheduled: closed from guard_ns before each departure, phase_ns + k *
 * period_ns, until window_ns after it.
 */
static inline __u64 rtd_gate_closed_until(const struct rtd_gate_shm *s, __u64 now)
{
	__u64 until = s->closed_until_ns;

	if (now < until)
		return until;
	if (now >= s->lease_ns || s->mode != RTD_GATE_BPF_SCHEDULED || !s->period_ns)
		return 0;
	if (now + s->guard_ns >= s->phase_ns) {
		__u64 band = s->guard_ns + s->window_ns;
		__u64 off = (now + s->guard_ns - s->phase_ns) % s->period_ns;

		if (off < band)
			return now + (band - off);
	}
	return 0;
}

/*
 * The RT loop, about to transmit at now: keep the kernel out until hold
 * after it.  One writer (the RT thread); the qdisc reads closed_until_ns,
 * a naturally atomic 64-bit store.
 */
static inline void rtd_gate_hold(struct rtd_gate_shm *s, __u64 now, __u64 hold)
{
	__u64 until = s->closed_until_ns, next = now + hold;

	if (until <= now) {
		s->rt_closes++;
		s->rt_closed_ns += hold;
	} else if (next > until) {
		s->rt_closed_ns += next - until;
	} else {
		return;
	}
	__atomic_store_n(&s->closed_until_ns, next, __ATOMIC_RELEASE);
}

#endif
