// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lib/gate_conf.h"
#include "log.h"

static const char *const xdp_mode_words[] = { "auto", "native", "skb", NULL };
static const char *const csum_words[] = { "auto", "full", "partial", NULL };

static int parse_ports(void *field, const char *val, char *err, size_t errlen)
{
	return portset_parse(val, field, err, errlen);
}

static int parse_listen(void *field, const char *val, char *err, size_t errlen)
{
	return hostport_parse(val, field, err, errlen);
}

#define F(f) .off = offsetof(struct rtd_config, f), .size = sizeof(((struct rtd_config *)0)->f)

static const struct setting rows[] = {
	{ .name = "iface", .key = 'i', .type = SETTING_STR, F(iface), .what = "interface name",
	  .arg = "IF", .help = "interface to share with the kernel" },
	{ .name = "rt-ports", .key = 'p', .type = SETTING_FUNC, F(ports), .parse = parse_ports,
	  .arg = "SPEC", .help = "RT port set: ports and ascending ranges, comma-separated" },
	{ .name = "cpu", .key = 'c', .type = SETTING_INT, F(cpu), .lo = 0, .hi = 4095,
	  .what = "CPU number", .dflt = "-1", .arg = "N",
	  .help = "CPU of the RT thread (default: last online CPU)" },
	{ .name = "rt-prio", .type = SETTING_INT, F(rt_prio), .lo = 0, .hi = 99, .what = "priority",
	  .dflt = "50", .arg = "N", .help = "SCHED_FIFO priority 1-99, 0 for SCHED_OTHER" },
	{ .name = "app", .key = 'a', .type = SETTING_STR, F(app), .what = "application name",
	  .dflt = "echo", .arg = "NAME", .help = "RT application: echo or relay" },
	{ .name = "xdp-mode", .key = 'm', .type = SETTING_WORD, F(xdp_mode),
	  .words = xdp_mode_words, .dflt = "auto", .arg = "MODE",
	  .help = "auto, native or skb (default auto: per driver)" },
	{ .name = "ctl-socket", .key = 's', .type = SETTING_STR, F(ctl_socket),
	  .what = "socket path", .arg = "PATH",
	  .help = "control socket (default " RTD_CTL_DIR "/IF.sock)" },
	{ .name = "state-dir", .type = SETTING_STR, F(state_dir), .what = "directory",
	  .dflt = "/run/rtd", .arg = "DIR", .help = "crash-recovery state" },
	{ .name = "frames", .type = SETTING_UINT, .flags = SETTING_POW2, F(frames), .lo = 512,
	  .hi = 65536, .dflt = "4096", .arg = "N", .help = "UMEM frames per queue, power of two" },
	{ .name = "rt-queue", .type = SETTING_INT, F(rt_queue), .lo = 0, .hi = 63,
	  .what = "queue number", .dflt = "-1", .arg = "N",
	  .help = "steer RT ports to RX queue N (ethtool ntuple filters)" },
	{ .name = "csum-verify", .type = SETTING_WORD, F(csum_verify), .words = csum_words,
	  .dflt = "auto", .arg = "HOW",
	  .help = "UDP checksums: full (complete ones only), partial (also those a\n"
		  "sender with TX offload leaves with only the pseudo-header sum),\n"
		  "auto: partial on virtual interfaces (veth, tap, bridge, virtio), else full" },
	{ .name = "metrics-listen", .type = SETTING_FUNC, F(metrics_listen), .parse = parse_listen,
	  .arg = "ADDR:PORT", .help = "serve GET /metrics (Prometheus) on ADDR:PORT, [ADDR6]:PORT\n"
				     "for IPv6 (default: off)" },
	{ .name = "log-level", .type = SETTING_WORD, F(log_level), .words = log_level_words,
	  .dflt = "info", .arg = "LEVEL", .help = "error, warning, info or debug" },
	{ .name = "config", .key = 'f', .type = SETTING_STR, .flags = SETTING_CMDLINE,
	  F(config_file), .what = "file name", .arg = "FILE",
	  .help = "read settings (key = value, keys as long options)" },
	{ .name = "help", .key = 'h', .type = SETTING_FLAG, .flags = SETTING_CMDLINE, F(help),
	  .help = "this text" },
	{ .name = "version", .key = 'V', .type = SETTING_FLAG, .flags = SETTING_CMDLINE,
	  F(version), .help = "print the version" },
};

