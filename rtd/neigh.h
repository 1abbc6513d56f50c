/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtnetlink mirror: keeps a neigh_table in step with the kernel's addresses,
 * routes and neighbours of one interface, and asks the kernel to resolve a
 * next hop (ARP/ND) when the RT side needs one.  Runs on the non-RT thread.
 */
#ifndef RTD_NEIGH_H
#define RTD_NEIGH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "neigh_table.h"
#include "nl.h"

/* Called for each own address as it appears or goes (to update BPF maps). */
typedef void (*neigh_addr_cb)(void *ctx, int family, const struct in6_addr *a, bool add);
/* Called when the interface's MAC or MTU changed (set link_cb after neigh_open). */
typedef void (*neigh_link_cb)(void *ctx, const uint8_t mac[6], uint32_t mtu);

struct neigh {
	struct nl_sock nl;   /* subscribed: notifications, resolve requests */
	struct nl_sock dump; /* private: dumps */
	int ifindex;
	struct neigh_table *tbl;
	neigh_addr_cb addr_cb;
	neigh_link_cb link_cb;
	void *cb_ctx;
	unsigned long resolve_requests;
	unsigned long overflows; /* netlink ENOBUFS: a full re-dump followed */
};

/*
 * Open a NETLINK_ROUTE socket subscribed to link, address, route and
 * neighbour groups, dump the current state into tbl, and call addr_cb for
 * each address found.  Only entries of ifindex are kept.
 */
int neigh_open(struct neigh *n, int ifindex, struct neigh_table *tbl,
	       neigh_addr_cb addr_cb, void *cb_ctx);
/* The fd to poll for input. */
static inline int neigh_fd(const struct neigh *n) { return n->nl.fd; }
/* Read and apply every pending notification; never blocks. */
int neigh_process(struct neigh *n);
/*
 * Apply one datagram of notifications as if the kernel had sent it, without
 * a socket (fuzzing, tests); n needs only ifindex, tbl and addr_cb set.
 * Returns whether the table wants a full re-dump after it.
 */
bool neigh_feed(struct neigh *n, const void *buf, size_t len);
/*
 * Ask the kernel to resolve addr on our interface (RTM_NEWNEIGH with
 * NTF_USE, as `ip neigh replace ... use` does): the kernel sends ARP/ND and
 * the answer reaches the table as a notification.
 */
int neigh_resolve(struct neigh *n, int family, const struct in6_addr *addr);
void neigh_close(struct neigh *n);

#endif
