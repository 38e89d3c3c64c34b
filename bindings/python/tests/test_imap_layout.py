"""Python binding tests: correu._imap_data's ctypes declarations against
the IMAP header(s) in include/correu (imap*.h, found next to
CORREU_COMMON_H, which the meson test sets). A struct member, a parameter
or a constant that drifts from the header would make ctypes read or write
the wrong place without any error; this compares every declared struct
field (name and size, in order, arrays included), every declared function
and callback (return and parameter sizes) and every numeric constant the
binding uses with the headers' text. Type sizes follow test_pop3_layout.
"""

import ctypes
import glob
import os
import re
import unittest

import test_pop3_layout
from correu import _imap_data as d

HEADERS = sorted(glob.glob(os.path.join(os.path.dirname(os.environ["CORREU_COMMON_H"]),
                                        "imap*.h")))


def c_size(decl):
    """test_pop3_layout.c_size, knowing also the signed 64-bit time."""
    if decl.split()[0] == "int64_t" and "*" not in decl:
        return 8
    return test_pop3_layout.c_size(decl)


def sizes(restype, argtypes):
    """[size of the result (0 for void), size of each parameter...]"""
    return [test_pop3_layout.ctypes_size(t) for t in [restype, *argtypes]]


def headers():
    text = ""
    for path in HEADERS:
        with open(path, encoding="utf-8") as f:
            text += f.read()
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments out


def signature(ret, params):
    """sizes() of a C declaration: "int", "const char *s, size_t n"."""
    ret = ret.replace("CORREU_NODISCARD", "").strip()
    args = [p for p in params.split(",") if p.strip() not in ("", "void")]
    return [0 if ret == "void" else c_size(ret)] + [c_size(p) for p in args]


def functions(text):
    """{name: (result, parameters)} of every exported function and
    callback type, as written."""
    found = {m.group(2): (m.group(1), m.group(3)) for m in re.finditer(
        r"CORREU_API\s+([\w\s\*]+?)\s*\b(correu_\w+)\((.*?)\);", text, re.S)}
    found.update({m.group(2): (m.group(1), m.group(3)) for m in re.finditer(
        r"typedef (\w+) \(\*(\w+)\)\((.*?)\);", text, re.S)})
    return found


def member(decl):
    """("str", 4 * pointer size) from "const char *str[4]"."""
    m = re.match(r"(.*?)(\w+)\s*(?:\[(\d+)\])?$", decl, re.S)
    return m.group(2), int(m.group(3) or 1) * c_size(m.group(1) + " x")


def struct_members(text, name):
    body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (name, name), text, re.S).group(1)
    return [member(m.strip()) for m in body.split(";") if m.strip()]


def constant(text, name):
    """The value of a #define or enum constant."""
    m = re.search(r"#define %s (\w+?)u?\b|\b%s = (\d+)" % (name, name), text)
    return int((m.group(1) or m.group(2)), 0)


class LayoutTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(HEADERS)
        self.text = headers()

    def test_structs(self):
        for struct, c_name in ((d.Event, "correu_imap_event"),
                               (d.Settings, "correu_imap_settings"),
                               (d.Options, "correu_imap_session_options")):
            with self.subTest(c_name):
                self.assertEqual([(n, ctypes.sizeof(t)) for n, t in struct._fields_],
                                 struct_members(self.text, c_name))

    def test_functions_and_callbacks(self):
        declared = {name: sizes(*proto) for name, proto in d.PROTOTYPES.items()}
        for fn, name in ((d.EVENT_FN, "correu_imap_event_fn"),
                         (d.NUMBER_FN, "correu_imap_number_fn"),
                         (d.BODY_FN, "correu_imap_body_fn")):
            declared[name] = sizes(fn._restype_, fn._argtypes_)
        in_header = functions(self.text)
        self.assertGreaterEqual(len(declared), 25)
        for name, got in declared.items():
            with self.subTest(name):
                self.assertIn(name, in_header)
                self.assertEqual(got, signature(*in_header[name]))

    def test_constants(self):
        expect = {"CORREU_IMAP_ITEM_" + k: v for k, v in d.ITEM.items()}
        expect.update({"CORREU_IMAP_" + k: getattr(d, k) for k in (
            "EV_BEGIN", "EV_ITEM", "EV_END", "EV_LITERAL_DATA", "EV_ERROR", "TLS_REQUIRED",
            "TLS_OPPORTUNISTIC", "TLS_NONE", "SESSION_STARTTLS", "SESSION_IMPLICIT",
            "ALLOW_PLAINTEXT_AUTH", "SELECT_READ_ONLY")})
        for name, value in expect.items():
            with self.subTest(name):
                self.assertEqual(constant(self.text, name), value)


if __name__ == "__main__":
    unittest.main()
