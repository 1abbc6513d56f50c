// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rtd/maps.h>

#include "bind.skel.h"
#include "lib/statefile.h"
#include "log.h"
#include "ports.h"

#define RESERVED_PATH "/proc/sys/net/ipv4/ip_local_reserved_ports"
#define STATE_KEY "reserved_ports="

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n, len = strlen(s);

	if (fd < 0)
		return -errno;
	/* The sysctl takes an empty list as "\n", not as a zero-length write. */
	n = len ? write(fd, s, len) : write(fd, "\n", 1);
	close(fd);
	if (n < 0)
		return -errno;
	return 0;
}

static int reserved_write(const struct ports *p)
{
	struct portset all;
	char err[128];
	char *buf;
	int ret;

	if (!p->orig_reserved[0] || portset_parse(p->orig_reserved, &all, err, sizeof(err)))
		portset_clear(&all);
	for (size_t i = 0; i < PORTSET_WORDS; i++)
		all.w[i] |= p->set.w[i];
	buf = portset_format_alloc(&all);
	if (!buf)
		return -ENOMEM;
	ret = write_file(RESERVED_PATH, buf);
	free(buf);
	if (ret)
		log_err("ports", "%s: %s", RESERVED_PATH, strerror(-ret));
	return ret;
}

static int restore_line(void *arg, char *line)
{
	const char *v = line + strlen(STATE_KEY);

	(void)arg;
	if (strncmp(line, STATE_KEY, strlen(STATE_KEY)))
		return 0;
	if (!write_file(RESERVED_PATH, v))
		log_info("ports", "restored ip_local_reserved_ports '%s' left by an earlier rtd", v);
	return 1;
}

/* An earlier rtd died without restoring the kernel: do it now. */
static void restore_leftovers(const char *state_path)
{
	if (statefile_read(state_path, restore_line, NULL) != -ENOENT)
		statefile_remove(state_path);
}

static int state_save(const struct ports *p)
{
	struct statefile_w w;
	int err = statefile_begin(&w, p->state_path);

	if (err)
		return err;
	statefile_printf(&w, STATE_KEY "%s\n", p->orig_reserved);
	return statefile_commit(&w);
}

/*
 * A start killed between mounting its private cgroup2 and removing it
 * leaves STATE_DIR/.cgroup2.PID, and perhaps the mount: remove those whose
 * rtd is gone.  A live rtd starting beside us keeps its own.
 */
