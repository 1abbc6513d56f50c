// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rtnetlink mirror on what the kernel sends it: the input is one
 * datagram of rtnetlink messages, fed to neigh_feed() as neigh_process()
 * would after a recvfrom, for the interface of index 2 (rtd0 in the
 * namespace tests/fuzz/capture_rtnl.py captured the seeds in).
 *
 * Then the readers, as the RT thread and the control socket use them:
 * nt_resolve and nt_is_local on addresses taken from the input (every
 * aligned 4 and 16 bytes), nt_snapshot.  What the table must be after any
 * input: counts within their bounds, the hash's live and deleted slots as
 * counted, every live neighbour found by the table's own lookup, no
 * address or route twice, prefixes within their family's bits, the seqlock
 * even; addr_cb told of each own address once, as it came and went; a
 * resolve that succeeds gives the MAC of a usable neighbour.  Since notifications
 * carry whole objects, feeding the same datagram again changes nothing
 * (checked where the datagram is too short to fill a table).
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <stdbool.h>

#include "fuzz.h"
#include "neigh.h"

#define IFINDEX 2
#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

static struct neigh_table tbl, snap, first, scratch;

/* What addr_cb has been told: each own address once, when it comes. */
static struct {
	int family;
	struct in6_addr a;
} told[2 * NT_MAX_ADDRS];
static unsigned ntold;

static int told_at(int family, const struct in6_addr *a)
{
	for (unsigned i = 0; i < ntold; i++)
		if (told[i].family == family && !memcmp(&told[i].a, a, 16))
			return (int)i;
	return -1;
}

static void addr_cb(void *ctx, int family, const struct in6_addr *a, bool add)
{
	int at = told_at(family, a);

	(void)ctx;
	FUZZ_CHECK(family == AF_INET || family == AF_INET6, "address callback for family %d",
		   family);
	if (add) {
		FUZZ_CHECK(at < 0, "an address reported twice");
		FUZZ_CHECK(ntold < sizeof(told) / sizeof(told[0]), "more addresses than the table");
		told[ntold].family = family;
		told[ntold++].a = *a;
	} else {
		FUZZ_CHECK(at >= 0, "an address reported gone that never came");
		told[at] = told[--ntold];
	}
}

/* The callback's view is the table's: each address it has, once. */
static void check_told(const struct neigh_table *t)
{
	unsigned distinct = 0;

	for (unsigned i = 0; i < t->naddrs; i++) {
		bool dup = false;

		for (unsigned k = 0; k < i && !dup; k++)
			dup = t->addrs[k].family == t->addrs[i].family &&
			      !memcmp(&t->addrs[k].addr, &t->addrs[i].addr, 16);
		if (dup)
			continue;
		distinct++;
		FUZZ_CHECK(told_at(t->addrs[i].family, &t->addrs[i].addr) >= 0,
			   "address %u in the table, never reported", i);
	}
	FUZZ_CHECK(distinct == ntold, "%u addresses in the table, %u reported", distinct, ntold);
}

static bool plen_ok(int family, unsigned plen)
{
	return (family == AF_INET && plen <= 32) || (family == AF_INET6 && plen <= 128);
}

static bool v4_ok(int family, const struct in6_addr *a)
{
	return family != AF_INET || IN6_IS_ADDR_V4MAPPED(a);
}

