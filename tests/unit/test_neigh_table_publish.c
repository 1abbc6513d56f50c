// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How a table is published to its reader: flush, copy and snapshot, the
 * generation count, and a reader racing a writer never seeing a torn entry.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "neigh_harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_flush_keeps_only_the_link),
		T(test_copy_publishes_another_table_whole),
		T(test_generation_moves_on_every_write),
		T(test_snapshot_is_a_copy),
		T(test_readers_never_see_a_torn_entry),
	};

	return cmocka_run_group_tests_name("neigh_table_publish", tests, NULL, NULL);
}
