"""Python binding tests: correu._pop3's ctypes declarations against
include/correu/pop3.h (found next to CORREU_COMMON_H, which the meson test
sets). A struct member or a parameter that drifts from the header would
make ctypes write to the wrong place without any error; this compares
every declared struct field (name and size, in order) and every declared
function (return type and parameter sizes) with the header's text.
"""

import ctypes
import os
import re
import unittest

from correu import _pop3

HEADER = os.path.join(os.path.dirname(os.environ["CORREU_COMMON_H"]), "pop3.h")
POINTER_SIZE = ctypes.sizeof(ctypes.c_void_p)
# C scalar types used by pop3.h -> size in bytes.
SCALARS = {"uint16_t": 2, "uint32_t": 4, "int32_t": 4, "int": 4, "uint64_t": 8,
           "size_t": ctypes.sizeof(ctypes.c_size_t)}


def c_size(decl):
    """Size of a C declaration's type: "const char *text" -> pointer size."""
    decl = re.sub(r"\bconst\b", "", decl).strip()
    if "*" in decl or re.match(r"\w+_fn\b", decl):
        return POINTER_SIZE
    return SCALARS[decl.split()[0]]


def ctypes_size(t):
    return 0 if t is None else ctypes.sizeof(t)


def header():
    with open(HEADER, encoding="utf-8") as f:
        text = f.read()
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments out


def struct_members(text, name):
    body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (name, name), text, re.S).group(1)
    return [(re.search(r"(\w+)$", m.strip()).group(1), c_size(m.strip()))
            for m in body.split(";") if m.strip()]


class LayoutTest(unittest.TestCase):
    def setUp(self):
        self.text = header()

    def check_struct(self, struct, c_name):
        declared = [(n, ctypes.sizeof(t)) for n, t in struct._fields_]
        self.assertEqual(declared, struct_members(self.text, c_name))

    def test_settings(self):
        self.check_struct(_pop3._Settings, "correu_pop3_settings")

    def test_session_options(self):
        self.check_struct(_pop3._Options, "correu_pop3_session_options")

    def test_functions(self):
        checked = 0
        for name, (restype, argtypes) in _pop3._PROTOTYPES.items():
            if not name.startswith("correu_pop3_"):
                continue
            m = re.search(r"CORREU_API\s+(?:CORREU_NODISCARD\s+)?([\w\s\*]+?)\s*\b%s\((.*?)\);"
                          % name, self.text, re.S)
            self.assertIsNotNone(m, name)
            ret, params = m.group(1), m.group(2)
            with self.subTest(name):
                self.assertEqual(ctypes_size(restype), 0 if ret == "void" else c_size(ret))
                sizes = [c_size(p) for p in params.split(",") if p.strip() != "void"]
                self.assertEqual([ctypes_size(a) for a in argtypes], sizes)
            checked += 1
        self.assertGreaterEqual(checked, 16)

    def test_callbacks(self):
        for fn, c_name in ((_pop3._LIST_FN, "correu_pop3_list_fn"),
                           (_pop3._UIDL_FN, "correu_pop3_uidl_fn"),
                           (_pop3._BODY_FN, "correu_pop3_body_fn")):
            m = re.search(r"typedef (\w+) \(\*%s\)\((.*?)\);" % c_name, self.text, re.S)
            with self.subTest(c_name):
                self.assertEqual(ctypes.sizeof(fn._restype_), c_size(m.group(1)))
                self.assertEqual([ctypes.sizeof(a) for a in fn._argtypes_],
                                 [c_size(p) for p in m.group(2).split(",")])


if __name__ == "__main__":
    unittest.main()
