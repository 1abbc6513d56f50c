// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

const char *const log_level_words[] = { "error", "warning", "info", "debug", NULL };
static const int level_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/* Set once at start, before any thread: read without a lock afterwards. */
static int max_prio = LOG_INFO;
static int journal = -1; /* unknown until the first line */
static FILE *out;

void log_set_file(FILE *f)
{
	out = f;
	journal = 0;
}

void log_set_level(unsigned index)
{
	if (index < sizeof(level_prio) / sizeof(level_prio[0]))
		max_prio = level_prio[index];
}

int log_enabled(int prio)
{
	return prio <= max_prio;
}

/*
 * systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * gave us; only when stderr is still that stream does a prefix belong.
 */
static int to_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%lu:%lu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st))
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_msg(int prio, const char *sub, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (prio > max_prio)
		return;
	if (journal < 0)
		journal = to_journal();
	n = journal ? snprintf(line, sizeof(line), "<%d>rtd: %s: ", prio, sub)
		    : snprintf(line, sizeof(line), "rtd: %s: ", sub);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line: lines of several threads never interleave. */
	fprintf(out ? out : stderr, "%s\n", line);
}
