/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ethtool ioctl, for what has no netlink interface: a driver's name and
 * its ntuple (RX flow classification) rules, which ethtool's own netlink
 * family does not carry.
 */
#ifndef RTD_ETHTOOL_H
#define RTD_ETHTOOL_H

/* SIOCETHTOOL with cmd (struct ethtool_*) on ifname: 0 or -errno. */
int ethtool_ioctl(const char *ifname, void *cmd);

#endif
