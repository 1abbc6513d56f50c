#!/bin/sh
# Calls survive a crash and a restart of rtd: a call with RTP both ways,
# kill -9, start again at once: the call is back (query, rtctl calls) and
# its media flows both ways again without a new offer, and the test says
# how long the media stopped.  Then the same through Kamailio with 20 SIPp
# calls in progress while rtd is killed and started again.
set -u
. "$(dirname "$0")/../lib.sh"

ARGS="--iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1"
now() { date +%s.%N; }
ng() { # python expression over Ng() as ng, printed
	in_host python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests')
from ngclient import Ng
ng = Ng()
print($1)"
}
# gap FLOW DIR T0 T1: the first arrival after T0 (ms after T0, after T1) and how many came after it;
# what arrives within 50 ms of T0 was relayed before it, in flight at the kill.
gap() {
	python3 -c "
import json
at = json.load(open('$1'))['$2']['at']
after = [t for t in at if t > $3 + 0.05]
print('%d %d %d' % ((after[0] - $3) * 1000, (after[0] - $4) * 1000, len(after)) if after else 'none')"
}

topo_up
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
# shellcheck disable=SC2086
if ! rtd_start $ARGS; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	summary
	exit
fi
SDP_A='v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n'
SDP_B='v=0\r\no=- 2 1 IN IP4 198.18.0.3\r\ns=-\r\nc=IN IP4 198.18.0.3\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n'
PB=$(ng "__import__('re').search(r'm=audio (\d+)', ng.call(command='offer', call_id='kept', from_tag='a', sdp='$SDP_A')['sdp'].decode()).group(1)")
PA=$(ng "__import__('re').search(r'm=audio (\d+)', ng.call(command='answer', call_id='kept', from_tag='a', to_tag='b', sdp='$SDP_B')['sdp'].decode()).group(1)")
bg_peer python3 "$ROOT/tests/rtpflow.py" 198.18.0.2 40000 "$PA" 198.18.0.3 40002 "$PB" 198.18.0.1 7 "$TMP/flow.json"
flow=$BG
sleep 2.5
t_kill=$(now)
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
# shellcheck disable=SC2086
rtd_start $ARGS || fail "rtd starts again after kill -9" "$(cat "$RTD_LOG")"
t_ready=$(now)
wait "$flow"
restored=$(grep -o "[0-9]* calls restored" "$RTD_LOG")
q=$(ng "ng.call(command='query', call_id='kept')['result'].decode()")
[ "$restored" = "1 calls restored" ] && [ "$q" = ok ] && rtctl calls | grep -q kept &&
	pass "after kill -9 and a new start the call is back: query and rtctl calls show it" ||
	fail "call restored" "$restored; query: $q; $(rtctl calls)"
