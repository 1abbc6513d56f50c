/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The egress gate's settings table, over struct rtd_gate_conf: rtd's
 * options and config keys (--gate, --gate-period-us, ...) and, by their
 * live names, rtctl sched set and show (mode, period, ...).
 */
#ifndef LIB_GATE_CONF_H
#define LIB_GATE_CONF_H

#include <rtd/ctl.h>

#include "lib/settings.h"

enum { GATE_OFF, GATE_REACTIVE, GATE_SCHEDULED };
enum { GATE_QDISC_AUTO, GATE_QDISC_TBF, GATE_QDISC_BPF };

extern const char *const gate_mode_words[];
extern const struct setting_table gate_settings;

#endif
