"""Fixtures for the pytest-benchmark suite (python -m pytest bench/ --benchmark-only).

The inputs are the ones `python -m fastlex bench` uses: the shipped sample
repeated to about 1 MB, and its first 64 KB for the slow Pygments baseline.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fastlex import bench  # noqa: E402


@pytest.fixture(scope="session")
def source():
    """The shipped sample repeated to about 1 MB (bytes)."""
    return bench.load_inputs([])[0][2]


@pytest.fixture(scope="session")
def source_slice(source):
    """The first 64 KB of the source, cut at a line boundary (for Pygments, which is slow)."""
    return bench.cut_at_line(source, 64 << 10)


@pytest.fixture(scope="session")
def ts_parser():
    """A tree-sitter parser for Ruby (the test is skipped if tree-sitter is not installed)."""
    parser = bench.tree_sitter_parser()
    if parser is None:
        pytest.skip(f"tree-sitter-ruby not installed: {bench.INSTALL_HINT}")
    return parser
