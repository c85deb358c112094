"""Property tests: invariants of fastlex's tokens on generated Ruby-ish text and corpus snippets.

Whatever the input (valid Ruby or not), the tokens must be ordered, non-overlapping,
within the source, separated only by white space; str and bytes input must agree;
positions must match a slow Python reimplementation; a reused Lexer must give what
a fresh one gives; Tokens must behave as a sequence; names must be interned.
Hypothesis settings come from tests/conftest.py (seeded and bounded by default).
"""
import bisect
import functools
import os
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fastlex
from fastlex import Kind
from lexcheck import eof_start

# --- strategies ---------------------------------------------------------------

NAMES = st.one_of(
    st.sampled_from(["foo", "x", "y", "_", "Bar", "FOO", "@iv", "@@cv", "$g", "$1", "$&", "$-w", "é", "naïve",
                     "Été", "foo?", "bar!", "foo=", "__END__", "__FILE__", "a1", "日本"]),
    st.text(alphabet="abcXYZ_09", min_size=1, max_size=6),
)
KEYWORDS = st.sampled_from([
    "def", "end", "if", "unless", "do", "class", "module", "case", "in", "when", "then", "else", "begin",
    "rescue", "ensure", "while", "until", "self", "nil", "true", "defined?", "BEGIN", "END", "return",
    "yield", "and", "or", "not", "alias", "=begin", "=end", "__END__"])
OPERATORS = st.sampled_from([
    "+", "-", "*", "**", "/", "%", "=", "==", "===", "=~", "!~", "=>", "->", "&.", "...", "..", "::", ":",
    "?", "(", ")", "[", "]", "{", "}", "|", "||", "&", "&&", "<<", "<", "<=>", ">=", ">>", ",", ";", ".",
    "!", "~", "^", "#", "\\", "`", "'", '"', "@", "$", "%w(", "%W[", "%i<", "%q{", "%Q|", "%(", "%r!",
    "%s(", "%x`", "?", "+=", "||=", "<<~EOS", "<<-A", "<<'B'", '<<"C"', "<<D", "#{", "#@", "#$", "}",
])
NUMBERS = st.sampled_from([
    "0", "1", "42", "1_000", "0x1F", "0b10", "0o17", "017", "1.5", "1e3", "1.5e-3", "3r", "2i", "1.5ri", "?a",
    "?\\n", "?あ", "1.", "0x", "1__2"])
SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\n", "\r\n", "\\\n", "\v", "\f", "\r", "\ufeff"])
PLAIN_TEXT = st.text(max_size=5)
ESCAPES = st.sampled_from(["\\n", "\\t", "\\\\", "\\\"", "\\u{1F600}", "\\u00e9", "\\x41", "\\101", "\\", "\\M-a"])


def string_literals(inner):
    """Quoted strings, symbols and regexps whose content mixes text, escapes and interpolation of inner."""
    content = st.lists(st.one_of(PLAIN_TEXT, ESCAPES, inner.map(lambda s: "#{" + s + "}"),
                                 NAMES.map(lambda s: "#" + s)), max_size=4).map("".join)
    opener = st.sampled_from(['"', "'", "`", ':"', "/", "%(", "%Q[", "%w(", "%I{"])
    closer = {'"': '"', "'": "'", "`": "`", ':"': '"', "/": "/", "%(": ")", "%Q[": "]", "%w(": ")", "%I{": "}"}
    return st.tuples(opener, content, st.booleans()).map(
        lambda t: t[0] + t[1] + (closer[t[0]] if t[2] else ""))


def heredocs(inner):
    """A heredoc start, the rest of its line, a body (maybe with interpolation) and maybe its terminator."""
    body = st.lists(st.one_of(PLAIN_TEXT, inner.map(lambda s: "#{" + s + "}"), st.just("\n")),
                    max_size=4).map("".join)
    return st.tuples(st.sampled_from(["<<A", "<<-A", "<<~A", "<<'A'", '<<"A"', "<<`A`"]),
                     st.sampled_from(["", ")", ", <<B", ".strip", " + x"]), body,
                     st.sampled_from(["\nA\n", "\n  A\n", "\nA", "\nA\nB\n", "\n", ""])).map(
        lambda t: t[0] + t[1] + "\n" + t[2] + t[3])


