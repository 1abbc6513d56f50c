/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One-line logs, subsystem first ("rtd: xdp: ..."), to stderr, with the
 * syslog priority of their level.  Under systemd, stderr is a stream into
 * the journal, and a "<N>" prefix sets the line's priority there (systemd
 * strips it): `journalctl -p warning -u rtd@eth0` then filters.  Never
 * called on the RT path.
 */
#ifndef RTD_LOG_H
#define RTD_LOG_H

#include <stdio.h>
#include <syslog.h>

/* The words of --log-level, most severe first; log_set_level() takes an index. */
extern const char *const log_level_words[];
void log_set_level(unsigned index);
/* Whether lines of this priority are written (to skip building costly ones). */
int log_enabled(int prio);

/* Where lines go: stderr unless a test points them elsewhere. */
void log_set_file(FILE *f);

void log_msg(int prio, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(sub, fmt, ...) log_msg(LOG_ERR, sub, fmt, ##__VA_ARGS__)
#define log_warn(sub, fmt, ...) log_msg(LOG_WARNING, sub, fmt, ##__VA_ARGS__)
#define log_info(sub, fmt, ...) log_msg(LOG_INFO, sub, fmt, ##__VA_ARGS__)
#define log_debug(sub, fmt, ...) log_msg(LOG_DEBUG, sub, fmt, ##__VA_ARGS__)

#endif
