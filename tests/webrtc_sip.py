"""A WebRTC endpoint (aiortc) in calls with a plain SIP phone through a relay.

Runs with Debian's python3 (aiortc, and websockets for SIP over WebSocket)
in a test namespace.  The endpoint sends a sine tone (a MediaStreamTrack of
its own, 8 kHz 16-bit: what G.711 carries) and records what it receives to
a WAV; it speaks just enough SIP for one call (INVITE, ACK, BYE, REGISTER),
over UDP or over a WebSocket (RFC 7118).

    webrtc_sip.py ng    OUT.json REC.wav HZ SECS NG_ADDR:PORT LOCAL_ADDR PHONE_URI
        No proxy: Debian's rtpengine-ng-client takes aiortc's offer to the
        relay with the flags toward a plain phone (--protocol=RTP/AVP
        --ICE=remove --rtcp-mux=demux), the INVITE with the relay's SDP
        goes over UDP straight to the phone (PHONE_URI names its address),
        and the phone's answer goes back through the relay with the flags
        toward a WebRTC peer (--protocol=UDP/TLS/RTP/SAVPF --ICE=force).
        Then query (the relay's totals) and delete.  Not --DTLS=passive:
        rtpengine, active toward aiortc since the offer, sends its
        ClientHello as soon as ICE is up, before the answer; a passive
        answer then makes aiortc the client too, and it rejects that
        ClientHello ("unexpected message").  Through Kamailio the offer
        carries DTLS-reverse=passive for that, which rtpengine-ng-client
        has no option for.
    webrtc_sip.py call  OUT.json REC.wav HZ SECS WS_URL USER TARGET_URI
        Through a SIP proxy over a WebSocket: registers as USER, calls
        TARGET_URI, hangs up after SECS.
    webrtc_sip.py answer OUT.json REC.wav HZ SECS WS_URL USER READY_FILE
        Registers as USER, writes READY_FILE, takes the first call, hangs up
        after SECS.

OUT.json says what happened: "established", the SDPs each way, the ICE and
DTLS states, the frames received, the address media came from, the relay's
replies; "error" says why a call did not happen (a SIP status, an SDP that
aiortc refused).  Only 198.18.0.0/15 addresses are used.
"""
import array
import asyncio
import fractions
import json
import math
import os
import re
import struct
import subprocess
import sys
import time
import wave

RATE = 8000
FRAME = 160  # 20 ms


def rid():
    return os.urandom(6).hex()


# ---------------------------------------------------------------- media


def make_tone_track(hz):
    import av
    from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

    class Tone(MediaStreamTrack):
        kind = "audio"

        def __init__(self):
            super().__init__()
            self.n = 0
            self.t0 = None
            amp = 32767 * 10 ** (-6 / 20)
            w = 2 * math.pi * hz / RATE
            # a whole number of periods when hz divides RATE; else close
            # enough for a tone detector
            self.period = [round(amp * math.sin(w * i)) for i in range(RATE)]

        async def recv(self):
            if self.readyState != "live":
                raise MediaStreamError
            if self.t0 is None:
                self.t0 = time.time()
            else:
                wait = self.t0 + self.n / RATE - time.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            i = self.n % RATE
            s = (self.period + self.period)[i:i + FRAME]
            frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
            frame.planes[0].update(struct.pack("<%dh" % FRAME, *s))
            frame.pts = self.n
            frame.sample_rate = RATE
            frame.time_base = fractions.Fraction(1, RATE)
            self.n += FRAME
            return frame

    return Tone()


