#!/bin/sh
# systemd's watchdog as rtd feeds it, with a listener standing in for
# systemd (not PID 1 here): WATCHDOG=1 every half of WATCHDOG_USEC while the
# RT loop runs, none while the RT thread alone is stopped (the control thread
# goes on), again once it runs; a STATUS= line with ports and packet rates.
set -u
. "$(dirname "$0")/../lib.sh"

NOTIFY=$TMP/notify.sock
NLOG=$TMP/notify.log
LISTENER=

# pings FROM TO: WATCHDOG=1 datagrams that arrived between two monotonic times
pings() { awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && / WATCHDOG=1/' "$NLOG" | wc -l; }
# gap FROM TO: the longest time between WATCHDOG=1 datagrams in that span
gap() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && / WATCHDOG=1/ {
		if (p && $1 - p > g) g = $1 - p; p = $1 } END { printf "%.2f\n", g }' "$NLOG"
}
now() { /usr/bin/python3 -c 'import time; print("%.3f" % time.monotonic())'; }
echo_n() {
	in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 20 -T 200 -j 2>/dev/null |
		sed -n 's/.*"received": *\([0-9]*\).*/\1/p'
}

listener_stop() {
	[ -n "$LISTENER" ] && bg_stop "$LISTENER"
	LISTENER=
	return 0
}
trap 'listener_stop; cleanup' EXIT

topo_up
/usr/bin/python3 "$ROOT/tests/sdnotify.py" listen "$NOTIFY" "$NLOG" &
LISTENER=$!
wait_for test -S "$NOTIFY" || fail "the listener binds $NOTIFY"

# A watchdog of 1 s: pings every 0.5 s.
export NOTIFY_SOCKET="$NOTIFY" WATCHDOG_USEC=1000000
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	fail "rtd starts with a watchdog" "$(cat "$RTD_LOG")"
	summary
	exit
fi
t0=$(now)
grep -q ' READY=1' "$NLOG" && pass "READY=1 reaches NOTIFY_SOCKET" ||
	fail "READY=1" "$(cat "$NLOG")"

# Traffic for the status line's rates, while the loop runs.
in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 400 -r 200 -T 200 >/dev/null 2>&1
t1=$(now)
n=$(pings "$t0" "$t1")
g=$(gap "$t0" "$t1")
[ "$n" -ge 3 ] && awk -v g="$g" 'BEGIN { exit !(g < 0.8) }' &&
	pass "WATCHDOG=1 every half of WATCHDOG_USEC while the RT loop runs ($n, longest gap $g s)" ||
	fail "regular pings" "$n pings, longest gap $g s: $(cat "$NLOG")"
wait_for -t 5 grep -q 'STATUS=rtd0: 1 RT ports, [1-9][0-9]* pkt/s in, [1-9][0-9]* pkt/s out' "$NLOG" &&
	pass "STATUS= names the RT ports and the packet rates" ||
	fail "status line" "$(grep STATUS "$NLOG")"

# The RT thread alone stopped for 3 s: the control side goes on, and stops
# pinging.  The ping right after the stop may still see the last rounds.
/usr/bin/python3 "$ROOT/tests/sdnotify.py" stall "$RTD_PID" rtd-rt 3 >"$TMP/stall.out" 2>&1 &
STALL=$!
wait_for grep -q stopped "$TMP/stall.out"
ts=$(awk '/stopped/ { print $1 }' "$TMP/stall.out")
st=$(rtctl status 2>&1)
echo "$st" | grep -q rtd0 && pass "rtctl is answered while the RT thread is stopped" ||
	fail "control side during a stall" "$st"
wait "$STALL"
te=$(awk '/resumed/ { print $1 }' "$TMP/stall.out")
if [ -z "$ts" ] || [ -z "$te" ]; then
	fail "the RT thread is stopped from outside" "$(cat "$TMP/stall.out")"
else
	n=$(pings "$(awk -v t="$ts" 'BEGIN { print t + 0.6 }')" "$te")
	[ "$n" -eq 0 ] && pass "no WATCHDOG=1 while the RT thread is stopped" ||
		fail "pings during a stall" "$n pings in $ts-$te: $(cat "$NLOG")"
	grep -q "the RT loop made no round" "$RTD_LOG" &&
		pass "the stall is logged as an error" || fail "stall log" "$(cat "$RTD_LOG")"
	awk -v a="$ts" -v b="$te" '$1 >= a && $1 <= b + 0.1' "$NLOG" | grep -q 'STATUS=rtd0: RT loop stalled' &&
		pass "STATUS= says the RT loop is stalled" || fail "stalled status" "$(grep STATUS "$NLOG")"
	sleep 1.5
	n=$(pings "$te" "$(now)")
	[ "$n" -ge 2 ] && [ "$(echo_n)" -ge 19 ] &&
		pass "WATCHDOG=1 again, and echoes, once the RT thread runs ($n pings in 1.5 s)" ||
		fail "pings after the stall" "$n pings after $te: $(tail -5 "$NLOG")"
fi

rtd_stop
grep -q ' STOPPING=1' "$NLOG" && pass "STOPPING=1 on SIGTERM" || fail "STOPPING=1" "$(tail -3 "$NLOG")"

# WATCHDOG_PID naming another process: not ours to ping (sd_watchdog_enabled).
: >"$NLOG"
export WATCHDOG_PID=1
if rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	sleep 1.2
	! grep -q WATCHDOG=1 "$NLOG" && grep -q READY=1 "$NLOG" &&
		pass "no pings when WATCHDOG_PID names another process" || fail "WATCHDOG_PID" "$(cat "$NLOG")"
else
	fail "rtd starts with another WATCHDOG_PID" "$(cat "$RTD_LOG")"
fi
rtd_stop
unset WATCHDOG_USEC WATCHDOG_PID

# The relay's status line counts its calls: one offer, one call.
: >"$NLOG"
if rtd_start --iface rtd0 --rt-ports 30000-30099 --cpu 1 --app relay; then
	in_host /usr/bin/python3 - "$ROOT/tests" <<'PY' >"$TMP/ng.out" 2>&1
import sys
sys.path.insert(0, sys.argv[1])
from ngclient import Ng
sdp = ("v=0\r\no=a 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\n")
print(Ng().call(command="offer", call_id="wd-1", from_tag="ft", sdp=sdp)["result"].decode())
PY
	wait_for -t 5 grep -q 'STATUS=rtd0: 1 call, 100 RT ports' "$NLOG" &&
		pass "the relay's STATUS= counts its calls" ||
		fail "calls in STATUS=" "$(cat "$TMP/ng.out"; grep STATUS "$NLOG")"
else
	fail "rtd starts as a relay" "$(cat "$RTD_LOG")"
fi
rtd_stop
unset NOTIFY_SOCKET

summary
