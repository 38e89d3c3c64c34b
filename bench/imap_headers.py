#!/usr/bin/python3
"""IMAP header-fetch benchmark (bench/): fetch the headers of COUNT
messages from one Dovecot on loopback with correu, libetpan and Python's
imaplib (and correu's Python binding), same Maildir, same run.

    /usr/bin/python3 bench/imap_headers.py                 # 10000 messages, 3 rounds
    /usr/bin/python3 bench/imap_headers.py --mode client --reps 5

This is what a mail client does when it opens a folder: log in, EXAMINE
INBOX, then one UID FETCH 1:* of the headers. Two modes: "header" fetches
BODY.PEEK[HEADER] (the whole header block, ~1.5 KB a message here);
"client" fetches UID, FLAGS, RFC822.SIZE and six HEADER.FIELDS, as a
message list needs. Each run is one plaintext connection (TLS would race
TLS libraries, not IMAP code); only the UID FETCH is timed, by the client
itself, and every client must see COUNT messages and the same number of
header bytes.

The Maildir is filled by writing COUNT realistic messages (Received
chains, DKIM signatures, MIME headers, bodies of 1-6 KB) straight into
cur/, then one untimed imaplib session fetches everything so that Dovecot
has indexed and cached them before the first timed run. Rounds are
interleaved, each starting with the next client, so that load on the
machine hits every client alike; the median and best rate of each is
printed with the CPU time the client spent per message on the FETCH (user
+ system, measured by the client; Dovecot's is not counted), and correu's
ratios of each. On a busy machine the rates swing from run to run; the
best runs and the CPU times hold still.

The clients:
- correu: bench/bench_imap_headers.c, the blocking session
  (correu_imap_session_fetch, events handed over as they are parsed);
- libetpan: bench/bench_imap_headers_etpan.c, mailimap_uid_fetch();
- imaplib: IMAP4.uid("FETCH", ...), the Python standard library;
- correu-python: correu.IMAP.fetch_headers() (the ctypes binding);
- raw-socket: no client at all, the ceiling the server sets: the same
  command written to a socket and the answer read in 1 MiB pieces until
  the tagged OK, nothing parsed (bytes are not checked, only the time).

BUILD names the meson build directory (default build-bench, made as a
release build if missing). Needs Dovecot, and libetpan-dev for libetpan:
bash .ci/deps.sh test. Every wait is bounded in time.
"""

import argparse
import base64
import imaplib
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
import peers  # noqa: E402

USER = "tester"
RUN_TIMEOUT = 600  # seconds for one client run
#: The FETCH items of each mode; the C programs ask for the same.
MODES = {
    "header": "(UID BODY.PEEK[HEADER])",
    "client": "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE "
              "MESSAGE-ID)])",
}
NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov",
         "Donald Knuth", "Margaret Hamilton", "Niklaus Wirth", "Frances Allen", "Ken Thompson"]
WORDS = ("meeting notes invoice quarterly report draft review release schedule budget "
         "proposal update question travel lunch weekly status deploy server backup").split()
#: Lines that bodies are made of, drawn once: 10,000 bodies are then quick.
BODY_LINES = [" ".join(random.Random(n).choices(WORDS, k=12)) for n in range(500)]


def address(rng):
    name = rng.choice(NAMES)
    return name, name.lower().replace(" ", ".") + "@" + rng.choice(
        ["example.org", "example.net", "mail.example.com"])


def message(i, rng):
    """Message i: the headers a delivered mail carries today, a text body."""
    when = time.gmtime(1700000000 + i * 97)
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", when)
    (fname, faddr), (tname, taddr) = address(rng), address(rng)
    subject = " ".join(rng.choices(WORDS, k=rng.randint(3, 9)))
    sig = base64.b64encode(rng.randbytes(258)).decode("ascii")  # 344 characters
    head = [
        f"Return-Path: <{faddr}>",
        f"Delivered-To: {USER}@localhost",
        f"Received: from mx{i % 7}.example.org (mx{i % 7}.example.org [192.0.2.{i % 250 + 1}])"
        f"\n\tby mail.localhost (Postfix) with ESMTPS id {i:08X}\n\tfor <{USER}@localhost>;"
        f" {date}",
        f"Received: from [10.0.{i % 200}.{i % 250}] (unknown [198.51.100.{i % 250 + 1}])"
        f"\n\tby mx{i % 7}.example.org with ESMTPSA id {i * 7919:010x}; {date}",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1;"
        f"\n\tt={1700000000 + i}; h=from:to:subject:date:message-id;"
        f"\n\tbh={sig[:44]}=;\n\tb=" + "\n\t".join(sig[k:k + 70] for k in range(0, 344, 70)),
        f"Message-ID: <{i}.{rng.getrandbits(48):012x}@{faddr.split('@')[1]}>",
        f"Date: {date}",
        f"From: {fname} <{faddr}>",
        f"To: {tname} <{taddr}>, {USER}@localhost",
        *([f"Cc: {address(rng)[1]}"] if i % 3 == 0 else []),
        f"Subject: {'Re: ' if i % 4 == 0 else ''}{subject}",
        *([f"In-Reply-To: <{i - 1}@example.org>", f"References: <{i - 1}@example.org>"]
          if i % 4 == 0 else []),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8; format=flowed",
        "Content-Transfer-Encoding: 8bit",
        "X-Mailer: correu-bench 1.0",
    ]
    lines = rng.choices(BODY_LINES, k=rng.randint(12, 70))
    return ("\n".join(head) + "\n\n" + "\n".join(lines) + "\n").encode()


