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
	__u64 too_big;    /* RT datagrams longer than a UMEM frame takes (passed on) */
};

/*
 * rt_cfg, one element, set by rtd: what the steering program must know of
 * the interface to serve only what the kernel would have taken on it.
 */
struct rtd_steer_cfg {
	__u8 mac[6];     /* frames to any other MAC are the kernel's to drop */
	__u16 pad;
	__u32 max_len;   /* longest frame a UMEM frame holds; longer go to the kernel */
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
