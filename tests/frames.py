"""Hand-made Ethernet frames for the namespace tests: UDP over IPv4 or IPv6,
with a VLAN tag, IPv6 extension headers, any MAC or source, and checksums
complete, partial (TX offload) or wrong; sent raw from an interface."""
import socket
import struct


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def udp(src, dst, sport, dport, payload, check="full"):
    """src, dst: IP address strings; check: full, partial, zero or wrong."""
    v6 = ":" in src
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    ulen = 8 + len(payload)
    if v6:
        ph = s + d + struct.pack("!IxxxB", ulen, 17)
    else:
        ph = s + d + struct.pack("!BBH", 0, 17, ulen)
    hdr = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = {"full": csum(ph + hdr + payload) or 0xFFFF,
         "partial": ~csum(ph) & 0xFFFF,
         "zero": 0,
         "wrong": (csum(ph + hdr + payload) ^ 0x5A5A) or 1}[check]
    return hdr[:6] + struct.pack("!H", c) + payload


def ipv4(src, dst, l4, proto=17):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + l4


def ipv6(src, dst, l4, ext=b"", first=17):
    """ext: extension headers already chained; first: the next header of the fixed one."""
    return struct.pack("!IHBB", 6 << 28, len(ext) + len(l4), first, 64) + \
        socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + ext + l4


def routing_header(segments_left, next_header=17):
    """A type 4 (segment routing) header with one segment."""
    return struct.pack("!BBBBI", next_header, 2, 4, segments_left, 0) + bytes(16)


def ether(dst, src, ip, vlan=None, v6=False):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return mac(dst) + mac(src) + tag + struct.pack("!H", 0x86DD if v6 else 0x0800) + ip


def send(ifname, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for f in frames:
        s.send(f)
    s.close()


def own_mac(ifname):
    return open("/sys/class/net/%s/address" % ifname).read().strip()
