"""Arrow: Tokens through the Arrow PyCapsule interface (pyarrow, polars, DuckDB take it as is),
and fastlex.arrow.tokenize_table over tables of sources, equal to fastlex.tokenize row by row.
pyarrow is a test dependency (in CI a missing pyarrow fails the import)."""
import gc
import sys

import pytest

import fastlex

pa = pytest.importorskip("pyarrow") if not __import__("os").environ.get("CI") else __import__("pyarrow")
import fastlex.arrow as fa  # noqa: E402

from corpus import corpus_files  # noqa: E402

SOURCES = [b"puts 'hi'\n", "caf\u00e9 = \"\u65e5\u672c\"\n".encode(), b"", b'x = "open', b"@ @ @\n", b"\xff\xfe bad\n",
           b"=begin\nx\n", b"def f(a) = a + 1\n" * 50]


def expected(src):
    t = fastlex.tokenize(src)
    return ([{"kind": k, "start": s, "end": e} for k, s, e in zip(t.kinds, t.starts, t.ends)],
            [{"offset": e.offset, "message": e.message} for e in t.errors])


# ---------------------------------------------------------------- Tokens.__arrow_c_array__

def test_tokens_to_pyarrow():
    src = "x = caf\u00e9(1, 2) # \u65e5\n"
    toks = fastlex.tokenize(src)
    arr = pa.array(toks)
    assert arr.type == fa.TOKEN_TYPE
    assert len(arr) == len(toks) and arr.null_count == 0
    assert arr.field("kind").to_pylist() == toks.kinds.tolist()
    assert arr.field("start").to_pylist() == toks.starts.tolist()
    assert arr.field("end").to_pylist() == toks.ends.tolist()


def test_arrow_array_outlives_tokens_and_releases_the_lexer():
    toks = fastlex.tokenize(b"a + b " * 1000)
    ref = toks.starts.tolist()
    arr = pa.array(toks)
    del toks
    gc.collect()
    assert arr.field("start").to_pylist() == ref


def test_arrow_export_counts_as_a_view_of_a_reused_lexer():
    """Like a memoryview of a column, a live Arrow array pins the Lexer's memory: a call that
    would have to free it refuses (BufferError) until the array is gone."""
    lexer = fastlex.Lexer()
    arr = pa.array(lexer.tokenize(b"xxxxxxxxx " * 100_000))
    with pytest.raises(BufferError):
        lexer.tokenize(b"y", memory_limit=20_000)
    del arr
    gc.collect()
    assert len(lexer.tokenize(b"y", memory_limit=20_000)) == 2


def test_unconsumed_capsules_are_released():
    lexer = fastlex.Lexer()
    toks = lexer.tokenize(b"x = 1\n" * 10_000)
    before = sys.getrefcount(lexer._store)
    for _ in range(100):
        schema, array = toks.__arrow_c_array__()
        del schema, array
    gc.collect()
    after = sys.getrefcount(lexer._store)
    assert after == before
    assert len(lexer.tokenize(b"y", memory_limit=20_000)) == 2   # no export left pinning memory


def test_large_source_gathered_columns_export():
    src = b"a " * 400_000                 # several region chunks: the columns are gathered copies
    toks = fastlex.tokenize(src)
    arr = pa.array(toks)
    assert arr.field("end").to_pylist()[-3:] == toks.ends.tolist()[-3:]


def test_polars_and_duckdb_take_tokens():
    toks = fastlex.tokenize(b"x = 1 + 2\n")
    pl = pytest.importorskip("polars")
    series = pl.Series(pa.array(toks))
    assert series.struct.field("kind").to_list() == toks.kinds.tolist()
    assert pl.from_arrow(pa.array(toks)).struct.field("start").to_list() == toks.starts.tolist()
    duckdb = pytest.importorskip("duckdb")
    tbl = pa.table({"tok": pa.array(toks)})  # noqa: F841  (DuckDB reads it by name)
    rows = duckdb.sql("select tok.kind, tok.start, tok.end from tbl").fetchall()
    assert rows == list(zip(toks.kinds, toks.starts, toks.ends))


# ---------------------------------------------------------------- tokenize_table

@pytest.mark.parametrize("text_type", [pa.binary(), pa.large_binary(), pa.string(), pa.large_string()])
def test_tokenize_table_types(text_type):
    srcs = [s for s in SOURCES]
    if pa.types.is_string(text_type) or pa.types.is_large_string(text_type):
        srcs = [s for s in srcs if _utf8(s)]
        values = [s.decode() for s in srcs]
    else:
        values = srcs
    table = pa.table({"id": list(range(len(values))), "content": pa.array(values, text_type)})
    out = fa.tokenize_table(table)
    assert out.column_names == ["id", "content", "tokens", "errors"]
    assert out.schema.field("tokens").type.value_type == fa.TOKEN_TYPE
    assert out.schema.field("errors").type.value_type == fa.ERROR_TYPE
    toks, errs = out.column("tokens").to_pylist(), out.column("errors").to_pylist()
    for src, t, e in zip(srcs, toks, errs):
        assert (t, e) == expected(src)


def _utf8(b):
    try:
        b.decode()
        return True
    except UnicodeDecodeError:
        return False


