// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gate_qdisc.skel.h"
#include "gate/gate_qdisc.h"
#include "log.h"

bool gate_qdisc_available(void)
{
	/* The kernel's half of BPF qdiscs; present when built in (6.16+). */
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " bpf_qdisc_init_prologue") || strstr(line, " bpf_qdisc_ops");
	fclose(f);
	return found;
}

/*
 * A struct_ops map registered without a link outlives its process, and its
 * name stays taken: delete the registration a killed rtd left.
 */
static int evict_stale(void)
{
	__u32 id = 0, zero = 0;
	int found = -ENOENT;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_STRUCT_OPS && !strcmp(info.name, GATE_QDISC_KIND) &&
		    !bpf_map_delete_elem(fd, &zero)) {
			log_info("gate", "took over the BPF qdisc an earlier rtd left registered");
			found = 0;
		}
		close(fd);
	}
	return found;
}

/* The shared map as mmap'd: its one element, rounded up to whole pages. */
static size_t shm_len(const struct gate_qdisc *b)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(*b->shm) + page - 1) / page * page;
}

int gate_qdisc_open(struct gate_qdisc *b, bool evict, char *why, size_t len)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->skel = gate_qdisc_bpf__open_and_load();
	if (!b->skel) {
		err = -errno;
		snprintf(why, len, "cannot load the BPF qdisc: %s", strerror(-err));
		return err;
	}
	b->ops = bpf_map__attach_struct_ops(b->skel->maps.rtd_gate);
	if (!b->ops && errno == EEXIST && evict && !evict_stale())
		b->ops = bpf_map__attach_struct_ops(b->skel->maps.rtd_gate);
	if (!b->ops) {
		err = errno == EEXIST ? -EEXIST : -(errno ?: EINVAL);
		snprintf(why, len, "cannot register the BPF qdisc '%s': %s", GATE_QDISC_KIND,
			 err == -EEXIST ? "another rtd has it" : strerror(-err));
		goto err_skel;
	}
	b->shm = mmap(NULL, shm_len(b), PROT_READ | PROT_WRITE, MAP_SHARED,
		      bpf_map__fd(b->skel->maps.gate_shm), 0);
	if (b->shm == MAP_FAILED) {
		err = -errno;
		b->shm = NULL;
		snprintf(why, len, "cannot map the BPF qdisc's state: %s", strerror(-err));
		goto err_ops;
	}
	return 0;

err_ops:
	bpf_link__destroy(b->ops);
	b->ops = NULL;
err_skel:
	gate_qdisc_bpf__destroy(b->skel);
	b->skel = NULL;
	return err;
}

void gate_qdisc_close(struct gate_qdisc *b)
{
	if (b->shm)
		munmap(b->shm, shm_len(b));
	bpf_link__destroy(b->ops); /* unregisters the Qdisc_ops */
	gate_qdisc_bpf__destroy(b->skel);
	memset(b, 0, sizeof(*b));
}
