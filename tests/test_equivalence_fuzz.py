"""Fuzz equivalence with tree-sitter-ruby.

1. Programs written by a small Ruby grammar (tests/ruby_strategies.py): whenever
   tree-sitter parses one cleanly, fastlex's tokens must be equivalent.
2. Mutations of corpus files (cut, splice, duplicate, insert bytes): the
   invariants hold, and equivalence holds wherever tree-sitter is clean.

CI runs a bounded, seeded number of examples. For a long campaign:
    FASTLEX_FUZZ_EXAMPLES=20000 python -m pytest tests/test_equivalence_fuzz.py
Failing examples found this way become regression cases in REGRESSIONS below.
"""
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings

import fastlex

pytest.importorskip("tree_sitter_ruby", reason="the check extra is needed: pip install 'fastlex[check]'")
from fastlex import check  # noqa: E402

from corpus_mutations import corpus_sample, mutations  # noqa: E402
from ruby_strategies import programs  # noqa: E402

EXAMPLES = int(os.environ.get("FASTLEX_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="FASTLEX_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
BLANK = frozenset(b" \t\r\n\f\v")

# Programs the fuzzer once found to differ: each must stay equivalent.
REGRESSIONS = [
    b"foo.\n  for(a)\n",                       # a method name on the line after the dot
    b"x = <<A\n#{<<B}\nb\nB\na\nA\ny\n",        # nested heredoc (tree-sitter quirk, fastlex follows Ruby)
    b"def self.rule(k)\n  rule = k\nend\nrule %w[a b]\n",  # locals do not leak out of their def
    b"alias :a :b\nalias c? d\n",
    b"a = +0r\nb = +1.5i\n",                  # prism's +0r: one token over tree-sitter's + and number
]


def assert_invariants(src: bytes, toks) -> None:
    """Tokens ordered, non-overlapping, in bounds; every non-blank byte inside a token."""
    starts = memoryview(toks.starts).tolist()
    ends = memoryview(toks.ends).tolist()
    covered = bytearray(len(src))
    prev = 0
    for s, e in zip(starts[:-1], ends[:-1]):    # (EOF may repeat the last newline's span)
        assert prev <= s <= e <= len(src)
        covered[s:e] = b"\x01" * (e - s)
        prev = e
    for i, b in enumerate(src):
        if not covered[i] and b not in BLANK:
            # a line continuation or a leading byte order mark is the only other gap
            assert (b == 0x5C and src[i + 1:i + 2] in (b"\n", b"\r")) or (i < 3 and src[:3] == b"\xef\xbb\xbf"), (
                f"byte {i} ({src[i:i + 1]!r}) is in no token")


def assert_equivalent(src: bytes) -> None:
    """If tree-sitter parses src cleanly, fastlex agrees with it (or a named tree-sitter quirk explains why not)."""
    result = check.compare_source(src)
    if result.status == "tree_sitter_error":
        return
    assert result.status in ("equal", "quirk"), (
        f"{result.difference.fastlex} vs {result.difference.tree_sitter}\n{src.decode('utf-8', 'replace')}")


@pytest.mark.parametrize("src", REGRESSIONS)
def test_regressions(src):
    assert_invariants(src, fastlex.tokenize(src))
    assert_equivalent(src)


@FUZZ
@given(programs())
def test_generated_programs_are_equivalent(program):
    src = program.encode("utf-8")
    toks = fastlex.tokenize(src)
    assert_invariants(src, toks)
    result = check.compare_source(src)
    assume(result.status != "tree_sitter_error")
    assert result.status in ("equal", "quirk"), (
        f"\nfastlex:     {result.difference.fastlex}\ntree-sitter: {result.difference.tree_sitter}\n"
        f"line {result.difference.line}: {result.difference.source_line}\n--- program ---\n{program}")


MUTATION = settings(FUZZ, max_examples=max(EXAMPLES // 3, 1))


def test_mutated_corpus_files():
    sources = corpus_sample()

    @MUTATION
    @given(mutations(sources))
    def run(src):
        toks = fastlex.tokenize(src)
        assert_invariants(src, toks)
        assert_equivalent(src)

    run()