ab=$(gap "$TMP/flow.json" ab "$t_kill" "$t_ready")
ba=$(gap "$TMP/flow.json" ba "$t_kill" "$t_ready")
set -- $ab $ba
if [ $# = 6 ] && [ "$3" -ge 150 ] && [ "$6" -ge 150 ] && [ "$2" -lt 1000 ] && [ "$5" -lt 1000 ]; then
	pass "media flows both ways again without a new offer: $1 ms from kill -9 (caller to callee), $4 ms (back), $2 and $5 ms after ready"
else
	fail "media after the restart" "caller to callee: $ab; callee to caller: $ba (ms after kill, ms after ready, packets after)"
fi

# A clean restart keeps the calls too; a deleted call does not come back.
rtd_stop
# shellcheck disable=SC2086
rtd_start $ARGS && [ "$(ng "ng.call(command='query', call_id='kept')['result'].decode()")" = ok ] &&
	pass "a call survives a clean stop and start" || fail "clean restart" "$(cat "$RTD_LOG")"
ng "ng.call(command='delete', call_id='kept', from_tag='a')['result'].decode()" >/dev/null
sleep 0.3 # the store notices within 100 ms
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
# shellcheck disable=SC2086
rtd_start $ARGS && [ "$(ng "len(ng.call(command='list')['calls'])")" = 0 ] &&
	pass "a deleted call is not restored" || fail "deleted call" "$(ng "ng.call(command='list')")"

# --keep-calls no: nothing is kept, so nothing comes back, and what an
# earlier run kept goes (a later start keeping calls would bring it back
# long gone); Redis, which the store feeds, is refused with it.
ng "ng.call(command='offer', call_id='old', from_tag='a', sdp='$SDP_A')['result'].decode()" >/dev/null
sleep 0.3
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
# shellcheck disable=SC2086
rtd_start $ARGS --keep-calls no || fail "rtd starts with --keep-calls no" "$(cat "$RTD_LOG")"
grep -q "1 calls an earlier run kept removed" "$RTD_LOG" &&
	[ "$(ng "len(ng.call(command='list')['calls'])")" = 0 ] &&
	pass "--keep-calls no restores nothing and removes what an earlier run kept, saying so" ||
	fail "keep-calls no and old records" "$(cat "$RTD_LOG"; ng "ng.call(command='list')")"
ng "ng.call(command='offer', call_id='gone', from_tag='a', sdp='$SDP_A')['result'].decode()" >/dev/null
sleep 0.3
n_files=$(find "$TMP/state" -path '*.calls/*' -type f 2>/dev/null | wc -l)
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
# shellcheck disable=SC2086
rtd_start $ARGS && [ "$n_files" = 0 ] &&
	[ "$(ng "len(ng.call(command='list')['calls'])")" = 0 ] &&
	pass "with --keep-calls no no call is written, and none comes back after kill -9" ||
	fail "keep-calls no" "$n_files files; $(ng "ng.call(command='list')")"
rtd_stop
# shellcheck disable=SC2086
out=$(timeout 10 ip netns exec "$HOST" "$RTD_BIN" --ctl-socket "$TMP/kc.sock" --state-dir "$TMP/state" $ARGS \
	--keep-calls no --redis 127.0.0.1:1 2>&1)
rc=$?
[ $rc -eq 2 ] && printf '%s\n' "$out" | grep -q "needs --keep-calls yes" &&
	pass "--redis with --keep-calls no is a bad option: exit 2, saying why" ||
	fail "redis without keeping calls" "rc $rc: $out"
# shellcheck disable=SC2086
rtd_start $ARGS || fail "rtd starts" "$(cat "$RTD_LOG")"

# Secured legs across kill -9: an SDES caller (its keys and rtd's come
# back with the call) and aiortc over DTLS-SRTP (the association's keys
# do: the browser never knows), each bridged to a plain callee.
# arrivals FILE KEY T0: ms from T0 to the first arrival after it, and how many came after
arrivals() {
	python3 -c "
import json
at = json.load(open('$1')).get('$2', [])
after = [t for t in at if t > $3 + 0.05]
print('%d %d' % ((after[0] - $3) * 1000, len(after)) if after else 'none')"
}
if /usr/bin/python3 -c 'import pylibsrtp, aiortc' 2>/dev/null; then
	rtd_stop
	# shellcheck disable=SC2086
	rtd_start $ARGS --ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24 ||
		fail "rtd starts" "$(cat "$RTD_LOG")"
	bg_peer /usr/bin/python3 "$ROOT/tests/srtpcall.py" flow 198.18.0.1 2223 8 "$TMP/sdes.json"
	sp=$BG
	bg_peer /usr/bin/python3 "$ROOT/tests/webrtc.py" dtlsflow 198.18.0.1 2223 10 "$TMP/dtls.json"
	dp=$BG
	sleep 4
	t_kill=$(now)
	kill -9 "$RTD_PID"
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
	# shellcheck disable=SC2086
	rtd_start $ARGS --ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24 ||
		fail "rtd starts again" "$(cat "$RTD_LOG")"
	wait "$sp" "$dp"
	set -- $(arrivals "$TMP/sdes.json" ab "$t_kill") $(arrivals "$TMP/sdes.json" ba "$t_kill")
	[ $# = 4 ] && [ "$2" -ge 100 ] && [ "$4" -ge 100 ] &&
		pass "an SDES call goes on after kill -9, both ways, with its keys: $1 and $3 ms from the kill" ||
		fail "SDES across a restart" "caller to callee: $1 ${2:-}, back: ${3:-} ${4:-}; $(tail -3 "$RTD_LOG")"
	set -- $(arrivals "$TMP/dtls.json" frames "$t_kill")
	[ $# = 2 ] && [ "$2" -ge 100 ] &&
		pass "aiortc's DTLS-SRTP call goes on after kill -9 without a new handshake: audio back $1 ms from the kill" ||
		fail "DTLS across a restart" "$*; $(head -c 600 "$TMP/dtls.json"); $(grep -i dtls "$RTD_LOG" | tail -3)"
	# The next part counts its own calls: these go.
	rtd_stop
	rm -rf "$TMP"/state/*.calls
	# shellcheck disable=SC2086
	rtd_start $ARGS || fail "rtd starts" "$(cat "$RTD_LOG")"
else
	skip "secured calls across a restart" "Debian's python3-pylibsrtp or python3-aiortc is not installed"
fi

# Through Kamailio: 20 SIPp calls with RTP from a pcap, rtd killed mid-call.
if command -v kamailio >/dev/null 2>&1 && command -v sipp >/dev/null 2>&1; then
	bg_host kamailio -f "$ROOT/examples/kamailio.cfg" -l udp:198.18.0.1:5060 -DD -E \
		>"$TMP/kam.log" 2>&1
	kam=$BG
	in_peer sipp -sn uas -i 198.18.0.3 -p 5080 -rtp_echo -mi 198.18.0.3 -mp 6000 -nostdin \
		>"$TMP/uas.out" 2>&1 &
	uas=$!
	wait_for in_peer sh -c 'ss -lun | grep -q 198.18.0.3:5080'
	mkdir -p "$TMP/uac" && ln -s /usr/share/sip-tester "$TMP/uac/pcap"
	(cd "$TMP/uac" && in_peer timeout 90 sipp -sn uac_pcap 198.18.0.1:5060 -i 198.18.0.2 \
		-p 5070 -mi 198.18.0.2 -m 20 -l 20 -r 50 -s callee -nostdin \
		-trace_err -error_file "$TMP/uac.err" >"$TMP/uac.out" 2>&1)&
	uac=$!
	wait_for sh -c "[ \"\$(ip netns exec $HOST $RTCTL_BIN -s $RTD_SOCK calls | grep -c .)\" -ge 20 ]"
	sleep 1
	kill -9 "$RTD_PID"
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
	# shellcheck disable=SC2086
	rtd_start $ARGS || fail "rtd starts again" "$(cat "$RTD_LOG")"
	back=$(grep -o "[0-9]* calls restored" "$RTD_LOG")
	sleep 1
	fwd=$(rtd_stat apps.relay forwarded)
	wait "$uac"
	rc=$?
	[ "$back" = "20 calls restored" ] && [ "$fwd" -ge $((20 * 50 / 2)) ] &&
		pass "20 calls through Kamailio come back after kill -9 and their media flows again ($fwd relayed in the first second)" ||
		fail "20 calls restored" "$back; relayed in the first second: $fwd"
	[ $rc = 0 ] && pass "every one of the 20 SIPp calls completes" ||
		fail "SIPp calls" "$(tail -c 800 "$TMP/uac.err" 2>/dev/null; tail -12 "$TMP/uac.out")"
	bg_stop "$uas" "$kam"
else
	skip "20 calls through Kamailio" "kamailio or sipp is not installed"
fi
rtd_stop
topo_down
summary
