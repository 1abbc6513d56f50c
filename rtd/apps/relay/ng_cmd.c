// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One ng datagram in, one reply out: the sender checked against --ng-allow,
 * the cookie cache, the dictionary decoded, and the command found in the
 * table (ng_cmd.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/relay/ng_cmd.h"
#include "apps/relay/ng_json.h"
#include "apps/relay/sec.h"
#include "lib/clock.h"
#include "log.h"

static const struct {
	int (*fn)(struct ng *n, const struct ng_msg *m, struct bencode_w *w);
	unsigned flags;
} commands[] = {
#define X(id, name, stat, flags) { ng_cmd_##id, flags },
	NG_COMMANDS(X)
#undef X
};

const char *const ng_cmd_names[NG_NCMDS] = {
#define X(id, name, stat, flags) name,
	NG_COMMANDS(X)
#undef X
};

const char *const ng_cmd_stat_names[NG_NCMDS] = {
#define X(id, name, stat, flags) stat,
	NG_COMMANDS(X)
#undef X
};

_Static_assert(NG_NCMDS <= NG_NCMDS_MAX, "NG_NCMDS_MAX is too small for the command table");

int ng_reply_error(struct ng *n, struct bencode_w *w, const char *why)
{
	n->errors++;
	if (n->current)
		n->current->errors++;
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "error");
	bencode_w_kv_str(w, "error-reason", why);
	bencode_w_end(w);
	return 0;
}

int ng_reply_load_limit(struct ng *n, struct bencode_w *w)
{
	n->refused++;
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "load limit");
	bencode_w_end(w);
	return 0;
}

int ng_get_str(const struct ng_msg *m, const char *key, char *out, size_t len)
{
	int v = bencode_dict_get(m->buf, m->t, 0, key);

	if (v < 0)
		return -ENOENT;
	return bencode_str_copy(m->buf, &m->t[v], out, len);
}

bool ng_list_has(const struct ng_msg *m, const char *key, const char *word)
{
	return bencode_list_find(m->buf, m->t, bencode_dict_get(m->buf, m->t, 0, key), word) >= 0;
}

bool ng_has_flag(const struct ng_msg *m, const char *flag)
{
	return ng_list_has(m, "flags", flag);
}

int ng_cmd_ping(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	(void)n;
	(void)m;
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "pong");
	bencode_w_end(w);
	return 0;
}

/* Past the keys logged one by one, a count at most this often. */
#define NG_UNLOGGED_NS (60 * NSEC_PER_SEC)

/*
 * Keys rtd reads, and keys a proxy sends that rtd takes without acting on
 * them, with what the operator should know.  Anything else is unknown.
 */
static const char *const ng_keys_read[] = {
	"command", "call-id", "from-tag", "to-tag", "sdp", "flags", "replace", "ICE",
	"direction", "rtcp-mux", "limit", "address-family", "media-address", "all", "SDES", "DTLS",
	"DTLS-reverse", "transport-protocol", NULL,
};
static const struct {
	const char *key, *why;
} ng_keys_unused[] = {
	{ "DTLS-fingerprint", "rtd's a=fingerprint is always SHA-256" },
	{ "record-call", "rtd does not record" },
	{ "received-from", "the SDP's addresses are used, then the latched peer" },
	{ "supports", NULL }, { "via-branch", NULL }, { "label", NULL }, { "metadata", NULL },
	{ "code", NULL },
};

/*
 * A key rtd does not act on is logged once, and only the first NG_IGNORED
 * of them one by one: a datagram full of made-up keys must not fill the
 * journal.
 */
