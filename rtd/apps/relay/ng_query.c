// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * query, delete, list and statistics: the call table as rtpengine shows it,
 * key for key where a client reads them (Kamailio's $rtpstat reads a
 * query's totals), with rtd's own counters beside.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "apps/relay/agent.h"
#include "apps/relay/ng_cmd.h"
#include "apps/relay/sec.h"
#include "lib/addr.h"
#include "lib/clock.h"

#define NG_LIST_DEFAULT 32

/* A CLOCK_MONOTONIC time as Unix seconds. */
static int64_t wall_s(uint64_t mono)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec - (int64_t)(clock_since(clock_ns(), mono) / NSEC_PER_SEC);
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static void put_addr(struct bencode_w *w, const char *key, int family, const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	bencode_w_kv_str(w, key, addr_str(family, a, buf));
}

static void put_endpoint(struct bencode_w *w, const char *key, int family,
			 const struct in6_addr *a, uint16_t port)
{
	bencode_w_cstr(w, key);
	bencode_w_dict(w);
	bencode_w_kv_str(w, "family", family_name(family));
	put_addr(w, "address", family, a);
	bencode_w_kv_int(w, "port", port);
	bencode_w_end(w);
}

struct totals {
	uint64_t packets[2], bytes[2], errors[2]; /* RTP, RTCP */
};

/* One stream as rtpengine shows it: local, endpoint, advertised, stats. */
/* A stream rtd terminates DTLS on: its association, and why it failed if it did. */
static void put_dtls(struct ng *n, struct bencode_w *w, const struct call_side *side, int k)
{
	char state[160];

	if (side->sec.mode != CALL_SEC_DTLS)
		return;
	agent_dtls_info(n->calls.relay->agent, side->sidx[k], state, sizeof(state), NULL);
	if (state[0])
		bencode_w_kv_str(w, "DTLS", state);
}

static void put_stream(struct ng *n, struct bencode_w *w, const struct call_side *side, int k,
		       struct totals *tot)
{
	const struct rstream *s = &n->calls.relay->streams[side->sidx[k]];
	uint64_t last = __atomic_load_n(&s->last_ns, __ATOMIC_RELAXED);
	uint64_t pk = __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
	uint64_t by = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	uint64_t er = __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);

	tot->packets[k] += pk;
	tot->bytes[k] += by;
	tot->errors[k] += er;
	bencode_w_dict(w);
	bencode_w_kv_int(w, "local port", side->port + k);
	put_addr(w, "local address", s->local.family, &s->local.addr);
	bencode_w_kv_str(w, "family", family_name(s->local.family ? s->local.family : side->family));
	put_endpoint(w, "endpoint", s->peer.family, &s->peer.addr,
		     __atomic_load_n(&s->peer.port, __ATOMIC_ACQUIRE));
	put_endpoint(w, "advertised endpoint", side->family, &side->addr,
		     k && !side->mux ? side->rtcp : side->rtp);
	bencode_w_kv_int(w, "last packet", last ? wall_s(last) : 0);
	bencode_w_cstr(w, "flags");
	bencode_w_list(w);
	bencode_w_cstr(w, k ? "RTCP" : "RTP");
	if (side->family)
		bencode_w_cstr(w, "filled");
	if (s->latched)
		bencode_w_cstr(w, "confirmed");
	if (side->ice)
		bencode_w_cstr(w, "ICE");
	bencode_w_end(w);
	bencode_w_cstr(w, "stats");
	bencode_w_dict(w);
	bencode_w_kv_int(w, "packets", pk);
	bencode_w_kv_int(w, "bytes", by);
	bencode_w_kv_int(w, "errors", er);
	/* rtd's own, beside rtpengine's */
	bencode_w_kv_int(w, "forwarded", __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED));
	bencode_w_kv_int(w, "dropped", er);
	bencode_w_kv_int(w, "lost", __atomic_load_n(&s->lost, __ATOMIC_RELAXED));
	bencode_w_kv_int(w, "jitter-us", relay_jitter_us(s));
	bencode_w_kv_int(w, "last-packet-ms-ago",
			 last ? (int64_t)(clock_since(clock_ns(), last) / NSEC_PER_MSEC) : -1);
	bencode_w_kv_int(w, "srtp-failed", __atomic_load_n(&s->srtp_failed, __ATOMIC_RELAXED));
	bencode_w_end(w);
	put_dtls(n, w, side, k);
	bencode_w_end(w);
}

static void put_leg(struct ng *n, struct bencode_w *w, const struct call *call, int leg,
		    struct totals *tot)
{
	const char *tag = call->leg[leg].tag[0] ? call->leg[leg].tag : leg ? "(answerer)" : "(offerer)";

