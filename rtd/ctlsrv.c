// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsrv.h"
#include "lib/clock.h"
#include "lib/lockfile.h"
#include "log.h"

static int fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/* path.lock, held for as long as we serve path. */
static int take_lock(struct ctlsrv *s, const char *path)
{
	char lock[sizeof(s->path) + 8];
	pid_t holder;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	s->lock_fd = lockfile_take(lock, &holder);
	if (s->lock_fd == -EWOULDBLOCK && holder)
		log_err("ctl", "%s: another rtd (pid %ld) is serving here", path, (long)holder);
	else if (s->lock_fd == -EWOULDBLOCK)
		log_err("ctl", "%s: another rtd is serving here", path);
	else if (s->lock_fd < 0)
		log_err("ctl", "%s: %s", lock, strerror(-s->lock_fd));
	return s->lock_fd < 0 ? (s->lock_fd == -EWOULDBLOCK ? -EADDRINUSE : s->lock_fd) : 0;
}

static int listen_on(struct ctlsrv *s, const struct sockaddr_un *sun)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = -1 };
	struct group *g;

	/* Whatever is there is a dead rtd's: the lock is ours. */
	unlink(s->path);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (const struct sockaddr *)sun, sizeof(*sun)) || listen(s->fd, 64)) {
		log_err("ctl", "%s: %s", s->path, strerror(errno));
		return -errno;
	}
	chmod(s->path, 0660);
	g = getgrnam("rtd");
	if (g && chown(s->path, -1, g->gr_gid))
		log_warn("ctl", "%s: cannot give it to group rtd: %s", s->path, strerror(errno));
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, s->fd, &ev))
		return -errno;
	return 0;
}

int ctlsrv_open(struct ctlsrv *s, const char *path, const struct ctlsrv_ops *ops, void *ctx)
{
	struct sockaddr_un sun;
	char dir[sizeof(s->path)], *slash;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = s->ep = s->lock_fd = -1;
	for (unsigned i = 0; i < CTLSRV_CLIENTS; i++)
		s->client[i].fd = -1;
	s->ops = ops;
	s->ctx = ctx;
	err = fill_addr(&sun, path);
	if (err) {
		log_err("ctl", "%s: path too long", path);
		return err;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0755);
	}
	err = take_lock(s, path);
	if (err)
		goto err;
	s->buf = malloc(RTD_CTL_MAX_MSG);
	err = s->buf ? listen_on(s, &sun) : -ENOMEM;
	if (err)
		goto err;
	return 0;

err:
	ctlsrv_close(s);
	return err;
}

