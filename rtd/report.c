// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What rtd tells rtctl: status, ports, counters, the neighbour mirror. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "rtd.h"

static int op_status(void *ctx, struct rtd_ctl_status *st)
{
	struct rtd *r = ctx;

	memset(st, 0, sizeof(*st));
	snprintf(st->iface, sizeof(st->iface), "%s", r->cfg.iface);
	snprintf(st->xdp_mode, sizeof(st->xdp_mode), "%s", steer_mode_name(r->steer.mode));
	snprintf(st->app, sizeof(st->app), "%s", r->app.ops->name);
	st->ifindex = r->ifindex;
	st->pid = getpid();
	st->nqueues = r->nq;
	st->cpu = r->loop.cpu;
	st->rt_prio = r->loop.prio;
	st->mtu = __atomic_load_n(&r->nt->mtu, __ATOMIC_RELAXED);
	st->nports = portset_count(&r->ports.set);
	memcpy(st->mac, r->loop.ios[0].mac, 6);
	st->uptime_ms = clock_since(clock_ns(), r->start_ns) / NSEC_PER_MSEC;
	return 0;
}

static int op_port_list(void *ctx, struct portset *out)
{
	struct rtd *r = ctx;

	*out = r->ports.set;
	return 0;
}

static int op_port_change(void *ctx, const struct portset *ports, bool add, char *err,
			  size_t errlen)
{
	struct rtd *r = ctx;
	int ret;

	if (!add) {
		for (int p = portset_next(ports, 1); p >= 0; p = portset_next(ports, p + 1)) {
			if (!portset_has(&r->ports.set, p)) {
				snprintf(err, errlen, "port %d is not an RT port", p);
				return -ENOENT;
			}
		}
		ret = ports_release(&r->ports, ports, err, errlen);
	} else {
		ret = ports_claim(&r->ports, ports, err, errlen);
	}
	if (!ret)
		rxq_update(&r->rxq, &r->ports.set);
	return ret;
}

static unsigned put(struct rtd_ctl_stat *out, unsigned n, unsigned max, const char *group,
		    const char *owner, int queue, const char *name, uint64_t value)
{
	if (n >= max)
		return n;
	memset(&out[n], 0, sizeof(out[n]));
	snprintf(out[n].group, sizeof(out[n].group), "%s", group);
	snprintf(out[n].owner, sizeof(out[n].owner), "%s", owner);
	snprintf(out[n].name, sizeof(out[n].name), "%s", name);
	out[n].queue = queue;
	out[n].value = value;
	return n + 1;
}

/* Upper edge of the bucket holding the p-th percentile, in microseconds. */
static uint64_t lat_pct(const struct io_lat *lat, uint64_t count, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * count + 0.999999), seen = 0;

	if (!count)
		return 0;
	for (unsigned b = 0; b <= LAT_BUCKETS; b++) {
		seen += IO_READ(lat->hist[b]);
		if (seen >= rank)
			return b < LAT_BUCKETS ? b + 1 : IO_READ(lat->max_ns) / 1000;
	}
	return IO_READ(lat->max_ns) / 1000;
}

static int op_lat_reset(void *ctx)
{
	struct rtd *r = ctx;

	__atomic_store_n(&r->loop.lat_epoch, r->loop.lat_epoch + 1, __ATOMIC_RELAXED);
	return 0;
}

