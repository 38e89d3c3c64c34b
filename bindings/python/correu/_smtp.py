"""Sending mail: the blocking SMTP/LMTP session of libcorreu (Python
binding, SMTP layer).

    with correu.SMTP("mail.example.org", 587, ca_file="ca.pem") as s:
        s.login("alice", "secret")
        s.send("alice@example.org", ["bob@example.net"], message)

SMTP wraps correu_smtp_session_*: it connects, negotiates TLS as asked
(STARTTLS is required by default; there is no silent fallback to
plaintext), and sends each message streamed in bounded chunks. Every
failure raises SMTPError, a CorreuError that also carries the server's
last reply.

The C structs are declared here in ctypes. Public structs only grow at
their end (STYLE.md), so each is allocated with spare room behind it: a
newer library that fills more fields cannot write past the buffer.
"""

import ctypes
import os
from ctypes import (POINTER, Structure, byref, c_char_p, c_int, c_size_t, c_ssize_t,
                    c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

from ._errors import CorreuError, Error, strerror
from ._lib import lib

# include/correu/smtp.h
_TLS_REQUIRED, _TLS_OPPORTUNISTIC, _TLS_NONE = 0, 1, 2
_SESSION_STARTTLS, _SESSION_IMPLICIT = 0, 1
_FLAG_LMTP, _FLAG_BODY_NORMALISE = 0x1, 0x8
_TLS_CLIENT = 0
_ENVELOPE_VERSION = 1
_SETTINGS_VERSION = 1
_OPTIONS_VERSION = 1
_SPARE = 256  # bytes behind each struct for fields a newer library adds

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


def _padded(struct):
    """struct with _SPARE zero bytes behind it, as one ctypes object."""
    return type("_Padded" + struct.__name__, (Structure,),
                {"_fields_": [("s", struct), ("spare", c_uint8 * _SPARE)]})


_PaddedSettings, _PaddedOptions = _padded(_Settings), _padded(_Options)

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
    "correu_smtp_session_quit": (c_int, [c_void_p]),
    "correu_smtp_session_last_reply": (c_uint32, [c_void_p, POINTER(c_char_p)]),
    "correu_tls_config_new": (c_int, [c_uint32, c_void_p, POINTER(c_void_p)]),
    "correu_tls_config_set_ca_file": (c_int, [c_void_p, c_char_p]),
    "correu_tls_config_set_ca_dir": (c_int, [c_void_p, c_char_p]),
    "correu_tls_config_free": (None, [c_void_p]),
}
_declared = False


def _c():
    """The library with the SMTP prototypes declared (once). A libcorreu
    built without SMTP or TLS lacks some: that is reported as UNSUPPORTED
    when a session is made, not when the package is imported."""
    global _declared
    if not _declared:
        try:
            for name, (restype, argtypes) in _PROTOTYPES.items():
                f = getattr(lib, name)
                f.restype, f.argtypes = restype, argtypes
        except AttributeError as e:
            raise CorreuError(Error.UNSUPPORTED,
                              f"this libcorreu cannot send mail: {e}") from None
        _declared = True
    return lib


class SMTPError(CorreuError):
    """A session step failed. Besides ``code``, ``name`` and ``message``:
    ``reply_code`` and ``reply_text``, the server's last reply (0 and ""
    when it gave none), and ``recipients``, {address: reply code} for the
    message being sent (empty for other steps)."""

    def __init__(self, code, step, reply_code=0, reply_text="", recipients=None):
        self.step = step
        self.reply_code = reply_code
        self.reply_text = reply_text
        self.recipients = recipients or {}
        text = f"{step}: {strerror(code)}"
        if reply_code:
            text += f" (server: {reply_code} {reply_text})"
        super().__init__(code, text)


def _bytes(value, what):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


_TLS_MODES = {
    "starttls": (_SESSION_STARTTLS, _TLS_REQUIRED, 587),
    "implicit": (_SESSION_IMPLICIT, _TLS_REQUIRED, 465),
    "opportunistic": (_SESSION_STARTTLS, _TLS_OPPORTUNISTIC, 25),
    "none": (_SESSION_STARTTLS, _TLS_NONE, 25),
}


