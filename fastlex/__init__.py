"""fastlex: the tokens of Ruby source at C speed, for Python tools.

    >>> import fastlex
    >>> toks = fastlex.tokenize("puts 'hi'")
    >>> [(t.type.name, t.string) for t in toks][:2]
    [('IDENTIFIER', 'puts'), ('STRING_BEGIN', "'")]

``tokenize(src)`` lexes ``str`` or ``bytes`` (UTF-8) and returns ``Tokens``,
a read-only sequence of ``Token`` (shaped like ``tokenize.TokenInfo``) with
bulk ``kinds``/``starts``/``ends`` buffers, ``errors`` and ``stats``.
``Lexer`` is the reusable form for batches of files.
"""
import os as _os
import sys as _sys

from fastlex._core import LANGUAGES, MAX_SOURCE_BYTES, Column, GrammarInfo, Lexer, Source, Token, Tokens
from fastlex.errors import LexError, LexMemoryError
from fastlex.kinds import Kind

__version__ = "0.1.0"

__all__ = [
    "tokenize", "tokenize_many", "Lexer", "Tokens", "Token", "Kind", "LexError",
    "LexMemoryError", "MAX_SOURCE_BYTES", "Column", "Source", "LANGUAGES", "GrammarInfo",
]


def _report_alloc_stats(tokens):
    """Print one call's allocation statistics to stderr (FASTLEX_ALLOC_STATS=1)."""
    s = tokens.stats
    r, p, ln = s["region"], s["pool"], s["lines"]
    print(
        f"fastlex: {s['source_bytes']} bytes, {s['tokens']} tokens: {s['mallocs']} mallocs, "
        f"peak {s['peak_bytes']} bytes; region {r['chunks']} chunks, {r['bytes_used']}/{r['bytes_reserved']} "
        f"bytes used, {r['mallocs']} mallocs; pool {p['names']} names in {p['capacity']} slots, "
        f"{p['resizes']} resizes, {p['probes']} probes; lines {ln['count']}/{ln['capacity']}, "
        f"{ln['reallocs']} reallocs",
        file=_sys.stderr,
    )


def tokenize(src, *, language="ruby", memory_limit=None):
    """Tokens of the source ``src`` (str, or bytes of UTF-8) in ``language`` (``LANGUAGES``
    lists them; Ruby by default), in source order.

    A fresh Lexer does the work, so the result owns its memory and never
    expires. ``memory_limit`` (bytes) bounds what the core may hold; past it
    LexMemoryError is raised. Malformed input never raises: see ``Tokens.errors``.
    """
    tokens = Lexer(language=language).tokenize(src, memory_limit=memory_limit)
    if _os.environ.get("FASTLEX_ALLOC_STATS"):
        _report_alloc_stats(tokens)
    return tokens


def tokenize_many(items, *, language="ruby", workers=None, memory_limit=None):
    """Tokens for many sources, on worker threads, in input order.

    ``items`` holds str/bytes sources or ``os.PathLike`` paths (read as bytes,
    inside the workers). Each worker thread reuses one Lexer and copies each
    result out into an exactly sized block, so results own their memory and
    never expire; the scan runs without the GIL, so the threads lex in parallel.
    ``workers`` defaults to the CPU count. Results equal
    ``[tokenize(x) for x in items]`` (their ``stats`` describe the worker's scan);
    the first failure in input order is raised.
    """
    from fastlex._threads import tokenize_many as _many
    return _many(items, language=language, workers=workers, memory_limit=memory_limit)
