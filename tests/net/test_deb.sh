#!/bin/sh
# The Debian package (scripts/deb.sh, make deb): it holds the binaries, the
# unit, the conffile, the sysusers file and the man pages, depends on what
# dpkg-shlibdeps found; it installs, runs, is removed (the conffile stays)
# and purged (it goes).  Needs root, as dpkg does.  The machine is left as
# it was found, whatever fails: a test that finds rtd installed, or files it
# would overwrite, touches nothing and says so.
set -u
. "$(dirname "$0")/../lib.sh"

DEB=
GROUP_BEFORE=$(getent group rtd >/dev/null && echo yes)
ETC_BEFORE=$([ -e /etc/rtd ] && echo yes)

deb_cleanup() {
	if dpkg-query -W -f='${Status}' rtd 2>/dev/null | grep -qv 'not-installed'; then
		dpkg -P rtd >/dev/null 2>&1
	fi
	[ -z "$GROUP_BEFORE" ] && getent group rtd >/dev/null && groupdel rtd 2>/dev/null
	[ -z "$ETC_BEFORE" ] && [ -d /etc/rtd ] && rmdir /etc/rtd 2>/dev/null
	return 0
}

if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v dpkg-shlibdeps >/dev/null 2>&1; then
	skip "the Debian package" "dpkg-deb or dpkg-shlibdeps (dpkg-dev) is missing"
	summary
	exit
fi
st=$(dpkg-query -W -f='${Status}' rtd 2>/dev/null)
clash=
for f in /usr/sbin/rtd /usr/bin/rtctl /lib/systemd/system/rtd@.service /etc/rtd/rtd.conf \
	/usr/lib/sysusers.d/rtd.conf /usr/share/man/man8/rtd.8.gz; do
	[ -e "$f" ] && clash="$clash $f"
done
if [ -n "$st" ] && [ "$st" != "unknown ok not-installed" ]; then
	skip "the Debian package" "a package rtd is already here ($st): not touching it"
	summary
	exit
fi
if [ -n "$clash" ]; then
	skip "the Debian package" "files the package would own are already here:$clash"
	summary
	exit
fi
trap 'deb_cleanup; cleanup' EXIT

out=$(cd "$ROOT" && sh scripts/deb.sh 2>&1)
DEB=$(printf '%s\n' "$out" | sed -n 's/^deb.sh: \(build\/[^ ]*\.deb\).*/\1/p')
if [ -z "$DEB" ] || [ ! -f "$ROOT/$DEB" ]; then
	fail "scripts/deb.sh builds a package" "$out"
	summary
	exit
fi
DEB=$ROOT/$DEB
version=$(sed -n 's/^#define RTD_VERSION "\(.*\)"$/\1/p' "$ROOT/rtd/rtd.h")
pass "scripts/deb.sh builds $(basename "$DEB")"

info=$(dpkg-deb -f "$DEB" Package Version Architecture Depends)
echo "$info" | grep -qx "Version: $version" &&
	pass "the package's version is RTD_VERSION ($version)" || fail "version" "$info"
# Each library rtd and rtctl link (DT_NEEDED), by its package: in Depends,
# or what a package there depends on (dpkg-shlibdeps leaves out a library
# whose symbols are not used, as libelf1, which libbpf1 brings).
deps=$(dpkg-deb -f "$DEB" Depends)
names=$(echo "$deps" | tr ',' '\n' | awk '{ print $1 }')
# shellcheck disable=SC2086
indirect=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}\n' $names 2>/dev/null | tr ',' '\n' |
	awk '{ print $1 }')
missing=
for lib in $(objdump -p "$ROOT/build/rtd" "$ROOT/build/rtctl" | awk '$1 == "NEEDED" { print $2 }' | sort -u); do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
	p=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null)
	p=$(echo "$p" | head -n 1 | cut -d: -f1)
	printf '%s\n%s\n' "$names" "$indirect" | grep -qx "$p" || missing="$missing $lib($p)"
done
[ -n "$names" ] && [ -z "$missing" ] &&
	pass "Depends, from dpkg-shlibdeps, covers every library rtd and rtctl link: $deps" ||
	fail "Depends" "lacks:$missing; has: $deps"
