// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "neigh.h"
/* Neighbour storms (a /16 swept by a scanner) must not overflow us; ENOBUFS re-dumps. */
#define NL_RCVBUF (8 << 20)
/* A dump interrupted by changes (NLM_F_DUMP_INTR) is retried this often. */
#define DUMP_TRIES 4

#define NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

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

static unsigned alen_of(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Where a change lands: the live table, or a scratch one being re-dumped. */
struct sink {
	struct neigh *n;
	struct neigh_table *t;
	bool live;   /* t is n->tbl: bracket writes, report addresses */
	bool resync; /* something the kernel does not announce may have changed */
};

static void put_begin(struct sink *s)
{
	if (s->live)
		nt_write_begin(s->t);
}

static void put_end(struct sink *s)
{
	if (s->live)
		nt_write_end(s->t);
}

static void on_link(struct sink *s, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	const struct rtattr *tb[IFLA_MAX + 1];
	uint8_t mac[6];
	uint32_t mtu;
	bool changed;

	if (len < 0 || ifi->ifi_index != s->n->ifindex)
		return;
	if (h->nlmsg_type == RTM_DELLINK) {
		log_err("neigh", "interface %d is gone", s->n->ifindex);
		return;
	}
	nl_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), len);
	memcpy(mac, s->t->mac, 6);
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6)
		memcpy(mac, RTA_DATA(tb[IFLA_ADDRESS]), 6);
	mtu = nl_attr_u32(tb[IFLA_MTU], s->t->mtu);
	changed = mtu != s->t->mtu || memcmp(mac, s->t->mac, 6);
	put_begin(s);
	nt_set_link(s->t, mac, mtu);
	put_end(s);
	if (s->live && changed && s->n->link_cb)
		s->n->link_cb(s->n->cb_ctx, mac, mtu);
	/*
	 * Link down flushes every IPv4 route of the device without one
	 * RTM_DELROUTE (seen on 6.18); link notifications are rare, so each
	 * one buys a re-dump.
	 */
	s->resync |= s->live;
}

/* DAD failed, or still running without optimistic DAD: not ours to answer for. */
static bool addr_usable(uint32_t flags)
{
	if (flags & IFA_F_DADFAILED)
		return false;
	return !(flags & IFA_F_TENTATIVE) || (flags & IFA_F_OPTIMISTIC);
}

static void on_addr(struct sink *s, const struct nlmsghdr *h)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));
	const struct rtattr *tb[IFA_MAX + 1], *local;
	bool add = h->nlmsg_type == RTM_NEWADDR, was, now;
	uint32_t flags;
	struct in6_addr a;
	int family, err;

	/* The family header only once the message is known to hold it. */
	if (len < 0)
		return;
	family = ifa->ifa_family;
	if ((int)ifa->ifa_index != s->n->ifindex || (family != AF_INET && family != AF_INET6))
		return;
	nl_attrs(tb, IFA_MAX, IFA_RTA(ifa), len);
	/* The 8-bit ifa_flags lose bits; IFA_FLAGS has them all. */
	flags = nl_attr_u32(tb[IFA_FLAGS], ifa->ifa_flags);
	local = tb[IFA_LOCAL];
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer's on point-to-point links. */
	if (!local)
		local = tb[IFA_ADDRESS];
	if (!local || RTA_PAYLOAD(local) < alen_of(family))
		return;
	to_mapped(family, RTA_DATA(local), &a);
	if (add && !addr_usable(flags))
		add = false;

	was = nt_is_local(s->t, family, &a);
	put_begin(s);
	err = add ? nt_addr_add(s->t, family, &a, ifa->ifa_prefixlen)
		  : nt_addr_del(s->t, family, &a, ifa->ifa_prefixlen);
	put_end(s);
	if (err == -ENOSPC)
		log_err("neigh", "address table full (%d): an address is not served", NT_MAX_ADDRS);
	now = nt_is_local(s->t, family, &a);
	/* One address under two prefixes is reported once: when it first comes, last goes. */
	if (s->live && was != now && s->n->addr_cb)
		s->n->addr_cb(s->n->cb_ctx, family, &a, now);
	/* Losing its last IPv4 address flushes the device's routes without a word. */
	if (h->nlmsg_type == RTM_DELADDR)
		s->resync |= s->live;
}

/* The first hop of a multipath route that leaves through our interface. */
static bool pick_nexthop(const struct sink *s, const struct rtattr *mp, int family,
			 struct nt_route *r)
{
	int len = RTA_PAYLOAD(mp);

