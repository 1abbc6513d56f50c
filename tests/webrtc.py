"""ICE and WebRTC clients against a relay driven over ng, as browsers and
WebRTC gateways use one.  Runs with Debian's python3 (aioice, aiortc) in the
peer namespace; signalling goes over ng to NG_HOST:NG_PORT on the same
address the media uses.

    webrtc.py stun NG_HOST NG_PORT OUT.json
        aioice, controlling, against the relay's ICE-lite answer: the
        checks must succeed (and fail with a wrong password), then data
        crosses to a plain-UDP callee and back over the nominated pair.
    webrtc.py dtlsflow NG_HOST NG_PORT SECS OUT.json
        aiortc (ICE, DTLS-SRTP terminated by the relay) calling a plain
        callee that echoes its audio back, for SECS seconds, every frame
        aiortc receives timed (CLOCK_REALTIME): for a test that kills the
        relay meanwhile.
    webrtc.py peers NG_HOST NG_PORT OUT.json
        two aiortc peers with an audio track each, offer and answer through
        the relay; each must receive the other's audio, DTLS-SRTP end to
        end, with only the relay's candidates in the SDPs they see.

Only 198.18.0.0/15 and 2001:2::/64 addresses are used.
"""
import asyncio
import json
import re
import socket
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ngclient import Ng  # noqa: E402

CALLER, CALLEE = "198.18.0.2", "198.18.0.3"


def text(v):
    return v.decode(errors="replace") if isinstance(v, bytes) else v


def candidates(sdp):
    return re.findall(r"a=candidate:\S+ (\d) \S+ \d+ (\S+) (\d+) typ (\S+)", sdp)


def offer_sdp(ufrag, pwd, port):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtcp-mux\r\n"
            "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
            "a=candidate:1 1 UDP 2130706431 %s %d typ host\r\n"
            % (CALLER, CALLER, port, ufrag, pwd, CALLER, port))


def callee_sdp(port):
    return ("v=0\r\no=- 2 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % (CALLEE, CALLEE, port))


def rtp(seq):
    return bytes([0x80, 0]) + seq.to_bytes(2, "big") + bytes(8) + b"x" * 160


async def stun(ng, res):
    import aioice

    conn = aioice.Connection(ice_controlling=True, components=1, use_ipv6=False)
    await conn.gather_candidates()
    host = [c for c in conn.local_candidates if c.host == CALLER][0]
    cid = "ice-stun"
    r1 = ng.call(command="offer", call_id=cid, from_tag="a",
                 sdp=offer_sdp(conn.local_username, conn.local_password, host.port))
    callee = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    callee.bind((CALLEE, 0))
    callee.settimeout(2)
    r2 = ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b",
                 sdp=callee_sdp(callee.getsockname()[1]))
    offer, answer = text(r1.get("sdp", b"")), text(r2.get("sdp", b""))
    res["offer"], res["answer"] = offer, answer
    res["callee_ice"] = "a=ice-ufrag" in offer
    res["lite"] = "a=ice-lite" in answer
    ufrag = re.search(r"a=ice-ufrag:(\S+)", answer).group(1)
    pwd = re.search(r"a=ice-pwd:(\S+)", answer).group(1)
    res["answer_candidates"] = candidates(answer)
    to_callee = re.search(r"m=audio (\d+)", offer).group(1)

    # A wrong password first: every check must fail.
    bad = aioice.Connection(ice_controlling=True, components=1, use_ipv6=False)
    await bad.gather_candidates()
    bad.local_username, bad.local_password = conn.local_username, conn.local_password
    bad.remote_is_lite = res["lite"]
    bad.remote_username, bad.remote_password = ufrag, pwd[:-1] + ("A" if pwd[-1] != "A" else "B")
    for c in answer_cands(answer):
        await bad.add_remote_candidate(c)
    await bad.add_remote_candidate(None)
    try:
        await asyncio.wait_for(bad.connect(), 10)
        res["bad_pwd_connected"] = True
    except (ConnectionError, asyncio.TimeoutError):
        res["bad_pwd_connected"] = False
    await bad.close()

    conn.remote_is_lite = res["lite"]
    conn.remote_username, conn.remote_password = ufrag, pwd
    for c in answer_cands(answer):
        await conn.add_remote_candidate(c)
    await conn.add_remote_candidate(None)
    try:
        await asyncio.wait_for(conn.connect(), 10)
        res["connected"] = True
    except (ConnectionError, asyncio.TimeoutError) as e:
        res["connected"] = False
        res["error"] = repr(e)
        return
    got, back, src = 0, 0, None
    for seq in range(20):
        await conn.send(rtp(seq))
        try:
            data, src = callee.recvfrom(2048)
            got += data[2:4] == seq.to_bytes(2, "big")
        except socket.timeout:
            pass
    res["to_callee"], res["callee_saw"] = got, src
    res["relay_port_to_callee"] = int(to_callee)
    if src:
        for seq in range(20):
            callee.sendto(rtp(100 + seq), src)
            try:
                data = await asyncio.wait_for(conn.recv(), 2)
                back += data[2:4] == (100 + seq).to_bytes(2, "big")
            except asyncio.TimeoutError:
                pass
    res["to_caller"] = back
    await conn.close()


