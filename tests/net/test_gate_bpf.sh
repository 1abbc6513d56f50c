#!/bin/sh
# The per-frame gate (rtd's BPF qdisc) needs BPF qdiscs: CONFIG_NET_SCH_BPF,
# Linux 6.16+.  Where this kernel has them its test runs here; elsewhere in
# a VM booting Debian's newer kernel (tests/vm/run.sh).  Either way the
# summary line is the test's own.
set -u
cd "$(dirname "$0")/../.."
if grep -qE ' (bpf_qdisc_init_prologue|bpf_qdisc_ops)$' /proc/kallsyms 2>/dev/null; then
	exec sh tests/vm/gate_bpf.sh
fi
exec sh tests/vm/run.sh tests/vm/gate_bpf.sh
