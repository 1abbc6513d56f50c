#!/usr/bin/env python3
# The seed corpora of the fuzz targets but neigh's (capture_rtnl.py records
# those from the kernel): what SIP phones, WebRTC browsers and Kamailio send,
# frames as they arrive on a wire, rtd's own config file.  Addresses are
# documentation and benchmarking ones.
#
#   python3 tests/fuzz/mkseeds.py tests/fuzz/corpus
#
# Deterministic: running it again writes the same files.
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def crlf(text):
    return "\r\n".join(text.strip("\n").split("\n")) + "\r\n"


# --- SDP, as phones and browsers write it ---------------------------------
SDP = {
    "pjsip-microsip": crlf("""
v=0
o=- 3868934431 3868934431 IN IP4 192.0.2.10
s=pjmedia
b=AS:84
t=0 0
a=X-nat:0
m=audio 4000 RTP/AVP 8 0 101
c=IN IP4 192.0.2.10
b=AS:64000
a=rtcp:4001 IN IP4 192.0.2.10
a=sendrecv
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ssrc:1739468539 cname:7d6d0b0e4f8e1a3b
"""),
    "yealink-t46": crlf("""
v=0
o=- 20019 20019 IN IP4 192.0.2.31
s=SDP data
c=IN IP4 192.0.2.31
t=0 0
m=audio 11800 RTP/AVP 0 8 18 9 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:9 G722/8000
a=fmtp:101 0-15
a=rtpmap:101 telephone-event/8000
a=ptime:20
a=sendrecv
"""),
    "polycom-vvx": crlf("""
v=0
o=- 1592385426 1592385426 IN IP4 192.0.2.40
s=Polycom IP Phone
c=IN IP4 192.0.2.40
t=0 0
a=sendrecv
m=audio 2222 RTP/AVP 9 102 0 8 18 127
a=rtpmap:9 G722/8000
a=rtpmap:102 G7221/16000
a=fmtp:102 bitrate=32000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:127 telephone-event/8000
"""),
    "grandstream-gxp": crlf("""
v=0
o=1001 8000 8000 IN IP4 192.0.2.50
s=SIP Call
c=IN IP4 192.0.2.50
t=0 0
m=audio 5004 RTP/AVP 0 8 4 18 9 97 2 123 101
a=sendrecv
a=rtpmap:0 PCMU/8000
a=ptime:20
a=rtpmap:8 PCMA/8000
a=rtpmap:4 G723/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:9 G722/8000
a=rtpmap:97 iLBC/8000
a=fmtp:97 mode=20
a=rtpmap:2 G726-32/8000
a=rtpmap:123 opus/48000/2
a=fmtp:123 maxplaybackrate=16000; sprop-maxcapturerate=16000; maxaveragebitrate=12000; useinbandfec=1
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
"""),
    "cisco-cucm": crlf("""
v=0
o=CiscoSystemsCCM-SIP 2000 1 IN IP4 192.0.2.60
s=SIP Call
c=IN IP4 192.0.2.61
b=TIAS:64000
b=AS:64
t=0 0
m=audio 24580 RTP/AVP 0 101
b=TIAS:64000
a=ptime:20
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
"""),
    "baresip": crlf("""
v=0
o=- 1520264823 2070520447 IN IP4 192.0.2.70
s=-
c=IN IP4 192.0.2.70
t=0 0
m=audio 10302 RTP/AVP 96 0 8 101
b=AS:64
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=ssrc:1469346287 cname:sip:alice@example.com
a=rtcp-rsize
"""),
    "linphone-audio-video": crlf("""
v=0
o=alice 2217 1993 IN IP4 192.0.2.80
s=Talk
c=IN IP4 192.0.2.80
t=0 0
a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100
a=rtpmap:96 opus/48000/2
a=fmtp:96 useinbandfec=1
a=rtpmap:97 speex/16000
a=fmtp:97 vbr=on
a=rtpmap:98 speex/8000
a=fmtp:98 vbr=on
a=fmtp:18 annexb=yes
a=rtpmap:101 telephone-event/48000
a=rtpmap:99 telephone-event/16000
a=rtpmap:100 telephone-event/8000
a=rtcp-fb:* trr-int 1000
a=rtcp-fb:* ccm tmmbr
m=video 9078 RTP/AVP 96 97
a=rtpmap:96 VP8/90000
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42801F
a=rtcp-fb:* trr-int 1000
a=rtcp-fb:* ccm tmmbr
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 ccm fir
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 ccm fir
"""),
    "chrome-offer-gathered": crlf("""
v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS 5e7f1c3c-4a8b-4c0e-9e0d-2b5b6c9a1f11
m=audio 54400 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 203.0.113.141
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:3348148302 1 udp 2122260223 192.0.2.90 54400 typ host generation 0 network-id 1
a=candidate:1510613869 1 udp 1686052607 203.0.113.141 54400 typ srflx raddr 192.0.2.90 rport 54400 generation 0 network-id 1
a=candidate:2199032595 1 tcp 1518280447 192.0.2.90 9 typ host tcptype active generation 0 network-id 1
a=ice-ufrag:EsAw
a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
a=ice-options:trickle
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:5e7f1c3c-4a8b-4c0e-9e0d-2b5b6c9a1f11 0e5a7c1d-6b2f-4f0a-8d3e-7c9b1a2e3f40
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:1804473958 cname:vGbVFQ8bJvqk4b1R
a=ssrc:1804473958 msid:5e7f1c3c-4a8b-4c0e-9e0d-2b5b6c9a1f11 0e5a7c1d-6b2f-4f0a-8d3e-7c9b1a2e3f40
m=video 54400 UDP/TLS/RTP/SAVPF 96 97 102 103
c=IN IP4 203.0.113.141
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:EsAw
a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
a=ice-options:trickle
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=sendrecv
a=msid:5e7f1c3c-4a8b-4c0e-9e0d-2b5b6c9a1f11 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:102 H264/90000
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:103 rtx/90000
a=fmtp:103 apt=102
a=ssrc-group:FID 2231627014 632943048
a=ssrc:2231627014 cname:vGbVFQ8bJvqk4b1R
a=ssrc:632943048 cname:vGbVFQ8bJvqk4b1R
"""),
    "chrome-offer-before-gathering": crlf("""
v=0
o=- 8263574018236150912 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS
m=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:R2kc
a=ice-pwd:0Yq3JGm8lQp6DZEbQ6WbO1Xx
a=ice-options:trickle
a=fingerprint:sha-256 2E:5C:13:94:A2:77:1D:E0:3A:19:8F:1E:52:55:0A:C4:B4:61:F8:8E:5D:36:0B:74:B3:2F:F6:DD:0A:8C:17:AB
a=setup:actpass
a=mid:0
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=recvonly
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
"""),
    "firefox-offer": crlf("""
v=0
o=mozilla...THIS_IS_SDPARTA-99.0 7390545547410390574 0 IN IP4 0.0.0.0
s=-
t=0 0
a=sendrecv
a=fingerprint:sha-256 A1:4C:87:1E:6A:F1:55:60:3C:FB:4D:2F:18:9B:7D:37:55:0C:95:0E:8C:6F:02:BB:33:8A:1C:40:6E:71:90:FA
a=group:BUNDLE 0
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 61024 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 198.51.100.77
a=candidate:0 1 UDP 2122252543 192.0.2.95 61024 typ host
a=candidate:1 1 UDP 1686052863 198.51.100.77 61024 typ srflx raddr 192.0.2.95 rport 61024
a=sendrecv
a=end-of-candidates
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:e5f3c2d1b4a69788001122334455667a
a=ice-ufrag:a1b2c3d4
a=mid:0
a=msid:{8f7f2f39-0a37-4bd8-9c7e-0b2f4a6c8d1e} {1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6}
a=rtcp:61024 IN IP4 198.51.100.77
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000/1
a=setup:actpass
a=ssrc:2655508255 cname:{6f5a4e3d-2c1b-0a99-8877-665544332211}
"""),
    "ipv6-phone": crlf("""
v=0
o=bob 2808844564 2808844564 IN IP6 2001:db8::20
s=-
c=IN IP6 2001:db8::20
t=0 0
m=audio 49172 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=rtcp:49173 IN IP6 2001:db8::20
a=sendrecv
"""),
    # RFC 8866 section 5's example, LF line endings and all.
    "rfc8866-example-lf": """v=0
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
s=Call to John Smith
i=SDP Offer #1
u=http://www.jdoe.example.com/home.html
e=Jane Doe <jane@jdoe.example.com>
p=+1 617 555-6011
c=IN IP4 198.51.100.1
t=0 0
m=audio 49170 RTP/AVP 0
m=audio 49180 RTP/AVP 0
m=video 51372 RTP/AVP 99
c=IN IP6 2001:db8::2
a=rtpmap:99 h263-1998/90000
""",
    # RFC 3605's a=rtcp with an address of its own.
    "rfc3605-rtcp-address": crlf("""
v=0
o=- 16 2 IN IP4 203.0.113.4
s=-
c=IN IP4 203.0.113.4
t=0 0
m=audio 49170 RTP/AVP 0
a=rtcp:53020 IN IP4 203.0.113.5
"""),
    # RFC 3264's old hold: c= of 0.0.0.0, sendonly.
    "hold-sendonly": crlf("""
v=0
o=- 3868934431 3868934432 IN IP4 192.0.2.10
s=pjmedia
c=IN IP4 0.0.0.0
t=0 0
m=audio 4000 RTP/AVP 8 0 101
a=sendonly
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
"""),
    # An answer that refuses the video and carries a port count (RFC 8866 5.14).
    "answer-rejected-video-port-count": crlf("""
v=0
o=carol 28908764872 28908764873 IN IP4 192.0.2.100
s=-
c=IN IP4 233.252.0.1/127
t=0 0
m=audio 49170/2 RTP/AVP 0
a=inactive
m=video 0 RTP/AVP 31
"""),
    # What rtd answers with, after the relay rewrote it.
    "rtd-rewritten": crlf("""
v=0
o=- 3868934431 3868934431 IN IP4 198.18.0.1
s=pjmedia
c=IN IP4 198.18.0.1
t=0 0
m=audio 30002 RTP/AVP 8 0 101
a=rtcp:30003
a=sendrecv
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
"""),
}


