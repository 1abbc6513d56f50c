// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>

#include "ctl/rtctl.h"

static int port_list(struct rtctl *c)
{
	const struct rtd_ctl_rep *rep;
	struct portset ports;
	size_t need;
	char *spec;
	int err = client_do(c, RTD_CTL_PORT_LIST, NULL, "port", &rep);

	if (err)
		return err;
	ports = *(const struct portset *)(rep + 1);
	need = portset_format(&ports, NULL, 0) + 1;
	spec = malloc(need);
	if (!spec)
		return EXIT_USAGE;
	portset_format(&ports, spec, need);
	if (c->json) {
		json_begin(c->pretty);
		json_str("ports", spec);
		json_u64("count", portset_count(&ports));
		json_end();
	} else {
		printf("%s\n", spec[0] ? spec : "none");
	}
	free(spec);
	return 0;
}

int do_port(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	struct portset ports;
	char err[256];
	bool add;

	if (!argc || matches(argv[0], "list") || matches(argv[0], "show"))
		return port_list(c);
	add = matches(argv[0], "add");
	if (!add && !matches(argv[0], "del") && !matches(argv[0], "delete")) {
		fprintf(stderr, "rtctl: port: '%s' is unknown; try 'rtctl help'\n", argv[0]);
		return EXIT_USAGE;
	}
	if (argc != 2) {
		fprintf(stderr, "rtctl: port %s: expected one SPEC, e.g. 7000-7009,7100\n",
			add ? "add" : "del");
		return EXIT_USAGE;
	}
	if (portset_parse(argv[1], &ports, err, sizeof(err))) {
		fprintf(stderr, "rtctl: port %s: %s\n", add ? "add" : "del", err);
		return EXIT_USAGE;
	}
	return client_do(c, add ? RTD_CTL_PORT_ADD : RTD_CTL_PORT_DEL, &ports,
			 add ? "port add" : "port del", &rep);
}
