// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus's text format as lib/prom.c writes it: escapes, histograms, numbers. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/prom.h"

static char buf[4096];
static struct obuf o;

static const char *text(void)
{
	int n = obuf_finish(&o);

	assert_true(n >= 0);
	buf[n] = 0;
	return buf;
}

static int setup(void **state)
{
	(void)state;
	obuf_init(&o, buf, sizeof(buf) - 1);
	return 0;
}

static void test_label_values_escape_backslash_quote_and_newline(void **state)
{
	const struct prom_label l[] = { { "call", "a\\b\"c\nd" }, { "command", "block media" } };

	(void)state;
	prom_u64(&o, "rtd_x_total", l, 2, 7);
	assert_string_equal(text(),
			    "rtd_x_total{call=\"a\\\\b\\\"c\\nd\",command=\"block media\"} 7\n");
}

static void test_help_escapes_backslash_and_newline_but_keeps_quotes(void **state)
{
	(void)state;
	prom_family(&o, "rtd_x_total", PROM_COUNTER, "a \"quoted\" \\ line\nand more");
	assert_string_equal(text(), "# HELP rtd_x_total a \"quoted\" \\\\ line\\nand more\n"
				    "# TYPE rtd_x_total counter\n");
}

static void test_a_sample_without_labels_has_no_braces(void **state)
{
	(void)state;
	prom_u64(&o, "rtd_x_total", NULL, 0, UINT64_MAX);
	assert_string_equal(text(), "rtd_x_total 18446744073709551615\n");
}

static void test_histogram_buckets_are_cumulative_and_count_is_their_total(void **state)
{
	const struct prom_label l[] = { { "queue", "0" } };
	const double le[] = { 1e-05, 0.001 };
	const uint64_t counts[] = { 3, 0, 2 }; /* the last: above 1 ms */

	(void)state;
	prom_histogram(&o, "rtd_h_seconds", l, 1, le, 2, counts, 0.25);
	assert_string_equal(text(), "rtd_h_seconds_bucket{queue=\"0\",le=\"1e-05\"} 3\n"
				    "rtd_h_seconds_bucket{queue=\"0\",le=\"0.001\"} 3\n"
				    "rtd_h_seconds_bucket{queue=\"0\",le=\"+Inf\"} 5\n"
				    "rtd_h_seconds_sum{queue=\"0\"} 0.25\n"
				    "rtd_h_seconds_count{queue=\"0\"} 5\n");
}

static void test_a_histogram_without_labels_has_only_le(void **state)
{
	const double le[] = { 0.5 };
	const uint64_t counts[] = { 0, 0 };

	(void)state;
	prom_histogram(&o, "rtd_j_seconds", NULL, 0, le, 1, counts, 0);
	assert_string_equal(text(), "rtd_j_seconds_bucket{le=\"0.5\"} 0\n"
				    "rtd_j_seconds_bucket{le=\"+Inf\"} 0\n"
				    "rtd_j_seconds_sum 0\n"
				    "rtd_j_seconds_count 0\n");
}

static void test_rebin_sums_fine_buckets_below_each_edge_and_the_rest_above_the_last(void **state)
{
	/* 1-unit buckets 0..7, then the overflow. */
	const uint64_t fine[] = { 1, 2, 3, 4, 5, 6, 7, 8, 100 };
	const unsigned edges[] = { 2, 5, 8 };
	uint64_t out[4];

	(void)state;
	prom_rebin(fine, 9, edges, 3, out);
	assert_int_equal(out[0], 1 + 2);
	assert_int_equal(out[1], 3 + 4 + 5);
	assert_int_equal(out[2], 6 + 7 + 8);
	assert_int_equal(out[3], 100); /* the overflow stays above the last edge */
}

static void test_rebin_never_puts_the_overflow_under_an_edge_past_the_fine_buckets(void **state)
{
	const uint64_t fine[] = { 1, 1, 50 };
	const unsigned edges[] = { 1, 99 };
	uint64_t out[3];

	(void)state;
	prom_rebin(fine, 3, edges, 2, out);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 50);
}

static void test_nanoseconds_print_as_exact_seconds(void **state)
{
	(void)state;
	prom_ns(&o, "a_seconds_total", NULL, 0, 1000000250);
	prom_ns(&o, "b_seconds_total", NULL, 0, 0);
	prom_ns(&o, "c_seconds_total", NULL, 0, UINT64_MAX);
	assert_string_equal(text(), "a_seconds_total 1.000000250\n"
				    "b_seconds_total 0.000000000\n"
				    "c_seconds_total 18446744073.709551615\n");
}

static void test_doubles_read_back_exactly_and_special_values_use_go_spellings(void **state)
{
	(void)state;
	prom_double(&o, "a", NULL, 0, 0.1);
	prom_double(&o, "b", NULL, 0, 1.0 / 3);
	prom_double(&o, "c", NULL, 0, INFINITY);
	prom_double(&o, "d", NULL, 0, -INFINITY);
	prom_double(&o, "e", NULL, 0, NAN);
	assert_string_equal(text(), "a 0.1\nb 0.33333333333333331\nc +Inf\nd -Inf\ne NaN\n");
}

static void test_a_body_too_large_for_the_buffer_is_refused_whole(void **state)
{
	char small[40];

	(void)state;
	obuf_init(&o, small, sizeof(small));
	prom_family(&o, "rtd_a_long_family_name_total", PROM_COUNTER, "help");
	assert_int_equal(obuf_finish(&o), -ENOSPC);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup(t, setup)
	const struct CMUnitTest tests[] = {
		T(test_label_values_escape_backslash_quote_and_newline),
		T(test_help_escapes_backslash_and_newline_but_keeps_quotes),
		T(test_a_sample_without_labels_has_no_braces),
		T(test_histogram_buckets_are_cumulative_and_count_is_their_total),
		T(test_a_histogram_without_labels_has_only_le),
		T(test_rebin_sums_fine_buckets_below_each_edge_and_the_rest_above_the_last),
		T(test_rebin_never_puts_the_overflow_under_an_edge_past_the_fine_buckets),
		T(test_nanoseconds_print_as_exact_seconds),
		T(test_doubles_read_back_exactly_and_special_values_use_go_spellings),
		T(test_a_body_too_large_for_the_buffer_is_refused_whole),
	};

	return cmocka_run_group_tests_name("metrics_text", tests, NULL, NULL);
}
