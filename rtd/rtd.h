/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon as a whole: what main.c starts and the control socket reports. */
#ifndef RTD_RTD_H
#define RTD_RTD_H

#include <stdint.h>

#include "rtd/app.h"
#include "rtd/config.h"
#include "rtd/ctlsrv.h"
#include "rtd/gate.h"
#include "rtd/loop.h"
#include "rtd/neigh.h"
#include "rtd/ports.h"
#include "rtd/rxq.h"
#include "rtd/steer.h"
#include "rtd/xsk.h"

#define RTD_VERSION "0.1.0"

struct rtd {
	struct rtd_config cfg;
	int ifindex;
	uint64_t netns_cookie;
	uint64_t start_ns;
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
};

/* Answers to the control socket (report.c). */
extern const struct ctlsrv_ops rtd_ctl_ops;

#endif
