#!/bin/sh
# A real browser to a SIP phone through the relay: Debian's chromium,
# headless, runs tests/web/phone.html (JsSIP, installed from npm into
# build/web) served on 127.0.0.1 of the peer namespace, registers over SIP
# over WebSocket with Kamailio (examples/kamailio-webrtc.cfg) and calls a
# baresip phone (198.18.0.3, plain RTP/AVP) through the relay, which
# terminates ICE and DTLS-SRTP toward the browser; then the phone calls the
# browser.  The browser's microphone is a 1000 Hz tone
# (--use-file-for-fake-audio-capture), the phone's a 1500 Hz one.  Checks,
# each way: the call is established; the phone hears the browser's tone
# for most of the call; the browser's getStats() counts the packets it
# received, and an AnalyserNode on its remote track hears the phone's tone;
# media reached each side from the relay's address, not from the other
# side; DTLS is connected; Kamailio logs the relay's $rtpstat on BYE.
# Chromium is driven over its DevTools protocol (tests/cdp.py).
#
#   RELAY unset           rtd, then Debian's rtpengine, one closing line
#   RELAY=rtd             rtd --app relay on rtd0
#   RELAY=rtpengine       Debian's rtpengine, user space (--table=-1)
#   KEEP=DIR              keep the run's files in DIR: logs, the browser's
#                         reports (its SDPs each way), the ng messages
#                         (ng.txt: what Kamailio asked the relay, and the
#                         SDP it got back), the recordings
set -u
. "$(dirname "$0")/../per_relay.sh"
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/baresip.sh"

PY=/usr/bin/python3
SECS=4
TONE_BROWSER=1000
TONE_PHONE=1500
AUDIO="$PY $ROOT/tests/audio.py"
JSSIP=3.13.8   # JsSIP from npm, bundled for the page by esbuild
ESBUILD=0.28.2
WEB=$ROOT/build/web
CDP_PORT=9222
CALLS=0 # set up through Kamailio
KAM_PID=
RP_PID=
CR_PID=
WWW_PID=
TCPD_PID=

stop_all() {
	bs_stop_all
	for p in $CR_PID $WWW_PID $KAM_PID $RP_PID $TCPD_PID; do
		bg_stop "$p"
	done
	CR_PID='' WWW_PID='' KAM_PID='' RP_PID='' TCPD_PID=''
}
keep() {
	[ -n "${KEEP:-}" ] || return 0
	mkdir -p "$KEEP" && cp -r "$TMP/." "$KEEP/" 2>/dev/null
	[ -s "$KEEP/ng.pcap" ] && "$PY" "$ROOT/tests/ngdump.py" "$KEEP/ng.pcap" >"$KEEP/ng.txt" 2>&1
	return 0
}
trap 'stop_all; keep; cleanup' EXIT
# fg CMD...: CMD in the background, waited for: a TERM is acted on at once
# rather than when CMD returns (the EXIT trap then ends CMD with the rest).
fg() {
	"$@" &
	wait $!
}

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		skip "a browser calls through $RELAY" "$c is not installed"
		summary
		exit
	done
}
case $RELAY in
rtd) need chromium baresip kamailio npm; [ -x "$RTD_BIN" ] || need "$RTD_BIN" ;;
rtpengine) need chromium baresip kamailio npm rtpengine ;;
*) echo "$NAME: RELAY must be rtd or rtpengine, not '$RELAY'" >&2; exit 2 ;;
esac
if ! "$PY" -c 'import websockets' 2>/dev/null; then
	skip "a browser calls through $RELAY" "Debian's python3-websockets is not installed"
	summary
	exit
