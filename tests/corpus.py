"""Where the tests find the Ruby corpus: Ruby 3.1's standard library from Debian's ruby package.

``FASTLEX_CORPUS`` points elsewhere. In CI (``CI`` set) a missing corpus fails
the test asking for it; elsewhere it skips, saying how to install it.
"""
import os

import pytest

CORPUS = os.environ.get("FASTLEX_CORPUS", "/usr/lib/ruby/3.1.0")


def corpus_files():
    """The corpus's .rb files, sorted; fails in CI, skips elsewhere, when the corpus is not installed."""
    if not os.path.isdir(CORPUS):
        if os.environ.get("CI"):
            pytest.fail(f"the Ruby corpus {CORPUS} is missing (install Debian's ruby package)")
        pytest.skip(f"the Ruby corpus {CORPUS} is not installed (apt-get install ruby)")
    files = []
    for root, dirs, names in os.walk(CORPUS):
        dirs.sort()
        files.extend(os.path.join(root, name) for name in sorted(names) if name.endswith(".rb"))
    assert len(files) > 500, f"{CORPUS} holds only {len(files)} .rb files"
    return files
