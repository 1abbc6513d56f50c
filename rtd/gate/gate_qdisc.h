/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The gate's BPF qdisc (bpf/gate_qdisc.bpf.c), on kernels that have them:
 * loading it, registering its Qdisc_ops under the name "rtd_gate", and the
 * shared state rtd steers it through.  Installing it on a device is
 * root.c's, like the TBF.
 */
#ifndef GATE_GATE_QDISC_H
#define GATE_GATE_QDISC_H

#include <stdbool.h>
#include <stddef.h>

#include <rtd/gate_shm.h>

#define GATE_QDISC_KIND "rtd_gate"

struct gate_qdisc_bpf;
struct bpf_link;

struct gate_qdisc {
	struct gate_qdisc_bpf *skel;
	struct bpf_link *ops;
	struct rtd_gate_shm *shm; /* mmap'd: the RT loop writes it without a system call */
};

/* Whether this kernel offers BPF qdiscs (struct_ops Qdisc_ops). */
bool gate_qdisc_available(void);
/*
 * Load and register.  A registration left by an rtd that was killed is
 * taken over when evict is set (the caller found no qdisc using it); else
 * -EEXIST.  why says what failed.
 */
int gate_qdisc_open(struct gate_qdisc *b, bool evict, char *why, size_t len);
void gate_qdisc_close(struct gate_qdisc *b);

#endif
