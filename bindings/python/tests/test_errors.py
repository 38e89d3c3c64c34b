"""Python binding tests: error constants, messages and CorreuError.

The expected codes are read from CORREU_ERROR_TABLE in the C header named
by CORREU_COMMON_H, so these tests compare the Python view with the header
and the library with each other rather than with a copy.
"""

import os
import pickle
import re
import unittest

import correu

ROW = re.compile(r'X\((\w+),\s*(-?\d+),\s*"([^"]*)"\)')


def header_table():
    with open(os.environ["CORREU_COMMON_H"], encoding="utf-8") as f:
        text = f.read()
    start = text.index("#define CORREU_ERROR_TABLE")
    end = text.index("\n\n", start)
    return [(name, int(value), msg) for name, value, msg in ROW.findall(text[start:end])]


class ErrorTableTest(unittest.TestCase):
    def setUp(self):
        self.table = header_table()
        self.assertGreater(len(self.table), 1, "could not read the C error table")

    def test_enum_holds_every_code_of_the_header(self):
        self.assertEqual({m.name: m.value for m in correu.Error},
                         {name: value for name, value, _ in self.table})

    def test_module_constants_follow_the_c_names(self):
        for name, value, _ in self.table:
            attr = "OK" if name == "OK" else "ERR_" + name
            self.assertEqual(getattr(correu, attr), value, attr)
            self.assertIn(attr, correu.__all__)

    def test_strerror_and_err_name_match_the_header(self):
        for name, value, msg in self.table:
            self.assertEqual(correu.strerror(value), msg)
            self.assertEqual(correu.err_name(value), "CORREU_ERR_" + name)

    def test_code_past_the_table_is_unknown(self):
        past = min(value for _, value, _ in self.table) - 1
        self.assertEqual(correu.err_name(past), "CORREU_ERR_UNKNOWN")
        self.assertEqual(correu.strerror(past), correu.strerror(1))
        self.assertNotEqual(correu.strerror(past), correu.strerror(0))

    def test_code_outside_c_int_is_unknown_not_wrapped(self):
        # 2**32 would wrap round to 0 ("success") if passed to C unchecked.
        for code in (2**32, -(2**32), 2**64):
            self.assertEqual(correu.err_name(code), "CORREU_ERR_UNKNOWN")
            self.assertEqual(correu.strerror(code), correu.strerror(1))

    def test_non_integer_code_is_refused(self):
        with self.assertRaises(TypeError):
            correu.strerror("NOMEM")


class CorreuErrorTest(unittest.TestCase):
    def test_known_code_carries_enum_name_and_message(self):
        e = correu.CorreuError(correu.ERR_NOMEM)
        self.assertIs(e.code, correu.Error.NOMEM)
        self.assertEqual(e.name, "CORREU_ERR_NOMEM")
        self.assertEqual(e.message, correu.strerror(correu.ERR_NOMEM))
        self.assertEqual(str(e), "CORREU_ERR_NOMEM: " + e.message)

    def test_handle_message_replaces_the_generic_one(self):
        e = correu.CorreuError(correu.ERR_SYNTAX, "bad reply code at offset 3")
        self.assertEqual(e.message, "bad reply code at offset 3")
        self.assertIn("CORREU_ERR_SYNTAX", str(e))

    def test_unknown_code_is_kept_as_int(self):
        past = min(correu.Error) - 1
        e = correu.CorreuError(past)
        self.assertEqual(e.code, past)
        self.assertNotIsInstance(e.code, correu.Error)
        self.assertEqual(e.name, "CORREU_ERR_UNKNOWN")

    def test_survives_pickling(self):
        e = pickle.loads(pickle.dumps(correu.CorreuError(correu.ERR_TIMEOUT)))
        self.assertIs(e.code, correu.Error.TIMEOUT)
        self.assertEqual(e.name, "CORREU_ERR_TIMEOUT")

    def test_check_passes_results_and_raises_on_negative(self):
        self.assertEqual(correu.check(0), 0)
        self.assertEqual(correu.check(42), 42)
        with self.assertRaises(correu.CorreuError) as ctx:
            correu.check(correu.ERR_LIMIT)
        self.assertIs(ctx.exception.code, correu.Error.LIMIT)


if __name__ == "__main__":
    unittest.main()
