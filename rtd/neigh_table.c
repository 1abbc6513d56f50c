// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <endian.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <string.h>
#include <sys/socket.h>

#include "neigh_table.h"

_Static_assert((NT_MAX_NEIGH & (NT_MAX_NEIGH - 1)) == 0, "NT_MAX_NEIGH must be a power of two");
_Static_assert(NT_NEIGH_LIMIT < NT_MAX_NEIGH, "an empty slot must always remain");

/* Tombstones lengthen every miss: rebuild once this many pile up. */
#define NT_MAX_TOMB (NT_MAX_NEIGH / 8)

#define NT_USED_EMPTY 0
#define NT_USED_LIVE 1
#define NT_USED_TOMB 2

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

void nt_init(struct neigh_table *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * Seqlock writer (one writer thread).  The release fence after the odd store
 * keeps the table stores from becoming visible before it; the release store
 * of the even value publishes them.  A reader that saw any of the stores also
 * sees seq changed and retries.
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
	/* The RT side reads the MTU on its own, outside the seqlock. */
	__atomic_store_n(&t->mtu, mtu, __ATOMIC_RELAXED);
}

static inline bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]));
}

static bool plen_ok(int family, unsigned plen)
{
	return (family == AF_INET && plen <= 32) || (family == AF_INET6 && plen <= 128);
}

int nt_addr_add(struct neigh_table *t, int family, const struct in6_addr *a, uint8_t plen)
{
	if (!plen_ok(family, plen))
		return -EINVAL;
	for (unsigned i = 0; i < t->naddrs; i++) {
		const struct nt_addr *x = &t->addrs[i];

		if (x->family == family && x->prefixlen == plen && addr_eq(&x->addr, a))
			return 0;
	}
	if (t->naddrs == NT_MAX_ADDRS)
		return -ENOSPC;
	t->addrs[t->naddrs] = (struct nt_addr){ .addr = *a, .family = family, .prefixlen = plen };
	t->naddrs++;
	return 0;
}

