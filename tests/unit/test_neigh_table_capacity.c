// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The table's bounds: full tables say so, and churn leaves no debris behind. */
#include <errno.h>
#include <linux/neighbour.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "neigh_harness.h"

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
		snprintf(s, sizeof(s), "2001:2:%x::", i);
		err = route_add(s, 48, "2001:2::fe", 1024);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(t.nroutes, NT_MAX_ROUTES);
}

static void test_neighbour_table_full_says_so(void **state)
{
	static const uint8_t mac[6] = { 0 };
	int err = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < NT_MAX_NEIGH && !err; i++)
		err = neigh_nth(i, mac, NUD_REACHABLE);
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
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		assert_int_equal(neigh_nth(i, mac, NUD_REACHABLE), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_address_table_full_says_so),
		T(test_route_table_full_says_so),
		T(test_neighbour_table_full_says_so),
		T(test_tombstone_churn_keeps_lookups_right),
		T(test_same_addresses_churned_reuse_their_slots),
	};

	return cmocka_run_group_tests_name("neigh_table_capacity", tests, NULL, NULL);
}
