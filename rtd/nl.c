// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nl.h"

int nl_open(struct nl_sock *s, unsigned groups, bool nonblock, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int err;

	s->seq = 0;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
		       NETLINK_ROUTE);
	if (s->fd < 0)
		return -errno;
	/* FORCE passes rmem_max (with CAP_NET_ADMIN); the plain one is the fallback. */
	if (rcvbuf && setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void nl_req_init(struct nl_req *r, void *buf, size_t cap, uint16_t type, uint16_t flags,
		 const void *hdr, size_t hlen)
{
	r->h = buf;
	r->cap = cap;
	r->err = NLMSG_SPACE(hlen) > cap ? -EMSGSIZE : 0;
	if (r->err)
		return;
	memset(buf, 0, NLMSG_SPACE(hlen));
	r->h->nlmsg_len = NLMSG_LENGTH(hlen);
	r->h->nlmsg_type = type;
	r->h->nlmsg_flags = NLM_F_REQUEST | flags;
	if (hlen)
		memcpy(NLMSG_DATA(r->h), hdr, hlen);
}

int nl_put(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
	struct rtattr *a;

	if (r->err)
		return r->err;
	if (RTA_LENGTH(len) > UINT16_MAX || at + RTA_SPACE(len) > r->cap) {
		r->err = -EMSGSIZE;
		return r->err;
	}
	a = (struct rtattr *)((char *)r->h + at);
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h->nlmsg_len = at + RTA_ALIGN(a->rta_len);
	return 0;
}

int nl_put_u32(struct nl_req *r, uint16_t type, uint32_t v)
{
	return nl_put(r, type, &v, sizeof(v));
}

struct rtattr *nl_nest_begin(struct nl_req *r, uint16_t type)
{
	struct rtattr *a = (struct rtattr *)((char *)r->h + NLMSG_ALIGN(r->h->nlmsg_len));

	return nl_put(r, type, NULL, 0) ? NULL : a;
}

void nl_nest_end(struct nl_req *r, struct rtattr *nest)
{
	if (nest && !r->err)
		nest->rta_len = (char *)r->h + r->h->nlmsg_len - (char *)nest;
}

int nl_send(struct nl_sock *s, struct nl_req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (r->err)
		return r->err;
	r->h->nlmsg_seq = ++s->seq;
	if (sendto(s->fd, r->h, r->h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* One datagram from the kernel; EINTR retried, 0 bytes is the socket's end. */
static ssize_t nl_recv(struct nl_sock *s, void *buf, size_t len)
{
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->fd, buf, len, 0, (struct sockaddr *)&from, &fl);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;
		if (from.nl_pid == 0) /* only the kernel answers for the kernel */
			return n;
	}
}

static int ack_error(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);

	return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error : -EPROTO;
}

/* What a conversation collects while the answers to one request come in. */
struct answer {
	int (*fn)(const struct nlmsghdr *h, void *arg);
	void *arg;
	int ret;   /* fn's first non-zero result */
	bool intr; /* a dump flagged inconsistent */
	bool done; /* the ack, the error or the dump's end came */
};

/* One answer to our request; the last one sets done and says what to return. */
static int answer_one(const struct nlmsghdr *h, struct answer *a)
{
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		a->intr = true;
	if (h->nlmsg_type == NLMSG_DONE) {
		a->done = true;
		if (!a->ret && h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
			memcpy(&a->ret, NLMSG_DATA(h), sizeof(int));
		return a->ret ? a->ret : a->intr ? -EINTR : 0;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		a->done = true;
		return ack_error(h);
	}
	if (a->fn && !a->ret)
		a->ret = a->fn(h, a->arg);
	return 0;
}

/* Send r with flags added and read its answers until an ack, an error or a dump's end. */
static int converse(struct nl_sock *s, struct nl_req *r, unsigned flags, struct answer *a)
{
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	int err;

	if (r->err)
		return r->err;
	r->h->nlmsg_flags |= flags;
	err = nl_send(s, r);
	if (err)
		return err;
	for (;;) {
		ssize_t len = nl_recv(s, buf, sizeof(buf));

		if (len < 0)
			return (int)len;
		size_t left = (size_t)len;

		for (const struct nlmsghdr *h = NLMSG_OK((struct nlmsghdr *)buf, left) ? (void *)buf
										  : NULL;
		     h; h = nl_next(h, &left)) {
			if (h->nlmsg_seq != s->seq)
				continue;
			err = answer_one(h, a);
			if (a->done)
				return err;
		}
	}
}

int nl_talk_reply(struct nl_sock *s, struct nl_req *r,
		  int (*fn)(const struct nlmsghdr *h, void *arg), void *arg)
{
	struct answer a = { .fn = fn, .arg = arg };

	return converse(s, r, NLM_F_ACK, &a);
}

int nl_talk(struct nl_sock *s, struct nl_req *r)
{
	return nl_talk_reply(s, r, NULL, NULL);
}

int nl_dump(struct nl_sock *s, struct nl_req *r,
	    int (*fn)(const struct nlmsghdr *h, void *arg), void *arg)
{
	struct answer a = { .fn = fn, .arg = arg };

	return converse(s, r, NLM_F_DUMP, &a);
}

void nl_attrs(const struct rtattr **tb, int max, const struct rtattr *a, int len)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type <= max)
			tb[a->rta_type] = a;
}

uint32_t nl_attr_u32(const struct rtattr *a, uint32_t dflt)
{
	uint32_t v;

	if (!a || RTA_PAYLOAD(a) != sizeof(v))
		return dflt;
	memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}
