// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/neighbour.h>
#include <string.h>

#include "rtd/neigh_table.h"

void nt_init(struct neigh_table *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * Seqlock writer: readers that saw an odd or changed sequence retry.  The
 * fences order the sequence stores against the (plain) table stores.
 */
void nt_write_begin(struct neigh_table *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void nt_write_end(struct neigh_table *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
}

void nt_set_link(struct neigh_table *t, const uint8_t mac[6], uint32_t mtu)
{
	memcpy(t->mac, mac, 6);
	t->mtu = mtu;
}

static bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

int nt_addr_add(struct neigh_table *t, int family, const struct in6_addr *a, uint8_t plen)
{
	for (unsigned i = 0; i < t->naddrs; i++) {
		if (addr_eq(&t->addrs[i].addr, a)) {
			t->addrs[i].prefixlen = plen;
			return 0;
		}
	}
	if (t->naddrs == NT_MAX_ADDRS)
		return -ENOSPC;
	t->addrs[t->naddrs++] = (struct nt_addr){ .addr = *a, .family = family, .prefixlen = plen };
	return 0;
}

int nt_addr_del(struct neigh_table *t, int family, const struct in6_addr *a, uint8_t plen)
{
	(void)family;
	(void)plen;
	for (unsigned i = 0; i < t->naddrs; i++) {
		if (addr_eq(&t->addrs[i].addr, a)) {
			t->addrs[i] = t->addrs[--t->naddrs];
			return 0;
		}
	}
	return -ENOENT;
}

static bool route_same(const struct nt_route *a, const struct nt_route *b)
{
	return a->family == b->family && a->dst_len == b->dst_len && a->metric == b->metric &&
	       addr_eq(&a->dst, &b->dst);
}

int nt_route_add(struct neigh_table *t, const struct nt_route *r)
{
	for (unsigned i = 0; i < t->nroutes; i++) {
		if (route_same(&t->routes[i], r)) {
			t->routes[i] = *r;
			return 0;
		}
	}
	if (t->nroutes == NT_MAX_ROUTES)
		return -ENOSPC;
	t->routes[t->nroutes++] = *r;
	return 0;
}

int nt_route_del(struct neigh_table *t, const struct nt_route *r)
{
	for (unsigned i = 0; i < t->nroutes; i++) {
		if (route_same(&t->routes[i], r)) {
			t->routes[i] = t->routes[--t->nroutes];
			return 0;
		}
	}
	return -ENOENT;
}

static unsigned hash_addr(const struct in6_addr *a)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return h & (NT_MAX_NEIGH - 1);
}

/* Slot holding a, or -1; *free_slot gets the first reusable slot seen. */
static int neigh_find(const struct neigh_table *t, const struct in6_addr *a, int *free_slot)
{
	unsigned h = hash_addr(a);

	if (free_slot)
		*free_slot = -1;
	for (unsigned i = 0; i < NT_MAX_NEIGH; i++) {
		unsigned s = (h + i) & (NT_MAX_NEIGH - 1);
		const struct nt_neigh *n = &t->neigh[s];

		if (n->used == 0) {
			if (free_slot && *free_slot < 0)
				*free_slot = s;
			return -1;
		}
		if (n->used == 2) {
			if (free_slot && *free_slot < 0)
				*free_slot = s;
			continue;
		}
		if (addr_eq(&n->addr, a))
			return s;
	}
	return -1;
}

/* Tombstones lengthen every probe: rebuild once they are a quarter of the table. */
static void neigh_compact(struct neigh_table *t)
{
	static struct nt_neigh live[NT_MAX_NEIGH]; /* writer thread only */
	unsigned n = 0;

	for (unsigned i = 0; i < NT_MAX_NEIGH; i++)
		if (t->neigh[i].used == 1)
			live[n++] = t->neigh[i];
	memset(t->neigh, 0, sizeof(t->neigh));
	t->ntomb = 0;
	for (unsigned i = 0; i < n; i++) {
		int slot;

		neigh_find(t, &live[i].addr, &slot);
		t->neigh[slot] = live[i];
	}
}

int nt_neigh_set(struct neigh_table *t, int family, const struct in6_addr *a,
		 const uint8_t mac[6], uint16_t state)
{
	int slot, s = neigh_find(t, a, &slot);
	struct nt_neigh *n;

	if (s < 0) {
		/* Keep one slot empty so that probes always terminate. */
		if (slot < 0 || t->nneigh + 1 >= NT_MAX_NEIGH)
			return -ENOSPC;
		s = slot;
		if (t->neigh[s].used == 2)
			t->ntomb--;
		t->nneigh++;
	}
	n = &t->neigh[s];
	n->addr = *a;
	n->family = family;
	n->state = state;
	if (mac)
		memcpy(n->mac, mac, 6);
	n->used = 1;
	return 0;
}

int nt_neigh_del(struct neigh_table *t, int family, const struct in6_addr *a)
{
	int s = neigh_find(t, a, NULL);

	(void)family;
	if (s < 0)
		return -ENOENT;
	t->neigh[s].used = 2;
	t->nneigh--;
	if (++t->ntomb > NT_MAX_NEIGH / 4)
		neigh_compact(t);
	return 0;
}

void nt_flush(struct neigh_table *t)
{
	t->naddrs = t->nroutes = t->nneigh = t->ntomb = 0;
	memset(t->neigh, 0, sizeof(t->neigh));
}

static bool prefix_match(const struct in6_addr *a, const struct in6_addr *p, unsigned bits)
{
	unsigned bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, p, bytes))
		return false;
	return !rem || !((a->s6_addr[bytes] ^ p->s6_addr[bytes]) & (0xff << (8 - rem)));
}

