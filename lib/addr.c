// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "lib/addr.h"

int addr_parse(const char *s, size_t n, struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!n)
		n = strlen(s);
	if (!n || n >= sizeof(buf) || memchr(s, 0, n))
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, &a->s6_addr[12]) == 1) {
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		return AF_INET;
	}
	return inet_pton(AF_INET6, buf, a) == 1 ? AF_INET6 : 0;
}

const char *addr_str(int family, const struct in6_addr *a, char *buf)
{
	buf[0] = 0;
	if (family == AF_INET)
		inet_ntop(AF_INET, &a->s6_addr[12], buf, INET6_ADDRSTRLEN);
	else if (family == AF_INET6)
		inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
	return buf;
}
