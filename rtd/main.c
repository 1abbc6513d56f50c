// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rtd: options, start-up and shutdown; the work is done in the modules. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/lockfile.h"
#include "log.h"
#include "datapath/stack.h"
#include "health.h"
#include "notify.h"
#include "rtd.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static int netns_cookie(uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

static unsigned rx_queues(const char *ifname)
{
	char path[128];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "rx-", 3);
	closedir(d);
	if (!n)
		n = 1;
	return n > RTD_MAX_QUEUES ? RTD_MAX_QUEUES : n;
}

static void on_addr(void *ctx, int family, const struct in6_addr *a, bool add)
{
	struct rtd *r = ctx;
	int err = steer_addr_set(&r->steer, family, a, add);

	if (err)
		log_err("xdp", "cannot %s an address in the steering map: %s",
			add ? "add" : "remove", strerror(-err));
}

/*
 * The steering program serves frames to this MAC only, and none longer
 * than a UMEM frame holds: say so whenever the MTU allows longer ones.
 */
static void on_link(void *ctx, const uint8_t mac[6], uint32_t mtu)
{
	struct rtd *r = ctx;
	int err = steer_mac_set(&r->steer, mac);

	if (err)
		log_err("xdp", "cannot set the MAC in the steering program: %s", strerror(-err));
	/* Ethernet and a priority tag around the datagram. */
	if (mtu + ETH_HLEN_MAX > XSKQ_FRAME_MAX_LEN)
		log_warn("xdp", "%s: MTU %u, but rtd takes frames of at most %u bytes: longer RT "
				"datagrams go to the kernel, which has no socket for them "
				"(counted as xdp too_big)",
			 r->cfg.iface, mtu, XSKQ_FRAME_MAX_LEN);
}

static int env_steer(void *ctx, uint16_t port, bool on)
{
	struct rtd *r = ctx;

	return ports_steer(&r->ports, port, on);
}

/* The address applications put in what they tell peers (SDP): a global one. */
static int env_local_addr(void *ctx, int family, struct in6_addr *out)
{
	struct rtd *r = ctx;
	static struct neigh_table snap; /* large; off the RT path, one caller at a time */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int ret = -ENOENT;

	pthread_mutex_lock(&lock);
	nt_snapshot(r->nt, &snap);
	for (unsigned i = 0; i < snap.naddrs && ret; i++) {
		const struct in6_addr *a = &snap.addrs[i].addr;

		if (snap.addrs[i].family != family ||
		    (family == AF_INET6 && a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80))
			continue;
		*out = *a;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

static bool env_is_local(void *ctx, int family, const struct in6_addr *a)
{
	struct rtd *r = ctx;

	return nt_is_local(r->nt, family, a);
}

/* The main thread stays off the RT core. */
static void pin_off(int rt_cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 2)
		return;
	CPU_ZERO(&set);
	for (long c = 0; c < ncpu; c++)
		if (c != rt_cpu)
			CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int open_queues(struct rtd *r)
{
	bool skb = r->steer.mode == RTD_XDP_SKB;
	unsigned i;
	int err;

	r->qs = calloc(r->nq, sizeof(*r->qs));
	if (!r->qs)
		return -ENOMEM;
	for (i = 0; i < r->nq; i++) {
		err = xskq_open(&r->qs[i], r->cfg.iface, i, r->cfg.frames, skb);
		if (err) {
			log_err("xsk", "%s queue %u: cannot open an AF_XDP socket: %s", r->cfg.iface,
				i, strerror(-err));
			goto err_close;
		}
		err = steer_xsk_set(&r->steer, i, r->qs[i].fd);
		if (err) {
			xskq_close(&r->qs[i]);
			log_err("xsk", "queue %u: cannot add the socket to the map: %s", i,
				strerror(-err));
			goto err_close;
		}
	}
	return 0;

err_close:
	while (i--) {
		steer_xsk_clear(&r->steer, i);
		xskq_close(&r->qs[i]);
	}
	free(r->qs);
	r->qs = NULL;
	return err;
}

static void close_queues(struct rtd *r)
{
	for (unsigned i = 0; i < r->nq; i++) {
		steer_xsk_clear(&r->steer, i);
		xskq_close(&r->qs[i]);
	}
	free(r->qs);
	r->qs = NULL;
}

static void drain_resolve(struct rtd *r)
{
	struct resolve_req req;

	while (!ring_pop(&r->loop.resolve, &req))
		neigh_resolve(&r->neigh, req.family, &req.addr);
}

static int serve(struct rtd *r, int sigfd)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int fds[] = { sigfd, neigh_fd(&r->neigh), ctlsrv_fd(&r->ctl) };
	struct health health;
	int err = 0;

	if (ep < 0)
		return -errno;
	err = health_open(&health, r, clock_ns());
	if (err)
		goto out;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.fd = fds[i] };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e)) {
			err = -errno;
			goto out;
		}
	}
	for (;;) {
		/* The RT side posts next hops without a wakeup: poll them often. */
		int n = epoll_wait(ep, ev, 4, r->loop.resolve.head != r->loop.resolve.tail ? 0 : 10);

		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		drain_resolve(r);
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd == sigfd) {
				struct signalfd_siginfo si;

				if (read(sigfd, &si, sizeof(si)) == sizeof(si))
					log_info("main", "%s: shutting down", strsignal(si.ssi_signo));
				goto out;
			} else if (fd == neigh_fd(&r->neigh)) {
				neigh_process(&r->neigh);
			}
		}
		/* Every round, not only on input: silent clients have deadlines. */
		ctlsrv_process(&r->ctl);
		health_tick(&health, r, clock_ns());
	}