static void check_table(const struct neigh_table *t)
{
	unsigned live = 0, tomb = 0;

	FUZZ_CHECK(!(t->seq & 1), "seqlock left odd: %u", t->seq);
	FUZZ_CHECK(t->naddrs <= NT_MAX_ADDRS && t->nroutes <= NT_MAX_ROUTES &&
			   t->nneigh <= NT_NEIGH_LIMIT,
		   "counts %u %u %u", t->naddrs, t->nroutes, t->nneigh);
	for (unsigned i = 0; i < t->naddrs; i++) {
		const struct nt_addr *a = &t->addrs[i];

		FUZZ_CHECK(plen_ok(a->family, a->prefixlen) && v4_ok(a->family, &a->addr),
			   "address %u: family %u, /%u", i, a->family, a->prefixlen);
		for (unsigned k = 0; k < i; k++)
			FUZZ_CHECK(t->addrs[k].family != a->family ||
					   t->addrs[k].prefixlen != a->prefixlen ||
					   memcmp(&t->addrs[k].addr, &a->addr, 16),
				   "addresses %u and %u are the same", k, i);
	}
	for (unsigned i = 0; i < t->nroutes; i++) {
		const struct nt_route *r = &t->routes[i];

		FUZZ_CHECK(plen_ok(r->family, r->dst_len) && v4_ok(r->family, &r->dst) &&
				   (!r->has_gw || v4_ok(r->family, &r->gw)),
			   "route %u: family %u, /%u", i, r->family, r->dst_len);
		for (unsigned k = 0; k < i; k++)
			FUZZ_CHECK(t->routes[k].family != r->family ||
					   t->routes[k].dst_len != r->dst_len ||
					   t->routes[k].metric != r->metric ||
					   memcmp(&t->routes[k].dst, &r->dst, 16),
				   "routes %u and %u have the same key", k, i);
	}
	for (unsigned i = 0; i < NT_MAX_NEIGH; i++) {
		const struct nt_neigh *e = &t->neigh[i];

		FUZZ_CHECK(e->used <= 2, "slot %u used %u", i, e->used);
		if (e->used == 2)
			tomb++;
		if (e->used != 1)
			continue;
		live++;
		FUZZ_CHECK((e->family == AF_INET || e->family == AF_INET6) &&
				   v4_ok(e->family, &e->addr),
			   "neighbour %u of family %u", i, e->family);
	}
	FUZZ_CHECK(live == t->nneigh && tomb == t->ntomb, "%u live, %u deleted; counted %u, %u",
		   live, tomb, t->nneigh, t->ntomb);
	/* Every live entry is found by the table's own lookup: deleted from a copy. */
	scratch = *t;
	for (unsigned i = 0; i < NT_MAX_NEIGH; i++)
		if (t->neigh[i].used == 1)
			FUZZ_CHECK(!nt_neigh_del(&scratch, t->neigh[i].family, &t->neigh[i].addr),
				   "the neighbour in slot %u is not found", i);
	FUZZ_CHECK(scratch.nneigh == 0, "%u neighbours left after deleting all", scratch.nneigh);
}

/* A neighbour entry for (family, a), or NULL: by a plain scan. */
static const struct nt_neigh *scan(const struct neigh_table *t, int family,
				   const struct in6_addr *a)
{
	for (unsigned i = 0; i < NT_MAX_NEIGH; i++)
		if (t->neigh[i].used == 1 && t->neigh[i].family == family &&
		    !memcmp(&t->neigh[i].addr, a, 16))
			return &t->neigh[i];
	return NULL;
}

static void read_at(const struct neigh_table *t, int family, const struct in6_addr *a)
{
	uint8_t mac[6];
	struct in6_addr nh;
	bool local = false;
	int ret = nt_resolve(t, family, a, mac, &nh);

	FUZZ_CHECK(ret == 0 || ret == -EHOSTUNREACH || ret == -EAGAIN, "resolve: %d", ret);
	if (!ret) {
		const struct nt_neigh *e = scan(t, family, &nh);

		FUZZ_CHECK(e && (e->state & NUD_USABLE) && !memcmp(e->mac, mac, 6),
			   "resolved through a next hop the table has no usable entry for");
	}
	for (unsigned i = 0; i < t->naddrs && !local; i++)
		local = t->addrs[i].family == family && !memcmp(&t->addrs[i].addr, a, 16);
	FUZZ_CHECK(nt_is_local(t, family, a) == local, "nt_is_local disagrees with the table");
}

