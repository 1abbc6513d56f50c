"""SRTP through a relay driven over ng, with Debian's pylibsrtp (libsrtp2)
as the endpoints' own SRTP: run in the peer namespace, signalling over ng
to NG_HOST:NG_PORT on the relay's address.

    srtpcall.py sdes NG_HOST NG_PORT OUT.json
        an SDES caller (RTP/SAVP, 198.18.0.2) and a plain callee
        (198.18.0.3), the relay asked for RTP/AVP toward the callee: media
        both ways, then what an attacker or a broken endpoint sends
        (replays, forged tags, truncations, junk, DTLS and STUN junk),
        then media again.
    srtpcall.py flow NG_HOST NG_PORT SECS OUT.json
        the same call, media both ways for SECS seconds with every
        arrival timed (CLOCK_REALTIME), for a test that kills the relay
        meanwhile.

Only 198.18.0.0/15 addresses are used.
"""
import base64
import json
import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ngclient import Ng  # noqa: E402
from pylibsrtp import Error as SrtpError  # noqa: E402
from pylibsrtp import Policy, Session  # noqa: E402

# SRTPCALL_PORTS=PA,PB: other ports for A and B, beside another call's media.
_pa, _pb = (int(p) for p in os.environ.get("SRTPCALL_PORTS", "40000,40002").split(","))
A, B = ("198.18.0.2", _pa), ("198.18.0.3", _pb)


def text(v):
    return v.decode(errors="replace") if isinstance(v, bytes) else v


def sock(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(addr)
    s.settimeout(0.5)
    return s


def rtp(seq, ssrc, fill=b"\xd5"):
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, ssrc) + fill * 160


def session(key, outbound):
    kind = Policy.SSRC_ANY_OUTBOUND if outbound else Policy.SSRC_ANY_INBOUND
    return Session(policy=Policy(key=key, ssrc_type=kind,
                                 srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))


def setup(ng, cid):
    key_a = os.urandom(30)
    offer = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
             "m=audio %d RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
             "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n"
             % (A[0], A[0], A[1], base64.b64encode(key_a).decode()))
    r1 = ng.call(command="offer", call_id=cid, from_tag="a", sdp=offer,
                 transport_protocol="RTP/AVP", ICE="remove")
    to_b = text(r1["sdp"])
    answer = ("v=0\r\no=- 2 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
              "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % (B[0], B[0], B[1]))
    r2 = ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b", sdp=answer,
                 transport_protocol="RTP/SAVP", ICE="remove")
    to_a = text(r2["sdp"])
    relay = re.search(r"c=IN IP4 (\S+)", to_a).group(1)
    m = re.search(r"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)", to_a)
    key_r = base64.b64decode(m.group(1) + "=" * (-len(m.group(1)) % 4))
    return {"to_b": to_b, "to_a": to_a, "relay": relay,
            "port_a": int(re.search(r"m=audio (\d+)", to_a).group(1)),
            "port_b": int(re.search(r"m=audio (\d+)", to_b).group(1)),
            "key_a": key_a, "key_r": key_r}


class Call:
    def __init__(self, c):
        self.c = c
        self.a, self.b = sock(A), sock(B)
        self.tx_a, self.rx_a = session(c["key_a"], True), session(c["key_r"], False)
        self.ra, self.rb = (c["relay"], c["port_a"]), (c["relay"], c["port_b"])
        self.seq = 0

    def a_to_b(self, n):
        """A sends n SRTP packets; what B receives in the clear, and the packets sent."""
        got, sent = 0, []
        for _ in range(n):
            self.seq += 1
            p = self.tx_a.protect(rtp(self.seq, 1111))
            sent.append(p)
            self.a.sendto(p, self.ra)
            try:
                d, _ = self.b.recvfrom(2048)
                got += d == rtp(self.seq, 1111)
            except socket.timeout:
                pass
        return got, sent

    def b_to_a(self, n):
        """B sends n plain packets; how many A authenticates and reads back."""
        got = 0
        for i in range(n):
            self.b.sendto(rtp(5000 + self.seq + i, 2222), self.rb)
            try:
                d, _ = self.a.recvfrom(2048)
                got += self.rx_a.unprotect(d) == rtp(5000 + self.seq + i, 2222)
            except (socket.timeout, SrtpError):
                pass
        return got

    def junk_to_b(self, pkts):
        """A sends each of pkts, named; the names of those B received (none should be)."""
        through = []
        self.b.settimeout(0.2)
        for name, p in pkts:
            self.a.sendto(p, self.ra)
            try:
                self.b.recvfrom(2048)
                through.append(name)
            except socket.timeout:
                pass
        self.b.settimeout(0.5)
        return through


