/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef RTD_NOTIFY_H
#define RTD_NOTIFY_H

/* Tell systemd (Type=notify) about our state, e.g. "READY=1". */
int notify_send(const char *msg);

#endif
