// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng control server: rtpengine's protocol ("<cookie> <bencoded dict>"
 * over UDP) on its own non-RT thread with an io_uring event loop, so that a
 * SIP server such as Kamailio drives rtd's relay exactly as it drives
 * rtpengine.  Calls and ports live here; the RT thread only sees stream
 * commands through an SPSC ring, and this thread only reads its counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtd/apps/relay.h"
#include "rtd/bencode.h"
#include "rtd/ctl.h"
#include "rtd/log.h"
#include "rtd/portset.h"
#include "rtd/sdp.h"

#define NG_MAX_CALLS 4096
#define NG_LIST_DEFAULT 32
#define NG_MAX_MEDIA 4
#define NG_MAX_MSG 65536
#define NG_CACHE 64
#define NG_MAX_ALLOW 16
#define NG_MAX_TOKS 1024
#define NG_MAX_SOCKS 4

struct ng_media {
	uint16_t port[2];   /* local RTP port per leg: [0] for the offerer, [1] the answerer */
	uint16_t sidx[2][2]; /* stream index per leg, [RTP, RTCP] */
};

struct ng_call {
	bool used;
	bool answered;
	unsigned nmedia;
	uint64_t created_ns;
	char call_id[128];
	char tag[2][64];
	struct ng_media media[NG_MAX_MEDIA];
};

struct ng_prefix {
	int family;
	struct in6_addr addr;
	unsigned len;
};

struct ng_cached {
	char cookie[64];
	size_t len;
	char reply[2048];
};

struct ng {
	struct relay *relay;
	const struct rtd_app_env *env;
	int fds[NG_MAX_SOCKS];
	unsigned nfds;
	int fd; /* the socket the message being served came in on */
	struct io_uring ring;
	pthread_t thread;
	pthread_mutex_t lock; /* calls, against the control thread's rtctl calls */
	bool stop;
	struct portset free_ports; /* even ports whose pair is free */
	uint16_t free_idx[RELAY_MAX_STREAMS];
	unsigned nfree_idx;
	struct ng_call calls[NG_MAX_CALLS];
	unsigned ncalls;
	uint64_t total_calls, refused, cmds, errors;
	struct ng_prefix allow[NG_MAX_ALLOW];
	unsigned nallow;
	struct ng_cached cache[NG_CACHE];
	unsigned cache_next;
	char ignored[16][32]; /* keys warned about once */
	unsigned nignored;
	/* One outstanding receive per socket. */
	struct {
		char buf[NG_MAX_MSG];
		struct sockaddr_storage from;
		struct iovec iov;
		struct msghdr msg;
	} in[NG_MAX_SOCKS];
	char *rx;
	struct sockaddr_storage from;
	char tx[NG_MAX_MSG];
	char sdp_out[NG_MAX_MSG / 2];
	struct bencode_tok toks[NG_MAX_TOKS];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * How long ago then was, seen at now.  The RT thread stamps packets from the
 * XDP hook's clock while this thread reads its own: a stamp may be newer
 * than a now read a moment before, and unsigned, that difference would wrap
 * to centuries and end a live call.
 */
static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* ---- configuration ---- */

static int parse_prefixes(struct ng *n, const char *list)
{
	char buf[256], *save = NULL, *item;

	snprintf(buf, sizeof(buf), "%s", list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct ng_prefix *p = &n->allow[n->nallow];
		char *slash = strchr(item, '/');

		if (n->nallow == NG_MAX_ALLOW)
			return -E2BIG;
		if (slash)
			*slash++ = 0;
		memset(p, 0, sizeof(*p));
		if (inet_pton(AF_INET, item, &p->addr.s6_addr[12]) == 1) {
			p->family = AF_INET;
			p->addr.s6_addr[10] = p->addr.s6_addr[11] = 0xff;
			p->len = slash ? 96 + atoi(slash) : 128;
		} else if (inet_pton(AF_INET6, item, &p->addr) == 1) {
			p->family = AF_INET6;
			p->len = slash ? (unsigned)atoi(slash) : 128;
		} else {
			log_err("ng", "--ng-allow: '%s' is not an address prefix", item);
			return -EINVAL;
		}
		if (p->len > 128)
			return -EINVAL;
		n->nallow++;
	}
	return 0;
}

static bool allowed(const struct ng *n, const struct sockaddr_storage *ss)
{
	struct in6_addr a = { 0 };

	if (ss->ss_family == AF_INET) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		a = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	}
	for (unsigned i = 0; i < n->nallow; i++) {
		unsigned bits = n->allow[i].len, bytes = bits / 8, rem = bits % 8;

		if (memcmp(&a, &n->allow[i].addr, bytes))
			continue;
		if (rem && (a.s6_addr[bytes] ^ n->allow[i].addr.s6_addr[bytes]) & (0xff << (8 - rem)))
			continue;
		return true;
	}
	return false;
}

