# Shared by the namespace tests, the demo and the benchmark (POSIX sh).
# shellcheck shell=sh disable=SC2034
#
# Two hosts: rtdh, the host under test, and rtdp, its peer, joined by a veth
# pair rtd0 (198.18.0.1/24, 2001:2::1/64) <-> rtdp0 (198.18.0.2/24,
# 2001:2::2/64).  Only benchmarking addresses (198.18.0.0/15, 2001:2::/48).
# Sourcing this installs a trap that tears everything down on exit, however
# the script ends (success, failure, INT, TERM).
#
#   RTD_NS_HOST, RTD_NS_PEER   other namespace names, so two runs on one
#                              machine do not tear down each other's
#                              (default rtdh, rtdp)

ROOT=$(cd "$(dirname "$0")" && pwd)
while [ ! -f "$ROOT/Makefile" ] && [ "$ROOT" != / ]; do ROOT=$(dirname "$ROOT"); done
TOOLS=$ROOT/build/tools
RTD_BIN=${RTD_BIN:-$ROOT/build/rtd} # another build, to compare
RTCTL_BIN=$ROOT/build/rtctl
HOST=${RTD_NS_HOST:-rtdh}
PEER=${RTD_NS_PEER:-rtdp}
TMP=$(mktemp -d /tmp/rtd-test.XXXXXX) || exit 1
RTD_PID=
RTD_SOCK=$TMP/rtd.sock
RTD_LOG=$TMP/rtd.log
NAME=$(basename "$0")
PASSED=0
FAILED=0
SKIPPED=0

in_host() { ip netns exec "$HOST" "$@"; }
in_peer() { ip netns exec "$PEER" "$@"; }

# bg_host CMD... / bg_peer CMD...: start CMD in the background, its pid in $BG.
# "in_host CMD &" would give the pid of a subshell: killing that leaves CMD
# running.  ip netns exec execs CMD, so here $! is CMD itself.
bg_host() { ip netns exec "$HOST" "$@" & BG=$!; }
bg_peer() { ip netns exec "$PEER" "$@" & BG=$!; }

# bg_stop PID...: TERM, up to 2 s to exit (and write what it writes on exit),
# then KILL; reaps them.
bg_stop() {
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}

ns_exists() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx "$1"; }

