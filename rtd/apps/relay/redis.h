/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The relay's calls in Redis, for a standby to take over (--redis, as
 * rtpengine's): every record the store writes or removes (store.h) goes
 * to key rtd:call:<call-id> too, its value the struct store_rec, and the
 * records of other rtds are followed through keyspace notifications (as
 * rtpengine's --subscribe-keyspace) and kept warm (standby.h).
 *
 * One thread of its own, with two connections (commands; the
 * subscription).  Neither the RT thread nor the ng thread ever waits for
 * it: the store thread hands it the latest record of each call slot
 * (redis_put: a copy under a lock the Redis thread holds only to copy,
 * never across a network call), so what waits while Redis is down or slow
 * is at most one record per slot, never a queue.  Timeouts are short
 * (REDIS_TIMEOUT_MS); Redis gone is logged once, its return once, and
 * every record is written again when it is back (it may have lost them).
 */
#ifndef RELAY_REDIS_H
#define RELAY_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apps/relay/redis_conf.h"
#include "apps/relay/standby.h"
#include "apps/relay/store.h"

#define REDIS_KEY_PREFIX "rtd:call:"
/* Connect, and each reply: long enough for a loaded server on a LAN. */
#define REDIS_TIMEOUT_MS 200
#define REDIS_RETRY_MS 1000
/* Without keyspace notifications, the listing is read again this often. */
#define REDIS_RESCAN_MS 10000
/* Commands written before their replies are read. */
#define REDIS_BATCH 64
/* What stop waits for the last records to be written. */
#define REDIS_STOP_MS 500

struct ng;
struct redis;

/* What happened to a key, from a keyspace notification's message. */
enum redis_event {
	REDIS_EV_OTHER, /* expire (a TTL set), and the rest: nothing to do */
	REDIS_EV_SET,   /* written: read it */
	REDIS_EV_GONE,  /* del, expired, evicted */
};

struct redis_stats {
	uint64_t writes, deletes, failed, downs, claimed;
	unsigned warm;
	bool up;
};

/*
 * The thread for n's calls, connecting to conf (a password from
 * $RTD_REDIS_PASSWORD when conf has none); it keeps trying when Redis is
 * not there.  is_local(ctx, ...) says whether an address is this host's:
 * NULL claims nothing.  0 or a negative errno.
 */
int redis_start(struct redis **out, const struct relay_redis *conf, struct ng *n,
		standby_is_local *is_local, void *ctx);
/* Writes what is still pending, for at most REDIS_STOP_MS, and stops. */
void redis_stop(struct redis *rd);
/* From the store thread: slot's latest record, or NULL: the call ended.  Never waits. */
void redis_put(struct redis *rd, unsigned slot, const struct store_rec *rec);
void redis_stats(struct redis *rd, struct redis_stats *out);

/* Pure, for the tests and the fuzz target. */
/* The call-id of channel "__keyspace@DB__:rtd:call:ID" into id; 0 or -EINVAL. */
int redis_channel_id(const char *channel, size_t len, unsigned db, char *id, size_t idlen);
enum redis_event redis_event_parse(const char *ev, size_t len);
/* The notify-keyspace-events flags that have what rtd needs, given the server's; "" if it has. */
void redis_notify_flags(const char *have, char *out, size_t len);

#endif
