// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtd/log.h"
#include "rtd/neigh.h"

#define NL_BUF 65536

static void to_mapped(int family, const void *src, struct in6_addr *a)
{
	if (family == AF_INET) {
		memset(a, 0, 10);
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], src, 4);
	} else {
		memcpy(a, src, 16);
	}
}

static int nl_socket(unsigned groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int one = 1, sz = 4 << 20;

	if (fd < 0)
		return -errno;
	/* Bursts of neighbour churn must not overflow us; ENOBUFS re-dumps. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void on_link(struct neigh *n, struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	uint8_t mac[6];
	uint32_t mtu = n->tbl->mtu;
	bool have_mac = false;

	if (h->nlmsg_type != RTM_NEWLINK || ifi->ifi_index != n->ifindex)
		return;
	memcpy(mac, n->tbl->mac, 6);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6) {
			memcpy(mac, RTA_DATA(a), 6);
			have_mac = true;
		} else if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= 4) {
			memcpy(&mtu, RTA_DATA(a), 4);
		}
	}
	if (!have_mac && !mtu)
		return;
	nt_write_begin(n->tbl);
	nt_set_link(n->tbl, mac, mtu);
	nt_write_end(n->tbl);
}

static void on_addr(struct neigh *n, struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));
	struct rtattr *local = NULL, *address = NULL;
	bool add = h->nlmsg_type == RTM_NEWADDR;
	struct in6_addr a;
	int err;

	if ((int)ifa->ifa_index != n->ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return;
	for (struct rtattr *at = IFA_RTA(ifa); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == IFA_LOCAL)
			local = at;
		else if (at->rta_type == IFA_ADDRESS)
			address = at;
	}
	/* IFA_LOCAL is our address; IFA_ADDRESS is the peer's on point-to-point links. */
	if (!local)
		local = address;
	if (!local || RTA_PAYLOAD(local) < (ifa->ifa_family == AF_INET ? 4u : 16u))
		return;
	to_mapped(ifa->ifa_family, RTA_DATA(local), &a);
	nt_write_begin(n->tbl);
	err = add ? nt_addr_add(n->tbl, ifa->ifa_family, &a, ifa->ifa_prefixlen)
		  : nt_addr_del(n->tbl, ifa->ifa_family, &a, ifa->ifa_prefixlen);
	nt_write_end(n->tbl);
	if (err == -ENOSPC)
		log_err("neigh", "address table full (%d); new address not served", NT_MAX_ADDRS);
	if (n->addr_cb && (!add || !err))
		n->addr_cb(n->cb_ctx, ifa->ifa_family, &a, add);
}

static void on_route(struct neigh *n, struct nlmsghdr *h)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	struct nt_route r = { .family = rtm->rtm_family, .dst_len = rtm->rtm_dst_len };
	unsigned alen = rtm->rtm_family == AF_INET ? 4 : 16;
	uint32_t table = rtm->rtm_table;
	int oif = 0;

	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST)
		return;
	to_mapped(r.family, (uint8_t[16]){ 0 }, &r.dst);
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case RTA_DST:
			if (RTA_PAYLOAD(a) >= alen)
				to_mapped(r.family, RTA_DATA(a), &r.dst);
			break;
		case RTA_GATEWAY:
			if (RTA_PAYLOAD(a) >= alen) {
				to_mapped(r.family, RTA_DATA(a), &r.gw);
				r.has_gw = true;
			}
			break;
		case RTA_OIF:
			memcpy(&oif, RTA_DATA(a), sizeof(oif));
			break;
		case RTA_PRIORITY:
			memcpy(&r.metric, RTA_DATA(a), sizeof(r.metric));
			break;
		case RTA_TABLE:
			memcpy(&table, RTA_DATA(a), sizeof(table));
			break;
		}
	}
	if (table != RT_TABLE_MAIN || oif != n->ifindex)
		return;
	nt_write_begin(n->tbl);
	if (h->nlmsg_type == RTM_NEWROUTE) {
		if (nt_route_add(n->tbl, &r) == -ENOSPC)
			log_err("neigh", "route table full (%d)", NT_MAX_ROUTES);
	} else {
		nt_route_del(n->tbl, &r);
	}
	nt_write_end(n->tbl);
}