static void warn_ignored(struct ng *n, const char *buf, const struct bencode_tok *k)
{
	uint64_t now;
	char key[32];

	for (int i = 0; ng_keys_read[i]; i++)
		if (bencode_key_is(buf, k, ng_keys_read[i]))
			return;
	for (size_t i = 0; i < sizeof(ng_keys_unused) / sizeof(ng_keys_unused[0]); i++) {
		if (!bencode_key_is(buf, k, ng_keys_unused[i].key))
			continue;
		/* One bit each: junk keys filling the table cannot silence these. */
		if (ng_keys_unused[i].why && !(n->unused_logged & (1u << i))) {
			n->unused_logged |= 1u << i;
			log_info("ng", "key '%s' taken but not acted on: %s", ng_keys_unused[i].key,
				 ng_keys_unused[i].why);
		}
		return;
	}
	if (bencode_str_copy(buf, k, key, sizeof(key)))
		snprintf(key, sizeof(key), "(long key)");
	for (unsigned i = 0; i < n->nignored; i++)
		if (!strcmp(n->ignored[i], key))
			return;
	if (n->nignored < NG_IGNORED) {
		snprintf(n->ignored[n->nignored++], sizeof(n->ignored[0]), "%s", key);
		log_info("ng", "ignoring unknown key '%s'", key);
		return;
	}
	n->unlogged++;
	now = clock_ns();
	if (n->unlogged_ns && now - n->unlogged_ns < NG_UNLOGGED_NS)
		return;
	n->unlogged_ns = now;
	log_info("ng", "%" PRIu64 " more unknown keys ignored, not logged one by one", n->unlogged);
	n->unlogged = 0;
}

/* The call a command names; NULL with the error reply written. */
static struct call *named_call(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	char id[128];
	struct call *call;

	if (ng_get_str(m, "call-id", id, sizeof(id))) {
		ng_reply_error(n, w, "No call-id in message");
		return NULL;
	}
	call = calls_find(&n->calls, id);
	if (!call)
		ng_reply_error(n, w, "Unknown call-id");
	return call;
}

/* The command named by t[c], or -1. */
static int command_of(const char *buf, const struct bencode_tok *t)
{
	for (int i = 0; i < NG_NCMDS; i++)
		if (bencode_str_is(buf, t, ng_cmd_names[i]))
			return i;
	return -1;
}

static int handle(struct ng *n, const char *buf, size_t len, struct bencode_w *w)
{
	struct ng_msg m = { .buf = buf, .t = n->toks };
	int ntok = bencode_parse(buf, len, n->toks, NG_MAX_TOKS), c, id, ret;
	uint64_t t0 = clock_ns(), errors, refused;

	if (ntok < 0 || m.t[0].type != BENCODE_DICT)
		return ng_reply_error(n, w, "Could not decode dictionary");
	c = bencode_dict_get(buf, m.t, 0, "command");
	if (c < 0 || m.t[c].type != BENCODE_STR)
		return ng_reply_error(n, w, "No command in message");
	for (unsigned i = 1, k = 0; k < m.t[0].size; k += 2, i = m.t[m.t[i].end].end)
		warn_ignored(n, buf, &m.t[i]);
	n->cmds++;
	id = command_of(buf, &m.t[c]);
	if (id < 0)
		return ng_reply_error(n, w, "Unrecognized command");
	if (commands[id].flags & NG_NEEDS_CALL) {
		m.call = named_call(n, &m, w);
		if (!m.call)
			return 0;
	}
	errors = n->errors;
	refused = n->refused;
	ret = commands[id].fn(n, &m, w);
	n->cmd_errors[id] += n->errors != errors;
	n->cmd_refused[id] += n->refused != refused;
	if (n->current) {
		n->current->count[id]++;
		n->current->ns[id] += clock_ns() - t0;
	}
	return ret;
}

/* The sender's counters: the first NG_PROXIES senders each, later ones share the last. */
static struct ng_proxy *proxy_of(struct ng *n, const struct sockaddr_storage *ss)
{
	struct in6_addr a = { 0 };

	if (ss->ss_family == AF_INET) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	}
	for (unsigned i = 0; i < n->nproxies; i++)
		if (!memcmp(&n->proxy[i].addr, &a, sizeof(a)))
			return &n->proxy[i];
	if (n->nproxies == NG_PROXIES)
		return &n->proxy[NG_PROXIES - 1];
	n->proxy[n->nproxies].addr = a;
	return &n->proxy[n->nproxies++];
}

/* A retransmission gets the same answer, not a second offer. */
static int cached(struct ng *n, const char *cookie, size_t clen, char *out, size_t outlen)
{
	for (unsigned i = 0; i < NG_CACHE; i++) {
		const struct ng_cached *c = &n->cache[i];

		if (c->len && c->clen == clen && !memcmp(c->cookie, cookie, clen)) {
			if (c->len > outlen)
				return 0;
			memcpy(out, c->reply, c->len);
			return (int)c->len;
		}
	}
	return -ENOENT;
}

