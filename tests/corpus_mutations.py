"""Corpus mutations for the fuzz tests (tree-sitter equivalence and prism identity): a fixed
sample of corpus files, and a strategy that cuts, splices, duplicates, deletes or inserts bytes."""
import random

from hypothesis import strategies as st

from corpus import corpus_files


def corpus_sample():
    """A fixed sample of corpus files (their first 6000 bytes)."""
    files = corpus_files()
    rng = random.Random(1234)
    picked = rng.sample(files, 40)
    return [open(p, "rb").read()[:6000] for p in picked]


@st.composite
def mutations(draw, sources):
    """A corpus file cut, spliced with another, with a range duplicated or bytes inserted."""
    src = draw(st.sampled_from(sources))
    n = len(src)
    op = draw(st.sampled_from(["cut", "splice", "duplicate", "insert", "delete"]))
    a = draw(st.integers(0, n))
    b = draw(st.integers(a, min(n, a + 400)))
    if op == "cut":
        return src[:a]
    if op == "splice":
        other = draw(st.sampled_from(sources))
        c = draw(st.integers(0, len(other)))
        return src[:a] + other[c:c + 400]
    if op == "duplicate":
        return src[:b] + src[a:b] + src[b:]
    if op == "delete":
        return src[:a] + src[b:]
    extra = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
        [b'"', b"'", b"#{", b"}", b"<<~X\n", b"=begin\n", b"%w(", b"/", b"?", b":", b"\\", b"\x00", b"\xff", b"\r"]))
    return src[:a] + extra + src[a:]
