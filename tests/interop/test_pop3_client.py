#!/usr/bin/python3
"""Interop tests of correu's POP3 client against Dovecot (tests/interop,
suite 'interop'). correu runs as pop3_driver (the blocking session) and as
examples/correu-fetch; Dovecot is started by peers.py on 127.0.0.1 with its
own configuration in a temporary directory, and mail is put in its
mailboxes over LMTP.

    test_pop3_client.py --driver PATH --pipeline PATH --fetch PATH [TestClass ...]

Classes: Pop3Test (STLS, implicit TLS, SCRAM-SHA-256 and PLAIN, UIDL, LIST,
TOP, RETR, DELE committed only by QUIT, the core pipelining through a
recording relay), PlainOnlyTest (SASL PLAIN only), FetchTest (correu-fetch into a
Maildir, with --keep and without, resuming after a dropped connection and
after SIGKILL mid-download). Exits 77 when Dovecot is not installed.
"""

import argparse
import glob
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
import unittest

import peers
from run_classes import run_classes
from tap import Tap

ARGS = None
RUN_TIMEOUT = 60  # seconds for one client run; every run is bounded


def sample_message(n, body_lines=50):
    """A message with dot-led lines (RFC 1939 §3 byte-stuffing) and more
    than one chunk of text; CRLF line ends."""
    lines = [f"From: Alice <alice@localhost>", f"To: <user@localhost>",
             f"Subject: pop3 interop {n}", f"Message-ID: <pop3.{n}.{os.getpid()}@correu.test>",
             "", ".a line that starts with a dot", "..two dots", ".", "x" * 900]
    lines += [f"line {i:04d} of message {n}" for i in range(body_lines)]
    return ("\r\n".join(lines) + "\r\n").encode()


def deliver(peer, user, messages):
    """Put messages in user's INBOX through Dovecot's LMTP."""
    with smtplib.LMTP(peers.HOST, peer.port["lmtp"]) as lmtp:
        for m in messages:
            lmtp.sendmail("sender@localhost", [f"{user}@localhost"], m)


