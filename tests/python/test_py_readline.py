"""The drop-in reads lines as the standard library does: for every token, the number of
readline() calls made before it is yielded equals the interpreter's own tokenize's. Tools
count lines in their readline callables (pycodestyle's Checker.readline, flake8's
FileProcessor.next_line) and read that count while handling a token."""
import io
import os
import sysconfig
import tokenize

import pytest

import fastlex.python as fp


def trace(make, text):
    """[(type, string, start, end, readline calls so far)] and the exception, if any, for a
    readline giving text's lines (str or bytes)."""
    lines = (io.BytesIO if isinstance(text, bytes) else io.StringIO)(text).readlines()
    calls = [0]

    def readline():
        i = calls[0]
        calls[0] += 1
        return lines[i] if i < len(lines) else text[:0]

    out = []
    try:
        for t in make(readline):
            out.append((t.type, t.string, t.start, t.end, calls[0]))
    except Exception as exc:
        out.append((type(exc).__name__, str(exc), calls[0]))
    return out


CASES = [
    "x = (1,\n 2)\ny = 3\n", 's = """a\nb\n"""\nz\n', "if x:\n    y\n\nz\n", "x\n", "x", "# c", "x  # c",
    "f'{a}\\n{b}'\n", 'f"""a\n{b}\nc"""\n', "x = \\\n  1\n", "def f():\n    pass\n", "\n\n\n", "",
    "x = [\n  1,  # c\n\n  2,\n]\n", "  \n", "if a:\n  if b:\n    c\nd\n",
]


@pytest.mark.parametrize("text", CASES)
def test_readline_calls_match(text):
    assert trace(fp.generate_tokens, text) == trace(tokenize.generate_tokens, text)


def test_readline_calls_match_on_the_stdlib():
    lib = sysconfig.get_paths()["stdlib"]
    files = sorted(os.path.join(lib, f) for f in os.listdir(lib) if f.endswith(".py"))
    bad = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if trace(fp.generate_tokens, text) != trace(tokenize.generate_tokens, text):
            bad.append(path)
    assert not bad, f"{len(bad)} of {len(files)} files differ, first {bad[:5]}"


# Invalid input and unusual lines after some tokens: the interpreter's tokenize takes over
# mid-stream (replaying the lines read) with the same readline calls.
MORE = [
    "x = 1\ny = 'abc\n", "if x:\n  y\n z\n", "x = (\n", "x = 1\n\x00\n", "x = 1 \\\n\n", "'a\\\nb'\n",
    "def f():\n\tif x:\n        y\n", "é = 1\nx = 2\n", "x = 1\ny€ = 2\n", "s = '''a\\'''\nb'''\nc\n",
    "x = '''\n" + "a\n" * 50 + "'''\ny\n", 'f"""a{{b\nc{x}d\ne"""\n', "f'''{\nx\n}'''\n",
    'f"{x!r:>{w}}" f"{y=}"\n', "x = 1\n  \n", "if a:\n    b\n  # c\nd", "x\r\ny\r\n", "x\ry\n",
    "a = [1,\n  2,\n  3]\nif a:\n  pass\n", "a = 1\n\n\n# c\n", "def f():\n  '''d\n  '''\n  return 1\n",
]


@pytest.mark.parametrize("text", MORE)
def test_readline_calls_match_after_tokens(text):
    assert trace(fp.generate_tokens, text) == trace(tokenize.generate_tokens, text)


def _calls(make, values):
    """Tokens (or the exception) and the readline calls so far, for a readline giving the
    values (an exception value is raised)."""
    calls = [0]

    def readline():
        i = calls[0]
        calls[0] += 1
        v = values[i] if i < len(values) else ""
        if isinstance(v, BaseException):
            raise v
        return v
    out = []
    try:
        for t in make(readline):
            out.append((t, calls[0]))
    except Exception as exc:
        out.append((type(exc).__name__, str(exc), calls[0]))
    return out