/* Addresses from the input: each aligned 4 bytes as IPv4, 16 as IPv6. */
static void read_all(const struct neigh_table *t, const uint8_t *p, size_t n)
{
	struct in6_addr a;

	for (size_t i = 0; i + 4 <= n && i < 1024; i += 4) {
		memset(&a, 0, sizeof(a));
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], p + i, 4);
		read_at(t, AF_INET, &a);
		if (i % 16 == 0 && i + 16 <= n) {
			memcpy(&a, p + i, 16);
			read_at(t, AF_INET6, &a);
		}
	}
}

/* The table as sets: order in the arrays is the table's business. */
static int cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct nt_addr));
}

static int cmp_route(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct nt_route));
}

static void canon(struct neigh_table *t)
{
	struct nt_addr a[NT_MAX_ADDRS];
	struct nt_route r[NT_MAX_ROUTES];

	/* Copied field by field, so that padding compares equal too. */
	memset(a, 0, sizeof(a));
	memset(r, 0, sizeof(r));
	for (unsigned i = 0; i < t->naddrs; i++) {
		a[i].addr = t->addrs[i].addr;
		a[i].family = t->addrs[i].family;
		a[i].prefixlen = t->addrs[i].prefixlen;
	}
	for (unsigned i = 0; i < t->nroutes; i++) {
		r[i].dst = t->routes[i].dst;
		r[i].gw = t->routes[i].gw;
		r[i].metric = t->routes[i].metric;
		r[i].family = t->routes[i].family;
		r[i].dst_len = t->routes[i].dst_len;
		r[i].has_gw = t->routes[i].has_gw;
	}
	qsort(a, t->naddrs, sizeof(a[0]), cmp_addr);
	qsort(r, t->nroutes, sizeof(r[0]), cmp_route);
	memcpy(t->addrs, a, sizeof(a));
	memcpy(t->routes, r, sizeof(r));
}

static void check_same_neigh(const struct neigh_table *x, const struct neigh_table *y)
{
	for (unsigned i = 0; i < NT_MAX_NEIGH; i++) {
		const struct nt_neigh *e = &x->neigh[i], *f;

		if (e->used != 1)
			continue;
		f = scan(y, e->family, &e->addr);
		FUZZ_CHECK(f && f->state == e->state && !memcmp(f->mac, e->mac, 6),
			   "neighbour of slot %u differs the second time", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct neigh n;
	void *buf = fuzz_dup(data, size); /* malloc'd: aligned as netlink wants */
	size_t msgs = 0;

	memset(&n, 0, sizeof(n));
	n.ifindex = IFINDEX;
	n.tbl = &tbl;
	n.addr_cb = addr_cb;
	nt_init(&tbl);
	ntold = 0;
	neigh_feed(&n, buf, size);
	check_table(&tbl);
	check_told(&tbl);
	nt_snapshot(&tbl, &snap);
	FUZZ_CHECK(!memcmp(&snap, &tbl, sizeof(tbl)), "the snapshot differs from the table");
	read_all(&tbl, data, size);

	/* Each message is at least a header: few enough, no table can fill. */
	msgs = size / NLMSG_HDRLEN;
	if (msgs < NT_MAX_ADDRS) {
		first = tbl;
		neigh_feed(&n, buf, size);
		check_table(&tbl);
		check_told(&tbl);
		FUZZ_CHECK(!memcmp(first.mac, tbl.mac, 6) && first.mtu == tbl.mtu,
			   "the link changed the second time");
		FUZZ_CHECK(first.naddrs == tbl.naddrs && first.nroutes == tbl.nroutes &&
				   first.nneigh == tbl.nneigh,
			   "counts %u %u %u became %u %u %u", first.naddrs, first.nroutes,
			   first.nneigh, tbl.naddrs, tbl.nroutes, tbl.nneigh);
		snap = tbl;
		canon(&first);
		canon(&snap);
		FUZZ_CHECK(!memcmp(first.addrs, snap.addrs, sizeof(snap.addrs)),
			   "the addresses differ the second time");
		FUZZ_CHECK(!memcmp(first.routes, snap.routes, sizeof(snap.routes)),
			   "the routes differ the second time");
		check_same_neigh(&first, &tbl);
	}
	free(buf);
	return 0;
}
