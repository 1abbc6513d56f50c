// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rtnetlink mirror fed datagrams as the kernel would send them, without
 * a socket (neigh_feed).  Each datagram sits in a heap block of exactly its
 * size, so that ASan sees any read past its end.  The cases are what
 * tests/fuzz/fuzz_neigh.c found.
 *
 * The unit tests' library holds the pure sources only; the mirror and the
 * netlink layer it reads attributes with are compiled in here.
 */
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "neigh.c"
#include "nl.c"

#define IFINDEX 2

static struct neigh_table tbl;
static struct neigh n;
static unsigned reported;

static void on_addr_cb(void *ctx, int family, const struct in6_addr *a, bool add)
{
	(void)ctx;
	(void)family;
	(void)a;
	reported += add;
}

static int setup(void **state)
{
	(void)state;
	memset(&n, 0, sizeof(n));
	n.ifindex = IFINDEX;
	n.tbl = &tbl;
	n.addr_cb = on_addr_cb;
	nt_init(&tbl);
	reported = 0;
	return 0;
}

/* Feed len bytes of p from a block of exactly that size. */
static void feed(const void *p, size_t len)
{
	void *copy = malloc(len);

	assert_non_null(copy);
	memcpy(copy, p, len);
	neigh_feed(&n, copy, len);
	free(copy);
}

/* RTM_NEWADDR for 198.18.0.1/24 on rtd0 (ifindex 2), as the kernel sent it. */
static const uint8_t newaddr[] = {
	0x50, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x64, 0xa7, 0x0e, 0x6b, 0xec, 0x53,
	0x00, 0x00, 0x02, 0x18, 0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00,
	0xc6, 0x12, 0x00, 0x01, 0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x00, 0x01, 0x09, 0x00,
	0x03, 0x00, 0x72, 0x74, 0x64, 0x30, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
	0x80, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0x40, 0x8e, 0x08, 0x00, 0x40, 0x8e, 0x08, 0x00,
};

static void test_a_kernel_address_notification_lands_in_the_table(void **state)
{
	(void)state;
	feed(newaddr, sizeof(newaddr));
	assert_int_equal(tbl.naddrs, 1);
	assert_int_equal(tbl.addrs[0].prefixlen, 24);
	assert_int_equal(tbl.addrs[0].addr.s6_addr[12], 198);
	assert_int_equal(reported, 1);
}

/*
 * A last message whose length is not a multiple of four: NLMSG_NEXT steps
 * by the aligned length, which on a size_t count wrapped below zero and
 * went on to read a "next" header past the datagram.
 */
static void test_a_last_message_of_unaligned_length_ends_the_datagram(void **state)
{
	uint8_t d[sizeof(newaddr) + 18];
	struct nlmsghdr noop = { .nlmsg_len = 18, .nlmsg_type = NLMSG_NOOP };

	(void)state;
	memcpy(d, newaddr, sizeof(newaddr));
	memset(d + sizeof(newaddr), 0, 18);
	memcpy(d + sizeof(newaddr), &noop, sizeof(noop));
	feed(d, sizeof(d));
	assert_int_equal(tbl.naddrs, 1);
	/* The same alone, odd length and all. */
	feed(d + sizeof(newaddr), 18);
	assert_int_equal(tbl.naddrs, 1);
}

/*
 * A message as long as its netlink header only: the family header after it
 * (ifaddrmsg, rtmsg, ndmsg, ifinfomsg) is not there, and must not be read.
 */
static void test_a_message_without_its_family_header_is_ignored_not_read_past(void **state)
{
	static const uint16_t types[] = { RTM_NEWLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE,
					  RTM_DELROUTE, RTM_NEWNEIGH, RTM_DELNEIGH, NLMSG_ERROR };

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct nlmsghdr h = { .nlmsg_len = sizeof(h), .nlmsg_type = types[i] };

		feed(&h, sizeof(h));
	}
	assert_int_equal(tbl.naddrs + tbl.nroutes + tbl.nneigh, 0);
}

/* Half a family header: shorter than the struct, longer than nothing. */
static void test_a_family_header_cut_short_is_ignored_not_read_past(void **state)
{
	uint8_t d[NLMSG_HDRLEN + 4] = { 0 };
	struct nlmsghdr h = { .nlmsg_len = sizeof(d), .nlmsg_type = RTM_NEWNEIGH };

	(void)state;
	memcpy(d, &h, sizeof(h));
	d[NLMSG_HDRLEN] = AF_INET;
	feed(d, sizeof(d));
	h.nlmsg_type = RTM_NEWROUTE;
	memcpy(d, &h, sizeof(h));
	feed(d, sizeof(d));
	assert_int_equal(tbl.nroutes + tbl.nneigh, 0);
}

/*
 * A multipath route whose RTA_MULTIPATH holds less than one struct
 * rtnexthop, last in the datagram: RTNH_OK read rtnh_len past its end.
 */
static void test_a_multipath_attribute_shorter_than_a_next_hop_is_not_read_past(void **state)
{
	struct nlmsghdr h = { .nlmsg_type = RTM_NEWROUTE };
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
			     .rtm_type = RTN_UNICAST };
	struct rtattr mp = { .rta_len = RTA_LENGTH(1), .rta_type = RTA_MULTIPATH };
	uint8_t d[NLMSG_HDRLEN + sizeof(rtm) + RTA_LENGTH(1)] = { 0 };

	(void)state;
	h.nlmsg_len = sizeof(d);
	memcpy(d, &h, sizeof(h));
	memcpy(d + NLMSG_HDRLEN, &rtm, sizeof(rtm));
	memcpy(d + NLMSG_HDRLEN + sizeof(rtm), &mp, sizeof(mp));
	feed(d, sizeof(d));
	assert_int_equal(tbl.nroutes, 0);
}

/* An error whose code has no negation: logged, not undefined behaviour. */
static void test_an_error_of_int_min_is_no_errno_and_no_overflow(void **state)
{
	uint8_t d[NLMSG_LENGTH(sizeof(struct nlmsgerr))] = { 0 };
	struct nlmsghdr h = { .nlmsg_len = sizeof(d), .nlmsg_type = NLMSG_ERROR };
	struct nlmsgerr e = { .error = INT32_MIN };

	(void)state;
	memcpy(d, &h, sizeof(h));
	memcpy(d + NLMSG_HDRLEN, &e, sizeof(e));
	feed(d, sizeof(d));
	e.error = 5; /* not an errno the kernel sends either */
	memcpy(d + NLMSG_HDRLEN, &e, sizeof(e));
	feed(d, sizeof(d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_a_kernel_address_notification_lands_in_the_table, setup),
		cmocka_unit_test_setup(test_a_last_message_of_unaligned_length_ends_the_datagram, setup),
		cmocka_unit_test_setup(test_a_message_without_its_family_header_is_ignored_not_read_past,
				       setup),
		cmocka_unit_test_setup(test_a_family_header_cut_short_is_ignored_not_read_past, setup),
		cmocka_unit_test_setup(
			test_a_multipath_attribute_shorter_than_a_next_hop_is_not_read_past, setup),
		cmocka_unit_test_setup(test_an_error_of_int_min_is_no_errno_and_no_overflow, setup),
	};

	return cmocka_run_group_tests_name("neigh_feed", tests, NULL, NULL);
}
