#!/bin/sh
# make bench: one run, RT and kernel paths side by side.  Prints a table and
# writes bench/results/latest.json and a latency CDF (bench/results/cdf.svg).
# Ratios matter, not absolute figures: these machines are noisy.
#
#   BENCH_PINGS   round trips per latency figure (default 10000: p99.9 from
#                 the 10 slowest, not 4)
#   BENCH_RATE    their rate, per second (default 2000)
#   BENCH_SECS    seconds per throughput and flood figure (default 4)
set -u
. "$(dirname "$0")/lib.sh"

RT_CPU=1
PEER_CPU=0
N=${BENCH_PINGS:-10000}
RATE=${BENCH_RATE:-2000}
SECS=${BENCH_SECS:-4}
OUT=$ROOT/bench/results
R=$TMP/r
mkdir -p "$OUT" "$R"

peer() { in_peer taskset -c $PEER_CPU "$@"; }

tcp_gbps() { # file: kernel TCP peer -> host for SECS
	peer iperf3 -c 198.18.0.1 -t "$SECS" -J >"$R/$1.iperf" 2>/dev/null
	python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' \
		"$R/$1.iperf" 2>/dev/null || echo 0
}

ping_to() { # port name
	peer "$TOOLS/udpping" -k -d 198.18.0.1 -p "$1" -n "$N" -r "$RATE" -w 100 -T 200 -j -o "$R/$2.samples" \
		>"$R/$2.rtt" 2>/dev/null || echo '{"received": 0}' >"$R/$2.rtt"
}

# load: none, saturating (two TCP streams) or limited (1 Gbit/s).
with_load() { # load port name
	if [ "$1" = none ]; then
		ping_to "$2" "$3"
		return
	fi
	bw=""
	[ "$1" = limited ] && bw="-b 1G"
	# shellcheck disable=SC2086
	peer iperf3 -c 198.18.0.1 -t $((N / RATE + 3)) -P 2 $bw >/dev/null 2>&1 &
	lp=$!
	sleep 1
	ping_to "$2" "$3"
	wait $lp 2>/dev/null
}

kernel_echo() { # load name: the kernel path, with its own in-host time
	in_host "$TOOLS/udpecho" -p 7001 -c $RT_CPU -f 50 -o "$R/$2.inhost" &
	wait_for in_host sh -c 'ss -lun | grep -q :7001'
	with_load "$1" 7001 "$2"
	in_host pkill -f "udpecho -p 7001"
	wait_for test -s "$R/$2.inhost"
}

rt_echo() { # load name
	rtctl stats reset-latency
	with_load "$1" 7000 "$2"
	rtctl -j stats | python3 -c '
import json, sys
q = json.load(sys.stdin)["inhost"][0]
print(json.dumps({"count": q["count"], "p50_us": q["p50_us"], "p99_us": q["p99_us"],
                  "p999_us": q["p999_us"], "max_us": q["max_us"]}))' >"$R/$2.inhost"
}

# The echoes end in an XDP drop on the peer's veth: up the peer's UDP stack,
# which on veth runs inside rtd's transmit, they halved the rate measured.
# Three floods: the median is the figure; each one's offered and echoed rate
# goes to the JSON, so that a generator that fell short shows.
flood_mpps() { # name: rtd's own echo rate under a raw flood, from its counters
	ip -n "$PEER" link set dev rtdp0 xdpdrv obj "$TOOLS/sink.bpf.o" sec xdp ||
		echo "bench: no XDP sink on the peer: the echo rate includes its UDP stack" >&2
	mac=$(in_host cat /sys/class/net/rtd0/address)
	: >"$R/$1.floods"
	for i in 1 2 3; do
		rtctl -j stats >"$R/$1.before"
		peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -F "$SECS" -L rtdp0 -M "$mac" -j >"$R/$1.flood" 2>/dev/null
		rtctl -j stats >"$R/$1.after"
		python3 - "$R/$1" >>"$R/$1.floods" 2>/dev/null <<'PY'
import json, sys
f, a, b = (json.load(open(sys.argv[1] + ext)) for ext in (".flood", ".before", ".after"))
tx = lambda s: sum(q["tx_packets"] for q in s["stack"])
full = lambda s: sum(q["rx_ring_full"] for q in s["xsk"])
secs = f["seconds"]
# rtd's core spins and takes what comes in whatever batches it comes, so
# its busy share says little; frames it could not take pile up in its
# RX ring and are dropped there: none, and the generator set the rate.
print(json.dumps({"sent_mpps": round(f["sent"] / secs / 1e6, 4),
                  "echoed_mpps": round((tx(b) - tx(a)) / secs / 1e6, 4),
                  "rx_ring_full": full(b) - full(a)}))
PY
	done
	# shellcheck disable=SC2046
	median $(python3 -c 'import json,sys; print(*(json.loads(l)["echoed_mpps"] for l in open(sys.argv[1])))' \
		"$R/$1.floods") 2>/dev/null || echo 0
	ip -n "$PEER" link set dev rtdp0 xdpdrv off
}

