// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/allow.h"

/* "/N" after an address: digits only, within the family's bits. */
static int prefix_len(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* One "ADDR[/LEN]" item into p. */
static int parse_item(char *item, struct allow_prefix *p)
{
	char *slash = strchr(item, '/');
	unsigned len = 0;

	if (slash)
		*slash++ = 0;
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, item, &p->addr.s6_addr[12]) == 1) {
		p->family = AF_INET;
		p->addr.s6_addr[10] = p->addr.s6_addr[11] = 0xff;
		if (slash && prefix_len(slash, 32, &len))
			return -EINVAL;
		p->len = slash ? 96 + len : 128;
	} else if (inet_pton(AF_INET6, item, &p->addr) == 1) {
		p->family = AF_INET6;
		if (slash && prefix_len(slash, 128, &len))
			return -EINVAL;
		p->len = slash ? len : 128;
	} else {
		return -EINVAL;
	}
	return 0;
}

int allow_parse(void *field, const char *list, char *err, size_t errlen)
{
	struct allow *a = field;
	char buf[256], item[64];
	const char *p = list;

	memset(a, 0, sizeof(*a));
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "longer than %zu characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1), p);
		if (a->n == ALLOW_MAX) {
			snprintf(err, errlen, "more than %d prefixes", ALLOW_MAX);
			return -EINVAL;
		}
		if (n >= sizeof(item) || parse_item(item, &a->p[a->n])) {
			snprintf(err, errlen, "'%.*s' is not a prefix", (int)n, p);
			return -EINVAL;
		}
		a->n++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

bool allow_match(const struct allow *a, const struct sockaddr_storage *ss)
{
	struct in6_addr x = { 0 };

	if (ss->ss_family == AF_INET) {
		x.s6_addr[10] = x.s6_addr[11] = 0xff;
		memcpy(&x.s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		x = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	} else {
		return false;
	}
	for (unsigned i = 0; i < a->n; i++) {
		unsigned bits = a->p[i].len, bytes = bits / 8, rem = bits % 8;

		/* An IPv6 prefix shorter than 96 bits must not take in every IPv4 sender. */
		if ((a->p[i].family == AF_INET) != IN6_IS_ADDR_V4MAPPED(&x))
			continue;
		if (memcmp(&x, &a->p[i].addr, bytes))
			continue;
		if (rem && (x.s6_addr[bytes] ^ a->p[i].addr.s6_addr[bytes]) & (0xff << (8 - rem)))
			continue;
		return true;
	}
	return false;
}
