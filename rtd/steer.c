// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ethtool.h"
#include "log.h"
#include "steer.h"
#include "steer.skel.h"

const char *steer_mode_name(enum rtd_xdp_mode mode)
{
	switch (mode) {
	case RTD_XDP_NATIVE:
		return "native";
	case RTD_XDP_SKB:
		return "skb";
	default:
		return "auto";
	}
}

static void driver_name(const char *ifname, char *buf, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };

	snprintf(buf, len, "%s", ethtool_ioctl(ifname, &info) ? "unknown" : info.driver);
}

/*
 * Native XDP on veth costs kernel TCP about three quarters of its throughput
 * (measured: 15-18 -> 4 Gbit/s) while skb mode with a frags-aware program
 * keeps most of it, and AF_XDP on veth is copy mode either way.  Real NICs
 * with XDP drivers do best native.
 */
static bool prefers_skb(const char *driver)
{
	static const char *const skb_drivers[] = { "veth", "tun", "bridge", "dummy",
						   "macvlan", "ipvlan", "vxlan", "bonding" };

	for (size_t i = 0; i < sizeof(skb_drivers) / sizeof(skb_drivers[0]); i++)
		if (!strcmp(driver, skb_drivers[i]))
			return true;
	return false;
}

/*
 * Frames a local sender hands over without a wire in between: their UDP
 * checksums may be partial (TX offload).  A tunnel's inner frames came
 * over one, and a bond's slaves are NICs: not these.
 */
bool steer_driver_is_virtual(const char *driver)
{
	static const char *const drivers[] = { "veth",	  "tun",    "bridge", "dummy",
					       "macvlan", "ipvlan", "virtio_net" };

	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(driver, drivers[i]))
			return true;
	return false;
}

static int attach(struct steer *s, enum rtd_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags = mode == RTD_XDP_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	/* A link detaches itself when rtd dies, however it dies: fail open. */
	fd = bpf_link_create(bpf_program__fd(s->skel->progs.rtd_steer), s->ifindex, BPF_XDP,
			     &opts);
	if (fd < 0)
		return -errno;
	s->link_fd = fd;
	s->mode = mode;
	return 0;
}

static int explain_busy(const struct steer *s, const char *ifname)
{
	__u32 id = 0;
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd;

	if (bpf_xdp_query_id(s->ifindex, 0, &id) || !id) {
		log_err("xdp", "%s: cannot attach: %s", ifname, strerror(EBUSY));
		return -EBUSY;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd >= 0) {
		bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
	}
	log_err("xdp", "%s already has XDP program %u '%s'%s", ifname, id, info.name,
		strcmp(info.name, "rtd_steer") ? ": detach it first (ip link set dev IF xdp off)"
					       : " (is another rtd running on it?)");
	return -EBUSY;
}

static int cfg_write(struct steer *s)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.rt_cfg), &zero, &s->cfg, BPF_ANY);
}

int steer_mac_set(struct steer *s, const uint8_t mac[6])
{
	memcpy(s->cfg.mac, mac, 6);
	return cfg_write(s);
}

static int read_mac(const char *ifname, uint8_t mac[6])
{
	char path[96];
	unsigned m[6];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
	fclose(f);
	if (n != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

int steer_open(struct steer *s, const char *ifname, int ifindex, enum rtd_xdp_mode mode,
	       uint32_t max_len)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->link_fd = -1;
	s->ifindex = ifindex;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0)
		return s->ncpus ? s->ncpus : -EINVAL;
	driver_name(ifname, s->driver, sizeof(s->driver));

	s->skel = steer_bpf__open_and_load();
	if (!s->skel) {
		err = -errno;
		log_err("xdp", "cannot load the steering program: %s", strerror(-err));
		return err;
	}
	/* Before the program sees a frame: until then it serves nothing. */
	s->cfg.max_len = max_len;
	err = read_mac(ifname, s->cfg.mac) ?: cfg_write(s);
	if (err) {
		log_err("xdp", "%s: cannot set the interface's MAC for the steering program: %s",
			ifname, strerror(-err));
		goto err_skel;
	}

	if (mode == RTD_XDP_AUTO) {
		if (prefers_skb(s->driver)) {
			err = attach(s, RTD_XDP_SKB);
		} else {
			err = attach(s, RTD_XDP_NATIVE);
			if (err == -EOPNOTSUPP || err == -EINVAL) {
				log_info("xdp", "%s (%s): no native XDP (%s), using skb mode", ifname,
					 s->driver, strerror(-err));
				err = attach(s, RTD_XDP_SKB);
			}
		}
	} else {
		err = attach(s, mode);
	}
	if (err == -EBUSY || err == -EEXIST) {
		err = explain_busy(s, ifname);
		goto err_skel;
	}
	if (err) {
		log_err("xdp", "%s: cannot attach in %s mode: %s", ifname,
			steer_mode_name(mode), strerror(-err));
		goto err_skel;
	}
	return 0;

err_skel:
	steer_bpf__destroy(s->skel);
	s->skel = NULL;
	return err;
}

int steer_ports_fd(const struct steer *s)
{
	return bpf_map__fd(s->skel->maps.rt_ports);
}

int steer_addr_set(struct steer *s, int family, const struct in6_addr *a, bool add)
{
	__u8 one = 1;
	int fd, err;
	const void *key;

	if (family == AF_INET) {
		fd = bpf_map__fd(s->skel->maps.rt_addrs4);
		key = &a->s6_addr32[3];
	} else {
		fd = bpf_map__fd(s->skel->maps.rt_addrs6);
		key = a->s6_addr;
	}
	err = add ? bpf_map_update_elem(fd, key, &one, BPF_ANY) : bpf_map_delete_elem(fd, key);
	if (err && !(err == -ENOENT && !add))
		return err;
	return 0;
}

int steer_xsk_set(struct steer *s, unsigned queue, int xsk_fd)
{
	__u32 key = queue;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.xsks), &key, &xsk_fd, BPF_ANY);
}

int steer_xsk_clear(struct steer *s, unsigned queue)
{
	__u32 key = queue;
	int err = bpf_map_delete_elem(bpf_map__fd(s->skel->maps.xsks), &key);

	return err == -ENOENT ? 0 : err;
}

int steer_stats(const struct steer *s, unsigned queue, struct rtd_xdp_stats *out)
{
	struct rtd_xdp_stats per[s->ncpus];
	__u32 key = queue;
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.xdp_stats), &key, per);
	if (err)
		return err;
	for (int i = 0; i < s->ncpus; i++) {
		out->seen += per[i].seen;
		out->redirected += per[i].redirected;
		out->passed += per[i].passed;
		out->malformed += per[i].malformed;
		out->too_big += per[i].too_big;
	}
	return 0;
}

void steer_close(struct steer *s)
{
	if (s->link_fd >= 0)
		close(s->link_fd);
	s->link_fd = -1;
	steer_bpf__destroy(s->skel);
	s->skel = NULL;
}
