// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Before the RT thread runs and after it stops: its memory, its policy
 * under the kernel's RT throttling, its creation on the RT core.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/loop.h"
#include "log.h"

int loop_init(struct loop *l, struct xskq *qs, unsigned nq, const struct neigh_table *nt,
	      struct rtd_app *app, int cpu, int prio, unsigned parse_flags)
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
		io->parse_flags = parse_flags;
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
