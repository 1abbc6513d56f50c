// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
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
	"  -a, --app NAME          RT application: echo or relay (default echo)\n"
	"  -m, --xdp-mode MODE     auto, native or skb (default auto: per driver)\n"
	"  -s, --ctl-socket PATH   control socket (default " RTD_CTL_DIR "/IF.sock)\n"
	"      --state-dir DIR     crash-recovery state (default /run/rtd)\n"
	"      --frames N          UMEM frames per queue, power of two (default 4096)\n"
	"      --gate MODE         kernel egress gate: off, reactive or scheduled (default off)\n"
	"      --gate-qdisc KIND   the gate's qdisc: auto, tbf or bpf (default auto: bpf\n"
	"                          where the kernel has BPF qdiscs, else tbf)\n"
	"      --gate-period-us N  scheduled: RT departures every N us (default 20000)\n"
	"      --gate-guard-us N   scheduled: close N us before each departure (default 200)\n"
	"      --gate-window-us N  scheduled: stay closed N us after it (default 100)\n"
	"      --gate-hold-us N    reactive: stay closed N us after RT TX (default 200)\n"
	"      --link-mbit N       the NIC's rate, for the gate's open rate\n"
	"      --reserve-mbit N    bandwidth kept back from the kernel for RT\n"
	"      --bql-bytes N       cap on kernel bytes in the TX ring while gated\n"
	"      --rt-queue N        steer RT ports to RX queue N (ethtool ntuple filters)\n"
	"      --ng-listen LIST    relay: ng control addresses, comma-separated\n"
	"                          (default 127.0.0.1:2223,[::1]:2223)\n"
	"      --ng-allow PREFIXES relay: who may send commands (default 127.0.0.0/8,::1/128)\n"
	"      --media-timeout S   relay: end calls silent for S seconds (default 60)\n"
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
	c->gate_period_us = 20000;
	c->gate_guard_us = 200;
	c->gate_window_us = 100;
	c->gate_hold_us = 200;
	c->rt_queue = -1;
	snprintf(c->ng_listen, sizeof(c->ng_listen), "127.0.0.1:2223,[::1]:2223");
	snprintf(c->ng_allow, sizeof(c->ng_allow), "127.0.0.0/8,::1/128");
	c->media_timeout = 60;
}

static const struct {
	const char *key;
	size_t off;
	long lo, hi;
} uint_keys[] = {
	{ "gate-period-us", offsetof(struct rtd_config, gate_period_us), 10, 10000000 },
	{ "gate-guard-us", offsetof(struct rtd_config, gate_guard_us), 0, 10000000 },
	{ "gate-window-us", offsetof(struct rtd_config, gate_window_us), 0, 10000000 },
	{ "gate-hold-us", offsetof(struct rtd_config, gate_hold_us), 0, 10000000 },
	{ "link-mbit", offsetof(struct rtd_config, link_mbit), 0, 10000000 },
	{ "reserve-mbit", offsetof(struct rtd_config, reserve_mbit), 0, 10000000 },
	{ "bql-bytes", offsetof(struct rtd_config, bql_bytes), 0, 1 << 30 },
	{ "media-timeout", offsetof(struct rtd_config, media_timeout), 1, 86400 },
};

/*
 * Options that take one of a few words; the field gets the word's index, so
 * the words are in the order of the field's enum (rtd_xdp_mode, gate_mode,
 * gate_qdisc).
 */
#define CHOICE_WORDS 3
static const struct {
	const char *key;
	size_t off;
	const char *names[CHOICE_WORDS];
} choice_keys[] = {
	{ "xdp-mode", offsetof(struct rtd_config, xdp_mode), { "auto", "native", "skb" } },
	{ "gate", offsetof(struct rtd_config, gate_mode), { "off", "reactive", "scheduled" } },
	{ "gate-qdisc", offsetof(struct rtd_config, gate_qdisc), { "auto", "tbf", "bpf" } },
};
/* xdp_mode is set through an int, as the others. */
_Static_assert(sizeof(enum rtd_xdp_mode) == sizeof(int), "enum rtd_xdp_mode is not int-sized");

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

/* val's index in names[n], or -EINVAL with an error listing the names. */
static int set_choice(const char *val, const char *const *names, int n, char *err, size_t errlen)
{
	size_t off;

	for (int i = 0; i < n; i++)
		if (!strcmp(val, names[i]))
			return i;
	off = snprintf(err, errlen, "'%s' is not one of ", val);
	for (int i = 0; i < n && off < errlen; i++)
		off += snprintf(err + off, errlen - off, "%s%s", i ? ", " : "", names[i]);
	return -EINVAL;
}

