#!/bin/sh
# A standby takes a call over through Redis, as rtpengine's --redis and
# --subscribe-keyspace: two hosts on a bridge, each with its own address
# and rtd (--redis), a service address 198.18.0.100 on the first.  A call
# is set up over ng on the first, RTP flows both ways through the service
# address; Redis stopped mid-call changes nothing for the live call (media
# goes on, a new offer works, the log says Redis is down) and, back, gets
# every record again.  Then rtd on the first host is killed (-9), the
# service address moves to the second (ip addr del/add and a gratuitous ARP,
# as keepalived does it), and media flows both ways again through the
# second rtd without a new offer: the test says how long it stopped.
#
# The bridge, the two media endpoints and Redis (Debian's redis-server, its
# own config and data dir under the test's temp dir) are in the peer
# namespace; the second host is RTD_NS_HOST2 (default: the host's name, 2).
set -u
. "$(dirname "$0")/../lib.sh"

HOST2=${RTD_NS_HOST2:-${HOST}2}
SVC=198.18.0.100
REDIS=198.18.0.4:6379
# ng on every address: the SDES caller's offer comes from the peer.
ARGS="--iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1 --rt-prio 0 --interface $SVC --redis $REDIS
	--ng-listen 0.0.0.0:2223 --ng-allow 127.0.0.0/8,198.18.0.0/24"
RTD2_PID=
RTD2_LOG=$TMP/rtd2.log
REDIS_PID=
REDIS_EXTRA=

cleanup_redis() {
	if [ -n "$RTD2_PID" ]; then
		kill -TERM "$RTD2_PID" 2>/dev/null
		wait "$RTD2_PID" 2>/dev/null
	fi
	if ns_exists "$HOST2"; then
		ns_kill "$HOST2"
		ip netns del "$HOST2" 2>/dev/null
	fi
	cleanup
}
trap cleanup_redis EXIT

in_host2() { ip netns exec "$HOST2" "$@"; }
now() { date +%s.%N; }
# ng NS EXPR: a python expression over Ng() as ng, in namespace NS, printed
ng() {
	ip netns exec "$1" python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests')
from ngclient import Ng
ng = Ng()
print($2)"
}
rcli() { in_peer redis-cli -h "${REDIS%:*}" -p "${REDIS#*:}" "$@"; }
# gap FLOW DIR T0 T1: where media resumed after T0 (the arrival that ends
# the longest silence from T0 on, so that packets in flight at T0 do not
# count), in ms after T0 and after T1, and how many came from then on
gap() {
	python3 -c "
import json
at = json.load(open('$1'))['$2']['at']
i = [k for k in range(1, len(at)) if at[k] > $3]
r = max(i, key=lambda k: at[k] - max(at[k - 1], $3)) if i else None
print('%d %d %d' % ((at[r] - $3) * 1000, (at[r] - $4) * 1000, len(at) - r) if r else 'none')"
}
# arrivals FLOW DIR T0 T1: how many arrived between T0 and T1, and the
# longest silence between them in ms
arrivals() {
	python3 -c "
import json
at = [$3] + [t for t in json.load(open('$1'))['$2']['at'] if $3 < t <= $4] + [$4]
print(len(at) - 2, int(max(b - a for a, b in zip(at, at[1:])) * 1000))"
}

topo() {
	topo_down
	if ns_exists "$HOST2"; then
		ns_kill "$HOST2"
		ip netns del "$HOST2"
	fi
	for ns in $HOST $HOST2 $PEER; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$PEER" link add br0 type bridge || return 1
	i=1
	for ns in $HOST $HOST2; do
		ip link add rtd0 netns "$ns" type veth peer name "rdb$i" netns "$PEER" &&
			ip -n "$PEER" link set "rdb$i" master br0 up &&
			ip -n "$ns" addr add "198.18.0.1$i/24" dev rtd0 &&
			ip -n "$ns" link set rtd0 up || return 1
		i=$((i + 1))
	done
	for a in 198.18.0.2 198.18.0.3 198.18.0.4; do
		ip -n "$PEER" addr add "$a/24" dev br0 || return 1
	done
	ip -n "$PEER" link set br0 up &&
		ip -n "$HOST" addr add "$SVC/32" dev rtd0 || return 1
	wait_for in_peer ping -c 1 -W 1 198.18.0.11 && wait_for in_peer ping -c 1 -W 1 198.18.0.12
}