static size_t reply_err(struct ctlsrv *s, uint32_t cmd, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t reply_err(struct ctlsrv *s, uint32_t cmd, int err, const char *fmt, ...)
{
	struct rtd_ctl_rep *rep = s->buf;
	va_list ap;

	memset(rep, 0, sizeof(*rep));
	rep->version = RTD_CTL_VERSION;
	rep->cmd = cmd;
	rep->err = err;
	va_start(ap, fmt);
	vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
	va_end(ap);
	return sizeof(*rep);
}

/* Whether the daemon answers cmd; a test or a smaller daemon may leave ops out. */
static bool served(const struct ctlsrv_ops *o, __u32 cmd)
{
	switch (cmd) {
	case RTD_CTL_STATUS:
		return o->status;
	case RTD_CTL_PORT_LIST:
		return o->port_list;
	case RTD_CTL_PORT_ADD:
	case RTD_CTL_PORT_DEL:
		return o->port_change;
	case RTD_CTL_STATS:
		return o->stats;
	case RTD_CTL_NEIGH:
		return o->neigh;
	case RTD_CTL_SCHED_GET:
		return o->sched_get;
	case RTD_CTL_SCHED_SET:
		return o->sched_set && o->sched_get;
	case RTD_CTL_CALLS:
		return o->calls;
	case RTD_CTL_LAT_RESET:
		return o->lat_reset;
	}
	return false;
}

/* A request's header and length, before anything is done: 0 or the error reply's length. */
static size_t check(struct ctlsrv *s, const struct rtd_ctl_req *req, ssize_t len)
{
	bool whole = req->cmd == RTD_CTL_PORT_ADD || req->cmd == RTD_CTL_PORT_DEL ||
		     req->cmd == RTD_CTL_SCHED_SET;

	if (len < (ssize_t)(2 * sizeof(__u32)))
		return reply_err(s, 0, -EBADMSG, "request of %zd bytes is too short", len);
	if (req->version != RTD_CTL_VERSION)
		return reply_err(s, req->cmd, -EPROTO, "protocol version %u, rtd speaks %u",
				 req->version, RTD_CTL_VERSION);
	if (len > (ssize_t)sizeof(*req) || (whole && len != (ssize_t)sizeof(*req)))
		return reply_err(s, req->cmd, -EBADMSG, "request of %zd bytes, expected %zu", len,
				 sizeof(*req));
	/* A command this rtd has no op for is as unknown to the client as a new one. */
	if (!served(s->ops, req->cmd))
		return reply_err(s, req->cmd, -EOPNOTSUPP, "unknown command %u", req->cmd);
	return 0;
}

/* The op's answer into rep: records, or -errno (with rep->msg for a change refused). */
static int dispatch(struct ctlsrv *s, const struct rtd_ctl_req *req, struct rtd_ctl_rep *rep,
		    unsigned *max)
{
	void *rec = rep + 1;
	size_t room = RTD_CTL_MAX_MSG - sizeof(*rep);
	int n;

	switch (req->cmd) {
	case RTD_CTL_STATUS:
		rep->rec_size = sizeof(struct rtd_ctl_status);
		return s->ops->status(s->ctx, rec) ?: 1;
	case RTD_CTL_PORT_LIST:
		rep->rec_size = sizeof(struct portset);
		return s->ops->port_list(s->ctx, rec) ?: 1;
	case RTD_CTL_PORT_ADD:
	case RTD_CTL_PORT_DEL:
		n = s->ops->port_change(s->ctx, &req->ports, req->cmd == RTD_CTL_PORT_ADD, rep->msg,
					sizeof(rep->msg));
		return n < 0 ? n : 0;
	case RTD_CTL_STATS:
		rep->rec_size = sizeof(struct rtd_ctl_stat);
		*max = room / rep->rec_size;
		return s->ops->stats(s->ctx, rec, *max);
	case RTD_CTL_NEIGH:
		rep->rec_size = sizeof(struct rtd_ctl_neigh);
		*max = room / rep->rec_size;
		return s->ops->neigh(s->ctx, rec, *max);
	case RTD_CTL_CALLS:
		rep->rec_size = sizeof(struct rtd_ctl_call);
		*max = room / rep->rec_size;
		return s->ops->calls(s->ctx, rec, *max);
	case RTD_CTL_LAT_RESET:
		return s->ops->lat_reset(s->ctx);
	case RTD_CTL_SCHED_SET:
		n = s->ops->sched_set(s->ctx, &req->sched, rep->msg, sizeof(rep->msg));
		if (n < 0)
			return n;
		__attribute__((fallthrough)); /* the reply shows the result */
	case RTD_CTL_SCHED_GET:
		rep->rec_size = sizeof(struct rtd_ctl_sched);
		return s->ops->sched_get(s->ctx, rec) ?: 1;
	}
	return -EOPNOTSUPP; /* refused by check() */
}

static size_t handle(struct ctlsrv *s, const struct rtd_ctl_req *req, ssize_t len)
{
	struct rtd_ctl_rep *rep = s->buf;
	size_t bad = check(s, req, len);
	unsigned max = 0;
	int n;

	if (bad)
		return bad;
	memset(rep, 0, sizeof(*rep));
	rep->version = RTD_CTL_VERSION;
	rep->cmd = req->cmd;
	n = dispatch(s, req, rep, &max);
	if (n < 0 && rep->msg[0]) { /* refused, with the op's reason */
		rep->err = n;
		rep->rec_size = 0;
		return sizeof(*rep);
	}
	if (n < 0)
		return reply_err(s, req->cmd, n, "%s", strerror(-n));
	if (max && (unsigned)n > max) /* an op that overran would otherwise overrun the send */
		n = max;
	rep->count = n;
	return sizeof(*rep) + (size_t)n * rep->rec_size;
}

static void drop(struct ctlsrv *s, struct ctlsrv_client *c)
{
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

/* The client's request, if it has come: answered, and the client closed. */
static void serve(struct ctlsrv *s, struct ctlsrv_client *c)
{
	static struct rtd_ctl_req req;
	ssize_t len;
	size_t rlen;

	memset(&req, 0, sizeof(req));
	/* MSG_TRUNC: the real length, so an oversized request is refused, not cut. */
	len = recv(c->fd, &req, sizeof(req), MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (len > 0) {
		rlen = handle(s, &req, len);
		/* EPIPE: the client left first. */
		if (send(c->fd, s->buf, rlen, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EPIPE &&
		    errno != ECONNRESET)
			log_warn("ctl", "reply of %zu bytes: %s", rlen, strerror(errno));
	}
	drop(s, c);
}

/*
 * A slot for a new client.  All taken: the oldest goes.  rtctl sends its
 * request the moment it connects, so whoever waited longest is the one
 * most likely to send nothing; a flood of silent clients can delay a
 * request by a round, never lock rtctl out.
 */
static struct ctlsrv_client *free_slot(struct ctlsrv *s)
{
	struct ctlsrv_client *old = &s->client[0];

	for (unsigned i = 0; i < CTLSRV_CLIENTS; i++) {
		if (s->client[i].fd < 0)
			return &s->client[i];
		if (s->client[i].deadline < old->deadline)
			old = &s->client[i];
	}
	s->dropped++;
	drop(s, old);
	return old;
}

/* Every pending connection, into a slot of its own. */
static void accept_all(struct ctlsrv *s, uint64_t now)
{
	/* A reply of RTD_CTL_MAX_MSG must go in one non-blocking send. */
	int sndbuf = 2 * RTD_CTL_MAX_MSG;

	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ctlsrv_client *c = NULL;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return;
		c = free_slot(s);
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		ev.data.fd = (int)(c - s->client);
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->deadline = now + CTLSRV_CLIENT_NS;
		/* rtctl sent its request with its connect: answer it before a
		 * later connection in this backlog can take its slot. */
		serve(s, c);
	}
}

int ctlsrv_process(struct ctlsrv *s)
{
	struct epoll_event ev[CTLSRV_CLIENTS + 1];
	uint64_t now = clock_ns();
	int n = epoll_wait(s->ep, ev, CTLSRV_CLIENTS + 1, 0);
	bool pending = false;

	/* Requests first, then new clients: an eviction must not hit a client
	 * whose request is already waiting. */
	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd < 0)
			pending = true;
		else if (s->client[ev[i].data.fd].fd >= 0)
			serve(s, &s->client[ev[i].data.fd]);
	}
	if (pending)
		accept_all(s, now);
	for (unsigned i = 0; i < CTLSRV_CLIENTS; i++) {
		if (s->client[i].fd >= 0 && now >= s->client[i].deadline) {
			s->dropped++;
			drop(s, &s->client[i]);
		}
	}
	return n < 0 && errno != EINTR ? -errno : 0;
}

void ctlsrv_close(struct ctlsrv *s)
{
	for (unsigned i = 0; i < CTLSRV_CLIENTS; i++)
		if (s->client[i].fd >= 0)
			drop(s, &s->client[i]);
	if (s->ep >= 0)
		close(s->ep);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = s->ep = -1;
	lockfile_release(s->lock_fd);
	s->lock_fd = -1;
	free(s->buf);
	s->buf = NULL;
}
