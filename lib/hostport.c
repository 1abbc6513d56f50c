// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/hostport.h"

static int bad(const char *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "'%s' is not ADDR:PORT or [ADDR6]:PORT", s);
	return -EINVAL;
}

/* 1-65535, digits only: atoi would take "80x" and "-1". */
static int parse_port(const char *p)
{
	long v = 0;

	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > 65535)
			return -1;
	}
	return v ? (int)v : -1;
}

int hostport_parse(const char *s, struct hostport *out, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':'), *host = s;
	size_t hlen;
	int port, fam;

	memset(out, 0, sizeof(*out));
	if (!colon || (port = parse_port(colon + 1)) < 0)
		return bad(s, err, errlen);
	hlen = (size_t)(colon - s);
	if (s[0] == '[') {
		/* The brackets must close right before the port's colon. */
		if (hlen < 2 || colon[-1] != ']')
			return bad(s, err, errlen);
		host = s + 1;
		hlen -= 2;
	}
	if (!hlen)
		return bad(s, err, errlen);
	fam = addr_parse(host, hlen, &out->addr);
	/* A bare IPv6 address must be bracketed: "::1:80" is ambiguous. */
	if (!fam || (fam == AF_INET6) != (s[0] == '[')) {
		memset(out, 0, sizeof(*out));
		return bad(s, err, errlen);
	}
	out->family = (uint8_t)fam;
	out->port = (uint16_t)port;
	return 0;
}

const char *hostport_str(const struct hostport *h, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(h->family, &h->addr, a);
	snprintf(buf, HOSTPORT_STRLEN, h->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, h->port);
	return buf;
}

socklen_t hostport_sockaddr(const struct hostport *h, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (h->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(h->port);
		memcpy(&s4->sin_addr, &h->addr.s6_addr[12], 4);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(h->port);
	s6->sin6_addr = h->addr;
	return sizeof(*s6);
}
