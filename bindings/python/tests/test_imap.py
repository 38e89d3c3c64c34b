"""Python binding tests: correu.IMAP against a real server.

The server is Dovecot, started on 127.0.0.1 by tests/interop/peers.py
(found through CORREU_INTEROP_DIR, which the meson test sets); mail is put
in its mailboxes over LMTP. What correu reads is compared with what was
delivered and with what Python's imaplib reads from the same mailbox.
alice's mailbox is only read; bob's is changed by the tests that write,
each of which empties it first; tester's is the one idle() watches.
Exits 77 (skipped) when Dovecot or openssl is not installed.
"""

import imaplib
import io
import os
import re
import socket
import ssl
import sys
import threading
import time
import tracemalloc
import unittest

sys.path.insert(0, os.environ["CORREU_INTEROP_DIR"])
import peers  # noqa: E402

import correu  # noqa: E402
from test_pop3 import Recorder, deliver  # noqa: E402

CHUNK = 65536  # the parser's default max_chunk: the largest piece handed over

ARCHIVE = """
namespace inbox {
  mailbox Archive {
    auto = create
  }
}
"""


def message(n, attachment=b""):
    """A message; with an attachment, a multipart/mixed whose part 2 holds
    it base64-free (8bit lines), so the part is easy to compare."""
    head = ["From: Alice <alice@localhost>", "To: <bob@localhost>",
            f"Subject: python imap {n}", f"Message-ID: <pyimap.{n}.{os.getpid()}@correu.test>"]
    if not attachment:
        body = [f"body of message {n}", "x" * 300]
        return ("\r\n".join(head + [""] + body) + "\r\n").encode()
    head += ["MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b"']
    text = "\r\n".join(head + ["", "--b", "Content-Type: text/plain", "",
                               f"text of {n}", "--b", "Content-Type: application/octet-stream",
                               ""]) + "\r\n"
    return text.encode() + attachment + b"\r\n--b--\r\n"


def attachment(lines):
    return b"".join(b"attachment line %06d " % i + b"y" * 60 + b"\r\n" for i in range(lines))


class IMAPTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers()
        cls.addClassCleanup(cls.peers.close)  # also when the set-up fails
        cls.server = cls.peers.dovecot(extra_conf=ARCHIVE)
        cls.part = attachment(4000)
        cls.sent = [message(1), message(2, cls.part), message(3)]
        deliver(cls.server, "alice", cls.sent)

    def connect(self, tls="starttls", port=None, **kw):
        kw.setdefault("ca_file", self.peers.ca_file)
        kw.setdefault("timeout", 20)
        role = "imaps" if tls == "implicit" else "imap"
        return correu.IMAP(peers.HOST, port or self.server.port[role], tls=tls, **kw)

    def imaplib(self, user, password):
        m = imaplib.IMAP4(peers.HOST, self.server.port["imap"], timeout=20)
        m.starttls(ssl.create_default_context(cafile=self.peers.ca_file))
        m.login(user, password)
        return m

    def imaplib_view(self, user, password, mailbox="INBOX"):
        """{uid: (flags, header block, size)} as imaplib reads them."""
        m = self.imaplib(user, password)
        try:
            m.select(mailbox, readonly=True)
            typ, data = m.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])")
            self.assertEqual(typ, "OK")
            view = {}
            for item in data:
                if not isinstance(item, tuple):
                    continue
                meta = item[0].decode()
                uid = int(re.search(r"UID (\d+)", meta).group(1))
                flags = set(re.search(r"FLAGS \(([^)]*)\)", meta).group(1).split())
                size = int(re.search(r"RFC822.SIZE (\d+)", meta).group(1))
                view[uid] = (flags, item[1], size)
        finally:
            m.logout()
        return view

    def empty_bob(self):
        with self.connect() as imap:
            imap.login("bob", "secret2")
            for box in ("INBOX", "Archive"):
                imap.select(box)
                uids = imap.search()
                if uids:
                    imap.store(uids, "\\Deleted")
                    imap.expunge()

    def test_starttls_messages_agree_with_imaplib(self):
        view = self.imaplib_view("alice", "secret")
        with self.connect() as imap:
            self.assertTrue(imap.is_tls)
            imap.login("alice", "secret")
            exists, validity = imap.select("INBOX")
            self.assertEqual(exists, len(self.sent))
            self.assertGreater(validity, 0)
            got = list(imap.messages(batch=2))
        self.assertEqual([m.uid for m in got], sorted(view))
        for m, sent in zip(got, self.sent, strict=True):
            flags, header, size = view[m.uid]
            self.assertEqual(m.flags, flags)
            self.assertEqual(m.headers, header)
            self.assertEqual(m.size, size)
            self.assertEqual(m.header("Message-ID"),
                             re.search(rb"Message-ID: (\S+)", sent).group(1).decode())

    def test_other_tls_modes(self):
        # Dovecot offers STARTTLS, so "opportunistic" takes it; "none"
        # stays in clear, where SCRAM still logs in (no password is sent).
        for tls, secure in (("opportunistic", True), ("none", False)):
            with self.subTest(tls), self.connect(tls) as imap:
                self.assertEqual(imap.is_tls, secure)
                imap.login("alice", "secret")
                self.assertEqual(imap.select("INBOX", readonly=True)[0], len(self.sent))

    def test_large_message_streams_both_ways_in_bounded_memory(self):
        # 8 MB appended from a file and fetched to a file: the Python heap
        # never holds more than a few chunks of it.
        self.empty_bob()
        src, dst = (os.path.join(self.peers.dir, n) for n in ("py-big.eml", "py-big.out"))
        with open(src, "wb") as f:
            f.write(message(30, attachment(100000)))
        with self.connect() as imap:
            imap.login("bob", "secret2")
            tracemalloc.start()
            try:
                with open(src, "rb") as f:
                    uid = imap.append("INBOX", f)
                imap.select("INBOX")
                with open(dst, "wb") as f:
                    written = imap.fetch_to(uid, f)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        size = os.path.getsize(src)
        self.assertGreater(size, 8_000_000)
        self.assertEqual(written, size)
        self.assertLess(peak, 1_000_000)
        with open(src, "rb") as a, open(dst, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_implicit_tls_list_and_search(self):
        with self.connect("implicit") as imap:
            self.assertTrue(imap.is_tls)
            imap.login("alice", "secret")
            self.assertTrue(imap.has_capability("idle"))
            boxes = {b.name: b for b in imap.list()}
            imap.select("INBOX", readonly=True)
            everything = imap.search("ALL")
            second = imap.search("SUBJECT \"python imap 2\"")
        self.assertIn("INBOX", boxes)
        self.assertIn("Archive", boxes)
        self.assertEqual(boxes["Archive"].delimiter, ".")
        self.assertEqual(len(everything), len(self.sent))
        self.assertEqual(second, [everything[1]])

    def test_fetch_a_part_whole_and_in_chunks(self):
        with self.connect() as imap:
            imap.login("alice", "secret")
            imap.select("INBOX", readonly=True)
            uid = imap.search()[1]
            part = imap.fetch(uid, "2")
            whole = imap.fetch(uid)
            rec = Recorder()
            self.assertEqual(imap.fetch_to(uid, rec, section="2"), len(part))
            path = os.path.join(self.peers.dir, "py-part.bin")
            with open(path, "wb") as f:
                self.assertEqual(imap.fetch_to(uid, f), len(whole))
            # Fetching does not set \Seen (BODY.PEEK).
            self.assertNotIn("\\Seen", imap.fetch_headers(uid)[0].flags)
        self.assertEqual(part, self.part)
        self.assertTrue(whole.endswith(self.sent[1]))
        self.assertEqual(b"".join(rec.writes), part)
        self.assertGreater(len(rec.writes), 1)
        self.assertLessEqual(max(map(len, rec.writes)), CHUNK)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), whole)

    def test_store_flags(self):
        with self.connect() as imap:
            imap.login("alice", "secret")
            imap.select("INBOX")
            uid = imap.search()[0]
            imap.store(uid, ["\\Flagged", "$Label1"], "+FLAGS")
            flagged = self.imaplib_view("alice", "secret")[uid][0]
            imap.store([uid], "$Label1", "-FLAGS.SILENT")
            imap.store(uid, "\\Flagged", "-FLAGS")
            self.assertEqual(imap.search("FLAGGED"), [])
        self.assertLessEqual({"\\Flagged", "$Label1"}, flagged)
        self.assertFalse({"\\Flagged", "$Label1"} & self.imaplib_view("alice", "secret")[uid][0])

    def test_append_move_and_expunge(self):
        self.empty_bob()
        path = os.path.join(self.peers.dir, "py-append.eml")
        with open(path, "wb") as f:
            f.write(b"junk before" + message(11))
        with self.connect() as imap:
            imap.login("bob", "secret2")
            uids = [imap.append("INBOX", message(10), flags="\\Seen")]
            with open(path, "rb") as f:
                f.read(len(b"junk before"))  # appended from the position on
                uids.append(imap.append("INBOX", f))
                self.assertEqual(f.tell(), os.path.getsize(path))
            uids.append(imap.append("INBOX", io.BytesIO(message(12))))
            imap.select("INBOX")
            self.assertEqual(imap.search(), uids)
            self.assertEqual(imap.search("SEEN"), uids[:1])
            self.assertEqual(imap.fetch(uids[1]), message(11))
            imap.move(uids[0], "Archive")
            imap.store(uids[1], "\\Deleted")
            imap.expunge()
            self.assertEqual(imap.search(), uids[2:])
            imap.select("Archive")
            (moved,) = imap.messages()
        self.assertEqual(moved.header("Subject"), "python imap 10")
        # \Recent is IMAP4rev1's (RFC 3501 §2.3.2), set by the move itself.
        self.assertEqual(moved.flags - {"\\Recent"}, {"\\Seen"})

    @staticmethod
    def idle_while(imap, action):
        """imap.idle()'s news while action() runs in another thread."""
        timer = threading.Timer(0.3, action)
        timer.start()
        try:
            return imap.idle(15)
        finally:
            timer.join()

    def test_idle_sees_an_lmtp_delivery(self):
        with self.connect() as imap:
            imap.login("tester", "swordfish")
            before, _ = imap.select("INBOX")
            t0 = time.monotonic()
            self.assertEqual(imap.idle(0.3), [])
            self.assertGreaterEqual(time.monotonic() - t0, 0.25)
            news = self.idle_while(imap, lambda: deliver(self.server, "tester", [message(20)]))
            exists = [e for e in news if e.kind == "EXISTS"]
            self.assertEqual(len(exists), 1, news)
            self.assertEqual(exists[0].number, before + 1)
            # The session goes on after the IDLE.
            (new,) = imap.messages(f"UID {imap.search()[-1]}")
        self.assertEqual(new.header("Subject"), "python imap 20")

    def test_idle_sees_flags_change_and_messages_go(self):
        deliver(self.server, "tester", [message(21), message(22)])
        other = self.imaplib("tester", "swordfish")
        try:
            other.select("INBOX")
            with self.connect() as imap:
                imap.login("tester", "swordfish")
                count, _ = imap.select("INBOX")
                uid = imap.search()[-2]  # message 21, number count - 1
                news = self.idle_while(imap, lambda: other.uid("STORE", str(uid), "+FLAGS",
                                                               "(\\Flagged)"))
                fetch = [e for e in news if e.kind == "FETCH"]
                self.assertEqual([e.number for e in fetch], [count - 1], news)
                self.assertIn("\\Flagged", fetch[0].flags)
                news = self.idle_while(imap, lambda: (
                    other.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"),
                    other.expunge()))
                # The \Deleted flag may be told first, in an IDLE of its own.
                deadline = time.monotonic() + 15
                while "EXPUNGE" not in {e.kind for e in news} and time.monotonic() < deadline:
                    news += imap.idle(deadline - time.monotonic())
                self.assertEqual([e.number for e in news if e.kind == "EXPUNGE"], [count - 1])
                self.assertEqual({e.kind for e in news} - {"FETCH"}, {"EXPUNGE"})
                self.assertNotIn(uid, imap.search())
        finally:
            other.logout()

    def test_refusals_raise_with_the_server_answer(self):
        with self.connect() as imap:
            with self.assertRaises(correu.IMAPError) as cm:
                imap.login("alice", "wrong")
            self.assertEqual(cm.exception.code, correu.ERR_AUTH)
            self.assertEqual(cm.exception.status, "NO")
            self.assertEqual(cm.exception.resp_code, "AUTHENTICATIONFAILED")
            imap.login("alice", "secret")
            with self.assertRaises(correu.IMAPError) as cm:
                imap.select("No such box")
            e = cm.exception
            self.assertEqual((e.code, e.status, e.step), (correu.ERR_REPLY, "NO",
                                                          "select No such box"))
            self.assertIn(e.reply_text, str(e))
            imap.select("INBOX", readonly=True)
            with self.assertRaises(correu.IMAPError) as cm:
                imap.fetch(999999)
            self.assertEqual(cm.exception.code, correu.ERR_NOT_FOUND)
            self.assertEqual(len(imap.search()), len(self.sent))

    def test_exception_in_the_writer_comes_back(self):
        class Full(Recorder):
            def write(self, b):
                raise OSError(28, "No space left on device")

        with self.connect() as imap:
            imap.login("alice", "secret")
            imap.select("INBOX", readonly=True)
            uids = imap.search()
            with self.assertRaisesRegex(OSError, "No space"):
                imap.fetch_to(uids[1], Full())
            # The rest was read and dropped: the session goes on.
            self.assertTrue(imap.fetch(uids[2]).endswith(self.sent[2]))

    def test_connect_failures(self):
        # A listener that never greets: the session must give up after
        # `timeout`, not after its default minute.
        silent = socket.create_server((peers.HOST, 0))
        (unused,) = peers.free_ports(1)  # nothing listens there
        cases = [("untrusted certificate", dict(tls="implicit", ca_file=None),
                  {"CORREU_ERR_CERT", "CORREU_ERR_TLS"}),
                 ("silent server", dict(tls="none", port=silent.getsockname()[1], timeout=0.3),
                  {"CORREU_ERR_TIMEOUT"}),
                 ("refused", dict(tls="none", port=unused),
                  {"CORREU_ERR_CONNECT", "CORREU_ERR_IO"})]
        with silent:
            for what, kw, names in cases:
                with self.subTest(what):
                    t0 = time.monotonic()
                    with self.assertRaises(correu.IMAPError) as cm:
                        self.connect(**kw)
                    self.assertLess(time.monotonic() - t0, 5)
                    self.assertIn(cm.exception.name, names)
                    self.assertEqual(cm.exception.step, "connect")

    def test_closed_session_refuses_calls(self):
        imap = self.connect()
        imap.login("alice", "secret")
        self.assertEqual(imap.logout(), 0)
        imap.close()
        with self.assertRaises(correu.IMAPError) as cm:
            imap.select()
        self.assertEqual(cm.exception.code, correu.ERR_STATE)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            correu.IMAP(peers.HOST, self.server.port["imap"], tls="sometimes")
        with self.assertRaises(ValueError):
            correu.IMAP(peers.HOST, self.server.port["imap"] + 65536)
        with self.connect() as imap:
            with self.assertRaises(ValueError):
                imap.login("alice", "sec\0ret")
            imap.login("alice", "secret")
            imap.select("INBOX", readonly=True)
            for uid in (0, -1, 2**32):
                with self.assertRaises(ValueError):
                    imap.fetch(uid)
            with self.assertRaises(ValueError):
                imap.store([], "\\Seen")
            with self.assertRaises(ValueError):
                imap.store(1, "\\Seen", action="FLAGZ")
            with self.assertRaises(ValueError):
                imap.store(1, "a flag")
            with self.assertRaises(TypeError):
                imap.append("INBOX", 42)
            with open(os.path.join(self.peers.dir, "text.txt"), "w") as f:
                with self.assertRaises(TypeError):
                    imap.fetch_to(1, f)


class UidSetTest(unittest.TestCase):
    def test_runs_are_compressed(self):
        self.assertEqual(correu.uid_set([7, 1, 2, 3, 9, 10, 3]), b"1:3,7,9:10")
        self.assertEqual(correu.uid_set(5), b"5")
        self.assertEqual(correu.uid_set("1:*"), b"1:*")
        with self.assertRaises(ValueError):
            correu.uid_set([])


if __name__ == "__main__":
    peers.skip_or_fail(lambda: [peers.find_program(p) for p in ("dovecot", "openssl")])
    unittest.main()
