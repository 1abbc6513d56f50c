/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtd's control socket: a UNIX SOCK_SEQPACKET socket, one request message,
 * one reply message.  rtd sends facts as fixed-size records; rtctl does all
 * formatting (text or JSON), the way ip(8) formats netlink.
 */
#ifndef RTD_CTL_H
#define RTD_CTL_H

#include <linux/types.h>
#include <netinet/in.h>

#include <rtd/portset.h>

#define RTD_CTL_VERSION 2
#define RTD_CTL_DIR "/run/rtd"
/* Largest reply rtd sends; rtctl receives into a buffer this large. */
#define RTD_CTL_MAX_MSG (1u << 20)

enum rtd_ctl_cmd {
	RTD_CTL_STATUS = 1,
	RTD_CTL_PORT_LIST,
	RTD_CTL_PORT_ADD,
	RTD_CTL_PORT_DEL,
	RTD_CTL_STATS,
	RTD_CTL_NEIGH,
	RTD_CTL_SCHED_GET,
	RTD_CTL_SCHED_SET,
	RTD_CTL_LAT_RESET, /* restart the in-host latency histograms */
	RTD_CTL_CALLS,     /* the relay's calls, one record per leg and media */
};

struct rtd_ctl_call {
	char call_id[64];
	char tag[32];
	__u8 leg;    /* 0: offerer, 1: answerer */
	__u8 media;  /* media section index */
	__u8 family; /* of peer; 0: not known yet */
	__u8 latched;
	__u16 local_port;
	__u16 peer_port;
	struct in6_addr peer;
	__u32 age_s;
	__u32 lost;
	__u32 jitter_us;
	__s32 last_ms; /* since the last packet; -1: none yet */
	__u64 packets;
	__u64 bytes;
	__u64 forwarded;
};

/*
 * The egress gate's settings, as rtd's options and rtctl sched set name
 * them (lib/gate_conf.c is their table): times in microseconds, rates in
 * Mbit/s.  mode and qdisc are indexes into gate_mode_words and
 * gate_qdisc_words.
 */
struct rtd_gate_conf {
	__u32 mode;  /* off, reactive (closed while RT frames are pending), scheduled */
	__u32 qdisc; /* auto, tbf, bpf: chosen at start, not live */
	__u32 period_us;
	__u32 phase_us;
	__u32 guard_us;
	__u32 window_us;
	__u32 hold_us;
	__u32 link_mbit; /* 0: unknown, the TBF opens at 100 Gbit/s */
	__u32 reserve_mbit;
	__u32 bql_bytes; /* 0: leave BQL alone */
};

/* SCHED_GET reply record / SCHED_SET request (conf only): the egress gate. */
struct rtd_ctl_sched {
	struct rtd_gate_conf conf;
	/* Read-only state and counters. */
	char qdisc[8]; /* "tbf", or "bpf": rtd's BPF qdisc, closed per frame */
	__u32 installed;
	__u32 closed;
	__u32 pad;
	__u64 closes;
	__u64 closed_ns;
	__u64 held_bytes;
	__u64 held_pkts; /* bpf only */
	__u64 drops;     /* bpf only: over the queue limit */
	__u64 toggles;
	__u64 toggle_ns_avg;
	__u64 toggle_ns_max;
	__u64 errors;
};

struct rtd_ctl_req {
	__u32 version;
	__u32 cmd;
	struct portset ports; /* PORT_ADD / PORT_DEL */
	struct rtd_ctl_sched sched; /* SCHED_SET */
};

/* Reply header, followed by count records of the command's type. */
struct rtd_ctl_rep {
	__u32 version;
	__u32 cmd;
	__s32 err;     /* 0 or a negative errno */
	char msg[200]; /* one line for people when err != 0 */
	__u32 count;
	__u32 rec_size;
	__u32 pad; /* records carry __u64: they must start 8-byte aligned */
};
_Static_assert(sizeof(struct rtd_ctl_rep) % 8 == 0, "ctl records would be misaligned");

/* STATUS: one record. */
struct rtd_ctl_status {
	char iface[16];
	char xdp_mode[8]; /* "native" or "skb" */
	char app[16];
	__u32 ifindex;
	__u32 pid;
	__u32 nqueues;
	__s32 cpu;
	__u32 rt_prio; /* 0: SCHED_OTHER */
	__u32 mtu;
	__u32 nports;
	__u8 mac[6];
	__u8 pad[2];
	__u64 uptime_ms;
};

/* PORT_LIST: one record, struct portset. */

/*
 * STATS: named counters.  group is "xdp" (steering program, summed over
 * CPUs), "xsk" (socket and kernel ring counters), "stack" (rtd's UDP/IP
 * stack), "neigh" (frames held for ARP/ND), "netlink" or "app"; queue is the
 * RX queue or -1 when not per-queue; app counters carry the application's
 * name in owner.
 */
struct rtd_ctl_stat {
	char group[8];
	char owner[16];
	char name[32];
	__s32 queue;
	__u32 pad;
	__u64 value;
};

/* NEIGH: what rtd mirrored from the kernel. */
enum rtd_ctl_neigh_kind {
	RTD_CTL_ADDR = 1,  /* own address: addr/prefixlen */
	RTD_CTL_ROUTE,     /* addr/prefixlen via gw (gw unspecified: on-link) */
	RTD_CTL_NEIGHBOUR, /* addr lladdr mac, state = NUD_* */
};

struct rtd_ctl_neigh {
	__u8 kind;
	__u8 family; /* AF_INET or AF_INET6; v4 addresses are v4-mapped */
	__u8 prefixlen;
	__u8 mac[6];
	__u8 has_gw;
	__u16 state;
	struct in6_addr addr;
	struct in6_addr gw;
	__u32 metric;
};

#endif
