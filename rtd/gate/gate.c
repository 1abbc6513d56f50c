// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The gate's modes, its thread, and its life: what is installed when, the
 * state a crashed rtd leaves, and the counters rtctl sched shows.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/pkt_sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "datapath/loop.h"
#include "gate/gate.h"
#include "lib/clock.h"
#include "log.h"

/* While frames are on the TX ring: how often to look for their completion. */
#define REACTIVE_POLL_NS 20000
/* BPF gate: schedule and rate hold this long unless renewed (every LEASE_RENEW_NS). */
#define LEASE_NS 1000000000ull
#define LEASE_RENEW_NS 100000000ull
/* Longest wait for RT frames; a mode change or stop wakes the gate sooner. */
#define IDLE_NS 50000000ull

#define US(v) ((uint64_t)(v) * NSEC_PER_USEC)

const char *gate_qdisc_name(const struct gate *g)
{
	return g->use_bpf ? "bpf" : "tbf";
}

static uint64_t open_bps(const struct gate *g)
{
	uint64_t link = g->cfg.link_mbit ? g->cfg.link_mbit * 1000000ull : 100000000000ull;
	uint64_t reserve = g->cfg.reserve_mbit * 1000000ull;

	return link > reserve + 8000 ? link - reserve : 8000;
}

/* ---- the BPF qdisc's shared state ---- */

static unsigned tx_queue_len(const char *ifname)
{
	char path[96];
	unsigned v = 1000;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/tx_queue_len", ifname);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 1000;
		fclose(f);
	}
	return v < 64 ? 64 : v > RTD_GATE_BPF_MAX_LIMIT ? RTD_GATE_BPF_MAX_LIMIT : v;
}

/* Scheduled closures since sched_since: one band a period, none missed. */
static void sched_bands(const struct gate *g, uint64_t now, uint64_t *n, uint64_t *ns)
{
	*n = *ns = 0;
	if (g->sched_since && g->cfg.period_us && now > g->sched_since) {
		*n = (now - g->sched_since) / US(g->cfg.period_us);
		*ns = *n * US(g->cfg.guard_us + g->cfg.window_us);
	}
}

/* Bank the scheduled closures so far, before the schedule changes. */
static void sched_fold(struct gate *g)
{
	uint64_t n, ns;

	sched_bands(g, clock_ns(), &n, &ns);
	g->st.closes += n;
	g->st.closed_ns += ns;
	g->sched_since = 0;
}

/*
 * Hand the qdisc the configuration, and the RT loop the map while the gate
 * is reactive: from then on it closes the gate itself.
 */
static void bpf_publish(struct gate *g)
{
	struct rtd_gate_shm *s = g->bpf.shm;
	uint64_t now = clock_ns();
	bool on = g->installed && g->cfg.mode != GATE_OFF;

	s->period_ns = US(g->cfg.period_us);
	s->phase_ns = US(g->cfg.phase_us);
	s->guard_ns = US(g->cfg.guard_us);
	s->window_ns = US(g->cfg.window_us);
	s->rate_Bps = on && (g->cfg.link_mbit || g->cfg.reserve_mbit) ? open_bps(g) / 8 : 0;
	s->limit = tx_queue_len(g->ifname);
	__atomic_store_n(&s->lease_ns, now + LEASE_NS, __ATOMIC_RELAXED);
	__atomic_store_n(&s->mode,
			 !on ? RTD_GATE_BPF_OPEN
			 : g->cfg.mode == GATE_REACTIVE ? RTD_GATE_BPF_REACTIVE
							: RTD_GATE_BPF_SCHEDULED,
			 __ATOMIC_RELEASE);
	/* Callers fold the closures counted so far first (sched_fold). */
	if (on && g->cfg.mode == GATE_SCHEDULED && !g->sched_since)
		g->sched_since = now;
	__atomic_store_n(&g->loop->gate_hold_ns, US(g->cfg.hold_us), __ATOMIC_RELAXED);
	__atomic_store_n(&g->loop->gate_shm, on && g->cfg.mode == GATE_REACTIVE ? s : NULL,
			 __ATOMIC_RELEASE);
	if (!on || g->cfg.mode != GATE_REACTIVE)
		__atomic_store_n(&s->closed_until_ns, 0, __ATOMIC_RELAXED);
}

/* ---- state, for the start after a crash ---- */

static void state_save(const struct gate *g)
{
	struct statefile_w w;

	if (statefile_begin(&w, g->state_path))
		return;
	statefile_printf(&w, "qdisc=%d\n", g->installed);
	bql_save(&g->bql, &w);
	statefile_commit(&w);
}

static int restore_line(void *arg, char *line)
{
	bql_restore_line(arg, line);
	return 0;
}