@pytest.mark.parametrize("values", [
    ["x = 1\n", "y = 2\n", OSError("disk")],
    ["x = 1\n", StopIteration(), "never\n"],
    ["x = 1\n", b"y = 2\n"],
    ["x = 1\n", "y", "z\n"],
    ["x = 1\n", None, "y\n"],
    ["x = (1,\n", ValueError("v")],
    ["s = '''a\n", "b\n", KeyError("k")],
])
def test_readline_oddities(values):
    assert _calls(fp.generate_tokens, values) == _calls(tokenize.generate_tokens, values)


def test_stringio_left_as_the_interpreter_leaves_it():
    """A tool may pass a StringIO's readline and look at the stream while tokens come."""
    src = "x = (1,\n 2)\ns = '''a\nb'''\nif x:\n    y\n"

    def positions(make):
        f = io.StringIO(src)
        return [(t, f.tell()) for t in make(f.readline)]
    assert positions(fp.generate_tokens) == positions(tokenize.generate_tokens)


def test_long_string_read_line_by_line_is_linear():
    """A triple-quoted string of many lines is scanned once when it ends, not once per line."""
    import time
    small = "x = '''\n" + "abc\n" * 20_000 + "'''\n"
    big = "x = '''\n" + "abc\n" * 200_000 + "'''\n"

    def run(text):
        t = time.perf_counter()
        toks = list(fp.generate_tokens(io.StringIO(text).readline))
        return time.perf_counter() - t, toks
    t_small, _ = run(small)
    t_big, toks = run(big)
    assert toks[2].string.count("\n") == 200_001 and fp.last_fallback() is None
    assert t_big < 30 * t_small + 0.5


# fastlex.python.tokenize (bytes) reads lazily too: after the interpreter's detect_encoding
# (its first one or two lines), one line as the stream needs it, decoded in the encoding found.
BYTES_CASES = [text.encode() for text in CASES + MORE] + [
    b"\xef\xbb\xbfx = 1\ny = 2\n", b"# -*- coding: latin-1 -*-\nx = '\xe9'\ny = 1\n",
    b"#!/usr/bin/env python\n# coding: cp1252\ns = '\x80'\n", b"x = 1\ny = '\xff'\nz = 2\n",
    b"x = 1\n" * 30 + b"\xff\n" + b"y = 2\n" * 5, b"# coding: ascii\nx = 1\ny = '\xc3\xa9'\n",
    b"\xef\xbb\xbf# coding: utf-8\nx\n", b"x = '''\n\xe9\n'''\n",
]


@pytest.mark.parametrize("data", BYTES_CASES)
def test_bytes_readline_calls_match(data):
    assert trace(fp.tokenize, data) == trace(tokenize.tokenize, data)


@pytest.mark.parametrize("values", [
    [b"x = 1\n", b"y = 2\n", OSError("disk")],
    [b"x = 1\n", b"y = 2\n", b"z = 3\n", OSError("disk")],
    [b"x = 1\n", StopIteration(), b"never\n"],
    [b"x = 1\n", b"y = 2\n", "z = 3\n", b"w\n"],
    [b"x = 1\n", b"y = 2\n", b"z", b"w\n"],
    [b"x = (1,\n", b"2,\n", ValueError("v")],
    [b"# coding: bogus\n", b"x\n"],
    [OSError("at once")],
])
def test_bytes_readline_oddities(values):
    assert _calls(fp.tokenize, values) == _calls(tokenize.tokenize, values)


def test_bytes_read_lazily():
    """A consumer that stops early has read no more than the interpreter's tokenize would."""
    data = b"x = 1\n" * 10_000
    calls = {}
    for make in (fp.tokenize, tokenize.tokenize):
        it = io.BytesIO(data)
        toks = make(it.readline)
        for _ in range(20):
            next(toks)
        calls[make] = it.tell()
    assert calls[fp.tokenize] == calls[tokenize.tokenize] < len(data) // 100
