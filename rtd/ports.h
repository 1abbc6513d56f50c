/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RT port set and its exclusivity against the kernel: the steering map,
 * ip_local_reserved_ports (no ephemeral allocation of RT ports) and a cgroup
 * bind hook (no explicit kernel bind of RT ports).  Everything changed is
 * recorded in a state file first, so that a restart after a crash restores
 * what the crashed rtd could not.
 */
#ifndef RTD_PORTS_H
#define RTD_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtd/portset.h>

struct bind_bpf;

struct ports {
	struct portset set;
	int map_fd;
	struct bind_bpf *bind;
	struct bpf_link *link4, *link6;
	char *orig_reserved; /* ip_local_reserved_ports as found */
	char state_path[256];
};

/* map_fd: the steering program's rt_ports map, shared with the bind hook. */
int ports_open(struct ports *p, int map_fd, uint64_t netns_cookie, const char *state_path);
/*
 * Make ports RT ports.  Refuses, changing nothing, when a kernel socket holds
 * one: err names the port and the owning process.
 */
int ports_claim(struct ports *p, const struct portset *ports, char *err, size_t errlen);
int ports_release(struct ports *p, const struct portset *ports, char *err, size_t errlen);
/*
 * Steer one port of the set or stop steering it, leaving it claimed: the
 * kernel still cannot have it.  For applications that use ports of their
 * range one call at a time.
 */
int ports_steer(struct ports *p, uint16_t port, bool on);
/* Release everything and restore the kernel's settings. */
void ports_close(struct ports *p);

/*
 * Find a kernel UDP socket bound to one of ports in the caller's network
 * namespace; 0 and a description in who ("'nc' (pid 42)") when found,
 * -ENOENT when none.
 */
int ports_find_owner(const struct portset *ports, uint16_t *port, char *who, size_t wholen);

#endif
