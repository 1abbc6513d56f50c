// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "neigh_table.h"

static struct neigh_table t;

static struct in6_addr A(const char *s)
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

static int fam(const char *s)
{
	return strchr(s, ':') ? AF_INET6 : AF_INET;
}

/* 198.18.x.y for i below 65536: all inside the test prefix 198.18.0.0/15. */
static struct in6_addr v4_nth(unsigned i)
{
	char s[32];

	snprintf(s, sizeof(s), "198.18.%u.%u", (i >> 8) & 0xff, i & 0xff);
	return A(s);
}

static struct nt_route mkroute(const char *dst, int len, const char *gw, uint32_t metric)
{
	struct nt_route r = { .dst = A(dst), .family = fam(dst), .dst_len = len, .metric = metric };

	if (gw) {
		r.gw = A(gw);
		r.has_gw = true;
	}
	return r;
}

static void route(const char *dst, int len, const char *gw, uint32_t metric)
{
	struct nt_route r = mkroute(dst, len, gw, metric);

	nt_write_begin(&t);
	assert_int_equal(nt_route_add(&t, &r), 0);
	nt_write_end(&t);
}

static int route_del(const char *dst, int len, uint32_t metric)
{
	struct nt_route r = mkroute(dst, len, NULL, metric);
	int err;

	nt_write_begin(&t);
	err = nt_route_del(&t, &r);
	nt_write_end(&t);
	return err;
}

static int addr(const char *a, int plen, bool add)
{
	struct in6_addr x = A(a);
	int err;

	nt_write_begin(&t);
	err = add ? nt_addr_add(&t, fam(a), &x, plen) : nt_addr_del(&t, fam(a), &x, plen);
	nt_write_end(&t);
	return err;
}

static void neigh(const char *a, uint8_t last, uint16_t state)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, last };
	struct in6_addr x = A(a);

	nt_write_begin(&t);
	assert_int_equal(nt_neigh_set(&t, fam(a), &x, mac, state), 0);
	nt_write_end(&t);
}

static int neigh_del(const char *a)
{
	struct in6_addr x = A(a);
	int err;

	nt_write_begin(&t);
	err = nt_neigh_del(&t, fam(a), &x);
	nt_write_end(&t);
	return err;
}

/* Resolve dst; *last gets the MAC's last byte, nh (optional) the next hop. */
static int resolve(const char *dst, uint8_t *last, struct in6_addr *nh)
{
	uint8_t mac[6] = { 0 };
	struct in6_addr d = A(dst), n;
	int ret = nt_resolve(&t, fam(dst), &d, mac, nh ? nh : &n);

	*last = mac[5];
	return ret;
}

static int setup(void **state)
{
	(void)state;
	nt_init(&t);
	assert_int_equal(addr("198.18.0.1", 24, true), 0);
	assert_int_equal(addr("2001:2::1", 64, true), 0);
	return 0;
}

static void test_on_link_peer_resolves_to_its_own_mac(void **state)
{
	uint8_t m;
	struct in6_addr nh, want = A("198.18.0.2");

	(void)state;
	route("198.18.0.0", 24, NULL, 0);
	neigh("198.18.0.2", 0x22, NUD_REACHABLE);
	assert_int_equal(resolve("198.18.0.2", &m, &nh), 0);
	assert_int_equal(m, 0x22);
	assert_memory_equal(&nh, &want, 16);
}

static void test_gateway_route_resolves_to_gateway_mac(void **state)
{
	uint8_t m;
	struct in6_addr nh, gw = A("198.18.0.254");

	(void)state;
	route("198.18.0.0", 24, NULL, 0);
	route("0.0.0.0", 0, "198.18.0.254", 0);
	neigh("198.18.0.254", 0xfe, NUD_STALE);
	assert_int_equal(resolve("198.19.1.1", &m, &nh), 0);
	assert_int_equal(m, 0xfe);
	assert_memory_equal(&nh, &gw, 16);
}

