// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/relay/allow.h"
#include "log.h"

int allow_parse(struct allow *a, const char *list)
{
	char buf[256], *save = NULL, *item;

	memset(a, 0, sizeof(*a));
	snprintf(buf, sizeof(buf), "%s", list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(item, '/');

		if (a->n == ALLOW_MAX)
			return -E2BIG;
		if (slash)
			*slash++ = 0;
		if (inet_pton(AF_INET, item, &a->p[a->n].addr.s6_addr[12]) == 1) {
			a->p[a->n].family = AF_INET;
			a->p[a->n].addr.s6_addr[10] = a->p[a->n].addr.s6_addr[11] = 0xff;
			a->p[a->n].len = slash ? 96 + atoi(slash) : 128;
		} else if (inet_pton(AF_INET6, item, &a->p[a->n].addr) == 1) {
			a->p[a->n].family = AF_INET6;
			a->p[a->n].len = slash ? (unsigned)atoi(slash) : 128;
		} else {
			log_err("ng", "--ng-allow: '%s' is not an address prefix", item);
			return -EINVAL;
		}
		if (a->p[a->n].len > 128)
			return -EINVAL;
		a->n++;
	}
	return 0;
}

bool allow_match(const struct allow *a, const struct sockaddr_storage *ss)
{
	struct in6_addr x = { 0 };

	if (ss->ss_family == AF_INET) {
		x.s6_addr[10] = x.s6_addr[11] = 0xff;
		memcpy(&x.s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		x = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	}
	for (unsigned i = 0; i < a->n; i++) {
		unsigned bits = a->p[i].len, bytes = bits / 8, rem = bits % 8;

		if (memcmp(&x, &a->p[i].addr, bytes))
			continue;
		if (rem && (x.s6_addr[bytes] ^ a->p[i].addr.s6_addr[bytes]) & (0xff << (8 - rem)))
			continue;
		return true;
	}
	return false;
}