COMMENTS = st.one_of(
    PLAIN_TEXT.map(lambda s: "# " + s.replace("\n", "") + "\n"),
    st.just("=begin\nx\n=end\n"), st.just("# frozen_string_literal: true\n"), st.just("\n__END__\ndata"))

ATOMS = st.one_of(NAMES, KEYWORDS, OPERATORS, NUMBERS, SPACE, COMMENTS, PLAIN_TEXT, st.just("\ud800"))


def extend(inner):
    """Fragments that nest other fragments: string literals and heredocs."""
    code = st.lists(inner, max_size=4).map(" ".join)
    return st.one_of(inner, string_literals(code), heredocs(code))


FRAGMENTS = st.recursive(ATOMS, extend, max_leaves=12)
RUBYISH = st.lists(FRAGMENTS, max_size=30).map("".join)

# bytes: encoded fragments mixed with arbitrary bytes (invalid UTF-8, NUL, lone \r, BOMs).
RUBYISH_BYTES = st.lists(
    st.one_of(FRAGMENTS.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=4),
              st.sampled_from([b"\xef\xbb\xbf", b"\x00", b"\r", b"\xff", b"\xc3", b"\xed\xa0\x80"])),
    max_size=30).map(b"".join)


# --- corpus snippets ----------------------------------------------------------

CORPUS_DIR = "/usr/lib/ruby/3.1.0"
SAMPLE = os.path.join(os.path.dirname(fastlex.__file__), "samples", "sample.rb")


@functools.lru_cache(maxsize=None)
def corpus_files():
    """Ruby files to cut snippets from: the stdlib if installed, and the sample shipped in the package."""
    files = [SAMPLE]
    for root, _, names in os.walk(CORPUS_DIR):
        files += sorted(os.path.join(root, f) for f in names if f.endswith(".rb"))
    return files


@functools.lru_cache(maxsize=64)
def read(path):
    """The bytes of a file (cached)."""
    with open(path, "rb") as f:
        return f.read()


@st.composite
def corpus_snippets(draw):
    """A slice (up to 4 KB, cut at any byte) of a real Ruby file."""
    data = read(draw(st.sampled_from(corpus_files())))
    start = draw(st.integers(0, len(data)))
    length = draw(st.integers(0, 4096))
    return data[start:start + length]


# --- the slow reference -------------------------------------------------------

GAP = re.compile(rb"(?:[ \t\v\f\r\n]|\\\r?\n)*")
BOM = b"\xef\xbb\xbf"
NAME_KINDS = {Kind.IDENTIFIER, Kind.METHOD_NAME, Kind.CONSTANT, Kind.INSTANCE_VARIABLE, Kind.CLASS_VARIABLE,
              Kind.GLOBAL_VARIABLE, Kind.BACK_REFERENCE, Kind.NUMBERED_REFERENCE, Kind.LABEL}


def as_bytes(src):
    """The UTF-8 bytes fastlex lexes for src."""
    return src.encode("utf-8", "surrogatepass") if isinstance(src, str) else src


class SlowPositions:
    """Line/column of byte offsets, computed the obvious way (lines end at \\n only)."""

    def __init__(self, data, code_points):
        self.data = data
        self.code_points = code_points
        self.starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10]

    def line_index(self, offset):
        return bisect.bisect_right(self.starts, offset) - 1

    def width(self, a, b):
        if self.code_points:
            return len(self.data[a:b].decode("utf-8", "surrogatepass"))
        return b - a

    def at(self, offset):
        """(line from 1, column from 0) of offset."""
        li = self.line_index(offset)
        return (li + 1, self.width(self.starts[li], offset))

    def end(self, start, end):
        """The end position of token [start, end): just past its last byte, on that byte's line."""
        li = self.line_index(end - 1 if end > start else start)
        return (li + 1, self.width(self.starts[li], end))

    def physical_lines(self, start, end):
        """The whole lines holding bytes [start, end), newline included."""
        lo = self.starts[self.line_index(start)]
        hi = end
        if not (hi > lo and self.data[hi - 1] == 10):
            nl = self.data.find(b"\n", hi)
            hi = len(self.data) if nl < 0 else nl + 1
        return self.data[lo:hi]


