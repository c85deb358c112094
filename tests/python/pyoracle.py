"""Differential helpers: fastlex.python against the running interpreter's tokenize."""
import io
import os
import tokenize

import fastlex.python as fp
from fastlex.python.oracle import first_difference, run  # noqa: F401 (run: used by tests)


def compare_text(text):
    """Assert generate_tokens equality (tokens and exception) on a str source."""
    want = run(tokenize.generate_tokens, io.StringIO(text).readline)
    got = run(fp.generate_tokens, io.StringIO(text).readline)
    assert_same(want, got, text)


def compare_bytes(data):
    """Assert tokenize() equality (ENCODING token, tokens, exception) on a bytes source."""
    want = run(tokenize.tokenize, io.BytesIO(data).readline)
    got = run(fp.tokenize, io.BytesIO(data).readline)
    assert_same(want, got, data)


def assert_same(want, got, source):
    diff = first_difference("<source>", "", want, got)
    if diff is None:
        return
    raise AssertionError(
        f"first difference at token {diff.index} (fallback: {diff.fallback!r})\n"
        f"  tokenize: {diff.tokenize}\n"
        f"  fastlex:  {diff.fastlex}\n"
        f"  source: {source[:300]!r}")


def stdlib_files():
    """Every .py file of the running interpreter's standard library (Lib/**, Lib/test included;
    site-packages left out), sorted."""
    root = os.path.dirname(tokenize.__file__)
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        files.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(".py"))
    return files