	/* RTNH_OK reads rtnh_len before it knows a struct rtnexthop is there. */
	for (const struct rtnexthop *nh = RTA_DATA(mp);
	     len >= (int)sizeof(*nh) && RTNH_OK(nh, len);
	     len -= RTNH_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh)) {
		int alen = nh->rtnh_len - sizeof(*nh);

		if (nh->rtnh_ifindex != s->n->ifindex)
			continue;
		r->has_gw = false;
		for (const struct rtattr *a = RTNH_DATA(nh); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
			if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == alen_of(family)) {
				to_mapped(family, RTA_DATA(a), &r->gw);
				r->has_gw = true;
			}
		}
		return true;
	}
	return false;
}

static void on_route(struct sink *s, const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	struct nt_route r = { 0 };
	const struct rtattr *mp = NULL;
	uint32_t table;
	int oif = 0, err;

	if (len < 0)
		return;
	r.family = rtm->rtm_family;
	r.dst_len = rtm->rtm_dst_len;
	table = rtm->rtm_table;
	if (r.family != AF_INET && r.family != AF_INET6)
		return;
	/* Local, broadcast, multicast and blackhole routes are the kernel's business. */
	if (rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return;
	to_mapped(r.family, (const uint8_t[16]){ 0 }, &r.dst);
	for (const struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case RTA_DST:
			if (RTA_PAYLOAD(a) == alen_of(r.family))
				to_mapped(r.family, RTA_DATA(a), &r.dst);
			break;
		case RTA_GATEWAY:
			if (RTA_PAYLOAD(a) == alen_of(r.family)) {
				to_mapped(r.family, RTA_DATA(a), &r.gw);
				r.has_gw = true;
			}
			break;
		case RTA_VIA: /* an IPv4 route through an IPv6 gateway: cannot be told apart */
			return;
		case RTA_OIF:
			if (RTA_PAYLOAD(a) == 4)
				memcpy(&oif, RTA_DATA(a), 4);
			break;
		case RTA_PRIORITY:
			if (RTA_PAYLOAD(a) == 4)
				memcpy(&r.metric, RTA_DATA(a), 4);
			break;
		case RTA_TABLE:
			if (RTA_PAYLOAD(a) == 4)
				memcpy(&table, RTA_DATA(a), 4);
			break;
		case RTA_MULTIPATH:
			mp = a;
			break;
		}
	}
	if (table != RT_TABLE_MAIN)
		return;
	if (mp && !oif && pick_nexthop(s, mp, r.family, &r))
		oif = s->n->ifindex;
	if (oif != s->n->ifindex)
		return;
	put_begin(s);
	if (h->nlmsg_type == RTM_NEWROUTE)
		err = nt_route_add(s->t, &r);
	else
		err = nt_route_del(s->t, &r);
	put_end(s);
	if (err == -ENOSPC)
		log_err("neigh", "route table full (%d): a route is not served", NT_MAX_ROUTES);
}

static void on_neigh(struct sink *s, const struct nlmsghdr *h)
{
	const struct ndmsg *nd = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	const struct rtattr *tb[NDA_MAX + 1], *dst, *ll;
	uint16_t state;
	struct in6_addr a;
	int err;

	if (len < 0 || nd->ndm_ifindex != s->n->ifindex || (nd->ndm_flags & NTF_PROXY) ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return;
	state = nd->ndm_state;
	nl_attrs(tb, NDA_MAX, RTM_RTA(nd), len);
	dst = tb[NDA_DST];
	ll = tb[NDA_LLADDR];
	if (!dst || RTA_PAYLOAD(dst) != alen_of(nd->ndm_family))
		return;
	if (ll && RTA_PAYLOAD(ll) != 6)
		ll = NULL;
	/* The kernel sends a MAC with every valid state; without one the entry is no use. */
	if (!ll)
		state &= ~NUD_VALID;
	to_mapped(nd->ndm_family, RTA_DATA(dst), &a);
	put_begin(s);
	if (h->nlmsg_type == RTM_DELNEIGH)
		err = nt_neigh_del(s->t, nd->ndm_family, &a);
	else
		err = nt_neigh_set(s->t, nd->ndm_family, &a, ll ? RTA_DATA(ll) : NULL, state);
	put_end(s);
	if (err == -ENOSPC)
		log_err("neigh", "neighbour table full (%d): a next hop stays unresolved",
			NT_NEIGH_LIMIT);
}

static void apply(struct sink *s, const struct nlmsghdr *h)
{
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(s, h);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(s, h);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(s, h);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(s, h);
		break;
	}
}