static int open_socket(const char *listen_on)
{
	char host[64];
	const char *colon = strrchr(listen_on, ':');
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, port;

	if (!colon || colon == listen_on || (port = atoi(colon + 1)) <= 0 || port > 65535)
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen_on), listen_on);
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (void *)&ss;

		host[strlen(host) - 1] = 0;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -EINVAL;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* ---- calls, ports, streams ---- */

static struct ng_call *find_call(struct ng *n, const char *id)
{
	for (unsigned i = 0; i < NG_MAX_CALLS; i++)
		if (n->calls[i].used && !strcmp(n->calls[i].call_id, id))
			return &n->calls[i];
	return NULL;
}

static int alloc_pair(struct ng *n)
{
	int p = portset_next(&n->free_ports, 1);

	if (p < 0)
		return -ENOSPC;
	portset_del(&n->free_ports, p);
	return p;
}

static void post(struct ng *n, const struct rcmd *c)
{
	/* The RT thread drains every round; a full ring means it is gone. */
	for (int tries = 0; ring_push(&n->relay->cmds, c) && tries < 1000; tries++)
		usleep(100);
}

static void streams_add(struct ng *n, struct ng_media *m, bool strict)
{
	for (int leg = 0; leg < 2; leg++)
		for (int k = 0; k < 2; k++)
			m->sidx[leg][k] = n->free_idx[--n->nfree_idx];
	for (int leg = 0; leg < 2; leg++) {
		for (int k = 0; k < 2; k++) {
			struct rcmd c = { .op = RCMD_ADD, .strict = strict, .rtcp = k == 1,
					  .idx = m->sidx[leg][k], .port = m->port[leg] + k,
					  .other = m->sidx[!leg][k] };

			post(n, &c);
			n->env->steer(n->env->ctx, m->port[leg] + k, true);
		}
	}
}

static void streams_peer(struct ng *n, struct ng_media *m, int leg, int family,
			 const struct in6_addr *a, uint16_t rtp, uint16_t rtcp)
{
	for (int k = 0; k < 2; k++) {
		struct rcmd c = { .op = RCMD_PEER, .idx = m->sidx[leg][k], .other = m->sidx[!leg][k] };

		c.peer.family = family;
		c.peer.addr = *a;
		c.peer.port = k ? rtcp : rtp;
		post(n, &c);
	}
}

static void call_free(struct ng *n, struct ng_call *call)
{
	for (unsigned i = 0; i < call->nmedia; i++) {
		struct ng_media *m = &call->media[i];

		for (int leg = 0; leg < 2; leg++) {
			for (int k = 0; k < 2; k++) {
				struct rcmd c = { .op = RCMD_DEL, .idx = m->sidx[leg][k],
						  .port = m->port[leg] + k };

				n->env->steer(n->env->ctx, m->port[leg] + k, false);
				post(n, &c);
				n->free_idx[n->nfree_idx++] = m->sidx[leg][k];
			}
			portset_add(&n->free_ports, m->port[leg]);
		}
	}
	call->used = false;
	n->ncalls--;
}

