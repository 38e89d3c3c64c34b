"""Python binding tests: correu.POP3 against a real server.

The server is Dovecot, started on 127.0.0.1 by tests/interop/peers.py
(found through CORREU_INTEROP_DIR, which the meson test sets); mail is put
in its mailboxes over LMTP. What correu reads is compared with what was
delivered and with what Python's poplib reads from the same mailbox. Exits
77 (skipped) when Dovecot or openssl is not installed.
"""

import io
import os
import poplib
import smtplib
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.environ["CORREU_INTEROP_DIR"])
import peers  # noqa: E402

import correu  # noqa: E402

CHUNK = 16384  # the session's default max_chunk


def message(n, lines=20):
    """A message with dot-led lines (RFC 1939 §3 byte-stuffing); CRLF."""
    body = [".a line that starts with a dot", "..two dots", "."]
    body += [f"line {i:05d} of message {n} " + "x" * 60 for i in range(lines)]
    head = ["From: <alice@localhost>", f"Subject: python pop3 {n}",
            f"Message-ID: <py.{n}.{os.getpid()}@correu.test>"]
    return ("\r\n".join(head + [""] + body) + "\r\n").encode()


def deliver(server, user, messages):
    with smtplib.LMTP(peers.HOST, server.port["lmtp"]) as lmtp:
        for m in messages:
            lmtp.sendmail("sender@localhost", [f"{user}@localhost"], m)


class Recorder(io.RawIOBase):
    """A binary file that keeps every write separately."""

    def __init__(self):
        super().__init__()
        self.writes = []

    def writable(self):
        return True

    def write(self, b):
        self.writes.append(bytes(b))
        return len(b)


