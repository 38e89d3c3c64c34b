#!/usr/bin/python3
"""Load and crash tests of the SMTP server (SMTP layer) through the
correu-mailserver example, each against a fresh server on free ports of
127.0.0.1 with its own temporary data directory.

    test_smtp_server_load.py CORREU_MAILSERVER kill
        Four smtplib clients deliver messages of random size, each with a
        unique Message-ID and a SHA-256 of its body; the server gets SIGKILL
        at a random moment mid-load. Every message that got 250 after DATA
        must then be in the user's Maildir, byte for byte, and every file in
        new/ and cur/ must be a complete message we sent (a Maildir delivery
        is visible only after its rename out of tmp/, RFC-less but the
        Maildir convention). The server must then restart on the same data
        and serve POP3 and SMTP on it.

    test_smtp_server_load.py CORREU_MAILSERVER source
        Postfix's smtp-source sends 1000 messages over 10 parallel sessions;
        it must succeed within 60 s and all 1000 must be delivered. (LMTP is
        not covered: correu-mailserver has no LMTP listener.)

Exits 77 (skipped) when smtp-source is missing. The server is stopped by
the pid this script started, never by name.
"""
import email
import email.policy
import hashlib
import os
import poplib
import random
import re
import shutil
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import peers

HOST = "127.0.0.1"
SKIP = 77
USER = "user"  # the first user correu-mailserver creates
RUNNING = []  # every Server, killed on the way out whatever happens


def fail(what):
    print("FAIL: " + what, flush=True)
    sys.exit(1)


def free_base():
    """An SMTP port whose companions (correu-mailserver -p: +62, -60,
    LMTP -101, -1415, -530) are free too."""
    return peers.free_port_group((0, 62, -60, -101, -1415, -530))


class Server:
    """correu-mailserver on a data directory, started and stopped by pid."""

    def __init__(self, binary, tmp, base):
        self.binary, self.tmp, self.base = binary, tmp, base
        self.data = os.path.join(tmp, "data")
        self.proc = None
        self.password = None
        RUNNING.append(self)

    def start(self, tag):
        self.out = os.path.join(self.tmp, tag + ".out")
        self.err = os.path.join(self.tmp, tag + ".err")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen([self.binary, "-d", self.data, "-p", str(self.base)],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         cwd=self.tmp)
        deadline = time.monotonic() + 15  # ASan builds start slower
        while time.monotonic() < deadline:
            text = open(self.out, encoding="utf-8", errors="replace").read()
            if text.count("listening") >= 5:  # SMTP x3, POP3 x2
                m = re.search(r'password "([^"]*)"', text)
                if m:
                    self.password = m.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.log_tail()
        fail(tag + ": the server did not start")

    def log_tail(self):
        """The server's output, from a sanitizer report's start if any."""
        for f in (self.out, self.err):
            lines = open(f, errors="replace").readlines()
            at = [i for i, line in enumerate(lines) if "ERROR: " in line and "Sanitizer" in line]
            print("".join(lines[at[0]:at[0] + 40] if at else lines[-20:]), flush=True)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def terminate(self):
        """SIGTERM must make the server exit with status 0 (graceful)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()
            fail("no exit within 20 s of SIGTERM")
        if rc != 0:
            self.log_tail()
            fail("exit status %d after SIGTERM" % rc)

    def maildir(self, sub):
        return os.path.join(self.data, "mail", USER, "Maildir", sub)


def make_message(rng, n):
    """A message with a unique Message-ID, random body of random size and
    the body's SHA-256 in a header; returns (id, bytes)."""
    mid = "<%d.%016x@load.test>" % (n, rng.getrandbits(64))
    lines = []
    for _ in range(rng.randint(1, 300)):
        line = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz .0123456789")
                       for _ in range(rng.randint(0, 76)))
        lines.append(line)  # some start with "." (dot-stuffing, RFC 5321 4.5.2)
    body = ("\r\n".join(lines) + "\r\n").encode()
    head = ("From: a@localhost\r\nTo: %s@localhost\r\nSubject: load %d\r\nMessage-ID: %s\r\n"
            "X-Body-SHA256: %s\r\n\r\n" % (USER, n, mid, hashlib.sha256(body).hexdigest()))
    return mid, head.encode() + body


def check_file(path, sent):
    """A delivered file must be exactly one message we sent with the
    server's Received: trace prepended (RFC 5321 4.4) and a matching S=
    size in its name; returns its Message-ID."""
    raw = open(path, "rb").read()
    m = re.search(r",S=(\d+)", os.path.basename(path))
    if not m or int(m.group(1)) != len(raw):
        fail("%s: size %d does not match its name" % (path, len(raw)))
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    mid = msg.get("Message-ID")
    if mid not in sent:
        fail("%s: not a message we sent (Message-ID %r)" % (path, mid))
    if not raw.startswith(b"Received: ") or not raw.endswith(sent[mid]):
        fail("%s: content differs from what was sent" % path)
    body = raw.split(b"\r\n\r\n", 1)[1]
    if hashlib.sha256(body).hexdigest() != msg.get("X-Body-SHA256"):
        fail("%s: body checksum mismatch" % path)
    return mid


