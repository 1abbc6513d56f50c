/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One-line logs with the subsystem first ("rtd: xdp: ..."), to stderr, which
 * systemd puts in the journal.  Never called on the RT path.
 */
#ifndef RTD_LOG_H
#define RTD_LOG_H

#include <stdio.h>

#define log_err(sub, fmt, ...) fprintf(stderr, "rtd: " sub ": " fmt "\n", ##__VA_ARGS__)
#define log_info(sub, fmt, ...) fprintf(stderr, "rtd: " sub ": " fmt "\n", ##__VA_ARGS__)

#endif
