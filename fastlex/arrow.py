"""fastlex.arrow: lex a column of source text in an Arrow table, Arrow in and Arrow out.

    >>> import pyarrow as pa, fastlex.arrow
    >>> table = pa.table({"path": ["a.rb"], "content": ["puts 1\\n"]})
    >>> fastlex.arrow.tokenize_table(table).column_names
    ['path', 'content', 'tokens', 'errors']

The sources are read straight from the column's data buffer (no ``str`` or ``bytes`` per row),
lexed with the GIL released for the whole batch by one reused Lexer, and the token columns are
handed to pyarrow as buffers: no Python object per token or per row. This is what data
engines exchange (Spark's ``mapInArrow``, Ray Data's ``map_batches``, Dask partitions, Hugging
Face ``datasets``): see the README for each. Needs pyarrow (``pip install 'fastlex[arrow]'``);
the rest of fastlex does not.
"""
try:
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - exercised only without pyarrow
    raise ImportError("fastlex.arrow needs pyarrow: pip install 'fastlex[arrow]'") from exc

from fastlex._core import LANGUAGES, Lexer, grammar_info, lex_arrow_rows

__all__ = ["TOKEN_TYPE", "ERROR_TYPE", "LANGUAGES", "tokenize_table", "tokenize_array"]

#: One token: its fastlex.Kind value and its UTF-8 byte span [start, end) in the source.
TOKEN_TYPE = pa.struct([("kind", pa.uint16()), ("start", pa.uint32()), ("end", pa.uint32())])
#: One lexing error: the byte offset and the message of a fastlex.LexError.
ERROR_TYPE = pa.struct([("offset", pa.uint32()), ("message", pa.string())])

# Offsets of list arrays are int32 until the values outgrow them: then large_list (int64).
_INT32_MAX = 2**31 - 1
_TEXT_TYPES = {  # Arrow type id test -> offset width of its offsets buffer
    pa.types.is_string: 4, pa.types.is_binary: 4,
    pa.types.is_large_string: 8, pa.types.is_large_binary: 8,
}
_MESSAGES = {}    # language -> its error messages as a string array indexed by code, for a take()


def _messages(language):
    """The error messages of a language's grammar as an Arrow string array indexed by code."""
    arr = _MESSAGES.get(language)
    if arr is None:
        messages = grammar_info(language).error_messages
        arr = _MESSAGES[language] = pa.array(
            [messages.get(code, "error") for code in range(max(messages, default=0) + 1)], pa.string())
    return arr


def _offset_width(arr):
    """4 or 8 for the text types whose buffers the lexer reads; others are cast first."""
    for test, width in _TEXT_TYPES.items():
        if test(arr.type):
            return width
    return None


def _as_text_array(arr, column):
    """arr as string/binary/large_* (view, dictionary and other text-like types are cast)."""
    if _offset_width(arr) is not None:
        return arr
    t = arr.type
    if pa.types.is_dictionary(t):
        return _as_text_array(arr.dictionary_decode(), column)
    if getattr(pa.types, "is_string_view", lambda _t: False)(t) or getattr(pa.types, "is_binary_view", lambda _t: False)(t):
        return arr.cast(pa.large_binary())
    if pa.types.is_null(t):
        return arr.cast(pa.binary())
    raise TypeError(f"fastlex.arrow: column {column!r} holds {t}, not source text (string or binary)")


def _bytes_view(buffer):
    """An Arrow buffer as unsigned bytes, no copy (pyarrow exports them as signed chars)."""
    return memoryview(buffer).cast("B") if buffer is not None else None


def _list_array(offsets_buffer, rows, values, mask):
    """A list (or large_list when the values need 64-bit offsets) array over values."""
    offsets = pa.Array.from_buffers(pa.int64(), rows + 1, [None, pa.py_buffer(offsets_buffer)])
    if len(values) <= _INT32_MAX:
        return pa.ListArray.from_arrays(offsets.cast(pa.int32()), values, mask=mask)
    return pa.LargeListArray.from_arrays(offsets, values, mask=mask)


