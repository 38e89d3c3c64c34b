#!/usr/bin/python3
"""ABI check of the public structs (tests/abi): each one can be declared in
ctypes and can grow without breaking callers.

STYLE.md's rules, checked on every struct defined in a public header: the
first member is `uint32_t version`; members are fixed-width integers,
size_t, pointers, function pointers or correu_*_fn callback types (arrays
of those included); no enum, union, bitfield, plain int/long/bool, or
struct held by value, whose size could differ between compilers or change
when that struct grows. Uses only the standard library.

usage: check_layout.py HEADER...
"""

import os
import re
import sys

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
STRUCT_OPEN = re.compile(r"\bstruct\s+(\w+)\s*\{")
ARRAY = re.compile(r"(\s*\[[^\]]*\])+$")
SCALAR = re.compile(r"^(const\s+)?(u?int(8|16|32|64)_t|size_t|correu_\w+_fn)$")


def member_problem(decl):
    """What is wrong with one member declaration, or None."""
    if re.search(r"\b(union|enum)\b", decl):
        return "an enum or union (size and layout are the compiler's choice)"
    if re.search(r":\s*\w+$", decl):
        return "a bitfield (its layout is the compiler's choice)"
    if "(" in decl or "*" in decl:
        return None  # a pointer or a function pointer
    words = ARRAY.sub("", decl).split()
    if len(words) < 2:
        return "a member that cannot be read"
    if not SCALAR.match(" ".join(words[:-1])):
        return f"type '{' '.join(words[:-1])}' (use a fixed-width integer, size_t or a pointer)"
    return None


def struct_bodies(text):
    """(name, body) of each struct definition; a nested definition stays in
    its parent's body, braces and all, so it is reported, not skipped."""
    for m in STRUCT_OPEN.finditer(text):
        depth, end = 1, m.end()
        while depth and end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        yield m.group(1), text[m.end():end - 1]


def check(path):
    with open(path, encoding="utf-8") as f:
        text = DIRECTIVE.sub("", COMMENT.sub(" ", f.read()))
    header = os.path.basename(path)
    problems, count = [], 0
    for name, body in struct_bodies(text):
        count += 1
        if "{" in body:
            problems.append(f"{header}: struct {name} defines a type inside it")
            body = re.sub(r"\{[^{}]*\}", "", body)
        members = [" ".join(m.split()) for m in body.split(";")]
        members = [m for m in members if m]
        if not members or members[0] != "uint32_t version":
            problems.append(f"{header}: struct {name} does not begin with 'uint32_t version'")
        for decl in members:
            why = member_problem(decl)
            if why:
                problems.append(f"{header}: struct {name}, member '{decl}': {why}")
    return count, problems


def main():
    total, problems = 0, []
    for path in sys.argv[1:]:
        n, p = check(path)
        total += n
        problems += p
    print(f"{total} public structs in {len(sys.argv) - 1} headers")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
