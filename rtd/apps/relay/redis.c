// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apps/relay/ng.h"
#include "apps/relay/redis.h"
#include "apps/relay/redis_int.h"
#include "lib/clock.h"
#include "log.h"

void rd_key_of(const char *id, char *key)
{
	snprintf(key, KEY_MAX, REDIS_KEY_PREFIX "%.*s", (int)ID_MAX - 1, id);
}

/* rtctl stats' relay counters: the Redis thread is their one writer. */
static void app_count(struct redis *rd, unsigned i, uint64_t n)
{
	struct rtd_app *app = rd->n->calls.relay->app;

	if (app && n)
		rtd_app_counter_add(app, i, n);
}

void rd_count(struct redis *rd, uint64_t *field)
{
	pthread_mutex_lock(&rd->lock);
	(*field)++;
	pthread_mutex_unlock(&rd->lock);
	if (field == &rd->st.failed)
		app_count(rd, RELAY_REDIS_FAILED, 1);
}

void rd_disconnect(struct redis *rd, const char *reason)
{
	char why[256];

	snprintf(why, sizeof(why), "%s", reason); /* it may be in a context freed here */
	if (rd->cmd)
		redisFree(rd->cmd);
	if (rd->sub)
		redisFree(rd->sub);
	rd->cmd = rd->sub = NULL;
	rd->up = false;
	rd->next_try_ns = clock_ns() + REDIS_RETRY_MS * NSEC_PER_MSEC;
	pthread_mutex_lock(&rd->lock);
	rd->st.up = false;
	pthread_mutex_unlock(&rd->lock);
	/* Once per outage: the first failure to connect at start, or a loss. */
	if (rd->down_logged)
		return;
	rd->down_logged = true;
	rd_count(rd, &rd->st.downs);
	log_err("redis", "%s: %s: down; calls go on, their records are written when it is back "
			 "(%llu failed so far)",
		rd->where, why, (unsigned long long)rd->st.failed);
}

/* The context's own error, for a log. */
const char *rd_why(redisContext *c, const redisReply *r)
{
	if (r && r->type == REDIS_REPLY_ERROR)
		return r->str;
	return c && c->err ? c->errstr : "no reply";
}

/* A command expecting a reply that is not an error: the reply, or NULL (logged by caller). */
redisReply *rd_command(redisContext *c, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	return r;
}

static redisContext *open_one(struct redis *rd, char *err, size_t errlen)
{
	const struct timeval tv = { 0, REDIS_TIMEOUT_MS * 1000 };
	redisContext *c = redisConnectWithTimeout(rd->conf.host, rd->conf.port, tv);
	redisReply *r = NULL;

	if (!c || c->err) {
		snprintf(err, errlen, "%s", c ? c->errstr : "out of memory");
		goto fail;
	}
	if (redisSetTimeout(c, tv)) {
		snprintf(err, errlen, "%s", c->errstr);
		goto fail;
	}
	if (rd->conf.password[0]) {
		r = rd_command(c, "AUTH %s", rd->conf.password);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "AUTH: %s", rd_why(c, r));
			goto fail;
		}
		freeReplyObject(r);
	}
	return c;
fail:
	if (r)
		freeReplyObject(r);
	if (c)
		redisFree(c);
	return NULL;
}

/* Redis may have lost what it had (a restart without persistence): all of it again. */
static void rewrite_all(struct redis *rd)
{
	pthread_mutex_lock(&rd->lock);
	for (unsigned i = 0; i < CALLS_MAX; i++)
		if (rd->out[i].present || rd->held[i].e[0].id[0] || rd->held[i].e[1].id[0])
			rd->out[i].dirty = true;
	pthread_mutex_unlock(&rd->lock);
}

