"""Python binding tests: correu.SMTP against a real server.

The servers are aiosmtpd, Dovecot's LMTP and Postfix's smtp-sink, started
on 127.0.0.1 by tests/interop/peers.py (found through CORREU_INTEROP_DIR,
which the meson test sets); every message is compared with what the server
stored. aiosmtpd does not offer PIPELINING, so send_many() is also run
against Dovecot's LMTP and smtp-sink, which do. Exits 77 (skipped) when
aiosmtpd or openssl is not installed; the LMTP and smtp-sink tests are
skipped without Dovecot or Postfix.
"""

import io
import os
import sys
import unittest

sys.path.insert(0, os.environ["CORREU_INTEROP_DIR"])
import peers  # noqa: E402

import correu  # noqa: E402

MESSAGE = (b"From: alice@localhost\r\nTo: bob@localhost\r\nSubject: from Python\r\n\r\n"
           b"Hello from ctypes.\r\n.a line starting with a dot\r\n.\r\nthe end\r\n")


def numbered(n):
    """A message of its own for each place in a batch."""
    return MESSAGE.replace(b"from Python", b"batch message %d" % n)


def own_peers(cls, *programs):
    """Give a test class its own peers.Peers, closed after its tests (also
    when its set-up fails); skip the class when one of the programs is not
    installed."""
    try:
        for program in programs:
            peers.find_program(program, "/usr/lib/postfix/sbin")
    except peers.Skip as e:
        raise unittest.SkipTest(str(e))
    cls.peers = peers.Peers()
    cls.addClassCleanup(cls.peers.close)
    return cls.peers


class SMTPTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = own_peers(cls).aiosmtpd().port

    def setUp(self):
        self.before = len(self.peers.received())

    def saved(self):
        return self.peers.received()[self.before:]

    def connect(self, port="submission", **kw):
        kw.setdefault("ca_file", self.peers.ca_file)
        kw.setdefault("timeout", 20)
        return correu.SMTP(peers.HOST, self.port[port], **kw)

    def assert_one_saved(self, body, rcpt="bob@localhost", auth="True"):
        (got,) = self.saved()
        meta, data = got
        self.assertEqual(data, body)
        self.assertEqual(meta["X-Peer-Rcpt-To"], rcpt)
        self.assertEqual(meta["X-Peer-TLS"], "True")
        self.assertEqual(meta["X-Peer-Auth"], auth)
        return meta

    def test_send_in_a_few_lines(self):
        with self.connect(tls="starttls", ehlo_name="client.example") as s:
            s.login("alice", "secret")
            refused = s.send("alice@localhost", ["bob@localhost"], MESSAGE)
        self.assertEqual(refused, {})
        meta = self.assert_one_saved(MESSAGE)
        self.assertEqual(meta["X-Peer-Mail-From"], "alice@localhost")
        # The EHLO name sits behind several fields of the settings struct:
        # it arriving intact shows the ctypes layout matches the C one.
        self.assertEqual(meta["X-Peer-Helo"], "client.example")

    def test_implicit_tls_with_a_file(self):
        path = os.path.join(self.peers.dir, "py-message.eml")
        with open(path, "wb") as f:
            f.write(MESSAGE * 200)
        with self.connect("smtps", tls="implicit") as s, open(path, "rb") as f:
            s.login("bob", "secret2")
            self.assertEqual(s.send("alice@localhost", "bob@localhost", f), {})
        self.assert_one_saved(MESSAGE * 200)

    def test_file_like_object_and_unix_line_ends(self):
        text = "From: alice@localhost\nSubject: caf\u00e9\n\nLF only, read by chunks\n" * 50
        with self.connect() as s:
            s.login("alice", "secret")
            s.send("alice@localhost", ["bob@localhost"], io.BytesIO(text.encode()))
        self.assert_one_saved(text.encode().replace(b"\n", b"\r\n"))

    def test_email_message_object(self):
        from email.message import EmailMessage
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "alice@localhost", "bob@localhost", "object"
        m.set_content("body\n")
        with self.connect() as s:
            s.login("alice", "secret")
            s.send("alice@localhost", ["bob@localhost"], m)
        self.assert_one_saved(m.as_bytes().replace(b"\n", b"\r\n"))

    def test_refused_recipient_is_reported(self):
        with self.connect() as s:
            s.login("alice", "secret")
            refused = s.send("alice@localhost", ["refuse-me@localhost", "bob@localhost"], MESSAGE)
            self.assertEqual(s.rcpt_codes, {"refuse-me@localhost": 550, "bob@localhost": 250})
        self.assertEqual(refused, {"refuse-me@localhost": 550})
        self.assert_one_saved(MESSAGE)

    def test_all_recipients_refused_raises_with_the_reply(self):
        with self.connect() as s:
            s.login("alice", "secret")
            with self.assertRaises(correu.SMTPError) as cm:
                s.send("alice@localhost", ["refuse-1@localhost", "refuse-2@localhost"], MESSAGE)
        e = cm.exception
        self.assertIsInstance(e, correu.CorreuError)
        self.assertEqual(e.code, correu.ERR_REPLY)
        self.assertEqual(e.recipients, {"refuse-1@localhost": 550, "refuse-2@localhost": 550})
        self.assertEqual(self.saved(), [])

    def test_wrong_password_raises_with_the_server_reply(self):
        with self.connect() as s:
            with self.assertRaises(correu.CorreuError) as cm:
                s.login("alice", "wrong")
        e = cm.exception
        self.assertEqual(e.code, correu.ERR_AUTH)
        self.assertEqual(e.reply_code, 535)
        self.assertIn("535", str(e))
        self.assertIn(e.reply_text, str(e))

    def test_untrusted_certificate_is_refused(self):
        with self.assertRaises(correu.SMTPError) as cm:
            self.connect("smtps", tls="implicit", ca_file=None)
        self.assertIn(cm.exception.name, ("CORREU_ERR_CERT", "CORREU_ERR_TLS"))

    def test_no_password_without_tls(self):
        # AUTH is hidden until STARTTLS on this port: nothing to log in with.
        with self.connect(tls="none") as s:
            with self.assertRaises(correu.SMTPError) as cm:
                s.login("alice", "secret")
        self.assertEqual(cm.exception.step, "login")

    def test_exception_in_the_reader_comes_back(self):
        class Broken(io.RawIOBase):
            def readable(self):
                return True

            def fileno(self):
                raise OSError("no descriptor")

            def read(self, n=-1):
                raise RuntimeError("disk on fire")

        with self.connect() as s:
            s.login("alice", "secret")
            with self.assertRaisesRegex(RuntimeError, "disk on fire"):
                s.send("alice@localhost", ["bob@localhost"], Broken())
            # The message cannot be ended cleanly: the session is over.
            with self.assertRaises(correu.SMTPError):
                s.send("alice@localhost", ["bob@localhost"], MESSAGE)
            self.assertLess(s.quit(), 0)
        self.assertEqual(self.saved(), [])

    def test_send_many_reports_each_message(self):
        batch = [("alice@localhost", ["bob@localhost"], numbered(1)),
                 # One recipient refused: the message still goes.
                 ("alice@localhost", ["refuse-me@localhost", "bob@localhost"], numbered(2)),
                 # Every recipient refused: this message is refused...
                 ("alice@localhost", ["refuse-1@localhost", "refuse-2@localhost"], numbered(3)),
                 # ...and the next one, read from a file, is sent all the same.
                 ("bob@localhost", "bob@localhost", io.BytesIO(numbered(4)))]
        with self.connect() as s:
            s.login("alice", "secret")
            results = s.send_many(batch)
        self.assertEqual([r.accepted for r in results], [True, True, False, True])
        self.assertEqual([r.delivered for r in results], [1, 1, 0, 1])
        self.assertEqual([r.error for r in results],
                         [correu.OK, correu.OK, correu.ERR_REPLY, correu.OK])
        for r in (results[0], results[1], results[3]):
            self.assertEqual(r.reply_code, 250)
        self.assertEqual(results[0].recipients, {"bob@localhost": 250})
        self.assertEqual(results[0].refused, {})
        self.assertEqual(results[1].recipients, {"refuse-me@localhost": 550, "bob@localhost": 250})
        self.assertEqual(results[1].refused, {"refuse-me@localhost": 550})
        self.assertEqual(results[2].refused, {"refuse-1@localhost": 550,
                                              "refuse-2@localhost": 550})
        self.assertFalse(200 <= results[2].reply_code < 300)
        saved = self.saved()
        self.assertEqual([data for _, data in saved], [numbered(1), numbered(2), numbered(4)])
        self.assertEqual([meta["X-Peer-Mail-From"] for meta, _ in saved],
                         ["alice@localhost", "alice@localhost", "bob@localhost"])
        for meta, _ in saved:
            self.assertEqual(meta["X-Peer-Rcpt-To"], "bob@localhost")

    def test_send_many_of_nothing(self):
        with self.connect() as s:
            s.login("alice", "secret")
            self.assertEqual(s.send_many([]), [])
            self.assertEqual(self.saved(), [])
            # The session goes on as before.
            s.send("alice@localhost", "bob@localhost", MESSAGE)
        self.assert_one_saved(MESSAGE)

    def test_send_many_checks_every_message_before_sending(self):
        with self.connect() as s:
            s.login("alice", "secret")
            with self.assertRaises(TypeError):
                s.send_many([("alice@localhost", "bob@localhost", MESSAGE),
                             ("alice@localhost", "bob@localhost", 42)])
            with self.assertRaises(ValueError):
                s.send_many([("alice@localhost", "bob@localhost", MESSAGE),
                             ("alice@localhost", "bob@local\0host", MESSAGE)])
            with self.assertRaises(ValueError):
                s.send_many([("alice@localhost", [], MESSAGE)])
            with self.assertRaisesRegex(TypeError, "from_addr, to_addrs, message"):
                s.send_many([("alice@localhost", "bob@localhost")])
        self.assertEqual(self.saved(), [])

    def test_exception_in_a_batch_reader_comes_back(self):
        class Broken(io.RawIOBase):
            def readable(self):
                return True

            def read(self, n=-1):
                raise RuntimeError("disk on fire")

        with self.connect() as s:
            s.login("alice", "secret")
            with self.assertRaisesRegex(RuntimeError, "disk on fire"):
                s.send_many([("alice@localhost", "bob@localhost", numbered(1)),
                             ("alice@localhost", "bob@localhost", Broken()),
                             ("alice@localhost", "bob@localhost", numbered(3))])
            # A message cut short cannot be ended: the session is over.
            with self.assertRaises(correu.SMTPError) as cm:
                s.send_many([("alice@localhost", "bob@localhost", MESSAGE)])
            self.assertLess(cm.exception.code, 0)
            self.assertEqual([r.error for r in cm.exception.results], [cm.exception.code])
        # Without PIPELINING the first message was through before the second began.
        self.assertEqual([data for _, data in self.saved()], [numbered(1)])

    def test_closed_session_refuses_calls(self):
        s = self.connect()
        s.close()
        s.close()
        with self.assertRaises(correu.SMTPError) as cm:
            s.send("alice@localhost", ["bob@localhost"], MESSAGE)
        self.assertEqual(cm.exception.code, correu.ERR_STATE)
        with self.assertRaises(correu.SMTPError) as cm:
            s.send_many([])
        self.assertEqual(cm.exception.code, correu.ERR_STATE)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            correu.SMTP(peers.HOST, self.port["submission"], tls="sometimes")
        with self.connect() as s:
            with self.assertRaises(TypeError):
                s.send("alice@localhost", ["bob@localhost"], 42)
            with self.assertRaises(ValueError):
                s.send("alice@localhost", [], MESSAGE)


