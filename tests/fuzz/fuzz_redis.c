// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What reaches rtd from Redis or about it: the --redis value, a keyspace
 * notification's channel and event, and a value read from a key, kept warm
 * and claimed.  The input's pieces, split on "\n--\n": the --redis value,
 * the channel, the event, then the bytes of a struct call and its streams'
 * state (made a record with a matching CRC, as in fuzz_store).
 * Properties: a refused value keeps what was set and its error is one
 * line; a call-id taken from a channel is the channel's tail; a claim is
 * whole or not at all, and ending the claimed call gives back all it took,
 * beside a call of this host's own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include "apps/relay/ng.h"
#include "apps/relay/redis.h"
#include "fuzz.h"
#include "fuzz_call.h"
#include "lib/clock.h"
#include "log.h"

static struct relay *relay;
static struct portset ports;
static struct rtd_app_env env;
static struct relay_conf conf;
static struct ng *ng;
static struct standby *sb;
static int steered;

static int stub_steer(void *ctx, uint16_t port, bool on)
{
	(void)ctx;
	(void)port;
	steered += on ? 1 : -1;
	return 0;
}

static bool all_local(void *ctx, int family, const struct in6_addr *a)
{
	(void)ctx;
	return family == AF_INET || a->s6_addr[15] & 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[64];

	(void)argc;
	(void)argv;
	log_set_level(0);
	relay = calloc(1, sizeof(*relay));
	sb = calloc(1, sizeof(*sb));
	if (!relay || !sb || ring_init(&relay->cmds, 65536, sizeof(struct rcmd)) ||
	    portset_parse("30000-30019", &ports, err, sizeof(err)))
		abort();
	conf.media_timeout = 60;
	env = (struct rtd_app_env){ .ports = &ports, .steer = stub_steer, .conf = &conf };
	ng = ng_new(relay, &env);
	if (!ng)
		abort();
	return 0;
}

static void conf_value(const uint8_t *p, size_t n)
{
	char *val = malloc(n + 1), err[256] = "", buf[300];
	struct relay_redis r = { .host = "kept", .port = 1 };

	if (!val)
		abort();
	memcpy(val, p, n);
	val[n] = 0;
	if (redis_conf_parse(&r, val, err, sizeof(err))) {
		FUZZ_CHECK(!strcmp(r.host, "kept") && r.port == 1, "a refused value changed it");
		FUZZ_CHECK(err[0] && !strchr(err, '\n'), "error '%s'", err);
	} else {
		FUZZ_CHECK(r.host[0] && r.port, "accepted without host or port");
		redis_conf_str(&r, buf, sizeof(buf));
		FUZZ_CHECK(!strchr(buf, '@'), "the address for logs has the password: %s", buf);
	}
	free(val);
}

static void channel(const uint8_t *p, size_t n, const uint8_t *ev, size_t evn)
{
	char *ch = fuzz_dup(p, n), *e = fuzz_dup(ev, evn), id[128];
	size_t plen = strlen("__keyspace@0__:" REDIS_KEY_PREFIX);

	if (!redis_channel_id(ch, n, 0, id, sizeof(id)))
		FUZZ_CHECK(n > plen && strlen(id) == n - plen && !memcmp(id, ch + plen, n - plen),
			   "call-id '%s' not the channel's tail", id);
	(void)redis_event_parse(e, evn);
	free(ch);
	free(e);
}

/* This host's own call first: a pair of ports and four stream slots taken. */
static void own_call(void)
{
	struct call *c;

	calls_init(&ng->calls, relay, &env);
	c = calls_slot(&ng->calls, "own", 0);
	if (!c || calls_add_media(&ng->calls, c, 0, false))
		abort();
	calls_commit(&ng->calls, c);
}

static void value(const uint8_t *p, size_t n)
{
	static struct store_rec rec;
	static struct call call;
	static struct call_stream_state st[CALL_STREAMS];
	unsigned pairs, idx, claimed;
	struct call *got;
	struct rcmd c;

	memset(&call, 0, sizeof(call));
	memset(st, 0, sizeof(st));
	memcpy(&call, p, n < sizeof(call) ? n : sizeof(call));
	if (n > sizeof(call))
		memcpy(st, p + sizeof(call),
		       n - sizeof(call) < sizeof(st) ? n - sizeof(call) : sizeof(st));
	valid_bools(&call, st);
	call.used = true;
	call.call_id[sizeof(call.call_id) - 1] = 0;
	store_encode(&rec, 0, &call, st);
	standby_init(sb);
	if (standby_put(sb, call.call_id, &rec, sizeof(rec)))
		return;
	FUZZ_CHECK(sb->n == 1 && standby_find(sb, call.call_id), "kept, but not found");
	own_call();
	steered = 0;
	pairs = portset_count(&ng->calls.free_ports);
	idx = ng->calls.nfree_idx;
	claimed = standby_tick(sb, ng, all_local, NULL, 1);
	got = strcmp(call.call_id, "own") ? calls_find(&ng->calls, call.call_id) : NULL;
	if (!claimed) {
		FUZZ_CHECK(ng->calls.ncalls == 1 && !got, "half a call claimed");
		FUZZ_CHECK(portset_count(&ng->calls.free_ports) == pairs && ng->calls.nfree_idx == idx &&
				   !steered,
			   "a refused claim took ports, slots or steering");
	} else {
		FUZZ_CHECK(got && ng->calls.ncalls == 2 && !sb->n, "claimed, but not there");
		calls_free(&ng->calls, got);
		FUZZ_CHECK(portset_count(&ng->calls.free_ports) == pairs && ng->calls.nfree_idx == idx &&
				   !steered,
			   "the claimed call did not give back what it took");
	}
	while (!ring_pop(&relay->cmds, &c))
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *piece[4] = { 0 };
	size_t len[4] = { 0 };
	struct fuzz_split s;
	unsigned n = 0;

	fuzz_split_init(&s, data, size, "\n--\n");
	while (n < 3 && fuzz_split_next(&s, &piece[n], &len[n]))
		n++;
	if (n == 3 && !s.done) {
		piece[3] = data + s.pos;
		len[3] = size - s.pos;
	}
	if (n >= 1)
		conf_value(piece[0], len[0]);
	if (n >= 3)
		channel(piece[1], len[1], piece[2], len[2]);
	if (len[3])
		value(piece[3], len[3]);
	return 0;
}
