"""A short soak (bench/soak.py): 20 passes over a slice of both standard-library corpora through
fastlex.tokenize, tokenize_many, the Pygments plugin and the Arrow path; the resident set stays
within 10% of the first pass and tracemalloc sees no growth over the last passes. The long run
(1,000 passes) and its figures are in PERFORMANCE.md. valgrind (bench/valgrind_check.py) takes
minutes: it runs here only with FASTLEX_VALGRIND=1.
"""
import os
import shutil

import pytest

from buildtree import load_script
from corpus import corpus_files


def test_short_soak_is_flat(capsys):
    corpus_files()                    # the Ruby corpus: fails in CI, skips elsewhere, when missing
    soak = load_script("bench/soak.py")
    rc = soak.main(["--passes", "20", "--files", "25", "--tracemalloc-passes", "4", "--every", "5"])
    out = capsys.readouterr().out
    assert "ruby/pygments" in out and "python/arrow" in out and "ruby/tokenize_many" in out
    assert rc == 0, out


@pytest.mark.skipif(not os.environ.get("FASTLEX_VALGRIND"), reason="valgrind takes minutes: FASTLEX_VALGRIND=1")
def test_valgrind_memcheck_clean(capsys):
    if shutil.which("valgrind") is None:
        pytest.fail("FASTLEX_VALGRIND is set but valgrind is not installed")
    rc = load_script("bench/valgrind_check.py").main([])
    out = capsys.readouterr().out
    assert rc == 0, out
