// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>

#include "ctl/rtctl.h"

int do_status(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	struct rtd_ctl_status st;
	struct portset ports;
	char spec[512], mac[18];
	int err;

	if (argc && !matches(argv[0], "show")) {
		fprintf(stderr, "rtctl: status: '%s' is unknown; try 'rtctl help'\n", argv[0]);
		return EXIT_USAGE;
	}
	err = client_do(c, RTD_CTL_STATUS, NULL, "status", &rep);
	if (err)
		return err;
	st = *(const struct rtd_ctl_status *)(rep + 1);
	err = client_do(c, RTD_CTL_PORT_LIST, NULL, "status", &rep);
	if (err)
		return err;
	ports = *(const struct portset *)(rep + 1);
	portset_format(&ports, spec, sizeof(spec));
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
		json_u64("nports", st.nports);
		json_end();
		return 0;
	}
	printf("%s: ifindex %u mac %s mtu %u\n", st.iface, st.ifindex, mac, st.mtu);
	printf("    xdp %s queues %u cpu %d %s app %s\n", st.xdp_mode, st.nqueues, st.cpu,
	       st.rt_prio ? "SCHED_FIFO" : "SCHED_OTHER", st.app);
	printf("    ports %s (%u)\n", spec[0] ? spec : "none", st.nports);
	printf("    pid %u uptime %llu.%03llus\n", st.pid, (unsigned long long)st.uptime_ms / 1000,
	       (unsigned long long)st.uptime_ms % 1000);
	return 0;
}