# --- bencode and ng, as Kamailio's rtpengine module sends them ------------
def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(x) for x in v) + b"e"
    return b"d" + b"".join(benc(k) + benc(x) for k, x in v.items()) + b"e"


CALL = "a84b4c76e66710@pc33.atlanta.example.com"
FROM = "1928301774"
TO = "a6c85cf"


def offer(sdp, call=CALL, extra=None):
    d = {"supports": ["load limit"], "sdp": sdp,
         "flags": ["trust-address", "SIP-source-address"],
         "replace": ["origin", "session-connection"], "ICE": "remove",
         "transport-protocol": "RTP/AVP", "received-from": ["IP4", "192.0.2.10"],
         "call-id": call, "via-branch": "z9hG4bK776asdhds-0", "from-tag": FROM,
         "command": "offer"}
    d.update(extra or {})
    return d


def answer(sdp, call=CALL):
    return {"supports": ["load limit"], "sdp": sdp, "flags": ["trust-address"],
            "replace": ["origin", "session-connection"], "ICE": "remove",
            "transport-protocol": "RTP/AVP", "received-from": ["IP4", "192.0.2.31"],
            "call-id": call, "via-branch": "z9hG4bK776asdhds-0", "from-tag": FROM,
            "to-tag": TO, "command": "answer"}


