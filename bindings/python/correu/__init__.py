"""correu: SMTP, POP3 and IMAP for Python, through libcorreu and ctypes.

The package calls the C library directly; nothing is compiled. Failures are
raised as CorreuError, whose ``code`` is a member of the Error enum (also
available as module constants ERR_NOMEM, ERR_ARG, ...). correu.SMTP sends
mail, one message or a batch whose fates come back as SendResult (see
correu._smtp); correu.POP3 downloads it (see correu._pop3); correu.IMAP
works with it on the server (see correu._imap). The library is found
through CORREU_LIBRARY, CORREU_BUILD_DIR, or the system's loader; see
correu._lib.
"""

from ._errors import CorreuError, Error, check, err_name, strerror
from ._imap import IMAP, IMAPError
from ._imap_data import IdleEvent, Mailbox, Message, uid_set
from ._lib import lib as _clib
from ._pop3 import POP3, POP3Error
from ._smtp import SMTP, SendResult, SMTPError

__all__ = ["CorreuError", "Error", "IMAP", "IMAPError", "IdleEvent", "Mailbox", "Message",
           "POP3", "POP3Error", "SMTP", "SMTPError", "SendResult", "check", "err_name", "strerror",
           "uid_set", "version", "version_num"]

# ERR_NOMEM = Error.NOMEM, ... so that codes read like their C names.
for _member in Error:
    if _member is not Error.OK:
        globals()["ERR_" + _member.name] = _member
        __all__.append("ERR_" + _member.name)
OK = Error.OK
__all__.append("OK")
del _member


def version():
    """The version string of the loaded library, "MAJOR.MINOR.PATCH"."""
    return _clib.correu_version_str().decode("ascii")


def version_num():
    """The version of the loaded library as 0xMMmmpp (comparable)."""
    return _clib.correu_version_num()
