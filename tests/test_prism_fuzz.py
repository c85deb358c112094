"""Differential fuzzing against prism, Ruby's own parser (issue 12's contract).

1. Programs written by the small Ruby grammar (tests/ruby_strategies.py): whenever prism
   parses one without errors, fastlex's (kind, start, end) list equals prism's.
2. Mutations of corpus files (cut, splice, duplicate, delete, insert bytes): the same wherever
   prism reports no error (and fastlex's invariants hold everywhere: tests/lexcheck.py).

CI runs a bounded, seeded number of examples (the prism oracle is required there; elsewhere
the tests skip without it). For a long campaign:
    FASTLEX_FUZZ_EXAMPLES=20000 python -m pytest tests/test_prism_fuzz.py
Failing examples found this way become regression cases in REGRESSIONS below.
"""
import os

import pytest
from hypothesis import HealthCheck, given, settings

import fastlex

from lexcheck import check_tokens
from prism_oracle import prism_tokens, require_prism
from ruby_strategies import programs
from corpus_mutations import corpus_sample, mutations

EXAMPLES = int(os.environ.get("FASTLEX_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="FASTLEX_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])

# Sources the fuzzer once found to differ from prism: each must stay identical.
REGRESSIONS = [
    b"def self(v)\nx\nend\n",           # self as a def's method name (not its receiver)
    b"def self\nx\nend\n",
    b"class Sc:alar < N; end\n",         # no label after class (a mutated corpus file)
    b"[1].each do |file|\n  file \"x\" =>\n    [a] + b do\n  end\nend\n",   # a local called with arguments (rake)
    b"T.trace :end do |tp|\nend\n",     # a symbol naming a keyword starts command arguments (rbs)
    b"p(1) { }\np (1) { }\np (1) do end\np (1)\n{a: 1}\n",   # BRACE_LEFT_ARGUMENT after foo (arg) only
    b"x = !a or platfo:rm.empty?\n",     # no label after or (prism's LABEL bit)
    b"c = Bundler:s.last\n",             # no label after =
    b"expected = clean <<-EOM\n  ..\nEOM\n",   # .. in a heredoc body is not a beginless range
]


@pytest.fixture(scope="module")
def binary():
    return require_prism()


def ours(data):
    toks = fastlex.tokenize(data)
    check_tokens(toks, data)
    return [(fastlex.Kind(k).name, s, e) for k, s, e in zip(toks.kinds, toks.starts, toks.ends)]


def assert_identical(binary, data):
    """If prism parses data without errors, fastlex's token list is prism's."""
    errors, theirs = prism_tokens(binary, data)
    mine = ours(data)
    if errors:
        return False
    if mine != theirs:
        k = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
        show = lambda t: f"{t[0]} {data[t[1]:t[2]]!r} [{t[1]}:{t[2]}]" if t else "nothing"
        raise AssertionError(f"first difference at token {k}: fastlex {show(mine[k] if k < len(mine) else None)}, "
                             f"prism {show(theirs[k] if k < len(theirs) else None)}\n--- source ---\n"
                             f"{data.decode('utf-8', 'replace')}")
    return True


@pytest.mark.parametrize("src", [pytest.param(s, id=repr(s)[:50]) for s in REGRESSIONS])
def test_regressions(binary, src):
    assert assert_identical(binary, src)


def test_generated_programs_are_identical(binary):
    @FUZZ
    @given(programs())
    def run(program):
        assert_identical(binary, program.encode("utf-8"))

    run()


def test_mutated_corpus_files_are_identical(binary):
    sources = corpus_sample()

    @settings(FUZZ, max_examples=max(EXAMPLES // 3, 1))
    @given(mutations(sources))
    def run(src):
        assert_identical(binary, src)

    run()
