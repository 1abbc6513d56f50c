#!/bin/sh
# SRTP terminated by the relay, with Debian's libsrtp2 (pylibsrtp) as the
# endpoint's: an SDES caller and a plain callee, media both ways, then
# what an attacker or a broken endpoint sends (replays, forged tags,
# truncations, noise, DTLS- and STUN-looking junk): none of it reaches
# the callee, each is counted, and the call goes on.  The same against
# Debian's rtpengine in the same run.
set -u
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
j() { python3 -c "import json; r = json.load(open('$1')); print($2)" 2>/dev/null; }

if ! "$PY" -c 'import pylibsrtp' 2>/dev/null; then
	skip "SRTP through rtd" "Debian's python3-pylibsrtp is not installed"
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
in_peer timeout 60 "$PY" "$ROOT/tests/srtpcall.py" sdes 198.18.0.1 2223 "$TMP/rtd.json" \
	>"$TMP/rtd.log" 2>&1
R=$TMP/rtd.json
[ "$(j "$R" "r['a_to_b'], r['b_to_a']")" = "20 20" ] &&
	j "$R" "r['to_b']" | grep -q "^m=audio [0-9]* RTP/AVP" && ! j "$R" "r['to_b']" | grep -q crypto &&
	pass "an SDES caller and a plain callee hear each other through rtd, the callee's SDP plain" ||
	fail "SDES to plain" "$(cat "$R" "$TMP/rtd.log")"
[ "$(j "$R" "r['junk_through']")" = "[]" ] &&
	[ "$(rtd_stat apps.relay srtp_replayed)" -ge 2 ] &&
	[ "$(rtd_stat apps.relay srtp_auth_failed)" -ge 2 ] &&
	[ "$(rtd_stat apps.relay srtp_error)" -ge 1 ] &&
	pass "replays, forged tags, truncations and junk reach nobody and are counted ($(rtd_stat apps.relay srtp_replayed) replayed, $(rtd_stat apps.relay srtp_auth_failed) failed authentication, $(rtd_stat apps.relay srtp_error) malformed)" ||
	fail "junk" "through: $(j "$R" "r['junk_through']"); $(rtctl stats | grep -i srtp)"
[ "$(j "$R" "r['a_to_b_after'], r['b_to_a_after']")" = "20 20" ] &&
	kill -0 "$RTD_PID" 2>/dev/null &&
	pass "after all that the call goes on both ways" ||
	fail "after junk" "$(cat "$R")"
q=$(in_host python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests')
from ngclient import Ng
r = Ng(('198.18.0.1', 2223)).call(command='query', call_id='srtp-sdes')
print(' '.join(sorted({m['crypto'].decode() for t in r['tags'].values() for m in t['medias']})),
      sum(s['stats']['srtp-failed'] for t in r['tags'].values() for m in t['medias'] for s in m['streams']))")
case $q in
"AES_CM_128_HMAC_SHA1_80 plain "[1-9]*) pass "query shows each leg's crypto and the packets SRTP refused: $q" ;;
*) fail "query" "$q" ;;
esac

# A DTLS leg (a browser's, say) that sends junk instead of a handshake.
dtls_before=$(rtd_stat apps.relay dtls)
in_peer timeout 60 "$PY" "$ROOT/tests/srtpcall.py" dtlsjunk 198.18.0.1 2223 "$TMP/dj.json" \
	>"$TMP/dj.log" 2>&1
st=$(in_host python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests')
from ngclient import Ng
r = Ng(('198.18.0.1', 2223)).call(command='query', call_id='srtp-dtls')
print([s.get('DTLS', b'').decode() for t in r['tags'].values() for m in t['medias'] for s in m['streams']][0])" 2>&1)
[ "$(j "$TMP/dj.json" "r['callee_got']")" = 0 ] &&
	[ $(($(rtd_stat apps.relay dtls) - dtls_before)) -ge 30 ] &&
	[ "$st" = handshaking ] && kill -0 "$RTD_PID" 2>/dev/null &&
	pass "DTLS junk goes to the handshake, reaches nobody, and leaves it waiting for a real ClientHello ($st)" ||
	fail "DTLS junk" "$(cat "$TMP/dj.json" "$TMP/dj.log"); query: $st; $(rtctl stats | grep dtls)"
rtd_stop

if rtpengine_start 198.18.0.1:2224 --interface=198.18.0.1 --port-min=40100 --port-max=40999; then
	in_peer timeout 60 "$PY" "$ROOT/tests/srtpcall.py" sdes 198.18.0.1 2224 "$TMP/rp.json" \
		>"$TMP/rp.log" 2>&1
	R=$TMP/rp.json
	[ "$(j "$R" "r['a_to_b'], r['b_to_a'], r['a_to_b_after'], r['b_to_a_after']")" = "20 20 20 20" ] &&
		pass "rtpengine in the same run carries the same call" ||
		fail "rtpengine side by side" "$(cat "$R" "$TMP/rp.log")"
	# A difference to write down, not a failure of rtd's.
	echo "    what rtpengine let through to the plain callee: $(j "$R" "', '.join(r['junk_through']) or 'nothing'")"
	# Four secured offer/answer pairs with Kamailio's flags through both
	# relays at once: each takes them all; the SDP they write differs
	# (the README's table of differences comes from this file).
	# shellcheck disable=SC2086
	if rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1 \
		--ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24; then
		in_peer "$PY" "$ROOT/tests/secdiff.py" 198.18.0.1 2223 2224 "$TMP/secdiff.json"
		python3 - "$TMP/secdiff.json" <<'PY' && pass "SDES and WebRTC offers and answers: both relays take all four; rtd answers the browser with its fingerprint, a=setup and ICE-lite" ||
import json, sys
d = json.load(open(sys.argv[1]))
for who in ("rtd", "rtpengine"):
    for call, r in d[who].items():
        assert r.get("offer") == "ok" and r.get("answer") == "ok", (who, call, r)
w = d["rtd"]["webrtc-to-plain"]["caller_got"]
assert {"a=ice-lite", "a=setup:passive", "a=fingerprint:sha-256 ...", "a=rtcp-mux"} <= set(w), w
assert not any(l.startswith("a=crypto") for l in d["rtd"]["sdes-to-plain"]["callee_got"])
PY
			fail "secured offers side by side" "$(cat "$TMP/secdiff.json")"
		rtd_stop
	else
		fail "rtd starts beside rtpengine" "$(cat "$RTD_LOG")"
	fi
	rtpengine_stop
fi
topo_down
summary
