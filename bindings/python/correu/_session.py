"""What the blocking session classes of the Python binding share (Python
binding, driver level): declaring a protocol's prototypes once, making the
TLS configuration for a CA file or folder, opening a session from its
settings and options structs, owning the C handles until close(), ending
a ``with`` block, and writing what arrives to a file.

The C sessions follow one naming pattern, correu_<proto>_settings_init(),
correu_<proto>_session_options_init(), correu_<proto>_session_open() and
correu_<proto>_session_free(), with settings and options structs that
start with the same fields (version, flags, tls_policy...; version,
tls_mode, connect_timeout_ms, tls, settings), so one piece of code serves
them all. correu.SMTP, correu.POP3 and correu.IMAP are built on it; the
argument and callback helpers they use with it come from correu._bridge.
"""

import ctypes
import operator
import os
from ctypes import byref, c_uint32, c_void_p

from ._errors import CorreuError, Error
from ._bridge import write_all
from ._lib import lib

_TLS_CLIENT = 0  # CORREU_TLS_CLIENT, include/correu/transport.h
_TLS_PROTOTYPES = {
    "correu_tls_config_new": (ctypes.c_int, [c_uint32, c_void_p, ctypes.POINTER(c_void_p)]),
    "correu_tls_config_set_ca_file": (ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    "correu_tls_config_set_ca_dir": (ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    "correu_tls_config_free": (None, [c_void_p]),
}


class Prototypes:
    """A protocol's C functions, declared on the library at first use. A
    libcorreu built without that protocol (or TLS) lacks some: that is
    reported as UNSUPPORTED when a session is made, not at import."""

    def __init__(self, table, what):
        self.table = dict(table, **_TLS_PROTOTYPES)
        self.what = what
        self.declared = False

    def __call__(self):
        if not self.declared:
            try:
                for name, (restype, argtypes) in self.table.items():
                    f = getattr(lib, name)
                    f.restype, f.argtypes = restype, argtypes
            except AttributeError as e:
                raise CorreuError(Error.UNSUPPORTED,
                                  f"this libcorreu cannot {self.what}: {e}") from None
            self.declared = True
        return lib


class FileSink:
    """Writes chunks to a binary file object as they arrive, whole (see
    correu._bridge.write_all), and counts them."""

    def __init__(self, fileobj):
        if "b" not in getattr(fileobj, "mode", "b"):
            raise TypeError("the file must be opened in binary mode")
        self.fileobj, self.written = fileobj, 0

    def __call__(self, chunk):
        write_all(self.fileobj, chunk)
        self.written += len(chunk)


class Session:
    """Owns a C session (``_s``) and the TLS configuration it borrows
    (``_tls``). A subclass sets PREFIX ("correu_imap"), C (its Prototypes),
    ERROR (its exception class, called as ERROR(code, step)), SETTINGS and
    OPTIONS (its structs, padded with correu._bridge.padded), and GOODBYE
    (the name of the method that ends the session politely: "quit")."""

    PREFIX = C = ERROR = SETTINGS = OPTIONS = GOODBYE = None

    @staticmethod
    def _endpoint(tls, port, modes):
        """(TLS mode, TLS policy, port) for a `tls` name of modes, which
        maps each name to (mode, policy, default port)."""
        if tls not in modes:
            raise ValueError(f"tls must be one of {', '.join(modes)}, not {tls!r}")
        mode, policy, default_port = modes[tls]
        port = default_port if port is None else operator.index(port)
        if not 1 <= port <= 0xFFFF:
            raise ValueError(f"port must be between 1 and 65535, not {port}")
        return mode, policy, port

    def _open(self, host, port, **how):
        """Connect (see _start for `how`); on failure free what was made
        and raise. A failed open makes no session: there is no reply to
        read."""
        self._s = self._tls = None
        try:
            self._s = self._start(host, port, **how)
        except BaseException:
            self.close()
            raise

    def _start(self, host, port, *, mode, policy, ca_file, timeout_ms, tune, ca_dir=None):
        """Make the TLS configuration and the session and return its
        handle: tune(settings) sets the protocol's own fields after the
        shared ones (policy and every timeout named timeout_*_ms)."""
        c = self.C()
        if ca_file is not None or ca_dir is not None:
            self._tls = self._tls_config(c, ca_file, ca_dir)
        settings = self.SETTINGS()
        getattr(c, self.PREFIX + "_settings_init")(byref(settings.s))
        settings.s.tls_policy = policy
        for name, _ in settings.s._fields_:
            if name.startswith("timeout_") and name.endswith("_ms"):
                setattr(settings.s, name, timeout_ms)
        tune(settings.s)
        options = self.OPTIONS()
        getattr(c, self.PREFIX + "_session_options_init")(byref(options.s))
        options.s.tls_mode = mode
        options.s.connect_timeout_ms = timeout_ms
        options.s.tls = self._tls
        options.s.settings = ctypes.pointer(settings.s)
        handle = c_void_p()
        rc = getattr(c, self.PREFIX + "_session_open")(host, port, byref(options.s),
                                                       byref(handle))
        if rc < 0:
            raise self.ERROR(rc, "connect")
        return handle

    def _tls_config(self, c, ca_file, ca_dir):
        cfg = c_void_p()
        rc = c.correu_tls_config_new(_TLS_CLIENT, None, byref(cfg))
        if rc < 0:
            raise self.ERROR(rc, "TLS configuration")
        if ca_file is not None:
            rc = c.correu_tls_config_set_ca_file(cfg, os.fsencode(ca_file))
        if rc >= 0 and ca_dir is not None:
            rc = c.correu_tls_config_set_ca_dir(cfg, os.fsencode(ca_dir))
        if rc < 0:
            c.correu_tls_config_free(cfg)
            raise self.ERROR(rc, "CA certificates")
        return cfg

    def _handle(self):
        if getattr(self, "_s", None) is None:
            raise self.ERROR(Error.STATE, "session")
        return self._s

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # Only a block that went through says goodbye: after an exception
        # the session may be mid-command, and POP3's QUIT would commit
        # deletions the block did not finish (RFC 1939 §6).
        try:
            if exc_type is None and self._s is not None:
                getattr(self, self.GOODBYE)()
        finally:
            self.close()

    def close(self):
        """Close the connection without saying goodbye and free the
        session; safe to call twice."""
        s, tls = getattr(self, "_s", None), getattr(self, "_tls", None)
        self._s = self._tls = None
        if s is not None:
            getattr(self.C(), self.PREFIX + "_session_free")(s)
        if tls is not None:
            # After the session, whose transport borrows it.
            self.C().correu_tls_config_free(tls)

    def __del__(self):
        self.close()