static void sweep_cgroup_dirs(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[600], proc[64], *end;
		long pid;

		if (strncmp(de->d_name, ".cgroup2.", 9))
			continue;
		pid = strtol(de->d_name + 9, &end, 10);
		snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (*end || pid <= 0 || (pid != getpid() && !access(proc, F_OK)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		umount2(path, MNT_DETACH);
		if (!rmdir(path))
			log_info("ports", "removed %s, left by an rtd killed while starting", path);
	}
	closedir(d);
}

/*
 * The cgroup2 root, to hook every process's binds.  Without a cgroup2 mount
 * in our mount namespace (ip netns exec remounts /sys), mount one privately
 * just long enough to open it: the open fd and the links keep it usable.
 */
static int cgroup_root_fd(const char *state_path)
{
	char line[512], dir[300], type[64], *slash;
	FILE *f = fopen("/proc/self/mounts", "re");
	int fd = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %255s %63s", dir, type) == 2 && !strcmp(type, "cgroup2")) {
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				fd = -errno;
			break;
		}
	}
	fclose(f);
	if (fd != -ENOENT)
		return fd;
	snprintf(dir, sizeof(dir), "%s", state_path);
	slash = strrchr(dir, '/');
	snprintf(slash ? slash + 1 : dir, sizeof(dir) - (slash ? slash + 1 - dir : 0),
		 ".cgroup2.%d", getpid());
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (mount("cgroup2", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		fd = -errno;
		rmdir(dir);
		return fd;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return fd;
}

static int bind_hook_open(struct ports *p, uint64_t netns_cookie)
{
	char dir[sizeof(p->state_path)], *slash;
	int cg, err;

	snprintf(dir, sizeof(dir), "%s", p->state_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	sweep_cgroup_dirs(slash ? dir : ".");

	p->bind = bind_bpf__open();
	if (!p->bind)
		return -errno;
	p->bind->rodata->cfg.netns_cookie = netns_cookie;
	err = bpf_map__reuse_fd(p->bind->maps.rt_ports, p->map_fd);
	if (err)
		goto err_skel;
	err = bind_bpf__load(p->bind);
	if (err)
		goto err_skel;
	cg = cgroup_root_fd(p->state_path);
	if (cg < 0) {
		err = cg;
		log_err("ports", "no cgroup2 mount for the bind hook: %s", strerror(-err));
		goto err_skel;
	}
	/* Links detach when rtd exits, even by SIGKILL: binds work again then. */
	p->link4 = bpf_program__attach_cgroup(p->bind->progs.rtd_bind4, cg);
	err = libbpf_get_error(p->link4);
	if (err) {
		p->link4 = NULL;
		goto err_cg;
	}
	p->link6 = bpf_program__attach_cgroup(p->bind->progs.rtd_bind6, cg);
	err = libbpf_get_error(p->link6);
	if (err) {
		p->link6 = NULL;
		goto err_link4;
	}
	close(cg);
	return 0;

err_link4:
	bpf_link__destroy(p->link4);
	p->link4 = NULL;
err_cg:
	close(cg);
	log_err("ports", "cannot attach the bind hook: %s", strerror(-err));
err_skel:
	bind_bpf__destroy(p->bind);
	p->bind = NULL;
	return err;
}

int ports_open(struct ports *p, int map_fd, uint64_t netns_cookie, const char *state_path)
{
	char *buf;
	int err;

	memset(p, 0, sizeof(*p));
	p->map_fd = map_fd;
	snprintf(p->state_path, sizeof(p->state_path), "%s", state_path);

	restore_leftovers(p->state_path);
	buf = malloc(65536);
	if (!buf)
		return -ENOMEM;
	err = read_file(RESERVED_PATH, buf, 65536);
	if (err) {
		log_err("ports", "%s: %s", RESERVED_PATH, strerror(-err));
		free(buf);
		return err;
	}
	p->orig_reserved = buf;
	err = state_save(p);
	if (err) {
		log_err("ports", "%s: %s", p->state_path, strerror(-err));
		goto err_buf;
	}
	err = bind_hook_open(p, netns_cookie);
	if (err)
		goto err_state;
	return 0;

err_state:
	statefile_remove(p->state_path);
err_buf:
	free(p->orig_reserved);
	p->orig_reserved = NULL;
	return err;
}

static int map_set(struct ports *p, const struct portset *ports, bool rt)
{
	struct rtd_port_val v = { .rt = rt };

	for (int port = portset_next(ports, 1); port >= 0; port = portset_next(ports, port + 1)) {
		__u32 key = port;
		int err = bpf_map_update_elem(p->map_fd, &key, &v, BPF_ANY);

		if (err)
			return err;
	}
	return 0;
}

int ports_claim(struct ports *p, const struct portset *ports, char *err, size_t errlen)
{
	struct portset fresh;
	char who[128];
	uint16_t port;
	int ret;

	for (size_t i = 0; i < PORTSET_WORDS; i++)
		fresh.w[i] = ports->w[i] & ~p->set.w[i];
	if (!portset_count(&fresh))
		return 0;
	/* Steer and refuse binds first, then look: no bind can slip in between. */
	ret = map_set(p, &fresh, true);
	if (ret) {
		snprintf(err, errlen, "cannot update the port map: %s", strerror(-ret));
		goto err_undo;
	}
	if (!ports_find_owner(&fresh, &port, who, sizeof(who))) {
		snprintf(err, errlen, "port %u is in use by kernel socket of %s", port, who);
		ret = -EADDRINUSE;
		goto err_undo;
	}
	for (size_t i = 0; i < PORTSET_WORDS; i++)
		p->set.w[i] |= fresh.w[i];
	ret = reserved_write(p);
	if (ret) {
		snprintf(err, errlen, "%s: %s", RESERVED_PATH, strerror(-ret));
		for (size_t i = 0; i < PORTSET_WORDS; i++)
			p->set.w[i] &= ~fresh.w[i];
		goto err_undo;
	}
	return 0;

err_undo:
	map_set(p, &fresh, false);
	return ret;
}

int ports_release(struct ports *p, const struct portset *ports, char *err, size_t errlen)
{
	int ret;

	for (size_t i = 0; i < PORTSET_WORDS; i++)
		p->set.w[i] &= ~ports->w[i];
	ret = map_set(p, ports, false);
	if (ret) {
		snprintf(err, errlen, "cannot update the port map: %s", strerror(-ret));
		return ret;
	}
	ret = reserved_write(p);
	if (ret)
		snprintf(err, errlen, "%s: %s", RESERVED_PATH, strerror(-ret));
	return ret;
}

int ports_steer(struct ports *p, uint16_t port, bool on)
{
	struct rtd_port_val v = { .rt = on };
	__u32 key = port;

	if (!portset_has(&p->set, port))
		return -ENOENT;
	return bpf_map_update_elem(p->map_fd, &key, &v, BPF_ANY);
}

void ports_close(struct ports *p)
{
	if (p->link6)
		bpf_link__destroy(p->link6);
	if (p->link4)
		bpf_link__destroy(p->link4);
	bind_bpf__destroy(p->bind);
	p->bind = NULL;
	p->link4 = p->link6 = NULL;
	if (p->orig_reserved) {
		int err = write_file(RESERVED_PATH, p->orig_reserved);

		if (err)
			log_err("ports", "cannot restore %s: %s", RESERVED_PATH, strerror(-err));
		else
			statefile_remove(p->state_path);
		free(p->orig_reserved);
		p->orig_reserved = NULL;
	}
}

/* Inode of a kernel socket bound to one of ports, from /proc/net/udp{,6}. */
static int find_inode(const char *path, const struct portset *ports, uint16_t *port,
		      unsigned long *inode)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int ret = -ENOENT;

	if (!f)
		return -ENOENT; /* no IPv6 */
	if (!fgets(line, sizeof(line), f)) /* header */
		goto out;
	while (fgets(line, sizeof(line), f)) {
		unsigned lport;
		unsigned long ino;
		char *colon;

		/* "  sl  local_address rem_address st tx:rx tr:when retr uid timeout inode" */
		colon = strchr(line, ':');
		colon = colon ? strchr(colon + 1, ':') : NULL;
		if (!colon || sscanf(colon + 1, "%x %*s %*s %*s %*s %*s %*s %*s %lu", &lport,
				     &ino) != 2)
			continue;
		if (lport < 65536 && portset_has(ports, lport)) {
			*port = lport;
			*inode = ino;
			ret = 0;
			break;
		}
	}
out:
	fclose(f);
	return ret;
}

static bool pid_has_inode(const char *pid, const char *target)
{
	char dir[300], path[600], link[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		found = !strcmp(link, target);
	}
	closedir(d);
	return found;
}

int ports_find_owner(const struct portset *ports, uint16_t *port, char *who, size_t wholen)
{
	unsigned long inode = 0;
	char target[64], comm[64] = "?", path[300];
	struct dirent *de;
	DIR *d;

	if (find_inode("/proc/net/udp", ports, port, &inode) &&
	    find_inode("/proc/net/udp6", ports, port, &inode))
		return -ENOENT;
	if (!inode) {
		snprintf(who, wholen, "the kernel itself (a tunnel or other in-kernel user)");
		return 0;
	}
	snprintf(target, sizeof(target), "socket:[%lu]", inode);
	d = opendir("/proc");
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			if (!pid_has_inode(de->d_name, target))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
			read_file(path, comm, sizeof(comm));
			snprintf(who, wholen, "'%s' (pid %s)", comm, de->d_name);
			closedir(d);
			return 0;
		}
		closedir(d);
	}
	snprintf(who, wholen, "an unknown process (socket inode %lu)", inode);
	return 0;
}
