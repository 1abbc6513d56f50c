// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/rtctl.h"

int client_call(const struct rtctl *c, const struct rtd_ctl_req *req,
		const struct rtd_ctl_rep **rep)
{
	static char *buf;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rtd_ctl_rep *r;
	ssize_t len;
	int fd, err;

	if (!buf && !(buf = malloc(RTD_CTL_MAX_MSG)))
		return -ENOMEM;
	if (strlen(c->sock) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, c->sock);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    send(fd, req, sizeof(*req), MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	len = recv(fd, buf, RTD_CTL_MAX_MSG, 0);
	if (len < 0) {
		err = -errno;
		goto out;
	}
	r = (struct rtd_ctl_rep *)buf;
	err = -EBADMSG;
	if ((size_t)len < sizeof(*r) || r->version != RTD_CTL_VERSION)
		goto out;
	if (!r->err && (size_t)len != sizeof(*r) + (size_t)r->count * r->rec_size)
		goto out;
	*rep = r;
	err = 0;
out:
	close(fd);
	return err;
}

int client_do(const struct rtctl *c, unsigned cmd, const struct portset *ports, const char *what,
	      const struct rtd_ctl_rep **rep)
{
	static struct rtd_ctl_req req;
	int err;

	memset(&req, 0, sizeof(req));
	req.version = RTD_CTL_VERSION;
	req.cmd = cmd;
	if (ports)
		req.ports = *ports;
	err = client_call(c, &req, rep);
	if (err == -EBADMSG) {
		fprintf(stderr, "rtctl: %s: malformed reply from rtd (version mismatch?)\n", what);
		return EXIT_DAEMON;
	}
	if (err) {
		fprintf(stderr, "rtctl: %s: %s%s\n", c->sock, strerror(-err),
			err == -ECONNREFUSED || err == -ENOENT ? " (is rtd running?)" : "");
		return EXIT_DAEMON;
	}
	if ((*rep)->err) {
		fprintf(stderr, "rtctl: %s: %s\n", what,
			(*rep)->msg[0] ? (*rep)->msg : strerror(-(*rep)->err));
		return EXIT_DAEMON;
	}
	return 0;
}