fi
if ! ls /usr/lib/*/kamailio/modules/websocket.so >/dev/null 2>&1; then
	skip "a browser calls through $RELAY" "kamailio-websocket-modules is not installed"
	summary
	exit
fi

# JsSIP for the page, once: npm's package is CommonJS, so esbuild makes
# one script of it.  Never committed (build/).
if [ "$(cat "$WEB/jssip.version" 2>/dev/null)" != "$JSSIP" ]; then
	rm -f "$WEB/jssip.js" "$WEB/jssip.version"
	mkdir -p "$WEB"
	echo 'window.JsSIP = require("jssip");' >"$WEB/entry.js"
	if ! out=$(timeout 120 npm install --prefix "$WEB" --no-audit --no-fund --loglevel=error \
		"jssip@$JSSIP" "esbuild@$ESBUILD" 2>&1) ||
		! out=$(cd "$WEB" && ./node_modules/.bin/esbuild entry.js --bundle --minify \
			--log-level=error --outfile=jssip.js 2>&1); then
		skip "a browser calls through $RELAY" "JsSIP $JSSIP could not be installed from npm: $(printf '%s' "$out" | tail -n 2)"
		summary
		exit
	fi
	echo "$JSSIP" >"$WEB/jssip.version"
fi

T0=$(date +%s)
topo_up
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
# The browser's ICE host candidate is the address it would reach the world
# from (--force-webrtc-ip-handling-policy below): 198.18.0.2, not the
# phone's.
ip -n "$PEER" route add default via 198.18.0.1 src 198.18.0.2

# ng on 127.0.0.1:2223, where the configuration's rtpengine module looks.
case $RELAY in
rtpengine)
	bg_host rtpengine --table=-1 --interface=198.18.0.1 --listen-ng=127.0.0.1:2223 \
		--port-min=30000 --port-max=30999 --delete-delay=0 --num-threads=2 \
		--foreground --log-stderr --log-level=${RTPENGINE_LOG_LEVEL:-6} >"$TMP/relay.log" 2>&1
	RP_PID=$BG
	RELAY_LOG=$TMP/relay.log
	if ! wait_for in_host sh -c "ss -lun | grep -q '127.0.0.1:2223 '"; then
		fail "rtpengine starts" "$(tail -20 "$TMP/relay.log")"
		summary
		exit
	fi
	;;
rtd)
	RELAY_LOG=$RTD_LOG
	if ! rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1; then
		fail "rtd starts with the relay" "$(cat "$RTD_LOG")"
		summary
		exit
	fi
	;;
esac
if [ -n "${KEEP:-}" ] && command -v tcpdump >/dev/null 2>&1; then
	bg_host tcpdump -i lo -U -n -s 0 -w "$TMP/ng.pcap" udp port 2223 >/dev/null 2>&1
	TCPD_PID=$BG
fi

bg_host kamailio -f "$ROOT/examples/kamailio-webrtc.cfg" -A 'PHONE_HOST="198.18.0.3"' \
	-A 'PHONE_PORT=5060' -DD -E >"$TMP/kam.log" 2>&1
KAM_PID=$BG
if ! wait_for grep -q "rtpengine instance <udp:127.0.0.1:2223> found" "$TMP/kam.log" ||
	! wait_for in_host sh -c 'ss -ltn | grep -q "198.18.0.1:8080 "'; then
	fail "Kamailio finds $RELAY as its rtpengine and listens for WebSockets" "$(tail -20 "$TMP/kam.log")"
	summary
	exit
fi

# Chromium's fake microphone loops the file; baresip ends a call when its
# file runs out: longer than a call.
$AUDIO tone "$TMP/browser.wav" $((SECS + 2)) $TONE_BROWSER &&
	$AUDIO tone "$TMP/phone.wav" $((SECS + 10)) $TONE_PHONE || exit 1
if ! bs_start phone 198.18.0.3 5060 "$TMP/phone.wav" "" 10000-10999; then
	fail "the phone starts" "$(bs_log phone 10)"
	summary
	exit
fi

# The page on 127.0.0.1 of the browser's namespace: localhost is a secure
# context, where getUserMedia is allowed, without TLS.
mkdir -p "$TMP/www"
cp "$ROOT/tests/web/phone.html" "$WEB/jssip.js" "$TMP/www/"
bg_peer "$PY" -m http.server 8088 --bind 127.0.0.1 --directory "$TMP/www" >"$TMP/www.log" 2>&1
WWW_PID=$BG
# Headless, as root (no sandbox), fake devices with the tone as the
# microphone, and no background traffic of its own (this network is
# closed).
bg_peer chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--disable-default-apps --disable-extensions --no-default-browser-check \
	--user-data-dir="$TMP/chromium" --remote-debugging-port=$CDP_PORT \
	--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
	--use-file-for-fake-audio-capture="$TMP/browser.wav" \
	--autoplay-policy=no-user-gesture-required \
	--force-webrtc-ip-handling-policy=default_public_interface_only \
	about:blank >"$TMP/chromium.log" 2>&1
CR_PID=$BG

cdp() { in_peer "$PY" "$ROOT/tests/cdp.py" $CDP_PORT "$@"; }
# j FILE EXPR: a Python expression over the JSON r in FILE
j() { "$PY" -c "import json, sys; r = json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
relay_tail() { tail -n 3 "$RELAY_LOG" | cut -c1-300; }
kam_errors() { grep -E "ERROR|WARNING" "$TMP/kam.log" | tail -n 2 | cut -c1-300 | grep . || echo "no errors, no warnings"; }
from() { grep -o "receiving from .*" "$TMP/bs-$1/log" | tail -n 1 | sed 's/receiving from //'; }

if ! wait_for -t 10 in_peer sh -c "ss -ltn | grep -q '127.0.0.1:$CDP_PORT '" ||
	! wait_for in_peer sh -c 'ss -ltn | grep -q "127.0.0.1:8088 "' ||
	! cdp open http://127.0.0.1:8088/phone.html 10 >"$TMP/cdp.out" 2>&1 ||
	! wait_for cdp eval 'typeof JsSIP.UA === "function" && typeof register'; then
	fail "chromium loads the page" "$(cat "$TMP/cdp.out"; tail -n 5 "$TMP/chromium.log" "$TMP/www.log")"
	summary
	exit
fi
if ! cdp eval "register('ws://198.18.0.1:8080', 'sip:browser@198.18.0.1')" 10 >"$TMP/cdp.out" 2>&1; then
	fail "the browser registers over a WebSocket" "$(cat "$TMP/cdp.out")
kamailio: $(kam_errors)"
	summary
	exit
fi
pass "chromium registers with Kamailio over a WebSocket (JsSIP $JSSIP)"

# heard LABEL WAV HZ CALL_SECONDS: WAV carries HZ (within 1%) for at least
# 80% of the call.
heard() {
	if [ ! -s "$2" ]; then
		fail "$1" "no recording ($2)"
		return
	fi
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$3" "$4" $($AUDIO freq "$2" "$3")
	if echo "$3 ${5:-0} ${6:-0} ${7:-0} $4" | awk '{ exit !($2 >= 0.99 * $1 && $2 <= 1.01 * $1 && $3 * $4 >= 0.8 * $5) }'; then
		pass "$1: $5 Hz for $(echo "$6 $7" | awk '{ printf "%.1f", $1 * $2 }') s of a $4 s call"
	else
		fail "$1" "dominant ${5:-?} Hz (want $3), carrying $3 Hz: ${6:-?} of ${7:-?} s recorded, call $4 s"
	fi
}

# checks LABEL REPORT: both sides of a call that was established, once it
# has ended
checks() {
	l=$1 R=$2
	heard "$l: the phone heard the browser's $TONE_BROWSER Hz" "$(bs_recording phone)" $TONE_BROWSER $SECS
	# 50 packets a second (20 ms) for most of the call
	min=$((SECS * 40))
	[ "$(j "$R" "(r.get('inbound') or {}).get('packetsReceived', 0) > $min")" = True ] &&
		pass "$l: the browser's getStats(): $(j "$R" "r['inbound']['packetsReceived']") packets received ($(j "$R" "r['inbound']['codec']")), $(j "$R" "(r.get('outbound') or {}).get('packetsSent')") sent" ||
		fail "$l: the browser received RTP (getStats: more than $min packets)" \
			"inbound-rtp $(j "$R" "r.get('inbound')"), transport $(j "$R" "r.get('transport')")
$RELAY: $(relay_tail)"
	# an AnalyserNode sample every 100 ms from the remote track's start
	[ "$(j "$R" "r['tone']['near'] >= 0.8 * $SECS * 10")" = True ] &&
		pass "$l: the browser heard the phone's $TONE_PHONE Hz in $(j "$R" "r['tone']['near']") of $(j "$R" "r['tone']['samples']") samples ($(j "$R" "r['tone']['level']") dBFS)" ||
		fail "$l: the browser heard the phone's $TONE_PHONE Hz" "AnalyserNode: $(j "$R" "r.get('tone')") (want $TONE_PHONE Hz in at least $((SECS * 8)) samples)"
	case "$(j "$R" "(r.get('transport') or {}).get('remote')") $(from phone)" in
	"198.18.0.1:"*" 198.18.0.1:"*)
		pass "$l: media reached each side from the relay: the browser's from $(j "$R" "r['transport']['remote']"), the phone's from $(from phone)" ;;
	*)
		fail "$l: media from the relay to each side" "the browser's selected pair: $(j "$R" "r.get('transport')"); the phone's RTP from '$(from phone)'" ;;
	esac
	[ "$(j "$R" "r['transport']['dtlsState']")" = connected ] &&
		pass "$l: DTLS-SRTP with the relay: $(j "$R" "r['transport']['srtpCipher']"), the browser $(j "$R" "r['transport']['dtlsRole']")" ||
		fail "$l: the browser's DTLS with the relay" "transport $(j "$R" "r.get('transport')")"
}

# rtpstats N: Kamailio logged the relay's $rtpstat, non-empty, on the BYE of
# each of the N calls set up through it (none set up: their failures have
# said why already)
rtpstats() {
	[ "$1" -gt 0 ] || return 0
	wait_for sh -c "[ \$(grep -c 'rtpstat ' '$TMP/kam.log') -ge $1 ]"
	all=$(grep -o "rtpstat .*" "$TMP/kam.log" | sed 's/^rtpstat [^ ]*: *//')
	good=$(printf '%s\n' "$all" | grep -c -v -x -E '|<null>')
	if [ "$good" -ge "$1" ]; then
		pass "Kamailio logged \$rtpstat on each BYE ($good): $(printf '%s\n' "$all" | tail -n 1)"
	else
		fail "Kamailio logged \$rtpstat on each BYE" "$good non-empty of $1 calls: $(printf '%s' "$all" | tr '\n' '|')
