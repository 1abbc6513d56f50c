// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtd/neigh_table.h"

static struct neigh_table t;

static struct in6_addr A(const char *s)
{
	struct in6_addr a = { 0 };

	if (strchr(s, ':')) {
		inet_pton(AF_INET6, s, &a);
	} else {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		inet_pton(AF_INET, s, &a.s6_addr[12]);
	}
	return a;
}

static int fam(const char *s)
{
	return strchr(s, ':') ? AF_INET6 : AF_INET;
}

static void route(const char *dst, int len, const char *gw, uint32_t metric)
{
	struct nt_route r = { .dst = A(dst), .family = fam(dst), .dst_len = len, .metric = metric };

	if (gw) {
		r.gw = A(gw);
		r.has_gw = true;
	}
	nt_write_begin(&t);
	assert_int_equal(nt_route_add(&t, &r), 0);
	nt_write_end(&t);
}

static void neigh(const char *a, uint8_t last, uint16_t state)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, last };
	struct in6_addr x = A(a);

	nt_write_begin(&t);
	assert_int_equal(nt_neigh_set(&t, fam(a), &x, mac, state), 0);
	nt_write_end(&t);
}

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
	struct in6_addr a = A("198.18.0.1"), b = A("2001:2::1");

	(void)state;
	nt_init(&t);
	nt_write_begin(&t);
	nt_addr_add(&t, AF_INET, &a, 24);
	nt_addr_add(&t, AF_INET6, &b, 64);
	nt_write_end(&t);
	return 0;
}

static void test_on_link_peer_resolves_to_its_own_mac(void **state)
{
	uint8_t m;

	(void)state;
	route("198.18.0.0", 24, NULL, 0);
	neigh("198.18.0.2", 0x22, NUD_REACHABLE);
	assert_int_equal(resolve("198.18.0.2", &m, NULL), 0);
	assert_int_equal(m, 0x22);
}

static void test_gateway_route_resolves_to_gateway_mac(void **state)
{
	uint8_t m;
	struct in6_addr nh, gw = A("198.18.0.254");

	(void)state;
	route("198.18.0.0", 24, NULL, 0);
	route("0.0.0.0", 0, "198.18.0.254", 0);
	route("198.19.5.0", 24, "198.18.0.253", 0);
	neigh("198.18.0.254", 0xfe, NUD_STALE);
	neigh("198.18.0.253", 0xfd, NUD_REACHABLE);
	assert_int_equal(resolve("198.19.1.1", &m, &nh), 0);
	assert_int_equal(m, 0xfe);
	assert_memory_equal(&nh, &gw, 16);
	assert_int_equal(resolve("198.19.5.9", &m, NULL), 0); /* longest prefix wins */
	assert_int_equal(m, 0xfd);
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
}

static void test_own_prefix_is_on_link_without_a_route(void **state)
{
	uint8_t m;

	(void)state;
	neigh("198.18.0.9", 9, NUD_PERMANENT);
	assert_int_equal(resolve("198.18.0.9", &m, NULL), 0);
	assert_int_equal(m, 9);
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
	neigh("198.18.0.7", 7, NUD_REACHABLE);
	assert_int_equal(resolve("198.18.0.7", &m, NULL), 0);
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
	assert_int_equal(resolve("2001:2::2", &m, NULL), 0);
	assert_int_equal(m, 0x62);
	route("::", 0, "2001:2::fe", 1024);
	neigh("2001:2::fe", 0x6e, NUD_DELAY);
	assert_int_equal(resolve("2001:2:ff::1", &m, NULL), 0);
	assert_int_equal(m, 0x6e);
	/* An IPv4 default route does not serve IPv6. */
	assert_int_equal(resolve("198.19.0.1", &m, NULL), -EHOSTUNREACH);
}

