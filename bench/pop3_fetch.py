#!/usr/bin/python3
"""POP3 download benchmark (bench/): correu's client against Python's
poplib and curl, all downloading the same COUNT messages of SIZE bytes
from one Dovecot over one plaintext connection each, in the same run.

    /usr/bin/python3 bench/pop3_fetch.py                # 5000 x 4096 B, 3 rounds
    /usr/bin/python3 bench/pop3_fetch.py --count 1000 --reps 5 --window 32

Dovecot is started on 127.0.0.1 by tests/interop/peers.py, with
pop3_no_flag_updates so that no run renames files for the next one. The
messages are written straight into the user's Maildir new/ (each file name
carrying its sizes, S= and W=, as Dovecot names them), then one untimed
poplib session (STAT, LIST, UIDL) makes Dovecot index them. Nothing is
deleted, so every run sees the same mailbox. Each timed run goes from the
TCP connect to the answer to QUIT and must read every message, its bytes
adding up to STAT's total. Rounds are interleaved so that load on the
machine hits every client alike; the median of each is printed with
correu's ratios, and with the CPU time the client itself spent per message
(user + system; Dovecot's is not counted). The clients:

- correu-pipeline: bench/bench_pop3_fetch.c driving the core, WINDOW RETRs
  in flight (PIPELINING, RFC 2449 §6.6);
- correu-session: the same program on the blocking session, one RETR at a
  time (what pipelining buys);
- poplib: POP3.retr() for each message (it waits for each response);
- curl: one curl process given the URL glob pop3://HOST:PORT/[1-COUNT];
  curl reuses the one connection for every URL (checked on a few messages
  with -v first) and sends one RETR at a time.

BUILD names the meson build directory (default build-bench, made as a
release build if missing). Needs Dovecot (dovecot-pop3d) and curl: bash
.ci/deps.sh test. Every wait and loop is bounded in count and time.
"""

import argparse
import os
import poplib
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
import peers  # noqa: E402

USER = "tester"
RUN_TIMEOUT = 600  # seconds for one client run


def message(i, size):
    """Message i as the client sees it: CRLF line ends, exactly size
    bytes, one dot-led line (byte-stuffed on the wire, RFC 1939 §3)."""
    head = (f"From: bench@localhost\r\nTo: {USER}@localhost\r\n"
            f"Subject: correu POP3 benchmark {i}\r\nMessage-ID: <pop3.{i}@bench.localhost>\r\n"
            "\r\n.a line that starts with a dot\r\n").encode()
    out = bytearray(head)
    while len(out) < size:
        n = 76 if size - len(out) > 80 else size - len(out) - 2
        out += bytes([ord("a") + len(out) % 26]) * n + b"\r\n"
    assert len(out) == size
    return bytes(out)


