#!/usr/bin/python3
"""Interop tests of correu's POP3 server (tests/interop, suite 'interop').
pop3_serverd runs the server core on the real runtime over loopback with
the default backend (a Maildir per user and an in-memory password file);
real clients talk to it: Python's poplib (STLS, implicit TLS, USER/PASS),
correu's own POP3 session (pop3_driver, which picks SCRAM-SHA-256), and
curl. The Maildir is written by hand, and in DovecotUidlTest also read
and written by a real Dovecot (started by peers.py), whose UIDLs must
match ours for the same Maildir in both directions.

    test_pop3_server.py --server PATH --driver PATH [TestClass ...]

Classes: ServerTest, DovecotUidlTest. Exits 77 when a class's peer is not
installed (openssl for every class, Dovecot for DovecotUidlTest).
"""

import argparse
import os
import poplib
import shutil
import signal
import ssl
import subprocess
import sys
import time
import unittest

import peers

ARGS = None
RUN_TIMEOUT = 60   # seconds for one client run
START_TIMEOUT = 10  # seconds for pop3_serverd to listen
USER, PASSWORD = "alice", peers.USERS["alice"]


def message(n, body_lines=20, big=0):
    """A message with LF line ends as files hold them, dot-led lines for
    the byte-stuffing, and optionally `big` bytes of extra body."""
    lines = [f"From: <bob@localhost>", f"To: <alice@localhost>", f"Subject: server {n}",
             f"Message-ID: <pop3d.{n}.{os.getpid()}@correu.test>", "",
             ".a dot-led line", "..two dots", "."]
    lines += [f"body line {i:04d} of {n}" for i in range(body_lines)]
    if big:
        row = "y" * 99
        lines += [row if i % 1000 else "." + row[1:] for i in range(big // 100)]
    return ("\n".join(lines) + "\n").encode()


def put_messages(maildir, msgs):
    """Deliver messages into a Maildir's new/ as an MTA would."""
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, d), exist_ok=True)
    for i, data in enumerate(msgs):
        name = f"{int(time.time())}.M{i}P{os.getpid()}.correu-test"
        tmp = os.path.join(maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(maildir, "new", name))


def crlf_size(data):
    return len(data) + data.count(b"\n")


