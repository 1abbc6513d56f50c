/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What redis.c (the thread, this rtd's writes) and redis_warm.c (other
 * rtds' calls: the scan, the keyspace notifications) share.  Private to
 * the two files; everything here belongs to the Redis thread but the
 * fields the comments give to the lock.
 */
#ifndef RELAY_REDIS_INT_H
#define RELAY_REDIS_INT_H

#include <hiredis/hiredis.h>
#include <pthread.h>

#include "apps/relay/ng.h"
#include "apps/relay/redis.h"

#define ID_MAX sizeof(((struct call *)0)->call_id)
#define KEY_MAX (sizeof(REDIS_KEY_PREFIX) + ID_MAX)

/* What the store thread hands over: the latest record of a slot (under lock). */
struct rd_out {
	bool dirty;
	bool present; /* rec is the call's; false: the call ended */
	struct store_rec rec;
};

/*
 * What Redis may hold of this rtd's, slot by slot (the Redis thread's
 * own): the record it took last, and one sent whose reply never came
 * (a timeout: it may have landed, later), each a key and a CRC.
 */
struct rd_key {
	char id[ID_MAX]; /* "": none */
	uint32_t crc;
};

enum { HELD_TAKEN, HELD_SENT };

struct rd_held {
	struct rd_key e[2]; /* HELD_TAKEN, HELD_SENT */
};

/* A key to remove if it holds one of two records of this rtd's. */
struct rd_del {
	char id[ID_MAX];
	uint32_t crc[2];
};

struct rd_op {
	unsigned slot;
	bool present;
	unsigned ndel;
	struct rd_del del[2];
	struct store_rec rec;
};

struct redis {
	struct relay_redis conf;
	char where[REDIS_HOST_MAX + 16]; /* for logs: no password */
	struct ng *n;
	standby_is_local *is_local;
	void *ctx;
	unsigned ttl_s;
	int wake; /* eventfd: a record was handed over, or stop */
	pthread_t thread;
	bool stop;
	pthread_mutex_t lock; /* out[] and the stats, with the store thread */
	struct rd_out out[CALLS_MAX];
	struct redis_stats st;
	/* The Redis thread's own from here on. */
	redisContext *cmd, *sub;
	bool up, notify, refusing, down_logged;
	uint64_t next_try_ns, rescan_ns, tick_ns, backoff_ns;
	char del_script[256];
	struct rd_held held[CALLS_MAX];
	struct rd_op batch[REDIS_BATCH];
	struct standby warm;
};

/* REDIS_KEY_PREFIX and the call-id: the key of a call. */
void rd_key_of(const char *id, char *key);
/* One more of a stats field (under the lock); failed ones also in rtctl stats. */
void rd_count(struct redis *rd, uint64_t *field);
/* Both connections closed, a retry planned, the outage logged once. */
void rd_disconnect(struct redis *rd, const char *reason);
/* The context's own error, for a log. */
const char *rd_why(redisContext *c, const redisReply *r);
/* A command and its reply, or NULL. */
redisReply *rd_command(redisContext *c, const char *fmt, ...);

/* redis_warm.c: keyspace notifications on, where the server lets rtd. */
void rd_notifications(struct redis *rd);
/* Every rtd:call:* key into the warm table anew; -1 on a lost connection. */
int rd_scan(struct redis *rd);
/* What the subscription has read; false when it was lost. */
bool rd_drain_sub(struct redis *rd, bool readable);

#endif
