"""Bounded fuzzing in the test suite: random bytes and mutated corpus files, lexed
in a child process (a crash of the C core fails the test, with the input, instead
of killing pytest), every result checked against the invariants of lexcheck.py.

Seeded and bounded by default (FASTLEX_FUZZ_EXAMPLES examples per test, 300);
``FASTLEX_FUZZ_EXAMPLES=100000 pytest tests/test_fuzz_bytes.py`` runs a long
random campaign (not derandomized then).
"""
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexcheck import Child

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = "/usr/lib/ruby/3.1.0"
EXAMPLES = int(os.environ.get("FASTLEX_FUZZ_EXAMPLES", "300"))
LONG = "FASTLEX_FUZZ_EXAMPLES" in os.environ and EXAMPLES > 1000

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=not LONG, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def corpus_files():
    """Ruby files to mutate: the stdlib corpus (every 7th file keeps the list small) plus the shipped sample."""
    files = [os.path.join(ROOT, "fastlex", "samples", "sample.rb")]
    for dirpath, _, names in os.walk(CORPUS):
        files.extend(os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".rb"))
    return files[:1] + sorted(files[1:])[::7]


FILES = corpus_files()


def read(path, limit=20_000):
    """The first limit bytes of a file (mutations stay small so each example is fast)."""
    with open(path, "rb") as f:
        return f.read(limit)


@pytest.fixture(scope="module")
def child():
    c = Child()
    yield c
    c.close()


def assert_clean(child, data):
    """Fail with the input and the reason if the child reports a problem."""
    problem = child.check(data)
    assert problem is None, f"input {data!r}:\n{problem}"


@st.composite
def mutated(draw):
    """A corpus file cut, spliced with another, with a range duplicated, or with random bytes inserted."""
    data = read(draw(st.sampled_from(FILES)))
    n = len(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "splice", "duplicate", "insert", "truncate"]))
        a = draw(st.integers(0, n))
        b = draw(st.integers(a, min(n, a + 2000)))
        if op == "cut":
            data = data[:a] + data[b:]
        elif op == "splice":
            other = read(draw(st.sampled_from(FILES)))
            c = draw(st.integers(0, len(other)))
            data = data[:a] + other[c:c + 2000]
        elif op == "duplicate":
            data = data[:b] + data[a:b] * draw(st.integers(1, 20)) + data[b:]
        elif op == "insert":
            data = data[:a] + draw(st.binary(min_size=1, max_size=16)) + data[a:]
        else:
            data = data[:a]
        n = len(data)
    return data


RUBYISH = b"\"'`/%?:#{}()[]<<~-ABC_abc 019\\\n\r\t=.@$!&|*+,;\x00\xc3\xa9\xff\xef\xbb\xbf"


@FUZZ_SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(child, data):
    """Arbitrary bytes never crash the core and always satisfy the invariants."""
    assert_clean(child, data)


@FUZZ_SETTINGS
@given(st.lists(st.sampled_from([bytes([c]) for c in RUBYISH] + [b"<<A", b"\nA\n", b"%w(", b"#{", b"=begin\n",
                                                                  b"\n=end", b"__END__", b"def ", b"end", b"do |"]),
                max_size=300).map(b"".join))
def test_rubyish_bytes(child, data):
    """Inputs made of Ruby's delimiters and openers (dense in constructs left open) stay clean."""
    assert_clean(child, data)


@FUZZ_SETTINGS
@given(mutated())
def test_mutated_corpus(child, data):
    """Corpus files cut, spliced, duplicated and sprinkled with random bytes stay clean."""
    assert_clean(child, data)


def test_child_reports_a_crash():
    """The harness itself: a child that dies mid-input is reported as a failure, not a hang or a pass."""
    c = Child(command=[sys.executable, "-c", "import os, sys; sys.stdin.buffer.read(5); os.abort()"])
    problem = c.check(b"x")
    assert problem is not None and "died" in problem
    c.close()
