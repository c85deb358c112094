"""The portable build: fastlex compiled with -DFASTLEX_PORTABLE (no SSE2: the word-arithmetic
paths of _bits.pxi that little-endian machines without SSE2, ARM64 among them, take) runs the
whole test suite,
from a copy of this tree built that way (tests/buildtree.py caches it under build/portable).

Left out of the inner run: this test itself and the other-interpreter builds
(tests/python/test_py_interpreters.py builds its own copies, with the default flags).
"""
import os
import subprocess
import sys

import pytest

from buildtree import built_copy
from fastlex.prism import find_prism


@pytest.mark.skipif(sys.platform == "win32", reason="CFLAGS are the gcc/clang spelling")
def test_whole_suite_on_the_portable_build():
    tree = built_copy("portable", sys.executable, {"CFLAGS": "-DFASTLEX_PORTABLE"})
    env = dict(os.environ, PYTHONPATH=tree)
    prism = find_prism()          # the copy has no ../shared beside it: hand the oracle over
    if prism:
        env["FASTLEX_PRISM"] = prism
    probe = subprocess.run([sys.executable, "-c", "import fastlex._core as c; print(c.__file__, c.WORD_PATHS)"],
                           cwd=tree, env=env, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    where, paths = probe.stdout.split()
    assert where.startswith(tree) and paths == "words", probe.stdout
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests",
                          "--ignore=tests/test_portable.py", "--ignore=tests/python/test_py_interpreters.py"],
                         cwd=tree, env=env, capture_output=True, text=True, timeout=3600)
    tail = res.stdout[-4000:] + res.stderr[-2000:]
    assert res.returncode == 0, f"the suite failed on the portable build:\n{tail}"
    print(f"\nportable build: {res.stdout.strip().splitlines()[-1]}")
