// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>

#include "ctl/rtctl.h"

enum { PORT_LIST, PORT_ADD, PORT_DEL };

static const struct verb verbs[] = {
	{ "list", PORT_LIST }, { "show", PORT_LIST }, { "add", PORT_ADD },
	{ "del", PORT_DEL },   { "delete", PORT_DEL },
};

static int port_list(struct rtctl *c)
{
	const struct rtd_ctl_rep *rep;
	struct portset ports;
	unsigned count;
	char *spec;
	int err = client_do(c, RTD_CTL_PORT_LIST, NULL, "port", &rep);

	if (err)
		return err;
	ports = *(const struct portset *)(rep + 1);
	count = portset_count(&ports);
	spec = portset_format_alloc(&ports);
	if (!spec) {
		fprintf(stderr, "rtctl: port: out of memory\n");
		return EXIT_USAGE;
	}
	if (c->json) {
		json_begin(c->pretty);
		json_str("ports", spec);
		json_u64("count", count);
		json_end();
	} else {
		printf("%s (%u port%s)\n", spec[0] ? spec : "none", count, count == 1 ? "" : "s");
	}
	free(spec);
	return 0;
}

int do_port(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	struct portset ports;
	const char *what;
	char err[256];
	int verb = argc ? LOOKUP("port: ", argv[0], verbs) : PORT_LIST;

	if (verb < 0)
		return EXIT_USAGE;
	if (verb == PORT_LIST) {
		if (argc > 1) {
			fprintf(stderr, "rtctl: port list: '%s' is unexpected\n", argv[1]);
			return EXIT_USAGE;
		}
		return port_list(c);
	}
	what = verb == PORT_ADD ? "port add" : "port del";
	if (argc != 2) {
		fprintf(stderr, "rtctl: %s: expected one SPEC, e.g. 7000-7009,7100\n", what);
		return EXIT_USAGE;
	}
	if (portset_parse(argv[1], &ports, err, sizeof(err))) {
		fprintf(stderr, "rtctl: %s: %s\n", what, err);
		return EXIT_USAGE;
	}
	if (!portset_count(&ports)) {
		fprintf(stderr, "rtctl: %s: '%s' names no port\n", what, argv[1]);
		return EXIT_USAGE;
	}
	return client_do(c, verb == PORT_ADD ? RTD_CTL_PORT_ADD : RTD_CTL_PORT_DEL, &ports, what,
			 &rep);
}
