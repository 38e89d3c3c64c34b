#!/usr/bin/python3
"""POP3 download benchmark (bench/): correu's client against Python's
poplib and curl, all downloading the same COUNT messages of SIZE bytes
from one Dovecot over one plaintext connection each; and correu's server
against Dovecot, both serving that same Maildir to the same client
(correu-pipeline), in the same run.

    /usr/bin/python3 bench/pop3_fetch.py                # 5000 x 4096 B, 7 rounds
    /usr/bin/python3 bench/pop3_fetch.py --count 1000 --reps 7 --window 32

Dovecot is started on 127.0.0.1 by tests/interop/peers.py, with
pop3_no_flag_updates so that no run renames files for the next one. The
messages are written straight into the user's Maildir new/ (each file name
carrying its sizes, S= and W=, as Dovecot names them), then one untimed
poplib session (STAT, LIST, UIDL) makes Dovecot index them. Nothing is
deleted, so every run sees the same mailbox. Every contender is timed the
same way, by its own clock from just before the TCP connect to the answer
to QUIT (poplib in this process, the others in theirs, so no process start
is counted), and must read every message, its bytes adding up to STAT's
total. Rounds are interleaved so that load on the machine hits every
contender alike, and each contender's best round is what is compared: load
can only slow a run down, so the best is the steadiest estimate of what
each can do (the median is printed beside it). With it go the CPU time the
client itself spent per message (user + system; the server's is not
counted) and correu's ratios. The contenders:

- correu-pipeline: bench/bench_pop3_fetch.c driving the core, WINDOW RETRs
  in flight (PIPELINING, RFC 2449 §6.6);
- correu-session: the same program on the blocking session, one RETR at a
  time (what pipelining buys);
- poplib: POP3.retr() for each message (it waits for each response);
- curl: one curl process given the URL glob pop3://HOST:PORT/[1-COUNT];
  curl reuses the one connection for every URL (checked on a few messages
  with -v first) and sends one RETR at a time;
- correu-server: correu-pipeline again, but against correu's POP3 server
  (tests/interop/pop3_serverd: the server core on the runtime with the
  Maildir backend) serving Dovecot's Maildir, run as the mail's owner like
  Dovecot's mail processes. One untimed run against each server comes
  first: correu's takes new/ into cur/ and marks every message \\Seen (RETR
  does, at QUIT), and Dovecot's then indexes the renamed files, so no timed
  run changes the Maildir.

BUILD names the meson build directory (default build-bench, made as a
release build if missing; it needs the tests for pop3_serverd). Needs Dovecot (dovecot-pop3d) and curl: bash
.ci/deps.sh test. Every wait and loop is bounded in count and time.
"""

import argparse
import os
import poplib
import resource
import shutil
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
    targets = ["bench/bench_pop3_fetch", "tests/interop/pop3_serverd"]
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, "--buildtype=release"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
    subprocess.run(["ninja", "-C", build_dir, *targets], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, timeout=1200)
    return [os.path.join(build_dir, t) for t in targets]


