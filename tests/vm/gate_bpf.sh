#!/bin/sh
# The per-frame gate, rtd's BPF qdisc, on a kernel that has BPF qdiscs
# (tests/net/test_gate_bpf.sh runs this here or in a VM): one RT frame
# closes the kernel's egress for the hold time, the qdisc reopens by
# itself, held packets are delayed and never dropped, the schedule and the
# RT reservation hold, and a killed rtd leaves a gate that opens by itself.
# Runs under busybox as well: no python, no ss.
set -u
. "$(dirname "$0")/../lib.sh"

qdisc() { in_host tc qdisc show dev rtd0 | head -n 1; }
# sched KEY: a value from rtctl -j sched
sched() { rtctl -j sched | tr ',{}' '\n\n\n' | sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p"; }
# From ping's summary: packets received, and the slowest and fastest round
# trip in whole ms.
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"; }
rtt_max() { sed -n 's|.*= [0-9.]*/[0-9.]*/\([0-9]*\)[0-9.]*/.*|\1|p' "$1"; }
rtt_min() { sed -n 's|.*= \([0-9]*\)[0-9.]*/[0-9.]*/.*|\1|p' "$1"; }
# send BYTES: that many random bytes host -> peer over kernel TCP (busybox
# nc); fails unless they arrive whole.  The receiver's stdin stays open:
# busybox's nc quits at its end.
send() {
	head -c "$1" /dev/urandom >"$TMP/blob"
	rm -f "$TMP/got"
	in_peer sh -c 'sleep 30 | nc -l -p 9000 > "$1"' sh "$TMP/got" 2>/dev/null &
	wait_for in_peer sh -c 'netstat -ltn | grep -q :9000'
	in_host sh -c 'nc 198.18.0.2 9000 < "$1"' sh "$TMP/blob"
	wait_for -t 20 cmp -s "$TMP/blob" "$TMP/got"
}
# rate BYTES: kernel TCP host -> peer (iperf3); prints the receiver's Mbit/s
rate() {
	in_host iperf3 -c 198.18.0.2 -n "$1" -f m >"$TMP/iperf" 2>&1 &&
		awk '/receiver$/ { print $7 }' "$TMP/iperf"
}

topo_up
bg_peer iperf3 -s -B 198.18.0.2 >/dev/null 2>&1
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --xdp-mode skb --gate reactive \
	--gate-hold-us 400000 --gate-qdisc bpf; then
	fail "rtd starts with the BPF gate" "$(cat "$RTD_LOG")"
	summary
	exit
fi
qdisc | grep -q "rtd_gate 7274: root" && [ "$(sched qdisc)" = bpf ] &&
	grep -q "BPF qdisc, closed per RT frame" "$RTD_LOG" &&
	pass "the gate is rtd's BPF qdisc at the NIC's root" ||
	fail "BPF gate installed" "$(qdisc; rtctl sched; cat "$RTD_LOG")"

# Under emulation an open path's ping takes up to tens of ms; a closed gate
# holds it for the 400 ms hold or longer.
in_host ping -c 5 -i 0.05 -W 2 198.18.0.2 >"$TMP/idle"
[ "$(received "$TMP/idle")" = 5 ] && [ "$(rtt_max "$TMP/idle")" -lt 200 ] &&
	[ "$(sched closed)" = 0 ] &&
	pass "without RT traffic the gate is open ($(rtt_max "$TMP/idle") ms at most)" ||
	fail "idle gate" "$(cat "$TMP/idle"; rtctl sched)"

# One RT round trip amid kernel pings: its echo closes the gate for the
# 400 ms hold, and the pings sent meanwhile wait for the qdisc to reopen by
# itself.  The pings run before and after, as starting a process under
# emulation can take as long as the hold.
c0=$(sched closes)
in_host ping -c 40 -i 0.05 -W 3 198.18.0.2 >"$TMP/one" &
ping_pid=$!
sleep 0.5
in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 1 -T 1000 >/dev/null
wait "$ping_pid"
[ "$(received "$TMP/one")" = 40 ] && [ "$(rtt_max "$TMP/one")" -ge 150 ] &&
	[ "$(rtt_max "$TMP/one")" -lt 1000 ] && [ "$(sched closes)" -eq $((c0 + 1)) ] &&
	pass "one RT frame closes the gate; the kernel's ping waits $(rtt_max "$TMP/one") ms, then goes" ||
	fail "one frame closes" "$(cat "$TMP/one"; rtctl sched)"

# RT every 50 ms for 2 s keeps it closed: the kernel's pings wait (ping
# keeps at most a few in flight), and none is lost.
p0=$(sched held_packets)
in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -t 2 -r 20 -T 1000 >/dev/null &
rt_pid=$!
sleep 0.3
in_host ping -c 100 -i 0.01 -W 5 198.18.0.2 >"$TMP/held"
wait "$rt_pid"
held=$(($(sched held_packets) - p0))
[ "$(received "$TMP/held")" = 100 ] && [ "$held" -ge 5 ] && [ "$(sched drops)" = 0 ] &&
	[ "$(rtt_max "$TMP/held")" -ge 1000 ] &&
	pass "while RT runs the kernel's packets wait, none dropped ($held held)" ||
	fail "held not dropped" "held $held $(cat "$TMP/held"; rtctl sched)"

# Scheduled, closed 150 ms of every 200 ms: pings are delayed in the bands
# only, and kernel TCP arrives whole.
rtctl sched set mode scheduled period 200000 guard 100000 window 50000 >/dev/null
in_host ping -c 40 -i 0.02 -W 2 198.18.0.2 >"$TMP/sched"
[ "$(received "$TMP/sched")" = 40 ] && [ "$(rtt_max "$TMP/sched")" -ge 60 ] &&
	[ "$(rtt_min "$TMP/sched")" -lt 30 ] &&
	pass "scheduled: the kernel waits for the band's end only ($(rtt_min "$TMP/sched")-$(rtt_max "$TMP/sched") ms)" ||
	fail "scheduled bands" "$(cat "$TMP/sched"; rtctl sched)"
# Counted in packets as queued: GSO sends 1 MB in a few dozen.  A fast
# transfer can fit in one open band, so a paced one (20 Mbit/s for a
# second, five periods) shows the holding, and a whole one the integrity.
h0=$(sched held_bytes)
in_host iperf3 -c 198.18.0.2 -b 20M -t 1 -f m >"$TMP/iperf" 2>&1
send 1000000 && [ "$(sched drops)" = 0 ] && [ "$(sched held_bytes)" -ge "$((h0 + 50000))" ] &&
	pass "scheduled: kernel TCP is held back, never dropped, and arrives whole" ||
	fail "TCP through the schedule" "$(ls -l "$TMP/blob" "$TMP/got"; cat "$TMP/iperf"; rtctl sched)"

# 100 Mbit/s link, 92 reserved for RT: the kernel is paced at 8 Mbit/s.
rtctl sched set mode reactive link 100 reserve 92 >/dev/null
wait_for in_peer sh -c 'netstat -ltn | grep -q :5201'
mbit=$(rate 3000000)
[ -n "$mbit" ] && [ "${mbit%.*}" -ge 5 ] && [ "${mbit%.*}" -lt 9 ] && [ "$(sched drops)" = 0 ] &&
	pass "a reservation for RT paces the kernel ($mbit Mbit/s of 100 - 92)" ||
	fail "reservation" "$(cat "$TMP/iperf"; rtctl sched)"

rtctl sched set mode off >/dev/null
qdisc | grep -q noqueue && pass "mode off gives the NIC its own qdisc back" || fail "mode off" "$(qdisc)"
rtctl sched set mode reactive hold 400000 >/dev/null
qdisc | grep -q "rtd_gate 7274" && pass "the BPF gate can be put back live" || fail "gate back" "$(qdisc)"
rtctl sched | grep -q "bpf root qdisc, closed per frame" && [ "$(sched errors)" = 0 ] &&
	rtctl stats | grep -Eq "^gate: closes [1-9][0-9]* .* held_packets [1-9][0-9]* drops 0 " &&
	pass "rtctl sched and stats show the BPF gate and its counters" ||
	fail "sched show" "$(rtctl sched; rtctl stats | grep gate)"

rtd_stop
qdisc | grep -q noqueue && pass "SIGTERM restores the NIC's qdisc" || fail "restore on stop" "$(qdisc)"

# Killed while closed 90% of each second: once its lease runs out (1 s) the
# orphaned qdisc is a plain FIFO.
rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --xdp-mode skb --gate scheduled \
	--gate-period-us 1000000 --gate-guard-us 900000 --gate-window-us 50000 --gate-qdisc bpf >/dev/null
sleep 0.3
kill -9 "$RTD_PID"
wait "$RTD_PID" 2>/dev/null
RTD_PID=
sleep 1.2
in_host ping -c 10 -i 0.1 -W 2 198.18.0.2 >"$TMP/dead"
qdisc | grep -q rtd_gate && [ "$(received "$TMP/dead")" = 10 ] && [ "$(rtt_max "$TMP/dead")" -lt 200 ] &&
	pass "killed with the gate closed, the kernel's traffic flows again within the lease" ||
	fail "fail open" "$(qdisc; cat "$TMP/dead")"
rtd_start --iface rtd0 --rt-ports 7000 --cpu 1 --xdp-mode skb --gate reactive --gate-qdisc bpf &&
	grep -q "removed the gate qdisc" "$RTD_LOG" && grep -q "took over the BPF qdisc" "$RTD_LOG" &&
	qdisc | grep -q "rtd_gate 7274" &&
	pass "the next start clears what a killed rtd left and gates again" ||
	fail "crash leftovers" "$(cat "$RTD_LOG"; qdisc)"
rtd_stop
qdisc | grep -q noqueue || fail "restore after restart" "$(qdisc)"

summary