def fill_maildir(maildir, owner, count, size):
    """Write count messages into maildir/new, stored with LF line ends as a
    Maildir holds them; return STAT's expected total (the CRLF size)."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        os.chown(os.path.join(maildir, sub), *owner)
    os.chown(maildir, *owner)
    stamp, total = int(time.time()), 0
    for i in range(1, count + 1):
        wire = message(i, size)
        data = wire.replace(b"\r\n", b"\n")
        # Dovecot reads S= (the file's size) and W= (the CRLF size) from the
        # name instead of opening the file; the order of names is the order
        # of the messages.
        name = f"{stamp}.M{i:06d}P{os.getpid()}.bench,S={len(data)},W={len(wire)}"
        path = os.path.join(maildir, "new", name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, *owner)
        total += len(wire)
    return total


def cpu_seconds(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def poplib_stat(port, password):
    p = poplib.POP3(peers.HOST, port, timeout=60)
    try:
        p.user(USER)
        p.pass_(password)
        count, size = p.stat()
        p.list()
        p.uidl()
    finally:
        p.quit()
    return count, size


def run_poplib(port, password, count):
    deadline = time.monotonic() + RUN_TIMEOUT
    t0 = time.monotonic()
    total = 0
    p = poplib.POP3(peers.HOST, port, timeout=60)
    try:
        p.user(USER)
        p.pass_(password)
        for i in range(1, count + 1):
            _, lines, _ = p.retr(i)
            # poplib strips the CRLFs (and unstuffs the dots): count what
            # the message held.
            total += sum(len(line) + 2 for line in lines)
            if time.monotonic() > deadline:
                raise TimeoutError("poplib run took too long")
    finally:
        p.quit()
    return time.monotonic() - t0, total


def curl_argv(curl, port, password, count, verbose=False):
    return [curl, "-sS", "--max-time", str(RUN_TIMEOUT), "-u", f"{USER}:{password}",
            *(["-v"] if verbose else []), f"pop3://{peers.HOST}:{port}/[1-{count}]"]


def run_curl(curl, port, password, count):
    t0 = time.monotonic()
    total = 0
    with subprocess.Popen(curl_argv(curl, port, password, count), stdout=subprocess.PIPE,
                          env=peers.peer_env()) as proc:
        while chunk := proc.stdout.read(1 << 16):
            total += len(chunk)
        rc = proc.wait(RUN_TIMEOUT)
    if rc != 0:
        raise RuntimeError(f"curl exited with status {rc}")
    return time.monotonic() - t0, total


def curl_connections(curl, port, password, n):
    """How many connections curl opens for n URLs (1 means it reuses)."""
    r = subprocess.run(curl_argv(curl, port, password, n, verbose=True), capture_output=True,
                       timeout=60, env=peers.peer_env())
    return r.stderr.decode("utf-8", "replace").count("Connected to ")


def run_correu(prog, port, password, count, mode):
    argv = [prog, peers.HOST, str(port), USER, str(count), *mode]
    r = subprocess.run(argv, capture_output=True, timeout=RUN_TIMEOUT,
                       env=dict(peers.peer_env(), CORREU_PASSWORD=password))
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.decode('utf-8', 'replace')}")
    fields = {}
    for line in r.stdout.decode().splitlines():
        kind, *rest = line.split()
        fields[kind] = rest
    return float(fields["rate"][2]), int(fields["bytes"][1])


def build(build_dir):
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, "--buildtype=release"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
    subprocess.run(["ninja", "-C", build_dir, "bench/bench_pop3_fetch"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, timeout=1200)
    return os.path.join(build_dir, "bench", "bench_pop3_fetch")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--window", type=int, default=256, help="RETRs in flight for correu")
    ap.add_argument("--only", help="comma-separated clients to run (default: all)")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build-bench"))
    args = ap.parse_args()
    if not (1 <= args.count <= 100000 and 256 <= args.size <= 1 << 20 and 1 <= args.reps <= 20):
        ap.error("count 1..100000, size 256..1048576, reps 1..20")
    build_dir = os.path.join(ROOT, args.build)
    prog = build(build_dir)
    curl = peers.find_program("curl")
    password = peers.USERS[USER]

    with peers.Peers(prefix="correu-bench-") as p:
        server = p.dovecot(extra_conf="pop3_no_flag_updates = yes\n")
        port = server.port["pop3"]
        home = os.stat(p.path("mail", USER))
        t0 = time.monotonic()
        expect = fill_maildir(p.maildir(USER), (home.st_uid, home.st_gid), args.count, args.size)
        t1 = time.monotonic()
        count, size = poplib_stat(port, password)
        t2 = time.monotonic()
        if (count, size) != (args.count, expect):
            sys.exit(f"Dovecot sees {count} messages, {size} bytes; wrote {args.count}, "
                     f"{expect}")
        print(f"== {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {os.cpu_count()} CPUs, "
              f"Dovecot on {peers.HOST}: {count} messages of {args.size} bytes "
              f"(written in {t1 - t0:.2f} s, indexed in {t2 - t1:.2f} s), "
              f"one connection per run, {args.reps} rounds")
        conns = curl_connections(curl, port, password, 5)
        print(f"curl opened {conns} connection(s) for 5 URLs")

        clients = {
            "correu-pipeline": lambda: run_correu(prog, port, password, count,
                                                  ["pipeline", str(args.window)]),
            "correu-session": lambda: run_correu(prog, port, password, count, ["session"]),
            "poplib": lambda: run_poplib(port, password, count),
            "curl": lambda: run_curl(curl, port, password, count),
        }
        if args.only:
            clients = {n: clients[n] for n in args.only.split(",")}
        rates = {name: [] for name in clients}
        cpu = {name: [] for name in clients}
        for _ in range(args.reps):
            for name, run in clients.items():
                # poplib runs in this process, the others as children.
                who = resource.RUSAGE_SELF if name == "poplib" else resource.RUSAGE_CHILDREN
                before = cpu_seconds(who)
                secs, got = run()
                if got != expect:
                    sys.exit(f"{name} read {got} bytes, expected {expect}")
                rates[name].append(count / secs)
                cpu[name].append((cpu_seconds(who) - before) / count * 1e6)

    med = {name: statistics.median(r) for name, r in rates.items()}
    best = med.get("correu-pipeline")
    for name, r in rates.items():
        runs = " ".join(f"{x:.0f}" for x in r)
        ratio = ("" if best is None or name == "correu-pipeline"
                 else f"  correu-pipeline/{name} = {best / med[name]:.2f}")
        print(f"{name:16} {med[name]:8.0f} msg/s  {statistics.median(cpu[name]):6.1f} us CPU/msg "
              f" (runs: {runs}){ratio}")
    print(f"window {args.window}; goal: correu-pipeline/poplib >= 3.0")


if __name__ == "__main__":
    peers.skip_or_fail(main)