files=$(dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|')
m=
for f in /usr/sbin/rtd /usr/bin/rtctl /lib/systemd/system/rtd@.service /etc/rtd/rtd.conf \
	/usr/lib/sysusers.d/rtd.conf /usr/share/man/man8/rtd.8.gz /usr/share/man/man8/rtctl.8.gz \
	/usr/share/man/man5/rtd.conf.5.gz /usr/share/doc/rtd/copyright; do
	echo "$files" | grep -qx "$f" || m="$m $f"
done
[ -z "$m" ] && pass "it holds the binaries, the unit, rtd.conf, the sysusers file and the man pages" ||
	fail "contents" "missing:$m"
[ "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)" = /etc/rtd/rtd.conf ] &&
	pass "/etc/rtd/rtd.conf is a conffile" || fail "conffiles" "$(dpkg-deb -I "$DEB")"

if command -v lintian >/dev/null 2>&1; then
	l=$(lintian --no-tag-display-limit "$DEB" 2>/dev/null | grep -v '^N:')
	echo "lintian (reported, not required clean): $(echo "$l" | grep -c '^E:') errors," \
		"$(echo "$l" | grep -c '^W:') warnings"
	[ -n "$l" ] && printf '%s\n' "$l" | sed 's/^/     /'
else
	skip "lintian" "not installed (a report only)"
fi

out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" 2>&1)
rc=$?
[ $rc -eq 0 ] && pass "dpkg -i installs it" || fail "dpkg -i" "rc=$rc: $out"
v=$(/usr/sbin/rtd --version 2>&1)
[ "$v" = "rtd $version" ] && /usr/bin/rtctl --version >/dev/null 2>&1 &&
	pass "/usr/sbin/rtd --version runs: $v" || fail "installed rtd" "$v"
getent group rtd >/dev/null && pass "group rtd exists after the install (sysusers)" ||
	fail "group rtd" "$(getent group rtd)"
w=$(MANWIDTH=80 man --warnings rtd 2>&1 >/dev/null; MANWIDTH=80 man --warnings 5 rtd.conf 2>&1 >/dev/null)
[ -z "$w" ] && man -w rtctl >/dev/null 2>&1 && pass "man rtd, rtctl and rtd.conf(5) are installed" ||
	fail "installed man pages" "$w"
if command -v systemd-analyze >/dev/null 2>&1; then
	# With the man pages installed, Documentation= is checked too.
	v=$(systemd-analyze verify /lib/systemd/system/rtd@.service 2>&1)
	[ -z "$v" ] && pass "systemd-analyze verify of the installed unit, man pages and all" ||
		fail "verify installed unit" "$v"
fi
sed -i 's/^rt-ports = .*/rt-ports = 6000/' /etc/rtd/rtd.conf

out=$(dpkg -r rtd 2>&1)
rc=$?
st=$(dpkg-query -W -f='${Status}' rtd 2>/dev/null)
[ $rc -eq 0 ] && [ ! -e /usr/sbin/rtd ] && [ ! -e /usr/bin/rtctl ] &&
	[ ! -e /lib/systemd/system/rtd@.service ] && [ "$st" = "deinstall ok config-files" ] &&
	grep -q '^rt-ports = 6000' /etc/rtd/rtd.conf &&
	pass "dpkg -r removes it and keeps the changed conffile" ||
	fail "dpkg -r" "rc=$rc status '$st': $out"
out=$(dpkg -P rtd 2>&1)
rc=$?
[ $rc -eq 0 ] && [ ! -e /etc/rtd/rtd.conf ] &&
	! dpkg-query -W -f='${Status}' rtd 2>/dev/null | grep -q installed &&
	pass "dpkg -P purges it, conffile and all" || fail "dpkg -P" "rc=$rc: $out"

deb_cleanup
left=
[ -z "$GROUP_BEFORE" ] && getent group rtd >/dev/null && left="$left group rtd"
[ -z "$ETC_BEFORE" ] && [ -e /etc/rtd ] && left="$left /etc/rtd"
[ -z "$left" ] && pass "the machine is as the test found it" || fail "left behind" "$left"

summary