# ns_kill NS: TERM what runs in NS, give it a second, then KILL what is left.
ns_kill() {
	pids=$(ip netns pids "$1" 2>/dev/null)
	[ -n "$pids" ] || return 0
	echo "$pids" | xargs -r kill -TERM 2>/dev/null
	i=0
	while [ $i -lt 10 ] && [ -n "$(ip netns pids "$1" 2>/dev/null)" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ip netns pids "$1" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	return 0
}

# topo_down: idempotent; safe when nothing exists.
topo_down() {
	rtd_stop
	for ns in $HOST $PEER; do
		ns_exists "$ns" || continue
		ns_kill "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# topo_up [NQUEUES]
topo_up() {
	q=${1:-1}
	topo_down
	for ns in $HOST $PEER; do
		ip netns add "$ns" || return 1
		# Before the veth exists, so it inherits the defaults.  No DAD:
		# IPv6 (link-local included) is usable at once.  No router
		# solicitations (there is no router) and MLD reports sent at once
		# rather than spread over a second: from link-up on, the link
		# carries only what a test sends, which per-queue counts rely on.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.default.mldv2_unsolicited_report_interval=0 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip link add rtd0 numtxqueues "$q" numrxqueues "$q" netns "$HOST" type veth \
		peer name rtdp0 numtxqueues "$q" numrxqueues "$q" netns "$PEER" || return 1
	ip -n "$HOST" addr add 198.18.0.1/24 dev rtd0 &&
		ip -n "$HOST" addr add 2001:2::1/64 dev rtd0 nodad &&
		ip -n "$PEER" addr add 198.18.0.2/24 dev rtdp0 &&
		ip -n "$PEER" addr add 2001:2::2/64 dev rtdp0 nodad || return 1
	# Both ends keep their defaults, TX checksum offload on: the peer's UDP
	# reaches rtd with partial checksums, as from a container or a VM.
	ip -n "$HOST" link set rtd0 up && ip -n "$PEER" link set rtdp0 up || return 1
	# Carrier reaches addrconf through linkwatch, up to a second later; its
	# link-local addresses and MLD reports would then land in the middle of
	# a test.  Wait for both link-locals, then for the reports to go out.
	wait_for in_host sh -c 'ip -6 addr show dev rtd0 scope link | grep -q inet6' &&
		wait_for in_peer sh -c 'ip -6 addr show dev rtdp0 scope link | grep -q inet6' || return 1
	sleep 0.2
}

# rtd_start ARGS...: build/rtd in the host namespace, in the background,
# stderr to $RTD_LOG; returns once it says it is ready (up to 10 s).
rtd_start() {
	rtd_stop
	: >"$RTD_LOG"
	ip netns exec "$HOST" "$RTD_BIN" --ctl-socket "$RTD_SOCK" --state-dir "$TMP/state" "$@" \
		2>"$RTD_LOG" &
	RTD_PID=$!
	i=0
	# Polled every 20 ms: a restart test times the gap around it.
	while [ $i -lt 500 ]; do
		grep -Eq '^rtd: (main: )?ready' "$RTD_LOG" && return 0
		kill -0 "$RTD_PID" 2>/dev/null || break
		sleep 0.02
		i=$((i + 1))
	done
	echo "rtd did not start:" >&2
	sed 's/^/    /' "$RTD_LOG" >&2
	kill -9 "$RTD_PID" 2>/dev/null
	wait "$RTD_PID" 2>/dev/null
	RTD_PID=
	return 1
}

# rtd_stop: TERM, up to 5 s to detach and restore, then KILL.
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
	return 0
}

rtctl() { in_host "$RTCTL_BIN" -s "$RTD_SOCK" "$@"; }

# rtpengine_start NG_ADDR:PORT ARGS...: Debian's rtpengine in the host
# namespace, in user space (--table=-1), one thread, deleted calls gone at
# once, its log in $TMP/rtpengine.log.  Where it is missing or does not
# start, says so as a skip of the side-by-side run and returns 1.
RTPENGINE_PID=
rtpengine_start() {
	listen=$1
	shift
	if ! command -v rtpengine >/dev/null 2>&1; then
		skip "rtpengine side by side" "rtpengine is not installed"
		return 1
	fi
	bg_host rtpengine --table=-1 --listen-ng="$listen" --delete-delay=0 --num-threads=1 \
		--foreground --log-stderr --log-level=4 "$@" >"$TMP/rtpengine.log" 2>&1
	RTPENGINE_PID=$BG
	wait_for in_host sh -c "ss -lun | grep -q '$listen '" && return 0
	skip "rtpengine side by side" "rtpengine did not start: $(tail -3 "$TMP/rtpengine.log")"
	rtpengine_stop
	return 1
}
rtpengine_stop() {
	[ -n "$RTPENGINE_PID" ] && bg_stop "$RTPENGINE_PID"
	RTPENGINE_PID=
	return 0
}

# rtd_stat GROUP NAME: a counter from rtctl -j stats, summed over queues where
# the group is per queue; GROUP may name an app's counters, as apps.echo.
rtd_stat() {
	rtctl -j stats | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
n = sys.argv[2]
print(sum(q[n] for q in v) if isinstance(v, list) else v[n])' "$1" "$2"
}

# wait_for [-t SECONDS] CMD...: retry CMD every 0.1 s until it succeeds, for up
# to SECONDS (default 5); its output is discarded.
wait_for() {
	n=50
	if [ "${1:-}" = -t ]; then
		n=$(($2 * 10))
		shift 2
	fi
	i=0
	while [ $i -lt $n ]; do
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

# fail NAME [MSG]: MSG (several lines are fine) is shown indented.
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'
	return 0
}

# skip NAME WHY: a check that cannot run here; counted apart, never as passed.
skip() {
	SKIPPED=$((SKIPPED + 1))
	echo "skip $1: $2"
}

summary() {
	echo "$NAME: $PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" -eq 0 ]
}

cleanup() {
	trap - EXIT INT TERM
	rtpengine_stop
	topo_down
	rm -rf "$TMP"
}
# The EXIT trap runs on every exit; INT and TERM become exits, with the
# status a shell reports for the signal, so the EXIT trap runs for them too.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