/* The kernel keys addresses by address and prefix: 198.18.0.1/24 and /16 can coexist. */
int nt_addr_del(struct neigh_table *t, int family, const struct in6_addr *a, uint8_t plen)
{
	for (unsigned i = 0; i < t->naddrs; i++) {
		const struct nt_addr *x = &t->addrs[i];

		if (x->family == family && x->prefixlen == plen && addr_eq(&x->addr, a)) {
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
	if (!plen_ok(r->family, r->dst_len))
		return -EINVAL;
	for (unsigned i = 0; i < t->nroutes; i++) {
		if (route_same(&t->routes[i], r)) {
			t->routes[i] = *r;
			return 0;
		}
	}
	if (t->nroutes == NT_MAX_ROUTES)
		return -ENOSPC;
	t->routes[t->nroutes] = *r;
	t->nroutes++;
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

/*
 * Fibonacci hashing of the folded address: a multiply and a shift per
 * lookup.  v4-mapped addresses differ only in the last word, IPv6 neighbours
 * mostly in the last two; folding keeps both.
 */
static inline unsigned hash_addr(const struct in6_addr *a)
{
	uint64_t w[2];

	memcpy(w, a, 16);
	return (unsigned)(((w[0] ^ w[1]) * 0x9e3779b97f4a7c15ull) >>
			  (64 - __builtin_ctz(NT_MAX_NEIGH)));
}

/*
 * Slot holding (family, a), or -1.  *free_slot (when asked) gets the first
 * reusable slot on the probe path: where an insert goes.
 */
static int neigh_find(const struct neigh_table *t, int family, const struct in6_addr *a,
		      int *free_slot)
{
	unsigned h = hash_addr(a);

	if (free_slot)
		*free_slot = -1;
	/* Bounded even if a torn read showed the reader no empty slot. */
	for (unsigned i = 0; i < NT_MAX_NEIGH; i++) {
		unsigned s = (h + i) & (NT_MAX_NEIGH - 1);
		const struct nt_neigh *n = &t->neigh[s];

		if (n->used == NT_USED_EMPTY) {
			if (free_slot && *free_slot < 0)
				*free_slot = s;
			return -1;
		}
		if (n->used == NT_USED_TOMB) {
			if (free_slot && *free_slot < 0)
				*free_slot = s;
			continue;
		}
		if (n->family == family && addr_eq(&n->addr, a))
			return s;
	}
	return -1;
}

/* Writer only, inside a write bracket: readers retry over the rebuild. */
static void neigh_compact(struct neigh_table *t)
{
	struct nt_neigh live[NT_NEIGH_LIMIT]; /* the writer's stack, not the RT thread's */
	unsigned n = 0;

	for (unsigned i = 0; i < NT_MAX_NEIGH && n < NT_NEIGH_LIMIT; i++)
		if (t->neigh[i].used == NT_USED_LIVE)
			live[n++] = t->neigh[i];
	memset(t->neigh, 0, sizeof(t->neigh));
	t->ntomb = 0;
	for (unsigned i = 0; i < n; i++) {
		int slot;

		neigh_find(t, live[i].family, &live[i].addr, &slot);
		t->neigh[slot] = live[i];
	}
	t->nneigh = n;
}

int nt_neigh_set(struct neigh_table *t, int family, const struct in6_addr *a,
		 const uint8_t mac[6], uint16_t state)
{
	int slot, s;
	struct nt_neigh *n;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	s = neigh_find(t, family, a, &slot);
	if (s < 0) {
		if (t->nneigh >= NT_NEIGH_LIMIT)
			return -ENOSPC;
		/* Taking an empty slot lengthens probes for good: drop tombstones first. */
		if (t->neigh[slot].used == NT_USED_EMPTY && t->ntomb &&
		    t->nneigh + t->ntomb >= NT_NEIGH_LIMIT) {
			neigh_compact(t);
			neigh_find(t, family, a, &slot);
		}
		s = slot;
		if (t->neigh[s].used == NT_USED_TOMB)
			t->ntomb--;
		t->nneigh++;
		n = &t->neigh[s];
		*n = (struct nt_neigh){ .addr = *a, .family = family };
	}
	n = &t->neigh[s];
	n->state = state;
	if (mac)
		memcpy(n->mac, mac, 6);
	n->used = NT_USED_LIVE;
	return 0;
}

int nt_neigh_del(struct neigh_table *t, int family, const struct in6_addr *a)
{
	int s = neigh_find(t, family, a, NULL);

	if (s < 0)
		return -ENOENT;
	t->neigh[s].used = NT_USED_TOMB;
	t->nneigh--;
	if (++t->ntomb > NT_MAX_TOMB)
		neigh_compact(t);
	return 0;
}

void nt_flush(struct neigh_table *t)
{
	t->naddrs = t->nroutes = t->nneigh = t->ntomb = 0;
	memset(t->addrs, 0, sizeof(t->addrs));
	memset(t->routes, 0, sizeof(t->routes));
	memset(t->neigh, 0, sizeof(t->neigh));
}

void nt_copy(struct neigh_table *t, const struct neigh_table *src)
{
	nt_set_link(t, src->mac, src->mtu);
	t->naddrs = src->naddrs;
	t->nroutes = src->nroutes;
	t->nneigh = src->nneigh;
	t->ntomb = src->ntomb;
	memcpy(t->addrs, src->addrs, sizeof(t->addrs));
	memcpy(t->routes, src->routes, sizeof(t->routes));
	memcpy(t->neigh, src->neigh, sizeof(t->neigh));
}

/* Whether a lies in p/bits; bits counts from the top of the 128-bit address. */
static inline bool prefix_match(const struct in6_addr *a, const struct in6_addr *p, unsigned bits)
{
	uint64_t x[2], y[2];

	if (!bits)
		return true;
	memcpy(x, a, 16);
	memcpy(y, p, 16);
	x[0] = be64toh(x[0] ^ y[0]);
	x[1] = be64toh(x[1] ^ y[1]);
	if (bits <= 64)
		return !(x[0] & (~0ull << (64 - bits)));
	if (bits > 128) /* only a torn read gets here; seq sends it round again */
		bits = 128;
	return !x[0] && !(x[1] & (~0ull << (128 - bits)));
}

/* IPv4 prefixes count after the 96 bits of the v4-mapped prefix. */
static inline unsigned bits_of(int family, unsigned plen)
{
	return family == AF_INET ? 96 + plen : plen;
}

/*
 * The counts are loaded once and clamped so that a read torn by the writer
 * stays inside the arrays; its result is thrown away by the seq check.
 */
static inline unsigned count(const unsigned *p, unsigned max)
{
	unsigned v = __atomic_load_n(p, __ATOMIC_RELAXED);

	return v < max ? v : max;
}

static int resolve_once(const struct neigh_table *t, int family, const struct in6_addr *dst,
			uint8_t mac[6], struct in6_addr *nexthop)
{
	unsigned nroutes = count(&t->nroutes, NT_MAX_ROUTES);
	const struct nt_route *best = NULL;
	const struct nt_neigh *ne;
	int s;

	for (unsigned i = 0; i < nroutes; i++) {
		const struct nt_route *r = &t->routes[i];

		if (r->family != family || !prefix_match(dst, &r->dst, bits_of(family, r->dst_len)))
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->metric < best->metric))
			best = r;
	}
	if (best && best->has_gw) {
		*nexthop = best->gw;
	} else {
		if (!best) {
			unsigned naddrs = count(&t->naddrs, NT_MAX_ADDRS);
			bool onlink = false;

			for (unsigned i = 0; i < naddrs && !onlink; i++)
				onlink = t->addrs[i].family == family &&
					 prefix_match(dst, &t->addrs[i].addr,
						      bits_of(family, t->addrs[i].prefixlen));
			if (!onlink)
				return -EHOSTUNREACH;
		}
		*nexthop = *dst;
	}
	s = neigh_find(t, family, nexthop, NULL);
	if (s < 0)
		return -EAGAIN;
	ne = &t->neigh[s];
	if (!(ne->state & NUD_USABLE))
		return -EAGAIN;
	memcpy(mac, ne->mac, 6);
	return 0;
}

/* Seqlock read: an odd seq or one that moved under us means a write overlapped. */
static inline uint32_t read_begin(const struct neigh_table *t)
{
	uint32_t seq;

	while ((seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE)) & 1)
		cpu_relax();
	return seq;
}