class LMTPTest(unittest.TestCase):
    """correu.SMTP(lmtp=True) against Dovecot's LMTP: one reply per
    recipient, the message in the Maildir."""

    @classmethod
    def setUpClass(cls):
        cls.port = own_peers(cls, "dovecot").dovecot().port["lmtp"]

    def test_per_recipient_results(self):
        new = os.path.join(self.peers.maildir("alice"), "new")
        with correu.SMTP(peers.HOST, self.port, tls="starttls", ca_file=self.peers.ca_file,
                         lmtp=True, timeout=20) as s:
            refused = s.send("sender@localhost", ["alice@localhost", "nosuch@localhost"],
                             MESSAGE)
        self.assertEqual(refused, {"nosuch@localhost": 550})
        (name,) = os.listdir(new)
        with open(os.path.join(new, name), "rb") as f:
            self.assertTrue(f.read().endswith(MESSAGE.replace(b"\r\n", b"\n")))

    def test_send_many_pipelined(self):
        # Dovecot offers PIPELINING: each message's MAIL, RCPT and DATA go
        # out with the end of the one before, and the replies are matched
        # back to their messages. bob's mailbox is this test's alone.
        new = os.path.join(self.peers.maildir("bob"), "new")
        batch = [("sender@localhost", ["bob@localhost"], numbered(1)),
                 ("sender@localhost", ["nosuch@localhost"], numbered(2)),
                 ("sender@localhost", ["nosuch@localhost", "bob@localhost"], numbered(3)),
                 ("sender@localhost", ["bob@localhost"], numbered(4))]
        with correu.SMTP(peers.HOST, self.port, tls="starttls", ca_file=self.peers.ca_file,
                         lmtp=True, timeout=20) as s:
            results = s.send_many(batch)
        self.assertEqual([r.accepted for r in results], [True, False, True, True])
        self.assertEqual(results[1].error, correu.ERR_REPLY)
        self.assertEqual(results[1].refused, {"nosuch@localhost": 550})
        self.assertEqual(results[2].recipients, {"nosuch@localhost": 550, "bob@localhost": 250})
        stored = []
        for name in os.listdir(new):
            with open(os.path.join(new, name), "rb") as f:
                stored.append(f.read())
        for n in (1, 3, 4):
            wanted = numbered(n).replace(b"\r\n", b"\n")
            self.assertEqual(sum(m.endswith(wanted) for m in stored), 1, n)
        self.assertEqual(len(stored), 3)