/* ---- replies ---- */

static int reply_error(struct ng *n, struct bencode_w *w, const char *why)
{
	n->errors++;
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "error");
	bencode_w_kv_str(w, "error-reason", why);
	bencode_w_end(w);
	return 0;
}

static void warn_ignored(struct ng *n, const char *buf, const struct bencode_tok *k)
{
	static const char *const known[] = {
		"command", "call-id", "from-tag", "to-tag", "sdp", "flags", "replace", "ICE",
		"direction", "received-from", "transport-protocol", "supports", "rtcp-mux",
		"via-branch", "label", "SDES", "DTLS", "record-call", "metadata", "limit", NULL,
	};
	char key[32];

	for (int i = 0; known[i]; i++)
		if (bencode_key_is(buf, k, known[i]))
			return;
	if (bencode_str_copy(buf, k, key, sizeof(key)))
		snprintf(key, sizeof(key), "(long key)");
	for (unsigned i = 0; i < n->nignored; i++)
		if (!strcmp(n->ignored[i], key))
			return;
	if (n->nignored < 16)
		snprintf(n->ignored[n->nignored++], sizeof(n->ignored[0]), "%s", key);
	log_info("ng", "ignoring key '%s' (not meaningful for plain RTP/AVP here)", key);
}

static bool has_flag(const char *buf, const struct bencode_tok *t, int dict, const char *flag)
{
	int l = bencode_dict_get(buf, t, dict, "flags");

	if (l < 0 || t[l].type != BENCODE_LIST)
		return false;
	for (unsigned i = l + 1, k = 0; k < t[l].size; k++, i = t[i].end)
		if (bencode_key_is(buf, &t[i], flag))
			return true;
	return false;
}

static int get_str(const char *buf, const struct bencode_tok *t, int dict, const char *key,
		   char *out, size_t len)
{
	int v = bencode_dict_get(buf, t, dict, key);

	if (v < 0)
		return -ENOENT;
	return bencode_str_copy(buf, &t[v], out, len);
}

/* offer (leg 0 speaks) or answer (leg 1 speaks) */
static int do_sdp(struct ng *n, const char *buf, const struct bencode_tok *t,
		  struct bencode_w *w, bool offer)
{
	char id[128], tag[64] = "", err[128];
	struct sdp_session sdp;
	struct sdp_rewrite rw = { 0 };
	struct ng_call *call;
	int v = bencode_dict_get(buf, t, 0, "sdp"), leg = offer ? 0 : 1, len;
	bool fresh = false;

	if (get_str(buf, t, 0, "call-id", id, sizeof(id)))
		return reply_error(n, w, "No call-id in message");
	if (v < 0 || t[v].type != BENCODE_STR)
		return reply_error(n, w, "No SDP body in message");
	get_str(buf, t, 0, offer ? "from-tag" : "to-tag", tag, sizeof(tag));
	if (sdp_parse(buf + t[v].start, t[v].len, &sdp, err, sizeof(err)))
		return reply_error(n, w, err);
	if (sdp.nmedia > NG_MAX_MEDIA)
		return reply_error(n, w, "Too many media sections");
	{
		int tp = bencode_dict_get(buf, t, 0, "transport-protocol");

		if (tp >= 0 && !bencode_str_is(buf, &t[tp], "RTP/AVP") &&
		    !bencode_str_is(buf, &t[tp], "RTP/AVPF"))
			log_info("ng", "transport-protocol other than RTP/AVP is relayed as is");
	}
	call = find_call(n, id);
	if (!offer && !call)
		return reply_error(n, w, "Unknown call-id");
	if (!call) {
		if (n->ncalls == NG_MAX_CALLS || n->nfree_idx < sdp.nmedia * 4u) {
			n->refused++;
			bencode_w_dict(w);
			bencode_w_kv_str(w, "result", "load limit");
			bencode_w_end(w);
			return 0;
		}
		for (unsigned i = 0; i < NG_MAX_CALLS; i++) {
			if (!n->calls[i].used) {
				call = &n->calls[i];
				break;
			}
		}
		memset(call, 0, sizeof(*call));
		snprintf(call->call_id, sizeof(call->call_id), "%s", id);
		call->created_ns = mono_ns();
		fresh = true;
	}
	if (fresh || call->nmedia < sdp.nmedia) {
		bool strict = has_flag(buf, t, 0, "strict-source");

		for (unsigned i = call->nmedia; i < sdp.nmedia; i++) {
			int a = alloc_pair(n), b = a < 0 ? a : alloc_pair(n);

			if (a < 0 || b < 0) {
				if (a >= 0)
					portset_add(&n->free_ports, a);
				if (fresh && i == 0) {
					n->refused++;
					bencode_w_dict(w);
					bencode_w_kv_str(w, "result", "load limit");
					bencode_w_end(w);
					return 0;
				}
				call->used = true;
				n->ncalls += fresh;
				return reply_error(n, w, "Out of relay ports");
			}
			call->media[i].port[0] = a;
			call->media[i].port[1] = b;
			streams_add(n, &call->media[i], strict);
			call->nmedia = i + 1;
		}
	}
	if (fresh) {
		call->used = true;
		n->ncalls++;
		n->total_calls++;
	}
	if (tag[0])
		snprintf(call->tag[leg], sizeof(call->tag[leg]), "%s", tag);
	if (!offer)
		call->answered = true;