static void connect_all(struct redis *rd)
{
	char err[256];
	redisReply *r = NULL;

	rd->cmd = open_one(rd, err, sizeof(err));
	rd->sub = rd->cmd ? open_one(rd, err, sizeof(err)) : NULL;
	if (!rd->sub)
		goto fail;
	if (rd->conf.db) {
		r = rd_command(rd->cmd, "SELECT %u", rd->conf.db);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, sizeof(err), "SELECT %u: %s", rd->conf.db, rd_why(rd->cmd, r));
			goto fail;
		}
		freeReplyObject(r);
	}
	/* Subscribed before the listing: no change falls between the two. */
	r = rd_command(rd->sub, "PSUBSCRIBE __keyspace@%u__:" REDIS_KEY_PREFIX "*", rd->conf.db);
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		snprintf(err, sizeof(err), "PSUBSCRIBE: %s", rd_why(rd->sub, r));
		goto fail;
	}
	freeReplyObject(r);
	r = NULL;
	rd_notifications(rd);
	if (rd_scan(rd)) {
		snprintf(err, sizeof(err), "SCAN: %s", rd_why(rd->cmd, NULL));
		goto fail;
	}
	rewrite_all(rd);
	rd->up = true;
	rd->down_logged = rd->refusing = false;
	pthread_mutex_lock(&rd->lock);
	rd->st.up = true;
	rd->st.warm = rd->warm.n;
	pthread_mutex_unlock(&rd->lock);
	log_info("redis", "%s: connected%s; %u calls of other rtds kept warm", rd->where,
		 rd->st.downs ? " again, every call written again" : "", rd->warm.n);
	return;
fail:
	if (r)
		freeReplyObject(r);
	rd_count(rd, &rd->st.failed);
	rd_disconnect(rd, err);
}

/* Up to REDIS_BATCH handed-over records, copied out; how many. */
static unsigned take(struct redis *rd)
{
	unsigned n = 0;

	pthread_mutex_lock(&rd->lock);
	for (unsigned i = 0; i < CALLS_MAX && n < REDIS_BATCH; i++) {
		struct rd_out *o = &rd->out[i];

		if (!o->dirty)
			continue;
		o->dirty = false;
		rd->batch[n].slot = i;
		rd->batch[n].present = o->present;
		if (o->present)
			rd->batch[n].rec = o->rec;
		n++;
	}
	pthread_mutex_unlock(&rd->lock);
	return n;
}

/* Not written after all: again next time, unless a newer one came meanwhile. */
static void again(struct redis *rd, unsigned from, unsigned n)
{
	pthread_mutex_lock(&rd->lock);
	for (unsigned i = from; i < n; i++)
		rd->out[rd->batch[i].slot].dirty = true;
	pthread_mutex_unlock(&rd->lock);
}

/*
 * What a slot's op sends: the keys of other calls the slot held (or of
 * its call, when it ended) removed -- only while they still hold what this
 * rtd wrote, so that a call another rtd took over is never removed by the
 * one it left -- then the record.
 */
static void plan_dels(struct rd_op *op, const struct rd_held *h)
{
	op->ndel = 0;
	for (int j = 0; j < 2; j++) {
		const struct rd_key *e = &h->e[j];
		struct rd_del *d = NULL;

		if (!e->id[0] || (op->present && !strcmp(e->id, op->rec.call.call_id)))
			continue;
		for (unsigned k = 0; k < op->ndel; k++)
			if (!strcmp(op->del[k].id, e->id))
				d = &op->del[k];
		if (d) {
			d->crc[1] = e->crc;
			continue;
		}
		d = &op->del[op->ndel++];
		memcpy(d->id, e->id, sizeof(d->id));
		d->crc[0] = d->crc[1] = e->crc;
	}
}

static void append_op(struct redis *rd, struct rd_op *op)
{
	struct rd_held *h = &rd->held[op->slot];
	char key[KEY_MAX];

	plan_dels(op, h);
	for (unsigned k = 0; k < op->ndel; k++) {
		rd_key_of(op->del[k].id, key);
		redisAppendCommand(rd->cmd, "EVAL %s 1 %s %b %b", rd->del_script, key,
				   &op->del[k].crc[0], sizeof(uint32_t), &op->del[k].crc[1],
				   sizeof(uint32_t));
	}
	if (op->present) {
		/* Sent: from now on Redis may hold it, whatever becomes of the reply. */
		memcpy(h->e[HELD_SENT].id, op->rec.call.call_id, ID_MAX);
		h->e[HELD_SENT].crc = op->rec.crc;
		rd_key_of(op->rec.call.call_id, key);
		redisAppendCommand(rd->cmd, "SET %s %b EX %u", key, &op->rec, sizeof(op->rec),
				   rd->ttl_s);
	}
}