static void test_longest_prefix_wins_over_default_and_connected(void **state)
{
	uint8_t m;

	(void)state;
	route("0.0.0.0", 0, "198.18.0.254", 0);
	route("198.18.0.0", 24, NULL, 0);
	route("198.19.5.0", 24, "198.18.0.253", 0);
	route("198.19.5.128", 25, "198.18.0.252", 0);
	neigh("198.18.0.254", 0xfe, NUD_REACHABLE);
	neigh("198.18.0.253", 0xfd, NUD_REACHABLE);
	neigh("198.18.0.252", 0xfc, NUD_REACHABLE);
	neigh("198.18.0.7", 0x07, NUD_REACHABLE);
	assert_int_equal(resolve("198.19.5.9", &m, NULL), 0);
	assert_int_equal(m, 0xfd);
	assert_int_equal(resolve("198.19.5.200", &m, NULL), 0);
	assert_int_equal(m, 0xfc);
	assert_int_equal(resolve("198.19.6.1", &m, NULL), 0);
	assert_int_equal(m, 0xfe);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), 0); /* connected beats default */
	assert_int_equal(m, 0x07);
}

static void test_lower_metric_wins_among_equal_prefixes(void **state)
{
	uint8_t m;

	(void)state;
	route("0.0.0.0", 0, "198.18.0.253", 200);
	route("0.0.0.0", 0, "198.18.0.254", 100);
	neigh("198.18.0.254", 0xfe, NUD_REACHABLE);
	neigh("198.18.0.253", 0xfd, NUD_REACHABLE);
	assert_int_equal(resolve("198.19.0.1", &m, NULL), 0);
	assert_int_equal(m, 0xfe);
	assert_int_equal(route_del("0.0.0.0", 0, 100), 0);
	assert_int_equal(resolve("198.19.0.1", &m, NULL), 0);
	assert_int_equal(m, 0xfd);
}

static void test_same_route_key_replaces_the_gateway(void **state)
{
	uint8_t m;

	(void)state;
	route("0.0.0.0", 0, "198.18.0.253", 100);
	route("0.0.0.0", 0, "198.18.0.254", 100);
	assert_int_equal(t.nroutes, 1);
	neigh("198.18.0.254", 0xfe, NUD_REACHABLE);
	neigh("198.18.0.253", 0xfd, NUD_REACHABLE);
	assert_int_equal(resolve("198.19.0.1", &m, NULL), 0);
	assert_int_equal(m, 0xfe);
}

static void test_deleted_route_no_longer_serves(void **state)
{
	uint8_t m;

	(void)state;
	route("198.19.0.0", 16, "198.18.0.254", 0);
	neigh("198.18.0.254", 0xfe, NUD_REACHABLE);
	assert_int_equal(resolve("198.19.3.3", &m, NULL), 0);
	assert_int_equal(route_del("198.19.0.0", 16, 1), -ENOENT); /* metric is part of the key */
	assert_int_equal(route_del("198.19.0.0", 16, 0), 0);
	assert_int_equal(resolve("198.19.3.3", &m, NULL), -EHOSTUNREACH);
	assert_int_equal(t.nroutes, 0);
}

static void test_own_prefix_is_on_link_without_a_route(void **state)
{
	uint8_t m;

	(void)state;
	neigh("198.18.0.9", 9, NUD_PERMANENT);
	assert_int_equal(resolve("198.18.0.9", &m, NULL), 0);
	assert_int_equal(m, 9);
	assert_int_equal(addr("198.18.0.1", 24, false), 0);
	assert_int_equal(resolve("198.18.0.9", &m, NULL), -EHOSTUNREACH);
}

static void test_address_add_replace_and_delete(void **state)
{
	struct in6_addr a = A("198.18.0.1"), b = A("198.18.7.7");

	(void)state;
	assert_true(nt_is_local(&t, AF_INET, &a));
	assert_false(nt_is_local(&t, AF_INET, &b));
	assert_int_equal(addr("198.18.0.1", 24, true), 0); /* again: no duplicate */
	assert_int_equal(t.naddrs, 2);
	assert_int_equal(addr("198.18.0.1", 16, true), 0); /* other prefix: a second entry */
	assert_int_equal(t.naddrs, 3);
	assert_int_equal(addr("198.18.0.1", 24, false), 0);
	assert_true(nt_is_local(&t, AF_INET, &a)); /* the /16 is still there */
	assert_int_equal(addr("198.18.0.1", 16, false), 0);
	assert_false(nt_is_local(&t, AF_INET, &a));
	assert_int_equal(addr("198.18.0.1", 16, false), -ENOENT);
	assert_int_equal(addr("198.18.0.1", 33, true), -EINVAL);
}