	/* The speaker's media goes to its own leg; the other side sends to the
	 * ports of the opposite leg, which the rewritten SDP advertises. */
	rw.family = AF_INET;
	for (unsigned i = 0; i < sdp.nmedia; i++) {
		int fam;
		struct in6_addr a;

		sdp_media_addr(&sdp, i, &fam, &a);
		if (i == 0)
			rw.family = fam;
		if (sdp.media[i].port)
			streams_peer(n, &call->media[i], leg, fam, &a, sdp.media[i].port,
				     sdp.media[i].rtcp_mux ? sdp.media[i].port : sdp.media[i].rtcp_port);
		rw.port[i] = call->media[i].port[!leg];
	}
	if (n->env->local_addr(n->env->ctx, rw.family, &rw.addr))
		return reply_error(n, w, "No local address of the SDP's family");
	{
		int ice = bencode_dict_get(buf, t, 0, "ICE");

		rw.remove_ice = ice >= 0 && bencode_str_is(buf, &t[ice], "remove");
	}
	len = sdp_rewrite(buf + t[v].start, t[v].len, &sdp, &rw, n->sdp_out, sizeof(n->sdp_out));
	if (len < 0)
		return reply_error(n, w, "Rewritten SDP too large");
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_cstr(w, "sdp");
	bencode_w_str(w, n->sdp_out, len);
	bencode_w_end(w);
	return 0;
}

static void stream_stats(struct ng *n, struct bencode_w *w, uint16_t idx)
{
	const struct rstream *s = &n->relay->streams[idx];
	char addr[INET6_ADDRSTRLEN] = "";
	uint64_t last = __atomic_load_n(&s->last_ns, __ATOMIC_RELAXED);
	uint16_t port = __atomic_load_n(&s->peer.port, __ATOMIC_ACQUIRE);

	if (s->peer.family)
		inet_ntop(s->peer.family,
			  s->peer.family == AF_INET ? (const void *)&s->peer.addr.s6_addr[12]
						    : (const void *)&s->peer.addr,
			  addr, sizeof(addr));
	bencode_w_dict(w);
	bencode_w_kv_int(w, "local port", s->port);
	bencode_w_cstr(w, "endpoint");
	bencode_w_dict(w);
	bencode_w_kv_str(w, "address", addr);
	bencode_w_kv_int(w, "port", port);
	bencode_w_end(w);
	bencode_w_kv_int(w, "latched", s->latched);
	bencode_w_cstr(w, "stats");
	bencode_w_dict(w);
	bencode_w_kv_int(w, "packets", __atomic_load_n(&s->packets, __ATOMIC_RELAXED));
	bencode_w_kv_int(w, "bytes", __atomic_load_n(&s->bytes, __ATOMIC_RELAXED));
	bencode_w_kv_int(w, "forwarded", __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED));
	bencode_w_kv_int(w, "dropped", __atomic_load_n(&s->dropped, __ATOMIC_RELAXED));
	bencode_w_kv_int(w, "lost", __atomic_load_n(&s->lost, __ATOMIC_RELAXED));
	/* RFC 3550 jitter, in timestamp units x16 at 8 kHz -> microseconds. */
	bencode_w_kv_int(w, "jitter-us",
			 (int64_t)__atomic_load_n(&s->jitter_q4, __ATOMIC_RELAXED) * 1000000 / 16 /
				 8000);
	bencode_w_kv_int(w, "last-packet-ms-ago", last ? (int64_t)(since(mono_ns(), last) / 1000000) : -1);
	bencode_w_end(w);
	bencode_w_end(w);
}

