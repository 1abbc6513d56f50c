// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF gate's rule, as the qdisc runs it (include/rtd/gate_shm.h is
 * compiled into bpf/gate_qdisc.bpf.c unchanged): when the kernel may send,
 * and how the RT loop closes the gate and counts it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rtd/gate_shm.h>

#define MS 1000000ull
#define T0 (1000 * 1000 * MS) /* an arbitrary CLOCK_MONOTONIC time: 1000 s */

static struct rtd_gate_shm s;

static int setup(void **state)
{
	(void)state;
	memset(&s, 0, sizeof(s));
	s.lease_ns = T0 + 1000 * MS;
	return 0;
}

static void schedule(__u64 period, __u64 phase, __u64 guard, __u64 window)
{
	s.mode = RTD_GATE_BPF_SCHEDULED;
	s.period_ns = period;
	s.phase_ns = phase;
	s.guard_ns = guard;
	s.window_ns = window;
}

static void test_open_by_default(void **state)
{
	(void)state;
	assert_int_equal(rtd_gate_closed_until(&s, T0), 0);
	s.mode = RTD_GATE_BPF_REACTIVE;
	assert_int_equal(rtd_gate_closed_until(&s, T0), 0);
}

static void test_one_burst_closes_for_the_hold_then_opens(void **state)
{
	(void)state;
	s.mode = RTD_GATE_BPF_REACTIVE;
	rtd_gate_hold(&s, T0, 200000);
	assert_int_equal(rtd_gate_closed_until(&s, T0), T0 + 200000);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 199999), T0 + 200000);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 200000), 0);
	assert_int_equal(s.rt_closes, 1);
	assert_int_equal(s.rt_closed_ns, 200000);
}

static void test_bursts_within_the_hold_extend_one_closure(void **state)
{
	(void)state;
	rtd_gate_hold(&s, T0, 200000);
	rtd_gate_hold(&s, T0 + 50000, 200000);
	rtd_gate_hold(&s, T0 + 50000, 200000); /* the burst's second store: no change */
	assert_int_equal(s.closed_until_ns, T0 + 250000);
	assert_int_equal(s.rt_closes, 1);
	assert_int_equal(s.rt_closed_ns, 250000);
	/* After it reopened, the next burst is a new closure. */
	rtd_gate_hold(&s, T0 + 300000, 200000);
	assert_int_equal(s.rt_closes, 2);
	assert_int_equal(s.rt_closed_ns, 450000);
}

static void test_a_shorter_hold_never_reopens_early(void **state)
{
	(void)state;
	rtd_gate_hold(&s, T0, 500000);
	rtd_gate_hold(&s, T0 + 1000, 1000); /* hold changed live to 1 us */
	assert_int_equal(s.closed_until_ns, T0 + 500000);
	assert_int_equal(s.rt_closed_ns, 500000);
}

static void test_schedule_closes_guard_before_to_window_after(void **state)
{
	(void)state;
	/* departures at T0 + 5, 25, 45 ms ... */
	schedule(20 * MS, T0 + 5 * MS, 2 * MS, 1 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 2 * MS), 0);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 3 * MS - 1), 0);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 3 * MS), T0 + 6 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 5 * MS), T0 + 6 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 6 * MS - 1), T0 + 6 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 6 * MS), 0);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 24 * MS), T0 + 26 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 445 * MS), T0 + 446 * MS);
}

static void test_schedule_before_its_phase_is_open_until_the_first_guard(void **state)
{
	(void)state;
	schedule(20 * MS, T0 + 500 * MS, 2 * MS, 1 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0), 0);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 498 * MS), T0 + 501 * MS);
}

static void test_schedule_and_reactive_hold_together(void **state)
{
	(void)state;
	schedule(20 * MS, T0, 2 * MS, 1 * MS);
	s.closed_until_ns = T0 + 10 * MS;
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 5 * MS), T0 + 10 * MS);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 10 * MS), 0);
}

static void test_an_expired_lease_leaves_a_plain_fifo(void **state)
{
	(void)state;
	schedule(1000 * MS, T0, 900 * MS, 50 * MS);
	assert_int_not_equal(rtd_gate_closed_until(&s, T0 + 999 * MS), 0);
	/* rtd died: nobody renews the lease (T0 + 1000 ms). */
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 1999 * MS), 0);
	assert_int_equal(rtd_gate_closed_until(&s, T0 + 1000 * MS), 0);
}

static void test_a_zero_period_never_closes(void **state)
{
	(void)state;
	schedule(0, 0, 2 * MS, 0);
	assert_int_equal(rtd_gate_closed_until(&s, T0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_by_default, setup),
		cmocka_unit_test_setup(test_one_burst_closes_for_the_hold_then_opens, setup),
		cmocka_unit_test_setup(test_bursts_within_the_hold_extend_one_closure, setup),
		cmocka_unit_test_setup(test_a_shorter_hold_never_reopens_early, setup),
		cmocka_unit_test_setup(test_schedule_closes_guard_before_to_window_after, setup),
		cmocka_unit_test_setup(test_schedule_before_its_phase_is_open_until_the_first_guard,
				       setup),
		cmocka_unit_test_setup(test_schedule_and_reactive_hold_together, setup),
		cmocka_unit_test_setup(test_an_expired_lease_leaves_a_plain_fifo, setup),
		cmocka_unit_test_setup(test_a_zero_period_never_closes, setup),
	};

	return cmocka_run_group_tests_name("gate_shm", tests, NULL, NULL);
}
