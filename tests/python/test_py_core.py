"""fastlex.tokenize(src, language="python"): the usual Tokens from the Python scanner through
the core. Never raises on bad input: where the scanner stops, an errors entry says why and one
ERRORTOKEN covers the rest, so tokens stay ordered, inside the source, and every non-blank byte
is inside a token (but a leading byte order mark). Regressions from fuzz/fuzz_python.py's checks are literals below."""
import random

import pytest

import fastlex
from fastlex._core import grammar_info

KINDS = grammar_info("python").kinds


def check(data):
    toks = fastlex.tokenize(data, language="python")
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0      # a leading BOM is in no token
    for k, s, e in zip(toks.kinds.tolist(), toks.starts.tolist(), toks.ends.tolist()):
        assert 0 <= s <= e <= len(data) and (s >= pos or s == e), (data, k, s, e, pos)
        assert not data[pos:s].strip(b" \t\f\r\n\\"), (data, pos, s)
        pos = max(pos, e)
    assert not data[pos:].strip(b" \t\f\r\n\\"), (data, pos)
    assert toks[-1].type == KINDS.ENDMARKER
    for err in toks.errors:
        assert 0 <= err.offset <= len(data), (data, err)
    return toks


def test_valid_source():
    toks = check(b"def f(x):\n    return x + 1  # c\n")
    assert [t.type.name for t in toks] == [
        "NAME", "NAME", "LPAR", "NAME", "RPAR", "COLON", "NEWLINE", "INDENT", "NAME", "NAME", "PLUS", "NUMBER",
        "COMMENT", "NEWLINE", "DEDENT_EOF", "ENDMARKER"]
    assert toks.errors == [] and toks[1].string == "f" and toks[1].start == (1, 4)


@pytest.mark.parametrize("src,message", [
    (b"x = (1,\n", "end of input inside a statement"),
    (b"r'1def eaj", "unterminated string"),            # regression: the string's bytes were outside every token
    (b'""":if.\xc3\xa9\\{1f\'\\', "unterminated string"),  # regression: the error offset was past the end
    (b"  x\n y\n", "indentation"),
    (b"x = $\n", "character"),
])
def test_bad_source_never_raises(src, message):
    toks = check(src)
    assert len(toks.errors) == 1 and message in toks.errors[0].message
    assert KINDS.ERRORTOKEN in [t.type for t in toks]


def test_byte_order_mark_is_skipped():
    """Regression: a UTF-8 BOM was a NAME_U token and made the next comment line's NL a NEWLINE."""
    toks = check(b"\xef\xbb\xbf# coding: utf-8\nx = 1\n")
    assert [(t.type.name, t.start_offset) for t in toks][:3] == [("COMMENT", 3), ("NL", 18), ("NAME", 19)]
    assert toks[0].start == (1, 3)      # columns count the BOM's bytes, as the offsets do


def test_random_programs_keep_the_invariants():
    """Seeded soup of Python's delimiters and names (fuzz/fuzz_python.py runs the same checks
    coverage-guided under the sanitizers)."""
    rng = random.Random(20261130)
    alphabet = [b"a", b"1", b" ", b"\n", b"\t", b"(", b")", b"[", b"]", b"{", b"}", b"'", b'"', b'"""', b"f'",
                b"#", b"\\", b":", b"=", b"+", b".", b"\r", b"\xc3\xa9", b"if", b"def ", b"0x", b"_", b"e", b"j",
                b"\f", b"!", b"r'", b"b'", b"\x00", b"\xff"]
    for _ in range(2000):
        check(b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))))
