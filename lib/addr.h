/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IP addresses as rtd keeps them: struct in6_addr for both families, IPv4
 * v4-mapped (::ffff:a.b.c.d), beside the family.
 */
#ifndef LIB_ADDR_H
#define LIB_ADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>

/* The literal s[0..n) (n = 0: up to its NUL) into a: AF_INET, AF_INET6, or 0. */
int addr_parse(const char *s, size_t n, struct in6_addr *a);
/* a as text in buf (INET6_ADDRSTRLEN bytes); "" for family 0. */
const char *addr_str(int family, const struct in6_addr *a, char *buf);

#endif
