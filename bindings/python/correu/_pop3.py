"""Downloading mail: the blocking POP3 session of libcorreu (Python
binding, POP3 layer).

    with correu.POP3("pop.example.org", tls="implicit") as pop:
        pop.login("alice", "secret")
        for uid, message in pop.messages():
            save(uid, message)

POP3 wraps correu_pop3_session_*: it connects, negotiates TLS as asked
(STLS is required by default; there is no silent fallback to plaintext),
logs in with the strongest method the server offers, and hands messages
over in the C session's bounded chunks: retrieve_to() writes each chunk to
a file as it arrives, so a message is never held whole. Every failure
raises POP3Error, a CorreuError that also carries the server's -ERR text.

Deletions take effect only at a successful QUIT (RFC 1939 §6): leaving the
``with`` block normally says QUIT, leaving it by an exception closes the
connection without it, and the server then keeps every message.

The C structs are declared here in ctypes, each allocated with spare room
behind it (correu._bridge.padded); opening and closing are correu._session's.
"""

import ctypes
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_char_p, c_int, c_size_t,
                    c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

from ._bridge import Callback, milliseconds, number, padded, to_bytes
from ._errors import CorreuError, Error, strerror
from ._session import FileSink, Prototypes, Session

# include/correu/pop3.h
_TLS_REQUIRED, _TLS_OPPORTUNISTIC, _TLS_NONE = 0, 1, 2
_SESSION_STLS, _SESSION_IMPLICIT = 0, 1
_FLAG_BODY_NORMALISE = 0x4

#: CORREU_POP3_RESP_* -> the response code as RFC 2449 §8 / RFC 3206 spell it.
RESP_CODES = {0: "", 1: "IN-USE", 2: "LOGIN-DELAY", 3: "SYS/TEMP", 4: "SYS/PERM", 5: "AUTH",
              6: "UTF8", 7: "OTHER"}

_LIST_FN = CFUNCTYPE(c_int, c_uint32, c_uint64, c_void_p)
_UIDL_FN = CFUNCTYPE(c_int, c_uint32, POINTER(c_char), c_size_t, c_void_p)
_BODY_FN = CFUNCTYPE(c_int, POINTER(c_uint8), c_size_t, c_void_p)


class _Settings(Structure):
    _fields_ = [("version", c_uint32), ("flags", c_uint32), ("tls_policy", c_uint32),
                ("allocator", c_void_p), ("logger", c_void_p), ("on_event", c_void_p),
                ("event_userdata", c_void_p), ("max_line", c_size_t),
                ("max_body_line", c_size_t), ("max_message", c_uint64),
                ("max_chunk", c_size_t), ("max_capa", c_size_t), ("max_output", c_size_t),
                ("max_queue", c_size_t), ("max_commands", c_uint32),
                ("max_command", c_uint32), ("timeout_greeting_ms", c_uint32),
                ("timeout_command_ms", c_uint32), ("timeout_send_ms", c_uint32)]


class _Options(Structure):
    _fields_ = [("version", c_uint32), ("tls_mode", c_uint32),
                ("connect_timeout_ms", c_uint32), ("tls", c_void_p),
                ("settings", POINTER(_Settings)), ("random", c_void_p),
                ("random_userdata", c_void_p)]


_PaddedSettings, _PaddedOptions = padded(_Settings), padded(_Options)

