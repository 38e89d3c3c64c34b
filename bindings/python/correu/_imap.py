"""Working with mail on the server: the blocking IMAP session of libcorreu
(Python binding, IMAP layer).

    with correu.IMAP("imap.example.org", tls="implicit") as imap:
        imap.login("alice", "secret")
        imap.select("INBOX")
        for msg in imap.messages("UNSEEN"):
            print(msg.uid, msg.flags, msg.header("Subject"))
        with open("part.bin", "wb") as f:
            imap.fetch_to(msg.uid, f, section="2")

IMAP wraps correu_imap_session_*: it connects, negotiates TLS as asked
(STARTTLS is required by default; no silent fallback to plaintext), logs in
with the strongest method the server offers, and runs one command per call.
Messages are named by UID throughout (RFC 9051 §2.3.1.1). Bodies arrive in
the C session's bounded chunks: fetch_to() writes each to a file as it
comes and append() streams from a file, so a large message is never held
whole. idle() waits for news (RFC 2177) and returns it. Every failure
raises IMAPError, a CorreuError that also carries the server's tagged NO
or BAD. The C declarations and the returned values live in
correu._imap_data; opening and closing in correu._session.
"""

import os
import stat
import tempfile
from ctypes import byref, c_char_p, c_uint32

from . import _imap_data as d
from ._bridge import Callback, milliseconds, number, to_bytes
from ._errors import CorreuError, Error, strerror
from ._session import FileSink, Session

_COPY_CHUNK = 65536  # bytes per read when a message is spooled for APPEND
# RFC 9051 §6.4.6 store-att-flags.
_STORE_ACTIONS = {sign + b"FLAGS" + silent for sign in (b"", b"+", b"-")
                  for silent in (b"", b".SILENT")}
_TLS_MODES = {
    "starttls": (d.SESSION_STARTTLS, d.TLS_REQUIRED, 143),
    "implicit": (d.SESSION_IMPLICIT, d.TLS_REQUIRED, 993),
    "opportunistic": (d.SESSION_STARTTLS, d.TLS_OPPORTUNISTIC, 143),
    "none": (d.SESSION_STARTTLS, d.TLS_NONE, 143),
}


class IMAPError(CorreuError):
    """A session step failed. Besides ``code``, ``name`` and ``message``:
    ``step`` (e.g. "select INBOX"), ``status`` ("NO" or "BAD" when the
    server refused the command, else ""), ``reply_text`` (its text) and
    ``resp_code`` (its response code such as "TRYCREATE", RFC 9051 §7.1;
    "" when none)."""

    def __init__(self, code, step, status="", reply_text="", resp_code=""):
        self.step = step
        self.status = status
        self.reply_text = reply_text
        self.resp_code = resp_code
        text = f"{step}: {strerror(code)}"
        if status:
            bracket = f"[{resp_code}] " if resp_code else ""
            text += f" (server: {status} {bracket}{reply_text})"
        super().__init__(code, text)


