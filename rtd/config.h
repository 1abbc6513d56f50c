/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtd's settings: defaults, then the config file (--config), then command
 * line options, each later source overriding the earlier.  Every setting is
 * a row of a table (config.c for the daemon's, lib/gate_conf.c for the
 * gate's, the relay's own in apps/relay/conf.c).  Errors are one line
 * naming the culprit: "--rt-ports: '70000' is not a port (1-65535)" or
 * "/etc/rtd/rtd.conf:3: unknown key 'rt-prots'".
 */
#ifndef RTD_CONFIG_H
#define RTD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include <rtd/ctl.h>
#include <rtd/portset.h>

#include "apps/relay/conf.h"
#include "lib/hostport.h"

/* UDP checksums that hold only the pseudo header's sum (TX offload, no wire). */
enum rtd_csum_verify {
	RTD_CSUM_AUTO = 0, /* taken on virtual interfaces, refused on physical NICs */
	RTD_CSUM_FULL,     /* refused: every checksum must be complete */
	RTD_CSUM_PARTIAL,  /* taken on any interface */
};

struct rtd_config {
	char iface[IF_NAMESIZE];
	struct portset ports; /* empty: not given */
	int cpu;         /* RT thread's CPU; -1: the last online CPU */
	int rt_prio;     /* SCHED_FIFO priority 1-99; 0: SCHED_OTHER */
	char app[16];    /* "echo" by default */
	unsigned xdp_mode; /* enum rtd_xdp_mode (steer.h) */
	char ctl_socket[108]; /* default RTD_CTL_DIR "/<iface>.sock" */
	char state_dir[96];   /* default "/run/rtd" */
	unsigned frames;      /* UMEM frames per queue, power of two */
	int rt_queue;         /* steer RT ports to this RX queue; -1: no */
	unsigned log_level;   /* index into log_level_words */
	unsigned csum_verify; /* enum rtd_csum_verify */
	struct hostport metrics_listen; /* family 0: no metrics server */
	struct rtd_gate_conf gate;
	struct relay_conf relay;
	/* Command line only. */
	char config_file[256];
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

/* --help. */
void config_usage(FILE *f);

#endif