class Recorder:
    """Every frame of the remote track to a WAV (its rate, first channel)."""

    def __init__(self, path):
        self.path, self.frames, self.rate, self.task = path, 0, None, None
        self.pcm = array.array("h")
        self.formats = set()

    def start(self, track):
        async def pull():
            while True:
                try:
                    f = await track.recv()
                except Exception:
                    return
                ch = len(f.layout.channels)
                self.formats.add("%s/%d/%d" % (f.format.name, f.sample_rate, ch))
                self.frames += 1
                if f.format.name != "s16":
                    continue
                self.rate = self.rate or f.sample_rate
                a = array.array("h")
                a.frombytes(bytes(f.planes[0])[:f.samples * ch * 2])
                self.pcm.extend(a[::ch])
        self.task = asyncio.ensure_future(pull())

    def close(self):
        if self.task:
            self.task.cancel()
        with wave.open(self.path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate or RATE)
            w.writeframes(self.pcm.tobytes())


def full_rtcp(sdp):
    """aiortc 1.4 parses only a=rtcp:PORT IN IP4 ADDR: complete a bare
    a=rtcp:PORT from the c= line that applies (the media's, else the
    session's)."""
    out, sess, media, in_media = [], None, None, False
    for ln in sdp.replace("\r\n", "\n").split("\n"):
        if ln.startswith("m="):
            in_media, media = True, None
        elif ln.startswith("c="):
            if in_media:
                media = ln[2:]
            else:
                sess = ln[2:]
        m = re.match(r"a=rtcp:(\d+)\s*$", ln)
        if m and (media or sess):
            ln = "a=rtcp:%s %s" % (m.group(1), media or sess)
        out.append(ln)
    return "\r\n".join(out)


