// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a scrape shows: what report.c tells rtctl stats, as Prometheus
 * families.  Everything is read the way rtctl's stats reads it: relaxed
 * loads of the RT thread's single-writer counters, the steering map, the
 * sockets' kernel counters, the gate under its own lock (the gate thread's,
 * never the RT thread's), the relay through one short hold of the ng lock.
 * The RT thread is never asked anything and never waits.
 */
#include <stdio.h>
#include <string.h>

#include "apps/relay/ng_metrics.h"
#include "lib/clock.h"
#include "lib/prom.h"
#include "rtd.h"

/* One queue's counters, read before any family is written: a family's samples are adjacent. */
struct qsnap {
	char queue[12];
	bool xdp, xsk; /* whether those could be read */
	struct rtd_xdp_stats xs;
	struct xdp_statistics ks;
	struct io_stats st;
};

enum src { SRC_XDP, SRC_XSK, SRC_STACK };

/* A per-queue family's samples: rows of one family are adjacent, help on the first. */
struct qrow {
	const char *family, *help;
	enum src src;
	size_t off; /* of the __u64 in struct qsnap */
	const char *lname[2], *lvalue[2];
};

#define XS(f) SRC_XDP, offsetof(struct qsnap, xs.f)
#define KS(f) SRC_XSK, offsetof(struct qsnap, ks.f)
#define ST(f) SRC_STACK, offsetof(struct qsnap, st.f)
#define DIR(d) { "direction" }, { d }
#define DIR2(d, l, v) { "direction", l }, { d, v }

static const struct qrow qrows[] = {
	{ "rtd_xdp_frames_total",
	  "Frames the steering program saw on the queue, by action: redirected to rtd's AF_XDP "
	  "socket, or passed to the kernel's stack.",
	  XS(redirected), { "action" }, { "redirected" } },
	{ "rtd_xdp_frames_total", NULL, XS(passed), { "action" }, { "passed" } },
	{ "rtd_xdp_malformed_frames_total",
	  "Frames with truncated or inconsistent headers, passed to the kernel (also in passed).",
	  XS(malformed) },
	{ "rtd_xdp_too_big_frames_total",
	  "RT datagrams longer than a UMEM frame holds, passed to the kernel (also in passed).",
	  XS(too_big) },
	{ "rtd_xsk_rx_dropped_total",
	  "Frames the kernel dropped on their way to the AF_XDP socket (XDP_STATISTICS).",
	  KS(rx_dropped) },
	{ "rtd_xsk_invalid_descs_total", "Descriptors the kernel refused as invalid, by ring.",
	  KS(rx_invalid_descs), DIR("rx") },
	{ "rtd_xsk_invalid_descs_total", NULL, KS(tx_invalid_descs), DIR("tx") },
	{ "rtd_xsk_rx_ring_full_total", "Times the socket's RX ring was full.",
	  KS(rx_ring_full) },
	{ "rtd_xsk_fill_ring_empty_total",
	  "Times the kernel found the fill ring empty when it needed a frame.",
	  KS(rx_fill_ring_empty_descs) },
	{ "rtd_xsk_tx_ring_empty_total", "Times the kernel found the TX ring empty.",
	  KS(tx_ring_empty_descs) },
	{ "rtd_stack_packets_total", "RT datagrams through rtd's UDP/IP stack.", ST(rx_packets),
	  DIR("rx") },
	{ "rtd_stack_packets_total", NULL, ST(tx_packets), DIR("tx") },
	{ "rtd_stack_bytes_total", "Bytes of the frames through rtd's UDP/IP stack.",
	  ST(rx_bytes), DIR("rx") },
	{ "rtd_stack_bytes_total", NULL, ST(tx_bytes), DIR("tx") },
	{ "rtd_stack_dropped_packets_total",
	  "Datagrams rtd's stack dropped: received ones it could not take, replies it could not "
	  "send, by reason.",
	  ST(malformed), DIR2("rx", "reason", "malformed") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(bad_checksum),
	  DIR2("rx", "reason", "bad_checksum") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(not_udp), DIR2("rx", "reason", "not_udp") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(fragments),
	  DIR2("rx", "reason", "fragment") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(martian), DIR2("rx", "reason", "martian") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(too_big), DIR2("tx", "reason", "too_big") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(no_route), DIR2("tx", "reason", "no_route") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(tx_no_frame),
	  DIR2("tx", "reason", "no_frame") },
	{ "rtd_stack_dropped_packets_total", NULL, ST(tx_ring_full),
	  DIR2("tx", "reason", "ring_full") },
	{ "rtd_stack_partial_checksums_total",
	  "Datagrams taken whose UDP checksum a sender's TX offload left partial.",
	  ST(csum_partial) },
	{ "rtd_stack_tx_kicks_total", "TX wake-ups (sendto) the RT thread made.", ST(kicks) },
	{ "rtd_neigh_held_packets_total",
	  "Frames held while the kernel resolved their next hop (ARP, ND).", ST(held) },
	{ "rtd_neigh_released_packets_total", "Held frames sent once their next hop resolved.",
	  ST(released) },
	{ "rtd_neigh_dropped_packets_total",
	  "Frames for an unresolved next hop dropped: expired while held, or the hold queue full.",
	  ST(expired), { "reason" }, { "expired" } },
	{ "rtd_neigh_dropped_packets_total", NULL, ST(hold_full), { "reason" }, { "hold_full" } },
};

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* Upper edges, in microseconds, of the in-host latency buckets shown (1 us underneath). */
static const unsigned lat_edges_us[] = { 5,   10,  15,  20,  25,  30,   40,   50,   75,
					 100, 150, 200, 300, 500, 750, 1000, 1500, LAT_BUCKETS };
