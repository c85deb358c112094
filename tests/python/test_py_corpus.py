"""Every .py file of the running interpreter's standard library, through generate_tokens (str)
and tokenize (bytes): the same TokenInfo list and the same exception as the interpreter's
own tokenize (Lib/test holds deliberately invalid files: their exceptions must match too)."""
import io
import tokenize

import pytest

from pyoracle import compare_bytes, compare_text, stdlib_files

FILES = stdlib_files()
CHUNK = 64


def test_corpus_is_large():
    assert len(FILES) > 1000


@pytest.mark.parametrize("first", range(0, len(FILES), CHUNK))
def test_stdlib_chunk(first):
    for path in FILES[first:first + CHUNK]:
        with open(path, "rb") as f:
            data = f.read()
        compare_bytes(data)
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except (SyntaxError, UnicodeDecodeError, LookupError):
            continue
        compare_text(text)
