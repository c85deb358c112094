"""fastlex.tokenize_many: lexing many sources on a thread pool."""
import os
from concurrent.futures import ThreadPoolExecutor

from fastlex._core import Lexer


def _load(item):
    """The source an item stands for: str/bytes as given, a path read as bytes."""
    if isinstance(item, (str, bytes)):
        return item
    if isinstance(item, os.PathLike):
        with open(item, "rb") as f:
            return f.read()
    raise TypeError(f"tokenize_many() items must be str, bytes or os.PathLike, not {type(item).__name__}")


def _lex(item, memory_limit):
    """Tokens for one item, with a Lexer of its own (results must outlive the call)."""
    return Lexer().tokenize(_load(item), memory_limit=memory_limit)


def tokenize_many(items, *, workers=None, memory_limit=None):
    """Tokens for each item, in input order; the lexing runs on ``workers`` threads (default: CPU count)."""
    items = list(items)
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers == 1 or len(items) <= 1:
        return [_lex(item, memory_limit) for item in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fastlex") as pool:
        return list(pool.map(lambda item: _lex(item, memory_limit), items))
