#!/bin/sh
# The egress gate: a TBF root that holds the kernel's traffic back (queued,
# never dropped) while RT frames are pending, changed live with rtctl, and
# gone without a trace when rtd stops or after a crash.  The TBF is asked
# for by name: where the kernel has BPF qdiscs rtd would pick its own
# (test_gate_bpf.sh).
set -u
. "$(dirname "$0")/../lib.sh"

qdisc() { in_host tc qdisc show dev rtd0 | head -n 1; }
sched() { rtctl -j sched | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

topo_up
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --gate-qdisc tbf --gate reactive; then
	fail "rtd starts with the gate" "$(cat "$RTD_LOG")"
	summary
	exit
fi
qdisc | grep -q "tbf 7274: root" && pass "the gate is a TBF root qdisc on the shared NIC" ||
	fail "gate qdisc" "$(qdisc)"

in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 200 -r 1000 -T 200 >/dev/null &&
	[ "$(sched closes)" -gt 0 ] && [ "$(sched toggle_avg_ns)" -gt 0 ] &&
	pass "reactive: RT traffic closes the gate and each toggle is timed" ||
	fail "reactive closes" "$(rtctl sched)"

# Between RT bursts the reactive gate is open and its thread asleep.  Polling
# for RT frames every 20 us took about half of a kernel core here.  /proc
# counts CPU time in ticks of 1/CLK_TCK s: allow 2% of the 2 s.
gate_ticks() { awk '$2 == "(rtd-gate)" { print $14 + $15 }' /proc/"$RTD_PID"/task/*/stat; }
sleep 0.1
g0=$(gate_ticks)
u0=$(sched closed_us)
sleep 2
g1=$(gate_ticks)
u1=$(sched closed_us)
[ "$(sched closed)" -eq 0 ] && [ "$u1" -eq "$u0" ] && [ $((g1 - g0)) -le $(($(getconf CLK_TCK) / 25)) ] &&
	pass "idle, the reactive gate is open and its thread sleeps ($((g1 - g0)) ticks in 2 s)" ||
	fail "idle reactive gate" "ticks $g0 -> $g1, closed_us $u0 -> $u1, $(rtctl sched)"

# Closed 90% of the time: kernel TCP must still deliver every byte.
rtctl sched set mode scheduled period 10000 guard 5000 window 4000 >/dev/null
head -c 3000000 /dev/urandom >"$TMP/blob"
in_peer sh -c 'nc -l 198.18.0.2 9000 > "$1"' sh "$TMP/got" &
wait_for in_peer sh -c 'ss -ltn | grep -q :9000'
in_host sh -c 'nc -q 1 -w 10 198.18.0.2 9000 < "$1"' sh "$TMP/blob"
wait_for cmp -s "$TMP/blob" "$TMP/got"
drops=$(in_host tc -s qdisc show dev rtd0 | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -n 1)
cmp -s "$TMP/blob" "$TMP/got" && [ "${drops:-1}" -eq 0 ] && [ "$(sched held_bytes)" -gt 0 ] &&
	pass "scheduled: kernel TCP is held back, never dropped, and arrives whole" ||
	fail "held not dropped" "drops=$drops $(rtctl sched)"
in_peer ping -c 3 -i 0.2 -W 1 198.18.0.1 >/dev/null && pass "ping crosses a mostly closed gate" ||
	fail "ping through the gate" ""

out=$(rtctl sched set mode scheduled period 100 guard 90 window 20 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "shorter than the period" &&
	pass "an impossible schedule is refused with a reason" || fail "bad schedule" "$out"
out=$(rtctl sched set mode sometimes 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "'sometimes'" && pass "an unknown mode is refused naming it" ||
	fail "bad mode" "$out"

rtctl sched set mode reactive link 1000 reserve 100 >/dev/null
sleep 0.1
qdisc | grep -q "rate 900Mbit" && pass "a reservation for RT lowers the kernel's open rate (1000 - 100 Mbit/s)" ||
	fail "reservation" "$(qdisc)"
rtctl sched set mode off >/dev/null
qdisc | grep -q noqueue && pass "mode off gives the NIC its own qdisc back" || fail "mode off" "$(qdisc)"
rtctl sched set mode reactive >/dev/null
qdisc | grep -q "tbf 7274" && pass "the gate can be put back live" || fail "gate back" "$(qdisc)"

rtd_stop
qdisc | grep -q noqueue && pass "SIGTERM restores the NIC's qdisc" || fail "restore on stop" "$(qdisc)"

# Killed while closed (closed 99% of each second): the kernel keeps a trickle.
rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --gate-qdisc tbf --gate scheduled --gate-period-us 1000000 \
	--gate-guard-us 900000 --gate-window-us 90000 >/dev/null
sleep 0.3
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
in_host tc qdisc show dev rtd0 | grep -q "rate 1Mbit" && in_peer ping -c 3 -i 0.2 -W 1 198.18.0.1 >/dev/null &&
	pass "killed with the gate closed, the kernel still gets through (1 Mbit/s trickle)" ||
	fail "fail open with a closed gate" "$(qdisc)"
rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 &&
	grep -q "removed the gate qdisc" "$RTD_LOG" && qdisc | grep -q noqueue &&
	pass "the next start removes the gate a crashed rtd left" || fail "crash leftovers" "$(cat "$RTD_LOG"; qdisc)"
rtd_stop

# Asked for the BPF qdisc on a kernel without BPF qdiscs: no start, and why.
if ! grep -qE ' (bpf_qdisc_init_prologue|bpf_qdisc_ops)$' /proc/kallsyms; then
	rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --gate reactive --gate-qdisc bpf 2>/dev/null
	[ -z "$RTD_PID" ] && grep -q "gate-qdisc bpf: this kernel has no BPF qdiscs" "$RTD_LOG" &&
		qdisc | grep -q noqueue &&
		pass "--gate-qdisc bpf on a kernel without BPF qdiscs refuses to start, saying why" ||
		fail "bpf qdisc required" "$(cat "$RTD_LOG"; qdisc)"
fi

# BQL: veth has none, so the cap is checked on an ifb device, which has BQL's
# limits (two TX queues): applied to each queue, changed live, given back on
# exit and, after a crash, at the next start.
bql() { in_host cat /sys/class/net/rtdb0/queues/tx-0/byte_queue_limits/limit_max \
	/sys/class/net/rtdb0/queues/tx-1/byte_queue_limits/limit_max | tr '\n' ' '; }
ip -n "$HOST" link add rtdb0 numtxqueues 2 numrxqueues 1 type ifb &&
	ip -n "$HOST" addr add 198.18.9.1/24 dev rtdb0 && ip -n "$HOST" link set rtdb0 up
orig=$(bql)
if rtd_start --iface rtdb0 --rt-ports 7000 --cpu 1 --gate-qdisc tbf --gate reactive --bql-bytes 3000; then
	[ "$(bql)" = "3000 3000 " ] && pass "BQL caps every TX queue while gated" ||
		fail "BQL cap" "$(bql) (was $orig)"
	rtctl sched set bql 6000 >/dev/null && a=$(bql) && rtctl sched set bql 0 >/dev/null && b=$(bql)
	[ "$a" = "6000 6000 " ] && [ "$b" = "$orig" ] &&
		pass "the BQL cap changes live, and bql 0 gives the queues their own limits" ||
		fail "live BQL" "6000: $a, 0: $b (was $orig)"
	rtctl sched set bql 3000 >/dev/null
	rtd_stop
	[ "$(bql)" = "$orig" ] && pass "SIGTERM gives BQL its limits back" || fail "BQL on stop" "$(bql) (was $orig)"
else
	fail "rtd on an ifb device" "$(cat "$RTD_LOG")"
fi
rtd_start --iface rtdb0 --rt-ports 7000 --cpu 1 --gate-qdisc tbf --gate reactive --bql-bytes 3000 >/dev/null
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
capped=$(bql)
rtd_start --iface rtdb0 --rt-ports 7000 --cpu 1 && [ "$capped" = "3000 3000 " ] && [ "$(bql)" = "$orig" ] &&
	grep -q "restored BQL limit_max" "$RTD_LOG" &&
	pass "the next start gives back the BQL limits a crashed rtd left" ||
	fail "BQL after a crash" "after kill: $capped, now: $(bql) (was $orig); $(cat "$RTD_LOG")"
rtd_stop
topo_down
summary
