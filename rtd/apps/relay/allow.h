/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Who may send ng commands: a list of address prefixes (--ng-allow). */
#ifndef RELAY_ALLOW_H
#define RELAY_ALLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#define ALLOW_MAX 16

struct allow {
	struct {
		int family;
		struct in6_addr addr; /* IPv4 v4-mapped */
		unsigned len;         /* bits of the 128-bit form */
	} p[ALLOW_MAX];
	unsigned n;
};

/* "127.0.0.0/8,::1/128": 0, or -EINVAL / -E2BIG. */
int allow_parse(struct allow *a, const char *list);
bool allow_match(const struct allow *a, const struct sockaddr_storage *ss);

#endif
