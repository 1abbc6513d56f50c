// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsrv.h"
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

/*
 * A socket file left by a crashed rtd is stale; one that answers is not.
 * Non-blocking, so that a live rtd with a full backlog cannot stall our start:
 * it answers EAGAIN, which also means someone is there.
 */
static bool someone_serves(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = !connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) || errno == EAGAIN;
	close(fd);
	return alive;
}

int ctlsrv_open(struct ctlsrv *s, const char *path, const struct ctlsrv_ops *ops, void *ctx)
{
	struct sockaddr_un sun;
	char dir[sizeof(s->path)], *slash;
	struct group *g;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
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
	if (someone_serves(&sun)) {
		log_err("ctl", "%s: another rtd is serving here", path);
		s->path[0] = 0;
		return -EADDRINUSE;
	}
	unlink(path);
	s->buf = malloc(RTD_CTL_MAX_MSG);
	if (!s->buf)
		return -ENOMEM;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = -errno;
		goto err_buf;
	}
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(s->fd, 16)) {
		err = -errno;
		log_err("ctl", "%s: %s", path, strerror(errno));
		goto err_fd;
	}
	chmod(path, 0660);
	g = getgrnam("rtd");
	if (g && chown(path, -1, g->gr_gid))
		log_err("ctl", "%s: cannot give it to group rtd: %s", path, strerror(errno));
	return 0;

err_fd:
	close(s->fd);
	s->fd = -1;
err_buf:
	free(s->buf);
	s->buf = NULL;
	s->path[0] = 0;
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

int ctlsrv_process(struct ctlsrv *s)
{
	static struct rtd_ctl_req req;

	for (;;) {
		/* A client that connects and says nothing cannot hold rtd up. */
		struct timeval tv = { .tv_usec = 100000 };
		int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		ssize_t len;
		size_t rlen;

		if (c < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		memset(&req, 0, sizeof(req));
		/* MSG_TRUNC: the real length, so an oversized request is refused, not cut. */
		len = recv(c, &req, sizeof(req), MSG_TRUNC);
		if (len >= 0) {
			rlen = handle(s, &req, len);
			/* EPIPE: the client left first (another rtd probing for a live one). */
			if (send(c, s->buf, rlen, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
			    errno != ECONNRESET)
				log_err("ctl", "reply of %zu bytes: %s", rlen, strerror(errno));
		}
		close(c);
	}
}

void ctlsrv_close(struct ctlsrv *s)
{
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
}
