#!/bin/sh
# Debian's rtpengine-ng-client (rtpengine-utils: Perl, NGCP::Rtpengine)
# drives rtd as it drives rtpengine, in bencode and with --json: offer,
# answer, query, list, statistics, delete, and the error for an unknown
# call.  The same commands go to Debian's rtpengine in the same run; where
# the replies differ in their keys, the test prints both.
set -u
. "$(dirname "$0")/../lib.sh"

SDP=$(printf 'v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n')
# ngc OUT PORT [--json] CMD ARGS...: the client's output in $TMP/OUT, its status returned
ngc() {
	out=$1 port=$2
	shift 2
	in_host rtpengine-ng-client --proxy-address 127.0.0.1 --proxy-port "$port" "$@" \
		>"$TMP/$out" 2>&1
}
# keydiff A B: the keys of one Result dictionary (Data::Dumper) but not the other's
keydiff() {
	python3 - "$1" "$2" <<'PY'
import re, sys
def keys(f):
    return {m.group(1).strip("'") for m in re.finditer(r"^ +('[^']*'|\w+) => ", open(f).read(), re.M)}
a, b = keys(sys.argv[1]), keys(sys.argv[2])
print("only rtd: %s; only rtpengine: %s" % (" ".join(sorted(a - b)) or "-", ", ".join(sorted(b - a)) or "-"))
PY
}

# script WHO PORT LO HI [--json]: the commands a proxy sends, each checked
script() {
	who=$1 port=$2 lo=$3 hi=$4 json=${5:-}
	tag="$who${json:+ --json}"
	id="ngc-$who${json:+-json}"
	ngc "$who$json.offer" "$port" $json offer --call-id="$id" --from-tag=a --sdp="$SDP" &&
		p=$(sed -n '/^New SDP/,$s/^m=audio \([0-9]*\).*/\1/p' "$TMP/$who$json.offer") &&
		grep -q '^c=IN IP4 198.18.0.1' "$TMP/$who$json.offer" &&
		[ "${p:-0}" -ge "$lo" ] && [ "$p" -le "$hi" ] &&
		ngc "$who$json.answer" "$port" $json answer --call-id="$id" --from-tag=a --to-tag=b \
			--sdp="$SDP" &&
		grep -q '^c=IN IP4 198.18.0.1' "$TMP/$who$json.answer" &&
		pass "$tag: offer and answer give the relay's address and a port of its range" ||
		fail "$tag: offer and answer" "$(cat "$TMP/$who$json.offer" "$TMP/$who$json.answer" 2>/dev/null)"
	ngc "$who$json.query" "$port" $json query --call-id="$id" &&
		grep -q "^      tag => 'b'" "$TMP/$who$json.query" &&
		grep -q "^      tag => 'a'" "$TMP/$who$json.query" &&
		grep -q '^  totals => {' "$TMP/$who$json.query" &&
		pass "$tag: query shows both tags and the totals" ||
		fail "$tag: query" "$(cat "$TMP/$who$json.query")"
	ngc "$who$json.list" "$port" $json list &&
		grep -q "'$id'" "$TMP/$who$json.list" &&
		ngc "$who$json.stats" "$port" $json statistics &&
		grep -q 'currentstatistics' "$TMP/$who$json.stats" &&
		pass "$tag: list names the call, statistics answers" ||
		fail "$tag: list and statistics" "$(cat "$TMP/$who$json.list" "$TMP/$who$json.stats")"
	ngc "$who$json.delete" "$port" $json delete --call-id="$id" --from-tag=a &&
		! ngc "$who$json.gone" "$port" $json query --call-id="$id" &&
		grep -q 'Error reason: "Unknown call-id"' "$TMP/$who$json.gone" &&
		pass "$tag: delete ends the call, and a query after it is the error 'Unknown call-id'" ||
		fail "$tag: delete" "$(cat "$TMP/$who$json.delete" "$TMP/$who$json.gone")"
}

if ! command -v rtpengine-ng-client >/dev/null 2>&1; then
	skip "rtpengine-ng-client" "rtpengine-utils is not installed"
	summary
	exit
fi
topo_up
if ! rtd_start --iface rtd0 --rt-ports 30000-30999 --app relay --cpu 1; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	summary
	exit
fi
script rtd 2223 30000 30999
script rtd 2223 30000 30999 --json
in_host python3 -c '
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"c1 {\"command\": \"ping\"", ("127.0.0.1", 2223)); print(s.recv(999).decode())' \
	>"$TMP/badjson" 2>&1
grep -q '^c1 {"result": *"error", *"error-reason": *"[^"]*JSON' "$TMP/badjson" &&
	pass "malformed JSON gets a JSON error reply that says so" ||
	fail "malformed JSON" "$(cat "$TMP/badjson")"
rtd_stop

if rtpengine_start 127.0.0.1:2224 --interface=198.18.0.1 --port-min=40100 --port-max=40999; then
	script rtpengine 2224 40100 40999
	script rtpengine 2224 40100 40999 --json
	for c in query stats; do
		echo "    $c keys: $(keydiff "$TMP/rtd.$c" "$TMP/rtpengine.$c")"
	done
	rtpengine_stop
fi
topo_down
summary
