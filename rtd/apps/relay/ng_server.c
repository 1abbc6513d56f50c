// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng thread: UDP sockets on the --ng-listen addresses, served from an
 * io_uring loop, one outstanding receive per socket, and once a second the
 * media-timeout scan.  The RT thread only sees stream commands through the
 * ring, and this thread only reads its counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rtd/ctl.h>

#include "apps/relay/ng.h"
#include "apps/relay/redis.h"
#include "apps/relay/sec.h"
#include "apps/relay/store.h"
#include "lib/clock.h"
#include "log.h"

#define NG_MAX_SOCKS 4

struct ng_server {
	int fds[NG_MAX_SOCKS];
	unsigned nfds;
	struct io_uring ring;
	pthread_t thread;
	bool stop;
	struct {
		char buf[NG_MAX_MSG];
		struct sockaddr_storage from;
		struct iovec iov;
		struct msghdr msg;
	} in[NG_MAX_SOCKS];
	char tx[NG_MAX_MSG];
};

/* "ADDR:PORT" or "[ADDR6]:PORT", bound: the fd or -errno. */
static int open_socket(const char *listen_on)
{
	char host[64];
	const char *colon = strrchr(listen_on, ':');
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, port;

	if (!colon || colon == listen_on || (port = atoi(colon + 1)) <= 0 || port > 65535)
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen_on), listen_on);
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (void *)&ss;

		host[strlen(host) - 1] = 0;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -EINVAL;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void serve(struct ng *n, unsigned i, size_t len)
{
	struct ng_server *s = n->srv;
	const struct sockaddr_storage *from = &s->in[i].from;
	socklen_t flen = from->ss_family == AF_INET ? sizeof(struct sockaddr_in)
						    : sizeof(struct sockaddr_in6);
	int out;

	pthread_mutex_lock(&n->lock);
	out = ng_command(n, s->in[i].buf, len, from, s->tx, sizeof(s->tx));
	pthread_mutex_unlock(&n->lock);
	if (out > 0)
		sendto(s->fds[i], s->tx, out, 0, (const struct sockaddr *)from, flen);
}

static void arm_recv(struct ng_server *s, unsigned i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

	s->in[i].iov = (struct iovec){ .iov_base = s->in[i].buf, .iov_len = NG_MAX_MSG };
	s->in[i].msg = (struct msghdr){ .msg_name = &s->in[i].from,
					.msg_namelen = sizeof(s->in[i].from),
					.msg_iov = &s->in[i].iov, .msg_iovlen = 1 };
	io_uring_prep_recvmsg(sqe, s->fds[i], &s->in[i].msg, 0);
	io_uring_sqe_set_data64(sqe, i);
	io_uring_submit(&s->ring);
}

/*
 * The calls a crash or restart left, back before the first command: once
 * the RT thread drains the ring, which holds only so many of their stream
 * commands (it starts after the application's set-up).
 */
static void restore(struct ng *n)
{
	uint64_t t0 = clock_ns();
	int got;

	while (!__atomic_load_n(&n->calls.relay->polled, __ATOMIC_ACQUIRE) &&
	       clock_since(clock_ns(), t0) < 10 * NSEC_PER_SEC)
		usleep(1000);
	pthread_mutex_lock(&n->lock);
	got = store_restore(n->store_dir, &n->calls, clock_ns());
	/* Their SRTP contexts: SDES keys from the records, DTLS ones from the agent. */
	for (unsigned i = 0; got > 0 && i < CALLS_MAX; i++)
		if (n->calls.call[i].used)
			sec_post(&n->calls, &n->calls.call[i], n->dtls_id, NULL);
	pthread_mutex_unlock(&n->lock);
	if (got < 0)
		log_err("store", "%s: %s: no call restored", n->store_dir, strerror(-got));
	else if (got)
		log_info("store", "%d calls restored from %s in %llu ms", got, n->store_dir,
			 (unsigned long long)(clock_since(clock_ns(), t0) / NSEC_PER_MSEC));
}

