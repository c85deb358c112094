"""The public API exactly as documented: names, types, buffers, errors, stats, CLI, allocations."""
import array
import ctypes
import enum
import glob
import hashlib
import os
import subprocess
import sys

import pytest

import fastlex
from fastlex import Kind
from fastlex.kinds import Kind as KindFromModule

CORPUS_DIR = "/usr/lib/ruby/3.1.0"
SAMPLE = os.path.join(os.path.dirname(fastlex.__file__), "samples", "sample.rb")


def megabyte_of_ruby():
    """At least 1 MiB of real Ruby: stdlib files concatenated (the shipped sample repeated if absent)."""
    files = sorted(glob.glob(os.path.join(CORPUS_DIR, "**", "*.rb"), recursive=True)) or [SAMPLE]
    parts, size = [], 0
    while size < 1 << 20:
        for path in files:
            with open(path, "rb") as f:
                parts.append(f.read())
            size += len(parts[-1])
            if size >= 1 << 20:
                break
    return b"".join(parts)


def test_public_names():
    """The documented names exist and are the documented kinds of object."""
    assert callable(fastlex.tokenize) and callable(fastlex.tokenize_many)
    assert isinstance(fastlex.Lexer, type)
    assert fastlex.Kind is KindFromModule
    assert issubclass(Kind, enum.IntEnum)
    assert issubclass(fastlex.LexMemoryError, MemoryError)
    assert fastlex.MAX_SOURCE_BYTES == 2**32 - 2
    for name in fastlex.__all__:
        assert hasattr(fastlex, name), name


def test_tokenize_returns_tokens():
    """tokenize gives a Tokens of Token objects whose type is a Kind member."""
    toks = fastlex.tokenize("puts 'hi'\n")
    assert isinstance(toks, fastlex.Tokens)
    tok = toks[0]
    assert isinstance(tok, fastlex.Token)
    assert type(tok.type) is Kind and tok.type is Kind.IDENTIFIER
    assert isinstance(tok.type, int) and tok.type == Kind.IDENTIFIER.value
    assert tok.exact_type is tok.type
    assert [t.type.name for t in toks] == [
        "IDENTIFIER", "STRING_BEGIN", "STRING_CONTENT", "STRING_END", "NEWLINE", "EOF"]


def test_token_unpacks_as_5_tuple():
    """A Token unpacks like tokenize.TokenInfo: (type, string, start, end, line)."""
    tok = fastlex.tokenize("x = 1\ny")[2]
    kind, string, start, end, line = tok
    assert (kind, string, start, end, line) == (Kind.INTEGER, "1", (1, 4), (1, 5), "x = 1\n")
    assert len(tok) == 5
    assert tok[0] is Kind.INTEGER and tok[-1] == "x = 1\n"
    assert tuple(tok) == (Kind.INTEGER, "1", (1, 4), (1, 5), "x = 1\n")
    assert tok == (Kind.INTEGER, "1", (1, 4), (1, 5), "x = 1\n")
    assert (tok.start_offset, tok.end_offset) == (4, 5)


def test_token_equality_and_hash():
    """Equal tokens from two lexes compare equal and hash alike."""
    a = fastlex.tokenize("foo bar")[1]
    b = fastlex.tokenize("foo bar")[1]
    assert a == b and hash(a) == hash(b)
    assert a != fastlex.tokenize("foo bar")[0]
    assert "IDENTIFIER" in repr(a) and "'bar'" in repr(a)


@pytest.mark.parametrize("name,itemsize,fmt", [("kinds", 2, "H"), ("starts", 4, "I"), ("ends", 4, "I")])
def test_columns_are_buffers(name, itemsize, fmt):
    """kinds/starts/ends export the buffer protocol with item sizes 2/4/4, read-only."""
    toks = fastlex.tokenize("a = [1, 2]\n")
    col = getattr(toks, name)
    view = memoryview(col)
    assert view.itemsize == itemsize
    assert view.format == fmt
    assert view.ndim == 1 and view.shape == (len(toks),)
    assert view.readonly
    assert len(col) == len(toks)
    assert col.tolist() == view.tolist()
    with pytest.raises(TypeError):
        view[0] = 0


