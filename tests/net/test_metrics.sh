#!/bin/sh
# --metrics-listen: rtd with the relay serves GET /metrics; calls relayed
# between two peers; a real Prometheus (Debian's) scrapes rtd every second
# and stores what rtctl stats shows; a scrape passes promtool; scrapes while
# media flows cost the RT path no frame; other paths are 404, other methods
# 405; a bad or taken --metrics-listen stops rtd before it touches the NIC.
set -u
. "$(dirname "$0")/../lib.sh"

M=198.18.0.1:9464
PROM=198.18.0.1:9090
PROM_DIR=$TMP/prometheus
PROM_PID=
RUNNER=
CALLS=4
SECS=4

# Prometheus goes first, whatever ends the test: then lib.sh's cleanup.
prom_stop() {
	[ -n "$PROM_PID" ] && bg_stop "$PROM_PID"
	PROM_PID=
	rm -rf "$PROM_DIR"
}
metrics_cleanup() {
	[ -n "$RUNNER" ] && kill "$RUNNER" 2>/dev/null
	prom_stop
	cleanup
}
trap metrics_cleanup EXIT

scrape() { in_host curl -sf --max-time 5 "http://$M/metrics"; }

# pm FILE SERIES: the sum of a scrape's samples named SERIES, with any labels
# (or exactly those SERIES names, braces and all).
pm() {
	python3 -c '
import sys
want, total = sys.argv[2], 0.0
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    key, _, value = line.rstrip("\n").rpartition(" ")
    if key == want or ("{" not in want and key.startswith(want + "{")):
        total += float(value)
print(int(total) if total == int(total) else total)' "$1" "$2"
}

# promql EXPR: an instant query through Prometheus's HTTP API, summed over
# its series; "none" when it has none.
promql() {
	in_host curl -sf --max-time 5 "http://$PROM/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
v = sum(float(x["value"][1]) for x in r)
print("none" if not r else int(v) if v == int(v) else v)'
}

# prom_is EXPR VALUE: whether the query's value is VALUE (for wait_for).
prom_is() { [ "$(promql "$1" 2>/dev/null)" = "$2" ]; }

# relay_run NAME: CALLS calls relayed both ways for SECS from the peer, as
# bench.sh runs them; rtctl stats before and after, rtpload's figures.
relay_run() {
	rtctl -j stats >"$TMP/$1.before"
	rtctl stats reset-latency
	in_peer taskset -c 0 python3 "$ROOT/tests/relaybench.py" 198.18.0.1 2223 "$CALLS" "$SECS" -2 \
		>"$TMP/$1.run" 2>&1
	rtctl -j stats >"$TMP/$1.after"
}

# losses NAME: what the RT path dropped or missed during the run, and rtpload's loss.
losses() {
	python3 - "$TMP/$1" <<'PY'
import json, sys
b, a = (json.load(open(sys.argv[1] + ext)) for ext in (".before", ".after"))
run = json.loads(open(sys.argv[1] + ".run").read().strip().splitlines()[-1])
d = lambda sect, k: sum(q[k] for q in a[sect]) - sum(q[k] for q in b[sect])
r = lambda k: a["apps"]["relay"][k] - b["apps"]["relay"][k]
missed = {k: d("xsk", k) for k in ("rx_dropped", "rx_ring_full", "rx_fill_ring_empty")}
missed.update({k: d("stack", k) for k in ("tx_no_frame", "tx_ring_full", "malformed")})
missed.update({k: r(k) for k in ("send_fail", "no_peer", "no_stream")})
missed["rtpload_lost"] = run.get("sent", 0) - min(run.get("received", 0), run.get("sent", 0))
bad = {k: v for k, v in missed.items() if v}
print("sent=%d forwarded=%d inhost_p99_us=%d missed=%s" %
      (run.get("sent", 0), r("forwarded"), a["inhost"][0]["p99_us"], bad or "none"))
sys.exit(0 if run.get("sent", 0) > 0 and not bad else 1)
PY
}

topo_up
ip -n "$PEER" addr add 198.18.0.3/24 dev rtdp0
ARGS="--iface rtd0 --rt-ports 30000-30099 --app relay --cpu 1 --ng-listen 198.18.0.1:2223 \
--ng-allow 198.18.0.0/24"

# Refusals, before anything is attached.
# shellcheck disable=SC2086
in_host "$RTD_BIN" $ARGS --ctl-socket "$TMP/bad.sock" --state-dir "$TMP/state" \
	--metrics-listen 198.18.0.1:94x64 >/dev/null 2>"$TMP/bad.err"
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] &&
	grep -qx "rtd: --metrics-listen: '198.18.0.1:94x64' is not ADDR:PORT or \[ADDR6\]:PORT" \
		"$TMP/bad.err" &&
	pass "a bad --metrics-listen stops rtd with one line naming the setting" ||
	fail "bad address" "rc $rc: $(cat "$TMP/bad.err")"