def only_address(addr):
    """ICE host candidates on addr alone: the test namespace holds the
    phones' addresses too, and aioice gives candidates of one interface
    the same priority, which leaves a full ICE agent to pick among equals
    (rtpengine warns 'Priority collision ... ICE will likely fail', took
    the phone's address first, then switched): one address, as a browser
    on a host with one would offer."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [addr]


class Endpoint:
    def __init__(self, hz, rec):
        from aiortc import RTCPeerConnection

        self.pc = RTCPeerConnection()
        self.rec = Recorder(rec)
        self.pc.addTrack(make_tone_track(hz))
        self.pc.on("track", lambda t: self.rec.start(t) if t.kind == "audio" else None)

    async def offer(self):
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def answer(self, offer):
        from aiortc import RTCSessionDescription

        await self.pc.setRemoteDescription(RTCSessionDescription(full_rtcp(offer), "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    async def accept(self, answer):
        from aiortc import RTCSessionDescription

        await self.pc.setRemoteDescription(RTCSessionDescription(full_rtcp(answer), "answer"))

    def report(self, res):
        pc = self.pc
        res["ice"] = pc.iceConnectionState
        res["frames_received"] = self.rec.frames
        res["frame_formats"] = sorted(self.rec.formats)
        try:
            tr = pc.getTransceivers()[0]
            res["dtls"] = tr.sender.transport.state
            conn = tr.sender.transport.transport._connection
            pair = conn._nominated.get(1)
            if pair:
                res["media_from"] = "%s:%d" % (pair.remote_candidate.host, pair.remote_candidate.port)
        except Exception as e:  # what aiortc does not have is a finding too
            res["report_error"] = repr(e)

    async def close(self):
        self.rec.close()
        await self.pc.close()


def sdp_brief(sdp):
    """One line on what an SDP offers: its m= line, and the attributes a
    WebRTC endpoint insists on, present or missing."""
    if not sdp:
        return "no SDP"
    m = re.search(r"^m=audio .*$", sdp, re.M)
    cands = len(re.findall(r"^a=candidate:", sdp, re.M))
    setup = re.search(r"^a=setup:(\S+)", sdp, re.M)
    has = lambda a: re.search(r"^a=%s" % a, sdp, re.M) is not None
    return "%s; %s" % (m.group(0).strip() if m else "no m=audio", ", ".join([
        ("ice-ufrag, %d candidates" % cands) if has("ice-ufrag") else "no ICE",
        "fingerprint" if has("fingerprint") else "no fingerprint",
        "setup:" + setup.group(1) if setup else "no setup",
        "rtcp-mux" if has("rtcp-mux") else "no rtcp-mux",
        "crypto" if has("crypto") else "no crypto"]))


# ---------------------------------------------------------------- SIP


class Msg:
    def __init__(self, raw):
        head, _, self.body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        self.hdrs = []
        for ln in lines[1:]:
            if ln[:1] in (" ", "\t") and self.hdrs:
                self.hdrs[-1] = (self.hdrs[-1][0], self.hdrs[-1][1] + " " + ln.strip())
            elif ":" in ln:
                k, v = ln.split(":", 1)
                self.hdrs.append((k.strip().lower(), v.strip()))
        parts = self.first.split(" ", 2)
        self.is_reply = parts[0].startswith("SIP/")
        self.status = int(parts[1]) if self.is_reply else 0
        self.reason = parts[2] if self.is_reply and len(parts) > 2 else ""
        self.method = None if self.is_reply else parts[0]
        self.ruri = None if self.is_reply else parts[1]

    SHORT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
             "c": "content-type"}

    def all(self, name):
        out = []
        for k, v in self.hdrs:
            if self.SHORT.get(k, k) == name:
                out += [x.strip() for x in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", v)] \
                    if name in ("via", "record-route", "route") else [v]
        return out

    def get(self, name):
        v = self.all(name)
        return v[0] if v else None

    def cseq(self):
        n, m = self.get("cseq").split()
        return int(n), m


def uri_of(nameaddr):
    m = re.search(r"<([^>]*)>", nameaddr)
    return m.group(1) if m else nameaddr.split(";")[0].strip()


def tag_of(nameaddr):
    m = re.search(r";\s*tag=([^;>\s]+)", nameaddr.split(">")[-1])
    return m.group(1) if m else None


class Transport:
    """One SIP connection: a UDP socket or a WebSocket; incoming messages
    to a queue."""

    def __init__(self):
        self.q = asyncio.Queue()
        self.log = []

    def _got(self, raw):
        self.log.append("<<< " + raw.split("\r\n", 1)[0])
        self.q.put_nowait(Msg(raw))

    async def send(self, raw):
        self.log.append(">>> " + raw.split("\r\n", 1)[0])
        await self._send(raw)


class UdpTransport(Transport, asyncio.DatagramProtocol):
    via_proto = "UDP"

    async def open(self, local, remote):
        loop = asyncio.get_running_loop()
        self.remote = remote
        self.tr, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(local, 0))
        self.host = "%s:%d" % self.tr.get_extra_info("sockname")[:2]
        self.contact_host = self.host
        return self

    def datagram_received(self, data, addr):
        self._got(data.decode(errors="replace"))

    async def _send(self, raw):
        self.tr.sendto(raw.encode(), self.remote)

    async def close(self):
        self.tr.close()


class WsTransport(Transport):
    via_proto = "WS"

    async def open(self, url):
        import websockets

        self.ws = await websockets.connect(url, subprotocols=["sip"], open_timeout=5)
        self.host = rid() + ".invalid"
        self.contact_host = self.host + ";transport=ws"
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        try:
            async for m in self.ws:
                self._got(m if isinstance(m, str) else m.decode(errors="replace"))
        except Exception:
            pass

    async def _send(self, raw):
        await self.ws.send(raw)

    async def close(self):
        self.reader.cancel()
        await self.ws.close()


class Sip:
    """Enough of a user agent for one call at a time."""

    def __init__(self, tr, user, domain):
        self.tr, self.user, self.domain = tr, user, domain
        self.cseq = 0
        self.dialog = None
        self.incoming = asyncio.Queue()
        self.bye = asyncio.Event()
        self.pending = {}
        self.task = asyncio.ensure_future(self._dispatch())

    @property
    def contact(self):
        return "<sip:%s@%s>" % (self.user, self.tr.contact_host)

    def via(self, branch):
        return "SIP/2.0/%s %s;branch=%s;rport" % (self.tr.via_proto, self.tr.host, branch)

    async def _dispatch(self):
        while True:
            m = await self.tr.q.get()
            if m.is_reply:
                br = re.search(r"branch=([^;\s,]+)", m.get("via") or "")
                fut = self.pending.get(br.group(1) if br else None)
                if fut:
                    fut.put_nowait(m)
            else:
                await self._request(m)

    async def _request(self, m):
        if m.method == "ACK":
            return
        if m.method == "INVITE" and self.dialog is None:
            self.incoming.put_nowait(m)
            return
        if m.method == "BYE":
            await self.reply(m, 200, "OK")
            self.bye.set()
            return
        if m.method == "INVITE":  # a re-INVITE: not for these tests
            await self.reply(m, 488, "Not Acceptable Here")
            return
        await self.reply(m, 200 if m.method == "OPTIONS" else 405,
                         "OK" if m.method == "OPTIONS" else "Method Not Allowed")

    async def reply(self, req, code, reason, to_tag=None, body="", extra=()):
        h = ["SIP/2.0 %d %s" % (code, reason)]
        h += ["Via: " + v for v in req.all("via")]
        h += ["Record-Route: " + r for r in req.all("record-route")]
        to = req.get("to")
        if to_tag and not tag_of(to):
            to += ";tag=" + to_tag
        h += ["From: " + req.get("from"), "To: " + to, "Call-ID: " + req.get("call-id"),
              "CSeq: " + req.get("cseq")]
        h += list(extra)
        if body:
            h.append("Content-Type: application/sdp")
        h.append("Content-Length: %d" % len(body.encode()))
        await self.tr.send("\r\n".join(h) + "\r\n\r\n" + body)

    async def request(self, method, ruri, frm, to, callid, cseq, route=(), body="", extra=(),
                      branch=None, wait=True, timeout=10):
        branch = branch or "z9hG4bK" + rid()
        h = ["%s %s SIP/2.0" % (method, ruri), "Via: " + self.via(branch), "Max-Forwards: 70"]
        h += ["Route: " + r for r in route]
        h += ["From: " + frm, "To: " + to, "Call-ID: " + callid, "CSeq: %d %s" % (cseq, method)]
        h += list(extra)
        if body:
            h.append("Content-Type: application/sdp")
        h.append("Content-Length: %d" % len(body.encode()))
        q = asyncio.Queue()
        self.pending[branch] = q
        await self.tr.send("\r\n".join(h) + "\r\n\r\n" + body)
        if not wait:
            return None
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no final answer to %s within %d s" % (method, timeout))
            try:
                r = await asyncio.wait_for(q.get(), left)
            except asyncio.TimeoutError:
                continue
            if r.status >= 200:
                return r

    async def register(self):
        aor = "<sip:%s@%s>" % (self.user, self.domain)
        self.cseq += 1
        r = await self.request("REGISTER", "sip:" + self.domain, aor + ";tag=" + rid(), aor, rid(),
                               self.cseq, extra=["Contact: %s;expires=600" % self.contact,
                                                 "Expires: 600"])
        if r.status != 200:
            raise RuntimeError("REGISTER: %d %s" % (r.status, r.reason))

    async def invite(self, target, sdp):
        """Returns the 2xx (the dialog set up, ACK sent), raises on failure."""
        callid, ftag = rid(), rid()
        frm = "<sip:%s@%s>;tag=%s" % (self.user, self.domain, ftag)
        to = "<%s>" % target
        self.cseq += 1
        branch = "z9hG4bK" + rid()
        r = await self.request("INVITE", target, frm, to, callid, self.cseq, body=sdp,
                               extra=["Contact: " + self.contact, "Allow: INVITE, ACK, BYE, OPTIONS"],
                               branch=branch, timeout=15)
        if r.status >= 300:
            # the ACK of a failure is hop by hop, in the INVITE's transaction
            await self.request("ACK", target, frm, r.get("to"), callid, self.cseq, branch=branch,
                               wait=False)
            raise RuntimeError("INVITE: %d %s" % (r.status, r.reason))
        rr = r.all("record-route")
        self.dialog = {"callid": callid, "local": frm, "remote": r.get("to"),
                       "target": uri_of(r.get("contact")), "route": list(reversed(rr)),
                       "cseq": self.cseq}
        await self.ack(r)
        return r

    async def ack(self, r):
        d = self.dialog
        await self.request("ACK", d["target"], d["local"], d["remote"], d["callid"], d["cseq"],
                           route=d["route"], wait=False)

    async def answer(self, inv, sdp):
        tag = rid()
        await self.reply(inv, 200, "OK", to_tag=tag, body=sdp, extra=["Contact: " + self.contact])
        to = inv.get("to")
        self.dialog = {"callid": inv.get("call-id"), "local": to if tag_of(to) else to + ";tag=" + tag,
                       "remote": inv.get("from"), "target": uri_of(inv.get("contact")),
                       "route": inv.all("record-route"), "cseq": 100}

    async def hangup(self):
        d = self.dialog
        if not d:
            return None
        d["cseq"] += 1
        r = await self.request("BYE", d["target"], d["local"], d["remote"], d["callid"], d["cseq"],
                               route=d["route"], timeout=5)
        self.dialog = None
        return r.status

    async def close(self):
        self.task.cancel()
        await self.tr.close()


# ---------------------------------------------------------------- ng, by rtpengine-ng-client


def ngc(addr, cmd, *args, sdp=None):
    """Debian's rtpengine-ng-client: (new SDP or None, its whole output)."""
    host, port = addr.rsplit(":", 1)
    argv = ["rtpengine-ng-client", "--proxy-address=" + host, "--proxy-port=" + port, cmd] + list(args)
    path = None
    if sdp is not None:
        path = "/tmp/webrtc_sip.%d.%s.sdp" % (os.getpid(), cmd)
        with open(path, "w") as f:
            f.write(sdp)
        argv.append("--sdp-file=" + path)
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    finally:
        if path:
            os.unlink(path)
    text = out.stdout + out.stderr
    m = re.search(r"New SDP:\n-+8<-+8<-+8<-+8<-+8<-+\n(.*?)\n-+>8-+>8", text, re.S)
    return (m.group(1) if m else None), text