#define NLAT NROWS(lat_edges_us)

/* Relay jitter buckets, microseconds: 20 ms of audio is 160 RTP units at 8 kHz. */
static const uint32_t jitter_edges_us[] = { 125,   250,   500,   1000,  2000,  5000,
					    10000, 20000, 40000, 80000, 160000 };
#define NJIT NROWS(jitter_edges_us)

struct snap {
	struct qsnap q[RTD_MAX_QUEUES];
	unsigned nq;
	uint64_t fine[LAT_BUCKETS + 1];
	uint64_t lat[RTD_MAX_QUEUES][NLAT + 1];
	double lat_sum[RTD_MAX_QUEUES];
	struct ng_metrics ng;
	bool relay;
	uint64_t relay_bytes; /* the largest shown so far: see relay_bytes() */
};

static void counter(struct obuf *o, const char *name, const char *help, uint64_t v)
{
	prom_family(o, name, PROM_COUNTER, help);
	prom_u64(o, name, NULL, 0, v);
}

static void seconds(struct obuf *o, const char *name, enum prom_type t, const char *help,
		    uint64_t ns)
{
	prom_family(o, name, t, help);
	prom_ns(o, name, NULL, 0, ns);
}

static void gauge(struct obuf *o, const char *name, const char *help, uint64_t v)
{
	prom_family(o, name, PROM_GAUGE, help);
	prom_u64(o, name, NULL, 0, v);
}

/* The in-host histogram of queue i as coarse buckets, as report.c reads it. */
static void read_lat(const struct rtd *r, unsigned i, struct snap *s)
{
	const struct rtd_io *io = &r->loop.ios[i];
	double sum_us = 0;

	/* A reset takes effect at the RT thread's next frame: show it now. */
	if (IO_READ(io->lat_epoch) != IO_READ(r->loop.lat_epoch)) {
		memset(s->lat[i], 0, sizeof(s->lat[i]));
		s->lat_sum[i] = 0;
		return;
	}
	for (unsigned b = 0; b <= LAT_BUCKETS; b++) {
		s->fine[b] = IO_READ(io->lat.hist[b]);
		/* Bucket midpoints; the overflow at its lower edge. */
		sum_us += (double)s->fine[b] * (b < LAT_BUCKETS ? b + 0.5 : LAT_BUCKETS);
	}
	prom_rebin(s->fine, LAT_BUCKETS + 1, lat_edges_us, NLAT, s->lat[i]);
	s->lat_sum[i] = sum_us / 1e6;
}