static int dump_one(const struct nlmsghdr *h, void *arg)
{
	apply(arg, h);
	return 0;
}

/*
 * One request on the private, unsubscribed socket, applied to s as it
 * streams in.  -EINTR when the kernel flags the dump inconsistent.
 */
static int dump(struct sink *s, int type, int family)
{
	char buf[NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(4)]
		__attribute__((aligned(NLMSG_ALIGNTO)));
	struct nl_req r;

	switch (type) {
	case RTM_GETLINK: { /* just our link; the answer is one message */
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = s->n->ifindex };

		nl_req_init(&r, buf, sizeof(buf), type, 0, &ifi, sizeof(ifi));
		return nl_talk_reply(&s->n->dump, &r, dump_one, s);
	}
	case RTM_GETADDR: {
		struct ifaddrmsg ifa = { .ifa_family = family };

		nl_req_init(&r, buf, sizeof(buf), type, 0, &ifa, sizeof(ifa));
		break;
	}
	case RTM_GETROUTE: {
		struct rtmsg rtm = { .rtm_family = family };

		nl_req_init(&r, buf, sizeof(buf), type, 0, &rtm, sizeof(rtm));
		break;
	}
	case RTM_GETNEIGH: { /* the kernel filters by NDA_IFINDEX */
		struct ndmsg nd = { .ndm_family = family };

		nl_req_init(&r, buf, sizeof(buf), type, 0, &nd, sizeof(nd));
		nl_put_u32(&r, NDA_IFINDEX, s->n->ifindex);
		break;
	}
	default:
		return -EINVAL;
	}
	return nl_dump(&s->n->dump, &r, dump_one, s);
}

static int dump_all(struct sink *s)
{
	static const struct {
		int type, family;
	} reqs[] = {
		{ RTM_GETLINK, AF_UNSPEC },   { RTM_GETADDR, AF_INET },   { RTM_GETADDR, AF_INET6 },
		{ RTM_GETROUTE, AF_INET },    { RTM_GETROUTE, AF_INET6 }, { RTM_GETNEIGH, AF_INET },
		{ RTM_GETNEIGH, AF_INET6 },
	};
	int err;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		err = dump(s, reqs[i].type, reqs[i].family);
		if (err)
			return err;
	}
	return 0;
}

/* Report to addr_cb every address in from that to lacks. */
static void report_missing(struct neigh *n, const struct neigh_table *from,
			   const struct neigh_table *to, bool add)
{
	for (unsigned i = 0; i < from->naddrs; i++) {
		const struct nt_addr *a = &from->addrs[i];
		bool dup = false;

		/* Under two prefixes: once is enough. */
		for (unsigned k = 0; k < i && !dup; k++)
			dup = from->addrs[k].family == a->family &&
			      !memcmp(&from->addrs[k].addr, &a->addr, 16);
		if (!dup && !nt_is_local(to, a->family, &a->addr))
			n->addr_cb(n->cb_ctx, a->family, &a->addr, add);
	}
}

/*
 * Dump everything into a scratch table and publish it in one write: readers
 * never see a half-filled table, and addr_cb hears only the differences.
 * The subscribed socket keeps queueing meanwhile; replaying that queue over
 * the dump converges, since every notification carries the full object.
 */
static int resync(struct neigh *n)
{
	struct neigh_table *scratch = malloc(sizeof(*scratch));
	struct sink s = { .n = n };
	int err = -EINTR;

	if (!scratch)
		return -ENOMEM;
	for (int i = 0; i < DUMP_TRIES && err == -EINTR; i++) {
		nt_init(scratch);
		nt_set_link(scratch, n->tbl->mac, n->tbl->mtu);
		s.t = scratch;
		err = dump_all(&s);
	}
	if (err) {
		log_err("neigh", "cannot dump the kernel's tables: %s", strerror(-err));
		goto out;
	}
	if (n->addr_cb) {
		report_missing(n, n->tbl, scratch, false);
		report_missing(n, scratch, n->tbl, true);
	}
	nt_write_begin(n->tbl);
	nt_copy(n->tbl, scratch);
	nt_write_end(n->tbl);
out:
	free(scratch);
	return err;
}

