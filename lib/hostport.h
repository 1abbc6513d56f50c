/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A listening address as a setting names it: "ADDR:PORT" or
 * "[ADDR6]:PORT", parsed whole when the setting is read, so that a typo
 * stops rtd before it touches the interface.  Pure.
 */
#ifndef LIB_HOSTPORT_H
#define LIB_HOSTPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct hostport {
	struct in6_addr addr; /* v4-mapped for IPv4 */
	uint16_t port;        /* host order */
	uint8_t family;       /* AF_INET, AF_INET6; 0: not set */
};

/* 0, or -EINVAL with "'s' is not ..." in err; out is cleared first. */
int hostport_parse(const char *s, struct hostport *out, char *err, size_t errlen);
/* "198.18.0.1:9100", "[2001:2::1]:9100"; buf of HOSTPORT_STRLEN bytes. */
#define HOSTPORT_STRLEN (INET6_ADDRSTRLEN + 8)
const char *hostport_str(const struct hostport *h, char *buf);
/* As a sockaddr for bind(): its length. */
socklen_t hostport_sockaddr(const struct hostport *h, struct sockaddr_storage *ss);

#endif
