#!/bin/sh
# The man pages: each renders without a warning from man(1) and groff, and
# says what the programs offer, so they cannot drift apart: every option of
# rtd --help in rtd(8), every setting in rtd.conf(5) as a key, every object
# and option of rtctl --help in rtctl(8).
# Usage: man.sh   (after make: it runs build/rtd and build/rtctl)
set -u
cd "$(dirname "$0")/../.."
NAME=man
PASSED=0
FAILED=0
SKIPPED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip $1: $2"; }

# roff NAME: how NAME is written in a man page's source (\- for each -)
roff() { printf '%s' "$1" | sed 's/-/\\-/g'; }
# missing PAGE PATTERN-FORMAT WORD...: the words PAGE does not name in that form
missing() {
	page=$1 fmt=$2
	shift 2
	for w in "$@"; do
		# shellcheck disable=SC2059
		grep -qF -- "$(printf "$fmt" "$(roff "$w")")" "$page" || printf '%s ' "$w"
	done
}

if command -v man >/dev/null 2>&1; then
	for p in man/*.[1-8]; do
		w=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
		[ -z "$w" ] && pass "$p renders without a warning" || fail "$p renders with warnings" "$w"
	done
else
	skip "man pages render" "man (man-db) is not installed"
fi

if [ ! -x build/rtd ] || [ ! -x build/rtctl ]; then
	fail "build/rtd and build/rtctl exist" "run make first"
else
	opts=$(build/rtd --help | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u)
	# shellcheck disable=SC2086
	m=$(missing man/rtd.8 '%s' $(printf '%s\n' $opts | sed 's/^/--/'))
	[ -z "$m" ] && pass "rtd(8) names every option of rtd --help ($(echo $opts | wc -w))" ||
		fail "rtd(8) lacks options" "$m"
	keys=$(printf '%s\n' $opts | grep -vx 'help\|version\|config')
	# shellcheck disable=SC2086
	m=$(missing man/rtd.conf.5 '%s = ' $keys)
	[ -z "$m" ] && pass "rtd.conf(5) names every setting as a key ($(echo $keys | wc -w))" ||
		fail "rtd.conf(5) lacks keys" "$m"
	objs=$(build/rtctl --help | sed -n 's/.*OBJECT := { \(.*\) }.*/\1/p' | tr -d '|')
	# shellcheck disable=SC2086
	m=$(missing man/rtctl.8 'rtctl %s' $objs)
	[ -n "$objs" ] && [ -z "$m" ] && pass "rtctl(8) describes every object of rtctl --help ($objs)" ||
		fail "rtctl(8) lacks objects" "objects '$objs', missing: $m"
	copts=$(build/rtctl --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	# shellcheck disable=SC2086
	m=$(missing man/rtctl.8 '%s' $copts)
	[ -n "$copts" ] && [ -z "$m" ] && pass "rtctl(8) names every option of rtctl --help" ||
		fail "rtctl(8) lacks options" "$m"
fi

echo "$NAME: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
