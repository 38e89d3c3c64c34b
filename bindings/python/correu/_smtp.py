"""Sending mail: the blocking SMTP/LMTP session of libcorreu (Python
binding, SMTP layer).

    with correu.SMTP("mail.example.org", 587, ca_file="ca.pem") as s:
        s.login("alice", "secret")
        s.send("alice@example.org", ["bob@example.net"], message)

SMTP wraps correu_smtp_session_*: it connects, negotiates TLS as asked
(STARTTLS is required by default; there is no silent fallback to
plaintext), and sends each message streamed in bounded chunks; send_many()
sends a batch over the connection, pipelined across messages (RFC 2920
§3.1), and reports each message's fate as a SendResult. Every failure
raises SMTPError, a CorreuError that also carries the server's last reply.

The C structs are declared here in ctypes, the settings and options each
allocated with spare room behind it (correu._bridge.padded); opening and
closing are correu._session's.
"""

import ctypes
from ctypes import (POINTER, Structure, byref, c_char_p, c_int, c_int32, c_size_t, c_ssize_t,
                    c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

from ._bridge import Callback, milliseconds, padded, to_bytes
from ._errors import CorreuError, Error, strerror
from ._session import Prototypes, Session

# include/correu/smtp.h
_TLS_REQUIRED, _TLS_OPPORTUNISTIC, _TLS_NONE = 0, 1, 2
_SESSION_STARTTLS, _SESSION_IMPLICIT = 0, 1
_FLAG_LMTP, _FLAG_BODY_NORMALISE = 0x1, 0x8
_ENVELOPE_VERSION = 1
_SETTINGS_VERSION = 1
_OPTIONS_VERSION = 1
_BATCH_ITEM_VERSION = 1

_READER = ctypes.CFUNCTYPE(c_ssize_t, POINTER(c_uint8), c_size_t, c_void_p)


class _Settings(Structure):
    _fields_ = [("version", c_uint32), ("flags", c_uint32), ("tls_policy", c_uint32),
                ("allocator", c_void_p), ("logger", c_void_p), ("on_event", c_void_p),
                ("event_userdata", c_void_p), ("ehlo_name", c_char_p),
                ("max_line", c_size_t), ("max_reply", c_size_t), ("max_output", c_size_t),
                ("max_queue", c_size_t), ("max_commands", c_uint32),
                ("timeout_greeting_ms", c_uint32), ("timeout_command_ms", c_uint32),
                ("timeout_data_end_ms", c_uint32), ("timeout_send_ms", c_uint32)]


class _Options(Structure):
    _fields_ = [("version", c_uint32), ("tls_mode", c_uint32),
                ("connect_timeout_ms", c_uint32), ("tls", c_void_p),
                ("settings", POINTER(_Settings)), ("progress", c_void_p),
                ("progress_userdata", c_void_p)]


class _Envelope(Structure):
    _fields_ = [("version", c_uint32), ("from_", c_char_p), ("to", POINTER(c_char_p)),
                ("to_count", c_size_t), ("mail", c_void_p), ("rcpt", c_void_p)]


class _BatchItem(Structure):
    _fields_ = [("version", c_uint32), ("result", c_int32), ("env", POINTER(_Envelope)),
                ("msg", c_char_p), ("msg_len", c_size_t), ("reader", _READER),
                ("reader_userdata", c_void_p), ("size_hint", c_uint64), ("code", c_uint32),
                ("rcpt_codes", POINTER(c_uint32))]


_PaddedSettings, _PaddedOptions = padded(_Settings), padded(_Options)

_PROTOTYPES = {
    "correu_smtp_settings_init": (None, [POINTER(_Settings)]),
    "correu_smtp_session_options_init": (None, [POINTER(_Options)]),
    "correu_smtp_session_open": (c_int, [c_char_p, c_uint16, POINTER(_Options),
                                         POINTER(c_void_p)]),
    "correu_smtp_session_free": (None, [c_void_p]),
    "correu_smtp_session_login": (c_int, [c_void_p, c_char_p, c_char_p]),
    "correu_smtp_session_send": (c_int, [c_void_p, POINTER(_Envelope), _READER, c_void_p,
                                         c_uint64]),
    "correu_smtp_session_send_buf": (c_int, [c_void_p, POINTER(_Envelope), c_char_p,
                                             c_size_t]),
    "correu_smtp_session_send_fd": (c_int, [c_void_p, POINTER(_Envelope), c_int]),
    "correu_smtp_session_rcpt_code": (c_uint32, [c_void_p, c_size_t]),
    "correu_smtp_session_send_many": (c_int, [c_void_p, POINTER(_BatchItem), c_size_t]),
    "correu_smtp_session_quit": (c_int, [c_void_p]),
    "correu_smtp_session_last_reply": (c_uint32, [c_void_p, POINTER(c_char_p)]),
}
#: The library with _PROTOTYPES declared: _c().correu_smtp_session_open(...).
_c = Prototypes(_PROTOTYPES, "send mail")


class SMTPError(CorreuError):
    """A session step failed. Besides ``code``, ``name`` and ``message``:
    ``reply_code`` and ``reply_text``, the server's last reply (0 and ""
    when it gave none), ``recipients``, {address: reply code} for the
    message being sent (empty for other steps), and ``results``, what
    became of each message of a send_many() the failure ended (a list of
    SendResult; empty for other steps)."""

    def __init__(self, code, step, reply_code=0, reply_text="", recipients=None,
                 results=None):
        self.step = step
        self.reply_code = reply_code
        self.reply_text = reply_text
        self.recipients = recipients or {}
        self.results = results or []
        text = f"{step}: {strerror(code)}"
        if reply_code:
            text += f" (server: {reply_code} {reply_text})"
        super().__init__(code, text)


class SendResult:
    """What became of one message of SMTP.send_many().

    ``accepted``: whether the server took the message (for at least one
    recipient; in LMTP, delivered it to at least one). ``delivered``: for
    how many recipients (0 when refused). ``error``: Error.OK when
    accepted, else why not: Error.REPLY when the server refused it (its
    MAIL, every RCPT, its DATA or the message itself), Error.ARG or
    Error.UNSUPPORTED when it was refused before being sent (an address
    the server cannot take), or the error that ended the batch before the
    message was finished. ``reply_code``: the reply that decided (to the
    end of the data, or the refusal of MAIL or DATA; 0 when none came).
    ``recipients``: {address: RCPT reply code} of every recipient (in
    LMTP, the delivery reply of an accepted one; 0 when none came);
    ``refused``: those of them that were not 2xx, as send() returns them.
    """

    def __init__(self, item, addresses, codes):
        self.delivered = max(item.result, 0)
        self.accepted = self.delivered > 0
        self.error = Error.OK if self.accepted else _error(item.result)
        self.reply_code = item.code
        self.recipients = dict(zip(addresses, codes))
        self.refused = _refused(self.recipients)

    def __repr__(self):
        state = "accepted" if self.accepted else self.error.name
        return f"SendResult({state}, reply_code={self.reply_code}, refused={self.refused})"


def _error(code):
    try:
        return Error(code)
    except ValueError:
        return code


def _refused(codes):
    return {a: code for a, code in codes.items() if not 200 <= code < 300}


_TLS_MODES = {
    "starttls": (_SESSION_STARTTLS, _TLS_REQUIRED, 587),
    "implicit": (_SESSION_IMPLICIT, _TLS_REQUIRED, 465),
    "opportunistic": (_SESSION_STARTTLS, _TLS_OPPORTUNISTIC, 25),
    "none": (_SESSION_STARTTLS, _TLS_NONE, 25),
}


class SMTP(Session):
    """A connected SMTP (or LMTP) session.

    host, port: the server (port defaults to 587, 465 with
    tls="implicit", 25 with "opportunistic" or "none", 24 for LMTP).
    tls: "starttls" (TLS required before anything else), "implicit" (TLS
    from the first byte, RFC 8314), "opportunistic" (STARTTLS when offered:
    open to an attacker who strips the offer), or "none".
    ca_file / ca_dir: trust these CA certificates instead of the system's.
    timeout: seconds for connecting and for each reply.
    lmtp: speak LMTP (RFC 2033). ehlo_name: the name given in EHLO.
    Lone LF line ends in messages are sent as CRLF.

    Raises SMTPError when the connection, the TLS handshake or the
    greeting fails. Use as a context manager, or call quit() and close().
    """

    PREFIX, C, ERROR, GOODBYE = "correu_smtp", _c, SMTPError, "quit"
    SETTINGS, OPTIONS = _PaddedSettings, _PaddedOptions

    def __init__(self, host, port=None, *, tls="starttls", ca_file=None, ca_dir=None,
                 timeout=60.0, lmtp=False, ehlo_name=None):
        self.rcpt_codes = {}
        mode, policy, port = self._endpoint(tls, 24 if port is None and lmtp else port,
                                            _TLS_MODES)
        # Kept here: the settings point to it.
        self._ehlo = to_bytes(ehlo_name, "ehlo_name") if ehlo_name is not None else None
        flags = _FLAG_BODY_NORMALISE | (_FLAG_LMTP if lmtp else 0)

        def tune(s):
            s.flags, s.ehlo_name = flags, self._ehlo
        self._open(to_bytes(host, "host"), port, mode=mode, policy=policy, ca_file=ca_file,
                   ca_dir=ca_dir, timeout_ms=milliseconds(timeout), tune=tune)

    def last_reply(self):
        """(code, text) of the server's last reply; (0, "") when none."""
        text = c_char_p()
        code = _c().correu_smtp_session_last_reply(self._handle(), byref(text))
        return code, (text.value or b"").decode("utf-8", "replace")

    def _fail(self, rc, step, recipients=None, results=None):
        code, text = self.last_reply()
        return SMTPError(rc, step, code, text, recipients, results)

    def login(self, user, password):
        """Log in with the strongest mechanism the server offers (SCRAM,
        CRAM-MD5, then PLAIN or LOGIN, the latter two only over TLS)."""
        rc = _c().correu_smtp_session_login(self._handle(), to_bytes(user, "user"),
                                            to_bytes(password, "password"))
        if rc < 0:
            raise self._fail(rc, "login")

    def send(self, from_addr, to_addrs, message):
        """Send one message. from_addr: the envelope sender ("" for the null
        path); to_addrs: a recipient or a list of them; message: bytes, str
        (sent as UTF-8), an email.message.Message, or a binary file object
        (read to its end in chunks, never whole).

        Returns {address: reply code} of the refused recipients, empty when
        all were accepted (``rcpt_codes`` holds every recipient's code).
        Raises SMTPError when the message was not accepted for anyone."""
        out = _Outgoing(from_addr, to_addrs, message)
        c, h = _c(), self._handle()
        if out.data is not None:
            rc = c.correu_smtp_session_send_buf(h, byref(out.env), out.data, len(out.data))
        elif _has_fileno(out.source):
            rc = c.correu_smtp_session_send_fd(h, byref(out.env), out.source.fileno())
        else:
            rc = c.correu_smtp_session_send(h, byref(out.env), out.c_reader, None, 0)
        self.rcpt_codes = dict(zip(out.addresses,
                                   (c.correu_smtp_session_rcpt_code(h, i)
                                    for i in range(len(out.addresses)))))
        refused = _refused(self.rcpt_codes)
        out.reader.raise_kept()
        if rc < 0:
            raise self._fail(rc, "send", refused)
        return refused

    def send_many(self, messages):
        """Send several messages over this connection, keeping the pipe
        full: when the server offers PIPELINING, one message's end and the
        next one's MAIL, RCPT and DATA leave together (RFC 2920 §3.1), so a
        message costs one round trip instead of two.

        messages: (from_addr, to_addrs, message) triples, each as send()
        takes them (a namedtuple will do); all are checked before anything
        is sent. Returns a SendResult per message, in order: a message the
        server refuses does not stop the others and raises nothing.

        Raises SMTPError only when the batch cannot go on (the connection
        failed or timed out, or the session was already broken); its
        ``results`` then say what became of each message, those not
        finished holding the error. An exception raised by a message's file
        comes back as itself; the session is then over."""
        outgoing = [_Outgoing(*_triple(m)) for m in messages]
        items = (_BatchItem * len(outgoing))()
        codes = [(c_uint32 * len(out.addresses))() for out in outgoing]
        for item, out, rcpt_codes in zip(items, outgoing, codes):
            item.version, item.env, item.rcpt_codes = (_BATCH_ITEM_VERSION,
                                                       ctypes.pointer(out.env), rcpt_codes)
            if out.data is not None:
                item.msg, item.msg_len = out.data, len(out.data)
            else:
                item.reader = out.c_reader
        rc = _c().correu_smtp_session_send_many(self._handle(), items, len(items))
        if rc < 0:
            # A session broken before the call returns at once, leaving
            # every result 0 ("not done"): the batch's error is theirs.
            for item in items:
                item.result = item.result or rc
        results = [SendResult(item, out.addresses, list(rcpt_codes))
                   for item, out, rcpt_codes in zip(items, outgoing, codes)]
        for out in outgoing:
            out.reader.raise_kept()
        if rc < 0:
            raise self._fail(rc, "send_many", results=results)
        return results

    def quit(self):
        """Say QUIT and wait for the reply. Errors are not raised: every
        message's fate is known by now, and the session ends either way
        (after a failure in the middle of a message it can only be closed).
        Returns the error code met (0 when QUIT went through)."""
        if self._s is None:
            return 0
        return _c().correu_smtp_session_quit(self._s)


class _Outgoing:
    """One message made ready for C: its envelope (with the recipient array
    it points to, kept alive here), and either its bytes (``data``) or the
    binary file to read them from (``source``, through ``c_reader``)."""

    def __init__(self, from_addr, to_addrs, message):
        if isinstance(to_addrs, (str, bytes)):
            to_addrs = [to_addrs]
        rcpts = [to_bytes(a, "recipient") for a in to_addrs]
        if not rcpts:
            raise ValueError("no recipients")
        self.addresses = [a.decode("utf-8", "replace") for a in rcpts]
        self._to = (c_char_p * len(rcpts))(*rcpts)
        self.env = _Envelope(version=_ENVELOPE_VERSION, from_=to_bytes(from_addr, "from_addr"),
                             to=ctypes.cast(self._to, POINTER(c_char_p)), to_count=len(rcpts))
        if hasattr(message, "as_bytes"):
            message = message.as_bytes()
        if isinstance(message, str):
            message = message.encode("utf-8")
        self.data = self.source = None
        if isinstance(message, (bytes, bytearray, memoryview)):
            self.data = bytes(message)
        elif hasattr(message, "read"):
            self.source = message
        else:
            raise TypeError("message must be bytes, str, an email message or a binary file")
        self.reader = Callback(lambda buf, cap, _ud: _read_into(self.source, buf, cap))
        self.c_reader = _READER(self.reader)


def _triple(m):
    """m as (from_addr, to_addrs, message), or a TypeError that says so."""
    try:
        from_addr, to_addrs, message = m
    except (TypeError, ValueError):
        raise TypeError("each message must be (from_addr, to_addrs, message), "
                        f"not {m!r:.60}") from None
    return from_addr, to_addrs, message


def _has_fileno(obj):
    try:
        obj.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    # A text file would hand over its bytes undecoded: refuse it.
    return "b" in getattr(obj, "mode", "b")


def _read_into(source, buf, cap):
    """The C reader: copy the next chunk of source into buf and return its
    size (0 at the end). An exception is kept by the Callback around it
    and raised once the C call has returned."""
    chunk = source.read(cap)
    if isinstance(chunk, str):
        raise TypeError("message file must be opened in binary mode")
    n = len(chunk)
    if n > cap:
        raise ValueError("read() returned more than asked for")
    ctypes.memmove(buf, chunk, n)
    return n