class SinkTest(unittest.TestCase):
    """send_many() against Postfix's smtp-sink, which offers PIPELINING and
    can be told to give up on the connection."""

    @classmethod
    def setUpClass(cls):
        own_peers(cls, "smtp-sink")
        cls.sink = cls.peers.smtp_sink().port["smtp"]
        # 421 and hang up at the end of the first message's data.
        cls.hangup = cls.peers.smtp_sink(extra_args=["-Q", "."]).port["smtp"]

    def connect(self, port):
        return correu.SMTP(peers.HOST, port, tls="none", timeout=20)

    def test_many_messages_pipelined(self):
        batch = [("a@sink.localhost", [f"r{n}@sink.localhost", "x@sink.localhost"], numbered(n))
                 for n in range(40)]
        with self.connect(self.sink) as s:
            results = s.send_many(batch)
            self.assertEqual(s.send("a@sink.localhost", "b@sink.localhost", MESSAGE), {})
        self.assertEqual(len(results), 40)
        for n, r in enumerate(results):
            self.assertTrue(r.accepted, n)
            self.assertEqual(r.delivered, 2)
            self.assertEqual(r.reply_code, 250)
            self.assertEqual(r.refused, {})

    def test_connection_lost_raises_with_every_result(self):
        batch = [("a@sink.localhost", "b@sink.localhost", numbered(n)) for n in range(3)]
        with self.connect(self.hangup) as s:
            with self.assertRaises(correu.SMTPError) as cm:
                s.send_many(batch)
        e = cm.exception
        self.assertEqual(e.step, "send_many")
        self.assertLess(e.code, 0)
        self.assertEqual(len(e.results), 3)
        for r in e.results:
            self.assertFalse(r.accepted)
            self.assertLess(r.error, 0)
        self.assertEqual(e.results[0].reply_code, 421)


def main():
    def check():
        peers.need_aiosmtpd()
        peers.find_program("openssl")
    peers.skip_or_fail(check)
    unittest.main(module=__name__)


if __name__ == "__main__":
    main()