def fill_maildir(maildir, owner, count):
    """Write count messages into maildir/cur, LF line ends as a Maildir
    holds them, names carrying S= and W= (so Dovecot need not open a file
    for its size) and some already seen (":2,S")."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        os.chown(os.path.join(maildir, sub), *owner)
    os.chown(maildir, *owner)
    rng = random.Random(7)  # the same mailbox every run
    stamp = 1700000000
    for i in range(1, count + 1):
        data = message(i, rng)
        wire = len(data) + data.count(b"\n")
        flags = "S" if i % 3 else ""
        name = f"{stamp + i}.M{i:06d}P1.bench,S={len(data)},W={wire}:2,{flags}"
        path = os.path.join(maildir, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, *owner)


class Clocks:
    """Time and CPU time (this process's) from now on."""

    def __init__(self):
        self.t0, self.cpu0 = time.monotonic(), time.process_time()

    def spent(self):
        """(seconds, CPU seconds) since made."""
        return time.monotonic() - self.t0, time.process_time() - self.cpu0


def run_imaplib(port, password, items):
    m = imaplib.IMAP4(peers.HOST, port, timeout=RUN_TIMEOUT)
    try:
        m.login(USER, password)
        m.select("INBOX", readonly=True)
        clocks = Clocks()
        typ, data = m.uid("FETCH", "1:*", items)
        # One (meta, literal) tuple per message, a b")" after each.
        parts = [d for d in data if isinstance(d, tuple)]
        got = (len(parts), sum(len(d[1]) for d in parts))
        spent = clocks.spent()
        if typ != "OK":
            raise RuntimeError(f"imaplib: UID FETCH answered {typ}")
    finally:
        m.logout()
    return (*got, *spent)


def run_binding(port, password, mode):
    import correu
    with correu.IMAP(peers.HOST, port, tls="none", allow_plaintext_auth=True,
                     timeout=RUN_TIMEOUT) as imap:
        imap.login(USER, password)
        imap.select("INBOX", readonly=True)
        if mode != "header":
            raise ValueError("correu-python fetches whole headers only")
        clocks = Clocks()
        got = imap.fetch_headers("1:*")
        spent = clocks.spent()
    return len(got), sum(len(m.headers) for m in got), *spent


def run_raw(port, password, items, count):
    """Send the FETCH by hand and only read; (count, None, times)."""
    m = imaplib.IMAP4(peers.HOST, port, timeout=RUN_TIMEOUT)
    try:
        m.login(USER, password)
        m.select("INBOX", readonly=True)
        sock, end, tail = m.socket(), b"\r\nR1 OK ", b""
        clocks = Clocks()
        sock.sendall(f"R1 UID FETCH 1:* {items}\r\n".encode())
        while end not in tail:
            if clocks.spent()[0] > RUN_TIMEOUT:
                raise TimeoutError("raw-socket run took too long")
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("raw-socket: the server closed")
            tail = tail[-len(end):] + chunk
        spent = clocks.spent()
    finally:
        m.shutdown()
    return count, None, *spent


def run_program(prog, port, password, mode):
    argv = [prog, peers.HOST, str(port), USER, mode]
    r = subprocess.run(argv, capture_output=True, timeout=RUN_TIMEOUT,
                       env=dict(peers.peer_env(), CORREU_PASSWORD=password))
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.decode('utf-8', 'replace')}")
    fields = dict(line.split() for line in r.stdout.decode().splitlines())
    return (int(fields["messages"]), int(fields["bytes"]), float(fields["seconds"]),
            float(fields["cpu"]))


