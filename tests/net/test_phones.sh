#!/bin/sh
# Real audio between real phones: an IPv4 baresip (198.18.0.2) calls an
# IPv6-only baresip (2001:2::3) through Kamailio (examples/kamailio-phones.cfg)
# and a relay that bridges the two families.  Each phone plays a tone (the
# caller 1000 Hz, the callee 1500 Hz) and records what it hears; each must
# hear the other's tone for most of the call, with media from the relay's
# address of its own family, and Kamailio must log the relay's $rtpstat on
# BYE.
#
#   RELAY unset           rtd, then Debian's rtpengine in the same run
#   RELAY=rtd             rtd's relay alone: rtd --app relay on rtd0
#   RELAY=rtpengine       Debian's rtpengine alone, user space, one interface
#                         per family, as a reference
#   MEDIAENC=             the phones' media encryption (tests/baresip.sh):
#                         "" plain RTP (default), srtp, srtp-mand (SDES), ...
set -u
. "$(dirname "$0")/../per_relay.sh"
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/baresip.sh"

MEDIAENC=${MEDIAENC:-}
SECS=4
TONE_CALLER=1000
TONE_CALLEE=1500
AUDIO="/usr/bin/python3 $ROOT/tests/audio.py"
KAM_PID=
RP_PID=

stop_all() {
	bs_stop_all
	for p in $KAM_PID $RP_PID; do
		bg_stop "$p"
	done
	KAM_PID='' RP_PID=''
}
trap 'stop_all; cleanup' EXIT

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		skip "phones through $RELAY" "$c is not installed"
		summary
		exit
	done
}
case $RELAY in
rtd) need baresip kamailio; [ -x "$RTD_BIN" ] || need "$RTD_BIN" ;;
rtpengine) need baresip kamailio rtpengine ;;
*) echo "$NAME: RELAY must be rtd or rtpengine, not '$RELAY'" >&2; exit 2 ;;
esac
[ -x /usr/bin/python3 ] || need /usr/bin/python3

topo_up
ip -n "$PEER" addr add 2001:2::3/64 dev rtdp0 nodad

case $RELAY in
rtpengine)
	# User space (no kernel table), the ng port on loopback, one logical
	# interface per family: the offer's and answer's address-family flags
	# pick one.  Deleted calls go at once.
	bg_host rtpengine --table=-1 --interface=v4/198.18.0.1 --interface=v6/2001:2::1 \
		--listen-ng=127.0.0.1:2223 --port-min=30000 --port-max=30999 --delete-delay=0 \
		--num-threads=2 --foreground --log-stderr --log-level=6 >"$TMP/relay.log" 2>&1
	RP_PID=$BG
	RELAY_LOG=$TMP/relay.log
	if ! wait_for in_host sh -c 'ss -lun | grep -q "127.0.0.1:2223 "'; then
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

bg_host kamailio -f "$ROOT/examples/kamailio-phones.cfg" -A 'CALLEE_HOST="2001:2::3"' \
	-A 'CALLEE_PORT=5060' -DD -E >"$TMP/kam.log" 2>&1
KAM_PID=$BG
if ! wait_for grep -q "rtpengine instance <udp:127.0.0.1:2223> found" "$TMP/kam.log"; then
	fail "Kamailio finds $RELAY as its rtpengine" "$(tail -20 "$TMP/kam.log")"
	summary
	exit
fi

# Longer than the call: baresip ends a call when its source file runs out.
$AUDIO tone "$TMP/caller.wav" $((SECS + 10)) $TONE_CALLER &&
	$AUDIO tone "$TMP/callee.wav" $((SECS + 10)) $TONE_CALLEE || exit 1
if ! bs_start callee 2001:2::3 5060 "$TMP/callee.wav" "$MEDIAENC" 10000-10999 ||
	! bs_start caller 198.18.0.2 5070 "$TMP/caller.wav" "$MEDIAENC" 11000-11999; then
	fail "the phones start" "$(bs_log callee 10; bs_log caller 10)"
	summary
	exit
fi

now() { date +%s.%N; }
bs_dial caller sip:callee@198.18.0.1:5060
if ! bs_wait_established caller 1 10 || ! bs_wait_established callee 1 2; then
	# Say why where it is known: a callee offered media of the other family
	# (baresip: "SDP offer AF not supported (AF_INET)") was not bridged.
	why=
	if af=$(grep -o "SDP offer AF not [a-z]* ([A-Z0-9_]*)" "$TMP/bs-callee/log"); then
		why="the IPv6-only callee was offered media of another family (baresip: $af):
