"""The IMAP session's C declarations and the values it hands out (Python
binding, IMAP layer): the ctypes mirror of include/correu/imap.h's
structs, callbacks, prototypes and constants (test_imap_layout.py checks
them against the header), and the classes that turn the parser's event
stream (BEGIN, ITEM..., LITERAL_DATA..., END) into Python values: Mailbox
from LIST, Message from FETCH, IdleEvent from the news of an IDLE. Also the
helpers that write UID sets and flag lists (RFC 9051 §9).

Each collector is called by C once per event, with the event borrowed for
the call: whatever is kept is copied out at once, by slicing a char
pointer (several times quicker than ctypes.string_at, and a FETCH of many
messages makes many copies). Byte pointers are therefore declared as
POINTER(c_char), the same size as the header's uint8_t pointers.
"""

import email.parser
import email.policy
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_uint16, c_uint32, c_uint64, c_void_p)

from ._bridge import number, padded, to_bytes
from ._session import Prototypes

# include/correu/imap.h
TLS_REQUIRED, TLS_OPPORTUNISTIC, TLS_NONE = 0, 1, 2
SESSION_STARTTLS, SESSION_IMPLICIT = 0, 1
ALLOW_PLAINTEXT_AUTH = 0x1
SELECT_READ_ONLY = 0x1
EV_BEGIN, EV_ITEM, EV_END, EV_LITERAL_DATA, EV_ERROR = 1, 2, 3, 5, 7
#: The CORREU_IMAP_ITEM_* values read here.
ITEM = {"FLAG": 2, "SEQSET": 6, "MBOX_ATTR": 14, "DELIMITER": 15, "MAILBOX": 16, "UID": 38,
        "FLAGS": 39, "RFC822_SIZE": 41, "BODY_SECTION": 73}

#: The news idle() reports; other untagged data meanwhile is left out.
IDLE_NEWS = ("EXISTS", "EXPUNGE", "FETCH", "VANISHED")


class Event(Structure):
    _fields_ = [("version", c_uint32), ("type", c_uint32), ("resp", c_uint32),
                ("item", c_uint32), ("code", c_uint32), ("depth", c_uint32),
                ("flags", c_uint32), ("error", c_int32), ("zone", c_int32),
                ("reserved", c_uint32), ("num", c_uint64), ("num2", c_uint64),
                ("num3", c_uint64), ("time", c_int64), ("offset", c_uint64),
                ("tag", POINTER(c_char)), ("tag_len", c_size_t),
                ("str", POINTER(c_char) * 4), ("str_len", c_size_t * 4),
                ("data", POINTER(c_char)), ("data_len", c_size_t)]


class Settings(Structure):
    _fields_ = [("version", c_uint32), ("flags", c_uint32), ("tls_policy", c_uint32),
                ("allocator", c_void_p), ("logger", c_void_p), ("on_event", c_void_p),
                ("event_userdata", c_void_p), ("parser", c_void_p),
                ("max_output", c_size_t), ("max_queue", c_size_t),
                ("max_commands", c_uint32), ("max_quoted", c_uint32),
                ("timeout_greeting_ms", c_uint32), ("timeout_command_ms", c_uint32),
                ("timeout_send_ms", c_uint32), ("idle_renew_ms", c_uint32)]


class Options(Structure):
    _fields_ = [("version", c_uint32), ("tls_mode", c_uint32),
                ("connect_timeout_ms", c_uint32), ("tls", c_void_p),
                ("settings", POINTER(Settings)), ("random", c_void_p),
                ("random_userdata", c_void_p)]


PaddedSettings, PaddedOptions = padded(Settings), padded(Options)

EVENT_FN = CFUNCTYPE(c_int, POINTER(Event), c_void_p)
NUMBER_FN = CFUNCTYPE(c_int, c_uint64, c_void_p)
BODY_FN = CFUNCTYPE(c_int, POINTER(c_char), c_size_t, c_void_p)

