#!/bin/sh
# The per-frame gate (rtd's BPF qdisc) needs BPF qdiscs: CONFIG_NET_SCH_BPF,
# Linux 6.16+.  Where this kernel has them its test runs here; elsewhere in
# a VM booting Debian's newer kernel (tests/vm/run.sh).  Either way the
# summary line is the test's own.  The VM's KVM start is made to fail on
# purpose, so that its retry under emulation is exercised on every machine,
# as it is on those whose KVM refuses the guest's CPU.
set -u
cd "$(dirname "$0")/../.."
if grep -qE ' (bpf_qdisc_init_prologue|bpf_qdisc_ops)$' /proc/kallsyms 2>/dev/null; then
	exec sh tests/vm/gate_bpf.sh
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
RTD_VM_FAIL_KVM=1 sh tests/vm/run.sh tests/vm/gate_bpf.sh | tee "$out"
rc=$?
if grep -q '^vm: the test ran under tcg' "$out" && grep -q 'KVM start failed' "$out"; then
	echo "ok   a KVM start that fails is retried under emulation, and the test runs"
	p=$(sed -n 's/^gate_bpf.sh: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^gate_bpf.sh: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$out" | tail -n 1)
	[ -n "$p" ] && echo "gate_bpf_vm: $((p + 1)) passed, $f failed, 0 skipped"
elif grep -q '^skip ' "$out"; then
	:
else
	echo "FAIL a KVM start that fails is retried under emulation"
	echo "gate_bpf_vm: 0 passed, 1 failed, 0 skipped"
fi
exit $rc
