/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtd's copy of the kernel's addresses, routes and neighbours for one
 * interface.  One writer (the netlink thread) and readers on the RT thread;
 * a seqlock lets readers look up without locks, syscalls or waiting on the
 * writer: a reader that overlaps a write simply retries.
 *
 * All addresses are struct in6_addr; IPv4 is stored v4-mapped (::ffff:a.b.c.d).
 */
#ifndef RTD_NEIGH_TABLE_H
#define RTD_NEIGH_TABLE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NT_MAX_ADDRS 64
#define NT_MAX_ROUTES 256
#define NT_MAX_NEIGH 1024 /* power of two: open-addressing hash */
/* Live neighbours at most: linear probing degrades fast past 3/4 full. */
#define NT_NEIGH_LIMIT (NT_MAX_NEIGH / 4 * 3)

struct nt_addr {
	struct in6_addr addr;
	uint8_t family;
	uint8_t prefixlen;
};

struct nt_route {
	struct in6_addr dst;
	struct in6_addr gw;
	uint32_t metric;
	uint8_t family;
	uint8_t dst_len;
	bool has_gw;
};

struct nt_neigh {
	struct in6_addr addr;
	uint16_t state; /* NUD_* */
	uint8_t family;
	uint8_t mac[6];
	uint8_t used; /* 0 empty, 1 live, 2 deleted (tombstone) */
};

struct neigh_table {
	uint32_t seq; /* odd while a write is in progress */
	uint32_t mtu;
	uint8_t mac[6]; /* the interface's own MAC */
	unsigned naddrs;
	unsigned nroutes;
	unsigned nneigh; /* live entries */
	unsigned ntomb;
	struct nt_addr addrs[NT_MAX_ADDRS];
	struct nt_route routes[NT_MAX_ROUTES];
	struct nt_neigh neigh[NT_MAX_NEIGH];
};

void nt_init(struct neigh_table *t);

/* Writer side: bracket every group of changes with begin/end. */
void nt_write_begin(struct neigh_table *t);
void nt_write_end(struct neigh_table *t);
void nt_set_link(struct neigh_table *t, const uint8_t mac[6], uint32_t mtu);
int nt_addr_add(struct neigh_table *t, int family, const struct in6_addr *a, uint8_t plen);
int nt_addr_del(struct neigh_table *t, int family, const struct in6_addr *a, uint8_t plen);
/* Same family/dst/dst_len/metric replaces. -ENOSPC when full. */
int nt_route_add(struct neigh_table *t, const struct nt_route *r);
int nt_route_del(struct neigh_table *t, const struct nt_route *r);
/* Insert or update (mac may be NULL: keep the old one); -ENOSPC past NT_NEIGH_LIMIT. */
int nt_neigh_set(struct neigh_table *t, int family, const struct in6_addr *a,
		 const uint8_t mac[6], uint16_t state);
int nt_neigh_del(struct neigh_table *t, int family, const struct in6_addr *a);
/* Forget everything but the link (before a full re-dump). */
void nt_flush(struct neigh_table *t);
/* Replace everything but seq with src's contents: publishes a re-dump at once. */
void nt_copy(struct neigh_table *t, const struct neigh_table *src);

/*
 * Reader side (RT thread).  Resolve the Ethernet destination for dst:
 * longest-prefix route match (on-link when the route has no gateway, or when
 * dst is within one of our own prefixes), then the neighbour entry of the
 * next hop.  Returns 0 with mac filled, -EHOSTUNREACH with no route,
 * -EAGAIN when the next hop has no usable entry (nexthop filled so the
 * caller can ask the kernel to resolve it).  Usable states: REACHABLE,
 * STALE, DELAY, PROBE, PERMANENT, NOARP.
 */
int nt_resolve(const struct neigh_table *t, int family, const struct in6_addr *dst,
	       uint8_t mac[6], struct in6_addr *nexthop);

/* Whether a is one of our own addresses. */
bool nt_is_local(const struct neigh_table *t, int family, const struct in6_addr *a);

/* Changes on every write; readers poll it to retry held frames. */
static inline uint32_t nt_generation(const struct neigh_table *t)
{
	return __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
}

/* Consistent copy of the whole table, for the control socket. */
void nt_snapshot(const struct neigh_table *t, struct neigh_table *out);

#endif
