#!/usr/bin/python3
"""The same secured offers and answers through two relays, side by side.

Usage: secdiff.py HOST PORT_A PORT_B OUT.json
Four calls, each an offer and an answer over ng with Kamailio's flags:
  sdes-to-plain    an SDES phone (RTP/SAVP) calls a plain one (RTP/AVP)
  plain-to-sdes    a plain phone calls through transport-protocol=RTP/SAVP
  webrtc-to-plain  a browser's offer (UDP/TLS/RTP/SAVPF, ICE, rtcp-mux) to a phone
  plain-to-webrtc  a phone's offer toward a browser (ICE=force DTLS=passive)
For each relay and call, the attribute lines of the SDP each side got
(a=crypto suites, a=setup, a=fingerprint's hash, direction, a=mid,
a=rtcp-mux, a=ice-lite, the m= protocol), in OUT.json, for a person to
read the differences from.
"""
import json
import re
import sys

from ngclient import Ng

CRYPTO = ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
          "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n")
FP = ("a=fingerprint:sha-256 "
      + ":".join(["AB"] * 32) + "\r\n")


def sdp(addr, port, proto, extra=""):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d %s 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n%s"
            % (addr, addr, port, proto, extra))


WEBRTC = ("a=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
          "a=candidate:1 1 UDP 2130706431 198.18.0.2 41000 typ host\r\n"
          "a=rtcp-mux\r\na=setup:actpass\r\n" + FP)
TO_PHONE = {"transport-protocol": "RTP/AVP", "ICE": "remove", "rtcp-mux": ["demux"]}
TO_BROWSER = {"transport-protocol": "UDP/TLS/RTP/SAVPF", "ICE": "force", "DTLS": "passive",
              "SDES": ["off"], "rtcp-mux": ["offer", "require"]}
CALLS = {
    "sdes-to-plain": (sdp("198.18.0.2", 41000, "RTP/SAVP", CRYPTO), {"transport-protocol": "RTP/AVP"},
                      sdp("198.18.0.3", 42000, "RTP/AVP"), {"transport-protocol": "RTP/SAVP"}),
    "plain-to-sdes": (sdp("198.18.0.2", 41000, "RTP/AVP"), {"transport-protocol": "RTP/SAVP"},
                      sdp("198.18.0.3", 42000, "RTP/SAVP", CRYPTO), {"transport-protocol": "RTP/AVP"}),
    "webrtc-to-plain": (sdp("198.18.0.2", 41000, "UDP/TLS/RTP/SAVPF", WEBRTC), TO_PHONE,
                        sdp("198.18.0.3", 42000, "RTP/AVP"), TO_BROWSER),
    "plain-to-webrtc": (sdp("198.18.0.2", 41000, "RTP/AVP"), TO_BROWSER,
                        sdp("198.18.0.3", 42000, "UDP/TLS/RTP/SAVPF",
                            WEBRTC.replace("a=setup:actpass", "a=setup:active")), TO_PHONE),
}
KEEP = re.compile(r"^(m=|a=(crypto|setup|fingerprint|sendrecv|sendonly|recvonly|inactive|mid|"
                  r"rtcp-mux|ice-lite|group|rtcp:))")


def shape(text):
    out = []
    for line in text.split("\r\n"):
        if not KEEP.match(line):
            continue
        if line.startswith("a=crypto:"):
            f = line.split()
            line = "a=crypto:%s %s ..." % (f[0][9:], f[1])
        elif line.startswith("a=fingerprint:"):
            line = line.split()[0] + " ..."
        elif line.startswith("m="):
            line = re.sub(r"m=audio \d+", "m=audio PORT", line)
        elif line.startswith("a=rtcp:"):
            line = re.sub(r"\d+", "N", line.split()[0]) + (" ..." if " " in line else "")
        out.append(line)
    return out


def run(ng):
    res = {}
    for name, (offer, oflags, answer, aflags) in CALLS.items():
        cid = "secdiff-" + name
        r = ng.call(command="offer", call_id=cid, from_tag="a", sdp=offer, **oflags)
        got = {"offer": r.get("result", b"?").decode()}
        if r.get("sdp"):
            got["callee_got"] = shape(r["sdp"].decode())
            r = ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b", sdp=answer, **aflags)
            got["answer"] = r.get("result", b"?").decode()
            if r.get("sdp"):
                got["caller_got"] = shape(r["sdp"].decode())
            else:
                got["answer_error"] = r.get("error-reason", b"").decode()
        else:
            got["offer_error"] = r.get("error-reason", b"").decode()
        ng.call(command="delete", call_id=cid, from_tag="a")
        res[name] = got
    return res


def main():
    host, pa, pb, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    both = {}
    for who, port in (("rtd", pa), ("rtpengine", pb)):
        try:
            both[who] = run(Ng((host, port)))
        except Exception as e:  # noqa: BLE001 -- what a relay did is the result
            both[who] = {"error": "%s: %s" % (type(e).__name__, e)}
    json.dump(both, open(out, "w"), indent=1)


if __name__ == "__main__":
    main()