static void test_v4_mapped_ipv6_address_is_not_an_ipv4_one(void **state)
{
	struct in6_addr a = A("198.18.0.1");
	uint8_t m;

	(void)state;
	assert_true(nt_is_local(&t, AF_INET, &a));
	assert_false(nt_is_local(&t, AF_INET6, &a));
	neigh("198.18.0.5", 5, NUD_REACHABLE);
	a = A("198.18.0.5");
	assert_int_equal(resolve("198.18.0.5", &m, NULL), 0);
	/* Same 16 bytes asked for as IPv6: no route, and no neighbour either. */
	assert_int_equal(nt_resolve(&t, AF_INET6, &a, (uint8_t[6]){ 0 }, &a), -EHOSTUNREACH);
}

static void test_address_table_full_says_so(void **state)
{
	char s[64];
	int err = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < NT_MAX_ADDRS + 4 && !err; i++) {
		snprintf(s, sizeof(s), "2001:2::%x", i + 0x100);
		err = addr(s, 64, true);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(t.naddrs, NT_MAX_ADDRS);
}

static void test_route_table_full_says_so(void **state)
{
	char s[64];
	int err = 0;

	(void)state;
	for (unsigned i = 0; i < NT_MAX_ROUTES + 4 && !err; i++) {
		struct nt_route r;

		snprintf(s, sizeof(s), "2001:2:%x::", i);
		r = mkroute(s, 48, "2001:2::fe", 1024);
		nt_write_begin(&t);
		err = nt_route_add(&t, &r);
		nt_write_end(&t);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(t.nroutes, NT_MAX_ROUTES);
}

static void test_unresolved_next_hop_asks_for_resolution(void **state)
{
	uint8_t m;
	struct in6_addr nh, want = A("198.18.0.7");

	(void)state;
	assert_int_equal(resolve("198.18.0.7", &m, &nh), -EAGAIN);
	assert_memory_equal(&nh, &want, 16);
	neigh("198.18.0.7", 7, NUD_INCOMPLETE);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), -EAGAIN);
	neigh("198.18.0.7", 7, NUD_FAILED);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), -EAGAIN);
	neigh("198.18.0.7", 7, NUD_NONE);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), -EAGAIN);
	neigh("198.18.0.7", 7, NUD_REACHABLE);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), 0);
	assert_int_equal(neigh_del("198.18.0.7"), 0);
	assert_int_equal(neigh_del("198.18.0.7"), -ENOENT);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), -EAGAIN);
}

static void test_unresolved_gateway_gives_the_gateway_as_next_hop(void **state)
{
	uint8_t m;
	struct in6_addr nh, gw = A("2001:2::fe");

	(void)state;
	route("::", 0, "2001:2::fe", 1024);
	assert_int_equal(resolve("2001:2:9::1", &m, &nh), -EAGAIN);
	assert_memory_equal(&nh, &gw, 16);
}

static void test_every_usable_state_resolves(void **state)
{
	static const uint16_t usable[] = { NUD_REACHABLE, NUD_STALE,	 NUD_DELAY,
					   NUD_PROBE,	  NUD_PERMANENT, NUD_NOARP };
	uint8_t m;

	(void)state;
	for (size_t i = 0; i < sizeof(usable) / sizeof(usable[0]); i++) {
		neigh("198.18.0.3", (uint8_t)i + 1, usable[i]);
		assert_int_equal(resolve("198.18.0.3", &m, NULL), 0);
		assert_int_equal(m, i + 1);
	}
}

static void test_state_update_without_mac_keeps_the_old_mac(void **state)
{
	struct in6_addr x = A("198.18.0.4");
	uint8_t m;

	(void)state;
	neigh("198.18.0.4", 0x44, NUD_REACHABLE);
	nt_write_begin(&t);
	assert_int_equal(nt_neigh_set(&t, AF_INET, &x, NULL, NUD_STALE), 0);
	nt_write_end(&t);
	assert_int_equal(resolve("198.18.0.4", &m, NULL), 0);
	assert_int_equal(m, 0x44);
	assert_int_equal(t.nneigh, 1);
}

static void test_no_route_is_unreachable(void **state)
{
	uint8_t m;

	(void)state;
	assert_int_equal(resolve("198.19.0.1", &m, NULL), -EHOSTUNREACH);
	assert_int_equal(resolve("2001:2:1::1", &m, NULL), -EHOSTUNREACH);
}

