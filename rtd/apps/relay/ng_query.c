// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* delete, query, list and statistics: the call table as rtpengine shows it. */
#include <arpa/inet.h>
#include <string.h>

#include "apps/relay/ng_cmd.h"
#include "lib/clock.h"

#define NG_LIST_DEFAULT 32

static void stream_stats(struct ng *n, struct bencode_w *w, uint16_t idx)
{
	const struct rstream *s = &n->calls.relay->streams[idx];
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
	bencode_w_kv_int(w, "jitter-us", relay_jitter_us(s));
	bencode_w_kv_int(w, "last-packet-ms-ago",
			 last ? (int64_t)(clock_since(clock_ns(), last) / NSEC_PER_MSEC) : -1);
	bencode_w_end(w);
	bencode_w_end(w);
}

int ng_cmd_delete(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	calls_free(&n->calls, m->call);
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_end(w);
	return 0;
}

int ng_cmd_query(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	const struct call *call = m->call;

	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_kv_int(w, "created",
			 (int64_t)(clock_since(clock_ns(), call->created_ns) / NSEC_PER_SEC));
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

int ng_cmd_statistics(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	(void)m;
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_cstr(w, "statistics");
	bencode_w_dict(w);
	bencode_w_cstr(w, "currentstatistics");
	bencode_w_dict(w);
	bencode_w_kv_int(w, "sessionsown", n->calls.ncalls);
	bencode_w_kv_int(w, "sessionstotal", n->calls.ncalls);
	bencode_w_end(w);
	bencode_w_cstr(w, "totalstatistics");
	bencode_w_dict(w);
	bencode_w_kv_int(w, "totalsessions", n->calls.total);
	bencode_w_kv_int(w, "refused", n->refused);
	bencode_w_kv_int(w, "commands", n->cmds);
	bencode_w_kv_int(w, "errors", n->errors);
	bencode_w_end(w);
	bencode_w_end(w);
	bencode_w_end(w);
	return 0;
}