_PROTOTYPES = {
    "correu_pop3_settings_init": (None, [POINTER(_Settings)]),
    "correu_pop3_session_options_init": (None, [POINTER(_Options)]),
    "correu_pop3_session_open": (c_int, [c_char_p, c_uint16, POINTER(_Options),
                                         POINTER(c_void_p)]),
    "correu_pop3_session_free": (None, [c_void_p]),
    "correu_pop3_session_login": (c_int, [c_void_p, c_char_p, c_char_p]),
    "correu_pop3_session_stat": (c_int, [c_void_p, POINTER(c_uint32), POINTER(c_uint64)]),
    "correu_pop3_session_list": (c_int, [c_void_p, _LIST_FN, c_void_p]),
    "correu_pop3_session_uidl": (c_int, [c_void_p, _UIDL_FN, c_void_p]),
    "correu_pop3_session_retrieve": (c_int, [c_void_p, c_uint32, _BODY_FN, c_void_p]),
    "correu_pop3_session_top": (c_int, [c_void_p, c_uint32, c_uint32, _BODY_FN, c_void_p]),
    "correu_pop3_session_delete": (c_int, [c_void_p, c_uint32]),
    "correu_pop3_session_reset": (c_int, [c_void_p]),
    "correu_pop3_session_quit": (c_int, [c_void_p]),
    "correu_pop3_session_last_reply": (c_int, [c_void_p, POINTER(c_char_p),
                                               POINTER(c_uint32)]),
    "correu_pop3_session_client": (c_void_p, [c_void_p]),
    "correu_pop3_client_is_tls": (c_int, [c_void_p]),
}
#: The library with _PROTOTYPES declared: _c().correu_pop3_session_open(...).
_c = Prototypes(_PROTOTYPES, "download mail")


class POP3Error(CorreuError):
    """A session step failed. Besides ``code``, ``name`` and ``message``:
    ``step`` (e.g. "login", "retrieve 3"), ``reply_text``, the text of the
    server's -ERR ("" when the failure was not a refusal), and
    ``resp_code``, its RFC 2449 response code such as "IN-USE" or "AUTH"
    ("" when none)."""

    def __init__(self, code, step, reply_text="", resp_code=""):
        self.step = step
        self.reply_text = reply_text
        self.resp_code = resp_code
        text = f"{step}: {strerror(code)}"
        if reply_text or resp_code:
            bracket = f"[{resp_code}] " if resp_code else ""
            text += f" (server: -ERR {bracket}{reply_text})"
        super().__init__(code, text)


# The codes a server's -ERR leads to; after any other failure the last
# response is an older one, unrelated to it.
_REFUSALS = (Error.REPLY, Error.AUTH, Error.TLS_REQUIRED)


_TLS_MODES = {
    "starttls": (_SESSION_STLS, _TLS_REQUIRED, 110),
    "implicit": (_SESSION_IMPLICIT, _TLS_REQUIRED, 995),
    "opportunistic": (_SESSION_STLS, _TLS_OPPORTUNISTIC, 110),
    "none": (_SESSION_STLS, _TLS_NONE, 110),
}