static void test_ipv6_neighbours_and_routes(void **state)
{
	uint8_t m;

	(void)state;
	neigh("2001:2::2", 0x62, NUD_REACHABLE);
	assert_int_equal(resolve("2001:2::2", &m, NULL), 0); /* on-link via our /64 */
	assert_int_equal(m, 0x62);
	route("::", 0, "2001:2::fe", 1024);
	route("2001:2:77::", 48, "2001:2::fd", 1024);
	neigh("2001:2::fe", 0x6e, NUD_DELAY);
	neigh("2001:2::fd", 0x6d, NUD_REACHABLE);
	assert_int_equal(resolve("2001:2:ff::1", &m, NULL), 0);
	assert_int_equal(m, 0x6e);
	assert_int_equal(resolve("2001:2:77:1::1", &m, NULL), 0);
	assert_int_equal(m, 0x6d);
	/* An IPv6 default route does not serve IPv4. */
	assert_int_equal(resolve("198.19.0.1", &m, NULL), -EHOSTUNREACH);
	assert_int_equal(neigh_del("2001:2::fe"), 0);
	assert_int_equal(resolve("2001:2:ff::1", &m, NULL), -EAGAIN);
}

static void test_odd_prefix_lengths_match_bit_exactly(void **state)
{
	uint8_t m;

	(void)state;
	route("198.19.128.0", 17, "198.18.0.254", 0);
	route("2001:2:0:8000::", 49, "2001:2::fe", 0);
	route("2001:2::8000:0:0:0", 65, "2001:2::fd", 0);
	neigh("198.18.0.254", 0xfe, NUD_REACHABLE);
	neigh("2001:2::fe", 0x6e, NUD_REACHABLE);
	neigh("2001:2::fd", 0x6d, NUD_REACHABLE);
	assert_int_equal(resolve("198.19.128.1", &m, NULL), 0);
	assert_int_equal(resolve("198.19.127.255", &m, NULL), -EHOSTUNREACH);
	assert_int_equal(resolve("2001:2:0:8001::1", &m, NULL), 0);
	assert_int_equal(m, 0x6e);
	assert_int_equal(resolve("2001:2:0:7fff::1", &m, NULL), -EHOSTUNREACH);
	assert_int_equal(resolve("2001:2::8000:0:0:1", &m, NULL), 0);
	assert_int_equal(m, 0x6d);
}

static void test_neighbour_table_full_says_so(void **state)
{
	int err = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < NT_MAX_NEIGH && !err; i++) {
		struct in6_addr x = v4_nth(i);
		uint8_t mac[6] = { 0 };

		nt_write_begin(&t);
		err = nt_neigh_set(&t, AF_INET, &x, mac, NUD_REACHABLE);
		nt_write_end(&t);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(i, NT_NEIGH_LIMIT + 1);
	assert_int_equal(t.nneigh, NT_NEIGH_LIMIT);
	/* Updating one already there still works, and a delete makes room. */
	neigh("198.18.0.0", 1, NUD_STALE);
	assert_int_equal(neigh_del("198.18.0.0"), 0);
	neigh("198.18.255.255", 2, NUD_REACHABLE);
}

/*
 * Distinct addresses in, most of them out again, many thousands of times:
 * tombstones pile up and get compacted away while every lookup stays right.
 */
static void test_tombstone_churn_keeps_lookups_right(void **state)
{
	enum { KEEP = 300, ROUNDS = 60, BATCH = 400 };
	uint8_t mac[6] = { 2 };

	(void)state;
	route("198.18.0.0", 15, NULL, 0);
	for (unsigned i = 0; i < KEEP; i++) {
		struct in6_addr x = v4_nth(i);

		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		nt_write_begin(&t);
		assert_int_equal(nt_neigh_set(&t, AF_INET, &x, mac, NUD_REACHABLE), 0);
		nt_write_end(&t);
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned base = KEEP + r * BATCH;

		for (unsigned i = base; i < base + BATCH; i++) {
			struct in6_addr x = v4_nth(i);

			nt_write_begin(&t);
			assert_int_equal(nt_neigh_set(&t, AF_INET, &x, mac, NUD_STALE), 0);
			assert_int_equal(nt_neigh_del(&t, AF_INET, &x), 0);
			nt_write_end(&t);
			assert_true(t.ntomb <= NT_MAX_NEIGH / 8);
			assert_true(t.nneigh + t.ntomb <= NT_NEIGH_LIMIT);
		}
		for (unsigned i = 0; i < KEEP; i += 7) {
			struct in6_addr x = v4_nth(i), nh;
			uint8_t got[6];

			assert_int_equal(nt_resolve(&t, AF_INET, &x, got, &nh), 0);
			assert_int_equal(got[4], (uint8_t)(i >> 8));
			assert_int_equal(got[5], (uint8_t)i);
		}
	}
	assert_int_equal(t.nneigh, KEEP);
	for (unsigned i = 0; i < KEEP + ROUNDS * BATCH; i++) {
		struct in6_addr x = v4_nth(i), nh;
		uint8_t got[6];

		assert_int_equal(nt_resolve(&t, AF_INET, &x, got, &nh), i < KEEP ? 0 : -EAGAIN);
	}
}