median() { # numbers
	python3 -c 'import sys; v=sorted(map(float, sys.argv[1:])); print(v[len(v) // 2])' "$@"
}

echo "rtd bench: $N round trips at $RATE/s per figure, ${SECS}s per throughput figure"
# What the platform takes from the RT core when nothing else runs there:
# the floor under every RT figure below.
"$TOOLS/stalls" -c $RT_CPU -t 2 >"$R/stalls.json" 2>/dev/null
topo_up || exit 1
in_host taskset -c $PEER_CPU iperf3 -s >/dev/null 2>&1 &
wait_for in_host sh -c 'ss -ltn | grep -q :5201'

echo "kernel path..."
tcp_none=$(tcp_gbps tcp_none)
for l in none saturating limited; do kernel_echo $l kernel_$l; done

echo "rtd, gate off..."
rtd_start --iface rtd0 --rt-ports 7000 --cpu $RT_CPU --xdp-mode skb || exit 1
for l in none saturating limited; do rt_echo $l rt_off_$l; done

echo "rtd, gate on (reactive)..."
# A few seconds of TCP swing by 10-20% from one run to the next here: gate
# off and gate on (with a 50 packets/s RT stream) alternate, three of each,
# and their medians compare.
offs="" ons=""
for i in 1 2 3; do
	rtctl sched set mode off >/dev/null
	offs="$offs $(tcp_gbps tcp_off_$i)"
	rtctl sched set mode reactive >/dev/null
	peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n $((SECS * 50 + 100)) -r 50 -T 200 >/dev/null 2>&1 &
	stream=$!
	ons="$ons $(tcp_gbps tcp_on_$i)"
	wait $stream 2>/dev/null
done
# shellcheck disable=SC2086
tcp_off=$(median $offs)
# shellcheck disable=SC2086
tcp_on=$(median $ons)
for l in none saturating limited; do rt_echo $l rt_on_$l; done
rtctl -j sched >"$R/sched.json"

echo "RT echo rate under a raw flood..."
rtctl sched set mode off >/dev/null
mpps_skb=$(flood_mpps flood_skb)
rtd_stop
rtd_start --iface rtd0 --rt-ports 7000 --cpu $RT_CPU --xdp-mode native || exit 1
mpps_native=$(flood_mpps flood_native)
tcp_native=$(tcp_gbps tcp_native)
rtd_stop

