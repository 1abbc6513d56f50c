#!/bin/sh
# rtd's life as an operator sees it: one rtd per interface, an immediate
# restart after kill -9, nothing left behind by a start that was killed,
# and a control socket that no client can stall.
set -u
. "$(dirname "$0")/../lib.sh"

# echo_n: how many of 20 RT round trips from the peer came back
echo_n() {
	in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 20 -T 200 -j 2>/dev/null |
		sed -n 's/.*"received": *\([0-9]*\).*/\1/p'
}

topo_up
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	summary
	exit
fi

# A second rtd on the same interface: refused, naming the first.
out=$(in_host "$RTD_BIN" --iface rtd0 --rt-ports 7001 --cpu 1 --ctl-socket "$TMP/other.sock" \
	--state-dir "$TMP/state" 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "another rtd (pid $RTD_PID) runs on rtd0" &&
	pass "a second rtd on the same interface is refused, naming the first's pid" ||
	fail "second rtd" "rc=$rc: $out"
out=$(in_host "$RTD_BIN" --iface lo --rt-ports 7001 --cpu 1 --ctl-socket "$RTD_SOCK" \
	--state-dir "$TMP/state" 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "$RTD_SOCK: another rtd (pid $RTD_PID) is serving here" &&
	pass "an rtd on another interface cannot take a control socket in use" ||
	fail "socket in use" "rc=$rc: $out"

# kill -9, then start at once: the dying process may still accept on its
# socket for a moment; its locks are gone the moment it is.
ok=0
for i in 1 2 3 4 5; do
	kill -9 "$RTD_PID"
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
	rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 && [ "$(echo_n)" -ge 19 ] && ok=$((ok + 1))
done
[ $ok -eq 5 ] && pass "a start right after kill -9 succeeds and serves (5 of 5)" ||
	fail "restart after kill -9" "$ok of 5; $(cat "$RTD_LOG")"

# A start killed while it had its private cgroup2 mounted leaves a
# directory (and the mount) behind: the next start removes them.
rtd_stop
left=$TMP/state/.cgroup2.999999
mkdir -p "$left" && in_host mount -t cgroup2 cgroup2 "$left" 2>/dev/null
if rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	[ ! -e "$left" ] && ! grep -q " $left " /proc/mounts && grep -q "removed $left" "$RTD_LOG" &&
		pass "a cgroup2 mount point left by a killed start is removed at the next" ||
		fail "cgroup2 leftover" "$(ls -la "$TMP/state"; grep cgroup2 /proc/mounts)"
else
	fail "start over a cgroup2 leftover" "$(cat "$RTD_LOG")"
	umount -l "$left" 2>/dev/null
fi

# Sixteen clients that connect and say nothing.
in_host python3 - "$RTD_SOCK" 16 12 <<'PY' &
import socket, sys, time
held = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    held.append(s)
time.sleep(int(sys.argv[3]))
PY
silent=$!
sleep 0.3
t0=$(date +%s%N)
rtctl status >/dev/null
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 300 ] &&
	pass "with 16 silent control clients rtctl status answers at once ($(((t1 - t0) / 1000000)) ms)" ||
	fail "silent clients stall rtctl" "$(((t1 - t0) / 1000000)) ms"
# The mirror is served on the same thread: with the neighbours flushed, a
# reply that waits for the kernel's ARP must still go within its hold time.
hmac=$(in_host cat /sys/class/net/rtd0/address)
ip -n "$PEER" neigh replace 198.18.0.1 lladdr "$hmac" dev rtdp0 nud permanent
in_host ip neigh flush dev rtd0
n=$(echo_n)
[ "${n:-0}" -ge 19 ] && pass "with silent clients connected, held replies are resolved and sent ($n of 20)" ||
	fail "silent clients stall the mirror" "$n of 20; $(rtctl stats | grep -A2 neigh)"
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null

# A client that connects and says nothing is let go.
in_host python3 - "$RTD_SOCK" <<'PY' >"$TMP/idle.out" 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.settimeout(3)
t = time.time()
print("closed" if s.recv(16) == b"" else "data", round(time.time() - t, 1))
PY
grep -q "^closed" "$TMP/idle.out" && pass "a control client that sends nothing is closed ($(cut -d' ' -f2 "$TMP/idle.out") s)" ||
	fail "idle client" "$(cat "$TMP/idle.out")"
rtctl status >/dev/null && pass "rtd serves rtctl after all that" || fail "rtctl afterwards" ""

rtd_stop
topo_down
summary
