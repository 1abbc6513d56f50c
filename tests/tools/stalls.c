// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stalls: what the platform takes from a core that runs nothing but a
 * SCHED_FIFO busy loop, as rtd's RT thread does.  Every gap between two
 * clock reads longer than -g is time the loop lost: the tick, interrupts,
 * RT throttling, or a hypervisor that runs something else on the vCPU.
 * No RT figure on that core can be better than these gaps.
 *
 *   stalls [-c CPU] [-P PRIO] [-t SECS] [-g GAP_US]   (JSON on stdout)
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tool.h"

#define MAX_GAPS 1000000

static void usage(void)
{
	fprintf(stderr, "usage: stalls [-c CPU] [-P PRIO] [-t SECS] [-g GAP_US]\n"
			"  -c CPU     pin (default: stay where started)\n"
			"  -P PRIO    SCHED_FIFO priority (default 50, as rtd's RT thread)\n"
			"  -t SECS    how long to spin (default 2)\n"
			"  -g GAP_US  shortest gap counted (default 10)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long cpu = -1, prio = 50, secs = 2, gap_us = 10;
	uint64_t *gaps, ngaps = 0, lost = 0, t0, last, end, min_gap;
	int opt;

	while ((opt = getopt(argc, argv, "c:P:t:g:")) != -1) {
		switch (opt) {
		case 'c': cpu = tool_num("stalls", "-c", optarg, 0, CPU_SETSIZE - 1); break;
		case 'P': prio = tool_num("stalls", "-P", optarg, 1, 99); break;
		case 't': secs = tool_num("stalls", "-t", optarg, 1, 600); break;
		case 'g': gap_us = tool_num("stalls", "-g", optarg, 1, 1000000); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* Elsewhere than asked would measure the wrong core; without SCHED_FIFO
	 * it measures as an ordinary thread, which is still worth a figure. */
	if (tool_pin("stalls", cpu, 0))
		return 1;
	tool_pin("stalls", -1, prio);
	gaps = malloc(MAX_GAPS * sizeof(*gaps));
	if (!gaps) {
		perror("stalls");
		return 1;
	}
	/* Touch the array now: a page fault in the loop would be our own gap. */
	for (size_t i = 0; i < MAX_GAPS; i++)
		gaps[i] = 0;
	min_gap = (uint64_t)gap_us * 1000;
	t0 = last = tool_clock_ns(CLOCK_MONOTONIC);
	end = t0 + (uint64_t)secs * 1000000000ull;
	while (last < end) {
		uint64_t now = tool_clock_ns(CLOCK_MONOTONIC);

		if (now - last >= min_gap) {
			lost += now - last;
			if (ngaps < MAX_GAPS)
				gaps[ngaps++] = now - last;
		}
		last = now;
	}
	qsort(gaps, ngaps, sizeof(*gaps), tool_cmp_u64);
	printf("{\"cpu\": %ld, \"secs\": %.3f, \"gap_us\": %ld, \"gaps\": %llu, \"gaps_per_s\": %.1f, "
	       "\"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"lost_pct\": %.2f}\n",
	       cpu, (last - t0) / 1e9, gap_us, (unsigned long long)ngaps, ngaps / ((last - t0) / 1e9),
	       tool_pct(gaps, ngaps, 500), tool_pct(gaps, ngaps, 990),
	       ngaps ? gaps[ngaps - 1] / 1000.0 : 0, 100.0 * lost / (double)(last - t0));
	free(gaps);
	return 0;
}
