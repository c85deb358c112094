"""Positions through the one byte-to-character converter (fastlex/_chars.pxi): Token start/end,
Token.line, error line/column and Tokens.position agree with a plain Python reference on
non-ASCII text, in any access order, on long lines, on every character width (1 to 4 bytes,
lone surrogates), at every offset around the converter's 64-byte marks."""
import random

import pytest

import fastlex
from lexcheck import reference_positions


def reference_end(ref, start, end):
    """The end of a token: just past its last character, on that character's line."""
    if end == start:
        return ref[start]
    last = next(o for o in range(end - 1, -1, -1) if o in ref)   # where the last character starts
    line, col = ref[last]
    return (line, col + 1)


def reference_line(text, start, end):
    """tokenize's `line`: the whole physical lines holding bytes [start, end)."""
    data = text.encode("utf-8", "surrogatepass")
    lo = data.rfind(b"\n", 0, start) + 1
    last = end - 1 if end > start else start
    hi = data.find(b"\n", last)
    hi = len(data) if hi < 0 else hi + 1
    return data[lo:hi].decode("utf-8", "surrogatepass")


def check_text(text):
    toks = fastlex.tokenize(text)
    ref = reference_positions(text)
    items = list(toks)
    for tok in items:
        assert tok.start == ref[tok.start_offset], (tok, text[:80])
        assert tok.end == reference_end(ref, tok.start_offset, tok.end_offset), (tok, text[:80])
        assert tok.line == reference_line(text, tok.start_offset, tok.end_offset)
    # Random access agrees with sequential access.
    rng = random.Random(len(text))
    for _ in range(min(200, len(items))):
        i = rng.randrange(len(items))
        assert toks[i].start == items[i].start and toks[i].end == items[i].end and toks[i].line == items[i].line
    for err in toks.errors:
        assert (err.line, err.column) == ref[err.offset]
    for offset in rng.sample(sorted(ref), min(100, len(ref))):
        assert toks.position(offset) == ref[offset]
    return toks


@pytest.mark.parametrize("char", ["\u00e9", "\u20ac", "\u65e5", "\U0001F600", "\ud800"])
@pytest.mark.parametrize("pad", range(0, 70, 7))
def test_every_width_around_the_marks(char, pad):
    """Characters of 2, 3 and 4 bytes (and a lone surrogate, 3 bytes with surrogatepass) placed
    across the converter's 64-byte blocks."""
    text = "x" * pad + f"a = '{char}{char}' + b{char * 0} # {char * 40}\n" * 5 + f":{char}sym {char}x = 1\n"
    check_text(text)


def test_long_line_of_multibyte_names():
    text = "".join(f"\u540d{i} = \u5024{i}; " for i in range(3000)) + "\n"
    toks = check_text(text)
    # Every token on the line shares one line string.
    lines = {id(t.line) for t in toks[:-2]}
    assert len(lines) <= 2


def test_long_non_ascii_line_with_errors():
    text = "\u00e9 " + "@ " * 2000 + "'unterminated \u00e9"
    toks = check_text(text)
    assert len(toks.errors) > 1000


def test_multiline_tokens_and_heredocs():
    text = "x = <<~EOS\n  caf\u00e9\n  \u65e5\u672c #{y}\nEOS\n=begin\n\u00e9\n=end\ns = \"a\n\u00e9\nb\"\n"
    check_text(text)


def test_bytes_input_counts_bytes():
    data = "\u00e9 = 1\n".encode()
    toks = fastlex.tokenize(data)
    assert toks[1].start == (1, 3)        # '=' after two bytes and a space


def test_pygments_stream_concatenates_on_non_ascii():
    pytest.importorskip("pygments")
    from fastlex.pygments import RubyLexer
    text = ("\u00e9 = '\u65e5' + \"#{\u540d}\"\n" * 50) + "x = 1 # \U0001F600\n"
    items = list(RubyLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in items) == text
    assert all(text.startswith(v, i) for i, _, v in items)


def test_newline_list_filled_on_first_use():
    """The scan only reserves the newline list; positions, line_starts and stats fill it when first
    asked, identically for a Lexer's result, a copied result (tokenize_many) and a limited call."""
    src = "a = 1\n\n  b = 'é'\r\n# c\nd\n" * 50
    lexer = fastlex.Lexer()
    lazy = lexer.tokenize(src)
    assert lazy.stats["lines"]["count"] == src.count("\n") + 1
    assert lazy.line_starts == [0] + [i + 1 for i, c in enumerate(src.encode()) if c == 10]
    for other in (fastlex.tokenize(src, memory_limit=10_000_000), fastlex.tokenize_many([src])[0],
                  fastlex.tokenize_many([src, src], workers=2)[1]):
        assert [(t.start, t.end, t.line) for t in other] == [(t.start, t.end, t.line) for t in lazy]
        assert other.line_starts == lazy.line_starts
    # Positions read first, stats after: the same figures.
    again = fastlex.Lexer().tokenize(src)
    assert again[-1].start == lazy[-1].start
    assert again.stats["lines"] == lazy.stats["lines"]
    # A result whose Lexer has moved on before its newline list was needed reports 0 lines
    # (and refuses positions, like every other read of an expired result).
    stale = lexer.tokenize(src)
    lexer.tokenize("x")
    assert stale.stats["lines"]["count"] == 0
    with pytest.raises(RuntimeError):
        stale.line_starts
