#!/usr/bin/python3
"""Run a program the way systemd would confine it under a unit's sandboxing.

  sandbox.py UNIT PROGRAM ARGS...

For tests where systemd is not PID 1.  The directives are read from UNIT, so
the unit and what the tests run under cannot drift apart:

  CapabilityBoundingSet=      the bounding set (root gets it whole at exec)
  NoNewPrivileges=            PR_SET_NO_NEW_PRIVS
  SystemCallFilter=           allow list and ~deny lists, groups expanded by
  SystemCallErrorNumber=      `systemd-analyze syscall-filter`, as seccomp
  RestrictAddressFamilies=    socket() by family
  MemoryDenyWriteExecute=     no W+X mmap, no mprotect to X
  RestrictNamespaces=         no unshare, setns, clone with CLONE_NEW*
  ProtectSystem=strict        every mount read-only but /proc, /sys, /dev,
  ReadWritePaths=             these and $SANDBOX_RW (the test's own folder)
  ProtectHome=                an empty read-only /home and /root
  ProtectControlGroups=       cgroup2 at /sys/fs/cgroup, read-only
  PrivateDevices=             /dev with null, zero, full, random, urandom only
  ProtectProc=                a /proc of its own with hidepid=

It runs as root inside `ip netns exec`, whose fresh /sys has no cgroup2: a
service sees the host's, so one is mounted there (read-only, as
ProtectControlGroups= leaves it).  Not emulated: PrivateTmp= (a test keeps
its files in /tmp), ProtectClock=, ProtectKernelLogs=, ProtectKernelModules=,
ProtectHostname=, LockPersonality= (calls and files rtd never touches).
"""
import ctypes
import errno
import os
import re
import socket
import subprocess
import sys
import tempfile

import seccomp

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_SLAVE = 32, 4096, 8192, 16384, 1 << 19
CLONE_NEWNS = 0x00020000
NS_FLAGS = 0x7E020080  # CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET,TIME}
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
PROT_WRITE, PROT_EXEC = 2, 4


def die(msg):
    sys.exit("sandbox.py: " + msg)


def mount(src, dst, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    if libc.mount(enc(src), enc(dst), enc(fstype), flags, enc(data)):
        die("mount %s: %s" % (dst, os.strerror(ctypes.get_errno())))


def directives(path):
    d = {}
    for line in open(path):
        m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if m:
            d.setdefault(m.group(1), []).append(m.group(2).strip())
    return d


def yes(d, key):
    return d.get(key, ["no"])[-1] in ("yes", "true", "strict", "invisible", "ptraceable")


def syscall_groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True,
                         text=True, check=True).stdout
    groups, cur = {}, None
    for line in out.splitlines():
        s = line.strip()
        if line.startswith("@"):
            cur = groups.setdefault(s.split()[0], [])
        elif s and not s.startswith("#") and cur is not None:
            cur.append(s)
    return groups


def expand(groups, names):
    out = set()
    for n in names:
        out |= expand(groups, groups[n]) if n.startswith("@") else {n}
    return out


def allowed_calls(d):
    groups, allow = syscall_groups(), None
    for v in d.get("SystemCallFilter", []):
        deny = v.startswith("~")
        names = expand(groups, v.lstrip("~").split())
        if allow is None:
            allow = set() if deny else names
            if deny:
                die("a deny-list first is not emulated")
        elif deny:
            allow -= names
        else:
            allow |= names
    return allow