static const struct setting_table daemon_settings = SETTING_TABLE(NULL, rows);

/* Each table over its part of struct rtd_config. */
static const struct {
	const struct setting_table *t;
	size_t off;
} sections[] = {
	{ &daemon_settings, 0 },
	{ &gate_settings, offsetof(struct rtd_config, gate) },
	{ &relay_settings, offsetof(struct rtd_config, relay) },
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* The row named key, and the part of c it fills. */
static const struct setting *find(struct rtd_config *c, const char *key, void **obj)
{
	for (size_t i = 0; i < NSECTIONS; i++) {
		const struct setting *s = settings_find(sections[i].t, key, false);

		if (s) {
			*obj = (char *)c + sections[i].off;
			return s;
		}
	}
	return NULL;
}

void config_defaults(struct rtd_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NSECTIONS; i++)
		settings_defaults(sections[i].t, (char *)c + sections[i].off);
}

/* As config_set, but an unknown key is -ENOENT: the file names no key then. */
static int set_key(struct rtd_config *c, const char *key, const char *val, bool cmdline,
		   char *err, size_t errlen)
{
	void *obj;
	const struct setting *s = find(c, key, &obj);

	if (!s || (!cmdline && (s->flags & SETTING_CMDLINE))) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -ENOENT;
	}
	return setting_apply(s, obj, val, err, errlen);
}

int config_set(struct rtd_config *c, const char *key, const char *val, char *err, size_t errlen)
{
	return set_key(c, key, val, false, err, errlen) ? -EINVAL : 0;
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

/* One "key = value" line (comment cut): 0, or -EINVAL with the reason. */
static int load_line(struct rtd_config *c, char *line, char *err, size_t errlen)
{
	char why[256], *key = trim(line), *val, *eq;
	int ret;

	if (!*key)
		return 0;
	eq = strchr(key, '=');
	if (!eq) {
		snprintf(err, errlen, "expected 'key = value', got '%s'", key);
		return -EINVAL;
	}
	*eq = 0;
	val = trim(eq + 1);
	key = trim(key);
	if (!strcmp(key, "config")) {
		snprintf(err, errlen, "'config' cannot be set in a config file");
		return -EINVAL;
	}
	ret = set_key(c, key, val, false, why, sizeof(why));
	if (ret == -ENOENT)
		snprintf(err, errlen, "%s", why);
	else if (ret)
		snprintf(err, errlen, "%s: %s", key, why);
	return ret ? -EINVAL : 0;
}

/* Bytes of a config line before its LF, at most. */
#define CONF_LINE_MAX 1022

int config_load(struct rtd_config *c, const char *path, char *err, size_t errlen)
{
	char *line = NULL, why[300];
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f = fopen(path, "re");
	ssize_t n;
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	/* getline, not fgets: a NUL in a line would hide the rest of it from
	 * strchr, and the line was called too long. */
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n - (n && line[n - 1] == '\n');

		lineno++;
		if (len > CONF_LINE_MAX) {
			snprintf(why, sizeof(why), "line too long");
			ret = -EINVAL;
		} else if (memchr(line, 0, len)) {
			snprintf(why, sizeof(why), "a NUL byte in the line");
			ret = -EINVAL;
		} else {
			line[strcspn(line, "#\n")] = 0;
			ret = load_line(c, line, why, sizeof(why));
		}
		if (ret)
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
	}
	free(line);
	fclose(f);
	return ret;
}

/* getopt's view of every row: long options from names, short from keys. */
#define MAX_OPTS 96
#define LONG_ONLY 256 /* getopt values above any short option's */

struct opts {
	struct option o[MAX_OPTS + 1];
	const struct setting *row[MAX_OPTS];
	size_t off[MAX_OPTS];
	char shorts[2 * MAX_OPTS + 3];
	unsigned n;
};

