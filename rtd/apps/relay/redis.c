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
#include "lib/clock.h"
#include "log.h"

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

int redis_channel_id(const char *channel, size_t len, unsigned db, char *id, size_t idlen)
{
	char prefix[64];
	int n = snprintf(prefix, sizeof(prefix), "__keyspace@%u__:" REDIS_KEY_PREFIX, db);
	size_t idn;

	if (len <= (size_t)n || memcmp(channel, prefix, n))
		return -EINVAL;
	idn = len - n;
	if (idn >= idlen || memchr(channel + n, 0, idn))
		return -EINVAL;
	memcpy(id, channel + n, idn);
	id[idn] = 0;
	return 0;
}

enum redis_event redis_event_parse(const char *ev, size_t len)
{
	static const char *const gone[] = { "del", "expired", "evicted" };

	if (len == 3 && !memcmp(ev, "set", 3))
		return REDIS_EV_SET;
	for (unsigned i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (len == strlen(gone[i]) && !memcmp(ev, gone[i], len))
			return REDIS_EV_GONE;
	return REDIS_EV_OTHER;
}

void redis_notify_flags(const char *have, char *out, size_t len)
{
	/* Keyspace channels; set ($), del (g), expired (x), evicted (e); A is g$lshzxet. */
	static const char need[] = "K$gxe";
	bool all = strchr(have, 'A') != NULL, missing = false;
	size_t n = snprintf(out, len, "%s", have);

	for (const char *c = need; *c; c++) {
		if (strchr(have, *c) || (*c != 'K' && all))
			continue;
		missing = true;
		if (n + 1 < len) {
			out[n++] = *c;
			out[n] = 0;
		}
	}
	if (!missing && len)
		out[0] = 0;
}

static void key_of(const char *id, char *key)
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

static void count(struct redis *rd, uint64_t *field)
{
	pthread_mutex_lock(&rd->lock);
	(*field)++;
	pthread_mutex_unlock(&rd->lock);
	if (field == &rd->st.failed)
		app_count(rd, RELAY_REDIS_FAILED, 1);
}

static void disconnect(struct redis *rd, const char *reason)
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
	count(rd, &rd->st.downs);
	log_err("redis", "%s: %s: down; calls go on, their records are written when it is back "
			 "(%llu failed so far)",
		rd->where, why, (unsigned long long)rd->st.failed);
}

/* The context's own error, for a log. */
static const char *why(redisContext *c, const redisReply *r)
{
	if (r && r->type == REDIS_REPLY_ERROR)
		return r->str;
	return c && c->err ? c->errstr : "no reply";
}

/* A command expecting a reply that is not an error: the reply, or NULL (logged by caller). */
static redisReply *command(redisContext *c, const char *fmt, ...)
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
		r = command(c, "AUTH %s", rd->conf.password);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "AUTH: %s", why(c, r));
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

/*
 * Keyspace notifications are a server setting, off by default: turned on
 * for what rtd needs unless they are, and said clearly when the server
 * refuses (a managed Redis often disables CONFIG).
 */
static void notifications(struct redis *rd)
{
	redisReply *r = command(rd->cmd, "CONFIG GET notify-keyspace-events");
	char want[64];

	rd->notify = false;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[1]->type != REDIS_REPLY_STRING) {
		log_warn("redis", "%s: CONFIG GET notify-keyspace-events: %s: other rtds' calls are "
				  "read again every %u s, not as they change; set "
				  "notify-keyspace-events to K$gxe on the server",
			 rd->where, why(rd->cmd, r), REDIS_RESCAN_MS / 1000);
		goto out;
	}
	redis_notify_flags(r->element[1]->str, want, sizeof(want));
	if (!want[0]) {
		rd->notify = true;
		goto out;
	}
	freeReplyObject(r);
	r = command(rd->cmd, "CONFIG SET notify-keyspace-events %s", want);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		log_warn("redis", "%s: CONFIG SET notify-keyspace-events %s refused: %s: other "
				  "rtds' calls are read again every %u s, not as they change; set it "
				  "on the server",
			 rd->where, want, why(rd->cmd, r), REDIS_RESCAN_MS / 1000);
		goto out;
	}
	log_info("redis", "%s: notify-keyspace-events set to '%s'", rd->where, want);
	rd->notify = true;
out:
	if (r)
		freeReplyObject(r);
}

/* One key's value into the warm table (unless it is this rtd's own). */
static bool held_here(const struct redis *rd, const char *id)
{
	for (unsigned i = 0; i < CALLS_MAX; i++)
		for (int j = 0; j < 2; j++)
			if (rd->held[i].e[j].id[0] == id[0] && !strcmp(rd->held[i].e[j].id, id))
				return true;
	return false;
}

static void warm_value(struct redis *rd, const char *id, const redisReply *v)
{
	static bool bad_logged;
	int err;

	if (held_here(rd, id))
		return;
	if (!v || v->type != REDIS_REPLY_STRING) {
		standby_del(&rd->warm, id);
		return;
	}
	err = standby_put(&rd->warm, id, v->str, v->len);
	if (err == -EBADMSG && !bad_logged) {
		bad_logged = true;
		log_warn("redis", "%s: " REDIS_KEY_PREFIX "%s: not a call record of this rtd's "
				  "layout (another version?): not kept; others like it are not "
				  "logged",
			 rd->where, id);
	}
}