static inline bool read_retry(const struct neigh_table *t, uint32_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&t->seq, __ATOMIC_RELAXED) != seq;
}

int nt_resolve(const struct neigh_table *t, int family, const struct in6_addr *dst,
	       uint8_t mac[6], struct in6_addr *nexthop)
{
	uint8_t m[6];
	struct in6_addr nh;
	uint32_t seq;
	int ret;

	/* Results land in locals first: the caller never sees a torn MAC. */
	do {
		seq = read_begin(t);
		ret = resolve_once(t, family, dst, m, &nh);
	} while (read_retry(t, seq));
	if (ret != -EHOSTUNREACH)
		*nexthop = nh;
	if (!ret)
		memcpy(mac, m, 6);
	return ret;
}

bool nt_is_local(const struct neigh_table *t, int family, const struct in6_addr *a)
{
	uint32_t seq;
	bool found;

	do {
		unsigned naddrs;

		seq = read_begin(t);
		naddrs = count(&t->naddrs, NT_MAX_ADDRS);
		found = false;
		for (unsigned i = 0; i < naddrs && !found; i++)
			found = t->addrs[i].family == family && addr_eq(&t->addrs[i].addr, a);
	} while (read_retry(t, seq));
	return found;
}

void nt_snapshot(const struct neigh_table *t, struct neigh_table *out)
{
	uint32_t seq;

	do {
		seq = read_begin(t);
		memcpy(out, t, sizeof(*out));
	} while (read_retry(t, seq));
	out->seq = seq;
}
