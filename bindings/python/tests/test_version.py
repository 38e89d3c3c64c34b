"""Python binding tests: the version of the loaded library.

CORREU_EXPECTED_VERSION is meson.project_version(), passed by the meson
test, so the binding is checked against the build's own version.
"""

import os
import unittest

import correu


class VersionTest(unittest.TestCase):
    def setUp(self):
        self.expected = os.environ["CORREU_EXPECTED_VERSION"]

    def test_version_string_is_the_project_version(self):
        self.assertEqual(correu.version(), self.expected)

    def test_version_num_packs_the_same_numbers(self):
        major, minor, patch = (int(x) for x in self.expected.split("."))
        self.assertEqual(correu.version_num(), (major << 16) | (minor << 8) | patch)


if __name__ == "__main__":
    unittest.main()
