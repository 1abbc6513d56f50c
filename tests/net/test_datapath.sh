#!/bin/sh
# The shared-IP data path, in both XDP modes: rtd answers RT ports on the
# host's own address while everything else still reaches the kernel there.
set -u
. "$(dirname "$0")/../lib.sh"

RT=7000      # claimed at start
RT2=7002     # claimed live with rtctl
KPORT=7001   # never claimed: the kernel's
HELD=7003    # held by a kernel socket before anyone claims it

echo_ok() { # peer -> host:port datagrams are answered
	in_peer "$TOOLS/udpping" $1 -d "$2" -p "$3" -n 20 -T 200 -j >"$TMP/ping.json" 2>&1 &&
		grep -q '"received": *20' "$TMP/ping.json"
}

echo_silent() {
	! in_peer "$TOOLS/udpping" -d "$1" -p "$2" -n 3 -T 100 >/dev/null 2>&1
}

kernel_bind() { # family port: 0 if a kernel UDP bind succeeds in the host
	in_host python3 -c '
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[2])))' "$1" "$2" 2>/dev/null
}

reserved() { in_host cat /proc/sys/net/ipv4/ip_local_reserved_ports; }

has_reserved() { # port is within ip_local_reserved_ports
	reserved | tr ',' '\n' | awk -F- -v p="$1" '
		{ hi = ($2 == "") ? $1 : $2; if (p + 0 >= $1 + 0 && p + 0 <= hi + 0) f = 1 }
		END { exit !f }'
}

