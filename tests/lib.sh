# Shared by the namespace tests, the demo and the benchmark (POSIX sh).
#
# Two hosts: rtdh, the host under test, and rtdp, its peer, joined by a veth
# pair rtd0 (198.18.0.1/24, 2001:2::1/64) <-> rtdp0 (198.18.0.2/24,
# 2001:2::2/64).  Only benchmarking addresses (198.18.0.0/15, 2001:2::/48).
# Sourcing this installs a trap that tears everything down on exit, however
# the script ends.

ROOT=$(cd "$(dirname "$0")" && pwd)
while [ ! -f "$ROOT/Makefile" ] && [ "$ROOT" != / ]; do ROOT=$(dirname "$ROOT"); done
TOOLS=$ROOT/build/tools
RTD_BIN=$ROOT/build/rtd
RTCTL_BIN=$ROOT/build/rtctl
HOST=rtdh
PEER=rtdp
TMP=$(mktemp -d /tmp/rtd-test.XXXXXX)
RTD_PID=
RTD_SOCK=$TMP/rtd.sock
RTD_LOG=$TMP/rtd.log
NAME=$(basename "$0")
PASSED=0
FAILED=0

in_host() { ip netns exec $HOST "$@"; }
in_peer() { ip netns exec $PEER "$@"; }

topo_down() {
	rtd_stop
	for ns in $HOST $PEER; do
		if ip netns list | grep -qw "^$ns"; then
			ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del $ns 2>/dev/null
		fi
	done
	return 0
}

# topo_up [NQUEUES]
topo_up() {
	q=${1:-1}
	topo_down
	ip netns add $HOST && ip netns add $PEER &&
		ip link add rtd0 numtxqueues "$q" numrxqueues "$q" netns $HOST type veth \
			peer name rtdp0 numtxqueues "$q" numrxqueues "$q" netns $PEER || return 1
	for ns in $HOST $PEER; do
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		ip -n $ns link set lo up
	done
	ip -n $HOST addr add 198.18.0.1/24 dev rtd0
	ip -n $HOST addr add 2001:2::1/64 dev rtd0 nodad
	ip -n $PEER addr add 198.18.0.2/24 dev rtdp0
	ip -n $PEER addr add 2001:2::2/64 dev rtdp0 nodad
	# A veth peer with TX checksum offload hands over UDP whose checksum is
	# still partial (it never crossed a wire); a NIC would have completed it.
	in_peer ethtool -K rtdp0 tx off >/dev/null 2>&1
	ip -n $HOST link set rtd0 up
	ip -n $PEER link set rtdp0 up
}

rtd_start() {
	: >"$RTD_LOG"
	ip netns exec $HOST "$RTD_BIN" --ctl-socket "$RTD_SOCK" --state-dir "$TMP/state" "$@" 2>"$RTD_LOG" &
	RTD_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q "rtd: main: ready" "$RTD_LOG" && return 0
		kill -0 "$RTD_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "rtd did not start:" >&2
	cat "$RTD_LOG" >&2
	kill -9 "$RTD_PID" 2>/dev/null
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
	return 1
}

rtd_stop() {
	[ -n "$RTD_PID" ] || return 0
	kill -TERM "$RTD_PID" 2>/dev/null
	i=0
	while kill -0 "$RTD_PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$RTD_PID" 2>/dev/null
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
}

rtctl() { in_host "$RTCTL_BIN" -s "$RTD_SOCK" "$@"; }

# wait_for CMD...: retry for up to 5 s.
wait_for() {
	i=0
	while [ $i -lt 50 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

pass() {
	PASSED=$((PASSED + 1))
	echo "ok   $1"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'
	return 0
}

summary() {
	echo "$NAME: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

cleanup() {
	topo_down
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