static int op_stats(void *ctx, struct rtd_ctl_stat *out, unsigned max)
{
	struct rtd *r = ctx;
	unsigned n = 0;

	for (unsigned i = 0; i < r->nq; i++) {
		const struct rtd_io *io = &r->loop.ios[i];
		struct rtd_xdp_stats xs;
		struct xdp_statistics ks;
		int q = r->qs[i].queue;

		if (!steer_stats(&r->steer, q, &xs)) {
			n = put(out, n, max, "xdp", "", q, "seen", xs.seen);
			n = put(out, n, max, "xdp", "", q, "redirected", xs.redirected);
			n = put(out, n, max, "xdp", "", q, "passed", xs.passed);
			n = put(out, n, max, "xdp", "", q, "malformed", xs.malformed);
			n = put(out, n, max, "xdp", "", q, "too_big", xs.too_big);
		}
		if (!xskq_kernel_stats(&r->qs[i], &ks)) {
			n = put(out, n, max, "xsk", "", q, "rx_dropped", ks.rx_dropped);
			n = put(out, n, max, "xsk", "", q, "rx_invalid_descs", ks.rx_invalid_descs);
			n = put(out, n, max, "xsk", "", q, "tx_invalid_descs", ks.tx_invalid_descs);
			n = put(out, n, max, "xsk", "", q, "rx_ring_full", ks.rx_ring_full);
			n = put(out, n, max, "xsk", "", q, "rx_fill_ring_empty",
				ks.rx_fill_ring_empty_descs);
			n = put(out, n, max, "xsk", "", q, "tx_ring_empty", ks.tx_ring_empty_descs);
		}
#define X(f) n = put(out, n, max, "stack", "", q, #f, IO_READ(io->st.f));
		IO_STATS(X)
#undef X
#define X(f) n = put(out, n, max, "neigh", "", q, #f, IO_READ(io->st.f));
		NEIGH_STATS(X)
#undef X
		{
			/* A reset takes effect at the RT thread's next frame: show it now. */
			bool reset = IO_READ(io->lat_epoch) != IO_READ(r->loop.lat_epoch);
			uint64_t c = reset ? 0 : IO_READ(io->lat.count);

			n = put(out, n, max, "inhost", "", q, "count", c);
			n = put(out, n, max, "inhost", "", q, "p50_us", lat_pct(&io->lat, c, 50));
			n = put(out, n, max, "inhost", "", q, "p99_us", lat_pct(&io->lat, c, 99));
			n = put(out, n, max, "inhost", "", q, "p999_us", lat_pct(&io->lat, c, 99.9));
			n = put(out, n, max, "inhost", "", q, "max_us",
				reset ? 0 : IO_READ(io->lat.max_ns) / 1000);
		}
	}
	n = put(out, n, max, "loop", "", -1, "iterations", IO_READ(r->loop.iterations));
	n = put(out, n, max, "loop", "", -1, "busy_us", IO_READ(r->loop.busy_ns) / 1000);
	n = put(out, n, max, "loop", "", -1, "kick_us", IO_READ(r->loop.kick_ns) / 1000);
	n = put(out, n, max, "loop", "", -1, "demoted_windows", IO_READ(r->loop.sleeps));
	n = put(out, n, max, "netlink", "", -1, "resolve_requests", r->neigh.resolve_requests);
	n = put(out, n, max, "netlink", "", -1, "overflows", r->neigh.overflows);
	{
		struct rtd_gate_conf cfg;
		struct gate_stats gs;

		gate_get(&r->gate, &cfg, &gs);
		n = put(out, n, max, "gate", "", -1, "closes", gs.closes);
		n = put(out, n, max, "gate", "", -1, "closed_us", gs.closed_ns / 1000);
		n = put(out, n, max, "gate", "", -1, "held_bytes", gs.held_bytes);
		n = put(out, n, max, "gate", "", -1, "held_packets", gs.held_pkts);
		n = put(out, n, max, "gate", "", -1, "drops", gs.drops);
		n = put(out, n, max, "gate", "", -1, "toggle_avg_ns",
			gs.toggles ? gs.toggle_ns_sum / gs.toggles : 0);
		n = put(out, n, max, "gate", "", -1, "toggle_max_ns", gs.toggle_ns_max);
		n = put(out, n, max, "gate", "", -1, "kicks", gs.kicks);
		n = put(out, n, max, "gate", "", -1, "errors", gs.errors);
	}
	for (unsigned i = 0; i < r->app.ncounters; i++)
		n = put(out, n, max, "app", r->app.ops->name, -1, r->app.counters[i].name,
			IO_READ(r->app.counters[i].value));
	return n;
}

