"""Type stubs for fastlex: the tokens of Ruby source at C speed.

The package's ``__init__.py`` imports its classes from the compiled ``fastlex._core``
(typed by ``_core.pyi``); this stub stands in for ``__init__.py`` so type checkers see
the public API whatever that module's own annotations are.
"""
import os
from collections.abc import Iterable

from fastlex._core import LANGUAGES as LANGUAGES
from fastlex._core import MAX_SOURCE_BYTES as MAX_SOURCE_BYTES
from fastlex._core import GrammarInfo as GrammarInfo
from fastlex._core import Column as Column
from fastlex._core import Lexer as Lexer
from fastlex._core import Source as Source
from fastlex._core import Token as Token
from fastlex._core import Tokens as Tokens
from fastlex.errors import LexError as LexError
from fastlex.errors import LexMemoryError as LexMemoryError
from fastlex.kinds import Kind as Kind

__version__: str

__all__ = [
    "tokenize", "tokenize_many", "Lexer", "Tokens", "Token", "Kind", "LexError",
    "LexMemoryError", "MAX_SOURCE_BYTES", "Column", "Source", "LANGUAGES", "GrammarInfo",
]

def tokenize(src: str | bytes, *, language: str = "ruby", memory_limit: int | None = None) -> Tokens: ...
def tokenize_many(
    items: Iterable[str | bytes | os.PathLike[str] | os.PathLike[bytes]],
    *,
    language: str = "ruby",
    workers: int | None = None,
    memory_limit: int | None = None,
) -> list[Tokens]: ...