class Server:
    """pop3_serverd in a directory of its own; stopped by its pid."""

    def __init__(self, p, root, plaintext=False):
        self.port_file = p.path(f"ports.{time.monotonic_ns()}")
        argv = [ARGS.server, "--root", root, "--cert", p.ca_file, "--key", p.key_file,
                "--port-file", self.port_file, "--user", f"{USER}:{PASSWORD}",
                "--user", f"bob:{peers.USERS['bob']}"]
        if plaintext:
            argv.append("--plaintext-auth")
        self.log = open(p.path("pop3_serverd.log"), "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise peers.PeerError("pop3_serverd did not start; see its log")
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.plain, self.tls = (int(x) for x in f.read().split())

    def kill(self):
        """SIGKILL: no QUIT, no shutdown, as a crash would."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        return self.proc.returncode


class ServerCase(unittest.TestCase):
    def setUp(self):
        self.p = peers.Peers(prefix="correu-pop3d-")
        self.addCleanup(self.p.close)
        self.root = self.p.path("mail", "%u", "Maildir")
        self.maildir = self.p.path("mail", USER, "Maildir")
        self.servers = []

    def tls_ctx(self):
        """A client context that trusts the test certificate and checks
        the host name."""
        return ssl.create_default_context(cafile=self.p.ca_file)

    def start(self, **kw):
        s = Server(self.p, self.root, **kw)
        self.servers.append(s)
        self.addCleanup(lambda: s.proc.poll() is None and s.stop())
        return s

    def stls(self, s):
        c = poplib.POP3("127.0.0.1", s.plain, timeout=RUN_TIMEOUT)
        c.stls(context=self.tls_ctx())
        return c

    def login(self, s):
        c = self.stls(s)
        c.user(USER)
        c.pass_(PASSWORD)
        return c


class ServerTest(ServerCase):
    def setUp(self):
        super().setUp()
        self.msgs = [message(1), message(2, body_lines=3), message(3, big=3 * 1024 * 1024)]
        put_messages(self.maildir, self.msgs)

    def test_stls_user_pass_and_every_command(self):
        s = self.start()
        c = self.stls(s)
        caps = c.capa()
        for kw in ("TOP", "UIDL", "USER", "SASL", "PIPELINING", "RESP-CODES", "UTF8"):
            self.assertIn(kw, caps)
        self.assertNotIn("STLS", caps)
        self.assertIn("SCRAM-SHA-256", caps["SASL"])
        c.user(USER)
        c.pass_(PASSWORD)
        count, size = c.stat()
        self.assertEqual(count, 3)
        self.assertEqual(size, sum(crlf_size(m) for m in self.msgs))
        listing = c.list()[1]
        self.assertEqual(listing, [f"{i + 1} {crlf_size(m)}".encode()
                                   for i, m in enumerate(self.msgs)])
        for i, m in enumerate(self.msgs):
            lines = c.retr(i + 1)[1]
            self.assertEqual(lines, m.rstrip(b"\n").split(b"\n"), f"message {i + 1}")
        top = c.top(1, 2)[1]
        header, body = self.msgs[0].split(b"\n\n", 1)
        self.assertEqual(top, header.split(b"\n") + [b""] + body.split(b"\n")[:2])
        uidls = c.uidl()[1]
        self.assertEqual(len(uidls), 3)
        self.assertTrue(all(len(u.split()[1]) == 16 for u in uidls))
        c.dele(2)
        before = sorted(os.listdir(os.path.join(self.maildir, "cur")) +
                        os.listdir(os.path.join(self.maildir, "new")))
        self.assertEqual(len(before), 3, "DELE must not touch the Maildir before QUIT")
        c.quit()
        c2 = self.login(s)
        self.assertEqual(c2.stat()[0], 2)
        self.assertEqual(c2.uidl()[1], [b"1 " + uidls[0].split()[1],
                                        b"2 " + uidls[2].split()[1]])
        c2.quit()
        self.assertEqual(s.stop(), 0)

    def test_plaintext_refused_before_stls(self):
        s = self.start()
        c = poplib.POP3("127.0.0.1", s.plain, timeout=RUN_TIMEOUT)
        self.assertIn("STLS", c.capa())
        self.assertNotIn("USER", c.capa())
        with self.assertRaisesRegex(poplib.error_proto, r"\[AUTH\]"):
            c.user(USER)
        c.quit()

    def test_implicit_tls_and_in_use(self):
        s = self.start()
        c = poplib.POP3_SSL("127.0.0.1", s.tls, context=self.tls_ctx(),
                            timeout=RUN_TIMEOUT)
        c.user(USER)
        c.pass_(PASSWORD)
        other = poplib.POP3_SSL("127.0.0.1", s.tls, context=self.tls_ctx(),
                                timeout=RUN_TIMEOUT)
        other.user(USER)
        with self.assertRaisesRegex(poplib.error_proto, r"\[IN-USE\]"):
            other.pass_(PASSWORD)
        other.quit()
        c.quit()

    def test_wrong_password(self):
        s = self.start()
        c = self.stls(s)
        c.user(USER)
        with self.assertRaisesRegex(poplib.error_proto, r"\[AUTH\]"):
            c.pass_("not the password")
        c.user(USER)
        c.pass_(PASSWORD)
        c.quit()

    def test_too_many_failures(self):
        # The runtime's back-off delays each failure; past its per-session
        # cap (3 by default) the session ends.
        s = self.start()
        c = self.stls(s)
        started = time.monotonic()
        for attempt in range(3):
            c.user(USER)
            with self.assertRaisesRegex(poplib.error_proto, r"\[AUTH\]") as cm:
                c.pass_("wrong")
        self.assertIn("Too many authentication failures", str(cm.exception))
        self.assertGreaterEqual(time.monotonic() - started, 0.1, "no back-off delay")
        with self.assertRaises((poplib.error_proto, OSError, EOFError)):
            c.noop()

    def test_kill_between_dele_and_quit(self):
        s = self.start()
        c = self.login(s)
        uidls = c.uidl()[1]
        c.dele(1)
        c.dele(3)
        c.noop()  # the DELEs were answered
        s.kill()
        c.sock.close()
        s2 = self.start()
        c2 = self.login(s2)
        self.assertEqual(c2.stat()[0], 3, "a crash before QUIT deleted mail")
        self.assertEqual(c2.uidl()[1], uidls)
        c2.quit()

    def test_retr_marks_seen_at_quit(self):
        s = self.start()
        c = self.login(s)
        c.top(1, 0)
        c.retr(2)
        c.quit()
        flags = {}
        for d in ("new", "cur"):
            for name in os.listdir(os.path.join(self.maildir, d)):
                index = int(name.split(".M", 1)[1].split("P", 1)[0])
                flags[index] = (d, name.partition(":2,")[2])
        # Message i was delivered as ".M<i-1>P"; RETR 2 read the second.
        self.assertEqual(flags[1], ("cur", "S"))
        self.assertNotIn("S", flags[0][1], "TOP marked a message read")
        self.assertNotIn("S", flags[2][1])

    def test_correu_client_scram(self):
        s = self.start()
        env = dict(os.environ, CORREU_PASSWORD=PASSWORD)
        r = subprocess.run([ARGS.driver, "--host", "localhost", "--port", str(s.plain),
                            "--user", USER, "--ca-file", self.p.ca_file, "stat", "uidl",
                            f"retr:2:{self.p.path('m2')}", "quit"],
                           capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SCRAM-SHA-256", r.stderr)
        self.assertIn("login ok", r.stdout)
        self.assertIn(f"stat 3 {sum(crlf_size(m) for m in self.msgs)}", r.stdout)
        with open(self.p.path("m2"), "rb") as f:
            self.assertEqual(f.read(), self.msgs[1].replace(b"\n", b"\r\n"))

    def test_curl(self):
        curl = shutil.which("curl")
        if not curl:
            self.skipTest("curl is not installed")
        s = self.start()
        base = ["--silent", "--show-error", "--ssl-reqd", "--cacert", self.p.ca_file,
                "--user", f"{USER}:{PASSWORD}", "--max-time", str(RUN_TIMEOUT)]
        url = f"pop3://localhost:{s.plain}/"
        r = subprocess.run([curl] + base + [url + "1"], capture_output=True,
                           timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, self.msgs[0].replace(b"\n", b"\r\n"))
        r = subprocess.run([curl] + base + [url], capture_output=True, timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(b"\r\n")[:3],
                         [f"{i + 1} {crlf_size(m)}".encode() for i, m in enumerate(self.msgs)])
        r = subprocess.run([curl] + base + ["-X", "UIDL", url], capture_output=True,
                           timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.split(b"\r\n")), 4)
        # A single-line command: -I, or curl would wait for a listing.
        r = subprocess.run([curl] + base + ["-X", "DELE 2", "-I", url], capture_output=True,
                           timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        c = self.login(s)
        self.assertEqual(c.stat()[0], 2)
        c.quit()


class DovecotUidlTest(ServerCase):
    """The same Maildir through Dovecot and through correu: the UIDLs
    (Dovecot's default pop3_uidl_format %08Xu%08Xv) must be equal."""

    def setUp(self):
        super().setUp()
        self.dovecot = peers.skip_or_fail(lambda: self.p.dovecot())

    def dovecot_uidl(self, user):
        c = poplib.POP3("127.0.0.1", self.dovecot.port["pop3"], timeout=RUN_TIMEOUT)
        c.stls(context=self.tls_ctx())
        c.user(user)
        c.pass_(peers.USERS[user])
        u = c.uidl()[1]
        c.quit()
        return u

    def correu_uidl(self, s, user):
        c = self.stls(s)
        c.user(user)
        c.pass_(peers.USERS[user])
        u = c.uidl()[1]
        c.quit()
        return u

    def chown_mail(self, user):
        uid, gid, _ = self.p._mail_owner()
        for top, dirs, files in os.walk(self.p.path("mail", user)):
            for n in dirs + files:
                os.chown(os.path.join(top, n), uid, gid)

    def test_dovecot_first(self):
        put_messages(self.p.maildir(USER), [message(i) for i in range(4)])
        self.chown_mail(USER)
        theirs = self.dovecot_uidl(USER)
        self.assertEqual(len(theirs), 4)
        s = self.start()
        self.assertEqual(self.correu_uidl(s, USER), theirs)

    def test_correu_first(self):
        put_messages(self.p.maildir("bob"), [message(i) for i in range(3)])
        s = self.start()
        ours = self.correu_uidl(s, "bob")
        self.assertEqual(len(ours), 3)
        s.stop()
        self.chown_mail("bob")
        self.assertEqual(self.dovecot_uidl("bob"), ours)


CLASSES = {"ServerTest": ServerTest, "DovecotUidlTest": DovecotUidlTest}


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("classes", nargs="*", default=list(CLASSES))
    ARGS = ap.parse_args()
    for path in (ARGS.server, ARGS.driver):
        if not os.access(path, os.X_OK):
            print(f"FAIL: {path} is not built", flush=True)
            return 1

    def check_installed():
        peers.find_program("openssl")
        if "DovecotUidlTest" in ARGS.classes:
            peers.find_program("dovecot")
    peers.skip_or_fail(check_installed)
    return run_classes(CLASSES, ARGS.classes)


def run_classes(classes, names):
    """Run the named test classes; 0 if all passed, else 1."""
    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(classes[n])
                               for n in names)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
