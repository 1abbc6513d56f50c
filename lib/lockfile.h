/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One process at a time: an exclusive flock on a file, which the kernel
 * drops the moment its holder dies, however it dies.  The file holds the
 * holder's pid, for messages.
 */
#ifndef LIB_LOCKFILE_H
#define LIB_LOCKFILE_H

#include <sys/types.h>

/*
 * Take the lock on path (created if need be) and write our pid into it:
 * the fd to keep open for as long as the lock is ours, or -EWOULDBLOCK with
 * the holder's pid in *holder (0 if unknown), or another -errno.
 */
int lockfile_take(const char *path, pid_t *holder);
void lockfile_release(int fd);

#endif