bg_host python3 -c 'import socket, time
s = socket.socket(); s.bind(("198.18.0.1", 9464)); s.listen(); time.sleep(60)'
holder=$BG
wait_for in_host sh -c 'ss -ltn | grep -q 198.18.0.1:9464'
# shellcheck disable=SC2086
in_host "$RTD_BIN" $ARGS --ctl-socket "$TMP/bad.sock" --state-dir "$TMP/state" \
	--metrics-listen $M >/dev/null 2>"$TMP/taken.err"
rc=$?
bg_stop "$holder"
[ $rc = 1 ] && [ "$(wc -l <"$TMP/taken.err")" = 1 ] &&
	grep -qx "rtd: metrics: --metrics-listen $M: Address already in use" "$TMP/taken.err" &&
	! ip -n "$HOST" link show rtd0 | grep -q xdp &&
	pass "a taken --metrics-listen port stops rtd before XDP is attached" ||
	fail "port in use" "rc $rc: $(cat "$TMP/taken.err"); $(ip -n "$HOST" link show rtd0)"

# shellcheck disable=SC2086
if ! rtd_start $ARGS --metrics-listen $M; then
	fail "rtd starts with the relay and --metrics-listen" "$(cat "$RTD_LOG")"
	summary
	exit
fi
grep -q "metrics: serving http://$M/metrics" "$RTD_LOG" &&
	pass "rtd says where it serves metrics" || fail "serving line" "$(cat "$RTD_LOG")"

# HTTP: one path, two methods.
code() { in_host curl -s -o /dev/null -w '%{http_code}' "$@"; }
codes="$(code "http://$M/metrics") $(code "http://$M/") $(code "http://$M/metrics/x")"
codes="$codes $(code -X POST -d x=1 "http://$M/metrics") $(code -X DELETE "http://$M/metrics")"
allow=$(in_host curl -s -D - -o /dev/null -X PUT "http://$M/metrics" | tr -d '\r' | sed -n 's/^Allow: //p')
[ "$codes" = "200 404 404 405 405" ] && [ "$allow" = "GET, HEAD" ] &&
	pass "GET /metrics is 200, other paths 404, other methods 405 with Allow: GET, HEAD" ||
	fail "HTTP codes" "codes '$codes' allow '$allow'"
head=$(in_host curl -s -I "http://$M/metrics" | tr -d '\r')
echo "$head" | grep -q '^HTTP/1.1 200' &&
	echo "$head" | grep -qx 'Content-Type: text/plain; version=0.0.4; charset=utf-8' &&
	pass "HEAD answers the text format's content type, version 0.0.4" || fail "HEAD" "$head"

# A real Prometheus, in the host namespace, scraping every second.
have_prom=0
if ! command -v prometheus >/dev/null 2>&1; then
	skip "Prometheus scrapes rtd" "prometheus is not installed (scripts/deps.sh test)"
else
	mkdir -p "$PROM_DIR/data"
	cat >"$PROM_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: rtd
    static_configs:
      - targets: ['$M']
EOF
	bg_host prometheus --config.file="$PROM_DIR/prometheus.yml" \
		--storage.tsdb.path="$PROM_DIR/data" --web.listen-address="$PROM" \
		--log.level=warn >"$TMP/prometheus.log" 2>&1
	PROM_PID=$BG
	if wait_for -t 20 prom_is 'up{job="rtd"}' 1; then
		have_prom=1
		pass "Prometheus scrapes rtd: up{job=\"rtd\"} is 1"
	else
		fail "Prometheus scrapes rtd" "$(tail -5 "$TMP/prometheus.log")"
	fi
fi

# Media: once with Prometheus alone scraping, once with another client
# scraping 20 times a second besides; a scrape taken while the calls are up.
relay_run quiet &
RUNNER=$!
sleep 2.5
scrape >"$TMP/live.txt"
wait $RUNNER
RUNNER=
losses quiet >"$TMP/quiet.loss" && pass "media through the relay: $(cat "$TMP/quiet.loss")" ||
	fail "media without extra scrapes" "$(cat "$TMP/quiet.loss" "$TMP/quiet.run")"

