// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtd/config.h"
#include "rtd/ctl.h"

const char config_usage[] =
	"Usage: rtd --iface IF --rt-ports SPEC [OPTIONS]\n"
	"\n"
	"Serve the UDP ports in SPEC (e.g. 5004-5099,6000) from the real-time\n"
	"domain on IF, beside the kernel's stack, on the same address.\n"
	"\n"
	"  -i, --iface IF          interface to share with the kernel\n"
	"  -p, --rt-ports SPEC     RT port set: ports and ascending ranges, comma-separated\n"
	"  -c, --cpu N             CPU of the RT thread (default: last online CPU)\n"
	"      --rt-prio N         SCHED_FIFO priority 1-99, 0 for SCHED_OTHER (default 50)\n"
	"  -a, --app NAME          RT application (default echo)\n"
	"  -m, --xdp-mode MODE     auto, native or skb (default auto: per driver)\n"
	"  -s, --ctl-socket PATH   control socket (default " RTD_CTL_DIR "/IF.sock)\n"
	"      --state-dir DIR     crash-recovery state (default /run/rtd)\n"
	"      --frames N          UMEM frames per queue, power of two (default 4096)\n"
	"  -f, --config FILE       read settings (key = value, keys as long options)\n"
	"  -h, --help              this text\n"
	"  -V, --version           print the version\n";

void config_defaults(struct rtd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cpu = -1;
	c->rt_prio = 50;
	snprintf(c->app, sizeof(c->app), "echo");
	c->xdp_mode = RTD_XDP_AUTO;
	snprintf(c->state_dir, sizeof(c->state_dir), "/run/rtd");
	c->frames = 4096;
}

static int parse_uint(const char *val, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!*val || !isdigit((unsigned char)*val))
		return -EINVAL;
	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_str(char *dst, size_t size, const char *val, const char *what, char *err,
		   size_t errlen)
{
	if (!*val || strlen(val) >= size) {
		snprintf(err, errlen, "'%s' is not a valid %s (1-%zu characters)", val, what,
			 size - 1);
		return -EINVAL;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

int config_set(struct rtd_config *c, const char *key, const char *val, char *err, size_t errlen)
{
	long v;

	if (!strcmp(key, "iface"))
		return set_str(c->iface, sizeof(c->iface), val, "interface name", err, errlen);
	if (!strcmp(key, "rt-ports")) {
		int ret = portset_parse(val, &c->ports, err, errlen);

		c->ports_set = !ret;
		return ret;
	}
	if (!strcmp(key, "cpu")) {
		if (parse_uint(val, 0, 4095, &v)) {
			snprintf(err, errlen, "'%s' is not a CPU number", val);
			return -EINVAL;
		}
		c->cpu = v;
		return 0;
	}
	if (!strcmp(key, "rt-prio")) {
		if (parse_uint(val, 0, 99, &v)) {
			snprintf(err, errlen, "'%s' is not a priority (0-99)", val);
			return -EINVAL;
		}
		c->rt_prio = v;
		return 0;
	}
	if (!strcmp(key, "app"))
		return set_str(c->app, sizeof(c->app), val, "application name", err, errlen);
	if (!strcmp(key, "xdp-mode")) {
		if (!strcmp(val, "auto"))
			c->xdp_mode = RTD_XDP_AUTO;
		else if (!strcmp(val, "native"))
			c->xdp_mode = RTD_XDP_NATIVE;
		else if (!strcmp(val, "skb"))
			c->xdp_mode = RTD_XDP_SKB;
		else {
			snprintf(err, errlen, "'%s' is not one of auto, native, skb", val);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "ctl-socket"))
		return set_str(c->ctl_socket, sizeof(c->ctl_socket), val, "socket path", err,
			       errlen);
	if (!strcmp(key, "state-dir"))
		return set_str(c->state_dir, sizeof(c->state_dir), val, "directory", err, errlen);
	if (!strcmp(key, "frames")) {
		if (parse_uint(val, 512, 65536, &v) || (v & (v - 1))) {
			snprintf(err, errlen, "'%s' is not a power of two in 512-65536", val);
			return -EINVAL;
		}
		c->frames = v;
		return 0;
	}
	snprintf(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int config_load(struct rtd_config *c, const char *path, char *err, size_t errlen)
{
	char line[1024], why[256];
	unsigned lineno = 0;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *eq;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			ret = -EINVAL;
			break;
		}
		line[strcspn(line, "#\n")] = 0;
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value', got '%s'", path, lineno,
				 key);
			ret = -EINVAL;
			break;
		}
		*eq = 0;
		val = trim(eq + 1);
		key = trim(key);
		if (!strcmp(key, "config")) {
			snprintf(err, errlen, "%s:%u: 'config' cannot be set in a config file", path,
				 lineno);
			ret = -EINVAL;
			break;
		}
		ret = config_set(c, key, val, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "%s:%u: %s%s%s", path, lineno,
				 ret == -ENOENT ? "" : key, ret == -ENOENT ? "" : ": ", why);
			ret = -EINVAL;
			break;
		}
	}
	fclose(f);
	return ret;
}

static const struct option long_opts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "rt-ports", required_argument, NULL, 'p' },
	{ "cpu", required_argument, NULL, 'c' },
	{ "rt-prio", required_argument, NULL, 'P' },
	{ "app", required_argument, NULL, 'a' },
	{ "xdp-mode", required_argument, NULL, 'm' },
	{ "ctl-socket", required_argument, NULL, 's' },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "frames", required_argument, NULL, 'F' },
	{ "config", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char short_opts[] = "+i:p:c:a:m:s:f:hV";

static const char *opt_name(int val)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

int config_parse_args(struct rtd_config *c, int argc, char **argv, char *err, size_t errlen)
{
	char why[256];
	int opt, ret;

	/* The file first, wherever --config appears: the command line wins. */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (opt == 'f') {
			ret = config_load(c, optarg, err, errlen);
			if (ret)
				return ret;
		}
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			break;
		case 'h':
			c->help = true;
			return 0;
		case 'V':
			c->version = true;
			return 0;
		case '?':
			if (optopt)
				snprintf(err, errlen, "-%c: unknown option or missing value (see --help)",
					 optopt);
			else
				snprintf(err, errlen, "%s: unknown option or missing value (see --help)",
					 argv[optind - 1]);
			return -EINVAL;
		default:
			ret = config_set(c, opt_name(opt), optarg, why, sizeof(why));
			if (ret) {
				snprintf(err, errlen, "--%s: %s", opt_name(opt), why);
				return -EINVAL;
			}
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "'%s': unexpected argument (see --help)", argv[optind]);
		return -EINVAL;
	}
	if (!c->iface[0]) {
		snprintf(err, errlen, "missing --iface (see --help)");
		return -EINVAL;
	}
	if (!c->ports_set) {
		snprintf(err, errlen, "missing --rt-ports (see --help)");
		return -EINVAL;
	}
	if (!c->ctl_socket[0] &&
	    snprintf(c->ctl_socket, sizeof(c->ctl_socket), "%s/%s.sock", RTD_CTL_DIR, c->iface) >=
		    (int)sizeof(c->ctl_socket)) {
		snprintf(err, errlen, "--ctl-socket: default path too long");
		return -EINVAL;
	}
	return 0;
}