out:
	health_close(&health);
	close(ep);
	return err;
}

/* The kernel's side: the steering program, the RT ports, RX isolation. */
static int attach(struct rtd *r, const char *state)
{
	char err[256], rxstate[300];
	int ret;

	ret = steer_open(&r->steer, r->cfg.iface, r->ifindex, (enum rtd_xdp_mode)r->cfg.xdp_mode,
			 XSKQ_FRAME_MAX_LEN);
	if (ret)
		return ret;
	ret = ports_open(&r->ports, steer_ports_fd(&r->steer), r->netns_cookie, state);
	if (ret)
		goto err_steer;
	ret = ports_claim(&r->ports, &r->cfg.ports, err, sizeof(err));
	if (ret) {
		log_err("ports", "--rt-ports: %s", err);
		goto err_ports;
	}
	snprintf(rxstate, sizeof(rxstate), "%s.rxq", state);
	rxq_open(&r->rxq, r->cfg.iface, r->cfg.rt_queue, &r->ports.set, rxstate);
	return 0;

err_ports:
	ports_close(&r->ports);
err_steer:
	steer_close(&r->steer);
	return ret;
}

static void detach(struct rtd *r)
{
	rxq_close(&r->rxq);
	ports_close(&r->ports);
	steer_close(&r->steer);
}

/* rtd's copy of the kernel's addresses, routes and neighbours. */
static int mirror(struct rtd *r)
{
	int ret;

	r->nt = calloc(1, sizeof(*r->nt));
	if (!r->nt)
		return -ENOMEM;
	nt_init(r->nt);
	ret = neigh_open(&r->neigh, r->ifindex, r->nt, on_addr, r);
	if (ret) {
		log_err("neigh", "cannot mirror the kernel's tables: %s", strerror(-ret));
		free(r->nt);
		return ret;
	}
	r->neigh.link_cb = on_link;
	on_link(r, r->nt->mac, r->nt->mtu);
	return 0;
}

static void unmirror(struct rtd *r)
{
	neigh_close(&r->neigh);
	free(r->nt);
}

static unsigned parse_flags(const struct rtd *r)
{
	bool partial = r->cfg.csum_verify == RTD_CSUM_PARTIAL ||
		       (r->cfg.csum_verify == RTD_CSUM_AUTO && steer_driver_is_virtual(r->steer.driver));

	if (partial)
		log_info("main", "%s (%s): UDP checksums a sender left partial (TX offload) are "
				 "taken, and counted as csum_partial",
			 r->cfg.iface, r->steer.driver);
	return partial ? STACK_CSUM_PARTIAL_OK : 0;
}

