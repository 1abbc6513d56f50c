#!/bin/sh
# make demo: one run, one table.  RT echo (rtd) against the kernel-socket
# echo a user would otherwise write (SCHED_FIFO, pinned to the same core),
# idle and under kernel TCP load, and what attaching rtd costs kernel TCP.
# The two echo paths are measured one after the other, never together.
#
#   demo.sh [--bench]   --bench also writes bench/results/demo.json
#   DEMO_PINGS          round trips per latency figure (default 3000)
#   DEMO_RATE           their rate, per second (default 2000)
#   DEMO_SECS           seconds per throughput figure (default 4)
set -u
. "$(dirname "$0")/lib.sh"

BENCH=
case "${1:-}" in
--bench) BENCH=1 ;;
"") ;;
*) echo "usage: demo.sh [--bench]" >&2; exit 2 ;;
esac

RT_CPU=1       # rtd's RT thread and the kernel echo: the "isolated" core
PEER_CPU=0     # the peer, the load and iperf3's server: everything else
N=${DEMO_PINGS:-3000}
RATE=${DEMO_RATE:-2000}
SECS=${DEMO_SECS:-4}
RT_PORT=7000
K_PORT=7001
R=$TMP/r
mkdir -p "$R"

peer() { in_peer taskset -c $PEER_CPU "$@"; }

tcp_gbps() { # name: kernel TCP throughput peer -> host through the same veth
	peer iperf3 -c 198.18.0.1 -t "$SECS" -J >"$R/$1.iperf" 2>/dev/null
	python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' \
		"$R/$1.iperf" 2>/dev/null || echo 0
}

ping_json() { # port name
	# -b -k: the peer spins on the reply and takes its kernel receive time, so
	# its own wake-up stays out of the RTT.
	peer "$TOOLS/udpping" -b -k -d 198.18.0.1 -p "$1" -n "$N" -r "$RATE" -w 200 -T 200 -j \
		>"$R/$2.json" 2>/dev/null || echo '{"received": 0}' >"$R/$2.json"
}

under_load() { # port name: ping while two saturating TCP streams run
	bg_peer taskset -c $PEER_CPU iperf3 -c 198.18.0.1 -t $((N / RATE + 3)) -P 2 >/dev/null 2>&1
	load=$BG
	sleep 1
	ping_json "$1" "$2"
	wait "$load" 2>/dev/null
}

echo "rtd demo: namespaces $HOST (host under test) and $PEER (peer), veth rtd0 <-> rtdp0"
topo_up || exit 1
bg_host taskset -c $PEER_CPU iperf3 -s >/dev/null 2>&1
wait_for in_host sh -c 'ss -ltn | grep -q :5201' || { echo "iperf3 -s did not start" >&2; exit 1; }

echo "kernel path: TCP throughput without rtd, then UDP echo (udpecho, SCHED_FIFO, CPU $RT_CPU, port $K_PORT)"
gbps_none=$(tcp_gbps tcp_none)
bg_host "$TOOLS/udpecho" -p $K_PORT -c $RT_CPU -f 50
kecho=$BG
wait_for in_host sh -c "ss -lun | grep -q :$K_PORT" || { echo "udpecho did not start" >&2; exit 1; }
ping_json $K_PORT kernel_idle
under_load $K_PORT kernel_load
bg_stop "$kecho"

mode=-
gbps_rtd=0
replied=-
rtd_ok=
echo "RT path: rtd --app echo on port $RT_PORT (RT thread on CPU $RT_CPU, XDP mode auto), then TCP throughput"
if [ -x "$RTD_BIN" ] && rtd_start --iface rtd0 --rt-ports $RT_PORT --app echo --cpu $RT_CPU; then
	rtd_ok=1
	mode=$(rtctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["xdp_mode"])' 2>/dev/null) ||
		mode="?"
	ping_json $RT_PORT rt_idle
	under_load $RT_PORT rt_load
	gbps_rtd=$(tcp_gbps tcp_rtd)
	replied=$(rtctl -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["apps"]["echo"]["replied"])' 2>/dev/null) ||
		replied="?"
	rtd_stop
else
	[ -x "$RTD_BIN" ] || echo "no $RTD_BIN: build it with make" >&2
	for k in rt_idle rt_load; do echo '{"received": 0}' >"$R/$k.json"; done
fi

python3 - "$R" "$mode" "$gbps_none" "$gbps_rtd" "$replied" "$N" "$RATE" "$BENCH" "$ROOT" "$rtd_ok" <<'PY'
import json, os, sys
r, mode, none, rtd, replied, n, rate, bench, root, rtd_ok = sys.argv[1:11]
lat = {k: json.load(open(os.path.join(r, k + ".json")))
       for k in ("rt_idle", "kernel_idle", "rt_load", "kernel_load")}

def row(label, k):
    j = lat[k]
    if not j.get("received"):
        why = "rtd did not start" if k.startswith("rt_") and not rtd_ok else "no replies"
        return "  %-40s %9s %9s %9s %9s  (%s)" % (label, "-", "-", "-", "-", why)
    return "  %-40s %9.1f %9.1f %9.1f %9.1f  %6d/%d" % (
        label, j["p50_us"], j["p99_us"], j["p999_us"], j["max_us"], j["received"], j["sent"])

print()
print("UDP round trip from the peer (spinning on the reply): %s x 64 bytes at %s/s per row; XDP mode: %s"
      % (n, rate, mode))
print("  %-40s %9s %9s %9s %9s  %s" % ("", "p50 us", "p99 us", "p99.9 us", "max us", "replies"))
print(row("RT echo (rtd), idle", "rt_idle"))
print(row("kernel echo (SCHED_FIFO), idle", "kernel_idle"))
print(row("RT echo (rtd), 2 TCP streams", "rt_load"))
print(row("kernel echo (SCHED_FIFO), 2 TCP streams", "kernel_load"))
a, b = float(none), float(rtd)
print()
print("kernel TCP, peer -> host through the same veth (iperf3, 1 stream)")
print("  %-40s %9.2f Gbit/s" % ("without rtd", a))
if rtd_ok:
    print("  %-40s %9.2f Gbit/s  (%.0f%%)" % ("with rtd attached (%s)" % mode, b,
                                              100 * b / a if a else 0))
    print("rtd's echo app counted %s replies" % replied)
else:
    print("  %-40s %9s         (rtd did not start)" % ("with rtd attached", "-"))
if bench:
    out = os.path.join(root, "bench", "results")
    os.makedirs(out, exist_ok=True)
    json.dump({"xdp_mode": mode, "pings": int(n), "rate_pps": int(rate), "latency": lat,
               "kernel_tcp_gbps": {"no_rtd": a, "rtd_attached": b if rtd_ok else None}},
              open(os.path.join(out, "demo.json"), "w"), indent=2)
    print("written: bench/results/demo.json")
PY
echo
echo "cleaning up"
[ -n "$rtd_ok" ]
