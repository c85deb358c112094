"""Bounded hypothesis fuzzing of the Python-facing paths over the core's records: Token
positions and lines through the character converter, the Pygments stream, the Arrow export,
fastlex.arrow.tokenize_table over sliced tables with nulls, and tokenize_many, each against a
plain Python reference. ``FASTLEX_FUZZ_EXAMPLES`` raises the number of examples (run it under
the sanitized build as fuzz/README.md says)."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastlex

EXAMPLES = int(os.environ.get("FASTLEX_FUZZ_EXAMPLES", "0")) or None

# Ruby-ish text: code characters, delimiters, newlines, and characters of every UTF-8 width.
ALPHABET = st.sampled_from(list("ab_1 \n\t\"'`#{}()[]:%/\\<=?@$.,;+-*|&^~") +
                           ["\u00e9", "\u20ac", "\u65e5", "\U0001F600", "\r", "\0", "\ud800"])
TEXT = st.lists(ALPHABET, max_size=300).map("".join)


def fuzz_settings(f):
    return settings(max_examples=EXAMPLES)(f) if EXAMPLES else f


def char_positions(text):
    """byte offset -> (line, column in code points) at every character boundary."""
    out, line, col, offset = {}, 1, 0, 0
    for ch in text:
        out[offset] = (line, col)
        offset += len(ch.encode("utf-8", "surrogatepass"))
        line, col = (line + 1, 0) if ch == "\n" else (line, col + 1)
    out[offset] = (line, col)
    return out


@fuzz_settings
@given(TEXT)
def test_positions_and_lines(text):
    toks = fastlex.tokenize(text)
    ref = char_positions(text)
    data = text.encode("utf-8", "surrogatepass")
    for tok in toks:
        assert tok.start == ref[tok.start_offset]
        last = tok.end_offset - 1 if tok.end_offset > tok.start_offset else tok.start_offset
        lo = data.rfind(b"\n", 0, tok.start_offset) + 1
        hi = data.find(b"\n", last)
        hi = len(data) if hi < 0 else hi + 1
        assert tok.line == data[lo:hi].decode("utf-8", "surrogatepass")
    for err in toks.errors:
        assert 0 <= err.offset <= len(data)


@fuzz_settings
@given(TEXT)
def test_pygments_stream_covers_text(text):
    pytest.importorskip("pygments")
    from fastlex.pygments import RubyLexer
    items = list(RubyLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in items) == text
    pos = 0
    for index, _, value in items:
        assert index == pos
        pos += len(value)


@fuzz_settings
@given(st.lists(st.one_of(st.none(), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))), max_size=12),
       st.integers(0, 6), st.integers(0, 12))
def test_arrow_paths(rows, lo, length):
    pa = pytest.importorskip("pyarrow")
    import fastlex.arrow
    table = pa.table({"content": pa.array(rows, pa.binary())}).slice(lo, length)
    out = fastlex.arrow.tokenize_table(table)
    for src, toks, errs in zip(table.column("content").to_pylist(), out.column("tokens").to_pylist(),
                               out.column("errors").to_pylist()):
        if src is None:
            assert toks is None and errs is None
            continue
        t = fastlex.tokenize(src)
        assert [(d["kind"], d["start"], d["end"]) for d in toks] == list(zip(t.kinds, t.starts, t.ends))
        assert [(e["offset"], e["message"]) for e in errs] == [(e.offset, e.message) for e in t.errors]
        arr = pa.array(t)
        assert arr.field("start").to_pylist() == list(t.starts)


@fuzz_settings
@given(st.lists(TEXT, max_size=20), st.integers(1, 3))
def test_tokenize_many_paths(texts, workers):
    results = fastlex.tokenize_many(texts, workers=workers)
    for text, r in zip(texts, results):
        t = fastlex.tokenize(text)
        assert list(r.kinds) == list(t.kinds) and list(r.ends) == list(t.ends)
        assert [tuple(e) for e in r.errors] == [tuple(e) for e in t.errors]
        assert [(x.start, x.end, x.string) for x in r] == [(x.start, x.end, x.string) for x in t]
