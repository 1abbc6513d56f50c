#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The relay's ICE-lite responder against another ICE stack: aioice.

Builds tests/interop/stunresp (ice.c, stun.c and lib/obuf.c on a kernel
UDP socket) with one cc command into build/interop/, then runs aioice as
the full agent over 127.0.0.1 with stunresp's ufrag and pwd as the remote
credentials:

  lite          controlling, remote_is_lite: a plain check, then the one
                with USE-CANDIDATE (regular nomination); connect() returns
  aggressive    controlling, USE-CANDIDATE on the first check
  wrong-pwd     controlling, one character of the pwd changed: every check
                gets a 401 and connect() raises
  controlled    aioice starts controlled: a 487, it switches to
                controlling (RFC 8445 section 7.2.5.1) and connects

Each response is read again with aioice's own stun.parse_message under
the pwd, and must fail under another key (aioice itself does not check a
response's MESSAGE-INTEGRITY), and
once connected a datagram sent on the nominated pair must reach stunresp.
Needs Debian's python3-aioice, hence /usr/bin/python3.  Exit 0 when every
scenario went as listed.  Run from anywhere:

  /usr/bin/python3 tests/interop/aioice_lite.py [-v]
"""
import asyncio
import os
import subprocess
import sys

import aioice
import aioice.ice
from aioice import Candidate, Connection, stun

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
BIN = os.path.join(ROOT, "build/interop/stunresp")
SRCS = ["tests/interop/stunresp.c", "rtd/apps/relay/ice.c", "rtd/apps/relay/stun.c",
        "lib/obuf.c"]
CFLAGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wshadow",
          "-Wno-missing-field-initializers", "-D_GNU_SOURCE", "-Iinclude", "-Irtd", "-I.",
          "-O2", "-g"]
VERBOSE = "-v" in sys.argv[1:]


def build():
    os.makedirs(os.path.dirname(BIN), exist_ok=True)
    cmd = [os.environ.get("CC", "cc")] + CFLAGS + ["-o", BIN] + SRCS + ["-lcrypto", "-lz"]
    print("$ " + " ".join(cmd))
    subprocess.run(cmd, cwd=ROOT, check=True)


# aioice leaves loopback out of its host candidates; the check stays on it.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []

# Every response stunresp sends, read again by aioice's parser under the pwd.
checked = []
_received = aioice.ice.StunProtocol.datagram_received


def _verify(self, data, addr):
    key = getattr(self.receiver, "_rtd_pwd", None)
    try:
        msg = stun.parse_message(data)
    except ValueError:
        msg = None
    if key is not None and msg is not None and msg.message_class in (stun.Class.RESPONSE,
                                                                     stun.Class.ERROR):
        try:
            stun.parse_message(data, integrity_key=key)
            ok = True
        except ValueError:
            ok = False
        # The same parse under another key must fail, or the check proves nothing.
        if "MESSAGE-INTEGRITY" in msg.attributes:
            try:
                stun.parse_message(data, integrity_key=key + b"x")
                ok = False
            except ValueError:
                pass
        checked.append((msg.message_class.name, "MESSAGE-INTEGRITY" in msg.attributes, ok,
                        msg.attributes.get("XOR-MAPPED-ADDRESS"),
                        msg.attributes.get("ERROR-CODE")))
    return _received(self, data, addr)


aioice.ice.StunProtocol.datagram_received = _verify


async def start_responder(peer_ufrag):
    proc = await asyncio.create_subprocess_exec(BIN, "-r", peer_ufrag, "-t", "20",
                                                stdout=asyncio.subprocess.PIPE)
    first = (await proc.stdout.readline()).decode().split()
    # "stunresp: 127.0.0.1 PORT ufrag UFRAG pwd PWD"
    return proc, int(first[2]), first[4], first[6], " ".join(first)


async def scenario(name, controlling=True, lite=True, wrong_pwd=False):
    conn = Connection(ice_controlling=controlling, components=1, use_ipv6=False)
    proc, port, ufrag, pwd, hello = await start_responder(conn.local_username)
    await conn.gather_candidates()
    conn.remote_username = ufrag
    conn.remote_password = pwd
    if wrong_pwd:
        conn.remote_password = pwd[:-1] + ("A" if pwd[-1] != "A" else "B")
    conn.remote_is_lite = lite
    conn._rtd_pwd = pwd.encode()
    del checked[:]
    await conn.add_remote_candidate(Candidate(foundation="rtd", component=1, transport="udp",
                                              priority=2130706431, host="127.0.0.1", port=port,
                                              type="host"))
    await conn.add_remote_candidate(None)
    try:
        await asyncio.wait_for(conn.connect(), 15)
        outcome = "connected"
        await conn.send(b"\x80\x00\x00\x01" + bytes(8))  # an RTP header, say
    except (ConnectionError, asyncio.TimeoutError) as e:
        outcome = "failed (%s: %s)" % (type(e).__name__, e)
    role = "controlling" if conn.ice_controlling else "controlled"
    nominated = 1 in conn._nominated
    await asyncio.sleep(0.2)
    await conn.close()
    proc.terminate()
    out = (await proc.stdout.read()).decode().splitlines()
    await proc.wait()
    return {"name": name, "hello": hello, "outcome": outcome, "role": role,
            "nominated": nominated, "lines": out, "checked": list(checked),
            "local": conn.local_username, "sent_pwd": conn.remote_password, "pwd": pwd}


def judge(r):
    lines = r["lines"]
    valid = [l for l in lines if ": valid" in l]
    nominated = [l for l in lines if ": valid nominated" in l]
    refused = [l for l in lines if ": refused" in l]
    ignored = [l for l in lines if ": ignored" in l]
    signed_ok = all(ok for _, _, ok, _, _ in r["checked"])
    successes = [c for c in r["checked"] if c[0] == "RESPONSE"]
    mapped_ok = all(c[1] and c[3] and c[3][0] == "127.0.0.1" for c in successes)
    n = r["name"]
    if n in ("lite", "aggressive", "controlled"):
        want = [r["outcome"] == "connected", r["nominated"], r["role"] == "controlling",
                len(nominated) >= 1, len(successes) >= 1, signed_ok, mapped_ok,
                len(ignored) >= 1]
        if n == "lite":
            want.append(len(valid) > len(nominated))  # a plain check before nominating
        if n == "aggressive":
            want.append(valid and ": valid nominated" in valid[0])
        if n == "controlled":
            want.append(any(": refused 487" in l for l in refused))
            want.append(any(c[4] and c[4][0] == 487 and c[1] for c in r["checked"]))
    else:
        want = [r["outcome"].startswith("failed"), not r["nominated"], not valid,
                len(refused) >= 1, all(": refused 401" in l for l in refused),
                not successes, all(not c[1] for c in r["checked"])]
    return all(want)


async def main():
    build()
    print("aioice %s, %s" % (aioice.__version__, sys.executable))
    results = [await scenario("lite"),
               await scenario("aggressive", lite=False),
               await scenario("wrong-pwd", wrong_pwd=True),
               await scenario("controlled", controlling=False)]
    failed = 0
    for r in results:
        ok = judge(r)
        failed += not ok
        print("== %s: %s" % (r["name"], "ok" if ok else "NOT AS EXPECTED"))
        print("   %s" % r["hello"])
        print("   aioice ufrag %s, sent pwd %s: %s, %s, pair nominated: %s"
              % (r["local"], r["sent_pwd"], r["outcome"], r["role"], r["nominated"]))
        for l in r["lines"]:
            print("   " + l)
        for cls, mi, ok_mi, mapped, err in r["checked"]:
            print("   aioice read a %s%s%s, %s" % (
                cls, " %s %s" % err if err else "", " mapping %s:%d" % mapped if mapped else "",
                ("MESSAGE-INTEGRITY verified under the pwd" if ok_mi else
                 "MESSAGE-INTEGRITY WRONG") if mi else "unsigned"))
    print("aioice_lite: %d of %d scenarios as expected" % (len(results) - failed, len(results)))
    return 1 if failed else 0


if __name__ == "__main__":
    if VERBOSE:
        import logging
        logging.basicConfig(level=logging.INFO)
    sys.exit(asyncio.run(main()))
