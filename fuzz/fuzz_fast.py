#!/usr/bin/env python3
"""The lean atheris (libFuzzer) target of one grammar, for long campaigns: one reused
fastlex.Lexer lexes every input as bytes, and a cheap check runs on the columns (at least one
token, offsets ordered and inside the source, every span non-negative, error offsets in
bounds; for Ruby the zero-width-or-newline EOF last, ending at the end). The Python grammar
runs in both its modes (the 3.9-3.11 rules and the 3.12+ ones) on every input. The full invariants
are fuzz_lexer.py's (Ruby) and fuzz_python.py's (Python, compared with tokenize): slower by
one or two orders of magnitude, so they run for shorter times.

    python fuzz/fuzz_fast.py --grammar=ruby|python CORPUS_DIR [SEED_DIR ...] -dict=fuzz/ruby.dict ...

The grammar may also come from FASTLEX_FUZZ_GRAMMAR.
"""
import operator
import os
import sys

import atheris

import fastlex

GRAMMAR = os.environ.get("FASTLEX_FUZZ_GRAMMAR", "ruby")
for _arg in list(sys.argv):
    if _arg.startswith("--grammar="):
        GRAMMAR = _arg.split("=", 1)[1]
        sys.argv.remove(_arg)
if GRAMMAR not in ("ruby", "python"):
    sys.exit(f"unknown grammar {GRAMMAR!r}: ruby or python")

RUBY = GRAMMAR == "ruby"
if RUBY:
    LEXERS = [fastlex.Lexer()]
else:
    # Both rule sets of the Python scanner, whatever the running interpreter: mode 0 (the
    # pure-Python tokenize of 3.9 to 3.11) and mode 1 (3.12+: f-string tokens, stricter
    # indentation). A Lexer takes the grammar's mode when it is created.
    import fastlex.python
    from fastlex.python import _scanner
    LEXERS = []
    for mode in (0, 1):
        _scanner._configure_grammar(mode)
        LEXERS.append(fastlex.Lexer(language="python"))
    _scanner._configure_grammar(fastlex.python.MODE)
EOF_KIND = int(fastlex.Kind.EOF) if RUBY else None


def check(data, tokens):
    """The cheap invariants of tokens lexed from data (AssertionError when one fails)."""
    n = len(data)
    starts = memoryview(tokens.starts).tolist()
    ends = memoryview(tokens.ends).tolist()
    assert len(starts) == len(ends) == len(tokens.kinds) > 0, "no tokens, or ragged columns"
    assert starts[0] >= 0 and max(ends) <= n, "a token outside the source"
    assert all(map(operator.le, starts, ends)), "a token ends before it starts"
    assert all(map(operator.le, starts, starts[1:])), "tokens out of order"
    if RUBY:
        assert tokens.kinds[-1] == EOF_KIND and ends[-1] == n, "EOF is not last, or ends early"
        # Tokens never overlap, but EOF may repeat the last newline.
        assert all(map(operator.le, ends[:-2], starts[1:-1])), "overlapping tokens"
    for err in tokens.errors:
        assert 0 <= err.offset <= n, f"error offset {err.offset} outside the source"


def test_one_input(data):
    for lexer in LEXERS:
        check(data, lexer.tokenize(data))


def main():
    print(f"fastlex from {fastlex.__file__}, grammar {GRAMMAR}", file=sys.stderr)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
