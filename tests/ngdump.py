"""The ng messages in a capture (tcpdump -w, udp port 2223), one
block each: who sent it, the command or result with its other keys, and
the SDP it carried.  For reading what a proxy asked of a relay and the SDP
it got back.  IPv4 only; a datagram the capture holds in IP fragments
(a large reply over a 1500-byte link) is left out.

    ngdump.py PCAP
"""
import struct
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ngclient import dec  # noqa: E402


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(end + "I", data[20:24])[0]
    at = 24
    while at + 16 <= len(data):
        ts, us, incl, _ = struct.unpack(end + "IIII", data[at:at + 16])
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        off = {1: 14, 113: 16, 276: 20}.get(link, 14)  # Ethernet, Linux cooked v1/v2
        ip = frame[off:]
        if not ip or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src = "%d.%d.%d.%d" % tuple(ip[12:16])
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        yield ts + us / 1e6, "%s:%d" % (src, sport), dport, ip[ihl + 8:]


def text(v):
    """bencode's strings as text, in lists and dictionaries too"""
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, list):
        return [text(x) for x in v]
    if isinstance(v, dict):
        return {k: text(x) for k, x in v.items()}
    return v


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip())
    t0 = None
    for ts, src, dport, payload in packets(argv[1]):
        t0 = t0 or ts
        cookie, _, body = payload.partition(b" ")
        try:
            msg = dec(body)[0]
        except Exception:
            continue
        if not isinstance(msg, dict):
            continue
        what = msg.get("command") or msg.get("result") or b"?"
        who = "to the relay" if dport == 2223 else "from the relay"
        print("=== %.3f %s %s (%s, cookie %s)" % (ts - t0, who, what.decode(errors="replace"), src,
                                                 cookie.decode(errors="replace")))
        for k, v in msg.items():
            if k in ("sdp", "command", "result"):
                continue
            v = text(v)
            s = v if isinstance(v, str) else repr(v)
            print("  %s: %s" % (k, s if len(s) < 300 else s[:300] + "..."))
        if "sdp" in msg:
            print(msg["sdp"].decode(errors="replace").replace("\r\n", "\n").rstrip("\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
