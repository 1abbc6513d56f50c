// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/lockfile.h"

int lockfile_take(const char *path, pid_t *holder)
{
	char buf[24];
	ssize_t n;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), err;

	*holder = 0;
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = 0;
			*holder = (pid_t)strtol(buf, NULL, 10);
		}
		close(fd);
		return err;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n) {
		err = -errno;
		close(fd);
		return err ? err : -EIO;
	}
	return fd;
}

void lockfile_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
