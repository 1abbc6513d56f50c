// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Other rtds' calls, kept warm for a takeover (standby.h): read with SCAN
 * at start and after a reconnection, then followed through keyspace
 * notifications on a subscription of their own.  The Redis thread's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/redis_int.h"
#include "lib/clock.h"
#include "log.h"

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

/*
 * Keyspace notifications are a server setting, off by default: turned on
 * for what rtd needs unless they are, and said clearly when the server
 * refuses (a managed Redis often disables CONFIG).
 */
void rd_notifications(struct redis *rd)
{
	redisReply *r = rd_command(rd->cmd, "CONFIG GET notify-keyspace-events");
	char want[64];

	rd->notify = false;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[1]->type != REDIS_REPLY_STRING) {
		log_warn("redis", "%s: CONFIG GET notify-keyspace-events: %s: other rtds' calls are "
				  "read again every %u s, not as they change; set "
				  "notify-keyspace-events to K$gxe on the server",
			 rd->where, rd_why(rd->cmd, r), REDIS_RESCAN_MS / 1000);
		goto out;
	}
	redis_notify_flags(r->element[1]->str, want, sizeof(want));
	if (!want[0]) {
		rd->notify = true;
		goto out;
	}
	freeReplyObject(r);
	r = rd_command(rd->cmd, "CONFIG SET notify-keyspace-events %s", want);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		log_warn("redis", "%s: CONFIG SET notify-keyspace-events %s refused: %s: other "
				  "rtds' calls are read again every %u s, not as they change; set it "
				  "on the server",
			 rd->where, want, rd_why(rd->cmd, r), REDIS_RESCAN_MS / 1000);
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
int rd_scan(struct redis *rd)
{
	char cursor[32] = "0";

	rd->warm.gen++;
	do {
		redisReply *r = rd_command(rd->cmd, "SCAN %s MATCH " REDIS_KEY_PREFIX "* COUNT 500",
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
		rd_key_of(id, key);
		v = rd_command(rd->cmd, "GET %s", key);
		if (!v) {
			rd_count(rd, &rd->st.failed);
			rd_disconnect(rd, rd_why(rd->cmd, NULL));
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
bool rd_drain_sub(struct redis *rd, bool readable)
{
	void *m;

	if (readable && redisBufferRead(rd->sub) != REDIS_OK) {
		rd_count(rd, &rd->st.failed);
		rd_disconnect(rd, rd_why(rd->sub, NULL));
		return false;
	}
	while (rd->sub && redisGetReplyFromReader(rd->sub, &m) == REDIS_OK && m) {
		notified(rd, m);
		freeReplyObject(m);
	}
	if (rd->sub && rd->sub->err) {
		rd_disconnect(rd, rd_why(rd->sub, NULL));
		return false;
	}
	return rd->sub != NULL;
}

