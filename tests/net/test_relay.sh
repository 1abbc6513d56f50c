#!/bin/sh
# The RT media relay driven over rtpengine's ng protocol: offer/answer
# rewrite SDP and steer a call's ports, RTP and RTCP flow both ways through
# rtd with latching, query/list/statistics report, delete frees, silent
# calls time out, bad input gets error replies.
set -u
. "$(dirname "$0")/../lib.sh"

topo_up
ip -n $PEER addr add 198.18.0.3/24 dev rtdp0
if ! rtd_start --iface rtd0 --rt-ports 30000-30099 --app relay --cpu 1 --media-timeout 10; then
	fail "rtd starts with the relay" "$(cat "$RTD_LOG")"
	summary
	exit
fi
grep -q "ng: listening on 127.0.0.1:2223,\[::1\]:2223 for 50 port pairs" "$RTD_LOG" &&
	pass "the ng server listens on 127.0.0.1:2223 and [::1]:2223 with the range's port pairs" ||
	fail "ng listening" "$(cat "$RTD_LOG")"

# Control side, in the host: what Kamailio's rtpengine module sends.
in_host python3 - "$ROOT/tests" "$TMP" <<'PY' >"$TMP/ng.out" 2>&1
import json, re, sys
sys.path.insert(0, sys.argv[1])
from ngclient import Ng
ng = Ng()
out = {}
out["ping"] = ng.call(command="ping")["result"].decode()
out["ping6"] = Ng(("::1", 2223)).call(command="ping")["result"].decode()
offer_sdp = ("v=0\r\no=alice 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.0.2\r\nt=0 0\r\n"
             "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=x-keep:yes\r\n")
r = ng.call(cookie="c-offer-1", command="offer", call_id="call-1", from_tag="ft", sdp=offer_sdp,
            flags=["trust-address"], replace=["origin", "session-connection"], ICE="remove",
            received_from=["IP4", "127.0.0.1"], transport_protocol="RTP/AVP", supports=["load limit"])
out["offer_result"] = r["result"].decode()
sdp = r["sdp"].decode()
out["offer_c"] = "c=IN IP4 198.18.0.1" in sdp and "198.18.0.2" not in sdp and "a=x-keep:yes" in sdp
out["port_b"] = int(re.search(r"m=audio (\d+)", sdp).group(1))
out["cached_same"] = ng.call(cookie="c-offer-1", command="offer", call_id="call-1", from_tag="ft",
                             sdp=offer_sdp) == r
ans_sdp = "v=0\r\no=bob 2 2 IN IP4 198.18.0.3\r\ns=-\r\nc=IN IP4 198.18.0.3\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n"
r = ng.call(command="answer", call_id="call-1", from_tag="ft", to_tag="tt", sdp=ans_sdp)
out["answer_result"] = r["result"].decode()
out["port_a"] = int(re.search(r"m=audio (\d+)", r["sdp"].decode()).group(1))
out["list"] = [c.decode() for c in ng.call(command="list")["calls"]]
out["unknown"] = ng.call(command="frobnicate")
out["no_callid"] = ng.call(command="offer", sdp=offer_sdp)
out["bad_sdp"] = ng.call(command="offer", call_id="x", sdp="garbage")
out["answer_unknown"] = ng.call(command="answer", call_id="nope", sdp=ans_sdp)
out["garbage"] = ng.raw(b"ck1 d7:command")
json.dump(out, open(sys.argv[2] + "/ng.json", "w"), default=lambda b: b.decode(errors="replace"))
print(out["port_a"], out["port_b"])
PY
read -r PA PB <"$TMP/ng.out"

# Media at once (the call ends after 10 s without any): A is 198.18.0.2:40000,
# B is 198.18.0.3:40002, both in the peer namespace.
in_peer python3 - "$PA" "$PB" <<'PY' >"$TMP/media.out" 2>&1
import socket, struct, sys, time
pa, pb = int(sys.argv[1]), int(sys.argv[2])
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("198.18.0.2", 40000)); a.settimeout(0.5)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("198.18.0.3", 40002)); b.settimeout(0.5)
got_b = got_a = 0
src_b = src_a = None
for seq in range(50):
    rtp = struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x1234) + b"\xd5" * 160
    a.sendto(rtp, ("198.18.0.1", pa))
    try:
        d, src_b = b.recvfrom(2048); got_b += d == rtp
    except socket.timeout:
        pass
    b.sendto(rtp, ("198.18.0.1", pb))
    try:
        d, src_a = a.recvfrom(2048); got_a += d == rtp
    except socket.timeout:
        pass
    time.sleep(0.02)
ra = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ra.bind(("198.18.0.2", 40001))
rb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rb.bind(("198.18.0.3", 40003)); rb.settimeout(1)
ra.sendto(b"\x81\xc9\x00\x01rtcp", ("198.18.0.1", pa + 1))
try:
    d, src = rb.recvfrom(2048); rtcp_ok = d.startswith(b"\x81\xc9") and src == ("198.18.0.1", pb + 1)
except socket.timeout:
    rtcp_ok = False
print(got_b, got_a, "%s:%s" % src_b if src_b else "-", "%s:%s" % src_a if src_a else "-", rtcp_ok)
PY
read -r gb ga srcb srca rtcp <"$TMP/media.out"
[ "${gb:-0}" -ge 48 ] && [ "${ga:-0}" -ge 48 ] &&
	pass "RTP flows both ways through rtd ($gb and $ga of 50)" || fail "media" "$(cat "$TMP/media.out")"
