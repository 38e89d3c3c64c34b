#!/usr/bin/python3
"""Interop tests of correu's SMTP and LMTP client against real servers
(tests/interop, suite 'interop'). correu runs as smtp_driver (the blocking
session, one connection, N messages) and as examples/correu-send; the
servers are started by peers.py on 127.0.0.1.

    test_smtp_client.py --driver PATH --send PATH [TestClass ...]

Classes: SinkTest (Postfix smtp-sink: pipelining, many messages over one
connection), SubmissionTest (aiosmtpd: STARTTLS, implicit TLS, AUTH PLAIN
and LOGIN, certificate checks, correu-send), LmtpTest (Dovecot LMTP:
per-recipient results, STARTTLS and BDAT, delivery into the Maildir),
PostfixTest (a private Postfix: SCRAM through Dovecot's SASL, queue to
LMTP to Maildir, relaying refused; needs root). Exits 77 when a peer of
the chosen classes is not installed (or needs root it has not got).
"""

import argparse
import glob
import os
import subprocess
import sys
import time
import unittest

import peers
from run_classes import run_classes
from tap import Tap

ARGS = None          # the parsed command line
RUN_TIMEOUT = 60     # seconds for one client run; every run is bounded


def sample_message(subject, body_lines=400):
    """A message that exercises the body path: lines that start with dots
    (RFC 5321 §4.5.2 transparency), a lone "." line, a long line, and more
    than one 4 KiB read of text. CRLF line ends."""
    lines = ["From: Alice <alice@localhost>", "To: Bob <bob@localhost>",
             f"Subject: {subject}", f"Message-ID: <{subject.replace(' ', '.')}@correu.test>",
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "",
             ".a line that starts with a dot", "..two dots", ".", "x" * 900]
    lines += [f"line {i:04d} of the body, some text to fill it up" for i in range(body_lines)]
    lines += ["last line"]
    return ("\r\n".join(lines) + "\r\n").encode()