def load_seccomp(d):
    allow = allowed_calls(d)
    if allow is None:
        return
    err = getattr(errno, d.get("SystemCallErrorNumber", ["EPERM"])[-1])
    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(err))
    special = {"socket", "mmap", "mprotect", "pkey_mprotect", "unshare", "setns", "clone",
               "clone3"}
    for name in sorted(allow - special):
        try:
            f.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            pass  # not a call of this architecture
    fams = [getattr(socket, a, {"AF_XDP": 44}.get(a))
            for a in d.get("RestrictAddressFamilies", [""])[-1].split()]
    if "socket" in allow:
        for fam in fams or []:
            f.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, fam))
        if not fams:
            f.add_rule(seccomp.ALLOW, "socket")
    wx = PROT_WRITE | PROT_EXEC
    mdwe = yes(d, "MemoryDenyWriteExecute")
    if "mmap" in allow:
        for ok in ((0, PROT_WRITE, PROT_EXEC) if mdwe else ()):
            f.add_rule(seccomp.ALLOW, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, wx, ok))
        if not mdwe:
            f.add_rule(seccomp.ALLOW, "mmap")
    for call in ("mprotect", "pkey_mprotect"):
        if call in allow:
            f.add_rule(seccomp.ALLOW, call, *([seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, 0)]
                                              if mdwe else []))
    restrict_ns = yes(d, "RestrictNamespaces")
    if "clone" in allow:
        f.add_rule(seccomp.ALLOW, "clone", *([seccomp.Arg(0, seccomp.MASKED_EQ, NS_FLAGS, 0)]
                                             if restrict_ns else []))
    if "clone3" in allow:  # its flags are behind a pointer: systemd says ENOSYS
        f.add_rule(seccomp.ERRNO(errno.ENOSYS) if restrict_ns else seccomp.ALLOW, "clone3")
    for call in ("unshare", "setns"):
        if call in allow and not restrict_ns:
            f.add_rule(seccomp.ALLOW, call)
    f.load()


def caps(d):
    keep = d.get("CapabilityBoundingSet")
    if not keep:
        return
    numbers = {}
    for line in open("/usr/include/linux/capability.h"):
        m = re.match(r"#define (CAP_[A-Z_]+)\s+(\d+)\s*$", line)
        if m:
            numbers[m.group(1)] = int(m.group(2))
    want = {numbers[c] for c in keep[-1].split()}
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for c in range(last + 1):
        if c not in want and libc.prctl(PR_CAPBSET_DROP, c, 0, 0, 0):
            die("cannot drop capability %d" % c)


def private_dev():
    stage = tempfile.mkdtemp(prefix="sandbox-dev.")
    mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755")
    for n in ("null", "zero", "full", "random", "urandom"):
        open(stage + "/" + n, "w").close()
        mount("/dev/" + n, stage + "/" + n, None, MS_BIND)
    mount(stage, "/dev", None, MS_MOVE)
    os.rmdir(stage)


def mounts(d):
    if libc.unshare(CLONE_NEWNS):
        die("unshare: %s" % os.strerror(ctypes.get_errno()))
    mount(None, "/", None, MS_REC | MS_SLAVE)
    if yes(d, "ProtectProc"):
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "hidepid=" + d["ProtectProc"][-1])
    if not any(line.split()[2] == "cgroup2" for line in open("/proc/self/mounts")):
        mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if yes(d, "ProtectControlGroups"):
        for line in open("/proc/self/mounts"):
            if line.split()[2] == "cgroup2":
                mount(None, line.split()[1], None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    if yes(d, "PrivateDevices"):
        private_dev()
    if yes(d, "ProtectHome"):
        for h in ("/home", "/root"):
            if os.path.isdir(h):
                mount("tmpfs", h, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=755")
    if d.get("ProtectSystem", [""])[-1] != "strict":
        return
    rw = [p.lstrip("-") for v in d.get("ReadWritePaths", []) for p in v.split()]
    rw += os.environ.get("SANDBOX_RW", "").split()
    rw = [p for p in rw if os.path.isdir(p)]
    for p in rw:
        mount(p, p, None, MS_BIND | MS_REC)
    api = ("/proc", "/sys", "/dev")
    for line in open("/proc/self/mounts"):
        mp = line.split()[1].replace("\\040", " ")
        if mp in rw or any(mp == a or mp.startswith(a + "/") for a in api):
            continue
        if any(mp.startswith(p + "/") for p in rw):
            continue
        libc.mount(None, mp.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)


def main():
    if len(sys.argv) < 3:
        die("usage: sandbox.py UNIT PROGRAM ARGS...")
    d = directives(sys.argv[1])
    mounts(d)
    caps(d)
    if yes(d, "NoNewPrivileges") and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        die("no_new_privs: %s" % os.strerror(ctypes.get_errno()))
    load_seccomp(d)
    os.execv(sys.argv[2], sys.argv[2:])


if __name__ == "__main__":
    main()
