"""RTP both ways through a relay for a while, and when it flowed: run in the
peer namespace, it sends 50 packets/s from A to the relay's port for A and
from B to the relay's port for B, and records every packet that arrives.

    rtpflow.py A_ADDR A_PORT RELAY_FOR_A B_ADDR B_PORT RELAY_FOR_B RELAY SECS OUT.json

OUT.json: per direction ("ab": what B received of A's, "ba"), the packets
sent and received and the arrival times (CLOCK_REALTIME, s), so a test can
find the gap around an event it timed with the same clock.
"""
import json
import select
import socket
import struct
import sys
import time


def sock(addr, port):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.setblocking(False)
    return s


def main():
    a_addr, a_port, ra, b_addr, b_port, rb, relay, secs, out = sys.argv[1:10]
    a, b = sock(a_addr, int(a_port)), sock(b_addr, int(b_port))
    dst = {a: (relay, int(ra)), b: (relay, int(rb))}
    res = {"ab": {"sent": 0, "at": []}, "ba": {"sent": 0, "at": []}}
    t_end = time.time() + float(secs)
    nxt, seq = time.time(), 0
    while time.time() < t_end:
        now = time.time()
        if now >= nxt:
            for s, d in ((a, "ab"), (b, "ba")):
                pkt = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, 1 if s is a else 2)
                try:
                    s.sendto(pkt + b"\xd5" * 160, dst[s])
                    res[d]["sent"] += 1
                except OSError:
                    pass
            seq += 1
            nxt += 0.02
        r, _, _ = select.select([a, b], [], [], max(0.0, min(nxt, t_end) - time.time()))
        for s in r:
            while True:
                try:
                    data = s.recv(2048)
                except BlockingIOError:
                    break
                ssrc = struct.unpack("!I", data[8:12])[0] if len(data) >= 12 else 0
                d = "ab" if s is b and ssrc == 1 else "ba" if s is a and ssrc == 2 else None
                if d:
                    res[d]["at"].append(round(time.time(), 4))
    for d in res.values():
        d["received"] = len(d["at"])
    json.dump(res, open(out, "w"))


main()
