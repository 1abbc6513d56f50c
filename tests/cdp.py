"""A small client of Chromium's DevTools protocol, for the browser tests.

    cdp.py PORT open URL            load URL in the first page, wait for it
    cdp.py PORT eval EXPR [SECS]    evaluate EXPR in that page, await its
                                    promise (up to SECS, default 10), print
                                    its value as JSON

Chromium runs with --remote-debugging-port=PORT on 127.0.0.1 of the same
network namespace.  An exception or a rejected promise is printed on
stderr, its message first, and the exit status is 1; no answer in time, 2.
Uses Debian's python3-websockets.
"""
import asyncio
import json
import sys
import urllib.request

import websockets


def page_ws(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/json" % port, timeout=5) as f:
        tabs = json.load(f)
    pages = [t for t in tabs if t.get("type") == "page"]
    if not pages:
        sys.exit("cdp.py: no page to drive on port %d" % port)
    return pages[0]["webSocketDebuggerUrl"]


class Cdp:
    def __init__(self, ws):
        self.ws, self.n = ws, 0

    async def call(self, method, **params):
        self.n += 1
        await self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = json.loads(await self.ws.recv())
            if m.get("id") == self.n:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"].get("message")))
                return m["result"]

    async def until(self, event):
        while True:
            m = json.loads(await self.ws.recv())
            if m.get("method") == event:
                return m


async def run(port, cmd, arg, secs):
    async with websockets.connect(page_ws(port), max_size=None, open_timeout=5) as ws:
        c = Cdp(ws)
        if cmd == "open":
            await c.call("Page.enable")
            await c.call("Page.navigate", url=arg)
            await asyncio.wait_for(c.until("Page.loadEventFired"), secs)
            return 0
        r = await asyncio.wait_for(c.call("Runtime.evaluate", expression=arg, awaitPromise=True,
                                          returnByValue=True), secs)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            ex = d.get("exception", {})
            msg = ex.get("description") or ex.get("value") or d.get("text")
            # a rejected promise's Error: its message, not the stack
            print(str(msg).split("\n    at ")[0], file=sys.stderr)
            return 1
        print(json.dumps(r["result"].get("value")))
        return 0


def main(argv):
    if len(argv) < 4 or argv[2] not in ("open", "eval"):
        sys.exit(__doc__.strip())
    secs = float(argv[4]) if len(argv) > 4 else 10
    try:
        return asyncio.run(run(int(argv[1]), argv[2], argv[3], secs))
    except asyncio.TimeoutError:
        print("cdp.py: no answer to %s within %g s" % (argv[2], secs), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
