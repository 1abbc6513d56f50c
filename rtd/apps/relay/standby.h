/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The calls of other rtds, kept warm: the records they keep in Redis
 * (redis.h), parsed and held in memory, at most CALLS_MAX of them, until
 * their key is deleted or expires.  When a call's local addresses (its
 * streams' `local`, where its peers send) become this host's own (the
 * service address moved here: keepalived, or an operator with a
 * gratuitous ARP), this rtd claims it: the call goes into a free slot of
 * its own table with its ports, fresh stream slots, its latched peers and
 * counters, steered, and media is relayed without a new offer.  From then
 * on this rtd's store writes it.
 *
 * No thread and no socket of its own: the Redis thread feeds the table
 * and calls standby_tick() every STANDBY_TICK_MS.
 */
#ifndef RELAY_STANDBY_H
#define RELAY_STANDBY_H

#include <stdbool.h>
#include <stdint.h>

#include "apps/relay/store.h"

/* How often warm calls are checked against the host's addresses. */
#define STANDBY_TICK_MS 100
/* A call that could not be claimed is tried again this often, and logged once. */
#define STANDBY_RETRY_MS 1000

struct ng;

struct warm_call {
	bool used;
	bool refused;      /* a claim failed: logged once */
	uint32_t gen;      /* the last full listing (SCAN) that had it */
	uint64_t retry_ns; /* no claim before this */
	struct store_rec rec;
};

struct standby {
	struct warm_call w[CALLS_MAX];
	unsigned n;
	uint32_t gen;
	bool full_logged;
	uint64_t claimed, refused, full;
};

typedef bool standby_is_local(void *ctx, int family, const struct in6_addr *a);

enum standby_verdict {
	STANDBY_WAIT,  /* not (all) ours: someone else serves it */
	STANDBY_CLAIM, /* every local address of the call is this host's now */
};

void standby_init(struct standby *s);
/*
 * A record read from key id (the call-id after "rtd:call:"): kept, or the
 * one of the same call replaced.  0, -EBADMSG (not a record of this
 * layout, or of another call than its key says), -ENOSPC (CALLS_MAX warm
 * already).  The full table is logged once until a call fits again.
 */
int standby_put(struct standby *s, const char *id, const void *val, size_t len);
/* Its key was deleted or expired; true when it was warm. */
bool standby_del(struct standby *s, const char *id);
struct warm_call *standby_find(struct standby *s, const char *id);
/* After a full listing: drop what it did not have (deleted while Redis was out of reach). */
void standby_sweep(struct standby *s);
/* Whether r's call is this host's to serve now (is_local: the host's addresses). */
enum standby_verdict standby_decide(const struct store_rec *r, standby_is_local *is_local,
				    void *ctx);
/*
 * Every warm call whose addresses are now this host's, claimed into n's
 * table, the ng lock taken for each call alone; how many were claimed.
 * A call n already has (the same call-id) is dropped from the table.
 */
unsigned standby_tick(struct standby *s, struct ng *n, standby_is_local *is_local, void *ctx,
		      uint64_t now);

#endif