# The media relay: rtd against Debian's rtpengine (user space, no kernel
# module), one core each (CPU 1).  Latency and jitter: CALLS calls, RTP both
# ways, idle and under TCP load, the generator SCHED_FIFO so that it sends on
# time.  Capacity: more and more calls, idle, and the relay's CPU per packet.
echo "media relay: rtd vs rtpengine..."
CALLS=${BENCH_CALLS:-20}
CAP=${BENCH_CAP_CALLS:-250 500 1000 1500}
SRTP_CAP=${BENCH_SRTP_CAP_CALLS:-500 1000}
ip -n $PEER addr add 198.18.0.3/24 dev rtdp0
ip -n $PEER addr add 2001:2::3/64 dev rtdp0 nodad
relay_run() { # port name calls load [rtpload options]
	port=$1 name=$2 calls=$3 l=$4
	shift 4
	if [ "$l" = load ]; then
		bg_peer taskset -c $PEER_CPU iperf3 -c 198.18.0.1 -t $((SECS + 4)) -P 2 >/dev/null 2>&1
		lp=$BG
		sleep 1
	fi
	peer python3 "$ROOT/tests/relaybench.py" 198.18.0.1 "$port" "$calls" "$SECS" -2 "$@" \
		>"$R/$name.relay" 2>&1
	[ "$l" = load ] && wait "$lp" 2>/dev/null
	return 0
}
relay_all() { # port who
	for l in idle load; do
		relay_run "$1" "$2_$l" "$CALLS" $l -P 50
	done
	# The same calls bridged: A on IPv4, B on IPv6 (headers rebuilt).
	export RELAY_BRIDGE=1
	relay_run "$1" "$2_bridge" "$CALLS" idle -P 50
	unset RELAY_BRIDGE
	# And with A an SDES phone (SRTP) and B a plain one: the relay
	# unprotects one way and protects the other.
	export RELAY_SRTP=1
	for l in idle load; do
		relay_run "$1" "$2_srtp_$l" "$CALLS" $l -P 50
	done
	for c in $SRTP_CAP; do
		relay_run "$1" "$2_srtpcap_$c" "$c" idle
	done
	unset RELAY_SRTP
	for c in $CAP; do
		relay_run "$1" "$2_cap_$c" "$c" idle
	done
}
# rtd as operators run it: calls kept in the state directory (the
# default) and metrics scraped every second, far more often than
# Prometheus would; the capacity steps run again below with both off.
rtd_start --iface rtd0 --rt-ports 20000-39999 --app relay --cpu $RT_CPU --xdp-mode skb \
	--ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24 --metrics-listen 198.18.0.1:9910 || exit 1
bg_host sh -c 'while :; do curl -s -o /dev/null http://198.18.0.1:9910/metrics; sleep 1; done'
scraper=$BG
# A busy-polling core is always on CPU: rtd's own account of the time it
# spent on frames is its CPU time here, and of that, the time in the
# kernel's copy-mode transmit (TX wake-ups).
export RELAY_CPU_CMD="$RTCTL_BIN -s $RTD_SOCK -j stats | python3 -c 'import json,sys; l = json.load(sys.stdin)[\"loop\"]; print(l[\"busy_us\"] / 1e6, l[\"kick_us\"] / 1e6)'"
relay_all 2223 rtd
bg_stop "$scraper"
rtd_stop
rtd_start --iface rtd0 --rt-ports 20000-39999 --app relay --cpu $RT_CPU --xdp-mode skb \
	--ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24 --keep-calls no || exit 1
for c in ${BENCH_OPS_CAP_CALLS:-$CAP}; do
	relay_run 2223 "rtd_opsoff_cap_$c" "$c" idle
done
rtd_stop
if command -v rtpengine >/dev/null 2>&1; then
	# Exec'd, not wrapped: $BG is rtpengine itself, whose CPU time we read.
	bg_host taskset -c $RT_CPU rtpengine --interface=pub/198.18.0.1 --interface=pub/2001:2::1 \
		--listen-ng=198.18.0.1:2224 \
		--port-min=40000 --port-max=59999 --foreground --log-stderr --log-level=3 --table=-1 \
		--num-threads=1 >"$R/rtpengine.log" 2>&1
	rp=$BG
	if wait_for in_host sh -c 'ss -lun | grep -q 198.18.0.1:2224'; then
		RELAY_CPU_CMD="awk -v hz=$(getconf CLK_TCK) '{ print (\$14 + \$15) / hz }' /proc/$rp/stat"
		relay_all 2224 rtpengine
	fi
	bg_stop "$rp"
fi
unset RELAY_CPU_CMD

python3 "$ROOT/tests/bench_report.py" "$R" "$OUT" "$tcp_none" "$tcp_off" "$tcp_on" \
	"$tcp_native" "$mpps_skb" "$mpps_native"
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot "$R/cdf.gp" && echo "written: bench/results/cdf.svg"
fi
