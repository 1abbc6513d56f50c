// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * statistics, as rtpengine answers it where a monitoring script reads it:
 * sessions, relayed packets and bytes, their rates, ports used and free,
 * and per proxy how many commands of each kind it sent and how long they
 * took.  rtd's own keys (commands, errors, refused) stay beside them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/ng_cmd.h"
#include "lib/addr.h"
#include "lib/clock.h"

/* What the relay has relayed so far: ended calls' and live streams'. */
void ng_relayed(const struct ng *n, struct ng_relayed *out)
{
	const struct calls *c = &n->calls;

	*out = c->ended;
	for (unsigned i = 0; i < CALLS_MAX; i++) {
		const struct call *call = &c->call[i];

		if (!call->used)
			continue;
		for (unsigned m = 0; m < call->nmedia; m++)
			for (int leg = 0; leg < 2; leg++)
				for (int k = 0; k < 2; k++)
					calls_add_stream(&c->relay->streams[call->media[m].leg[leg].sidx[k]],
							 out);
	}
}

static void put_double(struct bencode_w *w, const char *key, double v)
{
	char buf[32];

	/* rtpengine sends its durations and averages as strings */
	snprintf(buf, sizeof(buf), "%.6f", v);
	bencode_w_kv_str(w, key, buf);
}

static void put_current(struct ng *n, struct bencode_w *w)
{
	bencode_w_cstr(w, "currentstatistics");
	bencode_w_dict(w);
	bencode_w_kv_int(w, "sessionsown", n->calls.ncalls);
	bencode_w_kv_int(w, "sessionsforeign", 0);
	bencode_w_kv_int(w, "sessionstotal", n->calls.ncalls);
	bencode_w_kv_int(w, "packetrate", n->rate.packets);
	bencode_w_kv_int(w, "byterate", n->rate.bytes);
	bencode_w_kv_int(w, "errorrate", n->rate.errors);
	bencode_w_end(w);
}

static void put_totals(struct ng *n, struct bencode_w *w)
{
	struct ng_relayed r;
	char up[24];

	ng_relayed(n, &r);
	snprintf(up, sizeof(up), "%llu",
		 (unsigned long long)(clock_since(clock_ns(), n->start_ns) / NSEC_PER_SEC));
	bencode_w_cstr(w, "totalstatistics");
	bencode_w_dict(w);
	bencode_w_kv_str(w, "uptime", up);
	bencode_w_kv_int(w, "managedsessions", n->calls.total);
	bencode_w_kv_int(w, "rejectedsessions", n->refused);
	bencode_w_kv_int(w, "timeoutsessions", n->calls.timeouts);
	bencode_w_kv_int(w, "regularterminatedsessions", n->calls.deleted);
	bencode_w_kv_int(w, "relayedpackets", r.packets);
	bencode_w_kv_int(w, "relayedpacketerrors", r.errors);
	bencode_w_kv_int(w, "relayedbytes", r.bytes);
	/* rtd's own */
	bencode_w_kv_int(w, "totalsessions", n->calls.total);
	bencode_w_kv_int(w, "refused", n->refused);
	bencode_w_kv_int(w, "commands", n->cmds);
	bencode_w_kv_int(w, "errors", n->errors);
	bencode_w_end(w);
}

static void put_proxy(struct bencode_w *w, const struct ng_proxy *p)
{
	char key[48], addr[INET6_ADDRSTRLEN];

	bencode_w_dict(w);
	bencode_w_kv_str(w, "proxy",
			 addr_str(IN6_IS_ADDR_V4MAPPED(&p->addr) ? AF_INET : AF_INET6, &p->addr, addr));
	for (int i = 0; i < NG_NCMDS; i++) {
		snprintf(key, sizeof(key), "%scount", ng_cmd_stat_names[i]);
		bencode_w_kv_int(w, key, p->count[i]);
		snprintf(key, sizeof(key), "%sduration", ng_cmd_stat_names[i]);
		put_double(w, key, (double)p->ns[i] / NSEC_PER_SEC);
	}
	bencode_w_kv_int(w, "errorcount", p->errors);
	bencode_w_end(w);
}

static void put_control(struct ng *n, struct bencode_w *w)
{
	char key[48];

	bencode_w_cstr(w, "controlstatistics");
	bencode_w_dict(w);
	bencode_w_cstr(w, "proxies");
	bencode_w_list(w);
	for (unsigned i = 0; i < n->nproxies; i++)
		put_proxy(w, &n->proxy[i]);
	bencode_w_end(w);
	for (int c = 0; c < NG_NCMDS; c++) {
		uint64_t sum = 0;

		for (unsigned i = 0; i < n->nproxies; i++)
			sum += n->proxy[i].count[c];
		snprintf(key, sizeof(key), "total%scount", ng_cmd_stat_names[c]);
		bencode_w_kv_int(w, key, sum);
	}
	bencode_w_end(w);
}

/* One entry per interface; the port range is shared by all of them. */
static void put_ifaces(struct ng *n, struct bencode_w *w)
{
	const struct relay_ifaces *f = &n->conf->ifaces;
	unsigned free = portset_count(&n->calls.free_ports) * 2;
	unsigned total = n->calls.pairs * 2;

	bencode_w_cstr(w, "interfaces");
	bencode_w_list(w);
	for (unsigned i = 0; i < (f->n ? f->n : 1); i++) {
		char pct[16];

		bencode_w_dict(w);
		bencode_w_kv_str(w, "name", f->n ? f->i[i].name : "default");
		if (f->n) {
			char a[INET6_ADDRSTRLEN];

			bencode_w_kv_str(w, "address", addr_str(f->i[i].family, &f->i[i].local, a));
		}
		bencode_w_cstr(w, "ports");
		bencode_w_dict(w);
		bencode_w_kv_int(w, "used", total - free);
		snprintf(pct, sizeof(pct), "%.2f", total ? 100.0 * (total - free) / total : 0.0);
		bencode_w_kv_str(w, "used_pct", pct);
		bencode_w_kv_int(w, "free", free);
		bencode_w_kv_int(w, "totals", total);
		bencode_w_end(w);
		bencode_w_end(w);
	}
	bencode_w_end(w);
}

int ng_cmd_statistics(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	(void)m;
	bencode_w_dict(w);
	bencode_w_cstr(w, "statistics");
	bencode_w_dict(w);
	put_current(n, w);
	put_totals(n, w);
	put_control(n, w);
	put_ifaces(n, w);
	bencode_w_end(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_end(w);
	return 0;
}

void ng_sample(struct ng *n, uint64_t now)
{
	struct ng_relayed r;
	uint64_t dt = clock_since(now, n->rate_ns);

	ng_relayed(n, &r);
	if (n->rate_ns && dt) {
		n->rate.packets = (r.packets - n->rate_last.packets) * NSEC_PER_SEC / dt;
		n->rate.bytes = (r.bytes - n->rate_last.bytes) * NSEC_PER_SEC / dt;
		n->rate.errors = (r.errors - n->rate_last.errors) * NSEC_PER_SEC / dt;
	}
	n->rate_last = r;
	n->rate_ns = now;
}
