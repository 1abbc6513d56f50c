"""A minimal ng protocol client for tests: bencode both ways, cookies, timeouts."""
import os
import socket


def enc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(enc(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(enc(k) + enc(x) for k, x in v.items()) + b"e"
    raise TypeError(v)


def dec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        e = b.index(b"e", i)
        return int(b[i + 1:e]), e + 1
    if c in (b"l", b"d"):
        i += 1
        out = [] if c == b"l" else {}
        while b[i:i + 1] != b"e":
            if c == b"l":
                v, i = dec(b, i)
                out.append(v)
            else:
                k, i = dec(b, i)
                v, i = dec(b, i)
                out[k.decode()] = v
        return out, i + 1
    colon = b.index(b":", i)
    n = int(b[i:colon])
    return b[colon + 1:colon + 1 + n], colon + 1 + n


class Ng:
    def __init__(self, addr=("127.0.0.1", 2223)):
        fam = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_DGRAM)
        self.s.settimeout(2)
        self.addr = addr

    def raw(self, data):
        self.s.sendto(data, self.addr)
        return self.s.recv(65536)

    def call(self, cookie=None, **kw):
        cookie = cookie or os.urandom(6).hex()
        msg = {k.replace("_", "-"): v for k, v in kw.items()}
        r = self.raw(cookie.encode() + b" " + enc(msg))
        c, body = r.split(b" ", 1)
        assert c.decode() == cookie, (c, cookie)
        return dec(body)[0]
