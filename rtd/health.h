/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What rtd tells systemd while it serves, from the control side: WATCHDOG=1
 * every half of $WATCHDOG_USEC, but only while the RT loop makes progress
 * (its round counter, loop.iterations, moved since the last ping), so that
 * a stalled RT thread gets rtd restarted; and a STATUS= line every few
 * seconds (calls, RT ports, packet rates).  The RT thread is asked for
 * nothing: it publishes that counter anyway, one relaxed store a round.
 */
#ifndef RTD_HEALTH_H
#define RTD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct rtd;
struct rtd_ctl_call;

#define HEALTH_STATUS_NS 3000000000ull

struct health {
	uint64_t ping_ns;     /* WATCHDOG_USEC / 2; 0: no watchdog asked for */
	uint64_t ping_next;
	uint64_t ping_rounds; /* the loop's rounds at the last check */
	uint64_t stall_ns;    /* when the loop was last seen moving, while it stalls */
	bool stalled;
	uint64_t status_next;
	uint64_t status_ns;
	uint64_t status_rounds;
	uint64_t rx, tx;              /* packets at status_ns */
	struct rtd_ctl_call *calls; /* for counting calls; NULL when the app has none */
	unsigned calls_max;
};

/*
 * The ping period sd_watchdog_enabled(3) would give: half of WATCHDOG_USEC,
 * when WATCHDOG_PID is unset or names self; else 0.
 */
uint64_t health_ping_period(const char *usec, const char *pid, pid_t self);
int health_open(struct health *h, struct rtd *r, uint64_t now);
/* From the control loop, as often as it likes (every 10 ms). */
void health_tick(struct health *h, struct rtd *r, uint64_t now);
void health_close(struct health *h);

#endif