static void restore_leftovers(struct gate *g)
{
	char kind[32] = "";
	uint32_t handle = 0, backlog;

	if (statefile_read(g->state_path, restore_line, g->ifname) == -ENOENT)
		return;
	if (!root_query(&g->root, kind, sizeof(kind), &handle, &backlog) &&
	    handle == ROOT_HANDLE && !root_remove(&g->root))
		log_info("gate", "removed the gate qdisc an earlier rtd left on %s", g->ifname);
	statefile_remove(g->state_path);
}

/* ---- open/close ---- */

static int set_closed(struct gate *g, bool closed)
{
	uint64_t t0, dt;
	uint32_t handle, backlog = 0;
	char kind[16];
	int err;

	if (!closed && g->closed && !root_query(&g->root, kind, sizeof(kind), &handle, &backlog))
		g->st.held_bytes += backlog;
	t0 = clock_ns();
	err = root_tbf(&g->root, closed ? ROOT_CLOSED_BPS : open_bps(g), false);
	dt = clock_ns() - t0;
	if (err) {
		g->st.errors++;
		return err;
	}
	g->st.toggles++;
	g->st.toggle_ns_sum += dt;
	if (dt > g->st.toggle_ns_max)
		g->st.toggle_ns_max = dt;
	if (closed) {
		g->st.closes++;
		g->closed_since = clock_ns();
	} else {
		g->st.closed_ns += clock_ns() - g->closed_since;
		if (backlog)
			g->st.kicks += root_kick(&g->root, g->loop->ios[0].mac);
	}
	g->closed = closed;
	return 0;
}

/* Roots rtd may replace: the kernel's defaults, or nothing configured. */
static bool default_root(const char *kind)
{
	static const char *const kinds[] = { "noqueue", "mq", "pfifo_fast", "fq_codel", "fq" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

static int install(struct gate *g)
{
	char kind[32] = "";
	uint32_t handle = 0, backlog;
	int err;

	if (g->installed)
		return 0;
	if (!root_query(&g->root, kind, sizeof(kind), &handle, &backlog) &&
	    handle != ROOT_HANDLE && !default_root(kind)) {
		log_err("gate", "%s has a configured root qdisc (%s); rtd will not replace it",
			g->ifname, kind);
		return -EEXIST;
	}
	if (g->use_bpf)
		bpf_publish(g); /* the qdisc reads its limit at creation */
	err = g->use_bpf ? root_set_kind(&g->root, GATE_QDISC_KIND)
			 : root_tbf(&g->root, open_bps(g), true);
	if (err) {
		log_err("gate", "%s: cannot install the %s gate: %s", g->ifname,
			gate_qdisc_name(g), strerror(-err));
		return err;
	}
	g->installed = true;
	g->closed = false;
	if (g->use_bpf)
		bpf_publish(g);
	bql_apply(&g->bql, g->cfg.bql_bytes);
	state_save(g);
	return 0;
}

static void uninstall(struct gate *g)
{
	bool was = g->installed;

	g->installed = false;
	if (g->use_bpf) {
		sched_fold(g);
		bpf_publish(g); /* the RT loop lets go; the qdisc opens */
	}
	if (g->closed)
		set_closed(g, false);
	bql_restore(&g->bql);
	if (was) {
		int err = root_remove(&g->root);

		if (err && err != -ENOENT && err != -EINVAL)
			log_err("gate", "%s: cannot remove the gate qdisc: %s", g->ifname,
				strerror(-err));
	}
	statefile_remove(g->state_path);
}

/* ---- the gate thread (not the RT thread: it makes system calls) ---- */

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000ull, .tv_nsec = t % 1000000000ull };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static bool rt_pending(const struct gate *g, uint64_t now)
{
	const struct loop *l = g->loop;
	uint64_t last = __atomic_load_n(&l->last_tx_ns, __ATOMIC_RELAXED);

	return __atomic_load_n(&l->tx_pending, __ATOMIC_RELAXED) || now - last < US(g->cfg.hold_us);
}

/*
 * Reactive and open: sleep until the RT loop transmits (it wakes us, see
 * gate_wake() in datapath/tx.c) rather than polling, which on a busy kernel core
 * cost more than the gate saved.  The word goes up before the last look at
 * last_tx_ns; the loop stores last_tx_ns before it looks at the word.
 */
static void wait_for_rt(struct gate *g)
{
	struct timespec to = { .tv_sec = 0, .tv_nsec = IDLE_NS };
	uint32_t *w = &g->loop->tx_waiter;

	__atomic_store_n(w, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!rt_pending(g, clock_ns()) && !__atomic_load_n(&g->stop, __ATOMIC_RELAXED))
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 1, &to, NULL, 0);
	__atomic_store_n(w, 0, __ATOMIC_RELAXED);
}

/* Out of wait_for_rt() now: the mode changed, or rtd stops.  The word goes
 * down first, so a gate just about to wait does not. */
