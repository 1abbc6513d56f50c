# Sourced at the top of a test that runs its scenario through each relay
# in turn (RELAY=rtd, then RELAY=rtpengine), with one closing line for
# both: unless RELAY is set, it runs the calling script once per relay in
# the background, passes a TERM or an INT on at once (the run tears down
# what it started), and exits with the sum.  With RELAY set it does
# nothing, and the script goes on to its scenario.
if [ -z "${RELAY:-}" ]; then
	p=0 f=0 s=0 me=$(basename "$0") out=$(mktemp) c=
	trap 'rm -f "$out"' EXIT
	trap '[ -n "$c" ] && kill -TERM $c && wait $c; exit 143' TERM
	trap '[ -n "$c" ] && kill -TERM $c && wait $c; exit 130' INT
	for r in rtd rtpengine; do
		RELAY=$r sh "$0" >"$out" 2>&1 &
		c=$!
		wait $c
		c=
		o=$(cat "$out")
		printf '%s\n' "$o" | grep -v "^$me: [0-9]* passed"
		# shellcheck disable=SC2046
		set -- $(printf '%s\n' "$o" | sed -n "s/^$me: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p" | tail -n 1)
		[ $# = 3 ] || set -- 0 1 0 # died before its summary: a failure
		p=$((p + $1)) f=$((f + $2)) s=$((s + $3))
	done
	echo "$me: $p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
	exit
fi
