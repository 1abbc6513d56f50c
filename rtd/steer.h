/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP steering program on the shared NIC: load, attach in the chosen
 * mode, and the maps rtd updates live (own addresses, AF_XDP sockets).
 */
#ifndef RTD_STEER_H
#define RTD_STEER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <rtd/maps.h>

enum rtd_xdp_mode {
	RTD_XDP_AUTO = 0,
	RTD_XDP_NATIVE,
	RTD_XDP_SKB,
};

struct steer_bpf;

struct steer {
	struct steer_bpf *skel;
	int link_fd;
	int ifindex;
	enum rtd_xdp_mode mode; /* resolved: NATIVE or SKB */
	char driver[32];
	int ncpus;
	struct rtd_steer_cfg cfg;
};

/*
 * Load the program and attach it to ifindex; mode AUTO picks per driver.
 * Frames longer than max_len (what a UMEM frame holds) stay the kernel's.
 */
int steer_open(struct steer *s, const char *ifname, int ifindex, enum rtd_xdp_mode mode,
	       uint32_t max_len);
/* The interface's MAC changed: only frames to it are served. */
int steer_mac_set(struct steer *s, const uint8_t mac[6]);
int steer_ports_fd(const struct steer *s);
int steer_addr_set(struct steer *s, int family, const struct in6_addr *a, bool add);
int steer_xsk_set(struct steer *s, unsigned queue, int xsk_fd);
int steer_xsk_clear(struct steer *s, unsigned queue);
/* Counters of one RX queue, summed over CPUs. */
int steer_stats(const struct steer *s, unsigned queue, struct rtd_xdp_stats *out);
void steer_close(struct steer *s);
const char *steer_mode_name(enum rtd_xdp_mode mode);
/* Whether the driver's frames may never have crossed a wire (veth, tap, ...). */
bool steer_driver_is_virtual(const char *driver);

#endif
