# Headless SIP phones for the namespace tests: Debian's baresip 1.0, sourced
# after tests/lib.sh (POSIX sh).
# shellcheck shell=sh disable=SC2034
#
# Each phone NAME is one baresip with its own directory $TMP/bs-NAME
# (config, accounts, contacts; HOME points there too, so ~/.baresip is never
# read), no sound card and no UI on the terminal:
#   - it sends a WAV (aufile, an audio source: the WAV's rate must be the
#     codec's, 8 kHz mono 16-bit for G.711 -- tests/audio.py tone writes one);
#     when the WAV runs out baresip ends the call, so make it longer than the
#     call;
#   - it records what it receives (sndfile, an audio filter: every decoded
#     frame to dump-TIME-dec.wav, what it sends to dump-TIME-enc.wav, in
#     $TMP/bs-NAME/rec, TIME to the second: one call per phone per second;
#     no audio player is loaded, so nothing else consumes the received
#     audio).  Frames are written as they are decoded: media that never came
#     is missing from the file, not silence in it, so compare the file's
#     length with the call's;
#   - G.711 (PCMU, PCMA) only, so that the codec is known;
#   - it answers every call at once (account answermode=auto);
#   - it is driven over ctrl_tcp (JSON in netstrings) on 127.0.0.1 of its
#     namespace; menu.so provides the commands (dial, hangup, quit, ...).
#
#   bs_start NAME ADDR PORT WAV [MEDIAENC [RTP_PORTS]]
#       start phone NAME listening for SIP on ADDR:PORT (UDP; ADDR IPv4 or
#       IPv6, no brackets; the phone uses that family only, for SIP and
#       media), sending WAV; MEDIAENC is "" (plain RTP/AVP), srtp (SDES,
#       RTP/AVP offered with a=crypto), srtp-mand (SDES, RTP/SAVP),
#       srtp-mandf (RTP/SAVPF) or dtls_srtp (UDP/TLS/RTP/SAVP); RTP_PORTS a
#       range, default 10000-10999.  It runs in $BS_NETNS (default $PEER).
#       Returns once it listens (up to 5 s); the log is $TMP/bs-NAME/log.
#   bs_cmd NAME COMMAND [PARAMS]   a menu command over ctrl_tcp; prints its
#                                  answer, fails if baresip says not ok
#   bs_dial NAME URI               place a call
#   bs_wait_established NAME [N [S]]  until N calls (default 1) of this phone
#                                  have been established, for up to S seconds
#                                  (default 10)
#   bs_wait_closed NAME [N [S]]    until N of its calls have ended
#   bs_hangup NAME                 hang up its call
#   bs_stop NAME                   quit (closes the recordings), then reap
#   bs_stop_all                    every phone started, for a trap or the end
#   bs_recording NAME [dec|enc]    path of what it received (dec, default)
#                                  or sent (enc); fails when there is none
#   bs_calls NAME                  "CALLS ESTABLISHED ENDED", counted so far
#   bs_log NAME [N]                the last N (default 20) lines of its log
#
# The media address (SDP c=) is ADDR too: baresip's net_interface takes an
# address as well as an interface name (it would otherwise take the first
# global address of the family, whatever sip_listen says); bs_start checks
# that baresip took it.

BS_NETNS=${BS_NETNS:-$PEER}
BS_PY=/usr/bin/python3
BS_NAMES=
BS_CTRL_NEXT=4444

# bs_var NAME FIELD: a phone's pid, ctrl port or namespace (set by bs_start).
bs_var() { eval "printf '%s' \"\${BS_${2}_$1:-}\""; }

