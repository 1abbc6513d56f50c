#!/bin/sh
# make test: unit tests (unprivileged), then namespace tests (root).
# Prints one closing line: "test: N passed, M failed".
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
# tally SUITE: count the "<name>: N passed, M failed" line of SUITE's output
# ($out).  What failed is kept for the end, where a log's tail shows it: the
# failing checks, or the last lines of a suite that died before its summary.
tally() {
	p=$(sed -n 's/^[a-z_0-9.-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^[a-z_0-9.-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$out" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
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
}

out=$(mktemp)
bad=$(mktemp)
trap 'rm -f "$out" "$bad"' EXIT

sh tests/unit/run.sh build/unit/test_* 2>&1 | tee "$out"
tally unit

if [ "$(id -u)" = 0 ]; then
	for t in tests/net/test_*.sh; do
		sh "$t" 2>&1 | tee "$out"
		tally "$(basename "$t")"
	done
else
	echo "test: not root: namespace tests skipped"
fi

if [ -s "$bad" ]; then
	echo "test: what failed:"
	cat "$bad"
fi
echo "test: $passed passed, $failed failed"
[ "$failed" = 0 ]