class Cutter:
    """A relay that closes the connection once the server has sent more
    than `limit` bytes: a connection dropped in the middle of a RETR."""

    def __init__(self, port, limit):
        self.target, self.limit = port, limit
        self.listener = socket.socket()
        self.listener.bind((peers.HOST, 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._relay, daemon=True)
        self.thread.start()

    def _relay(self):
        client, _ = self.listener.accept()
        server = socket.create_connection((peers.HOST, self.target), timeout=10)
        client.settimeout(10)
        sent = 0

        def upstream():
            try:
                while (data := client.recv(65536)):
                    server.sendall(data)
            except OSError:
                pass
        threading.Thread(target=upstream, daemon=True).start()
        try:
            while sent <= self.limit and (data := server.recv(65536)):
                client.sendall(data[: self.limit + 1 - sent])
                sent += len(data)
        except OSError:
            pass
        client.close()
        server.close()

    def close(self):
        self.listener.close()
        self.thread.join(10)


class PeerTest(unittest.TestCase):
    """Starts Dovecot once per class."""

    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        try:
            cls.dovecot = cls.peers.dovecot()
        except BaseException:
            cls.peers.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.peers.close()

    def run_prog(self, argv, password):
        env = dict(os.environ, CORREU_PASSWORD=password)
        r = subprocess.run(argv, capture_output=True, env=env, timeout=RUN_TIMEOUT)
        r.out = r.stdout.decode("utf-8", "replace")
        r.err = r.stderr.decode("utf-8", "replace")
        return r

    def driver(self, user, *commands, tls="implicit", port=None):
        port = port or self.dovecot.port["pop3s" if tls == "implicit" else "pop3"]
        return self.run_prog([ARGS.driver, "--host", peers.HOST, "--port", str(port),
                              "--user", user, "--tls", tls, "--ca-file", self.peers.ca_file,
                              *commands], peers.USERS[user])

    def explain(self, r):
        return f"exit {r.returncode}\nstdout:\n{r.out}\nstderr:\n{r.err}"

    def lines(self, r, prefix):
        return [l.split() for l in r.out.splitlines() if l.startswith(prefix + " ")]

    def empty_mailbox(self, user):
        r = self.driver(user, "stat")
        self.assertEqual(r.returncode, 0, self.explain(r))
        count = int(self.lines(r, "stat")[0][1])
        r = self.driver(user, *[f"dele:{i}" for i in range(1, count + 1)], "quit")
        self.assertEqual(r.returncode, 0, self.explain(r))


class Pop3Test(PeerTest):
    """The blocking session against Dovecot's POP3."""

    def setUp(self):
        self.empty_mailbox("alice")
        self.sent = [sample_message(i) for i in range(1, 4)]
        deliver(self.dovecot, "alice", self.sent)

    def test_implicit_tls_scram_and_every_command(self):
        out = os.path.join(self.peers.dir, "retr")
        r = self.driver("alice", "stat", "list", "uidl", f"top:2:0:{out}.top",
                        *[f"retr:{i}:{out}.{i}" for i in (1, 2, 3)], "quit")
        self.assertEqual(r.returncode, 0, self.explain(r))
        ready = self.lines(r, "ready")[0]
        self.assertEqual(ready[1], "tls=1")
        self.assertIn("SCRAM-SHA-256", r.out)
        # The strongest mechanism offered is chosen (RFC 7677 over PLAIN).
        self.assertIn("pop3: AUTH SCRAM-SHA-256", r.err)
        stat = self.lines(r, "stat")[0]
        self.assertEqual(stat[1], "3")
        sizes = {int(l[1]): int(l[2]) for l in self.lines(r, "list")}
        self.assertEqual(sorted(sizes), [1, 2, 3])
        self.assertEqual(sum(sizes.values()), int(stat[2]))
        uids = [l[2] for l in self.lines(r, "uidl")]
        self.assertEqual(len(set(uids)), 3)
        for i, sent in enumerate(self.sent, 1):
            with open(f"{out}.{i}", "rb") as f:
                got = f.read()
            # Dovecot adds its trace headers; the message follows intact,
            # unstuffed, and LIST's size is exact (RFC 1939 §5).
            self.assertTrue(got.endswith(sent), got[:200])
            self.assertEqual(len(got), sizes[i])
        with open(f"{out}.top", "rb") as f:
            top = f.read()
        self.assertTrue(top.endswith(b"\r\n\r\n"), top)
        self.assertIn(b"Subject: pop3 interop 2\r\n", top)
        self.assertNotIn(b"line 0000", top)

    def test_stls_and_uidl_stable_across_sessions(self):
        a = self.driver("alice", "uidl", "quit", tls="starttls")
        b = self.driver("alice", "uidl", "quit", tls="starttls")
        for r in (a, b):
            self.assertEqual(r.returncode, 0, self.explain(r))
            self.assertEqual(self.lines(r, "ready")[0][1], "tls=1")
        self.assertEqual(self.lines(a, "uidl"), self.lines(b, "uidl"))
        self.assertEqual(len(self.lines(a, "uidl")), 3)

    def test_dele_is_committed_by_quit_only(self):
        r = self.driver("alice", "dele:1", "drop")
        self.assertEqual(r.returncode, 0, self.explain(r))
        r = self.driver("alice", "stat", "dele:1", "dele:2", "rset", "dele:3", "quit")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertEqual(self.lines(r, "stat")[0][1], "3", "no QUIT, nothing deleted")
        r = self.driver("alice", "stat", "quit")
        self.assertEqual(self.lines(r, "stat")[0][1], "2", "RSET undid two deletions")

    def test_wrong_password_and_missing_message(self):
        r = self.run_prog([ARGS.driver, "--host", peers.HOST, "--port",
                           str(self.dovecot.port["pop3s"]), "--user", "alice", "--tls",
                           "implicit", "--ca-file", self.peers.ca_file, "stat"], "wrong")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("error login CORREU_ERR_AUTH", r.out)
        r = self.driver("alice", "dele:99")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("error dele:99 CORREU_ERR_REPLY", r.out)

    def test_the_core_pipelines(self):
        # pop3_pipeline queues every command as soon as the core is ready;
        # Dovecot offers PIPELINING, so they must leave in one write and
        # the responses still be matched to them in order.
        with Tap(self.dovecot.port["pop3"]) as tap:
            r = self.run_prog([ARGS.pipeline, peers.HOST, str(tap.port), "alice", "stat",
                               "list", "uidl", "retr:1", "top:2:0", "dele:3", "noop", "quit"],
                              peers.USERS["alice"])
        self.assertEqual(r.returncode, 0, self.explain(r))
        batch = b"STAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\nDELE 3\r\nNOOP\r\nQUIT\r\n"
        self.assertIn(batch, tap.client_chunks(), tap.client_chunks())
        out = r.out.splitlines()
        self.assertEqual([l.split()[1] for l in out if l.startswith("reply ")],
                         ["GREETING", "CAPA", "USER", "PASS", "STAT", "LIST", "UIDL", "RETR",
                          "TOP", "DELE", "NOOP", "QUIT"])
        self.assertEqual(len([l for l in out if l.startswith("item LIST ")]), 3)
        self.assertEqual(len([l for l in out if l.startswith("item UIDL ")]), 3)
        self.assertIn(f"body RETR 1 ", r.out)
        self.assertIn("reply DELE +OK", r.out)
        r = self.driver("alice", "stat", "quit")
        self.assertEqual(self.lines(r, "stat")[0][1], "2", "the pipelined DELE was committed")

    def test_50_mb_message_in_bounded_memory(self):
        big = sample_message(99, body_lines=50 * 1024 * 1024 // 24)
        self.assertGreater(len(big), 50 * 1024 * 1024)
        deliver(self.dovecot, "alice", [big])
        out = os.path.join(self.peers.dir, "big")
        # The peak resident set (VmHWM, every allocation counted) after a
        # small message is the baseline the 50 MB one must stay near.
        r = self.driver("alice", f"retr:1:{out}.small", "hwm", f"retr:4:{out}", "hwm", "quit")
        self.assertEqual(r.returncode, 0, self.explain(r))
        small_kb, big_kb = (int(l[1]) for l in self.lines(r, "hwm"))
        with open(out, "rb") as f:
            got = f.read()
        self.assertTrue(got.endswith(big), "the 50 MB message came back changed")
        self.assertEqual(int(self.lines(r, "retr")[1][2]), len(got))
        self.assertLessEqual(big_kb - small_kb, 1024,
                             f"50 MB RETR grew the peak RSS by {big_kb - small_kb} KiB")

    def test_certificate_is_verified(self):
        r = self.run_prog([ARGS.driver, "--host", peers.HOST, "--port",
                           str(self.dovecot.port["pop3s"]), "--user", "alice", "--tls",
                           "implicit", "stat"], peers.USERS["alice"])
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("error open CORREU_ERR_CERT", r.out)


class PlainOnlyTest(PeerTest):
    """Dovecot offering only SASL PLAIN: chosen over TLS, refused without."""

    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        try:
            cls.dovecot = cls.peers.dovecot(extra_conf="auth_mechanisms = plain\n")
        except BaseException:
            cls.peers.close()
            raise

    def test_plain_over_stls(self):
        r = self.driver("bob", "stat", "quit", tls="starttls")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("pop3: AUTH PLAIN", r.err)

    def test_no_password_in_clear(self):
        r = self.driver("bob", "stat", tls="none")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("error login CORREU_ERR_TLS_REQUIRED", r.out)


class FetchTest(PeerTest):
    """examples/correu-fetch into a local Maildir."""

    def setUp(self):
        self.empty_mailbox("bob")
        self.local = os.path.join(self.peers.dir, f"local-{self.id().rsplit('.', 1)[1]}")

    def fetch(self, *extra, port=None):
        port = port or self.dovecot.port["pop3s"]
        return self.run_prog([ARGS.fetch, "-H", peers.HOST, "-p", str(port), "-u", "bob",
                              "--ca-file", self.peers.ca_file, *extra, self.local],
                             peers.USERS["bob"])

    def stored(self):
        found = []
        for sub in ("new", "cur"):
            for path in sorted(glob.glob(os.path.join(self.local, sub, "*"))):
                with open(path, "rb") as f:
                    found.append(f.read())
        return found

    def server_count(self):
        r = self.driver("bob", "stat", "quit")
        self.assertEqual(r.returncode, 0, self.explain(r))
        return int(self.lines(r, "stat")[0][1])

    def assert_same_messages(self, sent):
        got = self.stored()
        self.assertEqual(len(got), len(sent))
        for m in sent:
            self.assertEqual(sum(1 for g in got if g.endswith(m)), 1, "exactly once")

    def test_keep_then_delete(self):
        sent = [sample_message(i) for i in range(10, 13)]
        deliver(self.dovecot, "bob", sent)
        r = self.fetch("--keep")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("3 fetched, 0 deleted, 3 left", r.out)
        self.assert_same_messages(sent)
        self.assertEqual(self.server_count(), 3)
        # Nothing is fetched twice.
        r = self.fetch("--keep")
        self.assertIn("0 fetched, 0 deleted, 3 left", r.out)
        self.assert_same_messages(sent)
        # Without --keep: one new message fetched, all four deleted.
        sent.append(sample_message(13))
        deliver(self.dovecot, "bob", sent[-1:])
        r = self.fetch()
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("1 fetched, 4 deleted, 0 left", r.out)
        self.assert_same_messages(sent)
        self.assertEqual(self.server_count(), 0)

    def test_resume_after_a_dropped_connection(self):
        sent = [sample_message(i, body_lines=400) for i in range(20, 24)]
        deliver(self.dovecot, "bob", sent)
        # Cut the connection in the middle of the third message.
        cutter = Cutter(self.dovecot.port["pop3"], limit=int(2.5 * len(sent[0])))
        r = self.fetch("--tls", "starttls", port=cutter.port)
        cutter.close()
        self.assertEqual(r.returncode, 1, self.explain(r))
        partial = len(self.stored())
        self.assertLess(partial, 4)
        # No QUIT went through: the server deleted nothing.
        self.assertEqual(self.server_count(), 4)
        r = self.fetch()
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn(f"{4 - partial} fetched, 4 deleted, 0 left", r.out)
        self.assert_same_messages(sent)
        self.assertEqual(self.server_count(), 0)

    def stored_count(self):
        return sum(len(os.listdir(os.path.join(self.local, d)))
                   for d in ("new", "cur") if os.path.isdir(os.path.join(self.local, d)))

    def fetch_until(self, count):
        """Start correu-fetch and SIGKILL it as soon as the local Maildir
        holds `count` messages, which is mostly before the state file
        records the last one. Returns False if it finished first."""
        env = dict(os.environ, CORREU_PASSWORD=peers.USERS["bob"])
        proc = subprocess.Popen([ARGS.fetch, "-H", peers.HOST, "-p",
                                 str(self.dovecot.port["pop3s"]), "-u", "bob", "--ca-file",
                                 self.peers.ca_file, self.local],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + RUN_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if self.stored_count() >= count:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.0005)
        else:
            proc.kill()  # a run past the deadline is killed and fails below
        proc.wait(10)
        self.assertLess(time.monotonic(), deadline, "correu-fetch hung")
        return proc.returncode == -signal.SIGKILL

    def test_kill_9_mid_download(self):
        sent = [sample_message(i, body_lines=100) for i in range(100, 300)]
        deliver(self.dovecot, "bob", sent)
        killed = 0
        for count in (1, 20, 21, 60, 61, 62, 120, 180):
            if not self.fetch_until(count):
                break
            killed += 1
            got = self.stored()
            for m in sent:
                self.assertLessEqual(sum(1 for g in got if g.endswith(m)), 1, "a duplicate")
            # A killed run never reached QUIT: the server deleted nothing.
            self.assertEqual(self.server_count(), len(sent))
        self.assertGreater(killed, 0, "correu-fetch always finished before the kill")
        r = self.fetch()
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn(f"{len(sent)} deleted, 0 left", r.out)
        self.assert_same_messages(sent)
        self.assertEqual(self.server_count(), 0)


CLASSES = {"Pop3Test": Pop3Test, "PlainOnlyTest": PlainOnlyTest, "FetchTest": FetchTest}


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--pipeline", required=True)
    ap.add_argument("--fetch", required=True)
    ap.add_argument("classes", nargs="*", default=list(CLASSES))
    ARGS = ap.parse_args()
    needed = [ARGS.driver, ARGS.pipeline] + ([ARGS.fetch] if "FetchTest" in ARGS.classes else [])

    def check_installed():
        peers.find_program("dovecot")
        peers.find_program("openssl")
    return run_classes(CLASSES, ARGS.classes, needed, check_installed)


if __name__ == "__main__":
    sys.exit(main())