class IMAP(Session):
    """A connected IMAP session.

    host, port: the server (port defaults to 143, 993 with tls="implicit").
    tls: "starttls" (STARTTLS required before anything else, RFC 9051
    §6.2.1), "implicit" (TLS from the first byte, RFC 8314),
    "opportunistic" (STARTTLS when offered: open to an attacker who strips
    the offer), or "none".
    ca_file: trust these CA certificates instead of the system's.
    timeout: seconds for connecting and for each response.
    allow_plaintext_auth: let LOGIN send the password without TLS.

    Raises IMAPError when the connection, the TLS handshake or the greeting
    fails. Use as a context manager (LOGOUT at the end of the block, a
    plain close after an exception), or call logout() or close().
    """

    PREFIX, C, ERROR, GOODBYE = "correu_imap", d.c, IMAPError, "logout"
    SETTINGS, OPTIONS = d.PaddedSettings, d.PaddedOptions

    def __init__(self, host, port=None, *, tls="starttls", ca_file=None, timeout=60.0,
                 allow_plaintext_auth=False):
        mode, policy, port = self._endpoint(tls, port, _TLS_MODES)
        flags = d.ALLOW_PLAINTEXT_AUTH if allow_plaintext_auth else 0
        self._open(to_bytes(host, "host"), port, mode=mode, policy=policy, ca_file=ca_file,
                   timeout_ms=milliseconds(timeout), tune=lambda s: setattr(s, "flags", flags))

    def _check(self, rc, step, callback=None):
        """Raise what a C call met: first a Python exception a callback
        kept, then IMAPError with the server's answer when it refused."""
        if callback is not None:
            callback.raise_kept()
        if rc >= 0:
            return rc
        if rc in (Error.REPLY, Error.AUTH):
            text, code = c_char_p(), c_uint32()
            resp = d.c().correu_imap_session_last_response(self._s, byref(text), byref(code))
            if resp > 0:
                raise IMAPError(rc, step, d.resp_name(resp),
                                (text.value or b"").decode("utf-8", "replace"),
                                d.c().correu_imap_code_name(code.value).decode("ascii"))
        raise IMAPError(rc, step)

    def _call(self, step, fn_type, consumer, run):
        """Run run(C callback) for a C call that hands its answer to
        consumer; raise what it met."""
        cb = Callback(consumer)
        return self._check(run(fn_type(cb)), step, cb)

    def _client(self):
        return d.c().correu_imap_session_client(self._handle())

    @property
    def is_tls(self):
        """Whether the connection is protected by TLS (implicit or STARTTLS)."""
        return bool(d.c().correu_imap_client_is_tls(self._client()))

    def has_capability(self, name):
        """Whether the server announced capability `name` ("IDLE", "MOVE",
        "AUTH=PLAIN"...), compared without regard to case."""
        name = to_bytes(name, "capability")
        return bool(d.c().correu_imap_client_has_cap(self._client(), name, len(name)))

    def login(self, user, password):
        """Log in with the strongest method offered (AUTHENTICATE with
        SCRAM first, LOGIN only over TLS unless allowed), then ENABLE
        IMAP4rev2, CONDSTORE and UTF8=ACCEPT where offered."""
        rc = d.c().correu_imap_session_login(self._handle(), to_bytes(user, "user"),
                                             to_bytes(password, "password"))
        self._check(rc, "login")

    def list(self, pattern="*"):
        """The mailboxes matching pattern ("*" all, "%" one level), as a
        list of Mailbox in the server's order."""
        listed = d.Listed()
        self._call(f"list {pattern}", d.EVENT_FN, listed, lambda fn: d.c().correu_imap_session_list(
            self._handle(), to_bytes(pattern, "pattern"), 0, 0, fn, None))
        return listed.result()

    def select(self, mailbox="INBOX", *, readonly=False):
        """SELECT (EXAMINE when readonly) a mailbox; returns (number of
        messages, UIDVALIDITY)."""
        exists, validity = c_uint32(), c_uint32()
        rc = d.c().correu_imap_session_select(self._handle(), to_bytes(mailbox, "mailbox"),
                                              d.SELECT_READ_ONLY if readonly else 0,
                                              byref(exists), byref(validity))
        self._check(rc, f"select {mailbox}")
        return exists.value, validity.value

    def search(self, criteria="ALL"):
        """The UIDs of the selected mailbox's messages that match the
        search keys (raw syntax, RFC 9051 §6.4.4: "UNSEEN", "SINCE
        1-Jan-2025"...), in ascending order."""
        uids = []
        self._call(f"search {criteria}", d.NUMBER_FN, lambda n, _ud: uids.append(n),
                   lambda fn: d.c().correu_imap_session_search(
                       self._handle(), to_bytes(criteria, "criteria"), fn, None))
        return sorted(uids)

    def fetch_headers(self, uids):
        """Message values (UID, flags, size, header block) for a UID set
        (see uid_set()), with one UID FETCH; in the server's order."""
        fetched = d.Fetched()
        wanted = d.uid_set(uids)
        self._call("fetch", d.EVENT_FN, fetched, lambda fn: d.c().correu_imap_session_fetch(
            self._handle(), wanted, b"(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])", fn, None))
        return fetched.done

    def messages(self, criteria="ALL", *, batch=200):
        """Iterate over the messages matching criteria as Message values in
        UID order, fetched lazily, `batch` per UID FETCH; bodies are not
        fetched (see fetch() and fetch_to())."""
        batch = number(batch, "batch", 1)
        uids = self.search(criteria)
        for i in range(0, len(uids), batch):
            yield from sorted(self.fetch_headers(uids[i:i + batch]), key=lambda m: m.uid)

    def _section(self, uid, section, sink):
        uid = number(uid, "UID", 1)
        self._call(f"fetch {uid} [{section}]", d.BODY_FN,
                   lambda data, n, _ud: sink(data[:n]),
                   lambda fn: d.c().correu_imap_session_fetch_section(
                       self._handle(), uid, to_bytes(section, "section"), fn, None))

    def fetch(self, uid, section=""):
        """One section of a message as bytes: "" the whole message,
        "HEADER", "TEXT", "1", "2.1"... (RFC 9051 §6.4.5), without setting
        \\Seen. Raises IMAPError with ERR_NOT_FOUND when there is no such
        message. For large parts use fetch_to()."""
        chunks = []
        self._section(uid, section, chunks.append)
        return b"".join(chunks)

    def fetch_to(self, uid, fileobj, section=""):
        """Write one section of a message to a binary file object chunk by
        chunk as it arrives (never whole in memory); returns the number of
        bytes written. After an exception the file holds part of it."""
        sink = FileSink(fileobj)
        self._section(uid, section, sink)
        return sink.written

    def store(self, uids, flags, action="+FLAGS.SILENT"):
        """Change the flags of messages: action "+FLAGS" adds, "-FLAGS"
        removes, "FLAGS" replaces (".SILENT": no FETCH answer); flags: one
        flag or an iterable of them ("\\\\Seen", "$Label")."""
        action = to_bytes(action, "action")
        if action.upper() not in _STORE_ACTIONS:
            raise ValueError("action must be [+-]FLAGS[.SILENT]")
        rc = d.c().correu_imap_session_store(self._handle(), d.uid_set(uids), action,
                                             d.flag_list(flags))
        self._check(rc, "store")

    def move(self, uids, mailbox):
        """Move messages to another mailbox (MOVE, RFC 6851; else COPY,
        \\Deleted and UID EXPUNGE)."""
        rc = d.c().correu_imap_session_move(self._handle(), d.uid_set(uids),
                                            to_bytes(mailbox, "mailbox"))
        self._check(rc, f"move to {mailbox}")

    def expunge(self):
        """Remove the messages flagged \\Deleted from the selected mailbox."""
        self._check(d.c().correu_imap_session_expunge(self._handle()), "expunge")

    def append(self, mailbox, message, flags=None):
        """Add a message to a mailbox: bytes, str (as UTF-8) or a binary
        file object read from its position to its end. A regular file is
        streamed from its descriptor; anything else is copied in chunks to
        an unnamed temporary file first, since APPEND announces the size
        (RFC 9051 §6.3.12). Returns the new UID (APPENDUID), or 0 when the
        server did not say."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        flags = None if flags is None else d.flag_list(flags)
        box = to_bytes(mailbox, "mailbox")
        if not isinstance(message, (bytes, bytearray, memoryview)):
            if not hasattr(message, "read"):
                raise TypeError("message must be bytes, str or a binary file")
            if _regular_file(message):
                return self._append_fd(box, flags, message, message.tell())
        with tempfile.TemporaryFile() as spool:
            sink = FileSink(spool)
            if hasattr(message, "read"):
                while chunk := message.read(_COPY_CHUNK):
                    if isinstance(chunk, str):
                        raise TypeError("message file must be opened in binary mode")
                    sink(chunk)
            else:
                sink(message)
            return self._append_fd(box, flags, spool, 0)

    def _append_fd(self, box, flags, fileobj, start):
        """APPEND fileobj's bytes from `start` to its end, read by C from
        its descriptor (placed there first: a buffered file may be ahead)."""
        if fileobj.writable():
            fileobj.flush()
        fd = fileobj.fileno()
        size = max(os.fstat(fd).st_size - start, 0)
        os.lseek(fd, start, os.SEEK_SET)
        uid = c_uint32()
        rc = d.c().correu_imap_session_append_fd(self._handle(), box, flags, fd, size,
                                                 byref(uid))
        self._check(rc, f"append to {box.decode('utf-8', 'replace')}")
        fileobj.seek(start + size)
        return uid.value

    def idle(self, timeout):
        """IDLE (RFC 2177) until the server reports news or `timeout`
        seconds pass; returns the news as a list of IdleEvent (empty on
        timeout). Raises IMAPError with ERR_UNSUPPORTED without IDLE."""
        news = d.News()
        ms = 0 if timeout <= 0 else milliseconds(timeout)
        self._call("idle", d.EVENT_FN, news, lambda fn: d.c().correu_imap_session_idle(
            self._handle(), ms, fn, None))
        return news.result()

    def logout(self):
        """LOGOUT, then close. Errors are not raised: nothing is pending
        once LOGOUT is due. Returns the error code met (0 when none)."""
        if self._s is None:
            return 0
        try:
            return d.c().correu_imap_session_logout(self._s)
        finally:
            self.close()


def _regular_file(fileobj):
    """Whether fileobj is a binary file on a regular file's descriptor,
    which C can read from directly."""
    try:
        return "b" in getattr(fileobj, "mode", "b") and stat.S_ISREG(
            os.fstat(fileobj.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return False
