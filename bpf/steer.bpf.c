// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * XDP steering: a UDP datagram for one of the interface's own addresses and
 * an RT port goes to the AF_XDP socket of its RX queue; every other frame
 * (ARP, ND, ICMP, TCP, other UDP, other addresses, other MACs, VLANs,
 * datagrams still on their way elsewhere) goes on to the kernel.
 *
 * Fail open: the redirect falls back to XDP_PASS when no socket is bound on
 * the queue, so if rtd dies the kernel gets its traffic back at once.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "ports.bpf.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTD_MAX_ADDRS);
	__type(key, __be32);
	__type(value, __u8);
} rt_addrs4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTD_MAX_ADDRS);
	__type(key, struct rtd_addr6);
	__type(value, __u8);
} rt_addrs6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, RTD_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RTD_MAX_QUEUES);
	__type(key, __u32);
	__type(value, struct rtd_xdp_stats);
} xdp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtd_steer_cfg);
} rt_cfg SEC(".maps");

enum verdict {
	V_PASS,
	V_RT,
	V_MALFORMED,
};

/* The routing header's segments-left byte (RFC 8200 4.4). */
#define IPV6_RH_SEGLEFT 3

/* IPv6 extension headers walked before giving up (passed to the kernel). */
#define MAX_EXT_HDRS 4

struct ipv6_opt_hdr_ {
	__u8 nexthdr;
	__u8 hdrlen; /* 8-octet units, not counting the first 8 */
};

static __always_inline enum verdict udp_verdict(void *l4, void *end)
{
	struct udphdr *uh = l4;

	if ((void *)(uh + 1) > end)
		return V_MALFORMED;
	return rt_port(bpf_ntohs(uh->dest)) ? V_RT : V_PASS;
}

static __always_inline enum verdict ipv4_verdict(void *l3, void *end)
{
	struct iphdr *iph = l3;
	__u32 ihl;

	if ((void *)(iph + 1) > end)
		return V_MALFORMED;
	ihl = iph->ihl;
	if (iph->version != 4 || ihl < 5)
		return V_MALFORMED;
	if (iph->protocol != IPPROTO_UDP)
		return V_PASS;
	/* Fragments carry no (or a partial) UDP header: the kernel reassembles. */
	if (iph->frag_off & bpf_htons(0x3fff))
		return V_PASS;
	if (!bpf_map_lookup_elem(&rt_addrs4, &iph->daddr))
		return V_PASS;
	return udp_verdict(l3 + ihl * 4, end);
}

static __always_inline enum verdict ipv6_verdict(void *l3, void *end)
{
	struct ipv6hdr *ip6h = l3;
	struct rtd_addr6 daddr;
	void *p = ip6h + 1;
	__u8 nh;

	if ((void *)(ip6h + 1) > end)
		return V_MALFORMED;
	if (ip6h->version != 6)
		return V_MALFORMED;
	nh = ip6h->nexthdr;
#pragma unroll
	for (int i = 0; i < MAX_EXT_HDRS; i++) {
		struct ipv6_opt_hdr_ *oh = p;

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS)
			break;
		if ((void *)(oh + 1) > end)
			return V_MALFORMED;
		/* Segments left: this host is not the datagram's destination yet;
		 * the kernel forwards it or says why not. */
		if (nh == IPPROTO_ROUTING) {
			__u8 *left = p + IPV6_RH_SEGLEFT;

			if ((void *)(left + 1) > end)
				return V_MALFORMED;
			if (*left)
				return V_PASS;
		}
		nh = oh->nexthdr;
		p += (oh->hdrlen + 1) * 8;
	}
	if (nh != IPPROTO_UDP)
		return V_PASS;
	__builtin_memcpy(daddr.a, &ip6h->daddr, sizeof(daddr.a));
	if (!bpf_map_lookup_elem(&rt_addrs6, &daddr))
		return V_PASS;
	return udp_verdict(p, end);
}

static __always_inline int mac_is(const __u8 *a, const __u8 *b)
{
	return !(*(__u32 *)a ^ *(__u32 *)b) && !(*(__u16 *)(a + 4) ^ *(__u16 *)(b + 4));
}

static __always_inline enum verdict classify(struct xdp_md *ctx, const struct rtd_steer_cfg *cfg)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if ((void *)(eth + 1) > end)
		return V_MALFORMED;
	/* To another MAC (a promiscuous or bridged NIC): the kernel drops it. */
	if (!mac_is(eth->h_dest, cfg->mac))
		return V_PASS;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		__be16 *tci = l3, *inner = l3 + 2;

		if ((void *)(inner + 1) > end)
			return V_MALFORMED;
		/* A VLAN's frames belong to its own device and addresses, not to
		 * this interface's; a priority tag (VLAN 0) is untagged traffic. */
		if (*tci & bpf_htons(0x0fff))
			return V_PASS;
		proto = *inner;
		l3 += 4;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return ipv4_verdict(l3, end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return ipv6_verdict(l3, end);
	return V_PASS;
}

/*
 * xdp.frags: in skb mode a program that cannot take multi-buffer frames
 * makes the kernel linearise every large skb, which is most of the tax on
 * kernel TCP; headers are always in the first buffer, which is all we read.
 */
SEC("xdp.frags")
int rtd_steer(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index, zero = 0;
	struct rtd_xdp_stats *st = bpf_map_lookup_elem(&xdp_stats, &q);
	const struct rtd_steer_cfg *cfg = bpf_map_lookup_elem(&rt_cfg, &zero);
	enum verdict v = cfg ? classify(ctx, cfg) : V_PASS;

	if (st)
		st->seen++;
	/* A frame a UMEM frame cannot hold would be dropped by the socket. */
	if (v == V_RT && bpf_xdp_get_buff_len(ctx) > cfg->max_len) {
		if (st)
			st->too_big++;
		v = V_PASS;
	}
	if (v == V_RT && bpf_map_lookup_elem(&xsks, &q)) {
		long ret;

		/* When the hook saw it, in front of the frame (AF_XDP copies the
		 * metadata in copy mode too): rtd's in-host time starts here. */
		if (!bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct rtd_xdp_meta))) {
			struct rtd_xdp_meta *meta = (void *)(long)ctx->data_meta;

			if ((void *)(meta + 1) <= (void *)(long)ctx->data)
				meta->hook_ns = bpf_ktime_get_ns();
		}
		ret = bpf_redirect_map(&xsks, q, XDP_PASS);

		if (ret == XDP_REDIRECT) {
			if (st)
				st->redirected++;
			return XDP_REDIRECT;
		}
	}
	if (st) {
		if (v == V_MALFORMED)
			st->malformed++;
		st->passed++;
	}
	/* Malformed frames too: the kernel drops and counts them as it always did. */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