static void read_queues(const struct rtd *r, struct snap *s)
{
	s->nq = r->nq < RTD_MAX_QUEUES ? r->nq : RTD_MAX_QUEUES;
	for (unsigned i = 0; i < s->nq; i++) {
		const struct rtd_io *io = &r->loop.ios[i];
		struct qsnap *q = &s->q[i];

		snprintf(q->queue, sizeof(q->queue), "%d", r->qs[i].queue);
		q->xdp = !steer_stats(&r->steer, r->qs[i].queue, &q->xs);
		q->xsk = !xskq_kernel_stats(&r->qs[i], &q->ks);
#define X(f) q->st.f = IO_READ(io->st.f);
		IO_STATS(X) NEIGH_STATS(X)
#undef X
		read_lat(r, i, s);
	}
}

static void put_queues(struct obuf *o, const struct snap *s)
{
	for (size_t k = 0; k < NROWS(qrows); k++) {
		const struct qrow *row = &qrows[k];

		if (!k || strcmp(row->family, qrows[k - 1].family))
			prom_family(o, row->family, PROM_COUNTER, row->help);
		for (unsigned i = 0; i < s->nq; i++) {
			const struct qsnap *q = &s->q[i];
			struct prom_label l[3] = { { "queue", q->queue } };
			unsigned nl = 1;
			uint64_t v;

			if ((row->src == SRC_XDP && !q->xdp) || (row->src == SRC_XSK && !q->xsk))
				continue;
			for (int j = 0; j < 2 && row->lname[j]; j++)
				l[nl++] = (struct prom_label){ row->lname[j], row->lvalue[j] };
			memcpy(&v, (const char *)q + row->off, sizeof(v));
			prom_u64(o, row->family, l, nl, v);
		}
	}
	prom_family(o, "rtd_inhost_latency_seconds", PROM_HISTOGRAM,
		    "Time RT frames spent in the host, from the XDP hook to the reply handed to "
		    "the driver, 1 us resolution. _sum is from bucket midpoints, the overflow "
		    "counted at its lower edge; rtctl stats reset-latency restarts it.");
	for (unsigned i = 0; i < s->nq; i++) {
		const struct prom_label l[] = { { "queue", s->q[i].queue } };
		double le[NLAT];

		for (unsigned j = 0; j < NLAT; j++)
			le[j] = lat_edges_us[j] / 1e6;
		prom_histogram(o, "rtd_inhost_latency_seconds", l, 1, le, NLAT, s->lat[i],
			       s->lat_sum[i]);
	}
}

static void put_loop(struct obuf *o, const struct rtd *r)
{
	counter(o, "rtd_loop_iterations_total", "Rounds of the RT thread's busy-poll loop.",
		IO_READ(r->loop.iterations));
	seconds(o, "rtd_loop_busy_seconds_total", PROM_COUNTER,
		"Time the RT thread spent in rounds that received or completed frames.",
		IO_READ(r->loop.busy_ns));
	seconds(o, "rtd_loop_kick_seconds_total", PROM_COUNTER,
		"Of the busy time, the time in TX wake-ups (in copy mode, the whole transmit).",
		IO_READ(r->loop.kick_ns));
	counter(o, "rtd_loop_demoted_windows_total",
		"100 ms windows in which the RT thread used up its SCHED_FIFO budget and polled "
		"on as SCHED_OTHER.",
		IO_READ(r->loop.sleeps));
	counter(o, "rtd_netlink_resolve_requests_total",
		"Next hops rtd asked the kernel to resolve.",
		__atomic_load_n(&r->neigh.resolve_requests, __ATOMIC_RELAXED));
	counter(o, "rtd_netlink_overflows_total",
		"Times the netlink socket overflowed (ENOBUFS) and the tables were dumped anew.",
		__atomic_load_n(&r->neigh.overflows, __ATOMIC_RELAXED));
}

