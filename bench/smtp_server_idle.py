#!/usr/bin/python3
"""Resident memory per idle SMTP connection (bench/): open COUNT connections
to a server's port, wait for every greeting, and report how much the
server process's resident set (VmRSS in /proc/PID/status, plus the RSS of
its children for a multi-process server) grew, per connection.

    smtp_server_idle.py NAME PID PORT [COUNT]

prints "idle NAME COUNT RSS_BEFORE_KIB RSS_AFTER_KIB PER_CONN_BYTES".
The connections come from COUNT/10 loopback addresses (127.0.0.2, .3, ...)
so a per-address connection limit (correu's default is 16) is not what is
measured. Every wait is bounded; the connections are closed on the way out.
"""
import os
import resource
import socket
import sys
import time

GREETING_TIMEOUT = 30.0  # seconds for all greetings
SETTLE = 0.5             # seconds for the server to finish its bookkeeping
PER_ADDRESS = 10


def rss_kib(pid):
    """VmRSS of pid and of its descendants, in KiB."""
    total = 0
    for p in [pid] + descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def descendants(root):
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                data = f.read()
        except OSError:
            continue
        ppid = int(data[data.rfind(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    out, queue = [], [root]
    while queue:
        for k in kids.get(queue.pop(), []):
            out.append(k)
            queue.append(k)
    return out


def main():
    name, pid, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    time.sleep(SETTLE)
    before = rss_kib(pid)
    socks = []
    deadline = time.monotonic() + GREETING_TIMEOUT
    try:
        for i in range(count):
            s = socket.socket()
            s.bind((f"127.0.0.{2 + i // PER_ADDRESS}", 0))
            s.settimeout(max(0.1, deadline - time.monotonic()))
            s.connect(("127.0.0.1", port))
            socks.append(s)
        for s in socks:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            if not s.recv(512).startswith(b"220"):
                raise OSError("no 220 greeting")
        time.sleep(SETTLE)
        after = rss_kib(pid)
    except OSError as e:
        print(f"idle {name}: failed after {len(socks)} connections: {e}", file=sys.stderr)
        return 1
    finally:
        for s in socks:
            s.close()
    per = (after - before) * 1024 / count
    print(f"idle {name} {count} {before} {after} {per:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