class POP3(Session):
    """A connected POP3 session.

    host, port: the server (port defaults to 110, 995 with tls="implicit").
    tls: "starttls" (STLS required before anything else, RFC 2595),
    "implicit" (TLS from the first byte, RFC 8314), "opportunistic" (STLS
    when offered: open to an attacker who strips the offer), or "none".
    ca_file: trust these CA certificates instead of the system's.
    timeout: seconds for connecting, for each response, and between the
    bytes of a long one.
    Messages whose lines end in a lone LF are handed over with CRLF.

    Message numbers start at 1 (RFC 1939 §5). Raises POP3Error when the
    connection, the TLS handshake or the greeting fails. Use as a context
    manager, or end with quit() (or close(), which deletes nothing).
    """

    PREFIX, C, ERROR, GOODBYE = "correu_pop3", _c, POP3Error, "quit"
    SETTINGS, OPTIONS = _PaddedSettings, _PaddedOptions

    def __init__(self, host, port=None, *, tls="starttls", ca_file=None, timeout=60.0):
        mode, policy, port = self._endpoint(tls, port, _TLS_MODES)
        self._open(to_bytes(host, "host"), port, mode=mode, policy=policy, ca_file=ca_file,
                   timeout_ms=milliseconds(timeout),
                   tune=lambda s: setattr(s, "flags", _FLAG_BODY_NORMALISE))

    def _check(self, rc, step, callback=None):
        if callback is not None:
            callback.raise_kept()
        if rc >= 0:
            return
        text, code = c_char_p(), c_uint32()
        ok = _c().correu_pop3_session_last_reply(self._s, byref(text), byref(code))
        if ok == 0 and rc in _REFUSALS:
            raise POP3Error(rc, step, (text.value or b"").decode("utf-8", "replace"),
                            RESP_CODES.get(code.value, "OTHER"))
        raise POP3Error(rc, step)

    @property
    def is_tls(self):
        """Whether the connection is protected by TLS (implicit or STLS)."""
        c = _c()
        return bool(c.correu_pop3_client_is_tls(c.correu_pop3_session_client(self._handle())))

    def login(self, user, password):
        """Log in with the strongest method the server offers: SASL (SCRAM
        first), then APOP, then USER/PASS (only over TLS)."""
        rc = _c().correu_pop3_session_login(self._handle(), to_bytes(user, "user"),
                                            to_bytes(password, "password"))
        self._check(rc, "login")

    def stat(self):
        """(number of messages, their total size in octets)."""
        count, size = c_uint32(), c_uint64()
        rc = _c().correu_pop3_session_stat(self._handle(), byref(count), byref(size))
        self._check(rc, "stat")
        return count.value, size.value

    def list(self):
        """{message number: size in octets} of every message not deleted."""
        sizes = {}
        cb = Callback(lambda msg, size, _ud: sizes.__setitem__(msg, size))
        rc = _c().correu_pop3_session_list(self._handle(), _LIST_FN(cb), None)
        self._check(rc, "list", cb)
        return sizes

    def uidl(self):
        """{message number: unique id} of every message not deleted; the
        ids stay the same across sessions (RFC 1939 §7)."""
        uids = {}

        def item(msg, uid, uid_len, _ud):
            uids[msg] = ctypes.string_at(uid, uid_len).decode("ascii", "replace")
        cb = Callback(item)
        rc = _c().correu_pop3_session_uidl(self._handle(), _UIDL_FN(cb), None)
        self._check(rc, "uidl", cb)
        return uids

    def _body(self, step, sink, run):
        """Run a RETR or TOP whose chunks go to sink(bytes)."""
        cb = Callback(lambda data, n, _ud: sink(ctypes.string_at(data, n)))
        rc = run(_BODY_FN(cb))
        self._check(rc, step, cb)

    def retrieve(self, n):
        """Message n as bytes, dot-unstuffed, CRLF line ends."""
        n = number(n, "message number", 1)
        chunks = []
        self._body(f"retrieve {n}", chunks.append,
                   lambda fn: _c().correu_pop3_session_retrieve(self._handle(), n, fn, None))
        return b"".join(chunks)

    def retrieve_to(self, n, fileobj):
        """Write message n to a binary file object chunk by chunk as it
        arrives (never whole in memory); returns the number of bytes
        written. After an exception the file holds part of the message."""
        n = number(n, "message number", 1)
        sink = FileSink(fileobj)
        self._body(f"retrieve {n}", sink,
                   lambda fn: _c().correu_pop3_session_retrieve(self._handle(), n, fn, None))
        return sink.written

    def top(self, n, lines):
        """The header of message n and the first `lines` lines of its body,
        as bytes (TOP, RFC 1939 §7)."""
        n = number(n, "message number", 1)
        lines = number(lines, "lines", 0)
        chunks = []
        self._body(f"top {n}", chunks.append,
                   lambda fn: _c().correu_pop3_session_top(self._handle(), n, lines, fn, None))
        return b"".join(chunks)

    def messages(self):
        """Iterate over (unique id, message bytes), one RETR at a time, in
        the order of the message numbers (uidl() maps them)."""
        for n, uid in sorted(self.uidl().items()):
            yield uid, self.retrieve(n)

    def delete(self, n):
        """Mark message n deleted; the server removes it at quit()."""
        n = number(n, "message number", 1)
        self._check(_c().correu_pop3_session_delete(self._handle(), n), f"delete {n}")

    def reset(self):
        """Unmark every message marked deleted (RSET)."""
        self._check(_c().correu_pop3_session_reset(self._handle()), "reset")

    def quit(self):
        """QUIT: the server removes the messages marked deleted now, and the
        session is closed. Raises POP3Error when the server could not
        remove them (RFC 1939 §6: then it removes none)."""
        try:
            self._check(_c().correu_pop3_session_quit(self._handle()), "quit")
        finally:
            self.close()

    def close(self):
        """Close the connection without QUIT (nothing is deleted) and free
        the session; safe to call twice."""
        super().close()