[ "$srcb" = "198.18.0.1:$PB" ] && [ "$srca" = "198.18.0.1:$PA" ] &&
	pass "each side sees the relay's address and the other leg's port as the source" ||
	fail "media sources" "$(cat "$TMP/media.out") PA=$PA PB=$PB"
[ "$rtcp" = True ] && pass "RTCP is relayed on the odd ports" || fail "rtcp" "$(cat "$TMP/media.out")"

calls=$(rtctl -j calls)
echo "$calls" | python3 -c '
import json, sys
legs = [l for l in json.load(sys.stdin)["legs"] if l["call_id"] == "call-1"]
ok = len(legs) == 2 and all(l["packets"] >= 48 and l["latched"] for l in legs)
ok = ok and {l["peer"] for l in legs} == {"198.18.0.2", "198.18.0.3"}
sys.exit(0 if ok else 1)' && pass "rtctl calls shows both legs, latched peers and their counters" ||
	fail "rtctl calls" "$calls"

in_host python3 - "$ROOT/tests" <<'PY' >"$TMP/q.out" 2>&1
import sys
sys.path.insert(0, sys.argv[1])
from ngclient import Ng
ng = Ng()
q = ng.call(command="query", call_id="call-1")
st = q["tags"]["ft"]["medias"][0]["streams"][0]["stats"]
print(q["result"].decode(), st["packets"], st["lost"], st["forwarded"])
s = ng.call(command="statistics")["statistics"]["currentstatistics"]["sessionsown"]
d = ng.call(command="delete", call_id="call-1", from_tag="ft")["result"].decode()
print(s, d, len(ng.call(command="list")["calls"]))
PY
set -- $(cat "$TMP/q.out")
[ "${1:-}" = ok ] && [ "${2:-0}" -ge 48 ] && [ "${3:-9}" -eq 0 ] &&
	pass "query reports the offerer's stream: packets, no loss" || fail "query" "$(cat "$TMP/q.out")"
[ "${5:-}" = 1 ] && [ "${6:-}" = ok ] && [ "${7:-}" = 0 ] &&
	pass "statistics counts the call; delete ends it" || fail "statistics/delete" "$(cat "$TMP/q.out")"
stats=$(rtctl -j stats)
echo "$stats" | python3 -c 'import json,sys; a=json.load(sys.stdin)["apps"]["relay"]; sys.exit(0 if a["forwarded"] >= 96 and a["rtp"] >= 96 else 1)' &&
	pass "rtctl stats shows the relay's counters" || fail "relay counters" "$stats"

ngj() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP/ng.json" "$1"; }
[ "$(ngj 'j["ping"]')" = pong ] && [ "$(ngj 'j["ping6"]')" = pong ] &&
	pass "ping gets pong over IPv4 and IPv6 (Kamailio's start-up check)" || fail "ping" "$(cat "$TMP/ng.out")"
[ "$(ngj 'j["offer_result"]')" = ok ] && [ "$(ngj 'j["offer_c"]')" = True ] &&
	pass "offer: SDP rewritten to the shared address, unknown lines kept" || fail "offer" "$(cat "$TMP/ng.json")"
[ "$(ngj 'j["cached_same"]')" = True ] && pass "a repeated cookie gets the cached reply" || fail "cookie cache" ""
[ "$(ngj 'j["answer_result"]')" = ok ] && [ "$(ngj 'j["list"]')" = "['call-1']" ] &&
	pass "answer completes the call; list shows it" || fail "answer/list" "$(cat "$TMP/ng.json")"
[ "$(ngj 'j["unknown"]["result"]')" = error ] && ngj 'j["unknown"]["error-reason"]' | grep -q Unrecognized &&
	[ "$(ngj 'j["no_callid"]["result"]')" = error ] && ngj 'j["bad_sdp"]["error-reason"]' | grep -q "sdp: line 1" &&
	[ "$(ngj 'j["answer_unknown"]["result"]')" = error ] && ngj 'j["garbage"]' | grep -q "ck1 d6:result5:error" &&
	pass "bad commands, SDP and bencode get error replies with a reason" || fail "errors" "$(cat "$TMP/ng.json")"

# Deleted: the port is no longer steered; nothing comes back.
in_peer python3 - "$PA" <<'PY' && pass "after delete the call's ports are released" || fail "released" ""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.0.3", 40002)); s.settimeout(0.5)
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("198.18.0.2", 40000))
a.sendto(b"\x80\x00\x00\x01" + b"x" * 20, ("198.18.0.1", int(sys.argv[1])))
try:
    s.recvfrom(100); sys.exit(1)
except socket.timeout:
    sys.exit(0)
PY

# A call that never sends media is ended by the media timeout.
in_host python3 - "$ROOT/tests" <<'PY' >/dev/null 2>&1
import sys
sys.path.insert(0, sys.argv[1])
from ngclient import Ng
Ng().call(command="offer", call_id="silent", from_tag="x",
          sdp="v=0\r\nc=IN IP4 198.18.0.2\r\nm=audio 41000 RTP/AVP 0\r\n")
PY
sleep 12
grep -q "call 'silent': no media for 10 s, ended" "$RTD_LOG" && pass "silent calls end after the media timeout" ||
	fail "media timeout" "$(tail -5 "$RTD_LOG")"
rtd_stop
topo_down
summary