static void build_opts(struct opts *p)
{
	size_t sl = 0;

	memset(p, 0, sizeof(*p));
	/* '+': stop at the first operand; ':': report a missing value apart. */
	p->shorts[sl++] = '+';
	p->shorts[sl++] = ':';
	for (size_t i = 0; i < NSECTIONS; i++) {
		for (size_t k = 0; k < sections[i].t->n && p->n < MAX_OPTS; k++) {
			const struct setting *s = &sections[i].t->rows[k];
			bool flag = s->type == SETTING_FLAG;

			p->o[p->n] = (struct option){ s->name, flag ? no_argument : required_argument,
						      NULL, s->key ? s->key : LONG_ONLY + (int)p->n };
			p->row[p->n] = s;
			p->off[p->n] = sections[i].off;
			p->n++;
			if (s->key) {
				p->shorts[sl++] = (char)s->key;
				if (!flag)
					p->shorts[sl++] = ':';
			}
		}
	}
}

/* The option getopt returned as val. */
static int opt_index(const struct opts *p, int val)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->o[i].val == val)
			return (int)i;
	return -1;
}

/* getopt's ':' and '?': name what was typed. */
static int opt_error(const struct opts *p, int opt, char **argv, char *err, size_t errlen)
{
	const char *typed = argv[optind - 1];
	bool is_long = !strncmp(typed, "--", 2);

	if (opt == ':') {
		int i = opt_index(p, optopt);

		if (optopt > 0 && optopt < 128 && strchr(p->shorts + 2, optopt) && !is_long)
			snprintf(err, errlen, "-%c: missing value", optopt);
		else
			snprintf(err, errlen, "--%s: missing value", i >= 0 ? p->o[i].name : "?");
		return -EINVAL;
	}
	/* optopt is 0 for an unknown long option, and the short equivalent's
	 * value for "--help=x": name what was typed. */
	if (is_long || optopt <= 0 || optopt >= 128)
		snprintf(err, errlen, "'%s' is not an option (see --help)", typed);
	else
		snprintf(err, errlen, "'-%c' is not an option (see --help)", optopt);
	return -EINVAL;
}

/* After the options: what must be given, and what follows from it. */
static int check(struct rtd_config *c, char *err, size_t errlen)
{
	if (!c->iface[0]) {
		snprintf(err, errlen, "missing --iface");
		return -EINVAL;
	}
	if (!portset_count(&c->ports)) {
		snprintf(err, errlen, "missing --rt-ports");
		return -EINVAL;
	}
	if (c->relay.redis.host[0] && c->relay.keep_calls) {
		snprintf(err, errlen, "--redis: it keeps calls as the state directory does, and "
				      "needs --keep-calls yes");
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

int config_parse_args(struct rtd_config *c, int argc, char **argv, char *err, size_t errlen)
{
	static struct opts p;
	char why[256];
	int opt, ret;

	build_opts(&p);
	/* The file first, wherever --config appears: the command line wins. */
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then also forgets a half-read "-hV" */
	while ((opt = getopt_long(argc, argv, p.shorts, p.o, NULL)) != -1) {
		if (opt == 'f') {
			ret = config_load(c, optarg, err, errlen);
			if (ret)
				return ret;
		}
	}
	optind = 0;
	while ((opt = getopt_long(argc, argv, p.shorts, p.o, NULL)) != -1) {
		int i = opt == ':' || opt == '?' ? -1 : opt_index(&p, opt);
		const struct setting *s = i < 0 ? NULL : p.row[i];

		if (!s)
			return opt_error(&p, opt, argv, err, errlen);
		if (s->type == SETTING_FLAG) { /* help, version: nothing else matters */
			setting_apply(s, (char *)c + p.off[i], NULL, why, sizeof(why));
			return 0;
		}
		if (opt == 'f')
			continue;
		if (setting_apply(s, (char *)c + p.off[i], optarg, why, sizeof(why))) {
			snprintf(err, errlen, "--%s: %s", s->name, why);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "'%s': unexpected argument (see --help)", argv[optind]);
		return -EINVAL;
	}
	return check(c, err, errlen);
}

void config_usage(FILE *f)
{
	fputs("Usage: rtd --iface IF --rt-ports SPEC [OPTIONS]\n"
	      "\n"
	      "Serve the UDP ports in SPEC (e.g. 5004-5099,6000) from the real-time\n"
	      "domain on IF, beside the kernel's stack, on the same address.\n"
	      "\n",
	      f);
	for (size_t i = 0; i < NSECTIONS; i++)
		settings_usage(sections[i].t, f);
}
