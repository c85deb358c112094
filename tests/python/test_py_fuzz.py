"""Seeded differential fuzzing: small Python programs from a tiny grammar (nested brackets,
f-strings with nested quotes and format specs, every string prefix, continuation lines, tabs
and spaces, decorators, numbers with underscores, \\f, CRLF and lone CR, non-ASCII names),
and random byte-level mutations of them, compared with the interpreter's tokenize.
FASTLEX_PY_FUZZ=N runs N programs (default 400)."""
import os
import random

import pytest

from pyoracle import compare_bytes, compare_text

COUNT = int(os.environ.get("FASTLEX_PY_FUZZ", "400"))
NAMES = ["x", "y_1", "_", "é", "名前", "Ωmega", "if", "lambda", "await", "match"]
PREFIXES = ["", "r", "u", "b", "f", "br", "rb", "fr", "rf", "R", "F", "Br", "fR"]
OPS = ["+", "-", "*", "**", "/", "//", "%", "@", "<<", ">>", "&", "|", "^", "~", "<", ">", "<=", ">=",
       "==", "!=", ":=", "->", ".", ",", ":", ";", "=", "+=", "**=", "...", "!"]
NUMBERS = ["0", "1", "1_000", "0x_ff", "0o17", "0b1_0", "1.5", ".5", "5.", "1e-3", "1_0.0_1e+1_0j", "3j", "0777",
           "1_", "0x", "1e"]
SPACES = [" ", "  ", "\t", "\f", ""]
NEWLINES = ["\n", "\n", "\n", "\r\n", "\r"]


def gen_string(r, depth):
    prefix = r.choice(PREFIXES)
    quote = r.choice(["'", '"', "'''", '"""'])
    parts = []
    for _ in range(r.randint(0, 3)):
        k = r.random()
        if "f" in prefix.lower() and k < 0.5 and depth < 3:
            inner = gen_expr(r, depth + 1)
            spec = r.choice(["", "", "!r", ":>10", ":{w}", "=", ":%H:%M", "!s:^{n}d", ":"])
            parts.append("{" + inner + spec + "}")
        elif k < 0.6:
            parts.append(r.choice(["{{", "}}", "\\n", "\\N{DASH}", "\\", "\\'", '\\"', "\\{"]))
        else:
            parts.append(r.choice(["a", "b c", "é", "'", '"', "#", " ", "\n", "\\\n"]))
    return prefix + quote + "".join(parts) + quote


def gen_expr(r, depth=0):
    k = r.random()
    if k < 0.25 or depth > 4:
        return r.choice(NAMES)
    if k < 0.4:
        return r.choice(NUMBERS)
    if k < 0.6:
        return gen_string(r, depth)
    if k < 0.8:
        open_, close = r.choice(["()", "[]", "{}"])
        items = [gen_expr(r, depth + 1) for _ in range(r.randint(0, 3))]
        sep = "," + r.choice(SPACES + ["\n", " \\\n"])
        return open_ + sep.join(items) + close
    return gen_expr(r, depth + 1) + r.choice(SPACES) + r.choice(OPS) + r.choice(SPACES) + gen_expr(r, depth + 1)


def gen_program(r):
    lines = []
    indent = ""
    for _ in range(r.randint(1, 8)):
        k = r.random()
        nl = r.choice(NEWLINES) if r.random() < 0.2 else "\n"
        if k < 0.15:
            lines.append(indent + "if " + gen_expr(r) + ":" + nl)
            indent += r.choice(["    ", "  ", "\t", " \t"])
            lines.append(indent + gen_expr(r) + nl)
        elif k < 0.25 and indent:
            indent = indent[:-1] if r.random() < 0.3 else ""
        elif k < 0.32:
            lines.append(indent + "@" + r.choice(NAMES) + "(" + gen_expr(r) + ")" + nl + indent + "def f(): pass" + nl)
        elif k < 0.4:
            lines.append(indent + "# comment " + r.choice(NAMES) + nl)
        elif k < 0.45:
            lines.append(r.choice(SPACES) + nl)
        elif k < 0.5:
            lines.append(indent + gen_expr(r) + " + \\" + nl + r.choice(SPACES) + gen_expr(r) + nl)
        else:
            lines.append(indent + r.choice(NAMES) + " = " + gen_expr(r) + r.choice(["", "  # c"]) + nl)
    src = "".join(lines)
    if r.random() < 0.2:
        src = src.rstrip("\n")
    return src


def mutate(r, src):
    chars = list(src)
    for _ in range(r.randint(1, 3)):
        i = r.randrange(len(chars) + 1)
        op = r.random()
        if op < 0.4 and chars:
            del chars[min(i, len(chars) - 1)]
        elif op < 0.8:
            chars.insert(i, r.choice("()[]{}'\"\\\n\t #:=!fx0.\r"))
        elif chars:
            j = r.randrange(len(chars))
            chars[i - 1], chars[j] = chars[j], chars[i - 1]
    return "".join(chars)


@pytest.mark.parametrize("seed", range(0, COUNT, 50))
def test_generated_programs(seed):
    for s in range(seed, min(seed + 50, COUNT)):
        r = random.Random(s)
        src = gen_program(r)
        compare_text(src)
        compare_bytes(src.encode("utf-8"))
        compare_text(mutate(r, src))