static void refused(struct redis *rd, const redisReply *r)
{
	rd_count(rd, &rd->st.failed);
	rd->backoff_ns = clock_ns() + REDIS_RETRY_MS * NSEC_PER_MSEC;
	if (!rd->refusing)
		log_err("redis", "%s: a write was refused: %s; retried every %u s, not logged "
				 "again until one is taken",
			rd->where, r->str, REDIS_RETRY_MS / 1000);
	rd->refusing = true;
}

/* One reply; -1: the connection is lost, 1: refused (an error reply), 0: taken. */
static int reply(struct redis *rd)
{
	redisReply *r;
	int ret = 0;

	if (redisGetReply(rd->cmd, (void **)&r) != REDIS_OK)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		refused(rd, r);
		ret = 1;
	}
	freeReplyObject(r);
	return ret;
}

/* The replies of op; -1: the connection is lost, 1: refused (written again later), 0. */
static int replies(struct redis *rd, struct rd_op *op)
{
	struct rd_held *h = &rd->held[op->slot];
	int ret = 0, r;

	for (unsigned k = 0; k < op->ndel; k++) {
		r = reply(rd);
		if (r < 0)
			return r;
		ret |= r;
		for (int j = 0; j < 2 && !r; j++)
			if (!strcmp(h->e[j].id, op->del[k].id))
				h->e[j].id[0] = 0;
		if (!r)
			rd_count(rd, &rd->st.deletes);
	}
	if (!op->present)
		return ret;
	r = reply(rd);
	if (r < 0)
		return r;
	/* Taken, or refused (then it never landed): no longer only sent. */
	if (!r)
		h->e[HELD_TAKEN] = h->e[HELD_SENT];
	h->e[HELD_SENT].id[0] = 0;
	if (!r) {
		rd_count(rd, &rd->st.writes);
		if (rd->refusing)
			log_info("redis", "%s: writes are taken again", rd->where);
		rd->refusing = false;
	}
	return ret | r;
}

/* What the store handed over, written; false when the connection was lost. */
static bool flush(struct redis *rd)
{
	unsigned n;

	while (clock_ns() >= rd->backoff_ns && (n = take(rd))) {
		for (unsigned k = 0; k < n; k++)
			append_op(rd, &rd->batch[k]);
		for (unsigned k = 0; k < n; k++) {
			int ret = replies(rd, &rd->batch[k]);

			if (ret > 0)
				again(rd, k, k + 1);
			if (ret < 0) {
				again(rd, k, n);
				rd_count(rd, &rd->st.failed);
				rd_disconnect(rd, rd_why(rd->cmd, NULL));
				return false;
			}
		}
	}
	return true;
}

