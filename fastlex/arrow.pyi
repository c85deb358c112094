"""Type stubs for fastlex.arrow (lex a column of source text in an Arrow table).

pyarrow ships no type information (no stubs, no py.typed), so under mypy its names are
``Any`` unless the caller's configuration finds stubs for it (the ``pyarrow-stubs``
package, say): the signatures below then become exact. A project that imports
``pyarrow`` itself under ``mypy --strict`` needs, without such stubs::

    [[tool.mypy.overrides]]
    module = ["pyarrow", "pyarrow.*"]
    ignore_missing_imports = true
"""
from typing import Any, TypeVar

import pyarrow as pa

from fastlex._core import Lexer

__all__ = ["TOKEN_TYPE", "ERROR_TYPE", "LANGUAGES", "tokenize_table", "tokenize_array"]

# Table in, Table out; RecordBatch in, RecordBatch out (Array and ChunkedArray alike). A
# value-constrained TypeVar says that as overloads would, and stays valid while pyarrow's
# names are Any (overloads on two Any parameter types are rejected by mypy as overlapping).
_TableOrBatch = TypeVar("_TableOrBatch", pa.Table, pa.RecordBatch)
_ArrayOrChunked = TypeVar("_ArrayOrChunked", pa.Array[Any], pa.ChunkedArray[Any])

TOKEN_TYPE: pa.StructType
ERROR_TYPE: pa.StructType
LANGUAGES: dict[str, str]

def tokenize_table(
    table: _TableOrBatch,
    *,
    column: str = "content",
    language: str = "ruby",
    memory_limit: int | None = None,
) -> _TableOrBatch: ...
def tokenize_array(
    arr: _ArrayOrChunked,
    *,
    language: str = "ruby",
    memory_limit: int | None = None,
    lexer: Lexer | None = None,
) -> tuple[_ArrayOrChunked, _ArrayOrChunked]: ...