run_mode() {
	mode=$1
	topo_up
	in_host sh -c 'echo 8080 > /proc/sys/net/ipv4/ip_local_reserved_ports'
	orig=$(reserved)

	if rtd_start --iface rtd0 --rt-ports $RT --xdp-mode "$mode" --cpu 1; then
		pass "$mode: rtd starts on a veth the kernel already uses"
	else
		fail "$mode: rtd starts" "$(cat "$RTD_LOG")"
		topo_down
		return
	fi
	[ "$(rtctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["xdp_mode"])')" = "$mode" ] &&
		pass "$mode: status reports the mode" || fail "$mode: status reports the mode" "$(rtctl status)"

	in_host "$TOOLS/udpecho" -p $KPORT &
	echo_ok "" 198.18.0.1 $RT && pass "$mode: rtd echoes IPv4 on an RT port at the shared IP" ||
		fail "$mode: rtd echoes IPv4" "$(cat "$TMP/ping.json")"
	echo_ok -6 2001:2::1 $RT && pass "$mode: rtd echoes IPv6 on an RT port at the shared IP" ||
		fail "$mode: rtd echoes IPv6" "$(cat "$TMP/ping.json")"
	[ "$(rtd_stat apps.echo replied)" -ge 40 ] && [ "$(rtd_stat xdp redirected)" -ge 40 ] &&
		pass "$mode: the replies came from rtd (xdp and app counters)" ||
		fail "$mode: counters" "$(rtctl stats)"
	# The load of a polling core: time on frames, not time spinning idle.
	b0=$(rtd_stat loop busy_us)
	k0=$(rtd_stat loop kick_us)
	sleep 1
	b1=$(rtd_stat loop busy_us)
	[ "$b0" -gt 0 ] && [ "$k0" -gt 0 ] && [ "$k0" -le "$b0" ] && [ $((b1 - b0)) -lt 100000 ] &&
		pass "$mode: the loop accounts busy time to frames (busy ${b0} us, TX ${k0} us, idle second +$((b1 - b0)) us)" ||
		fail "$mode: loop busy time" "busy $b0 -> $b1 us, kick $k0 us"

	in_peer ping -c 2 -i 0.2 -W 1 198.18.0.1 >/dev/null && in_peer ping -6 -c 2 -i 0.2 -W 1 2001:2::1 >/dev/null &&
		pass "$mode: ping v4/v6 reaches the kernel on the same IP" || fail "$mode: ping" ""
	mac=$(in_host cat /sys/class/net/rtd0/address)
	in_peer ip neigh show 198.18.0.1 | grep -q "lladdr $mac" &&
		pass "$mode: ARP resolves the shared IP to the shared MAC" || fail "$mode: ARP" "$(in_peer ip neigh)"
	in_host sh -c 'nc -l 198.18.0.1 8080 > "$1"' sh "$TMP/tcp.out" &
	wait_for in_host sh -c 'ss -ltn | grep -q :8080'
	echo "tcp-through-kernel" | in_peer nc -q 1 -w 2 198.18.0.1 8080
	wait_for grep -q tcp-through-kernel "$TMP/tcp.out" &&
		pass "$mode: TCP reaches the kernel on the same IP" || fail "$mode: TCP" ""
	echo_ok "" 198.18.0.1 $KPORT && pass "$mode: an unclaimed UDP port reaches the kernel" ||
		fail "$mode: unclaimed UDP port" "$(cat "$TMP/ping.json")"

	! kernel_bind 4 $RT && ! kernel_bind 6 $RT && pass "$mode: kernel binds of an RT port are refused" ||
		fail "$mode: kernel bind refused" ""
	kernel_bind 4 $RT2 && pass "$mode: kernel binds of other ports work" || fail "$mode: kernel bind of $RT2" ""
	has_reserved $RT && has_reserved 8080 &&
		pass "$mode: RT ports are reserved against ephemeral use, existing reservations kept" ||
		fail "$mode: reserved ports" "$(reserved)"

	echo_silent 198.18.0.1 $RT2 || fail "$mode: $RT2 silent before claim" ""
	rtctl port add $RT2 && echo_ok "" 198.18.0.1 $RT2 &&
		pass "$mode: rtctl port add steers a new port live" || fail "$mode: port add" "$(rtctl port)"
	rtctl port del $RT2 && echo_silent 198.18.0.1 $RT2 && kernel_bind 4 $RT2 &&
		pass "$mode: rtctl port del hands the port back to the kernel" || fail "$mode: port del" "$(rtctl port)"

	in_host "$TOOLS/udpecho" -p $HELD &
	wait_for in_host sh -c "ss -lun | grep -q :$HELD"
	msg=$(rtctl port add $HELD 2>&1)
	rc=$?
	[ $rc -ne 0 ] && echo "$msg" | grep -q "port $HELD" && echo "$msg" | grep -q udpecho &&
		pass "$mode: claiming a port a kernel socket holds fails naming port and process" ||
		fail "$mode: held port" "rc=$rc: $msg"
	rtctl -j port | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if j["ports"]=="'$RT'" else 1)' &&
		pass "$mode: a refused claim changes nothing" || fail "$mode: refused claim" "$(rtctl port)"

	# Fail open: after SIGKILL nothing of rtd may stand in the kernel's way.
	kill -9 "$RTD_PID"
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
	in_host "$TOOLS/udpecho" -p $RT &
	wait_for in_host sh -c "ss -lun | grep -q :$RT" &&
		echo_ok "" 198.18.0.1 $RT && pass "$mode: after kill -9 the claimed port reaches the kernel" ||
		fail "$mode: fail open (udp)" "$(cat "$TMP/ping.json")"
	in_peer ping -c 2 -i 0.2 -W 1 198.18.0.1 >/dev/null && pass "$mode: after kill -9 ping still works" ||
		fail "$mode: fail open (ping)" ""
	in_host pkill -f "udpecho -p $RT"
	sleep 0.2

	if rtd_start --iface rtd0 --rt-ports $RT --xdp-mode "$mode" --cpu 1; then
		grep -q "restored ip_local_reserved_ports" "$RTD_LOG" && echo_ok "" 198.18.0.1 $RT &&
			pass "$mode: a new rtd starts cleanly over the leftovers" ||
			fail "$mode: restart over leftovers" "$(cat "$RTD_LOG")"
	else
		fail "$mode: restart after kill -9" "$(cat "$RTD_LOG")"
	fi
	rtd_stop
	[ "$(reserved)" = "$orig" ] && kernel_bind 4 $RT &&
		pass "$mode: after rtd stops, reserved ports and binds are as before" ||
		fail "$mode: restored after stop" "$(reserved) vs $orig"
	in_host ip link show rtd0 | grep -q xdp && fail "$mode: XDP detached on stop" "$(in_host ip link show rtd0)" ||
		pass "$mode: XDP program detached on stop"
	topo_down
}

for m in skb native; do
	run_mode $m
done
summary