bs_start() {
	name=$1 addr=$2 port=$3 wav=$4 menc=${5:-} rtpports=${6:-10000-10999}
	dir=$TMP/bs-$name
	mkdir -p "$dir/rec" || return 1
	case $addr in
	*:*) af=-6 hostport="[$addr]:$port" ;;
	*) af=-4 hostport="$addr:$port" ;;
	esac
	ctrl=$BS_CTRL_NEXT
	BS_CTRL_NEXT=$((BS_CTRL_NEXT + 1))
	mods="g711.so aufile.so sndfile.so"
	acc_menc=
	case $menc in
	'') ;;
	srtp | srtp-mand | srtp-mandf) mods="$mods srtp.so" acc_menc=";mediaenc=$menc" ;;
	dtls_srtp | dtls_srtpf) mods="$mods dtls_srtp.so" acc_menc=";mediaenc=$menc" ;;
	*) echo "bs_start $name: unknown media encryption '$menc'" >&2; return 1 ;;
	esac
	{
		echo "poll_method epoll"
		echo "sip_listen $hostport"
		echo "call_local_timeout 30"
		echo "call_max_calls 4"
		echo "audio_source aufile,$wav"
		echo "ausrc_format s16"
		echo "auenc_format s16"
		echo "audec_format s16"
		echo "rtp_ports $rtpports"
		echo "rtcp_mux no"
		echo "jitter_buffer_delay 1-10"
		echo "rtp_stats yes"
		echo "net_interface $addr"
		echo "module_path /usr/lib/baresip/modules"
		for m in $mods; do echo "module $m"; done
		echo "module_tmp account.so"
		echo "module_app menu.so"
		echo "module_app ctrl_tcp.so"
		echo "ctrl_tcp_listen 127.0.0.1:$ctrl"
		echo "statmode_default off"
		echo "snd_path $dir/rec"
	} >"$dir/config"
	echo "<sip:$name@$hostport>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA$acc_menc" >"$dir/accounts"
	: >"$dir/contacts"
	: >"$dir/log" # the wait below may read it before baresip's shell opens it
	ip netns exec "$BS_NETNS" env HOME="$dir" baresip $af -f "$dir" </dev/null >"$dir/log" 2>&1 &
	eval "BS_pid_$name=\$! BS_ctrl_$name=$ctrl BS_ns_$name=\$BS_NETNS"
	BS_NAMES="$BS_NAMES $name"
	i=0
	while [ $i -lt 50 ]; do
		if grep -q "baresip is ready" "$dir/log" &&
			ip netns exec "$BS_NETNS" ss -ltn | grep -q "127.0.0.1:$ctrl "; then
			break
		fi
		kill -0 "$(bs_var "$name" pid)" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -ge 50 ] || ! kill -0 "$(bs_var "$name" pid)" 2>/dev/null; then
		echo "bs_start $name: baresip did not start" >&2
		bs_log "$name" 30 >&2
		return 1
	fi
	# "Local network address:  IPv6=rtdp0|2001:2::3"
	if ! awk -v a="$addr" '/Local network address/ {
		for (i = 1; i <= NF; i++)
			if (substr($i, index($i, "|") + 1) == a) ok = 1
	} END { exit !ok }' "$dir/log"; then
		echo "bs_start $name: baresip took another address than $addr for media:" >&2
		grep -A2 "Local network address" "$dir/log" >&2
		return 1
	fi
	return 0
}

# A netstring client: sends one command, prints the data of its response
# (events that arrive first are skipped); exit 1 when not ok, 2 on no answer.
bs_cmd() {
	name=$1 cmd=$2 prm=${3:-}
	ip netns exec "$(bs_var "$name" ns)" "$BS_PY" -c '
import json, socket, sys
port, cmd, prm = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
msg = json.dumps({"command": cmd, "params": prm, "token": "t"}).encode()
s.sendall(b"%d:%s," % (len(msg), msg))
buf = b""
try:
    while True:
        while b":" in buf:
            n, rest = buf.split(b":", 1)
            if len(rest) < int(n) + 1:
                break
            m, buf = json.loads(rest[:int(n)]), rest[int(n) + 1:]
            if m.get("response"):
                print(m.get("data", "").rstrip("\n"))
                sys.exit(0 if m.get("ok") else 1)
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    pass
print("no answer from baresip to %s" % cmd, file=sys.stderr)
sys.exit(2)' "$(bs_var "$name" ctrl)" "$cmd" "$prm"
}

bs_dial() { bs_cmd "$1" dial "$2" >/dev/null; }
bs_hangup() { bs_cmd "$1" hangup >/dev/null; }

# bs_calls NAME: "CALLS ESTABLISHED ENDED" so far, from its log: a call
# starts at "call: connecting" (placed) or "call: answering" (taken), was
# established at "Call established" and ends at its first "session closed:"
# (the peer or a failure: "session closed: 488 Not Acceptable Here") or
# "Call with ... terminated (duration: 4 secs)" (its recordings are closed by
# then).  One call at a time per phone.
bs_calls() {
	awk '/call: connecting|call: answering/ { n++ }
		/Call established/ { e++ }
		/session closed:|terminated \(duration/ { if (!(n in done)) { done[n] = 1; c++ } }
		END { print n + 0, e + 0, c + 0 }' "$TMP/bs-$1/log"
}

# bs_wait_established NAME [N [SECONDS]]: 0 once N calls were established,
# 1 as soon as the N-th ended without, or after SECONDS (default 10).
bs_wait_established() {
	i=0
	while [ $i -lt $((${3:-10} * 10)) ]; do
		# shellcheck disable=SC2046
		set -- "$1" "${2:-1}" "${3:-10}" $(bs_calls "$1")
		[ "$5" -ge "$2" ] && return 0
		[ "$6" -ge "$2" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# bs_wait_closed NAME [N [SECONDS]]: until N calls have ended.
bs_ended() { [ "$(bs_calls "$1" | cut -d' ' -f3)" -ge "$2" ]; }
bs_wait_closed() { wait_for -t "${3:-10}" bs_ended "$1" "${2:-1}"; }

bs_stop() {
	pid=$(bs_var "$1" pid)
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null && bs_cmd "$1" quit >/dev/null 2>&1
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	bg_stop "$pid"
	eval "BS_pid_$1="
}

bs_stop_all() {
	for n in $BS_NAMES; do
		bs_stop "$n"
	done
	BS_NAMES=
}

bs_recording() {
	# newest first: one phone's later calls do not hide behind its first
	f=$(ls -t "$TMP/bs-$1/rec"/dump-*-"${2:-dec}".wav 2>/dev/null | head -n 1)
	[ -n "$f" ] && printf '%s\n' "$f"
}

# without baresip's colours
bs_log() { tail -n "${2:-20}" "$TMP/bs-$1/log" 2>/dev/null | sed "s/$(printf '\033')\[[0-9;]*m//g"; }