static int op_neigh(void *ctx, struct rtd_ctl_neigh *out, unsigned max)
{
	struct rtd *r = ctx;
	static struct neigh_table snap; /* large; control thread only */
	unsigned n = 0;

	nt_snapshot(r->nt, &snap);
	for (unsigned i = 0; i < snap.naddrs && n < max; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].kind = RTD_CTL_ADDR;
		out[n].family = snap.addrs[i].family;
		out[n].prefixlen = snap.addrs[i].prefixlen;
		out[n].addr = snap.addrs[i].addr;
	}
	for (unsigned i = 0; i < snap.nroutes && n < max; i++, n++) {
		const struct nt_route *rt = &snap.routes[i];

		memset(&out[n], 0, sizeof(out[n]));
		out[n].kind = RTD_CTL_ROUTE;
		out[n].family = rt->family;
		out[n].prefixlen = rt->dst_len;
		out[n].addr = rt->dst;
		out[n].gw = rt->gw;
		out[n].has_gw = rt->has_gw;
		out[n].metric = rt->metric;
	}
	for (unsigned i = 0; i < NT_MAX_NEIGH && n < max; i++) {
		const struct nt_neigh *ne = &snap.neigh[i];

		if (ne->used != 1)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].kind = RTD_CTL_NEIGHBOUR;
		out[n].family = ne->family;
		out[n].addr = ne->addr;
		out[n].state = ne->state;
		memcpy(out[n].mac, ne->mac, 6);
		n++;
	}
	return n;
}

static int op_sched_get(void *ctx, struct rtd_ctl_sched *out)
{
	struct rtd *r = ctx;
	struct gate_stats st;

	memset(out, 0, sizeof(*out));
	gate_get(&r->gate, &out->conf, &st);
	snprintf(out->qdisc, sizeof(out->qdisc), "%s", gate_qdisc_name(&r->gate));
	out->installed = r->gate.installed;
	out->closed = gate_is_closed(&r->gate);
	out->closes = st.closes;
	out->closed_ns = st.closed_ns;
	out->held_bytes = st.held_bytes;
	out->held_pkts = st.held_pkts;
	out->drops = st.drops;
	out->toggles = st.toggles;
	out->toggle_ns_avg = st.toggles ? st.toggle_ns_sum / st.toggles : 0;
	out->toggle_ns_max = st.toggle_ns_max;
	out->errors = st.errors;
	return 0;
}

/* rtctl checked the values against the same table; a mode past it is refused. */
static int op_sched_set(void *ctx, const struct rtd_ctl_sched *in, char *err, size_t errlen)
{
	struct rtd *r = ctx;
	const struct setting *mode = settings_find(&gate_settings, "mode", true);
	char buf[16];

	setting_format(mode, &in->conf, buf, sizeof(buf));
	if (in->conf.mode > GATE_SCHEDULED) {
		snprintf(err, errlen, "mode %s is not one of off, reactive, scheduled", buf);
		return -EINVAL;
	}
	return gate_set(&r->gate, &in->conf, err, errlen);
}

static int op_calls(void *ctx, struct rtd_ctl_call *out, unsigned max)
{
	struct rtd *r = ctx;

	if (!r->app.ops->calls)
		return -EOPNOTSUPP;
	return r->app.ops->calls(&r->app, out, max);
}

const struct ctlsrv_ops rtd_ctl_ops = {
	.calls = op_calls,
	.lat_reset = op_lat_reset,
	.sched_get = op_sched_get,
	.sched_set = op_sched_set,
	.status = op_status,
	.port_list = op_port_list,
	.port_change = op_port_change,
	.stats = op_stats,
	.neigh = op_neigh,
};