[ "$(pm "$TMP/live.txt" rtd_relay_sessions)" = "$CALLS" ] &&
	[ "$(pm "$TMP/live.txt" 'rtd_relay_streams{state="receiving"}')" = $((2 * CALLS)) ] &&
	[ "$(pm "$TMP/live.txt" rtd_relay_jitter_seconds_count)" = $((2 * CALLS)) ] &&
	[ "$(pm "$TMP/live.txt" 'rtd_relay_jitter_seconds_bucket{le="+Inf"}')" = $((2 * CALLS)) ] &&
	pass "while calls are up: $CALLS sessions, $((2 * CALLS)) receiving streams in the jitter histogram" ||
	fail "live relay families" "$(grep -E '^rtd_relay_(sessions|streams|jitter)' "$TMP/live.txt")"
if command -v promtool >/dev/null 2>&1; then
	out=$(promtool check metrics <"$TMP/live.txt" 2>&1) && [ -z "$out" ] &&
		pass "promtool check metrics: a scrape during calls is clean" ||
		fail "promtool check metrics" "$out"
else
	skip "promtool check metrics" "promtool is not installed"
fi

bg_host python3 -c '
import sys, time, urllib.request
n, end = 0, time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    n += len(urllib.request.urlopen(sys.argv[1], timeout=5).read()) > 0
    open(sys.argv[3], "w").write("%d\n" % n)
    time.sleep(0.05)' "http://$M/metrics" $((SECS + 3)) "$TMP/scrapes"
hammer=$BG
relay_run scraped
bg_stop "$hammer"
n=$(cat "$TMP/scrapes" 2>/dev/null || echo 0)
losses scraped >"$TMP/scraped.loss" && [ "$n" -gt $((SECS * 10)) ] &&
	pass "$n scrapes while media flows miss no frame: $(cat "$TMP/scraped.loss")" ||
	fail "media with scrapes" "$n scrapes; $(cat "$TMP/scraped.loss" "$TMP/scraped.run")"

# What Prometheus stored is what rtctl shows, once a scrape follows the media.
if [ $have_prom = 1 ]; then
	fwd=$(rtd_stat apps.relay forwarded)
	rtp=$(rtd_stat apps.relay rtp)
	wait_for -t 5 prom_is 'sum(rtd_relay_forwarded_packets_total)' "$fwd"
	got=$(promql 'sum(rtd_relay_forwarded_packets_total)')
	got_rtp=$(promql 'sum(rtd_relay_packets_total{kind="rtp"})')
	[ "$got" = "$fwd" ] && [ "$got_rtp" = "$rtp" ] && [ "$fwd" -gt 0 ] &&
		pass "PromQL: relayed packets $got, RTP $got_rtp, as rtctl -j stats shows" ||
		fail "PromQL vs rtctl" "forwarded: prometheus $got, rtctl $fwd; rtp: $got_rtp, $rtp"
	sessions=$(promql 'rtd_relay_sessions_total')
	offers=$(promql 'rtd_ng_requests_total{command="offer",result="ok"}')
	p99=$(promql 'histogram_quantile(0.99, sum by (le) (rtd_inhost_latency_seconds_bucket))')
	[ "$sessions" = $((2 * CALLS)) ] && [ "$offers" = $((2 * CALLS)) ] &&
		python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 0 < v < 1 else 1)' "$p99" &&
		pass "PromQL: $sessions sessions and offers; in-host p99 from the histogram ${p99}s" ||
		fail "PromQL relay and histogram" "sessions $sessions offers $offers p99 $p99"
fi

scrape >"$TMP/last.txt"
python3 - "$TMP/last.txt" <<'PY' >"$TMP/cost" && pass "scrape cost: $(cat "$TMP/cost")" || fail "scrape cost" "$(cat "$TMP/cost")"
import sys
v = {}
for line in open(sys.argv[1]):
    if not line.startswith("#") and line.strip():
        k, _, x = line.rpartition(" ")
        v[k] = float(x)
n = v["rtd_metrics_scrape_duration_seconds_count"]
mean = v["rtd_metrics_scrape_duration_seconds_sum"] / n * 1e6
print("%d scrapes, %.0f us on average, %.0f us at most, %d bytes, ng lock held %.0f us" %
      (n, mean, v["rtd_metrics_scrape_max_seconds"] * 1e6, v["rtd_metrics_body_bytes"],
       v["rtd_metrics_ng_lock_seconds"] * 1e6))
sys.exit(0 if n > 0 and mean < 20000 else 1)
PY

if [ $have_prom = 1 ]; then
	p=$PROM_PID
	prom_stop
	! kill -0 "$p" 2>/dev/null && [ ! -e "$PROM_DIR" ] &&
		pass "Prometheus stopped and its data removed" || fail "Prometheus cleanup" "pid $p"
fi
rtd_stop
topo_down
summary