/* The sockets, the application, and the RT thread over them. */
static int run_rt(struct rtd *r)
{
	int ret;

	/* Before the application's threads (ng, ICE, store) exist: they
	 * inherit this, and stay off the RT core from their first run. */
	pin_off(r->cfg.cpu);
	ret = open_queues(r);
	if (ret)
		return ret;
	r->env = (struct rtd_app_env){
		.ports = &r->ports.set,
		.steer = env_steer,
		.local_addr = env_local_addr,
		.is_local = env_is_local,
		.ctx = r,
		.state = r->state,
		/* The application's own settings: only the relay has any. */
		.conf = !strcmp(r->cfg.app, "relay") ? &r->cfg.relay : NULL,
	};
	r->app.env = &r->env;
	r->app.ops = rtd_app_find(r->cfg.app);
	ret = r->app.ops->init ? r->app.ops->init(&r->app) : 0;
	if (ret) {
		log_err("app", "%s: cannot start: %s", r->cfg.app, strerror(-ret));
		goto err_queues;
	}
	ret = loop_init(&r->loop, r->qs, r->nq, r->nt, &r->app, r->cfg.cpu, r->cfg.rt_prio,
			parse_flags(r));
	if (ret)
		goto err_app;
	/* Everything is allocated: keep it resident so the RT path never faults. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		log_warn("main", "mlockall: %s (raise LimitMEMLOCK)", strerror(errno));
	ret = loop_start(&r->loop);
	if (ret) {
		log_err("loop", "cannot start the RT thread: %s", strerror(-ret));
		goto err_loop;
	}
	return 0;

err_loop:
	loop_fini(&r->loop);
err_app:
	if (r->app.ops->fini)
		r->app.ops->fini(&r->app);
err_queues:
	close_queues(r);
	return ret;
}

static void stop_rt(struct rtd *r)
{
	loop_stop(&r->loop);
	/* Sockets first: their map entries go, and RT ports fall back to the kernel. */
	close_queues(r);
	loop_fini(&r->loop);
	if (r->app.ops->fini)
		r->app.ops->fini(&r->app);
}

static void ready(struct rtd *r)
{
	char spec[128], msg[256];

	portset_format(&r->ports.set, spec, sizeof(spec));
	log_info("main", "ready: %s (%s, %s mode) queues %u ports %s app %s cpu %d %s", r->cfg.iface,
		 r->steer.driver, steer_mode_name(r->steer.mode), r->nq, spec, r->cfg.app,
		 r->loop.cpu, r->loop.prio ? "SCHED_FIFO" : "SCHED_OTHER");
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving %s ports %s", r->cfg.iface, spec);
	notify_send(msg);
}

/*
 * One rtd per interface and network namespace: a lock the kernel drops
 * when its holder dies, so a start right after a kill -9 finds it free.
 */
static int lock_instance(struct rtd *r, const char *state)
{
	char path[300];
	pid_t holder;

	snprintf(path, sizeof(path), "%s.lock", state);
	r->lock_fd = lockfile_take(path, &holder);
	if (r->lock_fd == -EWOULDBLOCK) {
		log_err("main", "another rtd (pid %ld) runs on %s in this network namespace",
			(long)holder, r->cfg.iface);
		return -EBUSY;
	}
	if (r->lock_fd < 0)
		log_err("main", "%s: %s", path, strerror(-r->lock_fd));
	return r->lock_fd < 0 ? r->lock_fd : 0;
}