int neigh_open(struct neigh *n, int ifindex, struct neigh_table *tbl, neigh_addr_cb addr_cb,
	       void *cb_ctx)
{
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			  RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH;
	int err;

	memset(n, 0, sizeof(*n));
	n->nl.fd = n->dump.fd = -1;
	n->ifindex = ifindex;
	n->tbl = tbl;
	n->addr_cb = addr_cb;
	n->cb_ctx = cb_ctx;
	nt_init(tbl);
	/* Subscribe before dumping: a change during the dump is seen twice, never lost. */
	err = nl_open(&n->nl, groups, true, NL_RCVBUF);
	if (err)
		return err;
	/* Blocking: the answer to our own request comes at once. */
	err = nl_open(&n->dump, 0, false, 0);
	if (err)
		goto err_nl;
	err = resync(n);
	if (err)
		goto err_dump;
	return 0;

err_dump:
	nl_close(&n->dump);
err_nl:
	nl_close(&n->nl);
	return err;
}

static void on_error(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) || !e->error)
		return;
	/* Only our resolve requests are answered on this socket.  The kernel
	 * sends -errno (4095 at most); INT_MIN would not even negate. */
	log_err("neigh", "the kernel refused a resolve request: %s",
		strerror(e->error < 0 && e->error >= -4095 ? -e->error : EPROTO));
}

/* Every message of one datagram of notifications (nl_next says why not NLMSG_NEXT). */
static void apply_all(struct sink *s, const void *buf, size_t len)
{
	for (const struct nlmsghdr *h = NLMSG_OK((const struct nlmsghdr *)buf, len) ? buf : NULL; h;
	     h = nl_next(h, &len)) {
		if (h->nlmsg_type == NLMSG_ERROR)
			on_error(h);
		else
			apply(s, h);
	}
}

/* One datagram of notifications: -EAGAIN when none is left. */
static int process_one(struct neigh *n, struct sink *s, char *buf, size_t size)
{
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	ssize_t len = recvfrom(n->nl.fd, buf, size, MSG_DONTWAIT | MSG_TRUNC,
			       (struct sockaddr *)&from, &fl);

	if (len < 0) {
		if (errno == ENOBUFS) {
			/* Notifications were dropped: only a full re-dump is safe. */
			n->overflows++;
			s->resync = true;
			return 0;
		}
		return errno == EINTR ? 0 : -errno;
	}
	if (from.nl_pid != 0) /* only the kernel speaks for the kernel */
		return 0;
	if ((size_t)len > size) {
		log_err("neigh", "notification of %zd bytes truncated", len);
		s->resync = true;
		return 0;
	}
	apply_all(s, buf, (size_t)len);
	return 0;
}

bool neigh_feed(struct neigh *n, const void *buf, size_t len)
{
	struct sink s = { .n = n, .t = n->tbl, .live = true };

	apply_all(&s, buf, len);
	return s.resync;
}

int neigh_process(struct neigh *n)
{
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sink s = { .n = n, .t = n->tbl, .live = true };
	int err;

	while (!(err = process_one(n, &s, buf, sizeof(buf))))
		;
	if (err == -EAGAIN)
		err = 0;
	/* After the drain: a burst of changes costs one re-dump, not one each. */
	if (s.resync) {
		int e = resync(n);

		if (!err)
			err = e;
	}
	return err;
}

int neigh_resolve(struct neigh *n, int family, const struct in6_addr *addr)
{
	/*
	 * NTF_USE makes neigh_add() leave the state and lladdr alone and call
	 * neigh_event_send(): NONE/FAILED -> INCOMPLETE with a probe sent now,
	 * STALE -> DELAY, a valid entry untouched.  NUD_NONE, not iproute2's
	 * default NUD_PERMANENT, so that an entry created here stays subject
	 * to garbage collection.
	 */
	struct ndmsg nd = { .ndm_family = family, .ndm_ifindex = n->ifindex,
			    .ndm_state = NUD_NONE, .ndm_flags = NTF_USE };
	char buf[NLMSG_SPACE(sizeof(nd)) + RTA_SPACE(16)] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nl_req r;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	/* As `ip neigh replace ADDR dev IF use`: create if missing, never fail if present. */
	nl_req_init(&r, buf, sizeof(buf), RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, &nd,
		    sizeof(nd));
	nl_put(&r, NDA_DST, family == AF_INET ? &addr->s6_addr[12] : addr->s6_addr,
	       alen_of(family));
	n->resolve_requests++;
	/* Errors come back as NLMSG_ERROR on this socket; neigh_process logs them. */
	return nl_send(&n->nl, &r);
}

void neigh_close(struct neigh *n)
{
	nl_close(&n->dump);
	nl_close(&n->nl);
}
