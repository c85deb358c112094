"""Hostile input for the Python grammar (the families of ``bench/hostile.py --language python``):
100,000 open brackets, thousands of indentation levels, nested f-strings, megabyte lines,
open triple-quoted strings, runs of backslash continuations, tabs mixed with spaces, lone CRs,
NUL bytes. Every family is exact against the interpreter's tokenize (tokens and exception,
fallbacks included); the scanner's stacks have CPython's fixed depths (200 brackets and
f-string modes, 100 indentation levels), so nesting never grows its memory, while the token
records are charged to ``memory_limit``. Linearity is checked by ratio (ten times the input
must not take thirty times as long, the best of three runs, with slack), never by a time limit.
"""
import gc
import io
import time

import pytest

import fastlex
import fastlex.python as fp
from buildtree import load_script
from pyoracle import compare_bytes, compare_text


HOSTILE = load_script("bench/hostile.py")
FAMILIES = HOSTILE.PY_FAMILIES


def source(family, nbytes):
    return HOSTILE.source_for(family, nbytes, FAMILIES)


def check_tokens(tokens, n):
    """fastlex.tokenize(language="python"): records ordered, inside the source, errors in bounds."""
    last = 0
    for k, s, e in zip(tokens.kinds, tokens.starts, tokens.ends):
        assert last <= s <= e <= n
        last = s
    for err in tokens.errors:
        assert 0 <= err.offset <= n


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_is_exact(family):
    """Each family at about 20 kB: generate_tokens and tokenize equal the interpreter's."""
    src = source(family, 20_000)
    compare_text(src.decode("utf-8"))
    compare_bytes(src)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_large_once(family):
    """Each family at about 300 kB through fastlex.tokenize (bytes and str, every Token's
    position read) and at about 100 kB through generate_tokens, to the end."""
    src = source(family, 300_000)
    check_tokens(fastlex.tokenize(src, language="python"), len(src))
    for tok in fastlex.tokenize(src.decode("utf-8"), language="python"):
        tok.start, tok.end, tok.line
    HOSTILE._py_generate_tokens(source(family, 100_000))


def best_time(run, arg, repeat=3):
    best = None
    for _ in range(repeat):
        gc.disable()
        t = time.perf_counter()
        try:
            run(arg, None)
        finally:
            gc.enable()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best


LINEAR = ["nested brackets", "open brackets", "nested f-strings", "long line", "long string",
          "open triple-quoted string", "backslash continuations", "mixed tabs and spaces",
          "comment lines", "non-ASCII names"]


@pytest.mark.parametrize("path", ["lex", "generate_tokens", "positions"])
@pytest.mark.parametrize("family", LINEAR)
def test_linear(family, path):
    """Ten times the input takes less than thirty times as long (quadratic would be a hundred)."""
    run = HOSTILE.PY_PATHS[path]
    small, big = source(family, 20_000), source(family, 200_000)
    t_small = best_time(run, small)
    t_big = best_time(run, big)
    assert t_big < 30 * t_small + 0.5, (family, path, t_small, t_big)


@pytest.mark.parametrize("src", [
    "(" * 100_000,                                  # open brackets
    "(" * 100_000 + ")" * 100_000,
    "f'{" * 50_000,                                 # open f-string fields
    "".join(" " * i + "if x:\n" for i in range(2_000)),   # 2,000 indentation levels
])
def test_deep_nesting_stops_at_cpythons_limits(src):
    """Deep nesting stops at CPython's depth (fastlex.tokenize: an error; the drop-in: the
    interpreter's own answer) with memory that does not grow with the depth: what a flat source
    of the same size needs (one name), and a few kilobytes, is enough however deep it goes."""
    data = src.encode()
    flat = fastlex.tokenize(b"x" * len(data), language="python").stats["peak_bytes"]
    tokens = fastlex.tokenize(data, language="python", memory_limit=flat + 8192)
    check_tokens(tokens, len(data))
    assert len(tokens) < 1000 and tokens.errors
    shallow = fastlex.tokenize(data[:len(data) // 10], language="python")
    assert len(shallow) == len(tokens)              # the same records at a tenth of the depth


@pytest.mark.parametrize("family", ["long line", "backslash continuations", "comment lines", "non-ASCII names"])
def test_records_are_charged_to_memory_limit(family):
    """Token records grow with the input, and a memory_limit smaller than they need ends in
    LexMemoryError (the region of token records), for bytes and str alike."""
    src = source(family, 1_000_000)
    with pytest.raises(fastlex.LexMemoryError) as info:
        fastlex.tokenize(src, language="python", memory_limit=len(src))
    assert "token records" in str(info.value)
    with pytest.raises(fastlex.LexMemoryError):
        fastlex.tokenize(src.decode("utf-8"), language="python", memory_limit=len(src))
    check_tokens(fastlex.tokenize(src, language="python"), len(src))


def test_hundred_thousand_brackets_through_the_drop_in():
    """100,000 nested brackets through generate_tokens: the interpreter's answer, no recursion."""
    import tokenize
    src = "(" * 100_000 + "x" + ")" * 100_000 + "\n"
    want = [t for t in tokenize.generate_tokens(io.StringIO(src).readline)] if fp.MODE == 0 else None
    try:
        got = list(fp.generate_tokens(io.StringIO(src).readline))
    except Exception as exc:   # 3.12+: the C tokenizer's "too many nested parentheses"
        with pytest.raises(type(exc)):
            list(tokenize.generate_tokens(io.StringIO(src).readline))
        return
    if want is not None:
        assert got == want
    assert len(got) == 200_003          # 200,001 brackets and x, NEWLINE, ENDMARKER
