#!/bin/sh
# What rtd serves and what it leaves to the kernel: only what the kernel
# would have taken on this interface (its MAC, no VLAN of another device,
# datagrams at their destination, frames a UMEM frame holds), never a
# martian source; peers keep TX checksum offload on, as containers do.
set -u
. "$(dirname "$0")/../lib.sh"

st() { rtd_stat "$1" "$2"; }

topo_up
hmac=$(in_host cat /sys/class/net/rtd0/address)
ip -n "$PEER" neigh replace 198.18.0.1 lladdr "$hmac" dev rtdp0 nud permanent
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	summary
	exit
fi
# raw PYTHON-EXPRESSION: frames built with tests/frames.py (H: the host's
# MAC, P: the peer's), sent from the peer
raw() {
	in_peer python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests')
from frames import *
H, P = '$hmac', own_mac('rtdp0')
send('rtdp0', $1)" 2>&1
}
grep -q "checksums a sender left partial (TX offload) are taken" "$RTD_LOG" &&
	pass "on veth, rtd says it takes partial checksums" || fail "csum auto" "$(cat "$RTD_LOG")"

# Peers at their defaults: TX checksum offload on.
n=$(in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 20 -T 200 -j | sed -n 's/.*"received": *\([0-9]*\).*/\1/p')
n6=$(in_peer "$TOOLS/udpping" -6 -d 2001:2::1 -p 7000 -n 20 -T 200 -j | sed -n 's/.*"received": *\([0-9]*\).*/\1/p')
[ "${n:-0}" -eq 20 ] && [ "${n6:-0}" -eq 20 ] && [ "$(st stack csum_partial)" -ge 40 ] &&
	[ "$(st stack bad_checksum)" -eq 0 ] &&
	pass "a peer with TX checksum offload on is answered, its partial checksums counted" ||
	fail "partial checksums" "v4 $n v6 $n6; $(rtctl stats | grep -E 'csum|checksum')"

echo_before=$(st apps.echo replied)
red=$(st xdp redirected)
err=$(raw "[ether(H, P, ipv4('198.18.0.2', '198.18.0.1', udp('198.18.0.2', '198.18.0.1', 40000, 7000, b'tagged')), vlan=100),
	ether('02:00:00:00:00:99', P, ipv4('198.18.0.2', '198.18.0.1', udp('198.18.0.2', '198.18.0.1', 40000, 7000, b'other mac'))),
	ether(H, P, ipv6('2001:2::2', '2001:2::1', udp('2001:2::2', '2001:2::1', 40000, 7000, b'on its way'), routing_header(1), 43), v6=True)]")
sleep 0.3
[ -z "$err" ] && [ "$(st xdp redirected)" -eq "$red" ] && [ "$(st apps.echo replied)" -eq "$echo_before" ] &&
	[ "$(st stack bad_checksum)" -eq 0 ] &&
	pass "a VLAN's frame, a frame to another MAC and one with segments left go to the kernel" ||
	fail "frames the kernel would not take here" "$err; $(rtctl stats | grep -E 'redirected|bad_checksum|replied')"
red=$(st xdp redirected)
raw "[ether(H, P, ipv4('198.18.0.2', '198.18.0.1', udp('198.18.0.2', '198.18.0.1', 40000, 7000, b'prio')), vlan=0xa000),
	ether(H, P, ipv6('2001:2::2', '2001:2::1', udp('2001:2::2', '2001:2::1', 40000, 7000, b'arrived'), routing_header(0), 43), v6=True)]" >/dev/null
sleep 0.3
[ "$(st xdp redirected)" -eq $((red + 2)) ] && [ "$(st apps.echo replied)" -eq $((echo_before + 2)) ] &&
	pass "a priority-tagged frame (VLAN 0) and a routing header with no segments left are served" ||
	fail "served frames" "$(rtctl stats | grep -E 'redirected|replied')"

