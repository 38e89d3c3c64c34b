#!/usr/bin/python3
"""ABI check of the shared library (tests/abi): what it exports is exactly the
public API.

Every exported symbol must be named correu_[a-z]... (correu__ helpers stay
hidden), carry a symbol version from lib/correu.sym, and be declared with
CORREU_API in a public header; every CORREU_API declaration must be exported;
the SONAME must be libcorreu.so.<major>. Declarations are also held to the
ctypes rule that no public function is variadic. Uses only the standard
library, so the system python3 runs it.

usage: check_symbols.py --nm NM --readelf READELF --soversion N LIB HEADER...
"""

import argparse
import os
import re
import subprocess
import sys

PUBLIC_NAME = re.compile(r"^correu_[a-z][a-z0-9_]*$")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# A preprocessor line with its backslash continuations.
DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
DECLARATION = re.compile(r"\bCORREU_API\b([^;{]*)")
FUNCTION_NAME = re.compile(r"\b(correu_\w+)\s*\(")
VARIABLE_NAME = re.compile(r"\b(correu_\w+)\s*(?:\[[^\]]*\]\s*)*$")


def declared_api(headers):
    """Map each name declared with CORREU_API to its header; list problems."""
    names, problems = {}, []
    for path in headers:
        with open(path, encoding="utf-8") as f:
            text = DIRECTIVE.sub("", COMMENT.sub(" ", f.read()))
        header = os.path.basename(path)
        for decl in DECLARATION.finditer(text):
            body = " ".join(decl.group(1).split())
            m = FUNCTION_NAME.search(body) or VARIABLE_NAME.search(body)
            if not m:
                problems.append(f"{header}: cannot find the name in 'CORREU_API {body}'")
                continue
            name = m.group(1)
            if "..." in body:
                problems.append(f"{header}: {name} is variadic; ctypes cannot call it")
            if name in names:
                problems.append(f"{header}: {name} is also declared in {names[name]}")
            names[name] = header
    return names, problems


def exported_symbols(nm, lib):
    """Map each exported symbol to its version ('' when it has none)."""
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) != 3:
            continue
        kind, sym = fields[1], fields[2]
        # The version node itself (CORREU_0) shows as an absolute symbol.
        if kind == "A" and "@" not in sym:
            continue
        name, _, version = sym.partition("@")
        symbols[name] = version.lstrip("@")
    return symbols


def soname(readelf, lib):
    out = subprocess.run([readelf, "-d", lib], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"Library soname: \[([^\]]+)\]", out)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nm", required=True)
    ap.add_argument("--readelf", required=True)
    ap.add_argument("--soversion", required=True)
    ap.add_argument("lib")
    ap.add_argument("headers", nargs="+")
    args = ap.parse_args()

    declared, problems = declared_api(args.headers)
    exported = exported_symbols(args.nm, args.lib)

    for name in sorted(exported):
        if not PUBLIC_NAME.match(name):
            problems.append(f"exported but not public API: {name}")
        elif name not in declared:
            problems.append(f"exported but declared in no public header: {name}")
        if not exported[name]:
            problems.append(f"exported without a symbol version: {name}")
    for name in sorted(set(declared) - set(exported)):
        problems.append(f"declared in {declared[name]} but not exported: {name}")

    want = f"libcorreu.so.{args.soversion}"
    got = soname(args.readelf, args.lib)
    if got != want:
        problems.append(f"SONAME is {got}, expected {want}")

    print(f"{len(exported)} symbols exported, {len(declared)} declared "
          f"in {len(args.headers)} headers, SONAME {got}")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
