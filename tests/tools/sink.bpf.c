// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmark sink for the peer's end of the link: drops UDP datagrams from
 * the echo port at the driver, passes everything else (ARP above all).  A
 * flood's echoes would otherwise go up the peer's UDP stack, and on veth
 * that stack runs inside rtd's transmit, so the echo rate would measure the
 * peer.  What rtd sent is read from its own counters.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define SINK_PORT 7000 /* the bench's echo */

SEC("xdp")
int sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end || udp->source != bpf_htons(SINK_PORT))
		return XDP_PASS;
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
