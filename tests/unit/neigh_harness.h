/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the neighbour table tests share: one table t, set up before each
 * test with 198.18.0.1/24 and 2001:2::1/64 as its own addresses, and
 * helpers that write to it as the netlink side does (one entry a write)
 * and resolve through it as the RT thread does.
 */
#ifndef RTD_TEST_NEIGH_HARNESS_H
#define RTD_TEST_NEIGH_HARNESS_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "neigh_table.h"

static struct neigh_table t;

static inline struct in6_addr A(const char *s)
{
	struct in6_addr a = { 0 };

	if (strchr(s, ':')) {
		assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	} else {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		assert_int_equal(inet_pton(AF_INET, s, &a.s6_addr[12]), 1);
	}
	return a;
}

static inline int fam(const char *s)
{
	return strchr(s, ':') ? AF_INET6 : AF_INET;
}

/* 198.18.x.y for i below 65536: all inside the test prefix 198.18.0.0/15. */
static inline struct in6_addr v4_nth(unsigned i)
{
	char s[32];

	snprintf(s, sizeof(s), "198.18.%u.%u", (i >> 8) & 0xff, i & 0xff);
	return A(s);
}

static inline struct nt_route mkroute(const char *dst, int len, const char *gw, uint32_t metric)
{
	struct nt_route r = { .dst = A(dst), .family = fam(dst), .dst_len = len, .metric = metric };

	if (gw) {
		r.gw = A(gw);
		r.has_gw = true;
	}
	return r;
}

/* dst/len via gw (NULL: on link) added in a write of its own: the result. */
static inline int route_add(const char *dst, int len, const char *gw, uint32_t metric)
{
	struct nt_route r = mkroute(dst, len, gw, metric);
	int err;

	nt_write_begin(&t);
	err = nt_route_add(&t, &r);
	nt_write_end(&t);
	return err;
}

static inline void route(const char *dst, int len, const char *gw, uint32_t metric)
{
	assert_int_equal(route_add(dst, len, gw, metric), 0);
}

static inline int route_del(const char *dst, int len, uint32_t metric)
{
	struct nt_route r = mkroute(dst, len, NULL, metric);
	int err;

	nt_write_begin(&t);
	err = nt_route_del(&t, &r);
	nt_write_end(&t);
	return err;
}

static inline int addr(const char *a, int plen, bool add)
{
	struct in6_addr x = A(a);
	int err;

	nt_write_begin(&t);
	err = add ? nt_addr_add(&t, fam(a), &x, plen) : nt_addr_del(&t, fam(a), &x, plen);
	nt_write_end(&t);
	return err;
}

static inline void neigh(const char *a, uint8_t last, uint16_t state)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, last };
	struct in6_addr x = A(a);

	nt_write_begin(&t);
	assert_int_equal(nt_neigh_set(&t, fam(a), &x, mac, state), 0);
	nt_write_end(&t);
}

/* IPv4 neighbour v4_nth(i) set to mac in state, in a write of its own: the result. */
static inline int neigh_nth(unsigned i, const uint8_t *mac, uint16_t state)
{
	struct in6_addr x = v4_nth(i);
	int err;

	nt_write_begin(&t);
	err = nt_neigh_set(&t, AF_INET, &x, mac, state);
	nt_write_end(&t);
	return err;
}

static inline int neigh_del(const char *a)
{
	struct in6_addr x = A(a);
	int err;

	nt_write_begin(&t);
	err = nt_neigh_del(&t, fam(a), &x);
	nt_write_end(&t);
	return err;
}

/* Resolve dst; *last gets the MAC's last byte, nh (optional) the next hop. */
static inline int resolve(const char *dst, uint8_t *last, struct in6_addr *nh)
{
	uint8_t mac[6] = { 0 };
	struct in6_addr d = A(dst), n;
	int ret = nt_resolve(&t, fam(dst), &d, mac, nh ? nh : &n);

	*last = mac[5];
	return ret;
}

static inline int setup(void **state)
{
	(void)state;
	nt_init(&t);
	assert_int_equal(addr("198.18.0.1", 24, true), 0);
	assert_int_equal(addr("2001:2::1", 64, true), 0);
	return 0;
}

#define T(f) cmocka_unit_test_setup(f, setup)

#endif
