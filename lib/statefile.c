// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/statefile.h"

int statefile_begin(struct statefile_w *w, const char *path)
{
	w->path = path;
	if (snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", path) >= (int)sizeof(w->tmp))
		return -ENAMETOOLONG;
	w->f = fopen(w->tmp, "we");
	return w->f ? 0 : -errno;
}

void statefile_printf(struct statefile_w *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
}

int statefile_commit(struct statefile_w *w)
{
	/* A short write shows as an error from fclose or in ferror. */
	int bad = ferror(w->f);

	if (fclose(w->f) || bad) {
		unlink(w->tmp);
		return -EIO;
	}
	if (rename(w->tmp, w->path)) {
		int err = -errno;

		unlink(w->tmp);
		return err;
	}
	return 0;
}

int statefile_read(const char *path, int (*fn)(void *arg, char *line), void *arg)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		if (n && line[n - 1] == '\n')
			line[n - 1] = 0;
		ret = fn(arg, line);
	}
	free(line);
	fclose(f);
	return ret;
}

void statefile_remove(const char *path)
{
	unlink(path);
}