class SMTP:
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

    def __init__(self, host, port=None, *, tls="starttls", ca_file=None, ca_dir=None,
                 timeout=60.0, lmtp=False, ehlo_name=None):
        self._s = None
        self._tls = None
        c = _c()
        if tls not in _TLS_MODES:
            raise ValueError(f"tls must be one of {', '.join(_TLS_MODES)}, not {tls!r}")
        mode, policy, default_port = _TLS_MODES[tls]
        if port is None:
            port = 24 if lmtp else default_port
        self.rcpt_codes = {}
        self._ehlo = _bytes(ehlo_name, "ehlo_name") if ehlo_name is not None else None
        try:
            if ca_file is not None or ca_dir is not None:
                self._tls = self._tls_config(c, ca_file, ca_dir)
            ms = max(1, min(int(timeout * 1000), 0x7FFFFFFF))
            settings = _PaddedSettings()
            c.correu_smtp_settings_init(byref(settings.s))
            s = settings.s
            s.tls_policy = policy
            s.flags = _FLAG_BODY_NORMALISE | (_FLAG_LMTP if lmtp else 0)
            s.ehlo_name = self._ehlo
            s.timeout_greeting_ms = s.timeout_command_ms = ms
            s.timeout_data_end_ms = s.timeout_send_ms = ms
            options = _PaddedOptions()
            c.correu_smtp_session_options_init(byref(options.s))
            options.s.tls_mode = mode
            options.s.connect_timeout_ms = ms
            options.s.tls = self._tls
            options.s.settings = ctypes.pointer(s)
            handle = c_void_p()
            rc = c.correu_smtp_session_open(_bytes(host, "host"), port, byref(options.s),
                                            byref(handle))
            if rc < 0:
                raise SMTPError(rc, "connect")
            self._s = handle
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _tls_config(c, ca_file, ca_dir):
        cfg = c_void_p()
        rc = c.correu_tls_config_new(_TLS_CLIENT, None, byref(cfg))
        if rc < 0:
            raise SMTPError(rc, "TLS configuration")
        if ca_file is not None:
            rc = c.correu_tls_config_set_ca_file(cfg, os.fsencode(ca_file))
        if rc >= 0 and ca_dir is not None:
            rc = c.correu_tls_config_set_ca_dir(cfg, os.fsencode(ca_dir))
        if rc < 0:
            c.correu_tls_config_free(cfg)
            raise SMTPError(rc, "CA certificates")
        return cfg

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and self._s is not None:
                self.quit()
        finally:
            self.close()

    def _handle(self):
        if self._s is None:
            raise SMTPError(Error.STATE, "session")
        return self._s

    def last_reply(self):
        """(code, text) of the server's last reply; (0, "") when none."""
        text = c_char_p()
        code = _c().correu_smtp_session_last_reply(self._handle(), byref(text))
        return code, (text.value or b"").decode("utf-8", "replace")

    def _fail(self, rc, step, recipients=None):
        code, text = self.last_reply()
        return SMTPError(rc, step, code, text, recipients)

    def login(self, user, password):
        """Log in with the strongest mechanism the server offers (SCRAM,
        CRAM-MD5, then PLAIN or LOGIN, the latter two only over TLS)."""
        rc = _c().correu_smtp_session_login(self._handle(), _bytes(user, "user"),
                                            _bytes(password, "password"))
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
        c = _c()
        if isinstance(to_addrs, (str, bytes)):
            to_addrs = [to_addrs]
        rcpts = [_bytes(a, "recipient") for a in to_addrs]
        if not rcpts:
            raise ValueError("no recipients")
        to = (c_char_p * len(rcpts))(*rcpts)
        env = _Envelope(version=_ENVELOPE_VERSION, from_=_bytes(from_addr, "from_addr"),
                        to=ctypes.cast(to, POINTER(c_char_p)), to_count=len(rcpts))
        if hasattr(message, "as_bytes"):
            message = message.as_bytes()
        if isinstance(message, str):
            message = message.encode("utf-8")
        failure = []
        if isinstance(message, (bytes, bytearray, memoryview)):
            data = bytes(message)
            rc = c.correu_smtp_session_send_buf(self._handle(), byref(env), data, len(data))
        elif _has_fileno(message):
            rc = c.correu_smtp_session_send_fd(self._handle(), byref(env), message.fileno())
        elif hasattr(message, "read"):
            reader = _READER(lambda buf, cap, _ud: _read_into(message, buf, cap, failure))
            rc = c.correu_smtp_session_send(self._handle(), byref(env), reader, None, 0)
        else:
            raise TypeError("message must be bytes, str, an email message or a binary file")
        self.rcpt_codes = {a.decode("utf-8", "replace"):
                           c.correu_smtp_session_rcpt_code(self._handle(), i)
                           for i, a in enumerate(rcpts)}
        refused = {a: code for a, code in self.rcpt_codes.items() if not 200 <= code < 300}
        if failure:
            raise failure[0]
        if rc < 0:
            raise self._fail(rc, "send", refused)
        return refused

    def quit(self):
        """Say QUIT and wait for the reply. Errors are not raised: every
        message's fate is known by now, and the session ends either way
        (after a failure in the middle of a message it can only be closed).
        Returns the error code met (0 when QUIT went through)."""
        if self._s is None:
            return 0
        return _c().correu_smtp_session_quit(self._s)

    def close(self):
        """Close the connection without QUIT and free the session; safe to
        call twice."""
        if getattr(self, "_s", None) is None and getattr(self, "_tls", None) is None:
            return
        c = _c()
        if self._s is not None:
            c.correu_smtp_session_free(self._s)
            self._s = None
        if self._tls is not None:
            # After the session, whose transport borrows it.
            c.correu_tls_config_free(self._tls)
            self._tls = None

    def __del__(self):
        self.close()


def _has_fileno(obj):
    try:
        obj.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    # A text file would hand over its bytes undecoded: refuse it.
    return "b" in getattr(obj, "mode", "b")


def _read_into(source, buf, cap, failure):
    """The C reader callback: copy the next chunk of source into buf. A
    Python exception cannot cross C; it is kept and raised after the call."""
    try:
        chunk = source.read(cap)
        if isinstance(chunk, str):
            raise TypeError("message file must be opened in binary mode")
        n = len(chunk)
        if n > cap:
            raise ValueError("read() returned more than asked for")
        ctypes.memmove(buf, chunk, n)
        return n
    except BaseException as e:  # noqa: BLE001 -- re-raised by send()
        failure.append(e)
        return int(Error.IO)
