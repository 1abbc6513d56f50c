#!/bin/sh
# What operators use rtpengine for, through rtd and through Debian's
# rtpengine in the same run: an IPv4 caller bridged to an IPv6-only callee,
# an interface behind a 1:1 NAT, rtcp-mux on one leg only, block media.
# rtd must relay each; where its SDP differs from rtpengine's, the test
# prints both (the README lists the differences a client could notice).
set -u
. "$(dirname "$0")/../lib.sh"

feat() { # relay port scenario: signalling from the host, media from the peer
	in_host python3 "$ROOT/tests/relayfeat.py" signal "$2" "$3" "$TMP/$1.$3.json" &&
		in_peer python3 "$ROOT/tests/relayfeat.py" media "$2" "$3" "$TMP/$1.$3.json"
}
# j relay scenario EXPR: a value from the scenario's results
j() {
	python3 -c "
import json, sys
s = json.load(open('$TMP/$1.$2.json'))
try: m = json.load(open('$TMP/$1.$2.json.media'))
except Exception: m = {}
print($3)"
}

topo_up
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
ip -n "$PEER" addr add 2001:2::3/64 dev rtdp0 nodad
IFACES="--interface pub/198.18.0.1!203.0.113.5 --interface pub/2001:2::1"
# shellcheck disable=SC2086
if ! rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1 $IFACES; then
	fail "rtd starts with two interfaces" "$(cat "$RTD_LOG")"
	summary
	exit
fi
for s in bridge nat demux block; do
	feat rtd 2223 $s || fail "rtd: $s ran" "$(cat "$TMP/rtd.$s.json" 2>/dev/null)"
done

[ "$(j rtd bridge "s['to_callee']['addr'], s['to_caller']['addr']")" = "2001:2::1 203.0.113.5" ] &&
	[ "$(j rtd bridge "m['rtp']['ab'], m['rtp']['ba']")" = "20 20" ] &&
	[ "$(j rtd bridge "m['rtp']['ab_from'][0], m['rtp']['ba_from'][0]")" = "2001:2::1 198.18.0.1" ] &&
	pass "an IPv4 caller and an IPv6-only callee hear each other through rtd, each from its own family" ||
	fail "rtd: bridge" "$(cat "$TMP/rtd.bridge.json" "$TMP/rtd.bridge.json.media")"
[ "$(j rtd nat "s['to_callee']['addr'], s['to_caller']['addr']")" = "203.0.113.5 203.0.113.5" ] &&
	j rtd nat "s['offer']['sdp']" | grep -q "a=rtcp:[0-9]* IN IP4 203.0.113.5" &&
	[ "$(j rtd nat "m['rtp']['ab'], m['rtp']['ba'], m['rtp']['ab_from'][0]")" = "20 20 198.18.0.1" ] &&
	pass "behind a 1:1 NAT the SDP carries the public address while media flows on the local one" ||
	fail "rtd: nat" "$(cat "$TMP/rtd.nat.json" "$TMP/rtd.nat.json.media")"
[ "$(j rtd demux "s['to_callee']['mux'], s['to_caller']['mux']")" = "False True" ] &&
	[ "$(j rtd demux "m['rtcp']['ab'] >= 9, m['rtcp']['ba'] >= 9")" = "True True" ] &&
	pass "rtcp-mux demux: RTCP crosses between a muxing caller and a callee with an RTCP port" ||
	fail "rtd: demux" "$(cat "$TMP/rtd.demux.json" "$TMP/rtd.demux.json.media")"

# block media: the caller's media stops reaching the callee, then flows again.
in_host python3 "$ROOT/tests/relayfeat.py" block 2223 block "$TMP/b.json"
in_peer python3 "$ROOT/tests/relayfeat.py" media 2223 block "$TMP/rtd.block.json"
blocked=$(j rtd block "m['rtp']['ab'], m['rtp']['ba']")
in_host python3 "$ROOT/tests/relayfeat.py" unblock 2223 block "$TMP/b.json"
in_peer python3 "$ROOT/tests/relayfeat.py" media 2223 block "$TMP/rtd.block.json"
[ "$blocked" = "0 20" ] && [ "$(j rtd block "m['rtp']['ab'], m['rtp']['ba']")" = "20 20" ] &&
	[ "$(rtd_stat apps.relay blocked)" -ge 20 ] &&
	pass "block media drops what the caller sends, unblock media lets it through again" ||
	fail "rtd: block" "blocked: $blocked, then $(j rtd block "m['rtp']['ab'], m['rtp']['ba']")"
rtd_stop

# The same against Debian's rtpengine, in user space.
if rtpengine_start 127.0.0.1:2224 --interface='pub/198.18.0.1!203.0.113.5' \
	--interface=pub/2001:2::1 --port-min=40100 --port-max=40999; then
	for s in bridge nat demux; do
		feat rtpengine 2224 $s >/dev/null 2>&1
		echo "--- $s: rtd's and rtpengine's SDP to the callee, then to the caller"
		for who in rtd rtpengine; do
			echo "$who:"
			j $who $s "s['offer'].get('sdp', s['offer']) + '|' + s['answer'].get('sdp', s['answer'])" |
				tr -d '\r' | sed 's/^/    /'
		done
	done
	[ "$(j rtpengine bridge "m['rtp']['ab'], m['rtp']['ba']")" = "$(j rtd bridge "m['rtp']['ab'], m['rtp']['ba']")" ] &&
		[ "$(j rtpengine nat "s['to_callee']['addr']")" = "$(j rtd nat "s['to_callee']['addr']")" ] &&
		pass "rtpengine in the same run bridges and advertises the NAT's address alike" ||
		fail "rtpengine side by side" "$(cat "$TMP/rtpengine.bridge.json.media" "$TMP/rtpengine.nat.json")"
	rtpengine_stop
fi
topo_down
summary