def delivered(srv):
    return [os.path.join(srv.maildir(d), f) for d in ("new", "cur")
            for f in sorted(os.listdir(srv.maildir(d)))]


def kill_test(binary, tmp):
    rng = random.Random()
    srv = Server(binary, tmp, free_base())
    srv.start("first")
    sent, acked, lock = {}, set(), threading.Lock()
    stop = threading.Event()
    counter = iter(range(10 ** 6))

    def client():
        try:
            with smtplib.SMTP(HOST, srv.base, local_hostname="client.example", timeout=10) as s:
                while not stop.is_set():
                    with lock:
                        mid, data = make_message(rng, next(counter))
                        sent[mid] = data
                    s.sendmail("a@localhost", [USER + "@localhost"], data)
                    with lock:  # sendmail returned: 250 after the final dot
                        acked.add(mid)
        except (OSError, smtplib.SMTPException):
            pass  # the server was killed under us

    workers = [threading.Thread(target=client) for _ in range(4)]
    for w in workers:
        w.start()
    target = rng.randint(20, 300)  # acknowledged messages before the kill
    deadline = time.monotonic() + 20
    while len(acked) < target and time.monotonic() < deadline:
        if not any(w.is_alive() for w in workers):
            break
        time.sleep(0.001)
    time.sleep(rng.random() * 0.05)  # and then some, so the kill lands anywhere
    srv.kill()
    stop.set()
    for w in workers:
        w.join(15)
    with lock:
        acked_now = set(acked)
    if len(acked_now) < min(target, 20):
        srv.log_tail()
        fail("only %d messages acknowledged before the kill" % len(acked_now))

    stored = [check_file(p, sent) for p in delivered(srv)]
    if len(stored) != len(set(stored)):
        fail("a message was delivered twice")
    missing = acked_now - set(stored)
    if missing:
        fail("%d acknowledged messages lost, e.g. %s" % (len(missing), sorted(missing)[0]))

    # The same data again: it must start, list every message over POP3
    # (RFC 1939 STAT, after STLS as RFC 2595 asks) and take new mail.
    srv.start("second")
    ctx = ssl.create_default_context(cafile=os.path.join(srv.data, "selfsigned.pem"))
    ctx.check_hostname = False  # it names "localhost"; we stay on 127.0.0.1
    pop = poplib.POP3(HOST, srv.base - 1415, timeout=10)
    pop.stls(context=ctx)
    pop.user(USER)
    pop.pass_(srv.password)
    count = pop.stat()[0]
    pop.quit()
    if count != len(stored):
        fail("POP3 lists %d messages after the restart, %d are stored" % (count, len(stored)))
    mid, data = make_message(rng, 10 ** 6)
    sent[mid] = data
    with smtplib.SMTP(HOST, srv.base, local_hostname="client.example", timeout=10) as s:
        s.sendmail("a@localhost", [USER + "@localhost"], data)
    srv.terminate()
    after = [check_file(p, sent) for p in delivered(srv)]
    if sorted(after) != sorted(stored + [mid]):
        fail("the Maildir changed across the restart")
    print("ok: killed after %d acknowledged, %d stored intact, %d listed after restart"
          % (len(acked_now), len(stored), count))


def source_test(binary, tmp):
    prog = shutil.which("smtp-source", path=os.environ.get("PATH", "") + ":/usr/sbin")
    if not prog:
        print("SKIP: smtp-source (Postfix) is not installed")
        sys.exit(SKIP)
    srv = Server(binary, tmp, free_base())
    srv.start("first")
    try:
        r = subprocess.run([prog, "-s", "10", "-m", "1000", "-l", "1000", "-f", "a@localhost",
                            "-t", USER + "@localhost", "%s:%d" % (HOST, srv.base)],
                           capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        srv.kill()
        fail("smtp-source took over 60 s")
    if r.returncode != 0:
        srv.kill()
        print(r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"))
        srv.log_tail()
        fail("smtp-source exited %d" % r.returncode)
    srv.terminate()
    files = delivered(srv)
    for p in files:
        raw = open(p, "rb").read()
        m = re.search(r",S=(\d+)", p)
        # smtp-source pads the body to -l bytes (its own headers come on top).
        if not m or int(m.group(1)) != len(raw) or len(raw) < 1000 or \
                not raw.startswith(b"Received: "):
            fail("%s: not a complete message (%d bytes)" % (p, len(raw)))
    if len(files) != 1000:
        fail("%d messages delivered, expected 1000" % len(files))
    print("ok: smtp-source delivered 1000 messages")


def main():
    binary, mode = os.path.realpath(sys.argv[1]), sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="correu-load-")
    try:
        if mode == "kill":
            kill_test(binary, tmp)
        elif mode == "source":
            source_test(binary, tmp)
        else:
            fail("unknown mode " + mode)
    finally:
        for srv in RUNNING:
            srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