def delete(call=CALL):
    return {"call-id": call, "from-tag": FROM, "to-tag": TO,
            "via-branch": "z9hG4bK776asdhds-0", "command": "delete"}


PING = {"command": "ping"}
QUERY = {"call-id": CALL, "command": "query"}
LIST = {"command": "list", "limit": 32}
STATS = {"command": "statistics"}

BENCODE = {
    "kamailio-ping": benc(PING),
    "kamailio-offer": benc(offer(SDP["pjsip-microsip"])),
    "kamailio-answer": benc(answer(SDP["yealink-t46"])),
    "kamailio-delete": benc(delete()),
    "query": benc(QUERY),
    "list-limit": benc(LIST),
    "rtpengine-pong": benc({"result": "pong"}),
    "rtpengine-offer-reply": benc({"result": "ok", "sdp": SDP["rtd-rewritten"]}),
    "rtpengine-error": benc({"result": "error", "error-reason": "Unknown call-id"}),
    "rtpengine-query-reply": benc({
        "result": "ok", "created": 1701424800, "created_us": 123456, "last signal": 1701424812,
        "tags": {FROM: {"tag": FROM, "created": 1701424800, "medias": [{
            "index": 1, "type": "audio", "protocol": "RTP/AVP", "streams": [{
                "local port": 30000, "endpoint": {"family": "IPv4", "address": "192.0.2.10",
                                                  "port": 4000},
                "stats": {"packets": 1500, "bytes": 258000, "errors": 0}}]}]}},
        "totals": {"RTP": {"packets": 3000, "bytes": 516000, "errors": 0},
                   "RTCP": {"packets": 12, "bytes": 960, "errors": 0}}}),
    "statistics-reply": benc({"result": "ok", "statistics": {
        "currentstatistics": {"sessionsown": 1, "sessionstotal": 1},
        "totalstatistics": {"totalsessions": 7, "refused": 0, "commands": 42, "errors": -1}}}),
    "integers": benc([0, -1, 1, 9223372036854775807, -9223372036854775808, 42]),
    "empty-containers": benc({"": "", "l": [], "d": {}}),
}

