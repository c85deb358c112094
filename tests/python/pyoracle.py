"""Differential helpers: fastlex.python against the running interpreter's tokenize."""
import io
import os
import tokenize

import fastlex.python as fp


def run(make, readline):
    """(tokens, exception as (type, str, args) or None): exceptions raised by the call itself
    (3.9 to 3.11 tokenize() runs detect_encoding eagerly) or while iterating."""
    out = []
    try:
        for tok in make(readline):
            out.append(tok)
    except Exception as exc:  # compared, never swallowed: both sides must raise the same
        return out, (type(exc), str(exc), exc.args)
    return out, None


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
    if want == got:
        return
    a, b = want[0], got[0]
    i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    raise AssertionError(
        f"first difference at token {i} (fallback: {fp.last_fallback()!r})\n"
        f"  tokenize: {a[i] if i < len(a) else want[1]}\n"
        f"  fastlex:  {b[i] if i < len(b) else got[1]}\n"
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