static void wake(struct gate *g)
{
	__atomic_store_n(&g->loop->tx_waiter, 0, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &g->loop->tx_waiter, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/*
 * The BPF gate needs no thread to open and close it, only one to renew the
 * lease, so that a killed rtd's qdisc falls back to a plain FIFO.  It waits
 * on the futex word the RT loop never wakes in this mode (it stays 0), so
 * wake() still ends the wait at once.
 */
static void bpf_main(struct gate *g)
{
	struct timespec to = { .tv_sec = 0, .tv_nsec = LEASE_RENEW_NS };

	while (!__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&g->lock);
		if (g->installed)
			__atomic_store_n(&g->bpf.shm->lease_ns, clock_ns() + LEASE_NS,
					 __ATOMIC_RELAXED);
		pthread_mutex_unlock(&g->lock);
		syscall(SYS_futex, &g->loop->tx_waiter, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0);
	}
}

static void *gate_main(void *arg)
{
	struct gate *g = arg;

	if (g->use_bpf) {
		bpf_main(g);
		return NULL;
	}
	while (!__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
		uint64_t now = clock_ns(), next;
		bool wait_rt = false;

		pthread_mutex_lock(&g->lock);
		switch (g->installed ? g->cfg.mode : GATE_OFF) {
		case GATE_REACTIVE: {
			const struct loop *l = g->loop;
			bool want = rt_pending(g, now);

			if (want != g->closed)
				set_closed(g, want);
			/* Closed: reopen when the hold time after the last frame
			 * is over, checking sooner only while frames are in flight. */
			next = __atomic_load_n(&l->last_tx_ns, __ATOMIC_RELAXED) + US(g->cfg.hold_us);
			if (__atomic_load_n(&l->tx_pending, __ATOMIC_RELAXED) ||
			    next < now + REACTIVE_POLL_NS)
				next = now + REACTIVE_POLL_NS;
			wait_rt = !g->closed;
			break;
		}
		case GATE_SCHEDULED: {
			uint64_t p = US(g->cfg.period_us), phase = US(g->cfg.phase_us);
			uint64_t guard = US(g->cfg.guard_us), k, dep, close_at, open_at;

			/* The next departure whose window has not ended yet. */
			k = now + guard > phase ? (now - phase + guard) / p : 0;
			dep = phase + k * p;
			if (dep + US(g->cfg.window_us) <= now)
				dep += p;
			close_at = dep - guard;
			open_at = dep + US(g->cfg.window_us);
			if (now < close_at) {
				if (g->closed)
					set_closed(g, false);
				next = close_at;
			} else {
				if (!g->closed)
					set_closed(g, true);
				next = open_at;
			}
			break;
		}
		default:
			if (g->closed)
				set_closed(g, false);
			next = now + 10000000;
			break;
		}
		pthread_mutex_unlock(&g->lock);
		if (wait_rt)
			wait_for_rt(g);
		else
			sleep_until(next);
	}
	return NULL;
}

/* rtd's BPF qdisc where the kernel has BPF qdiscs and it loads, else TBF. */
static int pick_qdisc(struct gate *g, unsigned want)
{
	bool avail = want != GATE_QDISC_TBF && gate_qdisc_available();
	char why[160] = "this kernel has no BPF qdiscs (CONFIG_NET_SCH_BPF, Linux 6.16+)";
	int err = -EOPNOTSUPP;

	if (avail) {
		/* A registration nobody's qdisc uses is a killed rtd's. */
		bool evict = root_kind_in_use(&g->root, GATE_QDISC_KIND) == 0;

		err = gate_qdisc_open(&g->bpf, evict, why, sizeof(why));
		g->use_bpf = !err;
	}
	if (g->use_bpf) {
		log_info("gate", "%s: the gate is rtd's BPF qdisc, closed per RT frame", g->ifname);
		return 0;
	}
	if (want == GATE_QDISC_BPF) {
		log_err("gate", "--gate-qdisc bpf: %s", why);
		return err;
	}
	if (avail)
		log_warn("gate", "%s: %s; the gate is a TBF", g->ifname, why);
	return 0;
}

/* The RT loop may still hold the map it read before the gate let go:
 * wait for it to go round twice before the map goes. */
static void loop_quiesce(const struct loop *l)
{
	uint64_t it = __atomic_load_n(&l->iterations, __ATOMIC_RELAXED);

	for (int i = 0; i < 100 && l->running; i++) {
		if (__atomic_load_n(&l->iterations, __ATOMIC_RELAXED) - it >= 2)
			return;
		usleep(1000);
	}
}

int gate_open(struct gate *g, const char *ifname, int ifindex, struct loop *loop,
	      const struct rtd_gate_conf *cfg, const char *state_path)
{
	int err;

	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	g->loop = loop;
	snprintf(g->ifname, sizeof(g->ifname), "%s", ifname);
	snprintf(g->state_path, sizeof(g->state_path), "%s", state_path);
	pthread_mutex_init(&g->lock, NULL);
	err = bql_open(&g->bql, ifname);
	if (err)
		return err;
	err = root_open(&g->root, ifindex);
	if (err)
		goto err_bql;
	restore_leftovers(g);
	err = pick_qdisc(g, cfg->qdisc);
	if (err)
		goto err_root;
	if (cfg->mode != GATE_OFF) {
		err = install(g);
		if (err)
			goto err_qdisc;
	}
	err = pthread_create(&g->thread, NULL, gate_main, g);
	if (err) {
		err = -err;
		uninstall(g);
		goto err_qdisc;
	}
	pthread_setname_np(g->thread, "rtd-gate");
	g->running = true;
	return 0;

err_qdisc:
	if (g->use_bpf) {
		loop_quiesce(g->loop);
		gate_qdisc_close(&g->bpf);
	}
	g->use_bpf = false;
err_root:
	root_close(&g->root);
err_bql:
	bql_close(&g->bql);
	return err;
}

/* An installed gate follows a live change of its rate or BQL cap. */
static int gate_change(struct gate *g, const struct rtd_gate_conf *cfg)
{
	bool relimit = g->installed && (cfg->link_mbit != g->cfg.link_mbit ||
					cfg->reserve_mbit != g->cfg.reserve_mbit);
	bool rebql = g->installed && cfg->bql_bytes != g->cfg.bql_bytes;
	unsigned qdisc = g->cfg.qdisc; /* chosen at start */
	int ret;

	g->cfg = *cfg;
	g->cfg.qdisc = qdisc;
	ret = install(g);
	if (!ret && g->use_bpf)
		bpf_publish(g);
	else if (!ret && relimit && !g->closed)
		ret = root_tbf(&g->root, open_bps(g), false);
	if (!ret && rebql) {
		bql_apply(&g->bql, g->cfg.bql_bytes);
		state_save(g);
	}
	return ret;
}

int gate_set(struct gate *g, const struct rtd_gate_conf *cfg, char *err, size_t errlen)
{
	int ret = 0;

	if (cfg->mode == GATE_SCHEDULED &&
	    (!cfg->period_us || (uint64_t)cfg->guard_us + cfg->window_us >= cfg->period_us)) {
		snprintf(err, errlen, "guard + window must be shorter than the period");
		return -EINVAL;
	}
	pthread_mutex_lock(&g->lock);
	if (g->use_bpf)
		sched_fold(g);
	if (cfg->mode == GATE_OFF) {
		unsigned qdisc = g->cfg.qdisc;

		uninstall(g);
		g->cfg = *cfg;
		g->cfg.qdisc = qdisc;
	} else {
		ret = gate_change(g, cfg);
		if (ret)
			snprintf(err, errlen, "cannot install the gate on %s: %s", g->ifname,
				 strerror(-ret));
	}
	pthread_mutex_unlock(&g->lock);
	wake(g);
	return ret;
}

void gate_get(struct gate *g, struct rtd_gate_conf *cfg, struct gate_stats *st)
{
	pthread_mutex_lock(&g->lock);
	*cfg = g->cfg;
	*st = g->st;
	if (g->closed)
		st->closed_ns += clock_ns() - g->closed_since;
	if (g->use_bpf) {
		const struct rtd_gate_shm *s = g->bpf.shm;
		uint64_t now = clock_ns(), until = s->closed_until_ns, n, ns;

		sched_bands(g, now, &n, &ns);
		st->closes += s->rt_closes + n;
		st->closed_ns += s->rt_closed_ns - (until > now ? until - now : 0) + ns;
		st->toggles = st->closes; /* each one store: nothing to time */
		st->held_pkts = s->held_pkts;
		st->held_bytes = s->held_bytes;
		st->drops = s->drops;
	}
	pthread_mutex_unlock(&g->lock);
}

bool gate_is_closed(struct gate *g)
{
	bool closed;

	pthread_mutex_lock(&g->lock);
	closed = g->use_bpf ? g->installed && rtd_gate_closed_until(g->bpf.shm, clock_ns())
			    : g->closed;
	pthread_mutex_unlock(&g->lock);
	return closed;
}

void gate_close(struct gate *g)
{
	if (g->running) {
		__atomic_store_n(&g->stop, true, __ATOMIC_RELAXED);
		wake(g);
		pthread_join(g->thread, NULL);
		g->running = false;
	}
	uninstall(g);
	if (g->use_bpf) {
		loop_quiesce(g->loop);
		gate_qdisc_close(&g->bpf);
		g->use_bpf = false;
	}
	root_close(&g->root);
	bql_close(&g->bql);
}