/* SCAN's keys, their values read in one batch; -1 on a lost connection. */
static int scan_batch(struct redis *rd, const redisReply *keys)
{
	size_t plen = strlen(REDIS_KEY_PREFIX);
	unsigned asked = 0;

	for (size_t i = 0; i < keys->elements; i++) {
		const redisReply *k = keys->element[i];

		if (k->type == REDIS_REPLY_STRING && k->len > plen && k->len < KEY_MAX)
			asked += redisAppendCommand(rd->cmd, "GET %b", k->str, k->len) == REDIS_OK;
	}
	for (size_t i = 0, got = 0; i < keys->elements && got < asked; i++) {
		const redisReply *k = keys->element[i];
		redisReply *v;
		char id[ID_MAX];

		if (k->type != REDIS_REPLY_STRING || k->len <= plen || k->len >= KEY_MAX)
			continue;
		got++;
		if (redisGetReply(rd->cmd, (void **)&v) != REDIS_OK)
			return -1;
		snprintf(id, sizeof(id), "%.*s", (int)(k->len - plen), k->str + plen);
		warm_value(rd, id, v);
		freeReplyObject(v);
	}
	return 0;
}

/* Every rtd:call:* key: the warm table anew (what is gone is dropped). */
static int scan(struct redis *rd)
{
	char cursor[32] = "0";

	rd->warm.gen++;
	do {
		redisReply *r = command(rd->cmd, "SCAN %s MATCH " REDIS_KEY_PREFIX "* COUNT 500",
					cursor);
		int err;

		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			if (r)
				freeReplyObject(r);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		err = scan_batch(rd, r->element[1]);
		freeReplyObject(r);
		if (err)
			return -1;
	} while (strcmp(cursor, "0"));
	standby_sweep(&rd->warm);
	rd->rescan_ns = clock_ns() + REDIS_RESCAN_MS * NSEC_PER_MSEC;
	return 0;
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
		r = command(rd->cmd, "SELECT %u", rd->conf.db);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, sizeof(err), "SELECT %u: %s", rd->conf.db, why(rd->cmd, r));
			goto fail;
		}
		freeReplyObject(r);
	}
	/* Subscribed before the listing: no change falls between the two. */
	r = command(rd->sub, "PSUBSCRIBE __keyspace@%u__:" REDIS_KEY_PREFIX "*", rd->conf.db);
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		snprintf(err, sizeof(err), "PSUBSCRIBE: %s", why(rd->sub, r));
		goto fail;
	}
	freeReplyObject(r);
	r = NULL;
	notifications(rd);
	if (scan(rd)) {
		snprintf(err, sizeof(err), "SCAN: %s", why(rd->cmd, NULL));
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
	count(rd, &rd->st.failed);
	disconnect(rd, err);
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
		key_of(op->del[k].id, key);
		redisAppendCommand(rd->cmd, "EVAL %s 1 %s %b %b", rd->del_script, key,
				   &op->del[k].crc[0], sizeof(uint32_t), &op->del[k].crc[1],
				   sizeof(uint32_t));
	}
	if (op->present) {
		/* Sent: from now on Redis may hold it, whatever becomes of the reply. */
		memcpy(h->e[HELD_SENT].id, op->rec.call.call_id, ID_MAX);
		h->e[HELD_SENT].crc = op->rec.crc;
		key_of(op->rec.call.call_id, key);
		redisAppendCommand(rd->cmd, "SET %s %b EX %u", key, &op->rec, sizeof(op->rec),
				   rd->ttl_s);
	}
}

static void refused(struct redis *rd, const redisReply *r)
{
	count(rd, &rd->st.failed);
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
			count(rd, &rd->st.deletes);
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
		count(rd, &rd->st.writes);
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
				count(rd, &rd->st.failed);
				disconnect(rd, why(rd->cmd, NULL));
				return false;
			}
		}
	}
	return true;
}

/* One notification off the subscription. */
static void notified(struct redis *rd, const redisReply *m)
{
	char id[ID_MAX], key[KEY_MAX];
	const redisReply *ch, *ev;
	redisReply *v;

	if (m->type != REDIS_REPLY_ARRAY || m->elements != 4)
		return;
	ch = m->element[2];
	ev = m->element[3];
	if (ch->type != REDIS_REPLY_STRING || ev->type != REDIS_REPLY_STRING ||
	    redis_channel_id(ch->str, ch->len, rd->conf.db, id, sizeof(id)))
		return;
	switch (redis_event_parse(ev->str, ev->len)) {
	case REDIS_EV_SET:
		if (held_here(rd, id))
			return; /* this rtd's own write */
		key_of(id, key);
		v = command(rd->cmd, "GET %s", key);
		if (!v) {
			count(rd, &rd->st.failed);
			disconnect(rd, why(rd->cmd, NULL));
			return;
		}
		warm_value(rd, id, v);
		freeReplyObject(v);
		break;
	case REDIS_EV_GONE:
		standby_del(&rd->warm, id);
		break;
	default:
		break;
	}
}

/* What the subscription has read; false when it was lost. */
static bool drain_sub(struct redis *rd, bool readable)
{
	void *m;

	if (readable && redisBufferRead(rd->sub) != REDIS_OK) {
		count(rd, &rd->st.failed);
		disconnect(rd, why(rd->sub, NULL));
		return false;
	}
	while (rd->sub && redisGetReplyFromReader(rd->sub, &m) == REDIS_OK && m) {
		notified(rd, m);
		freeReplyObject(m);
	}
	if (rd->sub && rd->sub->err) {
		disconnect(rd, why(rd->sub, NULL));
		return false;
	}
	return rd->sub != NULL;
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
		drain_sub(rd, true);
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
		if (rd->up && !rd->notify && now >= rd->rescan_ns && scan(rd)) {
			count(rd, &rd->st.failed);
			disconnect(rd, "SCAN: no reply");
		}
		if (rd->up)
			drain_sub(rd, false);
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
