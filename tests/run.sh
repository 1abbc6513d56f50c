#!/bin/sh
# make test: unit tests (unprivileged), then namespace tests (root).
# Prints one closing line: "test: N passed, M failed".
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
tally() { # "<name>: N passed, M failed" lines from a suite's output
	p=$(sed -n 's/^[a-z_0-9.-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/^[a-z_0-9.-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$1" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ -n "$p" ] || failed=$((failed + 1)) # a suite that died before its summary
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

sh tests/unit/run.sh build/unit/test_* 2>&1 | tee "$out"
tally "$out"

if [ "$(id -u)" = 0 ]; then
	for t in tests/net/test_*.sh; do
		sh "$t" 2>&1 | tee "$out"
		tally "$out"
	done
else
	echo "test: not root: namespace tests skipped"
fi

echo "test: $passed passed, $failed failed"
[ "$failed" = 0 ]
