/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtnetlink, once for all of rtd (the neighbour mirror, the gate's root
 * qdisc): sockets, requests built with bounded attribute puts, a request
 * and its ack, dumps.  iproute2's libnetlink is the model: every put checks
 * the room left (addattr_l), and a request waits for the answer to its own
 * sequence number (rtnl_talk).  Not for the RT thread: everything here may
 * block or allocate.
 */
#ifndef RTD_NL_H
#define RTD_NL_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel sizes dump datagrams to the largest read seen, capped at 32 KiB. */
#define NL_BUF 32768

struct nl_sock {
	int fd;
	uint32_t seq;
};

/*
 * A NETLINK_ROUTE socket subscribed to groups (0: none, for requests only);
 * rcvbuf, when not 0, is forced past rmem_max where rtd may.
 */
int nl_open(struct nl_sock *s, unsigned groups, bool nonblock, int rcvbuf);
void nl_close(struct nl_sock *s);

/* A request under construction in the caller's buffer. */
struct nl_req {
	struct nlmsghdr *h;
	size_t cap;
	int err; /* -EMSGSIZE once a put did not fit: nothing is sent then */
};

/*
 * Start a request of type with flags (NLM_F_REQUEST is added) and the
 * family header hdr of hlen bytes in buf, cap bytes, aligned for netlink.
 */
void nl_req_init(struct nl_req *r, void *buf, size_t cap, uint16_t type, uint16_t flags,
		 const void *hdr, size_t hlen);
/* The family header, to fill in after init. */
static inline void *nl_req_hdr(const struct nl_req *r)
{
	return NLMSG_DATA(r->h);
}
/* Append an attribute; 0, or -EMSGSIZE (and r->err) when it does not fit. */
int nl_put(struct nl_req *r, uint16_t type, const void *data, size_t len);
int nl_put_u32(struct nl_req *r, uint16_t type, uint32_t v);
/* A nested attribute: begin, put its members, end (NULL-safe on overflow). */
struct rtattr *nl_nest_begin(struct nl_req *r, uint16_t type);
void nl_nest_end(struct nl_req *r, struct rtattr *nest);

/* Send r with the next sequence number; no answer is awaited. */
int nl_send(struct nl_sock *s, struct nl_req *r);
/* Send r asking for an ack and wait for it: 0, or the kernel's -errno. */
int nl_talk(struct nl_sock *s, struct nl_req *r);
/* The same, with fn called on each answer before the ack (a GET of one object). */
int nl_talk_reply(struct nl_sock *s, struct nl_req *r,
		  int (*fn)(const struct nlmsghdr *h, void *arg), void *arg);
/*
 * Send a dump request and call fn on each message of the answer until it
 * ends; the dump is read to its end whatever fn returns.  Returns the first
 * non-zero fn result, or -EINTR when the kernel flagged the dump
 * inconsistent (changed while it ran), or 0.
 */
int nl_dump(struct nl_sock *s, struct nl_req *r,
	    int (*fn)(const struct nlmsghdr *h, void *arg), void *arg);

/* Index attributes by type: tb[type] is the last of that type, or NULL. */
void nl_attrs(const struct rtattr **tb, int max, const struct rtattr *a, int len);
/* A u32 attribute, or dflt where it is absent or not 4 bytes. */
uint32_t nl_attr_u32(const struct rtattr *a, uint32_t dflt);

/*
 * The message after h in a datagram of *len bytes from h on, with *len
 * reduced to what is left from it; NULL after the last one.  Not
 * NLMSG_NEXT: it steps by the aligned length, which after a last message
 * of unaligned length takes the count below zero, and NLMSG_OK would then
 * read a header past the datagram.
 */
static inline const struct nlmsghdr *nl_next(const struct nlmsghdr *h, size_t *len)
{
	size_t step = NLMSG_ALIGN(h->nlmsg_len);

	if (step >= *len)
		return NULL;
	*len -= step;
	h = (const struct nlmsghdr *)((const char *)h + step);
	return NLMSG_OK(h, *len) ? h : NULL;
}

#endif
