// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>

#include "ctl/rtctl.h"

static const struct verb verbs[] = { { "show", 0 }, { "list", 0 } };

int do_status(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	struct rtd_ctl_status st;
	struct portset ports;
	char mac[18], *spec;
	int err;

	if (argc && LOOKUP("status: ", argv[0], verbs) < 0)
		return EXIT_USAGE;
	err = client_do(c, RTD_CTL_STATUS, NULL, "status", &rep);
	if (err)
		return err;
	st = *(const struct rtd_ctl_status *)(rep + 1);
	err = client_do(c, RTD_CTL_PORT_LIST, NULL, "status", &rep);
	if (err)
		return err;
	ports = *(const struct portset *)(rep + 1);
	spec = portset_format_alloc(&ports);
	if (!spec) {
		fprintf(stderr, "rtctl: status: out of memory\n");
		return EXIT_USAGE;
	}
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", st.mac[0], st.mac[1],
		 st.mac[2], st.mac[3], st.mac[4], st.mac[5]);
	if (c->json) {
		json_begin(c->pretty);
		json_str("iface", st.iface);
		json_u64("ifindex", st.ifindex);
		json_str("mac", mac);
		json_u64("mtu", st.mtu);
		json_str("xdp_mode", st.xdp_mode);
		json_u64("queues", st.nqueues);
		json_i64("cpu", st.cpu);
		json_u64("rt_prio", st.rt_prio);
		json_str("app", st.app);
		json_u64("pid", st.pid);
		json_u64("uptime_ms", st.uptime_ms);
		json_str("ports", spec);
		json_u64("nports", portset_count(&ports));
		json_end();
	} else {
		printf("%s: ifindex %u mac %s mtu %u\n", st.iface, st.ifindex, mac, st.mtu);
		printf("    xdp %s queues %u cpu %d ", st.xdp_mode, st.nqueues, st.cpu);
		if (st.rt_prio)
			printf("SCHED_FIFO %u", st.rt_prio);
		else
			printf("SCHED_OTHER");
		printf(" app %s\n", st.app);
		printf("    ports %s (%u)\n", spec[0] ? spec : "none", portset_count(&ports));
		printf("    pid %u uptime %llu.%03llus\n", st.pid,
		       (unsigned long long)st.uptime_ms / 1000,
		       (unsigned long long)st.uptime_ms % 1000);
	}
	free(spec);
	return 0;
}
