"""Python binding tests: correu.SMTP against a real server.

The servers are aiosmtpd and Dovecot's LMTP, started on 127.0.0.1 by
tests/interop/peers.py (found through CORREU_INTEROP_DIR, which the meson
test sets); every message is compared with what the server stored. Exits
77 (skipped) when aiosmtpd or openssl is not installed; the LMTP tests are
skipped without Dovecot.
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


class SMTPTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        try:
            cls.server = cls.peers.aiosmtpd()
        except BaseException:
            cls.peers.close()
            raise
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.peers.close()

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

    def test_closed_session_refuses_calls(self):
        s = self.connect()
        s.close()
        s.close()
        with self.assertRaises(correu.SMTPError) as cm:
            s.send("alice@localhost", ["bob@localhost"], MESSAGE)
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
        try:
            peers.find_program("dovecot")
        except peers.Skip as e:
            raise unittest.SkipTest(str(e))
        cls.peers = peers.Peers()
        try:
            cls.port = cls.peers.dovecot().port["lmtp"]
        except BaseException:
            cls.peers.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.peers.close()

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


def main():
    def check():
        peers.need_aiosmtpd()
        peers.find_program("openssl")
    peers.skip_or_fail(check)
    unittest.main(module=__name__)


if __name__ == "__main__":
    main()
