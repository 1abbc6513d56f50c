"""Relay benchmark driver, run in the peer namespace: sets up N calls on a relay
over ng, streams RTP A -> relay -> B at 50 packets/s per call, and measures
one-way latency (sender and receiver share this host's clock), interarrival
jitter and loss.  Prints one JSON object."""
import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ngclient import Ng  # noqa: E402

ng_host, ng_port, ncalls, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
A, B, RELAY = "198.18.0.2", "198.18.0.3", "198.18.0.1"
ng = Ng((ng_host, ng_port))
calls = []
for i in range(ncalls):
    pa, pb = 42000 + 2 * i, 44000 + 2 * i
    cid = "bench-%d-%d" % (os.getpid(), i)
    sdp = lambda ip, p: "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n" % (ip, ip, p)
    r = ng.call(command="offer", call_id=cid, from_tag="a", sdp=sdp(A, pa))
    if r[b"result" if b"result" in r else "result"] != b"ok":
        print(json.dumps({"error": "offer: %r" % r}))
        sys.exit(1)
    body = r["sdp"].decode()
    to_b = int(body.split("m=audio ")[1].split()[0])
    r = ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b", sdp=sdp(B, pb))
    to_a = int(r["sdp"].decode().split("m=audio ")[1].split()[0])
    sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sa.bind((A, pa))
    sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sb.bind((B, pb))
    sb.setblocking(False)
    calls.append({"id": cid, "sa": sa, "sb": sb, "dst": (RELAY, to_a), "seq": 0})
    # B speaks first so that its leg latches (symmetric RTP); A's leg latches below.
    sb.sendto(struct.pack("!BBHII", 0x80, 0, 0, 0, 1) + b"\0" * 16, (RELAY, to_b))

by_fd = {c["sb"].fileno(): c for c in calls}
lat, jit, recv = [], [], 0
last_transit = {}
period = 0.020
start = time.monotonic()
next_send = [start + i * period / ncalls for i in range(ncalls)]
sent = 0
end = start + secs
while True:
    now = time.monotonic()
    if now >= end + 0.3:
        break
    for i, c in enumerate(calls):
        if now < end and now >= next_send[i]:
            c["seq"] += 1
            t = time.monotonic_ns()
            c["sa"].sendto(struct.pack("!BBHIIQ", 0x80, 0, c["seq"] & 0xffff, c["seq"] * 160, 2, t)
                           + b"\xd5" * 152, c["dst"])
            sent += 1
            next_send[i] += period
    timeout = max(0.0, min(next_send) - time.monotonic()) if now < end else 0.05
    r, _, _ = select.select(list(by_fd), [], [], min(timeout, 0.005))
    for fd in r:
        c = by_fd[fd]
        while True:
            try:
                d = c["sb"].recv(2048)
            except BlockingIOError:
                break
            t = time.monotonic_ns()
            if len(d) < 20:
                continue
            sent_ns = struct.unpack("!Q", d[12:20])[0]
            transit = t - sent_ns
            lat.append(transit / 1000.0)
            if c["id"] in last_transit:
                jit.append(abs(transit - last_transit[c["id"]]) / 1000.0)
            last_transit[c["id"]] = transit
            recv += 1

for c in calls:
    try:
        ng.call(command="delete", call_id=c["id"], from_tag="a")
    except OSError:
        pass


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return round(v[min(len(v) - 1, max(0, int(p / 100.0 * len(v) + 0.999999) - 1))], 1)


print(json.dumps({"calls": ncalls, "sent": sent, "received": recv,
                  "loss": round(1 - recv / sent, 5) if sent else None,
                  "latency_p50_us": pct(lat, 50), "latency_p99_us": pct(lat, 99),
                  "latency_p999_us": pct(lat, 99.9), "jitter_p50_us": pct(jit, 50),
                  "jitter_p99_us": pct(jit, 99), "jitter_p999_us": pct(jit, 99.9)}))
