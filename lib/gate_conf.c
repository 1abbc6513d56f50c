// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>

#include "lib/gate_conf.h"

const char *const gate_mode_words[] = { "off", "reactive", "scheduled", NULL };
static const char *const qdisc_words[] = { "auto", "tbf", "bpf", NULL };

#define F(f) .off = offsetof(struct rtd_gate_conf, f), .size = sizeof(((struct rtd_gate_conf *)0)->f)
/* Times and rates: a number, live under a short name, with its unit. */
#define NUM(n, f, l, h, d, lv, u, hl) \
	{ .name = n, .type = SETTING_UINT, F(f), .lo = l, .hi = h, .dflt = d, .arg = "N", \
	  .help = hl, .live = lv, .unit = u }

static const struct setting rows[] = {
	{ .name = "gate", .type = SETTING_WORD, F(mode), .words = gate_mode_words, .dflt = "off",
	  .arg = "MODE", .help = "kernel egress gate: off, reactive or scheduled", .live = "mode" },
	{ .name = "gate-qdisc", .type = SETTING_WORD, F(qdisc), .words = qdisc_words,
	  .dflt = "auto", .arg = "KIND",
	  .help = "the gate's qdisc: auto, tbf or bpf (default auto: bpf\n"
		  "where the kernel has BPF qdiscs, else tbf)" },
	NUM("gate-period-us", period_us, 10, 10000000, "20000", "period", "us",
	    "scheduled: RT departures every N us"),
	NUM("gate-phase-us", phase_us, 0, 10000000, "0", "phase", "us",
	    "scheduled: the departures' offset in the period"),
	NUM("gate-guard-us", guard_us, 0, 10000000, "200", "guard", "us",
	    "scheduled: close N us before each departure"),
	NUM("gate-window-us", window_us, 0, 10000000, "100", "window", "us",
	    "scheduled: stay closed N us after it"),
	NUM("gate-hold-us", hold_us, 0, 10000000, "200", "hold", "us",
	    "reactive: stay closed N us after RT TX"),
	NUM("link-mbit", link_mbit, 0, 10000000, "0", "link", "mbit",
	    "the NIC's rate, for the gate's open rate (0: unknown)"),
	NUM("reserve-mbit", reserve_mbit, 0, 10000000, "0", "reserve", "mbit",
	    "bandwidth kept back from the kernel for RT"),
	NUM("bql-bytes", bql_bytes, 0, 1 << 30, "0", "bql", "bytes",
	    "cap on kernel bytes in the TX ring (0: BQL's own)"),
};

const struct setting_table gate_settings = SETTING_TABLE("Egress gate", rows);
