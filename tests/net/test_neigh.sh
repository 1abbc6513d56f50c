#!/bin/sh
# The kernel is the source of truth: rtd mirrors its addresses, routes and
# neighbours over rtnetlink, live, and has the kernel resolve (ARP, ND) a
# next hop it does not know, holding the frame meanwhile.
set -u
. "$(dirname "$0")/../lib.sh"

# echo_n [-6] DST: how many of 20 RT round trips from the peer came back
echo_n() {
	v6=
	[ "$1" = -6 ] && v6=-6 && shift
	in_peer "$TOOLS/udpping" $v6 -d "$1" -p 7000 -n 20 -T 200 -j 2>/dev/null |
		sed -n 's/.*"received": *\([0-9]*\).*/\1/p'
}
mirrored() { rtctl neigh | grep -qx "$1"; }    # rtctl neigh shows this line
unmirrored() { ! rtctl neigh | grep -q "$1"; } # and no line matching this

topo_up
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --xdp-mode skb; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	summary
	exit
fi
pmac=$(in_peer cat /sys/class/net/rtdp0/address)
# Pinned on the peer: its own ARP or ND for the host, whenever its entry
# went stale, would teach the host's kernel the peer's address too, and a
# reply would then find the next hop known (seen once in a full run).
hmac=$(in_host cat /sys/class/net/rtd0/address)
ip -n "$PEER" neigh replace 198.18.0.1 lladdr "$hmac" dev rtdp0 nud permanent
ip -n "$PEER" neigh replace 2001:2::1 lladdr "$hmac" dev rtdp0 nud permanent

mirrored "address 198.18.0.1/24" && mirrored "address 2001:2::1/64" &&
	mirrored "route 198.18.0.0/24 metric 0" && mirrored "route 2001:2::/64 metric 256" &&
	pass "rtctl neigh shows the kernel's addresses and routes" || fail "mirror at start" "$(rtctl neigh)"

# The peer knows the host's MAC (pinned above), so the host's kernel sees
# nothing of the RT traffic: with its neighbour entries flushed, rtd must
# ask for them.
for fam in 4 6; do
	if [ $fam = 4 ]; then me=198.18.0.1 peer=198.18.0.2 opt= proto=ARP; else
		me=2001:2::1 peer=2001:2::2 opt=-6 proto=ND; fi
	ip -n "$HOST" neigh flush dev rtd0
	h0=$(rtd_stat neigh held) r0=$(rtd_stat neigh released) q0=$(rtd_stat netlink resolve_requests)
	if wait_for unmirrored "^neigh $peer " && [ "$(echo_n $opt $me)" = 20 ] &&
		[ "$(rtd_stat neigh held)" -gt "$h0" ] && [ "$(rtd_stat neigh released)" -gt "$r0" ] &&
		[ "$(rtd_stat netlink resolve_requests)" -gt "$q0" ] &&
		rtctl neigh | grep -q "^neigh $peer lladdr $pmac "; then
		pass "IPv$fam: a reply to an unknown next hop waits for the kernel's $proto, then goes"
	else
		fail "IPv$fam: resolve through the kernel" "$(rtctl neigh; rtctl stats | grep -E '^(neigh|netlink)')"
	fi
done

# A sender beyond a gateway: the peer sends from 198.19.0.2, an address of
# its own in another subnet, which the host reaches only through a route.
ip -n "$PEER" addr add 198.19.0.2/32 dev lo
ip -n "$PEER" route replace 198.18.0.1/32 dev rtdp0 src 198.19.0.2
n0=$(rtd_stat stack no_route)
[ "$(echo_n 198.18.0.1)" = 0 ] && [ "$(rtd_stat stack no_route)" -ge $((n0 + 20)) ] &&
	pass "without a route to the sender the reply is dropped and counted (no_route)" ||
	fail "no route" "$(rtctl stats | grep stack)"
ip -n "$HOST" route add 198.19.0.0/24 via 198.18.0.2
wait_for mirrored "route 198.19.0.0/24 via 198.18.0.2 metric 0" && [ "$(echo_n 198.18.0.1)" = 20 ] &&
	pass "a route added with ip is mirrored at once: replies go through its gateway" ||
	fail "route added" "$(rtctl neigh)"
ip -n "$HOST" route del 198.19.0.0/24 via 198.18.0.2
n0=$(rtd_stat stack no_route)
wait_for unmirrored "^route 198.19.0.0/24"
[ "$(echo_n 198.18.0.1)" = 0 ] && [ "$(rtd_stat stack no_route)" -ge $((n0 + 20)) ] &&
	pass "a route deleted with ip is gone from rtd too" || fail "route deleted" "$(rtctl neigh)"
ip -n "$PEER" route del 198.18.0.1/32

# A second address on the shared NIC is served as soon as the kernel has
# it, and handed back to the kernel when it goes.
ip -n "$HOST" addr add 198.18.0.10/24 dev rtd0
wait_for mirrored "address 198.18.0.10/24" && [ "$(echo_n 198.18.0.10)" = 20 ] &&
	pass "an address added with ip is served by rtd at once" || fail "address added" "$(rtctl neigh)"
ip -n "$HOST" addr del 198.18.0.10/24 dev rtd0
x0=$(rtd_stat xdp redirected)
wait_for unmirrored "^address 198.18.0.10/"
[ "$(echo_n 198.18.0.10)" = 0 ] && [ "$(rtd_stat xdp redirected)" = "$x0" ] &&
	pass "an address deleted with ip is no longer taken from the kernel" ||
	fail "address deleted" "$(rtctl neigh; rtctl stats | grep xdp)"

rtd_stop
summary
