// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate/bql.h"
#include "log.h"

static void path_of(const char *ifname, unsigned q, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/class/net/%s/queues/tx-%u/byte_queue_limits/limit_max", ifname, q);
}

static long bql_read(const char *ifname, unsigned q)
{
	char path[160];
	long v = -1;
	FILE *f;

	path_of(ifname, q, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int bql_write(const char *ifname, unsigned q, long v)
{
	char path[160];
	FILE *f;
	int ret = 0;

	path_of(ifname, q, path, sizeof(path));
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", v) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static unsigned count_tx_queues(const char *ifname)
{
	char path[160];
	unsigned n = 0;

	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/tx-%u", ifname, n);
		if (access(path, F_OK))
			return n;
	}
}

int bql_open(struct bql *b, const char *ifname)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->ifname, sizeof(b->ifname), "%s", ifname);
	b->ntx = count_tx_queues(ifname);
	b->saved = malloc((b->ntx ? b->ntx : 1) * sizeof(long));
	if (!b->saved)
		return -ENOMEM;
	for (unsigned q = 0; q < b->ntx; q++)
		b->saved[q] = -1;
	return 0;
}

void bql_apply(struct bql *b, unsigned bytes)
{
	if (bytes && (!b->ntx || bql_read(b->ifname, 0) < 0))
		log_info("gate", "%s has no BQL (its driver does not account TX bytes): nothing to cap",
			 b->ifname);
	for (unsigned q = 0; q < b->ntx; q++) {
		long v = bql_read(b->ifname, q);

		if (v < 0)
			continue;
		if (!bytes) {
			if (b->saved[q] >= 0 && !bql_write(b->ifname, q, b->saved[q]))
				b->saved[q] = -1;
		} else if (!bql_write(b->ifname, q, bytes) && b->saved[q] < 0) {
			b->saved[q] = v;
		}
	}
}

void bql_restore(struct bql *b)
{
	for (unsigned q = 0; q < b->ntx; q++) {
		if (b->saved[q] >= 0)
			bql_write(b->ifname, q, b->saved[q]);
		b->saved[q] = -1;
	}
}

void bql_close(struct bql *b)
{
	free(b->saved);
	b->saved = NULL;
}

void bql_save(const struct bql *b, struct statefile_w *w)
{
	for (unsigned q = 0; q < b->ntx; q++)
		if (b->saved[q] >= 0)
			statefile_printf(w, "bql %u %ld\n", q, b->saved[q]);
}

int bql_restore_line(const char *ifname, const char *line)
{
	unsigned q;
	long v;

	if (sscanf(line, "bql %u %ld", &q, &v) != 2)
		return 0;
	if (!bql_write(ifname, q, v))
		log_info("gate", "restored BQL limit_max %ld on %s tx-%u left by an earlier rtd", v,
			 ifname, q);
	return 1;
}
