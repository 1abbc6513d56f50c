/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtd's settings: defaults, then the config file (--config), then command
 * line options, each later source overriding the earlier.  Errors are one
 * line naming the culprit: "--rt-ports: '70000' is not a port (1-65535)" or
 * "/etc/rtd/rtd.conf:3: unknown key 'rt-prots'".
 */
#ifndef RTD_CONFIG_H
#define RTD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>

#include "rtd/portset.h"

enum rtd_xdp_mode {
	RTD_XDP_AUTO = 0,
	RTD_XDP_NATIVE,
	RTD_XDP_SKB,
};

struct rtd_config {
	char iface[IF_NAMESIZE];
	struct portset ports;
	bool ports_set;
	int cpu;         /* RT thread's CPU; -1: the last online CPU */
	int rt_prio;     /* SCHED_FIFO priority 1-99; 0: SCHED_OTHER */
	char app[16];    /* "echo" by default */
	enum rtd_xdp_mode xdp_mode;
	char ctl_socket[108]; /* default RTD_CTL_DIR "/<iface>.sock" */
	char state_dir[96];   /* default "/run/rtd" */
	unsigned frames;      /* UMEM frames per queue, power of two */
	/* Egress gate (see rtd/gate.h); times in microseconds, rates in Mbit/s. */
	int gate_mode;        /* 0 off, 1 reactive, 2 scheduled */
	int gate_qdisc;       /* 0 auto, 1 tbf, 2 bpf (enum gate_qdisc) */
	unsigned gate_period_us;
	unsigned gate_guard_us;
	unsigned gate_window_us;
	unsigned gate_hold_us;
	unsigned link_mbit;   /* 0: unknown, TBF open at 100 Gbit/s */
	unsigned reserve_mbit;
	unsigned bql_bytes;   /* 0: leave BQL alone */
	int rt_queue;         /* steer RT ports to this RX queue; -1: no */
	char ng_listen[64];   /* relay: ng control address */
	char ng_allow[256];   /* relay: allowed command sources */
	unsigned media_timeout; /* relay: seconds */
	bool help;
	bool version;
};

void config_defaults(struct rtd_config *c);

/*
 * Apply one setting by its long-option name without dashes ("rt-ports",
 * "cpu", ...).  Shared by the command line and the config file.  On error
 * returns -EINVAL with the reason in err (without any location prefix).
 */
int config_set(struct rtd_config *c, const char *key, const char *val, char *err,
	       size_t errlen);

/*
 * Read "key = value" lines ('#' comments, blank lines ignored; keys as the
 * long options).  Errors are prefixed "<path>:<line>: ".  A missing file is
 * -ENOENT with "<path>: No such file or directory".
 */
int config_load(struct rtd_config *c, const char *path, char *err, size_t errlen);

/*
 * Parse argv: --config FILE is applied first wherever it appears, then the
 * other options in order.  Errors are prefixed "--option: ".  After parsing,
 * checks that iface and ports are set (unless help/version was asked for)
 * and fills derived defaults (ctl_socket from iface).
 */
int config_parse_args(struct rtd_config *c, int argc, char **argv, char *err,
		      size_t errlen);

/* Usage text for --help. */
extern const char config_usage[];

#endif