/* Up to the next tick: a handed-over record, a notification, or stop. */
static void wait_events(struct redis *rd, uint64_t until)
{
	struct pollfd p[2] = { { .fd = rd->wake, .events = POLLIN },
			       { .fd = rd->sub ? rd->sub->fd : -1, .events = POLLIN } };
	uint64_t now = clock_ns();
	int ms = until > now ? (int)((until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC) : 0;
	uint64_t v;

	if (poll(p, 2, ms) <= 0)
		return;
	if (p[0].revents && read(rd->wake, &v, sizeof(v)) < 0)
		return;
	if (rd->sub && p[1].revents)
		rd_drain_sub(rd, true);
}

static void tick(struct redis *rd, uint64_t now)
{
	unsigned claimed;

	rd->tick_ns = now + STANDBY_TICK_MS * NSEC_PER_MSEC;
	/* Claims wait for the state dir's calls: those are this rtd's own first. */
	if (!rd->is_local || !__atomic_load_n(&rd->n->ready, __ATOMIC_ACQUIRE))
		return;
	claimed = standby_tick(&rd->warm, rd->n, rd->is_local, rd->ctx, now);
	app_count(rd, RELAY_TAKEOVERS, claimed);
	pthread_mutex_lock(&rd->lock);
	rd->st.claimed += claimed;
	rd->st.warm = rd->warm.n;
	pthread_mutex_unlock(&rd->lock);
}

static void *redis_main(void *arg)
{
	struct redis *rd = arg;

	while (!__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = clock_ns();

		if (!rd->up && now >= rd->next_try_ns)
			connect_all(rd);
		if (rd->up && !rd->notify && now >= rd->rescan_ns && rd_scan(rd)) {
			rd_count(rd, &rd->st.failed);
			rd_disconnect(rd, "SCAN: no reply");
		}
		if (rd->up)
			rd_drain_sub(rd, false);
		if (rd->up)
			flush(rd);
		if (clock_ns() >= rd->tick_ns)
			tick(rd, clock_ns());
		wait_events(rd, rd->tick_ns);
	}
	/* The store's last scan is handed over: written while there is time. */
	for (uint64_t t0 = clock_ns(); rd->up && clock_since(clock_ns(), t0) <
						    REDIS_STOP_MS * NSEC_PER_MSEC;) {
		bool left = false;

		if (!flush(rd))
			break;
		pthread_mutex_lock(&rd->lock);
		for (unsigned i = 0; i < CALLS_MAX && !left; i++)
			left = rd->out[i].dirty;
		pthread_mutex_unlock(&rd->lock);
		if (!left)
			break;
		usleep(10000);
	}
	return NULL;
}

void redis_put(struct redis *rd, unsigned slot, const struct store_rec *rec)
{
	uint64_t one = 1;

	if (!rd || slot >= CALLS_MAX)
		return;
	pthread_mutex_lock(&rd->lock);
	rd->out[slot].dirty = true;
	rd->out[slot].present = rec != NULL;
	if (rec)
		rd->out[slot].rec = *rec;
	pthread_mutex_unlock(&rd->lock);
	if (write(rd->wake, &one, sizeof(one)) < 0)
		return; /* the counter is full: it is awake anyway */
}

void redis_stats(struct redis *rd, struct redis_stats *out)
{
	pthread_mutex_lock(&rd->lock);
	*out = rd->st;
	pthread_mutex_unlock(&rd->lock);
}

static void free_rd(struct redis *rd)
{
	if (rd->wake >= 0)
		close(rd->wake);
	pthread_mutex_destroy(&rd->lock);
	free(rd);
}

int redis_start(struct redis **out, const struct relay_redis *conf, struct ng *n,
		standby_is_local *is_local, void *ctx)
{
	struct redis *rd = calloc(1, sizeof(*rd));
	const char *pw = getenv(REDIS_PASSWORD_ENV);
	int err;

	if (!rd)
		return -ENOMEM;
	rd->conf = *conf;
	if (!rd->conf.password[0] && pw)
		snprintf(rd->conf.password, sizeof(rd->conf.password), "%s", pw);
	redis_conf_str(conf, rd->where, sizeof(rd->where));
	rd->n = n;
	rd->is_local = is_local;
	rd->ctx = ctx;
	/* A live call is written at least every STORE_COUNTERS_MS while media flows,
	 * and ends after media-timeout without: a record outlives it by a margin. */
	rd->ttl_s = n->conf->media_timeout + STORE_COUNTERS_MS / 1000 + 5;
	snprintf(rd->del_script, sizeof(rd->del_script),
		 "local v = redis.call('GET', KEYS[1]) "
		 "if v then local c = string.sub(v, %zu, %zu) "
		 "if c == ARGV[1] or c == ARGV[2] then return redis.call('DEL', KEYS[1]) end end "
		 "return 0",
		 offsetof(struct store_rec, crc) + 1, offsetof(struct store_rec, crc) + 4);
	standby_init(&rd->warm);
	pthread_mutex_init(&rd->lock, NULL);
	rd->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rd->wake < 0) {
		err = -errno;
		goto err_free;
	}
	err = -pthread_create(&rd->thread, NULL, redis_main, rd);
	if (err)
		goto err_free;
	pthread_setname_np(rd->thread, "rtd-redis");
	log_info("redis", "%s: calls kept there for a standby, and other rtds' calls kept warm "
			  "here%s",
		 rd->where, is_local ? "" : " (no takeover: the host's addresses are not known)");
	*out = rd;
	return 0;

err_free:
	free_rd(rd);
	return err;
}

void redis_stop(struct redis *rd)
{
	uint64_t one = 1;

	if (!rd)
		return;
	__atomic_store_n(&rd->stop, true, __ATOMIC_RELEASE);
	if (write(rd->wake, &one, sizeof(one)) < 0)
		log_debug("redis", "wake: %s", strerror(errno));
	pthread_join(rd->thread, NULL);
	if (rd->cmd)
		redisFree(rd->cmd);
	if (rd->sub)
		redisFree(rd->sub);
	free_rd(rd);
}
