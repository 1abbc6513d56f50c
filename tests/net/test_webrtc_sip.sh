#!/bin/sh
# WebRTC to SIP through a relay that terminates ICE and DTLS-SRTP: an aiortc
# endpoint (tests/webrtc_sip.py: UDP/TLS/RTP/SAVPF, ICE, rtcp-mux, a 1000
# Hz tone) and a plain RTP/AVP baresip phone (198.18.0.3, 1500 Hz), each
# recording what it hears:
#   1. no proxy: Debian's rtpengine-ng-client drives the relay with the flags
#      toward the phone (--protocol=RTP/AVP --ICE=remove --rtcp-mux=demux)
#      and back toward aiortc (--protocol=UDP/TLS/RTP/SAVPF --ICE=force:
#      tests/webrtc_sip.py says why not --DTLS=passive); the INVITE goes
#      straight to the phone;
#   2. through Kamailio (examples/kamailio-webrtc.cfg), aiortc speaking SIP
#      over a WebSocket: aiortc calls the phone, then the phone calls aiortc;
#   3. SDES to plain RTP through Kamailio: a baresip with
#      mediaenc=srtp-mand (RTP/SAVP, 198.18.0.4, 2000 Hz) calls the phone.
# Each side must hear the other's tone for most of the call, with media from
# the relay's address (no direct path); aiortc's ICE and DTLS must complete;
# Kamailio must log the relay's $rtpstat on BYE.
#
#   RELAY unset           rtd, then Debian's rtpengine, one closing line
#   RELAY=rtd             rtd --app relay on rtd0
#   RELAY=rtpengine       Debian's rtpengine, user space (--table=-1)
#   KEEP=DIR              keep the run's files in DIR: logs, aiortc's results
#                         (*.json: its SDPs each way), the ng messages (ng.txt:
#                         what the relay was asked, the SDP it gave), the
#                         recordings
set -u
. "$(dirname "$0")/../per_relay.sh"
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/baresip.sh"

PY=/usr/bin/python3 # Debian's: aiortc, websockets
SECS=4
TONE_AIO=1000
TONE_PHONE=1500
TONE_SDES=2000
AUDIO="$PY $ROOT/tests/audio.py"
NG=198.18.0.1:2223
CALLS=0 # set up through Kamailio
KAM_PID=
RP_PID=
TCPD_PID=

stop_all() {
	bs_stop_all
	for p in $KAM_PID $RP_PID $TCPD_PID; do
		bg_stop "$p"
	done
	KAM_PID='' RP_PID='' TCPD_PID=''
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
		skip "WebRTC to SIP through $RELAY" "$c is not installed"
		summary
		exit
	done
}
case $RELAY in
rtd) need baresip kamailio rtpengine-ng-client; [ -x "$RTD_BIN" ] || need "$RTD_BIN" ;;
rtpengine) need baresip kamailio rtpengine-ng-client rtpengine ;;
*) echo "$NAME: RELAY must be rtd or rtpengine, not '$RELAY'" >&2; exit 2 ;;
esac
if ! "$PY" -c 'import aiortc, websockets' 2>/dev/null; then
	skip "WebRTC to SIP through $RELAY" "Debian's python3-aiortc and python3-websockets are not installed"
	summary
	exit