class POP3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        cls.addClassCleanup(cls.peers.close)  # also when the set-up fails
        cls.server = cls.peers.dovecot()
        # alice's mailbox is only read; bob's is changed by the tests that
        # delete, each of which fills it first.
        cls.sent = [message(1), message(2, lines=3000), message(3)]
        deliver(cls.server, "alice", cls.sent)

    def connect(self, tls="starttls", **kw):
        kw.setdefault("ca_file", self.peers.ca_file)
        kw.setdefault("timeout", 20)
        role = "pop3s" if tls == "implicit" else "pop3"
        return correu.POP3(peers.HOST, self.server.port[role], tls=tls, **kw)

    def poplib_view(self, user, password):
        """(LIST sizes, UIDL ids, messages) of a mailbox as poplib reads it."""
        p = poplib.POP3(peers.HOST, self.server.port["pop3"], timeout=20)
        try:
            p.stls(ssl.create_default_context(cafile=self.peers.ca_file))
            p.user(user)
            p.pass_(password)
            sizes = {int(n): int(s) for n, s in (x.split() for x in p.list()[1])}
            uids = {int(n): u.decode() for n, u in (x.split() for x in p.uidl()[1])}
            msgs = {n: b"".join(line + b"\r\n" for line in p.retr(n)[1]) for n in sizes}
        finally:
            p.quit()
        return sizes, uids, msgs

    def refill_bob(self, count):
        """Empty bob's mailbox, then deliver count fresh messages."""
        with self.connect() as pop:
            pop.login("bob", "secret2")
            for n in pop.list():
                pop.delete(n)
        msgs = [message(100 + i) for i in range(count)]
        deliver(self.server, "bob", msgs)
        return msgs

    def test_stls_login_and_listings_agree_with_poplib(self):
        sizes, uids, msgs = self.poplib_view("alice", "secret")
        with self.connect() as pop:
            self.assertTrue(pop.is_tls)
            pop.login("alice", "secret")
            self.assertEqual(pop.stat(), (len(self.sent), sum(sizes.values())))
            self.assertEqual(pop.list(), sizes)
            self.assertEqual(pop.uidl(), uids)
            for n in sizes:
                got = pop.retrieve(n)
                self.assertEqual(got, msgs[n])
                self.assertEqual(len(got), sizes[n])
                # Dovecot adds its trace headers in front.
                self.assertTrue(got.endswith(self.sent[n - 1]))

    def test_implicit_tls_and_iterating(self):
        with self.connect("implicit") as pop:
            self.assertTrue(pop.is_tls)
            pop.login("alice", "secret")
            got = list(pop.messages())
            uids = pop.uidl()
        self.assertEqual([uid for uid, _ in got], [uids[n] for n in sorted(uids)])
        for (_, data), sent in zip(got, self.sent, strict=True):
            self.assertTrue(data.endswith(sent))

    def test_retrieve_to_streams_in_chunks(self):
        with self.connect() as pop:
            pop.login("alice", "secret")
            whole = pop.retrieve(2)
            rec = Recorder()
            self.assertEqual(pop.retrieve_to(2, rec), len(whole))
            path = os.path.join(self.peers.dir, "py-retrieved.eml")
            with open(path, "wb") as f:
                self.assertEqual(pop.retrieve_to(2, f), len(whole))
        self.assertGreater(len(whole), 3 * CHUNK)
        self.assertEqual(b"".join(rec.writes), whole)
        self.assertGreater(len(rec.writes), 3)
        self.assertLessEqual(max(map(len, rec.writes)), CHUNK)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), whole)

    def test_top(self):
        with self.connect() as pop:
            pop.login("alice", "secret")
            whole = pop.retrieve(1)
            head = pop.top(1, 0)
            two = pop.top(1, 2)
        header, _, body = whole.partition(b"\r\n\r\n")
        self.assertEqual(head, header + b"\r\n\r\n")
        self.assertEqual(two, header + b"\r\n\r\n" + b"".join(
            line + b"\r\n" for line in body.split(b"\r\n")[:2]))
        self.assertTrue(two.endswith(b"\r\n..two dots\r\n"))

    def test_delete_takes_effect_only_at_quit(self):
        msgs = self.refill_bob(3)
        with self.connect() as pop:
            pop.login("bob", "secret2")
            first = pop.uidl()[1]
            pop.delete(1)
            self.assertEqual(pop.stat()[0], 2)
            pop.close()  # no QUIT: nothing is deleted
        with self.connect() as pop:
            pop.login("bob", "secret2")
            self.assertEqual(pop.uidl()[1], first)
            pop.delete(1)
            pop.reset()  # unmarked again
        with self.connect() as pop:
            pop.login("bob", "secret2")
            self.assertEqual(pop.stat()[0], 3)
            pop.delete(1)
            with self.assertRaises(correu.POP3Error) as cm:
                pop.retrieve(1)
            self.assertEqual(cm.exception.code, correu.ERR_REPLY)
        sizes, uids, _ = self.poplib_view("bob", "secret2")
        self.assertEqual(len(sizes), 2)
        self.assertNotIn(first, uids.values())
        with self.connect() as pop:
            pop.login("bob", "secret2")
            self.assertTrue(pop.retrieve(1).endswith(msgs[1]))

    def test_exception_in_a_block_deletes_nothing(self):
        self.refill_bob(2)
        with self.assertRaisesRegex(RuntimeError, "stop"):
            with self.connect() as pop:
                pop.login("bob", "secret2")
                pop.delete(1)
                pop.delete(2)
                raise RuntimeError("stop")
        self.assertEqual(len(self.poplib_view("bob", "secret2")[0]), 2)

    def test_wrong_password_raises_with_the_server_reply(self):
        for tls in ("starttls", "implicit"):
            with self.connect(tls) as pop:
                with self.assertRaises(correu.CorreuError) as cm:
                    pop.login("alice", "wrong")
            e = cm.exception
            self.assertIsInstance(e, correu.POP3Error)
            self.assertEqual(e.code, correu.ERR_AUTH)
            self.assertEqual(e.step, "login")
            self.assertTrue(e.reply_text)
            self.assertIn(e.reply_text, str(e))
            self.assertEqual(e.resp_code, "AUTH")  # Dovecot says AUTH-RESP-CODE

    def test_missing_message_raises_and_the_session_goes_on(self):
        with self.connect() as pop:
            pop.login("alice", "secret")
            with self.assertRaises(correu.POP3Error) as cm:
                pop.retrieve(999)
            self.assertEqual(cm.exception.code, correu.ERR_REPLY)
            self.assertIn("999", cm.exception.reply_text)
            self.assertEqual(pop.stat()[0], len(self.sent))

    def test_exception_in_the_writer_comes_back(self):
        class Full(io.RawIOBase):
            def writable(self):
                return True

            def write(self, b):
                raise OSError(28, "No space left on device")

        with self.connect() as pop:
            pop.login("alice", "secret")
            with self.assertRaisesRegex(OSError, "No space"):
                pop.retrieve_to(2, Full())
            # The rest of the message was read and dropped.
            self.assertTrue(pop.retrieve(3).endswith(self.sent[2]))

    def test_untrusted_certificate_is_refused(self):
        with self.assertRaises(correu.POP3Error) as cm:
            self.connect("implicit", ca_file=None)
        self.assertIn(cm.exception.name, ("CORREU_ERR_CERT", "CORREU_ERR_TLS"))
        self.assertEqual(cm.exception.step, "connect")

    def test_timeout_reaches_the_session(self):
        # A listener that never greets: the session must give up after
        # `timeout`, not after its default minute.
        with socket.socket() as silent:
            silent.bind((peers.HOST, 0))
            silent.listen(1)
            t0 = time.monotonic()
            with self.assertRaises(correu.POP3Error) as cm:
                correu.POP3(peers.HOST, silent.getsockname()[1], tls="none", timeout=0.3)
            elapsed = time.monotonic() - t0
        self.assertEqual(cm.exception.code, correu.ERR_TIMEOUT)
        self.assertLess(elapsed, 5)

    def test_closed_session_refuses_calls(self):
        pop = self.connect()
        pop.login("alice", "secret")
        pop.quit()
        pop.close()
        with self.assertRaises(correu.POP3Error) as cm:
            pop.stat()
        self.assertEqual(cm.exception.code, correu.ERR_STATE)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            correu.POP3(peers.HOST, self.server.port["pop3"], tls="sometimes")
        with self.assertRaises(ValueError):  # would wrap round to a real port
            correu.POP3(peers.HOST, self.server.port["pop3"] + 65536)
        with self.connect() as pop:
            with self.assertRaises(ValueError):
                pop.login("alice", "sec\0ret")
            pop.login("alice", "secret")
            for n in (0, -1, 2**32, 2**32 + 1):
                with self.assertRaises(ValueError):
                    pop.retrieve(n)
            with self.assertRaises(ValueError):
                pop.top(1, 2**32)
            with self.assertRaises(TypeError):
                pop.retrieve("1")
            with open(os.path.join(self.peers.dir, "text.txt"), "w") as f:
                with self.assertRaises(TypeError):
                    pop.retrieve_to(1, f)


def main():
    def check():
        peers.find_program("dovecot")
        peers.find_program("openssl")
    peers.skip_or_fail(check)
    unittest.main(module=__name__)


if __name__ == "__main__":
    main()
