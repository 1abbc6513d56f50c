#!/usr/bin/python3
"""systemd's side of sd_notify, for tests where systemd is not PID 1.

  sdnotify.py listen SOCKET LOG     bind an AF_UNIX datagram socket at SOCKET
                                    and append "<monotonic s> <message>" to LOG
                                    per datagram (newlines in it as " | ")
  sdnotify.py stall PID NAME SECS   stop the thread of PID named NAME alone
                                    for SECS seconds, then let it go on

A SIGSTOP, even to one thread's id, stops every thread of the process (a
group stop), and the point is that the control thread goes on.  A ptrace
seize and interrupt stops only the thread seized: the others run.  If this
process dies, the kernel detaches, and the thread runs again.
"""
import ctypes
import os
import socket
import sys
import time

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207


def listen(path, log):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(log, "a", buffering=1) as out:
        while True:
            msg = s.recv(4096).decode(errors="replace").strip()
            out.write("%.3f %s\n" % (time.monotonic(), msg.replace("\n", " | ")))


def thread_of(pid, name):
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
            if f.read().strip() == name:
                return int(tid)
    sys.exit("sdnotify.py: no thread named %s in pid %d" % (name, pid))


def stall(pid, name, secs):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
    tid = thread_of(pid, name)
    if libc.ptrace(PTRACE_SEIZE, tid, None, None) or libc.ptrace(PTRACE_INTERRUPT, tid, None, None):
        sys.exit("sdnotify.py: ptrace %d: %s" % (tid, os.strerror(ctypes.get_errno())))
    os.waitpid(tid, os.__dict__.get("__WALL", 0x40000000))
    print("%.3f stopped %d" % (time.monotonic(), tid), flush=True)
    time.sleep(secs)
    libc.ptrace(PTRACE_DETACH, tid, None, None)
    print("%.3f resumed %d" % (time.monotonic(), tid), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "stall":
        stall(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(__doc__)
