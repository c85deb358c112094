"""Hostile input (the families of bench/hostile.py) at moderate sizes: every family
lexes to the end with the invariants intact; deep nesting under a memory limit ends
in LexMemoryError naming the scanner stack, never a crash. Behaviour only: the
timings are bench/hostile.py's business.
"""

import pytest

import fastlex
from buildtree import load_script
from fastlex import Kind
from lexcheck import check_bytes, check_tokens, columns


HOSTILE = load_script("bench/hostile.py")


@pytest.mark.parametrize("family", sorted(HOSTILE.FAMILIES))
def test_family_keeps_invariants(family):
    """Each family at about 20 kB lexes to the end: tokens ordered, in bounds, covering every non-blank byte."""
    src = HOSTILE.source_for(family, 20_000)
    tokens = check_bytes(src, objects=False)
    assert tokens[-1].type == Kind.EOF


@pytest.mark.parametrize("family", sorted(HOSTILE.FAMILIES))
def test_family_large_once(family):
    """Each family at about 300 kB (deep nesting, long lines) lexes without error or crash."""
    src = HOSTILE.source_for(family, 300_000)
    check_tokens(fastlex.tokenize(src), src)


@pytest.mark.parametrize("src", [
    b'"#{' * 100_000,                         # open interpolations
    b"(" * 300_000,                           # open parentheses
    b"a{" * 150_000,                          # open blocks (scopes)
    b"begin " * 50_000 + b"[" * 100_000,      # keyword frames, then brackets
    b"x(" + b"<<A, " * 100_000,               # pending heredocs
])
def test_deep_nesting_hits_the_limit(src):
    """Deep nesting under memory_limit ends in LexMemoryError (scanner stack), and lexes fine without one."""
    with pytest.raises(fastlex.LexMemoryError) as info:
        fastlex.tokenize(src, memory_limit=len(src) * 4)
    assert info.value.phase == "scanner stack"
    check_tokens(fastlex.tokenize(src), src)


def test_unbalanced_closers_everywhere():
    """Closers with nothing open, and keyword frames closed by brackets, leave the top level intact."""
    src = b")]}end " * 20_000 + b"\nx = 1\n"
    tokens = check_bytes(src, objects=False)
    kinds = columns(tokens)[0]
    assert kinds[-5:] == [Kind.IDENTIFIER, Kind.EQUAL, Kind.INTEGER, Kind.NEWLINE, Kind.EOF]


def test_stray_keywords_do_not_swallow_brackets():
    """begin*N followed by )*N: each ) closes nothing but the keyword frames stay balanced for }."""
    src = b"f(" + b"begin " * 1000 + b")\nx = 1\n"
    tokens = fastlex.tokenize(src)
    check_tokens(tokens, src)
    assert [t.type for t in tokens][-5:] == [Kind.IDENTIFIER, Kind.EQUAL, Kind.INTEGER, Kind.NEWLINE, Kind.EOF]


@pytest.mark.parametrize("src,slash_kind", [
    (b"a = 1\n" + b"[" * 5000 + b" a /2/ " + b"]" * 5000, Kind.SLASH),           # local seen through brackets
    (b"a = 1\n" + b"x{" * 5000 + b" a /2/ " + b"}" * 5000, Kind.SLASH),          # and through blocks
    (b"a = 1\n" + b"x{" * 5000 + b"def f\n a /2/\nend" + b"}" * 5000, Kind.REGEXP_BEGIN),  # not through a def
    (b"x{" * 5000 + b"a = 1" + b"}" * 5000 + b"\na /2/", Kind.REGEXP_BEGIN),     # block scope closed
    (b"(" * 5000 + b"x{ a = 1 }" * 5000 + b"a /2/" + b")" * 5000, Kind.REGEXP_BEGIN),
])
def test_local_variables_under_deep_nesting(src, slash_kind):
    """Local-variable visibility (which decides a /2/ vs a(/2/)) is right at any nesting depth."""
    tokens = fastlex.tokenize(src)
    check_tokens(tokens, src)
    kinds = [t.type for t in tokens if t.type in (Kind.SLASH, Kind.REGEXP_BEGIN)]
    assert kinds[0] == slash_kind


def test_many_heredocs_on_one_line():
    """100 000 heredoc starts on one line, each with its body, give one HEREDOC_END each, in order."""
    k = 100_000
    src = b"x(" + b"<<A, " * k + b")\n" + b"A\n" * k
    tokens = fastlex.tokenize(src)
    check_tokens(tokens, src)
    kinds = columns(tokens)[0]
    assert kinds.count(Kind.HEREDOC_START) == kinds.count(Kind.HEREDOC_END) == k
    assert tokens.errors == []


NON_ASCII_FAMILIES = ["long non-ASCII line", "long line of multi-byte names", "many errors on a non-ASCII line"]


@pytest.mark.parametrize("family", NON_ASCII_FAMILIES)
@pytest.mark.parametrize("path", sorted(HOSTILE.PATHS))
def test_non_ascii_long_lines_through_every_path(family, path):
    """The Python-facing paths (Token positions and lines, the Pygments stream, error columns)
    run to the end on one long non-ASCII line; their timing is bench/hostile.py --path's."""
    src = HOSTILE.source_for(family, 200_000)
    HOSTILE.PATHS[path](src, None)
    text = src.decode()
    toks = fastlex.tokenize(text)
    last = toks[-2]
    assert last.start == (1, len(src[:last.start_offset].decode()))
    assert last.line == text
    for err in toks.errors[-3:]:
        assert (err.line, err.column) == (1, len(src[:err.offset].decode()))
