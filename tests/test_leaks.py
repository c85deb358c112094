"""No leaks: lexing a subset of the corpus over and over, every way the API allows,
keeps Python allocations (tracemalloc) and the process's RSS flat after warm-up.
The core allocates with malloc, which tracemalloc does not see: RSS covers it.
(fuzz/README.md documents a valgrind memcheck run for the C level.)
"""
import gc
import glob
import os
import tracemalloc

import fastlex
from test_memory import rss_bytes

CORPUS = "/usr/lib/ruby/3.1.0"
SAMPLE = os.path.join(os.path.dirname(fastlex.__file__), "samples", "sample.rb")


def subset():
    """Every 25th corpus file (about 35 files, 250 kB) plus the shipped sample and a few oddities."""
    paths = sorted(glob.glob(os.path.join(CORPUS, "**", "*.rb"), recursive=True))[::25] + [SAMPLE]
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(f.read())
    out += [b'"#{' * 500, b"\xff\xfe" * 100 + b"\r x", b"<<A\n" + b"x\n" * 100, "ünïcödé = '\udcff'\n"]
    return out


def one_round(sources, lexer):
    """Lex every source every way: fresh, reused Lexer, str, Token objects, columns, failures, threads."""
    for src in sources:
        tokens = fastlex.tokenize(src)
        for tok in tokens:
            tok.string, tok.start, tok.end
        memoryview(tokens.kinds).tolist()
        memoryview(tokens.starts).tobytes()
        tokens.errors, tokens.stats, tokens.line_starts
        reused = lexer.tokenize(src)
        reused[len(reused) // 2].line
        if isinstance(src, bytes):
            fastlex.tokenize(src.decode("utf-8", "surrogateescape"))
        try:
            fastlex.tokenize(src, memory_limit=2000)
        except fastlex.LexMemoryError:
            pass
    fastlex.tokenize_many(sources[:8], workers=2)


def test_repeated_lexing_is_flat():
    """After 3 warm-up rounds, 15 more rounds grow neither traced Python memory nor RSS beyond noise."""
    sources = subset()
    lexer = fastlex.Lexer()
    for _ in range(3):
        one_round(sources, lexer)
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    try:
        one_round(sources, lexer)
        gc.collect()
        traced_before, _ = tracemalloc.get_traced_memory()
        for _ in range(15):
            one_round(sources, lexer)
        gc.collect()
        traced_after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_grown = rss_bytes() - rss_before
    # One round lexes ~1 MB of sources several ways; a leak of any result or name would
    # add megabytes per round. The bounds leave room for caches and allocator noise.
    assert traced_after - traced_before < 1_000_000, traced_after - traced_before
    assert rss_grown < 24 * 1024 * 1024, rss_grown


def test_results_release_their_lexer():
    """Tokens, Token objects, columns and memoryviews drop their references to the Lexer's
    store (the memory they read) when freed."""
    import sys
    lexer = fastlex.Lexer()
    store = lexer._store
    base = sys.getrefcount(store)
    tokens = lexer.tokenize(b"x = [1, 2]\n")
    held = [tokens.kinds, memoryview(tokens.starts), list(tokens), tokens[0], iter(tokens)]
    assert sys.getrefcount(store) > base
    del tokens, held
    gc.collect()
    assert sys.getrefcount(store) == base
