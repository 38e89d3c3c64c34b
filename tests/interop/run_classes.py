"""The end every client interop test file shares (tests/interop): check
that the programs under test are built, skip (exit 77) or fail when a peer
is missing, run the chosen unittest classes and return the exit status.
"""
import os
import sys
import unittest

import peers


def run_classes(classes, names, programs, check_installed):
    """Run classes[name] for each of names; programs must be executable and
    check_installed() raises peers.Skip or peers.PeerError for a missing
    peer. Returns 0 when every test passed, else 1."""
    for path in programs:
        if not os.access(path, os.X_OK):
            print(f"FAIL: {path} is not built", flush=True)
            return 1
    peers.skip_or_fail(check_installed)
    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(classes[n])
                               for n in names)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    return 0 if result.wasSuccessful() else 1
