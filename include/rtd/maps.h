/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Map layouts shared by the BPF programs, rtd and rtctl.  Fixed-size types
 * only: this header is compiled both by clang -target bpf and by the host
 * compiler, and the two must agree byte for byte.
 */
#ifndef RTD_MAPS_H
#define RTD_MAPS_H

#include <linux/types.h>

/* One AF_XDP socket per RX queue; queues beyond this stay with the kernel. */
#define RTD_MAX_QUEUES 64
/* Own addresses the steering program matches (per family). */
#define RTD_MAX_ADDRS 64
#define RTD_NPORTS 65536

/* rt_ports: array indexed by host-order UDP port, value non-zero = RT port. */
struct rtd_port_val {
	__u8 rt;
};

/* rt_addrs6 key; rt_addrs4 is keyed by the __be32 address itself. */
struct rtd_addr6 {
	__u8 a[16];
};

/* Per-CPU, per-RX-queue counters kept by the steering program. */
struct rtd_xdp_stats {
	__u64 seen;       /* every frame the hook saw */
	__u64 redirected; /* handed to the queue's AF_XDP socket */
	__u64 passed;     /* left to the kernel stack */
	__u64 malformed;  /* truncated or inconsistent headers (passed on) */
};

/*
 * XDP metadata in front of each redirected frame: CLOCK_MONOTONIC when the
 * hook saw it.  Drivers without metadata support leave 0 there.
 */
struct rtd_xdp_meta {
	__u64 hook_ns;
};

/*
 * Read-only configuration of the bind hook, set before load.  The hook runs
 * for every process on the machine; it must only refuse binds inside the
 * network namespace rtd serves.
 */
struct rtd_bind_cfg {
	__u64 netns_cookie;
};

#endif
