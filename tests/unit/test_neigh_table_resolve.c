// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nt_resolve(): which route, next hop and MAC a destination gets, as
 * addresses, routes and neighbours come and go.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "neigh_harness.h"

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
		T(test_unresolved_next_hop_asks_for_resolution),
		T(test_unresolved_gateway_gives_the_gateway_as_next_hop),
		T(test_every_usable_state_resolves),
		T(test_state_update_without_mac_keeps_the_old_mac),
		T(test_no_route_is_unreachable),
		T(test_ipv6_neighbours_and_routes),
		T(test_odd_prefix_lengths_match_bit_exactly),
	};

	return cmocka_run_group_tests_name("neigh_table_resolve", tests, NULL, NULL);
}