redis_start() {
	mkdir -p "$TMP/redis"
	cat >"$TMP/redis.conf" <<-EOC
		bind ${REDIS%:*}
		port ${REDIS#*:}
		protected-mode no
		daemonize no
		dir $TMP/redis
		save ""
		appendonly no
		logfile $TMP/redis.log
		enable-debug-command yes
		$REDIS_EXTRA
	EOC
	bg_peer redis-server "$TMP/redis.conf"
	REDIS_PID=$BG
	wait_for rcli ping
}

# rtd2_start [VAR=VALUE...]: the second host's rtd, as rtd_start does the first's.
rtd2_start() {
	: >"$RTD2_LOG"
	# shellcheck disable=SC2086
	ip netns exec "$HOST2" env "$@" "$RTD_BIN" --ctl-socket "$TMP/rtd2.sock" \
		--state-dir "$TMP/state2" $ARGS 2>"$RTD2_LOG" &
	RTD2_PID=$!
	wait_for -t 10 grep -Eq '^rtd: (main: )?ready' "$RTD2_LOG"
}

for c in redis-server redis-cli arping; do
	if ! command -v $c >/dev/null 2>&1; then
		skip "a standby takes over through Redis" "$c is not installed"
		summary
		exit
	fi
done
# A copy: the test starts rtd four times, and a rebuild meanwhile would
# mix two layouts of the call records.
cp "$RTD_BIN" "$TMP/rtd" && RTD_BIN=$TMP/rtd
topo || { fail "topology" "bridge, three namespaces"; summary; exit; }
redis_start || { fail "redis-server starts" "$(tail -5 "$TMP/redis.log")"; summary; exit; }
# shellcheck disable=SC2086
if ! rtd_start $ARGS || ! rtd2_start; then
	fail "both rtds start" "$(cat "$RTD_LOG" "$RTD2_LOG")"
	summary
	exit
fi
wait_for grep -q "connected" "$RTD_LOG" && wait_for grep -q "connected" "$RTD2_LOG" &&
	[ "$(rcli config get notify-keyspace-events | tail -1 | grep -o K)" = K ] &&
	pass "both rtds connect to Redis and turn its keyspace notifications on" ||
	fail "connected" "$(grep redis "$RTD_LOG" "$RTD2_LOG")"

SDP_A='v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n'
SDP_B='v=0\r\no=- 2 1 IN IP4 198.18.0.3\r\ns=-\r\nc=IN IP4 198.18.0.3\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n'
port_of() { # NS CALL-ID COMMAND: offer/answer, the relay's m= port
	if [ "$3" = offer ]; then
		ng "$1" "__import__('re').search(r'm=audio (\d+)', ng.call(command='offer', call_id='$2', from_tag='a', sdp='$SDP_A')['sdp'].decode()).group(1)"
	else
		ng "$1" "__import__('re').search(r'm=audio (\d+)', ng.call(command='answer', call_id='$2', from_tag='a', to_tag='b', sdp='$SDP_B')['sdp'].decode()).group(1)"
	fi
}
PB=$(port_of "$HOST" c1 offer)
PA=$(port_of "$HOST" c1 answer)
bg_peer python3 "$ROOT/tests/rtpflow.py" 198.18.0.2 40000 "$PA" 198.18.0.3 40002 "$PB" "$SVC" 14 \
	"$TMP/flow.json"
flow=$BG
# An SDES caller and a plain callee beside it, whose SRTP must go on
# through the standby (and past a sequence wrap, 1.2 s in).
SDES=
if /usr/bin/python3 -c 'import pylibsrtp' 2>/dev/null; then
	SDES=srtp-flow
	SRTPCALL_PORTS=40010,40012 bg_peer /usr/bin/python3 "$ROOT/tests/srtpcall.py" flow 198.18.0.11 2223 14 \
		"$TMP/sdes.json"
	sflow=$BG
else
	skip "an SDES call through the standby" "Debian's python3-pylibsrtp is not installed"
fi
wait_for rcli exists rtd:call:c1 && [ "$(rcli exists rtd:call:c1)" = 1 ] &&
	pass "the call is in Redis as rtd:call:c1" || fail "record in Redis" "$(rcli keys '*')"
sleep 1.5

# Redis stops mid-call: nothing changes for the call, a new offer works.
t_rstop=$(now)
bg_stop "$REDIS_PID"
REDIS_PID=
PB2=$(port_of "$HOST" c2 offer)
PA2=$(port_of "$HOST" c2 answer)
[ -n "$PB2" ] && [ -n "$PA2" ] && pass "with Redis down a new offer and answer work" ||
	fail "offer with Redis down" "$(tail -5 "$RTD_LOG")"
wait_for grep -q "redis: $REDIS/0: .*down" "$RTD_LOG" &&
	pass "the log says Redis is down, once: $(grep -c 'down;' "$RTD_LOG") line" ||
	fail "down logged" "$(grep redis "$RTD_LOG")"
sleep 1.5
t_rstart=$(now)
redis_start || fail "redis-server starts again" "$(tail -5 "$TMP/redis.log")"
wait_for -t 5 sh -c "[ \"\$(ip netns exec $PEER redis-cli -h ${REDIS%:*} -p ${REDIS#*:} exists rtd:call:c1 rtd:call:c2)\" = 2 ]" &&
	grep -q "connected again" "$RTD_LOG" &&
	pass "Redis back (empty): the log says so and both calls are written again" ||
	fail "writes resume" "$(grep redis "$RTD_LOG"; rcli keys '*')"
[ "$(grep -c 'down;' "$RTD_LOG")" = 1 ] || fail "one down line per outage" "$(grep redis "$RTD_LOG")"
# A Redis that stops answering (DEBUG SLEEP) while a call changes: the ng
# thread answers at once, whatever the Redis thread waits for.
rcli debug sleep 1 >/dev/null &
asleep=$!
sleep 0.1
# The offer's call is written within 100 ms: the Redis thread then waits.
ms=$(ip netns exec "$HOST" python3 -c "
import sys, time; sys.path.insert(0, '$ROOT/tests')
from ngclient import Ng
ng, worst = Ng(), 0
for kw in ({'command': 'offer', 'sdp': '$SDP_A'}, {'command': 'delete'}):
    t = time.time()
    r = ng.call(call_id='c3', from_tag='a', **kw)
    worst = max(worst, time.time() - t)
    assert r['result'] == b'ok', r
    time.sleep(0.4)
print(int(worst * 1000000))")
wait "$asleep"
[ -n "$ms" ] && [ "$ms" -lt 150000 ] &&
	wait_for sh -c "[ \$(grep -c 'connected again' '$RTD_LOG') = 2 ]" &&
	grep -q "Resource temporarily unavailable: down" "$RTD_LOG" &&
	pass "with Redis asleep an offer and a delete take at most $ms us; the Redis thread gives up on it after its timeout and connects again" ||
	fail "ng with Redis asleep" "$ms us; $(grep redis "$RTD_LOG")"
# Its record was sent while Redis slept and may have landed after the
# timeout: the delete removes it all the same.
wait_for sh -c "[ \"\$(ip netns exec $PEER redis-cli -h ${REDIS%:*} -p ${REDIS#*:} exists rtd:call:c3)\" = 0 ]" &&
	pass "a call ended while Redis slept is not left in it" ||
	fail "c3 left in Redis" "$(rcli keys '*')"
sleep 1.5
before=$(rcli get rtd:call:c1 | md5sum)

# The first host dies; its service address moves to the second.
t_kill=$(now)
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
ip -n "$HOST" addr del "$SVC/32" dev rtd0
ip -n "$HOST2" addr add "$SVC/32" dev rtd0
t_move=$(now)
# As keepalived: unsolicited ARP, so the endpoints' neighbour entries move
# at once (a second one after the first, as their lock time may refuse one).
in_host2 arping -q -U -c 2 -I rtd0 "$SVC" &
wait "$flow"
[ -n "$SDES" ] && wait "$sflow"
ab_during=$(arrivals "$TMP/flow.json" ab "$t_rstop" "$t_rstart")
ba_during=$(arrivals "$TMP/flow.json" ba "$t_rstop" "$t_rstart")
secs=$(python3 -c "print('%.1f' % ($t_rstart - $t_rstop))")
# shellcheck disable=SC2086
set -- $ab_during $ba_during
# 50 packets a second from a Python sender on a shared 2-vCPU machine: what
# is checked is that media never stopped, not the sender's pace.
[ "$2" -lt 200 ] && [ "$4" -lt 200 ] && [ "$1" -ge 20 ] && [ "$3" -ge 20 ] &&
	pass "media flowed both ways while Redis was down: $1 and $3 packets in $secs s, at most $2 and $4 ms apart" ||
	fail "media with Redis down" "$1 and $3 packets in $secs s, at most $2 and $4 ms apart"

grep -q "call 'c1' taken over" "$RTD2_LOG" && grep -q "call 'c2' taken over" "$RTD2_LOG" &&
	[ "$(ng "$HOST2" "ng.call(command='query', call_id='c1')['result'].decode()")" = ok ] &&
	[ "$(ng "$HOST2" "ng.call(command='query', call_id='c2')['result'].decode()")" = ok ] &&
	pass "the second rtd took both calls over: query answers there" ||
	fail "takeover" "$(grep -E 'standby|redis' "$RTD2_LOG")"
ab=$(gap "$TMP/flow.json" ab "$t_kill" "$t_move")
ba=$(gap "$TMP/flow.json" ba "$t_kill" "$t_move")
# shellcheck disable=SC2086
set -- $ab $ba
if [ $# = 6 ] && [ "$3" -ge 100 ] && [ "$6" -ge 100 ] && [ "$2" -lt 2000 ] && [ "$5" -lt 2000 ]; then
	pass "media flows both ways through the second rtd without a new offer: $1 ms after kill -9, $2 ms after the address moved (caller to callee); $4 and $5 ms (back)"
else
	fail "media after the takeover" "caller to callee: $ab; callee to caller: $ba (ms after kill, ms after the move, packets after)"
fi
if [ -n "$SDES" ]; then
	# Arrivals are decrypted and checked by the endpoints themselves.
	set -- $(python3 -c "
import json
r = json.load(open('$TMP/sdes.json'))
print(*(len([t for t in r.get(d, []) if t > $t_move + 0.05]) for d in ('ab', 'ba')))")
	[ $# = 2 ] && [ "$1" -ge 100 ] && [ "$2" -ge 100 ] &&
		grep -q "call '$SDES' taken over" "$RTD2_LOG" &&
		pass "an SDES call goes on through the standby, decrypted one way and encrypted the other: $1 and $2 packets after the move" ||
		fail "SDES through the standby" "$*; $(head -c 400 "$TMP/sdes.json"); $(grep -E 'standby|srtp' "$RTD2_LOG")"
fi
NCALLS=2
[ -n "$SDES" ] && NCALLS=3
sleep 0.3
after=$(rcli get rtd:call:c1 | md5sum)
took=$(in_host2 "$RTCTL_BIN" -s "$TMP/rtd2.sock" -j stats |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["apps"]["relay"]["takeovers"])')
[ "$before" != "$after" ] && [ "$(ls "$TMP"/state2/*.calls/ | grep -c call-)" = "$NCALLS" ] &&
	[ "$took" = "$NCALLS" ] &&
	pass "the second rtd writes the calls from then on (Redis, its state dir), takeovers $took" ||
	fail "the new owner writes" "$(ls -R "$TMP/state2"); takeovers $took"

# The first host's rtd starts again while the second serves: its state dir
# wins (both calls back there, written to Redis again), and the second goes
# on relaying them, the service address being its own.
# shellcheck disable=SC2086
rtd_start $ARGS || fail "the first rtd starts again" "$(cat "$RTD_LOG")"
fwd0=$(in_host2 "$RTCTL_BIN" -s "$TMP/rtd2.sock" -j stats |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["apps"]["relay"]["forwarded"])')
bg_peer python3 "$ROOT/tests/rtpflow.py" 198.18.0.2 40000 "$PA" 198.18.0.3 40002 "$PB" "$SVC" 2 \
	"$TMP/flow2.json"
wait "$BG"
got=$(python3 -c "
import json
f = json.load(open('$TMP/flow2.json'))
print(min(f['ab']['received'], f['ba']['received']), f['ab']['sent'])")
fwd1=$(in_host2 "$RTCTL_BIN" -s "$TMP/rtd2.sock" -j stats |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["apps"]["relay"]["forwarded"])')
# shellcheck disable=SC2086
set -- $got
grep -q "$NCALLS calls restored" "$RTD_LOG" && ! grep -q "taken over" "$RTD_LOG" &&
	[ "$1" -ge $(($2 * 9 / 10)) ] && [ $((fwd1 - fwd0)) -ge "$1" ] &&
	pass "the first rtd, started again, has its calls from its state dir; the second relays on ($1 of $2 each way)" ||
	fail "both have the calls" "$(grep -E 'store|standby|redis' "$RTD_LOG"); $got; relayed $fwd0 -> $fwd1"
rtd_stop

# TERM ends everything.
kill -TERM "$RTD2_PID"
wait "$RTD2_PID"
rc=$?
RTD2_PID=
[ $rc = 0 ] && grep -q "stopped" "$RTD2_LOG" && pass "the second rtd stops on TERM" ||
	fail "TERM" "exit status $rc; $(tail -5 "$RTD2_LOG")"

# A Redis with a password and CONFIG disabled (as managed ones have it):
# the password comes from the environment, the refusal is said clearly.
bg_stop "$REDIS_PID"
REDIS_EXTRA='requirepass s3cret
rename-command CONFIG ""'
redis_start
if rtd2_start RTD_REDIS_PASSWORD=s3cret &&
	wait_for grep -q "connected" "$RTD2_LOG" &&
	grep -q "CONFIG GET notify-keyspace-events: .*unknown command.*set notify-keyspace-events to K\$gxe on the server" "$RTD2_LOG"; then
	pass "a password from RTD_REDIS_PASSWORD; a server refusing CONFIG is named in the log"
else
	fail "password and CONFIG refused" "$(grep redis "$RTD2_LOG")"
fi
kill -TERM "$RTD2_PID"
wait "$RTD2_PID"
RTD2_PID=
summary