def answer_cands(sdp):
    import aioice

    return [aioice.Candidate.from_sdp(m.group(1))
            for m in re.finditer(r"a=candidate:(.+?)\r?\n", sdp)]


async def peers(ng, res):
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import AudioStreamTrack

    a, b = RTCPeerConnection(), RTCPeerConnection()
    got = {"a": 0, "b": 0}

    def on_track(who):
        def handler(track):
            async def pull():
                while True:
                    try:
                        await track.recv()
                    except Exception:
                        return
                    got[who] += 1
            asyncio.ensure_future(pull())
        return handler

    a.on("track", on_track("a"))
    b.on("track", on_track("b"))
    a.addTrack(AudioStreamTrack())
    b.addTrack(AudioStreamTrack())
    await a.setLocalDescription(await a.createOffer())
    cid = "ice-webrtc"
    # aiortc 1.4 parses only the full a=rtcp form: rtd always writes it,
    # rtpengine when asked.
    r1 = ng.call(command="offer", call_id=cid, from_tag="a", sdp=a.localDescription.sdp,
                 ICE="force", flags=["full-rtcp-attribute"])
    if text(r1.get("result")) != "ok":
        res["offer_error"] = {k: text(v) for k, v in r1.items()}
        return
    offer = text(r1["sdp"])
    res["offer"] = offer
    await b.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    await b.setLocalDescription(await b.createAnswer())
    r2 = ng.call(command="answer", call_id=cid, from_tag="a", to_tag="b",
                 sdp=b.localDescription.sdp, ICE="force", flags=["full-rtcp-attribute"])
    if text(r2.get("result")) != "ok":
        res["answer_error"] = {k: text(v) for k, v in r2.items()}
        return
    answer = text(r2["sdp"])
    res["answer"] = answer
    await a.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    res["candidates_seen"] = [c[1] for c in candidates(offer) + candidates(answer)]
    for _ in range(100):
        if got["a"] >= 50 and got["b"] >= 50:
            break
        await asyncio.sleep(0.1)
    res["frames_a"], res["frames_b"] = got["a"], got["b"]
    res["ice"] = [a.iceConnectionState, b.iceConnectionState]
    res["dtls"] = [t.transport.state for t in (a.getTransceivers()[0].sender,
                                                b.getTransceivers()[0].sender)]
    await a.close()
    await b.close()


async def dtlsflow(ng, res, secs):
    """aiortc (DTLS-SRTP, ICE) and a plain callee that echoes what it gets, for secs."""
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import AudioStreamTrack

    pc = RTCPeerConnection()
    res["frames"] = []

    def on_track(track):
        async def pull():
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                res["frames"].append(round(time.time(), 4))
        asyncio.ensure_future(pull())

    pc.on("track", on_track)
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    r1 = ng.call(command="offer", call_id="dtls-flow", from_tag="a", sdp=pc.localDescription.sdp,
                 transport_protocol="RTP/AVP", ICE="remove", rtcp_mux=["demux"])
    to_b = text(r1["sdp"])
    callee = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    callee.bind((CALLEE, 0))
    callee.setblocking(False)
    r2 = ng.call(command="answer", call_id="dtls-flow", from_tag="a", to_tag="b",
                 sdp=callee_sdp(callee.getsockname()[1]), transport_protocol="UDP/TLS/RTP/SAVPF",
                 ICE="force", DTLS="passive", flags=["full-rtcp-attribute"])
    res["answer"] = text(r2["sdp"])
    res["offer"] = to_b
    await pc.setRemoteDescription(RTCSessionDescription(text(r2["sdp"]), "answer"))
    relay_b = ("198.18.0.1", int(re.search(r"m=audio (\d+)", to_b).group(1)))
    t_end = time.time() + secs
    while time.time() < t_end:
        try:
            while True:
                data = callee.recv(2048)
                callee.sendto(data, relay_b)  # the callee echoes the caller's audio
        except BlockingIOError:
            pass
        await asyncio.sleep(0.005)
    res["ice"] = pc.iceConnectionState
    await pc.close()


def main():
    mode, host, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[-1]
    res = {}
    ng = Ng((host, port))
    try:
        if mode == "dtlsflow":
            asyncio.run(dtlsflow(ng, res, float(sys.argv[4])))
        else:
            asyncio.run({"stun": stun, "peers": peers}[mode](ng, res))
    except Exception as e:
        # What the client choked on is the finding (an SDP it cannot parse).
        res["error"] = "%s: %s" % (type(e).__name__, e)
        raise
    finally:
        json.dump(res, open(out, "w"), indent=1, default=str)


if __name__ == "__main__":
    main()