/*
 * rtd's DTLS certificate: the operator's files, else the one rtd keeps in
 * STATE.dtls.pem (made on the first start), so that a restart keeps the
 * fingerprint the calls' peers were told.  Without either, made when a
 * call first needs one.
 */
static int dtls_identity(struct ng *n, const struct relay_conf *conf, const char *state)
{
	char path[320], err[256];
	int ret;

	if (conf->dtls_cert[0]) {
		ret = rdtls_identity_load(&n->dtls_id, conf->dtls_cert,
					  conf->dtls_key[0] ? conf->dtls_key : conf->dtls_cert, 0, err,
					  sizeof(err));
		if (ret)
			log_err("dtls", "--dtls-cert: %s", err);
		return ret;
	}
	if (!state)
		return 0;
	snprintf(path, sizeof(path), "%s.dtls.pem", state);
	if (!access(path, F_OK)) {
		if (!rdtls_identity_load(&n->dtls_id, path, path, 0, err, sizeof(err)))
			return 0;
		log_warn("dtls", "%s: %s: a new certificate replaces it", path, err);
	}
	ret = rdtls_identity_new(&n->dtls_id, 0, err, sizeof(err));
	if (ret) {
		log_err("dtls", "no certificate: %s", err);
		return ret;
	}
	if (rdtls_identity_save(n->dtls_id, path, err, sizeof(err)))
		log_warn("dtls", "%s: a restart will have another fingerprint", err);
	return 0;
}

static void *ng_main(void *arg)
{
	struct ng *n = arg;
	struct ng_server *s = n->srv;
	uint64_t last_scan = clock_ns();

	if (n->store)
		restore(n);
	__atomic_store_n(&n->ready, true, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < s->nfds; i++)
		arm_recv(s, i);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		struct __kernel_timespec ts = { .tv_nsec = 200000000 };
		struct io_uring_cqe *cqe;

		if (!io_uring_wait_cqe_timeout(&s->ring, &cqe, &ts)) {
			int res = cqe->res;
			unsigned i = (unsigned)io_uring_cqe_get_data64(cqe);

			io_uring_cqe_seen(&s->ring, cqe);
			if (res > 0 && i < s->nfds)
				serve(n, i, res);
			if (i < s->nfds)
				arm_recv(s, i);
		}
		if (clock_ns() - last_scan > NSEC_PER_SEC) {
			last_scan = clock_ns();
			pthread_mutex_lock(&n->lock);
			ng_expire(n, clock_ns());
			ng_sample(n, clock_ns());
			sec_gc(n->calls.relay);
			pthread_mutex_unlock(&n->lock);
		}
	}
	return NULL;
}

static int open_sockets(struct ng_server *s, const char *listen)
{
	char list[128], *save = NULL;

	snprintf(list, sizeof(list), "%s", listen);
	for (char *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		int fd = s->nfds < NG_MAX_SOCKS ? open_socket(a) : -E2BIG;

		if (fd < 0) {
			log_err("ng", "--ng-listen %s: %s", a, strerror(-fd));
			return fd;
		}
		s->fds[s->nfds++] = fd;
	}
	return 0;
}

static void close_sockets(struct ng_server *s)
{
	while (s->nfds)
		close(s->fds[--s->nfds]);
}

/*
 * The store thread under the state path, unless calls are not kept: then
 * what an earlier run kept goes, so that a later start that keeps calls
 * does not bring back calls long gone.
 */
static int keep_calls(struct ng *n, const char *state)
{
	int err, gone;

	if (!state)
		return 0;
	err = store_dir(state, n->store_dir, sizeof(n->store_dir));
	if (err)
		return err;
	if (n->conf->keep_calls == 0)
		return store_start(&n->store, n->store_dir, n);
	gone = store_clear(n->store_dir);
	if (gone > 0)
		log_info("store", "%s: %d calls an earlier run kept removed: --keep-calls no",
			 n->store_dir, gone);
	n->store_dir[0] = 0;
	return 0;
}