def tokenize_array(arr, *, language="ruby", memory_limit=None, lexer=None):
    """Lex every row of ``arr`` (a pyarrow string/binary Array or ChunkedArray of sources):
    ``(tokens, errors)`` arrays of ``list<TOKEN_TYPE>`` and ``list<ERROR_TYPE>``, null where
    the source is null. Equal, row for row, to ``fastlex.tokenize(source)``'s ``kinds``,
    ``starts``, ``ends`` and ``[(e.offset, e.message) for e in errors]``."""
    _check_language(language)
    if isinstance(arr, pa.ChunkedArray):
        pairs = [tokenize_array(chunk, language=language, memory_limit=memory_limit, lexer=lexer)
                 for chunk in arr.chunks]
        if not pairs:
            return (pa.chunked_array([], pa.list_(TOKEN_TYPE)), pa.chunked_array([], pa.list_(ERROR_TYPE)))
        return (_chunked([p[0] for p in pairs]), _chunked([p[1] for p in pairs]))
    if not isinstance(arr, pa.Array):
        raise TypeError(f"fastlex.arrow.tokenize_array() expects a pyarrow Array or ChunkedArray, not {type(arr).__name__}")
    arr = _as_text_array(arr, "array")
    width = _offset_width(arr)
    validity, offsets, data = arr.buffers()[:3]
    if lexer is None:
        lexer = Lexer(language=language)
    out = lex_arrow_rows(lexer, _bytes_view(data), _bytes_view(offsets), width,
                         _bytes_view(validity) if arr.null_count else None, arr.offset, len(arr), memory_limit)
    rows = len(arr)
    mask = arr.is_null() if arr.null_count else None
    n = len(out["kinds"])
    kinds = pa.Array.from_buffers(pa.uint16(), n, [None, pa.py_buffer(out["kinds"])])
    starts = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(out["starts"])])
    ends = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(out["ends"])])
    tokens = _list_array(out["token_offsets"], rows,
                         pa.StructArray.from_arrays([kinds, starts, ends], fields=list(TOKEN_TYPE)), mask)
    k = len(out["error_positions"])
    positions = pa.Array.from_buffers(pa.uint32(), k, [None, pa.py_buffer(out["error_positions"])])
    codes = pa.Array.from_buffers(pa.uint32(), k, [None, pa.py_buffer(out["error_codes"])])
    messages = _messages(language).take(codes)
    errors = _list_array(out["error_offsets"], rows,
                         pa.StructArray.from_arrays([positions, messages], fields=list(ERROR_TYPE)), mask)
    return tokens, errors


def _chunked(arrays):
    """One ChunkedArray of list arrays, all of one type (large_list if any chunk needs it)."""
    if any(pa.types.is_large_list(a.type) for a in arrays):
        arrays = [a.cast(pa.large_list(a.type.value_type)) for a in arrays]
    return pa.chunked_array(arrays)


def _check_language(language):
    """ValueError (TypeError) for a language fastlex does not know."""
    grammar_info(language)


def tokenize_table(table, *, column="content", language="ruby", memory_limit=None):
    """``table`` (a pyarrow Table or RecordBatch) with two columns appended:

    - ``tokens``: ``list<struct<kind: uint16, start: uint32, end: uint32>>``, one list per row:
      the row's tokens as ``fastlex.tokenize`` gives them (kinds are ``fastlex.Kind`` values,
      start/end UTF-8 byte offsets into the row's source);
    - ``errors``: ``list<struct<offset: uint32, message: string>>``, its ``Tokens.errors``.

    ``column`` holds the sources (string or binary, large or not; nulls give null lists). The
    lists are ``large_list`` when a chunk's tokens outgrow 32-bit offsets. Raises TypeError
    for a non-Arrow table or a non-text column, KeyError for a missing column, ValueError
    for an unknown language, LexMemoryError past ``memory_limit`` (bytes, per source).
    """
    _check_language(language)
    if not isinstance(table, (pa.Table, pa.RecordBatch)):
        raise TypeError(f"fastlex.arrow.tokenize_table() expects a pyarrow Table or RecordBatch, "
                        f"not {type(table).__name__}")
    if column not in table.column_names:
        raise KeyError(f"fastlex.arrow: the table has no column {column!r} (columns: {table.column_names})")
    for name in ("tokens", "errors"):
        if name in table.column_names:
            raise ValueError(f"fastlex.arrow: the table already has a column {name!r}")
    tokens, errors = tokenize_array(table.column(column), language=language, memory_limit=memory_limit)
    if isinstance(table, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(list(table.columns) + [tokens, errors],
                                          schema=table.schema.append(pa.field("tokens", tokens.type))
                                          .append(pa.field("errors", errors.type)))
    return table.append_column("tokens", tokens).append_column("errors", errors)
