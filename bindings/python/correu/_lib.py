"""Finding and loading libcorreu, and declaring its C prototypes (Python
binding, lowest level).

Every C function the package calls is listed in PROTOTYPES with its result
and argument types, so ctypes converts and checks each call instead of
guessing int. The library is looked for, in order:

1. the file named by CORREU_LIBRARY (when set, nothing else is tried);
2. ``<CORREU_BUILD_DIR>/lib/libcorreu.so`` in a meson build tree;
3. ``ctypes.util.find_library("correu")``;
4. ``libcorreu.so.<ABI_MAJOR>`` through the dynamic loader's search path.

A library of another ABI major version is refused: its signatures may not
be the ones declared here.
"""

import ctypes
import ctypes.util
import os

#: The SONAME number (major version) these prototypes were written for.
ABI_MAJOR = 0

#: C function name -> (restype, argtypes). Later layers append here.
PROTOTYPES = {
    "correu_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "correu_err_name": (ctypes.c_char_p, [ctypes.c_int]),
    "correu_version_num": (ctypes.c_uint32, []),
    "correu_version_str": (ctypes.c_char_p, []),
}


def _candidates():
    explicit = os.environ.get("CORREU_LIBRARY")
    if explicit:
        return [explicit]
    found = []
    build_dir = os.environ.get("CORREU_BUILD_DIR")
    if build_dir:
        found.append(os.path.join(build_dir, "lib", "libcorreu.so"))
    by_name = ctypes.util.find_library("correu")
    if by_name:
        found.append(by_name)
    found.append(f"libcorreu.so.{ABI_MAJOR}")
    return found


def _declare(lib):
    for name, (restype, argtypes) in PROTOTYPES.items():
        func = getattr(lib, name)
        func.restype = restype
        func.argtypes = argtypes


def load():
    """Load libcorreu and declare its prototypes.

    Returns (library, the name it was loaded by). Raises ImportError, naming
    every place tried, if no usable library is found.
    """
    failures = []
    for candidate in _candidates():
        try:
            lib = ctypes.CDLL(candidate)
            _declare(lib)
        except (OSError, AttributeError) as e:
            # AttributeError: a library of that name lacks a declared function.
            failures.append(f"{candidate}: {e}")
            continue
        major = lib.correu_version_num() >> 16
        if major != ABI_MAJOR:
            failures.append(f"{candidate}: ABI version {major}, "
                            f"this package needs {ABI_MAJOR}")
            continue
        return lib, candidate
    raise ImportError("libcorreu not found (set CORREU_LIBRARY to its path): "
                      + "; ".join(failures))


lib, path = load()