# Conversations for fuzz_ng: datagrams between "\n%%\n".
SEP = b"\n%%\n"
C = "5720_3_"


def dgram(n, d, prefix=b""):
    return prefix + (C + str(n)).encode() + b" " + benc(d)


NG = {
    "kamailio-start-ping": [dgram(0, PING)],
    "call-offer-answer-query-delete": [
        dgram(1, offer(SDP["pjsip-microsip"])), dgram(2, answer(SDP["yealink-t46"])),
        dgram(3, QUERY), dgram(4, delete()), dgram(5, QUERY)],
    "call-retransmitted-offer": [
        dgram(1, offer(SDP["grandstream-gxp"])), dgram(1, offer(SDP["grandstream-gxp"]))],
    "call-audio-video-then-reinvite-hold": [
        dgram(1, offer(SDP["linphone-audio-video"])), dgram(2, answer(SDP["linphone-audio-video"])),
        dgram(3, offer(SDP["hold-sendonly"])), dgram(4, LIST)],
    "webrtc-offer-ice-remove": [
        dgram(1, offer(SDP["chrome-offer-gathered"],
                       extra={"transport-protocol": "RTP/AVP", "rtcp-mux": ["demux"]})),
        dgram(2, answer(SDP["baresip"]))],
    "ipv6-call-from-ipv6": [dgram(1, offer(SDP["ipv6-phone"]), b"^")],
    "calls-until-load-limit": [
        dgram(i, offer(SDP["yealink-t46"], call="call-%d@192.0.2.31" % i)) for i in range(7)]
    + [dgram(9, STATS), dgram(10, LIST)],
    "call-then-media-timeout": [
        dgram(1, offer(SDP["polycom-vvx"])), b"!30", dgram(2, QUERY), b"!75", dgram(3, QUERY),
        dgram(4, STATS)],
    "stranger-and-small-room": [
        dgram(1, PING, b"~"), dgram(2, offer(SDP["cisco-cucm"]), b"<"), dgram(3, PING, b"<")],
    "bad-messages": [
        b"e1 d7:command", b"e2 d3:foo3:bare", b"e3 d7:command5:dancee",
        b"e4 d7:command5:offer3:sdp3:v=0e", b"no-dictionary-after-the-cookie",
        dgram(6, {"command": "answer", "call-id": "nope", "sdp": "v=0\r\n"})],
}

# --- config: rtd.conf as shipped, and command lines ------------------------
ARGS_SEP = b"\n%%\n"


def argv(*a):
    return b"\0".join(x.encode() for x in a)


