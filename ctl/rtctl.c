// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rtctl: rtd's control tool, in the manner of ip(8). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/rtctl.h"

#define RTCTL_VERSION "0.1.0"

static const char usage[] =
	"Usage: rtctl [-j [-p]] [-s SOCKET | -i IFACE] OBJECT [COMMAND [ARGS]]\n"
	"  OBJECT := { status | port | stats | neigh | sched | help }\n"
	"  rtctl status                 what rtd serves, where and how\n"
	"  rtctl port [list]            the RT port set\n"
	"  rtctl port add SPEC          claim ports live (e.g. 7000-7009,7100)\n"
	"  rtctl port del SPEC          hand ports back to the kernel\n"
	"  rtctl stats                  XDP, socket, stack, in-host latency and app counters\n"
	"  rtctl stats reset-latency    restart the in-host latency histograms\n"
	"  rtctl neigh                  addresses, routes, neighbours mirrored from the kernel\n"
	"  rtctl sched [show]           the kernel egress gate and its counters\n"
	"  rtctl sched set [mode off|reactive|scheduled] [period US] [phase US] [guard US]\n"
	"                  [window US] [hold US] [link MBIT] [reserve MBIT] [bql BYTES]\n"
	"  -j  JSON output   -p  pretty JSON   -s  control socket   -i  rtd's interface\n";

/* Unique-prefix matching, as ip(8): "p" is "port". */
bool matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n && n <= strlen(word) && !strncmp(arg, word, n);
}

static const struct {
	const char *name;
	int (*fn)(struct rtctl *c, int argc, char **argv);
} objects[] = {
	{ "status", do_status },
	{ "port", do_port },
	{ "stats", do_stats },
	{ "neigh", do_neigh },
	{ "sched", do_sched },
};

/* With neither -s nor -i: the one rtd there is, or a clear word why not. */
static int find_socket(char *buf, size_t len)
{
	char names[256] = "";
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(RTD_CTL_DIR);

	if (d) {
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (l < 6 || strcmp(de->d_name + l - 5, ".sock"))
				continue;
			if (!n++)
				snprintf(buf, len, "%s/%s", RTD_CTL_DIR, de->d_name);
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%.*s",
				 n > 1 ? ", " : "", (int)(l - 5), de->d_name);
		}
		closedir(d);
	}
	if (n == 1)
		return 0;
	if (!n)
		fprintf(stderr, "rtctl: no rtd running (no socket in %s)\n", RTD_CTL_DIR);
	else
		fprintf(stderr, "rtctl: several rtd instances (%s): pick one with -i IFACE\n", names);
	return EXIT_DAEMON;
}

int main(int argc, char **argv)
{
	static char sock[108];
	struct rtctl c = { 0 };
	const char *iface = NULL;
	int i = 1;

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
				iface = argv[++i];
		} else if (!strcmp(o, "-h") || !strcmp(o, "-help") || !strcmp(o, "--help")) {
			fputs(usage, stdout);
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
	if (i == argc || matches(argv[i], "help")) {
		fputs(usage, i == argc ? stderr : stdout);
		return i == argc ? EXIT_USAGE : 0;
	}
	for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
		if (!matches(argv[i], objects[k].name))
			continue;
		if (iface) {
			snprintf(sock, sizeof(sock), "%s/%s.sock", RTD_CTL_DIR, iface);
			c.sock = sock;
		} else if (!c.sock) {
			int err = find_socket(sock, sizeof(sock));

			if (err)
				return err;
			c.sock = sock;
		}
		return objects[k].fn(&c, argc - i - 1, argv + i + 1);
	}
	fprintf(stderr, "rtctl: object '%s' is unknown; try 'rtctl help'\n", argv[i]);
	return EXIT_USAGE;
}
