// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup bind4/bind6: refuse (EPERM) a kernel UDP bind of an RT port in the
 * network namespace rtd serves.  ip_local_reserved_ports keeps the kernel
 * from handing RT ports out as ephemeral ports; this covers explicit binds.
 * The hook sees every process on the machine, hence the netns check.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "ports.bpf.h"

const volatile struct rtd_bind_cfg cfg = {};

static __always_inline int allow(struct bpf_sock_addr *ctx)
{
	if (ctx->protocol != IPPROTO_UDP)
		return 1;
	if (bpf_get_netns_cookie(ctx) != cfg.netns_cookie)
		return 1;
	/* user_port holds the port in network order in its low 16 bits. */
	return !rt_port(bpf_ntohs((__u16)ctx->user_port));
}

SEC("cgroup/bind4")
int rtd_bind4(struct bpf_sock_addr *ctx)
{
	return allow(ctx);
}

SEC("cgroup/bind6")
int rtd_bind6(struct bpf_sock_addr *ctx)
{
	return allow(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
