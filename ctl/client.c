// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/rtctl.h"

/*
 * rtd answers from its control thread, which may be busy a while (a port
 * claim scans for holders, a gate change waits for rtnetlink); a dead-locked
 * rtd should still not hang a script forever.
 */
#define REPLY_TIMEOUT_S 10

/* With neither -s nor -i: the one rtd there is, or a clear word why not. */
static int find_socket(char *buf, size_t len)
{
	char names[256] = "", path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(RTD_CTL_DIR);

	if (d) {
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (l < 6 || strcmp(de->d_name + l - 5, ".sock"))
				continue;
			/* A name too long for sun_path is no socket rtd made. */
			if (snprintf(path, sizeof(path), "%s/%s", RTD_CTL_DIR, de->d_name) >=
			    (int)sizeof(path))
				continue;
			if (!n++)
				snprintf(buf, len, "%s", path);
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%.*s",
				 n > 1 ? ", " : "", (int)(l - 5), de->d_name);
		}
		closedir(d);
	}
	if (n == 1)
		return 0;
	if (!n)
		fprintf(stderr, "rtctl: no rtd running (no socket in %s)\n", RTD_CTL_DIR);
	else
		fprintf(stderr, "rtctl: several rtd instances (%s): pick one with -i IFACE\n", names);
	return EXIT_DAEMON;
}

/* Resolved on first use, so that usage errors never depend on a running rtd. */
static int resolve_socket(struct rtctl *c)
{
	int err;

	if (c->sock)
		return 0;
	if (c->iface) {
		if (snprintf(c->sockbuf, sizeof(c->sockbuf), "%s/%s.sock", RTD_CTL_DIR, c->iface) >=
		    (int)sizeof(c->sockbuf)) {
			fprintf(stderr, "rtctl: -i: '%s' is too long for an interface name\n",
				c->iface);
			return EXIT_USAGE;
		}
	} else {
		err = find_socket(c->sockbuf, sizeof(c->sockbuf));
		if (err)
			return err;
	}
	c->sock = c->sockbuf;
	return 0;
}

static const char *hint(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ENOENT:
		return " (is rtd running?)";
	case EACCES:
		return " (the socket is for root and group rtd)";
	}
	return "";
}

/* What a good reply to cmd carries: the record size and the fewest records. */
static void shape(unsigned cmd, size_t *size, unsigned *min)
{
	*size = 0;
	*min = 0;
	switch (cmd) {
	case RTD_CTL_STATUS:
		*size = sizeof(struct rtd_ctl_status);
		*min = 1;
		break;
	case RTD_CTL_PORT_LIST:
		*size = sizeof(struct portset);
		*min = 1;
		break;
	case RTD_CTL_STATS:
		*size = sizeof(struct rtd_ctl_stat);
		break;
	case RTD_CTL_NEIGH:
		*size = sizeof(struct rtd_ctl_neigh);
		break;
	case RTD_CTL_CALLS:
		*size = sizeof(struct rtd_ctl_call);
		break;
	case RTD_CTL_SCHED_GET:
	case RTD_CTL_SCHED_SET:
		*size = sizeof(struct rtd_ctl_sched);
		*min = 1;
		break;
	}
}

#define TERMINATE(field) ((field)[sizeof(field) - 1] = 0)

/* Strings are fixed arrays on the wire; a reply must not make us read past one. */
static void terminate_strings(struct rtd_ctl_rep *r)
{
	TERMINATE(r->msg);
	for (unsigned i = 0; i < r->count; i++) {
		switch (r->cmd) {
		case RTD_CTL_STATUS: {
			struct rtd_ctl_status *st = (struct rtd_ctl_status *)(r + 1) + i;

			TERMINATE(st->iface);
			TERMINATE(st->xdp_mode);
			TERMINATE(st->app);
			break;
		}
		case RTD_CTL_STATS: {
			struct rtd_ctl_stat *st = (struct rtd_ctl_stat *)(r + 1) + i;

			TERMINATE(st->group);
			TERMINATE(st->owner);
			TERMINATE(st->name);
			break;
		}
		case RTD_CTL_SCHED_GET:
		case RTD_CTL_SCHED_SET:
			TERMINATE(((struct rtd_ctl_sched *)(r + 1) + i)->qdisc);
			break;
		case RTD_CTL_CALLS: {
			struct rtd_ctl_call *call = (struct rtd_ctl_call *)(r + 1) + i;

			TERMINATE(call->call_id);
			TERMINATE(call->tag);
			break;
		}
		}
	}
}

