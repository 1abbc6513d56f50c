#!/usr/bin/env python3
# Real rtnetlink datagrams for the neigh corpus: the kernel's own
# notifications (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEIGH and
# their DEL twins) and dumps, captured while ip(8) sets up and tears down a
# veth pair in a network namespace of this process's own:
#
#   unshare -n python3 tests/fuzz/capture_rtnl.py tests/fuzz/corpus/neigh
#
# The pair is rtd0 (ifindex 2, the index fuzz_neigh.c mirrors) and rtdp0
# (3); addresses are benchmarking ones (198.18.0.0/15, 2001:2::/48).  Each
# datagram is written as it came, one file each, named after its messages.
import os
import select
import socket
import struct
import subprocess
import sys

RTMGRP_LINK, RTMGRP_NEIGH = 0x1, 0x4
RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE = 0x10, 0x40
RTMGRP_IPV6_IFADDR, RTMGRP_IPV6_ROUTE = 0x100, 0x400
NAMES = {16: "newlink", 17: "dellink", 20: "newaddr", 21: "deladdr", 24: "newroute",
         25: "delroute", 28: "newneigh", 29: "delneigh", 2: "error", 3: "done"}

STEPS = [
    "link add rtd0 index 2 type veth peer name rtdp0 index 3",
    "link set rtd0 up",
    "link set rtdp0 up",
    "addr add 198.18.0.1/24 dev rtd0",
    "addr add 198.18.7.1/16 dev rtd0",
    "addr add 2001:2::1/64 dev rtd0",
    "addr add 2001:2:0:1::1/64 dev rtd0 nodad",
    "route add 203.0.113.0/24 via 198.18.0.2 dev rtd0 metric 10",
    "route add 192.0.2.0/24 nexthop via 198.18.0.2 dev rtd0 weight 1"
    " nexthop via 198.18.0.3 dev rtd0 weight 2",
    "route add 198.51.100.0/24 dev rtd0 table 100",
    "-6 route add 2001:db8::/32 via 2001:2::2 dev rtd0",
    "-6 route add default via 2001:2::2 dev rtd0 metric 1024",
    "neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev rtd0 nud reachable",
    "neigh add 198.18.0.3 lladdr 02:00:00:00:00:03 dev rtd0 nud permanent",
    "neigh replace 198.18.0.2 lladdr 02:00:00:00:00:22 dev rtd0 nud stale",
    "-6 neigh add 2001:2::2 lladdr 02:00:00:00:00:02 dev rtd0 nud reachable",
    "neigh add proxy 198.18.0.9 dev rtd0",
    "link set rtd0 mtu 1400",
    "neigh del 198.18.0.3 dev rtd0",
    "route del 203.0.113.0/24 via 198.18.0.2 dev rtd0 metric 10",
    "addr del 198.18.7.1/16 dev rtd0",
    "link set rtd0 down",
    "link del rtd0",
]


def kinds(buf):
    """The message types of one datagram, as a file name."""
    names, off = [], 0
    while off + 16 <= len(buf):
        length, mtype = struct.unpack_from("=IH", buf, off)
        names.append(NAMES.get(mtype, str(mtype)))
        if length < 16:
            break
        off += (length + 3) & ~3
    out = []
    for n in names:  # "newaddr", "newaddr" -> "newaddr-x2"
        if out and out[-1][0] == n:
            out[-1][1] += 1
        else:
            out.append([n, 1])
    return "+".join(n if c == 1 else "%s-x%d" % (n, c) for n, c in out)[:60]


def drain(sock, wait=0.3):
    got = []
    while select.select([sock], [], [], wait)[0]:
        got.append(sock.recv(65536))
        wait = 0.05
    return got


def dump(mtype, family):
    """One dump request on a socket of its own; every datagram of the answer."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, 0))
    if mtype == 22:  # RTM_GETADDR: struct ifaddrmsg
        body = struct.pack("=BBBBI", family, 0, 0, 0, 0)
    elif mtype == 26:  # RTM_GETROUTE: struct rtmsg
        body = struct.pack("=BBBBBBBBI", family, 0, 0, 0, 0, 0, 0, 0, 0)
    else:  # RTM_GETNEIGH: struct ndmsg
        body = struct.pack("=BBHiHBB", family, 0, 0, 0, 0, 0, 0)
    hdr = struct.pack("=IHHII", 16 + len(body), mtype, 0x301, 1, 0)  # REQUEST|DUMP
    s.send(hdr + body)
    out = []
    while True:
        d = s.recv(65536)
        out.append(d)
        if "done" in kinds(d) or "error" in kinds(d):
            break
    s.close()
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    groups = (RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE |
              RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE)
    sub = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sub.bind((0, groups))
    seen = {}

    def keep(prefix, buf):
        name = "%s-%s" % (prefix, kinds(buf))
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name += "-%d" % seen[name]
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(buf)

    dumps_at = STEPS.index("link set rtd0 mtu 1400")
    for i, step in enumerate(STEPS):
        if i == dumps_at:
            for mtype, family in ((26, socket.AF_INET), (26, socket.AF_INET6),
                                  (22, socket.AF_UNSPEC), (30, socket.AF_UNSPEC)):
                for d in dump(mtype, family):
                    keep("dump", d)
        subprocess.run(["ip"] + step.split(), check=True)
        for d in drain(sub, 2.5 if "2001:2::1/64" in step else 0.3):
            keep("note", d)


main()