@pytest.mark.parametrize("name,code", [("kinds", "H"), ("starts", "I"), ("ends", "I")])
@pytest.mark.parametrize("src", ["a = [1, 2]\n", "x.y(1)\n" * 3000])
def test_columns_are_contiguous_for_every_consumer(name, code, src):
    """A column is one contiguous array: consumers asking for a simple buffer (hashlib) or a
    contiguous one (bytes, memoryview.cast) read the same values as a memoryview; no consumer
    may write to it. The second source fills more than its first region chunk, so its column
    is gathered."""
    lexer = fastlex.Lexer()
    toks = lexer.tokenize(src)
    col = getattr(toks, name)
    view = memoryview(col)
    assert view.c_contiguous and view.strides == (view.itemsize,)
    assert col.zero_copy == (toks.stats["region"]["chunks"] == 1)
    assert len(src) < 100 or not col.zero_copy
    assert array.array(code, bytes(col)).tolist() == view.tolist() == col.tolist()
    assert view.cast("B").cast(code).tolist() == col.tolist()
    assert hashlib.sha1(col).digest() == hashlib.sha1(view.tobytes()).digest()   # a PyBUF_SIMPLE request
    with pytest.raises((BufferError, TypeError)):
        ctypes.c_char.from_buffer(col)          # a writable request


def test_columns_content():
    """The columns hold each token's kind value and byte offsets."""
    src = "é = :x"
    toks = fastlex.tokenize(src)
    assert memoryview(toks.kinds).tolist() == [t.type.value for t in toks]
    assert memoryview(toks.starts).tolist() == [t.start_offset for t in toks] == [0, 3, 5, 6, 7]   # : and x (prism)
    assert memoryview(toks.ends).tolist() == [t.end_offset for t in toks] == [2, 4, 6, 7, 7]


def test_columns_outlive_tokens_object():
    """A memoryview of a column keeps what it needs alive after the Tokens is dropped."""
    toks = fastlex.tokenize("a b c")
    view = memoryview(toks.starts)
    del toks
    assert view.tolist() == [0, 2, 4, 5]


def test_errors_entries():
    """Tokens.errors entries have offset, line, column and message."""
    toks = fastlex.tokenize('x = 1\n  "abc')
    assert len(toks.errors) == 1
    err = toks.errors[0]
    assert isinstance(err, fastlex.LexError)
    assert (err.offset, err.line, err.column) == (8, 2, 2)
    assert "unterminated" in err.message
    offset, line, column, message = err
    assert (offset, line, column, message) == (err.offset, err.line, err.column, err.message)
    assert fastlex.tokenize("x = 1").errors == []


def test_names_interned_on_first_use():
    """Names the scan does not look up (constants, symbols, labels, variables with sigils, method
    names after . and def) are interned by the Python layer when first read: one str per name."""
    src = "A = A\n:s; :s\n@a; @a; $g; $g\nx.m; x.m; def m; end\nh = {k: 1, k: 2}\nA::B; A::B\n"
    tokens = fastlex.tokenize(src)
    assert tokens.stats["pool"]["names"] == 2       # x and h, looked up as possible locals
    first = {}
    for tok in tokens:
        if tok.type in (fastlex.Kind.CONSTANT, fastlex.Kind.LABEL, fastlex.Kind.INSTANCE_VARIABLE,
                        fastlex.Kind.GLOBAL_VARIABLE, fastlex.Kind.METHOD_NAME, fastlex.Kind.IDENTIFIER):
            assert tok.string is first.setdefault(tok.string, tok.string)
    assert set(first) == {"A", "B", "s", "@a", "$g", "x", "m", "h", "k:"}     # prism: :s is : and s
    again = fastlex.tokenize(src)
    assert [t.string for t in again] == [t.string for t in tokens]


def test_stats_shape():
    """Tokens.stats holds at least the documented counters, as ints."""
    stats = fastlex.tokenize("def f(x) = x * 2\n").stats
    required = {
        "region": {"mallocs", "chunks", "bytes_reserved", "bytes_used"},
        "pool": {"names", "capacity", "resizes"},
        "lines": {"count", "capacity", "reallocs"},
    }
    for section, keys in required.items():
        assert keys <= set(stats[section]), (section, set(stats[section]))
        for key in keys:
            assert isinstance(stats[section][key], int)
    assert isinstance(stats["mallocs"], int)
    assert stats["pool"]["names"] == 1          # x: the scan interns only names that may be locals
    assert stats["lines"]["count"] == 2
    assert stats["region"]["bytes_used"] <= stats["region"]["bytes_reserved"]


