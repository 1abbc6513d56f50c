#!/bin/sh
# tests/vm/run.sh SCRIPT: run a test script under a kernel this machine does
# not boot, in a throw-away VM (qemu, software emulation: no /dev/kvm needed).
#
# Used for what only newer kernels offer, such as BPF qdiscs
# (CONFIG_NET_SCH_BPF, Linux 6.16+).  The kernel is Debian's cloud image from
# trixie-backports, fetched once into build/vm; the root file system is an
# initramfs of busybox, rtd, its tools and the host's iproute2, with their
# libraries.  SCRIPT (a path in the repository) runs as root inside, with the
# repository's tests/ and build/ at the same relative paths; its output comes
# back on a serial line of its own (the kernel's console, which may print in
# the middle of a line, goes to build/vm/console.log) and its exit status is
# ours.  Without the mirror a kernel fetched before is used; where there is
# none, the test is skipped with a summary line saying why: that is the
# machine, not rtd.
#
#   RTD_VM_KERNEL_DEB  a linux-image .deb to use instead of fetching one
#   RTD_VM_MIRROR      Debian mirror (default http://deb.debian.org/debian)
#   RTD_VM_TIMEOUT     seconds before the VM is stopped (default 600)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=$ROOT/build/vm
MIRROR=${RTD_VM_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie-backports
SCRIPT=${1:?usage: tests/vm/run.sh SCRIPT}

die() {
	echo "vm: $*" >&2
	exit 1
}

[ -f "$ROOT/$SCRIPT" ] || die "$SCRIPT: no such test script"
for t in qemu-system-x86_64 busybox curl dpkg-deb xz gzip; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing (sh scripts/deps.sh test)"
done
mkdir -p "$VM"

# A cloud image (the whole kernel in one package, not a meta package) from
# trixie-backports: the version these tests were written against where the
# mirror still has it, else the newest.
KNOWN=6.18.15+deb13
kernel_deb() {
	if [ -n "${RTD_VM_KERNEL_DEB:-}" ]; then
		echo "$RTD_VM_KERNEL_DEB"
		return 0
	fi
	if ! curl -fsS -m 120 -o "$VM/Packages.xz" "$MIRROR/dists/$SUITE/main/binary-amd64/Packages.xz"; then
		# No mirror: a kernel fetched before will do.
		deb=$(ls "$VM"/linux-image-*.deb 2>/dev/null | sort -V | tail -n 1)
		[ -n "$deb" ] && echo "$deb"
		return $?
	fi
	xz -dc "$VM/Packages.xz" | awk '
		/^Package: linux-image-[0-9.]+\+deb[0-9]+-cloud-amd64$/ { p = $2 }
		p && /^Filename:/ { f = $2 }
		p && /^Size:/ { s = $2 }
		/^$/ { if (p && s > 10000000) print p, f; p = ""; f = ""; s = 0 }' |
		sort -V >"$VM/images"
	file=$(awk -v k="linux-image-$KNOWN-cloud-amd64" '$1 == k { print $2 }' "$VM/images")
	[ -n "$file" ] || file=$(tail -n 1 "$VM/images" | cut -d' ' -f2)
	[ -n "$file" ] || return 1
	deb=$VM/$(basename "$file")
	if [ ! -s "$deb" ]; then
		curl -fsS -m 600 -o "$deb.part" "$MIRROR/$file" && mv "$deb.part" "$deb" || return 1
	fi
	echo "$deb"
}

# skip WHY: the summary line the test runners count, with nothing run
skip() {
	echo "skip $(basename "$SCRIPT"): $*"
	echo "$(basename "$SCRIPT"): 0 passed, 0 failed, 1 skipped"
	exit 0
}

deb=$(kernel_deb) || skip "cannot fetch a kernel from $MIRROR ($SUITE)"
kdir=$VM/kernel
if [ ! -f "$kdir/.from" ] || [ "$(cat "$kdir/.from")" != "$deb" ]; then
	rm -rf "$kdir" && mkdir -p "$kdir/x" || exit 1
	dpkg-deb -x "$deb" "$kdir/x" || die "$deb: cannot unpack"
	cp "$kdir"/x/boot/vmlinuz-* "$kdir/vmlinuz" || die "$deb: no kernel inside"
	mkdir -p "$kdir/modules"
	for m in drivers/net/veth net/sched/sch_tbf net/sched/sch_htb; do
		xz -dc "$kdir"/x/usr/lib/modules/*/kernel/$m.ko.xz >"$kdir/modules/$(basename $m).ko" ||
			die "$deb: no $m module"
	done
	rm -rf "$kdir/x"
	echo "$deb" >"$kdir/.from"
fi
echo "vm: kernel $(basename "$deb")"

# ---- the initramfs ----
rfs=$VM/rootfs
rm -rf "$rfs" && mkdir -p "$rfs/bin" "$rfs/sbin" "$rfs/proc" "$rfs/sys" "$rfs/dev" "$rfs/tmp" \
	"$rfs/run" "$rfs/etc" "$rfs/modules" "$rfs/rtd" || exit 1
cp "$(command -v busybox)" "$rfs/bin/busybox"
ldd "$rfs/bin/busybox" >/dev/null 2>&1 && die "busybox must be static (busybox-static)"

# add FILE DEST: FILE at DEST in the initramfs, with the libraries it loads
# at their own paths.
add() {
	mkdir -p "$rfs$(dirname "$2")" && cp -L "$1" "$rfs$2" || exit 1
	ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
		while read -r lib; do
			[ -e "$rfs$lib" ] || { mkdir -p "$rfs$(dirname "$lib")" && cp -L "$lib" "$rfs$lib"; }
		done
}
# Debian's busybox runs its own applets before anything on PATH; the test
# scripts get dash, which finds the real iproute2 first.
for t in ip tc ethtool ping iperf3 dash; do
	add "$(command -v $t)" "/usr/bin/$t"
done
ln -s dash "$rfs/usr/bin/sh"
add "$ROOT/Makefile" /rtd/Makefile
add "$ROOT/tests/lib.sh" /rtd/tests/lib.sh
cp -r "$ROOT/tests/vm" "$rfs/rtd/tests/"
for b in "$ROOT/build/rtd" "$ROOT/build/rtctl" "$ROOT"/build/tools/*; do
	[ -f "$b" ] && add "$b" "/rtd${b#"$ROOT"}"
done
cp "$kdir"/modules/*.ko "$rfs/modules/"
printf 'root:x:0:0:root:/:/bin/sh\n' >"$rfs/etc/passwd"
mkdir -p "$rfs/var" && ln -s /run "$rfs/var/run" # iproute2's netns directory
cat >"$rfs/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t devtmpfs dev /dev
# The test's own line (COM2): nothing but the test writes to it.
exec >/dev/ttyS1 2>&1
echo "rtd-vm: start"
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs run /run
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
for m in /modules/*.ko; do insmod "\$m"; done
ip link set lo up
cd /rtd
/usr/bin/dash /rtd/$SCRIPT
echo "rtd-vm: exit \$?"
# Closing the line waits until it has sent what it holds.
exec >/dev/null 2>&1
poweroff -f
EOF
chmod +x "$rfs/init"
(cd "$rfs" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$VM/initrd.gz" ||
	die "cannot pack the initramfs"

# ---- boot ----
# The first serial port is the firmware's and the kernel's console (a file);
# the second carries the test's output.  KVM where this machine offers it,
# else software emulation.  KVM can be there and still refuse the guest's
# CPU (qemu aborts: "failed to set MSR 0x10a"), and qemu does not go on to
# the next accelerator after such an abort: a KVM start that dies before
# the test begins is retried under emulation.  Emulation runs both vCPUs on
# one thread: with a thread each, a vCPU now and then runs code the other
# has just patched as it was before (static keys, flipped at boot and when
# XDP attaches), and the kernel dies of a stray int3.
#
#   RTD_VM_FAIL_KVM=1  make the KVM start fail on purpose, to test the retry
#                      on a machine whose KVM works (or that has none)
log=$VM/console.log
out=$VM/test.log

boot() { # accel...: 0 once the VM ran the test, whatever the test's result
	# shellcheck disable=SC2068
	timeout "${RTD_VM_TIMEOUT:-600}" qemu-system-x86_64 $@ -cpu max -smp 2 -m 2048 \
		-display none -no-reboot -nodefaults -serial "file:$log" -serial stdio \
		-kernel "$kdir/vmlinuz" -initrd "$VM/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null 2>"$VM/qemu.err" |
		tr -d '\r' | tee "$out" | grep --line-buffered -Ev '^rtd-vm: (start|exit)'
	grep -q '^rtd-vm: start' "$out"
}

started=
if [ -w /dev/kvm ] || [ -n "${RTD_VM_FAIL_KVM:-}" ]; then
	kvm="-accel kvm"
	# An option this qemu refuses: the start fails as a broken KVM does.
	[ -n "${RTD_VM_FAIL_KVM:-}" ] && kvm="-accel kvm,no-such-option=1"
	if boot $kvm; then
		started=kvm
	else
		echo "vm: the KVM start failed ($(tail -n 1 "$VM/qemu.err")); retrying under emulation"
	fi
fi
[ -n "$started" ] || { boot -accel tcg,thread=single && started=tcg; }
rc=$(sed -n 's/^rtd-vm: exit \([0-9]*\)$/\1/p' "$out" | tail -n 1)
if [ -z "$rc" ]; then
	[ -n "$started" ] && what="the VM ended before the test did" ||
		what="the VM did not start the test"
	echo "vm: $what; qemu said: $(tail -n 3 "$VM/qemu.err" | tr '\n' ' ')" >&2
	echo "vm: the kernel's console, $log, ends:" >&2
	tail -n 15 "$log" | tr -d '\r' | sed 's/^/vm:   /' >&2
	exit 1
fi
echo "vm: the test ran under $started"
exit "$rc"