static void put_gate(struct obuf *o, struct rtd *r)
{
	const struct setting *mode = settings_find(&gate_settings, "mode", true);
	struct rtd_gate_conf cfg;
	struct gate_stats gs;
	char word[16];

	gate_get(&r->gate, &cfg, &gs);
	setting_format(mode, &cfg, word, sizeof(word));
	prom_family(o, "rtd_gate_info", PROM_GAUGE, "The egress gate's mode and qdisc (always 1).");
	prom_u64(o, "rtd_gate_info",
		 (const struct prom_label[]){ { "mode", word }, { "qdisc", gate_qdisc_name(&r->gate) } },
		 2, 1);
	gauge(o, "rtd_gate_closed", "Whether the kernel's egress is held back now (1) or not (0).",
	      gate_is_closed(&r->gate));
	counter(o, "rtd_gate_closes_total", "Times the gate closed the kernel's egress.",
		gs.closes);
	seconds(o, "rtd_gate_closed_seconds_total", PROM_COUNTER,
		"Time the kernel's egress was held back.", gs.closed_ns);
	counter(o, "rtd_gate_held_bytes_total",
		"tbf: backlog found at each reopening; bpf: bytes of packets that found the gate "
		"closed.",
		gs.held_bytes);
	counter(o, "rtd_gate_held_packets_total", "bpf: packets that found the gate closed.",
		gs.held_pkts);
	counter(o, "rtd_gate_dropped_packets_total", "bpf: packets over the queue limit.",
		gs.drops);
	prom_family(o, "rtd_gate_toggle_duration_seconds", PROM_SUMMARY,
		    "Netlink round trip of one gate change.");
	prom_ns(o, "rtd_gate_toggle_duration_seconds_sum", NULL, 0, gs.toggle_ns_sum);
	prom_u64(o, "rtd_gate_toggle_duration_seconds_count", NULL, 0, gs.toggles);
	seconds(o, "rtd_gate_toggle_max_seconds", PROM_GAUGE, "The longest gate change so far.",
		gs.toggle_ns_max);
	counter(o, "rtd_gate_kicks_total", "Wake-ups of the gate thread by the RT thread.",
		gs.kicks);
	counter(o, "rtd_gate_errors_total", "Gate changes the kernel refused.", gs.errors);
}

/* Every application's rtctl stats counters, by their names there. */
static void put_app(struct obuf *o, const struct rtd *r)
{
	prom_family(o, "rtd_app_events_total", PROM_COUNTER,
		    "The RT application's counters, as rtctl stats names them.");
	for (unsigned i = 0; i < r->app.ncounters; i++) {
		const struct prom_label l[] = { { "app", r->app.ops->name },
						{ "event", r->app.counters[i].name } };

		prom_u64(o, "rtd_app_events_total", l, 2, IO_READ(r->app.counters[i].value));
	}
}

static uint64_t relay_counter(const struct rtd *r, unsigned id)
{
	return IO_READ(r->app.counters[id].value);
}

/*
 * A call's bytes move from the live streams to the ended total when it
 * ends, and the few that arrive between the two reads are lost to both:
 * shown as read, the counter would step back and Prometheus would take
 * that for a restart.  It shows the largest value read so far instead.
 */
static uint64_t relay_bytes(struct snap *s)
{
	if (s->ng.relayed.bytes > s->relay_bytes)
		s->relay_bytes = s->ng.relayed.bytes;
	return s->relay_bytes;
}

