#!/bin/sh
# Install the Debian packages rtd needs to build, test and demo.
# Idempotent and quiet: does nothing when everything is present.
set -eu

BUILD="make gcc dpkg-dev clang-16 llvm pkg-config libbpf-dev libxdp-dev liburing-dev bpftool libelf-dev zlib1g-dev libssl-dev libjansson-dev libmicrohttpd-dev libhiredis-dev"
TEST="libcmocka-dev qemu-system-x86 busybox-static curl xz-utils iproute2 iputils-ping netcat-openbsd socat iperf3 sockperf ethtool tcpdump python3 procps psmisc gnuplot-nox kamailio sip-tester rtpengine-daemon tshark baresip-core python3-aiortc python3-aioice rtpengine-utils libclang-rt-16-dev prometheus python3-seccomp libsrtp2-dev chromium kamailio-websocket-modules python3-websockets redis-server iputils-arping python3-pylibsrtp"
DEMO="gnuplot-nox"

case "${1:-all}" in
build) want="$BUILD" ;;
test) want="$BUILD $TEST" ;;
all | demo | bench) want="$BUILD $TEST $DEMO" ;;
*) echo "deps.sh: unknown set '$1' (build, test, demo, bench, all)" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