$RELAY did not bridge IPv4 to IPv6"
	fi
	fail "an IPv4 caller reaches an IPv6-only callee through Kamailio and $RELAY" "${why:+$why
}caller: $(bs_log caller 30 | grep -E "SIP Progress|session closed|error|failed" | tail -n 3)
callee: $(bs_log callee 30 | grep -E "^(ua|call|stream|audio): " | tail -n 3)
kamailio: $(grep -E "ERROR|WARNING" "$TMP/kam.log" | tail -n 3 | grep . || echo "no errors, no warnings")
$RELAY: $(tail -n 3 "$RELAY_LOG")"
	summary
	exit
fi
t0=$(now)
pass "an IPv4 caller reaches an IPv6-only callee through Kamailio and $RELAY"
sleep $SECS
t1=$(now)
bs_hangup caller
bs_wait_closed caller && bs_wait_closed callee ||
	fail "the call ends" "$(bs_log caller 5; bs_log callee 5)"
bs_stop caller
bs_stop callee
call=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')

# baresip: "stream: incoming rtp for 'audio' established, receiving from
# 198.18.0.1:30012"
from() { grep -o "receiving from .*" "$TMP/bs-$1/log" | head -n 1 | sed 's/receiving from //'; }
case $(from caller) in
198.18.0.1:*) c_ok=1 ;;
*) c_ok= ;;
esac
case $(from callee) in
"[2001:2::1]:"*) e_ok=1 ;;
*) e_ok= ;;
esac
[ -n "$c_ok" ] && [ -n "$e_ok" ] &&
	pass "media came from the relay: to the caller from $(from caller), to the callee from $(from callee)" ||
	fail "media through the relay" "caller got RTP from '$(from caller)', callee from '$(from callee)'"

if [ -n "$MEDIAENC" ]; then
	# baresip: "srtp: audio: SRTP is Enabled (cryptosuite=...)" (SDES) or
	# "dtls_srtp: ---> DTLS-SRTP complete (audio/RTP) ..."
	enc() { grep -o -E "SRTP is Enabled.*|DTLS-SRTP complete \(audio/RTP\).*" "$TMP/bs-$1/log" | head -n 1; }
	[ -n "$(enc caller)" ] && [ -n "$(enc callee)" ] &&
		pass "both phones encrypted their media ($MEDIAENC: $(enc caller))" ||
		fail "media encryption $MEDIAENC" "caller: '$(enc caller)', callee: '$(enc callee)'"
fi

# heard WHO HZ WHAT: WHO's recording carries HZ (within 1%) for at least 80%
# of the call.
heard() {
	rec=$(bs_recording "$1")
	if [ -z "$rec" ]; then
		fail "the $1 heard $3" "no recording in $TMP/bs-$1/rec"
		return
	fi
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$3" $($AUDIO freq "$rec" "$2")
	# $4 dominant Hz, $5 fraction carrying $2, $6 seconds recorded
	if echo "$2 $4 $5 $6 $call" | awk '{ exit !($2 >= 0.99 * $1 && $2 <= 1.01 * $1 && $3 * $4 >= 0.8 * $5) }'; then
		pass "the $1 heard $3: $4 Hz for $(echo "$5 $6" | awk '{ printf "%.1f", $1 * $2 }') s of a $call s call"
	else
		fail "the $1 heard $3" "dominant ${4:-?} Hz (want $2), carrying $2 Hz: ${5:-?} of ${6:-?} s recorded, call $call s"
	fi
}
heard callee $TONE_CALLER "the caller's $TONE_CALLER Hz tone"
heard caller $TONE_CALLEE "the callee's $TONE_CALLEE Hz tone"

# Kamailio: "rtpstat <call-id>: RTP: ..." (xlog in the BYE's route)
wait_for grep -q "rtpstat " "$TMP/kam.log"
st=$(grep -o "rtpstat .*" "$TMP/kam.log" | head -n 1 | sed 's/^rtpstat [^ ]*: *//')
case $st in
'' | '<null>') fail "Kamailio logged \$rtpstat on BYE" "got '$st'; $(grep -E "ERROR|rtpstat" "$TMP/kam.log" | tail -n 5)" ;;
*) pass "Kamailio logged \$rtpstat on BYE: $st" ;;
esac

stop_all
topo_down
summary
