#!/bin/sh
# The RT thread's rule, checked on what the compiler made of it: once the
# thread runs it allocates nothing, takes no lock, blocks nowhere and makes
# no system call but the transmit kick.  Every function the RT objects call
# outside themselves must be on the allow list below, with its reason.
# Usage: rt_path.sh OBJECT...   (make writes the list to build/rt-objs)
set -u
NAME=rt_path
PASSED=0
FAILED=0

# symbol: why the RT thread may call it
ALLOW='
memcpy memset memmove memcmp: copies in frames and tables, no allocation
clock_gettime: the vDSO, no system call
sendto: the TX kick (copy mode transmits inside it)
recvfrom: the fill-ring kick of zero-copy drivers
syscall: FUTEX_WAKE of a sleeping gate, once per burst inside the TX kick
__errno_location: reading the kick'"'"'s errno
pthread_self pthread_setschedparam: RT throttling, SCHED_OTHER for the rest of a window at most twice per 100 ms
__stack_chk_fail: only on a smashed stack
EVP_CipherInit_ex EVP_CipherUpdate EVP_CipherFinal_ex EVP_CIPHER_CTX_ctrl: SRTP'"'"'s AES-CM and AES-GCM on contexts keyed at set-up, with a new IV only (no allocation: tests/unit/test_srtp.c counts them)
SHA1_Update SHA1_Final: SRTP'"'"'s HMAC-SHA1 on copies of pad states made at set-up
CRYPTO_memcmp: the authentication tag compared in constant time
'
allowed=$(printf '%s\n' "$ALLOW" | sed -n 's/^\([^:]*\):.*/\1/p' | tr ' ' '\n' | sort -u)

# outside OBJECT...: what the objects call that they do not define and the
# allow list does not name
outside() {
	nm --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/def"
	nm -u "$@" 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u |
		comm -23 - "$tmp/def" | comm -23 - "$tmp/allow"
}

pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$allowed" >"$tmp/allow"

if [ $# -eq 0 ]; then
	fail "the RT objects are named" "usage: rt_path.sh OBJECT..."
else
	missing=""
	for o in "$@"; do [ -f "$o" ] || missing="$missing $o"; done
	if [ -n "$missing" ]; then
		fail "the RT objects are built" "missing:$missing"
	else
		bad=$(outside "$@")
		[ -z "$bad" ] &&
			pass "the RT thread's $# objects call nothing outside themselves but the allow list" ||
			fail "the RT thread calls what it must not" "$bad"
	fi
fi

# The check itself must be able to fail: an object that allocates.
printf '#include <stdlib.h>\nvoid *rt_oops(void) { return malloc(64); }\n' >"$tmp/oops.c"
if cc -O2 -c "$tmp/oops.c" -o "$tmp/oops.o" 2>/dev/null; then
	[ "$(outside "$tmp/oops.o")" = malloc ] &&
		pass "an RT object that calls malloc is caught" ||
		fail "the check misses malloc" "$(outside "$tmp/oops.o")"
else
	fail "the check's own probe compiles" ""
fi

echo "$NAME: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