static void on_neigh(struct neigh *n, struct nlmsghdr *h)
{
	struct ndmsg *nd = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	struct rtattr *dst = NULL, *ll = NULL;
	unsigned alen = nd->ndm_family == AF_INET ? 4 : 16;
	struct in6_addr a;

	if (nd->ndm_ifindex != n->ifindex ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return;
	for (struct rtattr *at = RTM_RTA(nd); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == NDA_DST)
			dst = at;
		else if (at->rta_type == NDA_LLADDR)
			ll = at;
	}
	if (!dst || RTA_PAYLOAD(dst) < alen)
		return;
	to_mapped(nd->ndm_family, RTA_DATA(dst), &a);
	nt_write_begin(n->tbl);
	if (h->nlmsg_type == RTM_DELNEIGH) {
		nt_neigh_del(n->tbl, nd->ndm_family, &a);
	} else if (nt_neigh_set(n->tbl, nd->ndm_family, &a,
				ll && RTA_PAYLOAD(ll) == 6 ? RTA_DATA(ll) : NULL,
				ll && RTA_PAYLOAD(ll) == 6 ? nd->ndm_state : NUD_INCOMPLETE) ==
		   -ENOSPC) {
		log_err("neigh", "neighbour table full (%d)", NT_MAX_NEIGH);
	}
	nt_write_end(n->tbl);
}

static void dispatch(struct neigh *n, struct nlmsghdr *h)
{
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(n, h);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(n, h);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(n, h);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(n, h);
		break;
	}
}

/* One dump request on a private socket, applied as it streams in. */
static int dump(struct neigh *n, int type, int family)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = ++n->seq },
		.g = { .rtgen_family = family },
	};
	static char buf[NL_BUF];
	int fd = nl_socket(0), err = 0;

	if (fd < 0)
		return fd;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error;
				goto out;
			}
			dispatch(n, h);
		}
	}
out:
	close(fd);
	return err;
}

static int dump_all(struct neigh *n)
{
	static const int types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH };
	int err;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		err = dump(n, types[i], types[i] == RTM_GETLINK ? AF_UNSPEC : AF_UNSPEC);
		if (err)
			return err;
	}
	return 0;
}

int neigh_open(struct neigh *n, int ifindex, struct neigh_table *tbl, neigh_addr_cb addr_cb,
	       void *cb_ctx)
{
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			  RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH;
	int err;

	memset(n, 0, sizeof(*n));
	n->ifindex = ifindex;
	n->tbl = tbl;
	n->addr_cb = addr_cb;
	n->cb_ctx = cb_ctx;
	/* Subscribe before dumping: a change during the dump is seen twice, never lost. */
	n->fd = nl_socket(groups);
	if (n->fd < 0)
		return n->fd;
	err = dump_all(n);
	if (err) {
		close(n->fd);
		n->fd = -1;
		return err;
	}
	fcntl(n->fd, F_SETFL, fcntl(n->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int neigh_process(struct neigh *n)
{
	static char buf[NL_BUF];

	for (;;) {
		ssize_t len = recv(n->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				/* Lost notifications: start over from a fresh dump. */
				n->overflows++;
				for (unsigned i = 0; i < n->tbl->naddrs; i++)
					if (n->addr_cb)
						n->addr_cb(n->cb_ctx, n->tbl->addrs[i].family,
							   &n->tbl->addrs[i].addr, false);
				nt_write_begin(n->tbl);
				nt_flush(n->tbl);
				nt_write_end(n->tbl);
				dump_all(n);
				continue;
			}
			return -errno;
		}
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len))
			dispatch(n, h);
	}
}

int neigh_resolve(struct neigh *n, int family, const struct in6_addr *addr)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
		char attrs[RTA_SPACE(16)];
	} req = {
		.h = { .nlmsg_type = RTM_NEWNEIGH,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE,
		       .nlmsg_seq = ++n->seq },
		/* NTF_USE: "use" the entry, which makes the kernel resolve it (ARP/ND). */
		.nd = { .ndm_family = family, .ndm_ifindex = n->ifindex, .ndm_state = NUD_NONE,
			.ndm_flags = NTF_USE },
	};
	unsigned alen = family == AF_INET ? 4 : 16;
	struct rtattr *a = (struct rtattr *)req.attrs;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	a->rta_type = NDA_DST;
	a->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(a), family == AF_INET ? &addr->s6_addr[12] : addr->s6_addr, alen);
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd)) + RTA_SPACE(alen);
	n->resolve_requests++;
	if (sendto(n->fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

void neigh_close(struct neigh *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
