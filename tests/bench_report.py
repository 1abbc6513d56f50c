"""Turn one bench run's raw results into the table, latest.json and a CDF script."""
import json
import os
import sys

raw, out = sys.argv[1], sys.argv[2]
tcp_none, tcp_off, tcp_on, tcp_native, mpps_skb, mpps_native = map(float, sys.argv[3:9])


def load(name, ext):
    try:
        with open(os.path.join(raw, name + "." + ext)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


loads = ("none", "saturating", "limited")
paths = {"kernel": "kernel echo (SCHED_FIFO)", "rt_off": "RT echo, gate off", "rt_on": "RT echo, gate on"}
res = {p: {l: {"rtt": load(p + "_" + l, "rtt"), "inhost": load(p + "_" + l, "inhost")} for l in loads}
       for p in paths}


def f(d, k):
    v = d.get(k)
    return "%9.1f" % v if isinstance(v, (int, float)) else "%9s" % "-"


print()
print("%-28s %-10s %9s %9s %9s %9s | %9s %9s %9s" % (
    "", "load", "rtt p50", "p99", "p99.9", "max", "in-host", "p99", "p99.9"))
for p, label in paths.items():
    for l in loads:
        r, h = res[p][l]["rtt"], res[p][l]["inhost"]
        print("%-28s %-10s %s %s %s %s | %s %s %s" % (
            label, l, f(r, "p50_us"), f(r, "p99_us"), f(r, "p999_us"), f(r, "max_us"),
            f(h, "p50_us"), f(h, "p99_us"), f(h, "p999_us")))
print("(microseconds; rtt from the peer, in-host from the XDP hook / RX timestamp to the TX ring / TX timestamp)")
print()
def gbps(name):
    try:
        return round(load(name, "iperf")["end"]["sum_received"]["bits_per_second"] / 1e9, 3)
    except (KeyError, TypeError):
        return None


tcp_pairs = [(gbps("tcp_off_%d" % i), gbps("tcp_on_%d" % i)) for i in (1, 2, 3)]
print("kernel TCP Gbit/s: no rtd %.2f | rtd gate off %.2f | gate on + 50 pps RT %.2f | native XDP %.2f"
      % (tcp_none, tcp_off, tcp_on, tcp_native))
if any(a is not None for a, _ in tcp_pairs):
    print("  gate off/on in three alternating runs (their medians above): %s" % "  ".join(
        "%s/%s" % tuple("-" if x is None else "%.2f" % x for x in p) for p in tcp_pairs))


def floods(name):
    try:
        with open(os.path.join(raw, name + ".floods")) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return []


flood = {m: floods("flood_" + m) for m in ("skb", "native")}
print("RT echo rate under a raw flood (rtd's own TX count, median of %d): skb %.3f Mpps, native %.3f Mpps"
      % (len(flood["skb"]), mpps_skb, mpps_native))
for m in ("skb", "native"):
    if flood[m]:
        print("  %-6s echoed/offered Mpps (frames dropped in rtd's full RX ring): %s" % (m, "  ".join(
            "%.3f/%.3f (%d)" % (x["echoed_mpps"], x["sent_mpps"], x["rx_ring_full"]) for x in flood[m])))
stalls = load("stalls", "json")
if stalls:
    print("RT core (CPU %d) running only a SCHED_FIFO spin: %.0f gaps/s of %d us or more, median %.1f us,"
          % (stalls["cpu"], stalls["gaps_per_s"], stalls["gap_us"], stalls["p50_us"]))
    print("  p99 %.1f us, longest %.1f us; %.1f%% of the time lost: no RT figure on that core beats these"
          % (stalls["p99_us"], stalls["max_us"], stalls["lost_pct"]))
sched = load("sched", "json")
if sched:
    if sched.get("qdisc") == "bpf":
        toggle = "toggles are stores by the RT loop"
    else:
        toggle = "avg toggle %.1f us (max %.1f us)" % (sched["toggle_avg_ns"] / 1000, sched["toggle_max_ns"] / 1000)
    print("gate (%s): %d closes, %d us closed, %s" % (
        sched.get("qdisc", "tbf"), sched["closes"], sched["closed_us"], toggle))


def p999(p, l, kind):
    return res[p][l][kind].get("p999_us")


summary = {
    "rt_inhost_p999_us": {"idle": p999("rt_on", "none", "inhost"), "load": p999("rt_on", "saturating", "inhost")},
    "kernel_inhost_p999_us": {"idle": p999("kernel", "none", "inhost"),
                              "load": p999("kernel", "saturating", "inhost")},
    "rt_rtt_p999_us": {"idle": p999("rt_on", "none", "rtt"), "load": p999("rt_on", "saturating", "rtt")},
    "kernel_rtt_p999_us": {"idle": p999("kernel", "none", "rtt"), "load": p999("kernel", "saturating", "rtt")},
    "rt_echo_mpps": {"skb": mpps_skb, "native": mpps_native},
    "rt_echo_floods": flood,
    "kernel_tcp_gbps": {"no_rtd": tcp_none, "gate_off": tcp_off, "gate_on": tcp_on, "native_xdp": tcp_native},
    "kernel_tcp_gate_runs": [{"gate_off": a, "gate_on": b} for a, b in tcp_pairs],
    "gate": sched,
    "rt_core_stalls": stalls,
    "details": res,
}

# The targets, as ratios from this one run.
def ratio(a, b):
    return a / b if a is not None and b else None

targets = {
    "rt_inhost_load_over_idle": ratio(summary["rt_inhost_p999_us"]["load"], summary["rt_inhost_p999_us"]["idle"]),
    "rt_over_kernel_inhost_load": ratio(summary["rt_inhost_p999_us"]["load"], summary["kernel_inhost_p999_us"]["load"]),
    "rt_over_kernel_rtt_load": ratio(summary["rt_rtt_p999_us"]["load"], summary["kernel_rtt_p999_us"]["load"]),
    "tcp_gate_on_over_off": ratio(tcp_on, tcp_off),
    "tcp_rtd_over_none": ratio(tcp_off, tcp_none),
}
summary["targets"] = targets
print()
for k, want, ok in (("rt_inhost_load_over_idle", "<= 2", lambda v: v <= 2),
                    ("rt_over_kernel_inhost_load", "<= 0.2", lambda v: v <= 0.2),
                    ("rt_over_kernel_rtt_load", "<= 0.2", lambda v: v <= 0.2),
                    ("tcp_gate_on_over_off", ">= 0.9", lambda v: v >= 0.9)):
    v = targets[k]
    print("target %-28s %6s  %s" % (k, "-" if v is None else "%.2f" % v,
                                     "" if v is None else ("met (%s)" % want if ok(v) else "MISSED (%s)" % want)))
print("target %-28s %6.2f  %s" % ("rt_echo_mpps_skb", mpps_skb, "met (>= 1)" if mpps_skb >= 1 else "MISSED (>= 1)"))

# The media relay against rtpengine.
SUSTAINED_LOSS, SUSTAINED_P99_US = 0.001, 10000.0


def relay_steps(who, kind="cap"):
    steps = []
    for name in sorted(os.listdir(raw)):
        if name.startswith("%s_%s_" % (who, kind)) and name.endswith(".relay"):
            r = load(name[:-len(".relay")], "relay")
            if r.get("sent_total"):
                r["sustained"] = (r.get("loss", 1) <= SUSTAINED_LOSS
                                  and r.get("latency_p99_us", 1e9) <= SUSTAINED_P99_US)
                r["offered_pps"] = round(r["sent_total"] / r["send_secs"]) if r.get("send_secs") else None
                steps.append(r)
    return sorted(steps, key=lambda r: r["calls"])


def per_core(r, minus_tx=False):
    ns = r.get("cpu_ns_per_packet")
    if ns and minus_tx:
        ns = ns - r["tx_ns_per_packet"] if r.get("tx_ns_per_packet") is not None else None
    return round(1e9 / (ns * r["pps_per_stream"])) if ns and ns > 0 else None


relay = {}
for who in ("rtd", "rtpengine"):
    for l in ("idle", "load", "bridge", "srtp_idle", "srtp_load"):
        r = load("%s_%s" % (who, l), "relay")
        if r.get("sent"):
            relay.setdefault(who, {})[l] = r
    for key, kind in (("capacity", "cap"), ("srtp_capacity", "srtpcap")):
        steps = relay_steps(who, kind)
        if steps:
            relay.setdefault(who, {})[key] = steps
# Streams per core from the CPU time per packet at the same offered load for
# every relay: the highest step all of them sustained (per-packet cost falls
# as batches grow, so steps of different size would not compare).
def common_step(key):
    """The highest step every relay sustained, in relay[who][key]."""
    best = None
    for c in sorted({r["calls"] for ls in relay.values() for r in ls.get(key, [])}):
        if all(any(r["calls"] == c and r["sustained"] for r in ls.get(key, [])) for ls in relay.values()):
            best = c
    return best


common, srtp_common = common_step("capacity"), common_step("srtp_capacity")
for who, ls in relay.items():
    for key, at, pre in (("capacity", common, ""), ("srtp_capacity", srtp_common, "srtp_")):
        for r in ls.get(key, []):
            if r["calls"] == at:
                ls[pre + "streams_per_core"] = per_core(r)
                ls[pre + "streams_per_core_at_calls"] = at
                if per_core(r, True):
                    ls[pre + "streams_per_core_without_tx"] = per_core(r, True)
# What SRTP adds to rtd's own work (without the kernel's transmit) at the
# same number of calls, plain against SRTP, both sustained.
srtp_added = None
if "rtd" in relay:
    own = {}
    for key in ("capacity", "srtp_capacity"):
        for r in relay["rtd"].get(key, []):
            if r["sustained"] and r.get("cpu_ns_per_packet") and r.get("tx_ns_per_packet") is not None:
                own.setdefault(r["calls"], {})[key] = r["cpu_ns_per_packet"] - r["tx_ns_per_packet"]
    both = [c for c, v in sorted(own.items()) if len(v) == 2]
    if both:
        srtp_added = round(own[both[-1]]["srtp_capacity"] - own[both[-1]]["capacity"], 1)
        relay["rtd"]["srtp_added_ns_per_packet"] = srtp_added
        relay["rtd"]["srtp_added_at_calls"] = both[-1]
if relay:
    print()
    print("%-10s %-9s %6s %9s %9s %9s %10s %10s %8s" % (
        "relay", "load", "calls", "lat p50", "p99", "p99.9", "jitter p99", "p99.9", "loss"))
    for who, ls in relay.items():
        for l in ("idle", "load", "bridge", "srtp_idle", "srtp_load"):
            r = ls.get(l)
            if r:
                print("%-10s %-9s %6d %s %s %s %s %s %8.4f" % (
                    who, l, r["calls"], f(r, "latency_p50_us"), f(r, "latency_p99_us"),
                    f(r, "latency_p999_us"), "%10.1f" % r["jitter_p99_us"], "%10.1f" % r["jitter_p999_us"],
                    r["loss"]))
    print("(one-way latency and jitter in microseconds: RTP both ways at 50 pps per stream, sent from the")
    print(" peer namespace and timestamped by its kernel on receipt; jitter: change in transit time;")
    print(" bridge: idle, each call between an IPv4 caller and an IPv6 callee; srtp: an SDES caller")
    print(" and a plain callee, the relay unprotecting one way and protecting the other)")
    print()
    print("%-10s %6s %8s %10s %8s %9s %7s %10s %9s" % (
        "capacity", "calls", "streams", "offered/s", "loss", "lat p99", "cpu", "ns/packet", "of it TX"))
    for key, tag in (("capacity", ""), ("srtp_capacity", " srtp")):
        for who, ls in relay.items():
            for r in ls.get(key, []):
                print("%-10s %6d %8d %10s %8.4f %s %7s %10s %9s%s" % (
                    (who + tag)[:10], r["calls"], r["streams"], r.get("offered_pps") or "-", r["loss"],
                    f(r, "latency_p99_us"), "%.1f%%" % (100 * r["cpu_share"]) if "cpu_share" in r else "-",
                    r.get("cpu_ns_per_packet", "-"), r.get("tx_ns_per_packet", "-"),
                    "" if r["sustained"] else "  (not sustained)"))
    print("(idle; RTP both ways; CPU of the relay's core per relayed packet.  rtd's TX column is the")
    print(" kernel's copy-mode transmit inside its sendto() wake-ups: on veth, the peer's whole receive)")
    for who, ls in relay.items():
        for pre, at, what in (("", common, ""), ("srtp_", srtp_common, " SRTP")):
            print("%s:%s %s streams per core (CPU time per packet at %s calls, the highest step all sustained)%s"
                  % (who, what, ls.get(pre + "streams_per_core") or "-", at or "-",
                     "; %d without the kernel's transmit" % ls[pre + "streams_per_core_without_tx"]
                     if ls.get(pre + "streams_per_core_without_tx") else ""))
    if srtp_added is not None:
        print("SRTP adds %.0f ns a packet to rtd's own work (without the transmit) at %d calls" % (
            srtp_added, relay["rtd"]["srtp_added_at_calls"]))
    summary["relay"] = relay
    for k, want, ok, get in (
            ("relay_jitter_p999_rtd_over_rtpengine_load", "<= 0.2", lambda v: v <= 0.2,
             lambda w: relay[w]["load"]["jitter_p999_us"]),
            ("relay_streams_per_core_rtd_over_rtpengine", ">= 5", lambda v: v >= 5,
             lambda w: relay[w]["streams_per_core"]),
            ("relay_srtp_jitter_p999_rtd_over_rtpengine_load", "<= 0.2", lambda v: v <= 0.2,
             lambda w: relay[w]["srtp_load"]["jitter_p999_us"]),
            ("relay_srtp_streams_per_core_rtd_over_rtpengine", ">= 3", lambda v: v >= 3,
             lambda w: relay[w]["srtp_streams_per_core"])):
        try:
            rv, ev = get("rtd"), get("rtpengine")
            v = rv / ev if rv is not None and ev else None
        except KeyError:
            v = None
        targets[k] = v
        print("target %-42s %6s  %s" % (k, "-" if v is None else "%.2f" % v,
                                         "" if v is None else ("met (%s)" % want if ok(v) else "MISSED (%s)" % want)))

# What keeping calls and serving metrics cost: rtd's capacity steps as it
# ran above (calls kept, metrics scraped every second) against the same
# steps with both off (--keep-calls no, no --metrics-listen).
ops_off = relay_steps("rtd", "opsoff_cap")
if ops_off and "rtd" in relay:
    on = {r["calls"]: r for r in relay["rtd"].get("capacity", [])}
    rows = []
    print()
    print("rtd ops   %6s %10s %10s %10s %10s %11s %11s %7s" % (
        "calls", "loss on", "loss off", "p99 on", "p99 off", "ns/pkt on", "ns/pkt off", "on/off"))
    for r in ops_off:
        o = on.get(r["calls"])
        if not o or not o.get("cpu_ns_per_packet") or not r.get("cpu_ns_per_packet"):
            continue
        ratio = o["cpu_ns_per_packet"] / r["cpu_ns_per_packet"]
        rows.append({"calls": r["calls"], "on": o, "off": r, "ns_per_packet_on_over_off": round(ratio, 3)})
        print("%-9s %6d %10.4f %10.4f %10.1f %10.1f %11.1f %11.1f %7.2f" % (
            "", r["calls"], o["loss"], r["loss"], o.get("latency_p99_us", 0), r.get("latency_p99_us", 0),
            o["cpu_ns_per_packet"], r["cpu_ns_per_packet"], ratio))
    print("(on: calls kept in the state directory and /metrics scraped every second; off: --keep-calls no,")
    print(" no metrics; the same idle capacity steps, one after the other in this run)")
    relay["rtd"]["ops_off_capacity"] = ops_off
    relay["rtd"]["ops_on_over_off"] = rows
    if rows:
        med = sorted(x["ns_per_packet_on_over_off"] for x in rows)[len(rows) // 2]
        targets["relay_ops_on_over_off_ns_per_packet"] = med
        print("target %-42s %6.2f  %s" % ("relay_ops_on_over_off_ns_per_packet", med,
                                           "met (<= 1.1)" if med <= 1.1 else "MISSED (<= 1.1)"))

if srtp_added is not None:
    targets["relay_srtp_added_ns_per_packet"] = srtp_added
    print("target %-42s %6.0f  %s" % ("relay_srtp_added_ns_per_packet", srtp_added,
                                       "met (< 1000)" if srtp_added < 1000 else "MISSED (< 1000)"))

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "latest.json"), "w") as fh:
    json.dump(summary, fh, indent=2)
print("written: bench/results/latest.json")

with open(os.path.join(raw, "cdf.gp"), "w") as gp:
    curves = []
    for p, l, title in (("rt_on", "none", "RT idle"), ("rt_on", "saturating", "RT TCP load"),
                        ("kernel", "none", "kernel idle"), ("kernel", "saturating", "kernel TCP load")):
        s = os.path.join(raw, "%s_%s.samples" % (p, l))
        if os.path.exists(s) and os.path.getsize(s):
            n = sum(1 for _ in open(s))
            curves.append("\"< sort -n %s\" using 1:($0/%d) with lines lw 2 title \"%s\"" % (s, n, title))
    gp.write("set terminal svg size 900,500\nset output \"%s\"\n" % os.path.join(out, "cdf.svg"))
    gp.write("set logscale x\nset xlabel \"round trip (us)\"\nset ylabel \"fraction\"\nset key bottom right\n"
             "set grid\nset title \"UDP round trip from the peer: rtd vs kernel socket\"\n")
    gp.write("plot " + ", ".join(curves) + "\n" if curves else "print \"no samples\"\n")
