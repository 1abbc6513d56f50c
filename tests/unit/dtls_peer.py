#!/usr/bin/python3
# aiortc's RTCDtlsTransport (Debian's python3-aiortc 1.4: pyOpenSSL over
# a memory BIO) on a UDP socket of 127.0.0.1, for test_dtls_interop: a
# DTLS-SRTP peer that is not rtd's.  Without ICE: the transport is given
# the one thing it uses of an RTCIceTransport, a datagram pipe.
#
#   dtls_peer.py client|server RTD_PORT
#
# stdout, one line each:  port N / fingerprint sha-256 AB:... / then, once
# the handshake is over, "state connected" and "keys HEX" (the 60 bytes of
# EXTRACTOR-dtls_srtp, RFC 5764 section 4.2), or "state failed".
# stdin: rtd's a=fingerprint value ("sha-256 AB:..."), then "close" to
# end the association with a close_notify ("closed" when sent).
import asyncio
import binascii
import socket
import sys

from aiortc.rtcdtlstransport import (
    RTCCertificate,
    RTCDtlsFingerprint,
    RTCDtlsParameters,
    RTCDtlsTransport,
)


class Pipe(asyncio.DatagramProtocol):
    """What RTCDtlsTransport calls on its ICE transport: _send and _recv."""

    def __init__(self, role, rtd):
        self.role = "controlling" if role == "client" else "controlled"
        self.rtd = rtd
        self.queue = asyncio.Queue()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if addr == self.rtd:
            self.queue.put_nowait(data)

    async def _recv(self):
        return await self.queue.get()

    async def _send(self, data):
        self.transport.sendto(data, self.rtd)


def say(line):
    print(line, flush=True)


async def main(role, rtd_port):
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    pipe = Pipe(role, ("127.0.0.1", rtd_port))
    await loop.create_datagram_endpoint(lambda: pipe, sock=sock)
    cert = RTCCertificate.generateCertificate()
    dtls = RTCDtlsTransport(pipe, [cert])
    dtls._set_role(role)
    say("port %d" % sock.getsockname()[1])
    say("fingerprint sha-256 %s" % cert.getFingerprints()[0].value)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    alg, value = (await reader.readline()).decode().split()
    await dtls.start(RTCDtlsParameters(fingerprints=[RTCDtlsFingerprint(alg, value)]))
    say("state %s" % dtls.state)
    if dtls.state != "connected":
        return 1
    km = dtls.ssl.export_keying_material(b"EXTRACTOR-dtls_srtp", 60)
    say("keys %s" % binascii.hexlify(km).decode())
    while (await reader.readline()).strip() != b"close":
        pass
    await dtls.stop()
    say("closed")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