_S = c_void_p  # correu_imap_session *
PROTOTYPES = {
    "correu_imap_settings_init": (None, [POINTER(Settings)]),
    "correu_imap_session_options_init": (None, [POINTER(Options)]),
    "correu_imap_session_open": (c_int, [c_char_p, c_uint16, POINTER(Options),
                                         POINTER(c_void_p)]),
    "correu_imap_session_free": (None, [_S]),
    "correu_imap_session_login": (c_int, [_S, c_char_p, c_char_p]),
    "correu_imap_session_list": (c_int, [_S, c_char_p, c_uint32, c_uint32, EVENT_FN,
                                         c_void_p]),
    "correu_imap_session_select": (c_int, [_S, c_char_p, c_uint32, POINTER(c_uint32),
                                           POINTER(c_uint32)]),
    "correu_imap_session_search": (c_int, [_S, c_char_p, NUMBER_FN, c_void_p]),
    "correu_imap_session_fetch": (c_int, [_S, c_char_p, c_char_p, EVENT_FN, c_void_p]),
    "correu_imap_session_fetch_section": (c_int, [_S, c_uint32, c_char_p, BODY_FN,
                                                  c_void_p]),
    "correu_imap_session_store": (c_int, [_S, c_char_p, c_char_p, c_char_p]),
    "correu_imap_session_move": (c_int, [_S, c_char_p, c_char_p]),
    "correu_imap_session_expunge": (c_int, [_S]),
    "correu_imap_session_append_fd": (c_int, [_S, c_char_p, c_char_p, c_int, c_uint64,
                                              POINTER(c_uint32)]),
    "correu_imap_session_idle": (c_int, [_S, c_uint32, EVENT_FN, c_void_p]),
    "correu_imap_session_logout": (c_int, [_S]),
    "correu_imap_session_last_response": (c_int, [_S, POINTER(c_char_p), POINTER(c_uint32)]),
    "correu_imap_session_client": (c_void_p, [_S]),
    "correu_imap_client_is_tls": (c_int, [c_void_p]),
    "correu_imap_client_has_cap": (c_int, [c_void_p, c_char_p, c_size_t]),
    "correu_imap_resp_name": (c_char_p, [c_uint32]),
    "correu_imap_code_name": (c_char_p, [c_uint32]),
}
#: The library with PROTOTYPES declared: c().correu_imap_session_open(...).
c = Prototypes(PROTOTYPES, "speak IMAP")


def text(e, i):
    """String i of an event as str, or None for NIL (a NULL pointer)."""
    ptr = e.str[i]
    return ptr[:e.str_len[i]].decode("utf-8", "replace") if ptr else None


def resp_name(resp, _known={}):  # noqa: B006 -- the cache, filled as asked
    """"FETCH", "EXISTS"... for a CORREU_IMAP_RESP_* value; asked of the
    library once per value, since a FETCH of many messages asks per message."""
    name = _known.get(resp)
    if name is None:
        name = _known[resp] = c().correu_imap_resp_name(resp).decode("ascii")
    return name


def uid_set(uids):
    """A UID set in IMAP syntax (RFC 9051 §9 sequence-set) from an int, a
    str passed as is ("1:*"), or an iterable of ints, runs compressed to
    ranges: [1, 2, 3, 7] -> b"1:3,7"."""
    if isinstance(uids, (str, bytes)):
        return to_bytes(uids, "UID set")
    if isinstance(uids, int):
        uids = [uids]
    numbers = sorted({number(u, "UID", 1) for u in uids})
    if not numbers:
        raise ValueError("empty UID set")
    runs, start = [], 0
    for i, n in enumerate(numbers):
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            first = numbers[start]
            runs.append(str(n) if first == n else f"{first}:{n}")
            start = i + 1
    return ",".join(runs).encode("ascii")


def flag_list(flags):
    """b"(\\\\Seen $Label)" from one flag or an iterable of them; each must
    be one atom (RFC 9051 §9 flag)."""
    if isinstance(flags, (str, bytes)):
        flags = [flags]
    names = [to_bytes(f, "flag") for f in flags]
    if any(not f or any(ch in f for ch in b" ()") for f in names):
        raise ValueError("a flag must be one non-empty atom")
    return b"(" + b" ".join(names) + b")"


class Mailbox:
    """A LIST answer: ``name`` (UTF-8), ``delimiter`` (None when the server
    has no hierarchy) and ``attributes`` (e.g. {"\\\\HasNoChildren",
    "\\\\Sent"}, RFC 9051 §7.3.1 and RFC 6154)."""

    def __init__(self):
        self.name, self.delimiter, self.attributes = None, None, set()

    def __repr__(self):
        return f"Mailbox({self.name!r}, {self.delimiter!r}, {sorted(self.attributes)!r})"


