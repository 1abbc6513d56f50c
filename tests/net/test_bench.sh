#!/bin/sh
# make bench runs end to end and its JSON holds every figure, well-formed.
# A check of the benchmark itself, never of a speed.
set -u
. "$(dirname "$0")/../lib.sh"

out=$(BENCH_PINGS=200 BENCH_SECS=1 BENCH_CAP_CALLS="100 200" BENCH_SRTP_CAP_CALLS="100 200" BENCH_OPS_CAP_CALLS="100 200" \
	sh "$ROOT/tests/bench.sh" 2>&1)
rc=$?
[ $rc -eq 0 ] && pass "make bench runs to the end" || fail "bench runs" "$(printf '%s\n' "$out" | tail -20)"
python3 - "$ROOT/bench/results/latest.json" <<'PY' && pass "latest.json has every key, each a number" || fail "bench JSON" "$(cat "$ROOT/bench/results/latest.json" 2>&1 | head -40)"
import json, sys
j = json.load(open(sys.argv[1]))
need = {
    "rt_inhost_p999_us": ("idle", "load"), "kernel_inhost_p999_us": ("idle", "load"),
    "rt_rtt_p999_us": ("idle", "load"), "kernel_rtt_p999_us": ("idle", "load"),
    "rt_echo_mpps": ("skb", "native"), "kernel_tcp_gbps": ("no_rtd", "gate_off", "gate_on"),
}
for k, subs in need.items():
    for s in subs:
        v = j[k][s]
        assert isinstance(v, (int, float)) and v >= 0, (k, s, v)
# The flood's echoes end in the peer's XDP sink, which lets ARP through:
# rtd must have echoed something, whatever the rate.
assert j["rt_echo_mpps"]["skb"] > 0 and j["rt_echo_mpps"]["native"] > 0, j["rt_echo_mpps"]
# The figure is the median of three floods, each with what the generator offered.
for m in ("skb", "native"):
    fl = j["rt_echo_floods"][m]
    assert len(fl) == 3 and all(x["sent_mpps"] > 0 and x["rx_ring_full"] >= 0 for x in fl), (m, fl)
    assert sorted(x["echoed_mpps"] for x in fl)[1] == j["rt_echo_mpps"][m], (m, fl)
# Gate off and on alternate three times; the medians are the figures.
runs = j["kernel_tcp_gate_runs"]
assert len(runs) == 3 and all(r["gate_off"] > 0 and r["gate_on"] > 0 for r in runs), runs
assert sorted(r["gate_on"] for r in runs)[1] == j["kernel_tcp_gbps"]["gate_on"], runs
st = j["rt_core_stalls"]
assert st["cpu"] == 1 and st["gaps_per_s"] >= 0 and 0 <= st["lost_pct"] <= 100, st
# The relay comparison: both relays, latency idle, under load, bridged
# between IPv4 and IPv6 and with SRTP on one leg, capacity plain and SRTP.
for who in ("rtd", "rtpengine"):
    r = j["relay"][who]
    for l in ("idle", "load", "bridge", "srtp_idle", "srtp_load"):
        assert r[l]["received"] > 0 and r[l]["jitter_p999_us"] >= 0, (who, l, r[l])
    assert [c["calls"] for c in r["capacity"]] == [100, 200], (who, r["capacity"])
    assert all(c["cpu_ns_per_packet"] > 0 for c in r["capacity"]), (who, r["capacity"])
    assert r["streams_per_core"] > 0, (who, r)
    assert [c["calls"] for c in r["srtp_capacity"]] == [100, 200], (who, r["srtp_capacity"])
    assert r["srtp_streams_per_core"] > 0, (who, r)
assert isinstance(j["relay"]["rtd"]["srtp_added_ns_per_packet"], (int, float))
ops = j["relay"]["rtd"]["ops_on_over_off"]
assert [o["calls"] for o in ops] == [100, 200] and all(o["ns_per_packet_on_over_off"] > 0 for o in ops), ops
PY
printf '%s\n' "$out" | grep -q "RT echo, gate on" && pass "the table shows RT and kernel paths side by side" ||
	fail "bench table" "$out"
[ -s "$ROOT/bench/results/cdf.svg" ] && grep -q "<svg" "$ROOT/bench/results/cdf.svg" &&
	pass "a latency CDF plot is written" || fail "CDF plot" ""
summary