static void test_same_addresses_churned_reuse_their_slots(void **state)
{
	uint8_t m;

	(void)state;
	for (int round = 0; round < 50; round++) {
		char a[32];

		for (int i = 0; i < 600; i++) {
			snprintf(a, sizeof(a), "198.18.%d.%d", i >> 8, i & 0xff);
			neigh(a, i & 0xff, NUD_REACHABLE);
		}
		for (int i = 0; i < 600; i += 2) {
			snprintf(a, sizeof(a), "198.18.%d.%d", i >> 8, i & 0xff);
			assert_int_equal(neigh_del(a), 0);
		}
	}
	assert_int_equal(t.nneigh, 300);
	for (int i = 0; i < 256; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.0.%d", i);
		assert_int_equal(resolve(a, &m, NULL), i & 1 ? 0 : -EAGAIN);
		if (i & 1)
			assert_int_equal(m, i);
	}
}

static void test_flush_keeps_only_the_link(void **state)
{
	const uint8_t mac[6] = { 2, 1, 2, 3, 4, 5 };
	uint8_t m;

	(void)state;
	nt_write_begin(&t);
	nt_set_link(&t, mac, 1500);
	nt_write_end(&t);
	route("0.0.0.0", 0, "198.18.0.254", 0);
	neigh("198.18.0.254", 0xfe, NUD_REACHABLE);
	nt_write_begin(&t);
	nt_flush(&t);
	nt_write_end(&t);
	assert_int_equal(t.naddrs + t.nroutes + t.nneigh + t.ntomb, 0);
	assert_memory_equal(t.mac, mac, 6);
	assert_int_equal(t.mtu, 1500);
	assert_int_equal(resolve("198.19.0.1", &m, NULL), -EHOSTUNREACH);
}

static void test_copy_publishes_another_table_whole(void **state)
{
	static struct neigh_table other;
	const uint8_t mac[6] = { 2, 9, 9, 9, 9, 9 };
	struct in6_addr gw = A("198.18.0.254");
	uint32_t g = nt_generation(&t);
	uint8_t m;

	(void)state;
	nt_init(&other);
	nt_set_link(&other, mac, 9000);
	nt_neigh_set(&other, AF_INET, &gw, mac, NUD_REACHABLE);
	nt_route_add(&other, &(struct nt_route){ .dst = A("0.0.0.0"), .family = AF_INET,
						   .gw = gw, .has_gw = true });
	nt_write_begin(&t);
	nt_copy(&t, &other);
	nt_write_end(&t);
	assert_int_equal(nt_generation(&t), g + 2);
	assert_int_equal(t.mtu, 9000);
	assert_int_equal(t.naddrs, 0);
	assert_int_equal(resolve("198.19.0.1", &m, NULL), 0);
	assert_int_equal(m, 9);
}

static void test_generation_moves_on_every_write(void **state)
{
	uint32_t g = nt_generation(&t);

	(void)state;
	neigh("198.18.0.3", 3, NUD_REACHABLE);
	assert_true(nt_generation(&t) != g);
	assert_int_equal(nt_generation(&t) & 1, 0);
	g = nt_generation(&t);
	nt_write_begin(&t);
	assert_int_equal(nt_generation(&t) & 1, 1);
	nt_write_end(&t);
	assert_int_equal(nt_generation(&t), g + 2);
}

static void test_snapshot_is_a_copy(void **state)
{
	static struct neigh_table snap;
	uint8_t m;

	(void)state;
	neigh("198.18.0.3", 3, NUD_REACHABLE);
	nt_snapshot(&t, &snap);
	assert_int_equal(snap.seq, nt_generation(&t));
	assert_int_equal(snap.nneigh, 1);
	assert_int_equal(snap.naddrs, 2);
	assert_int_equal(nt_resolve(&snap, AF_INET, &(struct in6_addr){ 0 }, (uint8_t[6]){ 0 },
				    &(struct in6_addr){ 0 }),
			 -EHOSTUNREACH);
	assert_int_equal(resolve("198.18.0.3", &m, NULL), 0);
}

