/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the test tools share: strict number arguments, clocks, nearest-rank
 * percentiles and the Internet checksum.  Each tool is one file; these are
 * static.
 */
#ifndef RTD_TEST_TOOL_H
#define RTD_TEST_TOOL_H

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The integer in arg, within lo-hi, or exit 2 naming prog and opt. */
static inline long tool_num(const char *prog, const char *opt, const char *arg, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s: '%s' is not a number in %ld-%ld\n", prog, opt, arg, lo, hi);
		exit(2);
	}
	return v;
}

/*
 * Pin to cpu (if >= 0), then SCHED_FIFO at prio (if > 0).  A failure is
 * said, as "prog: pinning to CPU n" or "prog: SCHED_FIFO", and returned
 * (-1); callers that can measure without it carry on.
 */
static inline int tool_pin(const char *prog, long cpu, long prio)
{
	int ret = 0;

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "%s: pinning to CPU %ld: %s\n", prog, cpu, strerror(errno));
			return -1;
		}
	}
	if (prio > 0) {
		struct sched_param sp = { .sched_priority = (int)prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			fprintf(stderr, "%s: SCHED_FIFO: %s\n", prog, strerror(errno));
			ret = -1;
		}
	}
	return ret;
}

static inline uint64_t tool_ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static inline uint64_t tool_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return tool_ts_ns(&ts);
}

static inline int tool_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank of sorted ns values, in microseconds; in integers so that
 * p99.9 of 1000 samples is exactly the 999th. */
static inline double tool_pct(const uint64_t *v, size_t n, unsigned permille)
{
	size_t r;

	if (!n)
		return 0;
	r = (permille * n + 999) / 1000;
	if (r < 1)
		r = 1;
	return v[(r > n ? n : r) - 1] / 1000.0;
}

/*
 * RFC 1071's definition, one byte pair at a time, added to sum (a pseudo-
 * header, say) and folded: the checksum to put in the header.  Slow and
 * plain on purpose: the unit tests hold rtd's own checksum against it.
 */
static inline uint16_t tool_csum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