/* The call a command names; NULL with the error reply written. */
static struct ng_call *named_call(struct ng *n, const char *buf, const struct bencode_tok *t,
				  struct bencode_w *w)
{
	char id[128];
	struct ng_call *call;

	if (get_str(buf, t, 0, "call-id", id, sizeof(id))) {
		reply_error(n, w, "No call-id in message");
		return NULL;
	}
	call = find_call(n, id);
	if (!call)
		reply_error(n, w, "Unknown call-id");
	return call;
}

static int do_query(struct ng *n, const char *buf, const struct bencode_tok *t, struct bencode_w *w)
{
	struct ng_call *call = named_call(n, buf, t, w);

	if (!call)
		return 0;
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_kv_int(w, "created", (int64_t)((mono_ns() - call->created_ns) / 1000000000));
	bencode_w_cstr(w, "tags");
	bencode_w_dict(w);
	for (int leg = 0; leg < 2; leg++) {
		bencode_w_cstr(w, call->tag[leg][0] ? call->tag[leg] : leg ? "(answerer)" : "(offerer)");
		bencode_w_dict(w);
		bencode_w_cstr(w, "medias");
		bencode_w_list(w);
		for (unsigned i = 0; i < call->nmedia; i++) {
			bencode_w_dict(w);
			bencode_w_cstr(w, "streams");
			bencode_w_list(w);
			stream_stats(n, w, call->media[i].sidx[leg][0]);
			stream_stats(n, w, call->media[i].sidx[leg][1]);
			bencode_w_end(w);
			bencode_w_end(w);
		}
		bencode_w_end(w);
		bencode_w_end(w);
	}
	bencode_w_end(w);
	bencode_w_end(w);
	return 0;
}

