#!/bin/sh
# The libFuzzer targets, tests/fuzz/fuzz_<name>.c (make test, make fuzz).
#
# Without FUZZ_SECS (make test): build each target, replay every input of
# its corpus (tests/fuzz/corpus/<name>/), then fuzz it FUZZ_SHORT seconds
# (default 2 to 4, about 40 s in all) with what it finds thrown away.  Two
# checks per target.
# With FUZZ_SECS (make fuzz): fuzz each target that long over its corpus,
# keeping what it finds in build/fuzz/corpus/<name>/ for the next run.
#
# Every run says libFuzzer's final figures: runs, runs per second, "cov:"
# (edges) and "ft:" (features).  A crash, a sanitizer report or a broken
# property fails the check and names the input that caused it; a target
# that cannot be built or run here is skipped, and says why.  Full logs are
# kept in build/fuzz/logs/.  One closing line:
# "fuzz: P passed, F failed, S skipped".
set -u
cd "$(dirname "$0")/../.."
B=build/fuzz
CC_FUZZ=${FUZZ_CC:-clang-16}
# make test's budget: about 40 s of fuzzing in all, 2 to 4 s a target.
ntargets=$(ls tests/fuzz/fuzz_*.c | wc -l)
short=$((40 / (ntargets > 0 ? ntargets : 1)))
[ "$short" -gt 4 ] && short=4
[ "$short" -lt 2 ] && short=2
SHORT=${FUZZ_SHORT:-$short}
LONG=${FUZZ_SECS:-}
passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; }
skip() { skipped=$((skipped + 1)); echo "skip $1: $2"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$B/logs"

# Stack traces with file and line; halt on the first report of any kind.
for s in llvm-symbolizer-16 llvm-symbolizer llvm-symbolizer-14; do
	if command -v "$s" >/dev/null 2>&1; then
		ASAN_SYMBOLIZER_PATH=$(command -v "$s")
		export ASAN_SYMBOLIZER_PATH
		break
	fi
done
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

# Whether this machine can build a libFuzzer target at all: the reason if not.
toolchain() {
	if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
		echo "no $CC_FUZZ (Debian: clang-16)"
		return
	fi
	printf '%s\n' 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)' \
		'{ (void)d; (void)n; return 0; }' >"$tmp/probe.c"
	if ! "$CC_FUZZ" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" \
		>"$tmp/probe.log" 2>&1; then
		echo "$CC_FUZZ cannot link -fsanitize=fuzzer,address,undefined (Debian: libclang-rt-16-dev)"
		return
	fi
	if ! "$tmp/probe" -runs=1 >"$tmp/probe.log" 2>&1; then
		echo "a libFuzzer binary does not run here: $(tail -n 1 "$tmp/probe.log")"
	fi
}

# Inputs larger than libFuzzer's default 4096 bytes where a message is.
max_len() {
	case $1 in
	ng) echo 16384 ;;
	sdp | bencode) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

# What libFuzzer's log says at the end: "N runs (R/s), cov C, ft F".
figures() {
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$1" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$1" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$1" | tail -n 1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*' "$1" | tail -n 1 | cut -d' ' -f2)
	echo "${runs:-?} runs (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
}

# What went wrong, from a log: the input, and the lines that say what.
crash_detail() {
	log=$1
	input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	[ -n "$input" ] || input=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
	echo "input: ${input:-unknown}"
	grep -E 'property broken|^SUMMARY|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|ALARM' \
		"$log" | head -n 4
	echo "log: $log"
}

why=$(toolchain)
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	t=${name#fuzz_}
	bin=$B/$name
	corpus=tests/fuzz/corpus/$t
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	log=$B/logs/$name.log
	if [ -n "$why" ]; then
		skip "$name" "$why"
		continue
	fi
	if ! make -s --no-print-directory "$bin" >"$tmp/build.log" 2>&1; then
		skip "$name" "does not build here: $(grep -m 1 -E 'error|Error' "$tmp/build.log")"
		continue
	fi
	mkdir -p "$B/artifacts/$t"
	if [ -z "$LONG" ]; then
		# Every seed once, each named as it runs.
		if [ -d "$corpus" ] && [ -n "$(ls "$corpus")" ]; then
			n=$(ls "$corpus" | wc -l)
			# shellcheck disable=SC2046
			if timeout 120 "$bin" -timeout=10 -max_len="$(max_len "$t")" \
				$(ls -d "$corpus"/*) >"$log.replay" 2>&1; then
				pass "$name: the $n inputs of $corpus replay clean"
			else
				fail "$name: replaying $corpus" "$(crash_detail "$log.replay")"
				continue
			fi
		else
			fail "$name: no corpus in $corpus"
		fi
		secs=$SHORT
		work=$tmp/corpus-$t
	else
		secs=$LONG
		work=$B/corpus/$t
	fi
	mkdir -p "$work"
	# shellcheck disable=SC2086
	if timeout $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 \
		-max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" \
		$dict "$work" "$corpus" >"$log.run" 2>&1; then
		mv "$log.run" "$log"
		pass "$name: $secs s, $(figures "$log")"
	else
		mv "$log.run" "$log"
		fail "$name: fuzzing $secs s" "$(crash_detail "$log")"
	fi
done
echo "fuzz: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
