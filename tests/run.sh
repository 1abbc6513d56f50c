#!/bin/sh
# make test (all), make unit (unit), make nettest (net): the unit tests
# (unprivileged), the RT path's calls, then the namespace tests (root).
# Each suite ends in "<name>: P passed, F failed[, S skipped]"; a check that
# cannot run here says why and counts as skipped, never as passed.  One
# closing line: "test: P passed, F failed, S skipped".
set -u
cd "$(dirname "$0")/.."
WHAT=${1:-all}

passed=0
failed=0
skipped=0
SUMMARY='^[a-z_0-9.-]*: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}.*'

# tally SUITE: count the summary line of SUITE's output ($out).  What failed
# is kept for the end, where a log's tail shows it: the failing checks, or
# the last lines of a suite that died before its summary.
tally() {
	line=$(grep "$SUMMARY" "$out" | tail -n 1)
	p=$(printf '%s' "$line" | sed -n "s/$SUMMARY/\1/p")
	f=$(printf '%s' "$line" | sed -n "s/$SUMMARY/\2/p")
	s=$(printf '%s' "$line" | sed -n "s/$SUMMARY/\4/p")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	if [ -z "$p" ]; then
		failed=$((failed + 1))
		{
			echo "$1: ended without its summary; its last lines:"
			tail -n 8 "$out" | sed 's/^/     /'
		} >>"$bad"
	elif [ "$f" != 0 ]; then
		{
			echo "$1:"
			# a namespace check's FAIL line and its indented detail;
			# cmocka's error, line and failed-test lines
			awk '/^FAIL / { d = 1; print; next }
				/^ / { if (d) print; next }
				{ d = 0 }
				/^\[  (ERROR   |FAILED  )\]|^\[   LINE   \]/' "$out" | head -n 20
		} >>"$bad"
	fi
	grep '^skip ' "$out" >>"$skips"
}

out=$(mktemp)
bad=$(mktemp)
skips=$(mktemp)
trap 'rm -f "$out" "$bad" "$skips"' EXIT

if [ "$WHAT" != net ]; then
	sh tests/unit/run.sh build/unit/test_* 2>&1 | tee "$out"
	tally unit
	sh tests/unit/rt_path.sh $(cat build/rt-objs) 2>&1 | tee "$out"
	tally rt_path
	sh tests/unit/man.sh 2>&1 | tee "$out"
	tally man
	sh tests/fuzz/run.sh 2>&1 | tee "$out"
	tally fuzz
fi

if [ "$WHAT" != unit ]; then
	for t in tests/net/test_*.sh; do
		n=$(basename "$t")
		if [ "$(id -u)" = 0 ]; then
			sh "$t" 2>&1 | tee "$out"
		else
			printf 'skip %s: namespace tests need root\n%s: 0 passed, 0 failed, 1 skipped\n' \
				"$n" "$n" | tee "$out"
		fi
		tally "$n"
	done
fi

if [ -s "$skips" ]; then
	echo "test: skipped, and why:"
	sed 's/^skip /     /' "$skips"
fi
if [ -s "$bad" ]; then
	echo "test: what failed:"
	cat "$bad"
fi
echo "test: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
