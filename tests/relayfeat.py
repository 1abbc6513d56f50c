"""The relay scenarios operators use rtpengine for, run the same way against
rtd and against Debian's rtpengine: signalling over ng as Kamailio sends it
(from the host), media from the peer namespace with plain UDP sockets.

    relayfeat.py ROLE NG_PORT SCENARIO OUT.json
      ROLE signal: run in the host; does the offers and answers and writes
                   the SDPs and the ports to OUT.json
      ROLE media:  run in the peer; reads OUT.json, sends and receives
                   media, writes what arrived from where to OUT.json.media

The relay listens for media on 198.18.0.1 and 2001:2::1 (its NAT interface
advertises 203.0.113.5); the caller is 198.18.0.2, the callee 198.18.0.3 or
2001:2::3.  Only benchmarking addresses are used.
"""
import json
import re
import socket
import struct
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ngclient import Ng  # noqa: E402

CALLER, CALLEE4, CALLEE6 = "198.18.0.2", "198.18.0.3", "2001:2::3"
RELAY4, RELAY6 = "198.18.0.1", "2001:2::1"


def sdp(addr, port, extra=""):
    ip = "IP6" if ":" in addr else "IP4"
    return ("v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n%s" % (ip, addr, ip, addr, port, extra))


def media_of(body):
    """The address and ports an SDP tells its reader to send to."""
    c = re.search(r"c=IN IP[46] (\S+)", body).group(1)
    rtp = int(re.search(r"m=audio (\d+)", body).group(1))
    m = re.search(r"a=rtcp:(\d+)", body)
    return {"addr": c, "rtp": rtp, "rtcp": int(m.group(1)) if m else rtp + 1,
            "mux": "a=rtcp-mux" in body}


SCENARIOS = {
    # name: (offer SDP, offer keys, answer SDP, answer keys)
    "bridge": (sdp(CALLER, 40000), {"address family": "IP6", "replace": ["origin"]},
               sdp(CALLEE6, 40002), {}),
    "nat": (sdp(CALLER, 40000), {}, sdp(CALLEE4, 40002), {}),
    "demux": (sdp(CALLER, 40000, "a=rtcp-mux\r\n"), {"rtcp-mux": ["demux"]},
              sdp(CALLEE4, 40002), {}),
    "block": (sdp(CALLER, 40000), {}, sdp(CALLEE4, 40002), {}),
}


def decode(v):
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        return {k: decode(x) for k, x in v.items()}
    return v


def signal(port, name, out):
    ng = Ng(("127.0.0.1", port))
    offer, okeys, answer, akeys = SCENARIOS[name]
    cid = "feat-" + name
    r1 = decode(ng.call(command="offer", call_id=cid, from_tag="a", sdp=offer, **kw(okeys)))
    r2 = decode(ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b", sdp=answer,
                        **kw(akeys)))
    res = {"offer": r1, "answer": r2}
    if r1.get("result") == "ok" and r2.get("result") == "ok":
        res["to_callee"] = media_of(r1["sdp"])
        res["to_caller"] = media_of(r2["sdp"])
    json.dump(res, open(out, "w"), indent=1)


def kw(keys):
    return {k.replace(" ", "_").replace("-", "_"): v for k, v in keys.items()}


def sock(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(0.3)
    return s


def rtp(seq):
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x1234) + b"\xd5" * 160


def rtcp():
    return b"\x81\xc9\x00\x07" + b"\x00" * 28  # receiver report, PT 201


def exchange(a, b, a_to, b_to, n=20, payload=rtp):
    """n packets each way; what arrived, and from where."""
    got = {"ab": 0, "ba": 0, "ab_from": None, "ba_from": None}
    for i in range(n):
        a.sendto(payload(i), a_to)
        b.sendto(payload(i), b_to)
        for s, k in ((b, "ab"), (a, "ba")):
            try:
                d, src = s.recvfrom(2048)
                got[k] += d == payload(i)
                got[k + "_from"] = list(src[:2])
            except socket.timeout:
                pass
        time.sleep(0.01)
    return got


def media(out):
    sig = json.load(open(out))
    name = sig["scenario"]
    to_callee, to_caller = sig["to_callee"], sig["to_caller"]
    callee = CALLEE6 if ":" in to_callee["addr"] else CALLEE4
    # What the SDP says, but a NAT's public address is reached at the local one.
    def local(addr):
        return RELAY4 if addr == "203.0.113.5" else addr
    a, b = sock(CALLER, 40000), sock(callee, 40002)
    res = {"rtp": exchange(a, b, (local(to_caller["addr"]), to_caller["rtp"]),
                           (local(to_callee["addr"]), to_callee["rtp"]))}
    if name == "demux":
        # The caller muxes: its RTCP to the RTP port, the callee's to the RTCP one.
        b2 = sock(callee, 40003)
        got = {"ab": 0, "ba": 0}
        for _ in range(10):
            a.sendto(rtcp(), (local(to_caller["addr"]), to_caller["rtp"]))
            b2.sendto(rtcp(), (local(to_callee["addr"]), to_callee["rtcp"]))
            for s, k in ((b2, "ab"), (a, "ba")):
                try:
                    got[k] += s.recv(2048) == rtcp()
                except socket.timeout:
                    pass
        res["rtcp"] = got
    json.dump(res, open(out + ".media", "w"), indent=1)


def block(port, name, out, on):
    ng = Ng(("127.0.0.1", port))
    r = decode(ng.call(command="block media" if on else "unblock media", call_id="feat-" + name,
                       from_tag="a"))
    json.dump(r, open(out, "w"))


if __name__ == "__main__":
    role, port, name, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if role == "signal":
        signal(port, name, out)
        d = json.load(open(out))
        d["scenario"] = name
        json.dump(d, open(out, "w"), indent=1)
    elif role == "media":
        media(out)
    elif role in ("block", "unblock"):
        block(port, name, out, role == "block")