int ng_start(struct relay *r, const struct rtd_app_env *env)
{
	struct ng *n = ng_new(r, env);
	int err;

	if (!n)
		return -EINVAL;
	n->srv = calloc(1, sizeof(*n->srv));
	if (!n->srv) {
		err = -ENOMEM;
		goto err_ng;
	}
	err = open_sockets(n->srv, n->conf->ng_listen);
	if (err)
		goto err_fd;
	err = io_uring_queue_init(2 * NG_MAX_SOCKS, &n->srv->ring, 0);
	if (err) {
		log_err("ng", "io_uring: %s", strerror(-err));
		goto err_fd;
	}
	err = dtls_identity(n, n->conf, env->state);
	if (err)
		goto err_ring;
	err = keep_calls(n, env->state);
	if (err)
		goto err_ring;
	/* Written by the store thread's hand: without a state path, nothing to write. */
	if (n->conf->redis.host[0] && n->store) {
		err = redis_start(&n->redis, &n->conf->redis, n, env->is_local, env->ctx);
		if (err)
			goto err_store;
	}
	err = pthread_create(&n->srv->thread, NULL, ng_main, n);
	if (err) {
		err = -err;
		goto err_redis;
	}
	pthread_setname_np(n->srv->thread, "rtd-ng");
	r->ng = n;
	log_info("ng", "listening on %s for %u port pairs", n->conf->ng_listen,
		 portset_count(&n->calls.free_ports));
	return 0;

err_redis:
	redis_stop(n->redis);
err_store:
	store_stop(n->store);
err_ring:
	io_uring_queue_exit(&n->srv->ring);
err_fd:
	close_sockets(n->srv);
	free(n->srv);
err_ng:
	ng_free(n);
	return err;
}

/* One record per leg and media, for rtctl calls. */
static void call_record(const struct relay *r, const struct call *call, unsigned m, int leg,
			uint64_t now, struct rtd_ctl_call *c)
{
	const struct rstream *s = &r->streams[call->media[m].leg[leg].sidx[0]];
	uint64_t last = __atomic_load_n(&s->last_ns, __ATOMIC_RELAXED);

	memset(c, 0, sizeof(*c));
	snprintf(c->call_id, sizeof(c->call_id), "%s", call->call_id);
	snprintf(c->tag, sizeof(c->tag), "%s", call->leg[leg].tag);
	c->leg = leg;
	c->media = m;
	c->local_port = call->media[m].leg[leg].port;
	c->peer_port = __atomic_load_n(&s->peer.port, __ATOMIC_ACQUIRE);
	c->family = s->peer.family;
	c->peer = s->peer.addr;
	c->latched = s->latched;
	c->age_s = clock_since(now, call->created_ns) / NSEC_PER_SEC;
	c->packets = __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
	c->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	c->forwarded = __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED);
	c->lost = __atomic_load_n(&s->lost, __ATOMIC_RELAXED);
	c->jitter_us = relay_jitter_us(s);
	c->last_ms = last ? (int32_t)(clock_since(now, last) / NSEC_PER_MSEC) : -1;
}

int ng_calls(struct relay *r, struct rtd_ctl_call *out, unsigned max)
{
	struct ng *n = r->ng;
	uint64_t now = clock_ns();
	unsigned cnt = 0;

	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < CALLS_MAX; i++) {
		const struct call *call = &n->calls.call[i];

		if (!call->used)
			continue;
		for (unsigned m = 0; m < call->nmedia; m++)
			for (int leg = 0; leg < 2 && cnt < max; leg++)
				call_record(r, call, m, leg, now, &out[cnt++]);
	}
	pthread_mutex_unlock(&n->lock);
	return cnt;
}

void ng_stop(struct relay *r)
{
	struct ng *n = r->ng;

	if (!n)
		return;
	__atomic_store_n(&n->srv->stop, true, __ATOMIC_RELAXED);
	pthread_join(n->srv->thread, NULL);
	/* Its last scan keeps the calls as they are: the next start goes on. */
	store_stop(n->store);
	redis_stop(n->redis); /* after the store's last scan: it writes that too */
	io_uring_queue_exit(&n->srv->ring);
	close_sockets(n->srv);
	free(n->srv);
	ng_free(n);
	r->ng = NULL;
}