/* Route and address prefixes count IPv4 bits after the 96-bit mapped prefix. */
static unsigned bits_of(int family, unsigned plen)
{
	return family == AF_INET ? 96 + plen : plen;
}

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

static int resolve_once(const struct neigh_table *t, int family, const struct in6_addr *dst,
			uint8_t mac[6], struct in6_addr *nexthop)
{
	const struct nt_route *best = NULL;
	bool onlink = false;
	int s;

	for (unsigned i = 0; i < t->nroutes; i++) {
		const struct nt_route *r = &t->routes[i];

		if (r->family != family || !prefix_match(dst, &r->dst, bits_of(family, r->dst_len)))
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->metric < best->metric))
			best = r;
	}
	if (!best) {
		for (unsigned i = 0; i < t->naddrs && !onlink; i++)
			onlink = t->addrs[i].family == family &&
				 prefix_match(dst, &t->addrs[i].addr,
					      bits_of(family, t->addrs[i].prefixlen));
		if (!onlink)
			return -EHOSTUNREACH;
	}
	*nexthop = best && best->has_gw ? best->gw : *dst;
	s = neigh_find(t, nexthop, NULL);
	if (s < 0 || !(t->neigh[s].state & NUD_USABLE))
		return -EAGAIN;
	memcpy(mac, t->neigh[s].mac, 6);
	return 0;
}

int nt_resolve(const struct neigh_table *t, int family, const struct in6_addr *dst,
	       uint8_t mac[6], struct in6_addr *nexthop)
{
	for (;;) {
		uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		int ret;

		if (seq & 1)
			continue;
		ret = resolve_once(t, family, dst, mac, nexthop);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) == seq)
			return ret;
	}
}

bool nt_is_local(const struct neigh_table *t, int family, const struct in6_addr *a)
{
	for (;;) {
		uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		bool found = false;

		if (seq & 1)
			continue;
		for (unsigned i = 0; i < t->naddrs && !found; i++)
			found = t->addrs[i].family == family && addr_eq(&t->addrs[i].addr, a);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) == seq)
			return found;
	}
}

void nt_snapshot(const struct neigh_table *t, struct neigh_table *out)
{
	for (;;) {
		uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;
		memcpy(out, t, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) == seq)
			return;
	}
}