RTD_CONF = open(os.path.join(os.path.dirname(__file__), "../../systemd/rtd.conf"), "rb").read()
RELAY_CONF = b"""# relay on the RT ports, Kamailio on the same host
rt-ports = 30000-30999
app = relay
ng-listen = 127.0.0.1:2223,[::1]:2223
ng-allow = 127.0.0.0/8, ::1/128
media-timeout = 60
log-level = debug
"""
GATE_CONF = b"""rt-ports = 5004-5099,6000
cpu = 3
rt-prio = 80
gate = scheduled
gate-qdisc = tbf
gate-period-us = 20000
gate-phase-us = 500
gate-guard-us = 200
gate-window-us = 100
link-mbit = 1000
reserve-mbit = 100
bql-bytes = 30000
frames = 8192
rt-queue = 2
state-dir = /run/rtd
"""
CONFIG = {
    "systemd-rtd-conf": RTD_CONF + ARGS_SEP + argv("--iface", "eth0", "--config",
                                                    "/etc/rtd/rtd.conf"),
    "relay-conf": RELAY_CONF + ARGS_SEP + argv("-i", "eth1", "-f", "/etc/rtd/relay.conf",
                                               "--media-timeout=90"),
    "gate-conf": GATE_CONF + ARGS_SEP + argv("--config=/etc/rtd/rtd.conf", "--iface", "eth0",
                                             "--gate", "reactive", "--xdp-mode", "native"),
    "command-line-only": ARGS_SEP + argv("-i", "enp1s0", "-p", "5004-5099", "-c", "1", "-a",
                                         "echo", "-m", "skb", "-s", "/tmp/rtd.sock"),
    "help": ARGS_SEP + argv("--help"),
    "version-short": ARGS_SEP + argv("-V"),
    "bad-lines": b"rt-ports = 5004\n# fine\nrt-prots = 5005\ncpu = two\n",
    "crlf-and-spaces": b"  iface=eth0 \r\n\trt-ports =  5004 - 5010 , 6000\r\ncpu= 0 # first\r\n",
}

PORTSET = {
    "rtd-conf": "5004-5099",
    "readme": "5004-5099,6000",
    "relay-range": "30000-30999",
    "everything": "1-65535",
    "single": "5004",
    "spaces": " 5004 - 5010 , 6000 ",
    "every-other": "5004,5006,5008,5010",
    "three-ranges": "10000-20000,30000-30099,40000",
    "not-ascending": "5099-5004",
    "out-of-range": "70000",
}


# --- frames, as they arrive on a wire ---------------------------------------
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


HOST = bytes.fromhex("02fc00000001")
PEER = bytes.fromhex("02fc00000005")


def eth(ethertype, vlan=None, outer=0x8100):
    h = HOST + PEER
    if vlan is not None:
        h += struct.pack("!HH", outer, vlan)
    return h + struct.pack("!H", ethertype)


def udp(src, dst, sport, dport, payload, pseudo_fam, good=True):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if pseudo_fam == 4:
        ph = src + dst + struct.pack("!BBH", 0, 17, len(u))
    else:
        ph = src + dst + struct.pack("!IxxxB", len(u), 17)
    c = csum(ph + u) or 0xFFFF
    if not good:
        c ^= 0x00FF
    return u[:6] + struct.pack("!H", c) + u[8:]


def ipv4(src, dst, l4, proto=17, opts=b"", frag=0x4000, ident=0x1c46, tos=0xB8, good=True):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, ihl * 4 + len(l4), ident, frag, 64, proto,
                    0, ip4(src), ip4(dst)) + opts
    c = csum(h) if good else 0x1234
    return h[:10] + struct.pack("!H", c) + h[12:] + l4


def ipv6(src, dst, nh, rest, tc=0xB8, flow=0x12345):
    return struct.pack("!IHBB", 6 << 28 | tc << 20 | flow, len(rest), nh, 64) + ip6(src) + \
        ip6(dst) + rest


# RTP: PCMU, 20 ms, marker on the first packet.
RTP = struct.pack("!BBHII", 0x80, 0x80, 4711, 160 * 4711, 0x1234ABCD) + bytes([0xFF] * 160)
RTCP_RR = struct.pack("!BBHI", 0x81, 201, 7, 0x5678EF01) + bytes(24)
S4, D4 = "192.0.2.10", "198.18.0.1"
S6, D6 = "2001:db8::10", "2001:2::1"


def u4(payload, sport=4000, dport=30000, good=True):
    return udp(ip4(S4), ip4(D4), sport, dport, payload, 4, good)


def u6(payload, sport=4000, dport=30000, good=True):
    return udp(ip6(S6), ip6(D6), sport, dport, payload, 6, good)


