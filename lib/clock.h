/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CLOCK_MONOTONIC in nanoseconds: the one clock rtd, the XDP hook
 * (bpf_ktime_get_ns) and the BPF qdisc share.  clock_gettime goes through
 * the vDSO: no system call, so the RT thread may read it too.
 */
#ifndef LIB_CLOCK_H
#define LIB_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

static inline uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * How long ago then was, seen at now; zero for a then newer than now.  The
 * RT thread stamps packets from the XDP hook's clock while other threads
 * read their own: a stamp may be newer than a now read a moment before, and
 * unsigned, the difference would wrap to centuries.
 */
static inline uint64_t clock_since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

#endif