def test_one_megabyte_file_allocations():
    """A 1 MiB real file is lexed in at most 16 mallocs; a reused Lexer then needs none for it."""
    data = megabyte_of_ruby()
    assert len(data) >= 1 << 20
    toks = fastlex.tokenize(data)
    assert toks.stats["source_bytes"] == len(data)
    assert toks.stats["mallocs"] <= 16, toks.stats
    lexer = fastlex.Lexer()
    first = lexer.tokenize(data)
    assert first.stats["mallocs"] <= 16, first.stats
    again = lexer.tokenize(data)
    assert again.stats["mallocs"] == 0, again.stats
    assert again.stats["region"]["mallocs"] == 0
    assert again.stats["lines"]["reallocs"] == 0
    assert len(again) == len(toks)


def test_lexer_reuse_and_expiry():
    """A Lexer's Tokens expire at its next call; fastlex.tokenize results never do."""
    lexer = fastlex.Lexer()
    a = lexer.tokenize("a + b")
    assert [t.string for t in a] == ["a", "+", "b", ""]
    b = lexer.tokenize("c")
    assert [t.string for t in b] == ["c", ""]
    with pytest.raises(RuntimeError):
        a[0]
    with pytest.raises(RuntimeError):
        iter(a)
    with pytest.raises(RuntimeError):
        a.kinds
    kept = fastlex.tokenize("x")
    fastlex.tokenize("y")
    assert kept[0].string == "x"


def test_lexer_memory_limit():
    """A memory limit too small raises LexMemoryError naming the phase; the Lexer stays usable."""
    lexer = fastlex.Lexer(memory_limit=64)
    with pytest.raises(fastlex.LexMemoryError) as info:
        lexer.tokenize("x = 1\n" * 1000)
    assert "limit" in str(info.value) and info.value.phase
    assert isinstance(info.value, MemoryError)
    assert [t.string for t in lexer.tokenize("y", memory_limit=1 << 20)] == ["y", ""]
    with pytest.raises(TypeError):
        fastlex.Lexer(memory_limit="1")
    with pytest.raises(ValueError):
        fastlex.tokenize("x", memory_limit=0)


def test_region_false_same_tokens():
    """Lexer(region=False) (malloc per token, for measurement) gives the same tokens."""
    src = megabyte_of_ruby()[:20000]
    fast = fastlex.tokenize(src)
    slow = fastlex.Lexer(region=False).tokenize(src)
    assert memoryview(slow.kinds).tolist() == memoryview(fast.kinds).tolist()
    assert memoryview(slow.starts).tolist() == memoryview(fast.starts).tolist()
    assert slow.stats["mallocs"] > fast.stats["mallocs"]


def test_tokenize_many_matches_tokenize(tmp_path):
    """tokenize_many gives, in input order, what tokenize gives, for sources and paths."""
    path = tmp_path / "x.rb"
    path.write_bytes(b"def f; end\n")
    items = ["a = 1", b"b = 2", path, "c"]
    results = fastlex.tokenize_many(items, workers=2)
    expected = [fastlex.tokenize(x) for x in ["a = 1", b"b = 2", b"def f; end\n", "c"]]
    assert [[t.string for t in r] for r in results] == [[t.string for t in e] for e in expected]


def test_cli_tokens(tmp_path):
    """python -m fastlex tokens FILE prints one 'line:col KIND 'text'' line per token."""
    path = tmp_path / "a.rb"
    path.write_bytes('x = "é"\n'.encode())
    out = subprocess.run([sys.executable, "-m", "fastlex", "tokens", str(path)], capture_output=True,
                         text=True, check=True, cwd=os.path.dirname(os.path.dirname(fastlex.__file__))).stdout
    assert out.splitlines() == [
        "1:0 IDENTIFIER 'x'",
        "1:2 EQUAL '='",
        "1:4 STRING_BEGIN '\"'",
        "1:5 STRING_CONTENT 'é'",
        "1:7 STRING_END '\"'",
        "1:8 NEWLINE '\\n'",
        "1:8 EOF '\\n'",
    ]


def test_cli_tokens_missing_file(tmp_path):
    """A missing file is reported on stderr with a non-zero status."""
    proc = subprocess.run([sys.executable, "-m", "fastlex", "tokens", str(tmp_path / "nope.rb")],
                          capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(fastlex.__file__)))
    assert proc.returncode != 0
    assert "nope.rb" in proc.stderr
