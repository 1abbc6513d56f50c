"""Relay benchmark driver, run in the peer namespace: sets up CALLS calls on a
relay over ng (offer from A, answer from B, as Kamailio would), has
build/tools/rtpload stream RTP through them and measure, deletes the calls.
Prints rtpload's JSON object, with the time the ng set-up took.

  relaybench.py NG_ADDR NG_PORT CALLS SECS [rtpload options...]

With RELAY_BRIDGE=1, B is IPv6 (2001:2::3) and each offer asks for
"address family: IP6": every call is bridged between IPv4 and IPv6.

With RELAY_SRTP=1, A is an SDES phone (RTP/SAVP, AES_CM_128_HMAC_SHA1_80)
and B a plain one: the relay terminates SRTP toward A (transport-protocol
RTP/AVP toward B, RTP/SAVP back toward A), and rtpload -S speaks it.

With RELAY_CPU_CMD set, a shell command that prints the relay's CPU seconds
so far (for rtd, its busy time) and optionally, second, how much of it went
to the kernel's transmit, the JSON also has the relay's CPU share while the
media ran and its CPU time per relayed packet (and the transmit's part).
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from ngclient import Ng  # noqa: E402

A, B, RELAY = "198.18.0.2", "198.18.0.3", "198.18.0.1"
B6, RELAY6 = "2001:2::3", "2001:2::1"
BRIDGE = os.environ.get("RELAY_BRIDGE") == "1"
SRTP = os.environ.get("RELAY_SRTP") == "1"
TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "tools", "rtpload")


def sdp(ip, port):
    fam = "IP6" if ":" in ip else "IP4"
    return ("v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % (fam, ip, fam, ip, port))


def sdes_offer(ip, port, key):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n"
            % (ip, ip, port, base64.b64encode(key).decode()))


def relay_key(reply):
    """The relay's key toward A, from its answer's a=crypto, as hex."""
    m = re.search(r"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)",
                  reply["sdp"].decode())
    if not m:
        raise RuntimeError("no a=crypto in the answer: %r" % reply)
    return base64.b64decode(m.group(1) + "=" * (-len(m.group(1)) % 4)).hex()


def media_port(reply, what):
    if reply.get("result") != b"ok":
        raise RuntimeError("%s: %r" % (what, reply))
    return int(reply["sdp"].decode().split("m=audio ")[1].split()[0])


def cpu_seconds(cmd):
    if not cmd:
        return None
    try:
        return [float(x) for x in subprocess.run(cmd, shell=True, capture_output=True, text=True,
                                                 check=True).stdout.split()] or None
    except (subprocess.CalledProcessError, ValueError):
        return None


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    ng_addr, ng_port, ncalls, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    extra = sys.argv[5:]
    ng = Ng((ng_addr, ng_port))
    ids = []
    t0 = time.monotonic()
    with tempfile.NamedTemporaryFile("w", suffix=".calls", delete=False) as f:
        try:
            for i in range(ncalls):
                # A and B ports: even RTP ports, RTCP above; 4 apart per call.
                pa, pb = 20000 + 4 * i, 20002 + 4 * i
                cid = "bench-%d-%d" % (os.getpid(), i)
                fam = {"address_family": "IP6"} if BRIDGE else {}
                if SRTP:
                    key = os.urandom(30)
                    r1 = ng.call(command="offer", call_id=cid, from_tag="a",
                                 sdp=sdes_offer(A, pa, key), transport_protocol="RTP/AVP")
                else:
                    r1 = ng.call(command="offer", call_id=cid, from_tag="a", sdp=sdp(A, pa),
                                 **fam)
                to_b = media_port(r1, "offer")
                ids.append(cid)
                r2 = ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b",
                             sdp=sdp(B6 if BRIDGE else B, pb),
                             **({"transport_protocol": "RTP/SAVP"} if SRTP else {}))
                to_a = media_port(r2, "answer")
                f.write("%d %d %d %d" % (pa, to_a, pb, to_b))
                f.write(" %s %s\n" % (key.hex(), relay_key(r2)) if SRTP else "\n")
        except (RuntimeError, OSError) as e:
            print(json.dumps({"calls": len(ids), "error": str(e)}))
            os.unlink(f.name)
            for cid in ids:
                try:
                    ng.call(command="delete", call_id=cid, from_tag="a")
                except OSError:
                    break  # the relay is gone: its calls with it
            sys.exit(1)
    setup = time.monotonic() - t0
    cpu_cmd = os.environ.get("RELAY_CPU_CMD")
    c0, w0 = cpu_seconds(cpu_cmd), time.monotonic()
    try:
        ends = ["-a", A, "-b", B6, "-d", RELAY, "-D", RELAY6] if BRIDGE else \
            ["-a", A, "-b", B, "-d", RELAY]
        out = subprocess.run([TOOL] + ends + ["-f", f.name, "-t", secs] + (["-S"] if SRTP else []) + extra,
                             capture_output=True, text=True, check=False)
        c1, w1 = cpu_seconds(cpu_cmd), time.monotonic()
    finally:
        os.unlink(f.name)
        for cid in ids:
            try:
                ng.call(command="delete", call_id=cid, from_tag="a")
            except OSError:
                pass
    try:
        r = json.loads(out.stdout)
    except ValueError:
        print(json.dumps({"calls": ncalls, "error": (out.stderr or out.stdout).strip()[-300:]}))
        sys.exit(1)
    r["setup_s"] = round(setup, 3)
    if c0 and c1 and len(c0) == len(c1) and r.get("sent_total"):
        r["cpu_share"] = round((c1[0] - c0[0]) / (w1 - w0), 4)
        r["cpu_ns_per_packet"] = round((c1[0] - c0[0]) * 1e9 / r["sent_total"], 1)
        if len(c0) > 1:
            r["tx_ns_per_packet"] = round((c1[1] - c0[1]) * 1e9 / r["sent_total"], 1)
    print(json.dumps(r))


main()
