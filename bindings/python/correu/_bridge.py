"""The small pieces every session class of the Python binding uses to cross
into C and back (Python binding, lowest level above correu._lib): checking
and converting arguments (strings to NUL-free bytes, numbers to the range
of a uint32_t, seconds to milliseconds), allocating a public struct with
room behind it, running a Python function as a C callback, and writing a
chunk to a file whole.

Public structs only grow at their end (STYLE.md), so each is allocated
with spare room behind it: a newer library that fills more fields cannot
write past the buffer. ctypes silently truncates a string at its first
NUL and wraps an integer too large for its C type, so both are refused
here before C sees them.
"""

import operator
from ctypes import Structure, c_uint8

from ._errors import Error

UINT32_MAX = 0xFFFFFFFF
_SPARE = 256  # bytes behind each struct for fields a newer library adds


def to_bytes(value, what):
    """value (str, sent as UTF-8, or bytes) as bytes for a C string; what
    names the argument in the TypeError or ValueError raised."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in value:
        # C would see only what comes before it.
        raise ValueError(f"{what} must not contain NUL")
    return value


def number(value, what, low):
    """value as an int in [low, 2**32 - 1]; ctypes would wrap a larger one."""
    n = operator.index(value)
    if not low <= n <= UINT32_MAX:
        raise ValueError(f"{what} must be between {low} and {UINT32_MAX}, not {n}")
    return n


def milliseconds(seconds):
    """A timeout in seconds as the C sessions' positive int32 milliseconds."""
    return max(1, min(int(seconds * 1000), 0x7FFFFFFF))


def padded(struct):
    """struct with _SPARE zero bytes behind it, as one ctypes object whose
    member ``s`` is the struct itself."""
    return type("_Padded" + struct.__name__, (Structure,),
                {"_fields_": [("s", struct), ("spare", c_uint8 * _SPARE)]})


class Callback:
    """Runs a Python function as a C callback. A Python exception cannot
    cross C: it is kept, the callback returns an error (the C session then
    reads the rest of the response and stays usable), and raise_kept()
    raises it once the C call has returned. The callback returns what the
    function returns (a byte count for a reader), 0 when that is None."""

    def __init__(self, fn):
        self.fn = fn
        self.kept = None

    def __call__(self, *args):
        try:
            value = self.fn(*args)
            return 0 if value is None else value
        except BaseException as e:  # noqa: BLE001 -- re-raised by raise_kept()
            if self.kept is None:
                self.kept = e
            return int(Error.IO)

    def raise_kept(self):
        if self.kept is not None:
            kept, self.kept = self.kept, None
            raise kept


def write_all(fileobj, chunk):
    """Write chunk whole: a raw file may take part of it per call."""
    view = memoryview(chunk)
    while view:
        n = fileobj.write(view)
        if n is None:  # a non-blocking raw file that would block
            raise BlockingIOError("the file would block")
        view = view[n:]