class CorreuServer:
    """pop3_serverd serving p's Maildirs on a plain port (USER/PASS
    allowed), as the mail's owner (through setpriv, so that peers.py
    starts and stops it like any peer, by its pid)."""

    def __init__(self, p, prog, owner, password):
        run = p.path("pop3_serverd")
        os.makedirs(run)
        # Its own copy of the key, readable by the owner it runs as.
        key = os.path.join(run, "key.pem")
        shutil.copyfile(p.key_file, key)
        for path in (run, key):
            os.chown(path, *owner)
        ports = os.path.join(run, "ports")
        self.proc = peers.Process("pop3_serverd", [
            peers.find_program("setpriv"), f"--reuid={owner[0]}", f"--regid={owner[1]}",
            "--clear-groups", prog, "--root", p.path("mail", "%u", "Maildir"), "--cert",
            p.ca_file, "--key", key, "--port-file", ports, "--user", f"{USER}:{password}",
            "--plaintext-auth"], os.path.join(run, "log"))
        deadline = time.monotonic() + 10
        while not os.path.exists(ports):
            if not self.proc.running() or time.monotonic() > deadline:
                self.proc.stop()
                sys.exit(f"pop3_serverd did not start; see {run}/log")
            time.sleep(0.02)
        with open(ports) as f:
            self.port = int(f.read().split()[0])

    def stop(self):
        self.proc.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--window", type=int, default=256, help="RETRs in flight for correu")
    ap.add_argument("--only", help="comma-separated clients to run (default: all)")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build-bench"))
    args = ap.parse_args()
    if not (1 <= args.count <= 100000 and 256 <= args.size <= 1 << 20 and 1 <= args.reps <= 20):
        ap.error("count 1..100000, size 256..1048576, reps 1..20")
    build_dir = os.path.join(ROOT, args.build)
    prog, serverd = build(build_dir)
    curl = peers.find_program("curl")
    password = peers.USERS[USER]

    with peers.Peers(prefix="correu-bench-") as p:
        server = p.dovecot(extra_conf="pop3_no_flag_updates = yes\n")
        port = server.port["pop3"]
        home = os.stat(p.path("mail", USER))
        owner = (home.st_uid, home.st_gid)
        t0 = time.monotonic()
        expect = fill_maildir(p.maildir(USER), owner, args.count, args.size)
        t1 = time.monotonic()
        count, size = poplib_stat(port, password)
        t2 = time.monotonic()
        if (count, size) != (args.count, expect):
            sys.exit(f"Dovecot sees {count} messages, {size} bytes; wrote {args.count}, "
                     f"{expect}")
        print(f"== {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {os.cpu_count()} CPUs, "
              f"Dovecot on {peers.HOST}: {count} messages of {args.size} bytes "
              f"(written in {t1 - t0:.2f} s, indexed in {t2 - t1:.2f} s), "
              f"one connection per run, {args.reps} rounds, load average "
              f"{os.getloadavg()[0]:.1f}")
        conns = curl_connections(curl, port, password, 5)
        print(f"curl opened {conns} connection(s) for 5 URLs")
        ours = CorreuServer(p, serverd, owner, password)
        pipeline = ["pipeline", str(args.window)]
        try:
            # The untimed runs after which the Maildir no longer changes.
            run_correu(prog, ours.port, password, count, pipeline)
            run_correu(prog, port, password, count, pipeline)
            clients = {
                "correu-pipeline": lambda: run_correu(prog, port, password, count, pipeline),
                "correu-session": lambda: run_correu(prog, port, password, count, ["session"]),
                "poplib": lambda: run_poplib(port, password, count),
                "curl": lambda: run_curl(curl, port, password, count),
                "correu-server": lambda: run_correu(prog, ours.port, password, count, pipeline),
            }
            if args.only:
                clients = {n: clients[n] for n in args.only.split(",")}
            rates, cpu = measure(clients, args.reps, count, expect)
        finally:
            ours.stop()
    report(rates, cpu, args.window)


def measure(clients, reps, count, expect):
    """Interleaved rounds: messages per second and client CPU microseconds
    per message, one of each per round and contender."""
    rates = {name: [] for name in clients}
    cpu = {name: [] for name in clients}
    for _ in range(reps):
        for name, run in clients.items():
            # poplib runs in this process, the others as children.
            who = resource.RUSAGE_SELF if name == "poplib" else resource.RUSAGE_CHILDREN
            before = cpu_seconds(who)
            secs, got = run()
            if got != expect:
                sys.exit(f"{name} read {got} bytes, expected {expect}")
            rates[name].append(count / secs)
            cpu[name].append((cpu_seconds(who) - before) / count * 1e6)
    return rates, cpu


def report(rates, cpu, window):
    """Each contender's best round and median; correu's ratios on the best:
    the client against the others on Dovecot, and correu's server against
    Dovecot with the same client."""
    best = {name: max(r) for name, r in rates.items()}
    us = {name: statistics.median(c) for name, c in cpu.items()}
    ref = best.get("correu-pipeline")
    for name, r in rates.items():
        runs = " ".join(f"{x:.0f}" for x in r)
        if ref is None or name == "correu-pipeline":
            ratio = ""
        elif name == "correu-server":
            ratio = f"  correu-server/Dovecot = {best[name] / ref:.2f}"
        else:
            # The CPU ratio hardly moves with load; the rate ratio does.
            ratio = (f"  correu-pipeline/{name} = {ref / best[name]:.2f} "
                     f"(client CPU {us[name] / us['correu-pipeline']:.1f}x less)")
        print(f"{name:16} best {best[name]:8.0f} msg/s, median {statistics.median(r):8.0f}  "
              f"{us[name]:6.1f} us CPU/msg  (runs: {runs}){ratio}")
    print(f"window {window}; goals: correu-pipeline/poplib >= 3.0, "
          f"correu-server/Dovecot >= 1.0")


if __name__ == "__main__":
    peers.skip_or_fail(main)
