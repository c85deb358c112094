#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris) of fastlex's Python layer, on top of either grammar: the
converters that turn the scanner's byte offsets into what users read, and the tokenize front
end fed odd readline callables. The first input byte picks the grammar and the readline
variant; the rest is the source. Every input is checked for:

* positions: on the source decoded as str (surrogateescape: invalid bytes become lone
  surrogates), every Token's start, end (line, column in code points), line (the physical
  lines holding it) and string, and every error's line and column, equal a plain Python
  reference computed from the byte offsets;
* Arrow: ``pyarrow.array(tokens)`` holds the kinds and offsets, and
  ``fastlex.arrow.tokenize_table`` on a table of the source as string, as binary and a null
  gives each row's ``fastlex.tokenize`` result (tokens and errors);
* Pygments (Ruby): ``fastlex.pygments.RubyLexer`` gives back the text exactly, its indices count
  characters, and get_tokens agrees with get_tokens_unprocessed of the preprocessed text;
* the ``fastlex.python`` drop-in against the running interpreter's ``tokenize`` (tokens and
  exception, as tests/python/pyoracle.py compares them) when readline returns lines without
  their newline, raises after some lines (ValueError, or StopIteration, which ends the input),
  returns str where ``tokenize`` wants bytes, or bytes where ``generate_tokens`` wants str.

pyarrow and Pygments are optional: their checks run when they import.

    python fuzz/fuzz_layers.py CORPUS_DIR [SEED_DIR ...] -max_len=2048
"""
import io
import os
import sys
import tokenize

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import fastlex  # noqa: E402
import fastlex.python as fp  # noqa: E402
import lexcheck  # noqa: E402
import pyoracle  # noqa: E402

try:
    import pyarrow as pa  # noqa: E402
    import fastlex.arrow as fa  # noqa: E402
except ImportError:
    pa = None
try:
    from fastlex.pygments import RubyLexer  # noqa: E402
    PYGMENTS = RubyLexer(stripnl=False, ensurenl=False)
except ImportError:
    PYGMENTS = None

GRAMMARS = ("ruby", "python")
READLINE_VARIANTS = 7


def physical_lines(data, start, end):
    """tokenize's ``line``: the whole lines holding bytes [start, end)."""
    lo = data.rfind(b"\n", 0, start) + 1
    last = end - 1 if end > start else start
    hi = data.find(b"\n", last)
    hi = len(data) if hi < 0 else hi + 1
    return data[lo:hi].decode("utf-8", "surrogatepass")


def check_positions(text, grammar):
    data = text.encode("utf-8", "surrogatepass")
    ref = lexcheck.reference_positions(text)
    toks = fastlex.tokenize(text, language=grammar)
    for tok in toks:
        s, e = tok.start_offset, tok.end_offset
        assert 0 <= s <= e <= len(data), (tok, len(data))
        assert tok.start == ref[s], (tok, ref.get(s))
        if e == s:
            want_end = ref[s]
        else:
            last = next(o for o in range(e - 1, -1, -1) if o in ref)
            want_end = (ref[last][0], ref[last][1] + 1)
        assert tok.end == want_end, (tok, want_end)
        assert tok.string == data[s:e].decode("utf-8", "surrogatepass"), tok
        assert tok.line == physical_lines(data, s, e), tok
    for err in toks.errors:
        assert (err.line, err.column) == ref[err.offset], (err, ref.get(err.offset))
    return toks


def check_arrow(text, grammar, toks):
    arr = pa.array(toks)
    assert arr.field("kind").to_pylist() == toks.kinds.tolist()
    assert arr.field("start").to_pylist() == toks.starts.tolist()
    assert arr.field("end").to_pylist() == toks.ends.tolist()
    data = text.encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
        rows = [text, None]
        kinds = [pa.string(), pa.binary()]
    except UnicodeDecodeError:
        rows, kinds = [None], [pa.binary()]    # a str with lone surrogates has no Arrow string form
    for typ in kinds:
        values = [data if (r is not None and typ == pa.binary()) else r for r in rows]
        table = fa.tokenize_table(pa.table({"content": pa.array(values, type=typ)}), language=grammar)
        got_tokens = table.column("tokens").to_pylist()
        got_errors = table.column("errors").to_pylist()
        for src, row_tokens, row_errors in zip(values, got_tokens, got_errors):
            if src is None:
                assert row_tokens is None and row_errors is None
                continue
            want = fastlex.tokenize(src, language=grammar)
            assert row_tokens == [{"kind": k, "start": s, "end": e}
                                  for k, s, e in zip(want.kinds, want.starts, want.ends)]
            assert row_errors == [{"offset": e.offset, "message": e.message} for e in want.errors]


def check_pygments(text):
    triples = list(PYGMENTS.get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in triples) == text
    at = 0
    for index, _, value in triples:
        assert index == at, (index, at, value)
        at += len(value)
    # get_tokens first does Pygments' preprocessing (with these options: a leading BOM dropped,
    # CR LF and CR made LF); get_tokens_unprocessed takes the text as it is.
    pre = text[1:] if text.startswith("\ufeff") else text
    pre = pre.replace("\r\n", "\n").replace("\r", "\n")
    assert [(t, v) for _, t, v in PYGMENTS.get_tokens_unprocessed(pre)] == list(PYGMENTS.get_tokens(text))


def odd_readline(lines, variant, k, empty):
    """A readline over lines, odd in the given way (see the module docstring); empty ("" or
    b"") once the lines are used up."""
    if variant == 1:                                   # no newlines
        lines = [ln.rstrip("\r\n" if isinstance(ln, str) else b"\r\n") for ln in lines]
    it = iter(lines)
    count = [0]

    def readline():
        count[0] += 1
        if variant in (2, 5) and count[0] > k:
            raise ValueError("readline failed")
        if variant == 6 and count[0] > k:
            raise StopIteration
        return next(it, empty)
    return readline


def check_readline(data, variant, k):
    """The drop-in and tokenize, both given the odd readline of variant over data's lines."""
    if variant in (3, 4, 5):
        lines = io.BytesIO(data).readlines()
    else:
        try:
            lines = io.StringIO(data.decode("utf-8"), newline="").readlines()
        except UnicodeDecodeError:
            return                                  # str lines need a str source
    if variant == 3:                                # tokenize() given str lines
        lines = [ln.decode("utf-8", "surrogateescape") for ln in lines]
    make = (tokenize.tokenize, fp.tokenize) if variant in (3, 5) else (tokenize.generate_tokens, fp.generate_tokens)
    empty = b"" if variant in (4, 5) else ""
    want = pyoracle.run(make[0], odd_readline(lines, variant, k, empty))
    got = pyoracle.run(make[1], odd_readline(lines, variant, k, empty))
    pyoracle.assert_same(want, got, (variant, k, data))


def test_one_input(data):
    if not data:
        return
    head, body = data[0], data[1:]
    grammar = GRAMMARS[head & 1]
    variant = (head >> 1) % READLINE_VARIANTS
    k = head >> 4
    text = body.decode("utf-8", "surrogateescape")
    toks = check_positions(text, grammar)
    if pa is not None:
        check_arrow(text, grammar, toks)
    if grammar == "ruby":
        if PYGMENTS is not None:
            check_pygments(text)
    else:
        check_readline(body, variant, k)


def main():
    print(f"fastlex from {fastlex.__file__}; pyarrow {'yes' if pa else 'no'}, "
          f"Pygments {'yes' if PYGMENTS else 'no'}", file=sys.stderr)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
