#!/bin/sh
# ICE as WebRTC clients do it, through rtd's ICE-lite answers and through
# Debian's rtpengine (a full ICE agent) in the same run: aioice's checks
# against the relay's credentials, then two aiortc peers whose audio,
# DTLS-SRTP end to end, crosses the relay.  Signalling goes over ng to the
# address the media uses: the kernel's port 2223 beside rtd's RT ports.
set -u
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3 # Debian's, which has aioice and aiortc
j() { python3 -c "import json; r = json.load(open('$1')); print($2)" 2>/dev/null; }
client() { # relay-name port mode
	in_peer timeout 60 "$PY" "$ROOT/tests/webrtc.py" "$3" 198.18.0.1 "$2" "$TMP/$1.$3.json" \
		>"$TMP/$1.$3.log" 2>&1
}

if ! "$PY" -c 'import aioice, aiortc' 2>/dev/null; then
	skip "ICE through rtd" "Debian's python3-aioice and python3-aiortc are not installed"
	summary
	exit
fi
topo_up
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
if ! rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1 \
	--ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	summary
	exit
fi

client rtd 2223 stun
R=$TMP/rtd.stun.json
[ "$(j "$R" "r['lite'], r['callee_ice']")" = "True True" ] &&
	[ "$(j "$R" "sorted(set(c[1] for c in r['answer_candidates']))")" = "['198.18.0.1']" ] &&
	pass "rtd answers an ICE offer as ICE-lite, with its own host candidates only" ||
	fail "rtd's ICE answer" "$(cat "$R" "$TMP/rtd.stun.log")"
[ "$(j "$R" "r['bad_pwd_connected']")" = "False" ] &&
	pass "aioice's checks signed with a wrong password get no success from rtd" ||
	fail "a wrong ICE password" "$(cat "$R")"
[ "$(j "$R" "r['connected'], r['to_callee'], r['to_caller']")" = "True 20 20" ] &&
	[ "$(j "$R" "r['callee_saw'][0]")" = 198.18.0.1 ] &&
	[ "$(rtd_stat apps.relay stun)" -ge 2 ] && [ "$(rtd_stat apps.relay stun_dropped)" = 0 ] &&
	pass "aioice connects to rtd and data crosses to a plain callee and back over the nominated pair" ||
	fail "aioice through rtd" "$(cat "$R" "$TMP/rtd.stun.log"; rtctl -j stats)"

before=$(rtd_stat apps.relay forwarded)
client rtd 2223 peers
R=$TMP/rtd.peers.json
[ "$(j "$R" "r['ice'], r['dtls']")" = "['completed', 'completed'] ['connected', 'connected']" ] &&
	[ "$(j "$R" "r['frames_a'] >= 50 and r['frames_b'] >= 50")" = True ] &&
	[ "$(j "$R" "sorted(set(r['candidates_seen']))")" = "['198.18.0.1']" ] &&
	[ "$(($(rtd_stat apps.relay forwarded) - before))" -ge 100 ] &&
	pass "two aiortc peers hear each other through rtd, DTLS-SRTP end to end, seeing only rtd's candidates" ||
	fail "aiortc through rtd" "$(cat "$R" "$TMP/rtd.peers.log"; rtctl -j stats)"
rtd_stop

# The same clients against Debian's rtpengine.
if rtpengine_start 198.18.0.1:2224 --interface=198.18.0.1 --port-min=40100 --port-max=40999; then
	client rtpengine 2224 stun
	client rtpengine 2224 peers
	S=$TMP/rtpengine.stun.json P=$TMP/rtpengine.peers.json
	[ "$(j "$S" "r['connected'], r['to_callee'], r['to_caller']")" = "True 20 20" ] &&
		pass "rtpengine in the same run carries the same aioice call (as a full agent: no ice-lite)" ||
		fail "rtpengine side by side" "$(cat "$S" "$TMP/rtpengine.stun.log")"
	# rtpengine terminates DTLS (its own fingerprint toward each peer)
	# where rtd passes it through; both must carry the call.
	[ "$(j "$P" "r['ice'], r['dtls']")" = "['completed', 'completed'] ['connected', 'connected']" ] &&
		[ "$(j "$P" "r['frames_a'] >= 50 and r['frames_b'] >= 50")" = True ] &&
		pass "rtpengine in the same run carries the same two aiortc peers (asked for the full a=rtcp)" ||
		fail "rtpengine with two aiortc peers" "$(cat "$P" "$TMP/rtpengine.peers.log")"
	rtpengine_stop
fi
topo_down
summary