def sdes(ng, res):
    c = setup(ng, "srtp-sdes")
    res["to_b"], res["to_a"] = c["to_b"], c["to_a"]
    call = Call(c)
    res["a_to_b"], sent = call.a_to_b(20)
    res["b_to_a"] = call.b_to_a(20)
    forged = bytearray(sent[-1])
    forged[-1] ^= 1
    fresh = bytearray(call.tx_a.protect(rtp(call.seq + 1, 1111)))
    fresh[-3] ^= 0x40
    res["junk_through"] = call.junk_to_b([
        ("a replay", sent[5]), ("another replay", sent[6]),
        ("a forged tag", bytes(forged)), ("a flipped bit", bytes(fresh)),
        ("14 bytes", sent[7][:14]), ("3 bytes", sent[7][:3]), ("no bytes", b""),
        ("noise", os.urandom(200)), ("noise like RTP", bytes([0x80]) + os.urandom(171)),
        ("DTLS-like junk", bytes([22, 254, 253]) + os.urandom(60)),
        ("STUN-like junk", bytes([0, 1, 0, 0]) + os.urandom(16)),
    ])
    call.seq += 1  # the forged fresh one's index is spent on our side only
    res["a_to_b_after"], _ = call.a_to_b(20)
    res["b_to_a_after"] = call.b_to_a(20)


def dtls_junk(ng, res):
    """A WebRTC-style caller whose DTLS rtd terminates, sending it junk records."""
    offer = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
             "m=audio %d UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\na=setup:actpass\r\n"
             "a=fingerprint:sha-256 %s\r\n"
             % (A[0], A[0], A[1], ":".join("%02X" % b for b in os.urandom(32))))
    r1 = ng.call(command="offer", call_id="srtp-dtls", from_tag="a", sdp=offer,
                 transport_protocol="RTP/AVP", ICE="remove")
    answer = ("v=0\r\no=- 2 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
              "m=audio %d RTP/AVP 0\r\n" % (B[0], B[0], B[1]))
    r2 = ng.call(command="answer", call_id="srtp-dtls", from_tag="a", to_tag="b", sdp=answer,
                 DTLS="passive")
    to_a = text(r2["sdp"])
    res["to_a"] = to_a
    relay = (re.search(r"c=IN IP4 (\S+)", to_a).group(1),
             int(re.search(r"m=audio (\d+)", to_a).group(1)))
    a, b = sock(A), sock(B)
    b.settimeout(0.3)
    hello = bytes([22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200, 1, 0, 0, 188])
    junk = [hello, hello + os.urandom(40), bytes([23, 254, 253]) + os.urandom(50),
            bytes([21, 254, 253]) + os.urandom(10), bytes([63]) + os.urandom(100),
            bytes([20]), os.urandom(1) + b"", bytes([0x80, 0]) + os.urandom(170)]
    for p in junk * 5:
        a.sendto(p, relay)
    res["callee_got"] = 0
    try:
        while True:
            b.recvfrom(2048)
            res["callee_got"] += 1
    except socket.timeout:
        pass
    res["sent"] = len(junk) * 5


def flow(ng, secs, res):
    c = setup(ng, "srtp-flow")
    call = Call(c)
    res["ab"], res["ba"] = [], []
    call.a.settimeout(0)
    call.b.settimeout(0)
    # Near the end of the sequence space: it wraps within the first
    # seconds, so that a relay restarted later must know the ROC.
    call.seq = 65536 - 60
    t_end, nxt = time.time() + secs, time.time()
    while time.time() < t_end:
        if time.time() >= nxt:
            call.seq += 1
            call.a.sendto(call.tx_a.protect(rtp(call.seq, 1111)), call.ra)
            call.b.sendto(rtp(call.seq, 2222), call.rb)
            nxt += 0.02
        for s, d in ((call.b, "ab"), (call.a, "ba")):
            try:
                data, _ = s.recvfrom(2048)
            except BlockingIOError:
                continue
            try:
                if d == "ba":
                    data = call.rx_a.unprotect(data)
                if data[8:12] == struct.pack("!I", 1111 if d == "ab" else 2222):
                    res[d].append(round(time.time(), 4))
            except SrtpError:
                pass
        time.sleep(0.001)


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    res = {}
    ng = Ng((host, port))
    try:
        if mode in ("sdes", "dtlsjunk"):
            out = sys.argv[4]
            (sdes if mode == "sdes" else dtls_junk)(ng, res)
        else:
            out = sys.argv[5]
            flow(ng, float(sys.argv[4]), res)
    except Exception as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
        out = sys.argv[-1]
    json.dump(res, open(out, "w"), indent=1)


main()
