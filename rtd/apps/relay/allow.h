/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Who may send ng commands: a list of address prefixes (--ng-allow). */
#ifndef RELAY_ALLOW_H
#define RELAY_ALLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define ALLOW_MAX 16

struct allow_prefix {
	int family;
	struct in6_addr addr; /* IPv4 v4-mapped */
	unsigned len;         /* bits of the 128-bit form */
};

struct allow {
	struct allow_prefix p[ALLOW_MAX];
	unsigned n;
};

/*
 * "127.0.0.0/8,::1/128" into field (a struct allow): 0, or -EINVAL with the
 * item named in err ("'127.0.0.1/abc' is not a prefix").  A settings parser.
 */
int allow_parse(void *field, const char *list, char *err, size_t errlen);
bool allow_match(const struct allow *a, const struct sockaddr_storage *ss);

#endif
