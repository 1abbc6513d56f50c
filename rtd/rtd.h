/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon as a whole: what main.c starts and the control socket reports. */
#ifndef RTD_RTD_H
#define RTD_RTD_H

#include <stdint.h>

#include <rtd/app.h>

#include "config.h"
#include "ctlsrv.h"
#include "datapath/loop.h"
#include "datapath/xsk.h"
#include "gate/gate.h"
#include "metrics.h"
#include "neigh.h"
#include "ports.h"
#include "rxq.h"
#include "steer.h"

#define RTD_VERSION "0.1.0"

struct rtd {
	struct rtd_config cfg;
	int ifindex;
	int lock_fd; /* the instance lock, held for life */
	uint64_t netns_cookie;
	uint64_t start_ns;
	char state[256]; /* STATE_DIR/IF-NETNS.state: what this instance keeps */
	struct steer steer;
	struct ports ports;
	struct rxq rxq;
	struct neigh_table *nt;
	struct neigh neigh;
	struct xskq *qs;
	unsigned nq;
	struct rtd_app app;
	struct rtd_app_env env;
	struct loop loop;
	struct gate gate;
	struct ctlsrv ctl;
	struct metrics metrics;
};

/* Answers to the control socket (report.c). */
extern const struct ctlsrv_ops rtd_ctl_ops;

#endif