def ext(nh, body):
    """An IPv6 extension header: next header, length in 8-byte units past the first 8."""
    b = bytes([nh, 0]) + body
    b += bytes((-len(b)) % 8)
    return bytes([nh, len(b) // 8 - 1]) + b[2:]


PADN = bytes([1, 4, 0, 0, 0, 0])
FRAMES = {
    "ipv4-rtp": eth(0x0800) + ipv4(S4, D4, u4(RTP)),
    "ipv4-rtcp-rr": eth(0x0800) + ipv4(S4, D4, u4(RTCP_RR, 4001, 30001)),
    "ipv4-vlan-rtp": eth(0x0800, vlan=0x2064) + ipv4(S4, D4, u4(RTP)),
    "ipv4-qinq-outer-rtp": eth(0x0800, vlan=0x0064, outer=0x88A8) + ipv4(S4, D4, u4(RTP)),
    "ipv4-priority-tag": eth(0x0800, vlan=0xA000) + ipv4(S4, D4, u4(RTP)),
    "ipv4-udp-no-checksum": eth(0x0800) + ipv4(S4, D4, struct.pack("!HHHH", 4000, 30000,
                                                                    8 + 20, 0) + bytes(20)),
    "ipv4-router-alert-option": eth(0x0800) + ipv4(S4, D4, u4(RTP),
                                                   opts=bytes([0x94, 4, 0, 0])),
    "ipv4-short-padded-to-60": (eth(0x0800) + ipv4(S4, D4, u4(b"ping"))).ljust(60, b"\0"),
    "ipv4-fragment": eth(0x0800) + ipv4(S4, D4, u4(RTP)[:64], frag=0x2000),
    "ipv4-tcp-syn": eth(0x0800) + ipv4(S4, D4, struct.pack("!HHIIBBHHH", 40000, 22, 1, 0, 0x50,
                                                           0x02, 64240, 0, 0), proto=6),
    "ipv4-bad-udp-checksum": eth(0x0800) + ipv4(S4, D4, u4(RTP, good=False)),
    "ipv4-bad-header-checksum": eth(0x0800) + ipv4(S4, D4, u4(RTP), good=False),
    "ipv6-rtp": eth(0x86DD) + ipv6(S6, D6, 17, u6(RTP)),
    "ipv6-vlan-rtp": eth(0x86DD, vlan=0x0064) + ipv6(S6, D6, 17, u6(RTP)),
    "ipv6-hop-by-hop-rtp": eth(0x86DD) + ipv6(S6, D6, 0, ext(17, PADN) + u6(RTP)),
    "ipv6-destopts-rtp": eth(0x86DD) + ipv6(S6, D6, 60, ext(17, PADN) + u6(RTP)),
    "ipv6-routing-done-rtp": eth(0x86DD) + ipv6(S6, D6, 43, ext(17, bytes([4, 0, 0, 0, 0, 0]) +
                                                          ip6("2001:db8::99")) + u6(RTP)),
    "ipv6-hbh-dst-routing-rtp": eth(0x86DD) + ipv6(S6, D6, 0, ext(60, PADN) + ext(43, bytes(
        [4, 0, 0, 0, 0, 0]) + ip6("2001:db8::99")) + ext(17, PADN) + u6(RTP)),
    "ipv6-fragment": eth(0x86DD) + ipv6(S6, D6, 44, bytes([17, 0, 0, 1, 0, 0, 0x12, 0x34]) +
                                        u6(RTP)[:64]),
    "ipv6-udp-zero-checksum": eth(0x86DD) + ipv6(S6, D6, 17, struct.pack("!HHHH", 4000, 30000,
                                                                        28, 0) + bytes(20)),
    "arp-request": eth(0x0806) + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER,
                                             ip4(S4), bytes(6), ip4(D4)) + bytes(18),
}


def main():
    for name, text in SDP.items():
        put("sdp", name, text)
    for name, data in BENCODE.items():
        put("bencode", name, data)
    for name, grams in NG.items():
        put("ng", name, SEP.join(grams))
    for name, data in CONFIG.items():
        put("config", name, data)
    for name, spec in PORTSET.items():
        put("portset", name, spec)
    for name, frame in FRAMES.items():
        # Mode 0: as it came; the bad checksums also with mode 1 (fixed first).
        put("stack", name, b"\0" + frame)
        if "bad" in name:
            put("stack", name + "-fixed", b"\1" + frame)


main()
