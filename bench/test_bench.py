"""The `python -m fastlex bench` scenarios as a pytest-benchmark suite.

    python -m pytest bench/ --benchmark-only --benchmark-storage=bench/.benchmarks --benchmark-save=baseline
    python -m pytest bench/ --benchmark-only --benchmark-storage=bench/.benchmarks --benchmark-compare=0001

Every benchmark also checks its result, so a broken lexer cannot look fast.
"""
import collections

import pytest

import fastlex
from fastlex import bench


def test_lex(benchmark, source):
    """The lex alone: a reused Lexer, tokens left in the region."""
    lexer = fastlex.Lexer()
    tokens = benchmark(lexer.tokenize, source)
    assert len(tokens) > len(source) // 20 and not tokens.errors


def test_lex_malloc_per_token(benchmark, source):
    """The same lex with the region switched off: one malloc per token record."""
    lexer = fastlex.Lexer(region=False)
    tokens = benchmark(lexer.tokenize, source)
    assert tokens.stats["mallocs"] > len(tokens)


def test_tokenize_fresh(benchmark, source):
    """fastlex.tokenize: a fresh Lexer per call (its allocations included)."""
    tokens = benchmark(fastlex.tokenize, source)
    assert tokens.stats["mallocs"] <= 16


def test_tokens_objects(benchmark, source):
    """Tokenize and create every Token, reading its .string."""
    lexer = fastlex.Lexer()

    def run():
        n = 0
        for tok in lexer.tokenize(source):
            tok.string
            n += 1
        return n

    assert benchmark(run) == len(fastlex.tokenize(source))


def test_bulk_columns(benchmark, source):
    """Tokenize and read the kinds/starts/ends columns as lists."""
    lexer = fastlex.Lexer()

    def run():
        t = lexer.tokenize(source)
        return (memoryview(t.kinds).tolist(), memoryview(t.starts).tolist(), memoryview(t.ends).tolist())

    kinds, starts, ends = benchmark(run)
    assert len(kinds) == len(starts) == len(ends) and ends[-1] == len(source)


def test_tokenize_many(benchmark, source):
    """tokenize_many over 4 items per core, 256 KB each."""
    piece = bench.cut_at_line(source, 256 << 10)
    items = [piece] * (4 * (bench.os.cpu_count() or 1))
    results = benchmark(fastlex.tokenize_many, items)
    assert len(results) == len(items)


def test_tree_sitter_parse(benchmark, source, ts_parser):
    """Baseline: tree-sitter-ruby parse."""
    tree = benchmark(ts_parser.parse, source)
    assert not tree.root_node.has_error


def test_tree_sitter_leaf_walk(benchmark, source, ts_parser):
    """Baseline: tree-sitter-ruby parse, then a TreeCursor walk collecting the leaves."""
    leaves = benchmark.pedantic(lambda: bench.leaves(ts_parser.parse(source)), rounds=3, iterations=1)
    assert len(leaves) > 1000


def _pygments_lexer(key):
    """The lexer for a pygments row, or a skip saying how to install what is missing."""
    lexer = bench.pygments_lexers()[key]
    if isinstance(lexer, str):
        pytest.skip(lexer)
    return lexer


def test_pygments_ruby_lexer(benchmark, source_slice):
    """Baseline: Pygments' RubyLexer through pygments.lex, on the first 64 KB."""
    import pygments

    lexer = _pygments_lexer("pygments")
    text = source_slice.decode()
    benchmark.pedantic(lambda: collections.deque(pygments.lex(text, lexer), maxlen=0), rounds=3, iterations=1)


def test_fastlex_pygments_lexer(benchmark, source_slice):
    """fastlex.pygments.RubyLexer through pygments.lex, on the first 64 KB."""
    import pygments

    lexer = _pygments_lexer("fastlex_pygments")
    text = source_slice.decode()
    out = benchmark(lambda: "".join(v for _, v in pygments.lex(text, lexer)))
    assert out.rstrip("\n") == text.rstrip("\n")
