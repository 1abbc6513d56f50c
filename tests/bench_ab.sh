#!/bin/sh
# The relay's plain-RTP figures of two rtd builds, interleaved in one run
# so that the machine's drift falls on both: 20 calls idle and under
# kernel TCP load (jitter), and the idle capacity steps (loss, p99, CPU
# per packet), as make bench measures them.  For "before and after" a
# change: build the old tree elsewhere and give its rtd first.
#
#   sh tests/bench_ab.sh OLD_RTD NEW_RTD [ROUNDS]   (default 2 rounds)
#   BENCH_CAP_CALLS  capacity steps (default 500 1000 1500)
#   BENCH_SECS       seconds per figure (default 4)
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || { echo "usage: bench_ab.sh OLD_RTD NEW_RTD [ROUNDS]" >&2; exit 2; }
OLD=$1 NEW=$2 ROUNDS=${3:-2}
RT_CPU=1
PEER_CPU=0
SECS=${BENCH_SECS:-4}
CAP=${BENCH_CAP_CALLS:-500 1000 1500}
R=$TMP/r
mkdir -p "$R"

topo_up || exit 1
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
# Builds before partial checksums were taken (CHECKSUM_PARTIAL from a veth
# peer with TX offload) relay nothing from a peer at its defaults: the A/B
# run sends complete checksums to both.
[ "${BENCH_AB_PEER_CSUM:-full}" = full ] && in_peer ethtool -K rtdp0 tx off >/dev/null
in_host taskset -c $PEER_CPU iperf3 -s >/dev/null 2>&1 &
run() { # name calls load
	if [ "$3" = load ]; then
		in_peer taskset -c $PEER_CPU iperf3 -c 198.18.0.1 -t $((SECS + 4)) -P 2 >/dev/null 2>&1 &
		lp=$!
		sleep 1
	fi
	in_peer taskset -c $PEER_CPU python3 "$ROOT/tests/relaybench.py" 198.18.0.1 2223 "$2" "$SECS" \
		-2 ${4:-} >"$R/$1.relay" 2>&1
	[ "$3" = load ] && wait "$lp" 2>/dev/null
	return 0
}
round=1
while [ $round -le "$ROUNDS" ]; do
	for who in old new; do
		[ $who = old ] && RTD_BIN=$OLD || RTD_BIN=$NEW
		# Each build's own rtctl reads its stats.
		export RELAY_CPU_CMD="$(dirname "$RTD_BIN")/rtctl -s $RTD_SOCK -j stats | python3 -c 'import json,sys; l = json.load(sys.stdin)[\"loop\"]; print(l[\"busy_us\"] / 1e6, l[\"kick_us\"] / 1e6)'"
		echo "round $round: $who ($RTD_BIN)..."
		rtd_start --iface rtd0 --rt-ports 20000-39999 --app relay --cpu $RT_CPU --xdp-mode skb \
			--ng-listen 198.18.0.1:2223 --ng-allow 198.18.0.0/24 || exit 1
		run "${who}_idle_$round" 20 idle "-P 50"
		run "${who}_load_$round" 20 load "-P 50"
		for c in $CAP; do
			run "${who}_cap${c}_$round" "$c" idle
		done
		rtd_stop
	done
	round=$((round + 1))
done

python3 - "$R" "$CAP" <<'PY'
import json, os, sys
raw, caps = sys.argv[1], [int(c) for c in sys.argv[2].split()]
def runs(name):
    out = []
    for f in sorted(os.listdir(raw)):
        if f.startswith(name + "_") and f.endswith(".relay"):
            try:
                out.append(json.load(open(os.path.join(raw, f))))
            except ValueError:
                pass
    return out
def med(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else float("nan")
print()
print("%-4s %-6s %9s %9s %10s %10s %8s   (medians of the rounds; microseconds)" % (
    "rtd", "load", "lat p50", "p99", "jitter p99", "p99.9", "loss"))
for who in ("old", "new"):
    for l in ("idle", "load"):
        rs = runs("%s_%s" % (who, l))
        print("%-4s %-6s %9.1f %9.1f %10.1f %10.1f %8.4f" % (
            who, l, med(r.get("latency_p50_us") for r in rs), med(r.get("latency_p99_us") for r in rs),
            med(r.get("jitter_p99_us") for r in rs), med(r.get("jitter_p999_us") for r in rs),
            med(r.get("loss") for r in rs)))
print()
print("%-4s %6s %8s %9s %10s %9s   %s" % ("rtd", "calls", "loss", "lat p99", "ns/packet", "of it TX",
                                         "ns/packet each round"))
for c in caps:
    for who in ("old", "new"):
        rs = runs("%s_cap%d" % (who, c))
        print("%-4s %6d %8.4f %9.1f %10.1f %9.1f   %s" % (
            who, c, med(r.get("loss") for r in rs), med(r.get("latency_p99_us") for r in rs),
            med(r.get("cpu_ns_per_packet") for r in rs), med(r.get("tx_ns_per_packet") for r in rs),
            " ".join("%.0f" % r["cpu_ns_per_packet"] for r in rs if r.get("cpu_ns_per_packet"))))
PY
topo_down
