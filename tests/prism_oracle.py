"""The prism oracle for the tests: prism-tokens (prism 1.9.0 with a token-printing driver).

``prism_binary()`` finds it as ``fastlex.prism.find_prism`` does ($FASTLEX_PRISM, then the
shared ``../shared/prism/prism-tokens``); ``prism_tokens(binary, data)`` is prism's error count
and its (kind, start, end) list sorted stably by start, kinds spelled as fastlex.Kind names.
"""
import os
import tempfile

import pytest

from fastlex import prism


def prism_binary():
    """The prism-tokens binary, or None when it is not on this machine."""
    return prism.find_prism()


def require_prism():
    """The prism-tokens binary; a missing one fails the test in CI (``CI`` set: CI provides
    ../shared/prism) and skips it elsewhere."""
    found = prism.find_prism()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"the prism oracle is missing ({prism.SHARED_PRISM}); CI provides ../shared/prism")
        pytest.skip("prism-tokens not found (FASTLEX_PRISM or ../shared/prism/prism-tokens)")
    return found


def prism_tokens(binary, data):
    """(errors, [(kind, start, end)]) of prism for the source bytes ``data``."""
    with tempfile.NamedTemporaryFile(suffix=".rb", delete=False) as f:
        f.write(data)
    try:
        result = prism.run_prism(binary, [f.name])[f.name]
    finally:
        os.unlink(f.name)
    names = {v: k for k, v in prism.PRISM_SPELLINGS.items()}
    return result.errors, [(names.get(k, k), s, e) for k, s, e in result.tokens]