	bencode_w_cstr(w, tag);
	bencode_w_dict(w);
	bencode_w_kv_str(w, "tag", tag);
	bencode_w_kv_int(w, "created", call->created_us / 1000000);
	bencode_w_cstr(w, "medias");
	bencode_w_list(w);
	for (unsigned i = 0; i < call->nmedia; i++) {
		const struct call_media *m = &call->media[i];

		bencode_w_dict(w);
		bencode_w_kv_int(w, "index", i + 1);
		bencode_w_kv_str(w, "type", m->type);
		bencode_w_kv_str(w, "protocol",
				 m->leg[leg].sec.proto[0] ? m->leg[leg].sec.proto : m->proto);
		/* How rtd secures this leg's media: plain, end to end, a suite, DTLS. */
		bencode_w_kv_str(w, "crypto", sec_mode_name(&m->leg[leg].sec));
		bencode_w_cstr(w, "streams");
		bencode_w_list(w);
		put_stream(n, w, &m->leg[leg], 0, tot);
		put_stream(n, w, &m->leg[leg], 1, tot);
		bencode_w_end(w);
		bencode_w_cstr(w, "flags");
		bencode_w_list(w);
		bencode_w_cstr(w, "initialized");
		if (m->leg[leg].mux)
			bencode_w_cstr(w, "RTCP-mux");
		if (m->leg[leg].ice)
			bencode_w_cstr(w, "ICE");
		bencode_w_end(w);
		bencode_w_end(w);
	}
	bencode_w_end(w);
	bencode_w_end(w);
}

static void put_totals(struct bencode_w *w, const struct totals *tot)
{
	static const char *const kind[] = { "RTP", "RTCP" };

	bencode_w_cstr(w, "totals");
	bencode_w_dict(w);
	for (int k = 0; k < 2; k++) {
		bencode_w_cstr(w, kind[k]);
		bencode_w_dict(w);
		bencode_w_kv_int(w, "packets", tot->packets[k]);
		bencode_w_kv_int(w, "bytes", tot->bytes[k]);
		bencode_w_kv_int(w, "errors", tot->errors[k]);
		bencode_w_end(w);
	}
	bencode_w_end(w);
}

/* A call's stats, the body of query's and delete's replies. */
static void put_call(struct ng *n, struct bencode_w *w, const struct call *call)
{
	struct totals tot = { 0 };

	bencode_w_kv_int(w, "created", call->created_us / 1000000);
	bencode_w_kv_int(w, "created_us", call->created_us % 1000000);
	bencode_w_kv_int(w, "last signal", wall_s(call->signal_ns));
	bencode_w_cstr(w, "tags");
	bencode_w_dict(w);
	put_leg(n, w, call, 0, &tot);
	put_leg(n, w, call, 1, &tot);
	bencode_w_end(w);
	put_totals(w, &tot);
}

int ng_cmd_query(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	bencode_w_dict(w);
	put_call(n, w, m->call);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_end(w);
	return 0;
}

int ng_cmd_delete(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	char id[128];
	struct call *call;

	if (ng_get_str(m, "call-id", id, sizeof(id)))
		return ng_reply_error(n, w, "No call-id in message");
	call = calls_find(&n->calls, id);
	bencode_w_dict(w);
	/* As rtpengine: a call that is gone already is no error to the proxy. */
	if (!call) {
		bencode_w_kv_str(w, "warning", "Call-ID not found or tags didn't match");
		bencode_w_kv_str(w, "result", "ok");
		bencode_w_end(w);
		return 0;
	}
	/* The final stats, read before the streams go. */
	put_call(n, w, call);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_end(w);
	calls_free(&n->calls, call);
	n->calls.deleted++;
	return 0;
}

int ng_cmd_list(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	/* As rtpengine: 32 call-ids unless "limit" asks for more, so a full
	 * table never makes a reply too large by default. */
	int lim = bencode_dict_get(m->buf, m->t, 0, "limit");
	int64_t left = NG_LIST_DEFAULT;

	if (lim >= 0) {
		if (m->t[lim].type != BENCODE_INT || m->t[lim].ival < 0)
			return ng_reply_error(n, w, "Invalid 'limit' key");
		left = m->t[lim].ival;
	}
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_cstr(w, "calls");
	bencode_w_list(w);
	for (unsigned i = 0; i < CALLS_MAX && left > 0; i++) {
		if (n->calls.call[i].used) {
			bencode_w_cstr(w, n->calls.call[i].call_id);
			left--;
		}
	}
	bencode_w_end(w);
	bencode_w_end(w);
	return 0;
}
