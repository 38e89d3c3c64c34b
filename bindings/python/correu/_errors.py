"""Error codes and the exception raised for them (Python binding).

The codes are not copied into Python: they are read from the loaded
library at import time, by asking correu_err_name() for 0, -1, -2, ... until
it answers CORREU_ERR_UNKNOWN. The C table is append-only and numbered
without gaps, so this finds every code and can never drift from the C side.
"""

import ctypes
import enum
import operator

from ._lib import lib

_PREFIX = "CORREU_ERR_"
_UNKNOWN = _PREFIX + "UNKNOWN"
# A bound on the walk, far above any real table, in case a library answers
# every code.
_MAX_CODES = 4096
_INT_BITS = 8 * ctypes.sizeof(ctypes.c_int)
_INT_MIN, _INT_MAX = -(1 << (_INT_BITS - 1)), (1 << (_INT_BITS - 1)) - 1


def _c_int(code):
    """code as a C int; outside the C range, a code that is surely unknown
    (ctypes would otherwise wrap 2**32 round to 0, "success")."""
    code = operator.index(code)
    return code if _INT_MIN <= code <= _INT_MAX else _INT_MIN


def err_name(code):
    """The symbolic name of an error code, e.g. "CORREU_ERR_NOMEM";
    "CORREU_ERR_UNKNOWN" for a code not in the table."""
    return lib.correu_err_name(_c_int(code)).decode("ascii")


def strerror(code):
    """A sentence describing an error code; "unknown error" if unknown."""
    return lib.correu_strerror(_c_int(code)).decode("utf-8")


def _read_table():
    table = []
    for code in range(0, -_MAX_CODES, -1):
        name = err_name(code)
        if name == _UNKNOWN:
            break
        table.append((name[len(_PREFIX):], code))
    return table


#: Every code of the loaded library: Error.OK (0), Error.NOMEM (-1), ...
Error = enum.IntEnum("Error", _read_table(), module=__name__)


class CorreuError(Exception):
    """A libcorreu call failed.

    Attributes: ``code`` (an Error member, or the plain int for a code this
    library does not know), ``name`` ("CORREU_ERR_..."), and ``message``
    (the library's description, or a more specific one from a handle).
    """

    def __init__(self, code, message=None):
        code = operator.index(code)
        try:
            self.code = Error(code)
        except ValueError:
            self.code = code
        self.name = err_name(code)
        self.message = message if message is not None else strerror(code)
        super().__init__(code, self.message)

    def __str__(self):
        return f"{self.name}: {self.message}"


def check(result):
    """Return result of a C call if it is >= 0, else raise CorreuError."""
    if result < 0:
        raise CorreuError(result)
    return result