static int handle(struct ng *n, const char *buf, size_t len, struct bencode_w *w)
{
	const struct bencode_tok *t = n->toks;
	int ntok = bencode_parse(buf, len, n->toks, NG_MAX_TOKS), c;

	if (ntok < 0 || t[0].type != BENCODE_DICT)
		return reply_error(n, w, "Could not decode dictionary");
	c = bencode_dict_get(buf, t, 0, "command");
	if (c < 0 || t[c].type != BENCODE_STR)
		return reply_error(n, w, "No command in message");
	for (unsigned i = 1, k = 0; k < t[0].size; k += 2, i = t[t[i].end].end)
		warn_ignored(n, buf, &t[i]);
	n->cmds++;
	if (bencode_str_is(buf, &t[c], "ping")) {
		bencode_w_dict(w);
		bencode_w_kv_str(w, "result", "pong");
		bencode_w_end(w);
		return 0;
	}
	if (bencode_str_is(buf, &t[c], "offer"))
		return do_sdp(n, buf, t, w, true);
	if (bencode_str_is(buf, &t[c], "answer"))
		return do_sdp(n, buf, t, w, false);
	if (bencode_str_is(buf, &t[c], "delete")) {
		struct ng_call *call = named_call(n, buf, t, w);

		if (!call)
			return 0;
		call_free(n, call);
		bencode_w_dict(w);
		bencode_w_kv_str(w, "result", "ok");
		bencode_w_end(w);
		return 0;
	}
	if (bencode_str_is(buf, &t[c], "query"))
		return do_query(n, buf, t, w);
	if (bencode_str_is(buf, &t[c], "list")) {
		/* As rtpengine: 32 call-ids unless "limit" asks for more, so a
		 * full table never makes a reply too large by default. */
		int lim = bencode_dict_get(buf, t, 0, "limit");
		int64_t left = NG_LIST_DEFAULT;

		if (lim >= 0) {
			if (t[lim].type != BENCODE_INT || t[lim].ival < 0)
				return reply_error(n, w, "Invalid 'limit' key");
			left = t[lim].ival;
		}
		bencode_w_dict(w);
		bencode_w_kv_str(w, "result", "ok");
		bencode_w_cstr(w, "calls");
		bencode_w_list(w);
		for (unsigned i = 0; i < NG_MAX_CALLS && left > 0; i++)
			if (n->calls[i].used) {
				bencode_w_cstr(w, n->calls[i].call_id);
				left--;
			}
		bencode_w_end(w);
		bencode_w_end(w);
		return 0;
	}
	if (bencode_str_is(buf, &t[c], "statistics")) {
		bencode_w_dict(w);
		bencode_w_kv_str(w, "result", "ok");
		bencode_w_cstr(w, "statistics");
		bencode_w_dict(w);
		bencode_w_cstr(w, "currentstatistics");
		bencode_w_dict(w);
		bencode_w_kv_int(w, "sessionsown", n->ncalls);
		bencode_w_kv_int(w, "sessionstotal", n->ncalls);
		bencode_w_end(w);
		bencode_w_cstr(w, "totalstatistics");
		bencode_w_dict(w);
		bencode_w_kv_int(w, "totalsessions", n->total_calls);
		bencode_w_kv_int(w, "refused", n->refused);
		bencode_w_kv_int(w, "commands", n->cmds);
		bencode_w_kv_int(w, "errors", n->errors);
		bencode_w_end(w);
		bencode_w_end(w);
		bencode_w_end(w);
		return 0;
	}
	return reply_error(n, w, "Unrecognized command");
}

int ng_command(struct ng *n, const char *msg, size_t len, const struct sockaddr_storage *from,
	       char *out, size_t outlen)
{
	const char *sp = memchr(msg, ' ', len);
	size_t clen = sp ? (size_t)(sp - msg) : 0;
	struct bencode_w w;
	struct ng_cached *c;
	int n_out;

	if (!allowed(n, from))
		return 0; /* not even an error reply: unknown senders learn nothing */
	if (!sp || !clen || clen >= sizeof(c->cookie) || clen + 1 > outlen)
		return 0; /* no cookie: nothing a reply could be matched to */
	for (unsigned i = 0; i < NG_CACHE; i++) {
		c = &n->cache[i];
		if (c->len && strlen(c->cookie) == clen && !memcmp(c->cookie, msg, clen)) {
			/* A retransmission: the same answer, not a second offer. */
			if (c->len > outlen)
				return 0;
			memcpy(out, c->reply, c->len);
			return (int)c->len;
		}
	}
	memcpy(out, msg, clen + 1);
	bencode_w_init(&w, out + clen + 1, outlen - clen - 1);
	handle(n, sp + 1, len - clen - 1, &w);
	n_out = bencode_w_finish(&w);
	if (n_out < 0) {
		bencode_w_init(&w, out + clen + 1, outlen - clen - 1);
		reply_error(n, &w, "Reply too large");
		n_out = bencode_w_finish(&w);
		if (n_out < 0)
			return 0;
	}
	n_out += clen + 1;
	if ((size_t)n_out <= sizeof(c->reply)) {
		c = &n->cache[n->cache_next++ % NG_CACHE];
		memcpy(c->cookie, msg, clen);
		c->cookie[clen] = 0;
		memcpy(c->reply, out, n_out);
		c->len = n_out;
	}
	return n_out;
}