# ---------------------------------------------------------------- the calls


async def hold(ep, secs, res):
    """Let media flow for secs; note when it first came."""
    t0 = time.time()
    while time.time() - t0 < secs:
        await asyncio.sleep(0.1)
        if ep.rec.frames and "first_frame_after" not in res:
            res["first_frame_after"] = round(time.time() - t0, 2)


async def run_ng(res, rec, hz, secs, ng, local, phone):
    ep = Endpoint(hz, rec)
    cid, ftag = "webrtc-sip-" + rid(), rid()
    host = re.match(r"sip:[^@]+@([^:;>]+)(?::(\d+))?", phone)
    tr = await UdpTransport().open(local, (host.group(1), int(host.group(2) or 5060)))
    ua = Sip(tr, "aiortc", local)
    try:
        res["aiortc_offer"] = await ep.offer()
        sdp, out = ngc(ng, "offer", "--call-id=" + cid, "--from-tag=" + ftag, "--protocol=RTP/AVP",
                       "--ICE=remove", "--rtcp-mux=demux", "--replace-origin", "--replace-session-connection", sdp=res["aiortc_offer"])
        if not sdp:
            res["error"] = "the relay's offer: " + out.strip()[-600:]
            return
        res["relay_offer"] = sdp
        try:
            r = await ua.invite(phone, sdp)
        except RuntimeError as e:
            res["error"] = "%s; the relay's offer to the phone: %s" % (e, sdp_brief(sdp))
            return
        res["phone_answer"] = r.body
        ttag = tag_of(r.get("to"))
        sdp, out = ngc(ng, "answer", "--call-id=" + cid, "--from-tag=" + ftag, "--to-tag=" + ttag,
                       "--protocol=UDP/TLS/RTP/SAVPF", "--ICE=force",
                       "--replace-origin", "--replace-session-connection", sdp=r.body)
        if not sdp:
            res["error"] = "the relay's answer: " + out.strip()[-600:]
            await ua.hangup()
            return
        res["relay_answer"] = sdp
        try:
            await ep.accept(sdp)
        except Exception as e:
            res["error"] = "aiortc refused the relay's answer: %s: %s; the answer: %s" % (
                type(e).__name__, e, sdp_brief(sdp))
            await ua.hangup()
            return
        res["established"] = True
        await hold(ep, secs, res)
        ep.report(res)
        res["bye"] = await ua.hangup()
        _, out = ngc(ng, "query", "--call-id=" + cid)
        res["relay_query"] = out[-3000:]
        m = re.search(r"totals => \{.*?RTP => \{[^}]*?packets => '?(\d+)", out, re.S)
        res["relay_packets"] = int(m.group(1)) if m else None
        ngc(ng, "delete", "--call-id=" + cid, "--from-tag=" + ftag)
    finally:
        res["sip"] = tr.log
        await ep.close()
        await ua.close()


