"""Columns (Tokens.kinds, .starts, .ends) are read-only sequences of ints as well as zero-copy
buffers: len, indexing (negative too), slicing with any step, iteration, tolist(), ==, `in`,
index() and count(), agreeing with the buffer's own view of the same memory."""
import collections.abc
import gc

import pytest

import fastlex

SRC = "def f(x)\n  x + 'caf\u00e9' # done\nend\n"


@pytest.fixture
def toks():
    return fastlex.tokenize(SRC)


@pytest.mark.parametrize("name", ["kinds", "starts", "ends"])
def test_column_is_a_sequence(toks, name):
    col = getattr(toks, name)
    ref = memoryview(col).tolist()
    assert len(ref) == len(toks) > 5
    assert len(col) == len(ref)
    assert list(col) == ref == col.tolist()
    assert [col[i] for i in range(len(ref))] == ref
    assert [col[-i] for i in range(1, len(ref) + 1)] == [ref[-i] for i in range(1, len(ref) + 1)]
    for sl in (slice(None), slice(2, 5), slice(None, None, 2), slice(None, None, -1), slice(-3, None),
               slice(5, 2), slice(1, 100), slice(-100, 3, 3)):
        assert col[sl] == ref[sl], sl
    assert list(reversed(col)) == ref[::-1]
    assert isinstance(col, collections.abc.Sequence)
    assert ref[3] in col and -1 not in col
    assert col.index(ref[3]) == ref.index(ref[3])
    assert col.count(ref[0]) == ref.count(ref[0])
    with pytest.raises(ValueError):
        col.index(-1)


def test_column_equality(toks):
    ref = toks.starts.tolist()
    assert toks.starts == ref and toks.starts == tuple(ref) and ref == toks.starts
    assert toks.starts == toks.starts and toks.starts == fastlex.tokenize(SRC).starts
    assert toks.starts != ref[:-1] and toks.starts != ref + [0] and toks.starts != toks.ends
    assert (toks.starts == "abc") is False and toks.starts != 3
    with pytest.raises(TypeError):
        hash(toks.starts)


def test_column_values_and_types(toks):
    assert all(type(v) is int for v in toks.kinds)
    assert [fastlex.Kind(k) for k in toks.kinds] == [t.type for t in toks]
    assert list(toks.starts) == [t.start_offset for t in toks]
    assert list(toks.ends) == [t.end_offset for t in toks]
    assert repr(toks.kinds).startswith("Column([") and "len=" in repr(toks.kinds)


def test_column_index_errors(toks):
    col = toks.kinds
    for bad in (len(col), -len(col) - 1, 10**9):
        with pytest.raises(IndexError):
            col[bad]
    with pytest.raises(TypeError):
        col["1"]
    with pytest.raises(TypeError):
        col[1.0]


def test_column_is_read_only(toks):
    col = toks.starts
    with pytest.raises(TypeError):
        col[0] = 1
    view = memoryview(col)
    assert view.readonly
    with pytest.raises(TypeError):
        view[0] = 1


def test_large_columns_gathered_and_zero_copy_agree():
    """A source needing several region chunks gives a gathered column; it reads like the buffer."""
    src = b"a " * 400_000
    toks = fastlex.tokenize(src)
    for col in (toks.kinds, toks.starts, toks.ends):
        ref = memoryview(col).tolist()
        assert col.tolist() == ref and col[-1] == ref[-1] and col[1000:1010] == ref[1000:1010]
        assert sum(1 for _ in col) == len(ref)


def test_column_of_a_reused_lexer_expires():
    """After the Lexer's next call, reading an old column raises instead of reading reused memory."""
    lexer = fastlex.Lexer()
    old = lexer.tokenize(b"x = 1\n")
    col = old.starts
    it = iter(col)
    next(it)
    lexer.tokenize(b"y\n")
    for read in (lambda: col[0], lambda: list(col), col.tolist, lambda: col == [0], lambda: next(it)):
        with pytest.raises(RuntimeError):
            read()
    with pytest.raises(BufferError):
        memoryview(col)
    assert "expired" in repr(col)


def test_column_outlives_its_tokens():
    """A column keeps the Lexer (and so its memory) alive after its Tokens go."""
    col = fastlex.tokenize(b"x = 1 + 2\n").ends
    gc.collect()
    assert col.tolist() == [1, 3, 5, 7, 9, 10, 10]