static void serve(struct ng *n, size_t len)
{
	socklen_t flen = n->from.ss_family == AF_INET ? sizeof(struct sockaddr_in)
						      : sizeof(struct sockaddr_in6);
	int out = ng_command(n, n->rx, len, &n->from, n->tx, sizeof(n->tx));

	if (out > 0)
		sendto(n->fd, n->tx, out, 0, (struct sockaddr *)&n->from, flen);
}

static void arm_recv(struct ng *n, unsigned i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&n->ring);

	n->in[i].iov = (struct iovec){ .iov_base = n->in[i].buf, .iov_len = NG_MAX_MSG };
	n->in[i].msg = (struct msghdr){ .msg_name = &n->in[i].from,
					.msg_namelen = sizeof(n->in[i].from),
					.msg_iov = &n->in[i].iov, .msg_iovlen = 1 };
	io_uring_prep_recvmsg(sqe, n->fds[i], &n->in[i].msg, 0);
	io_uring_sqe_set_data64(sqe, i);
	io_uring_submit(&n->ring);
}

unsigned ng_expire(struct ng *n, uint64_t now)
{
	uint64_t limit = n->env->media_timeout * 1000000000ull;
	unsigned ended = 0;

	for (unsigned i = 0; i < NG_MAX_CALLS; i++) {
		struct ng_call *call = &n->calls[i];
		uint64_t last = call->created_ns;

		if (!call->used)
			continue;
		for (unsigned m = 0; m < call->nmedia; m++)
			for (int leg = 0; leg < 2; leg++) {
				uint64_t l = __atomic_load_n(
					&n->relay->streams[call->media[m].sidx[leg][0]].last_ns,
					__ATOMIC_RELAXED);

				if (l > last)
					last = l;
			}
		if (since(now, last) > limit) {
			log_info("ng", "call '%s': no media for %u s, ended", call->call_id,
				 n->env->media_timeout);
			call_free(n, call);
			ended++;
		}
	}
	return ended;
}

static void *ng_main(void *arg)
{
	struct ng *n = arg;
	uint64_t last_scan = mono_ns();

	for (unsigned i = 0; i < n->nfds; i++)
		arm_recv(n, i);
	while (!__atomic_load_n(&n->stop, __ATOMIC_RELAXED)) {
		struct __kernel_timespec ts = { .tv_nsec = 200000000 };
		struct io_uring_cqe *cqe;

		if (!io_uring_wait_cqe_timeout(&n->ring, &cqe, &ts)) {
			int res = cqe->res;
			unsigned i = (unsigned)io_uring_cqe_get_data64(cqe);

			io_uring_cqe_seen(&n->ring, cqe);
			if (res > 0 && i < n->nfds) {
				pthread_mutex_lock(&n->lock);
				n->fd = n->fds[i];
				n->rx = n->in[i].buf;
				n->from = n->in[i].from;
				serve(n, res);
				pthread_mutex_unlock(&n->lock);
			}
			if (i < n->nfds)
				arm_recv(n, i);
		}
		if (mono_ns() - last_scan > 1000000000ull) {
			last_scan = mono_ns();
			pthread_mutex_lock(&n->lock);
			ng_expire(n, mono_ns());
			pthread_mutex_unlock(&n->lock);
		}
	}
	return NULL;
}

struct ng *ng_new(struct relay *r, const struct rtd_app_env *env)
{
	struct ng *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->relay = r;
	n->env = env;
	pthread_mutex_init(&n->lock, NULL);
	/* Claimed at start, steered one call at a time. */
	for (int p = portset_next(env->ports, 1); p >= 0; p = portset_next(env->ports, p + 1)) {
		env->steer(env->ctx, p, false);
		if (!(p & 1) && p < 65535 && portset_has(env->ports, p + 1))
			portset_add(&n->free_ports, p);
	}
	for (unsigned i = 0; i < RELAY_MAX_STREAMS; i++)
		n->free_idx[n->nfree_idx++] = RELAY_MAX_STREAMS - 1 - i;
	if (parse_prefixes(n, env->ng_allow)) {
		free(n);
		return NULL;
	}
	return n;
}