class Message:
    """One message of IMAP.messages(): ``uid``, ``flags`` (a set of str),
    ``size`` (RFC822.SIZE in octets) and ``headers`` (the raw header block,
    bytes); header(name) reads one field."""

    def __init__(self):
        self.uid, self.size, self.flags, self.headers = None, None, set(), b""
        self._parsed = None

    def header(self, name, default=None):
        """The decoded value of header field `name`, or default."""
        if self._parsed is None:
            self._parsed = email.parser.BytesHeaderParser(
                policy=email.policy.default).parsebytes(self.headers)
        value = self._parsed.get(name)
        return default if value is None else str(value)

    def __repr__(self):
        return f"Message(uid={self.uid}, flags={sorted(self.flags)}, size={self.size})"


class IdleEvent:
    """News seen while idling: ``kind`` ("EXISTS", "EXPUNGE", "FETCH" or
    "VANISHED"), ``number`` (the message count for EXISTS, the message
    number for EXPUNGE and FETCH, 0 for VANISHED), ``uid`` and ``flags``
    (FETCH, when sent; else None), ``uids`` (VANISHED's UID set as sent)."""

    def __init__(self, kind, number):
        self.kind, self.number = kind, number
        self.uid, self.flags, self.uids = None, None, None

    def __repr__(self):
        return f"IdleEvent({self.kind}, {self.number}, uid={self.uid}, flags={self.flags})"


class Listed:
    """Collects the Mailbox values of a LIST (RFC 9051 §7.3.1)."""

    def __init__(self):
        self.found = []

    def __call__(self, ev, _ud):
        e = ev.contents
        if e.type == EV_BEGIN:
            self.found.append(Mailbox() if resp_name(e.resp) == "LIST" else None)
        elif e.type != EV_ITEM or not self.found or self.found[-1] is None:
            return
        elif e.item == ITEM["MBOX_ATTR"]:
            self.found[-1].attributes.add(text(e, 0))
        elif e.item == ITEM["DELIMITER"]:
            self.found[-1].delimiter = text(e, 0)
        elif e.item == ITEM["MAILBOX"]:
            self.found[-1].name = text(e, 0)

    def result(self):
        return [m for m in self.found if m is not None]


class Fetched:
    """Collects the Message values of a UID FETCH of UID, FLAGS,
    RFC822.SIZE and BODY.PEEK[HEADER] (RFC 9051 §7.5.2); a malformed
    response (an ERROR event) is left out."""

    def __init__(self):
        self.done, self.current, self.chunks = [], None, []

    # Each field read from the event is a ctypes call: read each once.
    def __call__(self, ev, _ud):
        e = ev.contents
        kind, msg = e.type, self.current
        if kind == EV_BEGIN:
            self.current = Message() if resp_name(e.resp) == "FETCH" else None
            self.chunks = []
        elif msg is None:
            return
        elif kind == EV_ITEM:
            item = e.item
            if item == ITEM["UID"]:
                msg.uid = e.num
            elif item == ITEM["RFC822_SIZE"]:
                msg.size = e.num
            elif item == ITEM["FLAG"]:
                msg.flags.add(text(e, 0))
        elif kind == EV_LITERAL_DATA and e.item == ITEM["BODY_SECTION"]:
            self.chunks.append(e.data[:e.data_len])
        elif kind == EV_END and msg.uid is not None:
            msg.headers = b"".join(self.chunks)
            self.done.append(msg)


class News:
    """Collects the IdleEvent values of an IDLE (RFC 2177; RFC 7162 §3.2.10
    for VANISHED)."""

    def __init__(self):
        self.found = []

    def __call__(self, ev, _ud):
        e = ev.contents
        if e.type == EV_BEGIN:
            kind = resp_name(e.resp)
            self.found.append(IdleEvent(kind, e.num) if kind in IDLE_NEWS else None)
        elif e.type != EV_ITEM or not self.found or self.found[-1] is None:
            return
        elif e.item == ITEM["UID"]:
            self.found[-1].uid = e.num
        elif e.item == ITEM["FLAGS"]:
            self.found[-1].flags = set()
        elif e.item == ITEM["FLAG"] and self.found[-1].flags is not None:
            self.found[-1].flags.add(text(e, 0))
        elif e.item == ITEM["SEQSET"]:
            self.found[-1].uids = text(e, 0)

    def result(self):
        return [n for n in self.found if n is not None]
