"""Every .py file of the running interpreter's standard library, through generate_tokens (str)
and tokenize (bytes): the same TokenInfo list and the same exception as the interpreter's
own tokenize (Lib/test holds deliberately invalid files: their exceptions must match too)."""
import pytest

from fastlex.python.oracle import compare_file
from pyoracle import stdlib_files

FILES = stdlib_files()
CHUNK = 64


def test_corpus_is_large():
    assert len(FILES) > 1000


@pytest.mark.parametrize("first", range(0, len(FILES), CHUNK))
def test_stdlib_chunk(first):
    for path in FILES[first:first + CHUNK]:
        with open(path, "rb") as f:
            data = f.read()
        assert compare_file(data, path).differences == []