static void put_relay_rt(struct obuf *o, const struct rtd *r)
{
	static const struct {
		unsigned id;
		const char *reason;
	} drops[] = { { RELAY_NO_STREAM, "no_stream" },	    { RELAY_NO_PEER, "no_peer" },
		      { RELAY_STRICT_DROP, "strict_source" }, { RELAY_SEND_FAIL, "send_fail" },
		      { RELAY_BLOCKED, "blocked" },	    { RELAY_SRTP_NO_KEY, "srtp_no_key" },
		      { RELAY_SRTP_AUTH, "srtp_auth_failed" }, { RELAY_SRTP_REPLAY, "srtp_replayed" },
		      { RELAY_SRTP_ERROR, "srtp_error" } };

	prom_family(o, "rtd_relay_packets_total", PROM_COUNTER,
		    "Packets that arrived on the relay's call ports, by kind (RTCP muxed or not).");
	prom_u64(o, "rtd_relay_packets_total", (const struct prom_label[]){ { "kind", "rtp" } }, 1,
		 relay_counter(r, RELAY_RTP));
	prom_u64(o, "rtd_relay_packets_total", (const struct prom_label[]){ { "kind", "rtcp" } },
		 1, relay_counter(r, RELAY_RTCP));
	counter(o, "rtd_relay_forwarded_packets_total",
		"Packets the relay sent on to the other leg (counted when they left).",
		relay_counter(r, RELAY_FORWARDED));
	prom_family(o, "rtd_relay_dropped_packets_total", PROM_COUNTER,
		    "Packets the relay did not forward, by reason.");
	for (size_t i = 0; i < NROWS(drops); i++)
		prom_u64(o, "rtd_relay_dropped_packets_total",
			 (const struct prom_label[]){ { "reason", drops[i].reason } }, 1,
			 relay_counter(r, drops[i].id));
	prom_family(o, "rtd_relay_stun_packets_total", PROM_COUNTER,
		    "STUN messages for the ICE agent: passed to it, or dropped (its ring full).");
	prom_u64(o, "rtd_relay_stun_packets_total",
		 (const struct prom_label[]){ { "result", "passed" } }, 1,
		 relay_counter(r, RELAY_STUN));
	prom_u64(o, "rtd_relay_stun_packets_total",
		 (const struct prom_label[]){ { "result", "dropped" } }, 1,
		 relay_counter(r, RELAY_STUN_DROPPED));
	counter(o, "rtd_relay_dtls_records_total",
		"DTLS records handed to the agent for the handshakes rtd terminates.",
		relay_counter(r, RELAY_DTLS));
}

static void put_relay_calls(struct obuf *o, struct snap *s)
{
	const struct ng_metrics *m = &s->ng;
	double le[NJIT];

	gauge(o, "rtd_relay_sessions", "Calls the relay holds now.", m->sessions);
	counter(o, "rtd_relay_sessions_total", "Calls the relay set up.", m->sessions_total);
	prom_family(o, "rtd_relay_sessions_ended_total", PROM_COUNTER,
		    "Calls ended, by reason: deleted over ng, or no media for the media timeout.");
	prom_u64(o, "rtd_relay_sessions_ended_total",
		 (const struct prom_label[]){ { "reason", "deleted" } }, 1, m->deleted);
	prom_u64(o, "rtd_relay_sessions_ended_total",
		 (const struct prom_label[]){ { "reason", "timeout" } }, 1, m->timeouts);
	counter(o, "rtd_relay_sessions_refused_total", "Offers answered 'load limit'.",
		m->refused);
	prom_family(o, "rtd_relay_streams", PROM_GAUGE,
		    "RTP streams of the live calls (one per leg and media): receiving RTP, or not yet.");
	prom_u64(o, "rtd_relay_streams", (const struct prom_label[]){ { "state", "receiving" } }, 1,
		 m->receiving);
	prom_u64(o, "rtd_relay_streams", (const struct prom_label[]){ { "state", "silent" } }, 1,
		 m->streams - m->receiving);
	counter(o, "rtd_relay_bytes_total",
		"Bytes that arrived on the calls' streams, RTP and RTCP, ended calls included.",
		relay_bytes(s));
	gauge(o, "rtd_relay_lost_packets",
	      "RTP packets lost (RFC 3550, cumulative per stream), summed over the live calls' "
	      "streams: a call's loss leaves this sum when the call ends.",
	      m->lost);
	for (unsigned j = 0; j < NJIT; j++)
		le[j] = jitter_edges_us[j] / 1e6;
	prom_family(o, "rtd_relay_jitter_seconds", PROM_HISTOGRAM,
		    "RFC 3550 interarrival jitter of the live calls' receiving RTP streams (8 kHz "
		    "clock), bucketed when scraped: one observation per stream, a snapshot that "
		    "does not accumulate.");
	prom_histogram(o, "rtd_relay_jitter_seconds", NULL, 0, le, NJIT, m->jitter,
		       m->jitter_sum_us / 1e6);
}

