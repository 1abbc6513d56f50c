/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What rtd changed in the kernel, recorded before it changes it, so that
 * the start after a crash can undo what the crashed rtd could not: one
 * small text file per module in the state directory, "key value" lines.
 * Written whole to a temporary file and renamed over the old one, so a
 * reader never sees half a file, however the writer died.
 */
#ifndef LIB_STATEFILE_H
#define LIB_STATEFILE_H

#include <stdio.h>

struct statefile_w {
	FILE *f;
	const char *path;
	char tmp[320];
};

/* Start writing path anew; 0 or -errno. */
int statefile_begin(struct statefile_w *w, const char *path);
void statefile_printf(struct statefile_w *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Put the file in place of the old one; 0 or -errno (the old one stays). */
int statefile_commit(struct statefile_w *w);

/*
 * Call fn on each line of path (without its newline, of any length) until
 * fn returns non-zero, which is then returned.  -ENOENT without a file.
 */
int statefile_read(const char *path, int (*fn)(void *arg, char *line), void *arg);
/* The file is no longer needed: the kernel is as it was. */
void statefile_remove(const char *path);

#endif
