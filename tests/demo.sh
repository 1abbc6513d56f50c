#!/bin/sh
# make demo: one run, one table.  RT echo (rtd) against the kernel-socket
# echo a user would otherwise write (SCHED_FIFO, pinned to the same core),
# idle and under kernel TCP load, and what attaching rtd costs kernel TCP.
set -u
. "$(dirname "$0")/lib.sh"

RT_CPU=1       # rtd's RT thread and the kernel echo: the "isolated" core
PEER_CPU=0     # everything else
N=${DEMO_PINGS:-3000}
RATE=${DEMO_RATE:-2000}

tcp_gbps() { # seconds: kernel TCP throughput peer -> host through the shared veth
	in_peer taskset -c $PEER_CPU iperf3 -c 198.18.0.1 -t "$1" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null ||
		echo 0
}

ping_json() { # port label
	in_peer taskset -c $PEER_CPU "$TOOLS/udpping" -d 198.18.0.1 -p "$1" -n "$N" -r "$RATE" -w 200 -T 200 -j \
		>"$TMP/$2.json" 2>/dev/null || echo '{"received": 0}' >"$TMP/$2.json"
}

under_load() { # port label: ping while a saturating TCP stream runs
	secs=$((N / RATE + 3))
	in_peer taskset -c $PEER_CPU iperf3 -c 198.18.0.1 -t "$secs" -P 2 >/dev/null 2>&1 &
	load=$!
	sleep 1
	ping_json "$1" "$2"
	wait $load 2>/dev/null
}

echo "rtd demo: building namespaces rtdh (host under test) and rtdp (peer)"
topo_up || exit 1
in_host taskset -c $PEER_CPU iperf3 -s >/dev/null 2>&1 &
wait_for in_host sh -c 'ss -ltn | grep -q :5201'

echo "measuring the kernel path (no rtd)..."
gbps_none=$(tcp_gbps 4)
in_host "$TOOLS/udpecho" -p 7001 -c $RT_CPU -f 50 &
kecho=$!
wait_for in_host sh -c 'ss -lun | grep -q :7001'
ping_json 7001 kernel_idle
under_load 7001 kernel_load
kill $kecho 2>/dev/null

echo "measuring rtd (echo on UDP 7000, RT thread on CPU $RT_CPU)..."
rtd_start --iface rtd0 --rt-ports 7000 --app echo --cpu $RT_CPU || exit 1
mode=$(rtctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["xdp_mode"])')
gbps_rtd=$(tcp_gbps 4)
ping_json 7000 rt_idle
under_load 7000 rt_load
replied=$(rtctl -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["apps"]["echo"]["replied"])')
rtd_stop

python3 - "$TMP" "$mode" "$gbps_none" "$gbps_rtd" "$replied" "${1:-}" "$ROOT" <<'PY'
import json, os, sys
tmp, mode, none, rtd, replied, bench, root = sys.argv[1:8]
r = {k: json.load(open(os.path.join(tmp, k + ".json")))
     for k in ("rt_idle", "kernel_idle", "rt_load", "kernel_load")}
def row(label, k):
    j = r[k]
    if not j.get("received"):
        return "%-34s %9s %9s %9s  (no replies)" % (label, "-", "-", "-")
    return "%-34s %9.1f %9.1f %9.1f %9.1f  %d/%d" % (
        label, j["p50_us"], j["p99_us"], j["p999_us"], j["max_us"], j["received"], j["sent"])
print()
print("rtd on veth, XDP %s mode; round trip from the peer, 64-byte UDP" % mode)
print("%-34s %9s %9s %9s %9s  %s" % ("", "p50 us", "p99 us", "p99.9 us", "max us", "replies"))
print(row("RT echo (rtd), idle", "rt_idle"))
print(row("kernel echo (SCHED_FIFO), idle", "kernel_idle"))
print(row("RT echo (rtd), TCP load", "rt_load"))
print(row("kernel echo (SCHED_FIFO), TCP load", "kernel_load"))
n, a = float(none), float(rtd)
print()
print("kernel TCP through the same veth: %.2f Gbit/s without rtd, %.2f Gbit/s with rtd attached (%.0f%%)"
      % (n, a, 100 * a / n if n else 0))
print("rtd's echo app counted %s replies" % replied)
if bench:
    out = os.path.join(root, "bench", "results")
    os.makedirs(out, exist_ok=True)
    json.dump({"xdp_mode": mode, "latency": r,
               "kernel_tcp_gbps": {"no_rtd": n, "rtd_attached": a}},
              open(os.path.join(out, "latest.json"), "w"), indent=2)
    print("written: bench/results/latest.json")
PY
echo
echo "cleaning up"
