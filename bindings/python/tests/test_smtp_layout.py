"""Python binding tests: correu._smtp's ctypes declarations against the C
headers (smtp.h and transport.h, found next to CORREU_COMMON_H, which the
meson test sets). ctypes trusts what it is told: a struct member or a
parameter that drifts from the header would make it read or write the
wrong bytes without an error. So every declared struct member (name and
size, in order), function (result and parameter sizes) and callback is
compared with the header's text.
"""

import ctypes
import os
import re
import unittest

from correu import _session, _smtp

INCLUDE = os.path.dirname(os.environ["CORREU_COMMON_H"])
POINTER = ctypes.sizeof(ctypes.c_void_p)
# The C types these headers use in members and parameters, by size.
SIZES = {"uint8_t": 1, "uint16_t": 2, "uint32_t": 4, "int32_t": 4, "int": 4, "uint64_t": 8,
         "size_t": ctypes.sizeof(ctypes.c_size_t), "correu_ssize": ctypes.sizeof(ctypes.c_ssize_t)}


def read_header(name):
    with open(os.path.join(INCLUDE, name), encoding="utf-8") as f:
        return re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)


def size_of(decl):
    """Bytes of the type in a C declaration ("const char *text" -> a pointer)."""
    words = re.sub(r"\bconst\b", " ", decl).split()
    if "*" in decl or words[0].endswith("_fn"):
        return POINTER
    return SIZES[words[0]]


def members(text, name):
    """[(member name, size)] of a typedef'd struct."""
    body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (name, name), text, re.S).group(1)
    return [(re.search(r"(\w+)\s*$", m).group(1), size_of(m))
            for m in body.split(";") if m.strip()]


def ctype_size(t):
    return 0 if t is None else ctypes.sizeof(t)


class LayoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = read_header("smtp.h") + read_header("transport.h")

    def check_struct(self, struct, c_name):
        # "from" is a Python keyword: the field is called from_.
        declared = [(n.rstrip("_"), ctypes.sizeof(t)) for n, t in struct._fields_]
        self.assertEqual(declared, members(self.text, c_name))

    def test_settings(self):
        self.check_struct(_smtp._Settings, "correu_smtp_settings")

    def test_session_options(self):
        self.check_struct(_smtp._Options, "correu_smtp_session_options")

    def test_envelope(self):
        self.check_struct(_smtp._Envelope, "correu_smtp_envelope")

    def test_batch_item(self):
        self.check_struct(_smtp._BatchItem, "correu_smtp_batch_item")

    def test_versions(self):
        for macro, value in (("CORREU_SMTP_SETTINGS_VERSION", _smtp._SETTINGS_VERSION),
                             ("CORREU_SMTP_SESSION_OPTIONS_VERSION", _smtp._OPTIONS_VERSION),
                             ("CORREU_SMTP_ENVELOPE_VERSION", _smtp._ENVELOPE_VERSION),
                             ("CORREU_SMTP_BATCH_ITEM_VERSION", _smtp._BATCH_ITEM_VERSION),
                             ("CORREU_SMTP_LMTP", _smtp._FLAG_LMTP),
                             ("CORREU_SMTP_BODY_NORMALISE", _smtp._FLAG_BODY_NORMALISE),
                             ("CORREU_SMTP_TLS_REQUIRED", _smtp._TLS_REQUIRED),
                             ("CORREU_SMTP_TLS_OPPORTUNISTIC", _smtp._TLS_OPPORTUNISTIC),
                             ("CORREU_SMTP_TLS_NONE", _smtp._TLS_NONE),
                             ("CORREU_SMTP_SESSION_STARTTLS", _smtp._SESSION_STARTTLS),
                             ("CORREU_SMTP_SESSION_IMPLICIT", _smtp._SESSION_IMPLICIT),
                             ("CORREU_TLS_CLIENT", _session._TLS_CLIENT)):
            with self.subTest(macro):
                m = re.search(r"#define %s (\w+?)u?\b" % macro, self.text)
                self.assertEqual(int(m.group(1), 0), value)

    def test_functions(self):
        # The table declared: SMTP's own functions and the TLS ones shared.
        for name, (restype, argtypes) in _smtp._c.table.items():
            m = re.search(r"CORREU_API\s+(?:CORREU_NODISCARD\s+)?([\w\s*]+?)\s*\b%s\((.*?)\);"
                          % name, self.text, re.S)
            with self.subTest(name):
                self.assertIsNotNone(m)
                ret, params = m.group(1), m.group(2)
                self.assertEqual(ctype_size(restype), 0 if ret == "void" else size_of(ret))
                self.assertEqual([ctype_size(a) for a in argtypes],
                                 [size_of(p) for p in params.split(",") if p.strip() != "void"])

    def test_reader_callback(self):
        m = re.search(r"typedef (\w+) \(\*correu_smtp_reader_fn\)\((.*?)\);", self.text, re.S)
        self.assertEqual(ctypes.sizeof(_smtp._READER._restype_), size_of(m.group(1)))
        self.assertEqual([ctypes.sizeof(a) for a in _smtp._READER._argtypes_],
                         [size_of(p) for p in m.group(2).split(",")])


if __name__ == "__main__":
    unittest.main()
