#!/bin/sh
# Bad input gets a one-line error naming the culprit, and nothing breaks:
# options, config files, frames and control messages.
set -u
. "$(dirname "$0")/../lib.sh"

RTD=$RTD_BIN

expect_error() { # name, expected text, rtd args...
	name=$1 want=$2
	shift 2
	out=$("$RTD" "$@" 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && printf '%s' "$out" | grep -qF -- "$want"; then
		pass "$name"
	else
		fail "$name" "rc=$rc: $out"
	fi
}

expect_error "a port out of range is refused, naming it" "'70000' is not a port" --iface lo --rt-ports 70000
expect_error "a descending range is refused" "5099-5004" --iface lo --rt-ports 5099-5004
expect_error "an unknown XDP mode is refused" "--xdp-mode: 'fast'" --iface lo --rt-ports 5004 --xdp-mode fast
expect_error "an unknown application is refused" "--app: 'nope'" --iface lo --rt-ports 5004 --app nope
expect_error "a missing interface is refused" "--iface: 'nosuch0'" --iface nosuch0 --rt-ports 5004
expect_error "missing ports are refused" "rt-ports" --iface lo

printf 'rt-ports = 5004\n# fine\nrt-prots = 5005\n' >"$TMP/bad.conf"
expect_error "a bad config line names file and line" "$TMP/bad.conf:3: unknown key 'rt-prots'" \
	--iface lo --config "$TMP/bad.conf"
expect_error "a missing config file is named" "$TMP/none.conf" --iface lo --config "$TMP/none.conf"

topo_up
if ! rtd_start --iface rtd0 --rt-ports 7000 --cpu 1; then
	fail "rtd starts" "$(cat "$RTD_LOG")"
	topo_down
	summary
	exit
fi

# Hand-made frames from the peer: a bad UDP checksum and a UDP length that
# runs past the datagram.  Both must be counted and dropped, not answered.
hmac=$(in_host cat /sys/class/net/rtd0/address)
in_peer python3 - "$hmac" <<'PY'
import socket, struct, sys

dst = bytes.fromhex(sys.argv[1].replace(":", ""))
src = bytes.fromhex(open("/sys/class/net/rtdp0/address").read().strip().replace(":", ""))

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def frame(udp_len_delta=0, bad_csum=False):
    saddr, daddr = socket.inet_aton("198.18.0.2"), socket.inet_aton("198.18.0.1")
    payload = b"malformed-test!!"
    ulen = 8 + len(payload)
    udp = struct.pack("!HHHH", 40000, 7000, ulen + udp_len_delta, 0) + payload
    ph = saddr + daddr + struct.pack("!BBH", 0, 17, ulen)
    c = csum(ph + udp) or 0xFFFF
    if bad_csum:
        c ^= 0x5A5A
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 64, 17, 0, saddr, daddr)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst + src + b"\x08\x00" + ip + udp

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("rtdp0", 0))
for _ in range(5):
    s.send(frame(bad_csum=True))
    s.send(frame(udp_len_delta=40))
PY
sleep 0.3
stats=$(rtctl -j stats)
echo "$stats" | python3 -c '
import json, sys
j = json.load(sys.stdin)
st = {k: sum(q[k] for q in j["stack"]) for k in ("bad_checksum", "malformed", "tx_packets")}
sys.exit(0 if st["bad_checksum"] >= 5 and st["malformed"] >= 5 and st["tx_packets"] == 0 else 1)' &&
	pass "malformed frames on an RT port are counted and dropped" || fail "malformed frames" "$stats"
in_peer "$TOOLS/udpping" -d 198.18.0.1 -p 7000 -n 5 -T 200 >/dev/null &&
	pass "rtd still answers after malformed frames" || fail "answers after malformed frames" ""

# Garbage on the control socket gets an error reply; rtd carries on.
reply=$(in_host python3 - "$RTD_SOCK" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"\x07garbage")
r = s.recv(1 << 20)
ver, cmd, err = struct.unpack("<IIi", r[:12])
print(err, r[12:212].split(b"\0")[0].decode())
PY
)
case "$reply" in
-*" "?*) pass "a malformed control message gets an error reply ($reply)" ;;
*) fail "malformed control message" "$reply" ;;
esac
rtctl status >/dev/null && pass "rtd keeps serving rtctl after garbage" || fail "rtctl after garbage" ""

# rtctl takes rtd's long spellings too.
a=$(in_host "$RTCTL_BIN" --ctl-socket "$RTD_SOCK" --json status 2>&1)
b=$(in_host "$RTCTL_BIN" --ctl-socket="$RTD_SOCK" --json --pretty port 2>&1)
c=$(in_host "$RTCTL_BIN" -json -s "$RTD_SOCK" port 2>&1)
echo "$a" | grep -q '"iface":"rtd0"' && echo "$b" | grep -q '"ports": "7000"' &&
	echo "$c" | grep -q '"ports":"7000"' &&
	pass "rtctl takes --ctl-socket, --json and --pretty as rtd spells them" ||
	fail "rtctl long options" "$a | $b | $c"
out=$(in_host "$RTCTL_BIN" --bogus status 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "'--bogus' is unknown" && pass "rtctl names an unknown option" ||
	fail "rtctl unknown option" "$out"

out=$(rtctl port add 70000 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "'70000' is not a port" &&
	pass "rtctl refuses a bad spec with a one-line error" || fail "rtctl bad spec" "rc=$rc $out"
out=$(rtctl frobnicate 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -qi "frobnicate" && pass "rtctl names an unknown object" ||
	fail "rtctl unknown object" "$out"
out=$(rtctl port del 7999 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "7999" && pass "deleting a port that is not RT is an error naming it" ||
	fail "port del of a non-RT port" "$out"

rtd_stop
topo_down
summary