def columns(tokens):
    """(kinds, starts, ends) of tokens as lists, read through the buffer protocol."""
    return (memoryview(tokens.kinds).tolist(), memoryview(tokens.starts).tolist(),
            memoryview(tokens.ends).tolist())


def snapshot(tokens):
    """Everything observable about tokens, as plain data (to compare results across calls)."""
    kinds, starts, ends = columns(tokens)
    toks = [(t.type, t.string, t.start, t.end, t.start_offset, t.end_offset) for t in tokens]
    return kinds, starts, ends, toks, list(tokens.errors)


def check_spans(data, kinds, starts, ends):
    """Spans are in order, non-overlapping, in bounds, end with EOF, and only white space lies between."""
    n = len(data)
    assert len(kinds) == len(starts) == len(ends) >= 1
    assert kinds[-1] == Kind.EOF and ends[-1] == n and starts[-1] == eof_start(data, kinds, starts)
    kinds, starts, ends = kinds[:-1], starts[:-1], ends[:-1]   # EOF may repeat the last newline's span
    prev = 0
    for k, s, e in zip(kinds, starts, ends):
        assert 0 <= s <= e <= n, (Kind(k).name, s, e, n)
        assert s < e or k == Kind.EOF, f"empty {Kind(k).name} token at {s}"
        assert s >= prev, f"{Kind(k).name} at {s} overlaps the previous token ending at {prev}"
        gap = data[prev:s]
        if prev == 0 and gap.startswith(BOM):
            gap = gap[len(BOM):]
        assert GAP.fullmatch(gap), f"non-blank bytes {gap!r} between tokens at {prev}..{s}"
        prev = e
    assert GAP.fullmatch(data[prev:n] if prev else data[prev:n].removeprefix(BOM)), "non-blank bytes after the last token"


def check_tokens(src, tokens):
    """All invariants of one result against the slow reference."""
    data = as_bytes(src)
    kinds, starts, ends = columns(tokens)
    check_spans(data, kinds, starts, ends)
    assert len(tokens) == len(kinds)
    ref = SlowPositions(data, isinstance(src, str))
    errors = "surrogatepass" if isinstance(src, str) else "surrogateescape"
    assert tokens.line_starts == ref.starts
    for tok, k, s, e in zip(tokens, kinds, starts, ends):
        assert tok.type is Kind(k)
        assert (tok.start_offset, tok.end_offset) == (s, e)
        assert tok.string == data[s:e].decode("utf-8", errors)
        assert tok.start == ref.at(s), (tok, s)
        assert tok.end == ref.end(s, e), (tok, s, e)
    for err in tokens.errors:
        assert 0 <= err.offset <= len(data)
        assert (err.line, err.column) == ref.at(err.offset)
        assert isinstance(err.message, str) and err.message


# --- properties ---------------------------------------------------------------

@given(RUBYISH)
def test_invariants_on_generated_str(src):
    """Generated Ruby-ish str input: ordered, in bounds, only white space between, positions right."""
    check_tokens(src, fastlex.tokenize(src))


@given(RUBYISH_BYTES)
def test_invariants_on_generated_bytes(data):
    """Generated bytes with invalid UTF-8, NULs, CRs and BOMs: the same invariants."""
    check_tokens(data, fastlex.tokenize(data))


@given(corpus_snippets())
def test_invariants_on_corpus_snippets(data):
    """Slices of real Ruby files, cut anywhere: the same invariants."""
    check_tokens(data, fastlex.tokenize(data))


@given(st.one_of(RUBYISH, corpus_snippets().map(lambda b: b.decode("utf-8", "replace"))))
def test_str_and_bytes_agree(src):
    """str and its UTF-8 bytes give the same kinds, byte spans and errors; columns differ only in unit."""
    data = as_bytes(src)
    ts, tb = fastlex.tokenize(src), fastlex.tokenize(data)
    assert columns(ts) == columns(tb)
    assert [e.offset for e in ts.errors] == [e.offset for e in tb.errors]
    assert [e.message for e in ts.errors] == [e.message for e in tb.errors]
    by_bytes = SlowPositions(data, code_points=False)
    for a, b in zip(ts, tb):
        assert a.string.encode("utf-8", "surrogatepass") == b.string.encode("utf-8", "surrogateescape")
        assert b.start == by_bytes.at(b.start_offset)
        assert a.start[0] == b.start[0] and a.end[0] == b.end[0]
        line_start = by_bytes.starts[a.start[0] - 1]
        assert a.start[1] == len(data[line_start:a.start_offset].decode("utf-8", "surrogatepass"))


