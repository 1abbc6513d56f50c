#!/bin/sh
# End to end with real peers: SIPp calls through Kamailio (kernel stack,
# examples/kamailio.cfg) whose rtpengine module drives rtd's relay over the
# ng protocol; RTP from a pcap crosses rtd both ways (the callee echoes it).
set -u
. "$(dirname "$0")/../lib.sh"

relay() { rtd_stat apps.relay "$1"; }
ncalls() {
	in_host python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests')
from ngclient import Ng
print(len(Ng().call(command='list', limit=1000)['calls']))"
}

topo_up
ip -n $PEER addr add 198.18.0.3/24 dev rtdp0
if ! rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1; then
	fail "rtd starts with the relay" "$(cat "$RTD_LOG")"
	summary
	exit
fi
in_host kamailio -f "$ROOT/examples/kamailio.cfg" -l udp:198.18.0.1:5060 -DD -E >"$TMP/kam.log" 2>&1 &
wait_for grep -q "rtpengine instance <udp:127.0.0.1:2223> found" "$TMP/kam.log" &&
	pass "Kamailio's start-up ping finds rtd as its rtpengine" || fail "kamailio ping" "$(tail -20 "$TMP/kam.log")"
in_peer sipp -sn uas -i 198.18.0.3 -p 5080 -rtp_echo -mi 198.18.0.3 -mp 6000 -nostdin >"$TMP/uas.out" 2>&1 &
wait_for in_peer sh -c 'ss -lun | grep -q 198.18.0.3:5080'
mkdir -p "$TMP/uac" && ln -s /usr/share/sip-tester "$TMP/uac/pcap"

uac() { # calls concurrency: SIPp's stock pcap caller; exit 0 when every call succeeded
	(cd "$TMP/uac" && in_peer timeout 90 sipp -sn uac_pcap 198.18.0.1:5060 -i 198.18.0.2 -p 5070 \
		-mi 198.18.0.2 -m "$1" -l "$2" -r 50 -s callee -nostdin -trace_err -error_file "$TMP/uac.err" \
		>"$TMP/uac.out" 2>&1)
}

# tshark on the peer's end of the wire sees what rtd sent; rtd's own taps
# are bypassed by AF_XDP, so the capture is an independent count.
ip netns exec $PEER tshark -i rtdp0 -n -f "udp and src host 198.18.0.1 and src portrange 30000-30999" \
	-w "$TMP/relay.pcap" >"$TMP/tshark.out" 2>&1 &
tsk=$!
wait_for grep -q "Capturing on" "$TMP/tshark.out"
if uac 1 1; then
	pass "a call through Kamailio completes"
else
	fail "one call" "$(tail -c 1500 "$TMP/uac.err" 2>/dev/null; tail -20 "$TMP/uac.out")"
fi
sleep 0.5
kill -INT $tsk 2>/dev/null
wait $tsk 2>/dev/null
rtp=$(relay rtp)
fwd=$(relay forwarded)
nopeer=$(relay no_peer)
seen=$(tshark -r "$TMP/relay.pcap" -n 2>/dev/null | wc -l)
[ "$seen" -eq "$fwd" ] && pass "a tshark capture counts exactly the $fwd datagrams rtd says it relayed" ||
	fail "tshark vs counters" "tshark $seen, rtd forwarded $fwd"
# The pcap holds a few hundred packets; the callee echoes each back.  Every
# datagram is accounted for: forwarded, or (on a busy machine, the first
# two or three that beat the answer to rtd) dropped for want of a peer.
[ "$rtp" -ge 400 ] && [ $((fwd + nopeer)) -eq "$rtp" ] && [ "$nopeer" -le 5 ] &&
	pass "RTP crossed rtd both ways ($rtp received, $fwd forwarded, $nopeer before the answer)" ||
	fail "media" "$(rtctl stats)"
[ "$(ncalls)" = 0 ] && pass "BYE deleted the call and freed its ports" || fail "bye" "$(ncalls) calls left"

before=$(relay forwarded)
rtp_before=$(relay rtp)
if uac 100 100; then
	pass "100 concurrent calls complete"
else
	fail "100 calls" "$(tail -c 1500 "$TMP/uac.err" 2>/dev/null; tail -25 "$TMP/uac.out")"
fi
after=$(relay forwarded)
rtp_after=$(relay rtp)
# At least the caller's half of every call (about 250 datagrams each), and
# nearly all rtd received went out again; SIPp's players may start late
# under 100 calls on two CPUs, so the callee's echo is not counted whole.
# A caller's first packets may beat the callee's answer to rtd (no peer
# yet): allow 1% of them.
[ $((after - before)) -ge $((100 * 250)) ] && [ $((100 * (after - before))) -ge $((99 * (rtp_after - rtp_before))) ] &&
	[ "$(ncalls)" = 0 ] &&
	pass "their media crossed rtd ($((after - before)) of $((rtp_after - rtp_before)) datagrams) and every call was freed" ||
	fail "100 calls media" "forwarded $((after - before)) of $((rtp_after - rtp_before)), $(ncalls) calls left; $(rtctl stats | grep app)"
rtd_stop
topo_down
summary