fi
if ! ls /usr/lib/*/kamailio/modules/websocket.so >/dev/null 2>&1; then
	skip "WebRTC to SIP through $RELAY" "kamailio-websocket-modules is not installed"
	summary
	exit
fi

T0=$(date +%s)
topo_up
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
ip -n "$PEER" addr add 198.18.0.4/24 dev rtdp0

# The relay's ng port on the host's address: rtpengine-ng-client in the
# peer namespace and Kamailio in the host's both reach it there.
case $RELAY in
rtpengine)
	bg_host rtpengine --table=-1 --interface=198.18.0.1 --listen-ng=$NG \
		--port-min=30000 --port-max=30999 --delete-delay=0 --num-threads=2 \
		--foreground --log-stderr --log-level=${RTPENGINE_LOG_LEVEL:-6} >"$TMP/relay.log" 2>&1
	RP_PID=$BG
	RELAY_LOG=$TMP/relay.log
	if ! wait_for in_host sh -c "ss -lun | grep -q '$NG '"; then
		fail "rtpengine starts" "$(tail -20 "$TMP/relay.log")"
		summary
		exit
	fi
	;;
rtd)
	RELAY_LOG=$RTD_LOG
	if ! rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1 \
		--ng-listen $NG --ng-allow 198.18.0.0/24; then
		fail "rtd starts with the relay" "$(cat "$RTD_LOG")"
		summary
		exit
	fi
	;;
esac

if [ -n "${KEEP:-}" ] && command -v tcpdump >/dev/null 2>&1; then
	bg_host tcpdump -i any -U -n -s 0 -w "$TMP/ng.pcap" udp port 2223 >/dev/null 2>&1
	TCPD_PID=$BG
fi

bg_host kamailio -f "$ROOT/examples/kamailio-webrtc.cfg" -A 'PHONE_HOST="198.18.0.3"' \
	-A 'PHONE_PORT=5060' -A "RTPENGINE_SOCK=\"udp:$NG\"" -DD -E >"$TMP/kam.log" 2>&1
KAM_PID=$BG
if ! wait_for grep -q "rtpengine instance <udp:$NG> found" "$TMP/kam.log" ||
	! wait_for in_host sh -c 'ss -ltn | grep -q "198.18.0.1:8080 "'; then
	fail "Kamailio finds $RELAY as its rtpengine and listens for WebSockets" "$(tail -20 "$TMP/kam.log")"
	summary
	exit
fi

# Longer than a call: baresip ends a call when its source file runs out.
$AUDIO tone "$TMP/phone.wav" $((SECS + 10)) $TONE_PHONE &&
	$AUDIO tone "$TMP/sdes.wav" $((SECS + 10)) $TONE_SDES || exit 1
if ! bs_start phone 198.18.0.3 5060 "$TMP/phone.wav" "" 10000-10999; then
	fail "the phone starts" "$(bs_log phone 10)"
	summary
	exit
fi

# j FILE EXPR: a Python expression over the JSON result r
j() { "$PY" -c "import json, sys; r = json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
relay_tail() { tail -n 3 "$RELAY_LOG" | cut -c1-300; }

# heard LABEL WAV HZ CALL_SECONDS: WAV carries HZ (within 1%) for at least
# 80% of the call.
heard() {
	if [ ! -s "$2" ]; then
		fail "$1" "no recording ($2)"
		return
	fi
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$3" "$4" $($AUDIO freq "$2" "$3")
	# $5 dominant Hz, $6 fraction carrying $3, $7 seconds recorded
	if echo "$3 ${5:-0} ${6:-0} ${7:-0} $4" | awk '{ exit !($2 >= 0.99 * $1 && $2 <= 1.01 * $1 && $3 * $4 >= 0.8 * $5) }'; then
		pass "$1: $5 Hz for $(echo "$6 $7" | awk '{ printf "%.1f", $1 * $2 }') s of a $4 s call"
	else
		fail "$1" "dominant ${5:-?} Hz (want $3), carrying $3 Hz: ${6:-?} of ${7:-?} s recorded, call $4 s"
	fi
}

# from NAME: where the phone's RTP came from, in its last call
from() { grep -o "receiving from .*" "$TMP/bs-$1/log" | tail -n 1 | sed 's/receiving from //'; }

# aio_checks LABEL JSON: aiortc's side of a call, after it ended
aio_checks() {
	R=$2
	[ "$(j "$R" "r.get('ice'), r.get('dtls')")" = "completed connected" ] &&
		case $(j "$R" "r.get('media_from')") in 198.18.0.1:*) true ;; *) false ;; esac &&
		pass "$1: aiortc's ICE and DTLS-SRTP completed with the relay, media from $(j "$R" "r['media_from']")" ||
		fail "$1: aiortc's ICE and DTLS-SRTP with the relay" \
			"ICE $(j "$R" "r.get('ice')"), DTLS $(j "$R" "r.get('dtls')"), media from $(j "$R" "r.get('media_from')"), $(j "$R" "r.get('frames_received')") frames ($(j "$R" "r.get('frame_formats')"))
$RELAY: $(relay_tail)"
	case $(from phone) in
	198.18.0.1:*) pass "$1: the phone's RTP came from the relay ($(from phone))" ;;
	*) fail "$1: the phone's RTP from the relay" "it came from '$(from phone)'" ;;
	esac
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

# call_failed LABEL JSON: why a call did not happen, in a few lines
call_failed() {
	fail "$1" "$(j "$2" "r.get('error', 'no error given')" | cut -c1-400)
phone: $(bs_log phone 30 | grep -E "session closed|rejected|error|failed|SDP" | tail -n 2)
kamailio: $(grep -E "ERROR|WARNING" "$TMP/kam.log" | tail -n 2 | cut -c1-300 | grep . || echo "no errors, no warnings")
$RELAY: $(relay_tail)"
}

aio() { # MODE NAME ARGS...: tests/webrtc_sip.py in the peer namespace
	mode=$1 name=$2
	shift 2
	in_peer timeout 60 "$PY" "$ROOT/tests/webrtc_sip.py" "$mode" "$TMP/$name.json" \
		"$TMP/$name.wav" $TONE_AIO $SECS "$@" >"$TMP/$name.out" 2>&1
}

# 1. rtpengine-ng-client, no proxy
t=$(date +%s)
fg aio ng ngc $NG 198.18.0.2 sip:phone@198.18.0.3:5060
R=$TMP/ngc.json
if [ "$(j "$R" "r['established'] and 'error' not in r")" = True ]; then
	pass "ng-client: aiortc (UDP/TLS/RTP/SAVPF) and the RTP/AVP phone in one call through $RELAY"
	bs_wait_closed phone 1 5
	aio_checks ng-client "$R"
	heard "ng-client: the phone heard aiortc's $TONE_AIO Hz" "$(bs_recording phone)" $TONE_AIO $SECS
	heard "ng-client: aiortc heard the phone's $TONE_PHONE Hz" "$TMP/ngc.wav" $TONE_PHONE $SECS
	[ "$(j "$R" "(r.get('relay_packets') or 0) > 0")" = True ] &&
		pass "ng-client: the relay's query counts $(j "$R" "r['relay_packets']") packets" ||
		fail "ng-client: the relay's query" "$(j "$R" "r.get('relay_query', '')" | tail -n 12)"
else
	call_failed "ng-client: aiortc calls the phone through $RELAY" "$R"
fi
echo "     ($(($(date +%s) - t)) s)"

# 2. through Kamailio, aiortc over a WebSocket
t=$(date +%s)
fg aio call kam-call ws://198.18.0.1:8080 aio sip:phone@198.18.0.1
R=$TMP/kam-call.json
if [ "$(j "$R" "r['established'] and 'error' not in r")" = True ]; then
	pass "Kamailio: aiortc over a WebSocket calls the phone through $RELAY"
	CALLS=$((CALLS + 1))
	bs_wait_closed phone 2 5
	aio_checks "Kamailio, aiortc calls" "$R"
	heard "Kamailio, aiortc calls: the phone heard aiortc" "$(bs_recording phone)" $TONE_AIO $SECS
	heard "Kamailio, aiortc calls: aiortc heard the phone" "$TMP/kam-call.wav" $TONE_PHONE $SECS
else
	call_failed "Kamailio: aiortc over a WebSocket calls the phone through $RELAY" "$R"
fi

# ... and the phone calls aiortc
in_peer rm -f "$TMP/aio.ready"
aio answer kam-answer ws://198.18.0.1:8080 aio "$TMP/aio.ready" &
AIO=$!
R=$TMP/kam-answer.json
if wait_for test -e "$TMP/aio.ready"; then
	bs_dial phone sip:aio@198.18.0.1:5060
fi
wait $AIO
if [ "$(j "$R" "r['established'] and 'error' not in r")" = True ]; then
	pass "Kamailio: the phone calls aiortc, registered over a WebSocket, through $RELAY"
	CALLS=$((CALLS + 1))
	bs_wait_closed phone 3 5
	aio_checks "Kamailio, the phone calls" "$R"
	heard "Kamailio, the phone calls: the phone heard aiortc" "$(bs_recording phone)" $TONE_AIO $SECS
	heard "Kamailio, the phone calls: aiortc heard the phone" "$TMP/kam-answer.wav" $TONE_PHONE $SECS
else
	call_failed "Kamailio: the phone calls aiortc through $RELAY" "$R"
	bs_hangup phone 2>/dev/null
fi
echo "     ($(($(date +%s) - t)) s)"

# 3. SDES (RTP/SAVP) to plain RTP through Kamailio
t=$(date +%s)
if bs_start sdes 198.18.0.4 5060 "$TMP/sdes.wav" srtp-mand 12000-12999; then
	ended=$(bs_calls phone | cut -d' ' -f3)
	bs_dial sdes sip:phone@198.18.0.1:5060
	if bs_wait_established sdes 1 10 && bs_wait_established phone $((ended + 1)) 2; then
		pass "Kamailio: an SDES phone (RTP/SAVP) calls the plain phone through $RELAY"
		CALLS=$((CALLS + 1))
		fg sleep $SECS
		bs_hangup sdes
		bs_wait_closed sdes 1 5
		bs_stop sdes
		enc=$(grep -o "SRTP is Enabled.*" "$TMP/bs-sdes/log" | head -n 1)
		[ -n "$enc" ] && pass "SDES: the SDES phone encrypted its media ($enc)" ||
			fail "SDES: the SDES phone's media encryption" "$(bs_log sdes 30 | grep -i srtp | tail -n 3)"
		case "$(from sdes) $(from phone)" in
		"198.18.0.1:"*" 198.18.0.1:"*) pass "SDES: each phone's RTP came from the relay" ;;
		*) fail "SDES: RTP from the relay" "to the SDES phone from '$(from sdes)', to the plain one from '$(from phone)'" ;;
		esac
		heard "SDES: the plain phone heard the SDES phone" "$(bs_recording phone)" $TONE_SDES $SECS
		heard "SDES: the SDES phone heard the plain phone" "$(bs_recording sdes)" $TONE_PHONE $SECS
	else
		fail "Kamailio: an SDES phone (RTP/SAVP) calls the plain phone through $RELAY" \
			"sdes: $(bs_log sdes 30 | grep -E "SIP Progress|session closed|error|failed|srtp" | tail -n 3)
phone: $(bs_log phone 30 | grep -E "session closed|rejected|error|failed|srtp" | tail -n 2)
kamailio: $(grep -E "ERROR|WARNING" "$TMP/kam.log" | tail -n 2 | cut -c1-300 | grep . || echo "no errors, no warnings")
$RELAY: $(relay_tail)"
	fi
else
	fail "the SDES phone starts" "$(bs_log sdes 10)"
fi
echo "     ($(($(date +%s) - t)) s)"
rtpstats $CALLS

stop_all
topo_down
echo "     ($RELAY: $(($(date +%s) - T0)) s in all)"
summary
