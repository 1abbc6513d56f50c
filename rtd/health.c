// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* systemd's watchdog and status line, fed from the control loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rtd/ctl.h>

#include "health.h"
#include "lib/clock.h"
#include "log.h"
#include "notify.h"
#include "rtd.h"

uint64_t health_ping_period(const char *usec, const char *pid, pid_t self)
{
	unsigned long long us;
	char *end;

	if (!usec || !usec[0])
		return 0;
	errno = 0;
	us = strtoull(usec, &end, 10);
	if (errno || *end || !us)
		return 0;
	if (pid && pid[0]) {
		long p = strtol(pid, &end, 10);

		if (*end || p != (long)self)
			return 0;
	}
	return us * NSEC_PER_USEC / 2;
}

int health_open(struct health *h, struct rtd *r, uint64_t now)
{
	memset(h, 0, sizeof(*h));
	h->ping_ns = health_ping_period(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid());
	h->ping_next = now + h->ping_ns;
	h->ping_rounds = IO_READ(r->loop.iterations);
	h->status_next = now + HEALTH_STATUS_NS;
	h->status_ns = now;
	h->status_rounds = h->ping_rounds;
	for (unsigned i = 0; i < r->loop.nios; i++) {
		h->rx += IO_READ(r->loop.ios[i].st.rx_packets);
		h->tx += IO_READ(r->loop.ios[i].st.tx_packets);
	}
	if (r->app.ops->calls) {
		/* As many records as rtctl calls can be sent: the same view. */
		h->calls_max = RTD_CTL_MAX_MSG / sizeof(struct rtd_ctl_call);
		h->calls = calloc(h->calls_max, sizeof(*h->calls));
		if (!h->calls)
			return -ENOMEM;
	}
	if (h->ping_ns)
		log_info("main", "systemd watchdog: pinged every %llu ms while the RT loop runs",
			 (unsigned long long)(h->ping_ns / NSEC_PER_MSEC));
	return 0;
}

void health_close(struct health *h)
{
	free(h->calls);
	h->calls = NULL;
}

static void status(struct health *h, struct rtd *r, uint64_t now);

/* A ping only for a loop that made rounds since the last look. */
static void watchdog(struct health *h, struct rtd *r, uint64_t now)
{
	uint64_t rounds = IO_READ(r->loop.iterations);

	h->ping_next = now + h->ping_ns;
	if (rounds != h->ping_rounds) {
		if (h->stalled)
			log_info("loop", "the RT loop runs again after %llu ms: watchdog pinged again",
				 (unsigned long long)(clock_since(now, h->stall_ns) / NSEC_PER_MSEC));
		h->stalled = false;
		h->ping_rounds = rounds;
		notify_send("WATCHDOG=1");
		return;
	}
	if (h->stalled)
		return;
	log_err("loop", "the RT loop made no round in %llu ms: watchdog not pinged, systemd "
			"will restart rtd",
		(unsigned long long)(h->ping_ns / NSEC_PER_MSEC));
	h->stall_ns = now - h->ping_ns;
	h->stalled = true;
	status(h, r, now); /* systemctl status says why, before the restart */
}

/* Calls as rtctl calls shows them: one record per leg and media. */
static int count_calls(struct health *h, struct rtd *r)
{
	int n, calls = 0;

	if (!h->calls)
		return -1;
	n = r->app.ops->calls(&r->app, h->calls, h->calls_max);
	for (int i = 0; i < n; i++)
		calls += h->calls[i].leg == 0 && h->calls[i].media == 0;
	return calls;
}

static void status(struct health *h, struct rtd *r, uint64_t now)
{
	uint64_t rx = 0, tx = 0, dt = clock_since(now, h->status_ns), rounds;
	char msg[256];
	size_t len = 0;
	int calls = count_calls(h, r);

	for (unsigned i = 0; i < r->loop.nios; i++) {
		rx += IO_READ(r->loop.ios[i].st.rx_packets);
		tx += IO_READ(r->loop.ios[i].st.tx_packets);
	}
	rounds = IO_READ(r->loop.iterations);
	len += snprintf(msg, sizeof(msg), "STATUS=%s: ", r->cfg.iface);
	if (h->ping_ns ? h->stalled : rounds == h->status_rounds)
		len += snprintf(msg + len, sizeof(msg) - len, "RT loop stalled, ");
	if (calls >= 0)
		len += snprintf(msg + len, sizeof(msg) - len, "%d call%s, ", calls,
				calls == 1 ? "" : "s");
	snprintf(msg + len, sizeof(msg) - len, "%u RT ports, %llu pkt/s in, %llu pkt/s out",
		 portset_count(&r->ports.set),
		 dt ? (unsigned long long)((rx - h->rx) * NSEC_PER_SEC / dt) : 0,
		 dt ? (unsigned long long)((tx - h->tx) * NSEC_PER_SEC / dt) : 0);
	notify_send(msg);
	h->rx = rx;
	h->tx = tx;
	h->status_ns = now;
	h->status_rounds = rounds;
	h->status_next = now + HEALTH_STATUS_NS;
}

void health_tick(struct health *h, struct rtd *r, uint64_t now)
{
	if (h->ping_ns && now >= h->ping_next)
		watchdog(h, r, now);
	if (now >= h->status_next)
		status(h, r, now);
}
