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
	fputs("Usage: rtctl [-j [-p]] [-s PATH | -i IF] OBJECT [COMMAND [ARGS]]\n"
	      "  OBJECT := { ",
	      f);
	for (size_t i = 0; i < NOBJECTS; i++)
		fprintf(f, "%s%s", i ? " | " : "", objects[i].name);
	fputs(" }\n", f);
	for (size_t i = 0; i < NOBJECTS; i++)
		if (objects[i].usage)
			fputs(objects[i].usage, f);
	fputs("  -j, --json  JSON output        -p, --pretty  pretty JSON\n"
	      "  -s, --ctl-socket PATH  rtd's control socket\n"
	      "  -i, --iface IF         the rtd serving IF (its socket in " RTD_CTL_DIR ")\n", f);
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

/* Global options, as rtd spells them (--ctl-socket, --iface) and as ip(8) does (-json). */
enum { OPT_JSON, OPT_PRETTY, OPT_SOCKET, OPT_IFACE, OPT_HELP, OPT_VERSION };

static const struct option_name {
	int id;
	const char *shrt, *lng, *ip; /* "-j", "--json", "-json" */
	bool arg;
} options[] = {
	{ OPT_JSON, "-j", "--json", "-json", false },
	{ OPT_PRETTY, "-p", "--pretty", "-pretty", false },
	{ OPT_SOCKET, "-s", "--ctl-socket", NULL, true },
	{ OPT_IFACE, "-i", "--iface", NULL, true },
	{ OPT_HELP, "-h", "--help", "-help", false },
	{ OPT_VERSION, "-V", "--version", "-Version", false },
};

static bool named(const char *o, size_t n, const char *name)
{
	return name && strlen(name) == n && !strncmp(o, name, n);
}

/* The option argv[*i] names; its value, if any, in *val.  -1: usage error said. */
static int option(int argc, char **argv, int *i, const char **val)
{
	const char *o = argv[*i], *eq = strchr(o, '=');
	/* --ctl-socket=PATH; a short option's value is the next word */
	size_t n = eq && !strncmp(o, "--", 2) ? (size_t)(eq - o) : strlen(o);

	for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++) {
		const struct option_name *p = &options[k];

		if (!named(o, n, p->shrt) && !named(o, n, p->lng) && !named(o, n, p->ip))
			continue;
		*val = NULL;
		if (o[n] == '=' && !p->arg)
			break;
		if (o[n] == '=') {
			*val = o + n + 1;
		} else if (p->arg) {
			if (*i + 1 >= argc) {
				fprintf(stderr, "rtctl: %s needs a value; try 'rtctl help'\n", o);
				return -1;
			}
			*val = argv[++*i];
		}
		return p->id;
	}
	fprintf(stderr, "rtctl: option '%s' is unknown; try 'rtctl help'\n", o);
	return -1;
}

/* The options before the object: 0 and the object's index in *i, or an exit code + 1. */
static int options_parse(struct rtctl *c, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && argv[*i][0] == '-'; ++*i) {
		const char *val;

		switch (option(argc, argv, i, &val)) {
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PRETTY:
			c->pretty = true;
			break;
		case OPT_SOCKET:
			c->sock = val;
			break;
		case OPT_IFACE:
			c->iface = val;
			break;
		case OPT_HELP:
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("rtctl " RTCTL_VERSION "\n");
			return 1;
		default:
			return EXIT_USAGE + 1;
		}
	}
	if (c->sock && c->iface) {
		fprintf(stderr, "rtctl: --ctl-socket and --iface both name the socket; give one\n");
		return EXIT_USAGE + 1;
	}
	if (c->iface && (!c->iface[0] || strchr(c->iface, '/'))) {
		fprintf(stderr, "rtctl: --iface: '%s' is not an interface name\n", c->iface);
		return EXIT_USAGE + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct verb names[NOBJECTS];
	struct rtctl c = { 0 };
	int i, obj, ret = options_parse(&c, argc, argv, &i);

	if (ret)
		return ret - 1;
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