/* As config_set, but an unknown key is -ENOENT: the file names no key then. */
static int set_key(struct rtd_config *c, const char *key, const char *val, char *err,
		   size_t errlen)
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
			snprintf(err, errlen, "'%s' is not a CPU number (0-4095)", val);
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
	if (!strcmp(key, "ng-listen"))
		return set_str(c->ng_listen, sizeof(c->ng_listen), val, "ng address", err, errlen);
	if (!strcmp(key, "ng-allow"))
		return set_str(c->ng_allow, sizeof(c->ng_allow), val, "prefix list", err, errlen);
	if (!strcmp(key, "rt-queue")) {
		if (parse_uint(val, 0, 63, &v)) {
			snprintf(err, errlen, "'%s' is not a queue number (0-63)", val);
			return -EINVAL;
		}
		c->rt_queue = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(choice_keys) / sizeof(choice_keys[0]); i++) {
		int n;

		if (strcmp(key, choice_keys[i].key))
			continue;
		n = set_choice(val, choice_keys[i].names, CHOICE_WORDS, err, errlen);
		if (n < 0)
			return n;
		*(int *)((char *)c + choice_keys[i].off) = n;
		return 0;
	}
	for (size_t i = 0; i < sizeof(uint_keys) / sizeof(uint_keys[0]); i++) {
		if (strcmp(key, uint_keys[i].key))
			continue;
		if (parse_uint(val, uint_keys[i].lo, uint_keys[i].hi, &v)) {
			snprintf(err, errlen, "'%s' is not a number in %ld-%ld", val, uint_keys[i].lo,
				 uint_keys[i].hi);
			return -EINVAL;
		}
		*(unsigned *)((char *)c + uint_keys[i].off) = v;
		return 0;
	}
	snprintf(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

int config_set(struct rtd_config *c, const char *key, const char *val, char *err, size_t errlen)
{
	return set_key(c, key, val, err, errlen) ? -EINVAL : 0;
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
		ret = set_key(c, key, val, why, sizeof(why));
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
	{ "gate", required_argument, NULL, 'G' },
	{ "rt-queue", required_argument, NULL, 1008 },
	{ "ng-listen", required_argument, NULL, 1009 },
	{ "ng-allow", required_argument, NULL, 1010 },
	{ "media-timeout", required_argument, NULL, 1011 },
	{ "gate-qdisc", required_argument, NULL, 1012 },
	{ "gate-period-us", required_argument, NULL, 1001 },
	{ "gate-guard-us", required_argument, NULL, 1002 },
	{ "gate-window-us", required_argument, NULL, 1003 },
	{ "gate-hold-us", required_argument, NULL, 1004 },
	{ "link-mbit", required_argument, NULL, 1005 },
	{ "reserve-mbit", required_argument, NULL, 1006 },
	{ "bql-bytes", required_argument, NULL, 1007 },
	{ "config", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* '+': stop at the first operand; ':': report a missing value apart. */
static const char short_opts[] = "+:i:p:c:a:m:s:f:hV";

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
	optind = 0; /* 0, not 1: glibc then also forgets a half-read "-hV" */
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (opt == 'f') {
			ret = config_load(c, optarg, err, errlen);
			if (ret)
				return ret;
		}
	}
	optind = 0;
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
		case ':':
			if (optopt > 0 && optopt < 128 && strchr(short_opts, optopt) &&
			    strncmp(argv[optind - 1], "--", 2))
				snprintf(err, errlen, "-%c: missing value", optopt);
			else
				snprintf(err, errlen, "--%s: missing value", opt_name(optopt));
			return -EINVAL;
		case '?':
			/* optopt is 0 for an unknown long option, and the short
			 * equivalent's value for "--help=x": name what was typed. */
			if (!strncmp(argv[optind - 1], "--", 2) || optopt <= 0 || optopt >= 128)
				snprintf(err, errlen, "'%s' is not an option (see --help)",
					 argv[optind - 1]);
			else
				snprintf(err, errlen, "'-%c' is not an option (see --help)", optopt);
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
		snprintf(err, errlen, "missing --iface");
		return -EINVAL;
	}
	if (!c->ports_set) {
		snprintf(err, errlen, "missing --rt-ports");
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
