#!/bin/sh
# RX isolation: RT and kernel frames on different RX queues, one AF_XDP
# socket per queue.  veth has no ntuple filters, so the peer's XPS puts its
# RT sender (CPU 1) on TX queue 1 and the rest (CPU 0) on queue 0; native
# veth XDP keeps that queue on the receiving side.
set -u
. "$(dirname "$0")/../lib.sh"

qstat() { # queue field: from rtctl -j stats xdp
	rtctl -j stats | python3 -c '
import json, sys
for q in json.load(sys.stdin)["xdp"]:
    if q["queue"] == int(sys.argv[1]):
        print(q[sys.argv[2]])' "$1" "$2"
}

topo_up 2
in_peer sh -c 'echo 1 > /sys/class/net/rtdp0/queues/tx-0/xps_cpus && echo 2 > /sys/class/net/rtdp0/queues/tx-1/xps_cpus'
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --xdp-mode native --rt-queue 1; then
	fail "rtd starts on a two-queue veth" "$(cat "$RTD_LOG")"
	summary
	exit
fi
[ "$(rtctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["queues"])')" = 2 ] &&
	pass "one AF_XDP socket per RX queue" || fail "queues" "$(rtctl status)"
grep -q "cannot steer by UDP port" "$RTD_LOG" &&
	pass "--rt-queue on a NIC without ntuple filters says so and carries on" ||
	fail "ntuple refusal" "$(cat "$RTD_LOG")"

in_peer taskset -c 1 "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 100 -r 500 -T 500 >/dev/null
in_peer taskset -c 0 ping -c 20 -i 0.01 -W 1 198.18.0.1 >/dev/null
in_peer taskset -c 0 sh -c 'head -c 200000 /dev/zero | nc -q 1 -w 3 198.18.0.1 9 2>/dev/null' || true
rt1=$(qstat 1 redirected)
k1=$(qstat 1 passed)
rt0=$(qstat 0 redirected)
k0=$(qstat 0 passed)
[ "$rt1" -ge 100 ] && [ "$rt0" -eq 0 ] && [ "$k0" -ge 20 ] && [ "$k1" -le 2 ] &&
	pass "RT frames arrive and are served on queue 1, kernel frames on queue 0" ||
	fail "queue split" "q0 redirected $rt0 passed $k0; q1 redirected $rt1 passed $k1"
rtd_stop
topo_down
summary