static int start(struct rtd *r)
{
	char state[256], gstate[300];
	struct stat nsst;
	int ret;

	r->start_ns = clock_ns();
	ret = netns_cookie(&r->netns_cookie);
	if (ret) {
		log_err("main", "cannot read the network namespace cookie: %s", strerror(-ret));
		return ret;
	}
	/* Per interface and network namespace: instances in other netns differ. */
	mkdir(r->cfg.state_dir, 0755);
	if (stat("/proc/self/ns/net", &nsst))
		nsst.st_ino = 0;
	snprintf(state, sizeof(state), "%s/%s-%lu.state", r->cfg.state_dir, r->cfg.iface,
		 (unsigned long)nsst.st_ino);
	snprintf(r->state, sizeof(r->state), "%s", state);
	ret = lock_instance(r, state);
	if (ret)
		return ret;
	/* Bound first: an address in use stops rtd before it touches the interface. */
	ret = metrics_open(&r->metrics, &r->cfg.metrics_listen);
	if (ret)
		goto err_lock;
	ret = ctlsrv_open(&r->ctl, r->cfg.ctl_socket, &rtd_ctl_ops, r);
	if (ret)
		goto err_metrics;
	ret = attach(r, state);
	if (ret)
		goto err_ctl;
	ret = mirror(r);
	if (ret)
		goto err_attach;
	ret = run_rt(r);
	if (ret)
		goto err_mirror;
	snprintf(gstate, sizeof(gstate), "%s.gate", state);
	ret = gate_open(&r->gate, r->cfg.iface, r->ifindex, &r->loop, &r->cfg.gate, gstate);
	if (ret)
		goto err_rt;
	/* After pin_off(): the server's thread stays off the RT CPU too. */
	ret = metrics_start(&r->metrics, rtd_metrics_collect, r);
	if (ret)
		goto err_gate;
	ready(r);
	return 0;

err_gate:
	gate_close(&r->gate);
err_rt:
	stop_rt(r);
err_mirror:
	unmirror(r);
err_attach:
	detach(r);
err_ctl:
	ctlsrv_close(&r->ctl);
err_metrics:
	metrics_close(&r->metrics);
err_lock:
	lockfile_release(r->lock_fd);
	return ret;
}

static void stop(struct rtd *r)
{
	notify_send("STOPPING=1");
	metrics_close(&r->metrics); /* first: a scrape reads all that follows */
	gate_close(&r->gate);
	stop_rt(r);
	unmirror(r);
	detach(r);
	ctlsrv_close(&r->ctl);
	lockfile_release(r->lock_fd);
}

int main(int argc, char **argv)
{
	static struct rtd r;
	char err[256];
	sigset_t sigs;
	long ncpu;
	int sigfd, ret;

	config_defaults(&r.cfg);
	if (config_parse_args(&r.cfg, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "rtd: %s\n", err);
		return 2;
	}
	if (r.cfg.help) {
		config_usage(stdout);
		return 0;
	}
	if (r.cfg.version) {
		printf("rtd " RTD_VERSION "\n");
		return 0;
	}
	log_set_level(r.cfg.log_level);
	if (!rtd_app_find(r.cfg.app)) {
		fprintf(stderr, "rtd: --app: '%s' is not an application (%s)\n", r.cfg.app,
			rtd_app_names());
		return 2;
	}
	r.ifindex = if_nametoindex(r.cfg.iface);
	if (!r.ifindex) {
		fprintf(stderr, "rtd: --iface: '%s': %s\n", r.cfg.iface, strerror(errno));
		return 2;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (r.cfg.cpu < 0)
		r.cfg.cpu = ncpu - 1;
	if (r.cfg.cpu >= ncpu) {
		fprintf(stderr, "rtd: --cpu: %d is not an online CPU (0-%ld)\n", r.cfg.cpu, ncpu - 1);
		return 2;
	}
	r.nq = rx_queues(r.cfg.iface);

	/* Before any thread exists, so that only signalfd sees these. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		perror("rtd: signalfd");
		return 1;
	}

	ret = start(&r);
	if (ret) {
		close(sigfd);
		return 1;
	}
	ret = serve(&r, sigfd);
	if (ret)
		log_err("main", "event loop: %s", strerror(-ret));
	stop(&r);
	close(sigfd);
	log_info("main", "stopped; %s restored", r.cfg.iface);
	return ret ? 1 : 0;
}
