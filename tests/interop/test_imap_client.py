#!/usr/bin/python3
"""Interop tests of correu's IMAP client against Dovecot (tests/interop,
suite 'interop'). correu runs as imap_driver (the blocking session and its
core); Dovecot is started by peers.py on 127.0.0.1 with its own
configuration in a temporary directory, and mail is put in its mailboxes
over LMTP.

    test_imap_client.py --driver PATH [TestClass ...]

Classes: ImapTest (implicit TLS with SCRAM-SHA-256, a UTF-8 mailbox name,
SPECIAL-USE LIST, SELECT with CONDSTORE and QRESYNC, ESEARCH, SORT,
THREAD, UIDPLUS APPENDUID and COPYUID, MOVE, LITERAL+ seen on the wire,
IDLE seeing an LMTP delivery, a 50 MB message appended and fetched with a
bounded heap), PlainOnlyTest (SASL PLAIN over STARTTLS, never in clear),
ExtensionTest (METADATA, ESORT, QRESYNC through the session, COMPRESS).
Exits 77 when Dovecot is not installed.
"""

import argparse
import os
import re
import select
import smtplib
import subprocess
import sys
import time
import unittest

import peers
from run_classes import run_classes
from tap import Tap

ARGS = None
RUN_TIMEOUT = 60  # seconds for one client run; every run is bounded

SPECIAL_USE = """
namespace inbox {
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Archive {
    auto = create
  }
}
"""


def sample_message(n, subject=None, refs=""):
    lines = ["From: Alice <alice@localhost>", "To: <alice@localhost>",
             f"Subject: {subject or f'imap interop {n}'}",
             f"Message-ID: <imap.{n}.{os.getpid()}@correu.test>"]
    if refs:
        lines += [f"References: {refs}", f"In-Reply-To: {refs}"]
    lines += ["", f"body of message {n}", "x" * 500]
    return ("\r\n".join(lines) + "\r\n").encode()


def deliver(peer, user, messages):
    """Put messages in user's INBOX through Dovecot's LMTP."""
    with smtplib.LMTP(peers.HOST, peer.port["lmtp"]) as lmtp:
        for m in messages:
            lmtp.sendmail("sender@localhost", [f"{user}@localhost"], m)


class PeerTest(unittest.TestCase):
    """Starts Dovecot once per class."""
    extra_conf = SPECIAL_USE

    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        try:
            cls.dovecot = cls.peers.dovecot(extra_conf=cls.extra_conf)
        except BaseException:
            cls.peers.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.peers.close()

    def argv(self, user, commands, tls="implicit", port=None):
        port = port or self.dovecot.port["imaps" if tls == "implicit" else "imap"]
        return [ARGS.driver, "--host", peers.HOST, "--port", str(port), "--user", user,
                "--tls", tls, "--ca-file", self.peers.ca_file, *commands]

    def driver(self, user, *commands, tls="implicit", port=None):
        env = dict(os.environ, CORREU_PASSWORD=peers.USERS[user])
        r = subprocess.run(self.argv(user, commands, tls, port), capture_output=True, env=env,
                           timeout=RUN_TIMEOUT)
        r.out = r.stdout.decode("utf-8", "replace")
        r.err = r.stderr.decode("utf-8", "replace")
        return r

    def explain(self, r):
        return f"exit {r.returncode}\nstdout:\n{r.out}\nstderr:\n{r.err}"

    def ok(self, *args, **kw):
        r = self.driver(*args, **kw)
        self.assertEqual(r.returncode, 0, self.explain(r))
        return r

    def lines(self, r, prefix):
        return [l.split()[1:] for l in r.out.splitlines() if l.startswith(prefix + " ")]

    def empty(self, user, mailbox="INBOX"):
        self.ok(user, f"select:{mailbox}", "store:(\\Deleted):1:*", "expunge", "logout")