static void put_ng(struct obuf *o, const struct ng_metrics *m)
{
	prom_family(o, "rtd_ng_requests_total", PROM_COUNTER,
		    "ng commands served, by command and result (ok, error, load_limit).");
	for (unsigned c = 0; c < NG_NCMDS; c++) {
		uint64_t bad = m->cmd_errors[c] + m->cmd_refused[c];
		const uint64_t v[3] = { m->count[c] > bad ? m->count[c] - bad : 0, m->cmd_errors[c],
					m->cmd_refused[c] };
		static const char *const res[3] = { "ok", "error", "load_limit" };

		for (int k = 0; k < 3; k++)
			prom_u64(o, "rtd_ng_requests_total",
				 (const struct prom_label[]){ { "command", ng_cmd_names[c] },
							      { "result", res[k] } },
				 2, v[k]);
	}
	prom_family(o, "rtd_ng_request_duration_seconds", PROM_SUMMARY,
		    "Time rtd took to serve ng commands, by command.");
	for (unsigned c = 0; c < NG_NCMDS; c++) {
		const struct prom_label l[] = { { "command", ng_cmd_names[c] } };

		prom_ns(o, "rtd_ng_request_duration_seconds_sum", l, 1, m->ns[c]);
		prom_u64(o, "rtd_ng_request_duration_seconds_count", l, 1, m->count[c]);
	}
	counter(o, "rtd_ng_messages_total", "ng messages that named a command.", m->cmds);
	prom_family(o, "rtd_ng_replies_total", PROM_COUNTER,
		    "ng replies that were not a success, by result: error (any command, undecodable "
		    "messages included) or load limit.");
	prom_u64(o, "rtd_ng_replies_total", (const struct prom_label[]){ { "result", "error" } }, 1,
		 m->errors);
	prom_u64(o, "rtd_ng_replies_total",
		 (const struct prom_label[]){ { "result", "load_limit" } }, 1, m->refused);
	seconds(o, "rtd_metrics_ng_lock_seconds", PROM_GAUGE,
		"How long this scrape held the relay's ng lock.", m->lock_ns);
}

static void put_info(struct obuf *o, const struct rtd *r)
{
	const struct prom_label l[] = { { "version", RTD_VERSION },
					{ "iface", r->cfg.iface },
					{ "app", r->app.ops->name },
					{ "xdp_mode", steer_mode_name(r->steer.mode) } };

	prom_family(o, "rtd_info", PROM_GAUGE, "rtd's version and what it serves (always 1).");
	prom_u64(o, "rtd_info", l, PROM_NLABELS(l), 1);
	seconds(o, "rtd_uptime_seconds", PROM_GAUGE, "Time since rtd started.",
		clock_since(clock_ns(), r->start_ns));
}

void rtd_metrics_collect(void *ctx, struct obuf *o)
{
	/* Large; the server's one thread only, and it keeps relay_bytes. */
	static struct snap s;
	struct rtd *r = ctx;

	read_queues(r, &s);
	s.relay = !strcmp(r->app.ops->name, "relay") &&
		  !ng_metrics_read(r->app.priv, jitter_edges_us, NJIT, &s.ng);
	put_info(o, r);
	put_queues(o, &s);
	put_loop(o, r);
	put_gate(o, r);
	put_app(o, r);
	if (s.relay) {
		put_relay_rt(o, r);
		put_relay_calls(o, &s);
		put_ng(o, &s.ng);
	}
}