$(grep -E "ERROR|rtpstat" "$TMP/kam.log" | tail -n 2 | cut -c1-300)"
	fi
}

# why LABEL: a call that did not happen, in a few lines
why() {
	fail "$1" "$(head -c 600 "$TMP/cdp.out")
phone: $(bs_log phone 30 | grep -E "session closed|rejected|error|failed|SDP" | tail -n 2)
kamailio: $(kam_errors)
$RELAY: $(relay_tail)"
}

# 1. the browser calls the phone
t=$(date +%s)
if fg cdp eval "call('sip:phone@198.18.0.1', $TONE_PHONE)" 15 >"$TMP/cdp.out" 2>&1; then
	pass "the browser's call to the phone is established through $RELAY"
	CALLS=$((CALLS + 1))
	fg sleep $SECS
	cdp eval "report()" >"$TMP/call.json" 2>&1
	cdp eval "hangup()" >/dev/null 2>&1
	bs_wait_closed phone 1 5
	checks "browser calls" "$TMP/call.json"
else
	why "the browser's call to the phone through $RELAY"
	cdp eval "hangup()" >/dev/null 2>&1
	cdp eval "report()" >"$TMP/call.json" 2>&1
fi
echo "     ($(($(date +%s) - t)) s)"

# 2. the phone calls the browser
t=$(date +%s)
ended=$(bs_calls phone | cut -d' ' -f3)
bs_dial phone sip:browser@198.18.0.1:5060
if fg cdp eval "waitCall(10000, $TONE_PHONE)" 15 >"$TMP/cdp.out" 2>&1 &&
	bs_wait_established phone $((ended + 1)) 5; then
	pass "the phone's call to the browser is established through $RELAY"
	CALLS=$((CALLS + 1))
	fg sleep $SECS
	cdp eval "report()" >"$TMP/answer.json" 2>&1
	bs_hangup phone
	bs_wait_closed phone $((ended + 1)) 5
	checks "phone calls" "$TMP/answer.json"
else
	why "the phone's call to the browser through $RELAY"
	cdp eval "report()" >"$TMP/answer.json" 2>&1
	bs_hangup phone 2>/dev/null
fi
echo "     ($(($(date +%s) - t)) s)"

rtpstats $CALLS

stop_all
topo_down
echo "     ($RELAY: $(($(date +%s) - T0)) s in all)"
summary