static void test_deletes_and_churn_keep_lookups_right(void **state)
{
	char a[32];
	uint8_t m;

	(void)state;
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 800; i++) {
			snprintf(a, sizeof(a), "198.18.%d.%d", (i >> 8) & 0xff, i & 0xff);
			neigh(a, i & 0xff, NUD_REACHABLE);
		}
		for (int i = 0; i < 800; i += 2) {
			struct in6_addr x;

			snprintf(a, sizeof(a), "198.18.%d.%d", (i >> 8) & 0xff, i & 0xff);
			x = A(a);
			nt_write_begin(&t);
			assert_int_equal(nt_neigh_del(&t, AF_INET, &x), 0);
			nt_write_end(&t);
		}
	}
	assert_int_equal(t.nneigh, 400);
	for (int i = 0; i < 800; i++) {
		snprintf(a, sizeof(a), "198.18.0.%d", i & 0xff);
		if (i > 255)
			break;
		assert_int_equal(resolve(a, &m, NULL), i & 1 ? 0 : -EAGAIN);
	}
}

static void test_full_table_says_so(void **state)
{
	char a[32];
	int i, err = 0;

	(void)state;
	for (i = 0; i < NT_MAX_NEIGH + 10 && !err; i++) {
		struct in6_addr x;
		uint8_t mac[6] = { 0 };

		snprintf(a, sizeof(a), "198.18.%d.%d", i >> 8, i & 0xff);
		x = A(a);
		nt_write_begin(&t);
		err = nt_neigh_set(&t, AF_INET, &x, mac, NUD_REACHABLE);
		nt_write_end(&t);
	}
	assert_int_equal(err, -ENOSPC);
	assert_true(i >= NT_MAX_NEIGH - 1);
}

static void test_generation_moves_on_every_write(void **state)
{
	uint32_t g = nt_generation(&t);

	(void)state;
	neigh("198.18.0.3", 3, NUD_REACHABLE);
	assert_true(nt_generation(&t) != g);
	assert_int_equal(nt_generation(&t) & 1, 0);
}

static volatile int stop_writer;

static void *writer(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !stop_writer; i++) {
		uint8_t mac[6];
		struct in6_addr x = A("198.18.0.2"), y = A("198.18.0.100");

		memset(mac, i & 1 ? 0xaa : 0x55, 6);
		nt_write_begin(&t);
		nt_neigh_set(&t, AF_INET, &x, mac, NUD_REACHABLE);
		nt_neigh_set(&t, AF_INET, &y, mac, NUD_REACHABLE);
		nt_neigh_del(&t, AF_INET, &y);
		nt_write_end(&t);
	}
	return NULL;
}

static void test_readers_never_see_a_torn_entry(void **state)
{
	pthread_t th;

	uint8_t init[6];
	struct in6_addr x = A("198.18.0.2");

	(void)state;
	memset(init, 0x55, 6);
	nt_write_begin(&t);
	nt_neigh_set(&t, AF_INET, &x, init, NUD_REACHABLE);
	nt_write_end(&t);
	stop_writer = 0;
	pthread_create(&th, NULL, writer, NULL);
	for (int i = 0; i < 200000; i++) {
		uint8_t mac[6];
		struct in6_addr d = A("198.18.0.2"), nh;

		assert_int_equal(nt_resolve(&t, AF_INET, &d, mac, &nh), 0);
		/* All six bytes from one write: 55.. or aa.., never a mix. */
		for (int k = 1; k < 6; k++)
			assert_int_equal(mac[k], mac[0]);
	}
	stop_writer = 1;
	pthread_join(th, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_on_link_peer_resolves_to_its_own_mac, setup),
		cmocka_unit_test_setup(test_gateway_route_resolves_to_gateway_mac, setup),
		cmocka_unit_test_setup(test_lower_metric_wins_among_equal_prefixes, setup),
		cmocka_unit_test_setup(test_own_prefix_is_on_link_without_a_route, setup),
		cmocka_unit_test_setup(test_unresolved_next_hop_asks_for_resolution, setup),
		cmocka_unit_test_setup(test_no_route_is_unreachable, setup),
		cmocka_unit_test_setup(test_ipv6_neighbours_and_routes, setup),
		cmocka_unit_test_setup(test_deletes_and_churn_keep_lookups_right, setup),
		cmocka_unit_test_setup(test_full_table_says_so, setup),
		cmocka_unit_test_setup(test_generation_moves_on_every_write, setup),
		cmocka_unit_test_setup(test_readers_never_see_a_torn_entry, setup),
	};

	return cmocka_run_group_tests_name("neigh_table", tests, NULL, NULL);
}