async def run_ws(mode, res, rec, hz, secs, url, user, arg):
    ep = Endpoint(hz, rec)
    domain = re.match(r"wss?://([^:/]+)", url).group(1)
    tr = await WsTransport().open(url)
    ua = Sip(tr, user, domain)
    try:
        await ua.register()
        res["registered"] = True
        if mode == "call":
            res["aiortc_offer"] = await ep.offer()
            try:
                r = await ua.invite(arg, res["aiortc_offer"])
            except RuntimeError as e:
                res["error"] = "%s (aiortc offered %s)" % (e, sdp_brief(res["aiortc_offer"]))
                return
            res["relay_answer"] = r.body
            try:
                await ep.accept(r.body)
            except Exception as e:
                res["error"] = "aiortc refused the answer: %s: %s; the answer: %s" % (
                    type(e).__name__, e, sdp_brief(r.body))
                await ua.hangup()
                return
        else:
            open(arg, "w").close()
            try:
                inv = await asyncio.wait_for(ua.incoming.get(), 15)
            except asyncio.TimeoutError:
                res["error"] = "no INVITE came within 15 s"
                return
            res["relay_offer"] = inv.body
            try:
                res["aiortc_answer"] = await ep.answer(inv.body)
            except Exception as e:
                res["error"] = "aiortc refused the offer: %s: %s; the offer: %s" % (
                    type(e).__name__, e, sdp_brief(inv.body))
                await ua.reply(inv, 488, "Not Acceptable Here", to_tag=rid())
                await asyncio.sleep(0.5)  # the proxy's ACK, before the socket goes
                return
            await ua.answer(inv, res["aiortc_answer"])
        res["established"] = True
        await hold(ep, secs, res)
        ep.report(res)
        res["bye"] = None if ua.bye.is_set() else await ua.hangup()
    finally:
        res["sip"] = tr.log
        await ep.close()
        await ua.close()


def main(argv):
    if len(argv) != 9 or argv[1] not in ("ng", "call", "answer"):
        sys.exit(__doc__.strip())
    only_address(os.environ.get("WEBRTC_ADDR", "198.18.0.2"))
    mode, out, rec, hz, secs = argv[1], argv[2], argv[3], float(argv[4]), float(argv[5])
    res = {"mode": mode, "established": False}
    try:
        if mode == "ng":
            coro = run_ng(res, rec, hz, secs, *argv[6:9])
        else:
            coro = run_ws(mode, res, rec, hz, secs, *argv[6:9])
        asyncio.run(asyncio.wait_for(coro, secs + 40))
    except Exception as e:
        res.setdefault("error", "%s: %s" % (type(e).__name__, e))
    finally:
        with open(out, "w") as f:
            json.dump(res, f, indent=1, default=str)
    return 0 if res.get("established") and "error" not in res else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
