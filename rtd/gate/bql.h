/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BQL: a cap on the kernel's bytes in the driver's TX rings, so that an RT
 * frame waits behind at most that much kernel traffic.  Each TX queue's
 * limit_max as first found is what goes back, on exit or, from the state
 * file, at the start after a crash.
 */
#ifndef GATE_BQL_H
#define GATE_BQL_H

#include <stdbool.h>

#include "lib/statefile.h"

struct bql {
	char ifname[16];
	unsigned ntx;
	long *saved; /* limit_max per TX queue; -1: not changed */
};

int bql_open(struct bql *b, const char *ifname);
/* Cap every queue at bytes; 0 gives each its own limit back. */
void bql_apply(struct bql *b, unsigned bytes);
/* Every queue's own limit back. */
void bql_restore(struct bql *b);
void bql_close(struct bql *b);
/* The state file's lines for what is changed now. */
void bql_save(const struct bql *b, struct statefile_w *w);
/* A state-file line of a crashed rtd: restore it; 1 if it was one of ours. */
int bql_restore_line(const char *ifname, const char *line);

#endif