def build(build_dir):
    """The two programs (libetpan's is None when not built)."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, "--buildtype=release"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
    progs = []
    for name in ("bench_imap_headers", "bench_imap_headers_etpan"):
        target = os.path.join("bench", name)
        r = subprocess.run(["ninja", "-C", build_dir, target], cwd=ROOT, timeout=1200,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode != 0 and name == "bench_imap_headers":
            sys.exit(f"cannot build {target} in {build_dir}")
        progs.append(os.path.join(build_dir, target) if r.returncode == 0 else None)
    return progs


def warm_up(port, password, count):
    """Make Dovecot index and cache the mailbox (untimed)."""
    m = imaplib.IMAP4(peers.HOST, port, timeout=RUN_TIMEOUT)
    try:
        m.login(USER, password)
        typ, data = m.select("INBOX", readonly=True)
        if typ != "OK" or int(data[0]) != count:
            sys.exit(f"Dovecot sees {data[0]!r} messages, wrote {count}")
        for items in MODES.values():
            m.uid("FETCH", "1:*", items)
    finally:
        m.logout()


def bench(clients, reps, count):
    """{name: (median msg/s, median us CPU/msg, runs)}; checks every run
    saw count messages and the same header bytes."""
    rates = {name: [] for name in clients}
    cpu = {name: [] for name in clients}
    seen = {}
    names = list(clients)
    for r in range(reps):
        # Each round starts with the next client: whoever goes first may
        # find Dovecot's files pushed out of the page cache.
        for name in names[r % len(names):] + names[:r % len(names)]:
            msgs, nbytes, secs, cpu_secs = clients[name]()
            cpu[name].append(cpu_secs / count * 1e6)
            if nbytes is not None:
                seen.setdefault((msgs, nbytes), name)
            if msgs != count or len(seen) > 1:
                sys.exit(f"{name} read {msgs} messages, {nbytes} bytes; first run: {seen}")
            rates[name].append(count / secs)
    return {name: (statistics.median(rates[name]), statistics.median(cpu[name]), rates[name])
            for name in clients}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--mode", choices=[*MODES, "both"], default="both")
    ap.add_argument("--only", help="comma-separated clients to run (default: all)")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build-bench"))
    args = ap.parse_args()
    if not (1 <= args.count <= 100000 and 1 <= args.reps <= 20):
        ap.error("count 1..100000, reps 1..20")
    build_dir = os.path.join(ROOT, args.build)
    prog, etpan = build(build_dir)
    # The binding loads the library just built.
    os.environ["CORREU_LIBRARY"] = os.path.join(build_dir, "lib", "libcorreu.so")
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    password = peers.USERS[USER]

    with peers.Peers(prefix="correu-bench-") as p:
        port = p.dovecot().port["imap"]
        home = os.stat(p.path("mail", USER))
        t0 = time.monotonic()
        fill_maildir(p.maildir(USER), (home.st_uid, home.st_gid), args.count)
        t1 = time.monotonic()
        warm_up(port, password, args.count)
        t2 = time.monotonic()
        print(f"== {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {os.cpu_count()} CPUs, "
              f"Dovecot on {peers.HOST}: {args.count} messages (written in {t1 - t0:.2f} s, "
              f"indexed in {t2 - t1:.2f} s), one UID FETCH 1:* per run, {args.reps} rounds")
        for mode in (MODES if args.mode == "both" else [args.mode]):
            clients = {
                "correu": lambda m=mode: run_program(prog, port, password, m),
                "libetpan": lambda m=mode: run_program(etpan, port, password, m),
                "imaplib": lambda m=mode: run_imaplib(port, password, MODES[m]),
                "correu-python": lambda m=mode: run_binding(port, password, m),
                "raw-socket": lambda m=mode: run_raw(port, password, MODES[m], args.count),
            }
            if etpan is None:
                print("libetpan: not built (apt-get install libetpan-dev), left out")
                del clients["libetpan"]
            if mode != "header":
                del clients["correu-python"]
            if args.only:
                clients = {n: c for n, c in clients.items() if n in args.only.split(",")}
            print(f"-- mode {mode}: {MODES[mode]}")
            report(bench(clients, args.reps, args.count))


def report(results):
    """One line a client: median and best rate, CPU per message, and
    correu's ratios: of the median rates, of the best rates (the runs the
    rest of the machine disturbed least), and of CPU (theirs over ours)."""
    ours = results.get("correu")
    for name, (rate, cpu, runs) in results.items():
        ratio = ""
        if ours is not None and name != "correu":
            ratio = (f"  correu/{name}: median {ours[0] / rate:.2f}, "
                     f"best {max(ours[2]) / max(runs):.2f}, CPU {cpu / ours[1]:.1f}")
        print(f"{name:14} {rate:7.0f} msg/s (best {max(runs):6.0f})  {cpu:5.1f} us CPU/msg"
              f"{ratio}")


if __name__ == "__main__":
    peers.skip_or_fail(main)