/* Connect, send, receive: 0 and the reply's length, or -errno. */
static int exchange(const char *path, const struct rtd_ctl_req *req, void *buf, ssize_t *len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	int fd, err = 0;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    send(fd, req, sizeof(*req), MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	/* MSG_TRUNC: the real length, to tell a cut reply from a short one. */
	*len = recv(fd, buf, RTD_CTL_MAX_MSG, MSG_TRUNC);
	if (*len < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

int client_call(struct rtctl *c, const struct rtd_ctl_req *req, const char *what,
		const struct rtd_ctl_rep **rep)
{
	static void *buf;
	struct rtd_ctl_rep *r;
	unsigned min;
	size_t size;
	ssize_t len = 0;
	int err;

	if (!buf && !(buf = malloc(RTD_CTL_MAX_MSG))) {
		fprintf(stderr, "rtctl: %s: out of memory\n", what);
		return EXIT_USAGE;
	}
	err = resolve_socket(c);
	if (err)
		return err;
	err = exchange(c->sock, req, buf, &len);
	if (err == -EAGAIN) {
		fprintf(stderr, "rtctl: %s: rtd did not answer within %d s\n", c->sock,
			REPLY_TIMEOUT_S);
		return EXIT_DAEMON;
	}
	if (err) {
		fprintf(stderr, "rtctl: %s: %s%s\n", c->sock, strerror(-err), hint(-err));
		return EXIT_DAEMON;
	}
	r = buf;
	if (!len) {
		fprintf(stderr, "rtctl: %s: rtd closed the connection without a reply\n", what);
		return EXIT_DAEMON;
	}
	if ((size_t)len > RTD_CTL_MAX_MSG) {
		fprintf(stderr, "rtctl: %s: reply of %zd bytes exceeds %u\n", what, len,
			RTD_CTL_MAX_MSG);
		return EXIT_DAEMON;
	}
	if ((size_t)len < sizeof(*r)) {
		fprintf(stderr, "rtctl: %s: reply of %zd bytes is shorter than its header\n", what,
			len);
		return EXIT_DAEMON;
	}
	if (r->version != RTD_CTL_VERSION) {
		fprintf(stderr, "rtctl: %s: rtd speaks protocol version %u, rtctl %u\n", what,
			r->version, RTD_CTL_VERSION);
		return EXIT_DAEMON;
	}
	TERMINATE(r->msg);
	if (r->err) {
		fprintf(stderr, "rtctl: %s: %s\n", what, r->msg[0] ? r->msg : strerror(-r->err));
		return EXIT_DAEMON;
	}
	shape(req->cmd, &size, &min);
	if (r->cmd != req->cmd || r->count < min || (r->count && r->rec_size != size) ||
	    (size_t)len != sizeof(*r) + (size_t)r->count * r->rec_size) {
		fprintf(stderr,
			"rtctl: %s: malformed reply (command %u, %u records of %u bytes in %zd bytes)\n",
			what, r->cmd, r->count, r->rec_size, len);
		return EXIT_DAEMON;
	}
	terminate_strings(r);
	*rep = r;
	return 0;
}

int client_do(struct rtctl *c, unsigned cmd, const struct portset *ports, const char *what,
	      const struct rtd_ctl_rep **rep)
{
	/* struct portset is 8 KiB: not on the stack twice. */
	static struct rtd_ctl_req req;

	memset(&req, 0, sizeof(req));
	req.version = RTD_CTL_VERSION;
	req.cmd = cmd;
	if (ports)
		req.ports = *ports;
	return client_call(c, &req, what, rep);
}