def test_tokenize_table_nulls_slices_chunks_and_batches():
    values = [b"a = 1\n", None, b"b(", None, b"", b"c.d\n"]
    arr = pa.array(values, pa.binary())
    table = pa.Table.from_batches([pa.record_batch({"content": arr}), pa.record_batch({"content": arr.slice(2)})])
    assert table.column("content").num_chunks == 2
    out = fa.tokenize_table(table)
    allv = values + values[2:]
    toks, errs = out.column("tokens").to_pylist(), out.column("errors").to_pylist()
    for v, t, e in zip(allv, toks, errs):
        if v is None:
            assert t is None and e is None
        else:
            assert (t, e) == expected(v)
    sliced = fa.tokenize_table(pa.table({"content": arr}).slice(2, 3))
    assert sliced.column("tokens").to_pylist() == [expected(v)[0] if v is not None else None for v in values[2:5]]
    batch = fa.tokenize_table(pa.record_batch({"content": arr}, ))
    assert isinstance(batch, pa.RecordBatch) and batch.num_rows == len(values)
    assert batch.column("tokens").to_pylist() == [expected(v)[0] if v is not None else None for v in values]
    empty = fa.tokenize_table(pa.table({"content": pa.array([], pa.string())}))
    assert empty.num_rows == 0 and empty.column_names == ["content", "tokens", "errors"]


def test_tokenize_table_other_text_types_are_cast():
    arr = pa.array(["x = 1\n", "y\n", "x = 1\n"]).dictionary_encode()
    out = fa.tokenize_table(pa.table({"src": arr}), column="src")
    assert out.column("tokens").to_pylist()[2] == expected(b"x = 1\n")[0]
    if hasattr(pa, "string_view"):
        out = fa.tokenize_table(pa.table({"content": pa.array(["a b\n"], pa.string_view())}))
        assert out.column("tokens").to_pylist()[0] == expected(b"a b\n")[0]


def test_tokenize_table_large_list_when_offsets_need_it(monkeypatch):
    """Lists switch to large_list past 32-bit offsets (simulated with a small threshold)."""
    monkeypatch.setattr(fa, "_INT32_MAX", 5)
    table = pa.Table.from_batches([pa.record_batch({"content": pa.array([b"x"], pa.binary())}),
                                   pa.record_batch({"content": pa.array([b"a b c d e f\n"], pa.binary())})])
    out = fa.tokenize_table(table)
    assert pa.types.is_large_list(out.schema.field("tokens").type)
    assert out.column("tokens").to_pylist() == [expected(b"x")[0], expected(b"a b c d e f\n")[0]]


def test_tokenize_table_argument_errors():
    table = pa.table({"content": ["x"], "n": [1]})
    with pytest.raises(TypeError, match="Table or RecordBatch"):
        fa.tokenize_table({"content": ["x"]})
    with pytest.raises(KeyError, match="nope"):
        fa.tokenize_table(table, column="nope")
    with pytest.raises(TypeError, match="not source text"):
        fa.tokenize_table(table, column="n")
    with pytest.raises(ValueError, match="unknown language"):
        fa.tokenize_table(table, language="cobol")
    with pytest.raises(ValueError, match="already has a column"):
        fa.tokenize_table(fa.tokenize_table(table))
    with pytest.raises(fastlex.LexMemoryError):
        fa.tokenize_table(pa.table({"content": [b"(" * 300_000]}), memory_limit=100_000)


def test_lex_arrow_rows_refuses_bad_offsets():
    """Offsets past the data, decreasing or negative (a malformed array from raw buffers), and
    buffers too short for the rows asked: ValueError, never a read out of bounds."""
    import array

    from fastlex._core import lex_arrow_rows
    lexer = fastlex.Lexer()
    for offsets in ([0, 2, 1000], [0, 2, 1], [-1, 2, 3]):
        with pytest.raises(ValueError, match="outside the data"):
            lex_arrow_rows(lexer, b"abc", bytes(array.array("i", offsets)), 4, None, 0, 2)
    with pytest.raises(ValueError, match="too short"):
        lex_arrow_rows(lexer, b"abc", bytes(array.array("i", [0, 3])), 4, None, 0, 2)
    with pytest.raises(ValueError, match="too short"):
        lex_arrow_rows(lexer, b"abc", bytes(array.array("q", [0, 3, 3])), 8, b"", 0, 2)
    with pytest.raises(ValueError, match="4 or 8"):
        lex_arrow_rows(lexer, b"abc", bytes(array.array("i", [0, 3])), 2, None, 0, 1)
    out = lex_arrow_rows(lexer, b"abc", bytes(array.array("i", [0, 1, 3])), 4, None, 0, 2)
    assert list(memoryview(out["token_offsets"])) == [0, 2, 4]


def test_tokenize_table_equals_tokenize_on_the_corpus():
    """Every file of Ruby's standard library: the table's tokens and errors equal tokenize's."""
    files = corpus_files()
    srcs = []
    for path in files:
        with open(path, "rb") as f:
            srcs.append(f.read())
    table = pa.table({"path": files, "content": pa.array(srcs, pa.binary())})
    out = fa.tokenize_table(table)
    tokens = out.column("tokens").combine_chunks()
    offsets = tokens.offsets.to_pylist()
    values = tokens.values
    kinds = values.field("kind").to_pylist()
    starts = values.field("start").to_pylist()
    ends = values.field("end").to_pylist()
    errs = out.column("errors").to_pylist()
    for i, src in enumerate(srcs):
        t = fastlex.tokenize(src)
        lo, hi = offsets[i], offsets[i + 1]
        assert kinds[lo:hi] == t.kinds.tolist(), files[i]
        assert starts[lo:hi] == t.starts.tolist() and ends[lo:hi] == t.ends.tolist(), files[i]
        assert [(e["offset"], e["message"]) for e in errs[i]] == [(e.offset, e.message) for e in t.errors]
