// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rtctl: rtd's control tool, in the manner of ip(8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/rtctl.h"

#define RTCTL_VERSION "0.1.0"

/* The objects: name, handler, and their lines of the usage text. */
static const struct object {
	const char *name;
	int (*fn)(struct rtctl *c, int argc, char **argv);
	const char *usage;
} objects[] = {
	{ "status", do_status, "  rtctl status                 what rtd serves, where and how\n" },
	{ "port", do_port,
	  "  rtctl port [list]            the RT port set\n"
	  "  rtctl port add SPEC          claim ports live (e.g. 7000-7009,7100)\n"
	  "  rtctl port del SPEC          hand ports back to the kernel\n" },
	{ "stats", do_stats,
	  "  rtctl stats                  XDP, socket, stack, in-host latency and app counters\n"
	  "  rtctl stats reset-latency    restart the in-host latency histograms\n" },
	{ "neigh", do_neigh,
	  "  rtctl neigh                  addresses, routes, neighbours mirrored from the kernel\n" },
	{ "sched", do_sched,
	  "  rtctl sched [show]           the kernel egress gate and its counters\n"
	  "  rtctl sched set [mode off|reactive|scheduled] [period US] [phase US] [guard US]\n"
	  "                  [window US] [hold US] [link MBIT] [reserve MBIT] [bql BYTES]\n" },
	{ "calls", do_calls,
	  "  rtctl calls                  the relay's calls: per leg, peer and RTP counters\n" },
	{ "help", NULL, NULL },
};

#define NOBJECTS (sizeof(objects) / sizeof(objects[0]))

static void usage(FILE *f)
{
	fputs("Usage: rtctl [-j [-p]] [-s SOCKET | -i IFACE] OBJECT [COMMAND [ARGS]]\n"
	      "  OBJECT := { ",
	      f);
	for (size_t i = 0; i < NOBJECTS; i++)
		fprintf(f, "%s%s", i ? " | " : "", objects[i].name);
	fputs(" }\n", f);
	for (size_t i = 0; i < NOBJECTS; i++)
		if (objects[i].usage)
			fputs(objects[i].usage, f);
	fputs("  -j  JSON output   -p  pretty JSON   -s  control socket   -i  rtd's interface\n", f);
}

/*
 * ip(8) takes the first match in table order; with status, stats and sched
 * that would make "stat" mean status, so a prefix must be unique here.
 */
int lookup(const char *what, const char *arg, const struct verb *v, size_t n)
{
	char names[256] = "";
	size_t alen = strlen(arg);
	int id = -1, hits = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(arg, v[i].name))
			return v[i].id;
	for (size_t i = 0; alen && i < n; i++) {
		if (strncmp(arg, v[i].name, alen) || v[i].id == id)
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 hits ? ", " : "", v[i].name);
		id = v[i].id;
		hits++;
	}
	if (hits == 1)
		return id;
	if (hits)
		fprintf(stderr, "rtctl: %s'%s' is ambiguous (%s)\n", what, arg, names);
	else
		fprintf(stderr, "rtctl: %s'%s' is unknown; try 'rtctl help'\n", what, arg);
	return -1;
}

int main(int argc, char **argv)
{
	struct verb names[NOBJECTS];
	struct rtctl c = { 0 };
	int i = 1, obj;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-j") || !strcmp(o, "-json")) {
			c.json = true;
		} else if (!strcmp(o, "-p") || !strcmp(o, "-pretty")) {
			c.pretty = true;
		} else if ((!strcmp(o, "-s") || !strcmp(o, "-i")) && i + 1 < argc) {
			if (o[1] == 's')
				c.sock = argv[++i];
			else
				c.iface = argv[++i];
		} else if (!strcmp(o, "-h") || !strcmp(o, "-help") || !strcmp(o, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(o, "-V") || !strcmp(o, "-Version")) {
			printf("rtctl " RTCTL_VERSION "\n");
			return 0;
		} else {
			fprintf(stderr, "rtctl: option '%s' is unknown or lacks its value; try 'rtctl help'\n",
				o);
			return EXIT_USAGE;
		}
	}
	if (c.sock && c.iface) {
		fprintf(stderr, "rtctl: -s and -i both name the socket; give one\n");
		return EXIT_USAGE;
	}
	if (c.iface && (!c.iface[0] || strchr(c.iface, '/'))) {
		fprintf(stderr, "rtctl: -i: '%s' is not an interface name\n", c.iface);
		return EXIT_USAGE;
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < NOBJECTS; k++)
		names[k] = (struct verb){ objects[k].name, (int)k };
	obj = LOOKUP("object ", argv[i], names);
	if (obj < 0)
		return EXIT_USAGE;
	if (!objects[obj].fn) {
		usage(stdout);
		return 0;
	}
	return objects[obj].fn(&c, argc - i - 1, argv + i + 1);
}
