// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/futex.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rtd/gate.h"
#include "rtd/log.h"
#include "rtd/loop.h"

/* "rt": our root qdisc's handle, so a restart recognises what it left. */
#define GATE_HANDLE 0x72740000u
#define GATE_LIMIT (16u << 20) /* queue bytes: TCP's small queues stay far below */
/*
 * Closed is a trickle, not zero: if rtd dies with the gate closed, the
 * kernel keeps 1 Mbit/s (ssh works) until the next start removes the gate.
 * While rtd runs, closed periods are short: at most one frame slips out.
 */
#define CLOSED_BPS 1000000ull
/* While frames are on the TX ring: how often to look for their completion. */
#define REACTIVE_POLL_NS 20000
/* Longest wait for RT frames; a mode change or stop wakes the gate sooner. */
#define IDLE_NS 50000000ull
/* BPF gate: schedule and rate hold this long unless renewed (every LEASE_RENEW_NS). */
#define LEASE_NS 1000000000ull
#define LEASE_RENEW_NS 100000000ull

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

const char *gate_mode_name(enum gate_mode m)
{
	return m == GATE_REACTIVE ? "reactive" : m == GATE_SCHEDULED ? "scheduled" : "off";
}

int gate_mode_parse(const char *s, enum gate_mode *m)
{
	if (!strcmp(s, "off"))
		*m = GATE_OFF;
	else if (!strcmp(s, "reactive"))
		*m = GATE_REACTIVE;
	else if (!strcmp(s, "scheduled"))
		*m = GATE_SCHEDULED;
	else
		return -EINVAL;
	return 0;
}

void gate_defaults(struct gate_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = GATE_OFF;
	cfg->period_ns = 20000000; /* 50 departures a second */
	cfg->guard_ns = 200000;
	cfg->window_ns = 100000;
	cfg->hold_ns = 200000;
	cfg->bql_bytes = 0;
}

const char *gate_qdisc_name(const struct gate *g)
{
	return g->use_bpf ? "bpf" : "tbf";
}

/* ---- rtnetlink: one root qdisc, TBF or rtd's BPF qdisc ---- */

struct nlreq {
	struct nlmsghdr h;
	struct tcmsg t;
	char buf[512];
};