static void cache_put(struct ng *n, const char *cookie, size_t clen, const char *reply,
		      size_t len)
{
	struct ng_cached *c;

	if (len > sizeof(c->reply))
		return;
	c = &n->cache[n->cache_next++ % NG_CACHE];
	memcpy(c->cookie, cookie, clen);
	c->clen = clen;
	memcpy(c->reply, reply, len);
	c->len = len;
}

/* The bencoded reply to a bencoded body, into out[0..cap): its length or -ENOSPC. */
static int reply_to(struct ng *n, const char *body, size_t len, char *out, size_t cap,
		    const char *refused)
{
	struct bencode_w w;
	int r;

	bencode_w_init(&w, out, cap);
	if (refused)
		ng_reply_error(n, &w, refused);
	else
		handle(n, body, len, &w);
	r = bencode_w_finish(&w);
	if (r >= 0)
		return r;
	bencode_w_init(&w, out, cap);
	ng_reply_error(n, &w, "Reply too large");
	return bencode_w_finish(&w);
}

/*
 * A JSON body (its first byte '{', as rtpengine decides) is served as the
 * bencode it converts to, and answered in JSON; a body that is not JSON
 * gets rtpengine's words for it.
 */
static int reply_json(struct ng *n, const char *body, size_t len, char *out, size_t cap)
{
	static const char too_large[] = "{\"result\":\"error\",\"error-reason\":\"Reply too large\"}";
	int in = ng_json_to_bencode(body, len, n->json_in, sizeof(n->json_in));
	int r = reply_to(n, n->json_in, in < 0 ? 0 : (size_t)in, n->json_reply,
			 sizeof(n->json_reply),
			 in == -EBADMSG ? "Failed to parse JSON document"
			 : in < 0	? "Message too large"
				        : NULL);

	if (r >= 0)
		r = ng_json_from_bencode(n->json_reply, r, out, cap);
	if (r >= 0)
		return r;
	if (cap < sizeof(too_large) - 1)
		return -ENOSPC;
	memcpy(out, too_large, sizeof(too_large) - 1);
	return sizeof(too_large) - 1;
}

int ng_command(struct ng *n, const char *msg, size_t len, const struct sockaddr_storage *from,
	       char *out, size_t outlen)
{
	const char *sp = memchr(msg, ' ', len);
	size_t clen = sp ? (size_t)(sp - msg) : 0, blen = len - clen - 1;
	int n_out;

	if (!allow_match(&n->conf->ng_allow, from))
		return 0; /* not even an error reply: unknown senders learn nothing */
	n->current = proxy_of(n, from);
	if (!sp || !clen || clen >= sizeof(n->cache[0].cookie) || clen + 1 > outlen)
		return 0; /* no cookie: nothing a reply could be matched to */
	n_out = cached(n, msg, clen, out, outlen);
	if (n_out >= 0)
		return n_out;
	memcpy(out, msg, clen + 1);
	if (blen && sp[1] == '{')
		n_out = reply_json(n, sp + 1, blen, out + clen + 1, outlen - clen - 1);
	else
		n_out = reply_to(n, sp + 1, blen, out + clen + 1, outlen - clen - 1, NULL);
	if (n_out < 0)
		return 0;
	n_out += clen + 1;
	cache_put(n, msg, clen, out, n_out);
	return n_out;
}

unsigned ng_expire(struct ng *n, uint64_t now)
{
	return calls_expire(&n->calls, now, n->conf->media_timeout);
}

struct ng *ng_new(struct relay *r, const struct rtd_app_env *env)
{
	const struct relay_conf *conf = env->conf;
	struct ng *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->conf = conf;
	n->start_ns = clock_ns();
	pthread_mutex_init(&n->lock, NULL);
	calls_init(&n->calls, r, env);
	return n;
}

void ng_free(struct ng *n)
{
	if (!n)
		return;
	rdtls_identity_free(n->dtls_id);
	sec_gc(n->calls.relay);
	free(n);
}
