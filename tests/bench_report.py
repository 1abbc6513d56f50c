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
print("kernel TCP Gbit/s: no rtd %.2f | rtd gate off %.2f | gate on + 50 pps RT %.2f | native XDP %.2f"
      % (tcp_none, tcp_off, tcp_on, tcp_native))
print("RT echo rate under a raw flood (rtd's own TX count): skb %.3f Mpps, native %.3f Mpps"
      % (mpps_skb, mpps_native))
sched = load("sched", "json")
if sched:
    print("gate: %d closes, %d us closed, avg toggle %.1f us (max %.1f us)" % (
        sched["closes"], sched["closed_us"], sched["toggle_avg_ns"] / 1000, sched["toggle_max_ns"] / 1000))


def p999(p, l, kind):
    return res[p][l][kind].get("p999_us")


summary = {
    "rt_inhost_p999_us": {"idle": p999("rt_on", "none", "inhost"), "load": p999("rt_on", "saturating", "inhost")},
    "kernel_inhost_p999_us": {"idle": p999("kernel", "none", "inhost"),
                              "load": p999("kernel", "saturating", "inhost")},
    "rt_rtt_p999_us": {"idle": p999("rt_on", "none", "rtt"), "load": p999("rt_on", "saturating", "rtt")},
    "kernel_rtt_p999_us": {"idle": p999("kernel", "none", "rtt"), "load": p999("kernel", "saturating", "rtt")},
    "rt_echo_mpps": {"skb": mpps_skb, "native": mpps_native},
    "kernel_tcp_gbps": {"no_rtd": tcp_none, "gate_off": tcp_off, "gate_on": tcp_on, "native_xdp": tcp_native},
    "gate": sched,
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
relay = {}
for who in ("rtd", "rtpengine"):
    for l in ("idle", "load"):
        r = load("%s_%s" % (who, l), "relay")
        try:
            cpu = float(open(os.path.join(raw, "%s_%s.cpu" % (who, l))).read())
        except (OSError, ValueError):
            cpu = None
        if r:
            r["cpu_share"] = cpu
            r["calls_per_core"] = round(r["calls"] / cpu, 1) if cpu else None
            relay.setdefault(who, {})[l] = r
if relay:
    print()
    print("%-10s %-5s %7s %9s %9s %9s %10s %10s %8s %10s" % (
        "relay", "load", "calls", "lat p50", "p99", "p99.9", "jitter p99", "p99.9", "loss", "calls/core"))
    for who, ls in relay.items():
        for l, r in ls.items():
            print("%-10s %-5s %7d %s %s %s %s %s %8.4f %10s" % (
                who, l, r["calls"], f(r, "latency_p50_us"), f(r, "latency_p99_us"), f(r, "latency_p999_us"),
                "%10.1f" % r["jitter_p99_us"] if r.get("jitter_p99_us") is not None else "%10s" % "-",
                "%10.1f" % r["jitter_p999_us"] if r.get("jitter_p999_us") is not None else "%10s" % "-",
                r.get("loss") or 0, r.get("calls_per_core") or "-"))
    print("(one-way latency and jitter in microseconds, A -> relay -> B in the peer namespace; 50 pps per call)")
    summary["relay"] = relay
    try:
        rj, ej = relay["rtd"]["load"]["jitter_p999_us"], relay["rtpengine"]["load"]["jitter_p999_us"]
        rc, ec = relay["rtd"]["load"]["calls_per_core"], relay["rtpengine"]["load"]["calls_per_core"]
        targets["relay_jitter_p999_rtd_over_rtpengine_load"] = rj / ej if ej else None
        targets["relay_calls_per_core_rtd_over_rtpengine"] = rc / ec if ec else None
        for k, want, ok in (("relay_jitter_p999_rtd_over_rtpengine_load", "<= 0.2", lambda v: v <= 0.2),
                            ("relay_calls_per_core_rtd_over_rtpengine", ">= 5", lambda v: v >= 5)):
            v = targets[k]
            print("target %-42s %6s  %s" % (k, "-" if v is None else "%.2f" % v,
                                             "" if v is None else ("met (%s)" % want if ok(v) else "MISSED (%s)" % want)))
    except (KeyError, TypeError):
        pass

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