class Client:
    """Runs smtp_driver and correu-send with a bounded time."""

    def __init__(self, workdir):
        self.workdir = workdir

    def write(self, name, data):
        path = os.path.join(self.workdir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def driver(self, port, message, to, *extra, password=None, frm="alice@localhost"):
        argv = [ARGS.driver, "--host", peers.HOST, "--port", str(port), "--from", frm,
                "--message", message, *extra]
        for t in to:
            argv += ["--to", t]
        return self._run(argv, password)

    def send(self, args, stdin, password=None):
        return self._run([ARGS.send, *args], password, stdin)

    def _run(self, argv, password, stdin=None):
        env = dict(os.environ)
        env.pop("CORREU_PASSWORD", None)
        if password is not None:
            env["CORREU_PASSWORD"] = password
        r = subprocess.run(argv, input=stdin, capture_output=True, env=env,
                           timeout=RUN_TIMEOUT)
        r.out = r.stdout.decode("utf-8", "replace")
        r.err = r.stderr.decode("utf-8", "replace")
        return r


def lines(result, prefix):
    return [l for l in result.out.splitlines() if l.startswith(prefix)]


class PeerTest(unittest.TestCase):
    """Starts the peers of a class once, in setUpClass."""

    peers_wanted = ()

    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        try:
            cls.peer = {name: peers.STARTERS[name](cls.peers) for name in cls.peers_wanted}
        except BaseException:
            cls.peers.close()
            raise
        cls.client = Client(cls.peers.dir)

    @classmethod
    def tearDownClass(cls):
        cls.peers.close()

    def explain(self, r):
        return f"exit {r.returncode}\nstdout:\n{r.out}\nstderr:\n{r.err}"


class SinkTest(PeerTest):
    """Postfix's smtp-sink: throughput and pipelining, no TLS."""

    peers_wanted = ("smtp-sink",)
    COUNT = 200  # messages over one connection

    def run_through_tap(self, *extra):
        msg = self.client.write("sink.eml", sample_message("sink", 20))
        with Tap(self.peer["smtp-sink"].port["smtp"]) as tap:
            r = self.client.driver(tap.port, msg, ["bob@localhost", "carol@localhost"],
                                   "--tls", "none", "--count", str(self.COUNT), *extra)
        self.assertEqual(r.returncode, 0, self.explain(r))
        return r, tap

    def test_many_messages_over_one_pipelined_connection(self):
        r, tap = self.run_through_tap()
        self.assertIn("pipelining=1", lines(r, "ready")[0])
        sent = lines(r, "message ")
        self.assertEqual(len(sent), self.COUNT)
        for i, line in enumerate(sent, 1):
            self.assertEqual(line, f"message {i} accepted=2 reply=250 rcpt=250,250")
        self.assertEqual(tap.connections, 1)
        wire = tap.client_bytes()
        self.assertEqual(wire.count(b"\r\nMAIL FROM:<alice@localhost>"), self.COUNT)
        self.assertEqual(wire.count(b"\r\nRCPT TO:<"), 2 * self.COUNT)
        # Pipelined: MAIL, both RCPTs and DATA leave in one write, before
        # the server could answer MAIL (RFC 2920 §3.1).
        grouped = [c for c in tap.client_chunks()
                   if b"MAIL FROM:" in c and c.count(b"RCPT TO:") == 2 and b"DATA\r\n" in c]
        self.assertGreaterEqual(len(grouped), self.COUNT // 2)

    def test_batch_pipelines_across_messages(self):
        # correu_smtp_session_send_many(): the next message's MAIL, RCPTs
        # and DATA leave in the same write as the previous one's final
        # "." (RFC 2920 §3.1), and smtp-sink accepts every message.
        r, tap = self.run_through_tap("--batch")
        sent = lines(r, "message ")
        self.assertEqual(len(sent), self.COUNT)
        for i, line in enumerate(sent, 1):
            self.assertEqual(line, f"message {i} accepted=2 reply=250 rcpt=250,250")
        self.assertEqual(tap.connections, 1)
        follows = [c for c in tap.client_chunks()
                   if b"\r\n.\r\nMAIL FROM:<alice@localhost>" in c and b"DATA\r\n" in c]
        self.assertGreaterEqual(len(follows), self.COUNT // 2)
        # The control: one message per call never writes MAIL behind ".".
        r, tap = self.run_through_tap()
        self.assertFalse([c for c in tap.client_chunks() if b"\r\n.\r\nMAIL FROM:" in c])

    def test_correu_send_chunking(self):
        # --chunking yes forces BDAT: smtp-sink offers no CHUNKING, so
        # correu-send must refuse rather than fall back to DATA; with
        # --chunking no the same message goes with DATA.
        msg = b"From: alice@localhost\r\nSubject: bdat\r\n\r\nbody\r\n"
        port = str(self.peer["smtp-sink"].port["smtp"])
        args = ["-H", peers.HOST, "-p", port, "--tls", "none", "bob@localhost"]
        r = self.client.send(args + ["--chunking", "yes"], msg)
        self.assertEqual(r.returncode, 1, r.err)
        self.assertIn("--chunking yes", r.err)
        r = self.client.send(args + ["--chunking", "no"], msg)
        self.assertEqual(r.returncode, 0, r.err)

    def test_without_pipelining_each_command_waits(self):
        # The control for the test above: the same check must see no
        # grouped commands when pipelining is off.
        r, tap = self.run_through_tap("--no-pipelining")
        self.assertEqual(len(lines(r, "message ")), self.COUNT)
        for chunk in tap.client_chunks():
            self.assertLessEqual(chunk.count(b"RCPT TO:") + chunk.count(b"MAIL FROM:"), 1, chunk)


class SubmissionTest(PeerTest):
    """aiosmtpd: STARTTLS, implicit TLS and AUTH, checked against the
    generated certificate; every message compared byte for byte."""

    peers_wanted = ("aiosmtpd",)

    def setUp(self):
        self.port = self.peer["aiosmtpd"].port
        self.before = len(self.peers.received())

    def new_messages(self):
        return self.peers.received()[self.before:]

    def assert_saved(self, msg, rcpt, tls="True", auth="alice"):
        got = self.new_messages()
        self.assertEqual(len(got), 1)
        meta, body = got[0]
        self.assertEqual(body, msg)
        self.assertEqual(meta["X-Peer-Mail-From"], "alice@localhost")
        self.assertEqual(meta["X-Peer-Rcpt-To"], ",".join(rcpt))
        self.assertEqual(meta["X-Peer-TLS"], tls)
        self.assertEqual(meta["X-Peer-Auth"], str(auth is not None))

    def submit(self, port_name, subject, *extra, user="alice", password="secret",
               tls="starttls"):
        data = sample_message(subject)
        msg = self.client.write(subject.replace(" ", "_") + ".eml", data)
        args = ["--tls", tls, "--ca-file", self.peers.ca_file, *extra]
        if user:
            args += ["--user", user]
        r = self.client.driver(self.port[port_name], msg, ["bob@localhost"], *args,
                               password=password)
        return r, data

    def test_starttls_then_auth_plain(self):
        r, data = self.submit("submission", "starttls plain")
        self.assertEqual(r.returncode, 0, self.explain(r))
        (ready,) = lines(r, "ready")
        # After STARTTLS the second EHLO offers AUTH (RFC 3207 §4.2).
        self.assertTrue(ready.startswith("ready tls=1 pipelining=0 chunking=0 auth="), ready)
        self.assertEqual(set(ready.split("auth=")[1].split()), {"PLAIN", "LOGIN"})
        self.assertEqual(lines(r, "login"), ["login ok"])
        self.assertEqual(lines(r, "message"), ["message 1 accepted=1 reply=250 rcpt=250"])
        self.assert_saved(data, ["bob@localhost"])

    def test_starttls_then_auth_login(self):
        r, data = self.submit("login_only", "starttls login")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("auth=LOGIN", lines(r, "ready")[0])
        self.assert_saved(data, ["bob@localhost"])

    def test_implicit_tls(self):
        r, data = self.submit("smtps", "implicit tls", tls="implicit")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("tls=1", lines(r, "ready")[0])
        self.assert_saved(data, ["bob@localhost"])

    def test_wrong_password_is_refused_with_the_server_reply(self):
        r, _ = self.submit("submission", "wrong password", password="not-the-password")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertRegex(r.out, r"error login CORREU_ERR_AUTH reply=535 ")
        self.assertEqual(self.new_messages(), [])

    def test_no_auth_offered_before_starttls(self):
        # The server hides AUTH until TLS is up: correu, told not to use
        # TLS, sees no mechanism and sends no password.
        r, _ = self.submit("submission", "no tls", tls="none")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertEqual(lines(r, "ready"), ["ready tls=0 pipelining=0 chunking=0 auth="])
        self.assertRegex(r.out, r"error login CORREU_ERR_UNSUPPORTED")
        self.assertEqual(self.new_messages(), [])

    def test_client_refuses_cleartext_password(self):
        # This port offers AUTH PLAIN and LOGIN without TLS; correu still
        # keeps the password to itself unless told it may send it in clear.
        msg = self.client.write("cleartext.eml", sample_message("cleartext"))
        with Tap(self.port["plain_auth"]) as tap:
            r = self.client.driver(tap.port, msg, ["bob@localhost"], "--tls", "none",
                                   "--user", "alice", password="secret")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("PLAIN", lines(r, "ready")[0].split("auth=")[1].split())
        self.assertRegex(r.out, r"error login CORREU_ERR_TLS_REQUIRED ")
        self.assertIn(b"EHLO ", tap.client_bytes())
        self.assertNotIn(b"AUTH", tap.client_bytes())
        self.assertEqual(self.new_messages(), [])

    def test_untrusted_certificate_is_refused(self):
        # Without --ca-file the system trust store is used, which does not
        # hold the generated certificate: the handshake must fail.
        data = sample_message("untrusted")
        msg = self.client.write("untrusted.eml", data)
        r = self.client.driver(self.port["smtps"], msg, ["bob@localhost"], "--tls", "implicit",
                               "--user", "alice", password="secret")
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertRegex(r.out, r"error open CORREU_ERR_(CERT|TLS)")
        self.assertEqual(self.new_messages(), [])

    def test_refused_recipient_is_skipped(self):
        data = sample_message("one refused")
        msg = self.client.write("one_refused.eml", data)
        r = self.client.driver(self.port["submission"], msg,
                               ["refuse-me@localhost", "bob@localhost"], "--tls", "starttls",
                               "--ca-file", self.peers.ca_file, "--user", "alice",
                               password="secret")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertEqual(lines(r, "message"), ["message 1 accepted=1 reply=250 rcpt=550,250"])
        self.assert_saved(data, ["bob@localhost"])

    def test_anonymous_submission_over_starttls(self):
        r, data = self.submit("submission", "anonymous", user=None)
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assert_saved(data, ["bob@localhost"], auth=None)

    def test_correu_send_reads_recipients_and_drops_bcc(self):
        msg = (b"From: alice@localhost\nTo: bob@localhost\nBcc: carol@localhost\n"
               b"Subject: correu-send\n\n.dot line\nbody with Unix line ends\n")
        r = self.client.send(["-H", peers.HOST, "-p", str(self.port["submission"]),
                              "--ca-file", self.peers.ca_file, "-u", "alice", "-t"],
                             msg, password="secret")
        self.assertEqual(r.returncode, 0, self.explain(r))
        got = self.new_messages()
        self.assertEqual(len(got), 1)
        meta, body = got[0]
        self.assertEqual(meta["X-Peer-Rcpt-To"], "bob@localhost,carol@localhost")
        self.assertEqual(meta["X-Peer-TLS"], "True")
        self.assertNotIn(b"Bcc", body)
        self.assertEqual(body, msg.replace(b"Bcc: carol@localhost\n", b"").replace(b"\n", b"\r\n"))


def newest_last(maildir):
    """The files of a Maildir's new/, oldest first. Unique names written in
    the same second need not sort in arrival order, so order by the time the
    file was written (nanoseconds), then by name."""
    paths = glob.glob(os.path.join(maildir, "new", "*"))
    return sorted(paths, key=lambda p: (os.stat(p).st_mtime_ns, p))


class LmtpTest(PeerTest):
    """Dovecot LMTP: one reply per recipient, delivery into the Maildirs."""

    peers_wanted = ("dovecot",)

    def delivered(self, user):
        found = []
        for path in newest_last(self.peers.maildir(user)):
            with open(path, "rb") as f:
                found.append(f.read())
        return found

    def test_per_recipient_results_and_delivery(self):
        data = sample_message("lmtp delivery")
        msg = self.client.write("lmtp.eml", data)
        before = {u: len(self.delivered(u)) for u in ("alice", "bob")}
        r = self.client.driver(self.peer["dovecot"].port["lmtp"], msg,
                               ["alice@localhost", "nosuchuser@localhost", "bob@localhost"],
                               "--lmtp", "--tls", "none", frm="sender@localhost")
        self.assertEqual(r.returncode, 0, self.explain(r))
        (line,) = lines(r, "message")
        # RCPT refuses the unknown user (RFC 2033 §4.2); the others each
        # get their own delivery reply.
        self.assertRegex(line, r"^message 1 accepted=2 reply=250 rcpt=250,550,250$")
        for user in ("alice", "bob"):
            mails = self.delivered(user)
            self.assertEqual(len(mails), before[user] + 1)
            # Dovecot stores Maildir files with LF line ends and puts its own
            # trace headers on top; the message itself must follow intact.
            self.assertTrue(mails[-1].endswith(data.replace(b"\r\n", b"\n")),
                            mails[-1][:300])
            self.assertTrue(mails[-1].startswith(b"Return-Path: <sender@localhost>\n"),
                            mails[-1][:300])

    @unittest.skipIf(os.environ.get("CORREU_TLS") == "0", "needs a build with mbedTLS")
    def test_starttls_and_bdat(self):
        # Dovecot's LMTP offers STARTTLS and CHUNKING: the body goes in
        # BDAT chunks (RFC 3030) over TLS, and must arrive unchanged,
        # leading dots included (BDAT does no dot-stuffing).
        data = sample_message("lmtp bdat", 3000)
        msg = self.client.write("bdat.eml", data)
        before = len(self.delivered("alice"))
        r = self.client.driver(self.peer["dovecot"].port["lmtp"], msg, ["alice@localhost"],
                               "--lmtp", "--tls", "starttls", "--ca-file", self.peers.ca_file,
                               "--chunking", frm="sender@localhost")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertEqual(lines(r, "ready"), ["ready tls=1 pipelining=1 chunking=1 auth="])
        self.assertEqual(lines(r, "message"), ["message 1 accepted=1 reply=250 rcpt=250"])
        mails = self.delivered("alice")
        self.assertEqual(len(mails), before + 1)
        self.assertTrue(mails[-1].endswith(data.replace(b"\r\n", b"\n")), mails[-1][:300])

    def test_all_recipients_refused(self):
        msg = self.client.write("refused.eml", sample_message("refused", 5))
        r = self.client.driver(self.peer["dovecot"].port["lmtp"], msg,
                               ["ghost@localhost"], "--lmtp", "--tls", "none")
        self.assertEqual(r.returncode, 1, self.explain(r))
        # DATA went out pipelined behind the RCPT, so the last reply is
        # DATA's refusal (RFC 2920 §3.1); the recipient's own code is kept.
        self.assertRegex(r.out, r"message 1 accepted=0 reply=5\d\d rcpt=550\n")
        self.assertRegex(r.out, r"error send CORREU_ERR_REPLY reply=5\d\d ")

    def test_several_messages_over_one_connection(self):
        msg = self.client.write("batch.eml", sample_message("lmtp batch", 10))
        before = len(self.delivered("tester"))
        r = self.client.driver(self.peer["dovecot"].port["lmtp"], msg, ["tester@localhost"],
                               "--lmtp", "--tls", "none", "--count", "20")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertEqual(len(lines(r, "message")), 20)
        self.assertEqual(len(self.delivered("tester")), before + 20)


class PostfixTest(PeerTest):
    """A private Postfix: submission with STARTTLS required and SASL through
    Dovecot (which offers SCRAM), delivery through LMTP into Dovecot's
    Maildir; relaying refused without login."""

    peers_wanted = ("postfix",)
    DELIVERY_WAIT = 15  # seconds for Postfix's queue to reach the Maildir

    def delivered(self, user):
        return newest_last(self.peers.maildir(user))

    def wait_delivery(self, user, count):
        deadline = time.monotonic() + self.DELIVERY_WAIT
        while len(self.delivered(user)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.delivered(user)

    def test_submission_with_scram_reaches_the_maildir(self):
        data = sample_message("through postfix", 50)
        msg = self.client.write("postfix.eml", data)
        before = len(self.delivered("bob"))
        r = self.client.driver(self.peer["postfix"].port["submission"], msg, ["bob@localhost"],
                               "--tls", "starttls", "--ca-file", self.peers.ca_file,
                               "--user", "alice", password="secret")
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("SCRAM-SHA-256", lines(r, "ready")[0])
        mails = self.wait_delivery("bob", before + 1)
        self.assertEqual(len(mails), before + 1, peers.tail(self.peer["postfix"].log))
        with open(mails[-1], "rb") as f:
            stored = f.read()
        # Postfix adds trace and missing headers (Received:, Date:); our
        # header lines and the whole body must be there unchanged, LF-ended.
        head, _, body = data.replace(b"\r\n", b"\n").partition(b"\n\n")
        stored_head, _, stored_body = stored.partition(b"\n\n")
        self.assertEqual(stored_body, body)
        for line in head.split(b"\n"):
            self.assertIn(line + b"\n", stored_head + b"\n")
        # correu chose the strongest mechanism offered (RFC 7677).
        with open(self.peer["postfix"].log, encoding="utf-8", errors="replace") as f:
            self.assertIn("sasl_method=SCRAM-SHA-256, sasl_username=alice", f.read())

    def test_relaying_is_refused_without_login(self):
        msg = self.client.write("relay.eml", sample_message("relay", 5))
        r = self.client.driver(self.peer["postfix"].port["smtp"], msg, ["someone@example.com"],
                               "--tls", "opportunistic", "--ca-file", self.peers.ca_file)
        self.assertEqual(r.returncode, 1, self.explain(r))
        self.assertIn("ready tls=1", lines(r, "ready")[0])
        self.assertRegex(r.out, r"message 1 accepted=0 reply=\d+ rcpt=554\n")


CLASSES = {"SinkTest": SinkTest, "SubmissionTest": SubmissionTest, "LmtpTest": LmtpTest,
           "PostfixTest": PostfixTest}
NEEDS = {"smtp-sink": lambda: peers.find_program("smtp-sink", "/usr/lib/postfix/sbin"),
         "aiosmtpd": peers.need_aiosmtpd,
         "dovecot": lambda: peers.find_program("dovecot"),
         "postfix": lambda: (peers.find_program("postfix"), peers.find_program("dovecot"),
                             peers.need_root("a private Postfix instance"))}


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--send", required=True)
    ap.add_argument("classes", nargs="*", default=list(CLASSES))
    ARGS = ap.parse_args()

    def check_installed():
        for name in ARGS.classes:
            for peer in CLASSES[name].peers_wanted:
                NEEDS[peer]()
        peers.find_program("openssl")
    return run_classes(CLASSES, ARGS.classes, [ARGS.driver, ARGS.send], check_installed)


if __name__ == "__main__":
    sys.exit(main())
