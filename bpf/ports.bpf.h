/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RT port set, shared by the steering and bind programs: rtd loads the
 * steering object first and hands this map's fd to the bind object, so both
 * definitions must stay identical.
 */
#ifndef RTD_PORTS_BPF_H
#define RTD_PORTS_BPF_H

#include <rtd/maps.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RTD_NPORTS);
	__type(key, __u32);
	__type(value, struct rtd_port_val);
} rt_ports SEC(".maps");

static __always_inline int rt_port(__u16 port_host)
{
	__u32 key = port_host;
	struct rtd_port_val *v = bpf_map_lookup_elem(&rt_ports, &key);

	return v && v->rt;
}

#endif
