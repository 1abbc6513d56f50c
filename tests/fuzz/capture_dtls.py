#!/usr/bin/python3
# Real DTLS 1.2 datagrams for the dtls corpus, from stacks that are not
# rtd's: handshakes between two pyOpenSSL connections over memory BIOs (as
# aiortc runs them), with use_srtp, and the ClientHello of `openssl
# s_client` caught on a UDP socket; plus a=fingerprint and a=setup values.
#
#   /usr/bin/python3 tests/fuzz/capture_dtls.py tests/fuzz/corpus/dtls
#
# Each file is an input of fuzz_dtls.c: a mode byte, then datagrams
# separated by "\n%%\n".  Keys and randoms are fresh on every run, so the
# files change each time; their kinds do not.
import datetime
import os
import socket
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from OpenSSL import SSL, crypto

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/dtls"
SEP = b"\n%%\n"
SERVER, DONE, CLIENT, TEXT = 0, 1, 2, 3
ONE_PROFILE = 4
ALL = b"SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"


def put(name, mode, parts):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([mode]) + SEP.join(parts))


def identity(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return key, cert


def context(ident, srtp=ALL, cookies=False):
    ctx = SSL.Context(SSL.DTLS_METHOD)
    ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *a: 1)
    ctx.use_certificate(crypto.X509.from_cryptography(ident[1]))
    ctx.use_privatekey(crypto.PKey.from_cryptography_key(ident[0]))
    ctx.set_options(SSL.OP_NO_QUERY_MTU)
    if srtp:
        ctx.set_tlsext_use_srtp(srtp)
    if cookies:
        ctx.set_cookie_generate_callback(lambda conn: b"rtd-corpus-cookie")
        ctx.set_cookie_verify_callback(lambda conn, c: c == b"rtd-corpus-cookie")
    return ctx


def connection(ctx, client, mtu=1200):
    c = SSL.Connection(ctx)
    c.set_ciphertext_mtu(mtu)
    if client:
        c.set_connect_state()
    else:
        c.set_accept_state()
    return c


def datagrams(conn, mtu=1200):
    """What conn wrote, cut back into datagrams: records, packed up to mtu
    (a memory BIO keeps no boundaries)."""
    try:
        data = conn.bio_read(65536)
    except SSL.WantReadError:
        return []
    out, cur, at = [], b"", 0
    while at + 13 <= len(data):
        rec = data[at:at + 13 + int.from_bytes(data[at + 11:at + 13], "big")]
        at += len(rec)
        if cur and len(cur) + len(rec) > mtu:
            out.append(cur)
            cur = b""
        cur += rec
    return out + ([cur] if cur else [])


def fragments(dgram, at):
    """A one-record, one-message datagram as two records of two fragments
    (RFC 6347 section 4.2.3), split at byte `at` of the message body."""
    rec, hs, body = dgram[:13], dgram[13:25], dgram[25:]
    seq = int.from_bytes(rec[5:11], "big")
    out = []
    for i, (off, part) in enumerate(((0, body[:at]), (at, body[at:]))):
        h = hs[:6] + off.to_bytes(3, "big") + len(part).to_bytes(3, "big")
        r = rec[:5] + (seq + i).to_bytes(6, "big") + (12 + len(part)).to_bytes(2, "big")
        out.append(r + h + part)
    return out


def step(conn, dgrams):
    for d in dgrams:
        conn.bio_write(d)
    try:
        conn.do_handshake()
    except SSL.WantReadError:
        pass
    return datagrams(conn)


def handshake(cli_ctx, srv_ctx, mtu=1200):
    """The flights of a whole handshake: [ClientHello, server's, client's,
    server's last], and the two connections."""
    cli, srv = connection(cli_ctx, True, mtu), connection(srv_ctx, False, mtu)
    flights = [step(cli, [])]
    for _ in range(3):
        flights.append(step(srv if len(flights) % 2 else cli, flights[-1]))
    return flights, cli, srv


def s_client_hello():
    """The first datagram of `openssl s_client`, caught on a UDP socket."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    p = subprocess.Popen(["openssl", "s_client", "-dtls1_2", "-mtu", "1200", "-connect",
                          "127.0.0.1:%d" % sock.getsockname()[1], "-use_srtp",
                          ALL.decode()], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        return sock.recv(2048)
    finally:
        p.kill()
        p.wait()


def main():
    a, b = identity("corpus-a"), identity("corpus-b")
    flights, cli, srv = handshake(context(a), context(b))
    hello, server_flight, client_flight, last = flights
    put("server-clienthello", SERVER, hello)
    put("server-clienthello-then-flight", SERVER, hello + client_flight)
    put("server-clienthello-twice", SERVER, hello + hello)
    put("server-clienthello-one-profile", SERVER | ONE_PROFILE, hello)
    nosrtp = handshake(context(a, srtp=None), context(b, srtp=None))[0]
    put("server-clienthello-no-use-srtp", SERVER, nosrtp[0])
    cm80 = handshake(context(a, srtp=b"SRTP_AES128_CM_SHA1_80"), context(b))[0]
    put("server-clienthello-cm80", SERVER | ONE_PROFILE, cm80[0])
    put("server-clienthello-fragmented", SERVER, fragments(hello[0], 100))
    put("server-clienthello-fragments-reversed", SERVER, fragments(hello[0], 60)[::-1])
    small = handshake(context(a), context(b), mtu=256)[0]
    put("server-small-mtu-flights", SERVER, small[0] + small[2])
    try:
        put("server-clienthello-s_client", SERVER, [s_client_hello()])
    except (OSError, socket.timeout):
        print("capture_dtls: no openssl s_client, no seed of its", file=sys.stderr)

    # After done: records of another association's keys.
    step(cli, last)
    cli.send(b"application data of another association")
    appdata = datagrams(cli)
    cli.shutdown()
    close = datagrams(cli)
    put("done-appdata-foreign", DONE, appdata)
    put("done-close-notify-foreign", DONE, close)
    put("done-clienthello", DONE, hello)
    put("done-client-flight-foreign", DONE, client_flight)

    # A client that sent its ClientHello: another server's answers.
    put("client-server-flight", CLIENT, server_flight)
    put("client-server-flights", CLIENT, server_flight + last)
    put("client-server-flight-one-profile", CLIENT | ONE_PROFILE, server_flight)
    cookie_srv = connection(context(b, cookies=True), False)
    cookie_srv.bio_write(hello[0])
    try:
        cookie_srv.DTLSv1_listen()
    except SSL.Error:
        pass
    put("client-hello-verify-request", CLIENT, datagrams(cookie_srv))

    # The SDP's words.
    der = crypto.X509.from_cryptography(a[1])
    for alg, name in ((b"SHA1", "sha-1"), (b"SHA256", "sha-256"), (b"SHA512", "sha-512")):
        put("text-fingerprint-" + name, TEXT,
            [name.encode() + b" " + der.digest(alg.decode())])
    put("text-fingerprint-lower", TEXT, [b"SHA-256 " + der.digest("SHA256").lower()])
    put("text-fingerprint-md5", TEXT, [b"md5 " + der.digest("MD5")])
    for word in (b"actpass", b"active", b"passive", b"holdconn", b"off", b"disable"):
        put("text-" + word.decode(), TEXT, [word])
    print("capture_dtls: %d seeds in %s" % (len(os.listdir(OUT)), OUT))


if __name__ == "__main__":
    main()