static int stop_writer;
static unsigned long writes;

/*
 * Flip the stable entry between two MACs whose bytes are all alike, and
 * churn other entries enough to force compactions, which move it: a reader
 * that ignored seq would see it half-written or gone.
 */
static void *writer(void *arg)
{
	struct in6_addr x = A("198.18.0.2");

	(void)arg;
	for (unsigned i = 0; !__atomic_load_n(&stop_writer, __ATOMIC_RELAXED); i++) {
		struct in6_addr y = v4_nth(1000 + i % 20000);
		uint8_t mac[6];

		memset(mac, i & 1 ? 0xaa : 0x55, 6);
		nt_write_begin(&t);
		nt_neigh_set(&t, AF_INET, &x, mac, NUD_REACHABLE);
		nt_neigh_set(&t, AF_INET, &y, mac, NUD_REACHABLE);
		if (i & 1)
			nt_neigh_del(&t, AF_INET, &y);
		if (i % 64 == 0) /* keep the table from filling up */
			for (unsigned k = 0; k < 64; k++) {
				struct in6_addr z = v4_nth(1000 + (i - k) % 20000);

				nt_neigh_del(&t, AF_INET, &z);
			}
		nt_write_end(&t);
		__atomic_fetch_add(&writes, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_readers_never_see_a_torn_entry(void **state)
{
	struct in6_addr x = A("198.18.0.2");
	uint8_t init[6];
	unsigned flips = 0;
	uint8_t last = 0x55;
	pthread_t th;

	(void)state;
	memset(init, 0x55, 6);
	nt_write_begin(&t);
	nt_neigh_set(&t, AF_INET, &x, init, NUD_REACHABLE);
	nt_write_end(&t);
	stop_writer = 0;
	writes = 0;
	assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);
	/* Race real writes: wait for the writer, then read until MACs flipped often. */
	while (__atomic_load_n(&writes, __ATOMIC_RELAXED) < 100)
		sched_yield();
	/* Wall time, not a count: fair to slow, shared or sanitized machines. */
	for (double end = now_s() + 0.5; now_s() < end || flips < 100;) {
		struct in6_addr nh;
		uint8_t mac[6];

		assert_int_equal(nt_resolve(&t, AF_INET, &x, mac, &nh), 0);
		/* All six bytes from one write: 55.. or aa.., never a mix. */
		assert_true(mac[0] == 0x55 || mac[0] == 0xaa);
		for (int k = 1; k < 6; k++)
			assert_int_equal(mac[k], mac[0]);
		flips += mac[0] != last;
		last = mac[0];
	}
	__atomic_store_n(&stop_writer, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	assert_true(flips >= 100);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_on_link_peer_resolves_to_its_own_mac),
		T(test_gateway_route_resolves_to_gateway_mac),
		T(test_longest_prefix_wins_over_default_and_connected),
		T(test_lower_metric_wins_among_equal_prefixes),
		T(test_same_route_key_replaces_the_gateway),
		T(test_deleted_route_no_longer_serves),
		T(test_own_prefix_is_on_link_without_a_route),
		T(test_address_add_replace_and_delete),
		T(test_v4_mapped_ipv6_address_is_not_an_ipv4_one),
		T(test_address_table_full_says_so),
		T(test_route_table_full_says_so),
		T(test_unresolved_next_hop_asks_for_resolution),
		T(test_unresolved_gateway_gives_the_gateway_as_next_hop),
		T(test_every_usable_state_resolves),
		T(test_state_update_without_mac_keeps_the_old_mac),
		T(test_no_route_is_unreachable),
		T(test_ipv6_neighbours_and_routes),
		T(test_odd_prefix_lengths_match_bit_exactly),
		T(test_neighbour_table_full_says_so),
		T(test_tombstone_churn_keeps_lookups_right),
		T(test_same_addresses_churned_reuse_their_slots),
		T(test_flush_keeps_only_the_link),
		T(test_copy_publishes_another_table_whole),
		T(test_generation_moves_on_every_write),
		T(test_snapshot_is_a_copy),
		T(test_readers_never_see_a_torn_entry),
	};

	return cmocka_run_group_tests_name("neigh_table", tests, NULL, NULL);
}