void ng_free(struct ng *n)
{
	free(n);
}

int ng_start(struct relay *r, const struct rtd_app_env *env)
{
	struct ng *n = ng_new(r, env);
	int err;

	if (!n)
		return -EINVAL;
	{
		char list[128], *save = NULL;

		snprintf(list, sizeof(list), "%s", env->ng_listen);
		for (char *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
			int fd = n->nfds < NG_MAX_SOCKS ? open_socket(a) : -E2BIG;

			if (fd < 0) {
				err = fd;
				log_err("ng", "--ng-listen %s: %s", a, strerror(-err));
				goto err_fd;
			}
			n->fds[n->nfds++] = fd;
		}
	}
	err = io_uring_queue_init(2 * NG_MAX_SOCKS, &n->ring, 0);
	if (err) {
		log_err("ng", "io_uring: %s", strerror(-err));
		goto err_fd;
	}
	err = pthread_create(&n->thread, NULL, ng_main, n);
	if (err) {
		err = -err;
		goto err_ring;
	}
	pthread_setname_np(n->thread, "rtd-ng");
	r->ng = n;
	log_info("ng", "listening on %s for %u port pairs", env->ng_listen,
		 portset_count(&n->free_ports));
	return 0;

err_ring:
	io_uring_queue_exit(&n->ring);
err_fd:
	while (n->nfds)
		close(n->fds[--n->nfds]);
	ng_free(n);
	return err;
}

int ng_calls(struct relay *r, struct rtd_ctl_call *out, unsigned max)
{
	struct ng *n = r->ng;
	uint64_t now = mono_ns();
	unsigned cnt = 0;

	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < NG_MAX_CALLS; i++) {
		const struct ng_call *call = &n->calls[i];

		if (!call->used)
			continue;
		for (unsigned m = 0; m < call->nmedia; m++) {
			for (int leg = 0; leg < 2 && cnt < max; leg++) {
				const struct rstream *s = &r->streams[call->media[m].sidx[leg][0]];
				struct rtd_ctl_call *c = &out[cnt++];
				uint64_t last = __atomic_load_n(&s->last_ns, __ATOMIC_RELAXED);

				memset(c, 0, sizeof(*c));
				snprintf(c->call_id, sizeof(c->call_id), "%s", call->call_id);
				snprintf(c->tag, sizeof(c->tag), "%s", call->tag[leg]);
				c->leg = leg;
				c->media = m;
				c->local_port = call->media[m].port[leg];
				c->peer_port = __atomic_load_n(&s->peer.port, __ATOMIC_ACQUIRE);
				c->family = s->peer.family;
				c->peer = s->peer.addr;
				c->latched = s->latched;
				c->age_s = since(now, call->created_ns) / 1000000000ull;
				c->packets = __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
				c->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
				c->forwarded = __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED);
				c->lost = __atomic_load_n(&s->lost, __ATOMIC_RELAXED);
				c->jitter_us = (uint64_t)__atomic_load_n(&s->jitter_q4, __ATOMIC_RELAXED) *
					       1000000 / 16 / 8000;
				c->last_ms = last ? (int32_t)(since(now, last) / 1000000) : -1;
			}
		}
	}
	pthread_mutex_unlock(&n->lock);
	return cnt;
}

void ng_stop(struct relay *r)
{
	struct ng *n = r->ng;

	if (!n)
		return;
	__atomic_store_n(&n->stop, true, __ATOMIC_RELAXED);
	pthread_join(n->thread, NULL);
	io_uring_queue_exit(&n->ring);
	while (n->nfds)
		close(n->fds[--n->nfds]);
	free(n);
	r->ng = NULL;
}