class ImapTest(PeerTest):
    """The blocking session and the core against Dovecot's IMAP."""

    def setUp(self):
        self.empty("alice")
        self.empty("alice", "Archive")

    def test_scram_utf8_name_and_special_use(self):
        r = self.ok("alice", "create:Entw\u00fcrfe", "list:*", "logout")
        self.assertEqual(self.lines(r, "ready")[0][0], "tls=1")
        # The strongest mechanism offered is chosen (RFC 7677 over PLAIN).
        self.assertIn("imap: AUTHENTICATE SCRAM-SHA-256", r.err)
        names = [l[-1] for l in self.lines(r, "list")]
        # Sent as modified UTF-7, read back as UTF-8 (RFC 3501 §5.1.3).
        self.assertIn("name=Entw\u00fcrfe", names)
        r = self.driver("alice", "create:Entw\u00fcrfe")
        self.assertEqual(r.returncode, 1, "it exists now: " + self.explain(r))
        self.assertIn("CORREU_ERR_REPLY", r.out)
        # RFC 6154 §3: the SPECIAL-USE selection lists only Sent.
        r = self.ok("alice", "special", "logout")
        self.assertEqual(self.lines(r, "list"), [["\\Sent", "name=Sent"]], r.out)

    def test_search_sort_thread_and_uidplus(self):
        first = sample_message(1, "alpha")
        deliver(self.dovecot, "alice", [first, sample_message(2, "beta"),
                                        sample_message(3, "Re: alpha",
                                                       f"<imap.1.{os.getpid()}@correu.test>")])
        path = os.path.join(self.peers.dir, "fetched")
        appended = os.path.join(self.peers.dir, "appended")
        with open(appended, "wb") as f:
            f.write(sample_message(4, "appended"))
        r = self.ok("alice", "select:INBOX", "search:ALL", "esearch:ALL", "sort:ALL", "thread",
                    "append:INBOX:" + appended, "logout")
        self.assertEqual(self.lines(r, "select")[0][0], "3")
        uids = [int(l[0]) for l in self.lines(r, "search")]
        self.assertEqual(len(uids), 3, r.out)
        self.assertIn(f"min={uids[0]}", r.out)
        self.assertIn(f"max={uids[2]}", r.out)
        self.assertIn("esearch count=3", r.out)
        # REVERSE SUBJECT: beta, then the two alphas in mailbox order
        # (RFC 5256 §3: ties keep their order).
        self.assertEqual([int(l[0]) for l in self.lines(r, "sort")], [uids[1], uids[0], uids[2]])
        # RFC 5256 §4: message 3 answers message 1; 2 stands alone.
        self.assertIn(f"thread ({uids[0]} {uids[2]} )({uids[1]} )\n", r.out)
        appended_uid = int(self.lines(r, "append")[0][0])
        self.assertGreater(appended_uid, uids[2], "APPENDUID (RFC 4315)")
        r = self.ok("alice", "select:INBOX", f"copy:{uids[0]}:Archive",
                    f"move:{uids[1]}:Archive", "expunge", "search:ALL", "logout")
        copyuids = self.lines(r, "copyuid")
        self.assertEqual(len(copyuids), 2, r.out)  # COPY and MOVE both report COPYUID
        self.assertEqual([int(l[0]) for l in self.lines(r, "search")],
                         [uids[0], uids[2], appended_uid])
        r = self.ok("alice", "select:Archive", "search:ALL", "logout")
        archived = [int(l[0]) for l in self.lines(r, "search")]
        self.assertEqual(len(archived), 2)
        r = self.ok("alice", "select:Archive", f"fetch:{archived[0]}:-:{path}", "logout")
        with open(path, "rb") as f:
            self.assertTrue(f.read().endswith(first))

    def test_condstore_and_qresync(self):
        deliver(self.dovecot, "alice", [sample_message(i) for i in (1, 2, 3)])
        r = self.ok("alice", "condstore:INBOX", "search:ALL", "logout")
        modseq = int(self.lines(r, "highestmodseq")[0][0])
        uidvalidity = int(self.lines(r, "uidvalidity")[0][0])
        uids = [l[0] for l in self.lines(r, "search")]
        self.ok("alice", "select:INBOX", f"store:(\\Deleted):{uids[1]}", "expunge", "logout")
        r = self.ok("alice", f"qresync:INBOX:{uidvalidity}:{modseq}", "logout")
        # RFC 7162 §3.2.5.1: what vanished since, as VANISHED (EARLIER).
        self.assertEqual(self.lines(r, "vanished"), [[uids[1]]], r.out)
        self.assertIn("enabled=0x", r.out)

    def test_literal_plus_on_the_wire(self):
        appended = os.path.join(self.peers.dir, "small")
        with open(appended, "wb") as f:
            f.write(sample_message(5))
        size = os.path.getsize(appended)
        # Plaintext through a recording relay: SCRAM does not need TLS.
        with Tap(self.dovecot.port["imap"]) as tap:
            r = self.ok("alice", "append:INBOX:" + appended, "logout", tls="none",
                        port=tap.port)
        self.assertIn(b"APPEND INBOX {%d+}\r\n" % size, tap.client_bytes())
        self.assertIn("imap: AUTHENTICATE SCRAM-SHA-256", r.err)

    def test_idle_sees_an_lmtp_delivery(self):
        env = dict(os.environ, CORREU_PASSWORD=peers.USERS["alice"])
        p = subprocess.Popen(self.argv("alice", ["select:INBOX", "idle:20000", "logout"]),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            out = b""
            deadline = time.monotonic() + 20
            while b"select " not in out and time.monotonic() < deadline:
                ready, _, _ = select.select([p.stdout], [], [], 1)
                if ready:
                    out += os.read(p.stdout.fileno(), 4096)
            self.assertIn(b"select ", out)
            time.sleep(0.5)  # the IDLE is under way by now
            deliver(self.dovecot, "alice", [sample_message(9)])
            rest, err = p.communicate(timeout=RUN_TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        out = (out + rest).decode()
        self.assertEqual(p.returncode, 0, out + err.decode())
        self.assertIn("exists 1", out)
        self.assertIn("idle 1", out)

    def test_large_message_with_bounded_heap(self):
        big = os.path.join(self.peers.dir, "big")
        line = b"y" * 998 + b"\r\n"
        with open(big, "wb") as f:
            f.write(b"Subject: big\r\n\r\n")
            for _ in range(50 * 1024):  # 50 MB
                f.write(line)
        got = os.path.join(self.peers.dir, "big.fetched")
        r = self.ok("alice", "select:INBOX", "append:INBOX:" + big, "logout")
        uid = self.lines(r, "append")[0][0]
        r = self.ok("alice", "select:INBOX", f"fetch:{uid}:-:{got}", "peak", "logout")
        with open(big, "rb") as a, open(got, "rb") as b:
            self.assertEqual(a.read(), b.read())
        peak = int(self.lines(r, "peak")[0][0])
        self.assertLess(peak, 2 * 1024 * 1024, f"peak heap {peak} bytes for 50 MB")


class PlainOnlyTest(PeerTest):
    """Dovecot offering only SASL PLAIN: chosen over TLS, refused without."""
    extra_conf = "auth_mechanisms = plain\n"

    def test_plain_over_starttls(self):
        r = self.ok("bob", "list:INBOX", "logout", tls="starttls")
        self.assertEqual(self.lines(r, "ready")[0][0], "tls=1")
        self.assertIn("imap: AUTHENTICATE PLAIN", r.err)

    def test_no_password_in_clear(self):
        r = self.driver("bob", "list:INBOX", tls="none")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("error login CORREU_ERR_TLS_REQUIRED", r.out)


class ExtensionTest(PeerTest):
    """METADATA (dictionary in a file), ESORT, QRESYNC through the session
    and COMPRESS=DEFLATE (the imap_zlib plugin)."""
    extra_conf = """
imap_metadata = yes
mail_attribute_dict = file:%h/dovecot-attributes
mail_plugins = $mail_plugins zlib
protocol imap {
  mail_plugins = $mail_plugins imap_zlib
}
"""

    def test_metadata_set_get_and_remove(self):
        # The server's own entries ("") are read-only to users in Dovecot.
        r = self.ok("alice", "setmeta:INBOX:/private/comment:hello there",
                    "getmeta:INBOX:/private/comment", "getmeta:-:/shared/comment", "logout")
        self.assertIn("meta /private/comment hello there\n", r.out)
        r = self.ok("alice", "setmeta:INBOX:/private/comment:NIL",
                    "getmeta:INBOX:/private/comment", "logout")
        self.assertNotIn("meta /private/comment hello", r.out)

    def test_esort(self):
        self.ok("alice", "select:INBOX", "store:(\\Deleted):1:*", "expunge", "logout")
        deliver(self.dovecot, "alice", [sample_message(1, "alpha"), sample_message(2, "beta")])
        r = self.ok("alice", "select:INBOX", "search:ALL", "esort:ALL", "logout")
        uids = [int(l[0]) for l in self.lines(r, "search")]
        # RFC 5267 §3: one ESEARCH; ALL in sort order (REVERSE SUBJECT).
        self.assertIn("esearch count=2", r.out)
        self.assertIn(f"esearch all={uids[1]},{uids[0]}", r.out)

    def test_qresync_through_the_session(self):
        self.ok("alice", "select:INBOX", "store:(\\Deleted):1:*", "expunge", "logout")
        deliver(self.dovecot, "alice", [sample_message(i) for i in (1, 2, 3)])
        r = self.ok("alice", "sync:INBOX:0:0", "search:ALL", "logout")
        uidvalidity, modseq, exists, _ = (int(x) for x in self.lines(r, "sync")[0])
        uids = [l[0] for l in self.lines(r, "search")]
        self.assertEqual(exists, 3)
        self.ok("alice", "select:INBOX", f"store:(\\Deleted):{uids[0]}", "expunge", "logout")
        r = self.ok("alice", f"sync:INBOX:{uidvalidity}:{modseq}", "logout")
        self.assertEqual(self.lines(r, "vanished"), [[uids[0]]], r.out)
        self.assertEqual(int(self.lines(r, "sync")[0][2]), 2)
        self.assertGreater(int(self.lines(r, "sync")[0][1]), modseq)

    def test_compress(self):
        self.ok("alice", "select:INBOX", "store:(\\Deleted):1:*", "expunge", "logout")
        deliver(self.dovecot, "alice", [sample_message(7)])
        got = os.path.join(self.peers.dir, "compressed.fetched")
        r = self.driver("alice", "compress", "logout")
        if "error compress CORREU_ERR_UNSUPPORTED" in r.out:
            self.skipTest("correu built without zlib (-Dcompress=disabled)")
        with Tap(self.dovecot.port["imap"]) as tap:
            r = self.ok("alice", "compress", "select:INBOX", "search:ALL", "list:*",
                        "logout", tls="none", port=tap.port)
        self.assertIn("compress 1", r.out)
        # Behind the OK nothing travels in clear: no later command shows.
        self.assertIn(b"COMPRESS DEFLATE\r\n", tap.client_bytes())
        self.assertNotIn(b"SELECT", tap.client_bytes())
        self.assertNotIn(b"LOGOUT", tap.client_bytes())
        uid = self.lines(r, "search")[0][0]
        r = self.ok("alice", "compress", "select:INBOX", f"fetch:{uid}:-:{got}", "logout")
        with open(got, "rb") as f:
            self.assertTrue(f.read().endswith(sample_message(7)))


CLASSES = {"ImapTest": ImapTest, "PlainOnlyTest": PlainOnlyTest,
           "ExtensionTest": ExtensionTest}


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("classes", nargs="*", default=list(CLASSES))
    ARGS = ap.parse_args()

    def check_installed():
        peers.find_program("dovecot")
        peers.find_program("openssl")
    return run_classes(CLASSES, ARGS.classes, [ARGS.driver], check_installed)


if __name__ == "__main__":
    sys.exit(main())
