#!/bin/sh
# make deb: build/rtd_VERSION_ARCH.deb with Debian's own tools (dpkg-deb,
# dpkg-shlibdeps: dpkg and dpkg-dev, nothing else), from what make install
# puts under /usr, plus the unit in /lib/systemd/system (Debian 12's place),
# /etc/rtd/rtd.conf as a conffile, the sysusers file that creates group rtd,
# gzipped man pages and Depends computed from the binaries.
# Usage: deb.sh   (from the top of the tree, after make)
set -eu
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^#define RTD_VERSION "\(.*\)"$/\1/p' rtd/rtd.h)
ARCH=$(dpkg --print-architecture)
OUT=build/rtd_${VERSION}_${ARCH}.deb
W=build/deb
MAINTAINER=${DEB_MAINTAINER:-rtd maintainers <maintainers@rtd.invalid>}
ST=$W/root
[ -n "$VERSION" ] || { echo "deb.sh: no RTD_VERSION in rtd/rtd.h" >&2; exit 1; }
for t in dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null || { echo "deb.sh: $t is missing (scripts/deps.sh build)" >&2; exit 1; }
done

rm -rf "$W"
mkdir -p "$ST/DEBIAN" "$W/debian"
${MAKE:-make} --no-print-directory install DESTDIR="$PWD/$ST" PREFIX=/usr >/dev/null
# Debian 12 keeps units in /lib/systemd/system (usrmerge aliases it).
mkdir -p "$ST/lib/systemd"
mv "$ST/usr/lib/systemd/system" "$ST/lib/systemd/system"
rmdir "$ST/usr/lib/systemd"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
	"$ST/usr/sbin/rtd" "$ST/usr/bin/rtctl"
# Every page in man/, whatever make install put there.
for p in man/*.[1-8]; do
	install -D -m 0644 "$p" "$ST/usr/share/man/man${p##*.}/${p##*/}"
done
gzip -9n "$ST"/usr/share/man/man*/*
D=$ST/usr/share/doc/rtd
cat >"$D/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rtd

Files: *
Copyright: the rtd authors
License: GPL-2.0 or BSD-2-Clause
 On Debian systems the GNU General Public License version 2 is in
 /usr/share/common-licenses/GPL-2.
 .
 Redistribution and use in source and binary forms, with or without
 modification, are permitted provided that the following conditions are met:
 1. Redistributions of source code must retain the above copyright notice,
    this list of conditions and the following disclaimer.
 2. Redistributions in binary form must reproduce the above copyright
    notice, this list of conditions and the following disclaimer in the
    documentation and/or other materials provided with the distribution.
 .
 THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 AND ANY EXPRESS OR IMPLIED WARRANTIES ARE DISCLAIMED.  IN NO EVENT SHALL THE
 COPYRIGHT HOLDERS OR CONTRIBUTORS BE LIABLE FOR ANY DAMAGES ARISING IN ANY
 WAY OUT OF THE USE OF THIS SOFTWARE.
EOF
# A native package (no Debian revision): changelog.gz.
printf 'rtd (%s) unstable; urgency=medium\n\n  * Built from the source tree.\n\n -- %s  %s\n' \
	"$VERSION" "$MAINTAINER" \
	"$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" |
	gzip -9n >"$D/changelog.gz"
chmod -R u=rwX,go=rX "$ST"

# dpkg-shlibdeps reads a debian/control, whatever it holds.
printf 'Source: rtd\n\nPackage: rtd\nArchitecture: any\n' >"$W/debian/control"
DEPENDS=$(cd "$W" && dpkg-shlibdeps -O -eroot/usr/sbin/rtd -eroot/usr/bin/rtctl 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$DEPENDS" ] || { echo "deb.sh: dpkg-shlibdeps computed no Depends" >&2; exit 1; }

echo /etc/rtd/rtd.conf >"$ST/DEBIAN/conffiles"
cat >"$ST/DEBIAN/control" <<EOF
Package: rtd
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$ST" | cut -f1)
Depends: $DEPENDS
Section: net
Priority: optional
Description: real-time UDP data plane beside the Linux stack, on one NIC
 rtd serves a set of UDP ports from a pinned SCHED_FIFO busy-poll thread
 over AF_XDP, with its own minimal UDP/IP stack, while the kernel keeps the
 same interface, MAC and IP address for everything else.  It ships a UDP
 reflector and an RTP/RTCP media relay driven over rtpengine's ng protocol,
 and rtctl, an iproute2-like control tool.
EOF
cat >"$ST/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
	# Group rtd: who may use rtctl (the control socket is 0660 root:rtd).
	if command -v systemd-sysusers >/dev/null 2>&1; then
		systemd-sysusers /usr/lib/sysusers.d/rtd.conf
	elif ! getent group rtd >/dev/null; then
		addgroup --system rtd >/dev/null
	fi
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
fi
EOF
cat >"$ST/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
# Each rtd restores its NIC on SIGTERM: stop them before their binary goes.
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	systemctl stop 'rtd@*.service' || true
fi
EOF
cat >"$ST/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
if [ "$1" = purge ]; then
	rmdir /etc/rtd 2>/dev/null || true
fi
EOF
chmod 0755 "$ST/DEBIAN/postinst" "$ST/DEBIAN/prerm" "$ST/DEBIAN/postrm"
chmod 0644 "$ST/DEBIAN/control" "$ST/DEBIAN/conffiles"

dpkg-deb --root-owner-group -Zxz --build "$ST" "$OUT" >/dev/null
echo "deb.sh: $OUT (Depends: $DEPENDS)"