static struct rtattr *put(struct nlreq *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (void *)((char *)&r->h + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static int talk(struct gate *g, struct nlreq *r)
{
	char buf[8192];
	ssize_t len;

	r->h.nlmsg_seq = ++g->seq;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(g->nl, r, r->h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(g->nl, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_seq == g->seq && h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

static void init_req(struct gate *g, struct nlreq *r, int type, unsigned flags)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(r->t));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	r->t.tcm_family = AF_UNSPEC;
	r->t.tcm_ifindex = g->ifindex;
	r->t.tcm_parent = TC_H_ROOT;
	r->t.tcm_handle = GATE_HANDLE;
}

static uint64_t open_bps(const struct gate *g)
{
	uint64_t link = g->cfg.link_bps ? g->cfg.link_bps : 100000000000ull;

	return link > g->cfg.reserve_bps + 8000 ? link - g->cfg.reserve_bps : 8000;
}

/* Set the TBF to rate bps; creates it when create is set. */
static int tbf_set(struct gate *g, uint64_t bps, bool create)
{
	struct tc_tbf_qopt q = { 0 };
	uint64_t Bps = bps / 8;
	/* Closed: one frame may still leave (TBF drops what exceeds its burst).
	 * Open: 1 ms at the rate, and at least a 64 KiB GSO packet whole. */
	uint32_t burst = bps == CLOSED_BPS ? 1600 : (uint32_t)(Bps / 1000 > 262144 ? Bps / 1000 : 262144);
	struct nlreq r;
	struct rtattr *opts;

	init_req(g, &r, RTM_NEWQDISC, create ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	put(&r, TCA_KIND, "tbf", 4);
	opts = put(&r, TCA_OPTIONS, NULL, 0);
	q.rate.rate = Bps > UINT32_MAX ? UINT32_MAX : (uint32_t)Bps;
	q.rate.linklayer = TC_LINKLAYER_ETHERNET; /* no rate table needed */
	q.limit = GATE_LIMIT;
	put(&r, TCA_TBF_PARMS, &q, sizeof(q));
	put(&r, TCA_TBF_RATE64, &Bps, sizeof(Bps));
	put(&r, TCA_TBF_BURST, &burst, sizeof(burst));
	opts->rta_len = (char *)&r.h + r.h.nlmsg_len - (char *)opts;
	return talk(g, &r);
}

static int root_del(struct gate *g)
{
	struct nlreq r;

	init_req(g, &r, RTM_DELQDISC, 0);
	return talk(g, &r);
}

/* Calls fn for each qdisc in the namespace until it returns non-zero. */
static int qdisc_walk(struct gate *g,
		      int (*fn)(const struct tcmsg *t, const char *kind, uint32_t backlog, void *arg),
		      void *arg)
{
	struct nlreq r;
	char buf[16384];
	ssize_t len;
	int ret = 0;

	init_req(g, &r, RTM_GETQDISC, NLM_F_DUMP);
	r.t.tcm_ifindex = 0;
	r.t.tcm_handle = 0;
	r.t.tcm_parent = 0;
	r.h.nlmsg_seq = ++g->seq;
	r.h.nlmsg_flags |= NLM_F_REQUEST;
	if (send(g->nl, &r, r.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(g->nl, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			struct tcmsg *t = NLMSG_DATA(h);
			int alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*t));
			char kind[32] = "";
			uint32_t backlog = 0;

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return ret;
			if (h->nlmsg_type != RTM_NEWQDISC || ret)
				continue; /* read the dump to its end all the same */
			for (struct rtattr *a = TCA_RTA(t); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				if (a->rta_type == TCA_KIND)
					snprintf(kind, sizeof(kind), "%s", (char *)RTA_DATA(a));
				if (a->rta_type == TCA_STATS && RTA_PAYLOAD(a) >= sizeof(struct tc_stats))
					backlog = ((struct tc_stats *)RTA_DATA(a))->backlog;
			}
			ret = fn(t, kind, backlog, arg);
		}
	}
}

struct root_want {
	int ifindex;
	char *kind;
	size_t klen;
	uint32_t *handle;
	uint32_t *backlog;
};

static int root_match(const struct tcmsg *t, const char *kind, uint32_t backlog, void *arg)
{
	struct root_want *w = arg;

	if (t->tcm_ifindex != w->ifindex || t->tcm_parent != TC_H_ROOT)
		return 0;
	snprintf(w->kind, w->klen, "%s", kind);
	*w->handle = t->tcm_handle;
	*w->backlog = backlog;
	return 1;
}

/* Root qdisc's kind and handle, and its backlog in bytes. */
static int root_qdisc(struct gate *g, char *kind, size_t klen, uint32_t *handle, uint32_t *backlog)
{
	struct root_want w = { g->ifindex, kind, klen, handle, backlog };
	int ret = qdisc_walk(g, root_match, &w);

	return ret < 0 ? ret : ret ? 0 : -ENOENT;
}

static int kind_match(const struct tcmsg *t, const char *kind, uint32_t backlog, void *arg)
{
	(void)t;
	(void)backlog;
	return !strcmp(kind, arg);
}

/* ---- the BPF qdisc ---- */

static int bpf_qdisc_set(struct gate *g)
{
	struct nlreq r;

	init_req(g, &r, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
	put(&r, TCA_KIND, GATE_BPF_KIND, sizeof(GATE_BPF_KIND));
	return talk(g, &r);
}

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
	if (g->sched_since && g->cfg.period_ns && now > g->sched_since) {
		*n = (now - g->sched_since) / g->cfg.period_ns;
		*ns = *n * (g->cfg.guard_ns + g->cfg.window_ns);
	}
}

/* Bank the scheduled closures so far, before the schedule changes. */
static void sched_fold(struct gate *g)
{
	uint64_t n, ns;

	sched_bands(g, mono_ns(), &n, &ns);
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
	uint64_t now = mono_ns();
	bool on = g->installed && g->cfg.mode != GATE_OFF;

	s->period_ns = g->cfg.period_ns;
	s->phase_ns = g->cfg.phase_ns;
	s->guard_ns = g->cfg.guard_ns;
	s->window_ns = g->cfg.window_ns;
	s->rate_Bps = on && (g->cfg.link_bps || g->cfg.reserve_bps) ? open_bps(g) / 8 : 0;
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
	__atomic_store_n(&g->loop->gate_hold_ns, g->cfg.hold_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&g->loop->gate_shm, on && g->cfg.mode == GATE_REACTIVE ? s : NULL,
			 __ATOMIC_RELEASE);
	if (!on || g->cfg.mode != GATE_REACTIVE)
		__atomic_store_n(&s->closed_until_ns, 0, __ATOMIC_RELAXED);
}

/* ---- BQL ---- */

static int bql_path(const struct gate *g, unsigned q, char *buf, size_t len)
{
	return snprintf(buf, len, "/sys/class/net/%s/queues/tx-%u/byte_queue_limits/limit_max",
			g->ifname, q);
}

static long bql_read(const struct gate *g, unsigned q)
{
	char path[160];
	long v = -1;
	FILE *f;

	bql_path(g, q, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int bql_write(const struct gate *g, unsigned q, long v)
{
	char path[160];
	FILE *f;
	int ret = 0;

	bql_path(g, q, path, sizeof(path));
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", v) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static unsigned count_tx_queues(const char *ifname)
{
	char path[160];
	unsigned n = 0;

	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/tx-%u", ifname, n);
		if (access(path, F_OK))
			return n;
	}
}

/* ---- state, for the start after a crash ---- */

static void state_save(const struct gate *g)
{
	FILE *f = fopen(g->state_path, "we");

	if (!f)
		return;
	fprintf(f, "qdisc=%d\n", g->installed);
	for (unsigned q = 0; q < g->ntx; q++)
		if (g->bql_saved[q] >= 0)
			fprintf(f, "bql %u %ld\n", q, g->bql_saved[q]);
	fclose(f);
}

static void restore_leftovers(struct gate *g)
{
	char line[128], kind[32] = "";
	uint32_t handle = 0, backlog;
	unsigned q;
	long v;
	FILE *f = fopen(g->state_path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "bql %u %ld", &q, &v) == 2 && !bql_write(g, q, v))
			log_info("gate", "restored BQL limit_max %ld on %s tx-%u left by an earlier rtd",
				 v, g->ifname, q);
	fclose(f);
	if (!root_qdisc(g, kind, sizeof(kind), &handle, &backlog) && handle == GATE_HANDLE &&
	    !root_del(g))
		log_info("gate", "removed the gate qdisc an earlier rtd left on %s", g->ifname);
	unlink(g->state_path);
}

/*
 * Cap every TX queue at cfg.bql_bytes (0: give each its own limit back).
 * The first value seen is what is restored, on exit or after a crash.
 */
static void bql_apply(struct gate *g)
{
	if (g->cfg.bql_bytes && (!g->ntx || bql_read(g, 0) < 0))
		log_info("gate", "%s has no BQL (its driver does not account TX bytes): nothing to cap",
			 g->ifname);
	for (unsigned q = 0; q < g->ntx; q++) {
		long v = bql_read(g, q);

		if (v < 0)
			continue;
		if (!g->cfg.bql_bytes) {
			if (g->bql_saved[q] >= 0 && !bql_write(g, q, g->bql_saved[q]))
				g->bql_saved[q] = -1;
		} else if (!bql_write(g, q, g->cfg.bql_bytes) && g->bql_saved[q] < 0) {
			g->bql_saved[q] = v;
		}
	}
	state_save(g);
}

/* ---- open/close ---- */

/*
 * TBF does not restart its queue when a change refills its tokens: the
 * watchdog armed while closed (hours ahead at the closed rate) stands, and
 * the backlog waits for the next enqueue.  Enqueue one: a minimum frame of
 * the IEEE local-experimental ethertype to our own MAC, which the peer or
 * switch discards.
 */
static void kick(struct gate *g)
{
	uint8_t frame[60] = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = g->ifindex,
				   .sll_halen = ETH_ALEN };
	const uint8_t *mac = g->loop->ios[0].mac;

	memcpy(frame, mac, 6);
	memcpy(frame + 6, mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	memcpy(sll.sll_addr, mac, 6);
	if (sendto(g->kick_fd, frame, sizeof(frame), MSG_DONTWAIT, (struct sockaddr *)&sll,
		   sizeof(sll)) == sizeof(frame))
		g->st.kicks++;
}

static int set_closed(struct gate *g, bool closed)
{
	uint64_t t0 = mono_ns(), dt;
	uint32_t handle, backlog = 0;
	char kind[16];
	int err;

	if (!closed && g->closed && !root_qdisc(g, kind, sizeof(kind), &handle, &backlog))
		g->st.held_bytes += backlog;
	t0 = mono_ns();
	err = tbf_set(g, closed ? CLOSED_BPS : open_bps(g), false);
	dt = mono_ns() - t0;
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
		g->closed_since = mono_ns();
	} else {
		g->st.closed_ns += mono_ns() - g->closed_since;
		if (backlog)
			kick(g);
	}
	g->closed = closed;
	return 0;
}

static int install(struct gate *g)
{
	char kind[32] = "";
	uint32_t handle = 0, backlog;
	int err;

	if (g->installed)
		return 0;
	if (!root_qdisc(g, kind, sizeof(kind), &handle, &backlog) && handle != GATE_HANDLE &&
	    strcmp(kind, "noqueue") && strcmp(kind, "mq") && strcmp(kind, "pfifo_fast") &&
	    strcmp(kind, "fq_codel") && strcmp(kind, "fq")) {
		log_err("gate", "%s has a configured root qdisc (%s); rtd will not replace it",
			g->ifname, kind);
		return -EEXIST;
	}
	if (g->use_bpf)
		bpf_publish(g); /* the qdisc reads its limit at creation */
	err = g->use_bpf ? bpf_qdisc_set(g) : tbf_set(g, open_bps(g), true);
	if (err) {
		log_err("gate", "%s: cannot install the %s gate: %s", g->ifname,
			gate_qdisc_name(g), strerror(-err));
		return err;
	}
	g->installed = true;
	g->closed = false;
	if (g->use_bpf)
		bpf_publish(g);
	bql_apply(g);
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
	for (unsigned q = 0; q < g->ntx; q++) {
		if (g->bql_saved[q] >= 0)
			bql_write(g, q, g->bql_saved[q]);
		g->bql_saved[q] = -1;
	}
	if (was) {
		int err = root_del(g);

		if (err && err != -ENOENT && err != -EINVAL)
			log_err("gate", "%s: cannot remove the gate qdisc: %s", g->ifname, strerror(-err));
	}
	unlink(g->state_path);
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

	return __atomic_load_n(&l->tx_pending, __ATOMIC_RELAXED) || now - last < g->cfg.hold_ns;
}

/*
 * Reactive and open: sleep until the RT loop transmits (it wakes us, see
 * gate_wake() in loop.c) rather than polling, which on a busy kernel core
 * cost more than the gate saved.  The word goes up before the last look at
 * last_tx_ns; the loop stores last_tx_ns before it looks at the word.
 */
static void wait_for_rt(struct gate *g)
{
	struct timespec to = { .tv_sec = 0, .tv_nsec = IDLE_NS };
	uint32_t *w = &g->loop->tx_waiter;

	__atomic_store_n(w, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!rt_pending(g, mono_ns()) && !__atomic_load_n(&g->stop, __ATOMIC_RELAXED))
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
			__atomic_store_n(&g->bpf.shm->lease_ns, mono_ns() + LEASE_NS, __ATOMIC_RELAXED);
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
		uint64_t now = mono_ns(), next;
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
			next = __atomic_load_n(&l->last_tx_ns, __ATOMIC_RELAXED) + g->cfg.hold_ns;
			if (__atomic_load_n(&l->tx_pending, __ATOMIC_RELAXED) ||
			    next < now + REACTIVE_POLL_NS)
				next = now + REACTIVE_POLL_NS;
			wait_rt = !g->closed;
			break;
		}
		case GATE_SCHEDULED: {
			uint64_t p = g->cfg.period_ns, k, dep, close_at, open_at;

			/* The next departure whose window has not ended yet. */
			k = now + g->cfg.guard_ns > g->cfg.phase_ns
				    ? (now - g->cfg.phase_ns + g->cfg.guard_ns) / p
				    : 0;
			dep = g->cfg.phase_ns + k * p;
			if (dep + g->cfg.window_ns <= now)
				dep += p;
			close_at = dep - g->cfg.guard_ns;
			open_at = dep + g->cfg.window_ns;
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
static int pick_qdisc(struct gate *g, enum gate_qdisc want)
{
	bool avail = want != GATE_QDISC_TBF && gate_bpf_available();
	char why[160] = "this kernel has no BPF qdiscs (CONFIG_NET_SCH_BPF, Linux 6.16+)";
	int err = -EOPNOTSUPP;

	if (avail) {
		/* A registration nobody's qdisc uses is a killed rtd's. */
		bool evict = qdisc_walk(g, kind_match, GATE_BPF_KIND) == 0;

		err = gate_bpf_open(&g->bpf, evict, why, sizeof(why));
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
		log_info("gate", "%s: %s; the gate is a TBF", g->ifname, why);
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
	      const struct gate_cfg *cfg, enum gate_qdisc qdisc, const char *state_path)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int err;

	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	g->loop = loop;
	g->ifindex = ifindex;
	snprintf(g->ifname, sizeof(g->ifname), "%s", ifname);
	snprintf(g->state_path, sizeof(g->state_path), "%s", state_path);
	pthread_mutex_init(&g->lock, NULL);
	g->ntx = count_tx_queues(ifname);
	g->bql_saved = malloc((g->ntx ? g->ntx : 1) * sizeof(long));
	if (!g->bql_saved)
		return -ENOMEM;
	for (unsigned q = 0; q < g->ntx; q++)
		g->bql_saved[q] = -1;
	g->kick_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (g->kick_fd < 0) {
		err = -errno;
		goto err_free;
	}
	g->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (g->nl < 0 || bind(g->nl, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		goto err_kick;
	}
	restore_leftovers(g);
	err = pick_qdisc(g, qdisc);
	if (err)
		goto err_nl;
	if (cfg->mode != GATE_OFF) {
		err = install(g);
		if (err)
			goto err_nl;
	}
	err = pthread_create(&g->thread, NULL, gate_main, g);
	if (err) {
		err = -err;
		uninstall(g);
		goto err_nl;
	}
	pthread_setname_np(g->thread, "rtd-gate");
	g->running = true;
	return 0;

err_nl:
	if (g->use_bpf) {
		loop_quiesce(g->loop);
		gate_bpf_close(&g->bpf);
	}
	g->use_bpf = false;
	close(g->nl);
err_kick:
	close(g->kick_fd);
err_free:
	free(g->bql_saved);
	return err;
}

int gate_set(struct gate *g, const struct gate_cfg *cfg, char *err, size_t errlen)
{
	int ret = 0;

	if (cfg->mode == GATE_SCHEDULED &&
	    (!cfg->period_ns || cfg->guard_ns + cfg->window_ns >= cfg->period_ns)) {
		snprintf(err, errlen, "guard + window must be shorter than the period");
		return -EINVAL;
	}
	pthread_mutex_lock(&g->lock);
	if (g->use_bpf)
		sched_fold(g);
	if (cfg->mode == GATE_OFF) {
		uninstall(g);
		g->cfg = *cfg;
	} else {
		bool relimit = g->installed && (cfg->link_bps != g->cfg.link_bps ||
						cfg->reserve_bps != g->cfg.reserve_bps);
		bool rebql = g->installed && cfg->bql_bytes != g->cfg.bql_bytes;

		g->cfg = *cfg;
		ret = install(g);
		if (!ret && g->use_bpf)
			bpf_publish(g);
		else if (!ret && relimit && !g->closed)
			ret = tbf_set(g, open_bps(g), false);
		if (!ret && rebql)
			bql_apply(g);
		if (ret)
			snprintf(err, errlen, "cannot install the gate on %s: %s", g->ifname,
				 strerror(-ret));
	}
	pthread_mutex_unlock(&g->lock);
	wake(g);
	return ret;
}

void gate_get(struct gate *g, struct gate_cfg *cfg, struct gate_stats *st)
{
	pthread_mutex_lock(&g->lock);
	*cfg = g->cfg;
	*st = g->st;
	if (g->closed)
		st->closed_ns += mono_ns() - g->closed_since;
	if (g->use_bpf) {
		const struct rtd_gate_shm *s = g->bpf.shm;
		uint64_t now = mono_ns(), until = s->closed_until_ns, n, ns;

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
	closed = g->use_bpf ? g->installed && rtd_gate_closed_until(g->bpf.shm, mono_ns())
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
		gate_bpf_close(&g->bpf);
		g->use_bpf = false;
	}
	close(g->nl);
	close(g->kick_fd);
	free(g->bql_saved);
	g->bql_saved = NULL;
}