@given(st.one_of(RUBYISH, RUBYISH_BYTES, corpus_snippets()))
def test_line_attribute(src):
    """Token.line is the physical line(s) holding the token."""
    data = as_bytes(src)
    ref = SlowPositions(data, isinstance(src, str))
    errors = "surrogatepass" if isinstance(src, str) else "surrogateescape"
    for tok in fastlex.tokenize(src):
        assert tok.line == ref.physical_lines(tok.start_offset, tok.end_offset).decode("utf-8", errors)


@given(st.one_of(RUBYISH, RUBYISH_BYTES, corpus_snippets()))
def test_position_method(src):
    """Tokens.position(offset) is the slow reference's (line, column) for every offset."""
    data = as_bytes(src)
    ref = SlowPositions(data, isinstance(src, str))
    tokens = fastlex.tokenize(src)
    for off in range(len(data) + 1):
        if isinstance(src, str) and 0 < off < len(data) and (data[off] & 0xC0) == 0x80:
            continue    # inside a character: no code-point column
        assert tokens.position(off) == ref.at(off)
    with pytest.raises(IndexError):
        tokens.position(len(data) + 1)
    with pytest.raises(IndexError):
        tokens.position(-1)


REUSED = fastlex.Lexer()


@given(st.lists(st.one_of(RUBYISH, RUBYISH_BYTES, corpus_snippets()), min_size=1, max_size=4))
def test_reused_lexer_matches_fresh(sources):
    """A Lexer reused across calls (one module-wide, fed everything) gives what a fresh one gives."""
    for src in sources:
        assert snapshot(REUSED.tokenize(src)) == snapshot(fastlex.tokenize(src))


@given(st.one_of(RUBYISH, corpus_snippets()), st.one_of(RUBYISH, corpus_snippets()))
def test_stale_tokens_raise(first, second):
    """Tokens from a reused Lexer expire at its next call; Token objects taken before stay valid."""
    lexer = fastlex.Lexer()
    old = lexer.tokenize(first)
    kept = list(old)
    kept_data = [(t.type, t.string, t.start, t.end) for t in kept]
    lexer.tokenize(second)
    for access in (lambda: old[0], lambda: list(old), lambda: old.kinds, lambda: old.starts,
                   lambda: old.ends, lambda: old.text(0), lambda: old.position(0), lambda: old.line_starts,
                   lambda: old[0:1], lambda: len(old)):
        with pytest.raises(RuntimeError):
            access()
    assert [(t.type, t.string, t.start, t.end) for t in kept] == kept_data


@given(st.one_of(RUBYISH, corpus_snippets()), st.data())
def test_sequence_behaviour(src, data):
    """len, indexing, negative indexing, slicing and iteration agree with each other."""
    tokens = fastlex.tokenize(src)
    listed = list(tokens)
    n = len(tokens)
    assert n == len(listed) == len(tokens.kinds)
    assert [tokens[i] for i in range(n)] == listed
    assert [tokens[i - n] for i in range(n)] == listed
    assert [tokens.text(i) for i in range(n)] == [t.string for t in listed]
    i = data.draw(st.integers(-n, n - 1))
    assert tokens[i] == listed[i]
    assert tuple(tokens[i]) == (listed[i].type, listed[i].string, listed[i].start, listed[i].end, listed[i].line)
    start = data.draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
    stop = data.draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
    step = data.draw(st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
    assert tokens[start:stop:step] == listed[start:stop:step]
    for bad in (n, -n - 1, n + 100):
        with pytest.raises(IndexError):
            tokens[bad]


@given(st.one_of(RUBYISH, RUBYISH_BYTES, corpus_snippets()))
def test_names_are_interned(src):
    """Tokens with the same name give the very same str object, however they are reached."""
    tokens = fastlex.tokenize(src)
    seen = {}
    for i, tok in enumerate(tokens):
        if tok.type in NAME_KINDS:
            name = tok.string
            first = seen.setdefault(name, name)
            assert name is first, f"{name!r} is not interned"
            assert tokens[i].string is first
