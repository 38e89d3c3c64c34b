"""Python binding tests: how the package finds libcorreu.

The meson test sets CORREU_LIBRARY to the library just built and
CORREU_BUILD_DIR to its build tree; the other ways of finding it are tried
in child interpreters with a changed environment.
"""

import os
import subprocess
import sys
import unittest

import correu
from correu import _lib

SHOW_PATH = "import correu._lib as l; print(l.path)"


def run_child(**env_changes):
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "-c", SHOW_PATH], env=env,
                          capture_output=True, text=True)


class LoadTest(unittest.TestCase):
    def test_library_named_by_env_is_loaded(self):
        self.assertEqual(_lib.path, os.environ["CORREU_LIBRARY"])

    def test_loaded_library_has_package_abi_major(self):
        self.assertEqual(correu.version_num() >> 16, _lib.ABI_MAJOR)

    def test_explicit_library_that_is_missing_fails_without_fallback(self):
        missing = os.path.join(os.environ["CORREU_BUILD_DIR"], "no-such-libcorreu.so")
        child = run_child(CORREU_LIBRARY=missing)
        self.assertNotEqual(child.returncode, 0)
        self.assertIn("ImportError", child.stderr)
        self.assertIn(missing, child.stderr)

    def test_build_tree_is_used_when_no_library_is_named(self):
        build_dir = os.environ["CORREU_BUILD_DIR"]
        child = run_child(CORREU_LIBRARY=None, CORREU_BUILD_DIR=build_dir)
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertEqual(child.stdout.strip(),
                         os.path.join(build_dir, "lib", "libcorreu.so"))

    def test_soname_through_loader_path_is_the_last_resort(self):
        lib_dir = os.path.dirname(os.environ["CORREU_LIBRARY"])
        child = run_child(CORREU_LIBRARY=None, CORREU_BUILD_DIR=None,
                          LD_LIBRARY_PATH=lib_dir)
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertIn("correu", child.stdout)


if __name__ == "__main__":
    unittest.main()