# Martian sources: dropped before the application, no resolution asked.
res=$(st netlink resolve_requests)
mar=$(st stack martian)
echo_before=$(st apps.echo replied)
raw "[ether(H, P, ipv4(s, '198.18.0.1', udp(s, '198.18.0.1', 40000, 7000, b'martian'))) for s in
	('127.0.0.1', '198.18.0.1', '224.0.0.5', '0.0.0.0', '255.255.255.255')] +
	[ether(H, P, ipv6(s, '2001:2::1', udp(s, '2001:2::1', 40000, 7000, b'martian')), v6=True) for s in
	('::1', '2001:2::1', 'ff02::1', '::ffff:198.18.0.2')]" >/dev/null
sleep 1.2
[ "$(st stack martian)" -eq $((mar + 9)) ] && [ "$(st netlink resolve_requests)" -eq "$res" ] &&
	[ "$(st apps.echo replied)" -eq "$echo_before" ] &&
	pass "martian sources are dropped and counted, and nobody is asked to resolve them" ||
	fail "martians" "$(rtctl stats | grep -E 'martian|resolve|replied')"

# A reply held for an ARP answer that never comes is not a reply.
echo_before=$(st apps.echo replied)
exp=$(st neigh expired)
raw "[ether(H, P, ipv4('198.18.0.77', '198.18.0.1', udp('198.18.0.77', '198.18.0.1', 40000, 7000, b'nobody')))]" >/dev/null
wait_for -t 4 sh -c "[ \$(rtctl -j stats | python3 -c 'import json,sys; print(sum(q[\"expired\"] for q in json.load(sys.stdin)[\"neigh\"]))') -gt $exp ]"
[ "$(st neigh expired)" -eq $((exp + 1)) ] && [ "$(st apps.echo replied)" -eq "$echo_before" ] &&
	pass "a reply held for a next hop that never answers expires and is not counted as replied" ||
	fail "held then expired" "$(rtctl stats | grep -E 'expired|held|replied')"

# Frames a UMEM frame cannot hold go to the kernel, counted, with a warning.
ip -n "$HOST" link set rtd0 mtu 9000
ip -n "$PEER" link set rtdp0 mtu 9000
wait_for grep -q "MTU 9000, but rtd takes frames of at most 3840 bytes" "$RTD_LOG" &&
	pass "an MTU larger than a UMEM frame is warned about when it changes" ||
	fail "MTU warning" "$(cat "$RTD_LOG")"
big=$(st xdp too_big)
drop=$(rtctl -j stats | python3 -c 'import json,sys; print(sum(q["rx_dropped"] for q in json.load(sys.stdin)["xsk"]))')
in_peer python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'x' * 8000, ('198.18.0.1', 7000))"
n=$(in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -s 3000 -n 10 -T 200 -j | sed -n 's/.*"received": *\([0-9]*\).*/\1/p')
drop2=$(rtctl -j stats | python3 -c 'import json,sys; print(sum(q["rx_dropped"] for q in json.load(sys.stdin)["xsk"]))')
[ "$(st xdp too_big)" -eq $((big + 1)) ] && [ "$drop2" -eq "$drop" ] && [ "${n:-0}" -eq 10 ] &&
	pass "an 8000-byte datagram goes to the kernel, counted as too_big; 3000 bytes are still served" ||
	fail "too big" "too_big $big -> $(st xdp too_big), rx_dropped $drop -> $drop2, 3000-byte echoes $n"
rtd_stop
if rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	grep -q "MTU 9000, but rtd takes frames of at most 3840 bytes" "$RTD_LOG" &&
		pass "and at start" || fail "MTU warning at start" "$(cat "$RTD_LOG")"
fi
rtd_stop
ip -n "$HOST" link set rtd0 mtu 1500
ip -n "$PEER" link set rtdp0 mtu 1500

# --csum-verify full: complete checksums only, as on a NIC.
if rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --csum-verify full; then
	n=$(in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 5 -T 100 -j | sed -n 's/.*"received": *\([0-9]*\).*/\1/p')
	[ "${n:-0}" -eq 0 ] && [ "$(st stack bad_checksum)" -ge 5 ] &&
		pass "--csum-verify full refuses partial checksums, and counts them" ||
		fail "csum full" "$n answered; $(rtctl stats | grep checksum)"
else
	fail "rtd starts with --csum-verify full" "$(cat "$RTD_LOG")"
fi
rtd_stop
topo_down
summary
